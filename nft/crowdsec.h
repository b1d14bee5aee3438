/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall-enforcer as a CrowdSec bouncer (nft/README.md "CrowdSec").
 *
 * A puller thread asks the CrowdSec Local API for its decision stream
 * (GET /v1/decisions/stream, libcurl), parses the answer (jansson) into a
 * batch of decisions and hands the batch to the enforcer's loop, which
 * applies it under the same policy as a sensor's requests.  The loop alone
 * touches nftables and the journal; the thread never does.
 *
 * Three parts, so that the pure ones are unit-tested and fuzzed:
 *  - sw_cs_parse_stream(): a stream answer -> decisions (pure);
 *  - struct sw_cs_state: the values CrowdSec holds banned (pure);
 *  - struct sw_cs: the puller thread (libcurl).
 */
#ifndef SW_NFT_CROWDSEC_H
#define SW_NFT_CROWDSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "enforcer_config.h"
#include "proto.h"

/* One decision of a stream answer, as the enforcer needs it. */
struct sw_cs_decision {
	uint64_t id;
	struct sw_ip ip;
	uint8_t prefix;
	bool deleted;    /* from the answer's "deleted" list */
	uint32_t ttl;    /* seconds left, rounded up ("new" only) */
	char reason[SW_PROTO_REASON_MAX + 1]; /* "origin: scenario", printable ASCII */
};

/* A parsed stream answer: the decisions the enforcer acts on, and a tally. */
struct sw_cs_batch {
	struct sw_cs_decision *d; /* deleted ones first, then new ones, in the answer's order */
	size_t n, cap;
	uint32_t nnew, ndeleted; /* ban decisions of a wanted scope and origin, kept */
	uint32_t ignored;        /* other types, scopes, origins; simulated; already expired */
	uint32_t bad;            /* decisions that could not be read (bad value, duration, id) */
	char bad_text[160];      /* the first of them, quoted */
};

/*
 * Parse the @len bytes of a /v1/decisions/stream answer (need not be
 * NUL-terminated) into @b (emptied first; its array is reused and grown).
 * Keeps "ban" decisions whose scope is in @cfg->scopes and, if
 * @cfg->norigins, whose origin is listed.  Returns 0, -EINVAL when the
 * body is not a stream answer at all (@err says where), -ENOMEM.  A
 * decision that cannot be read is counted in @b->bad, never fatal.
 */
int sw_cs_parse_stream(const char *json, size_t len, const struct sw_enf_crowdsec_cfg *cfg,
		       struct sw_cs_batch *b, char *err, size_t errlen);

void sw_cs_batch_free(struct sw_cs_batch *b);

/*
 * A Go duration ("3h59m58.123456789s", "-1m", "250ms", "0") in
 * milliseconds, rounded towards zero.  Returns 0 or -EINVAL (-ERANGE past
 * +-292 years).
 */
int sw_cs_duration(const char *s, int64_t *ms);

/* ---- the values CrowdSec holds banned ---- */

/*
 * The Local API speaks of values, not decision ids: its stream lists the
 * longest decision of a value only, and lists a value as deleted when its
 * last decision went (with that decision's id, which may never have been
 * sent as new).  So the enforcer keeps the set of values banned, and a
 * deleted decision lifts its value.
 */
struct sw_cs_state;

struct sw_cs_state *sw_cs_state_new(void);
void sw_cs_state_free(struct sw_cs_state *st);
/* Forget every value (a start-up answer lists them all again). */
void sw_cs_state_reset(struct sw_cs_state *st);
/*
 * @ip/@prefix is banned until @expires (unix seconds; the latest of its
 * decisions is kept).  Returns 1 when it was not yet, 0 when it was, -ENOMEM.
 */
int sw_cs_state_add(struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix, uint64_t expires);
/* @ip/@prefix is banned no more.  Returns 1, or -ENOENT when it was not known. */
int sw_cs_state_del(struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix);
/* True when @ip/@prefix is banned. */
bool sw_cs_state_holds(const struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix);
/* Values banned. */
size_t sw_cs_state_count(const struct sw_cs_state *st);
/*
 * Every value banned, one per call: start with *@cursor = 0; returns false
 * at the end.  No add or del between the calls.
 */
bool sw_cs_state_next(const struct sw_cs_state *st, size_t *cursor, struct sw_ip *ip, uint8_t *prefix,
		      uint64_t *expires);

/* ---- the puller thread ---- */

/* What one pull brought, handed from the thread to the loop. */
struct sw_cs_result {
	bool ok;            /* the answer arrived whole and parsed */
	bool startup;       /* it was a start-up answer: every live decision */
	long http_status;   /* 0: no answer */
	char err[256];      /* why not ok */
	size_t bytes;       /* body size */
	double fetch_s;     /* request sent -> answer whole */
	double parse_s;
	double arrived;     /* CLOCK_MONOTONIC seconds when the answer was whole */
	struct sw_cs_batch batch;
};

struct sw_cs;

/*
 * Read the API key and start the thread (it pulls at once, then every
 * poll_interval seconds once the loop has taken each result).  Returns NULL
 * with a reason in @err.
 */
struct sw_cs *sw_cs_new(const struct sw_enf_crowdsec_cfg *cfg, char *err, size_t errlen);

/* Readable when a result waits for sw_cs_take(). */
int sw_cs_fd(const struct sw_cs *cs);

/*
 * Take the waiting result into @r (whose batch array is reused: keep @r
 * between calls, free its batch at the end).  Returns true if there was
 * one.  The thread pulls again poll_interval seconds later, as a start-up
 * pull if this one failed (a lost answer may have been a delta the LAPI
 * will not send again).
 */
bool sw_cs_take(struct sw_cs *cs, struct sw_cs_result *r);

/* Stops the thread (an answer in flight is abandoned). Accepts NULL. */
void sw_cs_free(struct sw_cs *cs);

#endif
