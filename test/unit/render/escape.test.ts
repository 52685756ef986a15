/**
 * Per-format escapers (docs/formats.md §1.2, RFC 5424 §6.3.3) and the strict reference parsers the other
 * render tests rely on: the parsers must reject exactly what docs/formats.md says liblognorm / RFC 5424
 * parsers reject, or they would prove nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCefHeader, escapeCefValue, escapeSdValue, printUsAscii } from '../../../shared/render/escape.js';
import { hostileString } from '../../helpers/arbitraries.js';
import { checkCefStrict, checkLeefStrict, checkRfc5424Strict, StrictParseError } from '../../helpers/strict-parsers.js';

describe('escapeCefHeader', () => {
  it.each([
    ['Password Viewed', 'Password Viewed'],
    ['a|b', 'a\\|b'],
    ['C:\\temp', 'C:\\\\temp'],
    ['\\|', '\\\\\\|'],
    ['a=b', 'a=b'],
    ['a\r\nb', 'a  b'],
    ['José 😀', 'José 😀'],
  ])('%j → %j', (input, out) => {
    expect(escapeCefHeader(input)).toBe(out);
  });

  it('returns the same string when nothing needs escaping (fast path)', () => {
    const s = 'Master Key - Recovery Attempt Failed';
    expect(escapeCefHeader(s)).toBe(s);
  });
});

describe('escapeCefValue', () => {
  it.each([
    ['plain text with spaces', 'plain text with spaces'],
    ['a=b', 'a\\=b'],
    ['C:\\temp', 'C:\\\\temp'],
    ['line1\nline2\r', 'line1\\nline2\\r'],
    ['a|b', 'a|b'],
    ['\\=', '\\\\\\='],
    ['bob act=deleted suser=admin', 'bob act\\=deleted suser\\=admin'],
    ['"quoted"', '"quoted"'],
  ])('%j → %j', (input, out) => {
    expect(escapeCefValue(input)).toBe(out);
  });

  it('round-trips through the strict CEF checker for any cleaned value', () => {
    fc.assert(
      fc.property(hostileString(30), (raw) => {
        // renderers only see cleaned values: no controls but CR/LF, trimmed, non-empty
        const v = raw.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, ' ').trim();
        fc.pre(v !== '' && !/[\ud800-\udfff]/.test(v.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));
        const line = `CEF:0|MT4|Segura|3|1|n|5|a=${escapeCefValue(v)} b=${escapeCefValue(v)}`;
        expect(checkCefStrict(line).pairs).toEqual([
          ['a', v],
          ['b', v],
        ]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escapeSdValue', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a]b', 'a\\]b'],
    ['[x]', '[x\\]'],
    ['José', 'José'],
  ])('%j → %j', (input, out) => {
    expect(escapeSdValue(input)).toBe(out);
  });

  it('round-trips through the strict RFC 5424 checker', () => {
    fc.assert(
      fc.property(hostileString(30), (raw) => {
        const v = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[\ud800-\udfff]/g, '?');
        const s = checkRfc5424Strict(`<13>1 - - - - - [x@32473 a="${escapeSdValue(v)}"]`);
        expect(s.sd).toEqual([{ id: 'x@32473', params: [['a', v]] }]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('printUsAscii', () => {
  it.each([
    [null, 5, '-'],
    ['', 5, '-'],
    ['vault-01', 255, 'vault-01'],
    ['vault 01', 255, 'vault_01'],
    ['ação', 48, 'a__o'],
    ['abcdef', 3, 'abc'],
    ['a|b', 10, 'a|b'],
  ] as const)('%j (max %d) → %j', (input, max, out) => {
    expect(printUsAscii(input, max)).toBe(out);
  });
});

describe('strict CEF checker (liblognorm 2.0.6 rules, docs/formats.md §1.5)', () => {
  const ok = 'CEF:0|MT4|Segura|3|1|Password Viewed|5|suser=jsilva msg=a b c';

  it('parses a valid line into header and ordered pairs', () => {
    expect(checkCefStrict(ok)).toEqual({
      header: {
        version: '0',
        vendor: 'MT4',
        product: 'Segura',
        deviceVersion: '3',
        signatureId: '1',
        name: 'Password Viewed',
        severity: '5',
      },
      pairs: [
        ['suser', 'jsilva'],
        ['msg', 'a b c'],
      ],
      ext: { suser: 'jsilva', msg: 'a b c' },
    });
    expect(checkCefStrict('CEF:0|a|b|c|1|n|5|').pairs).toEqual([]);
    expect(checkCefStrict('CEF:0|a\\|x|b\\\\|c|1|n|5|k.x_1=v\\=\\\\\\n\\r|').header.vendor).toBe('a|x');
    expect(checkCefStrict('CEF:0|a|b|c|1|n|5|k=v\\=\\\\\\n\\r|').ext.k).toBe('v=\\\n\r|');
  });

  it.each([
    ['CEF:1 (liblognorm accepts CEF:0 only)', 'CEF:1|a|b|c|1|n|5|x=1'],
    ['no pipe after severity', 'CEF:0|a|b|c|1|n|5'],
    ['invalid header escape', 'CEF:0|a\\x|b|c|1|n|5|'],
    ['\\t in a value (C:\\temp)', 'CEF:0|a|b|c|1|n|5|fname=C:\\temp'],
    ['escaped pipe in the extension', 'CEF:0|a|b|c|1|n|5|msg=a\\|b'],
    ['unescaped = in a value', 'CEF:0|a|b|c|1|n|5|request=https://v/x?a=b'],
    ['unescaped = after a word with other characters', 'CEF:0|a|b|c|1|n|5|msg=a b/c=d'],
    ['space around =', 'CEF:0|a|b|c|1|n|5|suser = admin'],
    ['key with a dash', 'CEF:0|a|b|c|1|n|5|ad-user=x'],
    ['trailing empty value', 'CEF:0|a|b|c|1|n|5|suser=x cs1='],
    ['middle empty value (relay rule: omit empty values)', 'CEF:0|a|b|c|1|n|5|cs1= suser=x'],
    ['trailing lone backslash', 'CEF:0|a|b|c|1|n|5|msg=x\\'],
    ['raw TAB', 'CEF:0|a|b|c|1|n|5|msg=a\tb'],
    ['raw LF', 'CEF:0|a|b|c|1|n|5|msg=a\nb'],
    ['raw NUL', 'CEF:0|a|b|c|1|n|5|msg=a\u0000b'],
    ['raw C1', 'CEF:0|a|b|c|1|n|5|msg=a\u0085b'],
    ['line-final space', 'CEF:0|a|b|c|1|n|5|msg=a '],
    ['lone surrogate', 'CEF:0|a|b|c|1|n|5|msg=a\ud800'],
    ['extension without key=', 'CEF:0|a|b|c|1|n|5|hello'],
  ])('rejects %s', (_what, line) => {
    expect(() => checkCefStrict(line)).toThrow(StrictParseError);
  });

  it('splits values the liblognorm way: the value ends before the last word in front of `=`', () => {
    expect(checkCefStrict('CEF:0|a|b|c|1|n|5|msg=a b  c suser=x').pairs).toEqual([
      ['msg', 'a b  c'],
      ['suser', 'x'],
    ]);
    // what a forged pair looks like when `=` is not escaped: a second key appears
    expect(checkCefStrict('CEF:0|a|b|c|1|n|5|suser=bob act=deleted').ext).toEqual({ suser: 'bob', act: 'deleted' });
  });
});

describe('strict RFC 5424 checker (docs/formats.md §2.1)', () => {
  it('parses a valid line', () => {
    const s = checkRfc5424Strict(
      '<134>1 2026-01-19T13:41:00.123456Z vault-01 Segura 1426 164 [segura@32473 a="x\\"\\]\\\\ \\y"][origin ip="1"] \ufeffCEF:0|x',
    );
    expect(s).toMatchObject({
      pri: 134,
      facility: 16,
      severity: 6,
      timestamp: '2026-01-19T13:41:00.123456Z',
      epochMs: 1768830060123,
      hostname: 'vault-01',
      appName: 'Segura',
      procId: '1426',
      msgId: '164',
      msg: 'CEF:0|x',
      bom: true,
    });
    expect(s.sd).toEqual([
      { id: 'segura@32473', params: [['a', 'x"]\\ \\y']] },
      { id: 'origin', params: [['ip', '1']] },
    ]);
    expect(checkRfc5424Strict('<0>1 - - - - - -')).toMatchObject({ pri: 0, msg: null, sd: [] });
    expect(checkRfc5424Strict('<13>1 2026-01-19T10:41:00-03:00 h a p m - ').msg).toBe('');
    expect(checkRfc5424Strict('<13>1 2026-01-19T10:41:00-03:00 h a p m -').epochMs).toBe(1768830060000);
  });

  it.each([
    ['PRI with a leading zero', '<013>1 - - - - - -'],
    ['PRI 192', '<192>1 - - - - - -'],
    ['VERSION 2', '<13>2 - - - - - -'],
    ['lower-case t', '<13>1 2026-01-19t13:41:00Z - - - - -'],
    ['lower-case z', '<13>1 2026-01-19T13:41:00z - - - - -'],
    ['7 fraction digits', '<13>1 2026-01-19T13:41:00.1234567Z - - - - -'],
    ['leap second', '<13>1 2026-12-31T23:59:60Z - - - - -'],
    ['missing offset', '<13>1 2026-01-19T13:41:00 - - - - -'],
    ['February 30', '<13>1 2026-02-30T13:41:00Z - - - - -'],
    ['3-digit year', '<13>1 999-01-19T13:41:00Z - - - - -'],
    ['non-ASCII HOSTNAME', '<13>1 - são-paulo - - - -'],
    ['256-character HOSTNAME', `<13>1 - ${'h'.repeat(256)} - - - -`],
    ['49-character APP-NAME', `<13>1 - - ${'a'.repeat(49)} - - -`],
    ['129-character PROCID', `<13>1 - - - ${'1'.repeat(129)} - -`],
    ['33-character MSGID', `<13>1 - - - - ${'m'.repeat(33)} -`],
    [
      'missing STRUCTURED-DATA (the vault native line)',
      '<13>1 2018-06-18T17:49:41-03:00 vm senhasegura 1426 - Autenticado',
    ],
    ['duplicate SD-ID', '<13>1 - - - - - [x@1 a="1"][x@1 a="2"]'],
    ['unescaped ] in PARAM-VALUE', '<13>1 - - - - - [x@1 a="a]b"]'],
    ['unescaped " in PARAM-VALUE', '<13>1 - - - - - [x@1 a="a"b"]'],
    ['33-character SD-ID', `<13>1 - - - - - [${'s'.repeat(28)}@1234 a="1"]`],
    ['unregistered SD-ID without @', '<13>1 - - - - - [segura a="1"]'],
    ['SD-ID with a space', '<13>1 - - - - - [x @1 a="1"]'],
    ['no SP before MSG', '<13>1 - - - - - -x'],
    ['raw LF in MSG', '<13>1 - - - - - - a\nb'],
    ['raw NUL in MSG', '<13>1 - - - - - - a\u0000b'],
    ['lone surrogate in MSG', '<13>1 - - - - - - a\udc00'],
    ['two spaces between fields', '<13>1  - - - - -'],
  ])('rejects %s', (_what, line) => {
    expect(() => checkRfc5424Strict(line)).toThrow(StrictParseError);
  });

  it('accepts raw controls in MSG only when asked (the ABNF allows any OCTET)', () => {
    expect(checkRfc5424Strict('<13>1 - - - - - - a\tb', { allowControlsInMsg: true }).msg).toBe('a\tb');
  });
});

describe('strict LEEF checker', () => {
  it('splits header and attributes', () => {
    expect(checkLeefStrict('LEEF:2.0|MT4|Segura|3|1|^|a=1^b=x|y=z')).toEqual({
      vendor: 'MT4',
      product: 'Segura',
      version: '3',
      eventId: '1',
      delimiter: '^',
      attrs: [
        ['a', '1'],
        ['b', 'x|y=z'],
      ],
    });
  });

  it.each([
    ['LEEF:1.0', 'LEEF:1.0|a|b|c|1|a=1'],
    ['attribute without =', 'LEEF:2.0|a|b|c|1|^|a=1^junk'],
    ['raw TAB', 'LEEF:2.0|a|b|c|1|^|a=1\tb=2'],
    ['raw LF', 'LEEF:2.0|a|b|c|1|^|a=1\nb=2'],
  ])('rejects %s', (_what, line) => {
    expect(() => checkLeefStrict(line)).toThrow(StrictParseError);
  });
});
