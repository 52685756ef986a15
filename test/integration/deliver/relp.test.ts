/**
 * The RELP transport through the syslog sink, against the loopback RELP receiver double
 * (local/relp-receiver.ts) and against scripted servers that misbehave on purpose: the window, the
 * answers (200 and other codes), resend after a broken session, a stalled collector, the deadline,
 * hostile servers (garbage, huge lengths, answers to nothing), TLS verification, close. Real sockets
 * on 127.0.0.1 only. The same transport against real rsyslog imrelp is in test/interop and
 * test/faults.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RelpAnswer, type RelpReceiver, startRelpReceiver } from '../../../local/relp-receiver.js';
import { createSyslogSink, type SyslogSink, type SyslogSinkConfig } from '../../../shared/deliver/syslog/index.js';
import { encodeFrame, type RelpFrame, RelpFrameDecoder } from '../../../shared/deliver/syslog/relp-frame.js';
import { ConfigError } from '../../../shared/errors.js';
import { certs, countDuplicates, deadlineIn, makeItems, recordingLogger, sleep, waitUntil } from './loopback.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function receiver(options: Parameters<typeof startRelpReceiver>[0] = {}): Promise<RelpReceiver> {
  const rx = await startRelpReceiver(options);
  cleanup.push(() => rx.stop());
  return rx;
}

function relpSink(port: number, overrides: Partial<SyslogSinkConfig> = {}): SyslogSink {
  const sink = createSyslogSink({
    name: 'relp-siem',
    transport: 'relp',
    host: '127.0.0.1',
    port,
    relp: { tls: false },
    logger: recordingLogger().logger,
    writeTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    ...overrides,
  });
  cleanup.push(() => sink.close());
  return sink;
}

const relpStats = (sink: SyslogSink) =>
  sink.stats().transport as ReturnType<SyslogSink['stats']>['transport'] & {
    framesAcked: number;
    framesRejected: number;
    framesResent: number;
  };

/**
 * A RELP server scripted by the test: it answers `open` correctly (unless told otherwise) and
 * `close`, and hands every other frame to `onFrame`, which may write anything to the socket.
 */
async function scriptedServer(script: {
  open?: (socket: Socket, frame: RelpFrame) => void;
  onFrame?: (socket: Socket, frame: RelpFrame, index: number) => void;
}): Promise<{ port: number; frames: RelpFrame[]; server: Server }> {
  const frames: RelpFrame[] = [];
  const server = createServer((socket) => {
    const decoder = new RelpFrameDecoder();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.command === 'open') {
          if (script.open) script.open(socket, f);
          else socket.write(encodeFrame(f.txnr, 'rsp', '200 OK\nrelp_version=0\ncommands=syslog'));
          continue;
        }
        if (f.command === 'close') {
          socket.end(encodeFrame(f.txnr, 'rsp'));
          continue;
        }
        frames.push(f);
        script.onFrame?.(socket, f, frames.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.emit('close');
      }),
  );
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  return { port: address.port, frames, server };
}

describe('RELP transport: normal operation', () => {
  it.each([
    ['plain TCP', false],
    ['TLS', true],
  ])('over %s: every item is delivered after its 200 OK, in order, once', async (_name, tls) => {
    // Prepare
    const rx = await receiver(tls ? { tls: certs.server } : {});
    const sink = relpSink(rx.port, tls ? { relp: { tls: true }, ca: certs.ca, host: 'localhost' } : {});
    const items = makeItems(500, tls ? 'rt' : 'rp');

    // Act
    const result = await sink.send(items, deadlineIn(10_000));

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.delivered).toEqual(items.map((i) => i.id));
    expect(result.bytes).toBe(items.reduce((n, i) => n + Buffer.byteLength(i.payload), 0));
    expect(rx.messages).toEqual(items.map((i) => i.payload));
    expect(rx.sessions).toBe(1);
    expect(rx.errors).toEqual([]);
    expect(relpStats(sink)).toMatchObject({ framesAcked: 500, framesRejected: 0, framesResent: 0, connects: 1 });
  });

  it('reuses the session across sends and closes it with close / rsp / serverclose', async () => {
    // Prepare
    const rx = await receiver();
    const sink = relpSink(rx.port);

    // Act
    await sink.send(makeItems(10, 'a'), deadlineIn(5_000));
    await sink.send(makeItems(10, 'b'), deadlineIn(5_000));
    await sink.close();

    // Assess: one session, TXNRs continued across the sends (the receiver checks +1 per command)
    expect(rx.sessions).toBe(1);
    expect(rx.messages).toHaveLength(20);
    expect(rx.closes).toBe(1);
    expect(rx.errors).toEqual([]);
  });

  it('keeps at most `window` commands unanswered', async () => {
    // Prepare: a server that answers nothing until it holds 5 unanswered commands, then answers all
    const WINDOW = 5;
    let waiting: RelpFrame[] = [];
    let maxUnanswered = 0;
    const srv = await scriptedServer({
      onFrame: (socket, f) => {
        waiting.push(f);
        maxUnanswered = Math.max(maxUnanswered, waiting.length);
        if (waiting.length === WINDOW) {
          // a moment for a client that ignores its window to overrun it
          setTimeout(() => {
            socket.write(Buffer.concat(waiting.map((w) => encodeFrame(w.txnr, 'rsp', '200 OK'))));
            waiting = [];
          }, 30);
        }
      },
    });
    const sink = relpSink(srv.port, { relp: { tls: false, window: WINDOW } });
    const items = makeItems(4 * WINDOW, 'w');

    // Act
    const result = await sink.send(items, deadlineIn(5_000));

    // Assess
    expect(result.delivered).toHaveLength(items.length);
    expect(maxUnanswered).toBe(WINDOW);
    expect(srv.frames.map((f) => f.txnr)).toEqual(items.map((_, i) => i + 2)); // TXNR 1 was open
  });

  it('matches answers by TXNR: answers in reverse order, all in one read, still deliver everything', async () => {
    // Prepare
    const N = 8;
    const got: RelpFrame[] = [];
    const srv = await scriptedServer({
      onFrame: (socket, f) => {
        got.push(f);
        if (got.length === N)
          socket.write(Buffer.concat([...got].reverse().map((w) => encodeFrame(w.txnr, 'rsp', '200 OK'))));
      },
    });
    const sink = relpSink(srv.port, { relp: { tls: false, window: N } });

    // Act
    const result = await sink.send(makeItems(N, 'r'), deadlineIn(5_000));

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.delivered).toHaveLength(N);
  });

  it('ignores an unknown hint (TXNR 0) and keeps going', async () => {
    const srv = await scriptedServer({
      onFrame: (socket, f) => {
        socket.write(Buffer.concat([encodeFrame(0, 'futurehint', 'x'), encodeFrame(f.txnr, 'rsp', '200 OK')]));
      },
    });
    const { logger, entries } = recordingLogger();
    const sink = relpSink(srv.port, { logger });

    const result = await sink.send(makeItems(3, 'h'), deadlineIn(5_000));

    expect(result.delivered).toHaveLength(3);
    expect(entries.filter((e) => e.message === 'RELP hint ignored (unknown command)')).toHaveLength(3);
  });
});

describe('RELP transport: answers other than 200', () => {
  it('an item the collector refuses is failed for good with its reason; the others are delivered', async () => {
    // Prepare: the 3rd and 7th messages are refused
    const refuse: RelpAnswer = { code: 500, text: 'disk quota exceeded' };
    const rx = await receiver({ respond: (_m, i) => (i === 2 || i === 6 ? refuse : { code: 200, text: 'OK' }) });
    const { logger, entries } = recordingLogger();
    const sink = relpSink(rx.port, { logger });
    const items = makeItems(10, 'e');

    // Act
    const result = await sink.send(items, deadlineIn(5_000));

    // Assess
    expect(result.delivered).toEqual(items.filter((_, i) => i !== 2 && i !== 6).map((i) => i.id));
    expect(result.failed).toEqual([
      {
        id: 'e-2',
        error: 'relp-siem: collector refused the message: RELP rsp 500 disk quota exceeded',
        retryable: false,
      },
      {
        id: 'e-6',
        error: 'relp-siem: collector refused the message: RELP rsp 500 disk quota exceeded',
        retryable: false,
      },
    ]);
    expect(result.bytes).toBe(
      items.filter((_, i) => i !== 2 && i !== 6).reduce((n, i) => n + Buffer.byteLength(i.payload), 0),
    );
    expect(entries.filter((e) => e.message === 'syslog item refused by the collector')).toHaveLength(2);
    // the collector is up and answering: that is not a failure for the circuit breaker
    expect(sink.stats().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(relpStats(sink)).toMatchObject({ framesAcked: 8, framesRejected: 2 });
  });

  it('an open the collector refuses fails the batch (retryable) with the collector’s words', async () => {
    const srv = await scriptedServer({
      open: (socket, f) => socket.write(encodeFrame(f.txnr, 'rsp', '500 required command not supported by client')),
    });
    const sink = relpSink(srv.port);

    const result = await sink.send(makeItems(2, 'o'), deadlineIn(5_000));

    expect(result.delivered).toEqual([]);
    expect(result.failed.map((f) => [f.retryable, f.error])).toEqual([
      [true, expect.stringMatching(/RELP open refused by 127\.0\.0\.1:\d+: 500 required command not supported/)],
      [true, expect.stringMatching(/RELP open refused/)],
    ]);
    expect(sink.stats().breaker.consecutiveFailures).toBe(1);
  });

  it.each([
    ['without the syslog command', '200 OK\nrelp_version=0\ncommands=', /does not offer the syslog command/],
    ['without relp_version', '200 OK\ncommands=syslog', /no usable relp_version offer/],
    ['with an unknown relp_version', '200 OK\nrelp_version=7\ncommands=syslog', /got "7"/],
    ['with an empty answer', '', /RELP open refused by .*: empty answer/],
  ])('an open answer %s is refused: syslog commands are never sent', async (_n, data, message) => {
    const srv = await scriptedServer({ open: (socket, f) => socket.write(encodeFrame(f.txnr, 'rsp', data)) });
    const sink = relpSink(srv.port);

    const result = await sink.send(makeItems(1, 'v'), deadlineIn(5_000));

    expect(result.failed[0]?.error).toMatch(message);
    expect(srv.frames).toEqual([]);
  });
});

describe('RELP transport: broken sessions and resend', () => {
  it.each([
    ['reset (RST)', 'reset'],
    ['FIN without serverclose', 'end'],
    ['serverclose hint', 'serverclose'],
  ] as const)(
    '%s mid-batch: unanswered frames go out again on a new session; nothing lost, duplicates ≤ window',
    async (_name, mode) => {
      // Prepare: after the 30th message the receiver drops the session (once)
      let rx: RelpReceiver | undefined;
      let dropped = false;
      rx = await receiver({
        respond: (_m, i) => {
          if (i === 29 && !dropped) {
            dropped = true;
            rx?.dropConnections(mode);
          }
          return { code: 200, text: 'OK' };
        },
      });
      const WINDOW = 16;
      const { logger, entries } = recordingLogger();
      const sink = relpSink(rx.port, { logger, relp: { tls: false, window: WINDOW } });
      const items = makeItems(200, `d${mode}`);

      // Act
      const result = await sink.send(items, deadlineIn(10_000));

      // Assess
      expect(dropped).toBe(true);
      expect(result.failed).toEqual([]);
      expect(result.delivered).toHaveLength(200);
      expect(new Set(rx.messages)).toEqual(new Set(items.map((i) => i.payload)));
      expect(countDuplicates(rx.messages)).toBeLessThanOrEqual(WINDOW);
      expect(rx.sessions).toBe(2);
      expect(relpStats(sink).framesResent).toBeGreaterThan(0);
      expect(relpStats(sink).framesResent).toBeLessThanOrEqual(WINDOW);
      expect(entries.some((e) => e.message.startsWith('RELP session broke mid-batch; resending'))).toBe(true);
      expect(rx.errors.filter((e) => e.startsWith('RELP protocol violation'))).toEqual([]);
    },
  );

  it('collector killed mid-batch and not back: the answered prefix is delivered, the rest fails retryable', async () => {
    // Prepare
    let rx: RelpReceiver | undefined;
    rx = await receiver({
      respond: (_m, i) => {
        if (i === 49) void rx?.kill();
        return { code: 200, text: 'OK' };
      },
    });
    const sink = relpSink(rx.port, { relp: { tls: false, window: 8 } });
    const items = makeItems(120, 'k');

    // Act
    const result = await sink.send(items, deadlineIn(8_000));

    // Assess: exactly what was answered counts; the reconnect found nobody
    expect(result.delivered.length).toBeLessThan(50);
    expect(result.delivered).toEqual(items.slice(0, result.delivered.length).map((i) => i.id));
    expect(result.failed).toHaveLength(120 - result.delivered.length);
    for (const f of result.failed) {
      expect(f.retryable).toBe(true);
      expect(f.error).toMatch(/new session failed: connect to 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
    }

    // Act 2: the collector is back; SQS redelivers the failed ids
    await rx.restart();
    const retry = items.filter((i) => result.failed.some((f) => f.id === i.id));
    const second = await sink.send(retry, deadlineIn(8_000));

    // Assess 2
    expect(second.failed).toEqual([]);
    expect(new Set(rx.messages)).toEqual(new Set(items.map((i) => i.payload)));
  });

  it('a session the collector closed while idle is replaced before the next batch', async () => {
    const rx = await receiver();
    const { logger, entries } = recordingLogger();
    const sink = relpSink(rx.port, { logger });
    await sink.send(makeItems(3, 'i1'), deadlineIn(5_000));

    rx.dropConnections('serverclose');
    await waitUntil(() => entries.some((e) => e.message === 'RELP collector closed the session (serverclose)'), 2_000);
    const result = await sink.send(makeItems(3, 'i2'), deadlineIn(5_000));

    expect(result.delivered).toHaveLength(3);
    expect(entries.some((e) => e.message === 'RELP session replaced before batch')).toBe(true);
    expect(rx.sessions).toBe(2);
  });
});

describe('RELP transport: stalled collector and the deadline', () => {
  it('no answer within writeTimeoutMs: unanswered items fail retryable, the session is dropped', async () => {
    // Prepare: the collector answers the first 5 messages, then nothing
    const rx = await receiver({ respond: (_m, i) => (i < 5 ? { code: 200, text: 'OK' } : 'none') });
    const sink = relpSink(rx.port, { writeTimeoutMs: 300, relp: { tls: false, window: 10 } });
    const items = makeItems(30, 's');

    // Act
    const result = await sink.send(items, deadlineIn(10_000));

    // Assess
    expect(result.delivered).toEqual(items.slice(0, 5).map((i) => i.id));
    expect(result.failed).toHaveLength(25);
    expect(result.failed[0]?.retryable).toBe(true);
    expect(result.failed[0]?.error).toMatch(/no RELP acknowledgements within 300 ms \(collector stalled\)/);
    // never more than the window went out unanswered: the collector holds at most `window` duplicates-to-be
    expect(rx.unanswered.length).toBeGreaterThan(0);
    expect(rx.unanswered.length).toBeLessThanOrEqual(10);
    expect(sink.stats().breaker.consecutiveFailures).toBe(1);
  });

  it('the deadline ends the batch: it returns by the deadline with the unanswered items retryable', async () => {
    const rx = await receiver({ respond: () => 'none' });
    const sink = relpSink(rx.port, { writeTimeoutMs: 30_000 });
    const deadline = deadlineIn(400);

    const result = await sink.send(makeItems(5, 'dl'), deadline);

    // the guarantee: the promise settled after the deadline passed, not at the 30 s stall timeout
    expect(Date.now()).toBeGreaterThanOrEqual(deadline.deadlineMs);
    expect(result.failed).toHaveLength(5);
    expect(result.failed[0]?.error).toMatch(
      /^relp-siem: deadline: deadline reached while waiting for RELP acknowledgements/,
    );
    // the deadline is ours, not the collector's fault
    expect(sink.stats().breaker.consecutiveFailures).toBe(0);
  });

  it('a server that never answers open fails within connectTimeoutMs', async () => {
    const srv = await scriptedServer({ open: () => undefined });
    const sink = relpSink(srv.port, { connectTimeoutMs: 300 });

    const result = await sink.send(makeItems(1, 'n'), deadlineIn(10_000));

    expect(result.failed[0]?.error).toMatch(/timeout after 300 ms waiting for the answer to open/);
  });

  it('backpressure: a collector that stops reading makes the sender wait for drain, then everything arrives', async () => {
    // Prepare: big messages and a wide window so the kernel buffers fill before the window does
    const rx = await receiver();
    const sink = relpSink(rx.port, { relp: { tls: false, window: 2_000 }, writeTimeoutMs: 10_000 });
    await sink.send(makeItems(1, 'warm'), deadlineIn(5_000));
    rx.pause();
    const items = makeItems(1_500, 'bp', 30_000);

    // Act
    const sending = sink.send(items, deadlineIn(20_000));
    await waitUntil(() => sink.stats().transport.drainWaits > 0, 10_000, 'a drain wait');
    await sleep(100);
    rx.resume();
    const result = await sending;

    // Assess
    expect(result.failed).toEqual([]);
    expect(rx.messages).toHaveLength(1_501);
  });
});

describe('RELP transport: hostile servers', () => {
  it.each([
    ['garbage', () => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /expected a digit of TXNR, got 'H'/],
    ['a huge length', () => Buffer.from('2 rsp 999999999 '), /DATALEN 999999999 over the limit/],
    ['an answer to no command', () => encodeFrame(77, 'rsp', '200 OK'), /rsp for TXNR 77, which has no command/],
    ['a command (servers only answer)', () => encodeFrame(5, 'syslog', 'hi'), /server sent command "syslog"/],
    ['a bad rsp code', (f: RelpFrame) => encodeFrame(f.txnr, 'rsp', 'OK'), /rsp data does not start with a 3-digit/],
    [
      'never-ending data',
      () => Buffer.concat([Buffer.from('2 rsp 131072 '), Buffer.alloc(200_000, 0x41)]),
      /expected LF after 131072 octets/,
    ],
  ])(
    '%s: the session is dropped with a clear protocol error, items fail retryable, no crash',
    async (_name, reply, message) => {
      // Prepare
      const srv = await scriptedServer({ onFrame: (socket, f, i) => i === 0 && socket.write(reply(f)) });
      const { logger, entries } = recordingLogger();
      const sink = relpSink(srv.port, { logger });

      // Act
      const result = await sink.send(makeItems(3, 'x'), deadlineIn(5_000));

      // Assess
      expect(result.delivered).toEqual([]);
      expect(result.failed).toHaveLength(3);
      for (const f of result.failed) {
        expect(f.retryable).toBe(true);
        expect(f.error).toMatch(message);
      }
      const logged = entries.find((e) => e.message === 'RELP collector broke the protocol; dropping the session');
      expect(String(logged?.extra?.error)).toMatch(message);
      // a protocol error is not retried on a new session within the batch, and counts for the breaker
      expect(sink.stats().transport.connects).toBe(1);
      expect(sink.stats().breaker.consecutiveFailures).toBe(1);
    },
  );
});

describe('RELP transport: TLS and configuration', () => {
  it('verifies the collector certificate: an unknown CA fails the handshake, nothing is sent', async () => {
    const rx = await receiver({ tls: certs.server });
    const sink = relpSink(rx.port, { relp: { tls: true }, ca: certs.otherCa, host: 'localhost' });

    const result = await sink.send(makeItems(2, 't'), deadlineIn(5_000));

    expect(result.failed[0]?.error).toMatch(/TLS certificate verification failed for localhost:\d+/);
    expect(rx.sessions).toBe(0);
  });

  it('TLS is the default for transport relp', async () => {
    const rx = await receiver();
    const sink = relpSink(rx.port, { relp: {} });

    const result = await sink.send(makeItems(1, 'p'), deadlineIn(3_000));

    // a TLS ClientHello sent to a plain RELP server
    expect(result.failed[0]?.error).toMatch(/RELP|TLS|connect/);
    expect(rx.messages).toEqual([]);
  });

  it.each([
    [{ relp: { tls: false }, ca: certs.ca }, /ca: only applies to transport 'tls' or 'relp' with TLS/],
    [{ relp: { tls: false }, servername: 'collector.corp' }, /servername: only applies/],
    [{ relp: { window: 0 } }, /relp.window: must be an integer 1–10000/],
    [{ relp: { window: 10_001 } }, /relp.window/],
    [{ transport: 'tls' as const, relp: { tls: true } }, /relp: only applies to transport 'relp'/],
  ])('refuses %j', (overrides, message) => {
    expect(() =>
      createSyslogSink({ name: 'x', transport: 'relp', host: '127.0.0.1', port: 2514, ...overrides }),
    ).toThrow(ConfigError);
    expect(() =>
      createSyslogSink({ name: 'x', transport: 'relp', host: '127.0.0.1', port: 2514, ...overrides }),
    ).toThrow(message);
  });

  it('keeps the size budget: an item over maxMessageBytes fails for good before anything is sent', async () => {
    const rx = await receiver();
    const sink = relpSink(rx.port, { maxMessageBytes: 200 });
    const items = [...makeItems(1, 'ok'), ...makeItems(1, 'big', 300)];

    const result = await sink.send(items, deadlineIn(3_000));

    expect(result.delivered).toEqual(['ok-0']);
    expect(result.failed).toEqual([
      { id: 'big-0', error: expect.stringMatching(/over maxMessageBytes 200/), retryable: false },
    ]);
  });
});
