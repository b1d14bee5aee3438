/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/1.x through libhtp: stage events (order, exactly once, close),
 * every buffer's exact bytes against Suricata's documented contents
 * (docs.suricata.io "HTTP Keywords" and src/detect-http-*.c), fed whole and
 * at every split point, pipelining, chunked + gzip bodies, body limits, URI
 * normalisation, HTTP/0.9, parser errors, memcap, EVE.
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

#include <htp/htp.h>

#include "engine/app/http.h"
#include "engine/output/eve.h"

#define MAX_EV 256

struct rec {
	struct sw_app_tx *tx[MAX_EV];
	enum sw_app_stage st[MAX_EV];
	uint64_t id[MAX_EV];
	unsigned n;
};

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct rec *r = ctx;

	assert_true(r->n < MAX_EV);
	assert_int_equal(tx->proto, SW_APP_HTTP1);
	r->tx[r->n] = tx;
	r->st[r->n] = st;
	r->id[r->n] = tx->id;
	r->n++;
}

static struct sw_app_http_config defaults(void)
{
	struct sw_app_http_config c = {
		.enabled = true,
		.personality = HTP_SERVER_IDS,
		.request_body_limit = 100 * 1024,
		.response_body_limit = 100 * 1024,
		.decompression_layer_limit = 2,
		.field_limit = 18000,
		.memcap = 0,
	};
	return c;
}

struct fix {
	struct sw_http *h;
	struct sw_http_flow *hf;
	struct sw_flow f;
	struct rec r;
};

static void fix_open(struct fix *x, const struct sw_app_http_config *c)
{
	memset(x, 0, sizeof(*x));
	x->h = sw_http_new(c, 1);
	assert_non_null(x->h);
	x->f.cli.family = AF_INET;
	x->f.cli.a[0] = 10, x->f.cli.a[3] = 1;
	x->f.srv.family = AF_INET;
	x->f.srv.a[0] = 10, x->f.srv.a[3] = 2;
	x->f.cli_port = 40000;
	x->f.srv_port = 80;
	x->hf = sw_http_flow_new(x->h, &x->f, 1000000);
	assert_non_null(x->hf);
}

static void fix_close(struct fix *x)
{
	sw_http_flow_free(x->h, x->hf);
	assert_int_equal(sw_http_stats(x->h)->memuse, 0);
	sw_http_free(x->h);
}

/* Feed @s in chunks of @step bytes (0 = whole). */
static int feedn(struct fix *x, bool to_server, const char *s, size_t n, size_t step)
{
	int rc = 0;

	if (!step)
		step = n;
	for (size_t off = 0; off < n && !rc; off += step) {
		size_t k = n - off < step ? n - off : step;

		rc = sw_http_data(x->h, x->hf, to_server, (const uint8_t *)s + off, (uint32_t)k, 2000000, on_emit,
				  &x->r);
	}
	return rc;
}

static int feed(struct fix *x, bool to_server, const char *s, size_t step)
{
	return feedn(x, to_server, s, strlen(s), step);
}

static void check_buf(const struct sw_app_tx *tx, enum sw_bufid b, bool ts, uint32_t idx, const char *want,
		      size_t wlen)
{
	const uint8_t *p = NULL;
	uint32_t len = 0;
	bool ok = sw_http_tx_buf(tx, b, ts, idx, &p, &len);

	if (!want) {
		if (ok)
			fail_msg("buf %d (%s, idx %u): expected no buffer, got '%.*s'", (int)b,
				 ts ? "to_server" : "to_client", idx, (int)len, p);
		return;
	}
	if (!ok)
		fail_msg("buf %d (%s, idx %u): no buffer, want '%.*s'", (int)b, ts ? "to_server" : "to_client",
			 idx, (int)wlen, want);
	if (len != wlen || memcmp(p, want, wlen))
		fail_msg("buf %d (%s, idx %u): got '%.*s' (%u), want '%.*s' (%zu)", (int)b,
			 ts ? "to_server" : "to_client", idx, (int)len, p, len, (int)wlen, want, wlen);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

#define BUF(tx, b, ts, want) check_buf(tx, b, ts, 0, want, slen(want))
#define BUFI(tx, b, ts, i, want) check_buf(tx, b, ts, i, want, slen(want))

/*
 * The stages of each transaction were reported exactly once each, each
 * after the stages it needs (app.h sw_app_stage_needs()), all of them.
 */
static void check_stages(const struct rec *r, unsigned n_tx)
{
	unsigned seen[64] = {0};

	for (unsigned i = 0; i < r->n; i++) {
		uint64_t id = r->id[i];
		unsigned bit = 1u << r->st[i];

		assert_true(id < n_tx);
		if (seen[id] & bit)
			fail_msg("event %u: tx %llu stage %d reported twice", i, (unsigned long long)id, r->st[i]);
		if ((seen[id] & sw_app_stage_needs(r->st[i])) != sw_app_stage_needs(r->st[i]))
			fail_msg("event %u: tx %llu stage %d before the stages it needs (seen 0x%x)", i,
				 (unsigned long long)id, r->st[i], seen[id]);
		seen[id] |= bit;
	}
	for (unsigned i = 0; i < n_tx; i++)
		assert_int_equal(seen[i], (1u << SW_STAGE_N) - 1);
}

static const char REQ1[] = "GET /a/b.php?x=1&y=%41 HTTP/1.1\r\n"
			   "Host: WWW.Example.COM:8080\r\n"
			   "User-Agent: Mozilla/5.0 (X11)\r\n"
			   "Accept: text/html\r\n"
			   "Accept-Encoding: gzip, deflate\r\n"
			   "Accept-Language: en-US\r\n"
			   "Referer: http://ref.example/\r\n"
			   "Cookie: a=b; c=d\r\n"
			   "Connection: keep-alive\r\n"
			   "\r\n";

static const char RESP1[] = "HTTP/1.1 302 Found\r\n"
			    "Server: nginx/1.2\r\n"
			    "Content-Type: text/html; charset=utf-8\r\n"
			    "Content-Length: 5\r\n"
			    "Location: /next\r\n"
			    "Set-Cookie: s=1\r\n"
			    "Connection: close\r\n"
			    "\r\n"
			    "hello";

static void check_tx1(const struct sw_app_tx *tx)
{
	/* request: detect-http-uri.c (normalized), detect-http-raw-uri, method, request_line */
	BUF(tx, SW_BUF_HTTP_URI, true, "/a/b.php?x=1&y=A");
	BUF(tx, SW_BUF_HTTP_URI_RAW, true, "/a/b.php?x=1&y=%41");
	BUF(tx, SW_BUF_HTTP_METHOD, true, "GET");
	BUF(tx, SW_BUF_HTTP_REQUEST_LINE, true, "GET /a/b.php?x=1&y=%41 HTTP/1.1");
	/* http.host: lowercased, no port; http.host.raw: the Host value as sent */
	BUF(tx, SW_BUF_HTTP_HOST, true, "www.example.com");
	BUF(tx, SW_BUF_HTTP_HOST_RAW, true, "WWW.Example.COM:8080");
	BUF(tx, SW_BUF_HTTP_USER_AGENT, true, "Mozilla/5.0 (X11)");
	BUF(tx, SW_BUF_HTTP_REFERER, true, "http://ref.example/");
	BUF(tx, SW_BUF_HTTP_ACCEPT, true, "text/html");
	BUF(tx, SW_BUF_HTTP_ACCEPT_ENC, true, "gzip, deflate");
	BUF(tx, SW_BUF_HTTP_ACCEPT_LANG, true, "en-US");
	BUF(tx, SW_BUF_HTTP_CONNECTION, true, "keep-alive");
	BUF(tx, SW_BUF_HTTP_COOKIE, true, "a=b; c=d");
	BUF(tx, SW_BUF_HTTP_CONTENT_TYPE, true, NULL);
	BUF(tx, SW_BUF_HTTP_CONTENT_LEN, true, NULL);
	BUF(tx, SW_BUF_HTTP_PROTOCOL, true, "HTTP/1.1");
	BUF(tx, SW_BUF_HTTP_REQUEST_BODY, true, NULL);
	BUF(tx, SW_BUF_FILE_DATA, true, NULL);
	/* http.header: normalized "Name: value\r\n", Cookie left out, no final CRLF */
	BUF(tx, SW_BUF_HTTP_HEADER, true,
	    "Host: WWW.Example.COM:8080\r\n"
	    "User-Agent: Mozilla/5.0 (X11)\r\n"
	    "Accept: text/html\r\n"
	    "Accept-Encoding: gzip, deflate\r\n"
	    "Accept-Language: en-US\r\n"
	    "Referer: http://ref.example/\r\n"
	    "Connection: keep-alive\r\n");
	/* http.header.raw: the header block as received, up to and including the empty line */
	BUF(tx, SW_BUF_HTTP_HEADER_RAW, true, strchr(REQ1, '\n') + 1);
	BUF(tx, SW_BUF_HTTP_HEADER_NAMES, true,
	    "\r\nHost\r\nUser-Agent\r\nAccept\r\nAccept-Encoding\r\nAccept-Language\r\nReferer\r\nCookie\r\nConnection\r\n\r\n");
	BUF(tx, SW_BUF_HTTP_START, true, REQ1);
	BUFI(tx, SW_BUF_HTTP_REQUEST_HEADER, true, 0, "Host: WWW.Example.COM:8080");
	BUFI(tx, SW_BUF_HTTP_REQUEST_HEADER, true, 6, "Cookie: a=b; c=d");
	BUFI(tx, SW_BUF_HTTP_REQUEST_HEADER, true, 7, "Connection: keep-alive");
	BUFI(tx, SW_BUF_HTTP_REQUEST_HEADER, true, 8, NULL);
	BUFI(tx, SW_BUF_HTTP_REQUEST_HEADER, false, 0, NULL);
	/* request-only buffers do not exist to client */
	BUF(tx, SW_BUF_HTTP_URI, false, NULL);
	BUF(tx, SW_BUF_HTTP_METHOD, false, NULL);
	BUF(tx, SW_BUF_HTTP_USER_AGENT, false, NULL);
	BUF(tx, SW_BUF_HTTP_HOST, false, NULL);

	/* response */
	BUF(tx, SW_BUF_HTTP_STAT_CODE, false, "302");
	BUF(tx, SW_BUF_HTTP_STAT_MSG, false, "Found");
	BUF(tx, SW_BUF_HTTP_RESPONSE_LINE, false, "HTTP/1.1 302 Found");
	BUF(tx, SW_BUF_HTTP_PROTOCOL, false, "HTTP/1.1");
	BUF(tx, SW_BUF_HTTP_SERVER, false, "nginx/1.2");
	BUF(tx, SW_BUF_HTTP_LOCATION, false, "/next");
	BUF(tx, SW_BUF_HTTP_CONTENT_TYPE, false, "text/html; charset=utf-8");
	BUF(tx, SW_BUF_HTTP_CONTENT_LEN, false, "5");
	BUF(tx, SW_BUF_HTTP_COOKIE, false, "s=1");
	BUF(tx, SW_BUF_HTTP_CONNECTION, false, "close");
	BUF(tx, SW_BUF_HTTP_RESPONSE_BODY, false, "hello");
	BUF(tx, SW_BUF_FILE_DATA, false, "hello");
	BUF(tx, SW_BUF_HTTP_HEADER, false,
	    "Server: nginx/1.2\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: 5\r\n"
	    "Location: /next\r\n"
	    "Connection: close\r\n");
	BUF(tx, SW_BUF_HTTP_HEADER_RAW, false,
	    "Server: nginx/1.2\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: 5\r\n"
	    "Location: /next\r\n"
	    "Set-Cookie: s=1\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	BUF(tx, SW_BUF_HTTP_HEADER_NAMES, false,
	    "\r\nServer\r\nContent-Type\r\nContent-Length\r\nLocation\r\nSet-Cookie\r\nConnection\r\n\r\n");
	BUF(tx, SW_BUF_HTTP_START, false,
	    "HTTP/1.1 302 Found\r\n"
	    "Server: nginx/1.2\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: 5\r\n"
	    "Location: /next\r\n"
	    "Set-Cookie: s=1\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	BUFI(tx, SW_BUF_HTTP_RESPONSE_HEADER, false, 4, "Set-Cookie: s=1");
	BUFI(tx, SW_BUF_HTTP_RESPONSE_HEADER, false, 6, NULL);
	BUFI(tx, SW_BUF_HTTP_RESPONSE_HEADER, true, 0, NULL);
	BUF(tx, SW_BUF_HTTP_STAT_CODE, true, NULL);
	BUF(tx, SW_BUF_HTTP_RESPONSE_BODY, true, NULL);
	BUF(tx, SW_BUF_HTTP_LOCATION, true, NULL);
	BUF(tx, SW_BUF_PAYLOAD, true, NULL);
}

/* Every buffer, fed whole and at every chunk size (headers split across feeds). */
static void test_buffers_all_splits(void **state)
{
	struct sw_app_http_config c = defaults();
	(void)state;

	for (size_t step = 0; step <= sizeof(REQ1); step++) {
		struct fix x;

		fix_open(&x, &c);
		assert_int_equal(feed(&x, true, REQ1, step), 0);
		assert_true(x.r.n >= 1);
		assert_int_equal(x.r.st[0], SW_STAGE_REQ_HEADERS);
		/* Request buffers exist once the headers are in. */
		BUF(x.r.tx[0], SW_BUF_HTTP_URI, true, "/a/b.php?x=1&y=A");
		BUF(x.r.tx[0], SW_BUF_HTTP_START, true, REQ1);
		BUF(x.r.tx[0], SW_BUF_HTTP_STAT_CODE, false, NULL);
		assert_int_equal(feed(&x, false, RESP1, step), 0);
		sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
		check_stages(&x.r, 1);
		check_tx1(x.r.tx[0]);
		fix_close(&x);
	}
}

static void test_stage_order_and_close(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", 0), 0);
	assert_int_equal(x.r.n, 1);
	assert_int_equal(x.r.st[0], SW_STAGE_REQ_HEADERS);
	assert_int_equal(feed(&x, true, "01234", 0), 0);
	assert_int_equal(x.r.n, 1);
	BUF(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, "01234");
	assert_int_equal(feed(&x, true, "56789", 0), 0);
	assert_int_equal(x.r.n, 2);
	assert_int_equal(x.r.st[1], SW_STAGE_REQ_BODY);
	BUF(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, "0123456789");
	BUF(x.r.tx[0], SW_BUF_FILE_DATA, true, "0123456789");
	BUF(x.r.tx[0], SW_BUF_HTTP_CONTENT_LEN, true, "10");
	/* Response headers, then the flow ends in the middle of the body. */
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", 0), 0);
	assert_int_equal(x.r.n, 3);
	assert_int_equal(x.r.st[2], SW_STAGE_RESP_HEADERS);
	sw_http_flow_gc(x.h, x.hf); /* nothing to free yet */
	BUF(x.r.tx[0], SW_BUF_HTTP_RESPONSE_BODY, false, "abc");
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(x.r.st[3], SW_STAGE_RESP_BODY);
	assert_int_equal(x.r.st[4], SW_STAGE_TX_DONE);
	check_stages(&x.r, 1);
	/* A second close and more data report nothing again. */
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	assert_int_equal(feed(&x, false, "defg", 0), 0);
	assert_int_equal(x.r.n, 5);
	sw_http_flow_gc(x.h, x.hf);
	fix_close(&x);

	/* Close with only a partial request line: no transaction, no events. */
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET /inco", 0), 0);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	for (unsigned i = 0; i < x.r.n; i++)
		assert_int_equal(x.r.st[i], (enum sw_app_stage)i);
	fix_close(&x);

	/* Close after request headers only: all four stages of it, in order. */
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0), 0);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	BUF(x.r.tx[0], SW_BUF_HTTP_STAT_CODE, false, NULL);
	BUF(x.r.tx[0], SW_BUF_HTTP_HEADER, false, NULL);
	fix_close(&x);
}

static void test_pipelining(void **state)
{
	struct sw_app_http_config c = defaults();
	static const char reqs[] = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
				   "GET /two HTTP/1.1\r\nHost: b\r\n\r\n"
				   "POST /three HTTP/1.1\r\nHost: c\r\nContent-Length: 3\r\n\r\nxyz";
	static const char resps[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"
				    "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n22"
				    "HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\n333";
	(void)state;

	for (size_t step = 0; step < 40; step += 7) {
		struct fix x;
		const uint8_t *p;
		uint32_t len;

		fix_open(&x, &c);
		assert_int_equal(feed(&x, true, reqs, step), 0);
		assert_int_equal(feed(&x, false, resps, step), 0);
		sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
		check_stages(&x.r, 3);
		for (unsigned i = 0; i < x.r.n; i++) {
			const struct sw_app_tx *tx = x.r.tx[i];
			static const char *const uri[] = {"/one", "/two", "/three"};
			static const char *const code[] = {"200", "404", "500"};
			static const char *const body[] = {"1", "22", "333"};

			BUF(tx, SW_BUF_HTTP_URI, true, uri[tx->id]);
			BUF(tx, SW_BUF_HTTP_STAT_CODE, false, code[tx->id]);
			BUF(tx, SW_BUF_HTTP_RESPONSE_BODY, false, body[tx->id]);
		}
		assert_true(sw_http_tx_buf(x.r.tx[x.r.n - 1], SW_BUF_HTTP_HOST, true, 0, &p, &len));
		/* gc frees what is done; the stats go back down */
		{
			uint64_t before = sw_http_stats(x.h)->memuse;

			sw_http_flow_gc(x.h, x.hf);
			assert_true(sw_http_stats(x.h)->memuse < before);
		}
		assert_int_equal(sw_http_stats(x.h)->tx, 3);
		fix_close(&x);
	}
}

/* A response to each request as it comes, with gc between (the worker's normal loop). */
static void test_gc_between(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	uint64_t base;
	(void)state;

	fix_open(&x, &c);
	base = sw_http_stats(x.h)->memuse;
	for (int i = 0; i < 50; i++) {
		unsigned n0 = x.r.n;

		assert_int_equal(feed(&x, true, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 0), 0);
		assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0), 0);
		assert_int_equal(x.r.n - n0, 5); /* four rule stages and the end */
		assert_int_equal(x.r.id[n0], (uint64_t)i);
		BUF(x.r.tx[n0], SW_BUF_HTTP_RESPONSE_BODY, false, "ok");
		sw_http_flow_gc(x.h, x.hf);
		/* Every finished transaction is freed at once: memory stays flat. */
		assert_int_equal(sw_http_stats(x.h)->memuse, base);
	}
	fix_close(&x);
}

static void test_chunked_gzip(void **state)
{
	/* gzip of "Hello, gzip world! Hello, gzip world!\n" (python gzip.compress, mtime 0) */
	static const unsigned char gz[] = {
		0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xf3, 0x48, 0xcd, 0xc9, 0xc9,
		0xd7, 0x51, 0x48, 0xaf, 0xca, 0x2c, 0x50, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0x51, 0x54, 0xf0,
		0xc0, 0x10, 0xe2, 0x02, 0x00, 0x1f, 0xe1, 0x9f, 0x4b, 0x26, 0x00, 0x00, 0x00,
	};
	struct sw_app_http_config c = defaults();
	char resp[512];
	size_t n;
	(void)state;

	/* Three chunks splitting the gzip stream at arbitrary points. */
	n = (size_t)snprintf(resp, sizeof(resp),
			     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n", 10);
	memcpy(resp + n, gz, 10);
	n += 10;
	n += (size_t)snprintf(resp + n, sizeof(resp) - n, "\r\n%zx\r\n", sizeof(gz) - 20);
	memcpy(resp + n, gz + 10, sizeof(gz) - 20);
	n += sizeof(gz) - 20;
	n += (size_t)snprintf(resp + n, sizeof(resp) - n, "\r\n%x\r\n", 10);
	memcpy(resp + n, gz + sizeof(gz) - 10, 10);
	n += 10;
	n += (size_t)snprintf(resp + n, sizeof(resp) - n, "\r\n0\r\n\r\n");

	for (size_t step = 0; step < n; step += (step < 20 ? 1 : 13)) {
		struct fix x;

		fix_open(&x, &c);
		assert_int_equal(feed(&x, true, "GET /z HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n", 0),
				 0);
		assert_int_equal(feedn(&x, false, resp, n, step), 0);
		assert_int_equal(x.r.n, 5);
		check_stages(&x.r, 1);
		BUF(x.r.tx[0], SW_BUF_HTTP_RESPONSE_BODY, false, "Hello, gzip world! Hello, gzip world!\n");
		BUF(x.r.tx[0], SW_BUF_FILE_DATA, false, "Hello, gzip world! Hello, gzip world!\n");
		fix_close(&x);
	}
}

static void test_body_limit(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	static char body[1000];
	char hdr[128];
	(void)state;

	c.request_body_limit = 100;
	c.response_body_limit = 64;
	memset(body, 'B', sizeof(body));
	fix_open(&x, &c);
	snprintf(hdr, sizeof(hdr), "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: %zu\r\n\r\n", sizeof(body));
	assert_int_equal(feed(&x, true, hdr, 0), 0);
	assert_int_equal(feedn(&x, true, body, 60, 0), 0);
	assert_int_equal(x.r.n, 1);
	/* The limit is reached in the middle of a feed: REQ_BODY now, with 100 bytes. */
	assert_int_equal(feedn(&x, true, body, 60, 0), 0);
	assert_int_equal(x.r.n, 2);
	assert_int_equal(x.r.st[1], SW_STAGE_REQ_BODY);
	check_buf(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, 0, body, 100);
	assert_int_equal(feedn(&x, true, body, sizeof(body) - 120, 7), 0);
	assert_int_equal(x.r.n, 2);
	check_buf(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, 0, body, 100);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 0), 0);
	assert_int_equal(feedn(&x, false, body, 64, 0), 0);
	assert_int_equal(x.r.n, 4);
	assert_int_equal(x.r.st[3], SW_STAGE_RESP_BODY);
	check_buf(x.r.tx[0], SW_BUF_HTTP_RESPONSE_BODY, false, 0, body, 64);
	assert_int_equal(feedn(&x, false, body, sizeof(body) - 64, 0), 0);
	check_buf(x.r.tx[0], SW_BUF_HTTP_RESPONSE_BODY, false, 0, body, 64);
	/* the end (the http record) waits for the whole response, not the body limit */
	assert_int_equal(x.r.n, 5);
	assert_int_equal(x.r.st[4], SW_STAGE_TX_DONE);
	/* libhtp has finished with it: gc frees it even though the body stage came early. */
	sw_http_flow_gc(x.h, x.hf);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	assert_int_equal(x.r.n, 5);
	fix_close(&x);
}

/* Percent-encoding, dot segments, separators, overlong UTF-8, absolute URIs. */
static void test_uri_normalisation(void **state)
{
	static const struct {
		const char *line, *uri, *raw, *host, *host_raw;
	} v[] = {
		{"GET /%61%62c/./d/../e?q=%20x%2b HTTP/1.1", "/abc/e?q= x+", "/%61%62c/./d/../e?q=%20x%2b", "h", "h"},
		{"GET //a//b///c HTTP/1.1", "/a/b/c", "//a//b///c", "h", "h"},
		{"GET /a\\b\\c HTTP/1.1", "/a/b/c", "/a\\b\\c", "h", "h"},
		/* %c0%af is an overlong '/': IDS personality converts it (best fit) */
		{"GET /x%c0%afy HTTP/1.1", "/x/y", "/x%c0%afy", "h", "h"},
		/* case is kept (Suricata turns off the IDS personality's lowercasing) */
		{"GET /UPPER/Case HTTP/1.1", "/UPPER/Case", "/UPPER/Case", "h", "h"},
		/* an absolute URI: http.uri is path + query only; the host comes from the URI */
		{"GET http://User:pw@Other.EXAMPLE:81/p?q#f HTTP/1.1", "/p?q#f", "http://User:pw@Other.EXAMPLE:81/p?q#f",
		 "other.example", "Other.EXAMPLE:81"},
		/* '+' stays '+' */
		{"GET /s?a+b=c%26d HTTP/1.1", "/s?a+b=c&d", "/s?a+b=c%26d", "h", "h"},
	};
	struct sw_app_http_config c = defaults();
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct fix x;
		char req[256];

		fix_open(&x, &c);
		snprintf(req, sizeof(req), "%s\r\nHost: h\r\n\r\n", v[i].line);
		assert_int_equal(feed(&x, true, req, 0), 0);
		assert_true(x.r.n >= 1);
		BUF(x.r.tx[0], SW_BUF_HTTP_URI, true, v[i].uri);
		BUF(x.r.tx[0], SW_BUF_HTTP_URI_RAW, true, v[i].raw);
		BUF(x.r.tx[0], SW_BUF_HTTP_HOST, true, v[i].host);
		BUF(x.r.tx[0], SW_BUF_HTTP_HOST_RAW, true, v[i].host_raw);
		fix_close(&x);
	}
}

static void test_double_decode(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	/* Off (default): %2541 decodes once to %41 (the query once, by us, as Suricata does). */
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET /%2541?b=%2542 HTTP/1.1\r\nHost: h\r\n\r\n", 0), 0);
	BUF(x.r.tx[0], SW_BUF_HTTP_URI, true, "/%41?b=%42");
	fix_close(&x);

	c.double_decode_path = true;
	c.double_decode_query = true;
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET /%2541?b=%2542 HTTP/1.1\r\nHost: h\r\n\r\n", 0), 0);
	BUF(x.r.tx[0], SW_BUF_HTTP_URI, true, "/A?b=B");
	fix_close(&x);
}

static void test_http09(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET /old.html\r\n", 0), 0);
	assert_true(x.r.n >= 1);
	assert_int_equal(x.r.st[0], SW_STAGE_REQ_HEADERS);
	BUF(x.r.tx[0], SW_BUF_HTTP_URI, true, "/old.html");
	BUF(x.r.tx[0], SW_BUF_HTTP_METHOD, true, "GET");
	BUF(x.r.tx[0], SW_BUF_HTTP_REQUEST_LINE, true, "GET /old.html");
	BUF(x.r.tx[0], SW_BUF_HTTP_PROTOCOL, true, NULL);
	BUF(x.r.tx[0], SW_BUF_HTTP_HEADER, true, NULL);
	BUF(x.r.tx[0], SW_BUF_HTTP_HEADER_NAMES, true, NULL);
	BUF(x.r.tx[0], SW_BUF_HTTP_START, true, "GET /old.html\r\n");
	BUF(x.r.tx[0], SW_BUF_HTTP_USER_AGENT, true, NULL);
	assert_int_equal(feed(&x, false, "<html>old</html>", 0), 0);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	fix_close(&x);
}

/* A server that answers before the request body ended: the body stage still sees the whole body. */
static void test_early_response(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234", 0), 0);
	assert_int_equal(feed(&x, false, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0), 0);
	assert_int_equal(x.r.n, 3);
	assert_int_equal(x.r.st[1], SW_STAGE_RESP_HEADERS);
	assert_int_equal(x.r.st[2], SW_STAGE_RESP_BODY);
	assert_int_equal(feed(&x, true, "56789", 0), 0);
	assert_int_equal(x.r.n, 5);
	assert_int_equal(x.r.st[3], SW_STAGE_REQ_BODY);
	assert_int_equal(x.r.st[4], SW_STAGE_TX_DONE);
	BUF(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, "0123456789");
	check_stages(&x.r, 1);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	assert_int_equal(x.r.n, 5);
	fix_close(&x);
}

static void test_response_without_request(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0), 0);
	/*
	 * The request headers first, with what libhtp made up for the missing
	 * request; its body stage (and so the end) waits for the request, here
	 * for the close.
	 */
	assert_int_equal(x.r.n, 3);
	assert_int_equal(x.r.st[0], SW_STAGE_REQ_HEADERS);
	assert_int_equal(x.r.st[1], SW_STAGE_RESP_HEADERS);
	assert_int_equal(x.r.st[2], SW_STAGE_RESP_BODY);
	BUF(x.r.tx[0], SW_BUF_HTTP_URI_RAW, true, "/libhtp::request_uri_not_seen");
	BUF(x.r.tx[0], SW_BUF_HTTP_METHOD, true, NULL);
	BUF(x.r.tx[0], SW_BUF_HTTP_RESPONSE_BODY, false, "hi");
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	fix_close(&x);
}

static void test_garbage_error(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	int rc;
	(void)state;

	/* An invalid chunk length in a request body makes libhtp give up. */
	fix_open(&x, &c);
	rc = feed(&x, true, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0);
	assert_int_equal(rc, -EPROTO);
	assert_int_equal(sw_http_stats(x.h)->parse_errors, 1);
	/* For good: both directions, counted once. */
	assert_int_equal(feed(&x, true, "GET / HTTP/1.1\r\n\r\n", 0), -EPROTO);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\n\r\n", 0), -EPROTO);
	assert_int_equal(sw_http_stats(x.h)->parse_errors, 1);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	fix_close(&x);

	/* So does a response Content-Length that is not a number. */
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0), 0);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nxyz", 0), -EPROTO);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	BUF(x.r.tx[0], SW_BUF_HTTP_CONTENT_LEN, false, "abc");
	fix_close(&x);

	/* Binary junk: whatever libhtp makes of it, stages stay exactly-once. */
	fix_open(&x, &c);
	{
		static const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n\x00\xff\r\n";

		feedn(&x, true, junk, sizeof(junk) - 1, 3);
		feedn(&x, false, junk, sizeof(junk) - 1, 5);
	}
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	{
		unsigned n_tx = 0;

		for (unsigned i = 0; i < x.r.n; i++)
			if (x.r.id[i] + 1 > n_tx)
				n_tx = (unsigned)x.r.id[i] + 1;
		check_stages(&x.r, n_tx);
	}
	fix_close(&x);
}

static void test_connect_tunnel(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n\x16\x03\x01", 0),
			 0);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03", 0), 0);
	/* Tunnelled bytes are not HTTP: ignored without error. */
	assert_int_equal(feed(&x, true, "\x16\x03\x01\x00\x05hello", 0), 0);
	assert_int_equal(feed(&x, false, "\x17\x03\x03\x00\x02zz", 0), 0);
	assert_int_equal(sw_http_stats(x.h)->parse_errors, 0);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	BUF(x.r.tx[0], SW_BUF_HTTP_METHOD, true, "CONNECT");
	BUF(x.r.tx[0], SW_BUF_HTTP_STAT_CODE, false, "200");
	fix_close(&x);
}

static void test_gap(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0), 0);
	sw_http_gap(x.h, x.hf, false);
	sw_http_gap(x.h, x.hf, false);
	assert_int_equal(sw_http_stats(x.h)->gaps, 1);
	assert_int_equal(feed(&x, false, "HTTP/1.1 200 OK\r\n\r\n", 0), 0);
	sw_http_flow_close(x.h, x.hf, 3000000, on_emit, &x.r);
	check_stages(&x.r, 1);
	BUF(x.r.tx[0], SW_BUF_HTTP_STAT_CODE, false, NULL);
	fix_close(&x);
}

static void test_memcap(void **state)
{
	struct sw_app_http_config c = defaults();
	struct sw_http *h;
	struct sw_http_flow *f[8] = {0};
	unsigned ok = 0;
	(void)state;

	/* 2 workers share 40000 bytes: room for two parsers each. */
	c.memcap = 40000;
	h = sw_http_new(&c, 2);
	assert_non_null(h);
	for (unsigned i = 0; i < 8; i++) {
		f[i] = sw_http_flow_new(h, NULL, 0);
		ok += f[i] != NULL;
	}
	assert_int_equal(ok, 2);
	assert_int_equal(sw_http_stats(h)->memcap, 6);
	assert_true(sw_http_stats(h)->memuse <= 20000);
	assert_int_equal(sw_http_stats(h)->memuse_max, sw_http_stats(h)->memuse);
	sw_http_flow_free(h, f[0]);
	f[0] = sw_http_flow_new(h, NULL, 0);
	assert_non_null(f[0]);
	for (unsigned i = 0; i < 8; i++)
		sw_http_flow_free(h, f[i]);
	assert_int_equal(sw_http_stats(h)->memuse, 0);
	sw_http_free(h);
}

/* The memcap also stops bodies from growing: the body stage comes early. */
static void test_memcap_body(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	static char body[20000];
	const uint8_t *p;
	uint32_t len;
	(void)state;

	c.memcap = 16384;
	memset(body, 'x', sizeof(body));
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20000\r\n\r\n", 0), 0);
	assert_int_equal(feedn(&x, true, body, sizeof(body), 1000), 0);
	assert_int_equal(x.r.n, 2);
	assert_true(sw_http_tx_buf(x.r.tx[0], SW_BUF_HTTP_REQUEST_BODY, true, 0, &p, &len));
	assert_true(len < sizeof(body));
	assert_true(sw_http_stats(x.h)->memuse <= 16384);
	assert_true(sw_http_stats(x.h)->memcap >= 1); /* the cut is counted */
	fix_close(&x);
}

/* A 10 KB User-Agent and URI: the rules see all of it, the EVE object at most 6 KiB of JSON of each. */
static void test_eve_long_fields(void **state)
{
	struct sw_app_http_config c = defaults();
	static char req[32768], b[65536];
	struct sw_json j = {.b = b, .len = 0, .cap = sizeof(b) - 1};
	const char *ua, *end;
	struct fix x;
	int n;
	(void)state;

	/* the URI is 10,000 'u', the User-Agent 10,000 'a' */
	n = snprintf(req, sizeof(req), "GET /");
	memset(req + n, 'u', 10000);
	n += 10000;
	n += snprintf(req + n, sizeof(req) - (size_t)n, " HTTP/1.1\r\nHost: a\r\nUser-Agent: ");
	memset(req + n, 'a', 10000);
	n += 10000;
	snprintf(req + n, sizeof(req) - (size_t)n, "\r\n\r\n");
	fix_open(&x, &c);
	assert_int_equal(feed(&x, true, req, 0), 0);
	assert_int_equal(x.r.n, 2); /* request headers and (no) body */
	{
		const uint8_t *p;
		uint32_t len;

		assert_true(sw_http_tx_buf(x.r.tx[0], SW_BUF_HTTP_USER_AGENT, true, 0, &p, &len));
		assert_int_equal(len, 10000);
	}
	b[j.len++] = '{';
	sw_http_tx_eve(x.r.tx[0], &j);
	b[j.len++] = '}';
	b[j.len] = '\0';
	assert_false(j.overflow);
	ua = strstr(b, "\"http_user_agent\":\"");
	assert_non_null(ua);
	ua += strlen("\"http_user_agent\":\"");
	end = strchr(ua, '"');
	assert_non_null(end);
	assert_int_equal(end - ua, 6144);
	assert_true(j.len < 2 * 6144 + 1024);
	fix_close(&x);
}

static void test_eve(void **state)
{
	struct sw_app_http_config c = defaults();
	struct fix x;
	char b[2048];
	struct sw_json j = {.b = b, .len = 0, .cap = sizeof(b) - 1};
	(void)state;

	fix_open(&x, &c);
	assert_int_equal(feed(&x, true,
			      "GET http://Www.Example.com:8080/a?b HTTP/1.1\r\n"
			      "Host: www.example.com:8080\r\n"
			      "User-Agent: UA \"q\" \xff\r\n"
			      "Referer: http://r/\r\n"
			      "X-Forwarded-For: 1.2.3.4\r\n\r\n",
			      0),
			 0);
	assert_int_equal(feed(&x, false,
			      "HTTP/1.1 301 Moved\r\n"
			      "Content-Type: text/html; charset=x\r\n"
			      "Location: https://x/\r\n"
			      "Content-Range: bytes 0-3/10\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
			      0),
			 0);
	b[j.len++] = '{';
	sw_http_tx_eve(x.r.tx[0], &j);
	b[j.len++] = '}';
	b[j.len] = '\0';
	assert_false(j.overflow);
	assert_string_equal(b, "{\"http\":{\"hostname\":\"www.example.com\",\"http_port\":8080,"
			       "\"url\":\"http://Www.Example.com:8080/a?b\","
			       "\"http_user_agent\":\"UA \\\"q\\\" \\u00ff\",\"xff\":\"1.2.3.4\","
			       "\"http_content_type\":\"text/html\","
			       "\"content_range\":{\"raw\":\"bytes 0-3/10\",\"start\":0,\"end\":3,\"size\":10},"
			       "\"http_refer\":\"http://r/\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.1\","
			       "\"status\":301,\"redirect\":\"https://x/\",\"length\":12}}");

	/* length is libhtp's response_message_len, the body as transferred
	 * (chunk framing included), which is what Suricata logs. */

	/* Request only: no status, length 0. */
	j.len = 0;
	{
		struct fix y;

		fix_open(&y, &c);
		assert_int_equal(feed(&y, true, "GET / HTTP/1.0\r\n\r\n", 0), 0);
		b[j.len++] = '{';
		sw_http_tx_eve(y.r.tx[0], &j);
		b[j.len++] = '}';
		b[j.len] = '\0';
		assert_string_equal(b, "{\"http\":{\"url\":\"/\",\"http_method\":\"GET\",\"protocol\":\"HTTP/1.0\",\"length\":0}}");
		fix_close(&y);
	}
	fix_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffers_all_splits),
		cmocka_unit_test(test_stage_order_and_close),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_gc_between),
		cmocka_unit_test(test_chunked_gzip),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_uri_normalisation),
		cmocka_unit_test(test_double_decode),
		cmocka_unit_test(test_http09),
		cmocka_unit_test(test_early_response),
		cmocka_unit_test(test_eve_long_fields),
		cmocka_unit_test(test_response_without_request),
		cmocka_unit_test(test_garbage_error),
		cmocka_unit_test(test_connect_tunnel),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_memcap_body),
		cmocka_unit_test(test_eve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
