#!/usr/bin/env node
// Synthesize every examples/*.json with the real CDK CLI, as CI does before anything deploys:
// offline, without AWS credentials, with esbuild bundling of every function, the alert rules
// validated by the engine, CloudFormation's built-in validation and the cdk-nag packs.
//
//   npm run synth:all                 # every example, into cdk.out/examples/<name>
//   npm run synth:all -- full.json    # only these
//
// SYNTH_CONCURRENCY (default: 2) synths run at once. Exit code 1 if any example fails.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cdk = join(root, 'node_modules', '.bin', 'cdk');
const wanted = process.argv.slice(2).map((f) => basename(f));
const files = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.json') && (wanted.length === 0 || wanted.includes(f)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no example matches ${wanted.join(', ')}\n`);
  process.exit(2);
}

// no credentials, no instance metadata: the synth must not need AWS
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' };
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];

function synth(file) {
  const name = file.replace(/\.json$/, '');
  const started = Date.now();
  return new Promise((resolve) => {
    const args = ['synth', '-c', `config=examples/${file}`, '-o', `cdk.out/examples/${name}`, '--quiet'];
    const child = spawn(cdk, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ file, code, seconds: (Date.now() - started) / 1000, output }));
  });
}

const concurrency = Math.max(1, Number(process.env.SYNTH_CONCURRENCY ?? 2));
const queue = [...files];
const results = [];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const r = await synth(f);
      results.push(r);
      process.stdout.write(`${r.code === 0 ? 'ok    ' : 'FAILED'} examples/${r.file} (${r.seconds.toFixed(1)} s)\n`);
      if (r.code !== 0) process.stdout.write(`${r.output.trim()}\n\n`);
    }
  }),
);
const failed = results.filter((r) => r.code !== 0).length;
process.stdout.write(`\n${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
