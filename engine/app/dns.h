/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS over UDP and TCP (RFC 1035; TCP messages are length-prefixed, RFC 7766
 * section 8): a bounded parser of our own, transactions (a query and its
 * response, matched by id), the buffers rules inspect (dns.query) and the
 * "dns" EVE object.  Internal to engine/app/: the worker reaches it through
 * app.h.
 *
 * Stage events (app.h enum sw_app_stage) per transaction, each exactly once
 * and after the stages it needs (sw_app_stage_needs()): the query gives
 * SW_STAGE_REQ_HEADERS then SW_STAGE_REQ_BODY; its response
 * SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, then SW_STAGE_TX_DONE.  A
 * response without a query reports the request stages first (with no
 * request buffers); sw_dns_flow_close() reports every unreached stage.
 */
#ifndef SW_ENGINE_APP_DNS_H
#define SW_ENGINE_APP_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/app/app.h"
#include "engine/app/http.h" /* sw_app_emit_fn */

struct sw_dns;      /* per worker: counters */
struct sw_dns_flow; /* per flow: open transactions, TCP message reassembly */

struct sw_dns_stats {
	uint64_t tx;          /* transactions */
	uint64_t malformed;   /* messages refused: too short, bad counts, bad names (Suricata: dns.malformed_data) */
	uint64_t name_loop;   /* compression pointers looping or pointing forward (refused, counted) */
	uint64_t name_long;   /* names longer than 255 bytes or labels longer than 63 (refused, counted) */
	uint64_t unsolicited; /* responses with no open query of their id */
	uint64_t tx_evicted;  /* open transactions closed early: more than SW_DNS_MAX_OPEN per flow */
	uint64_t memuse;      /* bytes held by open transactions now */
};

/* Open (unanswered) transactions per flow; the oldest is closed (its stages reported) beyond this. */
#define SW_DNS_MAX_OPEN 64

struct sw_dns *sw_dns_new(void);
void sw_dns_free(struct sw_dns *d);

/* Per-flow state; NULL on allocation failure. */
struct sw_dns_flow *sw_dns_flow_new(struct sw_dns *d);
/* Frees the flow's state and every transaction left (no events).  Accepts NULL. */
void sw_dns_flow_free(struct sw_dns *d, struct sw_dns_flow *df);

/*
 * Feed direction @to_server: one UDP datagram (@tcp false), or the next
 * in-order bytes of a TCP direction (@tcp true: 2-byte length-prefixed
 * messages, reassembled across calls, each at most 65535 bytes).  Stage
 * events go to @emit(@ctx, ...) during the call.  A malformed message is
 * counted and skipped (UDP) or ends that TCP direction.  Returns 0, or
 * -EPROTO when this direction stopped for good.
 */
int sw_dns_data(struct sw_dns *d, struct sw_dns_flow *df, bool to_server, bool tcp, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx);
/* TCP direction @to_server lost bytes: its message framing is gone, it stops. */
void sw_dns_gap(struct sw_dns *d, struct sw_dns_flow *df, bool to_server);
/* The flow ends: report every unreached stage of every open transaction. */
void sw_dns_flow_close(struct sw_dns *d, struct sw_dns_flow *df, sw_app_emit_fn emit, void *ctx);
/* Free the transactions whose stages were all reported. */
void sw_dns_flow_gc(struct sw_dns *d, struct sw_dns_flow *df);

/* sw_app_tx_buf() / sw_app_tx_eve() for a DNS transaction (tx->proto == SW_APP_DNS). */
bool sw_dns_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len);
void sw_dns_tx_eve(const struct sw_app_tx *tx, struct sw_json *j);

const struct sw_dns_stats *sw_dns_stats(const struct sw_dns *d);

#endif
