/**
 * The syslog endpoint the stack runs for the vault (`ingest.syslogEndpoint`): an internal NLB in
 * the relay's private subnets in front of an ECS Fargate service that runs `segura-relay bridge`
 * (the same bundled bridge as the CLI, docker/), which sends each syslog message to the ingest
 * queue. Nobody operates a host.
 *
 * - **Listeners**: TLS (ACM at the NLB, or TCP pass-through to the bridge's own TLS with a
 *   certificate from Secrets Manager), TCP, UDP. The NLB and the tasks admit only the configured
 *   vault CIDRs on those ports (security groups), plus the NLB's own nodes for health checks.
 *   An NLB TLS listener needs a certificate (ACM) and a security policy:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html.
 *   UDP: one datagram is one message, and nothing tells the vault a datagram was lost; the NLB
 *   forwards datagrams as they come (no reassembly of fragments), so messages must fit one packet
 *   (the vault's are at most 1,024 bytes): https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html.
 *   Client IP preservation is always on for UDP target groups and enabled here for TCP, so the
 *   bridge sees (and logs) the vault's address:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
 * - **Tasks**: at least two, spread over the VPC's zones; autoscaling on CPU and on the NLB's
 *   concurrent flows (ActiveFlowCount:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html).
 *   The spool sits on the task's ephemeral storage (20 GiB by default, up to 200 GiB:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html); it rides
 *   out an SQS outage, but what is still spooled when a task is replaced is lost with the task.
 * - **Stopping**: ECS deregisters the task from the NLB, then sends SIGTERM and, after
 *   `stopTimeout`, SIGKILL; on Fargate stopTimeout is at most 120 s:
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html.
 *   The bridge gets 100 s to deliver what it holds (`--shutdown-timeout`), leaving 20 s to close.
 * - **Health**: the NLB checks the bridge's HTTP health port, which fails once SQS keeps failing
 *   and the spool is nearly full (cli/bridge-ops.ts): new connections go to the other tasks.
 * - **IAM**: the task role may only `sqs:SendMessage` on the ingest queue and use its key through
 *   SQS (`kms:GenerateDataKey`, `kms:Decrypt`); the execution role pulls the image, writes the
 *   log group and (pass-through TLS) reads the certificate secret.
 * - **Metrics**: the bridge writes embedded-metric-format lines (`--metrics-emf`); the alarms
 *   watch exactly those metric names (BRIDGE_METRIC) plus the running task count.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BRIDGE_METRIC, BRIDGE_METRIC_DIMENSION, type BridgeMetric } from '../../shared/config/bridge-metrics.js';
import type { SyslogEndpoint } from '../config/ingest-endpoint.js';
import { acknowledge } from '../nag.js';
import type { RelayNetwork } from './network.js';
import { PROJECT_ROOT } from './relay-function.js';
import { internalNetworkLoadBalancer, logNlbAccess } from './syslog-endpoint.js';

/** Ports inside the task (unprivileged: the container runs as a non-root user). */
const CONTAINER_PORT = { tcp: 10514, udp: 10514, tls: 16514, health: 8080 } as const;
/** Fargate's longest stopTimeout (see the module comment). */
const STOP_TIMEOUT_SECONDS = 120;
/** What the bridge may spend delivering on SIGTERM; the rest of stopTimeout closes the spool. */
const SHUTDOWN_TIMEOUT_SECONDS = 100;
/** Bridge status (and EMF) interval. */
const STATUS_INTERVAL_SECONDS = 60;
/** Fargate's ephemeral storage without `ephemeralStorageGiB` (GiB); the spool leaves this much for the rest. */
const DEFAULT_EPHEMERAL_GIB = 20;
const EPHEMERAL_HEADROOM_GIB = 5;

interface IngestEndpointProps {
  readonly endpoint: SyslogEndpoint;
  readonly network: RelayNetwork;
  readonly queue: sqs.IQueue;
  readonly queueKey: kms.IKey;
  /** from {@link IngestEndpoint.newTaskRole}, created before the ingest queue (its policy names it) */
  readonly taskRole: iam.Role;
  /** deployment name: alarm names start with it */
  readonly name: string;
  readonly metricsNamespace: string;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** NLB access logs (TLS listeners), prefix `nlb/ingest`. @default none (acknowledged) */
  readonly accessLogs?: s3.IBucket | undefined;
}

/** Staged build contexts of this process (the sources do not change during a synth). */
const staged = new Map<boolean, string>();

/**
 * The container's build context: Dockerfile, entrypoint and (when the stack bundles) the bundle,
 * staged once per process. CDK only hashes and copies it at synth; the image is built at deploy.
 */
function stageContext(bundle: boolean): string {
  const done = staged.get(bundle);
  if (done) return done;
  const dir = mkdtempSync(join(tmpdir(), 'segura-bridge-image-'));
  execFileSync(
    process.execPath,
    [join(PROJECT_ROOT, 'scripts', 'bundle-bridge.mjs'), dir, ...(bundle ? [] : ['--no-bundle'])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  staged.set(bundle, dir);
  return dir;
}

class IngestEndpoint extends Construct {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly taskSecurityGroup: ec2.SecurityGroup;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  /** the Service dimension of the bridge's metrics */
  readonly metricsService: string;
  private readonly props: IngestEndpointProps;

  /**
   * The task role: trusted by ECS tasks of this account only, and allowed nothing but
   * `sqs:SendMessage` on `queue` and the queue key through SQS (granted in the constructor).
   */
  static newTaskRole(scope: Construct, id: string): iam.Role {
    return new iam.Role(scope, id, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
      }),
      description: 'Segura syslog endpoint (bridge on Fargate): send to the relay ingest queue, nothing else',
    });
  }

  constructor(scope: Construct, id: string, props: IngestEndpointProps) {
    super(scope, id);
    this.props = props;
    const e = props.endpoint;
    const n = props.network;
    const stack = Stack.of(this);
    this.metricsService = `${props.name}-syslog-endpoint`;

    // ---- least privilege ------------------------------------------------------------------------
    props.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.queue.queueArn] }),
    );
    props.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.queueKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );

    // ---- network: who may talk to whom -----------------------------------------------------------
    this.taskSecurityGroup = n.functionSecurityGroup(
      this,
      'TaskSecurityGroup',
      'syslog endpoint tasks: syslog from the vault CIDRs and the NLB only, HTTPS to AWS APIs',
    );
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: n.vpc,
      description: 'syslog endpoint NLB: syslog from the vault CIDRs only, to the bridge tasks only',
      allowAllOutbound: false,
    });
    const listeners: Array<{
      kind: 'tls' | 'tcp' | 'udp';
      port: number;
      containerPort: number;
      protocol: ecs.Protocol;
    }> = [];
    if (e.tls)
      listeners.push({
        kind: 'tls',
        port: e.tls.port,
        // NLB-terminated TLS arrives as plain bytes on the TCP port; pass-through on the bridge's TLS port
        containerPort: e.tls.termination === 'nlb' ? CONTAINER_PORT.tcp : CONTAINER_PORT.tls,
        protocol: ecs.Protocol.TCP,
      });
    if (e.tcp)
      listeners.push({ kind: 'tcp', port: e.tcp.port, containerPort: CONTAINER_PORT.tcp, protocol: ecs.Protocol.TCP });
    if (e.udp)
      listeners.push({ kind: 'udp', port: e.udp.port, containerPort: CONTAINER_PORT.udp, protocol: ecs.Protocol.UDP });
    const port = (p: ecs.Protocol, n: number) => (p === ecs.Protocol.UDP ? ec2.Port.udp(n) : ec2.Port.tcp(n));
    const containerPorts = new Map<string, { protocol: ecs.Protocol; port: number }>();
    for (const l of listeners)
      containerPorts.set(`${l.protocol}/${l.containerPort}`, { protocol: l.protocol, port: l.containerPort });
    for (const cidr of e.vaultCidrs) {
      for (const l of listeners) {
        this.loadBalancerSecurityGroup.addIngressRule(
          ec2.Peer.ipv4(cidr),
          port(l.protocol, l.port),
          `vault syslog ${l.kind}`,
        );
      }
      // client IP preservation: the tasks see the vault's address as the source
      for (const c of containerPorts.values()) {
        this.taskSecurityGroup.addIngressRule(
          ec2.Peer.ipv4(cidr),
          port(c.protocol, c.port),
          'vault syslog via the NLB',
        );
      }
    }
    for (const c of [...containerPorts.values(), { protocol: ecs.Protocol.TCP, port: CONTAINER_PORT.health }]) {
      this.loadBalancerSecurityGroup.connections.allowTo(
        this.taskSecurityGroup,
        port(c.protocol, c.port),
        c.port === CONTAINER_PORT.health ? 'health checks' : 'syslog to the bridge',
      );
    }
    this.addImagePullEndpoints(n);

    // ---- the NLB ----------------------------------------------------------------------------------
    this.loadBalancer = internalNetworkLoadBalancer(this, n, this.loadBalancerSecurityGroup);
    if (props.accessLogs) logNlbAccess(this.loadBalancer, props.accessLogs, 'nlb/ingest');
    else
      acknowledge(
        this.loadBalancer,
        'AwsSolutions-ELB2',
        'NLB access logs disabled by config (operations.accessLogs: false); the bridge logs every connection it accepts.',
      );

    // ---- the task ---------------------------------------------------------------------------------
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const spoolGiB = Math.ceil(e.spoolMiB / 1024);
    const ephemeral = spoolGiB + EPHEMERAL_HEADROOM_GIB;
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: e.cpu,
      memoryLimitMiB: e.memoryMiB,
      taskRole: props.taskRole,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
      },
      ...(ephemeral > DEFAULT_EPHEMERAL_GIB ? { ephemeralStorageGiB: ephemeral } : {}),
    });
    const secrets: Record<string, ecs.Secret> = {};
    if (e.tls?.termination === 'bridge' && e.tls.certificateSecretArn) {
      const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'CertificateSecret', e.tls.certificateSecretArn);
      secrets.TLS_CERT_PEM = ecs.Secret.fromSecretsManager(secret, 'certificate');
      secrets.TLS_KEY_PEM = ecs.Secret.fromSecretsManager(secret, 'privateKey');
      if (e.tls.secretKmsKeyArn) {
        kms.Key.fromKeyArn(this, 'CertificateSecretKey', e.tls.secretKmsKeyArn).grantDecrypt(
          this.taskDefinition.obtainExecutionRole(),
        );
      }
    }
    const allowFrom = [...e.vaultCidrs, n.cidr].join(',');
    const container = this.taskDefinition.addContainer('bridge', {
      image: ecs.ContainerImage.fromAsset(stageContext(stack.bundlingRequired), { platform: Platform.LINUX_AMD64 }),
      essential: true,
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'bridge' }),
      environment: {
        QUEUE_URL: props.queue.queueUrl,
        ...(listeners.some((l) => l.protocol === ecs.Protocol.TCP && l.containerPort === CONTAINER_PORT.tcp)
          ? { TCP_PORT: String(CONTAINER_PORT.tcp) }
          : {}),
        ...(e.udp ? { UDP_PORT: String(CONTAINER_PORT.udp) } : {}),
        ...(e.tls?.termination === 'bridge' ? { TLS_PORT: String(CONTAINER_PORT.tls) } : {}),
        ALLOW_FROM: allowFrom,
        HEALTH_PORT: String(CONTAINER_PORT.health),
        SPOOL_MAX_BYTES: `${e.spoolMiB}MiB`,
        SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_SECONDS),
        STATUS_INTERVAL: String(STATUS_INTERVAL_SECONDS),
        METRICS_NAMESPACE: props.metricsNamespace,
        METRICS_SERVICE: this.metricsService,
        ...(n.sqsEndpointUrl ? { SQS_ENDPOINT_URL: n.sqsEndpointUrl } : {}),
      },
      secrets,
    });
    for (const c of [...containerPorts.values(), { protocol: ecs.Protocol.TCP, port: CONTAINER_PORT.health }]) {
      container.addPortMappings({ containerPort: c.port, protocol: c.protocol });
    }
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds ports, sizes, the queue URL and metric names only; the TLS key comes from Secrets Manager (secrets).',
    );
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-IAM5[Resource::*]',
      'The execution role CDK creates: ecr:GetAuthorizationToken has no resource-level permissions (Resource "*"); image pulls and log writes are scoped to the asset repository and this log group.',
    );

    // ---- the service ------------------------------------------------------------------------------
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: n.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: e.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: n.subnets,
      securityGroups: [this.taskSecurityGroup],
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
    });
    for (const l of listeners) {
      const udp = l.kind === 'udp';
      const tg = new elbv2.NetworkTargetGroup(this, `Target-${l.kind}`, {
        vpc: n.vpc,
        port: l.containerPort,
        protocol: udp ? elbv2.Protocol.UDP : elbv2.Protocol.TCP,
        targetType: elbv2.TargetType.IP,
        // UDP has no health check of its own: every target group asks the bridge's health port
        healthCheck: {
          protocol: elbv2.Protocol.HTTP,
          port: String(CONTAINER_PORT.health),
          path: '/',
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
        deregistrationDelay: Duration.seconds(30),
        ...(udp ? {} : { preserveClientIp: true }),
      });
      tg.addTarget(
        this.service.loadBalancerTarget({
          containerName: container.containerName,
          containerPort: l.containerPort,
          protocol: l.protocol,
        }),
      );
      const terminate = l.kind === 'tls' && e.tls?.termination === 'nlb' && e.tls.certificateArn;
      this.loadBalancer.addListener(`Listener-${l.kind}`, {
        port: l.port,
        protocol: udp ? elbv2.Protocol.UDP : terminate ? elbv2.Protocol.TLS : elbv2.Protocol.TCP,
        ...(terminate && e.tls?.certificateArn
          ? {
              certificates: [elbv2.ListenerCertificate.fromArn(e.tls.certificateArn)],
              sslPolicy: e.tls.sslPolicy as elbv2.SslPolicy,
            }
          : {}),
        defaultTargetGroups: [tg],
      });
    }

    // ---- autoscaling: CPU and concurrent flows ----------------------------------------------------
    const scaling = this.service.autoScaleTaskCount({ minCapacity: e.minTasks, maxCapacity: e.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    const perTask = e.connectionsPerTask;
    scaling.scaleOnMetric('Connections', {
      metric: this.loadBalancer.metrics.activeFlowCount({ period: Duration.minutes(1), statistic: cw.Stats.MAXIMUM }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: perTask * e.minTasks * 0.5, change: -1 },
        { lower: perTask * e.minTasks, change: +1 },
        { lower: perTask * e.minTasks * 2, change: +2 },
      ],
      cooldown: Duration.minutes(3),
    });
  }

  /**
   * Interface endpoints the tasks need to start in a VPC without NAT: ECR (API and registry), the
   * S3 gateway (image layers), CloudWatch Logs and, for pass-through TLS, Secrets Manager. Only in
   * a VPC this stack creates (private DNS on); an existing VPC must already reach them
   * (docs/deploy.md). https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
   */
  private addImagePullEndpoints(n: RelayNetwork): void {
    if (!n.endpointSecurityGroup || !(n.vpc instanceof ec2.Vpc)) return;
    const services: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
      ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ];
    if (this.props.endpoint.tls?.termination === 'bridge')
      services.push(['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER]);
    for (const [id, service] of services) {
      new ec2.InterfaceVpcEndpoint(this, `${id}Endpoint`, {
        vpc: n.vpc,
        service,
        subnets: n.subnets,
        securityGroups: [n.endpointSecurityGroup],
        privateDnsEnabled: true,
        // the endpoint SG admits the relay's own security groups only (functionSecurityGroup)
        open: false,
      });
    }
    n.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [n.subnets] });
  }

  /** One of the bridge's EMF metrics (cli/bridge-ops.ts). */
  metric(name: BridgeMetric, statistic: string, period = Duration.minutes(1)): cw.Metric {
    return new cw.Metric({
      namespace: this.props.metricsNamespace,
      metricName: name,
      dimensionsMap: { [BRIDGE_METRIC_DIMENSION]: this.metricsService },
      statistic,
      period,
    });
  }

  /** Running tasks (Container Insights, enabled on the cluster). */
  runningTasks(): cw.Metric {
    return new cw.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cw.Stats.MINIMUM,
      period: Duration.minutes(1),
    });
  }

  /**
   * The endpoint's alarms, each on the ops action: spool filling (SQS unreachable), messages
   * rejected or dropped, SQS errors, fewer running tasks than configured.
   */
  alarms(action: cw.IAlarmAction): cw.Alarm[] {
    const e = this.props.endpoint;
    const spoolBytes = e.spoolMiB * 2 ** 20;
    const make = (
      id: string,
      severity: 'Critical' | 'Warning',
      description: string,
      metric: cw.IMetric,
      o: {
        threshold: number;
        op?: cw.ComparisonOperator;
        periods: number;
        datapoints?: number;
        missing?: cw.TreatMissingData;
      },
    ) => {
      const alarm = new cw.Alarm(this, id, {
        alarmName: `${this.props.name}-${id}`,
        alarmDescription: `[${severity}] ${description} Runbook: docs/deploy.md#point-the-vault-at-the-relay`,
        metric,
        threshold: o.threshold,
        comparisonOperator: o.op ?? cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: o.periods,
        datapointsToAlarm: o.datapoints ?? o.periods,
        treatMissingData: o.missing ?? cw.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };
    return [
      make(
        'syslog-endpoint-spooling',
        'Warning',
        'A bridge task has spooled messages for 5 minutes: SQS is unreachable or slow from the endpoint. What is spooled is lost if the task is replaced: do not redeploy until it drains.',
        this.metric(BRIDGE_METRIC.spoolBytes, cw.Stats.MAXIMUM),
        { threshold: 1, periods: 5 },
      ),
      make(
        'syslog-endpoint-spool-half-full',
        'Critical',
        `A bridge task's spool is half full (${e.spoolMiB / 2} MiB of ${e.spoolMiB} MiB): at 100% it drops new messages, at 90% the NLB stops sending it new connections.`,
        this.metric(BRIDGE_METRIC.spoolBytes, cw.Stats.MAXIMUM),
        { threshold: spoolBytes / 2, periods: 1 },
      ),
      make(
        'syslog-endpoint-messages-rejected',
        'Critical',
        "SQS refused messages from the bridge for good (kept in the task's rejected-messages file while it runs; resend them with segura-relay send --rejected).",
        this.metric(BRIDGE_METRIC.rejected, cw.Stats.SUM, Duration.minutes(5)),
        { threshold: 1, periods: 1 },
      ),
      make(
        'syslog-endpoint-messages-dropped',
        'Critical',
        'The bridge dropped messages before SQS: oversize, spool full, partial-frame memory exhausted, or UDP datagrams the kernel dropped.',
        this.metric(BRIDGE_METRIC.dropped, cw.Stats.SUM, Duration.minutes(5)),
        { threshold: 1, periods: 1 },
      ),
      make(
        'syslog-endpoint-sqs-errors',
        'Warning',
        'SendMessageBatch calls from the bridge keep failing (retried, then spooled): check the task role, the queue key and the SQS endpoint.',
        this.metric(BRIDGE_METRIC.sqsErrors, cw.Stats.SUM),
        { threshold: 1, periods: 3, datapoints: 2 },
      ),
      make(
        'syslog-endpoint-tasks',
        'Critical',
        `Fewer than ${e.minTasks} bridge tasks run: the vault's syslog may have nowhere to go (tasks failing to start, image pull, health checks).`,
        this.runningTasks(),
        {
          threshold: e.minTasks,
          op: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          periods: 3,
          missing: cw.TreatMissingData.BREACHING,
        },
      ),
    ];
  }

  /** Dashboard row: messages in/out, spool, connections and tasks. */
  widgets(): cw.IWidget[] {
    const g = (title: string, left: cw.IMetric[], right: cw.IMetric[] = []) =>
      new cw.GraphWidget({
        title,
        left,
        right,
        width: 8,
        height: 6,
        period: Duration.minutes(5),
        legendPosition: cw.LegendPosition.BOTTOM,
      });
    return [
      g(
        'Syslog endpoint: messages in / out / lost',
        [
          this.metric(BRIDGE_METRIC.received, cw.Stats.SUM, Duration.minutes(5)),
          this.metric(BRIDGE_METRIC.sent, cw.Stats.SUM, Duration.minutes(5)),
        ],
        [
          this.metric(BRIDGE_METRIC.rejected, cw.Stats.SUM, Duration.minutes(5)),
          this.metric(BRIDGE_METRIC.dropped, cw.Stats.SUM, Duration.minutes(5)),
          this.metric(BRIDGE_METRIC.sqsErrors, cw.Stats.SUM, Duration.minutes(5)),
        ],
      ),
      g('Syslog endpoint: spool (bytes, max per task)', [this.metric(BRIDGE_METRIC.spoolBytes, cw.Stats.MAXIMUM)]),
      g(
        'Syslog endpoint: connections and tasks',
        [
          this.loadBalancer.metrics.activeFlowCount({ statistic: cw.Stats.MAXIMUM }),
          this.metric(BRIDGE_METRIC.openConnections, cw.Stats.SUM),
        ],
        [this.runningTasks()],
      ),
    ];
  }
}

export type { IngestEndpointProps };
export { CONTAINER_PORT, IngestEndpoint, SHUTDOWN_TIMEOUT_SECONDS, STOP_TIMEOUT_SECONDS };
