/**
 * `segura-relay render` says what it does (issue 17 point 6), run as a user runs it (a child
 * process; exit codes, stdout and stderr): the time each format keeps, as `--help` and the README
 * state it; ECS `@timestamp` in UTC with the vault's offset in `event.timezone`; one `--max-bytes`
 * range per format, the deployment config's (shared/config/render-options.ts); and one budget
 * message for every format, exact at the boundary (a budget of the fixed bytes + the mark fits, one
 * byte less does not).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_BYTES_RANGE, renderOptionIssues } from '../../../shared/config/render-options.js';
import { FORMATS } from '../../../shared/render/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

function render(args: string[], stdin = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'cli/entry.ts'), 'render', ...args], {
    cwd: ROOT,
    input: stdin,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const at = (timestamp: string, msg = 'Password viewed') =>
  JSON.stringify({ id: '164', timestamp, host: 'vault-01', pid: 1426, fields: { msg, duser: 'root' } });

describe('segura-relay render: docs and output agree', () => {
  it('keeps the time as --help and the README say: RFC 5424 UTC with 3 or 6 digits, ECS UTC + event.timezone', () => {
    const help = render(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'rfc5424 TIMESTAMP in UTC with 3 fraction digits, or 6 when the input had microseconds',
    );
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      'RFC 5424 TIMESTAMP is UTC (`Z`) with 3 fraction digits, or 6 when the source had microseconds',
    );
    expect(readme).toContain("ECS `@timestamp` is UTC and the vault's offset is `event.timezone` (`-03:00`)");
    expect(readme).not.toContain('the offset is kept for ECS/LEEF');
    const input = [
      at('2026-01-19T10:41:00-03:00'),
      at('2026-01-19T10:41:00.123-03:00'),
      at('2026-01-19T10:41:00.123456-03:00'),
      at('2026-01-19T13:41:00.5Z'),
    ].join('\n');
    const rfc = render(['--format', 'rfc5424'], input);
    expect(rfc.code).toBe(0);
    expect(
      rfc.stdout
        .split('\n')
        .slice(0, 4)
        .map((l) => l.split(' ')[1]),
    ).toEqual([
      '2026-01-19T13:41:00.000Z',
      '2026-01-19T13:41:00.123Z',
      '2026-01-19T13:41:00.123456Z',
      '2026-01-19T13:41:00.500Z',
    ]);
    const ecs = render(['--format', 'ecs'], input);
    expect(ecs.code).toBe(0);
    const docs = ecs.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { '@timestamp': string; event: { timezone?: string } });
    expect(docs.map((d) => [d['@timestamp'], d.event.timezone])).toEqual([
      ['2026-01-19T13:41:00.000Z', '-03:00'],
      ['2026-01-19T13:41:00.123Z', '-03:00'],
      ['2026-01-19T13:41:00.123456Z', '-03:00'],
      ['2026-01-19T13:41:00.500Z', '+00:00'],
    ]);
    // no time in the input: the relay supplies one, and no offset the vault never wrote
    const none = render(['--format', 'ecs'], JSON.stringify({ id: '164', fields: { msg: 'x' } }));
    expect((JSON.parse(none.stdout) as { event: Record<string, unknown> }).event).not.toHaveProperty('timezone');
  }, 120_000);

  it('--max-bytes: one range per format, stated in --help, the same as the deployment config', () => {
    const help = render(['--help']).stdout.replace(/\s+/g, ' ');
    const stated = FORMATS.map((f) => `${f} ${MAX_BYTES_RANGE[f][0]}–${MAX_BYTES_RANGE[f][1]}`).join(', ');
    expect(help).toContain(`per format: ${stated} (as render.maxBytes in a deployment config)`);
    expect(stated).toBe('cef 64–1024000, rfc5424 128–1024000, leef 128–1024000, ecs 256–1024000');
    for (const f of FORMATS) {
      const [min, max] = MAX_BYTES_RANGE[f];
      for (const n of [min - 1, max + 1]) {
        const r = render(['--format', f, '--max-bytes', String(n)], at('2026-01-19T10:41:00.123-03:00'));
        expect(r.code, `${f} ${n}`).toBe(2);
        expect(r.stderr.split('\n')[0]).toBe(
          `segura-relay: --max-bytes: must be an integer ${min}–${max} for --format ${f}, got ${n}`,
        );
        expect(renderOptionIssues({ maxBytes: n }, f, 'destinations[0].render')).toEqual([
          `destinations[0].render.maxBytes: must be an integer ${min}–${max} for format ${f}, got ${n}`,
        ]);
      }
      expect(renderOptionIssues({ maxBytes: min }, f, 'd')).toEqual([]);
      expect(render(['--format', f, '--max-bytes', String(min)], '').code).toBe(0);
    }
  }, 120_000);

  it('the budget message: one form for every format, exact at the boundary', () => {
    const msg = 'x'.repeat(400);
    const line = at('2026-01-19T10:41:00.123-03:00', msg);
    for (const f of FORMATS) {
      const full = render(['--format', f], line).stdout.trimEnd();
      // ECS writes the text twice (message and segura.fields.msg)
      const copies = f === 'ecs' ? 2 : 1;
      const fixed = Buffer.byteLength(full, 'utf8') - copies * msg.length;
      const mark = 3 * copies;
      const fits = render(['--format', f, '--max-bytes', String(fixed + mark)], line);
      expect(fits.code, f).toBe(0);
      const out = fits.stdout.trimEnd();
      expect(Buffer.byteLength(out, 'utf8'), f).toBeLessThanOrEqual(fixed + mark);
      expect(out, f).toContain('…');
      expect(fits.stderr).toBe('rendered 1, failed 0, truncated 1\n');
      const over = render(['--format', f, '--max-bytes', String(fixed + mark - 1)], line);
      expect(over.code, f).toBe(1);
      expect(over.stderr.split('\n')[0]).toBe(
        `line 1: event 164 (${f}): needs at least ${fixed + mark} bytes (${fixed} without the message text + ${mark} for the truncation mark "…"), over the ${fixed + mark - 1}-byte budget`,
      );
    }
  }, 180_000);
});
