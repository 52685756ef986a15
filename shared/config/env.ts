/** Small helpers for reading configuration from the environment once, at cold start. */
import { ConfigError, errorMessage } from '../errors.js';
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff, retryBackoffIssues, SQS_LIMITS } from './retry-backoff.js';

/** A required, non-blank environment variable; ConfigError naming it otherwise. */
function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new ConfigError(name, 'is required');
  return v.trim();
}

export { required };

/**
 * The delivery functions' backoff while the destination is down (`RETRY_BACKOFF`, JSON, set by the
 * stack from the same numbers it derived maxReceiveCount from). Unset: the defaults.
 */
function retryBackoffFrom(env: NodeJS.ProcessEnv, name: string): RetryBackoff {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return DEFAULT_RETRY_BACKOFF;
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
  return b;
}

export { retryBackoffFrom };
