/**
 * The deployment config's defaults: what a field left out of the file resolves to (infra/config/resolve.ts),
 * and what the cross-field rules (infra/config/rules.ts) assume when a field is absent.
 */
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff } from '../../shared/config/retry-backoff.js';
import type { ProcessingInput } from './types.js';

/**
 * Per-consumer defaults, sized for the vault's event rates (tens per second at peak) and batched to
 * what sits behind each consumer (docs/performance.md §4): normalize waits 1 s for up to 100 events
 * (10 PublishBatch calls); Firehose buffers minutes before it writes to S3 and up to 60 s for
 * Splunk/HTTP, so deliver-firehose waits 10 s for up to 500 records (one PutRecordBatch call);
 * collectors and alerts want seconds (1 s and 2 s).
 */
const PROCESSING_DEFAULTS = {
  ingest: { batchSize: 100, maxBatchingWindowSeconds: 1, maxConcurrency: 10, memoryMb: 256, timeoutSeconds: 30 },
  firehose: { batchSize: 500, maxBatchingWindowSeconds: 10, maxConcurrency: 5, memoryMb: 256, timeoutSeconds: 60 },
  // each concurrent invocation holds one connection to the collector: keep it small
  syslog: { batchSize: 100, maxBatchingWindowSeconds: 1, maxConcurrency: 2, memoryMb: 256, timeoutSeconds: 60 },
  alerts: { batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 2, memoryMb: 256, timeoutSeconds: 30 },
} as const;

const DEFAULT_MAX_RECEIVE_COUNT = 5;
/** Firehose's longest retry for Splunk and HTTP endpoints (RetryOptions.DurationInSeconds, 0–7200):
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_SplunkRetryOptions.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_HttpEndpointRetryOptions.html */
const FIREHOSE_MAX_RETRY_SECONDS = 7_200;

/**
 * Retention defaults (days). SQS keeps a standard queue's message until its *original* enqueue
 * time plus the queue's retention, also after the message moved to a DLQ, so AWS recommends a
 * DLQ retention longer than its source queue's:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
 * Source queues keep 10 days (a 10-day outage is ridden out and resumes by itself); DLQs keep the
 * SQS maximum of 14, so a message parked at the last moment still stays 4 days (a long weekend) in
 * its DLQ for the operator to redrive, and one parked at once stays 14.
 */
const DEFAULT_QUEUE_DAYS = 10;
const DEFAULT_DEAD_LETTER_QUEUE_DAYS = 14;
/**
 * The newest Node.js Lambda runtime aws-cdk-lib 2.276.0 offers (`lambda.Runtime.NODEJS_24_X`);
 * nodejs22.x reaches end of support in April 2027:
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
const DEFAULT_RUNTIME = 'nodejs24.x' as const;
const DEFAULT_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * Visibility timeout of a consumer's queue, seconds: 6 × the function timeout (AWS: "set the source
 * queue's visibility timeout to at least six times the configuration timeout on your function",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html) plus the batching
 * window, which records spend received but not yet handed to the function. The stack
 * (infra/constructs/relay-function.ts) and `npm start -c` (local/deployment.ts) both use it.
 */
function visibilitySecondsFor(p: {
  readonly timeoutSeconds: number;
  readonly maxBatchingWindowSeconds: number;
}): number {
  return 6 * p.timeoutSeconds + p.maxBatchingWindowSeconds;
}

/** A destination's retry backoff: the configured one, else the shared default. */
function backoffOf(p: ProcessingInput | undefined): RetryBackoff {
  return {
    baseSeconds: p?.backoff?.baseSeconds ?? DEFAULT_RETRY_BACKOFF.baseSeconds,
    capSeconds: p?.backoff?.capSeconds ?? DEFAULT_RETRY_BACKOFF.capSeconds,
    jitter: DEFAULT_RETRY_BACKOFF.jitter,
  };
}

export {
  backoffOf,
  DEFAULT_DEAD_LETTER_QUEUE_DAYS,
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_QUEUE_DAYS,
  DEFAULT_RUNTIME,
  DEFAULT_TLS_POLICY,
  FIREHOSE_MAX_RETRY_SECONDS,
  PROCESSING_DEFAULTS,
  visibilitySecondsFor,
};
