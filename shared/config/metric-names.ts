/**
 * Metric names the functions publish (Powertools EMF). Like the environment variable names, a
 * contract shared by the runtime and the CDK app: alarms and the dashboard refer to these names,
 * so infra imports them from here (it imports nothing else from the runtime).
 */

/**
 * Metric names (stable: dashboards and alarms refer to them). Each name × dimension set costs a
 * custom metric a month, so none repeats what AWS publishes for free: the batch time is Lambda's
 * `Duration`, records received per destination SQS's `NumberOfMessagesReceived`, alert messages
 * per channel SNS's `NumberOfMessagesPublished` per topic. Only normalize counts `EventsReceived`
 * (the relay's input rate, next to what it published).
 */
const METRIC = {
  /** normalize only */
  received: 'EventsReceived',
  delivered: 'EventsDelivered',
  failed: 'EventsFailed',
  invalid: 'EventsInvalid',
  parked: 'EventsParkedInDlq',
  truncated: 'EventsTruncated',
  published: 'EventsPublished',
  bytes: 'BytesDelivered',
  unknownIds: 'UnknownEventIds',
  /** deliver-*: records kept out of sight with a backoff because the destination is down */
  backedOff: 'EventsBackedOff',
  /** deliver-*: 1 when this invocation found the destination down, else 0 (the alarm's state) */
  destinationDown: 'DestinationDown',
  /** normalize, deliver-*: records that threw an unexpected error (retried, then parked as internal) */
  internalErrors: 'EventsInternalError',
  /** deliver-*: replayed lines (redrive --from-s3) taken for delivery */
  replayed: 'EventsReplayed',
  /** evaluate-alerts: rule × event pairs that matched */
  alertsMatched: 'AlertsMatched',
  /** evaluate-alerts: alerts fully published (every channel) */
  alertsSent: 'AlertsSent',
  /** evaluate-alerts: alerts held back inside a throttle window (reported by the next alert) */
  alertsSuppressed: 'AlertsSuppressed',
  /** evaluate-alerts: alerts already handled (SQS redelivery, SNS duplicate, repeated event) */
  alertsDuplicate: 'AlertsDuplicate',
  /** evaluate-alerts: alerts not finished (publish or store failure); SQS retries them */
  alertsFailed: 'AlertsFailed',
  /** evaluate-alerts: alerts a rate cap held back (reported by the cap window's summary) */
  alertsHeld: 'AlertsHeld',
  /** evaluate-alerts: suppression summaries sent (a throttle or rate-cap window closed with held matches) */
  alertSummariesSent: 'AlertSummariesSent',
  /** evaluate-alerts: rule × event evaluations that threw (the event is parked in the DLQ for that rule) */
  alertRuleErrors: 'AlertRuleErrors',
} as const;

export { METRIC };
