/**
 * Key=value scanning shared by the CEF extension parser and the vault's native key=value body.
 *
 * CEF rule (docs/formats.md §1.3): values may contain spaces and are not quoted; a value ends where the
 * next ` key=` begins (`=` not escaped).
 *
 * The vault's native key=value text (the syslog event catalog: "key = value, separated by spaces,
 * keys named as in CEF") documents no escapes, so it is read byte for byte: `C:\new\report.txt`
 * and `MYDomain\\johndoe` stay exactly as sent (`cefEscapes: false`). With `quotes: true` a value
 * that starts with `"` and has a closing `"` (one followed by the end or by ` key=`) is a quoted
 * value: the two quotes are removed and nothing else is changed.
 */

const KEY_AT = /[A-Za-z_][A-Za-z0-9_.]*=/y;
const NEXT_KEY = / +([A-Za-z_][A-Za-z0-9_.]*)=/g;

interface KvOptions {
  /** decode CEF extension escapes `\\ \= \n \r` (and `\"` in a quoted value); false keeps every byte */
  readonly cefEscapes: boolean;
  /** honour double-quoted values */
  readonly quotes: boolean;
}

/** Decode CEF extension escapes; an unknown escape is kept literally (lenient, like Elastic's recovery). */
function unescapeCefValue(v: string): string {
  if (v.indexOf('\\') === -1) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x5c && i + 1 < v.length) {
      const n = v[i + 1];
      if (n === '\\' || n === '=') {
        out += n;
        i++;
        continue;
      }
      if (n === 'n') {
        out += '\n';
        i++;
        continue;
      }
      if (n === 'r') {
        out += '\r';
        i++;
        continue;
      }
    }
    out += v[i];
  }
  return out;
}

/** Inside double quotes: `\"` plus the CEF escapes (`\\ \= \n \r`). */
function unquote(v: string): string {
  return v.indexOf('\\') === -1 ? v : unescapeCefValue(v.replace(/\\"/g, '"'));
}

/**
 * Scan `text` into ordered [key, value] pairs. Returns null when the text does not start with a
 * `key=` (it is free text, not a key=value body).
 * @example scanKeyValues('suser=jsilva msg=a b c', { cefEscapes: true, quotes: false }) // [['suser','jsilva'],['msg','a b c']]
 */
function scanKeyValues(text: string, opts: KvOptions): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  let pos = 0;
  while (pos < text.length && text.charCodeAt(pos) === 0x20) pos++;
  if (pos >= text.length) return out;
  while (pos < text.length) {
    KEY_AT.lastIndex = pos;
    const km = KEY_AT.exec(text);
    if (!km) return out.length === 0 ? null : out; // cannot happen after the first pair: NEXT_KEY found it
    const key = km[0].slice(0, -1);
    const vstart = pos + km[0].length;
    if (opts.quotes && text.charCodeAt(vstart) === 0x22) {
      // quoted value: up to the next unescaped quote that is followed by a space or the end
      let j = vstart + 1;
      let closed = -1;
      while (j < text.length) {
        const c = text.charCodeAt(j);
        // a backslash escapes the next character only where escapes exist (CEF dialect)
        if (c === 0x5c && opts.cefEscapes) {
          j += 2;
          continue;
        }
        if (c === 0x22 && (j + 1 === text.length || text.charCodeAt(j + 1) === 0x20)) {
          // a closing quote must end the text or be followed by the next `key=`; otherwise the
          // quote was just text and the value runs on (CEF rule), so nothing is dropped
          let k = j + 1;
          while (k < text.length && text.charCodeAt(k) === 0x20) k++;
          KEY_AT.lastIndex = k;
          if (k >= text.length || KEY_AT.test(text)) {
            closed = j;
            break;
          }
        }
        j++;
      }
      if (closed !== -1) {
        const inner = text.slice(vstart + 1, closed);
        out.push([key, opts.cefEscapes ? unquote(inner) : inner]);
        pos = closed + 1;
        while (pos < text.length && text.charCodeAt(pos) === 0x20) pos++;
        continue;
      }
      // unterminated quote: fall through and treat the quote as part of an unquoted value
    }
    NEXT_KEY.lastIndex = vstart;
    const nm = NEXT_KEY.exec(text);
    const vend = nm ? nm.index : text.length;
    const raw = text.slice(vstart, vend);
    out.push([key, opts.cefEscapes ? unescapeCefValue(raw) : raw]);
    pos = nm ? nm.index : text.length;
    while (pos < text.length && text.charCodeAt(pos) === 0x20) pos++;
  }
  return out;
}

export type { KvOptions };
export { scanKeyValues, unescapeCefValue };
