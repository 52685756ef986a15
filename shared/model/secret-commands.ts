/**
 * Secret arguments of credential-taking commands, found in typed command lines (audited command
 * events carry what the user typed: `mysql -uroot -phunter2`, `echo 'root:X' | chpasswd`).
 *
 * A value is split into shell-like tokens (single and double quotes, backslash escapes) and
 * segments (`|`, `;`, `&`, `<`, `>`, `(`, `)`). Wherever a token names a known command (its base
 * name, `.exe` dropped), that command's rule reads the tokens after it, up to the end of the
 * segment: options whose value is a password (`-p`, `--password`, `-w`…), `user:password` or
 * `user%password` pairs, positional passwords (`net user NAME PASSWORD`, `htpasswd -b FILE USER
 * PASSWORD`), and the text piped or fed to a command that reads a password on standard input
 * (`echo X | sudo -S`, `chpasswd`, `passwd --stdin`, `--password-stdin`). Any long option whose
 * name looks secret (`--password=…`, `--client-secret …`, `--api-key …`) is redacted in every
 * command. Only the secret part is replaced: `-u admin:[redacted]`, `-p[redacted]`.
 *
 * Linear in the value: one pass to tokenize, one pass per segment.
 * @see https://dev.mysql.com/doc/refman/8.4/en/connection-options.html#option_general_password
 * @see https://curl.se/docs/manpage.html#-u
 */

/** How a command takes a secret. */
interface CommandRule {
  /** short options whose value (attached `-pX` or next token) is a password */
  readonly short?: readonly string[];
  /** short options whose value is secret only when attached (`-pX`); a separate token is something else */
  readonly shortAttached?: readonly string[];
  /** options (short or long) whose value is `user:password` (curl) or `user%password` (Samba) */
  readonly userPass?: readonly string[];
  /** the separator of `userPass` values */
  readonly userPassSeparator?: ':' | '%';
  /** options whose value is `pass:SECRET` (OpenSSL pass phrase arguments) */
  readonly passPhrase?: readonly string[];
  /** a positional rule: after these leading words (a subcommand), the n-th positional (0-based) is secret */
  readonly positional?: { readonly after: readonly string[]; readonly index: number };
  /** with one of these flags present, the LAST positional is the password (htpasswd -b) */
  readonly lastPositionalWith?: readonly string[];
  /** only applies after this subcommand (docker login) */
  readonly subcommand?: string;
  /** reads a password on standard input (echo X | cmd); with `stdinWhen`, only with one of those options */
  readonly stdin?: 'password' | 'user:password';
  readonly stdinWhen?: readonly string[];
}

const MYSQL: CommandRule = { short: ['p'] };
const LDAP: CommandRule = { short: ['w'] };
const SMB: CommandRule = { userPass: ['-U', '--user'], userPassSeparator: '%' };
const REGISTRY_LOGIN: CommandRule = {
  short: ['p'],
  subcommand: 'login',
  stdin: 'password',
  stdinWhen: ['--password-stdin'],
};

/** The commands whose secret arguments are known (the relay's own table; extend here). */
const COMMAND_RULES: Readonly<Record<string, CommandRule>> = {
  curl: { userPass: ['-u', '--user', '-U', '--proxy-user'], userPassSeparator: ':' },
  mysql: MYSQL,
  mysqldump: MYSQL,
  mysqladmin: MYSQL,
  mysqlimport: MYSQL,
  mysqlshow: MYSQL,
  mysqlcheck: MYSQL,
  mariadb: MYSQL,
  'mariadb-dump': MYSQL,
  mongo: { short: ['p'] },
  mongosh: { short: ['p'] },
  mongodump: { short: ['p'] },
  sqlcmd: { short: ['P'] },
  bcp: { short: ['P'] },
  sshpass: { short: ['p'] },
  rdesktop: { short: ['p'] },
  net: { positional: { after: ['user'], index: 1 } },
  smbclient: SMB,
  rpcclient: SMB,
  smbcacls: SMB,
  smbget: SMB,
  sudo: { stdin: 'password', stdinWhen: ['-S', '--stdin'] },
  chpasswd: { stdin: 'user:password' },
  passwd: { stdin: 'password', stdinWhen: ['--stdin'] },
  smbpasswd: { stdin: 'password', stdinWhen: ['-s'] },
  useradd: { short: ['p'] },
  usermod: { short: ['p'] },
  ldapsearch: LDAP,
  ldapadd: LDAP,
  ldapmodify: LDAP,
  ldapdelete: LDAP,
  ldapwhoami: LDAP,
  ldapcompare: LDAP,
  ldapmodrdn: LDAP,
  ldapexop: LDAP,
  ldappasswd: { short: ['w', 's', 'a'] },
  htpasswd: { lastPositionalWith: ['-b'] },
  'redis-cli': { short: ['a'] },
  docker: REGISTRY_LOGIN,
  podman: REGISTRY_LOGIN,
  nerdctl: REGISTRY_LOGIN,
  buildah: REGISTRY_LOGIN,
  skopeo: REGISTRY_LOGIN,
  openssl: { passPhrase: ['-passin', '-passout', '-pass', '-k'] },
};

/** Long options (without `--`) that look secret but take no secret value. */
const SECRET_FLAG_SUFFIX =
  /(?:^no-|^ask-?|stdin$|[-_]?file$|[-_]?prompt$|[-_]?env$|[-_]?path$|[-_]?command$|[-_]?cmd$)/i;
const SECRET_OPTION =
  /^(?:pass(?:word|wd|phrase)?|pwd|secret|client[-_]?secret|token|api[-_]?key|access[-_]?key|secret[-_]?key|private[-_]?key|auth[-_]?token|(?:http|ftp|proxy|db|admin|new|old|bind|key|store|trust)[-_]?pass(?:word|wd)?|oauth2-bearer|sasl-password)$/i;

interface Token {
  /** the token's text after quote removal */
  readonly value: string;
  /** offsets in the original string */
  readonly start: number;
  readonly end: number;
  /** an operator (`|`, `;`, `&`, `<`, `>`, `(`, `)`, `<<<`) rather than a word */
  readonly op: boolean;
}

const OPERATOR = /[|;&<>()`\n]/;

/** Shell-like tokens; an unterminated quote is taken literally. */
function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (OPERATOR.test(c)) {
      let j = i + 1;
      if (c === '<' && s.startsWith('<<', i + 1)) j = i + 3;
      else if ((c === '|' || c === '&' || c === '>' || c === '<') && s[i + 1] === c) j = i + 2;
      out.push({ value: s.slice(i, j), start: i, end: j, op: true });
      i = j;
      continue;
    }
    let value = '';
    const start = i;
    while (i < n) {
      const d = s[i] as string;
      if (d === ' ' || d === '\t' || d === '\r' || OPERATOR.test(d)) break;
      if (d === "'" || d === '"') {
        const close = s.indexOf(d, i + 1);
        if (close < 0) {
          value += d;
          i++;
          continue;
        }
        value += d === '"' ? s.slice(i + 1, close).replace(/\\(["\\$`])/g, '$1') : s.slice(i + 1, close);
        i = close + 1;
        continue;
      }
      if (d === '\\' && i + 1 < n) {
        value += s[i + 1];
        i += 2;
        continue;
      }
      value += d;
      i++;
    }
    out.push({ value, start, end: i, op: false });
  }
  return out;
}

/** `/usr/bin/mysql` → `mysql`; `C:\Windows\net.exe` → `net`. */
function commandName(word: string): string {
  const base = word.slice(Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1).toLowerCase();
  return base.endsWith('.exe') ? base.slice(0, -4) : base;
}

/** A replacement of part of the original string. */
interface Cut {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Replace the whole token by `keep + [redacted]`. */
function redactToken(t: Token, keep: string, redacted: string): Cut {
  return { start: t.start, end: t.end, text: `${keep}${redacted}` };
}

/** The secret part of a `user:password` / `user%password` value (the user is kept). */
function redactPair(t: Token, sep: string, redacted: string, valueOffset = 0, prefix = ''): Cut | null {
  const v = t.value.slice(valueOffset);
  const at = v.indexOf(sep);
  if (at < 0 || at === v.length - 1) return null;
  return redactToken(t, `${prefix}${v.slice(0, at + 1)}`, redacted);
}

function isOption(t: Token | undefined): boolean {
  return t !== undefined && !t.op && t.value.startsWith('-') && t.value.length > 1;
}

/** Cuts for one command starting at `words[at]`, reading words up to the end of its segment. */
function commandCuts(rule: CommandRule, words: readonly Token[], at: number, redacted: string): Cut[] {
  const cuts: Cut[] = [];
  let i = at + 1;
  if (rule.subcommand) {
    // the subcommand must come before any positional (options may precede it: docker --debug login)
    while (i < words.length && isOption(words[i])) i++;
    if (words[i]?.value !== rule.subcommand) return cuts;
    i++;
  }
  const positionals: Token[] = [];
  const flags = new Set<string>();
  for (; i < words.length; i++) {
    const t = words[i] as Token;
    const v = t.value;
    const next = words[i + 1];
    if (v.startsWith('--') && v.length > 2) {
      const eq = v.indexOf('=');
      const name = eq < 0 ? v : v.slice(0, eq);
      flags.add(name);
      if (rule.userPass?.includes(name)) {
        const sep = rule.userPassSeparator ?? ':';
        if (eq >= 0) {
          const c = redactPair(t, sep, redacted, eq + 1, `${name}=`);
          if (c) cuts.push(c);
        } else if (next && !next.op) {
          const c = redactPair(next, sep, redacted);
          if (c) cuts.push(c);
          i++;
        }
        continue;
      }
      if (isSecretOption(name.slice(2))) {
        if (eq >= 0) cuts.push(redactToken(t, `${name}=`, redacted));
        else if (next && !next.op && !isOption(next)) {
          cuts.push(redactToken(next, '', redacted));
          i++;
        }
      }
      continue;
    }
    if (v.startsWith('-') && v.length > 1) {
      flags.add(v);
      const letter = v[1] as string;
      const attached = v.slice(2);
      if (rule.userPass?.includes(`-${letter}`) && v.length >= 2) {
        const sep = rule.userPassSeparator ?? ':';
        if (attached !== '') {
          const c = redactPair(t, sep, redacted, 2, `-${letter}`);
          if (c) cuts.push(c);
        } else if (next && !next.op) {
          const c = redactPair(next, sep, redacted);
          if (c) cuts.push(c);
          i++;
        }
        continue;
      }
      if (rule.passPhrase?.includes(v) && next && !next.op) {
        // OpenSSL: pass:SECRET is the secret itself; env:VAR, file:PATH, fd:N and stdin name where it is
        if (/^pass:/i.test(next.value)) cuts.push(redactToken(next, 'pass:', redacted));
        else if (v === '-k') cuts.push(redactToken(next, '', redacted));
        i++;
        continue;
      }
      if (rule.short?.includes(letter) || rule.shortAttached?.includes(letter)) {
        if (attached !== '') cuts.push(redactToken(t, `-${letter}`, redacted));
        else if (rule.short?.includes(letter) && next && !next.op && !isOption(next)) {
          cuts.push(redactToken(next, '', redacted));
          i++;
        }
      }
      continue;
    }
    positionals.push(t);
  }
  if (rule.positional) {
    const { after, index } = rule.positional;
    const lead = positionals.slice(0, after.length).map((p) => p.value.toLowerCase());
    if (after.every((w, k) => lead[k] === w)) {
      const rest = positionals.slice(after.length).filter((p) => !p.value.startsWith('/'));
      const p = rest[index];
      // `net user NAME *` prompts for the password: nothing to redact
      if (p && p.value !== '*') cuts.push(redactToken(p, '', redacted));
    }
  }
  const bundled = (f: string, w: string) => f === w || (/^-[A-Za-z]{2,}$/.test(f) && f.includes(w.slice(1)));
  if (rule.lastPositionalWith?.some((w) => [...flags].some((f) => bundled(f, w)))) {
    // htpasswd -b FILE USER PASSWORD, htpasswd -nb USER PASSWORD: the password is the last positional
    const p = positionals.at(-1);
    if (p && positionals.length >= 2) cuts.push(redactToken(p, '', redacted));
  }
  return cuts;
}

/** Is a long option name (without `--`) one that takes a secret value? */
function isSecretOption(name: string): boolean {
  return SECRET_OPTION.test(name) && !SECRET_FLAG_SUFFIX.test(name);
}

/** Is `flag` among the words (`-S`, `-kS`, `--stdin`, `--password-stdin=…`)? */
function hasFlag(words: readonly Token[], flag: string): boolean {
  return words.some(
    (w) =>
      !w.op &&
      (w.value === flag ||
        w.value.startsWith(`${flag}=`) ||
        (flag.length === 2 && /^-[A-Za-z]{2,}$/.test(w.value) && w.value.includes(flag[1] as string))),
  );
}

/** Does the command at `words[at]` read a password on standard input, and in which form? */
function readsStdin(rule: CommandRule, words: readonly Token[], at: number): CommandRule['stdin'] | null {
  if (!rule.stdin) return null;
  const rest = words.slice(at + 1);
  if (rule.subcommand && !rest.some((w) => w.value === rule.subcommand)) return null;
  if (rule.stdinWhen && !rule.stdinWhen.some((f) => hasFlag(rest, f))) return null;
  return rule.stdin;
}

/** Segments of a token list, split at `|`, `;`, `&`, `(`, `)`, backquotes and newlines (redirections stay inside). */
function segments(tokens: readonly Token[]): { words: Token[]; end: Token | null }[] {
  const out: { words: Token[]; end: Token | null }[] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.op && !/^(?:<|>|>>|<<<)$/.test(t.value)) {
      out.push({ words: cur, end: t });
      cur = [];
    } else cur.push(t);
  }
  out.push({ words: cur, end: null });
  return out;
}

/** Cuts for a password fed on standard input: `echo X | cmd`, `printf '%s' X | cmd`, `cmd <<< X`. */
function stdinCuts(
  form: NonNullable<CommandRule['stdin']>,
  prev: { words: Token[]; end: Token | null } | undefined,
  seg: { words: Token[] },
  redacted: string,
): Cut[] {
  const cut = (a: Token): Cut =>
    (form === 'user:password' ? redactPair(a, ':', redacted) : null) ?? redactToken(a, '', redacted);
  const cuts: Cut[] = [];
  if (prev?.end?.value === '|') {
    // the command printing into the pipe: the last echo/printf of the previous segment (a typed
    // command may follow prose: "Command: echo 'X' | sudo -S …")
    const pw = prev.words.filter((w) => !w.op);
    let at = -1;
    for (let i = pw.length - 1; i >= 0; i--) {
      const name = commandName((pw[i] as Token).value);
      if (name === 'echo' || name === 'printf') {
        at = i;
        break;
      }
    }
    if (at >= 0) {
      const lead = commandName((pw[at] as Token).value);
      const args = pw.slice(at + 1).filter((w) => !(lead === 'echo' && /^-[neE]+$/.test(w.value)));
      for (const a of lead === 'printf' && args.length > 1 ? args.slice(1) : args) cuts.push(cut(a));
    }
  }
  const hs = seg.words.findIndex((w) => w.op && w.value === '<<<');
  const arg = hs >= 0 ? seg.words[hs + 1] : undefined;
  if (arg && !arg.op) cuts.push(cut(arg));
  return cuts;
}

// cheap pre-check: a known command name as a word, or a secret-looking long option
const MAYBE_COMMAND = new RegExp(
  `(?:^|[\\s/\\\\|;&(\`"'])(?:${Object.keys(COMMAND_RULES)
    .map((k) => k.replace(/[-]/g, '\\-'))
    .join('|')})(?:\\.exe)?(?=[\\s|;&)'"\`]|$)|--[A-Za-z-]*(?:pass|secret|token|key)`,
  'i',
);

/**
 * Redact the secret arguments of credential-taking commands in `s`.
 * @example redactCommandSecrets('mysql -uroot -phunter2 db', '[redacted]') // 'mysql -uroot -p[redacted] db'
 */
function redactCommandSecrets(s: string, redacted: string): string {
  // a command line has at least one word separator; most field values (names, hosts, ids) have none
  if (!(s.includes(' ') || s.includes('\t')) || !MAYBE_COMMAND.test(s)) return s;
  const segs = segments(tokenize(s));
  const cuts: Cut[] = [];
  segs.forEach((seg, k) => {
    const words = seg.words.filter((w) => !w.op);
    // every command: a secret-looking long option (--password=X, --client-secret X)
    cuts.push(...commandCuts({}, words, -1, redacted));
    for (let i = 0; i < words.length; i++) {
      const rule = COMMAND_RULES[commandName((words[i] as Token).value)];
      if (!rule) continue;
      cuts.push(...commandCuts(rule, words, i, redacted));
      const form = readsStdin(rule, words, i);
      if (form) cuts.push(...stdinCuts(form, segs[k - 1], seg, redacted));
    }
  });
  if (cuts.length === 0) return s;
  cuts.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  for (const c of cuts) {
    if (c.start < pos) continue; // overlapping: the first (widest) cut wins
    out += s.slice(pos, c.start) + c.text;
    pos = c.end;
  }
  return out + s.slice(pos);
}

export type { CommandRule };
export { COMMAND_RULES, redactCommandSecrets, tokenize };
