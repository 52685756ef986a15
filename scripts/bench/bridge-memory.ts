/**
 * Bridge memory under a 1-byte drip (issue 19, point 2): the real `segura-relay bridge` process
 * (cli/entry.ts through tsx), N TCP connections each sending one partial line one byte per segment
 * (TCP_NODELAY, round-robin, one event-loop turn per round), then the LF. Reports the child's RSS
 * (VmRSS, and VmHWM for the peak, from /proc) before, at the end of the drip, and after the
 * connections closed, next to the bridge's own accounting (`partialBytesPeak` of its status line).
 *
 * `BENCH_BRIDGE_BASELINE=/path/to/another/checkout` runs the same drip against that checkout's
 * bridge too (e.g. the code before this change) for comparison.
 *
 * Run alone: `npx tsx scripts/bench/bridge-memory.ts` (BENCH_DRIP_BYTES, BENCH_DRIP_CONNS=64,256).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

interface DripRun {
  readonly code: string;
  readonly connections: number;
  readonly bytesPerConnection: number;
  readonly rssIdleMb: number;
  readonly rssDripMb: number;
  readonly peakRssMb: number;
  readonly rssAfterMb: number;
  /** the bridge's own accounting, from its status line; null for a bridge without it */
  readonly partialBytesPeak: number | null;
  readonly delivered: number;
  readonly wallS: number;
}

// the SDK's multi-line Node-version notice would clutter the table
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memKb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const v = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
  return { rss: v('VmRSS'), hwm: v('VmHWM') };
}

async function dripOnce(root: string, label: string, conns: number, bytes: number): Promise<DripRun> {
  const sqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  const client = new SQSClient({
    endpoint: `http://127.0.0.1:${sqs.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const url = (await client.send(new CreateQueueCommand({ QueueName: 'segura-ingest' }))).QueueUrl as string;
  const dir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/entry.ts',
      'bridge',
      '--queue-url',
      url,
      '--endpoint-url',
      `http://127.0.0.1:${sqs.port}`,
      '--tcp',
      '127.0.0.1:0',
      '--spool-dir',
      join(dir, 'spool'),
      '--status-interval',
      '1',
      // let every connection in from one address, and let the drip run (by default --frame-timeout
      // closes a message dripped for 30 s: the defence, but here the memory is what is measured)
      ...(label === 'this change'
        ? ['--max-connections-per-source', String(Math.min(conns, 256)), '--frame-timeout', '3600']
        : []),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('{')) logs.push(JSON.parse(l) as Record<string, unknown>);
  });
  const t0 = Date.now();
  while (!logs.some((l) => l.msg === 'bridge started')) {
    if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`${label}: bridge did not start`);
    await sleep(20);
  }
  const port = logs.find((l) => l.msg === 'listening')?.port as number;
  await sleep(1_000);
  const pid = child.pid as number;
  const idle = memKb(pid);
  const socks = await Promise.all(
    Array.from(
      { length: conns },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
          s.setNoDelay(true);
          s.once('error', reject);
        }),
    ),
  );
  const lines = socks.map((_, k) =>
    Buffer.from(`<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - c=${k} `.padEnd(bytes, 'd')),
  );
  const tDrip = Date.now();
  for (let i = 0; i < bytes; i++) {
    for (let k = 0; k < conns; k++) (socks[k] as Socket).write((lines[k] as Buffer).subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
  await sleep(1_500);
  const dripped = memKb(pid);
  for (const s of socks) s.end('\n');
  await sleep(3_000);
  global.gc?.();
  const after = memKb(pid);
  const status = logs.filter((l) => l.msg === 'status').at(-1);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const summary = logs.find((l) => l.msg === 'summary');
  for (const s of socks) s.destroy();
  client.destroy();
  await sqs.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    code: label,
    connections: conns,
    bytesPerConnection: bytes,
    rssIdleMb: mb(idle.rss),
    rssDripMb: mb(dripped.rss),
    peakRssMb: mb(Math.max(dripped.hwm, after.hwm)),
    rssAfterMb: mb(after.rss),
    partialBytesPeak: typeof status?.partialBytesPeak === 'number' ? status.partialBytesPeak : null,
    delivered: Number(summary?.sent ?? 0),
    wallS: Math.round((Date.now() - tDrip) / 100) / 10,
  };
}

/** Every (code, connection count) pair, one bridge process each. */
async function benchBridgeMemory(
  conns: readonly number[] = [64, 256],
  bytes = 16_384,
  baseline = process.env.BENCH_BRIDGE_BASELINE,
): Promise<DripRun[]> {
  const here = fileURLToPath(new URL('../..', import.meta.url));
  const out: DripRun[] = [];
  for (const n of conns) {
    out.push(await dripOnce(here, 'this change', n, bytes));
    if (baseline) out.push(await dripOnce(baseline, 'baseline', n, bytes));
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const conns = (process.env.BENCH_DRIP_CONNS ?? '64,256').split(',').map(Number);
  const runs = await benchBridgeMemory(conns, Number(process.env.BENCH_DRIP_BYTES ?? 16_384));
  for (const r of runs) process.stdout.write(`${JSON.stringify(r)}\n`);
}

export type { DripRun };
export { benchBridgeMemory };
