/**
 * Fault: the syslog collector, then (second case) Firehose, is down for far longer than the old
 * redrive budget, then comes back.
 *
 * Before issue 10 a destination queue parked every event after maxReceiveCount (5) × visibility
 * timeout: with the 1 s visibility of this suite, 5 s. Here the outage lasts more than 10× that
 * (55 s) while events keep arriving. With the backoff (scaled: 1 s doubling to 4 s, 20 % jitter)
 * and maxReceiveCount derived from the scaled retention the same way the stack derives it, every
 * event waits in SQS, is delivered after recovery, the DLQ stays empty, and no record gets
 * anywhere near maxReceiveCount. The relay's failure and destination-down metrics rise during the
 * outage (what the alarms watch).
 */
import { describe, expect, it } from 'vitest';
import { maxReceiveCountFor } from '../../shared/config/retry-backoff.js';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep, waitUntil } from '../helpers/pipeline.js';

const h = relayHarness();

const BACKOFF = { baseSeconds: 1, capSeconds: 4, jitter: 0.2 };
/** scaled retention: 14 days is to the 30-minute cap what 2,688 s is to the 4 s cap (maxReceiveCount 892) */
const RETENTION_S = Math.round((14 * 86_400 * BACKOFF.capSeconds) / 1_800);
const MAX_RECEIVES = maxReceiveCountFor(RETENTION_S, BACKOFF);
/** what a destination queue allowed before: maxReceiveCount 5 × the 1 s visibility of FAST */
const OLD_BUDGET_MS = 5 * 1_000;
const OUTAGE_MS = 11 * OLD_BUDGET_MS;

describe('fault: a destination down 11× longer than maxReceiveCount × visibility used to allow', () => {
  it('events wait with a backoff, nothing reaches the DLQ, everything is delivered after recovery', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({
      ...FAST,
      maxReceiveCount: MAX_RECEIVES,
      backoff: BACKOFF,
      firehose: false,
      syslog: {
        sink: { connectTimeoutMs: 500, writeTimeoutMs: 1_000, breaker: { failureThreshold: 3, coolDownMs: 1_000 } },
      },
    });
    const rx = relay.syslogReceiver;
    const poller = relay.pollerFor('deliver-syslog');
    if (!rx || !poller) throw new Error('no local collector');
    const cap = h.cap;
    if (!cap) throw new Error('stdout not captured');

    const before = bodies(50, 41);
    await relay.send(before);
    await rx.waitFor(50, 15_000);
    await rx.kill();
    const downAt = Date.now();
    const failedBefore = cap.metric('EventsFailed', 'collector');

    // events keep arriving during the outage: one burst every 5 s
    const during: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = bodies(20, 42 + i);
      during.push(...b);
      await relay.send(b);
      await sleep(Math.max(0, downAt + (i + 1) * 5_000 - Date.now()));
    }
    const failedAfter10s = cap.metric('EventsFailed', 'collector');
    const downReported = cap.metric('DestinationDown', 'collector');
    const backedOff = cap.metric('EventsBackedOff', 'collector');
    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    const pendingAtEnd = await relay.pending();
    const receivedDuringOutage = poller.stats.received - 50;
    const maxReceiveDuringOutage = poller.stats.maxReceiveCount;
    const outageMs = Date.now() - downAt;

    await rx.restart();
    const recoveredAt = Date.now();
    const drained = await relay.drain(30_000);
    const recoveryMs = Date.now() - recoveredAt;

    const input = [...before, ...during];
    const backoffLogs = logsMatching(cap, 'destination down: records backed off before SQS retries them');
    const ledger = await closeScenario(
      task,
      relay,
      `collector down ${(outageMs / 1000).toFixed(0)} s (old budget ${OLD_BUDGET_MS / 1000} s), backoff ${BACKOFF.baseSeconds}→${BACKOFF.capSeconds} s`,
      input,
      {
        drained,
        outageMs,
        oldBudgetMs: OLD_BUDGET_MS,
        backoff: BACKOFF,
        scaledRetentionSeconds: RETENTION_S,
        maxReceiveCount: MAX_RECEIVES,
        maxReceiveCountSeen: poller.stats.maxReceiveCount,
        maxReceiveCountDuringOutage: maxReceiveDuringOutage,
        receivesDuringOutage: receivedDuringOutage,
        pendingInSqsAtEndOfOutage: pendingAtEnd,
        recoveryMs,
        eventsFailedMetric: { atKill: failedBefore, after10s: failedAfter10s },
        destinationDownMetric: downReported,
        eventsBackedOffMetric: backedOff,
        backoffLogLines: backoffLogs.length,
        pollerStats: { ...poller.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(outageMs).toBeGreaterThanOrEqual(10 * OLD_BUDGET_MS);
    // in = delivered, DLQ 0
    expect(ledger.destinations[0]).toMatchObject({ expected: 250, delivered: 250, inDlq: 0, missing: 0 });
    expect(ledger.dlqReasons).toEqual([]);
    // every event of the outage waited in SQS until the end of it
    expect(pendingAtEnd).toBe(200);
    // receive counts stay far below the limit: at most ~1 + outage / (0.8 × cap) + the ramp
    const bound = Math.ceil(outageMs / (1_000 * BACKOFF.capSeconds * (1 - BACKOFF.jitter))) + 4;
    expect(poller.stats.maxReceiveCount).toBeLessThanOrEqual(bound);
    expect(poller.stats.maxReceiveCount * 5).toBeLessThan(MAX_RECEIVES);
    // without the backoff each record would have been received about once per visibility timeout
    expect(receivedDuringOutage).toBeLessThan((200 * outageMs) / 1_000 / 2);
    // what the alarms watch rose during the outage
    expect(failedAfter10s).toBeGreaterThan(failedBefore);
    expect(downReported).toBeGreaterThan(0);
    expect(backedOff).toBeGreaterThan(0);
    // after recovery the backed-off records come back within one cap (plus the drain's polling)
    expect(await waitUntil(() => rx.messages.length >= 250, 1)).toBe(true);
  }, 150_000);

  it('Firehose refusing every call for 55 s: the same, for the archive (every event once, DLQ 0)', async ({ task }) => {
    const t0 = Date.now();
    const relay = await h.start({
      ...FAST,
      maxReceiveCount: MAX_RECEIVES,
      backoff: BACKOFF,
      syslog: false,
      firehose: { format: 'cef', aggregate: true },
    });
    const fh = relay.firehose;
    const poller = relay.pollerFor('deliver-firehose');
    if (!fh || !poller) throw new Error('no Firehose double');
    const cap = h.cap;
    if (!cap) throw new Error('stdout not captured');

    const before = bodies(50, 141);
    await relay.send(before);
    expect(await waitUntil(() => fh.lines('segura-archive').length >= 50, 15_000)).toBe(true);
    // every PutRecordBatch answered ServiceUnavailableException (HTTP 503) for the whole outage
    fh.faults.throttleFor(OUTAGE_MS, 'ServiceUnavailableException');
    const downAt = Date.now();
    const received0 = poller.stats.received;
    const during: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = bodies(20, 142 + i);
      during.push(...b);
      await relay.send(b);
      await sleep(Math.max(0, downAt + (i + 1) * 5_000 - Date.now()));
    }
    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    const pendingAtEnd = await relay.pending();
    const receivedDuringOutage = poller.stats.received - received0;
    const outageMs = Date.now() - downAt;
    const throttled = fh.throttledCalls;
    fh.faults.clear();
    const drained = await relay.drain(30_000);

    const input = [...before, ...during];
    const ledger = await closeScenario(
      task,
      relay,
      `Firehose refusing every call ${(outageMs / 1000).toFixed(0)} s (old budget ${OLD_BUDGET_MS / 1000} s), backoff ${BACKOFF.baseSeconds}→${BACKOFF.capSeconds} s`,
      input,
      {
        drained,
        outageMs,
        oldBudgetMs: OLD_BUDGET_MS,
        backoff: BACKOFF,
        maxReceiveCount: MAX_RECEIVES,
        maxReceiveCountSeen: poller.stats.maxReceiveCount,
        receivesDuringOutage: receivedDuringOutage,
        pendingInSqsAtEndOfOutage: pendingAtEnd,
        throttledCalls: throttled,
        destinationDownMetric: cap.metric('DestinationDown', 'archive'),
        eventsBackedOffMetric: cap.metric('EventsBackedOff', 'archive'),
        pollerStats: { ...poller.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(outageMs).toBeGreaterThanOrEqual(10 * OLD_BUDGET_MS);
    expect(ledger.destinations[0]).toMatchObject({
      expected: 250,
      delivered: 250,
      inDlq: 0,
      missing: 0,
      duplicates: 0,
    });
    expect(ledger.dlqReasons).toEqual([]);
    expect(pendingAtEnd).toBe(200);
    expect(throttled).toBeGreaterThan(0);
    const bound = Math.ceil(outageMs / (1_000 * BACKOFF.capSeconds * (1 - BACKOFF.jitter))) + 4;
    expect(poller.stats.maxReceiveCount).toBeLessThanOrEqual(bound);
    expect(poller.stats.maxReceiveCount * 5).toBeLessThan(MAX_RECEIVES);
    expect(receivedDuringOutage).toBeLessThan((200 * outageMs) / 1_000 / 2);
    expect(cap.metric('DestinationDown', 'archive')).toBeGreaterThan(0);
  }, 150_000);
});
