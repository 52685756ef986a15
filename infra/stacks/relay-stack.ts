/**
 * The relay, wired from a validated deployment config: ingest queue → normalize → events topic →
 * one queue + delivery function per destination (Firehose or syslog) and the alerts consumer →
 * alert topics, then the ops topic, alarms and dashboard. Wiring only: each concern lives in its
 * construct (infra/constructs/), which also owns its grants and environment variables. The alert
 * rules document is read once more here for one purpose: the alerts subscription's filter policy
 * (infra/config/alert-filter.ts).
 *
 * Environment-agnostic: the region and account come from the deploying credentials; nothing is
 * looked up at synth (no credentials or network needed).
 */
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type DestinationOutput, STACK_OUTPUT } from '../../shared/config/stack-outputs.js';
import { alertChannelDestination, ENV } from '../../shared/contracts/index.js';
import { DESTINATION_KIND_NAMES } from '../../shared/destinations/kinds.js';
import { alertFilterPolicy, readRulesDocument } from '../config/alert-filter.js';
import type { FirehoseDestination, RelayConfig, SyslogDestination } from '../config/types.js';
import { AccessLogBucket } from '../constructs/access-log-bucket.js';
import { AlertIdKey } from '../constructs/alert-id-key.js';
import { AlertSweep } from '../constructs/alert-sweep.js';
import { AlertTopics } from '../constructs/alert-topics.js';
import { ArchiveBucket } from '../constructs/archive-bucket.js';
import { type DashboardDestination, RelayDashboard } from '../constructs/dashboard.js';
import { EncryptionKeys } from '../constructs/encryption-keys.js';
import { EventIdKey } from '../constructs/event-id-key.js';
import { EventQueue, SubscriptionDeadLetterQueue } from '../constructs/event-queue.js';
import { EventsTopic } from '../constructs/events-topic.js';
import { IngestEndpoint } from '../constructs/ingest-endpoint.js';
import { IngestQueue } from '../constructs/ingest-queue.js';
import { RelayMonitoring } from '../constructs/monitoring.js';
import { RelayNetwork } from '../constructs/network.js';
import { OpsTopic } from '../constructs/ops-topic.js';
import {
  PROJECT_ROOT,
  RelayFunction,
  type RelayFunctionProps,
  sh,
  visibilityTimeoutFor,
} from '../constructs/relay-function.js';
import { type FunctionKind, RELAY_METRIC, RelayMetrics, serviceNameOf } from '../constructs/relay-metrics.js';
import { ThrottleTable } from '../constructs/throttle-table.js';
import { buildDestination, type Delivery, type DestinationContext } from '../destinations.js';

/** Name of the rules file in the evaluate-alerts bundle. */
const ALERT_RULES_FILE = 'alert-rules.json';

/**
 * Bundling step of evaluate-alerts: the project's own `segura-relay alerts validate` (run from the
 * TypeScript sources, so never a stale build) checks the rules with the engine's full validator
 * (catalog ids, templates, regex safety) and writes them as JSON into the bundle. A rules problem
 * fails the synth. Infra itself never imports the alerts engine.
 */
function alertRulesCommand(rulesFile: string, out: string): string {
  const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const cli = join(PROJECT_ROOT, 'cli', 'entry.ts');
  return `${sh(tsx)} ${sh(cli)} alerts validate --rules ${sh(rulesFile)} --out ${sh(out)}`;
}

interface RelayStackProps extends StackProps {
  readonly config: RelayConfig;
}

class RelayStack extends Stack {
  readonly config: RelayConfig;
  readonly keys: EncryptionKeys;
  readonly ingest: IngestQueue;
  readonly eventsTopic: EventsTopic;
  readonly normalize: RelayFunction;
  readonly deliveries: readonly DashboardDestination[];
  /** where the alerts subscription's filter policy comes from: the config, the rules, or none */
  readonly alertsFilter: 'config' | 'rules' | 'none' | undefined;
  readonly alerts:
    | {
        readonly fn: RelayFunction;
        readonly queue: EventQueue;
        readonly topics: AlertTopics;
        readonly table: ThrottleTable;
        readonly idKey: AlertIdKey;
        readonly sweep: AlertSweep;
      }
    | undefined;
  readonly opsTopic: OpsTopic;
  /** the vault's syslog endpoint (ingest.syslogEndpoint) */
  readonly syslogEndpoint: IngestEndpoint | undefined;
  readonly monitoring: RelayMonitoring;
  readonly dashboard: RelayDashboard | undefined;

  constructor(scope: Construct, id: string, props: RelayStackProps) {
    super(scope, id, {
      description: `Segura SIEM relay ${props.config.name}${props.config.description ? `: ${props.config.description}` : ''}`,
      ...props,
    });
    const c = props.config;
    this.config = c;
    // cfn-lint (E3002) knows no Tags on these types: CDK emits them, CloudFormation's schema
    // used by cfn-lint refuses them; they carry no cost or access decision, so they go untagged
    const untaggable = {
      excludeResourceTypes: [
        'AWS::CloudWatch::Dashboard',
        'AWS::EC2::VPCEndpoint',
        'AWS::ElasticLoadBalancingV2::Listener',
        'AWS::ApplicationAutoScaling::ScalableTarget',
      ],
    };
    Tags.of(this).add('app', 'segura-siem-relay', untaggable);
    Tags.of(this).add('relay', c.name, untaggable);
    for (const [k, v] of Object.entries(c.tags)) Tags.of(this).add(k, v, untaggable);

    const keep = c.retention.keepDataOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retentionPeriod = Duration.days(c.retention.queueDays);
    const deadLetterRetentionPeriod = Duration.days(c.retention.deadLetterQueueDays);
    const logRetention = c.retention.logDays as logs.RetentionDays;
    const firehoseDestinations = c.destinations.filter((d): d is FirehoseDestination => d.type === 'firehose');
    const syslogDestinations = c.destinations.filter((d): d is SyslogDestination => d.type === 'syslog');
    const metrics = new RelayMetrics(c.operations.metricsNamespace, c.name);
    const fnDefaults = (kind: FunctionKind, p: RelayConfig['ingest']['processing']) =>
      ({
        entry: `functions/${kind}/handler.ts`,
        serviceName: serviceNameOf(c.name, kind),
        metricsNamespace: c.operations.metricsNamespace,
        logLevel: c.operations.logLevel,
        runtime: c.operations.runtime,
        tracing: c.operations.tracing,
        memoryMb: p.memoryMb,
        timeoutSeconds: p.timeoutSeconds,
        reservedConcurrency: p.reservedConcurrency,
        logRetention,
        logRemovalPolicy: keep,
      }) satisfies Partial<RelayFunctionProps>;

    // ---- encryption, ingest, normalize, events topic --------------------------------------------
    this.keys = new EncryptionKeys(this, 'Keys', {
      name: c.name,
      archive: firehoseDestinations.length > 0,
      removalPolicy: keep,
    });
    // the syslog endpoint's task role exists before the queue: the queue's policy lets it send
    const endpointTaskRole = c.ingest.syslogEndpoint
      ? IngestEndpoint.newTaskRole(this, 'SyslogEndpointTaskRole')
      : undefined;
    this.ingest = new IngestQueue(this, 'IngestQueue', {
      ...(endpointTaskRole ? { stackProducers: [endpointTaskRole] } : {}),
      encryptionKey: this.keys.ingest,
      producers: c.ingest.producers,
      operators: c.ingest.operators,
      ...(c.ingest.producerRole ? { producerRole: c.ingest.producerRole } : {}),
      visibilityTimeout: visibilityTimeoutFor(c.ingest.processing),
      maxReceiveCount: c.ingest.processing.maxReceiveCount,
      retentionPeriod,
      deadLetterRetentionPeriod,
      removalPolicy: keep,
    });
    this.eventsTopic = new EventsTopic(this, 'EventsTopic', { encryptionKey: this.keys.topics });
    this.normalize = new RelayFunction(this, 'Normalize', {
      ...fnDefaults('normalize', c.ingest.processing),
      description: 'vault events from the ingest queue to canonical events on the events topic',
      environment: {
        ...(c.ingest.maxInputBytes ? { [ENV.maxInputBytes]: String(c.ingest.maxInputBytes) } : {}),
        // secure default: unset, so normalize redacts secret-looking fields
        ...(c.ingest.allowSecretFields ? { [ENV.allowSecretFields]: 'true' } : {}),
      },
    });
    this.normalize.consume(this.ingest.queue, c.ingest.processing);
    this.eventsTopic.bindPublisher(this.normalize);
    new EventIdKey(this, 'EventIdKey', { encryptionKey: this.keys.pipeline, removalPolicy: keep }).bindReader(
      this.normalize,
    );

    const consumerQueue = (id: string, p: RelayConfig['ingest']['processing']) =>
      new EventQueue(this, id, {
        encryptionKey: this.keys.pipeline,
        visibilityTimeout: visibilityTimeoutFor(p),
        maxReceiveCount: p.maxReceiveCount,
        retentionPeriod,
        deadLetterRetentionPeriod,
        removalPolicy: keep,
      });

    // ---- destinations ---------------------------------------------------------------------------
    // only what logs there: the archive bucket (any Firehose destination) or a new NLB
    const accessLogged =
      firehoseDestinations.length > 0 ||
      syslogDestinations.some((d) => d.target.kind === 'nlb') ||
      c.ingest.syslogEndpoint !== undefined;
    const accessLogBucket =
      c.operations.accessLogs && accessLogged
        ? new AccessLogBucket(this, 'AccessLogs', { expirationDays: c.retention.logDays, removalPolicy: keep })
        : undefined;
    const accessLogs = accessLogBucket?.bucket;
    const archive = this.keys.archive
      ? new ArchiveBucket(this, 'Archive', {
          encryptionKey: this.keys.archive,
          accessLogs,
          expirationDays: c.retention.archiveDays,
          removalPolicy: keep,
        })
      : undefined;
    if (accessLogBucket && !archive) accessLogBucket.acknowledgeNoOwnAccessLogs();
    const network = c.network
      ? new RelayNetwork(this, 'Network', {
          network: c.network,
          flowLogRetention: logRetention,
          logRemovalPolicy: keep,
        })
      : undefined;

    // every destination with its kind's constructs (infra/destinations.ts), kind by kind in registry
    // order (shared/destinations/kinds.ts), each kind's in config order
    const ctx: DestinationContext = {
      scope: this,
      eventsTopic: this.eventsTopic,
      consumerQueue,
      fnDefaults,
      archive,
      network,
      accessLogs,
      logRetention,
      keep,
    };
    const deliveries: Delivery[] = DESTINATION_KIND_NAMES.flatMap((kind) =>
      c.destinations.filter((d) => d.type === kind).map((d) => buildDestination(ctx, d)),
    );
    this.deliveries = deliveries;
    this.syslogEndpoint =
      c.ingest.syslogEndpoint && endpointTaskRole
        ? new IngestEndpoint(this, 'SyslogEndpoint', {
            endpoint: c.ingest.syslogEndpoint,
            network: network as RelayNetwork,
            queue: this.ingest.queue.queue,
            queueKey: this.keys.ingest,
            taskRole: endpointTaskRole,
            name: c.name,
            metricsNamespace: c.operations.metricsNamespace,
            logRetention,
            logRemovalPolicy: keep,
            accessLogs,
          })
        : undefined;
    if (this.syslogEndpoint) {
      new CfnOutput(this, 'SyslogEndpointDns', {
        value: this.syslogEndpoint.loadBalancer.loadBalancerDnsName,
        description: 'the vault sends its syslog here (internal NLB)',
      });
    }

    // ---- alerts and operations ------------------------------------------------------------------
    const notificationsDlq = new SubscriptionDeadLetterQueue(this, 'NotificationDeadLetterQueue', {
      encryptionKey: this.keys.pipeline,
      retentionPeriod: deadLetterRetentionPeriod,
      removalPolicy: keep,
    });
    if (c.alerts) {
      const a = c.alerts;
      const queue = consumerQueue('Alerts-Queue', a.processing);
      // without a configured filter, only events some rule can match reach the alerts queue
      const derived = a.filter ? undefined : alertFilterPolicy(readRulesDocument(a.rules.sourceFile));
      const subscription = this.eventsTopic.subscribe(queue, a.filter, derived?.policy);
      if (derived && derived.policy === undefined)
        Annotations.of(subscription).addWarningV2(
          'segura-relay:alerts-unfiltered',
          `alerts: no subscription filter policy, every event reaches the alerts queue: ${derived.reason}`,
        );
      this.alertsFilter = a.filter ? 'config' : derived?.policy ? 'rules' : 'none';
      const topics = new AlertTopics(this, 'AlertTopics', {
        encryptionKey: this.keys.topics,
        subscribers: a.subscribers,
        deadLetterQueue: notificationsDlq.queue,
        smsDisplayName: a.rules.smsDisplayName,
        ...(a.chatbot ? { selfSubscribing: ['chat' as const] } : {}),
      });
      const table = new ThrottleTable(this, 'ThrottleTable', {
        encryptionKey: this.keys.pipeline,
        removalPolicy: keep,
      });
      const fn = new RelayFunction(this, 'Alerts-Evaluate', {
        ...fnDefaults('evaluate-alerts', a.processing),
        description: `canonical events through ${a.rules.ruleCount} alert rule(s) to SNS ${[...topics.topics.keys()].join(', ')}`,
        afterBundling: (outputDir) => [alertRulesCommand(a.rules.sourceFile, join(outputDir, ALERT_RULES_FILE))],
        environment: { [ENV.alertRulesFile]: RelayFunction.bundledPath(ALERT_RULES_FILE) },
      });
      fn.consume(queue, a.processing);
      table.bindTo(fn);
      topics.bindPublisher(fn);
      const idKey = new AlertIdKey(this, 'AlertIdKey', { encryptionKey: this.keys.pipeline, removalPolicy: keep });
      idKey.bindReader(fn);
      const sweep = new AlertSweep(this, 'AlertSweep', { fn });
      this.alerts = { fn, queue, topics, table, idKey, sweep };
    }

    this.opsTopic = new OpsTopic(this, 'OpsTopic', {
      encryptionKey: this.keys.topics,
      emails: c.operations.alarmEmails,
      deadLetterQueue: notificationsDlq.queue,
    });
    this.monitoring = new RelayMonitoring(this, 'Monitoring', {
      name: c.name,
      action: this.opsTopic.action,
      thresholds: c.operations.alarms,
    });
    const mon = this.monitoring;
    mon.watchQueue('ingest', this.ingest.queue);
    mon.watchFunction('normalize', this.normalize);
    mon.watchFailures('normalize', metrics.normalize(RELAY_METRIC.failed));
    for (const d of deliveries) {
      mon.watchQueue(d.id, d.queue);
      mon.watchFunction(d.id, d.fn);
      mon.watchFailures(d.id, metrics.destination(d.kind, d.name, RELAY_METRIC.failed));
      mon.watchDestinationDown(d.id, metrics.destination(d.kind, d.name, RELAY_METRIC.destinationDown));
      if (d.firehose) mon.watchDeliveryStream(d.id, d.firehose);
    }
    if (this.alerts) {
      mon.watchQueue('alerts', this.alerts.queue);
      mon.watchFunction('alerts', this.alerts.fn);
      mon.watchFailures('alerts', metrics.alerts(RELAY_METRIC.alertsFailed));
      for (const [channel, topic] of this.alerts.topics.topics) mon.watchTopic(alertChannelDestination(channel), topic);
    }
    mon.watchDeadLetterQueue('notifications', notificationsDlq.queue);
    mon.watchTopic('ops', this.opsTopic.topic);
    if (this.syslogEndpoint) mon.alarms.push(...this.syslogEndpoint.alarms(this.opsTopic.action));

    this.dashboard = c.operations.dashboard
      ? new RelayDashboard(this, 'Dashboard', {
          name: c.name,
          metrics,
          normalize: this.normalize,
          ingest: this.ingest.queue,
          destinations: deliveries,
          alerts: this.alerts
            ? { fn: this.alerts.fn, queue: this.alerts.queue, topics: this.alerts.topics.topics }
            : undefined,
          subscriptionDeadLetterQueue: notificationsDlq.queue,
          alarms: mon.alarms,
        })
      : undefined;
    if (this.dashboard && this.syslogEndpoint) this.dashboard.dashboard.addWidgets(...this.syslogEndpoint.widgets());

    // ---- outputs: what the vault and the runbook need -------------------------------------------
    new CfnOutput(this, 'IngestQueueUrl', {
      value: this.ingest.queue.queue.queueUrl,
      description: 'the vault sends here',
    });
    new CfnOutput(this, 'IngestQueueArn', { value: this.ingest.queue.queue.queueArn });
    new CfnOutput(this, 'IngestKeyArn', {
      value: this.keys.ingest.keyArn,
      description: 'the vault needs kms:GenerateDataKey + Decrypt on it',
    });
    if (this.ingest.producerRole) {
      new CfnOutput(this, 'VaultProducerRoleArn', { value: this.ingest.producerRole.roleArn });
    }
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: this.ingest.queue.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'OpsTopicArn', { value: this.opsTopic.topic.topicArn });
    if (archive) new CfnOutput(this, 'ArchiveBucketName', { value: archive.bucket.bucketName });
    for (const [channel, topic] of this.alerts?.topics.topics ?? []) {
      new CfnOutput(this, `AlertTopicArn${channel[0]?.toUpperCase()}${channel.slice(1)}`, {
        value: topic.topicArn,
        description:
          channel === 'chat'
            ? 'chat alerts: add this topic to an AWS Chatbot channel configuration (Chatbot subscribes itself)'
            : `${channel} alerts`,
      });
    }
    if (this.dashboard) new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });

    // ---- outputs that `segura-relay doctor` reads (shared/config/stack-outputs.ts) ----------------
    new CfnOutput(this, STACK_OUTPUT.relayName, { value: c.name, description: 'alarm names start with <name>-' });
    new CfnOutput(this, STACK_OUTPUT.normalizeFunctionName, { value: this.normalize.function.functionName });
    new CfnOutput(this, STACK_OUTPUT.notificationDeadLetterQueueUrl, {
      value: notificationsDlq.queue.queueUrl,
      description: 'notifications SNS could not deliver to a subscriber',
    });
    deliveries.forEach((d, i) => {
      const value: Record<keyof DestinationOutput, string | undefined> = {
        name: d.name,
        kind: d.kind,
        queueUrl: d.queue.queue.queueUrl,
        deadLetterQueueUrl: d.queue.deadLetterQueue.queueUrl,
        functionName: d.fn.function.functionName,
        failedRecords: d.firehose?.failedRecordsUri,
      };
      new CfnOutput(this, `${STACK_OUTPUT.destinationPrefix}${i + 1}`, {
        value: this.toJsonString(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))),
        description: `destination ${d.name}: queue, DLQ, function${d.firehose?.failedRecordsUri ? ', failed-records prefix' : ''} (JSON)`,
      });
    });
    if (this.alerts) {
      new CfnOutput(this, STACK_OUTPUT.alertsQueueUrl, { value: this.alerts.queue.queue.queueUrl });
      new CfnOutput(this, STACK_OUTPUT.alertsDeadLetterQueueUrl, { value: this.alerts.queue.deadLetterQueue.queueUrl });
      new CfnOutput(this, STACK_OUTPUT.alertsFunctionName, { value: this.alerts.fn.function.functionName });
    }
  }
}

export type { RelayStackProps };
export { ALERT_RULES_FILE, RelayStack };
