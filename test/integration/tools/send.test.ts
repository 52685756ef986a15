/**
 * `segura-relay send` on fauxqs: generated events, NDJSON input, FIFO, and clear failures.
 */
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args.js';
import { sendCommand } from '../../../cli/send.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { SEED_LINE, Sqs } from './helpers.js';

let sqs: Sqs;
beforeEach(async () => {
  sqs = await Sqs.start();
});
afterEach(async () => {
  await sqs.stop();
  sqs.destroy();
});

async function run(argv: string[], stdin = '', stdinIsTty = false) {
  const err: string[] = [];
  const stderr = new Writable({
    write(chunk, _enc, cb) {
      err.push(String(chunk));
      cb();
    },
  });
  const stdout = new Writable({ write: (_c, _e, cb) => cb() });
  const code = await sendCommand(
    argv,
    { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr },
    { client: sqs.client, stdinIsTty },
  );
  return { code, stderr: err.join('') };
}

describe('segura-relay send', () => {
  it('--count N puts N realistic events on the queue', async () => {
    const url = await sqs.queue('segura-ingest');
    const r = await run(['--queue-url', url, '--count', '137', '--seed', '7']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^sent 137\/137, failed 0, invalid 0 \(sent\), [\d.]+ s, \d+ msg\/s$/,
    );
    const got = await sqs.drain(url, 137, 5_000);
    expect(got).toHaveLength(137);
    // every one is a valid envelope for the relay
    for (const m of got) expect(() => parseInput(m.Body as string)).not.toThrow();
  });

  it('NDJSON on stdin: one message per line, unchanged; invalid lines sent and counted, or skipped', async () => {
    const url = await sqs.queue('segura-ingest');
    const good = JSON.stringify({ id: '1', timestamp: '2026-01-19T10:41:00-03:00', fields: { suser: 'jsilva' } });
    const input = `${good}\n\n${SEED_LINE}\r\nnot an event\n`;

    const sent = await run(['--queue-url', url], input);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/sent 3, failed 0, invalid 1 \(sent\)/);
    expect((await sqs.drain(url, 3, 3_000)).map((m) => m.Body)).toEqual([good, SEED_LINE, 'not an event']);

    const skipped = await run(['--queue-url', url, '--skip-invalid'], input);
    expect(skipped.stderr).toMatch(/sent 2, failed 0, invalid 1 \(skipped\)/);
    expect((await sqs.drain(url, 2, 3_000)).map((m) => m.Body)).toEqual([good, SEED_LINE]);
  });

  it('FIFO queues get a message group and unique deduplication ids', async () => {
    const url = await sqs.queue('segura-ingest.fifo', { FifoQueue: 'true' });
    const r = await run(['--queue-url', url, '--count', '5', '--group-id', 'smoke']);
    expect(r.code).toBe(0);
    const got = await sqs.drain(url, 5, 3_000);
    expect(got.map((m) => m.Attributes?.MessageGroupId)).toEqual(Array(5).fill('smoke'));
    expect(new Set(got.map((m) => m.Attributes?.MessageDeduplicationId)).size).toBe(5);
  });

  it('a queue that does not exist stops at once with the reason and exit 1', async () => {
    const url = `${sqs.endpoint}/000000000000/nope`;
    let calls = 0;
    sqs.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendMessageBatchCommand') calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countSendMessageBatch' },
    );
    const r = await run(['--queue-url', url, '--count', '50']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stopped: .*(NonExistentQueue|QueueDoesNotExist)/);
    expect(r.stderr).toMatch(/sent 0\/50, failed 50,/);
    // "at once" is a count, not a time: each of the 5 batches of 10 was tried at most once (a queue
    // that does not exist is not retried with backoff)
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(5);
  });

  it('usage errors', async () => {
    await expect(run(['--count', '1'])).rejects.toThrow(/--queue-url is required/);
    await expect(run(['--queue-url', 'q', '--count', '1'])).rejects.toThrow(UsageError);
    const url = await sqs.queue('segura-ingest');
    await expect(run(['--queue-url', url], '', true)).rejects.toThrow(/nothing to send/);
    await expect(run(['--queue-url', url, '--count', '1', '--file', 'x'])).rejects.toThrow(/exclusive/);
    await expect(run(['--queue-url', url, '--file', '/nonexistent/events.ndjson'])).rejects.toThrow(/cannot read/);
  });
});
