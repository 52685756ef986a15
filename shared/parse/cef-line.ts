/**
 * CEF line → RawEvent. `CEF:0|Vendor|Product|Version|EventClassId|Name|Severity|Extension`
 * (docs/formats.md §1): header escapes `\|` `\\`; extension escapes `\=` `\\` `\n` `\r`.
 */
import { InvalidEventError } from '../errors.js';
import type { RawEvent } from '../model/normalize.js';
import type { CefSeverity, EventFlag, EventTime, InputKind, SyslogSeverity } from '../model/security-event.js';
import { EVENT_FLAGS } from '../model/security-event.js';
import { cleanLine } from '../model/text.js';
import { parseCefDate } from './cef-date.js';
import { buildFields, checkEventId } from './fields.js';
import { scanKeyValues } from './kv.js';

// a Map, not an object: `constructor` or `__proto__` in a header must not resolve to a prototype member
const SEVERITY_WORDS: ReadonlyMap<string, CefSeverity | null> = new Map([
  ['unknown', null],
  ['low', 3],
  ['medium', 5],
  ['high', 8],
  ['very-high', 10],
]);

interface CefHeader {
  readonly version: string;
  readonly vendor: string;
  readonly product: string;
  readonly deviceVersion: string;
  readonly eventClassId: string;
  readonly name: string;
  readonly severity: string;
  /** index in the line where the extension starts */
  readonly extensionAt: number;
}

/** Split the 7 header fields, honouring `\|` and `\\`. Throws InvalidEventError naming the field. */
function splitHeader(line: string, at: number): CefHeader {
  const parts: string[] = [];
  let cur = '';
  let i = at + 4; // after "CEF:"
  while (i < line.length && parts.length < 7) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      const n = line[i + 1];
      cur += n === '|' || n === '\\' ? n : `\\${n}`;
      i += 2;
      continue;
    }
    if (c === '|') {
      parts.push(cur);
      cur = '';
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  const names = ['version', 'vendor', 'product', 'deviceVersion', 'eventClassId', 'name', 'severity'];
  if (parts.length < 7) {
    throw new InvalidEventError(
      `cef.header.${names[parts.length] ?? 'severity'}`,
      `incomplete CEF header: ${parts.length} of 7 fields ended by '|' (the pipe after Severity is required)`,
      'syntax',
    );
  }
  const [version, vendor, product, deviceVersion, eventClassId, name, severity] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { version, vendor, product, deviceVersion, eventClassId, name, severity, extensionAt: i };
}

function cefSeverity(s: string): CefSeverity | null {
  const t = s.trim();
  if (/^\d{1,2}$/.test(t)) {
    const n = Number(t);
    if (n <= 10) return n as CefSeverity;
    throw new InvalidEventError('cef.header.severity', `severity ${t} out of range 0–10`);
  }
  const w = SEVERITY_WORDS.get(t.toLowerCase());
  if (w !== undefined) return w;
  throw new InvalidEventError(
    'cef.header.severity',
    `not an integer 0–10 or Low/Medium/High/Very-High: ${JSON.stringify(t.slice(0, 20))}`,
  );
}

interface CefContext {
  readonly input: InputKind;
  readonly syslogSeverity: SyslogSeverity | null;
  readonly time: EventTime | null;
  readonly host: string | null;
  readonly app: string | null;
  readonly pid: string | null;
  readonly flags: readonly EventFlag[];
  /** pairs placed before the extension's own (an enclosing syslog line's recorded STRUCTURED-DATA) */
  readonly leading?: ReadonlyArray<readonly [string, string]>;
  /** the receive time (SQS SentTimestamp): gives a date written without a year its year */
  readonly receivedAtMs?: number;
}

/**
 * Parse a CEF payload starting at `at` (the index of `CEF:`) in `line`. `ctx` carries what an
 * enclosing syslog header said. `rt` (any CEF date format, cef-date.ts), `dvchost` and `dvcpid` become the model's time,
 * host and pid; Device Product and Device Version become the model's product and version.
 */
function parseCef(line: string, at: number, ctx: CefContext): RawEvent {
  const h = splitHeader(line, at);
  if (!/^\d+$/.test(h.version)) {
    throw new InvalidEventError('cef.header.version', `not an integer: ${JSON.stringify(h.version.slice(0, 10))}`);
  }
  const eventClassId = h.eventClassId.trim();
  const pairs = scanKeyValues(line.slice(h.extensionAt), { cefEscapes: true, quotes: false });
  if (pairs === null) {
    throw new InvalidEventError('cef.extension', 'extension does not start with key=value', 'syntax');
  }
  // a key the relay cannot carry as sent (ArcSight's `_cefVer`) is renamed and flagged: one odd key
  // never costs the other fields
  const { fields, renamed } = buildFields(ctx.leading?.length ? [...ctx.leading, ...pairs] : pairs);
  let flags = renamed ? [...ctx.flags, EVENT_FLAGS.keyRenamed] : ctx.flags;
  let time = ctx.time;
  // rt in any CEF date format (cef-date.ts); a value that is not one (or names an unknown zone)
  // stays a field rather than becoming a wrong time
  const rt = fields.rt;
  if (rt !== undefined) {
    const d = parseCefDate(rt, ctx.receivedAtMs ?? Date.now());
    if (d.ok) {
      time = d.time;
      delete fields.rt;
      // rt is the vault's own time: a BSD header's inferred one no longer counts, only rt's own
      flags = flags.filter((f) => f !== EVENT_FLAGS.timestampInferred);
      if (d.inferred) flags = [...flags, EVENT_FLAGS.timestampInferred];
    }
  }
  // dvchost/dvcpid are the vault's own values; a syslog header's HOSTNAME/PROCID may be a
  // sanitized (punycode, PRINTUSASCII) copy of them, so the CEF values win.
  let host = ctx.host;
  if (fields.dvchost !== undefined) {
    host = cleanLine(fields.dvchost) || null;
    delete fields.dvchost;
  }
  let pid = ctx.pid;
  if (fields.dvcpid !== undefined) {
    pid = cleanLine(fields.dvcpid) || null;
    delete fields.dvcpid;
  }
  return {
    input: ctx.input,
    eventId:
      eventClassId === ''
        ? null
        : checkEventId(eventClassId, (r) => {
            throw new InvalidEventError('cef.header.eventClassId', r);
          }),
    name: cleanLine(h.name) || null,
    cefSeverity: cefSeverity(h.severity),
    syslogSeverity: ctx.syslogSeverity,
    time,
    host,
    app: ctx.app,
    pid,
    // the vault's own product and version (`Segura|3.27.0-4`): renderers keep them
    product: cleanLine(h.product) || null,
    deviceVersion: cleanLine(h.deviceVersion) || null,
    fields,
    flags,
  };
}

export type { CefContext, CefHeader };
export { parseCef, splitHeader };
