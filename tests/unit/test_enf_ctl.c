// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The operator control line's parser: each command with and without its
 * optional words, then one row per malformed line with the exact answer
 * the daemon sends back (the e2e test and the CLI's exit status rely on
 * the "error: " prefix).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nft/ctl.h"

struct good {
	const char *line;
	enum sw_enf_ctl_verb verb;
	uint8_t op;
	const char *cidr; /* what sw_cidr_parse() makes of it */
	uint32_t ttl;
	const char *reason;
};

static const struct good goods[] = {
	{ "list", SW_ENF_CTL_LIST, 0, NULL, 0, NULL },
	{ "stats\r\n", SW_ENF_CTL_STATS, 0, NULL, 0, NULL },
	{ "  list extra words ignored", SW_ENF_CTL_LIST, 0, NULL, 0, NULL },
	{ "block 10.0.0.0/24", SW_ENF_CTL_REQUEST, SW_OP_BLOCK, "10.0.0.0/24", 0, "" },
	{ "block 10.0.0.7 60", SW_ENF_CTL_REQUEST, SW_OP_BLOCK, "10.0.0.7", 60, "" },
	{ "block 10.77.1.128/28 30 merge-test", SW_ENF_CTL_REQUEST, SW_OP_BLOCK, "10.77.1.128/28", 30,
	  "merge-test" },
	{ "block 10.0.0.1/8 4294967295 a  reason\twith blanks", SW_ENF_CTL_REQUEST, SW_OP_BLOCK,
	  "10.0.0.0/8", UINT32_MAX, "a  reason\twith blanks" },
	{ "block\t2001:db8::/32\t0\tv6\r\n", SW_ENF_CTL_REQUEST, SW_OP_BLOCK, "2001:db8::/32", 0, "v6" },
	{ "unblock 10.0.0.0/24", SW_ENF_CTL_REQUEST, SW_OP_UNBLOCK, "10.0.0.0/24", 0, "" },
	/* no TTL word for the others: the rest of the line is the reason */
	{ "unblock 10.0.0.0/24 60 fixed", SW_ENF_CTL_REQUEST, SW_OP_UNBLOCK, "10.0.0.0/24", 0,
	  "60 fixed" },
	{ "quarantine 10.77.1.2", SW_ENF_CTL_REQUEST, SW_OP_QUARANTINE, "10.77.1.2", 0, "" },
	{ "quarantine 10.77.1.2/32 lateral movement", SW_ENF_CTL_REQUEST, SW_OP_QUARANTINE,
	  "10.77.1.2", 0, "lateral movement" },
	{ "release 2001:db8::1", SW_ENF_CTL_REQUEST, SW_OP_RELEASE, "2001:db8::1", 0, "" },
	{ "release ::ffff:10.0.0.1/128", SW_ENF_CTL_REQUEST, SW_OP_RELEASE, "::ffff:10.0.0.1", 0, "" },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct sw_enf_ctl_cmd cmd;
		char line[512], err[256] = "";
		struct sw_ip ip;
		uint8_t prefix;

		print_message("%s\n", g->line);
		snprintf(line, sizeof(line), "%s", g->line);
		assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), 0);
		assert_int_equal(cmd.verb, g->verb);
		if (g->verb != SW_ENF_CTL_REQUEST)
			continue;
		assert_int_equal(cmd.req.op, g->op);
		assert_int_equal(sw_cidr_parse(g->cidr, &ip, &prefix), 0);
		assert_true(sw_ip_eq(&cmd.req.ip, &ip));
		assert_int_equal(cmd.req.prefix, prefix);
		assert_int_equal(cmd.req.ttl, g->ttl);
		assert_string_equal(cmd.req.reason, g->reason);
		assert_int_equal(cmd.req.counter, 0);
		assert_int_equal(cmd.req.timestamp, 0);
	}
}

struct badline {
	const char *line;
	const char *answer; /* exactly */
};

static const struct badline bads[] = {
	{ "", "error: empty command\n" },
	{ " \t\r\n", "error: empty command\n" },
	{ "flush", SW_ENF_CTL_USAGE },
	{ "LIST", SW_ENF_CTL_USAGE },
	{ "block", SW_ENF_CTL_USAGE },
	{ "unblock   ", SW_ENF_CTL_USAGE },
	{ "block 10.0.0.300", SW_ENF_CTL_USAGE },
	{ "block 10.0.0.0/33", SW_ENF_CTL_USAGE },
	{ "block 2001:db8::/129", SW_ENF_CTL_USAGE },
	{ "block host.example", SW_ENF_CTL_USAGE },
	{ "unblock 10.0.0.0/", SW_ENF_CTL_USAGE },
	/* quarantine and release take one address, not a network */
	{ "quarantine 10.0.0.0/24", SW_ENF_CTL_USAGE },
	{ "release 2001:db8::/64", SW_ENF_CTL_USAGE },
	{ "block 10.0.0.1 soon", "error: TTL 'soon' is not a number\n" },
	{ "block 10.0.0.1 60s why", "error: TTL '60s' is not a number\n" },
	{ "block 10.0.0.1 4294967296", "error: TTL '4294967296' is not a number\n" },
	{ "block 10.0.0.1 99999999999999999999999", "error: TTL '99999999999999999999999' is not a number\n" },
	/* strtoul() took these; "-4294967295" wrapped round to 1 second */
	{ "block 10.0.0.1 -4294967295", "error: TTL '-4294967295' is not a number\n" },
	{ "block 10.0.0.1 +60", "error: TTL '+60' is not a number\n" },
	{ "block 10.0.0.1 0x3c", "error: TTL '0x3c' is not a number\n" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct sw_enf_ctl_cmd cmd;
		char line[512], err[256] = "";

		print_message("%s\n", bads[i].line);
		snprintf(line, sizeof(line), "%s", bads[i].line);
		assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bads[i].answer);
	}
}

/* A reason longer than the protocol allows is cut, as the daemon always did. */
static void test_long_reason(void **state)
{
	struct sw_enf_ctl_cmd cmd;
	char line[512], err[64];
	size_t n;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line), "block 10.0.0.1 60 ");
	memset(line + n, 'r', 300);
	line[n + 300] = '\0';
	assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), 0);
	assert_int_equal(strlen(cmd.req.reason), SW_PROTO_REASON_MAX);
	assert_int_equal(cmd.req.reason[0], 'r');
}

/* The whole answer, or as much as fits, always NUL-terminated. */
static void test_err_buffer(void **state)
{
	struct sw_enf_ctl_cmd cmd;
	char line[64], err[12];

	(void)state;
	memset(err, 'X', sizeof(err));
	snprintf(line, sizeof(line), "bogus");
	assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, 8), -EINVAL);
	assert_string_equal(err, "error: ");
	assert_int_equal(err[8], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_reason),
		cmocka_unit_test(test_err_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
