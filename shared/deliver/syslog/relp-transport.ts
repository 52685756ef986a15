/**
 * RELP client transport (Reliable Event Logging Protocol, rsyslog's imrelp/omrelp): every syslog
 * frame is a `syslog` command with a transaction number, and the collector answers each one with a
 * `rsp`. A frame counts as delivered only after its `200 OK` — not when the kernel took the bytes,
 * which is all TCP and TLS can tell (see `connection.ts`). The wire format and its grammar are in
 * `relp-frame.ts`.
 *
 * Session (https://github.com/rsyslog/librelp/blob/master/doc/relp.md, "STATE DIAGRAMS"):
 * ```text
 * C: 1 open 51 relp_version=0 LF relp_software=segura-siem-relay LF commands=syslog
 * S: 1 rsp 93 200 OK LF relp_version=0 LF relp_software=librelp,1.11.0,… LF commands=syslog
 * C: 2 syslog 120 <134>1 2026-…        (up to `window` commands in flight, TXNR +1 each)
 * S: 2 rsp 6 200 OK                    (answers in command order; matched by TXNR anyway)
 * C: 9 close 0                         (on close(): no more commands after it)
 * S: 9 rsp 0  /  0 serverclose 0       (librelp's empty answer, then its hint; the server closes)
 * ```
 * The session is ready only after the `open` rsp: it must carry `200`, a `relp_version` and the
 * `syslog` command (the specification: a command the server does not list "MUST NOT be used").
 *
 * Delivery, as RELP and librelp define it:
 * - `rsp 200` → delivered. Any other code → the collector refused that message: it is reported
 *   `rejected` with the collector's text and not sent again (librelp's scrsp.c drops such a frame too;
 *   the relay parks it in the DLQ instead). Transient trouble is signalled in RELP by closing the
 *   connection, never by a code ("ERROR HANDLING": the peer that detects a problem closes the TCP
 *   connection; "if the problem was of temporary nature, it may be cleared up by the connection reset
 *   and a new connect").
 * - A session that breaks (reset, FIN, `serverclose` hint, malformed data from the server) loses
 *   every unanswered command: they are sent again, with new TXNRs, on a new session within the same
 *   `send` (librelp's relpSessTryReestablish does the same), so the collector may see a message
 *   twice — at most `window` of them per broken session — but never miss one.
 * - No answer for `writeTimeoutMs` = stalled collector: the session is dropped, unanswered frames
 *   are reported unconfirmed (SQS retries them). The deadline ends the batch the same way.
 * - Frames are answered as a prefix in the outcome: frames after the first unanswered one are
 *   reported unconfirmed even if answered (a duplicate on retry, never a loss).
 *
 * What RELP acknowledges is the collector's *RELP input* taking the message: rsyslog's imrelp answers
 * once the message is in its queue. A collector that must not lose acknowledged messages when it
 * crashes needs a queue that survives it (see docs/relp.md).
 *
 * @example
 * ```ts
 * const relp = new RelpTransport({ host: 'collector.internal', port: 2514, ca: caPem, window: 128 });
 * const outcome = await relp.send([Buffer.from(line)], Date.now() + 5_000);
 * // outcome.confirmed === 1 once the collector answered 200 (or outcome.rejected has its reason)
 * await relp.close(); // close command, then FIN
 * ```
 */
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { toError } from '../../errors.js';
import type { DeliveryLogger } from '../sink.js';
import {
  classifyConnectError,
  describe,
  type FrameTransport,
  type TransportFailure,
  TransportFailureKind,
  type TransportOutcome,
  type TransportStats,
  tlsClientOptions,
} from './connection.js';
import {
  encodeFrame,
  encodeSyslog,
  nextTxnr,
  offersToString,
  parseOffers,
  parseRsp,
  type RelpFrame,
  RelpFrameDecoder,
  RelpProtocolError,
  type RelpResponse,
} from './relp-frame.js';
import { SerialQueue } from './serial-queue.js';

/** Options for {@link RelpTransport}. */
interface RelpTransportOptions {
  /** collector host name or IP */
  readonly host: string;
  /** collector RELP port (rsyslog's examples use 2514; librelp's default is 20514) */
  readonly port: number;
  /**
   * RELP over TLS when true (verification always on, as for RFC 5425), plain TCP when false.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * PEM CA bundle to verify the collector's certificate with.
   * @default Node's bundled Mozilla roots
   */
  readonly ca?: string;
  /**
   * TLS SNI name and the name the certificate must match.
   * @default `host` when it is a DNS name
   */
  readonly servername?: string;
  /**
   * Budget for TCP connect + TLS handshake + the `open` exchange, in ms (also bounded by the deadline).
   * @default 3_000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for the next acknowledgement (or a 'drain') while frames are in flight, in ms.
   * Exceeding it marks the collector as stalled: the session is dropped and the unanswered frames
   * are reported unconfirmed.
   * @default 5_000
   */
  readonly writeTimeoutMs?: number;
  /**
   * Open a new session before a batch when the current one has been idle longer than this, in ms
   * (an NLB drops idle flows after 350 s).
   * @default 300_000
   */
  readonly maxIdleMs?: number;
  /**
   * Most `syslog` commands in flight without an answer. Also the bound on duplicates per broken
   * session. librelp's default is 128 (RELP_DFLT_WINDOW_SIZE).
   * @default 128
   */
  readonly window?: number;
  /**
   * Where session events outside a `send` are reported.
   * @default console
   */
  readonly logger?: DeliveryLogger;
  /**
   * Destination name used in log entries.
   * @default `${host}:${port}`
   */
  readonly name?: string;
}

/**
 * {@link TransportStats} with the RELP counters always present. `framesWritten`/`bytesWritten` count
 * `syslog` commands handed to the socket (resends included); `framesAcked` counts the `200 OK`s.
 */
interface RelpTransportStats extends TransportStats {
  framesAcked: number;
  framesRejected: number;
  framesResent: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_WRITE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_IDLE_MS = 300_000;
const DEFAULT_WINDOW = 128;
const KEEPALIVE_INITIAL_DELAY_MS = 60_000;
/** Sessions a single `send` may open after the first one broke while frames were in flight. */
const MAX_RESENDS_PER_SEND = 2;
/** A server sends only `rsp` frames and short hints: 128 KiB (RELP 1's DATALEN limit) is plenty. */
const MAX_SERVER_DATA_BYTES = 128 * 1024;
/** relp_version we offer: what librelp (and so rsyslog's omrelp) sends. */
const RELP_VERSION = '0';
const OFFERS = offersToString([
  ['relp_version', [RELP_VERSION]],
  ['relp_software', ['segura-siem-relay']],
  ['commands', ['syslog']],
]);

/** Answer codes of a `syslog` command. */
const Answer = { none: 0, ok: 1, refused: 2 } as const;

/** One RELP session on one socket. Socket handlers write here; `send` reads it. */
interface Session {
  readonly socket: Socket | TLSSocket;
  readonly id: number;
  readonly decoder: RelpFrameDecoder;
  /** TXNR of the next command */
  txnr: number;
  /** commands waiting for their `rsp`, by TXNR */
  readonly pending: Map<number, (rsp: RelpResponse) => void>;
  error: Error | undefined;
  /** what the server did wrong (malformed frame, unknown TXNR); the session is dead */
  protocolError: string | undefined;
  peerEnded: boolean;
  closed: boolean;
  /** the server sent the `serverclose` hint */
  serverClose: boolean;
  /** the `open` rsp was accepted */
  ready: boolean;
  busy: boolean;
  lastUsedAt: number;
  readonly waiters: Set<() => void>;
}

class SessionFailure extends Error {
  readonly failure: TransportFailure;
  constructor(failure: TransportFailure) {
    super(failure.message, { cause: failure.cause });
    this.name = 'SessionFailure';
    this.failure = failure;
  }
}

/** Why a session can no longer carry commands, or undefined while it can. */
function brokenReason(s: Session): string | undefined {
  if (s.protocolError !== undefined) return s.protocolError;
  if (s.error !== undefined) return `connection lost (${describe(s.error)})`;
  if (s.serverClose) return 'collector sent serverclose';
  if (s.peerEnded) return 'connection closed by the collector';
  if (s.closed || s.socket.destroyed) return 'connection closed';
  return undefined;
}

/**
 * A RELP client session to one collector, reused across `send` calls (and across warm Lambda
 * invocations when the sink is built at module scope). See the module docs for the guarantee.
 */
class RelpTransport implements FrameTransport {
  readonly stats: RelpTransportStats = {
    connectAttempts: 0,
    connects: 0,
    reconnects: 0,
    drainWaits: 0,
    framesWritten: 0,
    bytesWritten: 0,
    framesAcked: 0,
    framesRejected: 0,
    framesResent: 0,
  };
  readonly #host: string;
  readonly #port: number;
  readonly #tls: boolean;
  readonly #ca: string | undefined;
  readonly #servername: string | undefined;
  readonly #connectTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  readonly #maxIdleMs: number;
  readonly #window: number;
  readonly #logger: DeliveryLogger;
  readonly #name: string;
  #live: Session | undefined;
  #nextId = 1;
  readonly #queue = new SerialQueue();

  constructor(options: RelpTransportOptions) {
    this.#host = options.host;
    this.#port = options.port;
    this.#tls = options.tls ?? true;
    this.#ca = options.ca;
    // RFC 6066 §3: SNI carries DNS names only, never IP literals.
    this.#servername = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);
    // createSyslogSink, the only constructor of a RELP session, checked these settings once
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.#maxIdleMs = options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS;
    this.#window = options.window ?? DEFAULT_WINDOW;
    this.#logger = options.logger ?? console;
    this.#name = options.name ?? `${options.host}:${options.port}`;
  }

  /**
   * Send each frame (the syslog message itself, unframed) as a `syslog` command and wait for the
   * answers, at most `window` in flight. Never rejects; resolves by `deadlineMs`.
   */
  send(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    return this.#queue.run(() => this.#sendExclusive(frames, deadlineMs));
  }

  /** Send `close`, wait (bounded) for its answer, then end the connection. A later `send` reconnects. */
  async close(): Promise<void> {
    await this.#queue.idle();
    const s = this.#live;
    this.#live = undefined;
    if (s !== undefined) await this.#closeSession(s, 'close requested');
  }

  async #sendExclusive(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    const n = frames.length;
    if (n === 0) return { confirmed: 0, bytes: 0 };
    const answer = new Uint8Array(n);
    /** 1 once a frame went out on some session: a second send is a resend */
    const sent = new Uint8Array(n);
    const rejected = new Map<number, string>();
    let todo: number[] = Array.from({ length: n }, (_, i) => i);
    let failure: TransportFailure | undefined;
    for (let resends = 0; todo.length > 0; resends++) {
      let s: Session;
      try {
        s = await this.#acquire(deadlineMs);
      } catch (err) {
        const f = err instanceof SessionFailure ? err.failure : unexpected(err);
        failure = failure ? { ...f, message: `${failure.message}; new session failed: ${f.message}` } : f;
        break;
      }
      const run = await this.#pump(s, frames, todo, { answer, sent, rejected }, deadlineMs);
      todo = run.unanswered;
      failure = run.failure;
      if (failure === undefined) break;
      if (!run.reusable) this.#discard(s, failure.message);
      // Only a broken session is worth a new one now; a stall, a protocol error or the deadline is not.
      if (failure.kind !== TransportFailureKind.io || resends >= MAX_RESENDS_PER_SEND || Date.now() >= deadlineMs) {
        break;
      }
      this.#logger.warn('RELP session broke mid-batch; resending unacknowledged frames on a new session', {
        destination: this.#name,
        session: s.id,
        error: failure.message,
        unacknowledged: todo.length,
      });
    }
    let confirmed = 0;
    // message octets of the delivered frames; RELP headers are not counted (a resend's TXNR differs)
    let bytes = 0;
    while (confirmed < n && answer[confirmed] !== Answer.none) {
      if (answer[confirmed] === Answer.ok) bytes += (frames[confirmed] as Buffer).length;
      confirmed++;
    }
    return {
      confirmed,
      bytes,
      ...(confirmed < n ? { failure: failure ?? unexpected(new Error('frames left unanswered')) } : {}),
      ...(rejected.size > 0 ? { rejected } : {}),
    };
  }

  /**
   * Run the window on one session: send `todo` in order, keep at most `window` unanswered, record
   * every answer in `answer`/`rejected`. Returns the frames still unanswered (in input order) and why.
   */
  async #pump(
    s: Session,
    frames: readonly Buffer[],
    todo: readonly number[],
    book: { readonly answer: Uint8Array; readonly sent: Uint8Array; readonly rejected: Map<number, string> },
    deadlineMs: number,
  ): Promise<{ unanswered: number[]; failure?: TransportFailure; reusable: boolean }> {
    const { socket } = s;
    const { answer, sent, rejected } = book;
    s.busy = true;
    socket.ref();
    const inFlight = new Map<number, number>(); // TXNR → frame index
    // Refill the window in chunks, not one frame per answer: answers trickle in one `data` event at
    // a time, and a write per answer costs a syscall (and a TLS record) per event.
    const refillBelow = Math.max(1, Math.ceil(this.#window / 2));
    let next = 0;
    let stall: TransportFailure | undefined;
    const answered = (txnr: number, index: number) => (rsp: RelpResponse) => {
      inFlight.delete(txnr);
      if (rsp.code === 200) {
        answer[index] = Answer.ok;
        this.stats.framesAcked++;
      } else {
        answer[index] = Answer.refused;
        this.stats.framesRejected++;
        const text = rsp.code === undefined ? 'empty rsp' : `${rsp.code} ${rsp.text}`.trim();
        rejected.set(index, `collector refused the message: RELP rsp ${text}`);
      }
    };
    try {
      for (;;) {
        if (brokenReason(s) !== undefined || Date.now() >= deadlineMs) break;
        if (next < todo.length && (inFlight.size < refillBelow || inFlight.size === 0)) {
          socket.cork();
          while (next < todo.length && inFlight.size < this.#window && brokenReason(s) === undefined) {
            const index = todo[next++] as number;
            const txnr = s.txnr;
            s.txnr = nextTxnr(txnr);
            const wire = encodeSyslog(txnr, frames[index] as Buffer);
            inFlight.set(txnr, index);
            s.pending.set(txnr, answered(txnr, index));
            this.stats.framesWritten++;
            this.stats.bytesWritten += wire.length;
            if (sent[index] === 1) this.stats.framesResent++;
            sent[index] = 1;
            if (!socket.write(wire)) {
              // Backpressure: stop queueing in user space until the kernel took the buffered data.
              socket.uncork();
              this.stats.drainWaits++;
              stall = await this.#waitUntil(
                s,
                () => brokenReason(s) !== undefined || !socket.writableNeedDrain,
                deadlineMs,
                'drain',
              );
              if (stall !== undefined) break;
              socket.cork();
            }
          }
          if (socket.writableCorked > 0) socket.uncork();
          if (stall !== undefined) break;
        }
        if (next >= todo.length && inFlight.size === 0) break;
        const before = inFlight.size;
        stall = await this.#waitUntil(
          s,
          () => brokenReason(s) !== undefined || inFlight.size < before,
          deadlineMs,
          'RELP acknowledgements',
        );
        if (stall !== undefined) break;
      }
    } finally {
      s.busy = false;
    }
    for (const txnr of inFlight.keys()) s.pending.delete(txnr);
    const unanswered = [...inFlight.values(), ...todo.slice(next)].sort((a, b) => a - b);
    const broken = brokenReason(s);
    if (broken !== undefined) {
      const kind = s.protocolError !== undefined ? TransportFailureKind.protocol : TransportFailureKind.io;
      const message = `RELP session ${broken} with ${inFlight.size} frame(s) unacknowledged`;
      return {
        unanswered,
        failure: { kind, message, ...(s.error ? { cause: s.error } : {}) },
        reusable: false,
      };
    }
    s.lastUsedAt = Date.now();
    socket.unref();
    if (unanswered.length === 0) return { unanswered, reusable: true };
    const failure: TransportFailure = stall ?? {
      kind: TransportFailureKind.deadline,
      message: `deadline reached with ${unanswered.length} frame(s) unacknowledged`,
    };
    // A session with commands still in flight cannot be reused: their late answers would belong to
    // no one. One with nothing in flight (deadline before sending) is fine.
    return { unanswered, failure, reusable: inFlight.size === 0 };
  }

  /** A ready session: the current one, or a new one when it is broken, closing or idle too long. */
  async #acquire(deadlineMs: number): Promise<Session> {
    // A FIN, RST or serverclose queued while we were frozen or idle is processed before we judge.
    await yieldToEventLoop();
    const live = this.#live;
    if (live !== undefined) {
      const broken = brokenReason(live);
      const idle = Date.now() - live.lastUsedAt;
      const stale =
        broken ?? (idle > this.#maxIdleMs ? `idle ${idle} ms > maxIdleMs ${this.#maxIdleMs} ms` : undefined);
      if (stale === undefined) return live;
      this.#logger.info('RELP session replaced before batch', {
        destination: this.#name,
        session: live.id,
        reason: stale,
      });
      this.#live = undefined;
      if (broken === undefined) void this.#closeSession(live, stale);
      else this.#discard(live, stale);
    }
    const fresh = await this.#connect(deadlineMs);
    this.#live = fresh;
    return fresh;
  }

  /** TCP (+ TLS) connect, then the `open` exchange, all within one budget. */
  #connect(deadlineMs: number): Promise<Session> {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) {
      return Promise.reject(
        new SessionFailure({ kind: TransportFailureKind.deadline, message: 'deadline reached before connect' }),
      );
    }
    const budget = Math.min(this.#connectTimeoutMs, remaining);
    const byDeadline = budget < this.#connectTimeoutMs;
    const where = `${this.#host}:${this.#port}`;
    this.stats.connectAttempts++;
    if (this.stats.connects > 0) this.stats.reconnects++;
    const socket = this.#tls
      ? tlsConnect(tlsClientOptions(this.#host, this.#port, this.#servername, this.#ca))
      : tcpConnect({ host: this.#host, port: this.#port });
    const s: Session = {
      socket,
      id: this.#nextId++,
      decoder: new RelpFrameDecoder({ maxDataBytes: MAX_SERVER_DATA_BYTES }),
      txnr: 1,
      pending: new Map(),
      error: undefined,
      protocolError: undefined,
      peerEnded: false,
      closed: false,
      serverClose: false,
      ready: false,
      busy: true,
      lastUsedAt: Date.now(),
      waiters: new Set(),
    };
    this.#attachHandlers(s);
    return new Promise<Session>((resolve, reject) => {
      let transportUp = false;
      const fail = (f: TransportFailure): void => {
        cleanup();
        socket.destroy();
        reject(new SessionFailure(f));
      };
      const onTransportUp = (): void => {
        if (this.#tls && !(socket as TLSSocket).authorized) {
          // Unreachable with rejectUnauthorized: true; kept so a refactor can never send in clear.
          fail({
            kind: TransportFailureKind.tls,
            message: `TLS peer not authorized: ${String((socket as TLSSocket).authorizationError)}`,
          });
          return;
        }
        transportUp = true;
        socket.setNoDelay(true);
        socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
        const txnr = s.txnr;
        s.txnr = nextTxnr(txnr);
        s.pending.set(txnr, onOpenRsp);
        socket.write(encodeFrame(txnr, 'open', OFFERS));
      };
      const onOpenRsp = (rsp: RelpResponse): void => {
        const refused = openRefusal(rsp);
        if (refused !== undefined) {
          fail({ kind: TransportFailureKind.protocol, message: `RELP open refused by ${where}: ${refused}` });
          return;
        }
        cleanup();
        s.ready = true;
        s.busy = false;
        s.lastUsedAt = Date.now();
        this.stats.connects++;
        this.#logger.info('RELP session established', {
          destination: this.#name,
          session: s.id,
          tls: this.#tls,
          ...(this.#tls ? { protocol: (socket as TLSSocket).getProtocol() } : {}),
        });
        resolve(s);
      };
      const check = (): void => {
        const broken = brokenReason(s);
        if (broken === undefined) return;
        if (!transportUp) {
          fail(classifyConnectError(s.error ?? new Error(broken), where));
        } else if (s.protocolError !== undefined) {
          fail({ kind: TransportFailureKind.protocol, message: `RELP open with ${where} failed: ${s.protocolError}` });
        } else {
          // A TLS collector that wants a client certificate (imrelp with tls.tlslib="gnutls" and a
          // certificate of its own) completes TLS 1.3 from our side and then hangs up.
          const hint = this.#tls
            ? ' (over TLS: the collector may require a client certificate, e.g. imrelp with tls.tlslib="gnutls"; see docs/relp.md)'
            : '';
          fail({
            kind: TransportFailureKind.connect,
            message: `RELP open with ${where} failed: ${broken} before the open was answered${hint}`,
            ...(s.error ? { cause: s.error } : {}),
          });
        }
      };
      const timer = setTimeout(() => {
        const phase = transportUp ? 'waiting for the answer to open' : this.#tls ? 'connecting (TLS)' : 'connecting';
        fail(
          byDeadline
            ? { kind: TransportFailureKind.deadline, message: `deadline reached while ${phase} (${budget} ms)` }
            : {
                kind: TransportFailureKind.connect,
                message: `RELP connect to ${where}: timeout after ${budget} ms ${phase}`,
              },
        );
      }, budget);
      const cleanup = (): void => {
        clearTimeout(timer);
        s.waiters.delete(check);
        socket.off(this.#tls ? 'secureConnect' : 'connect', onTransportUp);
      };
      s.waiters.add(check);
      socket.once(this.#tls ? 'secureConnect' : 'connect', onTransportUp);
    });
  }

  /** Permanent handlers: every frame the server sends is dispatched, no socket error goes unhandled. */
  #attachHandlers(s: Session): void {
    const { socket } = s;
    const wake = (): void => {
      for (const waiter of s.waiters) waiter();
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: RelpFrame[];
      try {
        frames = s.decoder.push(chunk);
      } catch (err) {
        this.#protocolError(s, toError(err).message);
        wake();
        return;
      }
      for (const frame of frames) {
        this.#dispatch(s, frame);
        if (s.protocolError !== undefined) break;
      }
      wake();
    });
    socket.on('error', (err: Error) => {
      s.error ??= err;
      if (s.ready && !s.busy) {
        this.#logger.warn('RELP session error while idle; a new session will be opened on next send', {
          destination: this.#name,
          session: s.id,
          error: describe(err),
        });
      }
      wake();
    });
    socket.on('end', () => {
      s.peerEnded = true;
      wake();
    });
    socket.on('close', () => {
      s.closed = true;
      wake();
    });
    socket.on('drain', wake);
  }

  /** One frame from the server: an answer, a hint, or a protocol violation. */
  #dispatch(s: Session, frame: RelpFrame): void {
    if (frame.command === 'rsp' && frame.txnr !== 0) {
      const handler = s.pending.get(frame.txnr);
      if (handler === undefined) {
        this.#protocolError(s, `rsp for TXNR ${frame.txnr}, which has no command waiting for an answer`);
        return;
      }
      let rsp: RelpResponse;
      try {
        rsp = parseRsp(frame.data);
      } catch (err) {
        this.#protocolError(s, toError(err).message);
        return;
      }
      s.pending.delete(frame.txnr);
      handler(rsp);
      return;
    }
    if (frame.txnr === 0) {
      // Hints (TXNR 0) are never answered. serverclose: the server is closing this session.
      if (frame.command === 'serverclose') {
        s.serverClose = true;
        if (!s.busy) {
          this.#logger.info('RELP collector closed the session (serverclose)', {
            destination: this.#name,
            session: s.id,
          });
        }
      } else {
        this.#logger.warn('RELP hint ignored (unknown command)', {
          destination: this.#name,
          session: s.id,
          command: frame.command,
        });
      }
      return;
    }
    this.#protocolError(s, `server sent command "${frame.command}" with TXNR ${frame.txnr}; a server only sends rsp`);
  }

  #protocolError(s: Session, message: string): void {
    if (s.protocolError !== undefined) return;
    s.protocolError = message.startsWith('RELP protocol error') ? message : `RELP protocol error: ${message}`;
    this.#logger.error('RELP collector broke the protocol; dropping the session', {
      destination: this.#name,
      session: s.id,
      error: s.protocolError,
    });
    s.socket.destroy();
  }

  /**
   * Wait until `done()` holds, re-checking on every socket event and frame. Resolves to a failure
   * when `writeTimeoutMs` or the deadline (whichever is first) passes before that.
   */
  #waitUntil(s: Session, done: () => boolean, deadlineMs: number, what: string): Promise<TransportFailure | undefined> {
    if (done()) return Promise.resolve(undefined);
    const remaining = Math.max(0, deadlineMs - Date.now());
    const byDeadline = remaining < this.#writeTimeoutMs;
    const budget = Math.min(this.#writeTimeoutMs, remaining);
    return new Promise((resolve) => {
      const finish = (result: TransportFailure | undefined): void => {
        clearTimeout(timer);
        s.waiters.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (done()) finish(undefined);
      };
      const timer = setTimeout(() => {
        finish(
          byDeadline
            ? { kind: TransportFailureKind.deadline, message: `deadline reached while waiting for ${what}` }
            : {
                kind: TransportFailureKind.timeout,
                message: `no ${what} within ${this.#writeTimeoutMs} ms (collector stalled)`,
              },
        );
      }, budget);
      s.waiters.add(check);
    });
  }

  /** Drop a session that failed; its unanswered frames are already reported, so nothing is lost. */
  #discard(s: Session, reason: string): void {
    if (this.#live === s) this.#live = undefined;
    s.pending.clear();
    if (!s.socket.destroyed) {
      this.#logger.warn('RELP session discarded', { destination: this.#name, session: s.id, reason });
      s.socket.destroy();
    }
  }

  /** Polite end: `close`, its answer (or serverclose / FIN), then our FIN; each step bounded. */
  async #closeSession(s: Session, reason: string): Promise<void> {
    const { socket } = s;
    if (brokenReason(s) !== undefined) {
      socket.destroy();
      return;
    }
    socket.ref();
    // the answer and the serverclose hint that follows it are expected now, not news worth a log line
    s.busy = true;
    const txnr = s.txnr;
    s.txnr = nextTxnr(txnr);
    let answered = false;
    s.pending.set(txnr, () => {
      answered = true;
    });
    socket.write(encodeFrame(txnr, 'close'));
    const budget = Date.now() + this.#writeTimeoutMs;
    const late = await this.#waitUntil(
      s,
      () => answered || brokenReason(s) !== undefined,
      budget,
      'the answer to close',
    );
    if (late !== undefined) {
      this.#logger.warn('RELP close not answered in time; ending the connection', {
        destination: this.#name,
        session: s.id,
        reason,
      });
    }
    await new Promise<void>((resolve) => {
      if (s.closed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), this.#writeTimeoutMs);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

/** Why an `open` answer cannot start a session, or undefined when it can. */
function openRefusal(rsp: RelpResponse): string | undefined {
  if (rsp.code !== 200) return rsp.code === undefined ? 'empty answer' : `${rsp.code} ${rsp.text}`.trim();
  const offers = parseOffers(rsp.body);
  const version = offers.get('relp_version')?.[0];
  // librelp speaks version 0; the specification calls the same protocol version 1
  if (version !== '0' && version !== '1') {
    return `no usable relp_version offer in the answer (got ${version === undefined ? 'none' : JSON.stringify(version)})`;
  }
  if (!(offers.get('commands') ?? []).includes('syslog')) {
    return 'the collector does not offer the syslog command (commands offer lacks "syslog")';
  }
  return undefined;
}

function unexpected(err: unknown): TransportFailure {
  const error = toError(err);
  return {
    kind: TransportFailureKind.io,
    message: `unexpected RELP transport error: ${describe(error)}`,
    cause: error,
  };
}

export type { RelpTransportOptions, RelpTransportStats };
export { RelpProtocolError, RelpTransport };
