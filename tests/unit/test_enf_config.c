// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sidewall-enforcer's YAML config: the shipped example loads with every
 * value; then one row per bad config, each refused with -EINVAL and a
 * message naming the file, the line and the offending key or token.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nft/enforcer_config.h"
#include "nft/nft.h"

#define KEY "MXYKn/7vNRHBEy75teV3jRvrcC8UOKEP0wBhMX84dhw="

static struct sw_enf_config cfg; /* 20 KiB: off the stack */

/* A config that loads leaves the message buffer alone. */
static int load(const char *text, char *err, size_t errlen)
{
	int ret;

	err[0] = '\0';
	ret = sw_enf_config_load_string(text, strlen(text), "t.yaml", &cfg, err, errlen);
	if (!ret)
		assert_string_equal(err, "");
	return ret;
}

static void test_example(void **state)
{
	const char *src = getenv("SW_SRC");
	char path[1024], err[256] = "";
	struct sw_ip ip;
	uint8_t prefix;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc/sidewall-enforcer.yaml", src ? src : ".");
	assert_int_equal(sw_enf_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.listen, "127.0.0.1");
	assert_int_equal(cfg.port, 7447);
	assert_int_equal(cfg.nsensors, 1);
	assert_string_equal(cfg.sensors[0].name, "sensor1");
	assert_int_equal(cfg.nnever, 3);
	assert_int_equal(sw_cidr_parse("100.64.0.0/10", &ip, &prefix), 0);
	assert_true(sw_ip_eq(&cfg.never[1].ip, &ip));
	assert_int_equal(cfg.never[1].prefix, 10);
	assert_int_equal(cfg.never[2].ip.family, AF_INET6);
	assert_int_equal(cfg.max_ttl, 86400);
	assert_int_equal(cfg.default_ttl, 3600);
	assert_int_equal(cfg.rate, 100);
	assert_int_equal(cfg.burst, 200);
	assert_int_equal(cfg.time_window, 120);
	assert_int_equal(cfg.hooks, SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD);
	assert_int_equal(cfg.priority, -10);
	assert_string_equal(cfg.table, "sidewall");
}

static void test_small(void **state)
{
	char err[256] = "";

	(void)state;
	/* empty: the defaults */
	assert_int_equal(load("", err, sizeof(err)), 0);
	assert_int_equal(cfg.port, 7447);
	assert_string_equal(cfg.metrics_listen, ""); /* metrics off by default */
	assert_int_equal(load("metrics_listen: \"[::1]:9749\"\n", err, sizeof(err)), 0);
	assert_string_equal(cfg.metrics_listen, "[::1]:9749");
	assert_int_equal(cfg.hooks, SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD);
	/* default_ttl is clamped to max_ttl, priority may be negative, hooks replace */
	assert_int_equal(load("max_ttl: 60\ndefault_ttl: 600\npriority: -1000\nhooks: [output]\n"
			      "sensors:\n  - {public_key: " KEY "}\n",
			      err, sizeof(err)),
			 0);
	assert_int_equal(cfg.default_ttl, 60);
	assert_int_equal(cfg.priority, -1000);
	assert_int_equal(cfg.hooks, SW_NFT_HOOK_OUTPUT);
	assert_string_equal(cfg.sensors[0].name, "sensor1"); /* named by position */
}

struct bad {
	const char *text;
	const char *msg; /* the whole message must contain this */
};

static const struct bad bads[] = {
	{ "port: 0\n", "t.yaml:1: 'port': '0' is not a number in 1..65535" },
	{ "metrics_listen: 127.0.0.1\n", "t.yaml:1: 'metrics_listen': '127.0.0.1' is not HOST:PORT or [IPV6]:PORT" },
	{ "metrics_listen: \"127.0.0.1:0\"\n", "'metrics_listen': '127.0.0.1:0' is not HOST:PORT" },
	{ "\n\nport: 65536\n", "t.yaml:3: 'port': '65536' is not a number" },
	{ "port: 12abc\n", "t.yaml:1: 'port': '12abc' is not a number" },
	{ "port: [1]\n", "t.yaml:1: 'port' must be a number, not a list" },
	{ "priority: -1001\n", "t.yaml:1: 'priority': '-1001'" },
	{ "max_ttl: 99999999999999999999\n", "'max_ttl': '99999999999999999999' is not a number" },
	{ "listen: {a: b}\n", "t.yaml:1: 'listen' must be a string, not a mapping" },
	{ "table: 0123456789012345678901234567890123456789\n",
	  "t.yaml:1: 'table': '0123456789012345678901234567890123456789' is longer than 31" },
	{ "colour: blue\n", "t.yaml:1: unknown key 'colour'" },
	{ "[1, 2]\n", "t.yaml:1: the config is a mapping, not a list" },
	{ "just text\n", "t.yaml:1: the config is a mapping, not 'just text'" },
	{ "? [a]\n: b\n", "t.yaml:1: expected a key, found a list" },
	/* after a good key: these two once returned 0 with the message set */
	{ "port: 1\n? [a]\n: b\n", "t.yaml:2: expected a key, found a list" },
	{ "port: 1\nlisten: a: b\n", "t.yaml:2:10: mapping values are not allowed" },
	{ "hooks: []\n", "t.yaml:1: 'hooks' is empty" },
	{ "hooks: [input, sideways]\n", "t.yaml:1: unknown hook 'sideways'" },
	{ "hooks: input\n", "t.yaml:1: 'hooks' must be a list, not 'input'" },
	{ "hooks: [[input]]\n", "t.yaml:1: 'hooks' holds strings, not a list" },
	{ "never_block: [10.0.0.0/8, 10.0.0.300]\n", "t.yaml:1: never_block: '10.0.0.300' is not a CIDR" },
	{ "never_block:\n  - 10.0.0.0/8\n  - 2001:db8::/129\n",
	  "t.yaml:3: never_block: '2001:db8::/129' is not a CIDR" },
	{ "sensors: sensor1\n", "t.yaml:1: 'sensors' must be a list, not 'sensor1'" },
	{ "sensors:\n  - sensor1\n", "t.yaml:2: each sensor is a mapping with 'name' and 'public_key', not 'sensor1'" },
	{ "sensors:\n  - name: s1\n", "t.yaml:3: sensor 's1' has no public_key" },
	{ "sensors:\n  - name: s1\n    public_key: AAAA\n", "t.yaml:3: public_key 'AAAA' is not a base64 key" },
	{ "sensors:\n  - name: s1\n    colour: blue\n", "t.yaml:3: unknown sensor key 'colour'" },
	{ "sensors:\n  - name: two words\n", "t.yaml:2: sensor name 'two words' must be one word" },
	/* a vertical tab would split the name's journal field on replay */
	{ "sensors:\n  - name: \"a\\vb\"\n", "t.yaml:2: sensor name 'a\vb' must be one word" },
	{ "sensors:\n  - name: [x]\n", "t.yaml:2: 'name' must be a string, not a list" },
	{ "sensors:\n  - [name]: x\n", "t.yaml:2: sensor: expected 'name' or 'public_key', found a list" },
	{ "port: &p 1\nmax_ttl: *p\n", "t.yaml:2: 'max_ttl' must be a number, not the alias '*p'" },
	/* YAML syntax errors: line, column, libyaml's words and the text there */
	{ "port: 1\nhooks: [input, forward\n", "t.yaml:3:1: did not find expected ',' or ']'" },
	{ "listen: a\n  bad: indent\n", "t.yaml:2:6: mapping values are not allowed in this context at ': indent'" },
	{ "port: \"open\n", "t.yaml:2:1: found unexpected end of stream while scanning a quoted scalar" },
	{ "port: 1\n\tlisten: x\n", "t.yaml:2:1: found a tab character that violates indentation" },
	{ "a: b\0c\n", "t.yaml:1:5: control characters are not allowed (byte 0x00)" },
	{ "port: 1\nlisten: \xff\n", "t.yaml:2:9: invalid leading UTF-8 octet (byte 0xff)" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char err[256] = "";
		size_t len = strlen(bads[i].text);

		/* the one row with a NUL inside: take the bytes after it too */
		if (!strcmp(bads[i].text, "a: b"))
			len = 7;
		print_message("%s", bads[i].text);
		assert_int_equal(sw_enf_config_load_string(bads[i].text, len, "t.yaml", &cfg, err,
							   sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bads[i].msg))
			fail_msg("message '%s' lacks '%s'", err, bads[i].msg);
	}
}

static void test_file(void **state)
{
	char path[] = "/tmp/sw_test_enf_config_XXXXXX", err[256] = "";
	int fd;

	(void)state;
	assert_int_equal(sw_enf_config_load("/nonexistent/enforcer.yaml", &cfg, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/enforcer.yaml: No such file"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "port: 7448\nbogus: 1\n", 20), 20);
	close(fd);
	assert_int_equal(sw_enf_config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_true(!strncmp(err, path, strlen(path)));
	assert_string_equal(err + strlen(path), ":2: unknown key 'bogus'");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
