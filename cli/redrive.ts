/**
 * `segura-relay redrive`: move messages from a dead-letter queue back to its source queue (or print
 * them), once the cause is fixed. Filters on the reason the relay parked a message with
 * (`relay.error.*` attributes, see shared/deliver/dlq.ts) or on the vault event id; keeps FIFO
 * group ids; deletes a DLQ message only after SQS accepted its copy; `--dry-run` moves nothing and
 * leaves every message visible. This file parses the arguments; the SQS loop is in
 * cli/redrive-dlq.ts, what one DLQ message says and becomes in cli/redrive-message.ts, and
 * `--from-s3` in cli/redrive-s3.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { toolSqsClient } from '../bridge/sqs.js';
import { errorMessage, toError } from '../shared/errors.js';
import { intOption, parse, UsageError } from './args.js';
import { type RedriveOptions, type RedriveSummary, redrive, summaryLine } from './redrive-dlq.js';
import { type DlqMessageInfo, describe } from './redrive-message.js';
import { parseS3Uri, redriveFromS3, s3SummaryLine, timeOption, toolS3Client } from './redrive-s3.js';

const HELP = `Usage: segura-relay redrive --dlq-url URL [--to URL] [--dry-run] [filters] [options]
       segura-relay redrive --from-s3 s3://BUCKET/PREFIX --to URL [--dry-run] [filters] [options]

Moves messages from a dead-letter queue back to its source queue once the cause is fixed. Each
message is copied with SendMessageBatch (FIFO group id kept, MessageDeduplicationId = the DLQ
message id) and deleted from the DLQ only after SQS accepted the copy. The relay.error.* attributes
are dropped and relay.redrive.count is added. Messages that do not match the filters are left in the
DLQ, visible again when the command ends.

Options:
  --dlq-url URL          the dead-letter queue (required)
  --to URL               target queue (default: the DLQ's source queue, found with
                         ListDeadLetterSourceQueues or the queues' RedrivePolicy)
  --dry-run              print what would move (id, reason, FIFO group, first 120 characters) and move nothing
  --json                 with --dry-run: print one JSON object per message, full body included
  --reason REGEX         only messages whose relay.error.code, .field or .reason matches (case-insensitive);
                         messages moved by SQS's own redrive policy have the reason 'redrive-policy'
  --event-id ID[,ID]     only messages of these vault event ids (relay.eventId, else parsed from the body)
  --max N                move (or print) at most N messages
  --max-scan N           examine at most N messages (default 100000)
  --visibility-timeout S hide examined messages this long while the command runs (default 300)
  --wait S               long-poll S seconds before deciding the DLQ is exhausted (default 2)
  --region R             AWS region (default: the queue URL's, then AWS_REGION / profile)
  --endpoint-url URL     SQS endpoint (local emulators)
  -h, --help             this help

The last line on stderr is the count:
  redrive: examined N, matched N, moved N, skipped by filter N, failed N
Exit status: 0 done, 1 some messages failed to move, 2 usage error.

--from-s3: replay what Amazon Data Firehose gave up on. Splunk and HTTP endpoint destinations back
up the records they could not deliver after the retry duration to the archive bucket, under
<destination>-failed/ (stack output Destination<N>, key failedRecords). Every object under the
prefix is read (GZIP or not); each record's line is sent to the destination's queue (--to, its
queueUrl) marked relay.replay.format, and its delivery function sends it unchanged. An object is
deleted only after SQS accepted every line in it (--keep-objects: tagged segura-relay-redriven
instead, and skipped by later runs); an object left partly replayed (filters, --max, a refused copy)
is tagged with the lines already sent (segura-relay-replayed), so a rerun sends only the others.

  --from-s3 URI          s3://BUCKET/PREFIX of the failed records
  --to URL               the destination's queue (required unless --dry-run)
  --dry-run              print the lines that would be replayed (--json: full records); change nothing
  --event-id ID[,ID]     only lines of these vault event ids (read from the rendered line)
  --since TIME           only records Firehose received at or after TIME (ISO 8601 or epoch ms)
  --until TIME           only records Firehose received before TIME
  --reason REGEX         only records whose errorCode or errorMessage matches (e.g. 'Splunk\\.Ack')
  --max N                replay (or print) at most N lines
  --keep-objects         tag replayed objects instead of deleting them
  --s3-endpoint-url URL  S3 endpoint (local emulators; path-style)
  --region R, --endpoint-url URL   as above (--endpoint-url is SQS's)
The last line on stderr is the count:
  redrive --from-s3: objects N, lines N, matched N, replayed N, skipped by filter N, already replayed N, failed N, unreadable N; objects deleted N, tagged N, kept N
Exit status: 0 done, 1 some lines were not replayed or not recorded, 2 usage error.`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

async function redriveCommand(
  argv: string[],
  io: Io,
  deps: { client?: SQSClient; s3?: S3Client } = {},
): Promise<number> {
  const { values: v } = parse(argv, {
    'dlq-url': { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    reason: { type: 'string' },
    'event-id': { type: 'string', multiple: true },
    max: { type: 'string' },
    'max-scan': { type: 'string' },
    'visibility-timeout': { type: 'string' },
    wait: { type: 'string' },
    region: { type: 'string' },
    'endpoint-url': { type: 'string' },
    'from-s3': { type: 'string' },
    's3-endpoint-url': { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'keep-objects': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (v['from-s3'] !== undefined) return await fromS3Command(v, io, deps);
  for (const only of ['s3-endpoint-url', 'since', 'until', 'keep-objects'] as const) {
    if (v[only] !== undefined) throw new UsageError(`--${only} applies to --from-s3 only`);
  }
  const url = (name: string, x: string | undefined): string | undefined => {
    if (x !== undefined && !/^https?:\/\/[^/]+\/[^/]+\/[^/]+$/.test(x)) {
      throw new UsageError(
        `--${name}: expected https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got ${JSON.stringify(x)}`,
      );
    }
    return x;
  };
  const dlqUrl = url('dlq-url', v['dlq-url']);
  if (dlqUrl === undefined) throw new UsageError('--dlq-url is required');
  const to = url('to', v.to);
  if (v.json && !v['dry-run']) throw new UsageError('--json prints messages: use it with --dry-run');
  let reason: RegExp | undefined;
  if (v.reason !== undefined) {
    try {
      reason = new RegExp(v.reason, 'i');
    } catch (e) {
      throw new UsageError(`--reason: ${errorMessage(e)}`);
    }
  }
  const ids = (v['event-id'] ?? [])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  const max = intOption('max', v.max, 1, 100_000_000);
  const maxScan = intOption('max-scan', v['max-scan'], 1, 100_000_000);
  const visibility = intOption('visibility-timeout', v['visibility-timeout'], 30, 43_200);
  const wait = intOption('wait', v.wait, 0, 20);
  const client =
    deps.client ??
    toolSqsClient({
      ...(v['endpoint-url'] !== undefined ? { endpoint: v['endpoint-url'] } : {}),
      ...(v.region !== undefined ? { region: v.region } : {}),
      queueUrl: dlqUrl,
      maxAttempts: 3,
    });
  const abort = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('redrive: stopping after the current batch (Ctrl-C again to quit at once)\n');
    abort.abort();
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  const tty = io.stderr.isTTY === true;
  let last = Date.now();
  try {
    const s = await redrive(client, {
      dlqUrl,
      ...(to !== undefined ? { to } : {}),
      dryRun: v['dry-run'] === true,
      json: v.json === true,
      ...(reason !== undefined ? { reason } : {}),
      ...(ids.length > 0 ? { eventIds: new Set(ids) } : {}),
      ...(max !== undefined ? { max } : {}),
      ...(maxScan !== undefined ? { maxScan } : {}),
      ...(visibility !== undefined ? { visibilityTimeoutSec: visibility } : {}),
      ...(wait !== undefined ? { waitTimeSec: wait } : {}),
      signal: abort.signal,
      print: (line) => io.stdout.write(`${line}\n`),
      progress: (p) => {
        if (Date.now() - last < (tty ? 250 : 2_000)) return;
        last = Date.now();
        io.stderr.write(`${tty ? '\r\x1b[K' : ''}${summaryLine(p)}${tty ? '' : '\n'}`);
      },
    });
    if (s.target !== null) io.stderr.write(`${tty ? '\r\x1b[K' : ''}target: ${s.target}\n`);
    else io.stderr.write(`${tty ? '\r\x1b[K' : ''}target: unknown (give --to QUEUE_URL to move)\n`);
    io.stderr.write(`${summaryLine(s)}\n`);
    return s.failed > 0 || s.copiedNotDeleted > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = toError(e);
    io.stderr.write(`segura-relay redrive: ${err.name}: ${err.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    if (deps.client === undefined) client.destroy();
  }
}

type RedriveValues = ReturnType<typeof parse>['values'] & Record<string, string | boolean | string[] | undefined>;

/** `redrive --from-s3`: options checked here, the work in cli/redrive-s3.ts. */
async function fromS3Command(v: RedriveValues, io: Io, deps: { client?: SQSClient; s3?: S3Client }): Promise<number> {
  for (const only of ['dlq-url', 'max-scan', 'visibility-timeout', 'wait'] as const) {
    if (v[only] !== undefined) throw new UsageError(`--${only} does not apply to --from-s3`);
  }
  const { bucket, prefix } = parseS3Uri(String(v['from-s3']));
  const to = typeof v.to === 'string' ? v.to : undefined;
  if (to !== undefined && !/^https?:\/\/[^/]+\/[^/]+\/[^/]+$/.test(to))
    throw new UsageError(`--to: expected https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE, got ${JSON.stringify(to)}`);
  const dryRun = v['dry-run'] === true;
  if (!dryRun && to === undefined) throw new UsageError("--to is required: the destination's queue URL");
  if (v.json === true && !dryRun) throw new UsageError('--json prints records: use it with --dry-run');
  let reason: RegExp | undefined;
  if (typeof v.reason === 'string') {
    try {
      reason = new RegExp(v.reason, 'i');
    } catch (e) {
      throw new UsageError(`--reason: ${errorMessage(e)}`);
    }
  }
  const ids = ((v['event-id'] as string[] | undefined) ?? [])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  const max = intOption('max', v.max as string | undefined, 1, 100_000_000);
  const sinceMs = timeOption('since', v.since as string | undefined);
  const untilMs = timeOption('until', v.until as string | undefined);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs)
    throw new UsageError('--until must be later than --since');
  const region = typeof v.region === 'string' ? v.region : undefined;
  const s3 =
    deps.s3 ??
    toolS3Client({
      ...(typeof v['s3-endpoint-url'] === 'string' ? { endpoint: v['s3-endpoint-url'] } : {}),
      ...(region !== undefined ? { region } : {}),
    });
  const sqs =
    deps.client ??
    (to === undefined
      ? null
      : toolSqsClient({
          ...(typeof v['endpoint-url'] === 'string' ? { endpoint: v['endpoint-url'] } : {}),
          ...(region !== undefined ? { region } : {}),
          queueUrl: to,
          maxAttempts: 3,
        }));
  const abort = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('redrive: stopping after the current object (Ctrl-C again to quit at once)\n');
    abort.abort();
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  try {
    const s = await redriveFromS3(s3, sqs, {
      bucket,
      prefix,
      ...(to !== undefined ? { to } : {}),
      dryRun,
      json: v.json === true,
      ...(ids.length > 0 ? { eventIds: new Set(ids) } : {}),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(untilMs !== undefined ? { untilMs } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(max !== undefined ? { max } : {}),
      keepObjects: v['keep-objects'] === true,
      signal: abort.signal,
      print: (line) => io.stdout.write(`${line}\n`),
      warn: (line) => io.stderr.write(`redrive: ${line}\n`),
    });
    if (to !== undefined) io.stderr.write(`target: ${to}\n`);
    io.stderr.write(`${s3SummaryLine(s)}\n`);
    return s.failed > 0 || s.unreadable > 0 || s.progressNotRecorded > 0 || s.notCleanedUp > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = toError(e);
    io.stderr.write(`segura-relay redrive: ${err.name}: ${err.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    if (deps.s3 === undefined) s3.destroy();
    if (deps.client === undefined) sqs?.destroy();
  }
}

export type { DlqMessageInfo, RedriveOptions, RedriveSummary };
export { describe as describeDlqMessage, redrive, redriveCommand };
