/**
 * Text hygiene for alert values: what a person sees on a phone, in a mailbox or a chat room must be
 * what the event says, without invisible characters that change the SMS encoding or reorder text.
 *
 * - **Removed**: format characters (Unicode category Cf: zero-width space, joiners, word joiner,
 *   BOM, soft hyphen, bidi embeddings/overrides/isolates, LRM/RLM/ALM, tag characters
 *   U+E0000–E007F, interlinear annotations), variation selectors, and Hangul fillers. One U+200B in a
 *   user name would otherwise force a whole SMS into UCS-2 (70 instead of 140 characters).
 * - **Spaces**: C0/C1 controls, DEL, line and paragraph separators (values are one line).
 * - **Collapsed**: a run of more than `MAX_MARKS` combining marks after a character keeps its first
 *   `MAX_MARKS` (NFC first, so precomposed accents count as none): "Zalgo" text cannot push the
 *   rest of a message out of an SMS, and every real script (Vietnamese, Thai, Devanagari) stays.
 * - **Cut** at grapheme-cluster boundaries (`Intl.Segmenter`), never between a letter and its accent
 *   or inside an emoji sequence, with a visible marker.
 * @see https://www.unicode.org/reports/tr29/ (grapheme clusters)
 * @see https://www.unicode.org/reports/tr44/#General_Category_Values (Cf, Mn, Me, Mc)
 */

/** What a value or text cut for length ends with. */
const TRUNCATED = '[truncated]';
/** Combining marks kept after one base character. */
const MAX_MARKS = 3;

// format characters, variation selectors (incl. the supplement), Hangul fillers, Mongolian FVS
const INVISIBLE_SOURCE = '\\p{Cf}|\\p{Variation_Selector}|[\\u115F\\u1160\\u3164\\uFFA0\\u180B-\\u180F]';
const INVISIBLE = new RegExp(INVISIBLE_SOURCE, 'gu');
const HAS_INVISIBLE = new RegExp(INVISIBLE_SOURCE, 'u');
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
const HAS_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const MARK_RUN = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');
const HAS_MARK = /\p{M}/u;
// fast path: printable ASCII and Latin-1 letters need none of the work below
const PLAIN = /^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u024F]*$/;

/**
 * One line of visible text: invisible characters removed, controls as single spaces, combining-mark
 * runs collapsed, trimmed.
 * @example visibleText('js\u200Bilva') // 'jsilva'
 */
function visibleText(s: string): string {
  if (PLAIN.test(s)) return s.includes('  ') ? s.replace(/ {2,}/g, ' ').trim() : s.trim();
  let v = s;
  if (HAS_INVISIBLE.test(v)) v = v.replace(INVISIBLE, '');
  if (HAS_CONTROLS.test(v)) v = v.replace(CONTROLS, ' ');
  if (HAS_MARK.test(v)) v = v.normalize('NFC').replace(MARK_RUN, '$1');
  return v.replace(/ {2,}/g, ' ').trim();
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** UTF-16 units on each side of a cut the segmenter sees. */
const WINDOW = 256;

/**
 * The longest prefix of `s` made of whole grapheme clusters and at most `max` UTF-16 units.
 * @example graphemePrefix('e\u0301e\u0301', 3) // 'e\u0301'
 */
function graphemePrefix(s: string, max: number): string {
  if (s.length <= max) return s;
  // segment only a window around the cut: the segmenter copies its whole input and yields an object
  // per cluster, and a body can be 250 KB. Cluster boundaries depend on a few neighbouring
  // characters only, so a window starting WINDOW units earlier finds the same last boundary.
  const from = Math.max(0, max - WINDOW);
  let end = from;
  for (const { segment, index } of segmenter.segment(s.slice(from, max + WINDOW))) {
    if (from + index + segment.length > max) break;
    end = from + index + segment.length;
  }
  return s.slice(0, end);
}

/**
 * Cut `s` to at most `max` UTF-16 units at a grapheme boundary, ending with ` [truncated]` (or with
 * `marker`) when anything was removed.
 * @example cutText('a'.repeat(600), 512).endsWith(' [truncated]') // true
 */
function cutText(s: string, max: number, marker = ` ${TRUNCATED}`): string {
  if (s.length <= max) return s;
  return `${graphemePrefix(s, Math.max(0, max - marker.length)).trimEnd()}${marker}`;
}

export { cutText, graphemePrefix, MAX_MARKS, TRUNCATED, visibleText };
