/**
 * The syslog {@link Sink}: frames rendered lines (RFC 6587 octet counting or LF, one datagram per
 * line for UDP, one acknowledged `syslog` command per line for RELP), sends them through one
 * reusable transport, and reports an exact delivered/failed split per SQS message id, behind a
 * circuit breaker (docs/architecture.md §4).
 *
 * Build it once at module scope (Lambda INIT): the connection then survives across warm invocations.
 *
 * @example
 * ```ts
 * const sink = createSyslogSink({ name: 'siem', transport: 'tls', host: 'syslog.corp', port: 6514, ca, logger });
 * export const handler = async (event: SQSEvent, context: Context) => {
 *   const result = await sink.send(items, { deadlineMs: Date.now() + context.getRemainingTimeInMillis() - 1_000 });
 *   return { batchItemFailures: result.failed.filter((f) => f.retryable).map((f) => ({ itemIdentifier: f.id })) };
 * };
 * ```
 */
import { isIP } from 'node:net';
import { inSyslogRange, rangeText, type SyslogRangeSetting } from '../../config/syslog-ranges.js';
import { ConfigError, DeliveryError, toError } from '../../errors.js';
import type { DeliveryFailure, DeliveryLogger, DeliveryResult, OutboundItem, Sink } from '../sink.js';
import { CircuitBreaker, type CircuitSnapshot } from './circuit-breaker.js';
import {
  type FrameTransport,
  StreamConnection,
  type TransportFailure,
  TransportFailureKind,
  type TransportOutcome,
  type TransportStats,
} from './connection.js';
import { Framing, frame } from './framing.js';
import { RelpTransport } from './relp-transport.js';
import { UdpTransport } from './udp-transport.js';

/** Transports a syslog sink can use. */
const SyslogTransport = {
  /** RFC 5425: octet-counted frames over TLS (verification always on) */
  tls: 'tls',
  /** RFC 6587: frames over plain TCP (inside a trusted network only) */
  tcp: 'tcp',
  /** RFC 5426: one message per datagram, size-capped */
  udp: 'udp',
  /** RELP: each message acknowledged by the collector (`relp-transport.ts`); TLS unless `relp.tls` is false */
  relp: 'relp',
} as const;
type SyslogTransport = (typeof SyslogTransport)[keyof typeof SyslogTransport];

/** Configuration for {@link createSyslogSink}. Validated once, at creation. */
interface SyslogSinkConfig {
  /** destination name for logs, metrics and failure messages */
  readonly name: string;
  /** wire transport */
  readonly transport: SyslogTransport;
  /** collector host name or IP (for AWS: the NLB's DNS name) */
  readonly host: string;
  /** collector port (6514 is the RFC 5425 default for TLS, 514 for UDP) */
  readonly port: number;
  /**
   * RELP settings (transport `relp` only).
   * @default `{ tls: true, window: 128 }`
   */
  readonly relp?: {
    /** RELP over TLS (verification always on; `ca`/`servername` apply) or plain TCP. @default true */
    readonly tls?: boolean;
    /** most messages in flight without an acknowledgement (bounds duplicates per broken session) @default 128 */
    readonly window?: number;
  };
  /**
   * TCP/TLS framing; ignored for UDP and RELP (RELP frames itself). Octet counting is the only
   * method every receiver accepts and the only one that survives an LF inside a message (docs/formats.md §3.1).
   * @default 'octet'
   */
  readonly framing?: Framing;
  /**
   * PEM CA bundle that signs the collector certificate (TLS only).
   * @default Node's bundled Mozilla roots
   */
  readonly ca?: string;
  /**
   * SNI name and name the certificate must match (TLS only). Set it when `host` is an IP or an NLB
   * name that is not in the certificate.
   * @default `host` when it is a DNS name
   */
  readonly servername?: string;
  /**
   * TCP connect + TLS handshake budget, in ms.
   * @default 3_000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for 'drain' or for write (UDP: send) callbacks before the collector counts as
   * stalled, in ms.
   * @default 5_000
   */
  readonly writeTimeoutMs?: number;
  /**
   * Reconnect before a batch if the connection has been idle longer than this, in ms (the NLB drops
   * idle flows after 350 s).
   * @default 300_000
   */
  readonly maxIdleMs?: number;
  /**
   * UDP only: largest datagram, in bytes. A bigger payload fails (non-retryable) instead of being
   * cut: the renderer must truncate to this budget. The vault documents 1024; RFC 5426 §3.2 says
   * receivers SHOULD accept 2048.
   * @default 2048
   */
  readonly maxDatagramBytes?: number;
  /**
   * TCP/TLS only: largest message (MSG-LEN), in bytes. A bigger payload fails (non-retryable):
   * syslog-ng drops the whole *connection* on a frame over its `log-msg-size()` (default 65536), which
   * would fail every later frame of the batch on every retry. rsyslog truncates at 8 KiB instead.
   * @default 65_536
   */
  readonly maxMessageBytes?: number;
  /**
   * Circuit breaker settings.
   * @default `{ failureThreshold: 3, coolDownMs: 30_000, now: Date.now }`
   */
  readonly breaker?: {
    /** @default 3 */
    readonly failureThreshold?: number;
    /** @default 30_000 */
    readonly coolDownMs?: number;
    /** @default Date.now */
    readonly now?: () => number;
  };
  /**
   * Structured logger (Powertools `Logger` fits).
   * @default console
   */
  readonly logger?: DeliveryLogger;
}

/** Counters and breaker state for metrics. */
interface SyslogSinkStats {
  readonly transport: Readonly<TransportStats>;
  readonly breaker: CircuitSnapshot;
}

/** A syslog {@link Sink} with introspection for metrics and tests. */
interface SyslogSink extends Sink {
  /** connection counters and breaker state */
  stats(): SyslogSinkStats;
}

const DEFAULT_MAX_DATAGRAM_BYTES = 2048;
const DEFAULT_MAX_MESSAGE_BYTES = 65_536;

function positiveInt(setting: string, value: number | undefined, fallback: number, max?: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0 || (max !== undefined && v > max)) {
    throw new ConfigError(setting, `must be an integer in 1..${max ?? 'any'}, got ${String(value)}`);
  }
  return v;
}

/**
 * A setting with one range for the whole relay (shared/config/syslog-ranges.ts, the same bounds as
 * the deployment config schema): checked here, once, for every transport the sink builds.
 */
function inRange(setting: SyslogRangeSetting, value: number | undefined, required = false): void {
  if (value === undefined && !required) return;
  if (!inSyslogRange(setting, value))
    throw new ConfigError(setting, `must be ${rangeText(setting)}, got ${String(value)}`);
}

function validate(config: SyslogSinkConfig): void {
  if (typeof config.name !== 'string' || config.name.trim() === '') {
    throw new ConfigError('name', 'must be a non-empty string');
  }
  if (!Object.values(SyslogTransport).includes(config.transport)) {
    throw new ConfigError('transport', `must be one of tls, tcp, udp, relp; got ${String(config.transport)}`);
  }
  const isRelp = config.transport === SyslogTransport.relp;
  if (config.relp !== undefined && !isRelp) {
    throw new ConfigError('relp', `only applies to transport 'relp' (got '${config.transport}')`);
  }
  if (config.relp?.tls !== undefined && typeof config.relp.tls !== 'boolean') {
    throw new ConfigError('relp.tls', `must be true or false, got ${String(config.relp.tls)}`);
  }
  inRange('relp.window', config.relp?.window);
  if (typeof config.host !== 'string' || config.host.trim() === '' || /\s/.test(config.host)) {
    throw new ConfigError('host', `must be a host name or IP without spaces, got ${JSON.stringify(config.host)}`);
  }
  inRange('port', config.port, true);
  if (config.framing !== undefined && !Object.values(Framing).includes(config.framing)) {
    throw new ConfigError('framing', `must be 'octet' or 'lf', got ${String(config.framing)}`);
  }
  if (config.transport !== SyslogTransport.tls && !(isRelp && config.relp?.tls !== false)) {
    // Refuse rather than ignore: a CA next to transport 'tcp' means someone believes TLS is on.
    const used = isRelp
      ? "transport 'tls' or 'relp' with TLS (relp.tls is false)"
      : `transport 'tls' (got '${config.transport}')`;
    if (config.ca !== undefined) throw new ConfigError('ca', `only applies to ${used}`);
    if (config.servername !== undefined) throw new ConfigError('servername', `only applies to ${used}`);
  }
  if (config.ca !== undefined && !config.ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('ca', 'must be a PEM bundle containing at least one "-----BEGIN CERTIFICATE-----" block');
  }
  if (config.servername !== undefined && (config.servername.trim() === '' || isIP(config.servername) !== 0)) {
    // RFC 6066 §3: SNI HostName is a DNS name; literal IPs are not permitted.
    throw new ConfigError(
      'servername',
      `must be a DNS name (not empty, not an IP), got ${JSON.stringify(config.servername)}`,
    );
  }
  inRange('connectTimeoutMs', config.connectTimeoutMs);
  inRange('writeTimeoutMs', config.writeTimeoutMs);
  positiveInt('maxIdleMs', config.maxIdleMs, 1);
  inRange('maxDatagramBytes', config.maxDatagramBytes);
  positiveInt('maxMessageBytes', config.maxMessageBytes, 1);
  if (config.breaker !== undefined) {
    positiveInt('breaker.failureThreshold', config.breaker.failureThreshold, 1);
    const coolDown = config.breaker.coolDownMs;
    if (coolDown !== undefined && (!Number.isFinite(coolDown) || coolDown < 0)) {
      throw new ConfigError('breaker.coolDownMs', `must be a number >= 0, got ${String(coolDown)}`);
    }
  }
  const { logger } = config;
  if (
    logger !== undefined &&
    (typeof logger.info !== 'function' || typeof logger.warn !== 'function' || typeof logger.error !== 'function')
  ) {
    throw new ConfigError('logger', 'must have info, warn and error methods');
  }
}

/**
 * Create a syslog sink. Nothing connects until the first `send`.
 *
 * Delivery semantics: items are written in input order; an item is `delivered` only after its frame's
 * write callback fired without error on a connection that stayed healthy for the whole batch (see
 * `connection.ts` for the exact at-least-once boundary), or, over RELP, only after the collector
 * answered it `200 OK` (`relp-transport.ts`). Items that fail framing or the size caps, and items a RELP
 * collector refused (another code), are non-retryable; transport problems, an open breaker and the
 * deadline are retryable.
 *
 * @throws {ConfigError} naming the first invalid setting
 * @example
 * ```ts
 * const sink = createSyslogSink({ name: 'qradar', transport: 'udp', host: '10.0.0.5', port: 514, maxDatagramBytes: 1024 });
 * const { delivered, failed } = await sink.send([{ id: 'm-1', payload: line }], { deadlineMs: Date.now() + 3_000 });
 * ```
 */
function createSyslogSink(config: SyslogSinkConfig): SyslogSink {
  validate(config);
  const { name } = config;
  const logger: DeliveryLogger = config.logger ?? console;
  const isUdp = config.transport === SyslogTransport.udp;
  const framing = config.framing ?? Framing.octet;
  const maxBytes = isUdp
    ? (config.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES)
    : (config.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);

  const isRelp = config.transport === SyslogTransport.relp;
  const streamOptions = {
    host: config.host,
    port: config.port,
    logger,
    name,
    ...(config.ca === undefined ? {} : { ca: config.ca }),
    ...(config.servername === undefined ? {} : { servername: config.servername }),
    ...(config.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: config.connectTimeoutMs }),
    ...(config.writeTimeoutMs === undefined ? {} : { writeTimeoutMs: config.writeTimeoutMs }),
    ...(config.maxIdleMs === undefined ? {} : { maxIdleMs: config.maxIdleMs }),
  };
  const transport: FrameTransport = isUdp
    ? new UdpTransport({
        host: config.host,
        port: config.port,
        logger,
        name,
        ...(config.writeTimeoutMs === undefined ? {} : { writeTimeoutMs: config.writeTimeoutMs }),
      })
    : isRelp
      ? new RelpTransport({
          ...streamOptions,
          tls: config.relp?.tls ?? true,
          ...(config.relp?.window === undefined ? {} : { window: config.relp.window }),
        })
      : new StreamConnection({ ...streamOptions, tls: config.transport === SyslogTransport.tls });

  const breaker = new CircuitBreaker({
    ...config.breaker,
    onStateChange: (change) => {
      const extra = {
        destination: name,
        from: change.from,
        to: change.to,
        consecutiveFailures: change.consecutiveFailures,
      };
      if (change.to === 'open') logger.error('syslog circuit opened: failing batches fast', extra);
      else logger.info(`syslog circuit ${change.to}`, extra);
    },
  });

  /** Encode one item; a string is a non-retryable reason. */
  const encode = (payload: string): Buffer | string => {
    if (isUdp) {
      // RFC 5426 §3.1: the datagram is the message itself, no framing.
      const size = Buffer.byteLength(payload, 'utf8');
      if (size > maxBytes) {
        return `datagram is ${size} bytes, over maxDatagramBytes ${maxBytes}; the renderer must truncate (docs/formats.md §3.3), the transport never cuts`;
      }
      return Buffer.from(payload, 'utf8');
    }
    const size = Buffer.byteLength(payload, 'utf8');
    if (size > maxBytes) {
      return `message is ${size} bytes, over maxMessageBytes ${maxBytes} (a collector would drop the connection or truncate it)`;
    }
    // RELP carries the message as the `syslog` command's data; the transport adds the RELP frame.
    if (isRelp) return size > 0 ? Buffer.from(payload, 'utf8') : 'empty message (a RELP syslog command needs data)';
    try {
      return frame(payload, framing);
    } catch (err) {
      return toError(err).message;
    }
  };

  const failureText = (message: string, retryable: boolean): string =>
    new DeliveryError(name, message, retryable).message;

  async function send(items: readonly OutboundItem[], opts: { deadlineMs: number }): Promise<DeliveryResult> {
    const delivered: string[] = [];
    const failed: DeliveryFailure[] = [];
    const ids: string[] = [];
    const frames: Buffer[] = [];
    for (const item of items) {
      const encoded = encode(item.payload);
      if (typeof encoded === 'string') {
        // Loud on purpose: this is a renderer bug or a budget mismatch, and the item goes to the DLQ.
        logger.error('syslog item rejected before sending', { destination: name, id: item.id, reason: encoded });
        failed.push({ id: item.id, error: failureText(encoded, false), retryable: false });
      } else {
        ids.push(item.id);
        frames.push(encoded);
      }
    }
    if (frames.length === 0) return { delivered, failed, bytes: 0 };

    const gate = breaker.tryAcquire();
    if (!gate.allowed) {
      const reason = `circuit open: collector unavailable since ${new Date(gate.since).toISOString()} (next probe after ${new Date(gate.retryAt).toISOString()})`;
      logger.warn('syslog batch failed fast: circuit open', { destination: name, items: ids.length, reason });
      const error = failureText(reason, true);
      // an open breaker is the sink saying "destination down": the handler backs these off
      for (const id of ids) failed.push({ id, error, retryable: true, down: true });
      return { delivered, failed, bytes: 0 };
    }

    let outcome: TransportOutcome;
    try {
      outcome = await transport.send(frames, opts.deadlineMs);
    } catch (err) {
      // Transports resolve instead of throwing; if one ever throws, every id must still be accounted for.
      const error = toError(err);
      logger.error('syslog transport threw unexpectedly', { destination: name, error: error.message });
      outcome = {
        confirmed: 0,
        bytes: 0,
        failure: { kind: TransportFailureKind.io, message: error.message, cause: error },
      };
    }
    recordOutcome(outcome);

    for (const [index, id] of ids.entries()) {
      if (index >= outcome.confirmed) break;
      const refusal = outcome.rejected?.get(index);
      if (refusal === undefined) {
        delivered.push(id);
      } else {
        // The collector answered and said no (RELP rsp other than 200): final, the item goes to the DLQ.
        logger.error('syslog item refused by the collector', { destination: name, id, reason: refusal });
        failed.push({ id, error: failureText(refusal, false), retryable: false });
      }
    }
    const { failure } = outcome;
    if (failure !== undefined && outcome.confirmed < ids.length) {
      const error = failureText(failurePrefix(failure), true);
      // nothing confirmed and the collector (not our deadline) is the cause: it is down
      const down = outcome.confirmed === 0 && failure.kind !== TransportFailureKind.deadline;
      for (const id of ids.slice(outcome.confirmed))
        failed.push({ id, error, retryable: true, ...(down ? { down } : {}) });
      const log = failure.kind === TransportFailureKind.tls ? logger.error : logger.warn;
      log.call(logger, 'syslog batch partially failed; unconfirmed items will be retried by SQS', {
        destination: name,
        kind: failure.kind,
        error: failure.message,
        delivered: delivered.length,
        failed: ids.length - outcome.confirmed,
      });
    }
    return { delivered, failed, bytes: outcome.bytes };
  }

  /** Feed the breaker: only collector-side problems count; the deadline is ours. */
  function recordOutcome(outcome: TransportOutcome): void {
    const kind = outcome.failure?.kind;
    if (kind === undefined || (kind === TransportFailureKind.deadline && outcome.confirmed > 0)) {
      breaker.recordSuccess();
    } else if (kind === TransportFailureKind.deadline) {
      breaker.release();
    } else {
      breaker.recordFailure();
    }
  }

  return {
    name,
    send,
    close: () => transport.close(),
    stats: () => ({ transport: { ...transport.stats }, breaker: breaker.snapshot() }),
  };
}

/** `deadline: …` for the deadline, so handlers and tests can tell it apart; the message otherwise. */
function failurePrefix(failure: TransportFailure): string {
  return failure.kind === TransportFailureKind.deadline ? `deadline: ${failure.message}` : failure.message;
}

export type { SyslogSink, SyslogSinkConfig, SyslogSinkStats };
export { createSyslogSink, SyslogTransport };
