/**
 * The committed JSON Schema (used by editors and by the CDK app at synth) and the validator the
 * function runs must agree on structure: what one accepts the other accepts. What only the validator
 * checks (catalog ids, templates, regex safety, secrets) is listed in the schema's description and
 * tested here on documents the schema accepts.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RulesError, validateRules } from '../../../shared/alerts/validate.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../schemas/alert-rules.v1.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const schemaAccepts = ajv.compile(schema);

function validatorAccepts(doc: unknown): boolean {
  try {
    validateRules(doc);
    return true;
  } catch (e) {
    if (e instanceof RulesError) return false;
    throw e;
  }
}

const good = { id: 'r', name: 'R', channels: ['email'], match: { eventIds: ['19'] } };
const doc = (rule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  ...extra,
  rules: [rule],
});

describe('alert rules v1 JSON Schema', () => {
  it('accepts the default pack and its own example, as does the validator', () => {
    const pack = parseYaml(readFileSync(new URL('../../../alerts/default-rules.yaml', import.meta.url), 'utf8'));
    for (const d of [pack, ...schema.examples]) {
      expect(schemaAccepts(d), JSON.stringify(schemaAccepts.errors)).toBe(true);
      expect(validatorAccepts(d)).toBe(true);
    }
  });

  it.each<[string, unknown]>([
    ['no version', { rules: [good] }],
    ['version 2', { version: 2, rules: [good] }],
    ['no rules', { version: 1, rules: [] }],
    ['unknown top-level key', { version: 1, rules: [good], extra: 1 }],
    ['rule without id', doc({ ...good, id: undefined })],
    ['bad id', doc({ ...good, id: 'Bad_Id' })],
    ['blank name', doc({ ...good, name: '  ' })],
    ['name with a control character', doc({ ...good, name: 'a\tb' })],
    ['unknown rule key', doc({ ...good, chanels: ['sms'] })],
    ['unknown channel', doc({ ...good, channels: ['pager'] })],
    ['duplicate channel', doc({ ...good, channels: ['sms', 'sms'] })],
    ['empty channels', doc({ ...good, channels: [] })],
    ['empty match list', doc({ ...good, match: [] })],
    ['empty clause', doc({ ...good, match: {} })],
    ['unknown clause key', doc({ ...good, match: { eventId: ['19'] } })],
    ['blank event id', doc({ ...good, match: { eventIds: [' '] } })],
    ['CEF severity 11', doc({ ...good, match: { minSeverity: 11 } })],
    ['syslog name in capitals', doc({ ...good, match: { minSeverity: 'ERR' } })],
    ['field key with a space', doc({ ...good, match: { fields: { 'a b': 'x' } } })],
    ['field condition without equals or regex', doc({ ...good, match: { fields: { msg: { ignoreCase: true } } } })],
    ['regex too long', doc({ ...good, match: { fields: { msg: { regex: 'a'.repeat(300) } } } })],
    ['throttle true', doc({ ...good, throttle: true })],
    ['throttle without window', doc({ ...good, throttle: { key: ['event.host'] } })],
    ['window with a space', doc({ ...good, throttle: { window: '10 m' } })],
    ['window 0 seconds', doc({ ...good, throttle: { window: 0 } })],
    ['unknown template', doc({ ...good, templates: { push: 'x' } })],
    ['sms template too long', doc({ ...good, templates: { sms: 'x'.repeat(481) } })],
    ['chat payload not an object', doc({ ...good, templates: { chat: 'text' } })],
    ['level urgent', doc({ ...good, level: 'urgent' })],
    ['bad display name', doc(good, { settings: { smsDisplayName: 'SEGURA!' } })],
    ['unknown setting', doc(good, { settings: { smsMax: 160 } })],
    ['rate cap 0', doc({ ...good, rateCap: { max: 0, window: '1h' } })],
    ['rate cap true', doc({ ...good, rateCap: true })],
    ['rate cap without window', doc({ ...good, rateCap: { max: 5 } })],
    ['rate cap for an unknown channel', doc(good, { settings: { rateCaps: { perChannel: { pager: false } } } })],
    ['rate caps not an object', doc(good, { settings: { rateCaps: 5 } })],
  ])('rejects %s in both', (_why, d) => {
    expect(schemaAccepts(d)).toBe(false);
    expect(validatorAccepts(d)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['unknown event id', doc({ ...good, match: { eventIds: ['999'] } })],
    ['unknown notification type', doc({ ...good, match: { notifications: ['Master Key / Lost'] } })],
    ['secret placeholder', doc({ ...good, templates: { emailBody: '{{fields.password}}' } })],
    ['catastrophic regex', doc({ ...good, match: { fields: { msg: { regex: '(a+)+' } } } })],
    ['window over 7 days', doc({ ...good, throttle: { window: '30d' } })],
    ['missing channels', doc({ ...good, channels: undefined })],
    ['rate cap window over 7 days', doc({ ...good, rateCap: { max: 5, window: '8d' } })],
    [
      'throttle key on a field whose label is pinned secret',
      doc({
        ...good,
        match: { eventIds: ['19'], fields: { cs1Label: 'Senha' } },
        throttle: { window: '10m', key: ['fields.cs1'] },
      }),
    ],
    ['regex RE2 cannot run (lookahead)', doc({ ...good, match: { fields: { msg: { regex: 'a(?=b)' } } } })],
  ])('%s: structurally valid, rejected by the validator only', (_why, d) => {
    expect(schemaAccepts(d)).toBe(true);
    expect(validatorAccepts(d)).toBe(false);
  });

  it('agrees with the validator on generated rules mixing valid and structurally wrong parts', () => {
    // mostly valid parts (weight 12) with a structural mistake now and then (weight 1)
    const mix = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 });
    const stringList = (valid: string[]) =>
      mix(
        fc.oneof(fc.constantFrom(...valid), fc.subarray(valid, { minLength: 1 })),
        fc.constantFrom<unknown>([], '', [''], 5, null, { a: 1 }),
      );
    const clause = fc
      .record(
        {
          eventIds: stringList(['19', '20', '336.501', '164']),
          notifications: stringList(['Master Key', 'Monitoring / CPU Usage - Critical']),
          origins: stringList(['COBA', 'Orbit']),
          minSeverity: mix(
            fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom('err', 'crit')),
            fc.constantFrom<unknown>(-1, 11, 'Err', 'x', 2.5),
          ),
          fields: mix(
            fc.constantFrom<unknown>(
              { act: 'Recovery attempt failed' },
              { msg: { regex: 'fail', ignoreCase: true } },
              { msg: { equals: ['a', 'b'] } },
            ),
            fc.constantFrom<unknown>({}, { msg: {} }, { msg: { regex: '' } }, { '9x': 'a' }, { msg: 3 }),
          ),
          extra: fc.constant(1),
        },
        { requiredKeys: [] },
      )
      // an unknown key now and then
      .map((c) => (JSON.stringify(c).length % 11 === 0 ? c : (({ extra: _x, ...rest }) => rest)(c)));
    const rule = fc.record(
      {
        id: mix(fc.constantFrom('rule-a', 'b'), fc.constantFrom<unknown>('Bad', '', 7)),
        name: mix(fc.constant('Name'), fc.constantFrom<unknown>(' ', 'two\nlines', 3)),
        description: mix(fc.constant('Why it matters'), fc.constantFrom<unknown>('', 'x\u0007')),
        enabled: mix(fc.boolean(), fc.constant('yes')),
        level: mix(fc.constantFrom('critical', 'low'), fc.constant('urgent')),
        match: mix(fc.oneof(clause, fc.array(clause, { minLength: 1, maxLength: 2 })), fc.constant([])),
        channels: mix(
          fc.constantFrom<unknown>('sms', ['email', 'chat'], ['ticket']),
          fc.constantFrom<unknown>([], ['pager'], ['sms', 'sms'], 'x'),
        ),
        throttle: mix(
          fc.constantFrom<unknown>(
            false,
            null,
            { window: '10m' },
            { window: 600, key: ['event.host', 'fields.dhost'] },
          ),
          fc.constantFrom<unknown>(true, { window: '10 m' }, { key: [] }, { window: 0 }, { window: '1m', extra: 1 }),
        ),
        rateCap: mix(
          fc.constantFrom<unknown>(false, null, { max: 5, window: '10m' }, { max: 100, window: 3600 }),
          fc.constantFrom<unknown>(true, { max: 0, window: '1h' }, { max: 5 }, { max: 5, window: '1h', x: 1 }),
        ),
        templates: mix(
          fc.constantFrom<unknown>({ sms: 'S {{event.name}}' }, { chat: { text: '{{rule.name}}', n: 1 } }),
          fc.constantFrom<unknown>({ sms: 5 }, { chat: [] }, { push: 'x' }),
        ),
      },
      { requiredKeys: ['id', 'name', 'match', 'channels'] },
    );
    const document = fc.record(
      {
        version: mix(fc.constant(1), fc.constantFrom<unknown>(2, '1')),
        settings: mix(
          fc.constantFrom<unknown>(
            { smsTransliterate: false },
            { smsDisplayName: 'SEGURA' },
            { rateCaps: { perRule: false, perChannel: { sms: { max: 5, window: '1h' }, chat: false } } },
          ),
          fc.constantFrom<unknown>({ smsTransliterate: 'no' }, { rateCaps: { perChannel: { pager: false } } }),
        ),
        rules: mix(fc.array(rule, { minLength: 1, maxLength: 3 }), fc.constantFrom<unknown>([], null)),
      },
      { requiredKeys: ['version', 'rules'] },
    );
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(document, (d) => {
        // duplicate rule ids are a validator-only check: make ids unique
        const rules = (d as { rules?: unknown }).rules;
        if (Array.isArray(rules))
          rules.forEach((r, i) => {
            if (typeof (r as { id?: unknown }).id === 'string' && i > 0) (r as { id: string }).id += `-${i}`;
          });
        const ok = schemaAccepts(d);
        expect(validatorAccepts(d)).toBe(ok);
        seen[ok ? 'accepted' : 'rejected']++;
      }),
      { numRuns: 1000 },
    );
    // both outcomes were exercised, not just the easy one
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(50);
  });
});
