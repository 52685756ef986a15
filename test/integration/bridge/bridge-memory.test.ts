/**
 * Memory amplification: many connections dripping one byte per TCP segment. The bridge keeps each
 * partial message in one buffer (doubling from 256 bytes, plus a counted per-buffer overhead of
 * BUFFER_OVERHEAD), so what it holds is bounded by what the peers sent, and all of it by the
 * partial-frame budget. The bound is asserted on the bridge's own accounting (exact); RSS is
 * measured by `npm run bench` in a child process, not asserted here.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BUFFER_OVERHEAD } from '../../../bridge/framing.js';
import { bridgeHarness, waitFor } from '../tools/helpers.js';

const h = bridgeHarness('bridge-mem-', { tcp: [{ host: '127.0.0.1', port: 0 }], logIntervalMs: 1_000 });

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      s.off('error', reject);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
  });
}

const line = (k: number, bytes: number): Buffer => {
  const head = `<13>1 2026-01-19T10:41:00Z vault-01 senhasegura 1426 - drip c=${k} `;
  return Buffer.from(head.padEnd(bytes, 'd'));
};

/** Write byte i of every line to its connection, one segment each, then yield to the loop. */
async function drip(socks: Socket[], lines: Buffer[], from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    for (let k = 0; k < socks.length; k++) (socks[k] as Socket).write((lines[k] as Buffer).subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
}

/** capacity of a partial buffer holding `filled` bytes: 256 doubled until it fits (framing.ts) */
const capacity = (filled: number): number => {
  let c = 256;
  while (c < filled) c *= 2;
  return c;
};

describe('bridge: memory under a 1-byte drip', () => {
  it.each([
    [64, 1_500],
    [256, 600],
  ])(
    '%i connections dripping %i bytes each hold exactly one buffer each, within the bound',
    async (conns, bytes) => {
      // Prepare
      const url = await h.sqs.queue('segura-ingest');
      // (a drip this long would be closed as stalled by the default 30 s frame timeout on a busy machine)
      const { b, port } = await h.start(url, { maxConnectionsPerSource: 256, frameTimeoutMs: 600_000 });
      const socks = await Promise.all(Array.from({ length: conns }, () => open(port('tcp'))));
      const lines = Array.from({ length: conns }, (_, k) => line(k, bytes));

      // Act: every byte but the last LF, one per segment
      await drip(socks, lines, 0, bytes);
      await waitFor(
        () => (b.status().partialBytes as number) === conns * (capacity(bytes) + BUFFER_OVERHEAD),
        10_000,
        'every connection holding its whole partial line',
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(b.status())}`);
      });

      // Assess: the attack happened (mostly 1-byte reads: a round of writes can coalesce under load)
      expect(b.listenerStats().streamReads).toBeGreaterThan((conns * bytes) / 2);
      // one buffer per connection, sized by what arrived (not one Buffer per 1-byte read)
      const held = b.status().partialBytes as number;
      expect(held).toBe(conns * (capacity(bytes) + BUFFER_OVERHEAD));
      // the documented bound: per connection at most 2 × received + 512, all within the budget
      expect(held).toBeLessThanOrEqual(conns * (2 * bytes + BUFFER_OVERHEAD));
      expect(b.status().partialBytesPeak).toBe(held);
      expect(held).toBeLessThanOrEqual(16 * 2 ** 20);

      // the lines complete: every message arrives whole, and the memory is given back
      for (const s of socks) s.write('\n');
      await waitFor(() => b.bridge.counters.sent === conns, 15_000, 'all lines sent');
      const got = await h.sqs.drain(url, conns, 10_000);
      expect(got.map((m) => m.Body).sort()).toEqual(lines.map((l) => l.toString()).sort());
      expect(b.status().partialBytes).toBe(0);
      for (const s of socks) s.destroy();
    },
    120_000,
  );

  it('a budget smaller than the drip needs: frames over it are dropped and counted, the rest arrive, never more held', async () => {
    const url = await h.sqs.queue('segura-ingest');
    const budget = 150_000;
    const { b, rec, port } = await h.start(url, {
      maxConnectionsPerSource: 256,
      partialBudgetBytes: budget,
      frameTimeoutMs: 600_000,
    });
    const conns = 256;
    const socks = await Promise.all(Array.from({ length: conns }, () => open(port('tcp'))));
    const lines = Array.from({ length: conns }, (_, k) => line(k, 600));
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, b.status().partialBytes as number);
    }, 5);
    try {
      await drip(socks, lines, 0, 600);
      for (const s of socks) s.write('\n');
      await waitFor(
        () => b.bridge.counters.sent + b.bridge.counters.droppedOverBudget === conns,
        20_000,
        'every line sent or counted',
      );
    } finally {
      clearInterval(sampler);
    }
    const c = b.bridge.counters;
    expect(c.droppedOverBudget).toBeGreaterThan(0);
    expect(c.sent).toBeGreaterThan(0);
    expect(c.sent + c.droppedOverBudget).toBe(conns);
    expect(peak).toBeLessThanOrEqual(budget);
    expect(b.status().partialBytesPeak).toBeLessThanOrEqual(budget);
    expect(rec.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'partial-message memory budget exhausted: message dropped (see --partial-budget-bytes)',
      }),
    );
    const got = await h.sqs.drain(url, c.sent, 10_000);
    expect(got).toHaveLength(c.sent);
    for (const s of socks) s.destroy();
  }, 120_000);
});
