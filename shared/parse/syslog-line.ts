/**
 * RFC 5424 line → RawEvent, accepting the vault's documented deviation: its native lines omit the
 * STRUCTURED-DATA field (`<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 -
 * Autenticado com sucesso.`). MSG is a CEF payload, the vault's key=value text, or free text.
 * Also accepts a BSD (RFC 3164) header in front of a CEF payload, as many CEF senders use.
 *
 * STRUCTURED-DATA (https://www.rfc-editor.org/rfc/rfc5424#section-6.3): what is not valid SD by
 * RFC 5424's rules is message text (flag `missing-structured-data`), so `- [Action taken] command
 * blocked` keeps `[Action taken]`; valid SD, which the relay does not interpret, is kept verbatim in
 * the `structuredData` field (flag `structured-data-recorded`). Nothing is discarded.
 */
import { InvalidEventError } from '../errors.js';
import type { RawEvent } from '../model/normalize.js';
import type { EventFlag, EventTime, SyslogSeverity } from '../model/security-event.js';
import { EVENT_FLAGS } from '../model/security-event.js';
import { cleanLine } from '../model/text.js';
import { inRange, parseTimestamp } from '../model/time.js';
import { type CefContext, parseCef } from './cef-line.js';
import { buildFields, checkEventId } from './fields.js';
import { scanKeyValues } from './kv.js';
import { inferYear, monthIndex } from './syslog-date.js';

const PRI = /^<(\d{1,3})>/;
/** The field that keeps an input's STRUCTURED-DATA text (flag `structured-data-recorded`). */
const SD_FIELD = 'structuredData';
const BOM = '\uFEFF';

function fail(field: string, reason: string): never {
  throw new InvalidEventError(`syslog.${field}`, reason, 'syntax');
}

/** Next space-delimited header token starting at `pos`. */
function token(line: string, pos: number, field: string): [string, number] {
  if (pos >= line.length) fail(field, 'missing (line ends early)');
  const sp = line.indexOf(' ', pos);
  const end = sp === -1 ? line.length : sp;
  const t = line.slice(pos, end);
  if (t === '') fail(field, 'empty (two spaces in a row?)');
  return [t, sp === -1 ? line.length : sp + 1];
}

const nil = (t: string): string | null => (t === '-' ? null : t);

/** IANA-registered SD-IDs (RFC 5424 §7); any other SD-ID must be `name@<private enterprise number>`. */
const REGISTERED_SD_IDS: ReadonlySet<string> = new Set(['timeQuality', 'origin', 'meta']);
const PEN = /^\d+(\.\d+)*$/;

/** SD-NAME (RFC 5424 §6.3): 1–32 PRINTUSASCII except `=`, SP, `]` and `"`. Returns its end, or -1. */
function sdNameEnd(line: string, at: number): number {
  let j = at;
  while (j < line.length && j - at < 33) {
    const c = line.charCodeAt(j);
    if (c < 33 || c > 126 || c === 0x3d || c === 0x5d || c === 0x22) break;
    j++;
  }
  return j === at || j - at > 32 ? -1 : j;
}

function validSdId(id: string): boolean {
  if (REGISTERED_SD_IDS.has(id)) return true;
  const at = id.indexOf('@');
  // RFC 5424 §6.3.2 / §7.2.2: names without `@` are reserved for IANA; private ones are name@PEN
  return at > 0 && id.indexOf('@', at + 1) === -1 && PEN.test(id.slice(at + 1));
}

/**
 * Read STRUCTURED-DATA starting at `pos` (which is `[`) by RFC 5424's rules: SD-ELEMENTs
 * `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]` with `"`, `\` and `]` escaped in PARAM-VALUE (§6.3.3),
 * registered or name@PEN SD-IDs, each SD-ID at most once (§6.3.2), followed by SP or the end.
 * Returns the index after the last element, or -1 when the text is not valid SD (it is then MSG).
 */
function structuredDataEnd(line: string, pos: number): number {
  const ids = new Set<string>();
  let i = pos;
  while (i < line.length && line[i] === '[') {
    const idEnd = sdNameEnd(line, i + 1);
    if (idEnd === -1) return -1;
    const id = line.slice(i + 1, idEnd);
    if (!validSdId(id) || ids.has(id)) return -1;
    ids.add(id);
    i = idEnd;
    while (line[i] === ' ') {
      const nameEnd = sdNameEnd(line, i + 1);
      if (nameEnd === -1 || line[nameEnd] !== '=' || line[nameEnd + 1] !== '"') return -1;
      i = nameEnd + 2;
      for (;;) {
        if (i >= line.length) return -1;
        const c = line[i];
        if (c === '\\') {
          // an escape pair, or a backslash kept as is before any other character (§6.3.3)
          const n = line[i + 1];
          i += n === '"' || n === '\\' || n === ']' ? 2 : 1;
          continue;
        }
        if (c === ']') return -1; // MUST be escaped inside PARAM-VALUE
        i++;
        if (c === '"') break;
      }
    }
    if (line[i] !== ']') return -1;
    i++;
  }
  return i < line.length && line[i] !== ' ' ? -1 : i;
}

function bodyToRaw(
  body: string,
  base: {
    syslogSeverity: SyslogSeverity;
    time: EventTime | null;
    host: string | null;
    app: string | null;
    pid: string | null;
    msgid: string | null;
    flags: EventFlag[];
    /** pairs that come before MSG's own (the recorded STRUCTURED-DATA) */
    leading: Array<[string, string]>;
    receivedAtMs: number;
  },
): RawEvent {
  const msg = body.startsWith(BOM) ? body.slice(1) : body;
  if (msg.startsWith('CEF:')) {
    const raw = parseCef(msg, 0, {
      input: 'rfc5424',
      syslogSeverity: base.syslogSeverity,
      time: base.time,
      host: base.host,
      app: base.app,
      pid: base.pid,
      flags: base.flags,
      leading: base.leading,
      receivedAtMs: base.receivedAtMs,
    });
    // the syslog MSGID is the relay's own event id slot: when both exist they must agree
    if (base.msgid !== null && raw.eventId !== null && base.msgid !== raw.eventId) {
      fail('msgid', `MSGID ${base.msgid} differs from the CEF event class id ${raw.eventId}`);
    }
    return raw;
  }
  // the vault's own text: byte for byte, no escapes (see kv.ts)
  const pairs = msg === '' ? [] : (scanKeyValues(msg, { cefEscapes: false, quotes: true }) ?? [['msg', msg]]);
  const { fields, renamed } = buildFields(base.leading.length === 0 ? pairs : [...base.leading, ...pairs]);
  if (renamed) base.flags.push(EVENT_FLAGS.keyRenamed);
  return {
    input: 'rfc5424',
    eventId: base.msgid,
    name: null,
    cefSeverity: null,
    syslogSeverity: base.syslogSeverity,
    time: base.time,
    host: base.host,
    app: base.app,
    pid: base.pid,
    fields,
    flags: base.flags,
  };
}

/** BSD header before CEF: `Jan 19 10:41:00 vault-01 ` then an optional TAG `Segura[1426]: ` (RFC 3164 §4.1.3). */
const BSD_HEADER = /^([A-Za-z]{3}) ([ \d]?\d) (\d\d):(\d\d):(\d\d) (\S+) /;
const BSD_TAG = /^([^\s[\]:]{1,48})(?:\[([^\s\]]{1,128})\])?: ?$/;

/**
 * The parts of a BSD header in front of a CEF payload: the time (year by the rule in
 * syslog-date.ts, read as UTC: RFC 3164 gives no zone; flagged `timestamp-inferred`), HOSTNAME,
 * and the TAG's app name and PID (`Segura[1426]:`). Text that is not such a header gives nothing.
 */
function bsdContext(head: string, receivedAtMs: number): Pick<CefContext, 'time' | 'host' | 'app' | 'pid' | 'flags'> {
  const bsd = BSD_HEADER.exec(head);
  if (bsd === null) return { time: null, host: null, app: null, pid: null, flags: [] };
  const [, mon, day, hh, mi, ss, host] = bsd as unknown as [string, string, string, string, string, string, string];
  const month = monthIndex(mon);
  const wall =
    month === -1 ? Number.NaN : inferYear(month, Number(day), Number(hh), Number(mi), Number(ss), 0, receivedAtMs);
  const tag = BSD_TAG.exec(head.slice(bsd[0].length));
  const flags: EventFlag[] = [];
  let time: EventTime | null = null;
  if (!Number.isNaN(wall) && inRange(wall)) {
    time = { epochMs: wall, offsetMinutes: 0, micros: 0, fractionDigits: 0 };
    flags.push(EVENT_FLAGS.timestampInferred);
  }
  return {
    time,
    host: cleanLine(host) || null,
    app: tag?.[1] === undefined ? null : cleanLine(tag[1]) || null,
    pid: tag?.[2] === undefined ? null : cleanLine(tag[2]) || null,
    flags,
  };
}

/**
 * Parse a syslog line (starts with `<PRI>`). RFC 5424 when VERSION `1` follows PRI; otherwise a
 * BSD header is accepted only in front of a CEF payload. `receivedAtMs` gives a BSD timestamp its
 * year (syslog-date.ts).
 */
function parseSyslogLine(line: string, receivedAtMs: number = Date.now()): RawEvent {
  const pm = PRI.exec(line);
  if (!pm) fail('pri', 'line must start with <PRI>');
  const prival = Number(pm[1]);
  if (prival > 191) fail('pri', `PRI ${prival} out of range 0–191`);
  const syslogSeverity = (prival % 8) as SyslogSeverity;
  let pos = pm[0].length;
  if (!line.startsWith('1 ', pos)) {
    // BSD / RFC 3164: accepted in front of CEF only
    const cefAt = line.indexOf('CEF:', pos);
    if (cefAt === -1) fail('version', 'not RFC 5424 (VERSION 1 expected after PRI) and no CEF payload');
    return parseCef(line, cefAt, {
      input: 'cef',
      syslogSeverity,
      ...bsdContext(line.slice(pos, cefAt), receivedAtMs),
      receivedAtMs,
    });
  }
  pos += 2;
  const next = (field: string): string => {
    const [t, p] = token(line, pos, field);
    pos = p;
    return t;
  };
  const t = next('timestamp');
  let time: EventTime | null = null;
  if (t !== '-') {
    const r = parseTimestamp(t);
    if (!r.ok) fail('timestamp', r.reason);
    time = r.time;
  }
  const hostname = next('hostname');
  const app = next('appName');
  const procid = next('procid');
  const flags: EventFlag[] = [];
  const msgidTok = next('msgid');
  const msgid = nil(msgidTok);
  if (msgid !== null) checkEventId(msgid, (r) => fail('msgid', r));
  let body = '';
  const leading: Array<[string, string]> = [];
  if (pos < line.length) {
    const sdEnd = line[pos] === '[' ? structuredDataEnd(line, pos) : -1;
    if (line[pos] === '-' && (pos + 1 === line.length || line[pos + 1] === ' ')) {
      body = line.slice(pos + 2);
    } else if (sdEnd !== -1) {
      // valid SD the relay does not interpret: kept as a field, never dropped
      leading.push([SD_FIELD, line.slice(pos, sdEnd)]);
      flags.push(EVENT_FLAGS.structuredDataRecorded);
      body = line.slice(sdEnd + 1);
    } else {
      // the vault's native lines omit STRUCTURED-DATA, and text that is not SD by RFC 5424's
      // rules (`[Action taken] command blocked`) is message text: the rest is MSG
      flags.push(EVENT_FLAGS.missingStructuredData);
      body = line.slice(pos);
    }
  }
  return bodyToRaw(body, {
    syslogSeverity,
    time,
    host: nil(hostname) === null ? null : cleanLine(hostname) || null,
    // header tokens are split on spaces only: a TAB or other control inside one is cleaned here
    app: nil(app) === null ? null : cleanLine(app) || null,
    pid: nil(procid) === null ? null : cleanLine(procid) || null,
    msgid,
    flags,
    leading,
    receivedAtMs,
  });
}

export { parseSyslogLine, SD_FIELD, structuredDataEnd };
