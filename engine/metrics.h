/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall's Prometheus metrics (docs/metrics.md): the engine's counters,
 * the ones EVE stats records and the exit summary show, served on
 * metrics.listen by common/metrics_http.h.  The main loop (housekeeping,
 * or the capture-file reader) calls sw_engine_metrics_poll(); when a
 * scrape waits, that call reads the workers' counters once into a
 * snapshot and hands it over; the HTTP thread formats it.  Workers never
 * see any of it.
 */
#ifndef SW_ENGINE_METRICS_H
#define SW_ENGINE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/prom.h"
#include "worker.h"

struct sw_enforce;
struct sw_eve;

/* What the main loop knows beyond the engine's counters. */
struct sw_engine_metrics_info {
	uint64_t rules_loaded, rules_rejected;    /* of the running ruleset */
	uint64_t reloads_ok, reloads_failed;      /* SIGHUP reloads */
	bool last_reload_ok;                      /* true until a reload fails */
	int64_t last_reload_usec;                 /* wall clock of the last attempt; 0 = none */
	int64_t last_reload_success_usec;         /* ... of the running ruleset's load (start-up if none) */
	struct sw_enforce *enforce;               /* borrowed; NULL = no enforcement */
	struct sw_eve *eve;                       /* borrowed */
};

/* How the engine runs: which families apply. */
struct sw_engine_metrics_mode {
	const char *mode;   /* "offline", "passive", "inline" */
	bool inline_mode;   /* NFQUEUE counters */
	bool ips;           /* drops (real or simulated) */
	bool defrag;        /* defrag counters */
};

struct sw_engine_metrics;

/*
 * Serve @eng's metrics (borrowed; must outlive the result) on @listen.
 * Returns NULL with errno and a reason naming the address in @err.
 */
struct sw_engine_metrics *sw_engine_metrics_new(const char *listen, struct sw_engine *eng,
						const struct sw_engine_metrics_mode *mode, char *err, size_t errlen);

/*
 * From the main loop only: if a scrape waits, snapshot the counters and
 * @info and hand them over.  Otherwise one atomic load.  Accepts NULL.
 */
void sw_engine_metrics_poll(struct sw_engine_metrics *m, const struct sw_engine_metrics_info *info);

/* Stops the HTTP thread.  Accepts NULL. */
void sw_engine_metrics_free(struct sw_engine_metrics *m);

#endif
