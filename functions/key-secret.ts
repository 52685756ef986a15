/**
 * Read a per-deployment key from Secrets Manager once at cold start (the stack generates the
 * secret at deploy: infra/constructs/key-secret.ts) and build the key object from it. A missing,
 * unreadable or unusable secret fails INIT with a ConfigError naming the setting, so nothing goes
 * out with an identifier that could be recomputed without the key. The secret value is never logged.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, toError } from '../shared/errors.js';

interface KeySecretSpec<K> {
  /** the environment variable that holds the secret's ARN (named in every error) */
  readonly setting: string;
  /** what the key is for, e.g. `alert id` */
  readonly what: string;
  /** build the key from the secret's value; throws `keyError` when the value is unusable */
  readonly build: (value: string) => K;
  readonly keyError: new (...args: never[]) => Error;
}

async function loadKeySecret<K>(client: SecretsManagerClient, secretArn: string, spec: KeySecretSpec<K>): Promise<K> {
  let value: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString;
  } catch (e) {
    const err = toError(e);
    throw new ConfigError(spec.setting, `cannot read the ${spec.what} secret: ${err.name}: ${err.message}`);
  }
  if (value === undefined) throw new ConfigError(spec.setting, 'the secret has no SecretString');
  try {
    return spec.build(value);
  } catch (e) {
    if (e instanceof spec.keyError) throw new ConfigError(spec.setting, e.message);
    throw e;
  }
}

export type { KeySecretSpec };
export { loadKeySecret };
