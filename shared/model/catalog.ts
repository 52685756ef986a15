/**
 * Catalog lookups at run time. Renderers, normalization and alert rules read the catalog through
 * this module; nothing else hard-codes event ids. It reads only the run-time part of the catalog
 * (`catalog-runtime.json`, generated from `catalog-data.ts`), so the function bundles carry no
 * descriptions or key tables; the CLI, docs, samples and tests read the whole catalog through
 * `catalog-docs.ts`.
 */
import RUNTIME_CATALOG_JSON from './catalog-runtime.json' with { type: 'json' };
import type { NotificationRef, RuntimeCatalog, RuntimeEvent, RuntimeLayout } from './catalog-types.js';
import type { CatalogMatch, SyslogSeverity } from './security-event.js';

/** The run-time catalog (its priorities are the 0–7 syslog severities: test/unit/model/catalog-runtime.test.ts). */
const RUNTIME_CATALOG = RUNTIME_CATALOG_JSON as RuntimeCatalog;
const { events: EVENTS, layouts: LAYOUTS, suidTypes: SUID_TYPES } = RUNTIME_CATALOG;

const BY_ID: ReadonlyMap<string, RuntimeEvent> = new Map(EVENTS.map((e) => [e.id, e]));
const SUID_BY_ID = new Map(SUID_TYPES.map((s) => [s.suid, s]));
const LAYOUT_BY_SLUG: ReadonlyMap<string, RuntimeLayout> = new Map(LAYOUTS.map((l) => [l.slug, l]));
// Only layouts without a catalog id can identify an event by its fields.
const SIGNATURE_LAYOUTS = LAYOUTS.filter((l) => l.eventIds.length === 0 && l.signature.length > 0);

/** What the catalog says about an event id (and, for unknown ids, its fields). */
interface Resolution {
  readonly match: CatalogMatch;
  readonly name: string | null;
  readonly origin: string | null;
  readonly priority: SyslogSeverity | null;
  readonly notification: NotificationRef | null;
  readonly layout: RuntimeLayout | null;
}

const NONE: Resolution = { match: 'none', name: null, origin: null, priority: null, notification: null, layout: null };

/** @example catalogEvent('336.501')?.priority // 1 */
function catalogEvent(id: string): RuntimeEvent | undefined {
  return BY_ID.get(id);
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
    const targets = suid.eventIds.map((t) => BY_ID.get(t)).filter((t): t is RuntimeEvent => t !== undefined);
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

/** Every notification category and type name (the notification options page), for validating alert rules. */
function notificationCategories(): RuntimeCatalog['notificationTypes'] {
  return RUNTIME_CATALOG.notificationTypes;
}

/** Catalog event ids and SUID message types, for validating alert rules. */
const CATALOG_IDS: ReadonlySet<string> = new Set([...EVENTS.map((e) => e.id), ...SUID_TYPES.map((s) => s.suid)]);

/** Origin codes the catalog documents, for validating alert rules. */
const CATALOG_ORIGINS: ReadonlySet<string> = new Set(
  EVENTS.map((e) => e.origin).filter((o): o is string => o !== null),
);

/** CEF custom-string labels the catalog documents, by field key (`cs1` → ['Id', …]). */
function cefLabelsOf(field: string): readonly string[] {
  return Object.hasOwn(RUNTIME_CATALOG.cefLabels, field) ? (RUNTIME_CATALOG.cefLabels[field] ?? []) : [];
}

export type { Resolution };
export {
  CATALOG_IDS,
  CATALOG_ORIGINS,
  catalogEvent,
  cefLabelsOf,
  notificationCategories,
  RUNTIME_CATALOG,
  resolveEvent,
};
