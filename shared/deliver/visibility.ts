/**
 * Keep records whose destination is down out of sight for a while: ChangeMessageVisibilityBatch on
 * the source queue (10 entries per call) before the handler reports them in `batchItemFailures`.
 * The Lambda event source mapping leaves a failed record in flight until its visibility timeout
 * ends (it does not reset it), so the timeout set here decides when SQS offers it again:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html.
 * The new timeout counts from the call, 0–43,200 s:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_LIMITS } from '../config/retry-backoff.js';
import { toError } from '../errors.js';
import { signalUntil } from './deadline.js';

interface VisibilityChange {
  /** SQS message id (for the result) */
  readonly id: string;
  readonly receiptHandle: string;
  /** new visibility timeout, seconds from now */
  readonly seconds: number;
}

interface VisibilityResult {
  readonly changed: string[];
  readonly failed: Array<{ id: string; error: string }>;
}

/**
 * Change the visibility of each record; never throws. Calls are bounded by `deadlineMs`: what is
 * not changed by then keeps the queue's visibility timeout (it is still retried, only sooner).
 *
 * @example
 * ```ts
 * await extendVisibility(sqs, queueUrl, [{ id: r.messageId, receiptHandle: r.receiptHandle, seconds: 60 }], endMs);
 * ```
 */
async function extendVisibility(
  client: SQSClient,
  queueUrl: string,
  changes: readonly VisibilityChange[],
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<VisibilityResult> {
  const changed: string[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  for (let i = 0; i < changes.length; i += 10) {
    const chunk = changes.slice(i, i + 10);
    if (Date.now() >= deadlineMs) {
      for (const c of chunk) failed.push({ id: c.id, error: 'not attempted: invocation deadline' });
      continue;
    }
    try {
      const out = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((c, j) => ({
            Id: String(j),
            ReceiptHandle: c.receiptHandle,
            VisibilityTimeout: Math.min(SQS_LIMITS.maxVisibilitySeconds, Math.max(0, Math.round(c.seconds))),
          })),
        }),
        Number.isFinite(deadlineMs) ? { abortSignal: signalUntil(deadlineMs) } : {},
      );
      const bad = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code ?? 'Error'}: ${f.Message ?? ''}`]));
      chunk.forEach((c, j) => {
        const err = bad.get(String(j));
        if (err === undefined) changed.push(c.id);
        else failed.push({ id: c.id, error: err });
      });
    } catch (e) {
      const err = toError(e);
      for (const c of chunk) failed.push({ id: c.id, error: `${err.name}: ${err.message}` });
    }
  }
  return { changed, failed };
}

/**
 * The URL of the queue an SQS record came from, from its `eventSourceARN`
 * (`arn:aws:sqs:REGION:ACCOUNT:NAME` → `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`, the
 * documented queue URL form: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
 */
function queueUrlFromArn(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!m) return undefined;
  const suffix = m[1] === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${m[2]}.${suffix}/${m[3]}/${m[4]}`;
}

export type { VisibilityChange, VisibilityResult };
export { extendVisibility, queueUrlFromArn };
