/**
 * Raw parsed parts → canonical `SecurityEvent`: catalog resolution, severity rules, defaults and
 * flags. Parsers produce a `RawEvent`; this is the only place that decides defaults.
 */
import { resolveEvent } from './catalog.js';
import type { CefSeverity, EventFlag, EventTime, InputKind, SecurityEvent, SyslogSeverity } from './security-event.js';
import { EVENT_FLAGS } from './security-event.js';
import { cefFromSyslog, syslogFromCef } from './severity.js';
import { cleanLine } from './text.js';
import { timeFromEpochMs } from './time.js';

/** What a parser could read from the input, before catalog resolution and defaults. */
interface RawEvent {
  readonly input: InputKind;
  readonly eventId: string | null;
  readonly name: string | null;
  readonly cefSeverity: CefSeverity | null;
  readonly syslogSeverity: SyslogSeverity | null;
  readonly time: EventTime | null;
  readonly host: string | null;
  readonly app: string | null;
  readonly pid: string | null;
  /** the vault's product name and version as the input wrote them (CEF header, envelope), cleaned */
  readonly product?: string | null;
  readonly deviceVersion?: string | null;
  /** already cleaned (see text.ts) and without empty values */
  readonly fields: Record<string, string>;
  readonly flags: readonly EventFlag[];
}

interface NormalizeOptions {
  /** when the input has no time: use this instant (e.g. SQS SentTimestamp) and flag it */
  readonly receivedAtMs?: number;
}

/** Severity used when neither the input nor the catalog gives one: notice (5), CEF 3. */
const DEFAULT_SYSLOG_SEVERITY: SyslogSeverity = 5;
const UNKNOWN_NAME = 'Unknown Segura event';

/**
 * Rules (documented in README "The event model"):
 * - name: the input's, else the catalog's English name, else `Unknown Segura event`;
 * - syslog severity: the input's (syslog PRI), else the catalog priority, else derived from the
 *   input's CEF severity, else notice (5) flagged `severity-defaulted`;
 * - CEF severity: the input's, else derived from the syslog severity;
 * - unknown ids are kept and flagged `unknown-id`, never dropped;
 * - product and device version: the input's when it carried them (renderers fall back to their
 *   configuration otherwise).
 */
function normalize(raw: RawEvent, opts: NormalizeOptions = {}): SecurityEvent {
  const flags: EventFlag[] = [...raw.flags];
  const eventId = raw.eventId ?? '0';
  if (raw.eventId === null) flags.push(EVENT_FLAGS.noEventId);
  const res = resolveEvent(eventId, raw.fields);
  if (res.match === 'none') flags.push(EVENT_FLAGS.unknownId);

  let name = raw.name === null ? '' : cleanLine(raw.name);
  if (!name) {
    if (res.name) {
      name = res.name;
      flags.push(EVENT_FLAGS.nameFromCatalog);
    } else {
      name = UNKNOWN_NAME;
    }
  }

  let syslogSeverity: SyslogSeverity;
  if (raw.syslogSeverity !== null) syslogSeverity = raw.syslogSeverity;
  else if (res.priority !== null) {
    syslogSeverity = res.priority;
    flags.push(EVENT_FLAGS.severityFromCatalog);
  } else if (raw.cefSeverity !== null) syslogSeverity = syslogFromCef(raw.cefSeverity);
  else {
    syslogSeverity = DEFAULT_SYSLOG_SEVERITY;
    flags.push(EVENT_FLAGS.severityDefaulted);
  }
  const cefSeverity = raw.cefSeverity ?? cefFromSyslog(syslogSeverity);

  let time = raw.time;
  if (time === null && opts.receivedAtMs !== undefined) {
    time = timeFromEpochMs(opts.receivedAtMs);
    flags.push(EVENT_FLAGS.timestampDefaulted);
  }

  const event: SecurityEvent = {
    eventId,
    name,
    catalogMatch: res.match,
    category: res.notification?.category ?? null,
    notificationType: res.notification?.type ?? null,
    origin: res.origin,
    syslogSeverity,
    cefSeverity,
    time,
    host: raw.host,
    app: raw.app,
    pid: raw.pid,
    fields: raw.fields,
    flags,
    input: raw.input,
  };
  // only when the input carried them: events without stay as they were on the wire
  if (!raw.product && !raw.deviceVersion) return event;
  return {
    ...event,
    ...(raw.product ? { product: raw.product } : {}),
    ...(raw.deviceVersion ? { deviceVersion: raw.deviceVersion } : {}),
  };
}

export type { NormalizeOptions, RawEvent };
export { normalize };
