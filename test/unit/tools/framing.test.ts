/**
 * The bridge's receiving deframer: per-frame auto-detection (octet counting vs LF, as rsyslog's
 * imtcp), bounded memory, and never losing sync.
 */
import { describe, expect, it } from 'vitest';
import { datagramMessage, type FrameEvent, SyslogStreamDeframer } from '../../../shared/bridge/framing.js';

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
        { kind: 'oversize', bytes: Buffer.byteLength(big), framing: 'octet' },
        expect.objectContaining({ kind: 'message', framing: 'octet' }),
      ]);
      expect(messages(evs)).toEqual(['<13>1 - after']);
    }
  });

  it('skips an oversize LF line up to its LF and stays in sync', () => {
    const big = `<13>1 - ${'y'.repeat(300)}`;
    for (const parts of chunkings(Buffer.from(`${big}\n<13>1 - next\n`))) {
      const evs = decode(parts, 100);
      expect(evs[0]).toEqual({ kind: 'oversize', bytes: big.length, framing: 'lf' });
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
  it('drops a trailing LF, CRLF or NULs and keeps every other byte', () => {
    expect(datagramMessage(Buffer.from(`${SEED}\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\r\n`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`${SEED}\0\0`)).toString()).toBe(SEED);
    expect(datagramMessage(Buffer.from(`a\nb \r`)).toString()).toBe('a\nb \r');
    expect(datagramMessage(Buffer.from(`a\n\n`)).toString()).toBe('a\n');
    expect(datagramMessage(Buffer.from(SEED)).toString()).toBe(SEED);
  });
});
