/**
 * The small things a user notices, run as a user runs them (child processes, exit codes, stdout
 * and stderr): `--version`, an unknown command, `catalog --json`, options that do not apply to
 * the chosen format, `--framing lf` vs `none`, and what `npm start` writes and keeps.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../helpers/run-script.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segura-small-'));

const cli = (args: string[], stdin?: string) => runScript('cli/entry.ts', args, stdin === undefined ? {} : { stdin });

const EVENT = JSON.stringify({
  id: '164',
  timestamp: '2026-01-19T10:41:00.123-03:00',
  host: 'vault-01',
  pid: 1426,
  fields: { msg: 'Senha visualizada', sname: 'ana', duser: 'root' },
});

describe('segura-relay: small things', () => {
  it('--version prints the package version; an unknown command says so and lists the commands', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(`segura-relay ${pkg.version}\n`);
    const u = await cli(['rendr']);
    expect(u.code).toBe(2);
    expect(u.stderr).toBe(
      'segura-relay: unknown command "rendr"; the commands are render, catalog, bridge, send, redrive, doctor, alerts, cost\n' +
        "Run 'segura-relay --help' for what each does.\n",
    );
  }, 60_000);

  it('catalog --json is NDJSON (one object per line, as many as the table) and refuses --lang', async () => {
    const table = await cli(['catalog']);
    const json = await cli(['catalog', '--json']);
    expect(json.code).toBe(0);
    const docs = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; name?: { en: string; pt: string }; layout?: string });
    const events = docs.filter((d) => d.id !== undefined);
    const layouts = docs.filter((d) => d.id === undefined && typeof d.layout === 'string');
    expect(events.length + layouts.length).toBe(docs.length);
    // the table, the JSON, `alerts test` and `npm start` count the catalog the same way
    expect(`${events.length} catalog events + ${layouts.length} documented layouts without an id`).toBe(
      table.stdout.trimEnd().split('\n').at(-1),
    );
    expect(table.stdout).toContain(`\n${layouts[0]?.layout}  `);
    expect(events.every((d) => typeof d.name?.en === 'string' && typeof d.name.pt === 'string')).toBe(true);
    const both = await cli(['catalog', '--json', '--lang', 'pt']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^segura-relay: --lang picks the language of the table; --json carries both names/);
    const pt = await cli(['catalog', '--lang', 'pt']);
    expect(pt.stdout).not.toBe(table.stdout);
  }, 60_000);

  it('render refuses options the format does not read; --framing lf writes the same bytes as none', async () => {
    for (const [args, want] of [
      [['--format', 'cef', '--facility', '4'], '--facility applies to --format rfc5424 only, not cef'],
      [['--format', 'ecs', '--delimiter', '|'], '--delimiter applies to --format leef only, not ecs'],
      [['--format', 'leef', '--mode', 'compatible'], '--mode applies to --format cef or rfc5424 only, not leef'],
    ] as const) {
      const r = await cli(['render', ...args], EVENT);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(`segura-relay: ${want}`);
    }
    const none = await cli(['render', '--format', 'rfc5424', '--framing', 'none'], `${EVENT}\n${EVENT}\n`);
    const lf = await cli(['render', '--format', 'rfc5424', '--framing', 'lf'], `${EVENT}\n${EVENT}\n`);
    expect(lf.code).toBe(0);
    expect(lf.stdout).toBe(none.stdout);
    expect((await cli(['render', '--help'])).stdout).toMatch(
      /lf \(RFC 6587 non-transparent framing: the\s+same bytes as none/,
    );
  }, 90_000);
});

describe('npm start: what it writes and keeps', () => {
  it('names the archive for what it holds, says "1 rule", keeps only the newest --keep runs', async () => {
    const cwd = join(dir, 'work');
    mkdirSync(join(cwd, '.relay-local'), { recursive: true });
    // three older runs and a folder that is not a run (never touched)
    for (const t of ['2026-01-01T00-00-00-000Z', '2026-01-02T00-00-00-000Z', '2026-01-03T00-00-00-000Z'])
      mkdirSync(join(cwd, '.relay-local', `run-${t}`));
    mkdirSync(join(cwd, '.relay-local', 'mine'));
    const rules = join(dir, 'one-rule.yaml');
    writeFileSync(
      rules,
      'version: 1\nrules:\n  - id: viewed\n    name: Password viewed\n    level: high\n    match:\n      eventIds: ["164"]\n    channels: [email]\n',
    );
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, `${EVENT}\n`);
    const r = await runScript(
      'local/start.ts',
      ['--events', events, '--rules', rules, '--keep', '2', '--syslog-format', 'rfc5424'],
      {
        cwd,
      },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/alerts \(1 rule from /);
    const archive = /→ (\S+segura-archive\.cef)$/m.exec(r.stdout)?.[1];
    expect(archive, r.stdout).toBeDefined();
    expect(readFileSync(archive as string, 'utf8')).toMatch(/^CEF:0\|MT4\|Segura\|/);
    const left = readdirSync(join(cwd, '.relay-local')).sort();
    // the newest older run and this one remain; the folder that is not a run is kept
    expect(left.filter((n) => n.startsWith('run-'))).toHaveLength(2);
    expect(left).toContain('run-2026-01-03T00-00-00-000Z');
    expect(left).toContain('mine');
    expect(existsSync(join(cwd, '.relay-local', 'run-2026-01-01T00-00-00-000Z'))).toBe(false);
  }, 120_000);
});
