/**
 * Writes the parts of the event catalog (shared/model/catalog-data.ts) the functions read at run
 * time, so their bundles do not carry both languages' descriptions, the layouts' key tables and the
 * notification descriptions, which only the CLI, the docs, the samples and the tests use:
 * - shared/model/catalog-runtime.json: each catalog id's and SUID message type's resolution, and
 *   the layout signatures that identify an event without a known id (catalog.ts, normalize);
 * - shared/model/catalog-layouts.json: which documented layouts an event follows (catalog-layouts.ts,
 *   all the ECS renderer needs);
 * - shared/model/catalog-rules.json: ids, origins, notification names and CEF labels alert rules
 *   are validated against (catalog-rules.ts).
 * catalog-data.ts stays the one place the catalog is edited; run `npx tsx scripts/gen-catalog-runtime.ts`
 * after changing it (test/unit/model/catalog-runtime.test.ts fails until the files match).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../shared/model/catalog-data.js';
import type { LayoutIndex, NotificationRef, RulesCatalog, RuntimeCatalog } from '../shared/model/catalog-types.js';

const file = (name: string): string => fileURLToPath(new URL(`../shared/model/${name}`, import.meta.url));

/** The notification all of `refs` share, else null (a SUID type whose events differ has none). */
function sameNotification(refs: readonly (NotificationRef | null)[]): NotificationRef | null {
  const first = refs[0];
  if (!first) return null;
  return refs.every((r) => r?.category === first.category && r.type === first.type) ? first : null;
}

/**
 * Resolution data, with the precedence of catalog resolution: a catalog id (its English name,
 * origin, priority, notification); else a SUID message type (its own name, its first event's origin
 * and priority, the notification its events share); else a layout without a catalog id whose field
 * signature matches (its title, priority, notification).
 */
function catalogRuntime(): RuntimeCatalog {
  const byId = new Map(CATALOG_EVENTS.map((e) => [e.id, e]));
  const note = (n: NotificationRef | null): [string | null, string | null] => [n?.category ?? null, n?.type ?? null];
  return {
    ids: [
      ...CATALOG_EVENTS.map((e) => [e.id, 'id', e.name.en, e.origin, e.priority, ...note(e.notification)] as const),
      ...SUID_TYPES.filter((s) => !byId.has(s.suid)).map((s) => {
        const targets = s.eventIds.flatMap((t) => byId.get(t) ?? []);
        const first = targets[0];
        const n = sameNotification(targets.map((t) => t.notification));
        return [s.suid, 'suid', s.name, first?.origin ?? null, first?.priority ?? null, ...note(n)] as const;
      }),
    ],
    signatures: LAYOUTS.filter((l) => l.eventIds.length === 0 && l.signature.length > 0).map(
      (l) =>
        [l.title, l.priority, ...note(l.notification), l.signature.map((s) => [s.field, s.equals] as const)] as const,
    ),
  };
}

/** Layout slugs by event id, with the same precedence (catalog id, SUID type, signature). */
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

/** What alert rules are validated against. */
function rulesCatalog(): RulesCatalog {
  const cefLabels: Record<string, string[]> = {};
  for (const l of LAYOUTS)
    for (const k of l.keys) {
      if (!k.key.endsWith('Label') || k.example === '') continue;
      const field = k.key.slice(0, -'Label'.length);
      cefLabels[field] = [...(cefLabels[field] ?? []), k.example];
    }
  return {
    ids: [...new Set([...CATALOG_EVENTS.map((e) => e.id), ...SUID_TYPES.map((s) => s.suid)])],
    origins: [...new Set(CATALOG_EVENTS.flatMap((e) => (e.origin === null ? [] : [e.origin])))],
    notificationTypes: NOTIFICATION_CATEGORIES.map((c) => [c.name, c.types.map((t) => t.name)]),
    cefLabels,
    layouts: LAYOUTS.map((l) => [l.slug, [...l.eventIds]]),
  };
}

/** A JSON object as text, one line per top-level key, so a catalog change shows as a small diff. */
function render(o: object): string {
  const lines = Object.entries(o).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** Every generated file, by name under shared/model. */
function generatedFiles(): Record<string, string> {
  return {
    'catalog-runtime.json': render(catalogRuntime()),
    'catalog-layouts.json': render(layoutIndex()),
    'catalog-rules.json': render(rulesCatalog()),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, text] of Object.entries(generatedFiles())) {
    writeFileSync(file(name), text);
    process.stdout.write(`wrote shared/model/${name}\n`);
  }
}

export { catalogRuntime, generatedFiles, layoutIndex, rulesCatalog };
