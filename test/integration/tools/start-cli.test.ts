/**
 * `npm start` as a user runs it (a child process: `tsx local/start.ts`, exit codes, stdout and
 * stderr): usage errors are one line naming the option (exit 2), a line SQS cannot take is named
 * and the run goes on, and a failing destination's cause is in the summary (`--verbose` shows
 * the functions' log lines).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunResult, runScript } from '../../helpers/run-script.js';

const dir = mkdtempSync(join(tmpdir(), 'segura-start-'));

function npmStart(args: string[]): Promise<RunResult> {
  return runScript('local/start.ts', args);
}

/** a loopback port nothing listens on */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const event = (msg: string) =>
  JSON.stringify({
    id: '164',
    timestamp: '2026-01-19T10:41:00.123-03:00',
    host: 'vault-01',
    pid: 1426,
    fields: { msg, sname: 'ana', duser: 'root' },
  });

describe('npm start', () => {
  it('usage errors: one line naming the option and the problem, exit 2, no stack trace', async () => {
    const badRules = join(dir, 'bad.yaml');
    writeFileSync(badRules, 'rules: [ {id: x}\n');
    const cases: [string[], RegExp][] = [
      [['--syslog', 'http://x:1'], /^npm start: --syslog: unknown scheme http:\/\/ in "http:\/\/x:1"/],
      [['--syslog', 'tls://127.0.0.1'], /^npm start: --syslog: no port in "tls:\/\/127\.0\.0\.1"/],
      [['--rules', badRules], /^npm start: --rules: .*bad\.yaml: 1 problem in the alert rules; .*not valid YAML/],
      [['--rules', '/nonexistent.yaml'], /^npm start: --rules: cannot read \/nonexistent\.yaml: ENOENT$/m],
      [['--syslog-ca', '/nonexistent.pem'], /^npm start: --syslog-ca: cannot read \/nonexistent\.pem: ENOENT$/m],
      [['--format', 'xml'], /^npm start: --format: one of cef, rfc5424, leef, ecs, got "xml"$/m],
      [['--events', '/nonexistent.ndjson'], /^npm start: --events: cannot read \/nonexistent\.ndjson: ENOENT$/m],
    ];
    for (const [args, want] of cases) {
      const r = await npmStart([...args, '--out', join(dir, 'usage')]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.split('\n')[1]).toBe("Run 'npm start -- --help' for the options.");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  }, 240_000);

  it('a line over 1 MiB is named with its number and not sent; every other line is delivered', async () => {
    const file = join(dir, 'big.ndjson');
    // line 2: over the SQS message limit; line 4: 300 KB, sent and parked by normalize (oversize)
    writeFileSync(
      file,
      [event('first'), event('x'.repeat(1_100_000)), '', event('y'.repeat(300_000)), event('last')].join('\n'),
    );
    const r = await npmStart(['--events', file, '--no-alerts', '--out', join(dir, 'big'), '--timeout', '60']);
    expect(r.stderr).toMatch(/^line 2: 110\d{4} bytes exceeds the 1048576-byte SQS message limit: not sent$/m);
    expect(r.stderr).not.toMatch(/BatchRequestTooLong|\n\s+at /);
    expect(r.stdout).toMatch(/^ {2}input: {15}3 \(/m);
    expect(r.stdout).toMatch(/^ {2}not sent: {12}1 input line\(s\)/m);
    expect(r.stdout).toMatch(/rejected as invalid: 1 → ingest DLQ: 1/);
    expect(r.stdout).toMatch(/firehose archive \(cef\): delivered 2\/2, in DLQ 0, missing 0/);
    expect(r.stdout).toMatch(/syslog collector \(rfc5424\): delivered 2\/2, in DLQ 0, missing 0/);
    expect(r.stdout).toMatch(/result: INCOMPLETE — 1 input line\(s\) could not be sent/);
    expect(r.code).toBe(1);
  }, 120_000);

  it('an unreachable collector: the summary names the cause and its count; --verbose shows the log lines', async () => {
    const port = await closedPort();
    const r = await npmStart([
      '--count',
      '3',
      '--syslog',
      `tcp://127.0.0.1:${port}`,
      '--no-firehose',
      '--no-alerts',
      '--timeout',
      '4',
      '--verbose',
      '--out',
      join(dir, 'down'),
    ]);
    expect(r.code).toBe(1);
    const last = new RegExp(`^ {6}last error: .*ECONNREFUSED 127\\.0\\.0\\.1:${port} × (\\d+)`, 'm').exec(r.stdout);
    expect(last, r.stdout).not.toBeNull();
    expect(Number(last?.[1])).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toMatch(/NOT DRAINED after 4 s/);
    expect(r.stdout).toMatch(/diagnostics \(\d+\):\n {4}\d+ × \[deliver-syslog\] .*ECONNREFUSED/);
    // --verbose: the functions' own log lines, as they happen, on stderr
    expect(r.stderr).toMatch(new RegExp(`^\\[deliver-syslog\\] WARN .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`, 'm'));
  }, 120_000);
});
