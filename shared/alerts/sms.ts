/**
 * SMS text: GSM 03.38 (3GPP TS 23.038 §6.2.1) length counting, optional transliteration, and
 * truncation to one SMS.
 *
 * - A text made only of GSM-7 characters is sent in septets: basic-table characters cost 1, the
 *   extension table (`^ { } \ [ ~ ] | €`) costs 2 (escape + character). Budget: 140 septets.
 * - Any other character switches the whole message to UCS-2: 70 UTF-16 code units (a character
 *   outside the BMP, e.g. an emoji, costs 2).
 * - Alerts are one line: CR, LF, form feed, ESC and every other control character become spaces.
 * - Truncation keeps whole grapheme clusters, prefers a word boundary, ends with `...` (GSM-7 has no
 *   `…`) or `…` (UCS-2), and never cuts the protected suffix (the "+N similar" note).
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (SMS: 140 bytes = 160 GSM-7 / 70 UCS-2)
 */

/** GSM 03.38 basic character set, minus LF, CR and ESC (alerts are one line, without controls). */
const GSM_BASIC =
  '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** GSM 03.38 extension table (2 septets each), minus form feed. */
const GSM_EXTENSION = '^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** Septets per SMS we allow (the budget; one SMS carries 160). */
const GSM7_LIMIT = 140;
/** UTF-16 code units per UCS-2 SMS. */
const UCS2_LIMIT = 70;

type SmsEncoding = 'gsm7' | 'ucs2';

// typographic characters with a GSM-7 equivalent
const TYPOGRAPHIC: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u2022': '*',
  '\u00B7': '.',
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u202F': ' ',
  '\u00E7': 'c', // ç: GSM-7 has Ç only
  '\u00C0': 'A',
  '\u00B4': "'",
  '`': "'",
};

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Septets for a GSM-7 string, or -1 when some character is not in GSM-7. */
function gsm7Septets(s: string): number {
  let n = 0;
  for (const ch of s) {
    if (BASIC.has(ch)) n += 1;
    else if (EXTENSION.has(ch)) n += 2;
    else return -1;
  }
  return n;
}

/** @example isGsm7('José à São') // false (ã is not GSM-7) */
function isGsm7(s: string): boolean {
  return gsm7Septets(s) >= 0;
}

/** Cost of a string in the given encoding (septets or UTF-16 units). */
function smsCost(s: string, enc: SmsEncoding): number {
  return enc === 'gsm7' ? gsm7Septets(s) : s.length;
}

/**
 * Replace characters GSM-7 lacks with their closest GSM-7 spelling when one exists (accents
 * dropped: ã → a, ô → o; typographic quotes and dashes → ASCII). Characters with no equivalent
 * (CJK, emoji) are kept, so the caller can fall back to UCS-2.
 * @example transliterate('São Paulo – “ok”') // 'Sao Paulo - "ok"'
 */
function transliterate(s: string): string {
  if (isGsm7(s)) return s;
  let out = '';
  // per grapheme cluster: a letter with any number of accents (ã, ẫ, "Zalgo" stacks) maps to its base
  for (const { segment } of segmenter.segment(s)) {
    if (isGsm7(segment)) out += segment;
    else if (TYPOGRAPHIC[segment] !== undefined) out += TYPOGRAPHIC[segment];
    else {
      const base = segment.normalize('NFD').replace(/\p{M}/gu, '');
      if (base !== '' && isGsm7(base)) out += base;
      else if (base.length === 1 && TYPOGRAPHIC[base] !== undefined) out += TYPOGRAPHIC[base];
      else out += segment;
    }
  }
  return out;
}

/** One line, no control characters (C0, DEL, C1, line/paragraph separators), single spaces. */
function oneLine(s: string): string {
  return s
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

interface SmsText {
  /** the text to publish */
  readonly text: string;
  readonly encoding: SmsEncoding;
  /** septets (gsm7) or UTF-16 code units (ucs2) the text costs */
  readonly units: number;
  /** the budget the text had to fit (after the display-name reserve) */
  readonly limit: number;
  readonly truncated: boolean;
}

interface SmsOptions {
  /** @default true */
  readonly transliterate?: boolean;
  /** characters SNS adds in front (topic display name + `> `). @default 0 */
  readonly reserve?: number;
}

/** The longest prefix of `s` (whole graphemes) costing ≤ budget, preferring a word boundary. */
function cut(s: string, budget: number, enc: SmsEncoding): string {
  let kept = '';
  let cost = 0;
  for (const { segment } of segmenter.segment(s)) {
    const c = smsCost(segment, enc);
    if (cost + c > budget) break;
    kept += segment;
    cost += c;
  }
  // prefer ending at a word boundary when one is close (within the last quarter of what was kept)
  const space = kept.lastIndexOf(' ');
  if (space > 0 && space >= kept.length * 0.75 && kept.length < s.length) kept = kept.slice(0, space);
  return kept.replace(/[\s,;:.\-–—]+$/u, '');
}

/**
 * Fit `main` + `suffix` into one SMS. `suffix` (e.g. " (+12 similar in the last 10 min)") is never
 * cut; `main` is shortened with an ellipsis when needed.
 * @example fitSms('Master key recovery failed on vault-01', '').encoding // 'gsm7'
 */
function fitSms(main: string, suffix = '', o: SmsOptions = {}): SmsText {
  const reserve = Math.max(0, o.reserve ?? 0);
  let m = oneLine(main);
  let x = suffix === '' ? '' : ` ${oneLine(suffix)}`;
  if (o.transliterate ?? true) {
    const tm = transliterate(m);
    const tx = transliterate(x);
    // transliterate only when it makes the whole text GSM-7; otherwise keep the original UCS-2 text
    if (isGsm7(tm + tx)) {
      m = tm;
      x = tx;
    }
  }
  const encoding: SmsEncoding = isGsm7(m + x) ? 'gsm7' : 'ucs2';
  const limit = (encoding === 'gsm7' ? GSM7_LIMIT : UCS2_LIMIT) - reserve;
  const whole = m + x;
  if (smsCost(whole, encoding) <= limit) {
    return { text: whole, encoding, units: smsCost(whole, encoding), limit, truncated: false };
  }
  const ellipsis = encoding === 'gsm7' ? '...' : '…';
  let tail = ellipsis + x;
  if (smsCost(tail, encoding) > limit) {
    // a suffix longer than the budget (a misconfigured reserve): cut it too
    tail = ellipsis;
    x = '';
  }
  const head = cut(m, Math.max(0, limit - smsCost(tail, encoding)), encoding);
  const text = (head + tail).trim();
  return { text, encoding, units: smsCost(text, encoding), limit, truncated: true };
}

export type { SmsEncoding, SmsOptions, SmsText };
export { fitSms, GSM7_LIMIT, gsm7Septets, isGsm7, oneLine, smsCost, transliterate, UCS2_LIMIT };
