/**
 * Oversized inputs are refused with a typed error (and never buffered whole by the CLI), while
 * everything around them still gets through.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../shared/errors.js';
import { DEFAULT_MAX_INPUT_BYTES, parseInput } from '../../shared/parse/parse-payload.js';

beforeAll(() => {
  expect(spawnSync(process.execPath, ['scripts/build-cli.mjs']).status).toBe(0);
});

describe('oversized inputs', () => {
  it('a payload over the SQS limit is an oversize InvalidEventError, measured in UTF-8 bytes', () => {
    // 100,000 × 'é' is 100,000 UTF-16 units but 200,000 bytes: under; 140,000 × 'é' is over
    expect(() => parseInput(JSON.stringify({ id: '1', fields: { msg: 'é'.repeat(100_000) } }))).not.toThrow();
    try {
      parseInput(JSON.stringify({ id: '1', fields: { msg: 'é'.repeat(140_000) } }));
      expect.unreachable('must be refused');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidEventError);
      expect((e as InvalidEventError).code).toBe('oversize');
      expect((e as InvalidEventError).reason).toMatch(new RegExp(`exceeds the ${DEFAULT_MAX_INPUT_BYTES}-byte limit`));
    }
  });

  it('the CLI reports a 5 MB line by number and renders the lines around it', () => {
    const good = JSON.stringify({ id: '1', timestamp: '2026-01-19T10:41:00Z', fields: { msg: 'ok' } });
    const input = `${good}\n{"id":"1","fields":{"msg":"${'x'.repeat(5_000_000)}"}}\n${good}\n`;
    const r = spawnSync(process.execPath, ['bin/segura-relay.mjs', 'render', '--format', 'cef'], {
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^line 2: oversize: 5000\d+ bytes exceeds the 262144-byte limit/m);
  });
});
