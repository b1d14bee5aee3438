/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/metrics_http.h"
#include "engine/output/enforce.h"
#include "engine/output/eve.h"

/* One scrape's worth of numbers: plain data, copied whole to the HTTP thread. */
struct snap {
	struct sw_engine_metrics_mode mode;
	int64_t start_usec;
	uint64_t rules_loaded, rules_rejected, reloads_ok, reloads_failed;
	bool last_reload_ok;
	int64_t last_reload_usec, last_reload_success_usec;
	bool have_capture;
	uint64_t cap_packets, cap_drops, cap_ifdrops;
	bool have_enforce;
	struct sw_enforce_stats enf;
	uint64_t eve_written, eve_lost;
	unsigned n;
	struct sw_engine_totals all;
	struct sw_engine_totals w[]; /* n */
};

struct sw_engine_metrics {
	struct sw_engine *eng;
	struct sw_metrics_http *http;
	struct snap *build; /* the main loop's staging copy, allocated once */
	size_t size;
};

static int64_t wall_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double secs(int64_t usec)
{
	return (double)usec / 1e6;
}

#define FAMILY(p, name, type, help) sw_prom_family(p, "sidewall_" name, type, help)
#define COUNTER SW_PROM_COUNTER
#define GAUGE SW_PROM_GAUGE

/* A per-worker family: one sample per worker, label worker="N". */
#define PER_WORKER(p, s, name, type, help, expr)                                   \
	do {                                                                        \
		FAMILY(p, name, type, help);                                        \
		for (unsigned i_ = 0; i_ < (s)->n; i_++) {                          \
			const struct sw_engine_totals *t_ = &(s)->w[i_];            \
			char wk_[12];                                               \
			snprintf(wk_, sizeof(wk_), "%u", i_);                       \
			sw_prom_u64(p, (expr), "worker", wk_, NULL);                \
		}                                                                   \
	} while (0)

static void fmt_workers(struct sw_prom *p, const struct snap *s)
{
	PER_WORKER(p, s, "packets_total", COUNTER, "Packets captured and handed to the engine, per worker.",
		   t_->ds.pkts);
	PER_WORKER(p, s, "bytes_total", COUNTER, "Wire bytes of those packets, per worker.", t_->ds.bytes);
	PER_WORKER(p, s, "alerts_total", COUNTER, "Alerts raised, per worker (kept across rule reloads).",
		   t_->dt.alerts);
	PER_WORKER(p, s, "flows_total", COUNTER, "Flows created, per worker.", t_->fs.created);
	PER_WORKER(p, s, "flows_active", GAUGE, "Flows in the flow table now, per worker.", t_->fs.active);
	if (!s->mode.inline_mode)
		return;
	FAMILY(p, "nfqueue_verdicts_total", COUNTER, "NFQUEUE verdicts given, per worker (queue) and verdict.");
	for (unsigned i = 0; i < s->n; i++) {
		char wk[12];

		snprintf(wk, sizeof(wk), "%u", i);
		sw_prom_u64(p, s->w[i].nfq.accepted, "worker", wk, "verdict", "accept", NULL);
		sw_prom_u64(p, s->w[i].nfq.dropped, "worker", wk, "verdict", "drop", NULL);
	}
	PER_WORKER(p, s, "nfqueue_lost_total", COUNTER,
		   "Packets the kernel queued but never delivered (packet id gaps: queue overflow, failed open).",
		   t_->nfq.id_gaps);
}

static void fmt_decoder(struct sw_prom *p, const struct sw_engine_totals *t)
{
	static const char *const names[] = { "ipv4", "ipv6", "tcp", "udp", "icmpv4", "icmpv6", "vlan", "fragment",
					     "other" };
	const uint64_t v[] = { t->ds.ipv4, t->ds.ipv6, t->ds.tcp, t->ds.udp, t->ds.icmpv4, t->ds.icmpv6,
			       t->ds.vlan, t->ds.frags, t->ds.other };

	FAMILY(p, "decoder_packets_total", COUNTER, "Packets decoded, by protocol layer (a packet counts once per layer).");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sw_prom_u64(p, v[i], "proto", names[i], NULL);
	FAMILY(p, "decoder_anomalies_total", COUNTER, "Malformed or unexpected packets, by decoder anomaly.");
	for (int a = 0; a < SW_ANOM__COUNT; a++)
		sw_prom_u64(p, t->ds.anom[a], "anomaly", sw_decode_anom_name((enum sw_decode_anom)a), NULL);
	FAMILY(p, "invalid_checksum_packets_total", COUNTER,
	       "Packets not inspected because an IP/TCP/UDP/ICMP checksum was bad (still counted in their flow).");
	sw_prom_u64(p, t->invalid_csum, NULL);
}

static void fmt_flows_detect(struct sw_prom *p, const struct snap *s)
{
	const struct sw_engine_totals *t = &s->all;

	FAMILY(p, "flows_ended_total", COUNTER, "Flows ended, by reason.");
	sw_prom_u64(p, t->fs.ended_timeout, "reason", "timeout", NULL);
	sw_prom_u64(p, t->fs.ended_forced, "reason", "forced", NULL);
	sw_prom_u64(p, t->fs.ended_shutdown, "reason", "shutdown", NULL);
	FAMILY(p, "dropped_packets_total", COUNTER,
	       "Packets dropped inline (or that would be, with --simulate-ips), by reason: a drop/reject rule, "
	       "or a flow already dropped.");
	sw_prom_u64(p, t->rule_drops, "reason", "rules", NULL);
	sw_prom_u64(p, t->flow_drops, "reason", "flow_drop", NULL);
	FAMILY(p, "failure_verdicts_total", COUNTER,
	       "Packets that could not be processed and got the configured failure verdict (fail-open or fail-closed).");
	sw_prom_u64(p, t->fail_verdicts, NULL);
	FAMILY(p, "reject_packets_total", COUNTER, "Reject replies (TCP RST, ICMP unreachable), by result.");
	sw_prom_u64(p, t->rejects_sent, "result", "sent", NULL);
	sw_prom_u64(p, t->reject_errors, "result", "failed", NULL);
	FAMILY(p, "alerts_suppressed_total", COUNTER, "Alerts suppressed by threshold or suppress rules.");
	sw_prom_u64(p, t->dt.suppressed, NULL);
	FAMILY(p, "alert_queue_overflows_total", COUNTER, "Alerts lost because a packet matched more rules than its queue holds.");
	sw_prom_u64(p, t->dt.alert_overflow, NULL);
	FAMILY(p, "detect_errors_total", COUNTER, "Packets whose detection failed (counted, still logged in their flow).");
	sw_prom_u64(p, t->scan_fail + t->dt.scan_errors, NULL);
}

static void fmt_stream(struct sw_prom *p, const struct sw_engine_totals *t)
{
	static const char *const names[] = { "retransmitted", "overlap", "out_of_order", "midstream", "resync",
					     "held", "held_flushed", "memcap_drop", "gap" };
	const uint64_t v[] = { t->ss.retransmitted, t->ss.overlap, t->ss.out_of_order, t->ss.midstream, t->ss.resync,
			       t->ss.held, t->ss.held_flushed, t->ss.memcap_drop, t->ss.gap };

	FAMILY(p, "stream_segments_total", COUNTER, "TCP data segments appended in order to their stream.");
	sw_prom_u64(p, t->ss.segments, NULL);
	FAMILY(p, "stream_events_total", COUNTER,
	       "TCP reassembly events: retransmissions, overlaps, out-of-order segments, midstream pick-ups, "
	       "resyncs, segments held and flushed, segments not held for memory, gaps never filled.");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sw_prom_u64(p, v[i], "event", names[i], NULL);
	FAMILY(p, "stream_reassembly_memory_bytes", GAUGE, "Bytes of held out-of-order TCP segments now.");
	sw_prom_u64(p, t->reasm_memuse, NULL);
}

static void fmt_defrag(struct sw_prom *p, const struct sw_engine_totals *t)
{
	static const char *const fam[2] = { "ipv4", "ipv6" };

	FAMILY(p, "defrag_fragments_total", COUNTER, "IP fragments seen by the defragmenter, by family.");
	sw_prom_u64(p, t->df.ipv4_fragments, "family", "ipv4", NULL);
	sw_prom_u64(p, t->df.ipv6_fragments, "family", "ipv6", NULL);
	FAMILY(p, "defrag_reassembled_total", COUNTER, "Datagrams reassembled, by family.");
	sw_prom_u64(p, t->df.ipv4_reassembled, "family", "ipv4", NULL);
	sw_prom_u64(p, t->df.ipv6_reassembled, "family", "ipv6", NULL);
	FAMILY(p, "defrag_timeouts_total", COUNTER, "Datagrams never completed before the timeout, by family.");
	sw_prom_u64(p, t->df.ipv4_timeouts, "family", "ipv4", NULL);
	sw_prom_u64(p, t->df.ipv6_timeouts, "family", "ipv6", NULL);
	FAMILY(p, "defrag_events_total", COUNTER,
	       "Defragmenter limits reached: evictions for max-frags/memcap or trackers, unfinished trackers "
	       "evicted, fragments not held.");
	sw_prom_u64(p, t->df.max_frags_reached, "event", "max_frags_reached", NULL);
	sw_prom_u64(p, t->df.max_trackers_reached, "event", "max_trackers_reached", NULL);
	sw_prom_u64(p, t->df.tracker_hard_reuse, "event", "tracker_hard_reuse", NULL);
	sw_prom_u64(p, t->df.dropped, "event", "dropped", NULL);
	FAMILY(p, "defrag_anomalies_total", COUNTER, "Fragment anomalies, by family.");
	for (int v = 0; v < 2; v++) {
		sw_prom_u64(p, t->df.frag_overlap[v], "family", fam[v], "anomaly", "overlap", NULL);
		sw_prom_u64(p, t->df.frag_pkt_too_large[v], "family", fam[v], "anomaly", "pkt_too_large", NULL);
		sw_prom_u64(p, t->df.frag_ignored[v], "family", fam[v], "anomaly", "ignored", NULL);
	}
	sw_prom_u64(p, t->df.frag_invalid_length, "family", "ipv6", "anomaly", "invalid_length", NULL);
	FAMILY(p, "defrag_memory_bytes", GAUGE, "Bytes of fragment trackers and slots in use now.");
	sw_prom_u64(p, t->df.memuse, NULL);
}

static void fmt_app(struct sw_prom *p, const struct sw_engine_totals *t)
{
	FAMILY(p, "app_flows_total", COUNTER, "Flows by detected application protocol (failed: detection gave up).");
	for (int k = SW_APP_HTTP1; k < SW_APP_N; k++)
		sw_prom_u64(p, t->app.flows[k], "proto", sw_app_proto_name((enum sw_app_proto)k), NULL);
	FAMILY(p, "app_transactions_total", COUNTER, "Application transactions logged, by protocol.");
	sw_prom_u64(p, t->app.tx_http, "proto", "http", NULL);
	sw_prom_u64(p, t->app.tx_dns_udp + t->app.tx_dns_tcp, "proto", "dns", NULL);
	sw_prom_u64(p, t->app.tx_tls, "proto", "tls", NULL);
	sw_prom_u64(p, t->app.tx_ssh, "proto", "ssh", NULL);
	FAMILY(p, "app_parser_errors_total", COUNTER,
	       "Parser errors that stopped parsing a flow or refused a message, by protocol.");
	sw_prom_u64(p, t->app.http_parse_errors, "proto", "http", NULL);
	sw_prom_u64(p, t->app.dns_err_udp + t->app.dns_err_tcp, "proto", "dns", NULL);
	sw_prom_u64(p, t->app.tls_invalid, "proto", "tls", NULL);
	sw_prom_u64(p, t->app.ssh_invalid, "proto", "ssh", NULL);
	FAMILY(p, "app_memcap_refusals_total", COUNTER, "Parser state refused at the memory cap, by protocol.");
	sw_prom_u64(p, t->app.http_memcap, "proto", "http", NULL);
	sw_prom_u64(p, t->app.tls_memcap, "proto", "tls", NULL);
	FAMILY(p, "app_memory_bytes", GAUGE, "Bytes of parser state now, by protocol.");
	sw_prom_u64(p, t->app.memuse, "proto", "http", NULL);
	sw_prom_u64(p, t->app.tls_memuse, "proto", "tls", NULL);
}

static void fmt_capture(struct sw_prom *p, const struct snap *s)
{
	const struct sw_engine_totals *t = &s->all;

	if (s->have_capture) {
		FAMILY(p, "capture_kernel_packets_total", COUNTER, "Packets the kernel passed the capture filter (libpcap ps_recv).");
		sw_prom_u64(p, s->cap_packets, NULL);
		FAMILY(p, "capture_kernel_drops_total", COUNTER,
		       "Packets the kernel dropped because the capture buffer was full (libpcap ps_drop).");
		sw_prom_u64(p, s->cap_drops, NULL);
		FAMILY(p, "capture_interface_drops_total", COUNTER, "Packets the interface or driver dropped (libpcap ps_ifdrop).");
		sw_prom_u64(p, s->cap_ifdrops, NULL);
	}
	if (!s->mode.inline_mode)
		return;
	FAMILY(p, "nfqueue_errors_total", COUNTER, "NFQUEUE socket errors, by kind.");
	sw_prom_u64(p, t->nfq.recv_errors, "kind", "recv", NULL);
	sw_prom_u64(p, t->nfq.verdict_errors, "kind", "verdict", NULL);
	sw_prom_u64(p, t->nfq.enobufs, "kind", "enobufs", NULL);
	FAMILY(p, "nfqueue_verdict_batches_total", COUNTER, "Verdict messages sent (verdicts / batches = batching factor).");
	sw_prom_u64(p, t->nfq.batches, NULL);
}

static void fmt_rules_outputs(struct sw_prom *p, const struct snap *s)
{
	FAMILY(p, "rules_loaded", GAUGE, "Rules in the running ruleset.");
	sw_prom_u64(p, s->rules_loaded, NULL);
	FAMILY(p, "rules_rejected", GAUGE, "Rules rejected when the running ruleset was loaded.");
	sw_prom_u64(p, s->rules_rejected, NULL);
	FAMILY(p, "rules_reloads_total", COUNTER, "Rule reloads (SIGHUP), by result; a failed one keeps the running rules.");
	sw_prom_u64(p, s->reloads_ok, "result", "success", NULL);
	sw_prom_u64(p, s->reloads_failed, "result", "failure", NULL);
	FAMILY(p, "rules_last_reload_successful", GAUGE, "1 if the last rule reload (or the start-up load) succeeded, else 0.");
	sw_prom_u64(p, s->last_reload_ok, NULL);
	FAMILY(p, "rules_last_reload_timestamp_seconds", GAUGE, "Unix time of the last reload attempt (0: none yet).");
	sw_prom_f64(p, secs(s->last_reload_usec), NULL);
	FAMILY(p, "rules_last_reload_success_timestamp_seconds", GAUGE, "Unix time the running ruleset was loaded.");
	sw_prom_f64(p, secs(s->last_reload_success_usec), NULL);
	FAMILY(p, "eve_records_total", COUNTER, "EVE records written.");
	sw_prom_u64(p, s->eve_written, NULL);
	FAMILY(p, "eve_records_lost_total", COUNTER, "EVE records lost (did not fit or the write failed).");
	sw_prom_u64(p, s->eve_lost, NULL);
	if (!s->have_enforce)
		return;
	FAMILY(p, "enforcement_triggered_total", COUNTER, "Addresses from alerts that matched a block trigger.");
	sw_prom_u64(p, s->enf.triggered, NULL);
	FAMILY(p, "enforcement_deduplicated_total", COUNTER, "Triggers not requested again within the dedup time.");
	sw_prom_u64(p, s->enf.deduped, NULL);
	FAMILY(p, "enforcement_answers_total", COUNTER, "Enforcers' answers to block requests, by result.");
	sw_prom_u64(p, s->enf.applied, "result", "applied", NULL);
	sw_prom_u64(p, s->enf.refused, "result", "refused", NULL);
	FAMILY(p, "enforcement_transport_errors_total", COUNTER, "Delivery attempts that failed in transport (retried).");
	sw_prom_u64(p, s->enf.transport_errors, NULL);
	FAMILY(p, "enforcement_lost_total", COUNTER, "Block requests lost, by where: in-memory queue full, spool full.");
	sw_prom_u64(p, s->enf.queue_overflow, "where", "queue", NULL);
	sw_prom_u64(p, s->enf.spool_dropped, "where", "spool", NULL);
	FAMILY(p, "enforcement_pending", GAUGE, "Block requests not yet delivered to every enforcer.");
	sw_prom_u64(p, s->enf.pending, NULL);
}

/* Runs on the HTTP thread, on its own copy of the snapshot. */
static int format(void *ctx, const void *snapshot, struct sw_prom *p)
{
	const struct snap *s = snapshot;

	(void)ctx;
	FAMILY(p, "build_info", GAUGE, "Always 1: the running sidewall's version and capture mode.");
	sw_prom_u64(p, 1, "version", SW_VERSION, "mode", s->mode.mode, NULL);
	FAMILY(p, "start_time_seconds", GAUGE, "Unix time sidewall started.");
	sw_prom_f64(p, secs(s->start_usec), NULL);
	FAMILY(p, "workers", GAUGE, "Worker threads.");
	sw_prom_u64(p, s->n, NULL);
	fmt_workers(p, s);
	fmt_decoder(p, &s->all);
	fmt_flows_detect(p, s);
	fmt_stream(p, &s->all);
	if (s->mode.defrag)
		fmt_defrag(p, &s->all);
	fmt_app(p, &s->all);
	fmt_capture(p, s);
	fmt_rules_outputs(p, s);
	return sw_prom_error(p);
}

struct sw_engine_metrics *sw_engine_metrics_new(const char *listen, struct sw_engine *eng,
						const struct sw_engine_metrics_mode *mode, char *err, size_t errlen)
{
	struct sw_engine_metrics *m = calloc(1, sizeof(*m));
	unsigned n = sw_engine_threads(eng);
	struct sw_metrics_http_config hc;
	int saved;

	if (!m)
		goto nomem;
	m->eng = eng;
	m->size = sizeof(struct snap) + (size_t)n * sizeof(struct sw_engine_totals);
	m->build = calloc(1, m->size);
	if (!m->build)
		goto nomem;
	m->build->mode = *mode;
	m->build->n = n;
	m->build->start_usec = wall_usec();
	memset(&hc, 0, sizeof(hc));
	hc.listen = listen;
	hc.snap_size = m->size;
	hc.format = format;
	hc.name = "sidewall";
	m->http = sw_metrics_http_new(&hc, err, errlen);
	if (!m->http)
		goto fail;
	return m;
nomem:
	snprintf(err, errlen, "out of memory");
	errno = ENOMEM;
fail:
	saved = errno;
	sw_engine_metrics_free(m);
	errno = saved;
	return NULL;
}

void sw_engine_metrics_poll(struct sw_engine_metrics *m, const struct sw_engine_metrics_info *info)
{
	struct snap *s;

	if (!m || !sw_metrics_http_wanted(m->http))
		return;
	s = m->build;
	s->rules_loaded = info->rules_loaded;
	s->rules_rejected = info->rules_rejected;
	s->reloads_ok = info->reloads_ok;
	s->reloads_failed = info->reloads_failed;
	s->last_reload_ok = info->last_reload_ok;
	s->last_reload_usec = info->last_reload_usec;
	s->last_reload_success_usec = info->last_reload_success_usec;
	s->have_capture = sw_engine_capture_stats(m->eng, &s->cap_packets, &s->cap_drops, &s->cap_ifdrops);
	s->have_enforce = info->enforce != NULL;
	sw_enforce_stats(info->enforce, &s->enf);
	s->eve_written = sw_eve_written(info->eve);
	s->eve_lost = sw_eve_dropped(info->eve);
	/* per worker for the worker="N" families, the sum for the rest: no family shows both */
	for (unsigned i = 0; i < s->n; i++)
		sw_engine_totals(m->eng, (int)i, &s->w[i]);
	sw_engine_totals(m->eng, -1, &s->all);
	sw_metrics_http_publish(m->http, s);
}

void sw_engine_metrics_free(struct sw_engine_metrics *m)
{
	if (!m)
		return;
	sw_metrics_http_free(m->http);
	free(m->build);
	free(m);
}
