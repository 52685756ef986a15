/**
 * The SNS filter policy of the alerts subscription, derived from the rules: only events some rule
 * can match reach the alerts queue (and evaluate-alerts), instead of every event.
 *
 * Read from the rules document as written (YAML or JSON, schemas/alert-rules.v1.schema.json): infra
 * does not import the alerts engine (test/infra/boundaries.test.ts); the engine validates the same
 * file at bundling, and test/unit/alerts/alert-filter.test.ts checks this reading against the
 * engine's compiled clauses.
 *
 * The policy is a superset of the rules: it may let through events no rule fires for (the function
 * then matches nothing, as before), never hold back one a rule would fire for. Per clause:
 * - `eventIds` → `eventId` (String) allowlist;
 * - `notifications` → `category` (String) allowlist; the notification *type* has no attribute, so
 *   a `Category / Type` criterion passes the whole category;
 * - `origins` → `origin` (String) allowlist;
 * - `minSeverity` → `severity` (CEF, Number) `>=` or `syslogSeverity` (Number) `<=`;
 * - `fields` conditions have no attribute and are left to the function (they only narrow);
 * - `layouts` (layouts without a catalog id, by slug) have no attribute either: such an event is
 *   published with whatever id the vault sent, so the criterion is left to the function too.
 * Clauses are OR'ed with `$or`; clauses with the same single key are merged into one allowlist.
 * A clause with no expressible criterion (fields or layouts only) can match any event: then there is no
 * policy, and the reason says so.
 *
 * SNS limits (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html):
 * at most 5 keys; "the total combination of values ... must not exceed 150. To calculate the total
 * combination, multiply the number of values in each array in the filter policy"; numeric values
 * between -10^9 and 10^9. `$or` is recognised when it holds an array of at least two objects
 * (https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html). The complexity here is counted
 * the strict way, the product of every array in the policy, `$or` branches included, so a policy
 * that passes this count passes SNS's. Keys are the attributes normalize publishes
 * (`EVENT_ATTRIBUTES` in shared/deliver/events-publisher.ts).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EVENT_ATTRIBUTES, type EventAttribute } from '../../shared/config/event-attributes.js';

/** SNS: keys per filter policy. */
const MAX_FILTER_KEYS = 5;
/** SNS: product of the number of values in every array of the policy. */
const MAX_FILTER_COMBINATIONS = 150;

type NumericCondition = { readonly numeric: readonly [string, number] };
type Condition = string | NumericCondition;
type Branch = Partial<Record<EventAttribute, Condition[]>>;
/** The policy as SNS takes it (JSON); `$or` only when there are two branches or more. */
type FilterPolicy = Branch & { $or?: Branch[] };

type AlertFilter =
  | { readonly policy: FilterPolicy; readonly keys: readonly EventAttribute[]; readonly combinations: number }
  | { readonly policy: undefined; readonly reason: string };

/** RFC 5424 severity names, 0 (emerg) – 7 (debug), as rules write them (shared/model/severity.ts). */
const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** a string or a list of strings, as the rules schema allows */
const strings = (v: unknown): string[] | null =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null;

/** One match clause of the document as a filter branch (criteria without an attribute left out). */
function branchOf(c: Obj): Branch {
  const b: Branch = {};
  const ids = strings(c.eventIds);
  if (ids) b.eventId = [...new Set(ids)].sort();
  const notes = strings(c.notifications);
  // "Category" or "Category / Type": the category is the part before the first slash, trimmed
  if (notes)
    b.category = [...new Set(notes.map((n) => (n.includes('/') ? n.slice(0, n.indexOf('/')) : n).trim()))].sort();
  const origins = strings(c.origins);
  if (origins) b.origin = [...new Set(origins)].sort();
  const s = c.minSeverity;
  if (typeof s === 'number') b.severity = [{ numeric: ['>=', s] }];
  else if (typeof s === 'string') {
    const i = (SYSLOG_SEVERITY_NAMES as readonly string[]).indexOf(s);
    if (i >= 0) b.syslogSeverity = [{ numeric: ['<=', i] }];
  }
  return b;
}

/** Merge single-key branches on the same key: an allowlist union, or the loosest threshold. */
function mergeBranches(branches: Branch[]): Branch[] {
  const single = new Map<EventAttribute, Condition[]>();
  const multi: Branch[] = [];
  for (const b of branches) {
    const keys = Object.keys(b) as EventAttribute[];
    const k = keys[0];
    if (keys.length !== 1 || k === undefined) {
      multi.push(b);
      continue;
    }
    const add = b[k] ?? [];
    const have = single.get(k);
    if (!have) {
      single.set(k, [...add]);
      continue;
    }
    if (k === 'severity' || k === 'syslogSeverity') {
      const v = (cs: Condition[]) => (cs[0] as NumericCondition).numeric[1];
      const loosest = k === 'severity' ? Math.min(v(have), v(add)) : Math.max(v(have), v(add));
      single.set(k, [{ numeric: [k === 'severity' ? '>=' : '<=', loosest] }]);
    } else single.set(k, [...new Set([...(have as string[]), ...(add as string[])])].sort());
  }
  const merged: Branch[] = [...single].map(([k, cs]) => ({ [k]: cs }));
  // identical multi-key branches (two rules with the same criteria) once
  const seen = new Set<string>();
  for (const b of multi) {
    const key = JSON.stringify(b);
    if (!seen.has(key)) merged.push(b);
    seen.add(key);
  }
  return merged;
}

/**
 * The filter policy for the alerts subscription from the rules document, or why there is none.
 * @example alertFilterPolicy(readRulesDocument('alerts/default-rules.yaml')).policy?.$or?.length // 2
 */
function alertFilterPolicy(doc: unknown): AlertFilter {
  const rules =
    isObj(doc) && Array.isArray(doc.rules) ? doc.rules.filter(isObj).filter((r) => r.enabled !== false) : [];
  if (rules.length === 0) return { policy: undefined, reason: 'the rules file has no enabled rule' };
  const branches: Branch[] = [];
  for (const r of rules) {
    const clauses = Array.isArray(r.match) ? r.match : [r.match];
    for (const [i, c] of clauses.entries()) {
      const b = isObj(c) ? branchOf(c) : {};
      if (Object.keys(b).length === 0)
        return {
          policy: undefined,
          reason: `rule ${String(r.id)} (match clause ${i + 1}) has no event id, notification, origin or severity criterion, which is all a message attribute carries (layouts and fields are checked by the function): every event must reach the alerts queue`,
        };
      branches.push(b);
    }
  }
  const merged = mergeBranches(branches);
  const keys = [...new Set(merged.flatMap((b) => Object.keys(b) as EventAttribute[]))].sort();
  const unknown = keys.filter((k) => !Object.hasOwn(EVENT_ATTRIBUTES, k));
  if (unknown.length > 0) throw new Error(`alert filter keys ${unknown.join(', ')} are not published attributes`);
  if (keys.length > MAX_FILTER_KEYS)
    return {
      policy: undefined,
      reason: `the rules need ${keys.length} filter keys (${keys.join(', ')}); SNS allows ${MAX_FILTER_KEYS}`,
    };
  const combinations = merged.reduce(
    (n, b) => n * Object.values(b).reduce((m, cs) => m * (cs as Condition[]).length, 1),
    1,
  );
  if (combinations > MAX_FILTER_COMBINATIONS)
    return {
      policy: undefined,
      reason: `the rules' filter has ${combinations} value combinations; SNS allows ${MAX_FILTER_COMBINATIONS}`,
    };
  const policy: FilterPolicy = merged.length === 1 ? (merged[0] as Branch) : { $or: merged };
  return { policy, keys, combinations };
}

/** Read a rules file as a document, as the engine does: YAML 1.2 core schema for .yaml/.yml, else JSON. */
function readRulesDocument(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return /^\.ya?ml$/i.test(extname(file))
    ? parseYaml(text, { uniqueKeys: true, schema: 'core' })
    : (JSON.parse(text) as unknown);
}

/** Attribute keys of a policy (top level and `$or` branches), for checks against EVENT_ATTRIBUTES. */
function policyKeys(policy: FilterPolicy): string[] {
  const top = Object.keys(policy).filter((k) => k !== '$or');
  return [...new Set([...top, ...(policy.$or ?? []).flatMap((b) => Object.keys(b))])];
}

export type { AlertFilter, FilterPolicy };
export {
  alertFilterPolicy,
  MAX_FILTER_COMBINATIONS,
  MAX_FILTER_KEYS,
  policyKeys,
  readRulesDocument,
  SYSLOG_SEVERITY_NAMES,
};
