/**
 * `segura-relay render` end to end: the real bin with stdin/stdout/stderr and exit codes.
 * The bundle in dist/ may be stale, so it is rebuilt once before the tests.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCefStrict, checkRfc5424Strict } from '../../helpers/strict-parsers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function run(args: string[], stdin: string): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/segura-relay.mjs', 'render', ...args], {
    cwd: ROOT,
    input: stdin,
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

const GOOD = JSON.stringify({
  id: '164',
  timestamp: '2026-01-19T10:41:00.123-03:00',
  host: 'vault-01',
  pid: 1426,
  fields: { msg: 'Senha visualizada por José', sname: 'José da Silva', duser: 'root' },
});
const NATIVE = '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Autenticado com sucesso.';

beforeAll(() => {
  const b = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, timeout: 60_000 });
  expect(b.status, b.stderr.toString()).toBe(0);
}, 60_000);

describe('segura-relay render', () => {
  it('renders good lines, reports bad ones as "line N: reason" and exits 1', () => {
    const input = [GOOD, '{"id":', '', NATIVE, JSON.stringify({ id: '1|2' }), 'hello', `${GOOD}\r`].join('\n');
    const r = run(['--format', 'cef'], input);
    expect(r.code).toBe(1);
    const lines = r.stdout.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    for (const l of lines) checkCefStrict(l);
    expect(checkCefStrict(lines[0] as string).ext.cs1).toBe('José da Silva');
    expect(checkCefStrict(lines[1] as string).ext.msg).toBe('Autenticado com sucesso.');
    expect(lines[2]).toBe(lines[0]); // a CRLF line ending is not part of the event
    expect(r.stderr).toMatch(/^line 2: .*\(payload\).*invalid JSON/m);
    expect(r.stderr).toMatch(/^line 5: .*\bid\b.*letters, digits/m);
    expect(r.stderr).toMatch(/^line 6: .*not a JSON envelope/m);
    expect(r.stderr).not.toMatch(/^line [1347]:/m);
    expect(r.stderr).toMatch(/rendered 3, failed 3/);
  });

  it('exits 0 with nothing on stderr when every line renders', () => {
    const r = run(['--format', 'ecs'], `${GOOD}\n${NATIVE}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const docs = r.stdout
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: { code: string } });
    expect(docs.map((d) => d.event.code)).toEqual(['164', '0']);
  });

  it('--framing octet writes a valid RFC 6587 octet-counted stream (byte lengths, not characters)', () => {
    const r = run(['--format', 'rfc5424', '--framing', 'octet', '--sd-id', 'segura@32473'], `${GOOD}\n${NATIVE}\n`);
    expect(r.code).toBe(0);
    const buf = r.stdout;
    const frames: string[] = [];
    let i = 0;
    while (i < buf.length) {
      const sp = buf.indexOf(0x20, i);
      const len = buf.subarray(i, sp).toString('ascii');
      expect(len).toMatch(/^[1-9]\d*$/); // MSG-LEN = NONZERO-DIGIT *DIGIT
      const end = sp + 1 + Number(len);
      expect(end).toBeLessThanOrEqual(buf.length);
      frames.push(buf.subarray(sp + 1, end).toString('utf8'));
      i = end;
    }
    expect(i).toBe(buf.length); // no trailer, nothing left over
    expect(frames).toHaveLength(2);
    const first = frames[0] as string;
    expect(first).toContain('José');
    expect(Buffer.byteLength(first, 'utf8')).toBeGreaterThan(first.length); // multi-byte counted as bytes
    for (const f of frames) checkCefStrict(checkRfc5424Strict(f).msg ?? '');
    expect(checkRfc5424Strict(first).sd[0]?.id).toBe('segura@32473');
  });

  it('--framing lf ends every record with LF; --max-bytes shortens msg and says so', () => {
    const long = JSON.stringify({ id: '14', fields: { msg: 'ação '.repeat(200), suser: 'jsilva' } });
    const r = run(['--format', 'cef', '--framing', 'lf', '--max-bytes', '300'], `${long}\n`);
    expect(r.code).toBe(0);
    const out = r.stdout.toString('utf8');
    expect(out.endsWith('\n')).toBe(true);
    expect(Buffer.byteLength(out.slice(0, -1), 'utf8')).toBeLessThanOrEqual(300);
    expect(checkCefStrict(out.slice(0, -1)).ext.msg?.endsWith('…')).toBe(true);
    expect(r.stderr).toMatch(/truncated 1/);
  });

  it('--mode compatible writes the vault keys verbatim', () => {
    const r = run(['--format', 'cef', '--mode', 'compatible'], `${GOOD}\n`);
    expect(checkCefStrict(r.stdout.toString('utf8').trimEnd()).ext.sname).toBe('José da Silva');
  });

  it.each([
    ['unknown format', ['--format', 'xml']],
    ['missing format', []],
    ['unknown option', ['--format', 'cef', '--bogus']],
    ['bad framing', ['--format', 'cef', '--framing', 'crlf']],
    ['bad max-bytes', ['--format', 'cef', '--max-bytes', 'abc']],
    ['max-bytes below the renderer minimum', ['--format', 'cef', '--max-bytes', '10']],
    ['bad mode', ['--format', 'cef', '--mode', 'loose']],
    ['bad SD-ID', ['--format', 'rfc5424', '--sd-id', 'segura']],
    ['positional argument', ['--format', 'cef', 'extra']],
  ])('%s → exit 2 with a usage message, nothing rendered', (_what, args) => {
    const r = run(args, `${GOOD}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^segura-relay: /);
  });
});
