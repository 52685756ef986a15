/**
 * JSON Schema validation of the deployment config (`schemas/deployment-config.v1.schema.json`, the
 * source of truth for the file's shape), with Ajv's errors rewritten as `config.<path>: <message>`.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv/dist/2020.js';
import Ajv2020 from 'ajv/dist/2020.js';

const SCHEMA_FILE = new URL('../../schemas/deployment-config.v1.schema.json', import.meta.url);

type SchemaNode = {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly type?: string;
  readonly properties?: Record<string, unknown>;
  readonly 'x-hint'?: string;
};

let validator: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;

function compiled() {
  if (validator) return validator;
  const ajv = new Ajv2020.default({ allErrors: true, verbose: true, discriminator: true, strict: true });
  // `x-hint` is an annotation the error formatter shows for pattern mismatches
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return validator;
}

/** `/destinations/1/port` → `config.destinations[1].port` */
function fieldOf(instancePath: string, child?: string): string {
  let out = 'config';
  const parts = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (child !== undefined) parts.push(child);
  for (const raw of parts) {
    const p = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  }
  return out;
}

function range(s: SchemaNode): string {
  const what = s.type === 'integer' ? 'an integer' : 'a number';
  if (s.minimum !== undefined && s.maximum !== undefined) return `must be ${what} ${s.minimum}–${s.maximum}`;
  if (s.minimum !== undefined) return `must be ${what} ≥ ${s.minimum}`;
  return `must be ${what} ≤ ${s.maximum}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function message(e: ErrorObject): { field: string; text: string } | undefined {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: fieldOf(e.instancePath, String(p.missingProperty)), text: 'is required' };
    case 'additionalProperties': {
      const allowed = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
      return {
        field: fieldOf(e.instancePath, String(p.additionalProperty)),
        text: `unknown property (allowed: ${allowed.join(', ')})`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { field: fieldOf(e.instancePath), text: `${range(parent)}, got ${show(e.data)}` };
    case 'type':
      if (p.type === 'integer' && typeof e.data === 'number') {
        return {
          field: fieldOf(e.instancePath),
          text: `${range({ ...parent, type: 'integer' })}, got ${show(e.data)}`,
        };
      }
      return { field: fieldOf(e.instancePath), text: `must be ${article(String(p.type))}, got ${show(e.data)}` };
    case 'enum':
      return {
        field: fieldOf(e.instancePath),
        text: `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}, got ${show(e.data)}`,
      };
    case 'const':
      return { field: fieldOf(e.instancePath), text: `must be ${show(p.allowedValue)}, got ${show(e.data)}` };
    case 'pattern': {
      const hint = parent['x-hint'];
      return {
        field: fieldOf(e.instancePath),
        text: `invalid value ${show(e.data)}${hint ? `: expected ${hint}` : ` (must match ${String(p.pattern)})`}`,
      };
    }
    case 'propertyNames':
      return undefined; // reported by the nested pattern error, with the hint
    case 'minLength':
      return { field: fieldOf(e.instancePath), text: `must have at least ${p.limit} characters` };
    case 'maxLength':
      return { field: fieldOf(e.instancePath), text: `must have at most ${p.limit} characters` };
    case 'minItems':
      return { field: fieldOf(e.instancePath), text: `must have at least ${p.limit} item(s)` };
    case 'maxItems':
      return { field: fieldOf(e.instancePath), text: `must have at most ${p.limit} items` };
    case 'uniqueItems':
      return { field: fieldOf(e.instancePath), text: `items ${p.j} and ${p.i} are duplicates` };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(parent.properties ?? {});
      if (Number(p.limit) === 1 && e.keyword === 'maxProperties' && keys.length === 2)
        return { field: fieldOf(e.instancePath), text: `set exactly one of ${keys.join(', ')}` };
      if (Number(p.limit) === 1 && e.keyword === 'minProperties')
        return {
          field: fieldOf(e.instancePath),
          text: keys.length === 2 ? `set exactly one of ${keys.join(', ')}` : `set at least one of ${keys.join(', ')}`,
        };
      return {
        field: fieldOf(e.instancePath),
        text: `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${p.limit} properties`,
      };
    }
    case 'discriminator':
      return {
        field: fieldOf(e.instancePath, String(p.tag)),
        text: p.error === 'tag' ? 'is required' : `unknown ${String(p.tag)} ${show(p.tagValue)}`,
      };
    case 'oneOf':
      return undefined; // the failing branch's own errors say what is wrong
    default:
      return { field: fieldOf(e.instancePath), text: e.message ?? 'is invalid' };
  }
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** Validate against the JSON Schema; returns `config.<path>: <message>` issues (empty when valid). */
function schemaIssues(doc: unknown): string[] {
  const validate = compiled();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of validate.errors ?? []) {
    const m = message(e);
    if (!m) continue;
    const line = `${m.field}: ${m.text}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out.length ? out : ['config: does not match schemas/deployment-config.v1.schema.json'];
}

export { fieldOf, schemaIssues };
