/**
 * The one entry point from a raw payload (an SQS body, a CLI input line) to a `SecurityEvent`.
 * The parse layer is the only place that throws `InvalidEventError`.
 */
import { errorMessage, InvalidEventError } from '../errors.js';
import { normalize } from '../model/normalize.js';
import { isPlainJson } from '../model/plain.js';
import type { SecurityEvent } from '../model/security-event.js';
import { parseCef } from './cef-line.js';
import { parseEnvelopeObject } from './envelope.js';
import { parseSyslogLine } from './syslog-line.js';

/** SQS's maximum message size; larger inputs are rejected as `oversize`. */
const DEFAULT_MAX_INPUT_BYTES = 262_144;

interface ParseOptions {
  /** instant to use when the input carries no time (flagged `timestamp-defaulted`) */
  readonly receivedAtMs?: number;
  /** @default 262144 (SQS maximum message size) */
  readonly maxInputBytes?: number;
}

/**
 * Parse one payload: a JSON envelope (`{…}`), an RFC 5424 / BSD syslog line (`<PRI>…`), or a bare
 * CEF line (`CEF:0|…`). Throws `InvalidEventError` with the field and reason.
 * @example parseInput('{"id":"1","fields":{"suser":"jsilva"}}').name // 'Password Viewed'
 */
function parseInput(payload: string, opts: ParseOptions = {}): SecurityEvent {
  const max = opts.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  // cheap upper bound first: UTF-16 length × 3 ≥ UTF-8 bytes
  if (payload.length * 3 > max && Buffer.byteLength(payload, 'utf8') > max) {
    throw new InvalidEventError(
      '(payload)',
      `${Buffer.byteLength(payload, 'utf8')} bytes exceeds the ${max}-byte limit`,
      'oversize',
    );
  }
  const s = payload.charCodeAt(0) === 0xfeff ? payload.slice(1) : payload;
  const first = s.trimStart();
  const norm = { receivedAtMs: opts.receivedAtMs };
  if (first.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(first);
    } catch (e) {
      throw new InvalidEventError('(payload)', `invalid JSON: ${errorMessage(e)}`, 'syntax');
    }
    return normalize(parseEnvelopeObject(v, isPlainJson(first)), norm);
  }
  const line = first.replace(/[\r\n]+$/, '');
  if (line.startsWith('<')) return normalize(parseSyslogLine(line, opts.receivedAtMs), norm);
  if (line.startsWith('CEF:')) {
    return normalize(
      parseCef(line, 0, {
        input: 'cef',
        syslogSeverity: null,
        time: null,
        host: null,
        app: null,
        pid: null,
        flags: [],
      }),
      norm,
    );
  }
  if (line === '') throw new InvalidEventError('(payload)', 'empty payload', 'syntax');
  throw new InvalidEventError(
    '(payload)',
    `not a JSON envelope, syslog line or CEF line (starts with ${JSON.stringify(line.slice(0, 12))})`,
    'syntax',
  );
}

export type { ParseOptions };
export { DEFAULT_MAX_INPUT_BYTES, parseInput };
