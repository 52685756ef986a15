/**
 * A Firehose protocol double: a tiny `node:http` server on 127.0.0.1 that speaks the AWS JSON 1.1
 * protocol of Amazon Data Firehose well enough for the real `@aws-sdk/client-firehose`
 * (no Firehose emulator exists on npm).
 *
 * It implements `PutRecordBatch`, `PutRecord` and a minimal `DescribeDeliveryStream`, validates
 * the documented limits like the service does, keeps every accepted record in memory (and
 * optionally appends it to `${outDir}/${stream}.ndjson`, or the extension given), and lets tests inject faults: per-entry
 * `ErrorCode`s, whole-call throttling and seeded random failures.
 *
 * It also models the delivery side of a Splunk or HTTP endpoint stream (`backup`): a record the
 * stream accepted but then fails to deliver for good (a delivery fault: the destination down past
 * the retry duration) is not delivered; it is written to the backup bucket (an {@link S3Store},
 * e.g. the S3 double) in the layout Firehose uses: one JSON document per record (`attemptsMade`,
 * `arrivalTimestamp`, `errorCode`, `errorMessage`, `attemptEndingTimestamp`, `rawData`, `EventId`
 * or `dataId`), one object per call under the evaluated `ErrorOutputPrefix`, GZIP by default
 * (see shared/config/firehose-backup.ts for the documentation). The retry duration itself is not
 * waited for: the backup is written when the call is answered.
 *
 * Wire contract: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 *
 * @example
 * ```ts
 * const double = await startFirehoseDouble({ streams: ['siem'] });
 * const client = new FirehoseClient({ endpoint: double.endpoint, region: 'us-east-1', maxAttempts: 1,
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * double.faults.failNextEntries(3);
 * // ... send ...
 * expect(double.lines('siem')).toHaveLength(100);
 * await double.stop();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIREHOSE_ERROR_OUTPUT_TYPE, type FirehoseFailedRecord } from '../shared/config/firehose-backup.js';
import { errorMessage } from '../shared/errors.js';
import type { S3Store } from './s3-double.js';
import { prng } from './sample-events.js';

/**
 * Service limits the double enforces, in data bytes (before base64).
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
const FIREHOSE_LIMITS = {
  maxBatchRecords: 500,
  maxRecordBytes: 1_024_000,
  maxBatchBytes: 4_194_304,
} as const;

const TARGET_PREFIX = 'Firehose_20150804.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Firehose stream names: 1–64 of `[a-zA-Z0-9_.-]`; also keeps them safe as file names. */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
/** A request body larger than this cannot be valid (4 MiB of data, base64-inflated, plus JSON). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Whole-call error types a throttle fault can answer with. `ServiceUnavailableException` with
 * HTTP 503 is what Firehose returns when a stream's throughput quota is exceeded (it is a modeled
 * server fault in the SDK); `ThrottlingException` and `LimitExceededException` (HTTP 400) are in
 * the SDK's throttling list.
 */
const THROTTLE_STATUS = {
  ServiceUnavailableException: 503,
  ThrottlingException: 400,
  LimitExceededException: 400,
} as const;
type ThrottleType = keyof typeof THROTTLE_STATUS;

/** Fault injection; every rule applies to `PutRecordBatch` and `PutRecord` on any stream. */
interface FaultInjector {
  /** Fail the next `n` entries (across upcoming calls) with `code`. @default code 'ServiceUnavailableException' */
  failNextEntries(n: number, code?: string): void;
  /**
   * Fail entries whose decoded data matches `predicate`, until `times` entries have been failed by
   * this rule. @default code 'ServiceUnavailableException'
   */
  failEntriesMatching(predicate: (data: string, stream: string) => boolean, times: number, code?: string): void;
  /** Answer the next `n` calls with a whole-call error. @default type 'ServiceUnavailableException' (HTTP 503) */
  throttleCalls(n: number, type?: ThrottleType): void;
  /**
   * Fail each entry with probability `rate`, drawn from a seeded PRNG (mulberry32) so runs repeat.
   * Stays on until `clear()`. @default code 'ServiceUnavailableException'
   */
  failRandomly(rate: number, seed: number, code?: string): void;
  /** Answer every call with a whole-call error for the next `ms` milliseconds. @default type 'ServiceUnavailableException' */
  throttleFor(ms: number, type?: ThrottleType): void;
  /**
   * Delivery side (streams with a `backup` only): every record accepted in the next `ms`
   * milliseconds fails delivery for good and is written to the backup bucket instead of delivered.
   * @default code 'Splunk.ConnectionTimeout' or 'HttpEndpoint.DestinationException'
   */
  failDeliveryFor(ms: number, code?: string): void;
  /** Delivery side: records whose data matches fail delivery for good, until `times` have. */
  failDeliveryMatching(predicate: (data: string, stream: string) => boolean, times: number, code?: string): void;
  /** Remove every fault rule. Counters are kept. */
  clear(): void;
}

/** Where a Splunk or HTTP endpoint stream backs up the records it fails to deliver. */
interface FirehoseBackup {
  readonly store: S3Store;
  readonly bucket: string;
  /** the stream's ErrorOutputPrefix expression, e.g. `splunk-failed/` + FIREHOSE_ERROR_PARTITIONS */
  readonly errorOutputPrefix: string;
  readonly destination: keyof typeof FIREHOSE_ERROR_OUTPUT_TYPE;
  /** @default 'GZIP' */
  readonly compression?: 'GZIP' | 'UNCOMPRESSED';
}

interface FirehoseDoubleOptions {
  /** TCP port on 127.0.0.1. @default 0 (an ephemeral port) */
  readonly port?: number;
  /** When set, accepted records are appended to `${outDir}/${stream}${extension}`. @default no files */
  readonly outDir?: string;
  /**
   * File extension per stream, named for what the records hold (`.cef` for CEF text, `.ndjson`
   * for ECS JSON). @default '.ndjson'
   */
  readonly extensions?: Readonly<Record<string, string>>;
  /** Known stream names; others get `ResourceNotFoundException`. @default any name is accepted */
  readonly streams?: readonly string[];
  /** Splunk / HTTP endpoint streams: where each backs up failed records. @default none (S3 streams) */
  readonly backup?: Readonly<Record<string, FirehoseBackup>>;
  /** Called with the data of the records of one call it accepted, as they are accepted (latency). @default none */
  readonly onAccepted?: (stream: string, records: readonly string[]) => void;
}

interface FirehoseDouble {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Decoded data of the accepted records of `stream`, in acceptance order. */
  records(stream: string): string[];
  /**
   * The accepted records of `stream` since the last `take`, which the double then forgets (with
   * their receipts), so a long run (the load test) does not keep every record in memory. After a
   * `take`, `records`, `lines` and `receipts` cover only what arrived since.
   */
  take(stream: string): string[];
  /** Accepted records of `stream` split on `\n`, the empty piece after a trailing newline removed. */
  lines(stream: string): string[];
  /** How many times each distinct record data of `stream` was received (accepted or failed by a fault). */
  receipts(stream: string): Map<string, number>;
  /** HTTP requests received, including rejected and throttled ones. */
  readonly calls: number;
  /** Entries examined in `PutRecordBatch`/`PutRecord` calls that passed validation and throttling. */
  readonly entries: number;
  /** Entries answered with an `ErrorCode` by a fault rule. */
  readonly failedEntries: number;
  /** Calls answered with a throttle fault. */
  readonly throttledCalls: number;
  /** Records accepted but written to the backup bucket (delivery failed for good). */
  readonly backedUp: number;
  /** Keys of the backup objects written, in order. */
  readonly backupObjects: readonly string[];
  readonly faults: FaultInjector;
  /** Close the server (dropping kept-alive connections) and flush pending file writes. */
  stop(): Promise<void>;
}

interface EntryRule {
  readonly matches: (data: string, stream: string) => boolean;
  remaining: number;
  readonly code: string;
}

/** A whole-call answer: status plus an AWS JSON 1.1 error document. */
class CallError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CallError';
    this.status = status;
    this.type = type;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new CallError(413, 'SerializationException', `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidArgument(message: string): CallError {
  return new CallError(400, 'InvalidArgumentException', message);
}

/** Decode one `{Data: base64}` entry, enforcing the per-record limit. */
function decodeRecord(entry: unknown, index: number): Buffer {
  if (!isRecord(entry) || typeof entry.Data !== 'string') {
    throw invalidArgument(`Records[${index}].Data must be a base64 string`);
  }
  const data = Buffer.from(entry.Data, 'base64');
  if (data.length > FIREHOSE_LIMITS.maxRecordBytes) {
    throw invalidArgument(
      `Records[${index}] has ${data.length} bytes; a record can be at most ${FIREHOSE_LIMITS.maxRecordBytes} bytes`,
    );
  }
  return data;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd-HH-mm-ss` (UTC) of the object name suffix. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
}

/**
 * Evaluate a Firehose prefix expression: `!{firehose:error-output-type}`, `!{firehose:random-string}`
 * and `!{timestamp:PATTERN}` with the pattern letters the relay uses (yyyy, MM, dd, HH, mm, ss;
 * text in single quotes is literal), in UTC.
 */
function evaluatePrefix(expr: string, errorOutputType: string, ms: number): string {
  const d = new Date(ms);
  const parts: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return expr.replace(/!\{(firehose|timestamp):([^}]*)\}/g, (all, ns: string, v: string) => {
    if (ns === 'firehose') {
      if (v === 'error-output-type') return errorOutputType;
      if (v === 'random-string') return randomUUID().replaceAll('-', '').slice(0, 11);
      throw new Error(`firehose double: unknown expression ${all}`);
    }
    return v.replace(/'([^']*)'|yyyy|MM|dd|HH|mm|ss/g, (t, literal?: string) => literal ?? parts[t] ?? t);
  });
}

/**
 * Start the double. Resolves once it listens.
 *
 * @example
 * ```ts
 * const double = await startFirehoseDouble({ outDir: '.relay-local/firehose' });
 * ```
 */
async function startFirehoseDouble(options: FirehoseDoubleOptions = {}): Promise<FirehoseDouble> {
  const knownStreams = options.streams ? new Set(options.streams) : undefined;
  const outDir = options.outDir;
  if (outDir !== undefined) await mkdir(outDir, { recursive: true });

  const accepted = new Map<string, string[]>();
  const receiptCounts = new Map<string, Map<string, number>>();
  let calls = 0;
  let entries = 0;
  let failedEntries = 0;
  let throttledCalls = 0;
  let recordSeq = 0;

  let nextEntryFailures = 0;
  let nextEntryCode = 'ServiceUnavailableException';
  let matchRules: EntryRule[] = [];
  let random: { rate: number; next: () => number; code: string } | undefined;
  let throttleCount = 0;
  let throttleCountType: ThrottleType = 'ServiceUnavailableException';
  let throttleUntil = 0;
  let throttleUntilType: ThrottleType = 'ServiceUnavailableException';
  let deliveryDownUntil = 0;
  let deliveryDownCode: string | undefined;
  let deliveryRules: EntryRule[] = [];
  let backedUp = 0;
  const backupObjects: string[] = [];
  // File appends are chained so the file keeps acceptance order across concurrent requests.
  let writes: Promise<void> = Promise.resolve();

  const faults: FaultInjector = {
    failNextEntries(n, code = 'ServiceUnavailableException') {
      nextEntryFailures = n;
      nextEntryCode = code;
    },
    failEntriesMatching(predicate, times, code = 'ServiceUnavailableException') {
      matchRules.push({ matches: predicate, remaining: times, code });
    },
    throttleCalls(n, type = 'ServiceUnavailableException') {
      throttleCount = n;
      throttleCountType = type;
    },
    failRandomly(rate, seed, code = 'ServiceUnavailableException') {
      random = { rate, next: prng(seed), code };
    },
    throttleFor(ms, type = 'ServiceUnavailableException') {
      throttleUntil = Date.now() + ms;
      throttleUntilType = type;
    },
    failDeliveryFor(ms, code) {
      deliveryDownUntil = Date.now() + ms;
      deliveryDownCode = code;
    },
    failDeliveryMatching(predicate, times, code) {
      deliveryRules.push({ matches: predicate, remaining: times, code: code ?? '' });
    },
    clear() {
      nextEntryFailures = 0;
      matchRules = [];
      random = undefined;
      throttleCount = 0;
      throttleUntil = 0;
      deliveryDownUntil = 0;
      deliveryRules = [];
    },
  };

  /** The delivery error of an accepted record, or undefined when it is delivered. */
  function deliveryFault(data: string, stream: string, b: FirehoseBackup): string | undefined {
    const fallback = b.destination === 'splunk' ? 'Splunk.ConnectionTimeout' : 'HttpEndpoint.DestinationException';
    if (Date.now() < deliveryDownUntil) return deliveryDownCode ?? fallback;
    for (const rule of deliveryRules) {
      if (rule.remaining > 0 && rule.matches(data, stream)) {
        rule.remaining--;
        return rule.code || fallback;
      }
    }
    return undefined;
  }

  /** Write the records a call failed to deliver as one backup object, the way Firehose lays it out. */
  function writeBackup(
    stream: string,
    b: FirehoseBackup,
    failed: ReadonlyArray<{ data: Buffer; code: string; seq: number }>,
    arrivalMs: number,
  ): void {
    if (failed.length === 0) return;
    const end = Date.now();
    const docs = failed.map((f) => {
      const doc: FirehoseFailedRecord = {
        attemptsMade: 1,
        arrivalTimestamp: arrivalMs,
        errorCode: f.code,
        errorMessage: `firehose double: delivery to the ${b.destination} destination failed for good (${f.code})`,
        attemptEndingTimestamp: end,
        rawData: f.data.toString('base64'),
        ...(b.destination === 'splunk'
          ? { EventId: `${f.seq}${'0'.repeat(40)}.0` }
          : { subsequenceNumber: 0, dataId: `${f.seq}${'0'.repeat(40)}.0` }),
      };
      return `${JSON.stringify(doc)}\n`;
    });
    const text = Buffer.from(docs.join(''), 'utf8');
    const gzip = (b.compression ?? 'GZIP') === 'GZIP';
    const key = `${evaluatePrefix(b.errorOutputPrefix, FIREHOSE_ERROR_OUTPUT_TYPE[b.destination], arrivalMs)}${stream}-1-${stamp(arrivalMs)}-${randomUUID()}${gzip ? '.gz' : ''}`;
    b.store.put(b.bucket, key, gzip ? gzipSync(text) : text, gzip ? 'application/x-gzip' : 'application/octet-stream');
    backedUp += failed.length;
    backupObjects.push(key);
  }

  function checkStream(body: Record<string, unknown>): string {
    const name = body.DeliveryStreamName;
    if (typeof name !== 'string' || !STREAM_NAME.test(name)) {
      throw invalidArgument('DeliveryStreamName must match [a-zA-Z0-9_.-]{1,64}');
    }
    if (knownStreams && !knownStreams.has(name)) {
      throw new CallError(400, 'ResourceNotFoundException', `Firehose ${name} under account 000000000000 not found.`);
    }
    return name;
  }

  function checkThrottle(): void {
    let type: ThrottleType | undefined;
    if (Date.now() < throttleUntil) type = throttleUntilType;
    else if (throttleCount > 0) {
      throttleCount--;
      type = throttleCountType;
    }
    if (type === undefined) return;
    throttledCalls++;
    throw new CallError(THROTTLE_STATUS[type], type, 'Slow down.');
  }

  /** The fault code for one entry, or undefined to accept it. Rules are checked in a fixed order. */
  function entryFault(data: string, stream: string): string | undefined {
    if (nextEntryFailures > 0) {
      nextEntryFailures--;
      return nextEntryCode;
    }
    for (const rule of matchRules) {
      if (rule.remaining > 0 && rule.matches(data, stream)) {
        rule.remaining--;
        return rule.code;
      }
    }
    if (random && random.next() < random.rate) return random.code;
    return undefined;
  }

  /** Apply faults to the decoded records of one call and keep the accepted ones. */
  function putRecords(
    stream: string,
    records: readonly Buffer[],
  ): { responses: { RecordId?: string; ErrorCode?: string }[]; written: Promise<void> } {
    const counts = receiptCounts.get(stream) ?? new Map<string, number>();
    receiptCounts.set(stream, counts);
    const kept = accepted.get(stream) ?? [];
    accepted.set(stream, kept);
    const toWrite: Buffer[] = [];
    const backup = options.backup?.[stream];
    const arrivalMs = Date.now();
    const undeliverable: Array<{ data: Buffer; code: string; seq: number }> = [];
    const acceptedNow: string[] = [];
    const responses = records.map((data) => {
      const text = data.toString('utf8');
      entries++;
      counts.set(text, (counts.get(text) ?? 0) + 1);
      const code = entryFault(text, stream);
      if (code !== undefined) {
        failedEntries++;
        return {
          ErrorCode: code,
          ErrorMessage: code === 'InternalFailure' ? 'Internal Service Failure' : 'Slow down.',
        };
      }
      recordSeq++;
      // accepted: delivered, or (delivery side fault) backed up
      const lost = backup ? deliveryFault(text, stream, backup) : undefined;
      if (lost !== undefined) undeliverable.push({ data, code: lost, seq: recordSeq });
      else {
        kept.push(text);
        acceptedNow.push(text);
        toWrite.push(data);
      }
      return { RecordId: `${recordSeq.toString(16).padStart(16, '0')}${randomUUID().replaceAll('-', '')}` };
    });
    if (backup) writeBackup(stream, backup, undeliverable, arrivalMs);
    if (acceptedNow.length > 0) options.onAccepted?.(stream, acceptedNow);
    if (outDir === undefined || toWrite.length === 0) return { responses, written: Promise.resolve() };
    const file = join(outDir, `${stream}${options.extensions?.[stream] ?? '.ndjson'}`);
    const chunk = Buffer.concat(toWrite);
    const written = writes.then(() => appendFile(file, chunk));
    // The chain itself must survive one failed append; the failing call still sees its own error.
    writes = written.catch((error: unknown) => {
      process.stderr.write(`firehose-double: cannot append to ${file}: ${String(error)}\n`);
    });
    return { responses, written };
  }

  async function dispatch(operation: string, body: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'PutRecordBatch': {
        const stream = checkStream(body);
        const list = body.Records;
        if (!Array.isArray(list) || list.length === 0) throw invalidArgument('Records must hold 1 to 500 entries');
        if (list.length > FIREHOSE_LIMITS.maxBatchRecords) {
          throw invalidArgument(
            `Records has ${list.length} entries; PutRecordBatch accepts at most ${FIREHOSE_LIMITS.maxBatchRecords}`,
          );
        }
        const records = list.map(decodeRecord);
        const total = records.reduce((sum, r) => sum + r.length, 0);
        if (total > FIREHOSE_LIMITS.maxBatchBytes) {
          throw invalidArgument(`request carries ${total} bytes; the limit is ${FIREHOSE_LIMITS.maxBatchBytes}`);
        }
        checkThrottle();
        const { responses, written } = putRecords(stream, records);
        await written;
        const failed = responses.filter((r) => r.ErrorCode !== undefined).length;
        return { FailedPutCount: failed, Encrypted: false, RequestResponses: responses };
      }
      case 'PutRecord': {
        const stream = checkStream(body);
        const data = decodeRecord(body.Record, 0);
        checkThrottle();
        const { responses, written } = putRecords(stream, [data]);
        await written;
        const [response] = responses;
        if (response?.ErrorCode !== undefined) {
          // PutRecord has no per-entry result: a failed entry is a whole-call error.
          throw new CallError(
            response.ErrorCode === 'ServiceUnavailableException' ? 503 : 500,
            response.ErrorCode,
            'Slow down.',
          );
        }
        return { RecordId: response?.RecordId, Encrypted: false };
      }
      case 'DescribeDeliveryStream': {
        const stream = checkStream(body);
        return {
          DeliveryStreamDescription: {
            DeliveryStreamName: stream,
            DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${stream}`,
            DeliveryStreamStatus: 'ACTIVE',
            DeliveryStreamType: 'DirectPut',
            VersionId: '1',
            Destinations: [],
            HasMoreDestinations: false,
          },
        };
      }
      default:
        throw new CallError(400, 'UnknownOperationException', `unknown operation ${operation}`);
    }
  }

  function reply(res: ServerResponse, status: number, doc: unknown): void {
    const text = JSON.stringify(doc);
    res.writeHead(status, {
      'Content-Type': JSON_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    calls++;
    try {
      const body = await readBody(req);
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
        throw new CallError(400, 'UnknownOperationException', `unknown target ${String(target)}`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch (error) {
        throw new CallError(400, 'SerializationException', `body is not JSON: ${errorMessage(error)}`);
      }
      if (!isRecord(parsed)) throw new CallError(400, 'SerializationException', 'body must be a JSON object');
      reply(res, 200, await dispatch(target.slice(TARGET_PREFIX.length), parsed));
    } catch (error) {
      if (error instanceof CallError) {
        reply(res, error.status, { __type: error.type, message: error.message });
        return;
      }
      process.stderr.write(`firehose-double: internal error: ${String(error)}\n`);
      reply(res, 500, { __type: 'InternalFailure', message: 'firehose double internal error' });
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    records: (stream) => [...(accepted.get(stream) ?? [])],
    take: (stream) => {
      const kept = accepted.get(stream) ?? [];
      accepted.set(stream, []);
      receiptCounts.delete(stream);
      return kept;
    },
    lines: (stream) =>
      (accepted.get(stream) ?? [])
        .join('')
        .split('\n')
        .filter((line, i, all) => i < all.length - 1 || line !== ''),
    receipts: (stream) => new Map(receiptCounts.get(stream) ?? []),
    get calls() {
      return calls;
    },
    get entries() {
      return entries;
    },
    get failedEntries() {
      return failedEntries;
    },
    get throttledCalls() {
      return throttledCalls;
    },
    get backedUp() {
      return backedUp;
    },
    get backupObjects() {
      return [...backupObjects];
    },
    faults,
    async stop() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await writes;
    },
  };
}

export type { FaultInjector, FirehoseBackup, FirehoseDouble, FirehoseDoubleOptions, ThrottleType };
export { evaluatePrefix, FIREHOSE_LIMITS, startFirehoseDouble };
