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
  /** normalize: maximum accepted input size in bytes (default 262144) */
  maxInputBytes: 'MAX_INPUT_BYTES',
  /** optional endpoint override for every AWS client (local emulators only) */
  awsEndpoint: 'AWS_ENDPOINT_URL',
  /** optional Firehose-only endpoint override (the local Firehose double runs apart from fauxqs) */
  firehoseEndpoint: 'AWS_ENDPOINT_URL_FIREHOSE',
} as const;

export { ENV };
