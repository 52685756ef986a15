/** `segura-relay catalog`: list the event catalog (table or JSON). */
import { CATALOG_COUNT, CATALOG_EVENTS, ID_LESS_LAYOUTS } from '../shared/model/catalog-docs.js';
import { cefFromSyslog, SYSLOG_SEVERITY_NAMES } from '../shared/model/severity.js';
import { choice, parse, UsageError } from './args.js';

const HELP = `Usage: segura-relay catalog [--json | --lang en|pt]

Lists every event the vault documents: id, origin, syslog priority, CEF severity, name and the
notification category/type alert rules can match on; then the layouts the vault documents without
an event id (Master Key, report scheduling), by the name alert rules match them with
(match: { layouts: [master-key-recovery-failed] }).

Options:
  --lang L     language of the NAME column: en (default) or pt
  --json       NDJSON: one JSON object per line, the catalog events (with an "id"), then the
               layouts without an id (no "id"; "layout" is the name rules use); names in both languages, so --lang does not apply,
               e.g. segura-relay catalog --json | jq -s 'map(select(.id)) | length'
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
    for (const l of ID_LESS_LAYOUTS)
      io.stdout.write(
        `${JSON.stringify({ layout: l.slug, title: l.title, priority: l.priority, cefSeverity: cefFromSyslog(l.priority), notification: l.notification })}\n`,
      );
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
  io.stdout.write('\nDocumented layouts without an event id (alert rules: match: { layouts: [LAYOUT] }):\n');
  const lrows = ID_LESS_LAYOUTS.map((l) => [
    l.slug,
    `${l.priority} ${SYSLOG_SEVERITY_NAMES[l.priority]}`,
    String(cefFromSyslog(l.priority)),
    l.title,
    l.notification ? `${l.notification.category} / ${l.notification.type}` : '-',
  ]);
  const lhead = ['LAYOUT', 'PRIORITY', 'CEF', 'TITLE', 'NOTIFICATION'];
  const lwidths = lhead.map((h, i) => Math.max(h.length, ...lrows.map((r) => (r[i] ?? '').length)));
  const lfmt = (r: string[]): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(lwidths[i] ?? 0))).join('  ');
  io.stdout.write(`${lfmt(lhead)}\n`);
  for (const r of lrows) io.stdout.write(`${lfmt(r)}\n`);
  io.stdout.write(`${CATALOG_COUNT}\n`);
  return 0;
}

export { catalogCommand };
