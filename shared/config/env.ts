/** Small helpers for reading configuration from the environment once, at cold start. */
import { ConfigError } from '../errors.js';

/** A required, non-blank environment variable; ConfigError naming it otherwise. */
function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new ConfigError(name, 'is required');
  return v.trim();
}

export { required };
