/**
 * Catalog lookups. Renderers and alert rules read the catalog through these functions; nothing
 * else hard-codes event ids.
 */
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from './catalog-data.js';
import type { CatalogEvent, Layout, NotificationRef } from './catalog-types.js';
import type { CatalogMatch, SyslogSeverity } from './security-event.js';

const BY_ID: ReadonlyMap<string, CatalogEvent> = new Map(CATALOG_EVENTS.map((e) => [e.id, e]));
const SUID_BY_ID = new Map(SUID_TYPES.map((s) => [s.suid, s]));
const LAYOUT_BY_SLUG: ReadonlyMap<string, Layout> = new Map(LAYOUTS.map((l) => [l.slug, l]));
// Only layouts without a catalog id can identify an event by its fields.
const SIGNATURE_LAYOUTS = LAYOUTS.filter((l) => l.eventIds.length === 0 && l.signature.length > 0);

/** What the catalog says about an event id (and, for unknown ids, its fields). */
interface Resolution {
  readonly match: CatalogMatch;
  readonly name: string | null;
  readonly origin: string | null;
  readonly priority: SyslogSeverity | null;
  readonly notification: NotificationRef | null;
  readonly layout: Layout | null;
}

const NONE: Resolution = { match: 'none', name: null, origin: null, priority: null, notification: null, layout: null };

/** @example catalogEvent('336.501')?.priority // 1 */
function catalogEvent(id: string): CatalogEvent | undefined {
  return BY_ID.get(id);
}

function layoutBySlug(slug: string): Layout | undefined {
  return LAYOUT_BY_SLUG.get(slug);
}

function sameNotification(refs: readonly (NotificationRef | null)[]): NotificationRef | null {
  const first = refs[0];
  if (!first) return null;
  return refs.every((r) => r?.category === first.category && r.type === first.type) ? first : null;
}

/**
 * Resolve an event id against the catalog: a catalog id first; else a SUID message type (seed 000,
 * e.g. `164` = Password Viewed); else a documented layout whose signature the fields match (e.g. a
 * Master Key recovery failure); else unknown.
 */
function resolveEvent(id: string, fields: Readonly<Record<string, string>>): Resolution {
  const e = BY_ID.get(id);
  if (e) {
    return {
      match: 'id',
      name: e.name.en,
      origin: e.origin,
      priority: e.priority,
      notification: e.notification,
      layout: e.layout ? (LAYOUT_BY_SLUG.get(e.layout) ?? null) : null,
    };
  }
  const suid = SUID_BY_ID.get(id);
  if (suid) {
    const targets = suid.eventIds.map((t) => BY_ID.get(t)).filter((t): t is CatalogEvent => t !== undefined);
    const first = targets[0];
    return {
      match: 'suid',
      name: suid.name,
      origin: first?.origin ?? null,
      priority: first?.priority ?? null,
      notification: sameNotification(targets.map((t) => t.notification)),
      layout: null,
    };
  }
  for (const l of SIGNATURE_LAYOUTS) {
    if (l.signature.every((s) => fields[s.field] === s.equals)) {
      return {
        match: 'layout',
        name: l.title,
        origin: null,
        priority: l.priority,
        notification: l.notification,
        layout: l,
      };
    }
  }
  return NONE;
}

const SUID_LAYOUTS: ReadonlyMap<string, readonly Layout[]> = new Map(
  SUID_TYPES.map((t) => [
    t.suid,
    t.eventIds
      .map((id) => BY_ID.get(id)?.layout)
      .filter((slug): slug is string => typeof slug === 'string')
      .map((slug) => LAYOUT_BY_SLUG.get(slug))
      .filter((l): l is Layout => l !== undefined),
  ]),
);

/**
 * The documented layouts an event's keys follow: its catalog event's layout, the layouts of a SUID
 * message type's events, or the layout its fields' signature matched; empty when there is none.
 * @example layoutsOf('153', {}).map((l) => l.slug) // ['session-started', 'session-ended']
 */
function layoutsOf(id: string, fields: Readonly<Record<string, string>>): readonly Layout[] {
  const r = resolveEvent(id, fields);
  if (r.layout !== null) return [r.layout];
  return r.match === 'suid' ? (SUID_LAYOUTS.get(id) ?? []) : [];
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

/** Every notification category name and type name (seed 003), for validating alert rules. */
function notificationCategories(): typeof NOTIFICATION_CATEGORIES {
  return NOTIFICATION_CATEGORIES;
}

export type { Resolution };
export {
  CATALOG_EVENTS,
  catalogEvent,
  LAYOUTS,
  layoutBySlug,
  layoutExampleFields,
  layoutFieldKeys,
  layoutsOf,
  notificationCategories,
  resolveEvent,
  SUID_TYPES,
};
