/* SPDX-License-Identifier: GPL-2.0-or-later */
/* EVE writer: exact bytes of records, escaping, timestamps, overflow accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/output/eve.h"
#include "rules/rules.h"

static char *tmp_path(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/sw_test_eve_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	return path;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_timestamp_format(void **state)
{
	char buf[40];
	(void)state;
	sw_eve_format_ts(1704164645123456LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:04:05.123456+0000");
	sw_eve_format_ts(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000+0000");
	/* Before the epoch: the fraction stays positive. */
	sw_eve_format_ts(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999999+0000");
	/* the same second again (its date and time come from the cache), another, and back */
	sw_eve_format_ts(1704164645000007LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:04:05.000007+0000");
	sw_eve_format_ts(1704164645999999LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:04:05.999999+0000");
	sw_eve_format_ts(1704164706000000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:05:06.000000+0000");
	sw_eve_format_ts(1704164645500000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:04:05.500000+0000");
	/* a short buffer gets the format's truncation */
	sw_eve_format_ts(1704164645500000LL, buf, 12);
	assert_string_equal(buf, "2024-01-02T");
}

static void test_escaping_and_nesting(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_ALERT | SW_EVE_FLOW | SW_EVE_STATS);
	struct sw_eve_writer *w;
	struct sw_json *j;
	char *out;
	(void)state;

	assert_non_null(e);
	w = sw_eve_writer_new(e);
	assert_non_null(w);
	j = sw_eve_begin(w, "stats", 1000000);
	sw_json_str(j, "s", "a\"b\\c\n\t\x01\xff");
	sw_json_obj(j, "o");
	sw_json_u64(j, "u", 18446744073709551615ULL);
	sw_json_i64(j, "i", -5);
	sw_json_i64(j, "m", INT64_MIN);
	sw_json_u64(j, "z", 0);
	sw_json_arr(j, "a");
	sw_json_bool(j, NULL, true);
	sw_json_bool(j, NULL, false);
	sw_json_obj(j, NULL);
	sw_json_close_obj(j);
	sw_json_close_arr(j);
	sw_json_close_obj(j);
	sw_eve_end(w);
	assert_int_equal(sw_eve_writer_flush(w), 0);
	out = slurp(path);
	assert_string_equal(out, "{\"timestamp\":\"1970-01-01T00:00:01.000000+0000\",\"event_type\":\"stats\","
				 "\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u00ff\","
				 "\"o\":{\"u\":18446744073709551615,\"i\":-5,\"m\":-9223372036854775808,\"z\":0,"
				 "\"a\":[true,false,{}]}}\n");
	assert_int_equal(sw_eve_written(e), 1);
	assert_int_equal(sw_eve_dropped(e), 0);
	free(out);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

/* What the writer must produce for @n bytes at @s: the escaping rules, a byte at a time. */
static size_t ref_escaped(char *out, const char *s, size_t n)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			o += (size_t)sprintf(out + o, "\\%c", c);
		else if (c == '\n')
			o += (size_t)sprintf(out + o, "\\n");
		else if (c == '\r')
			o += (size_t)sprintf(out + o, "\\r");
		else if (c == '\t')
			o += (size_t)sprintf(out + o, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

/*
 * Values of every length to 70 with a byte to escape at every position
 * (and a second one 17 bytes on), of each kind: the 16-byte blocks of the
 * fast path (eve.c escaped()) must start, stop and resume anywhere.
 */
static void test_escaping_every_position(void **state)
{
	static const unsigned char special[] = { '"', '\\', '\n', '\r', '\t', 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff };
	static char want[1 << 20], val[80];
	(void)state;

	for (size_t n = 0; n <= 70; n++) {
		char *path = tmp_path();
		struct sw_eve *e = sw_eve_open(path, SW_EVE_STATS);
		struct sw_eve_writer *w = sw_eve_writer_new(e);
		size_t wl = 0;
		char *out;

		assert_non_null(w);
		for (size_t pos = 0; pos <= n; pos++) /* pos == n: nothing to escape */
			for (size_t k = 0; k < sizeof(special); k++) {
				struct sw_json *j = sw_eve_begin(w, "stats", 1000000);

				for (size_t i = 0; i < n; i++)
					val[i] = (char)(' ' + (i * 7 + k) % 95); /* printable, '"' and '\\' included */
				for (size_t i = 0; i < n; i++)
					if (val[i] == '"' || val[i] == '\\')
						val[i] = 'x';
				if (pos < n)
					val[pos] = (char)special[k];
				if (pos + 17 < n)
					val[pos + 17] = (char)special[(k + 3) % sizeof(special)];
				sw_json_strn(j, "s", val, n);
				sw_eve_end(w);
				wl += (size_t)sprintf(want + wl, "{\"timestamp\":\"1970-01-01T00:00:01.000000+0000\","
								 "\"event_type\":\"stats\",\"s\":");
				wl += ref_escaped(want + wl, val, n);
				wl += (size_t)sprintf(want + wl, "}\n");
			}
		assert_int_equal(sw_eve_writer_flush(w), 0);
		out = slurp(path);
		assert_int_equal(strlen(out), wl);
		assert_string_equal(out, want);
		free(out);
		sw_eve_writer_free(w);
		sw_eve_close(e);
		unlink(path);
	}
}

/* IPv6 addresses: Suricata's full form by default, compressed with ipv6-compress; IPv4 either way. */
static void test_ipv6_forms(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_STATS);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_ip a6, a4;
	struct sw_json *j;
	char *out;
	(void)state;

	assert_non_null(w);
	assert_int_equal(sw_ip_parse("2001:db8::8a2e:370:7334", &a6), 0);
	assert_int_equal(sw_ip_parse("192.0.2.1", &a4), 0);
	for (int compress = 0; compress < 2; compress++) {
		sw_eve_set_ipv6_compress(e, compress);
		j = sw_eve_begin(w, "stats", 1000000);
		sw_json_ip(j, "v6", &a6);
		sw_json_ip(j, "v4", &a4);
		sw_eve_end(w);
	}
	assert_int_equal(sw_eve_writer_flush(w), 0);
	out = slurp(path);
	assert_string_equal(out, "{\"timestamp\":\"1970-01-01T00:00:01.000000+0000\",\"event_type\":\"stats\","
				 "\"v6\":\"2001:0db8:0000:0000:0000:8a2e:0370:7334\",\"v4\":\"192.0.2.1\"}\n"
				 "{\"timestamp\":\"1970-01-01T00:00:01.000000+0000\",\"event_type\":\"stats\","
				 "\"v6\":\"2001:db8::8a2e:370:7334\",\"v4\":\"192.0.2.1\"}\n");
	free(out);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

/* A record too large for the record buffer is dropped whole and counted, never cut. */
static void test_oversized_record_dropped_and_counted(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_STATS);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	char *big = malloc(100000);
	struct sw_json *j;
	char *out;
	(void)state;

	memset(big, 'x', 99999);
	big[99999] = '\0';
	j = sw_eve_begin(w, "stats", 0);
	sw_json_str(j, "big", big);
	sw_eve_end(w);
	j = sw_eve_begin(w, "stats", 0);
	sw_json_u64(j, "ok", 1);
	sw_eve_end(w);
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_string_equal(out, "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\",\"event_type\":\"stats\",\"ok\":1}\n");
	assert_int_equal(sw_eve_dropped(e), 1);
	assert_int_equal(sw_eve_written(e), 1);
	free(out);
	free(big);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

static void test_alert_record(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_ALERT);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_packet p;
	struct sw_flow f;
	struct sw_rule r;
	char *md[] = { "created_at 2024_01_01", "tag a", "tag b" };
	char *out;
	(void)state;

	memset(&p, 0, sizeof(p));
	memset(&f, 0, sizeof(f));
	memset(&r, 0, sizeof(r));
	p.ts_usec = 1704164645000001LL;
	p.proto = 6;
	p.src.family = p.dst.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", p.src.a);
	inet_pton(AF_INET, "10.0.0.2", p.dst.a);
	p.sport = 40000;
	p.dport = 80;
	p.flow = &f;
	p.to_server = true;
	f.flow_id = 12345;
	f.cli = p.src;
	f.srv = p.dst;
	f.cli_port = 40000;
	f.srv_port = 80;
	f.proto = 6;
	f.pkts_ts = 3;
	f.pkts_tc = 2;
	f.bytes_ts = 300;
	f.bytes_tc = 200;
	f.start_usec = 1704164644000000LL;
	r.gid = 1;
	r.sid = 1000001;
	r.rev = 2;
	r.msg = "ET TEST \"quoted\"";
	r.class_desc = "Attempted Information Leak";
	r.priority = 2;
	r.metadata = md;
	r.n_metadata = 3;
	sw_eve_alert(w, &p, &r, "allowed");
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_string_equal(out,
		"{\"timestamp\":\"2024-01-02T03:04:05.000001+0000\",\"event_type\":\"alert\",\"flow_id\":12345,"
		"\"src_ip\":\"10.0.0.1\",\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"proto\":\"TCP\",\"ip_v\":4,"
		"\"direction\":\"to_server\",\"community_id\":\"1:3k1SoWXs/FltHw2aBCgUTgbDQF4=\",\"pkt_src\":\"wire/pcap\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
		"\"signature_id\":1000001,\"rev\":2,\"signature\":\"ET TEST \\\"quoted\\\"\","
		"\"category\":\"Attempted Information Leak\",\"severity\":2,"
		"\"metadata\":{\"created_at\":[\"2024_01_01\"],\"tag\":[\"a\",\"b\"]}},"
		"\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,\"bytes_toserver\":300,\"bytes_toclient\":200,"
		"\"start\":\"2024-01-02T03:04:04.000000+0000\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\","
		"\"src_port\":40000,\"dest_port\":80}}\n");
	free(out);

	/* target:dest_ip names the destination as attacked; app_proto once the flow has one */
	r.target = SW_TARGET_DEST_IP;
	r.n_metadata = 0;
	f.app_proto = SW_APP_HTTP1;
	p.pcap_cnt = 7; /* read from a capture: its number there */
	assert_int_equal(truncate(path, 0), 0);
	sw_eve_alert(w, &p, &r, "blocked");
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_non_null(strstr(out, "\"flow_id\":12345,\"pcap_cnt\":7,"));
	assert_non_null(strstr(out, "\"severity\":2,\"source\":{\"ip\":\"10.0.0.1\",\"port\":40000},"
				    "\"target\":{\"ip\":\"10.0.0.2\",\"port\":80}},\"app_proto\":\"http\",\"flow\":{"));
	free(out);
	r.target = SW_TARGET_SRC_IP;
	assert_int_equal(truncate(path, 0), 0);
	sw_eve_alert(w, &p, &r, "blocked");
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_non_null(strstr(out, "\"source\":{\"ip\":\"10.0.0.2\",\"port\":80},"
				    "\"target\":{\"ip\":\"10.0.0.1\",\"port\":40000}"));
	free(out);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

/* Types not enabled in outputs.eve-log.types produce nothing. */
static void test_type_filter(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_FLOW);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_packet p;
	struct sw_rule r;
	char *out;
	(void)state;

	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	sw_eve_alert(w, &p, &r, "allowed");
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_string_equal(out, "");
	assert_int_equal(sw_eve_written(e), 0);
	free(out);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

/* SIGHUP after logrotate: records before go to the moved file, after to the new one. */
static void test_reopen_after_rotate(void **state)
{
	char *path = tmp_path();
	char moved[80];
	struct sw_eve *e = sw_eve_open(path, SW_EVE_STATS);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_json *j;
	char *a, *b;
	(void)state;

	snprintf(moved, sizeof(moved), "%s.1", path);
	j = sw_eve_begin(w, "stats", 0);
	sw_json_u64(j, "n", 1);
	sw_eve_end(w);
	sw_eve_writer_flush(w);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(sw_eve_reopen(e), 0);
	j = sw_eve_begin(w, "stats", 0);
	sw_json_u64(j, "n", 2);
	sw_eve_end(w);
	sw_eve_writer_flush(w);
	a = slurp(moved);
	b = slurp(path);
	assert_non_null(strstr(a, "\"n\":1"));
	assert_null(strstr(a, "\"n\":2"));
	assert_non_null(strstr(b, "\"n\":2"));
	assert_null(strstr(b, "\"n\":1"));
	free(a);
	free(b);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
	unlink(moved);
}

/* Set flowbits as Suricata's metadata: "metadata.flowbits", traffic/id and traffic/label as "traffic". */
static void test_flowbits_metadata(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_FLOW);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_rules *r = sw_rules_new(NULL, NULL);
	struct sw_flow f;
	char *out;
	(void)state;

	assert_non_null(r);
	assert_int_equal(sw_rules_load_string(r,
		"alert tcp any any -> any any (flowbits:set,seen; flowbits:set,traffic/id/mozilla; "
		"flowbits:set,traffic/label/browser; flowbits:set,unset_one; sid:1;)\n", "t.rules"), 0);
	assert_int_equal(sw_rules_flowbit_count(r), 4);
	sw_eve_writer_set_rules(w, r);
	memset(&f, 0, sizeof(f));
	f.cli.family = f.srv.family = AF_INET;
	f.proto = 17;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(sw_rules_flowbit_name(r, i), "unset_one"))
			f.flowbits[i / 64] |= 1ull << (i % 64);
	sw_eve_flow(w, &f, SW_FLOW_END_TIMEOUT);
	memset(f.flowbits, 0, sizeof(f.flowbits)); /* none set: neither object */
	sw_eve_flow(w, &f, SW_FLOW_END_TIMEOUT);
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_non_null(strstr(out, "\"metadata\":{\"flowbits\":[\"seen\"]},"
				    "\"traffic\":{\"id\":[\"mozilla\"],\"label\":[\"browser\"]}"));
	assert_null(strstr(out, "unset_one"));
	assert_null(strstr(strchr(out, '\n') + 1, "metadata"));
	free(out);
	sw_eve_writer_free(w);
	sw_rules_free(r);
	sw_eve_close(e);
	unlink(path);
}

/* A drop rule only alerts offline and passive: the flow record says "drop" only inline. */
static void test_flow_action_inline_only(void **state)
{
	char *path = tmp_path();
	struct sw_eve *e = sw_eve_open(path, SW_EVE_FLOW);
	struct sw_eve_writer *w = sw_eve_writer_new(e);
	struct sw_flow f;
	char *out;
	(void)state;

	memset(&f, 0, sizeof(f));
	f.cli.family = f.srv.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", f.cli.a);
	inet_pton(AF_INET, "10.0.0.2", f.srv.a);
	f.proto = 17;
	f.dropped = true;
	f.app_proto = SW_APP_DNS;
	sw_eve_flow(w, &f, SW_FLOW_END_TIMEOUT);
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_null(strstr(out, "\"action\""));
	assert_non_null(strstr(out, "\"app_proto\":\"dns\""));
	assert_null(strstr(out, "app_proto_t"));
	free(out);
	/* a direction recognised as another protocol is named (Suricata's app_proto_tc / _ts) */
	f.app_proto = SW_APP_DCERPC;
	f.app_proto_dir[0] = SW_APP_DCERPC;
	f.app_proto_dir[1] = SW_APP_HTTP1;
	assert_int_equal(truncate(path, 0), 0);
	sw_eve_flow(w, &f, SW_FLOW_END_TIMEOUT);
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_non_null(strstr(out, "\"app_proto\":\"dcerpc\",\"app_proto_tc\":\"http\""));
	assert_null(strstr(out, "app_proto_ts"));
	free(out);
	f.app_proto = SW_APP_DNS;
	f.app_proto_dir[0] = f.app_proto_dir[1] = 0;
	sw_eve_set_inline(e, true);
	assert_int_equal(truncate(path, 0), 0);
	sw_eve_flow(w, &f, SW_FLOW_END_TIMEOUT);
	sw_eve_writer_flush(w);
	out = slurp(path);
	assert_non_null(strstr(out, "\"action\":\"drop\""));
	free(out);
	sw_eve_writer_free(w);
	sw_eve_close(e);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp_format),
		cmocka_unit_test(test_escaping_and_nesting),
		cmocka_unit_test(test_escaping_every_position),
		cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_flowbits_metadata),
		cmocka_unit_test(test_oversized_record_dropped_and_counted),
		cmocka_unit_test(test_alert_record),
		cmocka_unit_test(test_type_filter),
		cmocka_unit_test(test_reopen_after_rotate),
		cmocka_unit_test(test_flow_action_inline_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
