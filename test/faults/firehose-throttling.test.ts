/**
 * Fault: Amazon Data Firehose refuses work for a period: whole calls answered
 * `ServiceUnavailableException` (HTTP 503, what Firehose returns when a stream's throughput quota
 * is exceeded) for 1.5 s, then `ThrottlingException` for 1.5 s, then 30 % of entries failed
 * one by one for 1.5 s, while events keep arriving. The sink retries within each invocation's
 * deadline, and what is still unconfirmed goes back to SQS.
 */
import { describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();

describe('fault: Firehose throttling and ServiceUnavailable for a period', () => {
  it('503 then throttling then per-entry failures for 4.5 s: every event archived exactly once', async ({ task }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, firehose: { format: 'cef', aggregate: true }, syslog: false });
    const fh = relay.firehose;
    if (!fh) throw new Error('no Firehose double');

    const phases: Array<{ at: number; fault: string; throttledCalls: number; failedEntries: number }> = [];
    const mark = (fault: string): void => {
      phases.push({ at: Date.now() - t0, fault, throttledCalls: fh.throttledCalls, failedEntries: fh.failedEntries });
    };
    const input: string[] = [];
    const sendChunk = async (i: number): Promise<void> => {
      const b = bodies(60, 70 + i);
      input.push(...b);
      await relay.send(b);
    };

    // the fault schedule and the traffic run side by side, on the clock
    const start = Date.now();
    const until = (ms: number) => sleep(Math.max(0, start + ms - Date.now()));
    const faults = async (): Promise<void> => {
      fh.faults.throttleFor(1_500, 'ServiceUnavailableException');
      mark('ServiceUnavailableException (503) on every call');
      await until(1_500);
      fh.faults.throttleFor(1_500, 'ThrottlingException');
      mark('ThrottlingException on every call');
      await until(3_000);
      fh.faults.failRandomly(0.3, 7, 'ServiceUnavailableException');
      mark('30 % of entries failed (ErrorCode ServiceUnavailableException)');
      await until(4_500);
      fh.faults.clear();
      mark('healthy');
    };
    const traffic = async (): Promise<void> => {
      for (let i = 0; i < 6; i++) {
        await until(i * 750);
        await sendChunk(i);
      }
    };
    await Promise.all([faults(), traffic()]);
    const drained = await relay.drain(30_000);

    const callFailures = logsMatching(h.cap, 'PutRecordBatch call failed');
    const byError: Record<string, number> = {};
    for (const j of callFailures) byError[String(j.errorName)] = (byError[String(j.errorName)] ?? 0) + 1;
    const entryFailures = logsMatching(h.cap, 'PutRecordBatch entries failed');
    const aborted = logsMatching(h.cap, 'PutRecordBatch call aborted at the deadline');
    const abortedRecords = aborted.reduce((n, j) => n + (typeof j.records === 'number' ? j.records : 0), 0);
    const poller = relay.pollerFor('deliver-firehose')?.stats;
    const ledger = await closeScenario(
      task,
      relay,
      'Firehose 503 1.5 s + throttling 1.5 s + 30 % entry failures 1.5 s',
      input,
      {
        drained,
        phases,
        firehoseCalls: fh.calls,
        throttledCalls: fh.throttledCalls,
        entriesExamined: fh.entries,
        entriesFailed: fh.failedEntries,
        recordsAccepted: fh.records('segura-archive').length,
        callFailuresByError: byError,
        entryFailureLogs: entryFailures.length,
        callsAbortedAtDeadline: aborted.length,
        pollerStats: { ...poller },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 360, delivered: 360, inDlq: 0 });
    // each fault really happened
    expect(byError.ServiceUnavailableException).toBeGreaterThan(0);
    expect(byError.ThrottlingException).toBeGreaterThan(0);
    expect(fh.failedEntries).toBeGreaterThan(0);
    // some batches outlasted their invocation's deadline and went back to SQS
    expect(poller?.itemFailures).toBeGreaterThan(0);
    // a failed entry or throttled call was not accepted, so a resend cannot duplicate it; only a
    // call aborted at the deadline after Firehose took it could (≤ 10 lines per aggregated record)
    expect(ledger.destinations[0]?.duplicates).toBeLessThanOrEqual(10 * abortedRecords);
  });
});
