/**
 * The per-deployment identity key of the alerts, read once at cold start from Secrets Manager (the
 * stack generates the secret at deploy: infra/constructs/alert-id-key.ts). Failure modes and rules:
 * functions/key-secret.ts.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IdKey, IdKeyError } from '../../shared/alerts/identity.js';
import { ENV } from '../../shared/contracts/index.js';
import { loadKeySecret } from '../key-secret.js';

/** Read the secret and build the key. Throws ConfigError (ALERT_ID_KEY_SECRET_ARN). */
function loadIdKey(client: SecretsManagerClient, secretArn: string): Promise<IdKey> {
  return loadKeySecret(client, secretArn, {
    setting: ENV.alertIdKeySecretArn,
    what: 'alert id',
    build: (v) => new IdKey(v),
    keyError: IdKeyError,
  });
}

export { loadIdKey };
