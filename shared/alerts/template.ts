/**
 * Alert message templates: literal text with `{{path}}` placeholders.
 *
 * - a path is `event.<prop>`, `fields.<key>`, `fields` (every field, one `key=value` per line),
 *   `rule.<prop>`, `suppressed` ("+12 similar in the last 10 min", empty when none) or
 *   `suppressedCount`;
 * - alternatives: `{{fields.dhost | fields.dst | "unknown"}}` renders the first non-empty one; a
 *   double-quoted literal (no `"`, `|` or `}}` inside) ends the chain;
 * - `{{` always opens a placeholder; there is no escape and no logic.
 *
 * Templates only ever see the scrubbed view (`AlertView`), so they cannot reach a secret.
 */

import { errorMessage } from '../errors.js';
import {
  EVENT_PROPS,
  type EventProp,
  type Placeholder,
  RULE_PROPS,
  type RuleProp,
  type Template,
  type ValuePath,
} from './types.js';

/** The scrubbed, single-line values a template can read. */
interface AlertView {
  readonly event: Readonly<Record<EventProp, string>>;
  /** a null-prototype map: only the event's own fields */
  readonly fields: Readonly<Record<string, string>>;
  /** fields left out of `fields` by the size budget (listed as "… N more fields [truncated]") */
  readonly fieldsOmitted: number;
  readonly rule: Readonly<Record<RuleProp, string>>;
  readonly suppressed: string;
  readonly suppressedCount: string;
}

const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
const MAX_PLACEHOLDERS = 64;

/** A template or path problem, with what is wrong (the validator adds the rule and field). */
class TemplateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

/**
 * Parse `event.host`, `fields.dhost`, `rule.name`, `suppressed`… Throws TemplateError.
 * @example parsePath('fields.dhost') // { root: 'fields', name: 'dhost' }
 */
function parsePath(s: string): ValuePath {
  if (s === 'suppressed') return { root: 'suppressed' };
  if (s === 'suppressedCount') return { root: 'suppressedCount' };
  if (s === 'fields') return { root: 'fields', name: null };
  const dot = s.indexOf('.');
  const root = dot < 0 ? s : s.slice(0, dot);
  const name = dot < 0 ? '' : s.slice(dot + 1);
  switch (root) {
    case 'event':
      if ((EVENT_PROPS as readonly string[]).includes(name)) return { root, name: name as EventProp };
      throw new TemplateError(`unknown event property ${JSON.stringify(name)} (one of ${EVENT_PROPS.join(', ')})`);
    case 'rule':
      if ((RULE_PROPS as readonly string[]).includes(name)) return { root, name: name as RuleProp };
      throw new TemplateError(`unknown rule property ${JSON.stringify(name)} (one of ${RULE_PROPS.join(', ')})`);
    case 'fields':
      if (FIELD_KEY.test(name)) return { root, name };
      throw new TemplateError(`${JSON.stringify(name)} is not a field key (letters, digits, _ and .)`);
    default:
      throw new TemplateError(
        `unknown value ${JSON.stringify(s)}: use event.<property>, fields.<key>, fields, rule.<property>, suppressed or suppressedCount`,
      );
  }
}

function pathText(p: ValuePath): string {
  switch (p.root) {
    case 'event':
    case 'rule':
      return `${p.root}.${p.name}`;
    case 'fields':
      return p.name === null ? 'fields' : `fields.${p.name}`;
    default:
      return p.root;
  }
}

function parsePlaceholder(inner: string): Placeholder {
  const source = `{{${inner}}}`;
  const alts = inner.split('|').map((a) => a.trim());
  const alternatives: Placeholder['alternatives'][number][] = [];
  alts.forEach((a, i) => {
    if (a === '') throw new TemplateError(`empty alternative in ${source}`);
    if (a.startsWith('"')) {
      if (a.length < 2 || !a.endsWith('"') || a.slice(1, -1).includes('"'))
        throw new TemplateError(`unterminated literal in ${source} (write "text", without quotes or | inside)`);
      if (i !== alts.length - 1) throw new TemplateError(`a literal must be the last alternative in ${source}`);
      alternatives.push({ literal: a.slice(1, -1) });
    } else {
      try {
        alternatives.push({ path: parsePath(a) });
      } catch (e) {
        throw new TemplateError(`${errorMessage(e)} in ${source}`);
      }
    }
  });
  return { alternatives, source };
}

/**
 * Compile a template. Throws TemplateError naming what is wrong.
 * @example compileTemplate('{{event.name}} on {{event.host | "vault"}}').parts.length // 3
 */
function compileTemplate(source: string): Template {
  const parts: (string | Placeholder)[] = [];
  let i = 0;
  let count = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push(source.slice(i));
      break;
    }
    if (open > i) parts.push(source.slice(i, open));
    const close = source.indexOf('}}', open + 2);
    if (close < 0)
      throw new TemplateError(`unclosed placeholder at character ${open + 1}: ${source.slice(open, open + 24)}`);
    const inner = source.slice(open + 2, close);
    if (inner.includes('{{')) throw new TemplateError(`placeholder inside a placeholder at character ${open + 1}`);
    if (++count > MAX_PLACEHOLDERS) throw new TemplateError(`more than ${MAX_PLACEHOLDERS} placeholders`);
    parts.push(parsePlaceholder(inner));
    i = close + 2;
  }
  const stray = parts.find((p): p is string => typeof p === 'string' && p.includes('}}'));
  if (stray !== undefined)
    throw new TemplateError(`"}}" without a matching "{{" in ${JSON.stringify(stray.slice(0, 40))}`);
  return { source, parts };
}

/** Every path a template reads (for validation). */
function templatePaths(t: Template): ValuePath[] {
  const out: ValuePath[] = [];
  for (const p of t.parts) if (typeof p !== 'string') for (const a of p.alternatives) if ('path' in a) out.push(a.path);
  return out;
}

/** An own property of a map, '' when absent (never an inherited member such as `constructor`). */
function own(map: Readonly<Record<string, string>>, key: string): string {
  return Object.hasOwn(map, key) ? (map[key] as string) : '';
}

const identity = (s: string): string => s;

/**
 * Read one value from the view ('' when absent), escaped for the channel by `esc` (`escape.ts`).
 * `{{fields}}` escapes each key and value.
 */
function readPath(view: AlertView, p: ValuePath, esc: (s: string) => string = identity): string {
  switch (p.root) {
    case 'event':
      return esc(view.event[p.name]);
    case 'rule':
      return esc(view.rule[p.name]);
    case 'fields': {
      if (p.name !== null) return esc(own(view.fields, p.name));
      const lines = Object.keys(view.fields).map((k) => `${esc(k)}=${esc(own(view.fields, k))}`);
      if (view.fieldsOmitted > 0) lines.push(`… ${view.fieldsOmitted} more fields [truncated]`);
      return lines.join('\n');
    }
    case 'suppressed':
      return view.suppressed;
    default:
      return view.suppressedCount;
  }
}

/**
 * Render a compiled template against a scrubbed view; every value (not the template's own text,
 * nor a `"literal"` alternative) goes through `esc`, the channel's escaping.
 * @example renderTemplate(compileTemplate('on {{event.host}}'), view) // 'on vault-01'
 */
function renderTemplate(t: Template, view: AlertView, esc: (s: string) => string = identity): string {
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    for (const a of p.alternatives) {
      const v = 'literal' in a ? a.literal : readPath(view, a.path, esc);
      if (v !== '') {
        out += v;
        break;
      }
    }
  }
  return out;
}

/** Does the template mention this root (e.g. whether it places `{{suppressed}}` itself)? */
function mentions(t: Template, root: ValuePath['root']): boolean {
  return templatePaths(t).some((p) => p.root === root);
}

export type { AlertView };
export { compileTemplate, mentions, own, parsePath, pathText, readPath, renderTemplate, TemplateError, templatePaths };
