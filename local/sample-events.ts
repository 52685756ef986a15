/**
 * Realistic generated vault events (JSON envelopes) for `npm start --count N`, `segura-relay send
 * --count N` and the benchmarks. Deterministic for a seed. The mix follows what a vault emits most:
 * password views and session starts/ends dominate; alerts and errors are rarer; one event in 50
 * carries characters that need escaping (`=`, `|`, `\`, line breaks) and one in 20 non-ASCII text.
 */
import { CATALOG_EVENTS, LAYOUTS, layoutExampleFields } from '../shared/model/catalog-docs.js';
import type { Layout } from '../shared/model/catalog-types.js';

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = [
  ['jsilva', 'José da Silva'],
  ['msilva', 'Maria da Silva'],
  ['acosta', 'Ana Costa'],
  ['romario', 'Romário Souza'],
  ['jdoe', 'John Doe'],
  ['lnguyen', 'Linh Nguyen'],
] as const;
const TARGETS = ['root', 'administrator', 'srv_admin', 'oracle', 'sa', 'cqss', 'jsilvaadm'];
const HOSTS = ['db01.corp.example', 'win2012', 'localhost', 'app-são-paulo-02', 'fw-edge-1'];
const WEIGHTS: Readonly<Record<string, number>> = {
  '1': 30,
  '16': 20,
  '17': 20,
  '2': 8,
  '13': 5,
  '14': 4,
  '37': 10,
  '31': 1,
  '20': 1,
};

interface Envelope {
  id: string;
  name?: string;
  severity?: number;
  timestamp: string;
  host: string;
  pid: number;
  fields: Record<string, string>;
}

function sampleEvents(count: number, seed = 42, startMs = Date.UTC(2026, 0, 19, 13, 41, 0)): Generator<Envelope> {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const layoutFor = new Map<string, Layout>();
  for (const l of LAYOUTS) for (const id of l.eventIds) layoutFor.set(id, l);
  const idLess = LAYOUTS.filter((l) => l.eventIds.length === 0);
  const weighted: string[] = [];
  for (const e of CATALOG_EVENTS) for (let i = 0; i < (WEIGHTS[e.id] ?? 1); i++) weighted.push(e.id);
  return (function* gen() {
    for (let i = 0; i < count; i++) {
      const [login, display] = pick(USERS);
      const target = pick(TARGETS);
      const ip = `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${1 + Math.floor(rnd() * 253)}`;
      const useIdLess = rnd() < 0.02;
      const layout = useIdLess ? pick(idLess) : layoutFor.get(pick(weighted));
      const id = useIdLess ? String(9000 + Math.floor(rnd() * 100)) : (layout?.eventIds[0] ?? pick(weighted));
      const fields: Record<string, string> = {};
      if (layout) {
        Object.assign(fields, layoutExampleFields(layout));
      } else {
        fields.msg = `Event ${id} for user ${login}`;
      }
      if ('sname' in fields) fields.sname = display;
      if ('suser' in fields) fields.suser = login;
      if ('duser' in fields) fields.duser = target;
      if ('dst' in fields) fields.dst = ip;
      if ('src' in fields) fields.src = ip;
      fields.suid = String(10 + Math.floor(rnd() * 900));
      fields.spid = String(1000 + Math.floor(rnd() * 60000));
      const r = rnd();
      if (r < 0.02) fields.msg = `${fields.msg ?? ''} user=admin|x a\\b\r\nline2 = forged`;
      else if (r < 0.07) fields.msg = `${fields.msg ?? ''} — sessão em São Paulo (ação concluída)`;
      const env: Envelope = {
        id,
        timestamp: new Date(startMs + i * 250).toISOString().replace('Z', '+00:00'),
        host: pick(HOSTS),
        pid: 1426 + (i % 7),
        fields,
      };
      if (useIdLess || rnd() < 0.3) env.name = layout?.title ?? 'Vault event';
      yield env;
    }
  })();
}

export type { Envelope };
export { prng, sampleEvents };
