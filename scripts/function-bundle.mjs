// The esbuild options every Lambda function bundle is built with, in one place: the CDK stack
// (infra/constructs/relay-function.ts maps them onto NodejsFunction's bundling options, and fails
// synth on an option it cannot map), scripts/bundle-functions.mjs (the benchmark's and the bundle
// test's artifacts: dist/functions/<name>/index.mjs) and test/integration/bundles.test.ts.
// Plain ESM with a .d.mts next to it, so the .mjs scripts and the TypeScript infra import the same
// object. https://esbuild.github.io/api/

/**
 * Module aliases. Lambda functions take their credentials from the environment
 * (functions/lambda-credentials.ts) and use no event-stream API (functions/no-event-streams.ts).
 */
const FUNCTION_ALIASES = Object.freeze({
  '@aws-sdk/credential-provider-node': './functions/lambda-credentials.ts',
  '@smithy/core/event-streams': './functions/no-event-streams.ts',
});

/** ESM output, but some bundled dependencies are CommonJS and call `require`. */
const REQUIRE_BANNER =
  "import { createRequire as __relayCreateRequire } from 'node:module'; const require = __relayCreateRequire(import.meta.url);";

/**
 * esbuild build options for one function, for the Node.js version `target` (`node22`, `node24`),
 * without entry point and output (the caller's). The AWS SDK is bundled (no externals): the
 * runtime's copy is a different version than the pinned one.
 */
function functionBundleOptions(target) {
  return {
    bundle: true,
    platform: 'node',
    target,
    format: 'esm',
    minify: true,
    // the deployed functions run with --enable-source-maps: the map is a separate file next to the
    // bundle, without the sources' text
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    // the catalog's Portuguese texts and RE2's tables as UTF-8, not \uXXXX escapes
    charset: 'utf8',
    mainFields: ['module', 'main'],
    alias: { ...FUNCTION_ALIASES },
    banner: { js: REQUIRE_BANNER },
    logLevel: 'warning',
  };
}

export { FUNCTION_ALIASES, functionBundleOptions, REQUIRE_BANNER };
