/** normalize configuration, read and validated once at cold start. */

import { boolean, frozen, integer, optional, required } from '../../shared/config/env.js';
import { ENV } from '../../shared/contracts/index.js';
import { ConfigError } from '../../shared/errors.js';
import { DEFAULT_MAX_INPUT_BYTES } from '../../shared/parse/parse-payload.js';

interface NormalizeConfig {
  readonly eventsTopicArn: string;
  readonly deadLetterQueueUrl: string;
  readonly maxInputBytes: number;
  /** let secret-looking fields reach the SIEMs (`ALLOW_SECRET_FIELDS=true`); off by default */
  readonly allowSecretFields: boolean;
  readonly endpoint: string | undefined;
  /** SNS-only endpoint override, else `endpoint` */
  readonly snsEndpoint: string | undefined;
}

function loadNormalizeConfig(env: NodeJS.ProcessEnv = process.env): NormalizeConfig {
  const eventsTopicArn = required(env, ENV.eventsTopicArn);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(eventsTopicArn)) {
    throw new ConfigError(ENV.eventsTopicArn, `not an SNS topic ARN: ${eventsTopicArn}`);
  }
  const deadLetterQueueUrl = required(env, ENV.deadLetterQueueUrl);
  if (!/^https?:\/\/\S+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(deadLetterQueueUrl)) {
    throw new ConfigError(ENV.deadLetterQueueUrl, `not an SQS queue URL: ${deadLetterQueueUrl}`);
  }
  const maxInputBytes = integer(env, ENV.maxInputBytes, {
    min: 1024,
    max: 1_048_576,
    fallback: DEFAULT_MAX_INPUT_BYTES,
  });
  const endpoint = optional(env, ENV.awsEndpoint);
  return frozen({
    eventsTopicArn,
    deadLetterQueueUrl,
    maxInputBytes,
    allowSecretFields: boolean(env, ENV.allowSecretFields, false),
    endpoint,
    snsEndpoint: optional(env, ENV.snsEndpoint) ?? endpoint,
  });
}

export type { NormalizeConfig };
export { loadNormalizeConfig };
