/**
 * The per-deployment identity key, read once at cold start from Secrets Manager (the stack
 * generates the secret at deploy; infra/constructs/alert-id-key.ts). A missing, unreadable or too
 * short secret fails INIT with a ConfigError naming the setting: no alert goes out with a guessable
 * id. The secret value is never logged.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IdKey, IdKeyError } from '../../shared/alerts/identity.js';
import { ENV } from '../../shared/contracts/index.js';
import { ConfigError, toError } from '../../shared/errors.js';

/** Read the secret and build the key. Throws ConfigError (ALERT_ID_KEY_SECRET_ARN). */
async function loadIdKey(client: SecretsManagerClient, secretArn: string): Promise<IdKey> {
  let value: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    value = out.SecretString;
  } catch (e) {
    const err = toError(e);
    throw new ConfigError(ENV.alertIdKeySecretArn, `cannot read the alert id secret: ${err.name}: ${err.message}`);
  }
  if (value === undefined) throw new ConfigError(ENV.alertIdKeySecretArn, 'the secret has no SecretString');
  try {
    return new IdKey(value);
  } catch (e) {
    if (e instanceof IdKeyError) throw new ConfigError(ENV.alertIdKeySecretArn, e.message);
    throw e;
  }
}

export { loadIdKey };
