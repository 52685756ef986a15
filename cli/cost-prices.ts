/**
 * The one price table `segura-relay cost` (and `npm run bench`) reads: us-east-1, on-demand, first
 * pricing tier, no free tier (the free tiers are per account, shared with everything else in it).
 *
 * Each entry names the public AWS pricing page it comes from and how far we could confirm it when
 * the table was dated. `confirmed: 'aws'` means the figure or rule was read on an AWS page;
 * `'secondary'` means it was read in a third-party summary of the AWS page (the AWS pages render
 * their rate tables client-side, so the stored copies often lack the number); `'unconfirmed'` means
 * we could not find it in any stored source and kept the long-standing published figure. Check the
 * pages before relying on a figure; update `DATE` when you change one.
 */

type Confirmation = 'aws' | 'secondary' | 'unconfirmed';

interface Price {
  /** USD per unit */
  readonly usd: number;
  readonly unit: string;
  readonly url: string;
  readonly confirmed: Confirmation;
  /** where it was confirmed, or why not */
  readonly note: string;
}

const DATE = '2026-11-20';
const REGION = 'us-east-1';
/** hours in the month the table prices (AWS calculators use 730) */
const HOURS_PER_MONTH = 730;

const PRICES = {
  snsRequest: {
    usd: 0.5 / 1e6,
    unit: 'request (each 64 KB of payload counts as one; PublishBatch with ≤10 entries is one request)',
    url: 'https://aws.amazon.com/sns/pricing/',
    confirmed: 'unconfirmed',
    note: 'rate not in stored sources; the per-request billing of PublishBatch is confirmed by https://docs.aws.amazon.com/sns/latest/dg/sns-batch-api-actions.html ("reduce costs … by a factor of up to 10")',
  },
  snsToSqs: {
    usd: 0,
    unit: 'delivery to an SQS subscription',
    url: 'https://aws.amazon.com/sns/pricing/',
    confirmed: 'unconfirmed',
    note: 'deliveries to SQS queues are not charged (the SQS side bills the receive)',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    unit: 'request, standard queue (each 64 KB chunk of a request payload is billed as one request)',
    url: 'https://aws.amazon.com/sqs/pricing/',
    confirmed: 'secondary',
    note: 'rate and 64 KB rule in third-party summaries of the AWS page (cloudburn.io, unanswered.io, 2026)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'invocation',
    url: 'https://aws.amazon.com/lambda/pricing/',
    confirmed: 'secondary',
    note: 'api-evangelist transcription of the AWS page (2026-09): "$0.20 per million requests"',
  },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64, first 7.5 billion GB-s',
    url: 'https://aws.amazon.com/lambda/pricing/',
    confirmed: 'secondary',
    note: 'artillery lib/platform/aws-lambda/prices.js (arm64 base 1333340 × 1e-10)',
  },
  firehoseGb: {
    usd: 0.029,
    unit: 'GB ingested, Direct PUT, each record rounded up to the next 5 KB',
    url: 'https://aws.amazon.com/firehose/pricing/',
    confirmed: 'unconfirmed',
    note: 'the 5 KB per-record rounding is on the AWS page (stored German copy); the rate is not in stored sources',
  },
  kmsKeyMonth: {
    usd: 1,
    unit: 'customer managed key per month',
    url: 'https://aws.amazon.com/kms/pricing/',
    confirmed: 'aws',
    note: 'AWS page: "Each AWS KMS key that you create in KMS costs $1/month"',
  },
  kmsRequest: {
    usd: 0.03 / 10_000,
    unit: 'symmetric key request',
    url: 'https://aws.amazon.com/kms/pricing/',
    confirmed: 'secondary',
    note: 'wring.co and cloudburn.io summaries of the AWS page (2026)',
  },
  cwMetricMonth: {
    usd: 0.3,
    unit: 'custom metric per month (first 10,000; each name × dimension set is one metric)',
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
    confirmed: 'secondary',
    note: 'signoz.io guide (2026-02); the AWS page lists the dimension but renders the rate client-side',
  },
  cwAlarmMonth: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric per month',
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
    confirmed: 'secondary',
    note: 'factualminds.com CloudWatch pricing summary (2026-06)',
  },
  cwDashboardMonth: {
    usd: 3,
    unit: 'dashboard per month',
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
    confirmed: 'secondary',
    note: 'factualminds.com CloudWatch pricing summary (2026-06): "dashboards at $3 each"',
  },
  cwLogsGb: {
    usd: 0.5,
    unit: 'GB of logs ingested (standard class)',
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
    confirmed: 'secondary',
    note: 'factualminds.com CloudWatch pricing summary (2026-06): "Logs ingestion at $0.50/GB"',
  },
  nlbHour: {
    usd: 0.0225,
    unit: 'Network Load Balancer hour',
    url: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    confirmed: 'secondary',
    note: 'clustercost.com and awsnegotiations.com summaries (2025–2026)',
  },
  nlcuHour: {
    usd: 0.006,
    unit: 'NLCU-hour (1 GB processed per hour is one NLCU for TCP/TLS)',
    url: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    confirmed: 'secondary',
    note: 'awsnegotiations.com summary (2026-05)',
  },
  endpointAzHour: {
    usd: 0.01,
    unit: 'interface endpoint hour per Availability Zone',
    url: 'https://aws.amazon.com/privatelink/pricing/',
    confirmed: 'secondary',
    note: 'billing per endpoint per AZ-hour is on the AWS page; the rate from awsnegotiations.com (2026-05)',
  },
  endpointGb: {
    usd: 0.01,
    unit: 'GB processed by interface endpoints (first PB)',
    url: 'https://aws.amazon.com/privatelink/pricing/',
    confirmed: 'aws',
    note: 'AWS page tier table: first 1 PB $0.01 per GB',
  },
  natHour: {
    usd: 0.045,
    unit: 'NAT gateway hour',
    url: 'https://aws.amazon.com/vpc/pricing/',
    confirmed: 'unconfirmed',
    note: 'not looked up in stored sources',
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'on-demand write request unit',
    url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmed: 'secondary',
    note: 'airbyte.com summary of the US East rates',
  },
  dynamoReadUnit: {
    usd: 0.125 / 1e6,
    unit: 'on-demand read request unit',
    url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmed: 'secondary',
    note: 'airbyte.com summary of the US East rates',
  },
  snsEmail: {
    usd: 2 / 100_000,
    unit: 'email notification',
    url: 'https://aws.amazon.com/sns/pricing/',
    confirmed: 'unconfirmed',
    note: 'not in stored sources',
  },
  snsHttps: {
    usd: 0.6 / 1e6,
    unit: 'HTTP/S notification',
    url: 'https://aws.amazon.com/sns/pricing/',
    confirmed: 'unconfirmed',
    note: 'not in stored sources',
  },
  snsSmsUs: {
    usd: 0.00581,
    unit: 'SMS to a US number (plus carrier fees; other countries differ)',
    url: 'https://aws.amazon.com/sns/sms-pricing/',
    confirmed: 'unconfirmed',
    note: 'not in stored sources; varies by country and origination identity',
  },
} as const satisfies Record<string, Price>;

type PriceKey = keyof typeof PRICES;

export type { Confirmation, Price, PriceKey };
export { DATE, HOURS_PER_MONTH, PRICES, REGION };
