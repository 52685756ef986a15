/**
 * TCP/TLS stream transport for syslog (RFC 5425 over TLS, RFC 6587 over plain TCP): one long-lived
 * connection per instance, created lazily on the first `send` and reused by later ones. Build it (via
 * `createSyslogSink`) once at module scope so a warm Lambda execution environment keeps its connection
 * across invocations (docs/architecture.md §4).
 *
 * ## What "delivered" means here (the at-least-once boundary)
 *
 * Syslog over TCP/TLS has no application-level acknowledgement, so the strongest local signal is the
 * write callback: the frame was handed to the kernel (for TLS: encrypted and handed to the kernel).
 * A frame counts as confirmed only when (1) its write callback fired without error, and (2) the
 * connection it went out on was still healthy when the batch finished with it: no error, no close by
 * the peer, no stalled writes. If the connection breaks or stalls during a `send`, *every* frame
 * written on it during that `send` is reported unconfirmed, including frames whose callback already
 * fired, because bytes sitting in our kernel's send buffer are discarded when an RST arrives and bytes
 * in a stalled peer's receive buffer may never be read. Those frames are retried (once on a fresh
 * connection, then by SQS), so the collector can see duplicates but not gaps for any failure detected
 * before `send` returns.
 *
 * What stays lossy, and cannot be fixed without an acknowledging protocol (RELP, `relp-transport.ts`):
 * a peer that dies *after* `send` returned, while our bytes were still in kernel buffers on either side. `close()` ends
 * the connection gracefully (`end()`: flush, TLS close_notify, FIN) and never `destroy()`s a socket
 * holding confirmed data; `destroy()` is used only on connections already reported failed, whose
 * unsent frames are already reported unconfirmed.
 *
 * @example
 * ```ts
 * const conn = new StreamConnection({ host: 'collector.internal', port: 6514, ca: caPem });
 * const outcome = await conn.send([frameOctetCounted(line)], Date.now() + 5_000);
 * // outcome.confirmed === 1, or outcome.failure says why
 * ```
 */
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { toError } from '../../errors.js';
import type { DeliveryLogger } from '../sink.js';
import { SerialQueue } from './serial-queue.js';

/** Why a transport could not confirm frames. */
const TransportFailureKind = {
  /** TCP connect refused/unreachable/timed out, DNS failure */
  connect: 'connect',
  /** TLS handshake failed, certificate verification included */
  tls: 'tls',
  /** the connection broke while writing (EPIPE, ECONNRESET, closed by peer) */
  io: 'io',
  /** a write or drain did not complete within `writeTimeoutMs` (peer not reading) */
  timeout: 'timeout',
  /** the caller's deadline arrived first */
  deadline: 'deadline',
  /** the collector broke its protocol (RELP: malformed frame, unknown transaction, refused `open`) */
  protocol: 'protocol',
} as const;
type TransportFailureKind = (typeof TransportFailureKind)[keyof typeof TransportFailureKind];

/** A transport-level problem; applies to every frame from {@link TransportOutcome.confirmed} on. */
interface TransportFailure {
  readonly kind: TransportFailureKind;
  readonly message: string;
  readonly cause?: Error;
}

/** Outcome of {@link FrameTransport.send}. Frames are confirmed as a prefix of the input, in order. */
interface TransportOutcome {
  /** number of leading frames confirmed; frames `[confirmed, n)` were not */
  readonly confirmed: number;
  /** wire bytes of the confirmed frames */
  readonly bytes: number;
  /** why frames `[confirmed, n)` were not confirmed; absent when all were */
  readonly failure?: TransportFailure;
  /**
   * Frames among the first `confirmed` that the collector answered but refused (RELP: a `rsp` code
   * other than 200), by index, with the collector's reason. They are final, not delivered and not
   * retried; every other frame of the prefix was delivered. Absent for TCP, TLS and UDP.
   */
  readonly rejected?: ReadonlyMap<number, string>;
}

/** Counters for metrics and tests. */
interface TransportStats {
  /** connection attempts started (TCP connect or UDP socket creation) */
  connectAttempts: number;
  /** attempts that ended with a usable connection (for TLS: after a verified handshake) */
  connects: number;
  /** connect attempts made after an earlier connection was lost or retired (stale, idle, broken) */
  reconnects: number;
  /** times a batch waited for 'drain' because `write()` returned false (backpressure) */
  drainWaits: number;
  /** frames whose write callback fired without error, retransmissions included */
  framesWritten: number;
  /** bytes of those frames */
  bytesWritten: number;
  /** RELP only: frames the collector answered `200 OK` */
  framesAcked?: number;
  /** RELP only: frames the collector answered with another code (refused for good) */
  framesRejected?: number;
  /** RELP only: unacknowledged frames sent again on a new session after the previous one broke */
  framesResent?: number;
}

/** What the syslog sink needs from a transport. */
interface FrameTransport {
  /**
   * Write `frames` in order; never rejects. Resolves by `deadlineMs` (plus event-loop latency).
   * @param deadlineMs - absolute `Date.now()` time by which it must resolve
   */
  send(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome>;
  /** Flush and release the connection; a later `send` reconnects. */
  close(): Promise<void>;
  readonly stats: Readonly<TransportStats>;
}

/** Options for {@link StreamConnection}. */
interface StreamConnectionOptions {
  /** collector host name or IP */
  readonly host: string;
  /** collector TCP port */
  readonly port: number;
  /**
   * TLS (RFC 5425) when true, plain TCP when false. TLS always verifies the server certificate
   * (`rejectUnauthorized: true`); there is deliberately no option to turn that off.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * PEM CA bundle to verify the collector's certificate with (replaces Node's built-in roots).
   * @default Node's bundled Mozilla roots
   */
  readonly ca?: string;
  /**
   * TLS SNI name, also the name the certificate is checked against.
   * @default `host` when it is a DNS name; none when it is an IP (the certificate must then carry an IP SAN)
   */
  readonly servername?: string;
  /**
   * Budget for TCP connect + TLS handshake, in ms (also bounded by the deadline).
   * @default 3_000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for a 'drain' or for outstanding write callbacks, in ms. Exceeding it marks the peer
   * as stalled: the batch's frames are reported unconfirmed and the connection is replaced.
   * @default 5_000
   */
  readonly writeTimeoutMs?: number;
  /**
   * Reconnect before a batch when the connection has been idle longer than this, in ms. AWS NLB drops
   * idle TLS/TCP flows after 350 s and a frozen Lambda never sees the RST, so a connection idle for
   * longer is assumed dead rather than discovered dead mid-batch.
   * @default 300_000
   */
  readonly maxIdleMs?: number;
  /**
   * Where socket errors that happen outside a `send` are reported.
   * @default console
   */
  readonly logger?: DeliveryLogger;
  /**
   * Destination name used in log entries.
   * @default `${host}:${port}`
   */
  readonly name?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_WRITE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_IDLE_MS = 300_000;
// Probe well inside the NLB's 350 s idle timeout whenever the process is not frozen.
const KEEPALIVE_INITIAL_DELAY_MS = 60_000;

/**
 * OpenSSL X509 verification codes Node reports on `err.code`, plus Node's own hostname check.
 * https://nodejs.org/docs/latest-v20.x/api/tls.html#x509-certificate-error-codes
 */
const CERT_VERIFICATION_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** One socket and everything observed about it. Event handlers write here; batches read it. */
interface Live {
  readonly socket: Socket | TLSSocket;
  readonly id: number;
  /** first error the socket reported */
  error: Error | undefined;
  /** the peer sent FIN (graceful close, e.g. collector shutdown or idle drop) */
  peerEnded: boolean;
  closed: boolean;
  /** TLS verified / TCP connected */
  ready: boolean;
  /** a batch is using the socket: its outcome will report errors, so the idle handler stays quiet */
  busy: boolean;
  lastUsedAt: number;
  /** re-check callbacks of pending waits, run on every socket event and write callback */
  readonly waiters: Set<() => void>;
}

/** Internal: a failure thrown by connect and turned into an outcome by `send`. */
class TransportFailureError extends Error {
  readonly failure: TransportFailure;
  constructor(failure: TransportFailure) {
    super(failure.message, { cause: failure.cause });
    this.name = 'TransportFailureError';
    this.failure = failure;
  }
}

function errorCode(err: Error): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: Error): string {
  const code = errorCode(err);
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/**
 * A reusable TCP or TLS connection to one collector. See the module docs for the delivery guarantee.
 *
 * @example
 * ```ts
 * const conn = new StreamConnection({ host: '10.0.1.20', port: 6514, servername: 'syslog.corp', ca });
 * await conn.send(frames, deadlineMs); // connects lazily
 * await conn.send(moreFrames, deadlineMs); // same connection
 * await conn.close(); // graceful end()
 * ```
 */
class StreamConnection implements FrameTransport {
  readonly stats: TransportStats = {
    connectAttempts: 0,
    connects: 0,
    reconnects: 0,
    drainWaits: 0,
    framesWritten: 0,
    bytesWritten: 0,
  };
  readonly #host: string;
  readonly #port: number;
  readonly #tls: boolean;
  readonly #ca: string | undefined;
  readonly #servername: string | undefined;
  readonly #connectTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  readonly #maxIdleMs: number;
  readonly #logger: DeliveryLogger;
  readonly #name: string;
  #live: Live | undefined;
  #nextId = 1;
  /** sends run one at a time */
  readonly #queue = new SerialQueue();

  constructor(options: StreamConnectionOptions) {
    this.#host = options.host;
    this.#port = options.port;
    this.#tls = options.tls ?? true;
    this.#ca = options.ca;
    // RFC 6066 §3: SNI carries DNS names only, never IP literals.
    this.#servername = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);
    // createSyslogSink, the only constructor of a connection, checked these settings once
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.#maxIdleMs = options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS;
    this.#logger = options.logger ?? console;
    this.#name = options.name ?? `${options.host}:${options.port}`;
  }

  /**
   * Write `frames` in order on the current connection (connecting or replacing a stale one first).
   * If the connection breaks mid-batch, reconnects once and rewrites every unconfirmed frame, within
   * the deadline. A failed *initial* connect is not retried here: the collector is down, and the
   * circuit breaker and SQS handle the retry.
   */
  send(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    return this.#queue.run(() => this.#sendExclusive(frames, deadlineMs));
  }

  async #sendExclusive(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    if (frames.length === 0) return { confirmed: 0, bytes: 0 };
    let previous: TransportFailure | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      let live: Live;
      try {
        live = await this.#acquire(deadlineMs);
      } catch (err) {
        const failure = err instanceof TransportFailureError ? err.failure : unexpected(err);
        return {
          confirmed: 0,
          bytes: 0,
          failure: previous
            ? { ...failure, message: `${previous.message}; reconnect failed: ${failure.message}` }
            : failure,
        };
      }
      const { outcome, reusable } = await this.#writeBatch(live, frames, deadlineMs);
      if (reusable || outcome.failure === undefined) return outcome;
      // Broken or stalled: the frames on it are unconfirmed, and the socket is of no further use.
      this.#discard(live, outcome.failure.message);
      // Only a broken connection is worth one more try; a stalled peer or an exhausted deadline is not.
      if (outcome.failure.kind !== TransportFailureKind.io || attempt === 2 || Date.now() >= deadlineMs) {
        return outcome;
      }
      this.#logger.warn('syslog connection broke mid-batch; reconnecting once to resend unconfirmed frames', {
        destination: this.#name,
        connection: live.id,
        error: outcome.failure.message,
        frames: frames.length,
      });
      previous = outcome.failure;
    }
    // Unreachable: the loop returns on its second pass at the latest.
    return { confirmed: 0, bytes: 0, failure: previous ?? unexpected(new Error('no attempt made')) };
  }

  /**
   * End the connection gracefully: flush what is queued, send TLS close_notify and FIN, and wait (up
   * to `writeTimeoutMs`) for the close. Only a peer that does not finish closing in that time gets its
   * socket destroyed.
   */
  async close(): Promise<void> {
    // Let a running batch finish first: ending under it would turn confirmed frames into failures.
    await this.#queue.idle();
    const live = this.#live;
    this.#live = undefined;
    if (live === undefined || live.closed) return;
    await this.#end(live, 'close requested');
  }

  /** A healthy connection, replacing the current one when it is dead, stale or idle too long. */
  async #acquire(deadlineMs: number): Promise<Live> {
    // After a Lambda thaw or a long idle gap, a FIN/RST may already be queued on the socket; one pass
    // through the event loop lets its 'end'/'error'/'close' handlers run before we judge the socket.
    await yieldToEventLoop();
    const live = this.#live;
    if (live !== undefined) {
      const stale = this.#staleReason(live);
      if (stale === undefined) return live;
      this.#logger.info('syslog connection replaced before batch', {
        destination: this.#name,
        connection: live.id,
        reason: stale,
      });
      this.#live = undefined;
      if (live.error === undefined && !live.closed && !live.peerEnded) {
        // Idle but apparently healthy: nothing is in flight, so close it politely.
        void this.#end(live, stale);
      } else {
        this.#discard(live, stale);
      }
    }
    const fresh = await this.#connect(deadlineMs);
    this.#live = fresh;
    return fresh;
  }

  #staleReason(live: Live): string | undefined {
    if (live.error !== undefined) return `socket error: ${describe(live.error)}`;
    if (live.closed || live.socket.destroyed) return 'socket closed';
    if (live.peerEnded || live.socket.readableEnded) return 'closed by peer';
    if (!live.socket.writable) return 'socket not writable';
    const idle = Date.now() - live.lastUsedAt;
    if (idle > this.#maxIdleMs) return `idle ${idle} ms > maxIdleMs ${this.#maxIdleMs} ms`;
    return undefined;
  }

  #connect(deadlineMs: number): Promise<Live> {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) {
      return Promise.reject(
        new TransportFailureError({ kind: TransportFailureKind.deadline, message: 'deadline reached before connect' }),
      );
    }
    const budget = Math.min(this.#connectTimeoutMs, remaining);
    const limitedByDeadline = budget < this.#connectTimeoutMs;
    this.stats.connectAttempts++;
    if (this.stats.connects > 0) this.stats.reconnects++;
    const socket = this.#tls
      ? tlsConnect(tlsClientOptions(this.#host, this.#port, this.#servername, this.#ca))
      : tcpConnect({ host: this.#host, port: this.#port });
    const live: Live = {
      socket,
      id: this.#nextId++,
      error: undefined,
      peerEnded: false,
      closed: false,
      ready: false,
      busy: false,
      lastUsedAt: Date.now(),
      waiters: new Set(),
    };
    this.#attachHandlers(live);
    return new Promise<Live>((resolve, reject) => {
      const fail = (err: Error): void => {
        cleanup();
        socket.destroy();
        reject(new TransportFailureError(this.#classifyConnectError(err)));
      };
      const onReady = (): void => {
        if (this.#tls && !(socket as TLSSocket).authorized) {
          // Unreachable with rejectUnauthorized: true; kept so a future refactor cannot silently
          // send in clear to an unverified peer.
          fail(new Error(`TLS peer not authorized: ${String((socket as TLSSocket).authorizationError)}`));
          return;
        }
        cleanup();
        live.ready = true;
        live.lastUsedAt = Date.now();
        // Syslog frames are small and independent: Nagle would only add latency to the last frame.
        socket.setNoDelay(true);
        socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
        this.stats.connects++;
        this.#logger.info('syslog connection established', {
          destination: this.#name,
          connection: live.id,
          tls: this.#tls,
          ...(this.#tls ? { protocol: (socket as TLSSocket).getProtocol() } : {}),
        });
        resolve(live);
      };
      const onError = (err: Error): void => fail(err);
      const onClose = (): void => fail(live.error ?? new Error('connection closed during connect'));
      const timer = setTimeout(() => {
        fail(
          limitedByDeadline
            ? new TransportFailureError({
                kind: TransportFailureKind.deadline,
                message: `deadline reached while connecting (${budget} ms)`,
              })
            : new Error(`connect timeout after ${budget} ms`),
        );
      }, budget);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off(this.#tls ? 'secureConnect' : 'connect', onReady);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      socket.once(this.#tls ? 'secureConnect' : 'connect', onReady);
      socket.once('error', onError);
      socket.once('close', onClose);
    });
  }

  #classifyConnectError(err: Error): TransportFailure {
    if (err instanceof TransportFailureError) return err.failure;
    return classifyConnectError(err, `${this.#host}:${this.#port}`);
  }

  /** Permanent handlers: no socket error is ever unhandled, and every event wakes pending waits. */
  #attachHandlers(live: Live): void {
    const { socket } = live;
    const wake = (): void => {
      for (const waiter of live.waiters) waiter();
    };
    socket.on('error', (err: Error) => {
      live.error ??= err;
      // During connect or a batch the error reaches the caller through the outcome; only errors on an
      // idle connection would otherwise go unseen.
      if (live.ready && !live.busy) {
        this.#logger.warn('syslog connection error while idle; will reconnect on next send', {
          destination: this.#name,
          connection: live.id,
          error: describe(err),
        });
      }
      wake();
    });
    socket.on('end', () => {
      live.peerEnded = true;
      wake();
    });
    socket.on('close', () => {
      live.closed = true;
      wake();
    });
    socket.on('drain', wake);
    // Collectors do not talk back, but unread inbound data would eventually stall the peer, and a
    // paused socket never reports the FIN we rely on to notice a close. Discard it.
    socket.resume();
  }

  /**
   * Write the frames on one connection. Returns all frames confirmed, a healthy prefix (deadline), or
   * a failure with `confirmed: 0` for every frame written on a connection that broke or stalled.
   */
  async #writeBatch(
    live: Live,
    frames: readonly Buffer[],
    deadlineMs: number,
  ): Promise<{ outcome: TransportOutcome; reusable: boolean }> {
    const { socket } = live;
    live.busy = true;
    socket.ref();
    let written = 0;
    let acked = 0;
    let ackedBytes = 0;
    let writeError: Error | undefined;
    const onWritten = (frameBytes: number) => (err?: Error | null) => {
      if (err) {
        writeError ??= err;
      } else {
        acked++;
        ackedBytes += frameBytes;
        this.stats.framesWritten++;
        this.stats.bytesWritten += frameBytes;
      }
      for (const waiter of live.waiters) waiter();
    };
    const broken = (): boolean =>
      writeError !== undefined || live.error !== undefined || live.closed || live.peerEnded || socket.destroyed;
    let stall: TransportFailure | undefined;
    try {
      // Cork so a batch of small frames leaves as few TLS records / writev calls as possible; the
      // per-frame callbacks still fire individually when the coalesced write completes.
      socket.cork();
      for (const frame of frames) {
        if (broken() || Date.now() >= deadlineMs) break;
        written++;
        if (!socket.write(frame, onWritten(frame.length))) {
          // Backpressure: stop queueing in user space until the kernel took the buffered data.
          // Uncork first, or the buffered data is never flushed and 'drain' never comes.
          socket.uncork();
          this.stats.drainWaits++;
          stall = await this.#waitUntil(live, () => broken() || !socket.writableNeedDrain, deadlineMs, 'drain');
          if (stall !== undefined) break;
          socket.cork();
        }
      }
      if (socket.writableCorked > 0) socket.uncork();
      if (stall === undefined) {
        stall = await this.#waitUntil(live, () => broken() || acked === written, deadlineMs, 'write callbacks');
      }
    } finally {
      live.busy = false;
    }

    if (broken()) {
      const cause = writeError ?? live.error;
      const failure: TransportFailure = {
        kind: TransportFailureKind.io,
        message:
          cause !== undefined
            ? `connection lost mid-batch (${describe(cause)})`
            : `connection closed by peer mid-batch after ${acked}/${written} frames were written`,
        ...(cause === undefined ? {} : { cause }),
      };
      return { outcome: { confirmed: 0, bytes: 0, failure }, reusable: false };
    }
    if (stall !== undefined) {
      // Frames still queued mean the peer is not reading; what sits in kernel buffers is at risk too.
      return { outcome: { confirmed: 0, bytes: 0, failure: stall }, reusable: false };
    }
    live.lastUsedAt = Date.now();
    // Between invocations the idle socket must not keep a local process (tests, CLI) alive.
    socket.unref();
    if (written < frames.length) {
      const failure: TransportFailure = {
        kind: TransportFailureKind.deadline,
        message: `deadline reached after ${written}/${frames.length} frames`,
      };
      return { outcome: { confirmed: written, bytes: ackedBytes, failure }, reusable: true };
    }
    return { outcome: { confirmed: written, bytes: ackedBytes }, reusable: true };
  }

  /**
   * Wait until `done()` holds, re-checking on every socket event and write callback. Resolves to a
   * failure when `writeTimeoutMs` or the deadline (whichever is first) passes before that.
   */
  #waitUntil(live: Live, done: () => boolean, deadlineMs: number, what: string): Promise<TransportFailure | undefined> {
    if (done()) return Promise.resolve(undefined);
    const remaining = Math.max(0, deadlineMs - Date.now());
    const byDeadline = remaining < this.#writeTimeoutMs;
    const budget = Math.min(this.#writeTimeoutMs, remaining);
    return new Promise((resolve) => {
      const finish = (result: TransportFailure | undefined): void => {
        clearTimeout(timer);
        live.waiters.delete(check);
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
                message: `write timeout: ${what} not completed within ${this.#writeTimeoutMs} ms (collector not reading)`,
              },
        );
      }, budget);
      live.waiters.add(check);
    });
  }

  /** Drop a connection that already failed; its unconfirmed frames are reported, so nothing is lost. */
  #discard(live: Live, reason: string): void {
    if (this.#live === live) this.#live = undefined;
    if (!live.socket.destroyed) {
      this.#logger.warn('syslog connection discarded', { destination: this.#name, connection: live.id, reason });
      live.socket.destroy();
    }
  }

  /** Graceful close: flush, close_notify/FIN, wait for 'close' up to `writeTimeoutMs`, then give up. */
  #end(live: Live, reason: string): Promise<void> {
    return new Promise((resolve) => {
      const { socket } = live;
      if (live.closed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.#logger.warn('syslog connection did not close in time; destroying it', {
          destination: this.#name,
          connection: live.id,
          reason,
        });
        socket.destroy();
      }, this.#writeTimeoutMs);
      // A background close (idle replacement) must not hold a local process open.
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

/**
 * TLS client options for a collector connection (RFC 5425 syslog and RELP over TLS alike).
 * Verification is not configurable on purpose (docs/contributing.md §14): a collector we cannot authenticate
 * must not receive vault security events.
 */
function tlsClientOptions(
  host: string,
  port: number,
  servername: string | undefined,
  ca: string | undefined,
): ConnectionOptions {
  return {
    host,
    port,
    ...(servername === undefined ? {} : { servername }),
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: true,
    // RFC 8996 retired TLS 1.0/1.1; RFC 9662 specifies TLS 1.2 suites and recommends 1.3.
    minVersion: 'TLSv1.2',
  };
}

/** Why a TCP connect or TLS handshake to `where` (host:port) failed: certificate, handshake or connect. */
function classifyConnectError(err: Error, where: string): TransportFailure {
  const code = errorCode(err);
  if (code !== undefined && CERT_VERIFICATION_CODES.has(code)) {
    return {
      kind: TransportFailureKind.tls,
      message: `TLS certificate verification failed for ${where} (${code}): ${err.message}`,
      cause: err,
    };
  }
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) {
    return {
      kind: TransportFailureKind.tls,
      message: `TLS handshake with ${where} failed: ${describe(err)}`,
      cause: err,
    };
  }
  // A peer that accepts TCP and then hangs up during the handshake looks like ECONNRESET or a plain
  // close; it is still a failure to connect, not a mid-batch break.
  return { kind: TransportFailureKind.connect, message: `connect to ${where} failed: ${describe(err)}`, cause: err };
}

function unexpected(err: unknown): TransportFailure {
  const error = toError(err);
  return { kind: TransportFailureKind.io, message: `unexpected transport error: ${describe(error)}`, cause: error };
}

export type { FrameTransport, StreamConnectionOptions, TransportFailure, TransportOutcome, TransportStats };
export { classifyConnectError, describe, StreamConnection, TransportFailureKind, tlsClientOptions };
