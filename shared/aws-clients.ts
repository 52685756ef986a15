/**
 * AWS SDK clients, created once per execution environment. `AWS_ENDPOINT_URL` points every client
 * at local emulators (`npm start`, tests); in AWS it is unset.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

interface ClientOptions {
  readonly endpoint?: string;
  readonly region?: string;
  /** SDK retry attempts; our own code retries per entry, so keep the SDK's small. @default 3 */
  readonly maxAttempts?: number;
}

function common(o: ClientOptions) {
  // emulators accept any signature: without real credentials in the environment, sign with
  // placeholders so a machine with no AWS account can run everything locally
  // only for loopback endpoints: a VPC endpoint URL must keep the real credential chain
  const local =
    o.endpoint !== undefined &&
    /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(o.endpoint) &&
    !process.env.AWS_ACCESS_KEY_ID &&
    !process.env.AWS_PROFILE;
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    region: o.region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: o.maxAttempts ?? 3,
  };
}

const sqsClient = (o: ClientOptions = {}) => new SQSClient(common(o));
const snsClient = (o: ClientOptions = {}) => new SNSClient(common(o));
const firehoseClient = (o: ClientOptions = {}) => new FirehoseClient(common(o));
const dynamodbClient = (o: ClientOptions = {}) => new DynamoDBClient(common(o));
const secretsManagerClient = (o: ClientOptions = {}) => new SecretsManagerClient(common(o));

export type { ClientOptions };
export { dynamodbClient, firehoseClient, secretsManagerClient, snsClient, sqsClient };
