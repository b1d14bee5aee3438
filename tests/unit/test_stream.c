/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP stream tails: in order, split content, retransmission, overlap, gaps, wraparound, window;
 * held out-of-order segments: reverse order, gaps that never fill, first-arrived overlaps, pool limits.
 */
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
	    { 1, 0x18, 1, "abcd", false, "abcd", 0, 0 },
	    { 1, 0x18, 3, "cd", false, "cd", 0, 0 },
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
	    { 1, 0x18, 3, "cd", false, "cd", 0, 0 },
	    { 1, 0x18, 9, "ij", true, "abcdefghij", 8, 0 } },
	  4, { .segments = 3, .retransmitted = 1 } },
	{ "mid-stream pickup", 7777, 8888, false, WIN,
	  { { 1, 0x18, 10, "hello", true, "hello", 0, 0 },
	    { 1, 0x18, 15, "world", true, "helloworld", 5, 0 } },
	  2, { .segments = 2, .midstream = 1 } },
	{ "fin takes a sequence number", 10, 20, true, WIN,
	  { { 1, 0x19, 1, "ab", true, "ab", 0, 0 },
	    { 1, 0x18, 3, "x", false, "x", 0, 0 } },
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
		assert_int_equal(sw_stream_packet(&p, c->window, NULL, scratch, sizeof(scratch), &v, &st), 0);
		assert_false(v.in_stream);
		p.to_server = false;
		p.tcp_flags = SW_TCP_SYN | SW_TCP_ACK;
		p.tcp_seq = c->isn_s;
		p.tcp_ack = c->isn_c + 1;
		sw_stream_packet(&p, c->window, NULL, scratch, sizeof(scratch), &v, &st);
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
		assert_int_equal(sw_stream_packet(&p, c->window, NULL, scratch, sizeof(scratch), &v, &st), 0);
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
	sw_stream_packet(&p, WIN, NULL, scratch, sizeof(scratch), &v, &st);
	assert_int_equal(f.stream[0].isn, 0xffffffffU);
	assert_int_equal(f.stream[0].next_seq, 0); /* wrapped */
	p.tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	p.tcp_seq = 0;
	p.payload = (const uint8_t *)"xyz";
	p.payload_len = 3;
	sw_stream_packet(&p, WIN, NULL, scratch, sizeof(scratch), &v, &st);
	assert_true(v.in_stream);
	assert_int_equal(f.stream[0].next_seq, 3);
	assert_int_equal(f.stream[0].stream_off, 3);
	/* Not TCP or no flow: the bare payload, untouched state. */
	p.flow = NULL;
	sw_stream_packet(&p, WIN, NULL, scratch, sizeof(scratch), &v, &st);
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
		assert_int_equal(sw_stream_packet(&p, WIN, NULL, scratch, sizeof(scratch), &v, &st), 0);
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
};

static const struct hcase hcases[] = {
	{ "in order: unchanged", 1000, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 }, { 5, "efgh", H_STREAM, "abcdefgh", 4, 0 } },
	  2, "", { .segments = 2 } },
	{ "reverse order of 2: one view, split content whole", 1000, 1 << 20,
	  { { 1, "GET ", H_STREAM, "GET ", 0, 0 },
	    { 9, "l.php", H_HELD, NULL, 0, 0 },
	    { 5, "/evi", H_STREAM, "GET /evil.php", 4, 0 },
	    { 14, "!", H_STREAM, "GET /evil.php!", 13, 0 } },
	  4, "", { .segments = 3, .out_of_order = 1, .held = 1, .held_flushed = 5 } },
	{ "reverse order of 5", 7, 1 << 20,
	  { { 9, "ij", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 3, "cd", H_HELD, NULL, 0, 0 },
	    { 1, "ab", H_STREAM, "abcdefghij", 0, 0 },
	    { 11, "kl", H_STREAM, "abcdefghijkl", 10, 0 } },
	  6, "", { .segments = 2, .out_of_order = 4, .held = 4, .held_flushed = 8 } },
	{ "gap never fills: held, inspected at flow end, counted", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 11, "kl", H_HELD, NULL, 0, 0 } },
	  4, "4:efgh;10:kl;", { .segments = 1, .out_of_order = 3, .held = 3, .gap = 2 } },
	{ "duplicate held segment and overlaps: first-arrived bytes win", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "EFGH", H_HELD, NULL, 0, 0 },
	    { 5, "efgh", H_HELD, NULL, 0, 0 },
	    { 7, "ghij", H_HELD, NULL, 0, 0 },
	    { 3, "cdxxxxyzKL", H_STREAM, "abcdEFGHijKL", 2, 0 } },
	  5, "", { .segments = 2, .out_of_order = 3, .held = 3, .overlap = 3, .held_flushed = 6 } },
	{ "retransmission of passed data while held", 50, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 1, "abcd", H_BARE, NULL, 0, 0 },
	    { 3, "cdef", H_STREAM, "abcdefgh", 4, 0 } },
	  4, "", { .segments = 2, .out_of_order = 1, .held = 1, .retransmitted = 1, .overlap = 1, .held_flushed = 2 } },
	{ "sequence wrap-around past 2^32, reverse order", 0xfffffffaU, 1 << 20,
	  { { 1, "abcd", H_STREAM, "abcd", 0, 0 },
	    { 9, "ijkl", H_HELD, NULL, 0, 0 },   /* crosses 2^32 */
	    { 13, "mn", H_HELD, NULL, 0, 0 },
	    { 5, "efgh", H_STREAM, "abcdefghijklmn", 4, 0 } },
	  4, "", { .segments = 2, .out_of_order = 2, .held = 2, .held_flushed = 6 } },
	{ "pool exhausted: held bytes given up, segment alone, then resync", 50, 2 * SW_STREAM_UNIT_SIZE,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },           /* the directory and block 0 of seq 0..511 */
	    { 600, "ij", H_BARE, NULL, 0, 0 },         /* seq 650: block 1 needs a third unit */
	    { 11, "kl", H_STREAM, "kl", 0, 2 },
	    { 13, "mn", H_STREAM, "klmn", 2, 2 } },
	  5, "4:ef;", { .segments = 3, .out_of_order = 2, .held = 1, .memcap_drop = 1, .gap = 1, .resync = 1 } },
	{ "small segments share a block: no unit per segment", 50, 2 * SW_STREAM_UNIT_SIZE,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 9, "ij", H_HELD, NULL, 0, 0 },
	    { 5, "ef", H_HELD, NULL, 0, 0 },
	    { 7, "gh", H_HELD, NULL, 0, 0 },
	    { 13, "mn", H_HELD, NULL, 0, 0 },
	    { 3, "cd", H_STREAM, "abcdefghij", 2, 0 } },
	  6, "12:mn;", { .segments = 2, .out_of_order = 4, .held = 4, .held_flushed = 6, .gap = 1 } },
	{ "past the held window: not held, segment alone", 50, 1 << 20,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 3 + SW_STREAM_HELD_MAX, "zz", H_BARE, NULL, 0, 0 } },
	  2, "", { .segments = 1, .out_of_order = 1, .memcap_drop = 1 } },
	{ "no pool memory at all: a gap desyncs as before", 50, 0,
	  { { 1, "ab", H_STREAM, "ab", 0, 0 },
	    { 5, "ef", H_BARE, NULL, 0, 0 },
	    { 3, "cd", H_STREAM, "cd", 0, 2 } },
	  3, "", { .segments = 2, .out_of_order = 1, .memcap_drop = 1, .resync = 1 } },
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
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	assert_non_null(pool);
	gapbuf[0] = 0;
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + HWIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = c->isn;
	sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st);
	p.tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	for (int i = 0; i < c->n; i++) {
		const struct hseg *s = &c->s[i];

		print_message("  seg %d\n", i);
		p.tcp_seq = c->isn + s->seq;
		p.payload = (const uint8_t *)s->data;
		p.payload_len = (uint32_t)strlen(s->data);
		assert_int_equal(sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st), 0);
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
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + HWIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = isn;
	sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st);
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
		assert_int_equal(sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st), 0);
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
	const uint32_t isn = 0xffffc000U; /* the held bytes cross 2^32 */
	struct sw_flow f;
	struct sw_stream_stats st;
	struct sw_packet p;
	struct sw_stream_view v;

	(void)state;
	assert_non_null(pool);
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + HWIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	p.to_server = true;
	p.tcp_flags = SW_TCP_SYN;
	p.tcp_seq = isn;
	sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st);
	p.tcp_flags = SW_TCP_ACK;
	p.payload = (const uint8_t *)"H";
	p.payload_len = 1;
	for (uint32_t i = 1; i <= 16000; i++) {
		p.tcp_seq = isn + 1 + 2 * i;
		assert_int_equal(sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st), 0);
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
	assert_int_equal(sw_stream_packet(&p, HWIN, pool, scratch, sizeof(scratch), &v, &st), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_wrap_seq_state),
		cmocka_unit_test(test_random_segments),
		cmocka_unit_test(test_held_cases),
		cmocka_unit_test(test_random_held),
		cmocka_unit_test(test_small_segments_share_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
