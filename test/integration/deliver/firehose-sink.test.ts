import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FirehoseDouble, startFirehoseDouble } from '../../../local/firehose-double.js';
import { deadlineFrom } from '../../../shared/deliver/deadline.js';
import { createFirehoseSink, type FirehoseSinkOptions } from '../../../shared/deliver/firehose-sink.js';
import type { OutboundItem } from '../../../shared/deliver/sink.js';

const STREAM = 'siem-events';
const encoder = new TextEncoder();

let double: FirehoseDouble;
let client: FirehoseClient;
let outDir: string;

beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'firehose-double-'));
  double = await startFirehoseDouble({ streams: [STREAM], outDir });
  // maxAttempts: 1 so the SDK's own retries never hide the sink's.
  client = new FirehoseClient({
    endpoint: double.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await double.stop();
  await rm(outDir, { recursive: true, force: true });
});

/** Items with distinct, ordered payloads that look like rendered events. */
function items(count: number, pad = 0): OutboundItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `msg-${i}`,
    payload: `CEF:0|Segura|Vault|1.0|100|event ${i}|5|seq=${i}${'x'.repeat(pad)}`,
  }));
}

/** Fast real backoff (ms scale) so the suite stays within a few seconds. */
function sink(extra: Partial<FirehoseSinkOptions> = {}) {
  return createFirehoseSink({
    name: 'firehose:it',
    deliveryStreamName: STREAM,
    client,
    aggregate: false,
    baseDelayMs: 5,
    maxDelayMs: 40,
    deadlineMarginMs: 20,
    ...extra,
  });
}

async function fileLines(): Promise<string[]> {
  const text = await readFile(join(outDir, `${STREAM}.ndjson`), 'utf8');
  return text.split('\n').slice(0, -1);
}

describe('Firehose sink against the protocol double (real @aws-sdk/client-firehose)', () => {
  it('delivers every item exactly once, in order', async () => {
    const input = items(1_200);
    const result = await sink().send(input, { deadlineMs: Date.now() + 5_000 });

    expect(result.failed).toEqual([]);
    expect(result.delivered).toEqual(input.map((i) => i.id));
    expect(double.lines(STREAM)).toEqual(input.map((i) => i.payload));
    expect(await fileLines()).toEqual(input.map((i) => i.payload));
    expect(double.calls).toBe(3); // 500 + 500 + 200
    expect(result.bytes).toBe(input.reduce((n, i) => n + Buffer.byteLength(`${i.payload}\n`), 0));
  });

  it('accepts a fractional deadline (Lambda remaining time / 10 is rarely an integer)', async () => {
    const input = items(20);
    const result = await sink().send(input, { deadlineMs: Date.now() + 5_000.7 });
    expect(result.failed).toEqual([]);
    expect(double.lines(STREAM)).toEqual(input.map((i) => i.payload));
  });

  it('resends only the entries that failed, until all arrive', async () => {
    const input = items(300);
    const chosen = new Set(input.filter((_, i) => i % 7 === 0).map((i) => `${i.payload}\n`));
    // Each chosen entry fails twice: the whole set in the first two rounds.
    double.faults.failEntriesMatching((data) => chosen.has(data), chosen.size * 2);

    const result = await sink().send(input, { deadlineMs: Date.now() + 5_000 });

    expect(result.failed).toEqual([]);
    expect(result.delivered).toEqual(input.map((i) => i.id));
    expect(double.failedEntries).toBe(chosen.size * 2);
    expect(double.entries).toBe(input.length + chosen.size * 2);
    for (const [data, count] of double.receipts(STREAM)) expect(count).toBe(chosen.has(data) ? 3 : 1);
    const lines = await fileLines();
    expect(new Set(lines).size).toBe(lines.length);
    expect([...lines].sort()).toEqual(input.map((i) => i.payload).sort());
  });

  it('survives seeded random entry failures with aggregation on, without duplicates', async () => {
    const input = items(2_000, 100);
    double.faults.failRandomly(0.3, 42);
    const result = await sink({ aggregate: true, maxRecordBytes: 4_096 }).send(input, {
      deadlineMs: Date.now() + 5_000,
    });

    expect(result.failed).toEqual([]);
    expect(double.failedEntries).toBeGreaterThan(0);
    expect(double.entries).toBe(double.records(STREAM).length + double.failedEntries);
    const lines = double.lines(STREAM);
    expect(lines).toHaveLength(input.length);
    expect(new Set(lines)).toEqual(new Set(input.map((i) => i.payload)));
  });

  it('rides out a throttling window and then delivers everything', async () => {
    const input = items(50);
    double.faults.throttleFor(300);
    const started = Date.now();
    const result = await sink().send(input, { deadlineMs: Date.now() + 5_000 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.failed).toEqual([]);
    expect(double.throttledCalls).toBeGreaterThan(3);
    expect(double.lines(STREAM)).toEqual(input.map((i) => i.payload));
  });

  it.each(['ThrottlingException', 'LimitExceededException'] as const)(
    'retries a call answered with %s',
    async (type) => {
      const warnings: Record<string, unknown>[] = [];
      const logger = {
        info: () => undefined,
        warn: (_: string, a?: Record<string, unknown>) => warnings.push(a ?? {}),
        error: () => undefined,
      };
      double.faults.throttleCalls(2, type);
      const result = await sink({ logger }).send(items(10), { deadlineMs: Date.now() + 5_000 });

      expect(result.delivered).toHaveLength(10);
      expect(double.calls).toBe(3);
      expect(warnings.filter((w) => w.errorName === type)).toHaveLength(2);
    },
  );

  it('returns everything failed and retryable when the throttle outlasts the deadline, then redelivers once', async () => {
    const input = items(20);
    double.faults.throttleFor(2_000);
    const started = Date.now();
    const deadlineMs = started + 300;
    const result = await sink().send(input, { deadlineMs });

    // No call starts after deadline - margin; one still running is aborted at the deadline itself. The
    // guarantee the function relies on: send returns before the reserve it keeps after the deadline
    // (shared/deliver/deadline.ts) runs out, however busy the machine.
    const reserveMs = Date.now() + 3_000 - deadlineFrom(3_000);
    expect(Date.now()).toBeLessThan(deadlineMs + reserveMs);
    expect(result.delivered).toEqual([]);
    expect(result.bytes).toBe(0);
    expect(result.failed.map((f) => f.id)).toEqual(input.map((i) => i.id));
    expect(result.failed.every((f) => f.retryable && f.error.includes('ServiceUnavailableException'))).toBe(true);
    expect(double.records(STREAM)).toEqual([]);

    // SQS redelivers the failed messages once the stream recovers: each arrives exactly once.
    double.faults.clear();
    const ids = new Set(result.failed.map((f) => f.id));
    const retry = await sink().send(
      input.filter((i) => ids.has(i.id)),
      { deadlineMs: Date.now() + 5_000 },
    );
    expect(retry.delivered).toHaveLength(20);
    expect(double.lines(STREAM)).toEqual(input.map((i) => i.payload));
  });

  it('fails every item, retryable, with a clear error when the stream does not exist', async () => {
    const result = await sink({ deliveryStreamName: 'no-such-stream', maxBatchRecords: 5 }).send(items(12), {
      deadlineMs: Date.now() + 5_000,
    });

    expect(result.delivered).toEqual([]);
    expect(result.failed).toHaveLength(12);
    expect(result.failed[0]).toEqual({
      id: 'msg-0',
      error:
        'firehose:it: ResourceNotFoundException: Firehose no-such-stream under account 000000000000 not found. (1 attempt)',
      retryable: true,
      // a stream that cannot be called is down until an operator fixes it: backed off, not parked
      down: true,
    });
    expect(result.failed.every((f) => f.retryable && f.error.includes('ResourceNotFoundException'))).toBe(true);
    expect(double.calls).toBe(1); // no pointless retries or further batches
  });

  it('packs 1,000 items into a few records when aggregating for S3', async () => {
    const input = items(1_000, 1_500); // ~1.55 KB per line, ~1.55 MB in all
    const result = await sink({ aggregate: true }).send(input, { deadlineMs: Date.now() + 5_000 });

    const records = double.records(STREAM);
    expect(result.delivered).toHaveLength(1_000);
    expect(records).toHaveLength(2);
    expect(double.calls).toBe(1);
    for (const record of records) {
      expect(Buffer.byteLength(record)).toBeLessThanOrEqual(1_024_000);
      expect(record.endsWith('\n')).toBe(true);
    }
    expect(double.lines(STREAM)).toEqual(input.map((i) => i.payload));
  });

  it('sends one record per item when aggregation is off', async () => {
    const input = items(1_000);
    const result = await sink({ aggregate: false }).send(input, { deadlineMs: Date.now() + 5_000 });

    expect(result.delivered).toHaveLength(1_000);
    expect(double.records(STREAM)).toEqual(input.map((i) => `${i.payload}\n`));
    expect(double.calls).toBe(2);
  });
});

describe('Firehose protocol double as seen by the real SDK', () => {
  const batch = (n: number, size = 8) =>
    new PutRecordBatchCommand({
      DeliveryStreamName: STREAM,
      Records: Array.from({ length: n }, () => ({ Data: new Uint8Array(size).fill(0x61) })),
    });

  it('answers PutRecordBatch with per-entry results', async () => {
    double.faults.failNextEntries(1, 'InternalFailure');
    const out = await client.send(batch(2));
    expect(out.FailedPutCount).toBe(1);
    expect(out.Encrypted).toBe(false);
    expect(out.RequestResponses?.[0]).toEqual({
      ErrorCode: 'InternalFailure',
      ErrorMessage: 'Internal Service Failure',
    });
    expect(out.RequestResponses?.[1]?.RecordId).toMatch(/^[0-9a-f]+$/);
  });

  it.each([
    ['ServiceUnavailableException', 503],
    ['ThrottlingException', 400],
    ['LimitExceededException', 400],
  ] as const)('surfaces a %s throttle as an SDK error with that name', async (type, status) => {
    double.faults.throttleCalls(1, type);
    await expect(client.send(batch(1))).rejects.toMatchObject({ name: type, $metadata: { httpStatusCode: status } });
  });

  it('rejects requests beyond the service limits with InvalidArgumentException', async () => {
    await expect(client.send(batch(501))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(client.send(batch(1, 1_024_001))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(client.send(batch(5, 1_000_000))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    expect(double.entries).toBe(0);
  });

  it('supports PutRecord and DescribeDeliveryStream, and refuses unknown streams', async () => {
    const put = await client.send(
      new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: encoder.encode('one\n') } }),
    );
    expect(put.RecordId).toBeDefined();
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: STREAM }));
    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    await expect(client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'other' }))).rejects.toMatchObject(
      { name: 'ResourceNotFoundException' },
    );
    expect(double.lines(STREAM)).toEqual(['one']);
  });

  it('answers unknown operations with UnknownOperationException', async () => {
    const response = await fetch(double.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Firehose_20150804.DeleteEverything' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
