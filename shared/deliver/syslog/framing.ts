/**
 * Syslog-over-stream framing (RFC 6587 §3.4; RFC 5425 §4.3 uses the same octet counting for TLS).
 * Pure functions, no I/O: each returns the exact bytes to put on the wire.
 *
 * @example
 * ```ts
 * frameOctetCounted('<134>1 - José'); // Buffer "15 <134>1 - José" (15 = UTF-8 bytes, not 14 chars)
 * frameLf('<134>1 - hello');          // Buffer "<134>1 - hello\n"
 * ```
 */
import { RenderError } from '../../errors.js';

/**
 * Framing methods for TCP/TLS.
 * - `octet`: `MSG-LEN SP SYSLOG-MSG` (RFC 6587 §3.4.1, RFC 5425 §4.3). Safe for any payload; the only
 *   method syslog-ng's `syslog()` source accepts.
 * - `lf`: non-transparent framing with an LF trailer (RFC 6587 §3.4.2). Breaks if MSG contains LF.
 */
const Framing = {
  octet: 'octet',
  lf: 'lf',
} as const;
type Framing = (typeof Framing)[keyof typeof Framing];

const LF = 0x0a;

/**
 * RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN = the UTF-8 **byte** length of the
 * message, no leading zeros, no trailer. One allocation per frame, no per-character work.
 *
 * Counting characters instead of bytes (`'José'.length === 4`, 5 bytes) cuts the frame short and makes
 * the collector read the next header from the middle of a message (docs/formats.md §3.1: syslog-ng drops
 * the connection, go-syslog reports `expecting a MSGLEN`).
 *
 * @param payload - the rendered message; must be non-empty (MSG-LEN is `NONZERO-DIGIT *DIGIT`)
 * @throws {RenderError} when `payload` is empty
 * @example
 * ```ts
 * frameOctetCounted('😀').toString(); // '4 😀'
 * ```
 */
function frameOctetCounted(payload: string): Buffer {
  const msgLen = Buffer.byteLength(payload, 'utf8');
  if (msgLen === 0) {
    // MSG-LEN = NONZERO-DIGIT *DIGIT: a "0 " header is not a valid frame for strict receivers.
    throw new RenderError('octet-counted framing: empty payload (RFC 6587 §3.4.1 MSG-LEN must be non-zero)');
  }
  const header = `${msgLen} `;
  // The header is ASCII digits + SP, so its string length equals its byte length.
  const frame = Buffer.allocUnsafe(header.length + msgLen);
  frame.write(header, 0, 'latin1');
  frame.write(payload, header.length, 'utf8');
  return frame;
}

/**
 * RFC 6587 §3.4.2 non-transparent framing with an LF trailer: `SYSLOG-MSG LF`.
 *
 * An LF inside the payload would split one event into two records on the collector (and lets an
 * attacker-controlled field forge a second record), so it is refused instead of escaped: escaping is
 * the renderer's job and an LF here means a renderer bug.
 *
 * @throws {RenderError} when `payload` contains LF (non-retryable: quarantine the item)
 * @example
 * ```ts
 * frameLf('a\nb'); // throws RenderError: LF framing: payload contains LF at byte 1 …
 * ```
 */
function frameLf(payload: string): Buffer {
  const msgLen = Buffer.byteLength(payload, 'utf8');
  const frame = Buffer.allocUnsafe(msgLen + 1);
  frame.write(payload, 0, 'utf8');
  frame[msgLen] = LF;
  // Search the encoded bytes (native memchr) rather than the string: one pass, and the reported
  // offset is in bytes like everything else on the wire. UTF-8 never uses 0x0a inside a multi-byte
  // sequence, so a byte hit is always a real LF. The trailer guarantees a hit.
  const at = frame.indexOf(LF);
  if (at < msgLen) {
    throw new RenderError(
      `LF framing: payload contains LF at byte ${at}; it would split the record (RFC 6587 §3.4.2). ` +
        'The renderer must escape LF; use octet-counting framing for payloads that may contain it',
    );
  }
  return frame;
}

/**
 * Frame one payload with the selected method.
 *
 * @throws {RenderError} see {@link frameOctetCounted} and {@link frameLf}
 */
function frame(payload: string, framing: Framing): Buffer {
  return framing === Framing.lf ? frameLf(payload) : frameOctetCounted(payload);
}

export { Framing, frame, frameLf, frameOctetCounted };
