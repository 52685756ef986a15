/**
 * The bridge's receiving deframer: per-frame auto-detection (octet counting vs LF, as rsyslog's
 * imtcp), bounded memory, and never losing sync.
 */
import { describe, expect, it } from 'vitest';
import {
  BUFFER_OVERHEAD,
  datagramMessage,
  type FrameEvent,
  PartialFrameBudget,
  SyslogStreamDeframer,
} from '../../../bridge/framing.js';

const SEED = '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado com sucesso.';
const octet = (m: string): string => `${Buffer.byteLength(m, 'utf8')} ${m}`;

function decode(chunks: Buffer[], max = 65_536): FrameEvent[] {
  const d = new SyslogStreamDeframer(max);
  const out: FrameEvent[] = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.end());
  return out;
}

const messages = (evs: FrameEvent[]): string[] =>
  evs.flatMap((e) => (e.kind === 'message' ? [e.body.toString('utf8')] : []));

/** the same stream cut into every chunking from 1-byte pieces to the whole */
function chunkings(stream: Buffer): Buffer[][] {
  const out: Buffer[][] = [[stream]];
  for (const size of [1, 2, 3, 7, 16]) {
    const parts: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) parts.push(stream.subarray(i, i + size));
    out.push(parts);
  }
  return out;
}

describe('SyslogStreamDeframer', () => {
  it('decodes octet-counted, LF and mixed frames identically whatever the chunking', () => {
    // Prepare: the seed's exact line octet-counted, a CEF line LF-framed, multi-byte text both ways
    const stream = Buffer.from(
      `${octet(SEED)}CEF:0|MT4|Segura|3|1|Senha visualizada|5|suser=jsilva\n${octet('<13>1 - José 😀\nline2')}<14>1 - LF José\r\n\n`,
      'utf8',
    );
    for (const parts of chunkings(stream)) {
      // Act
      const evs = decode(parts);
      // Assess: octet counting keeps an embedded LF; CRLF loses its CR; the blank line is a keep-alive
      expect(messages(evs)).toEqual([
        SEED,
        'CEF:0|MT4|Segura|3|1|Senha visualizada|5|suser=jsilva',
        '<13>1 - José 😀\nline2',
        '<14>1 - LF José',
      ]);
      expect(evs.map((e) => (e.kind === 'message' ? e.framing : e.kind))).toEqual(['octet', 'lf', 'octet', 'lf']);
    }
  });

  it('reads digits not followed by SP as the start of an LF line (nothing is lost)', () => {
    // ("2026 is…" would be a MSG-LEN: digits + SP is octet counting by definition, as for rsyslog)
    const evs = decode([Buffer.from('2026-01-19 a legacy line\n1234567890123 too many digits\n42')]);
    expect(messages(evs)).toEqual(['2026-01-19 a legacy line', '1234567890123 too many digits', '42']);
  });

  it('skips an oversize octet frame without buffering it and stays in sync', () => {
    const big = `<13>1 - ${'x'.repeat(200)}`;
    for (const parts of chunkings(Buffer.from(`${octet(big)}${octet('<13>1 - after')}`))) {
      const evs = decode(parts, 100);
      expect(evs).toEqual([
        expect.objectContaining({ kind: 'oversize', announced: Buffer.byteLength(big), framing: 'octet' }),
        expect.objectContaining({ kind: 'message', framing: 'octet' }),
      ]);
      expect(messages(evs)).toEqual(['<13>1 - after']);
    }
  });

  it('reports an oversize octet frame when its MSG-LEN arrives, with the bytes received, never again', () => {
    // the attack: announce 999,999,999 bytes, send 200, then hold the connection
    const d = new SyslogStreamDeframer(65_536);
    expect(d.push(Buffer.from(`999999999 ${'a'.repeat(200)}`))).toEqual([
      { kind: 'oversize', bytes: 200, announced: 999_999_999, framing: 'octet' },
    ]);
    expect(d.push(Buffer.alloc(5_000, 0x61))).toEqual([]);
    expect(d.held).toBe(0);
    // the peer closes: already reported, nothing more
    expect(d.end()).toEqual([]);
  });

  it('skips an oversize LF line up to its LF and stays in sync', () => {
    const big = `<13>1 - ${'y'.repeat(300)}`;
    for (const parts of chunkings(Buffer.from(`${big}\n<13>1 - next\n`))) {
      const evs = decode(parts, 100);
      // reported as soon as it passes the limit, with what was received by then
      expect(evs[0]).toEqual({ kind: 'oversize', bytes: expect.any(Number), framing: 'lf' });
      const bytes = (evs[0] as { bytes: number }).bytes;
      expect(bytes).toBeGreaterThan(101);
      expect(bytes).toBeLessThanOrEqual(big.length);
      expect(messages(evs)).toEqual(['<13>1 - next']);
    }
  });

  it('accepts a line of exactly the limit, with or without CR', () => {
    const exact = `<13>1 ${'z'.repeat(94)}`;
    expect(Buffer.byteLength(exact)).toBe(100);
    expect(messages(decode([Buffer.from(`${exact}\r\n${exact}\n`)], 100))).toEqual([exact, exact]);
    expect(messages(decode([Buffer.from(`${octet(exact)}`)], 100))).toEqual([exact]);
  });

  it('at end of stream: an unterminated line is a message, a cut octet frame is reported', () => {
    expect(messages(decode([Buffer.from(SEED)]))).toEqual([SEED]);
    const d = new SyslogStreamDeframer(1024);
    expect(d.push(Buffer.from('50 <13>1 - only part'))).toEqual([]);
    expect(d.idle).toBe(false);
    expect(d.end()).toEqual([{ kind: 'truncated', bytes: 17, expected: 50 }]);
    expect(d.idle).toBe(true);
  });

  it('keeps a partial frame in one buffer: 1-byte reads cost the bytes held, not a buffer per read', () => {
    const budget = new PartialFrameBudget(Number.POSITIVE_INFINITY);
    const d = new SyslogStreamDeframer(65_536, budget);
    const line = Buffer.from(`<13>1 - ${'d'.repeat(4_992)}`);
    expect(line.length).toBe(5_000);
    for (const b of line) expect(d.push(Buffer.from([b]))).toEqual([]);
    // 256 doubled up to 8 KiB, plus one buffer's overhead (a buffer per read would be 5,000 of them)
    expect(d.held).toBe(8_192 + BUFFER_OVERHEAD);
    expect(budget.held).toBe(d.held);
    const [ev] = d.push(Buffer.from('\n'));
    expect(ev).toMatchObject({ kind: 'message', framing: 'lf' });
    expect((ev as { body: Buffer }).body.equals(line)).toBe(true);
    expect(budget.held).toBe(0);
    expect(budget.peak).toBe(8_192 + BUFFER_OVERHEAD);
  });

  it('does not allocate an announced MSG-LEN up front: it grows as the bytes arrive', () => {
    const budget = new PartialFrameBudget(Number.POSITIVE_INFINITY);
    const d = new SyslogStreamDeframer(65_536, budget);
    d.push(Buffer.from('60000 <13>1 - '));
    expect(budget.held).toBe(256 + BUFFER_OVERHEAD);
    expect(d.push(Buffer.alloc(1_000, 0x62))).toEqual([]);
    expect(budget.held).toBe(1_024 + BUFFER_OVERHEAD);
    expect(d.push(Buffer.alloc(58_991, 0x62))).toEqual([]);
    // powers of two, but never past the announced length
    expect(budget.held).toBe(60_000 + BUFFER_OVERHEAD);
    expect(d.abort()).toBe(59_999);
    expect(budget.held).toBe(0);
  });

  it('drops a frame that would pass the shared budget (overBudget), stays in sync, never holds more', () => {
    const budget = new PartialFrameBudget(4_096);
    const a = new SyslogStreamDeframer(65_536, budget);
    const b = new SyslogStreamDeframer(65_536, budget);
    expect(a.push(Buffer.alloc(3_000, 0x61))).toEqual([]);
    expect(budget.held).toBe(3_000 + BUFFER_OVERHEAD);
    // b's first partial byte still fits; its growth past the rest does not
    expect(b.push(Buffer.from('<13>1 - b'))).toEqual([]);
    expect(b.push(Buffer.alloc(1_000, 0x62))).toEqual([{ kind: 'overBudget', bytes: 1_009, framing: 'lf' }]);
    expect(budget.held).toBeLessThanOrEqual(4_096);
    // the rest of b's line is skipped up to its LF; the next line is whole again
    expect(messages(b.push(Buffer.from('bbb\n<13>1 - next\n')))).toEqual(['<13>1 - next']);
    expect(budget.peak).toBeLessThanOrEqual(4_096);
  });

  it('abort() discards a partial frame and says how many bytes it held', () => {
    const d = new SyslogStreamDeframer(1024);
    d.push(Buffer.from('<13>1 - half a li'));
    expect(d.abort()).toBe(17);
    expect(d.idle).toBe(true);
    expect(d.abort()).toBe(0);
  });

  it('counts MSG-LEN in bytes, not characters', () => {
    // 'José' is 4 characters and 5 bytes: a character count would cut the frame short
    const m = '<13>1 - José';
    expect(messages(decode([Buffer.from(`${Buffer.byteLength(m)} ${m}${octet('<13>1 - b')}`)]))).toEqual([
      m,
      '<13>1 - b',
    ]);
  });
});

describe('datagramMessage', () => {
  it('drops a trailer of LF, CRLF and NUL bytes in any order and keeps every other byte', () => {
    expect(datagramMessage(Buffer.from(`${SEED}\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\r\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\0\0`)).toString()).toBe(SEED);
    // NULs before the LF, or after it: all trailer
    expect(datagramMessage(Buffer.from(`${SEED}\0\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\0\0\r\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\r\n\0`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`a\nb \r`)).toString()).toBe('a\nb \r');
    expect(datagramMessage(Buffer.from(`a\n\n`)).toString()).toBe('a');
    expect(datagramMessage(Buffer.from('a\0b\0')).toString()).toBe('a\0b');
    expect(datagramMessage(Buffer.from(SEED)).toString()).toBe(SEED);
  });
});
