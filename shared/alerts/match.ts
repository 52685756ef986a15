/**
 * Rule matching: pure predicates over a SecurityEvent. A rule fires when any of its clauses holds;
 * a clause holds when every criterion it has holds; a list criterion holds when any entry does.
 * Regexes run on the linear-time engine (`regex.ts`) over at most MAX_REGEX_INPUT characters of a
 * value, so the work per event is bounded by rules × conditions × 1,024 characters.
 */
import type { SecurityEvent } from '../model/security-event.js';
import { idLessLayoutOf } from './event-ref.js';
import type { AlertRule, MatchClause } from './types.js';

/** Characters of a field value a regex condition sees. */
const MAX_REGEX_INPUT = 1_024;

function clauseMatches(c: MatchClause, e: SecurityEvent): boolean {
  if (c.eventIds && !c.eventIds.has(e.eventId)) return false;
  // a layout without an id: normalize resolved the event by the layout's field signature
  if (c.layouts) {
    const slug = idLessLayoutOf(e);
    if (slug === null || !c.layouts.has(slug)) return false;
  }
  if (c.origins && (e.origin === null || !c.origins.has(e.origin))) return false;
  if (c.notifications) {
    const ok = c.notifications.some(
      (n) => n.category === e.category && (n.type === null || n.type === e.notificationType),
    );
    if (!ok) return false;
  }
  if (c.minSeverity) {
    const s = c.minSeverity;
    // CEF: higher is more severe; syslog: lower is more severe
    if (s.scale === 'cef' ? e.cefSeverity < s.value : e.syslogSeverity > s.value) return false;
  }
  for (const f of c.fields) {
    if (!Object.hasOwn(e.fields, f.key)) return false;
    const v = e.fields[f.key] as string;
    if (f.equals && !f.equals.includes(v)) return false;
    if (f.regex && !f.regex.test(v.length > MAX_REGEX_INPUT ? v.slice(0, MAX_REGEX_INPUT) : v)) return false;
  }
  return true;
}

/** @example ruleMatches(rule, event) // true when any clause holds */
function ruleMatches(rule: AlertRule, e: SecurityEvent): boolean {
  return rule.match.some((c) => clauseMatches(c, e));
}

/** A rule that could not be evaluated on an event (the rule fails, not the batch). */
interface RuleFailure {
  readonly rule: AlertRule;
  readonly error: Error;
}

/**
 * Every rule that fires for the event, in file order, and the rules that threw while being
 * evaluated (each is reported on its own; the other rules and events go on).
 */
function evaluateRules(rules: readonly AlertRule[], e: SecurityEvent): { matched: AlertRule[]; failed: RuleFailure[] } {
  const matched: AlertRule[] = [];
  const failed: RuleFailure[] = [];
  for (const r of rules) {
    try {
      if (ruleMatches(r, e)) matched.push(r);
    } catch (err) {
      failed.push({ rule: r, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return { matched, failed };
}

/** Every rule that fires for the event, in file order (a rule that throws does not fire). */
function matchingRules(rules: readonly AlertRule[], e: SecurityEvent): AlertRule[] {
  return evaluateRules(rules, e).matched;
}

export type { RuleFailure };
export { evaluateRules, MAX_REGEX_INPUT, matchingRules, ruleMatches };
