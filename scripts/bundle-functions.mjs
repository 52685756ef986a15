// Bundle every function as the CDK stack does, with the same esbuild options
// (scripts/function-bundle.mjs): dist/functions/<name>/index.mjs (+ index.mjs.map). Used by the
// cold-start benchmark and test/integration/bundles.test.ts; the deployed code is built from the
// same entry points (functions/<name>/handler.ts). `--metafile` also writes
// dist/functions/<name>/meta.json and prints esbuild's size analysis (what each bundle carries).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { analyzeMetafile, build } from 'esbuild';
import { functionBundleOptions } from './function-bundle.mjs';

const metafile = process.argv.includes('--metafile');
// the stack's default runtime is nodejs24.x (infra/constructs/relay-function.ts); node22 output
// runs on both and on this machine's Node
const target = process.env.BUNDLE_TARGET ?? 'node22';
const names = readdirSync('functions').filter((n) => statSync(`functions/${n}`).isDirectory());
for (const name of names) {
  mkdirSync(`dist/functions/${name}`, { recursive: true });
  const r = await build({
    ...functionBundleOptions(target),
    entryPoints: [`functions/${name}/handler.ts`],
    outfile: `dist/functions/${name}/index.mjs`,
    metafile,
  });
  if (metafile) {
    writeFileSync(`dist/functions/${name}/meta.json`, JSON.stringify(r.metafile));
    process.stdout.write(`\n${name}:${await analyzeMetafile(r.metafile)}`);
  }
}
process.stdout.write(`${names.join(' ')}\n`);
