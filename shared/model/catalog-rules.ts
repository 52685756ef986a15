/**
 * What alert rules are validated against: catalog ids and SUID message types, origin codes,
 * notification category and type names (the notification options page) and the CEF labels the
 * layouts document. It reads only `catalog-rules.json` (generated from `catalog-data.ts` by
 * `scripts/gen-catalog-runtime.ts`), so the evaluate-alerts bundle carries no descriptions.
 */
import RULES_CATALOG_JSON from './catalog-rules.json' with { type: 'json' };
import type { RulesCatalog } from './catalog-types.js';

// JSON imports type arrays, not tuples; test/unit/model/catalog-runtime.test.ts checks the file is
// the generator's typed output
const RULES_CATALOG = RULES_CATALOG_JSON as unknown as RulesCatalog;

/** Catalog event ids and SUID message types. */
const CATALOG_IDS: ReadonlySet<string> = new Set(RULES_CATALOG.ids);

/** Origin codes the catalog documents. */
const CATALOG_ORIGINS: ReadonlySet<string> = new Set(RULES_CATALOG.origins);

const CATEGORIES: readonly { readonly name: string; readonly types: readonly { readonly name: string }[] }[] =
  RULES_CATALOG.notificationTypes.map(([name, types]) => ({ name, types: types.map((t) => ({ name: t })) }));

/** Every notification category and its type names. */
function notificationCategories(): typeof CATEGORIES {
  return CATEGORIES;
}

/**
 * Slugs of the documented layouts without a catalog id (the Master Key and report-scheduling
 * events): an event follows one when its fields match the layout's signature, and rules reference
 * it by slug (`match.layouts`).
 */
const ID_LESS_LAYOUTS: ReadonlySet<string> = new Set(
  RULES_CATALOG.layouts.filter(([, ids]) => ids.length === 0).map(([slug]) => slug),
);

/** The catalog ids a documented layout documents (empty: none), undefined for an unknown slug. */
function layoutEventIds(slug: string): readonly string[] | undefined {
  return RULES_CATALOG.layouts.find(([s]) => s === slug)?.[1];
}

/** CEF custom-string labels the catalog documents for a field key (`cs1` → ['Id', …]). */
function cefLabelsOf(field: string): readonly string[] {
  return Object.hasOwn(RULES_CATALOG.cefLabels, field) ? (RULES_CATALOG.cefLabels[field] ?? []) : [];
}

export {
  CATALOG_IDS,
  CATALOG_ORIGINS,
  cefLabelsOf,
  ID_LESS_LAYOUTS,
  layoutEventIds,
  notificationCategories,
  RULES_CATALOG,
};
