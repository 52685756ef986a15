#!/usr/bin/env node
// The CLI is bundled to dist/cli.mjs by `npm ci` (the `prepare` script). Without the bundle (e.g.
// `npm ci --ignore-scripts`), run the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../cli/entry.ts', import.meta.url).href);
}
