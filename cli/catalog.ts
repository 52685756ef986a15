/** `segura-relay catalog`: list the event catalog (table or JSON). */
import { CATALOG_EVENTS } from '../shared/model/catalog-docs.js';
import { cefFromSyslog, SYSLOG_SEVERITY_NAMES } from '../shared/model/severity.js';
import { choice, parse, UsageError } from './args.js';

const HELP = `Usage: segura-relay catalog [--json | --lang en|pt]

Lists every event the vault documents: id, origin, syslog priority, CEF severity, name and the
notification category/type alert rules can match on.

Options:
  --lang L     language of the NAME column: en (default) or pt
  --json       NDJSON: one JSON object per event, one per line (names in both languages, so
               --lang does not apply), e.g. segura-relay catalog --json | jq -s length
  -h, --help   this help`;

function catalogCommand(argv: string[], io: { stdout: NodeJS.WritableStream }): number {
  const { values: v } = parse(argv, {
    json: { type: 'boolean' },
    lang: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const lang = choice('lang', v.lang, ['en', 'pt'] as const) ?? 'en';
  if (v.json && v.lang !== undefined)
    throw new UsageError('--lang picks the language of the table; --json carries both names (name.en, name.pt)');
  if (v.json) {
    for (const e of CATALOG_EVENTS)
      io.stdout.write(`${JSON.stringify({ ...e, cefSeverity: cefFromSyslog(e.priority) })}\n`);
    return 0;
  }
  const rows = CATALOG_EVENTS.map((e) => [
    e.id,
    e.origin ?? '-',
    `${e.priority} ${SYSLOG_SEVERITY_NAMES[e.priority]}`,
    String(cefFromSyslog(e.priority)),
    e.name[lang],
    e.notification ? `${e.notification.category} / ${e.notification.type}` : '-',
  ]);
  const head = ['ID', 'ORIGIN', 'PRIORITY', 'CEF', 'NAME', 'NOTIFICATION'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) =>
        i === r.length - 1
          ? c
          : c.length > (widths[i] ?? 0)
            ? `${c.slice(0, (widths[i] ?? 1) - 1)}…`
            : c.padEnd(widths[i] ?? 0),
      )
      .join('  ');
  io.stdout.write(`${fmt(head)}\n`);
  for (const r of rows) io.stdout.write(`${fmt(r)}\n`);
  io.stdout.write(`${rows.length} events\n`);
  return 0;
}

export { catalogCommand };
