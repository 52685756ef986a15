/**
 * The generated mix (`npm start --count`, `segura-relay send --count`, the benchmarks) reads like a
 * real vault: every event keeps its catalog name, its message says what the event is and names the
 * same people and device as its fields, and every default alert template reads well on it (no
 * "unknown user as ? on ?").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { alertsCommand } from '../../../cli/alerts.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { CATALOG_EVENTS, LAYOUTS } from '../../../shared/model/catalog-docs.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';

const N = 4_000;
const mix = [...sampleEvents(N, 11)];
const events = mix.map((env) => parseInput(JSON.stringify(env)));
const catalogName = new Map(CATALOG_EVENTS.map((e) => [e.id, e.name.en] as const));
const layoutTitles = new Set(LAYOUTS.filter((l) => l.eventIds.length === 0).map((l) => l.title));

describe('generated sample events', () => {
  it('keep the catalog name of their event id, or the title of their documented layout', () => {
    const wrong = events.filter((e) => {
      const expected = catalogName.get(e.eventId ?? '');
      return expected !== undefined ? e.name !== expected : !layoutTitles.has(e.name);
    });
    expect(wrong.map((e) => `${e.eventId} ${e.name}`)).toEqual([]);
    expect(events.filter((e) => e.name === 'Vault event')).toEqual([]);
  });

  it('say in their message what their event is (session started is not "Session ended")', () => {
    const session = events.filter((e) => e.eventId === '16' || e.eventId === '17');
    expect(session.length).toBeGreaterThan(N / 10);
    for (const e of session) {
      expect(e.fields.msg).toMatch(e.eventId === '16' ? /^Session started for / : /^Session ended for /);
    }
    const viewed = events.filter((e) => e.eventId === '1');
    expect(viewed.length).toBeGreaterThan(N / 10);
    for (const e of viewed) expect(e.fields.msg).toMatch(/ viewed by user /);
  });

  it('name the same user, target account and device in the message as in the fields', () => {
    let checked = 0;
    for (const e of events) {
      const f = e.fields;
      const msg = f.msg ?? '';
      if (f.duser !== undefined && / - Domain User - | credential /.test(msg)) {
        expect(msg).toContain(f.duser);
        checked++;
      }
      if (f.suser !== undefined && / by user /.test(msg)) expect(msg).toContain(f.suser);
      if (f.dst !== undefined && /\(\d+\.\d+\.\d+\.\d+\)/.test(msg)) expect(msg).toContain(`(${f.dst})`);
    }
    expect(checked).toBeGreaterThan(N / 5);
  });

  it('every default alert template reads well on them: no placeholder falls back to "unknown" or "?"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-mix-'));
    const file = join(dir, 'mix.ndjson');
    writeFileSync(file, `${mix.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await alertsCommand(['test', '--events', file, '--json', '--no-throttle'], {
      stdout,
      stderr: new PassThrough(),
    });
    expect(code).toBe(0);
    const alerts = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const sms = alerts.flatMap((a) =>
      (a.publish as Array<{ TopicArn: string; Message: string }>)
        .filter((p) => p.TopicArn.endsWith('-sms'))
        .map((p) => (JSON.parse(p.Message) as { sms: string }).sms),
    );
    // the mix holds the rare events the SMS rules page on (blocked command, password change error)
    expect(sms.length).toBeGreaterThan(0);
    const bad = sms.filter((t) => /unknown user|unknown IP| \? | \?$|: $/.test(t));
    expect(bad).toEqual([]);
  });
});
