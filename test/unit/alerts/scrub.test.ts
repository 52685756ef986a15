/**
 * Secret scrubbing: key names, CEF custom-string labels, value patterns, and — end to end — that no
 * secret reaches any channel's message whatever the template, including hostile field values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertId } from '../../../shared/alerts/identity.js';
import { messageDocument, publishInput, renderAlert } from '../../../shared/alerts/messages.js';
import type { AlertRule } from '../../../shared/alerts/types.js';
import { CHANNELS } from '../../../shared/alerts/types.js';
import { isSecretName, REDACTED, scrubFields, scrubValue } from '../../../shared/model/secrets.js';
import type { SecurityEvent } from '../../../shared/model/security-event.js';
import { event, KEY, rule, SETTINGS } from './fixtures.js';

describe('isSecretName', () => {
  it.each([
    'password',
    'Password',
    'userPassword',
    'db_password',
    'passwd',
    'pwd',
    'PWD',
    'passphrase',
    'pass',
    'pin',
    'otp',
    'mfa_code',
    'secret',
    'clientSecret',
    'client_secret',
    'token',
    'sessionToken',
    'refresh-token',
    'apiKey',
    'api_key',
    'x-api-key',
    'privateKey',
    'PRIVATE_KEY',
    'privkey',
    'secretKey',
    'accessKey',
    'aws_secret_access_key',
    'sshKey',
    'key',
    'keyMaterial',
    'key_pem',
    'credential',
    'credentials',
    'authorization',
    'Cookie',
    'sessionId',
    'senha',
    'senhaAtual',
    'chave',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'keyName',
    'keyId',
    'keyParts',
    'partsNeeded',
    'partsSent',
    'monkey',
    'hotkey',
    'passport',
    'suser',
    'sname',
    'duser',
    'dhost',
    'dst',
    'dpt',
    'spid',
    'spriv',
    'msg',
    'act',
    'requestMethod',
    'sourceServiceName',
    'cs1Label',
    'originIP',
    'country',
    'latitude',
  ])('%s is not secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('scrubValue', () => {
  const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7v3\nq9sK=\n-----END RSA PRIVATE KEY-----';
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  it.each<[string, string, string]>([
    ['PEM block', `key follows ${PEM} end`, 'MIIEowIBAAKCAQEA7v3'],
    ['unterminated PEM', `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA`, 'b3BlbnNzaC1rZXktdjEAAAAA'],
    ['JWT', `token ${JWT}`, 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['AWS access key id', 'used AKIAIOSFODNN7EXAMPLE today', 'AKIAIOSFODNN7EXAMPLE'],
    [
      'AWS secret key',
      'secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ],
    ['GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['Slack token', 'xoxb-123456789012-abcdefghijkl', 'xoxb-123456789012-abcdefghijkl'],
    ['Bearer header', 'Authorization: Bearer abc.def.ghi-jkl', 'abc.def.ghi-jkl'],
    ['URL user-info', 'connect ldaps://admin:S3cr3t!@ldap.example:636', 'S3cr3t!'],
    ['inline password=', 'login failed password=hunter2 user=root', 'hunter2'],
    ['inline JSON secret', '{"apiKey": "k-12345"}', 'k-12345'],
    ['inline senha:', 'senha: minhaSenha123', 'minhaSenha123'],
    ['random base64 blob', 'session blob 7Xn42r+cAmEwJ7YrQX9+BaTQmHmVFfxl end', '7Xn42r+cAmEwJ7YrQX9+BaTQmHmVFfxl'],
  ])('%s is redacted', (_what, input, secret) => {
    const out = scrubValue(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    'Backup sent to server localhost:/srv/backup via local',
    'Error changing password of root on 192.168.30.55: no RPC connectivity',
    'Session 123e4567-e89b-12d3-a456-426614174000 started',
    'José da Silva viewed the credential of root@db01.corp.example',
    'Recovery attempt failed. The key fractions are invalid',
    'Command detected: rm -rf /var/lib/segura',
  ])('ordinary text is kept: %s', (text) => {
    expect(scrubValue(text)).toBe(text);
  });
});

describe('scrubFields', () => {
  it('redacts secret keys whole and CEF custom strings whose label looks secret, keeping order', () => {
    const out = scrubFields({
      suser: 'jsilva',
      password: 'hunter2',
      cs1Label: 'Password',
      cs1: 'Tr0ub4dor&3',
      cs2Label: 'Senha',
      cs2: 'minhaSenha',
      cs3Label: 'Device',
      cs3: 'db01',
      msg: 'token=abc123def',
    });
    expect(Object.keys(out)).toEqual([
      'suser',
      'password',
      'cs1Label',
      'cs1',
      'cs2Label',
      'cs2',
      'cs3Label',
      'cs3',
      'msg',
    ]);
    expect(out).toMatchObject({ suser: 'jsilva', password: REDACTED, cs1: REDACTED, cs2: REDACTED, cs3: 'db01' });
    expect(out.msg).toBe(`token=${REDACTED}`);
  });
});

describe('no secret reaches any channel', () => {
  // a rule whose templates try every way to reach the data
  const greedy = rule({
    match: { eventIds: ['20'] },
    templates: {
      sms: '{{event.name}} {{fields.msg}} {{fields.cs1}} {{fields.note}}',
      emailSubject: '{{fields.msg}} {{fields.cs1}}',
      emailBody: 'all: {{fields}}\nmsg: {{fields.msg}}\ncs1: {{fields.cs1}}\nhost: {{event.host}}',
      chat: { text: '{{fields}}', raw: ['{{fields.msg}}', '{{fields.cs1}}', '{{fields.note}}'] },
    },
  });

  function everything(r: AlertRule, e: SecurityEvent): string {
    const m = renderAlert({
      rule: r,
      event: e,
      settings: { ...SETTINGS, smsDisplayName: null },
      alertId: alertId(KEY, r, e),
      threadId: null,
      suppression: null,
      nowMs: Date.now(),
    });
    const inputs = CHANNELS.map((c) => publishInput(c, `arn:aws:sns:us-east-1:123456789012:t-${c}`, m));
    // what a subscriber of each protocol gets, decoded
    const decoded = CHANNELS.flatMap((c) => Object.values(messageDocument(c, m)));
    return JSON.stringify(inputs) + decoded.join('\n');
  }

  it('hostile values: secret keys, labelled custom strings, and secrets embedded in free text', () => {
    const secrets = {
      password: 'hunter2-Pa55',
      cs1: 'Tr0ub4dor&3',
      apiKey: 'k-live-998877',
      token: 'tok_abcdef',
      privateKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    };
    const e = event({
      id: '20',
      host: 'vault-01',
      fields: {
        msg: 'failed: password=hunter2-Pa55 with AKIAIOSFODNN7EXAMPLE and -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
        cs1Label: 'Password',
        cs1: secrets.cs1,
        password: secrets.password,
        apiKey: secrets.apiKey,
        token: secrets.token,
        privateKey: secrets.privateKey,
        note: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      },
    });
    const all = everything(greedy, e);
    for (const s of [...Object.values(secrets), 'AKIAIOSFODNN7EXAMPLE', 'eyJzdWIiOiIxIn0', 'hunter2']) {
      expect(all).not.toContain(s);
    }
    expect(all).toContain(REDACTED);
    // the non-secret parts are still there
    expect(all).toContain('vault-01');
    expect(all).toContain('Password Change Error');
  });

  it('property: a secret placed in any secret-named field, or in a recognizable format anywhere, never appears', () => {
    const secretName = fc.constantFrom(
      'password',
      'userPwd',
      'apiKey',
      'client_secret',
      'authToken',
      'senha',
      'sshKey',
    );
    const secretValue = fc.stringMatching(/^[A-Za-z0-9!#%&*+]{8,24}$/);
    const formatted = fc.oneof(
      fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `AKIA${s}`),
      // a 40-character AWS secret access key shape (hex alone is never redacted: checksums)
      fc.stringMatching(/^[A-Za-z0-9]{40}$/).filter((x) => /[A-Z]/.test(x) && /[a-z]/.test(x) && /[0-9]/.test(x)),
      fc
        .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/), fc.stringMatching(/^[A-Za-z0-9_-]{8,30}$/))
        .map(([a, b]) => `eyJ${a}.eyJ${b}.sig${a}`),
    );
    const filler = fc.string({ maxLength: 40 }).map((s) => s.replace(/[A-Za-z0-9+/=_-]{6,}/g, 'x'));
    fc.assert(
      fc.property(secretName, secretValue, formatted, filler, filler, (name, value, fmt, before, after) => {
        const e = event({ id: '20', fields: { [name]: value, msg: `${before} ${fmt} ${after}`, note: fmt } });
        const all = everything(greedy, e);
        expect(all).not.toContain(value);
        expect(all).not.toContain(fmt);
      }),
      { numRuns: 300 },
    );
  });
});
