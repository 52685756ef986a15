/**
 * A first-line guard on rule regexes: the classic accidents (`(a+)+`, `(\w*)*`, `(.*,){2,}`),
 * backreferences and over-long patterns are refused at validation, with a message naming them.
 * It is a heuristic on the pattern's structure, not a proof: it misses overlapping alternation and
 * adjacent quantifiers (`(a|aa)+$`, `^\w*\w*\w*\w*!$`). The guarantee is the engine: rule regexes
 * run on RE2JS (`regex.ts`), linear in the input (≤ 1,024 characters per value), so no pattern can
 * stall the function whatever this guard lets through.
 * @see https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS
 */

/** Longest pattern accepted (characters). */
const MAX_PATTERN = 256;

interface Group {
  /** the group contains an unbounded quantifier (`*`, `+`, `{n,}`) */
  unbounded: boolean;
}

/** Quantifier at s[i], if any: its length and whether it repeats without bound / more than once. */
function quantifierAt(s: string, i: number): { len: number; repeats: boolean; unbounded: boolean } | null {
  const c = s[i];
  if (c === '*' || c === '+') return { len: s[i + 1] === '?' ? 2 : 1, repeats: true, unbounded: true };
  if (c === '?') return { len: s[i + 1] === '?' ? 2 : 1, repeats: false, unbounded: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}\??/.exec(s.slice(i));
    if (!m) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    return { len: m[0].length, repeats: max > 1, unbounded: max === Number.POSITIVE_INFINITY };
  }
  return null;
}

/**
 * Why a pattern is unsafe, or null when it looks safe.
 * @example regexRisk('(a+)+$') // 'nested quantifier "(a+)+" can backtrack catastrophically'
 */
function regexRisk(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `longer than ${MAX_PATTERN} characters`;
  const stack: { g: Group; start: number }[] = [];
  const root: Group = { unbounded: false };
  const top = (): Group => stack[stack.length - 1]?.g ?? root;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (/[1-9]/.test(n) || (n === 'k' && pattern[i + 2] === '<')) return 'backreferences are not supported';
      i += 2;
    } else if (c === '[') {
      // skip the character class
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      stack.push({ g: { unbounded: false }, start: i });
      i++;
      continue;
    } else if (c === ')') {
      const g = stack.pop();
      i++;
      if (!g) continue;
      const q = quantifierAt(pattern, i);
      if (q?.repeats && g.g.unbounded)
        return `nested quantifier "${pattern.slice(g.start, i + q.len)}" can backtrack catastrophically`;
      if (g.g.unbounded || q?.unbounded) top().unbounded = true;
      if (q) i += q.len;
      continue;
    } else {
      i++;
    }
    // a quantifier after an atom (escape, class or plain character)
    const q = quantifierAt(pattern, i);
    if (q) {
      if (q.unbounded) top().unbounded = true;
      i += q.len;
    }
  }
  return null;
}

export { MAX_PATTERN, regexRisk };
