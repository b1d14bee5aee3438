/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSH banners and packets (engine/app/ssh.c): the fields Suricata extracts
 * from each identification line, the stage order, the end of the cleartext
 * part at NEWKEYS, line ends (LF, CRLF, lone CR) and cuts at every byte, long
 * and invalid banners, and the "ssh" EVE object.
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

#include "engine/app/ssh.h"
#include "engine/output/eve.h"

/* OpenSSH 9.2 on Debian 12, as it introduces itself (RFC 4253 4.2) */
#define CLI_BANNER "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
#define SRV_BANNER "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n"

/* binary packets (RFC 4253 6): uint32 packet_length, padding_length, payload (msg code first), padding */
static const uint8_t kexinit[] = { 0, 0, 0, 12, 6, 20, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0 };
static const uint8_t newkeys[] = { 0, 0, 0, 12, 10, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t encrypted[] = { 0x9a, 0x11, 0x00, 0x00, 0x00, 0x01, 0x42 }; /* ciphertext: never parsed */

struct rec {
	uint8_t stages[8];
	unsigned n;
	unsigned seen;
	struct sw_app_tx *tx;
};

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct rec *r = ctx;

	assert_int_equal(tx->proto, SW_APP_SSH);
	assert_false(r->seen & (1u << st));
	assert_int_equal(sw_app_stage_needs(st) & ~r->seen, 0);
	r->seen |= 1u << st;
	r->stages[r->n++] = (uint8_t)st;
	r->tx = tx;
}

static void expect_buf(struct sw_app_tx *tx, enum sw_bufid b, bool ts, const char *want)
{
	const uint8_t *p;
	uint32_t n;

	if (!want) {
		assert_false(sw_ssh_tx_buf(tx, b, ts, 0, &p, &n));
		return;
	}
	assert_true(sw_ssh_tx_buf(tx, b, ts, 0, &p, &n));
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
	assert_false(sw_ssh_tx_buf(tx, b, ts, 1, &p, &n));
}

/* The whole exchange fed in pieces of @step bytes (0: each direction's bytes at once). */
static void session(unsigned step)
{
	struct sw_ssh *s = sw_ssh_new();
	struct sw_ssh_flow *sf = sw_ssh_flow_new(s);
	struct rec r = { 0 };
	uint8_t cli[256], srv[256];
	size_t nc = 0, ns = 0;
	char jb[1024];
	struct sw_json j = {.b = jb, .len = 0, .cap = sizeof(jb) - 1};

	memcpy(cli + nc, CLI_BANNER, strlen(CLI_BANNER));
	nc += strlen(CLI_BANNER);
	memcpy(cli + nc, kexinit, sizeof(kexinit));
	nc += sizeof(kexinit);
	memcpy(cli + nc, newkeys, sizeof(newkeys));
	nc += sizeof(newkeys);
	memcpy(cli + nc, encrypted, sizeof(encrypted));
	nc += sizeof(encrypted);
	memcpy(srv + ns, SRV_BANNER, strlen(SRV_BANNER));
	ns += strlen(SRV_BANNER);
	memcpy(srv + ns, kexinit, sizeof(kexinit));
	ns += sizeof(kexinit);
	memcpy(srv + ns, newkeys, sizeof(newkeys));
	ns += sizeof(newkeys);

	/* client banner first, then the server's, then the rest of each */
	for (size_t o = 0; o < strlen(CLI_BANNER);) {
		size_t n = step ? step : strlen(CLI_BANNER);

		n = n < strlen(CLI_BANNER) - o ? n : strlen(CLI_BANNER) - o;
		assert_int_equal(sw_ssh_data(s, sf, true, cli + o, (uint32_t)n, on_emit, &r), 0);
		o += n;
	}
	assert_int_equal(r.seen, 1u << SW_STAGE_REQ_HEADERS | 1u << SW_STAGE_REQ_BODY);
	for (size_t o = 0; o < ns;) {
		size_t n = step ? step : ns;

		n = n < ns - o ? n : ns - o;
		assert_int_equal(sw_ssh_data(s, sf, false, srv + o, (uint32_t)n, on_emit, &r), 0);
		o += n;
	}
	assert_int_equal(r.n, 4); /* both banners: the logging waits for the client's NEWKEYS */
	assert_false(sw_ssh_encrypted(sf));
	for (size_t o = strlen(CLI_BANNER); o < nc;) {
		size_t n = step ? step : nc;

		n = n < nc - o ? n : nc - o;
		assert_int_equal(sw_ssh_data(s, sf, true, cli + o, (uint32_t)n, on_emit, &r), 0);
		o += n;
	}
	assert_true(sw_ssh_encrypted(sf));
	assert_int_equal(r.n, 5);
	assert_int_equal(r.stages[0], SW_STAGE_REQ_HEADERS);
	assert_int_equal(r.stages[1], SW_STAGE_REQ_BODY);
	assert_int_equal(r.stages[2], SW_STAGE_RESP_HEADERS);
	assert_int_equal(r.stages[3], SW_STAGE_RESP_BODY);
	assert_int_equal(r.stages[4], SW_STAGE_TX_DONE);
	expect_buf(r.tx, SW_BUF_SSH_PROTO, true, "2.0");
	expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, "OpenSSH_9.2p1");
	expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, false, "OpenSSH_8.4p1");
	sw_ssh_tx_eve(r.tx, &j);
	jb[j.len] = '\0';
	assert_string_equal(jb, "\"ssh\":{\"client\":{\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_9.2p1\"},"
				"\"server\":{\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_8.4p1\"}}");
	sw_ssh_flow_close(s, sf, on_emit, &r);
	assert_int_equal(r.n, 5); /* nothing left to report */
	assert_int_equal(sw_ssh_stats(s)->tx, 1);
	assert_int_equal(sw_ssh_stats(s)->invalid, 0);
	sw_ssh_flow_free(s, sf);
	sw_ssh_free(s);
}

static void test_session(void **state)
{
	(void)state;
	session(0);
	for (unsigned step = 1; step <= 7; step++)
		session(step);
}

/* One direction's bytes, then the flow closed; returns the rc of the feed. */
static int one(const void *bytes, size_t len, struct rec *r, struct sw_ssh **sp, struct sw_ssh_flow **fp)
{
	*sp = sw_ssh_new();
	*fp = sw_ssh_flow_new(*sp);
	return sw_ssh_data(*sp, *fp, true, bytes, (uint32_t)len, on_emit, r);
}

static void done(struct sw_ssh *s, struct sw_ssh_flow *sf, struct rec *r)
{
	sw_ssh_flow_close(s, sf, on_emit, r);
	assert_int_equal(r->seen, (1u << SW_STAGE_N) - 1); /* every stage exactly once (on_emit checks) */
	sw_ssh_flow_free(s, sf);
	sw_ssh_free(s);
}

static void test_line_ends(void **state)
{
	static const char *const ok[] = {
		"SSH-2.0-PuTTY_Release_0.78\n",            /* LF only */
		"SSH-2.0-PuTTY_Release_0.78\r",            /* a lone CR ends the line too */
		"SSH-2.0-PuTTY_Release_0.78 comment\r\n",  /* comments after a space are not the software */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct rec r = { 0 };
		struct sw_ssh *s;
		struct sw_ssh_flow *sf;

		assert_int_equal(one(ok[i], strlen(ok[i]), &r, &s, &sf), 0);
		assert_int_equal(r.n, 2);
		expect_buf(r.tx, SW_BUF_SSH_PROTO, true, "2.0");
		expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, "PuTTY_Release_0.78");
		expect_buf(r.tx, SW_BUF_SSH_PROTO, false, NULL); /* the server said nothing */
		done(s, sf, &r);
	}
	{
		/* CR, then the LF in the next call, then a packet: the LF is not read as a packet byte */
		struct rec r = { 0 };
		struct sw_ssh *s;
		struct sw_ssh_flow *sf;

		assert_int_equal(one("SSH-1.99-Cisco-1.25\r", 20, &r, &s, &sf), 0);
		assert_int_equal(sw_ssh_data(s, sf, true, (const uint8_t *)"\n", 1, on_emit, &r), 0);
		assert_int_equal(sw_ssh_data(s, sf, true, newkeys, sizeof(newkeys), on_emit, &r), 0);
		expect_buf(r.tx, SW_BUF_SSH_PROTO, true, "1.99");
		expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, "Cisco-1.25");
		assert_int_equal(sw_ssh_stats(s)->invalid, 0);
		done(s, sf, &r);
	}
}

static void test_bad(void **state)
{
	static const uint8_t short_pkt[] = { 0, 0, 0, 1, 0, 20 }; /* packet_length 1: refused (Suricata: > 1) */
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n", /* not a banner */
		"SSH-2.0\r\n",        /* no '-' after the protocol version */
		"SSH--x\r\n",         /* empty protocol version */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec r = { 0 };
		struct sw_ssh *s;
		struct sw_ssh_flow *sf;

		assert_int_equal(one(bad[i], strlen(bad[i]), &r, &s, &sf), -EPROTO);
		assert_int_equal(sw_ssh_stats(s)->invalid, 1);
		/* the stopped direction is done: its stages ran, with no buffers */
		assert_true(r.seen & (1u << SW_STAGE_REQ_HEADERS));
		expect_buf(r.tx, SW_BUF_SSH_PROTO, true, NULL);
		/* and nothing more is read from it */
		assert_int_equal(sw_ssh_data(s, sf, true, (const uint8_t *)CLI_BANNER, strlen(CLI_BANNER), on_emit, &r),
				 0);
		expect_buf(r.tx, SW_BUF_SSH_PROTO, true, NULL);
		done(s, sf, &r);
	}
	{
		struct rec r = { 0 };
		struct sw_ssh *s;
		struct sw_ssh_flow *sf;

		assert_int_equal(one(CLI_BANNER, strlen(CLI_BANNER), &r, &s, &sf), 0);
		assert_int_equal(sw_ssh_data(s, sf, true, short_pkt, sizeof(short_pkt), on_emit, &r), -EPROTO);
		assert_int_equal(sw_ssh_stats(s)->invalid, 1);
		expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, "OpenSSH_9.2p1"); /* what came before stays */
		done(s, sf, &r);
	}
}

static void test_long_banner(void **state)
{
	char b[400];
	struct rec r = { 0 };
	struct sw_ssh *s;
	struct sw_ssh_flow *sf;
	const uint8_t *p;
	uint32_t n;

	(void)state;
	memcpy(b, "SSH-2.0-", 8);
	memset(b + 8, 'A', 300);
	memcpy(b + 308, " x\r\n", 4);
	/* the banner cut at 256 bytes, the rest of its line skipped, the next packet read */
	assert_int_equal(one(b, 200, &r, &s, &sf), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(sw_ssh_data(s, sf, true, (const uint8_t *)b + 200, 112, on_emit, &r), 0);
	assert_int_equal(sw_ssh_stats(s)->long_banner, 1);
	assert_true(sw_ssh_tx_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, 0, &p, &n));
	assert_int_equal(n, 256 - 8);
	assert_int_equal(sw_ssh_data(s, sf, true, newkeys, sizeof(newkeys), on_emit, &r), 0);
	assert_int_equal(sw_ssh_stats(s)->invalid, 0);
	done(s, sf, &r);
}

/*
 * An empty softwareversion: Suricata's ssh_parse_banner takes
 * alt((complete(is_not(" \r\n")), rest)), and is_not matches nothing at a
 * space, so the software is the rest of the line, comments included.
 */
static void test_empty_software(void **state)
{
	struct rec r = { 0 };
	struct sw_ssh *s;
	struct sw_ssh_flow *sf;

	(void)state;
	assert_int_equal(one("SSH-2.0- libssh comment\r\n", 25, &r, &s, &sf), 0);
	expect_buf(r.tx, SW_BUF_SSH_PROTO, true, "2.0");
	expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, " libssh comment");
	done(s, sf, &r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(one("SSH-Single-\n", 12, &r, &s, &sf), 0); /* Suricata's own test: no software */
	expect_buf(r.tx, SW_BUF_SSH_PROTO, true, "Single");
	expect_buf(r.tx, SW_BUF_SSH_SOFTWARE, true, NULL);
	done(s, sf, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_banner),
		cmocka_unit_test(test_empty_software),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
