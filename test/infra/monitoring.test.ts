/**
 * The alarms an on-call engineer gets (names, metrics, thresholds, actions) and the dashboard.
 */
import { describe, expect, it } from 'vitest';
import { RELAY_METRIC } from '../../infra/constructs/relay-metrics.js';
import { METRIC } from '../../shared/observability/index.js';
import { example, exampleDoc, idOf, type Json, parseInExamples, resources, synthConfig } from './helpers.js';

type Alarm = { Properties: Record<string, Json> };

/**
 * Alarms by name, each in the single-metric form (CDK renders a labelled metric as a one-entry
 * `Metrics` list; flatten it so assertions read the same either way).
 */
function alarmsOf(t: ReturnType<typeof example>['template']): Map<string, Alarm> {
  const out = new Map<string, Alarm>();
  for (const a of Object.values(resources(t, 'AWS::CloudWatch::Alarm'))) {
    const p = { ...a.Properties } as Record<string, Json>;
    const stat = p.Metrics?.length === 1 ? p.Metrics[0].MetricStat : undefined;
    if (stat) {
      delete p.Metrics;
      Object.assign(p, {
        Namespace: stat.Metric.Namespace,
        MetricName: stat.Metric.MetricName,
        Dimensions: stat.Metric.Dimensions,
        Period: stat.Period,
        Statistic: stat.Stat,
      });
    }
    out.set(p.AlarmName, { Properties: p });
  }
  return out;
}

describe('alarms (full.json)', () => {
  const { template: t } = example('full.json');
  const alarms = alarmsOf(t);
  const alarm = (name: string) => {
    const a = alarms.get(`segura-relay-prod-${name}`);
    if (!a) throw new Error(`no alarm ${name}; have ${[...alarms.keys()].join(', ')}`);
    return a.Properties;
  };
  const queueId = (re: RegExp) => idOf(t, 'AWS::SQS::Queue', re);

  it('has exactly the expected set', () => {
    const perConsumer = (n: string) => [
      `${n}-dlq-not-empty`,
      `${n}-oldest-message-age`,
      `${n}-errors`,
      `${n}-throttles`,
      `${n}-events-failed`,
    ];
    const expected = [
      ...perConsumer('ingest').slice(0, 2),
      ...perConsumer('normalize').slice(2),
      ...perConsumer('archive'),
      ...perConsumer('splunk'),
      ...perConsumer('collectors'),
      ...perConsumer('alerts'),
      ...['archive', 'splunk', 'collectors'].map((d) => `${d}-destination-down`),
      'archive-firehose-freshness',
      'archive-firehose-success',
      'splunk-firehose-freshness',
      'splunk-firehose-success',
      'splunk-firehose-failed-records',
      ...['sms', 'email', 'chat', 'ticket'].map((c) => `alerts-${c}-notifications-failed`),
      'notifications-dlq-not-empty',
      'ops-notifications-failed',
    ].map((n) => `segura-relay-prod-${n}`);
    expect([...alarms.keys()].sort()).toEqual(expected.sort());
  });

  it('every alarm notifies the ops topic, on alarm and on recovery, and ignores missing data', () => {
    const ops = { Ref: idOf(t, 'AWS::SNS::Topic', 'OpsTopic') };
    for (const [name, a] of alarms) {
      expect(a.Properties.AlarmActions, name).toEqual([ops]);
      expect(a.Properties.OKActions, name).toEqual([ops]);
      // destination-down keeps its state while backed-off records are quiet (no invocations)
      expect(a.Properties.TreatMissingData, name).toBe(name.endsWith('-destination-down') ? 'ignore' : 'notBreaching');
      expect(a.Properties.AlarmDescription, name).toMatch(
        /^\[(Critical|Warning)\] .+ Runbook: docs\/deploy\.md#operations$/,
      );
    }
  });

  it('DLQ depth: any message, 1-minute maximum, for every DLQ', () => {
    const a = alarm('splunk-dlq-not-empty');
    expect(a).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
    expect(a.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(/^FirehosesplunkQueueDeadLetterQueue/), 'QueueName'] } },
    ]);
    const dlqs = Object.keys(resources(t, 'AWS::SQS::Queue')).filter((id) => /DeadLetterQueue/.test(id));
    const watched = [...alarms.values()]
      .filter((x) => x.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((x) => x.Properties.Dimensions[0].Value['Fn::GetAtt'][0]);
    expect(watched.sort()).toEqual(dlqs.sort());
  });

  it('age of oldest message: the configured threshold (600 s here) on every source queue', () => {
    expect(alarm('ingest-oldest-message-age')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('collectors-oldest-message-age').Dimensions[0].Value['Fn::GetAtt'][0]).toBe(
      queueId(/^SyslogcollectorsQueue[0-9A-F]{8}$/),
    );
  });

  it('function errors ≥ 1 and any throttle, per function, over 5 minutes', () => {
    expect(alarm('normalize-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(t, 'AWS::Lambda::Function', 'NormalizeFunction') } }],
    });
    expect(alarm('alerts-throttles')).toMatchObject({ MetricName: 'Throttles', Statistic: 'Sum', Threshold: 1 });
  });

  it('EventsFailed per destination: ≥ 1 in 2 of the last five 1-minute periods (pages within 5 minutes)', () => {
    expect(alarm('splunk-events-failed')).toMatchObject({
      Namespace: 'SeguraRelay',
      MetricName: 'EventsFailed',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Dimensions: [
        { Name: 'Destination', Value: 'splunk' },
        { Name: 'service', Value: 'segura-relay-prod-deliver-firehose' },
      ],
    });
    expect(alarm('collectors-events-failed').Dimensions).toContainEqual({
      Name: 'service',
      Value: 'segura-relay-prod-deliver-syslog',
    });
    expect(alarm('normalize-events-failed').Dimensions).toEqual([
      { Name: 'service', Value: 'segura-relay-prod-normalize' },
    ]);
    expect(alarm('alerts-events-failed')).toMatchObject({
      MetricName: 'AlertsFailed',
      Dimensions: [
        { Name: 'Destination', Value: 'alerts' },
        { Name: 'service', Value: 'segura-relay-prod-evaluate-alerts' },
      ],
    });
  });

  it('destination down: DestinationDown maximum ≥ 1 in 2 of 3 minutes, state kept while nothing is reported', () => {
    expect(alarm('collectors-destination-down')).toMatchObject({
      Namespace: 'SeguraRelay',
      MetricName: 'DestinationDown',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'ignore',
      Dimensions: [
        { Name: 'Destination', Value: 'collectors' },
        { Name: 'service', Value: 'segura-relay-prod-deliver-syslog' },
      ],
    });
  });

  it('Firehose records written to the failed prefix (Splunk/HTTP only): BackupToS3.Records ≥ 1', () => {
    expect(alarm('splunk-firehose-failed-records')).toMatchObject({
      Namespace: 'AWS/Firehose',
      MetricName: 'BackupToS3.Records',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: [
        {
          Name: 'DeliveryStreamName',
          Value: { Ref: idOf(t, 'AWS::KinesisFirehose::DeliveryStream', 'FirehosesplunkStream') },
        },
      ],
    });
    expect(alarms.has('segura-relay-prod-archive-firehose-failed-records')).toBe(false);
  });

  it('Firehose: S3 freshness > 900 s and Splunk delivery success < 1 for 15 minutes', () => {
    const stream = (name: string) => ({
      Ref: idOf(t, 'AWS::KinesisFirehose::DeliveryStream', `Firehose${name}Stream`),
    });
    expect(alarm('archive-firehose-freshness')).toMatchObject({
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'DeliveryStreamName', Value: stream('archive') }],
    });
    expect(alarm('splunk-firehose-success')).toMatchObject({
      MetricName: 'DeliveryToSplunk.Success',
      Statistic: 'Average',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: stream('splunk') }],
    });
    expect(alarm('splunk-firehose-freshness').MetricName).toBe('DeliveryToSplunk.DataFreshness');
  });

  it('SNS notifications that could not be delivered (alert channels and ops)', () => {
    expect(alarm('alerts-sms-notifications-failed')).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: [
        { Name: 'TopicName', Value: { 'Fn::GetAtt': [idOf(t, 'AWS::SNS::Topic', 'AlertTopicsSms'), 'TopicName'] } },
      ],
    });
  });

  it('the ops topic is encrypted and mails the configured on-call address', () => {
    const ops = idOf(t, 'AWS::SNS::Topic', 'OpsTopic');
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: ops },
    });
    expect(resources(t, 'AWS::SNS::Topic')[ops]?.Properties?.KmsMasterKeyId).toBeDefined();
  });

  it('thresholds come from the config', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.operations.alarms = {
      oldestMessageAgeSeconds: 120,
      eventsFailedThreshold: 10,
      eventsFailedPeriods: 3,
      functionErrorsThreshold: 3,
      firehoseFreshnessSeconds: 1200,
    };
    const a = alarmsOf(synthConfig(parseInExamples(doc)).template);
    const p = (n: string) => a.get(`segura-relay-archive-${n}`)?.Properties;
    expect(p('ingest-oldest-message-age')?.Threshold).toBe(120);
    expect(p('archive-events-failed')).toMatchObject({ Threshold: 10, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(p('normalize-errors')?.Threshold).toBe(3);
    expect(p('archive-firehose-freshness')?.Threshold).toBe(1200);
  });
});

describe('dashboard', () => {
  it('shows events in/out per destination, failures, DLQs, ages, durations, throttles, Firehose and alerts', () => {
    const { template: t } = example('full.json');
    const dashboards = Object.values(resources(t, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties?.DashboardName).toBe('segura-relay-prod-relay');
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const title of [
      'Events in (normalize)',
      'Events out per destination',
      'Failures',
      'DLQ depth',
      'Age of oldest message (s)',
      'Duration p99 (ms)',
      'Function errors and throttles',
      'Firehose delivery success',
      'Firehose data freshness (s)',
      'Alerts matched / sent / suppressed / duplicate / failed',
      'Alert messages per channel (published / SNS failed)',
      'Alarms',
    ]) {
      expect(body).toContain(JSON.stringify(title).slice(1, -1));
    }
    for (const metric of [
      'EventsReceived',
      'EventsDelivered',
      'EventsFailed',
      'EventsParkedInDlq',
      'AlertsSent',
      'AlertsSuppressed',
      'NumberOfMessagesPublished',
      'NumberOfMessagesReceived',
      'DeliveryToS3.DataFreshness',
    ]) {
      expect(body).toContain(metric);
    }
    for (const destination of ['archive', 'splunk', 'collectors', 'AlertTopicsSms'])
      expect(body).toContain(destination);
  });

  it('can be turned off', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.operations.dashboard = false;
    synthConfig(parseInExamples(doc)).template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('metric names', () => {
  it('infra measures exactly what the functions publish (shared/observability METRIC)', () => {
    expect(RELAY_METRIC).toEqual(METRIC);
  });
});
