/**
 * The message attributes normalize publishes with every event, as `name → SNS DataType`: the keys
 * the subscriptions' filter policies may use (infra/constructs/events-topic.ts,
 * infra/config/alert-filter.ts). Derived from the one definition in shared/contracts
 * (`EVENT_ATTR`), so the filter builder and the publisher cannot disagree.
 */
import { EVENT_ATTR } from '../contracts/index.js';

type EventAttr = (typeof EVENT_ATTR)[keyof typeof EVENT_ATTR];
type EventAttribute = EventAttr['name'];

const EVENT_ATTRIBUTES = Object.freeze(Object.fromEntries(Object.values(EVENT_ATTR).map((a) => [a.name, a.type]))) as {
  readonly [A in EventAttr as A['name']]: A['type'];
};

export type { EventAttribute };
export { EVENT_ATTRIBUTES };
