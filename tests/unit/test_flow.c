/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flow table: direction, counters, TCP states, timeouts, eviction, ids, hash symmetry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/prefault.h"
#include "engine/flow/flow.h"

#define S 1000000LL /* usec per second */
#define T0 (1700000000LL * S)

enum { SYN = SW_TCP_SYN, ACK = SW_TCP_ACK, FIN = SW_TCP_FIN, RST = SW_TCP_RST, PSH = SW_TCP_PSH };

/* What the end callback saw. */
struct ended {
	int n;
	uint64_t id[64];
	enum sw_flow_end why[64];
	int64_t start[64];
};

static void on_end(void *ctx, struct sw_flow *f, enum sw_flow_end why)
{
	struct ended *e = ctx;

	if (e->n < 64) {
		e->id[e->n] = f->flow_id;
		e->why[e->n] = why;
		e->start[e->n] = f->start_usec;
	}
	e->n++;
}

static const struct sw_flow_config base_cfg = {
	.max_flows = 16,
	.hash_size = 16,
	.stream_window = 64,
	.tcp_new = 60, .tcp_est = 600, .tcp_closed = 10,
	.udp_new = 30, .udp_est = 300,
	.icmp_new = 20, .icmp_est = 200,
	.other_new = 25, .other_est = 250,
};

/* A decoded packet built by hand (no decoder needed). */
static struct sw_packet pkt(uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport,
			    uint8_t flags, int64_t ts, uint32_t wirelen)
{
	struct sw_packet p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(sw_ip_parse(src, &p.src), 0);
	assert_int_equal(sw_ip_parse(dst, &p.dst), 0);
	p.ip_ver = p.src.family == AF_INET ? 4 : 6;
	p.proto = proto;
	p.l4_ok = true;
	if (proto == 6 || proto == 17) {
		p.sport = sport;
		p.dport = dport;
	}
	p.tcp_flags = flags;
	p.ts_usec = ts;
	p.wirelen = p.caplen = wirelen;
	return p;
}

static struct sw_flow_table *table(const struct sw_flow_config *cfg, struct ended *e)
{
	struct sw_flow_table *t;

	memset(e, 0, sizeof(*e));
	t = sw_flow_table_new(cfg, on_end, e);
	assert_non_null(t);
	return t;
}

/* ---- direction ---- */

struct dir_case {
	const char *name;
	const char *a, *b;
	uint8_t proto, flags;
	bool want_to_server; /* first packet's direction */
	bool want_saw_syn;
	enum sw_tcp_state want_tcp;
};

static const struct dir_case dir_cases[] = {
	{ "syn first", "10.0.0.1", "10.0.0.2", 6, SYN, true, true, SW_TCP_SYN_SENT },
	{ "syn-ack first reverses", "10.0.0.1", "10.0.0.2", 6, SYN | ACK, false, true, SW_TCP_SYN_RECV },
	{ "tcp ack first (mid-stream)", "10.0.0.1", "10.0.0.2", 6, ACK | PSH, true, false, SW_TCP_NONE },
	{ "udp first packet", "10.0.0.1", "10.0.0.2", 17, 0, true, false, SW_TCP_NONE },
	{ "v6 syn first", "2001:db8::2", "2001:db8::1", 6, SYN, true, true, SW_TCP_SYN_SENT },
	{ "v6 syn-ack first reverses", "2001:db8::2", "2001:db8::1", 6, SYN | ACK, false, true, SW_TCP_SYN_RECV },
	{ "v6 udp first packet", "2001:db8::2", "2001:db8::1", 17, 0, true, false, SW_TCP_NONE },
};

static void test_direction(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dir_cases) / sizeof(dir_cases[0]); i++) {
		const struct dir_case *c = &dir_cases[i];
		struct ended e;
		struct sw_flow_table *t = table(&base_cfg, &e);
		struct sw_packet p = pkt(c->proto, c->a, 40000, c->b, 80, c->flags, T0, 60);
		struct sw_packet r = pkt(c->proto, c->b, 80, c->a, 40000, ACK, T0 + 1, 60);
		struct sw_flow *f = sw_flow_packet(t, &p);

		print_message("case %s\n", c->name);
		assert_non_null(f);
		assert_ptr_equal(p.flow, f);
		assert_int_equal(p.to_server, c->want_to_server);
		assert_int_equal(f->saw_syn, c->want_saw_syn);
		assert_int_equal(f->tcp_state, c->want_tcp);
		/* The client is the sender of to_server packets. */
		if (c->want_to_server) {
			assert_true(sw_ip_eq(&f->cli, &p.src));
			assert_int_equal(f->cli_port, 40000);
			assert_int_equal(f->srv_port, c->proto == 6 || c->proto == 17 ? 80 : 0);
		} else {
			assert_true(sw_ip_eq(&f->cli, &p.dst));
			assert_int_equal(f->cli_port, 80);
			assert_int_equal(f->srv_port, 40000);
		}
		assert_ptr_equal(sw_flow_packet(t, &r), f);
		assert_int_equal(r.to_server, !c->want_to_server);
		assert_int_equal(sw_flow_table_stats(t)->created, 1);
		sw_flow_table_flush(t, SW_FLOW_END_SHUTDOWN);
		sw_flow_table_free(t);
	}
}

static void test_not_ip(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	struct sw_packet p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_null(sw_flow_packet(t, &p));
	assert_null(p.flow);
	assert_int_equal(sw_flow_hash_packet(&p), 0);
	sw_flow_table_free(t);
}

/* ---- counters ---- */

static void test_counters(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	struct sw_packet a = pkt(6, "10.0.0.1", 1234, "10.0.0.2", 80, SYN, T0, 74);
	struct sw_packet b = pkt(6, "10.0.0.2", 80, "10.0.0.1", 1234, SYN | ACK, T0 + 100, 70);
	struct sw_packet c = pkt(6, "10.0.0.1", 1234, "10.0.0.2", 80, ACK | PSH, T0 + 200, 200);
	struct sw_flow *f;

	(void)state;
	f = sw_flow_packet(t, &a);
	sw_flow_packet(t, &b);
	sw_flow_packet(t, &c);
	assert_int_equal(f->pkts_ts, 2);
	assert_int_equal(f->pkts_tc, 1);
	assert_int_equal(f->bytes_ts, 274);
	assert_int_equal(f->bytes_tc, 70);
	assert_int_equal(f->start_usec, T0);
	assert_int_equal(f->last_usec, T0 + 200);
	assert_int_equal(f->tcp_flags_ts, SYN | ACK | PSH);
	assert_int_equal(f->tcp_flags_tc, SYN | ACK);
	assert_int_equal(sw_flow_table_stats(t)->active, 1);
	sw_flow_table_flush(t, SW_FLOW_END_SHUTDOWN);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.why[0], SW_FLOW_END_SHUTDOWN);
	assert_int_equal(sw_flow_table_stats(t)->ended_shutdown, 1);
	assert_int_equal(sw_flow_table_stats(t)->active, 0);
	sw_flow_table_free(t);
}

/* ---- TCP state machine: sequences of (direction, flags) ---- */

struct step {
	bool ts; /* client -> server */
	uint8_t flags;
	uint32_t payload;
	enum sw_tcp_state tcp;
	enum sw_flow_state flow;
};

struct tcp_case {
	const char *name;
	struct step s[8];
	int n;
};

#define N SW_FLOW_STATE_NEW
#define E SW_FLOW_STATE_ESTABLISHED
#define C SW_FLOW_STATE_CLOSED

static const struct tcp_case tcp_cases[] = {
	{ "handshake",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E } },
	  3 },
	{ "client closes first",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E }, { 1, FIN | ACK, 0, SW_TCP_CLOSE_WAIT, E },
	    { 0, FIN | ACK, 0, SW_TCP_LAST_ACK, C }, { 1, ACK, 0, SW_TCP_CLOSED, C } },
	  6 },
	{ "server closes first",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E }, { 0, FIN | ACK, 0, SW_TCP_FIN_WAIT1, E },
	    { 1, ACK, 0, SW_TCP_FIN_WAIT2, E }, { 1, FIN | ACK, 0, SW_TCP_TIME_WAIT, C },
	    { 0, ACK, 0, SW_TCP_CLOSED, C } },
	  7 },
	{ "rst",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, RST | ACK, 0, SW_TCP_CLOSED, C } },
	  2 },
	{ "rst after established",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E }, { 1, RST, 0, SW_TCP_CLOSED, C } },
	  4 },
	{ "mid-stream: a lone fin is not established",
	  { { 1, ACK | PSH, 10, SW_TCP_NONE, N }, { 1, FIN | ACK, 0, SW_TCP_NONE, N },
	    { 0, FIN | ACK, 0, SW_TCP_NONE, C } },
	  3 },
	{ "mid-stream: data both ways",
	  { { 1, ACK | PSH, 10, SW_TCP_NONE, N }, { 0, ACK, 0, SW_TCP_NONE, N },
	    { 0, ACK | PSH, 10, SW_TCP_ESTABLISHED, E } },
	  3 },
	/* a stray ACK of an old connection, then the client's real handshake: the session starts at the SYN */
	{ "stray ack before the syn",
	  { { 1, ACK, 0, SW_TCP_NONE, N }, { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E } },
	  4 },
	{ "syn on established is ignored",
	  { { 1, SYN, 0, SW_TCP_SYN_SENT, N }, { 0, SYN | ACK, 0, SW_TCP_SYN_RECV, N },
	    { 1, ACK, 0, SW_TCP_ESTABLISHED, E }, { 0, SYN, 0, SW_TCP_ESTABLISHED, E } },
	  4 },
};

static void test_tcp_states(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tcp_cases) / sizeof(tcp_cases[0]); i++) {
		const struct tcp_case *c = &tcp_cases[i];
		struct ended e;
		struct sw_flow_table *t = table(&base_cfg, &e);
		struct sw_flow *f = NULL;

		print_message("case %s\n", c->name);
		for (int j = 0; j < c->n; j++) {
			const struct step *s = &c->s[j];
			struct sw_packet p = s->ts ? pkt(6, "10.1.1.1", 5555, "10.2.2.2", 443, s->flags, T0 + j, 60)
						   : pkt(6, "10.2.2.2", 443, "10.1.1.1", 5555, s->flags, T0 + j, 60);
			struct sw_flow *g;

			p.payload_len = s->payload;
			g = sw_flow_packet(t, &p);
			if (f)
				assert_ptr_equal(g, f);
			f = g;
			assert_int_equal(p.to_server, s->ts);
			assert_int_equal(f->tcp_state, s->tcp);
			assert_int_equal(f->state, s->flow);
		}
		assert_int_equal(sw_flow_table_stats(t)->created, 1);
		if (!strcmp(c->name, "syn on established is ignored"))
			assert_int_equal(sw_flow_table_stats(t)->tcp_invalid, 1);
		if (!strcmp(c->name, "mid-stream: data both ways"))
			assert_int_equal(sw_flow_table_stats(t)->tcp_ssn_no_syn, 1);
		if (!strcmp(c->name, "stray ack before the syn")) {
			assert_true(f->saw_syn); /* the app layer treats it as a session with its handshake */
			assert_int_equal(sw_flow_table_stats(t)->tcp_invalid, 0);
		}
		sw_flow_table_free(t);
	}
}

/*
 * RST and FIN only where the receiver takes them (RFC 5961 3.2 for RST):
 * the stream stage's sequence numbers for the sender's direction decide.
 */
static void test_rst_fin_validation(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	struct sw_packet p;
	struct sw_flow *f;
	static const struct {
		bool ts;
		uint8_t flags;
		uint32_t seq;
		enum sw_tcp_state tcp;
		uint64_t ignored;
	} steps[] = {
		{ 1, RST, 1001, SW_TCP_ESTABLISHED, 1 },      /* in window, not exact: a challenge ACK, no close */
		{ 1, RST, 999, SW_TCP_ESTABLISHED, 2 },       /* before next_seq */
		{ 1, RST, 0x80001000u, SW_TCP_ESTABLISHED, 3 }, /* far out of window */
		{ 0, FIN | ACK, 9000 + 70000, SW_TCP_ESTABLISHED, 3 }, /* past the client's window */
		{ 0, FIN | ACK, 9000 + 100, SW_TCP_FIN_WAIT1, 3 }, /* in window */
		{ 1, RST | ACK, 1000, SW_TCP_CLOSED, 3 },     /* exactly next_seq: reset */
	};

	(void)state;
	p = pkt(6, "10.1.1.1", 5555, "10.2.2.2", 443, SYN, T0, 60);
	f = sw_flow_packet(t, &p);
	p = pkt(6, "10.2.2.2", 443, "10.1.1.1", 5555, SYN | ACK, T0 + 1, 60);
	sw_flow_packet(t, &p);
	p = pkt(6, "10.1.1.1", 5555, "10.2.2.2", 443, ACK, T0 + 2, 60);
	sw_flow_packet(t, &p);
	assert_int_equal(f->tcp_state, SW_TCP_ESTABLISHED);
	/* What stream.c would have tracked: next expected numbers and the client's window. */
	f->stream[0].in_sync = true;
	f->stream[0].next_seq = 1000;
	f->stream[1].in_sync = true;
	f->stream[1].next_seq = 9000;
	f->stream[1].win = 65535;
	f->stream[1].win_known = true;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		p = steps[i].ts ? pkt(6, "10.1.1.1", 5555, "10.2.2.2", 443, steps[i].flags, T0 + 3 + (int64_t)i, 60)
				: pkt(6, "10.2.2.2", 443, "10.1.1.1", 5555, steps[i].flags, T0 + 3 + (int64_t)i, 60);
		p.tcp_seq = steps[i].seq;
		print_message("step %zu\n", i);
		assert_ptr_equal(sw_flow_packet(t, &p), f);
		assert_int_equal(f->tcp_state, steps[i].tcp);
		assert_int_equal(sw_flow_table_stats(t)->tcp_rst_ignored, steps[i].ignored);
		assert_int_equal(f->state, steps[i].tcp == SW_TCP_CLOSED ? SW_FLOW_STATE_CLOSED : SW_FLOW_STATE_ESTABLISHED);
	}
	sw_flow_table_free(t);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sw_flow_state_name(SW_FLOW_STATE_NEW), "new");
	assert_string_equal(sw_flow_state_name(SW_FLOW_STATE_ESTABLISHED), "established");
	assert_string_equal(sw_flow_state_name(SW_FLOW_STATE_CLOSED), "closed");
	assert_string_equal(sw_tcp_state_name(SW_TCP_NONE), "none");
	assert_string_equal(sw_tcp_state_name(SW_TCP_SYN_SENT), "syn_sent");
	assert_string_equal(sw_tcp_state_name(SW_TCP_SYN_RECV), "syn_recv");
	assert_string_equal(sw_tcp_state_name(SW_TCP_ESTABLISHED), "established");
	assert_string_equal(sw_tcp_state_name(SW_TCP_FIN_WAIT1), "fin_wait1");
	assert_string_equal(sw_tcp_state_name(SW_TCP_FIN_WAIT2), "fin_wait2");
	assert_string_equal(sw_tcp_state_name(SW_TCP_TIME_WAIT), "time_wait");
	assert_string_equal(sw_tcp_state_name(SW_TCP_CLOSE_WAIT), "close_wait");
	assert_string_equal(sw_tcp_state_name(SW_TCP_LAST_ACK), "last_ack");
	assert_string_equal(sw_tcp_state_name(SW_TCP_CLOSING), "closing");
	assert_string_equal(sw_tcp_state_name(SW_TCP_CLOSED), "closed");
	assert_string_equal(sw_flow_end_name(SW_FLOW_END_TIMEOUT), "timeout");
	assert_string_equal(sw_flow_end_name(SW_FLOW_END_FORCED), "forced");
	assert_string_equal(sw_flow_end_name(SW_FLOW_END_SHUTDOWN), "shutdown");
}

/* ---- timeouts (packet time only) ---- */

struct to_case {
	const char *name;
	uint8_t proto;
	bool reply;       /* answer once, so the flow is established */
	bool close;       /* TCP: handshake then RST */
	int64_t timeout;  /* seconds the flow should live idle */
};

static const struct to_case to_cases[] = {
	{ "tcp new", 6, false, false, 60 },
	{ "tcp established", 6, true, false, 600 },
	{ "tcp closed", 6, true, true, 10 },
	{ "udp new", 17, false, false, 30 },
	{ "udp established", 17, true, false, 300 },
	{ "icmp new", 1, false, false, 20 },
	{ "icmp established", 1, true, false, 200 },
	{ "other new", 47, false, false, 25 },
	{ "other established", 47, true, false, 250 },
};

/* Drive one flow to the case's state; returns the time of its last packet. */
static int64_t drive(struct sw_flow_table *t, const struct to_case *c, struct sw_flow **fp)
{
	struct sw_packet a = pkt(c->proto, "192.0.2.1", 1000, "192.0.2.2", 2000, c->proto == 6 ? SYN : 0, T0, 60);
	struct sw_packet b = pkt(c->proto, "192.0.2.2", 2000, "192.0.2.1", 1000, SYN | ACK, T0 + S, 60);
	struct sw_packet d = pkt(c->proto, "192.0.2.1", 1000, "192.0.2.2", 2000, ACK, T0 + 2 * S, 60);
	struct sw_packet r = pkt(c->proto, "192.0.2.1", 1000, "192.0.2.2", 2000, RST, T0 + 3 * S, 60);
	int64_t last = T0;

	*fp = sw_flow_packet(t, &a);
	if (c->reply) {
		sw_flow_packet(t, &b);
		last = T0 + S;
		if (c->proto == 6) {
			sw_flow_packet(t, &d);
			last = T0 + 2 * S;
		}
	}
	if (c->close) {
		sw_flow_packet(t, &r);
		last = T0 + 3 * S;
	}
	return last;
}

static void test_timeout_on_lookup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(to_cases) / sizeof(to_cases[0]); i++) {
		const struct to_case *c = &to_cases[i];
		struct ended e;
		struct sw_flow_table *t = table(&base_cfg, &e);
		struct sw_flow *f;
		int64_t last = drive(t, c, &f);
		uint64_t id = f->flow_id;
		struct sw_packet q = pkt(c->proto, "192.0.2.1", 1000, "192.0.2.2", 2000, ACK, last + c->timeout * S, 60);
		struct sw_packet z;

		print_message("case %s\n", c->name);
		/* Exactly at the timeout: still the same flow. */
		assert_ptr_equal(sw_flow_packet(t, &q), f);
		assert_int_equal(f->flow_id, id);
		assert_int_equal(e.n, 0);
		sw_flow_table_free(t);

		/* Fresh table: the packet after the idle timeout starts over. */
		t = table(&base_cfg, &e);
		last = drive(t, c, &f);
		id = f->flow_id;
		z = pkt(c->proto, "192.0.2.1", 1000, "192.0.2.2", 2000, ACK, last + c->timeout * S + 1, 60);
		assert_non_null(sw_flow_packet(t, &z));
		assert_int_equal(e.n, 1);
		assert_int_equal(e.why[0], SW_FLOW_END_TIMEOUT);
		assert_int_equal(e.id[0], id);
		assert_int_not_equal(z.flow->flow_id, id);
		assert_int_equal(z.flow->start_usec, z.ts_usec);
		assert_int_equal(sw_flow_table_stats(t)->ended_timeout, 1);
		assert_int_equal(sw_flow_table_stats(t)->created, 2);
		sw_flow_table_free(t);
	}
}

static void test_expire(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(to_cases) / sizeof(to_cases[0]); i++) {
		const struct to_case *c = &to_cases[i];
		struct ended e;
		struct sw_flow_table *t = table(&base_cfg, &e);
		struct sw_flow *f;
		int64_t last = drive(t, c, &f);

		print_message("case %s\n", c->name);
		sw_flow_table_expire(t, last + c->timeout * S);
		assert_int_equal(e.n, 0);
		assert_int_equal(sw_flow_table_stats(t)->active, 1);
		sw_flow_table_expire(t, last + c->timeout * S + 1);
		assert_int_equal(e.n, 1);
		assert_int_equal(e.why[0], SW_FLOW_END_TIMEOUT);
		assert_int_equal(sw_flow_table_stats(t)->active, 0);
		assert_int_equal(sw_flow_table_stats(t)->ended_timeout, 1);
		sw_flow_table_free(t);
	}
}

/* Expiry walks each class from its oldest end and stops: younger flows stay. */
static void test_expire_partial(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	char dst[32];

	(void)state;
	for (int i = 0; i < 10; i++) {
		struct sw_packet p;

		snprintf(dst, sizeof(dst), "10.9.0.%d", i + 1);
		p = pkt(17, "10.8.0.1", 53, dst, 5300, 0, T0 + i * S, 80);
		assert_non_null(sw_flow_packet(t, &p));
	}
	/* udp_new = 30 s: flows started at T0..T0+4s are idle > 30s at T0+34s+1. */
	sw_flow_table_expire(t, T0 + 34 * S + 1);
	assert_int_equal(e.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(e.start[i], T0 + i * S);
	assert_int_equal(sw_flow_table_stats(t)->active, 5);
	sw_flow_table_free(t);
}

/* ---- eviction ---- */

static void test_eviction(void **state)
{
	struct sw_flow_config cfg = base_cfg;
	struct ended e;
	struct sw_flow_table *t;
	struct sw_flow *first = NULL;
	uint64_t first_id = 0;
	char src[32];

	(void)state;
	cfg.max_flows = 4;
	t = table(&cfg, &e);
	for (int i = 0; i < 4; i++) {
		struct sw_packet p;

		snprintf(src, sizeof(src), "10.3.0.%d", i + 1);
		p = pkt(17, src, 1000, "10.4.0.1", 53, 0, T0 + i, 80);
		sw_flow_packet(t, &p);
		if (i == 0) {
			first = p.flow;
			first_id = p.flow->flow_id;
		}
	}
	/* Touch flow 0 so flow 1 becomes the least recently used. */
	{
		struct sw_packet p = pkt(17, "10.4.0.1", 53, "10.3.0.1", 1000, 0, T0 + 10, 80);

		assert_ptr_equal(sw_flow_packet(t, &p), first);
	}
	{
		struct sw_packet p = pkt(17, "10.3.0.9", 1000, "10.4.0.1", 53, 0, T0 + 20, 80);

		assert_non_null(sw_flow_packet(t, &p));
	}
	assert_int_equal(e.n, 1);
	assert_int_equal(e.why[0], SW_FLOW_END_FORCED);
	assert_int_equal(e.start[0], T0 + 1);
	assert_int_equal(sw_flow_table_stats(t)->ended_forced, 1);
	assert_int_equal(sw_flow_table_stats(t)->active, 4);
	assert_int_equal(first->flow_id, first_id); /* survived */
	sw_flow_table_free(t);
}

/* ---- ids and hashing ---- */

static void test_flow_id_stable(void **state)
{
	struct ended e1, e2;
	struct sw_flow_table *t1 = table(&base_cfg, &e1), *t2 = table(&base_cfg, &e2);
	struct sw_packet a = pkt(6, "10.0.0.1", 1111, "10.0.0.2", 22, SYN, T0, 60);
	struct sw_packet b = pkt(6, "10.0.0.2", 22, "10.0.0.1", 1111, SYN | ACK, T0 + 5, 60);
	struct sw_packet c = pkt(6, "10.0.0.1", 1111, "10.0.0.2", 22, SYN, T0 + 1, 60);
	struct sw_flow *f1, *f2;

	(void)state;
	f1 = sw_flow_packet(t1, &a);
	assert_ptr_equal(sw_flow_packet(t1, &b), f1);
	/* Another table (another worker, another run): same key + start, same id. */
	f2 = sw_flow_packet(t2, &a);
	assert_int_equal(f1->flow_id, f2->flow_id);
	assert_int_not_equal(f1->flow_id, 0);
	assert_true(f1->flow_id < (UINT64_C(1) << 53));
	sw_flow_table_free(t2);
	/* Same key, different start: different id. */
	t2 = table(&base_cfg, &e2);
	f2 = sw_flow_packet(t2, &c);
	assert_int_not_equal(f1->flow_id, f2->flow_id);
	sw_flow_table_free(t1);
	sw_flow_table_free(t2);
}

struct hash_case {
	uint8_t proto;
	const char *a, *b;
	uint16_t ap, bp;
};

static const struct hash_case hash_cases[] = {
	{ 6, "10.0.0.1", "10.0.0.2", 40000, 80 },
	{ 6, "10.0.0.2", "10.0.0.1", 80, 80 },
	{ 17, "192.168.1.1", "8.8.8.8", 5353, 53 },
	{ 6, "2001:db8::1", "2001:db8::2", 51000, 443 },
	{ 17, "fe80::1", "ff02::fb", 5353, 5353 },
	{ 47, "2001:db8::a", "2001:db8::b", 0, 0 },
};

static void test_hash_symmetry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hash_cases) / sizeof(hash_cases[0]); i++) {
		const struct hash_case *c = &hash_cases[i];
		struct sw_packet x = pkt(c->proto, c->a, c->ap, c->b, c->bp, 0, T0, 60);
		struct sw_packet y = pkt(c->proto, c->b, c->bp, c->a, c->ap, 0, T0, 60);
		struct sw_packet z = pkt(c->proto, c->a, (uint16_t)(c->ap + 1), c->b, c->bp, 0, T0, 60);

		assert_int_equal(sw_flow_hash_packet(&x), sw_flow_hash_packet(&y));
		if (c->proto == 6 || c->proto == 17)
			assert_int_not_equal(sw_flow_hash_packet(&x), sw_flow_hash_packet(&z));
		else /* no ports: a port value must not split the flow */
			assert_int_equal(sw_flow_hash_packet(&x), sw_flow_hash_packet(&z));
		x.vlan_count = y.vlan_count = 1;
		x.vlan[0] = y.vlan[0] = 100;
		assert_int_equal(sw_flow_hash_packet(&x), sw_flow_hash_packet(&y));
		y.vlan[0] = 101;
		assert_int_not_equal(sw_flow_hash_packet(&x), sw_flow_hash_packet(&y));
	}
}

static void test_icmp_echo_one_flow(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	struct sw_packet req = pkt(1, "10.0.0.1", 0, "10.0.0.2", 0, 0, T0, 98);
	struct sw_packet rep = pkt(1, "10.0.0.2", 0, "10.0.0.1", 0, 0, T0 + 10, 98);
	struct sw_packet other = pkt(1, "10.0.0.1", 0, "10.0.0.2", 0, 0, T0 + 20, 98);
	struct sw_flow *f;

	(void)state;
	req.icmp_type = 8;
	rep.icmp_type = 0;
	req.icmp_has_id = rep.icmp_has_id = other.icmp_has_id = true;
	req.icmp_id = rep.icmp_id = 77;
	other.icmp_id = 78;
	assert_int_equal(sw_flow_hash_packet(&req), sw_flow_hash_packet(&rep));
	f = sw_flow_packet(t, &req);
	assert_ptr_equal(sw_flow_packet(t, &rep), f);
	assert_false(rep.to_server);
	assert_int_equal(f->state, SW_FLOW_STATE_ESTABLISHED);
	assert_int_equal(f->cli_port, 0);
	assert_int_equal(f->srv_port, 0);
	assert_ptr_not_equal(sw_flow_packet(t, &other), f); /* another echo id */
	assert_int_equal(sw_flow_table_stats(t)->created, 2);
	sw_flow_table_free(t);
}

static void test_port_reuse(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	static const struct {
		bool ts;
		uint8_t flags;
	} seq[] = { { 1, SYN }, { 0, SYN | ACK }, { 1, ACK }, { 1, FIN | ACK }, { 0, FIN | ACK }, { 1, ACK } };
	struct sw_flow *f = NULL;
	uint64_t id;
	struct sw_packet s2;

	(void)state;
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct sw_packet p = seq[i].ts ? pkt(6, "10.0.0.1", 3333, "10.0.0.2", 25, seq[i].flags, T0 + i, 60)
					       : pkt(6, "10.0.0.2", 25, "10.0.0.1", 3333, seq[i].flags, T0 + i, 60);
		f = sw_flow_packet(t, &p);
	}
	assert_int_equal(f->state, SW_FLOW_STATE_CLOSED);
	id = f->flow_id;
	s2 = pkt(6, "10.0.0.1", 3333, "10.0.0.2", 25, SYN, T0 + 100, 60);
	f = sw_flow_packet(t, &s2);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.id[0], id);
	assert_int_not_equal(f->flow_id, id);
	assert_int_equal(f->tcp_state, SW_TCP_SYN_SENT);
	assert_int_equal(f->pkts_ts, 1);
	assert_int_equal(sw_flow_table_stats(t)->created, 2);
	sw_flow_table_free(t);
}

/* Flush order: start time, then flow_id; independent of insertion order. */
static void test_flush_order(void **state)
{
	struct ended e;
	struct sw_flow_table *t = table(&base_cfg, &e);
	static const int64_t starts[] = { 5, 1, 3, 1, 4 };
	char src[32];

	(void)state;
	for (int i = 0; i < 5; i++) {
		struct sw_packet p;

		snprintf(src, sizeof(src), "10.7.0.%d", i + 1);
		p = pkt(17, src, 1, "10.7.1.1", 2, 0, T0 + starts[i], 60);
		sw_flow_packet(t, &p);
	}
	sw_flow_table_flush(t, SW_FLOW_END_SHUTDOWN);
	assert_int_equal(e.n, 5);
	for (int i = 1; i < 5; i++) {
		assert_true(e.start[i - 1] <= e.start[i]);
		if (e.start[i - 1] == e.start[i])
			assert_true(e.id[i - 1] < e.id[i]);
	}
	assert_int_equal(sw_flow_table_stats(t)->ended_shutdown, 5);
	sw_flow_table_free(t);
}

/*
 * A fixed-seed random mix of packets, expiry and timestamps on a tiny pool
 * (so eviction, timeouts and reuse all happen): the books must balance and
 * every packet must land on a flow with its own key.
 */
static void random_run(uint32_t prealloc)
{
	struct sw_flow_config cfg = base_cfg;
	struct ended e;
	struct sw_flow_table *t;
	const struct sw_flow_stats *st;
	uint32_t x = 42;
	int64_t now = T0;
	char a[32], b[32];

	cfg.max_flows = 8;
	cfg.hash_size = 4;
	cfg.prealloc = prealloc;
	t = table(&cfg, &e);
	st = sw_flow_table_stats(t);
	for (int i = 0; i < 20000; i++) {
		struct sw_packet p;
		static const uint8_t protos[] = { 6, 6, 17, 1, 58, 47 };
		uint8_t proto;

		x = x * 1103515245u + 12345u;
		proto = protos[(x >> 8) % 6];
		snprintf(a, sizeof(a), proto == 58 ? "2001:db8::%u" : "10.0.0.%u", (x >> 12) % 4 + 1);
		snprintf(b, sizeof(b), proto == 58 ? "2001:db8::%u" : "10.0.0.%u", (x >> 14) % 4 + 1);
		now += (int64_t)((x >> 16) % 5000) * 1000; /* up to 5 s per packet */
		p = pkt(proto, a, (uint16_t)(1000 + (x >> 18) % 3), b, (uint16_t)(1000 + (x >> 20) % 3),
			(uint8_t)(x >> 22), now, 60 + (x >> 24) % 100);
		if (proto == 1 || proto == 58) {
			p.icmp_has_id = x & 1;
			p.icmp_id = (uint16_t)(x >> 3) % 3;
		}
		p.payload_len = (x >> 26) & 1 ? 10 : 0;
		assert_non_null(sw_flow_packet(t, &p));
		assert_int_equal(p.flow->proto, proto);
		assert_true(sw_ip_eq(p.to_server ? &p.flow->cli : &p.flow->srv, &p.src));
		assert_true(sw_ip_eq(p.to_server ? &p.flow->srv : &p.flow->cli, &p.dst));
		assert_true(p.flow->last_usec >= p.flow->start_usec);
		if ((x >> 5) % 16 == 0)
			sw_flow_table_expire(t, now);
		assert_true(st->active <= cfg.max_flows);
		assert_int_equal(st->created - st->ended_timeout - st->ended_forced - st->ended_shutdown, st->active);
		assert_int_equal((uint64_t)e.n, st->ended_timeout + st->ended_forced + st->ended_shutdown);
	}
	assert_true(st->ended_forced > 0);
	assert_true(st->ended_timeout > 0);
	sw_flow_table_flush(t, SW_FLOW_END_SHUTDOWN);
	assert_int_equal(st->active, 0);
	assert_int_equal((uint64_t)e.n, st->created);
	sw_flow_table_free(t);
}

/*
 * Random traffic through a small table, flow.prealloc none, inside the
 * pool and past it (capped at max_flows: ASan flags a prefault past the
 * pool or its tails).
 */
static void test_random_invariants(void **state)
{
	static const uint32_t preallocs[] = { 0, 3, 1000 };

	(void)state;
	for (size_t i = 0; i < sizeof(preallocs) / sizeof(preallocs[0]); i++)
		random_run(preallocs[i]);
}

/*
 * common/prefault.h, which flow.prealloc relies on: every page the range
 * touches becomes resident (the stores are not optimised away), no other.
 */
static void test_prefault_resident(void **state)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = 16;
	unsigned char vec[16];
	unsigned char *m = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(m != MAP_FAILED);
	assert_int_equal(mincore(m, n * pg, vec), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vec[i] & 1, 0);
	/* from inside page 1 to one byte into page 5 */
	sw_prefault(m + pg + 100, 4 * pg - 99);
	assert_int_equal(mincore(m, n * pg, vec), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vec[i] & 1, i >= 1 && i <= 5);
	assert_int_equal(m[pg + 100], 0);
	assert_int_equal(m[5 * pg], 0);
	sw_prefault(m, 0); /* nothing */
	assert_int_equal(mincore(m, pg, vec), 0);
	assert_int_equal(vec[0] & 1, 0);
	munmap(m, n * pg);
}

/* Interim records: a long-lived flow is reported every interval, cumulative, without ending. */
static void test_interim(void **state)
{
	struct sw_flow_config cfg = base_cfg;
	struct ended e;
	struct sw_flow_table *t;
	struct sw_packet p;
	struct sw_flow *f;
	(void)state;

	cfg.interim_interval = 60;
	t = table(&cfg, &e);
	/* A UDP conversation with a packet every 10 s for 200 s: never idle long enough to time out. */
	for (int s = 0; s <= 200; s += 10) {
		p = pkt(17, "10.0.0.1", 5000, "10.0.0.2", 53, 0, T0 + s * S, 100);
		f = sw_flow_packet(t, &p);
		assert_non_null(f);
		sw_flow_table_expire(t, T0 + s * S);
		sw_flow_table_interim(t, T0 + s * S);
	}
	/* Interim at 60, 120 and 180 s; the flow is still open and counted whole. */
	assert_int_equal(e.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(e.why[i], SW_FLOW_END_INTERIM);
		assert_int_equal(e.id[i], f->flow_id);
	}
	assert_int_equal(sw_flow_table_stats(t)->active, 1);
	assert_int_equal(f->pkts_ts, 21);
	sw_flow_table_flush(t, SW_FLOW_END_SHUTDOWN);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.why[3], SW_FLOW_END_SHUTDOWN);
	assert_string_equal(sw_flow_end_name(SW_FLOW_END_INTERIM), "interim");
	sw_flow_table_free(t);

	/* Off by default: no interim records at all. */
	t = table(&base_cfg, &e);
	p = pkt(17, "10.0.0.1", 5000, "10.0.0.2", 53, 0, T0, 100);
	sw_flow_packet(t, &p);
	sw_flow_table_interim(t, T0 + 1000 * S);
	assert_int_equal(e.n, 0);
	sw_flow_table_free(t);
}

static void test_bad_config(void **state)
{
	struct sw_flow_config cfg = base_cfg;

	(void)state;
	cfg.max_flows = 0;
	errno = 0;
	assert_null(sw_flow_table_new(&cfg, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	sw_flow_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_rst_fin_validation),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_timeout_on_lookup),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_expire_partial),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_flow_id_stable),
		cmocka_unit_test(test_hash_symmetry),
		cmocka_unit_test(test_icmp_echo_one_flow),
		cmocka_unit_test(test_port_reuse),
		cmocka_unit_test(test_flush_order),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test(test_prefault_resident),
		cmocka_unit_test(test_interim),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
