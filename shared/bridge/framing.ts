/**
 * Receiving side of syslog over TCP/TLS (RFC 6587 §3.4, RFC 5425 §4.3), as the bridge needs it:
 * bounded memory, never loses sync, and auto-detects the framing **per frame** the way rsyslog's
 * imtcp does: a frame that starts with a digit is octet-counted (`MSG-LEN SP SYSLOG-MSG`), anything
 * else is non-transparent framing terminated by LF (a syslog message always starts with `<`, a CEF
 * line with `C`).
 *
 * Unlike the strict decoders of the local test receiver (`local/syslog-receiver.ts`), this one is
 * lenient, because the vault and `logger`/`nc` are not all strict senders:
 * - digits not followed by SP (or more than 9 digits) are not a MSG-LEN: the frame is read as an
 *   LF-terminated line from its first byte, so nothing is lost;
 * - an LF-terminated line loses a trailing CR (CRLF senders); blank lines (keep-alives) are skipped;
 * - at end of stream, an unterminated line is still a message (`printf '<13>1 …' | nc host port`);
 *   an octet-counted frame cut short is reported as `truncated`.
 *
 * A frame over `maxMessageBytes` is never buffered: its bytes are skipped and it is reported as
 * `oversize`, so one connection holds at most `maxMessageBytes` in memory.
 *
 * @example
 * ```ts
 * const d = new SyslogStreamDeframer(65_536);
 * d.push(Buffer.from('15 <13>1 - José\n<13>1 - b\n')); // [{kind:'message', …'<13>1 - José'}, {kind:'message', …'<13>1 - b'}]
 * ```
 */

const SP = 0x20;
const LF = 0x0a;
const CR = 0x0d;
/** 9 digits: up to 999,999,999 bytes; longer digit runs are not a MSG-LEN. */
const MAX_LEN_DIGITS = 9;

/** What a chunk of stream bytes produced, in order. */
type FrameEvent =
  | { readonly kind: 'message'; readonly body: Buffer; readonly framing: 'octet' | 'lf' }
  | { readonly kind: 'oversize'; readonly bytes: number; readonly framing: 'octet' | 'lf' }
  | { readonly kind: 'truncated'; readonly bytes: number; readonly expected: number };

type State =
  | { s: 'start' }
  | { s: 'len'; digits: number; value: number }
  | { s: 'body'; buf: Buffer; filled: number }
  | { s: 'skip'; left: number; total: number }
  | { s: 'line'; parts: Buffer[]; bytes: number }
  | { s: 'lineSkip'; bytes: number };

/** Per-connection deframer; see the module comment. Not reusable across connections. */
class SyslogStreamDeframer {
  readonly #max: number;
  #st: State = { s: 'start' };

  /** @param maxMessageBytes - largest message kept; bigger frames are skipped and reported */
  constructor(maxMessageBytes: number) {
    this.#max = maxMessageBytes;
  }

  /** Decode what `chunk` completes. Never throws. */
  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const st = this.#st;
      switch (st.s) {
        case 'start': {
          const b = chunk[i] as number;
          if (b >= 0x31 && b <= 0x39) {
            this.#st = { s: 'len', digits: 1, value: b - 0x30 };
            i++;
          } else {
            this.#st = { s: 'line', parts: [], bytes: 0 };
          }
          break;
        }
        case 'len': {
          const b = chunk[i] as number;
          if (b === SP) {
            i++;
            if (st.value > this.#max) this.#st = { s: 'skip', left: st.value, total: st.value };
            else this.#st = { s: 'body', buf: Buffer.allocUnsafe(st.value), filled: 0 };
          } else if (b >= 0x30 && b <= 0x39 && st.digits < MAX_LEN_DIGITS) {
            st.digits++;
            st.value = st.value * 10 + (b - 0x30);
            i++;
          } else {
            // not a MSG-LEN: the digits so far start an LF-terminated line (byte i not consumed)
            const head = Buffer.from(String(st.value), 'latin1');
            this.#st = { s: 'line', parts: [head], bytes: head.length };
          }
          break;
        }
        case 'body': {
          const take = Math.min(st.buf.length - st.filled, n - i);
          chunk.copy(st.buf, st.filled, i, i + take);
          st.filled += take;
          i += take;
          if (st.filled === st.buf.length) {
            out.push({ kind: 'message', body: st.buf, framing: 'octet' });
            this.#st = { s: 'start' };
          }
          break;
        }
        case 'skip': {
          const take = Math.min(st.left, n - i);
          st.left -= take;
          i += take;
          if (st.left === 0) {
            out.push({ kind: 'oversize', bytes: st.total, framing: 'octet' });
            this.#st = { s: 'start' };
          }
          break;
        }
        case 'line': {
          const at = chunk.indexOf(LF, i);
          const end = at === -1 ? n : at;
          const len = end - i;
          if (st.bytes + len > this.#max + 1) {
            // +1: a CR before the LF does not count against the limit
            if (at === -1) {
              this.#st = { s: 'lineSkip', bytes: st.bytes + len };
              i = n;
            } else {
              out.push({ kind: 'oversize', bytes: st.bytes + len, framing: 'lf' });
              this.#st = { s: 'start' };
              i = at + 1;
            }
            break;
          }
          if (len > 0) {
            // copy: the chunk may be a slice of a pooled buffer that the socket reuses
            st.parts.push(Buffer.from(chunk.subarray(i, end)));
            st.bytes += len;
          }
          if (at === -1) {
            i = n;
          } else {
            this.#emitLine(st, out);
            this.#st = { s: 'start' };
            i = at + 1;
          }
          break;
        }
        case 'lineSkip': {
          const at = chunk.indexOf(LF, i);
          if (at === -1) {
            st.bytes += n - i;
            i = n;
          } else {
            out.push({ kind: 'oversize', bytes: st.bytes + (at - i), framing: 'lf' });
            this.#st = { s: 'start' };
            i = at + 1;
          }
          break;
        }
      }
    }
    return out;
  }

  /** The peer closed the stream: flush an unterminated line, report a frame cut short. */
  end(): FrameEvent[] {
    const st = this.#st;
    this.#st = { s: 'start' };
    switch (st.s) {
      case 'line': {
        const out: FrameEvent[] = [];
        this.#emitLine(st, out);
        return out;
      }
      case 'len': {
        // digits and EOF: a (short) line that happens to start with a digit
        const out: FrameEvent[] = [];
        const head = Buffer.from(String(st.value), 'latin1');
        this.#emitLine({ parts: [head], bytes: head.length }, out);
        return out;
      }
      case 'body':
        return [{ kind: 'truncated', bytes: st.filled, expected: st.buf.length }];
      case 'skip':
        return [{ kind: 'oversize', bytes: st.total, framing: 'octet' }];
      case 'lineSkip':
        return [{ kind: 'oversize', bytes: st.bytes, framing: 'lf' }];
      default:
        return [];
    }
  }

  /** true between frames (nothing buffered) */
  get idle(): boolean {
    return this.#st.s === 'start';
  }

  #emitLine(st: { parts: Buffer[]; bytes: number }, out: FrameEvent[]): void {
    let body = st.parts.length === 1 ? (st.parts[0] as Buffer) : Buffer.concat(st.parts, st.bytes);
    if (body.length > 0 && body[body.length - 1] === CR) body = body.subarray(0, body.length - 1);
    if (body.length === 0) return; // blank line: keep-alive or CRLF after an octet frame
    if (body.length > this.#max) out.push({ kind: 'oversize', bytes: body.length, framing: 'lf' });
    else out.push({ kind: 'message', body, framing: 'lf' });
  }
}

/**
 * One UDP datagram (RFC 5426: one message, no framing) → message bytes. Trailing LF, CRLF and NUL
 * bytes (and one LF or CRLF) are a sender's trailer, not part of the message (some senders append them); everything
 * else is kept byte for byte.
 */
function datagramMessage(datagram: Buffer): Buffer {
  let end = datagram.length;
  while (end > 0 && datagram[end - 1] === 0) end--;
  if (end > 0 && datagram[end - 1] === LF) {
    end--;
    if (end > 0 && datagram[end - 1] === CR) end--;
  }
  return end === datagram.length ? datagram : datagram.subarray(0, end);
}

export type { FrameEvent };
export { datagramMessage, SyslogStreamDeframer };
