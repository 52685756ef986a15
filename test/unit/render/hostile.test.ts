/**
 * Adversarial inputs for every parser and renderer (docs/contributing.md §11): format specials, line breaks,
 * NUL, TAB, non-ASCII, 10 KB values, lone surrogates, a forged second record, forged `key=value`
 * pairs, header injection through name/host/pid, and event ids that try to inject.
 */
import { describe, expect, it } from 'vitest';
import { InvalidEventError, RenderError } from '../../../shared/errors.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer, type RenderConfig } from '../../../shared/render/index.js';
import {
  checkCefStrict,
  checkLeefStrict,
  checkRfc5424Strict,
  controlIndex,
  isWellFormedUtf16,
} from '../../helpers/strict-parsers.js';

const FORGED = 'x\n<13>1 2026-01-19T10:41:00.123-03:00 vault-01 Segura 1426 164 - forged';
const EXTRA_KEYS = 'bob act=deleted suser=admin';

const RENDERERS: ReadonlyArray<readonly [string, 'cef' | 'rfc5424' | 'leef' | 'ecs', RenderConfig]> = [
  ['cef', 'cef', {}],
  ['cef compatible', 'cef', { mode: 'compatible' }],
  ['rfc5424', 'rfc5424', {}],
  ['rfc5424 compatible', 'rfc5424', { mode: 'compatible' }],
  ['rfc5424 sd', 'rfc5424', { sdId: 'segura@32473' }],
  ['rfc5424 kv', 'rfc5424', { msg: 'kv' }],
  ['leef', 'leef', {}],
  ['ecs', 'ecs', {}],
];

/** Hostile values, one per concern. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ['pipe', 'a|b'],
  ['equals', 'a=b'],
  ['backslash', 'C:\\temp\\new'],
  ['trailing backslash', 'end\\'],
  ['double quote', 'say "hi"'],
  ['bracket', 'a]b[c'],
  ['CR', 'a\rb'],
  ['LF', 'a\nb'],
  ['CRLF', 'a\r\nb'],
  ['NUL', 'a\u0000b'],
  ['TAB', 'a\tb'],
  ['DEL and C1', 'a\u007fb\u0085c\u009fd'],
  ['José', 'José da Silva'],
  ['São Paulo', 'São Paulo'],
  ['emoji', 'ok 😀 🇧🇷'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['Unicode spaces', '\u00a0a\u2028b\u2029'],
  ['BOM', '\ufeffx'],
  ['forged record', FORGED],
  ['forged pairs', EXTRA_KEYS],
  ['forged CEF header', 'x|CEF:0|MT4|Segura|3|1|forged|10|suser=admin'],
  ['escape look-alikes', '\\n \\r \\= \\\\ \\|'],
  ['SD look-alike', '[segura@32473 eventId="1"] x'],
  ['LEEF delimiter', 'a^usrName=admin^b'],
  ['10 KB', `${'0123456789'.repeat(1024)}`],
];

function event(o: Record<string, unknown>): SecurityEvent {
  return parseInput(JSON.stringify({ id: '164', timestamp: '2026-01-19T10:41:00.123-03:00', ...o }));
}

/** Assert one record per docs/formats.md and return the parsed view. */
function oneRecord(what: string, format: string, cfg: RenderConfig, line: string): void {
  expect(isWellFormedUtf16(line), `${what}: lone surrogate`).toBe(true);
  if (format === 'ecs') {
    expect(line, what).not.toMatch(/[\r\n]/);
    const doc: unknown = JSON.parse(line);
    expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc), what).toBe(true);
    return;
  }
  expect(controlIndex(line), `${what}: raw control in ${JSON.stringify(line)}`).toBe(-1);
  if (format === 'cef') checkCefStrict(line);
  if (format === 'leef') checkLeefStrict(line);
  if (format === 'rfc5424') {
    const s = checkRfc5424Strict(line);
    if ((cfg.msg ?? 'cef') === 'cef') checkCefStrict(s.msg ?? '');
  }
}

describe('every renderer keeps hostile values inside one valid record', () => {
  for (const [label, value] of HOSTILE) {
    it(`${label}: in name, host, pid, a field and msg`, () => {
      const e = event({
        name: `N ${value}`.slice(0, 512),
        host: value.slice(0, 255),
        pid: value.slice(0, 128),
        fields: { msg: value, suser: value, [`k${label.length}`]: value },
      });
      for (const [what, format, cfg] of RENDERERS) {
        oneRecord(`${what}/${label}`, format, cfg, createRenderer(format, cfg).render(e));
      }
    });
  }

  it('a lone surrogate becomes U+FFFD, never an unencodable half pair', () => {
    const e = event({ fields: { msg: 'a\ud800b' } });
    expect(createRenderer('cef').render(e)).toContain('msg=a\ufffdb');
    expect(Buffer.from(createRenderer('rfc5424').render(e), 'utf8').toString('utf8')).toContain('a\ufffdb');
  });
});

describe('a forged second record stays inert', () => {
  const e = event({ host: 'vault-01', pid: 1426, fields: { msg: FORGED, suser: EXTRA_KEYS } });

  it('CEF: the strict checker sees exactly the expected keys with the original values', () => {
    for (const mode of ['strict', 'compatible'] as const) {
      const line = createRenderer('cef', { mode }).render(e);
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).toContain('msg=x\\n<13>1 ');
      expect(line).toContain('suser=bob act\\=deleted suser\\=admin');
      const c = checkCefStrict(line);
      expect(c.pairs).toEqual([
        ['rt', '1768830060123'],
        ['dvchost', 'vault-01'],
        ['dvcpid', '1426'],
        ['msg', FORGED],
        ['suser', EXTRA_KEYS],
      ]);
    }
  });

  it('RFC 5424: the strict checker accepts the line and its MSG is the CEF line', () => {
    for (const mode of ['strict', 'compatible'] as const) {
      const line = createRenderer('rfc5424', { mode }).render(e);
      const s = checkRfc5424Strict(line);
      expect(s.msg).toBe(createRenderer('cef', { mode }).render(e));
      expect(s.msgId).toBe('164');
      expect(s.hostname).toBe('vault-01');
      expect(s.sd).toEqual([]);
    }
    const sd = checkRfc5424Strict(createRenderer('rfc5424', { sdId: 'segura@32473' }).render(e));
    expect(sd.sd).toHaveLength(1);
    expect(sd.msg).toBe(createRenderer('cef').render(e));
  });

  it('RFC 5424 kv: one record, the line break is a space, the forged keys stay inside a quoted value', () => {
    // the vault's key=value dialect has no escapes: a value that holds ` key=` is quoted instead
    const line = createRenderer('rfc5424', { msg: 'kv' }).render(e);
    const s = checkRfc5424Strict(line);
    expect(s.msg).toBe(
      'msg=x <13>1 2026-01-19T10:41:00.123-03:00 vault-01 Segura 1426 164 - forged suser="bob act=deleted suser=admin"',
    );
    expect(parseInput(line).fields).toEqual({ msg: FORGED.replace('\n', ' '), suser: EXTRA_KEYS });
  });

  it('RFC 5424 kv: a quote before a forged key cannot end the quoted value early', () => {
    const forged = event({ fields: { msg: 'say "hi" suser=admin', suser: 'jsilva' } });
    const line = createRenderer('rfc5424', { msg: 'kv' }).render(forged);
    expect(checkRfc5424Strict(line).msg).toBe(`msg="say "hi' suser=admin" suser=jsilva`);
    expect(parseInput(line).fields).toEqual({ msg: `say "hi' suser=admin`, suser: 'jsilva' });
  });

  it('RFC 5424 kv: a value that starts with a double quote reads back unchanged', () => {
    // the native-line parser treats a leading `"` as a quoted value: `a="x" y b=z` loses ` y` and b,
    // `a=" aa="` swallows the next pair
    const kv = createRenderer('rfc5424', { msg: 'kv' });
    for (const fields of [
      { a: '"x" y', b: 'z' },
      { a: '"', aa: '"' },
      { msg: '"quoted" then text', suser: 'jsilva' },
    ]) {
      expect(parseInput(kv.render(event({ fields }))).fields).toEqual(fields);
    }
  });

  it('parseInput reads back the same values (no act key, no second event)', () => {
    for (const [, format, cfg] of RENDERERS.filter(([, f]) => f === 'cef' || f === 'rfc5424')) {
      if (cfg.msg === 'kv') continue;
      const line = createRenderer(format, cfg).render(e);
      const back = parseInput(line);
      // the relay's own SD element, read back, is recorded like any SD it does not interpret
      const sd =
        cfg.sdId === undefined ? {} : { structuredData: line.slice(line.indexOf('['), line.indexOf('] CEF:') + 1) };
      expect(back.fields).toEqual({ ...sd, msg: FORGED, suser: EXTRA_KEYS });
      expect(back.eventId).toBe('164');
    }
  });

  it('LEEF: the delimiter and line breaks become spaces, so no attribute is forged', () => {
    const forged = event({ fields: { msg: FORGED, suser: 'bob^usrName=admin^act=deleted' } });
    const l = checkLeefStrict(createRenderer('leef').render(forged));
    const attrs = Object.fromEntries(l.attrs);
    expect(l.attrs.map(([k]) => k)).toEqual(['devTime', 'devTimeFormat', 'sev', 'cat', 'eventName', 'msg', 'usrName']);
    expect(attrs.msg).toBe(FORGED.replace('\n', ' '));
    expect(attrs.usrName).toBe('bob usrName=admin act=deleted');
  });

  it('ECS: JSON.parse gives one object with the original text', () => {
    const doc = JSON.parse(createRenderer('ecs').render(e)) as { message: string; user: { name: string } };
    expect(doc.message).toBe(FORGED);
    expect(doc.user.name).toBe(EXTRA_KEYS);
  });
});

describe('header injection through name, host and pid', () => {
  it('CEF: a pipe or backslash in the name stays in the Name field; host/pid are extension values', () => {
    const e = event({ name: 'a|b\\c|10|act=x', host: 'a|b', pid: 'a|b' });
    for (const mode of ['strict', 'compatible'] as const) {
      const line = createRenderer('cef', { mode }).render(e);
      expect(line.startsWith('CEF:0|MT4|Segura|3|164|a\\|b\\\\c\\|10\\|act=x|3|'), line).toBe(true);
      const c = checkCefStrict(line);
      expect(c.header).toEqual({
        version: '0',
        vendor: 'MT4',
        product: 'Segura',
        deviceVersion: '3',
        signatureId: '164',
        name: 'a|b\\c|10|act=x',
        severity: '3',
      });
      expect(c.ext.dvchost).toBe('a|b');
      if (mode === 'compatible') expect(c.ext.dvcpid).toBe('a|b');
    }
  });

  it('CEF: a line break in the name becomes a space (a header cannot carry one)', () => {
    const c = checkCefStrict(createRenderer('cef').render(event({ name: 'a\r\nb' })));
    expect(c.header.name).toBe('a  b');
  });

  it('RFC 5424: HOSTNAME and PROCID stay one PRINTUSASCII token each', () => {
    const cases: ReadonlyArray<readonly [unknown, unknown, string, string]> = [
      ['vault 01', 'x y', 'vault-01', 'x_y'],
      ['são-paulo', 1426, 'xn--so-paulo-rza', '1426'],
      ['a|b', 'ação', 'a|b', 'a__o'],
      ['h'.repeat(255), '9'.repeat(128), 'h'.repeat(255), '9'.repeat(128)],
    ];
    for (const [host, pid, hostname, procId] of cases) {
      const s = checkRfc5424Strict(createRenderer('rfc5424').render(event({ host, pid })));
      expect([s.hostname, s.procId]).toEqual([hostname, procId]);
      expect(s.appName).toBe('Segura');
    }
  });

  it('RFC 5424 SD: `"`, `\\` and `]` in the name are escaped as PARAM-VALUE requires', () => {
    const line = createRenderer('rfc5424', { sdId: 'segura@32473' }).render(event({ name: 'a"b\\c]d' }));
    expect(line).toContain('name="a\\"b\\\\c\\]d"');
    expect(checkRfc5424Strict(line).sd[0]?.params).toContainEqual(['name', 'a"b\\c]d']);
  });

  it('LEEF: the header is constant; the name and host travel as attributes', () => {
    const l = checkLeefStrict(createRenderer('leef').render(event({ name: 'a|b^c', host: 'h|1', pid: 'p^2' })));
    expect([l.vendor, l.product, l.version, l.eventId, l.delimiter]).toEqual(['MT4', 'Segura', '3', '164', '^']);
    expect(Object.fromEntries(l.attrs)).toMatchObject({ eventName: 'a|b c', dvchost: 'h|1', dvcpid: 'p 2' });
  });
});

describe('renderer options (CLI --vendor, --product, --device-version)', () => {
  it.each([
    ['TAB', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['LF', 'a\nb'],
    ['pipe', 'a|b'],
  ])('a %s in vendor/product/version is rejected at construction or kept out of the record', (_what, v) => {
    const e = event({ fields: { msg: 'x' } });
    for (const format of ['cef', 'rfc5424', 'leef'] as const) {
      for (const opt of ['vendor', 'product', 'deviceVersion'] as const) {
        let line: string;
        try {
          line = createRenderer(format, { [opt]: v }).render(e);
        } catch (err) {
          expect(err).toBeInstanceOf(RenderError);
          continue;
        }
        oneRecord(`${format} ${opt}`, format, {}, line);
        if (format === 'cef') expect(checkCefStrict(line).header.signatureId).toBe('164');
      }
    }
  });
});

describe('event ids that try to inject are rejected by every parser', () => {
  const ids = ['1|2', '1 2', '1\n2', '<13>1', 'a=b', 'x]', '1"', '', 'x'.repeat(33), '1\\|2'];

  it.each(ids)('envelope id %j → InvalidEventError on "id"', (id) => {
    expect(() => parseInput(JSON.stringify({ id }))).toThrow(InvalidEventError);
    try {
      parseInput(JSON.stringify({ id }));
    } catch (e) {
      expect((e as InvalidEventError).field).toBe('id');
    }
  });

  it('CEF Device Event Class ID and RFC 5424 MSGID', () => {
    for (const [payload, field] of [
      ['CEF:0|MT4|Segura|3|1 2|n|5|msg=x', 'cef.header.eventClassId'],
      ['CEF:0|MT4|Segura|3|a=b|n|5|msg=x', 'cef.header.eventClassId'],
      ['CEF:0|MT4|Segura|3|1\\|2|n|5|msg=x', 'cef.header.eventClassId'],
      ['<13>1 - h a p 1|2 - msg=x', 'syslog.msgid'],
      ['<13>1 - h a p a=b - msg=x', 'syslog.msgid'],
      [`<13>1 - h a p ${'x'.repeat(33)} - msg=x`, 'syslog.msgid'],
    ] as const) {
      let err: unknown;
      try {
        parseInput(payload);
      } catch (e) {
        err = e;
      }
      expect(err, payload).toBeInstanceOf(InvalidEventError);
      expect((err as InvalidEventError).field, payload).toBe(field);
    }
  });
});

describe('10 KB values', () => {
  const big = 'é'.repeat(10 * 1024);

  it('render whole without a budget in every format', () => {
    const e = event({ fields: { msg: big, suser: 'x' } });
    for (const [what, format, cfg] of RENDERERS) {
      const line = createRenderer(format, cfg).render(e);
      expect(line.includes(big), what).toBe(true);
      oneRecord(what, format, cfg, line);
    }
  });

  it('a 10 KB msg is shortened to the budget on a code-point boundary with a marker', () => {
    const e = event({ fields: { msg: big, suser: 'x' } });
    for (const format of ['cef', 'rfc5424', 'leef', 'ecs'] as const) {
      const r = createRenderer(format, { maxBytes: 2048 }).renderWithInfo(e);
      expect(r.truncated, format).toBe(true);
      expect(Buffer.byteLength(r.text, 'utf8'), format).toBeLessThanOrEqual(2048);
      expect(r.text, format).toContain('é…');
      expect(r.text, format).toContain('x');
    }
  });

  it('a 10 KB value outside msg is refused with a RenderError, not cut', () => {
    const e = event({ fields: { msg: 'short', suser: big } });
    for (const format of ['cef', 'rfc5424', 'leef', 'ecs'] as const) {
      expect(() => createRenderer(format, { maxBytes: 2048 }).render(e), format).toThrow(RenderError);
    }
  });
});

describe('Object.prototype names as field keys', () => {
  const keys = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
  const e = event({ fields: Object.fromEntries([...keys.map((k) => [k, `v-${k}`]), ['msg', 'm']]) });

  it('CEF (both modes) and ECS keep them as ordinary fields', () => {
    const compat = checkCefStrict(createRenderer('cef', { mode: 'compatible' }).render(e));
    for (const k of keys) expect(compat.ext[k]).toBe(`v-${k}`);
    const strict = checkCefStrict(createRenderer('cef').render(e));
    for (const k of keys) expect(Object.values(strict.ext)).toContain(`v-${k}`);
    const doc = JSON.parse(createRenderer('ecs').render(e)) as { segura: { fields: Record<string, string> } };
    expect(doc.segura.fields).toEqual(e.fields);
  });

  it('ECS keeps a custom string whose label is __proto__ or constructor', () => {
    const labeled = event({ fields: { cs1Label: '__proto__', cs1: 'x', cs2Label: 'constructor', cs2: 'y' } });
    const doc = JSON.parse(createRenderer('ecs').render(labeled)) as { segura: { custom: Record<string, string> } };
    expect(Object.entries(doc.segura.custom)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('LEEF writes them as attribute names (not the inherited functions)', () => {
    // LEEF_RENAMES[k] ?? k resolves `constructor` to Object → "function Object() { [native code] }=v"
    const l = checkLeefStrict(createRenderer('leef').render(e));
    for (const k of keys) expect(l.attrs).toContainEqual([k, `v-${k}`]);
  });
});

describe('times the renderers cannot write faithfully', () => {
  // CEF `rt` is epoch ms; the relay's own CEF parser reads 10 digits as seconds and ignores < 10 or
  // > 13 digits; RFC 5424 FULL-DATE needs a 4-digit year. Each timestamp the parser accepts must
  // either round-trip through the relay's own CEF and RFC 5424 output or be rejected up front.
  const stamps = [
    '0050-01-01T00:00:00Z',
    '0999-06-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1970-01-05T00:00:00Z',
    '1970-04-26T17:46:39.999Z',
    '1999-12-31T23:59:59.999Z',
    '2300-01-01T00:00:00Z',
  ];

  it.each(stamps)('%s is rejected or round-trips', (timestamp) => {
    let e: SecurityEvent;
    try {
      e = event({ timestamp, fields: { msg: 'x' } });
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as InvalidEventError).field).toBe('timestamp');
      return;
    }
    const cefBack = parseInput(createRenderer('cef').render(e));
    expect(cefBack.time?.epochMs).toBe(e.time?.epochMs);
    expect(cefBack.fields).toEqual({ msg: 'x' });
    const line = createRenderer('rfc5424').render(e);
    expect(checkRfc5424Strict(line).epochMs).toBe(e.time?.epochMs);
    expect(parseInput(line).time?.epochMs).toBe(e.time?.epochMs);
  });

  it('LEEF devTime always matches its declared devTimeFormat (.SSS = exactly 3 fraction digits)', () => {
    // Java's SimpleDateFormat reads `.123456` under `.SSS` as 123456 ms (+2 min 3.456 s)
    for (const timestamp of [
      '2026-01-19T10:41:00-03:00',
      '2026-01-19T10:41:00.123-03:00',
      '2026-01-19T10:41:00.123456Z',
    ]) {
      const attrs = Object.fromEntries(checkLeefStrict(createRenderer('leef').render(event({ timestamp }))).attrs);
      expect(attrs.devTimeFormat).toBe("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
      expect(attrs.devTime, timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
    }
  });
});
