/**
 * Fault: the collector side drops the TLS connection in the middle of a batch (RST, and FIN without
 * TLS close_notify, as an NLB or a restarting collector does).
 *
 * How the drop lands mid-batch, deterministically: the test wraps the deliver-syslog sink's `send`
 * and, on every 4th batch, schedules the drop with `setImmediate` right after the call. The sink
 * itself yields once (`setImmediate`) before checking the connection and writing, so the drop
 * happens after the receiver has read every earlier frame and before this batch's frames are
 * written: the peer's RST/FIN is already in the kernel when the batch goes out on the old socket.
 *
 * Why not a drop at an arbitrary time: a frame counts as delivered once its write callback fired
 * on a connection that was still healthy when its batch ended (shared/deliver/syslog/connection.ts).
 * Bytes the collector had not read yet when it resets are gone, and if their batch had already
 * ended they are lost: that window is the documented limit of syslog over TCP/TLS without an
 * application acknowledgement (RELP), not something a fault test can make pass.
 */
import { describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, fastSyslog, logsMatching, relayHarness, waitUntil } from '../helpers/pipeline.js';

const h = relayHarness();

describe('fault: connection reset mid-batch', () => {
  it('RST and FIN mid-batch: the batch is resent once on a new connection, nothing lost, no SQS retry', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, firehose: false, syslog: fastSyslog });
    const rx = relay.syslogReceiver;
    const handler = relay.syslogHandler;
    if (!rx || !handler) throw new Error('no local collector');
    const sink = handler.sink;
    const send = sink.send.bind(sink);
    const injected = { reset: 0, end: 0 };
    const DROPS = 10;
    let calls = 0;
    sink.send = (items, opts) => {
      const p = send(items, opts);
      calls++;
      if (calls % 4 === 0 && injected.reset + injected.end < DROPS) {
        const mode = (injected.reset + injected.end) % 2 === 0 ? 'reset' : 'end';
        injected[mode]++;
        setImmediate(() => rx.dropConnections(mode));
      }
      return p;
    };

    const input = bodies(400, 21);
    await relay.send(input);
    expect(await waitUntil(() => injected.reset + injected.end === DROPS, 30_000)).toBe(true);
    const drained = await relay.drain(30_000);

    const midBatch = logsMatching(
      h.cap,
      'syslog connection broke mid-batch; reconnecting once to resend unconfirmed frames',
    );
    const replacedBefore = logsMatching(h.cap, 'syslog connection replaced before batch');
    const stats = sink.stats().transport;
    const poller = relay.pollerFor('deliver-syslog')?.stats;
    const ledger = await closeScenario(
      task,
      relay,
      'connection reset mid-batch (5 RST + 5 FIN, 40 batches)',
      input,
      {
        drained,
        dropsInjected: injected,
        sendCalls: calls,
        midBatchReconnects: midBatch.length,
        replacedBeforeBatch: replacedBefore.length,
        receiverConnections: rx.connections,
        connects: stats.connects,
        framesWritten: stats.framesWritten,
        itemFailures: poller?.itemFailures,
        receiverErrors: rx.errors.length,
      },
      t0,
    );
    expect(drained).toBe(true);
    const collector = ledger.destinations[0];
    expect(collector).toMatchObject({ expected: 400, delivered: 400, inDlq: 0 });
    // every injected drop was met inside the batch it hit: one reconnect and resend each, so no
    // batch failed and SQS retried nothing
    expect(midBatch).toHaveLength(DROPS);
    expect(poller?.itemFailures).toBe(0);
    expect(stats.connects).toBe(DROPS + 1);
    // duplicates: a FIN'd socket still delivers what was written before the sender noticed, and the
    // resend repeats it, so at most one batch (10) per FIN; an RST'd socket delivers nothing
    expect(collector?.duplicates).toBeLessThanOrEqual(10 * injected.end);
  });
});
