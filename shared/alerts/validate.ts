/**
 * The alert rules validator: a parsed rules document (YAML or JSON) → a compiled `RuleSet`, or every
 * problem found, each naming the rule, the field and what is wrong:
 *
 *   rule "backup-error" (rules[3]) match.eventIds[0]: unknown event id "999" (not in the catalog; see `segura-relay catalog`)
 *
 * Structure follows `schemas/alert-rules.v1.schema.json` (a test keeps the two in agreement); on top
 * of it this checks what a schema cannot: event ids, notification categories/types and origins
 * against the catalog (seeds 002/003), templates and their placeholders, regex safety, secret-looking
 * fields in templates or throttle keys, and duplicate ids. The function at cold start and the dry
 * run use this same code.
 */
import {
  CATALOG_IDS,
  cefLabelsOf,
  notificationCategories,
  CATALOG_ORIGINS as ORIGINS,
} from '../model/catalog-rules.js';
import { isSecretName } from '../model/secrets.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { compileUserRegex, RegexSyntaxError, type UserRegex } from './regex.js';
import { regexRisk } from './regex-guard.js';
import { compileTemplate, parsePath, pathText, TemplateError, templatePaths } from './template.js';
import {
  type AlertRule,
  CHANNELS,
  type Channel,
  type FieldCondition,
  LEVELS,
  type Level,
  type MatchClause,
  type MinSeverity,
  type PayloadTemplate,
  type RateCap,
  type RuleSet,
  type RuleSettings,
  type Template,
  type Throttle,
  type ValuePath,
} from './types.js';

/** One problem in a rules document. */
interface RuleIssue {
  /** the rule's id (or `rules[i]` when it has none); null for top-level problems */
  readonly rule: string | null;
  /** index in `rules`, null for top-level problems */
  readonly index: number | null;
  /** the field inside the rule (or document), e.g. `match.eventIds[0]` */
  readonly field: string;
  readonly message: string;
}

function issueText(i: RuleIssue): string {
  const where = i.rule === null ? '' : `rule ${JSON.stringify(i.rule)} (rules[${i.index}]) `;
  return `${where}${i.field}: ${i.message}`;
}

/** The rules document is invalid; `issues` lists every problem found. */
class RulesError extends Error {
  readonly issues: readonly RuleIssue[];
  constructor(issues: readonly RuleIssue[], source?: string) {
    const shown = issues.slice(0, 20).map(issueText);
    const more = issues.length > 20 ? `\n  … and ${issues.length - 20} more` : '';
    super(
      `${source ? `${source}: ` : ''}${issues.length} problem${issues.length === 1 ? '' : 's'} in the alert rules:\n  ${shown.join('\n  ')}${more}`,
    );
    this.name = 'RulesError';
    this.issues = issues;
  }
}

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_WINDOW_MS = 7 * 86_400_000;
const TEMPLATE_MAX = { sms: 480, emailSubject: 300, emailBody: 8_000, payload: 2_000 } as const;
const MAX_RULES = 500;

/** Templates used when neither the rule nor `defaults.templates` gives one. */
const BUILTIN_TEMPLATES = {
  sms: 'Segura {{rule.level}}: {{rule.name}} on {{event.host | "vault"}} ({{fields.suser | fields.duser | event.name}})',
  emailSubject: '[Segura {{rule.level}}] {{rule.name}} on {{event.host | "vault"}}',
  emailBody: `{{rule.name}}
{{rule.description}}

Event:     {{event.name}} (id {{event.eventId}})
Severity:  {{event.severityName}} (CEF {{event.severity}})
Category:  {{event.category | "-"}} / {{event.notificationType | "-"}}
Origin:    {{event.origin | "-"}}
Time:      {{event.time | "-"}}
Vault:     {{event.host | "-"}}
User:      {{fields.suser | "-"}} {{fields.sname | ""}}
Target:    {{fields.dhost | fields.dst | "-"}} (account {{fields.duser | "-"}})
Source:    {{fields.src | fields.originIP | "-"}}
Message:   {{fields.msg | "-"}}

{{suppressed}}

Event fields (secrets redacted):
{{fields}}

--
Segura SIEM Relay · rule {{rule.id}}`,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (v: unknown): string => JSON.stringify(v);

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min(cur + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

function suggest(value: string, options: Iterable<string>): string {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const lv = value.toLowerCase();
  for (const o of options) {
    const dd = o.toLowerCase() === lv ? 0 : distance(lv, o.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = o;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(value.length / 4)) ? ` (did you mean ${q(best)}?)` : '';
}

/** Parse `30s`, `10m`, `2h`, `1d` or a number of seconds. */
function parseWindow(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1) return 'a whole number of seconds ≥ 1, or a duration like "10m"';
    return v * 1_000;
  }
  if (typeof v !== 'string') return 'a duration like "30s", "10m", "2h", "1d" or a number of seconds';
  const m = DURATION.exec(v);
  if (!m) return `${q(v)} is not a duration like "30s", "10m", "2h" or "1d"`;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

class Checker {
  readonly issues: RuleIssue[] = [];
  rule: string | null = null;
  index: number | null = null;

  add(field: string, message: string): void {
    this.issues.push({ rule: this.rule, index: this.index, field, message });
  }

  keys(o: Obj, at: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.add(
          at === '' ? k : `${at}.${k}`,
          `unknown property${suggest(k, allowed)}; allowed: ${allowed.join(', ')}`,
        );
    }
  }

  str(v: unknown, at: string, o: { max?: number; oneLine?: boolean; optional?: boolean } = {}): string | null {
    if (v === undefined && o.optional) return null;
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(at, v === undefined ? 'is required' : 'must be a non-empty string');
      return null;
    }
    if (o.max !== undefined && v.length > o.max) this.add(at, `longer than ${o.max} characters`);
    if (o.oneLine && /[\u0000-\u001F\u007F-\u009F]/.test(v))
      this.add(at, 'must be one line without control characters');
    return v;
  }

  strList(v: unknown, at: string): string[] | null {
    if (v === undefined) return null;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) {
      this.add(at, 'must be a non-empty list of strings');
      return null;
    }
    const out: string[] = [];
    list.forEach((x, i) => {
      if (typeof x !== 'string' || x.trim() === '') this.add(`${at}[${i}]`, 'must be a non-empty string');
      else out.push(x.trim());
    });
    return out;
  }

  template(v: unknown, at: string, max: number): Template | null {
    if (typeof v !== 'string') {
      this.add(at, 'must be a string template');
      return null;
    }
    if (v.length > max) this.add(at, `longer than ${max} characters`);
    try {
      const t = compileTemplate(v);
      for (const p of templatePaths(t)) {
        if (p.root === 'fields' && p.name !== null && isSecretName(p.name))
          this.add(
            at,
            `{{${pathText(p)}}} looks secret: it would always render as [redacted]; alerts never carry secrets`,
          );
      }
      return t;
    } catch (e) {
      if (e instanceof TemplateError) {
        this.add(at, e.message);
        return null;
      }
      throw e;
    }
  }

  payload(v: unknown, at: string, depth = 0): PayloadTemplate | null {
    if (depth > 6) {
      this.add(at, 'nested deeper than 6 levels');
      return null;
    }
    if (typeof v === 'string') {
      const t = this.template(v, at, TEMPLATE_MAX.payload);
      return t ? { kind: 'string', template: t } : null;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return { kind: 'literal', value: v };
    if (Array.isArray(v)) {
      const items = v.map((x, i) => this.payload(x, `${at}[${i}]`, depth + 1));
      return items.every((x): x is PayloadTemplate => x !== null) ? { kind: 'array', items } : null;
    }
    if (isObj(v)) {
      const entries: (readonly [string, PayloadTemplate])[] = [];
      let ok = true;
      for (const [k, x] of Object.entries(v)) {
        const p = this.payload(x, `${at}.${k}`, depth + 1);
        if (p) entries.push([k, p]);
        else ok = false;
      }
      return ok ? { kind: 'object', entries } : null;
    }
    this.add(at, 'must be a JSON value (object, array, string template, number, boolean or null)');
    return null;
  }
}

/** Rate caps when the rules file sets none (`settings.rateCaps`). */
const DEFAULT_RATE_CAPS = {
  perRule: { max: 10, window: '10m' },
  perChannel: {
    sms: { max: 20, window: '1h' },
    email: { max: 60, window: '1h' },
    chat: { max: 60, window: '1h' },
    ticket: { max: 30, window: '1h' },
  },
} as const satisfies { perRule: RateCapSource; perChannel: Record<Channel, RateCapSource> };

interface RateCapSource {
  readonly max: number;
  readonly window: string;
}

const MAX_CAP = 10_000;

/** `{ max, window }` or false (uncapped); undefined when absent or invalid (the problem is recorded). */
function checkRateCap(c: Checker, v: unknown, at: string): RateCap | null | undefined {
  if (v === undefined) return undefined;
  if (v === false || v === null) return null;
  if (!isObj(v)) {
    c.add(at, 'must be { max, window } (or false for no cap)');
    return undefined;
  }
  c.keys(v, at, ['max', 'window']);
  let ok = true;
  if (typeof v.max !== 'number' || !Number.isInteger(v.max) || v.max < 1 || v.max > MAX_CAP) {
    c.add(`${at}.max`, `a whole number of alerts, 1–${MAX_CAP}`);
    ok = false;
  }
  const w = v.window === undefined ? 'is required (e.g. "1h")' : parseWindow(v.window);
  if (typeof w === 'string') {
    c.add(`${at}.window`, w);
    ok = false;
  } else if (w > MAX_WINDOW_MS) {
    c.add(`${at}.window`, 'longer than 7 days');
    ok = false;
  }
  if (!ok) return undefined;
  return {
    max: v.max as number,
    windowMs: w as number,
    window: typeof v.window === 'number' ? `${v.window}s` : String(v.window),
  };
}

function defaultCap(src: RateCapSource): RateCap {
  return { max: src.max, windowMs: parseWindow(src.window) as number, window: src.window };
}

interface CheckedSettings {
  readonly settings: RuleSettings;
  /** the per-rule cap rules get unless they set `rateCap` */
  readonly perRule: RateCap | null;
}

function checkSettings(c: Checker, v: unknown): CheckedSettings {
  const s: {
    smsTransliterate: boolean;
    smsDisplayName: string | null;
    channelRateCaps: Record<Channel, RateCap | null>;
  } = {
    smsTransliterate: true,
    smsDisplayName: null,
    channelRateCaps: {
      sms: defaultCap(DEFAULT_RATE_CAPS.perChannel.sms),
      email: defaultCap(DEFAULT_RATE_CAPS.perChannel.email),
      chat: defaultCap(DEFAULT_RATE_CAPS.perChannel.chat),
      ticket: defaultCap(DEFAULT_RATE_CAPS.perChannel.ticket),
    },
  };
  let perRule: RateCap | null = defaultCap(DEFAULT_RATE_CAPS.perRule);
  const done = (): CheckedSettings => ({
    settings: { ...s, channelRateCaps: Object.freeze(s.channelRateCaps) },
    perRule,
  });
  if (v === undefined) return done();
  if (!isObj(v)) {
    c.add('settings', 'must be an object');
    return done();
  }
  c.keys(v, 'settings', ['smsTransliterate', 'smsDisplayName', 'rateCaps']);
  if (v.smsTransliterate !== undefined) {
    if (typeof v.smsTransliterate !== 'boolean') c.add('settings.smsTransliterate', 'must be true or false');
    else s.smsTransliterate = v.smsTransliterate;
  }
  if (v.smsDisplayName !== undefined && v.smsDisplayName !== null) {
    if (typeof v.smsDisplayName !== 'string' || !/^[A-Za-z0-9 -]{1,20}$/.test(v.smsDisplayName))
      c.add('settings.smsDisplayName', 'must be 1–20 letters, digits, spaces or hyphens (the SMS topic display name)');
    else s.smsDisplayName = v.smsDisplayName.toUpperCase();
  }
  if (v.rateCaps !== undefined) {
    const r = v.rateCaps;
    if (!isObj(r)) c.add('settings.rateCaps', 'must be { perRule, perChannel }');
    else {
      c.keys(r, 'settings.rateCaps', ['perRule', 'perChannel']);
      const pr = checkRateCap(c, r.perRule, 'settings.rateCaps.perRule');
      if (pr !== undefined) perRule = pr;
      if (r.perChannel !== undefined) {
        if (!isObj(r.perChannel))
          c.add('settings.rateCaps.perChannel', `must be an object with ${CHANNELS.join(', ')}`);
        else {
          c.keys(r.perChannel, 'settings.rateCaps.perChannel', CHANNELS);
          for (const ch of CHANNELS) {
            const cap = checkRateCap(c, r.perChannel[ch], `settings.rateCaps.perChannel.${ch}`);
            if (cap !== undefined) s.channelRateCaps[ch] = cap;
          }
        }
      }
    }
  }
  return done();
}

function checkNotification(c: Checker, s: string, at: string): { category: string; type: string | null } | null {
  const cats = notificationCategories();
  const slash = s.indexOf('/');
  const catName = (slash < 0 ? s : s.slice(0, slash)).trim();
  const typeName = slash < 0 ? null : s.slice(slash + 1).trim();
  const cat = cats.find((x) => x.name === catName);
  if (!cat) {
    c.add(
      at,
      `unknown notification category ${q(catName)}${suggest(
        catName,
        cats.map((x) => x.name),
      )} (seed 003 categories; write "Category" or "Category / Type")`,
    );
    return null;
  }
  if (typeName === null) return { category: cat.name, type: null };
  if (!cat.types.some((t) => t.name === typeName)) {
    c.add(
      at,
      `unknown notification type ${q(typeName)} in ${q(cat.name)}${suggest(
        typeName,
        cat.types.map((t) => t.name),
      )}`,
    );
    return null;
  }
  return { category: cat.name, type: typeName };
}

function checkMinSeverity(c: Checker, v: unknown, at: string): MinSeverity | null {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 10) return { scale: 'cef', value: v };
    c.add(at, 'a CEF severity 0–10 (higher is more severe) or a syslog severity name');
    return null;
  }
  if (typeof v === 'string') {
    const i = (SYSLOG_SEVERITY_NAMES as readonly string[]).indexOf(v);
    if (i >= 0) return { scale: 'syslog', value: i };
    c.add(at, `unknown syslog severity ${q(v)}; one of ${SYSLOG_SEVERITY_NAMES.join(', ')}, or a CEF severity 0–10`);
    return null;
  }
  c.add(at, 'a CEF severity 0–10 or a syslog severity name (emerg … debug)');
  return null;
}

function checkField(c: Checker, key: string, v: unknown, at: string): FieldCondition | null {
  if (!FIELD_KEY.test(key)) {
    c.add(at, 'is not a field key (a letter, then letters, digits, _ or .)');
    return null;
  }
  if (isSecretName(key)) c.add(at, 'looks secret; alert rules cannot read secret fields');
  if (typeof v === 'string' || Array.isArray(v)) {
    const eq = c.strList(v, at);
    return eq ? { key, equals: eq, regex: null } : null;
  }
  if (!isObj(v)) {
    c.add(at, 'a value, a list of values, or { equals, regex, ignoreCase }');
    return null;
  }
  c.keys(v, at, ['equals', 'regex', 'ignoreCase']);
  const equals = v.equals === undefined ? null : c.strList(v.equals, `${at}.equals`);
  let regex: UserRegex | null = null;
  if (v.ignoreCase !== undefined && typeof v.ignoreCase !== 'boolean')
    c.add(`${at}.ignoreCase`, 'must be true or false');
  if (v.regex !== undefined) {
    if (typeof v.regex !== 'string' || v.regex === '') c.add(`${at}.regex`, 'must be a non-empty string');
    else {
      const risk = regexRisk(v.regex);
      if (risk) c.add(`${at}.regex`, `unsafe regular expression: ${risk}`);
      else {
        try {
          regex = compileUserRegex(v.regex, v.ignoreCase === true);
        } catch (e) {
          if (!(e instanceof RegexSyntaxError)) throw e;
          c.add(`${at}.regex`, `invalid regular expression: ${e.message}`);
        }
      }
    }
  }
  if (v.equals === undefined && v.regex === undefined) c.add(at, 'needs equals or regex');
  return { key, equals, regex };
}

const CLAUSE_KEYS = ['eventIds', 'notifications', 'origins', 'minSeverity', 'fields'] as const;

function checkClause(c: Checker, v: unknown, at: string): MatchClause | null {
  if (!isObj(v)) {
    c.add(at, 'must be an object with eventIds, notifications, origins, minSeverity and/or fields');
    return null;
  }
  c.keys(v, at, CLAUSE_KEYS);
  if (!CLAUSE_KEYS.some((k) => v[k] !== undefined)) {
    c.add(at, `needs at least one criterion (${CLAUSE_KEYS.join(', ')}); to match everything use minSeverity: debug`);
    return null;
  }
  const ids = c.strList(v.eventIds, `${at}.eventIds`);
  ids?.forEach((id, i) => {
    if (!CATALOG_IDS.has(id))
      c.add(`${at}.eventIds[${i}]`, `unknown event id ${q(id)} (not in the catalog; see \`segura-relay catalog\`)`);
  });
  const notes = c.strList(v.notifications, `${at}.notifications`);
  const notifications = notes?.map((n, i) => checkNotification(c, n, `${at}.notifications[${i}]`)) ?? null;
  const origins = c.strList(v.origins, `${at}.origins`);
  origins?.forEach((o, i) => {
    if (!ORIGINS.has(o))
      c.add(
        `${at}.origins[${i}]`,
        `unknown origin code ${q(o)}${suggest(o, ORIGINS)}; one of ${[...ORIGINS].join(', ')}`,
      );
  });
  const minSeverity = v.minSeverity === undefined ? null : checkMinSeverity(c, v.minSeverity, `${at}.minSeverity`);
  const fields: FieldCondition[] = [];
  if (v.fields !== undefined) {
    if (!isObj(v.fields) || Object.keys(v.fields).length === 0) c.add(`${at}.fields`, 'must be a non-empty object');
    else
      for (const [k, x] of Object.entries(v.fields)) {
        const f = checkField(c, k, x, `${at}.fields.${k}`);
        if (f) fields.push(f);
      }
  }
  return {
    eventIds: ids ? new Set(ids) : null,
    notifications: notifications?.filter((n): n is { category: string; type: string | null } => n !== null) ?? null,
    origins: origins ? new Set(origins) : null,
    minSeverity,
    fields,
  };
}

function checkChannels(c: Checker, v: unknown, at: string): Channel[] | null {
  const list = c.strList(v, at);
  if (!list) return null;
  const out: Channel[] = [];
  list.forEach((ch, i) => {
    if (!(CHANNELS as readonly string[]).includes(ch))
      c.add(`${at}[${i}]`, `unknown channel ${q(ch)}${suggest(ch, CHANNELS)}; one of ${CHANNELS.join(', ')}`);
    else if (out.includes(ch as Channel)) c.add(`${at}[${i}]`, `duplicate channel ${q(ch)}`);
    else out.push(ch as Channel);
  });
  return out;
}

function checkThrottle(c: Checker, v: unknown, at: string): Throttle | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === false) return null;
  if (!isObj(v)) {
    c.add(at, 'must be { window, key } (or false to turn throttling off)');
    return undefined;
  }
  c.keys(v, at, ['window', 'key']);
  if (v.window === undefined) {
    c.add(`${at}.window`, 'is required (e.g. "10m")');
    return undefined;
  }
  const w = parseWindow(v.window);
  if (typeof w === 'string') {
    c.add(`${at}.window`, w);
    return undefined;
  }
  if (w > MAX_WINDOW_MS) c.add(`${at}.window`, 'longer than 7 days');
  const keySource = v.key === undefined ? [] : (c.strList(v.key, `${at}.key`) ?? []);
  const key: ValuePath[] = [];
  keySource.forEach((k, i) => {
    try {
      const p = parsePath(k);
      if (p.root !== 'event' && !(p.root === 'fields' && p.name !== null))
        c.add(`${at}.key[${i}]`, `${q(k)} cannot be part of a throttle key; use event.<property> or fields.<key>`);
      else if (p.root === 'fields' && isSecretName(p.name as string))
        c.add(`${at}.key[${i}]`, `${q(k)} looks secret; a throttle key must not be derived from a secret`);
      else key.push(p);
    } catch (e) {
      c.add(`${at}.key[${i}]`, (e as Error).message);
    }
  });
  return { windowMs: w, window: typeof v.window === 'number' ? `${v.window}s` : String(v.window), key, keySource };
}

/**
 * A throttle key must not read a field whose *label* is secret: the rule's own conditions may pin
 * it (`fields: { cs1Label: Password }`), or the catalog documents such a label for that key. (A
 * key named after a secret, `fields.password`, is refused when the throttle is parsed.)
 */
function checkSecretLabelKeys(c: Checker, t: Throttle, match: readonly MatchClause[], at: string): void {
  t.key.forEach((p, i) => {
    if (p.root !== 'fields' || p.name === null) return;
    const labelKey = `${p.name}Label`;
    const pinned = match.flatMap((m) => m.fields.filter((f) => f.key === labelKey).flatMap((f) => f.equals ?? []));
    const documented = cefLabelsOf(p.name);
    const secret = [...pinned, ...documented].find((label) => isSecretName(label));
    if (secret !== undefined)
      c.add(
        `${at}[${i}]`,
        `${q(t.keySource[i] ?? pathText(p))} reads a field labelled ${q(secret)}, which looks secret; a throttle key must not be derived from a secret`,
      );
  });
}

interface TemplateSet {
  sms?: Template;
  emailSubject?: Template;
  emailBody?: Template;
  chat?: PayloadTemplate;
  ticket?: PayloadTemplate;
}

function checkTemplates(c: Checker, v: unknown, at: string): TemplateSet {
  const out: TemplateSet = {};
  if (v === undefined) return out;
  if (!isObj(v)) {
    c.add(at, 'must be an object with sms, emailSubject, emailBody, chat and/or ticket');
    return out;
  }
  c.keys(v, at, ['sms', 'emailSubject', 'emailBody', 'chat', 'ticket']);
  for (const k of ['sms', 'emailSubject', 'emailBody'] as const) {
    if (v[k] === undefined) continue;
    const t = c.template(v[k], `${at}.${k}`, TEMPLATE_MAX[k]);
    if (!t) continue;
    if (
      k === 'sms' &&
      templatePaths(t).some((p) => p.root === 'suppressed' || (p.root === 'fields' && p.name === null))
    )
      c.add(
        `${at}.sms`,
        '{{suppressed}} and {{fields}} are not allowed in an SMS: the "+N similar" note is appended automatically where truncation cannot cut it',
      );
    out[k] = t;
  }
  for (const k of ['chat', 'ticket'] as const) {
    if (v[k] === undefined) continue;
    if (!isObj(v[k])) {
      c.add(`${at}.${k}`, 'must be an object (the JSON payload, string values are templates)');
      continue;
    }
    const p = c.payload(v[k], `${at}.${k}`);
    if (p) out[k] = p;
  }
  return out;
}

interface Defaults {
  level?: Level;
  channels?: Channel[];
  throttle?: Throttle | null;
  templates: TemplateSet;
}

function checkLevel(c: Checker, v: unknown, at: string): Level | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(LEVELS as readonly string[]).includes(v)) {
    c.add(at, `one of ${LEVELS.join(', ')}`);
    return undefined;
  }
  return v as Level;
}

function checkDefaults(c: Checker, v: unknown): Defaults {
  if (v === undefined) return { templates: {} };
  if (!isObj(v)) {
    c.add('defaults', 'must be an object');
    return { templates: {} };
  }
  c.keys(v, 'defaults', ['level', 'channels', 'throttle', 'templates']);
  const d: Defaults = { templates: checkTemplates(c, v.templates, 'defaults.templates') };
  const level = checkLevel(c, v.level, 'defaults.level');
  if (level) d.level = level;
  if (v.channels !== undefined) {
    const ch = checkChannels(c, v.channels, 'defaults.channels');
    if (ch) d.channels = ch;
  }
  const t = checkThrottle(c, v.throttle, 'defaults.throttle');
  if (t !== undefined) d.throttle = t;
  return d;
}

const RULE_KEYS = [
  'id',
  'name',
  'description',
  'enabled',
  'level',
  'match',
  'channels',
  'throttle',
  'rateCap',
  'templates',
] as const;

function checkRule(
  c: Checker,
  v: unknown,
  index: number,
  d: Defaults,
  seen: Set<string>,
  perRule: RateCap | null,
): AlertRule | 'disabled' | null {
  c.index = index;
  c.rule = isObj(v) && typeof v.id === 'string' && v.id !== '' ? v.id : `rules[${index}]`;
  if (!isObj(v)) {
    c.add('(rule)', 'must be an object');
    return null;
  }
  const before = c.issues.length;
  c.keys(v, '', RULE_KEYS);
  const id = c.str(v.id, 'id');
  if (id !== null) {
    if (!RULE_ID.test(id)) c.add('id', 'lower-case letters, digits and hyphens, starting with a letter or digit, ≤ 63');
    if (seen.has(id)) c.add('id', `duplicate rule id ${q(id)}`);
    seen.add(id);
  }
  const name = c.str(v.name, 'name', { max: 120, oneLine: true });
  const description = c.str(v.description, 'description', { max: 500, oneLine: true, optional: true }) ?? '';
  if (v.enabled !== undefined && typeof v.enabled !== 'boolean') c.add('enabled', 'must be true or false');
  const level = checkLevel(c, v.level, 'level') ?? d.level ?? 'high';
  let match: MatchClause[] = [];
  if (v.match === undefined) c.add('match', 'is required');
  else if (Array.isArray(v.match)) {
    if (v.match.length === 0) c.add('match', 'must not be an empty list');
    match = v.match.map((m, i) => checkClause(c, m, `match[${i}]`)).filter((m): m is MatchClause => m !== null);
  } else {
    const m = checkClause(c, v.match, 'match');
    if (m) match = [m];
  }
  let channels: Channel[] | null = null;
  if (v.channels !== undefined) channels = checkChannels(c, v.channels, 'channels');
  else if (d.channels) channels = d.channels;
  else c.add('channels', `is required (any of ${CHANNELS.join(', ')}) unless defaults.channels is set`);
  const t = checkThrottle(c, v.throttle, 'throttle');
  const throttle = t === undefined ? (d.throttle ?? null) : t;
  if (throttle) checkSecretLabelKeys(c, throttle, match, t === undefined ? 'defaults.throttle.key' : 'throttle.key');
  const cap = checkRateCap(c, v.rateCap, 'rateCap');
  const own = checkTemplates(c, v.templates, 'templates');
  const tpl = (k: 'sms' | 'emailSubject' | 'emailBody'): Template =>
    own[k] ?? d.templates[k] ?? compileTemplate(BUILTIN_TEMPLATES[k]);
  if (c.issues.length > before || id === null || name === null || channels === null) return null;
  if (v.enabled === false) return 'disabled';
  return {
    id,
    name,
    description,
    level,
    match,
    channels,
    throttle,
    rateCap: cap === undefined ? perRule : cap,
    templates: {
      sms: tpl('sms'),
      emailSubject: tpl('emailSubject'),
      emailBody: tpl('emailBody'),
      chat: own.chat ?? d.templates.chat ?? null,
      ticket: own.ticket ?? d.templates.ticket ?? null,
    },
    index,
  };
}

/**
 * Validate a parsed rules document. Throws RulesError listing every problem.
 * @example validateRules(YAML.parse(text)).rules.map((r) => r.id)
 */
function validateRules(doc: unknown, source?: string): RuleSet {
  const c = new Checker();
  if (!isObj(doc))
    throw new RulesError(
      [{ rule: null, index: null, field: '(document)', message: 'must be an object with version and rules' }],
      source,
    );
  c.keys(doc, '', ['$schema', 'version', 'settings', 'defaults', 'rules']);
  if (doc.version !== 1) c.add('version', `must be 1, got ${q(doc.version)}`);
  const { settings, perRule } = checkSettings(c, doc.settings);
  const defaults = checkDefaults(c, doc.defaults);
  const rules: AlertRule[] = [];
  const disabled: string[] = [];
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) c.add('rules', 'must be a non-empty list of rules');
  else if (doc.rules.length > MAX_RULES) c.add('rules', `more than ${MAX_RULES} rules`);
  else {
    const seen = new Set<string>();
    doc.rules.forEach((r, i) => {
      const out = checkRule(c, r, i, defaults, seen, perRule);
      if (out === 'disabled') disabled.push((r as Obj).id as string);
      else if (out) rules.push(Object.freeze(out));
    });
    c.rule = null;
    c.index = null;
  }
  if (c.issues.length) throw new RulesError(c.issues, source);
  return Object.freeze({ version: 1 as const, settings: Object.freeze(settings), rules, disabled });
}

/** Channels any enabled rule sends to (the topics the function needs). */
function channelsUsed(set: RuleSet): Channel[] {
  return CHANNELS.filter((ch) => set.rules.some((r) => r.channels.includes(ch)));
}

export type { RuleIssue };
export { BUILTIN_TEMPLATES, channelsUsed, DEFAULT_RATE_CAPS, issueText, parseWindow, RulesError, validateRules };
