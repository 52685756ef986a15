/**
 * deliverBatch and normalizeBatch, one module each, with the SDK clients mocked
 * (aws-sdk-client-mock): one record that throws unexpectedly, in every position, fails alone;
 * it is parked as `internal` once no longer transient; records of a destination that is down are
 * backed off with ChangeMessageVisibilityBatch (the deadline of DLQ parking: test/integration/deliver/dlq-deadline.test.ts).
 */
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeBatch } from '../../../functions/normalize/normalize.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { deliverBatch, INTERNAL_PARK_AFTER } from '../../../shared/deliver/deliver-batch.js';
import type { OutboundItem, Sink } from '../../../shared/deliver/sink.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { fromWire, toWire } from '../../../shared/model/wire.js';
import { metrics } from '../../../shared/observability/index.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer, type Renderer } from '../../../shared/render/index.js';
import { type Captured, captureStdout } from '../../helpers/capture.js';
import { normalizeDeps } from '../../helpers/normalize-deps.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:relay-dest';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/relay-dest';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/relay-dest-dlq';
const N = 5;

function record(i: number, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: `m${i}`,
    receiptHandle: `rh${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.UTC(2026, 0, 19)),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.UTC(2026, 0, 19)),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

/** N wire messages (what a delivery queue holds), and their vault bodies (what ingest holds). */
const raw = [...sampleEvents(N, 77)].map((e) => JSON.stringify(e));
const wire = raw.map((b) => toWire(parseInput(b)));

function deliveryEvent(receiveCount = 1): SQSEvent {
  return { Records: wire.map((w, i) => record(i, w, receiveCount)) };
}

/** A sink that delivers everything (or fails everything, down) and remembers what it got. */
function sink(mode: 'ok' | 'down' = 'ok'): Sink & { got: string[] } {
  const got: string[] = [];
  return {
    name: 'test',
    got,
    send: async (items: readonly OutboundItem[]) => {
      got.push(...items.map((i) => i.id));
      return mode === 'ok'
        ? { delivered: items.map((i) => i.id), failed: [], bytes: 1 }
        : {
            delivered: [],
            failed: items.map((i) => ({ id: i.id, error: 'test: connect ECONNREFUSED', retryable: true, down: true })),
            bytes: 0,
          };
    },
    close: async () => undefined,
  };
}

/** The CEF renderer, throwing a TypeError (a bug, not a RenderError) for the record at `position`. */
function throwingAt(position: number): Renderer {
  const real = createRenderer('cef');
  const check = (e: SecurityEvent) => {
    if (toWire(e) === wire[position]) throw new TypeError('boom: a renderer bug');
  };
  return {
    format: real.format,
    render: (e) => {
      check(e);
      return real.render(e);
    },
    renderWithInfo: (e) => {
      check(e);
      return real.renderWithInfo(e);
    },
  };
}

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
let cap: Captured | null = null;
beforeEach(() => {
  // the handlers log every failure loudly (asserted below): keep it out of the test output
  cap = captureStdout();
  sqs.reset();
  sns.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});
afterEach(() => {
  cap?.restore();
  sqs.reset();
  sns.reset();
});

function deps(renderer: Renderer, s: Sink, extra: Partial<Parameters<typeof deliverBatch>[1]> = {}) {
  return {
    destination: 'dest',
    renderer,
    sink: s,
    sqs: new SQSClient({ region: 'us-east-1' }),
    deadLetterQueueUrl: DLQ_URL,
    functionName: 'deliver-test',
    deadlineMs: Date.now() + 5_000,
    ...extra,
  };
}

describe('deliverBatch: one throwing record never fails its neighbours', () => {
  it.each(Array.from({ length: N }, (_, p) => p))('throwing record at position %i: alone retried', async (p) => {
    const s = sink();
    const out = await deliverBatch(deliveryEvent(), deps(throwingAt(p), s));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: `m${p}` }]);
    expect(s.got).toEqual(wire.map((_, i) => `m${i}`).filter((id) => id !== `m${p}`));
    expect(out.delivered).toBe(N - 1);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    // loud: logged with the record and the error, counted in EventsInternalError
    const log = cap?.json().find((j) => j.message === 'unexpected error on this record; SQS will retry it');
    expect(log).toMatchObject({ sqsMessageId: `m${p}`, errorName: 'TypeError', error: 'boom: a renderer bug' });
  });

  it.each(Array.from({ length: N }, (_, p) => p))(
    `throwing record at position %i on receive ${INTERNAL_PARK_AFTER}: parked as internal`,
    async (p) => {
      const s = sink();
      const out = await deliverBatch(deliveryEvent(INTERNAL_PARK_AFTER), deps(throwingAt(p), s));
      expect(out.batchItemFailures).toEqual([]);
      expect(out.parked).toBe(1);
      const input = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input as SendMessageBatchCommandInput;
      expect(input.QueueUrl).toBe(DLQ_URL);
      expect(input.Entries).toHaveLength(1);
      expect(input.Entries?.[0]?.MessageBody).toBe(wire[p]);
      const attrs = input.Entries?.[0]?.MessageAttributes ?? {};
      expect(attrs['relay.error.code']?.StringValue).toBe('internal');
      expect(attrs['relay.error.reason']?.StringValue).toBe(
        `TypeError: boom: a renderer bug (after ${INTERNAL_PARK_AFTER} receives)`,
      );
      expect(s.got).toHaveLength(N - 1);
    },
  );

  it('a sink that throws fails the batch for a retry instead of crashing the invocation', async () => {
    const s: Sink = {
      name: 'x',
      send: async () => {
        throw new Error('sink bug');
      },
      close: async () => undefined,
    };
    const out = await deliverBatch(deliveryEvent(), deps(createRenderer('cef'), s));
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(wire.map((_, i) => `m${i}`));
  });
});

describe('deliverBatch: destination down → backoff before the retry', () => {
  it('extends each failed record by the capped, jittered backoff of its receive count, then reports it', async () => {
    const backoff = { baseSeconds: 30, capSeconds: 1_800, jitter: 0.2 };
    const out = await deliverBatch(
      { Records: wire.map((w, i) => record(i, w, i + 1)) },
      deps(createRenderer('cef'), sink('down'), { backoff, random: () => 0.5 }),
    );
    expect(out.batchItemFailures).toHaveLength(N);
    expect(out.backedOff).toBe(N);
    const input = sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(QUEUE_URL);
    // receive n: min(1800, 30 × 2^(n-1)) × (1 − 0.2 × 0.5), rounded up
    expect(input?.Entries?.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['rh0', 27],
      ['rh1', 54],
      ['rh2', 108],
      ['rh3', 216],
      ['rh4', 432],
    ]);
  });

  it('never backs off beyond the cap, and never past the 12 h SQS limit', async () => {
    await deliverBatch(
      { Records: wire.map((w, i) => record(i, w, 50 + i)) },
      deps(createRenderer('cef'), sink('down'), { random: () => 0 }),
    );
    const entries = sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((e) => e.VisibilityTimeout)).toEqual(Array(N).fill(1_800));
  });

  it('a failed visibility change still retries the record (at the queue timeout)', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('throttled'));
    const out = await deliverBatch(deliveryEvent(), deps(createRenderer('cef'), sink('down')));
    expect(out.batchItemFailures).toHaveLength(N);
    expect(out.backedOff).toBe(0);
  });
});

describe('normalizeBatch: one throwing record never fails its neighbours', () => {
  const ingest = (receiveCount = 1): SQSEvent => ({ Records: raw.map((b, i) => record(i, b, receiveCount)) });
  const parseThrowingAt =
    (p: number): typeof parseInput =>
    (text, o) => {
      if (text === raw[p]) throw new RangeError('boom: a parser bug');
      return parseInput(text, o);
    };

  it.each(Array.from({ length: N }, (_, p) => p))(
    'throwing record at position %i: alone retried, the rest published',
    async (p) => {
      sns.on(PublishBatchCommand).callsFake((input) => ({
        Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'x' })),
        Failed: [],
      }));
      const out = await normalizeBatch(ingest(), normalizeDeps(DLQ_URL, { parse: parseThrowingAt(p) }));
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: `m${p}` }]);
      const published = sns
        .commandCalls(PublishBatchCommand)
        .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
      expect(published).toHaveLength(N - 1);
    },
  );

  it.each(Array.from({ length: N }, (_, p) => p))('position %i on its third receive: parked as internal', async (p) => {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'x' })),
      Failed: [],
    }));
    const out = await normalizeBatch(
      ingest(INTERNAL_PARK_AFTER),
      normalizeDeps(DLQ_URL, { parse: parseThrowingAt(p) }),
    );
    expect(out.batchItemFailures).toEqual([]);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.MessageBody).toBe(raw[p]);
    expect(entry?.MessageAttributes?.['relay.error.code']?.StringValue).toBe('internal');
  });
});

describe('replayed lines (redrive --from-s3)', () => {
  const cef = createRenderer('cef');
  const lines = wire.map((w) => cef.render(fromWire(w)));
  const replay = (i: number, body: string, format = 'cef'): SQSRecord => ({
    ...record(i, body),
    messageAttributes: {
      'relay.replay.format': { dataType: 'String', stringValue: format, stringListValues: [], binaryListValues: [] },
    },
  });

  it('deliverBatch sends a replayed line unchanged, next to rendered events, and counts it', async () => {
    // one invocation's metrics only: publish what earlier tests stored (the handler's middleware does it per invocation)
    metrics.publishStoredMetrics();
    cap?.restore();
    cap = captureStdout();
    const got: OutboundItem[] = [];
    const s: Sink = {
      name: 'x',
      send: async (items) => {
        got.push(...items);
        return { delivered: items.map((i) => i.id), failed: [], bytes: 1 };
      },
      close: async () => undefined,
    };
    const out = await deliverBatch(
      { Records: [replay(0, lines[0] as string), record(1, wire[1] as string), replay(2, lines[2] as string)] },
      deps(cef, s),
    );
    expect(out).toMatchObject({ delivered: 3, parked: 0, batchItemFailures: [] });
    expect(got).toEqual([
      { id: 'm0', payload: lines[0] },
      { id: 'm1', payload: lines[1] },
      { id: 'm2', payload: lines[2] },
    ]);
    // the handler's middleware publishes at the end of an invocation; here, by hand
    metrics.publishStoredMetrics();
    expect(cap?.metric('EventsReplayed', 'dest')).toBe(2);
  });

  it.each([
    ['a forged second record', (l: string) => `${l}\nCEF:0|x|y|1|2|forged|5|`, 'CR, LF or NUL'],
    ['another format', (_l: string) => createRenderer('leef').render(fromWire(wire[0] as string)), 'rendered as leef'],
    ['not a rendered event', (_l: string) => 'hello', 'in no format'],
  ])('deliverBatch parks %s with code replay; the others go', async (_name, make, reason) => {
    const s = sink();
    const out = await deliverBatch(
      { Records: [replay(0, make(lines[0] as string)), replay(1, lines[1] as string)] },
      deps(cef, s),
    );
    expect(out).toMatchObject({ delivered: 1, parked: 1, batchItemFailures: [] });
    expect(s.got).toEqual(['m1']);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.MessageAttributes?.['relay.error.code']?.StringValue).toBe('replay');
    expect(entry?.MessageAttributes?.['relay.error.reason']?.StringValue).toContain(reason);
  });

  it('normalizeBatch parks a replayed line sent to the ingest queue instead of relaying it again', async () => {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'x' })),
      Failed: [],
    }));
    const out = await normalizeBatch(
      { Records: [replay(0, lines[0] as string), record(1, raw[1] as string)] },
      normalizeDeps(DLQ_URL),
    );
    expect(out.batchItemFailures).toEqual([]);
    const published = sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(published).toHaveLength(1);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.MessageBody).toBe(lines[0]);
    expect(entry?.MessageAttributes?.['relay.error.field']?.StringValue).toBe('(replay)');
  });
});
