/**
 * The stack's outputs that tools read (`segura-relay doctor`, the runbook): their keys and the JSON
 * shape of the per-destination outputs. A contract between the CDK app, which writes them, and the
 * tools, which find the relay's resources through them (CloudFormation DescribeStacks, or the
 * manifest `npm start -- --serve` writes with the same keys). Pure data, no imports.
 */

/** Output keys. `AlertTopicArn<Channel>` and `Destination<N>` are families (see below). */
const STACK_OUTPUT = {
  /** the deployment name: alarm names start with `<name>-` */
  relayName: 'RelayName',
  ingestQueueUrl: 'IngestQueueUrl',
  ingestDeadLetterQueueUrl: 'IngestDeadLetterQueueUrl',
  normalizeFunctionName: 'NormalizeFunctionName',
  opsTopicArn: 'OpsTopicArn',
  alertsQueueUrl: 'AlertsQueueUrl',
  alertsDeadLetterQueueUrl: 'AlertsDeadLetterQueueUrl',
  alertsFunctionName: 'AlertsFunctionName',
  /** DLQ of the SNS subscriptions (notifications SNS could not deliver) */
  notificationDeadLetterQueueUrl: 'NotificationDeadLetterQueueUrl',
  archiveBucketName: 'ArchiveBucketName',
  /** prefix of the alert topic outputs: `AlertTopicArnSms`, `AlertTopicArnEmail`, … */
  alertTopicArnPrefix: 'AlertTopicArn',
  /** prefix of the destination outputs: `Destination1`, `Destination2`, … (config order) */
  destinationPrefix: 'Destination',
} as const;

/** The JSON value of a `Destination<N>` output. */
interface DestinationOutput {
  readonly name: string;
  /** the function kind: `deliver-firehose` or `deliver-syslog` */
  readonly kind: 'deliver-firehose' | 'deliver-syslog';
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly functionName: string;
  /**
   * Splunk and HTTP endpoint streams: `s3://bucket/prefix/` under which Firehose backs up what it
   * could not deliver (`segura-relay redrive --from-s3`).
   */
  readonly failedRecords?: string;
}

/** `Destination3` → 3; other keys → null. */
function destinationIndex(key: string): number | null {
  const m = /^Destination([1-9]\d*)$/.exec(key);
  return m ? Number(m[1]) : null;
}

export type { DestinationOutput };
export { destinationIndex, STACK_OUTPUT };
