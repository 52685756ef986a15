/**
 * Secret detection shared by the SIEM renderers and the alerts.
 *
 * 1. **Names.** A field whose key, or (CEF custom strings) whose `<key>Label` value, looks secret is
 *    redacted whole. What "looks secret" is one table, `SECRET_LABELS`, in the languages the vault
 *    is used in (Portuguese, Spanish, English, French, German): `password`, `senha`, `contraseña`,
 *    `Passwort`, `mot de passe`, `chave privada`, `recovery phrase`… Names compare with accents,
 *    case and separators folded (`Contraseña` = `contrasena`). Key material is a name *ending* in
 *    `key`/`chave` (apiKey, privateKey); names that only *start* with `key` (keyName, keyId) are
 *    identifiers.
 * 2. **Structural value patterns** (SIEM output and alerts): PEM blocks, JWTs, AWS access key ids,
 *    well-known token formats, `Bearer`/`Basic` credentials, URL user-info passwords (up to the
 *    last `@` before the host: `mongodb://admin:[redacted]@db`), inline `password=…` assignments
 *    (the value runs to the next `key=`, separator or the end: `password=hunter 2 used` loses all of
 *    `hunter 2 used`), and the secret arguments of credential-taking commands (`secret-commands.ts`:
 *    `mysql -p…`, `curl -u user:…`, `echo X | chpasswd`…).
 * 3. **Opaque blobs** (alerts only): runs of ≥ 24 base64 characters that read as random data (many
 *    upper/lower/digit transitions, few word-like pieces). Hex strings are never redacted by shape:
 *    SHA-256 checksums, dashless UUIDs and KMS key ids are what a reader needs. ARNs, paths and
 *    ordinary identifiers are kept (their pieces are words).
 *
 * SIEM output gets 1 and 2 (`redactSecrets`, run by normalize unless the deployment allows secret
 * fields); alerts get 1, 2 and 3 (`scrubFields`/`scrubValue`) on the values templates see and on
 * every rendered message.
 *
 * Not detectable: a secret written as plain prose ("the password is summer"). The vault does not
 * log secret values; this is a safety net, not a licence to forward them.
 */

import { redactCommandSecrets } from './secret-commands.js';
import { EVENT_FLAGS, type SecurityEvent } from './security-event.js';

/** What a redacted value becomes. */
const REDACTED = '[redacted]';

/**
 * The secret-label table, one row per language. Entries are folded (lower case, accents and
 * separators removed): `substrings` mark a name secret wherever they occur, `tokens` only as a whole
 * word of the name, `lastTokens` only as its last word (key material: `apiKey`, `chave`), and
 * `phrases` are how the label is written in free text (`senha: …`, `mot de passe = …`).
 */
const SECRET_LABELS = {
  en: {
    substrings: [
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
      'clientsecret',
      'recoveryphrase',
      'seedphrase',
      'mnemonic',
      'recoverycode',
      'backupcode',
      'recoverykey',
    ],
    tokens: ['pass', 'pw', 'pin', 'otp', 'totp', 'mfa', 'auth', 'creds', 'cred'],
    lastTokens: ['key', 'keys'],
    phrases: [
      'password',
      'passwd',
      'passphrase',
      'pwd',
      'secret',
      'token',
      'api[_ -]?key',
      'private[_ -]?key',
      'access[_ -]?key',
      'credentials?',
      'recovery phrase',
    ],
  },
  pt: {
    substrings: [
      'senha',
      'segredo',
      'credencia',
      'chavedeacesso',
      'chaveprivada',
      'chavesecreta',
      'chavedeapi',
      'palavrapasse',
      'frasederecuperacao',
      'frasesecreta',
      'codigoderecuperacao',
    ],
    tokens: [],
    lastTokens: ['chave', 'chaves'],
    phrases: ['senha', 'segredo', 'credencial', 'chave de acesso', 'chave privada', 'palavra[- ]passe'],
  },
  es: {
    substrings: [
      'contrasena',
      'credencia',
      'clavedeacceso',
      'claveprivada',
      'clavesecreta',
      'clavedeapi',
      'secreto',
      'frasederecuperacion',
      'frasesemilla',
      'codigoderecuperacion',
    ],
    tokens: ['clave', 'claves'],
    lastTokens: [],
    phrases: ['contrase(?:ñ|n)a', 'clave', 'credencial'],
  },
  fr: {
    substrings: [
      'motdepasse',
      'phrasedepasse',
      'phrasesecrete',
      'clesecrete',
      'cleprivee',
      'cledacces',
      'cledapi',
      'jeton',
    ],
    tokens: ['mdp'],
    lastTokens: [],
    phrases: ['mot de passe', 'cl(?:é|e) secr(?:è|e)te', 'jeton'],
  },
  de: {
    substrings: [
      'passwort',
      'kennwort',
      'geheimnis',
      'geheimerschlussel',
      'privaterschlussel',
      'zugangsschlussel',
      'zugangsdaten',
      'anmeldedaten',
      'wiederherstellungsphrase',
      'wiederherstellungsschlussel',
    ],
    tokens: [],
    lastTokens: [],
    phrases: ['passwort', 'kennwort'],
  },
} as const;

const LANGS = Object.values(SECRET_LABELS);
const SUBSTRINGS: readonly string[] = LANGS.flatMap((l) => l.substrings);
const TOKENS = new Set<string>(LANGS.flatMap((l) => l.tokens));
const LAST_TOKENS = new Set<string>(LANGS.flatMap((l) => l.lastTokens));
// `key` followed by one of these is key material too (keyMaterial, key_pem)
const KEY_MATERIAL = new Set(['material', 'data', 'value', 'pem', 'blob', 'content', 'text', 'b64', 'base64', 'hex']);
// a name that also says what it identifies is the key's identifier, not the key (`ID da chave`, `key name`)
const IDENTIFIER_TOKENS = new Set([
  'id',
  'ids',
  'name',
  'nome',
  'nombre',
  'nom',
  'identificador',
  'identifiant',
  'alias',
  'fingerprint',
  'label',
  'rotulo',
  'etiqueta',
]);

/** Lower case, accents removed (`Contraseña` → `contrasena`, `Schlüssel` → `schlussel`). */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function tokens(name: string): string[] {
  return fold(name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2'))
    .split(/[^a-z0-9]+/)
    .map((t) => t.replace(/\d+$/, ''))
    .filter((t) => t !== '');
}

/**
 * True when a field name or a label (any of the five languages) looks like it holds a secret.
 * @example isSecretName('apiKey') // true
 * @example isSecretName('Palavra-passe') // true
 * @example isSecretName('keyName') // false
 */
function isSecretName(name: string): boolean {
  const norm = fold(name).replace(/[^a-z0-9]/g, '');
  if (norm === '') return false;
  for (const s of SUBSTRINGS) if (norm.includes(s)) return true;
  const t = tokens(name);
  for (let i = 0; i < t.length; i++) {
    const w = t[i] as string;
    if (TOKENS.has(w)) return true;
    if (LAST_TOKENS.has(w) && (i === t.length - 1 || KEY_MATERIAL.has(t[i + 1] as string)))
      if (!t.some((x) => IDENTIFIER_TOKENS.has(x))) return true;
  }
  return false;
}

interface ValuePattern {
  /** a cheap necessary condition (a substring test): the pattern is skipped when it fails */
  readonly hint: (s: string) => boolean;
  readonly re: RegExp;
  readonly replace: string | ((m: string, ...groups: string[]) => string);
}

const PHRASES: readonly string[] = LANGS.flatMap((l) => l.phrases);
const INLINE_KEYS = PHRASES.join('|');

/**
 * The longest run of characters a match of `phrase` must contain, read off its (small) regex syntax:
 * plain characters at the top level, a character followed by `?` being optional, a group or a class
 * ending the run. `api[_ -]?key` → `api`, `credentials?` → `credential`, `cl(?:é|e) secr(?:è|e)te` →
 * ` secr`. Every phrase has one (a test checks it and that the hint below stays a necessary condition).
 */
function mandatoryLiteral(phrase: string): string {
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < phrase.length; i++) {
    const c = phrase[i] as string;
    if (c === '(' || c === '[') {
      end();
      const close = c === '(' ? ')' : ']';
      while (i < phrase.length && phrase[i] !== close) i++;
      if (phrase[i + 1] === '?' || phrase[i + 1] === '*' || phrase[i + 1] === '+') i++;
    } else if (c === '?' || c === '*' || c === '{') {
      // the character before is optional (or repeated): it cannot be part of a mandatory run
      run = run.slice(0, -1);
      end();
    } else if (c === '\\' || c === '|' || c === '.' || c === '^' || c === '$' || c === '+') {
      end();
      if (c === '\\') i++;
    } else run += c;
  }
  end();
  return best;
}

/** Some phrase's mandatory text, case-folded as the inline pattern folds it (`iu`). */
const INLINE_HINT = new RegExp(
  PHRASES.map((p) => mandatoryLiteral(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  'iu',
);

// Every pattern is linear in the input (no nested unbounded quantifiers over overlapping classes).
const STRUCTURAL: readonly ValuePattern[] = [
  // PEM blocks (private keys, certificates with keys); an unterminated block is redacted to the end
  {
    hint: (s) => s.includes('-----BEGIN'),
    re: /-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g,
    replace: REDACTED,
  },
  // JSON Web Tokens
  {
    hint: (s) => s.includes('eyJ'),
    re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: REDACTED,
  },
  // AWS access key ids
  {
    hint: (s) => s.length >= 20 && s.includes('A'),
    re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b/g,
    replace: REDACTED,
  },
  // well-known token formats
  {
    // every alternative has a literal `_` or `-`
    hint: (s) => s.length >= 20 && (s.includes('_') || s.includes('-')),
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:sk|rk)_live_[A-Za-z0-9]{16,})/g,
    replace: REDACTED,
  },
  // HTTP credentials
  {
    hint: (s) => /bearer|basic|digest/i.test(s),
    re: /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, scheme) => `${scheme} ${REDACTED}`,
  },
  // URL user-info: scheme://user:password@host, the password running to the LAST @ of the authority
  // (mongodb://admin:p@ssw0rd!@db); RFC 3986 §3.2: the authority ends at the first /, ? or #
  {
    hint: (s) => s.includes('://'),
    re: /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s/?#:@]{0,128}:)[^\s/?#]{0,512}@(?=[^\s/?#@]*(?:[\s/?#]|$))/gi,
    replace: (_m, pre) => `${pre}${REDACTED}@`,
  },
  // inline assignments in free text: password=…, senha: …, "apiKey": "…", mot de passe = …; an
  // unquoted value runs to the next `name=`/`name:`, a separator (, ; & ) ] }) or the end, so a
  // value with spaces (`password=hunter 2 used`) is redacted whole. Not after `:` or `/` (ARNs:
  // `…:secret:prod/db` is a resource name, not an assignment).
  {
    hint: (s) => (s.includes('=') || s.includes(':')) && INLINE_HINT.test(s),
    re: new RegExp(
      `(?<![\\w:/.-])((?:[A-Za-z0-9]{0,20}[_-]?)?(?:${INLINE_KEYS})["']?\\s{0,3}[:=]\\s{0,3})("[^"]{0,512}"|'[^']{0,512}'|[^\\s,;&"')\\]}][^,;&\\n)\\]}]{0,511}?)(?=\\s+[\\p{L}\\w.-]{1,40}\\s?[=:]|[,;&\\n)\\]}]|\\s*$)`,
      'giu',
    ),
    replace: (m, pre, value) => (value.startsWith(REDACTED) ? m : `${pre}${REDACTED}`),
  },
];

// cheap pre-check: values without any of these cannot match a structural pattern (the common case)
const MAYBE_STRUCTURAL = /-----BEGIN|eyJ|_|xox|Bearer|Basic|Digest|:\/\/|[:=]|AKIA|ASIA|\s-|\||<<</i;

function applyPatterns(s: string, patterns: readonly ValuePattern[]): string {
  let out = s;
  for (const p of patterns) {
    if (!p.hint(out)) continue;
    p.re.lastIndex = 0;
    if (p.re.test(out)) {
      p.re.lastIndex = 0;
      out = out.replace(p.re, p.replace as (m: string, ...g: string[]) => string);
    }
  }
  return out;
}

/**
 * The structural patterns only (what SIEM output gets): formats, URL user-info, inline
 * assignments, command-line secrets.
 * @example scrubStructural('mongodb://admin:p@ssw0rd!@db') // 'mongodb://admin:[redacted]@db'
 */
function scrubStructural(s: string): string {
  if (s.length < 6 || !MAYBE_STRUCTURAL.test(s)) return s;
  return redactCommandSecrets(applyPatterns(s, STRUCTURAL), REDACTED);
}

// base64/base64url runs (separators included)
const BLOB = /[A-Za-z0-9+/=_-]{24,}/g;
// an AWS secret access key: exactly 40 base64 characters
const AWS_SECRET_KEY = /^[A-Za-z0-9+/]{40}$/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /[0-9]/;
const WORD_PIECES = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g;

function charClass(c: number): number {
  return c >= 65 && c <= 90 ? 0 : c >= 97 && c <= 122 ? 1 : 2;
}

/**
 * Does a base64-alphabet run read as random data? Random data switches between upper case, lower
 * case and digits at almost every character and has few word-like pieces; identifiers, paths and
 * ARNs are made of words (`SeguraBackup_2026-01-19`, `role/SeguraRelayRole`) and numbers.
 */
function isOpaqueBlob(run: string): boolean {
  const a = run.replace(/[^A-Za-z0-9]/g, '');
  if (a.length < 20 || !UPPER.test(a) || !LOWER.test(a) || !DIGIT.test(a)) return false;
  if (AWS_SECRET_KEY.test(run) && !run.startsWith('/')) return true;
  let switches = 0;
  for (let i = 1; i < a.length; i++) if (charClass(a.charCodeAt(i)) !== charClass(a.charCodeAt(i - 1))) switches++;
  if (switches / (a.length - 1) < 0.45) return false;
  let wordy = 0;
  for (const w of a.match(WORD_PIECES) ?? [])
    if (w.length >= 3 && /[aeiouy]/i.test(w) && !/[^aeiouy0-9]{5}/i.test(w)) wordy += w.length;
  return wordy / a.length < 0.5;
}

/**
 * Replace secret-looking substrings of a value with `[redacted]` (alerts: structural patterns and
 * opaque blobs).
 * @example scrubValue('key AKIAIOSFODNN7EXAMPLE used') // 'key [redacted] used'
 */
function scrubValue(s: string): string {
  const out = scrubStructural(s);
  if (out.length < 24) return out;
  return out.replace(BLOB, (m) => (isOpaqueBlob(m) ? REDACTED : m));
}

/** A null-prototype record: `constructor`, `__proto__`… are plain keys, never inherited members. */
function record(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** Is field `k` secret by its name or its CEF label (`<k>Label`)? */
function secretField(fields: Readonly<Record<string, string>>, k: string): boolean {
  const label = Object.hasOwn(fields, `${k}Label`) ? fields[`${k}Label`] : undefined;
  return secretName(k) || (label !== undefined && secretName(label));
}

/**
 * Scrub an ordered field map for alerts: secret keys (and CEF custom strings whose label looks
 * secret) are redacted whole, every other value is scrubbed by pattern. Key order is kept; the
 * result has no prototype.
 * @example scrubFields({ cs1Label: 'Password', cs1: 'hunter2' }) // { cs1Label: 'Password', cs1: '[redacted]' }
 */
function scrubFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out = record();
  for (const k of Object.keys(fields)) out[k] = secretField(fields, k) ? REDACTED : scrubValue(fields[k] as string);
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

/**
 * The fields a SIEM may receive: secret-looking keys and secret-labeled custom strings become
 * `[redacted]`; in every other value the structural patterns (formats, URL user-info, inline
 * assignments, command-line secrets) are redacted. Returns the same object when nothing changed
 * (the common case).
 * @example redactSecretFields({ suser: 'jsilva', password: 'x' }) // { suser: 'jsilva', password: '[redacted]' }
 */
function redactSecretFields(fields: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let out: Record<string, string> | null = null;
  for (const k of Object.keys(fields)) {
    const v = fields[k] as string;
    const next = secretField(fields, k) ? REDACTED : scrubStructural(v);
    if (next !== v) {
      if (out === null) {
        out = record();
        for (const j of Object.keys(fields)) out[j] = fields[j] as string;
      }
      out[k] = next;
    }
  }
  return out ?? fields;
}

/** The event with its secret fields redacted and flagged; the same event when it has none. */
function redactSecrets(e: SecurityEvent): SecurityEvent {
  const fields = redactSecretFields(e.fields);
  return fields === e.fields ? e : { ...e, fields, flags: [...e.flags, EVENT_FLAGS.secretsRedacted] };
}

export {
  fold,
  INLINE_HINT,
  isSecretName,
  mandatoryLiteral,
  REDACTED,
  redactSecretFields,
  redactSecrets,
  SECRET_LABELS,
  STRUCTURAL,
  scrubFields,
  scrubStructural,
  scrubValue,
  secretField,
};
