#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and the demo need.
# Idempotent: a second run installs nothing new.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang
  libpcap-dev libnetfilter-queue-dev libmnl-dev libnftnl-dev libhyperscan-dev
  libpcre2-dev libyaml-dev libsodium-dev libcmocka-dev libssl-dev libhtp-dev
  libmicrohttpd-dev curl prometheus  # the metrics endpoint; curl and promtool for its e2e test
  nftables iproute2 iptables tcpdump openssl netcat-openbsd procps jq rsyslog
  python3-scapy python3-yaml python3-jsonschema suricata-update
  debhelper dpkg-dev lintian man-db
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all packages present"
