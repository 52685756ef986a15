/**
 * DynamoDB table evaluate-alerts uses to deduplicate, throttle and rate-cap alerts (conditional
 * writes with a TTL), so a retried batch never sends the same SMS twice, plus a sparse global
 * secondary index (`due`, keys only) listing exactly the windows that closed with suppressed or
 * held matches and owe a summary (the sweep queries it). On-demand, CMK-encrypted, PITR on.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENV, THROTTLE_TABLE } from '../../shared/contracts/index.js';
import type { RelayFunction } from './relay-function.js';

/** Key schema, TTL attribute and the sparse `due` index the alerts engine writes (the contracts module). */
const THROTTLE_TABLE_KEY = THROTTLE_TABLE.partitionKey;
const THROTTLE_TABLE_TTL = THROTTLE_TABLE.ttl;
const THROTTLE_TABLE_DUE_INDEX = THROTTLE_TABLE.dueIndex;

interface ThrottleTableProps {
  readonly encryptionKey: kms.IKey;
  /** the table only holds short-lived dedup/throttle markers. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

class ThrottleTable extends Construct {
  readonly table: dynamodb.Table;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ThrottleTableProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: THROTTLE_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: THROTTLE_TABLE_TTL,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: THROTTLE_TABLE_DUE_INDEX.name,
      partitionKey: { name: THROTTLE_TABLE_DUE_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: THROTTLE_TABLE_DUE_INDEX.sortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }

  /**
   * Item-level access for the dedup and window records, exactly what shared/alerts/dynamodb-store.ts
   * calls (GetItem, conditional PutItem/UpdateItem on the table; Query on the `due` index only; no
   * Delete, Scan or batch), and the table name.
   */
  bindTo(fn: RelayFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.table.tableArn}/index/${THROTTLE_TABLE_DUE_INDEX.name}`],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
    fn.addEnvironment(ENV.throttleTableName, this.table.tableName);
  }
}

export type { ThrottleTableProps };
export { THROTTLE_TABLE_DUE_INDEX, THROTTLE_TABLE_KEY, THROTTLE_TABLE_TTL, ThrottleTable };
