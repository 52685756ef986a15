/**
 * The deployment config's TypeScript types, generated from its JSON Schema
 * (`schemas/deployment-config.v1.schema.json`, the one description of the file): one type per
 * `$defs` entry plus `DeploymentConfigV1` for the document, every property `readonly`, optional
 * unless the schema lists it in `required`. infra/config/types.ts builds on them; a test
 * (test/infra/config-types.test.ts) fails when infra/config/schema-types.ts is not what this
 * generator makes of the current schema.
 *
 * Regenerate after a schema change: `npm run gen:config-types`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_PATH = 'schemas/deployment-config.v1.schema.json';
const OUTPUT_PATH = 'infra/config/schema-types.ts';

interface Node {
  readonly $ref?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly oneOf?: readonly Node[];
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Node>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Node;
  readonly items?: Node;
  readonly description?: string;
}

interface Schema extends Node {
  readonly $defs: Readonly<Record<string, Node>>;
}

/** `syslogDestination` → `SyslogDestination` */
function typeName(def: string): string {
  return def.charAt(0).toUpperCase() + def.slice(1);
}

function literal(v: unknown): string {
  return JSON.stringify(v);
}

/** A property name as TypeScript accepts it (`$schema` and identifiers bare, anything else quoted). */
function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function doc(description: string | undefined, indent: string): string {
  if (description === undefined) return '';
  // `*/` inside a description would end the comment early
  return `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n`;
}

/** The TypeScript type of one schema node; `indent` is the indentation of the line it starts on. */
function typeOf(n: Node, indent: string): string {
  if (n.$ref !== undefined) {
    const m = /^#\/\$defs\/(.+)$/.exec(n.$ref);
    if (!m) throw new Error(`${SCHEMA_PATH}: unsupported $ref ${n.$ref}`);
    return typeName(m[1] as string);
  }
  if (n.const !== undefined) return literal(n.const);
  // a discriminated union: the members carry the properties (the sibling `properties` only names the tag)
  if (n.oneOf !== undefined) return n.oneOf.map((m) => typeOf(m, indent)).join(' | ');
  if (n.enum !== undefined) return n.enum.map(literal).join(' | ');
  switch (n.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      if (n.items === undefined) throw new Error(`${SCHEMA_PATH}: an array without items`);
      const item = typeOf(n.items, indent);
      return /^[\w"]+$/.test(item) ? `readonly ${item}[]` : `ReadonlyArray<${item}>`;
    }
    case 'object':
      return objectType(n, indent);
    default:
      throw new Error(`${SCHEMA_PATH}: unsupported node ${JSON.stringify(n).slice(0, 120)}`);
  }
}

function objectType(n: Node, indent: string): string {
  const inner = `${indent}  `;
  const extra = n.additionalProperties;
  if (n.properties === undefined) {
    if (typeof extra !== 'object') throw new Error(`${SCHEMA_PATH}: an object without properties`);
    return `{ readonly [key: string]: ${typeOf(extra, inner)} }`;
  }
  if (extra !== false)
    throw new Error(`${SCHEMA_PATH}: an object with properties must set additionalProperties: false`);
  const required = new Set(n.required ?? []);
  const lines = Object.entries(n.properties).map(
    ([k, p]) =>
      `${doc(p.description, inner)}${inner}readonly ${key(k)}${required.has(k) ? '' : '?'}: ${typeOf(p, inner)};`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The source of infra/config/schema-types.ts for `schema`. */
function configTypesSource(schema: Schema): string {
  const out = [
    `// Generated from ${SCHEMA_PATH} by scripts/config-types.ts: do not edit.`,
    '// Regenerate after a schema change with `npm run gen:config-types`; test/infra/config-types.test.ts',
    '// fails while this file and the schema disagree.',
    '',
  ];
  for (const [name, n] of Object.entries(schema.$defs)) {
    out.push(`${doc(n.description, '')}type ${typeName(name)} = ${typeOf(n, '')};`, '');
  }
  out.push(`${doc(schema.description, '')}type DeploymentConfigV1 = ${typeOf(schema, '')};`, '');
  out.push(`export type { ${[...Object.keys(schema.$defs).map(typeName), 'DeploymentConfigV1'].sort().join(', ')} };`);
  return `${out.join('\n')}\n`;
}

function readSchema(): Schema {
  return JSON.parse(readFileSync(`${ROOT}/${SCHEMA_PATH}`, 'utf8')) as Schema;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(`${ROOT}/${OUTPUT_PATH}`, configTypesSource(readSchema()));
  process.stdout.write(`wrote ${OUTPUT_PATH}\n`);
}

export { configTypesSource, OUTPUT_PATH, readSchema };
