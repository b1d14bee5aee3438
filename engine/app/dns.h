/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS over UDP and TCP (RFC 1035; TCP messages are length-prefixed, RFC 7766
 * section 8): a bounded parser of our own, transactions, the buffers rules
 * inspect (dns.query, the Suricata 8 dns.*.rrname buffers, dns.opcode /
 * rcode / rrtype) and the "dns" EVE object.  Internal to engine/app/:
 * the worker reaches it through app.h.
 *
 * Every message is its own transaction: a request (to server) or a
 * response (to client), numbered 0, 1, ... per flow in arrival order.  A
 * query and its response are not paired, because Suricata 8 does not pair
 * them (rust/src/dns/dns.rs; suricata-verify dns-udp-eve-dig logs the
 * request as tx 0 and the response as its own record), and rules and EVE
 * must see what Suricata sees: an alert on a response belongs to the
 * response's own transaction, "type" is "request" or "response".  It also
 * means no table of open queries, no id matching and nothing to evict.
 *
 * Stage events (app.h enum sw_app_stage): a transaction is complete when
 * its message is parsed, so all of its stages, SW_STAGE_REQ_HEADERS through
 * SW_STAGE_TX_DONE, are reported at once in order, each exactly once.  A
 * request transaction carries its buffers at the request stages and has no
 * response data; a response transaction has no request buffers (no
 * dns.query).  Buffers and integer fields are read in the direction the
 * message travelled only (Suricata 8 inspects a DNS transaction in its own
 * direction), so a to_client rule never sees a request.  A refused
 * (malformed) message makes no transaction.
 */
#ifndef SW_ENGINE_APP_DNS_H
#define SW_ENGINE_APP_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/app/app.h"
#include "engine/app/http.h" /* sw_app_emit_fn */

struct sw_dns;      /* per worker: counters */
struct sw_dns_flow; /* per flow: transactions not yet freed, TCP message reassembly */

struct sw_dns_stats {
	uint64_t tx;          /* transactions: messages parsed, requests and responses */
	uint64_t malformed;   /* messages refused: too short, bad counts, bad names (Suricata: dns.malformed_data) */
	uint64_t name_loop;   /* compression pointers looping or pointing forward (refused, counted) */
	uint64_t name_long;   /* names longer than 255 bytes or labels longer than 63 (refused, counted) */
	uint64_t memuse;      /* bytes held now: flow states, transactions not yet freed, TCP buffers */
};

struct sw_dns *sw_dns_new(void);
void sw_dns_free(struct sw_dns *d);

/* Per-flow state; NULL on allocation failure. */
struct sw_dns_flow *sw_dns_flow_new(struct sw_dns *d);
/* Frees the flow's state and every transaction left (no events).  Accepts NULL. */
void sw_dns_flow_free(struct sw_dns *d, struct sw_dns_flow *df);

/*
 * Feed direction @to_server: one UDP datagram (@tcp false), or the next
 * in-order bytes of a TCP direction (@tcp true: 2-byte length-prefixed
 * messages, reassembled across calls, each at most 65535 bytes).  Each
 * whole message makes one transaction whose stages all go to
 * @emit(@ctx, ...) during the call.  A malformed message is
 * counted and skipped (UDP) or ends that TCP direction.  Returns 0, or
 * -EPROTO when this direction stopped for good.
 */
int sw_dns_data(struct sw_dns *d, struct sw_dns_flow *df, bool to_server, bool tcp, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx);
/* TCP direction @to_server lost bytes: its message framing is gone, it stops. */
void sw_dns_gap(struct sw_dns *d, struct sw_dns_flow *df, bool to_server);
/*
 * The flow ends: nothing is read after it.  Every transaction was reported
 * whole by the call that made it, so this reports nothing new (it would
 * report any unreached stage).
 */
void sw_dns_flow_close(struct sw_dns *d, struct sw_dns_flow *df, sw_app_emit_fn emit, void *ctx);
/* Free the transactions whose stages were all reported: every one made so far. */
void sw_dns_flow_gc(struct sw_dns *d, struct sw_dns_flow *df);

/* sw_app_tx_buf() / sw_app_tx_eve() for a DNS transaction (tx->proto == SW_APP_DNS). */
bool sw_dns_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len);
/* sw_app_tx_num() for a DNS transaction: dns.opcode, dns.rcode, dns.rrtype. */
bool sw_dns_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val);
/* @record: the "dns" record itself (with Suricata's "grouped" answers), not an alert's object. */
void sw_dns_tx_eve(const struct sw_app_tx *tx, struct sw_json *j, bool record);
/* Whether DNS transaction @tx is a request (else a response). */
bool sw_dns_tx_is_request(const struct sw_app_tx *tx);

const struct sw_dns_stats *sw_dns_stats(const struct sw_dns *d);

#endif
