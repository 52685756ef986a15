/**
 * When to page: operational alarms on what relay-metrics.ts and the AWS services measure, all with
 * one pluggable action (the ops topic). Business alerts (rule hits → SNS) are evaluate-alerts' job.
 *
 * | alarm | fires when |
 * |---|---|
 * | `<x>-dlq-not-empty` | any message in a DLQ (1 min, 1 datapoint) |
 * | `<x>-oldest-message-age` | a source queue's oldest message is older than the threshold (default 900 s) |
 * | `<fn>-errors` / `<fn>-throttles` | function errors ≥ threshold / any throttle, in 5 min |
 * | `<x>-events-failed` | EventsFailed ≥ threshold in N of the last five 1-min periods (default 1, 2 of 5) |
 * | `<x>-destination-down` | a delivery function found its destination down (DestinationDown) in 2 of 3 minutes |
 * | `<x>-firehose-freshness` / `-firehose-success` | oldest undelivered record > threshold / some deliveries failing for 15 min |
 * | `<x>-firehose-failed-records` | Firehose gave up on records and wrote them to `<name>-failed/` (BackupToS3.Records) |
 * | `<channel>-notifications-failed` | SNS could not deliver an alert or ops notification |
 *
 * Why the relay's own metrics page first: SQS's ApproximateAgeOfOldestMessage leaves out messages
 * received three or more times (they move to the back of the queue), so while a destination keeps
 * failing the age alarm can stay silent:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html.
 * `events-failed` and `destination-down` fire within 5 minutes of an outage (1-minute periods;
 * the first backoffs, 30 s and 60 s, keep failures coming in the first minutes), and
 * `destination-down` keeps its state while backed-off records are quiet (missing data ignored) until
 * an invocation gets through and reports 0.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Alarms } from '../config/types.js';
import type { EventQueue } from './event-queue.js';
import type { FirehoseDelivery } from './firehose-delivery.js';
import type { RelayFunction } from './relay-function.js';

/** `Critical`: data is stuck or lost without action; `Warning`: degraded, the relay still retries. */
type Severity = 'Critical' | 'Warning';

interface RelayMonitoringProps {
  /** deployment name: alarm names start with it */
  readonly name: string;
  /** what every alarm (and its recovery) triggers */
  readonly action: cw.IAlarmAction;
  readonly thresholds: Alarms;
}

const FIVE_MINUTES = Duration.minutes(5);

class RelayMonitoring extends Construct {
  readonly alarms: cw.Alarm[] = [];
  private readonly props: RelayMonitoringProps;

  constructor(scope: Construct, id: string, props: RelayMonitoringProps) {
    super(scope, id);
    this.props = props;
  }

  private alarm(
    id: string,
    severity: Severity,
    description: string,
    metric: cw.IMetric,
    o: {
      threshold: number;
      op?: cw.ComparisonOperator;
      periods?: number;
      /** M of N: datapoints that must breach among `periods`. @default periods */
      datapoints?: number;
      /** @default NOT_BREACHING */
      missing?: cw.TreatMissingData;
    },
  ): cw.Alarm {
    const alarm = new cw.Alarm(this, id, {
      alarmName: `${this.props.name}-${id}`,
      alarmDescription: `[${severity}] ${description} Runbook: docs/deploy.md#operations`,
      metric,
      threshold: o.threshold,
      comparisonOperator: o.op ?? cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: o.periods ?? 1,
      datapointsToAlarm: o.datapoints ?? o.periods ?? 1,
      treatMissingData: o.missing ?? cw.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.props.action);
    alarm.addOkAction(this.props.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** DLQ not empty (Critical) and, for a source queue, age of its oldest message (Warning). */
  watchQueue(label: string, q: EventQueue): void {
    this.watchDeadLetterQueue(label, q.deadLetterQueue);
    this.alarm(
      `${label}-oldest-message-age`,
      'Warning',
      `The oldest message in the ${label} queue waits longer than ${this.props.thresholds.oldestMessageAgeSeconds} s: the consumer is failing, throttled or too slow.`,
      q.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cw.Stats.MAXIMUM }),
      { threshold: this.props.thresholds.oldestMessageAgeSeconds },
    );
  }

  watchDeadLetterQueue(label: string, dlq: sqs.IQueue): void {
    this.alarm(
      `${label}-dlq-not-empty`,
      'Critical',
      `The ${label} dead-letter queue holds messages: events that could not be processed. Inspect them, fix the cause, then redrive.`,
      dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cw.Stats.MAXIMUM }),
      { threshold: 1 },
    );
  }

  watchFunction(label: string, fn: RelayFunction): void {
    this.alarm(
      `${label}-errors`,
      'Critical',
      `The ${label} function failed (init error, crash or timeout): whole batches are retried.`,
      fn.function.metricErrors({ period: FIVE_MINUTES, statistic: cw.Stats.SUM }),
      { threshold: this.props.thresholds.functionErrorsThreshold },
    );
    this.alarm(
      `${label}-throttles`,
      'Warning',
      `The ${label} function was throttled: the account or reserved concurrency is exhausted.`,
      fn.function.metricThrottles({ period: FIVE_MINUTES, statistic: cw.Stats.SUM }),
      { threshold: 1 },
    );
  }

  /** EventsFailed (retried records): ≥ threshold in N of the last five minutes. */
  watchFailures(label: string, failed: cw.Metric): void {
    const t = this.props.thresholds;
    this.alarm(
      `${label}-events-failed`,
      'Critical',
      `${label}: events keep failing (≥ ${t.eventsFailedThreshold} per minute in ${t.eventsFailedPeriods} of 5 minutes); SQS retries them (with a backoff while the destination is down).`,
      failed.with({ period: Duration.minutes(1), statistic: cw.Stats.SUM }),
      { threshold: t.eventsFailedThreshold, periods: 5, datapoints: t.eventsFailedPeriods },
    );
  }

  /**
   * DestinationDown (1 per invocation that found the destination down, 0 once one gets through):
   * fires after 2 of 3 minutes, and keeps its state while nothing is reported (records backed off).
   */
  watchDestinationDown(label: string, down: cw.Metric): void {
    this.alarm(
      `${label}-destination-down`,
      'Critical',
      `${label}: the destination is down (connection refused, TLS failure, circuit open, or Firehose refusing every call); events wait in SQS with a backoff and are delivered when it is back.`,
      down.with({ period: Duration.minutes(1), statistic: cw.Stats.MAXIMUM }),
      { threshold: 1, periods: 3, datapoints: 2, missing: cw.TreatMissingData.IGNORE },
    );
  }

  watchDeliveryStream(label: string, d: FirehoseDelivery): void {
    const dims = { DeliveryStreamName: d.deliveryStreamName };
    this.alarm(
      `${label}-firehose-freshness`,
      'Critical',
      `Firehose ${label}: the oldest record not yet delivered to ${d.destination.delivery.type} is older than ${this.props.thresholds.firehoseFreshnessSeconds} s.`,
      new cw.Metric({
        namespace: 'AWS/Firehose',
        metricName: `${d.metricPrefix}.DataFreshness`,
        dimensionsMap: dims,
        statistic: cw.Stats.MAXIMUM,
        period: FIVE_MINUTES,
      }),
      { threshold: this.props.thresholds.firehoseFreshnessSeconds, op: cw.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    this.alarm(
      `${label}-firehose-success`,
      'Critical',
      `Firehose ${label}: deliveries to ${d.destination.delivery.type} are failing (success ratio below 1 for 15 min); see its delivery log group.`,
      new cw.Metric({
        namespace: 'AWS/Firehose',
        metricName: `${d.metricPrefix}.Success`,
        dimensionsMap: dims,
        statistic: cw.Stats.AVERAGE,
        period: FIVE_MINUTES,
      }),
      { threshold: 1, op: cw.ComparisonOperator.LESS_THAN_THRESHOLD, periods: 3 },
    );
    if (d.destination.delivery.type !== 's3') {
      // Splunk / HTTP endpoint: what Firehose gave up on after its retry duration is written to
      // the archive bucket under <name>-failed/ (backup mode FailedEventsOnly / FailedDataOnly);
      // BackupToS3.Records counts it:
      // https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
      this.alarm(
        `${label}-firehose-failed-records`,
        'Critical',
        `Firehose ${label}: records could not be delivered to ${d.destination.delivery.type} within the retry duration and were written to s3://…/${d.archivePrefix}; fix the destination, then replay them with segura-relay redrive --from-s3.`,
        new cw.Metric({
          namespace: 'AWS/Firehose',
          metricName: 'BackupToS3.Records',
          dimensionsMap: dims,
          statistic: cw.Stats.SUM,
          period: FIVE_MINUTES,
        }),
        { threshold: 1 },
      );
    }
  }

  /** SNS could not deliver a notification of `topic` (after its own retries). */
  watchTopic(label: string, topic: sns.ITopic): void {
    this.alarm(
      `${label}-notifications-failed`,
      'Critical',
      `SNS could not deliver ${label} notifications; they are in the notification DLQ.`,
      topic.metricNumberOfNotificationsFailed({ period: FIVE_MINUTES, statistic: cw.Stats.SUM }),
      { threshold: 1 },
    );
  }
}

export type { RelayMonitoringProps, Severity };
export { RelayMonitoring };
