/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP stream tails: in order, split content, retransmission, overlap, gaps, wraparound, window;
 * held out-of-order segments: reverse order, gaps that never fill, first-arrived overlaps, pool limits.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine/flow/flow.h"
#include "engine/flow/stream.h"

#define WIN 8

/* One segment of a scripted exchange and what the view must show. */
struct seg {
	bool ts;
	uint8_t flags;
	uint32_t seq;          /* relative to the case's isn for this direction */
	const char *data;
	bool in_stream;
	const char *view;      /* expected view bytes */
	uint32_t new_off;
	uint64_t base;
};

struct scase {
	const char *name;
	uint32_t isn_c, isn_s; /* absolute ISNs */
	bool handshake;        /* SYN / SYN-ACK first */
	uint32_t window;
	struct seg s[8];
	int n;
	struct sw_stream_stats want;
};

static const struct scase cases[] = {
	{ "in order, tail kept to the window", 1000, 5000, true, WIN,
	  { { 1, 0x18, 1, "abcd", true, "abcd", 0, 0 },
	    { 1, 0x18, 5, "efgh", true, "abcdefgh", 4, 0 },
	    { 1, 0x18, 9, "ijkl", true, "abcdefghijkl", 8, 0 },
	    { 1, 0x18, 13, "m", true, "efghijklm", 8, 4 } },
	  4, { .segments = 4 } },
	{ "content split across two segments", 1, 2, true, WIN,
	  { { 1, 0x18, 1, "GET /ev", true, "GET /ev", 0, 0 },
	    { 1, 0x18, 8, "il.php", true, "GET /evil.php", 7, 0 } },
	  2, { .segments = 2 } },
	{ "directions are separate", 1, 2, true, WIN,
	  { { 1, 0x18, 1, "req", true, "req", 0, 0 },
	    { 0, 0x18, 1, "resp", true, "resp", 0, 0 },
	    { 1, 0x18, 4, "more", true, "reqmore", 3, 0 } },
	  3, { .segments = 3 } },
	{ "retransmission", 100, 200, true, WIN,
	  { { 1, 0x18, 1, "abcd", true, "abcd", 0, 0 },
	    { 1, 0x18, 1, "abcd", true, "", 0, 4 },   /* the same bytes again: nothing new to inspect */
	    { 1, 0x18, 3, "cd", true, "", 0, 4 },
	    { 1, 0x18, 5, "ef", true, "abcdef", 4, 0 } },
	  4, { .segments = 2, .retransmitted = 2 } },
	{ "overlap appends only the new part", 100, 200, true, WIN,
	  { { 1, 0x18, 1, "abcd", true, "abcd", 0, 0 },
	    { 1, 0x18, 3, "cdef", true, "abcdef", 4, 0 } },
	  2, { .segments = 2, .overlap = 1 } },
	{ "gap: out of order, then resync", 100, 200, true, WIN,
	  { { 1, 0x18, 1, "abcd", true, "abcd", 0, 0 },
	    { 1, 0x18, 9, "ijkl", false, "ijkl", 0, 0 },
	    { 1, 0x18, 13, "mn", true, "mn", 0, 4 },
	    { 1, 0x18, 15, "op", true, "mnop", 2, 4 } },
	  4, { .segments = 3, .out_of_order = 1, .resync = 1 } },
	{ "wraparound near 2^32", 0xfffffffaU, 0x7fffffffU, true, WIN,
	  { { 1, 0x18, 1, "abcd", true, "abcd", 0, 0 },
	    { 1, 0x18, 5, "efgh", true, "abcdefgh", 4, 0 },
	    { 1, 0x18, 3, "cd", true, "", 0, 8 },
	    { 1, 0x18, 9, "ij", true, "abcdefghij", 8, 0 } },
	  4, { .segments = 3, .retransmitted = 1 } },
	{ "mid-stream pickup", 7777, 8888, false, WIN,
	  { { 1, 0x18, 10, "hello", true, "hello", 0, 0 },
	    { 1, 0x18, 15, "world", true, "helloworld", 5, 0 } },
	  2, { .segments = 2, .midstream = 1 } },
	{ "fin takes a sequence number", 10, 20, true, WIN,
	  { { 1, 0x19, 1, "ab", true, "ab", 0, 0 },
	    { 1, 0x18, 3, "x", true, "", 0, 2 } },
	  2, { .segments = 1, .retransmitted = 1 } },
	{ "window 0: bare packets", 10, 20, true, 0,
	  { { 1, 0x18, 1, "abcd", false, "abcd", 0, 0 },
	    { 1, 0x18, 5, "ef", false, "ef", 0, 0 },
	    { 1, 0x18, 5, "ef", false, "ef", 0, 0 } },
	  3, { .segments = 2, .retransmitted = 1 } },
};

static void run_case(const struct scase *c)
{
	static uint8_t tails[2 * WIN];
	static uint8_t scratch[WIN + 65535];
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + WIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	if (c->handshake) {
		p.to_server = true;
		p.tcp_flags = SW_TCP_SYN;
		p.tcp_seq = c->isn_c;
		assert_int_equal(sw_stream_packet(&p, c->window, NULL, NULL, scratch, sizeof(scratch), &v, &st), 0);
		assert_false(v.in_stream);
		p.to_server = false;
		p.tcp_flags = SW_TCP_SYN | SW_TCP_ACK;
		p.tcp_seq = c->isn_s;
		p.tcp_ack = c->isn_c + 1;
		sw_stream_packet(&p, c->window, NULL, NULL, scratch, sizeof(scratch), &v, &st);
		assert_true(f.stream[0].in_sync);
		assert_int_equal(f.stream[0].next_seq, c->isn_c + 1);
		assert_int_equal(f.stream[1].next_seq, c->isn_s + 1);
	}
	for (int i = 0; i < c->n; i++) {
		const struct seg *s = &c->s[i];

		print_message("  seg %d\n", i);
		p.to_server = s->ts;
		p.tcp_flags = s->flags;
		p.tcp_seq = (s->ts ? c->isn_c : c->isn_s) + s->seq;
		p.payload = (const uint8_t *)s->data;
		p.payload_len = (uint32_t)strlen(s->data);
		assert_int_equal(sw_stream_packet(&p, c->window, NULL, NULL, scratch, sizeof(scratch), &v, &st), 0);
		assert_int_equal(v.in_stream, s->in_stream);
		assert_int_equal(v.len, strlen(s->view));
		assert_memory_equal(v.data, s->view, v.len);
		if (s->in_stream) {
			assert_int_equal(v.new_off, s->new_off);
			assert_int_equal(v.base, s->base);
			assert_true(f.stream[s->ts ? 0 : 1].tail_len <= c->window);
		}
	}
	assert_int_equal(st.segments, c->want.segments);
	assert_int_equal(st.retransmitted, c->want.retransmitted);
	assert_int_equal(st.overlap, c->want.overlap);
	assert_int_equal(st.out_of_order, c->want.out_of_order);
	assert_int_equal(st.midstream, c->want.midstream);
	assert_int_equal(st.resync, c->want.resync);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		run_case(&cases[i]);
	}
}

/* A FIN's sequence number: data after the FIN's number is new. */
static void test_wrap_seq_state(void **state)
{
	static uint8_t tails[2 * WIN];
	static uint8_t scratch[WIN + 65535];
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + WIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = 0xffffffffU;
	sw_stream_packet(&p, WIN, NULL, NULL, scratch, sizeof(scratch), &v, &st);
	assert_int_equal(f.stream[0].isn, 0xffffffffU);
	assert_int_equal(f.stream[0].next_seq, 0); /* wrapped */
	p.tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	p.tcp_seq = 0;
	p.payload = (const uint8_t *)"xyz";
	p.payload_len = 3;
	sw_stream_packet(&p, WIN, NULL, NULL, scratch, sizeof(scratch), &v, &st);
	assert_true(v.in_stream);
	assert_int_equal(f.stream[0].next_seq, 3);
	assert_int_equal(f.stream[0].stream_off, 3);
	/* Not TCP or no flow: the bare payload, untouched state. */
	p.flow = NULL;
	sw_stream_packet(&p, WIN, NULL, NULL, scratch, sizeof(scratch), &v, &st);
	assert_false(v.in_stream);
	assert_int_equal(st.segments, 1);
}

/*
 * Fixed-seed random segments around the expected sequence number, across
 * the 2^32 wrap: views stay inside the window plus the packet, the new
 * bytes are always the end of this packet's payload, the tail never grows
 * past the window.
 */
static void test_random_segments(void **state)
{
	static uint8_t tails[2 * WIN];
	static uint8_t scratch[WIN + 65535];
	static uint8_t data[64];
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;
	uint32_t x = 7, base = 0xffffff00U;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + WIN;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	for (int i = 0; i < 20000; i++) {
		struct sw_stream_dir *s;

		x = x * 1103515245u + 12345u;
		p.to_server = x & 1;
		s = &f.stream[p.to_server ? 0 : 1];
		p.tcp_flags = (x >> 1) % 50 == 0 ? SW_TCP_SYN : (x >> 1) % 50 == 1 ? SW_TCP_FIN : SW_TCP_ACK;
		p.tcp_seq = (s->in_sync ? s->next_seq : base) + (uint32_t)((x >> 8) % 41) - 20;
		p.payload_len = (x >> 16) % 40;
		p.payload = data + (x >> 22) % 24;
		assert_int_equal(sw_stream_packet(&p, WIN, NULL, NULL, scratch, sizeof(scratch), &v, &st), 0);
		assert_true(v.len <= WIN + p.payload_len);
		assert_true(v.new_off <= v.len);
		assert_true(s->tail_len <= WIN);
		if (v.in_stream) {
			assert_ptr_equal(v.data, scratch);
			assert_memory_equal(v.data + v.new_off, p.payload + p.payload_len - (v.len - v.new_off),
					    v.len - v.new_off);
		} else {
			assert_ptr_equal(v.data, p.payload);
			assert_int_equal(v.len, p.payload_len);
		}
	}
	assert_true(st.segments > 0 && st.retransmitted > 0 && st.overlap > 0 && st.out_of_order > 0);
}

/* ---- held out-of-order segments (a pool) ---- */

#define HWIN 16

/* A fresh TCP session over @tails (two HWIN-byte tails), its counters zeroed, and @p one of its packets. */
static void held_session(struct sw_flow *f, struct sw_stream_stats *st, struct sw_packet *p, uint8_t *tails)
{
	memset(f, 0, sizeof(*f));
	memset(st, 0, sizeof(*st));
	f->stream[0].tail = tails;
	f->stream[1].tail = tails + HWIN;
	memset(p, 0, sizeof(*p));
	p->flow = f;
	p->proto = 6;
	p->l4_ok = true;
}

/* One segment with a pool: held (no bytes inspected), bare, or a stream view. */
enum hkind { H_STREAM, H_HELD, H_BARE };

struct hseg {
	uint32_t seq;          /* relative to isn, to server */
	const char *data;
	enum hkind kind;
	const char *view;      /* H_STREAM: expected view bytes */
	uint32_t new_off;
	uint64_t base;
};

struct hcase {
	const char *name;
	uint32_t isn;
	uint64_t memcap;       /* pool bytes */
	struct hseg s[10];
	int n;
	const char *gaps;      /* runs handed to the gap callback, "base:bytes;" each, flow end included */
	struct sw_stream_stats want;
	uint8_t policy;        /* enum sw_stream_policy; 0: the default (bsd) */
};

static const struct hcase hcases[] = {
	{ "in order: unchanged", 1000, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 }, { 5, "efgh", H_STREAM, "abcdefgh", 4, 0 } },
	  2, "", { .segments = 2 }, 0 },
	{ "reverse order of 2: one view, split content whole", 1000, 1 << 20,
	  { { 1, "GET ", H_STREAM, "GET ", 0, 0 },
	    { 9, "l.php", H_HELD, NULL, 0, 0 },
	    { 5, "/evi", H_STREAM, "GET /evil.php", 4, 0 },
	    { 14, "!", H_STREAM, "GET /evil.php!", 13, 0 } },
	  4, "", { .segments = 3, .out_of_order = 1, .held = 1, .held_flushed = 5 }, 0 },
	{ "reverse order of 5", 7, 1 << 20,
	  { { 9, "ij", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 3, "cd", H_HELD, NULL, 0, 0 },
	    { 1, "ab", H_STREAM, "abcdefghij", 0, 0 },
	    { 11, "kl", H_STREAM, "abcdefghijkl", 10, 0 } },
	  6, "", { .segments = 2, .out_of_order = 4, .held = 4, .held_flushed = 8 }, 0 },
	{ "gap never fills: held, inspected at flow end, counted", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 11, "kl", H_HELD, NULL, 0, 0 } },
	  4, "4:efgh;10:kl;", { .segments = 1, .out_of_order = 3, .held = 3, .gap = 2 }, 0 },
	{ "duplicate held segment and overlaps: first-arrived bytes win", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "EFGH", H_HELD, NULL, 0, 0 },
	    { 5, "efgh", H_HELD, NULL, 0, 0 },
	    { 7, "ghij", H_HELD, NULL, 0, 0 },
	    { 3, "cdxxxxyzKL", H_STREAM, "abcdEFGHijKL", 2, 0 } },
	  5, "", { .segments = 2, .out_of_order = 3, .held = 3, .overlap = 3, .held_flushed = 6, .overlap_diff = 3 },
	  SW_STREAM_POL_FIRST },
	{ "the same overlaps under bsd: a segment starting earlier wins", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "EFGH", H_HELD, NULL, 0, 0 },
	    { 5, "efgh", H_HELD, NULL, 0, 0 },   /* same start, same end: the held bytes stay */
	    { 7, "ghij", H_HELD, NULL, 0, 0 },   /* starts after: held GH stay, ij new */
	    { 3, "cdxxxxyzKL", H_STREAM, "abcdxxxxyzKL", 2, 0 } }, /* starts before all of them: its bytes */
	  5, "", { .segments = 2, .out_of_order = 3, .held = 3, .overlap = 3, .held_flushed = 6, .overlap_diff = 3 }, 0 },
	{ "retransmission of passed data while held", 50, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 1, "abcd", H_HELD, NULL, 0, 0 },   /* the same bytes: a view with nothing new */
	    { 3, "cdef", H_STREAM, "abcdefgh", 4, 0 } },
	  4, "", { .segments = 2, .out_of_order = 1, .held = 1, .retransmitted = 1, .overlap = 1, .held_flushed = 2 }, 0 },
	{ "sequence wrap-around past 2^32, reverse order", 0xfffffffaU, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 },
	    { 9, "ijkl", H_HELD, NULL, 0, 0 },   /* crosses 2^32 */
	    { 13, "mn", H_HELD, NULL, 0, 0 },
	    { 5, "efgh", H_STREAM, "abcdefghijklmn", 4, 0 } },
	  4, "", { .segments = 2, .out_of_order = 2, .held = 2, .held_flushed = 6 }, 0 },
	{ "pool exhausted: held bytes given up, segment alone, then resync", 50, 2 * SW_STREAM_UNIT_SIZE,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },           /* the directory and block 0 of seq 0..511 */
	    { 600, "ij", H_BARE, NULL, 0, 0 },         /* seq 650: block 1 needs a third unit */
	    { 11, "kl", H_STREAM, "kl", 0, 2 },
	    { 13, "mn", H_STREAM, "klmn", 2, 2 } },
	  5, "4:ef;", { .segments = 3, .out_of_order = 2, .held = 1, .memcap_drop = 1, .gap = 1, .resync = 1 }, 0 },
	{ "small segments share a block: no unit per segment", 50, 2 * SW_STREAM_UNIT_SIZE,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 9, "ij", H_HELD, NULL, 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 13, "mn", H_HELD, NULL, 0, 0 },
	    { 3, "cd", H_STREAM, "abcdefghij", 2, 0 } },
	  6, "12:mn;", { .segments = 2, .out_of_order = 4, .held = 4, .held_flushed = 6, .gap = 1 }, 0 },
	{ "past the held window: not held, segment alone", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 3 + SW_STREAM_HELD_MAX, "zz", H_BARE, NULL, 0, 0 } },
	  2, "", { .segments = 1, .out_of_order = 1, .memcap_drop = 1 }, 0 },
	{ "no pool memory at all: a gap desyncs as before", 50, 0,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_BARE, NULL, 0, 0 },
	    { 3, "cd", H_STREAM, "cd", 0, 2 } },
	  3, "", { .segments = 2, .out_of_order = 1, .memcap_drop = 1, .resync = 1 }, 0 },
};

static char gapbuf[256];

static void gap_cb(void *ctx, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base)
{
	size_t n = strlen(gapbuf);

	assert_ptr_equal(ctx, gapbuf);
	assert_non_null(f);
	assert_int_equal(dir, 0);
	snprintf(gapbuf + n, sizeof(gapbuf) - n, "%llu:%.*s;", (unsigned long long)base, (int)len, (const char *)data);
}

static void run_hcase(const struct hcase *c)
{
	static uint8_t tails[2 * HWIN];
	static uint8_t scratch[HWIN + SW_STREAM_HELD_MAX + 65535];
	struct sw_stream_pool *pool = sw_stream_pool_new(c->memcap, gap_cb, gapbuf);
	struct sw_stream_config cfg = { .midstream = true, .async_oneside = true, .policy = c->policy };
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	assert_non_null(pool);
	gapbuf[0] = 0;
	held_session(&f, &st, &p, tails);
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = c->isn;
	sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
	p.tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	for (int i = 0; i < c->n; i++) {
		const struct hseg *s = &c->s[i];

		print_message("  seg %d\n", i);
		p.tcp_seq = c->isn + s->seq;
		p.payload = (const uint8_t *)s->data;
		p.payload_len = (uint32_t)strlen(s->data);
		assert_int_equal(sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st), 0);
		switch (s->kind) {
		case H_HELD:
			assert_true(v.in_stream);
			assert_int_equal(v.len, 0);
			assert_int_equal(v.new_off, 0);
			break;
		case H_BARE:
			assert_false(v.in_stream);
			assert_ptr_equal(v.data, p.payload);
			assert_int_equal(v.len, p.payload_len);
			break;
		case H_STREAM:
			assert_true(v.in_stream);
			assert_int_equal(v.len, strlen(s->view));
			assert_memory_equal(v.data, s->view, v.len);
			assert_int_equal(v.new_off, s->new_off);
			assert_int_equal(v.base, s->base);
			break;
		}
	}
	sw_stream_flow_end(&f, pool, scratch, sizeof(scratch), &st);
	assert_string_equal(gapbuf, c->gaps);
	assert_null(f.stream[0].held);
	assert_int_equal(f.stream[0].held_bytes, 0);
	assert_int_equal(sw_stream_pool_memuse(pool), 0);
	assert_int_equal(st.segments, c->want.segments);
	assert_int_equal(st.retransmitted, c->want.retransmitted);
	assert_int_equal(st.overlap, c->want.overlap);
	assert_int_equal(st.out_of_order, c->want.out_of_order);
	assert_int_equal(st.resync, c->want.resync);
	assert_int_equal(st.held, c->want.held);
	assert_int_equal(st.held_flushed, c->want.held_flushed);
	assert_int_equal(st.memcap_drop, c->want.memcap_drop);
	assert_int_equal(st.gap, c->want.gap);
	assert_int_equal(st.overlap_diff, c->want.overlap_diff);
	sw_stream_pool_free(pool);
}

static void test_held_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		print_message("case %s\n", hcases[i].name);
		run_hcase(&hcases[i]);
	}
}

/* The byte at stream offset @off of the random stream below. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 2654435761u >> 13);
}

static uint64_t gap_bytes;

static void count_gap(void *ctx, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base)
{
	(void)ctx;
	(void)f;
	(void)dir;
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(data[i], pattern(base + i));
	gap_bytes += len;
}

/*
 * Fixed-seed random segments, in and out of order, duplicated and
 * overlapping, across the 2^32 wrap, every copy carrying the stream's true
 * bytes: every view is exactly the stream at its base, the new bytes of the
 * views cover the stream once and in order, and flow end returns every
 * unit to the pool.  Large segments exercise multi-block holds.
 */
static void test_random_held(void **state)
{
	static uint8_t tails[2 * HWIN];
	static uint8_t scratch[HWIN + SW_STREAM_HELD_MAX + 65535];
	static uint8_t seg[4096];
	struct sw_stream_pool *pool = sw_stream_pool_new(64 * SW_STREAM_UNIT_SIZE, count_gap, NULL);
	const uint32_t isn = 0xfffff000U;
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;
	uint64_t expect = 0;
	uint32_t x = 99;

	(void)state;
	assert_non_null(pool);
	/* segment-prealloc past the pool: capped (ASan), and no unit taken */
	sw_stream_pool_prefault(pool, 1000);
	sw_stream_pool_prefault(NULL, 1000);
	assert_int_equal(sw_stream_pool_memuse(pool), 0);
	held_session(&f, &st, &p, tails);
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = isn;
	sw_stream_packet(&p, HWIN, NULL, pool, scratch, sizeof(scratch), &v, &st);
	p.tcp_flags = SW_TCP_ACK;
	for (int i = 0; i < 20000; i++) {
		uint64_t off;
		uint32_t len;

		x = x * 1103515245u + 12345u;
		off = f.stream[0].stream_off + (x >> 8) % 6000;
		off = off > 3000 ? off - 3000 : 0;
		len = (x >> 20) % 8 == 0 ? (x >> 4) % 4096 : (x >> 4) % 200;
		for (uint32_t k = 0; k < len; k++)
			seg[k] = pattern(off + k);
		p.tcp_seq = isn + 1 + (uint32_t)off;
		p.payload = seg;
		p.payload_len = len;
		assert_int_equal(sw_stream_packet(&p, HWIN, NULL, pool, scratch, sizeof(scratch), &v, &st), 0);
		assert_true(f.stream[0].in_sync);
		assert_true(f.stream[0].held_bytes <= SW_STREAM_HELD_MAX);
		if (!v.in_stream)
			continue;
		for (uint32_t k = 0; k < v.len; k++)
			assert_int_equal(v.data[k], pattern(v.base + k));
		if (v.len > v.new_off) {
			assert_int_equal(v.base + v.new_off, expect);
			expect += v.len - v.new_off;
		}
	}
	assert_int_equal(expect, f.stream[0].stream_off);
	assert_true(st.held > 0 && st.held_flushed > 0 && st.overlap > 0 && st.retransmitted > 0);
	sw_stream_flow_end(&f, pool, scratch, sizeof(scratch), &st);
	assert_int_equal(sw_stream_pool_memuse(pool), 0);
	assert_int_equal(gap_bytes > 0, st.gap > 0);
	sw_stream_pool_free(pool);
}

/*
 * Many tiny held segments share blocks: 16000 one-byte segments, one every
 * other sequence number over 32000, fit in a pool of 66 units (the old
 * store pinned a 2 KiB chunk per segment), and the segment that fills every
 * gap takes them all in one view, held bytes winning.
 */
static void test_small_segments_share_units(void **state)
{
	static uint8_t tails[2 * HWIN];
	static uint8_t scratch[HWIN + SW_STREAM_HELD_MAX + 65535];
	static uint8_t fill[32001];
	struct sw_stream_pool *pool = sw_stream_pool_new(66 * SW_STREAM_UNIT_SIZE, NULL, NULL);
	/* first: the held single bytes survive the covering segment */
	const struct sw_stream_config cfg = { .midstream = true, .async_oneside = true, .policy = SW_STREAM_POL_FIRST };
	const uint32_t isn = 0xffffc000U; /* the held bytes cross 2^32 */
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	(void)state;
	assert_non_null(pool);
	held_session(&f, &st, &p, tails);
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = isn;
	sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
	p.tcp_flags = SW_TCP_ACK;
	p.payload = (const uint8_t *)"H";
	p.payload_len = 1;
	for (uint32_t i = 1; i <= 16000; i++) {
		p.tcp_seq = isn + 1 + 2 * i;
		assert_int_equal(sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st), 0);
		assert_true(v.in_stream);
		assert_int_equal(v.len, 0);
	}
	assert_int_equal(st.held, 16000);
	assert_int_equal(st.memcap_drop, 0);
	assert_int_equal(f.stream[0].held_bytes, 16000);
	assert_true(sw_stream_pool_memuse(pool) <= 65 * SW_STREAM_UNIT_SIZE);
	memset(fill, 'S', sizeof(fill));
	p.tcp_seq = isn + 1;
	p.payload = fill;
	p.payload_len = sizeof(fill);
	assert_int_equal(sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st), 0);
	assert_true(v.in_stream);
	assert_int_equal(v.len, sizeof(fill));
	assert_int_equal(v.new_off, 0);
	for (uint32_t k = 0; k < v.len; k++)
		assert_int_equal(v.data[k], k >= 2 && k % 2 == 0 ? 'H' : 'S');
	assert_int_equal(st.held_flushed, 16000);
	assert_int_equal(st.overlap, 1);
	assert_null(f.stream[0].held);
	assert_int_equal(sw_stream_pool_memuse(pool), 0);
	sw_stream_pool_free(pool);
}

/*
 * Overlap policies, byte-exact.  One earlier held segment L = "LLLL" at
 * relative seq 5..8 after a gap, then a new segment N of 'N's in one of
 * eight shapes, then the bytes before them fill the gap: the one view must
 * hold, over L's bytes, what each policy gives.  Per shape, per policy in
 * enum order (first last linux old-linux bsd bsd-right windows windows2k3
 * vista solaris hpux10 hpux11 irix macos): 'N' the new bytes win, 'L' the
 * old ones.  Written from Suricata's documented table (stream-tcp-list.c),
 * not from running this code.
 */
static const struct {
	const char *name;
	uint32_t seq, len;  /* N, relative */
	const char *who;
} pshapes[] = {
	{ "same start, ends inside", 5, 2, "LNLLLLLLLLLLLL" },
	{ "same start, same end", 5, 4, "LNLNLLLLLNLNLL" },
	{ "same start, ends after", 5, 6, "LNNNLLLLLNLNLL" },
	{ "starts before, ends inside", 3, 4, "LNNNNNNNLLNLNN" },
	{ "starts before, ends after", 3, 8, "LNNNNNNNLNNNNN" },
	{ "starts after, ends inside", 6, 2, "LNLLLLLLLLLLLL" },
	{ "starts after, same end", 6, 3, "LNLLLLLLLLLLLL" },
	{ "starts after, ends after", 7, 4, "LNLLLLLLLNLNLL" },
};

static void test_policies(void **state)
{
	static uint8_t tails[2 * HWIN];
	static uint8_t scratch[HWIN + SW_STREAM_HELD_MAX + 65535];
	static const char nnn[] = "NNNNNNNNNN", fill[] = "ffff";

	(void)state;
	for (size_t i = 0; i < sizeof(pshapes) / sizeof(pshapes[0]); i++) {
		for (int pol = SW_STREAM_POL_FIRST; pol < SW_STREAM_POL__COUNT; pol++) {
			struct sw_stream_pool *pool = sw_stream_pool_new(1 << 20, NULL, NULL);
			struct sw_stream_config cfg = { .midstream = true, .async_oneside = true, .policy = (uint8_t)pol };
			uint32_t start = pshapes[i].seq < 5 ? pshapes[i].seq : 5, end = pshapes[i].seq + pshapes[i].len;
			char want[32];
			struct sw_stream_stats st;
			struct sw_stream_view v;
			struct sw_packet p;
			struct sw_flow f;

			print_message("shape %s, policy %s\n", pshapes[i].name, sw_stream_policy_name(pol));
			assert_non_null(pool);
			held_session(&f, &st, &p, tails);
			p.to_server = true;
			p.tcp_flags = SW_TCP_SYN;
			p.tcp_seq = 1000;
			sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
			p.tcp_flags = SW_TCP_ACK;
			p.tcp_seq = 1005;
			p.payload = (const uint8_t *)"LLLL";
			p.payload_len = 4;
			sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
			p.tcp_seq = 1000 + pshapes[i].seq;
			p.payload = (const uint8_t *)nnn;
			p.payload_len = pshapes[i].len;
			sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
			assert_true(v.in_stream);
			assert_int_equal(v.len, 0);
			assert_int_equal(st.overlap_diff, 1);
			p.tcp_seq = 1001;
			p.payload = (const uint8_t *)fill;
			p.payload_len = start - 1;
			sw_stream_packet(&p, HWIN, &cfg, pool, scratch, sizeof(scratch), &v, &st);
			/* expected: f before the earliest held byte, then per byte N or L */
			memset(want, 0, sizeof(want));
			for (uint32_t k = 1; k < (end > 9 ? end : 9); k++) {
				bool in_l = k >= 5 && k < 9, in_n = k >= pshapes[i].seq && k < end;

				want[k - 1] = k < start ? 'f' : in_l && in_n ? pshapes[i].who[pol - 1] : in_l ? 'L' : 'N';
			}
			assert_true(v.in_stream);
			assert_int_equal(v.len, strlen(want));
			assert_memory_equal(v.data, want, v.len);
			sw_stream_flow_end(&f, pool, scratch, sizeof(scratch), &st);
			sw_stream_pool_free(pool);
		}
	}
}

/* Policy names and the host-os-policy lookup: longest prefix, bsd by default, bsd-right as bsd. */
static void test_policy_lookup(void **state)
{
	struct sw_stream_host_policy hosts[3];
	struct sw_stream_config cfg = { .hosts = hosts, .n_hosts = 3 };
	struct sw_ip a;

	(void)state;
	assert_int_equal(sw_stream_policy_parse("old-linux"), SW_STREAM_POL_OLD_LINUX);
	assert_int_equal(sw_stream_policy_parse("windows2k3"), SW_STREAM_POL_WINDOWS2K3);
	assert_int_equal(sw_stream_policy_parse("bogus"), -EINVAL);
	for (int i = SW_STREAM_POL_FIRST; i < SW_STREAM_POL__COUNT; i++)
		assert_int_equal(sw_stream_policy_parse(sw_stream_policy_name(i)), i);
	assert_int_equal(sw_cidr_parse("10.0.0.0/8", &hosts[0].net, &hosts[0].prefix), 0);
	hosts[0].policy = SW_STREAM_POL_WINDOWS;
	assert_int_equal(sw_cidr_parse("10.1.0.0/16", &hosts[1].net, &hosts[1].prefix), 0);
	hosts[1].policy = SW_STREAM_POL_LINUX;
	assert_int_equal(sw_cidr_parse("2001:db8::/32", &hosts[2].net, &hosts[2].prefix), 0);
	hosts[2].policy = SW_STREAM_POL_BSD_RIGHT;
	assert_int_equal(sw_ip_parse("10.1.2.3", &a), 0);
	assert_int_equal(sw_stream_policy_for(&cfg, &a), SW_STREAM_POL_LINUX);
	assert_int_equal(sw_ip_parse("10.2.2.3", &a), 0);
	assert_int_equal(sw_stream_policy_for(&cfg, &a), SW_STREAM_POL_WINDOWS);
	assert_int_equal(sw_ip_parse("192.0.2.1", &a), 0);
	assert_int_equal(sw_stream_policy_for(&cfg, &a), SW_STREAM_POL_BSD);
	assert_int_equal(sw_ip_parse("2001:db8::1", &a), 0);
	assert_int_equal(sw_stream_policy_for(&cfg, &a), SW_STREAM_POL_BSD);
	assert_int_equal(sw_stream_policy_for(NULL, &a), SW_STREAM_POL_BSD);
}

/* One in-order exchange for the tests below: returns the flow's view of each segment. */
struct tflow {
	struct sw_flow f;
	struct sw_packet p;
	struct sw_stream_stats st;
	struct sw_stream_view v;
	struct sw_stream_config cfg;
	uint8_t tails[2 * HWIN];
	uint8_t scratch[HWIN + SW_STREAM_HELD_MAX + 65535];
};

static void tf_init(struct tflow *t, uint8_t policy, bool handshake)
{
	memset(t, 0, sizeof(*t));
	t->cfg.policy = policy;
	t->cfg.midstream = true;
	t->cfg.async_oneside = true;
	t->f.stream[0].tail = t->tails;
	t->f.stream[1].tail = t->tails + HWIN;
	t->p.flow = &t->f;
	t->p.proto = 6;
	t->p.l4_ok = true;
	if (handshake) {
		t->p.to_server = true;
		t->p.tcp_flags = SW_TCP_SYN;
		t->p.tcp_seq = 0;
		sw_stream_packet(&t->p, HWIN, &t->cfg, NULL, t->scratch, sizeof(t->scratch), &t->v, &t->st);
		t->p.to_server = false;
		t->p.tcp_flags = SW_TCP_SYN | SW_TCP_ACK;
		t->p.tcp_seq = 5000;
		t->p.tcp_ack = 1;
		sw_stream_packet(&t->p, HWIN, &t->cfg, NULL, t->scratch, sizeof(t->scratch), &t->v, &t->st);
	}
}

static void tf_seg(struct tflow *t, bool ts, uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
	t->p.to_server = ts;
	t->p.tcp_flags = flags;
	t->p.tcp_seq = seq;
	t->p.tcp_ack = ack;
	t->p.payload = (const uint8_t *)data;
	t->p.payload_len = (uint32_t)strlen(data);
	assert_int_equal(sw_stream_packet(&t->p, HWIN, &t->cfg, NULL, t->scratch, sizeof(t->scratch), &t->v, &t->st),
			 0);
}

static void tf_view(const struct tflow *t, const char *view, uint32_t new_off)
{
	assert_true(t->v.in_stream);
	assert_int_equal(t->v.len, strlen(view));
	assert_memory_equal(t->v.data, view, t->v.len);
	assert_int_equal(t->v.new_off, new_off);
}

/*
 * Retransmissions of inspected, unacknowledged bytes: same bytes give
 * nothing new; different bytes are counted, and where the policy takes
 * them they are inspected again (new bytes from the first one replaced)
 * and kept in the tail; acknowledged bytes are never replaced.
 */
static void test_retransmission_policy(void **state)
{
	static struct tflow t;

	(void)state;
	/* bsd, same start same end: the old bytes stay (counted) */
	tf_init(&t, SW_STREAM_POL_BSD, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdefgh");
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdefgh");
	tf_view(&t, "", 0);
	assert_int_equal(t.st.overlap_diff, 0);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdEFgh");
	tf_view(&t, "", 0);
	assert_int_equal(t.st.overlap_diff, 1);
	tf_seg(&t, true, SW_TCP_ACK, 9, 5001, "ij");
	tf_view(&t, "abcdefghij", 8);
	/* old-linux, same start same end: the new bytes win, inspected from the first one replaced */
	tf_init(&t, SW_STREAM_POL_OLD_LINUX, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdefgh");
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdEFgh");
	tf_view(&t, "abcdEF", 4);
	assert_int_equal(t.st.overlap_diff, 1);
	tf_seg(&t, true, SW_TCP_ACK, 9, 5001, "ij");
	tf_view(&t, "abcdEFghij", 8); /* the tail carries what the receiver took */
	/* linux, same start and longer: the overlapped bytes are the new segment's, the rest appended */
	tf_init(&t, SW_STREAM_POL_LINUX, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcd");
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abXdef");
	tf_view(&t, "abXdef", 2);
	assert_int_equal(t.st.overlap_diff, 1);
	/* last, but acknowledged by the receiver first: it has the old bytes for good */
	tf_init(&t, SW_STREAM_POL_LAST, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcdefgh");
	tf_seg(&t, false, SW_TCP_ACK, 5001, 7, "");   /* acknowledges up to (not including) seq 7 */
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "ABCDEFGH");
	tf_view(&t, "abcdefGH", 6);
	assert_int_equal(t.st.overlap_diff, 1);
}

/* stream.midstream, stream.async-oneside and stream.reassembly.depth. */
static void test_session_settings(void **state)
{
	static struct tflow t;

	(void)state;
	/* no SYN: reassembled only with midstream */
	tf_init(&t, SW_STREAM_POL_BSD, false);
	t.cfg.midstream = false;
	t.cfg.async_oneside = false;
	tf_seg(&t, true, SW_TCP_ACK, 100, 1, "abcd");
	assert_false(t.v.in_stream);
	tf_seg(&t, true, SW_TCP_ACK, 104, 1, "efgh");
	assert_false(t.v.in_stream);
	assert_int_equal(t.st.not_reassembled, 2);
	/* a SYN and no SYN-ACK: only with async-oneside */
	tf_init(&t, SW_STREAM_POL_BSD, false);
	t.cfg.midstream = true;
	t.cfg.async_oneside = false;
	tf_seg(&t, true, SW_TCP_SYN, 0, 0, "");
	tf_seg(&t, true, SW_TCP_ACK, 1, 1, "abcd");
	assert_false(t.v.in_stream);
	t.cfg.async_oneside = true; /* from here on (the bare segment left no tail) */
	tf_seg(&t, true, SW_TCP_ACK, 5, 1, "efgh");
	tf_view(&t, "efgh", 0);
	/* depth 6: the segment crossing it is inspected up to it, nothing after; counted once */
	tf_init(&t, SW_STREAM_POL_BSD, true);
	t.cfg.depth = 6;
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcd");
	tf_seg(&t, true, SW_TCP_ACK, 5, 5001, "efgh");
	tf_view(&t, "abcdef", 4);
	assert_int_equal(t.st.depth_reached, 1);
	assert_true(t.f.stream[0].depth_reached);
	tf_seg(&t, true, SW_TCP_ACK, 9, 5001, "ijkl");
	tf_view(&t, "", 0);
	assert_int_equal(t.f.stream[0].next_seq, 13); /* still followed: RST and FIN checks need it */
	assert_int_equal(t.st.depth_reached, 1);
	/* the other direction has its own depth */
	tf_seg(&t, false, SW_TCP_ACK, 5001, 13, "xyz");
	tf_view(&t, "xyz", 0);
}

/* RST only at the exact next sequence number; FIN only in the window. */
static void test_rst_fin_ok(void **state)
{
	static struct tflow t;

	(void)state;
	tf_init(&t, SW_STREAM_POL_BSD, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcd");
	tf_seg(&t, false, SW_TCP_ACK, 5001, 5, "");
	assert_true(sw_stream_rst_ok(&t.f, 0, 5));
	assert_false(sw_stream_rst_ok(&t.f, 0, 6));   /* in window: challenge ACK only */
	assert_false(sw_stream_rst_ok(&t.f, 0, 4));
	assert_false(sw_stream_rst_ok(&t.f, 0, 0x80000000u));
	assert_true(sw_stream_fin_ok(&t.f, 0, 5, 0));
	assert_false(sw_stream_fin_ok(&t.f, 0, 1, 0)); /* before next_seq: old */
	t.p.tcp_win = 100;
	tf_seg(&t, false, SW_TCP_ACK, 5001, 5, "");
	assert_true(sw_stream_fin_ok(&t.f, 0, 50, 10));
	assert_false(sw_stream_fin_ok(&t.f, 0, 200, 0)); /* past the 100-byte window */
	/* after the sender's FIN, the FIN's own number too (Linux's tcp_reset_check) */
	assert_false(sw_stream_rst_ok(&t.f, 0, 4));
	tf_seg(&t, true, SW_TCP_ACK | SW_TCP_FIN, 5, 5001, "");
	assert_int_equal(t.f.stream[0].next_seq, 6);
	assert_true(sw_stream_rst_ok(&t.f, 0, 6));
	assert_true(sw_stream_rst_ok(&t.f, 0, 5));
	assert_false(sw_stream_rst_ok(&t.f, 0, 4));
	/* a keep-alive (the last byte again, any value) is no overlap */
	tf_init(&t, SW_STREAM_POL_BSD, true);
	tf_seg(&t, true, SW_TCP_ACK, 1, 5001, "abcd");
	tf_seg(&t, true, SW_TCP_ACK, 4, 5001, "");
	tf_seg(&t, true, SW_TCP_ACK, 4, 5001, "\x01");
	tf_view(&t, "", 0);
	assert_int_equal(t.st.overlap_diff, 0);
	/* never synced: nothing to judge by, honoured */
	assert_true(sw_stream_rst_ok(&t.f, 1, 12345) || t.f.stream[1].in_sync);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_wrap_seq_state),
		cmocka_unit_test(test_random_segments),
		cmocka_unit_test(test_held_cases),
		cmocka_unit_test(test_random_held),
		cmocka_unit_test(test_small_segments_share_units),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_policy_lookup),
		cmocka_unit_test(test_retransmission_policy),
		cmocka_unit_test(test_session_settings),
		cmocka_unit_test(test_rst_fin_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
