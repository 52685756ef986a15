/**
 * The whole relay on embedded emulators (fauxqs, Firehose double, loopback TLS receiver) with the
 * real handlers and the event-source poller. Every scenario ends with an exact ledger: each input
 * is at each destination exactly as rendered, or in a DLQ with a reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DestinationLedger } from '../../../local/ledger.js';
import { expectedEvent } from '../../../local/ledger.js';
import { toWire } from '../../../shared/model/wire.js';
import { bodies, FAST, fastSyslog, ledgers, relayHarness, waitUntil } from '../../helpers/pipeline.js';

// the functions log JSON and EMF to stdout: the harness captures it (assertions read it) instead of
// flooding, and stops the relay after each test
const h = relayHarness();

describe('pipeline on embedded emulators', () => {
  it('malformed messages in a batch go to the ingest DLQ with their reason; the rest deliver', async () => {
    const relay = await h.start({ ...FAST, syslog: fastSyslog });
    const good = bodies(27, 1);
    const bad = ['not an event', '{"id":164,"fields":{}}', '{"id":"1","timestamp":"2026-02-30T00:00:00Z"}'];
    const input = [
      ...good.slice(0, 5),
      bad[0] as string,
      ...good.slice(5, 15),
      bad[1] as string,
      ...good.slice(15),
      bad[2] as string,
    ];
    await relay.send(input);
    expect(await relay.drain(20_000)).toBe(true);
    const { l, dlq } = await ledgers(relay, input);
    for (const name of ['archive', 'collector']) {
      expect(l.get(name)).toMatchObject({
        expected: 27,
        delivered: 27,
        missing: 0,
        duplicates: 0,
        unexpected: 0,
        inDlq: 0,
      });
    }
    const ingest = dlq.filter((x) => x.queue === 'segura-ingest-dlq');
    expect(ingest.map((x) => x.body).sort()).toEqual([...bad].sort());
    const byBody = new Map(ingest.map((x) => [x.body, x]));
    expect(byBody.get('not an event')).toMatchObject({ code: 'syntax', field: '(payload)' });
    expect(byBody.get('{"id":164,"fields":{}}')).toMatchObject({ code: 'schema', field: 'id' });
    expect(byBody.get('{"id":"1","timestamp":"2026-02-30T00:00:00Z"}')?.reason).toMatch(/day 30 out of range/);
    // parked, not retried: the normalize poller never saw an item failure
    expect(relay.pollerFor('normalize')?.stats.itemFailures).toBe(0);
  });

  it('Firehose partial failures and throttling: only failed entries are resent and every event arrives once', async () => {
    const relay = await h.start({
      ...FAST,
      firehose: { format: 'cef', aggregate: false },
      syslog: false,
    });
    const fh = relay.firehose;
    if (!fh) throw new Error('no firehose double');
    fh.faults.failNextEntries(40);
    fh.faults.throttleFor(800);
    const input = bodies(120, 2);
    await relay.send(input);
    expect(await relay.drain(30_000)).toBe(true);
    const { l } = await ledgers(relay, input);
    expect(l.get('archive')).toMatchObject({ expected: 120, delivered: 120, missing: 0, duplicates: 0, unexpected: 0 });
    // one entry per event plus exactly one resend per injected entry failure: nothing else resent
    expect(fh.entries).toBe(120 + 40);
    expect(fh.throttledCalls).toBeGreaterThan(0);
  });

  it('syslog receiver killed mid-batch and restarted: SQS holds the events, all arrive, duplicates only at the cut', async () => {
    const relay = await h.start({ ...FAST, firehose: false, syslog: fastSyslog });
    const rx = relay.syslogReceiver;
    if (!rx) throw new Error('no receiver');
    const input = bodies(300, 3);
    const sending = relay.send(input);
    expect(await waitUntil(() => rx.messages.length >= 60, 15_000)).toBe(true);
    await rx.kill();
    await sending;
    // while the collector is down the events wait in SQS
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await relay.pending()).toBeGreaterThan(0);
    await rx.restart();
    expect(await relay.drain(40_000)).toBe(true);
    const { l } = await ledgers(relay, input);
    const c = l.get('collector') as DestinationLedger;
    expect(c).toMatchObject({ expected: 300, delivered: 300, missing: 0, unexpected: 0, inDlq: 0 });
    // at-least-once: only frames in flight when the receiver died may arrive twice
    expect(c.duplicates).toBeLessThanOrEqual(10);
  });

  it('a wrong TLS certificate fails loudly (log, metric, retry), sends nothing in clear, and does not hold back Firehose', async () => {
    const otherCa = readFileSync(new URL('../../fixtures/tls/other-ca.pem', import.meta.url), 'utf8');
    const relay = await h.start({
      ...FAST,
      maxReceiveCount: 3,
      syslog: { ...fastSyslog, ca: otherCa },
    });
    const input = bodies(20, 4);
    await relay.send(input);
    expect(await relay.drain(30_000)).toBe(true);
    const { l, dlq } = await ledgers(relay, input);
    expect(l.get('archive')).toMatchObject({ delivered: 20, missing: 0 });
    // every syslog event was retried by SQS and then moved to the destination's DLQ: none lost
    expect(l.get('collector')).toMatchObject({ delivered: 0, inDlq: 20, missing: 0 });
    expect(dlq.filter((x) => x.queue === 'segura-syslog-collector-dlq')).toHaveLength(20);
    expect(relay.syslogReceiver?.bytes).toBe(0);
    expect(relay.pollerFor('deliver-syslog')?.stats.itemFailures).toBeGreaterThanOrEqual(20);
    const cap = h.cap;
    if (!cap) throw new Error('stdout not captured');
    const logs = cap.json().filter((j) => j.level === 'WARN' || j.level === 'ERROR');
    expect(logs.some((j) => /certificate|self.signed|unable to verify/i.test(JSON.stringify(j)))).toBe(true);
    expect(cap.metric('EventsFailed', 'collector')).toBeGreaterThanOrEqual(20);
  });

  it('a syslog outage does not delay Firehose delivery, and a Firehose outage does not delay syslog', async () => {
    const relay = await h.start({ ...FAST, syslog: fastSyslog });
    const rx = relay.syslogReceiver;
    const fh = relay.firehose;
    if (!rx || !fh) throw new Error('missing local destination');
    await rx.kill();
    const first = bodies(50, 5);
    await relay.send(first);
    expect(await waitUntil(() => fh.lines('segura-archive').length >= 50, 8_000)).toBe(true);
    expect(rx.messages.length).toBe(0);
    await rx.restart();
    expect(await waitUntil(() => rx.messages.length >= 50, 20_000)).toBe(true);

    fh.faults.throttleFor(60_000);
    const second = bodies(50, 6);
    await relay.send(second);
    expect(await waitUntil(() => rx.messages.length >= 100, 8_000)).toBe(true);
    fh.faults.clear();
    expect(await relay.drain(30_000)).toBe(true);
    const { l } = await ledgers(relay, [...first, ...second]);
    for (const name of ['archive', 'collector'])
      expect(l.get(name)).toMatchObject({ delivered: 100, missing: 0, unexpected: 0 });
  });

  it('a record that throws unexpectedly, first, in the middle or last of a batch, fails alone and is parked as internal', async () => {
    const input = bodies(40, 8);
    // per send batch of 10: the first, a middle and the last record throw, in normalize or in a renderer
    const normalizeVictims = new Set([input[0], input[14], input[29]] as string[]);
    const renderVictims = new Set([input[5], input[19], input[30], input[39]] as string[]);
    const victimWire = new Set([...renderVictims].map((b) => toWire(expectedEvent(b))));
    const relay = await h.start({
      ...FAST,
      syslog: fastSyslog,
      inject: {
        normalize: (body) => normalizeVictims.has(body),
        // the Firehose destination's renderer has the bug; syslog renders the same events fine
        render: (e, destination) => destination === 'archive' && victimWire.has(toWire(e)),
      },
    });
    await relay.send(input);
    expect(await relay.drain(30_000)).toBe(true);
    const passed = input.filter((b) => !normalizeVictims.has(b));
    const { l, dlq } = await ledgers(relay, passed);
    expect(l.get('collector')).toMatchObject({ expected: 37, delivered: 37, missing: 0, duplicates: 0, inDlq: 0 });
    expect(l.get('archive')).toMatchObject({ expected: 37, delivered: 33, missing: 0, duplicates: 0, inDlq: 4 });
    const ingest = dlq.filter((x) => x.queue === 'segura-ingest-dlq');
    expect(ingest.map((x) => x.body).sort()).toEqual([...normalizeVictims].sort());
    const archive = dlq.filter((x) => x.queue === 'segura-firehose-archive-dlq');
    expect(new Set(archive.map((x) => x.body))).toEqual(victimWire);
    for (const x of [...ingest, ...archive]) {
      expect(x).toMatchObject({ code: 'internal', field: '(internal)' });
      expect(x.reason).toMatch(
        /^TypeError: injected fault: unexpected error in (normalize|the renderer) \(after 3 receives\)$/,
      );
    }
    expect(h.cap?.metric('EventsInternalError')).toBeGreaterThanOrEqual(2 * 7);
  });
});
