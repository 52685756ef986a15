/**
 * Every alarm watches a metric that exists. For the relay's own namespace, the emitted set is not
 * a hand-written list: the real functions run once on the local stack (fauxqs, the Firehose
 * double, a TLS collector, dynalite) and their EMF output is read back — metric names,
 * dimension names, and the Destination values each function kind publishes. The alarm must then
 * name a metric of that set, with the namespace and service of a function in the template that
 * publishes it. AWS namespaces are checked against the metrics and dimensions AWS documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emfLine } from '../../cli/bridge-ops.js';
import { BRIDGE_METRIC_DIMENSION } from '../../shared/config/bridge-metrics.js';
import { DIMENSION, ENV, METRIC, POWERTOOLS_ENV } from '../../shared/contracts/index.js';
import { bodies, FAST, relayHarnessOnce } from '../helpers/pipeline.js';
import { EXAMPLE_FILES, example, type Json, resources } from './helpers.js';

type FunctionKind = 'normalize' | 'deliver-firehose' | 'deliver-syslog' | 'evaluate-alerts';

/** What one function kind was seen publishing: `metric|dimension names` → Destination values ('' = none). */
type Emitted = Map<FunctionKind, Map<string, Set<string>>>;

/**
 * Metrics AWS publishes for the resources the stack alarms on, with their dimension.
 * - SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 * - Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * - Firehose: https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 * - SNS: https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html
 * - NLB (the syslog endpoint's scaling on flows): https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html
 */
const AWS_METRICS: Record<string, { dimension: string; resourceType: string; metrics: readonly string[] }> = {
  'AWS/SQS': {
    dimension: 'QueueName',
    resourceType: 'AWS::SQS::Queue',
    metrics: ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'],
  },
  'AWS/Lambda': { dimension: 'FunctionName', resourceType: 'AWS::Lambda::Function', metrics: ['Errors', 'Throttles'] },
  'AWS/Firehose': {
    dimension: 'DeliveryStreamName',
    resourceType: 'AWS::KinesisFirehose::DeliveryStream',
    metrics: [
      'DeliveryToS3.DataFreshness',
      'DeliveryToS3.Success',
      'DeliveryToSplunk.DataFreshness',
      'DeliveryToSplunk.Success',
      'DeliveryToHttpEndpoint.DataFreshness',
      'DeliveryToHttpEndpoint.Success',
      'BackupToS3.Records',
    ],
  },
  'AWS/SNS': { dimension: 'TopicName', resourceType: 'AWS::SNS::Topic', metrics: ['NumberOfNotificationsFailed'] },
  'AWS/NetworkELB': {
    dimension: 'LoadBalancer',
    resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    metrics: ['ActiveFlowCount'],
  },
};

/**
 * What the syslog endpoint's bridge publishes: the names in the EMF line `--metrics-emf` writes
 * (test/integration/tools/syslog-endpoint-container.test.ts reads those lines from the running
 * bridge, started as the container starts it).
 */
const BRIDGE_EMITTED = new Set<string>(
  JSON.parse(emfLine('ns', 'svc', undefined, {}, 0))._aws.CloudWatchMetrics[0].Metrics.map(
    (m: { Name: string }) => m.Name,
  ),
);

const h = relayHarnessOnce();
let emitted: Emitted;
let namespace: string;

beforeAll(async () => {
  // one run of every function kind: normalize, both delivery kinds, evaluate-alerts
  const relay = await h.start({ ...FAST, alerts: {} });
  await relay.send(bodies(30, 91));
  expect(await relay.drain(30_000)).toBe(true);
  const names = new Map(relay.destinations.map((d) => [d.name, d.kind]));
  namespace = process.env[POWERTOOLS_ENV.metricsNamespace] as string;
  emitted = new Map();
  for (const doc of h.cap?.json() ?? []) {
    const aws = doc._aws as Json;
    if (!aws) continue;
    for (const directive of aws.CloudWatchMetrics as Json[]) {
      // EMF: the namespace Powertools publishes to comes from the environment, as in Lambda
      expect(directive.Namespace).toBe(namespace);
      for (const dims of directive.Dimensions as string[][]) {
        const d = doc[DIMENSION.destination];
        const destination = typeof d === 'string' ? d : '';
        const kind: FunctionKind =
          destination === ''
            ? 'normalize'
            : destination.startsWith('alerts')
              ? 'evaluate-alerts'
              : names.get(destination) === 'syslog'
                ? 'deliver-syslog'
                : 'deliver-firehose';
        const byKey = emitted.get(kind) ?? new Map<string, Set<string>>();
        emitted.set(kind, byKey);
        for (const m of directive.Metrics as Array<{ Name: string }>) {
          const key = `${m.Name}|${[...dims].sort().join(',')}`;
          const values = byKey.get(key) ?? new Set<string>();
          values.add(
            destination.startsWith('alerts-')
              ? 'alerts-<channel>'
              : names.has(destination)
                ? '<destination>'
                : destination,
          );
          byKey.set(key, values);
        }
      }
    }
  }
  await h.stop();
}, 60_000);

afterAll(async () => {
  await h.stop();
});

describe('the local run publishes what the delivery guarantees rely on', () => {
  it('every function kind emitted EMF, with the backoff and destination-down metrics among them', () => {
    expect([...emitted.keys()].sort()).toEqual(['deliver-firehose', 'deliver-syslog', 'evaluate-alerts', 'normalize']);
    for (const kind of ['deliver-firehose', 'deliver-syslog'] as const) {
      const keys = [...(emitted.get(kind)?.keys() ?? [])];
      for (const m of ['EventsFailed', 'DestinationDown', 'EventsBackedOff', 'EventsInternalError'])
        expect(keys, `${kind} ${m}`).toContain(`${m}|Destination,service`);
    }
  });
});

describe.each(EXAMPLE_FILES)('%s: every alarm watches a metric that is emitted', (file) => {
  const { template: t } = example(file);
  const fns = Object.entries(resources(t, 'AWS::Lambda::Function'))
    .map(([id, f]) => ({ id, env: (f.Properties?.Environment?.Variables ?? {}) as Record<string, Json> }))
    .filter((f) => typeof f.env[POWERTOOLS_ENV.serviceName] === 'string');

  const alarms = Object.values(resources(t, 'AWS::CloudWatch::Alarm')).map((a) => {
    const p = a.Properties as Json;
    const stat = p.Metrics?.length === 1 ? p.Metrics[0].MetricStat.Metric : p;
    return {
      name: p.AlarmName as string,
      namespace: stat.Namespace as string,
      metric: stat.MetricName as string,
      dims: (stat.Dimensions ?? []) as Array<{ Name: string; Value: Json }>,
    };
  });

  it('has alarms, each on one metric', () => {
    expect(alarms.length).toBeGreaterThan(5);
    for (const a of alarms) expect(a.metric, a.name).toBeTypeOf('string');
  });

  it.each(alarms.map((a) => [a.name, a] as const))('%s', (_name, a) => {
    if (a.namespace === 'ECS/ContainerInsights') {
      // Container Insights (enabled on the endpoint's cluster): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
      expect(a.metric).toBe('RunningTaskCount');
      expect(a.dims.map((d) => d.Name).sort()).toEqual(['ClusterName', 'ServiceName']);
      expect(Object.keys(resources(t, 'AWS::ECS::Service'))).toHaveLength(1);
      return;
    }
    const bridge = a.dims.find((d) => d.Name === BRIDGE_METRIC_DIMENSION);
    if (bridge) {
      expect(a.dims).toHaveLength(1);
      expect(BRIDGE_EMITTED.has(a.metric), `${a.name}: the bridge emits ${a.metric}`).toBe(true);
      const env = Object.values(resources(t, 'AWS::ECS::TaskDefinition')).flatMap((td) =>
        td.Properties?.ContainerDefinitions.flatMap((c: Json) => c.Environment ?? []),
      );
      const value = (name: string) => env.find((x: Json) => x.Name === name)?.Value;
      expect(value('METRICS_NAMESPACE'), a.name).toBe(a.namespace);
      expect(value('METRICS_SERVICE'), a.name).toBe(bridge.Value);
      return;
    }
    const aws = AWS_METRICS[a.namespace];
    if (aws) {
      expect(aws.metrics, a.name).toContain(a.metric);
      expect(a.dims.map((d) => d.Name)).toEqual([aws.dimension]);
      const ref = a.dims[0]?.Value.Ref ?? a.dims[0]?.Value['Fn::GetAtt']?.[0];
      expect(
        resources(t, aws.resourceType)[ref],
        `${a.name} watches a ${aws.resourceType} of this stack`,
      ).toBeDefined();
      return;
    }
    // the relay's namespace: a function of this stack publishes there with this service name
    // a metric and dimensions of the contract (shared/contracts/index.ts), which the run below shows emitted
    expect(Object.values(METRIC), a.name).toContain(a.metric);
    for (const d of a.dims) expect(Object.values(DIMENSION), a.name).toContain(d.Name);
    const service = a.dims.find((d) => d.Name === DIMENSION.service)?.Value;
    const destination = a.dims.find((d) => d.Name === DIMENSION.destination)?.Value;
    // destinations of one kind share a service name: the one whose DESTINATION names this one
    const fn = fns.find(
      (f) =>
        f.env[POWERTOOLS_ENV.serviceName] === service &&
        (f.env[ENV.destination] === undefined || destinationName(f.env[ENV.destination]) === destination),
    );
    expect(fn, `${a.name}: a function with POWERTOOLS_SERVICE_NAME ${service}`).toBeDefined();
    if (!fn) return;
    expect(fn.env[POWERTOOLS_ENV.metricsNamespace], a.name).toBe(a.namespace);
    const kind = (['normalize', 'deliver-firehose', 'deliver-syslog', 'evaluate-alerts'] as const).find((k) =>
      String(service).endsWith(`-${k}`),
    ) as FunctionKind;
    const key = `${a.metric}|${a.dims
      .map((d) => d.Name)
      .sort()
      .join(',')}`;
    const values = emitted.get(kind)?.get(key);
    expect(values, `${a.name}: ${kind} emits ${key}`).toBeDefined();
    if (destination === undefined) {
      expect(values?.has(''), a.name).toBe(true);
    } else if (kind === 'evaluate-alerts') {
      expect(values?.has(destination.startsWith('alerts-') ? 'alerts-<channel>' : destination), a.name).toBe(true);
    } else {
      // a delivery function publishes its own destination's name: the one in its DESTINATION
      expect(values?.has('<destination>'), a.name).toBe(true);
      expect(
        JSON.parse(fn.env[ENV.destination] ? JSON.stringify(destinationName(fn.env[ENV.destination])) : '""'),
      ).toBe(destination);
    }
  });
});

/** The `name` of a DESTINATION value (a JSON string, or a Fn::Join of one around tokens). */
function destinationName(v: Json): string {
  const text =
    typeof v === 'string' ? v : (v['Fn::Join'][1] as Json[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(text).name;
}
