/**
 * `segura-relay send`: put events on a queue for smoke and load tests of a deployed (or local)
 * relay: NDJSON envelopes or raw vault lines from a file or stdin, or `--count N` generated events.
 */

import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { backoffMs, isConfigError, sendMessageBatch, toolSqsClient } from '../bridge/sqs.js';
import { sampleEvents } from '../local/sample-events.js';
import { errorMessage, InvalidEventError } from '../shared/errors.js';
import { DEFAULT_MAX_INPUT_BYTES, parseInput } from '../shared/parse/parse-payload.js';
import { intOption, parse, UsageError } from './args.js';
import { encodingMessage, LineErrors, readLines, tooLongMessage } from './lines.js';

const HELP = `Usage: segura-relay send --queue-url URL [--count N | --file FILE | --rejected FILE] [options] [< events.ndjson]

Sends one SQS message per input line (a JSON envelope, the vault's RFC 5424 line or a CEF line,
unchanged) with SendMessageBatch, or --count N generated events with a realistic mix. For smoke
tests of a deployed stack (send a few, watch them arrive) and load tests (--count 100000 --rate 500).

Input (one of):
  --count N            generate N sample events (deterministic for --seed)
  --seed S             seed for --count (default 42)
  --file FILE          read NDJSON from FILE ('-' = stdin; default: stdin when it is not a terminal)
  --rejected FILE      resend the messages a bridge kept in its rejected-messages file (each
                       line's "body"), once the reason SQS refused them is fixed

Options:
  --queue-url URL      target queue (required)
  --region R           AWS region (default: the queue URL's, then AWS_REGION / profile)
  --endpoint-url URL   SQS endpoint (local emulators: the URL npm start prints)
  --rate N             at most N messages per second (default: as fast as SQS takes them)
  --concurrency N      SendMessageBatch calls in flight (default 4)
  --skip-invalid       do not send lines the relay would reject (default: send them and count them)
  --group-id ID        MessageGroupId for a FIFO queue (default segura-send)
  --max-attempts N     tries per batch before counting it failed (default 5)
  -h, --help           this help

Progress goes to stderr; the last line is the count:
  sent N, failed N, invalid N (sent|skipped), M.M s, R msg/s
Exit status: 0 all sent, 1 some failed, 2 usage error.`;

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

interface SendStats {
  read: number;
  sent: number;
  failed: number;
  invalid: number;
  skipped: number;
}

/** Options for {@link sendCommand} tests. */
interface SendDeps {
  readonly client?: SQSClient;
  /** stdin is a terminal (no piped input) @default io.stdin.isTTY */
  readonly stdinIsTty?: boolean;
}

async function* bodiesFrom(
  v: { count?: number; seed: number; file?: string; rejected?: string },
  io: Io,
  onTooLong: (n: number, bytes: number) => void,
  onBadLine: (n: number, why: string) => void,
  onEncoding: (message: string) => void,
): AsyncGenerator<{ n: number; body: string }> {
  if (v.count !== undefined) {
    let n = 0;
    for (const e of sampleEvents(v.count, v.seed)) yield { n: ++n, body: JSON.stringify(e) };
    return;
  }
  if (v.rejected !== undefined) {
    // the bridge's rejected-messages file (bridge/rejected.ts): one JSON object per line
    for await (const ev of readLines(createReadStream(v.rejected), 2 * DEFAULT_MAX_INPUT_BYTES + 4096)) {
      if (ev.kind === 'encoding') {
        onEncoding(encodingMessage(ev));
        continue;
      }
      if (ev.kind === 'toolong') {
        onTooLong(ev.n, ev.bytes);
        continue;
      }
      if (ev.text.trim() === '') continue;
      let body: unknown;
      try {
        body = (JSON.parse(ev.text) as { body?: unknown }).body;
      } catch (e) {
        onBadLine(ev.n, `not JSON (${errorMessage(e)})`);
        continue;
      }
      if (typeof body !== 'string') onBadLine(ev.n, 'no "body" string');
      else yield { n: ev.n, body };
    }
    return;
  }
  const input = (v.file === undefined || v.file === '-' ? io.stdin : createReadStream(v.file)) as Readable;
  for await (const ev of readLines(input, DEFAULT_MAX_INPUT_BYTES)) {
    if (ev.kind === 'encoding') onEncoding(encodingMessage(ev));
    else if (ev.kind === 'toolong') onTooLong(ev.n, ev.bytes);
    else if (ev.text.trim() !== '') yield { n: ev.n, body: ev.text };
  }
}

async function sendCommand(argv: string[], io: Io, deps: SendDeps = {}): Promise<number> {
  const { values: v } = parse(argv, {
    'queue-url': { type: 'string' },
    region: { type: 'string' },
    'endpoint-url': { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    file: { type: 'string' },
    rejected: { type: 'string' },
    rate: { type: 'string' },
    concurrency: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    'group-id': { type: 'string' },
    'max-attempts': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const queueUrl = v['queue-url'];
  if (queueUrl === undefined) throw new UsageError('--queue-url is required');
  if (!/^https?:\/\/[^/]+\/[^/]+\/[^/]+$/.test(queueUrl)) {
    throw new UsageError(
      `--queue-url: expected https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got ${JSON.stringify(queueUrl)}`,
    );
  }
  const count = intOption('count', v.count, 1, 100_000_000);
  const seed = intOption('seed', v.seed, 0, 2 ** 31) ?? 42;
  if ([count, v.file, v.rejected].filter((x) => x !== undefined).length > 1) {
    throw new UsageError('--count, --file and --rejected are exclusive');
  }
  if (
    count === undefined &&
    v.file === undefined &&
    v.rejected === undefined &&
    (deps.stdinIsTty ?? (io.stdin as { isTTY?: boolean }).isTTY)
  ) {
    throw new UsageError('nothing to send: give --count N, --file FILE, or pipe NDJSON on stdin');
  }
  const rate = intOption('rate', v.rate, 1, 1_000_000);
  const concurrency = intOption('concurrency', v.concurrency, 1, 64) ?? 4;
  const maxAttempts = intOption('max-attempts', v['max-attempts'], 1, 100) ?? 5;
  const fifo = /\.fifo$/.test(queueUrl);
  const groupId = v['group-id'] ?? 'segura-send';
  const client =
    deps.client ??
    toolSqsClient({
      ...(v['endpoint-url'] !== undefined ? { endpoint: v['endpoint-url'] } : {}),
      ...(v.region !== undefined ? { region: v.region } : {}),
      queueUrl,
    });

  const stats: SendStats = { read: 0, sent: 0, failed: 0, invalid: 0, skipped: 0 };
  const t0 = Date.now();
  const tty = io.stderr.isTTY === true;
  let lastProgress = t0;
  const progress = (final = false): void => {
    const s = (Date.now() - t0) / 1000;
    const line = `sent ${stats.sent}${count !== undefined ? `/${count}` : ''}, failed ${stats.failed}, invalid ${stats.invalid} (${v['skip-invalid'] ? 'skipped' : 'sent'}), ${s.toFixed(1)} s, ${Math.round(stats.sent / Math.max(s, 0.001))} msg/s`;
    if (final) io.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
    else if (tty) io.stderr.write(`\r\x1b[K${line}`);
    else io.stderr.write(`${line}\n`);
  };
  let fatal: string | null = null;

  const sendOne = async (batch: { n: number; body: string }[]): Promise<void> => {
    let todo = batch.map(({ n, body }) => ({
      n,
      body,
      ...(fifo ? { groupId, dedupId: randomUUID() } : {}),
    }));
    for (let attempt = 0; todo.length > 0; attempt++) {
      const out = await sendMessageBatch(client, queueUrl, todo);
      stats.sent += out.accepted.length;
      for (const r of out.rejected) {
        stats.failed++;
        const n = todo[r.index]?.n;
        if (n === undefined) io.stderr.write(`${tty ? '\r\x1b[K' : ''}rejected by SQS: ${r.code}: ${r.message}\n`);
        else lineErrors.report(n, `rejected by SQS: ${r.code}: ${r.message}: not sent`);
      }
      if (out.callError && isConfigError(out.callError)) {
        fatal = `${out.callError.name}: ${out.callError.message}`;
        stats.failed += out.retry.length;
        return;
      }
      const retry = out.retry.map((i) => todo[i] as (typeof todo)[number]);
      if (retry.length > 0 && attempt + 1 >= maxAttempts) {
        stats.failed += retry.length;
        const why = out.callError ? `${out.callError.name}: ${out.callError.message}` : 'entries failed';
        io.stderr.write(
          `${tty ? '\r\x1b[K' : ''}gave up on ${retry.length} message(s) after ${maxAttempts} attempts: ${why}\n`,
        );
        return;
      }
      todo = retry;
      if (todo.length > 0) await new Promise((r) => setTimeout(r, backoffMs(attempt, 200, 5_000)));
    }
  };

  const inFlight = new Set<Promise<void>>();
  const launch = async (batch: { n: number; body: string }[]): Promise<void> => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const p = sendOne(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const lineErrors = new LineErrors((s) => io.stderr.write(`${tty ? '\r\x1b[K' : ''}${s}`));
  let batch: { n: number; body: string }[] = [];
  let batchBytes = 0;
  try {
    for await (const { n: lineNo, body } of bodiesFrom(
      {
        ...(count !== undefined ? { count } : {}),
        seed,
        ...(v.file !== undefined ? { file: v.file } : {}),
        ...(v.rejected !== undefined ? { rejected: v.rejected } : {}),
      },
      io,
      (n, bytes) => {
        stats.failed++;
        lineErrors.report(n, tooLongMessage(bytes, DEFAULT_MAX_INPUT_BYTES));
      },
      (n, why) => {
        stats.failed++;
        lineErrors.report(n, `not a rejected-messages entry: ${why}: not sent`);
      },
      (message) => io.stderr.write(`segura-relay send: ${message}\n`),
    )) {
      if (fatal !== null) break;
      stats.read++;
      try {
        parseInput(body);
      } catch (e) {
        if (!(e instanceof InvalidEventError)) throw e;
        stats.invalid++;
        if (v['skip-invalid']) {
          stats.skipped++;
          continue;
        }
      }
      const bytes = Buffer.byteLength(body, 'utf8');
      if (batch.length === 10 || (batch.length > 0 && batchBytes + bytes > 1_048_576)) {
        await launch(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push({ n: lineNo, body });
      batchBytes += bytes;
      if (rate !== undefined) {
        // pace on the messages handed out so far: sleep until this one is due
        const due = t0 + (stats.read * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 100 && batch.length > 0) {
          // a slow rate must not hold messages back until a batch of 10 is full
          await launch(batch);
          batch = [];
          batchBytes = 0;
        }
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      if (Date.now() - lastProgress >= (tty ? 250 : 5_000)) {
        lastProgress = Date.now();
        progress();
      }
    }
    if (batch.length > 0 && fatal === null) await launch(batch);
    await Promise.all(inFlight);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      throw new UsageError(
        v.rejected !== undefined
          ? `--rejected: cannot read ${v.rejected}: ${err.code}`
          : `--file: cannot read ${v.file}: ${err.code}`,
      );
    }
    throw e;
  } finally {
    if (deps.client === undefined) client.destroy();
  }
  lineErrors.finish();
  if (fatal !== null) io.stderr.write(`${tty ? '\r\x1b[K' : ''}segura-relay send: stopped: ${fatal}\n`);
  progress(true);
  return stats.failed > 0 || fatal !== null ? 1 : 0;
}

export { sendCommand };
