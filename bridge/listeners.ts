/**
 * The bridge's syslog listeners: UDP (RFC 5426, one message per datagram), TCP (RFC 6587) and TLS
 * (RFC 5425), with the framing auto-detected per frame (see {@link SyslogStreamDeframer}).
 *
 * Hostile or broken clients cannot lock the vault out or bloat the process:
 * - **connections**: at most `maxConnections` per TCP/TLS listener and `maxConnectionsPerSource`
 *   per peer address. When a source is at its cap, one of its own idle connections makes room for
 *   its new one. When the listener is full, an idle connection of the source holding the most
 *   connections makes room, provided that source holds at least as many as the newcomer's will
 *   (fair share: attackers churning their connections only evict one another, a vault with one
 *   connection always gets in). Idle: never delivered a complete message, or not for
 *   `evictMinIdleMs`. Only when nothing qualifies is the new connection refused. Every refusal and
 *   eviction is counted and logged (rate-limited): never a silent close.
 * - **timeouts** per connection: `idleTimeoutMs` without a byte, `frameTimeoutMs` inside one frame
 *   (a slow drip of a line that never ends), `maxLifetimeMs` in total, `tlsHandshakeTimeoutMs` for
 *   the TLS handshake. A timed-out connection is half-closed (the peer sees EOF, what it still sends
 *   is read) and destroyed `closeGraceMs` later; a partial frame still held then is counted as
 *   `discarded`.
 * - **memory**: each connection holds at most one partial frame in one buffer, and all of them
 *   together at most `partialBudgetBytes` ({@link PartialFrameBudget}).
 * - **UDP**: a large receive buffer (`udpReceiveBufferBytes`), and the kernel's drop counter for
 *   each socket is read where the platform offers it ({@link UdpDropCounter}).
 *
 * Peers outside `allowFrom` are refused before any byte is read (UDP: the datagram is dropped and
 * counted).
 *
 * @example
 * ```ts
 * const l = await startListeners({ udp: [{ host: '0.0.0.0', port: 514 }], maxMessageBytes: 65_536, sink: bridge });
 * // … l.addresses → [{ transport: 'udp', host: '0.0.0.0', port: 514 }]
 * await l.close();
 * ```
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { BlockList, createServer as createTcpServer, isIPv4, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { datagramMessage, type FrameEvent, PartialFrameBudget, SyslogStreamDeframer } from './framing.js';
import { UdpDropCounter } from './udp-drops.js';

type Transport = 'udp' | 'tcp' | 'tls';

/** Why the bridge closed a connection itself. */
type CloseReason = 'idle' | 'stalled' | 'lifetime' | 'evicted' | 'shutdown';

/** `host:port` to bind. */
interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Listener events worth counting (fields carry the details for the log line). */
type ListenerNote =
  /** a connection was accepted */
  | 'connection'
  /** a peer outside allowFrom (fields: peer) */
  | 'denied'
  /** a TLS handshake failed (fields: error, peer) */
  | 'tlsError'
  /** the peer closed inside an octet-counted frame (fields: bytes, expected) */
  | 'truncated'
  /** a new connection refused: caps reached and nothing to evict (fields: peer, reason, open, fromSource) */
  | 'refused'
  /** an idle connection closed to make room (fields: peer, idleMs, reason, for) */
  | 'evicted'
  /** closed by a timeout (fields: reason idle|stalled|lifetime, stage, peer) */
  | 'closed'
  /** a partial frame dropped with its connection (fields: bytes, reason) */
  | 'discarded'
  /** a frame dropped because the partial-frame memory budget is exhausted (fields: bytes, held, budget) */
  | 'overBudget'
  /** the kernel dropped UDP datagrams (fields: dropped since the last report, total) */
  | 'udpDrops';

/** Where listeners hand what they receive (the {@link Bridge} implements it). */
interface ListenerSink {
  message(body: Buffer, transport: Transport): void;
  /** a message over the size limit; `fields.announced` for an octet-counted frame's MSG-LEN */
  oversize(bytes: number, transport: Transport, fields?: Record<string, unknown>): void;
  note(kind: ListenerNote, transport: Transport, fields?: Record<string, unknown>): void;
}

/** Listener options (the CLI defaults are these defaults). */
interface ListenerOptions {
  readonly udp?: readonly ListenAddress[];
  readonly tcp?: readonly ListenAddress[];
  readonly tls?: readonly ListenAddress[];
  /** key/cert (and optional ca to require client certificates); required with `tls` */
  readonly tlsOptions?: Pick<TlsOptions, 'key' | 'cert' | 'ca'>;
  readonly maxMessageBytes: number;
  /** @default 256 per TCP/TLS listener */
  readonly maxConnections?: number;
  /**
   * Connections one peer address may hold on one listener (below `maxConnections`, so one source
   * cannot take every slot).
   * @default 32, or half of maxConnections when that is below 64
   */
  readonly maxConnectionsPerSource?: number;
  /**
   * Close a connection that sent no byte for this long.
   * @default 600_000 (10 min)
   */
  readonly idleTimeoutMs?: number;
  /**
   * Close a connection stuck inside one frame (message) for this long: a slow drip of a line that
   * never ends.
   * @default 30_000
   */
  readonly frameTimeoutMs?: number;
  /**
   * Close any connection after this long (the peer reconnects), so no client holds a slot forever.
   * @default 3_600_000 (1 h)
   */
  readonly maxLifetimeMs?: number;
  /** @default 10_000 */
  readonly tlsHandshakeTimeoutMs?: number;
  /**
   * After the bridge half-closes a connection (timeout, eviction), read what the peer still sends
   * for this long, then destroy it.
   * @default 2_000
   */
  readonly closeGraceMs?: number;
  /**
   * A connection that delivered a complete message is evictable once it delivered none for this
   * long (a busy connection is never evicted); one that never did is evictable at once.
   * @default 1_000
   */
  readonly evictMinIdleMs?: number;
  /**
   * Bound on the bytes held by partial frames across all TCP/TLS connections.
   * @default 16_777_216 (16 MiB)
   */
  readonly partialBudgetBytes?: number;
  /** peers allowed to send; @default everyone */
  readonly allowFrom?: BlockList;
  /**
   * SO_RCVBUF for UDP sockets: room for bursts while the event loop is busy.
   * @default 4_194_304 (the kernel caps it at net.core.rmem_max, and Linux reports twice the value)
   */
  readonly udpReceiveBufferBytes?: number;
  readonly sink: ListenerSink;
}

/** Gauges of the running listeners. */
interface ListenerStats {
  /** TCP/TLS connections open (not closing) */
  readonly openConnections: number;
  /** connections the bridge is closing (half-closed, within the grace period) */
  readonly closingConnections: number;
  /** bytes held by partial frames now (capacity plus overhead), and the most at once */
  readonly partialBytes: number;
  readonly partialBytesPeak: number;
  readonly partialBudgetBytes: number;
  /** 'data' events read from TCP/TLS streams (how finely peers cut their bytes) */
  readonly streamReads: number;
  /** datagrams the kernel dropped on our UDP sockets; null where the platform does not say */
  readonly udpDrops: number | null;
}

/** Running listeners. */
interface Listeners {
  /**
   * bound addresses, with the real port when 0 was asked; UDP: the receive buffer the kernel
   * granted (Linux reports twice the usable size)
   */
  readonly addresses: ReadonlyArray<{ transport: Transport; host: string; port: number; receiveBufferBytes?: number }>;
  /** gauges (reads the UDP drop counters, reporting an increase to the sink) */
  stats(): ListenerStats;
  /** stop accepting; let open streams deliver what they sent (bounded by `graceMs`) */
  close(graceMs?: number): Promise<void>;
}

/**
 * Parse `PORT`, `HOST:PORT` or `[IPv6]:PORT` (`HOST` defaults to 0.0.0.0).
 * @throws {Error} with the accepted forms
 */
function parseListenAddress(s: string): ListenAddress {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(s.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new Error(`expected PORT, HOST:PORT or [IPv6]:PORT, got ${JSON.stringify(s)}`);
  return { host: (m[1] ?? '0.0.0.0').replace(/^\[|\]$/g, ''), port };
}

/**
 * An allow list from `10.0.0.5,10.1.0.0/16,::1`.
 * @throws {Error} naming the bad entry
 */
function parseAllowList(s: string): BlockList {
  const list = new BlockList();
  let count = 0;
  for (const raw of s.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [addr = '', bits] = item.split('/');
    const type = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
    if (type === null) throw new Error(`not an IP address or CIDR: ${JSON.stringify(item)}`);
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const n = Number(bits);
      if (!/^\d+$/.test(bits) || n > (type === 'ipv4' ? 32 : 128))
        throw new Error(`bad prefix length in ${JSON.stringify(item)}`);
      list.addSubnet(addr, n, type);
    }
    count++;
  }
  // an empty list would refuse every peer: surely a missing variable, not the intent
  if (count === 0) throw new Error('no IP address or CIDR given');
  return list;
}

function allowed(list: BlockList | undefined, address: string | undefined): boolean {
  if (list === undefined) return true;
  if (address === undefined) return false;
  // a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4 !== undefined) return list.check(v4, 'ipv4');
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** One TCP/TLS connection. */
interface Conn {
  readonly raw: Socket;
  readonly table: Table;
  readonly source: string;
  readonly acceptedAt: number;
  lastByteAt: number;
  /** last complete message, 0 before the first: what eviction looks at */
  lastMessageAt: number;
  /** when the partial frame being received started; 0 between frames */
  frameStartedAt: number;
  /** what we read from: the raw socket for TCP, the TLS socket once the handshake is done */
  stream: Socket | null;
  deframer: SyslogStreamDeframer | null;
  closing: CloseReason | null;
  closeDeadline: number;
  peerEnded: boolean;
  gone: boolean;
}

/** The connections of one listener. */
interface Table {
  readonly transport: 'tcp' | 'tls';
  readonly open: Set<Conn>;
  readonly closing: Set<Conn>;
  readonly bySource: Map<string, Set<Conn>>;
}

/** `::ffff:10.0.0.5` → `10.0.0.5` (a dual-stack listener's view of an IPv4 peer). */
function sourceOf(address: string | undefined): string {
  if (address === undefined) return '?';
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

/** Start every listener in `o`; resolves once all are bound (or rejects, closing the others). */
async function startListeners(o: ListenerOptions): Promise<Listeners> {
  const sink = o.sink;
  const maxConns = o.maxConnections ?? 256;
  const perSource = Math.min(maxConns, o.maxConnectionsPerSource ?? (maxConns >= 64 ? 32 : Math.max(1, maxConns >> 1)));
  const idleMs = o.idleTimeoutMs ?? 600_000;
  const frameMs = o.frameTimeoutMs ?? 30_000;
  const lifetimeMs = o.maxLifetimeMs ?? 3_600_000;
  const graceMs = o.closeGraceMs ?? 2_000;
  const evictMinIdleMs = o.evictMinIdleMs ?? 1_000;
  const budget = new PartialFrameBudget(o.partialBudgetBytes ?? 16 * 2 ** 20);
  const udpSockets: Array<{ socket: UdpSocket; drops: UdpDropCounter | null; last: number }> = [];
  const servers: Server[] = [];
  const tables: Table[] = [];
  const byRaw = new WeakMap<Socket, Conn>();
  /** raw sockets the bridge itself closed or refused: their TLS errors are not TLS errors */
  const ours = new WeakSet<Socket>();
  const addresses: Array<{ transport: Transport; host: string; port: number; receiveBufferBytes?: number }> = [];
  let streamReads = 0;
  let udpDropsTotal = 0;
  let udpDropsKnown = false;
  let shuttingDown = false;

  const dispatch = (c: Conn, events: FrameEvent[]): void => {
    const transport = c.table.transport;
    for (const ev of events) {
      if (ev.kind === 'message') {
        c.lastMessageAt = Date.now();
        sink.message(ev.body, transport);
      } else if (ev.kind === 'oversize') {
        sink.oversize(ev.bytes, transport, {
          framing: ev.framing,
          ...(ev.announced !== undefined ? { announced: ev.announced } : {}),
          peer: c.source,
        });
      } else if (ev.kind === 'overBudget') {
        sink.note('overBudget', transport, {
          bytes: ev.bytes,
          held: budget.held,
          budget: budget.limit,
          peer: c.source,
        });
      } else sink.note('truncated', transport, { bytes: ev.bytes, expected: ev.expected, peer: c.source });
    }
  };

  /** Half-close (the peer sees EOF; we read on) and destroy after the grace period. */
  const beginClose = (c: Conn, reason: CloseReason, now = Date.now()): void => {
    if (c.closing !== null || c.gone) return;
    c.closing = reason;
    c.closeDeadline = now + graceMs;
    c.table.open.delete(c);
    const mine = c.table.bySource.get(c.source);
    mine?.delete(c);
    if (mine?.size === 0) c.table.bySource.delete(c.source);
    c.table.closing.add(c);
    if (c.stream === null) {
      // TLS handshake not done: nothing of the peer's was read yet, nothing to wait for
      ours.add(c.raw);
      c.raw.destroy();
    } else c.stream.end();
  };

  const forget = (c: Conn): void => {
    if (c.gone) return;
    c.gone = true;
    c.table.open.delete(c);
    c.table.closing.delete(c);
    const mine = c.table.bySource.get(c.source);
    mine?.delete(c);
    if (mine?.size === 0) c.table.bySource.delete(c.source);
    if (c.deframer !== null && !c.peerEnded) {
      // closed before the peer finished its frame: by us (grace over) or by a reset
      const bytes = c.deframer.abort();
      if (bytes > 0) {
        sink.note('discarded', c.table.transport, { bytes, reason: c.closing ?? 'reset', peer: c.source });
      }
    }
  };

  /**
   * The connection of `conns` to evict: one that never delivered a complete message (the oldest),
   * else the one idle longest, if that is at least evictMinIdleMs; a busy connection never.
   */
  const oldestIdle = (conns: Iterable<Conn>, now: number): Conn | undefined => {
    let best: Conn | undefined;
    for (const c of conns) {
      if (c.lastMessageAt > 0 && now - c.lastMessageAt < evictMinIdleMs) continue;
      if (
        best === undefined ||
        c.lastMessageAt < best.lastMessageAt ||
        (c.lastMessageAt === best.lastMessageAt && c.acceptedAt < best.acceptedAt)
      )
        best = c;
    }
    return best;
  };

  /**
   * When the listener is full: a connection of the source holding the most, provided it holds at
   * least `atLeast` (what the newcomer's source will hold once admitted). So a source can evict
   * its way up to the largest source's share but never past it: a few attackers churning their
   * connections evict one another, while the vault (one connection) always finds a victim.
   */
  const fairVictim = (t: Table, atLeast: number, now: number): Conn | undefined => {
    const bySize = [...t.bySource.values()].filter((c) => c.size >= atLeast).sort((a, b) => b.size - a.size);
    for (const conns of bySize) {
      const v = oldestIdle(conns, now);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  /** Admit a raw connection (or refuse it); returns its Conn when admitted. */
  const admit = (t: Table, raw: Socket): Conn | null => {
    const now = Date.now();
    const source = sourceOf(raw.remoteAddress);
    // sockets being closed still hold a descriptor: at most maxConnections of them
    if (t.closing.size >= maxConns) {
      const oldest = t.closing.values().next().value as Conn;
      ours.add(oldest.raw);
      (oldest.stream ?? oldest.raw).destroy();
      forget(oldest);
    }
    const mine = t.bySource.get(source);
    let victim: Conn | undefined;
    let why = '';
    if (mine !== undefined && mine.size >= perSource) {
      // its own slots only: the source's oldest idle connection makes room
      victim = oldestIdle(mine, now);
      why = 'per-source cap';
    } else if (t.open.size >= maxConns) {
      victim = fairVictim(t, (mine?.size ?? 0) + 1, now);
      why = 'connection cap';
    }
    if (why !== '' && victim === undefined) {
      ours.add(raw);
      raw.destroy();
      sink.note('refused', t.transport, {
        peer: source,
        reason:
          why === 'per-source cap'
            ? `per-source cap reached and none of its connections idle for ${evictMinIdleMs} ms`
            : `connection cap reached and no source holding ${(mine?.size ?? 0) + 1} or more has an idle connection`,
        open: t.open.size,
        fromSource: mine?.size ?? 0,
      });
      return null;
    }
    if (victim !== undefined) {
      sink.note('evicted', t.transport, {
        peer: victim.source,
        idleMs: now - (victim.lastMessageAt || victim.acceptedAt),
        delivered: victim.lastMessageAt > 0,
        reason: why,
        for: source,
      });
      beginClose(victim, 'evicted', now);
    }
    const c: Conn = {
      raw,
      table: t,
      source,
      acceptedAt: now,
      lastByteAt: now,
      lastMessageAt: 0,
      frameStartedAt: 0,
      stream: null,
      deframer: null,
      closing: null,
      closeDeadline: 0,
      peerEnded: false,
      gone: false,
    };
    t.open.add(c);
    let set = t.bySource.get(source);
    if (set === undefined) {
      set = new Set();
      t.bySource.set(source, set);
    }
    set.add(c);
    byRaw.set(raw, c);
    raw.on('close', () => forget(c));
    return c;
  };

  const onStream = (c: Conn, socket: Socket): void => {
    c.stream = socket;
    socket.setKeepAlive(true, 60_000);
    const deframer = new SyslogStreamDeframer(o.maxMessageBytes, budget);
    c.deframer = deframer;
    socket.on('data', (chunk: Buffer) => {
      streamReads++;
      const now = Date.now();
      c.lastByteAt = now;
      const events = deframer.push(chunk);
      if (deframer.idle) c.frameStartedAt = 0;
      else if (c.frameStartedAt === 0 || events.length > 0) c.frameStartedAt = now;
      dispatch(c, events);
    });
    socket.on('end', () => {
      if (c.closing !== null) {
        // we asked it to go (timeout, eviction, shutdown): a frame it had not finished is not a
        // message it ended, so it is discarded and counted, not delivered
        forget(c);
        return;
      }
      c.peerEnded = true;
      dispatch(c, deframer.end());
      socket.end();
    });
    socket.on('error', () => {
      // a reset peer: what was received is already handed over; a partial frame is counted on close
    });
    socket.on('close', () => forget(c));
    if (c.closing !== null) socket.end();
  };

  const sweep = (): void => {
    const now = Date.now();
    for (const t of tables) {
      for (const c of t.closing) {
        if (now >= c.closeDeadline) {
          ours.add(c.raw);
          (c.stream ?? c.raw).destroy();
        }
      }
      if (shuttingDown) continue;
      for (const c of t.open) {
        if (c.stream === null) continue; // TLS handshake: its own timeout
        let reason: 'idle' | 'stalled' | 'lifetime' | null = null;
        if (c.frameStartedAt > 0 && now - c.frameStartedAt > frameMs) reason = 'stalled';
        else if (now - c.lastByteAt > idleMs) reason = 'idle';
        else if (now - c.acceptedAt > lifetimeMs) reason = 'lifetime';
        if (reason === null) continue;
        sink.note('closed', t.transport, {
          reason,
          peer: c.source,
          ageMs: now - c.acceptedAt,
          ...(reason === 'stalled' ? { partialBytes: c.deframer?.held ?? 0 } : {}),
        });
        beginClose(c, reason, now);
      }
    }
  };
  const tick = Math.max(25, Math.min(1_000, Math.floor(Math.min(idleMs, frameMs, lifetimeMs, graceMs) / 4)));
  const sweeper = setInterval(sweep, tick);
  sweeper.unref();

  const listenStream = async (addr: ListenAddress, transport: 'tcp' | 'tls'): Promise<void> => {
    const table: Table = { transport, open: new Set(), closing: new Set(), bySource: new Map() };
    let server: Server;
    if (transport === 'tls') {
      const t = o.tlsOptions;
      if (t?.key === undefined || t.cert === undefined) throw new Error('TLS listener needs a certificate and key');
      const tlsServer = createTlsServer(
        {
          key: t.key,
          cert: t.cert,
          minVersion: 'TLSv1.2',
          handshakeTimeout: o.tlsHandshakeTimeoutMs ?? 10_000,
          ...(t.ca !== undefined ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        (s) => {
          const c = byRaw.get(parentOf(s) as Socket);
          if (c === undefined || c.gone) {
            s.destroy();
            return;
          }
          onStream(c, s);
        },
      );
      tlsServer.on('tlsClientError', (err: Error & { code?: string }, s) => {
        const raw = parentOf(s);
        // a peer we refused, denied or closed ourselves: already counted as that, not as a TLS error
        if (raw !== undefined && ours.has(raw)) return;
        const c = raw === undefined ? undefined : byRaw.get(raw);
        if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
          sink.note('closed', 'tls', { reason: 'stalled', stage: 'handshake', peer: c?.source ?? s.remoteAddress });
        } else sink.note('tlsError', 'tls', { error: err.message, peer: c?.source ?? s.remoteAddress });
        // Node drops the TLS socket but can leave the TCP connection under it open: close it, free the slot
        if (raw !== undefined) {
          ours.add(raw);
          raw.destroy();
        }
      });
      server = tlsServer;
    } else {
      server = createTcpServer();
    }
    // checked on the raw connection, before the TLS handshake or any byte is read; the caps are
    // ours (not server.maxConnections, which closes over-cap connections without a word)
    server.on('connection', (raw: Socket) => {
      if (!allowed(o.allowFrom, raw.remoteAddress)) {
        ours.add(raw);
        sink.note('denied', transport, { peer: raw.remoteAddress });
        raw.destroy();
        return;
      }
      const c = admit(table, raw);
      if (c === null) return;
      sink.note('connection', transport);
      if (transport === 'tcp') onStream(c, raw);
    });
    server.on('error', () => {
      // after listen() succeeded only accept errors (EMFILE) land here; the server keeps listening
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(addr.port, addr.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
    tables.push(table);
    const a = server.address();
    addresses.push({ transport, host: addr.host, port: a !== null && typeof a === 'object' ? a.port : addr.port });
  };

  const listenUdp = async (addr: ListenAddress): Promise<void> => {
    const family = isIPv6(addr.host) ? 'udp6' : 'udp4';
    const socket = createSocket({ type: family });
    socket.on('message', (datagram: Buffer, rinfo) => {
      if (!allowed(o.allowFrom, rinfo.address)) {
        sink.note('denied', 'udp', { peer: rinfo.address });
        return;
      }
      const msg = datagramMessage(datagram);
      if (msg.length === 0) return;
      sink.message(msg, 'udp');
    });
    socket.on('error', () => {
      // receive errors on a bound UDP socket are transient (ICMP); keep receiving
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(addr.port, addr.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(o.udpReceiveBufferBytes ?? 4_194_304);
    } catch {
      // refused by the kernel: the default buffer still works (the size granted is logged)
    }
    let receiveBufferBytes: number | undefined;
    try {
      receiveBufferBytes = socket.getRecvBufferSize();
    } catch {
      receiveBufferBytes = undefined;
    }
    const port = socket.address().port;
    const drops = UdpDropCounter.find(port, family);
    udpSockets.push({ socket, drops, last: drops?.read() ?? 0 });
    if (drops !== null) udpDropsKnown = true;
    addresses.push({
      transport: 'udp',
      host: addr.host,
      port,
      ...(receiveBufferBytes !== undefined ? { receiveBufferBytes } : {}),
    });
  };

  const pollUdpDrops = (): number | null => {
    let dropped = 0;
    for (const u of udpSockets) {
      const now = u.drops?.read();
      if (now === undefined || now === null || now <= u.last) continue;
      dropped += now - u.last;
      u.last = now;
    }
    if (dropped > 0) {
      udpDropsTotal += dropped;
      sink.note('udpDrops', 'udp', { dropped, total: udpDropsTotal });
    }
    return udpDropsKnown ? udpDropsTotal : null;
  };

  const stats = (): ListenerStats => {
    let open = 0;
    let closing = 0;
    for (const t of tables) {
      open += t.open.size;
      closing += t.closing.size;
    }
    return {
      openConnections: open,
      closingConnections: closing,
      partialBytes: budget.held,
      partialBytesPeak: budget.peak,
      partialBudgetBytes: budget.limit,
      streamReads,
      udpDrops: pollUdpDrops(),
    };
  };

  const close = async (closeGrace = 2_000): Promise<void> => {
    shuttingDown = true;
    pollUdpDrops();
    for (const u of udpSockets.splice(0)) await new Promise<void>((r) => u.socket.close(() => r()));
    const closing = servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r())));
    // half-close: the peer sees EOF, we still read what it already sent until it closes its side
    const now = Date.now();
    for (const t of tables) {
      for (const c of [...t.open]) beginClose(c, 'shutdown', now);
      for (const c of t.closing) c.closeDeadline = Math.min(c.closeDeadline, now + closeGrace);
    }
    const timer = setTimeout(() => {
      for (const t of tables) {
        for (const c of t.closing) {
          ours.add(c.raw);
          (c.stream ?? c.raw).destroy();
        }
      }
    }, closeGrace);
    await Promise.all(closing);
    clearTimeout(timer);
    clearInterval(sweeper);
  };

  try {
    for (const a of o.udp ?? []) await listenUdp(a);
    for (const a of o.tcp ?? []) await listenStream(a, 'tcp');
    for (const a of o.tls ?? []) await listenStream(a, 'tls');
  } catch (e) {
    await close(0);
    throw e;
  }
  return { addresses, stats, close };
}

/** The TCP socket under a TLS socket (Node keeps it as `_parent`; undefined if that ever changes). */
function parentOf(tlsSocket: Socket): Socket | undefined {
  const p = (tlsSocket as Socket & { _parent?: unknown })._parent;
  return p !== null && typeof p === 'object' ? (p as Socket) : undefined;
}

export type { CloseReason, ListenAddress, ListenerNote, ListenerOptions, ListenerSink, ListenerStats, Listeners };
export { parseAllowList, parseListenAddress, startListeners };
