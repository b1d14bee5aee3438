/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/config.h"

static void src_path(char *buf, size_t n, const char *rel)
{
	const char *src = getenv("SW_SRC");

	snprintf(buf, n, "%s/%s", src ? src : ".", rel);
}

static const char *var(const struct sw_config_var *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	return NULL;
}

/* Every field of @a equals @b (except path). */
static void assert_config_equal(const struct sw_config *a, const struct sw_config *b)
{
	assert_int_equal(a->n_addr_groups, b->n_addr_groups);
	for (uint32_t i = 0; i < a->n_addr_groups; i++) {
		const char *v = var(b->addr_groups, b->n_addr_groups, a->addr_groups[i].name);

		assert_non_null(v);
		assert_string_equal(a->addr_groups[i].value, v);
	}
	assert_int_equal(a->n_port_groups, b->n_port_groups);
	for (uint32_t i = 0; i < a->n_port_groups; i++) {
		const char *v = var(b->port_groups, b->n_port_groups, a->port_groups[i].name);

		assert_non_null(v);
		assert_string_equal(a->port_groups[i].value, v);
	}
	assert_string_equal(a->default_rule_path, b->default_rule_path);
	assert_int_equal(a->n_rule_files, b->n_rule_files);
	for (uint32_t i = 0; i < a->n_rule_files; i++)
		assert_string_equal(a->rule_files[i], b->rule_files[i]);
	assert_true((a->classification_file == NULL) == (b->classification_file == NULL));
	if (a->classification_file)
		assert_string_equal(a->classification_file, b->classification_file);
	assert_string_equal(a->log_dir, b->log_dir);
	assert_int_equal(a->eve_enabled, b->eve_enabled);
	assert_string_equal(a->eve_filename, b->eve_filename);
	assert_int_equal(a->eve_types, b->eve_types);
	assert_int_equal(a->threads, b->threads);
	assert_int_equal(a->checksum_validation, b->checksum_validation);
	assert_int_equal(a->stats_interval, b->stats_interval);
	assert_int_equal(a->memcap, b->memcap);
	assert_memory_equal(&a->flow, &b->flow, sizeof(a->flow));
	assert_memory_equal(&a->decode, &b->decode, sizeof(a->decode));
	assert_int_equal(a->nfq_set, b->nfq_set);
	assert_int_equal(a->nfq_first, b->nfq_first);
	assert_int_equal(a->nfq_last, b->nfq_last);
	assert_int_equal(a->nfq_maxlen, b->nfq_maxlen);
	assert_int_equal(a->nfq_rcvbuf, b->nfq_rcvbuf);
	assert_int_equal(a->nfq_fail_open, b->nfq_fail_open);
	assert_int_equal(a->nfq_bypass_mark, b->nfq_bypass_mark);
	assert_int_equal(a->nfq_drop_connmark, b->nfq_drop_connmark);
	assert_int_equal(a->stream.depth, b->stream.depth);
	assert_int_equal(a->stream.midstream, b->stream.midstream);
	assert_int_equal(a->stream.async_oneside, b->stream.async_oneside);
	assert_int_equal(a->stream.segment_prealloc, b->stream.segment_prealloc);
	assert_int_equal(a->stream.n_hosts, b->stream.n_hosts);
	assert_int_equal(a->n_pcap_ifaces, b->n_pcap_ifaces);
	assert_int_equal(a->pcap_snaplen, b->pcap_snaplen);
	assert_int_equal(a->pcap_promisc, b->pcap_promisc);
	assert_int_equal(a->pcap_buffer, b->pcap_buffer);
	assert_true((a->pcap_bpf == NULL) == (b->pcap_bpf == NULL));
	assert_int_equal(a->syslog_enabled, b->syslog_enabled);
	assert_int_equal(a->stats_threads, b->stats_threads);
	assert_int_equal(a->syslog_port, b->syslog_port);
	assert_int_equal(a->syslog_facility, b->syslog_facility);
	assert_true((a->syslog_host == NULL) == (b->syslog_host == NULL));
	assert_memory_equal(&a->app, &b->app, sizeof(a->app));
	assert_memory_equal(a->app_enabled, b->app_enabled, sizeof(a->app_enabled));
}

static void test_shipped_equals_default(void **state)
{
	struct sw_config *d = sw_config_default(), *c = NULL;
	struct sw_config_error err;
	char path[512];
	int rc;

	(void)state;
	assert_non_null(d);
	src_path(path, sizeof(path), "etc/sidewall.yaml");
	rc = sw_config_load(path, &c, &err);
	if (rc)
		print_error("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
	assert_int_equal(rc, 0);
	assert_string_equal(c->path, path);
	assert_string_equal(d->path, "<builtin>");
	assert_int_equal(d->n_addr_groups, 15);
	assert_int_equal(d->n_port_groups, 11);
	assert_string_equal(var(c->port_groups, c->n_port_groups, "ORACLE_PORTS"), "1521");
	assert_config_equal(c, d);
	sw_config_free(c);
	sw_config_free(d);
}

static void test_every_key(void **state)
{
	struct sw_config *c = NULL;
	struct sw_config_error err;
	char path[512];
	int rc;

	(void)state;
	src_path(path, sizeof(path), "tests/fixtures/config/all.yaml");
	rc = sw_config_load(path, &c, &err);
	if (rc)
		print_error("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_addr_groups, 16); /* 15 defaults, HOME_NET replaced, MY_NET added */
	assert_string_equal(var(c->addr_groups, c->n_addr_groups, "HOME_NET"), "[10.1.0.0/16]");
	assert_string_equal(var(c->addr_groups, c->n_addr_groups, "MY_NET"), "10.2.0.0/16");
	assert_string_equal(var(c->addr_groups, c->n_addr_groups, "EXTERNAL_NET"), "!$HOME_NET");
	assert_int_equal(c->n_port_groups, 11);
	assert_string_equal(var(c->port_groups, c->n_port_groups, "HTTP_PORTS"), "[80,8080]");
	assert_string_equal(var(c->port_groups, c->n_port_groups, "ORACLE_PORTS"), "1522");
	assert_string_equal(c->default_rule_path, "/opt/rules");
	assert_int_equal(c->n_rule_files, 2);
	assert_string_equal(c->rule_files[0], "a.rules");
	assert_string_equal(c->rule_files[1], "b.rules");
	assert_string_equal(c->classification_file, "/opt/classification.config");
	assert_string_equal(c->log_dir, "/var/log/sw");
	assert_false(c->eve_enabled);
	assert_string_equal(c->eve_filename, "out.json");
	assert_true(c->eve_ipv6_compress);
	assert_int_equal(c->eve_types, SW_EVE_ALERT | SW_EVE_FLOW | SW_EVE_DROP);
	assert_int_equal(c->threads, 7);
	assert_int_equal(c->app.tls_ja3_cfg, 1); /* ja3-fingerprints: yes */
	assert_int_equal(c->app.tls_ja4_cfg, 0);
	assert_false(c->app_enabled[SW_APP_TLS]);
	assert_false(c->checksum_validation);
	assert_int_equal(c->stats_interval, 9);
	assert_int_equal(c->memcap, 1ull << 30);
	assert_int_equal(c->flow.max_flows, (1u << 30) / 512);
	assert_int_equal(c->flow.hash_size, 1024);
	assert_int_equal(c->flow.prealloc, 5);
	assert_int_equal(c->flow.other_new, 1);
	assert_int_equal(c->flow.other_est, 2);
	assert_int_equal(c->flow.tcp_new, 3);
	assert_int_equal(c->flow.tcp_est, 4);
	assert_int_equal(c->flow.tcp_closed, 5);
	assert_int_equal(c->flow.udp_new, 6);
	assert_int_equal(c->flow.udp_est, 7);
	assert_int_equal(c->flow.icmp_new, 8);
	assert_int_equal(c->flow.icmp_est, 9);
	assert_int_equal(c->flow.stream_window, 4096);
	assert_true(c->app.midstream);
	assert_true(c->stream.midstream);
	assert_true(c->stream.async_oneside);
	assert_int_equal(c->stream.depth, 2u << 20);
	assert_int_equal(c->stream.segment_prealloc, 7);
	assert_int_equal(c->stream.n_hosts, 3);
	assert_ptr_equal(c->stream.hosts, c->stream_hosts);
	assert_int_equal(c->stream_hosts[0].policy, SW_STREAM_POL_WINDOWS);
	assert_int_equal(c->stream_hosts[0].prefix, 0);
	assert_int_equal(c->stream_hosts[1].policy, SW_STREAM_POL_LINUX);
	assert_int_equal(c->stream_hosts[1].prefix, 16);
	assert_int_equal(c->stream_hosts[2].prefix, 128);
	assert_int_equal(c->flow.interim_interval, 300);
	assert_true(c->stats_threads);
	assert_true(c->syslog_enabled);
	assert_string_equal(c->syslog_host, "127.0.0.1");
	assert_int_equal(c->syslog_port, 6514);
	assert_string_equal(c->syslog_hostname, "sensor-1");
	assert_int_equal(c->syslog_facility, 4);
	assert_int_equal(c->syslog_mem, 1u << 20);
	assert_string_equal(c->syslog_spool_dir, "/var/spool/sidewall");
	assert_int_equal(c->syslog_spool_max, 2u << 20);
	assert_true(c->nfq_set);
	assert_int_equal(c->nfq_first, 2);
	assert_int_equal(c->nfq_last, 5);
	assert_int_equal(c->nfq_maxlen, 8192);
	assert_int_equal(c->nfq_rcvbuf, 4u << 20);
	assert_false(c->nfq_fail_open);
	assert_int_equal(c->nfq_bypass_mark, 0x100);
	assert_int_equal(c->nfq_drop_connmark, 0x200);
	assert_int_equal(c->n_pcap_ifaces, 2);
	assert_string_equal(c->pcap_ifaces[0], "eth1");
	assert_string_equal(c->pcap_ifaces[1], "eth2");
	assert_int_equal(c->pcap_snaplen, 1500);
	assert_false(c->pcap_promisc);
	assert_int_equal(c->pcap_buffer, 16u << 20);
	assert_string_equal(c->pcap_bpf, "not port 22");
	assert_true(c->enforce.set);
	assert_string_equal(c->enforce.key_file, "/etc/sidewall/sensor.key");
	assert_int_equal(c->enforce.n_enforcers, 2);
	assert_string_equal(c->enforce.enforcers[0].host, "192.0.2.10");
	assert_int_equal(c->enforce.enforcers[0].port, 7447);
	assert_string_equal(c->enforce.enforcers[0].public_key, "MXYKn/7vNRHBEy75teV3jRvrcC8UOKEP0wBhMX84dhw=");
	assert_string_equal(c->enforce.enforcers[1].host, "2001:db8::1");
	assert_int_equal(c->enforce.enforcers[1].port, 7448);
	assert_string_equal(c->enforce.spool_dir, "/var/spool/sidewall");
	assert_int_equal(c->enforce.spool_max, 2u << 20);
	assert_int_equal(c->enforce.actions, 1u << 2 | 1u << 1);
	assert_int_equal(c->enforce.n_sids, 2);
	assert_int_equal(c->enforce.sids[0], 2001219);
	assert_int_equal(c->enforce.sids[1], 7);
	assert_int_equal(c->enforce.n_classtypes, 1);
	assert_string_equal(c->enforce.classtypes[0], "trojan-activity");
	assert_int_equal(c->enforce.max_priority, 1);
	assert_int_equal(c->enforce.block, SW_ENFORCE_BLOCK_BOTH);
	assert_int_equal(c->enforce.ttl, 600);
	assert_int_equal(c->enforce.dedup, 30);
	/* app-layer */
	assert_true(c->app_enabled[SW_APP_HTTP1]);
	assert_false(c->app.http.enabled);
	assert_int_equal(c->app.http.memcap, 128ull << 20);
	assert_int_equal(c->app.http.personality, 9);
	assert_int_equal(c->app.http.request_body_limit, 4096);
	assert_int_equal(c->app.http.response_body_limit, 0);
	assert_int_equal(c->app.http.decompression_layer_limit, 3);
	assert_true(c->app.http.double_decode_path);
	assert_true(c->app.http.double_decode_query);
	assert_int_equal(c->app.http.field_limit, 9000);
	assert_false(c->app_enabled[SW_APP_TLS]);
	assert_true(c->app_enabled[SW_APP_DNS]);
	assert_false(c->app_enabled[SW_APP_SSH]);
	assert_true(c->app_enabled[SW_APP_SMTP]);
	assert_false(c->app_enabled[SW_APP_FTP]);
	assert_false(c->app_enabled[SW_APP_SMB]);
	assert_false(c->app_enabled[SW_APP_DCERPC]);
	assert_false(c->app_enabled[SW_APP_IMAP]);
	assert_false(c->app_enabled[SW_APP_POP3]);
	assert_true(c->app_enabled[SW_APP_FTP_DATA]); /* no key of its own */
	sw_config_free(c);
}

static void test_empty_is_default(void **state)
{
	static const char *const texts[] = { "", "# only a comment\n", "---\n" };
	struct sw_config *d = sw_config_default();

	(void)state;
	/* written at start-up: etc/sidewall.yaml says what they cost */
	assert_int_equal(d->flow.prealloc, 2048);
	assert_int_equal(d->stream.segment_prealloc, 2048);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct sw_config *c = NULL;
		struct sw_config_error err;

		assert_int_equal(sw_config_load_string(texts[i], "e.yaml", &c, &err), 0);
		assert_string_equal(c->path, "e.yaml");
		assert_config_equal(c, d);
		sw_config_free(c);
	}
	sw_config_free(d);
}

/* metrics.listen: off unless set; an address is kept as written (resolved at start) */
static void test_metrics_listen(void **state)
{
	struct sw_config *c = NULL, *d = sw_config_default();
	struct sw_config_error err;
	(void)state;

	assert_null(d->metrics_listen);
	sw_config_free(d);
	assert_int_equal(sw_config_load_string("metrics:\n  listen: \"[::1]:9748\"\n", "m.yaml", &c, &err), 0);
	assert_string_equal(c->metrics_listen, "[::1]:9748");
	sw_config_free(c);
}

static void test_missing_file(void **state)
{
	struct sw_config *c = (struct sw_config *)1;
	struct sw_config_error err;

	(void)state;
	assert_int_equal(sw_config_load("/nonexistent/sidewall.yaml", &c, &err), -ENOENT);
	assert_null(c);
}

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t memcap;
	} t[] = {
		{ "flow: {memcap: 2048kb}", 2ull << 20 },
		{ "flow: {memcap: 64MB}", 64ull << 20 },
		{ "flow: {memcap: 2gb}", 2ull << 30 },
		{ "flow: {memcap: 1048576}", 1ull << 20 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_config *c = NULL;
		struct sw_config_error err;

		assert_int_equal(sw_config_load_string(t[i].text, "s", &c, &err), 0);
		assert_int_equal(c->memcap, t[i].memcap);
		assert_int_equal(c->flow.max_flows, t[i].memcap / 512);
		sw_config_free(c);
	}
}

/* decoder.*: Suricata's keys, ports resolved after the whole file (vars may come later). */
static void test_decoder(void **state)
{
	static const char text[] = "decoder:\n"
				   "  max-layers: 8\n"
				   "  vxlan:\n"
				   "    enabled: yes\n"
				   "    ports: $MY_VXLAN\n"
				   "    reserved-bits-check: permissive\n"
				   "  geneve: {enabled: no, ports: 6081}\n"
				   "  teredo:\n"
				   "    ports: any\n"
				   "vars:\n"
				   "  port-groups:\n"
				   "    MY_VXLAN: \"[4789, $OTHER]\"\n"
				   "    OTHER: 8472\n";
	struct sw_config *c = NULL, *d = sw_config_default();
	struct sw_config_error err;
	int rc;

	(void)state;
	assert_non_null(d);
	assert_int_equal(d->decode.max_layers, SW_DECODE_MAX_LAYERS);
	assert_true(d->decode.vxlan && d->decode.geneve && d->decode.teredo);
	assert_int_equal(d->decode.n_vxlan_ports, 1);
	assert_int_equal(d->decode.vxlan_ports[0], 4789);
	assert_int_equal(d->decode.geneve_ports[0], 6081);
	assert_int_equal(d->decode.n_teredo_ports, 1);
	assert_int_equal(d->decode.teredo_ports[0], 3544);
	rc = sw_config_load_string(text, "t.yaml", &c, &err);
	if (rc)
		print_error("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(c->decode.max_layers, 8);
	assert_true(c->decode.vxlan);
	assert_true(c->decode.vxlan_permissive);
	assert_int_equal(c->decode.n_vxlan_ports, 2);
	assert_int_equal(c->decode.vxlan_ports[0], 4789);
	assert_int_equal(c->decode.vxlan_ports[1], 8472);
	assert_false(c->decode.geneve);
	assert_true(c->decode.teredo);
	assert_int_equal(c->decode.n_teredo_ports, 0); /* any */
	sw_config_free(c);
	sw_config_free(d);

	static const struct {
		const char *text;
		uint32_t line, column;
		const char *msg;
	} t[] = {
		{ "decoder:\n  vxlan:\n    ports: 70000\n", 3, 12,
		  "'decoder.vxlan.ports' expects ports 0..65535, got '70000'" },
		{ "decoder:\n  vxlan:\n    ports: any\n", 3, 12, "'decoder.vxlan.ports' expects ports 0..65535, got 'any'" },
		{ "decoder:\n  geneve:\n    ports: \"[1,2,3,4,5]\"\n", 3, 12, "'decoder.geneve.ports': at most 4 ports" },
		{ "decoder:\n  teredo:\n    ports: $NOPE\n", 3, 12, "'decoder.teredo.ports': unknown port group '$NOPE'" },
		{ "decoder:\n  teredo:\n    ports: \"[]\"\n", 3, 12, "'decoder.teredo.ports' names no port" },
		{ "decoder:\n  vxlan:\n    ports: [4789]\n", 3, 12,
		  "'decoder.vxlan.ports' expects a port, a list of ports or a $port-group, got a list" },
		{ "decoder:\n  vxlan:\n    reserved-bits-check: lax\n", 3, 26,
		  "'decoder.vxlan.reserved-bits-check' expects strict or permissive, got 'lax'" },
		{ "decoder:\n  max-layers: 1\n", 2, 15, "'decoder.max-layers' must be at least 2" },
		{ "decoder:\n  max-layers: 256\n", 2, 15, "'decoder.max-layers' is 256, more than the maximum 255" },
		{ "decoder:\n  erspan: {}\n", 2, 3, "unknown key 'decoder.erspan'" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = NULL;
		rc = sw_config_load_string(t[i].text, "t.yaml", &c, &err);
		print_message("%s", t[i].text);
		assert_int_equal(rc, -EINVAL);
		assert_null(c);
		assert_string_equal(err.message, t[i].msg);
		assert_int_equal(err.line, t[i].line);
		assert_int_equal(err.column, t[i].column);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		uint32_t line, column;
		const char *msg; /* exact message, or a prefix ending in '*' */
	} t[] = {
		{ "flw:\n  memcap: 1mb\n", 1, 1, "unknown key 'flw'" },
		{ "flow:\n  hash-size: 10\n  memcapp: 1mb\n", 3, 3, "unknown key 'flow.memcapp'" },
		{ "flow-timeouts:\n  tcp:\n    new: abc\n", 3, 10,
		  "'flow-timeouts.tcp.new' expects a non-negative integer, got 'abc'" },
		{ "flow-timeouts:\n  udp:\n    closed: 5\n", 3, 5, "unknown key 'flow-timeouts.udp.closed'" },
		{ "threading:\n  worker-threads: -1\n", 2, 19,
		  "'threading.worker-threads' expects a non-negative integer, got '-1'" },
		{ "threading:\n  worker-threads: 1025\n", 2, 19, "'threading.worker-threads' is 1025*" },
		{ "flow:\n  prealloc: 16777217\n", 2, 13, "'flow.prealloc' is 16777217*" },
		{ "flow:\n  prealloc: many\n", 2, 13, "'flow.prealloc' expects a non-negative integer, got 'many'" },
		{ "stream:\n  reassembly:\n    segment-prealloc: -1\n", 3, 23,
		  "'stream.reassembly.segment-prealloc' expects a non-negative integer, got '-1'" },
		{ "flow-timeouts:\n  tcp: {new: 86401}\n", 2, 14, "'flow-timeouts.tcp.new' is 86401*" },
		{ "stream:\n  reassembly:\n    window: 1048577\n", 3, 13, "'stream.reassembly.window' is*" },
		{ "rule-files:\n  a: b\n", 2, 3, "'rule-files' expects a list" },
		{ "host-os-policy:\n  beos: [1.2.3.4]\n", 2, 3, "'host-os-policy.beos': unknown policy 'beos'" },
		{ "host-os-policy:\n  linux: [10.0.0.0/33]\n", 2, 11, "'host-os-policy.linux': bad address '10.0.0.0/33'" },
		{ "host-os-policy:\n  linux: 10.0.0.1\n", 2, 10, "'host-os-policy.linux' expects a list of addresses" },
		{ "stream:\n  async-oneside: maybe\n", 2, 18, "'stream.async-oneside' expects*" },
		{ "capture:\n  nfqueue:\n    drop-connmark: 0x10000\n", 3, 20,
		  "'capture.nfqueue.drop-connmark' 0x10000 overlaps 0x00ff0000, which Tailscale uses" },
		{ "capture:\n  nfqueue:\n    bypass-mark: 0x3\n    drop-connmark: 0x2\n", 4, 20,
		  "'capture.nfqueue.drop-connmark' 0x2 shares bits with the other of bypass-mark / drop-connmark" },
		{ "default-log-dir: [a]\n", 1, 18, "'default-log-dir' expects a string, got a list" },
		{ "flow:\n  memcap: 12tb\n", 2, 11, "'flow.memcap' expects a size*" },
		{ "flow:\n  memcap: 1kb\n", 2, 11, "'flow.memcap' is '1kb', outside 1mb..64gb" },
		{ "flow:\n  memcap: 1mb\n  memcap: 2mb\n", 3, 3, "duplicate key 'flow.memcap'" },
		{ "flow: [\n", 2, 1, "YAML: *" },
		{ "a: b: c\n", 1, 5, "YAML: *" },
		{ "checksum-validation: maybe\n", 1, 22,
		  "'checksum-validation' expects yes or no, got 'maybe'" },
		{ "outputs:\n  - eve-log:\n      types:\n        - alert\n        - smb\n", 5, 11,
		  "'outputs.eve-log.types': unknown eve type 'smb' (alert, flow, http, dns, tls, ssh, stats, drop)" },
		{ "outputs:\n  - eve-log:\n      filetype: unix_stream\n", 3, 17,
		  "'outputs.eve-log.filetype' supports only 'regular', got 'unix_stream'" },
		{ "outputs:\n  - syslog:\n      enabled: yes\n", 2, 5, "unknown key 'outputs.syslog'" },
		{ "capture:\n  af-packet: {}\n", 2, 3, "unknown key 'capture.af-packet'" },
		{ "capture:\n  nfqueue:\n    queues: \"3:1\"\n", 3, 13,
		  "'capture.nfqueue.queues' expects a queue number or a range A:B (at most 1024 queues), got '3:1'" },
		{ "capture:\n  nfqueue:\n    bypass-mark: 0x10000\n", 3, 18,
		  "'capture.nfqueue.bypass-mark' 0x10000 overlaps 0x00ff0000, which Tailscale uses" },
		{ "capture:\n  pcap:\n    interfaces: eth0\n", 3, 17, "'capture.pcap.interfaces' expects a list" },
		{ "outputs:\n  - eve-log:\n      syslog:\n        facility: 24\n", 4, 19,
		  "'outputs.eve-log.syslog.facility' is 24, more than the maximum 23" },
		{ "- a\n- b\n", 1, 1, "'' expects a map" },
		{ "metrics:\n  listen: 127.0.0.1\n", 2, 11,
		  "'metrics.listen' expects HOST:PORT or [IPV6]:PORT, got '127.0.0.1'" },
		{ "metrics:\n  listen: ::1:9748\n", 2, 11,
		  "'metrics.listen' expects HOST:PORT or [IPV6]:PORT, got '::1:9748'" },
		{ "metrics:\n  port: 9748\n", 2, 3, "unknown key 'metrics.port'" },
#define HTP "app-layer:\n  protocols:\n    http:\n      libhtp:\n        default-config:\n"
		{ "app-layer:\n  protocol: {}\n", 2, 3, "unknown key 'app-layer.protocol'" },
		{ "app-layer:\n  protocols:\n    http2: {enabled: yes}\n", 3, 5,
		  "unknown key 'app-layer.protocols.http2'" },
		{ "app-layer:\n  protocols:\n    http:\n      enabled: maybe\n", 4, 16,
		  "'app-layer.protocols.http.enabled' expects yes or no, got 'maybe'" },
		{ "app-layer:\n  protocols:\n    tls:\n      detection-ports: {}\n", 4, 7,
		  "unknown key 'app-layer.protocols.tls.detection-ports'" },
		{ "app-layer:\n  protocols:\n    http:\n      memcap: 10kb\n", 4, 15,
		  "'app-layer.protocols.http.memcap' is '10kb', outside 1mb..64gb" },
		{ HTP "          personality: Tomcat_6_0\n", 6, 24,
		  "'app-layer.protocols.http.libhtp.default-config.personality' expects one of*" },
		{ HTP "          request-body-limit: 2gb\n", 6, 31,
		  "'app-layer.protocols.http.libhtp.default-config.request-body-limit' is '2gb', outside 0..1gb" },
		{ HTP "          response-body-limit: lots\n", 6, 32,
		  "'app-layer.protocols.http.libhtp.default-config.response-body-limit' expects a size*" },
		{ HTP "          response-body-decompress-layer-limit: 17\n", 6, 49,
		  "'app-layer.protocols.http.libhtp.default-config.response-body-decompress-layer-limit' is 17*" },
		{ HTP "          double-decode-path: [yes]\n", 6, 31,
		  "'app-layer.protocols.http.libhtp.default-config.double-decode-path' expects a boolean, got a list" },
		{ HTP "          swf-decompression: {}\n", 6, 11,
		  "unknown key 'app-layer.protocols.http.libhtp.default-config.swf-decompression'" },
		{ "app-layer:\n  protocols:\n    http:\n      libhtp:\n        server-config: []\n", 5, 9,
		  "unknown key 'app-layer.protocols.http.libhtp.server-config'" },
#define ENF "enforcement:\n  private-key-file: k\n  spool-dir: s\n"
#define ENF1 "  enforcers:\n    - {host: 10.0.0.1, port: 7447, public-key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=}\n"
		{ "enforcement:\n  spool-dir: s\n", 1, 1,
		  "'enforcement' needs private-key-file, spool-dir and enforcers" },
		{ ENF "  enforcers: []\n", 4, 14, "'enforcement.enforcers' needs at least one enforcer" },
		{ ENF "  enforcers:\n    - host: example.com\n", 5, 13,
		  "'enforcement.enforcers.host' expects an IP address, got 'example.com'" },
		{ ENF "  enforcers:\n    - {host: 10.0.0.1, port: 7447}\n", 5, 7,
		  "'enforcement.enforcers' items need host, port and public-key" },
		{ ENF "  enforcers:\n    - {host: 10.0.0.1, port: 0}\n", 5, 30, "'enforcement.enforcers.port' must be 1..65535" },
		{ ENF "  enforcers:\n    - {public-key: abc}\n", 5, 20,
		  "'enforcement.enforcers.public-key' expects a base64 key*" },
		{ ENF "  enforcers:\n    - {hostname: x}\n", 5, 8, "unknown key 'enforcement.enforcers.hostname'" },
		{ ENF ENF1 "  block: source\n", 6, 10, "'enforcement.block' expects src, dst or both, got 'source'" },
		{ ENF ENF1 "  triggers:\n    actions: [drop, kill]\n", 7, 21,
		  "'enforcement.triggers.actions': unknown action 'kill' (alert, reject, drop, pass)" },
		{ ENF ENF1 "  triggers:\n    sids: [1, x]\n", 7, 15,
		  "'enforcement.triggers.sids' expects a non-negative integer, got 'x'" },
		{ ENF ENF1 "  triggers:\n    max-priority: 0\n", 7, 19, "'enforcement.triggers.max-priority' must be 1..255" },
		{ ENF ENF1 "  triggers:\n    severity: 1\n", 7, 5, "unknown key 'enforcement.triggers.severity'" },
		{ ENF ENF1 "  spool-max: 1kb\n", 6, 14, "'enforcement.spool-max' is '1kb', outside 1mb..64gb" },
		{ ENF ENF1 "  ttl: -5\n", 6, 8, "'enforcement.ttl' expects a non-negative integer, got '-5'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_config *c = (struct sw_config *)1;
		struct sw_config_error err;
		size_t n = strlen(t[i].msg);

		assert_int_equal(sw_config_load_string(t[i].text, "sidewall.yaml", &c, &err), -EINVAL);
		assert_null(c);
		if (err.line != t[i].line || err.column != t[i].column ||
		    (t[i].msg[n - 1] == '*' ? strncmp(err.message, t[i].msg, n - 1)
					    : strcmp(err.message, t[i].msg)))
			fail_msg("case %zu: got %s:%u:%u: %s", i, err.file, err.line, err.column, err.message);
		assert_string_equal(err.file, "sidewall.yaml");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_equals_default),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_empty_is_default),
		cmocka_unit_test(test_metrics_listen),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_decoder),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
