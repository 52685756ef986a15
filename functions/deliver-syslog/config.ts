/** deliver-syslog configuration, read and validated once at cold start. */
import { readFileSync } from 'node:fs';
import { type SyslogDestination, syslogDestination } from '../../shared/config/destination.js';
import { frozen, optional, required } from '../../shared/config/env.js';
import { ENV } from '../../shared/contracts/index.js';
import { ConfigError, toError } from '../../shared/errors.js';

interface SyslogConfig {
  readonly destination: SyslogDestination;
  readonly deadLetterQueueUrl: string;
  /** SQS endpoint: the SQS-only override (the VPC endpoint's own DNS name), else the general one */
  readonly endpoint: string | undefined;
}

function loadSyslogConfig(env: NodeJS.ProcessEnv = process.env): SyslogConfig {
  return frozen({
    destination: syslogDestination(env[ENV.destination], ENV.destination),
    deadLetterQueueUrl: required(env, ENV.deadLetterQueueUrl),
    endpoint: optional(env, ENV.sqsEndpoint) ?? optional(env, ENV.awsEndpoint),
  });
}

/** The collector's CA PEM: inline, or read once at cold start from a file bundled with the function. */
function resolveCa(d: SyslogDestination): string | undefined {
  if (d.caPem !== undefined) return d.caPem;
  if (d.caFile === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(d.caFile, 'utf8');
  } catch (e) {
    throw new ConfigError(`${ENV.destination}.ca.file`, `cannot read ${d.caFile}: ${toError(e).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`${ENV.destination}.ca.file`, `${d.caFile} is not a PEM certificate`);
  return pem;
}

export type { SyslogConfig };
export { loadSyslogConfig, resolveCa };
