/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS (engine/app/dns.c): messages built byte by byte here, over UDP and
 * TCP (fed whole, split at every byte, several per call); names with
 * compression, loops, forward pointers, long labels and names; truncated
 * messages and lying counts; one transaction per message as Suricata 8
 * (requests and responses numbered in arrival order, never paired, each
 * reported whole at once); stage order and exactly-once including the
 * close; dns.query on requests only; the Suricata 8 rrname buffers per
 * instance and dns.opcode/rcode/rrtype values per direction; the EVE object
 * exactly.
 *
 * With SW_TEST_DNS_EVE=<file> set, every EVE object written is also
 * appended there, one per line, for a schema check
 * (/work/shared/reference/eve-schema.json, "dns").
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

#include "engine/app/dns.h"
#include "engine/output/eve.h"

#define MAX_EV 1024

/* ---- message builder ---- */

struct mb {
	uint8_t b[70000];
	size_t n;
};

static void u8(struct mb *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void u16(struct mb *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xff);
}

static void u32(struct mb *m, uint32_t v)
{
	u16(m, v >> 16);
	u16(m, v & 0xffff);
}

static void raw(struct mb *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* "www.example.com" as labels; with @term the root label ends it. */
static void labels(struct mb *m, const char *name, bool term)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		u8(m, (unsigned)l);
		raw(m, name, l);
		name += l + (dot ? 1 : 0);
	}
	if (term)
		u8(m, 0);
}

static void hdr(struct mb *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	u16(m, id);
	u16(m, flags);
	u16(m, qd);
	u16(m, an);
	u16(m, ns);
	u16(m, ar);
}

/* A standard query (RD) for @name type A. */
static void query(struct mb *m, unsigned id, const char *name)
{
	hdr(m, id, 0x0100, 1, 0, 0, 0);
	labels(m, name, true);
	u16(m, 1);
	u16(m, 1);
}

/* Its response: the question echoed, one A record named by a pointer to it. */
static void answer_a(struct mb *m, unsigned id, const char *name, const uint8_t ip[4])
{
	hdr(m, id, 0x8180, 1, 1, 0, 0);
	labels(m, name, true);
	u16(m, 1);
	u16(m, 1);
	u16(m, 0xc00c);
	u16(m, 1);
	u16(m, 1);
	u32(m, 300);
	u16(m, 4);
	raw(m, ip, 4);
}

/* ---- fixture ---- */

struct rec {
	struct sw_app_tx *tx[MAX_EV];
	enum sw_app_stage st[MAX_EV];
	uint64_t id[MAX_EV];
	unsigned n;
};

struct fix {
	struct sw_dns *d;
	struct sw_dns_flow *df;
	struct rec r;
	uint64_t mem0;
};

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct rec *r = ctx;

	assert_true(r->n < MAX_EV);
	assert_int_equal(tx->proto, SW_APP_DNS);
	r->tx[r->n] = tx;
	r->st[r->n] = st;
	r->id[r->n] = tx->id;
	r->n++;
}

static void fix_open(struct fix *x)
{
	memset(x, 0, sizeof(*x));
	x->d = sw_dns_new();
	assert_non_null(x->d);
	x->df = sw_dns_flow_new(x->d);
	assert_non_null(x->df);
	x->mem0 = sw_dns_stats(x->d)->memuse;
}

static void fix_close(struct fix *x)
{
	sw_dns_flow_free(x->d, x->df);
	assert_int_equal(sw_dns_stats(x->d)->memuse, 0);
	sw_dns_free(x->d);
}

static int udp(struct fix *x, bool ts, const struct mb *m)
{
	return sw_dns_data(x->d, x->df, ts, false, m->b, (uint32_t)m->n, on_emit, &x->r);
}

/* The message with its RFC 7766 length prefix appended to @out. */
static void framed(struct mb *out, const struct mb *m)
{
	u16(out, (unsigned)m->n);
	raw(out, m->b, m->n);
}

static int tcp(struct fix *x, bool ts, const uint8_t *p, size_t n, size_t step)
{
	int rc = 0;

	if (!step)
		step = n;
	for (size_t off = 0; off < n && !rc; off += step) {
		size_t k = n - off < step ? n - off : step;

		rc = sw_dns_data(x->d, x->df, ts, true, p + off, (uint32_t)k, on_emit, &x->r);
	}
	return rc;
}

/*
 * The events recorded are each (tx, stage) once, each after the stages it
 * needs; returns the bitmask of stages seen for transaction @id.
 */
static unsigned check_stages(const struct rec *r, uint64_t id)
{
	unsigned seen[MAX_EV] = {0};

	for (unsigned i = 0; i < r->n; i++) {
		uint64_t t = r->id[i];
		unsigned bit = 1u << r->st[i];

		assert_true(t < MAX_EV);
		if (seen[t] & bit)
			fail_msg("event %u: tx %llu stage %d reported twice", i, (unsigned long long)t, r->st[i]);
		if ((seen[t] & sw_app_stage_needs(r->st[i])) != sw_app_stage_needs(r->st[i]))
			fail_msg("event %u: tx %llu stage %d before the stages it needs (seen 0x%x)", i,
				 (unsigned long long)t, r->st[i], seen[t]);
		seen[t] |= bit;
	}
	return seen[id];
}

/* Events [@first, @first + 5) are the five stages, in order, of transaction @id. */
static void check_whole(const struct rec *r, unsigned first, uint64_t id)
{
	assert_true(first + SW_STAGE_N <= r->n);
	for (int s = 0; s < SW_STAGE_N; s++) {
		if (r->st[first + s] != (enum sw_app_stage)s || r->id[first + s] != id ||
		    r->tx[first + s] != r->tx[first])
			fail_msg("event %u: tx %llu stage %d, want tx %llu stage %d", first + s,
				 (unsigned long long)r->id[first + s], r->st[first + s], (unsigned long long)id, s);
	}
}

static void check_query(const struct sw_app_tx *tx, uint32_t idx, const char *want, size_t wlen)
{
	const uint8_t *p = NULL;
	uint32_t len = 0;
	bool ok = sw_dns_tx_buf(tx, SW_BUF_DNS_QUERY, true, idx, &p, &len);

	if (!want) {
		if (ok)
			fail_msg("dns.query[%u]: expected none, got '%.*s'", idx, (int)len, p);
		return;
	}
	if (!ok)
		fail_msg("dns.query[%u]: none, want '%s'", idx, want);
	if (len != wlen || memcmp(p, want, wlen))
		fail_msg("dns.query[%u]: got '%.*s' (%u), want '%.*s'", idx, (int)len, p, len, (int)wlen, want);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

#define QUERY(tx, i, s) check_query(tx, i, s, slen(s))

static const char *eve(const struct sw_app_tx *tx)
{
	static char b[65536];
	struct sw_json j = {.b = b, .len = 0, .cap = sizeof(b) - 1};
	const char *dump = getenv("SW_TEST_DNS_EVE");

	b[j.len++] = '{';
	sw_dns_tx_eve(tx, &j, false);
	b[j.len++] = '}';
	b[j.len] = '\0';
	assert_false(j.overflow);
	if (dump) {
		FILE *f = fopen(dump, "a");

		if (f) {
			fprintf(f, "%s\n", b);
			fclose(f);
		}
	}
	return b;
}

static const uint8_t IP1[4] = {93, 184, 216, 34};

/* ---- tests ---- */

/*
 * A query then its response: two transactions (0 the request, 1 the
 * response), each reported whole by the call that brought its message.
 */
static void test_udp_query_response(void **state)
{
	struct fix x;
	struct mb *m = malloc(sizeof(*m));
	(void)state;

	fix_open(&x);
	query(m, 0x1234, "www.example.com");
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	check_whole(&x.r, 0, 0);
	QUERY(x.r.tx[0], 0, "www.example.com");
	QUERY(x.r.tx[0], 1, NULL);
	{
		const uint8_t *p;
		uint32_t len;

		assert_false(sw_dns_tx_buf(x.r.tx[0], SW_BUF_HTTP_URI, true, 0, &p, &len));
	}
	answer_a(m, 0x1234, "www.example.com", IP1);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 10);
	check_whole(&x.r, 5, 1);
	assert_ptr_not_equal(x.r.tx[5], x.r.tx[0]);
	QUERY(x.r.tx[5], 0, NULL); /* Suricata: dns.query reads the request only */
	QUERY(x.r.tx[0], 0, "www.example.com"); /* the request is not touched by its response */
	assert_int_equal(check_stages(&x.r, 0), (1u << SW_STAGE_N) - 1);
	assert_int_equal(check_stages(&x.r, 1), (1u << SW_STAGE_N) - 1);
	assert_int_equal(sw_dns_stats(x.d)->tx, 2);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 0);
	/* close reports nothing more; gc frees both */
	sw_dns_flow_close(x.d, x.df, on_emit, &x.r);
	assert_int_equal(x.r.n, 10);
	sw_dns_flow_gc(x.d, x.df);
	assert_int_equal(sw_dns_stats(x.d)->memuse, x.mem0);
	fix_close(&x);
	free(m);
}

/*
 * Two queries in one TCP stream, two responses in the other: four
 * transactions in arrival order, fed whole (two messages in one segment),
 * by every step size, then split between any two bytes.
 */
static void test_tcp_split(void **state)
{
	struct mb *m = malloc(sizeof(*m)), *qs = malloc(sizeof(*qs)), *rs = malloc(sizeof(*rs));
	(void)state;

	qs->n = rs->n = 0;
	query(m, 1, "a.example");
	framed(qs, m);
	query(m, 2, "bb.example.org");
	framed(qs, m);
	answer_a(m, 1, "a.example", IP1);
	framed(rs, m);
	answer_a(m, 2, "bb.example.org", IP1);
	framed(rs, m);
	for (size_t step = 0; step <= qs->n; step++) {
		struct fix x;

		fix_open(&x);
		assert_int_equal(tcp(&x, true, qs->b, qs->n, step), 0);
		assert_int_equal(x.r.n, 10);
		check_whole(&x.r, 0, 0);
		check_whole(&x.r, 5, 1);
		QUERY(x.r.tx[0], 0, "a.example");
		QUERY(x.r.tx[5], 0, "bb.example.org");
		assert_int_equal(tcp(&x, false, rs->b, rs->n, step), 0);
		assert_int_equal(x.r.n, 20);
		check_whole(&x.r, 10, 2);
		check_whole(&x.r, 15, 3);
		QUERY(x.r.tx[10], 0, NULL);
		QUERY(x.r.tx[15], 0, NULL);
		for (uint64_t t = 0; t < 4; t++)
			assert_int_equal(check_stages(&x.r, t), (1u << SW_STAGE_N) - 1);
		assert_int_equal(sw_dns_stats(x.d)->tx, 4);
		assert_int_equal(sw_dns_stats(x.d)->malformed, 0);
		fix_close(&x);
	}
	/* a split point between any two bytes (two feeds) */
	for (size_t cut = 1; cut < qs->n; cut++) {
		struct fix x;

		fix_open(&x);
		assert_int_equal(tcp(&x, true, qs->b, cut, 0), 0);
		assert_int_equal(tcp(&x, true, qs->b + cut, qs->n - cut, 0), 0);
		assert_int_equal(x.r.n, 10);
		check_whole(&x.r, 5, 1);
		QUERY(x.r.tx[5], 0, "bb.example.org");
		fix_close(&x);
	}
	free(m);
	free(qs);
	free(rs);
}

/* Two responses in one TCP segment: two response transactions, EVE of each. */
static void test_tcp_two_responses(void **state)
{
	static const uint8_t ip2[4] = {10, 0, 0, 2};
	struct mb *m = malloc(sizeof(*m)), *s = malloc(sizeof(*s));
	struct fix x;
	(void)state;

	s->n = 0;
	answer_a(m, 1, "a.test", IP1);
	framed(s, m);
	answer_a(m, 2, "b.test", ip2);
	framed(s, m);
	fix_open(&x);
	assert_int_equal(tcp(&x, false, s->b, s->n, 0), 0);
	assert_int_equal(x.r.n, 10);
	check_whole(&x.r, 0, 0);
	check_whole(&x.r, 5, 1);
	QUERY(x.r.tx[0], 0, NULL);
	QUERY(x.r.tx[5], 0, NULL);
	assert_string_equal(eve(x.r.tx[5]),
			    "{\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":1,\"id\":2,\"flags\":\"8180\","
			    "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
			    "\"queries\":[{\"rrname\":\"b.test\",\"rrtype\":\"A\"}],"
			    "\"answers\":[{\"rrname\":\"b.test\",\"rrtype\":\"A\",\"ttl\":300,"
			    "\"rdata\":\"10.0.0.2\"}]}}");
	assert_int_equal(sw_dns_stats(x.d)->tx, 2);
	fix_close(&x);
	free(m);
	free(s);
}

/* TCP: an empty frame is skipped (counted), a malformed message stops the direction. */
static void test_tcp_errors(void **state)
{
	struct mb *m = malloc(sizeof(*m)), *s = malloc(sizeof(*s));
	struct fix x;
	(void)state;

	s->n = 0;
	u16(s, 0);
	query(m, 7, "x.y");
	framed(s, m);
	fix_open(&x);
	assert_int_equal(tcp(&x, true, s->b, s->n, 0), 0);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 1);
	/* a 5-byte message: refused, the direction stops for good */
	s->n = 0;
	u16(s, 5);
	raw(s, "abcde", 5);
	query(m, 8, "z");
	framed(s, m);
	assert_int_equal(tcp(&x, true, s->b, s->n, 0), -EPROTO);
	assert_int_equal(x.r.n, 5); /* the refused message makes no transaction, the one after is not read */
	assert_int_equal(tcp(&x, true, s->b + 7, s->n - 7, 0), -EPROTO);
	assert_int_equal(sw_dns_stats(x.d)->tx, 1);
	/* the other direction goes on */
	answer_a(m, 7, "x.y", IP1);
	s->n = 0;
	framed(s, m);
	assert_int_equal(tcp(&x, false, s->b, s->n, 1), 0);
	assert_int_equal(x.r.n, 10);
	check_whole(&x.r, 5, 1);
	/* a gap stops a direction */
	sw_dns_gap(x.d, x.df, false);
	assert_int_equal(tcp(&x, false, s->b, s->n, 0), -EPROTO);
	fix_close(&x);
	free(m);
	free(s);
}

/* Compression: pointers into the question and into earlier rdata, two questions. */
static void b_forward(struct mb *m)
{
	hdr(m, 1, 0, 1, 0, 0, 0);
	u16(m, 0xc000 | 18); /* to the "a" label after the type and class */
	u16(m, 1);
	u16(m, 1);
	labels(m, "a", true);
}

/* A pointer forward, past its own question, is followed as Suricata follows it (dns-forward-pointer). */
static void test_forward_pointer(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	b_forward(m);
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	QUERY(x.r.tx[0], 0, "a");
	QUERY(x.r.tx[0], 1, NULL);
	assert_int_equal(sw_dns_stats(x.d)->malformed + sw_dns_stats(x.d)->name_loop, 0);
	fix_close(&x);
	free(m);
}

static void test_compression(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	/* two questions: "www.example.com" at 12, "mail" + pointer to "example.com" (offset 16) */
	hdr(m, 9, 0x0100, 2, 0, 0, 0);
	labels(m, "www.example.com", true);
	u16(m, 1);
	u16(m, 1);
	labels(m, "mail", false);
	u16(m, 0xc000 | 16);
	u16(m, 15);
	u16(m, 1);
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	QUERY(x.r.tx[0], 0, "www.example.com");
	QUERY(x.r.tx[0], 1, "mail.example.com");
	QUERY(x.r.tx[0], 2, NULL);

	/* response: CNAME rdata "cdn" + ptr to example.com, then an A named by a ptr into that rdata */
	hdr(m, 9, 0x8180, 1, 2, 0, 0);
	labels(m, "www.example.com", true); /* 12 */
	u16(m, 1);
	u16(m, 1);
	u16(m, 0xc00c); /* 33 */
	u16(m, 5);
	u16(m, 1);
	u32(m, 60);
	u16(m, 6);
	labels(m, "cdn", false); /* 45 */
	u16(m, 0xc000 | 16);
	u16(m, 0xc000 | 45);
	u16(m, 1);
	u16(m, 1);
	u32(m, 60);
	u16(m, 4);
	raw(m, IP1, 4);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 10);
	assert_string_equal(eve(x.r.tx[5]),
			    "{\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":1,\"id\":9,\"flags\":\"8180\","
			    "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
			    "\"queries\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\"}],"
			    "\"answers\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\",\"ttl\":60,"
			    "\"rdata\":\"cdn.example.com\"},"
			    "{\"rrname\":\"cdn.example.com\",\"rrtype\":\"A\",\"ttl\":60,"
			    "\"rdata\":\"93.184.216.34\"}]}}");
	assert_int_equal(sw_dns_stats(x.d)->malformed, 0);
	fix_close(&x);
	free(m);
}

struct bad {
	const char *what;
	void (*build)(struct mb *m);
	uint64_t loop, lng; /* expected name_loop / name_long */
};

static void b_self(struct mb *m)
{
	hdr(m, 1, 0, 1, 0, 0, 0);
	u16(m, 0xc00c); /* points at itself */
	u16(m, 1);
	u16(m, 1);
}

static void b_loop2(struct mb *m)
{
	/* label at 12 then a pointer back to 12: backwards from the pointer, but a loop */
	hdr(m, 1, 0, 1, 0, 0, 0);
	labels(m, "ab", false);
	u16(m, 0xc00c);
	u16(m, 1);
	u16(m, 1);
}

static void b_label64(struct mb *m)
{
	hdr(m, 1, 0, 1, 0, 0, 0);
	u8(m, 64);
	for (int i = 0; i < 64; i++)
		u8(m, 'a');
	u8(m, 0);
	u16(m, 1);
	u16(m, 1);
}

static void b_name256(struct mb *m)
{
	/* four 63-octet labels = 256 octets with the root */
	hdr(m, 1, 0, 1, 0, 0, 0);
	for (int l = 0; l < 4; l++) {
		u8(m, 63);
		for (int i = 0; i < 63; i++)
			u8(m, 'a');
	}
	u8(m, 0);
	u16(m, 1);
	u16(m, 1);
}

static void b_counts(struct mb *m)
{
	query(m, 1, "a.b");
	m->b[5] = 2; /* QDCOUNT 2, one question */
}

static void b_ancount(struct mb *m)
{
	query(m, 1, "a.b");
	m->b[7] = 200; /* ANCOUNT 200 in a 21-byte message */
}

static void b_noq(struct mb *m)
{
	hdr(m, 1, 0x0100, 0, 0, 0, 0); /* a query without a question */
}

static void b_trailing(struct mb *m)
{
	hdr(m, 1, 0x0100, 0, 0, 0, 0);
	u32(m, 0); /* no records but bytes after the header */
}

static void b_qr(struct mb *m)
{
	query(m, 1, "a.b");
	m->b[2] |= 0x80; /* to the server with QR set */
}

static void b_ext_label(struct mb *m)
{
	hdr(m, 1, 0, 1, 0, 0, 0);
	u8(m, 0x41); /* RFC 6891 extended label type */
	u8(m, 0);
	u16(m, 1);
	u16(m, 1);
}

/* Refused queries: counted, no transaction, no event. */
static void test_bad_messages(void **state)
{
	static const struct bad bads[] = {
		{"self pointer", b_self, 1, 0},
		{"loop through a label", b_loop2, 1, 0},
		{"64-octet label", b_label64, 0, 1},
		{"256-octet name", b_name256, 0, 1},
		{"extended label", b_ext_label, 0, 1},
		{"QDCOUNT lies", b_counts, 0, 0},
		{"ANCOUNT lies", b_ancount, 0, 0},
		{"query without question", b_noq, 0, 0},
		{"no records, trailing bytes", b_trailing, 0, 0},
		{"QR set to server", b_qr, 0, 0},
	};
	struct mb *m = malloc(sizeof(*m));
	(void)state;

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct fix x;

		fix_open(&x);
		bads[i].build(m);
		assert_int_equal(udp(&x, true, m), 0);
		if (x.r.n || sw_dns_stats(x.d)->malformed != 1 || sw_dns_stats(x.d)->name_loop != bads[i].loop ||
		    sw_dns_stats(x.d)->name_long != bads[i].lng)
			fail_msg("%s: %u events, malformed %llu loop %llu long %llu", bads[i].what, x.r.n,
				 (unsigned long long)sw_dns_stats(x.d)->malformed,
				 (unsigned long long)sw_dns_stats(x.d)->name_loop,
				 (unsigned long long)sw_dns_stats(x.d)->name_long);
		assert_int_equal(sw_dns_stats(x.d)->tx, 0);
		fix_close(&x);
	}
	free(m);
}

/* A 255-octet name (253 characters) is fine; every truncation of a response is refused. */
static void test_limits_truncation(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	char name[300];
	struct fix x;
	size_t n = 0;
	(void)state;

	/* 63+63+63+61 = 250 label octets + 4 length octets + root = 255 */
	for (int l = 0; l < 4; l++) {
		int k = l < 3 ? 63 : 61;

		if (l)
			name[n++] = '.';
		memset(name + n, 'a' + l, (size_t)k);
		n += (size_t)k;
	}
	name[n] = '\0';
	fix_open(&x);
	query(m, 5, name);
	assert_int_equal(m->n, 12 + 255 + 4);
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	QUERY(x.r.tx[0], 0, name);
	fix_close(&x);

	answer_a(m, 5, "www.example.com", IP1);
	for (size_t cut = 0; cut < m->n; cut++) {
		struct mb t;

		fix_open(&x);
		memcpy(t.b, m->b, cut);
		t.n = cut;
		assert_int_equal(udp(&x, false, &t), 0);
		if (x.r.n || sw_dns_stats(x.d)->malformed != 1)
			fail_msg("cut at %zu: %u events, malformed %llu", cut, x.r.n,
				 (unsigned long long)sw_dns_stats(x.d)->malformed);
		fix_close(&x);
	}
	free(m);
}

/* A broken additional record after a good question: the question stays visible, counted. */
static void test_bad_additional(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	query(m, 3, "evil.example");
	m->b[11] = 1; /* ARCOUNT 1 */
	u16(m, 0xc0ff); /* forward pointer */
	u16(m, 41);
	u16(m, 512);
	u32(m, 0);
	u16(m, 0);
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	QUERY(x.r.tx[0], 0, "evil.example");
	assert_int_equal(sw_dns_stats(x.d)->malformed, 1);
	assert_int_equal(sw_dns_stats(x.d)->name_loop, 1);
	fix_close(&x);
	free(m);
}

/*
 * Queries 10, 20, 30, 20 then responses 30, 20, 10, 20: eight transactions
 * numbered in arrival order, whatever the DNS ids; a response does not
 * change the request of its id.
 */
static void test_arrival_order(void **state)
{
	static const unsigned ids[] = {10, 20, 30, 20};
	static const unsigned answers[] = {30, 20, 10, 20};
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	char want[64];
	(void)state;

	fix_open(&x);
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "q%d.test", i);
		query(m, ids[i], name);
		assert_int_equal(udp(&x, true, m), 0);
		check_whole(&x.r, 5u * (unsigned)i, (uint64_t)i);
	}
	for (int i = 0; i < 4; i++) {
		unsigned n0 = x.r.n;

		answer_a(m, answers[i], "x", IP1);
		assert_int_equal(udp(&x, false, m), 0);
		assert_int_equal(x.r.n, n0 + 5);
		check_whole(&x.r, n0, 4u + (uint64_t)i);
		snprintf(want, sizeof(want), "\"type\":\"response\",\"tx_id\":%d,\"id\":%u,", 4 + i, answers[i]);
		assert_non_null(strstr(eve(x.r.tx[n0]), want));
	}
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "q%d.test", i);
		QUERY(x.r.tx[5 * i], 0, name);
		snprintf(want, sizeof(want), "\"type\":\"request\",\"tx_id\":%d,\"id\":%u,", i, ids[i]);
		assert_non_null(strstr(eve(x.r.tx[5 * i]), want));
	}
	for (uint64_t t = 0; t < 8; t++)
		assert_int_equal(check_stages(&x.r, t), (1u << SW_STAGE_N) - 1);
	assert_int_equal(sw_dns_stats(x.d)->tx, 8);
	fix_close(&x);
	free(m);
}

/* A response with no query: its own transaction, all five stages, no dns.query; again for a repeat. */
static void test_response_only(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	answer_a(m, 77, "www.example.com", IP1);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 5);
	check_whole(&x.r, 0, 0);
	QUERY(x.r.tx[0], 0, NULL); /* Suricata: dns.query reads the request only */
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 10);
	check_whole(&x.r, 5, 1);
	assert_int_equal(check_stages(&x.r, 1), (1u << SW_STAGE_N) - 1);
	assert_int_equal(sw_dns_stats(x.d)->tx, 2);
	fix_close(&x);
	free(m);
}

/*
 * Many unanswered queries: nothing stays open, so each is reported whole at
 * once and gc frees them all; there is no bound to hit and nothing evicted.
 */
static void test_many_unanswered(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	for (unsigned i = 0; i < 200; i++) {
		query(m, 100 + i, "e.test");
		assert_int_equal(udp(&x, true, m), 0);
		assert_int_equal(x.r.n, 5 * (i + 1));
		check_whole(&x.r, 5 * i, i);
	}
	sw_dns_flow_gc(x.d, x.df);
	assert_int_equal(sw_dns_stats(x.d)->memuse, x.mem0);
	/* the responses of the first ones are new transactions, freed by gc too */
	answer_a(m, 100, "e.test", IP1);
	x.r.n = 0;
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(x.r.id[0], 200);
	sw_dns_flow_gc(x.d, x.df);
	assert_int_equal(sw_dns_stats(x.d)->memuse, x.mem0);
	assert_int_equal(sw_dns_stats(x.d)->tx, 201);
	fix_close(&x);
	free(m);
}

/* Close after a query: nothing new reported; nothing is read after the close. */
static void test_close(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	query(m, 0xbeef, "www.example.com");
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	sw_dns_flow_close(x.d, x.df, on_emit, &x.r);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(check_stages(&x.r, 0), (1u << SW_STAGE_N) - 1);
	answer_a(m, 0xbeef, "www.example.com", IP1);
	assert_int_equal(udp(&x, false, m), 0);
	query(m, 5, "late.test");
	assert_int_equal(udp(&x, true, m), 0);
	sw_dns_flow_close(x.d, x.df, on_emit, &x.r);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(sw_dns_stats(x.d)->tx, 1);
	sw_dns_flow_gc(x.d, x.df);
	assert_int_equal(sw_dns_stats(x.d)->memuse, x.mem0);
	fix_close(&x);
	free(m);
}

/* UDP: good, malformed, good: the malformed one makes no transaction and takes no id. */
static void test_malformed_between(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	query(m, 1, "a.test");
	assert_int_equal(udp(&x, true, m), 0);
	b_self(m);
	assert_int_equal(udp(&x, true, m), 0);
	assert_int_equal(x.r.n, 5);
	answer_a(m, 1, "a.test", IP1);
	m->n--; /* a truncated response */
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 5);
	answer_a(m, 1, "a.test", IP1);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 10);
	check_whole(&x.r, 5, 1);
	assert_int_equal(sw_dns_stats(x.d)->tx, 2);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 2);
	assert_int_equal(sw_dns_stats(x.d)->name_loop, 1);
	fix_close(&x);
	free(m);
}

/* One query + answer: two EVE objects exactly (Suricata 8 v3), "request" then "response". */
static void test_eve(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	query(m, 0x1234, "www.example.com");
	assert_int_equal(udp(&x, true, m), 0);
	answer_a(m, 0x1234, "www.example.com", IP1);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 10);
	assert_string_equal(eve(x.r.tx[0]),
			    "{\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":0,\"id\":4660,\"flags\":\"100\","
			    "\"rd\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
			    "\"queries\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\"}]}}");
	assert_string_equal(eve(x.r.tx[5]),
			    "{\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":1,\"id\":4660,\"flags\":\"8180\","
			    "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
			    "\"queries\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\"}],"
			    "\"answers\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\",\"ttl\":300,"
			    "\"rdata\":\"93.184.216.34\"}]}}");
	fix_close(&x);
	free(m);
}

/* AAAA, MX, TXT (one object per string), SOA in authorities, OPT in additionals, odd bytes in names. */
static void test_eve_types(void **state)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	(void)state;

	fix_open(&x);
	hdr(m, 2, 0x8583, 1, 3, 1, 1); /* QR AA RD RA, NXDOMAIN */
	u8(m, 3);
	raw(m, "a\"\xff", 3); /* a quote and a byte >= 0x80 in a label */
	u8(m, 0);
	u16(m, 255);
	u16(m, 1);
	u16(m, 0xc00c);
	u16(m, 28);
	u16(m, 1);
	u32(m, 1);
	u16(m, 16);
	raw(m, v6, 16);
	u16(m, 0xc00c);
	u16(m, 15);
	u16(m, 1);
	u32(m, 2);
	u16(m, 2 + 4);
	u16(m, 10);
	labels(m, "mx", true);
	u16(m, 0xc00c);
	u16(m, 16);
	u16(m, 1);
	u32(m, 3);
	u16(m, 2 + 3 + 1);
	labels(m, "x.yz", false); /* two character-strings "x" and "yz" */
	u8(m, 0);                 /* and an empty one */
	u8(m, 0);                 /* root owner */
	u16(m, 6);
	u16(m, 1);
	u32(m, 4);
	u16(m, 1 + 1 + 20);
	u8(m, 0); /* mname root */
	u8(m, 0); /* rname root */
	for (uint32_t i = 1; i <= 5; i++)
		u32(m, i);
	u8(m, 0); /* OPT: root owner, class = UDP size, one option */
	u16(m, 41);
	u16(m, 1232);
	u32(m, 0);
	u16(m, 6);
	u16(m, 10);
	u16(m, 2);
	u16(m, 0xabcd);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 0);
	assert_string_equal(eve(x.r.tx[0]),
			    "{\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":0,\"id\":2,\"flags\":\"8583\","
			    "\"qr\":true,\"aa\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rcode\":\"NXDOMAIN\","
			    "\"queries\":[{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"ANY\"}],"
			    "\"answers\":[{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"AAAA\",\"ttl\":1,"
			    "\"rdata\":\"2001:0db8:0000:0000:0000:0000:0000:0001\"},"
			    "{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"MX\",\"ttl\":2,\"rdata\":\"mx\"},"
			    "{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"TXT\",\"ttl\":3,\"rdata\":\"x\"},"
			    "{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"TXT\",\"ttl\":3,\"rdata\":\"yz\"},"
			    "{\"rrname\":\"a\\\"\\\\xff\",\"rrtype\":\"TXT\",\"ttl\":3,\"rdata\":\"\"}],"
			    "\"authorities\":[{\"rrname\":\"\",\"rrtype\":\"SOA\",\"ttl\":4,\"soa\":{\"mname\":\"\","
			    "\"rname\":\"\",\"serial\":1,\"refresh\":2,\"retry\":3,\"expire\":4,\"minimum\":5}}],"
			    "\"additionals\":[{\"rrname\":\"\",\"rrtype\":\"OPT\",\"ttl\":0,"
			    "\"opt\":[{\"code\":10,\"data\":\"abcd\"}]}]}}");
	fix_close(&x);
	free(m);
}

/* ---- the Suricata 8 buffers and integer fields ---- */

/* A record @name @type with rdata built by @rd (NULL: none), rdlength patched. */
static void rr(struct mb *m, const char *name, unsigned type, void (*rd)(struct mb *, const char *), const char *arg)
{
	size_t at;

	labels(m, name, true);
	u16(m, type);
	u16(m, 1);
	u32(m, 60);
	at = m->n;
	u16(m, 0);
	if (rd)
		rd(m, arg);
	m->b[at] = (uint8_t)((m->n - at - 2) >> 8);
	m->b[at + 1] = (uint8_t)((m->n - at - 2) & 0xff);
}

static void rd_name(struct mb *m, const char *a)
{
	labels(m, a, true);
}

static void rd_mx(struct mb *m, const char *a)
{
	u16(m, 10);
	labels(m, a, true);
}

static void rd_a(struct mb *m, const char *a)
{
	(void)a;
	raw(m, IP1, 4);
}

static void rd_soa(struct mb *m, const char *a)
{
	labels(m, a, true);
	labels(m, "hostmaster.example.com", true);
	for (uint32_t i = 1; i <= 5; i++)
		u32(m, i);
}

static void rd_srv(struct mb *m, const char *a)
{
	u16(m, 0);
	u16(m, 5);
	u16(m, 443);
	labels(m, a, true);
}

/* The instances of @buf (direction @ts) are exactly the NULL-terminated @want. */
static void check_inst(const struct sw_app_tx *tx, enum sw_bufid buf, bool ts, const char *const *want)
{
	const uint8_t *p;
	uint32_t len, i = 0;

	for (; want[i]; i++) {
		if (!sw_dns_tx_buf(tx, buf, ts, i, &p, &len))
			fail_msg("%s buf %d[%u]: none, want '%s'", ts ? "ts" : "tc", (int)buf, i, want[i]);
		if (len != strlen(want[i]) || memcmp(p, want[i], len))
			fail_msg("%s buf %d[%u]: '%.*s', want '%s'", ts ? "ts" : "tc", (int)buf, i, (int)len, p,
				 want[i]);
	}
	if (sw_dns_tx_buf(tx, buf, ts, i, &p, &len))
		fail_msg("%s buf %d[%u]: '%.*s', want no more", ts ? "ts" : "tc", (int)buf, i, (int)len, p);
}

static void check_num(const struct sw_app_tx *tx, enum sw_txnum_kind k, bool ts, const int *want, unsigned n)
{
	uint32_t v;

	for (unsigned i = 0; i < n; i++) {
		if (!sw_dns_tx_num(tx, k, ts, i, &v))
			fail_msg("num %d %s[%u]: none, want %d", k, ts ? "ts" : "tc", i, want[i]);
		assert_int_equal(v, want[i]);
	}
	assert_false(sw_dns_tx_num(tx, k, ts, n, &v));
}

#define INST(tx, buf, ts, ...) check_inst(tx, buf, ts, (const char *const[]){__VA_ARGS__, NULL})
#define NONE(tx, buf, ts) check_inst(tx, buf, ts, (const char *const[]){NULL})
#define NUMS(tx, k, ts, ...)                                                                                      \
	check_num(tx, k, ts, (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

/*
 * A response with every section: dns.queries/answers/authorities/
 * additionals.rrname one instance per record, the additionals ending at the
 * root-owned OPT record (Suricata's getter returns no buffer for an empty
 * name, which ends the loop); dns.response.rrname the questions, then each
 * record's owner and its CNAME/MX/NS/SOA-mname rdata (not A, not the SRV
 * target); all in the direction the message travelled only.  dns.rrtype
 * reads the answers of a response, not its questions.
 */
static void test_rrname_response(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	const struct sw_app_tx *t;
	(void)state;

	fix_open(&x);
	hdr(m, 7, 0x8180, 1, 4, 2, 3);
	labels(m, "www.example.com", true);
	u16(m, 1);
	u16(m, 1);
	rr(m, "www.example.com", 5, rd_name, "edge.cdn.example.net");
	rr(m, "edge.cdn.example.net", 1, rd_a, NULL);
	rr(m, "example.com", 15, rd_mx, "mail.example.com");
	rr(m, "_https._tcp.example.com", 33, rd_srv, "srv.example.com");
	rr(m, "example.com", 2, rd_name, "ns1.example.com");
	rr(m, "example.com", 6, rd_soa, "ns1.example.com");
	rr(m, "ns1.example.com", 1, rd_a, NULL);
	rr(m, "", 41, NULL, NULL); /* OPT: root owner, no options */
	rr(m, "ns2.example.com", 1, rd_a, NULL);
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 0);
	t = x.r.tx[0];
	INST(t, SW_BUF_DNS_QUERIES_RRNAME, false, "www.example.com");
	INST(t, SW_BUF_DNS_QUERY_NAME, false, "www.example.com");
	INST(t, SW_BUF_DNS_ANSWERS_RRNAME, false, "www.example.com", "edge.cdn.example.net", "example.com",
	     "_https._tcp.example.com");
	INST(t, SW_BUF_DNS_ANSWER_NAME, false, "www.example.com", "edge.cdn.example.net", "example.com",
	     "_https._tcp.example.com");
	INST(t, SW_BUF_DNS_AUTHORITIES_RRNAME, false, "example.com", "example.com");
	INST(t, SW_BUF_DNS_ADDITIONALS_RRNAME, false, "ns1.example.com");
	INST(t, SW_BUF_DNS_RESPONSE_RRNAME, false, "www.example.com", "www.example.com", "edge.cdn.example.net",
	     "edge.cdn.example.net", "example.com", "mail.example.com", "_https._tcp.example.com", "example.com",
	     "ns1.example.com", "example.com", "ns1.example.com", "ns1.example.com");
	/* a response is not inspected to the server, and has no dns.query */
	NONE(t, SW_BUF_DNS_QUERIES_RRNAME, true);
	NONE(t, SW_BUF_DNS_ANSWERS_RRNAME, true);
	NONE(t, SW_BUF_DNS_AUTHORITIES_RRNAME, true);
	NONE(t, SW_BUF_DNS_RESPONSE_RRNAME, true);
	NONE(t, SW_BUF_DNS_QUERY, true);
	NUMS(t, SW_TXNUM_DNS_OPCODE, false, 0);
	NUMS(t, SW_TXNUM_DNS_RCODE, false, 0);
	NUMS(t, SW_TXNUM_DNS_RRTYPE, false, 5, 1, 15, 33);
	{
		uint32_t v;

		assert_false(sw_dns_tx_num(t, SW_TXNUM_DNS_OPCODE, true, 0, &v));
		assert_false(sw_dns_tx_num(t, SW_TXNUM_DNS_RRTYPE, true, 0, &v));
	}
	fix_close(&x);
	free(m);
}

/*
 * Requests: a NOTIFY (opcode 4) carrying the zone's SOA as an answer and an
 * OPT record; a root "NS ." priming query.  The request's answers are
 * inspected (both directions are registered), authorities and additionals
 * never (Suricata reads them from the response only); dns.rrtype reads the
 * questions.  The root question is no dns.queries.rrname instance but stays a
 * present, empty dns.query.
 */
static void test_rrname_request(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	const struct sw_app_tx *t;
	(void)state;

	fix_open(&x);
	hdr(m, 8, 0x2400, 1, 1, 0, 1); /* opcode 4 (NOTIFY), AA */
	labels(m, "example.com", true);
	u16(m, 6);
	u16(m, 1);
	rr(m, "example.com", 6, rd_soa, "ns1.example.com");
	rr(m, "", 41, NULL, NULL);
	assert_int_equal(udp(&x, true, m), 0);
	t = x.r.tx[0];
	INST(t, SW_BUF_DNS_QUERIES_RRNAME, true, "example.com");
	INST(t, SW_BUF_DNS_ANSWERS_RRNAME, true, "example.com");
	NONE(t, SW_BUF_DNS_ADDITIONALS_RRNAME, true);
	NONE(t, SW_BUF_DNS_AUTHORITIES_RRNAME, true);
	NONE(t, SW_BUF_DNS_RESPONSE_RRNAME, false);
	NONE(t, SW_BUF_DNS_QUERIES_RRNAME, false);
	NUMS(t, SW_TXNUM_DNS_OPCODE, true, 4);
	NUMS(t, SW_TXNUM_DNS_RCODE, true, 0);
	NUMS(t, SW_TXNUM_DNS_RRTYPE, true, 6);
	{
		uint32_t v;

		assert_false(sw_dns_tx_num(t, SW_TXNUM_DNS_OPCODE, false, 0, &v));
	}

	hdr(m, 9, 0x0000, 1, 0, 0, 0);
	u8(m, 0);
	u16(m, 2);
	u16(m, 1);
	assert_int_equal(udp(&x, true, m), 0);
	t = x.r.tx[SW_STAGE_N];
	NONE(t, SW_BUF_DNS_QUERIES_RRNAME, true);
	NONE(t, SW_BUF_DNS_QUERY_NAME, true);
	QUERY(t, 0, "");
	NUMS(t, SW_TXNUM_DNS_RRTYPE, true, 2);
	fix_close(&x);
	free(m);
}

/* NXDOMAIN with an SOA whose owner is the root: the authorities end at once; the rcode is 3. */
static void test_rrname_root_owner(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	const struct sw_app_tx *t;
	(void)state;

	fix_open(&x);
	hdr(m, 10, 0x8183, 1, 0, 2, 0);
	labels(m, "nx.example", true);
	u16(m, 28);
	u16(m, 1);
	rr(m, "", 6, rd_soa, "a.root-servers.net");
	rr(m, "example", 6, rd_soa, "ns.example");
	assert_int_equal(udp(&x, false, m), 0);
	t = x.r.tx[0];
	NONE(t, SW_BUF_DNS_AUTHORITIES_RRNAME, false);
	NONE(t, SW_BUF_DNS_ANSWERS_RRNAME, false);
	INST(t, SW_BUF_DNS_RESPONSE_RRNAME, false, "nx.example");
	NUMS(t, SW_TXNUM_DNS_RCODE, false, 3);
	{
		uint32_t v; /* no answers: no rrtype to the client (the question's AAAA is not read) */

		assert_false(sw_dns_tx_num(t, SW_TXNUM_DNS_RRTYPE, false, 0, &v));
	}
	fix_close(&x);
	free(m);
}

/* A response stuffed with records: the EVE object stays bounded, the record is not lost. */
static void test_eve_budget(void **state)
{
	struct mb *m = malloc(sizeof(*m));
	struct fix x;
	const char *s;
	(void)state;

	fix_open(&x);
	hdr(m, 4, 0x8180, 1, 2000, 0, 0);
	labels(m, "www.example.com", true);
	u16(m, 1);
	u16(m, 1);
	for (int i = 0; i < 2000; i++) {
		u16(m, 0xc00c);
		u16(m, 16);
		u16(m, 1);
		u32(m, 1);
		u16(m, 1 + 20);
		u8(m, 20);
		raw(m, "01234567890123456789", 20);
	}
	assert_int_equal(udp(&x, false, m), 0);
	assert_int_equal(x.r.n, 5);
	s = eve(x.r.tx[0]);
	assert_true(strlen(s) < 24000);
	assert_int_equal(sw_dns_stats(x.d)->malformed, 1); /* records past DNS_MAX_RR not kept: counted */
	fix_close(&x);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_query_response),
		cmocka_unit_test(test_tcp_split),
		cmocka_unit_test(test_tcp_two_responses),
		cmocka_unit_test(test_tcp_errors),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_forward_pointer),
		cmocka_unit_test(test_bad_messages),
		cmocka_unit_test(test_limits_truncation),
		cmocka_unit_test(test_bad_additional),
		cmocka_unit_test(test_arrival_order),
		cmocka_unit_test(test_response_only),
		cmocka_unit_test(test_many_unanswered),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_malformed_between),
		cmocka_unit_test(test_eve),
		cmocka_unit_test(test_eve_types),
		cmocka_unit_test(test_eve_budget),
		cmocka_unit_test(test_rrname_response),
		cmocka_unit_test(test_rrname_request),
		cmocka_unit_test(test_rrname_root_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
