/**
 * `segura-relay <command>`: the relay's command-line tools.
 */

import { readFileSync } from 'node:fs';
import { alertsCommand } from './alerts.js';
import { UsageError } from './args.js';
import { bridgeCommand } from './bridge.js';
import { catalogCommand } from './catalog.js';
import { costCommand } from './cost.js';
import { doctorCommand } from './doctor.js';
import { redriveCommand } from './redrive.js';
import { jsonRoundTripCommand, renderCommand } from './render.js';
import { sendCommand } from './send.js';

const HELP = `Usage: segura-relay <command> [options]

Commands:
  render     render events (NDJSON envelopes or raw vault lines on stdin) as CEF, RFC 5424, LEEF or ECS
  catalog    list the vault's event catalog
  bridge     receive the vault's syslog (UDP/TCP/TLS) and send it to the ingest queue, spooling while SQS is down
  send       send NDJSON events or --count N generated events to a queue (smoke and load tests)
  redrive    move messages from a DLQ back to its source queue (--dry-run, filters, FIFO-safe), or
             replay what Firehose backed up to S3 after giving up (--from-s3)
  doctor     read-only health check of a stack (--stack) or the local relay (--local): unconfirmed
             subscriptions, event source mappings, DLQ depths, failed Firehose records, alarms
  alerts     dry-run alert rules: which rules fire and the exact SMS/email/chat/ticket messages (no AWS)
  cost       monthly and per-million cost of a deployment config at a steady event rate (no AWS)

Run 'segura-relay <command> --help' for a command's options; 'segura-relay --version' for the version.`;

const COMMANDS = ['render', 'catalog', 'bridge', 'send', 'redrive', 'doctor', 'alerts', 'cost'] as const;

/** The package version (package.json is one folder up from cli/ and from the dist/ bundle alike). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  try {
    switch (cmd) {
      case 'render':
        return await renderCommand(rest, io);
      case 'catalog':
        return catalogCommand(rest, io);
      case 'bridge':
        return await bridgeCommand(rest, io);
      case 'send':
        return await sendCommand(rest, io);
      case 'redrive':
        return await redriveCommand(rest, io);
      case 'alerts':
        return await alertsCommand(rest, io);
      case 'cost':
        return await costCommand(rest, io);
      case 'doctor':
        return await doctorCommand(rest, io);
      case '_json-roundtrip':
        // benchmark baseline (not listed): the same I/O as render with JSON.parse + JSON.stringify
        return await jsonRoundTripCommand(io);
      case '--version':
      case '-V':
      case 'version':
        process.stdout.write(`segura-relay ${version()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(
          `segura-relay: unknown command ${JSON.stringify(cmd)}; the commands are ${COMMANDS.join(', ')}\nRun 'segura-relay --help' for what each does.\n`,
        );
        return 2;
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
