/**
 * A rule's `match` clauses, checked against the catalog: event ids, layouts without an id (by slug),
 * notification categories and types, origin codes, severities, and field conditions (secret-looking keys refused, regular
 * expressions checked for safety before they are compiled).
 */
import {
  CATALOG_IDS,
  ID_LESS_LAYOUTS,
  layoutEventIds,
  notificationCategories,
  CATALOG_ORIGINS as ORIGINS,
} from '../model/catalog-rules.js';
import { isSecretName } from '../model/secrets.js';
import { SYSLOG_SEVERITY_NAMES } from '../model/severity.js';
import { compileUserRegex, RegexSyntaxError, type UserRegex } from './regex.js';
import { regexRisk } from './regex-guard.js';
import { type Checker, isObj, q, suggest } from './rule-checker.js';
import type { FieldCondition, MatchClause, MinSeverity } from './types.js';

const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

function checkNotification(c: Checker, s: string, at: string): { category: string; type: string | null } | null {
  const cats = notificationCategories();
  const slash = s.indexOf('/');
  const catName = (slash < 0 ? s : s.slice(0, slash)).trim();
  const typeName = slash < 0 ? null : s.slice(slash + 1).trim();
  const cat = cats.find((x) => x.name === catName);
  if (!cat) {
    c.add(
      at,
      `unknown notification category ${q(catName)}${suggest(
        catName,
        cats.map((x) => x.name),
      )} (categories of the notification options page; write "Category" or "Category / Type")`,
    );
    return null;
  }
  if (typeName === null) return { category: cat.name, type: null };
  if (!cat.types.some((t) => t.name === typeName)) {
    c.add(
      at,
      `unknown notification type ${q(typeName)} in ${q(cat.name)}${suggest(
        typeName,
        cat.types.map((t) => t.name),
      )}`,
    );
    return null;
  }
  return { category: cat.name, type: typeName };
}

function checkMinSeverity(c: Checker, v: unknown, at: string): MinSeverity | null {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 10) return { scale: 'cef', value: v };
    c.add(at, 'a CEF severity 0–10 (higher is more severe) or a syslog severity name');
    return null;
  }
  if (typeof v === 'string') {
    const i = (SYSLOG_SEVERITY_NAMES as readonly string[]).indexOf(v);
    if (i >= 0) return { scale: 'syslog', value: i };
    c.add(at, `unknown syslog severity ${q(v)}; one of ${SYSLOG_SEVERITY_NAMES.join(', ')}, or a CEF severity 0–10`);
    return null;
  }
  c.add(at, 'a CEF severity 0–10 or a syslog severity name (emerg … debug)');
  return null;
}

function checkField(c: Checker, key: string, v: unknown, at: string): FieldCondition | null {
  if (!FIELD_KEY.test(key)) {
    c.add(at, 'is not a field key (a letter, then letters, digits, _ or .)');
    return null;
  }
  if (isSecretName(key)) c.add(at, 'looks secret; alert rules cannot read secret fields');
  if (typeof v === 'string' || Array.isArray(v)) {
    const eq = c.strList(v, at);
    return eq ? { key, equals: eq, regex: null } : null;
  }
  if (!isObj(v)) {
    c.add(at, 'a value, a list of values, or { equals, regex, ignoreCase }');
    return null;
  }
  c.keys(v, at, ['equals', 'regex', 'ignoreCase']);
  const equals = v.equals === undefined ? null : c.strList(v.equals, `${at}.equals`);
  let regex: UserRegex | null = null;
  if (v.ignoreCase !== undefined && typeof v.ignoreCase !== 'boolean')
    c.add(`${at}.ignoreCase`, 'must be true or false');
  if (v.regex !== undefined) {
    if (typeof v.regex !== 'string' || v.regex === '') c.add(`${at}.regex`, 'must be a non-empty string');
    else {
      const risk = regexRisk(v.regex);
      if (risk) c.add(`${at}.regex`, `unsafe regular expression: ${risk}`);
      else {
        try {
          regex = compileUserRegex(v.regex, v.ignoreCase === true);
        } catch (e) {
          if (!(e instanceof RegexSyntaxError)) throw e;
          c.add(`${at}.regex`, `invalid regular expression: ${e.message}`);
        }
      }
    }
  }
  if (v.equals === undefined && v.regex === undefined) c.add(at, 'needs equals or regex');
  return { key, equals, regex };
}

/**
 * A `layouts` entry: the slug of a documented layout without a catalog id. A layout that documents
 * catalog ids is referenced by those ids (`eventIds`), so each event has one way to be named.
 */
function checkLayout(c: Checker, slug: string, at: string): void {
  if (ID_LESS_LAYOUTS.has(slug)) return;
  const ids = layoutEventIds(slug);
  if (ids && ids.length > 0)
    c.add(at, `layout ${q(slug)} documents catalog event ids ${ids.join(', ')}: match them with eventIds`);
  else
    c.add(
      at,
      `unknown layout ${q(slug)}${suggest(slug, ID_LESS_LAYOUTS)}; layouts without an id: ${[...ID_LESS_LAYOUTS].join(', ')} (see \`segura-relay catalog\`)`,
    );
}

const CLAUSE_KEYS = ['eventIds', 'layouts', 'notifications', 'origins', 'minSeverity', 'fields'] as const;

function checkClause(c: Checker, v: unknown, at: string): MatchClause | null {
  if (!isObj(v)) {
    c.add(at, 'must be an object with eventIds, layouts, notifications, origins, minSeverity and/or fields');
    return null;
  }
  c.keys(v, at, CLAUSE_KEYS);
  if (!CLAUSE_KEYS.some((k) => v[k] !== undefined)) {
    c.add(at, `needs at least one criterion (${CLAUSE_KEYS.join(', ')}); to match everything use minSeverity: debug`);
    return null;
  }
  const ids = c.strList(v.eventIds, `${at}.eventIds`);
  ids?.forEach((id, i) => {
    if (!CATALOG_IDS.has(id))
      c.add(`${at}.eventIds[${i}]`, `unknown event id ${q(id)} (not in the catalog; see \`segura-relay catalog\`)`);
  });
  const layouts = c.strList(v.layouts, `${at}.layouts`);
  layouts?.forEach((l, i) => {
    checkLayout(c, l, `${at}.layouts[${i}]`);
  });
  const notes = c.strList(v.notifications, `${at}.notifications`);
  const notifications = notes?.map((n, i) => checkNotification(c, n, `${at}.notifications[${i}]`)) ?? null;
  const origins = c.strList(v.origins, `${at}.origins`);
  origins?.forEach((o, i) => {
    if (!ORIGINS.has(o))
      c.add(
        `${at}.origins[${i}]`,
        `unknown origin code ${q(o)}${suggest(o, ORIGINS)}; one of ${[...ORIGINS].join(', ')}`,
      );
  });
  const minSeverity = v.minSeverity === undefined ? null : checkMinSeverity(c, v.minSeverity, `${at}.minSeverity`);
  const fields: FieldCondition[] = [];
  if (v.fields !== undefined) {
    if (!isObj(v.fields) || Object.keys(v.fields).length === 0) c.add(`${at}.fields`, 'must be a non-empty object');
    else
      for (const [k, x] of Object.entries(v.fields)) {
        const f = checkField(c, k, x, `${at}.fields.${k}`);
        if (f) fields.push(f);
      }
  }
  return {
    eventIds: ids ? new Set(ids) : null,
    layouts: layouts ? new Set(layouts) : null,
    notifications: notifications?.filter((n): n is { category: string; type: string | null } => n !== null) ?? null,
    origins: origins ? new Set(origins) : null,
    minSeverity,
    fields,
  };
}

export { checkClause };
