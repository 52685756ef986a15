/**
 * `segura-relay doctor`: a read-only health check of a deployed relay (`--stack NAME`) or of the
 * local relay of `npm start -- --serve` (`--local`). It finds the relay's resources through the
 * stack's outputs (CloudFormation DescribeStacks; locally the manifest `--serve` writes with the
 * same keys, shared/config/stack-outputs.ts) and reports, with what to do for each problem:
 * - alert and ops subscriptions that were never confirmed (an unconfirmed email or HTTPS
 *   subscription receives nothing): ListSubscriptionsByTopic shows `PendingConfirmation` instead
 *   of an ARN, and GetSubscriptionAttributes says `PendingConfirmation: true`
 *   (https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html);
 * - each function's event source mapping (ListEventSourceMappings): disabled, or its last
 *   processing result a `PROBLEM` (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html);
 * - the depth of every dead-letter queue, and of the records Firehose backed up after giving up;
 * - the relay's CloudWatch alarms (DescribeAlarms) in state ALARM (none locally: no CloudWatch).
 * Only Describe/List/Get calls: it changes nothing.
 */
import {
  CloudFormationClient as CfnClient,
  type CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  type Subscription,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toolSqsClient } from '../bridge/sqs.js';
import { LOCAL_MANIFEST_PATH, type LocalManifest, readLocalManifest } from '../local/manifest.js';
import { type DestinationOutput, destinationIndex, STACK_OUTPUT } from '../shared/config/stack-outputs.js';
import { errorMessage } from '../shared/errors.js';
import { parse, UsageError } from './args.js';
import { parseS3Uri, toolS3Client } from './redrive-s3.js';

const HELP = `Usage: segura-relay doctor --stack NAME [--region R] [--json]
       segura-relay doctor --local [--manifest FILE] [--json]

Read-only health check of a relay: finds its resources from the stack's outputs (CloudFormation
DescribeStacks) or, with --local, from the manifest that 'npm start -- --serve' writes
(${LOCAL_MANIFEST_PATH}), and reports, each problem with what to do:
  subscriptions       email/HTTPS subscriptions of the alert and ops topics not confirmed
                      (they receive nothing), topics nobody subscribes to
  event sources       each function's SQS event source mapping: disabled, or its last result a PROBLEM
  dead-letter queues  messages parked in each DLQ (events that need a redrive once the cause is fixed)
  failed records      records Firehose backed up to S3 after giving up on Splunk/HTTP (redrive --from-s3)
  alarms              the relay's CloudWatch alarms in state ALARM (not available locally)
It only reads (Describe/List/Get calls). Permissions: cloudformation:DescribeStacks,
sns:ListSubscriptionsByTopic, sns:GetSubscriptionAttributes, lambda:ListEventSourceMappings,
sqs:GetQueueAttributes, s3:ListBucket on the archive bucket, cloudwatch:DescribeAlarms.

Options:
  --stack NAME       the relay's CloudFormation stack (its deployment name)
  --region R         AWS region (default: AWS_REGION / the profile's)
  --local            the local relay of 'npm start -- --serve' in this folder
  --manifest FILE    with --local: the manifest to read (default ${LOCAL_MANIFEST_PATH})
  --json             print the findings as one JSON document
  -h, --help         this help

Exit status: 0 no problem found, 1 problems (or checks that could not run), 2 usage error.`;

/** One line of the report. */
interface Finding {
  readonly check: 'stack' | 'subscriptions' | 'event sources' | 'dead-letter queues' | 'failed records' | 'alarms';
  /** ok; problem (needs action); info (worth knowing); error (the check itself failed) */
  readonly status: 'ok' | 'problem' | 'info' | 'error';
  readonly subject: string;
  readonly detail: string;
  /** what to do */
  readonly fix?: string;
}

/** The relay's resources, as the outputs name them. */
interface RelayResources {
  readonly relayName: string;
  readonly functions: ReadonlyArray<{ readonly label: string; readonly functionName: string }>;
  readonly deadLetterQueues: ReadonlyArray<{ readonly label: string; readonly url: string; readonly redrive: boolean }>;
  readonly sourceQueues: ReadonlyArray<{ readonly label: string; readonly url: string }>;
  readonly topics: ReadonlyArray<{ readonly label: string; readonly arn: string }>;
  readonly failedRecords: ReadonlyArray<{ readonly label: string; readonly uri: string; readonly queueUrl: string }>;
  readonly opsTopicArn?: string;
}

interface DoctorClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly lambda: LambdaClient;
  readonly s3: S3Client | null;
  /** null: no CloudWatch (the local relay) */
  readonly cloudwatch: CloudWatchClient | null;
  /** the local relay: topics without subscribers are expected there (the emulator records what they get) */
  readonly local?: boolean;
}

/** Resources from the stack's outputs (or the local manifest's, same keys). */
function resourcesFromOutputs(outputs: Readonly<Record<string, string>>): RelayResources {
  const o = (k: string): string | undefined => outputs[k] || undefined;
  const functions: Array<{ label: string; functionName: string }> = [];
  const dlqs: Array<{ label: string; url: string; redrive: boolean }> = [];
  const sources: Array<{ label: string; url: string }> = [];
  const topics: Array<{ label: string; arn: string }> = [];
  const failed: Array<{ label: string; uri: string; queueUrl: string }> = [];
  const fnNormalize = o(STACK_OUTPUT.normalizeFunctionName);
  if (fnNormalize) functions.push({ label: 'normalize', functionName: fnNormalize });
  const ingest = o(STACK_OUTPUT.ingestQueueUrl);
  if (ingest) sources.push({ label: 'ingest', url: ingest });
  const ingestDlq = o(STACK_OUTPUT.ingestDeadLetterQueueUrl);
  if (ingestDlq) dlqs.push({ label: 'ingest', url: ingestDlq, redrive: true });
  const destinations = Object.keys(outputs)
    .map((k) => [destinationIndex(k), k] as const)
    .filter((x): x is readonly [number, string] => x[0] !== null)
    .sort((a, b) => a[0] - b[0]);
  for (const [, key] of destinations) {
    let d: DestinationOutput;
    try {
      d = JSON.parse(outputs[key] as string) as DestinationOutput;
    } catch (e) {
      throw new Error(`stack output ${key} is not JSON: ${errorMessage(e)}`);
    }
    const label = `destination ${d.name}`;
    functions.push({ label, functionName: d.functionName });
    sources.push({ label, url: d.queueUrl });
    dlqs.push({ label, url: d.deadLetterQueueUrl, redrive: true });
    if (d.failedRecords) failed.push({ label, uri: d.failedRecords, queueUrl: d.queueUrl });
  }
  const alertsFn = o(STACK_OUTPUT.alertsFunctionName);
  if (alertsFn) functions.push({ label: 'alerts', functionName: alertsFn });
  const alertsQ = o(STACK_OUTPUT.alertsQueueUrl);
  if (alertsQ) sources.push({ label: 'alerts', url: alertsQ });
  const alertsDlq = o(STACK_OUTPUT.alertsDeadLetterQueueUrl);
  if (alertsDlq) dlqs.push({ label: 'alerts', url: alertsDlq, redrive: true });
  const notifications = o(STACK_OUTPUT.notificationDeadLetterQueueUrl);
  if (notifications) dlqs.push({ label: 'notifications', url: notifications, redrive: false });
  for (const [k, v] of Object.entries(outputs)) {
    if (k.startsWith(STACK_OUTPUT.alertTopicArnPrefix) && v)
      topics.push({ label: `alerts-${k.slice(STACK_OUTPUT.alertTopicArnPrefix.length).toLowerCase()}`, arn: v });
  }
  const ops = o(STACK_OUTPUT.opsTopicArn);
  if (ops) topics.unshift({ label: 'ops', arn: ops });
  return {
    relayName: o(STACK_OUTPUT.relayName) ?? '',
    functions,
    deadLetterQueues: dlqs,
    sourceQueues: sources,
    topics,
    failedRecords: failed,
    ...(ops ? { opsTopicArn: ops } : {}),
  };
}

const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Protocols whose subscriptions SNS only delivers to once confirmed. */
const CONFIRMED_PROTOCOLS = new Set(['email', 'email-json', 'http', 'https']);

function confirmFix(protocol: string): string {
  if (protocol.startsWith('email'))
    return "the recipient must open the 'AWS Notification - Subscription Confirmation' email and click 'Confirm subscription' (the link is valid for 3 days; after that delete the subscription and subscribe again: aws sns subscribe, or redeploy)";
  return 'the endpoint must answer the SubscriptionConfirmation request by visiting its SubscribeURL (or an operator calls aws sns confirm-subscription with its token); then check again';
}

async function checkSubscriptions(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const t of r.topics) {
    const subs: Subscription[] = [];
    try {
      let token: string | undefined;
      for (let page = 0; page < 100; page++) {
        const res = await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: t.arn, NextToken: token }));
        subs.push(...(res.Subscriptions ?? []));
        token = res.NextToken;
        if (!token) break;
      }
    } catch (e) {
      out.push({
        check: 'subscriptions',
        status: 'error',
        subject: `${t.label} topic`,
        detail: `cannot list its subscriptions: ${message(e)}`,
        fix: 'needs sns:ListSubscriptionsByTopic on the topic',
      });
      continue;
    }
    if (subs.length === 0) {
      const chat = t.label === 'alerts-chat';
      out.push({
        check: 'subscriptions',
        status: c.local ? 'info' : 'problem',
        subject: `${t.label} topic`,
        detail: c.local
          ? 'no subscription (locally the emulator records what the topic receives)'
          : `no subscription: ${t.label === 'ops' ? 'alarms notify' : 'these alerts reach'} nobody`,
        fix: chat
          ? 'add this topic to an AWS Chatbot channel configuration (Chatbot subscribes itself): see docs/deploy.md'
          : 'add a subscriber in the deployment config (alerts.subscribers or operations.alarmEmails) and redeploy',
      });
      continue;
    }
    for (const s of subs) {
      const who = `${t.label} topic: ${s.Protocol} ${s.Endpoint}`;
      let pending = s.SubscriptionArn === 'PendingConfirmation';
      if (!pending && s.SubscriptionArn && CONFIRMED_PROTOCOLS.has(s.Protocol ?? '')) {
        try {
          const a = await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }));
          pending = a.Attributes?.PendingConfirmation === 'true';
        } catch (e) {
          out.push({
            check: 'subscriptions',
            status: 'error',
            subject: who,
            detail: `cannot read its attributes: ${message(e)}`,
            fix: 'needs sns:GetSubscriptionAttributes',
          });
          continue;
        }
      }
      out.push(
        pending
          ? {
              check: 'subscriptions',
              status: 'problem',
              subject: who,
              detail: 'not confirmed: it receives nothing',
              fix: confirmFix(s.Protocol ?? ''),
            }
          : { check: 'subscriptions', status: 'ok', subject: who, detail: 'confirmed' },
      );
    }
  }
  return out;
}

async function checkEventSources(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of r.functions) {
    const subject = `${f.label} (${f.functionName})`;
    try {
      const mappings = [];
      let marker: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await c.lambda.send(
          new ListEventSourceMappingsCommand({ FunctionName: f.functionName, Marker: marker }),
        );
        mappings.push(...(res.EventSourceMappings ?? []));
        marker = res.NextMarker;
        if (!marker) break;
      }
      if (mappings.length === 0) {
        out.push({
          check: 'event sources',
          status: 'problem',
          subject,
          detail: 'no event source mapping: the function receives no events',
          fix: 'redeploy the stack (cdk deploy) to recreate the SQS trigger',
        });
      }
      for (const m of mappings) {
        const queue = m.EventSourceArn?.split(':').pop() ?? '?';
        const state = m.State ?? '?';
        const result = m.LastProcessingResult ?? '-';
        // the transition reason says who disabled it (USER_INITIATED, or Lambda itself after errors)
        const why = state !== 'Enabled' && m.StateTransitionReason ? ` (${m.StateTransitionReason})` : '';
        const detail = `${state}${why} on ${queue}, last result: ${result}`;
        if (state === 'Disabled' || state === 'Disabling') {
          out.push({
            check: 'event sources',
            status: 'problem',
            subject,
            detail,
            fix: `events wait in ${queue} until it is enabled again: aws lambda update-event-source-mapping --uuid ${m.UUID} --enabled (and find out who disabled it)`,
          });
        } else if (result.startsWith('PROBLEM')) {
          out.push({
            check: 'event sources',
            status: 'problem',
            subject,
            detail,
            fix: `read the function's log group (/aws/lambda/${f.functionName}) and its errors alarm; a mapping that cannot poll usually lacks sqs:ReceiveMessage or kms:Decrypt on the queue's key`,
          });
        } else if (state !== 'Enabled') {
          out.push({ check: 'event sources', status: 'info', subject, detail: `${detail}: in transition` });
        } else out.push({ check: 'event sources', status: 'ok', subject, detail });
      }
    } catch (e) {
      out.push({
        check: 'event sources',
        status: 'error',
        subject,
        detail: `cannot list its event source mappings: ${message(e)}`,
        fix: 'needs lambda:ListEventSourceMappings',
      });
    }
  }
  return out;
}

async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(a.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function checkQueues(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const q of r.deadLetterQueues) {
    const subject = `${q.label} DLQ`;
    try {
      const d = await depth(c.sqs, q.url);
      const n = d.visible + d.inFlight;
      if (n === 0) out.push({ check: 'dead-letter queues', status: 'ok', subject, detail: 'empty' });
      else
        out.push({
          check: 'dead-letter queues',
          status: 'problem',
          subject,
          detail: `${n} message(s) parked${d.inFlight ? ` (${d.inFlight} being read right now)` : ''}`,
          fix: q.redrive
            ? `see why: segura-relay redrive --dlq-url ${q.url} --dry-run; fix the cause, then run it without --dry-run`
            : 'SNS could not deliver these notifications to a subscriber (endpoint down, SMS spend limit, unconfirmed or deleted subscription): read them (their attributes name the subscription), fix the subscriber; they are notifications, not events: no redrive needed',
        });
    } catch (e) {
      out.push({
        check: 'dead-letter queues',
        status: 'error',
        subject,
        detail: `cannot read its depth: ${message(e)}`,
        fix: 'needs sqs:GetQueueAttributes',
      });
    }
  }
  for (const q of r.sourceQueues) {
    try {
      const d = await depth(c.sqs, q.url);
      if (d.visible + d.inFlight > 0)
        out.push({
          check: 'dead-letter queues',
          status: 'info',
          subject: `${q.label} queue`,
          detail: `${d.visible} waiting, ${d.inFlight} in flight (backlog or backed off while a destination is down)`,
        });
    } catch (e) {
      out.push({
        check: 'dead-letter queues',
        status: 'error',
        subject: `${q.label} queue`,
        detail: `cannot read its depth: ${message(e)}`,
        fix: 'needs sqs:GetQueueAttributes',
      });
    }
  }
  return out;
}

async function checkFailedRecords(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of r.failedRecords) {
    const subject = `${f.label}: ${f.uri}`;
    if (!c.s3) {
      out.push({ check: 'failed records', status: 'info', subject, detail: 'no S3 endpoint to check' });
      continue;
    }
    try {
      const { bucket, prefix } = parseS3Uri(f.uri);
      const res = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
      const n = res.KeyCount ?? res.Contents?.length ?? 0;
      if (n === 0) out.push({ check: 'failed records', status: 'ok', subject, detail: 'none' });
      else
        out.push({
          check: 'failed records',
          status: 'problem',
          subject,
          detail: `${n}${res.IsTruncated ? '+' : ''} object(s) of records Firehose gave up on: these events did not reach the SIEM`,
          fix: `once the endpoint works: segura-relay redrive --from-s3 ${f.uri} --to ${f.queueUrl} --dry-run, then without --dry-run`,
        });
    } catch (e) {
      out.push({
        check: 'failed records',
        status: 'error',
        subject,
        detail: `cannot list them: ${message(e)}`,
        fix: 'needs s3:ListBucket on the archive bucket',
      });
    }
  }
  return out;
}

async function checkAlarms(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  if (!c.cloudwatch)
    return [
      {
        check: 'alarms',
        status: 'info',
        subject: 'CloudWatch alarms',
        detail: 'no CloudWatch locally: alarms exist in a deployed stack only (segura-relay doctor --stack NAME)',
      },
    ];
  const alarms: MetricAlarm[] = [];
  try {
    let token: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await c.cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: `${r.relayName}-`, NextToken: token, MaxRecords: 100 }),
      );
      alarms.push(...(res.MetricAlarms ?? []));
      token = res.NextToken;
      if (!token) break;
    }
  } catch (e) {
    return [
      {
        check: 'alarms',
        status: 'error',
        subject: 'CloudWatch alarms',
        detail: `cannot describe them: ${message(e)}`,
        fix: 'needs cloudwatch:DescribeAlarms',
      },
    ];
  }
  // the relay's alarms all notify its ops topic: that tells them from another stack's with the same prefix
  const ours = r.opsTopicArn ? alarms.filter((a) => a.AlarmActions?.includes(r.opsTopicArn as string)) : alarms;
  if (ours.length === 0)
    return [
      {
        check: 'alarms',
        status: 'problem',
        subject: 'CloudWatch alarms',
        detail: `no alarm named ${r.relayName}-… notifies the ops topic`,
        fix: 'redeploy the stack; nothing pages during an outage without them',
      },
    ];
  const out: Finding[] = [];
  for (const a of ours) {
    if (a.StateValue === 'ALARM')
      out.push({
        check: 'alarms',
        status: 'problem',
        subject: a.AlarmName ?? '?',
        detail: `ALARM since ${a.StateUpdatedTimestamp?.toISOString() ?? '?'}: ${a.StateReason ?? ''}`,
        fix: a.AlarmDescription ?? 'see docs/deploy.md#operations',
      });
    else if (a.StateValue === 'INSUFFICIENT_DATA')
      out.push({ check: 'alarms', status: 'info', subject: a.AlarmName ?? '?', detail: 'INSUFFICIENT_DATA' });
  }
  const ok = ours.filter((a) => a.StateValue === 'OK').length;
  out.push({ check: 'alarms', status: 'ok', subject: 'CloudWatch alarms', detail: `${ok} of ${ours.length} OK` });
  return out;
}

/** Run every check; never throws (a failing call is an `error` finding). */
async function runDoctor(r: RelayResources, c: DoctorClients): Promise<Finding[]> {
  return [
    ...(await checkSubscriptions(r, c)),
    ...(await checkEventSources(r, c)),
    ...(await checkQueues(r, c)),
    ...(await checkFailedRecords(r, c)),
    ...(await checkAlarms(r, c)),
  ];
}

const MARK = { ok: '✓', problem: '✗', info: '·', error: '!' } as const;

function renderReport(source: string, findings: readonly Finding[]): string {
  const lines = [`segura-relay doctor: ${source}`];
  let section = '';
  for (const f of findings) {
    if (f.check !== section) {
      section = f.check;
      lines.push('', section);
    }
    lines.push(`  ${MARK[f.status]} ${f.subject}: ${f.detail}`);
    if (f.fix && f.status !== 'ok') lines.push(`      → ${f.fix}`);
  }
  const problems = findings.filter((f) => f.status === 'problem').length;
  const errors = findings.filter((f) => f.status === 'error').length;
  lines.push(
    '',
    problems + errors === 0
      ? 'no problem found'
      : `${problems} problem(s)${errors ? `, ${errors} check(s) could not run` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The stack's outputs, and a finding when the stack itself is not in a healthy state. */
async function stackOutputs(
  cfn: CloudFormationClient,
  stack: string,
): Promise<{ outputs: Record<string, string>; findings: Finding[] }> {
  const res = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  const s = res.Stacks?.[0];
  if (!s) throw new Error(`stack ${stack} not found`);
  const outputs: Record<string, string> = {};
  for (const o of s.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  const status = s.StackStatus ?? '?';
  const healthy = /_COMPLETE$/.test(status) && !/ROLLBACK/.test(status);
  const findings: Finding[] = [
    healthy
      ? { check: 'stack', status: 'ok', subject: stack, detail: status }
      : {
          check: 'stack',
          status: 'problem',
          subject: stack,
          detail: `${status}${s.StackStatusReason ? `: ${s.StackStatusReason}` : ''}`,
          fix: 'read the stack events (aws cloudformation describe-stack-events) and deploy again',
        },
  ];
  if (!outputs[STACK_OUTPUT.relayName])
    throw new Error(
      `stack ${stack} has no ${STACK_OUTPUT.relayName} output: not a relay stack, or deployed before doctor existed (redeploy)`,
    );
  return { outputs, findings };
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

async function doctorCommand(
  argv: string[],
  io: Io,
  deps: { clients?: DoctorClients; cloudformation?: CloudFormationClient } = {},
): Promise<number> {
  const { values: v } = parse(argv, {
    stack: { type: 'string' },
    region: { type: 'string' },
    local: { type: 'boolean' },
    manifest: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if ((v.stack === undefined) === (v.local !== true)) throw new UsageError('give either --stack NAME or --local');
  if (v.manifest !== undefined && v.local !== true) throw new UsageError('--manifest goes with --local');
  if (v.region !== undefined && v.local === true) throw new UsageError('--region goes with --stack');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const owned: Array<{ destroy(): void }> = [];
  try {
    let outputs: Record<string, string>;
    let source: string;
    let clients: DoctorClients;
    const pre: Finding[] = [];
    if (v.local) {
      let m: LocalManifest;
      try {
        m = readLocalManifest(v.manifest ?? LOCAL_MANIFEST_PATH);
      } catch (e) {
        io.stderr.write(`segura-relay doctor: ${errorMessage(e)}\n`);
        return 1;
      }
      outputs = { ...m.outputs };
      source = `local relay (pid ${m.pid}, ${v.manifest ?? LOCAL_MANIFEST_PATH})`;
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      clients = deps.clients ?? {
        sqs: toolSqsClient({ endpoint: m.endpoint, region: 'us-east-1' }),
        sns: new SNSClient({ endpoint: m.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
        lambda: new LambdaClient({ endpoint: m.lambdaEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
        s3: m.s3Endpoint ? toolS3Client({ endpoint: m.s3Endpoint }) : null,
        cloudwatch: null,
        local: true,
      };
    } else {
      const stack = v.stack as string;
      const region = v.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      const r = region ? { region } : {};
      const cfn = deps.cloudformation ?? new CfnClient({ ...r, maxAttempts: 3 });
      if (!deps.cloudformation) owned.push(cfn);
      try {
        const so = await stackOutputs(cfn, stack);
        outputs = so.outputs;
        pre.push(...so.findings);
      } catch (e) {
        io.stderr.write(`segura-relay doctor: cannot read stack ${stack}: ${message(e)}\n`);
        return 1;
      }
      source = `stack ${stack}${region ? ` (${region})` : ''}`;
      clients = deps.clients ?? {
        sqs: toolSqsClient({ ...r, maxAttempts: 3 }),
        sns: new SNSClient({ ...r, maxAttempts: 3 }),
        lambda: new LambdaClient({ ...r, maxAttempts: 3 }),
        s3: toolS3Client(r),
        cloudwatch: new CloudWatchClient({ ...r, maxAttempts: 3 }),
      };
    }
    if (!deps.clients) {
      owned.push(clients.sqs, clients.sns, clients.lambda);
      if (clients.s3) owned.push(clients.s3);
      if (clients.cloudwatch) owned.push(clients.cloudwatch);
    }
    const findings = [...pre, ...(await runDoctor(resourcesFromOutputs(outputs), clients))];
    if (v.json) io.stdout.write(`${JSON.stringify({ source, findings }, null, 2)}\n`);
    else io.stdout.write(renderReport(source, findings));
    return findings.some((f) => f.status === 'problem' || f.status === 'error') ? 1 : 0;
  } finally {
    for (const c of owned) c.destroy();
  }
}

export type { DoctorClients, Finding, RelayResources };
export { doctorCommand, renderReport, resourcesFromOutputs, runDoctor, stackOutputs };
