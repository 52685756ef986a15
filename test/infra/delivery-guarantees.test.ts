/**
 * The synth-time rules that make the delivery guarantees hold in AWS (issue 10): queue redrive
 * sized for long outages, NLB TLS modes, off-VPC targets CloudFormation accepts, Firehose retry
 * duration. Each rule is asserted on the template or on the config error that names the field.
 */
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../infra/config/errors.js';
import { FIREHOSE_ERROR_PARTITIONS } from '../../shared/config/firehose-backup.js';
import { DEFAULT_RETRY_BACKOFF, maxReceiveCountFor, receivesWithin } from '../../shared/config/retry-backoff.js';
import { STACK_OUTPUT } from '../../shared/config/stack-outputs.js';
import { ENV } from '../../shared/contracts/index.js';
import { example, exampleDoc, idOf, type Json, parseInExamples, resources, synthConfig } from './helpers.js';

function issuesOf(doc: Json): readonly string[] {
  try {
    parseInExamples(doc);
    return [];
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.issues;
    throw e;
  }
}

function syslogNlb(edit: (d: Json) => void): Json {
  const doc = structuredClone(exampleDoc('syslog-tls-new-nlb.json'));
  edit(doc.destinations[0]);
  return doc;
}

describe('long outages: maxReceiveCount derived from retention and backoff', () => {
  it('a destination queue allows the receives 10 days (the default retention) of backoff can take (655), ingest and alerts keep 5', () => {
    expect(receivesWithin(10 * 86_400, DEFAULT_RETRY_BACKOFF)).toBe(605);
    const { template: t } = example('full.json');
    const queues = resources(t, 'AWS::SQS::Queue');
    const rp = (re: RegExp) => queues[idOf(t, 'AWS::SQS::Queue', re)]?.Properties?.RedrivePolicy;
    expect(rp(/^SyslogcollectorsQueue[0-9A-F]{8}$/).maxReceiveCount).toBe(655);
    expect(rp(/^FirehosesplunkQueue[0-9A-F]{8}$/).maxReceiveCount).toBe(655);
    expect(rp(/^IngestQueueIngestQueue[0-9A-F]{8}$/).maxReceiveCount).toBe(5);
    expect(rp(/^AlertsQueue[0-9A-F]{8}$/).maxReceiveCount).toBe(5);
  });

  it('shorter retention, shorter limit; the delivery function gets the same backoff and its queue URL', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.retention.queueDays = 4;
    doc.destinations[0].processing = { backoff: { baseSeconds: 20, capSeconds: 3_600 } };
    const t = synthConfig(parseInExamples(doc)).template;
    const q = idOf(t, 'AWS::SQS::Queue', /^FirehosearchiveQueue[0-9A-F]{8}$/);
    const backoff = { baseSeconds: 20, capSeconds: 3_600, jitter: 0.2 };
    expect(resources(t, 'AWS::SQS::Queue')[q]?.Properties?.RedrivePolicy.maxReceiveCount).toBe(
      maxReceiveCountFor(4 * 86_400, backoff),
    );
    const env = resources(t, 'AWS::Lambda::Function')[
      idOf(t, 'AWS::Lambda::Function', 'FirehosearchiveDeliverFunction')
    ]?.Properties?.Environment.Variables;
    expect(JSON.parse(env[ENV.retryBackoff])).toEqual(backoff);
    expect(env[ENV.sourceQueueUrl]).toEqual({ Ref: q });
  });

  it('rejects a backoff too short for the retention (over the SQS limit of 1000) and a hand-set maxReceiveCount', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.destinations[0].processing = { backoff: { capSeconds: 600 }, maxReceiveCount: 10 };
    const issues = issuesOf(doc);
    expect(issues).toContain(
      "config.destinations[0].processing.maxReceiveCount: a destination's is derived from retention.queueDays and processing.backoff, so that an outage never moves events to the DLQ; tune processing.backoff instead",
    );
    expect(
      issues.some((i) =>
        /^config\.destinations\[0\]\.processing\.backoff\.capSeconds: 600 s backs off too little/.test(i),
      ),
    ).toBe(true);
  });
});

describe('syslog through a new NLB: the collector confirms, not the NLB', () => {
  it('defaults to a TCP pass-through listener and TCP targets; the function verifies the collector by servername', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    const [listener] = Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::Listener'));
    expect(listener?.Properties).toMatchObject({ Protocol: 'TCP', Port: 6514 });
    expect(listener?.Properties?.Certificates).toBeUndefined();
    const [tg] = Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(tg?.Properties?.Protocol).toBe('TCP');
    const env = resources(t, 'AWS::Lambda::Function')[
      idOf(t, 'AWS::Lambda::Function', 'SyslogcollectorsDeliverFunction')
    ]?.Properties?.Environment.Variables;
    const text = (env[ENV.destination]['Fn::Join'][1] as Json[])
      .map((p) => (typeof p === 'string' ? p : 'NLB'))
      .join('');
    expect(JSON.parse(text)).toMatchObject({ transport: 'tls', host: 'NLB', servername: 'syslog.example.com' });
  });

  it('a TLS listener without servername is a synth error naming the field', () => {
    const doc = syslogNlb((d) => {
      delete d.servername;
      d.target.nlb.listener = 'tls';
      d.target.nlb.certificateArn =
        'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000';
    });
    expect(issuesOf(doc)).toEqual([
      "config.destinations[0].servername: is required with a TLS listener: the function checks the listener's certificate against this name, and the NLB's own internal-….elb.amazonaws.com name is not in it, so every handshake would fail",
    ]);
  });

  it('pass-through without servername is an error too (the NLB name is not in the collector certificate)', () => {
    expect(issuesOf(syslogNlb((d) => delete d.servername))).toEqual([
      "config.destinations[0].servername: is required for a TLS pass-through NLB: the function verifies the collector's certificate against this name (the NLB's internal-….elb.amazonaws.com name is not in it)",
    ]);
  });

  it('a TLS listener re-encrypts to the targets; cleartext needs a reason, which the template then carries', () => {
    const tlsListener = (edit: (nlb: Json) => void) =>
      syslogNlb((d) => {
        d.target.nlb.listener = 'tls';
        d.target.nlb.certificateArn =
          'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000';
        edit(d.target.nlb);
      });
    const reencrypt = synthConfig(parseInExamples(tlsListener(() => undefined))).template;
    expect(
      Object.values(resources(reencrypt, 'AWS::ElasticLoadBalancingV2::TargetGroup'))[0]?.Properties?.Protocol,
    ).toBe('TLS');
    expect(issuesOf(tlsListener((nlb) => Object.assign(nlb, { targetProtocol: 'tcp' })))).toEqual([
      'config.destinations[0].target.nlb.cleartextReason: is required with targetProtocol tcp: say why events may cross the NLB-to-collector leg unencrypted (or use targetProtocol tls, the default)',
    ]);
    const cleartext = parseInExamples(
      tlsListener((nlb) =>
        Object.assign(nlb, {
          targetProtocol: 'tcp',
          cleartextReason: 'collectors on the same host as a TLS-terminating stunnel',
        }),
      ),
    );
    expect(cleartext.destinations[0]).toMatchObject({ target: { listener: 'tls', targetProtocol: 'tcp' } });
    const t = synthConfig(cleartext).template;
    expect(Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup'))[0]?.Properties?.Protocol).toBe(
      'TCP',
    );
  });

  it('certificateArn without listener tls is refused (pass-through presents the collector certificate)', () => {
    const issues = issuesOf(
      syslogNlb((d) => {
        d.target.nlb.certificateArn =
          'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000';
      }),
    );
    expect(issues).toEqual([
      'config.destinations[0].target.nlb.certificateArn: only used with listener tls; the default listener passes TLS through to the collector (set listener: "tls" to terminate TLS at the NLB)',
    ]);
  });
});

describe('NLB IP targets outside the VPC must be private', () => {
  it.each([
    ['8.8.8.8', false],
    ['203.0.113.5', false],
    ['172.32.0.1', false],
    ['100.128.0.1', false],
    ['10.9.0.1', true],
    ['172.31.255.254', true],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
  ])('%s outside the VPC: accepted %s', (ip, ok) => {
    const issues = issuesOf(syslogNlb((d) => d.target.nlb.targets.push({ ip })));
    if (ok) expect(issues).toEqual([]);
    else
      expect(issues).toEqual([
        `config.destinations[0].target.nlb.targets[2].ip: ${ip} is outside the VPC (10.42.0.0/24) and not in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10: an NLB accepts IP targets outside its VPC only from these ranges (CloudFormation would fail the deploy)`,
      ]);
  });
});

describe('Firehose: retry duration set explicitly', () => {
  it('Splunk and HTTP endpoint retry for the maximum 7200 s by default', () => {
    for (const [file, key] of [
      ['splunk-hec.json', 'SplunkDestinationConfiguration'],
      ['http-endpoint.json', 'HttpEndpointDestinationConfiguration'],
    ] as const) {
      const [stream] = Object.values(resources(example(file).template, 'AWS::KinesisFirehose::DeliveryStream'));
      expect(stream?.Properties?.[key].RetryOptions, file).toEqual({ DurationInSeconds: 7200 });
    }
  });

  it('comes from the config, within Firehose range 0–7200', () => {
    const doc = structuredClone(exampleDoc('splunk-hec.json'));
    doc.destinations[0].delivery.retrySeconds = 3600;
    const [stream] = Object.values(
      resources(synthConfig(parseInExamples(doc)).template, 'AWS::KinesisFirehose::DeliveryStream'),
    );
    expect(stream?.Properties?.SplunkDestinationConfiguration.RetryOptions).toEqual({ DurationInSeconds: 3600 });
    doc.destinations[0].delivery.retrySeconds = 7201;
    expect(issuesOf(doc)).toEqual([
      'config.destinations[0].delivery.retrySeconds: must be an integer 0–7200, got 7201',
    ]);
  });
});

describe('what redrive --from-s3 and doctor rely on', () => {
  it('failed Splunk/HTTP records land where the Firehose double writes them: <name>-failed/ + the shared error partitions', () => {
    for (const [file, key, prefix] of [
      ['splunk-hec.json', 'SplunkDestinationConfiguration', 'splunk-failed/'],
      ['http-endpoint.json', 'HttpEndpointDestinationConfiguration', 'siem-intake-failed/'],
    ] as const) {
      const [stream] = Object.values(resources(example(file).template, 'AWS::KinesisFirehose::DeliveryStream'));
      const s3 = stream?.Properties?.[key].S3Configuration;
      expect(s3.ErrorOutputPrefix, file).toBe(`${prefix}${FIREHOSE_ERROR_PARTITIONS}`);
      expect(s3.CompressionFormat, file).toBe('GZIP');
      expect(stream?.Properties?.[key].S3BackupMode, file).toMatch(/^Failed/);
    }
  });

  it('the stack outputs name every resource doctor checks (functions, queues, DLQs, failed-records prefix)', () => {
    const { template: t, stack } = example('full.json');
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    const resolved = (k: string) => JSON.stringify(stack.resolve(outputs[k]?.Value));
    expect(outputs[STACK_OUTPUT.relayName]?.Value).toBe('segura-relay-prod');
    expect(resolved(STACK_OUTPUT.normalizeFunctionName)).toContain(
      idOf(t, 'AWS::Lambda::Function', 'NormalizeFunction'),
    );
    expect(resolved(STACK_OUTPUT.notificationDeadLetterQueueUrl)).toContain('NotificationDeadLetterQueue');
    for (const k of [
      STACK_OUTPUT.alertsQueueUrl,
      STACK_OUTPUT.alertsDeadLetterQueueUrl,
      STACK_OUTPUT.alertsFunctionName,
    ])
      expect(outputs[k], k).toBeDefined();
    const destinations = Object.keys(outputs).filter((k) => /^Destination\d+$/.test(k));
    expect(destinations).toHaveLength(stack.deliveries.length);
    const splunk = resolved(`Destination${stack.deliveries.findIndex((d) => d.name === 'splunk') + 1}`);
    for (const field of ['name', 'kind', 'queueUrl', 'deadLetterQueueUrl', 'functionName', 'failedRecords'])
      expect(splunk, field).toContain(`\\"${field}\\":`);
    expect(splunk).toContain('/splunk-failed/');
    expect(splunk).toContain(idOf(t, 'AWS::S3::Bucket', 'ArchiveBucket'));
  });
});
