/**
 * Every security default the stack promises, asserted on the synthesized templates: KMS with
 * rotation, TLS-only policies, least-privilege grants per function, DLQs and redrive, partial
 * batch responses, log retention, network exposure limited to the syslog port.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../shared/contracts/index.js';
import { EXAMPLE_FILES, example, idOf, type Json, permissionsOf, type Resources, resources } from './helpers.js';

const SECURE_TRANSPORT_DENY = expect.objectContaining({
  Effect: 'Deny',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/** The relay's own functions (not CDK's custom-resource providers). */
function relayFunctions(t: Template): Resources {
  return Object.fromEntries(
    Object.entries(resources(t, 'AWS::Lambda::Function')).filter(
      ([, f]) => f.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    ),
  );
}

/** The logical id a CloudFormation value points to (Ref or GetAtt). */
function target(v: Json): string | undefined {
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

describe.each(EXAMPLE_FILES)('%s: encryption and transport', (file) => {
  const { template: t } = example(file);

  it('every KMS key is customer managed with yearly rotation', () => {
    const keys = resources(t, 'AWS::KMS::Key');
    expect(Object.keys(keys).length).toBeGreaterThanOrEqual(3);
    for (const k of Object.values(keys)) {
      expect(k.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 365 });
      expect(k.DeletionPolicy).toBe('Retain');
    }
  });

  it('every queue is encrypted with one of the stack CMKs, retains 10 days (DLQs 14) and is TLS-only', () => {
    const keys = Object.keys(resources(t, 'AWS::KMS::Key'));
    const queues = resources(t, 'AWS::SQS::Queue');
    const policies = Object.values(resources(t, 'AWS::SQS::QueuePolicy'));
    for (const [id, q] of Object.entries(queues)) {
      expect(keys).toContain(target(q.Properties?.KmsMasterKeyId));
      const isDlq = Object.values(queues).some((s) => target(s.Properties?.RedrivePolicy?.deadLetterTargetArn) === id);
      const notificationDlq = id.startsWith('NotificationDeadLetterQueue');
      expect(q.Properties?.MessageRetentionPeriod, id).toBe((isDlq || notificationDlq ? 14 : 10) * 86400);
      const policy = policies.find((p) => p.Properties?.Queues.some((x: Json) => target(x) === id));
      expect(policy, `${id} has a queue policy`).toBeDefined();
      expect(policy?.Properties?.PolicyDocument.Statement).toEqual(expect.arrayContaining([SECURE_TRANSPORT_DENY]));
    }
  });

  it('every queue has a DLQ (maxReceiveCount 5; a destination queue 655, derived from 10 days of retention and its backoff) or is one', () => {
    const queues = resources(t, 'AWS::SQS::Queue');
    const dlqs = new Set<string>();
    for (const [id, q] of Object.entries(queues)) {
      const rp = q.Properties?.RedrivePolicy;
      if (rp) {
        // docs/deploy.md "Long outages": 845 receives fit in 14 days at the default backoff, + 50
        expect(rp.maxReceiveCount, id).toBe(/^(Firehose|Syslog)/.test(id) ? 655 : 5);
        dlqs.add(target(rp.deadLetterTargetArn) as string);
      }
    }
    for (const s of Object.values(resources(t, 'AWS::SNS::Subscription'))) {
      const rp = s.Properties?.RedrivePolicy;
      if (rp) dlqs.add(target(rp.deadLetterTargetArn) as string);
    }
    for (const [id, q] of Object.entries(queues)) {
      expect(q.Properties?.RedrivePolicy !== undefined || dlqs.has(id), `${id} has or is a DLQ`).toBe(true);
    }
  });

  it('every topic is encrypted with the topics CMK and TLS-only', () => {
    const topicsKey = idOf(t, 'AWS::KMS::Key', 'KeysTopics');
    const policies = Object.values(resources(t, 'AWS::SNS::TopicPolicy'));
    for (const [id, topic] of Object.entries(resources(t, 'AWS::SNS::Topic'))) {
      expect(target(topic.Properties?.KmsMasterKeyId)).toBe(topicsKey);
      const policy = policies.find((p) => p.Properties?.Topics.some((x: Json) => target(x) === id));
      expect(policy?.Properties?.PolicyDocument.Statement).toEqual(expect.arrayContaining([SECURE_TRANSPORT_DENY]));
    }
  });

  it('every SNS → SQS subscription is raw and has a redrive policy', () => {
    const sqsSubs = Object.values(resources(t, 'AWS::SNS::Subscription')).filter(
      (s) => s.Properties?.Protocol === 'sqs',
    );
    expect(sqsSubs.length).toBeGreaterThan(0);
    for (const s of sqsSubs) {
      expect(s.Properties?.RawMessageDelivery).toBe(true);
      expect(s.Properties?.RedrivePolicy).toBeDefined();
    }
  });

  it('every function: arm64, explicit Node.js runtime, ESM bundle, own log group with retention, no managed policy', () => {
    const { config } = example(file);
    const logGroups = resources(t, 'AWS::Logs::LogGroup');
    for (const [id, fn] of Object.entries(relayFunctions(t))) {
      expect(fn.Properties).toMatchObject({
        Runtime: config.operations.runtime,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_METRICS_NAMESPACE: 'SeguraRelay',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            [ENV.deadLetterQueueUrl]: expect.anything(),
          }),
        },
      });
      const lg = target(fn.Properties?.LoggingConfig?.LogGroup);
      expect(logGroups[lg as string]?.Properties?.RetentionInDays, `${id} log retention`).toBe(
        config.retention.logDays,
      );
      const role = resources(t, 'AWS::IAM::Role')[target(fn.Properties?.Role) as string];
      expect(role?.Properties?.ManagedPolicyArns, `${id} role has no managed policy`).toBeUndefined();
    }
  });

  it('every event source reports batch item failures and caps concurrency', () => {
    const mappings = Object.values(resources(t, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings.length).toBe(Object.keys(relayFunctions(t)).length);
    for (const m of mappings) {
      expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.Properties?.ScalingConfig?.MaximumConcurrency).toBeGreaterThanOrEqual(2);
    }
  });

  it('every consumed queue has a visibility timeout ≥ 6× its function timeout', () => {
    const fns = resources(t, 'AWS::Lambda::Function');
    const queues = resources(t, 'AWS::SQS::Queue');
    for (const m of Object.values(resources(t, 'AWS::Lambda::EventSourceMapping'))) {
      const fn = fns[target(m.Properties?.FunctionName) as string];
      const q = queues[target(m.Properties?.EventSourceArn) as string];
      expect(q?.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (fn?.Properties?.Timeout as number));
    }
  });

  it('every log group has a retention', () => {
    for (const lg of Object.values(resources(t, 'AWS::Logs::LogGroup'))) {
      expect(lg.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('no IAM statement allows a wildcard action; "*" resources only for Lambda VPC ENIs and the ECR token', () => {
    for (const p of Object.values(resources(t, 'AWS::IAM::Policy'))) {
      for (const st of p.Properties?.PolicyDocument.Statement ?? []) {
        const actions: string[] = [].concat(st.Action);
        for (const a of actions) expect(a).not.toMatch(/\*/);
        if ([].concat(st.Resource).includes('*' as never)) {
          // ecr:GetAuthorizationToken has no resource-level permissions (the syslog endpoint's image pull):
          // https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_service-with-iam.html
          expect(actions.every((a) => a.startsWith('ec2:') || a === 'ecr:GetAuthorizationToken')).toBe(true);
        }
      }
    }
  });
});

describe('ingest queue (full.json)', () => {
  const { template: t } = example('full.json');
  const queue = idOf(t, 'AWS::SQS::Queue', 'IngestQueueIngestQueue');

  it('only the vault producers (and the redrive operators) may send, and everyone else is denied', () => {
    const policy = Object.values(resources(t, 'AWS::SQS::QueuePolicy')).find((p) =>
      p.Properties?.Queues.some((q: Json) => target(q) === queue),
    );
    const statements = policy?.Properties?.PolicyDocument.Statement as Json[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'AllowVaultProducers',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:role/segura-vault-producer' },
          Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        }),
        expect.objectContaining({
          Sid: 'AllowOperatorsRedrive',
          Principal: { AWS: 'arn:aws:iam::111122223333:role/relay-operator' },
          Action: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
        }),
      ]),
    );
    const deny = statements.find((s) => s.Sid === 'DenySendersOtherThanTheVault');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage' });
    expect(deny.Condition.StringNotEquals['aws:PrincipalArn']).toEqual([
      'arn:aws:iam::444455556666:role/segura-vault-producer',
      'arn:aws:iam::111122223333:role/relay-operator',
      { 'Fn::GetAtt': [idOf(t, 'AWS::IAM::Role', 'IngestQueueVaultProducerRole'), 'Arn'] },
    ]);
    // no statement allows anything else to anyone
    for (const s of statements.filter((x) => x.Effect === 'Allow')) {
      expect([].concat(s.Action).every((a: string) => a.startsWith('sqs:Send') || a.startsWith('sqs:GetQueue'))).toBe(
        true,
      );
    }
  });

  it('the vault role can only send (queue + its key through SQS), assumed with the external id', () => {
    const role = idOf(t, 'AWS::IAM::Role', 'IngestQueueVaultProducerRole');
    expect(permissionsOf(t, role)).toEqual([
      `kms:Decrypt on ${idOf(t, 'AWS::KMS::Key', 'KeysIngest')}`,
      `kms:GenerateDataKey on ${idOf(t, 'AWS::KMS::Key', 'KeysIngest')}`,
      `sqs:GetQueueAttributes on ${queue}`,
      `sqs:GetQueueUrl on ${queue}`,
      `sqs:SendMessage on ${queue}`,
    ]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { AWS: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::444455556666:root'])] }) },
            Condition: { StringEquals: { 'sts:ExternalId': 'segura-relay-prod' } },
          }),
        ],
      },
    });
  });

  it('the vault may use the ingest key only through SQS', () => {
    const key = resources(t, 'AWS::KMS::Key')[idOf(t, 'AWS::KMS::Key', 'KeysIngest')];
    const statements: Json[] = key?.Properties?.KeyPolicy.Statement ?? [];
    const st = statements.find((s) => s.Sid === 'AllowVaultProducersThroughSqs');
    expect(st).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
    });
  });
});

describe('least privilege per function (full.json)', () => {
  const { template: t } = example('full.json');
  const key = (p: string) => idOf(t, 'AWS::KMS::Key', p);
  const q = (p: string) => idOf(t, 'AWS::SQS::Queue', p);
  /** a consumer's source queue (`<X>Queue` + hash; its DLQ is `<X>QueueDeadLetterQueue…`) */
  const source = (p: string) => idOf(t, 'AWS::SQS::Queue', new RegExp(`^${p}Queue[0-9A-F]{8}$`));
  const consume = (queue: string) => [
    `sqs:ChangeMessageVisibility on ${queue}`,
    `sqs:DeleteMessage on ${queue}`,
    `sqs:GetQueueAttributes on ${queue}`,
    `sqs:GetQueueUrl on ${queue}`,
    `sqs:ReceiveMessage on ${queue}`,
  ];
  const logs = (prefix: string) => {
    const lg = idOf(t, 'AWS::Logs::LogGroup', `${prefix}Logs`);
    return [`logs:CreateLogStream on ${lg}`, `logs:PutLogEvents on ${lg}`];
  };
  const roleOf = (prefix: string) => idOf(t, 'AWS::IAM::Role', `${prefix}Role`);

  it('normalize: consume ingest, park in the ingest DLQ, publish to the events topic', () => {
    expect(permissionsOf(t, roleOf('Normalize'))).toEqual(
      [
        ...logs('Normalize'),
        ...consume(q('IngestQueueIngestQueue')),
        `sqs:SendMessage on ${q('IngestQueueIngestDeadLetterQueue')}`,
        `sns:Publish on ${idOf(t, 'AWS::SNS::Topic', 'EventsTopic')}`,
        `kms:Decrypt on ${key('KeysIngest')}`,
        `kms:GenerateDataKey on ${key('KeysIngest')}`,
        `kms:Decrypt on ${key('KeysTopics')}`,
        `kms:GenerateDataKey on ${key('KeysTopics')}`,
        // the event id key (read once at cold start; Decrypt only through Secrets Manager)
        `secretsmanager:GetSecretValue on ${idOf(t, 'AWS::SecretsManager::Secret', 'EventIdKey')}`,
        `kms:Decrypt on ${key('KeysPipeline')}`,
      ].sort(),
    );
  });

  it('the event id key: generated at deploy, CMK-encrypted, readable by normalize only, Decrypt via Secrets Manager only', () => {
    const secret = idOf(t, 'AWS::SecretsManager::Secret', 'EventIdKey');
    const props = (resources(t, 'AWS::SecretsManager::Secret')[secret] as { Properties: Record<string, unknown> })
      .Properties;
    expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [key('KeysPipeline'), 'Arn'] });
    expect(props.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(props.SecretString).toBeUndefined();
    const readers = Object.keys(resources(t, 'AWS::IAM::Role')).filter((role) =>
      permissionsOf(t, role).includes(`secretsmanager:GetSecretValue on ${secret}`),
    );
    expect(readers).toEqual([roleOf('Normalize')]);
    const policies = JSON.stringify(resources(t, 'AWS::IAM::Policy'));
    expect(policies).toContain('"kms:ViaService"');
  });

  it.each(['archive', 'splunk'])(
    'deliver-firehose %s: its queue, its DLQ, PutRecordBatch on its stream only',
    (name) => {
      expect(permissionsOf(t, roleOf(`Firehose${name}Deliver`))).toEqual(
        [
          ...logs(`Firehose${name}Deliver`),
          ...consume(source(`Firehose${name}`)),
          `sqs:SendMessage on ${q(`Firehose${name}QueueDeadLetterQueue`)}`,
          `kms:Decrypt on ${key('KeysPipeline')}`,
          `kms:GenerateDataKey on ${key('KeysPipeline')}`,
          `firehose:PutRecord on ${idOf(t, 'AWS::KinesisFirehose::DeliveryStream', `Firehose${name}Stream`)}`,
          `firehose:PutRecordBatch on ${idOf(t, 'AWS::KinesisFirehose::DeliveryStream', `Firehose${name}Stream`)}`,
        ].sort(),
      );
    },
  );

  it('deliver-syslog: its queue, its DLQ and the ENI actions Lambda needs in a VPC', () => {
    expect(permissionsOf(t, roleOf('SyslogcollectorsDeliver'))).toEqual(
      [
        ...logs('SyslogcollectorsDeliver'),
        ...consume(source('Syslogcollectors')),
        `sqs:SendMessage on ${q('SyslogcollectorsQueueDeadLetterQueue')}`,
        `kms:Decrypt on ${key('KeysPipeline')}`,
        `kms:GenerateDataKey on ${key('KeysPipeline')}`,
        ...[
          'ec2:AssignPrivateIpAddresses',
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:UnassignPrivateIpAddresses',
        ].map((a) => `${a} on *`),
      ].sort(),
    );
  });

  it('evaluate-alerts: its queue, its DLQ, item-level throttle table access, publish to the alert topics', () => {
    const table = idOf(t, 'AWS::DynamoDB::Table', 'ThrottleTable');
    const topics = Object.keys(resources(t, 'AWS::SNS::Topic')).filter((id) => id.startsWith('AlertTopics'));
    expect(topics).toHaveLength(4);
    expect(permissionsOf(t, roleOf('AlertsEvaluate'))).toEqual(
      [
        ...logs('AlertsEvaluate'),
        ...consume(source('Alerts')),
        `sqs:SendMessage on ${q('AlertsQueueDeadLetterQueue')}`,
        `kms:Decrypt on ${key('KeysPipeline')}`,
        `kms:Encrypt on ${key('KeysPipeline')}`,
        `kms:GenerateDataKey on ${key('KeysPipeline')}`,
        `kms:Decrypt on ${key('KeysTopics')}`,
        `kms:GenerateDataKey on ${key('KeysTopics')}`,
        ...['GetItem', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table}`),
        `dynamodb:Query on ${table}/index/due`,
        `secretsmanager:GetSecretValue on ${idOf(t, 'AWS::SecretsManager::Secret', 'AlertIdKey')}`,
        `kms:Decrypt on ${key('KeysPipeline')}`,
        ...topics.map((id) => `sns:Publish on ${id}`),
      ].sort(),
    );
  });

  it('the alert id key: generated at deploy, CMK-encrypted, readable by evaluate-alerts only, ARN in its environment', () => {
    const secret = idOf(t, 'AWS::SecretsManager::Secret', 'AlertIdKey');
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: Match.objectLike({ 'Fn::GetAtt': [key('KeysPipeline'), 'Arn'] }),
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    // no SecretString in the template: the value exists only in Secrets Manager
    for (const r of Object.values(resources(t, 'AWS::SecretsManager::Secret')))
      expect((r as { Properties: Record<string, unknown> }).Properties.SecretString).toBeUndefined();
    const readers = Object.keys(resources(t, 'AWS::IAM::Role')).filter((role) =>
      permissionsOf(t, role).includes(`secretsmanager:GetSecretValue on ${secret}`),
    );
    expect(readers).toEqual([roleOf('AlertsEvaluate')]);
    const fn = Object.values(resources(t, 'AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('ALERT_ID_KEY_SECRET_ARN'),
    ) as unknown as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(fn.Properties.Environment.Variables.ALERT_ID_KEY_SECRET_ARN).toEqual({ Ref: secret });
  });

  it('the summary sweep: a one-minute schedule invoking evaluate-alerts, and the throttle table index it reads', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsEvaluateFunction'), 'Arn'] } }),
      ],
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsEvaluateFunction'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('each Firehose role: its archive prefix, the archive key, its log group, its secret', () => {
    const bucket = idOf(t, 'AWS::S3::Bucket', 'ArchiveBucket');
    const archive = permissionsOf(t, roleOf('FirehosearchiveStream'));
    expect(archive).toEqual(
      [
        `s3:GetBucketLocation on ${bucket}`,
        `s3:ListBucket on ${bucket}`,
        `s3:ListBucketMultipartUploads on ${bucket}`,
        `s3:AbortMultipartUpload on ${bucket}/archive/*`,
        `s3:GetObject on ${bucket}/archive/*`,
        `s3:PutObject on ${bucket}/archive/*`,
        `kms:Decrypt on ${key('KeysArchive')}`,
        `kms:GenerateDataKey on ${key('KeysArchive')}`,
        `logs:PutLogEvents on ${idOf(t, 'AWS::Logs::LogGroup', 'FirehosearchiveStreamLogs')}`,
      ].sort(),
    );
    const splunk = permissionsOf(t, roleOf('FirehosesplunkStream'));
    expect(splunk).toContain(
      'secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:111122223333:secret:segura-relay/splunk-hec-token-AbCdEf',
    );
    expect(splunk).toContain(
      'kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001',
    );
    expect(splunk).toContain(`s3:PutObject on ${bucket}/splunk-failed/*`);
    expect(splunk.filter((p) => p.includes('/archive/'))).toEqual([]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });
});

describe('Firehose and the archive bucket', () => {
  it('S3 destination: SSE with the archive CMK, GZIP, date prefixes, error prefix', () => {
    const { template: t } = example('full.json');
    const archiveKey = idOf(t, 'AWS::KMS::Key', 'KeysArchive');
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: {
        KeyType: 'CUSTOMER_MANAGED_CMK',
        KeyARN: { 'Fn::GetAtt': [archiveKey, 'Arn'] },
      },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        Prefix: 'archive/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix:
          'archive/errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [archiveKey, 'Arn'] } } },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
  });

  it('Splunk: HEC token from Secrets Manager, failed events backed up encrypted', () => {
    const { template: t } = example('splunk-hec.json');
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: Match.objectLike({ KeyType: 'CUSTOMER_MANAGED_CMK' }),
      SplunkDestinationConfiguration: Match.objectLike({
        HECEndpoint: 'https://http-inputs-example.splunkcloud.com:443',
        HECEndpointType: 'Raw',
        SecretsManagerConfiguration: Match.objectLike({
          Enabled: true,
          SecretARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:segura-relay/splunk-hec-token-AbCdEf',
        }),
        S3BackupMode: 'FailedEventsOnly',
        S3Configuration: Match.objectLike({
          CompressionFormat: 'GZIP',
          Prefix: Match.stringLikeRegexp('^splunk-failed/'),
        }),
      }),
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/HECToken"/);
  });

  it('HTTP endpoint: access key from Secrets Manager, GZIP requests, failed data backed up', () => {
    const { template: t } = example('http-endpoint.json');
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      HttpEndpointDestinationConfiguration: Match.objectLike({
        EndpointConfiguration: { Url: 'https://intake.siem.example.com/aws/firehose', Name: 'Example SIEM intake' },
        SecretsManagerConfiguration: Match.objectLike({ Enabled: true }),
        RequestConfiguration: {
          ContentEncoding: 'GZIP',
          CommonAttributes: [{ AttributeName: 'source', AttributeValue: 'segura-vault' }],
        },
        S3BackupMode: 'FailedDataOnly',
      }),
    });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      HttpEndpointDestinationConfiguration: Match.objectLike({
        EndpointConfiguration: Match.not(Match.objectLike({ AccessKey: Match.anyValue() })),
      }),
    });
  });

  it('archive bucket: SSE-KMS + bucket key, public access blocked, versioned, lifecycle, access-logged, TLS 1.2+', () => {
    const { template: t } = example('s3-archive.json');
    const bucket = idOf(t, 'AWS::S3::Bucket', 'ArchiveBucket');
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [idOf(t, 'AWS::KMS::Key', 'KeysArchive'), 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              ExpirationInDays: 400,
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            }),
          ],
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: idOf(t, 'AWS::S3::Bucket', 'AccessLogsBucket') },
          LogFilePrefix: 'archive/',
        },
      }),
    });
    const policy = Object.values(resources(t, 'AWS::S3::BucketPolicy')).find(
      (p) => target(p.Properties?.Bucket) === bucket,
    );
    expect(policy?.Properties?.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        SECURE_TRANSPORT_DENY,
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  it('access-log bucket: SSE-S3 (the only option for access logs), public access blocked, TLS-only, expiring', () => {
    const { template: t } = example('s3-archive.json');
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
    });
  });
});

describe('network: exactly the syslog port', () => {
  it('new NLB: internal, TCP pass-through listener (TLS end to end to the collectors), IP targets', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Type: 'network' });
    const listeners = Object.values(resources(t, 'AWS::ElasticLoadBalancingV2::Listener'));
    expect(listeners.map((l) => l.Properties)).toEqual([expect.objectContaining({ Port: 6514, Protocol: 'TCP' })]);
    expect(listeners[0]?.Properties?.Certificates).toBeUndefined();
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Protocol: 'TCP',
      Targets: [
        { Id: '10.42.0.10', Port: 6514 },
        { Id: '10.42.0.140', Port: 6514 },
      ],
    });
  });

  it('new NLB with listener tls: TLS 1.2+ listener with the ACM certificate, TLS to the targets', () => {
    const { template: t } = example('full.json');
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 6514,
      Protocol: 'TLS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [
        { CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000' },
      ],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', Protocol: 'TLS' });
  });

  it('NLB SG admits only the function SG on the listener port and reaches only the collectors', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    const nlbSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogcollectorsEndpointLoadBalancerSecurityGroup');
    const clientSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogcollectorsEndpointClientSecurityGroup');
    const sg = resources(t, 'AWS::EC2::SecurityGroup')[nlbSg];
    expect(sg?.Properties?.SecurityGroupIngress).toBeUndefined();
    expect(sg?.Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '10.42.0.10/32', FromPort: 6514, ToPort: 6514, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '10.42.0.140/32', FromPort: 6514, ToPort: 6514, IpProtocol: 'tcp' }),
    ]);
    const ingress = Object.values(resources(t, 'AWS::EC2::SecurityGroupIngress')).filter(
      (r) => target(r.Properties?.GroupId) === nlbSg,
    );
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        FromPort: 6514,
        ToPort: 6514,
        IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [clientSg, 'GroupId'] },
      }),
    ]);
  });

  it('function SG: no default egress; the syslog port to the NLB and HTTPS to the SQS endpoint only', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    const clientSg = idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogcollectorsEndpointClientSecurityGroup');
    expect(resources(t, 'AWS::EC2::SecurityGroup')[clientSg]?.Properties?.SecurityGroupEgress).toBeUndefined();
    const egress = Object.values(resources(t, 'AWS::EC2::SecurityGroupEgress'))
      .filter((r) => target(r.Properties?.GroupId) === clientSg)
      .map((r) => [r.Properties?.FromPort, target(r.Properties?.DestinationSecurityGroupId)]);
    expect(egress.sort()).toEqual(
      [
        [443, idOf(t, 'AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup')],
        [6514, idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogcollectorsEndpointLoadBalancerSecurityGroup')],
      ].sort(),
    );
    expect(
      resources(t, 'AWS::Lambda::Function')[idOf(t, 'AWS::Lambda::Function', 'SyslogcollectorsDeliverFunction')]
        ?.Properties?.VpcConfig,
    ).toMatchObject({
      SecurityGroupIds: [{ 'Fn::GetAtt': [clientSg, 'GroupId'] }],
    });
  });

  it('new VPC: isolated private subnets, flow logs, SQS interface endpoint limited to this account', () => {
    const { template: t } = example('syslog-tls-new-nlb.json');
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.sqs$')])] }),
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
            Principal: { AWS: '*' },
          }),
        ],
      },
    });
  });

  it('existing NLB by DNS name: egress on the syslog port to the configured CIDR only', () => {
    const { template: t } = example('syslog-existing-nlb.json');
    const sg = resources(t, 'AWS::EC2::SecurityGroup')[
      idOf(t, 'AWS::EC2::SecurityGroup', 'SyslogqradarEndpointClientSecurityGroup')
    ];
    expect(sg?.Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      expect.objectContaining({ CidrIp: '10.20.8.0/22', FromPort: 6514, ToPort: 6514, IpProtocol: 'tcp' }),
    ]);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    t.resourceCountIs('AWS::EC2::VPC', 0);
  });
});

describe('alerts', () => {
  it('one encrypted topic per channel with its subscriptions; SMS, e-mail and HTTPS failures go to a DLQ', () => {
    const { template: t } = example('full.json');
    const protocols = Object.values(resources(t, 'AWS::SNS::Subscription'))
      .filter((s) => target(s.Properties?.TopicArn)?.startsWith('AlertTopics'))
      .map((s) => [s.Properties?.Protocol, s.Properties?.Endpoint, s.Properties?.RedrivePolicy !== undefined]);
    expect(protocols.sort()).toEqual(
      [
        ['email', 'secops@example.com', true],
        ['https', 'https://itsm.example.com/api/alerts/segura', true],
        ['sms', '+15555550100', true],
      ].sort(),
    );
  });

  it('chat through AWS Chatbot: the topic exists without a subscription (Chatbot subscribes itself), its ARN is an output', () => {
    const { template: t } = example('full.json');
    const chat = idOf(t, 'AWS::SNS::Topic', 'AlertTopicsChat');
    const subs = Object.values(resources(t, 'AWS::SNS::Subscription')).filter(
      (s) => target(s.Properties?.TopicArn) === chat,
    );
    expect(subs).toEqual([]);
    expect(JSON.stringify(t.toJSON())).not.toContain('sns-api.chatbot.amazonaws.com');
    expect(t.toJSON().Outputs.AlertTopicArnChat.Value).toEqual({ Ref: chat });
  });

  it('throttle table: TTL on expiresAt, CMK, point-in-time recovery, on-demand', () => {
    const { template: t } = example('alerts-sms-email.json');
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [idOf(t, 'AWS::KMS::Key', 'KeysPipeline'), 'Arn'] },
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('the SMS topic carries the display name the rules budget for', () => {
    const { template: t } = example('full.json');
    const sms = resources(t, 'AWS::SNS::Topic')[idOf(t, 'AWS::SNS::Topic', 'AlertTopicsSms')];
    expect(sms?.Properties?.DisplayName).toBeUndefined(); // the shipped pack declares none
  });
});

describe('keys and service principals', () => {
  it('SNS may use the queue key and CloudWatch the topic key, only for this account', () => {
    const { template: t } = example('full.json');
    const keys = resources(t, 'AWS::KMS::Key');
    const statementsOf = (prefix: string) =>
      keys[idOf(t, 'AWS::KMS::Key', prefix)]?.Properties?.KeyPolicy.Statement as Json[];
    expect(statementsOf('KeysPipeline')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'sns.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ]),
    );
    expect(statementsOf('KeysTopics')).toEqual(
      expect.arrayContaining([expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
    );
    expect(JSON.stringify(statementsOf('KeysArchive'))).not.toContain('Service');
  });
});
