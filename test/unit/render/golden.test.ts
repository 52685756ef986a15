/**
 * Golden-string tests (style.md §13): every seed 000 layout × every variant folder under
 * test/fixtures/golden. Each case is first checked with the strict reference parsers (so a wrong
 * golden file cannot hide a renderer bug), then compared byte for byte. This test never writes;
 * regenerate with `npx tsx scripts/update-golden.ts` and review the diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIRST_UNKNOWN_ID,
  goldenPath,
  goldenText,
  inputSlugs,
  layoutCases,
  layoutEnvelope,
  loadVariants,
  readInput,
  renderCase,
  validateCase,
} from '../../../scripts/update-golden.js';
import { LAYOUTS, layoutBySlug, layoutFieldKeys } from '../../../shared/model/catalog-docs.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer } from '../../../shared/render/index.js';

const slugs = inputSlugs();
const variants = loadVariants();

describe('golden inputs (test/fixtures/events/seed000)', () => {
  it('has one input per seed 000 layout and nothing else', () => {
    expect(slugs).toEqual(LAYOUTS.map((l) => l.slug).sort());
    expect(slugs).toHaveLength(28);
  });

  it.each(layoutCases().map((c) => [c.layout.slug, c] as const))(
    '%s: the layout keys in order with their example values',
    (slug, { layout, id }) => {
      expect(JSON.parse(readInput(slug))).toEqual(layoutEnvelope(layout, id));
      const names = layoutFieldKeys(layout);
      expect(Object.keys(JSON.parse(readInput(slug)).fields)).toEqual(
        names.filter((_, i) => layout.keys[i]?.example !== ''),
      );
    },
  );

  it.each(slugs)('%s resolves to its layout (by id, or by signature for id-less layouts)', (slug) => {
    const e = parseInput(readInput(slug));
    const layout = layoutBySlug(slug);
    expect(layout).toBeDefined();
    if (layout === undefined) return;
    if (layout.eventIds.length > 0) {
      expect(e.catalogMatch).toBe('id');
      expect(e.eventId).toBe(layout.eventIds[0]);
    } else {
      expect(Number(e.eventId)).toBeGreaterThanOrEqual(FIRST_UNKNOWN_ID);
      expect(e.catalogMatch).toBe('layout');
      expect(e.name).toBe(layout.title);
    }
    expect(e.flags).not.toContain('unknown-id');
  });
});

describe('variants', () => {
  it('covers every format and the required option variants', () => {
    const names = variants.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['cef', 'rfc5424', 'leef', 'ecs', 'cef-compatible', 'rfc5424-sd', 'rfc5424-kv']),
    );
    expect(variants.find((v) => v.name === 'rfc5424-sd')?.options).toEqual({ sdId: 'segura@32473' });
    expect(
      variants
        .filter((v) => v.options.maxBytes !== undefined)
        .map((v) => v.format)
        .sort(),
    ).toEqual(['cef', 'rfc5424']);
  });
});

for (const variant of variants) {
  describe(`golden ${variant.name} (${variant.description})`, () => {
    it.each(slugs)('%s', (slug) => {
      const event = parseInput(readInput(slug));
      const result = renderCase(variant, event);
      // 1. the output is valid per formats.md whatever the golden file says
      expect(validateCase(variant, event, result), `${variant.name}/${slug}: ${goldenText(result)}`).toEqual([]);
      // 2. byte-for-byte: one line plus exactly one LF
      const path = goldenPath(variant.name, slug);
      expect(existsSync(path), `missing ${path}: run npx tsx scripts/update-golden.ts`).toBe(true);
      const golden = readFileSync(path, 'utf8');
      expect(golden.endsWith('\n')).toBe(true);
      expect(golden.slice(0, -1)).not.toMatch(/[\r\n]/);
      expect(goldenText(result)).toBe(golden);
    });
  });
}

describe('budget variants', () => {
  it('shorten msg in at least the long-message layouts and pin their refusals', () => {
    const cut: string[] = [];
    for (const v of variants.filter((x) => x.options.maxBytes !== undefined)) {
      for (const slug of slugs) {
        const r = renderCase(v, parseInput(readInput(slug)));
        if (r.kind === 'line' && r.truncated) {
          cut.push(`${v.name}/${slug}`);
          expect(r.text).toMatch(/ msg=[^=]*…( |$)/);
        }
      }
    }
    expect(cut).toEqual(
      expect.arrayContaining([
        'cef-budget-512/request-approved',
        'cef-budget-512/password-access-request',
        'rfc5424-budget-512/request-approved',
        'rfc5424-budget-512/request-denied',
        'rfc5424-budget-512/password-access-request',
      ]),
    );
  });

  it('pin a refusal where the fields other than msg alone exceed the budget (Master Key recovery: 21 keys)', () => {
    const v = variants.find((x) => x.name === 'cef-budget-512');
    expect(v).toBeDefined();
    if (v === undefined) return;
    const r = renderCase(v, parseInput(readInput('master-key-recovery-failed')));
    expect(r).toEqual({
      kind: 'error',
      message: expect.stringMatching(/without the message text exceed the 512-byte budget/),
    });
  });

  it('maxBytes 1024 changes nothing for seed 000 (the longest line, rfc5424-sd request-approved, is < 1024 bytes)', () => {
    for (const slug of slugs) {
      const event = parseInput(readInput(slug));
      for (const [format, opts] of [
        ['cef', {}],
        ['rfc5424', {}],
        ['rfc5424', { sdId: 'segura@32473' }],
      ] as const) {
        const plain = createRenderer(format, opts).render(event);
        const r = createRenderer(format, { ...opts, maxBytes: 1024 }).renderWithInfo(event);
        expect(r).toEqual({ text: plain, truncated: false });
        expect(Buffer.byteLength(plain, 'utf8')).toBeLessThanOrEqual(1024);
      }
    }
  });
});
