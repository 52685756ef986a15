/**
 * A destination's render options (`render`, shared/render/index.ts RenderConfig), in one pure
 * module that the CDK app and the delivery functions both import: which format reads which option,
 * the checks the options of a deployment config must pass (infra/config/rules.ts runs them at
 * synth, after the JSON Schema), and how a delivery function reads them from its DESTINATION at
 * cold start. The functions trust the synth's checks: they read the options, and the renderer
 * refuses what it cannot honour (createRenderer throws RenderError).
 */
import { ConfigError } from '../errors.js';
import type { RenderConfig } from '../render/index.js';
import type { Format } from '../render/types.js';

type RenderOption = keyof RenderConfig;

/** Which render options each format reads (shared/render/index.ts). */
const RENDER_OPTION_FORMATS: Readonly<Record<RenderOption, readonly Format[]>> = {
  vendor: ['cef', 'rfc5424', 'leef', 'ecs'],
  product: ['cef', 'rfc5424', 'leef', 'ecs'],
  deviceVersion: ['cef', 'rfc5424', 'leef', 'ecs'],
  mode: ['cef', 'rfc5424'],
  maxBytes: ['cef', 'rfc5424', 'leef', 'ecs'],
  facility: ['rfc5424'],
  appName: ['rfc5424'],
  msg: ['rfc5424'],
  bom: ['rfc5424'],
  sdId: ['rfc5424'],
  delimiter: ['leef'],
};

/** The JSON type of each option (the schema's `$defs.render`; ranges and patterns are the schema's). */
const RENDER_OPTION_TYPES: Readonly<Record<RenderOption, 'string' | 'integer'>> = {
  vendor: 'string',
  product: 'string',
  deviceVersion: 'string',
  mode: 'string',
  maxBytes: 'integer',
  facility: 'integer',
  appName: 'string',
  msg: 'string',
  bom: 'string',
  sdId: 'string',
  delimiter: 'string',
};

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The size budget's range per format (`render.maxBytes` in the deployment config, `--max-bytes` of
 * `segura-relay render`, and each renderer at construction: one rule, one message). The minimum is
 * what a format's fixed parts need before any message text (CEF header; RFC 5424 and LEEF header
 * and time; the ECS document's skeleton). The maximum is a Firehose record, 1,000 KiB = 1,024,000
 * bytes (https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html), far
 * above any syslog collector's frame.
 */
const MAX_BYTES_RANGE: Readonly<Record<Format, readonly [min: number, max: number]>> = {
  cef: [64, 1_024_000],
  rfc5424: [128, 1_024_000],
  leef: [128, 1_024_000],
  ecs: [256, 1_024_000],
};

/**
 * What is wrong with a size budget for a format, or null.
 * @example maxBytesIssue('ecs', 100) // 'must be an integer 256–1024000 for format ecs, got 100'
 */
function maxBytesIssue(format: Format, n: unknown): string | null {
  const [min, max] = MAX_BYTES_RANGE[format];
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max
    ? null
    : `must be an integer ${min}–${max} for format ${format}, got ${typeof n === 'string' ? JSON.stringify(n) : String(n)}`;
}

/**
 * What the JSON Schema cannot say about a destination's render options: options its format does
 * not read, header values the format cannot carry, the size budget's range per format, a private SD-ID, a LEEF
 * delimiter. The same rules shared/render applies at cold start, so a bad option fails the synth.
 * Returns `<field>.<option>: <problem>` lines (empty when the options are fine).
 */
function renderOptionIssues(r: RenderConfig | undefined, format: Format, field: string): string[] {
  if (!r) return [];
  const out: string[] = [];
  for (const key of Object.keys(r) as Array<keyof RenderConfig>) {
    const formats = RENDER_OPTION_FORMATS[key];
    if (!formats.includes(format))
      out.push(`${field}.${key}: not used by format ${format} (used by ${formats.join(', ')})`);
  }
  for (const key of ['vendor', 'product', 'deviceVersion'] as const) {
    const v = r[key];
    if (v === undefined) continue;
    if (CONTROL.test(v)) out.push(`${field}.${key}: must not contain control characters`);
    else if (format === 'leef' && v.includes('|')) out.push(`${field}.${key}: must not contain | (LEEF header)`);
  }
  const budget = r.maxBytes === undefined ? null : maxBytesIssue(format, r.maxBytes);
  if (budget !== null) out.push(`${field}.maxBytes: ${budget}`);
  if (r.sdId !== undefined) {
    const at = r.sdId.indexOf('@');
    const ok =
      /^[\x21-\x7e]{1,32}$/.test(r.sdId) &&
      !/[= \]"]/.test(r.sdId) &&
      at > 0 &&
      /^\d+(\.\d+)*$/.test(r.sdId.slice(at + 1));
    if (!ok) out.push(`${field}.sdId: ${JSON.stringify(r.sdId)} is not a private SD-ID name@PEN (RFC 5424 §7.2.2)`);
  }
  if (r.delimiter !== undefined && (!/^[\x21-\x7e]$/.test(r.delimiter) || '=|\\'.includes(r.delimiter)))
    out.push(`${field}.delimiter: one printable ASCII character other than = | \\, got ${JSON.stringify(r.delimiter)}`);
  return out;
}

/**
 * The render options in a delivery function's DESTINATION (written by the stack from a config
 * that passed renderOptionIssues): a JSON object of known options, each of its JSON type.
 * @throws ConfigError naming `<path>.render[.<option>]` when the JSON is not that
 */
function renderOptionsFrom(raw: unknown, path: string): RenderConfig {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${path}.render`, 'must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    const type = RENDER_OPTION_TYPES[key as RenderOption];
    if (type === undefined)
      throw new ConfigError(
        `${path}.render.${key}`,
        `unknown render option (one of ${Object.keys(RENDER_OPTION_TYPES).join(', ')})`,
      );
    if (v === null) continue;
    if (type === 'integer' ? !Number.isInteger(v) : typeof v !== 'string')
      throw new ConfigError(`${path}.render.${key}`, `must be ${type === 'integer' ? 'an integer' : 'a string'}`);
    out[key] = v;
  }
  return out as RenderConfig;
}

export type { RenderOption };
export { MAX_BYTES_RANGE, maxBytesIssue, RENDER_OPTION_FORMATS, renderOptionIssues, renderOptionsFrom };
