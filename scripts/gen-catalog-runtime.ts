/**
 * Writes the parts of the event catalog (shared/model/catalog-data.ts) the functions read at run
 * time, so their bundles do not carry both languages' descriptions, the layouts' key tables and the
 * notification descriptions, which only the CLI, the docs, the samples and the tests use:
 * - shared/model/catalog-runtime.json: catalog resolution and alert-rule validation (catalog.ts);
 * - shared/model/catalog-layouts.json: which documented layouts an event follows (catalog-layouts.ts,
 *   all the ECS renderer needs, so the delivery functions carry no names).
 * catalog-data.ts stays the one place the catalog is edited; run `npx tsx scripts/gen-catalog-runtime.ts`
 * after changing it (test/unit/model/catalog-runtime.test.ts fails until the files match).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../shared/model/catalog-data.js';
import type { LayoutIndex, RuntimeCatalog } from '../shared/model/catalog-types.js';

const OUT = fileURLToPath(new URL('../shared/model/catalog-runtime.json', import.meta.url));
const OUT_LAYOUTS = fileURLToPath(new URL('../shared/model/catalog-layouts.json', import.meta.url));

/** The run-time projection of the catalog, in catalog order. */
function catalogRuntime(): RuntimeCatalog {
  const cefLabels: Record<string, string[]> = {};
  for (const l of LAYOUTS)
    for (const k of l.keys) {
      if (!k.key.endsWith('Label') || k.example === '') continue;
      const field = k.key.slice(0, -'Label'.length);
      cefLabels[field] = [...(cefLabels[field] ?? []), k.example];
    }
  return {
    events: CATALOG_EVENTS.map((e) => ({
      id: e.id,
      origin: e.origin,
      priority: e.priority,
      name: { en: e.name.en },
      notification: e.notification,
      layout: e.layout,
    })),
    layouts: LAYOUTS.map(({ keys: _keys, ...rest }) => rest),
    suidTypes: SUID_TYPES,
    notificationTypes: NOTIFICATION_CATEGORIES.map((c) => ({
      name: c.name,
      types: c.types.map((t) => ({ name: t.name })),
    })),
    cefLabels,
  };
}

/** The file's text: one line per record, so a catalog change shows as a small diff. */
function renderCatalogRuntime(): string {
  const c = catalogRuntime();
  const list = (xs: readonly unknown[]): string => `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
  return `{
  "events": ${list(c.events)},
  "layouts": ${list(c.layouts)},
  "suidTypes": ${list(c.suidTypes)},
  "notificationTypes": ${list(c.notificationTypes)},
  "cefLabels": ${JSON.stringify(c.cefLabels)}
}
`;
}

/**
 * Layout slugs by event id, with the precedence of catalog resolution (shared/model/catalog.ts):
 * a catalog id (its layout or none), else a SUID message type (its events' layouts), else the
 * layouts without a catalog id whose field signature identifies an event.
 */
function layoutIndex(): LayoutIndex {
  const slugOf = new Map(CATALOG_EVENTS.map((e) => [e.id, e.layout]));
  return {
    byId: CATALOG_EVENTS.map((e) => [e.id, e.layout]),
    suid: SUID_TYPES.filter((t) => !slugOf.has(t.suid)).map((t) => [
      t.suid,
      t.eventIds.map((id) => slugOf.get(id)).filter((slug): slug is string => typeof slug === 'string'),
    ]),
    signatures: LAYOUTS.filter((l) => l.eventIds.length === 0 && l.signature.length > 0).map((l) => [
      l.slug,
      l.signature.map((s) => [s.field, s.equals]),
    ]),
  };
}

function renderLayoutIndex(): string {
  const x = layoutIndex();
  return `{\n  "byId": ${JSON.stringify(x.byId)},\n  "suid": ${JSON.stringify(x.suid)},\n  "signatures": ${JSON.stringify(x.signatures)}\n}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUT, renderCatalogRuntime());
  writeFileSync(OUT_LAYOUTS, renderLayoutIndex());
  process.stdout.write(`wrote ${OUT} and ${OUT_LAYOUTS}\n`);
}

export { catalogRuntime, layoutIndex, renderCatalogRuntime, renderLayoutIndex };
