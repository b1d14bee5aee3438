/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The application layer end to end below the worker: protocol detection on
 * a flow's first bytes (engine/app/app.c + probe.c), HTTP parsing (http.c,
 * the real libhtp), stage events, and transaction rules evaluated on them
 * (engine/detect: sw_detect_tx, per-buffer Hyperscan databases, verification
 * per buffer list), and DNS over UDP with the Suricata 8 DNS keywords.  A
 * flow and its stream views are built by hand, as the flow table and the
 * stream would hand them to sw_app_tcp() / sw_app_udp().
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/app/app.h"
#include "engine/detect/detect.h"

#define MAX_HITS 64

/* What the stage callback saw. */
struct rec {
	struct sw_detect_ctx *dc;
	uint32_t n;
	struct {
		uint32_t sid;
		enum sw_app_stage stage;
		uint64_t tx;
		bool live; /* the packet that completed the stage was handed in */
	} hit[MAX_HITS];
	uint32_t stages[SW_STAGE_N];
};

static void on_stage(void *ctx, struct sw_flow *f, const struct sw_packet *cur, struct sw_app_tx *tx,
		     enum sw_app_stage st)
{
	struct rec *r = ctx;
	struct sw_detect_result res;
	struct sw_packet p;
	bool to_server = sw_app_stage_to_server(st);

	r->stages[st]++;
	if (st == SW_STAGE_TX_DONE || !r->dc)
		return; /* logging only: no rules (or a test without rules) */
	memset(&p, 0, sizeof(p));
	p.ip_ver = 4;
	p.proto = f->proto;
	p.l4_ok = true;
	p.flow = f;
	p.to_server = to_server;
	p.src = to_server ? f->cli : f->srv;
	p.dst = to_server ? f->srv : f->cli;
	p.sport = to_server ? f->cli_port : f->srv_port;
	p.dport = to_server ? f->srv_port : f->cli_port;
	assert_int_equal(sw_detect_tx(r->dc, &p, NULL, tx, st, &res), 0);
	for (uint32_t i = 0; i < res.n && r->n < MAX_HITS; i++) {
		r->hit[r->n].sid = res.m[i].rule->sid;
		r->hit[r->n].stage = st;
		r->hit[r->n].tx = tx->id;
		r->hit[r->n].live = cur != NULL;
		r->n++;
	}
}

static struct sw_detect *load(const char *text)
{
	struct sw_rules *r = sw_rules_new(NULL, NULL);
	struct sw_detect *d;
	char err[512];

	assert_non_null(r);
	assert_int_equal(sw_rules_load_string(r, text, "test.rules"), 0);
	for (size_t i = 0; i < sw_rules_error_count(r); i++) {
		const struct sw_rule_error *e = sw_rules_error(r, i);

		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->message);
	}
	assert_int_equal(sw_rules_error_count(r), 0);
	d = sw_detect_new(r, err, sizeof(err));
	if (!d)
		fprintf(stderr, "sw_detect_new: %s\n", err);
	assert_non_null(d);
	return d;
}

/* One TCP flow 10.0.0.1:40000 -> 10.0.0.2:@port fed direction by direction. */
struct conn {
	struct sw_flow f;
	uint8_t buf[2][8192]; /* each direction's bytes since the start (the stream view) */
	uint32_t len[2];
};

static void conn_init(struct conn *c, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	c->f.cli.family = c->f.srv.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", c->f.cli.a);
	inet_pton(AF_INET, "10.0.0.2", c->f.srv.a);
	c->f.cli_port = 40000;
	c->f.srv_port = port;
	c->f.proto = 6;
	c->f.state = SW_FLOW_STATE_ESTABLISHED;
}

/* The next @s bytes of direction @dir, as one in-order segment. */
static void seg(struct sw_app *a, struct conn *c, int dir, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	struct sw_packet p;
	struct sw_stream_view v;

	assert_true(c->len[dir] + n <= sizeof(c->buf[dir]));
	memcpy(c->buf[dir] + c->len[dir], s, n);
	memset(&p, 0, sizeof(p));
	p.ip_ver = 4;
	p.proto = 6;
	p.l4_ok = true;
	p.flow = &c->f;
	p.to_server = dir == 0;
	p.sport = dir == 0 ? c->f.cli_port : c->f.srv_port;
	p.dport = dir == 0 ? c->f.srv_port : c->f.cli_port;
	p.payload = c->buf[dir] + c->len[dir];
	p.payload_len = n;
	/* the stream keeps the whole direction here (it is shorter than the window) */
	v.data = c->buf[dir];
	v.len = c->len[dir] + n;
	v.new_off = c->len[dir];
	v.base = 0;
	v.in_stream = true;
	c->len[dir] += n;
	c->f.stream[dir].stream_off = c->len[dir];
	c->f.stream[dir].tail = c->buf[dir];
	c->f.stream[dir].tail_len = c->len[dir];
	sw_app_tcp(a, &p, &v);
	sw_app_flush(a); /* the worker runs the packet's own rules in between */
}

static struct sw_app *app_new_mid(struct rec *r, bool midstream)
{
	struct sw_app_config cfg;
	struct sw_app *a;

	memset(&cfg, 0, sizeof(cfg));
	cfg.http.enabled = true;
	cfg.http.request_body_limit = 100 << 10;
	cfg.http.response_body_limit = 100 << 10;
	cfg.http.decompression_layer_limit = 2;
	cfg.http.field_limit = 18000;
	cfg.workers = 1;
	cfg.midstream = midstream;
	a = sw_app_new(&cfg, on_stage, r);
	assert_non_null(a);
	return a;
}

/* The flows here are built by hand, without a handshake: midstream pickups. */
static struct sw_app *app_new(struct rec *r)
{
	return app_new_mid(r, true);
}

/* A detection context on @rules (loaded: asserted) and an app layer reporting into @r. */
static struct sw_app *rules_app(struct rec *r, const char *rules)
{
	struct sw_detect *d = load(rules);

	memset(r, 0, sizeof(*r));
	r->dc = sw_detect_ctx_new(d);
	assert_non_null(r->dc);
	sw_detect_put(d);
	return app_new(r);
}

static uint32_t hits(const struct rec *r, uint32_t sid)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->n; i++)
		n += r->hit[i].sid == sid;
	return n;
}

static const char *rules_http =
	/* request buffers, sticky and legacy forms */
	"alert http any any -> any any (msg:\"uri\"; flow:to_server; http.uri; content:\"/admin/login.php\"; sid:1;)\n"
	"alert http any any -> any any (msg:\"method+uri legacy\"; flow:to_server; content:\"POST\"; http_method; "
	"content:\"login\"; http_uri; sid:2;)\n"
	"alert http any any -> any any (msg:\"host lowercased\"; flow:to_server; http.host; content:\"example.com\"; "
	"bsize:11; sid:3;)\n"
	"alert http any any -> any any (msg:\"body\"; flow:to_server; http.request_body; content:\"user=root\"; sid:4;)\n"
	"alert http any any -> any any (msg:\"ua\"; flow:to_server; http.user_agent; content:\"curl/\"; startswith; sid:5;)\n"
	/* response buffers */
	"alert http any any -> any any (msg:\"status\"; flow:to_client; http.stat_code; content:\"302\"; sid:6;)\n"
	"alert http any any -> any any (msg:\"file.data\"; flow:to_client; file.data; content:\"secret page\"; sid:7;)\n"
	/* response rule reading the request: evaluated on the whole transaction */
	"alert http any any -> any any (msg:\"resp with uri\"; flow:to_client; http.stat_code; content:\"302\"; "
	"http.uri; content:\"/admin\"; sid:8;)\n"
	/* negatives: a header value is not in the URI; the raw body string is not the URI */
	"alert http any any -> any any (msg:\"not in uri\"; flow:to_server; http.uri; content:\"curl\"; sid:9;)\n"
	"alert http any any -> any any (msg:\"wrong status\"; flow:to_client; http.stat_code; content:\"404\"; sid:10;)\n"
	/* no buffer prefilter: a pure bsize rule goes on the stage's always list */
	"alert http any any -> any any (msg:\"uri len\"; flow:to_server; urilen:>5; sid:11;)\n"
	/* dotprefix: ".example.com" ends the transformed host, not the plain one (a list of its own) */
	"alert http any any -> any any (msg:\"dotprefix\"; flow:to_server; http.host; dotprefix; content:\".example.com\"; "
	"endswith; sid:13;)\n"
	"alert http any any -> any any (msg:\"no dotprefix\"; flow:to_server; http.host; content:\".example.com\"; "
	"sid:14;)\n"
	/* a packet rule on an HTTP flow never runs on transactions */
	"alert http any any -> any any (msg:\"raw\"; flow:to_server; content:\"Host\"; sid:12;)\n";

static void test_http_transactions(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	a = rules_app(&r, rules_http);
	conn_init(&c, 8081); /* not a port anyone would call HTTP's: detected by content */

	/* a request split inside a header */
	seg(a, &c, 0, "POST /admin/login.php HTTP/1.1\r\nHost: EXAMPLE.com:8081\r\nUser-A");
	assert_int_equal(c.f.app_proto, SW_APP_HTTP1);
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 0);
	seg(a, &c, 0, "gent: curl/8.0\r\nContent-Length: 18\r\n\r\nuser=root&pass=x1");
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 1);
	assert_int_equal(r.stages[SW_STAGE_REQ_BODY], 0);
	seg(a, &c, 0, "9");
	assert_int_equal(r.stages[SW_STAGE_REQ_BODY], 1);
	seg(a, &c, 1, "HTTP/1.1 302 Found\r\nContent-Length: 11\r\nLocation: /x\r\n\r\nsecret page");
	assert_int_equal(r.stages[SW_STAGE_RESP_HEADERS], 1);
	assert_int_equal(r.stages[SW_STAGE_RESP_BODY], 1);

	assert_int_equal(hits(&r, 1), 1);
	assert_int_equal(hits(&r, 2), 1);
	assert_int_equal(hits(&r, 3), 1);
	assert_int_equal(hits(&r, 4), 1);
	assert_int_equal(hits(&r, 5), 1);
	assert_int_equal(hits(&r, 6), 1);
	assert_int_equal(hits(&r, 7), 1);
	assert_int_equal(hits(&r, 8), 1);
	assert_int_equal(hits(&r, 9), 0);
	assert_int_equal(hits(&r, 10), 0);
	assert_int_equal(hits(&r, 11), 1);
	assert_int_equal(hits(&r, 12), 0);
	assert_int_equal(hits(&r, 13), 1);
	assert_int_equal(hits(&r, 14), 0);
	for (uint32_t i = 0; i < r.n; i++) {
		assert_int_equal(r.hit[i].tx, 0);
		assert_true(r.hit[i].live);
	}
	/* the body rule waited for the body stage, the header rules did not */
	for (uint32_t i = 0; i < r.n; i++) {
		if (r.hit[i].sid == 4)
			assert_int_equal(r.hit[i].stage, SW_STAGE_REQ_BODY);
		if (r.hit[i].sid == 1)
			assert_int_equal(r.hit[i].stage, SW_STAGE_REQ_HEADERS);
		if (r.hit[i].sid == 7)
			assert_int_equal(r.hit[i].stage, SW_STAGE_RESP_BODY);
	}
	sw_app_flow_end(a, &c.f);
	assert_int_equal(r.n, 10); /* nothing more at the end: every stage was reached */
	assert_null(c.f.app);
	sw_app_free(a);
	sw_detect_ctx_free(r.dc);
}

/* Pipelined requests: each transaction is evaluated once; flow end completes the open one. */
static void test_http_pipeline_and_close(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	a = rules_app(&r,
		      "alert http any any -> any any (msg:\"a\"; flow:to_server; http.uri; content:\"/a\"; sid:1;)\n"
		      "alert http any any -> any any (msg:\"any uri\"; flow:to_server; http.method; content:\"GET\"; sid:2;)\n"
		      "alert http any any -> any any (msg:\"200\"; flow:to_client; http.stat_code; content:\"200\"; sid:3;)\n");
	conn_init(&c, 80);
	seg(a, &c, 0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 3);
	seg(a, &c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");
	assert_int_equal(r.stages[SW_STAGE_RESP_BODY], 2);
	assert_int_equal(hits(&r, 1), 1);
	assert_int_equal(hits(&r, 2), 3);
	assert_int_equal(hits(&r, 3), 2);
	/* the third response never comes: its stages are reported at flow end, without a packet */
	sw_app_flow_end(a, &c.f);
	assert_int_equal(r.stages[SW_STAGE_RESP_HEADERS], 3);
	assert_int_equal(r.stages[SW_STAGE_RESP_BODY], 3);
	assert_int_equal(hits(&r, 3), 2);
	sw_app_free(a);
	sw_detect_ctx_free(r.dc);
}

/*
 * The stream lost bytes it could not hold and resynchronised: the parser of
 * that direction stops instead of splicing what follows onto what came
 * before (which here would complete a request that never was).
 */
static void test_gap_stops_parser(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	a = app_new(&r);
	conn_init(&c, 80);
	seg(a, &c, 0, "GET /a HTTP/1.1\r\nHo");
	assert_int_equal(c.f.app_proto, SW_APP_HTTP1);
	c.f.stream[0].gaps++; /* what sw_stream_packet() does on a resync after a gap */
	seg(a, &c, 0, "st: x\r\n\r\n");
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 0);
	assert_int_equal(sw_app_stats(a)->http_gap, 1);
	/* the other direction still parses */
	seg(a, &c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(r.stages[SW_STAGE_RESP_HEADERS], 1);
	/* the flow's end still reports every stage once */
	sw_app_flow_end(a, &c.f);
	for (int s = 0; s < SW_STAGE_N; s++)
		assert_int_equal(r.stages[s], 1);
	sw_app_free(a);
}

/* A gap inside a body is skipped (libhtp is told its length): the next transaction still parses. */
static void test_gap_in_body(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	a = app_new(&r);
	conn_init(&c, 80);
	seg(a, &c, 0, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n01234");
	c.f.stream[0].gaps++; /* 10 bytes never seen, then the stream resynchronised */
	c.f.stream[0].gap_bytes += 10;
	seg(a, &c, 0, "56789GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r.stages[SW_STAGE_REQ_BODY], 2);    /* the POST's body ended; the GET has none */
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 2); /* the second request parsed */
	assert_int_equal(sw_app_stats(a)->http_gap, 0);
	sw_app_flow_end(a, &c.f);
	sw_app_free(a);
}

/* stream.midstream off (Suricata's default): a session seen without its SYN gets no app layer. */
static void test_midstream_off(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	a = app_new_mid(&r, false);
	conn_init(&c, 80);
	seg(a, &c, 0, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(c.f.app_proto, SW_APP_UNKNOWN);
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 0);
	sw_app_flow_end(a, &c.f);
	assert_int_equal(c.f.app_proto, SW_APP_UNKNOWN); /* not "failed": never probed */
	/* the same with the handshake seen */
	conn_init(&c, 80);
	c.f.saw_syn = true;
	seg(a, &c, 0, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(c.f.app_proto, SW_APP_HTTP1);
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 1);
	sw_app_flow_end(a, &c.f);
	sw_app_free(a);
}

/* Not HTTP on port 80: detection fails, no parser, "alert http" never applies. */
static void test_not_http_on_80(void **state)
{
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	a = app_new(&r);
	conn_init(&c, 80);
	seg(a, &c, 0, "\x16\x99garbage that is no protocol at all\r\n");
	seg(a, &c, 1, "\x01\x02\x03 also nothing\r\n");
	assert_int_equal(c.f.app_proto, SW_APP_FAILED);
	assert_null(c.f.app);
	sw_app_flow_end(a, &c.f);
	assert_int_equal(r.n, 0);
	sw_app_free(a);
}

/* ---- DNS over UDP: the Suricata 8 keywords on transactions ---- */

struct dmsg {
	uint8_t b[512];
	size_t n;
};

static void d16(struct dmsg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void dname(struct dmsg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		m->b[m->n++] = (uint8_t)l;
		memcpy(m->b + m->n, name, l);
		m->n += l;
		name += l + (dot ? 1 : 0);
	}
	m->b[m->n++] = 0;
}

static void dhdr(struct dmsg *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	d16(m, id);
	d16(m, flags);
	d16(m, qd);
	d16(m, an);
	d16(m, 0);
	d16(m, 0);
}

/* An answer @name @type whose rdata is the name @target (CNAME) or four address bytes (A, @target NULL). */
static void dans(struct dmsg *m, const char *name, unsigned type, const char *target)
{
	size_t at;

	dname(m, name);
	d16(m, type);
	d16(m, 1);
	d16(m, 0);
	d16(m, 60);
	at = m->n;
	d16(m, 0);
	if (target) {
		dname(m, target);
	} else {
		static const uint8_t ip[4] = { 192, 0, 2, 1 };

		memcpy(m->b + m->n, ip, 4);
		m->n += 4;
	}
	m->b[at] = (uint8_t)((m->n - at - 2) >> 8);
	m->b[at + 1] = (uint8_t)(m->n - at - 2);
}

/* One datagram of direction @dir of UDP flow @c (10.0.0.1:40000 <-> 10.0.0.2:53). */
static void dgram(struct sw_app *a, struct conn *c, int dir, const struct dmsg *m)
{
	struct sw_packet p;

	memset(&p, 0, sizeof(p));
	p.ip_ver = 4;
	p.proto = 17;
	p.l4_ok = true;
	p.flow = &c->f;
	p.to_server = dir == 0;
	p.sport = dir == 0 ? c->f.cli_port : c->f.srv_port;
	p.dport = dir == 0 ? c->f.srv_port : c->f.cli_port;
	p.payload = m->b;
	p.payload_len = (uint32_t)m->n;
	sw_app_udp(a, &p);
	sw_app_flush(a);
}

/*
 * A UDP flow whose first query is junk (no DNS) is "failed" on that side
 * only: the server's DNS error answer names the flow DNS, and the next
 * query is parsed (Suricata's AppLayerHandleUdp waits for the second side;
 * suricata-verify dns-udp-junkrequest-first).  Counted once, as DNS.
 */
static void test_udp_second_side(void **state)
{
	static const uint8_t junk[] = "not a dns message at all";
	struct dmsg m;
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	a = rules_app(&r, "alert dns any any -> any any (msg:\"q\"; dns.query; content:\"example\"; sid:1;)\n");
	conn_init(&c, 53);
	c.f.proto = 17;
	memcpy(m.b, junk, sizeof(junk));
	m.n = sizeof(junk);
	dgram(a, &c, 0, &m);
	assert_int_equal(c.f.app_proto, SW_APP_FAILED);
	assert_int_equal(sw_app_stats(a)->flows[SW_APP_FAILED], 1);
	dgram(a, &c, 0, &m); /* that side stays failed: no second probe */
	dhdr(&m, 0x1111, 0x8181, 0, 0); /* FORMERR, no question */
	dgram(a, &c, 1, &m);
	assert_int_equal(c.f.app_proto, SW_APP_DNS);
	assert_int_equal(sw_app_stats(a)->flows[SW_APP_FAILED], 0);
	assert_int_equal(sw_app_stats(a)->flows[SW_APP_DNS], 1);
	dhdr(&m, 0x2222, 0x0100, 1, 0);
	dname(&m, "www.example.com");
	d16(&m, 1);
	d16(&m, 1);
	dgram(a, &c, 0, &m);
	assert_int_equal(hits(&r, 1), 1);
	sw_app_flow_end(a, &c.f);
	assert_int_equal(c.f.app_proto, SW_APP_DNS);
	sw_app_free(a);
	sw_detect_ctx_free(r.dc);
}

static const char *rules_dns =
	/* integer keywords alone: transaction rules without a prefilter, both directions */
	"alert dns any any -> any any (msg:\"opcode only\"; dns.opcode:4; sid:101;)\n"
	"alert dns any any -> any any (msg:\"rcode name\"; dns.rcode:nxdomain; sid:102;)\n"
	"alert dns any any -> any any (msg:\"some answer not A\"; flow:to_client; dns.rrtype:!1; sid:103;)\n"
	/* both directions: the request's question and the response's copy */
	"alert dns any any -> any any (msg:\"queries\"; dns.queries.rrname; content:\"www.example.com\"; sid:104;)\n"
	/* to_client only: a CNAME target is a response rrname instance */
	"alert dns any any -> any any (msg:\"response rdata\"; dns.response.rrname; content:\"edge.cdn\"; sid:105;)\n"
	/* additionals are read from responses only */
	"alert dns any any -> any any (msg:\"never\"; flow:to_server; dns.additionals.rrname; content:\"ns1\"; sid:106;)\n"
	/* integer keyword with a buffer prefilter */
	"alert dns any any -> any any (msg:\"opcode and query\"; dns.opcode:0; dns.query; content:\"www\"; sid:107;)\n"
	"alert dns any any -> any any (msg:\"request type A\"; flow:to_server; dns.rrtype:a; sid:108;)\n"
	"alert dns any any -> any any (msg:\"rcode not 0\"; dns.rcode:!0; sid:109;)\n"
	/* every value must be absent for a negation not to hold: answers CNAME and A, so !5 holds (A) */
	"alert dns any any -> any any (msg:\"two rrtypes\"; flow:to_client; dns.rrtype:!5; dns.rrtype:!1; sid:110;)\n"
	"alert udp any 53 -> any any (msg:\"udp header, answers.rrname\"; dns.answers.rrname; content:\"edge.cdn\"; "
	"sid:111;)\n";

/*
 * A query (tx 0), its CNAME response (tx 1), a NOTIFY (opcode 4, tx 2),
 * an NXDOMAIN response (tx 3) on one UDP flow: each rule alerts on the
 * transactions Suricata 8 would, once each.
 */
static void test_dns_keywords(void **state)
{
	struct dmsg m;
	struct rec r;
	struct sw_app *a;
	struct conn c;

	(void)state;
	a = rules_app(&r, rules_dns);
	conn_init(&c, 53);
	c.f.proto = 17;

	dhdr(&m, 0x1111, 0x0100, 1, 0);
	dname(&m, "www.example.com");
	d16(&m, 1);
	d16(&m, 1);
	dgram(a, &c, 0, &m);
	assert_int_equal(c.f.app_proto, SW_APP_DNS);
	dhdr(&m, 0x1111, 0x8180, 1, 2);
	dname(&m, "www.example.com");
	d16(&m, 1);
	d16(&m, 1);
	dans(&m, "www.example.com", 5, "edge.cdn.example.net");
	dans(&m, "edge.cdn.example.net", 1, NULL);
	dgram(a, &c, 1, &m);
	dhdr(&m, 0x2222, 0x2400, 1, 0); /* NOTIFY, AA */
	dname(&m, "example.com");
	d16(&m, 6);
	d16(&m, 1);
	dgram(a, &c, 0, &m);
	dhdr(&m, 0x3333, 0x8183, 1, 0); /* NXDOMAIN */
	dname(&m, "nx.example.com");
	d16(&m, 1);
	d16(&m, 1);
	dgram(a, &c, 1, &m);
	assert_int_equal(r.stages[SW_STAGE_REQ_HEADERS], 4);
	assert_int_equal(r.stages[SW_STAGE_RESP_HEADERS], 4);

	assert_int_equal(hits(&r, 101), 1);
	assert_int_equal(hits(&r, 102), 1);
	assert_int_equal(hits(&r, 103), 1);
	assert_int_equal(hits(&r, 104), 2);
	assert_int_equal(hits(&r, 105), 1);
	assert_int_equal(hits(&r, 106), 0);
	assert_int_equal(hits(&r, 107), 1);
	assert_int_equal(hits(&r, 108), 1);
	assert_int_equal(hits(&r, 109), 1);
	assert_int_equal(hits(&r, 110), 1);
	assert_int_equal(hits(&r, 111), 1);
	for (uint32_t i = 0; i < r.n; i++) {
		static const struct {
			uint32_t sid;
			uint64_t tx;
		} want[] = { { 101, 2 }, { 102, 3 }, { 103, 1 }, { 105, 1 }, { 107, 0 }, { 108, 0 }, { 109, 3 },
			     { 110, 1 }, { 111, 1 } };

		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			if (r.hit[i].sid == want[k].sid && r.hit[i].tx != want[k].tx)
				fail_msg("sid %u on tx %llu, want tx %llu", want[k].sid, (unsigned long long)r.hit[i].tx,
					 (unsigned long long)want[k].tx);
		/* a request's alerts at its request stage, a response's at its response stage */
		if ((r.hit[i].tx == 0 || r.hit[i].tx == 2) != (r.hit[i].stage == SW_STAGE_REQ_HEADERS))
			fail_msg("sid %u tx %llu at stage %d", r.hit[i].sid, (unsigned long long)r.hit[i].tx, r.hit[i].stage);
	}
	sw_app_flow_end(a, &c.f);
	sw_app_free(a);
	sw_detect_ctx_free(r.dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_transactions),
		cmocka_unit_test(test_http_pipeline_and_close),
		cmocka_unit_test(test_gap_stops_parser),
		cmocka_unit_test(test_gap_in_body),
		cmocka_unit_test(test_midstream_off),
		cmocka_unit_test(test_not_http_on_80),
		cmocka_unit_test(test_dns_keywords),
		cmocka_unit_test(test_udp_second_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
