/**
 * The Lambda wiring every delivery function shares: middy with Powertools' context and metrics
 * middleware around `deliverBatch`, the deadline taken from the invocation's remaining time, the
 * source queue and the backoff from the environment (set by RelayFunction.consume).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { optional, retryBackoffFrom } from '../shared/config/env.js';
import { ENV } from '../shared/contracts/index.js';
import { deadlineFrom, endOf } from '../shared/deliver/deadline.js';
import { type DeliverDeps, deliverBatch } from '../shared/deliver/deliver-batch.js';
import { logger, metrics } from '../shared/observability/index.js';
import type { Renderer } from '../shared/render/types.js';

/** Fault injection for tests: wrap the renderer (the pipeline tests make one record throw). */
interface DeliveryHooks {
  readonly renderer?: (r: Renderer) => Renderer;
}

type HandlerDeps = Omit<DeliverDeps, 'deadlineMs' | 'endMs' | 'backoff' | 'sourceQueueUrl'>;

function deliveryHandler(deps: HandlerDeps, env: NodeJS.ProcessEnv = {}) {
  // read once at INIT: a bad value fails the cold start, naming the variable
  const backoff = retryBackoffFrom(env, ENV.retryBackoff);
  const sourceQueueUrl = optional(env, ENV.sourceQueueUrl);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const remaining = context.getRemainingTimeInMillis();
      const o = await deliverBatch(event, {
        ...deps,
        deadlineMs: deadlineFrom(remaining),
        endMs: endOf(remaining),
        backoff,
        ...(sourceQueueUrl ? { sourceQueueUrl } : {}),
      });
      return { batchItemFailures: o.batchItemFailures };
    });
}

export type { DeliveryHooks };
export { deliveryHandler };
