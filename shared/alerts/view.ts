/**
 * The values templates see: the event scrubbed of secrets (`model/secrets.ts`), every value one
 * line of visible text (`text.ts`: controls become spaces, invisible and bidirectional format
 * characters are removed, combining-mark runs collapsed, so a hostile value can neither forge lines
 * in an email, reorder what a reader sees, nor push content out of an SMS), capped in length at a
 * grapheme boundary with a visible `[truncated]`.
 *
 * Field maps have no prototype: `{{fields.constructor}}` reads a field named `constructor` (absent:
 * empty, so `| "default"` applies), never a JavaScript built-in.
 */

import { scrubFields, scrubValue } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { formatWithOffset } from '../model/time.js';
import { eventRef, idLessLayoutOf } from './event-ref.js';
import type { AlertView } from './template.js';
import { cutText, visibleText } from './text.js';
import type { AlertRule } from './types.js';

/** Longest value a template receives (UTF-16 units), unless the size budget asks for less. */
const MAX_VALUE_CHARS = 512;

/** What was suppressed before this alert: count and since when. */
interface Suppression {
  readonly count: number;
  /** start of the window the suppressed alerts fell in (epoch ms) */
  readonly sinceMs: number;
}

/**
 * One line of visible text, at most `max` UTF-16 units (cut at a grapheme boundary, ending with
 * ` [truncated]`).
 * @example safeValue('a\r\nb') // 'a b'
 */
function safeValue(s: string, max = MAX_VALUE_CHARS): string {
  return cutText(visibleText(s), max);
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

interface ViewOptions {
  /** longest value (UTF-16 units). @default MAX_VALUE_CHARS */
  readonly valueMax?: number;
  /** most fields listed by `{{fields}}` and in structured payloads. @default unlimited */
  readonly fieldsMax?: number;
}

/**
 * Build the (scrubbed) template view of an event for a rule.
 * @example buildView(e, rule, null, Date.now()).fields.suser // 'jsilva'
 */
function buildView(
  e: SecurityEvent,
  rule: AlertRule,
  suppression: Suppression | null,
  nowMs: number,
  o: ViewOptions = {},
): AlertView {
  const max = o.valueMax ?? MAX_VALUE_CHARS;
  const v = (s: string | null): string => (s === null ? '' : safeValue(scrubValue(s), max));
  const scrubbed = scrubFields(e.fields);
  const fields = Object.create(null) as Record<string, string>;
  const keys = Object.keys(scrubbed);
  const limit = Math.min(keys.length, o.fieldsMax ?? keys.length);
  for (let i = 0; i < limit; i++) {
    const k = keys[i] as string;
    fields[k] = safeValue(scrubbed[k] as string, max);
  }
  return {
    event: {
      eventId: v(e.eventId),
      ref: eventRef(e),
      layout: idLessLayoutOf(e) ?? '',
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
    fieldsOmitted: keys.length - limit,
    rule: { id: rule.id, name: rule.name, description: rule.description, level: rule.level.toUpperCase() },
    suppressed: suppressionText(suppression, nowMs),
    suppressedCount: suppression && suppression.count > 0 ? String(suppression.count) : '',
  };
}

export type { Suppression, ViewOptions };
export { buildView, formatSpan, MAX_VALUE_CHARS, safeValue, suppressionText };
