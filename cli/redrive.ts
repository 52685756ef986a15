/**
 * `segura-relay redrive`: move messages from a dead-letter queue back to its source queue (or print
 * them), once the cause is fixed. Filters on the reason the relay parked a message with
 * (`relay.error.*` attributes, see shared/deliver/dlq.ts) or on the vault event id; keeps FIFO
 * group ids; deletes a DLQ message only after SQS accepted its copy; `--dry-run` moves nothing and
 * leaves every message visible.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { backoffMs, type OutboundMessage, sendMessageBatch, toolSqsClient } from '../shared/bridge/sqs.js';
import { DLQ_ATTR, REDRIVE_COUNT_ATTR } from '../shared/contracts/index.js';
import { errorMessage, toError } from '../shared/errors.js';
import { parseInput } from '../shared/parse/parse-payload.js';
import { intOption, parse, UsageError } from './args.js';
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

/** What one redrive run is told. */
interface RedriveOptions {
  readonly dlqUrl: string;
  readonly to?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly reason?: RegExp;
  readonly eventIds?: ReadonlySet<string>;
  readonly max?: number;
  /** @default 100_000 */
  readonly maxScan?: number;
  /** @default 300 */
  readonly visibilityTimeoutSec?: number;
  /** @default 2 */
  readonly waitTimeSec?: number;
  /** set to stop after the current batch (SIGINT) */
  readonly signal?: AbortSignal;
  /** a line of output per matched message (dry run) */
  readonly print?: (line: string) => void;
  readonly progress?: (summary: RedriveSummary) => void;
}

/** Final count of a run. */
interface RedriveSummary {
  readonly dryRun: boolean;
  target: string | null;
  examined: number;
  matched: number;
  moved: number;
  skipped: number;
  failed: number;
  /** copied to the target but the DLQ delete failed: they will be redriven twice */
  copiedNotDeleted: number;
  /** moved earlier in this run and back in the DLQ already (the cause is not fixed): left there */
  returned: number;
}

/** A DLQ message as the filters see it. */
interface DlqMessageInfo {
  readonly messageId: string;
  /** `code field: reason` from relay.error.*, or 'redrive-policy' */
  readonly reason: string;
  readonly code: string | null;
  readonly field: string | null;
  readonly eventId: string | null;
  readonly group: string | null;
  readonly receiveCount: number;
  readonly body: string;
}

const REDRIVE_COUNT = REDRIVE_COUNT_ATTR;
const STRIPPED = new Set<string>([DLQ_ATTR.code, DLQ_ATTR.field, DLQ_ATTR.reason]);

/** Reason, event id and group of a received DLQ message. */
function describe(m: Message): DlqMessageInfo {
  const a = m.MessageAttributes ?? {};
  const str = (k: string): string | null => a[k]?.StringValue ?? null;
  const code = str(DLQ_ATTR.code);
  const field = str(DLQ_ATTR.field);
  const why = str(DLQ_ATTR.reason);
  const body = m.Body ?? '';
  let eventId = str(DLQ_ATTR.eventId);
  if (eventId === null) {
    try {
      eventId = parseInput(body).eventId;
    } catch {
      eventId = null;
    }
  }
  return {
    messageId: m.MessageId ?? '',
    reason:
      code === null && field === null && why === null
        ? 'redrive-policy'
        : `${code ?? '-'} ${field ?? '-'}: ${why ?? '-'}`,
    code,
    field,
    eventId,
    group: m.Attributes?.MessageGroupId ?? null,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    body,
  };
}

function matches(info: DlqMessageInfo, o: RedriveOptions): boolean {
  if (o.reason !== undefined) {
    const candidates = info.reason === 'redrive-policy' ? ['redrive-policy'] : [info.code, info.field, info.reason];
    if (!candidates.some((c) => c !== null && (o.reason as RegExp).test(c))) return false;
  }
  if (o.eventIds !== undefined && (info.eventId === null || !o.eventIds.has(info.eventId))) return false;
  return true;
}

/** The copy sent to the target: same body, group and attributes, minus relay.error.*, plus the redrive count. */
function copyOf(m: Message, fifo: boolean): OutboundMessage {
  const attrs: Record<string, MessageAttributeValue> = {};
  let count = 0;
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    if (STRIPPED.has(k)) continue;
    if (k === REDRIVE_COUNT) {
      count = Number(v.StringValue ?? 0) || 0;
      continue;
    }
    attrs[k] = {
      DataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}),
    };
  }
  // SQS allows 10 attributes per message: keep the original ones first
  if (Object.keys(attrs).length < 10) attrs[REDRIVE_COUNT] = { DataType: 'Number', StringValue: String(count + 1) };
  return {
    body: m.Body ?? '',
    attributes: attrs,
    ...(fifo ? { groupId: m.Attributes?.MessageGroupId ?? 'redrive', dedupId: (m.MessageId ?? '').slice(0, 128) } : {}),
  };
}

async function queueAttrs(client: SQSClient, url: string): Promise<{ arn: string; fifo: boolean }> {
  const a = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'FifoQueue'] }),
  );
  return { arn: a.Attributes?.QueueArn ?? '', fifo: a.Attributes?.FifoQueue === 'true' || /\.fifo$/.test(url) };
}

/**
 * Queues whose RedrivePolicy names this DLQ: ListDeadLetterSourceQueues, or (for emulators that lack
 * it) every queue's RedrivePolicy.
 */
async function sourceQueues(client: SQSClient, dlqUrl: string, dlqArn: string): Promise<string[]> {
  try {
    const out: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await client.send(
        new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 1000, NextToken: token }),
      );
      out.push(...(r.queueUrls ?? []));
      token = r.NextToken;
      if (!token) break;
    }
    return out;
  } catch (e) {
    if (
      !/InvalidAction|UnsupportedOperation|UnknownOperation|not.*support/i.test(`${toError(e).name} ${errorMessage(e)}`)
    ) {
      throw e;
    }
  }
  const found: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const r = await client.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: token }));
    for (const url of r.QueueUrls ?? []) {
      if (url === dlqUrl) continue;
      const a = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }));
      const policy = a.Attributes?.RedrivePolicy;
      if (!policy) continue;
      try {
        if ((JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn === dlqArn) found.push(url);
      } catch {
        // not JSON: not ours to judge
      }
    }
    token = r.NextToken;
    if (!token) break;
  }
  return found;
}

/**
 * Run a redrive (or a dry run). Never deletes a DLQ message before its copy was accepted; releases
 * (visibility 0) every message it examined and did not move.
 *
 * @throws {UsageError} when the target cannot be determined or does not fit the DLQ
 */
async function redrive(client: SQSClient, o: RedriveOptions): Promise<RedriveSummary> {
  const dryRun = o.dryRun === true;
  const dlq = await queueAttrs(client, o.dlqUrl);
  let target: string | null = o.to ?? null;
  if (target === null) {
    const sources = await sourceQueues(client, o.dlqUrl, dlq.arn);
    if (sources.length === 1) target = sources[0] as string;
    else if (!dryRun) {
      throw new UsageError(
        sources.length === 0
          ? 'no queue names this DLQ in its RedrivePolicy: give --to QUEUE_URL'
          : `several queues use this DLQ (${sources.join(', ')}): give --to QUEUE_URL`,
      );
    }
  }
  if (target !== null) {
    if (target === o.dlqUrl) throw new UsageError('--to is the DLQ itself');
    const t = await queueAttrs(client, target);
    if (t.fifo !== dlq.fifo) {
      throw new UsageError(
        `the DLQ is ${dlq.fifo ? 'FIFO' : 'standard'} but ${target} is ${t.fifo ? 'FIFO' : 'standard'}`,
      );
    }
  }
  const s: RedriveSummary = {
    dryRun,
    target,
    examined: 0,
    matched: 0,
    moved: 0,
    skipped: 0,
    failed: 0,
    copiedNotDeleted: 0,
    returned: 0,
  };
  const maxScan = o.maxScan ?? 100_000;
  /** receipt handles of messages to make visible again at the end, by message id */
  const held = new Map<string, string>();
  const seen = new Set<string>();
  /**
   * MessageIds of the copies this run sent. A copy that fails again comes back to the DLQ either
   * with the same id (SQS's redrive policy) or as a new message naming it in relay.source.messageId
   * (the relay parked it): never move it again, or a live relay and this command would loop.
   */
  const copies = new Set<string>();
  const hold = (m: Message): void => {
    if (m.MessageId && m.ReceiptHandle) held.set(m.MessageId, m.ReceiptHandle);
  };
  try {
    // every round examines at least one new message or ends the run: bounded by maxScan
    for (let round = 0; round <= maxScan; round++) {
      if (o.signal?.aborted || s.examined >= maxScan || (o.max !== undefined && s.matched >= o.max)) break;
      const r = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: o.dlqUrl,
          MaxNumberOfMessages: Math.min(10, maxScan - s.examined),
          VisibilityTimeout: o.visibilityTimeoutSec ?? 300,
          WaitTimeSeconds: o.waitTimeSec ?? 2,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const msgs = r.Messages ?? [];
      const fresh: Message[] = [];
      for (const m of msgs) {
        if (m.MessageId === undefined) continue;
        // back after its visibility expired (a very long run): keep the newest handle
        if (seen.has(m.MessageId)) hold(m);
        else fresh.push(m);
      }
      if (fresh.length === 0) break;
      const toMove: Message[] = [];
      for (const m of fresh) {
        if (o.max !== undefined && s.matched >= o.max) {
          hold(m);
          continue;
        }
        seen.add(m.MessageId as string);
        const source = m.MessageAttributes?.[DLQ_ATTR.sourceMessageId]?.StringValue;
        if (copies.has(m.MessageId as string) || (source !== undefined && copies.has(source))) {
          s.returned++;
          hold(m);
          continue;
        }
        s.examined++;
        const info = describe(m);
        if (!matches(info, o)) {
          s.skipped++;
          hold(m);
          continue;
        }
        s.matched++;
        if (dryRun) {
          o.print?.(
            o.json
              ? JSON.stringify(info)
              : `${info.messageId}  ${info.reason}  group=${info.group ?? '-'}  eventId=${info.eventId ?? '-'}  ${JSON.stringify(info.body.slice(0, 120))}`,
          );
          hold(m);
        } else {
          toMove.push(m);
        }
      }
      if (toMove.length > 0) await move(client, target as string, o.dlqUrl, toMove, dlq.fifo, s, hold, copies);
      o.progress?.(s);
    }
  } finally {
    await release(client, o.dlqUrl, held);
  }
  return s;
}

async function move(
  client: SQSClient,
  target: string,
  dlqUrl: string,
  msgs: Message[],
  fifo: boolean,
  s: RedriveSummary,
  hold: (m: Message) => void,
  copies: Set<string>,
): Promise<void> {
  let todo = msgs;
  const accepted: Message[] = [];
  for (let attempt = 0; attempt < 3 && todo.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, 200, 2_000)));
    const out = await sendMessageBatch(
      client,
      target,
      todo.map((m) => copyOf(m, fifo)),
    );
    for (const i of out.accepted) {
      accepted.push(todo[i] as Message);
      const id = out.messageIds.get(i);
      if (id) copies.add(id);
    }
    for (const r of out.rejected) {
      s.failed++;
      hold(todo[r.index] as Message);
    }
    todo = out.retry.map((i) => todo[i] as Message);
  }
  for (const m of todo) {
    s.failed++;
    hold(m);
  }
  if (accepted.length === 0) return;
  // only now, with the copies accepted, may the originals go
  try {
    const d = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: accepted.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
    s.moved += d.Successful?.length ?? 0;
    s.copiedNotDeleted += d.Failed?.length ?? 0;
  } catch {
    s.copiedNotDeleted += accepted.length;
  }
}

/** Make held messages visible again (ChangeMessageVisibility 0), 10 per call; expired handles are fine. */
async function release(client: SQSClient, dlqUrl: string, held: Map<string, string>): Promise<void> {
  const handles = [...held.values()];
  for (let i = 0; i < handles.length; i += 10) {
    const chunk = handles.slice(i, i + 10);
    try {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: dlqUrl,
          Entries: chunk.map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 })),
        }),
      );
    } catch {
      // they become visible anyway when their visibility timeout ends
    }
  }
}

function summaryLine(s: RedriveSummary): string {
  return (
    `redrive: examined ${s.examined}, matched ${s.matched}, moved ${s.moved}, skipped by filter ${s.skipped}, failed ${s.failed}` +
    (s.copiedNotDeleted ? `, copied but not deleted ${s.copiedNotDeleted}` : '') +
    (s.returned ? `, back in the DLQ already ${s.returned} (left there: is the cause fixed?)` : '') +
    (s.dryRun ? ' (dry run: nothing moved)' : '')
  );
}

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
