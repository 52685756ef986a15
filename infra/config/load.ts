/**
 * Load the deployment config chosen with `-c config=PATH` (JSON, or YAML by extension): JSON Schema
 * first, then the cross-field rules the schema cannot express, then defaults. Every problem is
 * reported at once, each naming its field; nothing is deployed from a config with an issue.
 *
 * @example
 * ```ts
 * const config = loadConfig('examples/s3-archive.json'); // throws ConfigValidationError
 * ```
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_RETRY_BACKOFF,
  maxReceiveCountFor,
  type RetryBackoff,
  retryBackoffIssues,
} from '../../shared/config/retry-backoff.js';
import { checkAlertRules } from './alert-rules.js';
import { ConfigValidationError } from './errors.js';
import { cidrContains, parseCidr, parseIpv4 } from './ipv4.js';
import { schemaIssues } from './schema.js';
import {
  CHANNELS,
  type Channel,
  type DeploymentConfigV1,
  type Destination,
  type DestinationInput,
  type EventFilter,
  type FirehoseDestinationInput,
  type Format,
  type Network,
  type NlbTarget,
  type Processing,
  type ProcessingInput,
  type RelayConfig,
  type RenderOptions,
  type SyslogDestinationInput,
} from './types.js';

/** Per-consumer defaults: sized for the vault's event rates (tens per second at peak). */
/**
 * Batching per consumer, sized to what sits behind it (docs/performance.md §4): normalize waits
 * 1 s for up to 100 events (10 PublishBatch calls); Firehose buffers minutes before it writes to
 * S3 and up to 60 s for Splunk/HTTP, so deliver-firehose waits 10 s for up to 500 records (one
 * PutRecordBatch call); collectors and alerts want seconds (1 s and 2 s).
 */
const PROCESSING_DEFAULTS = {
  ingest: { batchSize: 100, maxBatchingWindowSeconds: 1, maxConcurrency: 10, memoryMb: 256, timeoutSeconds: 30 },
  firehose: { batchSize: 500, maxBatchingWindowSeconds: 10, maxConcurrency: 5, memoryMb: 256, timeoutSeconds: 60 },
  // each concurrent invocation holds one connection to the collector: keep it small
  syslog: { batchSize: 100, maxBatchingWindowSeconds: 1, maxConcurrency: 2, memoryMb: 256, timeoutSeconds: 60 },
  alerts: { batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 2, memoryMb: 256, timeoutSeconds: 30 },
} as const;

const DEFAULT_MAX_RECEIVE_COUNT = 5;
/** Firehose's longest retry for Splunk and HTTP endpoints (RetryOptions.DurationInSeconds, 0–7200):
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_SplunkRetryOptions.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_HttpEndpointRetryOptions.html */
const FIREHOSE_MAX_RETRY_SECONDS = 7_200;

/**
 * Where an NLB may send to an IP target outside its VPC: the RFC 1918 ranges and RFC 6598's
 * 100.64.0.0/10, nothing public.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-type
 */
const OUTSIDE_VPC_TARGET_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] as const;

/**
 * Retention defaults (days). SQS keeps a standard queue's message until its *original* enqueue
 * time plus the queue's retention, also after the message moved to a DLQ, so AWS recommends a
 * DLQ retention longer than its source queue's:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
 * Source queues keep 10 days (a 10-day outage is ridden out and resumes by itself); DLQs keep the
 * SQS maximum of 14, so a message parked at the last moment still stays 4 days (a long weekend) in
 * its DLQ for the operator to redrive, and one parked at once stays 14.
 */
const DEFAULT_QUEUE_DAYS = 10;
const DEFAULT_DEAD_LETTER_QUEUE_DAYS = 14;
/**
 * The newest Node.js Lambda runtime aws-cdk-lib 2.276.0 offers (`lambda.Runtime.NODEJS_24_X`);
 * nodejs22.x reaches end of support in April 2027:
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
const DEFAULT_RUNTIME = 'nodejs24.x' as const;
const DEFAULT_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Which render options each format reads (shared/render/index.ts). */
const RENDER_OPTION_FORMATS: Readonly<Record<keyof RenderOptions, readonly Format[]>> = {
  vendor: ['cef', 'rfc5424', 'leef', 'ecs'],
  product: ['cef', 'rfc5424', 'leef', 'ecs'],
  deviceVersion: ['cef', 'rfc5424', 'leef', 'ecs'],
  mode: ['cef', 'rfc5424'],
  maxBytes: ['cef', 'rfc5424', 'leef', 'ecs'],
  facility: ['rfc5424'],
  appName: ['rfc5424'],
  msg: ['rfc5424'],
  bom: ['rfc5424'],
  sdId: ['rfc5424'],
  delimiter: ['leef'],
};

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigValidationError(file, [`config: cannot read ${file}: ${(e as Error).message}`]);
  }
  const ext = extname(file).toLowerCase();
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text, { prettyErrors: true }) : JSON.parse(text);
  } catch (e) {
    throw new ConfigValidationError(file, [`config: cannot parse ${file}: ${(e as Error).message.split('\n')[0]}`]);
  }
}

// ---- cross-field rules --------------------------------------------------------------------------

/** The same checks shared/render runs at cold start, so a bad option fails the synth instead. */
function renderIssues(r: RenderOptions | undefined, format: Format, field: string): string[] {
  if (!r) return [];
  const out: string[] = [];
  for (const key of Object.keys(r) as Array<keyof RenderOptions>) {
    const formats = RENDER_OPTION_FORMATS[key];
    if (!formats.includes(format))
      out.push(`${field}.${key}: not used by format ${format} (used by ${formats.join(', ')})`);
  }
  for (const key of ['vendor', 'product', 'deviceVersion'] as const) {
    const v = r[key];
    if (v === undefined) continue;
    if (CONTROL.test(v)) out.push(`${field}.${key}: must not contain control characters`);
    else if (format === 'leef' && v.includes('|')) out.push(`${field}.${key}: must not contain | (LEEF header)`);
  }
  if (format === 'ecs' && r.maxBytes !== undefined && r.maxBytes < 256)
    out.push(`${field}.maxBytes: must be ≥ 256 for format ecs, got ${r.maxBytes}`);
  if (r.sdId !== undefined) {
    const at = r.sdId.indexOf('@');
    const ok =
      /^[\x21-\x7e]{1,32}$/.test(r.sdId) &&
      !/[= \]"]/.test(r.sdId) &&
      at > 0 &&
      /^\d+(\.\d+)*$/.test(r.sdId.slice(at + 1));
    if (!ok) out.push(`${field}.sdId: ${JSON.stringify(r.sdId)} is not a private SD-ID name@PEN (RFC 5424 §7.2.2)`);
  }
  if (r.delimiter !== undefined && (!/^[\x21-\x7e]$/.test(r.delimiter) || '=|\\'.includes(r.delimiter)))
    out.push(`${field}.delimiter: one printable ASCII character other than = | \\, got ${JSON.stringify(r.delimiter)}`);
  return out;
}

function filterIssues(f: EventFilter | undefined, field: string): string[] {
  if (!f) return [];
  const out: string[] = [];
  if (f.eventIds && f.excludeEventIds) out.push(`${field}: use eventIds or excludeEventIds, not both`);
  // SNS: at most 150 combinations of values across the policy's keys
  const combinations = [f.eventIds, f.excludeEventIds, f.categories, f.origins].reduce(
    (n, list) => n * (list?.length ?? 1),
    1,
  );
  if (combinations > 150)
    out.push(`${field}: ${combinations} value combinations exceed the SNS filter policy limit of 150`);
  return out;
}

function processingIssues(
  p: ProcessingInput | undefined,
  dflt: { batchSize: number; maxBatchingWindowSeconds: number; maxConcurrency: number },
  field: string,
  destination?: { retentionSeconds: number },
): string[] {
  if (!p) return [];
  const out: string[] = [];
  if (destination) {
    if (p.maxReceiveCount !== undefined)
      out.push(
        `${field}.maxReceiveCount: a destination's is derived from retention.queueDays and processing.backoff, so that an outage never moves events to the DLQ; tune processing.backoff instead`,
      );
    out.push(...retryBackoffIssues(backoffOf(p), destination.retentionSeconds, `${field}.backoff`));
  } else if (p.backoff !== undefined) {
    out.push(`${field}.backoff: only destinations back off (their queue's maxReceiveCount is derived from it)`);
  }
  const batch = p.batchSize ?? dflt.batchSize;
  const window = p.maxBatchingWindowSeconds ?? dflt.maxBatchingWindowSeconds;
  if (batch > 10 && window < 1)
    out.push(`${field}.maxBatchingWindowSeconds: must be ≥ 1 when batchSize is over 10 (SQS event source rule)`);
  const max = p.maxConcurrency ?? dflt.maxConcurrency;
  if (p.reservedConcurrency !== undefined && p.reservedConcurrency < max)
    out.push(`${field}.reservedConcurrency: must be ≥ maxConcurrency (${max}), or the event source is throttled`);
  return out;
}

function backoffOf(p: ProcessingInput | undefined): RetryBackoff {
  return {
    baseSeconds: p?.backoff?.baseSeconds ?? DEFAULT_RETRY_BACKOFF.baseSeconds,
    capSeconds: p?.backoff?.capSeconds ?? DEFAULT_RETRY_BACKOFF.capSeconds,
    jitter: DEFAULT_RETRY_BACKOFF.jitter,
  };
}

function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3];
}

function arnRegionIssue(arn: string | undefined, region: string | undefined, field: string, out: string[]): void {
  if (!arn || !region) return;
  const r = regionOfArn(arn);
  if (r && r !== region) out.push(`${field}: is in ${r}, but config.region is ${region}`);
}

function azIssues(azs: readonly string[], region: string | undefined, field: string): string[] {
  const out: string[] = [];
  const regions = new Set(azs.map((az) => az.slice(0, -1)));
  if (regions.size > 1) out.push(`${field}: zones from different regions (${[...regions].join(', ')})`);
  if (region && !regions.has(region)) out.push(`${field}: zones must be in config.region ${region}`);
  return out;
}

/** A CA bundle must hold certificates and nothing secret: it ships inside the function package. */
function pemIssues(pem: string, field: string): string[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    return [`${field}: contains a private key; give only the CA certificate(s)`];
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem))
    return [`${field}: not a PEM certificate`];
  return [];
}

function readCaFile(file: string, field: string, out: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    out.push(`${field}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return undefined;
  }
}

function syslogIssues(
  d: SyslogDestinationInput,
  field: string,
  vpcCidr: string | undefined,
  region: string | undefined,
  baseDir: string,
): string[] {
  const out: string[] = [];
  const transport = d.transport ?? 'tls';
  // TLS to whom: the NLB's listener (tls) or, passed through on a TCP listener, the collector (relp)
  const tls = transport === 'tls' || (transport === 'relp' && d.relp?.tls !== false);
  if (d.relp !== undefined && transport !== 'relp') out.push(`${field}.relp: only used with transport relp`);
  if (d.framing !== undefined && transport === 'relp')
    out.push(`${field}.framing: not used with transport relp (RELP frames each event itself)`);
  if (d.ca) {
    if (!tls)
      out.push(
        `${field}.ca: only used with transport tls${transport === 'relp' ? ' or relp over TLS' : ''} (got ${transport})`,
      );
    const pem = d.ca.file !== undefined ? readCaFile(resolve(baseDir, d.ca.file), `${field}.ca.file`, out) : d.ca.pem;
    if (pem !== undefined)
      out.push(...pemIssues(pem, d.ca.file !== undefined ? `${field}.ca.file` : `${field}.ca.pem`));
  }
  if (d.servername !== undefined && !tls)
    out.push(`${field}.servername: only used with transport tls${transport === 'relp' ? ' or relp over TLS' : ''}`);
  if (d.maxDatagramBytes !== undefined && transport !== 'udp')
    out.push(`${field}.maxDatagramBytes: only used with transport udp`);
  if (d.framing !== undefined && transport === 'udp')
    out.push(`${field}.framing: not used with transport udp (one message per datagram)`);
  const nlb = d.target.nlb;
  if (nlb) {
    const f = `${field}.target.nlb`;
    if (transport === 'udp')
      out.push(`${f}: a new NLB is created for transport tls or tcp; for udp use target.existing`);
    const listener = nlb.listener ?? 'passthrough';
    if (transport !== 'tls') {
      for (const k of ['listener', 'certificateArn', 'sslPolicy', 'targetProtocol', 'cleartextReason'] as const)
        if (nlb[k] !== undefined)
          out.push(
            `${f}.${k}: only used with transport tls${transport === 'relp' ? ' (RELP passes through the NLB on a TCP listener; TLS ends at the collector)' : ''}`,
          );
    } else if (listener === 'tls') {
      if (!nlb.certificateArn)
        out.push(`${f}.certificateArn: is required with listener tls (the certificate the NLB presents)`);
      if (d.servername === undefined)
        out.push(
          `${field}.servername: is required with a TLS listener: the function checks the listener's certificate against this name, and the NLB's own internal-….elb.amazonaws.com name is not in it, so every handshake would fail`,
        );
      if ((nlb.targetProtocol ?? 'tls') === 'tcp' && !nlb.cleartextReason)
        out.push(
          `${f}.cleartextReason: is required with targetProtocol tcp: say why events may cross the NLB-to-collector leg unencrypted (or use targetProtocol tls, the default)`,
        );
      if ((nlb.targetProtocol ?? 'tls') === 'tls' && nlb.cleartextReason !== undefined)
        out.push(`${f}.cleartextReason: only used with targetProtocol tcp`);
    } else {
      // pass-through: TLS runs between the function and the collector
      for (const k of ['certificateArn', 'sslPolicy', 'targetProtocol', 'cleartextReason'] as const)
        if (nlb[k] !== undefined)
          out.push(
            `${f}.${k}: only used with listener tls; the default listener passes TLS through to the collector (set listener: "tls" to terminate TLS at the NLB)`,
          );
      if (d.servername === undefined)
        out.push(
          `${field}.servername: is required for a TLS pass-through NLB: the function verifies the collector's certificate against this name (the NLB's internal-….elb.amazonaws.com name is not in it)`,
        );
    }
    if (transport === 'relp' && tls && d.servername === undefined)
      out.push(
        `${field}.servername: is required for relp over TLS through a new NLB (the function connects to the NLB's DNS name; the collector's certificate carries its own name)`,
      );
    arnRegionIssue(nlb.certificateArn, region, `${f}.certificateArn`, out);
    const seen = new Set<string>();
    const vpc = vpcCidr ? parseCidr(vpcCidr) : undefined;
    const privateRanges = OUTSIDE_VPC_TARGET_RANGES.map(
      (c) => parseCidr(c) as NonNullable<ReturnType<typeof parseCidr>>,
    );
    nlb.targets.forEach((t, i) => {
      const ip = parseIpv4(t.ip);
      if (ip === undefined) out.push(`${f}.targets[${i}].ip: invalid IPv4 address ${JSON.stringify(t.ip)}`);
      else if (!(vpc && cidrContains(vpc, ip)) && !privateRanges.some((c) => cidrContains(c, ip)))
        out.push(
          `${f}.targets[${i}].ip: ${t.ip} is outside the VPC${vpcCidr ? ` (${vpcCidr})` : ''} and not in ${OUTSIDE_VPC_TARGET_RANGES.join(', ')}: an NLB accepts IP targets outside its VPC only from these ranges (CloudFormation would fail the deploy)`,
        );
      const key = `${t.ip}:${t.port ?? nlb.targetPort ?? d.port}`;
      if (seen.has(key)) out.push(`${f}.targets[${i}]: duplicate target ${key}`);
      seen.add(key);
    });
  }
  const existing = d.target.existing;
  existing?.egressCidrs?.forEach((c, i) => {
    if (!parseCidr(c)) out.push(`${field}.target.existing.egressCidrs[${i}]: invalid IPv4 CIDR ${JSON.stringify(c)}`);
  });
  if (existing && !existing.egressCidrs && !vpcCidr) {
    out.push(`${field}.target.existing.egressCidrs: is required when the VPC CIDR is unknown`);
  }
  return out;
}

function firehoseIssues(
  d: FirehoseDestinationInput,
  field: string,
  region: string | undefined,
  freshness: number,
): string[] {
  const out: string[] = [];
  const t = d.delivery;
  if (t.type === 'splunk' && d.aggregate === true)
    out.push(`${field}.aggregate: Splunk needs one event per Firehose record; remove it or set false`);
  if (t.type === 'splunk' || t.type === 'http') {
    const secret = t.type === 'splunk' ? t.hecTokenSecretArn : t.accessKeySecretArn;
    arnRegionIssue(
      secret,
      region,
      `${field}.delivery.${t.type === 'splunk' ? 'hecTokenSecretArn' : 'accessKeySecretArn'}`,
      out,
    );
    arnRegionIssue(t.secretKmsKeyArn, region, `${field}.delivery.secretKmsKeyArn`, out);
    if (t.secretKmsKeyArn && !secret) out.push(`${field}.delivery.secretKmsKeyArn: only used with accessKeySecretArn`);
  }
  const buffering = t.bufferingSeconds ?? (t.type === 's3' ? 300 : 60);
  if (freshness <= buffering + 60)
    out.push(
      `config.operations.alarms.firehoseFreshnessSeconds: ${freshness} s would alarm on normal buffering of ${field} (${buffering} s); use more than ${buffering + 60}`,
    );
  return out;
}

function crossFieldIssues(
  c: DeploymentConfigV1,
  baseDir: string,
): { issues: string[]; rules?: ReturnType<typeof checkAlertRules> } {
  const out: string[] = [];
  const destinations = c.destinations ?? [];
  const region = c.region;
  if (destinations.length === 0 && !c.alerts)
    out.push('config.destinations: add at least one destination (or config.alerts): the relay would deliver nothing');

  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const prefixes = new Map<string, string>();
  const freshness = c.operations?.alarms?.firehoseFreshnessSeconds ?? 900;
  const vpcCidr = c.network?.vpc.create?.cidr ?? c.network?.vpc.existing?.cidr;
  destinations.forEach((d: DestinationInput, i) => {
    const field = `config.destinations[${i}]`;
    const key = d.name.toLowerCase();
    const first = names.get(key);
    if (first !== undefined) out.push(`${field}.name: "${d.name}" is already used by config.destinations[${first}]`);
    else names.set(key, i);
    // resource ids derive from the id: two ids differing only in case would be one destination's
    const id = (d.id ?? d.name).toLowerCase();
    const firstId = ids.get(id);
    if (firstId !== undefined)
      out.push(
        `${field}.id: "${d.id ?? d.name}" is already the id of config.destinations[${firstId}] (the id defaults to the name)`,
      );
    else ids.set(id, i);
    out.push(...renderIssues(d.render, d.format, `${field}.render`));
    out.push(...filterIssues(d.filter, `${field}.filter`));
    const retentionSeconds = (c.retention?.queueDays ?? DEFAULT_QUEUE_DAYS) * 86_400;
    if (d.type === 'firehose') {
      out.push(
        ...processingIssues(d.processing, PROCESSING_DEFAULTS.firehose, `${field}.processing`, { retentionSeconds }),
      );
      out.push(...firehoseIssues(d, field, region, freshness));
      const dId = d.id ?? d.name;
      const prefix = d.delivery.type === 's3' ? (d.delivery.prefix ?? `${dId}/`) : `${dId}-failed/`;
      const other = prefixes.get(prefix);
      if (other) out.push(`${field}: archive prefix ${prefix} is already used by ${other}`);
      prefixes.set(prefix, field);
    } else {
      out.push(
        ...processingIssues(d.processing, PROCESSING_DEFAULTS.syslog, `${field}.processing`, { retentionSeconds }),
      );
      out.push(...syslogIssues(d, field, vpcCidr, region, baseDir));
    }
  });

  const syslog = destinations.findIndex((d) => d.type === 'syslog');
  if (syslog >= 0 && !c.network)
    out.push(
      `config.network: is required: config.destinations[${syslog}] is a syslog destination (deliver-syslog runs in a VPC)`,
    );
  if (syslog < 0 && c.network) out.push('config.network: only syslog destinations use it; remove it');

  const vpc = c.network?.vpc;
  if (vpc?.create) {
    const f = 'config.network.vpc.create';
    const cidr = parseCidr(vpc.create.cidr);
    if (!cidr) out.push(`${f}.cidr: invalid IPv4 CIDR ${JSON.stringify(vpc.create.cidr)}`);
    else if (cidr.prefix < 16 || cidr.prefix > 24) out.push(`${f}.cidr: prefix must be /16–/24, got /${cidr.prefix}`);
    out.push(...azIssues(vpc.create.availabilityZones, region, `${f}.availabilityZones`));
    if ((vpc.create.natGateways ?? 0) > vpc.create.availabilityZones.length)
      out.push(`${f}.natGateways: at most one per availability zone (${vpc.create.availabilityZones.length})`);
  }
  if (vpc?.existing) {
    const f = 'config.network.vpc.existing';
    if (!parseCidr(vpc.existing.cidr)) out.push(`${f}.cidr: invalid IPv4 CIDR ${JSON.stringify(vpc.existing.cidr)}`);
    out.push(...azIssues(vpc.existing.availabilityZones, region, `${f}.availabilityZones`));
    if (vpc.existing.privateSubnetIds.length !== vpc.existing.availabilityZones.length)
      out.push(
        `${f}.privateSubnetIds: one subnet per availability zone, in the same order (${vpc.existing.privateSubnetIds.length} subnets, ${vpc.existing.availabilityZones.length} zones)`,
      );
  }
  if (c.network?.interfaceEndpoints === false && vpc?.create && (vpc.create.natGateways ?? 0) === 0)
    out.push('config.network.interfaceEndpoints: a new VPC without NAT gateways needs them to reach SQS and SSM');

  out.push(...processingIssues(c.ingest.processing, PROCESSING_DEFAULTS.ingest, 'config.ingest.processing'));

  const queueDays = c.retention?.queueDays ?? DEFAULT_QUEUE_DAYS;
  const dlqDays = c.retention?.deadLetterQueueDays ?? DEFAULT_DEAD_LETTER_QUEUE_DAYS;
  if (queueDays >= dlqDays)
    out.push(
      `config.retention.queueDays: ${queueDays} must be less than retention.deadLetterQueueDays (${dlqDays}): a message keeps its original enqueue time in the DLQ, so with equal retention one parked late expires there at once`,
    );

  let rules: ReturnType<typeof checkAlertRules> | undefined;
  if (c.alerts) {
    out.push(...filterIssues(c.alerts.filter, 'config.alerts.filter'));
    out.push(...processingIssues(c.alerts.processing, PROCESSING_DEFAULTS.alerts, 'config.alerts.processing'));
    const subscribed = new Set(CHANNELS.filter((ch) => (c.alerts?.subscribers[ch]?.length ?? 0) > 0));
    // AWS Chatbot subscribes itself to the chat topic
    if (c.alerts.chatbot) subscribed.add('chat');
    rules = checkAlertRules(resolve(baseDir, c.alerts.rulesFile), 'config.alerts.rulesFile', subscribed);
    out.push(...rules.issues);
  }
  return rules ? { issues: out, rules } : { issues: out };
}

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
 * Load, validate and resolve a deployment config file.
 * @throws ConfigValidationError listing every issue as `config.<field>: <message>`
 */
function loadConfig(path: string): RelayConfig {
  const file = resolve(path);
  return parseConfig(readDocument(file), file);
}

/**
 * Validate and resolve a config document; relative paths in it (rules, CA) resolve against the
 * folder of `file`.
 * @throws ConfigValidationError listing every issue as `config.<field>: <message>`
 */
function parseConfig(doc: unknown, file: string): RelayConfig {
  const schema = schemaIssues(doc);
  if (schema.length) throw new ConfigValidationError(file, schema);
  const c = doc as DeploymentConfigV1;
  const { issues, rules } = crossFieldIssues(c, dirname(file));
  if (issues.length) throw new ConfigValidationError(file, issues);

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
      metricsNamespace: o.metricsNamespace ?? 'SeguraRelay',
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

export {
  DEFAULT_DEAD_LETTER_QUEUE_DAYS,
  DEFAULT_QUEUE_DAYS,
  DEFAULT_RUNTIME,
  loadConfig,
  PROCESSING_DEFAULTS,
  parseConfig,
};
