/**
 * The RELP frame grammar (shared/deliver/syslog/relp-frame.ts): encoder, streaming decoder, rsp and
 * offers parsers. Fragmented reads, several frames per read, bad lengths, unknown commands and a
 * hostile peer (huge lengths, never-ending data, garbage): clear errors, no crash, bounded memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeSyslog,
  MAX_TXNR,
  nextTxnr,
  offersToString,
  parseOffers,
  parseRsp,
  RELP_MAX_DATA_BYTES,
  type RelpFrame,
  RelpFrameDecoder,
  RelpProtocolError,
} from '../../../shared/deliver/syslog/relp-frame.js';
import { errorMessage } from '../../../shared/errors.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Decode `stream` cut at the given offsets; frames as plain objects with the data as text. */
function decodeSplit(stream: Buffer, cuts: readonly number[], maxDataBytes?: number) {
  const d = new RelpFrameDecoder(maxDataBytes === undefined ? {} : { maxDataBytes });
  const out: RelpFrame[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    out.push(...d.push(stream.subarray(at, cut)));
    at = cut;
  }
  return { frames: out, idle: d.idle };
}

/** The error a push of `input` raises (fails the test if none). */
function errorOf(input: string | Buffer, maxDataBytes?: number): RelpProtocolError {
  const d = new RelpFrameDecoder(maxDataBytes === undefined ? {} : { maxDataBytes });
  try {
    d.push(typeof input === 'string' ? b(input) : input);
  } catch (err) {
    expect(err).toBeInstanceOf(RelpProtocolError);
    return err as RelpProtocolError;
  }
  throw new Error(`no error for ${JSON.stringify(String(input).slice(0, 60))}`);
}

describe('encodeFrame', () => {
  it('writes TXNR SP COMMAND SP DATALEN SP DATA LF, DATALEN in octets', () => {
    // Act
    const out = encodeFrame(7, 'syslog', 'José');

    // Assess: 'José' is 5 octets, 4 characters
    expect(out.toString('utf8')).toBe('7 syslog 5 José\n');
  });

  it('has no SP after DATALEN 0 (librelp rejects "0 ")', () => {
    expect(encodeFrame(3, 'close').toString()).toBe('3 close 0\n');
    expect(encodeFrame(0, 'serverclose', Buffer.alloc(0)).toString()).toBe('0 serverclose 0\n');
  });

  it('refuses a TXNR or a command outside the grammar', () => {
    expect(() => encodeFrame(-1, 'syslog')).toThrow(RangeError);
    expect(() => encodeFrame(MAX_TXNR + 1, 'syslog')).toThrow(/TXNR out of range/);
    expect(() => encodeFrame(1.5, 'syslog')).toThrow(RangeError);
    expect(() => encodeFrame(1, 'sys log')).toThrow(/1\*32ALPHA/);
    expect(() => encodeFrame(1, 'a'.repeat(33))).toThrow(/1\*32ALPHA/);
    expect(() => encodeFrame(1, '')).toThrow(/1\*32ALPHA/);
  });

  it('encodeSyslog equals encodeFrame(txnr, "syslog", message) byte for byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_TXNR }), fc.uint8Array({ minLength: 1, maxLength: 300 }), (t, m) => {
        const msg = Buffer.from(m);
        expect(encodeSyslog(t, msg).equals(encodeFrame(t, 'syslog', msg))).toBe(true);
      }),
    );
  });
});

describe('nextTxnr', () => {
  it('counts up and wraps 999,999,999 to 1, never to 0 (reserved for hints)', () => {
    expect(nextTxnr(1)).toBe(2);
    expect(nextTxnr(MAX_TXNR - 1)).toBe(MAX_TXNR);
    expect(nextTxnr(MAX_TXNR)).toBe(1);
  });
});

describe('RelpFrameDecoder', () => {
  it('decodes what librelp 1.11 sends: the open answer, 200s, the empty close answer and serverclose', () => {
    // Prepare: bytes captured from rsyslog 8.2302 imrelp on Debian 12
    const stream = b(
      '1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n' +
        '2 rsp 6 200 OK\n3 rsp 6 200 OK\n4 rsp 0\n0 serverclose 0\n',
    );

    // Act: everything arrives in one read
    const { frames, idle } = decodeSplit(stream, []);

    // Assess
    expect(idle).toBe(true);
    expect(frames.map((f) => [f.txnr, f.command, f.data.toString()])).toEqual([
      [1, 'rsp', '200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog'],
      [2, 'rsp', '200 OK'],
      [3, 'rsp', '200 OK'],
      [4, 'rsp', ''],
      [0, 'serverclose', ''],
    ]);
  });

  it('gives the same frames however the stream is cut: every single split point', () => {
    // Prepare: data containing SP, LF and digits, which must not confuse the decoder
    const stream = Buffer.concat([
      encodeFrame(1, 'rsp', '200 OK\nrelp_version=0'),
      encodeFrame(2, 'syslog', '12 syslog 3 \n\n'),
      encodeFrame(3, 'close'),
    ]);
    const whole = decodeSplit(stream, []).frames;

    // Act + Assess
    expect(whole).toHaveLength(3);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decodeSplit(stream, [cut]).frames).toEqual(whole);
    }
  });

  it('property: any sequence of frames, cut into any fragments, decodes to exactly those frames', () => {
    const frame = fc.record({
      txnr: fc.integer({ min: 0, max: MAX_TXNR }),
      command: fc.stringMatching(/^[A-Za-z]{1,32}$/),
      data: fc.uint8Array({ maxLength: 200 }),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (fs, rawCuts) => {
          // Prepare
          const stream = Buffer.concat(fs.map((f) => encodeFrame(f.txnr, f.command, Buffer.from(f.data))));
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);

          // Act
          const { frames, idle } = decodeSplit(stream, cuts);

          // Assess
          expect(idle).toBe(true);
          expect(frames.map((f) => ({ txnr: f.txnr, command: f.command, data: [...f.data] }))).toEqual(
            fs.map((f) => ({ txnr: f.txnr, command: f.command, data: [...f.data] })),
          );
        },
      ),
    );
  });

  it('hands out data buffers it does not reuse: a frame stays intact after later pushes', () => {
    // Prepare
    const d = new RelpFrameDecoder();
    const [first] = d.push(b('1 rsp 6 200 OK\n2 rsp'));

    // Act
    d.push(b(' 6 500 no\n'));

    // Assess
    expect(first?.data.toString()).toBe('200 OK');
  });

  it.each([
    ['letter instead of TXNR', 'x rsp 6 200 OK\n', 'txnr', /expected a digit of TXNR, got 'x' at stream octet 0/],
    ['SP before any TXNR digit', ' 1 rsp 0\n', 'txnr', /got 0x20/],
    ['TXNR of 10 digits', '1234567890 rsp 0\n', 'txnr', /TXNR longer than 9 digits/],
    ['digit in COMMAND', '1 rsp2 0\n', 'command', /expected a letter of COMMAND, got '2'/],
    ['empty COMMAND', '1  0\n', 'command', /got 0x20/],
    ['COMMAND of 33 letters', `1 ${'a'.repeat(33)} 0\n`, 'command', /longer than 32 letters/],
    ['no DATALEN', '1 rsp \n', 'datalen', /expected a digit of DATALEN, got 0x0a/],
    ['negative DATALEN', '1 rsp -6 200 OK\n', 'datalen', /got '-'/],
    ['DATALEN of 10 digits', '1 rsp 1000000000 x\n', 'datalen', /DATALEN longer than 9 digits/],
    ['garbage after DATALEN', '1 rsp 6x200 OK\n', 'datalen', /expected SP or LF after DATALEN, got 'x'/],
    ['DATALEN 0 followed by SP', '1 rsp 0 \n', 'trailer', /DATALEN 0 must be followed by LF/],
    ['DATALEN one short', '1 rsp 5 200 OK\n', 'trailer', /expected LF after 5 octets of DATA, got 'K'/],
    ['CR LF trailer', '1 rsp 6 200 OK\r\n', 'trailer', /got 0x0d/],
  ])('rejects %s with a clear error', (_name, input, code, message) => {
    const err = errorOf(input);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.retryable).toBe(true);
  });

  it('a DATALEN one too long swallows the next frame and fails on its missing trailer', () => {
    // Prepare: 7 announced, 6 sent: the decoder takes "200 OK\n" as data and wants LF where "2" is
    const err = errorOf('1 rsp 7 200 OK\n2 rsp 6 200 OK\n');

    // Assess
    expect(err.code).toBe('trailer');
    expect(err.message).toMatch(/expected LF after 7 octets of DATA, got '2' at stream octet 15/);
  });

  it('accepts any ALPHA command at the frame level (unknown commands are the session layer’s call)', () => {
    const { frames } = decodeSplit(b('5 starttls 0\n0 adviseclose 0\n6 Frobnicate 3 abc\n'), []);
    expect(frames.map((f) => f.command)).toEqual(['starttls', 'adviseclose', 'Frobnicate']);
  });

  it('hostile peer, huge length: DATALEN 999,999,999 fails at the SP after it, before any allocation', () => {
    // Prepare
    const d = new RelpFrameDecoder();
    const before = process.memoryUsage().arrayBuffers;

    // Act
    let err: unknown;
    try {
      d.push(b('1 rsp 999999999 '));
    } catch (e) {
      err = e;
    }

    // Assess
    expect(err).toBeInstanceOf(RelpProtocolError);
    expect((err as RelpProtocolError).code).toBe('too-long');
    expect(errorMessage(err)).toMatch(/DATALEN 999999999 over the limit of 131072 octets at stream octet 15/);
    // nothing near a gigabyte was reserved (allow for unrelated allocations of the test runner)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('the default limit is RELP 1’s 128 KiB; a receiver may set a smaller one', () => {
    expect(RELP_MAX_DATA_BYTES).toBe(131_072);
    expect(decodeSplit(encodeFrame(1, 'rsp', Buffer.alloc(131_072, 0x41)), []).frames).toHaveLength(1);
    expect(errorOf(encodeFrame(1, 'rsp', Buffer.alloc(131_073, 0x41))).code).toBe('too-long');
    expect(errorOf('1 syslog 101 ', 100).message).toMatch(/DATALEN 101 over the limit of 100/);
  });

  it('hostile peer, never-ending data: a frame that never ends fails one octet after its DATALEN', () => {
    // Prepare: the largest legal frame, then 1 MiB more of data and no LF, fed 64 KiB at a time
    const d = new RelpFrameDecoder();
    d.push(b(`1 rsp ${RELP_MAX_DATA_BYTES} `));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let fed = 0;
    let err: unknown;

    // Act
    for (let i = 0; i < 18 && err === undefined; i++) {
      try {
        d.push(chunk);
        fed += chunk.length;
      } catch (e) {
        err = e;
      }
    }

    // Assess: it stopped at the first octet past DATALEN (third chunk), not after the 18th
    expect(fed).toBe(2 * 64 * 1024);
    expect((err as RelpProtocolError).code).toBe('trailer');
  });

  it('hostile peer, never-ending header: endless digits or letters fail within 10 or 33 octets', () => {
    expect(errorOf('9'.repeat(1_000_000)).message).toMatch(/at stream octet 9$/);
    expect(errorOf(`1 ${'r'.repeat(1_000_000)}`).message).toMatch(/at stream octet 34$/);
  });

  it('hostile peer, garbage: random bytes end in frames or a RelpProtocolError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, rawCuts) => {
        const stream = Buffer.from(bytes);
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((x, y) => x - y);
        try {
          decodeSplit(stream, cuts, 1024);
        } catch (err) {
          expect(err).toBeInstanceOf(RelpProtocolError);
        }
      }),
    );
  });

  it('stays failed: after the first error every push throws the same error and buffers nothing', () => {
    // Prepare
    const d = new RelpFrameDecoder();
    expect(() => d.push(b('1 rsp 6 200 OK\n?'))).toThrow(RelpProtocolError);

    // Act
    let again: unknown;
    try {
      d.push(b('2 rsp 6 200 OK\n'));
    } catch (e) {
      again = e;
    }

    // Assess: the valid frame after the error is not decoded; the stream cannot be resynchronised
    expect(errorMessage(again)).toMatch(/expected a digit of TXNR, got '\?' at stream octet 15/);
  });
});

describe('parseRsp', () => {
  it.each([
    ['200 OK', 200, 'OK', ''],
    ['500 command disabled', 500, 'command disabled', ''],
    ['200 OK\nrelp_version=0\ncommands=syslog', 200, 'OK', 'relp_version=0\ncommands=syslog'],
    ['200', 200, '', ''],
    ['503 queue full, try later', 503, 'queue full, try later', ''],
    ['500\nbody', 500, '', 'body'],
  ])('%j → code %i, text %j', (data, code, text, body) => {
    expect(parseRsp(b(data))).toEqual({ code, text, body });
  });

  it('takes librelp’s empty answer to close as "no code"', () => {
    expect(parseRsp(Buffer.alloc(0))).toEqual({ code: undefined, text: '', body: '' });
  });

  it.each([['OK'], ['20 OK'], ['2000 OK'], ['20x OK'], [' 200 OK']])('rejects %j: not a 3-digit code', (data) => {
    expect(() => parseRsp(b(data))).toThrow(/rsp data does not start with a 3-digit code/);
  });
});

describe('offers', () => {
  it('round-trips through the string form librelp sends', () => {
    // Prepare
    const text = offersToString([
      ['relp_version', ['0']],
      ['relp_software', ['librelp', '1.11.0', 'http://librelp.adiscon.com']],
      ['commands', ['syslog']],
    ]);

    // Act
    const parsed = parseOffers(text);

    // Assess
    expect(text).toBe('relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog');
    expect(parsed.get('relp_version')).toEqual(['0']);
    expect(parsed.get('commands')).toEqual(['syslog']);
    expect(parsed.get('relp_software')).toEqual(['librelp', '1.11.0', 'http://librelp.adiscon.com']);
  });

  it('keeps unknown offers and offers without values, ignores empty lines', () => {
    const parsed = parseOffers('\nrelp_version=0\n\nfuture_feature\ncommands=syslog,eventlog\n');
    expect([...parsed.keys()]).toEqual(['relp_version', 'future_feature', 'commands']);
    expect(parsed.get('future_feature')).toEqual([]);
    expect(parsed.get('commands')).toEqual(['syslog', 'eventlog']);
  });
});
