/**
 * The one line reader of every command that reads events from a file or stdin (`render`, `send`,
 * `alerts test`, `npm start -- --events`), so that they agree on what a line is and on its number:
 *
 * - a line ends at LF; a CRLF ending is one line ending (the CR is dropped); a CR anywhere else
 *   (a lone CR) is part of the line: the parsers turn it into a space or an escape, it never
 *   splits an event in two;
 * - lines are numbered from 1 and every LF counts, blank lines included (callers skip blank lines
 *   but keep the numbering), so `line N` is what `sed -n Np FILE` shows;
 * - a UTF-8 byte order mark at the very start is dropped;
 * - streaming with flat memory: no more than one chunk plus one partial line is held; a line longer
 *   than `maxLineBytes` is reported (not buffered) and skipped up to its LF.
 *
 * The first bytes are checked once and what they show is announced by one `encoding` event before
 * the first line, so a command says it once instead of failing every line with a puzzling reason:
 * UTF-16 (a byte order mark, or a NUL at every other byte: what Windows tools often write) is
 * decoded to UTF-8 and read as usual (same lines, same numbers); binary data (NULs, or bytes that
 * are not UTF-8) is read as is, and each line then fails with its own number.
 */
import type { Readable } from 'node:stream';

type LineEvent =
  | { kind: 'line'; n: number; text: string; bytes: number }
  | { kind: 'toolong'; n: number; bytes: number }
  | { kind: 'encoding'; encoding: DetectedEncoding; evidence: string };

type DetectedEncoding = 'UTF-16LE' | 'UTF-16BE' | 'binary';

/** How many bytes of the input are looked at to tell UTF-8 text from UTF-16 or binary data. */
const SNIFF_BYTES = 8192;

/**
 * UTF-16 or binary data, judged on the first bytes of the input; null when they are (possibly
 * truncated) UTF-8 text. NUL never occurs in a vault event, and valid UTF-8 is what every format
 * reads (docs/formats.md).
 */
function detectEncoding(head: Buffer): { encoding: DetectedEncoding; evidence: string } | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe)
    return { encoding: 'UTF-16LE', evidence: 'byte order mark FF FE' };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff)
    return { encoding: 'UTF-16BE', evidence: 'byte order mark FE FF' };
  const b = head.subarray(0, SNIFF_BYTES);
  let nulEven = 0;
  let nulOdd = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 0) continue;
    if (i % 2 === 0) nulEven++;
    else nulOdd++;
  }
  const half = b.length / 2;
  if (half >= 2 && nulOdd >= half * 0.9 && nulEven === 0)
    return { encoding: 'UTF-16LE', evidence: 'a NUL after every other byte, no byte order mark' };
  if (half >= 2 && nulEven >= half * 0.9 && nulOdd === 0)
    return { encoding: 'UTF-16BE', evidence: 'a NUL before every other byte, no byte order mark' };
  if (nulEven + nulOdd > 0)
    return { encoding: 'binary', evidence: `${nulEven + nulOdd} NUL byte(s) in the first ${b.length}` };
  try {
    // stream: true accepts a multi-byte character cut at the end of the sample
    new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
  } catch (e) {
    // the fatal decoder's only failure (a TypeError) is invalid UTF-8: that is the answer here
    if (!(e instanceof TypeError)) throw e;
    return { encoding: 'binary', evidence: `bytes that are not UTF-8 in the first ${b.length}` };
  }
  return null;
}

/** The one message every command prints for an `encoding` event. */
function encodingMessage(e: { encoding: DetectedEncoding; evidence: string }): string {
  if (e.encoding === 'binary')
    return `input looks like binary data (${e.evidence}), not UTF-8 text with one event per line: every line is still read, and each that fails is reported`;
  return `input is ${e.encoding} (${e.evidence}), not UTF-8: read as ${e.encoding} (to convert the file: iconv -f ${e.encoding} -t UTF-8)`;
}

/** UTF-16 chunks → UTF-8 buffers (a character split between chunks is kept for the next one). */
async function* fromUtf16(input: AsyncIterable<Buffer>, encoding: 'UTF-16LE' | 'UTF-16BE'): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding.toLowerCase(), { ignoreBOM: false });
  for await (const chunk of input) yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
  const rest = decoder.decode();
  if (rest !== '') yield Buffer.from(rest, 'utf8');
}

/** Bytes of the input, with the first chunk looked at (and UTF-16 decoded) before any line is split. */
async function* sniffed(
  input: AsyncIterable<Buffer | string>,
  onEncoding: (e: { encoding: DetectedEncoding; evidence: string }) => void,
): AsyncGenerator<Buffer> {
  const it = (async function* () {
    for await (const c of input) yield typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
  })();
  const first = await it.next();
  if (first.done) return;
  const enc = detectEncoding(first.value);
  if (enc) onEncoding(enc);
  const all = (async function* () {
    yield first.value;
    yield* it;
  })();
  if (enc && enc.encoding !== 'binary') yield* fromUtf16(all, enc.encoding);
  else yield* all;
}

async function* readLines(input: Readable | NodeJS.ReadableStream, maxLineBytes: number): AsyncGenerator<LineEvent> {
  let carry: Buffer | null = null;
  let n = 0;
  let skipping = 0; // bytes of an over-long line being skipped, 0 when not skipping
  let first = true;
  let announced: { encoding: DetectedEncoding; evidence: string } | null = null;
  for await (const chunk of sniffed(input as AsyncIterable<Buffer | string>, (e) => {
    announced = e;
  })) {
    let buf: Buffer = chunk;
    if (announced) {
      yield { kind: 'encoding', ...(announced as { encoding: DetectedEncoding; evidence: string }) };
      announced = null;
    }
    if (first) {
      first = false;
      // a UTF-8 byte order mark (or the UTF-16 one, decoded to U+FEFF) is not part of the first line
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (carry) buf = Buffer.concat([carry, buf]);
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
        if (end - start > maxLineBytes) yield { kind: 'toolong', n, bytes: end - start };
        else yield { kind: 'line', n, text: buf.toString('utf8', start, end), bytes: end - start };
      }
      start = nl + 1;
    }
    const rest = buf.length - start;
    if (skipping) skipping += rest;
    else if (rest > maxLineBytes + 1) skipping = rest;
    else if (rest > 0) carry = buf.subarray(start);
  }
  if (skipping) yield { kind: 'toolong', n: n + 1, bytes: skipping };
  else if (carry && carry.length > 0) {
    // the last line has no LF: a final CR is its line ending all the same
    const end = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
    if (end > maxLineBytes) yield { kind: 'toolong', n: n + 1, bytes: end };
    else yield { kind: 'line', n: n + 1, text: carry.toString('utf8', 0, end), bytes: end };
  }
}

/**
 * Per-line errors on stderr as `line N: reason`, with a cap on repeated ones: after `cap` errors
 * of one kind (the reason with its numbers masked, so `position 12` and `position 40` are one
 * kind), the rest are counted and `finish()` prints `… and 391 more like this (lines 10–400)`.
 * Every error is counted in `count` whether printed or not.
 */
class LineErrors {
  count = 0;
  private readonly kinds = new Map<
    string,
    { printed: number; more: number; first: number; last: number; sample: string }
  >();
  constructor(
    private readonly write: (s: string) => void,
    private readonly cap = 10,
  ) {}

  report(n: number, reason: string): void {
    this.count++;
    const key = reason.replace(/\d+/g, '#');
    let k = this.kinds.get(key);
    if (k === undefined) {
      k = { printed: 0, more: 0, first: 0, last: 0, sample: reason };
      this.kinds.set(key, k);
    }
    if (k.printed < this.cap) {
      k.printed++;
      this.write(`line ${n}: ${reason}\n`);
      return;
    }
    if (k.more === 0) k.first = n;
    k.more++;
    k.last = n;
    k.sample = reason;
  }

  /** The "… and N more like this" lines; call once at the end. */
  finish(): void {
    for (const k of this.kinds.values()) {
      if (k.more === 0) continue;
      const lines = k.more === 1 ? `line ${k.first}` : `lines ${k.first}–${k.last}`;
      this.write(`… and ${k.more} more like this (${lines}): ${k.sample}\n`);
    }
  }
}

/**
 * The one wording for an input line too large to send: the relay takes at most `limit` bytes per
 * message (normalize's input limit, which `send` and `npm start` check before sending).
 */
function tooLongMessage(bytes: number, limit: number): string {
  return `${bytes} bytes exceeds the ${limit}-byte limit of one message: not sent`;
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

export type { DetectedEncoding, LineEvent };
export { BufferedOut, detectEncoding, encodingMessage, LineErrors, readLines, tooLongMessage };
