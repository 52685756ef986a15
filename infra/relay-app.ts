/**
 * Build the relay app from a deployment config: the one stack plus the cdk-nag packs. Shared by
 * the CLI entry (infra/app.ts) and the infra tests, so both synthesize the same thing.
 */
import type { App } from 'aws-cdk-lib';
import { ConfigValidationError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import type { RelayConfig } from './config/types.js';
import { addNagPacks } from './nag.js';
import { RelayStack } from './stacks/relay-stack.js';

interface BuildOptions {
  /** run the AwsSolutions and Serverless packs. @default true */
  readonly nag?: boolean;
}

/** The config path given with `-c config=PATH`; a clear message when it is missing. */
function configPathOf(app: App): string {
  const path: unknown = app.node.tryGetContext('config');
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ConfigValidationError('(none)', [
      'config: no deployment config; pass one with -c config=PATH, e.g. `npx cdk synth -c config=examples/s3-archive.json` (see docs/deploy.md)',
    ]);
  }
  return path;
}

function buildRelayApp(app: App, config: RelayConfig, options: BuildOptions = {}): RelayStack {
  const stack = new RelayStack(app, 'Relay', { stackName: config.name, config });
  if (options.nag ?? true) addNagPacks(app);
  return stack;
}

/** Load the config named by the app's `config` context and build the app. */
function buildFromContext(app: App, options: BuildOptions = {}): RelayStack {
  return buildRelayApp(app, loadConfig(configPathOf(app)), options);
}

export type { BuildOptions };
export { buildFromContext, buildRelayApp, configPathOf };
