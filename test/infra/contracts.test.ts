/**
 * The contracts module (shared/contracts/index.ts) holds, on both sides, in every example stack:
 * - every key of every SNS filter policy is a message attribute normalize publishes, with the data
 *   type the condition needs (a numeric condition never matches a String attribute). The published
 *   set is not a list written here: the real normalize handler runs on sample events against
 *   fauxqs and its PublishBatch attributes are read back from the topic;
 * - every environment variable a function reads is set on it by the stack (or is optional by
 *   contract, or set by the Lambda runtime), the function's factory accepts exactly what the stack
 *   sets, and the stack sets nothing the function does not read. The reads are recorded, not
 *   listed: each function kind's factory runs on the template's environment behind a Proxy.
 * - the alerts table has the key, TTL attribute and index the store writes (that the store writes
 *   them is test/integration/alerts/store-contract.test.ts, on dynalite).
 * Every alarm on a metric a function emits is test/infra/alarm-metrics.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseHandler } from '../../functions/deliver-firehose/app.js';
import { createSyslogHandler } from '../../functions/deliver-syslog/app.js';
import { createEvaluateAlertsHandler } from '../../functions/evaluate-alerts/app.js';
import { createNormalizeHandler } from '../../functions/normalize/app.js';
import { lambdaContext } from '../../local/poller.js';
import { sampleEvents } from '../../local/sample-events.js';
import { type SecretsManagerDouble, startSecretsManagerDouble } from '../../local/secrets-manager-double.js';
import { parseRulesDocument } from '../../shared/alerts/rules-file.js';
import { secretsManagerClient, snsClient, sqsClient } from '../../shared/aws-clients.js';
import { ENV, EVENT_ATTR, OPTIONAL_ENV, POWERTOOLS_ENV, THROTTLE_TABLE } from '../../shared/contracts/index.js';
import { captureStdout } from '../helpers/capture.js';
import { EXAMPLE_FILES, example, type Json, ROOT, resources } from './helpers.js';

/** attribute name → the DataTypes normalize published it with */
const published = new Map<string, Set<string>>();
let fauxqs: FauxqsServer;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1', messageSpies: { bufferSize: 1_000 } });
  const endpoint = `http://127.0.0.1:${fauxqs.port}`;
  const topicArn = (await snsClient({ endpoint }).send(new CreateTopicCommand({ Name: 'contracts-events' })))
    .TopicArn as string;
  const dlq = (await sqsClient({ endpoint }).send(new CreateQueueCommand({ QueueName: 'contracts-dlq' })))
    .QueueUrl as string;
  const handler = createNormalizeHandler({
    AWS_REGION: 'us-east-1',
    [ENV.awsEndpoint]: endpoint,
    [ENV.eventsTopicArn]: topicArn,
    [ENV.deadLetterQueueUrl]: dlq,
  });
  // the sample mix covers every catalog layout, id-less events and events without a category
  const bodies = [...sampleEvents(300, 7)].map((e) => JSON.stringify(e));
  const records: SQSEvent['Records'] = bodies.map((body, i) => ({
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1768830060123',
      SenderId: 'contracts',
      ApproximateFirstReceiveTimestamp: '1768830060123',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:contracts-ingest',
    awsRegion: 'us-east-1',
  }));
  const cap = captureStdout();
  try {
    const out = await handler({ Records: records }, lambdaContext('normalize', 60_000));
    expect(out.batchItemFailures).toEqual([]);
    expect(cap.metric('EventsPublished')).toBe(records.length);
  } finally {
    cap.restore();
  }
  const sns = fauxqs.spy.getAllMessages().filter((m) => m.service === 'sns');
  expect(sns.length).toBe(records.length);
  for (const m of sns)
    for (const [name, v] of Object.entries(m.messageAttributes)) {
      const types = published.get(name) ?? new Set<string>();
      types.add(v.DataType);
      published.set(name, types);
    }
}, 60_000);

afterAll(async () => {
  await fauxqs?.stop();
});

describe('normalize publishes the attributes of the contract', () => {
  it('exactly the EVENT_ATTR names, each with its one data type', () => {
    expect([...published.keys()].sort()).toEqual(
      Object.values(EVENT_ATTR)
        .map((a) => a.name)
        .sort(),
    );
    for (const a of Object.values(EVENT_ATTR)) expect([...(published.get(a.name) ?? [])], a.name).toEqual([a.type]);
  });
});

/** SNS filter policy conditions that only match a Number attribute. */
function isNumericCondition(c: Json): boolean {
  return typeof c === 'number' || (typeof c === 'object' && c !== null && 'numeric' in c);
}

describe('every filter policy reads attributes normalize publishes', () => {
  const policies = EXAMPLE_FILES.flatMap((file) =>
    Object.entries(resources(example(file).template, 'AWS::SNS::Subscription'))
      .filter(([, s]) => s.Properties?.FilterPolicy !== undefined)
      .map(([id, s]) => ({ file, id, props: s.Properties as Json })),
  );

  it('the examples have filtered subscriptions to check', () => {
    expect(policies.length).toBeGreaterThan(0);
  });

  it.each(policies.map((p) => [`${p.file} ${p.id}`, p] as const))('%s', (_name, p) => {
    // FilterPolicyScope defaults to MessageAttributes; a MessageBody policy would read the JSON instead
    // https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering-scope.html
    expect(p.props.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
    const policy = p.props.FilterPolicy as Record<string, Json[]>;
    expect(Object.keys(policy).length).toBeGreaterThan(0);
    // `$or` holds alternative policies (https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html):
    // every key of every branch must be a published attribute too
    const check = (node: Record<string, Json[]>): void => {
      for (const [key, conditions] of Object.entries(node)) {
        if (key === '$or') {
          for (const branch of conditions) check(branch as Record<string, Json[]>);
          continue;
        }
        const types = published.get(key);
        expect(types, `${key} is an attribute normalize publishes`).toBeDefined();
        const numeric = conditions.some(isNumericCondition);
        expect([...(types ?? [])], `${key}: ${JSON.stringify(conditions)}`).toEqual([numeric ? 'Number' : 'String']);
      }
    };
    check(policy);
  });
});

describe('the alerts table is the one the store writes', () => {
  const tables = EXAMPLE_FILES.flatMap((file) =>
    Object.values(resources(example(file).template, 'AWS::DynamoDB::Table')).map((t) => [file, t.Properties] as const),
  );

  it('examples with alerts have the table', () => {
    expect(tables.length).toBeGreaterThan(0);
  });

  it.each(tables)('%s: key, TTL and the due index of THROTTLE_TABLE', (_file, p: Json) => {
    expect(p.KeySchema).toEqual([{ AttributeName: THROTTLE_TABLE.partitionKey, KeyType: 'HASH' }]);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: THROTTLE_TABLE.ttl, Enabled: true });
    const due = THROTTLE_TABLE.dueIndex;
    expect(p.GlobalSecondaryIndexes.map((g: Json) => [g.IndexName, g.KeySchema])).toEqual([
      [
        due.name,
        [
          { AttributeName: due.partitionKey, KeyType: 'HASH' },
          { AttributeName: due.sortKey, KeyType: 'RANGE' },
        ],
      ],
    ]);
  });
});

// ─── environment ────────────────────────────────────────────────────────────────────────────────

/**
 * Variables the Lambda runtime sets itself (reserved), which functions may read.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
const LAMBDA_RUNTIME_ENV = new Set([
  'AWS_REGION',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);

/** Variables the stack sets for the runtime or Powertools, not for the relay's code. */
const NOT_READ_BY_RELAY_CODE = new Set(['NODE_OPTIONS', POWERTOOLS_ENV.logLevel]);

type Kind = 'normalize' | 'deliver-firehose' | 'deliver-syslog' | 'evaluate-alerts';
const KINDS: readonly Kind[] = ['normalize', 'deliver-firehose', 'deliver-syslog', 'evaluate-alerts'];

interface Resolver {
  readonly secrets: SecretsManagerDouble;
  /** the bundle root the `/var/task/…` paths point into */
  readonly taskRoot: string;
}

/**
 * A deployed value for a CloudFormation expression in a function's environment: what `Ref` and
 * `Fn::GetAtt` return for each resource type.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html
 */
function resolveValue(v: Json, t: Json, r: Resolver): string | string[] {
  if (typeof v === 'string') return v.replaceAll('/var/task/', `${r.taskRoot}/`);
  if (v.Ref !== undefined) {
    const ref = v.Ref as string;
    if (ref === 'AWS::Region') return 'us-east-1';
    if (ref === 'AWS::AccountId') return '123456789012';
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (ref === 'AWS::Partition') return 'aws';
    const type = t.Resources?.[ref]?.Type ?? (t.Parameters?.[ref] ? 'parameter' : undefined);
    switch (type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.us-east-1.amazonaws.com/123456789012/${ref}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:us-east-1:123456789012:${ref}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::KinesisFirehose::DeliveryStream':
        return ref;
      case 'AWS::SecretsManager::Secret':
        return r.secrets.put(ref, `contracts-${randomUUID()}-${randomUUID()}`);
      case 'parameter':
        return String(t.Parameters[ref].Default ?? `param-${ref}`);
      default:
        throw new Error(`no deployed value for Ref ${ref} (${type})`);
    }
  }
  if (v['Fn::GetAtt'] !== undefined) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    if (attr === 'DNSName') return `${id.toLowerCase()}-0123456789.elb.us-east-1.amazonaws.com`;
    if (attr === 'DnsEntries') return [`Z7HUB22UULQXV:vpce-0123-abcd.sqs.us-east-1.vpce.amazonaws.com`];
    if (attr === 'Arn') return `arn:aws:${id}`;
    throw new Error(`no deployed value for Fn::GetAtt ${id}.${attr}`);
  }
  if (v['Fn::Join'] !== undefined) {
    const [sep, parts] = v['Fn::Join'] as [string, Json[]];
    return parts.map((p) => String(resolveValue(p, t, r))).join(sep);
  }
  if (v['Fn::Select'] !== undefined) {
    const [i, list] = v['Fn::Select'] as [number, Json];
    const l = resolveValue(list, t, r);
    return (Array.isArray(l) ? l : [l])[Number(i)] as string;
  }
  if (v['Fn::Split'] !== undefined) {
    const [sep, s] = v['Fn::Split'] as [string, Json];
    return String(resolveValue(s, t, r)).split(sep);
  }
  throw new Error(`unexpected value ${JSON.stringify(v)}`);
}

/** An environment that records every variable read from it. */
function recording(env: Record<string, string>): { env: NodeJS.ProcessEnv; reads: Set<string> } {
  const reads = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, k) {
      if (typeof k === 'string') reads.add(k);
      return target[k as string];
    },
    has(target, k) {
      if (typeof k === 'string') reads.add(k);
      return k in target;
    },
  });
  return { env: proxy, reads };
}

let secrets: SecretsManagerDouble;
let taskRoot: string;

beforeAll(async () => {
  secrets = await startSecretsManagerDouble();
  taskRoot = mkdtempSync(join(tmpdir(), 'relay-contracts-task-'));
  // what CDK bundles next to the handlers: a collector CA and the alert rules converted to JSON
  copyFileSync(join(ROOT, 'test/fixtures/tls/ca.pem'), join(taskRoot, 'collector-ca.pem'));
}, 30_000);

afterAll(async () => {
  await secrets?.stop();
});

/** Build the function kind from `env` the way its handler.ts does (no invocation). */
async function construct(kind: Kind, env: NodeJS.ProcessEnv): Promise<void> {
  switch (kind) {
    case 'normalize':
      createNormalizeHandler(env);
      return;
    case 'deliver-firehose':
      createFirehoseHandler(env);
      return;
    case 'deliver-syslog':
      createSyslogHandler(env);
      return;
    case 'evaluate-alerts': {
      const sm = secretsManagerClient({ endpoint: secrets.endpoint });
      await createEvaluateAlertsHandler(env, { secretsManager: sm });
      sm.destroy();
      return;
    }
  }
}

describe.each(EXAMPLE_FILES)('%s: every variable a function reads is set on it', (file) => {
  const { template, config } = example(file);
  const t = template.toJSON();
  const fns = Object.entries(resources(template, 'AWS::Lambda::Function'))
    .map(([id, f]) => {
      const vars = (f.Properties?.Environment?.Variables ?? {}) as Record<string, Json>;
      const service = vars[POWERTOOLS_ENV.serviceName];
      const kind = KINDS.find((k) => typeof service === 'string' && service.endsWith(`-${k}`));
      return { id, vars, kind };
    })
    .filter((f): f is { id: string; vars: Record<string, Json>; kind: Kind } => f.kind !== undefined);

  it('has the relay functions', () => {
    expect(fns.map((f) => f.kind)).toContain('normalize');
  });

  it.each(fns.map((f) => [`${f.kind} ${f.id}`, f] as const))('%s', async (_name, f) => {
    if (f.kind === 'evaluate-alerts') {
      const source = config.alerts?.rules.sourceFile as string;
      const doc = parseRulesDocument(readFileSync(source, 'utf8'), source);
      writeFileSync(join(taskRoot, 'alert-rules.json'), JSON.stringify(doc));
    }
    const set: Record<string, string> = { AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: f.id };
    for (const [k, v] of Object.entries(f.vars)) set[k] = String(resolveValue(v, t, { secrets, taskRoot }));
    const { env, reads } = recording(set);
    // the factory accepts exactly what the stack sets
    const cap = captureStdout();
    try {
      await construct(f.kind, env);
    } finally {
      cap.restore();
    }
    const unset = [...reads].filter((k) => !(k in f.vars) && !OPTIONAL_ENV.has(k) && !LAMBDA_RUNTIME_ENV.has(k));
    expect(unset, 'read by the function, not set by the stack').toEqual([]);
    const unread = Object.keys(f.vars).filter(
      (k) => !reads.has(k) && !NOT_READ_BY_RELAY_CODE.has(k) && !Object.values(POWERTOOLS_ENV).includes(k as never),
    );
    expect(unread, 'set by the stack, never read by the function').toEqual([]);
    // every relay setting is a contract name
    const contract = new Set<string>([...Object.values(ENV), ...Object.values(POWERTOOLS_ENV)]);
    for (const k of Object.keys(f.vars)) if (!NOT_READ_BY_RELAY_CODE.has(k)) expect(contract, k).toContain(k);
  });
});

describe('code outside the factories reads only runtime and Powertools variables', () => {
  /** Source files of the functions and the runtime modules they import (the bridge runs in the CLI). */
  function sources(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.ts'))
      .map((d) => join(d.parentPath, d.name))
      .filter((p) => !p.includes(`${join('shared', 'bridge')}`));
  }

  it('every process.env.NAME is a Lambda runtime or Powertools variable', () => {
    const allowed = new Set<string>([...LAMBDA_RUNTIME_ENV, 'AWS_PROFILE', ...Object.values(POWERTOOLS_ENV)]);
    const found: string[] = [];
    for (const file of [...sources('functions'), ...sources('shared')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z0-9_]+)/g)) {
        found.push(m[1] as string);
        expect(allowed, `${file}: process.env.${m[1]}`).toContain(m[1]);
      }
    }
    expect(found.length).toBeGreaterThan(0);
  });
});
