/**
 * Size budgets (docs/formats.md §3.3): only the free text is shortened, measured in UTF-8 bytes after
 * escaping, on a code-point boundary, never through an escape sequence, without a trailing space,
 * with a visible marker; a renderer refuses (RenderError) when shortening msg cannot be enough.
 */
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../shared/errors.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { cutEscaped, fitMessage, TRUNCATION_MARKER } from '../../../shared/render/budget.js';
import { createRenderer, type Format } from '../../../shared/render/index.js';
import {
  checkCefStrict,
  checkLeefStrict,
  checkRfc5424Strict,
  isWellFormedUtf16,
} from '../../helpers/strict-parsers.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function event(fields: Record<string, string>, extra: Record<string, unknown> = {}): SecurityEvent {
  return parseInput(
    JSON.stringify({
      id: '14',
      timestamp: '2026-01-19T10:41:00.123-03:00',
      host: 'vault-01',
      pid: 1426,
      fields,
      ...extra,
    }),
  );
}

describe('cutEscaped', () => {
  it('keeps whole escape pairs, whole surrogate pairs, drops trailing spaces, appends the marker', () => {
    expect(TRUNCATION_MARKER).toBe('…');
    expect(cutEscaped('abcdef', 6)).toBe('abc…');
    expect(cutEscaped('ab\\ncd', 6)).toBe('ab…'); // `\n` would need 2 bytes, only 1 left
    expect(cutEscaped('ab\\ncd', 7)).toBe('ab\\n…');
    expect(cutEscaped('a😀b', 6)).toBe('a…'); // the emoji is 4 bytes
    expect(cutEscaped('a😀b', 8)).toBe('a😀…');
    expect(cutEscaped('ab   cd', 8)).toBe('ab…');
    expect(cutEscaped('ééé', 7)).toBe('éé…');
  });

  it('treats backslashes as plain bytes when escapePairs is false (LEEF has no escapes)', () => {
    expect(cutEscaped('a\\bc', 5, false)).toBe('a\\…');
  });

  it('returns just the marker, or nothing, for tiny budgets', () => {
    expect(cutEscaped('abcdef', 3)).toBe('…');
    expect(cutEscaped('abcdef', 2)).toBe('');
  });

  it('never exceeds the budget and never ends inside an escape or a surrogate pair', () => {
    const escaped = 'José\\=\\\\ 😀 a\\nb   ção\\r'.repeat(5);
    for (let n = 0; n <= bytes(escaped) + 3; n++) {
      const cut = cutEscaped(escaped, n);
      expect(bytes(cut), `n=${n}`).toBeLessThanOrEqual(n);
      expect(isWellFormedUtf16(cut)).toBe(true);
      const body = cut.endsWith(TRUNCATION_MARKER) ? cut.slice(0, -1) : cut;
      expect(body.endsWith(' ')).toBe(false);
      expect(/(^|[^\\])(\\\\)*\\$/.test(body), `dangling backslash in ${JSON.stringify(cut)}`).toBe(false);
    }
  });
});

describe('fitMessage', () => {
  it('shortens the msg so the line fits, or refuses', () => {
    // a 100-byte line whose msg is 60 bytes: 40 fixed bytes, 80 allowed → 20 bytes for msg
    expect(bytes(fitMessage(100, 'x'.repeat(60), 60, 'test'))).toBeLessThanOrEqual(20);
    expect(() => fitMessage(100, 'x'.repeat(60), 42, 'test')).toThrow(RenderError);
    expect(() => fitMessage(100, 'x'.repeat(60), 42, 'test')).toThrow(
      'test: needs at least 43 bytes (40 without the message text + 3 for the truncation mark "…"), over the 42-byte budget',
    );
    // the boundary: 40 fixed bytes + the 3-byte mark fit a 43-byte budget exactly; 42 does not
    expect(fitMessage(100, 'x'.repeat(60), 43, 'test')).toBe('…');
    // 99 fixed bytes within a 100-byte budget are not said to exceed it: the mark is what does not fit
    expect(() => fitMessage(159, 'x'.repeat(60), 100, 'e')).toThrow(
      'e: needs at least 102 bytes (99 without the message text + 3 for the truncation mark "…"), over the 100-byte budget',
    );
  });
});

describe('renderer budgets', () => {
  const msg = 'José \\ = \n 😀 ação "x" ]'.repeat(12);
  const e = event({ msg, suser: 'jsilva', duser: 'root' });

  it.each(['cef', 'rfc5424', 'leef', 'ecs'] as const)(
    '%s: every budget from the minimum to the full length',
    (format) => {
      const full = createRenderer(format).render(e);
      const fullBytes = bytes(full);
      const min = format === 'cef' ? 64 : format === 'rfc5424' ? 128 : format === 'leef' ? 1 : 256;
      let refused = 0;
      let fitted = 0;
      for (let n = min; n <= fullBytes + 2; n++) {
        let r: { text: string; truncated: boolean };
        try {
          r = createRenderer(format, { maxBytes: n }).renderWithInfo(e);
        } catch (err) {
          expect(err).toBeInstanceOf(RenderError);
          refused++;
          continue;
        }
        fitted++;
        expect(bytes(r.text), `n=${n}`).toBeLessThanOrEqual(n);
        expect(r.truncated).toBe(fullBytes > n);
        if (!r.truncated) expect(r.text).toBe(full);
        expect(isWellFormedUtf16(r.text)).toBe(true);
        if (format === 'cef') {
          const c = checkCefStrict(r.text);
          expect(c.ext.suser).toBe('jsilva');
          expect(c.ext.duser).toBe('root');
          if (r.truncated) expect(c.ext.msg?.endsWith('…')).toBe(true);
          if (r.truncated) expect(msg.startsWith((c.ext.msg ?? '').slice(0, -1))).toBe(true);
        } else if (format === 'rfc5424') {
          const c = checkCefStrict(checkRfc5424Strict(r.text).msg ?? '');
          expect(c.ext.suser).toBe('jsilva');
          if (r.truncated) expect(msg.startsWith((c.ext.msg ?? '').slice(0, -1))).toBe(true);
        } else if (format === 'leef') {
          checkLeefStrict(r.text);
        } else {
          const doc = JSON.parse(r.text) as { message: string; segura: { fields: { msg: string; suser: string } } };
          expect(doc.segura.fields.msg).toBe(doc.message);
          expect(doc.segura.fields.suser).toBe('jsilva');
          if (r.truncated) expect(doc.message.endsWith('…')).toBe(true);
        }
      }
      expect(fitted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
  );

  it('RFC 5424 counts the BOM of a non-ASCII kv MSG in the budget', () => {
    const r = createRenderer('rfc5424', { msg: 'kv', maxBytes: 200 }).renderWithInfo(e);
    expect(r.truncated).toBe(true);
    expect(bytes(r.text)).toBeLessThanOrEqual(200);
    expect(checkRfc5424Strict(r.text).bom).toBe(true);
  });

  it('refuses when the event has no msg to shorten', () => {
    const noMsg = event({ suser: 'x'.repeat(500) });
    for (const format of ['cef', 'rfc5424', 'leef', 'ecs'] as const) {
      expect(() => createRenderer(format, { maxBytes: 300 }).render(noMsg), format).toThrow(RenderError);
    }
  });

  it('leaves events that fit untouched', () => {
    const small = event({ msg: 'short', suser: 'jsilva' });
    for (const format of ['cef', 'rfc5424', 'leef', 'ecs'] as const) {
      expect(createRenderer(format, { maxBytes: 4096 }).renderWithInfo(small)).toEqual({
        text: createRenderer(format).render(small),
        truncated: false,
      });
    }
  });

  it.each([
    ['cef', 63],
    ['cef', 1.5],
    ['rfc5424', 127],
    ['ecs', 255],
  ] as const)('%s rejects maxBytes %d at construction', (format: Format, maxBytes) => {
    expect(() => createRenderer(format, { maxBytes })).toThrow(RenderError);
  });
});
