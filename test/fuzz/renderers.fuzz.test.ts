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
import { createRenderer, type Format } from '../../shared/render/index.js';
import { envelopeArb } from '../helpers/arbitraries.js';
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
    if (err instanceof RenderError && cfg.maxBytes !== undefined && /budget/.test(err.message)) return null;
    throw err;
  }
}

describe('fuzz: renderers produce one valid record per event', () => {
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
