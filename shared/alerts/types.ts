/**
 * Alert rule types. A rules file (YAML or JSON, `schemas/alert-rules.v1.schema.json`) is validated
 * once by `validate.ts` into these compiled, frozen structures; nothing after validation re-checks.
 */
import type { UserRegex } from './regex.js';

/** Delivery channels: one SNS topic each (`ALERT_TOPIC_ARNS`). */
const CHANNELS = ['sms', 'email', 'chat', 'ticket'] as const;
type Channel = (typeof CHANNELS)[number];

/** How urgent a rule's alerts are: shown in subjects, chat titles and ticket priorities. */
const LEVELS = ['critical', 'high', 'medium', 'low'] as const;
type Level = (typeof LEVELS)[number];

/**
 * A value path a template or throttle key can read:
 * `event.<prop>`, `fields.<key>`, `fields` (all fields), `rule.<prop>`, `suppressed`, `suppressedCount`.
 */
type ValuePath =
  | { readonly root: 'event'; readonly name: EventProp }
  | { readonly root: 'fields'; readonly name: string | null }
  | { readonly root: 'rule'; readonly name: RuleProp }
  | { readonly root: 'suppressed' }
  | { readonly root: 'suppressedCount' };

const EVENT_PROPS = [
  'eventId',
  // `id 164`, or `layout master-key-recovery-failed` for an event resolved by a layout without an id
  'ref',
  // the slug of that layout without an id, '' otherwise
  'layout',
  'name',
  'category',
  'notificationType',
  'origin',
  'severity',
  'cefSeverity',
  'syslogSeverity',
  'severityName',
  'time',
  'host',
  'app',
  'pid',
] as const;
type EventProp = (typeof EVENT_PROPS)[number];

const RULE_PROPS = ['id', 'name', 'description', 'level'] as const;
type RuleProp = (typeof RULE_PROPS)[number];

/** One `{{a | b | "literal"}}` placeholder: the first alternative with a non-empty value wins. */
interface Placeholder {
  readonly alternatives: readonly ({ readonly path: ValuePath } | { readonly literal: string })[];
  /** the placeholder as written, for messages */
  readonly source: string;
}

/** A compiled template: literal text and placeholders in order. */
interface Template {
  readonly source: string;
  readonly parts: readonly (string | Placeholder)[];
}

/** A JSON payload template (chat/ticket): every string leaf is a template. */
type PayloadTemplate =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, PayloadTemplate])[] }
  | { readonly kind: 'array'; readonly items: readonly PayloadTemplate[] }
  | { readonly kind: 'string'; readonly template: Template }
  | { readonly kind: 'literal'; readonly value: number | boolean | null };

interface FieldCondition {
  readonly key: string;
  /** any of these values (exact, case-sensitive) */
  readonly equals: readonly string[] | null;
  /** tested against at most `MAX_REGEX_INPUT` characters of the value, on the linear-time engine */
  readonly regex: UserRegex | null;
}

/** Minimum severity, on the scale the rule author wrote it in. */
type MinSeverity =
  | { readonly scale: 'cef'; readonly value: number }
  | { readonly scale: 'syslog'; readonly value: number };

/** One clause: every criterion present must hold (AND); lists are any-of (OR). */
interface MatchClause {
  readonly eventIds: ReadonlySet<string> | null;
  /**
   * slugs of documented layouts without a catalog id (`master-key-recovery-failed`): the event's id
   * is not a catalog id and its fields match the layout's signature (`catalogMatch` `layout`)
   */
  readonly layouts: ReadonlySet<string> | null;
  /** categories of the notification options page, or category + type pairs */
  readonly notifications: readonly { readonly category: string; readonly type: string | null }[] | null;
  readonly origins: ReadonlySet<string> | null;
  readonly minSeverity: MinSeverity | null;
  readonly fields: readonly FieldCondition[];
}

interface Throttle {
  readonly windowMs: number;
  /** the window as written (`10m`), for messages */
  readonly window: string;
  /** values that make up the throttle key (always scoped to the rule) */
  readonly key: readonly ValuePath[];
  /** the key paths as written */
  readonly keySource: readonly string[];
}

/** At most `max` alerts per fixed window of `windowMs`; matches beyond it are held and summarized. */
interface RateCap {
  readonly max: number;
  readonly windowMs: number;
  /** the window as written (`10m`), for messages */
  readonly window: string;
}

interface RuleTemplates {
  readonly sms: Template;
  readonly emailSubject: Template;
  readonly emailBody: Template;
  /** null: the built-in chat payload (Amazon Q Developer in chat applications custom notification) */
  readonly chat: PayloadTemplate | null;
  /** null: the built-in ticket payload */
  readonly ticket: PayloadTemplate | null;
}

/** A validated rule. */
interface AlertRule {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly level: Level;
  /** any clause matching fires the rule (OR) */
  readonly match: readonly MatchClause[];
  readonly channels: readonly Channel[];
  /** null: no throttling (still deduplicated per event) */
  readonly throttle: Throttle | null;
  /** alerts this rule may send per window (its own, or `settings.rateCaps.perRule`); null: uncapped */
  readonly rateCap: RateCap | null;
  readonly templates: RuleTemplates;
  /** index in the file's `rules` list, for messages */
  readonly index: number;
}

interface RuleSettings {
  /**
   * Replace accented letters and typographic punctuation GSM-7 lacks (ã → a, “ → ") so an SMS keeps
   * its 140-character budget instead of dropping to 70 UCS-2 characters. @default true
   */
  readonly smsTransliterate: boolean;
  /**
   * The SMS topic's display name. SNS prefixes topic SMS with `DISPLAYNAME> `, so its length + 2 is
   * kept out of the SMS budget. @default null (no display name)
   */
  readonly smsDisplayName: string | null;
  /**
   * Messages each channel may carry per window (every rule together); matches beyond it are held
   * for that channel and summarized when the window closes. null: uncapped.
   * @default sms 20/1h, email 60/1h, chat 60/1h, ticket 30/1h (`DEFAULT_RATE_CAPS`)
   */
  readonly channelRateCaps: Readonly<Record<Channel, RateCap | null>>;
}

/** A validated rules file (only enabled rules). */
interface RuleSet {
  readonly version: 1;
  readonly settings: RuleSettings;
  readonly rules: readonly AlertRule[];
  /** rules present in the file but `enabled: false` */
  readonly disabled: readonly string[];
}

export type {
  AlertRule,
  Channel,
  EventProp,
  FieldCondition,
  Level,
  MatchClause,
  MinSeverity,
  PayloadTemplate,
  Placeholder,
  RateCap,
  RuleProp,
  RuleSet,
  RuleSettings,
  RuleTemplates,
  Template,
  Throttle,
  ValuePath,
};
export { CHANNELS, EVENT_PROPS, LEVELS, RULE_PROPS };
