/**
 * The real CLI path, once: `cdk synth -c config=examples/full.json` with no AWS credentials and
 * esbuild bundling of all four functions (plus the alert rules through the engine's validator and
 * CloudFormation's built-in validation). Its template must be the one the in-process tests check.
 * ~10 s; every example is synthesized this way by `npm run synth:all` in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES, example, exampleDoc, ROOT } from './helpers.js';

const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

/** The environment of a developer machine without AWS credentials (and not a test runner). */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' };
  for (const k of Object.keys(env)) {
    if (
      /^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|REGION|DEFAULT_REGION)|VITEST.*|NODE_ENV|CDK_.*)$/.test(
        k,
      )
    )
      delete env[k];
  }
  return env;
}

function cdkSynth(config: string, out: string) {
  const started = Date.now();
  const r = spawnSync(CDK, ['synth', '-c', `config=${config}`, '-o', out, '--quiet'], {
    cwd: ROOT,
    env: offlineEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

/** A template without CDK's metadata (paths, asset info) and with asset hashes masked. */
function comparable(template: unknown): unknown {
  const t = structuredClone(template) as { Resources: Record<string, Record<string, unknown>> };
  for (const r of Object.values(t.Resources)) delete r.Metadata;
  return JSON.parse(JSON.stringify(t).replace(/[0-9a-f]{64}/g, '[asset-hash]'));
}

describe('cdk synth (CLI, offline, with bundling)', () => {
  it('synthesizes full.json: four bundles, the CA and the rules next to their handlers, the tested template', {
    timeout: 150_000,
  }, () => {
    const out = mkdtempSync(join(tmpdir(), 'relay-cli-synth-'));
    const r = cdkSynth('examples/full.json', out);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    process.stdout.write(`cdk synth examples/full.json: ${r.seconds.toFixed(1)} s\n`);

    const template = JSON.parse(readFileSync(join(out, 'Relay.template.json'), 'utf8'));
    const assets = readdirSync(out).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(4); // the two Firehose destinations share one bundle
    const files = (a: string) => readdirSync(join(out, a)).sort();
    const withFile = (name: string) => assets.filter((a) => files(a).includes(name));
    for (const a of assets) expect(files(a)).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));

    const [syslog] = withFile('collector-ca.pem');
    expect(readFileSync(join(out, syslog as string, 'collector-ca.pem'), 'utf8')).toBe(
      readFileSync(join(EXAMPLES, 'certs', 'collector-ca.example.pem'), 'utf8'),
    );
    const [alerts] = withFile('alert-rules.json');
    expect(JSON.parse(readFileSync(join(out, alerts as string, 'alert-rules.json'), 'utf8'))).toEqual(
      parseYaml(readFileSync(join(ROOT, 'alerts', 'default-rules.yaml'), 'utf8')),
    );
    // ESM with a require shim, minified, source-mapped, Lambda credentials from the environment
    const bundle = readFileSync(join(out, alerts as string, 'index.mjs'), 'utf8');
    expect(bundle.startsWith('import { createRequire as __relayCreateRequire }')).toBe(true);
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);

    expect(comparable(template)).toEqual(comparable(example('full.json').template.toJSON()));
  });

  it('fails a broken config before bundling, naming the field', { timeout: 60_000 }, () => {
    const doc = structuredClone(exampleDoc('s3-archive.json'));
    doc.name = 'Bad Name';
    doc.destinations[0].delivery.bufferingSeconds = 1000;
    const file = join(mkdtempSync(join(tmpdir(), 'relay-cli-broken-')), 'broken.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = cdkSynth(file, mkdtempSync(join(tmpdir(), 'relay-cli-synth-')));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`invalid deployment config ${file}:`);
    expect(r.stderr).toContain(
      'config.name: invalid value "Bad Name": expected 3–32 lowercase letters, digits and dashes',
    );
    expect(r.stderr).toContain('config.destinations[0].delivery.bufferingSeconds: must be an integer 0–900, got 1000');
    expect(r.stderr).not.toContain('Bundling asset');
  });
});
