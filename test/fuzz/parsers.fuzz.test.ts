/**
 * Fuzzing every parser with fast-check: random bytes, random text, and near-valid inputs (valid
 * envelopes, syslog lines, CEF lines and wire messages with random edits). Every input either
 * parses or raises a typed InvalidEventError naming a field — never another exception — and every
 * call stays within a CPU-time bound (no catastrophic backtracking).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../shared/errors.js';
import { EVENT_FLAGS, type SecurityEvent } from '../../shared/model/security-event.js';
import { fromWire, toWire } from '../../shared/model/wire.js';
import { scanKeyValues } from '../../shared/parse/kv.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { createRenderer } from '../../shared/render/index.js';

/**
 * A single parse may use at most this much CPU, whatever the input (inputs are ≤ 64 KiB). Typical
 * parses take microseconds; the bound catches super-linear behaviour (seconds). It is CPU time of
 * this process, not wall-clock time: another test suite on the same cores does not inflate it.
 */
const BOUND_CPU_MS = 1_000;

/** CPU milliseconds (user + system) this process used since `since` (a `process.cpuUsage()` value). */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function typedOrOk(f: () => unknown): 'ok' | 'invalid' {
  const t0 = process.cpuUsage();
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof InvalidEventError)) throw e;
    expect(e.field).toMatch(/\S/);
    expect(e.reason).toMatch(/\S/);
    return 'invalid';
  } finally {
    expect(cpuMs(t0)).toBeLessThan(BOUND_CPU_MS);
  }
}

const goldenDir = new URL('../fixtures/events/layouts/', import.meta.url);
const envelopes = readdirSync(goldenDir).map((f) =>
  JSON.stringify(JSON.parse(readFileSync(new URL(f, goldenDir), 'utf8'))),
);
const events = envelopes.map((b) => parseInput(b));
const syslogLines = [
  ...events.map((e) => createRenderer('rfc5424', { sdId: 'segura@32473' }).render(e)),
  ...events.map((e) => createRenderer('rfc5424', { msg: 'kv' }).render(e)),
  '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado com sucesso.',
  '<13>Jan 19 10:41:00 vault-01 CEF:0|MT4|Segura|3|1|Password Viewed|3|suser=jsilva',
  // text that looks like SD, valid SD, native backslashes, a key with a leading _
  '<13>1 2018-06-18T17:49:41-03:00 vm senhasegura 1426 - [Action taken] command blocked',
  String.raw`<13>1 - vault-01 Segura - 2 [x@32473 a="q"\]\ b"][timeQuality tzKnown="1"] msg=Path C:
ew
eport.txt suser=MYDomain\johndoe _x=1`,
  '<13>1 2026-01-19T13:41:00.123Z vault-01 Seg\tura 14\u000126 2 - suser=jsilva q="C:\\dir\\" a=b',
];
const cefLines = [
  ...events.map((e) => createRenderer('cef', { mode: 'compatible' }).render(e)),
  'CEF:0|MT4|Segura|3.27.0-4|336.501|UPDATE INCIDENT|9|_cefVer=0.1 dpt=99999 start=1768830060 msg=C:\\new a.b=c',
  'CEF:0|MT4|senhasegura|3.10\\|x|1|Password Viewed|5|suser=MYDomain\\\\johndoe',
];
const wires = events.map((e) => toWire(e));

/** A near-valid input: a valid one with a few random edits (insert, delete, replace, duplicate). */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.record({
    kind: fc.constantFrom('insert', 'delete', 'replace', 'dup'),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '=',
        '|',
        ' ',
        '\n',
        '\u0000',
        '-',
        '<',
        '>',
        '1',
        'CEF:0|',
        '\\u0000',
        '"x":',
      ),
      fc.string({ maxLength: 4, unit: 'binary' }),
    ),
  });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([s, edits]) => {
    let out = s;
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % out.length;
      if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
      else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + 1 + (e.at % 5));
      else if (e.kind === 'replace') out = out.slice(0, at) + e.text + out.slice(at + e.text.length);
      else out = out.slice(0, at) + out.slice(at, at + 20) + out.slice(at);
    }
    return out;
  });
}

describe('fuzz: parsers never crash, always answer with an event or a typed error, in bounded time', () => {
  it('random bytes (as UTF-8 and as Latin-1 text)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, latin1) => {
        typedOrOk(() => parseInput(Buffer.from(bytes).toString(latin1 ? 'latin1' : 'utf8')));
      }),
      { numRuns: 1500 },
    );
  });

  it('random text with syslog / CEF / JSON lead-ins', () => {
    const lead = fc.constantFrom('', '{', '<13>1 ', '<13>', 'CEF:0|', '<191>1 - - - - - ', '\ufeff{', ' {"id":');
    fc.assert(
      fc.property(lead, fc.string({ maxLength: 512, unit: 'binary' }), (l, s) => {
        typedOrOk(() => parseInput(l + s));
      }),
      { numRuns: 1500 },
    );
  });

  it('near-valid JSON envelopes', () => {
    let ok = 0;
    fc.assert(
      fc.property(mutated(envelopes), (s) => {
        if (typedOrOk(() => parseInput(s)) === 'ok') ok++;
      }),
      { numRuns: 1500 },
    );
    // the mutations must leave some inputs valid, or the fuzzer only tests the JSON.parse error path
    expect(ok).toBeGreaterThan(0);
  });

  it('near-valid RFC 5424 lines (SD, key=value MSG, the vault deviation, BSD + CEF)', () => {
    fc.assert(
      fc.property(mutated(syslogLines), (s) => {
        typedOrOk(() => parseInput(s));
      }),
      { numRuns: 1500 },
    );
  });

  it('near-valid CEF lines', () => {
    fc.assert(
      fc.property(mutated(cefLines), (s) => {
        typedOrOk(() => parseInput(s));
      }),
      { numRuns: 1500 },
    );
  });

  it('every event parsed from a near-valid line is clean: header tokens one-line, values without raw controls but CR/LF, keys valid, flags named', () => {
    const known = new Set(Object.values(EVENT_FLAGS));
    let parsed = 0;
    fc.assert(
      fc.property(mutated([...syslogLines, ...cefLines]), (s) => {
        let e: SecurityEvent;
        try {
          e = parseInput(s);
        } catch (err) {
          if (err instanceof InvalidEventError) return;
          throw err;
        }
        parsed++;
        for (const v of [e.name, e.host, e.app, e.pid, e.product, e.deviceVersion]) {
          if (typeof v === 'string') expect(v).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        }
        for (const [k, v] of Object.entries(e.fields)) {
          expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
          expect(v).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
        }
        for (const f of e.flags) expect(known.has(f), f).toBe(true);
      }),
      { numRuns: 1500 },
    );
    expect(parsed).toBeGreaterThan(300);
  });

  it('near-valid wire messages (the events topic contract)', () => {
    fc.assert(
      fc.property(mutated(wires), (s) => {
        typedOrOk(() => fromWire(s));
      }),
      { numRuns: 1500 },
    );
  });

  it('the key=value scanner on arbitrary text, both dialects, returns pairs whose keys are keys', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), fc.boolean(), fc.boolean(), (s, cef, quotes) => {
        const t0 = process.cpuUsage();
        const pairs = scanKeyValues(s, { cefEscapes: cef, quotes });
        expect(cpuMs(t0)).toBeLessThan(BOUND_CPU_MS);
        for (const [k] of pairs ?? []) expect(k).toMatch(/^[A-Za-z_][A-Za-z0-9_.]*$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('pathological inputs stay fast: long runs of specials, deep quoting, many keys', () => {
    const cases = [
      `{"id":"1","fields":{"msg":"${'\\\\'.repeat(20_000)}"}}`,
      `<13>1 - h a p m - ${'a='.repeat(20_000)}`,
      `<13>1 - h a p m - ${'k="'.repeat(10_000)}`,
      `CEF:0|${'\\|'.repeat(10_000)}|p|v|1|n|3|${'x=\\='.repeat(5_000)}`,
      `<13>1 - h a p m [${'x a="\\]'.repeat(5_000)}`,
      `CEF:0|a|b|c|1|n|3|${' k=v'.repeat(15_000)}`,
    ];
    for (const c of cases) typedOrOk(() => parseInput(c));
  });
});

describe('bounds', () => {
  it('an event with more than 512 fields is rejected as oversize, whatever the input form', () => {
    const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, 'v']));
    for (const input of [
      JSON.stringify({ id: '1', fields: many }),
      `CEF:0|a|b|c|1|n|3|${Object.keys(many)
        .map((k) => `${k}=v`)
        .join(' ')}`,
      `CEF:0|a|b|c|1|n|3|${' k=v'.repeat(600)}`,
    ]) {
      expect(() => parseInput(input)).toThrow(InvalidEventError);
      try {
        parseInput(input);
      } catch (e) {
        expect((e as InvalidEventError).code).toBe('oversize');
      }
    }
  });
});
