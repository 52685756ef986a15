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
 * Memory: a frame over `maxMessageBytes` is never buffered: it is reported as `oversize` as soon as
 * it is detected (an octet-counted frame by its MSG-LEN, before its body arrives) and its bytes are
 * skipped as they stream by. A partial frame lives in **one** buffer per connection, grown by
 * doubling as bytes arrive (never allocated up front from an announced MSG-LEN), so a peer dripping
 * one byte per TCP segment costs what it sent, not one Buffer object per read. Every deframer
 * counts what it holds (capacity plus per-buffer overhead) against a shared
 * {@link PartialFrameBudget}; a frame that would pass it is dropped and reported as `overBudget`.
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
/** First capacity of a partial-frame buffer; it doubles as bytes arrive (up to the frame's limit). */
const INITIAL_CAPACITY = 256;
/**
 * Bytes a held buffer costs beyond its capacity (the Buffer object, its ArrayBuffer and the
 * allocator's bookkeeping): measured on Node 20 as 370–510 bytes of RSS per small
 * `Buffer.allocUnsafeSlow` (100,000 buffers), so 512 is counted per partial frame.
 */
const BUFFER_OVERHEAD = 512;

/**
 * Memory budget for partial frames, shared by every connection of every listener: each deframer
 * reserves the bytes it actually holds (buffer capacity plus {@link BUFFER_OVERHEAD}) before it
 * grows, and a frame that would pass the limit is dropped (reported as `overBudget`).
 *
 * @example
 * ```ts
 * const budget = new PartialFrameBudget(16 * 2 ** 20);
 * const d = new SyslogStreamDeframer(65_536, budget);
 * d.push(Buffer.from('<13>1 - no LF yet')); // budget.held === 256 + 512
 * ```
 */
class PartialFrameBudget {
  /** the bound, in bytes */
  readonly limit: number;
  #held = 0;
  #peak = 0;

  /** @param limit - bytes (Infinity: count only) */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** bytes held now by every partial frame */
  get held(): number {
    return this.#held;
  }

  /** the most held at once since start */
  get peak(): number {
    return this.#peak;
  }

  /** Take `bytes` from the budget; false (nothing taken) when it would pass the limit. */
  reserve(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    this.#held += bytes;
    if (this.#held > this.#peak) this.#peak = this.#held;
    return true;
  }

  release(bytes: number): void {
    this.#held -= bytes;
  }
}

/** What a chunk of stream bytes produced, in order. */
type FrameEvent =
  | { readonly kind: 'message'; readonly body: Buffer; readonly framing: 'octet' | 'lf' }
  /**
   * A frame over the limit, reported once, when it is detected: `bytes` of it were received so far
   * (the rest is skipped as it streams by); `announced` is an octet-counted frame's MSG-LEN.
   */
  | { readonly kind: 'oversize'; readonly bytes: number; readonly announced?: number; readonly framing: 'octet' | 'lf' }
  /** a frame dropped because the partial-frame budget is exhausted (`bytes` received so far) */
  | { readonly kind: 'overBudget'; readonly bytes: number; readonly framing: 'octet' | 'lf' }
  | { readonly kind: 'truncated'; readonly bytes: number; readonly expected: number };

type State =
  | { s: 'start' }
  | { s: 'len'; digits: number; value: number }
  | { s: 'body'; need: number }
  | { s: 'skip'; left: number }
  | { s: 'line' }
  | { s: 'lineSkip' };

/** Per-connection deframer; see the module comment. Not reusable across connections. */
class SyslogStreamDeframer {
  readonly #max: number;
  readonly #budget: PartialFrameBudget;
  #st: State = { s: 'start' };
  /** the one buffer of the partial frame (coalesced: never one buffer per read) */
  #buf: Buffer | null = null;
  #filled = 0;
  /** bytes reserved from the budget for #buf */
  #held = 0;

  /**
   * @param maxMessageBytes - largest message kept; bigger frames are skipped and reported
   * @param budget - shared partial-frame budget @default unlimited (counting only)
   */
  constructor(maxMessageBytes: number, budget: PartialFrameBudget = new PartialFrameBudget(Number.POSITIVE_INFINITY)) {
    this.#max = maxMessageBytes;
    this.#budget = budget;
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
            this.#st = { s: 'line' };
          }
          break;
        }
        case 'len': {
          const b = chunk[i] as number;
          if (b === SP) {
            i++;
            if (st.value > this.#max) {
              // reported now, with what arrived, not when the frame ends (it may never)
              out.push({ kind: 'oversize', bytes: Math.min(st.value, n - i), announced: st.value, framing: 'octet' });
              this.#st = { s: 'skip', left: st.value };
            } else this.#st = { s: 'body', need: st.value };
          } else if (b >= 0x30 && b <= 0x39 && st.digits < MAX_LEN_DIGITS) {
            st.digits++;
            st.value = st.value * 10 + (b - 0x30);
            i++;
          } else {
            // not a MSG-LEN: the digits so far start an LF-terminated line (byte i not consumed)
            const head = Buffer.from(String(st.value), 'latin1');
            this.#st = { s: 'line' };
            if (!this.#append(head, 0, head.length, this.#max + 1)) {
              this.#dropOverBudget(head.length, 'lf', out);
              this.#st = { s: 'lineSkip' };
            }
          }
          break;
        }
        case 'body': {
          const take = Math.min(st.need - this.#filled, n - i);
          if (this.#filled === 0 && take === st.need) {
            // the whole frame in this read: no partial buffer at all
            out.push({ kind: 'message', body: Buffer.from(chunk.subarray(i, i + take)), framing: 'octet' });
            this.#st = { s: 'start' };
            i += take;
            break;
          }
          if (!this.#append(chunk, i, i + take, st.need)) {
            const left = st.need - this.#filled - take;
            this.#dropOverBudget(this.#filled + take, 'octet', out);
            this.#st = left > 0 ? { s: 'skip', left } : { s: 'start' };
            i += take;
            break;
          }
          i += take;
          if (this.#filled === st.need) {
            out.push({ kind: 'message', body: this.#take(), framing: 'octet' });
            this.#st = { s: 'start' };
          }
          break;
        }
        case 'skip': {
          const take = Math.min(st.left, n - i);
          st.left -= take;
          i += take;
          if (st.left === 0) this.#st = { s: 'start' };
          break;
        }
        case 'line': {
          const at = chunk.indexOf(LF, i);
          const end = at === -1 ? n : at;
          const len = end - i;
          if (this.#filled + len > this.#max + 1) {
            // +1: a CR before the LF does not count against the limit
            out.push({ kind: 'oversize', bytes: this.#filled + len, framing: 'lf' });
            this.#release();
            i = this.#skipRestOfLine(at, n);
            break;
          }
          if (at !== -1 && this.#filled === 0) {
            // the whole line in this read: copied out, no partial buffer
            const body = trimCr(Buffer.from(chunk.subarray(i, end)));
            this.#emitLine(body, out);
            this.#st = { s: 'start' };
            i = at + 1;
            break;
          }
          if (len > 0 && !this.#append(chunk, i, end, this.#max + 1)) {
            this.#dropOverBudget(this.#filled + len, 'lf', out);
            i = this.#skipRestOfLine(at, n);
            break;
          }
          if (at === -1) {
            i = n;
          } else {
            this.#emitLine(trimCr(this.#take()), out);
            this.#st = { s: 'start' };
            i = at + 1;
          }
          break;
        }
        case 'lineSkip': {
          const at = chunk.indexOf(LF, i);
          if (at === -1) {
            i = n;
          } else {
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
    const out: FrameEvent[] = [];
    switch (st.s) {
      case 'line':
        this.#emitLine(trimCr(this.#take()), out);
        return out;
      case 'len':
        // digits and EOF: a (short) line that happens to start with a digit
        this.#emitLine(Buffer.from(String(st.value), 'latin1'), out);
        return out;
      case 'body': {
        const filled = this.#filled;
        this.#release();
        return [{ kind: 'truncated', bytes: filled, expected: st.need }];
      }
      default:
        // an oversize or over-budget frame was reported when it was detected
        return out;
    }
  }

  /**
   * The connection is being dropped without the peer finishing (shutdown grace over, timeout,
   * reset): discard the partial frame and say how many bytes of it were held (0: between frames).
   */
  abort(): number {
    const st = this.#st;
    this.#st = { s: 'start' };
    const bytes = st.s === 'len' ? st.digits : st.s === 'line' || st.s === 'body' ? this.#filled : 0;
    this.#release();
    return bytes;
  }

  /** true between frames (nothing buffered) */
  get idle(): boolean {
    return this.#st.s === 'start';
  }

  /** bytes this connection holds for its partial frame, as counted against the budget */
  get held(): number {
    return this.#held;
  }

  /** Copy `src[start, end)` into the partial buffer, growing it within `limit` and the budget. */
  #append(src: Buffer, start: number, end: number, limit: number): boolean {
    const need = this.#filled + (end - start);
    const cap = this.#buf?.length ?? 0;
    if (need > cap) {
      // powers of two from 256 (few copies, and the same size whatever the reads' sizes), never past
      // the frame's limit; exactly `need` when the budget is tight
      let pow = Math.max(INITIAL_CAPACITY, cap);
      while (pow < need) pow *= 2;
      let newCap = Math.min(limit, pow);
      if (!this.#budget.reserve(newCap + BUFFER_OVERHEAD - this.#held)) {
        newCap = need;
        if (!this.#budget.reserve(newCap + BUFFER_OVERHEAD - this.#held)) return false;
      }
      // allocUnsafeSlow: a pooled slice would keep a whole 8 KiB pool slab alive
      const next = Buffer.allocUnsafeSlow(newCap);
      if (this.#buf !== null && this.#filled > 0) this.#buf.copy(next, 0, 0, this.#filled);
      this.#buf = next;
      this.#held = newCap + BUFFER_OVERHEAD;
    }
    src.copy(this.#buf as Buffer, this.#filled, start, end);
    this.#filled = need;
    return true;
  }

  /** Hand the partial buffer over (as a message body) and give its bytes back to the budget. */
  #take(): Buffer {
    const body = this.#buf === null ? Buffer.alloc(0) : this.#buf.subarray(0, this.#filled);
    this.#release();
    return body;
  }

  #release(): void {
    if (this.#held > 0) this.#budget.release(this.#held);
    this.#buf = null;
    this.#filled = 0;
    this.#held = 0;
  }

  #dropOverBudget(bytes: number, framing: 'octet' | 'lf', out: FrameEvent[]): void {
    this.#release();
    out.push({ kind: 'overBudget', bytes, framing });
  }

  /**
   * After a line was dropped: skip the rest of it, to its LF in this read (`at`) or, when it goes on,
   * in the reads that follow. Returns where to go on in this read (`n`: nothing left).
   */
  #skipRestOfLine(at: number, n: number): number {
    if (at === -1) {
      this.#st = { s: 'lineSkip' };
      return n;
    }
    this.#st = { s: 'start' };
    return at + 1;
  }

  #emitLine(body: Buffer, out: FrameEvent[]): void {
    if (body.length === 0) return; // blank line: keep-alive or CRLF after an octet frame
    if (body.length > this.#max) out.push({ kind: 'oversize', bytes: body.length, framing: 'lf' });
    else out.push({ kind: 'message', body, framing: 'lf' });
  }
}

function trimCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === CR ? b.subarray(0, b.length - 1) : b;
}

/**
 * One UDP datagram (RFC 5426: one message, no framing) → message bytes. A trailer of LF, CRLF and
 * NUL bytes, in any order (`msg\n`, `msg\0\0`, `msg\0\n`, `msg\r\n\0`), is a sender's addition, not
 * part of the message; everything else is kept byte for byte (a lone trailing CR too).
 */
function datagramMessage(datagram: Buffer): Buffer {
  let end = datagram.length;
  while (end > 0) {
    const b = datagram[end - 1];
    if (b === 0) end--;
    else if (b === LF) {
      end--;
      if (end > 0 && datagram[end - 1] === CR) end--;
    } else break;
  }
  return end === datagram.length ? datagram : datagram.subarray(0, end);
}

export type { FrameEvent };
export { BUFFER_OVERHEAD, datagramMessage, PartialFrameBudget, SyslogStreamDeframer };
