/**
 * Typed getters for the environment, read once at cold start; every bad value is a ConfigError
 * naming the variable. They take the environment as an argument (not `process.env`): `npm start`
 * builds every function in one process, each from its own environment object, and the tests pass
 * recorded ones. (Powertools' `getStringFromEnv`/`getNumberFromEnv` read `process.env` only and
 * throw plain Errors, so the relay does not use them.)
 */
import { ConfigError, errorMessage } from '../errors.js';
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff, retryBackoffIssues, SQS_LIMITS } from './retry-backoff.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A required, non-blank environment variable, trimmed; ConfigError naming it otherwise. */
function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new ConfigError(name, 'is required');
  return v.trim();
}

/** An optional variable, trimmed; undefined when unset or blank. */
function optional(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** An optional integer in [min, max]; `fallback` when unset or blank. */
function integer(
  env: Env,
  name: string,
  o: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  const raw = optional(env, name);
  if (raw === undefined) return o.fallback;
  const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < o.min || n > o.max)
    throw new ConfigError(name, `an integer ${o.min}–${o.max}, got ${raw}`);
  return n;
}

/** An optional `true` / `false`; `fallback` when unset or blank. */
function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `true or false, got ${raw}`);
  return raw === 'true';
}

/**
 * Freeze a parsed config, plain objects and arrays all the way down, so nothing changes it after
 * cold start (the config types declare their fields `readonly`; this holds it at run time too).
 * Class instances inside (a renderer, a compiled regex, a Set) keep their own state.
 */
function frozen<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const v of value) frozen(v);
    Object.freeze(value);
  } else if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const v of Object.values(value)) frozen(v);
      Object.freeze(value);
    }
  }
  return value;
}

export type { Env };
export { boolean, frozen, integer, optional, required };

/**
 * The delivery functions' backoff while the destination is down (`RETRY_BACKOFF`, JSON, set by the
 * stack from the same numbers it derived maxReceiveCount from). Unset: the defaults.
 */
function retryBackoffFrom(env: Env, name: string): RetryBackoff {
  const raw = optional(env, name);
  if (raw === undefined) return DEFAULT_RETRY_BACKOFF;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new ConfigError(name, `invalid JSON: ${errorMessage(e)}`);
  }
  if (typeof v !== 'object' || v === null) throw new ConfigError(name, 'must be a JSON object');
  const o = v as Record<string, unknown>;
  const b: RetryBackoff = {
    baseSeconds: typeof o.baseSeconds === 'number' ? o.baseSeconds : DEFAULT_RETRY_BACKOFF.baseSeconds,
    capSeconds: typeof o.capSeconds === 'number' ? o.capSeconds : DEFAULT_RETRY_BACKOFF.capSeconds,
    jitter: typeof o.jitter === 'number' ? o.jitter : DEFAULT_RETRY_BACKOFF.jitter,
  };
  const issues = retryBackoffIssues(b, SQS_LIMITS.maxRetentionSeconds, name).filter(
    (i) => !i.includes('maxReceiveCount'),
  );
  if (issues.length > 0) throw new ConfigError(name, issues.join('; '));
  return frozen(b);
}

export { retryBackoffFrom };
