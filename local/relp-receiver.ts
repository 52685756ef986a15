/**
 * A loopback RELP server (plain TCP or TLS) for `npm start`, integration tests, fault tests and the
 * benchmark: the RELP counterpart of `syslog-receiver.ts`. It speaks the server side of the protocol
 * as librelp does (https://github.com/rsyslog/librelp/blob/master/src/copen.c, scsyslog.c,
 * cclose.c): answers `open` with its offers, each `syslog` with `200 OK`, `close` with an empty rsp
 * followed by the `serverclose` hint, and sends `serverclose` to every session when it stops.
 *
 * It is strict where librelp is (so a client bug shows up here, not at a customer's rsyslog): the
 * first command must be `open` offering `relp_version` and `syslog`; TXNRs must go up by exactly 1
 * per command (librelp: RELP_RET_INVALID_TXNR); no command after `close`. A violation is recorded in
 * `errors` and the connection is dropped.
 *
 * Fault knobs for tests: `respond` decides the answer per message (another code, or no answer at
 * all to simulate a stalled collector), `pause()` stops reading, `dropConnections()` resets or ends
 * the sessions, `kill()`/`restart()` a crash.
 *
 * Not for production: it keeps every message in memory.
 *
 * @example
 * ```ts
 * const rx = await startRelpReceiver({ tls: { key, cert } });
 * // … point a sink with transport 'relp' at localhost:rx.port …
 * await rx.waitFor(10, 2_000);
 * await rx.stop();
 * ```
 *
 * CLI: `npx tsx local/relp-receiver.ts --port 2514 [--tls] [--out FILE]` (TLS uses the TEST-ONLY
 * fixtures unless --key/--cert are given).
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  encodeFrame,
  nextTxnr,
  offersToString,
  parseOffers,
  RELP_MAX_DATA_BYTES,
  type RelpFrame,
  RelpFrameDecoder,
} from '../shared/deliver/syslog/relp-frame.js';

/** How to answer one `syslog` command: a code and text, or `'none'` (never answer it). */
type RelpAnswer = { readonly code: number; readonly text: string } | 'none';

/** Receiver options. */
interface RelpReceiverOptions {
  /**
   * Address to bind.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port to bind; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Server key and certificate (PEM): RELP over TLS when given, plain TCP otherwise.
   * @default plain TCP
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /**
   * Answer for the `index`-th syslog command received (0-based, across connections and restarts).
   * Messages answered 200 go to `messages`, others to `refused`, unanswered ones to `unanswered`.
   * @default always `{ code: 200, text: 'OK' }`
   */
  readonly respond?: (message: string, index: number) => RelpAnswer;
  /**
   * Called for every message answered 200, in order.
   * @default no callback
   */
  readonly onMessage?: (message: string) => void;
  /**
   * Append every message answered 200, plus LF, to this file.
   * @default no file
   */
  readonly outFile?: string;
  /**
   * Largest DATALEN accepted from a client.
   * @default 131_072
   */
  readonly maxDataBytes?: number;
}

/** A running RELP receiver. Counters survive `kill()`/`restart()`. */
interface RelpReceiver {
  /** bound port (stable across restart) */
  readonly port: number;
  /** messages answered 200, in order */
  readonly messages: string[];
  /** messages answered with another code, with the answer */
  readonly refused: Array<{ message: string; code: number; text: string }>;
  /** messages never answered (`respond` returned 'none') */
  readonly unanswered: string[];
  /** TCP connections accepted */
  readonly connections: number;
  /** RELP sessions opened (`open` answered) */
  readonly sessions: number;
  /** `close` commands received */
  readonly closes: number;
  /** protocol violations, TLS and socket errors, as text */
  readonly errors: string[];
  /** resolve once `messages.length >= count`; reject after `timeoutMs` */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  /** stop reading (the client sees no answers, then backpressure) */
  pause(): void;
  resume(): void;
  /** `reset` = RST, `end` = FIN without serverclose, `serverclose` = the hint, then FIN */
  dropConnections(mode: 'reset' | 'end' | 'serverclose'): void;
  /** graceful: serverclose to every session, stop listening, flush the out file */
  stop(): Promise<void>;
  /** abrupt, like a crash: destroy every connection, stop listening */
  kill(): Promise<void>;
  /** listen again on the same port after stop()/kill() */
  restart(): Promise<void>;
}

const STOP_GRACE_MS = 2_000;
const SERVER_OFFERS = offersToString([
  ['relp_version', ['0']],
  ['relp_software', ['segura-relp-receiver']],
  ['commands', ['syslog']],
]);

/**
 * Start a RELP receiver and resolve once it listens.
 */
async function startRelpReceiver(options: RelpReceiverOptions = {}): Promise<RelpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const maxDataBytes = options.maxDataBytes ?? RELP_MAX_DATA_BYTES;
  const messages: string[] = [];
  const refused: Array<{ message: string; code: number; text: string }> = [];
  const unanswered: string[] = [];
  const errors: string[] = [];
  const raw = new Set<Socket>();
  const app = new Set<Socket | TLSSocket>();
  const waiters = new Set<() => void>();
  let connections = 0;
  let sessions = 0;
  let closes = 0;
  let received = 0;
  let paused = false;
  let port = options.port ?? 0;
  let server: Server | undefined;
  const out: WriteStream | undefined =
    options.outFile === undefined ? undefined : createWriteStream(options.outFile, { flags: 'a' });

  const accepted = (message: string): void => {
    messages.push(message);
    out?.write(`${message}\n`);
    options.onMessage?.(message);
    for (const w of waiters) w();
  };

  const handle = (socket: Socket | TLSSocket): void => {
    app.add(socket);
    // answers are small and the client waits for them: no Nagle delay
    socket.setNoDelay(true);
    const decoder = new RelpFrameDecoder({ maxDataBytes });
    /** TXNR the next command must carry; undefined until the first one */
    let expected: number | undefined;
    let open = false;
    let closed = false;
    // answers to one read go out in one write, as librelp's send queue does
    let answers: Buffer[] = [];
    const answer = (txnr: number, data: string): void => {
      answers.push(encodeFrame(txnr, 'rsp', data));
    };
    const flush = (): void => {
      if (answers.length === 0 || socket.destroyed) return;
      socket.write(answers.length === 1 ? (answers[0] as Buffer) : Buffer.concat(answers));
      answers = [];
    };
    const violation = (what: string): void => {
      errors.push(`RELP protocol violation: ${what}`);
      // the answers so far (a 500 explaining the violation included) still go out, then the end
      flush();
      socket.destroy();
    };
    const onFrame = (f: RelpFrame): void => {
      if (f.txnr === 0) return; // client hints: nothing defined, ignored as librelp does
      if (expected !== undefined && f.txnr !== expected) {
        violation(`TXNR ${f.txnr}, expected ${expected}`);
        return;
      }
      expected = nextTxnr(f.txnr);
      if (closed) {
        violation(`command "${f.command}" after close`);
        return;
      }
      if (!open && f.command !== 'open') {
        violation(`command "${f.command}" before open`);
        return;
      }
      switch (f.command) {
        case 'open': {
          if (open) {
            answer(f.txnr, '500 protocol error: connection already open');
            violation('second open on one session');
            return;
          }
          const offers = parseOffers(f.data.toString('utf8'));
          if (!offers.has('relp_version')) {
            answer(f.txnr, '500 error: no relp_version offer');
            violation('open without relp_version');
            return;
          }
          if (!(offers.get('commands') ?? []).includes('syslog')) {
            answer(f.txnr, '500 required command not supported by client');
            violation('open without commands=syslog');
            return;
          }
          open = true;
          sessions++;
          answer(f.txnr, `200 OK\n${SERVER_OFFERS}`);
          return;
        }
        case 'syslog': {
          const message = f.data.toString('utf8');
          const a = options.respond?.(message, received) ?? { code: 200, text: 'OK' };
          received++;
          if (a === 'none') {
            unanswered.push(message);
            return;
          }
          if (a.code === 200) accepted(message);
          else refused.push({ message, code: a.code, text: a.text });
          answer(f.txnr, `${a.code} ${a.text}`);
          return;
        }
        case 'close':
          closed = true;
          closes++;
          answer(f.txnr, '');
          answers.push(encodeFrame(0, 'serverclose'));
          flush();
          socket.end();
          return;
        default:
          answer(f.txnr, `500 command "${f.command}" not supported`);
          violation(`unknown command "${f.command}"`);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: RelpFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        violation(err instanceof Error ? err.message : String(err));
        return;
      }
      for (const f of frames) {
        if (socket.destroyed) return; // a crash (kill) in onMessage ends processing mid-chunk
        onFrame(f);
      }
      flush();
    });
    socket.on('end', () => {
      if (!decoder.idle) errors.push('connection ended inside a RELP frame');
    });
    socket.on('error', (err: Error) => {
      errors.push(`socket error: ${err.message}`);
    });
    socket.on('close', () => app.delete(socket));
    if (paused) socket.pause();
  };

  const listen = async (): Promise<void> => {
    let srv: Server;
    if (options.tls !== undefined) {
      const tlsServer = createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handle);
      tlsServer.on('tlsClientError', (err: Error) => errors.push(`tls handshake error: ${err.message}`));
      srv = tlsServer;
    } else {
      srv = createTcpServer(handle);
    }
    srv.on('connection', (socket: Socket) => {
      connections++;
      raw.add(socket);
      socket.on('close', () => raw.delete(socket));
      // an RST during a TLS handshake must not become an unhandled 'error'
      socket.on('error', (err: Error) => {
        if (options.tls !== undefined) errors.push(`raw socket error: ${err.message}`);
      });
    });
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
    const srv = server;
    server = undefined;
    if (srv !== undefined) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };

  await listen();

  return {
    get port() {
      return port;
    },
    messages,
    refused,
    unanswered,
    get connections() {
      return connections;
    },
    get sessions() {
      return sessions;
    },
    get closes() {
      return closes;
    },
    errors,
    waitFor(count, timeoutMs) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
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
      for (const s of app) s.pause();
    },
    resume() {
      paused = false;
      for (const s of app) s.resume();
    },
    dropConnections(mode) {
      if (mode === 'serverclose') {
        for (const s of app) s.end(encodeFrame(0, 'serverclose'));
        return;
      }
      for (const s of raw) {
        if (mode === 'reset') s.resetAndDestroy();
        else s.end();
      }
    },
    async stop() {
      paused = false;
      const closing = closeListener();
      // librelp's server tells each session it is going (the serverclose hint), then closes it
      for (const s of app) s.resume().end(encodeFrame(0, 'serverclose'));
      const grace = setTimeout(() => {
        for (const s of raw) s.destroy();
      }, STOP_GRACE_MS);
      await closing;
      clearTimeout(grace);
      if (out !== undefined) await new Promise<void>((resolve) => out.end(() => resolve()));
    },
    async kill() {
      const closing = closeListener();
      for (const s of app) s.destroy();
      for (const s of raw) s.destroy();
      await closing;
    },
    async restart() {
      if (server !== undefined) throw new Error('restart: receiver is still running');
      await listen();
    },
  };
}

/** `npx tsx local/relp-receiver.ts --port 2514 [--tls]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '2514' },
      tls: { type: 'boolean', default: false },
      key: { type: 'string' },
      cert: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const fixtures = fileURLToPath(new URL('../test/fixtures/tls/', import.meta.url));
  const receiver = await startRelpReceiver({
    host: values.host,
    port: Number(values.port),
    ...(values.tls
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
  process.stderr.write(
    `RELP receiver (${values.tls ? 'TLS' : 'plain TCP'}) listening on ${values.host}:${receiver.port}\n`,
  );
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

export type { RelpAnswer, RelpReceiver, RelpReceiverOptions };
export { startRelpReceiver };
