/**
 * The alerts subscription's filter policy on real SNS → SQS delivery (fauxqs applies filter
 * policies, `$or` included): normalize's own publisher sends events with its attributes; every
 * event a default rule matches reaches the alerts queue, events no rule can match do not.
 */
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFilterPolicy, readRulesDocument } from '../../../infra/config/alert-filter.js';
import { ruleMatches } from '../../../shared/alerts/match.js';
import { loadRulesFile } from '../../../shared/alerts/rules-file.js';
import { publishEvents } from '../../../shared/deliver/events-publisher.js';
import { CATALOG_EVENTS } from '../../../shared/model/catalog-docs.js';
import { toWire } from '../../../shared/model/wire.js';
import { event } from '../../unit/alerts/fixtures.js';

const RULES_FILE = fileURLToPath(new URL('../../../alerts/default-rules.yaml', import.meta.url));
const rules = loadRulesFile(RULES_FILE);
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('alerts subscription filter policy (fauxqs)', () => {
  let server: FauxqsServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  beforeAll(async () => {
    server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
    const common = {
      region: 'us-east-1',
      credentials: creds,
      endpoint: `http://127.0.0.1:${server.port}`,
      maxAttempts: 1,
    };
    sns = new SNSClient(common);
    sqs = new SQSClient(common);
  });
  afterAll(async () => {
    sns.destroy();
    sqs.destroy();
    await server.stop();
  });

  it('delivers the events a rule matches and holds back the ones no rule can match', async () => {
    const f = alertFilterPolicy(readRulesDocument(RULES_FILE));
    if (f.policy === undefined) throw new Error(f.reason);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'events' }))).TopicArn as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts' }))).QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(f.policy) },
      }),
    );

    // every catalog event id (and one unknown id) at a low and a high severity
    const ids = [...CATALOG_EVENTS.map((c) => c.id), '99999'];
    const events = ids.flatMap((id) => [1, 9].map((severity) => event({ id, severity, host: `h-${id}-${severity}` })));
    const expected = new Set(
      events.filter((e) => rules.rules.some((r) => ruleMatches(r, e))).map((e) => String(e.host)),
    );
    const res = await publishEvents(
      sns,
      topicArn,
      events.map((e, i) => ({ id: String(i), event: e, message: toWire(e) })),
    );
    expect(res.failed).toEqual([]);

    const received = new Set<string>();
    // bounded: at most 100 receives; the last one (1 s long poll) finds nothing more
    for (let i = 0; i < 100; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const msgs = out.Messages ?? [];
      if (msgs.length === 0) break;
      for (const m of msgs) received.add((JSON.parse(m.Body ?? '{}') as { e: { host: string } }).e.host);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: msgs.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    expect(expected.size).toBeGreaterThan(0);
    // nothing a rule matches is filtered out
    for (const h of expected) expect(received).toContain(h);
    // and events no rule can match stay out (the filter is a superset only by notification type)
    const heldBack = events.filter((e) => !received.has(String(e.host)));
    expect(heldBack.length).toBeGreaterThan(events.length / 2);
    for (const e of heldBack) expect(expected.has(String(e.host))).toBe(false);
    expect(received.has('h-99999-9')).toBe(false);
    expect(received.has('h-88-1')).toBe(true);
  });
});
