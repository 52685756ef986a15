/**
 * Fault: the TLS handshake with the collector fails. The collector's port is taken over by a TLS
 * server presenting a certificate the relay must refuse (TEST-ONLY `wronghost.pem`: SAN
 * `example.invalid` only, so it fails for `localhost` whatever CA signed it), as after a botched
 * certificate rotation or a man in the middle.
 * - transient: the bad certificate for 3 s (longer than the visibility timeout), then the real
 *   collector again: nothing is sent to the impostor, SQS holds the events, all arrive once;
 * - persistent: with maxReceiveCount 3 every syslog event ends in the destination's DLQ with the
 *   redrive reason, and the Firehose destination is not held back.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, fastSyslog, logsMatching, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();
const FIXTURES = new URL('../fixtures/tls/', import.meta.url);

interface Impostor {
  readonly connections: () => number;
  /** handshakes the impostor saw complete (the relay must never complete one) */
  readonly secured: () => number;
  /** application bytes received (must stay 0: nothing in clear, nothing to the wrong peer) */
  readonly bytes: () => number;
  readonly errors: string[];
  stop(): Promise<void>;
}

/** A TLS server with a certificate for the wrong name, on the collector's port. */
async function startImpostor(port: number): Promise<Impostor> {
  let connections = 0;
  let secured = 0;
  let bytes = 0;
  const errors: string[] = [];
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer(
    {
      key: readFileSync(new URL('wronghost.key', FIXTURES)),
      cert: readFileSync(new URL('wronghost.pem', FIXTURES)),
    },
    (s) => {
      secured++;
      s.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      s.on('error', () => undefined);
    },
  );
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', (e: Error) => errors.push(e.message));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    connections: () => connections,
    secured: () => secured,
    bytes: () => bytes,
    errors,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('fault: TLS handshake failure', () => {
  it('transient: a wrong certificate for 3 s, then the real collector: nothing sent to the impostor, all arrive once', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, firehose: false, syslog: fastSyslog });
    const rx = relay.syslogReceiver;
    const sink = relay.syslogHandler?.sink;
    if (!rx || !sink) throw new Error('no local collector');
    const before = bodies(100, 61);
    await relay.send(before);
    await rx.waitFor(100, 15_000);
    await sleep(200);

    await rx.kill();
    const impostor = await startImpostor(rx.port);
    const bytesAtSwap = rx.bytes;
    const during = bodies(200, 62);
    await relay.send(during);
    await sleep(3_000);
    const pendingWhileBad = await relay.pending();
    const collectorBytesWhileBad = rx.bytes - bytesAtSwap;
    await impostor.stop();
    await rx.restart();
    const drained = await relay.drain(30_000);

    const tlsFailures = logsMatching(
      h.cap,
      'syslog batch partially failed; unconfirmed items will be retried by SQS',
    ).filter((j) => j.kind === 'tls');
    const opened = logsMatching(h.cap, 'syslog circuit opened: failing batches fast');
    const input = [...before, ...during];
    const ledger = await closeScenario(
      task,
      relay,
      'TLS handshake failure for 3 s (certificate for another name), then fixed',
      input,
      {
        drained,
        impostorConnections: impostor.connections(),
        impostorHandshakesCompleted: impostor.secured(),
        impostorBytesReceived: impostor.bytes(),
        impostorTlsErrors: [...new Set(impostor.errors)],
        tlsFailureLogs: tlsFailures.length,
        tlsFailureSample: String(tlsFailures[0]?.error ?? ''),
        breakerOpenings: opened.length,
        pendingInSqsWhileBad: pendingWhileBad,
        collectorBytesWhileBad,
        pollerStats: { ...relay.pollerFor('deliver-syslog')?.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 300, delivered: 300, inDlq: 0, duplicates: 0 });
    // the relay tried, refused the certificate every time, and never sent a byte to the impostor
    expect(impostor.connections()).toBeGreaterThan(0);
    expect(impostor.secured()).toBe(0);
    expect(impostor.bytes()).toBe(0);
    expect(tlsFailures.length).toBeGreaterThan(0);
    expect(String(tlsFailures[0]?.error)).toMatch(/certificate|altname|Hostname|verify/i);
    expect(opened.length).toBeGreaterThan(0);
    expect(pendingWhileBad).toBe(200);
    expect(collectorBytesWhileBad).toBe(0);
  });

  it('persistent: every syslog event ends in the DLQ after maxReceiveCount, Firehose delivers all', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, maxReceiveCount: 3, syslog: fastSyslog });
    const rx = relay.syslogReceiver;
    if (!rx) throw new Error('no local collector');
    await rx.kill();
    const impostor = await startImpostor(rx.port);
    const input = bodies(60, 63);
    await relay.send(input);
    const drained = await relay.drain(30_000);
    await impostor.stop();

    const ledger = await closeScenario(
      task,
      relay,
      'TLS handshake failure, persistent (maxReceiveCount 3)',
      input,
      {
        drained,
        impostorConnections: impostor.connections(),
        impostorHandshakesCompleted: impostor.secured(),
        impostorBytesReceived: impostor.bytes(),
        syslogPoller: { ...relay.pollerFor('deliver-syslog')?.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    const [archive, collector] = ledger.destinations;
    expect(archive).toMatchObject({ name: 'archive', expected: 60, delivered: 60, inDlq: 0, duplicates: 0 });
    expect(collector).toMatchObject({ name: 'collector', expected: 60, delivered: 0, inDlq: 60 });
    expect(ledger.dlqReasons).toEqual([
      expect.objectContaining({
        queue: 'segura-syslog-collector-dlq',
        code: 'redrive',
        count: 60,
        reason: expect.stringMatching(/moved by SQS after 3 receives/),
      }),
    ]);
    expect(impostor.secured()).toBe(0);
    expect(impostor.bytes()).toBe(0);
  });
});
