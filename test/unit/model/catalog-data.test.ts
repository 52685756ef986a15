import { describe, expect, it } from 'vitest';
import { catalogFeed } from '../../../local/catalog-feed.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { CATALOG_EVENTS, LAYOUTS, NOTIFICATION_CATEGORIES, SUID_TYPES } from '../../../shared/model/catalog-data.js';
import { layoutFieldKeys } from '../../../shared/model/catalog-docs.js';
import type { Layout } from '../../../shared/model/catalog-types.js';

/** The ids the syslog event catalog lists, in its order (4 and 64 are not documented). */
const SEED_002_IDS = [
  ...['1', '2', '3', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20'],
  ...['21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35', '36', '37', '38'],
  ...['39', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49', '50', '51', '52', '53', '54', '55', '56'],
  ...['57', '58', '59', '60', '61', '62', '63', '65', '66', '67', '68', '69', '70', '71', '72', '73', '74', '75'],
  ...['76', '77', '78', '79', '80', '81', '82', '83', '84', '85', '86', '87', '88', '89', '90', '91'],
  ...['336.001', '336.002', '336.003', '336.004', '336.500', '336.501'],
  ...['1695.001', '1695.002', '1695.003', '1695.010', '1695.011', '1695.012', '1695.013', '1695.014'],
];

const ORIGINS = [
  'COSE',
  'COSG',
  'COEQ',
  'COAU',
  'COAC',
  'COSS',
  'COBA',
  'COTR',
  'CORE',
  'CONO',
  'COAT',
  'AUTH',
  'COOF',
  'CRTC',
  'USBH',
  'Orbit',
];

const byId = new Map(CATALOG_EVENTS.map((e) => [e.id, e]));
const bySlug = new Map(LAYOUTS.map((l) => [l.slug, l]));
const notificationTypes = new Set(
  NOTIFICATION_CATEGORIES.flatMap((c) => c.types.map((t) => `${c.name}\u0000${t.name}`)),
);

function event(id: string) {
  const e = byId.get(id);
  if (e === undefined) throw new Error(`no catalog event ${id}`);
  return e;
}

function layout(slug: string) {
  const l = bySlug.get(slug);
  if (l === undefined) throw new Error(`no layout ${slug}`);
  return l;
}

/** A layout's example message as field → value (a repeated key's second row is `key_2`). */
function exampleFields(l: Layout): Record<string, string> {
  const names = layoutFieldKeys(l);
  return Object.fromEntries(l.keys.map((k, i) => [names[i], k.example]));
}

function signatureMatches(signature: Layout['signature'], fields: Record<string, string>): boolean {
  return signature.length > 0 && signature.every((s) => fields[s.field] === s.equals);
}

describe('CATALOG_EVENTS', () => {
  it('lists exactly the ids of the syslog event catalog, in order', () => {
    expect(CATALOG_EVENTS.map((e) => e.id)).toEqual(SEED_002_IDS);
  });

  it('has unique ids: 89 syslog, 6 Orbit and 8 other events', () => {
    expect(new Set(CATALOG_EVENTS.map((e) => e.id)).size).toBe(CATALOG_EVENTS.length);
    expect(CATALOG_EVENTS.filter((e) => e.group === 'syslog')).toHaveLength(89);
    expect(CATALOG_EVENTS.filter((e) => e.group === 'orbit')).toHaveLength(6);
    expect(CATALOG_EVENTS.filter((e) => e.group === 'other')).toHaveLength(8);
    expect(CATALOG_EVENTS).toHaveLength(103);
    expect(byId.has('4')).toBe(false);
    expect(byId.has('64')).toBe(false);
  });

  it('ties group, id shape and origin together', () => {
    for (const e of CATALOG_EVENTS) {
      if (e.group === 'syslog') {
        expect(e.id).toMatch(/^[1-9]\d?$/);
        expect(ORIGINS.slice(0, -1)).toContain(e.origin);
      } else if (e.group === 'orbit') {
        expect(e.id).toMatch(/^336\.\d{3}$/);
        expect(e.origin).toBe('Orbit');
      } else {
        expect(e.id).toMatch(/^1695\.\d{3}$/);
        expect(e.origin).toBeNull();
      }
    }
  });

  it('has integer priorities in the syslog severity range 0–7', () => {
    for (const e of CATALOG_EVENTS) {
      expect(Number.isInteger(e.priority), e.id).toBe(true);
      expect(e.priority, e.id).toBeGreaterThanOrEqual(0);
      expect(e.priority, e.id).toBeLessThanOrEqual(7);
    }
  });

  it('has names in both languages, descriptions in English, and clean text', () => {
    for (const e of CATALOG_EVENTS) {
      for (const text of [e.name.en, e.name.pt, e.description.en]) {
        expect(text.length, e.id).toBeGreaterThan(0);
        expect(text, e.id).toBe(text.trim());
      }
      for (const text of [e.name.en, e.name.pt, e.description.en, e.description.pt]) {
        expect(text, `${e.id}: markdown escape left`).not.toMatch(/\\/);
        expect(text, `${e.id}: markdown emphasis left`).not.toContain('**');
      }
    }
  });

  it('leaves the Portuguese description empty only where the syslog event catalog does (89–91)', () => {
    expect(CATALOG_EVENTS.filter((e) => e.description.pt === '').map((e) => e.id)).toEqual(['89', '90', '91']);
    expect(event('89').description.en).toContain('directory and file scan');
  });

  it('refers only to types of the notification options page, spelled exactly', () => {
    for (const e of CATALOG_EVENTS) {
      if (e.notification === null) continue;
      expect(notificationTypes.has(`${e.notification.category}\u0000${e.notification.type}`), e.id).toBe(true);
    }
  });

  it('maps every syslog event to a type of the notification options page except the ones with no counterpart', () => {
    const unmatched = CATALOG_EVENTS.filter((e) => e.group === 'syslog' && e.notification === null).map((e) => e.id);
    expect(unmatched).toEqual(['84', '88']);
    expect(CATALOG_EVENTS.filter((e) => e.group === 'orbit').every((e) => e.notification === null)).toBe(true);
  });

  it('points every layout slug at a layout that lists the event back', () => {
    for (const e of CATALOG_EVENTS) {
      if (e.layout === null) continue;
      expect(layout(e.layout).eventIds, e.id).toContain(e.id);
    }
  });

  it('matches the syslog event catalog on spot checks', () => {
    expect(event('1')).toMatchObject({
      origin: 'COSE',
      priority: 5,
      name: { en: 'Password Viewed', pt: 'Senha visualizada' },
      notification: { category: 'Credentials', type: 'Password Viewed' },
      layout: 'password-viewed',
    });
    expect(event('8')).toMatchObject({
      origin: 'COEQ',
      priority: 4,
      notification: { category: 'Devices', type: 'Lost of connectivity' },
      layout: 'connectivity-loss',
    });
    expect(event('19')).toMatchObject({
      priority: 3,
      notification: { category: 'Password Backup', type: 'Error on backup' },
    });
    expect(event('20').notification).toEqual({ category: 'Password Operation', type: 'Error on change' });
    expect(event('31')).toMatchObject({
      origin: 'COSS',
      priority: 4,
      notification: { category: 'Command Audit', type: 'Command detected - Block and interrupt a session' },
      layout: 'detected-command-block-and-terminate-session',
    });
    expect(event('38').name.pt).toBe('Uso de CPU – Alto');
    expect(event('39')).toMatchObject({
      origin: 'CONO',
      priority: 2,
      notification: { category: 'Monitoring', type: 'CPU Usage - Critical' },
    });
    expect(event('79').notification).toEqual({ category: 'Certificates', type: 'Certificate expiration alert: Today' });
    expect(event('86').notification).toEqual({ category: 'User Behavior', type: 'Accesses at unusual time' });
    expect(event('90').name.pt).toBe('Verificação de diretório e arquivo -Exclusão');
    expect(event('336.501')).toMatchObject({ group: 'orbit', origin: 'Orbit', priority: 1 });
    expect(event('336.501').name.en).toBe('Orbit incident report');
    expect(event('1695.001').notification).toEqual({ category: 'Authentication', type: 'Authentication messages' });
    expect(event('1695.010')).toMatchObject({
      origin: null,
      priority: 5,
      name: { en: 'I18N_REGISTER_TWOFACTOR_TOKEN', pt: 'I18N_REGISTER_TWOFACTOR_TOKEN' },
      notification: null,
    });
    expect(event('1695.012').name).toEqual(event('1695.011').name);
  });

  it('counts priorities of the syslog event catalog', () => {
    const count = (p: number) => CATALOG_EVENTS.filter((e) => e.priority === p).length;
    expect(count(1)).toBe(6); // the Orbit alerts
    expect(count(2)).toBe(2); // 39, 41
    expect(count(3)).toBe(5); // 19, 20, 23, 25, 52
    expect(count(4)).toBe(7); // 8, 29, 31, 34, 38, 40, 51
    expect(count(5)).toBe(67);
    expect(count(6)).toBe(16);
    expect(count(0) + count(7)).toBe(0);
  });
});

describe('LAYOUTS', () => {
  const idLess = LAYOUTS.filter((l) => l.eventIds.length === 0);

  it('has one entry per table of the SIEM integration guide, with unique slugs', () => {
    expect(LAYOUTS.map((l) => l.title)).toEqual([
      'Backup',
      'Connectivity Loss',
      'Connectivity Restored',
      'Password Changed',
      'Password Viewed',
      'Session Ended',
      'Session Started',
      'Exchange Executed',
      'Audited Commands Executed',
      'Information Viewed',
      'Information Changed',
      'Password Access Request',
      'Request Approved',
      'Request Denied',
      'Detected Command - Block and Terminate Session',
      'Detected Command - Block',
      'Password Change Error',
      'Storage File Modified',
      'Master Key - Users Who Viewed Their Key Part',
      'Master Key - User Downloaded PDF with Their Key Part',
      'Master Key - Ceremony Process Started',
      'Master Key - Ceremony Process Completed',
      'Master Key - Inactive Guardian',
      'Master Key - Recovery Attempt Failed',
      'Master Key - Successful Recovery Attempt',
      'Email Report Scheduling - Creation',
      'Email Report Scheduling - Update',
      'Email Report Scheduling - Deletion',
    ]);
    expect(bySlug.size).toBe(LAYOUTS.length);
    for (const l of LAYOUTS) expect(l.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('lists event ids whose catalog entry points back at the layout', () => {
    for (const l of LAYOUTS) {
      for (const id of l.eventIds) expect(event(id).layout, `${l.slug} → ${id}`).toBe(l.slug);
    }
    const mapped = CATALOG_EVENTS.filter((e) => e.layout !== null).length;
    expect(LAYOUTS.reduce((n, l) => n + l.eventIds.length, 0)).toBe(mapped);
    expect(layout('backup').eventIds).toEqual(['18', '19']);
    expect(layout('audited-commands-executed').eventIds).toEqual(['10', '11', '12', '33']);
    expect(idLess.map((l) => l.slug)).toEqual(LAYOUTS.slice(18).map((l) => l.slug));
  });

  it('takes priority and notification from the first event id when there is one', () => {
    for (const l of LAYOUTS) {
      const first = l.eventIds[0];
      if (first === undefined) continue;
      expect(l.priority, l.slug).toBe(event(first).priority);
      expect(l.notification, l.slug).toEqual(event(first).notification);
    }
    expect(layout('master-key-recovery-failed').priority).toBe(2);
    expect(layout('master-key-inactive-guardian').priority).toBe(4);
    expect(layout('master-key-ceremony-started').priority).toBe(5);
  });

  it('refers only to types of the notification options page', () => {
    for (const l of LAYOUTS) {
      if (l.notification === null) continue;
      expect(notificationTypes.has(`${l.notification.category}\u0000${l.notification.type}`), l.slug).toBe(true);
    }
    expect(layout('master-key-recovery-failed').notification).toEqual({
      category: 'Master Key',
      type: 'Failed recovery attempt',
    });
    expect(layout('email-report-scheduling-deletion').notification).toEqual({
      category: 'Schedule Reports',
      type: 'Report scheduling - Deletion',
    });
  });

  it('has well-formed keys with repaired names, repeated only where the table repeats them (act)', () => {
    for (const l of LAYOUTS) {
      const keys = l.keys.map((k) => k.key);
      expect(keys.length, l.slug).toBeGreaterThan(0);
      const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
      expect(repeated, l.slug).toEqual(l.slug.startsWith('master-key-recovery') ? ['act'] : []);
      expect(new Set(layoutFieldKeys(l)).size, `${l.slug}: field names`).toBe(keys.length);
      for (const k of keys) {
        expect(k, l.slug).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        expect(['dport', 'dposrt', 'Cs6', 'Cs7'], l.slug).not.toContain(k);
      }
    }
  });

  it('has no conversion-damaged example values', () => {
    for (const l of LAYOUTS) {
      for (const k of l.keys) {
        const where = `${l.slug}.${k.key}`;
        expect(k.example, where).not.toMatch(/^\.\d/);
        expect(k.example, where).not.toMatch(/^-\d{2}-\d{2}/);
        expect(k.example, where).toBe(k.example.trim());
        expect(k.example, where).not.toContain('=');
      }
    }
  });

  it('restores IP and date examples', () => {
    const ipKeys = new Set(['dst', 'src', 'dvc', 'originIP']);
    for (const l of LAYOUTS) {
      for (const k of l.keys) {
        if (ipKeys.has(k.key) && k.example !== '') {
          expect(k.example, `${l.slug}.${k.key}`).toMatch(/^(\d{1,3})(\.\d{1,3}){3}$/);
        }
      }
    }
    const request = exampleFields(layout('password-access-request'));
    expect(request.dst).toBe('192.168.10.156');
    expect(request.cs2).toBe('2017-01-19 10:41:00');
    expect(request.cs3).toBe('2017-01-19 11:41:00');
    expect(exampleFields(layout('password-change-error')).dst).toBe('192.168.30.55');
  });

  it('keeps the documented key order', () => {
    expect(layout('password-access-request').keys.map((k) => k.key)).toEqual([
      'msg',
      'suid',
      'sname',
      'suser',
      'spid',
      'dst',
      'dpt',
      'duser',
      'cs1Label',
      'cs1',
      'cs2Label',
      'cs2',
      'cs3Label',
      'cs3',
      'cs4Label',
      'cs4',
      'cs5Label',
      'cs5',
      'cs6Label',
      'cs6',
    ]);
    expect(layout('password-viewed').keys.map((k) => k.key)).toEqual([
      'msg',
      'suid',
      'sname',
      'suser',
      'spid',
      'duser',
      'duid',
      'dst',
      'dhost',
    ]);
    expect(layout('session-ended').keys.map((k) => k.key)).toContain('dpt');
    expect(layout('email-report-scheduling-deletion').keys.at(-1)?.key).toBe('cs4');
  });

  it("keeps both `act` rows of the Master Key recovery tables (the second: act=Incident, 'Performed action')", () => {
    for (const [slug, first, description] of [
      ['master-key-recovery-failed', 'Recovery attempt failed', 'Type of Master Key recovery failure'],
      ['master-key-recovery-succeeded', 'Recovery attempt successful', 'Type of successful master key recovery'],
    ] as const) {
      const keys = layout(slug).keys;
      expect(
        keys.filter((k) => k.key === 'act'),
        slug,
      ).toEqual([
        { key: 'act', example: first, description },
        { key: 'act', example: 'Incident', description: 'Performed action' },
      ]);
      // in the documented place: after src, before dproc
      expect(keys.slice(-3).map((k) => k.key)).toEqual(['src', 'act', 'dproc']);
      // the feed and the samples send it as the relay names a repeated key (act_2), after src
      const fed = catalogFeed().find((env) => env.fields.act === first);
      expect(fed?.fields.act_2, slug).toBe('Incident');
      expect(Object.keys(fed?.fields ?? {}).slice(-3)).toEqual(['src', 'act_2', 'dproc']);
    }
    const samples = [...sampleEvents(3000, 7)].filter((env) => env.fields.sourceServiceName === 'Master Key');
    expect(samples.length).toBeGreaterThan(0);
    for (const env of samples) expect(env.fields.act_2).toBe('Incident');
  });

  it('repairs the Cs6/Cs7 and duid rows', () => {
    for (const slug of ['password-access-request', 'request-approved', 'request-denied']) {
      const fields = exampleFields(layout(slug));
      expect(fields.cs6Label, slug).toBe('Action');
      expect(fields.cs6, slug).toBe('View password');
    }
    const viewed = exampleFields(layout('password-viewed'));
    expect(viewed.duser).toBe('root');
    expect(viewed.duid).toBe('35');
  });

  it('gives suid examples that agree with SUID_TYPES', () => {
    const suidOf = (slug: string) => exampleFields(layout(slug)).suid;
    for (const t of SUID_TYPES) {
      for (const id of t.eventIds) {
        const slug = event(id).layout;
        if (slug !== null) expect(suidOf(slug), `${slug} (event ${id})`).toBe(t.suid);
      }
    }
    // an id-less layout's example must not look like a documented message type
    const documented = new Set(SUID_TYPES.map((t) => t.suid));
    for (const l of idLess) expect(documented.has(exampleFields(l).suid ?? ''), l.slug).toBe(false);
  });

  it('uses signatures only for id-less layouts', () => {
    for (const l of LAYOUTS) {
      if (l.eventIds.length > 0) expect(l.signature, l.slug).toEqual([]);
      else expect(l.signature.length, l.slug).toBeGreaterThan(0);
    }
    expect(layout('master-key-recovery-failed').signature).toEqual([
      { field: 'sourceServiceName', equals: 'Master Key' },
      { field: 'act', equals: 'Recovery attempt failed' },
    ]);
    expect(layout('master-key-ceremony-started').signature).toEqual([
      { field: 'ServiceName', equals: 'Backup' },
      { field: 'act', equals: 'Ceremony process started.' },
    ]);
    expect(layout('email-report-scheduling-creation').signature).toEqual([
      { field: 'sourceServiceName', equals: 'Report Scheduling' },
      { field: 'act', equals: 'Report Scheduling - Creation' },
    ]);
  });

  it('identifies each id-less layout from its own examples and no other layout', () => {
    for (const l of idLess) {
      const own = exampleFields(l);
      for (const s of l.signature) {
        expect(own[s.field], `${l.slug}: signature field ${s.field}`).toBe(s.equals);
      }
      const matching = LAYOUTS.filter((other) => signatureMatches(l.signature, exampleFields(other)));
      expect(matching.map((m) => m.slug)).toEqual([l.slug]);
    }
    for (const l of LAYOUTS) {
      const fields = exampleFields(l);
      const matching = idLess.filter((s) => signatureMatches(s.signature, fields));
      expect(matching.length, l.slug).toBeLessThanOrEqual(1);
    }
  });
});

describe('SUID_TYPES', () => {
  it('lists the message types of the SIEM integration guide and their catalog events', () => {
    expect(SUID_TYPES.map((t) => [t.suid, t.eventIds])).toEqual([
      ['8', ['8', '9']],
      ['9', ['21']],
      ['15', ['18']],
      ['17', ['2']],
      ['153', ['16', '17']],
      ['164', ['1']],
    ]);
    for (const t of SUID_TYPES) for (const id of t.eventIds) expect(byId.has(id), t.suid).toBe(true);
    expect(SUID_TYPES.find((t) => t.suid === '164')?.name).toBe('Password Viewed');
  });
});

describe('NOTIFICATION_CATEGORIES', () => {
  it('lists every category of the notification options page in order', () => {
    expect(NOTIFICATION_CATEGORIES.map((c) => c.name)).toEqual([
      'Access Control',
      'Audit Trail',
      'Authentication',
      'Certificates',
      'Cloud',
      'Command Audit',
      'Credentials',
      'Devices',
      'Domum',
      'Emergency Panel',
      'Master Key',
      'Monitoring',
      'Password Backup',
      'Password Operation',
      'Protected Information',
      'Remote Session',
      'Schedule Reports',
      'User Behavior',
      'Workstation',
    ]);
  });

  it('has every type of the notification options page, unique within its category', () => {
    expect(NOTIFICATION_CATEGORIES.map((c) => c.types.length)).toEqual([
      5, 1, 3, 16, 2, 6, 7, 2, 4, 5, 2, 10, 2, 4, 3, 7, 3, 8, 29,
    ]);
    for (const c of NOTIFICATION_CATEGORIES) {
      expect(new Set(c.types.map((t) => t.name)).size, c.name).toBe(c.types.length);
    }
    expect(NOTIFICATION_CATEGORIES.find((c) => c.name === 'Devices')?.types).toEqual([
      { name: 'Lost of connectivity', description: 'Devices that lost connectivity over the configured ports' },
      {
        name: 'Connectivity restored',
        description: 'Devices that recovery connectivity after been flagged as connectivity lost',
      },
    ]);
  });

  it("turns '-' descriptions into ''", () => {
    const empty = NOTIFICATION_CATEGORIES.flatMap((c) =>
      c.types.filter((t) => t.description === '').map((t) => t.name),
    );
    expect(empty).toEqual(['Access unusual target', 'Unusual password change', 'Application malware analysis']);
    for (const c of NOTIFICATION_CATEGORIES) for (const t of c.types) expect(t.description).not.toBe('-');
  });
});
