/**
 * Small, independent reference parsers used only by tests. They share no code with `shared/` so a
 * renderer bug cannot hide behind the same bug in the relay's own parser.
 *
 * - `checkCefStrict`: mirrors liblognorm 2.0.6's `cef` parser (rsyslog mmnormalize), the strictest CEF
 *   consumer in docs/formats.md §1.5: `CEF:0|` only; header escapes `\|` `\\` only; extension escapes
 *   `\=` `\\` `\n` `\r` only; key charset `[A-Za-z0-9_.]`; a value ends at the last space-delimited
 *   word before the next unescaped `=`, and that word must be a valid key (so an unescaped `=` inside a
 *   value is rejected); no trailing empty value. On top of liblognorm (relay rules, docs/formats.md §1.2 and
 *   §1.3): no raw control characters anywhere, no line-final space, no lone surrogates.
 *   liblognorm 2.0.6's first-key-character bug is NOT mirrored (the validator also works around it).
 * - `checkRfc5424Strict`: RFC 5424 §6 ABNF as condensed in docs/formats.md §2.1, plus its prose rules: PRI
 *   0–191 without leading zeros, VERSION 1, TIMESTAMP with upper-case T/Z, ≤ 6 fraction digits, no leap
 *   second, valid date; HOSTNAME/APP-NAME/PROCID/MSGID PRINTUSASCII within 255/48/128/32; SD-NAME ≤ 32
 *   PRINTUSASCII without `= SP ] "`; PARAM-VALUE with `" \ ]` escaped; no duplicate SD-ID; private
 *   SD-IDs `name@digits`; MSG UTF-8 (optional BOM). By default also rejects raw control characters
 *   in MSG (a relay rule: one event = one record).
 *
 * Both throw `StrictParseError` with the byte-independent character index and a reason.
 */

class StrictParseError extends Error {
  readonly at: number;
  constructor(reason: string, at: number) {
    super(`${reason} (at index ${at})`);
    this.name = 'StrictParseError';
    this.at = at;
  }
}

/** C0, DEL and C1 controls: never allowed raw in a rendered CEF / RFC 5424 / LEEF record. */
const RAW_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** First raw control character's index, or -1. */
function controlIndex(s: string): number {
  const m = RAW_CONTROL.exec(s);
  return m ? m.index : -1;
}

/** True when the string encodes to UTF-8 without replacement (no lone surrogates). */
function isWellFormedUtf16(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

// ---------------------------------------------------------------------------------------------
// CEF

interface CefHeaderStrict {
  readonly version: string;
  readonly vendor: string;
  readonly product: string;
  readonly deviceVersion: string;
  readonly signatureId: string;
  readonly name: string;
  readonly severity: string;
}

interface CefStrict {
  readonly header: CefHeaderStrict;
  /** extension pairs in line order, values unescaped (duplicates kept) */
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  /** the same as a map (last duplicate wins, as in liblognorm's JSON and Elastic's map) */
  readonly ext: Readonly<Record<string, string>>;
}

const CEF_KEY_CHAR = /[A-Za-z0-9_.]/;

/**
 * Parse a CEF payload (the line must start with `CEF:`; strip any syslog header first).
 * @example checkCefStrict('CEF:0|MT4|Segura|3|1|Password Viewed|5|suser=jsilva').ext.suser // 'jsilva'
 */
function checkCefStrict(line: string): CefStrict {
  const ctl = controlIndex(line);
  if (ctl !== -1) throw new StrictParseError(`raw control character U+${hex4(line.charCodeAt(ctl))}`, ctl);
  if (!isWellFormedUtf16(line)) throw new StrictParseError('lone surrogate (not encodable as UTF-8)', 0);
  // liblognorm: minimum header "CEF:0|x|x|x|x|x|x|" and the literal bytes "CEF:0|"
  if (!line.startsWith('CEF:0|'))
    throw new StrictParseError('must start with "CEF:0|" (liblognorm accepts CEF:0 only)', 0);
  let i = 6;
  const hdr: string[] = [];
  for (let f = 0; f < 6; f++) {
    let v = '';
    for (;;) {
      if (i >= line.length) throw new StrictParseError(`header field ${f + 2} not ended by "|"`, i);
      const c = line[i] as string;
      if (c === '|') {
        i++;
        break;
      }
      if (c === '\\') {
        const n = line[i + 1];
        if (n !== '\\' && n !== '|') throw new StrictParseError(`invalid header escape "\\${n ?? ''}"`, i);
        v += n;
        i += 2;
        continue;
      }
      v += c;
      i++;
    }
    hdr.push(v);
  }
  const [vendor, product, deviceVersion, signatureId, name, severity] = hdr as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const pairs: Array<[string, string]> = [];
  const n = line.length;
  if (n > i && line.endsWith(' ')) throw new StrictParseError('line ends with a space (docs/formats.md §1.3)', n - 1);
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && line[i] !== '=') {
      if (!CEF_KEY_CHAR.test(line[i] as string)) {
        throw new StrictParseError(`invalid key character ${JSON.stringify(line[i])}`, i);
      }
      i++;
    }
    if (i === keyStart) throw new StrictParseError('empty key', i);
    // liblognorm: `if(i+1 >= strLen || str[i] != '=') FAIL`: a trailing empty value is rejected
    if (i + 1 >= n) throw new StrictParseError('missing "=" or trailing empty value (liblognorm 2.0.6)', i);
    const key = line.slice(keyStart, i);
    i++;
    // value: up to the next unescaped '='; its end is the space before the last word in front of it
    const vStart = i;
    let lastWordBegin = -1;
    let hadSp = false;
    let j = i;
    for (; j < n; j++) {
      const c = line[j];
      if (c === '\\') {
        const e = line[j + 1];
        if (e !== '=' && e !== '\\' && e !== 'n' && e !== 'r') {
          throw new StrictParseError(`invalid extension escape "\\${e ?? ''}"`, j);
        }
        j++;
        continue;
      }
      if (c === '=') break;
      if (c === ' ') hadSp = true;
      else if (hadSp) {
        lastWordBegin = j;
        hadSp = false;
      }
    }
    let vEnd: number;
    if (j < n) {
      if (lastWordBegin === -1) throw new StrictParseError(`unescaped "=" inside the value of ${key}`, j);
      vEnd = lastWordBegin - 1;
      // the word in front of '=' must be a key, or the '=' was an unescaped one inside the value
      for (let k = lastWordBegin; k < j; k++) {
        if (!CEF_KEY_CHAR.test(line[k] as string)) {
          throw new StrictParseError(`unescaped "=" inside the value of ${key}`, j);
        }
      }
    } else vEnd = n;
    const raw = line.slice(vStart, vEnd);
    if (raw === '') throw new StrictParseError(`empty value for ${key}`, vStart);
    pairs.push([key, unescapeExt(raw)]);
    i = vEnd;
  }
  const ext: Record<string, string> = {};
  for (const [k, v] of pairs) ext[k] = v;
  return {
    header: { version: '0', vendor, product, deviceVersion, signatureId, name, severity },
    pairs,
    ext,
  };
}

function unescapeExt(v: string): string {
  if (v.indexOf('\\') === -1) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[++i];
      out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
    } else out += c;
  }
  return out;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

// ---------------------------------------------------------------------------------------------
// RFC 5424

interface SdElement {
  readonly id: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
}

interface Rfc5424Strict {
  readonly pri: number;
  readonly facility: number;
  readonly severity: number;
  readonly version: number;
  /** the TIMESTAMP token, or null for NILVALUE */
  readonly timestamp: string | null;
  /** epoch ms of TIMESTAMP (fraction beyond ms dropped), null for NILVALUE */
  readonly epochMs: number | null;
  readonly hostname: string | null;
  readonly appName: string | null;
  readonly procId: string | null;
  readonly msgId: string | null;
  readonly sd: readonly SdElement[];
  /** MSG without the BOM; null when the line ends after STRUCTURED-DATA */
  readonly msg: string | null;
  readonly bom: boolean;
}

interface Rfc5424CheckOptions {
  /** accept raw control characters inside MSG (the ABNF allows any OCTET). @default false */
  readonly allowControlsInMsg?: boolean;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const REGISTERED_SD_IDS = new Set(['timeQuality', 'origin', 'meta']);

function isPrintUsAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

function checkTimestamp(t: string, at: number): number {
  const m = TS.exec(t);
  if (!m) throw new StrictParseError(`TIMESTAMP ${JSON.stringify(t)} is not FULL-DATE "T" FULL-TIME`, at);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) throw new StrictParseError(`TIMESTAMP month ${mo}`, at);
  const dim = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (day < 1 || day > (dim[month - 1] as number)) throw new StrictParseError(`TIMESTAMP day ${d}`, at);
  if (Number(h) > 23 || Number(mi) > 59) throw new StrictParseError('TIMESTAMP hour/minute out of range', at);
  if (Number(s) > 59) throw new StrictParseError('TIMESTAMP second > 59 (leap seconds MUST NOT be used)', at);
  let off = 0;
  if (oh !== undefined && om !== undefined) {
    if (Number(oh) > 23 || Number(om) > 59) throw new StrictParseError('TIME-OFFSET out of range', at);
    off = (sign === '+' ? 1 : -1) * (Number(oh) * 60 + Number(om));
  }
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(Number(h), Number(mi), Number(s), ms);
  return utc.getTime() - off * 60_000;
}

/**
 * Parse one RFC 5424 SYSLOG-MSG (no framing, no trailing LF).
 * @example checkRfc5424Strict('<13>1 - - - - - -').severity // 5
 */
function checkRfc5424Strict(line: string, opts: Rfc5424CheckOptions = {}): Rfc5424Strict {
  if (!isWellFormedUtf16(line)) throw new StrictParseError('lone surrogate (not encodable as UTF-8)', 0);
  const pm = /^<(0|[1-9]\d{0,2})>/.exec(line);
  if (!pm) throw new StrictParseError('PRI must be "<" 1*3DIGIT ">" without leading zeros', 0);
  const pri = Number(pm[1]);
  if (pri > 191) throw new StrictParseError(`PRI ${pri} > 191`, 1);
  let i = pm[0].length;
  if (!line.startsWith('1 ', i)) throw new StrictParseError('VERSION must be 1 followed by SP', i);
  i += 2;
  const tokenAt = (what: string, max: number): [string | null, number] => {
    const sp = line.indexOf(' ', i);
    if (sp === -1) throw new StrictParseError(`${what} not followed by SP`, i);
    const t = line.slice(i, sp);
    if (t === '') throw new StrictParseError(`${what} empty (two SPs in a row)`, i);
    const at = i;
    i = sp + 1;
    if (t === '-') return [null, at];
    if (!isPrintUsAscii(t)) throw new StrictParseError(`${what} ${JSON.stringify(t)} is not PRINTUSASCII`, at);
    if (t.length > max) throw new StrictParseError(`${what} longer than ${max}`, at);
    return [t, at];
  };
  const [timestamp, tsAt] = tokenAt('TIMESTAMP', 64);
  const epochMs = timestamp === null ? null : checkTimestamp(timestamp, tsAt);
  const [hostname] = tokenAt('HOSTNAME', 255);
  const [appName] = tokenAt('APP-NAME', 48);
  const [procId] = tokenAt('PROCID', 128);
  // MSGID is followed by SP STRUCTURED-DATA (STRUCTURED-DATA is mandatory)
  const [msgId] = tokenAt('MSGID', 32);
  const sd: SdElement[] = [];
  if (i >= line.length) throw new StrictParseError('STRUCTURED-DATA missing', i);
  if (line[i] === '-') i++;
  else if (line[i] === '[') {
    const seen = new Set<string>();
    while (line[i] === '[') {
      i++;
      const id = readSdName(line, i, 'SD-ID');
      i += id.length;
      if (seen.has(id)) throw new StrictParseError(`duplicate SD-ID ${id}`, i);
      seen.add(id);
      const at = id.indexOf('@');
      if (at === -1 ? !REGISTERED_SD_IDS.has(id) : !/^\d+(\.\d+)*$/.test(id.slice(at + 1)) || at === 0) {
        throw new StrictParseError(`SD-ID ${id} is neither IANA-registered nor name@<PEN>`, i);
      }
      const params: Array<[string, string]> = [];
      while (line[i] === ' ') {
        i++;
        const name = readSdName(line, i, 'PARAM-NAME');
        i += name.length;
        if (line[i] !== '=' || line[i + 1] !== '"') throw new StrictParseError('PARAM-NAME must be followed by ="', i);
        i += 2;
        let v = '';
        for (;;) {
          if (i >= line.length) throw new StrictParseError('unterminated PARAM-VALUE', i);
          const c = line[i] as string;
          if (c === '"') {
            i++;
            break;
          }
          if (c === ']') throw new StrictParseError('unescaped "]" in PARAM-VALUE', i);
          if (c === '\\') {
            const n = line[i + 1];
            if (n === '"' || n === '\\' || n === ']') {
              v += n;
              i += 2;
              continue;
            }
            // RFC 5424 §6.3.3: a backslash before any other character is kept
          }
          const cc = c.charCodeAt(0);
          if (cc < 0x20 || cc === 0x7f) throw new StrictParseError('raw control character in PARAM-VALUE', i);
          v += c;
          i++;
        }
        params.push([name, v]);
      }
      if (line[i] !== ']') throw new StrictParseError('SD-ELEMENT not closed by "]"', i);
      i++;
      sd.push({ id, params });
    }
  } else throw new StrictParseError('STRUCTURED-DATA must be "-" or "["', i);
  let msg: string | null = null;
  let bom = false;
  if (i < line.length) {
    if (line[i] !== ' ') throw new StrictParseError('STRUCTURED-DATA must be followed by SP MSG or the end', i);
    msg = line.slice(i + 1);
    if (msg.charCodeAt(0) === 0xfeff) {
      bom = true;
      msg = msg.slice(1);
    }
    if (!opts.allowControlsInMsg) {
      const ctl = controlIndex(msg);
      if (ctl !== -1) {
        throw new StrictParseError(`raw control character U+${hex4(msg.charCodeAt(ctl))} in MSG`, i + 1 + ctl);
      }
    }
  }
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: 1,
    timestamp,
    epochMs,
    hostname,
    appName,
    procId,
    msgId,
    sd,
    msg,
    bom,
  };
}

function readSdName(line: string, at: number, what: string): string {
  let j = at;
  while (j < line.length) {
    const c = line.charCodeAt(j);
    if (c < 33 || c > 126 || c === 0x3d || c === 0x20 || c === 0x5d || c === 0x22) break;
    j++;
  }
  const name = line.slice(at, j);
  if (name === '') throw new StrictParseError(`${what} empty or starts with a forbidden character`, at);
  if (name.length > 32) throw new StrictParseError(`${what} ${name} longer than 32`, at);
  return name;
}

// ---------------------------------------------------------------------------------------------
// LEEF 2.0 (shape only: one record, header, declared delimiter)

interface LeefStrict {
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly eventId: string;
  readonly delimiter: string;
  readonly attrs: ReadonlyArray<readonly [string, string]>;
}

/** Split a LEEF 2.0 line; rejects raw controls and attributes without `key=`. */
function checkLeefStrict(line: string): LeefStrict {
  const ctl = controlIndex(line);
  if (ctl !== -1) throw new StrictParseError(`raw control character U+${hex4(line.charCodeAt(ctl))}`, ctl);
  if (!isWellFormedUtf16(line)) throw new StrictParseError('lone surrogate', 0);
  if (!line.startsWith('LEEF:2.0|')) throw new StrictParseError('must start with LEEF:2.0|', 0);
  const parts = line.slice(9).split('|');
  if (parts.length < 6) throw new StrictParseError('LEEF 2.0 header needs 5 fields after the version', 9);
  const [vendor, product, version, eventId, delimiter] = parts as [string, string, string, string, string];
  if (delimiter.length !== 1)
    throw new StrictParseError(`delimiter ${JSON.stringify(delimiter)} is not one character`, 0);
  const body = parts.slice(5).join('|');
  const attrs: Array<[string, string]> = [];
  if (body !== '') {
    for (const a of body.split(delimiter)) {
      const eq = a.indexOf('=');
      if (eq <= 0 || !/^[A-Za-z][A-Za-z0-9_]*$/.test(a.slice(0, eq))) {
        throw new StrictParseError(`attribute ${JSON.stringify(a.slice(0, 40))} is not key=value`, 0);
      }
      attrs.push([a.slice(0, eq), a.slice(eq + 1)]);
    }
  }
  return { vendor, product, version, eventId, delimiter, attrs };
}

export type { CefHeaderStrict, CefStrict, LeefStrict, Rfc5424CheckOptions, Rfc5424Strict, SdElement };
export { checkCefStrict, checkLeefStrict, checkRfc5424Strict, controlIndex, isWellFormedUtf16, StrictParseError };
