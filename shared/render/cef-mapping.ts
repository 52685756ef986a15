/**
 * Field → CEF extension pairs, in the vault's order.
 *
 * - `compatible`: keys verbatim (what the vault itself sends), so SIEM rules written for the
 *   vault's own CEF keep matching.
 * - `strict`: only dictionary keys with values of the right type and range (fields/cef-extensions.ts:
 *   `dpt` 0–65535, IPs, MACs, 13-digit epoch ms, …). Renames: Method→requestMethod,
 *   ServiceName→sourceServiceName, dport/dposrt→dpt, latitude→slat, longitude→slong (unless the
 *   event has an originIP: the coordinates then locate the requester, not src), `Cs6`→`cs6`.
 *   Everything else (sname, originIP, country, cs7/cs8, a `dst` that is not an IP, `dpt=99999`, …) moves to a
 *   free labeled slot (cn1–cn3 for integers; cs1–cs6 then flexString1–2 for text) whose label is
 *   the original key (cs7/cs8 keep their own label). When no slot is free the key is written as
 *   `segura<Key>` (a vendor-prefixed custom key, docs/formats.md §1.4). Nothing is dropped.
 *
 * Performance: the mapping depends on the ordered key set plus a few value checks, so it is
 * compiled once per key signature into a `Plan` (a list of steps with precomputed `key=` text);
 * per event the renderer only runs the checks and concatenates. A plan is valid for an event only
 * if every step's check passes; otherwise a plan is compiled for that event alone.
 */
import { isPlain } from '../model/plain.js';
import { escapeCefValue, nativeKvNeedsQuotes, nativeKvText, nativeKvValue } from './escape.js';
import { cefKey, fitsKey, keyFitter, STRICT_RENAMES } from './fields/cef-extensions.js';

type CefMode = 'strict' | 'compatible';
type Pair = readonly [string, string];

/** Keys the renderer writes from the model itself (time, host, pid, stable event id). */
const RESERVED = new Set(['rt', 'dvchost', 'dvcpid', 'externalId']);

const CUSTOM = /^cs(\d+)(label)?$/i;
const STRING_SLOTS = ['cs1', 'cs2', 'cs3', 'cs4', 'cs5', 'cs6', 'flexString1', 'flexString2'] as const;
const NUMBER_SLOTS = ['cn1', 'cn2', 'cn3'] as const;
const INTEGER = /^-?\d{1,18}$/;
/** The vault's geolocation keys that strict mode renames to slat/slong (source geo). */
const GEO_KEYS: ReadonlySet<string> = new Set(['latitude', 'longitude']);

/**
 * A value check a plan relies on: the value fits a dictionary key (its type and range, e.g. `dpt`:
 * an integer 0–65535; `cn1`: a Long), or is not an integer.
 */
type Check = string | null;
const NOT_INTEGER = 'notInteger';

/**
 * One output pair. Text = `sep + keyText` then either the escaped value of `src`, or (for a
 * relocated key whose label comes from another field) `label(labelSrc) + ' ' + slot + '='` first.
 */
interface Step {
  /** output key (for budget/msg detection and `extensionPairs`) */
  readonly key: string;
  /** source field */
  readonly src: string;
  /** ` key=` (with leading space) or, for relocations, ` slotLabel=<label> slot=` */
  readonly pre: string;
  /** label pair for a relocation with a static label */
  readonly label: string | null;
  /** field whose value is the label (cs7 → cs7Label), resolved per event */
  readonly labelSrc: string | null;
  readonly labelKey: string | null;
  readonly check: Check;
}

interface Plan {
  readonly steps: readonly Step[];
  /** false when a typed key was relocated because its value did not fit: such a plan is per event */
  readonly cacheable: boolean;
}

function vendorKey(k: string): string {
  return `segura${k.charAt(0).toUpperCase()}${k.slice(1)}`;
}

/**
 * Output keys must be unique in a line (Elastic keeps the last duplicate, liblognorm is undefined):
 * a second `seguraRt` becomes `seguraRt2`. Keys stay `[A-Za-z0-9]` (docs/formats.md §1.3).
 */
function claimer(fields: Readonly<Record<string, string>>) {
  const taken = new Set<string>(Object.keys(fields));
  return (want: string): string => {
    let k = want;
    for (let n = 2; taken.has(k); n++) k = `${want}${n}`;
    taken.add(k);
    return k;
  };
}

function plain(key: string, src: string, check: Check): Step {
  return { key, src, pre: ` ${key}=`, label: null, labelSrc: null, labelKey: null, check };
}

function compileCompatible(fields: Readonly<Record<string, string>>): Plan {
  const steps: Step[] = [];
  const claim = claimer(fields);
  for (const k in fields) steps.push(plain(RESERVED.has(k) ? claim(vendorKey(k)) : k, k, null));
  return { steps, cacheable: true };
}

function compileStrict(fields: Readonly<Record<string, string>>): Plan {
  // canonical key for csN / csNLabel written in any case (the vault's docs show `Cs6`)
  const canon = (k: string): string => {
    const m = CUSTOM.exec(k);
    return m ? `cs${m[1]}${m[2] ? 'Label' : ''}` : k;
  };
  const claim = claimer(fields);
  const used = new Set<string>();
  for (const k in fields) {
    const c = canon(k);
    const m = CUSTOM.exec(c);
    if (m && Number(m[1]) <= 6) used.add(`cs${m[1]}`);
    else if (cefKey(c) !== undefined) used.add(c);
  }
  const emitted = new Set<string>();
  const steps: Step[] = [];
  let cacheable = true;
  /** Move a value to a free labeled slot, or to a vendor-prefixed key (with its label, if any). */
  const relocate = (src: string, label: string, labelSrc: string | null, v: string): void => {
    const numeric = INTEGER.test(v);
    let slot: string | undefined;
    if (numeric) slot = NUMBER_SLOTS.find((s) => !used.has(s));
    // a number slot (cnN) needs a Long; a text slot was chosen because the value is not an integer
    let check: Check = slot ?? NOT_INTEGER;
    if (slot === undefined) {
      slot = STRING_SLOTS.find((s) => !used.has(s));
      // text slots take integers too once the number slots are full: no value check needed then
      if (numeric) check = null;
    }
    if (slot === undefined) {
      // no slot left: a vendor-prefixed key; a dynamic label (cs8Label) travels as `<key>Label`
      const key = claim(vendorKey(canon(src)));
      if (labelSrc === null) steps.push(plain(key, src, null));
      else
        steps.push({ key, src, pre: ` ${claim(`${key}Label`)}=`, label: null, labelSrc, labelKey: null, check: null });
      return;
    }
    used.add(slot);
    if (labelSrc !== null) {
      steps.push({ key: slot, src, pre: ` ${slot}Label=`, label: null, labelSrc, labelKey: slot, check });
    } else {
      steps.push({
        key: slot,
        src,
        pre: ` ${slot}Label=${escapeCefValue(label)} ${slot}=`,
        label,
        labelSrc: null,
        labelKey: slot,
        check,
      });
    }
  };
  for (const rawKey in fields) {
    const v = fields[rawKey] as string;
    let k = canon(rawKey);
    const m = CUSTOM.exec(k);
    if (m && Number(m[1]) > 6) {
      if (m[2]) {
        // a csNLabel (N > 6) travels with its value; alone it is relocated as text
        if (!Object.keys(fields).some((x) => canon(x) === `cs${m[1]}`)) relocate(rawKey, k, null, v);
        continue;
      }
      const labelField = Object.keys(fields).find((x) => canon(x) === `cs${m[1]}Label`);
      if (labelField !== undefined) relocate(rawKey, '', labelField, v);
      else relocate(rawKey, k, null, v);
      continue;
    }
    const renamed = Object.hasOwn(STRICT_RENAMES, k) ? STRICT_RENAMES[k] : undefined;
    // latitude/longitude locate the requester (originIP) when there is one, not src: slat/slong
    // (source geo) would attach them to the wrong address, so they stay labeled values then
    const geoOfOrigin = GEO_KEYS.has(k) && fields.originIP !== undefined;
    if (renamed !== undefined && !geoOfOrigin && fields[renamed] === undefined && !used.has(renamed)) {
      k = renamed;
      used.add(renamed);
    }
    const spec = cefKey(k);
    // a key written twice under different spellings (cs1 and Cs1) keeps the first as standard
    if (spec && !RESERVED.has(k) && !emitted.has(k) && fitsKey(k, v)) {
      emitted.add(k);
      steps.push(plain(k, rawKey, spec.type === 'String' ? null : k));
    } else {
      if (spec && !RESERVED.has(k) && !emitted.has(k)) cacheable = false;
      relocate(rawKey, rawKey, null, v);
    }
  }
  return { steps, cacheable };
}

/**
 * Plans per mode, grouped by first key; a candidate matches when the event's keys equal the plan's
 * keys in order (compared while iterating, no signature string is built). Bounded: a flood of
 * unique key sets cannot grow it.
 */
interface CachedPlan extends Plan {
  readonly keys: readonly string[];
  /** the value checks the plan relies on, compiled: only these run per event */
  readonly checks: readonly { readonly src: string; readonly test: (v: string) => boolean }[];
}

const isNotInteger = (v: string): boolean => !INTEGER.test(v);
const PLANS: Record<CefMode, Map<string, CachedPlan[]>> = { strict: new Map(), compatible: new Map() };
let planCount = 0;
const MAX_PLANS = 2048;

function sameKeys(fields: Readonly<Record<string, string>>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in fields) {
    if (keys[i] !== k) return false;
    i++;
  }
  return i === keys.length;
}

/** The plan for these fields: cached per ordered key set, recompiled when a cached check fails. */
function planFor(fields: Readonly<Record<string, string>>, mode: CefMode): Plan {
  let first = '';
  for (const k in fields) {
    first = k;
    break;
  }
  const bucket = PLANS[mode].get(first);
  if (bucket !== undefined) {
    for (const cached of bucket) {
      if (!sameKeys(fields, cached.keys)) continue;
      let ok = true;
      for (const c of cached.checks) {
        if (!c.test(fields[c.src] as string)) {
          ok = false;
          break;
        }
      }
      if (ok) return cached;
      break;
    }
  }
  const plan = mode === 'strict' ? compileStrict(fields) : compileCompatible(fields);
  if (plan.cacheable && planCount < MAX_PLANS) {
    const checks = [];
    for (const st of plan.steps) {
      if (st.check !== null)
        checks.push({ src: st.src, test: st.check === NOT_INTEGER ? isNotInteger : keyFitter(st.check) });
    }
    const entry: CachedPlan = { ...plan, keys: Object.keys(fields), checks };
    const list = bucket ?? [];
    // replace a plan for the same keys (its checks failed) or add
    const at = list.findIndex((p) => sameKeys(fields, p.keys));
    if (at === -1) {
      list.push(entry);
      planCount++;
    } else list[at] = entry;
    if (bucket === undefined) PLANS[mode].set(first, list);
  }
  return plan;
}

/** Output of running a plan: the extension text and the msg span. */
interface ExtText {
  readonly text: string;
  readonly msgStart: number;
  readonly msgEnd: number;
}

/**
 * Run a plan over `fields`, appending to `head` (which may be ''; the first pair after an empty
 * head has no leading space, so no caller slices the text: slicing a concatenated string copies
 * it). `dialect` chooses the value encoding: `cef` escapes `\ = CR LF` (CEF extension rules);
 * `native` writes the vault's own key=value text, which has no escapes (escape.ts `nativeKvValue`):
 * values as they are, quoted when a reader would otherwise split them or take them for a quoted
 * value. The msg span excludes quotes.
 */
function runPlan(
  plan: Plan,
  fields: Readonly<Record<string, string>>,
  head: string,
  dialect: 'cef' | 'native' = 'cef',
): ExtText {
  let text = head;
  let msgStart = -1;
  let msgEnd = -1;
  // values of a plain record (model/plain.ts) contain nothing to escape and no quotes
  const plain = isPlain(fields);
  const native = dialect === 'native';
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i] as Step;
    // every `pre` starts with the separating space
    const pre = text.length === 0 ? st.pre.slice(1) : st.pre;
    if (st.labelSrc !== null) {
      const label = fields[st.labelSrc] as string;
      text += `${pre}${plain ? label : native ? nativeKvText(label) : escapeCefValue(label)} ${st.key}=`;
    } else text += pre;
    const raw = fields[st.src] as string;
    if (plain) {
      if (msgStart === -1 && st.key === 'msg') {
        msgStart = text.length;
        msgEnd = msgStart + raw.length;
      }
      text += raw;
      continue;
    }
    const ev = native ? nativeKvValue(raw) : escapeCefValue(raw);
    const quoted = native && nativeKvNeedsQuotes(ev);
    if (quoted) text += '"';
    if (msgStart === -1 && st.key === 'msg') {
      msgStart = text.length;
      msgEnd = msgStart + ev.length;
    }
    text += quoted ? `${ev}"` : ev;
  }
  return { text, msgStart, msgEnd };
}

/** @example extensionPairs({ sname: 'José' }, 'strict') // [['cs1Label','sname'],['cs1','José']] */
function extensionPairs(fields: Readonly<Record<string, string>>, mode: CefMode): Pair[] {
  const out: Pair[] = [];
  for (const st of planFor(fields, mode).steps) {
    // the label pair as the text writes it: ` <slot>Label=` (or ` segura<Key>Label=`) from `pre`
    if (st.labelSrc !== null) out.push([st.pre.slice(1, -1), fields[st.labelSrc] as string]);
    else if (st.labelKey !== null) out.push([`${st.labelKey}Label`, st.label as string]);
    out.push([st.key, fields[st.src] as string]);
  }
  return out;
}

export type { CefMode, ExtText, Pair, Plan };
export { extensionPairs, planFor, RESERVED, runPlan };
