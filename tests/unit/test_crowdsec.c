// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure half of the CrowdSec bouncer (nft/crowdsec.h): Go durations as
 * the LAPI writes them, stream answers as CrowdSec 1.4 sends them (with
 * the filters, nulls, expired and unreadable decisions), the map from
 * decision ids to held values, and the `crowdsec:` config section.
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

#include "nft/crowdsec.h"
#include "nft/enforcer_config.h"

static void test_duration(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} ok[] = {
		{ "0", 0 },
		{ "4h", 4 * 3600000LL },
		{ "3h59m58.123456789s", ((3 * 60 + 59) * 60 + 58) * 1000LL + 123 },
		{ "167h59m59.5s", (167 * 3600 + 59 * 60 + 59) * 1000LL + 500 },
		{ "1.5h", 5400000 },
		{ "250ms", 250 },
		{ "1500us", 1 },
		{ "1500\xc2\xb5s", 1 },
		{ "999999ns", 0 },
		{ "-1m", -60000 },
		{ "-3h59m0.1s", -(3 * 3600 + 59 * 60) * 1000LL - 100 },
		{ "+2m3s", 123000 },
		{ "2562047h", 2562047LL * 3600000 }, /* near Go's limit of ~292 years */
	};
	static const char *const bad[] = { "", "-", "h", "4", "4x", "1.h3", ".s", "4h 3m", "1e3s", "--1s" };
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = 12345;
		assert_int_equal(sw_cs_duration(ok[i].s, &ms), 0);
		if (ms != ok[i].ms)
			fail_msg("%s: %lld ms, want %lld", ok[i].s, (long long)ms, (long long)ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_cs_duration(bad[i], &ms) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(sw_cs_duration("2562048h", &ms), -ERANGE);
	assert_int_equal(sw_cs_duration("99999999999999999999s", &ms), -ERANGE);
}

static struct sw_enf_crowdsec_cfg cfg_default(void)
{
	struct sw_enf_config c;

	sw_enf_config_defaults(&c);
	return c.crowdsec;
}

static int parse(const char *json, const struct sw_enf_crowdsec_cfg *cfg, struct sw_cs_batch *b, char *err)
{
	return sw_cs_parse_stream(json, strlen(json), cfg, b, err, 200);
}

/* An answer as crowdsec 1.4.6 writes it (`cscli decisions add` and the scenarios' own). */
static const char answer[] =
	"{\"deleted\":[{\"duration\":\"-2m3.5s\",\"id\":3,\"origin\":\"cscli\",\"scenario\":\"manual 'ban' from 'x'\","
	"\"scope\":\"Ip\",\"type\":\"ban\",\"value\":\"192.0.2.9\"}],"
	"\"new\":["
	"{\"duration\":\"3h59m59.2s\",\"id\":7,\"origin\":\"cscli\",\"scenario\":\"manual 'ban' from 'x'\","
	"\"scope\":\"Ip\",\"type\":\"ban\",\"value\":\"192.0.2.1\"},"
	"{\"duration\":\"10m\",\"id\":8,\"origin\":\"crowdsec\",\"scenario\":\"crowdsecurity/ssh-bf\","
	"\"scope\":\"Range\",\"type\":\"ban\",\"value\":\"198.51.100.77/24\",\"simulated\":false},"
	"{\"duration\":\"1h\",\"id\":9,\"origin\":\"CAPI\",\"scenario\":\"x\",\"scope\":\"ip\",\"type\":\"ban\","
	"\"value\":\"2001:db8::1\"},"
	"{\"duration\":\"1h\",\"id\":10,\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"captcha\","
	"\"value\":\"192.0.2.2\"},"
	"{\"duration\":\"1h\",\"id\":11,\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Country\",\"type\":\"ban\","
	"\"value\":\"FR\"},"
	"{\"duration\":\"1h\",\"id\":12,\"origin\":\"crowdsec\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"ban\","
	"\"value\":\"192.0.2.3\",\"simulated\":true},"
	"{\"duration\":\"-1s\",\"id\":13,\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"ban\","
	"\"value\":\"192.0.2.4\"},"
	"{\"duration\":\"1h\",\"id\":14,\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"ban\","
	"\"value\":\"192.0.2.0/24\"},"
	"{\"duration\":\"soon\",\"id\":15,\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"ban\","
	"\"value\":\"192.0.2.5\"},"
	"{\"duration\":\"1h\",\"id\":\"16\",\"origin\":\"cscli\",\"scenario\":\"x\",\"scope\":\"Ip\",\"type\":\"ban\","
	"\"value\":\"192.0.2.6\"},"
	"{\"duration\":\"1h\",\"id\":17,\"origin\":\"cscli\",\"scenario\":\"a\\nb\\u00e9\",\"scope\":\"Ip\","
	"\"type\":\"BAN\",\"value\":\"192.0.2.7\"},"
	"42"
	"]}";

static void test_parse(void **state)
{
	struct sw_enf_crowdsec_cfg cfg = cfg_default();
	struct sw_cs_batch b = { 0 };
	char err[200], c[64];

	(void)state;
	assert_int_equal(parse(answer, &cfg, &b, err), 0);
	assert_int_equal(b.ndeleted, 1);
	assert_int_equal(b.nnew, 4); /* 7, 8, 9, 17 */
	assert_int_equal(b.ignored, 4); /* captcha, Country, simulated, expired */
	assert_int_equal(b.bad, 4);     /* an Ip that is a range, bad duration, string id, not an object */
	assert_non_null(strstr(b.bad_text, "192.0.2.0/24"));
	assert_int_equal(b.n, 5);
	/* deletions first */
	assert_true(b.d[0].deleted);
	assert_int_equal(b.d[0].id, 3);
	assert_string_equal(sw_ip_format(&b.d[0].ip, c, sizeof(c)), "192.0.2.9");
	assert_false(b.d[1].deleted);
	assert_int_equal(b.d[1].id, 7);
	assert_int_equal(b.d[1].ttl, 4 * 3600); /* 3h59m59.2s rounded up */
	assert_string_equal(b.d[1].reason, "cscli: manual 'ban' from 'x'");
	/* a Range with host bits: the network, as nft takes it */
	assert_string_equal(sw_ip_format(&b.d[2].ip, c, sizeof(c)), "198.51.100.0");
	assert_int_equal(b.d[2].prefix, 24);
	assert_int_equal(b.d[2].ttl, 600);
	assert_int_equal(b.d[3].prefix, 128);
	/* the reason is printable ASCII whatever the scenario holds */
	assert_string_equal(b.d[4].reason, "cscli: a?b??");

	/* filters: scopes, origins (any case) */
	cfg.scopes = SW_ENF_CS_SCOPE_RANGE;
	assert_int_equal(parse(answer, &cfg, &b, err), 0);
	assert_int_equal(b.nnew, 1);
	assert_int_equal(b.ndeleted, 0);
	cfg = cfg_default();
	snprintf(cfg.origins[0], sizeof(cfg.origins[0]), "capi");
	cfg.norigins = 1;
	assert_int_equal(parse(answer, &cfg, &b, err), 0);
	assert_int_equal(b.nnew, 1);
	assert_int_equal(b.d[0].id, 9);
	sw_cs_batch_free(&b);
}

static void test_parse_edges(void **state)
{
	struct sw_enf_crowdsec_cfg cfg = cfg_default();
	struct sw_cs_batch b = { 0 };
	char err[200];

	(void)state;
	/* an empty delta: both lists null */
	assert_int_equal(parse("{\"deleted\":null,\"new\":null}", &cfg, &b, err), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(parse("{\"new\":[]}", &cfg, &b, err), 0);
	/* not a stream answer */
	assert_int_equal(parse("", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "not JSON"));
	assert_int_equal(parse("[1,2]", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "not an object"));
	assert_int_equal(parse("{\"message\":\"access forbidden\"}", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "neither"));
	assert_int_equal(parse("{\"new\":{}}", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "\"new\" is not a list"));
	assert_int_equal(parse("{\"new\":[{\"id\":1,\"scope\":\"Ip\"", &cfg, &b, err), -EINVAL);
	/* "new" before "deleted", other members, blanks: deletions still come first */
	assert_int_equal(parse(" {\"new\": [ {\"id\":5,\"type\":\"ban\",\"scope\":\"Ip\",\"value\":\"192.0.2.5\","
			       "\"duration\":\"1m\"} ] ,\"x\":{\"y\":[1]},\n\"deleted\":[{\"id\":4,\"type\":\"ban\","
			       "\"scope\":\"Ip\",\"value\":\"192.0.2.4\"}]}\n", &cfg, &b, err), 0);
	assert_int_equal(b.n, 2);
	assert_true(b.d[0].deleted);
	assert_int_equal(b.d[0].id, 4);
	assert_int_equal(b.d[1].id, 5);
	assert_int_equal(b.d[1].ttl, 60);
	/* broken punctuation between decisions, a key that is not a string, trailing data */
	assert_int_equal(parse("{\"new\":[{} {}]}", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "expected ,] at byte 11"));
	assert_int_equal(parse("{1:[]}", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "expected a key"));
	assert_int_equal(parse("{\"new\":[]} x", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "data after the answer"));
	assert_int_equal(parse("{\"new\":[]", &cfg, &b, err), -EINVAL);
	assert_int_equal(parse("{\"new\" []}", &cfg, &b, err), -EINVAL);
	assert_non_null(strstr(err, "expected :"));
	/* a NUL inside a value is a bad value, not a crash */
	static const char nul[] = "{\"new\":[{\"id\":1,\"type\":\"ban\",\"scope\":\"Ip\",\"value\":\"1.2.3.4\\u0000x\","
				  "\"duration\":\"1h\"}]}";
	assert_int_equal(sw_cs_parse_stream(nul, sizeof(nul) - 1, &cfg, &b, err, sizeof(err)), 0);
	assert_int_equal(b.bad, 1);
	assert_int_equal(b.n, 0);
	sw_cs_batch_free(&b);
}

static void ip4(struct sw_ip *ip, const char *s)
{
	uint8_t p;

	assert_int_equal(sw_cidr_parse(s, ip, &p), 0);
}

static void test_state(void **state)
{
	struct sw_cs_state *st = sw_cs_state_new();
	struct sw_ip a, b;

	(void)state;
	assert_non_null(st);
	ip4(&a, "192.0.2.1");
	ip4(&b, "2001:db8::/64");
	assert_int_equal(sw_cs_state_add(st, &a, 32, 100), 1);
	assert_int_equal(sw_cs_state_add(st, &a, 32, 300), 0); /* a second decision, or a start-up answer's repeat */
	assert_int_equal(sw_cs_state_add(st, &a, 32, 200), 0);
	assert_int_equal(sw_cs_state_add(st, &b, 64, 50), 1);
	{
		/* every value once, with the latest expiry of its decisions */
		size_t cur = 0, n = 0;
		struct sw_ip ip;
		uint8_t pfx;
		uint64_t exp;

		while (sw_cs_state_next(st, &cur, &ip, &pfx, &exp)) {
			n++;
			assert_int_equal(exp, pfx == 32 ? 300 : 50);
		}
		assert_int_equal(n, 2);
	}
	assert_int_equal(sw_cs_state_count(st), 2);
	assert_true(sw_cs_state_holds(st, &a, 32));
	assert_false(sw_cs_state_holds(st, &a, 31));
	assert_int_equal(sw_cs_state_del(st, &a, 32), 1);
	assert_false(sw_cs_state_holds(st, &a, 32));
	assert_int_equal(sw_cs_state_del(st, &a, 32), -ENOENT);
	assert_int_equal(sw_cs_state_count(st), 1);
	sw_cs_state_reset(st);
	assert_int_equal(sw_cs_state_count(st), 0);
	assert_false(sw_cs_state_holds(st, &b, 64));
	assert_int_equal(sw_cs_state_del(st, &b, 64), -ENOENT);
	sw_cs_state_free(st);
}

/* Many values, through rehashes, deleted in another order, slots reused: counts stay exact. */
static void test_state_many(void **state)
{
	struct sw_cs_state *st = sw_cs_state_new();
	const uint32_t n = 50000;
	struct sw_ip ip;
	uint32_t i;

	(void)state;
	memset(&ip, 0, sizeof(ip));
	ip.family = AF_INET;
#define V(v) (ip.a[0] = 10, ip.a[1] = (uint8_t)((v) >> 16), ip.a[2] = (uint8_t)((v) >> 8), ip.a[3] = (uint8_t)(v))
	for (i = 0; i < n; i++) {
		V(i);
		assert_int_equal(sw_cs_state_add(st, &ip, 32, 1), 1);
	}
	assert_int_equal(sw_cs_state_count(st), n);
	for (i = 0; i < n; i += 2) {
		V(i);
		assert_int_equal(sw_cs_state_del(st, &ip, 32), 1);
	}
	assert_int_equal(sw_cs_state_count(st), n / 2);
	for (i = 0; i < n; i++) {
		V(i);
		assert_int_equal(sw_cs_state_holds(st, &ip, 32), i % 2 == 1);
	}
	for (i = n; i < 2 * n; i++) { /* reuses the freed slots, rehashes again */
		V(i);
		assert_int_equal(sw_cs_state_add(st, &ip, 32, 1), 1);
	}
	assert_int_equal(sw_cs_state_count(st), n / 2 + n);
	V(n + 7);
	assert_true(sw_cs_state_holds(st, &ip, 32));
	V(2);
	assert_false(sw_cs_state_holds(st, &ip, 32));
#undef V
	sw_cs_state_free(st);
}

static int cfg_load(const char *text, struct sw_enf_config *c, char *err)
{
	return sw_enf_config_load_string(text, strlen(text), "enf.yaml", c, err, 300);
}

static void test_config(void **state)
{
	struct sw_enf_config c;
	char err[300];

	(void)state;
	assert_int_equal(cfg_load("port: 7447\n", &c, err), 0);
	assert_string_equal(c.crowdsec.url, ""); /* off by default */
	assert_int_equal(cfg_load("crowdsec:\n  url: http://127.0.0.1:8080\n  api_key_file: /k\n"
				  "  poll_interval: 2\n  scopes: [Ip]\n  origins: [cscli, crowdsec]\n", &c, err), 0);
	assert_string_equal(c.crowdsec.url, "http://127.0.0.1:8080/");
	assert_string_equal(c.crowdsec.api_key_file, "/k");
	assert_int_equal(c.crowdsec.poll_interval, 2);
	assert_int_equal(c.crowdsec.scopes, SW_ENF_CS_SCOPE_IP);
	assert_int_equal(c.crowdsec.norigins, 2);
	assert_string_equal(c.crowdsec.origins[1], "crowdsec");
	assert_int_equal(c.crowdsec.timeout, 30);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "crowdsec: yes\n", "enf.yaml:1: 'crowdsec' must be a mapping" },
		{ "crowdsec:\n  api_key_file: /k\n", "crowdsec: 'url' is missing" },
		{ "crowdsec:\n  url: ftp://x/\n  api_key_file: /k\n", "url 'ftp://x/' must start with http" },
		{ "crowdsec:\n  url: http://x/?a=1\n  api_key_file: /k\n", "without blanks, '?' or '#'" },
		{ "crowdsec:\n  url: http://x/\n", "'api_key_file' is missing" },
		{ "crowdsec:\n  url: http://x/\n  api_key_file: /k\n  scopes: [country]\n",
		  "enf.yaml:4: crowdsec: unknown scope 'country'" },
		{ "crowdsec:\n  url: http://x/\n  api_key_file: /k\n  scopes: []\n", "'scopes' is empty" },
		{ "crowdsec:\n  url: http://x/\n  api_key_file: /k\n  origins: [a b]\n", "origin 'a b' must be one word" },
		{ "crowdsec:\n  url: http://x/\n  api_key_file: /k\n  poll_interval: 0\n", "'poll_interval': '0'" },
		{ "crowdsec:\n  url: http://x/\n  api_key_file: /k\n  lapi: 1\n", "crowdsec: unknown key 'lapi'" },
		{ "sensors:\n  - name: crowdsec\n    public_key: x\n", "sensor name 'crowdsec' is reserved" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_int_equal(cfg_load(bad[i].text, &c, err), -EINVAL);
		if (!strstr(err, bad[i].msg))
			fail_msg("config %zu: got '%s', want '%s'", i, err, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),   cmocka_unit_test(test_parse),      cmocka_unit_test(test_parse_edges),
		cmocka_unit_test(test_state),      cmocka_unit_test(test_state_many), cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
