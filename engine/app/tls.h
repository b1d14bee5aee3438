/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS (SSLv3 to TLS 1.3, and the SSLv2 ClientHello): the record layer
 * reassembled across segments and records, the cleartext handshake
 * (ClientHello, ServerHello, Certificate), certificates decoded by
 * OpenSSL's libcrypto, JA3/JA3S/JA4 fingerprints, the buffers rules
 * inspect (tls.sni, tls.certs, tls.cert_subject, ja3.hash ...) and the
 * "tls" EVE object.  Internal to engine/app/: the worker reaches it through
 * app.h.
 *
 * One transaction per flow, as Suricata's (app-layer-ssl.c has a single
 * "transaction" whose progress is the handshake state).  Its stages map to
 * Suricata's TLS states (detect-tls-*.c register each keyword at one):
 *   SW_STAGE_REQ_HEADERS  ClientHello parsed      TLS_STATE_CLIENT_HELLO_DONE
 *   SW_STAGE_RESP_HEADERS ServerHello parsed      TLS_STATE_SERVER_HELLO
 *   SW_STAGE_RESP_BODY    server certificates done TLS_STATE_SERVER_CERT_DONE
 *   SW_STAGE_REQ_BODY     client certificates done TLS_STATE_CLIENT_CERT_DONE
 *   SW_STAGE_TX_DONE      the cleartext handshake is over both ways (log it)
 * "Certificates done" means the direction's cleartext handshake can carry
 * no more certificates: its Certificate message, or a later message
 * (ServerHelloDone, ClientKeyExchange), a ChangeCipherSpec or application
 * data, or TLS 1.3 negotiated (its certificates are encrypted).  Stages a
 * flow never reaches are reported when it ends, with what it has.
 *
 * After a direction encrypts, its records are skipped by length (Suricata's
 * encryption-handling default "track-only"): nothing is buffered for them.
 */
#ifndef SW_ENGINE_APP_TLS_H
#define SW_ENGINE_APP_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/app/app.h"
#include "engine/app/http.h" /* sw_app_emit_fn */

struct sw_tls;      /* per worker: counters, fingerprint scratch */
struct sw_tls_flow; /* per flow: the transaction, record/handshake reassembly */

struct sw_tls_stats {
	uint64_t tx;            /* handshakes logged (transactions ended) */
	uint64_t invalid;       /* a direction stopped: not TLS records, malformed handshake (Suricata's tls events) */
	uint64_t hs_too_long;   /* a handshake message over SW_TLS_HS_MAX: that direction stopped */
	uint64_t cert_invalid;  /* certificates libcrypto refused (kept for tls.certs, no fields) */
	uint64_t truncated;     /* fields or certificates not kept: the per-flow store was full */
	uint64_t memuse;        /* bytes held now by flow states */
	uint64_t memcap;        /* growths refused at SW_TLS_MEMCAP: a handshake direction stopped, or a field not kept */
};

/* Largest handshake message reassembled (a certificate chain is one message). */
#define SW_TLS_HS_MAX (256u << 10)
/*
 * TLS parser memory of one worker (flow states, handshake buffers, stores):
 * a handshake costs about 10 KiB, so 64 MiB is thousands of handshakes in
 * flight, and hostile partial handshakes (up to about 640 KiB a flow)
 * cannot take more.  Past it, growth is refused and counted.
 */
#define SW_TLS_MEMCAP (64ull << 20)

/* @ja3 / @ja4: write the fingerprints in EVE (Suricata logs them only when enabled). */
struct sw_tls *sw_tls_new(bool ja3, bool ja4);
void sw_tls_free(struct sw_tls *t);

/* Per-flow state; NULL on allocation failure. */
struct sw_tls_flow *sw_tls_flow_new(struct sw_tls *t);
void sw_tls_flow_free(struct sw_tls *t, struct sw_tls_flow *tf);

/*
 * The next in-order bytes of direction @to_server.  Stages reached go to
 * @emit(@ctx, ...) during the call.  Returns 0, or -EPROTO when this
 * direction stopped for good (not TLS, a malformed or oversized handshake:
 * counted).
 */
int sw_tls_data(struct sw_tls *t, struct sw_tls_flow *tf, bool to_server, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx);
/* Direction @to_server lost bytes: its record framing is gone, it stops. */
void sw_tls_gap(struct sw_tls *t, struct sw_tls_flow *tf, bool to_server);
/* The flow ends: report every stage not reached yet, in order. */
void sw_tls_flow_close(struct sw_tls *t, struct sw_tls_flow *tf, sw_app_emit_fn emit, void *ctx);
/*
 * Whether application data was seen (after the ServerHello: 0-RTT early
 * data does not count): the session is encrypted, and Suricata stops payload
 * inspection of the flow there (app-layer-ssl.c, APP_LAYER_PARSER_NO_INSPECTION_PAYLOAD).
 */
bool sw_tls_encrypted(const struct sw_tls_flow *tf);

bool sw_tls_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len);
/* sw_app_tx_num() / sw_app_tx_date() for a TLS transaction: tls.version, tls.cert_chain_len, the certificate dates. */
bool sw_tls_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val);
bool sw_tls_tx_date(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, int64_t *t);
/* The "tls" object, Suricata's extended fields. */
void sw_tls_tx_eve(const struct sw_app_tx *tx, struct sw_json *j);

const struct sw_tls_stats *sw_tls_stats(const struct sw_tls *t);

#endif
