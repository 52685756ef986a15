/**
 * Stable identities for deduplication and throttling. The dedup key of an alert is a hash of the
 * rule id and the canonical event (id, name, time, host, app, pid, ordered fields), NOT the SQS
 * message id: SNS may deliver one event twice under two message ids, and a redrive replays it under
 * a new one. Only hashes are stored in DynamoDB: no field value (throttle keys included) leaves the
 * function in clear.
 */
import { createHash } from 'node:crypto';
import type { SecurityEvent } from '../model/security-event.js';
import type { AlertView } from './template.js';
import { readPath } from './template.js';
import type { AlertRule } from './types.js';

function digest(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64url').slice(0, 32);
}

/**
 * Hash of what makes an event this event (flags and input kind are how it arrived, not what it is).
 * @example eventHash(e) === eventHash(structuredClone(e)) // true
 */
function eventHash(e: SecurityEvent): string {
  const t = e.time;
  return digest(
    JSON.stringify([
      e.eventId,
      e.name,
      t ? [t.epochMs, t.micros] : null,
      e.host,
      e.app,
      e.pid,
      Object.keys(e.fields).map((k) => [k, e.fields[k]]),
    ]),
  );
}

/** DynamoDB key of the per-(rule, event) dedup record. */
function dedupKey(rule: AlertRule, e: SecurityEvent): string {
  return `D#${rule.id}#${eventHash(e)}`;
}

/** Public id of an alert (chat `id`, ticket `alertId`): stable across retries, reveals nothing. */
function alertId(rule: AlertRule, e: SecurityEvent): string {
  return createHash('sha256')
    .update(`${rule.id}\n${eventHash(e)}`)
    .digest('hex')
    .slice(0, 24);
}

/**
 * DynamoDB key of the throttle window for this rule and the rule's key values (read from the
 * UNscrubbed event: two different redacted values must not share a window; only the hash is kept).
 */
function throttleKey(rule: AlertRule, rawView: AlertView): string | null {
  if (!rule.throttle) return null;
  const values = rule.throttle.key.map((p) => readPath(rawView, p));
  return `T#${rule.id}#${digest(JSON.stringify(values))}`;
}

export { alertId, dedupKey, eventHash, throttleKey };
