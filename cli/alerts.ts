/**
 * `segura-relay alerts`: the alert rules without AWS.
 * - `alerts test`: which rules fire for each event and the exact message each channel would get,
 *   through the same engine as the function (matching, throttling and rate caps with an in-memory
 *   store whose clock is each event's own time, rendering, the exact SNS Publish input), with no
 *   AWS access; then the suppression summaries the closing windows would send.
 * - `alerts validate`: check a rules file; optionally write it as JSON (what the function reads).
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { catalogFeed } from '../local/catalog-feed.js';
import {
  type AlertOutcome,
  type EngineDeps,
  processAlert,
  type SummaryOutcome,
  sweepDueWindows,
} from '../shared/alerts/engine.js';
import { idLessLayoutOf } from '../shared/alerts/event-ref.js';
import { IdKey } from '../shared/alerts/identity.js';
import { evaluateRules } from '../shared/alerts/match.js';
import type { AlertMessages } from '../shared/alerts/messages.js';
import { parseRulesDocument } from '../shared/alerts/rules-file.js';
import { MemoryAlertStore } from '../shared/alerts/store.js';
import { pathText } from '../shared/alerts/template.js';
import { CHANNELS, type Channel, type RuleSet } from '../shared/alerts/types.js';
import { RulesError, validateRules } from '../shared/alerts/validate.js';
import { errorMessage, InvalidEventError } from '../shared/errors.js';
import { CATALOG_COUNT } from '../shared/model/catalog-docs.js';
import type { SecurityEvent } from '../shared/model/security-event.js';
import { formatWithOffset } from '../shared/model/time.js';
import { DEFAULT_MAX_INPUT_BYTES, parseInput } from '../shared/parse/parse-payload.js';
import { parse, UsageError } from './args.js';
import { encodingMessage, LineErrors, readLines } from './lines.js';

/** The pack shipped with the relay (same relative path from cli/ and from the dist/ bundle). */
const DEFAULT_RULES = fileURLToPath(new URL('../alerts/default-rules.yaml', import.meta.url));

const HELP = `Usage: segura-relay alerts <test|validate> [options]

  alerts test [--rules FILE] [--events FILE] [--json] [--no-throttle]
      Prints which rules fire for each event and the exact message each channel (sms, email,
      chat, ticket) would get, then the suppression summaries the throttle and rate-cap windows
      send when they close. No AWS access: throttling runs in memory, each event's own time is
      the clock, ids are keyed with a random key. Without --events: one of every catalog event.

  alerts validate [--rules FILE] [--out FILE.json]
      Checks a rules file (YAML or JSON); --out writes it as JSON, the form the function reads.

Options:
  --rules FILE     rules file, YAML or JSON (default: the shipped pack, alerts/default-rules.yaml)
  --events FILE    NDJSON envelopes or raw vault lines (RFC 5424 / CEF), one event per line
  --json           one JSON object per alert (rule, event, outcome, exact SNS Publish inputs)
  --no-throttle    show every match as if no throttle window or rate cap applied
  -h, --help       this help

Exit status: 0 ok, 1 invalid rules or unreadable event lines (see stderr), 2 usage error.`;

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const DRY_RUN_TOPIC = (ch: Channel) => `arn:aws:sns:us-east-1:000000000000:segura-alerts-${ch}`;

function loadRules(file: string, io: Io): RuleSet | null {
  try {
    return validateRules(parseRulesDocument(readFileSync(file, 'utf8'), file), file);
  } catch (e) {
    if (e instanceof RulesError) {
      io.stderr.write(`segura-relay alerts: ${e.message}\n`);
      return null;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      io.stderr.write(`segura-relay alerts: cannot read ${file}: ${err.message}\n`);
      return null;
    }
    throw e;
  }
}

interface InputEvent {
  readonly line: number | null;
  readonly event: SecurityEvent;
}

async function readEvents(file: string, io: Io): Promise<{ events: InputEvent[]; bad: number }> {
  const events: InputEvent[] = [];
  const errors = new LineErrors((s) => io.stderr.write(s));
  for await (const ev of readLines(createReadStream(file), DEFAULT_MAX_INPUT_BYTES)) {
    if (ev.kind === 'encoding') {
      io.stderr.write(`segura-relay alerts: ${encodingMessage(ev)}\n`);
      continue;
    }
    if (ev.kind === 'toolong') {
      errors.report(ev.n, `oversize: ${ev.bytes} bytes exceeds the ${DEFAULT_MAX_INPUT_BYTES}-byte limit`);
      continue;
    }
    if (ev.text.trim() === '') continue;
    try {
      events.push({ line: ev.n, event: parseInput(ev.text) });
    } catch (e) {
      if (!(e instanceof InvalidEventError)) throw e;
      errors.report(ev.n, e.message);
    }
  }
  errors.finish();
  return { events, bad: errors.count };
}

interface Fired {
  readonly input: InputEvent;
  readonly outcome: AlertOutcome;
  readonly inputs: readonly { readonly channel: Channel; readonly input: PublishCommandInput }[];
}

/** A summary the dry run sent: before an alert (its window had closed), or when the windows closed after the feed. */
interface Summarized {
  /** the event whose decision sent it first; null: sent by the sweep after the feed */
  readonly before: InputEvent | null;
  readonly outcome: SummaryOutcome;
  /** when the window closed (the sweep's clock) */
  readonly atMs: number;
}

interface DryRun {
  readonly fired: Fired[];
  readonly summaries: Summarized[];
  readonly ruleErrors: { readonly input: InputEvent; readonly ruleId: string; readonly error: string }[];
}

/** Run every event through the engine with an in-memory store and a capturing publisher. */
async function dryRun(rules: RuleSet, events: readonly InputEvent[], throttle: boolean): Promise<DryRun> {
  const store = new MemoryAlertStore();
  const key = IdKey.random();
  const fired: Fired[] = [];
  const summaries: Summarized[] = [];
  const ruleErrors: DryRun['ruleErrors'] = [];
  const settings = throttle
    ? rules.settings
    : { ...rules.settings, channelRateCaps: { sms: null, email: null, chat: null, ticket: null } };
  const effective = throttle ? rules.rules : rules.rules.map((r) => ({ ...r, throttle: null, rateCap: null }));
  let seq = 0;
  let captured: { channel: Channel; input: PublishCommandInput }[] = [];
  const deps = (now: number): EngineDeps => ({
    settings,
    store,
    key,
    rules: effective,
    topicArns: Object.fromEntries(CHANNELS.map((c) => [c, DRY_RUN_TOPIC(c)])),
    owner: `dry-run-${seq++}`,
    leaseUntilMs: now + 60_000,
    now: () => now,
    publish: async (pi) => {
      const channel = CHANNELS.find((c) => pi.TopicArn === DRY_RUN_TOPIC(c)) as Channel;
      captured.push({ channel, input: pi });
      return `dry-run-${captured.length}`;
    },
  });
  let last = 0;
  for (const input of events) {
    const e = input.event;
    const now = e.time?.epochMs ?? Date.now();
    last = Math.max(last, now);
    const { matched, failed } = evaluateRules(effective, e);
    for (const f of failed) ruleErrors.push({ input, ruleId: f.rule.id, error: `${f.error.name}: ${f.error.message}` });
    for (const r of matched) {
      captured = [];
      const outcome = await processAlert(r, e, deps(now));
      for (const sm of outcome.summaries) summaries.push({ before: input, outcome: sm, atMs: now });
      const summaryChannels = new Set(outcome.summaries.flatMap((sm) => sm.published.map((p) => p.input)));
      fired.push({ input, outcome, inputs: captured.filter((c) => !summaryChannels.has(c.input)) });
    }
  }
  // then let every window close: the summaries the sweep sends once no further event arrives
  for (let round = 0; round < 100; round++) {
    const due = await store.dueWindows(Number.MAX_SAFE_INTEGER, 50);
    if (due.length === 0) break;
    const closesAt = Math.min(
      ...(await Promise.all(due.map((k) => store.readWindow(k)))).map((w) => w?.windowEnd ?? last),
    );
    const { summaries: out } = await sweepDueWindows(deps(Math.max(closesAt, last)), Number.POSITIVE_INFINITY);
    for (const sm of out) summaries.push({ before: null, outcome: sm, atMs: Math.max(closesAt, last) });
    if (out.every((x) => x.kind !== 'sent')) break;
  }
  return { fired, summaries, ruleErrors };
}

function table(head: string[], rows: string[][], maxWidth = 60): string {
  const widths = head.map((h, i) => Math.min(maxWidth, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => {
        const w = widths[i] ?? 0;
        if (i === r.length - 1) return c;
        return c.length > w ? `${c.slice(0, w - 1)}…` : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [
    fmt(head),
    fmt(head.map((h, i) => '-'.repeat(Math.min(maxWidth, widths[i] ?? h.length)))),
    ...rows.map(fmt),
  ].join('\n');
}

function eventLabel(e: SecurityEvent): string {
  const when = e.time ? formatWithOffset(e.time) : 'no time';
  const slug = idLessLayoutOf(e);
  return `${slug === null ? `event ${e.eventId}` : `layout ${slug}`} "${e.name}" (${e.host ?? 'no host'}, ${when})`;
}

function indent(s: string, prefix: string): string {
  return s
    .split('\n')
    .map((l) => `${prefix}${l}`.trimEnd())
    .join('\n');
}

/** The messages of the published channels, as each channel shows them. */
function printMessages(
  m: AlertMessages,
  inputs: readonly { readonly channel: Channel }[],
  w: (s?: string) => void,
): void {
  const cut = (ch: Channel) => (m.truncated.includes(ch) ? ' [truncated: cut to fit, marked in the text]' : '');
  for (const { channel } of inputs) {
    switch (channel) {
      case 'sms':
        w(
          `   sms     ${m.sms.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'} ${m.sms.units}/${m.sms.limit}${m.sms.truncated ? ' (truncated)' : ''}: ${m.sms.text}`,
        );
        break;
      case 'email':
        w(`   email   subject (${m.emailSubject.length}/99), ${m.bytes.email} bytes${cut('email')}: ${m.emailSubject}`);
        w(indent(m.emailBody, '           | '));
        break;
      case 'chat':
        w(
          `   chat    https JSON (${m.bytes.chat} bytes on the wire; --json for the exact Publish input)${cut('chat')}:`,
        );
        w(indent(JSON.stringify(JSON.parse(m.chat), null, 2), '           | '));
        break;
      default:
        w(`   ticket  https JSON (${m.bytes.ticket} bytes on the wire)${cut('ticket')}:`);
        w(indent(JSON.stringify(JSON.parse(m.ticket), null, 2), '           | '));
    }
  }
}

const WHY: Readonly<Record<string, string>> = {
  throttle: 'throttled',
  'rule-cap': "the rule's rate cap",
  'channel-cap': "a channel's rate cap",
};

function printSummary(s: Summarized, w: (s?: string) => void): void {
  const o = s.outcome;
  const win = o.window;
  if (o.kind === 'none' || !win) return;
  const when = s.before
    ? `before ${eventLabel(s.before.event)} (the window had closed)`
    : `when the window closed (${new Date(s.atMs).toISOString()})`;
  w('');
  w(
    `== summary × ${o.rule?.id ?? win.ruleId}: ${win.count} match(es) not sent one by one (${WHY[win.kind] ?? win.kind}${win.channel ? `: ${win.channel}` : ''}), window ${new Date(win.windowStart).toISOString()} – ${new Date(win.windowEnd).toISOString()}; sent ${when}`,
  );
  if (o.kind !== 'sent' || !o.messages) {
    w(`   ${o.kind}${o.note ? `: ${o.note}` : ''}`);
    return;
  }
  printMessages(o.messages, o.published, w);
}

function printText(
  rules: RuleSet,
  events: readonly InputEvent[],
  run: DryRun,
  source: string,
  throttle: boolean,
  io: Io,
): void {
  const { fired, summaries } = run;
  const w = (s = '') => io.stdout.write(`${s}\n`);
  w(
    `Alert rules dry run — ${rules.rules.length} rule(s) enabled${rules.disabled.length ? `, ${rules.disabled.length} disabled (${rules.disabled.join(', ')})` : ''}; ${events.length} event(s) from ${source}`,
  );
  w("No AWS access: throttling and rate caps in memory, clock = each event's time. Topic ARNs are placeholders.");
  w('');
  const rows = rules.rules.map((r) => {
    const mine = fired.filter((f) => f.outcome.rule.id === r.id);
    const n = (k: AlertOutcome['kind']) => mine.filter((f) => f.outcome.kind === k).length;
    const ids = [
      ...new Set(
        mine.map((f) => {
          const slug = idLessLayoutOf(f.input.event);
          return slug === null ? f.input.event.eventId : `layout:${slug}`;
        }),
      ),
    ];
    return [
      r.id,
      r.level,
      r.channels.join(','),
      !throttle
        ? 'off (--no-throttle)'
        : r.throttle
          ? `${r.throttle.window}${r.throttle.key.length ? ` per ${r.throttle.key.map(pathText).join('+')}` : ''}`
          : 'none',
      String(mine.length),
      String(n('sent')),
      String(n('suppressed')),
      String(n('held') + mine.filter((f) => f.outcome.kind === 'sent' && f.outcome.heldChannels.length > 0).length),
      ids.length ? ids.slice(0, 8).join(' ') + (ids.length > 8 ? ` (+${ids.length - 8})` : '') : '-',
    ];
  });
  w(table(['RULE', 'LEVEL', 'CHANNELS', 'THROTTLE', 'FIRED', 'SENT', 'SUPPRESSED', 'HELD', 'EVENTS'], rows, 44));
  const firing = new Set(fired.map((f) => f.input));
  const sentSummaries = summaries.filter((x) => x.outcome.kind === 'sent');
  w('');
  w(`${firing.size} of ${events.length} event(s) fired at least one rule; ${events.length - firing.size} fired none.`);
  w(
    `${sentSummaries.length} suppression summar${sentSummaries.length === 1 ? 'y' : 'ies'} (windows that closed with suppressed or held matches).`,
  );
  for (const e of run.ruleErrors)
    w(`rule ${e.ruleId} failed on ${eventLabel(e.input.event)}: ${e.error} (the function parks the event in the DLQ)`);
  for (const f of fired) {
    const o = f.outcome;
    for (const sm of summaries.filter((x) => x.before === f.input && o.summaries.includes(x.outcome)))
      printSummary(sm, w);
    w('');
    w(`== ${o.rule.id} × ${eventLabel(f.input.event)}${f.input.line ? ` [line ${f.input.line}]` : ''}`);
    if (o.kind === 'suppressed') {
      w(`   suppressed: throttle window open (${o.suppressedCount} held so far); the window's summary lists it`);
      continue;
    }
    if (o.kind === 'held') {
      w(`   held: rate cap reached (${o.heldChannels.join(', ')}); the cap window's summary lists it`);
      continue;
    }
    if (o.kind === 'duplicate') {
      w('   duplicate: this rule already alerted for this exact event; nothing sent');
      continue;
    }
    if (o.heldChannels.length)
      w(`   held on ${o.heldChannels.join(', ')} (channel rate cap); in that window's summary`);
    if (o.messages) printMessages(o.messages, f.inputs, w);
  }
  const after = summaries.filter((x) => x.before === null);
  if (after.length) {
    w('');
    w('Summaries sent when the remaining windows close (no further event needed: the sweep sends them):');
    for (const sm of after) printSummary(sm, w);
  }
}

async function testCommand(argv: string[], io: Io): Promise<number> {
  const { values: v } = parse(argv, {
    rules: { type: 'string' },
    events: { type: 'string' },
    json: { type: 'boolean' },
    'no-throttle': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const rules = loadRules(v.rules ?? DEFAULT_RULES, io);
  if (!rules) return 1;
  let events: InputEvent[];
  let bad = 0;
  let source: string;
  if (v.events !== undefined) {
    try {
      ({ events, bad } = await readEvents(v.events, io));
    } catch (e) {
      io.stderr.write(`segura-relay alerts: cannot read ${v.events}: ${errorMessage(e)}\n`);
      return 1;
    }
    source = v.events;
  } else {
    events = catalogFeed().map((env) => ({ line: null, event: parseInput(JSON.stringify(env)) }));
    source = `the catalog (one of every event: ${CATALOG_COUNT})`;
  }
  const run = await dryRun(rules, events, v['no-throttle'] !== true);
  if (v.json) {
    const summaryLine = (sm: Summarized) =>
      `${JSON.stringify({
        type: 'summary',
        trigger: sm.before ? { line: sm.before.line, eventId: sm.before.event.eventId } : 'window-closed',
        rule: sm.outcome.rule?.id ?? sm.outcome.window?.ruleId ?? null,
        outcome: sm.outcome.kind,
        windowKind: sm.outcome.window?.kind ?? null,
        count: sm.outcome.window?.count ?? 0,
        alertId: sm.outcome.alertId,
        truncated: sm.outcome.messages?.truncated ?? [],
        publish: sm.outcome.published.map((p) => p.input),
      })}\n`;
    for (const f of run.fired) {
      for (const sm of run.summaries.filter((x) => x.before === f.input && f.outcome.summaries.includes(x.outcome)))
        io.stdout.write(summaryLine(sm));
      io.stdout.write(
        `${JSON.stringify({
          type: 'alert',
          line: f.input.line,
          eventId: f.input.event.eventId,
          // the layout name of an event without a catalog id (its eventId is whatever it was sent with)
          layout: idLessLayoutOf(f.input.event),
          event: f.input.event.name,
          rule: f.outcome.rule.id,
          outcome: f.outcome.kind,
          alertId: f.outcome.alertId,
          suppressedCount: f.outcome.suppressedCount,
          heldChannels: f.outcome.heldChannels,
          truncated: f.outcome.messages?.truncated ?? [],
          publish: f.inputs.map((x) => x.input),
        })}\n`,
      );
    }
    for (const sm of run.summaries.filter((x) => x.before === null)) io.stdout.write(summaryLine(sm));
  } else printText(rules, events, run, source, v['no-throttle'] !== true, io);
  return bad > 0 ? 1 : 0;
}

function validateCommand(argv: string[], io: Io): number {
  const { values: v } = parse(argv, {
    rules: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const file = v.rules ?? DEFAULT_RULES;
  let doc: unknown;
  try {
    doc = parseRulesDocument(readFileSync(file, 'utf8'), file);
    const rules = validateRules(doc, file);
    io.stdout.write(
      `${file}: OK — ${rules.rules.length} rule(s) enabled (${rules.rules.map((r) => r.id).join(', ')})${rules.disabled.length ? `, disabled: ${rules.disabled.join(', ')}` : ''}\n`,
    );
  } catch (e) {
    if (e instanceof RulesError) {
      io.stderr.write(`segura-relay alerts: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`segura-relay alerts: cannot read ${file}: ${errorMessage(e)}\n`);
    return 1;
  }
  if (v.out !== undefined) {
    writeFileSync(v.out, `${JSON.stringify(doc, null, 2)}\n`);
    io.stdout.write(`wrote ${v.out}\n`);
  }
  return 0;
}

/** `segura-relay alerts <sub>` */
async function alertsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'test':
      return testCommand(rest, io);
    case 'validate':
      return validateCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
      io.stdout.write(`${HELP}\n`);
      return sub === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown alerts command ${JSON.stringify(sub)} (test or validate)`);
  }
}

export { alertsCommand, DEFAULT_RULES, dryRun };
