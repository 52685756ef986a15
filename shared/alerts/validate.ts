/**
 * The alert rules validator: a parsed rules document (YAML or JSON) → a compiled `RuleSet`, or every
 * problem found, each naming the rule, the field and what is wrong:
 *
 *   rule "backup-error" (rules[3]) match.eventIds[0]: unknown event id "999" (not in the catalog; see `segura-relay catalog`)
 *
 * Structure follows `schemas/alert-rules.v1.schema.json` (a test keeps the two in agreement); on top
 * of it this checks what a schema cannot: event ids, notification categories/types and origins
 * against the catalog (the syslog event catalog and the notification options page), templates and their placeholders, regex safety, secret-looking
 * fields in templates or throttle keys, and duplicate ids. The function at cold start and the dry
 * run use this same code. This file reads the document and its rules; the checks live in
 * rule-match.ts (match clauses against the catalog), rule-delivery.ts (channels, throttle, rate caps,
 * templates, settings, defaults) and rule-checker.ts (the issue recorder they share).
 */
import { Checker, isObj, type Obj, parseWindow, q, type RuleIssue } from './rule-checker.js';
import {
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
  type Defaults,
} from './rule-delivery.js';
import { checkClause } from './rule-match.js';
import { compileTemplate } from './template.js';
import {
  type AlertRule,
  CHANNELS,
  type Channel,
  type MatchClause,
  type RateCap,
  type RuleSet,
  type Template,
} from './types.js';

function issueText(i: RuleIssue): string {
  const where = i.rule === null ? '' : `rule ${JSON.stringify(i.rule)} (rules[${i.index}]) `;
  return `${where}${i.field}: ${i.message}`;
}

/** The rules document is invalid; `issues` lists every problem found. */
class RulesError extends Error {
  readonly issues: readonly RuleIssue[];
  constructor(issues: readonly RuleIssue[], source?: string, options?: ErrorOptions) {
    const shown = issues.slice(0, 20).map(issueText);
    const more = issues.length > 20 ? `\n  … and ${issues.length - 20} more` : '';
    super(
      `${source ? `${source}: ` : ''}${issues.length} problem${issues.length === 1 ? '' : 's'} in the alert rules:\n  ${shown.join('\n  ')}${more}`,
      options,
    );
    this.name = 'RulesError';
    this.issues = issues;
  }
}

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_RULES = 500;

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
