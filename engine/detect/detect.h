/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detection: one compiled ruleset (Hyperscan database over every rule's fast
 * pattern + prefilter indexes for rules without content), evaluated per
 * packet by a per-worker context.
 *
 * A struct sw_detect is immutable and reference-counted, so a reload can
 * build a new one and swap it under running workers (SIGHUP).  Threshold and
 * detection_filter state is the one shared mutable part; it sits behind a
 * mutex that is only taken when such a rule matched.
 */
#ifndef SW_ENGINE_DETECT_H
#define SW_ENGINE_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/app/app.h"
#include "rules/rules.h"
#include "engine/flow/flow.h"
#include "engine/packet.h"
#include "engine/flow/stream.h"

#define SW_DETECT_MAX_ALERTS 15 /* per packet, as Suricata's packet_alert_max */

struct sw_detect;
struct sw_detect_ctx;

struct sw_detect_match {
	const struct sw_rule *rule; /* borrowed from the ruleset the ctx holds */
};

struct sw_detect_result {
	uint32_t n;                                    /* alerts to write (noalert and thresholded ones excluded) */
	struct sw_detect_match m[SW_DETECT_MAX_ALERTS];
	bool matched_any;                              /* some rule matched, even if not alerted */
	enum sw_action verdict;                        /* strongest action among matched rules (ALERT if none) */
	const struct sw_rule *verdict_rule;            /* the rule that set verdict, NULL if none */
};

struct sw_detect_stats {
	uint64_t alerts, suppressed, alert_overflow, candidates, hs_matches, scan_errors;
	uint64_t budget_exhausted; /* rule verifications cut off by the backtracking step budget (no match) */
	uint64_t pcre_errors;      /* pcre2_match errors such as the match limit (no match) */
	uint64_t xform_nomem;      /* a transformed buffer could not get memory (treated as absent) */
};

/*
 * Compile @rules (ownership moves to the new object, which frees it).
 * Returns a new reference, NULL on error with a message in @err.
 */
struct sw_detect *sw_detect_new(struct sw_rules *rules, char *err, size_t errlen);
/* Returns @d with one more reference. */
struct sw_detect *sw_detect_get(struct sw_detect *d);
/* Drops a reference; the last one frees.  Accepts NULL. */
void sw_detect_put(struct sw_detect *d);
size_t sw_detect_rule_count(const struct sw_detect *d);

/*
 * The literal the packet and stream Hyperscan databases hold for rule @r
 * (its payload fast pattern as prefiltered), or false if it has none: what
 * bench/hs_ceiling scans for.
 */
bool sw_detect_payload_literal(const struct sw_rule *r, const uint8_t **p, uint32_t *len, bool *nocase);
const struct sw_rules *sw_detect_rules(const struct sw_detect *d);
/* Whether some rule of @d inspects buffer @b (Suricata's "enabled if rules require it"). */
bool sw_detect_uses_buf(const struct sw_detect *d, enum sw_bufid b);

/* Per-worker context holding a reference to @d and its own Hyperscan scratch. NULL + errno on error. */
struct sw_detect_ctx *sw_detect_ctx_new(struct sw_detect *d);
void sw_detect_ctx_free(struct sw_detect_ctx *c);

/*
 * Evaluate every candidate rule on decoded packet @p (p->flow may be NULL).
 * @v is the stream view for TCP payload (NULL for other protocols).  Updates
 * flow->alerted/passed/dropped and flowbits.  Returns 0, or -EIO if a scan
 * failed (counted; the caller applies its failure verdict).
 */
int sw_detect_packet(struct sw_detect_ctx *c, struct sw_packet *p, const struct sw_stream_view *v,
		     struct sw_detect_result *r);

/*
 * Evaluate the transaction rules of @stage on @tx of flow p->flow.  @p is a
 * packet of the stage's direction (the one being processed, or one rebuilt
 * from the flow when the flow ends); @v its stream view or NULL.  Same
 * result, flow updates and errors as sw_detect_packet().
 */
int sw_detect_tx(struct sw_detect_ctx *c, struct sw_packet *p, const struct sw_stream_view *v,
		 const struct sw_app_tx *tx, enum sw_app_stage stage, struct sw_detect_result *res);

const struct sw_detect_stats *sw_detect_ctx_stats(const struct sw_detect_ctx *c);
/*
 * A context built for a reloaded ruleset takes over @from's counters, so
 * totals (alerts, candidates...) run on across reloads instead of
 * restarting at zero.
 */
void sw_detect_ctx_inherit_stats(struct sw_detect_ctx *to, const struct sw_detect_ctx *from);

/* The rules @c matches (flowbit names for EVE); valid while @c lives. */
const struct sw_rules *sw_detect_ctx_rules(const struct sw_detect_ctx *c);

/*
 * Called (with @arg) before @c first touches the state shared by every
 * context of the ruleset (thresholds, hostbits, xbits) in one detection
 * call; the engine uses it to keep that state in capture order across
 * workers.  NULL: no hook (one worker, inline).
 */
void sw_detect_ctx_set_order(struct sw_detect_ctx *c, void (*fn)(void *arg), void *arg);

#endif
