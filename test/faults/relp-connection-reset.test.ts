/**
 * Fault: RELP connections to a real rsyslog imrelp are reset mid-stream. A TCP pass-through proxy
 * on loopback sits between the relay and rsyslog (as an NLB would) and, every few hundred events
 * rsyslog has written, resets every connection through it: an RST to the relay, a close to rsyslog.
 * Answers in flight are lost with the connection, so the relay resends every unanswered frame on a
 * new session: nothing is lost, and only frames rsyslog took but could not answer arrive twice —
 * at most one window per reset.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, waitUntil } from '../helpers/pipeline.js';
import { type Rsyslog, startRsyslog } from '../helpers/rsyslog.js';

const h = relayHarness();
let rs: Rsyslog | null = null;
let proxy: { server: Server; reset: () => number } | null = null;
afterEach(async () => {
  const p = proxy;
  proxy = null;
  if (p) {
    // the relay may still hold a session through the proxy: cut it, or close() waits for it
    p.reset();
    await new Promise<void>((resolve) => p.server.close(() => resolve()));
  }
  await rs?.stop();
  rs = null;
});

const WINDOW = 32;
const RESETS = 4;

/** A TCP pass-through to 127.0.0.1:`port` whose `reset()` cuts every connection through it. */
async function resettingProxy(port: number): Promise<{ port: number; reset: () => number; connections: () => number }> {
  const pairs = new Set<[Socket, Socket]>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = tcpConnect({ host: '127.0.0.1', port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no proxy address');
  const reset = (): number => {
    const n = pairs.size;
    for (const [client, upstream] of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
    return n;
  };
  proxy = { server, reset };
  return { port: address.port, connections: () => connections, reset };
}

describe('fault: RELP connection reset mid-stream (real rsyslog imrelp)', () => {
  it('every reset is met by a new session and a resend: nothing lost, duplicates ≤ window per reset', async ({
    task,
  }) => {
    const t0 = Date.now();
    rs = await startRsyslog({ inputs: ['relp'] });
    const collector = rs;
    const px = await resettingProxy(collector.ports.relp as number);
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: {
        url: `relp://127.0.0.1:${px.port}`,
        sink: {
          connectTimeoutMs: 500,
          writeTimeoutMs: 1_000,
          breaker: { failureThreshold: 3, coolDownMs: 300 },
          relp: { tls: false, window: WINDOW },
        },
      },
    });
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!sink || !poller) throw new Error('no syslog destination');

    // Act
    const input = bodies(1_200, 81);
    const sending = relay.send(input);
    const cuts: number[] = [];
    for (let i = 1; i <= RESETS; i++) {
      if (await waitUntil(() => collector.messages().length >= i * 200, 30_000)) cuts.push(px.reset());
    }
    await sending;
    const drained = await relay.drain(60_000);

    // Assess
    const stats = sink.stats().transport;
    const midBatch = logsMatching(h.cap, /^RELP session broke mid-batch; resending unacknowledged frames/);
    const ledger = await closeScenario(
      task,
      relay,
      `RELP to real rsyslog, ${RESETS} connection resets mid-stream (window ${WINDOW})`,
      input,
      {
        drained,
        connectionsResetPerCut: cuts,
        proxyConnections: px.connections(),
        midBatchResends: midBatch.length,
        framesResent: stats.framesResent,
        framesAcked: stats.framesAcked,
        connects: stats.connects,
        pollerStats: { ...poller.stats },
      },
      t0,
      { collector: collector.messages() },
    );
    expect(drained).toBe(true);
    expect(cuts).toHaveLength(RESETS);
    expect(ledger.destinations[0]).toMatchObject({ expected: 1_200, delivered: 1_200, missing: 0, inDlq: 0 });
    expect(ledger.destinations[0]?.duplicates).toBeLessThanOrEqual(RESETS * WINDOW);
    // the relay noticed each reset that cut a live session, and opened a new one
    expect(cuts.filter((n) => n > 0).length).toBeGreaterThan(0);
    expect(stats.connects).toBeGreaterThanOrEqual(1 + cuts.filter((n) => n > 0).length);
  });
});
