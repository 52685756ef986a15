/** Helpers for the bridge spool tests. */
import type { Spool } from '../../bridge/spool.js';

/** Read and acknowledge everything the spool holds; the bodies in order (bounded: 10,000 reads). */
async function drain(s: Spool): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const b = await s.read(10, 1 << 20);
    if (b.records.length === 0) return out;
    out.push(...b.records.map((r) => r.body));
    await s.ack(b);
  }
  throw new Error('drain did not end');
}

export { drain };
