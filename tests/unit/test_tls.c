/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS (engine/app/tls.c) on real captures (tests/unit/tls_fixtures.h: the
 * TCP payloads of tests/fixtures/pcap/tls-{12,13,frag}.pcap) with every value
 * checked against tests/fixtures/tls/expected.json (an independent Python
 * reference of Suricata 8's fields): stages exactly once, in order and at
 * the byte that completes them; every buffer (tls.sni, ja3/ja3s/ja4,
 * tls.alpn, tls.certs against the PEMs' DER, cert_subject/issuer/serial/
 * fingerprint, subjectaltname, tls.random*); the same results fed whole, a
 * byte at a time and split at every offset; a ClientHello over 3 records;
 * TLS 1.3 (certificates encrypted); not-TLS and malformed input (each
 * counted, the direction stopped, the close still reporting each stage
 * once); a certificate that is not DER; GREASE left out of JA3/JA4; the
 * "tls" EVE object exactly; memory accounting back to zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "engine/app/tls.h"
#include "engine/output/eve.h"
#include "tests/unit/tls_fixtures.h"

#define MAX_EV 64
#define ALL_STAGES ((1u << SW_STAGE_N) - 1)
#define S(st) (1u << (st))

/* ---- expected values (tests/fixtures/tls/expected.json) ---- */

#define SNI "www.example.test"
#define JA3_12                                                                                                 \
	"771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-" \
	"49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13,29-23-30-25-24,0-1-2"
#define JA3_12_HASH "22558766122974704364c9c75c5cce0a"
#define JA3S_12 "771,49200,65281-11-35-16-23"
#define JA3S_12_HASH "895252f3ce80cebf7a8837be83ec8e16"
#define JA4_12 "t12d2808h2_d943125447b4_e7e480e5a997"
#define JA3_13                                                                                       \
	"771,4866-4867-4865-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260," \
	"0-1-2"
#define JA3_13_HASH "9dffdb8b608a430b774a2ff7d36c1a0c"
#define JA3S_13 "771,4866,43-51"
#define JA3S_13_HASH "15af977ce25de452b96affa2addb1036"
#define JA4_13 "t13d0411h2_16476d049b0b_78f1d400d464"
#define SUBJECT "C=US, O=Sidewall Test, CN=www.example.test"
#define ISSUER "C=US, O=Sidewall Test, OU=Test PKI, CN=Sidewall Test Intermediate CA"
#define SERIAL "1A:2B:3C:4D:5E:6F:70:81"
#define FP_LEAF "43:7b:2c:94:76:1d:2a:a8:98:1b:e4:77:63:66:65:f8:4f:9a:79:fc"
#define FP_INTER "8d:19:56:50:08:9d:45:d1:8f:92:a1:04:b8:68:2a:e6:ba:f5:f9:00"

/* `openssl x509 -outform DER` of leaf.pem and inter.pem: length and SHA-1. */
static const struct {
	size_t len;
	const char *sha1;
} CERT_DER[2] = {
	{972, "437b2c94761d2aa8981be477636665f84f9a79fc"},
	{910, "8d195650089d45d18f92a104b8682ae6baf5f900"},
};

/* The hellos' random: after the record header (5), handshake header (4) and version (2). */
#define RANDOM_OFF 11

/* ---- fixture ---- */

struct rec {
	struct sw_app_tx *tx[MAX_EV];
	enum sw_app_stage st[MAX_EV];
	uint32_t n_certs[MAX_EV]; /* to_client tls.certs instances when the stage was reported */
	bool ja3s[MAX_EV], sni[MAX_EV];
	unsigned n;
};

struct fix {
	struct sw_tls *t;
	struct sw_tls_flow *tf;
	struct rec r;
};

static uint32_t count_bufs(const struct sw_app_tx *tx, enum sw_bufid b, bool ts)
{
	const uint8_t *p;
	uint32_t len, n = 0;

	while (sw_tls_tx_buf(tx, b, ts, n, &p, &len))
		n++;
	return n;
}

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct rec *r = ctx;
	const uint8_t *p;
	uint32_t len;

	assert_true(r->n < MAX_EV);
	assert_int_equal(tx->proto, SW_APP_TLS);
	assert_int_equal(tx->id, 0);
	r->tx[r->n] = tx;
	r->st[r->n] = st;
	r->n_certs[r->n] = count_bufs(tx, SW_BUF_TLS_CERTS, false);
	r->ja3s[r->n] = sw_tls_tx_buf(tx, SW_BUF_JA3S_HASH, false, 0, &p, &len);
	r->sni[r->n] = sw_tls_tx_buf(tx, SW_BUF_TLS_SNI, true, 0, &p, &len);
	r->n++;
}

static void fix_open(struct fix *x, bool ja)
{
	memset(x, 0, sizeof(*x));
	x->t = sw_tls_new(ja, ja);
	assert_non_null(x->t);
	x->tf = sw_tls_flow_new(x->t);
	assert_non_null(x->tf);
	assert_true(sw_tls_stats(x->t)->memuse > 0);
}

static void fix_close(struct fix *x)
{
	sw_tls_flow_free(x->t, x->tf);
	assert_int_equal(sw_tls_stats(x->t)->memuse, 0);
	sw_tls_free(x->t);
}

/* @n bytes of direction @ts, @step at a time (0: whole); the first error ends it. */
static int feed(struct fix *x, bool ts, const uint8_t *p, size_t n, size_t step)
{
	int rc = 0;

	if (!step)
		step = n ? n : 1;
	for (size_t off = 0; off < n && !rc; off += step) {
		size_t k = n - off < step ? n - off : step;

		rc = sw_tls_data(x->t, x->tf, ts, p + off, (uint32_t)k, on_emit, &x->r);
	}
	return rc;
}

static void close_flow(struct fix *x)
{
	sw_tls_flow_close(x->t, x->tf, on_emit, &x->r);
}

/* Every stage reported at most once, each after the stages it needs; returns the stages seen. */
static unsigned check_once(const struct rec *r)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < r->n; i++) {
		unsigned need = sw_app_stage_needs(r->st[i]);

		if (seen & S(r->st[i]))
			fail_msg("event %u: stage %d reported twice", i, r->st[i]);
		if ((seen & need) != need)
			fail_msg("event %u: stage %d before the stages it needs (seen 0x%x)", i, r->st[i], seen);
		if (r->tx[i] != r->tx[0])
			fail_msg("event %u: a second transaction", i);
		seen |= S(r->st[i]);
	}
	return seen;
}

/* Events [@from, @from + @n) are stages @want[0..n) in that order. */
static void check_events(const struct rec *r, unsigned from, const enum sw_app_stage *want, unsigned n)
{
	if (r->n != from + n)
		fail_msg("%u events, want %u", r->n, from + n);
	for (unsigned i = 0; i < n; i++)
		if (r->st[from + i] != want[i])
			fail_msg("event %u: stage %d, want %d", from + i, r->st[from + i], want[i]);
}

#define EVENTS(r, from, ...)                                                                   \
	do {                                                                                   \
		static const enum sw_app_stage w_[] = {__VA_ARGS__};                          \
		check_events(r, from, w_, sizeof(w_) / sizeof(w_[0]));                         \
	} while (0)

static void check_buf(const struct sw_app_tx *tx, enum sw_bufid b, bool ts, uint32_t idx, const void *want,
		      size_t wlen, const char *name)
{
	const uint8_t *p = NULL;
	uint32_t len = 0;
	bool ok = sw_tls_tx_buf(tx, b, ts, idx, &p, &len);

	if (!want) {
		if (ok)
			fail_msg("%s[%u] %s: expected none, got '%.*s' (%u)", name, idx, ts ? "ts" : "tc", (int)len,
				 (const char *)p, len);
		return;
	}
	if (!ok)
		fail_msg("%s[%u] %s: none, want '%.*s'", name, idx, ts ? "ts" : "tc", (int)wlen, (const char *)want);
	if (len != wlen || memcmp(p, want, wlen))
		fail_msg("%s[%u] %s: got '%.*s' (%u), want '%.*s' (%zu)", name, idx, ts ? "ts" : "tc", (int)len,
			 (const char *)p, len, (int)wlen, (const char *)want, wlen);
}

#define BUF(tx, b, ts, idx, s) check_buf(tx, b, ts, idx, s, sizeof(s) - 1, #b)
#define NOBUF(tx, b, ts, idx) check_buf(tx, b, ts, idx, NULL, 0, #b)

static void sha1_hex(const uint8_t *p, size_t n, char out[41])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha1(), NULL), 1);
	assert_int_equal(len, 20);
	for (unsigned i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static const char *eve(const struct sw_app_tx *tx)
{
	static char b[65536];
	struct sw_json j = {.b = b, .len = 0, .cap = sizeof(b) - 1};

	b[j.len++] = '{';
	sw_tls_tx_eve(tx, &j);
	b[j.len++] = '}';
	b[j.len] = '\0';
	assert_false(j.overflow);
	return b;
}

/*
 * Everything a rule or the log can see of @tx: each instance of each
 * buffer both ways, then the EVE object, for comparing feeds.
 */
struct snap {
	uint8_t b[1 << 16];
	size_t n;
};

static const enum sw_bufid TLS_BUFS[] = {
	SW_BUF_TLS_SNI,		SW_BUF_TLS_CERT_SUBJECT, SW_BUF_TLS_CERT_ISSUER,  SW_BUF_TLS_CERT_SERIAL,
	SW_BUF_TLS_CERT_FINGERPRINT, SW_BUF_TLS_CERTS,	 SW_BUF_TLS_SUBJECTALTNAME, SW_BUF_TLS_ALPN,
	SW_BUF_TLS_RANDOM,	SW_BUF_TLS_RANDOM_TIME,	 SW_BUF_TLS_RANDOM_BYTES, SW_BUF_JA3_HASH,
	SW_BUF_JA3_STRING,	SW_BUF_JA3S_HASH,	 SW_BUF_JA3S_STRING,	  SW_BUF_JA4_HASH,
};

static void snap_put(struct snap *s, const void *p, size_t n)
{
	assert_true(n <= sizeof(s->b) - s->n);
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void snap_take(const struct sw_app_tx *tx, struct snap *s)
{
	const char *e;

	s->n = 0;
	for (size_t i = 0; i < sizeof(TLS_BUFS) / sizeof(TLS_BUFS[0]); i++)
		for (int ts = 0; ts < 2; ts++)
			for (uint32_t idx = 0; idx < 80; idx++) {
				const uint8_t *p;
				uint32_t len;
				uint32_t h[4] = {TLS_BUFS[i], (uint32_t)ts, idx, 0};

				if (!sw_tls_tx_buf(tx, TLS_BUFS[i], ts, idx, &p, &len))
					continue;
				h[3] = len;
				snap_put(s, h, sizeof(h));
				snap_put(s, p, len);
			}
	e = eve(tx);
	snap_put(s, e, strlen(e));
}

/* ---- message builder (synthetic records) ---- */

struct mb {
	uint8_t b[200000];
	size_t n;
};

static void u8(struct mb *m, unsigned v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void u16(struct mb *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xff);
}

static void raw(struct mb *m, const void *p, size_t n)
{
	assert_true(n <= sizeof(m->b) - m->n);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A length field of @w bytes, filled by len_end() with what follows it. */
static size_t len_begin(struct mb *m, unsigned w)
{
	size_t at = m->n;

	for (unsigned i = 0; i < w; i++)
		u8(m, 0);
	return at;
}

static void len_end(struct mb *m, size_t at, unsigned w)
{
	size_t v = m->n - at - w;

	for (unsigned i = 0; i < w; i++)
		m->b[at + i] = (uint8_t)(v >> (8 * (w - 1 - i)));
}

/* A record header (type, version) whose length len_end(m, at, 2) fills: returns at. */
static size_t rec_begin(struct mb *m, unsigned type, unsigned ver)
{
	u8(m, type);
	u16(m, ver);
	return len_begin(m, 2);
}

/* A handshake message header; its 24-bit length by len_end(m, at, 3). */
static size_t hs_begin(struct mb *m, unsigned type)
{
	u8(m, type);
	return len_begin(m, 3);
}

static void ext_begin(struct mb *m, unsigned type, size_t *at)
{
	u16(m, type);
	*at = len_begin(m, 2);
}

/* A TLS 1.2 ServerHello (cipher 0xc02f, no extensions) as one record. */
static void server_hello_rec(struct mb *m)
{
	size_t r = rec_begin(m, 22, 0x0303), h = hs_begin(m, 2);

	u16(m, 0x0303);
	for (unsigned i = 0; i < 32; i++)
		u8(m, 0x40 + i);
	u8(m, 0);
	u16(m, 0xc02f);
	u8(m, 0);
	len_end(m, h, 3);
	len_end(m, r, 2);
}

/* A handshake message @hs (whole messages) cut into records of at most @max bytes. */
static void hs_records(struct mb *m, const struct mb *hs, size_t max)
{
	for (size_t off = 0; off < hs->n; off += max) {
		size_t k = hs->n - off < max ? hs->n - off : max;

		u8(m, 22);
		u16(m, 0x0303);
		u16(m, (unsigned)k);
		raw(m, hs->b + off, k);
	}
}

/* ---- TLS 1.2: the capture ---- */

static void check_tls12_client(const struct sw_app_tx *tx)
{
	BUF(tx, SW_BUF_TLS_SNI, true, 0, SNI);
	NOBUF(tx, SW_BUF_TLS_SNI, true, 1);
	BUF(tx, SW_BUF_JA3_STRING, true, 0, JA3_12);
	BUF(tx, SW_BUF_JA3_HASH, true, 0, JA3_12_HASH);
	BUF(tx, SW_BUF_JA4_HASH, true, 0, JA4_12);
	BUF(tx, SW_BUF_TLS_ALPN, true, 0, "h2");
	BUF(tx, SW_BUF_TLS_ALPN, true, 1, "http/1.1");
	NOBUF(tx, SW_BUF_TLS_ALPN, true, 2);
	check_buf(tx, SW_BUF_TLS_RANDOM, true, 0, tls12_client_hs + RANDOM_OFF, 32, "tls.random");
	check_buf(tx, SW_BUF_TLS_RANDOM_TIME, true, 0, tls12_client_hs + RANDOM_OFF, 4, "tls.random_time");
	check_buf(tx, SW_BUF_TLS_RANDOM_BYTES, true, 0, tls12_client_hs + RANDOM_OFF + 4, 28, "tls.random_bytes");
	/* the client sent no certificate */
	NOBUF(tx, SW_BUF_TLS_CERTS, true, 0);
	NOBUF(tx, SW_BUF_TLS_CERT_SUBJECT, true, 0);
	NOBUF(tx, SW_BUF_TLS_CERT_FINGERPRINT, true, 0);
}

static void check_certs(const struct sw_app_tx *tx)
{
	for (uint32_t i = 0; i < 2; i++) {
		const uint8_t *p;
		uint32_t len;
		char hx[41];

		assert_true(sw_tls_tx_buf(tx, SW_BUF_TLS_CERTS, false, i, &p, &len));
		assert_int_equal(len, CERT_DER[i].len);
		sha1_hex(p, len, hx);
		assert_string_equal(hx, CERT_DER[i].sha1);
	}
	NOBUF(tx, SW_BUF_TLS_CERTS, false, 2);
}

static void check_tls12_server(const struct sw_app_tx *tx)
{
	BUF(tx, SW_BUF_JA3S_STRING, false, 0, JA3S_12);
	BUF(tx, SW_BUF_JA3S_HASH, false, 0, JA3S_12_HASH);
	BUF(tx, SW_BUF_TLS_ALPN, false, 0, "h2");
	NOBUF(tx, SW_BUF_TLS_ALPN, false, 1);
	check_certs(tx);
	BUF(tx, SW_BUF_TLS_CERT_SUBJECT, false, 0, SUBJECT);
	BUF(tx, SW_BUF_TLS_CERT_ISSUER, false, 0, ISSUER);
	BUF(tx, SW_BUF_TLS_CERT_SERIAL, false, 0, SERIAL);
	BUF(tx, SW_BUF_TLS_CERT_FINGERPRINT, false, 0, FP_LEAF);
	NOBUF(tx, SW_BUF_TLS_CERT_SUBJECT, false, 1);
	BUF(tx, SW_BUF_TLS_SUBJECTALTNAME, false, 0, "www.example.test");
	BUF(tx, SW_BUF_TLS_SUBJECTALTNAME, false, 1, "alt.example.test");
	NOBUF(tx, SW_BUF_TLS_SUBJECTALTNAME, false, 2);
	check_buf(tx, SW_BUF_TLS_RANDOM, false, 0, tls12_server_hs + RANDOM_OFF, 32, "tls.random");
	check_buf(tx, SW_BUF_TLS_RANDOM_TIME, false, 0, tls12_server_hs + RANDOM_OFF, 4, "tls.random_time");
	check_buf(tx, SW_BUF_TLS_RANDOM_BYTES, false, 0, tls12_server_hs + RANDOM_OFF + 4, 28, "tls.random_bytes");
	/* client-side fingerprints are not server buffers and the reverse */
	NOBUF(tx, SW_BUF_HTTP_URI, false, 0);
}

/*
 * ClientHello then the server's flight (ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone), each whole: the ClientHello reports
 * the request headers with tls.sni and ja3 there; the server's flight the
 * response headers (ja3s there) and, its chain complete, the response body
 * with both certificates.  The client's certificate stage waits for its
 * next flight: the close reports it, then the end.
 */
static void test_tls12(void **state)
{
	struct fix x;
	(void)state;

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS);
	assert_true(x.r.sni[0]);
	check_tls12_client(x.r.tx[0]);
	NOBUF(x.r.tx[0], SW_BUF_JA3S_HASH, false, 0);
	NOBUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 0);

	/* the server's certificate has a subject and an issuer, and no client certificate was asked for: done */
	assert_int_equal(feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY,
	       SW_STAGE_TX_DONE);
	assert_true(x.r.ja3s[1]);
	assert_int_equal(x.r.n_certs[2], 2);
	check_tls12_client(x.r.tx[0]);
	check_tls12_server(x.r.tx[0]);
	assert_false(sw_tls_encrypted(x.tf));
	assert_int_equal(sw_tls_stats(x.t)->tx, 1);

	close_flow(&x);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY,
	       SW_STAGE_TX_DONE);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	close_flow(&x); /* a second close has nothing left */
	assert_int_equal(x.r.n, 5);
	check_tls12_server(x.r.tx[0]);

	assert_int_equal(sw_tls_stats(x.t)->tx, 1);
	assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
	assert_int_equal(sw_tls_stats(x.t)->hs_too_long, 0);
	assert_int_equal(sw_tls_stats(x.t)->cert_invalid, 0);
	assert_int_equal(sw_tls_stats(x.t)->truncated, 0);
	fix_close(&x);
}

/*
 * The rest of the handshake: the client's ChangeCipherSpec ends its
 * cleartext (request body, then the end: both ways done).  The flow counts
 * as encrypted (no more payload inspection, tls.h) at the first
 * application data record, not at the ChangeCipherSpecs; application data
 * is skipped by length, a record split anywhere.
 */
static void test_tls12_ccs(void **state)
{
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
				      0x17, 0x03, 0x03, 0x00, 0x02, 0x16, 0x03};
	struct fix x;
	(void)state;

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0), 0);
	assert_int_equal(feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0), 0);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(feed(&x, true, ccs, sizeof(ccs), 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY,
	       SW_STAGE_TX_DONE);
	assert_int_equal(sw_tls_stats(x.t)->tx, 1);
	assert_false(sw_tls_encrypted(x.tf));
	assert_int_equal(feed(&x, false, ccs, sizeof(ccs), 0), 0);
	assert_false(sw_tls_encrypted(x.tf));
	assert_int_equal(feed(&x, true, app, sizeof(app), 1), 0);
	assert_true(sw_tls_encrypted(x.tf));
	assert_int_equal(feed(&x, false, app, sizeof(app), 0), 0);
	close_flow(&x);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	check_tls12_client(x.r.tx[0]);
	check_tls12_server(x.r.tx[0]);
	assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
	fix_close(&x);
}

/* Application data before any ServerHello (0-RTT early data) does not make the flow encrypted. */
static void test_early_data(void **state)
{
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb};
	struct fix x;
	(void)state;

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, tls13_client_hs, sizeof(tls13_client_hs), 0), 0);
	assert_int_equal(feed(&x, true, app, sizeof(app), 0), 0);
	assert_false(sw_tls_encrypted(x.tf));
	assert_int_equal(feed(&x, false, tls13_server_hs, sizeof(tls13_server_hs), 0), 0);
	assert_false(sw_tls_encrypted(x.tf));
	assert_int_equal(feed(&x, false, app, sizeof(app), 0), 0);
	assert_true(sw_tls_encrypted(x.tf));
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	fix_close(&x);
}

/*
 * The flow fed with the client's bytes cut at @cs (0: whole, SIZE_MAX: one
 * at a time) and the server's at @ss; returns the snapshot and checks the
 * stage sequence and what each stage had.
 */
static void run_split(const uint8_t *c, size_t cn, size_t cs, size_t ss, struct snap *out)
{
	struct fix x;

	fix_open(&x, true);
	if (cs == SIZE_MAX) {
		assert_int_equal(feed(&x, true, c, cn, 1), 0);
	} else {
		assert_int_equal(feed(&x, true, c, cs, 0), 0);
		assert_int_equal(feed(&x, true, c + cs, cn - cs, 0), 0);
	}
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS);
	assert_true(x.r.sni[0]);
	if (ss == SIZE_MAX) {
		assert_int_equal(feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 1), 0);
	} else {
		assert_int_equal(feed(&x, false, tls12_server_hs, ss, 0), 0);
		assert_int_equal(feed(&x, false, tls12_server_hs + ss, sizeof(tls12_server_hs) - ss, 0), 0);
	}
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY,
	       SW_STAGE_TX_DONE);
	assert_true(x.r.ja3s[1]);
	assert_int_equal(x.r.n_certs[2], 2);
	snap_take(x.r.tx[0], out);
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
	fix_close(&x);
}

static void snap_equal(const struct snap *a, const struct snap *b, const char *what, size_t at)
{
	if (a->n != b->n || memcmp(a->b, b->b, a->n))
		fail_msg("%s %zu: results differ from the whole feed", what, at);
}

/* The same streams whole, a byte at a time, and cut in two at every offset: the same results. */
static void test_tls12_split(void **state)
{
	struct snap *ref = malloc(sizeof(*ref)), *s = malloc(sizeof(*s));
	(void)state;

	assert_non_null(ref);
	assert_non_null(s);
	run_split(tls12_client_hs, sizeof(tls12_client_hs), 0, 0, ref);
	{
		/* the whole feed is the reference: it has the expected values */
		struct fix x;

		fix_open(&x, true);
		feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0);
		feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0);
		check_tls12_client(x.r.tx[0]);
		check_tls12_server(x.r.tx[0]);
		snap_take(x.r.tx[0], s);
		snap_equal(ref, s, "reference", 0);
		fix_close(&x);
	}
	run_split(tls12_client_hs, sizeof(tls12_client_hs), SIZE_MAX, SIZE_MAX, s);
	snap_equal(ref, s, "byte at a time", 1);
	for (size_t k = 0; k <= sizeof(tls12_client_hs); k++) {
		run_split(tls12_client_hs, sizeof(tls12_client_hs), k, 0, s);
		snap_equal(ref, s, "client cut at", k);
	}
	for (size_t k = 0; k <= sizeof(tls12_server_hs); k++) {
		run_split(tls12_client_hs, sizeof(tls12_client_hs), 0, k, s);
		snap_equal(ref, s, "server cut at", k);
	}
	free(ref);
	free(s);
}

/*
 * A ClientHello split over 3 records (and 4 segments in the capture): the
 * same SNI, JA3 and JA4 as the one-record hello, fed whole, a byte at a
 * time and cut anywhere.
 */
static void test_frag(void **state)
{
	struct snap *ref = malloc(sizeof(*ref)), *s = malloc(sizeof(*s));
	struct fix x;
	(void)state;

	assert_non_null(ref);
	assert_non_null(s);
	fix_open(&x, true);
	/* the first two records hold part of the message: no hello yet */
	assert_int_equal(feed(&x, true, frag_client_hs, 150, 0), 0);
	assert_int_equal(x.r.n, 0);
	assert_int_equal(feed(&x, true, frag_client_hs + 150, sizeof(frag_client_hs) - 150, 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS);
	BUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0, SNI);
	BUF(x.r.tx[0], SW_BUF_JA3_STRING, true, 0, JA3_12);
	BUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0, JA3_12_HASH);
	BUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0, JA4_12);
	BUF(x.r.tx[0], SW_BUF_TLS_ALPN, true, 0, "h2");
	BUF(x.r.tx[0], SW_BUF_TLS_ALPN, true, 1, "http/1.1");
	fix_close(&x);

	run_split(frag_client_hs, sizeof(frag_client_hs), 0, 0, ref);
	run_split(frag_client_hs, sizeof(frag_client_hs), SIZE_MAX, 0, s);
	snap_equal(ref, s, "frag byte at a time", 1);
	for (size_t k = 0; k <= sizeof(frag_client_hs); k++) {
		run_split(frag_client_hs, sizeof(frag_client_hs), k, 0, s);
		snap_equal(ref, s, "frag cut at", k);
	}
	free(ref);
	free(s);
}

/*
 * TLS 1.3: after the ServerHello everything is encrypted, certificates
 * included, so that one message reports the response headers, both
 * certificate stages and the end.  Version "TLS 1.3" from
 * supported_versions (the records and hellos say 1.0/1.2).
 */
static void test_tls13(void **state)
{
	static const uint8_t ccs_app[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03,
					  0x03, 0x00, 0x03, 0x0b, 0x00, 0x00};
	struct fix x;
	const char *e;
	(void)state;

	for (size_t step = 0; step <= 1; step++) {
		fix_open(&x, true);
		assert_int_equal(feed(&x, true, tls13_client_hs, sizeof(tls13_client_hs), step), 0);
		EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS);
		/* certificates are encrypted: both certificate stages at the ServerHello */
		assert_int_equal(feed(&x, false, tls13_server_hs, sizeof(tls13_server_hs), step), 0);
		EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY);
		assert_int_equal(x.r.n_certs[2], 0);
		assert_int_equal(sw_tls_stats(x.t)->tx, 0);
		/* the encrypted flight (a handshake record inside application data): the server is done */
		assert_int_equal(feed(&x, false, ccs_app, sizeof(ccs_app), step), 0);
		assert_true(sw_tls_encrypted(x.tf));
		assert_int_equal(x.r.n, 4);
		/* the client's ChangeCipherSpec: both are, the record is logged (Suricata's HANDSHAKE_DONE) */
		assert_int_equal(feed(&x, true, ccs_app, sizeof(ccs_app), step), 0);
		EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY, SW_STAGE_REQ_BODY,
		       SW_STAGE_TX_DONE);
		assert_int_equal(sw_tls_stats(x.t)->tx, 1);
		close_flow(&x);
		assert_int_equal(x.r.n, 5);
		assert_int_equal(check_once(&x.r), ALL_STAGES);

		BUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0, SNI);
		BUF(x.r.tx[0], SW_BUF_JA3_STRING, true, 0, JA3_13);
		BUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0, JA3_13_HASH);
		BUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0, JA4_13);
		BUF(x.r.tx[0], SW_BUF_JA3S_STRING, false, 0, JA3S_13);
		BUF(x.r.tx[0], SW_BUF_JA3S_HASH, false, 0, JA3S_13_HASH);
		BUF(x.r.tx[0], SW_BUF_TLS_ALPN, true, 0, "h2");
		BUF(x.r.tx[0], SW_BUF_TLS_ALPN, true, 1, "http/1.1");
		NOBUF(x.r.tx[0], SW_BUF_TLS_ALPN, false, 0); /* the server's ALPN is in EncryptedExtensions */
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERT_SUBJECT, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERT_FINGERPRINT, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_SUBJECTALTNAME, false, 0);
		check_buf(x.r.tx[0], SW_BUF_TLS_RANDOM, false, 0, tls13_server_hs + RANDOM_OFF, 32, "tls.random");
		e = eve(x.r.tx[0]);
		assert_string_equal(e, "{\"tls\":{\"sni\":\"" SNI "\",\"version\":\"TLS 1.3\","
				       "\"ja3\":{\"hash\":\"" JA3_13_HASH "\",\"string\":\"" JA3_13 "\"},"
				       "\"ja3s\":{\"hash\":\"" JA3S_13_HASH "\",\"string\":\"" JA3S_13 "\"},"
				       "\"ja4\":\"" JA4_13 "\",\"client_alpns\":[\"h2\",\"http/1.1\"]}}");
		assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
		fix_close(&x);
	}
}

/* ---- not TLS, malformed ---- */

/*
 * @bad to the server stops that direction (-EPROTO, counted in invalid or
 * hs_too_long), its stages reported then; more bytes change nothing; the
 * close reports each remaining stage once.
 */
static void check_refused(const uint8_t *bad, size_t n, size_t step, uint64_t invalid, uint64_t too_long)
{
	struct fix x;
	unsigned seen;

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, bad, n, step), -EPROTO);
	assert_int_equal(sw_tls_stats(x.t)->invalid, invalid);
	assert_int_equal(sw_tls_stats(x.t)->hs_too_long, too_long);
	/* the stopped direction's stages are due at once */
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_REQ_BODY);
	NOBUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0);
	NOBUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0);
	NOBUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0);
	/* later bytes of that direction, even a good hello, are not parsed nor counted */
	feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0);
	assert_int_equal(x.r.n, 2);
	NOBUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0);
	assert_int_equal(sw_tls_stats(x.t)->invalid, invalid);
	close_flow(&x);
	seen = check_once(&x.r);
	assert_int_equal(seen, ALL_STAGES);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(x.r.st[4], SW_STAGE_TX_DONE);
	assert_int_equal(sw_tls_stats(x.t)->tx, 1);
	fix_close(&x);
}

static void test_not_tls(void **state)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	static const uint8_t type99[] = {99, 0x03, 0x03, 0x00, 0x01, 0x00};
	static const uint8_t type19[] = {19, 0x03, 0x03, 0x00, 0x01, 0x00};
	static const uint8_t type25[] = {25, 0x03, 0x03, 0x00, 0x01, 0x00};
	static const uint8_t major2[] = {22, 0x02, 0x00, 0x00, 0x01, 0x00};
	static const uint8_t too_big[] = {22, 0x03, 0x03, 0x48, 0x01}; /* 18433 = 2^14 + 2048 + 1 */
	static const uint8_t sslv2_zero[] = {0x80, 0x00, 0x01};
	(void)state;

	for (size_t step = 0; step <= 1; step++) {
		check_refused((const uint8_t *)get, sizeof(get) - 1, step, 1, 0);
		check_refused(type99, sizeof(type99), step, 1, 0);
		check_refused(type19, sizeof(type19), step, 1, 0);
		check_refused(type25, sizeof(type25), step, 1, 0);
		check_refused(major2, sizeof(major2), step, 1, 0);
		check_refused(too_big, sizeof(too_big), step, 1, 0);
		check_refused(sslv2_zero, sizeof(sslv2_zero), step, 1, 0);
	}
}

/* The limits themselves pass: a record of 2^14 + 2048 bytes, a heartbeat, an alert. */
static void test_record_limits(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	assert_non_null(m);
	m->n = 0;
	u8(m, 23);
	u16(m, 0x0303);
	u16(m, 18432);
	for (unsigned i = 0; i < 18432; i++)
		u8(m, i);
	raw(m, (const uint8_t[]){24, 0x03, 0x03, 0x00, 0x02, 0x01, 0x02, 21, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28},
	    14);
	fix_open(&x, true);
	assert_int_equal(feed(&x, false, m->b, m->n, 0), 0);
	assert_int_equal(feed(&x, false, m->b, m->n, 1000), 0);
	assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	fix_close(&x);
	free(m);
}

/*
 * A handshake message declaring more than SW_TLS_HS_MAX: refused from its
 * header (counted as too long, not invalid); exactly SW_TLS_HS_MAX waits
 * for its bytes.
 */
static void test_hs_too_long(void **state)
{
	static const uint8_t over[] = {22, 0x03, 0x03, 0x00, 0x04, 0x01, 0x04, 0x00, 0x01};
	static const uint8_t max[] = {22, 0x03, 0x03, 0x00, 0x04, 0x01, 0x04, 0x00, 0x00};
	struct fix x;
	(void)state;

	check_refused(over, sizeof(over), 0, 0, 1);
	check_refused(over, sizeof(over), 1, 0, 1);
	fix_open(&x, true);
	assert_int_equal(feed(&x, true, max, sizeof(max), 0), 0);
	assert_int_equal(sw_tls_stats(x.t)->hs_too_long, 0);
	assert_int_equal(x.r.n, 0);
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	fix_close(&x);
}

/*
 * A handshake message of exactly SW_TLS_HS_MAX (a certificate chain that
 * large is legal) whose last record also carries the next message
 * (RFC 5246 6.2.1 lets messages share a record): both are parsed.
 */
static void test_hs_max_coalesced(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	assert_non_null(m);
	/* ServerHello, then a ServerKeyExchange of SW_TLS_HS_MAX bytes and ServerHelloDone */
	m->n = 0;
	server_hello_rec(m);
	fix_open(&x, true);
	assert_int_equal(feed(&x, false, m->b, m->n, 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS);
	{
		uint8_t hdr[4] = {12, (uint8_t)(SW_TLS_HS_MAX >> 16), (uint8_t)(SW_TLS_HS_MAX >> 8),
				  (uint8_t)SW_TLS_HS_MAX};
		static uint8_t body[SW_TLS_HS_MAX + 8];
		size_t n = 0, off = 0;

		memcpy(body, hdr, 4);
		memset(body + 4, 0x5a, SW_TLS_HS_MAX);
		n = 4 + SW_TLS_HS_MAX;
		memcpy(body + n, (const uint8_t[]){14, 0, 0, 0}, 4);
		n += 4;
		/* records of 16384 bytes: the last one holds the end of the first message and the second */
		while (off < n) {
			uint8_t rh[5] = {22, 3, 3, 0, 0};
			size_t k = n - off < 16384 ? n - off : 16384;
			int rc;

			rh[3] = (uint8_t)(k >> 8);
			rh[4] = (uint8_t)k;
			assert_int_equal(sw_tls_data(x.t, x.tf, false, rh, 5, on_emit, &x.r), 0);
			rc = sw_tls_data(x.t, x.tf, false, body + off, (uint32_t)k, on_emit, &x.r);
			if (rc)
				fail_msg("record at %zu of %zu: %d", off, n, rc);
			off += k;
		}
	}
	assert_int_equal(sw_tls_stats(x.t)->hs_too_long, 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY);
	close_flow(&x);
	fix_close(&x);
	free(m);
}

/* ClientHello pieces for the malformed cases. */
static void client_hello_head(struct mb *m)
{
	u16(m, 0x0303);
	for (unsigned i = 0; i < 32; i++)
		u8(m, i);
	u8(m, 0);
	u16(m, 2);
	u16(m, 0x1301);
	u8(m, 1);
	u8(m, 0);
}

static void sni_ext(struct mb *m, const char *name)
{
	size_t e, l, h;

	ext_begin(m, 0, &e);
	l = len_begin(m, 2);
	u8(m, 0);
	h = len_begin(m, 2);
	raw(m, name, strlen(name));
	len_end(m, h, 2);
	len_end(m, l, 2);
	len_end(m, e, 2);
}

/*
 * A ClientHello cut short inside a complete record (the message length says
 * what the record holds, the hello's own fields run past it): refused,
 * counted invalid, no fingerprint; an extension list that runs past the
 * message keeps the SNI read before the damage (tls.c: as Suricata).
 */
static void test_truncated_hello(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	assert_non_null(m);
	/* version and 8 bytes of the random */
	{
		size_t r, h;

		m->n = 0;
		r = rec_begin(m, 22, 0x0301);
		h = hs_begin(m, 1);
		u16(m, 0x0303);
		for (unsigned i = 0; i < 8; i++)
			u8(m, i);
		len_end(m, h, 3);
		len_end(m, r, 2);
		check_refused(m->b, m->n, 0, 1, 0);
		check_refused(m->b, m->n, 1, 1, 0);
	}
	/* a cipher-suite length past the message */
	{
		size_t r, h;

		m->n = 0;
		r = rec_begin(m, 22, 0x0301);
		h = hs_begin(m, 1);
		u16(m, 0x0303);
		for (unsigned i = 0; i < 32; i++)
			u8(m, i);
		u8(m, 0);
		u16(m, 40);
		u16(m, 0x1301);
		len_end(m, h, 3);
		len_end(m, r, 2);
		check_refused(m->b, m->n, 0, 1, 0);
	}
	/* SNI, then an extension whose length runs past the list */
	{
		size_t r, h, e;

		m->n = 0;
		r = rec_begin(m, 22, 0x0301);
		h = hs_begin(m, 1);
		client_hello_head(m);
		e = len_begin(m, 2);
		sni_ext(m, "kept.example");
		u16(m, 10);
		u16(m, 50);
		u16(m, 2);
		len_end(m, e, 2);
		len_end(m, h, 3);
		len_end(m, r, 2);
		fix_open(&x, true);
		assert_int_equal(feed(&x, true, m->b, m->n, 0), -EPROTO);
		assert_int_equal(sw_tls_stats(x.t)->invalid, 1);
		EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_REQ_BODY);
		BUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0, "kept.example");
		NOBUF(x.r.tx[0], SW_BUF_JA3_STRING, true, 0);
		NOBUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0);
		close_flow(&x);
		assert_int_equal(check_once(&x.r), ALL_STAGES);
		fix_close(&x);
	}
	free(m);
}

/* A gap stops the direction: a hello after it is not parsed; the close reports each stage once. */
static void test_gap(void **state)
{
	struct fix x;
	(void)state;

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, tls12_client_hs, 100, 0), 0);
	sw_tls_gap(x.t, x.tf, true);
	feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0);
	NOBUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0);
	assert_int_equal(feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0), 0);
	check_tls12_server(x.r.tx[0]);
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	assert_int_equal(x.r.n, 5);
	fix_close(&x);
}

/*
 * An SSLv2-framed ClientHello (2-byte header, RFC 6101 E.2 / draft-hickman
 * "CLIENT-HELLO") is skipped by length; its version (TLS 1.0 here) is the
 * client's, whether the record comes whole or a byte at a time; the TLS
 * records after it are read as usual.
 */
static void test_sslv2_hello(void **state)
{
	static const uint8_t v2[] = {
		0x80, 0x1c,					/* length 28 */
		0x01, 0x03, 0x01,				/* CLIENT-HELLO, version 3.1 */
		0x00, 0x03, 0x00, 0x00, 0x00, 0x10,		/* cipher specs 3, session id 0, challenge 16 */
		0x00, 0x00, 0x2f,				/* TLS_RSA_WITH_AES_128_CBC_SHA */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	(void)state;

	for (size_t step = 0; step <= 1; step++) {
		struct fix x;

		fix_open(&x, true);
		assert_int_equal(feed(&x, true, v2, sizeof(v2), step), 0);
		assert_int_equal(feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), step), 0);
		close_flow(&x);
		assert_int_equal(check_once(&x.r), ALL_STAGES);
		assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
		/* the TLS ClientHello after it: its first hello counts, its version stays the SSLv2 record's */
		BUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0, SNI);
		BUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0, JA3_12_HASH);
		fix_close(&x);

		fix_open(&x, false);
		assert_int_equal(feed(&x, true, v2, sizeof(v2), step), 0);
		close_flow(&x);
		assert_int_equal(check_once(&x.r), ALL_STAGES);
		assert_string_equal(eve(x.r.tx[0]), "{\"tls\":{\"version\":\"TLSv1\"}}");
		fix_close(&x);
	}
}

/* ---- certificates ---- */

/*
 * A Certificate whose entry is not DER: counted in cert_invalid; tls.certs
 * still has the bytes and the fingerprint is theirs; no subject, issuer,
 * serial or names.
 */
static void test_cert_not_der(void **state)
{
	static const char junk[] = "not a certificate";
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	size_t r, h, l, c;
	(void)state;

	assert_non_null(m);
	m->n = 0;
	server_hello_rec(m);
	r = rec_begin(m, 22, 0x0303);
	h = hs_begin(m, 11);
	l = len_begin(m, 3);
	c = len_begin(m, 3);
	raw(m, junk, sizeof(junk) - 1);
	len_end(m, c, 3);
	len_end(m, l, 3);
	len_end(m, h, 3);
	hs_begin(m, 14); /* ServerHelloDone, empty */
	len_end(m, r, 2);

	for (size_t step = 0; step <= 1; step++) {
		fix_open(&x, true);
		assert_int_equal(feed(&x, false, m->b, m->n, step), 0);
		EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY);
		assert_int_equal(sw_tls_stats(x.t)->cert_invalid, 1);
		assert_int_equal(sw_tls_stats(x.t)->invalid, 0);
		BUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 0, junk);
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 1);
		BUF(x.r.tx[0], SW_BUF_TLS_CERT_FINGERPRINT, false, 0,
		    "34:49:1f:e8:77:74:51:49:64:6c:e2:8c:6b:98:96:1e:91:24:39:0b");
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERT_SUBJECT, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERT_ISSUER, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_CERT_SERIAL, false, 0);
		NOBUF(x.r.tx[0], SW_BUF_TLS_SUBJECTALTNAME, false, 0);
		assert_string_equal(eve(x.r.tx[0]), "{\"tls\":{\"fingerprint\":"
						    "\"34:49:1f:e8:77:74:51:49:64:6c:e2:8c:6b:98:96:1e:91:24:39:0b\","
						    "\"version\":\"TLS 1.2\",\"ja3s\":{\"hash\":"
						    "\"174e7e4992a63f6d419626d97363adb8\",\"string\":\"771,49199,\"}}}");
		close_flow(&x);
		assert_int_equal(check_once(&x.r), ALL_STAGES);
		fix_close(&x);
	}
	free(m);
}

/*
 * Certificate fields are the first certificate's, whatever happens to the
 * later ones: a first certificate too large for the flow's store (not
 * kept, counted) does not let the second take its place in cert_* or
 * tls.certs[0]; and a second Certificate message after the chain (its
 * stage reported) changes nothing.
 */
static void test_cert_first_only(void **state)
{
	struct mb *hs = malloc(sizeof(*hs)), *m = malloc(sizeof(*m));
	struct fix x;
	size_t h, l, c;
	char want[60], hx[41];
	(void)state;

	assert_non_null(hs);
	assert_non_null(m);
	hs->n = 0;
	h = hs_begin(hs, 11);
	l = len_begin(hs, 3);
	c = len_begin(hs, 3);
	for (unsigned i = 0; i < 140000; i++)
		u8(hs, 'A');
	len_end(hs, c, 3);
	c = len_begin(hs, 3);
	raw(hs, "abc", 3);
	len_end(hs, c, 3);
	len_end(hs, l, 3);
	len_end(hs, h, 3);
	m->n = 0;
	server_hello_rec(m);
	hs_records(m, hs, 16384);

	fix_open(&x, true);
	assert_int_equal(feed(&x, false, m->b, m->n, 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY);
	sha1_hex(hs->b + 10, 140000, hx);
	for (unsigned i = 0; i < 20; i++)
		snprintf(want + 3 * i, 4, "%.2s%s", hx + 2 * i, i < 19 ? ":" : "");
	check_buf(x.r.tx[0], SW_BUF_TLS_CERT_FINGERPRINT, false, 0, want, 59, "tls.cert_fingerprint");
	assert_int_equal(sw_tls_stats(x.t)->cert_invalid, 1);
	assert_true(sw_tls_stats(x.t)->truncated >= 1);
	NOBUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 0);

	/* a second chain, after the first: ignored */
	m->n = 0;
	{
		size_t r = rec_begin(m, 22, 0x0303);

		h = hs_begin(m, 11);
		l = len_begin(m, 3);
		c = len_begin(m, 3);
		raw(m, "xyz", 3);
		len_end(m, c, 3);
		len_end(m, l, 3);
		len_end(m, h, 3);
		len_end(m, r, 2);
	}
	assert_int_equal(feed(&x, false, m->b, m->n, 0), 0);
	check_buf(x.r.tx[0], SW_BUF_TLS_CERT_FINGERPRINT, false, 0, want, 59, "tls.cert_fingerprint");
	NOBUF(x.r.tx[0], SW_BUF_TLS_CERTS, false, 0);
	assert_int_equal(sw_tls_stats(x.t)->cert_invalid, 1);
	close_flow(&x);
	assert_int_equal(check_once(&x.r), ALL_STAGES);
	fix_close(&x);
	free(hs);
	free(m);
}

/* ---- GREASE ---- */

/*
 * A ClientHello with GREASE (RFC 8701) in the ciphers, the extensions, the
 * groups, the signature algorithms, supported_versions: left out of every
 * JA3 and JA4 list and count.  By hand:
 *   JA3  771,4865-49199,0-10-11-13-16-43,29-23,0
 *   JA4  t13 (supported_versions) d 02 ciphers 06 extensions h2,
 *        sha256("1301,c02f"), sha256("000a,000b,000d,002b_0403,0804"), 12 hex each
 */
static void test_grease(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	size_t r, h, v, e, x1, l;
	(void)state;

	assert_non_null(m);
	m->n = 0;
	r = rec_begin(m, 22, 0x0301);
	h = hs_begin(m, 1);
	u16(m, 0x0303);
	for (unsigned i = 0; i < 32; i++)
		u8(m, i);
	u8(m, 0);
	v = len_begin(m, 2);
	u16(m, 0x0a0a);
	u16(m, 0x1301);
	u16(m, 0xc02f);
	u16(m, 0x1a1a);
	len_end(m, v, 2);
	u8(m, 1);
	u8(m, 0);
	e = len_begin(m, 2);
	ext_begin(m, 0x0a0a, &x1);
	len_end(m, x1, 2);
	sni_ext(m, "a.test");
	ext_begin(m, 10, &x1);
	l = len_begin(m, 2);
	u16(m, 0x1a1a);
	u16(m, 0x001d);
	u16(m, 0x0017);
	len_end(m, l, 2);
	len_end(m, x1, 2);
	ext_begin(m, 11, &x1);
	u8(m, 1);
	u8(m, 0);
	len_end(m, x1, 2);
	ext_begin(m, 13, &x1);
	l = len_begin(m, 2);
	u16(m, 0x0a0a);
	u16(m, 0x0403);
	u16(m, 0x0804);
	len_end(m, l, 2);
	len_end(m, x1, 2);
	ext_begin(m, 16, &x1);
	l = len_begin(m, 2);
	u8(m, 2);
	raw(m, "h2", 2);
	len_end(m, l, 2);
	len_end(m, x1, 2);
	ext_begin(m, 0x1a1a, &x1);
	u8(m, 0);
	len_end(m, x1, 2);
	ext_begin(m, 43, &x1);
	l = len_begin(m, 1);
	u16(m, 0x2a2a);
	u16(m, 0x0304);
	u16(m, 0x0303);
	len_end(m, l, 1);
	len_end(m, x1, 2);
	len_end(m, e, 2);
	len_end(m, h, 3);
	len_end(m, r, 2);

	fix_open(&x, true);
	assert_int_equal(feed(&x, true, m->b, m->n, 0), 0);
	EVENTS(&x.r, 0, SW_STAGE_REQ_HEADERS);
	BUF(x.r.tx[0], SW_BUF_JA3_STRING, true, 0, "771,4865-49199,0-10-11-13-16-43,29-23,0");
	BUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0, "97737df38853b88c4324af06e211c4a1");
	BUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0, "t13d0206h2_c1929292aa6b_fb71836bce29");
	BUF(x.r.tx[0], SW_BUF_TLS_SNI, true, 0, "a.test");
	BUF(x.r.tx[0], SW_BUF_TLS_ALPN, true, 0, "h2");
	fix_close(&x);
	free(m);
}

/* ---- EVE ---- */

#define EVE_CERT                                                                                      \
	"\"subject\":\"" SUBJECT "\",\"issuerdn\":\"" ISSUER "\","                                    \
	"\"subjectaltname\":[\"www.example.test\",\"alt.example.test\"],\"serial\":\"" SERIAL "\"," \
	"\"fingerprint\":\"" FP_LEAF "\",\"sni\":\"" SNI "\",\"version\":\"TLS 1.2\","              \
	"\"notbefore\":\"2024-01-01T00:00:00\",\"notafter\":\"2034-01-01T00:00:00\","
#define EVE_ALPNS "\"client_alpns\":[\"h2\",\"http/1.1\"],\"server_alpns\":[\"h2\"]"

/* The whole "tls" object of the TLS 1.2 capture, fingerprints logged or not. */
static void test_eve(void **state)
{
	struct fix x;
	(void)state;

	fix_open(&x, true);
	feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0);
	feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0);
	close_flow(&x);
	assert_string_equal(eve(x.r.tx[0]), "{\"tls\":{" EVE_CERT "\"ja3\":{\"hash\":\"" JA3_12_HASH
					     "\",\"string\":\"" JA3_12 "\"},\"ja3s\":{\"hash\":\"" JA3S_12_HASH
					     "\",\"string\":\"" JA3S_12 "\"},\"ja4\":\"" JA4_12 "\"," EVE_ALPNS "}}");
	fix_close(&x);

	fix_open(&x, false);
	feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 0);
	feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0);
	close_flow(&x);
	assert_string_equal(eve(x.r.tx[0]), "{\"tls\":{" EVE_CERT EVE_ALPNS "}}");
	/* the buffers are there for rules either way */
	BUF(x.r.tx[0], SW_BUF_JA3_HASH, true, 0, JA3_12_HASH);
	BUF(x.r.tx[0], SW_BUF_JA4_HASH, true, 0, JA4_12);
	fix_close(&x);

	/* the frag capture logs the same object */
	fix_open(&x, true);
	feed(&x, true, frag_client_hs, sizeof(frag_client_hs), 0);
	feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 0);
	close_flow(&x);
	assert_string_equal(eve(x.r.tx[0]), "{\"tls\":{" EVE_CERT "\"ja3\":{\"hash\":\"" JA3_12_HASH
					     "\",\"string\":\"" JA3_12 "\"},\"ja3s\":{\"hash\":\"" JA3S_12_HASH
					     "\",\"string\":\"" JA3S_12 "\"},\"ja4\":\"" JA4_12 "\"," EVE_ALPNS "}}");
	fix_close(&x);
}

/* ---- memory ---- */

/* The handshake buffers grow while a message is partial and go with the flow. */
static void test_memuse(void **state)
{
	struct fix x;
	uint64_t base, mid;
	struct sw_tls_flow *tf2;
	(void)state;

	fix_open(&x, true);
	base = sw_tls_stats(x.t)->memuse;
	/* half the Certificate message: buffered */
	assert_int_equal(feed(&x, false, tls12_server_hs, 1000, 0), 0);
	mid = sw_tls_stats(x.t)->memuse;
	assert_true(mid > base);
	tf2 = sw_tls_flow_new(x.t);
	assert_non_null(tf2);
	assert_true(sw_tls_stats(x.t)->memuse > mid);
	sw_tls_flow_free(x.t, tf2);
	assert_int_equal(sw_tls_stats(x.t)->memuse, mid);
	sw_tls_flow_free(x.t, NULL);
	fix_close(&x); /* memuse 0 */

	/* a whole flow, closed: 0 too */
	fix_open(&x, true);
	feed(&x, true, tls12_client_hs, sizeof(tls12_client_hs), 1);
	feed(&x, false, tls12_server_hs, sizeof(tls12_server_hs), 7);
	close_flow(&x);
	fix_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls12),
		cmocka_unit_test(test_tls12_ccs),
		cmocka_unit_test(test_early_data),
		cmocka_unit_test(test_tls12_split),
		cmocka_unit_test(test_frag),
		cmocka_unit_test(test_tls13),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_record_limits),
		cmocka_unit_test(test_hs_too_long),
		cmocka_unit_test(test_hs_max_coalesced),
		cmocka_unit_test(test_truncated_hello),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_sslv2_hello),
		cmocka_unit_test(test_cert_not_der),
		cmocka_unit_test(test_cert_first_only),
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_eve),
		cmocka_unit_test(test_memuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
