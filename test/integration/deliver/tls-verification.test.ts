import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyslogReceiver } from '../../../local/syslog-receiver.js';
import { createSyslogSink } from '../../../shared/deliver/syslog/index.js';
import { certs, deadlineIn, makeItems, recordingLogger, startTlsReceiver, tlsSinkTo } from './loopback.js';

/**
 * A byte-recording TCP relay in front of the receiver: proves what the sender put on the wire before
 * and after certificate verification.
 */
async function startTap(
  targetPort: number,
): Promise<{ port: number; clientBytes: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Resets are expected when the handshake is aborted; record nothing, just keep them handled.
      s.on('error', () => s.destroy());
    }
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('tap: no address');
  return {
    port: address.port,
    clientBytes: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function receiverWith(cert: { key: string; cert: string }): Promise<SyslogReceiver> {
  const receiver = await startTlsReceiver({ tls: cert });
  cleanup.push(() => receiver.stop());
  return receiver;
}

describe('TLS certificate verification is always on', () => {
  it('wrong CA: every item fails retryable with a verification error and no application byte leaves in clear', async () => {
    // Prepare
    const receiver = await receiverWith(certs.server);
    const tap = await startTap(receiver.port);
    cleanup.push(tap.close);
    const { logger, entries } = recordingLogger();
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tls',
      host: '127.0.0.1',
      port: tap.port,
      ca: certs.otherCa,
      logger,
    });
    cleanup.push(() => sink.close());
    const items = makeItems(5);

    // Act
    const result = await sink.send(items, deadlineIn(5_000));

    // Assess
    expect(result.delivered).toEqual([]);
    expect(result.failed.map((f) => f.id)).toEqual(items.map((i) => i.id));
    for (const failure of result.failed) {
      expect(failure.retryable).toBe(true);
      expect(failure.error).toMatch(
        /TLS certificate verification failed .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      );
    }
    expect(receiver.messages).toEqual([]);
    expect(receiver.bytes).toBe(0);
    // On the wire: only the TLS handshake (record type 0x16 first), never a syslog frame.
    const wire = tap.clientBytes();
    expect(wire[0]).toBe(0x16);
    expect(wire.includes(Buffer.from('segura'))).toBe(false);
    expect(wire.includes(Buffer.from(items[0]!.payload))).toBe(false);
    expect(entries.some((e) => e.level === 'error' && String(e.extra?.error).includes('certificate'))).toBe(true);
  });

  it('certificate for the wrong hostname (SAN example.invalid) is refused', async () => {
    const receiver = await receiverWith(certs.wrongHost);
    const sink = tlsSinkTo(receiver.port);
    cleanup.push(() => sink.close());

    const result = await sink.send(makeItems(3), deadlineIn(5_000));

    expect(result.delivered).toEqual([]);
    expect(result.failed).toHaveLength(3);
    expect(result.failed[0]?.error).toMatch(/certificate verification failed .*ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(receiver.bytes).toBe(0);
  });

  it('SNI name not in the certificate is refused even when the CA is right', async () => {
    const receiver = await receiverWith(certs.server);
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tls',
      host: '127.0.0.1',
      servername: 'collector.example.invalid',
      port: receiver.port,
      ca: certs.ca,
      logger: recordingLogger().logger,
    });
    cleanup.push(() => sink.close());

    const result = await sink.send(makeItems(2), deadlineIn(5_000));

    expect(result.delivered).toEqual([]);
    expect(result.failed[0]?.error).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('without a configured CA the built-in roots do not trust the test CA', async () => {
    const receiver = await receiverWith(certs.server);
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tls',
      host: '127.0.0.1',
      port: receiver.port,
      logger: recordingLogger().logger,
    });
    cleanup.push(() => sink.close());

    const result = await sink.send(makeItems(2), deadlineIn(5_000));

    expect(result.delivered).toEqual([]);
    expect(result.failed[0]?.error).toContain('certificate verification failed');
    expect(receiver.bytes).toBe(0);
  });
});
