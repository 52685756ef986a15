/**
 * Does an event pass a subscription's SNS filter policy? The ledger of `npm start -c` expects at a
 * filtered destination exactly the events its policy lets through (fauxqs applies the policy to the
 * real subscription; this predicts it). Covers the operators the stack's policies use
 * (infra/config/filter-policy.ts, infra/config/alert-filter.ts): exact strings, `anything-but`,
 * `numeric` comparisons, `$or`. A key the message lacks fails the key.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 * https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
 */
import { attributesOf } from '../shared/deliver/events-publisher.js';
import type { SecurityEvent } from '../shared/model/security-event.js';

type Attrs = Readonly<Record<string, { readonly type: string; readonly value: string }>>;

function conditionMatches(c: unknown, a: { readonly type: string; readonly value: string }): boolean {
  if (typeof c === 'string') return a.type === 'String' && a.value === c;
  if (typeof c === 'number') return a.type === 'Number' && Number(a.value) === c;
  if (typeof c !== 'object' || c === null) throw new Error(`filter policy: unsupported condition ${JSON.stringify(c)}`);
  const o = c as Record<string, unknown>;
  if (Array.isArray(o['anything-but'])) return !(o['anything-but'] as unknown[]).some((x) => conditionMatches(x, a));
  if (Array.isArray(o.numeric)) {
    if (a.type !== 'Number') return false;
    const v = Number(a.value);
    const n = o.numeric as unknown[];
    for (let i = 0; i + 1 < n.length; i += 2) {
      const [op, x] = [n[i], Number(n[i + 1])];
      const ok =
        op === '>=' ? v >= x : op === '>' ? v > x : op === '<=' ? v <= x : op === '<' ? v < x : op === '=' && v === x;
      if (!ok) return false;
    }
    return true;
  }
  throw new Error(`filter policy: unsupported condition ${JSON.stringify(c)}`);
}

function policyMatches(policy: Readonly<Record<string, unknown>>, attrs: Attrs): boolean {
  for (const [key, conditions] of Object.entries(policy)) {
    if (key === '$or') {
      if (!(conditions as Record<string, unknown>[]).some((b) => policyMatches(b, attrs))) return false;
      continue;
    }
    const a = attrs[key];
    if (!a || !(conditions as unknown[]).some((c) => conditionMatches(c, a))) return false;
  }
  return true;
}

/** The message attributes normalize publishes with `e`, as the policy sees them. */
function eventAttributes(e: SecurityEvent): Attrs {
  return Object.fromEntries(
    Object.entries(attributesOf(e) ?? {}).map(([k, v]) => [
      k,
      { type: v.DataType ?? 'String', value: v.StringValue ?? '' },
    ]),
  );
}

/** true when `policy` (undefined: none) lets `e` through. */
function passesFilter(policy: Readonly<Record<string, unknown>> | undefined, e: SecurityEvent): boolean {
  return policy === undefined || policyMatches(policy, eventAttributes(e));
}

export { passesFilter, policyMatches };
