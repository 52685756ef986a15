/**
 * The destination registry's infra part: for every kind of shared/destinations/kinds.ts, the CDK
 * constructs one destination of that kind is made of (its queue subscribed to the events topic with
 * the destination's filter, the delivery function, and what it delivers to). The stack iterates
 * over the registry (infra/stacks/relay-stack.ts); a kind missing here fails to compile (the map is
 * typed by the kind) and test/infra/destination-registry.test.ts.
 */
import { CfnOutput, type RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { DESTINATION_KINDS, type DestinationKind } from '../shared/destinations/kinds.js';
import type { Destination, Processing } from './config/types.js';
import type { ArchiveBucket } from './constructs/archive-bucket.js';
import type { DashboardDestination } from './constructs/dashboard.js';
import type { EventQueue } from './constructs/event-queue.js';
import type { EventsTopic } from './constructs/events-topic.js';
import { FirehoseDelivery } from './constructs/firehose-delivery.js';
import type { RelayNetwork } from './constructs/network.js';
import { RelayFunction, type RelayFunctionProps } from './constructs/relay-function.js';
import type { FunctionKind } from './constructs/relay-metrics.js';
import { SyslogEndpoint } from './constructs/syslog-endpoint.js';

/** What the stack lends a destination's constructs. */
interface DestinationContext {
  readonly scope: Construct;
  readonly eventsTopic: EventsTopic;
  readonly consumerQueue: (id: string, p: Processing) => EventQueue;
  readonly fnDefaults: (kind: FunctionKind, p: Processing) => Omit<RelayFunctionProps, 'description'>;
  /** the archive bucket (created when any Firehose destination exists) */
  readonly archive: ArchiveBucket | undefined;
  /** the VPC the syslog functions run in (the config rules require it for a syslog destination) */
  readonly network: RelayNetwork | undefined;
  readonly accessLogs: s3.IBucket | undefined;
  readonly logRetention: logs.RetentionDays;
  readonly keep: RemovalPolicy;
}

/** `id`: the stable id alarms are named by (a rename keeps them); `name`: what the metrics say. */
type Delivery = DashboardDestination & { readonly id: string };

type DestinationConstructs = {
  readonly [K in DestinationKind]: (ctx: DestinationContext, d: Extract<Destination, { type: K }>) => Delivery;
};

const INFRA_DESTINATIONS: DestinationConstructs = {
  firehose: (ctx, d) => {
    const kind = DESTINATION_KINDS.firehose;
    // resource ids from the stable id, never the display name: a rename replaces nothing
    const id = `${kind.resourcePrefix}-${d.id}`;
    const queue = ctx.consumerQueue(`${id}-Queue`, d.processing);
    ctx.eventsTopic.subscribe(queue, d.filter);
    const stream = new FirehoseDelivery(ctx.scope, `${id}-Stream`, {
      destination: d,
      archive: ctx.archive as ArchiveBucket,
      logRetention: ctx.logRetention,
      logRemovalPolicy: ctx.keep,
    });
    const fn = new RelayFunction(ctx.scope, `${id}-Deliver`, {
      ...ctx.fnDefaults(kind.fn, d.processing),
      description: `canonical events as ${d.format} to Firehose ${d.name} (${d.delivery.type})`,
    });
    fn.consume(queue, d.processing);
    stream.deliverFrom(fn);
    return { id: d.id, name: d.name, kind: kind.fn, fn, queue, firehose: stream };
  },
  syslog: (ctx, d) => {
    const kind = DESTINATION_KINDS.syslog;
    const id = `${kind.resourcePrefix}-${d.id}`;
    const net = ctx.network as RelayNetwork;
    const queue = ctx.consumerQueue(`${id}-Queue`, d.processing);
    ctx.eventsTopic.subscribe(queue, d.filter);
    const endpoint = new SyslogEndpoint(ctx.scope, `${id}-Endpoint`, {
      destination: d,
      network: net,
      accessLogs: ctx.accessLogs,
    });
    const fn = new RelayFunction(ctx.scope, `${id}-Deliver`, {
      ...ctx.fnDefaults(kind.fn, d.processing),
      description: `canonical events as ${d.format} to syslog ${d.transport} ${d.name}`,
      vpc: { vpc: net.vpc, subnets: net.subnets, securityGroup: endpoint.clientSecurityGroup },
      bundledFiles: endpoint.bundledFiles,
    });
    fn.consume(queue, d.processing);
    endpoint.deliverFrom(fn);
    net.bindSqsEndpoint(fn);
    if (endpoint.loadBalancer) {
      new CfnOutput(ctx.scope, `${id}-LoadBalancerDns`, {
        value: endpoint.loadBalancer.loadBalancerDnsName,
        description: `internal NLB of syslog destination ${d.name}`,
      });
    }
    return { id: d.id, name: d.name, kind: kind.fn, fn, queue };
  },
};

/** Build one destination with its kind's constructs. */
function buildDestination(ctx: DestinationContext, d: Destination): Delivery {
  const build = INFRA_DESTINATIONS[d.type] as (ctx: DestinationContext, d: Destination) => Delivery;
  return build(ctx, d);
}

export type { Delivery, DestinationContext };
export { buildDestination, INFRA_DESTINATIONS };
