/**
 * Fault: a real rsyslog collector (Debian 12, test/helpers/rsyslog.ts) crashes mid-stream and comes
 * back — the same scenario over plain TCP (imptcp), RELP (imrelp) and RELP over TLS, so the
 * difference shows in the ledgers: TCP loses events, RELP does not.
 *
 * The crash, deterministically: while the relay streams events, rsyslog is frozen (SIGSTOP) for
 * 1.5 s (over TCP until the relay has confirmed at least one batch written after the freeze) and
 * then SIGKILLed. While it is frozen the kernel still accepts bytes into its socket
 * buffer, which is exactly the moment the issue describes: a collector that dies with our bytes in
 * its socket buffer. Over TCP the relay counts those frames as delivered (the write callback fired)
 * and they are gone with the process. Over RELP nothing is delivered without the collector's
 * `200 OK`: the unanswered frames are reported unconfirmed, SQS redelivers them, and they reach
 * the restarted rsyslog. rsyslog runs with a Direct main queue, so its `200 OK` follows the write to
 * its output file (with an in-memory queue a crash also loses what rsyslog acknowledged but had not
 * written yet; docs/relp.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bodies, FAST, relayHarness, scenarioLedger, sleep, waitUntil } from '../helpers/pipeline.js';
import { type Rsyslog, startRsyslog } from '../helpers/rsyslog.js';

const h = relayHarness();
let rs: Rsyslog | null = null;
afterEach(async () => {
  await rs?.stop();
  rs = null;
});

const EVENTS = 1_500;
const WINDOW = 128;
const FROZEN_MS = 1_500;
const DOWN_MS = 1_000;

describe('fault: collector SIGKILLed mid-stream and restarted (real rsyslog)', () => {
  it.for([
    ['tcp', 'plain TCP (imptcp)'],
    ['relp', 'RELP (imrelp)'],
    ['relp+tls', 'RELP over TLS (imrelp, openssl)'],
  ] as const)('%s: %s', async ([transport, label], { task }) => {
    const t0 = Date.now();
    rs = await startRsyslog({ inputs: [transport] });
    const collector = rs;
    const port = collector.ports[transport] as number;
    const tls = transport === 'relp+tls';
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: {
        url: `${transport}://${tls ? 'localhost' : '127.0.0.1'}:${port}`,
        ...(tls ? { ca: collector.caPem } : {}),
        sink: {
          connectTimeoutMs: 500,
          writeTimeoutMs: 1_000,
          breaker: { failureThreshold: 3, coolDownMs: 300 },
          ...(transport === 'tcp' ? {} : { relp: { tls, window: WINDOW } }),
        },
      },
    });
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!sink || !poller) throw new Error('no syslog destination');

    // Act: stream, freeze mid-stream, kill, restart, drain
    const input = bodies(EVENTS, 71);
    const sending = relay.send(input);
    expect(await waitUntil(() => collector.messages().length >= 300, 30_000)).toBe(true);
    collector.freeze();
    const frozenAt = { at: Date.now(), written: collector.messages().length, deleted: poller.stats.deleted };
    if (transport === 'tcp') {
      // Over TCP the relay goes on confirming batches into the frozen collector's socket buffer. Two
      // deletions after the freeze mean at least one batch was received, written and confirmed
      // entirely after it (the poller receives the next batch only after deleting the previous one).
      await waitUntil(() => poller.stats.deleted >= frozenAt.deleted + 20, 15_000);
    }
    await sleep(Math.max(0, frozenAt.at + FROZEN_MS - Date.now()));
    const confirmedWhileFrozen = poller.stats.deleted - frozenAt.deleted;
    await collector.kill();
    const writtenAtKill = collector.messages().length;
    await sleep(DOWN_MS);
    await collector.restart();
    await sending;
    const drained = await relay.drain(60_000);

    // Assess: the ledger, from what rsyslog wrote to its file
    const stats = sink.stats().transport;
    const ledger = await scenarioLedger(
      relay,
      `real rsyslog SIGKILLed mid-stream over ${label}`,
      input,
      {
        drained,
        writtenWhenFrozen: frozenAt.written,
        writtenAtKill,
        // events SQS deleted (= the sink confirmed them) while rsyslog could not read anything
        confirmedWhileFrozen,
        framesAcked: stats.framesAcked,
        framesResent: stats.framesResent,
        connects: stats.connects,
        pollerStats: { ...poller.stats },
        rsyslogLog: collector
          .log()
          .filter((l) => /error|warn/i.test(l))
          .slice(0, 5),
      },
      t0,
      { collector: collector.messages() },
    );
    task.meta.ledger = ledger;
    const d = ledger.destinations[0];
    expect(drained).toBe(true);
    expect(ledger.ingest).toMatchObject({ missing: 0, dlqUnmatched: 0 });
    expect(d).toMatchObject({ expected: EVENTS, unexpected: 0, inDlq: 0 });
    if (transport === 'tcp') {
      // TCP: the relay confirmed events that were only in the frozen collector's socket buffer;
      // the crash lost them and nothing tells the relay
      expect(confirmedWhileFrozen).toBeGreaterThanOrEqual(20);
      expect(d?.missing).toBeGreaterThan(0);
    } else {
      // RELP: nothing was confirmed that rsyslog had not acknowledged, so nothing is lost
      expect(d).toMatchObject({ delivered: EVENTS, missing: 0 });
      // the frames rsyslog never answered were reported unconfirmed and SQS delivered them again
      expect(poller.stats.itemFailures).toBeGreaterThan(0);
      // duplicates: only messages written whose 200 OK never reached the relay, at most a window
      expect(d?.duplicates).toBeLessThanOrEqual(WINDOW);
    }
  });
});
