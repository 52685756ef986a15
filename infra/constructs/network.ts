/**
 * Where deliver-syslog runs: a new VPC (isolated private subnets across the configured zones,
 * flow logs on) or an imported one (by id, CIDR, zones and private subnet ids: no lookups, so synth
 * needs no credentials). Optionally an SQS interface endpoint, the only AWS API the function calls
 * from inside the VPC (it parks undeliverable events in its DLQ and backs off records while the
 * collector is down).
 *
 * Private DNS only in a VPC this stack creates. In an existing VPC, private DNS would make every
 * workload of that VPC resolve `sqs.<region>.amazonaws.com` to this endpoint, whose policy allows
 * only this relay's calls, and break them. There the endpoint has no private DNS and the functions
 * are pointed at its own regional DNS name (`vpce-….sqs.<region>.vpce.amazonaws.com`, the first of
 * its DnsEntries) with AWS_ENDPOINT_URL_SQS; the SDK still signs for service `sqs` in the client's
 * region, only the host changes.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames
 */
import { Aws, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/contracts/index.js';
import type { Network } from '../config/types.js';
import { acknowledge } from '../nag.js';

interface RelayNetworkProps {
  readonly network: Network;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly flowLogRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

class RelayNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly cidr: string;
  /** SG of the interface endpoints (undefined when the VPC already reaches AWS APIs) */
  readonly endpointSecurityGroup: ec2.SecurityGroup | undefined;
  /** the SQS interface endpoint (undefined when the VPC already reaches AWS APIs) */
  readonly sqsEndpoint: ec2.InterfaceVpcEndpoint | undefined;
  /**
   * `https://` + the SQS endpoint's own regional DNS name, for the functions' SDK clients; undefined
   * when there is no endpoint or it has private DNS (the default SQS host then resolves to it)
   */
  readonly sqsEndpointUrl: string | undefined;

  constructor(scope: Construct, id: string, props: RelayNetworkProps) {
    super(scope, id);
    const n = props.network;
    this.cidr = n.vpc.cidr;
    if (n.vpc.kind === 'create') {
      const nat = n.vpc.natGateways;
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(n.vpc.cidr),
        availabilityZones: [...n.vpc.availabilityZones],
        natGateways: nat,
        subnetConfiguration: nat
          ? [
              { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
              { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            ]
          : [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        restrictDefaultSecurityGroup: true,
      });
      const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
        retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      this.vpc = vpc;
      this.subnets = { subnetType: nat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
    } else {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: n.vpc.vpcId,
        vpcCidrBlock: n.vpc.cidr,
        availabilityZones: [...n.vpc.availabilityZones],
        privateSubnetIds: [...n.vpc.privateSubnetIds],
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
      acknowledge(
        this,
        'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'The relay adds no routes: it only places its functions, NLB and endpoints in these existing subnets.',
      );
    }

    if (n.interfaceEndpoints) {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'SQS interface endpoint: HTTPS from the relay functions only',
        allowAllOutbound: false,
      });
      const privateDns = n.vpc.kind === 'create';
      const sqs = new ec2.InterfaceVpcEndpoint(this, 'SqsEndpoint', {
        vpc: this.vpc,
        service: ec2.InterfaceVpcEndpointAwsService.SQS,
        subnets: this.subnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: privateDns,
        open: false,
      });
      this.sqsEndpoint = sqs;
      // DnsEntries: ["<hosted zone id>:<regional name>", "<zone id>:<zonal name>", …]
      this.sqsEndpointUrl = privateDns
        ? undefined
        : `https://${Fn.select(1, Fn.split(':', Fn.select(0, sqs.vpcEndpointDnsEntries)))}`;
      // from this VPC, SQS reaches this account's queues only: SendMessage (DLQ parking) and
      // ChangeMessageVisibility (backing off records while the collector is down)
      sqs.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['sqs:SendMessage', 'sqs:ChangeMessageVisibility'],
          resources: [`arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`],
        }),
      );
    } else {
      this.sqsEndpoint = undefined;
      this.sqsEndpointUrl = undefined;
    }
  }

  /**
   * Point `fn`'s SQS client at the endpoint's own DNS name when the endpoint has no private DNS
   * (an existing VPC); nothing otherwise.
   */
  bindSqsEndpoint(fn: { addEnvironment(name: string, value: string): void }): void {
    if (this.sqsEndpointUrl) fn.addEnvironment(ENV.sqsEndpoint, this.sqsEndpointUrl);
  }

  /**
   * A security group for a function in this VPC, with no egress but HTTPS to the AWS APIs (the
   * interface endpoints, or anywhere when the VPC reaches them through NAT or its own endpoints).
   */
  functionSecurityGroup(scope: Construct, id: string, description: string): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(scope, id, { vpc: this.vpc, description, allowAllOutbound: false });
    if (this.endpointSecurityGroup) {
      sg.connections.allowTo(this.endpointSecurityGroup, ec2.Port.tcp(443), 'SQS API (interface endpoint)');
    } else {
      sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'SQS API (through the VPC NAT or endpoints)');
    }
    return sg;
  }
}

export type { RelayNetworkProps };
export { RelayNetwork };
