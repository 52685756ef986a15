/**
 * Contracts: every name the functions, the CDK app, the CLI and the local run must spell the same
 * way, written once. Nothing here has behaviour; infra imports only this module from the runtime
 * (plus the pure config parsers), so a rename is one edit that the compiler carries everywhere.
 * test/infra/contracts.test.ts proves the two sides agree on the synthesized stacks: filter-policy
 * keys are attributes normalize publishes, and every variable a function reads is set on it;
 * test/infra/alarm-metrics.test.ts proves every alarm watches a metric a function emits.
 *
 * Sections: environment variables · metrics · SNS message attributes · SQS message attributes
 * (DLQ, replay, redrive) · the alerts DynamoDB table.
 */

// ─── Environment variables ──────────────────────────────────────────────────────────────────────

/**
 * Environment variable names shared by the functions and the CDK app. Values are never secrets:
 * secrets come from Secrets Manager / SSM.
 */
const ENV = {
  /** normalize: SNS topic the canonical events are published to */
  eventsTopicArn: 'EVENTS_TOPIC_ARN',
  /** every consumer: the DLQ where messages that can never succeed are parked with the reason */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** deliver-*: JSON destination config (see functions/<name>/config.ts) */
  destination: 'DESTINATION',
  /** normalize: `true` lets secret-looking fields through to the SIEMs (default: redacted) */
  allowSecretFields: 'ALLOW_SECRET_FIELDS',
  /** normalize: maximum accepted input size in bytes (default 262144) */
  maxInputBytes: 'MAX_INPUT_BYTES',
  /** optional endpoint override for every AWS client (local emulators only) */
  awsEndpoint: 'AWS_ENDPOINT_URL',
  /** evaluate-alerts: path of the validated alert rules JSON (bundled next to the handler by CDK) */
  alertRulesFile: 'ALERT_RULES_FILE',
  /** evaluate-alerts: DynamoDB table for deduplication and throttling ({@link THROTTLE_TABLE}) */
  throttleTableName: 'THROTTLE_TABLE_NAME',
  /** evaluate-alerts: JSON map channel → SNS topic ARN, e.g. {"sms":"arn:…","email":"arn:…"} */
  alertTopicArns: 'ALERT_TOPIC_ARNS',
  /** evaluate-alerts: ARN (not the value) of the Secrets Manager secret keying alert ids and hashes */
  alertIdKeySecretArn: 'ALERT_ID_KEY_SECRET_ARN',
  /** normalize: ARN (not the value) of the Secrets Manager secret keying the stable event ids */
  eventIdKeySecretArn: 'EVENT_ID_KEY_SECRET_ARN',
  /** optional Secrets Manager-only endpoint override (the local protocol double) */
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  /** optional DynamoDB-only endpoint override (dynalite runs apart from fauxqs locally) */
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  /** optional Firehose-only endpoint override (the local Firehose double runs apart from fauxqs) */
  firehoseEndpoint: 'AWS_ENDPOINT_URL_FIREHOSE',
  /** deliver-*: URL of the queue its event source reads (visibility changes while backing off) */
  sourceQueueUrl: 'SOURCE_QUEUE_URL',
  /** deliver-*: JSON backoff while the destination is down, {"baseSeconds","capSeconds","jitter"} (shared/config/retry-backoff.ts) */
  retryBackoff: 'RETRY_BACKOFF',
  /** optional SNS-only endpoint override (the fault tests put an HTTP fault proxy in front of SNS) */
  snsEndpoint: 'AWS_ENDPOINT_URL_SNS',
  /**
   * optional SQS-only endpoint override: deliver-syslog in an existing VPC reaches SQS through the
   * relay's interface endpoint by its own DNS name (no private DNS there), `https://vpce-….sqs.<region>.vpce.amazonaws.com`
   */
  sqsEndpoint: 'AWS_ENDPOINT_URL_SQS',
} as const;

/**
 * Variables a function reads that the stack may leave unset: a default applies, or the override
 * exists only for the local run and the tests (emulator endpoints). Every other variable a function
 * reads must be set on it by the stack (test/infra/contracts.test.ts).
 */
const OPTIONAL_ENV: ReadonlySet<string> = new Set([
  ENV.allowSecretFields,
  ENV.maxInputBytes,
  ENV.awsEndpoint,
  ENV.secretsManagerEndpoint,
  ENV.dynamodbEndpoint,
  ENV.firehoseEndpoint,
  ENV.snsEndpoint,
  ENV.sqsEndpoint,
]);

/**
 * Powertools settings the stack sets on every function (read by Powertools itself and by
 * shared/observability/index.ts).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/#environment-variables
 */
const POWERTOOLS_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  metricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
} as const;

// ─── Metrics ────────────────────────────────────────────────────────────────────────────────────

/** The relay's CloudWatch namespace unless the deployment config names another. */
const DEFAULT_METRICS_NAMESPACE = 'SeguraRelay';

/**
 * Metric names the functions publish (Powertools EMF; stable: dashboards and alarms refer to them).
 * Each name × dimension set costs a custom metric a month, so none repeats what AWS publishes for
 * free: the batch time is Lambda's `Duration`, records received per destination SQS's
 * `NumberOfMessagesReceived`, alert messages per channel SNS's `NumberOfMessagesPublished` per
 * topic. Only normalize counts `EventsReceived` (the relay's input rate, next to what it published).
 */
const METRIC = {
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

/**
 * Metric dimensions. Powertools adds `service` (POWERTOOLS_SERVICE_NAME) to every metric; the
 * delivery functions add `Destination` (the destination's name), evaluate-alerts
 * `Destination=alerts`, and `alerts-<channel>` on AlertMessagesPublished.
 */
const DIMENSION = {
  service: 'service',
  destination: 'Destination',
} as const;

/** The `Destination` dimension value of evaluate-alerts' metrics. */
const ALERTS_DESTINATION = 'alerts';

/** The `Destination` dimension value of one alert channel's published messages (`alerts-sms`). */
function alertChannelDestination(channel: string): string {
  return `${ALERTS_DESTINATION}-${channel}`;
}

// ─── SNS message attributes (events topic) ──────────────────────────────────────────────────────

/**
 * Message attributes normalize puts on every event it publishes to the events topic
 * (shared/deliver/events-publisher.ts); the destinations' SNS filter policies read them
 * (infra/constructs/events-topic.ts). `type` is the attribute's DataType: a numeric filter only
 * matches a `Number` attribute.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
const EVENT_ATTR = {
  /** the Segura event id, e.g. `SEG-AUTH-001` */
  eventId: { name: 'eventId', type: 'String' },
  /** CEF severity 0–10 */
  severity: { name: 'severity', type: 'Number' },
  /** RFC 5424 severity 0–7 */
  syslogSeverity: { name: 'syslogSeverity', type: 'Number' },
  /** the catalog category, `none` when the event has none */
  category: { name: 'category', type: 'String' },
  /** where the event came from, `none` when unknown */
  origin: { name: 'origin', type: 'String' },
  /** how the event id matched the catalog */
  catalogMatch: { name: 'catalogMatch', type: 'String' },
} as const;

// ─── SQS message attributes (DLQ, replay, redrive) ──────────────────────────────────────────────

/** Message attribute names carried by parked messages (shared/deliver/dlq.ts; redrive filters on them). */
const DLQ_ATTR = {
  code: 'relay.error.code',
  field: 'relay.error.field',
  reason: 'relay.error.reason',
  sourceMessageId: 'relay.source.messageId',
  function: 'relay.function',
  eventId: 'relay.eventId',
} as const;

/** SQS message attributes of a replay message (shared/deliver/replay.ts, `redrive --from-s3`). */
const REPLAY_ATTR = {
  /** the format the line is rendered in (cef, rfc5424, leef, ecs) */
  format: 'relay.replay.format',
  /** where it came from: `s3://bucket/key#index` */
  source: 'relay.replay.source',
} as const;

/** How many times `segura-relay redrive` moved a message back (cli/redrive.ts; the local run reads it). */
const REDRIVE_COUNT_ATTR = 'relay.redrive.count';

// ─── The alerts DynamoDB table ──────────────────────────────────────────────────────────────────

/**
 * Key schema, TTL attribute and the sparse `due` index of the table evaluate-alerts deduplicates,
 * throttles and rate-caps with (shared/alerts/dynamodb-store.ts writes it,
 * infra/constructs/throttle-table.ts and local/alerts.ts create it). The TTL attribute holds epoch
 * seconds. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 */
const THROTTLE_TABLE = {
  /** partition key (String) */
  partitionKey: 'pk',
  /** TTL attribute (Number, epoch seconds) */
  ttl: 'expiresAt',
  /** the sparse index of windows owing a summary (keys only) */
  dueIndex: { name: 'due', partitionKey: 'dueShard', sortKey: 'dueAt' },
} as const;

export {
  ALERTS_DESTINATION,
  alertChannelDestination,
  DEFAULT_METRICS_NAMESPACE,
  DIMENSION,
  DLQ_ATTR,
  ENV,
  EVENT_ATTR,
  METRIC,
  OPTIONAL_ENV,
  POWERTOOLS_ENV,
  REDRIVE_COUNT_ATTR,
  REPLAY_ATTR,
  THROTTLE_TABLE,
};
