import { afterEach, describe, expect, it } from 'vitest';
import { type SyslogReceiver, startSyslogReceiver } from '../../../local/syslog-receiver.js';
import { createSyslogSink, type SyslogSink, type SyslogSinkConfig } from '../../../shared/deliver/syslog/index.js';
import { ConfigError } from '../../../shared/errors.js';
import { certs, deadlineIn, makeItems, recordingLogger, startTlsReceiver, tlsSinkTo } from './loopback.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
function track<T extends SyslogReceiver | SyslogSink>(thing: T): T {
  cleanup.push(() => ('stop' in thing ? thing.stop() : thing.close()));
  return thing;
}

describe('syslog sink over TLS (RFC 5425) against a loopback receiver', () => {
  it('delivers every item, and the receiver holds exactly those frames in order', async () => {
    // Prepare
    const receiver = track(await startTlsReceiver());
    const { logger } = recordingLogger();
    const sink = track(tlsSinkTo(receiver.port, { logger }));
    const items = makeItems(50);

    // Act
    const result = await sink.send(items, deadlineIn(5_000));
    await receiver.waitFor(items.length, 2_000);

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.delivered).toEqual(items.map((i) => i.id));
    expect(receiver.messages).toEqual(items.map((i) => i.payload));
    // bytes = octet-counted frames: "LEN SP MSG" with LEN in UTF-8 bytes
    const expectedBytes = items.reduce((sum, i) => {
      const len = Buffer.byteLength(i.payload);
      return sum + String(len).length + 1 + len;
    }, 0);
    expect(result.bytes).toBe(expectedBytes);
    expect(receiver.bytes).toBe(expectedBytes);
    expect(receiver.errors).toEqual([]);
  });

  it('reuses one connection across sends (one server-side connection for two batches)', async () => {
    const receiver = track(await startTlsReceiver());
    const sink = track(tlsSinkTo(receiver.port));

    const first = await sink.send(makeItems(5, 'a'), deadlineIn(5_000));
    const second = await sink.send(makeItems(5, 'b'), deadlineIn(5_000));
    await receiver.waitFor(10, 2_000);

    expect(first.delivered).toHaveLength(5);
    expect(second.delivered).toHaveLength(5);
    expect(receiver.connections).toBe(1);
    expect(sink.stats().transport).toMatchObject({ connectAttempts: 1, connects: 1, reconnects: 0 });
  });

  it('concurrent sends are serialized onto the one connection', async () => {
    const receiver = track(await startTlsReceiver());
    const sink = track(tlsSinkTo(receiver.port));
    const batches = ['p', 'q', 'r'].map((prefix) => makeItems(20, prefix));

    const results = await Promise.all(batches.map((b) => sink.send(b, deadlineIn(5_000))));
    await receiver.waitFor(60, 2_000);

    expect(results.map((r) => r.delivered.length)).toEqual([20, 20, 20]);
    expect(receiver.connections).toBe(1);
    // Each batch arrives contiguous and in order, in call order.
    expect(receiver.messages).toEqual(batches.flat().map((i) => i.payload));
  });

  it('verifies against servername (SNI) when the host is an IP', async () => {
    const receiver = track(await startTlsReceiver());
    const sink = track(
      createSyslogSink({
        name: 'siem',
        transport: 'tls',
        host: '127.0.0.1',
        servername: 'localhost',
        port: receiver.port,
        ca: certs.ca,
        logger: recordingLogger().logger,
      }),
    );

    const result = await sink.send(makeItems(3), deadlineIn(5_000));

    expect(result.delivered).toHaveLength(3);
  });

  it('close() ends the connection gracefully after the last frame (nothing lost, no framing error)', async () => {
    const receiver = track(await startTlsReceiver());
    const sink = tlsSinkTo(receiver.port);
    const items = makeItems(200, 'c', 200);

    await sink.send(items, deadlineIn(5_000));
    await sink.close();
    await receiver.waitFor(items.length, 2_000);

    expect(receiver.messages).toHaveLength(items.length);
    expect(receiver.errors).toEqual([]);
  });
});

describe('syslog sink over plain TCP (RFC 6587)', () => {
  it('octet counting by default', async () => {
    const receiver = track(await startSyslogReceiver({ transport: 'tcp', framing: 'octet' }));
    const sink = track(
      createSyslogSink({
        name: 'siem',
        transport: 'tcp',
        host: '127.0.0.1',
        port: receiver.port,
        logger: recordingLogger().logger,
      }),
    );
    const items = makeItems(20);

    const result = await sink.send(items, deadlineIn(5_000));
    await receiver.waitFor(items.length, 2_000);

    expect(result.delivered).toHaveLength(20);
    expect(receiver.messages).toEqual(items.map((i) => i.payload));
  });

  it('LF framing: delivers clean lines, fails an item with an embedded LF (non-retryable) and never emits it', async () => {
    // Prepare
    const receiver = track(await startSyslogReceiver({ transport: 'tcp', framing: 'lf' }));
    const { logger, entries } = recordingLogger();
    const sink = track(
      createSyslogSink({
        name: 'siem',
        transport: 'tcp',
        framing: 'lf',
        host: '127.0.0.1',
        port: receiver.port,
        logger,
      }),
    );
    const items = makeItems(4);
    const bad = { id: 'bad', payload: '<134>1 ok\n<134>1 forged second record' };

    // Act
    const result = await sink.send([items[0]!, items[1]!, bad, items[2]!, items[3]!], deadlineIn(5_000));
    await receiver.waitFor(4, 2_000);

    // Assess
    expect(result.delivered).toEqual(items.map((i) => i.id));
    expect(result.failed).toEqual([{ id: 'bad', retryable: false, error: expect.stringContaining('contains LF') }]);
    expect(receiver.messages).toEqual(items.map((i) => i.payload));
    expect(receiver.messages.some((m) => m.includes('forged'))).toBe(false);
    expect(entries.some((e) => e.level === 'error' && e.extra?.id === 'bad')).toBe(true);
  });
});

describe('syslog sink: per-item limits and the deadline', () => {
  it('an item over maxMessageBytes fails non-retryably while the others deliver', async () => {
    const receiver = track(await startSyslogReceiver({ transport: 'tcp' }));
    const sink = track(
      createSyslogSink({
        name: 'siem',
        transport: 'tcp',
        host: '127.0.0.1',
        port: receiver.port,
        maxMessageBytes: 200,
        logger: recordingLogger().logger,
      }),
    );
    const [a, b] = makeItems(2);
    const big = { id: 'big', payload: 'é'.repeat(101) }; // 101 chars, 202 bytes

    const result = await sink.send([a!, big, b!], deadlineIn(5_000));

    expect(result.delivered).toEqual([a!.id, b!.id]);
    expect(result.failed).toEqual([
      { id: 'big', retryable: false, error: expect.stringContaining('202 bytes, over maxMessageBytes 200') },
    ]);
  });

  it('a deadline already reached returns every item as failed retryable "deadline" without connecting', async () => {
    const receiver = track(await startSyslogReceiver({ transport: 'tcp' }));
    const sink = track(
      createSyslogSink({
        name: 'siem',
        transport: 'tcp',
        host: '127.0.0.1',
        port: receiver.port,
        logger: recordingLogger().logger,
      }),
    );
    const items = makeItems(3);

    const result = await sink.send(items, { deadlineMs: Date.now() - 1 });

    expect(result.delivered).toEqual([]);
    expect(result.failed.map((f) => f.id)).toEqual(items.map((i) => i.id));
    for (const f of result.failed) {
      expect(f.retryable).toBe(true);
      expect(f.error).toContain('deadline');
    }
    expect(receiver.connections).toBe(0);
    // The deadline is ours, not the collector's: it must not count towards opening the breaker.
    expect(sink.stats().breaker.consecutiveFailures).toBe(0);
  });

  it('an empty batch is a no-op', async () => {
    const sink = createSyslogSink({ name: 'siem', transport: 'tcp', host: '127.0.0.1', port: 9 });
    expect(await sink.send([], deadlineIn(1_000))).toEqual({ delivered: [], failed: [], bytes: 0 });
    expect(sink.stats().transport.connectAttempts).toBe(0);
  });
});

describe('createSyslogSink config validation', () => {
  const base: SyslogSinkConfig = { name: 'siem', transport: 'tls', host: 'syslog.example', port: 6514 };
  it.each<[string, Partial<SyslogSinkConfig> | Record<string, unknown>]>([
    ['name', { name: ' ' }],
    ['transport', { transport: 'http' }],
    ['host', { host: '' }],
    ['port', { port: 0 }],
    ['port', { port: 70_000 }],
    ['framing', { framing: 'nul' }],
    ['ca', { ca: 'not a pem' }],
    ['ca', { transport: 'tcp', ca: certs.ca }],
    ['servername', { servername: '10.0.0.1' }],
    ['connectTimeoutMs', { connectTimeoutMs: -5 }],
    ['connectTimeoutMs', { connectTimeoutMs: 99 }],
    ['connectTimeoutMs', { connectTimeoutMs: 60_001 }],
    ['writeTimeoutMs', { writeTimeoutMs: 120_001 }],
    ['relp.window', { transport: 'relp', relp: { window: 10_001 } }],
    ['writeTimeoutMs', { writeTimeoutMs: 1.5 }],
    ['maxIdleMs', { maxIdleMs: 0 }],
    ['maxDatagramBytes', { transport: 'udp', maxDatagramBytes: 70_000 }],
    ['maxMessageBytes', { maxMessageBytes: 0 }],
    ['breaker.failureThreshold', { breaker: { failureThreshold: 0 } }],
    ['breaker.coolDownMs', { breaker: { coolDownMs: -1 } }],
    ['logger', { logger: { info: () => undefined } }],
  ])('throws ConfigError naming %s', (setting, override) => {
    const create = () => createSyslogSink({ ...base, ...override } as SyslogSinkConfig);
    expect(create).toThrow(ConfigError);
    try {
      create();
    } catch (err) {
      expect((err as ConfigError).setting).toBe(setting);
    }
  });

  it('accepts a minimal valid config without connecting', () => {
    const sink = createSyslogSink(base);
    expect(sink.name).toBe('siem');
    expect(sink.stats().transport.connectAttempts).toBe(0);
  });
});
