/**
 * UDP transport for syslog (RFC 5426): one message per datagram, no framing, no trailer. The socket is
 * created lazily, `connect()`ed once (so the host is resolved once and the kernel reports ICMP
 * port-unreachable as ECONNREFUSED on a later send) and reused across `send` calls.
 *
 * "Delivered" for UDP means the send callback fired without error: the datagram left this host.
 * Nothing confirms that the collector received it; UDP is best-effort by design.
 *
 * Size: the caller (the syslog sink) enforces the datagram cap before calling `send`; the renderer
 * is responsible for truncating to it (docs/formats.md §3.3). This transport never cuts a datagram.
 *
 * @example
 * ```ts
 * const udp = new UdpTransport({ host: '10.0.1.20', port: 514 });
 * await udp.send([Buffer.from(line)], Date.now() + 2_000);
 * ```
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { toError } from '../../errors.js';
import type { DeliveryLogger } from '../sink.js';
import {
  type FrameTransport,
  type TransportFailure,
  TransportFailureKind,
  type TransportOutcome,
  type TransportStats,
} from './connection.js';
import { SerialQueue } from './serial-queue.js';

/** Options for {@link UdpTransport}. */
interface UdpTransportOptions {
  /** collector host name or IP (IPv6 literals select a udp6 socket) */
  readonly host: string;
  /** collector UDP port */
  readonly port: number;
  /**
   * Longest wait for the send callbacks of one batch, in ms (also bounded by the deadline).
   * @default 5_000
   */
  readonly writeTimeoutMs?: number;
  /**
   * Where socket errors outside a `send` are reported.
   * @default console
   */
  readonly logger?: DeliveryLogger;
  /**
   * Destination name used in log entries.
   * @default `${host}:${port}`
   */
  readonly name?: string;
}

const DEFAULT_WRITE_TIMEOUT_MS = 5_000;

interface UdpLive {
  readonly socket: Socket;
  error: Error | undefined;
  closed: boolean;
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/**
 * A reusable connected UDP socket to one collector.
 *
 * @example
 * ```ts
 * const outcome = await new UdpTransport({ host: '127.0.0.1', port: 5514 }).send(frames, deadlineMs);
 * ```
 */
class UdpTransport implements FrameTransport {
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
  readonly #writeTimeoutMs: number;
  readonly #logger: DeliveryLogger;
  readonly #name: string;
  #live: UdpLive | undefined;
  /** sends run one at a time */
  readonly #queue = new SerialQueue();

  constructor(options: UdpTransportOptions) {
    this.#host = options.host;
    this.#port = options.port;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.#logger = options.logger ?? console;
    this.#name = options.name ?? `${options.host}:${options.port}`;
  }

  /**
   * Send one datagram per frame, in order. Frames are confirmed as a prefix: after the first failed
   * send callback, the rest of the batch is reported unconfirmed (a socket-level error such as
   * ECONNREFUSED affects them all; resending them risks a duplicate, never a loss).
   */
  send(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    return this.#queue.run(() => this.#sendExclusive(frames, deadlineMs));
  }

  async #sendExclusive(frames: readonly Buffer[], deadlineMs: number): Promise<TransportOutcome> {
    if (frames.length === 0) return { confirmed: 0, bytes: 0 };
    let live: UdpLive;
    try {
      live = await this.#acquire(deadlineMs);
    } catch (err) {
      const error = toError(err);
      return {
        confirmed: 0,
        bytes: 0,
        failure: {
          kind: TransportFailureKind.connect,
          message: `UDP socket to ${this.#host}:${this.#port} failed: ${describe(error)}`,
          cause: error,
        },
      };
    }
    const { socket } = live;
    socket.ref();
    // results[i]: undefined = callback pending, null = sent, Error = failed
    const results: (Error | null | undefined)[] = new Array(frames.length).fill(undefined);
    let settled = 0;
    let sent = 0;
    let wake: (() => void) | undefined;
    for (const [index, frame] of frames.entries()) {
      if (live.error !== undefined || Date.now() >= deadlineMs) break;
      sent++;
      // The socket is connected, so no address per datagram: no per-send DNS lookup.
      socket.send(frame, (err) => {
        results[index] = err ?? null;
        settled++;
        if (!err) {
          this.stats.framesWritten++;
          this.stats.bytesWritten += frame.length;
        }
        wake?.();
      });
    }
    const stall = await this.#waitAll(
      () => settled === sent,
      (fn) => (wake = fn),
      deadlineMs,
    );
    socket.unref();

    let confirmed = 0;
    let bytes = 0;
    for (; confirmed < sent; confirmed++) {
      if (results[confirmed] !== null) break;
      bytes += frames[confirmed]?.length ?? 0;
    }
    if (confirmed === frames.length) return { confirmed, bytes };

    const firstError = results[confirmed] ?? live.error;
    let failure: TransportFailure;
    if (firstError instanceof Error) {
      failure = {
        kind: TransportFailureKind.io,
        message: `UDP send failed: ${describe(firstError)}`,
        cause: firstError,
      };
      // A socket-level error (ICMP unreachable → ECONNREFUSED) sticks to a connected socket; start over.
      this.#discard(live);
    } else if (stall !== undefined) {
      failure = stall;
      this.#discard(live);
    } else {
      failure = {
        kind: TransportFailureKind.deadline,
        message: `deadline reached after ${sent}/${frames.length} datagrams`,
      };
    }
    return { confirmed, bytes, failure };
  }

  /** Close the socket; a later `send` creates a new one. */
  async close(): Promise<void> {
    await this.#queue.idle();
    const live = this.#live;
    this.#live = undefined;
    if (live === undefined || live.closed) return;
    await new Promise<void>((resolve) => {
      live.socket.close(() => resolve());
    });
  }

  async #acquire(deadlineMs: number): Promise<UdpLive> {
    // Let a queued ICMP error surface as 'error' before judging the socket.
    await yieldToEventLoop();
    const current = this.#live;
    if (current !== undefined && current.error === undefined && !current.closed) return current;
    if (current !== undefined) this.#discard(current);
    if (Date.now() >= deadlineMs) throw new Error('deadline reached before the UDP socket was set up');
    this.stats.connectAttempts++;
    if (this.stats.connects > 0) this.stats.reconnects++;
    const socket = createSocket(isIP(this.#host) === 6 ? 'udp6' : 'udp4');
    const live: UdpLive = { socket, error: undefined, closed: false };
    socket.on('error', (err: Error) => {
      live.error ??= err;
      this.#logger.warn('syslog UDP socket error; the socket will be recreated', {
        destination: this.#name,
        error: describe(err),
      });
    });
    socket.on('close', () => {
      live.closed = true;
    });
    await new Promise<void>((resolve, reject) => {
      // connect() resolves the host once and fixes the peer; its callback gets lookup errors.
      socket.connect(this.#port, this.#host, (err?: Error) => {
        if (err) reject(err);
        else resolve();
      });
    }).catch((err: unknown) => {
      this.#discard(live);
      throw err;
    });
    socket.unref();
    this.stats.connects++;
    this.#live = live;
    return live;
  }

  #waitAll(
    done: () => boolean,
    setWake: (fn: (() => void) | undefined) => void,
    deadlineMs: number,
  ): Promise<TransportFailure | undefined> {
    if (done()) return Promise.resolve(undefined);
    const remaining = Math.max(0, deadlineMs - Date.now());
    const byDeadline = remaining < this.#writeTimeoutMs;
    return new Promise((resolve) => {
      const finish = (result: TransportFailure | undefined): void => {
        clearTimeout(timer);
        setWake(undefined);
        resolve(result);
      };
      const timer = setTimeout(
        () =>
          finish({
            kind: byDeadline ? TransportFailureKind.deadline : TransportFailureKind.timeout,
            message: byDeadline
              ? 'deadline reached while waiting for UDP send callbacks'
              : `UDP send callbacks not completed within ${this.#writeTimeoutMs} ms`,
          }),
        Math.min(remaining, this.#writeTimeoutMs),
      );
      setWake(() => {
        if (done()) finish(undefined);
      });
    });
  }

  #discard(live: UdpLive): void {
    if (this.#live === live) this.#live = undefined;
    if (live.closed) return;
    live.closed = true;
    try {
      live.socket.close();
    } catch (err) {
      // close() throws ERR_SOCKET_DGRAM_NOT_RUNNING when the socket is already closed.
      this.#logger.warn('syslog UDP socket close failed', { destination: this.#name, error: describe(toError(err)) });
    }
  }
}

export type { UdpTransportOptions };
export { UdpTransport };
