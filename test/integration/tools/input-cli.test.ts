/**
 * Every command reads input the same way (cli/lines.ts), run as a user runs them (a child
 * process each, exit codes and stderr): `render`, `send`, `alerts test` and `npm start` agree on
 * what a line is and on its number, say once that UTF-16 or binary input is not UTF-8, and cap
 * repeated identical errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runScript } from '../../helpers/run-script.js';
import { Sqs } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'segura-input-'));

/** `segura-relay ARGS` from the sources (tsx), stdin from a file. */
function cli(args: string[], stdinFile?: string): Promise<RunResult> {
  return runScript('cli/entry.ts', args, {
    ...(stdinFile === undefined ? {} : { stdinFile }),
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
    timeoutMs: 60_000,
  });
}

const GOOD = JSON.stringify({
  id: '164',
  timestamp: '2026-01-19T10:41:00.123-03:00',
  host: 'vault-01',
  pid: 1426,
  fields: { msg: 'Senha visualizada', sname: 'ana', duser: 'root' },
});

// the vault's own RFC 5424 line with a lone CR in its message
const NATIVE_CR = '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado\rcom sucesso.';
// line 2 holds a lone CR inside the event (one line for every command), line 3 is blank,
// line 4 is bad, line 5 ends with CRLF
const CR_FILE = join(dir, 'cr.ndjson');
writeFileSync(CR_FILE, `${GOOD}\n${NATIVE_CR}\n\nnot an event\n${GOOD}\r\n`);
// 40 lines of binary data (NULs and bytes that are not UTF-8), all alike
const BINARY_FILE = join(dir, 'binary.dat');
writeFileSync(
  BINARY_FILE,
  Buffer.concat(Array(40).fill(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 0xff, 0xfe, 0x0a]))),
);
// the same 30 events written as UTF-16LE with a byte order mark (what Windows tools often write)
const UTF16_FILE = join(dir, 'utf16.ndjson');
writeFileSync(
  UTF16_FILE,
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${Array(30).fill(GOOD).join('\r\n')}\r\n`, 'utf16le')]),
);

let sqs: Sqs;
let queue = '';
beforeAll(async () => {
  sqs = await Sqs.start();
  queue = await sqs.queue('segura-input');
});
afterAll(async () => {
  await sqs.stop();
  sqs.destroy();
});

/** the `line N:` numbers a command reported */
const lineNumbers = (stderr: string) => [...stderr.matchAll(/^line (\d+):/gm)].map((m) => Number(m[1]));

describe('one line reader for every command', () => {
  it('render, alerts test and send agree: a lone CR is part of the line, blank lines keep their number', async () => {
    const render = await cli(['render', '--format', 'cef'], CR_FILE);
    expect(render.code).toBe(1);
    expect(render.stdout.trimEnd().split('\n')).toHaveLength(3); // lines 1, 2 and 5
    expect(lineNumbers(render.stderr)).toEqual([4]);

    const alerts = await cli(['alerts', 'test', '--events', CR_FILE]);
    expect(alerts.code).toBe(1);
    expect(lineNumbers(alerts.stderr)).toEqual([4]);
    expect(alerts.stdout).toMatch(/; 3 event\(s\) from /);

    const send = await cli(['send', '--queue-url', queue, '--endpoint-url', sqs.endpoint, '--file', CR_FILE]);
    expect(send.code).toBe(0); // send counts a bad event as invalid and sends it (the relay parks it)
    expect(send.stderr).toMatch(/sent 4, failed 0, invalid 1 \(sent\)/);
    const got = await sqs.drain(queue, 4, 5_000);
    expect(got.map((m) => m.Body)).toContain(NATIVE_CR);
  }, 120_000);

  it('UTF-16 input is said once and read as UTF-16: the same 30 events as UTF-8', async () => {
    const r = await cli(['render', '--format', 'cef'], UTF16_FILE);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'segura-relay render: input is UTF-16LE (byte order mark FF FE), not UTF-8: read as UTF-16LE (to convert the file: iconv -f UTF-16LE -t UTF-8)\n',
    );
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(30);
    const a = await cli(['alerts', 'test', '--events', UTF16_FILE, '--json']);
    expect(a.code).toBe(0);
    expect(a.stderr.match(/input is UTF-16LE/g)).toHaveLength(1);
  }, 120_000);

  it('binary input: one message, then capped identical errors numbered alike, in every command', async () => {
    for (const r of [
      await cli(['render', '--format', 'cef'], BINARY_FILE),
      await cli(['alerts', 'test', '--events', BINARY_FILE]),
    ]) {
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(
        r.stderr.match(/input looks like binary data \(40 NUL byte\(s\) in the first 360\)/g),
        r.stderr,
      ).toHaveLength(1);
      // 10 shown, then one line for the other 30
      expect(lineNumbers(r.stderr)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(r.stderr).toMatch(/^… and 30 more like this \(lines 11–40\): /m);
      expect(r.code).toBe(1);
    }
    const send = await cli([
      'send',
      '--queue-url',
      queue,
      '--endpoint-url',
      sqs.endpoint,
      '--file',
      BINARY_FILE,
      '--skip-invalid',
    ]);
    expect(send.stderr.match(/input looks like binary data/g)).toHaveLength(1);
    expect(send.stderr).toMatch(/sent 0, failed 0, invalid 40 \(skipped\)/);
  }, 180_000);
});
