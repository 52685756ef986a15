/**
 * Size budget: shorten only the free text (`msg`), measured in UTF-8 bytes after escaping, at a
 * code-point boundary, never through an escape sequence (docs/formats.md §3.3).
 */
import { RenderError } from '../errors.js';

/** Appended to shortened text so a reader sees it was cut. */
const TRUNCATION_MARKER = '…';
const MARKER_BYTES = 3;

/**
 * Cut an already-escaped value to at most `maxBytes` UTF-8 bytes including the marker. Escape
 * pairs (`\x`) are atomic when `escapePairs` (CEF); surrogate pairs are never split; trailing spaces are dropped.
 */
function cutEscaped(escaped: string, maxBytes: number, escapePairs = true): string {
  const room = maxBytes - MARKER_BYTES;
  if (room <= 0) return maxBytes >= MARKER_BYTES ? TRUNCATION_MARKER : '';
  let bytes = 0;
  let i = 0;
  while (i < escaped.length) {
    const c = escaped.charCodeAt(i);
    let w: number;
    let step = 1;
    if (escapePairs && c === 0x5c && i + 1 < escaped.length) {
      w = 2; // escape pair: both ASCII
      step = 2;
    } else if (c < 0x80) w = 1;
    else if (c < 0x800) w = 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      w = 4;
      step = 2;
    } else w = 3;
    if (bytes + w > room) break;
    bytes += w;
    i += step;
  }
  return escaped.slice(0, i).trimEnd() + TRUNCATION_MARKER;
}

/**
 * An event that cannot fit the size budget, in one message form for every format: the parts other
 * than the free text plus the shortest cut text (the truncation mark; ECS writes the text twice) need
 * more bytes than the budget, or the event has no free text to shorten. The smallest budget the
 * event fits is `fixedBytes + markerBytes`, so the message states it.
 * @example new BudgetError('event 19 (cef)', 99, 100, 3).message
 * // 'event 19 (cef): needs at least 102 bytes (99 without the message text + 3 for the truncation mark "…"), over the 100-byte budget'
 */
class BudgetError extends RenderError {
  /** bytes of the event without its free text (the whole event when it has none) */
  readonly fixedBytes: number;
  readonly maxBytes: number;
  /** bytes of the shortest cut free text (0: the event has no free text) */
  readonly markerBytes: number;
  constructor(what: string, fixedBytes: number, maxBytes: number, markerBytes: number, options?: ErrorOptions) {
    super(
      markerBytes === 0
        ? `${what}: needs ${fixedBytes} bytes and has no message text to shorten, over the ${maxBytes}-byte budget`
        : `${what}: needs at least ${fixedBytes + markerBytes} bytes (${fixedBytes} without the message text + ${markerBytes} for the truncation mark "${TRUNCATION_MARKER}"), over the ${maxBytes}-byte budget`,
      options,
    );
    this.name = 'BudgetError';
    this.fixedBytes = fixedBytes;
    this.maxBytes = maxBytes;
    this.markerBytes = markerBytes;
  }
}

/**
 * Given the full line's byte length and the escaped msg value inside it, return the shortened msg
 * value that makes the line fit `maxBytes`, or throw when even an empty msg would not fit.
 */
function fitMessage(lineBytes: number, escapedMsg: string, maxBytes: number, what: string): string {
  const msgBytes = Buffer.byteLength(escapedMsg, 'utf8');
  const fixed = lineBytes - msgBytes;
  const allowed = maxBytes - fixed;
  if (allowed < MARKER_BYTES) throw new BudgetError(what, fixed, maxBytes, MARKER_BYTES);
  return cutEscaped(escapedMsg, allowed);
}

export { BudgetError, cutEscaped, fitMessage, MARKER_BYTES, TRUNCATION_MARKER };
