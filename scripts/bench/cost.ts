/**
 * Cost per million events, computed from the measured figures of this run. Prices are inputs:
 * update PRICES when AWS changes them (us-east-1, on-demand, no free tier, as published on the
 * AWS pricing pages in 2026-11; check before relying on them).
 */

const PRICES = {
  /** Lambda arm64, USD per GB-second */
  lambdaGbSecond: 0.0000133334,
  /** Lambda, USD per request (invocation) */
  lambdaRequest: 0.2 / 1e6,
  /** SQS standard, USD per request (each 64 KB chunk of a request is billed as one) */
  sqsRequest: 0.4 / 1e6,
  /** SNS standard topic, USD per published message (each 64 KB chunk); SNS → SQS deliveries are free */
  snsPublish: 0.5 / 1e6,
  /** Firehose Direct PUT, USD per GB ingested, each record rounded up to the next 5 KB */
  firehoseGb: 0.029,
  /** KMS, USD per request (SQS/SNS reuse data keys for 5 minutes: a handful of requests per hour) */
  kmsRequest: 0.03 / 10_000,
} as const;

interface CostInput {
  /** measured CPU ms per 1,000 events, per function */
  cpuMsPer1k: Record<string, number>;
  /** Lambda memory size (MB) the stack configures */
  memoryMb: number;
  /** events per Lambda invocation (SQS batch size) */
  batchSize: number;
  /** average rendered event size in bytes (for Firehose) */
  eventBytes: number;
  /** Firehose aggregation (S3) packs many events per record; without it each event is one record */
  aggregate: boolean;
}

interface CostLine {
  item: string;
  usdPerMillion: number;
  basis: string;
}

function costPerMillion(i: CostInput): CostLine[] {
  const n = 1e6;
  const lines: CostLine[] = [];
  const gb = i.memoryMb / 1024;
  for (const [fn, cpu] of Object.entries(i.cpuMsPer1k)) {
    // duration ≈ CPU time (loopback measurement; real network waits add to it)
    const seconds = (cpu * (n / 1000)) / 1000;
    lines.push({
      item: `Lambda ${fn}`,
      usdPerMillion: seconds * gb * PRICES.lambdaGbSecond + (n / i.batchSize) * PRICES.lambdaRequest,
      basis: `${seconds.toFixed(0)} s × ${gb} GB + ${(n / i.batchSize).toFixed(0)} invocations`,
    });
  }
  // vault SendMessageBatch (10/call), and per consuming queue one receive + one delete per 10 events
  const queues = 1 + Object.keys(i.cpuMsPer1k).length - 1;
  const sqsRequests = n / 10 + queues * 2 * (n / 10);
  lines.push({
    item: 'SQS',
    usdPerMillion: sqsRequests * PRICES.sqsRequest,
    basis: `${sqsRequests.toFixed(0)} requests (batches of 10)`,
  });
  lines.push({
    item: 'SNS',
    usdPerMillion: n * PRICES.snsPublish,
    basis: '1 publish per event (PublishBatch bills per message)',
  });
  const recordBytes = i.aggregate ? i.eventBytes + 1 : Math.max(5120, Math.ceil((i.eventBytes + 1) / 5120) * 5120);
  const firehoseGb = (n * recordBytes) / 1024 ** 3;
  lines.push({
    item: `Firehose (${i.aggregate ? 'aggregated, S3' : 'one event per record'})`,
    usdPerMillion: firehoseGb * PRICES.firehoseGb,
    basis: `${firehoseGb.toFixed(2)} GB billed`,
  });
  return lines;
}

export type { CostInput, CostLine };
export { costPerMillion, PRICES };
