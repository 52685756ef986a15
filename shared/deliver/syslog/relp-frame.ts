/**
 * RELP (Reliable Event Logging Protocol) wire format: frame encoder, a streaming frame decoder with
 * bounded memory, and the parsers for `rsp` data and session offers. Pure functions and classes, no
 * I/O; the session logic lives in `relp-transport.ts` (client) and `local/relp-receiver.ts` (server
 * double).
 *
 * Grammar, from the RELP specification (https://github.com/rsyslog/librelp/blob/master/doc/relp.md,
 * formerly doc/relp.html) and what librelp 1.11 actually sends and accepts
 * (https://github.com/rsyslog/librelp/blob/master/src/relpframe.c, scrsp.c, offers.c):
 *
 * ```abnf
 * RELP-FRAME = HEADER DATA TRAILER
 * HEADER     = TXNR SP COMMAND SP DATALEN
 * DATA       = [SP 1*OCTET]    ; present only when DATALEN > 0: "2 close 0" LF has no SP after 0
 * TRAILER    = LF              ; catches framing errors: the byte after DATA must be LF
 * TXNR       = NUMBER          ; 1 … 999,999,999 then back to 1; 0 is reserved for hints
 * COMMAND    = 1*32ALPHA       ; client: open, syslog, close; server: rsp, and the hint serverclose
 * DATALEN    = NUMBER          ; octets of DATA, excluding the SP before it and the TRAILER
 * NUMBER     = 1*9DIGIT
 *
 * RSP-DATA   = RSP-CODE [SP HUMANMSG] [LF CMDDATA]   ; data of a "rsp" frame
 * RSP-CODE   = 3DIGIT          ; 200 = OK; "all the rest currently errors" (500 in practice)
 * HUMANMSG   = *OCTET          ; no LF; librelp reads at most 80 octets of it
 * CMDDATA    = *OCTET          ; for the rsp to "open": the server's offers
 *
 * OFFERS     = OFFER *(LF OFFER)                      ; data of "open" and of its rsp's CMDDATA
 * OFFER      = FEATURENAME ["=" VALUE *("," VALUE)]   ; relp_version=0, commands=syslog, relp_software=…
 * ```
 *
 * librelp answers `close` with an *empty* rsp (`N rsp 0` LF, no code at all), and it speaks
 * `relp_version=0` (librelp's RELP_CURR_PROTOCOL_VERSION) although the specification calls its
 * version 1; both are accepted here.
 *
 * @example
 * ```ts
 * encodeFrame(1, 'open', offersToString([['relp_version', ['0']], ['commands', ['syslog']]]));
 * const decoder = new RelpFrameDecoder({ maxDataBytes: 128 * 1024 });
 * for (const f of decoder.push(chunk)) if (f.command === 'rsp') parseRsp(f.data); // { code: 200, text: 'OK' … }
 * ```
 */
import { PipelineError } from '../../errors.js';

/** Largest TXNR; the next one after it is 1 (TXNR 0 is for hints). */
const MAX_TXNR = 999_999_999;
/** NUMBER = 1*9DIGIT. */
const MAX_DIGITS = 9;
/** COMMAND = 1*32ALPHA. */
const MAX_COMMAND = 32;
/**
 * RELP version 1 fixes the largest DATALEN at 128 KiB (the specification's "DATALEN" section and
 * librelp's RELP_DFLT_MAX_DATA_SIZE).
 */
const RELP_MAX_DATA_BYTES = 128 * 1024;

const SP = 0x20;
const LF = 0x0a;

/** What a decoder or parser found wrong; the stream cannot be resynchronised after it. */
const RelpErrorCode = {
  /** TXNR missing, not 1–9 digits, or not followed by SP */
  txnr: 'txnr',
  /** COMMAND empty, longer than 32, not ALPHA, or not followed by SP */
  command: 'command',
  /** DATALEN not 1–9 digits, or followed by neither SP (data) nor LF (no data) */
  datalen: 'datalen',
  /** DATALEN over the receiver's limit */
  tooLong: 'too-long',
  /** the octet after DATA is not LF */
  trailer: 'trailer',
  /** `rsp` data not `3DIGIT [SP text] [LF data]` */
  rsp: 'rsp',
  /** offers without a usable relp_version or without the syslog command */
  offers: 'offers',
} as const;
type RelpErrorCode = (typeof RelpErrorCode)[keyof typeof RelpErrorCode];

/** A RELP peer broke the protocol. Retryable: a new session may work (the peer may have restarted). */
class RelpProtocolError extends PipelineError {
  declare readonly code: RelpErrorCode;
  constructor(code: RelpErrorCode, message: string, options?: ErrorOptions) {
    super(`RELP protocol error (${code}): ${message}`, true, { ...options, code });
    this.name = 'RelpProtocolError';
  }
}

/** One decoded frame. `data` is a copy owned by the caller (never a view into a socket chunk). */
interface RelpFrame {
  readonly txnr: number;
  readonly command: string;
  readonly data: Buffer;
}

/** The data of a `rsp` frame. */
interface RelpResponse {
  /** RSP-CODE; undefined for librelp's empty answer to `close` */
  readonly code: number | undefined;
  /** HUMANMSG (e.g. `OK`, `command disabled`), empty when absent */
  readonly text: string;
  /** CMDDATA after the first LF (the offers, for `open`), empty when absent */
  readonly body: string;
}

/** TXNR after `txnr`: 1 … 999,999,999, then 1 again (0 stays reserved for hints). */
function nextTxnr(txnr: number): number {
  return txnr >= MAX_TXNR ? 1 : txnr + 1;
}

/**
 * `TXNR SP COMMAND SP DATALEN [SP DATA] LF` as one buffer.
 *
 * @throws {RangeError} on a TXNR or command outside the grammar (a bug in the caller)
 * @example
 * ```ts
 * encodeFrame(3, 'close').toString(); // '3 close 0\n'
 * ```
 */
function encodeFrame(txnr: number, command: string, data: Buffer | string = ''): Buffer {
  if (!Number.isInteger(txnr) || txnr < 0 || txnr > MAX_TXNR) throw new RangeError(`RELP TXNR out of range: ${txnr}`);
  if (!/^[A-Za-z]{1,32}$/.test(command)) throw new RangeError(`RELP command not 1*32ALPHA: ${JSON.stringify(command)}`);
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (body.length > 999_999_999) throw new RangeError(`RELP DATALEN over 9 digits: ${body.length}`);
  // No SP after DATALEN when there is no data: librelp rejects "0 " (relpframe.c, IN_DATALEN state).
  const head = body.length > 0 ? `${txnr} ${command} ${body.length} ` : `${txnr} ${command} 0`;
  // the header is ASCII, so its string length equals its byte length
  const out = Buffer.allocUnsafe(head.length + body.length + 1);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  out[out.length - 1] = LF;
  return out;
}

/**
 * A `syslog` command carrying `message` (already UTF-8), built in one allocation: the transport's
 * hot path.
 */
function encodeSyslog(txnr: number, message: Buffer): Buffer {
  const head = `${txnr} syslog ${message.length} `;
  const out = Buffer.allocUnsafe(head.length + message.length + 1);
  out.write(head, 0, 'latin1');
  message.copy(out, head.length);
  out[out.length - 1] = LF;
  return out;
}

const State = { txnr: 0, command: 1, datalen: 2, data: 3, trailer: 4 } as const;
type State = (typeof State)[keyof typeof State];

/** Printable rendering of one offending octet, for error messages. */
function shown(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Options for {@link RelpFrameDecoder}. */
interface RelpFrameDecoderOptions {
  /**
   * Largest DATALEN accepted; a bigger one is an error *before* anything is allocated for it, so a
   * hostile peer announcing 999,999,999 octets costs nothing.
   * @default 131_072 (RELP version 1's fixed maximum)
   */
  readonly maxDataBytes?: number;
}

/**
 * Streaming RELP frame decoder. Feed it socket chunks in order; it returns the frames each chunk
 * completes. Memory is bounded by one frame: the header is parsed octet by octet into numbers (never
 * buffered), DATA is copied into one buffer of exactly DATALEN octets. After the first error every
 * later `push` throws the same error: a RELP stream cannot be resynchronised, the connection must go.
 *
 * @example
 * ```ts
 * const d = new RelpFrameDecoder();
 * d.push(Buffer.from('1 rsp 6 200'));   // []
 * d.push(Buffer.from(' OK\n2 rsp 6 2')); // [{ txnr: 1, command: 'rsp', data: <'200 OK'> }]
 * ```
 */
class RelpFrameDecoder {
  readonly #maxData: number;
  #state: State = State.txnr;
  #number = 0;
  #digits = 0;
  #command = '';
  #txnr = 0;
  #data: Buffer = Buffer.alloc(0);
  #filled = 0;
  /** octets consumed so far, for error positions */
  #offset = 0;
  #failed: RelpProtocolError | undefined;

  constructor(options: RelpFrameDecoderOptions = {}) {
    this.#maxData = options.maxDataBytes ?? RELP_MAX_DATA_BYTES;
  }

  /** true between frames (a stream that ends here ended cleanly) */
  get idle(): boolean {
    return this.#state === State.txnr && this.#digits === 0;
  }

  /**
   * Decode what `chunk` completes.
   * @throws {RelpProtocolError} on the first octet that breaks the grammar or the size limit
   */
  push(chunk: Buffer): RelpFrame[] {
    if (this.#failed) throw this.#failed;
    const out: RelpFrame[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#state === State.data) {
        const take = Math.min(this.#data.length - this.#filled, n - i);
        chunk.copy(this.#data, this.#filled, i, i + take);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#data.length) this.#state = State.trailer;
        continue;
      }
      const byte = chunk[i] as number;
      i++;
      switch (this.#state) {
        case State.txnr:
          if (byte >= 0x30 && byte <= 0x39) {
            if (++this.#digits > MAX_DIGITS) this.#fail('txnr', 'TXNR longer than 9 digits', i);
            this.#number = this.#number * 10 + byte - 0x30;
          } else if (byte === SP && this.#digits > 0) {
            this.#txnr = this.#number;
            this.#number = 0;
            this.#digits = 0;
            this.#state = State.command;
          } else {
            this.#fail('txnr', `expected a digit of TXNR, got ${shown(byte)}`, i);
          }
          break;
        case State.command:
          if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) {
            if (this.#command.length >= MAX_COMMAND) this.#fail('command', 'COMMAND longer than 32 letters', i);
            this.#command += String.fromCharCode(byte);
          } else if (byte === SP && this.#command.length > 0) {
            this.#state = State.datalen;
          } else {
            this.#fail('command', `expected a letter of COMMAND, got ${shown(byte)}`, i);
          }
          break;
        case State.datalen:
          if (byte >= 0x30 && byte <= 0x39) {
            if (++this.#digits > MAX_DIGITS) this.#fail('datalen', 'DATALEN longer than 9 digits', i);
            this.#number = this.#number * 10 + byte - 0x30;
          } else if (this.#digits === 0) {
            this.#fail('datalen', `expected a digit of DATALEN, got ${shown(byte)}`, i);
          } else if (this.#number === 0) {
            // DATALEN 0: no data and no SP, the trailer follows at once (librelp's "goto do_trailer")
            if (byte !== LF) this.#fail('trailer', `DATALEN 0 must be followed by LF, got ${shown(byte)}`, i);
            out.push(this.#emit(Buffer.alloc(0)));
          } else if (byte === SP) {
            if (this.#number > this.#maxData) {
              this.#fail('tooLong', `DATALEN ${this.#number} over the limit of ${this.#maxData} octets`, i);
            }
            this.#data = Buffer.allocUnsafe(this.#number);
            this.#filled = 0;
            this.#state = State.data;
          } else {
            this.#fail('datalen', `expected SP or LF after DATALEN, got ${shown(byte)}`, i);
          }
          break;
        case State.trailer:
          if (byte !== LF) {
            this.#fail('trailer', `expected LF after ${this.#data.length} octets of DATA, got ${shown(byte)}`, i);
          }
          out.push(this.#emit(this.#data));
          break;
        default:
          break;
      }
    }
    this.#offset += n;
    return out;
  }

  #emit(data: Buffer): RelpFrame {
    const frame: RelpFrame = { txnr: this.#txnr, command: this.#command, data };
    this.#state = State.txnr;
    this.#number = 0;
    this.#digits = 0;
    this.#command = '';
    this.#data = Buffer.alloc(0);
    this.#filled = 0;
    return frame;
  }

  #fail(code: keyof typeof RelpErrorCode, what: string, consumed: number): never {
    this.#failed = new RelpProtocolError(RelpErrorCode[code], `${what} at stream octet ${this.#offset + consumed - 1}`);
    // drop any partial frame: the decoder is dead, nothing of it may be used
    this.#data = Buffer.alloc(0);
    throw this.#failed;
  }
}

/**
 * Parse the data of a `rsp` frame: `RSP-CODE [SP HUMANMSG] [LF CMDDATA]`.
 *
 * @throws {RelpProtocolError} when non-empty data does not start with a 3-digit code followed by SP,
 *   LF or the end
 * @example
 * ```ts
 * parseRsp(Buffer.from('500 command disabled')); // { code: 500, text: 'command disabled', body: '' }
 * ```
 */
function parseRsp(data: Buffer): RelpResponse {
  if (data.length === 0) return { code: undefined, text: '', body: '' };
  // the answer to nearly every syslog command: no decoding, no regex
  if (data.equals(OK_BYTES)) return OK;
  const s = data.toString('utf8');
  const m = /^(\d{3})(?:$|[ \n])/.exec(s);
  if (m === null) {
    throw new RelpProtocolError(
      RelpErrorCode.rsp,
      `rsp data does not start with a 3-digit code: ${JSON.stringify(s.slice(0, 40))}`,
    );
  }
  const rest = s.slice(3);
  const lf = rest.indexOf('\n');
  const head = lf < 0 ? rest : rest.slice(0, lf);
  return {
    code: Number(m[1]),
    // the collector's own words, trimmed to what librelp itself reads (80 octets) plus room for UTF-8
    text: head.replace(/^ /, '').slice(0, 200),
    body: lf < 0 ? '' : rest.slice(lf + 1),
  };
}

const OK_BYTES = Buffer.from('200 OK', 'latin1');
const OK: RelpResponse = Object.freeze({ code: 200, text: 'OK', body: '' });

/** Offers as `[name, values]` pairs, in order. */
type RelpOffers = ReadonlyArray<readonly [string, readonly string[]]>;

/** `OFFER *(LF OFFER)` (no trailing LF: the frame's TRAILER follows). */
function offersToString(offers: RelpOffers): string {
  return offers.map(([name, values]) => (values.length > 0 ? `${name}=${values.join(',')}` : name)).join('\n');
}

/** Parse offers (the data of `open`, or the CMDDATA of its rsp). Unknown offers are kept. */
function parseOffers(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    const values =
      eq < 0
        ? []
        : line
            .slice(eq + 1)
            .split(',')
            .filter((v) => v !== '');
    out.set(name, values);
  }
  return out;
}

export type { RelpFrame, RelpFrameDecoderOptions, RelpOffers, RelpResponse };
export {
  encodeFrame,
  encodeSyslog,
  MAX_TXNR,
  nextTxnr,
  offersToString,
  parseOffers,
  parseRsp,
  RELP_MAX_DATA_BYTES,
  RelpErrorCode,
  RelpFrameDecoder,
  RelpProtocolError,
};
