/**
 * Streaming line reader with flat memory: splits a byte stream on LF without holding more than one
 * chunk plus one partial line. A line longer than `maxLineBytes` is reported (not buffered) and
 * skipped up to its LF.
 */
import type { Readable } from 'node:stream';

type LineEvent = { kind: 'line'; n: number; text: string } | { kind: 'toolong'; n: number; bytes: number };

async function* readLines(input: Readable, maxLineBytes: number): AsyncGenerator<LineEvent> {
  let carry: Buffer | null = null;
  let n = 0;
  let skipping = 0; // bytes of an over-long line being skipped, 0 when not skipping
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      n++;
      if (skipping) {
        yield { kind: 'toolong', n, bytes: skipping + nl - start };
        skipping = 0;
      } else {
        const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
        if (nl - start > maxLineBytes) yield { kind: 'toolong', n, bytes: nl - start };
        else yield { kind: 'line', n, text: buf.toString('utf8', start, end) };
      }
      start = nl + 1;
    }
    const rest = buf.length - start;
    if (skipping) skipping += rest;
    else if (rest > maxLineBytes) skipping = rest;
    else if (rest > 0) carry = buf.subarray(start);
    buf = Buffer.alloc(0);
  }
  if (skipping) yield { kind: 'toolong', n: n + 1, bytes: skipping };
  else if (carry && carry.length > 0) yield { kind: 'line', n: n + 1, text: carry.toString('utf8').replace(/\r$/, '') };
}

/** Buffered writer that honours backpressure (waits for 'drain'). */
class BufferedOut {
  private buf = '';
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly limit = 1 << 16,
  ) {}
  async write(s: string): Promise<void> {
    this.buf += s;
    if (this.buf.length >= this.limit) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf === '') return;
    const s = this.buf;
    this.buf = '';
    if (!this.out.write(s)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}

export type { LineEvent };
export { BufferedOut, readLines };
