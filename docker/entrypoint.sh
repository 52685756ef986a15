#!/bin/sh
# Start `segura-relay bridge` in the syslog endpoint's container from its environment (set by the
# task definition, infra/constructs/ingest-endpoint.ts). `exec` makes the bridge PID 1, so the
# SIGTERM ECS sends on a scale-in or deployment reaches it directly and it flushes before exiting.
#
#   QUEUE_URL            the ingest queue (required)
#   TCP_PORT UDP_PORT    plain listeners (unset: none)
#   TLS_PORT             TLS listener, with TLS_CERT_PEM and TLS_KEY_PEM (from Secrets Manager)
#   ALLOW_FROM           comma-separated CIDRs the bridge accepts (the vault's and the NLB's)
#   HEALTH_PORT          HTTP health check for the NLB
#   SPOOL_DIR SPOOL_MAX_BYTES SHUTDOWN_TIMEOUT STATUS_INTERVAL
#   METRICS_NAMESPACE METRICS_SERVICE   embedded-metric-format lines on stdout
#   SQS_ENDPOINT_URL     SQS endpoint (an interface endpoint without private DNS; local tests)
#   BRIDGE_BUNDLE        the bundle (default /app/segura-bridge.mjs)
set -eu
: "${QUEUE_URL:?QUEUE_URL is required}"
bundle="${BRIDGE_BUNDLE:-/app/segura-bridge.mjs}"
set -- --queue-url "$QUEUE_URL" --spool-dir "${SPOOL_DIR:-/spool}"
[ -n "${TCP_PORT:-}" ] && set -- "$@" --tcp "$TCP_PORT"
[ -n "${UDP_PORT:-}" ] && set -- "$@" --udp "$UDP_PORT"
if [ -n "${TLS_PORT:-}" ]; then
  : "${TLS_CERT_PEM:?TLS_PORT needs TLS_CERT_PEM}"
  : "${TLS_KEY_PEM:?TLS_PORT needs TLS_KEY_PEM}"
  tls_dir="${TLS_DIR:-$HOME/tls}"
  mkdir -p "$tls_dir"
  umask 077
  printf '%s\n' "$TLS_CERT_PEM" >"$tls_dir/cert.pem"
  printf '%s\n' "$TLS_KEY_PEM" >"$tls_dir/key.pem"
  # the key stays in the 0600 file only, not in the bridge's environment
  unset TLS_CERT_PEM TLS_KEY_PEM
  set -- "$@" --tls "$TLS_PORT" --tls-cert "$tls_dir/cert.pem" --tls-key "$tls_dir/key.pem"
fi
[ -n "${ALLOW_FROM:-}" ] && set -- "$@" --allow-from "$ALLOW_FROM"
[ -n "${HEALTH_PORT:-}" ] && set -- "$@" --health-port "$HEALTH_PORT"
[ -n "${SPOOL_MAX_BYTES:-}" ] && set -- "$@" --spool-max-bytes "$SPOOL_MAX_BYTES"
[ -n "${SHUTDOWN_TIMEOUT:-}" ] && set -- "$@" --shutdown-timeout "$SHUTDOWN_TIMEOUT"
[ -n "${STATUS_INTERVAL:-}" ] && set -- "$@" --status-interval "$STATUS_INTERVAL"
[ -n "${METRICS_NAMESPACE:-}" ] && set -- "$@" --metrics-emf "$METRICS_NAMESPACE"
[ -n "${METRICS_SERVICE:-}" ] && set -- "$@" --metrics-service "$METRICS_SERVICE"
[ -n "${SQS_ENDPOINT_URL:-}" ] && set -- "$@" --endpoint-url "$SQS_ENDPOINT_URL"
exec node "$bundle" "$@"
