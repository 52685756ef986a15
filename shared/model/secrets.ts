/**
 * Secret detection shared by the SIEM renderers and the alerts.
 *
 * SIEM output (`redactSecretFields`, applied by normalize unless the deployment allows secret
 * fields): a field whose key, or whose CEF custom-string label, looks secret is redacted whole,
 * and so is any value holding a private-key block. Value heuristics stop there on purpose: long hex
 * or base64 values in vault events are checksums and identifiers a SIEM needs.
 *
 * Alerts leave the relay over SMS, email, chat and ticketing, so no value that looks secret may
 * reach a template. Scrubbing happens on the data templates see (not
 * only on their output), in three layers:
 *
 * 1. **Key names.** A field whose key (or, for CEF custom strings, whose `<key>Label` value) looks
 *    secret is replaced whole by `[redacted]`: password, passwd, passphrase, pwd, pin, otp, secret,
 *    token, credential, cookie, authorization, session id, Portuguese `senha`/`segredo`, and "key
 *    material" (a key name ending in `key`/`chave`: apiKey, privateKey, sshKey, x-api-key; or `key`
 *    followed by material/data/value/pem…). Names that only *start* with `key` (keyName, keyId,
 *    keyParts) are identifiers, not secrets, and are kept.
 * 2. **Value patterns**, in every value (fields, host, names): PEM blocks, JWTs, AWS access key ids,
 *    well-known token formats (GitHub, GitLab, Slack, Stripe), `Bearer`/`Basic` credentials, URL
 *    user-info passwords, inline `password=…`/`token: …` pairs, and long opaque blobs (≥ 32 hex
 *    digits, or ≥ 24 base64/base64url characters mixing upper case, lower case and digits).
 * 3. **Output.** Rendered messages pass through the value patterns again.
 *
 * Not detectable: a secret written as plain prose in free text ("the password is summer") — the
 * vault does not log secret values; this is a safety net, not a licence to forward them.
 */

import { EVENT_FLAGS, type SecurityEvent } from './security-event.js';

/** What a redacted value becomes. */
const REDACTED = '[redacted]';

// normalized (lower case, separators removed) substrings that mark a key as secret wherever they occur
const SECRET_SUBSTRINGS = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'pwd',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'privkey',
  'accesskey',
  'secretkey',
  'signingkey',
  'encryptionkey',
  'sshkey',
  'credential',
  'authorization',
  'cookie',
  'sessionid',
  'senha',
  'segredo',
  'clientsecret',
] as const;
// whole tokens (camelCase / snake / kebab words) that mark a key as secret
const SECRET_TOKENS = new Set(['pass', 'pw', 'pin', 'otp', 'totp', 'mfa', 'auth', 'creds', 'cred']);
// a key whose LAST token is one of these holds key material (apiKey, privateKey, key)
const KEY_TOKENS = new Set(['key', 'keys', 'chave']);
// `key` followed by one of these is key material too (keyMaterial, key_pem)
const KEY_MATERIAL = new Set(['material', 'data', 'value', 'pem', 'blob', 'content', 'text', 'b64', 'base64', 'hex']);

function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((t) => t.replace(/\d+$/, ''))
    .filter((t) => t !== '');
}

/**
 * True when a field name (or a CEF custom-string label) looks like it holds a secret.
 * @example isSecretName('apiKey') // true
 * @example isSecretName('keyName') // false
 */
function isSecretName(name: string): boolean {
  const norm = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (norm === '') return false;
  for (const s of SECRET_SUBSTRINGS) if (norm.includes(s)) return true;
  const t = tokens(name);
  for (let i = 0; i < t.length; i++) {
    const w = t[i] as string;
    if (SECRET_TOKENS.has(w)) return true;
    if (KEY_TOKENS.has(w) && (i === t.length - 1 || KEY_MATERIAL.has(t[i + 1] as string))) return true;
  }
  return false;
}

interface ValuePattern {
  readonly re: RegExp;
  readonly replace: string | ((m: string, ...groups: string[]) => string);
}

// Every pattern is linear in the input (no nested unbounded quantifiers over overlapping classes).
const VALUE_PATTERNS: readonly ValuePattern[] = [
  // PEM blocks (private keys, certificates with keys); an unterminated block is redacted to the end
  { re: /-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g, replace: REDACTED },
  // JSON Web Tokens
  { re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // AWS access key ids
  { re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b/g, replace: REDACTED },
  // well-known token formats
  {
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:sk|rk)_live_[A-Za-z0-9]{16,})/g,
    replace: REDACTED,
  },
  // HTTP credentials
  { re: /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi, replace: (_m, scheme) => `${scheme} ${REDACTED}` },
  // user-info password in URLs: scheme://user:password@host
  {
    re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@]{1,128}:)[^\s/@]{1,256}@/gi,
    replace: (_m, pre) => `${pre}${REDACTED}@`,
  },
  // inline secret assignments in free text: password=…, token: …, "apiKey": "…", senha=…
  {
    re: /\b((?:[A-Za-z0-9]{0,20}[_-]?)?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credentials?|senha)["']?\s{0,3}[:=]\s{0,3})("[^"]{0,512}"|'[^']{0,512}'|[^\s,;&"']{1,512})/gi,
    replace: (_m, pre) => `${pre}${REDACTED}`,
  },
  // long hex blobs (keys, hashes)
  { re: /\b[0-9a-fA-F]{32,}\b/g, replace: REDACTED },
];

// base64/base64url runs; redacted only when they mix upper case, lower case and digits (random data)
const BLOB = /[A-Za-z0-9+/_=-]{24,}/g;

function isOpaqueBlob(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

// cheap pre-check: values without any of these cannot match a pattern (the common case)
// (the last alternative covers AWS key ids (20 characters), hex and base64 blobs (≥ 24))
const MAYBE_SECRET = /-----BEGIN|eyJ|_|xox|Bearer|Basic|Digest|:\/\/|[:=]|[A-Za-z0-9+/=-]{20}/i;

/**
 * Replace secret-looking substrings of a value with `[redacted]`.
 * @example scrubValue('key AKIAIOSFODNN7EXAMPLE used') // 'key [redacted] used'
 */
function scrubValue(s: string): string {
  if (s.length < 8 || !MAYBE_SECRET.test(s)) return s;
  let out = s;
  for (const p of VALUE_PATTERNS) {
    p.re.lastIndex = 0;
    if (p.re.test(out)) {
      p.re.lastIndex = 0;
      out = out.replace(p.re, p.replace as (m: string, ...g: string[]) => string);
    }
  }
  return out.replace(BLOB, (m) => (isOpaqueBlob(m) ? REDACTED : m));
}

/**
 * Scrub an ordered field map: secret keys (and CEF custom strings whose label looks secret) are
 * redacted whole, every other value is scrubbed by pattern. Key order is kept.
 * @example scrubFields({ cs1Label: 'Password', cs1: 'hunter2' }) // { cs1Label: 'Password', cs1: '[redacted]' }
 */
function scrubFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields)) {
    const v = fields[k] as string;
    const label = fields[`${k}Label`];
    out[k] = isSecretName(k) || (label !== undefined && isSecretName(label)) ? REDACTED : scrubValue(v);
  }
  return out;
}

// name → isSecretName, bounded (field keys and labels repeat across events)
const NAME_CACHE = new Map<string, boolean>();
function secretName(name: string): boolean {
  let v = NAME_CACHE.get(name);
  if (v === undefined) {
    v = isSecretName(name);
    if (NAME_CACHE.size < 4096) NAME_CACHE.set(name, v);
  }
  return v;
}

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * The fields a SIEM may receive: secret-looking keys, secret-labeled custom strings and private-key
 * blocks become `[redacted]`. Returns the same object when nothing is secret (the common case).
 * @example redactSecretFields({ suser: 'jsilva', password: 'x' }) // { suser: 'jsilva', password: '[redacted]' }
 */
function redactSecretFields(fields: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let out: Record<string, string> | null = null;
  for (const k in fields) {
    const v = fields[k] as string;
    const label = fields[`${k}Label`];
    if (secretName(k) || (label !== undefined && secretName(label)) || (v.length > 40 && PRIVATE_KEY_BLOCK.test(v))) {
      out ??= { ...fields };
      out[k] = REDACTED;
    }
  }
  return out ?? fields;
}

/** The event with its secret fields redacted and flagged; the same event when it has none. */
function redactSecrets(e: SecurityEvent): SecurityEvent {
  const fields = redactSecretFields(e.fields);
  return fields === e.fields ? e : { ...e, fields, flags: [...e.flags, EVENT_FLAGS.secretsRedacted] };
}

export { isSecretName, REDACTED, redactSecretFields, redactSecrets, scrubFields, scrubValue };
