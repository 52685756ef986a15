/**
 * `npm start -c <deployment config>` for every file in examples/ (the directory is read, so a new
 * example is covered as soon as it is added): a child process as a user runs it, the same 20
 * events each time, and an exact ledger per configured destination. What each destination should
 * receive is computed here from the config's `filter` as the config schema describes it
 * (minSeverity, eventIds, excludeEventIds, categories, origins), independently of the SNS filter
 * policy the run subscribed with; fauxqs applies that policy to the real subscription.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../infra/config/load.js';
import { expectedEvent } from '../../../local/ledger.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { admits } from '../../helpers/filter-oracle.js';
import { type RunResult, runScript } from '../../helpers/run-script.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segura-start-config-'));
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .sort();

// 20 generated events, the same for every example (a fixed seed: some below every example's minSeverity)
const bodies = [...sampleEvents(20, 4242)].map((e) => JSON.stringify(e));
const eventsFile = join(dir, 'events.ndjson');
writeFileSync(eventsFile, `${bodies.join('\n')}\n`);
const events = bodies.map((b) => expectedEvent(b));

function npmStart(args: string[]): Promise<RunResult> {
  return runScript('local/start.ts', args);
}

interface Ledger {
  name: string;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  inDlq: number;
  filteredOut: number;
  standsFor: string | null;
  filterPolicy: Record<string, unknown> | null;
}

describe('npm start -c <example>', () => {
  it('covers at least the shipped examples', () => {
    expect(examples).toContain('full.json');
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  for (const file of examples) {
    it(`${file}: every destination of the config, each with an exact ledger`, async () => {
      const config = loadConfig(join(ROOT, 'examples', file));
      const out = join(dir, file.replace(/\.json$/, ''));
      const summaryFile = `${out}.summary.json`;
      const r = await npmStart([
        '-c',
        `examples/${file}`,
        '--events',
        eventsFile,
        '--out',
        out,
        '--summary-json',
        summaryFile,
        '--timeout',
        '60',
      ]);
      expect(r.stderr).not.toMatch(/npm start: /);
      expect(r.code).toBe(0);
      const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
        ok: boolean;
        input: number;
        invalidInputs: number;
        config: { name: string; alertsFilter: string | null } | null;
        destinations: Ledger[];
        alerts: unknown;
      };
      expect(summary.ok).toBe(true);
      expect(summary.input).toBe(20);
      expect(summary.invalidInputs).toBe(0);
      expect(summary.config?.name).toBe(config.name);
      expect(summary.destinations.map((d) => d.name)).toEqual(config.destinations.map((d) => d.name));
      for (const d of config.destinations) {
        const l = summary.destinations.find((x) => x.name === d.name) as Ledger;
        const want = events.filter((e) => admits(d.filter, e)).length;
        expect({ name: d.name, expected: l.expected, delivered: l.delivered }).toEqual({
          name: d.name,
          expected: want,
          delivered: want,
        });
        expect([l.missing, l.inDlq, l.duplicates, l.unexpected]).toEqual([0, 0, 0, 0]);
        expect(l.filteredOut).toBe(20 - want);
        if (d.filter) {
          expect(l.filterPolicy).not.toBeNull();
          // the fixed sample holds events every shipped filter excludes: the filter is exercised
          expect(want).toBeLessThan(20);
        } else expect(l.filterPolicy).toBeNull();
        // every destination here is out of reach: a local double stands in, and the summary says which
        expect(l.standsFor).toMatch(d.type === 'firehose' ? /→ Firehose double/ : /→ local .*receiver/);
        expect(r.stdout).toContain(`${d.type} ${d.name} (${d.format}): delivered ${want}/${want}, in DLQ 0`);
        expect(r.stdout).toContain(`stands in for: ${l.standsFor}`);
      }
      expect(summary.alerts === null).toBe(config.alerts === undefined);
      expect(r.stdout).toContain('result: OK');
    }, 100_000);
  }

  it('-c excludes the destination options and names them; an invalid config is a usage error', async () => {
    const both = await npmStart(['-c', 'examples/full.json', '--syslog-format', 'cef', '--no-firehose']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      '--config describes the destinations and the rules: drop --syslog-format, --no-firehose',
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'x', destinations: [{ type: 'nope' }] }));
    const invalid = await npmStart(['-c', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^npm start: --config: invalid deployment config .*bad\.json/);
    expect(invalid.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
