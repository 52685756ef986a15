/**
 * Fault: a real rsyslog imrelp collector stalls (SIGSTOP) for longer than the function's deadline,
 * then continues (SIGCONT). While it is stalled nothing is answered: each batch ends at its deadline
 * (or the stall timeout) with its frames unconfirmed, SQS keeps them, the session is dropped, new
 * sessions find no answer to `open` and the circuit breaker opens. Once rsyslog runs again it reads
 * what was already in its socket buffer (at most one window: no more frames are sent unanswered)
 * and the relay delivers the rest: nothing lost, duplicates bounded by the window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep, waitUntil } from '../helpers/pipeline.js';
import { type Rsyslog, startRsyslog } from '../helpers/rsyslog.js';

const h = relayHarness();
let rs: Rsyslog | null = null;
afterEach(async () => {
  await rs?.stop();
  rs = null;
});

const WINDOW = 64;
const STALL_MS = 4_000;

describe('fault: stalled RELP collector past the deadline (real rsyslog imrelp)', () => {
  it('batches end at the deadline unconfirmed, SQS keeps the events, everything arrives after the stall', async ({
    task,
  }) => {
    const t0 = Date.now();
    rs = await startRsyslog({ inputs: ['relp'] });
    const collector = rs;
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: {
        url: `relp://127.0.0.1:${collector.ports.relp}`,
        sink: {
          connectTimeoutMs: 500,
          // longer than the invocation deadline (FAST: 3 s function, 1 s of it for the sink):
          // the deadline, not the stall timeout, ends the stalled batches
          writeTimeoutMs: 5_000,
          breaker: { failureThreshold: 3, coolDownMs: 500 },
          relp: { tls: false, window: WINDOW },
        },
      },
    });
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!sink || !poller) throw new Error('no syslog destination');

    // Act
    const input = bodies(1_000, 101);
    const sending = relay.send(input);
    expect(await waitUntil(() => collector.messages().length >= 200, 30_000)).toBe(true);
    collector.freeze();
    const frozenAt = Date.now();
    const writtenAtStall = collector.messages().length;
    const deletedAtStall = poller.stats.deleted;
    await sleep(STALL_MS);
    const deletedDuringStall = poller.stats.deleted - deletedAtStall;
    const stalledFor = Date.now() - frozenAt;
    collector.thaw();
    await sending;
    const drained = await relay.drain(60_000);

    // Assess
    const partial = logsMatching(h.cap, 'syslog batch partially failed; unconfirmed items will be retried by SQS');
    const kinds = [...new Set(partial.map((j) => String(j.kind)))].sort();
    const ledger = await closeScenario(
      task,
      relay,
      `real rsyslog imrelp stalled ${STALL_MS / 1000} s (deadline ~1 s, window ${WINDOW})`,
      input,
      {
        drained,
        writtenAtStall,
        deletedDuringStall,
        stalledForMs: stalledFor,
        failureKinds: kinds,
        breaker: sink.stats().breaker,
        connects: sink.stats().transport.connects,
        pollerStats: { ...poller.stats },
      },
      t0,
      { collector: collector.messages() },
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 1_000, delivered: 1_000, missing: 0, inDlq: 0 });
    expect(ledger.destinations[0]?.duplicates).toBeLessThanOrEqual(WINDOW);
    // the stalled batches ended at the invocation deadline, and no new session got past `open`
    expect(kinds).toContain('deadline');
    expect(poller.stats.itemFailures).toBeGreaterThan(0);
    // while rsyslog was stopped, at most the batch whose answers were already on the way completed
    expect(deletedDuringStall).toBeLessThanOrEqual(WINDOW);
  });
});
