/**
 * Per-format escapers with fast paths (CEF header and extension, RFC 5424 §6.3.3 PARAM-VALUE, the
 * vault's key=value text). Inputs are already cleaned (no controls except CR/LF in field values), so
 * these only handle the format's specials.
 */

const CEF_HEADER_SPECIAL = /[\\|\r\n]/;
const CEF_EXT_SPECIAL = /[\\=\r\n]/;
const SD_SPECIAL = /["\\\]]/;

/** CEF header field: `\` → `\\`, `|` → `\|`; a header cannot carry a newline, so CR/LF → space. */
function escapeCefHeader(s: string): string {
  if (!CEF_HEADER_SPECIAL.test(s)) return s;
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]/g, ' ');
}

/** CEF extension value: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r`. The pipe is NOT escaped. */
function escapeCefValue(s: string): string {
  if (!CEF_EXT_SPECIAL.test(s)) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x5c) rep = '\\\\';
    else if (c === 0x3d) rep = '\\=';
    else if (c === 0x0a) rep = '\\n';
    else if (c === 0x0d) rep = '\\r';
    if (rep !== undefined) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return out + s.slice(last);
}

/** RFC 5424 PARAM-VALUE: `"`, `\` and `]` MUST be escaped (§6.3.3). */
function escapeSdValue(s: string): string {
  if (!SD_SPECIAL.test(s)) return s;
  return s.replace(/[\\"\]]/g, '\\$&');
}

/** What ends an unquoted value of the vault's key=value text: spaces, then a key and `=`. */
const NATIVE_NEXT_KEY = / +[A-Za-z_][A-Za-z0-9_.]*=/;
/** A `"` that a reader would take for the end of a quoted value: followed by spaces and a key. */
const NATIVE_CLOSING_QUOTE = /"(?= +[A-Za-z_][A-Za-z0-9_.]*=)/g;
const LINE_BREAK = /[\r\n]/g;

/**
 * Value text for the vault's own key=value dialect (RFC 5424 `msg: 'kv'`), which has no escapes: the
 * value is written as it is, so `C:\new\report.txt` and `DOMAIN\user` reach the SIEM unchanged.
 * A line break becomes a space (a record is one line and the dialect cannot escape it, as in LEEF).
 * Call `nativeKvNeedsQuotes` on the result: such a value is written between double quotes, inside
 * which a `"` followed by ` key=` becomes `'` (it would end the quoted value early and forge a key).
 * @example nativeKvValue('C:\\new') // 'C:\\new'
 */
function nativeKvValue(s: string): string {
  const one = s.indexOf('\r') === -1 && s.indexOf('\n') === -1 ? s : s.replace(LINE_BREAK, ' ');
  return nativeKvNeedsQuotes(one) ? one.replace(NATIVE_CLOSING_QUOTE, "'") : one;
}

/**
 * True when a (line-break free) value must be quoted to read back as one value: it starts with `"`
 * (a reader would take it for a quoted value) or it contains ` key=` (a reader would split it there).
 */
function nativeKvNeedsQuotes(s: string): boolean {
  return s.charCodeAt(0) === 0x22 || (s.indexOf('=') !== -1 && NATIVE_NEXT_KEY.test(s));
}

/** A whole value in the vault's key=value dialect: `nativeKvValue`, between quotes when it must be. */
function nativeKvText(s: string): string {
  const v = nativeKvValue(s);
  return nativeKvNeedsQuotes(v) ? `"${v}"` : v;
}

/**
 * Restrict to PRINTUSASCII (33–126) for RFC 5424 header fields, replacing anything else with `_`,
 * and cap the length. Returns NILVALUE for empty input.
 */
function printUsAscii(s: string | null, max: number): string {
  if (s === null || s === '') return '-';
  let ok = s.length <= max;
  if (ok) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 33 || c > 126) {
        ok = false;
        break;
      }
    }
  }
  if (ok) return s;
  return s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
}

export {
  escapeCefHeader,
  escapeCefValue,
  escapeSdValue,
  nativeKvNeedsQuotes,
  nativeKvText,
  nativeKvValue,
  printUsAscii,
};
