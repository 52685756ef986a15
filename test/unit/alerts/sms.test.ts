/**
 * SMS length and encoding: GSM-7 septet counting (basic 1, extension 2), the switch to UCS-2 (70 code
 * units) for anything else, transliteration, truncation at safe boundaries with a protected suffix,
 * one line without control characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitSms,
  GSM7_LIMIT,
  gsm7Septets,
  isGsm7,
  smsCost,
  transliterate,
  UCS2_LIMIT,
} from '../../../shared/alerts/sms.js';

describe('GSM-7 counting', () => {
  it.each<[string, number]>([
    ['Hello', 5],
    ['@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ', 29],
    ['¡¿ÄÖÑÜ§äöñüà', 12],
    ['€', 2],
    ['{}[]', 8],
    ['a^b~c|d\\e', 13],
  ])('%j costs %i septets', (s, n) => {
    expect(gsm7Septets(s)).toBe(n);
    expect(isGsm7(s)).toBe(true);
  });

  it.each(['ã', 'õ', 'ç', '“', '–', '日本', '🚨', '\n', '\r', '\u001b', '\f'])(
    '%j is not GSM-7 (or not allowed)',
    (s) => {
      expect(gsm7Septets(s)).toBe(-1);
      expect(isGsm7(s)).toBe(false);
    },
  );
});

describe('transliterate', () => {
  it.each<[string, string]>([
    ['São Paulo', 'Sao Paulo'],
    ['Ação concluída', 'Acao concluida'],
    ['“quoted” – ‘single’…', '"quoted" - \'single\'...'],
    ['José é o usuário', 'José é o usuario'], // é is GSM-7 and stays
    ['日本 🚨', '日本 🚨'], // no equivalent: kept, the caller falls back to UCS-2
  ])('%j → %j', (input, out) => {
    expect(transliterate(input)).toBe(out);
  });
});

describe('fitSms', () => {
  it('keeps a short ASCII text as is, in GSM-7', () => {
    const r = fitSms('SEGURA: backup FAILED on vault-01');
    expect(r).toEqual({
      text: 'SEGURA: backup FAILED on vault-01',
      encoding: 'gsm7',
      units: 33,
      limit: 140,
      truncated: false,
    });
  });

  it('truncates to 140 septets at a word boundary with "..."', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const r = fitSms(words);
    expect(r.encoding).toBe('gsm7');
    expect(r.truncated).toBe(true);
    expect(r.units).toBeLessThanOrEqual(GSM7_LIMIT);
    expect(r.units).toBeGreaterThan(GSM7_LIMIT - 12);
    expect(r.text.endsWith('...')).toBe(true);
    expect(words.startsWith(r.text.slice(0, -3))).toBe(true);
    expect(r.text.slice(0, -3)).toMatch(/word\d+$/); // cut between words
  });

  it('counts extension characters as 2 septets at the boundary', () => {
    const r = fitSms(`${'a'.repeat(136)}€€€`); // 136 + 6 = 142 septets
    expect(r.truncated).toBe(true);
    expect(gsm7Septets(r.text)).toBe(r.units);
    expect(r.units).toBeLessThanOrEqual(140);
    const exact = fitSms(`${'a'.repeat(134)}€€€`); // 134 + 6 = 140: fits exactly
    expect(exact).toMatchObject({ truncated: false, units: 140 });
  });

  it('switches to UCS-2 (70 units, "…") when a character has no GSM-7 form', () => {
    const r = fitSms(`アラート: マスターキーの復元に失敗しました ${'詳細'.repeat(40)}`);
    expect(r.encoding).toBe('ucs2');
    expect(r.limit).toBe(UCS2_LIMIT);
    expect(r.text.length).toBeLessThanOrEqual(70);
    expect(r.units).toBe(r.text.length);
    expect(r.text.endsWith('…')).toBe(true);
  });

  it('transliterates Portuguese so the SMS keeps its 140-character budget; off, it is UCS-2', () => {
    const text = 'Falha na recuperação da chave mestra em São Paulo pelo usuário João às 10:41';
    expect(fitSms(text)).toMatchObject({
      encoding: 'gsm7',
      limit: 140,
      truncated: false,
      text: 'Falha na recuperacao da chave mestra em Sao Paulo pelo usuario Joao às 10:41', // à is GSM-7
    });
    expect(fitSms(text, '', { transliterate: false })).toMatchObject({ encoding: 'ucs2', limit: 70, truncated: true });
  });

  it('never splits an emoji (surrogate pair) or a letter from its combining accent', () => {
    const emoji = fitSms(`${'🚨'.repeat(50)}`);
    expect(emoji.encoding).toBe('ucs2');
    expect(emoji.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const combining = fitSms(`${'e\u0301'.repeat(60)}日`); // é as e + U+0301, forced to UCS-2
    expect(combining.text.replace('…', '')).toMatch(/^(e\u0301)+$/);
  });

  it('is one line: CR, LF, tabs and control characters become single spaces', () => {
    const r = fitSms('line one\r\nline two\tand\u0000NUL\u001b[31m  spaced\u2028end');
    expect(r.text).toBe('line one line two and NUL [31m spaced end');
  });

  it('keeps the suffix (the "+N similar" note) whole when the text is cut', () => {
    const suffix = '+12 similar in the last 10 min';
    const r = fitSms('x'.repeat(300), suffix);
    expect(r.text.endsWith(` ${suffix}`)).toBe(true);
    expect(r.text).toContain('...');
    expect(r.units).toBeLessThanOrEqual(140);
  });

  it('leaves room for the SMS topic display name SNS prefixes ("SEGURA> ")', () => {
    const r = fitSms('y'.repeat(300), '', { reserve: 'SEGURA'.length + 2 });
    expect(r.limit).toBe(132);
    expect(r.units).toBeLessThanOrEqual(132);
  });

  it('property: any text fits its budget, is one line, has no lone surrogate, and keeps a fitting suffix', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400, unit: 'grapheme' }),
      fc.string({ maxLength: 400, unit: 'binary' }),
    );
    const suffix = fc.constantFrom('', '+1 similar in the last 1 min', '+999 similar in the last 48 h');
    fc.assert(
      fc.property(text, suffix, fc.boolean(), fc.integer({ min: 0, max: 20 }), (t, s, tr, reserve) => {
        const r = fitSms(t, s, { transliterate: tr, reserve });
        expect(r.units).toBe(smsCost(r.text, r.encoding));
        expect(r.units).toBeLessThanOrEqual(r.limit);
        expect(r.limit).toBe((r.encoding === 'gsm7' ? 140 : 70) - reserve);
        expect(r.text).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/);
        expect(r.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        if (r.encoding === 'gsm7') expect(isGsm7(r.text)).toBe(true);
        if (s !== '') expect(r.text.endsWith(s)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
