/**
 * Wiring of a running bridge (used by `segura-relay bridge` and the integration tests): spool,
 * SQS client, sender, listeners, periodic status line and final summary.
 *
 * @example
 * ```ts
 * const b = await startBridge({ queueUrl, endpoint: 'http://127.0.0.1:4566', udp: [{ host: '127.0.0.1', port: 5514 }],
 *   spoolDir: '/tmp/spool' }, jsonLineLogger(process.stderr));
 * // … SIGTERM …
 * const counters = await b.stop();
 * ```
 */
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Bridge, type BridgeCounters } from './bridge.js';
import { type ListenAddress, type ListenerOptions, type ListenerStats, startListeners } from './listeners.js';
import type { ToolLog } from './log.js';
import { RejectedFile } from './rejected.js';
import { Spool } from './spool.js';
import { toolSqsClient } from './sqs.js';

/** The listeners' limits the bridge passes through as given (their defaults are the listeners'). */
type ListenerLimits = Pick<
  ListenerOptions,
  | 'allowFrom'
  | 'maxConnectionsPerSource'
  | 'idleTimeoutMs'
  | 'frameTimeoutMs'
  | 'maxLifetimeMs'
  | 'tlsHandshakeTimeoutMs'
  | 'closeGraceMs'
  | 'evictMinIdleMs'
  | 'partialBudgetBytes'
  | 'udpReceiveBufferBytes'
>;

/** Everything `segura-relay bridge` can be told (defaults as in its `--help`). */
interface BridgeConfig extends ListenerLimits {
  readonly queueUrl: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly udp?: readonly ListenAddress[];
  readonly tcp?: readonly ListenAddress[];
  readonly tls?: readonly ListenAddress[];
  /** PEM key/cert (and CA to require client certificates) for TLS listeners */
  readonly tlsMaterial?: {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly ca?: string | Buffer;
  };
  /** @default 65_536 */
  readonly maxMessageBytes?: number;
  /** per TCP/TLS listener @default 256 */
  readonly maxConnections?: number;
  /** how often the kernel's UDP drop counters are read @default 5_000 */
  readonly udpDropPollMs?: number;
  readonly spoolDir: string;
  /** messages SQS refuses for good @default <spoolDir>/rejected.ndjson */
  readonly rejectedFile?: string;
  /** @default 16 MiB */
  readonly rejectedMaxBytes?: number;
  /** @default 268_435_456 (256 MiB) */
  readonly spoolMaxBytes?: number;
  /** @default false */
  readonly spoolAlways?: boolean;
  /** @default 50 */
  readonly fsyncIntervalMs?: number;
  /** @default 8 MiB */
  readonly memoryMaxBytes?: number;
  /** @default 5 */
  readonly lingerMs?: number;
  /** @default 1 MiB */
  readonly maxBatchBytes?: number;
  /** @default 200 */
  readonly retryBaseMs?: number;
  /** @default 10_000 */
  readonly retryMaxMs?: number;
  /** @default 15_000 */
  readonly requestTimeoutMs?: number;
  /** @default 60_000; 0 disables the status line */
  readonly statusIntervalMs?: number;
  /** @default 5_000 */
  readonly shutdownTimeoutMs?: number;
  /** FIFO queues (URL ending in .fifo): MessageGroupId @default 'segura-bridge' */
  readonly groupId?: string;
  /** @default 10_000 */
  readonly logIntervalMs?: number;
  /** tests inject a client; otherwise built from endpoint/region */
  readonly client?: SQSClient;
}

/** A running bridge. */
interface RunningBridge {
  readonly bridge: Bridge;
  readonly addresses: ReadonlyArray<{
    transport: 'udp' | 'tcp' | 'tls';
    host: string;
    port: number;
    receiveBufferBytes?: number;
  }>;
  /** one status snapshot (counters and gauges) */
  status(): Record<string, unknown>;
  /** the listeners' gauges (connections, partial-frame memory, reads, UDP drops) */
  listenerStats(): ListenerStats;
  /**
   * Stop listening, flush (bounded by `shutdownTimeoutMs`), spool the rest, close the spool, log
   * the summary and return the counters.
   */
  stop(): Promise<BridgeCounters>;
}

/**
 * Start a bridge; rejects (cleaning up) when a listener cannot bind or the spool is locked.
 */
async function startBridge(cfg: BridgeConfig, log: ToolLog): Promise<RunningBridge> {
  const spool = await Spool.open({
    dir: cfg.spoolDir,
    maxBytes: cfg.spoolMaxBytes ?? 256 * 2 ** 20,
    fsyncIntervalMs: cfg.fsyncIntervalMs ?? 50,
    log: (level, msg, fields) => log(level, msg, fields),
    logIntervalMs: cfg.logIntervalMs ?? 10_000,
  });
  let rejected: RejectedFile;
  try {
    rejected = await RejectedFile.open({
      path: cfg.rejectedFile ?? join(spool.dir, 'rejected.ndjson'),
      maxBytes: cfg.rejectedMaxBytes ?? 16 * 2 ** 20,
    });
  } catch (e) {
    await spool.close();
    throw e;
  }
  const client =
    cfg.client ??
    toolSqsClient({
      ...(cfg.endpoint !== undefined ? { endpoint: cfg.endpoint } : {}),
      ...(cfg.region !== undefined ? { region: cfg.region } : {}),
      queueUrl: cfg.queueUrl,
      requestTimeoutMs: cfg.requestTimeoutMs ?? 15_000,
    });
  const fifo = /\.fifo$/.test(cfg.queueUrl);
  const bridge = new Bridge({
    client,
    queueUrl: cfg.queueUrl,
    spool,
    log,
    rejected,
    maxMessageBytes: cfg.maxMessageBytes ?? 65_536,
    maxBatchBytes: cfg.maxBatchBytes ?? 1_048_576,
    lingerMs: cfg.lingerMs ?? 5,
    memoryMaxBytes: cfg.memoryMaxBytes ?? 8 * 2 ** 20,
    retryBaseMs: cfg.retryBaseMs ?? 200,
    retryMaxMs: cfg.retryMaxMs ?? 10_000,
    spoolAlways: cfg.spoolAlways ?? false,
    logIntervalMs: cfg.logIntervalMs ?? 10_000,
    ...(fifo ? { fifoGroupId: cfg.groupId ?? 'segura-bridge' } : {}),
  });
  let listeners: Awaited<ReturnType<typeof startListeners>>;
  try {
    listeners = await startListeners({
      ...(cfg.udp ? { udp: cfg.udp } : {}),
      ...(cfg.tcp ? { tcp: cfg.tcp } : {}),
      ...(cfg.tls ? { tls: cfg.tls } : {}),
      ...(cfg.tlsMaterial ? { tlsOptions: cfg.tlsMaterial } : {}),
      maxMessageBytes: cfg.maxMessageBytes ?? 65_536,
      maxConnections: cfg.maxConnections ?? 256,
      // an unset limit stays undefined: the listeners apply their own default (`??`)
      allowFrom: cfg.allowFrom,
      maxConnectionsPerSource: cfg.maxConnectionsPerSource,
      idleTimeoutMs: cfg.idleTimeoutMs,
      frameTimeoutMs: cfg.frameTimeoutMs,
      maxLifetimeMs: cfg.maxLifetimeMs,
      tlsHandshakeTimeoutMs: cfg.tlsHandshakeTimeoutMs,
      closeGraceMs: cfg.closeGraceMs,
      evictMinIdleMs: cfg.evictMinIdleMs,
      partialBudgetBytes: cfg.partialBudgetBytes,
      udpReceiveBufferBytes: cfg.udpReceiveBufferBytes,
      sink: bridge,
    });
  } catch (e) {
    await spool.close();
    if (cfg.client === undefined) client.destroy();
    throw e;
  }
  bridge.start();
  const status = (): Record<string, unknown> => {
    const l = listeners.stats();
    return {
      ...bridge.counters,
      ...bridge.gauges(),
      openConnections: l.openConnections,
      partialBytes: l.partialBytes,
      partialBytesPeak: l.partialBytesPeak,
      rejectedFileBytes: rejected.bytes,
    };
  };
  const askedUdpBuffer = cfg.udpReceiveBufferBytes ?? 4_194_304;
  for (const a of listeners.addresses) {
    log('info', 'listening', {
      transport: a.transport,
      host: a.host,
      port: a.port,
      ...(a.receiveBufferBytes !== undefined ? { receiveBufferBytes: a.receiveBufferBytes } : {}),
    });
    if (a.receiveBufferBytes !== undefined && a.receiveBufferBytes < askedUdpBuffer) {
      log('warn', 'UDP receive buffer smaller than asked: the kernel caps it (raise net.core.rmem_max)', {
        asked: askedUdpBuffer,
        granted: a.receiveBufferBytes,
      });
    }
  }
  const hasUdp = listeners.addresses.some((a) => a.transport === 'udp');
  if (hasUdp && listeners.stats().udpDrops === null) {
    log('info', 'the kernel does not show UDP drops on this platform: datagrams it drops cannot be counted');
  }
  const dropPoll = hasUdp ? setInterval(() => listeners.stats(), cfg.udpDropPollMs ?? 5_000) : null;
  dropPoll?.unref();
  log('info', 'bridge started', {
    queueUrl: cfg.queueUrl,
    spoolDir: spool.dir,
    spoolMaxBytes: spool.maxBytes,
    rejectedFile: rejected.path,
    mode: bridge.mode,
    ...(fifo ? { fifoGroupId: cfg.groupId ?? 'segura-bridge' } : {}),
  });
  const every = cfg.statusIntervalMs ?? 60_000;
  const timer = every > 0 ? setInterval(() => log('info', 'status', status()), every) : null;
  timer?.unref();
  let stopping: Promise<BridgeCounters> | null = null;
  return {
    bridge,
    addresses: listeners.addresses,
    status,
    listenerStats: () => listeners.stats(),
    stop() {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
        if (dropPoll) clearInterval(dropPoll);
        log('info', 'stopping: closing listeners, flushing', { memoryMessages: bridge.gauges().memoryMessages });
        await listeners.close();
        await bridge.shutdown(cfg.shutdownTimeoutMs ?? 5_000);
        await spool.close();
        if (cfg.client === undefined) client.destroy();
        log('info', 'summary', status());
        return bridge.counters;
      })();
      return stopping;
    },
  };
}

export type { BridgeConfig, RunningBridge };
export { startBridge };
