/**
 * evaluate-alerts function factory (Lambda entry and `npm start` share it). Rules are read and
 * validated, and the SNS/DynamoDB/SQS clients created, once per execution environment.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoAlertStore } from '../../shared/alerts/dynamodb-store.js';
import { snsPublisher } from '../../shared/alerts/sns-publisher.js';
import { dynamodbClient, snsClient, sqsClient } from '../../shared/aws-clients.js';
import { deadlineFrom } from '../../shared/deliver/deadline.js';
import { logger, metrics } from '../../shared/observability/index.js';
import { loadEvaluateAlertsConfig } from './config.js';
import { type EvaluateOutcome, evaluateBatch } from './evaluate.js';

interface EvaluateAlertsOverrides {
  /** clock (tests move time across throttle windows). @default Date.now */
  readonly now?: () => number;
  readonly sns?: SNSClient;
  readonly dynamodb?: DynamoDBClient;
  /** observe every batch outcome (local summary, tests) */
  readonly onOutcome?: (o: EvaluateOutcome) => void;
}

/** A claim outlives the invocation by this much, so a concurrent copy cannot take it over mid-way. */
const LEASE_MARGIN_MS = 5_000;

function createEvaluateAlertsHandler(env: NodeJS.ProcessEnv, o: EvaluateAlertsOverrides = {}) {
  const config = loadEvaluateAlertsConfig(env);
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
  const handler = middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const remaining = context.getRemainingTimeInMillis();
      const out = await evaluateBatch(event, {
        config,
        sqs,
        functionName,
        deadlineMs: deadlineFrom(remaining),
        engine: {
          settings: config.rules.settings,
          store,
          publish,
          topicArns: config.topicArns,
          owner: context.awsRequestId,
          leaseUntilMs: now() + remaining + LEASE_MARGIN_MS,
          now,
        },
      });
      o.onOutcome?.(out);
      return { batchItemFailures: out.batchItemFailures };
    });
  return Object.assign(handler, { sns, dynamodb, store, config });
}

export type { EvaluateAlertsOverrides };
export { createEvaluateAlertsHandler };
