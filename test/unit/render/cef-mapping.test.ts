/**
 * CEF key mapping, strict vs compatible (cef-mapping.ts, docs/formats.md §1.3–1.4): compatible writes the
 * vault's keys verbatim; strict writes only dictionary keys with values of the right type and moves
 * everything else to labeled custom slots. In both modes nothing may be lost and no key may repeat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { extensionPairs } from '../../../shared/render/cef-mapping.js';
import {
  CEF_KEYS,
  fitsKey,
  fitsType,
  IPV4,
  isIp,
  isIpv4,
  keyFitter,
} from '../../../shared/render/fields/cef-extensions.js';
import { createRenderer } from '../../../shared/render/index.js';
import { checkCefStrict } from '../../helpers/strict-parsers.js';

function event(fields: Record<string, string>, extra: Record<string, unknown> = {}): SecurityEvent {
  return parseInput(JSON.stringify({ id: '13', fields, ...extra }));
}

const strict = createRenderer('cef');
const compatible = createRenderer('cef', { mode: 'compatible' });

/** Pairs of the rendered extension, via the strict reference parser. */
const pairsOf = (line: string): ReadonlyArray<readonly [string, string]> => checkCefStrict(line).pairs;

function expectNothingLostNoDuplicates(e: SecurityEvent, line: string): void {
  const pairs = pairsOf(line);
  const keys = pairs.map(([k]) => k);
  expect(
    keys.filter((k, i) => keys.indexOf(k) !== i),
    `duplicate keys in ${line}`,
  ).toEqual([]);
  for (const k of keys) expect(k).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  const values = pairs.map(([, v]) => v);
  for (const [k, v] of Object.entries(e.fields)) expect(values, `${k}=${v} lost from ${line}`).toContain(v);
  if (e.pid !== null) expect(values, `pid ${e.pid} lost from ${line}`).toContain(e.pid);
}

describe('compatible mode', () => {
  it('writes the vault keys verbatim, in order, after rt/dvchost/dvcpid', () => {
    const e = event(
      { msg: 'm', sname: 'José', Method: 'POST', ServiceName: 'Backup', dst: 'not-an-ip', cs7Label: 'L', cs7: 'v' },
      { timestamp: 1768830060123, host: 'vault-01', pid: 1426 },
    );
    expect(pairsOf(compatible.render(e))).toEqual([
      ['rt', '1768830060123'],
      ['dvchost', 'vault-01'],
      ['dvcpid', '1426'],
      ['msg', 'm'],
      ['sname', 'José'],
      ['Method', 'POST'],
      ['ServiceName', 'Backup'],
      ['dst', 'not-an-ip'],
      ['cs7Label', 'L'],
      ['cs7', 'v'],
    ]);
    expect(extensionPairs(e.fields, 'compatible')).toEqual(Object.entries(e.fields));
  });

  it('renames field keys that collide with the model keys rt, dvchost, dvcpid', () => {
    const e = event({ rt: 'yesterday', dvchost: 'other', dvcpid: '7' }, { host: 'vault-01' });
    expect(pairsOf(compatible.render(e))).toEqual([
      ['dvchost', 'vault-01'],
      ['seguraRt', 'yesterday'],
      ['seguraDvchost', 'other'],
      ['seguraDvcpid', '7'],
    ]);
  });

  it('a renamed model key never duplicates an existing field key', () => {
    const e = event({ rt: 'a', seguraRt: 'b' });
    expectNothingLostNoDuplicates(e, compatible.render(e));
  });

  it('writes a non-numeric pid as dvcpid (no type check in compatible mode)', () => {
    expect(checkCefStrict(compatible.render(event({}, { pid: 'abc' }))).ext.dvcpid).toBe('abc');
  });
});

describe('strict mode', () => {
  it('keeps dictionary keys whose values fit their type', () => {
    const fields = {
      msg: 'm',
      suid: '35',
      suser: 'jsilva',
      src: '10.0.0.1',
      dst: '2001:db8::1',
      dpt: '22',
      dhost: 'db01',
      duser: 'root',
      act: 'Incident',
      dvc: '10.10.2.17',
      spriv: 'User',
      dproc: 'master_key_guardian',
    };
    expect(pairsOf(strict.render(event(fields)))).toEqual(Object.entries(fields));
  });

  it('renames the vault keys that have a standard equivalent', () => {
    const e = event({
      Method: 'POST',
      ServiceName: 'Backup',
      dposrt: '22',
      latitude: '-23.6085',
      longitude: '-46.7815',
    });
    expect(pairsOf(strict.render(e))).toEqual([
      ['requestMethod', 'POST'],
      ['sourceServiceName', 'Backup'],
      ['dpt', '22'],
      ['slat', '-23.6085'],
      ['slong', '-46.7815'],
    ]);
  });

  it('does not rename when the standard key is present too: the vault key is relocated', () => {
    const e = event({ requestMethod: 'GET', Method: 'POST' });
    expect(pairsOf(strict.render(e))).toEqual([
      ['requestMethod', 'GET'],
      ['cs1Label', 'Method'],
      ['cs1', 'POST'],
    ]);
  });

  it('moves non-dictionary keys to labeled slots: integers to cnN, text to csN then flexStringN', () => {
    const e = event({ sname: 'José', partsNeeded: '3', originIP: '177.92.148.162', country: 'Brazil' });
    expect(pairsOf(strict.render(e))).toEqual([
      ['cs1Label', 'sname'],
      ['cs1', 'José'],
      ['cn1Label', 'partsNeeded'],
      ['cn1', '3'],
      ['cs2Label', 'originIP'],
      ['cs2', '177.92.148.162'],
      ['cs3Label', 'country'],
      ['cs3', 'Brazil'],
    ]);
  });

  it('relocates typed keys whose value does not fit (Elastic would drop them)', () => {
    const e = event({ dst: 'win2012', dpt: 'ssh', src: '999.1.1.1', dvc: '' });
    expect(pairsOf(strict.render(e))).toEqual([
      ['cs1Label', 'dst'],
      ['cs1', 'win2012'],
      ['cs2Label', 'dpt'],
      ['cs2', 'ssh'],
      ['cs3Label', 'src'],
      ['cs3', '999.1.1.1'],
    ]);
  });

  it.each([
    // key, a value of the right type but out of the key's range, a value in range
    ['dpt', '99999', '65535'],
    ['spt', '65536', '0'],
    ['dpt', '-1', '22'],
    ['spid', '-5', '1426'],
    ['dpid', '-5', '1'],
    ['fsize', '-1', '1024'],
    ['cnt', '-3', '3'],
    ['slat', '-90.5', '-90'],
    ['slong', '180.01', '-180'],
    ['latitude', '91', '-23.6085'],
    ['dlat', '100', '45.5'],
    ['start', '1768830060', '1768830060123'],
    ['end', '99', '1768830060123'],
    ['deviceCustomDate1', '0000000000000', '1768830060123'],
    ['smac', '00:1a:2b:3c:4d:5g', '00:1a:2b:3c:4d:5e'],
    ['dmac', '00:1a:2b:3c:4d', '00-1A-2B-3C-4D-5E'],
    ['src', '10.0.0.256', '10.0.0.255'],
    ['dvc', '2001:db8::1::2', '2001:db8::1'],
  ])('strict mode checks the range of %s: %s is relocated to a labeled slot, %s is kept', (key, bad, good) => {
    const std = key === 'latitude' ? 'slat' : key;
    const relocated = pairsOf(strict.render(event({ [key]: bad })));
    expect(relocated.map(([k]) => k)).not.toContain(std);
    expect(relocated.slice(0, 2).map(([, v]) => v)).toEqual([key, bad]);
    expect(relocated[0]?.[0]).toMatch(/^(cs|cn|flexString)\dLabel$/);
    expect(pairsOf(strict.render(event({ [key]: good })))).toEqual([[std, good]]);
  });

  it('moves rt/dvchost/dvcpid field keys to slots (the model writes those keys itself)', () => {
    const e = event({ rt: '123', dvchost: 'other' }, { timestamp: 1768830060123 });
    expect(pairsOf(strict.render(e))).toEqual([
      ['rt', '1768830060123'],
      ['cn1Label', 'rt'],
      ['cn1', '123'],
      ['cs1Label', 'dvchost'],
      ['cs1', 'other'],
    ]);
  });

  it('canonicalises Cs6 / cs6label and carries cs7/cs8 with their own labels', () => {
    const e = event({ Cs6: 'v6', cs6label: 'Action', cs7Label: 'Added users', cs7: 'jdoe' });
    expect(pairsOf(strict.render(e))).toEqual([
      ['cs6', 'v6'],
      ['cs6Label', 'Action'],
      ['cs1Label', 'Added users'],
      ['cs1', 'jdoe'],
    ]);
  });

  it('a numeric vault pid is dvcpid; a non-numeric one goes to a free slot labeled pid', () => {
    expect(checkCefStrict(strict.render(event({}, { pid: 1426 }))).ext.dvcpid).toBe('1426');
    const e = event({ cs1Label: 'L', cs1: 'v', cs2: 'w' }, { pid: 'abc' });
    expect(pairsOf(strict.render(e))).toEqual([
      ['cs1Label', 'L'],
      ['cs1', 'v'],
      ['cs2', 'w'],
      ['cs3Label', 'pid'],
      ['cs3', 'abc'],
    ]);
    const big = event({ cn1Label: 'L', cn1: '5' }, { pid: 12345678901 });
    expect(pairsOf(strict.render(big))).toEqual([
      ['cn1Label', 'L'],
      ['cn1', '5'],
      ['cn2Label', 'pid'],
      ['cn2', '12345678901'],
    ]);
  });

  it('a plan cached for a key set is not reused when a value no longer fits', () => {
    const ip = event({ dst: '10.0.0.1', n: '5' });
    const host = event({ dst: 'db01', n: 'five' });
    expect(pairsOf(strict.render(ip))).toEqual([
      ['dst', '10.0.0.1'],
      ['cn1Label', 'n'],
      ['cn1', '5'],
    ]);
    expect(pairsOf(strict.render(host))).toEqual([
      ['cs1Label', 'dst'],
      ['cs1', 'db01'],
      ['cs2Label', 'n'],
      ['cs2', 'five'],
    ]);
    expect(pairsOf(strict.render(ip))).toEqual([
      ['dst', '10.0.0.1'],
      ['cn1Label', 'n'],
      ['cn1', '5'],
    ]);
  });

  it('falls back to segura<Key> when every slot is taken', () => {
    const fields: Record<string, string> = {};
    for (let i = 1; i <= 9; i++) fields[`k${i}`] = `text ${i}`;
    const pairs = pairsOf(strict.render(event(fields)));
    expect(pairs.slice(-1)).toEqual([['seguraK9', 'text 9']]);
    expect(pairs.filter(([k]) => k.endsWith('Label')).map(([, v]) => v)).toEqual([
      'k1',
      'k2',
      'k3',
      'k4',
      'k5',
      'k6',
      'k7',
      'k8',
    ]);
  });

  // --- cases that must hold in every mode: nothing lost, no key repeated -----------------------

  it('slots exhausted: a cs7/cs8 label is kept and the fallback key names its source (email report update)', () => {
    const e = event({
      sname: 'John Doe',
      cs1Label: 'User',
      cs1: 'John Doe',
      cs2Label: 'User ID',
      cs2: '35',
      cs3Label: 'Schedule',
      cs3: 'My schedule',
      cs4Label: 'Schedule ID',
      cs4: '7',
      cs5Label: 'Added reports',
      cs5: 'None',
      cs6Label: 'Removed reports',
      cs6: 'None',
      cs7Label: 'Added users',
      cs7: 'None',
      cs8Label: 'Removed users',
      cs8: 'None',
    });
    const line = strict.render(e);
    expectNothingLostNoDuplicates(e, line);
    expect(pairsOf(line).map(([k]) => k)).not.toContain('segura');
  });

  it('two overflowing labeled customs (cs7 and cs8 with all slots taken) do not share a key', () => {
    const fields: Record<string, string> = {};
    for (let i = 1; i <= 6; i++) fields[`cs${i}`] = `v${i}`;
    Object.assign(fields, { a: 'x', b: 'y', cs7Label: 'L7', cs7: 'v7', cs8Label: 'L8', cs8: 'v8' });
    const e = event(fields);
    expectNothingLostNoDuplicates(e, strict.render(e));
  });

  it('cs1 and Cs1 in the same event do not both become cs1', () => {
    const e = event({ cs1: 'a', Cs1: 'b' });
    expectNothingLostNoDuplicates(e, strict.render(e));
  });

  it('a non-numeric pid does not overwrite a vault field named pid', () => {
    const e = event({ pid: '123', msg: 'm' }, { pid: 'abc' });
    expectNothingLostNoDuplicates(e, strict.render(e));
    expectNothingLostNoDuplicates(e, compatible.render(e));
  });

  it('every seed-000-like key set keeps its values in both modes', () => {
    const e = event({
      msg: 'Recovery attempt failed',
      requestMethod: 'POST',
      act: 'Recovery attempt failed',
      sourceServiceName: 'Master Key',
      originIP: '177.92.148.162',
      country: 'Brazil',
      state: 'Sao Paulo',
      city: 'Taboao da Serra',
      latitude: '-23.6085',
      longitude: '-46.7815',
      partsNeeded: '3',
      partsSent: '2',
      spriv: 'User',
      dvc: '10.10.2.17',
      spid: '1426',
      src: '127.0.0.1',
      dproc: 'master_key_guardian',
    });
    expectNothingLostNoDuplicates(e, strict.render(e));
    expectNothingLostNoDuplicates(e, compatible.render(e));
  });
});

describe('CEF dictionary data (docs/contributing.md §12)', () => {
  it('types the keys a PAM vault uses as docs/formats.md §1.4 lists them', () => {
    expect(CEF_KEYS.dst?.type).toBe('IP');
    expect(CEF_KEYS.src?.type).toBe('IP');
    expect(CEF_KEYS.dvc?.type).toBe('IP');
    expect(CEF_KEYS.dpt?.type).toBe('Integer');
    expect(CEF_KEYS.cn1?.type).toBe('Long');
    expect(CEF_KEYS.rt?.type).toBe('TimeStamp');
    expect(CEF_KEYS.suser?.fullName).toBe('sourceUserName');
    expect(CEF_KEYS.sname).toBeUndefined(); // not a CEF key (docs/formats.md §1.4)
    for (const k of Object.keys(CEF_KEYS)) expect(k).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
  });

  it.each([
    ['IP', '10.0.0.1', true],
    ['IP', '2001:db8::1', true],
    ['IP', '::ffff:10.0.0.1', true],
    ['IP', '256.1.1.1', false],
    ['IP', 'db01', false],
    ['IP', '1:2:3:4:5:6:7:8:9', false],
    ['Integer', '2147483647', true],
    ['Integer', '2147483648', false],
    ['Integer', '-1', true],
    ['Integer', '1.5', false],
    ['Long', '123456789012345678', true],
    ['Long', '1234567890123456789', false],
    ['Float', '-23.6085', true],
    ['Float', '1e5', false],
    ['TimeStamp', '1768830060123', true],
    ['TimeStamp', '2026-01-19', false],
    ['MAC', '00:1a:2b:3c:4d:5e', true],
    ['String', '', true],
  ] as const)('fitsType(%s, %j) = %s', (type, v, ok) => {
    expect(fitsType(type, v)).toBe(ok);
  });

  it('isIp rejects more than one ::', () => {
    expect(isIp('1::2::3')).toBe(false);
  });

  // the hand-written IPv4 scan (the hot path of strict CEF) accepts exactly what the regex accepts
  const octet = fc.oneof(
    fc.nat(300).map(String),
    fc.stringMatching(/^[0-9]{1,4}$/),
    fc.constantFrom('', '-1', ' 1', '1 '),
  );
  const dotted = fc
    .array(octet, { minLength: 1, maxLength: 6 })
    .chain((parts) => fc.constantFrom('.', ':', '..', ',').map((sep) => parts.join(sep)));
  it('isIpv4 agrees with the IPv4 regex on dotted numbers and any text', () => {
    fc.assert(
      fc.property(fc.oneof(dotted, fc.string(), fc.string({ unit: 'binary' })), (v) => {
        expect(isIpv4(v)).toBe(IPV4.test(v));
      }),
      { numRuns: 5000 },
    );
    for (const [v, ok] of [
      ['0.0.0.0', true],
      ['255.255.255.255', true],
      ['256.1.1.1', false],
      ['01.1.1.1', false],
      ['1.1.1', false],
      ['1.1.1.1.', false],
      ['1.1.1.1\n', false],
      ['١.1.1.1', false],
    ] as const) {
      expect(isIpv4(v), v).toBe(ok);
    }
  });

  it('keyFitter(k) tests what fitsKey(k, ·) tests, for every dictionary key', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.constantFrom('10.0.0.1', '::1', '00:1a:2b:3c:4d:5e', '1768830060123', '-23.5', '65536', '99999'),
    );
    const keys = [...Object.keys(CEF_KEYS), 'notAKey', 'constructor'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), value, (k, v) => {
        expect(keyFitter(k)(v)).toBe(fitsKey(k, v));
      }),
      { numRuns: 3000 },
    );
  });
});
