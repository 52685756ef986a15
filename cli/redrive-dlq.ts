/**
 * The SQS side of `segura-relay redrive`: find the DLQ's source queue, receive in batches, copy the
 * selected messages to the target, delete each DLQ message only after SQS accepted its copy, and
 * make everything else visible again. Counts every message in a RedriveSummary.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { backoffMs, sendMessageBatch } from '../bridge/sqs.js';
import { DLQ_ATTR } from '../shared/contracts/index.js';
import { errorMessage, toError } from '../shared/errors.js';
import { UsageError } from './args.js';
import { copyOf, describe, matches } from './redrive-message.js';

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

export type { RedriveOptions, RedriveSummary };
export { redrive, summaryLine };
