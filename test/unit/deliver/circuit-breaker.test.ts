import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitStateChange } from '../../../shared/deliver/syslog/circuit-breaker.js';
import { ConfigError } from '../../../shared/errors.js';

/** A manual clock: tests move time explicitly, no fake timers needed. */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number): void => {
      now += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('stays closed below the failure threshold and a success resets the streak', () => {
    // Prepare
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, now: clock.now });

    // Act
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();

    // Assess
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: false });
  });

  it('opens after N consecutive failures and fails fast during the cool-down', () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 30_000, now: clock.now });
    const firstFailureAt = clock.now();

    breaker.recordFailure();
    clock.advance(1_000);
    breaker.recordFailure();
    clock.advance(1_000);
    breaker.recordFailure();

    expect(breaker.state).toBe('open');
    // The cool-down runs from the opening failure; "since" reports the first failure of the streak.
    clock.advance(30_000 - 1);
    const gate = breaker.tryAcquire();
    expect(gate).toEqual({ allowed: false, since: firstFailureAt, retryAt: firstFailureAt + 2_000 + 30_000 });
    clock.advance(1);
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
  });

  it('after the cool-down lets exactly one half-open probe through; success closes', () => {
    const clock = manualClock();
    const changes: CircuitStateChange[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      coolDownMs: 10_000,
      now: clock.now,
      onStateChange: (c) => changes.push(c),
    });
    breaker.recordFailure();
    breaker.recordFailure();

    clock.advance(10_000);
    const probe = breaker.tryAcquire();
    const concurrent = breaker.tryAcquire();
    breaker.recordSuccess();

    expect(probe).toEqual({ allowed: true, probe: true });
    expect(concurrent.allowed).toBe(false);
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, failingSince: undefined });
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed probe re-opens for a fresh cool-down and keeps the original "since"', () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 5_000, now: clock.now });
    const since = clock.now();
    breaker.recordFailure();

    clock.advance(5_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
    clock.advance(100);
    breaker.recordFailure();

    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toEqual({ allowed: false, since, retryAt: since + 5_100 + 5_000 });
    clock.advance(5_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
  });

  it('release() frees the probe slot without changing state', () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 0, now: clock.now });
    breaker.recordFailure();

    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
    breaker.release();

    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toEqual({ allowed: true, probe: true });
  });

  it('uses documented defaults (3 failures, 30 s)', () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ now: clock.now });
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.advance(29_999);
    expect(breaker.tryAcquire().allowed).toBe(false);
    clock.advance(1);
    expect(breaker.tryAcquire().allowed).toBe(true);
  });

  it.each([
    [{ failureThreshold: 0 }, 'breaker.failureThreshold'],
    [{ failureThreshold: 1.5 }, 'breaker.failureThreshold'],
    [{ coolDownMs: -1 }, 'breaker.coolDownMs'],
  ])('rejects invalid options %j', (options, setting) => {
    expect(() => new CircuitBreaker(options)).toThrow(ConfigError);
    expect(() => new CircuitBreaker(options)).toThrow(setting);
  });
});
