/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP stream tails: in order, split content, retransmission, overlap, gaps, wraparound, window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/flow.h"
#include "engine/stream.h"

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
		assert_int_equal(sw_stream_packet(&p, c->window, scratch, sizeof(scratch), &v, &st), 0);
		assert_false(v.in_stream);
		p.to_server = false;
		p.tcp_flags = SW_TCP_SYN | SW_TCP_ACK;
		p.tcp_seq = c->isn_s;
		p.tcp_ack = c->isn_c + 1;
		sw_stream_packet(&p, c->window, scratch, sizeof(scratch), &v, &st);
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
		assert_int_equal(sw_stream_packet(&p, c->window, scratch, sizeof(scratch), &v, &st), 0);
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
	sw_stream_packet(&p, WIN, scratch, sizeof(scratch), &v, &st);
	assert_int_equal(f.stream[0].isn, 0xffffffffU);
	assert_int_equal(f.stream[0].next_seq, 0); /* wrapped */
	p.tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	p.tcp_seq = 0;
	p.payload = (const uint8_t *)"xyz";
	p.payload_len = 3;
	sw_stream_packet(&p, WIN, scratch, sizeof(scratch), &v, &st);
	assert_true(v.in_stream);
	assert_int_equal(f.stream[0].next_seq, 3);
	assert_int_equal(f.stream[0].stream_off, 3);
	/* Not TCP or no flow: the bare payload, untouched state. */
	p.flow = NULL;
	sw_stream_packet(&p, WIN, scratch, sizeof(scratch), &v, &st);
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
		assert_int_equal(sw_stream_packet(&p, WIN, scratch, sizeof(scratch), &v, &st), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_wrap_seq_state),
		cmocka_unit_test(test_random_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
