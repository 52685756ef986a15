/**
 * Text normalization applied once, at the boundary, so every renderer sees clean values.
 *
 * - C0 controls except CR and LF, DEL, and C1 controls (U+0080–U+009F) become a space: no SIEM
 *   parser decodes them and rsyslog rewrites them (`#011`), so they can only corrupt records.
 * - Lone UTF-16 surrogates become U+FFFD (they cannot be encoded as UTF-8).
 * - Values are trimmed: parsers disagree on trailing spaces (docs/formats.md §1.3).
 * CR and LF survive in field values: CEF writes them as `\r` / `\n` escapes, so they round-trip.
 */

const CONTROL_EXCEPT_CRLF = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_CLEAN = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** Clean a field value: controls (except CR/LF) → space, lone surrogates → U+FFFD, trimmed. */
function cleanValue(s: string): string {
  if (!NEEDS_CLEAN.test(s)) return s.trim();
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL_EXCEPT_CRLF, ' ').trim();
}

/** Clean a one-line value (names, hosts): every control including CR/LF → space, trimmed. */
function cleanLine(s: string): string {
  if (!NEEDS_CLEAN.test(s)) return s.trim();
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(ANY_CONTROL, ' ').trim();
}

/** Valid field key: starts with a letter, then letters, digits or `_` (CEF-safe, not nested). */
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** True when `cleanValue(s) === s` and s is not empty: the hot path keeps such values as they are. */
function isCleanValue(s: string): boolean {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) <= 0x20 || s.charCodeAt(n - 1) <= 0x20) return false;
  // trim() also strips Unicode spaces (NBSP, U+2028…): leave those rare cases to cleanValue
  const last = s.charCodeAt(n - 1);
  const first = s.charCodeAt(0);
  if (first > 0x7e || last > 0x7e) return cleanValue(s) === s;
  return !NEEDS_CLEAN.test(s);
}

export { cleanLine, cleanValue, FIELD_KEY, isCleanValue };
