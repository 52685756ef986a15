/**
 * Catalog resolution at run time. Normalization reads the catalog through this module; nothing
 * else hard-codes event ids. It reads only `catalog-runtime.json` (each catalog id's and SUID message
 * type's resolution and the layout signatures, generated from `catalog-data.ts` by
 * `scripts/gen-catalog-runtime.ts`), so the function bundles carry no descriptions, Portuguese texts
 * or key tables. Renderers read layouts through `catalog-layouts.ts`, alert validation through
 * `catalog-rules.ts`; the CLI, docs, samples and tests read the whole catalog through `catalog-docs.ts`.
 */
import RUNTIME_CATALOG_JSON from './catalog-runtime.json' with { type: 'json' };
import type { NotificationRef, RuntimeCatalog } from './catalog-types.js';
import type { CatalogMatch, SyslogSeverity } from './security-event.js';

// JSON imports type arrays, not tuples; test/unit/model/catalog-runtime.test.ts checks the file is
// the generator's typed output
const RUNTIME_CATALOG = RUNTIME_CATALOG_JSON as unknown as RuntimeCatalog;

/** What the catalog says about an event id (and, for unknown ids, its fields). */
interface Resolution {
  readonly match: CatalogMatch;
  readonly name: string | null;
  readonly origin: string | null;
  readonly priority: SyslogSeverity | null;
  readonly notification: NotificationRef | null;
}

const NONE: Resolution = Object.freeze({ match: 'none', name: null, origin: null, priority: null, notification: null });

const notification = (category: string | null, type: string | null): NotificationRef | null =>
  category === null || type === null ? null : Object.freeze({ category, type });

const BY_ID: ReadonlyMap<string, Resolution> = new Map(
  RUNTIME_CATALOG.ids.map(([id, match, name, origin, priority, category, type]) => [
    id,
    Object.freeze({ match, name, origin, priority, notification: notification(category, type) }),
  ]),
);

const SIGNATURES = RUNTIME_CATALOG.signatures.map(([name, priority, category, type, signature]) => ({
  signature,
  resolution: Object.freeze({
    match: 'layout',
    name,
    origin: null,
    priority,
    notification: notification(category, type),
  } satisfies Resolution),
}));

/**
 * Resolve an event id against the catalog: a catalog id first; else a SUID message type (the SIEM
 * integration guide's "Message Types (SUID)", e.g. `164` = Password Viewed); else a documented layout
 * whose signature the fields match (e.g. a Master Key recovery failure); else unknown.
 * @example resolveEvent('336.501', {}).priority // 1
 */
function resolveEvent(id: string, fields: Readonly<Record<string, string>>): Resolution {
  const known = BY_ID.get(id);
  if (known) return known;
  for (const { signature, resolution } of SIGNATURES)
    if (signature.every(([field, equals]) => Object.hasOwn(fields, field) && fields[field] === equals))
      return resolution;
  return NONE;
}

export type { Resolution };
export { RUNTIME_CATALOG, resolveEvent };
