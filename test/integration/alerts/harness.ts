/**
 * Embedded emulators for the alerts integration tests, loopback only: fauxqs (SQS + SNS, with its
 * message spy), dynalite (DynamoDB, in memory) with the throttle table and its `due` index, the
 * Secrets Manager protocol double holding the identity key, one topic per channel, the alerts queue
 * and its DLQ; plus helpers to build SQS records the way the events topic delivers them (raw message
 * delivery of the wire JSON).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { createAlertTable } from '../../../local/alerts.js';
import { type SecretsManagerDouble, startSecretsManagerDouble } from '../../../local/secrets-manager-double.js';
import { CHANNELS, type Channel } from '../../../shared/alerts/types.js';
import { ENV } from '../../../shared/contracts/index.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { toWire } from '../../../shared/model/wire.js';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Emulators {
  readonly fauxqs: FauxqsServer;
  readonly endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly topics: Record<Channel, string>;
  readonly queue: { url: string; arn: string };
  readonly dlq: { url: string; arn: string };
  readonly dir: string;
  readonly secrets: SecretsManagerDouble;
  /** the identity key's ARN and value (tests recompute ids with it) */
  readonly idKeySecretArn: string;
  readonly idKeySecret: string;
  stop(): Promise<void>;
}

async function startEmulators(): Promise<Emulators> {
  const fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1', messageSpies: { bufferSize: 5_000 } });
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${fauxqs.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const common = { region: 'us-east-1', credentials: creds, maxAttempts: 1 };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: dynamodbEndpoint });
  const sqs = new SQSClient({ ...common, endpoint });
  const sns = new SNSClient({ ...common, endpoint });
  const tableName = `alerts-${randomUUID().slice(0, 8)}`;
  await createAlertTable(dynamodb, tableName);
  const secrets = await startSecretsManagerDouble();
  const idKeySecret = `it-${randomUUID()}-${randomUUID()}`;
  const idKeySecretArn = secrets.put('segura-relay/alert-id-key', idKeySecret);
  const topics = {} as Record<Channel, string>;
  for (const ch of CHANNELS)
    topics[ch] = (await sns.send(new CreateTopicCommand({ Name: `alerts-${ch}` }))).TopicArn as string;
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes
      ?.QueueArn as string;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-dlq' }))).QueueUrl as string;
  const dlq = { url: dlqUrl, arn: await arnOf(dlqUrl) };
  const qUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: 'alerts',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
        },
      }),
    )
  ).QueueUrl as string;
  sns.destroy();
  return {
    fauxqs,
    endpoint,
    dynamodbEndpoint,
    dynamodb,
    sqs,
    tableName,
    topics,
    queue: { url: qUrl, arn: await arnOf(qUrl) },
    dlq,
    dir: mkdtempSync(join(tmpdir(), 'alerts-it-')),
    secrets,
    idKeySecretArn,
    idKeySecret,
    stop: async () => {
      dynamodb.destroy();
      sqs.destroy();
      await secrets.stop();
      await fauxqs.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Write a rules document as the JSON the function reads; returns its path. */
function writeRules(emu: Emulators, doc: unknown, name = 'rules.json'): string {
  const p = join(emu.dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
}

function envFor(emu: Emulators, rulesFile: string, over: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    AWS_REGION: 'us-east-1',
    [ENV.awsEndpoint]: emu.endpoint,
    [ENV.dynamodbEndpoint]: emu.dynamodbEndpoint,
    [ENV.alertRulesFile]: rulesFile,
    [ENV.throttleTableName]: emu.tableName,
    [ENV.alertTopicArns]: JSON.stringify(emu.topics),
    [ENV.deadLetterQueueUrl]: emu.dlq.url,
    [ENV.alertIdKeySecretArn]: emu.idKeySecretArn,
    [ENV.secretsManagerEndpoint]: emu.secrets.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'evaluate-alerts',
    ...over,
  };
}

/** The SQS record the alerts queue would hold for this event (raw delivery of the wire JSON). */
function recordOf(e: SecurityEvent | string, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof e === 'string' ? e : toWire(e),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'sns',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:alerts',
    awsRegion: 'us-east-1',
  };
}

const batchOf = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Every item in the throttle table, unmarshalled. */
async function tableItems(emu: Emulators): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(emu.dynamodb);
  const r = await doc.send(new ScanCommand({ TableName: emu.tableName, ConsistentRead: true }));
  return r.Items ?? [];
}

/** Messages parked in the DLQ (bounded read). */
async function dlqMessages(emu: Emulators) {
  const r = await emu.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: emu.dlq.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return r.Messages ?? [];
}

/** SNS publishes fauxqs recorded on the alert topics. */
function snsPublished(emu: Emulators) {
  const arns = new Set(Object.values(emu.topics));
  return emu.fauxqs.spy
    .getAllMessages()
    .filter((m): m is Extract<typeof m, { service: 'sns' }> => m.service === 'sns' && arns.has(m.topicArn));
}

export type { Emulators };
export { batchOf, dlqMessages, envFor, recordOf, snsPublished, startEmulators, tableItems, writeRules };
