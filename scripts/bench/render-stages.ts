/**
 * Where a rendered event's time goes, per stage, in one process on the same lines:
 * `JSON.parse`, `JSON.parse` + `JSON.stringify` (the baseline's per-line work, encoded to UTF-8), `parseInput`,
 * `redactSecrets`, and each renderer with the UTF-8 encoding of its output (what the writer pays).
 * CPU time per event, least of the rounds. Not a target: `npm run bench -- --only render` holds the
 * ratios; this explains them.
 * The CLI renders each event right after parsing it, so its data is in cache: a small set of
 * events is rendered many times over (a large retained set would measure cache misses instead).
 * Run: `npx tsx scripts/bench/render-stages.ts [events] [repeats]`.
 */

import { sampleEvents } from '../../local/sample-events.js';
import { redactSecrets } from '../../shared/model/secrets.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { createRenderer } from '../../shared/render/index.js';

const distinct = Number(process.argv[2] ?? 2_000);
const repeats = Number(process.argv[3] ?? 25);
const count = distinct * repeats;
const lines = Array.from(sampleEvents(distinct, 7), (e) => JSON.stringify(e));
const receivedAtMs = Date.now();

function time(name: string, rounds: number, f: () => unknown): number {
  f(); // warm up
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // CPU time, not wall time: the figure should not depend on what else the machine runs
    const t0 = process.cpuUsage();
    for (let k = 0; k < repeats; k++) f();
    const d = process.cpuUsage(t0);
    ms.push((d.user + d.system) / 1000);
  }
  // the least CPU time of the rounds: other processes only ever add to it (caches, GC timing)
  const m = Math.min(...ms);
  process.stdout.write(`${name.padEnd(48)} ${((m * 1000) / count).toFixed(3).padStart(8)} µs/event\n`);
  return m;
}

let sink = 0;
const parsed: SecurityEvent[] = lines.map((l) => redactSecrets(parseInput(l, { receivedAtMs })));
const raw = lines.map((l) => parseInput(l, { receivedAtMs }));
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
time('JSON.parse', rounds, () => {
  for (const l of lines) sink += (JSON.parse(l) as { id: string }).id.length;
});
// the writer encodes every line to UTF-8: a text built by many concatenations is flattened then
time('baseline: JSON.parse + JSON.stringify + encode', rounds, () => {
  for (const l of lines) sink += Buffer.byteLength(JSON.stringify(JSON.parse(l)));
});
time('parseInput', rounds, () => {
  for (const l of lines) sink += parseInput(l, { receivedAtMs }).eventId.length;
});
time('redactSecrets', rounds, () => {
  for (const e of raw) sink += redactSecrets(e).eventId.length;
});
for (const f of ['cef', 'rfc5424'] as const) {
  const r = createRenderer(f);
  time(`render ${f} + encode`, rounds, () => {
    for (const e of parsed) sink += Buffer.byteLength(r.renderWithInfo(e).text);
  });
}
if (sink === 0) process.stdout.write('\n');
