import { describe, expect, it } from 'vitest';
import { LfDecoder, OctetCountingDecoder } from '../../../local/syslog-receiver.js';
import { Framing, frame, frameLf, frameOctetCounted } from '../../../shared/deliver/syslog/framing.js';
import { RenderError } from '../../../shared/errors.js';

describe('frameOctetCounted (RFC 6587 §3.4.1)', () => {
  it('prefixes ASCII payloads with their length and one SP, no trailer', () => {
    // Prepare
    const payload = '<134>1 2026-01-01T00:00:00Z host app - - - hello';

    // Act
    const out = frameOctetCounted(payload);

    // Assess
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out.toString('utf8')).toBe(`${payload.length} ${payload}`);
  });

  it.each([
    // [name, payload, UTF-8 bytes, UTF-16 code units]: the count must be bytes, never chars
    ['2-byte (José)', 'José', 5, 4],
    ['4-byte emoji', '😀', 4, 2],
    ['mixed', 'user=José 😀 ok', 18, 15],
    ['CJK', '日本語', 9, 3],
  ])('counts UTF-8 bytes, not characters: %s', (_name, payload, bytes, chars) => {
    // Act
    const out = frameOctetCounted(payload);

    // Assess
    expect(payload.length).toBe(chars);
    expect(out.subarray(0, out.indexOf(0x20)).toString('latin1')).toBe(String(bytes));
    expect(out.length).toBe(String(bytes).length + 1 + bytes);
    expect(out.subarray(String(bytes).length + 1).toString('utf8')).toBe(payload);
  });

  it('the bad-frame case from docs/formats.md §3.1: a char count would cut "José" one byte short', () => {
    // Prepare: two frames back to back, as on a TCP stream
    const stream = Buffer.concat([frameOctetCounted('<134>José'), frameOctetCounted('<134>next')]);

    // Act: decode with the strict receiver decoder
    const messages = new OctetCountingDecoder(1024).push(stream);

    // Assess
    expect(messages).toEqual(['<134>José', '<134>next']);
  });

  it('rejects an empty payload (MSG-LEN is NONZERO-DIGIT *DIGIT)', () => {
    expect(() => frameOctetCounted('')).toThrow(RenderError);
  });

  it('handles a long payload with a multi-digit length header', () => {
    const payload = 'é'.repeat(10_000);
    const out = frameOctetCounted(payload);
    expect(out.subarray(0, 6).toString('latin1')).toBe('20000 ');
    expect(out.length).toBe(6 + 20_000);
  });
});

describe('frameLf (RFC 6587 §3.4.2)', () => {
  it('appends exactly one LF', () => {
    const out = frameLf('<134>1 José 😀');
    expect(out.toString('utf8')).toBe('<134>1 José 😀\n');
    expect(out.length).toBe(Buffer.byteLength('<134>1 José 😀') + 1);
  });

  it.each([
    ['LF in the middle', 'a\nb', 1],
    ['trailing LF', 'abc\n', 3],
    ['LF after multi-byte chars (byte offset)', 'José\nforged', 5],
  ])('refuses a payload containing LF, loudly: %s', (_name, payload, byteOffset) => {
    expect(() => frameLf(payload)).toThrow(RenderError);
    expect(() => frameLf(payload)).toThrow(`LF at byte ${byteOffset}`);
  });

  it('never emits an embedded LF (a forged second record cannot get through)', () => {
    const attempts = ['x\n<134>1 forged', '\n', 'a\r\nb'];
    for (const payload of attempts) expect(() => frameLf(payload)).toThrow(/contains LF/);
    // CR alone is not a record separator for LF framing: allowed, one LF at the very end.
    const out = frameLf('a\rb');
    expect(out.indexOf(0x0a)).toBe(out.length - 1);
  });

  it('round-trips through the LF decoder in one or many chunks', () => {
    const stream = Buffer.concat([frameLf('one'), frameLf('José'), frameLf('😀')]);
    expect(new LfDecoder().push(stream)).toEqual(['one', 'José', '😀']);
    const decoder = new LfDecoder();
    const split = [...stream].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(split).toEqual(['one', 'José', '😀']);
  });
});

describe('frame', () => {
  it('dispatches on the framing method', () => {
    expect(frame('x', Framing.octet).toString()).toBe('1 x');
    expect(frame('x', Framing.lf).toString()).toBe('x\n');
  });
});

describe('OctetCountingDecoder (receiver side, strict)', () => {
  it('reassembles frames split at every byte boundary, including inside a UTF-8 sequence', () => {
    // Prepare
    const payloads = ['José', '😀 emoji', 'plain'];
    const stream = Buffer.concat(payloads.map((p) => frameOctetCounted(p)));
    const decoder = new OctetCountingDecoder(1024);

    // Act
    const out = [...stream].flatMap((byte) => decoder.push(Buffer.from([byte])));

    // Assess
    expect(out).toEqual(payloads);
    expect(decoder.idle).toBe(true);
  });

  it.each([
    ['leading zero', '05 hello'],
    ['letter in header (the "u<134>" symptom)', 'u<134>1 x'],
    ['missing length', ' hello'],
    ['header too long', '12345678901 x'],
  ])('rejects a bad header: %s', (_name, raw) => {
    expect(() => new OctetCountingDecoder(1 << 30).push(Buffer.from(raw))).toThrow(/octet-counting/);
  });

  it('rejects a frame over maxFrameBytes', () => {
    expect(() => new OctetCountingDecoder(10).push(Buffer.from('11 hello world'))).toThrow(/exceeds maxFrameBytes/);
  });
});
