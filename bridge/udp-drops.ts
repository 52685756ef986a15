/**
 * The kernel's count of datagrams it dropped for a UDP socket (receive buffer full), where the
 * platform shows it. On Linux every row of `/proc/net/udp` and `/proc/net/udp6` ends with a
 * `drops` column (https://www.kernel.org/doc/html/latest/networking/proc_net_tcp.html describes the
 * table; `drops` is `sk_drops`, see net/ipv4/udp.c `udp4_format_sock`). A row is matched to our
 * socket by its inode, among the socket inodes this process holds (`/proc/self/fd/* → socket:[N]`)
 * and the socket's local port, so another process's socket on the same port never counts.
 *
 * Elsewhere (macOS, Windows, a container without /proc) {@link UdpDropCounter.read} returns null and
 * the bridge says once that drops cannot be seen.
 *
 * @example
 * ```ts
 * const c = UdpDropCounter.find(5514, 'udp4'); // null where not available
 * c?.read(); // 39_304
 * ```
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface UdpRow {
  readonly localPort: number;
  readonly inode: string;
  readonly drops: number;
}

/** Parse the text of /proc/net/udp or /proc/net/udp6 (header line first). */
function parseProcNetUdp(text: string): UdpRow[] {
  const rows: UdpRow[] = [];
  const lines = text.split('\n');
  const head = (lines[0] ?? '').trim().split(/\s+/);
  // "tx_queue rx_queue" and "tr tm->when" are one column each in the data rows: count from the end
  const at = head.indexOf('drops');
  if (at === -1) return rows;
  const dropsFromEnd = head.length - at;
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1] ?? '';
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const drops = Number(f[f.length - dropsFromEnd] ?? Number.NaN);
    if (!Number.isFinite(port) || !Number.isFinite(drops)) continue;
    rows.push({ localPort: port, inode: f[9] ?? '', drops });
  }
  return rows;
}

/** Inodes of the sockets this process holds. */
function ownSocketInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed between readdir and readlink (the fd of readdir itself)
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return out;
}

/** Reads the kernel's drop counter of one of our UDP sockets. */
class UdpDropCounter {
  readonly #file: string;
  readonly #inode: string;

  private constructor(file: string, inode: string) {
    this.#file = file;
    this.#inode = inode;
  }

  /** The counter of our socket bound to `port`, or null where the platform does not show it. */
  static find(port: number, family: 'udp4' | 'udp6'): UdpDropCounter | null {
    const file = family === 'udp4' ? '/proc/net/udp' : '/proc/net/udp6';
    try {
      const mine = ownSocketInodes();
      const row = parseProcNetUdp(readFileSync(file, 'utf8')).find((r) => r.localPort === port && mine.has(r.inode));
      return row === undefined ? null : new UdpDropCounter(file, row.inode);
    } catch {
      // no /proc (not Linux, or hidden): drops cannot be read here; the caller reports that once
      return null;
    }
  }

  /** Datagrams dropped since the socket was created, or null once the row is gone. */
  read(): number | null {
    try {
      return parseProcNetUdp(readFileSync(this.#file, 'utf8')).find((r) => r.inode === this.#inode)?.drops ?? null;
    } catch {
      return null;
    }
  }
}

export type { UdpRow };
export { parseProcNetUdp, UdpDropCounter };
