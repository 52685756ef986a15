/**
 * Per-channel escaping of every event value a template inserts (default or custom templates alike;
 * the literal text of a template is the rule author's and is never touched). After escaping, no
 * value can mention anyone, open a link or change formatting on the channel that shows it:
 *
 * | channel | escaping | why |
 * |---|---|---|
 * | sms, email (SNS `email` is text/plain), `email-json` | `text`: URL schemes defanged (`https[:]//…`) | no markup exists; clients auto-link URLs |
 * | chat (Amazon Q Developer in chat applications → Slack mrkdwn or Microsoft Teams markdown; or a webhook of either) | `chat`: every character with a meaning in Slack mrkdwn or Teams markdown becomes an inert look-alike, `@` before a name becomes `＠`, URL schemes defanged | one payload may be shown by either client; Slack has no escape for `* _ ~ \``, and look-alikes work in both |
 * | ticket | `html`: `& < > " '` as HTML entities, URL schemes defanged | ticketing systems render descriptions as HTML |
 *
 * @see https://api.slack.com/reference/surfaces/formatting#escaping (`&`, `<`, `>` are control characters)
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format (Teams markdown)
 */
import type { Channel } from './types.js';

/** The escapings. */
const MARKUPS = ['text', 'chat', 'html'] as const;
type Markup = (typeof MARKUPS)[number];

/** Which escaping each channel's values get. */
const CHANNEL_MARKUP: Readonly<Record<Channel, Markup>> = {
  sms: 'text',
  email: 'text',
  chat: 'chat',
  ticket: 'html',
};

// scheme:// → scheme[:]// (the defanging convention of security advisories): not clickable, still readable
const URL_SCHEME = /\b([a-z][a-z0-9+.-]{1,20}):\/\//gi;
const HAS_SCHEME = /:\/\//;

/** Plain text: URL schemes defanged. @example escapeText('see https://evil.example') // 'see https[:]//evil.example' */
function escapeText(s: string): string {
  return HAS_SCHEME.test(s) ? s.replace(URL_SCHEME, '$1[:]//') : s;
}

// Slack mrkdwn: & < > (control characters: links <url|text>, mentions <!channel> <@U…>), * _ ~ `
// (bold, italic, strike, code), > (quote). Teams markdown adds [ ] (links [text](url)), # (headings),
// \ (escapes), | (tables). Each becomes a look-alike no client parses.
const CHAT_LOOKALIKE: Readonly<Record<string, string>> = {
  '&': '＆',
  '<': '‹',
  '>': '›',
  '*': '∗',
  _: '＿',
  '~': '∼',
  '`': 'ˋ',
  '[': '［',
  ']': '］',
  '#': '＃',
  '\\': '∖',
  '|': '∣',
};
const CHAT_SPECIAL = /[&<>*_~`[\]#\\|]/g;
const HAS_CHAT_SPECIAL = /[&<>*_~`[\]#\\|@]|:\/\//;
// @here, @channel, @everyone, @user: an @ at the start of a word
const MENTION = /(^|[^\p{L}\p{N}_.+-])@(?=[\p{L}\p{N}_])/gu;

/** Chat (Slack mrkdwn / Teams markdown): inert look-alikes. @example escapeChat('<!channel> @here') // '‹!channel› ＠here' */
function escapeChat(s: string): string {
  if (!HAS_CHAT_SPECIAL.test(s)) return s;
  return escapeText(
    s
      .replace(CHAT_SPECIAL, (c) => CHAT_LOOKALIKE[c] ?? c)
      .replace(MENTION, '$1＠')
      // the relay's own markers stay recognisable; `[x]` not followed by `(` is no link in any flavour
      .replace(MARKER, '[$1]'),
  );
}
const MARKER = /［(redacted|truncated)］(?!\()/g;

const HTML_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const HTML_SPECIAL = /[&<>"']/g;
const HAS_HTML_SPECIAL = /[&<>"']|:\/\//;

/** HTML text content and attribute values. @example escapeHtml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;' */
function escapeHtml(s: string): string {
  if (!HAS_HTML_SPECIAL.test(s)) return s;
  return escapeText(s).replace(HTML_SPECIAL, (c) => HTML_ENTITY[c] ?? c);
}

const ESCAPERS: Readonly<Record<Markup, (s: string) => string>> = {
  text: escapeText,
  chat: escapeChat,
  html: escapeHtml,
};

/** The value escaper of a channel. */
function escaperFor(channel: Channel): (s: string) => string {
  return ESCAPERS[CHANNEL_MARKUP[channel]];
}

export type { Markup };
export { CHANNEL_MARKUP, ESCAPERS, escapeChat, escapeHtml, escaperFor, escapeText, MARKUPS };
