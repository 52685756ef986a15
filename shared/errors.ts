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
  /**
   * Short machine code for logs, metrics and the DLQ's `relay.error.code` attribute, e.g. `schema`,
   * `render`, `config`. Subclasses narrow it.
   */
  readonly code: string;
  /**
   * @param options ES2022 `cause` (the error this one explains, kept for the logs) and `code`
   * (default `pipeline`)
   */
  constructor(message: string, retryable: boolean, options: PipelineErrorOptions = {}) {
    // only an own `cause` key installs one: ES2022 sets `cause` even to undefined when the key exists
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'PipelineError';
    this.retryable = retryable;
    this.code = options.code ?? 'pipeline';
  }
}

/** ES2022 error options plus the relay's machine code. */
interface PipelineErrorOptions extends ErrorOptions {
  readonly code?: string;
}

/**
 * Input that can never become a valid event. Names the field (a JSON-pointer-like path such as
 * `fields.dst` or `header.severity`) and the reason. Never retryable.
 */
class InvalidEventError extends PipelineError {
  readonly field: string;
  readonly reason: string;
  /** short machine code for metrics and DLQ attributes, e.g. `schema`, `syntax`, `oversize` */
  declare readonly code: InvalidEventCode;
  constructor(field: string, reason: string, code: InvalidEventCode = 'schema', options?: ErrorOptions) {
    super(`${field}: ${reason}`, false, { ...options, code });
    this.name = 'InvalidEventError';
    this.field = field;
    this.reason = reason;
  }
}

type InvalidEventCode = 'syntax' | 'schema' | 'oversize' | 'encoding' | 'unsupported';

/** A renderer was given options it cannot honour (bad SD-ID, bad delimiter...). Not retryable. Code `render`. */
class RenderError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, { ...options, code: 'render' });
    this.name = 'RenderError';
  }
}

/** Configuration that cannot work. Thrown at cold start / synth, names the setting. Code `config`. */
class ConfigError extends PipelineError {
  readonly setting: string;
  constructor(setting: string, reason: string, options?: ErrorOptions) {
    super(`${setting}: ${reason}`, false, { ...options, code: 'config' });
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** A sink could not confirm delivery. Retryable unless the sink says otherwise. Code `delivery`. */
class DeliveryError extends PipelineError {
  readonly destination: string;
  constructor(destination: string, message: string, retryable = true, options?: ErrorOptions) {
    super(`${destination}: ${message}`, retryable, { ...options, code: 'delivery' });
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

/**
 * Any thrown value as an Error: an Error as is, anything else wrapped (the original kept as
 * `cause`). The one way to narrow `unknown` in a catch block. @example toError(e).message
 */
function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`non-Error thrown: ${String(value)}`, { cause: value });
}

/** The message of any thrown value, for logs and error texts. @example `cannot read: ${errorMessage(e)}` */
function errorMessage(value: unknown): string {
  return toError(value).message;
}

export type { InvalidEventCode, PipelineErrorOptions };
export {
  assertIsError,
  ConfigError,
  DeliveryError,
  errorMessage,
  InvalidEventError,
  PipelineError,
  RenderError,
  toError,
};
