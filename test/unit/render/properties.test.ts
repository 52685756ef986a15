/**
 * Property tests: arbitrary hostile envelopes → parse → render → (strict reference parser | parseInput).
 * numRuns are sized so the file runs in a few seconds.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, RenderError } from '../../../shared/errors.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { extensionPairs } from '../../../shared/render/cef-mapping.js';
import { createRenderer } from '../../../shared/render/index.js';
import { type Envelope, envelopeArb, hostileString } from '../../helpers/arbitraries.js';
import {
  checkCefStrict,
  checkLeefStrict,
  checkRfc5424Strict,
  controlIndex,
  isWellFormedUtf16,
  StrictParseError,
} from '../../helpers/strict-parsers.js';

const RUNS = Number(process.env.FC_RUNS ?? 500);

/** Parse an envelope; undefined when the parser rejects it (a typed rejection is fine). */
function parsed(env: Envelope): SecurityEvent | undefined {
  try {
    return parseInput(JSON.stringify(env));
  } catch (e) {
    if (e instanceof InvalidEventError) return undefined;
    throw e;
  }
}

/** The parts of an event that a CEF line carries. */
function cefView(e: SecurityEvent) {
  return {
    eventId: e.eventId,
    name: e.name,
    cefSeverity: e.cefSeverity,
    host: e.host,
    pid: e.pid,
    epochMs: e.time === null ? null : e.time.epochMs,
    fields: Object.entries(e.fields),
  };
}

const cefCompat = createRenderer('cef', { mode: 'compatible' });
const cefStrict = createRenderer('cef');
const syslogCompat = createRenderer('rfc5424', { mode: 'compatible' });
const renderers = [
  ['cef strict', cefStrict],
  ['cef compatible', cefCompat],
  ['rfc5424', createRenderer('rfc5424')],
  ['rfc5424 compatible', syslogCompat],
  ['rfc5424 sd', createRenderer('rfc5424', { sdId: 'segura@32473' })],
  ['rfc5424 kv', createRenderer('rfc5424', { msg: 'kv' })],
  ['leef', createRenderer('leef')],
] as const;

describe('round trip through parseInput', () => {
  it('(a) compatible CEF keeps id, name, severity, host, pid, time and fields', () => {
    fc.assert(
      fc.property(envelopeArb(), (env) => {
        const e1 = parsed(env);
        fc.pre(e1 !== undefined);
        if (e1 === undefined) return;
        const line = cefCompat.render(e1);
        const e2 = parseInput(line);
        expect(cefView(e2)).toEqual(cefView(e1));
        expect(e2.input).toBe('cef');
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) RFC 5424 with a compatible CEF MSG keeps the same and the syslog severity', () => {
    fc.assert(
      fc.property(envelopeArb(), (env) => {
        const e1 = parsed(env);
        fc.pre(e1 !== undefined);
        if (e1 === undefined) return;
        const e2 = parseInput(syslogCompat.render(e1));
        expect(cefView(e2)).toEqual(cefView(e1));
        expect(e2.syslogSeverity).toBe(e1.syslogSeverity);
        expect(e2.input).toBe('rfc5424');
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * What the vault's key=value dialect (no escapes) can change in a value, and nothing else (README
 * "Native key=value text"): a line break becomes a space; in a value that must be quoted, a `"`
 * followed by ` key=` becomes `'`.
 */
function viaNativeKv(v: string): string {
  const one = v.replace(/[\r\n]/g, ' ');
  const quoted = one.startsWith('"') || / +[A-Za-z_][A-Za-z0-9_.]*=/.test(one);
  return quoted ? one.replace(/"(?= +[A-Za-z_][A-Za-z0-9_.]*=)/g, "'") : one;
}

/** A value as the vault writes it in its key=value text: no line break, no ` key=`, no leading `"`. */
const nativeValue = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('\\', '=', '"', '[', ']', '|', '^', ' ', 'n', 'r', 'C:', 'é', 'ã', '😀', '…', '\\n', '\\='),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
    ),
    minLength: 1,
    maxLength: 12,
  })
  .map((v) => v.trim())
  .filter((v) => v !== '' && !v.startsWith('"') && !/ +[A-Za-z_][A-Za-z0-9_.]*=/.test(v) && !/[\u0000-\u001f]/.test(v));

/** key=value pairs with valid, distinct keys (not the reserved rt/dvchost/dvcpid). */
const nativePairs = fc
  .uniqueArray(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('msg', 'suser', 'duser', 'sname', 'dst', 'act', 'cs1Label', 'cs1'),
        fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/),
      ),
      nativeValue,
    ),
    { selector: ([k]) => k, minLength: 1, maxLength: 6 },
  )
  .filter((pairs) => pairs.every(([k]) => !['rt', 'dvchost', 'dvcpid'].includes(k) && !/^segura/.test(k)));

describe("RFC 5424 key=value MSG (the vault's own dialect, no escapes)", () => {
  const kv = createRenderer('rfc5424', { msg: 'kv' });

  it('(h) parsed back, it yields the same fields up to the documented line-break/quote rule, and the header values', () => {
    fc.assert(
      fc.property(envelopeArb(), (env) => {
        const e1 = parsed(env);
        fc.pre(e1 !== undefined && Object.keys(e1.fields).length > 0);
        if (e1 === undefined) return;
        const e2 = parseInput(kv.render(e1));
        expect(Object.entries(e2.fields)).toEqual(Object.entries(e1.fields).map(([k, v]) => [k, viaNativeKv(v)]));
        expect(e2.eventId).toBe(e1.eventId);
        expect(e2.syslogSeverity).toBe(e1.syslogSeverity);
        expect(e2.time?.epochMs ?? null).toBe(e1.time?.epochMs ?? null);
      }),
      { numRuns: RUNS },
    );
  });

  it('(i) a native line is read byte for byte and every format carries its values unchanged; kv writes its body back byte for byte', () => {
    const cef = createRenderer('cef', { mode: 'compatible' });
    const ecs = createRenderer('ecs');
    fc.assert(
      fc.property(nativePairs, (pairs) => {
        const body = pairs.map(([k, v]) => `${k}=${v}`).join(' ');
        const e = parseInput(`<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 1 - ${body}`);
        const want = Object.fromEntries(pairs);
        expect(e.fields).toEqual(want);
        expect(checkRfc5424Strict(kv.render(e)).msg).toBe(body);
        // CEF escapes are encoding: the strict CEF reader gives every value back
        expect(checkCefStrict(cef.render(e)).ext).toMatchObject(want);
        expect(parseInput(cef.render(e)).fields).toEqual(want);
        expect(JSON.parse(ecs.render(e)).segura.fields).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('one record, valid per the strict reference parsers', () => {
  it('(c) no CEF, RFC 5424 or LEEF line contains a raw control character; ECS is one JSON object', () => {
    const ecs = createRenderer('ecs');
    fc.assert(
      fc.property(envelopeArb({ reservedKeys: true }), (env) => {
        const e = parsed(env);
        fc.pre(e !== undefined);
        if (e === undefined) return;
        for (const [what, r] of renderers) {
          const line = r.render(e);
          expect(controlIndex(line), `${what}: ${JSON.stringify(line)}`).toBe(-1);
          expect(isWellFormedUtf16(line), what).toBe(true);
        }
        const json = ecs.render(e);
        expect(json).not.toMatch(/[\r\n]/);
        const doc = JSON.parse(json) as Record<string, unknown>;
        expect(typeof doc).toBe('object');
        expect((doc.segura as { fields: unknown }).fields).toEqual(e.fields);
      }),
      { numRuns: RUNS },
    );
  });

  it('(d) every CEF line passes the strict CEF checker, every RFC 5424 line the strict RFC 5424 checker', () => {
    fc.assert(
      fc.property(envelopeArb({ reservedKeys: true }), (env) => {
        const e = parsed(env);
        fc.pre(e !== undefined);
        if (e === undefined) return;
        for (const [what, r] of renderers) {
          const line = r.render(e);
          if (what.startsWith('cef')) {
            const c = checkCefStrict(line);
            expect(c.header.signatureId).toBe(e.eventId);
            expect(c.header.severity).toBe(String(e.cefSeverity));
          } else if (what.startsWith('rfc5424')) {
            const s = checkRfc5424Strict(line);
            expect(s.severity).toBe(e.syslogSeverity);
            expect(s.msgId).toBe(e.eventId);
            if (what !== 'rfc5424 kv') expect(checkCefStrict(s.msg ?? '').header.signatureId).toBe(e.eventId);
          } else {
            expect(checkLeefStrict(line).eventId).toBe(e.eventId);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('(e) with maxBytes = N a rendered line is ≤ N UTF-8 bytes, well-formed, and still strict-valid', () => {
    let truncated = 0;
    fc.assert(
      fc.property(
        envelopeArb({ maxValue: 60 }).chain((env) =>
          fc
            .tuple(hostileString(40, 1), fc.integer({ min: 1, max: 60 }))
            .map(([chunk, n]) => ({ ...env, fields: { ...env.fields, msg: chunk.repeat(n) } })),
        ),
        fc.integer({ min: 128, max: 900 }),
        fc.constantFrom('cef', 'rfc5424', 'leef', 'ecs'),
        (env, n, format) => {
          const e = parsed(env);
          fc.pre(e !== undefined);
          if (e === undefined) return;
          const max = format === 'ecs' ? n + 128 : n;
          let r: { text: string; truncated: boolean };
          try {
            r = createRenderer(format, { maxBytes: max }).renderWithInfo(e);
          } catch (err) {
            // refusing (when shortening msg cannot be enough) is allowed; anything else is not
            expect(err).toBeInstanceOf(RenderError);
            return;
          }
          const line = r.text;
          if (r.truncated) truncated++;
          expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(max);
          expect(isWellFormedUtf16(line)).toBe(true);
          if (format === 'cef') checkCefStrict(line);
          if (format === 'rfc5424') checkCefStrict(checkRfc5424Strict(line).msg ?? '');
          if (format === 'leef') checkLeefStrict(line);
          if (format === 'ecs') JSON.parse(line);
        },
      ),
      { numRuns: RUNS },
    );
    // the property must actually exercise the cut
    expect(truncated).toBeGreaterThan(RUNS / 10);
  });
});

/** SD built by the grammar: elements with registered or name@PEN ids, PARAM-VALUEs with escapes. */
const sdElements = fc
  .uniqueArray(fc.constantFrom('x@32473', 'timeQuality', 'origin', 'meta', 'exampleSDID@32473', 'a@1.2.3'), {
    minLength: 1,
    maxLength: 3,
  })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc
          .array(
            fc.tuple(
              fc.constantFrom('a', 'ip', 'tzKnown', 'eventSource', 'x'.repeat(32)),
              fc.string({
                unit: fc.constantFrom('a', ' ', 'é', '=', '[', '\\"', '\\\\', '\\]', '\\x', '😀'),
                maxLength: 6,
              }),
            ),
            { maxLength: 3 },
          )
          .map((params) => `[${id}${params.map(([n, v]) => ` ${n}="${v}"`).join('')}]`),
      ),
    ),
  )
  .map((els) => els.join(''));

/** Text in the STRUCTURED-DATA position: valid SD, SD with one random edit, or bracketed message text. */
const sdLike = fc
  .oneof(
    sdElements,
    fc.tuple(sdElements, fc.nat(), fc.constantFrom('', ']', '"', ' ', '=', 'x', '[', '\\')).map(([sd, at, edit]) => {
      const i = 1 + (at % sd.length);
      return `${sd.slice(0, i)}${edit}${sd.slice(i + (edit === '' ? 1 : 0))}`.trimEnd();
    }),
    fc
      .array(
        fc.oneof(
          fc.constantFrom('[', ']', '"', '=', ' ', '\\', '@', '-'),
          fc.constantFrom('x@32473', 'timeQuality', 'Action', 'taken', 'a', 'é', '1'),
        ),
        { minLength: 1, maxLength: 10 },
      )
      .map((parts) => `[${parts.join('')}`.trimEnd()),
    // a line is decoded UTF-8: a random edit must not leave half a surrogate pair
  )
  .filter(isWellFormedUtf16);

describe('STRUCTURED-DATA', () => {
  it('(l) text that is SD by RFC 5424 (per the strict checker) is recorded in structuredData; anything else stays in the message; nothing is dropped', () => {
    let recorded = 0;
    let text = 0;
    fc.assert(
      fc.property(sdLike, (sd) => {
        const after = `${sd} command blocked`;
        const line = `<13>1 - vm Segura 1426 - ${after}`;
        let msg: string | null | undefined;
        try {
          msg = checkRfc5424Strict(line).msg;
        } catch (err) {
          if (!(err instanceof StrictParseError)) throw err;
        }
        const e = parseInput(line);
        if (msg !== undefined) {
          recorded++;
          // the SD part is what the strict checker did not take as MSG; nothing is lost between them
          const sdText = msg === null ? after : after.slice(0, after.length - msg.length - 1);
          expect(msg === null ? sdText : `${sdText} ${msg}`).toBe(after);
          const body = msg === null ? {} : parseInput(`<13>1 - vm Segura 1426 - - ${msg}`).fields;
          expect(e.fields).toEqual({ structuredData: sdText, ...body });
          expect(e.flags).toContain('structured-data-recorded');
        } else {
          text++;
          expect(e.fields).toEqual({ msg: `${sd} command blocked` });
          expect(e.flags).toContain('missing-structured-data');
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // both outcomes must be exercised
    expect(recorded).toBeGreaterThan(RUNS / 5);
    expect(text).toBeGreaterThan(RUNS / 5);
  });
});

/** A header token: hostile text without spaces (a syslog header splits on them). */
const headerToken = hostileString(10, 1)
  .map((t) => t.replace(/ /g, ''))
  .filter((t) => t !== '');
/** A CEF header field: hostile text with `\` and `|` escaped as the CEF header requires. */
const cefHeaderField = hostileString(12, 1).map((t) => t.replace(/[\\|]/g, '\\$&'));

/** Every header token of every input kind, hostile. */
const headerInput = fc.oneof(
  fc
    .tuple(headerToken, headerToken, headerToken)
    .map(([host, app, pid]) => `<13>1 2026-01-19T13:41:00.123Z ${host} ${app} ${pid} 1 - suser=jsilva`),
  fc
    .tuple(headerToken, headerToken, headerToken, cefHeaderField, cefHeaderField, cefHeaderField, cefHeaderField)
    .map(
      ([host, app, pid, vendor, product, version, name]) =>
        `<13>1 2026-01-19T13:41:00.123Z ${host} ${app} ${pid} 1 - CEF:0|${vendor}|${product}|${version}|1|${name}|5|suser=jsilva`,
    ),
  fc
    .tuple(headerToken, cefHeaderField, cefHeaderField, cefHeaderField, cefHeaderField)
    .map(
      ([host, vendor, product, version, name]) =>
        `<13>Jan 19 10:41:00 ${host} CEF:0|${vendor}|${product}|${version}|1|${name}|5|suser=jsilva dvcpid=7`,
    ),
  fc
    .tuple(cefHeaderField, cefHeaderField, cefHeaderField, cefHeaderField, hostileString(10, 1), hostileString(10, 1))
    .map(
      ([vendor, product, version, name, host, pid]) =>
        `CEF:0|${vendor}|${product}|${version}|1|${name}|5|dvchost=${host.replace(/[\\=]/g, '\\$&')} dvcpid=${pid.replace(/[\\=]/g, '\\$&')}`,
    ),
  envelopeArb().map((env) => JSON.stringify({ ...env, product: env.app, deviceVersion: env.name })),
);

const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('header tokens', () => {
  it('(j) no raw control character from any header token of any input kind reaches any output', () => {
    const ecs = createRenderer('ecs');
    let parsedCount = 0;
    fc.assert(
      fc.property(headerInput, (input) => {
        let e: SecurityEvent;
        try {
          e = parseInput(input);
        } catch (err) {
          if (err instanceof InvalidEventError) return;
          throw err;
        }
        parsedCount++;
        for (const v of [e.name, e.host, e.app, e.pid, e.product, e.deviceVersion]) {
          if (typeof v === 'string') expect(v).not.toMatch(ANY_CONTROL);
        }
        for (const [what, r] of renderers) {
          const line = r.render(e);
          expect(controlIndex(line), `${what}: ${JSON.stringify(line)}`).toBe(-1);
        }
        const doc = JSON.parse(ecs.render(e));
        for (const v of [
          doc.event.provider,
          doc.observer.product,
          doc.observer.version,
          doc.observer.hostname,
          doc.host?.name,
        ]) {
          if (v !== undefined) expect(v).not.toMatch(ANY_CONTROL);
        }
      }),
      { numRuns: RUNS },
    );
    // the property must mostly test parsed events, not rejections
    expect(parsedCount).toBeGreaterThan(RUNS / 2);
  });
});

/** Independent range checks of the typed dictionary keys (CEF dictionary; ports, IPs, MACs, epoch ms, geo). */
const IN_RANGE: Readonly<Record<string, (v: string) => boolean>> = {
  dpt: (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535,
  spt: (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535,
  spid: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 2147483647,
  dpid: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 2147483647,
  cnt: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 2147483647,
  fsize: (v) => /^\d{1,10}$/.test(v) && Number(v) <= 2147483647,
  type: (v) => /^[0-3]$/.test(v),
  start: (v) => /^[1-9]\d{12}$/.test(v),
  end: (v) => /^[1-9]\d{12}$/.test(v),
  deviceCustomDate1: (v) => /^[1-9]\d{12}$/.test(v),
  smac: (v) => /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/.test(v),
  dvcmac: (v) => /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/.test(v),
  slat: (v) => /^-?\d+(\.\d+)?$/.test(v) && Math.abs(Number(v)) <= 90,
  dlat: (v) => /^-?\d+(\.\d+)?$/.test(v) && Math.abs(Number(v)) <= 90,
  slong: (v) => /^-?\d+(\.\d+)?$/.test(v) && Math.abs(Number(v)) <= 180,
  src: (v) => isIP(v) !== 0,
  dst: (v) => isIP(v) !== 0,
  dvc: (v) => isIP(v) !== 0,
};

describe('strict CEF mapping', () => {
  it('(k) never writes a typed dictionary key with a value outside its type or range; the value moves to a labeled slot', () => {
    fc.assert(
      fc.property(envelopeArb(), (env) => {
        const e = parsed(env);
        fc.pre(e !== undefined);
        if (e === undefined) return;
        const pairs = checkCefStrict(cefStrict.render(e)).pairs;
        for (const [k, v] of pairs) {
          const ok = IN_RANGE[k];
          if (ok !== undefined) expect(ok(v), `${k}=${v}`).toBe(true);
        }
        const values = pairs.map(([, v]) => v);
        for (const v of Object.values(e.fields)) expect(values).toContain(v);
      }),
      { numRuns: RUNS },
    );
  });

  /** Envelopes whose pid (if any) is numeric, so dvcpid carries it (non-numeric pids: cef-mapping.test.ts). */
  const numericPid = envelopeArb({ reservedKeys: true }).map((env) => {
    const { pid: _pid, ...rest } = env;
    return typeof env.pid === 'number' && env.pid < 1e9 ? env : rest;
  });

  it('(f) strict CEF parsed back yields exactly the pairs extensionPairs(fields, "strict") predicts', () => {
    fc.assert(
      fc.property(numericPid, (env) => {
        const e = parsed(env);
        fc.pre(e !== undefined);
        if (e === undefined) return;
        const head: Array<[string, string]> = [];
        if (e.time !== null) head.push(['rt', String(e.time.epochMs)]);
        if (e.host !== null) head.push(['dvchost', e.host]);
        if (e.pid !== null) head.push(['dvcpid', e.pid]);
        const predicted = [...head, ...extensionPairs(e.fields, 'strict').map(([k, v]) => [k, v])];
        expect(checkCefStrict(cefStrict.render(e)).pairs).toEqual(predicted);
      }),
      { numRuns: RUNS },
    );
  });

  it('(g) strict mode loses no field value and label, and writes every key once', () => {
    fc.assert(
      fc.property(numericPid, (env) => {
        const e = parsed(env);
        fc.pre(e !== undefined);
        if (e === undefined) return;
        const pairs = checkCefStrict(cefStrict.render(e)).pairs;
        const values = new Set(pairs.map(([, v]) => v));
        for (const [k, v] of Object.entries(e.fields)) expect(values.has(v), `${k}=${v} lost`).toBe(true);
        const keys = pairs.map(([k]) => k);
        expect(
          keys.filter((k, i) => keys.indexOf(k) !== i),
          'duplicate keys',
        ).toEqual([]);
      }),
      {
        numRuns: RUNS,
        // known shapes, always tried: a case-variant custom key, and every slot taken with cs7/cs8 labels
        examples: [
          [{ id: 'A', fields: { cs1: 'a', Cs1: 'b' } }],
          [
            {
              id: '9009',
              fields: {
                ...Object.fromEntries(
                  [1, 2, 3, 4, 5, 6].flatMap((n) => [
                    [`cs${n}Label`, `L${n}`],
                    [`cs${n}`, `v${n}`],
                  ]),
                ),
                sname: 'John Doe',
                other: 'x',
                cs7Label: 'Added users',
                cs7: 'None',
                cs8Label: 'Removed users',
                cs8: 'None',
              },
            },
          ],
        ],
      },
    );
  });
});
