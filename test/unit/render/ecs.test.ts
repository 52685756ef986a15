/**
 * ECS mapping, field by field, for every layout of the vault's SIEM integration guide (the golden
 * inputs in test/fixtures/events/layouts). The expectations are written from the guide's description
 * of each key in each layout, not from the renderer: a key means different things per layout
 * (`suid` is the SUID message type in the Backup layout and the logged user's id in Audited
 * Commands; `sname` is a backup script identifier in Backup), and the Master Key recovery requester
 * (`originIP`, described by `country/state/city/latitude/longitude`) is the ECS client.
 *
 * ECS field reference: https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
 * (client: "the initiator or requestor in the network transaction"; source: the sender of the
 * network exchange; related.ip: "all of the IPs seen on your event").
 */
import { describe, expect, it } from 'vitest';
import { inputSlugs, readInput } from '../../../scripts/update-golden.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer } from '../../../shared/render/index.js';

type Doc = Record<string, unknown>;
const ecs = createRenderer('ecs');

/** The mapped part of an ECS document: everything a SIEM reads outside `segura.*` and constants. */
function mapped(doc: Doc): Doc {
  const out: Doc = {};
  for (const k of ['message', 'user', 'source', 'client', 'destination', 'http', 'service'] as const) {
    if (doc[k] !== undefined) out[k] = doc[k];
  }
  const event = doc.event as Doc;
  if (event.action !== undefined) out.action = event.action;
  const observer = doc.observer as Doc;
  if (observer.ip !== undefined) out.observerIp = observer.ip;
  const related = { ...(doc.related as Doc) };
  // related.ip is a set of every IP on the event: compare it sorted
  if (Array.isArray(related.ip)) related.ip = [...related.ip].sort();
  out.related = related;
  return out;
}

const HOSTS = ['vault-01'];
const GEO = {
  country_name: 'Brazil',
  region_name: 'Sao Paulo',
  city_name: 'Taboao da Serra',
  location: { lat: -23.6085, lon: -46.7815 },
};
const MSG = (slug: string): string => (JSON.parse(readInput(slug)) as { fields: { msg: string } }).fields.msg;

/** Expected mapped view per layout (see the file comment for the rules). */
const EXPECTED: Readonly<Record<string, Doc>> = {
  'audited-commands-executed': {
    user: { id: '35', name: 'jsilva', full_name: 'Jose da Silva' },
    related: { user: ['jsilva'], hosts: HOSTS },
  },
  // suid = "Message type" (15), sname = "Backup script identifier": neither is a user
  backup: {
    destination: { domain: 'localhost' },
    related: { hosts: [...HOSTS, 'localhost'] },
  },
  // suid = "Message type" (8); sname = "Name of user who lost connectivity"
  'connectivity-loss': {
    user: { full_name: 'Asynchronous Script: 9' },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', domain: 'localhost', port: 22 },
    related: { ip: ['127.0.0.1'], hosts: [...HOSTS, 'localhost'] },
  },
  'connectivity-restored': {
    user: { full_name: 'Asynchronous Script: 9' },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', domain: 'localhost', port: 22 },
    related: { ip: ['127.0.0.1'], hosts: [...HOSTS, 'localhost'] },
  },
  'detected-command-block-and-terminate-session': {
    user: { id: '35', name: 'romario', full_name: 'Romario', target: { name: 'vault' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', port: 22 },
    related: { ip: ['127.0.0.1'], user: ['romario', 'vault'], hosts: HOSTS },
  },
  'detected-command-block': {
    user: { id: '35', name: 'romario', full_name: 'Romario', target: { name: 'vault' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', port: 22 },
    related: { ip: ['127.0.0.1'], user: ['romario', 'vault'], hosts: HOSTS },
  },
  ...Object.fromEntries(
    (['creation', 'update', 'deletion'] as const).map((op) => [
      `email-report-scheduling-${op}`,
      {
        user: { id: '35', name: 'jdoe', full_name: 'John Doe', roles: ['Administrator'] },
        source: { address: '192.168.20.10', ip: '192.168.20.10' },
        http: { request: { method: 'POST' } },
        service: { name: 'Report Scheduling' },
        action: `Report Scheduling - ${op.charAt(0).toUpperCase()}${op.slice(1)}`,
        observerIp: ['192.168.20.30'],
        related: { ip: ['192.168.20.10', '192.168.20.30'], user: ['jdoe'], hosts: HOSTS },
      },
    ]),
  ),
  // suid = "Message type" (9), sname = "Password exchange script identifier"
  'exchange-executed': {
    user: { target: { name: 'root' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1' },
    related: { ip: ['127.0.0.1'], user: ['root'], hosts: HOSTS },
  },
  'information-changed': {
    user: { id: '35', name: 'jsilva', full_name: 'Jose da Silva' },
    related: { user: ['jsilva'], hosts: HOSTS },
  },
  'information-viewed': {
    user: { id: '35', name: 'jsilva', full_name: 'Jose da Silva' },
    related: { user: ['jsilva'], hosts: HOSTS },
  },
  ...Object.fromEntries(
    (
      [
        ['master-key-ceremony-completed', 'GET', 'Ceremony process completed.'],
        ['master-key-ceremony-started', 'POST', 'Ceremony process started.'],
      ] as const
    ).map(([slug, method, act]) => [
      slug,
      {
        user: { id: '35', name: 'jsilva', full_name: 'José da Silva', roles: ['Administrator'] },
        http: { request: { method } },
        service: { name: 'Backup' },
        action: act,
        related: { user: ['jsilva'], hosts: HOSTS },
      },
    ]),
  ),
  'master-key-inactive-guardian': {
    user: { id: '35', name: 'jdoe', full_name: 'John Doe', roles: ['User'] },
    action: 'Incident',
    observerIp: ['10.10.225.14'],
    related: { ip: ['10.10.225.14'], user: ['jdoe'], hosts: HOSTS },
  },
  ...Object.fromEntries(
    (
      [
        ['master-key-key-part-pdf-downloaded', 'User downloaded the PDF with their part of the key source.'],
        ['master-key-key-part-viewed', 'User viewed their part of the key source.'],
      ] as const
    ).map(([slug, act]) => [
      slug,
      {
        user: { id: '35', name: 'jsilva', full_name: 'José da Silva' },
        http: { request: { method: 'POST' } },
        service: { name: 'Backup' },
        action: act,
        related: { user: ['jsilva'], hosts: HOSTS },
      },
    ]),
  ),
  // originIP = "Requesting user IP", geolocated by country/state/city/latitude/longitude; src is
  // the network source (127.0.0.1: the request reached the vault through a local hop)
  'master-key-recovery-failed': {
    user: { roles: ['User'] },
    source: { address: '127.0.0.1', ip: '127.0.0.1' },
    client: { address: '177.92.148.162', ip: '177.92.148.162', geo: GEO },
    http: { request: { method: 'POST' } },
    service: { name: 'Master Key' },
    action: 'Recovery attempt failed',
    observerIp: ['10.10.2.17'],
    related: { ip: ['10.10.2.17', '127.0.0.1', '177.92.148.162'], hosts: HOSTS },
  },
  'master-key-recovery-succeeded': {
    user: { roles: ['User'] },
    source: { address: '192.168.10.13', ip: '192.168.10.13' },
    client: { address: '192.168.10.13', ip: '192.168.10.13', geo: GEO },
    http: { request: { method: 'POST' } },
    service: { name: 'Master Key' },
    action: 'Recovery attempt successful',
    observerIp: ['192.168.10.20'],
    related: { ip: ['192.168.10.13', '192.168.10.20'], hosts: HOSTS },
  },
  'password-access-request': {
    user: { id: '35', name: 'jsilva', full_name: 'Jose da Silva', target: { name: 'cqss' } },
    destination: { address: '192.168.10.156', ip: '192.168.10.156' },
    related: { ip: ['192.168.10.156'], user: ['jsilva', 'cqss'], hosts: HOSTS },
  },
  'password-change-error': {
    user: { id: '35', name: 'Jsilva', full_name: 'José da Silva', target: { name: 'jsilvaadm' } },
    destination: { address: '192.168.30.55', ip: '192.168.30.55' },
    related: { ip: ['192.168.30.55'], user: ['Jsilva', 'jsilvaadm'], hosts: HOSTS },
  },
  // suid = "Unique notification identifier" (the SUID message type 17), not a user id
  'password-changed': {
    user: { full_name: 'Jose da Silva', target: { id: '35', name: 'root' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', domain: 'localhost' },
    related: { ip: ['127.0.0.1'], user: ['root'], hosts: [...HOSTS, 'localhost'] },
  },
  // suid = "Message type" (164)
  'password-viewed': {
    user: { full_name: 'Jose da Silva', target: { id: '35', name: 'root' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', domain: 'localhost' },
    related: { ip: ['127.0.0.1'], user: ['root'], hosts: [...HOSTS, 'localhost'] },
  },
  'request-approved': {
    user: { id: '35', name: 'msilva', full_name: 'Maria da Silva', target: { name: 'cqss' } },
    destination: { address: '192.168.10.156', ip: '192.168.10.156' },
    related: { ip: ['192.168.10.156'], user: ['msilva', 'cqss'], hosts: HOSTS },
  },
  'request-denied': {
    user: { id: '35', name: 'jsilva', full_name: 'Jose da Silva', target: { name: 'cqss' } },
    destination: { address: '192.168.10.156', ip: '192.168.10.156' },
    related: { ip: ['192.168.10.156'], user: ['jsilva', 'cqss'], hosts: HOSTS },
  },
  // suid = "Identifies message type" (153)
  'session-ended': {
    user: { name: 'jsilva', full_name: 'Jose da Silva', target: { name: 'srv_admin' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', port: 22 },
    related: { ip: ['127.0.0.1'], user: ['jsilva', 'srv_admin'], hosts: HOSTS },
  },
  'session-started': {
    user: { name: 'jsilva', full_name: 'Jose da Silva', target: { name: 'root' } },
    destination: { address: '127.0.0.1', ip: '127.0.0.1', port: 22 },
    related: { ip: ['127.0.0.1'], user: ['jsilva', 'root'], hosts: HOSTS },
  },
  'storage-file-modified': {
    user: { id: '35', name: 'asc_12', full_name: 'Asynchronous Script: 12' },
    related: { user: ['asc_12'], hosts: HOSTS },
  },
};

describe('ECS output of every documented layout, field by field', () => {
  it('has an expectation for every golden input', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(inputSlugs());
  });

  it.each(inputSlugs())('%s', (slug) => {
    const e = parseInput(readInput(slug));
    const doc = JSON.parse(ecs.render(e)) as Doc;
    expect(mapped(doc)).toEqual({ message: MSG(slug), ...EXPECTED[slug] });
    // nothing is lost: every vault field stays verbatim under segura.fields
    expect((doc.segura as Doc).fields).toEqual(e.fields);
  });
});

describe('ECS addresses', () => {
  it('the Master Key recovery requester is the client, with its geolocation; src stays the source', () => {
    const e = parseInput(readInput('master-key-recovery-failed'));
    const doc = JSON.parse(ecs.render(e));
    expect(doc.client).toEqual({ address: '177.92.148.162', ip: '177.92.148.162', geo: GEO });
    expect(doc.source).toEqual({ address: '127.0.0.1', ip: '127.0.0.1' });
    expect(doc.related.ip).toEqual(expect.arrayContaining(['177.92.148.162', '127.0.0.1', '10.10.2.17']));
  });

  it('without an originIP the geolocation describes src; impossible coordinates are not a geo_point', () => {
    const doc = JSON.parse(
      ecs.render(
        parseInput(JSON.stringify({ id: '1', fields: { src: '10.0.0.1', city: 'X', latitude: '1', longitude: '2' } })),
      ),
    );
    expect(doc.source).toEqual({
      address: '10.0.0.1',
      ip: '10.0.0.1',
      geo: { city_name: 'X', location: { lat: 1, lon: 2 } },
    });
    const bad = JSON.parse(
      ecs.render(
        parseInput(JSON.stringify({ id: '1', fields: { originIP: '10.0.0.9', latitude: '91', longitude: '2' } })),
      ),
    );
    // Elasticsearch rejects a whole document whose geo_point is out of range
    expect(bad.client).toEqual({ address: '10.0.0.9', ip: '10.0.0.9' });
  });

  it('an address that is not an IP is kept as the address and left out of related.ip', () => {
    const doc = JSON.parse(
      ecs.render(parseInput(JSON.stringify({ id: '1', fields: { originIP: 'proxy.local', src: 'x' } }))),
    );
    expect(doc.client).toEqual({ address: 'proxy.local' });
    expect(doc.source).toEqual({ address: 'x' });
    expect(doc.related?.ip).toBeUndefined();
  });
});
