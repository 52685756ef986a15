/**
 * Delivery contracts shared by every destination (syslog, Firehose). A handler renders events into
 * {@link OutboundItem}s, hands them to a {@link Sink}, and reports SQS batch-item failures from the
 * returned {@link DeliveryResult} (docs/architecture.md §4: a record is successful only once its sink
 * confirmed it).
 *
 * @example
 * ```ts
 * const result = await sink.send(items, { deadlineMs: Date.now() + context.getRemainingTimeInMillis() - 2_000 });
 * return { batchItemFailures: result.failed.map((f) => ({ itemIdentifier: f.id })) };
 * ```
 */

/**
 * One rendered event to deliver. `id` is the SQS message id it came from. `payload` is the rendered
 * line without any trailing newline/framing.
 */
interface OutboundItem {
  /** SQS message id; echoed back in {@link DeliveryResult.delivered} or {@link DeliveryResult.failed} */
  readonly id: string;
  /** the rendered line (CEF or RFC 5424), no trailing LF, no framing */
  readonly payload: string;
}

/** Why one item was not delivered. */
interface DeliveryFailure {
  /** the {@link OutboundItem.id} that failed */
  readonly id: string;
  /** human-readable reason, prefixed with the sink name (e.g. `siem: deadline: …`) */
  readonly error: string;
  /**
   * true: report it as a batch-item failure so SQS redelivers it later (network, collector down,
   * deadline). false: retrying can never succeed (oversize datagram, LF inside an LF-framed line):
   * quarantine it.
   */
  readonly retryable: boolean;
  /**
   * true: the destination itself is unavailable (connection refused, circuit open, the service
   * refusing every call), not this item: the handler keeps the record out of sight with a capped
   * exponential backoff instead of retrying it at every visibility timeout (a long outage must not
   * use up the queue's maxReceiveCount). Only meaningful with `retryable: true`.
   * @default false
   */
  readonly down?: boolean;
}

/** Outcome of one {@link Sink.send}: every input id appears exactly once in `delivered` or `failed`. */
interface DeliveryResult {
  /** ids the sink confirmed, in input order */
  readonly delivered: string[];
  /** ids that were not confirmed, with the reason */
  readonly failed: DeliveryFailure[];
  /** bytes on the wire for the delivered items, framing included (retransmissions not counted) */
  readonly bytes: number;
}

/**
 * A destination. `send` never throws for per-item problems: every input id ends up in exactly one of
 * delivered/failed. deadlineMs = absolute Date.now()-based time by which send must have returned (the
 * Lambda's remaining time minus a margin).
 *
 * Build sinks once at module scope (INIT) and reuse them across invocations: they keep their
 * connection between `send` calls.
 */
interface Sink {
  /** destination name used in logs, metrics and failure messages */
  readonly name: string;
  /** deliver `items` in order; resolves by `opts.deadlineMs` (plus the event-loop latency) */
  send(items: readonly OutboundItem[], opts: { deadlineMs: number }): Promise<DeliveryResult>;
  /** release connections gracefully (flush, then close); the sink may reconnect if used again */
  close(): Promise<void>;
}

/**
 * The logging surface sinks need. The Powertools `Logger` and `console` both satisfy it.
 *
 * @example
 * ```ts
 * createSyslogSink({ ...config, logger }); // logger from #shared/observability
 * ```
 */
interface DeliveryLogger {
  // `extra` is required in the signature so the Powertools Logger (whose second parameter is a
  // rest of log items) is assignable; callers may still pass one argument to `console`.
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export type { DeliveryFailure, DeliveryLogger, DeliveryResult, OutboundItem, Sink };
