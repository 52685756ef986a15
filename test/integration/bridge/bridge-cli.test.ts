/**
 * The real `segura-relay bridge` process (cli/entry.ts through tsx, so a stale dist/ bundle cannot
 * hide a change): SIGTERM flushes what it holds (to SQS, or to the spool when SQS is down), a
 * second signal exits at once, and a SIGKILL loses nothing that reached the spool.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../bridge/spool.js';
import { octet, Sqs, sendStream, sleep, waitFor } from '../tools/helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = ['--import', 'tsx', 'cli/entry.ts'];

interface Proc {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  tcpPort(): number;
}

const procs: Proc[] = [];
let sqs: Sqs;
let dir: string;

beforeEach(async () => {
  sqs = await Sqs.start();
  dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
});

afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  await sqs.stop();
  sqs.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function spawnBridge(queueUrl: string, extra: string[] = []): Proc {
  const child = spawn(
    process.execPath,
    [
      ...CLI,
      'bridge',
      '--queue-url',
      queueUrl,
      '--endpoint-url',
      sqs.endpoint,
      '--tcp',
      '127.0.0.1:0',
      '--spool-dir',
      join(dir, 'spool'),
      '--retry-max-ms',
      '200',
      '--request-timeout-ms',
      '2000',
      ...extra,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  const logs: Array<Record<string, unknown>> = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err += d;
    const lines = err.split('\n');
    logs.length = 0;
    for (const l of lines) if (l.startsWith('{')) logs.push(JSON.parse(l) as Record<string, unknown>);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const p: Proc = {
    child,
    logs,
    stderr: () => err,
    exited,
    tcpPort: () => logs.find((l) => l.msg === 'listening' && l.transport === 'tcp')?.port as number,
  };
  procs.push(p);
  return p;
}

async function started(p: Proc): Promise<number> {
  await waitFor(
    () => p.logs.some((l) => l.msg === 'bridge started') || p.child.exitCode !== null,
    15_000,
    'bridge started',
  );
  if (p.child.exitCode !== null) throw new Error(`bridge exited: ${p.stderr()}`);
  return p.tcpPort();
}

async function exitWithin(p: Proc, ms: number) {
  const r = await Promise.race([p.exited, sleep(ms).then(() => null)]);
  if (r === null) throw new Error(`bridge did not exit within ${ms} ms: ${p.stderr()}`);
  return r;
}

const line = (i: number) => `<13>1 2026-01-19T10:41:00-03:00 vault-01 senhasegura 1426 - seq=${i}`;
const segments = () => readdirSync(join(dir, 'spool')).filter((n) => n.startsWith('seg-'));

describe('segura-relay bridge (process)', () => {
  it('SIGTERM flushes the in-memory batch to SQS and exits 0 with a summary', async () => {
    const url = await sqs.queue('segura-ingest');
    // a 10 s linger: the 5 messages sit in memory until the signal
    const p = spawnBridge(url, ['--linger-ms', '10000']);
    const port = await started(p);
    await sendStream(port, [0, 1, 2, 3, 4].map((i) => octet(line(i))).join(''));
    await sleep(100);
    expect(await sqs.drain(url, 0, 0)).toEqual([]);

    p.child.kill('SIGTERM');
    const r = await exitWithin(p, 10_000);

    expect(r).toEqual({ code: 0, signal: null });
    expect((await sqs.drain(url, 5, 3_000)).map((m) => m.Body)).toEqual([0, 1, 2, 3, 4].map(line));
    expect(p.logs.find((l) => l.msg === 'summary')).toMatchObject({ sent: 5, received: { tcp: 5 }, spooled: 0 });
  });

  it('SIGTERM with SQS down spools to disk and exits 0; the next run replays it in order', async () => {
    const url = await sqs.queue('segura-ingest');
    await sqs.stop();
    const p1 = spawnBridge(url, ['--shutdown-timeout', '1']);
    const port = await started(p1);
    await sendStream(port, Array.from({ length: 30 }, (_, i) => octet(line(i))).join(''));
    p1.child.kill('SIGTERM');
    expect(await exitWithin(p1, 10_000)).toEqual({ code: 0, signal: null });
    expect(p1.logs.find((l) => l.msg === 'summary')).toMatchObject({ sent: 0, spooled: 30, spoolMessages: 30 });
    expect(segments().length).toBeGreaterThan(0);

    await sqs.restart();
    await sqs.queue('segura-ingest');
    const p2 = spawnBridge(url);
    await started(p2);
    expect(p2.logs).toContainEqual(
      expect.objectContaining({ msg: 'replaying the spool before new messages', spoolMessages: 30 }),
    );
    const got = await sqs.drain(url, 30, 10_000);
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 30 }, (_, i) => line(i)));
    await waitFor(() => segments().length === 0, 5_000, 'spool emptied');
    p2.child.kill('SIGTERM');
    expect(await exitWithin(p2, 10_000)).toEqual({ code: 0, signal: null });
  });

  it('SIGKILL loses nothing that reached the spool (at-least-once across a crash)', async () => {
    const url = await sqs.queue('segura-ingest');
    await sqs.stop();
    const p1 = spawnBridge(url, ['--fsync-interval-ms', '10']);
    const port = await started(p1);
    await sendStream(port, Array.from({ length: 20 }, (_, i) => octet(line(i))).join(''));
    // the failed first batch diverts everything to the spool; wait until it is all on disk
    await waitFor(
      () => segments().length > 0 && statSync(join(dir, 'spool', segments()[0] as string)).size > 20 * 80,
      5_000,
      'spool written',
    );
    await sleep(100);
    p1.child.kill('SIGKILL');
    expect(await exitWithin(p1, 5_000)).toEqual({ code: null, signal: 'SIGKILL' });

    await sqs.restart();
    await sqs.queue('segura-ingest');
    const p2 = spawnBridge(url);
    await started(p2);
    const got = await sqs.drain(url, 20, 10_000);
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 20 }, (_, i) => line(i)));
  });

  it('a damaged spool (flipped bytes, a damaged header, an unreadable segment) does not stop it: it starts, replays every intact record and reports the loss', async () => {
    // Prepare: a spool left by a stopped bridge, in 3 segments
    const spoolDir = join(dir, 'spool');
    const s = await Spool.open({ dir: spoolDir, maxBytes: 1 << 20, segmentBytes: 8 + 10 * 90 });
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 10; i++) s.append(s.nextSeq(), line(k * 10 + i));
      await s.flush();
    }
    await s.close();
    const files = segments().map((n) => join(spoolDir, n));
    expect(files).toHaveLength(3);
    const damage = (file: string, at: number) => {
      const buf = readFileSync(file);
      buf[at] = (buf[at] as number) ^ 0x10;
      writeFileSync(file, buf);
    };
    // segment 0: record 4's payload (every record is 20 + 65 bytes here)
    const size = 20 + Buffer.byteLength(line(0));
    damage(files[0] as string, 8 + 4 * size + 30);
    // segment 1: its header ("bad magic" used to stop the bridge at start)
    damage(files[1] as string, 2);
    // and a file with a segment's name and nothing of a spool in it
    writeFileSync(join(spoolDir, 'seg-0000000000000001.spool'), 'garbage, not a spool segment');
    const url = await sqs.queue('segura-ingest');

    // Act
    const p = spawnBridge(url);
    await started(p);
    const got = await sqs.drain(url, 29, 10_000);
    p.child.kill('SIGTERM');
    expect(await exitWithin(p, 10_000)).toEqual({ code: 0, signal: null });

    // Assess
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 30 }, (_, i) => line(i)).filter((_, i) => i !== 4));
    expect(p.logs.find((l) => l.msg === 'summary')).toMatchObject({
      sent: 29,
      replayed: 29,
      spoolLostRecords: 1,
      spoolLostBytes: size,
      spoolQuarantinedSegments: 1,
    });
    expect(p.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'spool segment unreadable: moved aside, the bridge goes on without it',
      }),
    );
    expect(readdirSync(join(spoolDir, 'quarantine'))).toEqual(['seg-0000000000000001.spool']);
    expect(segments()).toEqual([]);
  });

  it('a second signal exits at once', async () => {
    const url = await sqs.queue('segura-ingest');
    await sqs.stop();
    const p = spawnBridge(url, ['--shutdown-timeout', '60']);
    const port = await started(p);
    await sendStream(port, octet(line(0)));
    p.child.kill('SIGTERM');
    await waitFor(() => p.logs.some((l) => l.msg === 'signal received'), 5_000, 'first signal handled');
    p.child.kill('SIGTERM');
    // "at once" = without waiting out --shutdown-timeout 60 (exitWithin fails after 5 s)
    expect(await exitWithin(p, 5_000)).toEqual({ code: 143, signal: null });
  });

  it('--help exits 0; a usage error exits 2 naming the problem; a busy port exits 1', async () => {
    const help = spawnSync(process.execPath, [...CLI, 'bridge', '--help'], { cwd: ROOT, timeout: 20_000 });
    expect(help.status).toBe(0);
    expect(help.stdout.toString()).toMatch(/--spool-max-bytes SIZE/);
    const bad = spawnSync(process.execPath, [...CLI, 'bridge', '--queue-url', 'http://h/1/q'], {
      cwd: ROOT,
      timeout: 20_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.toString()).toMatch(/give at least one listener/);

    const url = await sqs.queue('segura-ingest');
    const p = spawnBridge(url);
    const port = await started(p);
    const busy = spawnSync(
      process.execPath,
      [
        ...CLI,
        'bridge',
        '--queue-url',
        url,
        '--endpoint-url',
        sqs.endpoint,
        '--tcp',
        `127.0.0.1:${port}`,
        '--spool-dir',
        join(dir, 'other'),
      ],
      { cwd: ROOT, timeout: 20_000 },
    );
    expect(busy.status).toBe(1);
    expect(busy.stderr.toString()).toMatch(/EADDRINUSE.*port in use/);
  });
});
