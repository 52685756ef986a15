/**
 * Lambda-only replacement for `@aws-sdk/credential-provider-node` (esbuild alias in the function
 * bundles). In Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's full default chain —
 * SSO, STS web identity, login, INI files, IMDS, with their nested clients (~75 KB minified) — is
 * dead weight that also slows cold starts. Local runs and tests use the SDK's own chain.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

function defaultProvider(): AwsCredentialIdentityProvider {
  return async (): Promise<AwsCredentialIdentity> => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(
        'AWS credentials are not in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): is this running in Lambda?',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
}

export { defaultProvider };
