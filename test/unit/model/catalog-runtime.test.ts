/**
 * The run-time catalog (shared/model/catalog-runtime.json, what the functions bundle) is generated
 * from the whole catalog (catalog-data.ts) and must say the same thing about every event.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  catalogRuntime,
  layoutIndex,
  renderCatalogRuntime,
  renderLayoutIndex,
} from '../../../scripts/gen-catalog-runtime.js';
import {
  CATALOG_IDS,
  CATALOG_ORIGINS,
  cefLabelsOf,
  RUNTIME_CATALOG,
  resolveEvent,
} from '../../../shared/model/catalog.js';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../../../shared/model/catalog-docs.js';
import { layoutSlugsOf } from '../../../shared/model/catalog-layouts.js';

describe('run-time catalog', () => {
  it('is the generated projection of catalog-data.ts (run `npx tsx scripts/gen-catalog-runtime.ts`)', () => {
    const file = readFileSync(new URL('../../../shared/model/catalog-runtime.json', import.meta.url), 'utf8');
    expect(file).toBe(renderCatalogRuntime());
    expect(JSON.parse(file)).toEqual(catalogRuntime());
    const layouts = readFileSync(new URL('../../../shared/model/catalog-layouts.json', import.meta.url), 'utf8');
    expect(layouts).toBe(renderLayoutIndex());
    expect(JSON.parse(layouts)).toEqual(layoutIndex());
  });

  it('carries no description, Portuguese text or key table', () => {
    const text = JSON.stringify(RUNTIME_CATALOG);
    expect(text).not.toContain('"description"');
    expect(text).not.toContain('"pt"');
    expect(text).not.toContain('"keys"');
    const pt = CATALOG_EVENTS.find((e) => e.id === '1')?.name.pt;
    expect(pt).toBe('Senha visualizada');
    expect(text).not.toContain(pt);
  });

  it('resolves every catalog event, SUID type and layout signature as the whole catalog says', () => {
    expect(RUNTIME_CATALOG.events).toHaveLength(CATALOG_EVENTS.length);
    for (const e of CATALOG_EVENTS) {
      const r = resolveEvent(e.id, {});
      expect(r.match).toBe('id');
      expect([r.name, r.origin, r.priority, r.notification]).toEqual([e.name.en, e.origin, e.priority, e.notification]);
      expect(r.layout?.slug ?? null).toBe(e.layout);
      expect(Number.isInteger(e.priority) && e.priority >= 0 && e.priority <= 7).toBe(true);
    }
    for (const s of SUID_TYPES)
      expect(resolveEvent(s.suid, {}).match, s.suid).toBe(
        CATALOG_IDS.has(s.suid) ? (CATALOG_EVENTS.some((e) => e.id === s.suid) ? 'id' : 'suid') : 'none',
      );
    const signed = LAYOUTS.filter((l) => l.eventIds.length === 0 && l.signature.length > 0);
    expect(signed.length).toBeGreaterThan(0);
    for (const l of signed) {
      const fields = Object.fromEntries(l.signature.map((s) => [s.field, s.equals]));
      const r = resolveEvent('no-such-id', fields);
      expect([r.match, r.layout?.slug]).toEqual(['layout', l.slug]);
    }
  });

  it('gives alert validation the ids, origins, notification names and CEF labels of the whole catalog', () => {
    expect(CATALOG_IDS).toEqual(new Set([...CATALOG_EVENTS.map((e) => e.id), ...SUID_TYPES.map((s) => s.suid)]));
    expect([...CATALOG_ORIGINS].sort()).toEqual(
      [...new Set(CATALOG_EVENTS.flatMap((e) => (e.origin === null ? [] : [e.origin])))].sort(),
    );
    expect(RUNTIME_CATALOG.notificationTypes).toEqual(
      NOTIFICATION_CATEGORIES.map((c) => ({ name: c.name, types: c.types.map((t) => ({ name: t.name })) })),
    );
    const labels = LAYOUTS.flatMap((l) => l.keys).filter((k) => /^cs\dLabel$/.test(k.key) && k.example !== '');
    expect(labels.length).toBeGreaterThan(0);
    for (const k of labels) expect(cefLabelsOf(k.key.slice(0, -5))).toContain(k.example);
    expect(cefLabelsOf('toString')).toEqual([]);
  });

  it('gives the layouts an event follows (ECS) as resolution against the whole catalog does', () => {
    // reference: resolve against the whole catalog, then take its layout(s)
    const reference = (id: string, fields: Record<string, string>): string[] => {
      const r = resolveEvent(id, fields);
      if (r.match === 'suid')
        return (SUID_TYPES.find((s) => s.suid === id)?.eventIds ?? [])
          .map((t) => CATALOG_EVENTS.find((e) => e.id === t)?.layout)
          .filter((slug): slug is string => typeof slug === 'string');
      return r.layout === null ? [] : [r.layout.slug];
    };
    const cases: [string, Record<string, string>][] = [
      ...CATALOG_EVENTS.map((e): [string, Record<string, string>] => [e.id, {}]),
      ...SUID_TYPES.map((s): [string, Record<string, string>] => [s.suid, {}]),
      ...LAYOUTS.map((l): [string, Record<string, string>] => [
        'no-such-id',
        Object.fromEntries(l.signature.map((s) => [s.field, s.equals])),
      ]),
      ['__proto__', {}],
      ['constructor', { toString: 'x' }],
      ['999', { act: 'nothing documented' }],
    ];
    for (const [id, fields] of cases) expect(layoutSlugsOf(id, fields), id).toEqual(reference(id, fields));
    expect(layoutSlugsOf('153', {})).toEqual(['session-started', 'session-ended']);
    expect(cases.filter(([id, f]) => layoutSlugsOf(id, f).length > 0).length).toBeGreaterThan(30);
  });
});
