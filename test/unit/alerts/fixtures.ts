/**
 * Helpers for the alerts tests: events built through the real parser (so they look exactly like what
 * the function receives) and rules built through the real validator.
 */

import { IdKey } from '../../../shared/alerts/identity.js';
import type { AlertRule, RuleSet, RuleSettings } from '../../../shared/alerts/types.js';
import { validateRules } from '../../../shared/alerts/validate.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';

interface EnvelopeLike {
  readonly id: string;
  readonly timestamp?: string;
  readonly host?: string;
  readonly fields?: Record<string, string>;
  readonly severity?: number;
}

/** A canonical event from an envelope (default time and host so identities are stable). */
function event(e: EnvelopeLike): SecurityEvent {
  return parseInput(JSON.stringify({ timestamp: '2026-01-19T10:41:00-03:00', host: 'vault-01', pid: 1426, ...e }));
}

/** A rule set from plain rule objects (validated). */
function ruleSet(rules: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): RuleSet {
  return validateRules({ version: 1, ...extra, rules });
}

/** One validated rule. */
function rule(r: Record<string, unknown>): AlertRule {
  return ruleSet([{ id: 'r1', name: 'Rule one', channels: ['sms', 'email', 'chat', 'ticket'], ...r }])
    .rules[0] as AlertRule;
}

/** A fixed identity key for the tests (a deployment generates its own in Secrets Manager). */
const KEY = new IdKey('unit-test-identity-key-0123456789abcdef');

/** The settings a rules file without `settings` gets (default rate caps included). */
const SETTINGS: RuleSettings = ruleSet([
  { id: 'x', name: 'X', channels: ['sms'], match: { eventIds: ['19'] } },
]).settings;

/** Settings without any channel rate cap (tests about something else). */
const UNCAPPED: RuleSettings = { ...SETTINGS, channelRateCaps: { sms: null, email: null, chat: null, ticket: null } };

export { event, KEY, rule, ruleSet, SETTINGS, UNCAPPED };
