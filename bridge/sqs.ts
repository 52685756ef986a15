/**
 * SQS plumbing shared by the operator tools (`bridge`, `send`, `redrive`): a client built from the
 * standard credential chain plus `--region`/`--endpoint-url`, and one SendMessageBatch call with
 * each entry classified as accepted, retryable or rejected for good.
 *
 * Limits: at most 10 entries and 1 MiB (body + attributes) per call
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
 */
import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** SendMessageBatch: at most 10 entries per call. */
const MAX_BATCH_ENTRIES = 10;
/** SendMessageBatch: at most 1 MiB of bodies and attributes per call. */
const MAX_BATCH_BYTES = 1_048_576;

/** Options of {@link toolSqsClient}. */
interface ToolClientOptions {
  /** `--endpoint-url` (emulators, VPC endpoints) @default the SDK's (AWS_ENDPOINT_URL_SQS, then AWS) */
  readonly endpoint?: string;
  /** `--region` @default the queue URL's region, then AWS_REGION / the profile's */
  readonly region?: string;
  /** a queue URL to take the region from */
  readonly queueUrl?: string;
  /** abort a request after this long @default 15_000 */
  readonly requestTimeoutMs?: number;
  /** give up connecting after this long @default 3_000 */
  readonly connectTimeoutMs?: number;
  /** SDK-level attempts; the tools retry themselves, so keep it low @default 1 */
  readonly maxAttempts?: number;
}

/** `https://sqs.sa-east-1.amazonaws.com/…` → `sa-east-1` (also emulator URLs `sqs.us-east-1.127.0.0.1:4566`). */
function regionFromQueueUrl(url: string): string | undefined {
  // a regex, not new URL(): emulator hosts like sqs.us-east-1.127.0.0.1 are not valid WHATWG hosts
  return /^https?:\/\/sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(url)?.[1];
}

function isLoopback(endpoint: string): boolean {
  try {
    const h = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/**
 * An SQS client for the operator tools. Credentials come from the standard chain (environment,
 * profile, SSO, instance/container role); only for a loopback endpoint (the local emulators) with
 * no credentials in the environment does it sign with placeholders, so a VPC endpoint URL still
 * uses the real chain.
 *
 * @example toolSqsClient({ endpoint: 'http://127.0.0.1:4566' })
 */
function toolSqsClient(o: ToolClientOptions = {}): SQSClient {
  // the SDK's multi-line Node-version notice would break the tools' one-JSON-object-per-line stderr
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const local =
    o.endpoint !== undefined &&
    isLoopback(o.endpoint) &&
    !process.env.AWS_ACCESS_KEY_ID &&
    !process.env.AWS_PROFILE &&
    !process.env.AWS_WEB_IDENTITY_TOKEN_FILE;
  const region =
    o.region ??
    (o.queueUrl ? regionFromQueueUrl(o.queueUrl) : undefined) ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (o.endpoint !== undefined && isLoopback(o.endpoint) ? 'us-east-1' : undefined);
  return new SQSClient({
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    ...(region ? { region } : {}),
    maxAttempts: o.maxAttempts ?? 1,
    requestHandler: {
      connectionTimeout: o.connectTimeoutMs ?? 3_000,
      requestTimeout: o.requestTimeoutMs ?? 15_000,
    },
  });
}

/** One message to send. */
interface OutboundMessage {
  readonly body: string;
  /** FIFO queues */
  readonly groupId?: string;
  /** FIFO queues (5-minute deduplication window) */
  readonly dedupId?: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
}

/** Per-entry outcome of one SendMessageBatch call, by index into the input. */
interface BatchOutcome {
  /** indexes SQS accepted */
  readonly accepted: number[];
  /** the MessageId SQS gave each accepted entry, by input index */
  readonly messageIds: ReadonlyMap<number, string>;
  /** indexes to try again later (throttling, server errors, the whole call failed) */
  readonly retry: number[];
  /** indexes SQS refused for good (content, size): retrying cannot help */
  readonly rejected: Array<{ readonly index: number; readonly code: string; readonly message: string }>;
  /** the whole call failed: its error name and message */
  readonly callError?: { readonly name: string; readonly message: string };
}

/** Error names of a whole call that no retry will fix without an operator (wrong URL, no permission). */
const CONFIG_ERRORS =
  /NonExistentQueue|QueueDoesNotExist|AccessDenied|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidAddress|InvalidSecurity|CredentialsProviderError|Region is missing|ExpiredToken/i;

/** true when a whole-call error needs an operator (bad queue URL, credentials, permissions). */
function isConfigError(e: { readonly name: string; readonly message: string }): boolean {
  return CONFIG_ERRORS.test(e.name) || CONFIG_ERRORS.test(e.message);
}

// per-entry codes that look like the sender's fault but are transient or fixable outside the message
const TRANSIENT_ENTRY = /throttl|KMS|AccessDenied|Unavailable|Internal|RequestTimeout/i;

/**
 * Send up to 10 messages in one SendMessageBatch call. Never throws: a failed call marks every
 * entry retryable and reports `callError`.
 */
async function sendMessageBatch(
  client: SQSClient,
  queueUrl: string,
  messages: readonly OutboundMessage[],
  abortSignal?: AbortSignal,
): Promise<BatchOutcome> {
  if (messages.length === 0) return { accepted: [], messageIds: new Map(), retry: [], rejected: [] };
  if (messages.length > MAX_BATCH_ENTRIES) throw new RangeError(`at most ${MAX_BATCH_ENTRIES} entries per batch`);
  const entries: SendMessageBatchRequestEntry[] = messages.map((m, i) => ({
    Id: String(i),
    MessageBody: m.body,
    ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
    ...(m.dedupId !== undefined ? { MessageDeduplicationId: m.dedupId } : {}),
    ...(m.attributes !== undefined && Object.keys(m.attributes).length > 0 ? { MessageAttributes: m.attributes } : {}),
  }));
  try {
    const out = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      abortSignal ? { abortSignal } : {},
    );
    const accepted: number[] = [];
    const retry: number[] = [];
    const rejected: Array<{ index: number; code: string; message: string }> = [];
    const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
    const ok = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId ?? '']));
    const messageIds = new Map<number, string>();
    messages.forEach((_, i) => {
      const f = failed.get(String(i));
      if (f === undefined) {
        // an entry in neither list: SQS did not confirm it, so it is not accepted
        if (ok.has(String(i))) {
          accepted.push(i);
          messageIds.set(i, ok.get(String(i)) as string);
        } else retry.push(i);
      } else if (f.SenderFault && !TRANSIENT_ENTRY.test(f.Code ?? '')) {
        rejected.push({ index: i, code: f.Code ?? 'Error', message: f.Message ?? '' });
      } else {
        retry.push(i);
      }
    });
    return { accepted, messageIds, retry, rejected };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return {
      accepted: [],
      messageIds: new Map(),
      retry: messages.map((_, i) => i),
      rejected: [],
      callError: { name: err.name, message: err.message },
    };
  }
}

/** Bytes SQS counts for a message: body plus attribute names, types and values. */
function messageSize(m: OutboundMessage): number {
  let n = Buffer.byteLength(m.body, 'utf8');
  for (const [k, v] of Object.entries(m.attributes ?? {})) {
    n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v.DataType ?? '', 'utf8');
    n += v.StringValue !== undefined ? Buffer.byteLength(v.StringValue, 'utf8') : (v.BinaryValue?.length ?? 0);
  }
  return n;
}

/**
 * Backoff before retry `attempt` (0-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so many bridges never retry in lockstep and none hammers a recovering endpoint.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @example backoffMs(0, 200, 10_000) // 100–200
 */
function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export type { BatchOutcome, OutboundMessage, ToolClientOptions };
export {
  backoffMs,
  isConfigError,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  messageSize,
  regionFromQueueUrl,
  sendMessageBatch,
  toolSqsClient,
};
