/**
 * RFC 5424 line → RawEvent, accepting the vault's documented deviation: its native lines omit the
 * STRUCTURED-DATA field (`<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 -
 * Autenticado com sucesso.`). MSG is a CEF payload, the vault's key=value text, or free text.
 * Also accepts a BSD (RFC 3164) header in front of a CEF payload, as many CEF senders use.
 */
import { InvalidEventError } from '../errors.js';
import type { RawEvent } from '../model/normalize.js';
import type { EventFlag, EventTime, SyslogSeverity } from '../model/security-event.js';
import { EVENT_FLAGS } from '../model/security-event.js';
import { cleanLine } from '../model/text.js';
import { parseTimestamp } from '../model/time.js';
import { parseCef } from './cef-line.js';
import { buildFields, checkEventId } from './fields.js';
import { scanKeyValues } from './kv.js';

const PRI = /^<(\d{1,3})>/;
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

/**
 * Skip one SD-ELEMENT sequence starting at `pos` (which is `[`); returns the index after it.
 * PARAM-VALUE escapes `\"`, `\\`, `\]` are honoured (RFC 5424 §6.3.3).
 */
function skipStructuredData(line: string, pos: number): number {
  let i = pos;
  while (i < line.length && line[i] === '[') {
    let inValue = false;
    i++;
    for (;;) {
      if (i >= line.length) fail('structuredData', 'unterminated SD-ELEMENT (missing "]")');
      const c = line[i];
      if (inValue) {
        if (c === '\\') i += 2;
        else {
          if (c === '"') inValue = false;
          i++;
        }
        continue;
      }
      if (c === '"') {
        inValue = true;
        i++;
        continue;
      }
      if (c === ']') {
        i++;
        break;
      }
      i++;
    }
  }
  return i;
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
    });
    // the syslog MSGID is the relay's own event id slot: when both exist they must agree
    if (base.msgid !== null && raw.eventId !== null && base.msgid !== raw.eventId) {
      fail('msgid', `MSGID ${base.msgid} differs from the CEF event class id ${raw.eventId}`);
    }
    return raw;
  }
  const pairs = scanKeyValues(msg, { cefEscapes: true, quotes: true });
  const fields =
    pairs === null
      ? buildFields([['msg', msg]], () => fail('msg', 'unreachable'))
      : buildFields(pairs, (k) => fail(`msg.${k.slice(0, 40)}`, 'invalid key name'));
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

const BSD_HEADER = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S+) /;

/**
 * Parse a syslog line (starts with `<PRI>`). RFC 5424 when VERSION `1` follows PRI; otherwise a
 * BSD header is accepted only in front of a CEF payload.
 */
function parseSyslogLine(line: string): RawEvent {
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
    const bsd = BSD_HEADER.exec(line.slice(pos, cefAt));
    return parseCef(line, cefAt, {
      input: 'cef',
      syslogSeverity,
      time: null,
      host: bsd ? (bsd[6] ?? null) : null,
      app: null,
      pid: null,
      flags: [],
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
  if (pos < line.length) {
    if (line[pos] === '-' && (pos + 1 === line.length || line[pos + 1] === ' ')) {
      body = line.slice(pos + 2);
    } else if (line[pos] === '[') {
      const after = skipStructuredData(line, pos);
      if (after < line.length && line[after] !== ' ') fail('structuredData', 'SD-ELEMENT must be followed by a space');
      body = line.slice(after + 1);
    } else {
      // the vault's native lines omit STRUCTURED-DATA: the rest is MSG
      flags.push(EVENT_FLAGS.missingStructuredData);
      body = line.slice(pos);
    }
  }
  return bodyToRaw(body, {
    syslogSeverity,
    time,
    host: nil(hostname) === null ? null : cleanLine(hostname),
    app: nil(app),
    pid: nil(procid),
    msgid,
    flags,
  });
}

export { parseSyslogLine };
