/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detection unit tests: every keyword of issue 2 with a matching and a
 * non-matching case, stream matching across segments, backtracking,
 * flowbits, thresholds, action precedence, IP-list rules, <> rules, and a
 * randomized comparison of the prefilter against a brute-force check.
 * Rules are written as text and parsed by sw_rules_load_string(); packets are
 * built by hand as struct sw_packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/detect/detect.h"

/* ---- helpers ---- */

static struct sw_detect *load(const char *text)
{
	struct sw_rule_vars *v = sw_rule_vars_new();
	struct sw_rules *r;
	struct sw_detect *d;
	char err[512];

	assert_non_null(v);
	assert_int_equal(sw_rule_vars_set_address(v, "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,fd00::/8]"), 0);
	assert_int_equal(sw_rule_vars_set_address(v, "EXTERNAL_NET", "!$HOME_NET"), 0);
	assert_int_equal(sw_rule_vars_set_port(v, "HTTP_PORTS", "[80,8080]"), 0);
	r = sw_rules_new(v, NULL);
	assert_non_null(r);
	assert_int_equal(sw_rules_load_string(r, text, "test.rules"), 0);
	for (size_t i = 0; i < sw_rules_error_count(r); i++) {
		const struct sw_rule_error *e = sw_rules_error(r, i);

		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->message);
	}
	assert_int_equal(sw_rules_error_count(r), 0);
	d = sw_detect_new(r, err, sizeof(err));
	if (!d)
		fprintf(stderr, "sw_detect_new: %s\n", err);
	assert_non_null(d);
	sw_rule_vars_free(v);
	return d;
}

static struct sw_detect_ctx *ctx_for(const char *text)
{
	struct sw_detect *d = load(text);
	struct sw_detect_ctx *c = sw_detect_ctx_new(d);

	assert_non_null(c);
	sw_detect_put(d); /* the ctx holds its own reference */
	return c;
}

static void set_ip(struct sw_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':')) {
		ip->family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, s, ip->a), 1);
	} else {
		ip->family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, s, ip->a), 1);
	}
}

/* A decoded packet: proto 6/17/1/58, addresses, ports, payload (borrowed). */
static void mkpkt(struct sw_packet *p, uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp,
		  const void *payload, uint32_t len)
{
	memset(p, 0, sizeof(*p));
	set_ip(&p->src, src);
	set_ip(&p->dst, dst);
	p->ip_ver = p->src.family == AF_INET ? 4 : 6;
	p->proto = proto;
	p->ttl = 64;
	p->l4_ok = true;
	if (proto == 6 || proto == 17) {
		p->sport = sp;
		p->dport = dp;
	}
	if (proto == 6)
		p->tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
	p->payload = payload;
	p->payload_len = len;
	p->ts_usec = 1000000000LL * 1000000;
}

static bool has_sid(const struct sw_detect_result *r, uint32_t sid)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (r->m[i].rule->sid == sid)
			return true;
	return false;
}

/* ---- every keyword: one matching and one non-matching case ---- */

struct kw_case {
	const char *rule;
	const char *payload;
	uint32_t plen;        /* 0: strlen(payload) */
	uint8_t proto;        /* 0: TCP */
	const char *src, *dst;
	uint16_t sp, dp;      /* 0: 1234 / 80 */
	uint8_t tcp_flags;    /* 0: ACK|PSH */
	uint8_t ttl;          /* 0: 64 */
	uint8_t itype, icode;
	bool icmp_has_id;
	uint16_t icmp_id, icmp_seq;
	uint16_t mss;         /* nonzero: MSS option present */
	int flow;             /* 0 no flow, 1 new, 2 established */
	bool to_client;
	bool match;
};

#define HDR "alert tcp any any -> any any "

static const struct kw_case kw_cases[] = {
	/* content, hex, escapes, negation */
	{HDR "(content:\"evil\"; sid:1;)", "an evil thing", .match = true},
	{HDR "(content:\"evil\"; sid:1;)", "an EVIL thing", .match = false},
	{HDR "(content:\"|de ad|be|ef|\"; sid:1;)", "x\xde\xad" "be\xef", .match = true},
	{HDR "(content:\"|de ad|be|ef|\"; sid:1;)", "x\xde\xad" "bf\xef", .match = false},
	{HDR "(content:\"a\\;b\\\"c\"; sid:1;)", "xa;b\"c", .match = true},
	{HDR "(content:\"a\\;b\\\"c\"; sid:1;)", "xa;bc", .match = false},
	{HDR "(content:\"GET\"; content:!\"admin\"; sid:1;)", "GET /index", .match = true},
	{HDR "(content:\"GET\"; content:!\"admin\"; sid:1;)", "GET /admin", .match = false},
	{HDR "(content:!\"admin\"; sid:1;)", "GET /x", .match = true},
	{HDR "(content:!\"admin\"; sid:1;)", "GET /admin", .match = false},
	/* nocase */
	{HDR "(content:\"evil\"; nocase; sid:1;)", "an EvIl thing", .match = true},
	{HDR "(content:\"evil\"; nocase; sid:1;)", "an evi1 thing", .match = false},
	/* offset / depth */
	{HDR "(content:\"def\"; offset:3; depth:3; sid:1;)", "abcdef", .match = true},
	{HDR "(content:\"def\"; offset:4; sid:1;)", "abcdef", .match = false},
	{HDR "(content:\"abc\"; depth:3; sid:1;)", "abcdef", .match = true},
	{HDR "(content:\"bcd\"; depth:3; sid:1;)", "abcdef", .match = false},
	/* distance / within */
	{HDR "(content:\"ab\"; content:\"ef\"; distance:2; sid:1;)", "abcdef", .match = true},
	{HDR "(content:\"ab\"; content:\"ef\"; distance:3; sid:1;)", "abcdef", .match = false},
	{HDR "(content:\"ab\"; content:\"cd\"; within:2; sid:1;)", "abcdef", .match = true},
	{HDR "(content:\"ab\"; content:\"de\"; within:2; sid:1;)", "abcdef", .match = false},
	{HDR "(content:\"ab\"; content:\"ef\"; distance:1; within:3; sid:1;)", "abcdef", .match = true},
	{HDR "(content:\"ab\"; content:\"ef\"; distance:1; within:2; sid:1;)", "abcdef", .match = false},
	{HDR "(content:\"cd\"; content:\"bc\"; distance:-3; within:2; sid:1;)", "abcdef", .match = true},
	/* fast_pattern: the rule is found through the other content too */
	{HDR "(content:\"ab\"; content:\"longer\"; fast_pattern; sid:1;)", "ab longer", .match = true},
	{HDR "(content:\"ab\"; content:\"longer\"; fast_pattern; sid:1;)", "a longer", .match = false},
	{HDR "(content:\"xxlongeryy\"; fast_pattern:2,6; sid:1;)", "xxlongeryy", .match = true},
	{HDR "(content:\"xxlongeryy\"; fast_pattern:2,6; sid:1;)", "xxlongerzz", .match = false},
	/* startswith / endswith */
	{HDR "(content:\"GET\"; startswith; sid:1;)", "GET /", .match = true},
	{HDR "(content:\"GET\"; startswith; sid:1;)", " GET /", .match = false},
	{HDR "(content:\"|0d 0a|\"; endswith; sid:1;)", "abc\r\n", .match = true},
	{HDR "(content:\"|0d 0a|\"; endswith; sid:1;)", "abc\r\nx", .match = false},
	/* isdataat */
	{HDR "(content:\"ab\"; isdataat:2,relative; sid:1;)", "abcd", .match = true},
	{HDR "(content:\"ab\"; isdataat:3,relative; sid:1;)", "abcd", .match = false},
	{HDR "(content:\"ab\"; isdataat:!1,relative; sid:1;)", "xxab", .match = true},
	{HDR "(content:\"ab\"; isdataat:!1,relative; sid:1;)", "xxabc", .match = false},
	{HDR "(content:\"ab\"; isdataat:9; sid:1;)", "ab34567890", .match = true},
	{HDR "(content:\"ab\"; isdataat:10; sid:1;)", "ab34567890", .match = false},
	/* dsize */
	{HDR "(dsize:5; sid:1;)", "12345", .match = true},
	{HDR "(dsize:5; sid:1;)", "1234", .match = false},
	{HDR "(dsize:>3; sid:1;)", "1234", .match = true},
	{HDR "(dsize:2<>5; sid:1;)", "12345", .match = false},
	{HDR "(dsize:2<>5; sid:1;)", "1234", .match = true},
	{HDR "(dsize:<3; sid:1;)", "123", .match = false},
	/* pcre and its flags */
	{HDR "(pcre:\"/a[0-9]+b/\"; sid:1;)", "xa123b", .match = true},
	{HDR "(pcre:\"/a[0-9]+b/\"; sid:1;)", "xa12xb", .match = false},
	{HDR "(pcre:\"/HELLO/i\"; sid:1;)", "say hello", .match = true},
	{HDR "(pcre:\"/HELLO/\"; sid:1;)", "say hello", .match = false},
	{HDR "(pcre:\"/a.b/s\"; sid:1;)", "a\nb", .match = true},
	{HDR "(pcre:\"/a.b/\"; sid:1;)", "a\nb", .match = false},
	{HDR "(pcre:\"/^two$/m\"; sid:1;)", "one\ntwo\nthree", .match = true},
	{HDR "(pcre:\"/^two$/\"; sid:1;)", "one\ntwo\nthree", .match = false},
	{HDR "(pcre:\"/a b c/x\"; sid:1;)", "xabcx", .match = true},
	{HDR "(pcre:\"/a b c/x\"; sid:1;)", "xa b cx", .match = false},
	{HDR "(content:\"key=\"; pcre:\"/^[0-9]{3}/R\"; sid:1;)", "x key=123", .match = true},
	{HDR "(content:\"key=\"; pcre:\"/^[0-9]{3}/R\"; sid:1;)", "123 key=x12", .match = false},
	{HDR "(content:\"GET\"; pcre:!\"/admin/\"; sid:1;)", "GET /index", .match = true},
	{HDR "(content:\"GET\"; pcre:!\"/admin/\"; sid:1;)", "GET /admin", .match = false},
	/* byte_test: raw, little endian, string, bitmask, relative */
	{HDR "(content:\"hd\"; byte_test:2,>,1000,0,relative; sid:1;)", "hd\x04\x00", 4, .match = true},
	{HDR "(content:\"hd\"; byte_test:2,>,1024,0,relative; sid:1;)", "hd\x04\x00", 4, .match = false},
	{HDR "(content:\"hd\"; byte_test:2,=,4,2,little; sid:1;)", "hd\x04\x00", 4, .match = true},
	{HDR "(content:\"hd\"; byte_test:2,=,4,2; sid:1;)", "hd\x04\x00", 4, .match = false},
	/* nbytes 0 with string: the whole number there (ET's http.content_len tests) */
	{HDR "(content:\"L\"; byte_test:0,=,1234,1,string,dec; sid:1;)", "L1234", 5, .match = true},
	{HDR "(content:\"L\"; byte_test:0,=,12,1,string,dec; sid:1;)", "L1234", 5, .match = false},
	{HDR "(content:\"L\"; byte_test:0,=,0,0,relative,string,dec; sid:1;)", "L0 x", 4, .match = true},
	{HDR "(content:\"L\"; byte_test:0,=,0,0,relative,string,dec; sid:1;)", "L", 1, .match = false},
	{HDR "(content:\"len=\"; byte_test:3,=,123,0,relative,string,dec; sid:1;)", "len=123", .match = true},
	{HDR "(content:\"len=\"; byte_test:3,=,291,0,relative,string,hex; sid:1;)", "len=124", .match = false},
	{HDR "(content:\"len=\"; byte_test:3,=,291,0,relative,string,hex; sid:1;)", "len=123", .match = true},
	{HDR "(content:\"bm\"; byte_test:1,=,3,2,bitmask 0x30; sid:1;)", "bm\x3f", 3, .match = true},
	{HDR "(content:\"bm\"; byte_test:1,=,3,2,bitmask 0x30; sid:1;)", "bm\x2f", 3, .match = false},
	{HDR "(content:\"bm\"; byte_test:1,&,0x80,2; sid:1;)", "bm\x81", 3, .match = true},
	{HDR "(content:\"bm\"; byte_test:1,!&,0x80,2; sid:1;)", "bm\x81", 3, .match = false},
	{HDR "(content:\"bm\"; byte_test:4,<,5,2; sid:1;)", "bm\x00\x00", 4, .match = false}, /* too short */
	/* byte_jump */
	{HDR "(content:\"J\"; byte_jump:1,0,relative; content:\"X\"; within:1; sid:1;)", "J\x03...X", 6, .match = true},
	{HDR "(content:\"J\"; byte_jump:1,0,relative; content:\"X\"; within:1; sid:1;)", "J\x02...X", 6, .match = false},
	{HDR "(content:\"J\"; byte_jump:1,0,relative,multiplier 2; content:\"X\"; within:1; sid:1;)", "J\x02....X", 8, .match = true},
	{HDR "(content:\"J\"; byte_jump:1,0,relative,align; content:\"X\"; within:1; sid:1;)", "J\x03....X", 7, .match = true},
	{HDR "(content:\"J\"; byte_jump:1,0,relative,post_offset 1; content:\"X\"; within:1; sid:1;)", "J\x02...X", 6, .match = true},
	{HDR "(content:\"J\"; byte_jump:1,1,from_beginning; content:\"X\"; within:1; sid:1;)", "J\x05...X", 6, .match = true},
	{HDR "(content:\"J\"; byte_jump:1,1,from_beginning; content:\"X\"; within:1; sid:1;)", "J\x04...X", 6, .match = false},
	{HDR "(content:\"J\"; byte_jump:1,0,relative; sid:1;)", "J\x09..", 4, .match = false}, /* past the end */
	{HDR "(content:\"J\"; byte_jump:2,0,relative,string,dec; content:\"X\"; within:1; sid:1;)", "J00X", .match = true},
	/* byte_extract feeding byte_test, content and isdataat */
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; byte_test:1,=,n,0,relative; sid:1;)", "L\x07\x07", 3, .match = true},
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; byte_test:1,=,n,0,relative; sid:1;)", "L\x07\x08", 3, .match = false},
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; distance:n; within:1; sid:1;)", "L\x02..Z", 5, .match = true},
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; content:\"Z\"; distance:n; within:1; sid:1;)", "L\x01..Z", 5, .match = false},
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; isdataat:n,relative; sid:1;)", "L\x02..", 4, .match = true},
	{HDR "(content:\"L\"; byte_extract:1,0,n,relative; isdataat:n,relative; sid:1;)", "L\x03..", 4, .match = false},
	/* flow */
	{"alert tcp any any -> any any (flow:to_server; sid:1;)", "x", .flow = 1, .match = true},
	{"alert tcp any any -> any any (flow:to_server; sid:1;)", "x", .flow = 1, .to_client = true, .match = false},
	{"alert tcp any any -> any any (flow:to_client; sid:1;)", "x", .flow = 1, .to_client = true, .match = true},
	{"alert tcp any any -> any any (flow:from_server; sid:1;)", "x", .flow = 1, .match = false},
	{"alert tcp any any -> any any (flow:from_client; sid:1;)", "x", .flow = 1, .match = true},
	{"alert tcp any any -> any any (flow:established; sid:1;)", "x", .flow = 2, .match = true},
	{"alert tcp any any -> any any (flow:established; sid:1;)", "x", .flow = 1, .match = false},
	{"alert tcp any any -> any any (flow:not_established; sid:1;)", "x", .flow = 1, .match = true},
	{"alert tcp any any -> any any (flow:not_established; sid:1;)", "x", .flow = 2, .match = false},
	{"alert tcp any any -> any any (flow:stateless; sid:1;)", "x", .match = true},
	{"alert tcp any any -> any any (flow:established,to_server; sid:1;)", "x", .flow = 2, .to_client = true, .match = false},
	{"alert tcp any any -> any any (flow:no_stream; content:\"x\"; sid:1;)", "x", .match = true},
	{"alert tcp any any -> any any (flow:only_stream; content:\"x\"; sid:1;)", "x", .match = false}, /* no stream view */
	/* flags */
	{"alert tcp any any -> any any (flags:S; sid:1;)", "", .tcp_flags = SW_TCP_SYN, .match = true},
	{"alert tcp any any -> any any (flags:S; sid:1;)", "", .tcp_flags = SW_TCP_SYN | SW_TCP_ACK, .match = false},
	{"alert tcp any any -> any any (flags:S+; sid:1;)", "", .tcp_flags = SW_TCP_SYN | SW_TCP_ACK, .match = true},
	{"alert tcp any any -> any any (flags:SF+; sid:1;)", "", .tcp_flags = SW_TCP_SYN | SW_TCP_ACK, .match = false},
	{"alert tcp any any -> any any (flags:SF*; sid:1;)", "", .tcp_flags = SW_TCP_FIN, .match = true},
	{"alert tcp any any -> any any (flags:SF*; sid:1;)", "", .tcp_flags = SW_TCP_ACK, .match = false},
	{"alert tcp any any -> any any (flags:!R; sid:1;)", "", .tcp_flags = SW_TCP_ACK, .match = true},
	{"alert tcp any any -> any any (flags:!R; sid:1;)", "", .tcp_flags = SW_TCP_RST, .match = false},
	{"alert tcp any any -> any any (flags:S,CE; sid:1;)", "", .tcp_flags = SW_TCP_SYN | SW_TCP_ECE | SW_TCP_CWR, .match = true},
	{"alert tcp any any -> any any (tcp.flags:A; sid:1;)", "", .tcp_flags = SW_TCP_ACK, .match = true},
	{"alert tcp any any -> any any (tcp.flags:A; sid:1;)", "", .tcp_flags = SW_TCP_ACK | SW_TCP_URG, .match = false},
	/* ttl */
	{"alert ip any any -> any any (ttl:<10; sid:1;)", "", .ttl = 5, .match = true},
	{"alert ip any any -> any any (ttl:<10; sid:1;)", "", .ttl = 10, .match = false},
	{"alert ip any any -> any any (ttl:64; sid:1;)", "", .match = true},
	/* icmp */
	{"alert icmp any any -> any any (itype:8; sid:1;)", "", .proto = 1, .itype = 8, .match = true},
	{"alert icmp any any -> any any (itype:8; sid:1;)", "", .proto = 1, .itype = 0, .match = false},
	{"alert icmp any any -> any any (itype:>5; icode:3; sid:1;)", "", .proto = 1, .itype = 8, .icode = 3, .match = true},
	{"alert icmp any any -> any any (icode:3; sid:1;)", "", .proto = 1, .icode = 1, .match = false},
	{"alert icmp any any -> any any (icmp_id:77; sid:1;)", "", .proto = 1, .icmp_has_id = true, .icmp_id = 77, .match = true},
	{"alert icmp any any -> any any (icmp_id:77; sid:1;)", "", .proto = 1, .icmp_has_id = true, .icmp_id = 78, .match = false},
	{"alert icmp any any -> any any (icmp_seq:5; sid:1;)", "", .proto = 1, .icmp_has_id = true, .icmp_seq = 5, .match = true},
	{"alert icmp any any -> any any (icmp_seq:5; sid:1;)", "", .proto = 1, .match = false}, /* no echo fields */
	{"alert icmpv6 any any -> any any (itype:128; sid:1;)", "", .proto = 58, .src = "fd00::1", .dst = "2001:db8::1", .itype = 128, .match = true},
	{"alert icmpv6 any any -> any any (itype:128; sid:1;)", "", .proto = 1, .itype = 128, .match = false},
	/* ip_proto */
	{"alert ip any any -> any any (ip_proto:17; sid:1;)", "", .proto = 17, .match = true},
	{"alert ip any any -> any any (ip_proto:17; sid:1;)", "", .proto = 6, .match = false},
	{"alert ip any any -> any any (ip_proto:!6; sid:1;)", "", .proto = 1, .match = true},
	/* tcp.mss */
	{"alert tcp any any -> any any (tcp.mss:<536; sid:1;)", "", .mss = 500, .match = true},
	{"alert tcp any any -> any any (tcp.mss:<536; sid:1;)", "", .mss = 1460, .match = false},
	{"alert tcp any any -> any any (tcp.mss:<536; sid:1;)", "", .match = false}, /* no option */
	/* protocols */
	{"alert udp any any -> any 53 (content:\"q\"; sid:1;)", "q", .proto = 17, .dp = 53, .match = true},
	{"alert udp any any -> any 53 (content:\"q\"; sid:1;)", "q", .proto = 6, .dp = 53, .match = false},
	{"alert ip any any -> any any (content:\"q\"; sid:1;)", "q", .proto = 17, .match = true},
	{"alert tcp-pkt any any -> any any (content:\"q\"; sid:1;)", "q", .match = true},
	{"alert tcp-pkt any any -> any any (content:\"q\"; sid:1;)", "q", .proto = 17, .match = false},
	{"alert tcp-stream any any -> any any (content:\"q\"; sid:1;)", "q", .match = false}, /* needs a stream view */
	/* addresses and ports */
	{"alert tcp 10.0.0.0/8 any -> any any (sid:1;)", "", .src = "10.9.8.7", .match = true},
	{"alert tcp 10.0.0.0/8 any -> any any (sid:1;)", "", .src = "11.9.8.7", .match = false},
	{"alert tcp !10.0.0.0/8 any -> any any (sid:1;)", "", .src = "11.9.8.7", .match = true},
	{"alert tcp [1.1.1.1,2.2.2.0/24,!2.2.2.2] any -> any any (sid:1;)", "", .src = "2.2.2.3", .match = true},
	{"alert tcp [1.1.1.1,2.2.2.0/24,!2.2.2.2] any -> any any (sid:1;)", "", .src = "2.2.2.2", .match = false},
	{"alert tcp $HOME_NET any -> $EXTERNAL_NET any (sid:1;)", "", .src = "192.168.1.1", .dst = "8.8.8.8", .match = true},
	{"alert tcp $HOME_NET any -> $EXTERNAL_NET any (sid:1;)", "", .src = "192.168.1.1", .dst = "10.1.1.1", .match = false},
	{"alert tcp any any -> any 1000:2000 (sid:1;)", "", .dp = 1500, .match = true},
	{"alert tcp any any -> any 1000:2000 (sid:1;)", "", .dp = 2001, .match = false},
	{"alert tcp any any -> any !80 (sid:1;)", "", .dp = 81, .match = true},
	{"alert tcp any [1,2,3] -> any $HTTP_PORTS (sid:1;)", "", .sp = 2, .dp = 8080, .match = true},
	{"alert tcp any [1,2,3] -> any $HTTP_PORTS (sid:1;)", "", .sp = 4, .dp = 8080, .match = false},
	{"alert tcp any any -> fd00::/8 any (sid:1;)", "", .src = "2001:db8::1", .dst = "fd00::5", .match = true},
	{"alert tcp any any -> fd00::/8 any (sid:1;)", "", .src = "2001:db8::1", .dst = "fe00::5", .match = false},
	/* directions */
	{"alert tcp 1.1.1.1 any -> 2.2.2.2 80 (sid:1;)", "", .src = "2.2.2.2", .sp = 80, .dst = "1.1.1.1", .dp = 1234, .match = false},
	{"alert tcp 1.1.1.1 any <> 2.2.2.2 80 (sid:1;)", "", .src = "2.2.2.2", .sp = 80, .dst = "1.1.1.1", .dp = 1234, .match = true},
	{"alert tcp 1.1.1.1 any <> 2.2.2.2 80 (sid:1;)", "", .src = "1.1.1.1", .sp = 1234, .dst = "2.2.2.2", .dp = 80, .match = true},
	{"alert tcp 1.1.1.1 any <> 2.2.2.2 80 (sid:1;)", "", .src = "2.2.2.2", .sp = 81, .dst = "1.1.1.1", .dp = 1234, .match = false},
};

/*
 * UDP packets none of whose ports a narrow rule names are scanned with the
 * wide database (detect.c narrow_ports()): every rule that can match must
 * still be found, through either database and the head matchers.
 */
static void test_narrow_ports(void **state)
{
	static const char rules[] =
		"alert udp any any -> any 53 (content:\"narrowq\"; sid:1;)\n"
		"alert udp any any -> any any (content:\"wideq\"; sid:2;)\n"
		"alert udp any 5000 <> any any (content:\"bidirq\"; sid:3;)\n"
		"alert udp any any -> any 1024:65535 (content:\"broadq\"; sid:4;)\n"
		"alert udp any any -> any 53 (content:\"|01 02|\"; depth:2; sid:5;)\n"
		"alert udp any any -> any any (content:\"xy\"; depth:2; sid:6;)\n"
		"alert ip any any -> any any (content:\"ipq\"; sid:7;)\n";
	static const struct {
		uint16_t sp, dp;
		const char *payload;
		uint32_t sids[4];
	} cases[] = {
		{40000, 53, "narrowq wideq ipq", {1, 2, 7}},
		{40000, 443, "narrowq wideq broadq ipq", {2, 7}},
		{443, 40000, "narrowq broadq", {4}},
		{443, 5000, "bidirq", {3}},
		{5000, 443, "bidirq", {3}},
		{443, 5001, "bidirq", {0}},
		{40000, 53, "\x01\x02", {5}},
		{40000, 443, "\x01\x02", {0}},
		{40000, 443, "xy", {6}},
		{40000, 53, "xy", {6}},
	};
	struct sw_detect_ctx *c = ctx_for(rules);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_detect_result res;
		struct sw_packet p;
		uint32_t n = 0;

		mkpkt(&p, 17, "1.1.1.1", cases[i].sp, "2.2.2.2", cases[i].dp, cases[i].payload,
		      (uint32_t)strlen(cases[i].payload));
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		for (; n < 4 && cases[i].sids[n]; n++)
			if (!has_sid(&res, cases[i].sids[n]))
				fail_msg("case %zu: sid %u missing", i, cases[i].sids[n]);
		if (res.n != n)
			fail_msg("case %zu: %u alerts, expected %u", i, res.n, n);
	}
	sw_detect_ctx_free(c);
}

static void test_keywords(void **state)
{
	static struct sw_flow flow;
	(void)state;
	for (size_t i = 0; i < sizeof(kw_cases) / sizeof(kw_cases[0]); i++) {
		const struct kw_case *k = &kw_cases[i];
		struct sw_detect_ctx *c = ctx_for(k->rule);
		struct sw_detect_result res;
		struct sw_packet p;

		mkpkt(&p, k->proto ? k->proto : 6, k->src ? k->src : "1.1.1.1", k->sp ? k->sp : 1234,
		      k->dst ? k->dst : "2.2.2.2", k->dp ? k->dp : 80, k->payload,
		      k->plen ? k->plen : (uint32_t)strlen(k->payload));
		if (k->tcp_flags)
			p.tcp_flags = k->tcp_flags;
		if (k->ttl)
			p.ttl = k->ttl;
		p.icmp_type = k->itype;
		p.icmp_code = k->icode;
		p.icmp_has_id = k->icmp_has_id;
		p.icmp_id = k->icmp_id;
		p.icmp_seq = k->icmp_seq;
		if (k->mss) {
			p.tcp_has_mss = true;
			p.tcp_mss = k->mss;
		}
		if (k->flow) {
			memset(&flow, 0, sizeof(flow));
			flow.state = k->flow == 2 ? SW_FLOW_STATE_ESTABLISHED : SW_FLOW_STATE_NEW;
			p.flow = &flow;
			p.to_server = !k->to_client;
		}
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		if (res.matched_any != k->match)
			fail_msg("case %zu: '%s' on \"%s\": expected %s", i, k->rule, k->payload,
				 k->match ? "match" : "no match");
		assert_int_equal(res.n, k->match ? 1 : 0);
		sw_detect_ctx_free(c);
	}
}

/* ---- stream view: split content, only new bytes, stream offsets ---- */

/*
 * Literals bound to the buffer's first bytes (the head matcher, detect.c
 * collect()): a stream rule's counts from the stream's start, a packet
 * rule's from the packet's, in the combined scan of an in-order segment and
 * in the separate scans of one that is not the stream's new bytes.
 */
static void test_stream_head(void **state)
{
	struct sw_detect_ctx *c = ctx_for("alert tcp any any -> any any (content:\"AB\"; depth:2; sid:1;)\n"
					  "alert tcp-pkt any any -> any any (content:\"AB\"; depth:2; sid:2;)\n"
					  "alert tcp any any -> any any (content:\"|00 01|\"; startswith; sid:3;)\n"
					  "alert tcp-pkt any any -> any any (content:\"xyz\"; offset:3; depth:6; sid:4;)\n");
	static const char s1[] = "ABxxxxxxxxxxxxxxxxxxxxxx", s2[] = "ABxxxxxxxxxxxxxxxxxxxxxxAB...xyz";
	struct sw_stream_view v = {(const uint8_t *)s1, 24, 0, 0, true};
	struct sw_detect_result res;
	struct sw_packet p;
	(void)state;

	/* the first segment: both rules at offset 0 */
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, s1, 24);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 1) && has_sid(&res, 2));
	assert_int_equal(res.n, 2);
	/* the second at stream offset 24, past the head: the packet rules only */
	v = (struct sw_stream_view){(const uint8_t *)s2, 32, 24, 0, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, s2 + 24, 8);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 2) && has_sid(&res, 4));
	assert_int_equal(res.n, 2);
	/* a segment that is not the stream's new bytes (a retransmission): its own head */
	v = (struct sw_stream_view){(const uint8_t *)s2, 32, 32, 0, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "\x00\x01", 2);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_int_equal(res.n, 0); /* sid 3 is a stream rule: the stream does not start with 00 01 */
	v = (struct sw_stream_view){(const uint8_t *)"\x00\x01zz", 4, 0, 0, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "\x00\x01zz", 4);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 3));
	assert_int_equal(res.n, 1);
	sw_detect_ctx_free(c);
}

static void test_stream(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"password\"; sid:1;)\n"
		"alert tcp any any -> any any (content:\"USER\"; offset:0; depth:4; sid:2;)\n"
		"alert tcp-pkt any any -> any any (content:\"password\"; sid:3;)\n"
		"alert tcp-stream any any -> any any (content:\"word\"; sid:4;)\n"
		"alert tcp any any -> any any (flow:only_stream; pcre:\"/pass.ord/\"; sid:5;)\n");
	const char *view1 = "USER x pass";
	const char *view2 = "USER x password!";
	struct sw_stream_view v = {(const uint8_t *)view1, 11, 0, 0, true};
	struct sw_detect_result res;
	struct sw_packet p;
	(void)state;

	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, view1, 11);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_int_equal(res.n, 1);
	assert_true(has_sid(&res, 2));

	/* second segment "word!" completes "password" across the boundary */
	v = (struct sw_stream_view){(const uint8_t *)view2, 16, 11, 0, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, view2 + 11, 5);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 1));
	assert_false(has_sid(&res, 2)); /* "USER" is old data: no second alert */
	assert_false(has_sid(&res, 3)); /* the packet alone has no "password" */
	assert_true(has_sid(&res, 4));
	assert_true(has_sid(&res, 5));
	assert_int_equal(res.n, 3);

	/* third segment: nothing new matches although the view still holds it all */
	v = (struct sw_stream_view){(const uint8_t *)"USER x password!zz", 18, 16, 0, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "zz", 2);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_int_equal(res.n, 0);

	/* a view that starts later in the stream: depth 4 counts from the stream start */
	v = (struct sw_stream_view){(const uint8_t *)"xxUSER", 6, 2, 100, true};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "USER", 4);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_false(has_sid(&res, 2));

	/* not in sync: packet payload, tcp-stream rules stay silent */
	v = (struct sw_stream_view){(const uint8_t *)"password", 8, 0, 0, false};
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "password", 8);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 1));
	assert_true(has_sid(&res, 3));
	assert_false(has_sid(&res, 4));
	assert_false(has_sid(&res, 5));
	sw_detect_ctx_free(c);
}

/*
 * Hyperscan holds only the last 32 bytes of a longer fast pattern and a
 * stream scan starts 31 bytes before the new data: a 60-byte content split
 * anywhere across two segments is still found once, where its end arrives;
 * and a content with the same last 32 bytes but a different head is not
 * taken for it (the whole content is verified).
 */
static void test_stream_long_pattern(void **state)
{
	static const char pat[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"; /* 60 bytes */
	char rules[512], view[128];
	(void)state;

	snprintf(rules, sizeof(rules),
		 "alert tcp any any -> any any (content:\"%s\"; sid:1;)\n"
		 "alert tcp any any -> any any (content:\"ZZZZZZZZ%s\"; sid:2;)\n",
		 pat, pat + 8);
	for (uint32_t cut = 1; cut < 60; cut += 7) {
		struct sw_detect_ctx *c = ctx_for(rules);
		struct sw_detect_result res;
		struct sw_packet p;
		struct sw_stream_view v;
		uint32_t len = (uint32_t)snprintf(view, sizeof(view), "GET %s HTTP", pat);

		/* first segment ends inside the content, before its last 32 bytes begin or after */
		v = (struct sw_stream_view){ (const uint8_t *)view, 4 + cut, 0, 0, true };
		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, view, 4 + cut);
		assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
		assert_int_equal(res.n, 0);
		v = (struct sw_stream_view){ (const uint8_t *)view, len, 4 + cut, 0, true };
		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, view + 4 + cut, len - 4 - cut);
		assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
		if (res.n != 1 || !has_sid(&res, 1))
			fail_msg("cut %u: %u alerts, sid 1 %s", cut, res.n, has_sid(&res, 1) ? "in" : "missing");
		sw_detect_ctx_free(c);
	}
}

/*
 * Fast patterns bound to the start of the buffer (startswith, offset +
 * depth) are scanned for in the first bytes only, in packet offsets for
 * packet rules and in stream offsets for stream rules, whichever scan finds
 * them: combined (in-order segment), separate (the packet is not the new
 * bytes), or packet alone.
 */
static void test_head_patterns(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"AB\"; offset:2; depth:4; sid:1;)\n"
		"alert tcp-pkt any any -> any any (content:\"CD\"; depth:3; sid:2;)\n"
		"alert udp any any -> any any (content:\"EF\"; startswith; sid:3;)\n"
		"alert tcp any any -> any any (content:\"AB\"; sid:4;)\n"
		"alert tcp any any -> any any (content:\"Z\"; depth:64; sid:5;)\n"
		"alert tcp-pkt any any -> any any (content:\"QQ\"; sid:6;)\n");
	static const struct {
		const char *view;   /* NULL: no stream view */
		uint32_t new_off;
		uint64_t base;
		const char *payload;
		uint8_t proto;
		uint32_t sids;      /* bit per sid expected */
	} cases[] = {
		{NULL, 0, 0, "xxABCD", 6, 1u << 1 | 1u << 4},
		{NULL, 0, 0, "xxxxxxxAB", 6, 1u << 4},
		{NULL, 0, 0, "xCD", 6, 1u << 2},
		{"xxAB", 3, 0, "B", 6, 1u << 1 | 1u << 4},       /* split over two segments */
		{"CDAB", 0, 100, "CDAB", 6, 1u << 2 | 1u << 4},  /* stream offset 100: no sid 1 */
		{"xyzCD", 3, 0, "CD", 6, 1u << 2},               /* packet offset 0 */
		{"xxAB", 2, 0, "zzzzCD", 6, 1u << 1 | 1u << 4},  /* separate scans: CD past depth 3 */
		{"xxAB", 2, 0, "zCD", 6, 1u << 1 | 1u << 2 | 1u << 4},
		{"aaaZ", 3, 60, "Z", 6, 1u << 5},                /* ends at stream offset 64 */
		{"aaaaZ", 4, 60, "Z", 6, 0},                     /* 65 */
		{"aaaaZ", 2, 60, "aaZ", 6, 0},
		{"xxQQAB", 6, 0, "QQAB", 6, 1u << 6},            /* no new bytes: packet rules only */
		{"xxQQAB", 2, 0, "QQAB", 6, 1u << 1 | 1u << 4 | 1u << 6},
		{NULL, 0, 0, "EFxx", 17, 1u << 3},
		{NULL, 0, 0, "xEF", 17, 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_stream_view v = {0};
		struct sw_detect_result res;
		struct sw_packet p;
		uint32_t got = 0;

		if (cases[i].view)
			v = (struct sw_stream_view){(const uint8_t *)cases[i].view, (uint32_t)strlen(cases[i].view),
						    cases[i].new_off, cases[i].base, true};
		mkpkt(&p, cases[i].proto, "1.1.1.1", 1, "2.2.2.2", 2, cases[i].payload,
		      (uint32_t)strlen(cases[i].payload));
		assert_int_equal(sw_detect_packet(c, &p, cases[i].view ? &v : NULL, &res), 0);
		for (uint32_t k = 0; k < res.n; k++)
			got |= 1u << res.m[k].rule->sid;
		if (got != cases[i].sids)
			fail_msg("case %zu: sids %#x, expected %#x", i, got, cases[i].sids);
	}
	sw_detect_ctx_free(c);
}

/*
 * Held stream bytes inspected at a gap or at flow end come as a synthetic
 * packet (stream_flush): rules without a positive content or pcre matched
 * the real segments already and must not match it again.
 */
static void test_stream_flush(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"password\"; sid:1;)\n"
		"alert tcp any any -> any 2 (flags:A+; sid:2;)\n"
		"alert tcp any any -> any any (content:!\"nothing\"; sid:3;)\n"
		"alert tcp any any -> any any (flow:only_stream; pcre:\"/pass.ord/\"; sid:4;)\n");
	const char *held = "the password";
	struct sw_stream_view v = {(const uint8_t *)held, 12, 0, 0, true};
	struct sw_detect_result res;
	struct sw_packet p;
	struct sw_flow f;
	(void)state;

	/* the same bytes on a wire packet: every rule matches */
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, held, 12);
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 1) && has_sid(&res, 2) && has_sid(&res, 3) && has_sid(&res, 4));

	/* as a flush of held bytes (no payload of its own): only content/pcre rules */
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "", 0);
	p.stream_flush = true;
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 1));
	assert_true(has_sid(&res, 4));
	assert_false(has_sid(&res, 2)); /* header-only */
	assert_false(has_sid(&res, 3)); /* only a negated content */
	assert_int_equal(res.n, 2);
	sw_detect_ctx_free(c);

	/* a flush after the connection closed: the bytes were sent while it was established */
	c = ctx_for("alert tcp any any -> any any (flow:established,to_server; content:\"password\"; sid:5;)\n"
		    "alert tcp any any -> any any (flow:not_established; content:\"password\"; sid:6;)\n");
	memset(&f, 0, sizeof(f));
	f.state = SW_FLOW_STATE_CLOSED;
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, held, 12);
	p.flow = &f;
	p.to_server = true;
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_false(has_sid(&res, 5)); /* a wire packet on a closed flow is not established */
	assert_true(has_sid(&res, 6));
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "", 0);
	p.flow = &f;
	p.to_server = true;
	p.stream_flush = true;
	assert_int_equal(sw_detect_packet(c, &p, &v, &res), 0);
	assert_true(has_sid(&res, 5));
	assert_false(has_sid(&res, 6));
	assert_int_equal(f.state, SW_FLOW_STATE_CLOSED); /* inspection leaves the flow as it was */
	sw_detect_ctx_free(c);
}

/* ---- stream_size and app_proto in the header ---- */

static void test_stream_size_and_app_proto(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (stream_size:client,>,100; sid:1;)\n"
		"alert tcp any any -> any any (stream_size:server,<,10; sid:2;)\n"
		"alert tcp any any -> any any (stream_size:both,>=,11; sid:3;)\n"
		"alert tcp any any -> any any (stream_size:either,=,11; sid:4;)\n"
		"alert http any any -> any any (content:\"GET\"; sid:5;)\n"
		"alert tcp any any -> any any (content:\"GET\"; sid:6;)\n");
	struct sw_detect_result res;
	struct sw_packet p;
	struct sw_flow f;
	(void)state;

	memset(&f, 0, sizeof(f));
	f.proto = 6;
	f.state = SW_FLOW_STATE_ESTABLISHED;
	/* client sent 200 bytes after its SYN, the server 10 after its SYN/ACK: sizes 201 and 11 */
	f.stream[0].has_isn = true;
	f.stream[0].isn = 4294967200u; /* the size is taken modulo 2^32, across the wrap */
	f.stream[0].next_seq = f.stream[0].isn + 201;
	f.stream[1].has_isn = true;
	f.stream[1].isn = 1000;
	f.stream[1].next_seq = 1011;
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 80, "GET /", 5);
	p.flow = &f;
	p.to_server = true;
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_true(has_sid(&res, 1));
	assert_false(has_sid(&res, 2)); /* 11 is not < 10 */
	assert_true(has_sid(&res, 3));
	assert_true(has_sid(&res, 4));
	assert_false(has_sid(&res, 5)); /* not (yet) detected as HTTP */
	assert_true(has_sid(&res, 6));
	f.app_proto = SW_APP_HTTP1;
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_true(has_sid(&res, 5));
	f.app_proto = SW_APP_TLS;
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_false(has_sid(&res, 5));
	/* a direction whose ISN was never seen has no size */
	f.stream[1].has_isn = false;
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_false(has_sid(&res, 3));
	assert_false(has_sid(&res, 4));
	/* no flow, no session: stream_size never matches */
	p.flow = NULL;
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_false(has_sid(&res, 1));
	sw_detect_ctx_free(c);
}

/* ---- backtracking of relative chains ---- */

static void test_backtracking(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"a\"; content:\"b\"; within:1; sid:1;)\n"
		"alert tcp any any -> any any (content:\"k=\"; content:\"1\"; within:1; content:\"2\"; within:1; sid:2;)\n"
		"alert tcp any any -> any any (content:\"x\"; pcre:\"/^yz/R\"; sid:3;)\n"
		"alert tcp any any -> any any (content:\"T\"; byte_test:1,=,0x41,0,relative; sid:4;)\n");
	static const struct {
		const char *payload;
		uint32_t sids[4];
	} cases[] = {
		{"a a a ab", {1}},         /* only the fourth "a" is followed by "b" */
		{"k=1 k=13 k=12", {2}},   /* third "k=" */
		{"xa xb xyz", {3}},
		{"TB TC TA", {4}},
		{"a a a a", {0}},
		{"k=1 k=13", {0}},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_detect_result res;
		struct sw_packet p;

		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, cases[i].payload, (uint32_t)strlen(cases[i].payload));
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		if (cases[i].sids[0] == 0) {
			assert_int_equal(res.n, 0);
		} else {
			assert_int_equal(res.n, 1);
			assert_int_equal(res.m[0].rule->sid, cases[i].sids[0]);
		}
	}
	sw_detect_ctx_free(c);
}

/* A hostile payload cannot make a backtracking chain explode: it ends, without a match, and is counted. */
static void test_backtracking_budget(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"a\"; content:\"a\"; distance:0; content:\"a\"; distance:0; "
		"content:\"a\"; distance:0; content:\"a\"; distance:0; content:\"b\"; within:1; sid:1;)\n");
	static char buf[4096];
	struct sw_detect_result res;
	struct sw_packet p;
	(void)state;

	/* "b" first, then only "a": every combination of five "a" is tried before giving up */
	memset(buf, 'a', sizeof(buf));
	buf[0] = 'b';
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, buf, sizeof(buf));
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, 0);
	assert_int_equal(sw_detect_ctx_stats(c)->budget_exhausted, 1);
	buf[6] = 'b'; /* "aaaaab" at 1..6: found early */
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(sw_detect_ctx_stats(c)->budget_exhausted, 1);
	sw_detect_ctx_free(c);
}

/* ---- flowbits ---- */

static void test_flowbits(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"login\"; flowbits:set,auth; flowbits:noalert; sid:1;)\n"
		"alert tcp any any -> any any (content:\"secret\"; flowbits:isset,auth; sid:2;)\n"
		"alert tcp any any -> any any (content:\"secret\"; flowbits:isnotset,auth; sid:3;)\n"
		"alert tcp any any -> any any (content:\"logout\"; flowbits:unset,auth; sid:4;)\n"
		"alert tcp any any -> any any (content:\"flip\"; flowbits:toggle,f1; sid:5;)\n"
		"alert tcp any any -> any any (content:\"chk\"; flowbits:isset,f1|auth; sid:6;)\n"
		"alert tcp any any -> any any (content:\"chk\"; flowbits:isset,f1&auth; sid:7;)\n");
	struct sw_flow f;
	static const struct {
		const char *payload;
		bool matched;
		uint32_t sids[3];
	} seq[] = {
		{"secret", true, {3}},
		{"login", true, {0}},           /* noalert: matched, no alert */
		{"secret", true, {2}},
		{"chk", true, {6}},
		{"flip", true, {5}},
		{"chk", true, {6, 7}},
		{"logout", true, {4}},
		{"secret", true, {3}},
		{"flip chk", true, {5, 0}},     /* toggled off, so only... */
		{"login secret", true, {2}},    /* set earlier in the same packet is seen */
	};
	(void)state;

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct sw_detect_result res;
		struct sw_packet p;
		uint32_t want = 0;

		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, seq[i].payload, (uint32_t)strlen(seq[i].payload));
		p.flow = &f;
		p.to_server = true;
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		assert_int_equal(res.matched_any, seq[i].matched);
		for (int k = 0; k < 3 && seq[i].sids[k]; k++, want++)
			if (!has_sid(&res, seq[i].sids[k]))
				fail_msg("step %zu: sid %u missing", i, seq[i].sids[k]);
		if (i == 8) {
			/* "flip chk": f1 toggled off again, auth unset: 5 alone */
			assert_int_equal(res.n, 1);
			continue;
		}
		assert_int_equal(res.n, want);
	}
	sw_detect_ctx_free(c);
}

/* ---- threshold and detection_filter over packet time ---- */

static uint32_t alerts_over(struct sw_detect_ctx *c, const char *src, int64_t t0, int n, int64_t step_usec,
			    uint32_t *pattern)
{
	uint32_t total = 0;

	for (int i = 0; i < n; i++) {
		struct sw_detect_result res;
		struct sw_packet p;

		mkpkt(&p, 6, src, 1, "2.2.2.2", 80, "hit", 3);
		p.ts_usec = t0 + i * step_usec;
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		assert_true(res.matched_any);
		if (pattern)
			pattern[i] = res.n;
		total += res.n;
	}
	return total;
}

static void test_threshold(void **state)
{
	static const struct {
		const char *opt;
		uint32_t want[10]; /* alerts for 10 hits one second apart (window 5 s) */
	} cases[] = {
		/* Suricata's window includes its last second: a hit 5 s after the first is still in it */
		{"threshold:type limit, track by_src, count 2, seconds 5;", {1, 1, 0, 0, 0, 0, 1, 1, 0, 0}},
		{"threshold:type threshold, track by_src, count 3, seconds 5;", {0, 0, 1, 0, 0, 1, 0, 0, 1, 0}},
		{"threshold:type both, track by_src, count 2, seconds 5;", {0, 1, 0, 0, 0, 0, 0, 1, 0, 0}},
		{"detection_filter:track by_src, count 2, seconds 5;", {0, 0, 1, 1, 1, 1, 0, 0, 1, 1}},
		{"threshold:type limit, track by_dst, count 1, seconds 5;", {1, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rule[256];
		uint32_t got[10];
		struct sw_detect_ctx *c;

		snprintf(rule, sizeof(rule), "alert tcp any any -> any any (content:\"hit\"; %s sid:9;)", cases[i].opt);
		c = ctx_for(rule);
		alerts_over(c, "1.1.1.1", 1000000000000LL, 10, 1000000, got);
		for (int k = 0; k < 10; k++)
			if (got[k] != cases[i].want[k])
				fail_msg("%s: hit %d: %u alerts, want %u", cases[i].opt, k, got[k], cases[i].want[k]);
		/* another source has its own count (by_src), the same one with by_dst */
		if (strstr(cases[i].opt, "limit, track by_src"))
			assert_int_equal(alerts_over(c, "1.1.1.9", 1000000000000LL, 3, 1000, NULL), 2);
		if (strstr(cases[i].opt, "by_dst"))
			assert_int_equal(alerts_over(c, "1.1.1.9", 1000000000000LL + 9000000, 3, 1000, NULL), 0);
		assert_int_equal(sw_detect_ctx_stats(c)->suppressed + sw_detect_ctx_stats(c)->alerts,
				 10 + (strstr(cases[i].opt, "by_src, count 2, seconds 5;") && strstr(cases[i].opt, "limit") ? 3 : 0) +
				 (strstr(cases[i].opt, "by_dst") ? 3 : 0));
		sw_detect_ctx_free(c);
	}
}

/* One packet at second @sec on flow @f (may be NULL); returns the alert count, sets *@sid to the first. */
static uint32_t one(struct sw_detect_ctx *c, struct sw_flow *f, const char *src, const char *dst, const char *pl,
		    int64_t sec, uint32_t *sid)
{
	struct sw_detect_result res;
	struct sw_packet p;

	mkpkt(&p, 17, src, 1000, dst, 2000, pl, (uint32_t)strlen(pl));
	p.ts_usec = sec * 1000000;
	p.flow = f;
	p.to_server = true;
	if (f) {
		f->pkts_ts++;
		f->bytes_ts += 60;
		f->last_usec = p.ts_usec;
	}
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	*sid = res.n ? res.m[0].rule->sid : 0;
	return res.n;
}

static void test_state_keywords(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert udp any any -> any any (content:\"set\"; hostbits:set,h,src; noalert; sid:1;)\n"
		"alert udp any any -> any any (content:\"hb\"; hostbits:isset,h,src; sid:2;)\n"
		"alert udp any any -> any any (content:\"pair\"; xbits:set,p,track ip_pair,expire 5; noalert; sid:3;)\n"
		"alert udp any any -> any any (content:\"xb\"; xbits:isset,p,track ip_pair; sid:4;)\n"
		"alert udp any any -> any any (content:\"tg\"; xbits:toggle,t,track ip_dst; noalert; sid:5;)\n"
		"alert udp any any -> any any (content:\"td\"; xbits:isset,t,track ip_dst; sid:6;)\n"
		"alert udp any any -> any any (content:\"fi\"; flowint:n,+,2; noalert; sid:7;)\n"
		"alert udp any any -> any any (content:\"fi\"; flowint:n,==,4; sid:8;)\n"
		"alert udp any any -> any any (content:\"fi\"; flowint:n,-,1; flowint:n,isset; noalert; sid:9;)\n"
		"alert udp any any -> any any (content:\"cnt\"; flow.pkts:toserver,3; flow.bytes:either,>=180; "
		"flow.age:>=2; sid:10;)\n"
		"alert udp any any -> any any (content:\"bo\"; threshold:type backoff, track by_flow, count 1, multiplier 2; "
		"sid:11;)\n");
	struct sw_flow f;
	uint32_t sid;
	(void)state;

	memset(&f, 0, sizeof(f));
	f.start_usec = 100 * 1000000LL;
	/* hostbits: a bit of 1.1.1.1, seen from any flow of it, until 300 s after the set */
	assert_int_equal(one(c, NULL, "1.1.1.1", "2.2.2.2", "hb", 100, &sid), 0);
	assert_int_equal(one(c, NULL, "1.1.1.1", "2.2.2.2", "set", 100, &sid), 0);
	assert_int_equal(one(c, NULL, "1.1.1.1", "3.3.3.3", "hb", 200, &sid), 1);
	assert_int_equal(sid, 2);
	assert_int_equal(one(c, NULL, "1.1.1.2", "3.3.3.3", "hb", 200, &sid), 0);
	assert_int_equal(one(c, NULL, "3.3.3.3", "1.1.1.1", "hb", 200, &sid), 0); /* track src */
	assert_int_equal(one(c, NULL, "1.1.1.1", "3.3.3.3", "hb", 400, &sid), 1); /* expiry itself still set */
	assert_int_equal(one(c, NULL, "1.1.1.1", "3.3.3.3", "hb", 401, &sid), 0);
	/* set again after expiry: a new bit */
	assert_int_equal(one(c, NULL, "1.1.1.1", "2.2.2.2", "set", 500, &sid), 0);
	assert_int_equal(one(c, NULL, "1.1.1.1", "3.3.3.3", "hb", 501, &sid), 1);
	/* ip_pair: either direction, expire 5 */
	assert_int_equal(one(c, NULL, "5.5.5.5", "6.6.6.6", "pair", 10, &sid), 0);
	assert_int_equal(one(c, NULL, "6.6.6.6", "5.5.5.5", "xb", 12, &sid), 1);
	assert_int_equal(one(c, NULL, "6.6.6.6", "5.5.5.7", "xb", 12, &sid), 0);
	assert_int_equal(one(c, NULL, "5.5.5.5", "6.6.6.6", "xb", 16, &sid), 0);
	/* toggle on ip_dst: on, then off */
	assert_int_equal(one(c, NULL, "7.7.7.1", "8.8.8.8", "tg", 10, &sid), 0);
	assert_int_equal(one(c, NULL, "7.7.7.2", "8.8.8.8", "td", 11, &sid), 1);
	assert_int_equal(one(c, NULL, "7.7.7.3", "8.8.8.8", "tg", 12, &sid), 0);
	assert_int_equal(one(c, NULL, "7.7.7.2", "8.8.8.8", "td", 13, &sid), 0);
	/* flowint: +2 (sets an unset variable), - 1 only when set, == 4 */
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "fi", 100, &sid), 0);
	assert_int_equal(f.flowint_set, 1);
	assert_int_equal(f.flowint[0], 1); /* 2, then sid 9's -1 */
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "fi", 101, &sid), 0);
	assert_int_equal(f.flowint[0], 2);
	/* setters run first (sid 7 +2, then sid 9 -1, which also tests), then sid 8 compares: 3, then 4 */
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "fi", 101, &sid), 0);
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "fi", 101, &sid), 1);
	assert_int_equal(sid, 8);
	assert_int_equal(one(c, NULL, "9.9.9.9", "9.9.9.8", "fi", 101, &sid), 0); /* no flow: no match */
	/* flow counters: the flow has 3 packets (180 bytes) now, aged 2 s at the next */
	f.pkts_ts = 2;
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "cnt", 102, &sid), 1);
	assert_int_equal(sid, 10);
	assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "cnt", 102, &sid), 0); /* 4 packets */
	/* backoff by_flow count 1 multiplier 2: the 1st, 2nd, 4th, 8th match; none without a flow */
	for (int i = 1; i <= 9; i++)
		assert_int_equal(one(c, &f, "9.9.9.9", "9.9.9.8", "bo", 103, &sid), i == 1 || i == 2 || i == 4 || i == 8);
	assert_int_equal(one(c, NULL, "9.9.9.9", "9.9.9.8", "bo", 103, &sid), 0);
	sw_detect_ctx_free(c);
}

/* ---- action precedence ---- */

static void test_actions(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"alert tcp any any -> any any (content:\"a\"; sid:1;)\n"
		"reject tcp any any -> any any (content:\"r\"; sid:2;)\n"
		"drop tcp any any -> any any (content:\"d\"; sid:3;)\n"
		"pass tcp any any -> any any (content:\"p\"; sid:4;)\n");
	static const struct {
		const char *payload;
		enum sw_action verdict;
		uint32_t vsid, n;
	} cases[] = {
		{"a", SW_ACTION_ALERT, 1, 1},  {"ar", SW_ACTION_REJECT, 2, 2}, {"ard", SW_ACTION_DROP, 3, 3},
		{"dr", SW_ACTION_DROP, 3, 2},  {"ardp", SW_ACTION_PASS, 4, 0}, {"zz", SW_ACTION_ALERT, 0, 0},
	};
	(void)state;

	/*
	 * On the reassembled stream the action applies to the flow; on a bare
	 * packet (no in-sync stream view) to that packet only, as in Suricata.
	 */
	for (size_t i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
		size_t k = i / 2;
		bool stream = i % 2;
		struct sw_detect_result res;
		struct sw_stream_view v;
		struct sw_packet p;
		struct sw_flow f;

		memset(&f, 0, sizeof(f));
		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, cases[k].payload, (uint32_t)strlen(cases[k].payload));
		p.flow = &f;
		v = (struct sw_stream_view){ p.payload, p.payload_len, 0, 0, true };
		assert_int_equal(sw_detect_packet(c, &p, stream ? &v : NULL, &res), 0);
		if (!stream) {
			assert_int_equal(res.verdict, cases[k].verdict);
			assert_false(f.dropped);
			assert_false(f.passed);
			continue;
		}

		assert_int_equal(res.verdict, cases[k].verdict);
		assert_int_equal(res.n, cases[k].n);
		if (cases[k].vsid) {
			assert_non_null(res.verdict_rule);
			assert_int_equal(res.verdict_rule->sid, cases[k].vsid);
		} else {
			assert_null(res.verdict_rule);
		}
		assert_int_equal(f.dropped, cases[k].verdict == SW_ACTION_DROP || cases[k].verdict == SW_ACTION_REJECT);
		if (f.dropped)
			assert_int_equal(f.drop_sid, cases[k].vsid);
		assert_int_equal(f.passed, cases[k].verdict == SW_ACTION_PASS);
		assert_int_equal(f.alerted, cases[k].n > 0);
		if (f.passed) {
			/* later packets of a passed flow are not inspected */
			mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "a", 1);
			p.flow = &f;
			assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
			assert_int_equal(res.verdict, SW_ACTION_PASS);
			assert_int_equal(res.n, 0);
			assert_false(res.matched_any);
		}
	}
	sw_detect_ctx_free(c);
}

/* The scope of a drop by rule type: UDP payload and dsize rules drop the packet, IP-only ones the flow. */
static void test_drop_scope(void **state)
{
	struct sw_detect_ctx *c = ctx_for(
		"drop udp any any -> any any (content:\"d\"; sid:1;)\n"
		"drop tcp any any -> any any (dsize:1; sid:2;)\n"
		"drop ip 9.9.9.9 any -> any any (sid:3;)\n");
	static const struct {
		uint8_t proto;
		const char *src, *payload;
		bool stream, flow;
	} cases[] = {
		{ 17, "1.1.1.1", "d", false, false }, /* a UDP payload rule: this datagram only */
		{ 6, "1.1.1.1", "x", true, false },   /* dsize: a packet rule even on a stream */
		{ 17, "9.9.9.9", "zz", false, true }, /* IP-only: the flow */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_detect_result res;
		struct sw_stream_view v;
		struct sw_packet p;
		struct sw_flow f;

		memset(&f, 0, sizeof(f));
		mkpkt(&p, cases[i].proto, cases[i].src, 1, "2.2.2.2", 2, cases[i].payload,
		      (uint32_t)strlen(cases[i].payload));
		p.flow = &f;
		v = (struct sw_stream_view){ p.payload, p.payload_len, 0, 0, true };
		assert_int_equal(sw_detect_packet(c, &p, cases[i].stream ? &v : NULL, &res), 0);
		assert_int_equal(res.verdict, SW_ACTION_DROP);
		if (f.dropped != cases[i].flow)
			fail_msg("case %zu: flow dropped %d, want %d", i, f.dropped, cases[i].flow);
	}
	sw_detect_ctx_free(c);
}

/* ---- alert cap ---- */

static void test_alert_overflow(void **state)
{
	char text[4096] = "";
	struct sw_detect_ctx *c;
	struct sw_detect_result res;
	struct sw_packet p;
	(void)state;

	for (int i = 1; i <= 20; i++) {
		char line[128];

		snprintf(line, sizeof(line), "alert tcp any any -> any any (content:\"x%d\"; sid:%d;)\n", i % 10, i);
		strcat(text, line);
	}
	c = ctx_for(text);
	mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "x0x1x2x3x4x5x6x7x8x9", 20);
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, SW_DETECT_MAX_ALERTS);
	assert_int_equal(sw_detect_ctx_stats(c)->alert_overflow, 20 - SW_DETECT_MAX_ALERTS);
	for (uint32_t i = 1; i < res.n; i++) /* file order */
		assert_true(res.m[i - 1].rule->sid < res.m[i].rule->sid);
	sw_detect_ctx_free(c);
}

/* ---- IP-list rules: 50 addresses per rule, v4 and v6 ---- */

static void test_ip_lists(void **state)
{
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	struct sw_detect_ctx *c;
	(void)state;

	assert_non_null(text);
	for (int r = 0; r < 40; r++) {
		len += (size_t)snprintf(text + len, cap - len, "alert ip [");
		for (int a = 0; a < 50; a++) {
			if (r % 2 == 0)
				len += (size_t)snprintf(text + len, cap - len, "%s%d.%d.%d.%d", a ? "," : "", 100 + r, a, r, a + 1);
			else
				len += (size_t)snprintf(text + len, cap - len, "%s2001:db8:%x::%x", a ? "," : "", r, a + 1);
		}
		len += (size_t)snprintf(text + len, cap - len, "] any -> $HOME_NET any (msg:\"rep %d\"; sid:%d;)\n", r, 1000 + r);
	}
	c = ctx_for(text);
	static const struct {
		const char *src, *dst;
		uint32_t sid;
	} cases[] = {
		{"100.0.0.1", "192.168.1.1", 1000},        {"100.49.0.50", "10.0.0.1", 1000},
		{"138.7.38.8", "192.168.1.1", 1038},       {"2001:db8:1::1", "fd00::1", 1001},
		{"2001:db8:27::32", "fd00::1", 1039},      {"100.0.0.51", "192.168.1.1", 0},
		{"100.0.0.1", "8.8.8.8", 0},               {"2001:db8:1::33", "fd00::1", 0},
		{"2001:db8:2::1", "fd00::1", 0},           {"192.168.1.1", "100.0.0.1", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_detect_result res;
		struct sw_packet p;

		mkpkt(&p, 17, cases[i].src, 5, cases[i].dst, 53, "q", 1);
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		if (cases[i].sid) {
			assert_int_equal(res.n, 1);
			assert_int_equal(res.m[0].rule->sid, cases[i].sid);
		} else {
			assert_int_equal(res.n, 0);
		}
	}
	/* the index keeps these rules off other packets: one candidate at most */
	assert_true(sw_detect_ctx_stats(c)->candidates <= 6);
	sw_detect_ctx_free(c);
	free(text);
}

/* IP-only rules fire on the first packet of each flow direction, as Suricata's IP-only engine. */
static void test_iponly_once_per_direction(void **state)
{
	struct sw_detect_ctx *c = ctx_for("alert ip 100.0.0.1 any <> $HOME_NET any (msg:\"rep\"; sid:7;)\n"
					  "alert udp 100.0.0.1 any -> any 53 (msg:\"per packet\"; sid:8;)\n");
	struct sw_flow f;
	struct sw_detect_result res;
	struct sw_packet p;
	int alerts7 = 0, alerts8 = 0;
	(void)state;

	memset(&f, 0, sizeof(f));
	for (int i = 0; i < 6; i++) {
		bool ts = i % 3 != 2; /* two to the server, one back, twice over */
		if (ts)
			mkpkt(&p, 17, "100.0.0.1", 5000, "192.168.1.1", 53, "q", 1);
		else
			mkpkt(&p, 17, "192.168.1.1", 53, "100.0.0.1", 5000, "r", 1);
		p.flow = &f;
		p.to_server = ts;
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		for (uint32_t k = 0; k < res.n; k++) {
			alerts7 += res.m[k].rule->sid == 7;
			alerts8 += res.m[k].rule->sid == 8;
		}
	}
	/* sid 7: once to the server, once to the client; sid 8 (has a port) on each of 4 requests. */
	assert_int_equal(alerts7, 2);
	assert_int_equal(alerts8, 4);
	/* Without a flow there is nothing to remember: every packet is evaluated. */
	mkpkt(&p, 17, "100.0.0.1", 5000, "192.168.1.1", 53, "q", 1);
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, 2);
	sw_detect_ctx_free(c);
}

/* Header-only rules are indexed by destination port and address: few candidates per packet. */
static void test_prefilter_index(void **state)
{
	char *text = malloc(1 << 16);
	size_t len = 0;
	struct sw_detect_ctx *c;
	struct sw_detect_result res;
	struct sw_packet p;
	(void)state;

	assert_non_null(text);
	for (int i = 1; i <= 100; i++)
		len += (size_t)snprintf(text + len, (1 << 16) - len, "alert tcp any any -> any %d (sid:%d;)\n", i, i);
	for (int i = 1; i <= 100; i++)
		len += (size_t)snprintf(text + len, (1 << 16) - len, "alert udp any any -> 10.0.%d.1 any (sid:%d;)\n", i,
					1000 + i);
	len += (size_t)snprintf(text + len, (1 << 16) - len, "alert tcp any any -> any any (flags:S; sid:5000;)\n");
	c = ctx_for(text);
	mkpkt(&p, 6, "1.1.1.1", 1000, "10.0.7.1", 5, "", 0);
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.m[0].rule->sid, 5);
	/* the port rule and the "always" flags rule; no UDP rule */
	assert_int_equal(sw_detect_ctx_stats(c)->candidates, 2);
	mkpkt(&p, 17, "1.1.1.1", 1000, "10.0.7.1", 5, "", 0);
	assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.m[0].rule->sid, 1007);
	assert_int_equal(sw_detect_ctx_stats(c)->candidates, 3);
	sw_detect_ctx_free(c);
	free(text);
}

/* ---- prefilter vs brute force over random header rules ---- */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void rand_addr(uint64_t *s, char *b, size_t n, bool v6)
{
	if (v6)
		snprintf(b, n, "2001:db8:%x::%x", rnd(s) % 4, rnd(s) % 8);
	else
		snprintf(b, n, "10.%u.%u.%u", rnd(s) % 4, rnd(s) % 4, rnd(s) % 8);
}

static void rand_set(uint64_t *s, char *b, size_t n)
{
	char a[64];

	switch (rnd(s) % 6) {
	case 0:
	case 1:
		snprintf(b, n, "any");
		break;
	case 2:
		rand_addr(s, a, sizeof(a), rnd(s) % 3 == 0);
		snprintf(b, n, "%s", a);
		break;
	case 3:
		snprintf(b, n, "10.%u.0.0/16", rnd(s) % 4);
		break;
	case 4: {
		char x[64], y[64];

		rand_addr(s, x, sizeof(x), false);
		rand_addr(s, y, sizeof(y), true);
		snprintf(b, n, "[%s,%s,10.%u.%u.0/29]", x, y, rnd(s) % 4, rnd(s) % 4);
		break;
	}
	default:
		snprintf(b, n, "!10.%u.0.0/16", rnd(s) % 4);
	}
}

static void rand_ports(uint64_t *s, char *b, size_t n)
{
	switch (rnd(s) % 4) {
	case 0:
	case 1:
		snprintf(b, n, "any");
		break;
	case 2:
		snprintf(b, n, "%u", 1 + rnd(s) % 8);
		break;
	default: {
		uint32_t lo = 1 + rnd(s) % 8;

		snprintf(b, n, "%u:%u", lo, lo + rnd(s) % 4);
	}
	}
}

static void test_prefilter_random(void **state)
{
	static const char *protos[] = {"ip", "tcp", "udp", "icmp", "icmpv6", "tcp-pkt"};
	uint64_t seed = 42;
	size_t cap = 1 << 17, len = 0;
	char *text = malloc(cap);
	struct sw_detect *d;
	struct sw_detect_ctx *c;
	const struct sw_rules *rs;
	(void)state;

	assert_non_null(text);
	for (int i = 0; i < 200; i++) {
		static const char *ipp[] = {"", "ip_proto:47; ", "ip_proto:6; ", "ip_proto:1; "};
		char s[128], dd[128], sp[32], dp[32];
		const char *proto = protos[rnd(&seed) % 6];
		bool icmp = !strncmp(proto, "icmp", 4);
		/* ip rules: some by protocol number (an index of its own, detect.c proto_frac()) */
		const char *ipproto = !strcmp(proto, "ip") ? ipp[rnd(&seed) % 4] : "";

		rand_set(&seed, s, sizeof(s));
		rand_set(&seed, dd, sizeof(dd));
		rand_ports(&seed, sp, sizeof(sp));
		rand_ports(&seed, dp, sizeof(dp));
		if (icmp || !strcmp(proto, "ip")) {
			strcpy(sp, "any");
			strcpy(dp, "any");
		}
		len += (size_t)snprintf(text + len, cap - len, "alert %s %s %s %s %s %s (%s%ssid:%d;)\n", proto, s, sp,
					rnd(&seed) % 4 == 0 ? "<>" : "->", dd, dp,
					rnd(&seed) % 5 == 0 ? "ttl:<100; " : "", ipproto, 100 + i);
	}
	d = load(text);
	c = sw_detect_ctx_new(d);
	assert_non_null(c);
	rs = sw_detect_rules(d);
	assert_int_equal(sw_detect_rule_count(d), 200);
	for (int i = 0; i < 1000; i++) {
		static const uint8_t pr[] = {6, 17, 1, 58, 47};
		struct sw_detect_result res;
		struct sw_packet p;
		char src[64], dst[64];
		bool v6 = rnd(&seed) % 3 == 0;
		uint8_t proto = pr[rnd(&seed) % 5];
		uint32_t brute = 0;

		rand_addr(&seed, src, sizeof(src), v6);
		rand_addr(&seed, dst, sizeof(dst), v6);
		if (proto == 1 && v6)
			proto = 58;
		if (proto == 58 && !v6)
			proto = 1;
		mkpkt(&p, proto, src, (uint16_t)(1 + rnd(&seed) % 12), dst, (uint16_t)(1 + rnd(&seed) % 12), "", 0);
		p.ttl = (uint8_t)(rnd(&seed) % 200);
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		/* brute force: the engine's own verification applied to every rule, plus an independent header check */
		for (size_t k = 0; k < sw_rules_count(rs); k++) {
			const struct sw_rule *r = sw_rules_get(rs, k);
			bool ok = true;
			int fam = p.src.family;
			bool ports = proto == 6 || proto == 17;

			switch (r->proto) {
			case SW_RP_TCP:
			case SW_RP_TCP_PKT:
			case SW_RP_TCP_STREAM:
				ok = proto == 6;
				break;
			case SW_RP_UDP:
				ok = proto == 17;
				break;
			case SW_RP_ICMP:
				ok = proto == 1;
				break;
			case SW_RP_ICMPV6:
				ok = proto == 58;
				break;
			case SW_RP_IP:
				break;
			}
			(void)fam;
			if (ok && r->ttl.set)
				ok = p.ttl < r->ttl.a;
			if (ok && r->ip_proto.set)
				ok = p.proto == r->ip_proto.a;
			if (ok) {
				bool fwd = true, rev = r->bidir;
				const struct sw_ip *ends[2] = {&p.src, &p.dst};
				uint16_t pts[2] = {p.sport, p.dport};

				for (int o = 0; o < 2; o++) {
					bool *m = o == 0 ? &fwd : &rev;
					const struct sw_addrset *as[2] = {&r->src, &r->dst};
					const struct sw_portset *ps[2] = {&r->sp, &r->dp};

					if (!*m)
						continue;
					for (int side = 0; side < 2 && *m; side++) {
						const struct sw_addrset *a = as[side];
						const struct sw_ip *ip = ends[o == 0 ? side : 1 - side];
						bool in = a->any;
						/* linear scan: independent of the engine's binary searches */
						if (!in && ip->family == AF_INET)
							for (uint32_t q = 0; q < a->n4; q++)
								in |= a->v4[q].lo <= sw_ip_v4(ip) && sw_ip_v4(ip) <= a->v4[q].hi;
						if (!in && ip->family == AF_INET6)
							for (uint32_t q = 0; q < a->n6; q++)
								in |= memcmp(a->v6[q].lo, ip->a, 16) <= 0 && memcmp(ip->a, a->v6[q].hi, 16) <= 0;
						*m = in;
						if (*m && !ps[side]->any) {
							uint16_t port = pts[o == 0 ? side : 1 - side];
							bool pin = false;

							for (uint32_t q = 0; ports && q < ps[side]->n; q++)
								pin |= ps[side]->r[q].lo <= port && port <= ps[side]->r[q].hi;
							*m = pin;
						}
					}
				}
				ok = fwd || rev;
			}
			if (ok) {
				brute++;
				if (!has_sid(&res, r->sid) && res.n < SW_DETECT_MAX_ALERTS)
					fail_msg("packet %d: rule sid %u matches by brute force but not in the engine", i, r->sid);
			}
		}
		if (brute < SW_DETECT_MAX_ALERTS)
			assert_int_equal(res.n, brute);
		else
			assert_int_equal(res.n, SW_DETECT_MAX_ALERTS);
	}
	sw_detect_ctx_free(c);
	sw_detect_put(d);
	free(text);
}

/* ---- references, errors ---- */

static void test_refs_and_errors(void **state)
{
	struct sw_detect *d = load("alert tcp any any -> any any (content:\"a\"; sid:1;)\n");
	struct sw_detect_ctx *c;
	struct sw_rules *r;
	char err[256];
	(void)state;

	assert_ptr_equal(sw_detect_get(d), d);
	sw_detect_put(d);
	c = sw_detect_ctx_new(d);
	assert_non_null(c);
	sw_detect_put(d); /* the ctx keeps it alive */
	assert_int_equal(sw_detect_rule_count(d), 1);
	assert_int_equal(sw_rules_count(sw_detect_rules(d)), 1);
	sw_detect_ctx_free(c);
	sw_detect_put(NULL);
	sw_detect_ctx_free(NULL);

	/* an empty ruleset works and matches nothing */
	r = sw_rules_new(NULL, NULL);
	assert_non_null(r);
	d = sw_detect_new(r, err, sizeof(err));
	assert_non_null(d);
	c = sw_detect_ctx_new(d);
	assert_non_null(c);
	{
		struct sw_detect_result res;
		struct sw_packet p;

		mkpkt(&p, 6, "1.1.1.1", 1, "2.2.2.2", 2, "abc", 3);
		assert_int_equal(sw_detect_packet(c, &p, NULL, &res), 0);
		assert_false(res.matched_any);
	}
	sw_detect_ctx_free(c);
	sw_detect_put(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),       cmocka_unit_test(test_narrow_ports), cmocka_unit_test(test_stream_head),       cmocka_unit_test(test_stream), cmocka_unit_test(test_stream_long_pattern),
		cmocka_unit_test(test_stream_flush),   cmocka_unit_test(test_head_patterns),
		cmocka_unit_test(test_backtracking),   cmocka_unit_test(test_backtracking_budget),
		cmocka_unit_test(test_flowbits),       cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_state_keywords),
		cmocka_unit_test(test_actions), cmocka_unit_test(test_drop_scope),        cmocka_unit_test(test_alert_overflow),
		cmocka_unit_test(test_ip_lists), cmocka_unit_test(test_iponly_once_per_direction),       cmocka_unit_test(test_prefilter_index),
		cmocka_unit_test(test_prefilter_random),
		cmocka_unit_test(test_refs_and_errors),
		cmocka_unit_test(test_stream_size_and_app_proto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
