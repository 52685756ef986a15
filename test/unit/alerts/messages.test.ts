/**
 * Per-channel messages and the SNS Publish input that carries them (`MessageStructure: 'json'`):
 * the keys per channel topic, the email Subject limits, the chat payload format, the suppression
 * note, and custom payload templates.
 */
import { describe, expect, it } from 'vitest';
import { alertId } from '../../../shared/alerts/identity.js';
import {
  type AlertMessages,
  messageDocument,
  publishInput,
  renderAlert,
  SUBJECT_MAX,
} from '../../../shared/alerts/messages.js';
import type { AlertRule } from '../../../shared/alerts/types.js';
import type { Suppression } from '../../../shared/alerts/view.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { event, KEY, rule, SETTINGS } from './fixtures.js';

const NOW = Date.parse('2026-01-19T13:51:00Z');
const ARN = 'arn:aws:sns:us-east-1:123456789012:segura-alerts';

function render(
  r: AlertRule,
  e: SecurityEvent,
  suppression: Suppression | null = null,
  displayName: string | null = null,
): AlertMessages {
  return renderAlert({
    rule: r,
    event: e,
    settings: { ...SETTINGS, smsDisplayName: displayName },
    alertId: alertId(KEY, r, e),
    threadId: 'thread-1',
    suppression,
    nowMs: NOW,
  });
}

const mk = rule({
  id: 'master-key-recovery-failed',
  name: 'Master key recovery failed',
  level: 'critical',
  match: { notifications: ['Master Key / Failed recovery attempt'] },
  templates: {
    sms: 'SEGURA CRITICAL: master key recovery FAILED on {{event.host}} by {{fields.suser}} from {{fields.originIP}}',
  },
});
const failed = event({
  id: '9001',
  host: 'vault-01',
  fields: {
    sourceServiceName: 'Master Key',
    act: 'Recovery attempt failed',
    suser: 'jsilva',
    originIP: '177.92.148.162',
    msg: 'Recovery attempt failed. The key fractions are invalid',
  },
});

describe('publishInput', () => {
  it('sms topic: exactly {default, sms}, no Subject', () => {
    const m = render(mk, failed);
    const input = publishInput('sms', `${ARN}-sms`, m);
    expect(input).toEqual({
      TopicArn: `${ARN}-sms`,
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: 'SEGURA CRITICAL: master key recovery FAILED on vault-01 by jsilva from 177.92.148.162',
        sms: 'SEGURA CRITICAL: master key recovery FAILED on vault-01 by jsilva from 177.92.148.162',
      }),
    });
  });

  it('email topic: {default, email, email-json} and a one-line Subject under 100 characters', () => {
    const m = render(mk, failed);
    const input = publishInput('email', `${ARN}-email`, m);
    expect(input.Subject).toBe('[Segura CRITICAL] Master key recovery failed on vault-01');
    const doc = JSON.parse(input.Message as string);
    expect(Object.keys(doc)).toEqual(['default', 'email', 'email-json']);
    expect(doc.email).toBe(m.emailBody);
    expect(doc.default).toBe(m.emailBody);
    expect(doc.email).toContain('Message:   Recovery attempt failed. The key fractions are invalid');
    const ej = JSON.parse(doc['email-json']);
    expect(ej).toMatchObject({
      subject: input.Subject,
      body: m.emailBody,
      alert: { schema: 'segura-relay/alert@1', rule: { id: 'master-key-recovery-failed', level: 'critical' } },
    });
  });

  it.each(['chat', 'ticket'] as const)('%s topic: {default, https} carrying the same JSON string', (channel) => {
    const m = render(mk, failed);
    const doc = JSON.parse(publishInput(channel, `${ARN}-${channel}`, m).Message as string);
    expect(Object.keys(doc)).toEqual(['default', 'https']);
    expect(doc.https).toBe(doc.default);
    expect(() => JSON.parse(doc.https)).not.toThrow();
  });

  it('chat is an Amazon Q Developer (AWS Chatbot) custom notification; ticket carries the alert', () => {
    const m = render(mk, failed);
    expect(JSON.parse(m.chat)).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: alertId(KEY, mk, failed),
      content: {
        textType: 'client-markdown',
        title: ':rotating_light: [Segura CRITICAL] Master key recovery failed on vault-01',
      },
      metadata: { threadId: 'thread-1', eventType: 'master-key-recovery-failed' },
    });
    expect(JSON.parse(m.ticket)).toMatchObject({
      alertId: alertId(KEY, mk, failed),
      priority: 'critical',
      summary: '[Segura CRITICAL] Master key recovery failed on vault-01',
      event: { name: 'Master Key - Recovery Attempt Failed', category: 'Master Key', cefSeverity: 8, host: 'vault-01' },
      fields: { suser: 'jsilva', originIP: '177.92.148.162' },
      suppressed: { count: 0, text: null },
    });
  });

  it('chat markdown cannot be hijacked by a value (links, mentions, code)', () => {
    const e = event({ id: '9001', fields: { ...failed.fields, suser: '<!channel> <https://evil.example|click> `x`' } });
    const description = JSON.parse(render(mk, e).chat).content.description as string;
    expect(description).not.toMatch(/<!channel>|<https:/);
    expect(description).toContain('‹!channel› ‹https[:]//evil.example∣click› ˋxˋ');
  });
});

describe('the suppression note', () => {
  const note = '+12 similar in the last 10 min';
  const s = { count: 12, sinceMs: NOW - 600_000 };

  it('ends the SMS, even when the text is cut, and the email body; it is in the ticket', () => {
    const long = rule({ match: { eventIds: ['20'] }, templates: { sms: `${'word '.repeat(60)}{{event.name}}` } });
    const m = render(long, event({ id: '20' }), s);
    expect(m.sms.text.endsWith(` ${note}`)).toBe(true);
    expect(m.sms.units).toBeLessThanOrEqual(140);
    expect(m.emailBody).toContain(note);
    expect(JSON.parse(m.ticket).suppressed).toEqual({ count: 12, text: note });
    expect(JSON.parse(m.chat).content.description).toContain(note);
  });

  it('goes where a template puts {{suppressed}}, once', () => {
    const r = rule({
      match: { eventIds: ['20'] },
      templates: { emailSubject: '{{rule.name}} ({{suppressed}})', emailBody: 'x' },
    });
    const m = render(r, event({ id: '20' }), s);
    expect(m.emailSubject).toBe(`Rule one (${note})`);
    expect(m.emailBody).toBe('x'); // the subject already says it
  });

  it('is absent when nothing was suppressed', () => {
    const m = render(mk, failed, { count: 0, sinceMs: NOW });
    expect(m.sms.text).not.toContain('similar');
    expect(m.emailBody).not.toContain('similar');
  });
});

describe('limits', () => {
  it('email Subject: one line, < 100 characters, never empty', () => {
    const r = rule({ match: { eventIds: ['20'] }, templates: { emailSubject: '{{fields.msg}}' } });
    const long = render(r, event({ id: '20', fields: { msg: `line one\r\nline two ${'x'.repeat(300)}` } }));
    expect(long.emailSubject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(long.emailSubject).toMatch(/^line one line two x+…$/);
    const empty = render(r, event({ id: '20', fields: { suser: 'a' } }));
    expect(empty.emailSubject).toBe('Segura alert');
  });

  it('an SMS topic display name is kept out of the SMS budget', () => {
    const long = rule({ match: { eventIds: ['20'] }, templates: { sms: 'z'.repeat(200) } });
    expect(render(long, event({ id: '20' }), null, 'SEGURA').sms).toMatchObject({ limit: 132, units: 132 });
  });

  it('custom chat/ticket payloads: string leaves are templates, other JSON values are kept', () => {
    const r = rule({
      match: { eventIds: ['20'] },
      templates: {
        ticket: {
          project: 'SEC',
          priority: 2,
          labels: ['segura', '{{rule.id}}'],
          fields: { summary: '{{event.name}} on {{event.host}}', assignee: null },
        },
      },
    });
    expect(JSON.parse(render(r, event({ id: '20' })).ticket)).toEqual({
      project: 'SEC',
      priority: 2,
      labels: ['segura', 'r1'],
      fields: { summary: 'Password Change Error on vault-01', assignee: null },
    });
  });

  it('messageDocument keys are valid SNS protocol names for MessageStructure json', () => {
    const m = render(mk, failed);
    const protocols = new Set([
      'default',
      'sms',
      'email',
      'email-json',
      'http',
      'https',
      'sqs',
      'lambda',
      'firehose',
      'application',
    ]);
    for (const ch of ['sms', 'email', 'chat', 'ticket'] as const) {
      const doc = messageDocument(ch, m);
      expect(doc.default).toBeTypeOf('string');
      for (const [k, v] of Object.entries(doc)) {
        expect(protocols.has(k)).toBe(true);
        expect(v).toBeTypeOf('string');
      }
    }
  });
});
