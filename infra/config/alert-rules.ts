/**
 * The alert rules file named by `alerts.rulesFile`, checked when the config loads (so tests and a
 * broken config fail fast, naming the field). Bundling then runs the engine's full validator and
 * converts the file to the `alert-rules.json` evaluate-alerts reads (infra/stacks/relay-stack.ts).
 *
 * Checked here: the file exists and parses; it matches `schemas/alert-rules.v1.schema.json` (the
 * alerts engine's published schema, when present in the repo); `rules` is a non-empty array of
 * objects; every channel a rule names has subscribers in this deployment. evaluate-alerts checks
 * the rules again at cold start (templates, regexes, throttle keys).
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../shared/errors.js';
import { CHANNELS, type Channel } from './types.js';

const RULES_SCHEMA_FILE = new URL('../../schemas/alert-rules.v1.schema.json', import.meta.url);

interface RulesCheck {
  readonly issues: string[];
  readonly ruleCount: number;
  /** `settings.smsDisplayName`: the SMS topic's display name (SNS prefixes SMS with it) */
  readonly smsDisplayName: string | undefined;
}

/** Issues from the alerts engine's JSON Schema, when the repo has it. */
function rulesSchemaIssues(doc: unknown, prefix: string): string[] {
  if (!existsSync(RULES_SCHEMA_FILE)) return [];
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(RULES_SCHEMA_FILE, 'utf8')));
  if (validate(doc)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => {
    const path = e.instancePath.slice(1).split('/').filter(Boolean);
    const where = path
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `${prefix}${where || '(root)'}: ${e.message ?? 'is invalid'}${extra}`;
  });
}

function readDocument(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  // YAML 1.2 is a superset of JSON, but JSON.parse gives the clearer message for .json files
  // the same YAML 1.2 core schema and duplicate-key rule as the alerts engine (shared/alerts/rules-file.ts)
  return ext === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, schema: 'core', prettyErrors: true });
}

/** Read and check the rules; `field` is the config field that named the file. */
function checkAlertRules(file: string, field: string, subscribed: ReadonlySet<Channel>): RulesCheck {
  const none = { ruleCount: 0, smsDisplayName: undefined };
  if (!existsSync(file)) return { issues: [`${field}: file not found: ${file}`], ...none };
  let doc: unknown;
  try {
    doc = readDocument(file);
  } catch (e) {
    return { issues: [`${field}: cannot parse ${file}: ${errorMessage(e).split('\n')[0]}`], ...none };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { issues: [`${field}: ${file} must hold an object with a "rules" array`], ...none };
  }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules) || rules.length === 0) {
    return { issues: [`${field}: ${file}: "rules" must be a non-empty array`], ...none };
  }
  const issues = rulesSchemaIssues(doc, `${field}: ${file}: `);
  const defaults = (doc as { defaults?: { channels?: unknown } }).defaults;
  rules.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      issues.push(`${field}: ${file}: rules[${i}] must be an object`);
      return;
    }
    const rule = r as { enabled?: unknown; channels?: unknown };
    if (rule.enabled === false) return;
    // a rule's channels, else the defaults' (the engine resolves them the same way)
    const own = Array.isArray(rule.channels);
    const channels = own ? rule.channels : defaults?.channels;
    if (!Array.isArray(channels)) return;
    channels.forEach((c, j) => {
      if (typeof c !== 'string' || !(CHANNELS as readonly string[]).includes(c)) return; // the schema reports it
      if (!subscribed.has(c as Channel)) {
        const where = own ? `rules[${i}].channels[${j}]` : `defaults.channels[${j}] (used by rules[${i}])`;
        issues.push(`${field}: ${file}: ${where}: "${c}" has no subscribers (add config.alerts.subscribers.${c})`);
      }
    });
  });
  const settings = (doc as { settings?: { smsDisplayName?: unknown } }).settings;
  const display = typeof settings?.smsDisplayName === 'string' ? settings.smsDisplayName : undefined;
  return { issues, ruleCount: rules.length, smsDisplayName: display };
}

export { checkAlertRules };
