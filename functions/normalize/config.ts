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
  /**
   * ARN of the secret keying the stable event ids (set by the stack; the Lambda entry refuses to
   * start without it). Unset elsewhere (tests, `npm start`): the key is passed in, or events carry no uid.
   */
  readonly eventIdKeySecretArn?: string | undefined;
  /** Secrets Manager-only endpoint override, else `endpoint` */
  readonly secretsManagerEndpoint?: string | undefined;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

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
  const eventIdKeySecretArn = optional(env, ENV.eventIdKeySecretArn);
  if (eventIdKeySecretArn !== undefined && !SECRET_ARN.test(eventIdKeySecretArn)) {
    throw new ConfigError(
      ENV.eventIdKeySecretArn,
      `not a Secrets Manager secret ARN: ${JSON.stringify(eventIdKeySecretArn)}`,
    );
  }
  return frozen({
    eventsTopicArn,
    deadLetterQueueUrl,
    maxInputBytes,
    allowSecretFields: boolean(env, ENV.allowSecretFields, false),
    endpoint,
    snsEndpoint: optional(env, ENV.snsEndpoint) ?? endpoint,
    eventIdKeySecretArn,
    secretsManagerEndpoint: optional(env, ENV.secretsManagerEndpoint) ?? endpoint,
  });
}

export type { NormalizeConfig };
export { loadNormalizeConfig };
