/**
 * Environment variable names shared by the functions and the CDK app (infra imports only this
 * file from `shared/`). Values are never secrets: secrets come from Secrets Manager / SSM.
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
  /** evaluate-alerts: DynamoDB table for deduplication and throttling (TTL attribute `expiresAt`) */
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
  /** every consumer: URL of the queue its event source reads (visibility changes while backing off) */
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

export { ENV };
