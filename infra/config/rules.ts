/**
 * The deployment config's cross-field rules: what the JSON Schema cannot express (a field that only
 * matters with another, AWS limits across fields, unique names, files the config points at). Every
 * issue names its field; the caller reports them all at once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOptionIssues } from '../../shared/config/render-options.js';
import { retryBackoffIssues } from '../../shared/config/retry-backoff.js';
import { errorMessage } from '../../shared/errors.js';
import { checkAlertRules } from './alert-rules.js';
import { backoffOf, DEFAULT_DEAD_LETTER_QUEUE_DAYS, DEFAULT_QUEUE_DAYS, PROCESSING_DEFAULTS } from './defaults.js';
import { syslogEndpointIssues } from './ingest-endpoint.js';
import { cidrContains, parseCidr, parseIpv4 } from './ipv4.js';
import {
  CHANNELS,
  type DeploymentConfigV1,
  type DestinationInput,
  type EventFilter,
  type FirehoseDestinationInput,
  type ProcessingInput,
  type SyslogDestinationInput,
} from './types.js';

/**
 * Where an NLB may send to an IP target outside its VPC: the RFC 1918 ranges and RFC 6598's
 * 100.64.0.0/10, nothing public.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-type
 */
const OUTSIDE_VPC_TARGET_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'] as const;

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
    out.push(`${field}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
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
    out.push(...renderOptionIssues(d.render, d.format, `${field}.render`));
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
  if (syslog < 0 && c.network && !c.ingest.syslogEndpoint)
    out.push('config.network: only syslog destinations and ingest.syslogEndpoint use it; remove it');
  if (c.ingest.syslogEndpoint)
    out.push(
      ...syslogEndpointIssues(
        c.ingest.syslogEndpoint,
        (c.network?.vpc.create ?? c.network?.vpc.existing)?.availabilityZones.length,
      ),
    );

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

export { crossFieldIssues };
