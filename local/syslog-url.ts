/**
 * Where `npm start -- --syslog URL` delivers: `tls://`, `tcp://`, `udp://`, `relp://` or
 * `relp+tls://` followed by host:port (a wrong URL is a usage error naming the option), and the
 * local collectors it can run instead.
 */
import { UsageError } from '../cli/args.js';

interface SyslogTarget {
  readonly transport: 'tls' | 'tcp' | 'udp' | 'relp';
  /** transport relp: over TLS (`relp+tls://`) or plain TCP (`relp://`) */
  readonly relpTls?: boolean;
  readonly host: string;
  readonly port: number;
}

/** Parse `tls://host:port`, `tcp://host:port`, `udp://host:port`, `relp://host:port`, `relp+tls://host:port`. */
function parseSyslogUrl(url: string): SyslogTarget {
  const m = /^(tls|tcp|udp|relp|relp\+tls):\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(url);
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
    const problem =
      scheme === undefined
        ? 'no scheme'
        : !/^(tls|tcp|udp|relp|relp\+tls)$/.test(scheme)
          ? `unknown scheme ${scheme}://`
          : !/:\d+$/.test(url)
            ? 'no port'
            : m
              ? 'port out of range 1–65535'
              : 'not host:port';
    throw new UsageError(
      `--syslog: ${problem} in ${JSON.stringify(url)}: expected tls://, tcp://, udp://, relp:// or relp+tls:// followed by host:port`,
    );
  }
  if (!m) {
    throw new UsageError(
      `--syslog: expected tls://, tcp://, udp://, relp:// or relp+tls:// followed by host:port, got ${JSON.stringify(url)}`,
    );
  }
  const scheme = m[1] as string;
  return {
    transport: scheme.startsWith('relp') ? 'relp' : (scheme as SyslogTarget['transport']),
    ...(scheme.startsWith('relp') ? { relpTls: scheme === 'relp+tls' } : {}),
    host: (m[2] as string).replace(/^\[|\]$/g, ''),
    port: Number(m[3]),
  };
}

/** Local collectors `npm start` can run when no `--syslog` URL is given. */
const LOCAL_COLLECTORS = ['tls', 'relp', 'relp+tls'] as const;
type LocalCollector = (typeof LOCAL_COLLECTORS)[number];

export type { LocalCollector, SyslogTarget };
export { LOCAL_COLLECTORS, parseSyslogUrl };
