/**
 * How a rule's alerts go out: channels, level, throttle (whose key must never be derived from a
 * secret), rate caps, templates, and the document's `settings` and `defaults` that supply them.
 */

import { errorMessage } from '../errors.js';
import { cefLabelsOf } from '../model/catalog-rules.js';
import { isSecretName } from '../model/secrets.js';
import { type Checker, isObj, MAX_WINDOW_MS, parseWindow, q, suggest, TEMPLATE_MAX } from './rule-checker.js';
import { parsePath, pathText, templatePaths } from './template.js';
import {
  CHANNELS,
  type Channel,
  LEVELS,
  type Level,
  type MatchClause,
  type PayloadTemplate,
  type RateCap,
  type RuleSettings,
  type Template,
  type Throttle,
  type ValuePath,
} from './types.js';

/** Templates used when neither the rule nor `defaults.templates` gives one. */
const BUILTIN_TEMPLATES = {
  sms: 'Segura {{rule.level}}: {{rule.name}} on {{event.host | "vault"}} ({{fields.suser | fields.duser | event.name}})',
  emailSubject: '[Segura {{rule.level}}] {{rule.name}} on {{event.host | "vault"}}',
  emailBody: `{{rule.name}}
{{rule.description}}

Event:     {{event.name}} ({{event.ref}})
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
      c.add(`${at}.key[${i}]`, errorMessage(e));
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

export type { Defaults };
export {
  BUILTIN_TEMPLATES,
  checkChannels,
  checkDefaults,
  checkLevel,
  checkRateCap,
  checkSecretLabelKeys,
  checkSettings,
  checkTemplates,
  checkThrottle,
  DEFAULT_RATE_CAPS,
};
