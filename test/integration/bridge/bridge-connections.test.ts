/**
 * Hostile clients against the bridge's TCP/TLS listeners, on loopback (127.0.0.0/8 gives the
 * attackers their own source addresses): a slowloris flood cannot lock a reconnecting vault out,
 * idle / stalled / long-lived connections and stalled TLS handshakes are closed, every refusal,
 * eviction and timeout is counted and logged (rate-limited), and partial messages dropped with a
 * connection are counted. Every load loop here is bounded in count and time.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseAllowList } from '../../../bridge/listeners.js';
import { bridgeHarness, sendStream, sleep, tlsFixtures, waitFor } from '../tools/helpers.js';

const h = bridgeHarness('bridge-conn-', {
  tcp: [{ host: '127.0.0.1', port: 0 }],
  tls: [{ host: '127.0.0.1', port: 0 }],
  tlsMaterial: { key: tlsFixtures.key, cert: tlsFixtures.cert },
  logIntervalMs: 1_000,
});

/** Open a TCP connection from `localAddress`; resolves once connected (or rejects). */
function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port, localAddress }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Resolves when the server closed `s` (EOF or reset), with how it ended. */
function closedByServer(s: Socket): Promise<'end' | 'reset'> {
  return new Promise((resolve) => {
    s.once('end', () => resolve('end'));
    s.once('error', () => resolve('reset'));
    s.resume();
  });
}

describe('bridge: connection exhaustion', () => {
  it('slowloris connections from 9 sources holding every slot cannot lock out a reconnecting vault: all 100 of its messages arrive', async () => {
    // Prepare: the default caps (256 per listener, 32 per source: 9 sources can fill the listener
    // and refill each slot the vault frees); evictable after 1 s without a complete message
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, { evictMinIdleMs: 1_000 });
    const tcp = port('tcp');
    const attackers = new Set<Socket>();
    let attacking = true;
    let attackConnections = 0;
    const ATTACK_BUDGET = 6_000; // bound on connections the attack opens
    const slowloris = async (source: string): Promise<void> => {
      if (!attacking || attackConnections >= ATTACK_BUDGET) return;
      attackConnections++;
      let s: Socket;
      try {
        s = await open(tcp, source);
      } catch {
        return;
      }
      attackers.add(s);
      const since = Date.now();
      s.write('<13>1 2026-01-19T10:41:00Z attacker slow - - never ends ');
      const drip = setInterval(() => s.write('x'), 200);
      const gone = () => {
        clearInterval(drip);
        attackers.delete(s);
        s.destroy();
        // it comes back for the slot: at once when evicted, after a pause when refused
        setTimeout(() => void slowloris(source), Date.now() - since > 500 ? 5 : 300);
      };
      s.once('end', gone);
      s.once('error', gone);
      s.resume();
    };
    const sources = Array.from({ length: 9 }, (_, i) => `127.0.0.${i + 2}`);
    let maxOpen = 0;
    const sampler = setInterval(() => {
      maxOpen = Math.max(maxOpen, b.status().openConnections as number);
    }, 10);

    try {
      // Act 1: 32 connections from each of 9 sources (288 > 256 slots)
      await Promise.all(sources.flatMap((src) => Array.from({ length: 32 }, () => slowloris(src))));
      await waitFor(() => (b.status().openConnections as number) === 256, 5_000, 'the attack fills every slot');
      // Act 2: the vault (127.0.0.1) reconnects 100 times, one message each, 40 ms apart (the
      // attackers take the freed slot back in between), once the attackers aged 1 s
      await sleep(1_100);
      const lines = Array.from(
        { length: 100 },
        (_, i) => `<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - n=${i}`,
      );
      for (const line of lines) {
        await sendStream(tcp, `${line}\n`);
        await sleep(40);
      }
      await waitFor(() => b.bridge.counters.sent >= 100, 10_000, '100 vault messages sent');
      const got = await h.sqs.drain(url, 100, 5_000);

      // Assess: every vault message, nothing from the attackers (their lines never end)
      expect(got.map((m) => m.Body).sort()).toEqual([...lines].sort());
      expect(maxOpen).toBeLessThanOrEqual(256);
      const c = b.bridge.counters;
      // the 32 surplus attack connections (and their retries) were refused or replaced another
      // attacker's; the vault found the listener full again and again and got in by evicting one
      expect(c.refusedConnections + c.evictedConnections).toBeGreaterThanOrEqual(32);
      expect(c.evictedConnections).toBeGreaterThanOrEqual(10);
      // counted and logged, but rate-limited: a few lines for hundreds of events
      const warnLines = rec.entries.filter(
        (e) => e.msg.startsWith('connection refused') || e.msg.startsWith('listener full'),
      );
      expect(warnLines.length).toBeGreaterThanOrEqual(1);
      expect(warnLines.length).toBeLessThan(30);
      const last = rec.entries.filter((e) => e.msg.startsWith('listener full')).at(-1);
      expect(last?.fields).toMatchObject({ transport: 'tcp', reason: expect.stringMatching(/cap/) });
      expect(attackConnections).toBeLessThanOrEqual(ATTACK_BUDGET);
    } finally {
      attacking = false;
      clearInterval(sampler);
      for (const s of attackers) s.destroy();
    }
  }, 60_000);

  it('one source cannot take more than its share: past its cap it only replaces its own connections', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, { maxConnections: 10, maxConnectionsPerSource: 4 });
    const tcp = port('tcp');
    // one after the other: the first is the oldest
    const hogs: Socket[] = [];
    for (let i = 0; i < 4; i++) hogs.push(await open(tcp, '127.0.0.2'));
    const firstClosed = closedByServer(hogs[0] as Socket);
    // a fifth from the same source: its own oldest (it never sent a message) makes room
    const fifth = await open(tcp, '127.0.0.2');
    expect(await firstClosed).toBe('end');
    await waitFor(() => b.bridge.counters.evictedConnections === 1, 2_000, 'evicted');
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'listener full: closed the longest-idle connection to make room',
        fields: expect.objectContaining({ peer: '127.0.0.2', for: '127.0.0.2', reason: 'per-source cap' }),
      }),
    );
    // another source is not affected
    await sendStream(tcp, '<13>1 - from another source\n');
    await waitFor(() => b.bridge.counters.sent === 1, 5_000, 'sent');
    expect(b.status().openConnections).toBe(4);
    for (const s of [...hogs, fifth]) s.destroy();
  });

  it('a full listener refuses a source as large as every other (counted and logged); the smaller source gets in', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, { maxConnections: 4, maxConnectionsPerSource: 4 });
    const tcp = port('tcp');
    const held = [
      ...(await Promise.all([0, 1].map(() => open(tcp, '127.0.0.2')))),
      ...(await Promise.all([0, 1].map(() => open(tcp, '127.0.0.3')))),
    ];
    await waitFor(() => b.status().openConnections === 4, 2_000, 'full');
    // a third for .3 would put it past every other source's share
    const refused = await open(tcp, '127.0.0.3');
    expect(await closedByServer(refused)).toMatch(/end|reset/);
    await waitFor(() => b.bridge.counters.refusedConnections === 1, 2_000, 'refused');
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ peer: '127.0.0.3', fromSource: 2, refusedConnections: 1 }),
      }),
    );
    // the vault, with none, gets in by evicting one of the largest source's idle connections
    await sendStream(tcp, '<13>1 - vault\n');
    await waitFor(() => b.bridge.counters.sent === 1, 5_000, 'sent');
    expect(b.bridge.counters).toMatchObject({ evictedConnections: 1, refusedConnections: 1 });
    for (const s of [...held, refused]) s.destroy();
  });
});

describe('bridge: timeouts', () => {
  it('closes idle, stalled and long-lived connections, counts each and the partial message it held', async () => {
    const url = await h.sqs.queue('segura-ingest');
    // the drips below come every 100 ms: far inside the idle timeout even on a busy machine
    const { b, rec, port } = await h.start(url, {
      idleTimeoutMs: 1_000,
      frameTimeoutMs: 600,
      maxLifetimeMs: 2_000,
      closeGraceMs: 200,
    });
    const tcp = port('tcp');
    // idle: connects and says nothing
    const idle = await open(tcp);
    // stalled: drips a line that never ends (bytes keep it from being idle)
    const stalled = await open(tcp);
    stalled.write('<13>1 - half');
    const drip = setInterval(() => stalled.write('.'), 100);
    // long-lived: a complete message every 100 ms
    const chatty = await open(tcp);
    let n = 0;
    const talk = setInterval(() => chatty.write(`<13>1 - chatty ${n++}\n`), 100);
    // listening from the start: they close in any order
    const closed = [idle, stalled, chatty].map(closedByServer);
    try {
      expect(await Promise.all(closed)).toEqual(['end', 'end', 'end']);
    } finally {
      clearInterval(drip);
      clearInterval(talk);
    }
    idle.destroy();
    stalled.destroy();
    chatty.destroy();
    await waitFor(() => b.bridge.counters.discardedPartial === 1, 3_000, 'the stalled partial line counted');
    const c = b.bridge.counters;
    expect(c).toMatchObject({ closedIdle: 1, closedStalled: 1, closedLifetime: 1, discardedPartial: 1 });
    expect(c.discardedPartialBytes).toBeGreaterThan('<13>1 - half'.length);
    expect(rec.entries.map((e) => e.msg)).toEqual(
      expect.arrayContaining([
        'connection closed: idle (--idle-timeout)',
        'connection closed: stalled inside a message (--frame-timeout)',
        'connection closed: maximum lifetime reached (--max-connection-lifetime); the peer reconnects',
        'partial message discarded with its connection',
      ]),
    );
    // the long-lived client's complete messages were all delivered
    await waitFor(() => c.sent === c.received.tcp, 5_000, 'chatty messages sent');
    expect(c.received.tcp).toBeGreaterThan(3);
  });

  it('TLS: a stalled handshake and an idle session are closed and counted, not as TLS errors', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, port } = await h.start(url, { tlsHandshakeTimeoutMs: 300, idleTimeoutMs: 400, closeGraceMs: 200 });
    const tls = port('tls');
    // stalled: TCP connect to the TLS port and never send a ClientHello
    const stalled = await open(tls);
    expect(await closedByServer(stalled)).toMatch(/end|reset/);
    // idle: a full handshake, then silence
    const idle = await new Promise<Socket>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: tls, ca: tlsFixtures.ca, servername: 'localhost' }, () =>
        resolve(s),
      );
      s.once('error', reject);
    });
    expect(await closedByServer(idle)).toBe('end');
    stalled.destroy();
    idle.destroy();
    await waitFor(() => b.bridge.counters.closedIdle === 1, 2_000, 'idle counted');
    expect(b.bridge.counters).toMatchObject({ closedStalled: 1, closedIdle: 1, tlsErrors: 0 });
    // both slots are free again (Node would leave the TCP connection under a timed-out handshake open)
    await waitFor(() => b.status().openConnections === 0, 2_000, 'slots freed');
  });
});

describe('bridge: what the logs say', () => {
  it('TLS peers denied by --allow-from are counted as denied, not also as TLS errors', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, port } = await h.start(url, { allowFrom: parseAllowList('10.9.9.9') });
    for (let i = 0; i < 5; i++) await sendStream(port('tls'), '<13>1 - denied\n', true).catch(() => undefined);
    await waitFor(() => b.bridge.counters.deniedPeers === 5, 5_000, 'denied');
    await sleep(100);
    expect(b.bridge.counters).toMatchObject({ deniedPeers: 5, tlsErrors: 0, connections: 0 });
  });

  it('a partial line still held at shutdown is counted (and the complete ones delivered)', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const { b, rec, port } = await h.start(url, {});
    const s = await open(port('tcp'));
    s.write('<13>1 - complete\n<13>1 - and half of a');
    // the peer ignores our EOF (it never closes): the grace ends it
    s.on('end', () => undefined);
    s.resume();
    await waitFor(() => b.bridge.counters.received.tcp === 1, 5_000, 'first line received');
    await b.stop();
    expect(b.bridge.counters).toMatchObject({ sent: 1, discardedPartial: 1, discardedPartialBytes: 21 });
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        msg: 'partial message discarded with its connection',
        fields: expect.objectContaining({ reason: 'shutdown', bytes: 21 }),
      }),
    );
    s.destroy();
  });
});
