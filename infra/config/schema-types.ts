// Generated from schemas/deployment-config.v1.schema.json by scripts/config-types.ts: do not edit.
// Regenerate after a schema change with `npm run gen:config-types`; test/infra/config-types.test.ts
// fails while this file and the schema disagree.

type AccountId = string;

/** An AWS account id (any principal of that account) or an IAM role/user ARN. No wildcards. */
type Principal = string;

type HttpsUrl = string;

type SecretArn = string;

type KmsKeyArn = string;

/** How one consumer function reads its queue. */
type Processing = {
  /** SQS records per invocation. */
  readonly batchSize?: number;
  /** Wait up to this long to fill a batch (required ≥ 1 when batchSize > 10). */
  readonly maxBatchingWindowSeconds?: number;
  /** Event source maximum concurrency: the cap on concurrent invocations (and, for syslog, on connections to the collector). */
  readonly maxConcurrency?: number;
  /** Reserved concurrency of the function (optional; must be ≥ maxConcurrency). */
  readonly reservedConcurrency?: number;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  /** Receives before SQS moves a message to the DLQ (ingest and alerts; a destination's is derived from retention.queueDays and its backoff). */
  readonly maxReceiveCount?: number;
  /** Destinations only: while the destination is down, failed records stay out of sight for baseSeconds × 2^(receive − 1), capped at capSeconds, less up to 20 % jitter. The queue's maxReceiveCount is derived from it and retention.queueDays (docs/deploy.md, "Long outages"). */
  readonly backoff?: {
    /** First backoff, seconds. Default 30. */
    readonly baseSeconds?: number;
    /** Largest backoff, seconds: the longest a recovered destination waits for a record. Default 1800. */
    readonly capSeconds?: number;
  };
};

type Ingest = {
  /** The vault producer principal(s): whoever sends the vault's events (the `segura-relay bridge` host's role, or the vault's own integration). The only principals allowed to SendMessage to the ingest queue; must exist before the deploy. */
  readonly producers: readonly Principal[];
  /** Create an IAM role for the vault with nothing but send rights on the ingest queue (and its KMS key). */
  readonly producerRole?: {
    /** Who may assume the role (the vault host's role or account). */
    readonly trustedPrincipal: Principal;
    readonly externalId?: string;
  };
  /** Principals that may also send to the ingest queue, for DLQ redrive (StartMessageMoveTask needs SendMessage on the source queue). */
  readonly operators?: readonly Principal[];
  readonly maxInputBytes?: number;
  /** Let secret-looking fields through to the SIEMs (normalize's ALLOW_SECRET_FIELDS). Default false: they are redacted before anything leaves normalize. */
  readonly allowSecretFields?: boolean;
  readonly processing?: Processing;
  readonly syslogEndpoint?: SyslogEndpoint;
};

/** SNS subscription filter on the attributes normalize publishes. Omit to receive every event. */
type Filter = {
  /** Minimum CEF severity (0–10). */
  readonly minSeverity?: number;
  readonly eventIds?: readonly string[];
  readonly excludeEventIds?: readonly string[];
  readonly categories?: readonly string[];
  readonly origins?: readonly string[];
};

/** Renderer options (see shared/render/index.ts RenderConfig); each format reads the ones it understands. */
type Render = {
  readonly vendor?: string;
  /** Product name in CEF/LEEF headers and ECS observer.product for every event, overriding the product the vault wrote. Absent: the vault's own product (Segura, senhasegura), else Segura. */
  readonly product?: string;
  /** Version in CEF/LEEF headers and ECS observer.version when the event carries none; the vault's own version (e.g. 3.27.0-4 from its CEF header) always wins. Absent: 3. */
  readonly deviceVersion?: string;
  readonly mode?: "strict" | "compatible";
  /** Size budget per event in UTF-8 bytes; per format: cef 64–1024000, rfc5424 128–1024000, leef 128–1024000, ecs 256–1024000 (checked at synth). */
  readonly maxBytes?: number;
  readonly facility?: number;
  readonly appName?: string;
  readonly msg?: "cef" | "kv";
  readonly bom?: "auto" | "always" | "never";
  readonly sdId?: string;
  readonly delimiter?: string;
};

/** Unique destination name: the `Destination` metric dimension and part of resource ids. */
type DestinationName = string;

/** Stable id the destination's resources (queue, DLQ, function, stream, NLB) and default archive prefix derive from. Default: the name. Set it to the old name before renaming a destination, so the rename replaces nothing (docs/deploy.md). */
type DestinationId = string;

type Format = "cef" | "rfc5424" | "leef" | "ecs";

type Destination = FirehoseDestination | SyslogDestination;

type FirehoseDestination = {
  readonly type: "firehose";
  readonly name: DestinationName;
  readonly id?: DestinationId;
  readonly format: Format;
  readonly render?: Render;
  readonly filter?: Filter;
  /** Pack many newline-delimited events per Firehose record. Default true for s3, false for splunk and http. */
  readonly aggregate?: boolean;
  readonly delivery: S3Delivery | SplunkDelivery | HttpDelivery;
  readonly processing?: Processing;
};

/** Firehose → the relay's archive bucket (SSE-KMS, versioned, access-logged). */
type S3Delivery = {
  readonly type: "s3";
  /** Object key prefix (ends with /); the date (yyyy/MM/dd/HH/) is appended. Default `<name>/`. */
  readonly prefix?: string;
  readonly compression?: "GZIP" | "UNCOMPRESSED";
  readonly bufferingSeconds?: number;
  readonly bufferingMiB?: number;
};

/** Firehose → Splunk HEC; the HEC token comes from Secrets Manager; failed events are backed up to the archive bucket. */
type SplunkDelivery = {
  readonly type: "splunk";
  readonly hecEndpoint: HttpsUrl;
  readonly hecEndpointType?: "Raw" | "Event";
  readonly hecTokenSecretArn: SecretArn;
  readonly secretKmsKeyArn?: KmsKeyArn;
  readonly hecAckTimeoutSeconds?: number;
  /** How long Firehose retries a failed delivery before writing the records to <name>-failed/ in the archive bucket (RetryOptions.DurationInSeconds, 0–7200). Default 7200, the maximum. */
  readonly retrySeconds?: number;
  readonly bufferingSeconds?: number;
  readonly bufferingMiB?: number;
};

/** Firehose → an HTTPS endpoint (any SIEM with a Firehose HTTP endpoint); the access key comes from Secrets Manager; failed events are backed up to the archive bucket. */
type HttpDelivery = {
  readonly type: "http";
  readonly url: HttpsUrl;
  readonly endpointName?: string;
  readonly accessKeySecretArn?: SecretArn;
  readonly secretKmsKeyArn?: KmsKeyArn;
  readonly contentEncoding?: "GZIP" | "NONE";
  /** How long Firehose retries a failed delivery before writing the records to <name>-failed/ in the archive bucket (RetryOptions.DurationInSeconds, 0–7200). Default 7200, the maximum. */
  readonly retrySeconds?: number;
  readonly bufferingSeconds?: number;
  readonly bufferingMiB?: number;
  readonly attributes?: { readonly [key: string]: string };
};

type SyslogDestination = {
  readonly type: "syslog";
  readonly name: DestinationName;
  readonly id?: DestinationId;
  readonly format: Format;
  readonly render?: Render;
  readonly filter?: Filter;
  /** Default tls. relp: RELP (every event acknowledged by the collector, unacknowledged ones sent again), over TLS unless relp.tls is false; the NLB passes it through on a TCP listener. */
  readonly transport?: "tls" | "tcp" | "udp" | "relp";
  /** Transport relp only. */
  readonly relp?: {
    /** RELP over TLS to the collector (verified with ca and servername; through an NLB, TLS ends at the collector). Default true. */
    readonly tls?: boolean;
    /** Most events in flight without an acknowledgement; also the most duplicates one broken session can cause. Default 128 (librelp's default). */
    readonly window?: number;
  };
  readonly port: number;
  /** Default octet (RFC 6587 octet counting). */
  readonly framing?: "octet" | "lf";
  /** The collectors' CA when it is not a public root: exactly one of `file` (a PEM file, relative to this config file) or `pem` (inline). Checked at synth (a certificate, no private key) and bundled next to the handler as collector-ca.pem. */
  readonly ca?: {
    readonly file?: string;
    readonly pem?: string;
  };
  /** TLS SNI and certificate name to verify (the NLB listener certificate's name; for relp over TLS, the collector certificate's name). */
  readonly servername?: string;
  readonly connectTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  readonly maxDatagramBytes?: number;
  /** Exactly one of: `existing` (a host or an existing NLB by DNS name) or `nlb` (a new internal NLB). */
  readonly target: {
    readonly existing?: {
      readonly host: string;
      /** Where the host's addresses are; the function may connect there on `port` only. Default: the VPC CIDR. */
      readonly egressCidrs?: readonly string[];
    };
    readonly nlb?: {
      /** transport tls only. passthrough (default): a TCP listener, TLS end to end between the function and the collector, which the function verifies (certificate and servername). tls: the NLB terminates TLS with certificateArn; the function verifies the NLB, not the collector (docs/deploy.md, "Syslog through a new NLB"). */
      readonly listener?: "passthrough" | "tls";
      /** ACM certificate of the TLS listener (listener tls only). */
      readonly certificateArn?: string;
      readonly sslPolicy?: "ELBSecurityPolicy-TLS13-1-2-2021-06" | "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" | "ELBSecurityPolicy-TLS13-1-3-2021-06" | "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09" | "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09";
      /** listener tls only: protocol from the NLB to the collectors. Default tls; tcp (cleartext on that leg) needs cleartextReason. */
      readonly targetProtocol?: "tcp" | "tls";
      /** Why events may cross the NLB-to-collector leg unencrypted (required with targetProtocol tcp). */
      readonly cleartextReason?: string;
      readonly targetPort?: number;
      readonly targets: ReadonlyArray<{
        /** IPv4 address of a collector: in the VPC, or (outside it, through peering, VPN or Direct Connect) in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10. */
        readonly ip: string;
        readonly port?: number;
      }>;
    };
  };
  readonly processing?: Processing;
};

/** Where deliver-syslog runs (private subnets). Required when a syslog destination exists. */
type Network = {
  /** Exactly one of: `create` or `existing`. */
  readonly vpc: {
    readonly create?: {
      readonly cidr: string;
      readonly availabilityZones: readonly string[];
      /** Default 0: isolated private subnets, AWS APIs through interface endpoints. */
      readonly natGateways?: number;
    };
    readonly existing?: {
      readonly vpcId: string;
      readonly cidr: string;
      readonly availabilityZones: readonly string[];
      readonly privateSubnetIds: readonly string[];
    };
  };
  /** Create SQS (and SSM, when a CA comes from SSM) interface endpoints with private DNS. Default true for a new VPC without NAT, false otherwise (the VPC already reaches AWS APIs). */
  readonly interfaceEndpoints?: boolean;
};

type Alerts = {
  /** Create the chat alert topic for AWS Chatbot (Amazon Q Developer in chat applications) without subscribing any URL: add the topic (output AlertTopicArnChat) to a Slack or Teams channel configuration in Chatbot, which subscribes itself. Counts as a chat subscriber. */
  readonly chatbot?: boolean;
  /** Alert rules (YAML or JSON), relative to this config file. Validated at synth and bundled as alert-rules.json. */
  readonly rulesFile: string;
  /** One SNS topic per channel that has subscribers. */
  readonly subscribers: {
    readonly sms?: readonly string[];
    readonly email?: readonly string[];
    readonly chat?: readonly HttpsUrl[];
    readonly ticket?: readonly HttpsUrl[];
  };
  readonly filter?: Filter;
  readonly processing?: Processing;
};

type Retention = {
  /** Message retention of the ingest, destination and alerts queues. Default 10 (rides out a multi-day collector outage). Must be less than deadLetterQueueDays. */
  readonly queueDays?: number;
  /** Message retention of every dead-letter queue. Default 14 (the SQS maximum). A parked message keeps its original enqueue time, so it stays in its DLQ at least deadLetterQueueDays - queueDays days. */
  readonly deadLetterQueueDays?: number;
  /** CloudWatch Logs retention of every log group. Default 90. */
  readonly logDays?: 1 | 3 | 5 | 7 | 14 | 30 | 60 | 90 | 120 | 150 | 180 | 365 | 400 | 545 | 731 | 1096 | 1827 | 2192 | 2557 | 2922 | 3288 | 3653;
  /** Expire archived objects after this many days. Default: keep. */
  readonly archiveDays?: number;
  /** Retain the queues and DLQs, the throttle table, the archive and access-log buckets, the KMS keys and the log groups when the stack is deleted or a resource replaced. false: delete them, emptying the buckets first. Default true. */
  readonly keepDataOnDelete?: boolean;
};

type Operations = {
  /** Email subscriptions of the ops alarm topic. */
  readonly alarmEmails?: readonly string[];
  readonly metricsNamespace?: string;
  readonly logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Lambda runtime. Default nodejs24.x (the newest the pinned aws-cdk-lib offers). */
  readonly runtime?: "nodejs22.x" | "nodejs24.x";
  /** X-Ray active tracing. Default false. */
  readonly tracing?: boolean;
  /** S3 server access logs for the archive bucket and NLB access logs. Default true. */
  readonly accessLogs?: boolean;
  /** Create the CloudWatch dashboard. Default true. */
  readonly dashboard?: boolean;
  readonly alarms?: {
    readonly oldestMessageAgeSeconds?: number;
    readonly eventsFailedThreshold?: number;
    /** The events-failed alarm fires when at least eventsFailedThreshold events failed in this many of the last five 1-minute periods (default 2: it pages within 5 minutes of a destination going down). */
    readonly eventsFailedPeriods?: number;
    readonly functionErrorsThreshold?: number;
    readonly firehoseFreshnessSeconds?: number;
  };
};

/** A syslog endpoint the stack runs for the vault (off when absent): an internal NLB in front of an ECS Fargate service running `segura-relay bridge`, which sends each message to the ingest queue. Needs config.network. docs/deploy.md, "Point the vault at the relay". */
type SyslogEndpoint = {
  /** The vault's source addresses (IPv4 CIDRs, e.g. each vault node's /32): the only sources the security groups admit on the listener ports. */
  readonly vaultCidrs: readonly string[];
  /** The listeners the NLB offers the vault: at least one. TLS is recommended; UDP only when the vault cannot do TCP (datagrams can be lost unseen). */
  readonly listeners: {
    readonly tls?: {
      /** Default 6514 (RFC 5425). */
      readonly port?: number;
      /** The NLB terminates TLS with this ACM certificate (TLS 1.2+ policy) and passes the bytes to the bridge inside the VPC. Exactly one of certificateArn and certificateSecretArn. */
      readonly certificateArn?: string;
      /** Pass-through: the NLB forwards TCP and the bridge terminates TLS with the certificate chain and key in this Secrets Manager secret (JSON with keys certificate and privateKey, PEM). Exactly one of certificateArn and certificateSecretArn. */
      readonly certificateSecretArn?: SecretArn;
      /** The secret's customer managed KMS key, when it has one (the task's execution role may decrypt with it). */
      readonly secretKmsKeyArn?: KmsKeyArn;
      /** certificateArn only: the NLB's TLS policy. Default ELBSecurityPolicy-TLS13-1-2-2021-06. */
      readonly sslPolicy?: "ELBSecurityPolicy-TLS13-1-2-2021-06" | "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" | "ELBSecurityPolicy-TLS13-1-3-2021-06";
    };
    readonly tcp?: {
      /** Default 514. */
      readonly port?: number;
    };
    readonly udp?: {
      /** Default 514. Each datagram is one message; keep messages under 1,400 bytes (the vault sends at most 1,024). */
      readonly port?: number;
    };
  };
  /** Tasks always running, spread over the zones. Default 2. */
  readonly minTasks?: number;
  /** Autoscaling ceiling (CPU and connections). Default 4. */
  readonly maxTasks?: number;
  /** Fargate CPU units per task. Default 512. */
  readonly cpu?: 256 | 512 | 1024 | 2048;
  /** Memory per task, MiB (a valid Fargate combination with cpu). Default 1024. */
  readonly memoryMiB?: number;
  /** On-disk spool per task (the task's ephemeral storage), MiB: what a task keeps while SQS is unreachable. Default 4096. */
  readonly spoolMiB?: number;
  /** Autoscaling target: average NLB flows per task. Default 200. */
  readonly connectionsPerTask?: number;
};

/** One file per deployment, chosen with `cdk synth|deploy -c config=PATH`. Validated at synth by infra/config/load.ts (this schema plus cross-field rules); every error names the field. */
type DeploymentConfigV1 = {
  readonly $schema?: string;
  /** Config format version. */
  readonly version: 1;
  /** Deployment name: the CloudFormation stack name and the Powertools service name prefix (lowercase, 3–32 characters). */
  readonly name: string;
  readonly description?: string;
  /** Region this config is meant for. Optional; when set, availability zones and ARNs in the file must be in it. The stack itself is environment-agnostic: deploy with AWS_REGION (or your profile) set to this region. */
  readonly region?: string;
  /** Tags applied to every resource. */
  readonly tags?: { readonly [key: string]: string };
  readonly ingest: Ingest;
  /** Where rendered events go. Each destination gets its own SQS queue (subscribed to the events topic), DLQ and delivery function. */
  readonly destinations?: readonly Destination[];
  readonly network?: Network;
  readonly alerts?: Alerts;
  readonly retention?: Retention;
  readonly operations?: Operations;
};

export type { AccountId, Alerts, DeploymentConfigV1, Destination, DestinationId, DestinationName, Filter, FirehoseDestination, Format, HttpDelivery, HttpsUrl, Ingest, KmsKeyArn, Network, Operations, Principal, Processing, Render, Retention, S3Delivery, SecretArn, SplunkDelivery, SyslogDestination, SyslogEndpoint };
