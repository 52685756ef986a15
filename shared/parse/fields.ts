/**
 * Building the ordered field map from scanned pairs: key repair, value cleaning, duplicates.
 */
import { InvalidEventError } from '../errors.js';
import { markPlain } from '../model/plain.js';
import { cleanValue, FIELD_KEY, isCleanValue } from '../model/text.js';

/** What `buildFields` made of the scanned pairs. */
interface BuiltFields {
  readonly fields: Record<string, string>;
  /** true when at least one key had to be repaired (the event is flagged `key-renamed`) */
  readonly renamed: boolean;
}

/**
 * A key the relay can carry, from one a scanner accepted (`[A-Za-z_][A-Za-z0-9_.]*`): dots become
 * `_` (dotted keys nest in syslog-ng and ECS), leading `_` are dropped (ArcSight's `_cefVer` →
 * `cefVer`), a key that then does not start with a letter gets an `x` in front, and the key is cut
 * to 64 characters.
 * @example repairKey('_cefVer') // 'cefVer'
 */
function repairKey(raw: string): string {
  let k = raw.indexOf('.') === -1 ? raw : raw.replace(/\./g, '_');
  if (FIELD_KEY.test(k)) return k;
  k = k.replace(/^_+/, '').replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(k)) k = `x${k}`;
  return k.slice(0, 64);
}

/**
 * Ordered pairs → field record. Values are cleaned (text.ts) and empty values omitted (no parser
 * agrees on them, docs/formats.md §1.3). Dots in keys become `_`. A repeated key keeps every value: the
 * second becomes `key_2`, the third `key_3` (the vault's Master Key recovery events send `act`
 * twice), so nothing is lost.
 *
 * Keys that are still not valid (a leading `_`, longer than 64): with `invalidKey` (the JSON
 * envelope, whose schema is the contract) they are rejected through it; without it (CEF and the
 * vault's key=value text, where one odd key must not cost the other fields) they are repaired by
 * `repairKey` and reported in `renamed`.
 */
function buildFields(pairs: Iterable<readonly [string, string]>, invalidKey?: (key: string) => never): BuiltFields {
  const out: Record<string, string> = {};
  // next suffix per repeated key: linear even for a line that repeats one key thousands of times
  let repeats: Map<string, number> | undefined;
  let count = 0;
  let renamed = false;
  for (const [rawKey, rawValue] of pairs) {
    if (++count > MAX_FIELDS) {
      throw new InvalidEventError(
        'fields',
        `more than ${MAX_FIELDS} fields (the vault documents at most ~30 per event)`,
        'oversize',
      );
    }
    let key = rawKey.indexOf('.') === -1 ? rawKey : rawKey.replace(/\./g, '_');
    if (!FIELD_KEY.test(key)) {
      if (invalidKey !== undefined) invalidKey(rawKey);
      key = repairKey(key);
    }
    const value = cleanValue(rawValue);
    if (value === '') continue;
    if (key !== rawKey) renamed = true;
    let k = key;
    if (Object.hasOwn(out, k)) {
      repeats ??= new Map();
      let n = repeats.get(key) ?? 2;
      while (Object.hasOwn(out, `${key}_${n}`)) n++;
      k = `${key}_${n}`;
      repeats.set(key, n + 1);
    }
    out[k] = value;
  }
  return { fields: out, renamed };
}

/** Event ids become MSGID (≤32 PRINTUSASCII) and the CEF class id: letters, digits and `._:-`. */
const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,31}$/;

/** Validate an event id; throws via `fail` with the reason. */
function checkEventId(id: string, fail: (reason: string) => never): string {
  if (!EVENT_ID.test(id)) {
    fail(
      `must be 1–32 characters of letters, digits and . _ : - starting with a letter or digit (got ${JSON.stringify(id.slice(0, 40))})`,
    );
  }
  return id;
}

const GOOD_KEYS = new Set<string>();

/** Upper bound on fields per event: far above any documented layout, low enough to bound work. */
const MAX_FIELDS = 512;

/**
 * Hot path for JSON envelopes: when every key is valid and every value is a clean non-empty
 * string, the decoded object is already the field record and is used as is (no copy). With
 * `plain` (see model/plain.ts) values cannot hold controls, so only the ends are checked, and the
 * record is marked plain for the renderers.
 */
function fieldsInPlace(f: Record<string, unknown>, plain = false): Record<string, string> | null {
  let count = 0;
  for (const k in f) {
    // too many fields: the slow path reports it
    if (++count > MAX_FIELDS) return null;
    const v = f[k];
    if (typeof v !== 'string') return null;
    if (plain) {
      const n = v.length;
      // trim() would change a value with a space (or any Unicode space) at either end
      if (n === 0 || v.charCodeAt(0) <= 0x20 || v.charCodeAt(n - 1) <= 0x20) return null;
      if ((v.charCodeAt(0) > 0x7e || v.charCodeAt(n - 1) > 0x7e) && !isCleanValue(v)) return null;
    } else if (!isCleanValue(v)) return null;
    if (!GOOD_KEYS.has(k)) {
      if (!FIELD_KEY.test(k)) return null;
      if (GOOD_KEYS.size < 4096) GOOD_KEYS.add(k);
    }
  }
  if (plain) markPlain(f);
  return f as Record<string, string>;
}

export type { BuiltFields };
export { buildFields, checkEventId, EVENT_ID, fieldsInPlace, repairKey };
