/**
 * Realistic generated vault events (JSON envelopes) for `npm start --count N`, `segura-relay send
 * --count N` and the benchmarks. Deterministic for a seed. The mix follows what a vault emits most:
 * password views and session starts/ends dominate; alerts and errors are rarer; one event in 50
 * carries characters that need escaping (`=`, `|`, `\`, line breaks) and one in 20 non-ASCII text.
 * Each event is coherent: its message, users and target agree with each other and with its catalog
 * name, so every default alert template reads well on it.
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
/** Vault hosts (the syslog HOSTNAME), one non-ASCII to exercise IDNA. */
const HOSTS = ['vault-01', 'vault-02.corp.example', 'pam-são-paulo-01'];
/** Devices the vault manages: the targets of sessions, passwords and commands. */
const DEVICES = ['db01.corp.example', 'win2012', 'srv-erp-01', 'fw-edge-1', 'app-são-paulo-02'];
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

/** Who did what to which device: one draw per event, so message, users and target agree. */
interface Actors {
  readonly login: string;
  readonly display: string;
  readonly target: string;
  readonly device: string;
  readonly ip: string;
  readonly requestId: string;
}

/**
 * The message of each documented layout, worded as the vault words it (the SIEM integration guide's
 * examples) but about this event's actors. Several of the guide's examples were copied from another
 * layout (Session Started says "Session ended", Password Viewed says "changed", Exchange Executed and
 * Request Denied repeat other events): generated events say what their event is. Layouts not listed
 * keep the guide's example text.
 */
const MESSAGES: Readonly<Record<string, (a: Actors, eventName: string) => string>> = {
  backup: (a, name) =>
    name === 'Backup Error'
      ? `Error sending backup to server '${a.device}:/srv/backup': connection refused`
      : `Backup sent to server '${a.device}:/srv/backup' via local`,
  'connectivity-loss': (a) => `The device ${a.device} (${a.ip}) lost SSH connectivity`,
  'connectivity-restored': (a) => `The ${a.device} equipment (${a.ip}) has recovered SSH connectivity`,
  'password-changed': (a) => `Password ${a.device} (${a.ip}) - Domain User - ${a.target} changed by user ${a.login}`,
  'password-viewed': (a) => `Password ${a.device} (${a.ip}) - Domain User - ${a.target} viewed by user ${a.login}`,
  'session-started': (a) =>
    `Session started for ${a.device} (${a.ip}) - Privileged Domain User - ${a.target} by user ${a.display} (${a.login})`,
  'session-ended': (a) =>
    `Session ended for ${a.device} (${a.ip}) - Privileged Domain User - ${a.target} by user ${a.display} (${a.login})`,
  'exchange-executed': (a) =>
    `Password of ${a.device} (${a.ip}) - Domain User - ${a.target} changed by the execution module`,
  'audited-commands-executed': (_a, name) => `An audited command was detected! Action: "${name}"`,
  'password-access-request': (a) =>
    `User '${a.display}' created a request. Request details: Action to view password for credential ${a.target} on device ${a.device} (${a.ip})`,
  'request-approved': (a) =>
    `Request approved by Administrator. Code: S${a.requestId} Requester: ${a.display} Request details: Action to view password for credential ${a.target} on device ${a.device} (${a.ip})`,
  'request-denied': (a) =>
    `Request denied by Administrator. Code: S${a.requestId} Requester: ${a.display} Request details: Action to view password for credential ${a.target} on device ${a.device} (${a.ip})`,
  'password-change-error': (a) =>
    `Error changing password '${a.device} (${a.ip}) - Domain User - ${a.target}': The device '${a.device} (${a.ip})' does not have Windows RPC connectivity`,
};

/**
 * The fields of one generated event: the layout's keys (the guide's example values), then this
 * event's actors in every key that names them, and a message that agrees with the event's name.
 * Events without a layout get a message from the catalog description and the acting user.
 */
function eventFields(
  layout: Layout | undefined,
  eventName: string,
  description: string,
  a: Actors,
): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!layout) {
    fields.msg = `${description || eventName} User: ${a.login}`;
    fields.suser = a.login;
    fields.sname = a.display;
    return fields;
  }
  Object.assign(fields, layoutExampleFields(layout));
  const message = MESSAGES[layout.slug];
  if (message) fields.msg = message(a, eventName);
  // `sname` names a person where the layout pairs it with `suser`; elsewhere it is a script id
  if ('sname' in fields && 'suser' in fields) fields.sname = a.display;
  if ('suser' in fields) fields.suser = a.login;
  if ('duser' in fields) fields.duser = a.target;
  if ('dhost' in fields) fields.dhost = a.device;
  if ('dst' in fields) fields.dst = a.ip;
  if ('cs1' in fields && fields.cs1Label === 'Change Request') fields.cs1 = a.requestId;
  return fields;
}

function sampleEvents(count: number, seed = 42, startMs = Date.UTC(2026, 0, 19, 13, 41, 0)): Generator<Envelope> {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const layoutFor = new Map<string, Layout>();
  for (const l of LAYOUTS) for (const id of l.eventIds) layoutFor.set(id, l);
  const byId = new Map(CATALOG_EVENTS.map((e) => [e.id, e] as const));
  const idLess = LAYOUTS.filter((l) => l.eventIds.length === 0);
  // the documented layouts without an event id are sent with the stand-in ids the catalog feed and
  // the golden inputs use (9001 + their order), so the same layout always has the same id
  const idLessIds = new Map(idLess.map((l, i) => [l.slug, String(9001 + i)] as const));
  const weighted: string[] = [];
  for (const e of CATALOG_EVENTS) for (let i = 0; i < (WEIGHTS[e.id] ?? 1); i++) weighted.push(e.id);
  return (function* gen() {
    for (let i = 0; i < count; i++) {
      const [login, display] = pick(USERS);
      const actors: Actors = {
        login,
        display,
        target: pick(TARGETS),
        device: pick(DEVICES),
        ip: `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${1 + Math.floor(rnd() * 253)}`,
        requestId: String(100000 + Math.floor(rnd() * 900000)),
      };
      const useIdLess = rnd() < 0.02;
      let id: string;
      let layout: Layout | undefined;
      let name: string;
      let description = '';
      if (useIdLess) {
        layout = pick(idLess);
        id = idLessIds.get(layout.slug) as string;
        name = layout.title;
      } else {
        id = pick(weighted);
        layout = layoutFor.get(id);
        const entry = byId.get(id);
        name = entry?.name.en ?? layout?.title ?? id;
        description = entry?.description.en ?? '';
      }
      const fields = eventFields(layout, name, description, actors);
      if ('spid' in fields) fields.spid = String(1000 + Math.floor(rnd() * 60000));
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
      // an id-less layout has no catalog name to fall back on: the envelope carries the layout's title
      if (useIdLess) env.name = name;
      yield env;
    }
  })();
}

export type { Envelope };
export { prng, sampleEvents };
