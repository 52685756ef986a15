/** normalize's dependencies for unit tests that mock SNS/SQS with aws-sdk-client-mock. */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { NormalizeConfig } from '../../functions/normalize/config.js';
import type { NormalizeDeps } from '../../functions/normalize/normalize.js';

/** A valid normalize configuration publishing to a fixed events topic and parking in `deadLetterQueueUrl`. */
function normalizeConfig(deadLetterQueueUrl: string): NormalizeConfig {
  return {
    eventsTopicArn: 'arn:aws:sns:us-east-1:111122223333:events',
    deadLetterQueueUrl,
    maxInputBytes: 262_144,
    allowSecretFields: false,
    endpoint: undefined,
    snsEndpoint: undefined,
  };
}

/** normalizeBatch's deps: that configuration, fresh clients (the mocks intercept them), and `over`. */
function normalizeDeps(deadLetterQueueUrl: string, over: Partial<NormalizeDeps> = {}): NormalizeDeps {
  return {
    config: normalizeConfig(deadLetterQueueUrl),
    sns: new SNSClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    functionName: 'normalize',
    ...over,
  };
}

export { normalizeConfig, normalizeDeps };
