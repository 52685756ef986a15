/**
 * The stable event identifier (`uid`): the same for one ingest message across SQS retries, DLQ
 * redrives (to the same or a new queue) and every destination, so a SIEM can remove the duplicates
 * that at-least-once delivery allows (README "Deduplicating on the event id").
 *
 * **What it is computed from: the content, never the SQS message.** The `MessageId`, the
 * `SentTimestamp` and a FIFO `MessageDeduplicationId` all change when a message is sent again
 * (`segura-relay redrive` sends a copy with the DLQ message's id as its deduplication id; a DLQ
 * parking sends a new message), so none of them can identify an event. The uid is an HMAC of:
 * - the ingest payload exactly as received (the SQS body, or the message inside an SNS
 *   notification), as UTF-8 bytes: the vault's line, with its own time, host and fields;
 * - the host and the instant the relay read from it (a JSON envelope may carry them in another
 *   spelling; a time the relay stamped itself, `timestamp-defaulted`, is left out because it is the
 *   receive time of one copy, and so is one whose year or zone it inferred, `timestamp-inferred`:
 *   its text is in the payload already).
 * Two byte-identical payloads without a time of their own therefore share a uid: they cannot be told
 * apart by content, and the vault writes a time into every event it sends.
 *
 * **Keyed**, so the uid reveals nothing: an unkeyed hash of a short line could be confirmed by
 * guessing the line. The key is a per-deployment Secrets Manager secret of its own
 * (infra/constructs/event-id-key.ts), read once at cold start by normalize only. 128 bits, hex.
 * @see https://www.rfc-editor.org/rfc/rfc2104 (HMAC)
 * @see https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { EVENT_FLAGS, type SecurityEvent } from './security-event.js';

/** Shortest secret accepted (characters): the stack generates 64. */
const MIN_EVENT_ID_SECRET_LENGTH = 32;
/** A uid: 32 lower-case hex digits (128 bits of HMAC-SHA-256). */
const UID_PATTERN = /^[0-9a-f]{32}$/;

/** The secret is too short or absent. */
class EventIdKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventIdKeyError';
  }
}

/** The per-deployment key of event uids. @example eventUid(new EventIdKey(secret), payload, event) */
class EventIdKey {
  private readonly mac: Buffer;

  constructor(secret: string) {
    if (typeof secret !== 'string' || secret.length < MIN_EVENT_ID_SECRET_LENGTH)
      throw new EventIdKeyError(`the event id secret must be at least ${MIN_EVENT_ID_SECRET_LENGTH} characters`);
    this.mac = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'segura-relay/events', 'event-uid', 32));
  }

  /** HMAC-SHA-256 of `parts` (length-prefixed, so no two part lists collide), 32 hex digits. */
  digest(parts: readonly string[]): string {
    const h = createHmac('sha256', this.mac);
    for (const p of parts) {
      const b = Buffer.from(p, 'utf8');
      h.update(`${b.length}:`);
      h.update(b);
    }
    return h.digest('hex').slice(0, 32);
  }
}

/**
 * The uid of the event parsed from `payload`.
 * @example eventUid(key, line, parseInput(line)) === eventUid(key, line, parseInput(line, { receivedAtMs: later }))
 */
function eventUid(key: EventIdKey, payload: string, e: SecurityEvent): string {
  // a stamped time is one copy's receive time; an inferred one depends on it (its year): both out
  const own =
    e.time !== null &&
    !e.flags.includes(EVENT_FLAGS.timestampDefaulted) &&
    !e.flags.includes(EVENT_FLAGS.timestampInferred);
  return key.digest(['v1', payload, e.host ?? '', own && e.time !== null ? String(e.time.epochMs) : '']);
}

/** The event with its uid. */
function withUid(key: EventIdKey, payload: string, e: SecurityEvent): SecurityEvent {
  return { ...e, uid: eventUid(key, payload, e) };
}

export { EventIdKey, EventIdKeyError, eventUid, MIN_EVENT_ID_SECRET_LENGTH, UID_PATTERN, withUid };
