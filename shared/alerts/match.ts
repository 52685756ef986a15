/**
 * Rule matching: pure predicates over a SecurityEvent. A rule fires when any of its clauses holds;
 * a clause holds when every criterion it has holds; a list criterion holds when any entry does.
 * Regexes run on at most MAX_REGEX_INPUT characters of a value (bounded work per event).
 */
import type { SecurityEvent } from '../model/security-event.js';
import type { AlertRule, MatchClause } from './types.js';

/** Characters of a field value a regex condition sees. */
const MAX_REGEX_INPUT = 1_024;

function clauseMatches(c: MatchClause, e: SecurityEvent): boolean {
  if (c.eventIds && !c.eventIds.has(e.eventId)) return false;
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
    const v = e.fields[f.key];
    if (v === undefined) return false;
    if (f.equals && !f.equals.includes(v)) return false;
    if (f.regex) {
      f.regex.lastIndex = 0;
      if (!f.regex.test(v.length > MAX_REGEX_INPUT ? v.slice(0, MAX_REGEX_INPUT) : v)) return false;
    }
  }
  return true;
}

/** @example ruleMatches(rule, event) // true when any clause holds */
function ruleMatches(rule: AlertRule, e: SecurityEvent): boolean {
  return rule.match.some((c) => clauseMatches(c, e));
}

/** Every rule that fires for the event, in file order. */
function matchingRules(rules: readonly AlertRule[], e: SecurityEvent): AlertRule[] {
  return rules.filter((r) => ruleMatches(r, e));
}

export { MAX_REGEX_INPUT, matchingRules, ruleMatches };
