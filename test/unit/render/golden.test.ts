/**
 * Golden-string tests (docs/contributing.md §13): every documented layout × every variant folder under
 * test/fixtures/golden. Each case is first checked with the strict reference parsers (so a wrong
 * golden file cannot hide a renderer bug), then compared byte for byte. This test never writes;
 * regenerate with `npx tsx scripts/update-golden.ts` and review the diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIRST_UNKNOWN_ID,
  goldenEvent,
  goldenPath,
  goldenText,
  inputSlugs,
  layoutCases,
  layoutEnvelope,
  loadVariants,
  readInput,
  readShape,
  renderCase,
  shapeSlugs,
  validateCase,
} from '../../../scripts/update-golden.js';
import { LAYOUTS, layoutBySlug, layoutFieldKeys } from '../../../shared/model/catalog-docs.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer } from '../../../shared/render/index.js';

const slugs = inputSlugs();
const variants = loadVariants();

describe('golden inputs (test/fixtures/events/layouts)', () => {
  it('has one input per documented layout and nothing else', () => {
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
      const event = goldenEvent(readInput(slug));
      const result = renderCase(variant, event);
      // 1. the output is valid per docs/formats.md whatever the golden file says
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

describe('shape inputs (test/fixtures/events/shapes: BSD-header CEF, CEF rt date formats)', () => {
  const shapes = shapeSlugs();
  it('cover the BSD header and every family of CEF date format', () => {
    expect(shapes).toEqual(
      expect.arrayContaining([
        'bsd-cef-tag',
        'bsd-cef-no-tag',
        'bsd-cef-rt-wins',
        'cef-rt-year-millis-offset',
        'cef-rt-year-utc',
        'cef-rt-no-year-named-zone',
        'cef-rt-no-year-no-zone',
        'cef-rt-unknown-zone',
      ]),
    );
  });

  for (const variant of variants) {
    it.each(shapes)(`${variant.name}: shape-%s`, (slug) => {
      const event = goldenEvent(readShape(slug));
      const result = renderCase(variant, event);
      expect(validateCase(variant, event, result), `${variant.name}/shape-${slug}: ${goldenText(result)}`).toEqual([]);
      const path = goldenPath(variant.name, `shape-${slug}`);
      expect(existsSync(path), `missing ${path}: run npx tsx scripts/update-golden.ts`).toBe(true);
      expect(goldenText(result)).toBe(readFileSync(path, 'utf8'));
    });
  }
});

describe('stable event id in the golden files', () => {
  it('every variant writes the same id for an event, and every event has its own', () => {
    const cases = [...slugs.map((s) => readInput(s)), ...shapeSlugs().map((s) => readShape(s))];
    const ids = cases.map((p) => goldenEvent(p).uid);
    expect(new Set(ids).size).toBe(cases.length);
    for (const [i, payload] of cases.entries()) {
      const id = ids[i] as string;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const e = goldenEvent(payload);
      for (const v of variants) {
        const r = renderCase(v, e);
        // the kv MSG without an SD element has no place for it (README: deduplicating)
        if (r.kind === 'line' && !(v.options.msg === 'kv' && v.options.sdId === undefined)) {
          expect(r.text, `${v.name}`).toContain(id);
        }
      }
    }
  });
});

describe('budget variants', () => {
  it('shorten msg in at least the long-message layouts and pin their refusals', () => {
    const cut: string[] = [];
    for (const v of variants.filter((x) => x.options.maxBytes !== undefined)) {
      for (const slug of slugs) {
        const r = renderCase(v, goldenEvent(readInput(slug)));
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
        'rfc5424-budget-576/request-approved',
        'rfc5424-budget-576/password-access-request',
      ]),
    );
  });

  it('the stable id costs 44 bytes (` externalId=` + 32 hex): at 512 an RFC 5424 header leaves these events no room', () => {
    const v = variants.find((x) => x.name === 'rfc5424-budget-576');
    expect(v).toBeDefined();
    if (v === undefined) return;
    const at512 = { ...v, options: { ...v.options, maxBytes: 512 } };
    for (const slug of ['request-approved', 'request-denied', 'password-access-request']) {
      const e = goldenEvent(readInput(slug));
      expect(renderCase(at512, e)).toEqual({
        kind: 'error',
        message: expect.stringMatching(
          /without the message text \+ 3 for the truncation mark "…"\), over the 512-byte budget$/,
        ),
      });
      // without the id the same event is cut, not refused
      const { uid: _uid, ...noId } = e;
      expect(renderCase(at512, noId)).toMatchObject({ kind: 'line', truncated: true });
    }
  });

  it('pin a refusal where the fields other than msg alone exceed the budget (Master Key recovery: 21 keys)', () => {
    const v = variants.find((x) => x.name === 'cef-budget-512');
    expect(v).toBeDefined();
    if (v === undefined) return;
    const r = renderCase(v, goldenEvent(readInput('master-key-recovery-failed')));
    expect(r).toEqual({
      kind: 'error',
      message: expect.stringMatching(
        /without the message text \+ 3 for the truncation mark "…"\), over the 512-byte budget$/,
      ),
    });
  });

  it('maxBytes 1024 changes nothing for the documented layouts (the longest line, rfc5424-sd request-approved, is < 1024 bytes)', () => {
    for (const slug of slugs) {
      const event = goldenEvent(readInput(slug));
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
