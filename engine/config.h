/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall.yaml, read with libyaml.  Key names follow suricata.yaml wherever
 * Suricata has the same setting, so an operator's habits carry over.
 * Unknown keys and wrong types are errors naming file, line and key.
 */
#ifndef SW_ENGINE_CONFIG_H
#define SW_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/app_proto.h"
#include "engine/app/app.h"
#include "engine/decode/decode.h"
#include "engine/decode/defrag.h"
#include "engine/flow/flow.h"
#include "engine/flow/stream.h"

/* EVE event types (outputs.eve-log.types). */
#define SW_EVE_ALERT 0x01
#define SW_EVE_FLOW  0x02
#define SW_EVE_STATS 0x04
#define SW_EVE_DROP  0x08
#define SW_EVE_HTTP  0x10 /* one record per HTTP transaction */
#define SW_EVE_DNS   0x20 /* one record per DNS message */
#define SW_EVE_TLS   0x40 /* one record per TLS handshake */
#define SW_EVE_SSH   0x80 /* one record per SSH session */

struct sw_config_var {
	char *name;  /* without '$' */
	char *value; /* as written: "[10.0.0.0/8,192.168.0.0/16]", "!$HOME_NET", "80" */
};

/* enforcement: (issue 4, sensor side) */
enum sw_enforce_block {
	SW_ENFORCE_BLOCK_SRC = 1,         /* the alerting packet's source address */
	SW_ENFORCE_BLOCK_DST = 2,
	SW_ENFORCE_BLOCK_BOTH = 3,
};

struct sw_config_enforcer {
	char *host;                       /* IP literal (checked at load) */
	uint16_t port;
	char *public_key;                 /* base64, 44 characters (decoded by sw_enforce_new) */
};

struct sw_config_enforcement {
	bool set;                         /* section present: enforcement on */
	char *key_file;                   /* private-key-file: the sensor's key */
	struct sw_config_enforcer *enforcers;
	uint32_t n_enforcers;
	char *spool_dir;                  /* spool-dir */
	uint64_t spool_max;               /* spool-max bytes (default 16mb) */
	/* triggers: an alert matches if any of these match */
	uint32_t actions;                 /* bit (1u << enum sw_action): alert 0, reject 1, drop 2, pass 3 */
	uint32_t *sids;
	uint32_t n_sids;
	char **classtypes;
	uint32_t n_classtypes;
	uint32_t max_priority;            /* rule priority (EVE severity) <= this; 0 = unused */
	uint32_t block;                   /* enum sw_enforce_block, default src */
	uint32_t ttl;                     /* seconds, default 3600 */
	uint32_t dedup;                   /* seconds an address is not re-requested, default 60 */
};

struct sw_config {
	char *path;                       /* file it came from, or "<builtin>" */

	struct sw_config_var *addr_groups; /* vars.address-groups */
	uint32_t n_addr_groups;
	struct sw_config_var *port_groups; /* vars.port-groups */
	uint32_t n_port_groups;

	char *default_rule_path;          /* default-rule-path; relative rule-files are under it */
	char **rule_files;                /* rule-files */
	uint32_t n_rule_files;
	char *classification_file;        /* classification-file; NULL = built-in table */
	char *threshold_file;             /* threshold-file (Suricata's threshold.config); NULL = none */

	char *log_dir;                    /* default-log-dir */
	bool eve_enabled;                 /* outputs: - eve-log: enabled */
	char *eve_filename;               /* outputs: - eve-log: filename (relative to log_dir) */
	uint32_t eve_types;               /* SW_EVE_* */
	bool eve_ipv6_compress;           /* outputs: - eve-log: ipv6-compress (Suricata's default: no, full form) */

	uint32_t threads;                 /* threading.worker-threads; 0 = one per core */
	bool checksum_validation;         /* checksum-validation (Suricata: stream.checksum-validation) */
	uint32_t stats_interval;          /* stats.interval seconds; 0 = only at exit */
	bool stats_threads;               /* stats.threads: per-worker counters too (not in Suricata's schema) */
	char *metrics_listen;             /* metrics.listen: HOST:PORT of the Prometheus endpoint; NULL = off */

	struct sw_defrag_config defrag;   /* defrag.*: totals for the sensor; the engine gives each worker its share */
	struct sw_decode_config decode;   /* decoder.*: max-layers, vxlan/geneve/teredo enabled and ports */
	struct sw_flow_config flow;       /* flow.*, flow-timeouts.*, stream.reassembly.window */
	/*
	 * stream.midstream, stream.async-oneside, stream.reassembly.depth and
	 * host-os-policy; stream.hosts points into stream_hosts (owned).
	 */
	struct sw_stream_config stream;
	struct sw_stream_host_policy *stream_hosts;
	uint64_t memcap;                  /* flow.memcap bytes for slots and stream tails; the CLI turns it into per-worker flow counts */

	/* outputs.eve-log.syslog: stream every EVE line off the device (RFC 5424 over TCP) */
	bool syslog_enabled;
	char *syslog_host;                /* IP literal */
	uint32_t syslog_port;             /* default 514 */
	char *syslog_hostname;            /* NULL = gethostname() */
	uint32_t syslog_facility;         /* 0..23, default 16 (local0) */
	uint64_t syslog_mem;              /* memory-buffer; 0 = 4 MiB */
	char *syslog_spool_dir;           /* spool-dir; NULL = no on-disk buffer */
	uint64_t syslog_spool_max;        /* spool-max; 0 = 64 MiB */

	/* capture.nfqueue (inline) */
	bool nfq_set;                     /* section present: run inline when no -r/-i/-q is given */
	uint16_t nfq_first, nfq_last;     /* queues: "0" or "0:3", one worker per queue */
	uint32_t nfq_maxlen;              /* queue-maxlen; 0 = kernel default */
	uint32_t nfq_rcvbuf;              /* buffer-size (socket receive buffer); 0 = default */
	bool nfq_fail_open;               /* fail-open: kernel accepts when the queue is full and packets
					     sidewall cannot process are accepted; no = fail closed */
	uint32_t nfq_bypass_mark;         /* bypass-mark: mark set on packets of flows a pass rule let
					     through; must avoid 0x00ff0000 (Tailscale's) */
	uint32_t nfq_drop_connmark;       /* drop-connmark: bits set in the conntrack mark of a dropped
					     flow (NFQA_CT), so a firewall rule keeps dropping it when
					     sidewall is gone; avoids 0x00ff0000 and bypass-mark */

	/* capture.pcap (passive) */
	char **pcap_ifaces;               /* interfaces */
	uint32_t n_pcap_ifaces;
	uint32_t pcap_snaplen;            /* 0 = 262144 */
	bool pcap_promisc;
	uint32_t pcap_buffer;             /* buffer-size; 0 = libpcap default */
	char *pcap_bpf;                   /* bpf-filter */

	struct sw_config_enforcement enforce; /* enforcement: (absent = off) */

	/* app-layer.protocols: Suricata's keys and defaults */
	struct sw_app_config app;         /* http parser settings (app.workers is left 0 for the engine) */
	bool app_enabled[SW_APP_N];       /* app-layer.protocols.<name>.enabled: detect this protocol
					     (http: "detection-only" sets this but not app.http.enabled) */

	/* run-as: (Suricata's): drop to this user (and group; NULL = the user's) after start-up */
	char *run_as_user;
	char *run_as_group;
};

struct sw_config_error {
	char file[256];
	uint32_t line, column;            /* 1-based; 0 when not applicable */
	char message[256];                /* quotes the offending key or value */
};

/* The built-in defaults (same values as the shipped etc/sidewall.yaml). NULL + errno on ENOMEM. */
struct sw_config *sw_config_default(void);

/*
 * Load @path over the defaults.  Returns 0 and a new config in *@out, or
 * -EINVAL (syntax, unknown key, wrong type or range: @err says where and
 * what) or -errno when the file cannot be read.
 */
int sw_config_load(const char *path, struct sw_config **out, struct sw_config_error *err);
/* Same from a string; @name is what errors call the file. */
int sw_config_load_string(const char *text, const char *name, struct sw_config **out,
			  struct sw_config_error *err);

void sw_config_free(struct sw_config *c);

#endif
