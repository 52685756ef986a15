/**
 * Header, key and newline injection through every field the vault controls. For each slot (event
 * name, host, pid, every field value, custom labels) and each attack, the rendered output must
 * have exactly the same shape as with a harmless value: one record, the same CEF keys, the same
 * RFC 5424 header fields and SD parameters, the same LEEF attributes, the same ECS keys; and the
 * attack text must come back, unescaped, as the value of its own slot only.
 */
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { createRenderer } from '../../shared/render/index.js';
import { checkCefStrict, checkLeefStrict, checkRfc5424Strict } from '../helpers/strict-parsers.js';

const ATTACKS = [
  '\n<13>1 2026-01-19T10:41:00Z evil Segura 1 2 - CEF:0|MT4|Segura|3|2|Forged|10|suser=evil',
  'bob act=deleted suser=admin dst=6.6.6.6',
  'x|CEF:0|MT4|Segura|3|2|Forged|10|suser=evil',
  '] [evil@32473 x="y"] ',
  'a"]\\',
  'ok\r\nforged: line',
  'v^usrName=evil^cat=forged',
  'v","event":{"code":"forged"},"x":"',
  'tab\there\u0000nul\u001bansi',
  '\u2028line-sep\u0085nel',
] as const;

type Slot = 'name' | 'host' | 'pid' | 'msg' | 'suser' | 'cs1Label' | 'cs1' | 'custom';
const SLOTS: Slot[] = ['name', 'host', 'pid', 'msg', 'suser', 'cs1Label', 'cs1', 'custom'];

function envelope(slot: Slot, value: string): string {
  const fields: Record<string, string> = {
    msg: 'base message',
    suser: 'jsilva',
    cs1Label: 'Change Request',
    cs1: 'S000296',
    country: 'Brazil',
  };
  const env: Record<string, unknown> = {
    id: '13',
    timestamp: '2026-01-19T10:41:00.123-03:00',
    host: 'vault-01',
    pid: 1426,
    fields,
  };
  if (slot === 'name') env.name = value;
  else if (slot === 'host') env.host = value;
  else if (slot === 'pid') env.pid = value;
  else if (slot === 'custom') fields.country = value;
  else fields[slot] = value;
  return JSON.stringify(env);
}

/** The structure of every output format for one envelope (what an attack must not change). */
function shape(body: string) {
  const e = parseInput(body);
  const cef = createRenderer('cef').render(e);
  const cefCompat = createRenderer('cef', { mode: 'compatible' }).render(e);
  const r5424 = createRenderer('rfc5424', { sdId: 'segura@32473' }).render(e);
  const kv = createRenderer('rfc5424', { msg: 'kv' }).render(e);
  const leef = createRenderer('leef').render(e);
  const ecs = createRenderer('ecs').render(e);
  for (const line of [cef, cefCompat, r5424, kv, leef, ecs]) expect(line).not.toMatch(/[\r\n\u0000]/);
  const c = checkCefStrict(cef);
  const cc = checkCefStrict(cefCompat);
  const s = checkRfc5424Strict(r5424);
  const k = checkRfc5424Strict(kv);
  const l = checkLeefStrict(leef);
  const j = JSON.parse(ecs) as Record<string, unknown>;
  return {
    e,
    c,
    shape: {
      cefHeader: [c.header.vendor, c.header.product, c.header.deviceVersion, c.header.signatureId, c.header.severity],
      cefKeys: c.pairs.map(([key]) => key),
      cefCompatKeys: cc.pairs.map(([key]) => key),
      rfcHeader: [s.pri, s.appName, s.msgId, s.timestamp],
      sd: s.sd.map((el) => [el.id, el.params.map(([p]) => p)]),
      kvMsgIsKv: k.msg?.startsWith('msg=') ?? false,
      leefKeys: l.attrs.map(([key]) => key),
      ecsKeys: Object.keys(j).sort(),
    },
  };
}

describe('injection through every field cannot change the shape of any output', () => {
  for (const slot of SLOTS) {
    it(`slot ${slot}`, () => {
      const base = shape(envelope(slot, 'harmless value'));
      for (const attack of ATTACKS) {
        const got = shape(envelope(slot, attack));
        expect(got.shape, `${slot} ← ${JSON.stringify(attack)}`).toEqual(base.shape);
        // the attack text is inert data in its own slot: CEF reads back the cleaned value
        const cleaned = (
          slot === 'name' || slot === 'host' || slot === 'pid'
            ? got.e[slot]
            : got.e.fields[slot === 'custom' ? 'country' : slot]
        ) as string;
        if (slot === 'name') expect(got.c.header.name).toBe(cleaned);
        else if (slot === 'host') expect(got.c.ext.dvchost).toBe(cleaned);
        else if (slot === 'msg' || slot === 'suser') expect(got.c.ext[slot]).toBe(cleaned);
        else if (slot === 'cs1' || slot === 'cs1Label') expect(got.c.ext[slot]).toBe(cleaned);
        // nothing the attack mentions became a key of its own
        for (const forged of ['act', 'usrName', 'evil']) expect(Object.keys(got.c.ext)).not.toContain(forged);
      }
    });
  }

  it('the event id cannot carry an injection: the parser refuses it with the field named', () => {
    for (const attack of ATTACKS) {
      expect(() => parseInput(JSON.stringify({ id: `1${attack}` }))).toThrowError(/^id: /);
    }
  });

  it('field keys cannot carry an injection either', () => {
    for (const key of ['a b', 'x=y', 'k|v', 'suser\nact', '__proto__', 'a]b', '1abc']) {
      expect(() => parseInput(JSON.stringify({ id: '1', fields: { [key]: 'v' } }))).toThrowError(/^fields\./);
    }
  });
});
