#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and the demo need.
# Idempotent: a second run installs nothing new.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang
  libpcap-dev libnetfilter-queue-dev libmnl-dev libnftnl-dev libhyperscan-dev
  libpcre2-dev libyaml-dev libsodium-dev libcmocka-dev libssl-dev libhtp-dev
  libmicrohttpd-dev curl prometheus  # the metrics endpoint; curl and promtool for its e2e test
  libcurl4-openssl-dev libjansson-dev crowdsec  # the enforcer's CrowdSec bouncer and its e2e test
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
  # crowdsec's postinst registers to the Central API unless a non-empty
  # credentials file exists (README.Debian): this machine is offline and the
  # tests run their own Local API, so leave the CAPI out instead of failing.
  $SUDO mkdir -p /etc/crowdsec
  [ -s /etc/crowdsec/online_api_credentials.yaml ] ||
    echo "# no Central API: offline (sidewall's tests run their own Local API)" |
    $SUDO tee /etc/crowdsec/online_api_credentials.yaml >/dev/null
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all packages present"
