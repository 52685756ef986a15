/**
 * The deployment's inventory for `segura-relay cost`, read from the stack itself: the config is
 * loaded and the stack built exactly as `cdk synth` builds it (infra/relay-app.ts, bundling off),
 * then resources are counted in the template (keys, alarms, dashboards, NLBs, endpoints, NAT
 * gateways, subscriptions and their filter policies, event source mappings). So the figures follow
 * the topology as it changes.
 *
 * Loaded at run time through tsx (cli/cost.ts), never bundled into dist/cli.mjs: the stack code
 * locates the project from its own source path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadConfig } from '../infra/config/load.js';
import type { Destination, RelayConfig } from '../infra/config/types.js';
import { buildRelayApp } from '../infra/relay-app.js';
import { METRIC } from '../shared/contracts/index.js';
import type { DestinationKind } from '../shared/destinations/kinds.js';
import type { ConsumerInventory, FunctionKind, Inventory } from './cost-model.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Metric names each function kind emits per invocation, one dimension set each (Powertools adds
 * `service`; deliveries and evaluate-alerts add `Destination`). Kept in step with the functions'
 * `metrics.addMetric` calls by test/unit/cli/cost-inventory.test.ts, which reads their sources.
 */
/**
 * What the cost model needs to know of a destination beyond its queue and function, per kind of
 * the destination registry (shared/destinations/kinds.ts; a kind missing here fails to compile).
 */
const COST_EXTRAS: {
  readonly [K in DestinationKind]: (d: Extract<Destination, { type: K }>) => Partial<ConsumerInventory>;
} = {
  firehose: (d) => ({ firehose: { aggregate: d.aggregate, delivery: d.delivery.type } }),
  syslog: (d) => ({ syslog: { viaNlb: d.target.kind === 'nlb' } }),
};

const METRICS_BY_KIND: Readonly<Record<FunctionKind, readonly string[]>> = {
  normalize: [
    METRIC.received,
    METRIC.published,
    METRIC.invalid,
    METRIC.parked,
    METRIC.unknownIds,
    METRIC.failed,
    METRIC.internalErrors,
  ],
  'deliver-firehose': [
    METRIC.delivered,
    METRIC.failed,
    METRIC.parked,
    METRIC.truncated,
    METRIC.bytes,
    METRIC.backedOff,
    METRIC.destinationDown,
    METRIC.internalErrors,
    METRIC.replayed,
  ],
  'deliver-syslog': [
    METRIC.delivered,
    METRIC.failed,
    METRIC.parked,
    METRIC.truncated,
    METRIC.bytes,
    METRIC.backedOff,
    METRIC.destinationDown,
    METRIC.internalErrors,
    METRIC.replayed,
  ],
  'evaluate-alerts': [
    METRIC.alertsMatched,
    METRIC.alertsSent,
    METRIC.alertsSuppressed,
    METRIC.alertsDuplicate,
    METRIC.alertsFailed,
    METRIC.alertsHeld,
    METRIC.alertSummariesSent,
    METRIC.alertRuleErrors,
    METRIC.invalid,
    METRIC.parked,
  ],
};

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

function synthTemplate(config: RelayConfig): { stack: Stack; template: Record<string, Resource> } {
  const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
  const outdir = mkdtempSync(join(tmpdir(), 'relay-cost-'));
  try {
    const app = new App({
      outdir,
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const stack = buildRelayApp(app, config, { nag: false });
    const assembly = app.synth();
    const t = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, Resource> };
    return { stack, template: t.Resources };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function logicalId(stack: Stack, c: IConstruct): string {
  return stack.resolve(stack.getLogicalId(c.node.defaultChild as CfnElement)) as string;
}

function inventoryOf(config: RelayConfig): Inventory {
  const { stack: s, template } = synthTemplate(config);
  // biome-ignore lint/suspicious/noExplicitAny: the concrete stack type, imported as a type only at the call site
  const stack = s as any;
  const all = Object.entries(template);
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type);
  const props = (id: string): Json => template[id]?.Properties ?? {};

  /** the events-topic subscription delivering to this queue: does it carry a filter policy? */
  const subscriptionOf = (queueId: string): { found: boolean; filtered: boolean } => {
    for (const [, r] of ofType('AWS::SNS::Subscription')) {
      const ep = r.Properties?.Endpoint as { 'Fn::GetAtt'?: [string, string] } | undefined;
      if (ep?.['Fn::GetAtt']?.[0] === queueId)
        return { found: true, filtered: r.Properties?.FilterPolicy !== undefined };
    }
    return { found: false, filtered: false };
  };
  const fnProps = (fnConstruct: { function: IConstruct }) => {
    const p = props(logicalId(stack, fnConstruct.function));
    return {
      memoryMb: Number(p.MemorySize ?? 128),
      arm64: Array.isArray(p.Architectures) && (p.Architectures as string[]).includes('arm64'),
    };
  };
  const consumer = (
    name: string,
    kind: FunctionKind,
    fn: { function: IConstruct },
    queue: IConstruct,
    processing: RelayConfig['ingest']['processing'],
    extra: Partial<ConsumerInventory> = {},
  ): ConsumerInventory => {
    const qid = logicalId(stack, queue);
    const esm = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, r]) => (r.Properties?.EventSourceArn as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0] === qid,
    );
    const ep = esm?.[1].Properties ?? {};
    const sub = subscriptionOf(qid);
    return {
      name,
      kind,
      ...fnProps(fn),
      batchSize: Number(ep.BatchSize ?? processing.batchSize),
      windowSeconds: Number(ep.MaximumBatchingWindowInSeconds ?? processing.maxBatchingWindowSeconds),
      source: sub.found ? 'events-topic' : 'producers',
      filtered: sub.filtered,
      ...extra,
    };
  };

  const consumers: ConsumerInventory[] = [
    consumer('normalize', 'normalize', stack.normalize, stack.ingest.queue.queue, config.ingest.processing),
  ];
  const metricSets: string[] = [`normalize ${METRICS_BY_KIND.normalize.length}`];
  let customMetrics = METRICS_BY_KIND.normalize.length;
  for (const d of stack.deliveries as Array<{
    name: string;
    kind: FunctionKind;
    fn: { function: IConstruct };
    queue: { queue: IConstruct };
  }>) {
    const dest = config.destinations.find((x) => x.name === d.name);
    if (!dest) throw new Error(`delivery ${d.name} has no destination in the config`);
    const extra = (COST_EXTRAS[dest.type] as (d: Destination) => Partial<ConsumerInventory>)(dest);
    consumers.push(consumer(d.name, d.kind, d.fn, d.queue.queue, dest.processing, extra));
    customMetrics += METRICS_BY_KIND[d.kind].length;
    metricSets.push(`${d.name} ${METRICS_BY_KIND[d.kind].length}`);
  }
  const alertChannels: string[] = [];
  if (stack.alerts && config.alerts) {
    consumers.push(
      consumer('alerts', 'evaluate-alerts', stack.alerts.fn, stack.alerts.queue.queue, config.alerts.processing),
    );
    alertChannels.push(...(stack.alerts.topics.topics as Map<string, unknown>).keys());
    customMetrics += METRICS_BY_KIND['evaluate-alerts'].length;
    metricSets.push(`alerts ${METRICS_BY_KIND['evaluate-alerts'].length}`);
  }

  const endpoints = ofType('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface');
  const endpointAzs = Math.max(
    0,
    ...endpoints.map(([, r]) => {
      const ids = r.Properties?.SubnetIds;
      return Array.isArray(ids) ? ids.length : 1;
    }),
  );
  const queues = ofType('AWS::SQS::Queue');
  const reuse = queues
    .map(([, r]) => Number(r.Properties?.KmsDataKeyReusePeriodSeconds ?? 300))
    .filter((n) => Number.isFinite(n));
  // queues that carry traffic: the ones a function consumes (DLQs are idle unless something fails)
  const busyQueues = consumers.length;
  const topics = ofType('AWS::SNS::Topic').filter(([, r]) => r.Properties?.KmsMasterKeyId !== undefined);
  return {
    deployment: config.name,
    consumers,
    kmsKeys: ofType('AWS::KMS::Key').length,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    compositeAlarms: ofType('AWS::CloudWatch::CompositeAlarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    customMetrics,
    metricsBasis: `metric names × dimension sets: ${metricSets.join(', ')}`,
    nlbs: ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, r]) => r.Properties?.Type === 'network')
      .length,
    interfaceEndpoints: endpoints.length,
    endpointAzs,
    natGateways: ofType('AWS::EC2::NatGateway').length,
    encryptedQueues: busyQueues,
    // the events topic carries every event; the alert and ops topics only alerts and alarms
    encryptedTopics: Math.min(1, topics.length),
    kmsReuseSeconds: reuse.length > 0 ? Math.min(...reuse) : 300,
    dynamoTables: ofType('AWS::DynamoDB::Table').length + ofType('AWS::DynamoDB::GlobalTable').length,
    alertChannels,
  };
}

/** Load a deployment config file and count what its stack contains. */
function inventoryOfFile(path: string): Inventory {
  return inventoryOf(loadConfig(path));
}

export { COST_EXTRAS, inventoryOf, inventoryOfFile, METRICS_BY_KIND };
