// Self-test of the interop harness: hand-written messages whose every field is known, so that each
// parser's report can be asserted exactly, plus broken input that the harness must show as rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropRun, type ParsedRecord, type Receivers, startReceivers, toUtcMicros } from './receivers.js';

const PLAIN =
  '<165>1 2026-01-19T10:41:00.123Z vault01.example.com segura 4242 AUDIT [ex@32473 a="x\\]y"] Password viewed';
const CEF =
  '<134>1 2026-01-19T10:41:00.5Z vault01.example.com segura - CEF - ' +
  'CEF:0|MT4|Segura|3.27.0-4|1|Password Viewed|3|rt=1768830060123 suser=jsilva msg=a\\=b c';
const CEF_PAYLOAD = CEF.slice(CEF.indexOf('CEF:0'));
// `\|` and `\\` in the header: the rsyslog rule must still find the header's end for the one-space fix
const CEF_ESCAPED_HEADER =
  '<134>1 2026-01-19T10:41:00.5Z vault01.example.com segura - CEF - CEF:0|MT4|Segura\\|Vault|C:\\\\x|1|n|3|suser=jsilva';
const BOM = '\ufeff';
const JOSE = `<14>1 2026-01-19T10:41:00Z vault01.example.com segura - - - ${BOM}Senha vista por José`;
const BAD_SD = '<13>1 2026-01-19T10:41:00.000Z host app - - [bad sd';

const buf = (s: string) => Buffer.from(s, 'utf8');
const fields = (r: ParsedRecord) => ({
  ok: r.ok,
  pri: r.pri,
  facility: r.facility,
  severity: r.severity,
  hostname: r.hostname,
  appName: r.appName,
  procid: r.procid,
  msgid: r.msgid,
  sd: r.sd,
  msg: r.msg,
});

let rx: Receivers;

beforeAll(async () => {
  rx = await startReceivers();
});

afterAll(async () => {
  await rx?.stop();
});

describe.each(['tcp', 'tls', 'udp'] as const)('valid hand-written messages over %s', (transport) => {
  let run: InteropRun;

  beforeAll(async () => {
    run = await rx.deliver([PLAIN, CEF, JOSE, CEF_ESCAPED_HEADER].map(buf), transport);
  });

  it('reports no framing error and a record from every parser', () => {
    expect(run.framingErrors).toEqual([]);
    expect([...run.records.keys()]).toEqual([0, 1, 2, 3]);
    for (const recs of run.records.values())
      expect(recs.map((r) => r.parser)).toEqual(['rsyslog', 'syslog-ng', 'go-syslog']);
    if (transport === 'udp') expect(run.frames).toBeUndefined();
    else expect(run.frames?.map((f) => f.ok)).toEqual([true, true, true, true]);
  });

  it('plain RFC 5424 with an escaped ] in SD: identical fields in all three parsers', () => {
    const want = {
      ok: true,
      pri: 165,
      facility: 20,
      severity: 5,
      hostname: 'vault01.example.com',
      appName: 'segura',
      procid: '4242',
      msgid: 'AUDIT',
      sd: { 'ex@32473': { a: 'x]y' } },
      msg: 'Password viewed',
    };
    for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) expect(fields(run.get(0, p)), p).toEqual(want);
    expect(run.get(0, 'rsyslog').timestamp).toBe('2026-01-19T10:41:00.123Z');
    expect(run.get(0, 'syslog-ng').timestamp).toBe('2026-01-19T10:41:00.123000+00:00');
    expect(run.get(0, 'go-syslog').timestamp).toBe('2026-01-19T10:41:00.123000Z');
    for (const r of run.records.get(0) ?? []) expect(toUtcMicros(r.timestamp)).toBe('2026-01-19T10:41:00.123000Z');
  });

  it('CEF payload: envelope in all three, and liblognorm parses header and extension', () => {
    const want = {
      ok: true,
      pri: 134,
      facility: 16,
      severity: 6,
      hostname: 'vault01.example.com',
      appName: 'segura',
      procid: null,
      msgid: 'CEF',
      sd: {},
      msg: CEF_PAYLOAD,
    };
    for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) expect(fields(run.get(1, p)), p).toEqual(want);
    expect(run.get(1, 'rsyslog').cef).toEqual({
      ok: true,
      version: '0',
      vendor: 'MT4',
      product: 'Segura',
      deviceVersion: '3.27.0-4',
      eventClassId: '1',
      name: 'Password Viewed',
      severity: '3',
      ext: { rt: '1768830060123', suser: 'jsilva', msg: 'a=b c' },
    });
    expect(run.get(1, 'syslog-ng').cef).toBeUndefined();
    expect(run.get(1, 'go-syslog').cef).toBeUndefined();
    for (const r of run.records.get(1) ?? []) expect(toUtcMicros(r.timestamp)).toBe('2026-01-19T10:41:00.500000Z');
  });

  it('non-ASCII MSG after a BOM: syslog-ng strips the BOM, rsyslog and go-syslog keep it', () => {
    const base = {
      ok: true,
      pri: 14,
      facility: 1,
      severity: 6,
      hostname: 'vault01.example.com',
      appName: 'segura',
      procid: null,
      msgid: null,
      sd: {},
    };
    expect(fields(run.get(2, 'rsyslog'))).toEqual({ ...base, msg: `${BOM}Senha vista por José` });
    expect(fields(run.get(2, 'syslog-ng'))).toEqual({ ...base, msg: 'Senha vista por José' });
    expect(fields(run.get(2, 'go-syslog'))).toEqual({ ...base, msg: `${BOM}Senha vista por José` });
    for (const r of run.records.get(2) ?? []) expect(toUtcMicros(r.timestamp)).toBe('2026-01-19T10:41:00.000000Z');
  });

  it('CEF header escapes: liblognorm unescapes them and the first extension key stays whole', () => {
    for (const p of ['rsyslog', 'syslog-ng', 'go-syslog'] as const) expect(run.get(3, p).ok, p).toBe(true);
    expect(run.get(3, 'rsyslog').cef).toEqual({
      ok: true,
      version: '0',
      vendor: 'MT4',
      product: 'Segura|Vault',
      deviceVersion: 'C:\\x',
      eventClassId: '1',
      name: 'n',
      severity: '3',
      ext: { suser: 'jsilva' },
    });
  });
});

describe('the harness detects failures', () => {
  it('an unterminated SD element: go-syslog and syslog-ng reject it, rsyslog accepts it without SD', async () => {
    const run = await rx.deliver([PLAIN, BAD_SD].map(buf), 'tcp');
    expect(run.framingErrors).toEqual([]);
    expect(run.get(0, 'go-syslog').ok).toBe(true);
    const go = run.get(1, 'go-syslog');
    expect(go.ok).toBe(false);
    expect(go.error).toMatch(/structured data/);
    const sng = run.get(1, 'syslog-ng');
    expect(sng.ok).toBe(false);
    expect(sng.error).toMatch(/^Error processing log message: /);
    // rsyslog's pmrfc5424 is lenient: SD field "[bad s", MSG "d"; mmpstrucdata yields nothing
    const rs = run.get(1, 'rsyslog');
    expect(rs.ok).toBe(true);
    expect(rs.sd).toBeUndefined();
    expect(rs.msg).toBe('d');
  });

  it('an octet-counting frame with a character count instead of a byte count breaks the stream', async () => {
    const noBom = `<14>1 2026-01-19T10:41:00Z vault01.example.com segura - - - Senha vista por José`;
    const run = await rx.deliver([PLAIN, noBom, PLAIN].map(buf), 'tcp', {
      frameHeader: (m) => `${m.toString('utf8').length} `,
      messageTimeoutMs: 1000,
    });
    expect(run.framingErrors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^go-syslog octet-counting: frame 2: found ILLEGAL.*expecting a MSGLEN/),
        expect.stringMatching(/^syslog-ng: .*Invalid frame header/),
        expect.stringMatching(/^syslog-ng closed the tcp connection/),
      ]),
    );
    // the frame is cut one byte short, inside the 2-byte é
    expect(run.get(1, 'syslog-ng').msg).toBe('Senha vista por Jos\\xc3');
    expect(run.get(1, 'rsyslog').msg).toBe('Senha vista por Jos\ufffd');
    for (const p of ['rsyslog', 'syslog-ng'] as const) {
      expect(run.get(2, p).ok, p).toBe(false);
      expect(run.get(2, p).error, p).toMatch(/^not received/);
    }
    // each message alone is valid: only the framing was wrong
    expect([0, 1, 2].map((i) => run.get(i, 'go-syslog').ok)).toEqual([true, true, true]);
  });

  it('burst mode (the whole stream in one write) correlates the same records', async () => {
    const run = await rx.deliver([PLAIN, CEF, JOSE, BAD_SD].map(buf), 'tls', { mode: 'burst' });
    expect(run.framingErrors).toEqual([]);
    expect(run.get(0, 'syslog-ng').msgid).toBe('AUDIT');
    expect(run.get(1, 'rsyslog').cef?.ok).toBe(true);
    expect(run.get(2, 'syslog-ng').msg).toBe('Senha vista por José');
    expect(run.get(3, 'syslog-ng').ok).toBe(false);
    expect(run.get(3, 'rsyslog').msg).toBe('d');
    expect(() => run.get(4, 'rsyslog')).toThrow(/no message 4/);
  });
});
