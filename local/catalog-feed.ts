/**
 * One envelope for every catalog event (and every documented layout without an id): the default
 * input of `npm start`. Fields come from the event's documented layout (the SIEM integration guide) when it has one.
 */
import { CATALOG_EVENTS, LAYOUTS, layoutExampleFields } from '../shared/model/catalog-docs.js';
import type { Envelope } from './sample-events.js';

function catalogFeed(startMs = Date.UTC(2026, 0, 19, 13, 41, 0)): Envelope[] {
  const layoutFor = new Map(LAYOUTS.flatMap((l) => l.eventIds.map((id) => [id, l] as const)));
  const out: Envelope[] = [];
  let i = 0;
  const ts = () => new Date(startMs + 1000 * i++).toISOString();
  for (const e of CATALOG_EVENTS) {
    const l = layoutFor.get(e.id);
    const fields: Record<string, string> = {};
    if (l) {
      Object.assign(fields, layoutExampleFields(l));
    } else {
      fields.msg = e.description.en || e.name.en;
      fields.suser = 'jsilva';
      fields.sname = 'José da Silva';
    }
    out.push({ id: e.id, timestamp: ts(), host: 'vault-01', pid: 1426, fields });
  }
  // events the vault documents without an id (Master Key, report scheduling): resolved by layout
  let unknownId = 9001;
  for (const l of LAYOUTS.filter((x) => x.eventIds.length === 0)) {
    const fields = layoutExampleFields(l);
    out.push({ id: String(unknownId++), timestamp: ts(), host: 'vault-01', pid: 1426, fields });
  }
  return out;
}

export { catalogFeed };
