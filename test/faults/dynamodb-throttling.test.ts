/**
 * Fault: DynamoDB throttles the alert table (ProvisionedThroughputExceededException on the next
 * 40 PutItem / UpdateItem / GetItem requests, SDK retries included, whenever they come: a time
 * window could close before a busy machine's events reach evaluate-alerts) while alerts fire. evaluate-alerts cannot claim its
 * dedup records, reports those records in batchItemFailures, and SQS retries them after the
 * throttling ends. The channels must receive exactly the alerts a fault-free run of the same feed
 * sends (same headlines, per channel, as a multiset), never one twice, and the SIEM destinations
 * are not affected at all.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogFeed } from '../../local/catalog-feed.js';
import type { amzTarget } from '../../local/fault-proxy.js';
import { LocalRelay } from '../../local/relay.js';
import { closeScenario, FAST, relayHarness } from '../helpers/pipeline.js';

const h = relayHarness();
const input = catalogFeed().map((e) => JSON.stringify(e));
const THROTTLED_REQUESTS = 40;

function perChannel(r: LocalRelay): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of r.alerts?.received() ?? []) {
    const list = out[a.channel] ?? [];
    list.push(a.headline);
    out[a.channel] = list;
  }
  for (const k of Object.keys(out)) out[k]?.sort();
  return out;
}

describe('fault: DynamoDB throttling on the alert table', () => {
  it('alerts are retried until the table answers: same alerts as a fault-free run, none twice, SIEM unaffected', async ({
    task,
  }) => {
    // the baseline: the same feed, no faults
    const baseDir = mkdtempSync(join(tmpdir(), 'segura-relay-baseline-'));
    const base = await LocalRelay.start({ ...FAST, dir: baseDir, alerts: {} });
    let expected: Record<string, string[]>;
    let baseTally: Record<string, number>;
    try {
      await base.send(input);
      expect(await base.drain(30_000)).toBe(true);
      expected = perChannel(base);
      baseTally = { ...base.alerts?.tally };
    } finally {
      await base.stop();
      rmSync(baseDir, { recursive: true, force: true });
    }
    expect(Object.values(expected).flat().length).toBeGreaterThan(10);

    const t0 = Date.now();
    const relay = await h.start({ ...FAST, maxReceiveCount: 20, alerts: { dynamodbProxy: true } });
    const proxy = relay.alerts?.dynamodbProxy;
    const evaluate = relay.pollerFor('evaluate-alerts');
    if (!proxy || !evaluate) throw new Error('no DynamoDB proxy');
    const throttled = {
      match: (r: Parameters<ReturnType<typeof amzTarget>>[0]) =>
        /DynamoDB_20120810\.(PutItem|UpdateItem|GetItem)/.test(String(r.headers['x-amz-target'] ?? '')),
      status: 400,
      code: 'ProvisionedThroughputExceededException',
      message: 'Rate of requests exceeds the allowed throughput',
    };
    proxy.failNext(THROTTLED_REQUESTS, throttled);
    await relay.send(input);
    expect(await relay.drain(40_000)).toBe(true);
    const got = perChannel(relay);
    const tally = { ...relay.alerts?.tally };
    await closeScenario(
      task,
      relay,
      `DynamoDB throttling on the alert table (${THROTTLED_REQUESTS} requests)`,
      input,
      {
        proxy: { ...proxy.stats },
        evaluateStats: { ...evaluate.stats },
        tally,
        baselineTally: baseTally,
        alertsPerChannel: Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.length])),
      },
      t0,
    );
    // the table really throttled, and evaluate-alerts handed those records back to SQS
    expect(proxy.stats.failed).toBeGreaterThan(0);
    expect(evaluate.stats.itemFailures).toBeGreaterThan(0);
    // exactly the fault-free alerts, none published twice
    expect(got).toEqual(expected);
    expect(tally.republished).toBe(0);
  });
});
