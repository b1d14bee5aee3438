/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS: record layer, cleartext handshake, certificates, fingerprints, the
 * buffers and the "tls" EVE object (tls.h has the model and the stages).
 *
 * Records (RFC 8446 5.1, RFC 5246 6.2): a 5-byte header, kept across calls
 * when split, then the body, consumed as it comes.  Handshake record bodies
 * are appended to the direction's handshake buffer, so a message split over
 * records and segments is parsed whole once its last byte arrives (RFC 5246
 * 6.2.1: "multiple client messages of the same ContentType MAY be coalesced
 * into a single TLSPlaintext record, or a single message MAY be fragmented
 * across several records").  Nothing else is buffered: alerts, ChangeCipherSpec
 * and application data are skipped by length.  An SSLv2 record (2-byte header,
 * top bit set) is read for its version and skipped.  A record type outside
 * 20..24, a major version other than 3 or a record over 2^14 + 2048 bytes
 * stops the direction: it is not TLS.
 *
 * Fingerprints follow Suricata 8 exactly (app-layer-ssl.c, rust/src/ja4.rs,
 * rust/src/handshake.rs), including its departures from the FoxIO JA4 text:
 * the extension hash always has the "_" before the signature algorithms, an
 * empty cipher list hashes the empty string, and the JA4 version is the
 * highest of the hello's version and the first known supported_versions
 * entry.  GREASE values (RFC 8701) are left out of every list.
 *
 * Certificates are walked with libcrypto's DER reader and their fields
 * decoded by its type decoders (cert0: not d2i_X509); subject and issuer are
 * written as Suricata's Rust x509-parser prints them ("C=US, O=Let's
 * Encrypt, CN=R3": RDNs in certificate order joined by ", ", values of one
 * multi-valued RDN by " + "), the serial as the DER INTEGER's content bytes
 * in upper-case hex joined by ':', the fingerprint as the SHA-1 of the DER in
 * lower-case hex joined by ':'.
 *
 * Memory: a flow holds one transaction with fixed tables and one arena for
 * its strings and certificates (at most TLS_ARENA_MAX, grown by doubling),
 * and per direction a handshake buffer (at most SW_TLS_HS_MAX + 4, freed
 * when the direction's cleartext handshake ends).  Nothing is allocated per
 * record or per byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/buf.h"
#include "engine/app/tls.h"
#include "engine/output/eve.h"

#define TLS_REC_MAX (16384u + 2048u) /* RFC 5246 6.2.3: TLSCiphertext.length */
#define TLS_ARENA_MAX (128u << 10)
#define TLS_HS_INIT 4096u
#define TLS_MAX_CERTS 16
#define TLS_MAX_ALPN 16
#define TLS_LIST_MAX 32768 /* 16-bit values in one hello list: 64 KiB of them */
#define TLS_ALL_STAGES ((1u << SW_STAGE_N) - 1)

enum { REC_CCS = 20, REC_ALERT = 21, REC_HANDSHAKE = 22, REC_APPDATA = 23, REC_HEARTBEAT = 24 };
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_CERTIFICATE_REQUEST = 13, HS_SERVER_HELLO_DONE = 14 };
enum { EXT_SNI = 0, EXT_GROUPS = 10, EXT_EC_POINTS = 11, EXT_SIG_ALGS = 13, EXT_ALPN = 16, EXT_VERSIONS = 43 };

/* A string or byte run of the transaction's arena; set even when empty. */
struct tls_str {
	uint32_t off, len;
	bool set;
};

/* What one side (client or server) said: Suricata's SSLStateConnp. */
struct tls_side {
	uint16_t version;    /* Suricata's connp->version: record, then hello, then supported_versions */
	bool hello;          /* its hello was parsed */
	struct tls_str random;
	struct tls_str ja3, ja3_hash;
	uint32_t n_alpn;
	struct tls_str alpn[TLS_MAX_ALPN];
	uint32_t n_certs;
	uint32_t n_chain;    /* certificates in the chain, kept or not (tls.cert_chain_len) */
	struct tls_str certs[TLS_MAX_CERTS];
	struct tls_str subject, issuer, serial, fingerprint; /* of the first certificate */
	int64_t not_before, not_after;
	bool validity;
	uint32_t n_sans;
	uint32_t sans_off;   /* arena offset of n_sans (offset, length) uint32 pairs: a certificate may list hundreds */
};

struct tls_tx {
	struct sw_app_tx base; /* first: detection and EVE see this */
	struct tls_side side[2]; /* [0] client, [1] server */
	struct tls_str sni;
	char ja4[37];
	bool has_ja4;
	bool log_ja3, log_ja4; /* the worker's setting, for EVE */
	uint8_t reported;      /* bit (1 << enum sw_app_stage) once reported */
	uint8_t *arena;
	uint32_t arena_len, arena_cap;
};

struct tls_dir {
	uint8_t hdr[5];
	uint8_t hdr_have;
	uint8_t rec_type;
	bool v2;               /* the record being skipped is SSLv2 */
	uint32_t rec_left;     /* body bytes of the current record still to come */
	uint8_t *hs;           /* handshake bytes not parsed yet */
	uint32_t hs_len, hs_cap;
	bool encrypted;        /* ChangeCipherSpec or application data seen: records are skipped */
	bool hs_done;          /* no more cleartext certificates can come (tls.h) */
	bool stop;
};

struct sw_tls_flow {
	struct sw_tls *t;
	struct tls_tx tx;
	struct tls_dir dir[2]; /* [0] to server */
	bool tls13;            /* the server chose TLS 1.3: its certificates are encrypted */
	bool app_data;         /* an application data record after the ServerHello (sw_tls_encrypted) */
	bool cert_request;     /* the server asked for a client certificate (CertificateRequest) */
	bool server_done;      /* the server's ServerHelloDone: no CertificateRequest can follow */
	bool done[2];          /* Suricata's TLS_STATE_CLIENT/SERVER_HANDSHAKE_DONE: the record is logged at both */
	size_t mem;
};

struct sw_tls {
	struct sw_tls_stats st;
	bool ja3, ja4;         /* fingerprints logged (computed always: rules may use them) */
	EVP_MD *md5, *sha1, *sha256; /* fetched once (sw_tls_new); NULL if the provider has none */
	EVP_MD_CTX *ctx;       /* reused for every digest */
	/* a hello's lists, for JA4 (sorted) and JA3: per worker, never per flow */
	uint16_t ciphers[TLS_LIST_MAX], exts[TLS_LIST_MAX], sigalgs[TLS_LIST_MAX], groups[TLS_LIST_MAX];
	uint8_t pf[256];
};

/*
 * The digests are fetched once per worker (OpenSSL 3's EVP_md5() and the
 * like are fetched again at each use) and one digest context is reused:
 * no allocation per handshake for fingerprints.  A digest that cannot be
 * fetched (MD5 under a FIPS-only configuration) leaves its fingerprint
 * out; the rest works.
 */
struct sw_tls *sw_tls_new(bool ja3, bool ja4)
{
	struct sw_tls *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ja3 = ja3;
	t->ja4 = ja4;
	t->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	t->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	t->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	t->ctx = EVP_MD_CTX_new();
	if (!t->ctx) {
		sw_tls_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void sw_tls_free(struct sw_tls *t)
{
	if (!t)
		return;
	EVP_MD_CTX_free(t->ctx);
	EVP_MD_free(t->md5);
	EVP_MD_free(t->sha1);
	EVP_MD_free(t->sha256);
	free(t);
}

const struct sw_tls_stats *sw_tls_stats(const struct sw_tls *t)
{
	return &t->st;
}

struct sw_tls_flow *sw_tls_flow_new(struct sw_tls *t)
{
	struct sw_tls_flow *tf = calloc(1, sizeof(*tf));

	if (!tf)
		return NULL;
	tf->t = t;
	tf->tx.base.proto = SW_APP_TLS;
	tf->tx.base.id = 0;
	tf->tx.log_ja3 = t->ja3;
	tf->tx.log_ja4 = t->ja4;
	tf->mem = sizeof(*tf);
	t->st.memuse += tf->mem;
	return tf;
}

static void dir_release(struct sw_tls_flow *tf, struct tls_dir *d)
{
	if (!d->hs)
		return;
	tf->t->st.memuse -= d->hs_cap;
	tf->mem -= d->hs_cap;
	free(d->hs);
	d->hs = NULL;
	d->hs_len = d->hs_cap = 0;
}

void sw_tls_flow_free(struct sw_tls *t, struct sw_tls_flow *tf)
{
	if (!tf)
		return;
	dir_release(tf, &tf->dir[0]);
	dir_release(tf, &tf->dir[1]);
	t->st.memuse -= tf->mem;
	free(tf->tx.arena);
	free(tf);
}

bool sw_tls_encrypted(const struct sw_tls_flow *tf)
{
	return tf && tf->app_data;
}

/* ---- the arena ---- */

static bool ar_reserve(struct sw_tls_flow *tf, uint32_t n)
{
	struct tls_tx *x = &tf->tx;
	uint32_t cap = x->arena_cap ? x->arena_cap : 1024;
	uint8_t *p;

	if (n > TLS_ARENA_MAX - x->arena_len) {
		tf->t->st.truncated++;
		return false;
	}
	if (x->arena_len + n <= x->arena_cap)
		return true;
	while (cap < x->arena_len + n)
		cap *= 2;
	if (cap > TLS_ARENA_MAX)
		cap = TLS_ARENA_MAX;
	if (tf->t->st.memuse + (cap - x->arena_cap) > SW_TLS_MEMCAP) {
		tf->t->st.memcap++;
		tf->t->st.truncated++;
		return false;
	}
	p = realloc(x->arena, cap);
	if (!p) {
		tf->t->st.truncated++;
		return false;
	}
	tf->t->st.memuse += cap - x->arena_cap;
	tf->mem += cap - x->arena_cap;
	x->arena = p;
	x->arena_cap = cap;
	return true;
}

static bool ar_put(struct sw_tls_flow *tf, const void *p, uint32_t n, struct tls_str *out)
{
	if (!ar_reserve(tf, n))
		return false;
	if (n)
		memcpy(tf->tx.arena + tf->tx.arena_len, p, n);
	out->off = tf->tx.arena_len;
	out->len = n;
	out->set = true;
	tf->tx.arena_len += n;
	return true;
}

/* A string built piece by piece at the end of the arena; dropped whole if it does not fit. */
struct ar_str {
	struct sw_tls_flow *tf;
	uint32_t start;
	bool fail;
};

static void as_begin(struct ar_str *s, struct sw_tls_flow *tf)
{
	s->tf = tf;
	s->start = tf->tx.arena_len;
	s->fail = false;
}

static void as_add(struct ar_str *s, const char *p, uint32_t n)
{
	if (s->fail || !ar_reserve(s->tf, n)) {
		s->fail = true;
		return;
	}
	memcpy(s->tf->tx.arena + s->tf->tx.arena_len, p, n);
	s->tf->tx.arena_len += n;
}

/* @v in decimal (JA3 strings are made of these: no snprintf per value) */
static void as_u(struct ar_str *s, unsigned v)
{
	char b[12];
	uint32_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	as_add(s, b + i, (uint32_t)sizeof(b) - i);
}

static bool as_end(struct ar_str *s, struct tls_str *out)
{
	if (s->fail) {
		s->tf->tx.arena_len = s->start;
		return false;
	}
	out->off = s->start;
	out->len = s->tf->tx.arena_len - s->start;
	out->set = true;
	return true;
}

static const uint8_t *str_p(const struct tls_tx *x, const struct tls_str *s)
{
	return s->len ? x->arena + s->off : (const uint8_t *)"";
}

/* ---- fingerprints ---- */

/* RFC 8701: 0x0A0A, 0x1A1A ... 0xFAFA. */
static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 12) == ((v >> 4) & 0x0f);
}

/* Suricata's TLSVersionValid(): a version it has a name for, SSLv2 and unknown excluded. */
static bool version_known(uint16_t v)
{
	switch (v) {
	case 0x0300: case 0x0301: case 0x0302: case 0x0303: case 0x0304:
	case 0x7f01: case 0xfb14: case 0xfb15: case 0xfb16: case 0xfb17: case 0xfb1a:
		return true;
	default:
		return v >= 0x7f10 && v <= 0x7f1c;
	}
}

/*
 * A hello's version field as Suricata keeps it (TLSDecodeHSHelloVersion):
 * the early TLS 1.3 drafts (0x7f01..0x7f0f, and 0x0304 itself, which drafts
 * 1 to 15 sent) all become "TLS 1.3 draft-<16".
 */
static uint16_t hello_version(uint16_t v)
{
	return (v >= 0x7f01 && v < 0x7f10) || v == 0x0304 ? 0x7f01 : v;
}

/* Suricata's SSLVersionToString() (rust/src/tls_version.rs). */
static void version_str(uint16_t v, char *out, size_t n)
{
	switch (v) {
	case 0: snprintf(out, n, "UNDETERMINED"); return;
	case 0x0200: snprintf(out, n, "SSLv2"); return;
	case 0x0300: snprintf(out, n, "SSLv3"); return;
	case 0x0301: snprintf(out, n, "TLSv1"); return;
	case 0x0302: snprintf(out, n, "TLS 1.1"); return;
	case 0x0303: snprintf(out, n, "TLS 1.2"); return;
	case 0x0304: snprintf(out, n, "TLS 1.3"); return;
	case 0x7f01: snprintf(out, n, "TLS 1.3 draft-<16"); return;
	case 0xfb14: case 0xfb15: case 0xfb16: case 0xfb17: case 0xfb1a:
		snprintf(out, n, "TLS 1.3 draft-%u-fb", v & 0xffu);
		return;
	default:
		if (v >= 0x7f10 && v <= 0x7f1c)
			snprintf(out, n, "TLS 1.3 draft-%u", v & 0xffu);
		else
			snprintf(out, n, "%u", v);
	}
}

static void hex_lower(const uint8_t *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool digest(struct sw_tls *t, const EVP_MD *md, const void *p, size_t n, uint8_t *out)
{
	unsigned int len = 0;

	return md && EVP_DigestInit_ex(t->ctx, md, NULL) == 1 && EVP_DigestUpdate(t->ctx, p, n) == 1 &&
	       EVP_DigestFinal_ex(t->ctx, out, &len) == 1;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

/* The first 12 hex digits of SHA-256 over "%04x" values joined by ',' (ja4_b, ja4_c's halves). */
static void ja4_hash_list(EVP_MD_CTX *c, const uint16_t *v, uint32_t n)
{
	static const char hx[] = "0123456789abcdef";
	char b[500]; /* 100 values a digest update, not one each */
	uint32_t len = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (len > sizeof(b) - 5) {
			EVP_DigestUpdate(c, b, len);
			len = 0;
		}
		if (i)
			b[len++] = ',';
		for (int sh = 12; sh >= 0; sh -= 4)
			b[len++] = hx[v[i] >> sh & 15];
	}
	if (len)
		EVP_DigestUpdate(c, b, len);
}

static bool ja4_trunc(EVP_MD_CTX *c, char out[13])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char hx[2 * EVP_MAX_MD_SIZE + 1];

	if (EVP_DigestFinal_ex(c, md, &len) != 1 || len < 6)
		return false;
	hex_lower(md, 6, hx);
	memcpy(out, hx, 13);
	return true;
}

static bool alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* What a ClientHello gave JA4 (Suricata's HandshakeParams). */
struct hello_params {
	uint16_t tls_version;           /* highest seen, GREASE ignored */
	uint32_t n_ciphers, n_exts, n_sigalgs;
	bool sni;
	const uint8_t *alpn0;           /* the first non-empty ALPN protocol */
	uint8_t alpn0_len;
};

static void ja4_compute(struct sw_tls *t, const struct hello_params *h, char out[37])
{
	static const char hx[] = "0123456789abcdef";
	const char *ver;
	char a[2] = { '0', '0' }, b[13], c[13];
	uint32_t ne = 0;
	EVP_MD_CTX *ctx;

	switch (h->tls_version) {
	case 0x0304: ver = "13"; break;
	case 0x0303: ver = "12"; break;
	case 0x0302: ver = "11"; break;
	case 0x0301: ver = "10"; break;
	case 0x0300: ver = "s3"; break;
	default: ver = "00";
	}
	if (h->alpn0_len) {
		const uint8_t *p = h->alpn0;
		uint8_t n = h->alpn0_len;

		if (n == 2 && grease((uint16_t)(p[0] << 8 | p[1]))) {
			/* a GREASE ALPN value: "00" */
		} else if (!alnum(p[0]) || !alnum(p[n - 1])) {
			a[0] = hx[p[0] >> 4];
			a[1] = hx[p[n - 1] & 15];
		} else {
			a[0] = (char)p[0];
			a[1] = (char)p[n - 1];
		}
	}
	out[0] = '\0';
	ctx = t->ctx;
	if (!t->sha256)
		return;
	/* ja4_b: sorted ciphers */
	qsort(t->ciphers, h->n_ciphers, sizeof(uint16_t), cmp_u16);
	if (EVP_DigestInit_ex(ctx, t->sha256, NULL) != 1)
		return;
	ja4_hash_list(ctx, t->ciphers, h->n_ciphers);
	if (!ja4_trunc(ctx, b))
		return;
	/* ja4_c: sorted extensions without SNI and ALPN, "_", signature algorithms as sent */
	for (uint32_t i = 0; i < h->n_exts; i++)
		if (t->exts[i] != EXT_SNI && t->exts[i] != EXT_ALPN)
			t->exts[ne++] = t->exts[i];
	qsort(t->exts, ne, sizeof(uint16_t), cmp_u16);
	if (EVP_DigestInit_ex(ctx, t->sha256, NULL) != 1)
		return;
	ja4_hash_list(ctx, t->exts, ne);
	EVP_DigestUpdate(ctx, "_", 1);
	ja4_hash_list(ctx, t->sigalgs, h->n_sigalgs);
	if (!ja4_trunc(ctx, c))
		return;
	snprintf(out, 37, "t%s%c%02u%02u%c%c_%s_%s", ver, h->sni ? 'd' : 'i', h->n_ciphers > 99 ? 99 : h->n_ciphers,
		 h->n_exts > 99 ? 99 : h->n_exts, a[0], a[1], b, c);
}

/* MD5 of the JA3 string @s, as 32 lower-case hex digits, into the arena. */
static void ja3_hash(struct sw_tls_flow *tf, const struct tls_str *s, struct tls_str *out)
{
	uint8_t md[16];
	char hx[33];

	if (!s->set || !digest(tf->t, tf->t->md5, str_p(&tf->tx, s), s->len, md))
		return;
	hex_lower(md, sizeof(md), hx);
	ar_put(tf, hx, 32, out);
}

/* ---- hellos ---- */

/* Read the 16-bit values of @b into @keep (GREASE left out; at most TLS_LIST_MAX kept). */
static uint32_t list16(struct sw_buf b, uint16_t *keep)
{
	uint32_t n = 0;
	uint16_t v;

	while (sw_buf_get_be16(&b, &v) == 0)
		if (!grease(v) && n < TLS_LIST_MAX)
			keep[n++] = v;
	return n;
}

/* JA3 field: @n values joined by '-'. */
static void ja3_field(struct ar_str *s, const uint16_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			as_add(s, "-", 1);
		as_u(s, v[i]);
	}
}

static void add_alpns(struct sw_tls_flow *tf, struct tls_side *sd, struct sw_buf ext, struct hello_params *h)
{
	uint16_t len;
	struct sw_buf l;
	uint8_t n;

	if (sw_buf_get_be16(&ext, &len) < 0 || sw_buf_sub(&ext, len, &l) < 0)
		return;
	while (sw_buf_get_u8(&l, &n) == 0) {
		const uint8_t *p = sw_buf_cur(&l);

		if (sw_buf_skip(&l, n) < 0)
			break;
		if (n == 0)
			continue; /* Suricata adds no empty ALPN */
		if (h && !h->alpn0_len) {
			h->alpn0 = p;
			h->alpn0_len = n;
		}
		if (sd->n_alpn < TLS_MAX_ALPN) {
			if (ar_put(tf, p, n, &sd->alpn[sd->n_alpn]))
				sd->n_alpn++;
		} else {
			tf->t->st.truncated++;
		}
	}
}

/* The host_name of a server_name extension (RFC 6066 3): the first one. */
static void add_sni(struct sw_tls_flow *tf, struct sw_buf ext)
{
	uint16_t list, n;
	uint8_t type;
	struct sw_buf l;

	if (tf->tx.sni.set || sw_buf_get_be16(&ext, &list) < 0 || sw_buf_sub(&ext, list, &l) < 0)
		return;
	while (sw_buf_get_u8(&l, &type) == 0 && sw_buf_get_be16(&l, &n) == 0) {
		const uint8_t *p = sw_buf_cur(&l);

		if (sw_buf_skip(&l, n) < 0)
			return;
		if (type == 0) {
			ar_put(tf, p, n, &tf->tx.sni);
			return;
		}
	}
}

static int client_hello(struct sw_tls_flow *tf, struct sw_buf m)
{
	struct sw_tls *t = tf->t;
	struct tls_side *sd = &tf->tx.side[0];
	struct hello_params h = { 0 };
	struct ar_str s;
	struct sw_buf cs, exts = sw_buf_make(NULL, 0);
	uint16_t ver, cs_len, ext_len = 0;
	uint8_t sid_len, comp_len;
	const uint8_t *random;
	uint32_t n_groups = 0, n_pf = 0;

	if (sd->hello)
		return 0; /* a second ClientHello (after HelloRetryRequest): the first one's fingerprints stay */
	if (sw_buf_get_be16(&m, &ver) < 0 || !(random = sw_buf_cur(&m)) || sw_buf_skip(&m, 32) < 0 ||
	    sw_buf_get_u8(&m, &sid_len) < 0 || sid_len > 32 || sw_buf_skip(&m, sid_len) < 0 ||
	    sw_buf_get_be16(&m, &cs_len) < 0 || (cs_len & 1) || sw_buf_sub(&m, cs_len, &cs) < 0 ||
	    sw_buf_get_u8(&m, &comp_len) < 0 || sw_buf_skip(&m, comp_len) < 0)
		return -EBADMSG;
	if (sw_buf_left(&m) >= 2 && (sw_buf_get_be16(&m, &ext_len) < 0 || sw_buf_sub(&m, ext_len, &exts) < 0))
		return -EBADMSG;
	sd->hello = true;
	sd->version = hello_version(ver);
	h.tls_version = grease(ver) ? 0 : ver;
	ar_put(tf, random, 32, &sd->random);
	h.n_ciphers = list16(cs, t->ciphers);

	while (sw_buf_left(&exts)) {
		struct sw_buf body;
		uint16_t type, elen;

		if (sw_buf_get_be16(&exts, &type) < 0 || sw_buf_get_be16(&exts, &elen) < 0 ||
		    sw_buf_sub(&exts, elen, &body) < 0)
			return -EBADMSG; /* what came before stays: the SNI of a truncated list is still seen */
		if (grease(type))
			continue;
		if (h.n_exts < TLS_LIST_MAX)
			t->exts[h.n_exts++] = type;
		switch (type) {
		case EXT_SNI:
			h.sni = true;
			add_sni(tf, body);
			break;
		case EXT_ALPN:
			add_alpns(tf, sd, body, &h);
			break;
		case EXT_GROUPS: {
			uint16_t n;
			struct sw_buf l;

			if (!n_groups && sw_buf_get_be16(&body, &n) == 0 && sw_buf_sub(&body, n, &l) == 0)
				n_groups = list16(l, t->groups);
			break;
		}
		case EXT_EC_POINTS: {
			uint8_t n, v;
			struct sw_buf l;

			if (!n_pf && sw_buf_get_u8(&body, &n) == 0 && sw_buf_sub(&body, n, &l) == 0)
				while (sw_buf_get_u8(&l, &v) == 0)
					t->pf[n_pf++] = v;
			break;
		}
		case EXT_SIG_ALGS: {
			uint16_t n;
			struct sw_buf l;

			if (!h.n_sigalgs && sw_buf_get_be16(&body, &n) == 0 && sw_buf_sub(&body, n, &l) == 0)
				h.n_sigalgs = list16(l, t->sigalgs);
			break;
		}
		case EXT_VERSIONS: {
			/* the first known version is the client's (Suricata: connp->version) */
			uint8_t n;
			uint16_t v;
			struct sw_buf l;

			if (sw_buf_get_u8(&body, &n) == 0 && sw_buf_sub(&body, n, &l) == 0)
				while (sw_buf_get_be16(&l, &v) == 0)
					if (version_known(v)) {
						sd->version = v;
						if (v > h.tls_version)
							h.tls_version = v;
						break;
					}
			break;
		}
		default:
			break;
		}
	}

	/* JA3: SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats */
	as_begin(&s, tf);
	as_u(&s, ver);
	as_add(&s, ",", 1);
	ja3_field(&s, t->ciphers, h.n_ciphers);
	as_add(&s, ",", 1);
	ja3_field(&s, t->exts, h.n_exts);
	as_add(&s, ",", 1);
	ja3_field(&s, t->groups, n_groups);
	as_add(&s, ",", 1);
	for (uint32_t i = 0; i < n_pf; i++) {
		if (i)
			as_add(&s, "-", 1);
		as_u(&s, t->pf[i]);
	}
	if (as_end(&s, &sd->ja3))
		ja3_hash(tf, &sd->ja3, &sd->ja3_hash);
	/* last: it sorts the lists in place */
	ja4_compute(t, &h, tf->tx.ja4);
	tf->tx.has_ja4 = tf->tx.ja4[0] != '\0';
	return 0;
}

static int server_hello(struct sw_tls_flow *tf, struct sw_buf m)
{
	struct sw_tls *t = tf->t;
	struct tls_side *sd = &tf->tx.side[1];
	struct ar_str s;
	struct sw_buf exts = sw_buf_make(NULL, 0);
	uint16_t ver, cipher, ext_len = 0;
	uint8_t sid_len, comp;
	const uint8_t *random;
	uint32_t n_exts = 0;

	bool draft;

	if (sd->hello)
		return 0;
	if (sw_buf_get_be16(&m, &ver) < 0 || !(random = sw_buf_cur(&m)) || sw_buf_skip(&m, 32) < 0)
		return -EBADMSG;
	/*
	 * TLS 1.3 drafts 1 to 21 name themselves in this field (0x7fNN, or
	 * 0x0304 up to draft 15) and have no session id and no compression
	 * method here (both came back in draft 22); their certificates are
	 * encrypted.  Suricata's TLSDecodeHSHello / SSL_AL_FLAG_LOG_WITHOUT_CERT.
	 */
	draft = ver == 0x0304 || (ver >> 8) == 0x7f;
	if ((!draft && (sw_buf_get_u8(&m, &sid_len) < 0 || sid_len > 32 || sw_buf_skip(&m, sid_len) < 0)) ||
	    sw_buf_get_be16(&m, &cipher) < 0 || (!draft && sw_buf_get_u8(&m, &comp) < 0))
		return -EBADMSG;
	if (sw_buf_left(&m) >= 2 && (sw_buf_get_be16(&m, &ext_len) < 0 || sw_buf_sub(&m, ext_len, &exts) < 0))
		return -EBADMSG;
	sd->hello = true;
	sd->version = hello_version(ver);
	if (draft)
		tf->tls13 = true;
	ar_put(tf, random, 32, &sd->random);
	while (sw_buf_left(&exts)) {
		struct sw_buf body;
		uint16_t type, elen;

		if (sw_buf_get_be16(&exts, &type) < 0 || sw_buf_get_be16(&exts, &elen) < 0 ||
		    sw_buf_sub(&exts, elen, &body) < 0)
			break; /* JA3S of the extensions before the damage, as Suricata */
		if (grease(type))
			continue;
		if (n_exts < TLS_LIST_MAX)
			t->exts[n_exts++] = type;
		if (type == EXT_ALPN) {
			add_alpns(tf, sd, body, NULL);
		} else if (type == EXT_VERSIONS) {
			uint16_t v;

			if (sw_buf_get_be16(&body, &v) == 0) {
				sd->version = v;
				/* TLS 1.3: everything after the ServerHello is encrypted, certificates included */
				if (v > 0x0303)
					tf->tls13 = true;
			}
		}
	}
	/* JA3S: SSLVersion,Cipher,Extensions */
	as_begin(&s, tf);
	as_u(&s, ver);
	as_add(&s, ",", 1);
	as_u(&s, cipher);
	as_add(&s, ",", 1);
	ja3_field(&s, t->exts, n_exts);
	if (as_end(&s, &sd->ja3))
		ja3_hash(tf, &sd->ja3, &sd->ja3_hash);
	if (tf->tls13)
		tf->dir[0].hs_done = tf->dir[1].hs_done = true;
	return 0;
}

/* ---- certificates ---- */

/* An X509_NAME as x509-parser prints it: "C=US, O=Let's Encrypt, CN=R3". */
static void name_str(struct sw_tls_flow *tf, const X509_NAME *n, struct tls_str *out)
{
	struct ar_str s;
	int cnt = X509_NAME_entry_count(n), prev_set = -1;

	as_begin(&s, tf);
	for (int i = 0; i < cnt; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
		const ASN1_STRING *d = X509_NAME_ENTRY_get_data(e);
		int nid = OBJ_obj2nid(o), set = X509_NAME_ENTRY_set(e);
		/* x509-parser's abbreviations are OpenSSL's short names, but for the e-mail address */
		const char *sn = nid == NID_pkcs9_emailAddress ? "Email" : nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		char oid[90];
		unsigned char *u = NULL;
		int ulen;

		if (i)
			as_add(&s, set == prev_set ? " + " : ", ", set == prev_set ? 3 : 2);
		prev_set = set;
		if (!sn) {
			/* an OID with no name: x509-parser prints it as "OID(1.2.3)" */
			char num[80];

			OBJ_obj2txt(num, sizeof(num), o, 1);
			snprintf(oid, sizeof(oid), "OID(%s)", num);
			sn = oid;
		}
		as_add(&s, sn, (uint32_t)strlen(sn));
		as_add(&s, "=", 1);
		ulen = ASN1_STRING_to_UTF8(&u, d);
		if (ulen >= 0)
			as_add(&s, (const char *)u, (uint32_t)ulen);
		OPENSSL_free(u);
	}
	as_end(&s, out);
}

static int64_t asn1_time(const ASN1_TIME *t, bool *ok)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		*ok = false;
		return 0;
	}
	return (int64_t)timegm(&tm);
}

/* The SAN forms Suricata prints (rust/src/x509/mod.rs SCGeneralName): DNS, URI, IP ("[10, 0, 0, 1]"). */
/* SAN @i of @sd as a string of the arena. */
static struct tls_str san_at(const struct tls_tx *x, const struct tls_side *sd, uint32_t i)
{
	struct tls_str r = { 0, 0, true };
	uint32_t pair[2];

	memcpy(pair, x->arena + sd->sans_off + 8 * i, sizeof(pair));
	r.off = pair[0];
	r.len = pair[1];
	return r;
}

/*
 * The SAN forms Suricata prints (rust/src/x509/mod.rs SCGeneralName): DNS, URI, IP ("[10, 0, 0, 1]").
 * Their index is reserved in the arena first (its offset stays valid when the arena moves).
 */
static void add_sans(struct sw_tls_flow *tf, struct tls_side *sd, GENERAL_NAMES *gn)
{
	int n = gn ? sk_GENERAL_NAME_num(gn) : 0;
	uint32_t room = (TLS_ARENA_MAX - tf->tx.arena_len) / 2 / 8; /* half the store left: the index */
	struct tls_str idx;

	if (n > 0 && (uint32_t)n > room) {
		tf->t->st.truncated++; /* keep the first names that fit, not none */
		n = (int)room;
	}
	if (n <= 0 || !ar_reserve(tf, 8u * (uint32_t)n))
		return;
	idx.off = tf->tx.arena_len;
	tf->tx.arena_len += 8u * (uint32_t)n;
	sd->sans_off = idx.off;
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, i);
		const ASN1_STRING *v = NULL;
		struct tls_str out = { 0 };
		bool ok = false;

		if (g->type == GEN_DNS)
			v = g->d.dNSName;
		else if (g->type == GEN_URI)
			v = g->d.uniformResourceIdentifier;
		if (v) {
			ok = ar_put(tf, ASN1_STRING_get0_data(v), (uint32_t)ASN1_STRING_length(v), &out);
		} else if (g->type == GEN_IPADD) {
			struct ar_str s;
			const uint8_t *p = ASN1_STRING_get0_data(g->d.iPAddress);
			int len = ASN1_STRING_length(g->d.iPAddress);

			as_begin(&s, tf);
			as_add(&s, "[", 1);
			for (int k = 0; k < len; k++) {
				if (k)
					as_add(&s, ", ", 2);
				as_u(&s, p[k]);
			}
			as_add(&s, "]", 1);
			ok = as_end(&s, &out);
		}
		if (ok) {
			uint32_t pair[2] = { out.off, out.len };

			memcpy(tf->tx.arena + sd->sans_off + 8 * sd->n_sans, pair, sizeof(pair));
			sd->n_sans++;
		}
	}
}

/* One DER element: its whole encoding [tlv, end) and its contents [val, end). */
struct der {
	const uint8_t *tlv, *val, *end;
	int tag, cls;
	bool cons;
};

/*
 * The next element of [*p, lim) through libcrypto's TLV reader
 * (ASN1_get_object checks the length against what is left).  DER only: an
 * indefinite length is refused.
 */
static bool der_next(const uint8_t **p, const uint8_t *lim, struct der *d)
{
	const unsigned char *q = *p;
	long len;
	int r;

	if (*p >= lim)
		return false;
	r = ASN1_get_object(&q, &len, &d->tag, &d->cls, lim - *p);
	if (r & 0x81)
		return false;
	d->tlv = *p;
	d->val = q;
	d->end = q + len;
	d->cons = r & V_ASN1_CONSTRUCTED;
	*p = d->end;
	return true;
}

static bool der_is(const struct der *d, int cls, int tag, bool cons)
{
	return d->cls == cls && d->tag == tag && d->cons == cons;
}

/* A Name element as libcrypto decodes it; NULL if it does not decode to its end. */
static X509_NAME *der_name(const struct der *d)
{
	const unsigned char *q = d->tlv;
	X509_NAME *n = d2i_X509_NAME(NULL, &q, d->end - d->tlv);

	if (n && q != d->end) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

static int64_t der_time(const struct der *d, bool *ok)
{
	const unsigned char *q = d->tlv;
	ASN1_TIME *t = d2i_ASN1_TIME(NULL, &q, d->end - d->tlv);
	int64_t v = asn1_time(q == d->end ? t : NULL, ok);

	ASN1_TIME_free(t);
	return v;
}

/* The subjectAltName extension (2.5.29.17) among [p, lim), decoded; NULL if none or broken. */
static GENERAL_NAMES *der_sans(const uint8_t *p, const uint8_t *lim)
{
	static const uint8_t san_oid[] = { 0x55, 0x1d, 0x11 };
	struct der ext, oid, v;

	while (der_next(&p, lim, &ext)) {
		const uint8_t *q = ext.val;

		if (!der_is(&ext, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) || !der_next(&q, ext.end, &oid) ||
		    !der_is(&oid, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, false) || oid.end - oid.val != sizeof(san_oid) ||
		    memcmp(oid.val, san_oid, sizeof(san_oid)))
			continue;
		if (!der_next(&q, ext.end, &v))
			return NULL;
		if (der_is(&v, V_ASN1_UNIVERSAL, V_ASN1_BOOLEAN, false) && !der_next(&q, ext.end, &v))
			return NULL;
		if (!der_is(&v, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, false))
			return NULL;
		q = v.val;
		return d2i_GENERAL_NAMES(NULL, &q, v.end - v.val);
	}
	return NULL;
}

/* The INTEGER's content octets as encoded (x509-parser's raw_serial), "0A:1B:...". */
static void der_serial(struct sw_tls_flow *tf, const struct der *d, struct tls_str *out)
{
	static const char hx[] = "0123456789ABCDEF";
	struct ar_str s;

	if (d->end == d->val)
		return;
	as_begin(&s, tf);
	for (const uint8_t *b = d->val; b < d->end; b++) {
		char o[3] = { hx[*b >> 4], hx[*b & 15], ':' };

		as_add(&s, o, b + 1 < d->end ? 3 : 2);
	}
	as_end(&s, out);
}

/*
 * The first certificate's fields (Suricata logs and inspects cert0 only).
 *
 * Not d2i_X509: in OpenSSL 3 it also decodes the public key through the
 * provider decoders (locks, lookups, allocations), about 20 us a
 * certificate and a quarter of a whole offline run on public-mix.pcap with
 * one rule, for a key no keyword looks at.  The certificate is walked with
 * libcrypto's own TLV reader instead and each field sidewall reports is
 * decoded by libcrypto's decoder for its type (Name, Time, GeneralNames);
 * the layout is RFC 5280's and must hold in full (every TBSCertificate
 * field, the signature algorithm and value, nothing after them), else the
 * certificate counts as invalid as before.
 */
static void cert0(struct sw_tls_flow *tf, struct tls_side *sd, const uint8_t *der, uint32_t len)
{
	const uint8_t *p = der, *lim = der + len, *q;
	struct der cert, tbs, e, serial = { 0 }, issuer = { 0 }, subject = { 0 }, nb = { 0 }, na = { 0 };
	struct der alg, sig;
	GENERAL_NAMES *sans = NULL;
	X509_NAME *subj = NULL, *iss = NULL;
	uint8_t md[20];
	char fp[60];
	bool ok;

	/* the fingerprint is of the bytes, whatever libcrypto thinks of them */
	if (digest(tf->t, tf->t->sha1, der, len, md)) {
		for (int i = 0; i < 20; i++)
			snprintf(fp + 3 * i, 4, "%02x%s", md[i], i < 19 ? ":" : "");
		ar_put(tf, fp, 59, &sd->fingerprint);
	}
	ok = der_next(&p, lim, &cert) && p == lim && der_is(&cert, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true);
	p = ok ? cert.val : p;
	ok = ok && der_next(&p, cert.end, &tbs) && der_is(&tbs, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) &&
	     der_next(&p, cert.end, &alg) && der_is(&alg, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) &&
	     der_next(&p, cert.end, &sig) && der_is(&sig, V_ASN1_UNIVERSAL, V_ASN1_BIT_STRING, false) &&
	     p == cert.end;
	q = ok ? tbs.val : der;
	/* [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo */
	ok = ok && der_next(&q, tbs.end, &e);
	if (ok && der_is(&e, V_ASN1_CONTEXT_SPECIFIC, 0, true))
		ok = der_next(&q, tbs.end, &e);
	ok = ok && der_is(&e, V_ASN1_UNIVERSAL, V_ASN1_INTEGER, false);
	serial = e;
	ok = ok && der_next(&q, tbs.end, &e) && der_is(&e, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) &&
	     der_next(&q, tbs.end, &issuer) && der_is(&issuer, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) &&
	     der_next(&q, tbs.end, &e) && der_is(&e, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true);
	if (ok) {
		const uint8_t *v = e.val;

		ok = der_next(&v, e.end, &nb) && der_next(&v, e.end, &na) && v == e.end;
	}
	ok = ok && der_next(&q, tbs.end, &subject) && der_is(&subject, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) &&
	     der_next(&q, tbs.end, &e) && der_is(&e, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true);
	/* then [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions, each optional, in order */
	while (ok && q < tbs.end) {
		ok = der_next(&q, tbs.end, &e) && e.cls == V_ASN1_CONTEXT_SPECIFIC && e.tag >= 1 && e.tag <= 3;
		if (ok && e.tag == 3) {
			struct der exts;
			const uint8_t *v = e.val;

			ok = der_next(&v, e.end, &exts) && v == e.end &&
			     der_is(&exts, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true);
			if (ok && !sans)
				sans = der_sans(exts.val, exts.end);
		}
	}
	if (ok) {
		subj = der_name(&subject);
		iss = der_name(&issuer);
		ok = subj && iss;
	}
	if (!ok) {
		tf->t->st.cert_invalid++;
		goto out;
	}
	name_str(tf, subj, &sd->subject);
	name_str(tf, iss, &sd->issuer);
	der_serial(tf, &serial, &sd->serial);
	{
		bool tok = true;

		sd->not_before = der_time(&nb, &tok);
		sd->not_after = der_time(&na, &tok);
		sd->validity = tok;
	}
	add_sans(tf, sd, sans);
out:
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	GENERAL_NAMES_free(sans);
}

static int certificate(struct sw_tls_flow *tf, int dir, struct sw_buf m)
{
	struct tls_side *sd = &tf->tx.side[dir];
	struct sw_buf l;
	uint8_t b[3];
	uint32_t total;

	/*
	 * TLS 1.3 certificates are never in the clear; one chain per side: after
	 * this side's first Certificate (or any later message) its certificate
	 * stage may have been reported (tls.h), so its buffers stay as they were.
	 */
	if (tf->tls13 || tf->dir[dir].hs_done)
		return 0;
	if (sw_buf_get_bytes(&m, b, 3) < 0)
		return -EBADMSG;
	total = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	if (sw_buf_sub(&m, total, &l) < 0)
		return -EBADMSG;
	for (uint32_t i = 0; sw_buf_left(&l); i++) {
		const uint8_t *der;
		uint32_t n;

		if (sw_buf_get_bytes(&l, b, 3) < 0)
			return -EBADMSG;
		n = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
		der = sw_buf_cur(&l);
		if (sw_buf_skip(&l, n) < 0)
			return -EBADMSG;
		/*
		 * cert_* describe the chain's first certificate even when its bytes
		 * are not kept; tls.certs instance i is certificate i, so after one
		 * is not kept none is (each counted once: ar_put counts its own).
		 */
		sd->n_chain++;
		if (i == 0)
			cert0(tf, sd, der, n);
		if (sd->n_certs != i || i >= TLS_MAX_CERTS)
			tf->t->st.truncated++;
		else if (ar_put(tf, der, n, &sd->certs[i]))
			sd->n_certs++;
	}
	return 0;
}

/* ---- stages ---- */

static bool stage_reached(const struct sw_tls_flow *tf, enum sw_app_stage s)
{
	const struct tls_tx *x = &tf->tx;

	switch (s) {
	case SW_STAGE_REQ_HEADERS:
		return x->side[0].hello || tf->dir[0].hs_done || tf->dir[0].stop;
	case SW_STAGE_REQ_BODY:
		return tf->dir[0].hs_done || tf->dir[0].stop;
	case SW_STAGE_RESP_HEADERS:
		return x->side[1].hello || tf->dir[1].hs_done || tf->dir[1].stop;
	case SW_STAGE_RESP_BODY:
		return tf->dir[1].hs_done || tf->dir[1].stop;
	default:
		/* logged when both sides are done (the stages before it are forced, with what they have) */
		return tf->done[0] && tf->done[1];
	}
}

static void report(struct sw_tls_flow *tf, enum sw_app_stage s, sw_app_emit_fn emit, void *ctx)
{
	if (s == SW_STAGE_TX_DONE && !(tf->tx.reported & (1u << s)))
		tf->t->st.tx++;
	sw_app_report(&tf->tx.reported, &tf->tx.base, s, emit, ctx);
}

/*
 * In the handshake's own order (the client's certificates come after the
 * server's), so that the events are the same however the bytes were cut.
 */
static void advance(struct sw_tls_flow *tf, sw_app_emit_fn emit, void *ctx)
{
	static const enum sw_app_stage order[] = { SW_STAGE_REQ_HEADERS, SW_STAGE_RESP_HEADERS, SW_STAGE_RESP_BODY,
						   SW_STAGE_REQ_BODY, SW_STAGE_TX_DONE };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!(tf->tx.reported & (1u << order[i])) && stage_reached(tf, order[i]))
			report(tf, order[i], emit, ctx);
}

/* ---- records ---- */

/* One whole handshake message of direction @dir. */
static int hs_message(struct sw_tls_flow *tf, int dir, uint8_t type, struct sw_buf body)
{
	int rc = 0;

	if (type == HS_CLIENT_HELLO && dir == 0)
		rc = client_hello(tf, body);
	else if (type == HS_SERVER_HELLO && dir == 1)
		rc = server_hello(tf, body);
	else if (type == HS_CERTIFICATE)
		rc = certificate(tf, dir, body);
	else if (type == HS_CERTIFICATE_REQUEST && dir == 1)
		tf->cert_request = true;
	else if (type == HS_SERVER_HELLO_DONE && dir == 1)
		tf->server_done = true;
	/*
	 * Anything after the hello (Certificate, key exchange, ServerHelloDone,
	 * NewSessionTicket ...) means no certificate comes any more in the clear.
	 */
	if (type != 0 && type != HS_CLIENT_HELLO && type != HS_SERVER_HELLO)
		tf->dir[dir].hs_done = true;
	return rc;
}

static int hs_append(struct sw_tls_flow *tf, struct tls_dir *d, const uint8_t *p, uint32_t n)
{
	if (d->hs_len + n > d->hs_cap) {
		uint32_t cap = d->hs_cap ? d->hs_cap : TLS_HS_INIT;
		uint8_t *q;

		while (cap < d->hs_len + n)
			cap *= 2;
		if (cap > SW_TLS_HS_MAX + 4)
			cap = SW_TLS_HS_MAX + 4;
		if (d->hs_len + n > cap) {
			tf->t->st.hs_too_long++;
			return -EMSGSIZE;
		}
		if (tf->t->st.memuse + (cap - d->hs_cap) > SW_TLS_MEMCAP) {
			tf->t->st.memcap++;
			return -ENOMEM; /* the direction stops: counted as memcap, not as malformed */
		}
		q = realloc(d->hs, cap);
		if (!q)
			return -ENOMEM;
		tf->t->st.memuse += cap - d->hs_cap;
		tf->mem += cap - d->hs_cap;
		d->hs = q;
		d->hs_cap = cap;
	}
	memcpy(d->hs + d->hs_len, p, n);
	d->hs_len += n;
	return 0;
}

/* Parse every whole message in the handshake buffer; keep a partial one. */
static int hs_drain(struct sw_tls_flow *tf, int dir)
{
	struct tls_dir *d = &tf->dir[dir];
	uint32_t off = 0;
	int rc = 0;

	while (d->hs_len - off >= 4) {
		const uint8_t *h = d->hs + off;
		uint32_t mlen = (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];

		if (mlen > SW_TLS_HS_MAX) {
			tf->t->st.hs_too_long++;
			return -EMSGSIZE;
		}
		if (d->hs_len - off - 4 < mlen)
			break;
		rc = hs_message(tf, dir, h[0], sw_buf_make(h + 4, mlen));
		off += 4 + mlen;
		if (rc < 0)
			return rc;
		if (tf->tls13 && dir == 1) {
			off = d->hs_len; /* nothing after the ServerHello is cleartext */
			break;
		}
	}
	if (off) {
		memmove(d->hs, d->hs + off, d->hs_len - off);
		d->hs_len -= off;
	}
	return 0;
}

/*
 * Handshake record bytes: appended and parsed in pieces that fit the
 * buffer, so a message of SW_TLS_HS_MAX bytes may share its last record
 * with the next message (RFC 5246 6.2.1).  Parsing empties the buffer of
 * each whole message, so a piece always has room.
 */
static int hs_feed(struct sw_tls_flow *tf, int dir, const uint8_t *p, uint32_t n)
{
	struct tls_dir *d = &tf->dir[dir];
	int rc = 0;

	while (n && rc == 0) {
		uint32_t k = SW_TLS_HS_MAX + 4 - d->hs_len;

		if (k == 0) {
			tf->t->st.hs_too_long++;
			return -EMSGSIZE;
		}
		if (k > n)
			k = n;
		rc = hs_append(tf, d, p, k);
		if (rc == 0)
			rc = hs_drain(tf, dir);
		p += k;
		n -= k;
	}
	return rc;
}

static void dir_stop(struct sw_tls_flow *tf, int dir)
{
	tf->dir[dir].stop = true;
	dir_release(tf, &tf->dir[dir]);
}

int sw_tls_data(struct sw_tls *t, struct sw_tls_flow *tf, bool to_server, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx)
{
	int dir = to_server ? 0 : 1;
	struct tls_dir *d = &tf->dir[dir];
	int rc = 0;

	(void)t;
	while (len && !d->stop) {
		uint32_t n;

		if (d->rec_left == 0) {
			/*
			 * A record header: TLS's is 5 bytes; SSLv2's 2 (top bit set), read
			 * with its type byte and, when the record has them, the 2 bytes
			 * after it (a CLIENT-HELLO's version): kept across calls like
			 * TLS's, so the version does not depend on where segments end.
			 */
			uint8_t b0 = d->hdr_have ? d->hdr[0] : data[0];
			uint32_t want = (b0 & 0x80) ? 2 : 5;

			if ((b0 & 0x80) && d->hdr_have >= 2)
				want = ((uint32_t)(d->hdr[0] & 0x7f) << 8 | d->hdr[1]) >= 3 ? 5 : 3;
			n = want - d->hdr_have < len ? want - d->hdr_have : len;
			memcpy(d->hdr + d->hdr_have, data, n);
			d->hdr_have += (uint8_t)n;
			data += n;
			len -= n;
			if (d->hdr_have < want)
				break;
			if ((d->hdr[0] & 0x80) && d->hdr_have == 2) {
				if (((uint32_t)(d->hdr[0] & 0x7f) << 8 | d->hdr[1]) == 0) {
					rc = -EPROTO;
					break;
				}
				continue; /* the length is known: now the type (and version) */
			}
			d->hdr_have = 0;
			if (d->hdr[0] & 0x80) {
				/* SSLv2: 15-bit length; the byte after the header is the message type */
				uint32_t rl = ((uint32_t)(d->hdr[0] & 0x7f) << 8 | d->hdr[1]);

				d->v2 = true;
				d->rec_type = d->hdr[2];
				d->rec_left = rl >= 3 ? rl - 3 : rl - 1;
				if (d->rec_type == HS_CLIENT_HELLO && dir == 0) {
					/* the version follows the type */
					if (rl >= 3 && !tf->tx.side[0].version)
						tf->tx.side[0].version = (uint16_t)(d->hdr[3] << 8 | d->hdr[4]);
				} else if (!tf->tx.side[dir].version) {
					tf->tx.side[dir].version = 0x0200;
				}
				continue;
			}
			d->v2 = false;
			d->rec_type = d->hdr[0];
			d->rec_left = (uint32_t)d->hdr[3] << 8 | d->hdr[4];
			if (d->rec_type < REC_CCS || d->rec_type > REC_HEARTBEAT || d->hdr[1] != 3 ||
			    d->rec_left > TLS_REC_MAX) {
				rc = -EPROTO;
				break;
			}
			if (!tf->tx.side[dir].version)
				tf->tx.side[dir].version = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
			if (d->rec_type == REC_APPDATA && tf->tx.side[1].hello)
				tf->app_data = true;
			/* Suricata: the client's ChangeCipherSpec, or application data either way, ends that side */
			if ((d->rec_type == REC_CCS && dir == 0) || d->rec_type == REC_APPDATA)
				tf->done[dir] = true;
			if (d->rec_type == REC_CCS || d->rec_type == REC_APPDATA) {
				/* the direction's next handshake records are encrypted: no more certificates */
				d->encrypted = true;
				d->hs_done = true;
				dir_release(tf, d);
			}
			if (d->rec_left == 0 || len == 0)
				continue; /* nothing of the body in this call (no empty append) */
		}
		n = d->rec_left < len ? d->rec_left : len;
		if (!d->v2 && d->rec_type == REC_HANDSHAKE && !d->encrypted && !(tf->tls13 && dir == 1)) {
			rc = hs_feed(tf, dir, data, n);
			if (rc < 0)
				break;
		}
		d->rec_left -= n;
		data += n;
		len -= n;
	}
	if (rc < 0) {
		if (rc != -ENOMEM && rc != -EMSGSIZE)
			tf->t->st.invalid++;
		dir_stop(tf, dir);
		rc = -EPROTO;
	}
	/*
	 * The handshake buffer stays until the direction encrypts (its
	 * ChangeCipherSpec or application data frees it): messages after the
	 * certificates still matter (CertificateRequest), and freeing it each
	 * time it empties would cost an allocation per packet of a peer that
	 * trickles handshake records.
	 */
	/*
	 * As Suricata (SSLDecode's end): once the certificate that matters has
	 * a subject and an issuer (the server's, or the client's when the server
	 * asked for one), the handshake is done both ways and is logged.  Not
	 * before the server's flight is over (ServerHelloDone, or the direction
	 * encrypted or stopped): a CertificateRequest after the Certificate
	 * changes which certificate matters, and deciding at the end of
	 * whatever call held the Certificate made the result depend on where
	 * the segments ended (fuzz_tls found it).
	 */
	{
		const struct tls_side *c = &tf->tx.side[0], *s = &tf->tx.side[1];
		bool flight_over = tf->server_done || tf->dir[1].encrypted || tf->dir[1].stop;

		if ((!tf->cert_request && flight_over && s->subject.set && s->issuer.set) ||
		    (tf->cert_request && c->subject.set && c->issuer.set)) {
			tf->done[0] = tf->done[1] = true;
			if (!tf->cert_request)
				tf->dir[0].hs_done = true; /* no client certificate can come unasked */
		}
	}
	advance(tf, emit, ctx);
	return rc;
}

void sw_tls_gap(struct sw_tls *t, struct sw_tls_flow *tf, bool to_server)
{
	(void)t;
	dir_stop(tf, to_server ? 0 : 1);
}

void sw_tls_flow_close(struct sw_tls *t, struct sw_tls_flow *tf, sw_app_emit_fn emit, void *ctx)
{
	(void)t;
	for (int s = 0; s < SW_STAGE_N; s++)
		report(tf, (enum sw_app_stage)s, emit, ctx);
}

/* ---- buffers and EVE ---- */

static bool ret_str(const struct tls_tx *x, const struct tls_str *s, const uint8_t **p, uint32_t *len)
{
	if (!s->set)
		return false;
	*p = str_p(x, s);
	*len = s->len;
	return true;
}

bool sw_tls_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len)
{
	const struct tls_tx *x = (const struct tls_tx *)tx;
	const struct tls_side *sd = &x->side[to_server ? 0 : 1];
	const struct tls_side *c = &x->side[0], *s = &x->side[1];

	switch (buf) {
	case SW_BUF_TLS_SNI:
		return idx == 0 && ret_str(x, &x->sni, p, len);
	case SW_BUF_TLS_CERT_SUBJECT:
		return idx == 0 && ret_str(x, &sd->subject, p, len);
	case SW_BUF_TLS_CERT_ISSUER:
		return idx == 0 && ret_str(x, &sd->issuer, p, len);
	case SW_BUF_TLS_CERT_SERIAL:
		return idx == 0 && ret_str(x, &sd->serial, p, len);
	case SW_BUF_TLS_CERT_FINGERPRINT:
		return idx == 0 && ret_str(x, &sd->fingerprint, p, len);
	case SW_BUF_TLS_CERTS:
		return idx < sd->n_certs && ret_str(x, &sd->certs[idx], p, len);
	case SW_BUF_TLS_SUBJECTALTNAME:
		if (idx >= s->n_sans)
			return false;
		{
			struct tls_str san = san_at(x, s, idx);

			return ret_str(x, &san, p, len);
		}
	case SW_BUF_TLS_ALPN:
		return idx < sd->n_alpn && ret_str(x, &sd->alpn[idx], p, len);
	case SW_BUF_TLS_RANDOM:
	case SW_BUF_TLS_RANDOM_TIME:
	case SW_BUF_TLS_RANDOM_BYTES:
		if (idx != 0 || !ret_str(x, &sd->random, p, len))
			return false;
		if (buf == SW_BUF_TLS_RANDOM_TIME)
			*len = 4;
		else if (buf == SW_BUF_TLS_RANDOM_BYTES)
			*p += 4, *len = 28;
		return true;
	case SW_BUF_JA3_HASH:
		return idx == 0 && ret_str(x, &c->ja3_hash, p, len);
	case SW_BUF_JA3_STRING:
		return idx == 0 && ret_str(x, &c->ja3, p, len);
	case SW_BUF_JA3S_HASH:
		return idx == 0 && ret_str(x, &s->ja3_hash, p, len);
	case SW_BUF_JA3S_STRING:
		return idx == 0 && ret_str(x, &s->ja3, p, len);
	case SW_BUF_JA4_HASH:
		if (idx != 0 || !x->has_ja4)
			return false;
		*p = (const uint8_t *)x->ja4;
		*len = 36;
		return true;
	default:
		return false;
	}
}

bool sw_tls_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val)
{
	const struct tls_tx *x = (const struct tls_tx *)tx;
	const struct tls_side *sd = &x->side[to_server ? 0 : 1];

	if (idx != 0)
		return false;
	switch (kind) {
	case SW_TXNUM_TLS_VERSION:
		/* Suricata's DetectTlsVersionMatch: a draft of TLS 1.3 (0x7fNN) is 1.3 */
		*val = (sd->version >> 8) == 0x7f ? 0x0304 : sd->version;
		return true;
	case SW_TXNUM_TLS_VERSION_RAW:
		*val = sd->version;
		return true;
	case SW_TXNUM_TLS_CHAIN_LEN:
		if (to_server)
			return false; /* Suricata counts the server's chain only */
		*val = sd->n_chain;
		return true;
	default:
		return false;
	}
}

bool sw_tls_tx_date(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, int64_t *t)
{
	const struct tls_tx *x = (const struct tls_tx *)tx;
	const struct tls_side *sd = &x->side[to_server ? 0 : 1];

	if (!sd->validity)
		return false;
	*t = kind == SW_TXNUM_TLS_NOTBEFORE ? sd->not_before : sd->not_after;
	return true;
}

static void eve_str(struct sw_json *j, const struct tls_tx *x, const char *key, const struct tls_str *s)
{
	if (s->set)
		sw_json_strn(j, key, (const char *)str_p(x, s), s->len);
}

static void eve_time(struct sw_json *j, const char *key, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char b[32];

	if (t == 0 || !gmtime_r(&tt, &tm))
		return;
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	sw_json_str(j, key, b);
}

static void eve_ja3(struct sw_json *j, const struct tls_tx *x, const char *key, const struct tls_side *sd)
{
	if (!sd->ja3_hash.set && !sd->ja3.set)
		return;
	sw_json_obj(j, key);
	eve_str(j, x, "hash", &sd->ja3_hash);
	eve_str(j, x, "string", &sd->ja3);
	sw_json_close_obj(j);
}

static void eve_alpns(struct sw_json *j, const struct tls_tx *x, const char *key, const struct tls_side *sd)
{
	if (!sd->n_alpn)
		return;
	sw_json_arr(j, key);
	for (uint32_t i = 0; i < sd->n_alpn; i++)
		eve_str(j, x, NULL, &sd->alpn[i]);
	sw_json_close_arr(j);
}

/* Suricata's extended tls fields, in its order (output-json-tls.c JsonTlsLogFields). */
void sw_tls_tx_eve(const struct sw_app_tx *tx, struct sw_json *j)
{
	const struct tls_tx *x = (const struct tls_tx *)tx;
	const struct tls_side *c = &x->side[0], *s = &x->side[1];
	char ver[32];

	sw_json_obj(j, "tls");
	eve_str(j, x, "subject", &s->subject);
	eve_str(j, x, "issuerdn", &s->issuer);
	if (s->n_sans) {
		sw_json_arr(j, "subjectaltname");
		for (uint32_t i = 0; i < s->n_sans; i++) {
			struct tls_str san = san_at(x, s, i);

			eve_str(j, x, NULL, &san);
		}
		sw_json_close_arr(j);
	}
	eve_str(j, x, "serial", &s->serial);
	eve_str(j, x, "fingerprint", &s->fingerprint);
	eve_str(j, x, "sni", &x->sni);
	version_str(s->version ? s->version : c->version, ver, sizeof(ver));
	sw_json_str(j, "version", ver);
	if (s->validity) {
		eve_time(j, "notbefore", s->not_before);
		eve_time(j, "notafter", s->not_after);
	}
	if (x->log_ja3) {
		eve_ja3(j, x, "ja3", c);
		eve_ja3(j, x, "ja3s", s);
	}
	if (x->log_ja4 && x->has_ja4)
		sw_json_strn(j, "ja4", x->ja4, 36);
	eve_alpns(j, x, "client_alpns", c);
	eve_alpns(j, x, "server_alpns", s);
	if (c->subject.set || c->issuer.set) {
		sw_json_obj(j, "client");
		eve_str(j, x, "subject", &c->subject);
		eve_str(j, x, "issuerdn", &c->issuer);
		eve_str(j, x, "fingerprint", &c->fingerprint);
		eve_str(j, x, "serial", &c->serial);
		if (c->validity) {
			eve_time(j, "notbefore", c->not_before);
			eve_time(j, "notafter", c->not_after);
		}
		sw_json_close_obj(j);
	}
	sw_json_close_obj(j);
}
