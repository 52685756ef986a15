/**
 * Drops the bridge used to hide: UDP datagrams the kernel dropped (read from the socket's own
 * counter), messages SQS refuses for good (kept in the rejected-messages file and resent with
 * `segura-relay send --rejected`), an oversize octet-counted frame (reported when its MSG-LEN
 * arrives), and a UDP datagram's NULs before its LF.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sendCommand } from '../../../cli/send.js';
import { bridgeHarness, SEED_LINE, sendUdp, waitFor } from '../tools/helpers.js';

const h = bridgeHarness('bridge-drops-', {
  udp: [{ host: '127.0.0.1', port: 0 }],
  tcp: [{ host: '127.0.0.1', port: 0 }],
  logIntervalMs: 1_000,
});

describe('bridge: UDP drops', () => {
  it('a burst that overflows a small receive buffer: every datagram is either received or counted as dropped by the kernel', async () => {
    // Prepare: the smallest buffer the kernel allows
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, { udpReceiveBufferBytes: 4_096 });
    const N = 2_000;

    // Act: another process sends the burst while this one (the bridge) is blocked in spawnSync
    const sender = spawnSync(
      process.execPath,
      [
        '-e',
        `const s = require('node:dgram').createSocket('udp4'); let n = 0;
         for (let i = 0; i < ${N}; i++) s.send('<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - burst ' + i, ${port('udp')}, '127.0.0.1', () => { if (++n === ${N}) s.close(); });`,
      ],
      { timeout: 20_000 },
    );
    expect(sender.status).toBe(0);

    // Assess: exact accounting (the status line reads the kernel's counter)
    await waitFor(
      () => {
        const s = b.status() as { received: { udp: number }; udpDrops: number };
        return s.received.udp + s.udpDrops === N;
      },
      5_000,
      'received + dropped = sent',
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(b.status())}`);
    });
    const c = b.bridge.counters;
    expect(c.udpDrops).toBeGreaterThan(0);
    expect(c.received.udp).toBeGreaterThan(0);
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'the kernel dropped UDP datagrams: receive buffer full (raise --udp-receive-buffer and net.core.rmem_max, or use TCP/TLS)',
      }),
    );
    // the ones received all reach SQS
    await waitFor(() => c.sent === c.received.udp, 10_000, 'received ones sent');
    expect(await h.sqs.drain(url, c.received.udp, 10_000)).toHaveLength(c.received.udp);
  });

  it('strips NULs before a datagram LF (the trailer of some senders)', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, port } = await h.start(url, {});
    await sendUdp(port('udp'), [`${SEED_LINE}\0\n`, `${SEED_LINE}\0\0\r\n`]);
    await waitFor(() => b.bridge.counters.sent === 2, 5_000, 'sent');
    expect((await h.sqs.drain(url, 2, 5_000)).map((m) => m.Body)).toEqual([SEED_LINE, SEED_LINE]);
  });
});

describe('bridge: messages SQS refuses for good', () => {
  async function resend(url: string, file: string): Promise<{ code: number; stderr: string }> {
    const err: string[] = [];
    const code = await sendCommand(
      ['--queue-url', url, '--rejected', file],
      {
        stdin: Readable.from([]),
        stdout: new Writable({ write: (_c, _e, cb) => cb() }),
        stderr: new Writable({
          write(chunk, _e, cb) {
            err.push(String(chunk));
            cb();
          },
        }),
      },
      { client: h.sqs.client, stdinIsTty: true },
    );
    return { code, stderr: err.join('') };
  }

  it('are kept in the rejected-messages file; once the cause is fixed, send --rejected delivers them', async () => {
    // Prepare: a queue that takes at most 1 KiB (fauxqs also refuses characters outside the BMP)
    const url = await h.sqs.queue('segura-ingest', { MaximumMessageSize: '1024' });
    const { b, rec, port } = await h.start(url, {});
    const ok = `${SEED_LINE} ok`;
    const big = `<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - ${'b'.repeat(2_000)}`;
    const emoji = '<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - 😀';

    // Act
    await sendUdp(port('udp'), [ok, big, emoji]);
    await waitFor(() => b.bridge.counters.sent + b.bridge.counters.rejected === 3, 5_000, 'all handled');

    // Assess: two refused for good, both kept, nothing retried forever
    expect(b.bridge.counters).toMatchObject({ sent: 1, rejected: 2, rejectedKept: 2, rejectedNotKept: 0 });
    const file = join(h.dir, 'spool', 'rejected.ndjson');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kept = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept.map((k) => [k.code, k.body, k.bytes])).toEqual([
      ['InvalidParameterValue', big, Buffer.byteLength(big)],
      ['InvalidMessageContents', emoji, Buffer.byteLength(emoji)],
    ]);
    for (const k of kept)
      expect(k).toEqual(
        expect.objectContaining({ time: expect.any(String), seq: expect.any(Number), reason: expect.any(String) }),
      );
    expect(b.status().rejectedFileBytes).toBe(statSync(file).size);
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'SQS refused a message for good: kept in the rejected-messages file (resend: segura-relay send --rejected FILE)',
      }),
    );
    expect((await h.sqs.drain(url, 1, 5_000)).map((m) => m.Body)).toEqual([ok]);

    // the operator raises the queue's limit and resends: the big one arrives; the emoji is refused again
    await h.sqs.client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1048576' } }),
    );
    const r = await resend(url, file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected by SQS: InvalidMessageContents/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^sent 1, failed 1,/);
    expect((await h.sqs.drain(url, 1, 5_000)).map((m) => m.Body)).toEqual([big]);
  });

  it('from the spool too, and the file is bounded: beyond --rejected-max-bytes they are counted as not kept', async () => {
    const url = await h.sqs.queue('segura-ingest', { MaximumMessageSize: '1024' });
    const { b, rec, port } = await h.start(url, { spoolAlways: true, rejectedMaxBytes: 4_096 });
    const bigs = [1, 2, 3].map((i) => `<13>1 - ${String(i).repeat(2_000)}`);
    await sendUdp(port('udp'), [...bigs, SEED_LINE]);
    await waitFor(() => b.bridge.counters.sent + b.bridge.counters.rejected === 4, 5_000, 'all handled');
    // one entry (~2.2 KB) fits in 4 KiB, the next two do not
    expect(b.bridge.counters).toMatchObject({ sent: 1, rejected: 3, rejectedKept: 1, rejectedNotKept: 2 });
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        msg: 'SQS refused a message for good: rejected-messages file full, message dropped (see --rejected-max-bytes)',
      }),
    );
    // the spool let them go: nothing stuck
    await waitFor(() => b.bridge.gauges().spoolMessages === 0, 5_000, 'spool drained');
    const file = join(h.dir, 'spool', 'rejected.ndjson');
    expect(statSync(file).size).toBeLessThanOrEqual(4_096);
  });
});

describe('bridge: an oversize octet-counted frame', () => {
  it('is reported when its MSG-LEN arrives, with the bytes received, while the connection is still open', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, {});
    const s = tcpConnect({ host: '127.0.0.1', port: port('tcp') });
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(`999999999 ${'a'.repeat(200)}`);
    await waitFor(() => b.bridge.counters.droppedOversize === 1, 5_000, 'reported');
    expect(s.destroyed).toBe(false);
    const line = rec.entries.find((e) => e.msg === 'message over 65536 bytes dropped');
    expect(line?.fields).toMatchObject({ transport: 'tcp', framing: 'octet', announced: 999_999_999 });
    expect(line?.fields.bytes).toBeLessThanOrEqual(200);
    // closing does not report it again
    s.end();
    await new Promise<void>((r) => s.once('close', () => r()));
    await b.stop();
    expect(b.bridge.counters).toMatchObject({ droppedOversize: 1, truncatedFrames: 0, discardedPartial: 0 });
  });
});
