/**
 * Whole-template drift, one snapshot per example (asset hashes masked: they depend on bundling).
 * Update deliberately with `npx vitest run test/infra -u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, example, stableTemplate } from './helpers.js';

describe('template snapshots', () => {
  it.each(EXAMPLE_FILES)('%s', async (file) => {
    const name = file.replace(/\.json$/, '');
    await expect(stableTemplate(example(file).template)).toMatchFileSnapshot(
      `__snapshots__/${name}.template.json.snap`,
    );
  });
});
