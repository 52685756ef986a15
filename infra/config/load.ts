/**
 * Load the deployment config chosen with `-c config=PATH` (JSON, or YAML by extension; read.ts): JSON
 * Schema first (schema.ts), then the cross-field rules the schema cannot express (rules.ts), then
 * defaults (resolve.ts, defaults.ts). Every problem is reported at once, each naming its field;
 * nothing is deployed from a config with an issue.
 *
 * @example
 * ```ts
 * const config = loadConfig('examples/s3-archive.json'); // throws ConfigValidationError
 * ```
 */
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_DEAD_LETTER_QUEUE_DAYS,
  DEFAULT_QUEUE_DAYS,
  DEFAULT_RUNTIME,
  PROCESSING_DEFAULTS,
} from './defaults.js';
import { ConfigValidationError } from './errors.js';
import { readDocument } from './read.js';
import { resolveConfig } from './resolve.js';
import { crossFieldIssues } from './rules.js';
import { schemaIssues } from './schema.js';
import type { DeploymentConfigV1, RelayConfig } from './types.js';

/**
 * Load, validate and resolve a deployment config file.
 * @throws ConfigValidationError listing every issue as `config.<field>: <message>`
 */
function loadConfig(path: string): RelayConfig {
  const file = resolve(path);
  return parseConfig(readDocument(file), file);
}

/**
 * Validate and resolve a config document; relative paths in it (rules, CA) resolve against the
 * folder of `file`.
 * @throws ConfigValidationError listing every issue as `config.<field>: <message>`
 */
function parseConfig(doc: unknown, file: string): RelayConfig {
  const schema = schemaIssues(doc);
  if (schema.length) throw new ConfigValidationError(file, schema);
  const c = doc as DeploymentConfigV1;
  const { issues, rules } = crossFieldIssues(c, dirname(file));
  if (issues.length) throw new ConfigValidationError(file, issues);

  return resolveConfig(c, file, rules);
}

export {
  DEFAULT_DEAD_LETTER_QUEUE_DAYS,
  DEFAULT_QUEUE_DAYS,
  DEFAULT_RUNTIME,
  loadConfig,
  PROCESSING_DEFAULTS,
  parseConfig,
};
