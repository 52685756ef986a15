/**
 * Fidelity from vault input to every output format: no value changes on the way except the
 * format's own encoding (which a strict reader of that format undoes).
 * - the vault's native key=value text is kept byte for byte (no CEF escapes are decoded in it);
 * - header tokens (APP-NAME, PROCID, …) are cleaned at the boundary like every other value;
 * - the vault's own product name and version travel to the output headers.
 */
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer, type RenderConfig } from '../../../shared/render/index.js';
import { checkCefStrict, checkLeefStrict, checkRfc5424Strict, controlIndex } from '../../helpers/strict-parsers.js';

const PATH = String.raw`Path C:\new\report.txt`;
const USER = String.raw`MYDomain\\johndoe`;
const TARGET = String.raw`CORP\root`;
const NATIVE_BODY = `msg=${PATH} suser=${USER} duser=${TARGET}`;
const WANT = { msg: PATH, suser: USER, duser: TARGET };

/** Every place the values can reach, read back with a reader of that format. */
function everyFormat(e: SecurityEvent): void {
  for (const mode of ['strict', 'compatible'] as const) {
    // CEF writes `\` as `\\`: that is encoding, the strict reader gives the value back
    const cef = createRenderer('cef', { mode }).render(e);
    expect(checkCefStrict(cef).ext, `cef ${mode}`).toMatchObject(WANT);
    expect(parseInput(cef).fields, `cef ${mode} through the relay's CEF parser`).toEqual(WANT);
    const syslog = checkRfc5424Strict(createRenderer('rfc5424', { mode }).render(e));
    expect(checkCefStrict(syslog.msg ?? '').ext, `rfc5424 ${mode}`).toMatchObject(WANT);
  }
  // the vault's own key=value text: byte for byte
  const kv = createRenderer('rfc5424', { msg: 'kv' }).render(e);
  expect(checkRfc5424Strict(kv).msg).toBe(NATIVE_BODY);
  expect(parseInput(kv).fields).toEqual(WANT);
  const leef = Object.fromEntries(checkLeefStrict(createRenderer('leef').render(e)).attrs);
  expect(leef).toMatchObject({ msg: PATH, usrName: USER, duser: TARGET });
  const doc = JSON.parse(createRenderer('ecs').render(e));
  expect(doc.message).toBe(PATH);
  expect(doc.user.name).toBe(USER);
  expect(doc.user.target.name).toBe(TARGET);
  expect(doc.segura.fields).toEqual(WANT);
}

describe('Windows paths and DOMAIN\\user names survive every format unchanged', () => {
  it('from a native RFC 5424 key=value line (kept byte for byte, no CEF escapes decoded)', () => {
    const e = parseInput(`<13>1 2026-01-19T13:41:00.123Z vault-01 Segura 1426 1 - ${NATIVE_BODY}`);
    expect(e.fields).toEqual(WANT);
    everyFormat(e);
  });

  it('from a JSON envelope', () => {
    everyFormat(parseInput(JSON.stringify({ id: '1', fields: WANT })));
  });

  it('from a CEF line (where `\\\\` is the escape for one backslash)', () => {
    const esc = (s: string) => s.replace(/\\/g, '\\\\');
    const e = parseInput(
      `CEF:0|MT4|Segura|3|1|Password Viewed|5|msg=${esc(PATH)} suser=${esc(USER)} duser=${esc(TARGET)}`,
    );
    expect(e.fields).toEqual(WANT);
    everyFormat(e);
  });
});

describe('header tokens are cleaned at the boundary', () => {
  const outputs: ReadonlyArray<readonly [string, 'cef' | 'rfc5424' | 'leef', RenderConfig]> = [
    ['cef strict', 'cef', {}],
    ['cef compatible', 'cef', { mode: 'compatible' }],
    ['rfc5424', 'rfc5424', {}],
    ['rfc5424 compatible', 'rfc5424', { mode: 'compatible' }],
    ['rfc5424 kv', 'rfc5424', { msg: 'kv' }],
    ['leef', 'leef', {}],
  ];

  it('a TAB or other control character in APP-NAME or PROCID reaches no output', () => {
    const e = parseInput('<13>1 2026-01-19T13:41:00.123Z vault-01 Seg\tura 14\u000126 2 - suser=jsilva');
    expect(e.app).toBe('Seg ura');
    expect(e.pid).toBe('14 26');
    for (const [what, format, cfg] of outputs) {
      const line = createRenderer(format, cfg).render(e);
      expect(controlIndex(line), `${what}: ${JSON.stringify(line)}`).toBe(-1);
    }
    const doc = JSON.parse(createRenderer('ecs').render(e));
    expect(doc.event.provider).toBe('Seg ura');
  });
});

describe("the vault's own product and version", () => {
  const header = (line: string) => checkCefStrict(line).header;

  it('are kept from a CEF input; a configured version is only the fallback', () => {
    const e = parseInput('CEF:0|MT4|Segura|3.27.0-4|336.501|UPDATE INCIDENT|9|msg=x');
    for (const cfg of [{}, { deviceVersion: '3' }, { deviceVersion: '4.0' }]) {
      expect(header(createRenderer('cef', cfg).render(e))).toMatchObject({
        product: 'Segura',
        deviceVersion: '3.27.0-4',
      });
      const syslog = checkRfc5424Strict(createRenderer('rfc5424', cfg).render(e));
      expect(header(syslog.msg ?? '').deviceVersion).toBe('3.27.0-4');
      expect(checkLeefStrict(createRenderer('leef', cfg).render(e)).version).toBe('3.27.0-4');
      expect(JSON.parse(createRenderer('ecs', cfg).render(e)).observer.version).toBe('3.27.0-4');
    }
  });

  it('keep the former product name senhasegura unless the deployment sets a product explicitly', () => {
    const old = parseInput('CEF:0|MT4|senhasegura|3.10.1|1|Password Viewed|5|suser=jsilva');
    expect(header(createRenderer('cef').render(old))).toMatchObject({
      product: 'senhasegura',
      deviceVersion: '3.10.1',
    });
    expect(checkLeefStrict(createRenderer('leef').render(old)).product).toBe('senhasegura');
    expect(JSON.parse(createRenderer('ecs').render(old)).observer.product).toBe('senhasegura');
    // an explicit product is an override; the version stays the vault's
    expect(header(createRenderer('cef', { product: 'Segura' }).render(old))).toMatchObject({
      product: 'Segura',
      deviceVersion: '3.10.1',
    });
  });

  it('an envelope may carry them; without them the configured value, else the default, is used', () => {
    const withVersion = parseInput(JSON.stringify({ id: '1', product: 'senhasegura', deviceVersion: '3.27.0-4' }));
    expect(header(createRenderer('cef').render(withVersion))).toMatchObject({
      product: 'senhasegura',
      deviceVersion: '3.27.0-4',
    });
    const without = parseInput(JSON.stringify({ id: '1' }));
    expect(header(createRenderer('cef').render(without))).toMatchObject({ product: 'Segura', deviceVersion: '3' });
    expect(header(createRenderer('cef', { deviceVersion: '3.28' }).render(without)).deviceVersion).toBe('3.28');
  });
});
