/**
 * Error taxonomy for the relay. Every error carries `retryable`, so a handler can decide between
 * reporting a batch-item failure (SQS retries) and quarantining the message in a DLQ.
 *
 * @example
 * ```ts
 * try { parseInput(body) } catch (e) { if (e instanceof InvalidEventError) park(e.field, e.reason) }
 * ```
 */
class PipelineError extends Error {
  /** true when trying again later may succeed (network, throttling); false for bad input */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
    this.retryable = retryable;
  }
}

/**
 * Input that can never become a valid event. Names the field (a JSON-pointer-like path such as
 * `fields.dst` or `header.severity`) and the reason. Never retryable.
 */
class InvalidEventError extends PipelineError {
  readonly field: string;
  readonly reason: string;
  /** short machine code for metrics and DLQ attributes, e.g. `schema`, `syntax`, `oversize` */
  readonly code: InvalidEventCode;
  constructor(field: string, reason: string, code: InvalidEventCode = 'schema') {
    super(`${field}: ${reason}`, false);
    this.name = 'InvalidEventError';
    this.field = field;
    this.reason = reason;
    this.code = code;
  }
}

type InvalidEventCode = 'syntax' | 'schema' | 'oversize' | 'encoding' | 'unsupported';

/** A renderer was given options it cannot honour (bad SD-ID, bad delimiter...). Not retryable. */
class RenderError extends PipelineError {
  constructor(message: string) {
    super(message, false);
    this.name = 'RenderError';
  }
}

/** Configuration that cannot work. Thrown at cold start / synth, names the setting. */
class ConfigError extends PipelineError {
  readonly setting: string;
  constructor(setting: string, reason: string) {
    super(`${setting}: ${reason}`, false);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** A sink could not confirm delivery. Retryable unless the sink says otherwise. */
class DeliveryError extends PipelineError {
  readonly destination: string;
  constructor(destination: string, message: string, retryable = true, options?: { cause?: unknown }) {
    super(`${destination}: ${message}`, retryable, options);
    this.name = 'DeliveryError';
    this.destination = destination;
  }
}

/** Narrow an unknown thrown value to an Error without losing it. */
function assertIsError(value: unknown): asserts value is Error {
  if (!(value instanceof Error)) {
    throw new Error(`non-Error thrown: ${String(value)}`, { cause: value });
  }
}

/** Convert any thrown value to an Error (wrapping non-Errors), for logging. */
function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`non-Error thrown: ${String(value)}`, { cause: value });
}

export type { InvalidEventCode };
export { assertIsError, ConfigError, DeliveryError, InvalidEventError, PipelineError, RenderError, toError };
