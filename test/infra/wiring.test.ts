/**
 * The stack fits the runtime contract: the same entry points `npm start` runs, the environment
 * each function reads (shared/contracts/index.ts), its DESTINATION as shared/config/destination.ts
 * parses it, and the config options that change the stack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { firehoseDestination, syslogDestination } from '../../shared/config/destination.js';
import { ENV } from '../../shared/contracts/index.js';
import {
  EXAMPLES,
  example,
  exampleDoc,
  idOf,
  type Json,
  parseInExamples,
  ROOT,
  resources,
  synthConfig,
} from './helpers.js';

/** An environment value with CloudFormation references shown as `<LogicalId>`. */
function envText(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, Json>;
  if (o.Ref) return `<${o.Ref}>`;
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(envText).join(o['Fn::Join'][0]);
  if (o['Fn::Select']) return `select(${o['Fn::Select'][0]}, ${envText(o['Fn::Select'][1])})`;
  if (o['Fn::Split']) return `split(${o['Fn::Split'][0]}, ${envText(o['Fn::Split'][1])})`;
  throw new Error(`unexpected value ${JSON.stringify(v)}`);
}

function envOf(t: ReturnType<typeof example>['template'], fnPrefix: string): Record<string, string> {
  const fn = resources(t, 'AWS::Lambda::Function')[idOf(t, 'AWS::Lambda::Function', fnPrefix)];
  return Object.fromEntries(
    Object.entries(fn?.Properties?.Environment.Variables ?? {}).map(([k, v]) => [k, envText(v)]),
  );
}

describe('same code as npm start', () => {
  it('deploys the four functions/<name>/handler.ts entries, which the local runner builds from the same factories', () => {
    const { stack } = example('full.json');
    const entries = new Set(
      [stack.normalize, ...stack.deliveries.map((d) => d.fn), stack.alerts?.fn].map((f) => f?.entry),
    );
    expect([...entries].sort()).toEqual([
      'functions/deliver-firehose/handler.ts',
      'functions/deliver-syslog/handler.ts',
      'functions/evaluate-alerts/handler.ts',
      'functions/normalize/handler.ts',
    ]);
    const factories = {
      normalize: 'createNormalizeHandler',
      'deliver-firehose': 'createFirehoseHandler',
      'deliver-syslog': 'createSyslogHandler',
    } as const;
    const local = readFileSync(join(ROOT, 'local', 'relay.ts'), 'utf8');
    for (const [name, factory] of Object.entries(factories)) {
      const handler = readFileSync(join(ROOT, 'functions', name, 'handler.ts'), 'utf8');
      // normalize's entry passes the event id key it read at INIT (functions/normalize/handler.ts)
      expect(handler).toContain(
        name === 'normalize' ? `${factory}(process.env, { eventIdKey })` : `${factory}(process.env)`,
      );
      expect(local).toContain(`import { ${factory} } from '../functions/${name}/app.js'`);
    }
  });
});

describe('environment per function (full.json)', () => {
  const { template: t } = example('full.json');

  it('normalize: events topic, its own DLQ, input size, Powertools settings', () => {
    expect(envOf(t, 'NormalizeFunction')).toEqual({
      [ENV.eventsTopicArn]: `<${idOf(t, 'AWS::SNS::Topic', 'EventsTopic')}>`,
      [ENV.deadLetterQueueUrl]: `<${idOf(t, 'AWS::SQS::Queue', 'IngestQueueIngestDeadLetterQueue')}>`,
      [ENV.maxInputBytes]: '262144',
      [ENV.eventIdKeySecretArn]: `<${idOf(t, 'AWS::SecretsManager::Secret', 'EventIdKey')}>`,
      POWERTOOLS_SERVICE_NAME: 'segura-relay-prod-normalize',
      POWERTOOLS_METRICS_NAMESPACE: 'SeguraRelay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('deliver-firehose: a DESTINATION the runtime parser accepts, naming its stream', () => {
    const env = envOf(t, 'FirehosesplunkDeliverFunction');
    const stream = idOf(t, 'AWS::KinesisFirehose::DeliveryStream', 'FirehosesplunkStream');
    expect(JSON.parse(env[ENV.destination] as string)).toEqual({
      name: 'splunk',
      deliveryStreamName: `<${stream}>`,
      format: 'cef',
      aggregate: false,
      render: { mode: 'compatible' },
    });
    const d = firehoseDestination(env[ENV.destination]?.replace(`<${stream}>`, 'relay-splunk-stream'));
    expect(d).toMatchObject({
      name: 'splunk',
      deliveryStreamName: 'relay-splunk-stream',
      aggregate: false,
      format: 'cef',
    });
    expect(env[ENV.deadLetterQueueUrl]).toBe(`<${idOf(t, 'AWS::SQS::Queue', 'FirehosesplunkQueueDeadLetterQueue')}>`);
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('segura-relay-prod-deliver-firehose');
  });

  it('deliver-syslog: the NLB host, the bundled CA file, SNI; accepted by the runtime parser', () => {
    const env = envOf(t, 'SyslogcollectorsDeliverFunction');
    const nlb = idOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'SyslogcollectorsEndpointLoadBalancer');
    const destination = JSON.parse(env[ENV.destination] as string);
    expect(destination).toEqual({
      name: 'collectors',
      transport: 'tls',
      host: `<${nlb}.DNSName>`,
      port: 6514,
      framing: 'octet',
      format: 'rfc5424',
      render: { sdId: 'segura@32473', maxBytes: 4096 },
      ca: { file: '/var/task/collector-ca.pem' },
      servername: 'syslog.corp.example.com',
    });
    const d = syslogDestination(
      JSON.stringify({ ...destination, host: 'internal-relay-nlb.elb.us-east-1.amazonaws.com' }),
    );
    expect(d).toMatchObject({
      transport: 'tls',
      port: 6514,
      caFile: '/var/task/collector-ca.pem',
      servername: 'syslog.corp.example.com',
    });
  });

  it('evaluate-alerts: the bundled rules file, the throttle table, one topic per subscribed channel', () => {
    const env = envOf(t, 'AlertsEvaluateFunction');
    expect(env[ENV.alertRulesFile]).toBe('/var/task/alert-rules.json');
    expect(env[ENV.throttleTableName]).toBe(`<${idOf(t, 'AWS::DynamoDB::Table', 'ThrottleTable')}>`);
    expect(JSON.parse(env[ENV.alertTopicArns] as string)).toEqual({
      sms: `<${idOf(t, 'AWS::SNS::Topic', 'AlertTopicsSms')}>`,
      email: `<${idOf(t, 'AWS::SNS::Topic', 'AlertTopicsEmail')}>`,
      chat: `<${idOf(t, 'AWS::SNS::Topic', 'AlertTopicsChat')}>`,
      ticket: `<${idOf(t, 'AWS::SNS::Topic', 'AlertTopicsTicket')}>`,
    });
    expect(env[ENV.deadLetterQueueUrl]).toBe(`<${idOf(t, 'AWS::SQS::Queue', 'AlertsQueueDeadLetterQueue')}>`);
  });

  it('deliver-syslog to an existing NLB: its DNS name, LF framing', () => {
    const { template } = example('syslog-existing-nlb.json');
    const destination = JSON.parse(envOf(template, 'SyslogqradarDeliverFunction')[ENV.destination] as string);
    expect(destination).toMatchObject({
      host: 'internal-qradar-collectors-0123456789.us-east-1.elb.amazonaws.com',
      format: 'leef',
      framing: 'lf',
    });
    expect(() => syslogDestination(JSON.stringify(destination))).not.toThrow();
  });
});

describe('event routing', () => {
  it('a destination filter becomes the subscription filter policy', () => {
    const { template: t } = example('full.json');
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [idOf(t, 'AWS::SQS::Queue', /^FirehosesplunkQueue[0-9A-F]{8}$/), 'Arn'] },
      FilterPolicy: { severity: [{ numeric: ['>=', 3] }] },
    });
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.destinations[0].filter = { eventIds: ['164', '336.501'], categories: ['Credentials'], origins: ['COSE'] };
    synthConfig(parseInExamples(doc)).template.hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { eventId: ['164', '336.501'], category: ['Credentials'], origin: ['COSE'] },
    });
    doc.destinations[0].filter = { excludeEventIds: ['1'] };
    synthConfig(parseInExamples(doc)).template.hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { eventId: [{ 'anything-but': ['1'] }] },
    });
  });

  it('concurrency caps, batch sizes and reserved concurrency come from the config', () => {
    const { template: t } = example('full.json');
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(t, 'AWS::Lambda::Function', 'NormalizeFunction') },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(t, 'AWS::Lambda::Function', 'SyslogcollectorsDeliverFunction') },
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.destinations[0].processing = { reservedConcurrency: 8, maxConcurrency: 8, memoryMb: 512, timeoutSeconds: 120 };
    const s = synthConfig(parseInExamples(doc)).template;
    s.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 8,
      MemorySize: 512,
      Timeout: 120,
    });
    s.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 120 + 10 });
  });
});

describe('options that change the stack', () => {
  it('keepDataOnDelete false: keys, bucket and log groups are deleted with the stack', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.retention.keepDataOnDelete = false;
    const t = synthConfig(parseInExamples(doc)).template;
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      for (const r of Object.values(resources(t, type))) expect(r.DeletionPolicy, type).toBe('Delete');
    }
  });

  it('accessLogs false: no access-log bucket', () => {
    const doc = structuredClone(exampleDoc('syslog-tls-new-nlb.json'));
    doc.operations.accessLogs = false;
    const t = synthConfig(parseInExamples(doc)).template;
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.not(Match.arrayWith([Match.objectLike({ Key: 'access_logs.s3.enabled' })])),
    });
  });

  it('NLB access logs go to the access-log bucket, written by the log delivery service', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'nlb/collectors' },
      ]),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('tracing true: active X-Ray tracing on every function', () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.operations.tracing = true;
    const t = synthConfig(parseInExamples(doc)).template;
    for (const fn of Object.values(resources(t, 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('secret-looking fields are redacted unless ingest.allowSecretFields is true', () => {
    expect(envOf(example('s3-archive.json').template, 'NormalizeFunction')[ENV.allowSecretFields]).toBeUndefined();
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.ingest.allowSecretFields = true;
    expect(envOf(synthConfig(parseInExamples(doc)).template, 'NormalizeFunction')[ENV.allowSecretFields]).toBe('true');
  });

  it('runtime nodejs24.x when configured', () => {
    const { template: t } = example('http-endpoint.json');
    for (const fn of Object.values(resources(t, 'AWS::Lambda::Function')))
      expect(fn.Properties?.Runtime).toBe('nodejs24.x');
  });

  it('the SMS topic display name follows the rules settings (SNS prefixes each SMS with it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-rules-'));
    const rules = readFileSync(join(EXAMPLES, 'alert-rules.yaml'), 'utf8').replace(
      'version: 1\n',
      'version: 1\nsettings:\n  smsDisplayName: SEGURA\n',
    );
    writeFileSync(join(dir, 'rules.yaml'), rules);
    const doc = structuredClone(exampleDoc('alerts-sms-email.json'));
    doc.alerts.rulesFile = join(dir, 'rules.yaml');
    const t = synthConfig(parseInExamples(doc)).template;
    expect(resources(t, 'AWS::SNS::Topic')[idOf(t, 'AWS::SNS::Topic', 'AlertTopicsSms')]?.Properties?.DisplayName).toBe(
      'SEGURA',
    );
    const { template: plain } = example('alerts-sms-email.json');
    expect(
      resources(plain, 'AWS::SNS::Topic')[idOf(plain, 'AWS::SNS::Topic', 'AlertTopicsSms')]?.Properties?.DisplayName,
    ).toBeUndefined();
  });

  it('outputs what the vault and the runbook need', () => {
    const { template: t } = example('full.json');
    const outputs = Object.keys(t.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'IngestQueueUrl',
        'IngestQueueArn',
        'IngestKeyArn',
        'VaultProducerRoleArn',
        'IngestDeadLetterQueueUrl',
        'OpsTopicArn',
        'ArchiveBucketName',
        'DashboardName',
      ]),
    );
  });
});
