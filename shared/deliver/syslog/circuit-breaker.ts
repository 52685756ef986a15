/**
 * A consecutive-failure circuit breaker for a collector. While a collector is down, every invocation
 * would otherwise spend its connect timeout (and Lambda time) per batch; an open breaker fails the batch
 * immediately instead and SQS keeps the events (docs/architecture.md §4).
 *
 * States: `closed` (normal) → `open` after `failureThreshold` consecutive failures → after `coolDownMs`
 * the next caller becomes the single `half-open` probe → its success closes the breaker, its failure
 * re-opens it for another cool-down.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
 * const gate = breaker.tryAcquire();
 * if (!gate.allowed) return failAll(`circuit open since ${new Date(gate.since).toISOString()}`);
 * try { await deliver(); breaker.recordSuccess(); } catch (e) { breaker.recordFailure(); }
 * ```
 */
import { ConfigError } from '../../errors.js';

/** Breaker states. */
const CircuitState = {
  closed: 'closed',
  open: 'open',
  halfOpen: 'half-open',
} as const;
type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Options for {@link CircuitBreaker}. */
interface CircuitBreakerOptions {
  /**
   * Consecutive failed attempts that open the breaker.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * How long an open breaker fails fast before letting one probe through, in ms.
   * @default 30_000
   */
  readonly coolDownMs?: number;
  /**
   * Clock, injectable for tests.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Called on every state change (for logs and metrics).
   * @default no callback
   */
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

/** Passed to {@link CircuitBreakerOptions.onStateChange}. */
interface CircuitStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** consecutive failures at the time of the change */
  readonly consecutiveFailures: number;
  /** epoch ms of the first failure of the current streak, if any */
  readonly failingSince: number | undefined;
}

/** Result of {@link CircuitBreaker.tryAcquire}. */
type Admission =
  | {
      readonly allowed: true;
      /** true when this attempt is the half-open probe: it must end in recordSuccess/recordFailure/release */
      readonly probe: boolean;
    }
  | {
      readonly allowed: false;
      /** epoch ms of the first failure of the streak that opened the breaker */
      readonly since: number;
      /** epoch ms after which a probe will be let through */
      readonly retryAt: number;
    };

/** A point-in-time view for logs and metrics. */
interface CircuitSnapshot {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  readonly failingSince: number | undefined;
}

const DEFAULT_FAILURE_THRESHOLD = 3;
const DEFAULT_COOL_DOWN_MS = 30_000;

/**
 * Consecutive-failure breaker with one half-open probe at a time. Not tied to sockets: the caller
 * decides what counts as a success or a failure. State lives in the instance, so a sink built at
 * module scope carries it across warm invocations.
 */
class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: ((change: CircuitStateChange) => void) | undefined;
  #state: CircuitState = CircuitState.closed;
  #consecutiveFailures = 0;
  #failingSince: number | undefined;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.#coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 1) {
      throw new ConfigError('breaker.failureThreshold', `must be an integer >= 1, got ${this.#threshold}`);
    }
    if (!Number.isFinite(this.#coolDownMs) || this.#coolDownMs < 0) {
      throw new ConfigError('breaker.coolDownMs', `must be a finite number >= 0, got ${this.#coolDownMs}`);
    }
  }

  /** Current state (an open breaker whose cool-down elapsed still reads `open` until a caller probes). */
  get state(): CircuitState {
    return this.#state;
  }

  /** State, failure streak and its start, for logs and metrics. */
  snapshot(): CircuitSnapshot {
    return { state: this.#state, consecutiveFailures: this.#consecutiveFailures, failingSince: this.#failingSince };
  }

  /**
   * Ask to make an attempt. Closed: always allowed. Open: refused until the cool-down elapsed, then
   * the first caller is allowed as the half-open probe. Half-open: refused while the probe runs.
   */
  tryAcquire(): Admission {
    if (this.#state === CircuitState.closed) return { allowed: true, probe: false };
    const retryAt = this.#openedAt + this.#coolDownMs;
    const since = this.#failingSince ?? this.#openedAt;
    if (this.#state === CircuitState.open) {
      if (this.#now() < retryAt) return { allowed: false, since, retryAt };
      this.#transition(CircuitState.halfOpen);
    }
    // Half-open: exactly one probe at a time, so a recovering collector sees one connection, not a burst.
    if (this.#probeInFlight) return { allowed: false, since, retryAt };
    this.#probeInFlight = true;
    return { allowed: true, probe: true };
  }

  /** The attempt reached the collector and it accepted the data: close the breaker, reset the streak. */
  recordSuccess(): void {
    this.#probeInFlight = false;
    this.#consecutiveFailures = 0;
    this.#failingSince = undefined;
    if (this.#state !== CircuitState.closed) this.#transition(CircuitState.closed);
  }

  /** The attempt failed to reach or write to the collector. */
  recordFailure(): void {
    const now = this.#now();
    this.#probeInFlight = false;
    this.#consecutiveFailures++;
    this.#failingSince ??= now;
    if (this.#state === CircuitState.halfOpen || this.#consecutiveFailures >= this.#threshold) {
      // Re-arm the cool-down from the latest failure, also when a probe failed.
      this.#openedAt = now;
      if (this.#state !== CircuitState.open) this.#transition(CircuitState.open);
    }
  }

  /** The admitted attempt ended without exercising the collector (nothing to send): free the probe slot. */
  release(): void {
    this.#probeInFlight = false;
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    this.#onStateChange?.({
      from,
      to,
      consecutiveFailures: this.#consecutiveFailures,
      failingSince: this.#failingSince,
    });
  }
}

export type { Admission, CircuitBreakerOptions, CircuitSnapshot, CircuitStateChange };
export { CircuitBreaker, CircuitState };
