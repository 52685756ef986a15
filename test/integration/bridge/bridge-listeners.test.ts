/**
 * `segura-relay bridge` receiving real syslog on loopback UDP, TCP (octet counting and LF) and TLS,
 * into fauxqs: every message reaches the queue as its SQS body, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { parseAllowList } from '../../../bridge/listeners.js';
import type { BridgeConfig } from '../../../bridge/run.js';
import { bridgeHarness, octet, SEED_LINE, sendStream, sendUdp, tlsFixtures, waitFor } from '../tools/helpers.js';

const h = bridgeHarness('bridge-it-', {
  udp: [{ host: '127.0.0.1', port: 0 }],
  tcp: [{ host: '127.0.0.1', port: 0 }],
  tls: [{ host: '127.0.0.1', port: 0 }],
  tlsMaterial: { key: tlsFixtures.key, cert: tlsFixtures.cert },
});

async function bridge(queueUrl: string, extra: Partial<BridgeConfig> = {}) {
  const { b, rec, port } = await h.start(queueUrl, extra);
  return { b, rec, udp: port('udp'), tcp: port('tcp'), tls: port('tls') };
}

describe('bridge listeners → SQS', () => {
  it('UDP, TCP (octet-counted, LF, mixed, unterminated) and TLS: every message arrives byte for byte', async () => {
    // Prepare
    const url = await h.sqs.queue('segura-ingest');
    const { b, udp, tcp, tls, rec } = await bridge(url);
    const cef = 'CEF:0|MT4|Segura|3|1|Senha visualizada|5|suser=jsilva duser=root dst=10.0.0.1 msg=Visualização';
    const udpMsgs = [SEED_LINE, '<13>1 2026-01-19T10:41:00-03:00 vault-01 senhasegura 1426 1 - suser=jsilva', cef];
    // (no emoji: fauxqs 1.9.2 refuses characters outside the BMP, which real SQS accepts)
    const octetMsgs = [SEED_LINE, '<13>1 - José ✓\nwith an embedded LF', `<14>1 - ${'é'.repeat(400)}`];
    const lfMsgs = [SEED_LINE, '<13>1 2026-01-19T10:41:00.5Z h senhasegura - 16 - sname=José', cef];
    const tlsMsgs = [SEED_LINE, '<13>1 - over TLS José'];

    // Act
    await sendUdp(udp, [...udpMsgs, `${SEED_LINE}\n`]);
    await sendStream(tcp, octetMsgs.map(octet).join(''));
    await sendStream(tcp, `${lfMsgs.join('\n')}\n`);
    await sendStream(tcp, `${octet('<13>1 - mixed 1')}<13>1 - mixed 2\r\n${octet('<13>1 - mixed 3')}`);
    await sendStream(tcp, SEED_LINE); // `printf '…' | nc host port`: no trailing LF
    await sendStream(tls, tlsMsgs.map(octet).join(''), true);
    await sendStream(tls, `${SEED_LINE}\n`, true);
    const expected = [
      ...udpMsgs,
      SEED_LINE,
      ...octetMsgs,
      ...lfMsgs,
      '<13>1 - mixed 1',
      '<13>1 - mixed 2',
      '<13>1 - mixed 3',
      SEED_LINE,
      ...tlsMsgs,
      SEED_LINE,
    ];
    await waitFor(() => b.bridge.counters.sent >= expected.length, 5_000, 'all messages sent').catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(b.status())} ${JSON.stringify(rec.entries)}`);
    });
    const got = await h.sqs.drain(url, expected.length, 5_000);

    // Assess: the same multiset of bodies (transports run concurrently), nothing else
    expect(got.map((m) => m.Body).sort()).toEqual([...expected].sort());
    // the seed's line exactly, from every transport
    expect(got.filter((m) => m.Body === SEED_LINE)).toHaveLength(7);
    expect(b.bridge.counters).toMatchObject({
      received: { udp: 4, tcp: 10, tls: 3 },
      sent: expected.length,
      spooled: 0,
      droppedOversize: 0,
      rejected: 0,
      connections: 6,
    });
    expect(rec.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('keeps the order of one connection, drops oversize messages loudly, counts lines the relay will reject', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, tcp, udp, rec } = await bridge(url, { maxMessageBytes: 1024 });
    const lines = Array.from(
      { length: 50 },
      (_, i) => `<13>1 2026-01-19T10:41:00-03:00 vault senhasegura 1426 - n=${i}`,
    );
    const big = `<13>1 - ${'x'.repeat(1100)}`;

    await sendStream(tcp, [...lines.slice(0, 25), big, ...lines.slice(25)].map(octet).join(''));
    await sendUdp(udp, [big, 'hello, not syslog']);
    await waitFor(() => b.bridge.counters.sent >= 51, 5_000, '51 sent');
    const got = await h.sqs.drain(url, 51, 5_000);

    const fromTcp = got.map((m) => m.Body as string).filter((x) => x.includes(' - n='));
    expect(fromTcp).toEqual(lines);
    expect(got.map((m) => m.Body)).toContain('hello, not syslog');
    expect(b.bridge.counters).toMatchObject({ droppedOversize: 2, flaggedInvalid: 1, sent: 51 });
    expect(rec.entries).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'message over 1024 bytes dropped' }),
    );
    expect(rec.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ code: 'syntax' }) }),
    );
    // logs carry counts and codes, never content
    expect(JSON.stringify(rec.entries)).not.toContain('hello, not syslog');
  });

  it('replaces what SQS cannot carry (invalid UTF-8, control characters) and counts it', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, udp } = await bridge(url);
    await sendUdp(udp, [Buffer.from([0x3c, 0x31, 0x33, 0x3e, 0x31, 0x20, 0xff, 0x01, 0x41])]);
    await waitFor(() => b.bridge.counters.sent >= 1, 5_000, 'sent');
    const [m] = await h.sqs.drain(url, 1, 5_000);
    expect(m?.Body).toBe('<13>1 \ufffd\ufffdA');
    expect(b.bridge.counters.sanitized).toBe(1);
  });

  it('refuses peers outside --allow-from', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, udp, tcp } = await bridge(url, { allowFrom: parseAllowList('10.9.9.9') });
    await sendUdp(udp, [SEED_LINE]);
    await sendStream(tcp, `${SEED_LINE}\n`).catch(() => undefined);
    await waitFor(() => b.bridge.counters.deniedPeers >= 2, 5_000, 'denied');
    expect(b.bridge.counters).toMatchObject({ received: { udp: 0, tcp: 0, tls: 0 }, sent: 0 });
  });

  it('sends to a FIFO queue in one message group with stable deduplication ids', async () => {
    const url = await h.sqs.queue('segura-ingest.fifo', { FifoQueue: 'true' });
    const { b, tcp } = await bridge(url, { groupId: 'vault-01' });
    const lines = Array.from({ length: 12 }, (_, i) => `<13>1 - fifo ${i}`);
    await sendStream(tcp, `${lines.join('\n')}\n`);
    await waitFor(() => b.bridge.counters.sent >= 12, 5_000, 'sent');
    // fauxqs hands out one message per FIFO group per receive
    const got = await h.sqs.drain(url, 12, 5_000);
    expect(got.map((m) => m.Body)).toEqual(lines);
    expect(new Set(got.map((m) => m.Attributes?.MessageGroupId))).toEqual(new Set(['vault-01']));
    expect(new Set(got.map((m) => m.Attributes?.MessageDeduplicationId)).size).toBe(12);
  });
});
