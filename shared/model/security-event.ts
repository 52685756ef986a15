/**
 * The one canonical event model. Every input (JSON envelope, native RFC 5424 key=value line, CEF
 * line) normalizes to a `SecurityEvent`; every renderer reads only this.
 */

/** Syslog severity, RFC 5424 §6.2.1: 0 Emergency … 7 Debug. */
type SyslogSeverity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** CEF severity: integer 0–10 (0–3 Low, 4–6 Medium, 7–8 High, 9–10 Very-High). */
type CefSeverity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** Where the event came from on the wire. */
type InputKind = 'json' | 'rfc5424' | 'cef';

/**
 * How the event id was resolved against the catalog.
 * - `id`: a catalog event id (1–91, 336.xxx, 1695.xxx)
 * - `suid`: not a catalog id, but a documented SUID message type (e.g. 164 = Password Viewed)
 * - `layout`: not a catalog id, but the fields match a layout documented in the SIEM integration guide
 *   (e.g. a Master Key recovery failure)
 * - `none`: unknown; kept, flagged, name from the message, severity from the message or defaulted
 */
type CatalogMatch = 'id' | 'suid' | 'layout' | 'none';

/** Flags that say where the relay had to decide something. Stable strings (metrics, tests). */
const EVENT_FLAGS = {
  unknownId: 'unknown-id',
  noEventId: 'no-event-id',
  nameFromCatalog: 'name-from-catalog',
  severityFromCatalog: 'severity-from-catalog',
  severityDefaulted: 'severity-defaulted',
  timestampDefaulted: 'timestamp-defaulted',
  /**
   * the input's time lacks a year or a zone (a BSD syslog header, a CEF date such as `Jan 19 10:41:00`):
   * the year comes from the receive time, the zone is UTC when none is written (shared/parse/syslog-date.ts)
   */
  timestampInferred: 'timestamp-inferred',
  /** an RFC 5424 line without STRUCTURED-DATA (the vault's native lines), or text that only looks like SD: read as MSG */
  missingStructuredData: 'missing-structured-data',
  /** valid RFC 5424 STRUCTURED-DATA the relay does not interpret: its text is kept in the `structuredData` field */
  structuredDataRecorded: 'structured-data-recorded',
  /** a field key the relay cannot carry as sent (a `.`, a leading `_`, longer than 64) was renamed */
  keyRenamed: 'key-renamed',
  /** secret-looking fields were replaced by [redacted] before the event left normalize */
  secretsRedacted: 'secrets-redacted',
} as const;
type EventFlag = (typeof EVENT_FLAGS)[keyof typeof EVENT_FLAGS];

/** An instant with the offset the vault wrote, so nothing about the original time is lost. */
interface EventTime {
  /** milliseconds since the Unix epoch (UTC) */
  readonly epochMs: number;
  /** offset from UTC in minutes as written by the source (-180 for `-03:00`), 0 for `Z` */
  readonly offsetMinutes: number;
  /** fraction digits beyond milliseconds (0–999 µs), kept for 6-digit timestamps */
  readonly micros: number;
  /** how many fraction digits the source wrote (0, 3 or 6 after normalization) */
  readonly fractionDigits: 0 | 3 | 6;
}

/**
 * The canonical event. `fields` holds the vault's CEF-style keys in the order the vault sent them
 * (suid, sname, suser, spid, spriv, src, dst, dhost, dpt, duser, duid, dvc, dproc, act, msg,
 * requestMethod, sourceServiceName, cs1–cs8 with labels, and any other key), values as strings.
 */
interface SecurityEvent {
  /** vault event id as written (`"1"`, `"336.501"`, `"164"`), `"0"` when the input had none */
  readonly eventId: string;
  /** event name (from the input, else the catalog, else a generic name) */
  readonly name: string;
  readonly catalogMatch: CatalogMatch;
  /** notification category from the notification options page (e.g. `Credentials`), null if none matches */
  readonly category: string | null;
  /** notification type from the notification options page (e.g. `Password Viewed`), null if none matches */
  readonly notificationType: string | null;
  /** origin code from the syslog event catalog (COSE, COSG, …, Orbit), null if unknown */
  readonly origin: string | null;
  readonly syslogSeverity: SyslogSeverity;
  readonly cefSeverity: CefSeverity;
  /** null only when no time was available at all (renderers then write NILVALUE / omit rt) */
  readonly time: EventTime | null;
  /** vault host name as sent (may be non-ASCII; renderers sanitize per format) */
  readonly host: string | null;
  /** vault application name as sent (`Segura`, `senhasegura`), null if not given */
  readonly app: string | null;
  /** vault process id as sent (string: PROCID is PRINTUSASCII, not necessarily numeric) */
  readonly pid: string | null;
  /**
   * product name the vault wrote (CEF Device Product `Segura` or `senhasegura`, or the envelope's
   * `product`), null when the input carries none; renderers use it unless the deployment sets a
   * product explicitly. Absent in events written by an older relay (read as null).
   */
  readonly product?: string | null;
  /**
   * the vault's version as it wrote it (CEF Device Version `3.27.0-4`, or the envelope's
   * `deviceVersion`), null when the input carries none; the configured version is only the fallback.
   * Absent in events written by an older relay (read as null).
   */
  readonly deviceVersion?: string | null;
  /**
   * the stable event identifier (32 hex digits, keyed HMAC of the ingest payload; model/event-uid.ts):
   * the same across retries, redrives and destinations. Absent when the event was not normalized by
   * a relay with an event id key (the CLI, events of an older relay).
   */
  readonly uid?: string;
  /** ordered vault fields; keys match `^[A-Za-z][A-Za-z0-9_.]*$` */
  readonly fields: Readonly<Record<string, string>>;
  readonly flags: readonly EventFlag[];
  readonly input: InputKind;
}

export type { CatalogMatch, CefSeverity, EventFlag, EventTime, InputKind, SecurityEvent, SyslogSeverity };
export { EVENT_FLAGS };
