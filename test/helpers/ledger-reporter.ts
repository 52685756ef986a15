/**
 * Collects the ledger each fault scenario records on its test (`task.meta.ledger`, see
 * test/helpers/pipeline.ts), writes them all to one JSON file and prints a table at the end of the
 * run: input, delivered / in DLQ / missing / duplicates per destination, and the test's state, so
 * a CI log shows what every scenario did even when it passed.
 *
 * Configure with `reporters: [['./test/helpers/ledger-reporter.ts', { file: 'test-results/x.json' }]]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { ScenarioLedger } from './pipeline.js';

interface LedgerReporterOptions {
  /** @default 'test-results/faults-ledger.json' */
  readonly file?: string;
}

interface Row {
  readonly test: string;
  readonly state: string;
  readonly durationMs: number | undefined;
  readonly ledger: ScenarioLedger;
}

function pad(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : t + ' '.repeat(n - t.length);
}

function table(rows: readonly Row[]): string {
  const out: string[] = [];
  out.push(
    `${pad('scenario', 74)} ${pad('in', 6)} ${pad('ingest DLQ', 10)} ${pad('destination', 11)} ${pad('delivered', 12)} ${pad('in DLQ', 7)} ${pad('missing', 8)} ${pad('dups', 5)} state`,
  );
  for (const r of rows) {
    const l = r.ledger;
    l.destinations.forEach((d, i) => {
      out.push(
        [
          pad(i === 0 ? l.scenario.slice(0, 74) : '', 74),
          pad(i === 0 ? l.input : '', 6),
          pad(i === 0 ? `${l.ingest.inDlq}/${l.ingest.invalid}` : '', 10),
          pad(d.name, 11),
          pad(`${d.delivered}/${d.expected}`, 12),
          pad(d.inDlq, 7),
          pad(d.missing, 8),
          pad(d.duplicates, 5),
          i === 0 ? r.state : '',
        ].join(' '),
      );
    });
  }
  return out.join('\n');
}

export default class LedgerReporter implements Reporter {
  private readonly file: string;

  constructor(o: LedgerReporterOptions = {}) {
    this.file = o.file ?? 'test-results/faults-ledger.json';
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: Row[] = [];
    for (const mod of testModules) {
      for (const t of mod.children.allTests()) {
        const ledger = t.meta().ledger;
        if (ledger === undefined) continue;
        rows.push({ test: t.fullName, state: t.result().state, durationMs: t.diagnostic()?.duration, ledger });
      }
    }
    if (rows.length === 0) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify({ writtenAt: new Date().toISOString(), scenarios: rows }, null, 2)}\n`);
    process.stdout.write(`\nScenario ledgers (${this.file}):\n${table(rows)}\n`);
  }
}
