/**
 * Which documented layouts an event's keys follow, for renderers that map keys by layout (ECS). It
 * reads only `catalog-layouts.json` (slugs, generated from `catalog-data.ts` by
 * `scripts/gen-catalog-runtime.ts`), so the delivery functions do not bundle the catalog's names.
 * Same precedence as catalog resolution (`catalog.ts`): catalog id, then SUID message type, then a
 * layout's field signature.
 */
import LAYOUT_INDEX_JSON from './catalog-layouts.json' with { type: 'json' };
import type { LayoutIndex } from './catalog-types.js';

// JSON imports type arrays, not tuples; test/unit/model/catalog-runtime.test.ts checks the file is
// the generator's typed output
const INDEX = LAYOUT_INDEX_JSON as unknown as LayoutIndex;
const BY_ID: ReadonlyMap<string, readonly string[]> = new Map(
  INDEX.byId.map(([id, slug]) => [id, slug === null ? [] : [slug]]),
);
const BY_SUID: ReadonlyMap<string, readonly string[]> = new Map(INDEX.suid);

/**
 * The slugs of the documented layouts an event's keys follow: its catalog event's layout, the
 * layouts of a SUID message type's events, or the layout its fields' signature matched; empty when
 * there is none.
 * @example layoutSlugsOf('153', {}) // ['session-started', 'session-ended']
 */
function layoutSlugsOf(id: string, fields: Readonly<Record<string, string>>): readonly string[] {
  const known = BY_ID.get(id) ?? BY_SUID.get(id);
  if (known) return known;
  for (const [slug, signature] of INDEX.signatures)
    if (signature.every(([field, equals]) => Object.hasOwn(fields, field) && fields[field] === equals)) return [slug];
  return [];
}

export { layoutSlugsOf };
