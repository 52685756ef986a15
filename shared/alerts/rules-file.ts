/**
 * Reading a rules file for the CLI dry run and `npm start`: YAML (`.yaml`/`.yml`) or JSON (anything
 * else), then `validateRules`. YAML is parsed with the YAML 1.2 core schema (`no`, `on`, `0777` stay
 * strings/numbers as written) and duplicate keys are an error. The function itself reads only JSON
 * (`functions/evaluate-alerts/config.ts`), so no YAML parser ends up in its bundle.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../errors.js';
import type { RuleSet } from './types.js';
import { RulesError, validateRules } from './validate.js';

/** Parse rules text into a document (not validated). Syntax errors become a RulesError. */
function parseRulesDocument(text: string, source: string): unknown {
  const yaml = /\.ya?ml$/i.test(source);
  try {
    return yaml ? parseYaml(text, { uniqueKeys: true, schema: 'core', prettyErrors: true }) : JSON.parse(text);
  } catch (e) {
    const msg = errorMessage(e).split('\n')[0] ?? String(e);
    throw new RulesError(
      [{ rule: null, index: null, field: '(file)', message: `not valid ${yaml ? 'YAML' : 'JSON'}: ${msg}` }],
      source,
    );
  }
}

/** Parse and validate rules text. Throws RulesError listing every problem. */
function parseRulesText(text: string, source: string): RuleSet {
  return validateRules(parseRulesDocument(text, source), source);
}

/**
 * Read and validate a rules file. Throws RulesError (invalid) or the fs error (unreadable).
 * @example loadRulesFile('alerts/default-rules.yaml').rules.length
 */
function loadRulesFile(path: string): RuleSet {
  return parseRulesText(readFileSync(path, 'utf8'), path);
}

export { loadRulesFile, parseRulesDocument, parseRulesText };
