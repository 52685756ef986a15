/**
 * The relay's internal wire format on the events topic: the canonical `SecurityEvent` as JSON with
 * a version, so consumers never re-parse the vault's raw input.
 */
import { errorMessage, InvalidEventError } from '../errors.js';
import { UID_PATTERN } from './event-uid.js';
import { isPlainJson, markPlain } from './plain.js';
import type { SecurityEvent } from './security-event.js';
import { isCefSeverity, isSyslogSeverity } from './severity.js';

const WIRE_VERSION = 1;

/** @example toWire(event) // '{"v":1,"e":{"eventId":"164",…}}' */
function toWire(e: SecurityEvent): string {
  return `{"v":${WIRE_VERSION},"e":${JSON.stringify(e)}}`;
}

function bad(field: string, reason: string): never {
  throw new InvalidEventError(`wire.${field}`, reason, 'schema');
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Decode and check an internal event. Throws InvalidEventError (never retryable) when malformed. */
function fromWire(s: string): SecurityEvent {
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch (err) {
    throw new InvalidEventError('wire', `not JSON: ${errorMessage(err)}`, 'syntax');
  }
  if (typeof o !== 'object' || o === null) bad('(root)', 'not an object');
  const w = o as { v?: unknown; e?: unknown };
  if (w.v !== WIRE_VERSION) bad('v', `unsupported wire version ${JSON.stringify(w.v)}`);
  const e = w.e as Record<string, unknown> | null;
  if (typeof e !== 'object' || e === null) bad('e', 'missing event');
  if (!isStr(e.eventId) || e.eventId === '') bad('eventId', 'missing');
  if (!isStr(e.name)) bad('name', 'missing');
  if (!isSyslogSeverity(e.syslogSeverity)) bad('syslogSeverity', 'not 0–7');
  if (!isCefSeverity(e.cefSeverity)) bad('cefSeverity', 'not 0–10');
  for (const k of ['category', 'notificationType', 'origin', 'host', 'app', 'pid'] as const) {
    if (!isStrOrNull(e[k])) bad(k, 'must be a string or null');
  }
  // optional: absent in events of an older relay
  for (const k of ['product', 'deviceVersion'] as const) {
    if (e[k] !== undefined && !isStrOrNull(e[k])) bad(k, 'must be a string or null when present');
  }
  if (e.uid !== undefined && !(isStr(e.uid) && UID_PATTERN.test(e.uid)))
    bad('uid', 'must be 32 hex digits when present');
  const t = e.time as Record<string, unknown> | null;
  if (t !== null && (typeof t !== 'object' || typeof t.epochMs !== 'number' || typeof t.offsetMinutes !== 'number')) {
    bad('time', 'malformed');
  }
  const f = e.fields as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null) bad('fields', 'missing');
  for (const k in f) if (!isStr(f[k])) bad(`fields.${k.slice(0, 40)}`, 'not a string');
  if (!Array.isArray(e.flags)) bad('flags', 'missing');
  if (isPlainJson(s)) markPlain(f);
  return e as unknown as SecurityEvent;
}

export { fromWire, toWire, WIRE_VERSION };
