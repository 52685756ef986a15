/**
 * evaluate-alerts configuration, read and validated once at cold start: a misconfigured function
 * (invalid rules, a channel without a topic) fails at INIT with a message naming the rule and field.
 * The rules file is JSON here (the deployment converts the YAML pack at synth and bundles it next to
 * the handler), which keeps a YAML parser out of the function bundle; `segura-relay alerts test` and
 * `npm start` read YAML or JSON.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CHANNELS, type Channel, type RuleSet } from '../../shared/alerts/types.js';
import { channelsUsed, RulesError, validateRules } from '../../shared/alerts/validate.js';
import { frozen, optional, required } from '../../shared/config/env.js';
import { ENV } from '../../shared/contracts/index.js';
import { ConfigError, errorMessage } from '../../shared/errors.js';

interface EvaluateAlertsConfig {
  readonly rulesFile: string;
  readonly rules: RuleSet;
  readonly tableName: string;
  /** topic ARN per channel (only channels the enabled rules use are required) */
  readonly topicArns: Readonly<Partial<Record<Channel, string>>>;
  readonly deadLetterQueueUrl: string;
  /** ARN of the Secrets Manager secret keying alert ids (the value is read once at cold start) */
  readonly idKeySecretArn: string;
  readonly endpoint: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly secretsManagerEndpoint: string | undefined;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

function loadRules(env: NodeJS.ProcessEnv): { rulesFile: string; rules: RuleSet } {
  const raw = required(env, ENV.alertRulesFile);
  // Lambda's working directory is the bundle root (/var/task), where CDK puts the rules file
  const rulesFile = isAbsolute(raw) ? raw : resolve(process.cwd(), raw);
  if (/\.ya?ml$/i.test(rulesFile))
    throw new ConfigError(
      ENV.alertRulesFile,
      `${rulesFile}: the function reads JSON; convert the YAML rules at build time`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(rulesFile, 'utf8'));
  } catch (e) {
    throw new ConfigError(ENV.alertRulesFile, `cannot read ${rulesFile} as JSON: ${errorMessage(e)}`);
  }
  try {
    return { rulesFile, rules: validateRules(doc, rulesFile) };
  } catch (e) {
    if (e instanceof RulesError) throw new ConfigError(ENV.alertRulesFile, e.message);
    throw e;
  }
}

function loadTopics(env: NodeJS.ProcessEnv, rules: RuleSet): Partial<Record<Channel, string>> {
  const raw = required(env, ENV.alertTopicArns);
  let map: unknown;
  try {
    map = JSON.parse(raw);
  } catch (e) {
    throw new ConfigError(ENV.alertTopicArns, `not JSON: ${errorMessage(e)}`);
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw new ConfigError(ENV.alertTopicArns, 'must be a JSON object mapping channel → SNS topic ARN');
  const out: Partial<Record<Channel, string>> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!(CHANNELS as readonly string[]).includes(k))
      throw new ConfigError(ENV.alertTopicArns, `unknown channel ${JSON.stringify(k)}; one of ${CHANNELS.join(', ')}`);
    if (typeof v !== 'string' || !TOPIC_ARN.test(v))
      throw new ConfigError(ENV.alertTopicArns, `${k}: not a standard SNS topic ARN: ${JSON.stringify(v)}`);
    out[k as Channel] = v;
  }
  for (const ch of channelsUsed(rules)) {
    if (out[ch] === undefined) {
      const users = rules.rules.filter((r) => r.channels.includes(ch)).map((r) => r.id);
      throw new ConfigError(
        ENV.alertTopicArns,
        `no topic for channel "${ch}", used by rule${users.length > 1 ? 's' : ''} ${users.map((u) => `"${u}"`).join(', ')}`,
      );
    }
  }
  return out;
}

function loadEvaluateAlertsConfig(env: NodeJS.ProcessEnv = process.env): EvaluateAlertsConfig {
  const { rulesFile, rules } = loadRules(env);
  const tableName = required(env, ENV.throttleTableName);
  if (!TABLE_NAME.test(tableName))
    throw new ConfigError(ENV.throttleTableName, `not a DynamoDB table name: ${JSON.stringify(tableName)}`);
  const idKeySecretArn = required(env, ENV.alertIdKeySecretArn);
  if (!SECRET_ARN.test(idKeySecretArn))
    throw new ConfigError(
      ENV.alertIdKeySecretArn,
      `not a Secrets Manager secret ARN: ${JSON.stringify(idKeySecretArn)}`,
    );
  return frozen({
    rulesFile,
    rules,
    tableName,
    topicArns: loadTopics(env, rules),
    deadLetterQueueUrl: required(env, ENV.deadLetterQueueUrl),
    idKeySecretArn,
    endpoint: optional(env, ENV.awsEndpoint),
    dynamodbEndpoint: optional(env, ENV.dynamodbEndpoint) ?? optional(env, ENV.awsEndpoint),
    secretsManagerEndpoint: optional(env, ENV.secretsManagerEndpoint) ?? optional(env, ENV.awsEndpoint),
  });
}

export type { EvaluateAlertsConfig };
export { loadEvaluateAlertsConfig };
