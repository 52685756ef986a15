/**
 * A destination's (or the alerts consumer's) config `filter` as the SNS subscription filter policy
 * JSON, on the attributes normalize publishes ({@link EVENT_ATTR}: `severity` Number, CEF 0–10;
 * `eventId`, `category`, `origin` Strings). Pure: the stack wraps each key's conditions in a CDK
 * `SubscriptionFilter` (infra/constructs/events-topic.ts) and `npm start -c` subscribes the local
 * queues with the same JSON in fauxqs (local/deployment.ts), so both run one policy.
 *
 * Condition forms (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html):
 * a list of strings is an exact-match allowlist, `{"anything-but": [...]}` a denylist,
 * `{"numeric": [">=", n]}` a numeric range.
 */
import { EVENT_ATTR } from '../../shared/contracts/index.js';
import type { EventFilter } from './types.js';

type PolicyCondition = string | { readonly numeric: readonly [string, number] } | { readonly 'anything-but': string[] };
type EventFilterPolicy = Record<string, PolicyCondition[]>;

/** The filter policy for `f`; undefined: no policy, every event. */
function eventFilterPolicy(f: EventFilter | undefined): EventFilterPolicy | undefined {
  if (!f) return undefined;
  const policy: EventFilterPolicy = {};
  if (f.minSeverity !== undefined) policy[EVENT_ATTR.severity.name] = [{ numeric: ['>=', f.minSeverity] }];
  if (f.eventIds) policy[EVENT_ATTR.eventId.name] = [...f.eventIds];
  if (f.excludeEventIds) policy[EVENT_ATTR.eventId.name] = [{ 'anything-but': [...f.excludeEventIds] }];
  if (f.categories) policy[EVENT_ATTR.category.name] = [...f.categories];
  if (f.origins) policy[EVENT_ATTR.origin.name] = [...f.origins];
  return policy;
}

export type { EventFilterPolicy, PolicyCondition };
export { eventFilterPolicy };
