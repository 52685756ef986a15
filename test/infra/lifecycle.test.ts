/**
 * The stack's life after the first deploy: destroy empties what it deletes, keep means keep
 * (delete and replacement), a rename replaces nothing, an existing VPC keeps its SQS DNS, the
 * events topic admits only its own parts, defaults that age well, and only used resources exist.
 * docs/deploy.md ("Update", "Rename a destination", "Tear down") describes what these assert.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadSyslogConfig } from '../../functions/deliver-syslog/config.js';
import { ConfigValidationError } from '../../infra/config/errors.js';
import { sqsClient } from '../../shared/aws-clients.js';
import { ENV } from '../../shared/contracts/index.js';
import {
  EXAMPLE_FILES,
  example,
  exampleDoc,
  idOf,
  type Json,
  parseInExamples,
  type Resources,
  resources,
  stableTemplate,
  synthConfig,
} from './helpers.js';
import { STATEFUL_TYPES, statefulReplacements } from './replacement.js';

/** Resource kinds that hold events, logs or the keys to read them. */
const KEPT_TYPES = [...STATEFUL_TYPES, 'AWS::Logs::LogGroup'] as const;

function withDoc(file: string, edit: (d: Json) => void): Template {
  const d = structuredClone(exampleDoc(file));
  edit(d);
  return synthConfig(parseInExamples(d)).template;
}

/** The relay's own functions (not CDK's custom-resource providers). */
function relayFunctions(t: Template): Resources {
  return Object.fromEntries(
    Object.entries(resources(t, 'AWS::Lambda::Function')).filter(
      ([, f]) => f.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    ),
  );
}

function refOf(v: Json): string | undefined {
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

describe('1. destroy works (keepDataOnDelete: false)', () => {
  const t = withDoc('full.json', (d) => {
    d.retention.keepDataOnDelete = false;
  });

  it('deletes every queue, DLQ, table, bucket, key and log group with the stack', () => {
    for (const type of KEPT_TYPES) {
      const all = resources(t, type);
      for (const [id, r] of Object.entries(all)) {
        expect(r.DeletionPolicy, `${id} DeletionPolicy`).toBe('Delete');
        expect(r.UpdateReplacePolicy, `${id} UpdateReplacePolicy`).toBe('Delete');
      }
    }
    expect(Object.keys(resources(t, 'AWS::S3::Bucket'))).toHaveLength(2);
  });

  it('empties each bucket before CloudFormation deletes it (versioned archive: every version)', () => {
    const autoDelete = Object.values(resources(t, 'Custom::S3AutoDeleteObjects')).map((r) =>
      refOf(r.Properties?.BucketName),
    );
    expect(autoDelete.sort()).toEqual(Object.keys(resources(t, 'AWS::S3::Bucket')).sort());
    // the custom resource is deleted before its bucket: it depends on the bucket policy that lets it delete
    for (const r of Object.values(resources(t, 'Custom::S3AutoDeleteObjects')))
      expect(r.DependsOn).toEqual([expect.stringMatching(/Policy/)]);
  });

  it('with keepDataOnDelete: true (the default) nothing is emptied', () => {
    expect(resources(example('full.json').template, 'Custom::S3AutoDeleteObjects')).toEqual({});
  });
});

describe.each(EXAMPLE_FILES)('2. keep means keep: %s', (file) => {
  const { template: t } = example(file);

  it('every queue, DLQ, table, bucket, key and log group is retained on delete and on replacement', () => {
    let n = 0;
    for (const type of KEPT_TYPES) {
      for (const [id, r] of Object.entries(resources(t, type))) {
        n++;
        expect(r.DeletionPolicy, `${id} DeletionPolicy`).toBe('Retain');
        expect(r.UpdateReplacePolicy, `${id} UpdateReplacePolicy`).toBe('Retain');
      }
    }
    expect(n).toBeGreaterThanOrEqual(8);
    expect(Object.keys(resources(t, 'AWS::SQS::Queue')).length).toBeGreaterThanOrEqual(4);
  });
});

describe('2. stable destination ids', () => {
  const before = example('full.json').template;

  it('an id equal to the name changes nothing (existing deployments keep their logical ids)', () => {
    const t = withDoc('full.json', (d) => {
      for (const x of d.destinations) x.id = x.name;
    });
    expect(stableTemplate(t)).toEqual(stableTemplate(before));
  });

  it('renaming with the old name kept as id replaces no resource at all', () => {
    const after = withDoc('full.json', (d) => {
      for (const x of d.destinations) {
        x.id = x.name;
        x.name = `${x.name}-renamed`;
      }
    });
    expect(Object.keys(resources(after)).sort()).toEqual(Object.keys(resources(before)).sort());
    expect(statefulReplacements(before.toJSON(), after.toJSON())).toEqual([]);
    // security group descriptions cannot change in place: they name the id, not the display name
    for (const [id, sg] of Object.entries(resources(after, 'AWS::EC2::SecurityGroup')))
      expect(sg.Properties?.GroupDescription, id).toBe(
        resources(before, 'AWS::EC2::SecurityGroup')[id]?.Properties?.GroupDescription,
      );
    // the new name is what the functions report (metrics dimension, logs)
    const fn = resources(after, 'AWS::Lambda::Function')[
      idOf(after, 'AWS::Lambda::Function', 'FirehosearchiveDeliver')
    ];
    expect(fn?.Properties?.Environment.Variables[ENV.destination]).toBeDefined();
    expect(JSON.stringify(fn?.Properties?.Environment.Variables[ENV.destination])).toContain('archive-renamed');
  });

  it('the default S3 prefix follows the id, so a rename keeps writing where it wrote', () => {
    const c = parseInExamples({
      ...structuredClone(exampleDoc('s3-archive.json')),
      destinations: [
        {
          ...exampleDoc('s3-archive.json').destinations[0],
          name: 'new-name',
          id: 'archive',
          delivery: { type: 's3' },
        },
      ],
    });
    expect(c.destinations[0]).toMatchObject({ name: 'new-name', id: 'archive', delivery: { prefix: 'archive/' } });
  });

  it('two destinations cannot share an id (nor an id and a defaulted name)', () => {
    const d = structuredClone(exampleDoc('full.json'));
    d.destinations[1].id = d.destinations[0].name.toUpperCase();
    expect(() => parseInExamples(d)).toThrow(ConfigValidationError);
    expect(() => parseInExamples(d)).toThrow(
      /destinations\[1\]\.id: .* is already the id of config\.destinations\[0\]/,
    );
  });
});

describe('3. interface endpoints never hijack an existing VPC', () => {
  const existing = example('full.json').template; // existing VPC, interfaceEndpoints: true
  const created = example('syslog-tls-new-nlb.json').template; // new VPC without NAT: endpoints by default

  it('existing VPC: the SQS endpoint has no private DNS; deliver-syslog uses its own DNS name', () => {
    const endpoints = Object.values(resources(existing, 'AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.Properties?.PrivateDnsEnabled).toBe(false);
    const endpointId = idOf(existing, 'AWS::EC2::VPCEndpoint', 'NetworkSqsEndpoint');
    const fn = resources(existing, 'AWS::Lambda::Function')[
      idOf(existing, 'AWS::Lambda::Function', 'SyslogcollectorsDeliverFunction')
    ];
    // https:// + the regional entry's DNS name ("<zone id>:<name>", first of DnsEntries)
    expect(fn?.Properties?.Environment.Variables[ENV.sqsEndpoint]).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          {
            'Fn::Select': [
              1,
              { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [endpointId, 'DnsEntries'] }] }] },
            ],
          },
        ],
      ],
    });
    // only the function in the VPC is pointed there
    for (const [id, f] of Object.entries(relayFunctions(existing)))
      if (!id.startsWith('Syslog')) expect(f.Properties?.Environment.Variables[ENV.sqsEndpoint], id).toBeUndefined();
  });

  it('new VPC: private DNS on, functions use the default SQS name', () => {
    const endpoints = Object.values(resources(created, 'AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.Properties?.PrivateDnsEnabled).toBe(true);
    for (const f of Object.values(relayFunctions(created)))
      expect(f.Properties?.Environment.Variables[ENV.sqsEndpoint]).toBeUndefined();
  });

  it('existing VPC without interfaceEndpoints: no endpoint and no override', () => {
    const t = example('syslog-existing-nlb.json').template;
    expect(resources(t, 'AWS::EC2::VPCEndpoint')).toEqual({});
    for (const f of Object.values(relayFunctions(t)))
      expect(f.Properties?.Environment.Variables[ENV.sqsEndpoint]).toBeUndefined();
  });

  it('deliver-syslog reads the SQS-only override first', () => {
    const env = {
      [ENV.destination]: JSON.stringify({ name: 'c', transport: 'tcp', host: '10.0.0.1', port: 514, format: 'cef' }),
      [ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/111122223333/dlq',
    };
    const vpce = 'https://vpce-0123456789abcdef0-abcdefgh.sqs.us-east-1.vpce.amazonaws.com';
    expect(
      loadSyslogConfig({ ...env, [ENV.sqsEndpoint]: vpce, [ENV.awsEndpoint]: 'http://127.0.0.1:1' }).endpoint,
    ).toBe(vpce);
    expect(loadSyslogConfig({ ...env }).endpoint).toBeUndefined();
  });

  it('the real SQS client sends to the endpoint host and still signs for sqs in its region', async () => {
    const vpce = 'vpce-0123456789abcdef0-abcdefgh.sqs.eu-west-1.vpce.amazonaws.com';
    const seen: { host?: string; authorization?: string } = {};
    const client = sqsClient({ endpoint: `https://${vpce}`, region: 'eu-west-1', maxAttempts: 1 });
    client.config.credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    client.middlewareStack.add(
      () => async (args) => {
        const req = args.request as { hostname: string; headers: Record<string, string> };
        seen.host = req.hostname;
        seen.authorization = req.headers.authorization;
        throw new Error('captured');
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q', MessageBody: 'x' }),
      ),
    ).rejects.toThrow('captured');
    expect(seen.host).toBe(vpce);
    expect(seen.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request/);
  });
});

describe('4. the events topic accepts only its own subscribers and publisher', () => {
  it.each(EXAMPLE_FILES)('%s', (file) => {
    const { template: t } = example(file);
    const topicId = idOf(t, 'AWS::SNS::Topic', 'EventsTopic');
    const policy = Object.values(resources(t, 'AWS::SNS::TopicPolicy')).find(
      (p) => refOf(p.Properties?.Topics[0]) === topicId,
    );
    const statements = policy?.Properties?.PolicyDocument.Statement as Json[];
    const subs = Object.entries(resources(t, 'AWS::SNS::Subscription')).filter(
      ([, s]) => refOf(s.Properties?.TopicArn) === topicId,
    );
    const queueArns = subs.map(([, s]) => s.Properties?.Endpoint);
    expect(subs.length).toBeGreaterThanOrEqual(1);

    const subscribe = statements.find((s) => s.Action === 'sns:Subscribe');
    expect(subscribe).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(subscribe.Condition.StringNotEquals['sns:Endpoint']).toEqual(expect.arrayContaining(queueArns));
    expect(subscribe.Condition.StringNotEquals['sns:Endpoint']).toHaveLength(queueArns.length);

    const publish = statements.find((s) => s.Action === 'sns:Publish' && s.Condition?.ArnNotEquals);
    expect(publish).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(publish.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      { 'Fn::GetAtt': [idOf(t, 'AWS::IAM::Role', 'NormalizeRole'), 'Arn'] },
    ]);
    // a queue added later subscribes only after the policy admits it
    for (const [id, s] of subs)
      expect(s.DependsOn, id).toContain(idOf(t, 'AWS::SNS::TopicPolicy', 'EventsTopicPolicy'));
  });
});

describe('5. runtime and retention defaults', () => {
  it('every relay function runs on nodejs24.x unless the config says otherwise', () => {
    for (const file of EXAMPLE_FILES) {
      const fns = Object.values(relayFunctions(example(file).template));
      expect(fns.length).toBeGreaterThanOrEqual(2);
      for (const f of fns) expect(f.Properties?.Runtime, file).toBe('nodejs24.x');
    }
    const t = withDoc('s3-archive.json', (d) => {
      d.operations.runtime = 'nodejs22.x';
    });
    for (const f of Object.values(relayFunctions(t))) expect(f.Properties?.Runtime).toBe('nodejs22.x');
  });

  it.each(EXAMPLE_FILES)('%s: every DLQ keeps messages longer than its source queue', (file) => {
    const queues = resources(example(file).template, 'AWS::SQS::Queue');
    let pairs = 0;
    for (const [id, q] of Object.entries(queues)) {
      const dlq = refOf(q.Properties?.RedrivePolicy?.deadLetterTargetArn);
      if (!dlq) continue;
      pairs++;
      expect(queues[dlq]?.Properties?.MessageRetentionPeriod, `${dlq} (DLQ of ${id})`).toBeGreaterThan(
        q.Properties?.MessageRetentionPeriod,
      );
    }
    expect(pairs).toBeGreaterThanOrEqual(2);
  });

  it('retention is configurable; the config refuses a DLQ that would not outlive its source', () => {
    const t = withDoc('s3-archive.json', (d) => {
      d.retention = { queueDays: 4, deadLetterQueueDays: 12 };
    });
    const periods = new Set(
      Object.values(resources(t, 'AWS::SQS::Queue')).map((q) => q.Properties?.MessageRetentionPeriod),
    );
    expect([...periods].sort()).toEqual([4 * 86400, 12 * 86400].sort());
    const bad = structuredClone(exampleDoc('s3-archive.json'));
    bad.retention = { queueDays: 14 };
    expect(() => parseInExamples(bad)).toThrow(
      /retention\.queueDays: 14 must be less than retention\.deadLetterQueueDays \(14\)/,
    );
  });
});

describe('6. only what the config uses is created', () => {
  const expected: Record<string, { buckets: string[]; archiveKey: boolean; vpc: boolean; endpoints: number }> = {
    'alerts-sms-email.json': { buckets: [], archiveKey: false, vpc: false, endpoints: 0 },
    'full.json': { buckets: ['AccessLogs', 'Archive'], archiveKey: true, vpc: false, endpoints: 1 },
    'http-endpoint.json': { buckets: ['AccessLogs', 'Archive'], archiveKey: true, vpc: false, endpoints: 0 },
    's3-archive.json': { buckets: ['AccessLogs', 'Archive'], archiveKey: true, vpc: false, endpoints: 0 },
    'splunk-hec.json': { buckets: ['AccessLogs', 'Archive'], archiveKey: true, vpc: false, endpoints: 0 },
    // SQS, ECR API, ECR registry, CloudWatch Logs (interface) and S3 (gateway, image layers)
    'syslog-endpoint.json': { buckets: ['AccessLogs', 'Archive'], archiveKey: true, vpc: true, endpoints: 5 },
    'syslog-existing-nlb.json': { buckets: [], archiveKey: false, vpc: false, endpoints: 0 },
    'syslog-relp-new-nlb.json': { buckets: ['AccessLogs'], archiveKey: false, vpc: true, endpoints: 1 },
    'syslog-tls-new-nlb.json': { buckets: ['AccessLogs'], archiveKey: false, vpc: true, endpoints: 1 },
  };

  it('every example is covered', () => {
    expect(Object.keys(expected).sort()).toEqual([...EXAMPLE_FILES]);
  });

  it.each(Object.entries(expected))('%s', (file, want) => {
    const { template: t } = example(file);
    const buckets = Object.keys(resources(t, 'AWS::S3::Bucket')).map((id) => id.replace(/Bucket.*$/, ''));
    expect(buckets.sort()).toEqual(want.buckets);
    expect(Object.keys(resources(t, 'AWS::KMS::Key')).some((id) => id.startsWith('KeysArchive'))).toBe(want.archiveKey);
    expect(Object.keys(resources(t, 'AWS::EC2::VPC')).length).toBe(want.vpc ? 1 : 0);
    expect(Object.keys(resources(t, 'AWS::EC2::VPCEndpoint')).length).toBe(want.endpoints);
    // the access-log bucket exists only when something logs to it
    if (want.buckets.includes('AccessLogs')) {
      const logsId = idOf(t, 'AWS::S3::Bucket', 'AccessLogsBucket');
      const archiveLogs = Object.values(resources(t, 'AWS::S3::Bucket')).some(
        (b) => refOf(b.Properties?.LoggingConfiguration?.DestinationBucketName) === logsId,
      );
      const nlbLogs = Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).some((lb) =>
        JSON.stringify(lb.Properties?.LoadBalancerAttributes ?? []).includes(logsId),
      );
      expect(archiveLogs || nlbLogs).toBe(true);
    }
  });
});
