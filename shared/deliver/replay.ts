/**
 * Replayed lines: events a destination already rendered and sent once, put back into that
 * destination's queue by `segura-relay redrive --from-s3` (Firehose gave up on them and wrote them
 * to the backup bucket). The rendered line is all that survives (the wire event is not in the
 * backup), so a replay message carries the line itself, marked with {@link REPLAY_ATTR}.format;
 * the delivery function sends it unchanged after {@link replayLineIssue} accepted it.
 *
 * Pure functions over strings: the CLI (what to replay, the event id filter) and deliver-batch
 * (what to accept) share them.
 */
import { REPLAY_ATTR } from '../contracts/index.js';
import { errorMessage } from '../errors.js';
import type { Format } from '../render/types.js';

/** The format a rendered line is in, from its first bytes; null when none fits. */
function formatOfLine(line: string): Format | null {
  if (line.startsWith('CEF:')) return 'cef';
  if (line.startsWith('LEEF:')) return 'leef';
  if (/^<\d{1,3}>1 /.test(line)) return 'rfc5424';
  if (line.startsWith('{')) return 'ecs';
  return null;
}

/** Split a CEF or LEEF header on unescaped `|` (CEF escapes `\|` and `\\` in header fields). */
function headerFields(line: string, count: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length && out.length < count; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      i++;
    } else if (c === '|') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  return out;
}

/**
 * The vault event id a rendered line carries (CEF and LEEF: the header's event id; RFC 5424: MSGID,
 * else the `eventId` SD-PARAM; ECS: `event.code`, else `segura.event.id`), or null.
 *
 * @example
 * ```ts
 * eventIdOfLine('CEF:0|MT4|Segura|3|164|Password viewed|3|rt=…'); // '164'
 * ```
 */
function eventIdOfLine(line: string): string | null {
  const format = formatOfLine(line);
  if (format === 'cef' || format === 'leef') {
    const f = headerFields(line, 5);
    return f.length === 5 && f[4] !== '' ? (f[4] as string) : null;
  }
  if (format === 'rfc5424') {
    const msgid = line.split(' ', 7)[5];
    if (msgid !== undefined && msgid !== '-') return msgid;
    const m = /\[[^\s\]]+ (?:[^\]]*? )?eventId="((?:\\.|[^"\\])*)"/.exec(line);
    return m ? (m[1] as string).replace(/\\(["\\\]])/g, '$1') : null;
  }
  if (format === 'ecs') {
    try {
      const o = JSON.parse(line) as { event?: { code?: unknown }; segura?: { event?: { id?: unknown } } };
      const id = o.event?.code ?? o.segura?.event?.id;
      return typeof id === 'string' && id !== '' ? id : null;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Why a replayed line cannot be sent to a destination rendering `format` (undefined: it can): it
 * must be one line (no CR, LF or NUL: a forged second record must not ride along) in that format.
 */
function replayLineIssue(line: string, format: Format): string | undefined {
  if (line === '') return 'empty line';
  if (/[\r\n\0]/.test(line)) return 'the line holds CR, LF or NUL: one event per replay message';
  const got = formatOfLine(line);
  if (got !== format)
    return `the line is ${got === null ? 'in no format the relay renders' : `rendered as ${got}`}; this destination sends ${format}`;
  if (format === 'ecs') {
    try {
      const o: unknown = JSON.parse(line);
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'the ECS line is not a JSON object';
    } catch (e) {
      return `the ECS line is not JSON: ${errorMessage(e)}`;
    }
  }
  return undefined;
}

export { eventIdOfLine, formatOfLine, REPLAY_ATTR, replayLineIssue };
