/**
 * Per-format escapers with fast paths (formats.md §1.2, RFC 5424 §6.3.3). Inputs are already
 * cleaned (no controls except CR/LF in field values), so these only handle the format's specials.
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

export { escapeCefHeader, escapeCefValue, escapeSdValue, printUsAscii };
