/**
 * Error conventions: every error class carries an ES2022 `cause`, the relay's errors a machine
 * `code` from the base class, and thrown values are narrowed with one helper (toError /
 * errorMessage), never with an `as Error` cast.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../../infra/config/errors.js';
import { IdKeyError } from '../../../shared/alerts/identity.js';
import { RegexSyntaxError } from '../../../shared/alerts/regex.js';
import { TemplateError } from '../../../shared/alerts/template.js';
import { RulesError } from '../../../shared/alerts/validate.js';
import { RelpErrorCode, RelpProtocolError } from '../../../shared/deliver/syslog/relp-frame.js';
import {
  ConfigError,
  DeliveryError,
  errorMessage,
  InvalidEventError,
  PipelineError,
  RenderError,
  toError,
} from '../../../shared/errors.js';
import { BudgetError } from '../../../shared/render/budget.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('every error class carries a cause', () => {
  const cause = new Error('the socket closed');
  const made: Array<[string, (o: ErrorOptions) => Error]> = [
    ['PipelineError', (o) => new PipelineError('m', true, o)],
    ['InvalidEventError', (o) => new InvalidEventError('fields.dst', 'not an address', 'schema', o)],
    ['RenderError', (o) => new RenderError('bad SD-ID', o)],
    ['ConfigError', (o) => new ConfigError('DESTINATION', 'not JSON', o)],
    ['DeliveryError', (o) => new DeliveryError('siem', 'refused', true, o)],
    ['RelpProtocolError', (o) => new RelpProtocolError(RelpErrorCode.txnr, 'no txnr', o)],
    ['BudgetError', (o) => new BudgetError('CEF', 5000, 4096, 3, o)],
    ['RegexSyntaxError', (o) => new RegexSyntaxError('(?=', o)],
    ['TemplateError', (o) => new TemplateError('bad path', o)],
    ['IdKeyError', (o) => new IdKeyError('too short', o)],
    ['RulesError', (o) => new RulesError([], 'rules.yaml', o)],
    ['ConfigValidationError', (o) => new ConfigValidationError('x.json', ['a: b'], o)],
  ];

  it.each(made)('%s', (name, make) => {
    const e = make({ cause });
    expect(e.name).toBe(name);
    expect(e.cause).toBe(cause);
    // without one, no `cause` key at all (not an own property set to undefined)
    expect(Object.hasOwn(make({}), 'cause')).toBe(false);
  });
});

describe('code on the base class', () => {
  it('each relay error has its machine code; subclasses narrow it', () => {
    expect(new PipelineError('m', true).code).toBe('pipeline');
    expect(new PipelineError('m', true, { code: 'throttled' }).code).toBe('throttled');
    expect(new InvalidEventError('f', 'r').code).toBe('schema');
    expect(new InvalidEventError('f', 'r', 'oversize').code).toBe('oversize');
    expect(new RenderError('m').code).toBe('render');
    expect(new BudgetError('CEF', 1, 0, 0).code).toBe('render');
    expect(new ConfigError('S', 'r').code).toBe('config');
    expect(new DeliveryError('d', 'm').code).toBe('delivery');
    expect(new RelpProtocolError(RelpErrorCode.txnr, 'm').code).toBe(RelpErrorCode.txnr);
    for (const e of [new RenderError('m'), new ConfigError('S', 'r'), new InvalidEventError('f', 'r')])
      expect(e).toBeInstanceOf(PipelineError);
  });
});

describe('one helper narrows unknown', () => {
  it('toError keeps Errors and wraps anything else with it as cause', () => {
    const e = new TypeError('x');
    expect(toError(e)).toBe(e);
    for (const v of ['text', 42, null, undefined, { code: 'E' }]) {
      const w = toError(v);
      expect(w).toBeInstanceOf(Error);
      expect(w.message).toBe(`non-Error thrown: ${String(v)}`);
      expect(w.cause).toBe(v);
    }
  });

  it('errorMessage is the message of any thrown value', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('boom')).toBe('non-Error thrown: boom');
  });

  it('no `as Error` cast is left in the code', () => {
    const casts: string[] = [];
    const dirs = ['functions', 'shared', 'infra', 'cli', 'local', 'scripts', 'test', 'bridge'];
    for (const dir of dirs.filter((d) => existsSync(join(ROOT, d)))) {
      for (const d of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (!d.isFile() || !/\.(ts|mjs)$/.test(d.name)) continue;
        const file = join(d.parentPath, d.name);
        if (file === fileURLToPath(import.meta.url)) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/\bas Error\)|= \w+ as Error;/.test(line)) casts.push(`${file.slice(ROOT.length)}:${i + 1}`);
          });
      }
    }
    expect(casts).toEqual([]);
  });
});
