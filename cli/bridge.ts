/**
 * `segura-relay bridge`: receive the vault's native syslog (UDP, TCP, TLS) and send each message to
 * the relay's ingest queue, spooling to disk while SQS is unreachable. A long-lived process; see
 * docs/operator-tools.md (systemd unit, walkthrough).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ListenAddress, parseAllowList, parseListenAddress } from '../bridge/listeners.js';
import { jsonLineLogger } from '../bridge/log.js';
import { type BridgeConfig, startBridge } from '../bridge/run.js';
import { SpoolLockedError } from '../bridge/spool.js';
import { errorMessage } from '../shared/errors.js';
import { intOption, parse, UsageError } from './args.js';
import { emfLine, serveHealth } from './bridge-ops.js';

const HELP = `Usage: segura-relay bridge --queue-url URL (--udp ADDR | --tcp ADDR | --tls ADDR)... [options]

Receives the vault's syslog (RFC 5424, the vault's own lines without STRUCTURED-DATA, CEF) and sends
each message, unchanged, as one SQS message to the relay's ingest queue (SendMessageBatch, up to 10
messages per call). While SQS is unreachable it spools to a bounded on-disk journal and replays it
in order when SQS is back. Logs JSON lines on stderr; SIGTERM/SIGINT flushes and exits 0 (a second
signal exits at once).

Listeners (repeatable; ADDR is PORT, HOST:PORT or [IPv6]:PORT; HOST defaults to 0.0.0.0):
  --udp ADDR               syslog over UDP (RFC 5426), e.g. --udp 514
  --tcp ADDR               syslog over TCP (RFC 6587: octet counting or LF, detected per frame)
  --tls ADDR               syslog over TLS (RFC 5425), needs --tls-cert and --tls-key
  --tls-cert FILE          server certificate chain (PEM)
  --tls-key FILE           server private key (PEM)
  --tls-ca FILE            require client certificates signed by this CA (mutual TLS)
  --allow-from LIST        only accept these peers: comma-separated IPs or CIDRs (default: any)
  --max-message-bytes N    larger messages are dropped and counted (default 65536; the vault sends <= 1024)
  --udp-receive-buffer SIZE  UDP socket receive buffer (default 4MiB; capped by net.core.rmem_max)

Connection limits (TCP/TLS; refused, evicted and timed-out connections are counted and logged):
  --max-connections N      per listener (default 256); when full, an idle connection (no complete
                           message, or none for 1 s) of the source holding the most is closed to make
                           room, if that source holds at least as many as the newcomer's would
  --max-connections-per-source N  per peer address and listener (default 32, or half of
                           --max-connections below 64)
  --idle-timeout S         close a connection silent for S seconds (default 600)
  --frame-timeout S        close a connection stuck inside one message for S seconds (default 30)
  --max-connection-lifetime S  close any connection after S seconds; the peer reconnects (default 3600)
  --tls-handshake-timeout S    (default 10)
  --partial-budget-bytes SIZE  memory for partial messages across all connections (default 16MiB)

SQS:
  --queue-url URL          the relay's ingest queue (required)
  --region R               AWS region (default: the queue URL's, then AWS_REGION / profile)
  --endpoint-url URL       SQS endpoint (local emulators, VPC endpoints)
  --group-id ID            MessageGroupId for a FIFO queue (default segura-bridge)
  --linger-ms N            wait up to N ms to fill a batch of 10 (default 5)
  --retry-max-ms N         longest backoff between retries (default 10000)
  --request-timeout-ms N   abort an SQS call after N ms (default 15000)

Spool (on-disk journal):
  --spool-dir DIR          default $STATE_DIRECTORY (systemd) or ./.segura-bridge-spool
  --spool-max-bytes SIZE   bound on the journal, e.g. 256MiB, 2GiB (default 256MiB). When full,
                           new messages are dropped with an error log and the droppedSpoolFull count
  --spool-always           journal every message before sending (survives a crash; default: only
                           while SQS is unreachable or slow)
  --fsync-interval-ms N    journal writes are fsynced together at least this often (default 50)
  --memory-max-bytes SIZE  in-memory queue high-water mark before spooling (default 8MiB)
  --rejected-file FILE     messages SQS refuses for good are kept here as NDJSON (default
                           SPOOL_DIR/rejected.ndjson); resend with: segura-relay send --rejected FILE
  --rejected-max-bytes SIZE  bound on that file (default 16MiB); beyond it they are counted and logged

Operation:
  --status-interval S      status line every S seconds, 0 = never (default 60)
  --shutdown-timeout S     on SIGTERM, try this long to deliver what is held (default 5)
  --health-port ADDR       HTTP health check (GET /): 200 while the bridge can keep what it receives,
                           503 when SQS keeps failing and the spool is 90% full
  --metrics-emf NAMESPACE  also write CloudWatch embedded-metric-format lines on stdout, one per
                           status interval (default 60 s; counters as deltas): MessagesReceived,
                           MessagesSent, MessagesRejected, MessagesDropped, SqsErrors, SpoolBytes,
                           SpoolMessages, OpenConnections, Spooling
  --metrics-service NAME   the metrics' Service dimension (default segura-bridge)
  -h, --help               this help

Exit status: 0 stopped by a signal, 1 could not start (port in use, spool locked), 2 usage error.`;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 2 ** 20,
  mb: 1e6,
  mib: 2 ** 20,
  g: 2 ** 30,
  gb: 1e9,
  gib: 2 ** 30,
};

/**
 * `256MiB`, `2G`, `1048576` → bytes.
 * @throws {UsageError} naming the option
 */
function sizeOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(v.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  const n = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name}: a size ${min}–${max} bytes (e.g. 64KiB, 256MiB), got ${JSON.stringify(v)}`);
  }
  return n;
}

function addresses(name: string, values: string[] | undefined): ListenAddress[] {
  return (values ?? []).map((v) => {
    try {
      return parseListenAddress(v);
    } catch (e) {
      throw new UsageError(`--${name}: ${errorMessage(e)}`);
    }
  });
}

function queueUrlOption(v: string | undefined): string {
  if (v === undefined) throw new UsageError('--queue-url is required (the relay ingest queue URL)');
  // a regex, not new URL(): emulator hosts like sqs.us-east-1.127.0.0.1 are not valid WHATWG hosts
  if (!/^https?:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(v)) {
    throw new UsageError(
      `--queue-url: expected https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function readPem(name: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`--${name}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
}

/** What the bridge tells a container platform (cli/bridge-ops.ts). */
interface BridgeOps {
  readonly health?: ListenAddress;
  readonly metrics?: { readonly namespace: string; readonly service: string };
}

/** Parse argv into a {@link BridgeConfig}. @throws {UsageError} */
function bridgeConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): (BridgeConfig & { readonly ops?: BridgeOps }) | 'help' {
  const { values: v } = parse(argv, {
    'queue-url': { type: 'string' },
    region: { type: 'string' },
    'endpoint-url': { type: 'string' },
    udp: { type: 'string', multiple: true },
    tcp: { type: 'string', multiple: true },
    tls: { type: 'string', multiple: true },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    'allow-from': { type: 'string' },
    'max-message-bytes': { type: 'string' },
    'max-connections': { type: 'string' },
    'max-connections-per-source': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'frame-timeout': { type: 'string' },
    'max-connection-lifetime': { type: 'string' },
    'tls-handshake-timeout': { type: 'string' },
    'partial-budget-bytes': { type: 'string' },
    'udp-receive-buffer': { type: 'string' },
    'rejected-file': { type: 'string' },
    'rejected-max-bytes': { type: 'string' },
    'group-id': { type: 'string' },
    'linger-ms': { type: 'string' },
    'retry-max-ms': { type: 'string' },
    'request-timeout-ms': { type: 'string' },
    'spool-dir': { type: 'string' },
    'spool-max-bytes': { type: 'string' },
    'spool-always': { type: 'boolean' },
    'fsync-interval-ms': { type: 'string' },
    'memory-max-bytes': { type: 'string' },
    'status-interval': { type: 'string' },
    'shutdown-timeout': { type: 'string' },
    'health-port': { type: 'string' },
    'metrics-emf': { type: 'string' },
    'metrics-service': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const queueUrl = queueUrlOption(v['queue-url']);
  const udp = addresses('udp', v.udp);
  const tcp = addresses('tcp', v.tcp);
  const tls = addresses('tls', v.tls);
  if (udp.length + tcp.length + tls.length === 0) {
    throw new UsageError('give at least one listener: --udp ADDR, --tcp ADDR or --tls ADDR (e.g. --udp 514)');
  }
  const cert = readPem('tls-cert', v['tls-cert']);
  const key = readPem('tls-key', v['tls-key']);
  const ca = readPem('tls-ca', v['tls-ca']);
  if (tls.length > 0 && (cert === undefined || key === undefined)) {
    throw new UsageError('--tls needs --tls-cert FILE and --tls-key FILE');
  }
  if (tls.length === 0 && (cert || key || ca))
    throw new UsageError('--tls-cert/--tls-key/--tls-ca need a --tls listener');
  let allowFrom: BridgeConfig['allowFrom'];
  if (v['allow-from'] !== undefined) {
    try {
      allowFrom = parseAllowList(v['allow-from']);
    } catch (e) {
      throw new UsageError(`--allow-from: ${errorMessage(e)}`);
    }
  }
  if (v['endpoint-url'] !== undefined && !/^https?:\/\/[^/]+/.test(v['endpoint-url'])) {
    throw new UsageError(`--endpoint-url: expected http(s)://host[:port], got ${JSON.stringify(v['endpoint-url'])}`);
  }
  const seconds = (name: string, x: string | undefined, max: number, min = 0) => {
    const n = intOption(name, x, min, max);
    return n === undefined ? undefined : n * 1000;
  };
  const maxConnections = intOption('max-connections', v['max-connections'], 1, 65_535);
  const perSource = intOption('max-connections-per-source', v['max-connections-per-source'], 1, 65_535);
  if (perSource !== undefined && perSource > (maxConnections ?? 256)) {
    throw new UsageError(
      `--max-connections-per-source (${perSource}) must not exceed --max-connections (${maxConnections ?? 256})`,
    );
  }
  const opt = <T>(k: string, x: T | undefined) => (x === undefined ? {} : { [k]: x });
  const health = addresses('health-port', v['health-port'] === undefined ? undefined : [v['health-port']])[0];
  const namespace = v['metrics-emf'];
  if (namespace !== undefined && !/^[A-Za-z0-9._/#:-]{1,255}$/.test(namespace))
    throw new UsageError(`--metrics-emf: a CloudWatch namespace ([A-Za-z0-9._/#:-]), got ${JSON.stringify(namespace)}`);
  if (v['metrics-service'] !== undefined && namespace === undefined)
    throw new UsageError('--metrics-service needs --metrics-emf NAMESPACE');
  const ops: BridgeOps = {
    ...(health ? { health } : {}),
    ...(namespace ? { metrics: { namespace, service: v['metrics-service'] ?? 'segura-bridge' } } : {}),
  };
  return {
    ops,
    queueUrl,
    ...opt('endpoint', v['endpoint-url']),
    ...opt('region', v.region),
    udp,
    tcp,
    tls,
    ...(tls.length > 0 && cert && key ? { tlsMaterial: { cert, key, ...(ca ? { ca } : {}) } } : {}),
    ...opt('allowFrom', allowFrom),
    ...opt('maxMessageBytes', sizeOption('max-message-bytes', v['max-message-bytes'], 64, 262_144)),
    ...opt('maxConnections', maxConnections),
    ...opt('maxConnectionsPerSource', perSource),
    ...opt('idleTimeoutMs', seconds('idle-timeout', v['idle-timeout'], 86_400, 1)),
    ...opt('frameTimeoutMs', seconds('frame-timeout', v['frame-timeout'], 3_600, 1)),
    ...opt('maxLifetimeMs', seconds('max-connection-lifetime', v['max-connection-lifetime'], 7 * 86_400, 1)),
    ...opt('tlsHandshakeTimeoutMs', seconds('tls-handshake-timeout', v['tls-handshake-timeout'], 600, 1)),
    ...opt('partialBudgetBytes', sizeOption('partial-budget-bytes', v['partial-budget-bytes'], 65_536, 2 ** 32)),
    ...opt('udpReceiveBufferBytes', sizeOption('udp-receive-buffer', v['udp-receive-buffer'], 4_096, 2 ** 30)),
    ...opt('rejectedFile', v['rejected-file'] === undefined ? undefined : resolve(v['rejected-file'])),
    ...opt('rejectedMaxBytes', sizeOption('rejected-max-bytes', v['rejected-max-bytes'], 4_096, 2 ** 40)),
    ...opt('groupId', v['group-id']),
    ...opt('lingerMs', intOption('linger-ms', v['linger-ms'], 0, 10_000)),
    ...opt('retryMaxMs', intOption('retry-max-ms', v['retry-max-ms'], 100, 600_000)),
    ...opt('requestTimeoutMs', intOption('request-timeout-ms', v['request-timeout-ms'], 100, 600_000)),
    spoolDir: resolve(v['spool-dir'] ?? env.STATE_DIRECTORY?.split(':')[0] ?? '.segura-bridge-spool'),
    ...opt('spoolMaxBytes', sizeOption('spool-max-bytes', v['spool-max-bytes'], 4096, 2 ** 44)),
    ...opt('spoolAlways', v['spool-always']),
    ...opt('fsyncIntervalMs', intOption('fsync-interval-ms', v['fsync-interval-ms'], 0, 10_000)),
    ...opt('memoryMaxBytes', sizeOption('memory-max-bytes', v['memory-max-bytes'], 65_536, 2 ** 32)),
    ...opt('statusIntervalMs', seconds('status-interval', v['status-interval'], 86_400)),
    ...opt('shutdownTimeoutMs', seconds('shutdown-timeout', v['shutdown-timeout'], 3_600)),
  } as BridgeConfig & { readonly ops: BridgeOps };
}

/** Run until SIGTERM/SIGINT; resolves with the exit code. */
async function bridgeCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }) {
  const cfg = bridgeConfig(argv);
  if (cfg === 'help') {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const log = jsonLineLogger(io.stderr);
  let running: Awaited<ReturnType<typeof startBridge>>;
  try {
    running = await startBridge(cfg, log);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint =
      err.code === 'EADDRINUSE'
        ? ' (port in use: another syslog daemon? pick another port)'
        : err.code === 'EACCES'
          ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
          : e instanceof SpoolLockedError
            ? ' (give each bridge its own --spool-dir)'
            : '';
    io.stderr.write(`segura-relay bridge: ${err.message}${hint}\n`);
    return 1;
  }
  const ops = cfg.ops ?? {};
  let health: Awaited<ReturnType<typeof serveHealth>> | undefined;
  if (ops.health) {
    try {
      health = await serveHealth(ops.health.host, ops.health.port, running.status, cfg.spoolMaxBytes ?? 256 * 2 ** 20);
      log('info', 'health check listening', { host: ops.health.host, port: health.port });
    } catch (e) {
      await running.stop();
      io.stderr.write(`segura-relay bridge: --health-port: ${errorMessage(e)}\n`);
      return 1;
    }
  }
  const metrics = ops.metrics;
  let last: Record<string, unknown> | undefined;
  const emit = (): void => {
    if (!metrics) return;
    const cur = running.status();
    io.stdout.write(`${emfLine(metrics.namespace, metrics.service, last, cur, Date.now())}\n`);
    last = cur;
  };
  const metricsTimer = metrics ? setInterval(emit, cfg.statusIntervalMs || 60_000) : undefined;
  metricsTimer?.unref();
  const closeOps = async (): Promise<void> => {
    if (metricsTimer) clearInterval(metricsTimer);
    emit();
    if (health) {
      const server = health.server;
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      // a load balancer's keep-alive connection would hold close() open
      server.closeAllConnections();
      await closed;
    }
  };
  return await new Promise<number>((done) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log('warn', 'second signal: exiting at once (the spool keeps what was written)', { signal: sig });
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }
      log('info', 'signal received', { signal: sig });
      running
        .stop()
        .then(closeOps)
        .then(
          () => {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
            done(0);
          },
          (e: unknown) => {
            log('error', 'shutdown failed', { error: String(e) });
            done(1);
          },
        );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export { bridgeCommand, bridgeConfig, sizeOption };
