/**
 * `npm run bench`: one command, one table, and a JSON file (bench-results/bench.json).
 * Speed and memory targets live here, never in timed unit tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { inventoryOfFile } from '../../cli/cost-inventory.js';
import { computeCost } from '../../cli/cost-model.js';
import { benchBridgeMemory } from './bridge-memory.js';
import { benchColdStart } from './cold-start.js';
import { benchHandlers } from './handlers.js';
import { benchLatency } from './latency.js';
import { benchRender } from './render.js';

function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map(
      (r, j) =>
        r.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ') +
        (j === 0 ? `\n${w.map((x) => '-'.repeat(x)).join('  ')}` : ''),
    )
    .join('\n');
}

// `npm run bench -- --only render`: the render table and its targets, nothing else
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : process.argv[onlyAt + 1];
if (only !== undefined && only !== 'render') {
  process.stderr.write(`bench: --only takes render, got ${JSON.stringify(only)}\n`);
  process.exit(2);
}

const count = Number(process.env.BENCH_EVENTS ?? 100_000);
const render = await benchRender(count, Number(process.env.BENCH_ROUNDS ?? 3));
process.stdout.write(
  `\nRender throughput: ${render.events} generated events (${(render.inputBytes / 1e6).toFixed(1)} MB NDJSON), median of alternating runs\n\n`,
);
process.stdout.write(
  `${table(
    [
      'format',
      'events/s',
      'ratio vs JSON',
      'CPU ms/1k ev',
      `peak RSS MB (${render.events / 1000}k)`,
      `peak RSS MB (${(2 * render.events) / 1000}k)`,
    ],
    render.rows.map((r) => [
      r.name,
      r.eventsPerSec,
      r.ratioToJson.toFixed(2),
      r.cpuMsPer1k,
      r.peakRssMb,
      r.peakRssMbAt2x,
    ]),
  )}\n`,
);
const ratio = (n: string) => render.rows.find((r) => r.name === n)?.ratioToJson ?? 0;
const rssGrowth = Math.max(...render.rows.map((r) => r.peakRssMbAt2x / Math.max(1, r.peakRssMb)));
const renderTargets: Array<[string, string, string, boolean]> = [
  ['render CEF vs JSON round trip', `${ratio('cef').toFixed(2)}×`, '≥ 1.0×', ratio('cef') >= 1],
  ['render RFC 5424 vs JSON round trip', `${ratio('rfc5424').toFixed(2)}×`, '≥ 1.0×', ratio('rfc5424') >= 1],
  ['render memory, 2× input', `${rssGrowth.toFixed(2)}× peak RSS`, 'flat (≤ 1.3×)', rssGrowth <= 1.3],
];
if (only === 'render') {
  process.stdout.write(
    `\nTargets (this run)\n\n${table(
      ['metric', 'measured', 'target', 'met'],
      renderTargets.map(([m, v, t, ok]) => [m, v, t, ok ? 'yes' : 'NO']),
    )}\n`,
  );
  process.exit(0);
}
const HANDLER_LABELS: Record<string, string> = {
  firehose: 'deliver-firehose → Firehose double (cef, aggregated)',
  syslog: 'deliver-syslog → TLS receiver (rfc5424)',
  'syslog-tcp': 'deliver-syslog → plain TCP receiver (rfc5424)',
  'syslog-relp': 'deliver-syslog → RELP receiver, each event acknowledged',
  'syslog-relp+tls': 'deliver-syslog → RELP over TLS receiver, each event acknowledged',
};
const batch = Number(process.env.BENCH_BATCH ?? 10_000);
const handlers = await benchHandlers(batch);
process.stdout.write(
  `\nHandler throughput: one ${batch}-record batch per function, loopback destinations, own process\n\n`,
);
process.stdout.write(
  `${table(
    ['function → destination', 'events/s', 'CPU ms/1k ev', 'wall ms', 'peak RSS MB', 'failed'],
    handlers.map((h) => [
      HANDLER_LABELS[h.kind] ?? h.kind,
      Math.round((h.events / h.wallMs) * 1000),
      (h.cpuMs / (h.events / 1000)).toFixed(2),
      h.wallMs.toFixed(0),
      h.peakRssMb.toFixed(1),
      h.failed,
    ]),
  )}\n`,
);
const cold = await benchColdStart(Number(process.env.BENCH_COLD_RUNS ?? 7));
process.stdout.write(
  "\nCold start: bundled function (the stack's esbuild options, SDK included), import in a fresh process, median\n\n",
);
process.stdout.write(
  `${table(
    [
      'function',
      'bundle KB',
      'init ms (median)',
      'init CPU ms (median)',
      'init ms, no source maps',
      'init CPU ms, no source maps',
      'runs (ms)',
    ],
    cold.map((c) => [
      c.name,
      c.bundleKb,
      c.initMsMedian,
      c.initCpuMsMedian,
      c.noMapInitMsMedian,
      c.noMapInitCpuMsMedian,
      c.initMsRuns.join(' '),
    ]),
  )}\n`,
);

const dripBytes = Number(process.env.BENCH_DRIP_BYTES ?? 4_096);
const drips = await benchBridgeMemory([64, 256], dripBytes);
process.stdout.write(
  `\nBridge under a 1-byte drip: N connections, ${dripBytes} bytes each, one byte per TCP segment (bridge process RSS)\n\n`,
);
process.stdout.write(
  `${table(
    [
      'connections',
      'RSS idle MB',
      'RSS at end of drip MB',
      'peak RSS MB',
      'RSS after close MB',
      'accounted peak KB',
      'delivered',
    ],
    drips.map((d) => [
      d.connections,
      d.rssIdleMb,
      d.rssDripMb,
      d.peakRssMb,
      d.rssAfterMb,
      d.partialBytesPeak === null ? '-' : Math.round(d.partialBytesPeak / 1024),
      d.delivered,
    ]),
  )}\n`,
);

const latencyRate = Number(process.env.BENCH_LATENCY_RATE ?? 200);
const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 60);
const latency = await benchLatency(latencyRate, latencySeconds);
process.stdout.write(
  `\nLatency: npm start -- --rate ${latencyRate} --duration ${latencySeconds} (${latency.events} events, every function, fauxqs, the TLS collector, the Firehose double and the alert topics in one process), ms\n\n`,
);
process.stdout.write(`${latency.lines.join('\n')}\n`);
if (!latency.ok) process.stdout.write('  (the run lost or left events undelivered: see npm start)\n');

const byKind = new Map(handlers.map((h) => [h.kind, h]));
// the cost model of `segura-relay cost` (cli/cost-model.ts) for examples/full.json at full batches
const costReport = computeCost(inventoryOfFile('examples/full.json'), {
  rate: 2000,
  eventBytes: 600,
  filteredShare: 1,
});
const total = costReport.variableUsdPerMillion ?? 0;
process.stdout.write(
  '\nCost of examples/full.json at 2,000 events/s, 600-byte events (segura-relay cost; prices in cli/cost-prices.ts)\n\n',
);
process.stdout.write(
  `${table(
    ['item', 'USD / month', 'basis'],
    [
      ...costReport.lines.map((c) => [
        `${c.section === 'fixed' ? '(fixed) ' : ''}${c.item}`,
        c.usdMonth.toFixed(2),
        c.basis,
      ]),
      ['variable per million events', total.toFixed(4), ''],
      ['fixed per month', costReport.fixedUsdMonth.toFixed(2), ''],
    ],
  )}\n`,
);

// the one table to read first: every target of the performance issue, measured in this run
const perCore = (k: string) => {
  const h = byKind.get(k);
  return h ? Math.round((h.events / h.cpuMs) * 1000) : 0;
};
const targets: Array<[string, string, string, boolean]> = [
  ...renderTargets,
  ['deliver-firehose per core', `${perCore('firehose')} ev/CPU-s`, '≥ 20,000', perCore('firehose') >= 20_000],
  ['deliver-syslog per core', `${perCore('syslog')} ev/CPU-s`, '≥ 20,000', perCore('syslog') >= 20_000],
  [
    'deliver-syslog over RELP/TLS per core',
    `${perCore('syslog-relp+tls')} ev/CPU-s`,
    '≥ 20,000',
    perCore('syslog-relp+tls') >= 20_000,
  ],
  ...cold.map((c): [string, string, string, boolean] => [
    `bundle ${c.name}`,
    `${c.bundleKb} KB`,
    '≤ 250 KB',
    c.bundleKb <= 250,
  ]),
  ...cold.map((c): [string, string, string, boolean] => [
    `init ${c.name}`,
    `${c.initMsMedian} ms`,
    '≤ 100 ms',
    c.initMsMedian <= 100,
  ]),
  ...drips.map((d): [string, string, string, boolean] => [
    `bridge RSS growth, ${d.connections} conns dripping ${d.bytesPerConnection} B`,
    `${(d.peakRssMb - d.rssIdleMb).toFixed(1)} MB`,
    '≤ 32 MB',
    d.peakRssMb - d.rssIdleMb <= 32,
  ]),
  ['variable cost per million events (full.json, 2,000/s)', `USD ${total.toFixed(2)}`, '(reported)', true],
  ...((): Array<[string, string, string, boolean]> => {
    const n = latency.report.relayP99.normalize;
    return [
      [
        `relay p99 per hop ≤ 50 ms: (a) normalize, ${latencyRate}/s`,
        n === null ? 'n/a' : `${n} ms`,
        '≤ 50 ms',
        n !== null && n <= 50,
      ],
      ...Object.entries(latency.report.relayP99.deliver).map(([name, v]): [string, string, string, boolean] => [
        `relay p99 per hop ≤ 50 ms: (c) → ${name}, ${latencyRate}/s`,
        `${v} ms`,
        '≤ 50 ms',
        v <= 50,
      ]),
    ];
  })(),
];
process.stdout.write('\nTargets (this run)\n\n');
process.stdout.write(
  `${table(
    ['metric', 'measured', 'target', 'met'],
    targets.map(([m, v, t, ok]) => [m, v, t, ok ? 'yes' : 'NO']),
  )}\n`,
);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/bench.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, targets: targets.map(([metric, measured, target, met]) => ({ metric, measured, target, met })), render, handlers, coldStart: cold, bridgeDrip: drips, cost: costReport, latency }, null, 2)}\n`,
);
process.stdout.write('\nwritten bench-results/bench.json\n');
