/**
 * Fuzzing every renderer with random hostile events: each output is exactly one record that the
 * strict reference parsers accept (CEF, RFC 5424, LEEF) or one JSON object (ECS), framing keeps
 * one frame per event, and no key appears twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameLf, frameOctetCounted } from '../../shared/deliver/syslog/framing.js';
import { InvalidEventError, RenderError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { cefKey, fitsKey } from '../../shared/render/fields/cef-extensions.js';
import { createRenderer, type Format } from '../../shared/render/index.js';
import { envelopeArb, hostileString } from '../helpers/arbitraries.js';
import { checkCefStrict, checkLeefStrict, checkRfc5424Strict } from '../helpers/strict-parsers.js';

const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const configs = fc.record({
  mode: fc.constantFrom('strict', 'compatible'),
  msg: fc.constantFrom('cef', 'kv'),
  sdId: fc.constantFrom(undefined, 'segura@32473'),
  maxBytes: fc.constantFrom(undefined, 480, 1024, 2048),
  product: fc.constantFrom('Segura', 'senhasegura'),
});

// hostile envelopes the parser accepts (the rest are the parser fuzzer's business)
const event = envelopeArb({ reservedKeys: true, maxFields: 14, maxValue: 40 })
  .map((env) => {
    try {
      return parseInput(JSON.stringify(env));
    } catch (err) {
      if (err instanceof InvalidEventError) return null;
      throw err;
    }
  })
  .filter((e): e is ReturnType<typeof parseInput> => e !== null);

function renderOrRefuse(format: Format, cfg: Record<string, unknown>, e: ReturnType<typeof parseInput>): string | null {
  try {
    return createRenderer(format, cfg).render(e);
  } catch (err) {
    // the only refusal allowed: the event cannot fit the size budget (it is parked in the DLQ)
    if (err instanceof RenderError && cfg.maxBytes !== undefined && /budget|exceed/.test(err.message)) return null;
    throw err;
  }
}

/** CEF and native lines the way the vault and other CEF senders write them, with hostile parts. */
const headerText = hostileString(12, 1);
const lineEvent = fc
  .oneof(
    // CEF: the vault's own product/version (escaped as the header requires), typed keys in and out of range
    fc
      .tuple(
        headerText,
        headerText,
        fc.constantFrom('dpt', 'spt', 'src', 'dst', 'smac', 'start', 'slat', 'latitude', 'cnt', '_cefVer', 'a.b'),
        fc.oneof(
          fc.integer({ min: -5, max: 100_000 }).map(String),
          fc.constantFrom('10.0.0.256', '1768830060', '00:1a:2b:3c:4d:5e'),
        ),
        hostileString(20),
      )
      .map(([product, version, key, value, msg]) => {
        const h = (t: string) => t.replace(/[\\|]/g, '\\$&');
        const x = (t: string) => t.replace(/[\\=]/g, '\\$&').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
        return `CEF:0|MT4|${h(product)}|${h(version)}|336.501|n|9|${key}=${x(value)} msg=${x(msg)}`;
      }),
    // native: header tokens with controls, a body with backslashes and SD-looking text
    fc
      .tuple(
        hostileString(8, 1).map((t) => t.replace(/ /g, '_')),
        hostileString(8, 1).map((t) => t.replace(/ /g, '_')),
        fc.constantFrom('-', '[Action taken]', '[x@32473 a="b\\]"]', '[ALERT]'),
        hostileString(20),
      )
      .map(
        ([app, pid, sd, text]) =>
          `<13>1 2026-01-19T13:41:00.123Z vault-01 ${app} ${pid} 1 ${sd} ${text.replace(/[\r\n]/g, ' ')}`,
      ),
  )
  .map((line) => {
    try {
      return parseInput(line);
    } catch (err) {
      if (err instanceof InvalidEventError) return null;
      throw err;
    }
  })
  .filter((e): e is ReturnType<typeof parseInput> => e !== null);

describe('fuzz: renderers produce one valid record per event', () => {
  it('events parsed from CEF and native lines (the vault product/version, typed keys, header tokens) render strict-valid in every format', () => {
    fc.assert(
      fc.property(lineEvent, configs, (e, cfg) => {
        const cef = renderOrRefuse('cef', cfg, e);
        if (cef !== null) {
          expect(ANY_CONTROL.test(cef)).toBe(false);
          const c = checkCefStrict(cef);
          // strict CEF never writes a typed dictionary key with a value outside its type or range
          if (cfg.mode === 'strict')
            for (const [k, v] of c.pairs)
              if (cefKey(k) !== undefined && k !== 'rt') expect(fitsKey(k, v), `${k}=${v}`).toBe(true);
        }
        const line = renderOrRefuse('rfc5424', cfg, e);
        if (line !== null) {
          expect(ANY_CONTROL.test(line)).toBe(false);
          checkRfc5424Strict(line);
        }
        const leef = renderOrRefuse('leef', cfg, e);
        if (leef !== null) {
          expect(ANY_CONTROL.test(leef)).toBe(false);
          checkLeefStrict(leef);
        }
        const ecs = renderOrRefuse('ecs', { ...cfg, maxBytes: undefined }, e);
        expect(JSON.parse(ecs ?? '').segura.fields).toEqual(e.fields);
      }),
      { numRuns: 400 },
    );
  });

  it('CEF and RFC 5424 under every option mix pass the strict parsers', () => {
    fc.assert(
      fc.property(event, configs, (e, cfg) => {
        const cef = renderOrRefuse('cef', cfg, e);
        if (cef !== null) {
          expect(ANY_CONTROL.test(cef)).toBe(false);
          const parsed = checkCefStrict(cef);
          const keys = parsed.pairs.map(([k]) => k);
          expect(new Set(keys).size).toBe(keys.length);
          if (cfg.maxBytes !== undefined) expect(Buffer.byteLength(cef)).toBeLessThanOrEqual(cfg.maxBytes);
        }
        const line = renderOrRefuse('rfc5424', cfg, e);
        if (line !== null) {
          expect(ANY_CONTROL.test(line)).toBe(false);
          checkRfc5424Strict(line);
          if (cfg.maxBytes !== undefined) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(cfg.maxBytes);
          // framing: the octet count is the UTF-8 length; LF framing never meets an inner LF
          const framed = frameOctetCounted(line);
          const sp = framed.indexOf(0x20);
          expect(Number(framed.subarray(0, sp).toString())).toBe(framed.length - sp - 1);
          expect(frameLf(line).indexOf(0x0a)).toBe(Buffer.byteLength(line));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('LEEF keeps one attribute per key and no control characters; ECS is one JSON object', () => {
    fc.assert(
      fc.property(event, (e) => {
        const leef = createRenderer('leef').render(e);
        expect(ANY_CONTROL.test(leef)).toBe(false);
        const l = checkLeefStrict(leef);
        const keys = l.attrs.map(([k]) => k);
        expect(new Set(keys).size).toBe(keys.length);
        const ecs = createRenderer('ecs').render(e);
        expect(ecs.includes('\n')).toBe(false);
        const doc = JSON.parse(ecs) as { event: { code: string }; segura: { fields: Record<string, string> } };
        expect(doc.event.code).toBe(e.eventId);
        expect(doc.segura.fields).toEqual(e.fields);
      }),
      { numRuns: 300 },
    );
  });
});
