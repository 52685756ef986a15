/**
 * Store the upgrade guard's baseline for a release: every example synthesized at this commit
 * (exactly as the infra tests and the snapshots build it, asset hashes masked) into
 * test/infra/releases/<release>/<example>.template.json, plus an empty allow-list.
 * test/infra/upgrade.test.ts compares later commits against the newest release folder.
 *
 *   npx tsx scripts/release-baseline.ts 0.2     # at the commit tagged 0.2, before the next change
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_FILES, example, ROOT, stableTemplate } from '../test/infra/helpers.js';

const release = process.argv[2];
if (!release || !/^\d+(\.\d+)*$/.test(release)) {
  process.stderr.write('usage: npx tsx scripts/release-baseline.ts <release, e.g. 0.2>\n');
  process.exit(2);
}
const dir = join(ROOT, 'test', 'infra', 'releases', release);
if (existsSync(dir)) {
  process.stderr.write(`${dir} exists already: a release baseline is written once\n`);
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
for (const file of EXAMPLE_FILES) {
  const name = file.replace(/\.json$/, '');
  writeFileSync(join(dir, `${name}.template.json`), stableTemplate(example(file).template));
  process.stdout.write(`${release}/${name}.template.json\n`);
}
writeFileSync(
  join(dir, 'allowed-replacements.json'),
  `${JSON.stringify({ $comment: `Stateful resources of the ${release} templates that a later commit may replace, per example, each with why that loses nothing.` }, null, 2)}\n`,
);
