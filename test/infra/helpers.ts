/**
 * Infra test helpers: synthesize the relay in-process exactly as `cdk synth` builds it (same
 * cdk.json feature flags, same buildRelayApp), minus esbuild bundling and CloudFormation's
 * built-in validation, which the CLI test and `npm run synth:all` cover. ~1 s per stack.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, parseConfig } from '../../infra/config/load.js';
import type { RelayConfig } from '../../infra/config/types.js';
import { buildRelayApp } from '../../infra/relay-app.js';
import type { RelayStack } from '../../infra/stacks/relay-stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;

/** Every example config file name (`s3-archive.json`, …). */
const EXAMPLE_FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Synth {
  readonly app: App;
  readonly stack: RelayStack;
  readonly template: Template;
  readonly config: RelayConfig;
}

function testApp(): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'relay-infra-test-')),
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
}

/** Build (no synth yet) the stack for a resolved config; cdk-nag off unless asked. */
function build(config: RelayConfig, nag = false): { app: App; stack: RelayStack } {
  const app = testApp();
  return { app, stack: buildRelayApp(app, config, { nag }) };
}

function synthConfig(config: RelayConfig): Synth {
  const { app, stack } = build(config);
  return { app, stack, template: Template.fromStack(stack), config };
}

const cache = new Map<string, Synth>();

/** The synthesized example (cached per file: tests only read it). */
function example(file: string): Synth {
  let s = cache.get(file);
  if (!s) {
    s = synthConfig(loadConfig(join(EXAMPLES, file)));
    cache.set(file, s);
  }
  return s;
}

/** The example's raw JSON document, for tests that change one field. */
function exampleDoc(file: string): Json {
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
}

/** Validate a document as if it were a file in examples/ (relative paths resolve there). */
function parseInExamples(doc: unknown): RelayConfig {
  return parseConfig(doc, join(EXAMPLES, 'under-test.json'));
}

/** A JSON document tests read and edit by path (config files, templates): asserted, not typed. */
// biome-ignore lint/suspicious/noExplicitAny: one loose type for JSON documents in infra tests
type Json = any;

type Resources = Record<string, { Type: string; Properties?: Record<string, Json>; [k: string]: Json }>;

function resources(t: Template, type?: string): Resources {
  const all = t.toJSON().Resources as Resources;
  if (!type) return all;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type));
}

/**
 * Logical id of the single resource of `type` whose id starts with `prefix` (or, for a RegExp,
 * matches it; CDK drops repeated path parts: `X-Queue/Queue` is `XQueue1A2B3C4D`).
 */
function idOf(t: Template, type: string, prefix: string | RegExp): string {
  const ids = Object.keys(resources(t, type)).filter((id) =>
    typeof prefix === 'string' ? id.startsWith(prefix) : prefix.test(id),
  );
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/**
 * A function's effective permissions as `action on resource` strings, resources shown as the
 * logical id they point to (`firehose:PutRecordBatch on FirehosearchiveStream…`) or the literal.
 */
function permissionsOf(t: Template, roleId: string): string[] {
  const out: string[] = [];
  const show = (r: unknown): string => {
    if (typeof r === 'string') return r;
    const o = r as Record<string, Json>;
    if (o['Fn::GetAtt']) return (o['Fn::GetAtt'] as string[])[0] as string;
    if (o.Ref) return o.Ref as string;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(show).join('');
    return JSON.stringify(o);
  };
  for (const p of Object.values(resources(t, 'AWS::IAM::Policy'))) {
    const roles = (p.Properties?.Roles ?? []) as Array<{ Ref: string }>;
    if (!roles.some((r) => r.Ref === roleId)) continue;
    for (const st of p.Properties?.PolicyDocument.Statement ?? []) {
      const actions = ([] as string[]).concat(st.Action);
      const res = ([] as unknown[]).concat(st.Resource);
      for (const a of actions)
        for (const r of res) out.push(`${st.Effect === 'Deny' ? 'DENY ' : ''}${a} on ${show(r)}`);
    }
  }
  return out.sort();
}

/** Replace asset hashes (they depend on bundling and the machine) for whole-template snapshots. */
function stableTemplate(t: Template): string {
  return `${JSON.stringify(t.toJSON(), null, 2).replace(/[0-9a-f]{64}/g, '[asset-hash]')}\n`;
}

export type { Json, Resources, Synth };
export {
  build,
  CDK_CONTEXT,
  EXAMPLE_FILES,
  EXAMPLES,
  example,
  exampleDoc,
  idOf,
  parseInExamples,
  permissionsOf,
  ROOT,
  resources,
  stableTemplate,
  synthConfig,
};
