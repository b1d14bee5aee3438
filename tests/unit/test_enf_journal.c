// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The enforcer journal's line parser: every form the daemon writes, read
 * back field by field; then one row per way a line can be broken, each
 * rejected with -EINVAL and a message quoting the token.
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

#include "nft/journal.h"

struct good {
	const char *line;
	char op, kind;
	const char *cidr; /* what sw_cidr_parse() makes of it */
	uint64_t expires, counter;
	const char *who, *reason;
};

static const struct good goods[] = {
	{ "+ b 10.0.0.0/24 1790000000 sensor1 reason text", '+', 'b', "10.0.0.0/24", 1790000000, 0,
	  "sensor1", "reason text" },
	/* what jr_entry() writes for an empty reason: a trailing blank */
	{ "+ b 10.0.0.1/32 1790000000 operator ", '+', 'b', "10.0.0.1", 1790000000, 0, "operator", "" },
	{ "+ b 10.0.0.1/32 1790000000 operator", '+', 'b', "10.0.0.1", 1790000000, 0, "operator", "" },
	{ "+ q 192.0.2.7/32 0 operator hold for forensics", '+', 'q', "192.0.2.7", 0, 0, "operator",
	  "hold for forensics" },
	{ "+ b 2001:db8::/48 1790000000 s2 v6  two  blanks kept", '+', 'b', "2001:db8::/48", 1790000000,
	  0, "s2", "v6  two  blanks kept" },
	{ "+ q ::1/128 5 s ", '+', 'q', "::1", 5, 0, "s", "" },
	/* host bits are cleared, as everywhere else */
	{ "+ b 10.1.2.3/8 1 s x", '+', 'b', "10.0.0.0/8", 1, 0, "s", "x" },
	{ "+ b 10.0.0.0/24 4294967295 s r", '+', 'b', "10.0.0.0/24", UINT32_MAX, 0, "s", "r" },
	{ "+\tb\t10.0.0.0/24\t7\ts\tr\tx\n", '+', 'b', "10.0.0.0/24", 7, 0, "s", "r\tx\n" },
	{ "- b 10.0.0.0/24", '-', 'b', "10.0.0.0/24", 0, 0, "", NULL },
	{ "- q 2001:db8::5/128\n", '-', 'q', "2001:db8::5", 0, 0, "", NULL },
	{ "- b 10.0.0.0/24   ", '-', 'b', "10.0.0.0/24", 0, 0, "", NULL },
	{ "c sensor1 12345", 'c', 0, NULL, 0, 12345, "sensor1", NULL },
	{ "c sensor1 0\r\n", 'c', 0, NULL, 0, 0, "sensor1", NULL },
	{ "c s 18446744073709551615", 'c', 0, NULL, 0, UINT64_MAX, "s", NULL },
	{ "c 0123456789012345678901234567890123456789012345678901234567890ab 1", 'c', 0, NULL, 0, 1,
	  "0123456789012345678901234567890123456789012345678901234567890ab", NULL },
};

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct sw_enf_jline j;
		struct sw_ip ip;
		uint8_t prefix;
		char err[160] = "";

		print_message("%s\n", g->line);
		assert_int_equal(sw_enf_journal_parse(g->line, &j, err, sizeof(err)), 0);
		assert_int_equal(j.op, g->op);
		assert_string_equal(j.who, g->who);
		if (g->op == 'c') {
			assert_int_equal(j.counter, g->counter);
			continue;
		}
		assert_int_equal(j.kind, g->kind);
		assert_int_equal(sw_cidr_parse(g->cidr, &ip, &prefix), 0);
		assert_true(sw_ip_eq(&j.ip, &ip));
		assert_int_equal(j.prefix, prefix);
		if (g->op == '+') {
			assert_int_equal(j.expires, g->expires);
			assert_string_equal(j.reason, g->reason);
			/* borrowed from the line, not copied */
			assert_true(j.reason >= g->line && j.reason <= g->line + strlen(g->line));
		}
	}
}

struct badline {
	const char *line;
	const char *msg; /* a piece of the message: the token it must quote */
};

#define LONG64 "0123456789012345678901234567890123456789012345678901234567890abc"

static const struct badline bads[] = {
	{ "", "empty line" },
	{ "   \t\r\n", "empty line" },
	{ "x b 10.0.0.0/24", "unknown operation 'x'" },
	{ " - b 10.0.0.0/24", "'-' is indented" },
	{ "++ b 10.0.0.0/24 1 s", "unknown operation '++'" },
	{ "+b 10.0.0.0/24 1 s r", "unknown operation '+b'" },
	/* '+' lines, each field missing in turn */
	{ "+", "missing kind" },
	{ "+ b", "missing CIDR" },
	{ "+ b 10.0.0.0/24", "missing expiry" },
	{ "+ b 10.0.0.0/24 1790000000", "missing sensor name" },
	{ "+ b 10.0.0.0/24 1790000000 ", "missing sensor name" },
	/* and each one wrong */
	{ "+ x 10.0.0.0/24 1 s r", "kind 'x'" },
	{ "+ bq 10.0.0.0/24 1 s r", "kind 'bq'" },
	{ "+ b 10.0.0.300/24 1 s r", "'10.0.0.300/24' is not a CIDR" },
	{ "+ b 10.0.0.0/33 1 s r", "'10.0.0.0/33' is not a CIDR" },
	{ "+ b 2001:db8::/129 1 s r", "'2001:db8::/129' is not a CIDR" },
	{ "+ b 2001:db8:::1/64 1 s r", "'2001:db8:::1/64' is not a CIDR" },
	{ "+ b 10.0.0.0/ 1 s r", "'10.0.0.0/' is not a CIDR" },
	{ "+ b /24 1 s r", "'/24' is not a CIDR" },
	{ "+ b 10.0.0.0/-1 1 s r", "'10.0.0.0/-1' is not a CIDR" },
	{ "+ b 10.0.0.0/24 -1 s r", "expiry '-1' is not a decimal number" },
	{ "+ b 10.0.0.0/24 +1 s r", "expiry '+1' is not a decimal number" },
	{ "+ b 10.0.0.0/24 12x s r", "expiry '12x' is not a decimal number" },
	{ "+ b 10.0.0.0/24 0x10 s r", "expiry '0x10' is not a decimal number" },
	/* the kernel refuses such a timeout, and that stopped the whole restore */
	{ "+ b 10.0.0.0/24 4294967296 s r", "expiry 4294967296 is past 4294967295" },
	{ "+ b 10.0.0.0/24 18446744073709551615 s r", "expiry 18446744073709551615 is past" },
	{ "+ b 10.0.0.0/24 18446744073709551616 s r", "expiry '18446744073709551616' does not fit" },
	{ "+ b 10.0.0.0/24 99999999999999999999 s r", "does not fit in 64 bits" },
	{ "+ b 10.0.0.0/24 1234567890123456789012345678901234567890 s r", "expiry '1234567890" },
	/* over-long fields are refused, not cut (sscanf's %63s cut them) */
	{ "+ b 10.0.0.0/24 1 " LONG64 " r", "sensor name '0123456789" },
	{ "+ b 10.0.0.0/" LONG64 " 1 s r", "CIDR '10.0.0.0/0123" },
	/* a valid CIDR past 63 characters; %63s made "/0" of its first 63 */
	{ "+ b 0000:0000:0000:0000:0000:0000:0000:0001/000000000000000000000000128 1 s r",
	  "is longer than 63 characters" },
	/* '-' lines */
	{ "-", "missing kind" },
	{ "- b", "missing CIDR" },
	{ "- z 10.0.0.0/24", "kind 'z'" },
	{ "- b 10.0.0.0/24 1790000000", "unexpected '1790000000'" },
	{ "- b 10.0.0.999", "'10.0.0.999' is not a CIDR" },
	/* 'c' lines */
	{ "c", "missing sensor name" },
	{ "c sensor1", "missing counter" },
	{ "c sensor1 -5", "counter '-5' is not a decimal number" },
	{ "c sensor1 18446744073709551616", "counter '18446744073709551616' does not fit" },
	{ "c sensor1 5 extra", "unexpected 'extra'" },
	{ "c " LONG64 " 5", "sensor name '0123456789" },
	/* a line torn by a crash in the middle of a write */
	{ "+ b 10.0.0.0/2", "missing expiry" },
	{ "+ b 10.0.", "'10.0.' is not a CIDR" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct sw_enf_jline j;
		char err[160] = "";

		print_message("%s\n", bads[i].line);
		assert_int_equal(sw_enf_journal_parse(bads[i].line, &j, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bads[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bads[i].line, err, bads[i].msg);
	}
}

/* No error buffer, or a tiny one: still -EINVAL, never a write past it. */
static void test_err_buffer(void **state)
{
	struct sw_enf_jline j;
	char err[8];

	(void)state;
	assert_int_equal(sw_enf_journal_parse("+ x", &j, NULL, 0), -EINVAL);
	memset(err, 'X', sizeof(err));
	assert_int_equal(sw_enf_journal_parse("+ b 10.0.0.0/24 1 " LONG64, &j, err, 5), -EINVAL);
	assert_int_equal(err[4], '\0');
	assert_int_equal(err[5], 'X');
}

/* What the daemon writes reads back as written (jr_entry's format). */
static void test_roundtrip(void **state)
{
	static const char *const cidrs[] = { "10.0.0.0/24", "192.0.2.1/32", "2001:db8::/32", "::/0" };
	(void)state;
	for (size_t i = 0; i < sizeof(cidrs) / sizeof(cidrs[0]); i++) {
		struct sw_enf_jline j;
		char line[512], c[64], a[SW_IP_STRLEN];
		struct sw_ip ip;
		uint8_t prefix;

		assert_int_equal(sw_cidr_parse(cidrs[i], &ip, &prefix), 0);
		snprintf(c, sizeof(c), "%s/%u", sw_ip_format(&ip, a, sizeof(a)), prefix);
		snprintf(line, sizeof(line), "+ %c %s %llu %s %s\n", 'q', c, 1790000000ULL, "sensor-7",
			 "ET SCAN something [1:2001219:20]");
		assert_int_equal(sw_enf_journal_parse(line, &j, NULL, 0), 0);
		assert_true(sw_ip_eq(&j.ip, &ip));
		assert_int_equal(j.prefix, prefix);
		assert_string_equal(j.who, "sensor-7");
		assert_string_equal(j.reason, "ET SCAN something [1:2001219:20]\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
