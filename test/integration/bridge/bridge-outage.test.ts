/**
 * The bridge while SQS is unreachable: messages go to the on-disk spool and all arrive after SQS
 * returns, in order, none twice; a full spool is a loud error and the bridge keeps running; a slow
 * SQS (memory high-water mark) diverts to the spool without reordering.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BridgeConfig } from '../../../bridge/run.js';
import { bridgeHarness, octet, sendStream, waitFor } from '../tools/helpers.js';

const h = bridgeHarness('bridge-outage-', {
  tcp: [{ host: '127.0.0.1', port: 0 }],
  retryBaseMs: 20,
  retryMaxMs: 100,
  requestTimeoutMs: 2_000,
  logIntervalMs: 0,
});

const line = (i: number) => `<13>1 2026-01-19T10:41:00-03:00 vault-01 senhasegura 1426 - seq=${i} sname=José`;

async function bridge(queueUrl: string, extra: Partial<BridgeConfig> = {}) {
  const { b, rec, port } = await h.start(queueUrl, extra);
  return { b, rec, tcp: port('tcp') };
}

describe('bridge: SQS outage', () => {
  it('spools while SQS is down; after it returns every message arrives, in order, none twice', async () => {
    // Prepare: a queue, then SQS goes away (the port now refuses connections)
    const url = await h.sqs.queue('segura-ingest');
    const { b, tcp, rec } = await bridge(url);
    await sendStream(tcp, [0, 1, 2].map((i) => octet(line(i))).join(''));
    await waitFor(() => b.bridge.counters.sent === 3, 5_000, 'healthy sends');
    await h.sqs.stop();

    // Act 1: 40 messages during the outage
    await sendStream(tcp, Array.from({ length: 40 }, (_, i) => octet(line(i + 3))).join(''));
    await waitFor(() => b.bridge.counters.spooled === 40, 5_000, '40 spooled');
    // they are on disk, fsynced, before SQS is back
    await waitFor(() => readdirSync(join(h.dir, 'spool')).some((n) => n.startsWith('seg-')), 2_000, 'a segment file');
    expect(b.bridge.mode).toBe('spooling');
    expect(rec.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'spooling to disk' }));
    expect(rec.entries).toContainEqual(
      expect.objectContaining({ level: 'error', msg: expect.stringMatching(/SendMessageBatch failed/) }),
    );

    // Act 2: SQS returns (same port, queue recreated); 20 more arrive while the spool replays
    await h.sqs.restart();
    await h.sqs.queue('segura-ingest');
    await sendStream(tcp, Array.from({ length: 20 }, (_, i) => octet(line(i + 43))).join(''));
    await waitFor(
      () => b.bridge.counters.sent === 63 && b.bridge.mode === 'direct',
      10_000,
      'all sent, back to direct',
    );
    const got = await h.sqs.drain(url, 60, 5_000);

    // Assess: exactly messages 3…62, in arrival order, none twice; the spool is gone
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 60 }, (_, i) => line(i + 3)));
    expect(b.bridge.counters).toMatchObject({ sent: 63, droppedSpoolFull: 0, rejected: 0 });
    expect(b.bridge.counters.replayed).toBeGreaterThanOrEqual(40);
    expect(readdirSync(join(h.dir, 'spool')).filter((n) => n.startsWith('seg-'))).toEqual([]);
    expect(rec.entries).toContainEqual(expect.objectContaining({ msg: 'spool drained: back to direct sending' }));
  });

  it('a full spool is a loud error with a count; the bridge keeps running and delivers what it kept', async () => {
    const url = await h.sqs.queue('segura-ingest');
    await h.sqs.stop();
    // 4 KiB: room for about 40 of these ~100-byte messages
    const { b, tcp, rec } = await bridge(url, { spoolMaxBytes: 4096 });

    await sendStream(tcp, Array.from({ length: 100 }, (_, i) => octet(line(i))).join(''));
    await waitFor(() => b.bridge.counters.spooled + b.bridge.counters.droppedSpoolFull === 100, 5_000, 'all handled');

    const kept = b.bridge.counters.spooled;
    expect(kept).toBeGreaterThan(20);
    expect(b.bridge.counters.droppedSpoolFull).toBe(100 - kept);
    const full = rec.entries.filter((e) => e.msg.startsWith('SPOOL FULL'));
    expect(full.length).toBeGreaterThan(0);
    expect(full[0]).toMatchObject({
      level: 'error',
      fields: { droppedSpoolFull: 1, spoolMaxBytes: 4096 },
    });
    expect(b.status()).toMatchObject({ droppedSpoolFull: 100 - kept, mode: 'spooling' });

    // still running: SQS back, the kept ones (the oldest) arrive in order, new ones follow
    await h.sqs.restart();
    await h.sqs.queue('segura-ingest');
    // (until the last replayed batch is acknowledged the spool is still full: wait for direct mode)
    await waitFor(() => b.bridge.counters.sent === kept && b.bridge.mode === 'direct', 10_000, 'the spool replayed');
    await sendStream(tcp, octet(line(1000)));
    await waitFor(() => b.bridge.counters.sent === kept + 1, 5_000, 'kept + 1 sent');
    const got = await h.sqs.drain(url, kept + 1, 5_000);
    expect(got.map((m) => m.Body)).toEqual([...Array.from({ length: kept }, (_, i) => line(i)), line(1000)]);
  });

  it('a slow SQS (memory high-water mark) diverts to the spool and keeps the order', async () => {
    const url = await h.sqs.queue('segura-ingest');
    // 300 bytes of memory: a burst of 200 messages passes it at once
    const { b, tcp } = await bridge(url, { memoryMaxBytes: 300, lingerMs: 0 });
    await sendStream(tcp, Array.from({ length: 200 }, (_, i) => octet(line(i))).join(''));
    await waitFor(() => b.bridge.counters.sent === 200, 10_000, '200 sent');
    const got = await h.sqs.drain(url, 200, 5_000);
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 200 }, (_, i) => line(i)));
    expect(b.bridge.counters.spooled).toBeGreaterThan(0);
    expect(b.bridge.counters.sendFailures).toBe(0);
  });

  it('--spool-always journals every message before sending it', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, tcp } = await bridge(url, { spoolAlways: true });
    await sendStream(tcp, Array.from({ length: 25 }, (_, i) => octet(line(i))).join(''));
    await waitFor(() => b.bridge.counters.sent === 25, 5_000, '25 sent');
    expect(b.bridge.counters).toMatchObject({ spooled: 25, replayed: 25 });
    const got = await h.sqs.drain(url, 25, 5_000);
    expect(got.map((m) => m.Body)).toEqual(Array.from({ length: 25 }, (_, i) => line(i)));
  });
});
