/**
 * Issue 18: the exact hostile inputs a probe of `segura-relay alerts test` found getting through,
 * one describe per point of the issue (1–11), each through the real validator, engine and renderer
 * (in-memory store; the DynamoDB path, the sweep and the function are in
 * test/integration/alerts/hardening.test.ts).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE } from '../../../local/alerts.js';
import { catalogFeed } from '../../../local/catalog-feed.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { type EngineDeps, processAlert, sweepDueWindows } from '../../../shared/alerts/engine.js';
import { escapeChat, escapeHtml } from '../../../shared/alerts/escape.js';
import { alertId, dedupKey, IdKey, threadOf, throttleKey } from '../../../shared/alerts/identity.js';
import { evaluateRules, matchingRules } from '../../../shared/alerts/match.js';
import {
  type AlertMessages,
  messageDocument,
  publishInput,
  renderAlert,
  SNS_MESSAGE_LIMIT,
} from '../../../shared/alerts/messages.js';
import { compileUserRegex } from '../../../shared/alerts/regex.js';
import { loadRulesFile } from '../../../shared/alerts/rules-file.js';
import { MemoryAlertStore } from '../../../shared/alerts/store.js';
import { compileTemplate, renderTemplate } from '../../../shared/alerts/template.js';
import { graphemePrefix } from '../../../shared/alerts/text.js';
import { type AlertRule, CHANNELS, type Channel, type RuleSettings } from '../../../shared/alerts/types.js';
import { buildView } from '../../../shared/alerts/view.js';
import {
  isSecretName,
  REDACTED,
  redactSecretFields,
  redactSecrets,
  SECRET_LABELS,
  scrubFields,
  scrubValue,
} from '../../../shared/model/secrets.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { createRenderer } from '../../../shared/render/index.js';
import { event, KEY, rule, ruleSet, SETTINGS, UNCAPPED } from './fixtures.js';

const T0 = Date.parse('2026-01-19T13:41:00Z');
const MIN = 60_000;
const ARN = (c: Channel) => `arn:aws:sns:us-east-1:123456789012:segura-alerts-${c}`;

/** Every string every channel's subscriber could receive, decoded. */
function everything(m: AlertMessages): string {
  const inputs = CHANNELS.map((c) => publishInput(c, ARN(c), m));
  const decoded = CHANNELS.flatMap((c) => Object.values(messageDocument(c, m)));
  const nested = [m.chat, m.ticket, m.emailJson].map((j) => JSON.stringify(JSON.parse(j)));
  return [JSON.stringify(inputs), ...decoded, ...nested].join('\n');
}

function render(r: AlertRule, e: SecurityEvent, settings: RuleSettings = SETTINGS): AlertMessages {
  return renderAlert({
    rule: r,
    event: e,
    settings,
    alertId: alertId(KEY, r, e),
    threadId: null,
    suppression: null,
    nowMs: T0,
  });
}

/** An engine over an in-memory store with a capturing publisher and a movable clock. */
function engine(rules: AlertRule[], settings: RuleSettings = UNCAPPED) {
  const store = new MemoryAlertStore();
  const sent: { channel: Channel; text: string; doc: Record<string, string>; subject?: string }[] = [];
  let now = T0;
  let n = 0;
  const deps = (): EngineDeps => ({
    settings,
    store,
    key: KEY,
    rules,
    topicArns: Object.fromEntries(CHANNELS.map((c) => [c, ARN(c)])),
    owner: `req-${++n}`,
    leaseUntilMs: now + 15_000,
    now: () => now,
    publish: async (input) => {
      const channel = CHANNELS.find((c) => ARN(c) === input.TopicArn) as Channel;
      const doc = JSON.parse(input.Message as string) as Record<string, string>;
      sent.push({
        channel,
        text: doc.sms ?? doc.default ?? '',
        doc,
        ...(input.Subject ? { subject: input.Subject } : {}),
      });
      return `m-${sent.length}`;
    },
  });
  return {
    store,
    sent,
    deps,
    at: (ms: number) => {
      now = ms;
    },
    fire: (e: SecurityEvent) => Promise.all(matchingRules(rules, e).map((r) => processAlert(r, e, deps()))),
    sweep: (atMs: number) => {
      now = atMs;
      return sweepDueWindows(deps(), Number.POSITIVE_INFINITY);
    },
  };
}

const PACK = loadRulesFile(DEFAULT_RULES_FILE);
const packRule = (id: string) => PACK.rules.find((r) => r.id === id) as AlertRule;

// ---------------------------------------------------------------------------------------------------

describe('1. passwords on command lines and in URLs reach no channel and no SIEM', () => {
  const X = 'Xs3cr3t!9';
  // the inputs, verbatim but for the secret, which is X (or the issue's own hunter2 / p@ssw0rd!)
  const commands: [string, string][] = [
    [`curl -u admin:${X} https://intranet.example/api`, X],
    ['mysql -uroot -phunter2', 'hunter2'],
    ['mysql --password hunter2', 'hunter2'],
    [`sshpass -p '${X}' ssh root@db01`, X],
    [`net user administrator ${X} /add`, X],
    [`smbclient //fs01/finance -U admin%${X}`, X],
    [`echo '${X}' | sudo -S systemctl stop auditd`, X],
    ['useradd -p $6$rounds=5000$saltsalt$8sX1c0Hash0fTheP4ss jsilva', '$6$rounds=5000$saltsalt$8sX1c0Hash0fTheP4ss'],
    [`ldapsearch -x -H ldaps://dc01 -D cn=admin,dc=corp -w ${X} -b dc=corp`, X],
    [`htpasswd -b /etc/nginx/.htpasswd user ${X}`, X],
    [`redis-cli -h cache01 -a ${X} KEYS '*'`, X],
    [`docker login -u u -p ${X} registry.example`, X],
    [`echo 'root:${X}' | chpasswd`, X],
    ['password=hunter 2 used', '2 used'],
    ['mongodb://admin:p@ssw0rd!@db', '@ssw0rd!'],
  ];
  const audited = (msg: string, id = '31') =>
    event({
      id,
      fields: {
        msg: `An audited command was detected! Command: ${msg}`,
        suser: 'jsilva',
        duser: 'root',
        dst: '10.0.0.5',
      },
    });
  const greedy = rule({
    match: { eventIds: ['31', '32', '12'] },
    templates: {
      sms: '{{fields.msg}}',
      emailSubject: '{{fields.msg}}',
      emailBody: '{{fields.msg}}\n{{fields}}',
      chat: { text: '{{fields.msg}}', all: '{{fields}}' },
      ticket: { summary: '{{fields.msg}}', all: '{{fields}}' },
    },
  });

  it.each(commands)('%s', (cmd, secret) => {
    for (const id of ['31', '32', '12']) {
      const e = audited(cmd, id);
      // alerts, default and custom templates, every channel and protocol key
      const all = everything(render(greedy, e)) + everything(render(packRule('command-blocked-session-terminated'), e));
      expect(all).not.toContain(secret);
      expect(all).toContain(REDACTED);
      // the SIEM outputs: the fields normalize hands the renderers, and a rendered line
      const siem = redactSecrets(e);
      expect(JSON.stringify(siem.fields)).not.toContain(secret);
      expect(siem.flags).toContain('secrets-redacted');
      for (const format of ['cef', 'rfc5424', 'leef', 'ecs'] as const)
        expect(createRenderer(format).render(siem)).not.toContain(secret);
    }
  });

  it('keeps what is not secret: the command, the user, the host', () => {
    expect(scrubValue(`curl -u admin:${X} https://x`)).toBe('curl -u admin:[redacted] https://x');
    expect(scrubValue('mysql -uroot -phunter2')).toBe('mysql -uroot -p[redacted]');
    expect(scrubValue('mongodb://admin:p@ssw0rd!@db')).toBe('mongodb://admin:[redacted]@db');
    expect(scrubValue('password=hunter 2 used')).toBe('password=[redacted]');
    expect(scrubValue(`echo 'root:${X}' | chpasswd`)).toBe('echo root:[redacted] | chpasswd');
    // options that look alike but carry no secret
    for (const benign of [
      'ssh -p 2222 root@db01',
      'mkdir -p /srv/backup',
      'docker run -p 8080:80 nginx',
      'net user administrator * /add',
    ])
      expect(scrubValue(benign)).toBe(benign);
  });
});

describe('2. secret labels in Portuguese, Spanish, English, French and German', () => {
  const labels = [
    'Credencial',
    'Chave de acesso',
    'Chave privada',
    'Palavra-passe',
    'Contraseña',
    'Clave',
    'Passwort',
    'Mot de passe',
    'Recovery phrase',
  ];

  it.each(labels)('%s is a secret label: its value reaches no alert and no SIEM', (label) => {
    expect(isSecretName(label)).toBe(true);
    const fields = { cs1Label: label, cs1: 'Tr0ub4dor&3-zz', suser: 'jsilva' };
    expect(scrubFields(fields).cs1).toBe(REDACTED);
    expect(redactSecretFields(fields).cs1).toBe(REDACTED);
    const e = event({ id: '31', fields: { ...fields, msg: 'x' } });
    expect(
      everything(render(rule({ match: { eventIds: ['31'] }, templates: { emailBody: '{{fields}}' } }), e)),
    ).not.toContain('Tr0ub4dor');
  });

  it('one table, five languages; identifiers that merely mention a key stay visible', () => {
    expect(Object.keys(SECRET_LABELS).sort()).toEqual(['de', 'en', 'es', 'fr', 'pt']);
    for (const name of [
      'keyName',
      'keyId',
      'ID da chave',
      'Schlüssel-ID',
      'Initial Checksum',
      'Change Request',
      'Approver',
      'passport',
      'enclave',
    ])
      expect(isSecretName(name), name).toBe(false);
  });
});

describe('3. published identifiers are keyed hashes; throttle keys never read a secret-labelled field', () => {
  const r = rule({ id: 'pw', match: { eventIds: ['31'] }, channels: ['ticket'] });
  const withPassword = (pw: string) =>
    event({ id: '31', fields: { suser: 'jsilva', cs1Label: 'Password', cs1: pw, msg: 'x' } });

  it('the dictionary attack on alertId (unsalted hash of the visible event) recovers nothing', () => {
    const real = withPassword('summer2026');
    const published = JSON.parse(render(r, real).ticket).alertId as string;
    expect(published).toBe(alertId(KEY, r, real));
    // what the old scheme let anyone compute from the ticket: sha256(rule id + sha256(canonical event))
    const unsalted = (pw: string) => {
      const e = withPassword(pw);
      const canon = JSON.stringify([
        e.eventId,
        e.name,
        [e.time?.epochMs, e.time?.micros],
        e.host,
        e.app,
        e.pid,
        Object.entries(e.fields),
      ]);
      const h = createHash('sha256').update(canon).digest('base64url').slice(0, 32);
      return createHash('sha256').update(`${r.id}\n${h}`).digest('hex').slice(0, 24);
    };
    const dictionary = ['123456', 'password', 'hunter2', 'summer2026', 'Tr0ub4dor&3'];
    expect(dictionary.map(unsalted)).not.toContain(published);
    // and without the deployment's key, a guess under any other key does not match either
    const other = IdKey.random();
    expect(dictionary.map((pw) => alertId(other, r, withPassword(pw)))).not.toContain(published);
  });

  it('a throttle key on a field whose label is secret: refused at validation, constant at run time', () => {
    expect(() =>
      ruleSet([
        {
          id: 'k',
          name: 'K',
          channels: ['chat'],
          match: { eventIds: ['31'], fields: { cs1Label: 'Senha' } },
          throttle: { window: '10m', key: ['fields.cs1'] },
        },
      ]),
    ).toThrow(/throttle\.key\[0\]: "fields\.cs1" reads a field labelled "Senha", which looks secret/);
    // not pinned by the rule: the key contributes a constant, so the thread id is not a hash of the password
    const t = rule({
      id: 't',
      match: { eventIds: ['31'] },
      channels: ['chat'],
      throttle: { window: '10m', key: ['fields.cs1'] },
    });
    expect(throttleKey(KEY, t, withPassword('a'))).toBe(throttleKey(KEY, t, withPassword('b')));
    // the chat thread id the engine publishes is the keyed hash of that constant key
    expect(threadOf(throttleKey(KEY, t, withPassword('a')) as string)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('ids change with the key: two deployments never share identifiers', () => {
    const e = withPassword('x');
    expect(alertId(KEY, r, e)).not.toBe(alertId(IdKey.random(), r, e));
    expect(() => new IdKey('short')).toThrow(/at least 32 characters/);
  });
});

describe('4. no field value can mention, link or format on any channel', () => {
  const hostile = {
    suser: '<!channel> @here',
    duser: '<https://evil.example|Click to re-auth>',
    dst: '[click](https://evil.example) *bold* _it_ ~s~ `code` # h | t',
    msg: '<script>alert(1)</script> "quoted" & \'single\'',
  };
  const e = event({ id: '31', fields: hostile });

  it('custom chat and ticket templates: the values are escaped, the template text is not', () => {
    const r = rule({
      match: { eventIds: ['31'] },
      templates: {
        chat: { text: '*Alert* {{fields.suser}} {{fields.duser}} {{fields.dst}}' },
        ticket: { html: '<b>{{fields.msg}}</b> {{fields.duser}}' },
      },
    });
    const m = render(r, e);
    const chat = JSON.parse(m.chat).text as string;
    expect(chat.startsWith('*Alert* ')).toBe(true); // the author's own markup stays
    expect(chat).not.toMatch(/<!channel>|<https|\[click\]\(|@here|\*bold\*|_it_|`code`/);
    expect(chat).toContain('‹!channel› ＠here');
    const ticket = JSON.parse(m.ticket).html as string;
    expect(
      ticket.startsWith('<b>&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;</b>'),
    ).toBe(true);
    expect(ticket).not.toMatch(/<https|<script/);
  });

  it('the default chat card: title, description and metadata.summary from a subject template with the values', () => {
    const r = rule({
      match: { eventIds: ['31'] },
      templates: { emailSubject: 'Alert for {{fields.suser}} {{fields.dst}}' },
    });
    const chat = JSON.parse(render(r, e).chat);
    for (const s of [chat.content.title, chat.metadata.summary, chat.content.description] as string[]) {
      expect(s).not.toMatch(/<!channel>|@here|\[click\]\(|<https/);
    }
    expect(chat.metadata.summary).toContain('‹!channel› ＠here');
  });

  it('plain-text channels: URLs are defanged, nothing else changes', () => {
    const m = render(rule({ match: { eventIds: ['31'] }, templates: { sms: '{{fields.dst}}' } }), e);
    expect(m.sms.text).toContain('https[:]//evil.example');
    expect(m.emailBody).not.toContain('https://evil');
  });

  it('property: escaped chat text has no active Slack or Teams character, escaped HTML no markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const c = escapeChat(s);
        expect(c).not.toMatch(/[<>&*_~`#|\\]/);
        expect(c).not.toMatch(/\[(?!(?:redacted|truncated)\](?!\())/);
        expect(c).not.toMatch(/(^|[^\p{L}\p{N}_.+-])@[\p{L}\p{N}_]/u);
        expect(c).not.toMatch(/:\/\//);
        const h = escapeHtml(s);
        expect(h).not.toMatch(/[<>"']/);
        expect(h).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('5. every Publish fits the SNS limit, with a visible [truncated]', () => {
  // the probe's event: 41.7 KB of fields made the email document 333 KB
  const big = event({
    id: '20',
    fields: Object.fromEntries(
      Array.from({ length: 90 }, (_, i) => [`cs${i}x`, `${'ü"\\'.repeat(50)}${'value '.repeat(50)}`.slice(0, 460)]),
    ),
  });

  it('the 41.7 KB event: every channel ≤ 262,144 bytes, cuts marked', () => {
    expect(JSON.stringify(big.fields).length).toBeGreaterThan(41_000);
    const m = render(packRule('password-change-error'), big);
    for (const c of CHANNELS) {
      const input = publishInput(c, ARN(c), m);
      const bytes = Buffer.byteLength(input.Message as string) + Buffer.byteLength(input.Subject ?? '');
      expect(bytes, c).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT);
      expect(m.bytes[c]).toBe(bytes);
    }
    expect(m.truncated).toEqual(expect.arrayContaining(['email', 'ticket']));
    expect(m.emailBody).toContain('[truncated]');
  });

  it('property: large random events through default and custom templates never exceed the limit', () => {
    const custom = rule({
      match: { eventIds: ['20'] },
      templates: {
        emailBody: '{{fields}}\n{{fields}}\n{{fields.msg}}',
        chat: { a: '{{fields}}', b: ['{{fields}}', '{{fields.msg}}'], c: { d: '{{fields}}' } },
        ticket: { all: '{{fields}}', again: '{{fields}}' },
      },
    });
    const value = fc.string({
      unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '😀', '<', '\u200b', 'ç', 'x'),
      minLength: 100,
      maxLength: 3_000,
    });
    const fields = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,40}$/), value, { minKeys: 10, maxKeys: 120 });
    fc.assert(
      fc.property(fields, fc.boolean(), (f, useCustom) => {
        const e = event({ id: '20', fields: f });
        const m = render(useCustom ? custom : packRule('password-change-error'), e);
        for (const c of CHANNELS) {
          const input = publishInput(c, ARN(c), m);
          expect(
            Buffer.byteLength(input.Message as string) + Buffer.byteLength(input.Subject ?? ''),
          ).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT);
          if (m.truncated.includes(c)) expect(input.Message).toContain('[truncated]');
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('6. a spoofed critical alert cannot fire, nor suppress the real one', () => {
  const spoof = event({
    id: '1',
    fields: { suser: 'mallory', msg: 'I pressed the panic button by mistake, lockdown started lol' },
  });

  it('default rules match on event ids or categories first; the decoy fires none of them', () => {
    for (const r of PACK.rules)
      for (const c of r.match) expect(c.eventIds !== null || c.notifications !== null, r.id).toBe(true);
    expect(matchingRules(PACK.rules, spoof).map((r) => r.id)).toEqual([]);
  });

  it('a rule throttled per host: a different event, or a more severe one, still goes out two minutes later', async () => {
    const panic = rule({
      id: 'panic',
      level: 'critical',
      match: { fields: { msg: { regex: '\\b(lockdown (started|activated)|panic button)\\b', ignoreCase: true } } },
      channels: ['sms'],
      throttle: { window: '5m', key: ['event.host'] },
      rateCap: false,
    });
    const h = engine([panic]);
    expect((await h.fire(spoof))[0]?.kind).toBe('sent');
    h.at(T0 + 2 * MIN);
    const real = event({ id: '79', severity: 10, fields: { msg: 'Lockdown started by the security officer' } });
    expect((await h.fire(real))[0]?.kind).toBe('sent');
    // the same event id: a more severe match escalates, a less severe one is suppressed
    const lowSame = event({ id: '1', severity: 2, fields: { msg: 'panic button test 2' } });
    const highSame = event({ id: '1', severity: 9, fields: { msg: 'panic button pressed for real' } });
    h.at(T0 + 3 * MIN);
    expect((await h.fire(lowSame))[0]?.kind).toBe('suppressed');
    expect((await h.fire(highSame))[0]?.kind).toBe('sent');
  });
});

describe('7. a decoy cannot hide what follows it: the window summary lists it', () => {
  const harmless = event({
    id: '12',
    timestamp: '2026-01-19T13:41:00Z',
    fields: { suser: 'mallory', duser: 'root', dst: '10.0.0.5', msg: 'Command: ls -la' },
  });
  const real = (i: number, cmd: string, dst = '10.0.0.5') =>
    event({
      id: '12',
      timestamp: `2026-01-19T13:4${2 + i}:00Z`,
      fields: { suser: 'mallory', duser: 'root', dst, msg: `Command: ${cmd}` },
    });

  it('harmless first, then cat /etc/shadow: one summary when the window closes, with no further event', async () => {
    const r = packRule('command-blocked-or-high-risk'); // 15 min per user
    const h = engine([r]);
    h.at(T0);
    expect((await h.fire(harmless))[0]?.kind).toBe('sent');
    for (const [i, cmd, dst] of [
      [0, 'cat /etc/shadow', '10.0.0.5'],
      [1, 'cat /etc/shadow', '10.0.0.6'],
      [2, 'scp /etc/shadow x@203.0.113.9:', '10.0.0.5'],
    ] as const) {
      h.at(T0 + (i + 1) * MIN);
      expect((await h.fire(real(i, cmd, dst)))[0]?.kind).toBe('suppressed');
    }
    expect(await h.sweep(T0 + 14 * MIN)).toEqual({ summaries: [], error: null }); // still open
    const { summaries } = await h.sweep(T0 + 16 * MIN); // closed, nobody else came
    expect(summaries.map((s) => [s.kind, s.window?.count])).toEqual([['sent', 3]]);
    const email = h.sent.find((s) => s.channel === 'email' && s.subject?.includes('Summary')) as {
      doc: Record<string, string>;
    };
    expect(email.doc.email).toContain('cat /etc/shadow');
    expect(email.doc.email).toContain('scp /etc/shadow x@203.0.113.9:');
    expect(email.doc.email).toMatch(/Targets \(2 distinct\):\n {2}- root @ 10\.0\.0\.5\n {2}- root @ 10\.0\.0\.6/);
    // exactly once: the next sweep and the next event find nothing owed
    expect((await h.sweep(T0 + 30 * MIN)).summaries).toEqual([]);
  });
});

describe('8. invisible characters cannot push content out of an SMS or a subject', () => {
  const r = packRule('command-blocked-session-terminated');
  const target = '192.168.30.55';

  it('one zero-width space in a user name: still GSM-7, the target intact', () => {
    const m = render(
      r,
      event({ id: '31', fields: { suser: 'jsil\u200Bva', duser: 'administrator', dst: target, msg: 'x' } }),
    );
    expect(m.sms.encoding).toBe('gsm7');
    expect(m.sms.text).toContain(`jsilva as administrator on ${target}`);
    expect(m.sms.text).not.toMatch(/\u200B/);
  });

  it('combining-mark clusters on user, account and target: collapsed, every base letter kept', () => {
    const zalgo = (s: string) =>
      [...s].map((ch) => ch + '\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030A').join('');
    const m = render(
      r,
      event({ id: '31', fields: { suser: zalgo('jsilva'), duser: zalgo('root'), dst: zalgo('db01'), msg: 'x' } }),
    );
    expect(m.sms.text).toContain('jsilva as root on db01');
    expect(m.sms.truncated).toBe(false);
    // and without transliteration: at most 3 marks per letter, cut only between graphemes
    const v = buildView(event({ id: '31', fields: { suser: zalgo('jsilva') } }), r, null, T0);
    expect(v.fields.suser?.normalize('NFD').replace(/\p{M}/gu, '')).toBe('jsilva');
    expect(v.fields.suser).not.toMatch(/\p{M}{4}/u);
  });

  it('tag characters and other format characters are removed; subjects are cut between graphemes', () => {
    const tags = 'adm\u{E0069}\u{E0067}in\u2060\uFEFF';
    const v = buildView(event({ id: '31', fields: { suser: tags } }), r, null, T0);
    expect(v.fields.suser).toBe('admin');
    const family = '👨‍👩‍👧‍👦';
    const subject = render(
      rule({ match: { eventIds: ['31'] }, templates: { emailSubject: `${'x'.repeat(90)}${family.repeat(3)}` } }),
      event({ id: '31' }),
    ).emailSubject;
    const kept = subject.slice(0, -1); // without the ellipsis
    expect(graphemePrefix(kept, kept.length)).toBe(kept);
    expect(subject.length).toBeLessThanOrEqual(99);
  });
});

describe('9. user regexes run in linear time; a pathological event stalls nothing', () => {
  const patterns = ['(a|aa)+$', '(a|a)+$', '(\\w|\\d)+$', '^\\w*\\w*\\w*\\w*!$', '^(?:a|ab|b)*c$'];

  it.each(patterns)('%s is accepted and answers on 1,024 hostile characters', (p) => {
    const r = rule({ match: { fields: { msg: { regex: p } } }, channels: ['email'] });
    const hostile = event({ id: '1', fields: { msg: `${'a'.repeat(1_023)}x` } });
    // with JavaScript's backtracking engine this call would not return for longer than the universe exists
    expect(typeof r.match[0]?.fields[0]?.regex?.test(hostile.fields.msg as string)).toBe('boolean');
    expect(matchingRules([r], hostile)).toHaveLength(p === '(\\w|\\d)+$' ? 1 : 0);
  });

  it('lookarounds and backreferences, which need backtracking, are refused at validation', () => {
    expect(() => compileUserRegex('a(?=b)', false)).toThrow(/unsupported Perl syntax/);
    expect(() =>
      ruleSet([{ id: 'x', name: 'X', channels: ['sms'], match: { fields: { msg: { regex: '(a)\\1' } } } }]),
    ).toThrow(/backreferences are not supported/);
  });

  it('a rule that throws fails alone: the other rules still fire', () => {
    const ok = rule({ id: 'ok', match: { eventIds: ['1'] }, channels: ['email'] });
    const bad = rule({ id: 'bad', match: { fields: { msg: { regex: 'x' } } }, channels: ['email'] });
    const boom = {
      source: 'x',
      ignoreCase: false,
      test: () => {
        throw new Error('engine failure');
      },
    };
    const broken = {
      ...bad,
      match: [{ ...(bad.match[0] as AlertRule['match'][number]), fields: [{ key: 'msg', equals: null, regex: boom }] }],
    };
    const out = evaluateRules([broken, ok], event({ id: '1', fields: { msg: 'x' } }));
    expect(out.matched.map((r) => r.id)).toEqual(['ok']);
    expect(out.failed.map((f) => [f.rule.id, f.error.message])).toEqual([['bad', 'engine failure']]);
  });
});

describe('10. sends are capped per rule and per channel; the rest is summarized', () => {
  it('40 events with 40 different targets in 40 s: at most the cap of SMS, one summary listing the rest', async () => {
    const r = packRule('command-blocked-session-terminated'); // sms, email, chat; 10 min per user + target
    const h = engine([r], SETTINGS); // default caps: 10 alerts per rule per 10 min, 20 SMS per hour
    const outcomes = [];
    for (let i = 0; i < 40; i++) {
      h.at(T0 + i * 1_000);
      const e = event({
        id: '31',
        timestamp: new Date(T0 + i * 1_000).toISOString(),
        fields: { suser: 'mallory', duser: 'root', dst: `10.0.0.${i + 1}`, msg: `Command: rm -rf /data${i}` },
      });
      outcomes.push(...(await h.fire(e)));
    }
    expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(10);
    expect(outcomes.filter((o) => o.kind === 'held')).toHaveLength(30);
    expect(h.sent.filter((s) => s.channel === 'sms')).toHaveLength(10);
    const { summaries } = await h.sweep(T0 + 10 * MIN + 1);
    expect(summaries.map((s) => [s.kind, s.window?.kind, s.window?.count])).toEqual([['sent', 'rule-cap', 30]]);
    const sms = h.sent.filter((s) => s.channel === 'sms');
    expect(sms).toHaveLength(11);
    expect(sms.at(-1)?.text).toMatch(
      /^SEGURA CRITICAL summary: 30 x Blocked command, session terminated held \(10 min\)\. Targets: root @ 10\.0\.0\.11/,
    );
    const ticketless = h.sent.filter((s) => s.channel === 'email').at(-1)?.doc.email as string;
    expect(ticketless).toContain("Why: the rule's rate cap: 10 alerts per 10m.");
    expect(ticketless).toMatch(/Targets \(20 distinct\):/);
    expect(ticketless).toContain('… and 10 more [truncated]');
    expect(ticketless).toContain('10 more matches are counted above but not listed [truncated]');
  });

  it('a channel cap holds that channel only; the alert still goes to the others', async () => {
    const r = rule({ id: 'c', match: { eventIds: ['19'] }, channels: ['sms', 'email'], rateCap: false });
    const settings = {
      ...UNCAPPED,
      channelRateCaps: { ...UNCAPPED.channelRateCaps, sms: { max: 2, windowMs: 3_600_000, window: '1h' } },
    };
    const h = engine([r], settings);
    const kinds = [];
    for (let i = 0; i < 4; i++) kinds.push(...(await h.fire(event({ id: '19', fields: { spid: String(i) } }))));
    expect(kinds.map((o) => [o.kind, o.heldChannels])).toEqual([
      ['sent', []],
      ['sent', []],
      ['sent', ['sms']],
      ['sent', ['sms']],
    ]);
    expect(h.sent.filter((s) => s.channel === 'email')).toHaveLength(4);
    const { summaries } = await h.sweep(Math.ceil((T0 + 1) / 3_600_000) * 3_600_000);
    expect(summaries.map((s) => [s.window?.kind, s.window?.channel, s.published.map((p) => p.channel)])).toEqual([
      ['channel-cap', 'sms', ['sms']],
    ]);
  });
});

describe('11. correctness: JS internals, field order, normalized keys, scrubber false positives', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    '{{fields.%s | "default"}} renders the default',
    (name) => {
      const e = event({ id: '31', fields: { msg: 'x' } });
      const view = buildView(e, rule({ match: { eventIds: ['31'] } }), null, T0);
      const source = name === '__proto__' ? '{{fields.constructor | "default"}}' : `{{fields.${name} | "default"}}`;
      expect(renderTemplate(compileTemplate(source), view)).toBe('default');
      expect(renderTemplate(compileTemplate('{{fields}}'), view)).toBe('msg=x');
    },
  );

  it('a field actually named constructor is an ordinary field', () => {
    const e = event({
      id: '31',
      fields: { constructor: 'ctor-value', __proto__: 'proto-value' } as Record<string, string>,
    });
    const view = buildView(e, rule({ match: { eventIds: ['31'] } }), null, T0);
    expect(renderTemplate(compileTemplate('{{fields.constructor}}'), view)).toBe('ctor-value');
    expect(Object.getPrototypeOf(view.fields)).toBeNull();
  });

  it('the same event with its fields in another order is the same event (sent once, even with --no-throttle)', async () => {
    const a = event({ id: '19', fields: { msg: 'disk full', spid: '7', suser: 'jsilva' } });
    const b = event({ id: '19', fields: { suser: 'jsilva', spid: '7', msg: 'disk full' } });
    const r = rule({ match: { eventIds: ['19'] }, channels: ['email'], rateCap: false });
    expect(dedupKey(KEY, r, a)).toBe(dedupKey(KEY, r, b));
    expect(alertId(KEY, r, a)).toBe(alertId(KEY, r, b));
    const h = engine([r]);
    expect([(await h.fire(a))[0]?.kind, (await h.fire(b))[0]?.kind]).toEqual(['sent', 'duplicate']);
  });

  it('throttle keys read the raw values: a difference after 512 characters or in a bidi character is a different key', () => {
    const t = rule({ match: { eventIds: ['31'] }, throttle: { window: '10m', key: ['fields.duser'] } });
    const k = (duser: string) => throttleKey(KEY, t, event({ id: '31', fields: { duser } }));
    const long = 'a'.repeat(600);
    expect(k(`${long}1`)).not.toBe(k(`${long}2`));
    expect(k('root')).not.toBe(k('ro\u202Eot'));
    expect(k('root')).toBe(k('root'));
  });

  it('the scrubber keeps backup paths, ARNs, dashless UUIDs, SHA-256 checksums and identifiers', () => {
    const keep = [
      '/srv/backup/Segura-Backup-20260119T1341Z.tar.gz',
      'C:\\Backups\\SeguraVault\\2026-01-19\\VaultBackup_Full_20260119.zip',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:iam::123456789012:role/SeguraRelayAlertsEvaluateRole1A2B3C4D',
      '123e4567e89b12d3a456426614174000',
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'segura-relay-prod-AlertsEvaluateFunction8B2F1A3C',
      'S3BucketNameSegura2026Archive',
      'MasterKeyRecoveryAttempt2026',
    ];
    for (const v of keep) {
      expect(scrubValue(v), v).toBe(v);
      expect(scrubValue(`file ${v} saved`), v).toBe(`file ${v} saved`);
    }
    // event 34 with full checksums: both survive into the alert and the SIEM
    const e = event({
      id: '34',
      fields: {
        cs4Label: 'Initial Checksum',
        cs4: 'f5751777b74f8e2f2d3c6b7a9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b',
        cs5Label: 'Final Checksum',
        cs5: '284f1555574548901a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081',
      },
    });
    const view = buildView(e, packRule('session-recording-modified'), null, T0);
    expect([view.fields.cs4, view.fields.cs5]).toEqual([e.fields.cs4, e.fields.cs5]);
    expect(redactSecrets(e)).toBe(e);
  });

  it('false-positive rate on the catalog feed and the generated mix: 0', () => {
    const rate = (envs: { fields: Record<string, string> }[]) => {
      let values = 0;
      let changed = 0;
      for (const env of envs) {
        const alert = scrubFields(env.fields);
        const siem = redactSecretFields(env.fields);
        for (const k of Object.keys(env.fields)) {
          values++;
          if (alert[k] !== env.fields[k] || siem[k] !== env.fields[k]) changed++;
        }
      }
      return { values, changed };
    };
    const catalog = rate(catalogFeed());
    const mix = rate([...sampleEvents(5_000, 7)]);
    expect(catalog.values).toBeGreaterThan(500);
    expect(mix.values).toBeGreaterThan(30_000);
    expect([catalog.changed, mix.changed]).toEqual([0, 0]);
  });
});
