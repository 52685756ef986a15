/**
 * normalize function factory: config from an environment, clients, middy + Powertools. The Lambda
 * entry (`handler.ts`) and the local runner (`npm start`) both build the function with this.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { snsClient, sqsClient } from '../../shared/aws-clients.js';
import { deadlineFrom, endOf } from '../../shared/deliver/deadline.js';
import { logger, metrics } from '../../shared/observability/index.js';
import { loadNormalizeConfig } from './config.js';
import { type NormalizeDeps, normalizeBatch } from './normalize.js';

function createNormalizeHandler(env: NodeJS.ProcessEnv, hooks: Pick<NormalizeDeps, 'parse' | 'eventIdKey'> = {}) {
  const config = loadNormalizeConfig(env);
  if (hooks.eventIdKey === undefined) {
    // only outside Lambda (handler.ts always passes the key): tests and local runs without one
    logger.warn('no event id key: events carry no stable id (event.id / externalId / uid)', {
      setting: 'EVENT_ID_KEY_SECRET_ARN',
    });
  }
  const deps: NormalizeDeps = {
    ...hooks,
    config,
    sns: snsClient({ endpoint: config.snsEndpoint }),
    sqs: sqsClient({ endpoint: config.endpoint }),
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'normalize',
  };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler((event, context) => {
      const remaining = context.getRemainingTimeInMillis();
      return normalizeBatch(event, deps, deadlineFrom(remaining), endOf(remaining));
    });
}

export { createNormalizeHandler };
