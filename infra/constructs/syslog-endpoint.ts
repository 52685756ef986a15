/**
 * The collector side of one syslog destination, and the security groups between them:
 * - `nlb`: a new internal NLB in the private subnets, IP targets for the collectors (TCP listener for tcp and RELP, plain or TLS: RELP passes through, so the
 *   collector's acknowledgements reach the function); its SG admits
 *   only the function's SG on the listener port and reaches only the collectors on their port.
 *   For transport tls the default listener is TCP pass-through: TLS runs end to end between the
 *   function and the collector, so the function verifies the collector's certificate and name and
 *   a frame counts as delivered only once the collector took it. `listener: tls` terminates TLS at
 *   the NLB instead (ACM certificate, TLS 1.2+ policy) and, unless the config gives a reason for
 *   cleartext, re-encrypts to the targets (an NLB does not verify target certificates);
 * - `existing`: a host (e.g. an existing NLB's DNS name); the function may reach only `port` on
 *   the configured CIDRs (default the VPC's).
 * `deliverFrom(fn)` gives deliver-syslog its DESTINATION, with the collector CA bundled as a file.
 */
import { Aws, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IpTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import type { SyslogDestination } from '../config/types.js';
import { acknowledge } from '../nag.js';
import type { RelayNetwork } from './network.js';
import { type BundledFile, RelayFunction } from './relay-function.js';

/** File name of the collectors' CA in the function bundle. */
const CA_FILE = 'collector-ca.pem';

interface SyslogEndpointProps {
  readonly destination: SyslogDestination;
  readonly network: RelayNetwork;
  /** NLB access logs go here (prefix `nlb/<name>`). @default no access logs (acknowledged) */
  readonly accessLogs?: s3.IBucket | undefined;
}

/**
 * An internal NLB in the relay's private subnets, cross-zone, behind its own security group: the
 * shape both NLBs the stack creates share (collectors here, the vault's ingest endpoint in
 * ingest-endpoint.ts). Created as `scope`'s child `LoadBalancer`.
 */
function internalNetworkLoadBalancer(
  scope: Construct,
  n: RelayNetwork,
  securityGroup: ec2.ISecurityGroup,
): elbv2.NetworkLoadBalancer {
  return new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
    vpc: n.vpc,
    vpcSubnets: n.subnets,
    internetFacing: false,
    crossZoneEnabled: true,
    securityGroups: [securityGroup],
  });
}

/**
 * NLB access logs (TLS listeners), written by the log delivery service. `logAccessLogs` needs a
 * concrete region for ALB's regional ELB accounts; an NLB needs only the service principal, so
 * the stack stays environment-agnostic.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
 */
function logNlbAccess(nlb: elbv2.NetworkLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  nlb.setAttribute('access_logs.s3.enabled', 'true');
  nlb.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  nlb.setAttribute('access_logs.s3.prefix', prefix);
  const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
  const fromThisAccount = { 'aws:SourceAccount': Aws.ACCOUNT_ID };
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      principals: [delivery],
      resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...fromThisAccount } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetBucketAcl'],
      principals: [delivery],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: fromThisAccount },
    }),
  );
  const policy = bucket.policy?.node.defaultChild;
  if (policy instanceof CfnResource) (nlb.node.defaultChild as CfnResource).addResourceDependency(policy);
}

class SyslogEndpoint extends Construct {
  /** SG of the deliver-syslog function of this destination */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly loadBalancer: elbv2.NetworkLoadBalancer | undefined;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup | undefined;
  readonly targetGroup: elbv2.NetworkTargetGroup | undefined;
  /** what the function connects to */
  readonly host: string;
  readonly destination: SyslogDestination;

  constructor(scope: Construct, id: string, props: SyslogEndpointProps) {
    super(scope, id);
    const d = props.destination;
    const n = props.network;
    this.destination = d;
    const proto = d.transport === 'udp' ? ec2.Port.udp(d.port) : ec2.Port.tcp(d.port);
    // descriptions name the stable id: a security group's description cannot change in place
    this.clientSecurityGroup = n.functionSecurityGroup(
      this,
      'ClientSecurityGroup',
      `deliver-syslog ${d.id}: ${d.transport} ${d.port} to the collectors, HTTPS to SQS`,
    );

    if (d.target.kind === 'existing') {
      this.host = d.target.host;
      for (const cidr of d.target.egressCidrs ?? [n.cidr]) {
        this.clientSecurityGroup.addEgressRule(ec2.Peer.ipv4(cidr), proto, `syslog ${d.transport} to ${d.target.host}`);
      }
      return;
    }

    const t = d.target;
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: n.vpc,
      description: `syslog NLB ${d.id}: ${d.port} from deliver-syslog only, to the collectors only`,
      allowAllOutbound: false,
    });
    this.clientSecurityGroup.connections.allowTo(
      this.loadBalancerSecurityGroup,
      ec2.Port.tcp(d.port),
      'syslog to the NLB',
    );
    for (const target of t.targets) {
      this.loadBalancerSecurityGroup.addEgressRule(
        ec2.Peer.ipv4(`${target.ip}/32`),
        ec2.Port.tcp(target.port),
        `collector ${target.ip}:${target.port} (traffic and health checks)`,
      );
    }
    this.loadBalancer = internalNetworkLoadBalancer(this, n, this.loadBalancerSecurityGroup);
    if (props.accessLogs) {
      logNlbAccess(this.loadBalancer, props.accessLogs, `nlb/${d.id}`);
    } else {
      acknowledge(
        this.loadBalancer,
        'AwsSolutions-ELB2',
        'NLB access logs disabled by config (operations.accessLogs: false); the collectors log every connection.',
      );
    }
    const terminate = t.listener === 'tls';
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'Collectors', {
      vpc: n.vpc,
      port: t.targets[0]?.port ?? d.port,
      protocol: t.targetProtocol === 'tls' ? elbv2.Protocol.TLS : elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      targets: t.targets.map((x) => new IpTarget(x.ip, x.port, x.availabilityZone)),
      healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(30) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.loadBalancer.addListener('Listener', {
      port: d.port,
      protocol: terminate ? elbv2.Protocol.TLS : elbv2.Protocol.TCP,
      ...(terminate && t.certificateArn
        ? {
            certificates: [elbv2.ListenerCertificate.fromArn(t.certificateArn)],
            sslPolicy: t.sslPolicy as elbv2.SslPolicy,
          }
        : {}),
      defaultTargetGroups: [this.targetGroup],
    });
    this.host = this.loadBalancer.loadBalancerDnsName;
  }

  /** Files deliver-syslog needs in its bundle (the collectors' CA). */
  get bundledFiles(): BundledFile[] {
    return this.destination.caPem ? [{ name: CA_FILE, content: this.destination.caPem }] : [];
  }

  /** Give deliver-syslog its DESTINATION (JSON): the host, port, framing, format and CA file. */
  deliverFrom(fn: RelayFunction): void {
    const d = this.destination;
    fn.addEnvironment(
      ENV.destination,
      Stack.of(this).toJsonString({
        name: d.name,
        transport: d.transport,
        host: this.host,
        port: d.port,
        ...(d.transport === 'udp' || d.transport === 'relp' ? {} : { framing: d.framing }),
        ...(d.relp ? { relp: { tls: d.relp.tls, ...(d.relp.window ? { window: d.relp.window } : {}) } } : {}),
        format: d.format,
        render: d.render,
        ...(d.caPem ? { ca: { file: RelayFunction.bundledPath(CA_FILE) } } : {}),
        ...(d.servername ? { servername: d.servername } : {}),
        ...(d.connectTimeoutMs ? { connectTimeoutMs: d.connectTimeoutMs } : {}),
        ...(d.writeTimeoutMs ? { writeTimeoutMs: d.writeTimeoutMs } : {}),
        ...(d.maxDatagramBytes ? { maxDatagramBytes: d.maxDatagramBytes } : {}),
      }),
    );
  }
}

export type { SyslogEndpointProps };
export { CA_FILE, internalNetworkLoadBalancer, logNlbAccess, SyslogEndpoint };
