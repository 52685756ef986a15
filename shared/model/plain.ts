/**
 * A fast path shared by the parser and the renderers. A JSON text that contains no backslash and
 * no `=` cannot hold, in any string, a character that cleaning or CEF escaping would change: JSON
 * forbids raw control characters, and a quote, a backslash, CR or LF must all be written with a
 * backslash. The parser marks the field record of such an input; renderers then skip the
 * per-value escape scans. The mark lives in a WeakSet: the record itself is not changed.
 */

const PLAIN = new WeakSet<object>();
// DEL and C1 controls may appear raw in JSON text (only U+0000–U+001F must be escaped)
const C1 = /[\u007f-\u009f]/;

/** True when every string in this JSON text is free of `\`, `=`, `"`, CR, LF and controls. */
function isPlainJson(text: string): boolean {
  return text.indexOf('\\') === -1 && text.indexOf('=') === -1 && !C1.test(text);
}

function markPlain(fields: object): void {
  PLAIN.add(fields);
}

function isPlain(fields: object): boolean {
  return PLAIN.has(fields);
}

export { isPlain, isPlainJson, markPlain };
