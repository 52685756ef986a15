/**
 * The cost model's billing rules, pinned on hand-computed cases (prices from cli/cost-prices.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  type ConsumerInventory,
  computeCost,
  eventsPerInvocation,
  firehoseBilledBytes,
  firehoseRecords,
  type Inventory,
  lambdaGbSeconds,
  SECONDS_PER_MONTH,
  snsPublishBatchBilled,
  snsPublishRequests,
  sqsBilledRequests,
} from '../../../cli/cost-model.js';
import { PRICES } from '../../../cli/cost-prices.js';

describe('SNS PublishBatch billing', () => {
  it('bills one request per call of up to 10 entries, not per message', () => {
    // 10 events of 600 B: one call of 6,000 B → 1 request; a million events → 100,000 requests
    expect(snsPublishRequests(10, 600)).toBe(1);
    expect(((1e6 / 10) * snsPublishRequests(10, 600) * PRICES.snsRequest.usd).toFixed(4)).toBe('0.0500');
    // 25 events: calls of 10, 10, 5
    expect(snsPublishRequests(25, 600)).toBe(3);
  });
  it('counts each 64 KB of a call payload as one more request', () => {
    expect(snsPublishBatchBilled(65_536)).toBe(1);
    expect(snsPublishBatchBilled(65_537)).toBe(2);
    // 10 entries of 20,000 B = 200,000 B → ceil(200,000 / 65,536) = 4
    expect(snsPublishRequests(10, 20_000)).toBe(4);
  });
});

describe('SQS billing', () => {
  it('bills each request, and each 64 KB chunk of its payload as one request', () => {
    expect(sqsBilledRequests(0)).toBe(1);
    expect(sqsBilledRequests(600)).toBe(1);
    expect(sqsBilledRequests(65_536)).toBe(1);
    expect(sqsBilledRequests(65_537)).toBe(2);
    expect(sqsBilledRequests(256 * 1024)).toBe(4);
  });
});

describe('Firehose 5 KB rounding', () => {
  it('rounds each record up to the next 5 KB', () => {
    expect(firehoseBilledBytes(1)).toBe(5120);
    expect(firehoseBilledBytes(601)).toBe(5120);
    expect(firehoseBilledBytes(5120)).toBe(5120);
    expect(firehoseBilledBytes(5121)).toBe(10_240);
  });
  it('one event per record (Splunk/HTTP) bills 5 KB per event; aggregation (S3) packs them', () => {
    // 100 events of 601 B: 100 records × 5,120 B vs one record of 60,100 B → 12 × 5,120 = 61,440 B
    expect(firehoseRecords(100, 601, false)).toEqual({ records: 100, billedBytes: 512_000 });
    expect(firehoseRecords(100, 601, true)).toEqual({ records: 1, billedBytes: 61_440 });
    // a record holds at most 1,000 KiB: 2,000 lines of 1,000 B → 1,024 per record → 2 records
    expect(firehoseRecords(2000, 1000, true).records).toBe(2);
  });
});

describe('Lambda GB-seconds', () => {
  it('bills duration rounded up to 1 ms at the configured memory', () => {
    // 1,000 invocations × 25.2 ms → 26 ms × 0.25 GB = 6.5 GB-s
    expect(lambdaGbSeconds(1000, 25.2, 256)).toBeCloseTo(6.5, 10);
    expect(lambdaGbSeconds(1000, 25, 1024)).toBeCloseTo(25, 10);
    // 6.5 GB-s at the arm64 price
    expect(6.5 * PRICES.lambdaGbSecondArm.usd).toBeCloseTo(0.0000866671, 10);
  });
  it('batches what the rate produces within the window, capped by the batch size', () => {
    expect(eventsPerInvocation(5, 50, 1)).toBe(5);
    expect(eventsPerInvocation(100, 50, 1)).toBe(50);
    expect(eventsPerInvocation(0.1, 50, 1)).toBe(1);
    // no window: what one receive returns (≤ 10)
    expect(eventsPerInvocation(5, 10, 0)).toBeCloseTo(1.1, 10);
    expect(eventsPerInvocation(2000, 100, 0)).toBe(10);
  });
});

const consumer = (c: Partial<ConsumerInventory>): ConsumerInventory => ({
  name: 'normalize',
  kind: 'normalize',
  memoryMb: 256,
  arm64: true,
  batchSize: 10,
  windowSeconds: 1,
  source: 'producers',
  filtered: false,
  ...c,
});

const INVENTORY: Inventory = {
  deployment: 'test',
  consumers: [consumer({})],
  kmsKeys: 2,
  alarms: 10,
  compositeAlarms: 0,
  dashboards: 1,
  customMetrics: 7,
  metricsBasis: 'normalize 7',
  nlbs: 0,
  interfaceEndpoints: 0,
  endpointAzs: 0,
  natGateways: 0,
  encryptedQueues: 1,
  encryptedTopics: 1,
  kmsReuseSeconds: 300,
  dynamoTables: 0,
  alertChannels: [],
};

describe('computeCost', () => {
  it('fixed items: keys, alarms, metrics, dashboard at their monthly prices', () => {
    const r = computeCost(INVENTORY, { rate: 0, eventBytes: 600, filteredShare: 1 });
    const fixed = Object.fromEntries(r.lines.filter((l) => l.section === 'fixed').map((l) => [l.item, l.usdMonth]));
    expect(fixed['KMS keys']).toBe(2);
    expect(fixed['CloudWatch alarms']).toBeCloseTo(1, 10);
    expect(fixed['CloudWatch custom metrics']).toBeCloseTo(2.1, 10);
    expect(fixed['CloudWatch dashboard']).toBe(3);
    // idle: 5 pollers × one 20 s long poll = 0.25 receives/s × 2,628,000 s = 657,000 requests
    const idle = r.lines.find((l) => l.item.startsWith('SQS empty receives'));
    expect(idle?.quantity).toBeCloseTo(657_000, 6);
    expect(r.variableUsdMonth).toBe(0);
    expect(r.variableUsdPerMillion).toBeUndefined();
  });

  it('variable items at 100 events/s with full batches of 10 (hand computed)', () => {
    const r = computeCost(INVENTORY, { rate: 100, eventBytes: 600, filteredShare: 1 });
    const events = 100 * SECONDS_PER_MONTH;
    expect(r.eventsPerMonth).toBe(262_800_000);
    const byItem = Object.fromEntries(r.lines.map((l) => [l.item, l]));
    // batches of 10 → 26,280,000 invocations; each: one PublishBatch (10 × 1,040 B < 64 KB)
    expect(byItem['SNS events topic: PublishBatch']?.quantity).toBeCloseTo(events / 10, 3);
    // Lambda: 26,280,000 × ceil(25 + 0.08 × 10 = 25.8 → 26 ms) × 0.25 GB = 170,820 GB-s
    expect(byItem['Lambda normalize']?.quantity).toBeCloseTo(170_820, 3);
    expect(byItem['Lambda normalize']?.usdMonth).toBeCloseTo(
      (events / 10) * PRICES.lambdaRequest.usd + 170_820 * PRICES.lambdaGbSecondArm.usd,
      6,
    );
    // the busy queue leaves no idle receives
    expect(byItem['SQS empty receives (ESM long polling)']?.quantity).toBe(0);
    expect(r.variableUsdPerMillion).toBeCloseTo(r.variableUsdMonth / 262.8, 10);
  });

  it('a filter policy scales what its queue and function receive', () => {
    const inv: Inventory = {
      ...INVENTORY,
      consumers: [
        consumer({}),
        consumer({ name: 'alerts', kind: 'evaluate-alerts', source: 'events-topic', filtered: true }),
      ],
    };
    const all = computeCost(inv, { rate: 100, eventBytes: 600, filteredShare: 1 });
    const tenth = computeCost(inv, { rate: 100, eventBytes: 600, filteredShare: 0.1 });
    const alerts = (r: typeof all) => r.batches.find((b) => b.name === 'alerts');
    expect(alerts(all)?.eventsPerSecond).toBe(100);
    expect(alerts(tenth)?.eventsPerSecond).toBe(10);
    expect(tenth.variableUsdMonth).toBeLessThan(all.variableUsdMonth);
  });

  it('the alerts filter has its own share (--alerts-share); destination filters keep --filtered-share', () => {
    const inv: Inventory = {
      ...INVENTORY,
      consumers: [
        consumer({}),
        consumer({ name: 'splunk', kind: 'deliver-firehose', source: 'events-topic', filtered: true }),
        consumer({ name: 'alerts', kind: 'evaluate-alerts', source: 'events-topic', filtered: true }),
      ],
    };
    const r = computeCost(inv, { rate: 200, eventBytes: 600, filteredShare: 0.5, alertsShare: 0.05 });
    const rate = (name: string) => r.batches.find((b) => b.name === name)?.eventsPerSecond;
    expect(rate('splunk')).toBe(100);
    expect(rate('alerts')).toBeCloseTo(10, 10);
    expect(r.lines.find((l) => l.item.startsWith('SQS alerts queue'))?.basis).toMatch(
      /5% of events \(--alerts-share\)/,
    );
    // without alertsShare the alerts filter falls back to filteredShare
    const same = computeCost(inv, { rate: 200, eventBytes: 600, filteredShare: 0.5 });
    expect(same.batches.find((b) => b.name === 'alerts')?.eventsPerSecond).toBe(100);
  });
});
