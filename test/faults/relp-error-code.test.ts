/**
 * Fault: the collector answers some messages with an error code. rsyslog's imrelp practically never
 * does (librelp answers `500` only to a session that did not negotiate the syslog command), so the
 * collector here is the RELP receiver double (local/relp-receiver.ts), which speaks the server side
 * of RELP as librelp does and answers every 25th message `500 rejected by collector policy`.
 *
 * RELP's answer is final for that message: the relay parks it in the DLQ with the collector's own
 * words (code `rejected`), does not retry it, and delivers everything else. The collector is up and
 * answering, so the circuit breaker stays closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RelpReceiver, startRelpReceiver } from '../../local/relp-receiver.js';
import { bodies, closeScenario, FAST, logsMatching, relayHarness } from '../helpers/pipeline.js';

const h = relayHarness();
let rx: RelpReceiver | null = null;
afterEach(async () => {
  await rx?.stop();
  rx = null;
});

const EVERY = 25;
const REASON = 'rejected by collector policy';

describe('fault: RELP collector answers with an error code', () => {
  it('refused events go to the DLQ with the collector’s reason, never retried; the rest are delivered once', async ({
    task,
  }) => {
    const t0 = Date.now();
    rx = await startRelpReceiver({
      respond: (_message, i) => ((i + 1) % EVERY === 0 ? { code: 500, text: REASON } : { code: 200, text: 'OK' }),
    });
    const collector = rx;
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: { url: `relp://127.0.0.1:${collector.port}`, sink: { connectTimeoutMs: 500, writeTimeoutMs: 1_000 } },
    });
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!sink || !poller) throw new Error('no syslog destination');

    // Act
    const input = bodies(500, 91);
    await relay.send(input);
    const drained = await relay.drain(30_000);

    // Assess
    const refusedLogs = logsMatching(h.cap, 'syslog item refused by the collector');
    const ledger = await closeScenario(
      task,
      relay,
      `RELP collector answers 500 to every ${EVERY}th message`,
      input,
      {
        drained,
        refusedByCollector: collector.refused.length,
        refusedLogged: refusedLogs.length,
        breaker: sink.stats().breaker,
        pollerStats: { ...poller.stats },
      },
      t0,
      { collector: collector.messages },
    );
    const d = ledger.destinations[0];
    expect(drained).toBe(true);
    expect(collector.refused).toHaveLength(500 / EVERY);
    // in = delivered + parked, each exactly once
    expect(d).toMatchObject({ expected: 500, delivered: 500 - 500 / EVERY, inDlq: 500 / EVERY, missing: 0 });
    expect(d?.duplicates).toBe(0);
    expect(ledger.dlqReasons).toEqual([
      {
        queue: 'segura-syslog-collector-dlq',
        code: 'rejected',
        reason: `collector: collector refused the message: RELP rsp 500 ${REASON}`,
        count: 500 / EVERY,
      },
    ]);
    // final, not retryable: SQS never saw them as failures, and the collector never saw them twice
    expect(poller.stats.itemFailures).toBe(0);
    expect(new Set(collector.refused.map((r) => r.message)).size).toBe(500 / EVERY);
    expect(sink.stats().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});
