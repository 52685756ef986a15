/**
 * `segura-relay redrive --from-s3 s3://bucket/prefix --to QUEUE_URL`: replay the records Amazon Data
 * Firehose gave up on (Splunk and HTTP endpoint destinations back them up to S3 after the retry
 * duration) into the destination's queue, where its delivery function sends them again.
 *
 * What it reads: every object under the prefix (ListObjectsV2), GZIP or not (detected by its magic
 * bytes), each holding one JSON document per failed record with the rendered line base64 in
 * `rawData` (layout and sources: shared/config/firehose-backup.ts). Each line becomes one SQS
 * message (body = the line, attribute relay.replay.format; see shared/deliver/replay.ts).
 *
 * Guarantees:
 * - an object is deleted (or, with `--keep-objects`, tagged done) only after SQS accepted the copy
 *   of every line in it; a dry run reads and prints, and changes nothing;
 * - an object left partly replayed (filters, `--max`, a refused copy) is tagged with the indexes of
 *   the lines already replayed, so the next run sends only the others: nothing twice;
 * - every record that cannot be read or replayed is counted and named, and its object is kept.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { backoffMs, type OutboundMessage, sendMessageBatch } from '../bridge/sqs.js';
import type { FirehoseFailedRecord } from '../shared/config/firehose-backup.js';
import { eventIdOfLine, formatOfLine, REPLAY_ATTR } from '../shared/deliver/replay.js';
import { errorMessage, toError } from '../shared/errors.js';
import { UsageError } from './args.js';

/** Object tags this command writes. S3 allows 10 tags per object, values of at most 256 characters. */
const S3_TAG = {
  /** the object was replayed completely (`--keep-objects`): ISO time of the run */
  done: 'segura-relay-redriven',
  /** indexes of the lines already replayed (`0-41,43`), split over this key and `…-2`, `…-3` … */
  progress: 'segura-relay-replayed',
} as const;
const MAX_TAGS = 10;
const MAX_TAG_VALUE = 256;

/** What one S3 replay run is told. */
interface S3RedriveOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** the destination's queue (required unless dryRun) */
  readonly to?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly eventIds?: ReadonlySet<string>;
  /** arrivalTimestamp ≥ since (ms) */
  readonly sinceMs?: number;
  /** arrivalTimestamp < until (ms) */
  readonly untilMs?: number;
  /** on errorCode or errorMessage */
  readonly reason?: RegExp;
  /** replay (or print) at most this many lines */
  readonly max?: number;
  /** tag a replayed object instead of deleting it */
  readonly keepObjects?: boolean;
  /** read at most this many objects. @default 100_000 */
  readonly maxObjects?: number;
  readonly signal?: AbortSignal;
  readonly print?: (line: string) => void;
  /** one line per problem (unreadable record, refused copy, object not deleted) */
  readonly warn?: (line: string) => void;
}

interface S3RedriveSummary {
  readonly dryRun: boolean;
  /** objects listed under the prefix */
  objects: number;
  /** objects skipped: tagged done by an earlier run */
  objectsDoneEarlier: number;
  /** lines found in the records read */
  lines: number;
  /** lines that pass the filters and were not replayed before */
  matched: number;
  replayed: number;
  skippedByFilter: number;
  /** replayed by an earlier run (progress tag) */
  alreadyReplayed: number;
  /** copies SQS did not accept */
  failed: number;
  /** records or objects that could not be read, lines in no relay format */
  unreadable: number;
  objectsDeleted: number;
  objectsTagged: number;
  /** objects kept because not all of their lines are replayed yet */
  objectsKept: number;
  /** replayed lines whose progress could not be recorded on their object: a rerun sends them again */
  progressNotRecorded: number;
  /** objects replayed completely that could not be deleted (or tagged done): their progress is tagged instead */
  notCleanedUp: number;
}

/** One line of a backup object, as the filters see it. */
interface BackupLine {
  /** index of the line within its object (the unit of progress) */
  readonly index: number;
  readonly line: string;
  readonly record: FirehoseFailedRecord;
  readonly eventId: string | null;
}

/** `s3://bucket/prefix` → bucket and prefix. */
function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new UsageError(`--from-s3: expected s3://BUCKET/PREFIX, got ${JSON.stringify(uri)}`);
  return { bucket: m[1] as string, prefix: m[2] ?? '' };
}

/** `0-3,7` ↔ a set of indexes. */
function parseRanges(s: string | undefined, into: Set<number>): void {
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && i - a < 1_000_000; i++) into.add(i);
  }
}

function formatRanges(set: ReadonlySet<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The progress of an object as tag values of at most 256 characters, cut at commas. */
function progressValues(set: ReadonlySet<number>): string[] {
  const values: string[] = [];
  let cur = '';
  for (const part of formatRanges(set).split(',')) {
    if (part === '') continue;
    const next = cur === '' ? part : `${cur},${part}`;
    if (next.length <= MAX_TAG_VALUE) cur = next;
    else {
      values.push(cur);
      cur = part;
    }
  }
  if (cur !== '') values.push(cur);
  return values;
}

const progressKey = (i: number): string => (i === 0 ? S3_TAG.progress : `${S3_TAG.progress}-${i + 1}`);
const isOurTag = (k: string): boolean => k === S3_TAG.done || k.startsWith(S3_TAG.progress);

/**
 * The JSON documents of an object's text: one per line as Firehose writes them, also tolerating
 * documents written back to back. Returns the documents and the number of pieces that were not
 * a readable failed record.
 */
function parseDocuments(text: string): { records: FirehoseFailedRecord[]; unreadable: number } {
  const records: FirehoseFailedRecord[] = [];
  let unreadable = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) break;
    if (text[i] !== '{') {
      unreadable++;
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    // find the end of this object: depth counting outside strings
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < n; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    const piece = text.slice(i, j + 1);
    i = j + 1;
    try {
      const o = JSON.parse(piece) as Partial<FirehoseFailedRecord>;
      if (typeof o.rawData !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.rawData)) unreadable++;
      else records.push(o as FirehoseFailedRecord);
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}

/** Lines of an object, numbered in order: each record's data split on LF (aggregated records hold several). */
function linesOf(records: readonly FirehoseFailedRecord[]): { lines: BackupLine[]; unreadable: number } {
  const lines: BackupLine[] = [];
  let unreadable = 0;
  for (const record of records) {
    const data = Buffer.from(record.rawData, 'base64').toString('utf8');
    const parts = data.split('\n');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const raw of parts) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (formatOfLine(line) === null) unreadable++;
      lines.push({ index: lines.length, line, record, eventId: eventIdOfLine(line) });
    }
  }
  return { lines, unreadable };
}

function matches(l: BackupLine, o: S3RedriveOptions): boolean {
  const at = l.record.arrivalTimestamp;
  if (o.sinceMs !== undefined && !(typeof at === 'number' && at >= o.sinceMs)) return false;
  if (o.untilMs !== undefined && !(typeof at === 'number' && at < o.untilMs)) return false;
  if (o.eventIds !== undefined && (l.eventId === null || !o.eventIds.has(l.eventId))) return false;
  if (o.reason !== undefined) {
    const r = o.reason;
    if (![l.record.errorCode, l.record.errorMessage].some((x) => typeof x === 'string' && r.test(x))) return false;
  }
  return true;
}

async function objectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  // Firehose compresses backups as the backup configuration says; the magic bytes tell
  const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return raw.toString('utf8');
}

function replayMessage(bucket: string, key: string, l: BackupLine, fifo: boolean): OutboundMessage {
  const source = `s3://${bucket}/${key}#${l.index}`;
  const attributes: Record<string, MessageAttributeValue> = {
    [REPLAY_ATTR.format]: { DataType: 'String', StringValue: formatOfLine(l.line) as string },
    [REPLAY_ATTR.source]: { DataType: 'String', StringValue: source.slice(0, 1024) },
  };
  return {
    body: l.line,
    attributes,
    // FIFO targets: the same line of the same object deduplicates within SQS's 5-minute window
    ...(fifo ? { groupId: 'redrive-from-s3', dedupId: createHash('sha256').update(source).digest('hex') } : {}),
  };
}

/**
 * Send `todo` (at most 10) with up to 3 attempts; returns the lines SQS accepted. Never throws.
 */
async function sendLines(
  sqs: SQSClient,
  to: string,
  msgs: ReadonlyArray<{ l: BackupLine; m: OutboundMessage }>,
  warn: (s: string) => void,
): Promise<BackupLine[]> {
  const accepted: BackupLine[] = [];
  let todo = [...msgs];
  for (let attempt = 0; attempt < 3 && todo.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, 200, 2_000)));
    const out = await sendMessageBatch(
      sqs,
      to,
      todo.map((x) => x.m),
    );
    for (const i of out.accepted) accepted.push((todo[i] as { l: BackupLine }).l);
    for (const r of out.rejected) warn(`line ${todo[r.index]?.l.index}: SQS refused the copy: ${r.code} ${r.message}`);
    if (out.callError && out.retry.length > 0 && attempt === 2)
      warn(`SendMessageBatch failed: ${out.callError.name}: ${out.callError.message}`);
    todo = out.retry.map((i) => todo[i] as { l: BackupLine; m: OutboundMessage });
  }
  return accepted;
}

async function tagsOf(s3: S3Client, bucket: string, key: string): Promise<Tag[]> {
  return (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? [];
}

/**
 * Run a replay (or a dry run). Never deletes or marks an object before SQS accepted its lines.
 *
 * @throws {UsageError} when `to` is missing on a real run
 */
async function redriveFromS3(s3: S3Client, sqs: SQSClient | null, o: S3RedriveOptions): Promise<S3RedriveSummary> {
  const dryRun = o.dryRun === true;
  if (!dryRun && (o.to === undefined || sqs === null)) throw new UsageError('--to QUEUE_URL is required to replay');
  const fifo = o.to?.endsWith('.fifo') === true;
  const warn = o.warn ?? (() => undefined);
  const s: S3RedriveSummary = {
    dryRun,
    objects: 0,
    objectsDoneEarlier: 0,
    lines: 0,
    matched: 0,
    replayed: 0,
    skippedByFilter: 0,
    alreadyReplayed: 0,
    failed: 0,
    unreadable: 0,
    objectsDeleted: 0,
    objectsTagged: 0,
    objectsKept: 0,
    progressNotRecorded: 0,
    notCleanedUp: 0,
  };
  const maxObjects = o.maxObjects ?? 100_000;
  const full = (): boolean => o.max !== undefined && s.matched >= o.max;
  let token: string | undefined;
  // every page lists at least one new key or ends the listing: bounded by maxObjects
  for (let page = 0; page <= maxObjects; page++) {
    if (o.signal?.aborted || full() || s.objects >= maxObjects) break;
    const list = await s3.send(
      new ListObjectsV2Command({ Bucket: o.bucket, Prefix: o.prefix, ContinuationToken: token, MaxKeys: 1000 }),
    );
    for (const obj of list.Contents ?? []) {
      if (o.signal?.aborted || full() || s.objects >= maxObjects) break;
      const key = obj.Key;
      if (key === undefined || key.endsWith('/')) continue;
      s.objects++;
      await replayObject(s3, sqs, o, key, s, fifo, warn);
    }
    token = list.IsTruncated ? list.NextContinuationToken : undefined;
    if (!token) break;
  }
  return s;
}

async function replayObject(
  s3: S3Client,
  sqs: SQSClient | null,
  o: S3RedriveOptions,
  key: string,
  s: S3RedriveSummary,
  fifo: boolean,
  warn: (s: string) => void,
): Promise<void> {
  const where = `s3://${o.bucket}/${key}`;
  const tags = await tagsOf(s3, o.bucket, key);
  if (tags.some((t) => t.Key === S3_TAG.done)) {
    s.objectsDoneEarlier++;
    return;
  }
  const done = new Set<number>();
  for (const t of tags) if (t.Key?.startsWith(S3_TAG.progress)) parseRanges(t.Value, done);
  let text: string;
  try {
    text = await objectText(s3, o.bucket, key);
  } catch (e) {
    s.unreadable++;
    warn(`${where}: cannot read: ${toError(e).name}: ${errorMessage(e)}`);
    return;
  }
  const docs = parseDocuments(text);
  const { lines, unreadable } = linesOf(docs.records);
  const bad = docs.unreadable + unreadable;
  if (bad > 0) {
    s.unreadable += bad;
    warn(`${where}: ${bad} record(s) or line(s) are not a replayable relay event; the object is kept`);
  }
  s.lines += lines.length;
  const selected: BackupLine[] = [];
  for (const l of lines) {
    if (done.has(l.index)) {
      s.alreadyReplayed++;
      continue;
    }
    if (formatOfLine(l.line) === null) continue;
    if (!matches(l, o)) {
      s.skippedByFilter++;
      continue;
    }
    if (o.max !== undefined && s.matched >= o.max) break;
    s.matched++;
    selected.push(l);
  }
  if (o.dryRun) {
    for (const l of selected) o.print?.(describeLine(where, l, o.json === true));
    return;
  }
  const before = done.size;
  for (let i = 0; i < selected.length; i += 10) {
    const chunk = selected.slice(i, i + 10).map((l) => ({ l, m: replayMessage(o.bucket, key, l, fifo) }));
    const accepted = await sendLines(sqs as SQSClient, o.to as string, chunk, (w) => warn(`${where}: ${w}`));
    for (const l of accepted) done.add(l.index);
    s.replayed += accepted.length;
    s.failed += chunk.length - accepted.length;
  }
  const complete = bad === 0 && lines.every((l) => done.has(l.index));
  if (complete) {
    try {
      if (o.keepObjects) {
        const others = tags.filter((t) => t.Key !== undefined && !isOurTag(t.Key));
        await s3.send(
          new PutObjectTaggingCommand({
            Bucket: o.bucket,
            Key: key,
            Tagging: { TagSet: [...others, { Key: S3_TAG.done, Value: new Date().toISOString() }] },
          }),
        );
        s.objectsTagged++;
      } else {
        await s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: key }));
        s.objectsDeleted++;
      }
      return;
    } catch (e) {
      s.notCleanedUp++;
      warn(
        `${where}: replayed completely but could not be ${o.keepObjects ? 'tagged' : 'deleted'}: ${errorMessage(e)}`,
      );
      // fall through: record the progress instead, so a rerun does not send these lines again
    }
  }
  s.objectsKept++;
  if (done.size === before && !complete) return;
  const others = tags.filter((t) => t.Key !== undefined && !isOurTag(t.Key));
  const values = progressValues(done);
  if (others.length + values.length > MAX_TAGS) {
    s.progressNotRecorded += done.size - before;
    warn(
      `${where}: the progress (${done.size} of ${lines.length} lines replayed) does not fit in the object's tags; a rerun would send these ${done.size - before} line(s) again`,
    );
    return;
  }
  try {
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: o.bucket,
        Key: key,
        Tagging: { TagSet: [...others, ...values.map((v, i) => ({ Key: progressKey(i), Value: v }))] },
      }),
    );
  } catch (e) {
    s.progressNotRecorded += done.size - before;
    warn(
      `${where}: could not record the progress: ${errorMessage(e)}; a rerun would send ${done.size - before} line(s) again`,
    );
  }
}

function describeLine(where: string, l: BackupLine, json: boolean): string {
  const at = l.record.arrivalTimestamp;
  const arrival = typeof at === 'number' ? new Date(at).toISOString() : null;
  if (json)
    return JSON.stringify({
      source: `${where}#${l.index}`,
      arrival,
      errorCode: l.record.errorCode ?? null,
      errorMessage: l.record.errorMessage ?? null,
      attemptsMade: l.record.attemptsMade ?? null,
      eventId: l.eventId,
      format: formatOfLine(l.line),
      line: l.line,
    });
  return `${where}#${l.index}  arrival=${arrival ?? '-'}  ${l.record.errorCode ?? '-'}  eventId=${l.eventId ?? '-'}  ${JSON.stringify(l.line.slice(0, 120))}`;
}

function s3SummaryLine(s: S3RedriveSummary): string {
  return (
    `redrive --from-s3: objects ${s.objects}${s.objectsDoneEarlier ? ` (done earlier ${s.objectsDoneEarlier})` : ''}, lines ${s.lines}, matched ${s.matched}, replayed ${s.replayed}, skipped by filter ${s.skippedByFilter}, already replayed ${s.alreadyReplayed}, failed ${s.failed}, unreadable ${s.unreadable}` +
    (s.dryRun
      ? ' (dry run: nothing sent, nothing deleted)'
      : `; objects deleted ${s.objectsDeleted}, tagged ${s.objectsTagged}, kept ${s.objectsKept}`) +
    (s.progressNotRecorded ? `, progress not recorded for ${s.progressNotRecorded} line(s)` : '') +
    (s.notCleanedUp ? `, replayed but not deleted or tagged ${s.notCleanedUp} object(s)` : '')
  );
}

/** `2026-12-02T10:00:00Z` or epoch milliseconds. */
function timeOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms))
    throw new UsageError(`--${name}: an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(v)}`);
  return ms;
}

/** An S3 client for the tool: path-style on an emulator endpoint, region redirects followed. */
function toolS3Client(o: { endpoint?: string; region?: string }): S3Client {
  const local = o.endpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(o.endpoint);
  const region =
    o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  return new S3Client({
    ...(o.endpoint ? { endpoint: o.endpoint, forcePathStyle: true } : {}),
    ...(local && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    ...(region ? { region } : {}),
    followRegionRedirects: true,
    maxAttempts: 3,
  });
}

export type { S3RedriveOptions, S3RedriveSummary };
export {
  formatRanges,
  parseDocuments,
  parseRanges,
  parseS3Uri,
  progressValues,
  redriveFromS3,
  S3_TAG,
  s3SummaryLine,
  timeOption,
  toolS3Client,
};
