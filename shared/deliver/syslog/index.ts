/**
 * Syslog delivery: `createSyslogSink` plus the building blocks it composes (framing, TCP/TLS, UDP and
 * RELP transports, circuit breaker), exported for tests and tools.
 *
 * @example
 * ```ts
 * import { createSyslogSink } from '#shared/deliver/syslog/index';
 * const sink = createSyslogSink({ name: 'siem', transport: 'tls', host: 'syslog.corp', port: 6514 });
 * ```
 */
export type { Admission, CircuitBreakerOptions, CircuitSnapshot, CircuitStateChange } from './circuit-breaker.js';
export { CircuitBreaker, CircuitState } from './circuit-breaker.js';
export type {
  FrameTransport,
  StreamConnectionOptions,
  TransportFailure,
  TransportOutcome,
  TransportStats,
} from './connection.js';
export { StreamConnection, TransportFailureKind } from './connection.js';
export { Framing, frame, frameLf, frameOctetCounted } from './framing.js';
export type { RelpFrame, RelpFrameDecoderOptions, RelpResponse } from './relp-frame.js';
export { encodeFrame, parseRsp, RelpErrorCode, RelpFrameDecoder, RelpProtocolError } from './relp-frame.js';
export type { RelpTransportOptions, RelpTransportStats } from './relp-transport.js';
export { RelpTransport } from './relp-transport.js';
export type { SyslogSink, SyslogSinkConfig, SyslogSinkStats } from './syslog-sink.js';
export { createSyslogSink, SyslogTransport } from './syslog-sink.js';
export type { UdpTransportOptions } from './udp-transport.js';
export { UdpTransport } from './udp-transport.js';
