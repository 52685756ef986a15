/**
 * Per-channel alert messages and the SNS Publish input that carries them with
 * `MessageStructure: 'json'` (one JSON document, one string per delivery protocol):
 *
 * | channel topic | keys in the document | notes |
 * |---|---|---|
 * | `sms`    | `default`, `sms` | ≤ 140 GSM-7 septets or ≤ 70 UCS-2 units, one line |
 * | `email`  | `default`, `email`, `email-json` | `Subject` parameter ≤ 99 characters, one line; plain-text body |
 * | `chat`   | `default`, `https` | JSON: an Amazon Q Developer in chat applications custom notification |
 * | `ticket` | `default`, `https` | JSON: the alert (summary, description, priority, event, scrubbed fields) |
 *
 * Every string goes through the scrubbed view and, once rendered, through the value patterns again.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: no line breaks or control characters, < 100 characters)
 * @see https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { scrubValue } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { fitSms, oneLine, type SmsText } from './sms.js';
import { type AlertView, mentions, renderTemplate } from './template.js';
import type { AlertRule, Channel, PayloadTemplate, RuleSettings } from './types.js';
import { buildView, type Suppression } from './view.js';

/** SNS email Subject: "less than 100 characters". */
const SUBJECT_MAX = 99;
/** Plain-text email body cap (characters). */
const BODY_MAX = 32_768;
/** Cap of each rendered string inside a chat/ticket JSON payload (characters). */
const PAYLOAD_STRING_MAX = 4_096;
/** Chat description cap (characters): chat clients fold long messages. */
const CHAT_DESCRIPTION_MAX = 3_000;

interface AlertContext {
  readonly rule: AlertRule;
  readonly event: SecurityEvent;
  readonly settings: RuleSettings;
  /** public alert id (stable across retries) */
  readonly alertId: string;
  /** hash of the throttle key, for chat threads (null: no throttle) */
  readonly threadId: string | null;
  readonly suppression: Suppression | null;
  readonly nowMs: number;
}

interface AlertMessages {
  readonly sms: SmsText;
  readonly emailSubject: string;
  readonly emailBody: string;
  /** the `email-json` string */
  readonly emailJson: string;
  /** the chat `https` JSON string */
  readonly chat: string;
  /** the ticket `https` JSON string */
  readonly ticket: string;
}

/** Cut to `max` UTF-16 units at a code point boundary, with `…`. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Email Subject: one line, no control characters, < 100 characters, never empty. */
function subjectLine(s: string): string {
  const one = oneLine(scrubValue(s));
  return clip(one === '' ? 'Segura alert' : one, SUBJECT_MAX);
}

/** Email body: the template's own line breaks kept (values are already one line), LF only. */
function bodyText(s: string): string {
  return clip(
    scrubValue(s)
      .replace(/\r\n?/g, '\n')
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, ' ')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    BODY_MAX,
  );
}

function renderPayload(p: PayloadTemplate, view: AlertView): unknown {
  switch (p.kind) {
    case 'string':
      return clip(scrubValue(renderTemplate(p.template, view)), PAYLOAD_STRING_MAX);
    case 'literal':
      return p.value;
    case 'array':
      return p.items.map((i) => renderPayload(i, view));
    default: {
      const o: Record<string, unknown> = {};
      for (const [k, v] of p.entries) o[k] = renderPayload(v, view);
      return o;
    }
  }
}

// chat markdown: a value must not open a link, a mention or code; Slack requires &, <, > escaped
function md(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[`*_~]/g, ' ');
}

const LEVEL_EMOJI: Readonly<Record<string, string>> = {
  critical: ':rotating_light:',
  high: ':warning:',
  medium: ':large_orange_diamond:',
  low: ':information_source:',
};

/** The structured alert (ticket payload and `email-json`). */
function alertSummary(c: AlertContext, view: AlertView, subject: string, body: string) {
  return {
    schema: 'segura-relay/alert@1',
    alertId: c.alertId,
    summary: subject,
    description: body,
    priority: c.rule.level,
    rule: { id: c.rule.id, name: c.rule.name, level: c.rule.level },
    event: {
      eventId: view.event.eventId,
      name: view.event.name,
      category: view.event.category || null,
      notificationType: view.event.notificationType || null,
      origin: view.event.origin || null,
      cefSeverity: c.event.cefSeverity,
      syslogSeverity: c.event.syslogSeverity,
      time: view.event.time || null,
      host: view.event.host || null,
    },
    fields: view.fields,
    suppressed: { count: c.suppression?.count ?? 0, text: view.suppressed || null },
  };
}

function defaultChat(c: AlertContext, view: AlertView, subject: string): unknown {
  const e = view.event;
  const f = view.fields;
  const line = (label: string, v: string | undefined) => (v ? `*${label}:* \`${md(v)}\`` : null);
  const description = [
    line('Event', `${e.name} (id ${e.eventId})`),
    line('Severity', `${e.severityName} (CEF ${e.severity})`),
    line('Vault', e.host),
    line('User', f.suser ?? f.sname),
    line('Target', [f.duser, f.dhost ?? f.dst].filter(Boolean).join(' @ ') || undefined),
    line('Message', f.msg),
    line('Time', e.time),
    view.suppressed ? `_${md(view.suppressed)}_` : null,
  ]
    .filter((x): x is string => x !== null)
    .join('\n');
  return {
    version: '1.0',
    source: 'custom',
    id: c.alertId,
    content: {
      textType: 'client-markdown',
      title: `${LEVEL_EMOJI[c.rule.level] ?? ''} ${md(subject)}`.trim(),
      description: clip(description, CHAT_DESCRIPTION_MAX),
      keywords: [c.rule.id, `event-${e.eventId}`, c.rule.level],
    },
    metadata: {
      threadId: c.threadId ?? c.rule.id,
      summary: subject,
      eventType: c.rule.id,
      additionalContext: { alertId: c.alertId, eventId: e.eventId, host: e.host, level: c.rule.level },
    },
  };
}

/**
 * Render every channel's message for one alert (pure; the dry run and the function share it).
 * The suppression note goes where the template puts `{{suppressed}}`; templates that do not place
 * it get it appended (SMS: as a suffix truncation never cuts; email body: a last line).
 */
function renderAlert(c: AlertContext): AlertMessages {
  const view = buildView(c.event, c.rule, c.suppression, c.nowMs);
  const t = c.rule.templates;
  const reserve = c.settings.smsDisplayName === null ? 0 : c.settings.smsDisplayName.length + 2;
  const sms = fitSms(scrubValue(renderTemplate(t.sms, view)), view.suppressed, {
    transliterate: c.settings.smsTransliterate,
    reserve,
  });
  const emailSubject = subjectLine(renderTemplate(t.emailSubject, view));
  let body = renderTemplate(t.emailBody, view);
  if (view.suppressed && !mentions(t.emailBody, 'suppressed') && !mentions(t.emailSubject, 'suppressed'))
    body = `${body.trimEnd()}\n\n${view.suppressed}`;
  const emailBody = bodyText(body);
  const summary = alertSummary(c, view, emailSubject, emailBody);
  const chat = t.chat ? renderPayload(t.chat, view) : defaultChat(c, view, emailSubject);
  const ticket = t.ticket ? renderPayload(t.ticket, view) : summary;
  return {
    sms,
    emailSubject,
    emailBody,
    emailJson: JSON.stringify({ subject: emailSubject, body: emailBody, alert: summary }),
    chat: JSON.stringify(chat),
    ticket: JSON.stringify(ticket),
  };
}

/** The per-protocol JSON document for one channel (`Message` with `MessageStructure: 'json'`). */
function messageDocument(channel: Channel, m: AlertMessages): Record<string, string> {
  switch (channel) {
    case 'sms':
      return { default: m.sms.text, sms: m.sms.text };
    case 'email':
      return { default: m.emailBody, email: m.emailBody, 'email-json': m.emailJson };
    case 'chat':
      return { default: m.chat, https: m.chat };
    default:
      return { default: m.ticket, https: m.ticket };
  }
}

/**
 * The exact Publish input for one channel topic.
 * @example publishInput('sms', arn, m) // { TopicArn, MessageStructure: 'json', Message: '{"default":…,"sms":…}' }
 */
function publishInput(channel: Channel, topicArn: string, m: AlertMessages): PublishCommandInput {
  return {
    TopicArn: topicArn,
    MessageStructure: 'json',
    Message: JSON.stringify(messageDocument(channel, m)),
    ...(channel === 'email' ? { Subject: m.emailSubject } : {}),
  };
}

export type { AlertContext, AlertMessages };
export { messageDocument, publishInput, renderAlert, SUBJECT_MAX };
