/**
 * One catalog count and real names (issue 17 point 5), run as a user runs the commands (child
 * processes, exit codes, stdout and stderr): `segura-relay catalog` and `alerts test` count the
 * catalog the same way, list the layouts without an id by name, and a rule references such a layout
 * by that name (`match.layouts`); a wrong name is refused with the list of valid ones.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_EVENTS, ID_LESS_LAYOUTS } from '../../../shared/model/catalog-docs.js';
import { type RunResult, runScript } from '../../helpers/run-script.js';

const dir = mkdtempSync(join(tmpdir(), 'segura-catalog-count-'));

function cli(args: string[]): Promise<RunResult> {
  return runScript('cli/entry.ts', args);
}

const rules = (match: string): string => {
  const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `version: 1\nrules:\n  - id: mk-ceremony\n    name: Master key ceremony\n    level: high\n    match: ${match}\n    channels: [email]\n`,
  );
  return file;
};

describe('one catalog count, layouts without an id by name', () => {
  it('catalog and alerts test say the same count; catalog lists every layout without an id by name', async () => {
    const count = `${CATALOG_EVENTS.length} catalog events + ${ID_LESS_LAYOUTS.length} documented layouts without an id`;
    expect(count).toBe('103 catalog events + 10 documented layouts without an id');
    const table = await cli(['catalog']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(count);
    for (const l of ID_LESS_LAYOUTS) expect(lines.some((x) => x.startsWith(`${l.slug}  `))).toBe(true);
    const dry = await cli(['alerts', 'test']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')[0]).toBe(
      `Alert rules dry run — 13 rule(s) enabled; ${CATALOG_EVENTS.length + ID_LESS_LAYOUTS.length} event(s) from the catalog (one of every event: ${count})`,
    );
  }, 120_000);

  it('a rule matches layouts without an id by name; the dry run names the events by layout, not by a made-up id', async () => {
    const r = await cli([
      'alerts',
      'test',
      '--rules',
      rules('{ layouts: [master-key-ceremony-started, master-key-ceremony-completed] }'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('mk-ceremony '));
    expect(row?.split(/\s{2,}/).slice(4)).toEqual([
      '2',
      '2',
      '0',
      '0',
      'layout:master-key-ceremony-started layout:master-key-ceremony-completed',
    ]);
    expect(r.stdout).toContain(
      '== mk-ceremony × layout master-key-ceremony-started "Master Key - Ceremony Process Started"',
    );
    expect(r.stdout).toContain('Event:     Master Key - Ceremony Process Started (layout master-key-ceremony-started)');
  }, 120_000);

  it('an unknown layout name, or a layout that has catalog ids, is refused with what to write instead', async () => {
    const typo = await cli(['alerts', 'validate', '--rules', rules('{ layouts: [master-key-ceremony-start] }')]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      'rule "mk-ceremony" (rules[0]) match.layouts[0]: unknown layout "master-key-ceremony-start" (did you mean "master-key-ceremony-started"?); layouts without an id: master-key-key-part-viewed, ',
    );
    const withIds = await cli(['alerts', 'validate', '--rules', rules('{ layouts: [password-viewed] }')]);
    expect(withIds.code).toBe(1);
    expect(withIds.stderr).toContain(
      'match.layouts[0]: layout "password-viewed" documents catalog event ids 1: match them with eventIds',
    );
  }, 120_000);
});
