/**
 * `segura-relay doctor` on the AWS side, one module with the SDK clients mocked
 * (aws-sdk-client-mock): what AWS answers that the local emulators do not (a pending subscription
 * listed as `PendingConfirmation` without an ARN, a stack in a rollback state, alarms of another
 * stack with the same name prefix, a mapping whose last result is a PROBLEM). The local path with
 * real clients: test/integration/tools/doctor.test.ts.
 */
import { Writable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { doctorCommand, type Finding, resourcesFromOutputs } from '../../../cli/doctor.js';

const ACCOUNT = '111122223333';
const q = (name: string) => `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${name}`;
const OPS = `arn:aws:sns:eu-west-1:${ACCOUNT}:prod-ops`;
const EMAIL_TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:prod-alerts-email`;
const OUTPUTS = {
  RelayName: 'prod',
  IngestQueueUrl: q('prod-ingest'),
  IngestDeadLetterQueueUrl: q('prod-ingest-dlq'),
  NormalizeFunctionName: 'prod-Normalize',
  OpsTopicArn: OPS,
  AlertTopicArnEmail: EMAIL_TOPIC,
  NotificationDeadLetterQueueUrl: q('prod-notifications-dlq'),
  Destination1: JSON.stringify({
    name: 'splunk',
    kind: 'deliver-firehose',
    queueUrl: q('prod-splunk'),
    deadLetterQueueUrl: q('prod-splunk-dlq'),
    functionName: 'prod-Firehose-splunk',
    failedRecords: 's3://prod-archive/splunk-failed/',
  }),
};

const cfn = mockClient(CloudFormationClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const s3 = mockClient(S3Client);
const cw = mockClient(CloudWatchClient);

beforeEach(() => {
  for (const m of [cfn, sns, sqs, lambda, s3, cw]) m.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'prod',
        StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
        StackStatusReason: 'Resource update cancelled',
        CreationTime: new Date(0),
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  sns
    .on(ListSubscriptionsByTopicCommand, { TopicArn: OPS })
    .resolves({
      Subscriptions: [
        { SubscriptionArn: `${OPS}:1`, Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: OPS },
      ],
    })
    .on(ListSubscriptionsByTopicCommand, { TopicArn: EMAIL_TOPIC })
    // what SNS lists for a subscription nobody confirmed: no ARN
    .resolves({
      Subscriptions: [
        {
          SubscriptionArn: 'PendingConfirmation',
          Protocol: 'email',
          Endpoint: 'soc@example.com',
          TopicArn: EMAIL_TOPIC,
        },
      ],
    });
  sns.on(GetSubscriptionAttributesCommand).resolves({ Attributes: { PendingConfirmation: 'false' } });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' },
  });
  lambda
    .on(ListEventSourceMappingsCommand)
    .resolves({
      EventSourceMappings: [
        {
          UUID: 'u-1',
          State: 'Enabled',
          EventSourceArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:prod-ingest`,
          LastProcessingResult: 'OK',
        },
      ],
    })
    .on(ListEventSourceMappingsCommand, { FunctionName: 'prod-Firehose-splunk' })
    .resolves({
      EventSourceMappings: [
        {
          UUID: 'u-2',
          State: 'Enabled',
          EventSourceArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:prod-splunk`,
          LastProcessingResult: 'PROBLEM: Lambda is unable to access the KMS key',
        },
      ],
    });
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      {
        AlarmName: 'prod-splunk-destination-down',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [1.0] was >= 1.0',
        StateUpdatedTimestamp: new Date(Date.UTC(2026, 11, 2, 9)),
        AlarmDescription: '[Critical] The splunk destination is down. Runbook: docs/deploy.md#operations',
        AlarmActions: [OPS],
      },
      { AlarmName: 'prod-ingest-dlq-not-empty', StateValue: 'OK', AlarmActions: [OPS] },
      // another stack named prod-eu: same prefix, its own ops topic
      { AlarmName: 'prod-eu-ingest-errors', StateValue: 'ALARM', AlarmActions: [`${OPS}-eu`] },
    ],
  });
});

async function run(): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const w = new Writable({
    write(chunk, _e, cb) {
      out.push(String(chunk));
      cb();
    },
  });
  const region = { region: 'eu-west-1' };
  const code = await doctorCommand(
    ['--stack', 'prod', '--region', 'eu-west-1', '--json'],
    { stdout: w, stderr: w },
    {
      cloudformation: new CloudFormationClient(region),
      clients: {
        sqs: new SQSClient(region),
        sns: new SNSClient(region),
        lambda: new LambdaClient(region),
        s3: new S3Client(region),
        cloudwatch: new CloudWatchClient(region),
      },
    },
  );
  return { code, out: out.join('') };
}

describe('segura-relay doctor --stack (AWS answers, mocked)', () => {
  it('finds the resources through the outputs and reports what AWS says, with the fix', async () => {
    const { code, out } = await run();
    expect(code).toBe(1);
    const findings = (JSON.parse(out) as { source: string; findings: Finding[] }).findings;
    const problems = findings.filter((f) => f.status === 'problem');
    expect(problems.map((f) => [f.check, f.subject])).toEqual([
      ['stack', 'prod'],
      ['subscriptions', 'alerts-email topic: email soc@example.com'],
      ['event sources', 'destination splunk (prod-Firehose-splunk)'],
      ['alarms', 'prod-splunk-destination-down'],
    ]);
    expect(problems[0]?.detail).toBe('UPDATE_ROLLBACK_COMPLETE: Resource update cancelled');
    expect(problems[2]?.fix).toContain('kms:Decrypt');
    expect(problems[3]?.fix).toContain('Runbook: docs/deploy.md#operations');
    // a pending subscription has no ARN to ask about; the confirmed one was checked
    expect(sns.commandCalls(GetSubscriptionAttributesCommand).map((c) => c.args[0].input.SubscriptionArn)).toEqual([
      `${OPS}:1`,
    ]);
    expect(findings.find((f) => f.subject === 'CloudWatch alarms')?.detail).toBe('1 of 2 OK');
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNamePrefix).toBe('prod-');
    // read-only: nothing but Describe/List/Get was called
    for (const m of [cfn, sns, sqs, lambda, s3, cw])
      for (const c of m.calls()) expect(c.args[0].constructor.name).toMatch(/^(Describe|List|Get)/);
  });

  it('refuses a stack without the doctor outputs, and usage without a target', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'x', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: [] }],
    });
    const { code, out } = await run();
    expect(code).toBe(1);
    expect(out).toContain('has no RelayName output');
    await expect(doctorCommand([], { stdout: process.stdout, stderr: process.stderr })).rejects.toThrow(
      'give either --stack NAME or --local',
    );
  });

  it('maps the outputs to resources in config order', () => {
    const r = resourcesFromOutputs({
      ...OUTPUTS,
      Destination2: JSON.stringify({
        name: 'qradar',
        kind: 'deliver-syslog',
        queueUrl: q('b'),
        deadLetterQueueUrl: q('b-dlq'),
        functionName: 'f2',
      }),
    });
    expect(r.functions.map((f) => f.label)).toEqual(['normalize', 'destination splunk', 'destination qradar']);
    expect(r.deadLetterQueues.map((d) => [d.label, d.redrive])).toEqual([
      ['ingest', true],
      ['destination splunk', true],
      ['destination qradar', true],
      ['notifications', false],
    ]);
    expect(r.topics.map((t) => t.label)).toEqual(['ops', 'alerts-email']);
    expect(r.failedRecords).toEqual([
      { label: 'destination splunk', uri: 's3://prod-archive/splunk-failed/', queueUrl: q('prod-splunk') },
    ]);
  });
});
