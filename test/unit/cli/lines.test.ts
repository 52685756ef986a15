/**
 * The one line reader (cli/lines.ts): what a line is, how lines are numbered, what is announced
 * about UTF-16 or binary input, and the cap on repeated errors.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectEncoding, LineErrors, type LineEvent, readLines } from '../../../cli/lines.js';

async function collect(chunks: readonly (Buffer | string)[], max = 1000): Promise<LineEvent[]> {
  const out: LineEvent[] = [];
  for await (const ev of readLines(Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))), max))
    out.push(ev);
  return out;
}

describe('readLines', () => {
  it('LF ends a line, CRLF is one ending, a lone CR stays in the line, blank lines keep their number', async () => {
    const evs = await collect(['a\r\nb\rc\n\n', 'd\r']);
    expect(evs).toEqual([
      { kind: 'line', n: 1, text: 'a', bytes: 1 },
      { kind: 'line', n: 2, text: 'b\rc', bytes: 3 },
      { kind: 'line', n: 3, text: '', bytes: 0 },
      { kind: 'line', n: 4, text: 'd', bytes: 1 },
    ]);
  });

  it('drops a UTF-8 byte order mark at the start only', async () => {
    const evs = await collect([Buffer.from([0xef, 0xbb, 0xbf]), 'x\n\ufeffy\n']);
    expect(evs.map((e) => (e.kind === 'line' ? e.text : e.kind))).toEqual(['x', '\ufeffy']);
  });

  it('reports an over-long line by number and goes on', async () => {
    const evs = await collect([`ok\n${'x'.repeat(50)}`, `${'y'.repeat(50)}\nnext\n`], 60);
    expect(evs).toEqual([
      { kind: 'line', n: 1, text: 'ok', bytes: 2 },
      { kind: 'toolong', n: 2, bytes: 100 },
      { kind: 'line', n: 3, text: 'next', bytes: 4 },
    ]);
  });

  it('gives the same lines whatever the chunking (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'é', '\r', '\n', '\r\n', 'xyz'), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (parts, cuts) => {
          const whole = Buffer.from(parts.join(''));
          const chunks: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < whole.length; i++) {
            const len = cuts[i % cuts.length] as number;
            chunks.push(whole.subarray(at, at + len));
            at += len;
          }
          const a = await collect([whole]);
          const b = await collect(chunks);
          expect(b).toEqual(a);
          // the numbering is what `sed -n Np` shows: LF-separated, a final CR dropped
          const expected = whole.toString('utf8').split('\n');
          if (expected.at(-1) === '') expected.pop();
          expect(a.map((e) => (e.kind === 'line' ? e.text : '?'))).toEqual(expected.map((l) => l.replace(/\r$/, '')));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('announces UTF-16 and binary input once, before the first line; reads UTF-16 as UTF-16', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"id":"1"}\r\n{"id":"é"}\n', 'utf16le')]);
    // cut inside a character: the decoder keeps the half for the next chunk
    const evs = await collect([utf16.subarray(0, 5), utf16.subarray(5)]);
    expect(evs).toEqual([
      { kind: 'encoding', encoding: 'UTF-16LE', evidence: 'byte order mark FF FE' },
      { kind: 'line', n: 1, text: '{"id":"1"}', bytes: 10 },
      { kind: 'line', n: 2, text: '{"id":"é"}', bytes: 11 },
    ]);
    expect(detectEncoding(Buffer.from('{"id":"1"}\n', 'utf16le'))?.encoding).toBe('UTF-16LE');
    expect(detectEncoding(Buffer.from('\0{\0"\0i\0d', 'latin1'))?.encoding).toBe('UTF-16BE');
    expect(detectEncoding(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]))?.encoding).toBe('binary');
    expect(detectEncoding(Buffer.from([0xc3, 0x28, 0x41]))?.encoding).toBe('binary');
    // UTF-8 text, including a multi-byte character cut at the end of the sample, is text
    expect(detectEncoding(Buffer.from('José\n').subarray(0, 4))).toBeNull();
  });
});

describe('LineErrors', () => {
  it('prints the first N of each kind, then one "… and M more like this" line per kind', () => {
    const out: string[] = [];
    const e = new LineErrors((s) => out.push(s), 3);
    for (let n = 1; n <= 10; n++) e.report(n, `invalid JSON at position ${n * 7}`);
    e.report(11, 'no id');
    e.finish();
    expect(e.count).toBe(11);
    expect(out).toEqual([
      'line 1: invalid JSON at position 7\n',
      'line 2: invalid JSON at position 14\n',
      'line 3: invalid JSON at position 21\n',
      'line 11: no id\n',
      '… and 7 more like this (lines 4–10): invalid JSON at position 70\n',
    ]);
  });
});
