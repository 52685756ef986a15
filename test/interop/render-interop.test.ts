/**
 * Every golden and hostile event, rendered by the relay, sent over TCP, TLS and UDP to real
 * rsyslog (+ liblognorm's CEF parser), syslog-ng and the strict go-syslog parser: zero parse
 * errors, and field-by-field equality with the event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../shared/errors.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';
import { formatUtc } from '../../shared/model/time.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { extensionPairs } from '../../shared/render/cef-mapping.js';
import { createRenderer } from '../../shared/render/index.js';
import { goldenInputs, hostileInputs, msgOfLine, nativeInputs } from './events.js';
import { type ParsedRecord, type Receivers, startReceivers, toUtcMicros } from './receivers.js';

let rx: Receivers;
beforeAll(async () => {
  rx = await startReceivers();
}, 60_000);
afterAll(async () => {
  await rx?.stop();
});

const inputs = [...goldenInputs(), ...hostileInputs(), ...nativeInputs()];
const events: Array<{ label: string; e: SecurityEvent }> = inputs.map((i) => ({
  label: i.label,
  e: parseInput(i.body),
}));

/** What liblognorm must report for the CEF extension: model pairs then the strict field mapping. */
function expectedExt(e: SecurityEvent): Record<string, string> {
  const ext: Record<string, string> = {};
  if (e.time) ext.rt = String(e.time.epochMs);
  if (e.host !== null) ext.dvchost = e.host;
  const fields = e.pid !== null && !/^\d{1,9}$/.test(e.pid) ? { ...e.fields, pid: e.pid } : e.fields;
  if (e.pid !== null && /^\d{1,9}$/.test(e.pid)) ext.dvcpid = e.pid;
  for (const [k, v] of extensionPairs(fields, 'strict')) ext[k] = v;
  return ext;
}

/** The vault's key=value dialect (README "The event model"): what it can change in a value. */
function viaNativeKv(v: string): string {
  const one = v.replace(/[\r\n]/g, ' ');
  const quoted = one.startsWith('"') || / +[A-Za-z_][A-Za-z0-9_.]*=/.test(one);
  return quoted ? one.replace(/"(?= +[A-Za-z_][A-Za-z0-9_.]*=)/g, "'") : one;
}

function utcMicros(e: SecurityEvent): string | undefined {
  return e.time ? toUtcMicros(formatUtc(e.time)) : undefined;
}

function checkHeader(rec: ParsedRecord, e: SecurityEvent, line: string): void {
  expect(rec.ok, `${rec.parser}: ${rec.error}`).toBe(true);
  expect(rec.pri).toBe(8 + e.syslogSeverity);
  expect(toUtcMicros(rec.timestamp)).toBe(utcMicros(e));
  const hostField = line.split(' ')[2];
  expect(rec.hostname).toBe(hostField);
  expect(rec.appName).toBe('Segura');
  // an input without an event id (the vault's native lines) renders MSGID as NILVALUE
  expect(rec.msgid).toBe(e.flags.includes('no-event-id') ? null : e.eventId);
}

describe("the vault's 1024-byte UDP limit", () => {
  it('shortened events stay parseable by every parser, only msg is cut, and an event that cannot fit is refused', async () => {
    const r = createRenderer('rfc5424', { maxBytes: 1024 });
    const fits: Array<{ label: string; e: SecurityEvent; line: string }> = [];
    const refused: string[] = [];
    for (const { label, e } of events) {
      try {
        fits.push({ label, e, line: r.render(e) });
      } catch (err) {
        refused.push(`${label}: ${errorMessage(err)}`);
      }
    }
    // only the event with a 4000-character custom string cannot fit: it goes to the DLQ, never cut
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^ten-kb-value: .*, over the 1024-byte budget$/);
    const run = await rx.deliver(
      fits.map((f) => Buffer.from(f.line, 'utf8')),
      'udp',
    );
    fits.forEach(({ label, e, line }, i) => {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1024);
      for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) checkHeader(run.get(i, p), e, line);
      const cef = run.get(i, 'rsyslog').cef;
      expect(cef?.ok, `${label}: ${cef?.error}`).toBe(true);
      expect(Object.keys(cef?.ext ?? {}).sort()).toEqual(Object.keys(expectedExt(e)).sort());
    });
  });
});

describe.each(['tcp', 'tls', 'udp'] as const)('rendered events over %s', (transport) => {
  it('RFC 5424 with a CEF payload: every parser accepts every event, fields equal the event', async () => {
    const r = createRenderer('rfc5424', { maxBytes: 8192 });
    const lines = events.map(({ e }) => r.render(e));
    const run = await rx.deliver(
      lines.map((l) => Buffer.from(l, 'utf8')),
      transport,
    );
    expect(run.framingErrors).toEqual([]);
    events.forEach(({ label, e }, i) => {
      const line = lines[i] as string;
      const cefText = msgOfLine(line);
      for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) {
        const rec = run.get(i, p);
        checkHeader(rec, e, line);
        expect(rec.msg, `${label} ${p} msg`).toBe(cefText);
      }
      const cef = run.get(i, 'rsyslog').cef;
      expect(cef?.ok, `${label}: liblognorm rejected: ${cef?.error}`).toBe(true);
      expect(cef?.vendor).toBe('MT4');
      // the vault's own product and version when the input carried them
      expect(cef?.product).toBe(e.product ?? 'Segura');
      expect(cef?.deviceVersion).toBe(e.deviceVersion ?? '3');
      expect(cef?.eventClassId).toBe(e.eventId);
      expect(cef?.name).toBe(e.name);
      expect(cef?.severity).toBe(String(e.cefSeverity));
      const want = expectedExt(e);
      if (!line.includes('…')) expect(cef?.ext, `${label} extension`).toEqual(want);
      else {
        // shortened for the transport budget: every key survives, only msg is cut
        expect(Object.keys(cef?.ext ?? {}).sort()).toEqual(Object.keys(want).sort());
        expect((want.msg ?? '').startsWith((cef?.ext?.msg ?? '').replace(/…$/, '').slice(0, 100))).toBe(true);
      }
    });
  });

  it('RFC 5424 with an SD element and the vault key=value MSG: SD and MSG equal the event', async () => {
    const r = createRenderer('rfc5424', { sdId: 'segura@32473', msg: 'kv', maxBytes: 8192 });
    const lines = events.map(({ e }) => r.render(e));
    const run = await rx.deliver(
      lines.map((l) => Buffer.from(l, 'utf8')),
      transport,
    );
    expect(run.framingErrors).toEqual([]);
    events.forEach(({ label, e }, i) => {
      const line = lines[i] as string;
      const sd: Record<string, string> = { eventId: e.eventId, name: e.name, severity: String(e.cefSeverity) };
      if (e.category !== null) sd.category = e.category;
      if (e.origin !== null) sd.origin = e.origin;
      // an event shortened to fit the budget says so in its SD
      if (line.includes(' truncated="true"]')) sd.truncated = 'true';
      for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) {
        const rec = run.get(i, p);
        checkHeader(rec, e, line);
        expect(rec.sd, `${label} ${p} sd`).toEqual({ 'segura@32473': sd });
        const msg = (rec.msg ?? '').replace(/^\ufeff/, '');
        expect(msg, `${label} ${p} msg`).toBe(msgOfLine(line).replace(/^\ufeff/, ''));
        // the MSG each daemon delivered is the vault's key=value text: read back, the same fields up
        // to the dialect's documented rule (no escapes: a line break is a space; in a quoted value a
        // `"` before ` key=` is `'`)
        if (!line.includes(' truncated="true"]')) {
          const back = parseInput(`<13>1 - h Segura - 1 - ${msg}`).fields;
          const want = Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, viaNativeKv(v)]));
          expect(back, `${label} ${p} fields`).toEqual(want);
        }
      }
    });
  });
});
