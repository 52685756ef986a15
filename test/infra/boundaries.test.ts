/**
 * infra/ never imports runtime code (functions/, shared/, cli/, local/) except the pure contracts in
 * shared/config (env var and metric names, the retry backoff arithmetic, the Firehose backup layout,
 * the stack output keys), so the CDK app and the function bundles stay apart (style.md, layout rules).
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

describe('infra boundaries', () => {
  it('imports only the pure contracts of shared/config from the runtime', () => {
    const offending: string[] = [];
    for (const file of tsFiles(join(ROOT, 'infra'))) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] as string;
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(file, '..', spec)).replace(/\.js$/, '.ts');
        if (
          !target.startsWith('infra/') &&
          target !== 'shared/config/env-names.ts' &&
          target !== 'shared/config/metric-names.ts' &&
          target !== 'shared/config/retry-backoff.ts' &&
          target !== 'shared/config/firehose-backup.ts' &&
          target !== 'shared/config/stack-outputs.ts' &&
          // build configuration, not runtime code: the esbuild options the stack bundles with
          target !== 'scripts/function-bundle.mjs'
        ) {
          offending.push(`${relative(ROOT, file)} → ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
