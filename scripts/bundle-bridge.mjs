#!/usr/bin/env node
// Stage the syslog endpoint's container build context: docker/Dockerfile, docker/entrypoint.sh,
// docker/.dockerignore and the bridge bundled into one self-contained file (cli/bridge-entry.ts
// with the AWS SDK; Node built-ins only at run time). The CDK stack calls this at synth when it
// bundles (infra/constructs/ingest-endpoint.ts); the integration test runs the same bundle.
//
//   node scripts/bundle-bridge.mjs OUT_DIR            # context with the bundle
//   node scripts/bundle-bridge.mjs OUT_DIR --no-bundle  # Dockerfile and entrypoint only
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [out, flag] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: node scripts/bundle-bridge.mjs OUT_DIR [--no-bundle]\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const f of ['Dockerfile', 'entrypoint.sh', '.dockerignore']) copyFileSync(join(root, 'docker', f), join(out, f));
chmodSync(join(out, 'entrypoint.sh'), 0o755);
if (flag !== '--no-bundle') {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'cli', 'bridge-entry.ts')],
    outfile: join(out, 'segura-bridge.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
