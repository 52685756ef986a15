/**
 * Render throughput: `segura-relay render --format X` vs a plain JSON.parse + JSON.stringify pass
 * with the same I/O (`segura-relay _json-roundtrip`), side by side in one run on the same generated
 * input, alternating runs and taking the median. Peak RSS at two input sizes shows memory is flat.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleEvents } from '../../local/sample-events.js';

interface RunResult {
  wallMs: number;
  maxRssKb: number;
  cpuMs: number;
}

async function writeInput(path: string, count: number): Promise<number> {
  const ws = createWriteStream(path);
  let bytes = 0;
  let buf = '';
  for (const e of sampleEvents(count, 7)) {
    buf += `${JSON.stringify(e)}\n`;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!ws.write(buf)) await new Promise<void>((r) => ws.once('drain', () => r()));
      buf = '';
    }
  }
  bytes += Buffer.byteLength(buf);
  ws.write(buf);
  await new Promise<void>((r, j) => ws.end((e?: Error | null) => (e ? j(e) : r())));
  return bytes;
}

function runOnce(args: string[], input: string, dir: string, cli = 'dist/cli.mjs'): Promise<RunResult> {
  const probe = join(dir, `probe-${process.hrtime.bigint()}.json`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['--import', new URL('./rss-probe.mjs', import.meta.url).pathname, cli, ...args],
      {
        stdio: [openSync(input, 'r'), 'ignore', 'pipe'],
        env: { ...process.env, BENCH_PROBE_FILE: probe },
      },
    );
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) {
        reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
        return;
      }
      const p = JSON.parse(readFileSync(probe, 'utf8')) as { maxRssKb: number; userUs: number; systemUs: number };
      resolve({ wallMs, maxRssKb: p.maxRssKb, cpuMs: (p.userUs + p.systemUs) / 1000 });
    });
  });
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] as number;
};

interface RenderBench {
  events: number;
  inputBytes: number;
  rows: Array<{
    name: string;
    eventsPerSec: number;
    ratioToJson: number;
    cpuMsPer1k: number;
    peakRssMb: number;
    peakRssMbAt2x: number;
  }>;
}

async function benchRender(count = 100_000, rounds = 3): Promise<RenderBench> {
  const dir = mkdtempSync(join(tmpdir(), 'segura-bench-'));
  try {
    const small = join(dir, 'events.ndjson');
    const large = join(dir, 'events-2x.ndjson');
    const inputBytes = await writeInput(small, count);
    await writeInput(large, count * 2);
    const variants: Array<[string, string[], string?]> = [
      ['json-roundtrip (baseline)', ['_json-roundtrip']],
      ['cef', ['render', '--format', 'cef']],
      ['rfc5424', ['render', '--format', 'rfc5424']],
      ['rfc5424 + octet framing', ['render', '--format', 'rfc5424', '--framing', 'octet']],
      ['leef', ['render', '--format', 'leef']],
      ['ecs', ['render', '--format', 'ecs']],
    ];
    // BENCH_BEFORE_CLI=<another build of dist/cli.mjs>: its CEF and RFC 5424 rows in the same run,
    // for before/after figures measured side by side
    const before = process.env.BENCH_BEFORE_CLI;
    if (before) {
      variants.push(['cef (before)', ['render', '--format', 'cef'], before]);
      variants.push(['rfc5424 (before)', ['render', '--format', 'rfc5424'], before]);
    }
    const runs = new Map<string, RunResult[]>(variants.map(([n]) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, args, cli] of variants) {
        (runs.get(name) as RunResult[]).push(await runOnce(args, small, dir, cli));
      }
    }
    const big = new Map<string, number>();
    for (const [name, args, cli] of variants) big.set(name, (await runOnce(args, large, dir, cli)).maxRssKb);
    const baseMs = median((runs.get(variants[0]?.[0] as string) as RunResult[]).map((x) => x.wallMs));
    const rows = variants.map(([name]) => {
      const rs = runs.get(name) as RunResult[];
      const ms = median(rs.map((x) => x.wallMs));
      return {
        name,
        eventsPerSec: Math.round((count / ms) * 1000),
        ratioToJson: Number((baseMs / ms).toFixed(2)),
        cpuMsPer1k: Number((median(rs.map((x) => x.cpuMs)) / (count / 1000)).toFixed(2)),
        peakRssMb: Number((median(rs.map((x) => x.maxRssKb)) / 1024).toFixed(1)),
        peakRssMbAt2x: Number(((big.get(name) ?? 0) / 1024).toFixed(1)),
      };
    });
    return { events: count, inputBytes, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { RenderBench };
export { benchRender };
