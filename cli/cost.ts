/** `segura-relay cost`: what a deployment costs per month and per million events at a steady rate. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toError } from '../shared/errors.js';
import { parse, UsageError } from './args.js';
import { type CostLine, type CostReport, computeCost, type Inventory } from './cost-model.js';
import { DATE, PRICES, REGION } from './cost-prices.js';

/**
 * Default share of events the alerts subscription's filter policy (derived from the rules) passes.
 * An assumption, not a measurement: the default rule pack names exceptional events (failed master
 * key recovery, emergency panel, blocked commands, failed backups, certificate expiry, behaviour
 * analytics, Orbit incidents), a few percent of a vault's traffic. Set --alerts-share from your own
 * feed (docs/performance.md §4).
 */
const DEFAULT_ALERTS_SHARE = 0.05;

const HELP = `Usage: segura-relay cost -c <config.json> --rate <events/s> [options]

Prints what the deployment described by the config costs per month and per million events at a
steady event rate: fixed items (keys, alarms, metrics, dashboard, NLB, endpoints, idle polling)
and variable items (SQS, SNS, Lambda, Firehose, Logs, NLB capacity), each with its basis. Prices:
one table (cli/cost-prices.ts), ${REGION}, dated ${DATE}. Resource counts come from the stack the
config synthesizes (no AWS access needed).

Options:
  -c, --config <file>      deployment config (as for cdk synth -c config=…)
  --rate <events/s>        steady events per second into the ingest queue (0–100000)
  --event-bytes <N>        bytes of one vault event on the ingest queue (default 600)
  --filtered-share <0–1>   share of events passing a destination's filter policy (default 1)
  --alerts-share <0–1>     share of events passing the alerts filter policy derived from the rules
                           (default ${DEFAULT_ALERTS_SHARE}: the events a rule names are the exceptional ones; measure yours)
  --json                   the full report as JSON
  -h, --help               this help`;

function numberOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name}: a number ${min}–${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** The project root (where cli/cost-inventory.ts lives), from this file or from dist/cli.mjs. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'cli', 'cost-inventory.ts'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find cli/cost-inventory.ts next to the CLI (run segura-relay from the repository)');
}

/** Synthesize the stack through tsx (the infra code locates the project from its own source path). */
async function loadInventory(configPath: string): Promise<Inventory> {
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(
    pathToFileURL(join(projectRoot(), 'cli', 'cost-inventory.ts')).href,
    import.meta.url,
  )) as typeof import('./cost-inventory.js');
  return mod.inventoryOfFile(configPath);
}

const usd = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(4));
const qty = (n: number, unit: string): string =>
  `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${unit}`;

function table(head: string[], rows: string[][], right: number[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (right.includes(i) ? c.padStart(w[i] ?? 0) : c.padEnd(w[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(fmt)].join('\n');
}

function render(inv: Inventory, r: CostReport): string {
  const millions = r.eventsPerMonth / 1e6;
  const rows = (section: CostLine['section']) =>
    r.lines
      .filter((l) => l.section === section)
      .map((l) => [
        l.item,
        qty(l.quantity, l.unit),
        usd(l.usdMonth),
        section === 'variable' && millions > 0 ? usd(l.usdMonth / millions) : '',
        l.basis,
      ]);
  const out: string[] = [];
  out.push(
    `Deployment ${inv.deployment}: ${r.usage.rate} events/s (${Math.round(r.eventsPerMonth).toLocaleString('en-US')} a month), ${r.usage.eventBytes}-byte events`,
  );
  out.push(`Prices: ${REGION}, on-demand, no free tier, dated ${DATE} (cli/cost-prices.ts)`);
  out.push('');
  out.push('Batches the rate produces');
  out.push(
    table(
      ['function', 'events/s', 'events/invocation', 'invocations/month', 'receives/invocation', 'ms/invocation'],
      r.batches.map((b) => [
        `${b.kind}${b.kind === 'normalize' ? '' : ` ${b.name}`}`,
        b.eventsPerSecond.toLocaleString('en-US', { maximumFractionDigits: 1 }),
        b.eventsPerInvocation.toFixed(1),
        Math.round(b.invocationsPerMonth).toLocaleString('en-US'),
        String(b.receivesPerInvocation),
        String(Math.ceil(b.msPerInvocation)),
      ]),
      [1, 2, 3, 4, 5],
    ),
  );
  out.push('');
  out.push('Variable (scales with events)');
  out.push(table(['item', 'quantity/month', 'USD/month', 'USD/1M events', 'basis'], rows('variable'), [1, 2, 3]));
  out.push('');
  out.push('Fixed (before the first event)');
  out.push(table(['item', 'quantity/month', 'USD/month', '', 'basis'], rows('fixed'), [1, 2]));
  out.push('');
  const perM = (n: number | undefined) => (n === undefined ? 'n/a (rate 0)' : `USD ${n.toFixed(2)}`);
  out.push(
    table(
      ['total', 'USD/month', 'USD/1M events'],
      [
        ['variable', usd(r.variableUsdMonth), perM(r.variableUsdPerMillion)],
        ['fixed', usd(r.fixedUsdMonth), ''],
        ['all', usd(r.totalUsdMonth), perM(r.totalUsdPerMillion)],
      ],
      [1, 2],
    ),
  );
  if (r.perAlert.length > 0) {
    out.push('');
    out.push('Per alert raised (not in the totals: depends on how many alerts the rules raise)');
    out.push(
      table(
        ['item', 'USD/alert', 'basis'],
        r.perAlert.map((l) => [l.item, l.usdMonth.toFixed(6), l.basis]),
        [1],
      ),
    );
  }
  out.push('');
  out.push('Assumptions');
  for (const a of r.assumptions) out.push(`  - ${a}`);
  const unconfirmed = Object.entries(PRICES)
    .filter(([, p]) => p.confirmed === 'unconfirmed')
    .map(([k]) => k);
  out.push(`  - prices not confirmed in a stored source (check the pricing pages): ${unconfirmed.join(', ')}`);
  return `${out.join('\n')}\n`;
}

async function costCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }) {
  const { values: v } = parse(argv, {
    config: { type: 'string', short: 'c' },
    rate: { type: 'string' },
    'event-bytes': { type: 'string' },
    'filtered-share': { type: 'string' },
    'alerts-share': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (v.config === undefined) throw new UsageError('--config: required (the deployment config file)');
  const rate = numberOption('rate', v.rate, 0, 100_000);
  if (rate === undefined) throw new UsageError('--rate: required (events per second)');
  const eventBytes = numberOption('event-bytes', v['event-bytes'], 1, 1_048_576) ?? 600;
  const filteredShare = numberOption('filtered-share', v['filtered-share'], 0, 1) ?? 1;
  const alertsShare = numberOption('alerts-share', v['alerts-share'], 0, 1) ?? DEFAULT_ALERTS_SHARE;
  const path = resolve(v.config);
  if (!existsSync(path)) throw new UsageError(`--config: no such file ${JSON.stringify(v.config)}`);
  let inv: Inventory;
  try {
    inv = await loadInventory(path);
  } catch (e) {
    const err = toError(e);
    if (err.name === 'ConfigValidationError') {
      io.stderr.write(`segura-relay cost: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
  const report = computeCost(inv, { rate, eventBytes, filteredShare, alertsShare });
  if (v.json)
    io.stdout.write(
      `${JSON.stringify({ inventory: inv, ...report, prices: { date: DATE, region: REGION, table: PRICES } }, null, 2)}\n`,
    );
  else io.stdout.write(render(inv, report));
  return 0;
}

export { costCommand };
