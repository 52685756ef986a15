/**
 * The bridge's syslog listeners: UDP (RFC 5426, one message per datagram), TCP (RFC 6587) and TLS
 * (RFC 5425), with the framing auto-detected per frame (see {@link SyslogStreamDeframer}).
 *
 * Memory is bounded: at most `maxConnections` streams per listener, each holding at most one
 * partial message of `maxMessageBytes`. Peers outside `allowFrom` are refused before any byte is
 * read (UDP: the datagram is dropped and counted).
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
import { datagramMessage, SyslogStreamDeframer } from './framing.js';

type Transport = 'udp' | 'tcp' | 'tls';

/** `host:port` to bind. */
interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Where listeners hand what they receive (the {@link Bridge} implements it). */
interface ListenerSink {
  message(body: Buffer, transport: Transport): void;
  oversize(bytes: number, transport: Transport): void;
  note(
    kind: 'connection' | 'denied' | 'tlsError' | 'truncated',
    transport: Transport,
    fields?: Record<string, unknown>,
  ): void;
}

/** Listener options. */
interface ListenerOptions {
  readonly udp?: readonly ListenAddress[];
  readonly tcp?: readonly ListenAddress[];
  readonly tls?: readonly ListenAddress[];
  /** key/cert (and optional ca to require client certificates); required with `tls` */
  readonly tlsOptions?: Pick<TlsOptions, 'key' | 'cert' | 'ca'>;
  readonly maxMessageBytes: number;
  /** @default 256 per TCP/TLS listener */
  readonly maxConnections?: number;
  /** peers allowed to send; @default everyone */
  readonly allowFrom?: BlockList;
  /**
   * SO_RCVBUF for UDP sockets: room for bursts while the event loop is busy.
   * @default 4_194_304 (the kernel caps it at net.core.rmem_max)
   */
  readonly udpReceiveBufferBytes?: number;
  readonly sink: ListenerSink;
}

/** Running listeners. */
interface Listeners {
  /** bound addresses, with the real port when 0 was asked */
  readonly addresses: ReadonlyArray<{ transport: Transport; host: string; port: number }>;
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

/** Start every listener in `o`; resolves once all are bound (or rejects, closing the others). */
async function startListeners(o: ListenerOptions): Promise<Listeners> {
  const sink = o.sink;
  const udpSockets: UdpSocket[] = [];
  const servers: Server[] = [];
  const streams = new Set<Socket>();
  const addresses: Array<{ transport: Transport; host: string; port: number }> = [];

  const onStream = (socket: Socket, transport: 'tcp' | 'tls'): void => {
    streams.add(socket);
    socket.setKeepAlive(true, 60_000);
    const deframer = new SyslogStreamDeframer(o.maxMessageBytes);
    const dispatch = (events: ReturnType<SyslogStreamDeframer['push']>): void => {
      for (const ev of events) {
        if (ev.kind === 'message') sink.message(ev.body, transport);
        else if (ev.kind === 'oversize') sink.oversize(ev.bytes, transport);
        else sink.note('truncated', transport, { bytes: ev.bytes, expected: ev.expected });
      }
    };
    socket.on('data', (chunk: Buffer) => dispatch(deframer.push(chunk)));
    socket.on('end', () => {
      dispatch(deframer.end());
      socket.end();
    });
    socket.on('error', () => {
      // a reset peer: what was received is already handed over; nothing else to do
    });
    socket.on('close', () => streams.delete(socket));
  };

  const listenStream = async (addr: ListenAddress, transport: 'tcp' | 'tls'): Promise<void> => {
    let server: Server;
    if (transport === 'tls') {
      const t = o.tlsOptions;
      if (t?.key === undefined || t.cert === undefined) throw new Error('TLS listener needs a certificate and key');
      const tlsServer = createTlsServer(
        {
          key: t.key,
          cert: t.cert,
          minVersion: 'TLSv1.2',
          handshakeTimeout: 10_000,
          ...(t.ca !== undefined ? { ca: t.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        (s) => onStream(s, 'tls'),
      );
      tlsServer.on('tlsClientError', (err: Error, s) => {
        sink.note('tlsError', 'tls', { error: err.message, peer: s.remoteAddress });
      });
      server = tlsServer;
    } else {
      server = createTcpServer((s) => onStream(s, 'tcp'));
    }
    server.maxConnections = o.maxConnections ?? 256;
    // checked on the raw connection, before the TLS handshake or any byte is read
    server.on('connection', (raw: Socket) => {
      if (!allowed(o.allowFrom, raw.remoteAddress)) {
        sink.note('denied', transport, { peer: raw.remoteAddress });
        raw.destroy();
        return;
      }
      sink.note('connection', transport);
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
    const a = server.address();
    addresses.push({ transport, host: addr.host, port: a !== null && typeof a === 'object' ? a.port : addr.port });
  };

  const listenUdp = async (addr: ListenAddress): Promise<void> => {
    const socket = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4' });
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
      // capped or refused by the kernel: the default buffer still works
    }
    udpSockets.push(socket);
    addresses.push({ transport: 'udp', host: addr.host, port: socket.address().port });
  };

  const close = async (graceMs = 2_000): Promise<void> => {
    for (const s of udpSockets.splice(0)) await new Promise<void>((r) => s.close(() => r()));
    const closing = servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r())));
    // half-close: the peer sees EOF, we still read what it already sent until it closes its side
    for (const s of streams) s.end();
    const timer = setTimeout(() => {
      for (const s of streams) s.destroy();
    }, graceMs);
    await Promise.all(closing);
    clearTimeout(timer);
  };

  try {
    for (const a of o.udp ?? []) await listenUdp(a);
    for (const a of o.tcp ?? []) await listenStream(a, 'tcp');
    for (const a of o.tls ?? []) await listenStream(a, 'tls');
  } catch (e) {
    await close(0);
    throw e;
  }
  return { addresses, close };
}

export type { ListenAddress, ListenerOptions, ListenerSink, Listeners };
export { parseAllowList, parseListenAddress, startListeners };
