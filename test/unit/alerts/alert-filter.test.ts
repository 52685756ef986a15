/**
 * The alerts subscription's filter policy, derived at synth from the rules document
 * (infra/config/alert-filter.ts): its keys are attributes normalize publishes, with their data
 * types; it reads the document as the engine compiles it; it stays within SNS's limits (5 keys,
 * 150 combinations); a rules file it cannot express gives no policy and says why.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  alertFilterPolicy,
  type FilterPolicy,
  MAX_FILTER_COMBINATIONS,
  policyKeys,
  readRulesDocument,
  SYSLOG_SEVERITY_NAMES,
} from '../../../infra/config/alert-filter.js';
import { loadRulesFile, parseRulesText } from '../../../shared/alerts/rules-file.js';
import { EVENT_ATTRIBUTES } from '../../../shared/config/event-attributes.js';
import { attributesOf } from '../../../shared/deliver/events-publisher.js';
import { SYSLOG_SEVERITY_NAMES as ENGINE_NAMES } from '../../../shared/model/severity.js';
import { event } from './fixtures.js';

const DEFAULT_RULES = fileURLToPath(new URL('../../../alerts/default-rules.yaml', import.meta.url));
const r = (id: string, match: unknown) => ({ id, name: id, channels: ['email'], match });
const doc = (...rules: unknown[]) => ({ version: 1, rules });
type Branch = NonNullable<FilterPolicy['$or']>[number];

describe('alerts filter policy', () => {
  it('uses attributes normalize publishes, with their data types', () => {
    const attrs = attributesOf(event({ id: '88', severity: 7 })) ?? {};
    expect(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v.DataType]))).toEqual(EVENT_ATTRIBUTES);
    expect(SYSLOG_SEVERITY_NAMES).toEqual(ENGINE_NAMES);
  });

  it('derives an $or policy from the default rules, on the categories and ids the engine compiled', () => {
    const f = alertFilterPolicy(readRulesDocument(DEFAULT_RULES));
    if (f.policy === undefined) throw new Error(f.reason);
    for (const k of policyKeys(f.policy)) expect(Object.keys(EVENT_ATTRIBUTES)).toContain(k);
    expect(f.combinations).toBeLessThanOrEqual(MAX_FILTER_COMBINATIONS);
    const branches: Branch[] = f.policy.$or ?? [];
    const engine = loadRulesFile(DEFAULT_RULES).rules.flatMap((x) => x.match);
    const ids = [...new Set(engine.flatMap((c) => [...(c.eventIds ?? [])]))].sort();
    const cats = [...new Set(engine.flatMap((c) => (c.notifications ?? []).map((n) => n.category)))].sort();
    expect(branches.find((b) => b.eventId)?.eventId).toEqual(ids);
    expect(branches.find((b) => b.category)?.category).toEqual(cats);
    expect(ids).toContain('88');
    expect(cats).toContain('User Behavior');
  });

  it('keeps a clause with several criteria as its own AND branch, and merges severities loosest-first', () => {
    const f = alertFilterPolicy(
      doc(
        r('a', { eventIds: ['19'], minSeverity: 7 }),
        r('b', { minSeverity: 8 }),
        r('c', { minSeverity: 5 }),
        r('d', { minSeverity: 'err' }),
        r('e', { minSeverity: 'crit' }),
        { ...r('f', { minSeverity: 0 }), enabled: false },
      ),
    );
    if (f.policy === undefined) throw new Error(f.reason);
    expect(f.policy.$or).toEqual([
      { severity: [{ numeric: ['>=', 5] }] },
      { syslogSeverity: [{ numeric: ['<=', 3] }] },
      { eventId: ['19'], severity: [{ numeric: ['>=', 7] }] },
    ]);
  });

  it('is one plain policy when every clause has the same single key', () => {
    const f = alertFilterPolicy(
      doc(
        r('a', { notifications: ['Master Key / Failed recovery attempt'] }),
        r('b', { notifications: 'Emergency Panel' }),
      ),
    );
    expect(f.policy).toEqual({ category: ['Emergency Panel', 'Master Key'] });
  });

  it('has no policy, with the reason, when a clause matches on fields only', () => {
    const f = alertFilterPolicy(doc(r('a', { eventIds: ['19'] }), r('b', [{ fields: { suser: 'root' } }])));
    expect(f.policy).toBeUndefined();
    if (f.policy === undefined) expect(f.reason).toMatch(/rule b \(match clause 1\) has no event id/);
  });

  it('leaves a layouts criterion to the function: alone it gives no policy, next to a category it only narrows', () => {
    const alone = alertFilterPolicy(doc(r('a', { layouts: ['master-key-recovery-failed'] })));
    expect(alone.policy).toBeUndefined();
    if (alone.policy === undefined)
      expect(alone.reason).toMatch(
        /rule a \(match clause 1\) has no event id.*\(layouts and fields are checked by the function\)/,
      );
    const narrowed = alertFilterPolicy(
      doc(r('a', { layouts: ['master-key-recovery-failed'], notifications: ['Master Key'] })),
    );
    expect(narrowed.policy).toEqual({ category: ['Master Key'] });
    // the engine accepts both documents (the slug is a documented layout without an id)
    const text = JSON.stringify(doc(r('a', { layouts: ['master-key-recovery-failed'] })));
    expect(parseRulesText(text, 'rules.json').rules[0]?.match[0]?.layouts).toEqual(
      new Set(['master-key-recovery-failed']),
    );
  });

  it('has no policy when the strict combination count passes 150', () => {
    const origins = ['COSE', 'COSG', 'COEQ', 'COAU', 'COAC'];
    // three multi-key branches of 5 origins × 2 categories each, counted the strict way: 10 × 10 × 10
    const f = alertFilterPolicy(
      doc(
        r('a', { origins, notifications: ['Master Key', 'Emergency Panel'] }),
        r('b', { origins, notifications: ['User Behavior', 'Emergency Panel'] }),
        r('c', { origins, notifications: ['User Behavior', 'Master Key'] }),
      ),
    );
    expect(f.policy).toBeUndefined();
    if (f.policy === undefined) expect(f.reason).toMatch(/1000 value combinations; SNS allows 150/);
  });

  it('has no policy for a file without enabled rules', () => {
    expect(alertFilterPolicy(doc({ ...r('a', { eventIds: ['19'] }), enabled: false })).policy).toBeUndefined();
  });
});
