/**
 * evaluate-alerts function factory (Lambda entry and `npm start` share it). Rules are read and
 * validated, the identity key read from Secrets Manager, and the SNS/DynamoDB/SQS clients created,
 * once per execution environment. One handler, two kinds of invocation: an SQS batch of events, or
 * the periodic sweep (an EventBridge scheduled event) that sends the summaries of closed windows.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoAlertStore } from '../../shared/alerts/dynamodb-store.js';
import type { EngineDeps } from '../../shared/alerts/engine.js';
import type { IdKey } from '../../shared/alerts/identity.js';
import { snsPublisher } from '../../shared/alerts/sns-publisher.js';
import { dynamodbClient, secretsManagerClient, snsClient, sqsClient } from '../../shared/aws-clients.js';
import { deadlineFrom } from '../../shared/deliver/deadline.js';
import { logger, metrics } from '../../shared/observability/index.js';
import { loadEvaluateAlertsConfig } from './config.js';
import { type EvaluateOutcome, evaluateBatch } from './evaluate.js';
import { loadIdKey } from './id-key.js';
import { isSweepInvocation, type ScheduledInvocation, type SweepOutcome, sweep } from './sweep.js';

interface EvaluateAlertsOverrides {
  /** clock (tests move time across throttle windows). @default Date.now */
  readonly now?: () => number;
  readonly sns?: SNSClient;
  readonly dynamodb?: DynamoDBClient;
  readonly secretsManager?: SecretsManagerClient;
  /** observe every batch outcome (local summary, tests) */
  readonly onOutcome?: (o: EvaluateOutcome) => void;
  /** observe every sweep outcome (local summary, tests) */
  readonly onSweep?: (o: SweepOutcome) => void;
}

/** A claim outlives the invocation by this much, so a concurrent copy cannot take it over mid-way. */
const LEASE_MARGIN_MS = 5_000;

type Invocation = SQSEvent | ScheduledInvocation;
type Response = SQSBatchResponse | { readonly summariesSent: number; readonly summariesRetry: number };

async function createEvaluateAlertsHandler(env: NodeJS.ProcessEnv, o: EvaluateAlertsOverrides = {}) {
  const config = loadEvaluateAlertsConfig(env);
  const secrets = o.secretsManager ?? secretsManagerClient({ endpoint: config.secretsManagerEndpoint });
  const key: IdKey = await loadIdKey(secrets, config.idKeySecretArn);
  if (!o.secretsManager) secrets.destroy();
  const sns = o.sns ?? snsClient({ endpoint: config.endpoint });
  const dynamodb = o.dynamodb ?? dynamodbClient({ endpoint: config.dynamodbEndpoint });
  const sqs = sqsClient({ endpoint: config.endpoint });
  const store = new DynamoAlertStore(dynamodb, config.tableName);
  const publish = snsPublisher(sns);
  const now = o.now ?? Date.now;
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'evaluate-alerts';
  logger.info('alert rules loaded', {
    rulesFile: config.rulesFile,
    rules: config.rules.rules.map((r) => r.id),
    disabled: config.rules.disabled,
  });
  const engine = (context: Context, remaining: number): EngineDeps => ({
    settings: config.rules.settings,
    store,
    publish,
    key,
    rules: config.rules.rules,
    topicArns: config.topicArns,
    owner: context.awsRequestId,
    leaseUntilMs: now() + remaining + LEASE_MARGIN_MS,
    now,
  });
  const handler = middy<Invocation, Response>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context): Promise<Response> => {
      const remaining = context.getRemainingTimeInMillis();
      if (isSweepInvocation(event)) {
        const out = await sweep(engine(context, remaining), deadlineFrom(remaining));
        o.onSweep?.(out);
        return { summariesSent: out.sent, summariesRetry: out.retry };
      }
      const out = await evaluateBatch(event, {
        config,
        sqs,
        functionName,
        deadlineMs: deadlineFrom(remaining),
        engine: engine(context, remaining),
      });
      o.onOutcome?.(out);
      return { batchItemFailures: out.batchItemFailures };
    });
  return Object.assign(handler, { sns, dynamodb, store, config, key });
}

/** The EventBridge scheduled event the sweep schedule delivers (local runs and tests send the same). */
function scheduledEvent(time = new Date()): ScheduledInvocation & Record<string, unknown> {
  return {
    version: '0',
    id: `sweep-${time.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: time.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

export type { EvaluateAlertsOverrides };
export { createEvaluateAlertsHandler, scheduledEvent };
