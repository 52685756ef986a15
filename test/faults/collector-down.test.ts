/**
 * Fault: the syslog collector is down for longer than the source queue's visibility timeout, then
 * comes back. SQS keeps the events (each is received several times while the collector is down);
 * the circuit breaker fails batches fast instead of spending a connect timeout on each, and lets
 * one probe through per cool-down.
 */
import { describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep, waitUntil } from '../helpers/pipeline.js';

const h = relayHarness();

const COOL_DOWN_MS = 1_500;
const THRESHOLD = 3;
const OUTAGE_MS = 4_500;

describe('fault: collector down longer than the visibility timeout', () => {
  it('SQS holds the events, the breaker stops connection attempts while open, everything arrives once after recovery', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: {
        sink: {
          connectTimeoutMs: 500,
          writeTimeoutMs: 1_000,
          breaker: { failureThreshold: THRESHOLD, coolDownMs: COOL_DOWN_MS },
        },
      },
    });
    const rx = relay.syslogReceiver;
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!rx || !sink || !poller) throw new Error('no local collector');

    // before: 100 events delivered, then the collector goes down while idle (nothing unread)
    const before = bodies(100, 31);
    await relay.send(before);
    await rx.waitFor(100, 15_000);
    await rx.kill();
    const downAt = Date.now();
    const attemptsAtDown = sink.stats().transport.connectAttempts;

    const during = bodies(200, 32);
    await relay.send(during);
    expect(await waitUntil(() => sink.stats().breaker.state === 'open', 10_000)).toBe(true);
    const openedAfterMs = Date.now() - downAt;
    const attemptsAtOpen = sink.stats().transport.connectAttempts;
    const invocationsAtOpen = poller.stats.invocations;
    const probesAtOpen = logsMatching(h.cap, 'syslog circuit half-open').length;
    // while open, batches keep coming and fail fast; the only connection attempts are the half-open
    // probes (one per cool-down). Sampled state, not a sleep: on a busy machine a fixed sleep can
    // outlast the cool-down, and the probe it then sees is correct behaviour, not a failure.
    expect(await waitUntil(() => poller.stats.invocations > invocationsAtOpen, 10_000)).toBe(true);
    // attempts first: a probe logs `half-open` before it connects, so every attempt counted here
    // already has its log line
    const attemptsWhileOpen = sink.stats().transport.connectAttempts - attemptsAtOpen;
    const probesWhileOpen = logsMatching(h.cap, 'syslog circuit half-open').length - probesAtOpen;
    const invocationsWhileOpen = poller.stats.invocations - invocationsAtOpen;

    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    const pendingDuringOutage = await relay.pending();
    const receivedDuringOutage = poller.stats.received;
    const attemptsDuringOutage = sink.stats().transport.connectAttempts - attemptsAtDown;
    const outageMs = Date.now() - downAt;
    await rx.restart();
    const drained = await relay.drain(30_000);

    const input = [...before, ...during];
    const opened = logsMatching(h.cap, 'syslog circuit opened: failing batches fast');
    const failedFast = logsMatching(h.cap, 'syslog batch failed fast: circuit open');
    const ledger = await closeScenario(
      task,
      relay,
      `collector down ${(outageMs / 1000).toFixed(1)} s (visibility 1 s), then back`,
      input,
      {
        drained,
        outageMs,
        visibilityTimeoutSec: FAST.visibilityTimeoutSec,
        breaker: { failureThreshold: THRESHOLD, coolDownMs: COOL_DOWN_MS },
        breakerOpenedAfterMs: openedAfterMs,
        breakerOpenings: opened.length,
        batchesFailedFast: failedFast.length,
        invocationsWhileOpen,
        connectAttemptsWhileOpen: attemptsWhileOpen,
        probesWhileOpen,
        connectAttemptsDuringOutage: attemptsDuringOutage,
        pendingInSqsDuringOutage: pendingDuringOutage,
        // each of the 200 events was received by deliver-syslog this many times in total
        receivesDuringOutage: receivedDuringOutage - 100,
        pollerStats: { ...poller.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 300, delivered: 300, inDlq: 0 });
    // killed while idle with everything read: nothing was in flight, so nothing arrives twice
    expect(ledger.destinations[0]?.duplicates).toBe(0);
    // the events waited in SQS and were received again after each backoff (1 s, then 2 s: FAST)
    expect(pendingDuringOutage).toBe(200);
    expect(receivedDuringOutage - 100).toBeGreaterThan(200);
    // and no more than once per visibility timeout (what it was before the backoff)
    expect(receivedDuringOutage - 100).toBeLessThan((200 * outageMs) / 1_000);
    // the breaker: opened after THRESHOLD failed connects, no attempt while open although batches
    // kept coming, then at most one probe per cool-down
    expect(invocationsWhileOpen).toBeGreaterThan(0);
    expect(attemptsWhileOpen).toBeLessThanOrEqual(probesWhileOpen);
    expect(attemptsDuringOutage).toBeLessThanOrEqual(THRESHOLD + Math.ceil(outageMs / COOL_DOWN_MS));
    expect(failedFast.length).toBeGreaterThan(0);
  });
});
