import { Logger } from '@aws-lambda-powertools/logger';
import type {
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordBatchCommandOutput,
  PutRecordBatchResponseEntry,
} from '@aws-sdk/client-firehose';
import { describe, expect, it } from 'vitest';
import {
  CallOutcome,
  classifyCallError,
  createFirehoseSink,
  FIREHOSE_LIMITS,
  type FirehoseSinkOptions,
  packRecords,
  planBatches,
} from '../../../shared/deliver/firehose-sink.js';
import type { DeliveryLogger, OutboundItem } from '../../../shared/deliver/sink.js';
import { ConfigError } from '../../../shared/errors.js';

const decoder = new TextDecoder();
const START = 1_700_000_000_000;

/** `count` items `m0..`, each payload `size` characters (ASCII), so each line is `size + 1` bytes. */
function items(count: number, size = 9, prefix = 'm'): OutboundItem[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}${i}`;
    return { id, payload: id.padEnd(size, '.') };
  });
}

interface SentCall {
  readonly stream: string;
  readonly records: string[];
}

/**
 * An answer per call: entries (missing ones are filled with successes), `{ raw }` (used as-is), or
 * an Error to throw.
 */
type Responder = (
  call: SentCall,
  callIndex: number,
) => PutRecordBatchResponseEntry[] | { raw: PutRecordBatchResponseEntry[] } | Error;

/** A stub FirehoseClient: records what was sent and answers with `respond` (default: all accepted). */
function stubClient(respond: Responder = () => []) {
  const calls: SentCall[] = [];
  const client = {
    send: async (command: PutRecordBatchCommand): Promise<PutRecordBatchCommandOutput> => {
      const call: SentCall = {
        stream: command.input.DeliveryStreamName ?? '',
        records: (command.input.Records ?? []).map((r) => decoder.decode(r.Data)),
      };
      calls.push(call);
      const answer = respond(call, calls.length - 1);
      if (answer instanceof Error) throw answer;
      const entries = Array.isArray(answer)
        ? call.records.map((_, i) => answer[i] ?? { RecordId: `r${calls.length}-${i}` })
        : answer.raw;
      return {
        $metadata: { httpStatusCode: 200 },
        FailedPutCount: entries.filter((e) => e.ErrorCode !== undefined).length,
        Encrypted: false,
        RequestResponses: entries,
      };
    },
  };
  return { client: client as unknown as FirehoseClient, calls };
}

/** Virtual time: `sleep` advances the clock, so deadlines are exact and tests take no real time. */
function virtualTime() {
  let clock = START;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    sleeps,
    elapsed: () => clock - START,
  };
}

function sdkError(name: string, status: number | undefined, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  Object.assign(error, status === undefined ? {} : { $metadata: { httpStatusCode: status } }, extra);
  return error;
}

function sink(client: FirehoseClient, time: ReturnType<typeof virtualTime>, extra: Partial<FirehoseSinkOptions> = {}) {
  return createFirehoseSink({
    name: 'firehose:test',
    deliveryStreamName: 'stream-a',
    client,
    aggregate: false,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    random: () => 0.5,
    sleep: time.sleep,
    now: time.now,
    ...extra,
  });
}

const failEntry = (code = 'ServiceUnavailableException'): PutRecordBatchResponseEntry => ({
  ErrorCode: code,
  ErrorMessage: 'Slow down.',
});

describe('packRecords', () => {
  it('sends one newline-terminated line per record when aggregation is off', () => {
    const { records, oversize } = packRecords(items(3), false, 1_000);
    expect(records.map((r) => decoder.decode(r.data))).toEqual(['m0.......\n', 'm1.......\n', 'm2.......\n']);
    expect(records.map((r) => r.itemIndexes)).toEqual([[0], [1], [2]]);
    expect(oversize.size).toBe(0);
  });

  it('packs consecutive lines up to exactly the record limit when aggregation is on', () => {
    // 10-byte lines, 30-byte records: 3 lines fill a record exactly, the 4th starts a new one.
    const { records } = packRecords(items(7), true, 30);
    expect(records.map((r) => r.itemIndexes)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(records.map((r) => r.data.length)).toEqual([30, 30, 10]);
    expect(decoder.decode(records[0]?.data)).toBe('m0.......\nm1.......\nm2.......\n');
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 'é' is 2 bytes: 'éééé' + '\n' is 9 bytes, so two lines do not fit in 17 bytes.
    const { records } = packRecords(
      [
        { id: 'a', payload: 'éééé' },
        { id: 'b', payload: 'éééé' },
      ],
      true,
      17,
    );
    expect(records.map((r) => r.itemIndexes)).toEqual([[0], [1]]);
    expect(records[0]?.data.length).toBe(9);
  });

  it('refuses an item whose line exceeds the record limit and keeps packing the others', () => {
    const input: OutboundItem[] = [
      { id: 'small-1', payload: 'a'.repeat(9) },
      { id: 'huge', payload: 'b'.repeat(30) },
      { id: 'exact', payload: 'c'.repeat(19) },
      { id: 'small-2', payload: 'd'.repeat(9) },
    ];
    const { records, oversize } = packRecords(input, true, 20);
    expect([...oversize.entries()]).toEqual([
      [1, { id: 'huge', error: 'item of 31 bytes exceeds the Firehose record limit of 20 bytes', retryable: false }],
    ]);
    // A line of exactly the limit is fine; it cannot share its record.
    expect(records.map((r) => r.itemIndexes)).toEqual([[0], [2], [3]]);
  });

  it('enforces the real 1,000 KiB record limit by default', async () => {
    const { client, calls } = stubClient();
    const time = virtualTime();
    const result = await sink(client, time, { aggregate: true }).send(
      [
        { id: 'fits', payload: 'x'.repeat(FIREHOSE_LIMITS.maxRecordBytes - 1) },
        { id: 'too-big', payload: 'y'.repeat(FIREHOSE_LIMITS.maxRecordBytes) },
      ],
      { deadlineMs: START + 10_000 },
    );
    expect(result.delivered).toEqual(['fits']);
    expect(result.failed).toEqual([
      {
        id: 'too-big',
        error: 'firehose:test: item of 1024001 bytes exceeds the Firehose record limit of 1024000 bytes',
        retryable: false,
      },
    ]);
    expect(result.bytes).toBe(1_024_000);
    expect(calls.map((c) => c.records.length)).toEqual([1]);
  });
});

describe('planBatches', () => {
  const record = (size: number) => ({ data: new Uint8Array(size) });

  it('splits on the record count and keeps order', () => {
    const recs = Array.from({ length: 7 }, () => record(1));
    expect(planBatches(recs, 3, 1_000).map((b) => b.length)).toEqual([3, 3, 1]);
    expect(planBatches(recs, 3, 1_000).flat()).toEqual(recs);
  });

  it('splits on the byte size, counting data bytes', () => {
    const sizes = [10, 10, 5, 10, 25, 1];
    const batches = planBatches(sizes.map(record), 500, 25);
    expect(batches.map((b) => b.map((r) => r.data.length))).toEqual([[10, 10, 5], [10], [25], [1]]);
  });

  it('uses the real 500-record limit by default', async () => {
    const { client, calls } = stubClient();
    const result = await sink(client, virtualTime()).send(items(1_201), { deadlineMs: START + 10_000 });
    expect(calls.map((c) => c.records.length)).toEqual([500, 500, 201]);
    expect(result.delivered).toHaveLength(1_201);
  });

  it('uses the real 4 MiB call limit by default', async () => {
    // 1,000,001-byte lines: one per record (two exceed 1,024,000), four per call (five exceed 4,194,304).
    const { client, calls } = stubClient();
    const result = await sink(client, virtualTime(), { aggregate: true }).send(items(10, 1_000_000), {
      deadlineMs: START + 10_000,
    });
    expect(calls.map((c) => c.records.length)).toEqual([4, 4, 2]);
    expect(result.bytes).toBe(10 * 1_000_001);
    expect(result.delivered).toHaveLength(10);
  });
});

describe('createFirehoseSink retries', () => {
  it('resends only the failed record and maps it back to every item id it carries', async () => {
    // 10-byte lines, 20-byte records: records [m0,m1] [m2,m3] [m4,m5]; 2 records per call.
    const { client, calls } = stubClient((_, callIndex) => (callIndex === 0 ? [{ RecordId: 'ok' }, failEntry()] : []));
    const time = virtualTime();
    const result = await sink(client, time, { aggregate: true, maxRecordBytes: 20, maxBatchRecords: 2 }).send(
      items(6),
      { deadlineMs: START + 10_000 },
    );
    expect(calls.map((c) => c.records)).toEqual([
      ['m0.......\nm1.......\n', 'm2.......\nm3.......\n'],
      ['m4.......\nm5.......\n'],
      ['m2.......\nm3.......\n'],
    ]);
    expect(result).toEqual({ delivered: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], failed: [], bytes: 60 });
    expect(time.sleeps).toEqual([50]);
  });

  it('keeps retrying failed entries until the deadline, never sleeping past it', async () => {
    const { client, calls } = stubClient((call) => call.records.map((r) => (r.startsWith('m1') ? failEntry() : {})));
    const time = virtualTime();
    const deadlineMs = START + 20_000;
    const result = await sink(client, time, { deadlineMarginMs: 100 }).send(items(3), { deadlineMs });

    expect(result.delivered).toEqual(['m0', 'm2']);
    expect(result.bytes).toBe(20);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ id: 'm1', retryable: true });
    expect(result.failed[0]?.error).toMatch(
      /^firehose:test: ServiceUnavailableException: Slow down\. \(\d+ attempts\)$/,
    );
    // Full jitter with random() = 0.5: half of min(5000, 100 * 2^n).
    expect(time.sleeps.slice(0, 8)).toEqual([50, 100, 200, 400, 800, 1_600, 2_500, 2_500]);
    expect(time.now()).toBeLessThanOrEqual(deadlineMs - 100);
    // Far more than the 3 tries peers stop at: only the deadline ends the loop.
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.slice(1).every((c) => c.records.length === 1 && c.records[0]?.startsWith('m1'))).toBe(true);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { client } = stubClient((call) => call.records.map(() => failEntry('InternalFailure')));
    const time = virtualTime();
    await sink(client, time, { random: () => 0.999, baseDelayMs: 10, maxDelayMs: 300 }).send(items(1), {
      deadlineMs: START + 3_000,
    });
    expect(time.sleeps.slice(0, 6)).toEqual([9, 19, 39, 79, 159, 299]);
    expect(Math.max(...time.sleeps)).toBe(299);
  });

  it('retries a throttled call as a whole and pauses the rest of the round', async () => {
    const throttle = sdkError('ThrottlingException', 400);
    const { client, calls } = stubClient((_, callIndex) => (callIndex < 2 ? throttle : []));
    const time = virtualTime();
    const result = await sink(client, time, { maxBatchRecords: 2 }).send(items(4), { deadlineMs: START + 10_000 });
    // Round 1: call 1 throttled, call 2 not attempted. Round 2: throttled again. Round 3: both calls.
    expect(calls.map((c) => c.records.length)).toEqual([2, 2, 2, 2]);
    expect(time.sleeps).toEqual([50, 100]);
    expect(result.delivered).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it.each([
    ['ServiceUnavailableException', 503, {}],
    ['LimitExceededException', 400, {}],
    ['InternalFailure', 500, {}],
    ['Error', undefined, { code: 'ECONNRESET' }],
    ['TimeoutError', undefined, {}],
  ])('retries the whole call after %s (HTTP %s, %o)', async (name, status, extra) => {
    const { client, calls } = stubClient((_, callIndex) => (callIndex === 0 ? sdkError(name, status, extra) : []));
    const result = await sink(client, virtualTime()).send(items(2), { deadlineMs: START + 10_000 });
    expect(calls).toHaveLength(2);
    expect(result.delivered).toEqual(['m0', 'm1']);
  });

  it('fails a batch refused with InvalidArgumentException as not retryable and sends the other batches', async () => {
    const { client, calls } = stubClient((_, callIndex) =>
      callIndex === 0 ? sdkError('InvalidArgumentException', 400) : [],
    );
    const result = await sink(client, virtualTime(), { maxBatchRecords: 2 }).send(items(4), {
      deadlineMs: START + 10_000,
    });
    expect(calls).toHaveLength(2);
    expect(result.delivered).toEqual(['m2', 'm3']);
    expect(result.failed).toEqual([
      {
        id: 'm0',
        error: 'firehose:test: InvalidArgumentException: InvalidArgumentException happened (1 attempt)',
        retryable: false,
      },
      {
        id: 'm1',
        error: 'firehose:test: InvalidArgumentException: InvalidArgumentException happened (1 attempt)',
        retryable: false,
      },
    ]);
  });

  it.each([
    ['ResourceNotFoundException', 400],
    ['AccessDeniedException', 400],
    ['InvalidKMSResourceException', 400],
    ['TypeError', undefined],
  ])('stops at once after %s and fails everything left as retryable', async (name, status) => {
    const { client, calls } = stubClient((_, callIndex) =>
      callIndex === 0 ? [{}, failEntry()] : sdkError(name, status),
    );
    const result = await sink(client, virtualTime(), { maxBatchRecords: 2 }).send(items(6), {
      deadlineMs: START + 10_000,
    });
    // Call 1 delivers m0, m1 fails per entry; call 2 hits the error; call 3 is never made.
    expect(calls).toHaveLength(2);
    expect(result.delivered).toEqual(['m0']);
    expect(result.failed.map((f) => f.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(result.failed.every((f) => f.retryable && f.error.includes(`${name}: ${name} happened`))).toBe(true);
  });

  it('treats a missing response entry as a failure of that record', async () => {
    const { client, calls } = stubClient((_, callIndex) =>
      callIndex === 0 ? { raw: [{ RecordId: 'only-one' }] } : [],
    );
    const result = await sink(client, virtualTime()).send(items(2), { deadlineMs: START + 10_000 });
    expect(calls.map((c) => c.records)).toEqual([['m0.......\n', 'm1.......\n'], ['m1.......\n']]);
    expect(result.delivered).toEqual(['m0', 'm1']);
  });

  it('aborts a call still running at the deadline and keeps the earlier cause', async () => {
    const time = virtualTime();
    const deadlineMs = START + 130;
    let call = 0;
    let aborted = false;
    const hanging = {
      send: async (command: PutRecordBatchCommand, options?: { abortSignal?: AbortSignal }) => {
        call++;
        if (call === 1) {
          const entries = (command.input.Records ?? []).map(() => failEntry());
          return { $metadata: {}, FailedPutCount: entries.length, RequestResponses: entries };
        }
        // Second call never answers: wait for the sink's abort (real time), then let virtual time catch up.
        await new Promise((resolve) => options?.abortSignal?.addEventListener('abort', resolve));
        aborted = options?.abortSignal?.aborted === true;
        await time.sleep(deadlineMs - time.now());
        throw sdkError('AbortError', undefined);
      },
    } as unknown as FirehoseClient;
    const result = await sink(hanging, time, { baseDelayMs: 10 }).send(items(1), { deadlineMs });
    expect(call).toBe(2);
    // the sink ended the hanging call with its abort signal (a call that never answers cannot return otherwise)
    expect(aborted).toBe(true);
    expect(result.failed).toEqual([
      {
        id: 'm0',
        error: 'firehose:test: ServiceUnavailableException: Slow down.; last call aborted at the deadline (2 attempts)',
        retryable: true,
        // nothing got through in the whole send: the stream counts as down (the handler backs off)
        down: true,
      },
    ]);
  });

  it('makes no call when the deadline has already passed', async () => {
    const { client, calls } = stubClient();
    const result = await sink(client, virtualTime()).send(items(2), { deadlineMs: START + 50 });
    expect(calls).toHaveLength(0);
    expect(result.failed).toEqual([
      { id: 'm0', error: 'firehose:test: not sent before the deadline (0 attempts)', retryable: true },
      { id: 'm1', error: 'firehose:test: not sent before the deadline (0 attempts)', retryable: true },
    ]);
  });

  it('fails everything retryable, without calling Firehose, for a deadline that is not a number', async () => {
    const { client, calls } = stubClient();
    const result = await sink(client, virtualTime()).send(items(1), { deadlineMs: Number.NaN });
    expect(calls).toHaveLength(0);
    expect(result.failed).toEqual([
      {
        id: 'm0',
        error: 'firehose:test: unexpected sink failure: deadlineMs must be a finite epoch-milliseconds time, got NaN',
        retryable: true,
      },
    ]);
  });

  it('returns an empty result without calling Firehose for no items', async () => {
    const { client, calls } = stubClient();
    expect(await sink(client, virtualTime()).send([], { deadlineMs: START + 1_000 })).toEqual({
      delivered: [],
      failed: [],
      bytes: 0,
    });
    expect(calls).toHaveLength(0);
  });
});

describe('createFirehoseSink logging and config', () => {
  it('logs counts and error codes but never payload content', async () => {
    const logs: unknown[] = [];
    const record = (message: string, attributes?: Record<string, unknown>) => logs.push({ message, ...attributes });
    const logger: DeliveryLogger & { debug: typeof record } = {
      debug: record,
      info: record,
      warn: record,
      error: record,
    };
    const secret = 'password=hunter2';
    const { client } = stubClient((call, callIndex) =>
      callIndex === 0
        ? call.records.map(() => failEntry())
        : callIndex === 1
          ? sdkError('ThrottlingException', 400)
          : [],
    );
    await sink(client, virtualTime(), { logger }).send(
      [
        { id: 'a', payload: `user=alice ${secret}` },
        { id: 'b', payload: `user=bob ${secret}` },
      ],
      { deadlineMs: START + 10_000 },
    );
    const text = JSON.stringify(logs);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('ServiceUnavailableException');
    expect(text).toContain('ThrottlingException');
    expect(logs.at(-1)).toMatchObject({ message: 'Firehose delivery complete', delivered: 2, calls: 3, retries: 2 });
  });

  it('accepts a Powertools Logger and console', async () => {
    const { client } = stubClient();
    const logger = new Logger({ serviceName: 'firehose-sink-test', logLevel: 'SILENT' });
    const result = await sink(client, virtualTime(), { logger }).send(items(1), { deadlineMs: START + 1_000 });
    expect(result.delivered).toEqual(['m0']);
    expect(
      createFirehoseSink({ name: 'n', deliveryStreamName: 's', client, aggregate: true, logger: console }).name,
    ).toBe('n');
  });

  it.each([
    ['maxRecordBytes', { maxRecordBytes: 1_024_001 }],
    ['maxBatchRecords', { maxBatchRecords: 501 }],
    ['maxBatchBytes', { maxBatchBytes: 4_194_305 }],
    ['maxBatchRecords', { maxBatchRecords: 0 }],
    ['maxRecordBytes', { maxRecordBytes: 200, maxBatchBytes: 100 }],
    ['baseDelayMs', { baseDelayMs: -1 }],
    ['deliveryStreamName', { deliveryStreamName: ' ' }],
  ])('rejects an unusable %s at INIT: %o', (setting, extra) => {
    const { client } = stubClient();
    expect(() => sink(client, virtualTime(), extra)).toThrow(ConfigError);
    expect(() => sink(client, virtualTime(), extra)).toThrow(new RegExp(`^${setting}: `));
  });
});

describe('classifyCallError', () => {
  it.each([
    [{ name: 'ServiceUnavailableException', status: 503 }, CallOutcome.Retry],
    [{ name: 'ThrottlingException', status: 400 }, CallOutcome.Retry],
    [{ name: 'SomethingNew', status: 502 }, CallOutcome.Retry],
    [{ name: 'SomethingNew', status: 429 }, CallOutcome.Retry],
    [{ name: 'Error', status: undefined, code: 'ECONNREFUSED' }, CallOutcome.Retry],
    [{ name: 'SomethingNew', status: 400, retryableTrait: true }, CallOutcome.Retry],
    [{ name: 'InvalidArgumentException', status: 400 }, CallOutcome.RejectBatch],
    [{ name: 'ResourceNotFoundException', status: 400 }, CallOutcome.FailRemaining],
    [{ name: 'UnrecognizedClientException', status: 400 }, CallOutcome.FailRemaining],
    [{ name: 'CredentialsProviderError', status: undefined }, CallOutcome.FailRemaining],
  ])('%o → %s', (shape, outcome) => {
    expect(classifyCallError({ message: '', code: undefined, retryableTrait: false, ...shape })).toBe(outcome);
  });
});
