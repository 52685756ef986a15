/**
 * Per-channel alert messages and the SNS Publish input that carries them with
 * `MessageStructure: 'json'` (one JSON document, one string per delivery protocol):
 *
 * | channel topic | keys in the document | value escaping (`escape.ts`) | notes |
 * |---|---|---|---|
 * | `sms`    | `default`, `sms` | text | ≤ 140 GSM-7 septets or ≤ 70 UCS-2 units, one line |
 * | `email`  | `default`, `email`, `email-json` | text | `Subject` ≤ 99 characters, one line; plain-text body |
 * | `chat`   | `default`, `https` | chat (Slack mrkdwn / Teams markdown) | an Amazon Q Developer in chat applications custom notification |
 * | `ticket` | `default`, `https` | html | the alert (summary, description, priority, event, scrubbed fields) |
 *
 * Every string goes through the scrubbed view and, once rendered, through the value patterns again.
 *
 * **Size budget.** SNS accepts at most 262,144 bytes per Publish (message and attributes). Each
 * channel's whole document (all protocol keys together, plus the Subject) is measured in UTF-8
 * bytes after JSON encoding; above `MESSAGE_BUDGET` the channel is rendered again with shorter
 * values, fewer listed fields and a shorter body (`LIMITS`, five steps), each cut ending with
 * `[truncated]`; if even the last step does not fit (an absurd custom payload), a minimal document
 * says so. The message is never rejected by SNS for its size.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: no line breaks or control characters, < 100 characters)
 * @see https://docs.aws.amazon.com/sns/latest/api/API_MessageAttributeValue.html (262,144 bytes, attributes included)
 * @see https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { scrubValue } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { CHANNEL_MARKUP, ESCAPERS, type Markup } from './escape.js';
import { idLessLayoutOf } from './event-ref.js';
import { fitSms, oneLine, type SmsText } from './sms.js';
import { type AlertView, mentions, renderTemplate } from './template.js';
import { graphemePrefix, TRUNCATED, visibleText } from './text.js';
import { type AlertRule, CHANNELS, type Channel, type PayloadTemplate, type RuleSettings } from './types.js';
import { buildView, type Suppression } from './view.js';

/** SNS email Subject: "less than 100 characters". */
const SUBJECT_MAX = 99;
/** SNS Publish limit: message and attributes, in bytes. */
const SNS_MESSAGE_LIMIT = 262_144;
/** What one channel's Publish (document + Subject) may take: the limit minus a margin for the request's other parameters. */
const MESSAGE_BUDGET = SNS_MESSAGE_LIMIT - 1_024;
/** Chat description cap (characters): chat clients fold long messages. */
const CHAT_DESCRIPTION_MAX = 3_000;

/** How much of an event a rendering may use; a later step is tried when a document is over budget. */
interface RenderLimits {
  /** longest value (UTF-16 units) */
  readonly valueMax: number;
  /** most fields listed by `{{fields}}` and in structured payloads */
  readonly fieldsMax: number;
  /** longest email body / ticket description (UTF-16 units) */
  readonly bodyMax: number;
  /** longest string in a chat/ticket JSON payload (UTF-16 units) */
  readonly payloadStringMax: number;
}

const LIMITS: readonly RenderLimits[] = [
  { valueMax: 512, fieldsMax: Number.POSITIVE_INFINITY, bodyMax: 32_768, payloadStringMax: 4_096 },
  { valueMax: 256, fieldsMax: 400, bodyMax: 16_384, payloadStringMax: 2_048 },
  { valueMax: 128, fieldsMax: 150, bodyMax: 8_192, payloadStringMax: 1_024 },
  { valueMax: 64, fieldsMax: 60, bodyMax: 4_096, payloadStringMax: 512 },
  { valueMax: 32, fieldsMax: 20, bodyMax: 2_048, payloadStringMax: 256 },
];

interface AlertContext {
  readonly rule: AlertRule;
  readonly event: SecurityEvent;
  readonly settings: RuleSettings;
  /** public alert id (stable across retries) */
  readonly alertId: string;
  /** keyed hash of the throttle key, for chat threads (null: no throttle) */
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
  /** channels whose message carries a `[truncated]` cut (a value, the field list or the body) */
  readonly truncated: readonly Channel[];
  /** bytes each channel's Publish takes (document + Subject), always ≤ MESSAGE_BUDGET */
  readonly bytes: Readonly<Record<Channel, number>>;
}

/** Cut to `max` UTF-16 units at a grapheme boundary with `ellipsis`, never inside an HTML entity. */
function clip(s: string, max: number, ellipsis = '…', markup: Markup = 'text'): string {
  if (s.length <= max) return s;
  let head = graphemePrefix(s, Math.max(0, max - ellipsis.length));
  if (markup === 'html') head = head.replace(/&[#A-Za-z0-9]{0,8}$/, '');
  return `${head.trimEnd()}${ellipsis}`;
}

/** Email Subject (and the chat title / ticket summary): one line, < 100 characters, never empty. */
function subjectLine(s: string, markup: Markup = 'text'): string {
  const one = visibleText(oneLine(scrubValue(s)));
  return clip(one === '' ? 'Segura alert' : one, SUBJECT_MAX, '…', markup);
}

/** Email body / ticket description: the template's own line breaks kept (values are one line), LF only. */
function bodyText(s: string, max: number, markup: Markup = 'text'): string {
  return clip(
    scrubValue(s)
      .replace(/\r\n?/g, '\n')
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, ' ')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    max,
    `\n${TRUNCATED}`,
    markup,
  );
}

function renderPayload(p: PayloadTemplate, view: AlertView, markup: Markup, max: number): unknown {
  switch (p.kind) {
    case 'string':
      return clip(scrubValue(renderTemplate(p.template, view, ESCAPERS[markup])), max, ` ${TRUNCATED}`, markup);
    case 'literal':
      return p.value;
    case 'array':
      return p.items.map((i) => renderPayload(i, view, markup, max));
    default: {
      const o: Record<string, unknown> = {};
      for (const [k, v] of p.entries) o[k] = renderPayload(v, view, markup, max);
      return o;
    }
  }
}

const LEVEL_EMOJI: Readonly<Record<string, string>> = {
  critical: ':rotating_light:',
  high: ':warning:',
  medium: ':large_orange_diamond:',
  low: ':information_source:',
};

/** The event's values and fields, escaped for a channel (structured payloads). */
function structured(c: AlertContext, view: AlertView, markup: Markup) {
  const esc = ESCAPERS[markup];
  const orNull = (s: string) => (s === '' ? null : esc(s));
  const fields: Record<string, string> = {};
  for (const k of Object.keys(view.fields)) fields[esc(k)] = esc(view.fields[k] as string);
  return {
    rule: { id: c.rule.id, name: esc(c.rule.name), level: c.rule.level },
    event: {
      eventId: esc(view.event.eventId),
      name: esc(view.event.name),
      category: orNull(view.event.category),
      notificationType: orNull(view.event.notificationType),
      origin: orNull(view.event.origin),
      cefSeverity: c.event.cefSeverity,
      syslogSeverity: c.event.syslogSeverity,
      time: orNull(view.event.time),
      host: orNull(view.event.host),
    },
    fields,
    ...(view.fieldsOmitted > 0 ? { fieldsOmitted: view.fieldsOmitted } : {}),
    suppressed: { count: c.suppression?.count ?? 0, text: view.suppressed || null },
  };
}

/** The rendered subject and body of a rule's email templates, values escaped for `markup`. */
function subjectAndBody(c: AlertContext, view: AlertView, markup: Markup, bodyMax: number) {
  const t = c.rule.templates;
  const esc = ESCAPERS[markup];
  const subject = subjectLine(renderTemplate(t.emailSubject, view, esc), markup);
  let body = renderTemplate(t.emailBody, view, esc);
  if (view.suppressed && !mentions(t.emailBody, 'suppressed') && !mentions(t.emailSubject, 'suppressed'))
    body = `${body.trimEnd()}\n\n${view.suppressed}`;
  return { subject, body: bodyText(body, bodyMax, markup) };
}

/** The chat keyword naming the event: `event-164`, or `layout-master-key-recovery-failed`. */
function eventKeyword(e: AlertContext['event'], esc: (s: string) => string): string {
  const slug = idLessLayoutOf(e);
  return slug === null ? `event-${esc(e.eventId)}` : `layout-${slug}`;
}

function defaultChat(c: AlertContext, view: AlertView): unknown {
  const esc = ESCAPERS.chat;
  const e = view.event;
  const f = (k: string) => (Object.hasOwn(view.fields, k) ? view.fields[k] : undefined);
  const line = (label: string, v: string | undefined) => (v ? `*${label}:* \`${esc(v)}\`` : null);
  const description = [
    line('Event', `${e.name} (${e.ref})`),
    line('Severity', `${e.severityName} (CEF ${e.severity})`),
    line('Vault', e.host),
    line('User', f('suser') ?? f('sname')),
    line('Target', [f('duser'), f('dhost') ?? f('dst')].filter(Boolean).join(' @ ') || undefined),
    line('Message', f('msg')),
    line('Time', e.time),
    view.suppressed ? `_${esc(view.suppressed)}_` : null,
  ]
    .filter((x): x is string => x !== null)
    .join('\n');
  const subject = subjectLine(renderTemplate(c.rule.templates.emailSubject, view, esc), 'chat');
  return {
    version: '1.0',
    source: 'custom',
    id: c.alertId,
    content: {
      textType: 'client-markdown',
      title: `${LEVEL_EMOJI[c.rule.level] ?? ''} ${subject}`.trim(),
      description: clip(description, CHAT_DESCRIPTION_MAX, ` ${TRUNCATED}`),
      keywords: [c.rule.id, eventKeyword(c.event, esc), c.rule.level],
    },
    metadata: {
      threadId: c.threadId ?? c.rule.id,
      summary: subject,
      eventType: c.rule.id,
      additionalContext: { alertId: c.alertId, eventId: esc(e.eventId), host: esc(e.host), level: c.rule.level },
    },
  };
}

/** One channel's rendering: the Publish document (and Subject for email). */
interface ChannelRender {
  readonly document: Record<string, string>;
  readonly subject?: string;
  readonly sms?: SmsText;
  readonly emailBody?: string;
  readonly emailJson?: string;
  readonly json?: string;
}

function renderChannel(channel: Channel, c: AlertContext, l: RenderLimits): ChannelRender {
  const view = buildView(c.event, c.rule, c.suppression, c.nowMs, { valueMax: l.valueMax, fieldsMax: l.fieldsMax });
  const t = c.rule.templates;
  const markup = CHANNEL_MARKUP[channel];
  switch (channel) {
    case 'sms': {
      const reserve = c.settings.smsDisplayName === null ? 0 : c.settings.smsDisplayName.length + 2;
      const sms = fitSms(scrubValue(renderTemplate(t.sms, view, ESCAPERS[markup])), view.suppressed, {
        transliterate: c.settings.smsTransliterate,
        reserve,
      });
      return { document: { default: sms.text, sms: sms.text }, sms };
    }
    case 'email': {
      const { subject, body } = subjectAndBody(c, view, markup, l.bodyMax);
      const { rule, event, fields, suppressed, ...rest } = structured(c, view, markup);
      // the body is in the document already: the structured copy leaves it out (no fourth copy)
      const emailJson = JSON.stringify({
        subject,
        body,
        alert: {
          schema: 'segura-relay/alert@1',
          alertId: c.alertId,
          summary: subject,
          priority: c.rule.level,
          rule,
          event,
          fields,
          ...rest,
          suppressed,
        },
      });
      return { document: { default: body, email: body, 'email-json': emailJson }, subject, emailBody: body, emailJson };
    }
    case 'chat': {
      const chat = t.chat ? renderPayload(t.chat, view, markup, l.payloadStringMax) : defaultChat(c, view);
      const json = JSON.stringify(chat);
      return { document: { default: json, https: json }, json };
    }
    default: {
      let ticket: unknown;
      if (t.ticket) ticket = renderPayload(t.ticket, view, markup, l.payloadStringMax);
      else {
        const { subject, body } = subjectAndBody(c, view, markup, l.bodyMax);
        const { rule, event, fields, suppressed, ...rest } = structured(c, view, markup);
        ticket = {
          schema: 'segura-relay/alert@1',
          alertId: c.alertId,
          summary: subject,
          description: body,
          priority: c.rule.level,
          rule,
          event,
          fields,
          ...rest,
          suppressed,
        };
      }
      const json = JSON.stringify(ticket);
      return { document: { default: json, https: json }, json };
    }
  }
}

/** Bytes one channel's Publish takes: the JSON document (Message) and the Subject. */
function publishBytes(r: ChannelRender): number {
  return Buffer.byteLength(JSON.stringify(r.document), 'utf8') + (r.subject ? Buffer.byteLength(r.subject, 'utf8') : 0);
}

/** The last resort when no step fits (a custom payload template that is itself too large). */
function minimalRender(channel: Channel, c: AlertContext): ChannelRender {
  const note = `${TRUNCATED} this alert's text exceeded the SNS message size limit; rule ${c.rule.id}, alert ${c.alertId}`;
  const subject = clip(`[Segura ${c.rule.level.toUpperCase()}] ${c.rule.name}`, SUBJECT_MAX);
  switch (channel) {
    case 'sms': {
      const sms = fitSms(`Segura ${c.rule.level.toUpperCase()}: ${c.rule.name} ${TRUNCATED}`);
      return { document: { default: sms.text, sms: sms.text }, sms };
    }
    case 'email': {
      const body = `${subject}\n\n${note}`;
      const emailJson = JSON.stringify({
        subject,
        body,
        alert: { schema: 'segura-relay/alert@1', alertId: c.alertId, truncated: true },
      });
      return { document: { default: body, email: body, 'email-json': emailJson }, subject, emailBody: body, emailJson };
    }
    case 'chat': {
      const json = JSON.stringify({
        version: '1.0',
        source: 'custom',
        id: c.alertId,
        content: { textType: 'client-markdown', title: ESCAPERS.chat(subject), description: ESCAPERS.chat(note) },
      });
      return { document: { default: json, https: json }, json };
    }
    default: {
      const json = JSON.stringify({
        schema: 'segura-relay/alert@1',
        alertId: c.alertId,
        summary: ESCAPERS.html(subject),
        description: ESCAPERS.html(note),
        priority: c.rule.level,
        truncated: true,
      });
      return { document: { default: json, https: json }, json };
    }
  }
}

/** Render one channel within the SNS budget (the first step of LIMITS that fits). */
function fitChannel(channel: Channel, c: AlertContext): { render: ChannelRender; bytes: number } {
  for (const l of LIMITS) {
    const render = renderChannel(channel, c, l);
    const bytes = publishBytes(render);
    if (bytes <= MESSAGE_BUDGET) return { render, bytes };
  }
  const render = minimalRender(channel, c);
  return { render, bytes: publishBytes(render) };
}

/**
 * Render every channel's message for one alert (pure; the dry run and the function share it).
 * The suppression note goes where the template puts `{{suppressed}}`; templates that do not place
 * it get it appended (SMS: as a suffix truncation never cuts; email body: a last line).
 */
function renderAlert(c: AlertContext): AlertMessages {
  const out = {} as Record<Channel, { render: ChannelRender; bytes: number }>;
  for (const ch of CHANNELS) out[ch] = fitChannel(ch, c);
  return assemble(out);
}

/** AlertMessages from per-channel renders (shared with the suppression summaries). */
function assemble(out: Record<Channel, { render: ChannelRender; bytes: number }>): AlertMessages {
  const email = out.email.render;
  return {
    sms: out.sms.render.sms as SmsText,
    emailSubject: email.subject as string,
    emailBody: email.emailBody as string,
    emailJson: email.emailJson as string,
    chat: out.chat.render.json as string,
    ticket: out.ticket.render.json as string,
    truncated: CHANNELS.filter((ch) => JSON.stringify(out[ch].render.document).includes(TRUNCATED)),
    bytes: Object.fromEntries(CHANNELS.map((ch) => [ch, out[ch].bytes])) as Record<Channel, number>,
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

export type { AlertContext, AlertMessages, ChannelRender, RenderLimits };
export {
  assemble,
  bodyText,
  clip,
  LEVEL_EMOJI,
  LIMITS,
  MESSAGE_BUDGET,
  messageDocument,
  publishBytes,
  publishInput,
  renderAlert,
  SNS_MESSAGE_LIMIT,
  SUBJECT_MAX,
  subjectLine,
};
