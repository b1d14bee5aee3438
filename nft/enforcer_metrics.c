/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "enforcer_metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/metrics_http.h"

struct sw_enf_metrics {
	struct sw_metrics_http *http;
	struct sw_enf_metrics_snap snap; /* staging: the loop's own */
};

static const char *const op_names[SW_ENF_M_OPS] = { "block", "unblock", "quarantine", "release" };
static const char *const result_names[SW_ENF_M_RESULTS] = { "accepted", "refused", "rate_limited" };
static const char *const set_names[SW_ENF_M_SETS] = { "block4", "block6", "quar4", "quar6" };

#define FAMILY(p, name, type, help) sw_prom_family(p, "sidewall_enforcer_" name, type, help)

/* Runs on the HTTP thread, on its own copy. */
static int format(void *ctx, const void *snapshot, struct sw_prom *p)
{
	const struct sw_enf_metrics_snap *s = snapshot;
	const struct {
		const char *reason;
		uint64_t v;
	} rejected[] = {
		{ "unknown_key", s->unknown_key }, { "forged", s->forged },   { "truncated", s->truncated },
		{ "oversized", s->oversized },     { "replayed", s->replayed }, { "stale", s->stale },
		{ "malformed", s->malformed },
	};

	(void)ctx;
	FAMILY(p, "build_info", SW_PROM_GAUGE, "Always 1: the running sidewall-enforcer's version.");
	sw_prom_u64(p, 1, "version", SW_VERSION, NULL);
	FAMILY(p, "start_time_seconds", SW_PROM_GAUGE, "Unix time sidewall-enforcer started.");
	sw_prom_f64(p, (double)s->start_usec / 1e6, NULL);
	/*
	 * Every configured sensor, op and result from the start (zeros too):
	 * rate() and alerts need the series to exist before the first request.
	 */
	FAMILY(p, "requests_total", SW_PROM_COUNTER,
	       "Requests answered, by sensor (\"operator\": the control socket, \"crowdsec\": CrowdSec's "
	       "decisions), operation and result "
	       "(accepted, refused by policy or the kernel, rate_limited).");
	for (uint32_t i = 0; i <= s->nsensors + s->crowdsec; i++) {
		uint32_t k = i < s->nsensors ? i : i == s->nsensors ? SW_ENF_M_OPERATOR : SW_ENF_M_CROWDSEC;
		const char *who = i < s->nsensors ? s->sensor[k] : i == s->nsensors ? "operator" : "crowdsec";

		for (int o = 0; o < SW_ENF_M_OPS; o++)
			for (int r = 0; r < SW_ENF_M_RESULTS; r++)
				sw_prom_u64(p, s->requests[k][o][r], "sensor", who, "op", op_names[o], "result",
					    result_names[r], NULL);
	}
	FAMILY(p, "rejected_frames_total", SW_PROM_COUNTER,
	       "Frames refused before they became requests, by reason (unknown key, failed authentication, "
	       "truncated, oversized, replayed, stale, malformed); the connection is closed.");
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		sw_prom_u64(p, rejected[i].v, "reason", rejected[i].reason, NULL);
	FAMILY(p, "set_elements", SW_PROM_GAUGE, "Live elements per nftables set (block4/block6: blocks, quar4/quar6: quarantines).");
	for (int i = 0; i < SW_ENF_M_SETS; i++)
		sw_prom_u64(p, s->set_elements[i], "set", set_names[i], NULL);
	FAMILY(p, "max_elements", SW_PROM_GAUGE, "The policy's limit on live blocks and quarantines together (max_elements).");
	sw_prom_u64(p, s->max_elements, NULL);
	FAMILY(p, "transactions_total", SW_PROM_COUNTER, "nftables transactions committed.");
	sw_prom_u64(p, s->transactions, NULL);
	FAMILY(p, "transaction_retries_total", SW_PROM_COUNTER,
	       "Transactions the kernel refused and that were committed again without the requests at fault.");
	sw_prom_u64(p, s->transaction_retries, NULL);
	FAMILY(p, "merged_blocks_total", SW_PROM_COUNTER, "Narrower blocks replaced by a wider one that covers them.");
	sw_prom_u64(p, s->merged, NULL);
	FAMILY(p, "table_restores_total", SW_PROM_COUNTER,
	       "Times the table was found gone (ruleset flushed) and restored with every live element.");
	sw_prom_u64(p, s->restores, NULL);
	FAMILY(p, "journal_errors_total", SW_PROM_COUNTER, "Journal writes or syncs that failed.");
	sw_prom_u64(p, s->journal_errors, NULL);
	FAMILY(p, "connections", SW_PROM_GAUGE, "Open sensor and control connections.");
	sw_prom_u64(p, s->connections, NULL);
	if (s->crowdsec) {
		FAMILY(p, "crowdsec_pulls_total", SW_PROM_COUNTER,
		       "Pulls of the CrowdSec Local API's decision stream, by result (ok, error).");
		sw_prom_u64(p, s->cs_pulls, "result", "ok", NULL);
		sw_prom_u64(p, s->cs_pull_errors, "result", "error", NULL);
		FAMILY(p, "crowdsec_decisions_received_total", SW_PROM_COUNTER,
		       "CrowdSec decisions received, by list (new, deleted: ban decisions of the configured "
		       "scopes and origins), or ignored (other types, scopes, origins, simulated, expired) "
		       "or unreadable.");
		sw_prom_u64(p, s->cs_new, "kind", "new", NULL);
		sw_prom_u64(p, s->cs_deleted, "kind", "deleted", NULL);
		sw_prom_u64(p, s->cs_ignored, "kind", "ignored", NULL);
		sw_prom_u64(p, s->cs_bad, "kind", "unreadable", NULL);
		FAMILY(p, "crowdsec_decisions", SW_PROM_GAUGE, "Live CrowdSec ban decisions known to the enforcer.");
		sw_prom_u64(p, s->cs_decisions, NULL);
	}
	return sw_prom_error(p);
}

struct sw_enf_metrics *sw_enf_metrics_new(const struct sw_enf_config *cfg, char *err, size_t errlen)
{
	struct sw_enf_metrics *m = calloc(1, sizeof(*m));
	struct sw_metrics_http_config hc;
	struct timespec ts;
	int saved;

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	m->snap.start_usec = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	m->snap.nsensors = (uint32_t)cfg->nsensors;
	m->snap.crowdsec = cfg->crowdsec.url[0] != 0;
	for (size_t i = 0; i < cfg->nsensors; i++)
		snprintf(m->snap.sensor[i], sizeof(m->snap.sensor[i]), "%s", cfg->sensors[i].name);
	memset(&hc, 0, sizeof(hc));
	hc.listen = cfg->metrics_listen;
	hc.snap_size = sizeof(m->snap);
	hc.format = format;
	hc.name = "sidewall-enforcer";
	m->http = sw_metrics_http_new(&hc, err, errlen);
	if (!m->http) {
		saved = errno;
		free(m);
		errno = saved;
		return NULL;
	}
	return m;
}

struct sw_enf_metrics_snap *sw_enf_metrics_snap(struct sw_enf_metrics *m)
{
	return m ? &m->snap : NULL;
}

bool sw_enf_metrics_wanted(const struct sw_enf_metrics *m)
{
	return m && sw_metrics_http_wanted(m->http);
}

void sw_enf_metrics_publish(struct sw_enf_metrics *m)
{
	sw_metrics_http_publish(m->http, &m->snap);
}

void sw_enf_metrics_free(struct sw_enf_metrics *m)
{
	if (!m)
		return;
	sw_metrics_http_free(m->http);
	free(m);
}
