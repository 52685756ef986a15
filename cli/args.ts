/** Small helpers for subcommand argument parsing (node:util parseArgs) with clear errors. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage } from '../shared/errors.js';

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
}

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`--${name}: an integer ${min}–${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function choice<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name}: one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export { choice, intOption, parse, UsageError };
