/**
 * Suppression summaries: when a throttle window or a rate-cap window closes with matches that were
 * not sent one by one, one summary alert lists them, so nothing that matched a rule stays
 * invisible: how many, when, why (throttled, the rule's cap, a channel's cap), and what they were —
 * distinct event ids, targets (`account @ host`) and commands or messages, bounded (at most
 * `MAX_WINDOW_ENTRIES` distinct matches are kept per window; the count covers all).
 *
 * A summary goes to the rule's channels (throttle and rule-cap windows) or to the capped channel
 * only (channel-cap windows), with the same per-channel escaping and size budget as any alert. It
 * is not itself throttled or capped (one per window at most).
 */
import { fold, scrubFields, scrubValue } from '../model/secrets.js';
import type { SecurityEvent } from '../model/security-event.js';
import { CHANNEL_MARKUP, ESCAPERS, type Markup } from './escape.js';
import { idLessLayoutOf } from './event-ref.js';
import type { IdKey } from './identity.js';
import {
  type AlertMessages,
  assemble,
  bodyText,
  type ChannelRender,
  clip,
  LEVEL_EMOJI,
  LIMITS,
  MESSAGE_BUDGET,
  publishBytes,
  subjectLine,
} from './messages.js';
import { fitSms } from './sms.js';
import type { HeldWindow } from './store.js';
import { cutText, TRUNCATED, visibleText } from './text.js';
import { type AlertRule, CHANNELS, type Channel, type RateCap, type RuleSettings } from './types.js';
import { formatSpan } from './view.js';

/** What one held match was, as the summary lists it (scrubbed values). */
interface SummaryEntry {
  /** the event id, or `layout <slug>` for an event without a catalog id (event-ref.ts) */
  readonly eventId: string;
  readonly ruleId: string;
  /** `account @ host`, the target host, or the vault */
  readonly target: string;
  /** the typed command (a field labelled Command/Comando…) or the message */
  readonly command: string;
}

/** Characters kept per entry value. */
const ENTRY_VALUE_MAX = 160;
/** Distinct targets / commands listed in a summary. */
const LIST_MAX = 10;

const COMMAND_LABELS = ['command', 'comando', 'commande', 'befehl', 'cmd'];

/**
 * What the summary lists for a held match: from the scrubbed event, one line each, bounded.
 * @example entryOf(event, 'rule-a') // { eventId: '31', ruleId: 'rule-a', target: 'root @ 10.0.0.5', command: 'cat /etc/shadow' }
 */
function entryOf(e: SecurityEvent, ruleId: string): SummaryEntry {
  const f = scrubFields(e.fields);
  const get = (k: string) => (Object.hasOwn(f, k) ? visibleText(f[k] as string) : '');
  const v = (s: string) => cutText(visibleText(s), ENTRY_VALUE_MAX);
  const host = get('dhost') || get('dst') || get('dvchost');
  const account = get('duser');
  const target = account && host ? `${account} @ ${host}` : host || account || visibleText(scrubValue(e.host ?? ''));
  let command = '';
  for (const k of Object.keys(f)) {
    if (k.endsWith('Label')) continue;
    const label = Object.hasOwn(f, `${k}Label`) ? fold(f[`${k}Label`] as string) : '';
    if (COMMAND_LABELS.some((c) => label.includes(c) || fold(k) === c)) {
      command = get(k);
      if (command) break;
    }
  }
  command ||= get('msg') || visibleText(e.name);
  const layout = idLessLayoutOf(e);
  return { eventId: layout === null ? e.eventId : `layout ${layout}`, ruleId, target: v(target), command: v(command) };
}

/** Seal an entry for the window record (no event value is stored in clear). */
function sealEntry(key: IdKey, s: SummaryEntry): string {
  return key.sealText(JSON.stringify([s.eventId, s.ruleId, s.target, s.command]));
}

/** Open a sealed entry; null when it cannot be read (another key, tampering). */
function openEntry(key: IdKey, sealed: string): SummaryEntry | null {
  try {
    const a = JSON.parse(key.openText(sealed)) as unknown;
    if (!Array.isArray(a) || a.length !== 4 || !a.every((x): x is string => typeof x === 'string')) return null;
    const [eventId, ruleId, target, command] = a as [string, string, string, string];
    return { eventId, ruleId, target, command };
  } catch {
    // an entry sealed under a previous secret (the key was replaced): counted, not listed
    return null;
  }
}

interface SummaryContext {
  /** the rule whose window it was (a stand-in for channel caps and rules since removed) */
  readonly rule: AlertRule;
  readonly window: HeldWindow;
  readonly entries: readonly SummaryEntry[];
  /** the throttle key as text (`event.host=vault-01`), null for caps */
  readonly keyText: string | null;
  /** the cap that held the matches (caps) */
  readonly cap: RateCap | null;
  readonly settings: RuleSettings;
  readonly alertId: string;
  /** chat thread (throttle windows: the key's thread) */
  readonly threadId: string;
}

function reasonOf(s: SummaryContext): string {
  const w = s.window;
  if (w.kind === 'throttle')
    return `throttled: one alert per ${s.rule.throttle?.window ?? 'window'}${s.keyText ? ` for ${s.keyText}` : ''}`;
  if (w.kind === 'rule-cap') return `the rule's rate cap: ${s.cap?.max ?? '?'} alerts per ${s.cap?.window ?? 'window'}`;
  return `the ${w.channel} channel's rate cap: ${s.cap?.max ?? '?'} messages per ${s.cap?.window ?? 'window'}`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

interface SummaryParts {
  readonly count: number;
  readonly span: string;
  readonly reason: string;
  readonly eventIds: string[];
  readonly rules: string[];
  readonly targets: string[];
  readonly commands: string[];
  /** matches counted but not listed (beyond the kept entries) */
  readonly unlisted: number;
}

function parts(s: SummaryContext): SummaryParts {
  return {
    count: s.window.count,
    span: formatSpan(s.window.windowEnd - s.window.windowStart),
    reason: reasonOf(s),
    eventIds: distinct(s.entries.map((e) => e.eventId)),
    rules: distinct(s.entries.map((e) => e.ruleId)),
    targets: distinct(s.entries.map((e) => e.target)),
    commands: distinct(s.entries.map((e) => e.command)),
    unlisted: Math.max(0, s.window.count - s.entries.length),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function listLines(title: string, items: readonly string[], esc: (s: string) => string): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, LIST_MAX).map((x) => `  - ${esc(x)}`);
  if (items.length > LIST_MAX) shown.push(`  … and ${items.length - LIST_MAX} more ${TRUNCATED}`);
  return [`${title} (${items.length} distinct):`, ...shown];
}

function subjectOf(s: SummaryContext, p: SummaryParts, esc: (x: string) => string, markup: Markup): string {
  return subjectLine(
    `[Segura ${s.rule.level.toUpperCase()}] Summary: ${p.count} × ${esc(s.rule.name)} not sent one by one (${p.span})`,
    markup,
  );
}

function bodyOf(s: SummaryContext, p: SummaryParts, esc: (x: string) => string, markup: Markup, max: number): string {
  const w = s.window;
  const lines = [
    `${p.count} match${p.count === 1 ? '' : 'es'} of "${esc(s.rule.name)}" ${p.count === 1 ? 'was' : 'were'} not sent one by one between ${iso(w.windowStart)} and ${iso(w.windowEnd)} (${p.span}).`,
    `Why: ${esc(p.reason)}.`,
    '',
    `Events: ${p.eventIds.map(esc).join(', ') || '-'}`,
    ...(w.kind === 'channel-cap' ? [`Rules: ${p.rules.map(esc).join(', ') || '-'}`] : []),
    ...listLines('Targets', p.targets, esc),
    ...listLines('Commands / messages', p.commands, esc),
    ...(p.unlisted > 0
      ? [`${p.unlisted} more match${p.unlisted === 1 ? ' is' : 'es are'} counted above but not listed ${TRUNCATED}`]
      : []),
    '',
    '--',
    `Segura SIEM Relay · rule ${s.rule.id} · summary ${s.alertId}`,
  ];
  return bodyText(lines.join('\n'), max, markup);
}

function renderSummaryChannel(channel: Channel, s: SummaryContext, bodyMax: number): ChannelRender {
  const p = parts(s);
  const markup = CHANNEL_MARKUP[channel];
  const esc = ESCAPERS[markup];
  switch (channel) {
    case 'sms': {
      const tg = p.targets.length
        ? ` Targets: ${p.targets.slice(0, 3).join(', ')}${p.targets.length > 3 ? ` (+${p.targets.length - 3})` : ''}.`
        : '';
      const cm = p.commands.length
        ? ` Cmds: ${p.commands.slice(0, 2).join('; ')}${p.commands.length > 2 ? ` (+${p.commands.length - 2})` : ''}`
        : '';
      const sms = fitSms(
        esc(`SEGURA ${s.rule.level.toUpperCase()} summary: ${p.count} x ${s.rule.name} held (${p.span}).${tg}${cm}`),
        '',
        {
          transliterate: s.settings.smsTransliterate,
          reserve: s.settings.smsDisplayName === null ? 0 : s.settings.smsDisplayName.length + 2,
        },
      );
      return { document: { default: sms.text, sms: sms.text }, sms };
    }
    case 'email': {
      const subject = subjectOf(s, p, esc, markup);
      const body = bodyOf(s, p, esc, markup, bodyMax);
      const emailJson = JSON.stringify({ subject, body, summary: structuredSummary(s, p, esc) });
      return { document: { default: body, email: body, 'email-json': emailJson }, subject, emailBody: body, emailJson };
    }
    case 'chat': {
      const subject = subjectOf(s, p, esc, markup);
      const json = JSON.stringify({
        version: '1.0',
        source: 'custom',
        id: s.alertId,
        content: {
          textType: 'client-markdown',
          title: `${LEVEL_EMOJI[s.rule.level] ?? ''} ${subject}`.trim(),
          description: clip(bodyOf(s, p, esc, markup, bodyMax), 3_000, ` ${TRUNCATED}`),
          keywords: [s.rule.id, 'summary', s.rule.level],
        },
        metadata: {
          threadId: s.threadId,
          summary: subject,
          eventType: `${s.rule.id}-summary`,
          additionalContext: { alertId: s.alertId, level: s.rule.level },
        },
      });
      return { document: { default: json, https: json }, json };
    }
    default: {
      const json = JSON.stringify({
        schema: 'segura-relay/alert-summary@1',
        alertId: s.alertId,
        summary: subjectOf(s, p, esc, markup),
        description: bodyOf(s, p, esc, markup, bodyMax),
        priority: s.rule.level,
        ...structuredSummary(s, p, esc),
      });
      return { document: { default: json, https: json }, json };
    }
  }
}

function structuredSummary(s: SummaryContext, p: SummaryParts, esc: (x: string) => string) {
  return {
    rule: { id: s.rule.id, name: esc(s.rule.name), level: s.rule.level },
    reason: s.window.kind,
    reasonText: esc(p.reason),
    window: { start: iso(s.window.windowStart), end: iso(s.window.windowEnd) },
    count: p.count,
    listed: s.entries.length,
    eventIds: p.eventIds.map(esc),
    targets: p.targets.slice(0, LIST_MAX).map(esc),
    commands: p.commands.slice(0, LIST_MAX).map(esc),
    truncated: p.unlisted > 0 || p.targets.length > LIST_MAX || p.commands.length > LIST_MAX,
  };
}

/**
 * Every channel's summary message (pure; the function, the sweep and the dry run share it).
 * @example renderSummary(ctx).emailSubject // '[Segura HIGH] Summary: 5 × Blocked command not sent one by one (10 min)'
 */
function renderSummary(s: SummaryContext): AlertMessages {
  const out = {} as Record<Channel, { render: ChannelRender; bytes: number }>;
  for (const ch of CHANNELS) {
    let done: { render: ChannelRender; bytes: number } | null = null;
    for (const l of LIMITS) {
      const render = renderSummaryChannel(ch, s, l.bodyMax);
      const bytes = publishBytes(render);
      if (bytes <= MESSAGE_BUDGET) {
        done = { render, bytes };
        break;
      }
    }
    // entries are bounded (20 × 2 × 160 characters): the first step always fits; keep the last otherwise
    out[ch] = done ?? { render: renderSummaryChannel(ch, s, 1_024), bytes: 0 };
  }
  return assemble(out);
}

export type { SummaryContext, SummaryEntry };
export { entryOf, openEntry, renderSummary, sealEntry };
