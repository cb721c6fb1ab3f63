#!/usr/bin/env bash
# A real dockerd as the tests' reference server (the conformance oracle) and Compose v2, unpacked into a
# private prefix: nothing installed system-wide, no service started. Idempotent; run as root.
#   /opt/pier-dockerd/usr/sbin/dockerd, …/usr/bin/containerd, …/usr/bin/tini-static  (Debian 12 docker.io 20.10)
#   /opt/pier-dockerd/usr/libexec/docker/cli-plugins/docker-compose                    (trixie's Compose v2)
# Compose v1 (Debian 12's docker-compose 1.29, a Python client) is installed by setup-host.sh as a package.
set -u
log() { printf '[setup-dockerd] %s\n' "$*"; }
PREFIX=/opt/pier-dockerd
STAMP="$PREFIX/.pier-stamp-1"
if [ -f "$STAMP" ]; then log "reference dockerd and Compose v2 present in $PREFIX"; exit 0; fi
tmp=$(mktemp -d); chmod 755 "$tmp"
( cd "$tmp" && apt-get download docker.io containerd tini >/tmp/pier-dockerd.log 2>&1 ) \
  || { log "apt-get download docker.io/containerd/tini failed (see /tmp/pier-dockerd.log)"; exit 0; }
# Compose v2 exists only in trixie (setup-host.sh adds that suite, pinned low).
( cd "$tmp" && apt-get download -t trixie docker-compose >>/tmp/pier-dockerd.log 2>&1 ) \
  || log "apt-get download of trixie's docker-compose (v2) failed (see /tmp/pier-dockerd.log)"
rm -rf "$PREFIX"; mkdir -p "$PREFIX"
for d in "$tmp"/*.deb; do dpkg -x "$d" "$PREFIX"; done
rm -rf "$tmp"
if "$PREFIX/usr/sbin/dockerd" --version >/dev/null 2>&1; then
  touch "$STAMP"; log "$("$PREFIX/usr/sbin/dockerd" --version)"
else
  log "dockerd from $PREFIX does not run"
fi
