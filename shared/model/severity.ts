/**
 * The documented rule mapping syslog severity (RFC 5424 §6.2.1, the vault's "priority") to CEF
 * severity (0–10) and back. Anchored on the vault's own example: Orbit 336.501 has priority
 * alert (1) and the vault renders it as CEF severity 9.
 *
 * | syslog | 0 emerg | 1 alert | 2 crit | 3 err | 4 warning | 5 notice | 6 info | 7 debug |
 * |--------|---------|---------|--------|-------|-----------|----------|--------|---------|
 * | CEF    | 10      | 9       | 8      | 7     | 5         | 3        | 1      | 0       |
 *
 * The reverse (used only when an input gives a CEF severity and the catalog has no priority)
 * picks the syslog severity whose CEF band contains it: 10→0, 9→1, 8→2, 7→3, 5–6→4, 3–4→5,
 * 1–2→6, 0→7.
 */
import type { CefSeverity, SyslogSeverity } from './security-event.js';

const SYSLOG_TO_CEF: readonly CefSeverity[] = [10, 9, 8, 7, 5, 3, 1, 0];
const CEF_TO_SYSLOG: readonly SyslogSeverity[] = [7, 6, 6, 5, 5, 4, 4, 3, 2, 1, 0];

/** @example cefFromSyslog(1) // 9 */
function cefFromSyslog(s: SyslogSeverity): CefSeverity {
  return SYSLOG_TO_CEF[s] as CefSeverity;
}

/** @example syslogFromCef(5) // 4 (warning) */
function syslogFromCef(c: CefSeverity): SyslogSeverity {
  return CEF_TO_SYSLOG[c] as SyslogSeverity;
}

function isSyslogSeverity(n: unknown): n is SyslogSeverity {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 7;
}

function isCefSeverity(n: unknown): n is CefSeverity {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 10;
}

const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export { cefFromSyslog, isCefSeverity, isSyslogSeverity, SYSLOG_SEVERITY_NAMES, syslogFromCef };
