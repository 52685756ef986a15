/**
 * infra/ never imports runtime code (functions/, shared/, cli/, local/) except the pure contracts in
 * shared/contracts (env var, metric, attribute and table names), shared/errors.ts (the error classes
 * and the one helper that narrows thrown values; no imports) and shared/config (the retry backoff
 * arithmetic, the Firehose backup layout, the stack output keys, the render options' rules), so the
 * CDK app and the function bundles stay apart (docs/architecture.md §3).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of the .ts files under `dir`, as [importing file, imported file] from the repo root. */
function relativeImports(dir: string): Array<[string, string]> {
  return tsFiles(join(ROOT, dir)).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)]
      .map((m) => m[1] as string)
      .filter((spec) => spec.startsWith('.'))
      .map((spec): [string, string] => [
        relative(ROOT, file),
        relative(ROOT, resolve(file, '..', spec)).replace(/\.js$/, '.ts'),
      ]),
  );
}

describe('infra boundaries', () => {
  it('imports only the pure contracts of shared/config from the runtime', () => {
    const offending: string[] = [];
    for (const [file, target] of relativeImports('infra')) {
      if (
        !target.startsWith('infra/') &&
        target !== 'shared/contracts/index.ts' &&
        target !== 'shared/errors.ts' &&
        target !== 'shared/config/env-names.ts' &&
        target !== 'shared/config/metric-names.ts' &&
        target !== 'shared/config/retry-backoff.ts' &&
        target !== 'shared/config/firehose-backup.ts' &&
        target !== 'shared/config/stack-outputs.ts' &&
        target !== 'shared/config/render-options.ts' &&
        target !== 'shared/config/bridge-metrics.ts' &&
        target !== 'shared/config/event-attributes.ts' &&
        // the destination registry's descriptors: names only (docs/architecture.md §8)
        target !== 'shared/destinations/kinds.ts' &&
        // build configuration, not runtime code: the esbuild options the stack bundles with
        target !== 'scripts/function-bundle.mjs'
      ) {
        offending.push(`${file} → ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  // the syslog → SQS bridge is an operator tool run by the CLI (`segura-relay bridge`): it lives in
  // bridge/, and neither the Lambda functions, their shared runtime, the CDK app nor npm start pull it in
  it('keeps the bridge out of the functions, shared/, infra/ and local/', () => {
    const offending = ['functions', 'shared', 'infra', 'local'].flatMap((dir) =>
      relativeImports(dir)
        .filter(([, target]) => target.startsWith('bridge/'))
        .map(([file, target]) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('the contracts module imports nothing: names only, no behaviour', () => {
    const src = readFileSync(join(ROOT, 'shared/contracts/index.ts'), 'utf8');
    expect(src).not.toMatch(/^\s*import\b/m);
  });
});
