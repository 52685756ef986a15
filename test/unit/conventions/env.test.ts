/**
 * Typed environment getters (shared/config/env.ts) and frozen function configs: a bad value is a
 * ConfigError naming the variable; a parsed config cannot be changed after cold start.
 */
import { describe, expect, it } from 'vitest';
import { loadFirehoseConfig } from '../../../functions/deliver-firehose/config.js';
import { loadNormalizeConfig } from '../../../functions/normalize/config.js';
import { boolean, frozen, integer, optional, required } from '../../../shared/config/env.js';
import { ENV } from '../../../shared/contracts/index.js';
import { ConfigError } from '../../../shared/errors.js';

const N = 'SOME_SETTING';

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('typed getters', () => {
  it('required: trimmed; unset or blank is a ConfigError naming the variable', () => {
    expect(required({ [N]: '  x ' }, N)).toBe('x');
    for (const env of [{}, { [N]: '' }, { [N]: '   ' }]) {
      const e = configError(() => required(env, N));
      expect(e.setting).toBe(N);
      expect(e.message).toBe(`${N}: is required`);
    }
  });

  it('optional: trimmed, undefined when unset or blank', () => {
    expect(optional({ [N]: ' http://127.0.0.1:4566 ' }, N)).toBe('http://127.0.0.1:4566');
    expect(optional({}, N)).toBeUndefined();
    expect(optional({ [N]: ' ' }, N)).toBeUndefined();
  });

  it('integer: the fallback when unset, the bounds inclusive, anything else refused with the value', () => {
    const o = { min: 1024, max: 1_048_576, fallback: 262_144 };
    expect(integer({}, N, o)).toBe(262_144);
    expect(integer({ [N]: '' }, N, o)).toBe(262_144);
    expect(integer({ [N]: '1024' }, N, o)).toBe(1024);
    expect(integer({ [N]: ' 1048576 ' }, N, o)).toBe(1_048_576);
    for (const bad of ['1023', '1048577', '2048.5', '0x800', '1e4', 'abc', '-5', '99999999999999999999']) {
      const e = configError(() => integer({ [N]: bad }, N, o));
      expect(e.message).toBe(`${N}: an integer 1024–1048576, got ${bad}`);
    }
  });

  it('boolean: exactly true or false, the fallback when unset', () => {
    expect(boolean({}, N, false)).toBe(false);
    expect(boolean({}, N, true)).toBe(true);
    expect(boolean({ [N]: 'true' }, N, false)).toBe(true);
    expect(boolean({ [N]: 'false' }, N, true)).toBe(false);
    for (const bad of ['yes', '1', 'TRUE', 'on']) {
      expect(configError(() => boolean({ [N]: bad }, N, false)).message).toBe(`${N}: true or false, got ${bad}`);
    }
  });
});

describe('frozen configs', () => {
  it('freezes plain objects and arrays all the way down, not class instances', () => {
    class Renderer {
      calls = 0;
    }
    const r = new Renderer();
    const c = frozen({ a: { b: [1, { c: 2 }] }, r, s: new Set([1]) });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.a)).toBe(true);
    expect(Object.isFrozen(c.a.b)).toBe(true);
    expect(Object.isFrozen(c.a.b[1])).toBe(true);
    expect(Object.isFrozen(r)).toBe(false);
    r.calls++;
    expect(c.r.calls).toBe(1);
    expect(() => {
      (c.a as { b: unknown }).b = [];
    }).toThrow(TypeError);
  });

  it('the functions load frozen configs', () => {
    const base = {
      [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
    };
    const n = loadNormalizeConfig({
      ...base,
      [ENV.eventsTopicArn]: 'arn:aws:sns:us-east-1:123456789012:events',
      [ENV.maxInputBytes]: '4096',
      [ENV.allowSecretFields]: 'true',
    });
    expect(n).toMatchObject({ maxInputBytes: 4096, allowSecretFields: true, endpoint: undefined });
    expect(Object.isFrozen(n)).toBe(true);
    const f = loadFirehoseConfig({
      ...base,
      [ENV.destination]: JSON.stringify({ name: 'archive', deliveryStreamName: 'archive', format: 'cef' }),
      [ENV.awsEndpoint]: 'http://127.0.0.1:4566',
    });
    expect(f.firehoseEndpoint).toBe('http://127.0.0.1:4566');
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.isFrozen(f.destination)).toBe(true);
  });
});
