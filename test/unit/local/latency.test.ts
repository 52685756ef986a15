/**
 * The latency arithmetic of `npm start` / `npm run bench` (local/latency.ts) on hand-made
 * timestamps: nearest-rank percentiles, hops split at the right instants, events matched across hops
 * by content, redeliveries counted once. No clock is read: every time here is a constant.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LatencyProbe, percentiles } from '../../../local/latency.js';
import { expectedEvent } from '../../../local/ledger.js';
import { toWire } from '../../../shared/model/wire.js';
import { createRenderer } from '../../../shared/render/index.js';

function record(messageId: string, body: string, sentMs: number): SQSRecord {
  return {
    messageId,
    receiptHandle: 'r',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(sentMs),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(sentMs),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}

const envelope = (i: number) =>
  JSON.stringify({
    id: '164',
    timestamp: `2026-01-19T10:41:0${i}.000-03:00`,
    host: 'vault-01',
    pid: 1426,
    fields: { msg: `Password viewed ${i}`, suid: '35', duser: 'root' },
  });
const wireOf = (body: string, sentMs: number) => toWire(expectedEvent(body, { receivedAtMs: sentMs }));

describe('percentiles', () => {
  it('nearest rank: the smallest value with at least p% of the sample at or below it', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentiles(xs)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(percentiles([1, 2, 3])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('LatencyProbe', () => {
  const cef = createRenderer('cef');

  it('splits each event into queue wait and relay work per hop, matched by content across hops', () => {
    const p = new LatencyProbe();
    const b0 = envelope(0);
    const b1 = envelope(1);
    // ingest: sent at 1000 and 1004; normalize invoked at 1010 with both
    p.normalizeInvoked([record('i0', b0, 1000), record('i1', b1, 1004)], 1010);
    // SNS fan-out into the collector queue at 1020 (both), picked up at 1050 and 1070
    p.destinationInvoked('deliver-syslog', [record('d0', wireOf(b0, 1000), 1020)], 1050);
    p.destinationInvoked('deliver-syslog', [record('d1', wireOf(b1, 1004), 1020)], 1070);
    const line = (b: string) => cef.render(expectedEvent(b));
    p.arrived('collector', line(b1), 1075);
    p.arrived('collector', line(b0), 1058);
    p.arrived('collector', line(b0), 1090); // a redelivery: counted once, at its first arrival
    p.arrived('collector', 'CEF:0|garbage', 1091);
    const r = p.report([{ name: 'collector', kind: 'syslog', fn: 'deliver-syslog', renderer: cef }]);
    const d = r.destinations[0];
    expect(d).toMatchObject({ name: 'collector', kind: 'syslog', events: 2, unmatched: 2 });
    // event 0: total 58, a 20 (wait 10, work 10), b 30, c 8; event 1: total 71, a 16 (6, 10), b 50, c 5
    expect(d?.hops.total).toEqual(percentiles([58, 71]));
    expect(d?.hops.a).toEqual(percentiles([20, 16]));
    expect(d?.hops.aWait).toEqual(percentiles([10, 6]));
    expect(d?.hops.aWork).toEqual(percentiles([10, 10]));
    expect(d?.hops.b).toEqual(percentiles([30, 50]));
    expect(d?.hops.c).toEqual(percentiles([8, 5]));
    expect(r.relayP99).toEqual({ normalize: 10, deliver: { collector: 8 } });
  });

  it('an event normalize saw twice (a retry) is timed from the invocation that published it', () => {
    const p = new LatencyProbe();
    const b = envelope(2);
    p.normalizeInvoked([record('i0', b, 1000)], 1001); // publish failed: SQS delivers it again
    p.normalizeInvoked([record('i0', b, 1000)], 2001);
    p.destinationInvoked('deliver-firehose', [record('d0', wireOf(b, 1000), 2005)], 2007);
    p.arrived('archive', cef.render(expectedEvent(b)), 2009);
    const d = p.report([{ name: 'archive', kind: 'firehose', fn: 'deliver-firehose', renderer: cef }]).destinations[0];
    expect(d?.hops.aWait.max).toBe(1001);
    expect(d?.hops.aWork.max).toBe(4);
    expect(d?.hops.total.max).toBe(1009);
  });

  it('alerts: each channel message is timed from the event whose alerts-queue message raised it', () => {
    const p = new LatencyProbe();
    const b = envelope(3);
    p.normalizeInvoked([record('i0', b, 500)], 510);
    p.destinationInvoked('evaluate-alerts', [record('a0', wireOf(b, 500), 520)], 530);
    const r = p.report([], {
      fn: 'evaluate-alerts',
      received: [
        { sqsMessageId: 'a0', atMs: 560 },
        { sqsMessageId: 'a0', atMs: 561 },
        { sqsMessageId: 'unknown', atMs: 600 },
      ],
    });
    expect(r.destinations[0]).toMatchObject({ name: 'alert topics', kind: 'alerts', events: 2, unmatched: 1 });
    expect(r.destinations[0]?.hops.c).toEqual(percentiles([30, 31]));
    expect(r.destinations[0]?.hops.total).toEqual(percentiles([60, 61]));
  });

  it('inputs the relay rejects are not owed to any destination', () => {
    const p = new LatencyProbe();
    p.normalizeInvoked([record('bad', '{"id":', 1000)], 1001);
    const r = p.report([{ name: 'collector', kind: 'syslog', fn: 'deliver-syslog', renderer: cef }]);
    expect(r.destinations[0]?.events).toBe(0);
    expect(r.relayP99).toEqual({ normalize: null, deliver: {} });
  });
});
