/**
 * The values templates see: the event scrubbed of secrets (`scrub.ts`), every value one line
 * (control characters and bidirectional overrides become spaces, so a hostile value can neither
 * forge lines in an email nor reorder what a reader sees), capped in length.
 */

import { scrubFields, scrubValue } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { formatWithOffset } from '../model/time.js';
import type { AlertView } from './template.js';
import type { AlertRule } from './types.js';

/** Longest value a template receives (characters); longer values end with `…`. */
const MAX_VALUE_CHARS = 512;

// C0/C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, LRM/RLM/ALM
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
const HAS_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** What was suppressed before this alert: count and since when. */
interface Suppression {
  readonly count: number;
  /** start of the window the suppressed alerts fell in (epoch ms) */
  readonly sinceMs: number;
}

/**
 * One line, no unsafe characters, at most MAX_VALUE_CHARS (never splitting a surrogate pair).
 * @example safeValue('a\r\nb') // 'a b'
 */
function safeValue(s: string, max = MAX_VALUE_CHARS): string {
  let v = HAS_UNSAFE.test(s) ? s.replace(UNSAFE, ' ').replace(/ {2,}/g, ' ') : s;
  v = v.trim();
  if (v.length > max) {
    let end = max - 1;
    const c = v.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    v = `${v.slice(0, end)}…`;
  }
  return v;
}

/** "10 min", "3 h", "2 d": a duration rounded up, for "+N similar in the last …". */
function formatSpan(ms: number): string {
  const min = Math.max(1, Math.ceil(ms / 60_000));
  if (min < 120) return `${min} min`;
  const h = Math.ceil(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.ceil(h / 24)} d`;
}

/**
 * The suppression note: "+12 similar in the last 10 min", or '' when nothing was suppressed.
 * @example suppressionText({ count: 12, sinceMs: now - 600_000 }, now) // '+12 similar in the last 10 min'
 */
function suppressionText(s: Suppression | null, nowMs: number): string {
  if (!s || s.count <= 0) return '';
  return `+${s.count} similar in the last ${formatSpan(nowMs - s.sinceMs)}`;
}

/**
 * Build the template view of an event for a rule. `scrub: false` (throttle keys only, which are
 * hashed and never leave the function) keeps the raw values.
 */
function buildView(
  e: SecurityEvent,
  rule: AlertRule,
  suppression: Suppression | null,
  nowMs: number,
  opts: { readonly scrub?: boolean } = {},
): AlertView {
  const scrub = opts.scrub ?? true;
  const v = (s: string | null): string => (s === null ? '' : safeValue(scrub ? scrubValue(s) : s));
  const rawFields = scrub ? scrubFields(e.fields) : e.fields;
  const fields: Record<string, string> = {};
  for (const k of Object.keys(rawFields)) fields[k] = safeValue(rawFields[k] as string);
  return {
    event: {
      eventId: v(e.eventId),
      name: v(e.name),
      category: v(e.category),
      notificationType: v(e.notificationType),
      origin: v(e.origin),
      severity: String(e.cefSeverity),
      cefSeverity: String(e.cefSeverity),
      syslogSeverity: String(e.syslogSeverity),
      severityName: SYSLOG_SEVERITY_NAMES[e.syslogSeverity],
      time: e.time ? formatWithOffset(e.time) : '',
      host: v(e.host),
      app: v(e.app),
      pid: v(e.pid),
    },
    fields,
    rule: { id: rule.id, name: rule.name, description: rule.description, level: rule.level.toUpperCase() },
    suppressed: suppressionText(suppression, nowMs),
    suppressedCount: suppression && suppression.count > 0 ? String(suppression.count) : '',
  };
}

export type { Suppression };
export { buildView, formatSpan, MAX_VALUE_CHARS, safeValue, suppressionText };
