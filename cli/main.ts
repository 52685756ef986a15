/**
 * `segura-relay <command>`: the relay's command-line tools.
 */

import { UsageError } from './args.js';
import { catalogCommand } from './catalog.js';
import { jsonRoundTripCommand, renderCommand } from './render.js';

const HELP = `Usage: segura-relay <command> [options]

Commands:
  render     render events (NDJSON envelopes or raw vault lines on stdin) as CEF, RFC 5424, LEEF or ECS
  catalog    list the vault's event catalog

Run 'segura-relay <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    switch (cmd) {
      case 'render':
        return await renderCommand(rest, io);
      case 'catalog':
        return catalogCommand(rest, io);
      case '_json-roundtrip':
        // benchmark baseline (not listed): the same I/O as render with JSON.parse + JSON.stringify
        return await jsonRoundTripCommand(io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(
        `segura-relay: ${e.message}\n${cmd && cmd !== 'help' ? `Run 'segura-relay ${cmd} --help'.` : HELP}\n`,
      );
      return 2;
    }
    throw e;
  }
}

export { main };
