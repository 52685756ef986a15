/**
 * The run-time parts of the catalog (shared/model/catalog-{runtime,layouts,rules}.json, what the
 * functions bundle) are generated from the whole catalog (catalog-data.ts) and must say the same
 * thing about every event as the whole catalog does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../../scripts/gen-catalog-runtime.js';
import { RUNTIME_CATALOG, resolveEvent } from '../../../shared/model/catalog.js';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../../../shared/model/catalog-docs.js';
import { layoutSlugsOf } from '../../../shared/model/catalog-layouts.js';
import {
  CATALOG_IDS,
  CATALOG_ORIGINS,
  cefLabelsOf,
  notificationCategories,
  RULES_CATALOG,
} from '../../../shared/model/catalog-rules.js';
import type { CatalogEvent, Layout } from '../../../shared/model/catalog-types.js';

type Fields = Record<string, string>;

/** Reference resolution, straight from the whole catalog: catalog id, SUID type, layout signature. */
function reference(id: string, fields: Fields): { event?: CatalogEvent; suid?: CatalogEvent[]; layout?: Layout } {
  const event = CATALOG_EVENTS.find((e) => e.id === id);
  if (event) return { event };
  const suid = SUID_TYPES.find((s) => s.suid === id);
  if (suid) return { suid: suid.eventIds.flatMap((t) => CATALOG_EVENTS.filter((e) => e.id === t)) };
  const layout = LAYOUTS.find(
    (l) =>
      l.eventIds.length === 0 &&
      l.signature.length > 0 &&
      l.signature.every((s) => Object.hasOwn(fields, s.field) && fields[s.field] === s.equals),
  );
  return layout ? { layout } : {};
}

const CASES: [string, Fields][] = [
  ...CATALOG_EVENTS.map((e): [string, Fields] => [e.id, {}]),
  ...SUID_TYPES.map((s): [string, Fields] => [s.suid, {}]),
  ...LAYOUTS.map((l): [string, Fields] => [
    'no-such-id',
    Object.fromEntries(l.signature.map((s) => [s.field, s.equals])),
  ]),
  ['__proto__', {}],
  ['constructor', { toString: 'x' }],
  ['hasOwnProperty', {}],
  ['999', { act: 'nothing documented' }],
];

describe('run-time catalog', () => {
  it('is the generated projection of catalog-data.ts (run `npx tsx scripts/gen-catalog-runtime.ts`)', () => {
    for (const [name, text] of Object.entries(generatedFiles()))
      expect(readFileSync(new URL(`../../../shared/model/${name}`, import.meta.url), 'utf8'), name).toBe(text);
  });

  it('carries no description, Portuguese text or key table', () => {
    const text = JSON.stringify([RUNTIME_CATALOG, RULES_CATALOG]);
    const e1 = CATALOG_EVENTS.find((e) => e.id === '1');
    expect(e1?.name.pt).toBe('Senha visualizada');
    for (const t of [e1?.name.pt, e1?.description.en, LAYOUTS[0]?.keys[0]?.description, 'Uma senha'])
      expect(text).not.toContain(t);
  });

  it('resolves every catalog id, SUID type and layout signature as the whole catalog says', () => {
    for (const [id, fields] of CASES) {
      const r = resolveEvent(id, fields);
      const ref = reference(id, fields);
      if (ref.event) {
        const e = ref.event;
        expect(r, id).toEqual({
          match: 'id',
          name: e.name.en,
          origin: e.origin,
          priority: e.priority,
          notification: e.notification,
        });
      } else if (ref.suid) {
        const [first] = ref.suid;
        const n = first?.notification ?? null;
        const same = ref.suid.every(
          (t) => t.notification?.category === n?.category && t.notification?.type === n?.type,
        );
        expect(r, id).toEqual({
          match: 'suid',
          name: SUID_TYPES.find((s) => s.suid === id)?.name,
          origin: first?.origin ?? null,
          priority: first?.priority ?? null,
          notification: same ? n : null,
        });
      } else if (ref.layout) {
        const l = ref.layout;
        expect(r, id).toEqual({
          match: 'layout',
          name: l.title,
          origin: null,
          priority: l.priority,
          notification: l.notification,
        });
      } else expect(r, id).toEqual({ match: 'none', name: null, origin: null, priority: null, notification: null });
    }
    expect(CASES.filter(([id, f]) => resolveEvent(id, f).match === 'layout').length).toBeGreaterThan(0);
    expect(CASES.filter(([id, f]) => resolveEvent(id, f).match === 'suid').length).toBeGreaterThan(0);
    for (const e of CATALOG_EVENTS)
      expect(Number.isInteger(e.priority) && e.priority >= 0 && e.priority <= 7).toBe(true);
  });

  it('gives the layouts an event follows (ECS) as the whole catalog does', () => {
    for (const [id, fields] of CASES) {
      const ref = reference(id, fields);
      const expected = ref.event
        ? ref.event.layout === null
          ? []
          : [ref.event.layout]
        : ref.suid
          ? ref.suid.flatMap((e) => (e.layout === null ? [] : [e.layout]))
          : ref.layout
            ? [ref.layout.slug]
            : [];
      expect(layoutSlugsOf(id, fields), id).toEqual(expected);
    }
    expect(layoutSlugsOf('153', {})).toEqual(['session-started', 'session-ended']);
    expect(CASES.filter(([id, f]) => layoutSlugsOf(id, f).length > 0).length).toBeGreaterThan(30);
  });

  it('gives alert validation the ids, origins, notification names and CEF labels of the whole catalog', () => {
    expect(CATALOG_IDS).toEqual(new Set([...CATALOG_EVENTS.map((e) => e.id), ...SUID_TYPES.map((s) => s.suid)]));
    expect([...CATALOG_ORIGINS].sort()).toEqual(
      [...new Set(CATALOG_EVENTS.flatMap((e) => (e.origin === null ? [] : [e.origin])))].sort(),
    );
    expect(notificationCategories()).toEqual(
      NOTIFICATION_CATEGORIES.map((c) => ({ name: c.name, types: c.types.map((t) => ({ name: t.name })) })),
    );
    const labels = LAYOUTS.flatMap((l) => l.keys).filter((k) => /^cs\dLabel$/.test(k.key) && k.example !== '');
    expect(labels.length).toBeGreaterThan(0);
    for (const k of labels) expect(cefLabelsOf(k.key.slice(0, -5))).toContain(k.example);
    expect(cefLabelsOf('toString')).toEqual([]);
  });
});
