import { afterEach, describe, expect, it } from 'vitest';
import type { SyslogReceiver } from '../../../local/syslog-receiver.js';
import type { SyslogSink } from '../../../shared/deliver/syslog/index.js';
import { deadlineIn, makeItems, recordingLogger, sleep, startTlsReceiver, tlsSinkTo } from './loopback.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(maxIdleMs?: number): Promise<{ receiver: SyslogReceiver; sink: SyslogSink }> {
  const receiver = await startTlsReceiver();
  cleanup.push(() => receiver.stop());
  const sink = tlsSinkTo(receiver.port, {
    logger: recordingLogger().logger,
    ...(maxIdleMs === undefined ? {} : { maxIdleMs }),
  });
  cleanup.push(() => sink.close());
  return { receiver, sink };
}

describe('idle connection dropped between sends', () => {
  it.each([
    ['end', 20],
    ['reset', 20],
    // No pause: the close may still be in flight when the batch starts; either the pre-batch check or
    // the mid-batch reconnect must cover it.
    ['end', 0],
    ['reset', 0],
  ] as const)(
    'collector closes the idle connection (%s, next send after %i ms): the next send reconnects and delivers everything',
    async (mode, pauseMs) => {
      // Prepare
      const { receiver, sink } = await setup();
      const first = await sink.send(makeItems(5, 'a'), deadlineIn(3_000));
      await receiver.waitFor(5, 2_000);

      // Act: the NLB/collector drops the idle flow (FIN or RST), then the next invocation sends
      receiver.dropConnections(mode);
      if (pauseMs > 0) await sleep(pauseMs);
      const second = await sink.send(makeItems(5, 'b'), deadlineIn(3_000));
      await receiver.waitFor(10, 2_000);

      // Assess
      expect(first.delivered).toHaveLength(5);
      expect(second.failed).toEqual([]);
      expect(second.delivered).toHaveLength(5);
      expect(receiver.connections).toBe(2);
      const expected = [...makeItems(5, 'a'), ...makeItems(5, 'b')].map((i) => i.payload);
      expect(new Set(receiver.messages)).toEqual(new Set(expected));
      if (pauseMs > 0) expect(receiver.messages).toEqual(expected);
      expect(sink.stats().transport.connects).toBe(2);
    },
  );

  it('a connection idle longer than maxIdleMs is replaced before the batch (a frozen Lambda never saw the NLB drop it)', async () => {
    const { receiver, sink } = await setup(50);
    await sink.send(makeItems(2, 'a'), deadlineIn(3_000));

    await sleep(80);
    const second = await sink.send(makeItems(2, 'b'), deadlineIn(3_000));
    await receiver.waitFor(4, 2_000);

    expect(second.delivered).toHaveLength(2);
    expect(receiver.connections).toBe(2);
    expect(sink.stats().transport.reconnects).toBe(1);
    expect(receiver.errors).toEqual([]);
  });

  it('within maxIdleMs the connection is kept', async () => {
    const { receiver, sink } = await setup(10_000);
    await sink.send(makeItems(2, 'a'), deadlineIn(3_000));
    await sleep(30);
    await sink.send(makeItems(2, 'b'), deadlineIn(3_000));
    await receiver.waitFor(4, 2_000);
    expect(receiver.connections).toBe(1);
  });
});
