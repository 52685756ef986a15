// Bundle every function the way the CDK stack does (esbuild, ESM, minified, node22, AWS SDK
// included): dist/functions/<name>/index.mjs. Used by the cold-start benchmark; the deployed code
// is built from the same entry points (functions/<name>/handler.ts).
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { build } from 'esbuild';

const names = readdirSync('functions').filter((n) => statSync(`functions/${n}`).isDirectory());
// Lambda functions take their credentials from the environment (functions/lambda-credentials.ts)
// and use no event-stream API (functions/no-event-streams.ts). infra/constructs/relay-function.ts
// bundles with the same aliases.
const alias = {
  '@aws-sdk/credential-provider-node': './functions/lambda-credentials.ts',
  '@smithy/core/event-streams': './functions/no-event-streams.ts',
};
for (const name of names) {
  mkdirSync(`dist/functions/${name}`, { recursive: true });
  await build({
    entryPoints: [`functions/${name}/handler.ts`],
    outfile: `dist/functions/${name}/index.mjs`,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    mainFields: ['module', 'main'],
    alias,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
process.stdout.write(`${names.join(' ')}\n`);
