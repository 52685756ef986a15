/**
 * Deployment configuration: the file's shape (`DeploymentConfigV1`, generated from
 * `schemas/deployment-config.v1.schema.json` into schema-types.ts by scripts/config-types.ts) and
 * the resolved form the stack reads (`RelayConfig`: every default applied, paths absolute, alert
 * rules loaded).
 */
import type { RetryBackoff } from '../../shared/config/retry-backoff.js';
import type { SyslogEndpoint } from './ingest-endpoint.js';
import type * as Schema from './schema-types.js';

/** Renderer options, passed verbatim in the function's DESTINATION (shared/render/index.ts RenderConfig). */
type RenderOptions = Schema.Render;
/** SNS subscription filter on normalize's message attributes. */
type EventFilter = Schema.Filter;
type Format = Schema.Format;
type ProcessingInput = Schema.Processing;
type FirehoseDestinationInput = Schema.FirehoseDestination;
type SyslogDestinationInput = Schema.SyslogDestination;
type DestinationInput = Schema.Destination;
/** The config file, as written (see the JSON Schema for every field's meaning and range). */
type DeploymentConfigV1 = Schema.DeploymentConfigV1;
type Channel = keyof Schema.Alerts['subscribers'];
type LogLevel = NonNullable<Schema.Operations['logLevel']>;
type Runtime = NonNullable<Schema.Operations['runtime']>;

// ---- resolved form ------------------------------------------------------------------------------

/** How one consumer reads its queue, every default applied. */
interface Processing {
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly reservedConcurrency: number | undefined;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** ingest, alerts: configured (default 5); destinations: derived from retention and `backoff` */
  readonly maxReceiveCount: number;
  /** destinations: backoff while the destination is down (undefined for ingest and alerts) */
  readonly backoff: RetryBackoff | undefined;
}

interface S3Delivery {
  readonly type: 's3';
  readonly prefix: string;
  readonly compression: 'GZIP' | 'UNCOMPRESSED';
  readonly bufferingSeconds: number;
  readonly bufferingMiB: number;
}

interface SplunkDelivery {
  readonly type: 'splunk';
  readonly hecEndpoint: string;
  readonly hecEndpointType: 'Raw' | 'Event';
  readonly hecTokenSecretArn: string;
  readonly secretKmsKeyArn: string | undefined;
  readonly hecAckTimeoutSeconds: number;
  readonly retrySeconds: number;
  readonly bufferingSeconds: number;
  readonly bufferingMiB: number;
  /** failed events are backed up to the archive bucket under this prefix */
  readonly backupPrefix: string;
}

interface HttpDelivery {
  readonly type: 'http';
  readonly url: string;
  readonly endpointName: string;
  readonly accessKeySecretArn: string | undefined;
  readonly secretKmsKeyArn: string | undefined;
  readonly contentEncoding: 'GZIP' | 'NONE';
  readonly retrySeconds: number;
  readonly bufferingSeconds: number;
  readonly bufferingMiB: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly backupPrefix: string;
}

interface FirehoseDestination {
  readonly type: 'firehose';
  readonly name: string;
  /** stable id: the destination's resource ids (and default archive prefix) derive from it, not from `name` */
  readonly id: string;
  readonly format: Format;
  readonly render: RenderOptions;
  readonly filter: EventFilter | undefined;
  readonly aggregate: boolean;
  readonly delivery: S3Delivery | SplunkDelivery | HttpDelivery;
  readonly processing: Processing;
}

interface NlbTarget {
  readonly ip: string;
  readonly port: number;
  /** 'all' for an address outside the VPC (reached through peering, VPN or Direct Connect) */
  readonly availabilityZone: 'all' | undefined;
}

interface SyslogDestination {
  readonly type: 'syslog';
  readonly name: string;
  /** stable id: the destination's resource ids derive from it, not from `name` */
  readonly id: string;
  readonly format: Format;
  readonly render: RenderOptions;
  readonly filter: EventFilter | undefined;
  readonly transport: 'tls' | 'tcp' | 'udp' | 'relp';
  /** transport relp: TLS to the collector (default) or plain TCP, and the window (undefined: the transport's default) */
  readonly relp: { readonly tls: boolean; readonly window: number | undefined } | undefined;
  readonly port: number;
  readonly framing: 'octet' | 'lf';
  /** the collectors' CA certificate(s), PEM, read at synth; bundled as collector-ca.pem */
  readonly caPem: string | undefined;
  readonly servername: string | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly writeTimeoutMs: number | undefined;
  readonly maxDatagramBytes: number | undefined;
  readonly target:
    | { readonly kind: 'existing'; readonly host: string; readonly egressCidrs: readonly string[] | undefined }
    | {
        readonly kind: 'nlb';
        /** transport tls: who terminates TLS (passthrough: the collector; tls: the NLB); tcp: 'tcp' */
        readonly listener: 'passthrough' | 'tls' | 'tcp';
        readonly certificateArn: string | undefined;
        readonly sslPolicy: string;
        readonly targetProtocol: 'tcp' | 'tls' | 'udp';
        /** why the NLB → collector leg is cleartext behind a TLS listener (required then) */
        readonly cleartextReason: string | undefined;
        readonly targets: readonly NlbTarget[];
      };
  readonly processing: Processing;
}

type Destination = FirehoseDestination | SyslogDestination;

interface Network {
  readonly vpc:
    | {
        readonly kind: 'create';
        readonly cidr: string;
        readonly availabilityZones: readonly string[];
        readonly natGateways: number;
      }
    | {
        readonly kind: 'existing';
        readonly vpcId: string;
        readonly cidr: string;
        readonly availabilityZones: readonly string[];
        readonly privateSubnetIds: readonly string[];
      };
  readonly interfaceEndpoints: boolean;
}

/** The validated alert rules, as bundled next to the evaluate-alerts handler. */
interface AlertRules {
  /** absolute path of the rules file in the repo */
  readonly sourceFile: string;
  readonly ruleCount: number;
  /** the SMS topic's display name (`settings.smsDisplayName`; SNS prefixes each SMS with it) */
  readonly smsDisplayName: string | undefined;
}

interface Alerts {
  /** the chat topic is created for AWS Chatbot, which subscribes itself */
  readonly chatbot: boolean;
  readonly rules: AlertRules;
  readonly subscribers: Readonly<Partial<Record<Channel, readonly string[]>>>;
  readonly filter: EventFilter | undefined;
  readonly processing: Processing;
}

interface Alarms {
  readonly oldestMessageAgeSeconds: number;
  readonly eventsFailedThreshold: number;
  readonly eventsFailedPeriods: number;
  readonly functionErrorsThreshold: number;
  readonly firehoseFreshnessSeconds: number;
}

/** The resolved deployment configuration the stack is built from. */
interface RelayConfig {
  /** absolute path of the config file */
  readonly sourceFile: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly region: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly ingest: {
    readonly producers: readonly string[];
    readonly producerRole: { readonly trustedPrincipal: string; readonly externalId: string | undefined } | undefined;
    readonly operators: readonly string[];
    readonly maxInputBytes: number | undefined;
    /** pass secret-looking fields through (default false: normalize redacts them) */
    readonly allowSecretFields: boolean;
    readonly processing: Processing;
    /** the syslog endpoint for the vault (NLB + bridge on Fargate); undefined: none */
    readonly syslogEndpoint: SyslogEndpoint | undefined;
  };
  readonly destinations: readonly Destination[];
  readonly network: Network | undefined;
  readonly alerts: Alerts | undefined;
  readonly retention: {
    /** retention of the ingest, destination and alerts queues */
    readonly queueDays: number;
    /** retention of every dead-letter queue: longer than queueDays */
    readonly deadLetterQueueDays: number;
    readonly logDays: number;
    readonly archiveDays: number | undefined;
    readonly keepDataOnDelete: boolean;
  };
  readonly operations: {
    readonly alarmEmails: readonly string[];
    readonly metricsNamespace: string;
    readonly logLevel: LogLevel;
    readonly runtime: Runtime;
    readonly tracing: boolean;
    readonly accessLogs: boolean;
    readonly dashboard: boolean;
    readonly alarms: Alarms;
  };
}

const CHANNELS = ['sms', 'email', 'chat', 'ticket'] as const satisfies readonly Channel[];

export type {
  Alarms,
  AlertRules,
  Alerts,
  Channel,
  DeploymentConfigV1,
  Destination,
  DestinationInput,
  EventFilter,
  FirehoseDestination,
  FirehoseDestinationInput,
  Format,
  HttpDelivery,
  LogLevel,
  Network,
  NlbTarget,
  Processing,
  ProcessingInput,
  RelayConfig,
  RenderOptions,
  Runtime,
  S3Delivery,
  SplunkDelivery,
  SyslogDestination,
  SyslogDestinationInput,
};
export { CHANNELS };
