/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall-enforcer's Prometheus metrics (docs/metrics.md), served on
 * metrics_listen by common/metrics_http.h.  The daemon's single loop owns
 * the staging snapshot below: it counts requests into it as they are
 * answered and, when a scrape waits (sw_enf_metrics_wanted()), fills in the
 * rest and publishes it; the HTTP thread formats the published copy.
 */
#ifndef SW_NFT_ENFORCER_METRICS_H
#define SW_NFT_ENFORCER_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "enforcer_config.h"

enum sw_enf_metrics_op { SW_ENF_M_BLOCK, SW_ENF_M_UNBLOCK, SW_ENF_M_QUARANTINE, SW_ENF_M_RELEASE, SW_ENF_M_OPS };
enum sw_enf_metrics_result { SW_ENF_M_ACCEPTED, SW_ENF_M_REFUSED, SW_ENF_M_RATE_LIMITED, SW_ENF_M_RESULTS };
enum sw_enf_metrics_set { SW_ENF_M_BLOCK4, SW_ENF_M_BLOCK6, SW_ENF_M_QUAR4, SW_ENF_M_QUAR6, SW_ENF_M_SETS };

/* The operator's requests (control socket) count under this sensor index. */
#define SW_ENF_M_OPERATOR SW_ENF_MAX_SENSORS
/* CrowdSec's decisions (the bouncer, nft/crowdsec.h) under this one. */
#define SW_ENF_M_CROWDSEC (SW_ENF_MAX_SENSORS + 1)

struct sw_enf_metrics_snap {
	int64_t start_usec;
	/* frames refused before they became requests (enforcer.c struct stats) */
	uint64_t unknown_key, forged, truncated, oversized, replayed, stale, malformed;
	uint64_t restores, journal_errors, transactions, transaction_retries, merged;
	uint32_t set_elements[SW_ENF_M_SETS];
	uint32_t max_elements, connections;
	uint32_t nsensors;
	char sensor[SW_ENF_MAX_SENSORS + 2][64];
	/* requests answered: [sensor][op][result]; counted by the loop all along */
	uint64_t requests[SW_ENF_MAX_SENSORS + 2][SW_ENF_M_OPS][SW_ENF_M_RESULTS];
	/* the CrowdSec bouncer, when configured */
	bool crowdsec;
	uint64_t cs_pulls, cs_pull_errors, cs_new, cs_deleted, cs_ignored, cs_bad;
	uint32_t cs_decisions; /* live decisions known */
};

struct sw_enf_metrics;

/*
 * Serve on @cfg->metrics_listen (sensor names copied from @cfg).  Returns
 * NULL with errno and a reason naming the address in @err.
 */
struct sw_enf_metrics *sw_enf_metrics_new(const struct sw_enf_config *cfg, char *err, size_t errlen);

/* The loop's staging snapshot (counted into directly), NULL if @m is. */
struct sw_enf_metrics_snap *sw_enf_metrics_snap(struct sw_enf_metrics *m);

/* True when a scrape waits for sw_enf_metrics_publish().  Accepts NULL. */
bool sw_enf_metrics_wanted(const struct sw_enf_metrics *m);

/* Hand the staging snapshot to the HTTP thread (copied). */
void sw_enf_metrics_publish(struct sw_enf_metrics *m);

/* Accepts NULL. */
void sw_enf_metrics_free(struct sw_enf_metrics *m);

#endif
