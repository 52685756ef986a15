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

/** The parts of an event other than its free text already exceed the size budget. */
class BudgetError extends RenderError {
  readonly fixedBytes: number;
  readonly maxBytes: number;
  constructor(what: string, fixedBytes: number, maxBytes: number, options?: ErrorOptions) {
    super(`${what}: ${fixedBytes} bytes without the message text exceed the ${maxBytes}-byte budget`, options);
    this.name = 'BudgetError';
    this.fixedBytes = fixedBytes;
    this.maxBytes = maxBytes;
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
  if (allowed < MARKER_BYTES) throw new BudgetError(what, fixed, maxBytes);
  return cutEscaped(escapedMsg, allowed);
}

export { BudgetError, cutEscaped, fitMessage, TRUNCATION_MARKER };
