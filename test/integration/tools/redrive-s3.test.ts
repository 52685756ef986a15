/**
 * `segura-relay redrive --from-s3` with the real S3 and SQS clients against the S3 double and
 * fauxqs: backup objects in Firehose's layout (the documented Splunk and HTTP endpoint records,
 * GZIP and plain) are replayed line by line; an object goes only once SQS accepted all of it;
 * `--keep-objects` tags instead and later runs skip it; an unreadable record keeps its object and
 * fails the run loudly; progress that does not fit in the object's tags, or a delete that S3
 * refuses, is reported; usage errors name the option.
 */
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import { redriveCommand } from '../../../cli/redrive.js';
import { S3_TAG } from '../../../cli/redrive-s3.js';
import { type S3Double, startS3Double } from '../../../local/s3-double.js';
import type { FirehoseFailedRecord } from '../../../shared/config/firehose-backup.js';
import { Sqs } from './helpers.js';

const BUCKET = 'relay-archive';
const PREFIX = 'splunk-failed/';

let sqs: Sqs;
let s3: S3Double;
let queueUrl: string;
beforeEach(async () => {
  sqs = await Sqs.start();
  s3 = await startS3Double({ buckets: [BUCKET] });
  queueUrl = await sqs.queue('segura-firehose-splunk');
});
afterEach(async () => {
  await s3.stop();
  await sqs.stop();
  sqs.destroy();
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const w = (sink: string[]) =>
    new Writable({
      write(chunk, _enc, cb) {
        sink.push(String(chunk));
        cb();
      },
    });
  return { io: { stdout: w(out), stderr: w(err) }, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function run(argv: string[]) {
  const c = io();
  const code = await redriveCommand(
    [
      '--from-s3',
      `s3://${BUCKET}/${PREFIX}`,
      '--s3-endpoint-url',
      s3.endpoint,
      '--endpoint-url',
      sqs.endpoint,
      ...argv,
    ],
    c.io,
  );
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

const cef = (id: string, n: number) => `CEF:0|MT4|Segura|3|${id}|Password viewed|3|rt=${n} msg=event ${n}`;

/** A failed record in the documented Splunk layout (retry.html). */
function splunkRecord(line: string, at = Date.UTC(2026, 11, 2, 10)): FirehoseFailedRecord {
  return {
    attemptsMade: 0,
    arrivalTimestamp: at,
    errorCode: 'Splunk.AckTimeout',
    errorMessage: 'Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired.',
    attemptEndingTimestamp: at + 300_000,
    rawData: Buffer.from(`${line}\n`).toString('base64'),
    EventId: '49577193928114147339600778471082492393164139877200035842.0',
  };
}

/** The documented HTTP endpoint layout. */
function httpRecord(line: string, at = Date.UTC(2026, 11, 2, 11)): FirehoseFailedRecord {
  return {
    attemptsMade: 5,
    arrivalTimestamp: at,
    errorCode: 'HttpEndpoint.DestinationException',
    errorMessage: 'Received the following response from the endpoint destination. 401: Unauthorized',
    attemptEndingTimestamp: at + 7_200_000,
    rawData: Buffer.from(`${line}\n`).toString('base64'),
    subsequenceNumber: 0,
    dataId: '49607357361271740811418664280693044274821622880012337186.0',
  };
}

function putObject(key: string, docs: Array<FirehoseFailedRecord | string>, gzip = true): void {
  const text = docs.map((d) => `${typeof d === 'string' ? d : JSON.stringify(d)}\n`).join('');
  s3.put(BUCKET, `${PREFIX}${key}`, gzip ? gzipSync(text) : Buffer.from(text));
}

async function queued(): Promise<Array<{ body: string; format?: string; source?: string }>> {
  const out: Array<{ body: string; format?: string; source?: string }> = [];
  for (let i = 0; i < 20; i++) {
    const r = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    if (!r.Messages?.length) break;
    for (const m of r.Messages)
      out.push({
        body: m.Body ?? '',
        ...(m.MessageAttributes?.['relay.replay.format']?.StringValue
          ? { format: m.MessageAttributes['relay.replay.format'].StringValue }
          : {}),
        ...(m.MessageAttributes?.['relay.replay.source']?.StringValue
          ? { source: m.MessageAttributes['relay.replay.source'].StringValue }
          : {}),
      });
  }
  return out;
}

describe('redrive --from-s3 against the S3 double and fauxqs', () => {
  it('replays each line of the documented Splunk and HTTP layouts, GZIP or plain, then deletes the objects', async () => {
    putObject('2026/a.gz', [splunkRecord(cef('164', 1)), splunkRecord(cef('165', 2))]);
    putObject('2026/b', [httpRecord(cef('16', 3))], false);
    const r = await run(['--to', queueUrl]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /objects 2, lines 3, matched 3, replayed 3, .*failed 0, unreadable 0; objects deleted 2, tagged 0, kept 0/,
    );
    const got = await queued();
    expect(got.map((m) => m.body).sort()).toEqual([cef('164', 1), cef('165', 2), cef('16', 3)].sort());
    expect(got.every((m) => m.format === 'cef')).toBe(true);
    expect(got.map((m) => m.source).sort()).toEqual([
      `s3://${BUCKET}/${PREFIX}2026/a.gz#0`,
      `s3://${BUCKET}/${PREFIX}2026/a.gz#1`,
      `s3://${BUCKET}/${PREFIX}2026/b#0`,
    ]);
    expect(s3.keys(BUCKET, PREFIX)).toEqual([]);
  });

  it('--keep-objects tags instead of deleting; a later run skips the tagged objects', async () => {
    putObject('a.gz', [splunkRecord(cef('1', 1))]);
    const first = await run(['--to', queueUrl, '--keep-objects']);
    expect(first.stderr).toMatch(/replayed 1,.*objects deleted 0, tagged 1/);
    expect(s3.tags(BUCKET, `${PREFIX}a.gz`)?.get(S3_TAG.done)).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = await run(['--to', queueUrl, '--keep-objects']);
    expect(second.stderr).toMatch(/objects 1 \(done earlier 1\), lines 0, matched 0, replayed 0/);
    expect(await queued()).toHaveLength(1);
  });

  it('an unreadable record keeps its object and fails the run; the readable lines go once', async () => {
    putObject('mixed.gz', [splunkRecord(cef('1', 1)), '{"attemptsMade":1,"rawData":"%%%"}', splunkRecord(cef('2', 2))]);
    const first = await run(['--to', queueUrl]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`s3://${BUCKET}/${PREFIX}mixed.gz: 1 record(s) or line(s) are not a replayable`);
    expect(first.stderr).toMatch(/replayed 2, .*unreadable 1; objects deleted 0, tagged 0, kept 1/);
    expect(s3.tags(BUCKET, `${PREFIX}mixed.gz`)?.get(S3_TAG.progress)).toBe('0-1');
    const second = await run(['--to', queueUrl]);
    expect(second.stderr).toMatch(/matched 0, replayed 0, skipped by filter 0, already replayed 2/);
    expect(await queued()).toHaveLength(2);
  });

  it('progress that does not fit in the object tags is reported (a rerun would resend), exit 1', async () => {
    putObject('full.gz', [splunkRecord(cef('1', 1)), splunkRecord(cef('2', 2))]);
    const { PutObjectTaggingCommand, S3Client } = await import('@aws-sdk/client-s3');
    const c = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    await c.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}full.gz`,
        Tagging: { TagSet: Array.from({ length: 10 }, (_, i) => ({ Key: `owner-${i}`, Value: 'x' })) },
      }),
    );
    c.destroy();
    const r = await run(['--to', queueUrl, '--event-id', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not fit in the object');
    expect(r.stderr).toMatch(/replayed 1, .*progress not recorded for 1 line\(s\)/);
    // the owner's tags are untouched
    expect(s3.tags(BUCKET, `${PREFIX}full.gz`)?.size).toBe(10);
  });

  it('a delete S3 refuses leaves the object with its progress tagged; the next run deletes it without resending', async () => {
    putObject('a.gz', [splunkRecord(cef('1', 1))]);
    s3.failNext('DeleteObject', 3);
    const first = await run(['--to', queueUrl]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/replayed completely but could not be deleted/);
    expect(s3.tags(BUCKET, `${PREFIX}a.gz`)?.get(S3_TAG.progress)).toBe('0');
    const second = await run(['--to', queueUrl]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/replayed 0, .*already replayed 1, .*objects deleted 1/);
    expect(await queued()).toHaveLength(1);
  });

  it('filters: --reason on the error code, --since/--until on the arrival time; the dry run prints and changes nothing', async () => {
    putObject('a.gz', [
      splunkRecord(cef('1', 1), Date.UTC(2026, 11, 2, 9)),
      httpRecord(cef('2', 2), Date.UTC(2026, 11, 2, 10)),
    ]);
    const dry = await run(['--dry-run', '--reason', '^HttpEndpoint\\.']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n')).toEqual([
      `s3://${BUCKET}/${PREFIX}a.gz#1  arrival=2026-12-02T10:00:00.000Z  HttpEndpoint.DestinationException  eventId=2  ${JSON.stringify(cef('2', 2))}`,
    ]);
    expect(dry.stderr).toMatch(/\(dry run: nothing sent, nothing deleted\)/);
    const windowed = await run([
      '--to',
      queueUrl,
      '--since',
      '2026-12-02T08:30:00Z',
      '--until',
      '2026-12-02T09:30:00Z',
    ]);
    expect(windowed.stderr).toMatch(/matched 1, replayed 1, skipped by filter 1/);
    expect((await queued()).map((m) => m.body)).toEqual([cef('1', 1)]);
    expect(s3.keys(BUCKET, PREFIX)).toHaveLength(1);
  });

  it('usage errors name the option', async () => {
    await expect(run([])).rejects.toThrow(new UsageError("--to is required: the destination's queue URL"));
    await expect(run(['--dlq-url', queueUrl, '--to', queueUrl])).rejects.toThrow(
      /--dlq-url does not apply to --from-s3/,
    );
    await expect(run(['--to', queueUrl, '--since', '2026-12-02', '--until', '2026-12-01'])).rejects.toThrow(
      /--until must be later than --since/,
    );
    await expect(run(['--to', queueUrl, '--json'])).rejects.toThrow(/--json prints records/);
    const c = io();
    await expect(redriveCommand(['--from-s3', 'https://x/y', '--dry-run'], c.io)).rejects.toThrow(/expected s3:\/\//);
    await expect(redriveCommand(['--dlq-url', queueUrl, '--keep-objects'], c.io)).rejects.toThrow(
      /--keep-objects applies to --from-s3 only/,
    );
  });
});
