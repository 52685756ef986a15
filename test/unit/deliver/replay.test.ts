/**
 * Replayed lines (shared/deliver/replay.ts) and the pure parts of `redrive --from-s3`
 * (cli/redrive-s3.ts): every renderer's output is recognised with its event id; hostile lines
 * are refused with a reason; backup documents are read as Firehose writes them and garbage is
 * counted, never dropped silently; progress ranges round-trip and fit S3's tag limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatRanges,
  parseDocuments,
  parseRanges,
  parseS3Uri,
  progressValues,
  timeOption,
} from '../../../cli/redrive-s3.js';
import { sampleEvents } from '../../../local/sample-events.js';
import { eventIdOfLine, formatOfLine, replayLineIssue } from '../../../shared/deliver/replay.js';
import { parseInput } from '../../../shared/parse/parse-payload.js';
import { createRenderer, FORMATS, type Format } from '../../../shared/render/index.js';

const events = [...sampleEvents(200, 2026)].map((e) => parseInput(JSON.stringify(e)));

describe('replayed lines', () => {
  it.each(FORMATS)('%s: every rendered event is recognised, with its event id, and accepted for %s', (format) => {
    const r = createRenderer(format as Format, {});
    for (const e of events) {
      const line = r.render(e);
      expect(formatOfLine(line)).toBe(format);
      expect(eventIdOfLine(line)).toBe(e.eventId);
      expect(replayLineIssue(line, format as Format)).toBeUndefined();
    }
  });

  it('event ids with escaped characters come back unescaped (CEF header, RFC 5424 SD-PARAM)', () => {
    expect(eventIdOfLine('CEF:0|MT4|Segura|3|1\\|2\\\\3|name|5|rt=1')).toBe('1|2\\3');
    expect(eventIdOfLine('<134>1 2026-01-01T00:00:00Z h app - - [segura@1 eventId="a\\"b\\]c" name="x"] m')).toBe(
      'a"b]c',
    );
    expect(eventIdOfLine('LEEF:2.0|MT4|Segura|3|336.501|^|sev=1')).toBe('336.501');
    expect(eventIdOfLine('{"event":{"kind":"event"},"segura":{"event":{"id":"9"}}}')).toBe('9');
    expect(eventIdOfLine('{not json')).toBeNull();
    expect(eventIdOfLine('hello')).toBeNull();
  });

  it('refuses what must not reach a SIEM as one event: a second record, control bytes, another format', () => {
    const cef = createRenderer('cef', {}).render(events[0] as (typeof events)[0]);
    expect(replayLineIssue(`${cef}\nCEF:0|forged|second|record`, 'cef')).toMatch(/CR, LF or NUL/);
    expect(replayLineIssue(`${cef}\r`, 'cef')).toMatch(/CR, LF or NUL/);
    expect(replayLineIssue(`${cef}\0`, 'cef')).toMatch(/CR, LF or NUL/);
    expect(replayLineIssue(cef, 'leef')).toBe('the line is rendered as cef; this destination sends leef');
    expect(replayLineIssue('plain text', 'cef')).toMatch(/in no format the relay renders/);
    expect(replayLineIssue('', 'cef')).toBe('empty line');
    expect(replayLineIssue('{"a":', 'ecs')).toMatch(/not JSON/);
    expect(replayLineIssue('{} {}', 'ecs')).toMatch(/not JSON/);
  });
});

describe('Firehose backup documents', () => {
  // the documented examples (retry.html): a Splunk record and an HTTP endpoint record
  const splunk =
    '{"attemptsMade":0,"arrivalTimestamp":1506035354675,"errorCode":"Splunk.AckTimeout","errorMessage":"Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired.","attemptEndingTimestamp":13626284715507,"rawData":"Q0VGOjB8TVQ0fFNlZ3VyYXwzfDE2NHxQYXNzd29yZCB2aWV3ZWR8M3xydD0xCg==","EventId":"49577193928114147339600778471082492393164139877200035842.0"}';
  const http =
    '{"attemptsMade":5,"arrivalTimestamp":1594265943615,"errorCode":"HttpEndpoint.DestinationException","errorMessage":"Received the following response from the endpoint destination. {\\"errorMessage\\": \\"Unauthorized\\"}","attemptEndingTimestamp":1594266081318,"rawData":"c2FtcGxlIHJhdyBkYXRh","subsequenceNumber":0,"dataId":"49607357361271740811418664280693044274821622880012337186.0"}';

  it('reads one document per line, and documents written back to back', () => {
    expect(parseDocuments(`${splunk}\n${http}\n`)).toMatchObject({
      unreadable: 0,
      records: [{ EventId: expect.any(String) }, { dataId: expect.any(String) }],
    });
    expect(parseDocuments(`${splunk}${http}`).records).toHaveLength(2);
    expect(parseDocuments(`\n\n${splunk}\r\n`).records).toHaveLength(1);
    const rec = parseDocuments(splunk).records[0];
    expect(Buffer.from(rec?.rawData ?? '', 'base64').toString()).toBe(
      'CEF:0|MT4|Segura|3|164|Password viewed|3|rt=1\n',
    );
  });

  it('counts what is not a failed record (no rawData, not base64, not JSON, braces in strings kept)', () => {
    const r = parseDocuments(
      [
        '{"attemptsMade":1}',
        '{"rawData":"not base64!"}',
        'garbage line',
        '{"rawData":"e30=","errorMessage":"a } and a { in a string"}',
        '{"rawData":',
      ].join('\n'),
    );
    expect(r.records).toHaveLength(1);
    expect(r.records[0]?.errorMessage).toBe('a } and a { in a string');
    expect(r.unreadable).toBe(4);
  });
});

describe('progress ranges and options', () => {
  it('round-trip any set of line indexes, each tag value ≤ 256 characters', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5_000 }), { maxLength: 400 }), (xs) => {
        const set = new Set(xs);
        const back = new Set<number>();
        parseRanges(formatRanges(set), back);
        expect(back).toEqual(set);
        const values = progressValues(set);
        expect(values.every((v) => v.length <= 256)).toBe(true);
        const joined = new Set<number>();
        for (const v of values) parseRanges(v, joined);
        expect(joined).toEqual(set);
      }),
    );
    expect(formatRanges(new Set([0, 1, 2, 3, 7, 9, 10]))).toBe('0-3,7,9-10');
  });

  it('parses s3:// URIs and times, naming the option on error', () => {
    expect(parseS3Uri('s3://my-archive/splunk-failed/')).toEqual({ bucket: 'my-archive', prefix: 'splunk-failed/' });
    expect(parseS3Uri('s3://my-archive')).toEqual({ bucket: 'my-archive', prefix: '' });
    expect(() => parseS3Uri('https://my-archive.s3.amazonaws.com/x')).toThrow(/--from-s3: expected s3:\/\/BUCKET/);
    expect(timeOption('since', '2026-12-02T10:00:00Z')).toBe(Date.UTC(2026, 11, 2, 10));
    expect(timeOption('since', '1764669600000')).toBe(1764669600000);
    expect(() => timeOption('until', 'yesterday')).toThrow(/--until: an ISO 8601 time/);
  });
});
