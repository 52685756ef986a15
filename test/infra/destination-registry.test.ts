/**
 * The destination registry is complete: every kind the deployment config schema accepts has a
 * descriptor (shared/destinations/kinds.ts), and every descriptor has all its parts: the schema
 * definition (with `type` fixed to the kind), a delivery function (functions/<fn>/handler.ts and
 * app.ts, bundled by scripts/bundle-functions.mjs, which bundles every folder of functions/), its
 * render options known to shared/config/render-options.ts, the CDK constructs
 * (infra/destinations.ts), the local double (local/destinations.ts), what `segura-relay cost`
 * counts for it (cli/cost-inventory.ts), and the recipe in
 * docs/architecture.md §8. Adding a kind without one of them fails here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COST_EXTRAS, METRICS_BY_KIND } from '../../cli/cost-inventory.js';
import { INFRA_DESTINATIONS } from '../../infra/destinations.js';
import { LOCAL_DOUBLES } from '../../local/destinations.js';
import { RENDER_OPTION_FORMATS } from '../../shared/config/render-options.js';
import { DESTINATION_KIND_NAMES, DESTINATION_KINDS } from '../../shared/destinations/kinds.js';
import { ROOT } from './helpers.js';

type Schema = { $defs: Record<string, { oneOf?: { $ref: string }[]; properties?: { type?: { const?: string } } }> };
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/deployment-config.v1.schema.json'), 'utf8')) as Schema;
const functionFolders = readdirSync(join(ROOT, 'functions')).filter((n) =>
  statSync(join(ROOT, 'functions', n)).isDirectory(),
);

describe('destination registry', () => {
  it('every destination kind the schema accepts has a descriptor, and no descriptor lacks a schema definition', () => {
    const refs = (schema.$defs.destination?.oneOf ?? []).map((r) => r.$ref.replace('#/$defs/', ''));
    const kindsInSchema = refs.map((def) => schema.$defs[def]?.properties?.type?.const);
    expect(kindsInSchema.sort()).toEqual([...DESTINATION_KIND_NAMES].sort());
    for (const kind of DESTINATION_KIND_NAMES) {
      const def = DESTINATION_KINDS[kind].schemaDef;
      expect(refs, `${kind}: schema $defs.destination.oneOf lists ${def}`).toContain(def);
      expect(schema.$defs[def]?.properties?.type?.const, `${kind}: ${def}.type`).toBe(kind);
    }
  });

  for (const kind of DESTINATION_KIND_NAMES) {
    const d = DESTINATION_KINDS[kind];
    it(`${kind}: descriptor, function, render options, CDK constructs, local double and recipe`, () => {
      expect(d.kind).toBe(kind);
      // the function: its Lambda entry, the factory npm start uses, and a bundle (every folder of functions/)
      expect(existsSync(join(ROOT, 'functions', d.fn, 'handler.ts')), `functions/${d.fn}/handler.ts`).toBe(true);
      expect(existsSync(join(ROOT, 'functions', d.fn, 'app.ts')), `functions/${d.fn}/app.ts`).toBe(true);
      expect(functionFolders).toContain(d.fn);
      expect(readFileSync(join(ROOT, 'scripts/bundle-functions.mjs'), 'utf8')).toContain("readdirSync('functions')");
      // render options the renderer knows
      expect(d.renderOptions.length).toBeGreaterThan(0);
      for (const o of d.renderOptions) expect(Object.keys(RENDER_OPTION_FORMATS)).toContain(o);
      // the infra and local parts
      expect(typeof INFRA_DESTINATIONS[kind]).toBe('function');
      expect(typeof LOCAL_DOUBLES[kind]?.spec).toBe('function');
      expect(typeof LOCAL_DOUBLES[kind]?.deployed).toBe('function');
      expect(d.resourcePrefix).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      // the CLI: segura-relay cost knows the kind's extras and its function's metrics
      expect(typeof COST_EXTRAS[kind]).toBe('function');
      expect(METRICS_BY_KIND[d.fn]?.length ?? 0).toBeGreaterThan(0);
    });
  }

  it('the infra and local maps hold exactly the registered kinds', () => {
    expect(Object.keys(INFRA_DESTINATIONS).sort()).toEqual([...DESTINATION_KIND_NAMES].sort());
    expect(Object.keys(LOCAL_DOUBLES).sort()).toEqual([...DESTINATION_KIND_NAMES].sort());
    expect(Object.keys(COST_EXTRAS).sort()).toEqual([...DESTINATION_KIND_NAMES].sort());
    // resource prefixes are the logical-id namespace of each kind: no two kinds share one
    const prefixes = DESTINATION_KIND_NAMES.map((k) => DESTINATION_KINDS[k].resourcePrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('docs/architecture.md §8 has the recipe, naming every part', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const s8 = doc.slice(doc.indexOf('## 8.'));
    expect(s8).toMatch(/^## 8\. Adding a destination kind or an output format/);
    for (const part of [
      'shared/destinations/kinds.ts',
      'infra/destinations.ts',
      'local/destinations.ts',
      'schemas/deployment-config.v1.schema.json',
      'functions/',
      'test/infra/destination-registry.test.ts',
    ])
      expect(s8).toContain(part);
  });
});
