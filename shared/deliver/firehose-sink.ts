/**
 * Amazon Data Firehose sink: packs rendered lines into records, sends them with `PutRecordBatch`,
 * retries only what failed, and maps every outcome back to the SQS message ids it came from.
 *
 * Limits (data bytes, before base64), from the PutRecordBatch API reference
 * (https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html) and the
 * quota page (https://docs.aws.amazon.com/firehose/latest/dev/limits.html):
 * - a record holds at most 1,000 KiB (1,024,000 bytes);
 * - a call carries at most 500 records and 4 MiB (4,194,304 bytes).
 *
 * Firehose bills each record rounded up to 5 KB (https://aws.amazon.com/firehose/pricing/), so for
 * S3 destinations (`aggregate: true`) many newline-terminated lines share one record; Firehose
 * concatenates records as-is, so the S3 object is still one event per line. Splunk and HTTP
 * endpoint destinations need one event per record (`aggregate: false`).
 *
 * Payloads are never logged: events may carry sensitive data. Logs carry counts and error codes.
 *
 * @example
 * ```ts
 * const sink = createFirehoseSink({
 *   name: 'firehose:siem-archive',
 *   deliveryStreamName: config.streamName,
 *   client: new FirehoseClient({}),
 *   aggregate: true,
 *   logger,
 * });
 * const result = await sink.send(items, { deadlineMs: Date.now() + context.getRemainingTimeInMillis() - 1_000 });
 * ```
 */
import { type FirehoseClient, PutRecordBatchCommand, type PutRecordBatchResponseEntry } from '@aws-sdk/client-firehose';
import { ConfigError, DeliveryError, toError } from '../errors.js';
import type { DeliveryFailure, DeliveryResult, OutboundItem, Sink } from './sink.js';

/**
 * Hard service limits, in data bytes. Options may lower them (tests do), never raise them.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
const FIREHOSE_LIMITS = {
  /** 1,000 KiB per record, before base64. */
  maxRecordBytes: 1_024_000,
  /** 500 records per PutRecordBatch call. */
  maxBatchRecords: 500,
  /** 4 MiB per PutRecordBatch call. */
  maxBatchBytes: 4_194_304,
} as const;

/**
 * Whole-call errors worth retrying inside the invocation: Firehose's own throttling answers
 * (`ServiceUnavailableException` is HTTP 503, `LimitExceededException` HTTP 400) plus the names the
 * SDK's retry classifier treats as throttling or transient (`@smithy/core` retry constants).
 */
const RETRYABLE_CALL_ERRORS: ReadonlySet<string> = new Set([
  'ServiceUnavailableException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'InternalServiceError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // an abort we did not ask for (ours, at the deadline, is recognised by its signal)
  'AbortError',
]);

/** Node socket error codes the SDK's retry classifier treats as transient network failures. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** How a whole-call error is handled. */
const CallOutcome = {
  /** Back off and resend the call's records while time remains. */
  Retry: 'retry',
  /** The records of this call can never be accepted as sent: fail them, not retryable. */
  RejectBatch: 'reject-batch',
  /** Retrying now cannot help (stream missing, access denied, KMS, credentials...): fail everything left, retryable. */
  FailRemaining: 'fail-remaining',
} as const;
type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome];

/**
 * What the sink calls on its logger. The attributes argument is always passed, so any
 * `DeliveryLogger` (./sink.js), `console` and the Powertools `Logger` fit.
 */
interface FirehoseSinkLogger {
  /** the per-batch detail; the function's one INFO line per batch is deliver-batch.ts's 'batch delivered' */
  debug?(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

interface FirehoseSinkOptions {
  /** Sink name for results, errors and logs, e.g. `firehose:siem-archive`. */
  readonly name: string;
  /** Delivery stream that receives the records. */
  readonly deliveryStreamName: string;
  /** Firehose client, created once at INIT and reused; the sink never destroys it. */
  readonly client: FirehoseClient;
  /**
   * Pack many newline-terminated lines into one record (S3 destinations: fewer billed 5 KB units).
   * `false` sends one line per record (Splunk, HTTP endpoint destinations).
   */
  readonly aggregate: boolean;
  /** Largest record, in data bytes; at most 1,024,000. @default 1_024_000 */
  readonly maxRecordBytes?: number;
  /** Most records per PutRecordBatch call; at most 500. @default 500 */
  readonly maxBatchRecords?: number;
  /** Most data bytes per PutRecordBatch call; at most 4,194,304. @default 4_194_304 */
  readonly maxBatchBytes?: number;
  /**
   * Backoff base: before retry round n (0-based) the sink sleeps `max(1, floor(random() *
   * min(maxDelayMs, baseDelayMs * 2^n)))` ms ("full jitter"), clamped to the time left.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /** Backoff cap. @default 5_000 */
  readonly maxDelayMs?: number;
  /**
   * Time reserved for the last call: no call starts and no sleep ends later than
   * `deadlineMs - deadlineMarginMs`. A call still running at `deadlineMs` is aborted and its
   * records count as failed (retryable).
   * @default 100
   */
  readonly deadlineMarginMs?: number;
  /** Uniform random source in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Sleep used between retry rounds. @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Clock, in epoch milliseconds (the scale of `deadlineMs`). @default Date.now */
  readonly now?: () => number;
  /** Structured logger for counts and error codes (never payloads). @default no logging */
  readonly logger?: FirehoseSinkLogger;
}

/** One Firehose record and the items (by input index) whose lines it carries. */
interface PackedRecord {
  readonly data: Uint8Array;
  readonly itemIndexes: readonly number[];
  /** PutRecordBatch calls that carried this record. */
  attempts: number;
  /** Last error seen for this record, reported if it never gets through. */
  lastError: string;
}

interface PackResult {
  readonly records: PackedRecord[];
  /** Items refused before sending (a line larger than a record), keyed by input index. */
  readonly oversize: ReadonlyMap<number, DeliveryFailure>;
}

/** Progress of one `send`. */
interface SendState {
  readonly accepted: PackedRecord[];
  readonly failed: { record: PackedRecord; retryable: boolean; down?: boolean }[];
  calls: number;
  retries: number;
}

interface RoundResult {
  /** Records to resend after a backoff. */
  readonly retryNext: PackedRecord[];
  /** Set when a call error makes further calls pointless in this invocation. */
  readonly fatal: string | undefined;
}

const encoder = new TextEncoder();
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2_147_483_647;
const NOOP_LOGGER: FirehoseSinkLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkLimit(setting: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigError(setting, `must be an integer between 1 and ${max}, got ${value}`);
  }
  return value;
}

function checkDelay(setting: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(setting, `must be a number >= 0, got ${value}`);
  return value;
}

/** Encode every item as `payload + '\n'`; refuse lines that cannot fit in one record. */
function encodeLines(
  items: readonly OutboundItem[],
  maxRecordBytes: number,
): { lines: (Uint8Array | undefined)[]; oversize: Map<number, DeliveryFailure> } {
  const oversize = new Map<number, DeliveryFailure>();
  const lines = items.map((item, index) => {
    const line = encoder.encode(`${item.payload}\n`);
    if (line.length <= maxRecordBytes) return line;
    oversize.set(index, {
      id: item.id,
      error: `item of ${line.length} bytes exceeds the Firehose record limit of ${maxRecordBytes} bytes`,
      retryable: false,
    });
    return undefined;
  });
  return { lines, oversize };
}

function joinLines(lines: readonly Uint8Array[], size: number): Uint8Array {
  if (lines.length === 1 && lines[0] !== undefined) return lines[0];
  const data = new Uint8Array(size);
  let offset = 0;
  for (const line of lines) {
    data.set(line, offset);
    offset += line.length;
  }
  return data;
}

/**
 * Turn items into Firehose records, keeping input order and the record → item mapping.
 * With `aggregate`, consecutive lines share a record up to `maxRecordBytes`; otherwise one line
 * per record. Exported for unit tests.
 */
function packRecords(items: readonly OutboundItem[], aggregate: boolean, maxRecordBytes: number): PackResult {
  const { lines, oversize } = encodeLines(items, maxRecordBytes);
  const records: PackedRecord[] = [];
  let pending: Uint8Array[] = [];
  let pendingIndexes: number[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    records.push({ data: joinLines(pending, pendingBytes), itemIndexes: pendingIndexes, attempts: 0, lastError: '' });
    pending = [];
    pendingIndexes = [];
    pendingBytes = 0;
  };
  lines.forEach((line, index) => {
    if (line === undefined) return;
    if (!aggregate || pendingBytes + line.length > maxRecordBytes) flush();
    pending.push(line);
    pendingIndexes.push(index);
    pendingBytes += line.length;
  });
  flush();
  return { records, oversize };
}

/** Split records, in order, into PutRecordBatch calls within both call limits. Exported for unit tests. */
function planBatches<T extends { readonly data: Uint8Array }>(
  records: readonly T[],
  maxBatchRecords: number,
  maxBatchBytes: number,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (batch.length > 0 && (batch.length >= maxBatchRecords || bytes + record.data.length > maxBatchBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += record.data.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

interface SdkErrorShape {
  readonly name: string;
  readonly message: string;
  /** HTTP status when the service answered; undefined for socket-level and client-side errors. */
  readonly status: number | undefined;
  /** Node socket error code (`ECONNRESET`...), if any. */
  readonly code: string | undefined;
  /** The SDK's own retryable trait (`$retryable`) was set. */
  readonly retryableTrait: boolean;
}

function describeError(value: unknown): SdkErrorShape {
  const error = toError(value) as Error & {
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    code?: unknown;
  };
  return {
    name: error.name,
    message: error.message,
    status: error.$metadata?.httpStatusCode,
    code: typeof error.code === 'string' ? error.code : undefined,
    retryableTrait: error.$retryable !== undefined,
  };
}

/**
 * Decide what a whole-call error means.
 * - Throttling, 5xx, 429, the SDK's `$retryable` trait and socket errors are transient: retry.
 * - `InvalidArgumentException`: Firehose refused the request as built; resending it cannot help,
 *   so its items fail with `retryable: false` (the packer keeps us within limits, so this should not
 *   happen).
 * - Everything else (`ResourceNotFoundException`, `AccessDeniedException`, KMS errors, bad
 *   credentials...) is a configuration problem an operator fixes. Retrying within this invocation
 *   is pointless, but the items fail `retryable: true` so SQS keeps them (and the DLQ catches them
 *   after maxReceiveCount, ready for redrive) instead of being quarantined as bad data. Unknown
 *   client-side errors without an HTTP status land here too: failing fast costs only an SQS
 *   redelivery, while retrying a bug would burn the whole invocation.
 */
function classifyCallError(error: SdkErrorShape): CallOutcome {
  if (RETRYABLE_CALL_ERRORS.has(error.name) || error.retryableTrait) return CallOutcome.Retry;
  if (error.code !== undefined && NETWORK_ERROR_CODES.has(error.code)) return CallOutcome.Retry;
  if (error.status !== undefined && (error.status >= 500 || error.status === 429)) return CallOutcome.Retry;
  if (error.name === 'InvalidArgumentException') return CallOutcome.RejectBatch;
  return CallOutcome.FailRemaining;
}

function countCodes(codes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

/**
 * Create a Firehose sink. Throws `ConfigError` at INIT for limits above the service's.
 *
 * `send(items, { deadlineMs })` never rejects for delivery problems: every item ends up in
 * `delivered` or `failed` (both in input order). `deadlineMs` is an absolute epoch-milliseconds
 * time (`Date.now()` scale) by which `send` must have returned.
 *
 * @example
 * ```ts
 * const sink = createFirehoseSink({ name: 'firehose:splunk', deliveryStreamName: 'splunk', client, aggregate: false });
 * ```
 */
function createFirehoseSink(options: FirehoseSinkOptions): Sink {
  const { name, deliveryStreamName, client, aggregate } = options;
  if (deliveryStreamName.trim() === '') throw new ConfigError('deliveryStreamName', 'must not be empty');
  const maxRecordBytes = checkLimit('maxRecordBytes', options.maxRecordBytes, FIREHOSE_LIMITS.maxRecordBytes);
  const maxBatchRecords = checkLimit('maxBatchRecords', options.maxBatchRecords, FIREHOSE_LIMITS.maxBatchRecords);
  const maxBatchBytes = checkLimit('maxBatchBytes', options.maxBatchBytes, FIREHOSE_LIMITS.maxBatchBytes);
  if (maxRecordBytes > maxBatchBytes) {
    throw new ConfigError('maxRecordBytes', `must not exceed maxBatchBytes (${maxBatchBytes}), got ${maxRecordBytes}`);
  }
  const baseDelayMs = checkDelay('baseDelayMs', options.baseDelayMs, 100);
  const maxDelayMs = checkDelay('maxDelayMs', options.maxDelayMs, 5_000);
  const deadlineMarginMs = checkDelay('deadlineMarginMs', options.deadlineMarginMs, 100);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? NOOP_LOGGER;
  const logBase = { sink: name, deliveryStream: deliveryStreamName } as const;

  /**
   * Full jitter, floored at 1 ms:
   * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
   */
  function backoff(retry: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry, 30));
    return Math.max(1, Math.floor(random() * ceiling));
  }

  /** One PutRecordBatch call. Throws what the SDK throws. */
  async function putBatch(batch: readonly PackedRecord[], signal: AbortSignal): Promise<PutRecordBatchResponseEntry[]> {
    const command = new PutRecordBatchCommand({
      DeliveryStreamName: deliveryStreamName,
      Records: batch.map((record) => ({ Data: record.data })),
    });
    const response = await client.send(command, { abortSignal: signal });
    return response.RequestResponses ?? [];
  }

  /**
   * Send `pending` once, call by call, in order. Records accepted go to `state.accepted`; records
   * that cannot succeed go to `state.failed`; the rest are returned for the next round.
   */
  async function sendRound(
    pending: readonly PackedRecord[],
    stopAt: number,
    deadlineMs: number,
    state: SendState,
  ): Promise<RoundResult> {
    const retryNext: PackedRecord[] = [];
    const entryCodes: string[] = [];
    let fatal: string | undefined;
    let throttled = false;
    for (const batch of planBatches(pending, maxBatchRecords, maxBatchBytes)) {
      if (fatal !== undefined) {
        for (const record of batch) {
          record.lastError = fatal;
          state.failed.push({ record, retryable: true, down: true });
        }
        continue;
      }
      // After a throttled call, or once the deadline is near, carry the rest to the next round
      // unsent: hammering a throttled stream only makes it worse.
      if (throttled || now() >= stopAt) {
        retryNext.push(...batch);
        continue;
      }
      state.calls++;
      for (const record of batch) record.attempts++;
      // Abort at the deadline so the handler can still report partial success. Firehose may have
      // accepted an aborted call: its items are reported retryable and may arrive twice (at least once).
      // AbortSignal.timeout throws a RangeError for a non-integer delay: deadlines may be fractional
      const signal = AbortSignal.timeout(Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(deadlineMs - now()))));
      try {
        const responses = await putBatch(batch, signal);
        batch.forEach((record, i) => {
          // RequestResponses[i] answers Records[i]; a record is delivered only without ErrorCode.
          const entry = responses[i];
          if (entry !== undefined && entry.ErrorCode === undefined) {
            state.accepted.push(record);
            return;
          }
          const code = entry?.ErrorCode ?? 'MissingResponseEntry';
          record.lastError = `${code}: ${entry?.ErrorMessage ?? 'no result for this record'}`;
          entryCodes.push(code);
          retryNext.push(record);
        });
      } catch (caught) {
        const error = describeError(caught);
        const text = `${error.name}: ${error.message}`;
        if (signal.aborted) {
          // Our own deadline, not the service: keep the cause seen before, if any.
          logger.warn('PutRecordBatch call aborted at the deadline', { ...logBase, records: batch.length });
          for (const record of batch) {
            record.lastError = `${record.lastError || 'no answer'}; last call aborted at the deadline`;
          }
          retryNext.push(...batch);
          continue; // later batches see now() >= stopAt and are carried over unsent
        }
        for (const record of batch) record.lastError = text;
        const outcome = classifyCallError(error);
        logger.warn('PutRecordBatch call failed', {
          ...logBase,
          errorName: error.name,
          httpStatus: error.status,
          outcome,
          records: batch.length,
        });
        if (outcome === CallOutcome.Retry) {
          throttled = true;
          retryNext.push(...batch);
        } else {
          if (outcome === CallOutcome.FailRemaining) fatal = text;
          const retryable = outcome === CallOutcome.FailRemaining;
          // a stream we cannot call (missing, access denied, KMS) is down until an operator fixes it
          for (const record of batch) state.failed.push({ record, retryable, down: retryable });
        }
      }
    }
    if (entryCodes.length > 0) {
      logger.warn('PutRecordBatch entries failed', {
        ...logBase,
        failedRecords: entryCodes.length,
        errorCodes: countCodes(entryCodes),
        retry: state.retries,
      });
    }
    return { retryNext, fatal };
  }

  async function send(items: readonly OutboundItem[], opts: { deadlineMs: number }): Promise<DeliveryResult> {
    if (items.length === 0) return { delivered: [], failed: [], bytes: 0 };
    if (!Number.isFinite(opts.deadlineMs)) {
      throw new Error(`deadlineMs must be a finite epoch-milliseconds time, got ${opts.deadlineMs}`);
    }
    const stopAt = opts.deadlineMs - deadlineMarginMs;
    const { records, oversize } = packRecords(items, aggregate, maxRecordBytes);
    const state: SendState = { accepted: [], failed: [], calls: 0, retries: 0 };
    let pending: readonly PackedRecord[] = records;
    // Bounded by the deadline: every pass either ends the loop or sleeps, and no pass starts a
    // call at or after stopAt.
    while (pending.length > 0) {
      const { retryNext, fatal } = await sendRound(pending, stopAt, opts.deadlineMs, state);
      if (fatal !== undefined) {
        for (const record of retryNext) {
          record.lastError = fatal;
          state.failed.push({ record, retryable: true, down: true });
        }
        break;
      }
      if (retryNext.length === 0) break;
      // Never sleep into the margin; if the full backoff does not fit, sleep half of what is left
      // so one more attempt still starts in time. Every sleep is at least 1 ms, so even calls that
      // take no time (stubs) make progress towards the deadline.
      const budget = stopAt - now();
      const wanted = backoff(state.retries);
      const delay = wanted < budget ? wanted : Math.floor(budget / 2);
      if (delay < 1) {
        // out of time: "down" when nothing of this send got through (every call throttled, 5xx,
        // unanswered, or every entry refused): the stream is not taking data at all
        const down = state.calls > 0 && state.accepted.length === 0;
        for (const record of retryNext) state.failed.push({ record, retryable: true, ...(down ? { down } : {}) });
        break;
      }
      await sleep(delay);
      state.retries++;
      pending = retryNext;
    }
    return buildResult(items, oversize, state);
  }

  function buildResult(
    items: readonly OutboundItem[],
    oversize: ReadonlyMap<number, DeliveryFailure>,
    state: SendState,
  ): DeliveryResult {
    const { accepted, failed: failedRecords, calls, retries } = state;
    const outcome: (DeliveryFailure | true | undefined)[] = new Array(items.length);
    let bytes = 0;
    for (const record of accepted) {
      bytes += record.data.length;
      for (const index of record.itemIndexes) outcome[index] = true;
    }
    for (const { record, retryable, down } of failedRecords) {
      const reason = record.lastError || 'not sent before the deadline';
      const error = `${name}: ${reason} (${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'})`;
      for (const index of record.itemIndexes) {
        outcome[index] = { id: items[index]?.id ?? '', error, retryable, ...(down ? { down } : {}) };
      }
    }
    const delivered: string[] = [];
    const failed: DeliveryFailure[] = [];
    items.forEach((item, index) => {
      const result = outcome[index];
      if (result === true) delivered.push(item.id);
      else if (result !== undefined) failed.push(result);
      else {
        const tooBig = oversize.get(index);
        failed.push(
          tooBig
            ? { ...tooBig, error: `${name}: ${tooBig.error}` }
            : { id: item.id, error: `${name}: not sent`, retryable: true },
        );
      }
    });
    const summary = {
      ...logBase,
      items: items.length,
      delivered: delivered.length,
      failed: failed.length,
      bytes,
      calls,
      retries,
    };
    if (failed.length > 0) logger.warn('Firehose delivery incomplete', summary);
    else logger.debug?.('Firehose delivery complete', summary);
    return { delivered, failed, bytes };
  }

  return {
    name,
    send: async (items, opts) => {
      try {
        return await send(items, opts);
      } catch (caught) {
        // Defensive: a bug above must not lose the batch; everything counts as retryable (calls
        // already accepted may then arrive twice, which at-least-once delivery allows).
        const cause = toError(caught);
        const error = new DeliveryError(name, `unexpected sink failure: ${cause.message}`, true, { cause });
        logger.error('Firehose sink failed unexpectedly', {
          ...logBase,
          errorName: cause.name,
          errorMessage: cause.message,
        });
        return {
          delivered: [],
          failed: items.map((item) => ({ id: item.id, error: error.message, retryable: true })),
          bytes: 0,
        };
      }
    },
    // The client is shared across invocations and owned by the caller: nothing to release here.
    close: async () => undefined,
  };
}

export type { FirehoseSinkLogger, FirehoseSinkOptions, PackedRecord, PackResult };
export { CallOutcome, classifyCallError, createFirehoseSink, FIREHOSE_LIMITS, packRecords, planBatches };
