/**
 * `npm ci` prints no EBADENGINE warning on the Node versions the project supports: every package
 * in package-lock.json accepts the floor of package.json `engines.node` and the Node running the
 * tests. (fastify's light-my-request 6.8 pulls cookie 2, which wants Node >= 22: package.json
 * `overrides` pins light-my-request 6.6.0, which uses cookie 1 and runs on Node 18+.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// npm's own range semantics (semver is in the tree through many packages)
const semver = createRequire(`${ROOT}package.json`)('semver') as {
  satisfies: (v: string, r: string) => boolean;
  minVersion: (r: string) => { version: string } | null;
};

describe('engines', () => {
  it('every locked package accepts the supported Node floor and the running Node', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const floor = semver.minVersion(pkg.engines.node)?.version as string;
    expect(floor).toBe('20.19.0');
    const refused: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (!range) continue;
      for (const v of [floor, process.versions.node])
        if (!semver.satisfies(v, range)) refused.push(`${path}@${p.version}: node ${range} refuses ${v}`);
    }
    expect(refused).toEqual([]);
  });
});
