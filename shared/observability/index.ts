/**
 * One logger and one metrics instance per execution environment (Powertools). Structured JSON
 * logs; EMF metrics. Never log event payloads or field values: vault events carry sensitive data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'segura-relay' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SeguraRelay',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'segura-relay',
});

/** Metric names (stable: dashboards and alarms refer to them). */
const METRIC = {
  received: 'EventsReceived',
  delivered: 'EventsDelivered',
  failed: 'EventsFailed',
  invalid: 'EventsInvalid',
  parked: 'EventsParkedInDlq',
  truncated: 'EventsTruncated',
  published: 'EventsPublished',
  bytes: 'BytesDelivered',
  batchLatency: 'BatchLatency',
  unknownIds: 'UnknownEventIds',
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
  /** evaluate-alerts: SNS messages published, per channel (`Destination` = `alerts-<channel>`) */
  alertMessages: 'AlertMessagesPublished',
} as const;

/** Emit one metric with a `Destination` dimension in its own EMF document. */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

function destinationMetric(destination: string, name: string, value: number, unit: Unit = MetricUnit.Count): void {
  const m = metrics.singleMetric();
  m.addDimension('Destination', destination);
  m.addMetric(name, unit, value);
}

export { destinationMetric, logger, METRIC, MetricUnit, metrics };
