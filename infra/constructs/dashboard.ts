/**
 * The on-call dashboard: events in and out per destination, failures, DLQ depth, age of the oldest
 * message, durations, errors and throttles, Firehose delivery, alerts sent/suppressed, and the
 * state of every alarm.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Channel } from '../config/types.js';
import type { EventQueue } from './event-queue.js';
import type { FirehoseDelivery } from './firehose-delivery.js';
import type { RelayFunction } from './relay-function.js';
import { RELAY_METRIC, type RelayMetrics } from './relay-metrics.js';

interface DashboardDestination {
  readonly name: string;
  readonly kind: 'deliver-firehose' | 'deliver-syslog';
  readonly fn: RelayFunction;
  readonly queue: EventQueue;
  readonly firehose?: FirehoseDelivery | undefined;
}

interface RelayDashboardProps {
  readonly name: string;
  readonly metrics: RelayMetrics;
  readonly normalize: RelayFunction;
  readonly ingest: EventQueue;
  readonly destinations: readonly DashboardDestination[];
  readonly alerts?:
    | { readonly fn: RelayFunction; readonly queue: EventQueue; readonly topics: ReadonlyMap<Channel, sns.ITopic> }
    | undefined;
  readonly subscriptionDeadLetterQueue: sqs.IQueue;
  readonly alarms: readonly cw.IAlarm[];
}

const PERIOD = Duration.minutes(5);

function graph(title: string, left: cw.IMetric[], right: cw.IMetric[] = [], width = 8): cw.GraphWidget {
  return new cw.GraphWidget({
    title,
    left,
    right,
    width,
    height: 6,
    period: PERIOD,
    legendPosition: cw.LegendPosition.BOTTOM,
  });
}

class RelayDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: RelayDashboardProps) {
    super(scope, id);
    const m = props.metrics;
    const dests = props.destinations;
    const fns: Array<[string, RelayFunction]> = [
      ['normalize', props.normalize],
      ...dests.map((d): [string, RelayFunction] => [d.name, d.fn]),
      ...(props.alerts ? [['alerts', props.alerts.fn] as [string, RelayFunction]] : []),
    ];
    const queues: Array<[string, EventQueue]> = [
      ['ingest', props.ingest],
      ...dests.map((d): [string, EventQueue] => [d.name, d.queue]),
      ...(props.alerts ? [['alerts', props.alerts.queue] as [string, EventQueue]] : []),
    ];
    const streams = dests.filter((d) => d.firehose !== undefined);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.name}-relay`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          `# Segura SIEM relay: ${props.name}`,
          `Vault -> ingest queue -> normalize -> events topic -> ${dests.map((d) => `**${d.name}**`).join(', ') || 'no destinations'}${props.alerts ? ' + **alerts**' : ''}. ` +
            `Runbook: docs/deploy.md (redrive a DLQ, check first events). Region ${Aws.REGION}.`,
        ].join('\n'),
      }),
    );
    this.dashboard.addWidgets(
      graph('Events in (normalize)', [
        m.normalize(RELAY_METRIC.received),
        m.normalize(RELAY_METRIC.published),
        m.normalize(RELAY_METRIC.unknownIds),
      ]),
      graph(
        'Events out per destination',
        dests.map((d) => m.destination(d.kind, d.name, RELAY_METRIC.delivered)),
        dests.map((d) =>
          d.queue.queue.metricNumberOfMessagesReceived({ label: `${d.name} received`, statistic: cw.Stats.SUM }),
        ),
      ),
      graph('Failures', [
        m.normalize(RELAY_METRIC.invalid),
        m.normalize(RELAY_METRIC.failed),
        m.normalize(RELAY_METRIC.parked),
        ...dests.flatMap((d) => [
          m.destination(d.kind, d.name, RELAY_METRIC.failed),
          m.destination(d.kind, d.name, RELAY_METRIC.parked),
          m.destination(d.kind, d.name, RELAY_METRIC.truncated),
        ]),
      ]),
    );
    this.dashboard.addWidgets(
      graph('DLQ depth', [
        ...queues.map(([label, q]) =>
          q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: `${label} DLQ`,
            statistic: cw.Stats.MAXIMUM,
          }),
        ),
        props.subscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          label: 'notifications DLQ',
          statistic: cw.Stats.MAXIMUM,
        }),
      ]),
      graph(
        'Age of oldest message (s)',
        queues.map(([label, q]) => q.queue.metricApproximateAgeOfOldestMessage({ label, statistic: cw.Stats.MAXIMUM })),
      ),
      graph(
        'Duration p99 (ms)',
        fns.map(([label, f]) => f.function.metricDuration({ label, statistic: 'p99' })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Function errors and throttles',
        fns.map(([label, f]) => f.function.metricErrors({ label: `${label} errors` })),
        fns.map(([label, f]) => f.function.metricThrottles({ label: `${label} throttles` })),
      ),
      graph(
        'Concurrent executions',
        fns.map(([label, f]) => f.function.metric('ConcurrentExecutions', { label, statistic: cw.Stats.MAXIMUM })),
      ),
      graph(
        'Bytes delivered',
        dests.map((d) => m.destination(d.kind, d.name, RELAY_METRIC.bytes)),
      ),
    );
    if (streams.length) {
      const fh = (d: DashboardDestination, metricName: string, statistic: string) =>
        new cw.Metric({
          namespace: 'AWS/Firehose',
          metricName,
          dimensionsMap: { DeliveryStreamName: d.firehose?.deliveryStreamName ?? '' },
          statistic,
          period: PERIOD,
          label: `${d.name} ${metricName}`,
        });
      this.dashboard.addWidgets(
        graph(
          'Firehose records in / throttled',
          streams.map((d) => fh(d, 'IncomingRecords', cw.Stats.SUM)),
          streams.map((d) => fh(d, 'ThrottledRecords', cw.Stats.SUM)),
        ),
        graph(
          'Firehose delivery success',
          streams.map((d) => fh(d, `${d.firehose?.metricPrefix}.Success`, cw.Stats.AVERAGE)),
        ),
        graph(
          'Firehose data freshness (s)',
          streams.map((d) => fh(d, `${d.firehose?.metricPrefix}.DataFreshness`, cw.Stats.MAXIMUM)),
        ),
      );
    }
    if (props.alerts) {
      const topics = [...props.alerts.topics];
      this.dashboard.addWidgets(
        graph('Alerts matched / sent / suppressed / duplicate / failed', [
          m.alerts(RELAY_METRIC.alertsMatched),
          m.alerts(RELAY_METRIC.alertsSent),
          m.alerts(RELAY_METRIC.alertsSuppressed),
          m.alerts(RELAY_METRIC.alertsDuplicate),
          m.alerts(RELAY_METRIC.alertsFailed),
        ]),
        graph(
          'Alert messages per channel (published / SNS failed)',
          topics.map(([ch, t]) =>
            t.metricNumberOfMessagesPublished({ label: `${ch} messages`, statistic: cw.Stats.SUM }),
          ),
          topics.map(([ch, t]) => t.metricNumberOfNotificationsFailed({ label: `${ch} SNS failed` })),
        ),
        graph('Alerts: events received / invalid', [
          props.alerts.queue.queue.metricNumberOfMessagesReceived({
            label: 'alerts received',
            statistic: cw.Stats.SUM,
          }),
          m.alerts(RELAY_METRIC.invalid),
          m.alerts(RELAY_METRIC.parked),
        ]),
      );
    }
    this.dashboard.addWidgets(
      new cw.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 }),
    );
  }
}

export type { DashboardDestination, RelayDashboardProps };
export { RelayDashboard };
