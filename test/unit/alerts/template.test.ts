/**
 * Templates: placeholders, alternatives, literals, errors; and what values look like to a template
 * (one line, no bidi overrides, capped) so a hostile value cannot forge content.
 */
import { describe, expect, it } from 'vitest';
import { renderAlert } from '../../../shared/alerts/messages.js';
import { compileTemplate, renderTemplate, TemplateError } from '../../../shared/alerts/template.js';
import { buildView, MAX_VALUE_CHARS, suppressionText } from '../../../shared/alerts/view.js';
import { event, rule, SETTINGS } from './fixtures.js';

const r = rule({ match: { eventIds: ['20'] } });
const e = event({
  id: '20',
  fields: { suser: 'jsilva', dst: '192.168.30.55', msg: 'Error changing password' },
});
const view = buildView(e, r, null, Date.now());

describe('compileTemplate / renderTemplate', () => {
  it.each<[string, string]>([
    ['{{event.name}} on {{event.host}}', 'Password Change Error on vault-01'],
    ['{{fields.dhost | fields.dst | "unknown"}}', '192.168.30.55'],
    ['{{fields.dhost | "unknown"}}', 'unknown'],
    ['{{ fields.nope | "" }}x', 'x'],
    ['{{event.eventId}}/{{event.severity}}/{{event.syslogSeverity}}/{{event.severityName}}', '20/7/3/err'],
    [
      '{{event.category}} / {{event.notificationType}} ({{event.origin}})',
      'Password Operation / Error on change (COTR)',
    ],
    ['{{event.time}}', '2026-01-19T10:41:00.000-03:00'],
    ['{{rule.id}} {{rule.level}} {{rule.name}}', 'r1 HIGH Rule one'],
    ['[{{suppressed}}][{{suppressedCount}}]', '[][]'],
    ['no placeholders at all', 'no placeholders at all'],
  ])('%s → %s', (src, out) => {
    expect(renderTemplate(compileTemplate(src), view)).toBe(out);
  });

  it('{{fields}} lists every field as key=value lines, in order', () => {
    expect(renderTemplate(compileTemplate('{{fields}}'), view)).toBe(
      'suser=jsilva\ndst=192.168.30.55\nmsg=Error changing password',
    );
  });

  it.each<[string, RegExp]>([
    ['{{event.nope}}', /unknown event property "nope"/],
    ['{{rule.owner}}', /unknown rule property "owner"/],
    ['{{whatever}}', /unknown value "whatever"/],
    ['{{fields.a b}}', /not a field key/],
    ['hello {{event.name', /unclosed placeholder at character 7/],
    ['{{ {{event.name}} }}', /placeholder inside a placeholder/],
    ['stray }} here', /"}}" without a matching "{{"/],
    ['{{"lit" | event.name}}', /a literal must be the last alternative/],
    ['{{event.name | "unterminated}}', /unterminated literal/],
    ['{{event.name | }}', /empty alternative/],
  ])('%s is rejected: %s', (src, msg) => {
    expect(() => compileTemplate(src)).toThrow(TemplateError);
    expect(() => compileTemplate(src)).toThrow(msg);
  });
});

describe('values templates see', () => {
  it('a hostile value cannot forge lines, reorder text with bidi overrides, or grow without bound', () => {
    const hostile = event({
      id: '20',
      fields: {
        suser: 'mallory\r\nFrom: security@bank.example\r\n\r\nPlease call +1 555 0100',
        dst: 'evil\u202Egnp.exe\u2066x\u2069',
        msg: 'word '.repeat(1000),
      },
    });
    const v = buildView(hostile, r, null, Date.now());
    expect(v.fields.suser).toBe('mallory From: security@bank.example Please call +1 555 0100');
    // bidi controls are format characters: removed, not replaced
    expect(v.fields.dst).toBe('evilgnp.exex');
    expect(v.fields.msg?.length).toBeLessThanOrEqual(MAX_VALUE_CHARS);
    expect(v.fields.msg?.endsWith(' [truncated]')).toBe(true);
    const m = renderAlert({
      rule: r,
      event: hostile,
      settings: { ...SETTINGS, smsDisplayName: null },
      alertId: 'x',
      threadId: null,
      suppression: null,
      nowMs: Date.now(),
    });
    // the body's lines are the template's lines: no line starts with the forged header
    expect(m.emailBody.split('\n').some((l) => l.startsWith('From:'))).toBe(false);
    expect(m.emailSubject).not.toMatch(/[\r\n]/);
    expect(m.sms.text).not.toMatch(/[\r\n]/);
  });

  it.each<[number, number, string]>([
    [12, 10 * 60_000, '+12 similar in the last 10 min'],
    [1, 30_000, '+1 similar in the last 1 min'],
    [3, 3 * 3_600_000, '+3 similar in the last 3 h'],
    [40, 3 * 86_400_000, '+40 similar in the last 3 d'],
    [0, 600_000, ''],
  ])('suppression note for %i over %i ms: %j', (count, span, text) => {
    const now = 1_800_000_000_000;
    expect(suppressionText({ count, sinceMs: now - span }, now)).toBe(text);
  });
});
