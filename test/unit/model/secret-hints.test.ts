/**
 * The structural secret patterns skip a value when their `hint` says it cannot match (the hot path
 * of every rendered event). A hint must be a necessary condition: with or without hints, every
 * value comes out the same. Checked here against the patterns applied unconditionally, on values
 * built from the fragments the patterns look for (in both cases, with accents and Unicode case
 * variants) and on arbitrary text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INLINE_HINT,
  mandatoryLiteral,
  SECRET_LABELS,
  STRUCTURAL,
  scrubStructural,
} from '../../../shared/model/secrets.js';

/** The patterns applied one after the other with no hint: what the hints must not change. */
function unhinted(s: string): string {
  let out = s;
  for (const p of STRUCTURAL) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, p.replace as (m: string, ...g: string[]) => string);
  }
  return out;
}

function hinted(s: string): string {
  let out = s;
  for (const p of STRUCTURAL) {
    if (!p.hint(out)) continue;
    p.re.lastIndex = 0;
    out = out.replace(p.re, p.replace as (m: string, ...g: string[]) => string);
  }
  return out;
}

const PHRASES = Object.values(SECRET_LABELS).flatMap((l) => [...l.phrases]);

const FRAGMENTS = [
  'password',
  'PassWord',
  'passwd',
  'Passphrase',
  'pwd',
  'SECRET',
  'token',
  'api_key',
  'apiKey',
  'API-KEY',
  'api key',
  'private_key',
  'privateKey',
  'access-key',
  'credentials',
  'Credential',
  'recovery phrase',
  'senha',
  'Senha',
  'segredo',
  'credencial',
  'chave de acesso',
  'chave privada',
  'palavra-passe',
  'palavra passe',
  'contraseña',
  'Contrasena',
  'clave',
  'mot de passe',
  'clé secrète',
  'cle secrete',
  'jeton',
  'Passwort',
  'kennwort',
  // Unicode case folding under the `iu` flags: long s and the Kelvin sign fold to s and k
  'paſsword',
  'api_\u212Aey',
  '=',
  ':',
  ': ',
  ' = ',
  '"',
  "'",
  ' ',
  '\t',
  ',',
  ';',
  '&',
  ')',
  '\n',
  'hunter2',
  'Hunter 2 used',
  'user_name',
  'db-01',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_0123456789abcdefghijABCDEFGHIJ',
  'glpat-0123456789abcdefghij',
  'xoxb-0123456789-abcdef',
  'sk_live_0123456789abcdef',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
  'Bearer abcdefgh12345678',
  'basic dXNlcjpwYXNz',
  'mongodb://admin:p@ss@db/x',
  'https://host/a?b=c',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
  'arn:aws:secretsmanager:us-east-1:1:secret:prod/db',
  '10:41:00',
];

describe('secret pattern hints', () => {
  it('each inline phrase has a mandatory literal that its own matches contain', () => {
    for (const p of PHRASES) {
      const lit = mandatoryLiteral(p);
      expect(lit.length, p).toBeGreaterThanOrEqual(3);
      // every way of writing the phrase (its regex, whole) contains the literal
      const whole = new RegExp(`^(?:${p})$`, 'iu');
      const samples = FRAGMENTS.filter((f) => whole.test(f));
      for (const f of samples) expect(INLINE_HINT.test(f), `${p} / ${f}`).toBe(true);
    }
    // a phrase a fragment does not spell is still covered through its literal
    expect(mandatoryLiteral('api[_ -]?key')).toBe('api');
    expect(mandatoryLiteral('credentials?')).toBe('credential');
    expect(mandatoryLiteral('cl(?:é|e) secr(?:è|e)te')).toBe(' secr');
    expect(mandatoryLiteral('contrase(?:ñ|n)a')).toBe('contrase');
  });

  it('hints never change a value: fragments of secrets, separators and ordinary text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(hinted(s)).toBe(unhinted(s));
      }),
      { numRuns: 4000 },
    );
  });

  it('hints never change a value: arbitrary text with fragments mixed in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'grapheme', maxLength: 8 })), {
          maxLength: 10,
        }),
        (parts) => {
          const s = parts.join('');
          expect(hinted(s)).toBe(unhinted(s));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the hints still let every secret shape through to its pattern', () => {
    expect(scrubStructural('login ok password=hunter2')).toBe('login ok password=[redacted]');
    expect(scrubStructural('paſsword=hunter2')).toBe('paſsword=[redacted]');
    expect(scrubStructural('token ghp_0123456789abcdefghijABCDEFGHIJ pushed')).toBe('token [redacted] pushed');
    expect(scrubStructural('clé secrète: abc123')).toBe('clé secrète: [redacted]');
    // ordinary values with `:` or `_` and no secret word are left alone without running the pattern
    expect(INLINE_HINT.test('2026-01-19 10:41:00 user_name=jsilva')).toBe(false);
  });
});
