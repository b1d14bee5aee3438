/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus exposition writer (format 0.0.4) and HOST:PORT parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/hostport.h"
#include "common/prom.h"

static void test_family_and_samples(void **state)
{
	struct sw_prom *p = sw_prom_new();
	const char *want = "# HELP sw_packets_total Packets seen.\n"
			   "# TYPE sw_packets_total counter\n"
			   "sw_packets_total{worker=\"0\"} 12\n"
			   "sw_packets_total{worker=\"1\"} 18446744073709551615\n"
			   "# HELP sw_flows_active Flows now.\n"
			   "# TYPE sw_flows_active gauge\n"
			   "sw_flows_active 3\n"
			   "sw_flows_active{a=\"x\",b=\"y\"} 0.5\n";
	size_t len;
	(void)state;

	assert_non_null(p);
	assert_int_equal(sw_prom_family(p, "sw_packets_total", SW_PROM_COUNTER, "Packets seen."), 0);
	assert_int_equal(sw_prom_u64(p, 12, "worker", "0", NULL), 0);
	assert_int_equal(sw_prom_u64(p, UINT64_MAX, "worker", "1", NULL), 0);
	assert_int_equal(sw_prom_family(p, "sw_flows_active", SW_PROM_GAUGE, "Flows now."), 0);
	assert_int_equal(sw_prom_u64(p, 3, NULL), 0);
	assert_int_equal(sw_prom_f64(p, 0.5, "a", "x", "b", "y", NULL), 0);
	assert_string_equal(sw_prom_text(p, &len), want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(sw_prom_error(p), 0);
	/* reset keeps nothing of the text or the family */
	sw_prom_reset(p);
	assert_string_equal(sw_prom_text(p, NULL), "");
	assert_int_equal(sw_prom_u64(p, 1, NULL), -EINVAL);
	sw_prom_free(p);
}

/* Label values: backslash, double quote and newline escaped; anything else (UTF-8 too) as is. */
static void test_label_escaping(void **state)
{
	static const struct {
		const char *in, *out;
	} vec[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a\\b", "a\\\\b" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		{ "two\nlines", "two\\nlines" },
		{ "\\\"\n", "\\\\\\\"\\n" },
		{ "tab\tand {braces}, = and caf\xc3\xa9", "tab\tand {braces}, = and caf\xc3\xa9" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		struct sw_prom *p = sw_prom_new();
		char want[256];

		assert_int_equal(sw_prom_family(p, "x_total", SW_PROM_COUNTER, "h"), 0);
		assert_int_equal(sw_prom_u64(p, 7, "sensor", vec[i].in, NULL), 0);
		snprintf(want, sizeof(want), "# HELP x_total h\n# TYPE x_total counter\nx_total{sensor=\"%s\"} 7\n",
			 vec[i].out);
		assert_string_equal(sw_prom_text(p, NULL), want);
		sw_prom_free(p);
	}
}

/* HELP text escapes backslash and newline but not the double quote. */
static void test_help_escaping(void **state)
{
	struct sw_prom *p = sw_prom_new();
	(void)state;

	assert_int_equal(sw_prom_family(p, "y", SW_PROM_GAUGE, "a \"q\" \\ b\nc"), 0);
	assert_string_equal(sw_prom_text(p, NULL), "# HELP y a \"q\" \\\\ b\\nc\n# TYPE y gauge\n");
	sw_prom_free(p);
}

/* _total belongs to counters and only to them; names follow the data model's grammar. */
static void test_names(void **state)
{
	static const struct {
		const char *name;
		enum sw_prom_type type;
		int rc;
	} vec[] = {
		{ "sidewall_packets_total", SW_PROM_COUNTER, 0 },
		{ "sidewall_packets", SW_PROM_COUNTER, -EINVAL },       /* a counter without _total */
		{ "sidewall_packets_total", SW_PROM_GAUGE, -EINVAL },   /* a gauge with it */
		{ "sidewall:recorded_rule", SW_PROM_GAUGE, 0 },
		{ "_private", SW_PROM_GAUGE, 0 },
		{ "9lives", SW_PROM_GAUGE, -EINVAL },
		{ "has-dash", SW_PROM_GAUGE, -EINVAL },
		{ "has space", SW_PROM_GAUGE, -EINVAL },
		{ "", SW_PROM_GAUGE, -EINVAL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		struct sw_prom *p = sw_prom_new();

		assert_int_equal(sw_prom_family(p, vec[i].name, vec[i].type, "h"), vec[i].rc);
		sw_prom_free(p);
	}
}

static void test_bad_labels_stick(void **state)
{
	struct sw_prom *p = sw_prom_new();
	(void)state;

	assert_int_equal(sw_prom_family(p, "z", SW_PROM_GAUGE, "h"), 0);
	assert_int_equal(sw_prom_u64(p, 1, "ok_name", "v", NULL), 0);
	assert_int_equal(sw_prom_u64(p, 1, "__reserved", "v", NULL), -EINVAL);
	/* the first error sticks: later good calls report it too */
	assert_int_equal(sw_prom_u64(p, 1, NULL), -EINVAL);
	assert_int_equal(sw_prom_family(p, "w", SW_PROM_GAUGE, "h"), -EINVAL);
	assert_int_equal(sw_prom_error(p), -EINVAL);
	sw_prom_reset(p);
	assert_int_equal(sw_prom_error(p), 0);
	assert_int_equal(sw_prom_family(p, "z", SW_PROM_GAUGE, "h"), 0);
	assert_int_equal(sw_prom_u64(p, 1, "a:b", "v", NULL), -EINVAL); /* ':' is for metric names only */
	sw_prom_free(p);
}

static void test_values(void **state)
{
	struct sw_prom *p = sw_prom_new();
	(void)state;

	assert_int_equal(sw_prom_family(p, "v", SW_PROM_GAUGE, "h"), 0);
	sw_prom_f64(p, NAN, NULL);
	sw_prom_f64(p, INFINITY, NULL);
	sw_prom_f64(p, -INFINITY, NULL);
	sw_prom_f64(p, 1733500000.25, NULL);
	sw_prom_u64(p, 0, NULL);
	assert_string_equal(sw_prom_text(p, NULL),
			    "# HELP v h\n# TYPE v gauge\nv NaN\nv +Inf\nv -Inf\nv 1733500000.25\nv 0\n");
	sw_prom_free(p);
}

/* Growth past the first buffer keeps every byte. */
static void test_large(void **state)
{
	struct sw_prom *p = sw_prom_new();
	char w[16];
	size_t len;
	(void)state;

	sw_prom_family(p, "big_total", SW_PROM_COUNTER, "h");
	for (int i = 0; i < 5000; i++) {
		snprintf(w, sizeof(w), "%d", i);
		sw_prom_u64(p, (uint64_t)i, "worker", w, NULL);
	}
	assert_int_equal(sw_prom_error(p), 0);
	sw_prom_text(p, &len);
	assert_true(len > 5000 * 20);
	assert_non_null(strstr(sw_prom_text(p, NULL), "\nbig_total{worker=\"4999\"} 4999\n"));
	sw_prom_free(p);
}

static void test_hostport(void **state)
{
	static const struct {
		const char *in, *host;
		unsigned port;
	} good[] = {
		{ "127.0.0.1:9748", "127.0.0.1", 9748 },
		{ "[::1]:9748", "::1", 9748 },
		{ "localhost:1", "localhost", 1 },
		{ "0.0.0.0:65535", "0.0.0.0", 65535 },
		{ "[fd7a:115c:a1e0::1]:80", "fd7a:115c:a1e0::1", 80 },
	};
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", ":9748", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:97x8",
		"::1:9748", "[::1]9748", "[::1", "[]:80", "", "host:123456",
	};
	char host[64];
	unsigned port;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(sw_hostport_parse(good[i].in, host, sizeof(host), &port), 0);
		assert_string_equal(host, good[i].host);
		assert_int_equal(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sw_hostport_parse(bad[i], host, sizeof(host), &port), -EINVAL);
	/* a host that does not fit */
	assert_int_equal(sw_hostport_parse("averyveryverylonghostname:80", host, 8, &port), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_samples),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_help_escaping),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_labels_stick),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_hostport),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
