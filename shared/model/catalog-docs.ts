/**
 * The whole event catalog (`catalog-data.ts`: both languages' names and descriptions, the layouts'
 * key tables with examples, the notification descriptions) and the helpers over it, for the CLI,
 * the docs, the samples and the tests. The functions import `catalog.ts` instead, which reads only
 * the run-time part, so their bundles stay small.
 */
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from './catalog-data.js';
import type { Layout } from './catalog-types.js';

const LAYOUT_BY_SLUG: ReadonlyMap<string, Layout> = new Map(LAYOUTS.map((l) => [l.slug, l]));

function layoutBySlug(slug: string): Layout | undefined {
  return LAYOUT_BY_SLUG.get(slug);
}

/**
 * A layout's keys as the relay names them in an event: a key the vault repeats keeps every row,
 * the second as `key_2` (as the parsers name a repeated key), in table order.
 * @example layoutFieldKeys(layoutBySlug('master-key-recovery-failed')!).at(-2) // 'act_2'
 */
function layoutFieldKeys(layout: Layout): string[] {
  const seen = new Map<string, number>();
  return layout.keys.map(({ key }) => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key}_${n}`;
  });
}

/** A layout's example event fields: its non-empty examples under `layoutFieldKeys` names, in order. */
function layoutExampleFields(layout: Layout): Record<string, string> {
  const names = layoutFieldKeys(layout);
  const fields: Record<string, string> = {};
  layout.keys.forEach((k, i) => {
    if (k.example !== '') fields[names[i] as string] = k.example;
  });
  return fields;
}

/**
 * The documented layouts without a catalog id (the Master Key and report-scheduling events), in
 * catalog order: an event follows one when its fields match the layout's signature; alert rules
 * reference them by slug (`match.layouts`).
 */
const ID_LESS_LAYOUTS: readonly Layout[] = LAYOUTS.filter((l) => l.eventIds.length === 0);

/**
 * What "the catalog" counts, in the same words for every command (`segura-relay catalog`,
 * `alerts test`, `npm start`).
 * @example CATALOG_COUNT // '103 catalog events + 10 documented layouts without an id'
 */
const CATALOG_COUNT = `${CATALOG_EVENTS.length} catalog events + ${ID_LESS_LAYOUTS.length} documented layouts without an id`;

export {
  CATALOG_COUNT,
  CATALOG_EVENTS,
  ID_LESS_LAYOUTS,
  LAYOUTS,
  layoutBySlug,
  layoutExampleFields,
  layoutFieldKeys,
  NOTIFICATION_CATEGORIES,
  SUID_TYPES,
};
