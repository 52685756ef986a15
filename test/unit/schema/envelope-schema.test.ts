import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/errors.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';

// The committed JSON Schema and the hand-written parser must agree: what one accepts the other
// accepts (calendar checks such as Feb 30 and leap seconds are the parser's alone).
const schema = JSON.parse(readFileSync(new URL('../../../schemas/envelope.v1.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

const parserAccepts = (v: unknown): boolean => {
  try {
    parseInput(JSON.stringify(v));
    return true;
  } catch (e) {
    if (e instanceof InvalidEventError) return false;
    throw e;
  }
};

describe('envelope v1 JSON Schema', () => {
  it('accepts its own example and the issue example', () => {
    for (const ex of schema.examples) {
      expect(validate(ex)).toBe(true);
      expect(parserAccepts(ex)).toBe(true);
    }
  });

  it.each<[unknown, string]>([
    [{ id: 164 }, 'id as number'],
    [{ id: '1', feilds: {} }, 'unknown property'],
    [{ id: '1', severity: 11 }, 'severity out of range'],
    [{ id: '1', timestamp: '2026-01-19T10:41:00' }, 'timestamp without offset'],
    [{ id: '1', fields: { 'a b': 'x' } }, 'bad key'],
    [{ id: '1', fields: { a: { b: 1 } } }, 'nested value'],
    [{ id: 'x|y' }, 'id with pipe'],
    [{}, 'missing id'],
    [{ id: '1', version: 2 }, 'future version'],
    [{ id: '1', deviceVersion: 3 }, 'device version as number'],
    [{ id: '1', product: '' }, 'empty product'],
    [{ id: '1', deviceVersion: 'v'.repeat(32) }, 'device version longer than 31'],
  ])('rejects %j (%s) in both', (v, _why) => {
    expect(validate(v)).toBe(false);
    expect(parserAccepts(v)).toBe(false);
  });

  it('agrees with the parser on generated near-valid envelopes', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer({ min: -2, max: 12 }),
      fc.constant(null),
      fc.boolean(),
    );
    const envelope = fc.record(
      {
        id: fc.oneof(
          fc.constantFrom('1', '336.501', '164', '9001', ' 7 ', ''),
          fc.string({ maxLength: 6 }),
          fc.integer(),
        ),
        name: fc.oneof(fc.constant('Password Viewed'), fc.string({ maxLength: 5 }), fc.constant(null)),
        severity: fc.oneof(fc.integer({ min: -1, max: 11 }), fc.constant(null), fc.constant('5')),
        timestamp: fc.oneof(
          fc.constantFrom('2026-01-19T10:41:00.123-03:00', '2026-01-19T10:41:00Z', '2026-01-19 10:41:00', 'yesterday'),
          fc.integer({ min: -5, max: 2_000_000_000_000 }),
        ),
        pid: fc.oneof(fc.integer({ min: -1, max: 99999 }), fc.string({ maxLength: 4 })),
        product: fc.oneof(
          fc.constantFrom('Segura', 'senhasegura', '', '  ', 'x'.repeat(64)),
          fc.constant(null),
          fc.integer(),
        ),
        deviceVersion: fc.oneof(
          fc.constantFrom('3.27.0-4', '', ' ', '9'.repeat(31), '9'.repeat(32)),
          fc.string({ maxLength: 3 }),
        ),
        fields: fc.dictionary(fc.constantFrom('msg', 'suser', 'dst', 'a b', '9x', 'cs1', 'x.y'), value, { maxKeys: 4 }),
        extra: fc.constant(1),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, (v) => {
        expect(parserAccepts(v)).toBe(validate(v));
      }),
      { numRuns: 600 },
    );
  });
});
