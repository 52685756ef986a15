/**
 * Identities for deduplication, throttling and the ids an alert carries out of the relay.
 *
 * Every identifier is a **keyed** hash (HMAC-SHA-256) under a per-deployment secret (`IdKey`,
 * generated at deploy in Secrets Manager and read once at cold start): `alertId`, the chat
 * `metadata.threadId`, the summary ids, and the DynamoDB keys. Without the key, a published id
 * cannot be recomputed from a guess of the event (an unsalted hash of a ticket's visible fields
 * plus a dictionary of passwords would recover a redacted value).
 *
 * - The dedup key hashes the canonical event: id, name, time, host, app, pid and its fields
 *   **sorted by key**, so the same event with its fields in another order is the same event.
 * - The throttle key hashes the rule, the event id (a different event never shares a window) and
 *   the rule's key values read from the **raw** event, exactly (no cut at 512 characters, no
 *   character removed), so two values that differ only after normalization never share a window.
 *   A key field whose name or label looks secret contributes a constant instead of its value.
 *
 * Values a suppression summary must list later are stored **sealed** (AES-256-GCM under a key
 * derived from the same secret, with a deterministic nonce so equal values seal equally and a
 * DynamoDB string set keeps them distinct): no event value is stored in clear.
 * @see https://www.rfc-editor.org/rfc/rfc2104 (HMAC)
 * @see https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { REDACTED, secretField } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { formatWithOffset } from '../model/time.js';
import { eventRef, idLessLayoutOf } from './event-ref.js';
import { own } from './template.js';
import type { AlertRule, EventProp, ValuePath } from './types.js';

/** Shortest secret accepted (characters): the stack generates 64. */
const MIN_SECRET_LENGTH = 32;

/** The secret is too short or absent. */
class IdKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdKeyError';
  }
}

/** The per-deployment identity key. @example const k = new IdKey(secretString); k.hash('x') */
class IdKey {
  private readonly mac: Buffer;
  private readonly seal: Buffer;
  private readonly nonce: Buffer;

  constructor(secret: string) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)
      throw new IdKeyError(`the alert id secret must be at least ${MIN_SECRET_LENGTH} characters`);
    const ikm = Buffer.from(secret, 'utf8');
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', ikm, 'segura-relay/alerts', info, 32));
    this.mac = derive('id');
    this.seal = derive('seal');
    this.nonce = derive('seal-nonce');
  }

  /** A random key (the dry run: nothing it computes leaves the machine). */
  static random(): IdKey {
    return new IdKey(randomBytes(48).toString('base64url'));
  }

  /** HMAC-SHA-256 of `s`, base64url, 32 characters (192 bits). */
  hash(s: string): string {
    return createHmac('sha256', this.mac).update(s, 'utf8').digest('base64url').slice(0, 32);
  }

  /** HMAC-SHA-256 of `s`, hex, 24 characters: the public `alertId` form. */
  hex(s: string): string {
    return createHmac('sha256', this.mac).update(s, 'utf8').digest('hex').slice(0, 24);
  }

  /** Encrypt `plain` (deterministically: equal inputs give equal outputs). */
  sealText(plain: string): string {
    const data = Buffer.from(plain, 'utf8');
    const iv = createHmac('sha256', this.nonce).update(data).digest().subarray(0, 12);
    const c = createCipheriv('aes-256-gcm', this.seal, iv);
    const body = Buffer.concat([c.update(data), c.final()]);
    return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url');
  }

  /** Decrypt what `sealText` produced; throws on tampering or another key. */
  openText(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 28) throw new IdKeyError('sealed value too short');
    const d = createDecipheriv('aes-256-gcm', this.seal, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  }
}

/**
 * Keyed hash of what makes an event this event (flags and input kind are how it arrived, not what
 * it is); fields are sorted, so their order does not matter.
 * @example eventHash(k, e) === eventHash(k, structuredClone(e)) // true
 */
function eventHash(key: IdKey, e: SecurityEvent): string {
  const t = e.time;
  const names = Object.keys(e.fields).sort();
  return key.hash(
    JSON.stringify([
      e.eventId,
      e.name,
      t ? [t.epochMs, t.micros] : null,
      e.host,
      e.app,
      e.pid,
      names.map((k) => [k, e.fields[k]]),
    ]),
  );
}

/** DynamoDB key of the per-(rule, event) dedup record. */
function dedupKey(key: IdKey, rule: AlertRule, e: SecurityEvent): string {
  return `D#${rule.id}#${eventHash(key, e)}`;
}

/** Public id of an alert (chat `id`, ticket `alertId`): stable across retries, unguessable. */
function alertId(key: IdKey, rule: AlertRule, e: SecurityEvent): string {
  return key.hex(`alert\n${rule.id}\n${eventHash(key, e)}`);
}

/** An event property exactly as the event has it ('' when absent). */
function rawEventValue(e: SecurityEvent, name: EventProp): string {
  switch (name) {
    case 'severity':
    case 'cefSeverity':
      return String(e.cefSeverity);
    case 'syslogSeverity':
    case 'severityName':
      return String(e.syslogSeverity);
    case 'time':
      return e.time ? formatWithOffset(e.time) : '';
    case 'ref':
      return eventRef(e);
    case 'layout':
      return idLessLayoutOf(e) ?? '';
    default:
      return e[name] ?? '';
  }
}

/** A throttle-key value from the raw event; a field whose name or label is secret counts as a constant. */
function rawKeyValue(e: SecurityEvent, p: ValuePath): string {
  if (p.root === 'event') return rawEventValue(e, p.name);
  if (p.root === 'fields' && p.name !== null) return secretField(e.fields, p.name) ? REDACTED : own(e.fields, p.name);
  return '';
}

/**
 * DynamoDB key of the throttle window for this rule, this event id and the rule's key values, read
 * from the raw event (only the keyed hash is stored). Null when the rule has no throttle.
 */
function throttleKey(key: IdKey, rule: AlertRule, e: SecurityEvent): string | null {
  if (!rule.throttle) return null;
  const values = rule.throttle.key.map((p) => rawKeyValue(e, p));
  return `T#${rule.id}#${key.hash(JSON.stringify([e.eventId, values]))}`;
}

/** The chat thread of a throttle key (similar alerts thread together): its hash part. */
function threadOf(throttle: string): string {
  return throttle.slice(throttle.lastIndexOf('#') + 1);
}

export { alertId, dedupKey, eventHash, IdKey, IdKeyError, MIN_SECRET_LENGTH, rawKeyValue, threadOf, throttleKey };
