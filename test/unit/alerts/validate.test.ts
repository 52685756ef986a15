/**
 * The rules validator: the default pack is valid; every problem names the rule, the field and what
 * is wrong; all problems are reported at once; regexes are checked for catastrophic backtracking.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { regexRisk } from '../../../shared/alerts/regex-guard.js';
import { loadRulesFile, parseRulesText } from '../../../shared/alerts/rules-file.js';
import { issueText, RulesError, validateRules } from '../../../shared/alerts/validate.js';

const PACK = fileURLToPath(new URL('../../../alerts/default-rules.yaml', import.meta.url));

function issuesOf(doc: unknown): string[] {
  try {
    validateRules(doc);
  } catch (e) {
    if (e instanceof RulesError) return e.issues.map(issueText);
    throw e;
  }
  return [];
}

const base = { id: 'backup-error', name: 'Backup failed', channels: ['email'], match: { eventIds: ['19'] } };
const one = (over: Record<string, unknown>) => issuesOf({ version: 1, rules: [{ ...base, ...over }] });

describe('the default pack', () => {
  it('validates, with one enabled rule per documented concern', () => {
    const set = loadRulesFile(PACK);
    expect(set.rules.map((r) => r.id)).toEqual([
      'master-key-recovery-failed',
      'emergency-panel',
      'command-blocked-session-terminated',
      'command-blocked-or-high-risk',
      'password-change-error',
      'backup-error',
      'resource-critical',
      'low-disk-space',
      'certificate-expires-today',
      'certificate-expires-tomorrow',
      'session-recording-modified',
      'unusual-user-behaviour',
      'orbit-incident',
    ]);
    // every rule is throttled, and every SMS rule is critical or a hard failure
    for (const r of set.rules) expect(r.throttle?.windowMs).toBeGreaterThan(0);
  });

  it('its docs table lists every rule (docs/alerts.md)', () => {
    const doc = readFileSync(new URL('../../../docs/alerts.md', import.meta.url), 'utf8');
    for (const r of loadRulesFile(PACK).rules) expect(doc).toContain(`\`${r.id}\``);
  });
});

describe('every problem names the rule, the field and what is wrong', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'unknown event id',
      { match: { eventIds: ['19', '999'] } },
      'rule "backup-error" (rules[0]) match.eventIds[1]: unknown event id "999" (not in the catalog',
    ],
    [
      'unknown layout, with a hint',
      { match: { layouts: ['master-key-recovery-fail'] } },
      'match.layouts[0]: unknown layout "master-key-recovery-fail" (did you mean "master-key-recovery-failed"?); layouts without an id: master-key-key-part-viewed,',
    ],
    [
      'a layout with catalog ids is matched by its ids',
      { match: { layouts: ['password-viewed'] } },
      'match.layouts[0]: layout "password-viewed" documents catalog event ids 1: match them with eventIds',
    ],
    [
      'unknown category, with a hint',
      { match: { notifications: ['Master key'] } },
      'match.notifications[0]: unknown notification category "Master key" (did you mean "Master Key"?)',
    ],
    [
      'unknown type, with a hint',
      { match: { notifications: ['Credentials / Password Changed'] } },
      'match.notifications[0]: unknown notification type "Password Changed" in "Credentials" (did you mean "Password changed"?)',
    ],
    [
      'unknown origin',
      { match: { origins: ['COBX'] } },
      'match.origins[0]: unknown origin code "COBX" (did you mean "COBA"?)',
    ],
    [
      'bad minSeverity',
      { match: { minSeverity: 'critical' } },
      'match.minSeverity: unknown syslog severity "critical"',
    ],
    ['CEF severity out of range', { match: { minSeverity: 11 } }, 'match.minSeverity: a CEF severity 0–10'],
    ['empty clause', { match: {} }, 'match: needs at least one criterion'],
    ['channel typo', { channels: ['emial'] }, 'channels[0]: unknown channel "emial" (did you mean "email"?)'],
    ['duplicate channel', { channels: ['sms', 'sms'] }, 'channels[1]: duplicate channel "sms"'],
    ['property typo', { chanels: ['sms'] }, 'chanels: unknown property (did you mean "channels"?)'],
    [
      'bad window',
      { throttle: { window: '10 minutes' } },
      'throttle.window: "10 minutes" is not a duration like "30s", "10m", "2h" or "1d"',
    ],
    ['window over 7 days', { throttle: { window: '8d' } }, 'throttle.window: longer than 7 days'],
    [
      'throttle key on a secret',
      { throttle: { window: '1m', key: ['fields.password'] } },
      'throttle.key[0]: "fields.password" looks secret',
    ],
    [
      'throttle key on suppressed',
      { throttle: { window: '1m', key: ['suppressed'] } },
      'throttle.key[0]: "suppressed" cannot be part of a throttle key',
    ],
    [
      'secret placeholder',
      { templates: { emailBody: 'pw: {{fields.userPassword}}' } },
      'templates.emailBody: {{fields.userPassword}} looks secret',
    ],
    [
      'unknown placeholder',
      { templates: { sms: '{{event.hostname}}' } },
      'templates.sms: unknown event property "hostname"',
    ],
    [
      '{{suppressed}} in an SMS',
      { templates: { sms: 'x {{suppressed}}' } },
      'templates.sms: {{suppressed}} and {{fields}} are not allowed in an SMS',
    ],
    [
      'unsafe regex',
      { match: { fields: { msg: { regex: '(a+)+$' } } } },
      'match.fields.msg.regex: unsafe regular expression: nested quantifier "(a+)+"',
    ],
    [
      'invalid regex',
      { match: { fields: { msg: { regex: '([a-z' } } } },
      'match.fields.msg.regex: invalid regular expression',
    ],
    ['backreference', { match: { fields: { msg: { regex: '(a)\\1' } } } }, 'backreferences are not supported'],
    ['secret field condition', { match: { fields: { token: 'x' } } }, 'match.fields.token: looks secret'],
    ['bad id', { id: 'Backup Error' }, 'rule "Backup Error" (rules[0]) id: lower-case letters'],
    ['name with a line break', { name: 'a\nb' }, 'name: must be one line'],
    ['bad level', { level: 'urgent' }, 'level: one of critical, high, medium, low'],
  ])('%s', (_what, over, message) => {
    const issues = one(over);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.join('\n')).toContain(message);
  });

  it('collects every problem of every rule, and top-level ones', () => {
    const issues = issuesOf({
      version: 2,
      settings: { smsDisplayName: 'way too long display name!' },
      rules: [
        { ...base, match: { eventIds: ['999'] } },
        { ...base, id: 'backup-error', channels: ['pager'] },
        { id: 'x', name: 'no channels', match: { eventIds: ['1'] } },
      ],
    });
    expect(issues).toEqual([
      'version: must be 1, got 2',
      'settings.smsDisplayName: must be 1–20 letters, digits, spaces or hyphens (the SMS topic display name)',
      'rule "backup-error" (rules[0]) match.eventIds[0]: unknown event id "999" (not in the catalog; see `segura-relay catalog`)',
      'rule "backup-error" (rules[1]) id: duplicate rule id "backup-error"',
      'rule "backup-error" (rules[1]) channels[0]: unknown channel "pager"; one of sms, email, chat, ticket',
      'rule "x" (rules[2]) channels: is required (any of sms, email, chat, ticket) unless defaults.channels is set',
    ]);
  });

  it('defaults fill in channels, level, throttle and templates; a rule can turn a default throttle off', () => {
    const set = validateRules({
      version: 1,
      defaults: {
        channels: ['chat'],
        level: 'low',
        throttle: { window: '2h', key: ['event.host'] },
        templates: { sms: 'D {{event.name}}' },
      },
      rules: [
        { id: 'a', name: 'A', match: { eventIds: ['1'] } },
        { id: 'b', name: 'B', match: { eventIds: ['2'] }, throttle: false, level: 'critical' },
        { id: 'c', name: 'C', match: { eventIds: ['3'] }, enabled: false },
      ],
    });
    expect(
      set.rules.map((r) => [r.id, r.channels, r.level, r.throttle?.windowMs ?? null, r.templates.sms.source]),
    ).toEqual([
      ['a', ['chat'], 'low', 7_200_000, 'D {{event.name}}'],
      ['b', ['chat'], 'critical', null, 'D {{event.name}}'],
    ]);
    expect(set.disabled).toEqual(['c']);
  });

  it('a YAML syntax error or duplicate key is reported with the file', () => {
    expect(() => parseRulesText('version: 1\nrules: [\n', 'bad.yaml')).toThrow(
      /^bad\.yaml: 1 problem.*\n {2}\(file\): not valid YAML/,
    );
    expect(() => parseRulesText('version: 1\nversion: 1\nrules: []\n', 'dup.yaml')).toThrow(
      /not valid YAML: .*[Mm]ap keys must be unique/,
    );
  });
});

describe('regexRisk', () => {
  it.each(['(a+)+', '(\\w*)*x', '(.*,){2,}', '((ab)*c)+', '(?:x+y?)*', '(a|b+){3,}'])('%s is rejected', (p) => {
    expect(regexRisk(p)).toMatch(/nested quantifier/);
  });
  it.each([
    '\\b(lockdown|panic button)\\b',
    '^\\d+\\.\\d+$',
    '(ab)+c',
    '[(+)*]+',
    '\\(a+\\)+',
    '(a+)?',
    '(a{1,3}){2}',
    'x*y+z{2,}',
  ])('%s is accepted', (p) => {
    expect(regexRisk(p)).toBeNull();
  });
  it('rejects long patterns', () => {
    expect(regexRisk('a'.repeat(300))).toMatch(/longer than 256/);
  });
});
