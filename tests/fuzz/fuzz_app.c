/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: random bytes through protocol detection, the HTTP
 * parser and transaction detection, from both directions, as the worker
 * drives them: each fuzzed segment extends its direction's stream (the view
 * holds the direction from its first byte), sw_app_tcp() probes or parses it,
 * every stage event runs sw_detect_tx() over a fixed rule set that touches
 * every HTTP buffer with contents, pcre, relative matches, bsize and byte
 * tests; then the flow ends.  Checked on every run: no stage of a
 * transaction is reported twice or before a stage it needs, the parser
 * state is gone after the flow
 * ends, and ASan/UBSan see every buffer read.
 *
 * Input: [port u8] then records [ctl u8][bytes...]: ctl bit 7 = direction
 * (set = to client), bits 0..6 + 1 = segment length (taken from what
 * follows); length 128 (bits 0..6 all set) is a stream gap instead, the
 * next byte its length in bytes (0: unknown).  port: 0 = 80, 1 = 8080, 2 = 443, 3 = 53, else 1024 + value.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/app.h"
#include "engine/detect/detect.h"

#define DIR_MAX 16384
#define MAX_TX 4096

static const char *rules =
	"alert http any any -> any any (flow:to_server; http.uri; content:\"/a\"; pcre:\"/\\/a[^?]*\\?x=/\"; sid:1;)\n"
	"alert http any any -> any any (flow:to_server; http.method; content:\"POST\"; http.request_body; "
	"content:\"x\"; distance:0; sid:2;)\n"
	"alert http any any -> any any (http.header; content:\"a\"; nocase; http.header_names; content:\"|0d 0a|\"; "
	"sid:3;)\n"
	"alert http any any -> any any (flow:to_client; file.data; content:\"z\"; isdataat:1,relative; sid:4;)\n"
	"alert http any any -> any any (flow:to_client; http.stat_code; content:\"2\"; startswith; http.uri; "
	"bsize:>1; sid:5;)\n"
	"alert http any any -> any any (flow:to_server; urilen:<100; http.host; content:\"h\"; sid:6;)\n"
	"alert http any any -> any any (flow:to_server; http.request_header; content:\"a: \"; byte_test:1,>,0,0,"
	"relative,string,dec; sid:7;)\n"
	"alert http any any -> any any (flow:to_client; http.response_header; content:\"b\"; http.start; "
	"content:\"HTTP\"; sid:8;)\n"
	"alert http any any -> any any (flow:to_server; http.cookie; content:\"c=\"; http.user_agent; "
	"content:\"u\"; endswith; sid:9;)\n"
	"alert http any any -> any any (flow:to_server; content:\"GET\"; http_method; uricontent:\"b\"; "
	"pcre:\"/b/U\"; sid:10;)\n"
	"alert tcp any any -> any any (content:\"HTTP/1.\"; flowbits:set,seen; noalert; sid:11;)\n"
	"alert http any any -> any any (flowbits:isset,seen; http.protocol; content:\"1\"; sid:12;)\n"
	/* DNS over TCP (port 53): the Suricata 8 buffers and integer keywords */
	"alert dns any any -> any any (dns.queries.rrname; content:\"a\"; dns.rrtype:!1; sid:13;)\n"
	"alert dns any any -> any any (dns.response.rrname; dotprefix; content:\".b\"; dns.rcode:>0; sid:14;)\n"
	"alert dns any any -> any any (dns.opcode:0-15; sid:15;)\n"
	"alert dns any any -> any any (dns.additionals.rrname; bsize:>1; dns.authorities.rrname; "
	"content:\"c\"; sid:16;)\n";

static struct sw_detect_ctx *dc;
static uint8_t seen[MAX_TX]; /* stages reported, a bit each */

static void on_stage(void *ctx, struct sw_flow *f, const struct sw_packet *cur, struct sw_app_tx *tx,
		     enum sw_app_stage st)
{
	struct sw_detect_result res;
	struct sw_packet p;
	bool to_server = sw_app_stage_to_server(st);

	(void)ctx;
	(void)cur;
	if (tx->id < MAX_TX) {
		if (seen[tx->id] & (1u << st))
			abort(); /* a stage reported twice */
		if ((seen[tx->id] & sw_app_stage_needs(st)) != sw_app_stage_needs(st))
			abort(); /* before a stage it needs */
		seen[tx->id] |= (uint8_t)(1u << st);
	}
	memset(&p, 0, sizeof(p));
	p.ip_ver = 4;
	p.proto = 6;
	p.l4_ok = true;
	p.flow = f;
	p.to_server = to_server;
	p.src = to_server ? f->cli : f->srv;
	p.dst = to_server ? f->srv : f->cli;
	p.sport = to_server ? f->cli_port : f->srv_port;
	p.dport = to_server ? f->srv_port : f->cli_port;
	if (st != SW_STAGE_TX_DONE && sw_detect_tx(dc, &p, NULL, tx, st, &res) < 0)
		abort();
}

static struct sw_app *app;

static void setup(void)
{
	struct sw_rules *r = sw_rules_new(NULL, NULL);
	struct sw_app_config cfg;
	struct sw_detect *d;
	char err[256];

	if (!r || sw_rules_load_string(r, rules, "fuzz.rules") < 0 || sw_rules_error_count(r) != 0)
		abort();
	d = sw_detect_new(r, err, sizeof(err));
	if (!d)
		abort();
	dc = sw_detect_ctx_new(d);
	sw_detect_put(d);
	memset(&cfg, 0, sizeof(cfg));
	cfg.http.enabled = true;
	cfg.http.request_body_limit = 64;
	cfg.http.response_body_limit = 64;
	cfg.http.decompression_layer_limit = 2;
	cfg.http.field_limit = 18000;
	cfg.workers = 1;
	cfg.midstream = true; /* the flows here are built by hand, without a handshake */
	app = sw_app_new(&cfg, on_stage, NULL);
	if (!dc || !app)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *buf[2];
	static const uint16_t ports[] = { 80, 8080, 443, 53 };
	uint32_t len[2] = { 0, 0 };
	struct sw_flow f;
	size_t i = 1;

	if (!app) {
		setup();
		buf[0] = malloc(DIR_MAX);
		buf[1] = malloc(DIR_MAX);
		if (!buf[0] || !buf[1])
			abort();
	}
	if (size < 1)
		return 0;
	memset(seen, 0, sizeof(seen));
	memset(&f, 0, sizeof(f));
	f.cli.family = f.srv.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", f.cli.a);
	inet_pton(AF_INET, "10.0.0.2", f.srv.a);
	f.cli_port = 40000;
	f.srv_port = data[0] < 4 ? ports[data[0]] : (uint16_t)(1024 + data[0]);
	f.proto = 6;
	f.state = SW_FLOW_STATE_ESTABLISHED;
	while (i < size) {
		int dir = data[i] >> 7;
		uint32_t n = (data[i] & 0x7f) + 1u;
		struct sw_stream_view v;
		struct sw_packet p;

		i++;
		if (n == 0x80) {
			/* a gap the stream resynchronised after: the next byte says how many bytes were lost */
			f.stream[dir].gaps++;
			f.stream[dir].gap_bytes += i < size ? data[i++] : 0;
			continue;
		}
		if (n > size - i)
			n = (uint32_t)(size - i);
		if (n == 0 || len[dir] + n > DIR_MAX)
			break;
		memcpy(buf[dir] + len[dir], data + i, n);
		i += n;
		memset(&p, 0, sizeof(p));
		p.ip_ver = 4;
		p.proto = 6;
		p.l4_ok = true;
		p.flow = &f;
		p.to_server = dir == 0;
		p.sport = dir == 0 ? f.cli_port : f.srv_port;
		p.dport = dir == 0 ? f.srv_port : f.cli_port;
		p.payload = buf[dir] + len[dir];
		p.payload_len = n;
		v.data = buf[dir];
		v.len = len[dir] + n;
		v.new_off = len[dir];
		v.base = 0;
		v.in_stream = true;
		len[dir] += n;
		f.stream[dir].stream_off = len[dir];
		f.stream[dir].tail = buf[dir];
		f.stream[dir].tail_len = len[dir];
		sw_app_tcp(app, &p, &v);
		sw_app_flush(app);
	}
	sw_app_flow_end(app, &f);
	if (f.app)
		abort(); /* the parser must be gone with the flow */
	if (sw_app_stats(app)->memuse != 0)
		abort();
	return 0;
}
