/**
 * Latency at a steady rate: `npm start -- --rate R --duration S` in its own process (the same code,
 * the same report), read back from its summary JSON. R and S default to 200 events/s for 60 s
 * (`BENCH_LATENCY_RATE`, `BENCH_LATENCY_SECONDS`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LatencyReport } from '../../local/latency.js';

interface LatencyRun {
  readonly rate: number;
  readonly seconds: number;
  readonly events: number;
  /** the run's own verdict: every event delivered or parked with a reason */
  readonly ok: boolean;
  readonly report: LatencyReport;
  /** the summary's latency lines, as `npm start` printed them */
  readonly lines: string[];
}

async function benchLatency(rate: number, seconds: number): Promise<LatencyRun> {
  const dir = mkdtempSync(join(tmpdir(), 'segura-bench-latency-'));
  const json = join(dir, 'summary.json');
  try {
    const start = fileURLToPath(new URL('../../local/start.ts', import.meta.url));
    const args = ['--import', 'tsx', start, '--rate', String(rate), '--duration', String(seconds)];
    args.push('--out', join(dir, 'out'), '--summary-json', json, '--timeout', '120');
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      p.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      p.on('error', reject);
      p.on('close', (code) => {
        if (code !== 0) reject(new Error(`npm start --rate ${rate} exited ${code}: ${(stdout + stderr).slice(-1500)}`));
        else resolve(stdout);
      });
    });
    const summary = JSON.parse(readFileSync(json, 'utf8')) as { ok: boolean; input: number; latency: LatencyReport };
    const all = out.split('\n');
    const from = all.findIndex((l) => l.startsWith('  latency per event'));
    const to = all.findIndex((l, i) => i > from && l.startsWith("  relay's own work"));
    return {
      rate,
      seconds,
      events: summary.input,
      ok: summary.ok,
      report: summary.latency,
      lines: from >= 0 && to > from ? all.slice(from, to + 1) : [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type { LatencyRun };
export { benchLatency };
