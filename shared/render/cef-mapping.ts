/**
 * Field → CEF extension pairs, in the vault's order.
 *
 * - `compatible`: keys verbatim (what the vault itself sends), so SIEM rules written for the
 *   vault's own CEF keep matching.
 * - `strict`: only dictionary keys with values of the right type. Renames: Method→requestMethod,
 *   ServiceName→sourceServiceName, dport/dposrt→dpt, latitude→slat, longitude→slong, `Cs6`→`cs6`.
 *   Everything else (sname, originIP, country, cs7/cs8, a `dst` that is not an IP, …) moves to a
 *   free labeled slot (cn1–cn3 for integers; cs1–cs6 then flexString1–2 for text) whose label is
 *   the original key (cs7/cs8 keep their own label). When no slot is free the key is written as
 *   `segura<Key>` (a vendor-prefixed custom key, formats.md §1.4). Nothing is dropped.
 */
import { CEF_KEYS, fitsType, STRICT_RENAMES } from './fields/cef-extensions.js';

type CefMode = 'strict' | 'compatible';
type Pair = readonly [string, string];

/** Keys the renderer writes from the model itself (time, host, pid). */
const RESERVED = new Set(['rt', 'dvchost', 'dvcpid']);

const CUSTOM = /^cs(\d+)(label)?$/i;
const STRING_SLOTS = ['cs1', 'cs2', 'cs3', 'cs4', 'cs5', 'cs6', 'flexString1', 'flexString2'] as const;
const NUMBER_SLOTS = ['cn1', 'cn2', 'cn3'] as const;

function vendorKey(k: string): string {
  return `segura${k.charAt(0).toUpperCase()}${k.slice(1)}`;
}

function compatiblePairs(fields: Readonly<Record<string, string>>): Pair[] {
  const out: Pair[] = [];
  for (const k in fields) {
    const v = fields[k] as string;
    out.push([RESERVED.has(k) ? vendorKey(k) : k, v]);
  }
  return out;
}

function strictPairs(fields: Readonly<Record<string, string>>): Pair[] {
  // canonical key for csN / csNLabel written in any case (the vault's docs show `Cs6`)
  const canon = (k: string): string => {
    const m = CUSTOM.exec(k);
    return m ? `cs${m[1]}${m[2] ? 'Label' : ''}` : k;
  };
  const used = new Set<string>();
  for (const k in fields) {
    const c = canon(k);
    const m = CUSTOM.exec(c);
    if (m && Number(m[1]) <= 6) used.add(`cs${m[1]}`);
    else if (c in CEF_KEYS) used.add(c);
  }
  const out: Pair[] = [];
  const relocate = (label: string, v: string): void => {
    if (/^-?\d{1,18}$/.test(v)) {
      const slot = NUMBER_SLOTS.find((s) => !used.has(s));
      if (slot) {
        used.add(slot);
        out.push([`${slot}Label`, label], [slot, v]);
        return;
      }
    }
    const slot = STRING_SLOTS.find((s) => !used.has(s));
    if (slot) {
      used.add(slot);
      out.push([`${slot}Label`, label], [slot, v]);
      return;
    }
    out.push([vendorKey(label), v]);
  };
  for (const rawKey in fields) {
    const v = fields[rawKey] as string;
    let k = canon(rawKey);
    const m = CUSTOM.exec(k);
    if (m && Number(m[1]) > 6) {
      if (m[2]) {
        // a csNLabel (N > 6) travels with its value; alone it is relocated as text
        if (fields[`cs${m[1]}`] === undefined) relocate(k, v);
        continue;
      }
      relocate(fields[`cs${m[1]}Label`] ?? k, v);
      continue;
    }
    const renamed = STRICT_RENAMES[k];
    if (renamed !== undefined && fields[renamed] === undefined && !used.has(renamed)) {
      k = renamed;
      used.add(renamed);
    }
    const spec = CEF_KEYS[k];
    if (spec && !RESERVED.has(k) && fitsType(spec.type, v)) out.push([k, v]);
    else relocate(rawKey, v);
  }
  return out;
}

/** @example extensionPairs({ sname: 'José' }, 'strict') // [['cs1Label','sname'],['cs1','José']] */
function extensionPairs(fields: Readonly<Record<string, string>>, mode: CefMode): Pair[] {
  return mode === 'strict' ? strictPairs(fields) : compatiblePairs(fields);
}

export type { CefMode, Pair };
export { extensionPairs, RESERVED };
