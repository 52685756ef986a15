#!/usr/bin/env bash
# Installs the third-party syslog parsers used by the interop suite (Debian 12, run as root):
#   rsyslog 8.2302 + rsyslog-gnutls (imptcp, imtcp/gtls, imudp, mmpstrucdata, mmnormalize/liblognorm 2.0.6)
#   + rsyslog-relp (imrelp on librelp 1.11, built with both gnutls and openssl: tls.tlslib picks one)
#   syslog-ng 3.38 (syslog-ng-core, extracted privately: it conflicts with rsyslog in apt)
#   influxdata/go-syslog v2 (golang-github-influxdata-go-syslog-dev) + golang-go, to build the strict checker
# and prepares, under ${SEGURA_INTEROP_HOME:-/tmp/segura-interop}:
#   sng-root/      the extracted syslog-ng-core .deb
#   gosyslog-check the strict RFC 5424 / RFC 6587 checker built from gosyslog-check/main.go
#   tls/           a throwaway CA and a localhost/127.0.0.1 server certificate (openssl)
#   env.json       absolute paths and versions, read by receivers.ts
# Idempotent: when everything is present it only checks and exits (well under a second).
# apt never starts services: a temporary /usr/sbin/policy-rc.d denies it when none exists.
set -euo pipefail

H=${SEGURA_INTEROP_HOME:-/tmp/segura-interop}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOSRC=/usr/share/gocode/src/github.com/influxdata/go-syslog
APT_PKGS=(rsyslog rsyslog-gnutls rsyslog-relp golang-go golang-github-influxdata-go-syslog-dev openssl)
mkdir -p "$H"
APT_LOG=$H/apt.log

log() { echo "interop-install: $*" >&2; }
die() {
  log "$*"
  exit 1
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=0
MADE_POLICY=0
cleanup() { if [ "$MADE_POLICY" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
apt_update() {
  if [ "$APT_UPDATED" = 0 ]; then
    log 'apt-get update'
    apt-get update >>"$APT_LOG" 2>&1 || die "apt-get update failed (see $APT_LOG)"
    APT_UPDATED=1
  fi
}
apt_install() { # apt_install pkg... (never starts services)
  [ "$(id -u)" = 0 ] || die "need root to apt-get install $*"
  local rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    MADE_POLICY=1
  fi
  # an empty package index (fresh container) needs an update first
  if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -E '^(lock|partial|auxfiles)$' || true)" ]; then apt_update; fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$APT_LOG" 2>&1 || rc=$?
  if [ "$rc" != 0 ] && [ "$APT_UPDATED" = 0 ]; then
    apt_update
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$APT_LOG" 2>&1 || rc=$?
  fi
  cleanup
  MADE_POLICY=0
  [ "$rc" = 0 ] || die "apt-get install $* failed (see $APT_LOG)"
}

# ------------------------------------------------------------------ apt packages
missing=()
for p in "${APT_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || die 'rsyslogd not found after installing rsyslog'
RS_MODDIR=$(dirname "$(dpkg -L rsyslog | grep '/imptcp\.so$' | head -1)")
for m in imudp imptcp imtcp imrelp mmpstrucdata mmnormalize lmnsd_gtls; do
  [ -e "$RS_MODDIR/$m.so" ] || die "rsyslog module $m.so missing in $RS_MODDIR"
done
[ -d "$GOSRC/rfc5424" ] && [ -d "$GOSRC/octetcounting" ] || die "go-syslog sources missing in $GOSRC"

# ------------------------------------------------- syslog-ng, extracted privately
SNG_ROOT=$H/sng-root
if [ ! -x "$SNG_ROOT/usr/sbin/syslog-ng" ] || [ ! -s "$H/sng-deps.txt" ]; then
  log "extracting Debian's syslog-ng-core into $SNG_ROOT (it conflicts with rsyslog in apt)"
  rm -rf "$H/debs" "$SNG_ROOT"
  mkdir -p "$H/debs" "$SNG_ROOT"
  # _apt cannot write into a root-only dir: download as root (apt warns, harmlessly)
  if ! (cd "$H/debs" && apt-get download syslog-ng-core >>"$APT_LOG" 2>&1); then
    apt_update
    (cd "$H/debs" && apt-get download syslog-ng-core >>"$APT_LOG" 2>&1) || die "apt-get download syslog-ng-core failed (see $APT_LOG)"
  fi
  deb=$(ls -t "$H"/debs/syslog-ng-core_*.deb | head -1)
  dpkg-deb -x "$deb" "$SNG_ROOT"
  # library Depends only; init-script helpers are irrelevant to a foreground daemon
  dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/^ *//; s/ *$//' |
    grep -v -E '^(sysvinit-utils|lsb-base|init-system-helpers|adduser|ucf|logrotate)?$' >"$H/sng-deps.txt.tmp"
  dpkg-deb -f "$deb" Version >"$H/sng-version.txt"
  mv "$H/sng-deps.txt.tmp" "$H/sng-deps.txt"
fi
need=()
while read -r d; do
  [ -n "$d" ] || continue
  pkg_installed "$d" || need+=("$d")
done <"$H/sng-deps.txt"
if [ "${#need[@]}" -gt 0 ]; then apt_install "${need[@]}"; fi
SNG_MODDIR=$(ls -d "$SNG_ROOT"/usr/lib/syslog-ng/3.* | tail -1)
[ -d "$SNG_MODDIR" ] || die "syslog-ng module dir missing under $SNG_ROOT"

# ----------------------------------------------------------------- TLS material
TLS=$H/tls
if [ ! -s "$TLS/server.pem" ] || [ ! -s "$TLS/server.key" ] || [ ! -s "$TLS/ca.pem" ]; then
  log "creating a test CA and server certificate in $TLS"
  rm -rf "$TLS"
  mkdir -p "$TLS"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj '/CN=segura-interop test CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -keyout "$TLS/ca.key" -out "$TLS/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -sha256 -subj '/CN=localhost' \
    -keyout "$TLS/server.key" -out "$TLS/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n' >"$TLS/ext.cnf"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$TLS/ext.cnf" -out "$TLS/server.pem" >/dev/null 2>&1
  chmod 600 "$TLS"/*.key
fi

# ------------------------------------------------------ go-syslog strict checker
GODIR=$H/gochk
GOCHK=$H/gosyslog-check
if [ ! -x "$GOCHK" ] || ! cmp -s "$HERE/gosyslog-check/main.go" "$GODIR/gopath/src/gosyslogcheck/main.go"; then
  log 'building the go-syslog checker'
  mkdir -p "$GODIR/gopath/src/github.com/influxdata/go-syslog" "$GODIR/gopath/src/gosyslogcheck"
  # GOPATH mode against Debian's source package: no module download, no network
  ln -sfn "$GOSRC" "$GODIR/gopath/src/github.com/influxdata/go-syslog/v2"
  cp "$HERE/gosyslog-check/main.go" "$GODIR/gopath/src/gosyslogcheck/main.go.new"
  if ! (cd "$GODIR/gopath/src/gosyslogcheck" && mv main.go.new main.go &&
    CGO_ENABLED=0 GO111MODULE=off GOPATH="$GODIR/gopath" GOCACHE="$GODIR/cache" GOFLAGS='' GOTOOLCHAIN=local \
      go build -o "$GOCHK.tmp" .) >"$GODIR/build.log" 2>&1; then
    rm -f "$GODIR/gopath/src/gosyslogcheck/main.go"
    cat "$GODIR/build.log" >&2
    die 'go build of the go-syslog checker failed'
  fi
  mv "$GOCHK.tmp" "$GOCHK"
fi

# ------------------------------------------------------------------- env.json
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
cat >"$H/env.json.tmp" <<EOF
{
  "rsyslogd": "$RSYSLOGD",
  "rsyslogModDir": "$RS_MODDIR",
  "syslogNg": "$SNG_ROOT/usr/sbin/syslog-ng",
  "syslogNgModDir": "$SNG_MODDIR",
  "syslogNgLibDir": "$SNG_ROOT/usr/lib/syslog-ng",
  "goChecker": "$GOCHK",
  "tls": { "ca": "$TLS/ca.pem", "cert": "$TLS/server.pem", "key": "$TLS/server.key" },
  "versions": {
    "rsyslog": "$(ver rsyslog)",
    "liblognorm": "$(ver liblognorm5)",
    "syslogNg": "$(cat "$H/sng-version.txt")",
    "goSyslog": "$(ver golang-github-influxdata-go-syslog-dev)",
    "go": "$(ver golang-go)"
  }
}
EOF
mv "$H/env.json.tmp" "$H/env.json"
log "ready: $H/env.json"
