/**
 * fast-check arbitraries for JSON envelopes (`schemas/envelope.v1`) that exercise every escaping rule:
 * the format specials (`| = \ " ]`), CR/LF/NUL/TAB and other C0/C1 controls, DEL, lone surrogates,
 * non-ASCII (José, São Paulo, emoji), Unicode spaces that `trim()` strips, and text that looks like a
 * second record or extra `key=value` pairs.
 *
 * Envelopes are plain objects; tests serialize them with `JSON.stringify` and feed them to
 * `parseInput`, so the parser's cleaning is part of what is tested. Field keys avoid the three keys the
 * CEF renderer writes from the model (`rt`, `dvchost`, `dvcpid`) and the `segura…` prefix it uses when
 * renaming them, unless `reservedKeys` is set: those are renamed by design and cannot round-trip.
 */
import fc from 'fast-check';

/** Characters that matter to at least one format or to the cleaning rules. */
const SPECIALS = [
  '|',
  '=',
  '\\',
  '"',
  ']',
  '[',
  '^',
  ' ',
  '  ',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\t',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  'é',
  'ã',
  'José',
  'São Paulo',
  '😀',
  '\\n',
  '\\=',
  '\\|',
  ' suser=admin',
  ' act=deleted',
  '\n<13>1 2026-01-19T10:41:00Z vault-01 Segura 1 1 - forged',
  ' CEF:0|x|y|z|1|forged|10|',
  'msg=',
  '=x',
  '- ',
  '"]',
  '…',
] as const;

/** One unit of hostile text: a special, any code point (incl. controls), or printable ASCII. */
const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIALS), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }), weight: 4 },
);

/** Hostile text of up to `maxLength` units. */
function hostileString(maxLength = 24, minLength = 0): fc.Arbitrary<string> {
  return fc.string({ unit: hostileUnit, minLength, maxLength });
}

/** Keys the vault really sends (the SIEM integration guide), including the ones strict mode renames or relocates. */
const VAULT_KEYS = [
  'msg',
  'suid',
  'sname',
  'suser',
  'spid',
  'spriv',
  'src',
  'dst',
  'dhost',
  'dpt',
  'duser',
  'duid',
  'dvc',
  'dproc',
  'act',
  'requestMethod',
  'sourceServiceName',
  'Method',
  'ServiceName',
  'dport',
  'latitude',
  'longitude',
  'originIP',
  'country',
  'partsNeeded',
  'pid',
  'cs1',
  'Cs1',
  'cs1Label',
  'cs2',
  'cs2Label',
  'cs3',
  'cs4',
  'cs5',
  'cs6',
  'cs6Label',
  'cs7',
  'cs7Label',
  'cs8',
  'cs8Label',
  'cn1',
  'flexString1',
  // typed dictionary keys whose range strict CEF checks
  'spt',
  'spid',
  'start',
  'end',
  'deviceCustomDate1',
  'smac',
  'dvcmac',
  'slat',
  'slong',
  'dlat',
  'cnt',
  'fsize',
  'type',
] as const;

const RESERVED_KEYS = ['rt', 'dvchost', 'dvcpid', 'seguraRt', 'seguraDvchost'] as const;

/** A valid field key: a vault key, or `[A-Za-z][A-Za-z0-9_]{0,15}` that is not reserved. */
function fieldKey(reservedKeys = false): fc.Arbitrary<string> {
  const random = fc
    .tuple(
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'),
        maxLength: 15,
      }),
    )
    .map(([a, b]) => a + b)
    .filter((k) => reservedKeys || (!/^segura/i.test(k) && !(RESERVED_KEYS as readonly string[]).includes(k)));
  return reservedKeys
    ? fc.oneof(fc.constantFrom(...VAULT_KEYS, ...RESERVED_KEYS), random)
    : fc.oneof(fc.constantFrom(...VAULT_KEYS), random);
}

/**
 * A field value: hostile text, or something a typed CEF key accepts (IP, integer, float, MAC, epoch
 * time), just inside or just outside its range (ports 0–65535, latitudes ±90, 13-digit epoch ms).
 */
function fieldValue(maxLength = 24): fc.Arbitrary<string | number | boolean> {
  return fc.oneof(
    { arbitrary: hostileString(maxLength), weight: 6 },
    { arbitrary: fc.ipV4(), weight: 1 },
    { arbitrary: fc.ipV6(), weight: 1 },
    { arbitrary: fc.integer({ min: -70000, max: 70000 }).map(String), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 65535 }), weight: 1 },
    { arbitrary: fc.double({ min: -200, max: 200, noNaN: true }).map((d) => d.toFixed(4)), weight: 1 },
    { arbitrary: fc.boolean(), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '00:1a:2b:3c:4d:5e',
        '00-1A-2B-3C-4D-5E',
        '00:1a:2b:3c:4d:5g',
        '00:1a:2b:3c:4d',
        '10.0.0.256',
        '1::2::3',
        '1768830060',
        '1768830060123',
        '0000000000000',
        '99999',
        '65536',
        '2147483648',
      ),
      weight: 1,
    },
  );
}

/** Event ids: catalog ids, SUID ids, a layout id, unknown ids (all valid per the parser). */
const eventId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', '2', '13', '16', '20', '34', '164', '153', '336.501', '336.500', '1695.010', '9001'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$/),
);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * RFC 3339 timestamps between 2001-09-10 and 2200 (CEF `rt` is epoch ms; the relay's CEF parser
 * reads 11–13 digit `rt` values as ms, 10 digits as seconds), with a random offset and 0, 3 or 6
 * fraction digits; or the same instant as epoch milliseconds.
 */
const timestamp: fc.Arbitrary<string | number> = fc
  .record({
    ms: fc.integer({ min: 1_000_166_400_000, max: 7_258_118_400_000 }),
    offset: fc.integer({ min: -12 * 60, max: 14 * 60 }),
    digits: fc.constantFrom(0, 3, 6),
    micros: fc.integer({ min: 0, max: 999 }),
    zulu: fc.boolean(),
    asNumber: fc.boolean(),
  })
  .map(({ ms, offset, digits, micros, zulu, asNumber }) => {
    if (asNumber) return ms;
    const off = zulu ? 0 : offset;
    const d = new Date(ms + off * 60_000);
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const frac =
      digits === 0
        ? ''
        : digits === 3
          ? `.${pad(d.getUTCMilliseconds(), 3)}`
          : `.${pad(d.getUTCMilliseconds(), 3)}${pad(micros, 3)}`;
    const abs = Math.abs(off);
    const tz = zulu ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    return `${base}${frac}${tz}`;
  });

interface EnvelopeOptions {
  /** allow `rt`, `dvchost`, `dvcpid` and `segura…` field keys. @default false */
  readonly reservedKeys?: boolean;
  /** maximum number of fields. @default 10 */
  readonly maxFields?: number;
  /** maximum units per hostile value. @default 24 */
  readonly maxValue?: number;
}

/** The JSON shape of an envelope as a test builds it (before `JSON.stringify`). */
interface Envelope {
  id: string;
  name?: string;
  severity?: number;
  priority?: number;
  timestamp?: string | number;
  host?: string;
  app?: string;
  pid?: string | number;
  fields?: Record<string, string | number | boolean>;
}

/**
 * Arbitrary envelopes: every optional property may be missing; names, hosts, pids, apps and field
 * values are hostile text. Some envelopes are rejected by the parser (a blank name, …): properties
 * should skip those with `fc.pre`.
 */
function envelopeArb(opts: EnvelopeOptions = {}): fc.Arbitrary<Envelope> {
  const fields = fc
    .uniqueArray(fc.tuple(fieldKey(opts.reservedKeys), fieldValue(opts.maxValue)), {
      selector: ([k]) => k,
      maxLength: opts.maxFields ?? 10,
    })
    .map((entries) => {
      const o: Record<string, string | number | boolean> = {};
      for (const [k, v] of entries) o[k] = v;
      return o;
    });
  return fc
    .record(
      {
        id: eventId,
        name: hostileString(20, 1),
        severity: fc.integer({ min: 0, max: 10 }),
        priority: fc.integer({ min: 0, max: 7 }),
        timestamp,
        host: fc.oneof(
          fc.constantFrom('vault-01', 'são-paulo', 'vault 01', 'a|b', 'Vault.Example.COM'),
          hostileString(20, 1),
        ),
        app: fc.oneof(fc.constantFrom('Segura', 'senhasegura'), hostileString(10, 1)),
        pid: fc.oneof(
          fc.integer({ min: 0, max: 2_000_000_000 }),
          fc.constantFrom('1426', 'a|b', 'x y'),
          hostileString(8, 1),
        ),
        fields,
      },
      { requiredKeys: ['id'] },
    )
    .map((e) => e as Envelope);
}

export type { Envelope, EnvelopeOptions };
export { envelopeArb, eventId, fieldKey, fieldValue, hostileString, SPECIALS, timestamp, VAULT_KEYS };
