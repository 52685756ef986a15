/**
 * Writes shared/model/catalog-runtime.json: the part of the event catalog (shared/model/catalog-data.ts)
 * the functions read at run time, so their bundles do not carry both languages' descriptions, the
 * layouts' key tables and the notification descriptions, which only the CLI, the docs, the samples
 * and the tests use. catalog-data.ts stays the one place the catalog is edited; run
 * `npx tsx scripts/gen-catalog-runtime.ts` after changing it (test/unit/model/catalog-runtime.test.ts
 * fails until the JSON matches).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../shared/model/catalog-data.js';
import type { RuntimeCatalog } from '../shared/model/catalog-types.js';

const OUT = fileURLToPath(new URL('../shared/model/catalog-runtime.json', import.meta.url));

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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUT, renderCatalogRuntime());
  process.stdout.write(`wrote ${OUT}\n`);
}

export { catalogRuntime, renderCatalogRuntime };
