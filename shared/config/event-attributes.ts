/**
 * Names and SNS data types of the message attributes normalize publishes with every event
 * (shared/deliver/events-publisher.ts `attributesOf`): the keys the subscriptions' filter policies
 * may use (infra/constructs/events-topic.ts, infra/constructs/alert-filter.ts). A contract between
 * the function and the stack, so it lives here with the other pure contracts.
 */
const EVENT_ATTRIBUTES = {
  eventId: 'String',
  /** CEF severity 0–10 */
  severity: 'Number',
  /** RFC 5424 severity 0 (emerg) – 7 (debug) */
  syslogSeverity: 'Number',
  /** notification category, `none` when the event has none */
  category: 'String',
  /** origin code, `none` when the event has none */
  origin: 'String',
  catalogMatch: 'String',
} as const;
type EventAttribute = keyof typeof EVENT_ATTRIBUTES;

export type { EventAttribute };
export { EVENT_ATTRIBUTES };
