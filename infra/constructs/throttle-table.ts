/**
 * DynamoDB table evaluate-alerts uses to deduplicate and throttle alerts (conditional writes with a
 * TTL), so a retried batch never sends the same SMS twice. On-demand, CMK-encrypted, PITR on.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import type { RelayFunction } from './relay-function.js';

/** Key schema and TTL attribute the alerts engine writes (shared/config/env-names.ts: `expiresAt`). */
const THROTTLE_TABLE_KEY = 'pk';
const THROTTLE_TABLE_TTL = 'expiresAt';

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
  }

  /**
   * Item-level access for the dedup markers, exactly what shared/alerts/dynamodb-store.ts calls
   * (GetItem, conditional PutItem/UpdateItem; no Delete, Scan, Query or batch), and the table name.
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
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
    fn.addEnvironment(ENV.throttleTableName, this.table.tableName);
  }
}

export type { ThrottleTableProps };
export { THROTTLE_TABLE_KEY, THROTTLE_TABLE_TTL, ThrottleTable };
