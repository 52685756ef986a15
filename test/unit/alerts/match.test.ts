/**
 * Rule matching: each criterion, AND within a clause, OR across clauses, and regexes on bounded input.
 */
import { describe, expect, it } from 'vitest';
import { catalogFeed } from '../../../local/catalog-feed.js';
import { eventRef, idLessLayoutOf } from '../../../shared/alerts/event-ref.js';
import { MAX_REGEX_INPUT, matchingRules, ruleMatches } from '../../../shared/alerts/match.js';
import { entryOf } from '../../../shared/alerts/summary.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { event, rule, ruleSet } from './fixtures.js';

const backupError = event({ id: '19', fields: { msg: 'Backup failed: disk full', dhost: 'nas-01', suser: 'svc' } });
const passwordViewed = event({ id: '1', fields: { suser: 'jsilva', duser: 'root', dhost: 'db01' } });
const cpuCritical = event({ id: '39', fields: { msg: 'CPU at 97%' } });
const masterKeyFailed = event({
  id: '9001', // unknown id: resolved by the documented layout signature
  fields: { sourceServiceName: 'Master Key', act: 'Recovery attempt failed', suser: 'jsilva' },
});

describe('ruleMatches', () => {
  it.each<[string, Record<string, unknown>, boolean[]]>([
    // [backupError, passwordViewed, cpuCritical, masterKeyFailed]
    ['eventIds', { eventIds: ['19', '39'] }, [true, false, true, false]],
    ['SUID message type id', { eventIds: ['164'] }, [false, false, false, false]],
    ['a whole category', { notifications: ['Password Backup'] }, [true, false, false, false]],
    ['category / type', { notifications: ['Monitoring / CPU Usage - Critical'] }, [false, false, true, false]],
    [
      'a type of another category does not match',
      { notifications: ['Monitoring / CPU Usage - High'] },
      [false, false, false, false],
    ],
    [
      'layout-resolved notification',
      { notifications: ['Master Key / Failed recovery attempt'] },
      [false, false, false, true],
    ],
    ['a layout without an id, by slug', { layouts: ['master-key-recovery-failed'] }, [false, false, false, true]],
    ['another layout without an id', { layouts: ['master-key-recovery-succeeded'] }, [false, false, false, false]],
    ['origins', { origins: ['COBA', 'COSE'] }, [true, true, false, false]],
    ['minSeverity as CEF (≥ 7)', { minSeverity: 7 }, [true, false, true, true]],
    ['minSeverity as syslog name (crit or worse)', { minSeverity: 'crit' }, [false, false, true, true]],
    ['field equals', { fields: { dhost: 'db01' } }, [false, true, false, false]],
    ['field equals any of a list', { fields: { suser: ['svc', 'jsilva'] } }, [true, true, false, true]],
    ['field regex', { fields: { msg: { regex: '\\d+%' } } }, [false, false, true, false]],
    [
      'field regex ignoreCase',
      { fields: { msg: { regex: 'BACKUP FAILED', ignoreCase: true } } },
      [true, false, false, false],
    ],
    ['absent field never matches', { fields: { cs9: { regex: '.*' } } }, [false, false, false, false]],
    [
      'AND within a clause',
      { origins: ['COBA'], minSeverity: 'err', fields: { dhost: 'nas-01' } },
      [true, false, false, false],
    ],
    ['AND fails on one criterion', { origins: ['COBA'], fields: { dhost: 'db01' } }, [false, false, false, false]],
  ])('%s', (_what, match, expected) => {
    const r = rule({ match });
    expect([backupError, passwordViewed, cpuCritical, masterKeyFailed].map((e) => ruleMatches(r, e))).toEqual(expected);
  });

  it('OR across clauses', () => {
    const r = rule({ match: [{ eventIds: ['1'] }, { notifications: ['Monitoring'] }] });
    expect([backupError, passwordViewed, cpuCritical, masterKeyFailed].map((e) => ruleMatches(r, e))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it(`a regex sees at most ${MAX_REGEX_INPUT} characters of a value`, () => {
    const r = rule({ match: { fields: { msg: { regex: 'needle' } } } });
    const early = event({ id: '1', fields: { msg: `${'x'.repeat(MAX_REGEX_INPUT - 10)}needle` } });
    const late = event({ id: '1', fields: { msg: `${'x'.repeat(MAX_REGEX_INPUT)}needle` } });
    expect(ruleMatches(r, early)).toBe(true);
    expect(ruleMatches(r, late)).toBe(false);
  });
});

describe('the default pack on the catalog', () => {
  it('every catalog event is evaluated and the expected notification types fire', () => {
    const set = ruleSet([
      { id: 'mk', name: 'mk', channels: ['sms'], match: { notifications: ['Master Key / Failed recovery attempt'] } },
      {
        id: 'cert',
        name: 'cert',
        channels: ['email'],
        match: { notifications: ['Certificates / Certificate expiration alert: Today'] },
      },
    ]);
    const fired = catalogFeed()
      .map((env) => parseInput(JSON.stringify(env)))
      .flatMap((e) => matchingRules(set.rules, e).map((r) => `${r.id}:${e.name}`));
    expect(fired).toEqual(['cert:Certificate Expiration Alert: Today', 'mk:Master Key - Recovery Attempt Failed']);
  });
});

describe('events without a catalog id are named by their layout', () => {
  it('in messages ({{event.ref}}), the dry run and suppression summaries; catalog events by their id', () => {
    expect(idLessLayoutOf(masterKeyFailed)).toBe('master-key-recovery-failed');
    expect(eventRef(masterKeyFailed)).toBe('layout master-key-recovery-failed');
    expect(entryOf(masterKeyFailed, 'r').eventId).toBe('layout master-key-recovery-failed');
    expect(idLessLayoutOf(backupError)).toBeNull();
    expect(eventRef(backupError)).toBe('id 19');
    expect(entryOf(backupError, 'r').eventId).toBe('19');
  });
});
