/**
 * Retry backoff while a destination is down: the numbers and the arithmetic shared by the delivery
 * functions (which extend a failed record's visibility by {@link backoffSeconds}) and the CDK app
 * (which sets the queue's `maxReceiveCount` with {@link maxReceiveCountFor}). Pure data and math,
 * no imports: infra may import it (like shared/contracts/index.ts).
 *
 * Why: a record that fails because its destination is down is received again after every
 * visibility timeout, and SQS moves it to the DLQ once its receive count passes maxReceiveCount.
 * With a fixed visibility (6 min) and maxReceiveCount 5, a 30-minute outage parks everything.
 * Backing off (fewer receives per hour) and sizing maxReceiveCount so that the queue's retention
 * runs out first means only records that fail for another reason (poison, bugs) reach the DLQ.
 *
 * SQS rules this relies on:
 * - ChangeMessageVisibility counts the new timeout from the time of the call, 0–43,200 s (12 h), and
 *   a message cannot stay in flight longer than 12 hours in total:
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
 * - the visibility set that way is not remembered: the next receive uses the queue's timeout again
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html);
 * - every receive increments ApproximateReceiveCount; a message whose count exceeds the redrive
 *   policy's maxReceiveCount (1–1,000) moves to the DLQ:
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */

/** How long a record whose destination is down stays invisible, by receive. */
interface RetryBackoff {
  /** first backoff (receive 1), seconds; doubles per receive */
  readonly baseSeconds: number;
  /** largest backoff, seconds: the worst-case extra delay after the destination recovers */
  readonly capSeconds: number;
  /**
   * jitter: each backoff is the ceiling times a uniform factor in [1 - jitter, 1] (never more than
   * the ceiling, so the cap holds; never less than 1 - jitter of it, so maxReceiveCount holds).
   */
  readonly jitter: number;
}

/** SQS limits the arithmetic respects. */
const SQS_LIMITS = {
  /** ChangeMessageVisibility / VisibilityTimeout maximum, and the longest a message may be in flight */
  maxVisibilitySeconds: 43_200,
  /** RedrivePolicy maxReceiveCount maximum */
  maxReceiveCount: 1_000,
  /** MessageRetentionPeriod maximum (14 days) */
  maxRetentionSeconds: 1_209_600,
} as const;

/**
 * Defaults: 30 s doubling to a 30-minute cap with 20 % jitter. With the default 10 days of
 * retention that is at most 605 receives of a record whose destination stays down the whole time
 * (maxReceiveCount 655 with the margin below; 845/895 at SQS's longest retention, 14 days), and a
 * destination that comes back is retried within 30 minutes.
 */
const DEFAULT_RETRY_BACKOFF: RetryBackoff = { baseSeconds: 30, capSeconds: 1_800, jitter: 0.2 };

/**
 * Receives that do not back off (the function timed out, a deadline cut a batch, an unexpected
 * error retried before it is parked as `internal`) still count: room for this many on top.
 */
const RECEIVE_MARGIN = 50;

/** Backoff ceiling for the `receiveCount`-th receive (1-based), before jitter. */
function backoffCeilingSeconds(receiveCount: number, b: RetryBackoff): number {
  const n = Math.max(1, Math.floor(receiveCount));
  return Math.min(b.capSeconds, b.baseSeconds * 2 ** Math.min(n - 1, 30));
}

/**
 * Seconds to keep a record invisible after its `receiveCount`-th receive failed because the
 * destination is down: capped exponential with jitter, at least 1, never over the cap.
 *
 * @example
 * ```ts
 * backoffSeconds(1, DEFAULT_RETRY_BACKOFF, () => 0); // 30
 * backoffSeconds(20, DEFAULT_RETRY_BACKOFF, () => 0.5); // 1620 (the 1800 s cap less 10 %)
 * ```
 */
function backoffSeconds(receiveCount: number, b: RetryBackoff, random: () => number = Math.random): number {
  const ceiling = backoffCeilingSeconds(receiveCount, b);
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(1, Math.min(b.capSeconds, Math.ceil(ceiling * (1 - b.jitter * r))));
}

/**
 * The largest number of receives a record can collect within `retentionSeconds` while every
 * receive fails with "destination down" and backs off by at least the jittered minimum, plus
 * {@link RECEIVE_MARGIN}. Used as the redrive policy's maxReceiveCount: a record whose destination
 * stays down expires with the retention period (the queue's own rule) before it could be parked,
 * so an outage never fills the DLQ; a record that keeps failing without backing off (a bug, a
 * poison record the code did not recognise) still reaches the DLQ after this many receives.
 */
function receivesWithin(retentionSeconds: number, b: RetryBackoff): number {
  let elapsed = 0;
  let n = 0;
  // each iteration is one receive; bounded because every backoff is ≥ 1 s
  while (elapsed < retentionSeconds && n < 10_000_000) {
    n++;
    elapsed += Math.max(1, backoffCeilingSeconds(n, b) * (1 - b.jitter));
  }
  return n;
}

function maxReceiveCountFor(retentionSeconds: number, b: RetryBackoff = DEFAULT_RETRY_BACKOFF): number {
  return receivesWithin(retentionSeconds, b) + RECEIVE_MARGIN;
}

/** Problems with a backoff setting (empty when it is usable), each naming the field under `field`. */
function retryBackoffIssues(b: RetryBackoff, retentionSeconds: number, field: string): string[] {
  const out: string[] = [];
  if (!Number.isInteger(b.baseSeconds) || b.baseSeconds < 1)
    out.push(`${field}.baseSeconds: an integer ≥ 1, got ${b.baseSeconds}`);
  // a backoff ends well inside the 12 h a message may be in flight, with room for the invocation
  const maxCap = SQS_LIMITS.maxVisibilitySeconds - 3_600;
  if (!Number.isInteger(b.capSeconds) || b.capSeconds < b.baseSeconds || b.capSeconds > maxCap)
    out.push(`${field}.capSeconds: an integer from baseSeconds to ${maxCap}, got ${b.capSeconds}`);
  if (!(b.jitter >= 0 && b.jitter < 1)) out.push(`${field}.jitter: a number in [0, 1), got ${b.jitter}`);
  if (out.length === 0) {
    const m = maxReceiveCountFor(retentionSeconds, b);
    if (m > SQS_LIMITS.maxReceiveCount)
      out.push(
        `${field}.capSeconds: ${b.capSeconds} s backs off too little for ${retentionSeconds} s of retention: a record could be received ${m} times, over the SQS maxReceiveCount limit of ${SQS_LIMITS.maxReceiveCount}; raise capSeconds or shorten retention.queueDays`,
      );
  }
  return out;
}

export type { RetryBackoff };
export {
  backoffCeilingSeconds,
  backoffSeconds,
  DEFAULT_RETRY_BACKOFF,
  maxReceiveCountFor,
  RECEIVE_MARGIN,
  receivesWithin,
  retryBackoffIssues,
  SQS_LIMITS,
};
