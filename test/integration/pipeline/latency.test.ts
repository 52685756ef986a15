/**
 * `npm start`'s latency report on a real local run: a paced feed through fauxqs, the real handlers,
 * the TLS collector, the Firehose double and the alert topics. It checks that the report is produced
 * and well formed (every delivered event timed once, percentiles ordered, hops never negative) and
 * that recording it leaves the ledger exact. It asserts no durations: speed lives in `npm run bench`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOPS } from '../../../local/latency.js';
import { expectations, ledgerFor } from '../../../local/ledger.js';
import { LocalRelay } from '../../../local/relay.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { type Captured, captureStdout } from '../../helpers/capture.js';

let relay: LocalRelay | null = null;
let cap: Captured | null = null;
beforeEach(() => {
  cap = captureStdout();
});
afterEach(async () => {
  cap?.restore();
  cap = null;
  await relay?.stop();
  relay = null;
});

describe('latency report of a local run', () => {
  it('times every delivered event once per destination, per hop, without changing the ledger', async () => {
    relay = await LocalRelay.start({
      timeoutMs: 5_000,
      visibilityTimeoutSec: 2,
      maxReceiveCount: 50,
      alerts: {},
      latency: true,
    });
    const bodies = [...sampleEvents(120, 7)].map((e) => JSON.stringify(e));
    const sent = await relay.sendPaced(bodies, 100, { maxMs: 60_000 });
    expect(sent).toBe(bodies.length);
    expect(await relay.drain(60_000)).toBe(true);

    const report = relay.latencyReport();
    if (!report) throw new Error('no latency report');
    const exp = expectations(bodies, new Map(relay.destinations.map((d) => [d.name, d.renderer])));
    for (const d of relay.destinations) {
      const ledger = ledgerFor(d.name, exp.expected.get(d.name) ?? [], 0, d.received() ?? [], 0);
      expect(ledger).toMatchObject({ expected: bodies.length, delivered: bodies.length, missing: 0, unexpected: 0 });
      const lat = report.destinations.find((x) => x.name === d.name);
      // every event the ledger counts as delivered is timed exactly once
      expect(lat?.events, d.name).toBe(ledger.delivered);
      expect(lat?.unmatched, d.name).toBe(ledger.duplicates);
    }
    const alerts = report.destinations.find((x) => x.kind === 'alerts');
    expect(alerts?.events).toBe(relay.alerts?.received().length);
    expect(alerts?.events).toBeGreaterThan(0);
    expect(report.destinations.map((d) => d.name).sort()).toEqual(['alert topics', 'archive', 'collector']);

    for (const d of report.destinations) {
      expect(Object.keys(d.hops).sort()).toEqual(Object.keys(HOPS).sort());
      for (const [hop, p] of Object.entries(d.hops)) {
        const where = `${d.name} ${hop}`;
        expect(p.count, where).toBe(d.events);
        expect(p.p50, where).toBeGreaterThanOrEqual(0);
        expect(p.p95, where).toBeGreaterThanOrEqual(p.p50);
        expect(p.p99, where).toBeGreaterThanOrEqual(p.p95);
        expect(p.max, where).toBeGreaterThanOrEqual(p.p99);
      }
      // the whole path is at least as long as its longest hop
      expect(d.hops.total.max).toBeGreaterThanOrEqual(Math.max(d.hops.a.max, d.hops.b.max, d.hops.c.max));
    }
    expect(report.relayP99.normalize).not.toBeNull();
    expect(Object.keys(report.relayP99.deliver).sort()).toEqual(['alert topics', 'archive', 'collector']);
  }, 120_000);
});
