// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The blocklist line parser behind `sidewall-enforcer import`: the lines of
 * the formats operators feed it (FireHOL netsets, Spamhaus DROP), comments
 * and blanks, then one row per malformed line with the exact message the
 * import answer quotes; and the `import [TTL] [NAME]` command line.
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
	const char *cidr; /* what sw_cidr_parse() makes of it; NULL: a comment or blank */
};

static const struct good goods[] = {
	/* FireHOL netset */
	{ "#\n", NULL },
	{ "# FireHOL level 1: the maintainers' header\n", NULL },
	{ "1.10.16.0/20\n", "1.10.16.0/20" },
	{ "5.188.10.179\n", "5.188.10.179" },
	{ "5.188.10.179/32", "5.188.10.179" },
	/* Spamhaus DROP, CRLF too */
	{ "; Spamhaus DROP List 2026/12/06 - (c) 2026 The Spamhaus Project SLRO\n", NULL },
	{ "1.10.16.0/20 ; SBL256894\n", "1.10.16.0/20" },
	{ "1.19.0.0/16 ; SBL434604\r\n", "1.19.0.0/16" },
	{ "2001:db8:100::/48 ; SBL123456\n", "2001:db8:100::/48" },
	/* blanks and comments around the CIDR */
	{ "", NULL },
	{ "\n", NULL },
	{ " \t\r\n", NULL },
	{ "   ; indented comment", NULL },
	{ "\t10.0.0.0/8\t", "10.0.0.0/8" },
	{ "10.0.0.0/8#no blank before the comment", "10.0.0.0/8" },
	{ "10.0.0.0/8;SBL1", "10.0.0.0/8" },
	/* host bits beyond the prefix are cleared, as nft does */
	{ "192.0.2.77/24\n", "192.0.2.0/24" },
	{ "2001:db8::1/32", "2001:db8::/32" },
	{ "::/0", "::/0" }, /* parsed; the daemon's policy refuses /0 */
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		char err[160] = "";
		struct sw_ip ip, want;
		uint8_t prefix, wprefix;
		int r;

		print_message("%s\n", g->line);
		r = sw_enf_import_parse(g->line, strlen(g->line), &ip, &prefix, err, sizeof(err));
		if (!g->cidr) {
			assert_int_equal(r, 1);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(sw_cidr_parse(g->cidr, &want, &wprefix), 0);
		assert_true(sw_ip_eq(&ip, &want));
		assert_int_equal(prefix, wprefix);
	}
}

struct bad {
	const char *line;
	const char *err; /* exactly */
};

static const struct bad bads[] = {
	{ "not-an-address\n", "'not-an-address' is not an address or CIDR" },
	{ "10.0.0.300\n", "'10.0.0.300' is not an address or CIDR" },
	{ "10.0.0.0/33", "'10.0.0.0/33' is not an address or CIDR" },
	{ "10.0.0.0/", "'10.0.0.0/' is not an address or CIDR" },
	{ "10.0.0.0/-1", "'10.0.0.0/-1' is not an address or CIDR" },
	{ "2001:db8::/129", "'2001:db8::/129' is not an address or CIDR" },
	{ "host.example.com", "'host.example.com' is not an address or CIDR" },
	/* a format we do not know: refused, not half read */
	{ "10.0.0.0/8 SBL123\n", "'SBL123' after the CIDR: only a '#' or ';' comment may follow" },
	{ "10.0.0.0,10.0.0.1", "'10.0.0.0,10.0.0.1' is not an address or CIDR" },
	{ "10.0.0.1 - 10.0.0.9", "'- 10.0.0.9' after the CIDR: only a '#' or ';' comment may follow" },
	/* quoted printable and cut to 40 bytes: it goes to a terminal */
	{ "10.0.0.\x1b[2J", "'10.0.0.?[2J' is not an address or CIDR" },
	{ "0123456789012345678901234567890123456789012345678901234567890123456789",
	  "'0123456789012345678901234567890123456789...' is not an address or CIDR" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char err[160] = "";
		struct sw_ip ip;
		uint8_t prefix;

		print_message("%s\n", bads[i].line);
		assert_int_equal(sw_enf_import_parse(bads[i].line, strlen(bads[i].line), &ip, &prefix, err,
						     sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, bads[i].err);
	}
}

/* The length bounds the line: no NUL needed, and bytes after it are not read. */
static void test_len(void **state)
{
	const char buf[] = "10.1.2.0/24 garbage beyond the length";
	char err[160];
	struct sw_ip ip;
	uint8_t prefix;

	(void)state;
	assert_int_equal(sw_enf_import_parse(buf, 11, &ip, &prefix, err, sizeof(err)), 0);
	assert_int_equal(prefix, 24);
	assert_int_equal(sw_enf_import_parse(buf, 0, &ip, &prefix, err, sizeof(err)), 1);
	/* an embedded NUL is not the end of the token */
	assert_int_equal(sw_enf_import_parse("10.0.0.1\0/8", 11, &ip, &prefix, err, sizeof(err)), -EINVAL);
	/* a small error buffer still ends in NUL */
	memset(err, 'X', sizeof(err));
	assert_int_equal(sw_enf_import_parse("nope", 4, &ip, &prefix, err, 6), -EINVAL);
	assert_string_equal(err, "'nope");
}

/* The command line in front of the list. */
static void test_header(void **state)
{
	struct sw_enf_ctl_cmd cmd;
	char line[512], err[256];

	(void)state;
	snprintf(line, sizeof(line), "import 600 drop.txt\n");
	assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.verb, SW_ENF_CTL_IMPORT);
	assert_int_equal(cmd.req.op, SW_OP_BLOCK);
	assert_int_equal(cmd.req.ttl, 600);
	assert_string_equal(cmd.req.reason, "import drop.txt");
	snprintf(line, sizeof(line), "import");
	assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.verb, SW_ENF_CTL_IMPORT);
	assert_int_equal(cmd.req.ttl, 0);
	assert_string_equal(cmd.req.reason, "import -");
	snprintf(line, sizeof(line), "import soon x");
	assert_int_equal(sw_enf_ctl_parse(line, &cmd, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "error: TTL 'soon' is not a number\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
