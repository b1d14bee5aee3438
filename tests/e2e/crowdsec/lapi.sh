# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/e2e/crowdsec/crowdsec_e2e.sh and bench/crowdsec_bench.sh:
# the files of a CrowdSec Local API of their own (crowdsec 1.4.6, Debian),
# everything under one directory, no agent, no Central API.

# cs_files DIR: the directories, simulation and profiles files of a LAPI in DIR
cs_files() {
	mkdir -p "$1/data" "$1/hub"
	echo "simulation: off" >"$1/simulation.yaml"
	cat >"$1/profiles.yaml" <<'CFG'
name: default_ip_remediation
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
 - type: ban
   duration: 4h
on_success: break
CFG
}

# cs_config DIR PORT CREDS: a config.yaml (on stdout) for a LAPI in DIR on
# 127.0.0.1:PORT whose cscli logs in with CREDS
cs_config() {
	local d=$1
	cat <<CFG
common:
  daemonize: false
  log_media: stdout
  log_level: info
  working_dir: $d
config_paths:
  config_dir: $d/
  data_dir: $d/data/
  simulation_path: $d/simulation.yaml
  hub_dir: $d/hub/
  index_path: $d/hub/.index.json
  notification_dir: $d/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: $d/acquis.yaml
cscli:
  output: human
  color: no
db_config:
  log_level: info
  type: sqlite
  db_path: $d/data/crowdsec.db
  use_wal: true
api:
  client:
    insecure_skip_verify: false
    credentials_path: $3
  server:
    log_level: info
    listen_uri: 127.0.0.1:$2
    profiles_path: $d/profiles.yaml
    trusted_ips: [127.0.0.1]
prometheus:
  enabled: false
CFG
}
