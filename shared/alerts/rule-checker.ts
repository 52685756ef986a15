/**
 * The alert rules validator's toolkit (shared/alerts/validate.ts): the issue it records, the
 * Checker that records issues with their rule and field while reading a rules document, "did you
 * mean" hints, durations, and the limits the checks share.
 */
import { isSecretName } from '../model/secrets.js';
import { compileTemplate, pathText, TemplateError, templatePaths } from './template.js';
import type { PayloadTemplate, Template } from './types.js';

/** One problem in a rules document. */
interface RuleIssue {
  /** the rule's id (or `rules[i]` when it has none); null for top-level problems */
  readonly rule: string | null;
  /** index in `rules`, null for top-level problems */
  readonly index: number | null;
  /** the field inside the rule (or document), e.g. `match.eventIds[0]` */
  readonly field: string;
  readonly message: string;
}

const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_WINDOW_MS = 7 * 86_400_000;
const TEMPLATE_MAX = { sms: 480, emailSubject: 300, emailBody: 8_000, payload: 2_000 } as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (v: unknown): string => JSON.stringify(v);

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min(cur + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

function suggest(value: string, options: Iterable<string>): string {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const lv = value.toLowerCase();
  for (const o of options) {
    const dd = o.toLowerCase() === lv ? 0 : distance(lv, o.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = o;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(value.length / 4)) ? ` (did you mean ${q(best)}?)` : '';
}

/** Parse `30s`, `10m`, `2h`, `1d` or a number of seconds. */
function parseWindow(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1) return 'a whole number of seconds ≥ 1, or a duration like "10m"';
    return v * 1_000;
  }
  if (typeof v !== 'string') return 'a duration like "30s", "10m", "2h", "1d" or a number of seconds';
  const m = DURATION.exec(v);
  if (!m) return `${q(v)} is not a duration like "30s", "10m", "2h" or "1d"`;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

class Checker {
  readonly issues: RuleIssue[] = [];
  rule: string | null = null;
  index: number | null = null;

  add(field: string, message: string): void {
    this.issues.push({ rule: this.rule, index: this.index, field, message });
  }

  keys(o: Obj, at: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        this.add(
          at === '' ? k : `${at}.${k}`,
          `unknown property${suggest(k, allowed)}; allowed: ${allowed.join(', ')}`,
        );
    }
  }

  str(v: unknown, at: string, o: { max?: number; oneLine?: boolean; optional?: boolean } = {}): string | null {
    if (v === undefined && o.optional) return null;
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(at, v === undefined ? 'is required' : 'must be a non-empty string');
      return null;
    }
    if (o.max !== undefined && v.length > o.max) this.add(at, `longer than ${o.max} characters`);
    if (o.oneLine && /[\u0000-\u001F\u007F-\u009F]/.test(v))
      this.add(at, 'must be one line without control characters');
    return v;
  }

  strList(v: unknown, at: string): string[] | null {
    if (v === undefined) return null;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) {
      this.add(at, 'must be a non-empty list of strings');
      return null;
    }
    const out: string[] = [];
    list.forEach((x, i) => {
      if (typeof x !== 'string' || x.trim() === '') this.add(`${at}[${i}]`, 'must be a non-empty string');
      else out.push(x.trim());
    });
    return out;
  }

  template(v: unknown, at: string, max: number): Template | null {
    if (typeof v !== 'string') {
      this.add(at, 'must be a string template');
      return null;
    }
    if (v.length > max) this.add(at, `longer than ${max} characters`);
    try {
      const t = compileTemplate(v);
      for (const p of templatePaths(t)) {
        if (p.root === 'fields' && p.name !== null && isSecretName(p.name))
          this.add(
            at,
            `{{${pathText(p)}}} looks secret: it would always render as [redacted]; alerts never carry secrets`,
          );
      }
      return t;
    } catch (e) {
      if (e instanceof TemplateError) {
        this.add(at, e.message);
        return null;
      }
      throw e;
    }
  }

  payload(v: unknown, at: string, depth = 0): PayloadTemplate | null {
    if (depth > 6) {
      this.add(at, 'nested deeper than 6 levels');
      return null;
    }
    if (typeof v === 'string') {
      const t = this.template(v, at, TEMPLATE_MAX.payload);
      return t ? { kind: 'string', template: t } : null;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return { kind: 'literal', value: v };
    if (Array.isArray(v)) {
      const items = v.map((x, i) => this.payload(x, `${at}[${i}]`, depth + 1));
      return items.every((x): x is PayloadTemplate => x !== null) ? { kind: 'array', items } : null;
    }
    if (isObj(v)) {
      const entries: (readonly [string, PayloadTemplate])[] = [];
      let ok = true;
      for (const [k, x] of Object.entries(v)) {
        const p = this.payload(x, `${at}.${k}`, depth + 1);
        if (p) entries.push([k, p]);
        else ok = false;
      }
      return ok ? { kind: 'object', entries } : null;
    }
    this.add(at, 'must be a JSON value (object, array, string template, number, boolean or null)');
    return null;
  }
}

export type { Obj, RuleIssue };
export { Checker, isObj, MAX_WINDOW_MS, parseWindow, q, suggest, TEMPLATE_MAX };
