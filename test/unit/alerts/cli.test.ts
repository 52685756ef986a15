/**
 * `segura-relay alerts test` / `alerts validate`: the dry run on the default pack and the catalog,
 * invalid rules, event files with bad lines, JSON output, and proof it cannot reach AWS (its module
 * graph holds no AWS SDK client).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { alertsCommand, DEFAULT_RULES } from '../../../cli/alerts.js';
import { loadRulesFile } from '../../../shared/alerts/rules-file.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await alertsCommand(argv, { stdout, stderr });
  return { code, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'alerts-cli-'));

describe('segura-relay alerts test', () => {
  it('default pack × one of every catalog event: a table per rule, then the exact message per channel', async () => {
    const r = await run(['test']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(
      /^Alert rules dry run — 13 rule\(s\) enabled; 113 event\(s\) from the catalog \(one of every event: 103 catalog events \+ 10 documented layouts without an id\)$/,
    );
    const header = lines.findIndex((l) => l.startsWith('RULE '));
    expect(lines[header]).toMatch(/^RULE\s+LEVEL\s+CHANNELS\s+THROTTLE\s+FIRED\s+SENT\s+SUPPRESSED\s+HELD\s+EVENTS$/);
    const rows = new Map(
      lines.slice(header + 2, header + 15).map((l) => {
        const c = l.split(/\s{2,}/);
        return [c[0], { fired: Number(c[4]), sent: Number(c[5]), suppressed: Number(c[6]), ids: c[8] }];
      }),
    );
    expect([...rows.keys()]).toEqual(loadRulesFile(DEFAULT_RULES).rules.map((x) => x.id));
    expect(rows.get('master-key-recovery-failed')).toEqual({
      fired: 1,
      sent: 1,
      suppressed: 0,
      ids: 'layout:master-key-recovery-failed',
    });
    // the event is named by its layout (the name rules use), not by the id it was sent with
    expect(r.out).toContain(
      '== master-key-recovery-failed × layout master-key-recovery-failed "Master Key - Recovery Attempt Failed"',
    );
    // (the id it was sent with stays in the structured payloads' eventId, as sent)
    expect(r.out).not.toMatch(/(event |id |event-)9006/);
    expect(rows.get('resource-critical')).toEqual({ fired: 2, sent: 2, suppressed: 0, ids: '39 41' });
    // three different unusual-behaviour events of one user within 30 min: three alerts (a throttle
    // window is kept per event id: one kind of event never silences another)
    expect(rows.get('unusual-user-behaviour')).toEqual({ fired: 3, sent: 3, suppressed: 0, ids: '86 87 88' });
    const fired = [...rows.values()].reduce((n, x) => n + x.fired, 0);
    expect(lines.filter((l) => l.startsWith('== '))).toHaveLength(fired);
    // the master key alert's SMS, as a phone gets it
    expect(r.out).toContain(
      '   sms     GSM-7 82/140: SEGURA CRITICAL: master key recovery FAILED on vault-01 from 177.92.148.162 Brazil',
    );
    expect(r.out).toMatch(
      / {3}email {3}subject \(56\/99\), \d+ bytes: \[Segura CRITICAL\] Master key recovery failed on vault-01/,
    );
    expect(r.out).toContain('0 suppression summaries');
  });

  it('--json: one object per alert with the exact SNS Publish inputs', async () => {
    const r = await run(['test', '--json']);
    expect(r.code).toBe(0);
    const alerts = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mk = alerts.find((a) => a.type === 'alert' && a.rule === 'master-key-recovery-failed');
    expect(mk.outcome).toBe('sent');
    expect(mk.layout).toBe('master-key-recovery-failed');
    expect(alerts.find((a) => a.type === 'alert' && a.eventId === '19').layout).toBeNull();
    expect(mk.publish.map((p: { TopicArn: string }) => p.TopicArn.split(':').pop())).toEqual([
      'segura-alerts-sms',
      'segura-alerts-email',
      'segura-alerts-chat',
      'segura-alerts-ticket',
    ]);
    for (const p of mk.publish) {
      expect(p.MessageStructure).toBe('json');
      expect(JSON.parse(p.Message).default).toBeTypeOf('string');
    }
    expect(mk.publish[1].Subject).toBe('[Segura CRITICAL] Master key recovery failed on vault-01');
    expect(alerts.filter((a) => a.outcome === 'suppressed')).toEqual([]);
    expect(alerts.filter((a) => a.type === 'alert')).toHaveLength(18);
  });

  it('--events: NDJSON envelopes and raw lines; bad lines are reported and the exit status is 1', async () => {
    const events = join(dir, 'events.ndjson');
    writeFileSync(
      events,
      [
        JSON.stringify({ id: '19', timestamp: '2026-01-19T10:00:00Z', host: 'vault-01', fields: { msg: 'disk full' } }),
        '{"id":',
        '<11>1 2026-01-19T10:01:00Z vault-01 Segura 1426 19 - msg=backup error again',
        JSON.stringify({ id: '19', timestamp: '2026-01-19T11:30:00Z', host: 'vault-01', fields: { msg: 'third' } }),
      ].join('\n'),
    );
    const r = await run(['test', '--events', events]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^line 2: \(payload\): invalid JSON/m);
    // backup-error (1 h per host): 10:00 sent, 10:01 suppressed, 11:30 sent with the count
    expect(r.out).toContain('SEGURA: password backup FAILED on vault-01: disk full');
    expect(r.out).toMatch(/== backup-error × event 19 .* \[line 3\]\n {3}suppressed/);
    // the window closed with one suppressed match: its summary goes out before the next alert
    expect(r.out).toMatch(/== summary × backup-error: 1 match\(es\) not sent one by one \(throttled\)/);
    expect(r.out).toContain('SEGURA: password backup FAILED on vault-01: third +1 similar in the last 90 min');
  });

  it('shows the suppression summaries and the truncation markers (issue 18: a decoy, then a 41 KB event)', async () => {
    const events = join(dir, 'decoy.ndjson');
    const cmd = (t: string, c: string, dst: string) =>
      JSON.stringify({
        id: '12',
        timestamp: t,
        host: 'vault-01',
        fields: { suser: 'mallory', duser: 'root', dst, msg: `Command: ${c}` },
      });
    const big = Object.fromEntries(
      Array.from({ length: 90 }, (_, i) => [`cs${i}x`, `${'ü"\\'.repeat(50)}${'value '.repeat(50)}`.slice(0, 460)]),
    );
    writeFileSync(
      events,
      [
        cmd('2026-01-19T13:41:00Z', 'ls -la', '10.0.0.5'),
        cmd('2026-01-19T13:42:00Z', 'cat /etc/shadow', '10.0.0.5'),
        cmd('2026-01-19T13:43:00Z', 'cat /etc/shadow', '10.0.0.6'),
        JSON.stringify({
          id: '20',
          timestamp: '2026-01-19T13:44:00Z',
          host: 'vault-01',
          fields: { ...big, dst: '10.0.0.9' },
        }),
      ].join('\n'),
    );
    const r = await run(['test', '--events', events]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 suppression summary (windows that closed with suppressed or held matches).');
    expect(r.out).toContain("suppressed: throttle window open (2 held so far); the window's summary lists it");
    expect(r.out).toContain(
      'Summaries sent when the remaining windows close (no further event needed: the sweep sends them):',
    );
    expect(r.out).toMatch(
      /== summary × command-blocked-or-high-risk: 2 match\(es\) not sent one by one \(throttled\), window 2026-01-19T13:41:00\.000Z – 2026-01-19T13:56:00\.000Z/,
    );
    expect(r.out).toContain('           |   - Command: cat /etc/shadow');
    // the 41 KB event: email and ticket cut to fit SNS, and saying so
    expect(r.out).toMatch(/ {3}email {3}subject \(48\/99\), \d{6} bytes \[truncated: cut to fit, marked in the text\]/);
    expect(r.out).toMatch(
      / {3}ticket {2}https JSON \(\d{6} bytes on the wire\) \[truncated: cut to fit, marked in the text\]/,
    );
    expect(r.out).toContain('           | [truncated]');
    const json = (await run(['test', '--events', events, '--json'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json.filter((x) => x.type === 'summary').map((x) => [x.rule, x.trigger, x.count])).toEqual([
      ['command-blocked-or-high-risk', 'window-closed', 2],
    ]);
    expect(json.find((x) => x.eventId === '20')?.truncated).toEqual(['email', 'ticket']);
  });

  it('--no-throttle shows every match', async () => {
    const r = await run(['test', '--no-throttle']);
    expect(r.out).toMatch(/^unusual-user-behaviour\s+medium\s+email,chat\s+off \(--no-throttle\)\s+3\s+3\s+0\s+0/m);
  });

  it('invalid rules: exit 1, every problem named by rule and field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\nrules:\n  - id: mk\n    name: MK\n    channels: [sms, pager]\n    match:\n      notifications: [Master Key / Failed recovery]\n',
    );
    const r = await run(['test', '--rules', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('2 problems in the alert rules');
    expect(r.err).toContain(
      'rule "mk" (rules[0]) match.notifications[0]: unknown notification type "Failed recovery" in "Master Key"',
    );
    expect(r.err).toContain('rule "mk" (rules[0]) channels[1]: unknown channel "pager"');
  });

  it('validate --out writes the JSON the function reads', async () => {
    const out = join(dir, 'rules.json');
    const r = await run(['validate', '--rules', DEFAULT_RULES, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/OK — 13 rule\(s\) enabled/);
    expect(JSON.parse(readFileSync(out, 'utf8')).rules).toHaveLength(13);
  });

  it('usage errors exit 2 through main; unknown subcommands are named', async () => {
    await expect(run(['frobnicate'])).rejects.toThrow(/unknown alerts command "frobnicate"/);
  });

  it('cannot reach AWS: no AWS SDK module in the dry run module graph', async () => {
    const entry = fileURLToPath(new URL('../../../cli/alerts.ts', import.meta.url));
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('@aws-sdk/') || p === 'fauxqs' || p === 'dynalite')).toEqual([]);
    expect(imports).toContain('yaml');
  });
});
