/**
 * Resolve a validated deployment config (schema and cross-field rules passed) into the RelayConfig the
 * stack builds from: every default filled in, CA files read, NLB targets placed.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { maxReceiveCountFor } from '../../shared/config/retry-backoff.js';
import { DEFAULT_METRICS_NAMESPACE } from '../../shared/contracts/index.js';
import type { checkAlertRules } from './alert-rules.js';
import {
  backoffOf,
  DEFAULT_DEAD_LETTER_QUEUE_DAYS,
  DEFAULT_MAX_RECEIVE_COUNT,
  DEFAULT_QUEUE_DAYS,
  DEFAULT_RUNTIME,
  DEFAULT_TLS_POLICY,
  FIREHOSE_MAX_RETRY_SECONDS,
  PROCESSING_DEFAULTS,
} from './defaults.js';
import { resolveSyslogEndpoint } from './ingest-endpoint.js';
import { cidrContains, parseCidr, parseIpv4 } from './ipv4.js';
import {
  CHANNELS,
  type Channel,
  type DeploymentConfigV1,
  type Destination,
  type DestinationInput,
  type Network,
  type NlbTarget,
  type Processing,
  type ProcessingInput,
  type RelayConfig,
} from './types.js';

// ---- defaults -----------------------------------------------------------------------------------

function processing(
  p: ProcessingInput | undefined,
  d: (typeof PROCESSING_DEFAULTS)[keyof typeof PROCESSING_DEFAULTS],
  destination?: { retentionSeconds: number },
): Processing {
  if (destination) {
    const backoff = backoffOf(p);
    return {
      ...processing(p, d),
      backoff,
      maxReceiveCount: maxReceiveCountFor(destination.retentionSeconds, backoff),
    };
  }
  return {
    backoff: undefined,
    batchSize: p?.batchSize ?? d.batchSize,
    maxBatchingWindowSeconds: p?.maxBatchingWindowSeconds ?? d.maxBatchingWindowSeconds,
    maxConcurrency: p?.maxConcurrency ?? d.maxConcurrency,
    reservedConcurrency: p?.reservedConcurrency,
    memoryMb: p?.memoryMb ?? d.memoryMb,
    timeoutSeconds: p?.timeoutSeconds ?? d.timeoutSeconds,
    maxReceiveCount: p?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
  };
}

function resolveDestination(
  d: DestinationInput,
  vpcCidr: string | undefined,
  baseDir: string,
  retentionSeconds: number,
): Destination {
  if (d.type === 'firehose') {
    const t = d.delivery;
    const id = d.id ?? d.name;
    const common = {
      type: 'firehose' as const,
      name: d.name,
      id,
      format: d.format,
      render: d.render ?? {},
      filter: d.filter,
      processing: processing(d.processing, PROCESSING_DEFAULTS.firehose, { retentionSeconds }),
    };
    switch (t.type) {
      case 's3':
        return {
          ...common,
          aggregate: d.aggregate ?? true,
          delivery: {
            type: 's3',
            prefix: t.prefix ?? `${id}/`,
            compression: t.compression ?? 'GZIP',
            bufferingSeconds: t.bufferingSeconds ?? 300,
            bufferingMiB: t.bufferingMiB ?? 5,
          },
        };
      case 'splunk':
        return {
          ...common,
          aggregate: false,
          delivery: {
            type: 'splunk',
            hecEndpoint: t.hecEndpoint,
            hecEndpointType: t.hecEndpointType ?? 'Raw',
            hecTokenSecretArn: t.hecTokenSecretArn,
            secretKmsKeyArn: t.secretKmsKeyArn,
            hecAckTimeoutSeconds: t.hecAckTimeoutSeconds ?? 180,
            retrySeconds: t.retrySeconds ?? FIREHOSE_MAX_RETRY_SECONDS,
            bufferingSeconds: t.bufferingSeconds ?? 60,
            bufferingMiB: t.bufferingMiB ?? 5,
            backupPrefix: `${id}-failed/`,
          },
        };
      case 'http':
        return {
          ...common,
          aggregate: d.aggregate ?? false,
          delivery: {
            type: 'http',
            url: t.url,
            endpointName: t.endpointName ?? d.name,
            accessKeySecretArn: t.accessKeySecretArn,
            secretKmsKeyArn: t.secretKmsKeyArn,
            contentEncoding: t.contentEncoding ?? 'GZIP',
            retrySeconds: t.retrySeconds ?? FIREHOSE_MAX_RETRY_SECONDS,
            bufferingSeconds: t.bufferingSeconds ?? 60,
            bufferingMiB: t.bufferingMiB ?? 1,
            attributes: t.attributes ?? {},
            backupPrefix: `${id}-failed/`,
          },
        };
    }
  }
  const transport = d.transport ?? 'tls';
  const nlb = d.target.nlb;
  const cidr = vpcCidr ? parseCidr(vpcCidr) : undefined;
  return {
    type: 'syslog',
    name: d.name,
    id: d.id ?? d.name,
    format: d.format,
    render: d.render ?? {},
    filter: d.filter,
    transport,
    relp: transport === 'relp' ? { tls: d.relp?.tls !== false, window: d.relp?.window } : undefined,
    port: d.port,
    framing: d.framing ?? 'octet',
    caPem: d.ca?.file !== undefined ? readFileSync(resolve(baseDir, d.ca.file), 'utf8') : d.ca?.pem,
    servername: d.servername,
    connectTimeoutMs: d.connectTimeoutMs,
    writeTimeoutMs: d.writeTimeoutMs,
    maxDatagramBytes: d.maxDatagramBytes,
    target: nlb
      ? {
          kind: 'nlb',
          listener: transport === 'tls' ? (nlb.listener ?? 'passthrough') : 'tcp',
          certificateArn: nlb.certificateArn,
          sslPolicy: nlb.sslPolicy ?? DEFAULT_TLS_POLICY,
          // pass-through and plain TCP: the NLB forwards TCP; a TLS listener re-encrypts by default
          targetProtocol:
            transport === 'tls' && (nlb.listener ?? 'passthrough') === 'tls' ? (nlb.targetProtocol ?? 'tls') : 'tcp',
          cleartextReason: nlb.cleartextReason,
          targets: nlb.targets.map(
            (t): NlbTarget => ({
              ip: t.ip,
              port: t.port ?? nlb.targetPort ?? d.port,
              // an IP target outside the VPC (on premises, peered) must be registered in zone "all"
              availabilityZone: cidr && cidrContains(cidr, parseIpv4(t.ip) ?? -1) ? undefined : 'all',
            }),
          ),
        }
      : { kind: 'existing', host: d.target.existing?.host ?? '', egressCidrs: d.target.existing?.egressCidrs },
    processing: processing(d.processing, PROCESSING_DEFAULTS.syslog, { retentionSeconds }),
  };
}

function resolveNetwork(c: DeploymentConfigV1): Network | undefined {
  const n = c.network;
  if (!n) return undefined;
  if (n.vpc.create) {
    const nat = n.vpc.create.natGateways ?? 0;
    return {
      vpc: {
        kind: 'create',
        cidr: n.vpc.create.cidr,
        availabilityZones: n.vpc.create.availabilityZones,
        natGateways: nat,
      },
      interfaceEndpoints: n.interfaceEndpoints ?? nat === 0,
    };
  }
  const e = n.vpc.existing as NonNullable<typeof n.vpc.existing>;
  return {
    vpc: {
      kind: 'existing',
      vpcId: e.vpcId,
      cidr: e.cidr,
      availabilityZones: e.availabilityZones,
      privateSubnetIds: e.privateSubnetIds,
    },
    interfaceEndpoints: n.interfaceEndpoints ?? false,
  };
}

/**
 * The RelayConfig of a config that passed validation; relative paths in it (rules, CA) resolve
 * against the folder of `file`.
 */
function resolveConfig(
  c: DeploymentConfigV1,
  file: string,
  rules: ReturnType<typeof checkAlertRules> | undefined,
): RelayConfig {
  const vpcCidr = c.network?.vpc.create?.cidr ?? c.network?.vpc.existing?.cidr;
  const o = c.operations ?? {};
  const subscribers: Partial<Record<Channel, readonly string[]>> = {};
  for (const ch of CHANNELS) {
    const list = c.alerts?.subscribers[ch];
    if (list?.length) subscribers[ch] = list;
  }
  return {
    sourceFile: file,
    name: c.name,
    description: c.description,
    region: c.region,
    tags: c.tags ?? {},
    ingest: {
      producers: c.ingest.producers,
      producerRole: c.ingest.producerRole
        ? { trustedPrincipal: c.ingest.producerRole.trustedPrincipal, externalId: c.ingest.producerRole.externalId }
        : undefined,
      operators: c.ingest.operators ?? [],
      maxInputBytes: c.ingest.maxInputBytes,
      allowSecretFields: c.ingest.allowSecretFields ?? false,
      processing: processing(c.ingest.processing, PROCESSING_DEFAULTS.ingest),
      syslogEndpoint: resolveSyslogEndpoint(c.ingest.syslogEndpoint),
    },
    destinations: (c.destinations ?? []).map((d) =>
      resolveDestination(d, vpcCidr, dirname(file), (c.retention?.queueDays ?? DEFAULT_QUEUE_DAYS) * 86_400),
    ),
    network: resolveNetwork(c),
    alerts:
      c.alerts && rules
        ? {
            chatbot: c.alerts.chatbot ?? false,
            rules: {
              sourceFile: resolve(dirname(file), c.alerts.rulesFile),
              ruleCount: rules.ruleCount,
              smsDisplayName: rules.smsDisplayName,
            },
            subscribers,
            filter: c.alerts.filter,
            processing: processing(c.alerts.processing, PROCESSING_DEFAULTS.alerts),
          }
        : undefined,
    retention: {
      queueDays: c.retention?.queueDays ?? DEFAULT_QUEUE_DAYS,
      deadLetterQueueDays: c.retention?.deadLetterQueueDays ?? DEFAULT_DEAD_LETTER_QUEUE_DAYS,
      logDays: c.retention?.logDays ?? 90,
      archiveDays: c.retention?.archiveDays,
      keepDataOnDelete: c.retention?.keepDataOnDelete ?? true,
    },
    operations: {
      alarmEmails: o.alarmEmails ?? [],
      metricsNamespace: o.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
      logLevel: o.logLevel ?? 'INFO',
      runtime: o.runtime ?? DEFAULT_RUNTIME,
      tracing: o.tracing ?? false,
      accessLogs: o.accessLogs ?? true,
      dashboard: o.dashboard ?? true,
      alarms: {
        oldestMessageAgeSeconds: o.alarms?.oldestMessageAgeSeconds ?? 900,
        eventsFailedThreshold: o.alarms?.eventsFailedThreshold ?? 1,
        eventsFailedPeriods: o.alarms?.eventsFailedPeriods ?? 2,
        functionErrorsThreshold: o.alarms?.functionErrorsThreshold ?? 1,
        firehoseFreshnessSeconds: o.alarms?.firehoseFreshnessSeconds ?? 900,
      },
    },
  };
}

export { resolveConfig };
