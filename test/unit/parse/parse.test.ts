/**
 * parseInput: JSON envelopes, the vault's native RFC 5424 lines, CEF lines (bare, RFC 5424, BSD),
 * catalog resolution, and every rejection path (typed InvalidEventError naming the field).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/errors.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { DEFAULT_MAX_INPUT_BYTES, parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer } from '../../../shared/render/index.js';
import { hostileString } from '../../helpers/arbitraries.js';

/** Parse and expect a typed rejection; returns the error for further checks. */
function rejects(payload: string, field: string, reason?: RegExp | string): InvalidEventError {
  let err: unknown;
  try {
    parseInput(payload);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${JSON.stringify(payload.slice(0, 80))} to be rejected`).toBeInstanceOf(InvalidEventError);
  const e = err as InvalidEventError;
  expect(e.field).toBe(field);
  expect(e.retryable).toBe(false);
  expect(e.reason.length).toBeGreaterThan(10);
  expect(e.message).toBe(`${field}: ${e.reason}`);
  if (reason !== undefined) expect(e.reason).toMatch(reason);
  return e;
}

const env = (o: Record<string, unknown>): string => JSON.stringify(o);

describe('JSON envelope', () => {
  it("parses the issue's example envelope exactly", () => {
    const payload = env({
      id: '164',
      name: 'Password Viewed',
      severity: 5,
      timestamp: '2026-01-19T10:41:00.123-03:00',
      host: 'vault-01',
      pid: 1426,
      fields: {
        msg: 'Password localhost (10.0.0.1) - Domain User - root viewed by user jsilva',
        suid: '35',
        sname: 'José da Silva',
        duser: 'root',
        dst: '10.0.0.1',
        cs1Label: 'Change Request',
        cs1: 'S000296',
      },
    });
    const expected: SecurityEvent = {
      eventId: '164',
      name: 'Password Viewed',
      catalogMatch: 'suid',
      category: 'Credentials',
      notificationType: 'Password Viewed',
      origin: 'COSE',
      syslogSeverity: 5,
      cefSeverity: 5,
      time: { epochMs: 1768830060123, offsetMinutes: -180, micros: 0, fractionDigits: 3 },
      host: 'vault-01',
      app: null,
      pid: '1426',
      fields: {
        msg: 'Password localhost (10.0.0.1) - Domain User - root viewed by user jsilva',
        suid: '35',
        sname: 'José da Silva',
        duser: 'root',
        dst: '10.0.0.1',
        cs1Label: 'Change Request',
        cs1: 'S000296',
      },
      flags: ['severity-from-catalog'],
      input: 'json',
    };
    const e = parseInput(payload);
    expect(e).toEqual(expected);
    expect(Object.keys(e.fields)).toEqual(['msg', 'suid', 'sname', 'duser', 'dst', 'cs1Label', 'cs1']);
  });

  it('fills name and severity from the catalog when absent', () => {
    const e = parseInput(env({ id: '336.501', fields: { msg: 'x' } }));
    expect(e.catalogMatch).toBe('id');
    expect(e.syslogSeverity).toBe(1); // alert, documented priority
    expect(e.cefSeverity).toBe(9); // the vault's own rendering of 336.501
    expect(e.flags).toEqual(expect.arrayContaining(['name-from-catalog', 'severity-from-catalog']));
    expect(e.name).not.toBe('');
    // a given syslog priority wins over the catalog
    expect(parseInput(env({ id: '336.501', priority: 6 })).syslogSeverity).toBe(6);
  });

  it('keeps an unknown id, flags it and defaults name and severity', () => {
    const e = parseInput(env({ id: 'X-42', fields: { msg: 'hello' } }));
    expect(e.eventId).toBe('X-42');
    expect(e.catalogMatch).toBe('none');
    expect(e.name).toBe('Unknown Segura event');
    expect(e.syslogSeverity).toBe(5);
    expect(e.cefSeverity).toBe(3);
    expect(e.flags).toEqual(['unknown-id', 'severity-defaulted']);
    expect(e.fields).toEqual({ msg: 'hello' });
  });

  it('resolves an unknown id through a documented layout signature', () => {
    const e = parseInput(
      env({ id: '9999', fields: { sourceServiceName: 'Master Key', act: 'Recovery attempt failed' } }),
    );
    expect(e.catalogMatch).toBe('layout');
    expect(e.name).toBe('Master Key - Recovery Attempt Failed');
    expect(e.syslogSeverity).toBe(2);
    expect(e.flags).not.toContain('unknown-id');
  });

  it('uses receivedAtMs when there is no timestamp, and flags it', () => {
    const e = parseInput(env({ id: '1' }), { receivedAtMs: 1768830060999 });
    expect(e.time).toEqual({ epochMs: 1768830060999, offsetMinutes: 0, micros: 0, fractionDigits: 3 });
    expect(e.flags).toContain('timestamp-defaulted');
    expect(parseInput(env({ id: '1' })).time).toBeNull();
  });

  it('accepts epoch milliseconds, Z, lower-case t/z and 6 fraction digits', () => {
    expect(parseInput(env({ id: '1', timestamp: 1768830060123 })).time?.epochMs).toBe(1768830060123);
    expect(parseInput(env({ id: '1', timestamp: '2026-01-19T13:41:00Z' })).time).toEqual({
      epochMs: 1768830060000,
      offsetMinutes: 0,
      micros: 0,
      fractionDigits: 0,
    });
    expect(parseInput(env({ id: '1', timestamp: '2026-01-19t13:41:00z' })).time?.epochMs).toBe(1768830060000);
    expect(parseInput(env({ id: '1', timestamp: '2026-01-19T10:41:00.123456-03:00' })).time).toEqual({
      epochMs: 1768830060123,
      offsetMinutes: -180,
      micros: 456,
      fractionDigits: 6,
    });
  });

  it('accepts 7 fraction digits by keeping microseconds (RFC 5424 output then has 6)', () => {
    const e = parseInput(env({ id: '1', timestamp: '2026-01-19T13:41:00.1234567Z' }));
    expect(e.time).toEqual({ epochMs: 1768830060123, offsetMinutes: 0, micros: 456, fractionDigits: 6 });
    expect(createRenderer('rfc5424').render(e)).toContain(' 2026-01-19T13:41:00.123456Z ');
  });

  it('cleans values: controls → space, lone surrogates → U+FFFD, trimmed, empty values dropped', () => {
    const e = parseInput(
      env({
        id: '1',
        name: ' a\tb\r\nc ',
        host: 'vault\u000001',
        fields: { a: '  x\ty\u0000z  ', b: 'line1\nline2', c: 'bad\ud800', d: '   ', e: '', f: null, n: 35, t: true },
      }),
    );
    expect(e.name).toBe('a b  c');
    expect(e.host).toBe('vault 01');
    expect(e.fields).toEqual({ a: 'x y z', b: 'line1\nline2', c: 'bad\ufffd', n: '35', t: 'true' });
  });

  it('repairs dotted keys and keeps repeated keys', () => {
    expect(parseInput(env({ id: '1', fields: { 'a.b': 'x', a_b: 'y' } })).fields).toEqual({ a_b: 'x', a_b_2: 'y' });
  });

  it('rejects bad JSON', () => {
    expect(rejects('{"id":', '(payload)', /invalid JSON/).code).toBe('syntax');
    rejects('{"id":"1",}', '(payload)', /invalid JSON/);
  });

  it('rejects payloads that are not an envelope, a syslog line or a CEF line', () => {
    rejects('', '(payload)', /empty/);
    rejects('  \n', '(payload)', /empty/);
    rejects('[1]', '(payload)', /not a JSON envelope/);
    rejects('null', '(payload)', /not a JSON envelope/);
    rejects('hello world', '(payload)', /not a JSON envelope/);
  });

  it('rejects unknown properties (a typo is not silently lost data)', () => {
    rejects(env({ id: '1', feilds: {} }), 'feilds', /unknown property/);
    rejects(env({ id: '1', version: 2 }), 'version', /unsupported envelope version/);
  });

  it('rejects a missing id, an id as a number, and ids that could inject', () => {
    rejects(env({ name: 'x' }), 'id', /required/);
    rejects('{"id":336.500}', 'id', /must be a string/);
    rejects(env({ id: null }), 'id', /required/);
    for (const id of ['', '1 2', '1|2', '<13>1', 'a=b', 'x]', '1\n2', '-1', '.1', 'x'.repeat(33), 'José']) {
      rejects(env({ id }), 'id', /letters, digits/);
    }
  });

  it('rejects bad timestamps: leap second, missing offset, impossible dates, bad types', () => {
    rejects(env({ id: '1', timestamp: '2026-12-31T23:59:60Z' }), 'timestamp', /leap second/);
    rejects(env({ id: '1', timestamp: '2026-01-19T10:41:00' }), 'timestamp', /offset/);
    rejects(env({ id: '1', timestamp: '2026-01-19' }), 'timestamp');
    rejects(env({ id: '1', timestamp: '2026-13-19T10:41:00Z' }), 'timestamp', /month/);
    rejects(env({ id: '1', timestamp: '2026-02-30T10:41:00Z' }), 'timestamp', /day/);
    rejects(env({ id: '1', timestamp: '2026-01-19T24:00:00Z' }), 'timestamp');
    rejects(env({ id: '1', timestamp: '2026-01-19T10:41:00+24:00' }), 'timestamp');
    rejects(env({ id: '1', timestamp: '2026-01-19T10:41:00.Z' }), 'timestamp');
    rejects(env({ id: '1', timestamp: 'yesterday' }), 'timestamp');
    rejects(env({ id: '1', timestamp: -5 }), 'timestamp', /epoch milliseconds/);
    rejects(env({ id: '1', timestamp: 1.5 }), 'timestamp', /epoch milliseconds/);
    rejects(env({ id: '1', timestamp: true }), 'timestamp', /got boolean/);
  });

  it('rejects severities and priorities out of range', () => {
    for (const severity of [11, -1, 5.5, '5', 'High']) rejects(env({ id: '1', severity }), 'severity', /0–10/);
    for (const priority of [8, -1, 1.5, 'alert']) rejects(env({ id: '1', priority }), 'priority', /0–7/);
  });

  it('rejects non-object fields, nested values and bad key names', () => {
    rejects(env({ id: '1', fields: [] }), 'fields', /got array/);
    rejects(env({ id: '1', fields: 'suser=x' }), 'fields', /got string/);
    rejects(env({ id: '1', fields: { a: { b: 1 } } }), 'fields.a', /got object/);
    rejects(env({ id: '1', fields: { a: [1] } }), 'fields.a', /got array/);
    for (const key of ['1abc', 'a-b', 'a b', '', '__proto__', 'k'.repeat(65), 'a=b', 'José']) {
      rejects(env({ id: '1', fields: { [key]: 'x' } }), `fields.${key.slice(0, 64)}`, /invalid key/);
    }
  });

  it('rejects wrong types and lengths of name, host, app and pid', () => {
    rejects(env({ id: '1', name: '  ' }), 'name', /blank/);
    rejects(env({ id: '1', name: 'x'.repeat(513) }), 'name', /longer/);
    rejects(env({ id: '1', host: 5 }), 'host', /must be a string/);
    rejects(env({ id: '1', host: 'h'.repeat(256) }), 'host', /longer/);
    rejects(env({ id: '1', app: 'a'.repeat(49) }), 'app', /longer/);
    rejects(env({ id: '1', pid: -1 }), 'pid', /non-negative/);
    rejects(env({ id: '1', pid: 1.5 }), 'pid', /non-negative/);
  });

  it('rejects oversize payloads before parsing them', () => {
    const big = env({ id: '1', fields: { a: 'x'.repeat(DEFAULT_MAX_INPUT_BYTES) } });
    const e = rejects(big, '(payload)', /exceeds the 262144-byte limit/);
    expect(e.code).toBe('oversize');
    // multi-byte characters count as bytes, not UTF-16 units
    const jose = env({ id: '1', fields: { a: 'é'.repeat(600) } });
    expect(() => parseInput(jose, { maxInputBytes: 1000 })).toThrow(InvalidEventError);
    expect(parseInput(jose, { maxInputBytes: 2000 }).fields.a).toHaveLength(600);
  });
});

describe('native RFC 5424 lines', () => {
  it("parses the vault's documented example (no STRUCTURED-DATA)", () => {
    const e = parseInput('<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado com sucesso.');
    expect(e).toEqual({
      eventId: '0',
      name: 'Unknown Segura event',
      catalogMatch: 'none',
      category: null,
      notificationType: null,
      origin: null,
      syslogSeverity: 5,
      cefSeverity: 3,
      time: { epochMs: Date.UTC(2018, 5, 18, 20, 49, 41), offsetMinutes: -180, micros: 0, fractionDigits: 0 },
      host: 'vm-andrew-dev',
      app: 'senhasegura',
      pid: '1426',
      fields: { msg: 'Autenticado com sucesso.' },
      flags: ['missing-structured-data', 'no-event-id', 'unknown-id'],
      input: 'rfc5424',
    } satisfies SecurityEvent);
  });

  it('parses a key=value body with a MSGID (quoted values honoured)', () => {
    const e = parseInput(
      '<13>1 2026-01-19T13:41:00.123Z vault-01 senhasegura 1426 16 - msg="Session started for localhost (127.0.0.1)" suid=153 sname="José da Silva" suser=jsilva dst=127.0.0.1 dpt=22 duser=root',
    );
    expect(e.eventId).toBe('16');
    expect(e.catalogMatch).toBe('id');
    expect(e.name).toBe('Session Started');
    expect(e.flags).toEqual(['name-from-catalog']);
    expect(e.syslogSeverity).toBe(5);
    expect(e.fields).toEqual({
      msg: 'Session started for localhost (127.0.0.1)',
      suid: '153',
      sname: 'José da Silva',
      suser: 'jsilva',
      dst: '127.0.0.1',
      dpt: '22',
      duser: 'root',
    });
    expect(e.time?.epochMs).toBe(1768830060123);
  });

  it('reads MSG after a MSGID when STRUCTURED-DATA is missing, and keeps real SD in a field', () => {
    const noSd = parseInput('<14>1 2026-01-19T13:41:00Z vault-01 Segura 1426 2 suser=jsilva duser=root');
    expect(noSd.eventId).toBe('2');
    expect(noSd.flags).toContain('missing-structured-data');
    expect(noSd.fields).toEqual({ suser: 'jsilva', duser: 'root' });
    expect(noSd.syslogSeverity).toBe(6);
    const sd = parseInput('<13>1 - vault-01 Segura - 2 [x@32473 a="q\\"\\]\\\\ b"][y@1 c="d"] suser=jsilva');
    expect(sd.fields).toEqual({ structuredData: '[x@32473 a="q\\"\\]\\\\ b"][y@1 c="d"]', suser: 'jsilva' });
    expect(sd.flags).not.toContain('missing-structured-data');
    expect(sd.time).toBeNull();
    expect(sd.host).toBe('vault-01');
    expect(sd.pid).toBeNull();
  });

  it('never drops text silently after a quoted value', () => {
    // `a="x" y b=z`: the quote closes before ` y`, and the scanner used to stop there, losing y and b
    const e = parseInput('<13>1 - h Segura - 2 - a="x" y b=z');
    expect(e.fields.b).toBe('z');
    expect(e.fields.a).toContain('y');
  });

  it('keeps the native key=value text byte for byte: a backslash is never an escape there', () => {
    const e = parseInput(
      String.raw`<13>1 - vault-01 Segura - 1 - msg=Path C:\new\report.txt a\=b suser=MYDomain\\johndoe q="C:\dir\" x=\r`,
    );
    expect(e.fields).toEqual({
      msg: String.raw`Path C:\new\report.txt a\=b`,
      suser: String.raw`MYDomain\\johndoe`,
      q: 'C:\\dir\\',
      x: String.raw`\r`,
    });
  });

  it('text that only looks like STRUCTURED-DATA is message text, flagged missing-structured-data', () => {
    const e = parseInput('<13>1 2018-06-18T17:49:41-03:00 vm senhasegura 1426 - [Action taken] command blocked');
    expect(e.fields).toEqual({ msg: '[Action taken] command blocked' });
    expect(e.flags).toContain('missing-structured-data');
    // not SD by RFC 5424 §6.3: no PARAM-VALUE quotes, an SD-ID that is neither registered nor
    // name@PEN, an unterminated element, no SP after the element, an empty element
    for (const text of [
      '[ALERT] disk full',
      '[x@32473 a=b] c',
      '[x@32473 a="b" c',
      '[x@32473 a="b"]c',
      '[] c',
      '[x@32473 a="b"][x@32473 c="d"] dup',
      '[x@32473 a="b]"] c',
    ]) {
      const t = parseInput(`<13>1 - vm Segura 1426 - ${text}`);
      expect(t.fields, text).toEqual({ msg: text });
      expect(t.flags, text).toContain('missing-structured-data');
    }
  });

  it('valid STRUCTURED-DATA is not discarded: its text is recorded in a field and flagged', () => {
    const sd = String.raw`[x@32473 a="q\"\]\\ b"][timeQuality tzKnown="1"]`;
    const e = parseInput(`<13>1 - vault-01 Segura - 2 ${sd} suser=jsilva`);
    expect(e.fields).toEqual({ structuredData: sd, suser: 'jsilva' });
    expect(e.flags).toContain('structured-data-recorded');
    expect(e.flags).not.toContain('missing-structured-data');
    const doc = JSON.parse(createRenderer('ecs').render(e));
    expect(doc.segura.fields.structuredData).toBe(sd);
    const kv = createRenderer('rfc5424', { msg: 'kv' }).render(e);
    expect(kv).toContain(`structuredData="${sd}" suser=jsilva`);
    expect(parseInput(kv).fields).toEqual(e.fields);
    // with a CEF MSG, and with nothing after it
    const cef = parseInput(`<13>1 - vault-01 Segura - 2 [x@32473 a="b"] CEF:0|MT4|Segura|3|2|n|5|suser=jsilva`);
    expect(cef.fields).toEqual({ structuredData: '[x@32473 a="b"]', suser: 'jsilva' });
    expect(parseInput('<13>1 - vault-01 Segura - 2 [x@32473 a="b"]').fields).toEqual({
      structuredData: '[x@32473 a="b"]',
    });
  });

  it('a key the relay cannot use as is (leading _, too long) is renamed and flagged, never rejected', () => {
    const long = `k${'x'.repeat(70)}`;
    const e = parseInput(`<13>1 - vault-01 Segura - 2 - _cefVer=0.1 ${long}=v suser=jsilva`);
    expect(e.fields).toEqual({ cefVer: '0.1', [long.slice(0, 64)]: 'v', suser: 'jsilva' });
    expect(e.flags).toContain('key-renamed');
  });

  it('strips a BOM before MSG', () => {
    expect(parseInput('<13>1 - h Segura - 2 - \ufeffsuser=José').fields).toEqual({ suser: 'José' });
  });

  it('rejects bad syslog headers naming the field', () => {
    rejects('<192>1 - - - - - -', 'syslog.pri', /191/);
    rejects('13>1 - - - - - -', '(payload)');
    rejects('<13>2 - - - - - x', 'syslog.version');
    rejects('<13>1 2026-01-19T10:41:00 h a p m - x', 'syslog.timestamp', /offset/);
    rejects('<13>1 2026-12-31T23:59:60Z h a p m - x', 'syslog.timestamp', /leap second/);
    rejects('<13>1 2026-01-19T13:41:00Z host', 'syslog.appName', /missing/);
    rejects('<13>1 - h a p 1|2 - x', 'syslog.msgid', /letters, digits/);
    rejects('<13>1 - h a p 5 - CEF:0|MT4|Segura|3|6|n|5|x=1', 'syslog.msgid', /differs/);
  });
});

describe('CEF lines', () => {
  const cef =
    'CEF:0|MT4|Segura|3|164|Password Viewed|5|rt=1768830060123 dvchost=vault-01 dvcpid=1426 msg=Password a\\=b c\\\\d\\nnext suid=35 sname=José da Silva duser=root';

  it('parses a bare CEF line: rt/dvchost/dvcpid become time/host/pid, escapes decoded', () => {
    const e = parseInput(cef);
    expect(e.input).toBe('cef');
    expect(e.eventId).toBe('164');
    expect(e.name).toBe('Password Viewed');
    expect(e.cefSeverity).toBe(5);
    expect(e.syslogSeverity).toBe(5); // catalog priority of event 1 (SUID 164)
    expect(e.time).toEqual({ epochMs: 1768830060123, offsetMinutes: 0, micros: 0, fractionDigits: 3 });
    expect(e.host).toBe('vault-01');
    expect(e.pid).toBe('1426');
    expect(e.fields).toEqual({ msg: 'Password a=b c\\d\nnext', suid: '35', sname: 'José da Silva', duser: 'root' });
  });

  it('parses CEF behind an RFC 5424 header: PRI gives the syslog severity', () => {
    const e = parseInput(`<10>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 164 - ${cef}`);
    expect(e.input).toBe('rfc5424');
    expect(e.syslogSeverity).toBe(2);
    expect(e.cefSeverity).toBe(5);
    expect(e.fields.sname).toBe('José da Silva');
    expect(e.app).toBe('Segura');
  });

  it('parses CEF behind a BSD (RFC 3164) header: its HOSTNAME is the host unless dvchost says otherwise', () => {
    const e = parseInput('<134>Jan 19 13:41:00 vault-02 CEF:0|MT4|Segura|3|2|Password Changed|3|suser=jsilva');
    expect(e.input).toBe('cef');
    expect(e.host).toBe('vault-02');
    expect(e.syslogSeverity).toBe(6);
    expect(e.fields).toEqual({ suser: 'jsilva' });
    expect(parseInput(`<134>Jan 19 13:41:00 vault-02 ${cef}`).host).toBe('vault-01');
  });

  describe('BSD header time and TAG (issue 19 point 7)', () => {
    const line = '<9>Jan 19 10:41:00 vault-01 Segura[1426]: CEF:0|MT4|Segura|3|2|Password Changed|3|suser=jsilva';
    const at = (iso: string) => Date.parse(iso);

    it('keeps the time (year from the receive time, UTC) and the TAG as app and pid, flagged timestamp-inferred', () => {
      const e = parseInput(line, { receivedAtMs: at('2026-01-19T10:41:05Z') });
      expect(e.time).toEqual({ epochMs: at('2026-01-19T10:41:00Z'), offsetMinutes: 0, micros: 0, fractionDigits: 0 });
      expect(e.app).toBe('Segura');
      expect(e.pid).toBe('1426');
      expect(e.host).toBe('vault-01');
      expect(e.flags).toContain('timestamp-inferred');
      expect(e.flags).not.toContain('timestamp-defaulted');
      expect(createRenderer('cef').render(e)).toContain('rt=1768819260000 dvchost=vault-01 dvcpid=1426 ');
    });

    it('picks the nearest year not more than a day after the receive time', () => {
      const year = (text: string, received: string) =>
        new Date(
          (parseInput(`<9>${text} vault-01 Segura[7]: CEF:0|MT4|Segura|3|2|n|3|`, { receivedAtMs: at(received) }).time
            ?.epochMs ?? Number.NaN) as number,
        ).toISOString();
      // written just before midnight, received just after New Year: last year
      expect(year('Dec 31 23:59:59', '2027-01-01T00:00:02Z')).toBe('2026-12-31T23:59:59.000Z');
      // a sender clock a little ahead across New Year: next year
      expect(year('Jan  1 00:00:01', '2026-12-31T23:59:58Z')).toBe('2027-01-01T00:00:01.000Z');
      // more than a day in the future: last year
      expect(year('Jan 21 10:00:00', '2026-01-19T10:00:00Z')).toBe('2025-01-21T10:00:00.000Z');
      expect(year('Jan 20 10:00:00', '2026-01-19T10:00:00Z')).toBe('2026-01-20T10:00:00.000Z');
      // Feb 29 goes to a leap year among the candidates (receive year ± 1), else has no time
      // (no leap year among 2025–2027: the receive time is used instead, see the last case)
      expect(year('Feb 29 12:00:00', '2026-03-01T00:00:00Z')).toBe('2026-03-01T00:00:00.000Z');
      expect(year('Feb 29 12:00:00', '2029-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    });

    it('a CEF rt wins over the header time and clears the flag; dvcpid wins over the TAG pid', () => {
      const e = parseInput(`${line} rt=1768830060123 dvcpid=99`, { receivedAtMs: at('2026-01-19T10:41:05Z') });
      expect(e.time?.epochMs).toBe(1768830060123);
      expect(e.pid).toBe('99');
      expect(e.flags).not.toContain('timestamp-inferred');
    });

    it('a header without a TAG or with a TAG without PID still gives the time', () => {
      const noTag = parseInput('<9>Jan 19 10:41:00 vault-01 CEF:0|MT4|Segura|3|2|n|3|', {
        receivedAtMs: at('2026-01-20T00:00:00Z'),
      });
      expect(noTag.time?.epochMs).toBe(at('2026-01-19T10:41:00Z'));
      expect(noTag.pid).toBeNull();
      const noPid = parseInput('<9>Jan 19 10:41:00 vault-01 Segura: CEF:0|MT4|Segura|3|2|n|3|', {
        receivedAtMs: at('2026-01-20T00:00:00Z'),
      });
      expect(noPid.app).toBe('Segura');
      expect(noPid.pid).toBeNull();
    });

    it('an impossible header date has no time: the receive time is used and flagged timestamp-defaulted', () => {
      const e = parseInput('<9>Feb 30 10:41:00 vault-01 Segura[1]: CEF:0|MT4|Segura|3|2|n|3|', {
        receivedAtMs: at('2026-03-01T00:00:00Z'),
      });
      expect(e.flags).toContain('timestamp-defaulted');
      expect(e.flags).not.toContain('timestamp-inferred');
      expect(e.pid).toBe('1');
    });
  });

  it('accepts severity words, an empty extension and a missing event class id', () => {
    expect(parseInput('CEF:0|a|b|c|1|n|Very-High|').cefSeverity).toBe(10);
    expect(parseInput('CEF:0|a|b|c|1|n|low|x=1').cefSeverity).toBe(3);
    const unknown = parseInput('CEF:0|a|b|c|1|n|Unknown|');
    expect(unknown.fields).toEqual({});
    const noId = parseInput('CEF:0|a|b|c||n|5|x=1');
    expect(noId.eventId).toBe('0');
    expect(noId.flags).toContain('no-event-id');
  });

  it('accepts an extension key starting with _ (ArcSight _cefVer): renamed and flagged, nothing else lost', () => {
    const e = parseInput('CEF:0|ArcSight|ArcSight|7.0|1|n|5|_cefVer=0.1 suser=jsilva a.b=x _=y __1=z msg=hello');
    expect(e.fields).toEqual({ cefVer: '0.1', suser: 'jsilva', a_b: 'x', x: 'y', x1: 'z', msg: 'hello' });
    expect(e.flags).toContain('key-renamed');
    // a renamed key never overwrites a key the vault sent
    expect(parseInput('CEF:0|a|b|c|1|n|5|cefVer=1 _cefVer=2').fields).toEqual({ cefVer: '1', cefVer_2: '2' });
    // no flag when nothing was renamed
    expect(parseInput('CEF:0|a|b|c|1|n|5|suser=jsilva').flags).not.toContain('key-renamed');
  });

  it('keeps repeated keys and header escapes', () => {
    const e = parseInput('CEF:0|a|b|c|1|a\\|b\\\\c|5|suser=a suser=b');
    expect(e.name).toBe('a|b\\c');
    expect(e.fields).toEqual({ suser: 'a', suser_2: 'b' });
  });

  it('rejects bad CEF naming the header field or the extension', () => {
    rejects('CEF:0|a|b|c|1|n|5', 'cef.header.severity', /pipe after Severity/);
    rejects('CEF:0|a|b|c|1', 'cef.header.eventClassId', /incomplete/);
    rejects('CEF:x|a|b|c|1|n|5|', 'cef.header.version', /integer/);
    rejects('CEF:0|a|b|c|1|n|11|', 'cef.header.severity', /0–10/);
    rejects('CEF:0|a|b|c|1|n|Huge|', 'cef.header.severity');
    rejects('CEF:0|a|b|c|a b|n|5|', 'cef.header.eventClassId', /letters, digits/);
    rejects('CEF:0|a|b|c|1|n|5|hello world', 'cef.extension', /key=value/);
    rejects('CEF:0|a|b|c|1|n|5|-x=1', 'cef.extension');
  });

  it('rejects severity words that are Object.prototype names (constructor, __proto__)', () => {
    // SEVERITY_WORDS is a plain object: `constructor` resolves to Object and is rendered as
    // "function Object() { [native code] }" in the CEF header, `__proto__` as "[object Object]"
    rejects('CEF:0|a|b|c|1|n|constructor|x=1', 'cef.header.severity');
    rejects('CEF:0|a|b|c|1|n|__proto__|x=1', 'cef.header.severity');
    rejects('CEF:0|a|b|c|1|n|toString|x=1', 'cef.header.severity');
  });

  it('host and pid taken from dvchost/dvcpid are one-line values, like the envelope host', () => {
    // the envelope cleans host with cleanLine (CR/LF → space); the CEF path only with cleanValue
    const e = parseInput('CEF:0|a|b|c|1|n|5|dvchost=vault\\n01 dvcpid=14\\r26 msg=x');
    expect(e.host).not.toMatch(/[\r\n]/);
    expect(e.pid).not.toMatch(/[\r\n]/);
  });
});

describe('any payload', () => {
  it('either parses to a clean event or is rejected with an InvalidEventError', () => {
    const prefix = fc.constantFrom(
      '',
      '{',
      '{"id":"1",',
      '<13>1 ',
      '<13>1 - h a p 1 - ',
      '<13>',
      'CEF:0|',
      'CEF:0|a|b|c|1|n|5|',
    );
    fc.assert(
      fc.property(prefix, hostileString(40), (p, s) => {
        let e: SecurityEvent;
        try {
          e = parseInput(p + s);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidEventError);
          expect((err as InvalidEventError).field).not.toBe('');
          return;
        }
        expect(e.name).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(e.name.trim()).toBe(e.name);
        expect(e.eventId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$/);
        expect(Number.isInteger(e.cefSeverity) && e.cefSeverity >= 0 && e.cefSeverity <= 10).toBe(true);
        for (const [k, v] of Object.entries(e.fields)) {
          expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
          expect(v).not.toBe('');
          expect(v).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
