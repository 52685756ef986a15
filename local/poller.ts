/**
 * A small Lambda SQS event-source mapping for local runs and tests: long-polls a queue, invokes the
 * real handler with a batch, and deletes only what the handler did not report in
 * `batchItemFailures` (ReportBatchItemFailures semantics). A handler error or timeout deletes
 * nothing: the messages come back after the visibility timeout and, after `maxReceiveCount`
 * receives, SQS (the emulator) moves them to the DLQ by its redrive policy.
 *
 * Like the Lambda service, it never touches the visibility of a record the handler reported as
 * failed: a handler that extended it (ChangeMessageVisibility, the relay's backoff while a
 * destination is down) keeps it out of sight for exactly that long, counted from the call.
 * fauxqs applies ChangeMessageVisibility as SQS does (from the time of the call, 0–43,200 s per
 * call); it does not enforce SQS's 12-hour limit on a message's total time in flight, which the
 * relay never approaches (its backoff cap is at most 11 h, checked at synth and at cold start).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toError } from '../shared/errors.js';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

interface PollerOptions {
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  /** @default 10 */
  readonly batchSize?: number;
  /** function timeout; the handler's context counts down from it. @default 10_000 */
  readonly timeoutMs?: number;
  /**
   * What the handler's context reports as its remaining time, when it must differ from the real
   * timeout (fault tests: a function killed mid-batch by a stall its own deadline does not see).
   * @default timeoutMs
   */
  readonly contextTimeoutMs?: number;
  /** visibility timeout set on receive, seconds. @default 6 × timeout */
  readonly visibilityTimeoutSec?: number;
  /** long-poll wait, seconds. @default 1 */
  readonly waitTimeSec?: number;
  /**
   * Receive loops running at once, each invoking the handler with its own batch (Lambda scales an
   * SQS event source to several concurrent invocations the same way). @default 1
   */
  readonly concurrency?: number;
  /** called for diagnostics (handler errors, partial failures) */
  readonly onLog?: (line: string) => void;
}

interface PollerStats {
  invocations: number;
  received: number;
  deleted: number;
  itemFailures: number;
  handlerErrors: number;
  timeouts: number;
  /** highest ApproximateReceiveCount seen on any message */
  maxReceiveCount: number;
}

function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const attrs = m.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = {
      dataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
    } as SQSRecord['messageAttributes'][string];
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attrs.MessageGroupId ? { MessageGroupId: attrs.MessageGroupId } : {}),
      ...(attrs.MessageDeduplicationId ? { MessageDeduplicationId: attrs.MessageDeduplicationId } : {}),
    },
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const fail = (): never => {
    throw new Error('legacy callback API not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

class Poller {
  readonly stats: PollerStats = {
    invocations: 0,
    received: 0,
    deleted: 0,
    itemFailures: 0,
    handlerErrors: 0,
    timeouts: 0,
    maxReceiveCount: 0,
  };
  private running = false;
  private loop: Promise<void> | null = null;
  /**
   * Outcome of the last invocation, in the words of Lambda's `LastProcessingResult`
   * (`No records processed`, `OK`, `PROBLEM: …`): what `segura-relay doctor` shows locally.
   */
  lastResult = 'No records processed';
  /** when the poller was last started or stopped (ms) */
  changedAt = Date.now();

  /** true while it receives and invokes (an enabled event source mapping) */
  get enabled(): boolean {
    return this.running;
  }

  get queueArn(): string {
    return this.o.queueArn;
  }

  get batchSize(): number {
    return this.o.batchSize;
  }
  private readonly o: Required<Omit<PollerOptions, 'onLog' | 'contextTimeoutMs'>> &
    Pick<PollerOptions, 'onLog' | 'contextTimeoutMs'>;
  private abort = new AbortController();

  get name(): string {
    return this.o.name;
  }

  constructor(o: PollerOptions) {
    const timeoutMs = o.timeoutMs ?? 10_000;
    this.o = {
      batchSize: 10,
      waitTimeSec: 1,
      concurrency: 1,
      visibilityTimeoutSec: Math.ceil((6 * timeoutMs) / 1000),
      ...o,
      timeoutMs,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.changedAt = Date.now();
    this.abort = new AbortController();
    const loops = Number.isInteger(this.o.concurrency) && this.o.concurrency > 1 ? this.o.concurrency : 1;
    this.loop = Promise.all(Array.from({ length: loops }, () => this.run())).then(() => undefined);
  }

  /** Stop polling; waits for the batch in progress. */
  async stop(): Promise<void> {
    if (this.running) this.changedAt = Date.now();
    this.running = false;
    this.abort.abort();
    await this.loop;
    this.loop = null;
  }

  private log(s: string): void {
    this.o.onLog?.(`[${this.o.name}] ${s}`);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let msgs: Message[];
      try {
        const out = await this.o.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.o.queueUrl,
            MaxNumberOfMessages: this.o.batchSize,
            WaitTimeSeconds: this.o.waitTimeSec,
            VisibilityTimeout: this.o.visibilityTimeoutSec,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        msgs = out.Messages ?? [];
      } catch (e) {
        if (!this.running) return;
        this.log(`receive failed: ${toError(e).message}`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (msgs.length === 0) continue;
      await this.invoke(msgs);
    }
  }

  private async invoke(msgs: Message[]): Promise<void> {
    this.stats.invocations++;
    this.stats.received += msgs.length;
    for (const m of msgs) {
      const n = Number(m.Attributes?.ApproximateReceiveCount ?? 0);
      if (n > this.stats.maxReceiveCount) this.stats.maxReceiveCount = n;
    }
    const event: SQSEvent = { Records: msgs.map((m) => toRecord(m, this.o.queueArn, 'us-east-1')) };
    const ctx = lambdaContext(this.o.name, this.o.contextTimeoutMs ?? this.o.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    let res: SQSBatchResponse | undefined;
    try {
      res = await Promise.race([
        this.o.handler(event, ctx),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
        }),
      ]);
    } catch (e) {
      const err = toError(e);
      if (err.message.startsWith('Task timed out')) this.stats.timeouts++;
      else this.stats.handlerErrors++;
      this.lastResult = `PROBLEM: Function call failed: ${err.message}`;
      this.log(`invocation failed, ${msgs.length} message(s) return after the visibility timeout: ${err.message}`);
      return;
    } finally {
      clearTimeout(timer);
    }
    const ids = new Set(msgs.map((m) => m.MessageId));
    const failures = res?.batchItemFailures ?? [];
    // Lambda treats a malformed response (unknown or empty id) as a failure of the whole batch
    if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) {
      this.stats.handlerErrors++;
      this.lastResult = 'PROBLEM: Function response invalid: batchItemFailures names an unknown message id';
      this.log('batchItemFailures names an unknown message id: whole batch retried');
      return;
    }
    const failed = new Set(failures.map((f) => f.itemIdentifier));
    this.lastResult = 'OK';
    this.stats.itemFailures += failed.size;
    const done = msgs.filter((m) => !failed.has(m.MessageId as string));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      try {
        const out = await this.o.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.o.queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
        this.stats.deleted += out.Successful?.length ?? 0;
        for (const f of out.Failed ?? [])
          this.log(`delete failed (message will be redelivered): ${f.Code} ${f.Message}`);
      } catch (e) {
        this.log(`delete failed (messages will be redelivered): ${toError(e).message}`);
      }
    }
  }
}

export type { PollerOptions, PollerStats, SqsHandler };
export { lambdaContext, Poller, toRecord };
