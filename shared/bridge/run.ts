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
import type { BlockList } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Bridge, type BridgeCounters } from './bridge.js';
import { type ListenAddress, startListeners } from './listeners.js';
import type { ToolLog } from './log.js';
import { Spool } from './spool.js';
import { toolSqsClient } from './sqs.js';

/** Everything `segura-relay bridge` can be told (defaults as in its `--help`). */
interface BridgeConfig {
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
  readonly allowFrom?: BlockList;
  /** @default 65_536 */
  readonly maxMessageBytes?: number;
  /** @default 256 */
  readonly maxConnections?: number;
  readonly spoolDir: string;
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
  readonly addresses: ReadonlyArray<{ transport: 'udp' | 'tcp' | 'tls'; host: string; port: number }>;
  /** one status snapshot (counters and gauges) */
  status(): Record<string, unknown>;
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
  });
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
      ...(cfg.allowFrom ? { allowFrom: cfg.allowFrom } : {}),
      sink: bridge,
    });
  } catch (e) {
    await spool.close();
    if (cfg.client === undefined) client.destroy();
    throw e;
  }
  bridge.start();
  const status = (): Record<string, unknown> => ({ ...bridge.counters, ...bridge.gauges() });
  for (const a of listeners.addresses) {
    log('info', 'listening', { transport: a.transport, host: a.host, port: a.port });
  }
  log('info', 'bridge started', {
    queueUrl: cfg.queueUrl,
    spoolDir: spool.dir,
    spoolMaxBytes: spool.maxBytes,
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
    stop() {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
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
