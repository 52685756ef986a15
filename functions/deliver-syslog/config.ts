/** deliver-syslog configuration, read and validated once at cold start. */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type SyslogDestination, syslogDestination } from '../../shared/config/destination.js';
import { ENV } from '../../shared/config/env-names.js';
import { ConfigError, toError } from '../../shared/errors.js';
import { required } from '../normalize/config.js';

interface SyslogConfig {
  readonly destination: SyslogDestination;
  readonly deadLetterQueueUrl: string;
  readonly endpoint: string | undefined;
}

function loadSyslogConfig(env: NodeJS.ProcessEnv = process.env): SyslogConfig {
  return {
    destination: syslogDestination(env[ENV.destination], ENV.destination),
    deadLetterQueueUrl: required(env, ENV.deadLetterQueueUrl),
    endpoint: env[ENV.awsEndpoint] || undefined,
  };
}

/** The collector's CA PEM: inline, or read once from SSM Parameter Store at cold start. */
async function resolveCa(d: SyslogDestination, endpoint: string | undefined): Promise<string | undefined> {
  if (d.caPem !== undefined) return d.caPem;
  if (d.caSsmParameter === undefined) return undefined;
  const ssm = new SSMClient({ ...(endpoint ? { endpoint } : {}), region: process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: d.caSsmParameter, WithDecryption: true }));
    const pem = out.Parameter?.Value;
    if (!pem?.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError(
        `${ENV.destination}.ca.ssmParameter`,
        `${d.caSsmParameter} does not hold a PEM certificate`,
      );
    return pem;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(
      `${ENV.destination}.ca.ssmParameter`,
      `cannot read ${d.caSsmParameter}: ${toError(e).message}`,
    );
  } finally {
    ssm.destroy();
  }
}

export type { SyslogConfig };
export { loadSyslogConfig, resolveCa };
