/**
 * Which stateful resources a template change would replace (or delete), as CloudFormation decides
 * it: a logical id that disappears is deleted (a "renamed" one is a new resource plus a deletion),
 * a changed type is a replacement, and so is a change of a property whose update the CloudFormation
 * resource reference marks "Update requires: Replacement". Stateful here means what holds events
 * or the keys to read them: queues and DLQs, the throttle table, buckets, KMS keys.
 */
import type { Json } from './helpers.js';

/**
 * Properties whose update requires replacement, per stateful type, from the CloudFormation
 * template reference:
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
 *   (FifoQueue, QueueName: Replacement)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html
 *   (TableName, KeySchema, LocalSecondaryIndexes: Replacement)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
 *   (BucketName: Replacement)
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html
 *   (KeySpec, KeyUsage, Origin, MultiRegion: "the update request fails", the key cannot change)
 */
const REPLACING_PROPERTIES = {
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'Origin', 'MultiRegion'],
} as const satisfies Record<string, readonly string[]>;

type StatefulType = keyof typeof REPLACING_PROPERTIES;

const STATEFUL_TYPES = Object.keys(REPLACING_PROPERTIES) as StatefulType[];

interface Replacement {
  readonly logicalId: string;
  readonly type: string;
  /** `deleted` (logical id gone), `type changed`, or the replacing properties that changed */
  readonly why: string;
}

function isStateful(type: string): type is StatefulType {
  return (STATEFUL_TYPES as string[]).includes(type);
}

/** Stable JSON: key order does not matter to CloudFormation. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The stateful resources of `before` that deploying `after` over it would replace or delete. */
function statefulReplacements(before: Json, after: Json): Replacement[] {
  const out: Replacement[] = [];
  const now = (after.Resources ?? {}) as Record<string, Json>;
  for (const [logicalId, old] of Object.entries((before.Resources ?? {}) as Record<string, Json>)) {
    const type = old.Type as string;
    if (!isStateful(type)) continue;
    const cur = now[logicalId];
    if (!cur) {
      out.push({ logicalId, type, why: 'deleted (logical id removed or changed)' });
      continue;
    }
    if (cur.Type !== type) {
      out.push({ logicalId, type, why: `type changed to ${cur.Type}` });
      continue;
    }
    const changed = REPLACING_PROPERTIES[type].filter(
      (p) => canonical(old.Properties?.[p]) !== canonical(cur.Properties?.[p]),
    );
    if (changed.length) out.push({ logicalId, type, why: `replacing properties changed: ${changed.join(', ')}` });
  }
  return out.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

export type { Replacement, StatefulType };
export { canonical, isStateful, REPLACING_PROPERTIES, STATEFUL_TYPES, statefulReplacements };
