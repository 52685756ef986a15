/**
 * Entry of the bridge bundle the syslog endpoint's container runs (docker/entrypoint.sh,
 * scripts/bundle-bridge.mjs): `segura-relay bridge` and nothing else, so the image carries only
 * the bridge and the SQS client. Same code, options and exit statuses as the CLI's command.
 */
import { UsageError } from './args.js';
import { bridgeCommand } from './bridge.js';

bridgeCommand(process.argv.slice(2), process).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`segura-relay bridge: ${e.message}\nRun 'segura-relay bridge --help'.\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `segura-relay bridge: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);
