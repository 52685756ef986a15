/**
 * Property tests: arbitrary hostile envelopes → parse → render → (strict reference parser | parseInput).
 * numRuns are sized so the file runs in a few seconds.
 */
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

describe('RFC 5424 key=value MSG', () => {
  const kv = createRenderer('rfc5424', { msg: 'kv' });

  // values that start with `"` are covered by hostile.test.ts (the native parser reads them as quoted)
  it('(h) the vault-style key=value MSG parsed back yields the same fields and header values', () => {
    fc.assert(
      fc.property(envelopeArb(), (env) => {
        const e1 = parsed(env);
        fc.pre(
          e1 !== undefined &&
            Object.keys(e1.fields).length > 0 &&
            !Object.values(e1.fields).some((v) => v.startsWith(`"`)),
        );
        if (e1 === undefined) return;
        const e2 = parseInput(kv.render(e1));
        expect(Object.entries(e2.fields)).toEqual(Object.entries(e1.fields));
        expect(e2.eventId).toBe(e1.eventId);
        expect(e2.syslogSeverity).toBe(e1.syslogSeverity);
        expect(e2.time?.epochMs ?? null).toBe(e1.time?.epochMs ?? null);
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

describe('strict CEF mapping', () => {
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
