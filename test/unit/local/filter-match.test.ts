/**
 * The ledger's prediction of an SNS filter policy (local/filter-match.ts) against the policies the
 * stack builds: a config filter (infra/config/filter-policy.ts) and the alerts policy derived from
 * the rules (infra/config/alert-filter.ts). The config filter's meaning is written out here
 * from the schema's descriptions, so a wrong policy or a wrong matcher both fail.
 */
import { describe, expect, it } from 'vitest';
import { alertFilterPolicy } from '../../../infra/config/alert-filter.js';
import { eventFilterPolicy } from '../../../infra/config/filter-policy.js';
import type { EventFilter } from '../../../infra/config/types.js';
import { passesFilter, policyMatches } from '../../../local/filter-match.js';
import { expectedEvent } from '../../../local/ledger.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { admits } from '../../helpers/filter-oracle.js';

const events = [...sampleEvents(300, 7)].map((e) => expectedEvent(JSON.stringify(e)));

describe('filter policy prediction', () => {
  const ids = [...new Set(events.map((e) => e.eventId))].slice(0, 3);
  const categories = [...new Set(events.map((e) => e.category).filter((c): c is string => c !== null))].slice(0, 2);
  const filters: EventFilter[] = [
    { minSeverity: 3 },
    { minSeverity: 8 },
    { eventIds: ids },
    { excludeEventIds: ids },
    { categories },
    { minSeverity: 5, categories },
  ];
  for (const f of filters) {
    it(`config filter ${JSON.stringify(f)}: the policy admits exactly what the filter means`, () => {
      const policy = eventFilterPolicy(f);
      const got = events.filter((e) => passesFilter(policy, e)).length;
      const want = events.filter((e) => admits(f, e)).length;
      expect(got).toBe(want);
      // the sample exercises both sides
      expect(want).toBeGreaterThan(0);
      expect(want).toBeLessThan(events.length);
    });
  }

  it('no policy: every event', () => {
    expect(events.every((e) => passesFilter(undefined, e))).toBe(true);
  });

  it('$or branches, numeric <= on syslogSeverity, and a missing attribute', () => {
    const attrs = {
      eventId: { type: 'String', value: '164' },
      syslogSeverity: { type: 'Number', value: '2' },
    };
    expect(policyMatches({ $or: [{ eventId: ['999'] }, { syslogSeverity: [{ numeric: ['<=', 3] }] }] }, attrs)).toBe(
      true,
    );
    expect(policyMatches({ $or: [{ eventId: ['999'] }, { syslogSeverity: [{ numeric: ['<=', 1] }] }] }, attrs)).toBe(
      false,
    );
    expect(policyMatches({ origin: ['COSE'] }, attrs)).toBe(false);
    expect(() => policyMatches({ eventId: [{ prefix: '1' }] }, attrs)).toThrow(/unsupported condition/);
  });

  it('the alerts policy derived from a rules document selects the events its clauses name', () => {
    const id = ids[0] as string;
    const derived = alertFilterPolicy({
      rules: [
        { id: 'a', match: { eventIds: [id] } },
        { id: 'b', match: { minSeverity: 9 } },
      ],
    });
    expect(derived.policy).toBeDefined();
    const want = events.filter((e) => e.eventId === id || e.cefSeverity >= 9).length;
    expect(events.filter((e) => passesFilter(derived.policy, e)).length).toBe(want);
    expect(want).toBeGreaterThan(0);
  });
});
