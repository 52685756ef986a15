import { afterEach, describe, expect, it } from 'vitest';
import { startSyslogReceiver } from '../../../local/syslog-receiver.js';
import { createSyslogSink } from '../../../shared/deliver/syslog/index.js';
import { deadlineIn, makeItems, recordingLogger } from './loopback.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('syslog over UDP (RFC 5426)', () => {
  it('one datagram per message, no framing; an oversize item fails non-retryably with the cap error, the others deliver', async () => {
    // Prepare
    const receiver = await startSyslogReceiver({ transport: 'udp' });
    cleanup.push(() => receiver.stop());
    const { logger, entries } = recordingLogger();
    const sink = createSyslogSink({
      name: 'siem-udp',
      transport: 'udp',
      host: '127.0.0.1',
      port: receiver.port,
      maxDatagramBytes: 1024,
      logger,
    });
    cleanup.push(() => sink.close());
    const items = makeItems(10);
    // 1,025 bytes: one over the vault's documented 1,024 (the 2-byte é makes chars != bytes)
    const oversize = { id: 'big', payload: `<134>1 ${'é'.repeat(509)}` };
    const exact = { id: 'exact', payload: `<134>1 ${'é'.repeat(508)}x` };
    expect(Buffer.byteLength(oversize.payload)).toBe(1025);
    expect(Buffer.byteLength(exact.payload)).toBe(1024);

    // Act
    const result = await sink.send([...items.slice(0, 5), oversize, exact, ...items.slice(5)], deadlineIn(3_000));
    await receiver.waitFor(11, 2_000);

    // Assess
    expect(result.delivered).toEqual([
      ...items.slice(0, 5).map((i) => i.id),
      'exact',
      ...items.slice(5).map((i) => i.id),
    ]);
    expect(result.failed).toEqual([
      {
        id: 'big',
        retryable: false,
        error: expect.stringContaining('datagram is 1025 bytes, over maxDatagramBytes 1024'),
      },
    ]);
    // UDP carries the bare message: no octet count, no LF
    expect(new Set(receiver.messages)).toEqual(new Set([...items.map((i) => i.payload), exact.payload]));
    // the transport never cuts: no shortened variant of the oversize payload reached the wire
    expect(receiver.messages.filter((m) => m.startsWith('<134>1 éé'))).toEqual([exact.payload]);
    expect(result.bytes).toBe([...items, exact].reduce((n, i) => n + Buffer.byteLength(i.payload), 0));
    expect(entries.some((e) => e.level === 'error' && e.extra?.id === 'big')).toBe(true);
  });

  it('uses the documented 2048-byte default cap and reuses one socket', async () => {
    const receiver = await startSyslogReceiver({ transport: 'udp' });
    cleanup.push(() => receiver.stop());
    const sink = createSyslogSink({
      name: 'siem-udp',
      transport: 'udp',
      host: '127.0.0.1',
      port: receiver.port,
      logger: recordingLogger().logger,
    });
    cleanup.push(() => sink.close());

    const first = await sink.send([{ id: 'ok', payload: 'x'.repeat(2048) }], deadlineIn(3_000));
    const second = await sink.send([{ id: 'no', payload: 'x'.repeat(2049) }, ...makeItems(2)], deadlineIn(3_000));
    await receiver.waitFor(3, 2_000);

    expect(first.delivered).toEqual(['ok']);
    expect(second.failed.map((f) => [f.id, f.retryable])).toEqual([['no', false]]);
    expect(second.delivered).toHaveLength(2);
    expect(sink.stats().transport).toMatchObject({ connectAttempts: 1, connects: 1 });
  });
});

describe('UDP collector down', () => {
  it('ICMP port-unreachable surfaces as a retryable ECONNREFUSED failure on a later datagram, never as a crash', async () => {
    // Prepare: a port with nothing bound (bind, read the port, close)
    const probe = await startSyslogReceiver({ transport: 'udp' });
    const port = probe.port;
    await probe.stop();
    const { logger } = recordingLogger();
    const sink = createSyslogSink({
      name: 'siem-udp',
      transport: 'udp',
      host: '127.0.0.1',
      port,
      breaker: { failureThreshold: 100 },
      logger,
    });
    cleanup.push(() => sink.close());

    // Act: bounded attempts; UDP cannot know about the first datagram, the kernel reports later ones
    const errors: string[] = [];
    for (let attempt = 0; attempt < 10 && errors.length === 0; attempt++) {
      const result = await sink.send(makeItems(2, `u${attempt}`), deadlineIn(1_000));
      for (const f of result.failed) {
        expect(f.retryable).toBe(true);
        errors.push(f.error);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Assess
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toContain('ECONNREFUSED');
  });
});
