/**
 * User regular expressions (rule `fields.<key>.regex`) run on RE2JS, a pure-JavaScript port of RE2
 * whose matching time is linear in the input: no pattern, however written, can backtrack
 * (`(a|aa)+$`, `^(?:a|ab|b)*c$` and `(\w|\d)+$` take microseconds on a 1,024-character value, where
 * the JavaScript engine takes seconds to forever). The validator's structural guard
 * (`regex-guard.ts`) stays in front as a first line, so rules keep the same limits whatever engine
 * evaluates them. Syntax is RE2's after RE2JS translates JavaScript forms (`\u00e3`, `(?<name>…)`);
 * lookarounds and backreferences, which need backtracking, are rejected at validation.
 * @see https://github.com/google/re2/wiki/Syntax
 * @see https://github.com/le0pard/re2js
 */
import { RE2JS } from 're2js';
import { errorMessage } from '../errors.js';

/** A compiled user regex: `test` is linear in the input length. */
interface UserRegex {
  readonly source: string;
  readonly ignoreCase: boolean;
  test(input: string): boolean;
}

/** The pattern does not compile (the message is the engine's, e.g. "invalid or unsupported Perl syntax: `(?=`"). */
class RegexSyntaxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegexSyntaxError';
  }
}

/**
 * Compile a rule regex on the linear-time engine. Throws RegexSyntaxError.
 * @example compileUserRegex('panic button', true).test('PANIC BUTTON pressed') // true
 */
function compileUserRegex(source: string, ignoreCase: boolean): UserRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    const msg = errorMessage(e).replace(/^error parsing regexp: /, '');
    throw new RegexSyntaxError(msg, { cause: e });
  }
  return { source, ignoreCase, test: (input) => re.test(input) };
}

export type { UserRegex };
export { compileUserRegex, RegexSyntaxError };
