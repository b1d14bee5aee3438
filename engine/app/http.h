/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/1.x through libhtp (Suricata's HTTP parser, Debian libhtp-dev):
 * one libhtp connection parser per flow, fed the reassembled bytes of each
 * direction; transactions with the buffers rules inspect (rules/rule.h enum
 * sw_buf) and the "http" EVE object.  Internal to engine/app/: the worker
 * reaches it through app.h.
 *
 * Stage events (app.h enum sw_app_stage): while data is fed, each
 * transaction reports SW_STAGE_REQ_HEADERS, SW_STAGE_REQ_BODY,
 * SW_STAGE_RESP_HEADERS and SW_STAGE_RESP_BODY exactly once each, in that
 * order, through @emit; sw_http_flow_close() reports every stage an open
 * transaction has not reached yet.  A transaction is freed by
 * sw_http_flow_gc() once all four were reported (and the caller handled
 * them), or with the flow.
 */
#ifndef SW_ENGINE_APP_HTTP_H
#define SW_ENGINE_APP_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/app/app.h"

struct sw_http;      /* per worker: libhtp configuration, counters, memory accounting */
struct sw_http_flow; /* per flow: a libhtp connection parser and its transactions */

struct sw_http_stats {
	uint64_t tx;           /* transactions started */
	uint64_t memcap;       /* times the memcap refused memory: a flow's parser, a transaction's
				* header buffers (absent then), a body's growth (inspected as cut) */
	uint64_t parse_errors; /* libhtp reported an error: that flow's parsing stopped */
	uint64_t gaps;         /* directions stopped by a stream gap */
	uint64_t memuse;       /* bytes accounted now (parsers, transactions, bodies) */
	uint64_t memuse_max;
};

/* New per-worker HTTP context; @cfg->memcap is divided by @workers.  NULL + errno on failure. */
struct sw_http *sw_http_new(const struct sw_app_http_config *cfg, unsigned workers);
void sw_http_free(struct sw_http *h);

/*
 * Parser for flow @f (its client/server addresses and ports go to libhtp),
 * started at @ts_usec.  NULL if the memcap would be exceeded (counted) or
 * on allocation failure.
 */
struct sw_http_flow *sw_http_flow_new(struct sw_http *h, const struct sw_flow *f, int64_t ts_usec);
/* Frees the parser and every transaction left (no events).  Accepts NULL. */
void sw_http_flow_free(struct sw_http *h, struct sw_http_flow *hf);

/*
 * Feed @len in-order bytes of direction @to_server (borrowed until return);
 * @data NULL: @len bytes of that direction were lost (a stream gap), which
 * libhtp skips inside a body and refuses elsewhere (then this direction
 * stops, counted as a gap; the other goes on).
 * Stage events go to @emit(@ctx, ...) during the call.  Returns 0, or
 * -EPROTO once the parser failed for good (counted; later calls do nothing).
 */
int sw_http_data(struct sw_http *h, struct sw_http_flow *hf, bool to_server, const uint8_t *data, uint32_t len,
		 int64_t ts_usec, sw_app_emit_fn emit, void *ctx);
/* Direction @to_server lost bytes for good: stop parsing it (counted). */
void sw_http_gap(struct sw_http *h, struct sw_http_flow *hf, bool to_server);
/* The flow ends: report every stage not yet reached of every open transaction, in order. */
void sw_http_flow_close(struct sw_http *h, struct sw_http_flow *hf, int64_t ts_usec, sw_app_emit_fn emit, void *ctx);
/* Free the transactions whose four stages were all reported. */
void sw_http_flow_gc(struct sw_http *h, struct sw_http_flow *hf);

/* sw_app_tx_buf() / sw_app_tx_eve() for an HTTP transaction (tx->proto == SW_APP_HTTP1). */
bool sw_http_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		    uint32_t *len);
void sw_http_tx_eve(const struct sw_app_tx *tx, struct sw_json *j);

const struct sw_http_stats *sw_http_stats(const struct sw_http *h);

#endif
