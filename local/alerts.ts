/**
 * The alerts part of the local relay (`npm start`): dynalite (in memory, loopback, random port) with
 * the throttle table and its `due` index, one SNS topic per channel in fauxqs, the alerts queue +
 * DLQ subscribed to the events topic, the Secrets Manager protocol double serving a freshly
 * generated identity key (read by ARN at cold start, as in AWS), the real evaluate-alerts handler,
 * and the summary sweep on a timer (the stack's EventBridge schedule). fauxqs accepts no
 * `MessageStructure: json` and delivers no SMS/email, but its spy records every Publish: that is
 * what each channel "received".
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import dynalite from 'dynalite';
import type { MessageSpyReader } from 'fauxqs';
import { createEvaluateAlertsHandler, scheduledEvent } from '../functions/evaluate-alerts/app.js';
import type { EvaluateOutcome } from '../functions/evaluate-alerts/evaluate.js';
import type { SweepOutcome } from '../functions/evaluate-alerts/sweep.js';
import { DUE_INDEX } from '../shared/alerts/dynamodb-store.js';
import type { SummaryOutcome } from '../shared/alerts/engine.js';
import { parseRulesDocument } from '../shared/alerts/rules-file.js';
import { CHANNELS, type Channel } from '../shared/alerts/types.js';
import { validateRules } from '../shared/alerts/validate.js';
import { dynamodbClient } from '../shared/aws-clients.js';
import { ENV, THROTTLE_TABLE } from '../shared/contracts/index.js';
import { errorMessage } from '../shared/errors.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { lambdaContext } from './poller.js';
import { type SecretsManagerDouble, startSecretsManagerDouble } from './secrets-manager-double.js';

/** The shipped rule pack (local/ and the repo root are siblings). */
const DEFAULT_RULES_FILE = fileURLToPath(new URL('../alerts/default-rules.yaml', import.meta.url));

interface LocalAlertsOptions {
  /** rules file, YAML or JSON. @default alerts/default-rules.yaml */
  readonly rules?: string;
  /** put an HTTP fault proxy (`alerts.dynamodbProxy`) between evaluate-alerts and dynalite (fault tests). @default false */
  readonly dynamodbProxy?: boolean;
  /** how often the summary sweep runs (the stack's schedule: every minute). @default 60_000 */
  readonly sweepEveryMs?: number;
  /**
   * the alerts subscription's SNS filter policy (`npm start -c`: the config's `alerts.filter`, else
   * the one derived from the rules, infra/config/alert-filter.ts). @default none: every event
   */
  readonly filterPolicy?: Readonly<Record<string, unknown>>;
}

interface QueueLike {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** One message an alert topic received (from the fauxqs spy). */
interface ReceivedAlert {
  readonly channel: Channel;
  readonly topicArn: string;
  readonly messageId: string;
  /** the MessageStructure=json document as published */
  readonly document: Readonly<Record<string, string>>;
  /** what a person reads on that channel: SMS text, email subject, chat title, ticket summary */
  readonly headline: string;
  /** when the topic received the Publish (fauxqs spy, epoch ms) */
  readonly atMs: number;
}

interface AlertTally {
  sent: number;
  suppressed: number;
  duplicate: number;
  retry: number;
  held: number;
  /** suppression summaries sent (by an alert or by the sweep) */
  summaries: number;
  /** (alertId, channel) published more than once: must stay 0 */
  republished: number;
}

interface LocalAlerts {
  readonly queue: QueueLike;
  readonly topics: Readonly<Record<Channel, string>>;
  readonly tableName: string;
  readonly dynamodbEndpoint: string;
  /** the fault proxy in front of dynalite for evaluate-alerts, when `dynamodbProxy` is on */
  readonly dynamodbProxy: FaultProxy | null;
  readonly rulesFile: string;
  readonly ruleCount: number;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /** run the summary sweep now (what the schedule does every `sweepEveryMs`) */
  sweep(): Promise<SweepOutcome | null>;
  /** the Secrets Manager double holding the identity key */
  readonly secrets: SecretsManagerDouble;
  readonly idKeySecretArn: string;
  readonly tally: Readonly<AlertTally>;
  /** SNS message id of every channel publish → the alerts-queue message whose event raised it */
  readonly raisedBy: ReadonlyMap<string, string>;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  /** every message the alert topics received so far, oldest first */
  received(): ReceivedAlert[];
  stop(): Promise<void>;
}

interface AlertsDeps {
  readonly dir: string;
  readonly log?: (line: string) => void;
  readonly endpoint: string;
  readonly sns: SNSClient;
  readonly spy: MessageSpyReader;
  readonly queuePair: (name: string) => Promise<QueueLike>;
  readonly subscribe: (q: QueueLike, filterPolicy?: Readonly<Record<string, unknown>>) => Promise<void>;
}

/**
 * The throttle table as the stack creates it (infra/constructs/throttle-table.ts): partition key
 * `pk`, and the sparse `due` index of windows owing a summary. Waits (bounded) until ACTIVE.
 */
async function createAlertTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: THROTTLE_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: DUE_INDEX.sortKey, AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: THROTTLE_TABLE.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: DUE_INDEX.name,
          KeySchema: [
            { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // dynalite makes tables ACTIVE at once (createTableMs: 0); still check, bounded
  for (let i = 0; ; i++) {
    const t = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (t.Table?.TableStatus === 'ACTIVE') break;
    if (i === 100) throw new Error(`throttle table ${tableName} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function headline(channel: Channel, doc: Record<string, string>): string {
  try {
    switch (channel) {
      case 'sms':
        return doc.sms ?? doc.default ?? '';
      case 'email':
        return (JSON.parse(doc['email-json'] ?? '{}') as { subject?: string }).subject ?? '';
      case 'chat':
        return (JSON.parse(doc.https ?? '{}') as { content?: { title?: string } }).content?.title ?? doc.https ?? '';
      default: {
        const t = JSON.parse(doc.https ?? '{}') as { summary?: string };
        return t.summary ?? doc.https ?? '';
      }
    }
  } catch {
    return doc.default ?? '';
  }
}

async function startLocalAlerts(o: LocalAlertsOptions, d: AlertsDeps): Promise<LocalAlerts> {
  const rulesFile = o.rules ?? DEFAULT_RULES_FILE;
  // validate here (clear message before anything starts) and hand the function JSON, as CDK does
  const doc = parseRulesDocument(readFileSync(rulesFile, 'utf8'), rulesFile);
  const rules = validateRules(doc, rulesFile);
  const jsonRules = join(d.dir, 'alert-rules.json');
  writeFileSync(jsonRules, `${JSON.stringify(doc, null, 2)}\n`);

  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  // stopped in reverse order on stop() or when the start fails half-way
  const stops: (() => Promise<unknown>)[] = [stopServer];
  const stopAll = async () => {
    for (const f of stops.reverse()) await f();
  };
  try {
    const dynamodbEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dynamodb = dynamodbClient({ endpoint: dynamodbEndpoint });
    const tableName = 'segura-alert-throttle';
    await createAlertTable(dynamodb, tableName);
    const topics = {} as Record<Channel, string>;
    for (const ch of CHANNELS) {
      const t = await d.sns.send(new CreateTopicCommand({ Name: `segura-alerts-${ch}` }));
      topics[ch] = t.TopicArn as string;
    }
    const queue = await d.queuePair('segura-alerts');
    await d.subscribe(queue, o.filterPolicy);
    const proxy = o.dynamodbProxy ? await startFaultProxy({ target: dynamodbEndpoint }) : null;
    stops.push(async () => proxy?.stop());
    // the identity key: generated here as the stack generates it at deploy, read by ARN at cold start
    const secrets = await startSecretsManagerDouble();
    stops.push(() => secrets.stop());
    const idKeySecretArn = secrets.put('segura-relay/alert-id-key', randomBytes(48).toString('base64url'));
    const tally: AlertTally = { sent: 0, suppressed: 0, held: 0, duplicate: 0, retry: 0, summaries: 0, republished: 0 };
    const seen = new Set<string>();
    const raisedBy = new Map<string, string>();
    const count = (id: string, published: readonly { channel: Channel }[]): void => {
      for (const p of published) {
        const k = `${id}:${p.channel}`;
        if (seen.has(k)) tally.republished++;
        seen.add(k);
      }
    };
    const countSummaries = (list: readonly SummaryOutcome[]): void => {
      for (const s of list) {
        if (s.kind === 'sent') tally.summaries++;
        count(s.alertId, s.published);
      }
    };
    const onOutcome = (out: EvaluateOutcome): void => {
      for (const a of out.alerts) {
        tally[a.kind]++;
        count(a.alertId, a.published);
        for (const p of a.published) raisedBy.set(p.messageId, a.sqsMessageId);
      }
      countSummaries(out.summaries);
    };
    const handler = await createEvaluateAlertsHandler(
      {
        AWS_REGION: 'us-east-1',
        [ENV.awsEndpoint]: d.endpoint,
        [ENV.dynamodbEndpoint]: proxy ? proxy.endpoint : dynamodbEndpoint,
        [ENV.secretsManagerEndpoint]: secrets.endpoint,
        [ENV.alertRulesFile]: jsonRules,
        [ENV.throttleTableName]: tableName,
        [ENV.alertTopicArns]: JSON.stringify(topics),
        [ENV.deadLetterQueueUrl]: queue.dlqUrl,
        [ENV.alertIdKeySecretArn]: idKeySecretArn,
        AWS_LAMBDA_FUNCTION_NAME: 'evaluate-alerts',
      },
      {
        onOutcome,
        onSweep: (out) => {
          lastSweep = out;
          countSummaries(out.summaries);
        },
      },
    );
    // the stack's EventBridge schedule: one sweep at a time, through the same handler
    let lastSweep: SweepOutcome | null = null;
    let sweeping: Promise<SweepOutcome | null> | null = null;
    const sweep = (): Promise<SweepOutcome | null> => {
      sweeping ??= (async () => {
        lastSweep = null;
        await handler(scheduledEvent() as never, lambdaContext('evaluate-alerts', 30_000));
        return lastSweep;
      })().finally(() => {
        sweeping = null;
      });
      return sweeping;
    };
    const sweepTimer = setInterval(() => {
      sweep().catch((e: unknown) => d.log?.(`alerts sweep failed: ${errorMessage(e)}`));
    }, o.sweepEveryMs ?? 60_000);
    sweepTimer.unref();
    stops.push(async () => {
      clearInterval(sweepTimer);
      await sweeping?.catch(() => undefined);
    });
    // the spy's buffer is bounded and shared with all SQS traffic: copy alert publishes out of it often
    const byTopic = new Map(CHANNELS.map((ch) => [topics[ch], ch] as const));
    const collected = new Map<string, ReceivedAlert>();
    const collect = (): void => {
      for (const m of d.spy.getAllMessages()) {
        if (m.service !== 'sns' || collected.has(m.messageId)) continue;
        const channel = byTopic.get(m.topicArn);
        if (!channel) continue;
        let document: Record<string, string>;
        try {
          document = JSON.parse(m.body) as Record<string, string>;
        } catch {
          document = { default: m.body };
        }
        collected.set(m.messageId, {
          channel,
          topicArn: m.topicArn,
          messageId: m.messageId,
          document,
          headline: headline(channel, document),
          atMs: m.timestamp,
        });
      }
    };
    const timer = setInterval(collect, 50);
    timer.unref();
    return {
      queue,
      topics,
      tableName,
      dynamodbEndpoint,
      dynamodbProxy: proxy,
      rulesFile,
      ruleCount: rules.rules.length,
      handler: handler as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
      sweep,
      secrets,
      idKeySecretArn,
      tally,
      raisedBy,
      dynamodb,
      sns: handler.sns,
      received: () => {
        collect();
        return [...collected.values()];
      },
      stop: async () => {
        clearInterval(timer);
        collect();
        dynamodb.destroy();
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

interface AlertsSummary {
  readonly ok: boolean;
  readonly rulesFile: string;
  readonly rules: number;
  readonly tally: AlertTally;
  /** messages per channel as the topics received them (fauxqs spy) */
  readonly channels: Record<Channel, string[]>;
  readonly output: string;
}

/**
 * What each channel topic received, for the `npm start` summary; writes every message (the exact
 * MessageStructure=json document) to `alerts.ndjson` in the output folder. Not ok when any alert
 * was published twice on a channel.
 */
function summarizeAlerts(a: LocalAlerts, dir: string): { summary: AlertsSummary; lines: string[] } {
  const received = a.received();
  const output = join(dir, 'alerts.ndjson');
  writeFileSync(
    output,
    received.map((r) => JSON.stringify({ channel: r.channel, topicArn: r.topicArn, message: r.document })).join('\n') +
      (received.length ? '\n' : ''),
  );
  const channels = Object.fromEntries(
    CHANNELS.map((ch) => [ch, received.filter((r) => r.channel === ch).map((r) => r.headline)]),
  ) as Record<Channel, string[]>;
  const t = a.tally;
  const summary: AlertsSummary = {
    ok: t.republished === 0,
    rulesFile: a.rulesFile,
    rules: a.ruleCount,
    tally: { ...t },
    channels,
    output,
  };
  const lines = [
    `  alerts (${a.ruleCount} rule${a.ruleCount === 1 ? '' : 's'} from ${a.rulesFile}): sent ${t.sent}, suppressed ${t.suppressed}, held by rate caps ${t.held}, summaries ${t.summaries}, duplicates skipped ${t.duplicate}, retried ${t.retry}, published twice ${t.republished}`,
    `      → ${output}`,
  ];
  const what = { sms: 'SMS text', email: 'email subject', chat: 'chat title', ticket: 'ticket summary' } as const;
  for (const ch of CHANNELS) {
    const list = channels[ch];
    lines.push(`    ${ch} topic received ${list.length} (${what[ch]}):`);
    for (const h of list.slice(0, 12)) lines.push(`      ${h}`);
    if (list.length > 12) lines.push(`      … and ${list.length - 12} more (see ${output})`);
  }
  return { summary, lines };
}

export type { AlertsSummary, AlertTally, LocalAlerts, LocalAlertsOptions, ReceivedAlert };
export { createAlertTable, DEFAULT_RULES_FILE, startLocalAlerts, summarizeAlerts };
