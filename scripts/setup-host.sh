#!/usr/bin/env bash
# Host setup for Pier's tests and benchmarks. Idempotent; run as root.
# Installs Debian packages (conmon, runc, busybox-static, registry, skopeo, umoci,
# chromium, podman, ...) and a CRIU that passes `criu check` (4.1.1 from trixie,
# unpacked into a private prefix with its own loader; see docs/criu.md).
set -u
log() { printf '[setup-host] %s\n' "$*"; }
missing=()

if [ "$(id -u)" != 0 ]; then
  log "not root: skipping package installation"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive

PKGS=(conmon runc busybox-static uidmap slirp4netns netavark aardvark-dns iptables nftables fuse-overlayfs docker-registry skopeo umoci
      chromium xvfb podman zstd iproute2 procps psmisc apache2-utils)
PKGS+=(docker-compose iptables)   # Compose v1 client; iptables for the reference dockerd
need=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/pier-apt.log 2>&1 || {
    log "apt-get install failed (see /tmp/pier-apt.log); trying one by one"
    for p in "${need[@]}"; do apt-get install -y -qq --no-install-recommends "$p" >>/tmp/pier-apt.log 2>&1 || missing+=("$p"); done
  }
else
  log "Debian packages already installed"
fi
# Rootless networking (slirp4netns, pasta) opens /dev/net/tun: Debian's mode is 0666, but without
# udev the node is created 0600. Bridge networks need netavark/aardvark-dns under /usr/lib/podman.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then chmod 0666 /dev/net/tun && log "/dev/net/tun set to 0666"; fi
for b in /usr/lib/podman/netavark /usr/lib/podman/aardvark-dns; do [ -x "$b" ] || missing+=("$b"); done
# docker-registry's own service is not wanted: tests start their own on 127.0.0.1.
if command -v systemctl >/dev/null 2>&1; then systemctl stop docker-registry >/dev/null 2>&1 || true; fi
pkill -f '/usr/bin/docker-registry serve /etc/docker/registry/config.yml' >/dev/null 2>&1 || true

# podman (benchmarks and interop only) needs runc and no default ulimits on this host.
mkdir -p /etc/containers
if ! grep -q 'pier-setup' /etc/containers/containers.conf 2>/dev/null; then
  cat > /etc/containers/containers.conf <<'CONF'
# pier-setup: podman side-by-side configuration
[containers]
default_ulimits = []
[engine]
runtime = "runc"
CONF
  log "wrote /etc/containers/containers.conf (runtime=runc, no default ulimits)"
fi
# podman must never reach out for short names; tests use fully qualified local names.
if [ ! -f /etc/containers/registries.conf.d/pier.conf ]; then
  mkdir -p /etc/containers/registries.conf.d
  printf 'short-name-mode = "permissive"\n[[registry]]\nlocation = "127.0.0.1:5000"\ninsecure = true\n' > /etc/containers/registries.conf.d/pier.conf
fi

# CRIU 4.1.1 from trixie in a private prefix.
CRIU_PREFIX=/opt/pier-criu
if [ -x /usr/local/sbin/criu ] && /usr/local/sbin/criu check >/dev/null 2>&1; then
  log "criu: $(/usr/local/sbin/criu --version | head -1) (check passes)"
else
  log "installing CRIU 4.1.1 from trixie into $CRIU_PREFIX"
  if [ ! -f /etc/apt/sources.list.d/pier-trixie.list ] || grep -q snapshot /etc/apt/sources.list.d/pier-trixie.list; then
    rm -f /etc/apt/sources.list.d/pier-trixie.list
    base=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?' | head -1)
    if [ -z "$base" ]; then
      base=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?' | head -1)
    fi
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${base%/} trixie main" > /etc/apt/sources.list.d/pier-trixie.list
    # never upgrade the host from trixie
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 1\n' > /etc/apt/preferences.d/pier-trixie
    apt-get update -qq >/dev/null 2>&1 || true
  fi
  tmp=$(mktemp -d)
  ( cd "$tmp" && apt-get download -t trixie criu libcompel1 libc6 libbpf1 libbsd0 libcap2 libedit2 libelf1t64 libffi8 libgmp10 \
      libgnutls30t64 libhogweed6t64 libidn2-0 libjansson4 libmd0 libmnl0 libnet1 libnettle8t64 libnftables1 libnftnl11 \
      libnl-3-200 libp11-kit0 libpcre2-8-0 libprotobuf-c1 libselinux1 libtasn1-6 libtinfo6 libunistring5 libuuid1 \
      libxtables12 libzstd1 zlib1g >/tmp/pier-criu.log 2>&1 ) || log "apt-get download of trixie criu failed (see /tmp/pier-criu.log)"
  rm -rf "$CRIU_PREFIX"; mkdir -p "$CRIU_PREFIX"
  for d in "$tmp"/*.deb; do [ -f "$d" ] && dpkg -x "$d" "$CRIU_PREFIX"; done
  rm -rf "$tmp"
  L="$CRIU_PREFIX/usr/lib/x86_64-linux-gnu"
  cat > /usr/local/sbin/criu <<WRAP
#!/bin/sh
exec $L/ld-linux-x86-64.so.2 --library-path $L:$CRIU_PREFIX/lib/x86_64-linux-gnu $CRIU_PREFIX/usr/sbin/criu "\$@"
WRAP
  chmod 755 /usr/local/sbin/criu
  if /usr/local/sbin/criu check >/dev/null 2>&1; then log "criu: $(/usr/local/sbin/criu --version | head -1) (check passes)"
  else log "criu check FAILED"; missing+=(criu); fi
fi

# The reference dockerd (conformance oracle) and Compose v2, in a private prefix.
bash "$(dirname "$0")/setup-dockerd.sh"

for b in conmon runc busybox skopeo umoci chromium podman registry:docker-registry; do
  n=${b%%:*}; bin=${b#*:}; [ "$bin" = "$b" ] && bin=$n
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/bin/$bin" ] || missing+=("$n")
done
if [ ${#missing[@]} -gt 0 ]; then log "MISSING: ${missing[*]}"; else log "all host requirements present"; fi
log "conmon $(conmon --version 2>/dev/null | head -1 | awk '{print $3}'), runc $(runc --version 2>/dev/null | head -1 | awk '{print $3}')"
exit 0
