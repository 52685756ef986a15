/**
 * A loopback syslog receiver for local runs and integration tests: TLS (RFC 5425), TCP (RFC 6587
 * octet counting or LF) or UDP (RFC 5426). It parses frames strictly, by bytes, so a sender that counts
 * characters instead of octets is caught here rather than at a customer's syslog-ng.
 *
 * Not for production: it keeps every message in memory.
 *
 * @example
 * ```ts
 * const rx = await startSyslogReceiver({ transport: 'tls', tls: { key, cert } });
 * // … point a sink at 127.0.0.1:rx.port, send …
 * await rx.waitFor(10, 2_000);
 * expect(rx.messages).toEqual(lines);
 * await rx.stop();
 * ```
 *
 * CLI (prints each message; TLS uses the TEST-ONLY fixtures unless --key/--cert are given):
 * `npx tsx local/syslog-receiver.ts --transport tls --port 6514 [--framing lf] [--out .relay-local/syslog.log]`
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Receiver options. */
interface SyslogReceiverOptions {
  /** listener kind */
  readonly transport: 'tls' | 'tcp' | 'udp';
  /**
   * Address to bind.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port to bind; 0 picks a free one (read it back from {@link SyslogReceiver.port}).
   * @default 0
   */
  readonly port?: number;
  /**
   * Stream framing (ignored for UDP): strict RFC 6587 §3.4.1 octet counting, or LF-terminated lines.
   * @default 'octet'
   */
  readonly framing?: 'octet' | 'lf';
  /** server key and certificate (PEM); required for `tls` */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /**
   * Called for every decoded message, in arrival order. May call `kill()` to simulate a crash after
   * the N-th frame: the rest of that read is then discarded, as a crashed process would.
   * @default no callback
   */
  readonly onMessage?: (message: string) => void;
  /**
   * Append every message plus LF to this file.
   * @default no file
   */
  readonly outFile?: string;
  /**
   * Largest accepted octet-counted frame, in bytes; bigger is a framing error.
   * @default 1_048_576
   */
  readonly maxFrameBytes?: number;
}

/** A running receiver. Counters survive `kill()`/`restart()`, so tests can check the union. */
interface SyslogReceiver {
  /** bound port (stable across restart) */
  readonly port: number;
  /** decoded messages in arrival order, across restarts */
  readonly messages: string[];
  /** TCP connections accepted (for TLS: including failed handshakes), across restarts */
  readonly connections: number;
  /** application bytes received (after TLS decryption) */
  readonly bytes: number;
  /** framing errors, TLS handshake errors and socket errors, as text */
  readonly errors: string[];
  /** resolve once `messages.length >= count`; reject after `timeoutMs` with what did arrive */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  /** stop reading from current and new connections (the sender sees backpressure) */
  pause(): void;
  /** read again */
  resume(): void;
  /** close current connections but keep listening: `end` = FIN, `reset` = RST (like an NLB idle drop) */
  dropConnections(mode: 'end' | 'reset'): void;
  /** graceful: stop listening, end connections, flush the out file */
  stop(): Promise<void>;
  /** abrupt, like a crash: destroy every connection and stop listening */
  kill(): Promise<void>;
  /** listen again on the same port after `stop()`/`kill()` */
  restart(): Promise<void>;
}

const DEFAULT_MAX_FRAME_BYTES = 1_048_576;
const STOP_GRACE_MS = 2_000;
const SP = 0x20;
const LF = 0x0a;
// 10 digits cover any frame up to 9,999,999,999 bytes; longer headers are garbage, not big frames.
const MAX_HEADER_DIGITS = 10;

/**
 * Strict RFC 6587 §3.4.1 decoder: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN = NONZERO-DIGIT *DIGIT in octets.
 * Bodies are assembled into one preallocated buffer, so large frames cost O(n), not O(n²).
 */
class OctetCountingDecoder {
  readonly #maxFrameBytes: number;
  #header = '';
  #body: Buffer | undefined;
  #filled = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Decode what `chunk` completes. Throws on a malformed header: the stream cannot be resynchronised. */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#body === undefined) {
        const byte = chunk[offset++] as number;
        if (byte === SP) {
          if (this.#header === '') throw new Error('octet-counting: frame starts with SP, expected MSG-LEN');
          const length = Number(this.#header);
          if (length > this.#maxFrameBytes) {
            throw new Error(`octet-counting: MSG-LEN ${length} exceeds maxFrameBytes ${this.#maxFrameBytes}`);
          }
          this.#header = '';
          this.#body = Buffer.allocUnsafe(length);
          this.#filled = 0;
          continue;
        }
        const isDigit = byte >= 0x30 && byte <= 0x39;
        if (!isDigit || (this.#header === '' && byte === 0x30) || this.#header.length >= MAX_HEADER_DIGITS) {
          const shown = JSON.stringify(this.#header + String.fromCharCode(byte));
          throw new Error(`octet-counting: invalid frame header ${shown} (expected NONZERO-DIGIT *DIGIT SP)`);
        }
        this.#header += String.fromCharCode(byte);
        continue;
      }
      const take = Math.min(this.#body.length - this.#filled, chunk.length - offset);
      chunk.copy(this.#body, this.#filled, offset, offset + take);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#body.length) {
        out.push(this.#body.toString('utf8'));
        this.#body = undefined;
      }
    }
    return out;
  }

  /** true when the stream ended between frames */
  get idle(): boolean {
    return this.#body === undefined && this.#header === '';
  }
}

/** RFC 6587 §3.4.2 non-transparent framing with LF as the trailer. */
class LfDecoder {
  #pending: Buffer[] = [];

  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = 0;
    let at = chunk.indexOf(LF, start);
    while (at !== -1) {
      const piece = chunk.subarray(start, at);
      const line = this.#pending.length > 0 ? Buffer.concat([...this.#pending, piece]) : piece;
      this.#pending = [];
      out.push(line.toString('utf8'));
      start = at + 1;
      at = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.#pending.push(chunk.subarray(start));
    return out;
  }

  get idle(): boolean {
    return this.#pending.length === 0;
  }
}

/**
 * Start a receiver and resolve once it listens.
 *
 * @throws {Error} when `transport` is `tls` without `tls.key`/`tls.cert`
 */
async function startSyslogReceiver(options: SyslogReceiverOptions): Promise<SyslogReceiver> {
  const host = options.host ?? '127.0.0.1';
  const framing = options.framing ?? 'octet';
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (options.transport === 'tls' && options.tls === undefined) {
    throw new Error("startSyslogReceiver: transport 'tls' needs tls.key and tls.cert");
  }
  const messages: string[] = [];
  const errors: string[] = [];
  const rawSockets = new Set<Socket>();
  const appSockets = new Set<Socket | TLSSocket>();
  const waiters = new Set<() => void>();
  let connections = 0;
  let bytes = 0;
  let paused = false;
  // Set by stop(): a TLS 1.3 client can finish its side of the handshake (and send) before our
  // 'secureConnection' fires, so a graceful stop must also end connections that complete later.
  let stopping = false;
  let port = options.port ?? 0;
  let server: Server | undefined;
  let udp: UdpSocket | undefined;
  const out: WriteStream | undefined =
    options.outFile === undefined ? undefined : createWriteStream(options.outFile, { flags: 'a' });

  const record = (message: string): void => {
    messages.push(message);
    out?.write(`${message}\n`);
    options.onMessage?.(message);
    for (const waiter of waiters) waiter();
  };

  const handleStream = (socket: Socket | TLSSocket): void => {
    appSockets.add(socket);
    const decoder = framing === 'octet' ? new OctetCountingDecoder(maxFrameBytes) : new LfDecoder();
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      let decoded: string[];
      try {
        decoded = decoder.push(chunk);
      } catch (err) {
        // Strict: a bad header means we lost sync with the sender; record it and drop the connection,
        // as syslog-ng does ("Invalid frame header").
        errors.push(err instanceof Error ? err.message : String(err));
        socket.destroy();
        return;
      }
      for (const message of decoded) {
        // onMessage may have killed us mid-chunk: a crashed process never processes the rest.
        if (socket.destroyed) return;
        record(message);
      }
    });
    socket.on('end', () => {
      if (!decoder.idle) errors.push('connection ended inside a frame');
    });
    socket.on('error', (err: Error) => {
      errors.push(`socket error: ${err.message}`);
    });
    socket.on('close', () => {
      appSockets.delete(socket);
    });
    if (paused) socket.pause();
    if (stopping) socket.end();
  };

  const trackRaw = (socket: Socket): void => {
    connections++;
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    // Errors on the raw socket are also reported on the TLS socket or via tlsClientError; this handler
    // only keeps an RST during a handshake from becoming an unhandled 'error'.
    socket.on('error', (err: Error) => {
      if (options.transport === 'tcp') return;
      errors.push(`raw socket error: ${err.message}`);
    });
  };

  const listen = async (): Promise<void> => {
    if (options.transport === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.on('message', (datagram: Buffer) => {
        bytes += datagram.length;
        // pause() does not apply: UDP has no flow control, so a "paused" UDP receiver would just lose data.
        record(datagram.toString('utf8'));
      });
      socket.on('error', (err: Error) => {
        errors.push(`udp error: ${err.message}`);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      port = socket.address().port;
      udp = socket;
      return;
    }
    let srv: Server;
    if (options.transport === 'tls' && options.tls !== undefined) {
      const tlsServer = createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handleStream);
      tlsServer.on('tlsClientError', (err: Error) => {
        errors.push(`tls handshake error: ${err.message}`);
      });
      srv = tlsServer;
    } else {
      srv = createTcpServer(handleStream);
    }
    srv.on('connection', trackRaw);
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    const address = srv.address();
    if (address !== null && typeof address === 'object') port = address.port;
    server = srv;
  };

  const closeListener = async (): Promise<void> => {
    if (udp !== undefined) {
      const socket = udp;
      udp = undefined;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
    if (server !== undefined) {
      const srv = server;
      server = undefined;
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  };

  await listen();

  return {
    get port() {
      return port;
    },
    messages,
    get connections() {
      return connections;
    },
    get bytes() {
      return bytes;
    },
    errors,
    waitFor(count: number, timeoutMs: number): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waitFor(${count}): only ${messages.length} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    pause() {
      paused = true;
      for (const socket of appSockets) socket.pause();
    },
    resume() {
      paused = false;
      for (const socket of appSockets) socket.resume();
    },
    dropConnections(mode: 'end' | 'reset') {
      for (const raw of rawSockets) {
        if (mode === 'reset') raw.resetAndDestroy();
        else raw.end();
      }
    },
    async stop() {
      stopping = true;
      paused = false;
      const closing = closeListener();
      // Read to EOF: a paused socket never sees the sender's FIN, and the listener only closes once
      // every connection has.
      for (const socket of appSockets) socket.resume().end();
      // Bounded: a client that never answers our FIN must not hang the caller.
      const grace = setTimeout(() => {
        for (const raw of rawSockets) raw.destroy();
      }, STOP_GRACE_MS);
      await closing;
      clearTimeout(grace);
      if (out !== undefined) await new Promise<void>((resolve) => out.end(() => resolve()));
    },
    async kill() {
      const closing = closeListener();
      for (const socket of appSockets) socket.destroy();
      for (const raw of rawSockets) raw.destroy();
      await closing;
    },
    async restart() {
      if (server !== undefined || udp !== undefined) throw new Error('restart: receiver is still running');
      stopping = false;
      await listen();
    },
  };
}

/** `npx tsx local/syslog-receiver.ts --transport tcp --port 5514` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transport: { type: 'string', default: 'tls' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '6514' },
      framing: { type: 'string', default: 'octet' },
      key: { type: 'string' },
      cert: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const transport = values.transport;
  const framing = values.framing;
  if (transport !== 'tls' && transport !== 'tcp' && transport !== 'udp') throw new Error('--transport tls|tcp|udp');
  if (framing !== 'octet' && framing !== 'lf') throw new Error('--framing octet|lf');
  const fixtures = fileURLToPath(new URL('../test/fixtures/tls/', import.meta.url));
  const receiver = await startSyslogReceiver({
    transport,
    framing,
    host: values.host,
    port: Number(values.port),
    ...(transport === 'tls'
      ? {
          tls: {
            key: readFileSync(values.key ?? `${fixtures}server.key`),
            cert: readFileSync(values.cert ?? `${fixtures}server.pem`),
          },
        }
      : {}),
    ...(values.out === undefined ? {} : { outFile: values.out }),
    onMessage: (message) => process.stdout.write(`${message}\n`),
  });
  process.stderr.write(`syslog receiver (${transport}, ${framing}) listening on ${values.host}:${receiver.port}\n`);
  process.once('SIGINT', () => {
    receiver.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

export type { SyslogReceiver, SyslogReceiverOptions };
export { LfDecoder, OctetCountingDecoder, startSyslogReceiver };
