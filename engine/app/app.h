/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The application layer: protocol detection by content on each flow
 * direction, and the parsers that turn a flow's reassembled bytes into
 * transactions with named buffers (rules/rule.h enum sw_bufid) for detection
 * and EVE.
 *
 * One struct sw_app per worker (no locks).  The worker hands it every TCP
 * packet with its stream view and every UDP packet; the app layer sets
 * f->app_proto, feeds the protocol's parser, and calls the worker back with
 * "stage" events: a transaction reached a point where a group of rules can
 * be evaluated on it.  Each stage of each transaction is reported exactly
 * once (at the latest when the flow ends), so a rule evaluated at one stage
 * alerts at most once per transaction.  A packet's events are held until
 * the worker has run the packet's own rules and calls sw_app_flush(), as
 * Suricata evaluates packet rules before transactions; the callback then
 * sees the packet that completed each stage.  Finished transactions are
 * freed after the flush.
 */
#ifndef SW_ENGINE_APP_APP_H
#define SW_ENGINE_APP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/app_proto.h"
#include "engine/flow/flow.h"
#include "engine/flow/stream.h"
#include "engine/packet.h"
#include "rules/rule.h"

/*
 * Points in a transaction's life at which rules are evaluated.  A rule is
 * evaluated at exactly one stage: the first at which every buffer it uses
 * exists in its direction (request stages for to_server rules, response
 * stages for to_client rules).
 */
enum sw_app_stage {
	SW_STAGE_REQ_HEADERS,  /* request line and headers complete (HTTP/0.9: the line) */
	SW_STAGE_REQ_BODY,     /* request complete, or its body reached request-body-limit */
	SW_STAGE_RESP_HEADERS, /* status line and headers complete */
	SW_STAGE_RESP_BODY,    /* response complete, or its body reached response-body-limit */
	SW_STAGE_TX_DONE,      /* no rules: the transaction is finished (or the flow ended): log it */
	SW_STAGE_N
};

/*
 * The stages always reported before @s: the earlier stages of its own half,
 * for a response stage the request headers (not the request body: a server
 * may answer before the request ends, and the body stage then waits for
 * the request), for the end every other stage.
 */
static inline unsigned sw_app_stage_needs(enum sw_app_stage s)
{
	switch (s) {
	case SW_STAGE_REQ_HEADERS:
		return 0;
	case SW_STAGE_REQ_BODY:
	case SW_STAGE_RESP_HEADERS:
		return 1u << SW_STAGE_REQ_HEADERS;
	case SW_STAGE_RESP_BODY:
		return 1u << SW_STAGE_REQ_HEADERS | 1u << SW_STAGE_RESP_HEADERS;
	default:
		return (1u << SW_STAGE_TX_DONE) - 1;
	}
}

static inline bool sw_app_stage_to_server(enum sw_app_stage s)
{
	return s <= SW_STAGE_REQ_BODY;
}

/*
 * One transaction, as detection and EVE see it.  Each protocol's own
 * transaction struct embeds this as its first member.  Borrowed: valid
 * until the stage callback returns (detection), or longer while the flow
 * lives (only engine/app/ keeps them).
 */
struct sw_app_tx {
	enum sw_app_proto proto;
	uint64_t id; /* 0-based, per flow, in request order */
};

/*
 * Instance @idx (0-based; multi-instance buffers: HTTP headers, DNS names)
 * of buffer @buf of @tx in direction @to_server (which half a "both"
 * buffer comes from).  Returns true with *p and *len set (borrowed like @tx; a
 * present but empty buffer has len 0), false if the transaction has no
 * such buffer (yet) or no instance @idx; callers ask 0, 1, ... and stop at
 * the first false.
 */
bool sw_app_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len);

/*
 * Value @idx (0-based) of integer field @kind (rules/rule.h enum
 * sw_txnum_kind) of @tx in direction @to_server.  Returns true with *val
 * set, false past the last value or if the field is absent from that
 * direction (fields with one value have only idx 0).
 */
bool sw_app_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val);
/*
 * The certificate date a date keyword (SW_TXNUM_TLS_NOTBEFORE ... VALID:
 * notAfter for expired/valid) reads in direction @to_server, as seconds
 * since 1970.  False if the transaction has none.
 */
bool sw_app_tx_date(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, int64_t *t);

/*
 * Whether @tx is a message the client sent: true for an HTTP transaction
 * (request and response together, logged client to server) and a DNS
 * request, false for a DNS response (one transaction per message).
 */
bool sw_app_tx_to_server(const struct sw_app_tx *tx);

/* How a protocol's parser hands a stage of one of its transactions to the dispatcher. */
typedef void (*sw_app_emit_fn)(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st);

/*
 * Report stage @s of @tx unless done already, after every stage it needs
 * that was not (they are evaluated with what the transaction has): the
 * bookkeeping of a parser whose stages can arrive out of order or never
 * (TLS, SSH).  @reported has a bit per stage.  Returns whether @s was
 * reported now.
 */
static inline bool sw_app_report(uint8_t *reported, struct sw_app_tx *tx, enum sw_app_stage s, sw_app_emit_fn emit,
				 void *ctx)
{
	unsigned need = sw_app_stage_needs(s);

	if (*reported & (1u << s))
		return false;
	/* a stage needs only earlier ones, and needs what they need: ascending order is enough */
	for (int e = 0; e < (int)s; e++)
		if ((need & (1u << e)) && !(*reported & (1u << e))) {
			*reported |= (uint8_t)(1u << e);
			emit(ctx, tx, (enum sw_app_stage)e);
		}
	*reported |= (uint8_t)(1u << s);
	emit(ctx, tx, s);
	return true;
}

struct sw_json;
/*
 * Write the protocol's EVE object for @tx into @j ("http": {...},
 * "dns": {...} as Suricata writes them); @record: for the protocol's own
 * record (DNS adds "grouped"), else for an alert.  Writes nothing for a
 * protocol without one.
 */
void sw_app_tx_eve(const struct sw_app_tx *tx, struct sw_json *j, bool record);

/*
 * Stage callback: transaction @tx of flow @f reached @stage.  @p is the
 * packet whose bytes completed it (direction may differ from the stage's:
 * a response can complete a request that had no end), or NULL when the flow
 * ends.  @tx is borrowed until return.
 */
typedef void (*sw_app_stage_fn)(void *ctx, struct sw_flow *f, const struct sw_packet *p, struct sw_app_tx *tx,
				enum sw_app_stage stage);

/* app-layer.protocols.http.libhtp.default-config and friends (Suricata's keys and defaults). */
struct sw_app_http_config {
	bool enabled;                     /* app-layer.protocols.http.enabled */
	int personality;                  /* libhtp's enum htp_server_personality_t (default IDS) */
	uint32_t request_body_limit;      /* bytes; 0 = unlimited (Suricata default 100 KiB) */
	uint32_t response_body_limit;     /* bytes; 0 = unlimited (Suricata default 100 KiB) */
	bool double_decode_path;          /* default false */
	bool double_decode_query;         /* default false */
	uint32_t decompression_layer_limit; /* response-body-decompress-layer-limit, default 2 */
	uint32_t field_limit;             /* header line limit, libhtp's default 18000 */
	uint64_t memcap;                  /* app-layer.protocols.http.memcap: whole sensor, 0 = unlimited */
};

/* Probing gives up after this many bytes of a direction without an answer. */
#define SW_APP_PROBE_DEPTH_DEFAULT 2048u

struct sw_app_config {
	struct sw_app_http_config http;
	uint32_t probe_depth;             /* bytes of a direction probed before giving up (0: the default) */
	bool detect_off[SW_APP_N];        /* app-layer.protocols.<name>.enabled: no (never detected) */
	bool midstream;                   /* stream.midstream: flows picked up without a SYN get an app layer */
	int8_t tls_ja3_cfg, tls_ja4_cfg;  /* app-layer.protocols.tls.ja3/ja4-fingerprints: 1 yes, 0 no, -1 auto */
	bool tls_ja3, tls_ja4;            /* ... resolved by the engine (auto: a rule uses them): logged in EVE */
	unsigned workers;                 /* memcaps are split across this many workers */
};

struct sw_app_stats {
	uint64_t flows[SW_APP_N];         /* flows per detected protocol (EVE app_layer.flow.*) */
	uint64_t flows_tcp[SW_APP_N];     /* ... of them over TCP */
	uint64_t tx_http;                 /* HTTP transactions (EVE app_layer.tx.http) */
	uint64_t tx_dns_udp, tx_dns_tcp;  /* DNS transactions (messages) ended (EVE app_layer.tx.dns_*) */
	uint64_t dns_malformed;           /* DNS messages refused: malformed, name loops, over-long names */
	uint64_t dns_err_udp, dns_err_tcp; /* ... of them, by transport */
	uint64_t dns_alloc_udp, dns_alloc_tcp; /* DNS flows whose parser state could not be allocated */
	uint64_t http_memcap;             /* flows whose HTTP parser could not be created (memcap) */
	uint64_t http_parse_errors;       /* libhtp returned an error: the flow's parsing stopped */
	uint64_t http_gap;                /* a stream gap stopped HTTP parsing in one direction */
	uint64_t memuse;                  /* bytes of HTTP parser state now (approximate) */
	uint64_t http_memcap_own;         /* parser states the dispatcher could not allocate */
	uint64_t tx_tls;                  /* TLS handshakes logged (EVE app_layer.tx.tls) */
	uint64_t tls_invalid;             /* TLS directions stopped: not TLS, malformed or oversized handshake */
	uint64_t tls_cert_invalid;        /* certificates libcrypto could not decode */
	uint64_t tls_truncated;           /* TLS fields or certificates not kept (per-flow store full) */
	uint64_t tls_alloc;               /* TLS flows whose parser state could not be allocated */
	uint64_t tls_memuse;              /* bytes of TLS parser state now */
	uint64_t tls_memcap;              /* TLS growths refused at the worker's cap (SW_TLS_MEMCAP) */
	uint64_t tx_ssh;                  /* SSH sessions logged (EVE app_layer.tx.ssh) */
	uint64_t ssh_invalid;             /* SSH directions stopped: no banner, bad packet length */
	uint64_t ssh_alloc;               /* SSH flows whose parser state could not be allocated */
	uint64_t events_early;            /* stage events beyond one packet's queue: run before its packet rules */
};

struct sw_app;

/* New per-worker app layer calling @fn(@ctx, ...) for stage events.  Returns NULL with errno. */
struct sw_app *sw_app_new(const struct sw_app_config *cfg, sw_app_stage_fn fn, void *ctx);
void sw_app_free(struct sw_app *a);

/*
 * TCP packet @p of flow p->flow (direction p->to_server) with its stream
 * view @v: probes for the protocol while the flow has none, then feeds the
 * new in-order bytes (v->data[v->new_off..v->len) when v->in_stream) to the
 * parser.  Never fails: errors are counted and parsing of that flow stops.
 */
void sw_app_tcp(struct sw_app *a, struct sw_packet *p, const struct sw_stream_view *v);
/*
 * Run the stage events sw_app_tcp() held for the packet just processed
 * (the callback gets that packet), then free the transactions that are
 * finished.  Call it after the packet's own rules, before the next packet.
 */
void sw_app_flush(struct sw_app *a);
/* UDP packet @p: probes its payload (DNS) until the flow has a protocol. */
void sw_app_udp(struct sw_app *a, struct sw_packet *p);

/*
 * At flow end, before sw_app_flow_end(): a run of @len held bytes of
 * direction @dir at stream offset @base that never joined the stream (a gap
 * before it never filled, as when a retransmission was not captured).  The
 * parser skips the gap and reads the run, as Suricata does once the
 * receiver acknowledged past the gap; stage events run at once (no packet).
 */
void sw_app_held(struct sw_app *a, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base);

/*
 * Flow @f ends: report the stages its open transactions never reached (they
 * are evaluated with what they have; p is NULL in the callback), settle
 * app_proto ("failed" if a direction gave up and none was found) and free
 * the parser.  Call it before the flow record is written.
 */
void sw_app_flow_end(struct sw_app *a, struct sw_flow *f);

/* Counters, the parsers' refreshed on each call. */
const struct sw_app_stats *sw_app_stats(struct sw_app *a);

#endif
