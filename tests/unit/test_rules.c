/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rule parser: golden tables of accepted rules (checked field by field) and
 * rejected rules (checked by exact "file:line:column: message").
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

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/packet.h"
#include "rules/rules.h"

struct env {
	struct sw_rule_vars *v;
	struct sw_classification *c;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sw_rule_error err;
	char path[512];
	const char *src = getenv("SW_SRC");

	assert_non_null(e);
	e->v = sw_rule_vars_new();
	e->c = sw_classification_new();
	assert_int_equal(sw_rule_vars_set_address(e->v, "HOME_NET", "[192.168.0.0/16,10.0.0.0/8]"), 0);
	assert_int_equal(sw_rule_vars_set_address(e->v, "EXTERNAL_NET", "!$HOME_NET"), 0);
	assert_int_equal(sw_rule_vars_set_address(e->v, "DNS_SERVERS", "$HOME_NET"), 0);
	assert_int_equal(sw_rule_vars_set_address(e->v, "LOOP1", "$LOOP2"), 0);
	assert_int_equal(sw_rule_vars_set_address(e->v, "LOOP2", "[1.1.1.1,$LOOP1]"), 0);
	assert_int_equal(sw_rule_vars_set_port(e->v, "HTTP_PORTS", "[80,8080]"), 0);
	assert_int_equal(sw_rule_vars_set_port(e->v, "SHELLCODE_PORTS", "!80"), 0);
	snprintf(path, sizeof(path), "%s/rules/classification.config", src ? src : ".");
	assert_int_equal(sw_classification_load(e->c, path, &err), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	sw_rule_vars_free(e->v);
	sw_classification_free(e->c);
	free(e);
	return 0;
}

static struct sw_rules *load(struct env *e, const char *text)
{
	struct sw_rules *r = sw_rules_new(e->v, e->c);
	assert_non_null(r);
	assert_int_equal(sw_rules_load_string(r, text, "t.rules"), 0);
	return r;
}

/* Parse one rule that must be accepted. */
static struct sw_rules *ok1(struct env *e, const char *text)
{
	struct sw_rules *r = load(e, text);
	if (sw_rules_error_count(r))
		fail_msg("rejected: %s: %s", text, sw_rules_error(r, 0)->message);
	assert_int_equal(sw_rules_count(r), 1);
	return r;
}

#define H "alert tcp any any -> any any "

/* ---- rejected rules: exact messages ---- */

struct rej {
	const char *rule;
	const char *want; /* "line:col: message" */
};

static const struct rej rejects[] = {
	{ "alert tcp any any -> any any (app-layer-protocol:http; sid:1;)", "1:31: unsupported keyword 'app-layer-protocol'" },
	{ "alert tcp any any -> any any (content:\"|4G|\"; sid:1;)", "1:40: invalid hex in content: '|4G|'" },
	{ "alert tcp any any -> any any (content:\"|414|\"; sid:1;)", "1:40: invalid hex in content: '|414|'" },
	{ "alert tcp any any -> any any (content:\"|41\"; sid:1;)", "1:40: unterminated hex in content: '|41'" },
	{ "alert tcp any any -> any any (content:\"a\\x\"; sid:1;)", "1:41: invalid escape in content: '\\x'" },
	{ "alert tcp any any -> any any (content:\"ab\"; depth:2; distance:1; sid:1;)", "1:54: 'depth' and 'distance' on one content" },
	{ "alert tcp any any -> any any (content:\"ab\"; within:4; offset:1; sid:1;)", "1:55: 'offset' and 'within' on one content" },
	{ "alert tcp any any -> any any (nocase; content:\"a\"; sid:1;)", "1:31: 'nocase' needs a preceding content" },
	{ "alert tcp any any -> any any (content:\"a\"; nocase; nocase; sid:1;)", "1:52: duplicate 'nocase' on one content" },
	{ "alert tcp any any -> any any (content:\"abc\"; depth:2; sid:1;)", "1:52: depth 2 is smaller than the content's length 3" },
	{ "alert tcp any any -> any any (content:\"a\"; offset:70000; sid:1;)", "1:51: offset value out of range (0-65535): '70000'" },
	{ "alert tcp any any -> any any (content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:1;)", "1:71: fast_pattern set on more than one content" },
	{ "alert tcp any any -> any any (content:\"ab\"; fast_pattern:1,5; sid:1;)", "1:58: fast_pattern '1,5' goes past the content's length 2" },
	{ "alert tcp any any -> any any (content:\"a\"; startswith; offset:1; sid:1;)", "1:56: 'offset' cannot be mixed with 'startswith'" },
	{ "alert tcp any any -> any any (msg:\"a; sid:1;)", "1:35: unterminated quote in 'msg'" },
	{ "alert tcp any any -> any any (msg:\"a\"; sid:1)", "1:40: missing ';' after 'sid'" },
	{ "alert tcp any any -> any any (msg:\"a\";)", "1:0: missing sid" },
	{ "alert tcp any any -> any any (sid:1; sid:2;)", "1:38: duplicate keyword 'sid'" },
	{ "alert tcp any any -> any any (msg:\"a\"; msg:\"b\"; sid:1;)", "1:40: duplicate keyword 'msg'" },
	{ "alert tcp any any -> any any (sid:0;)", "1:35: sid value out of range (1-4294967295): '0'" },
	{ "alert tcp any any -> any any (sid:abc;)", "1:35: invalid sid value: 'abc'" },
	{ "alert tcp any any -> any any (rev:x; sid:1;)", "1:35: invalid rev value: 'x'" },
	{ "alert tcp any any -> any any (gid:0; sid:1;)", "1:35: gid value out of range (1-4294967295): '0'" },
	{ "alert tcp any any -> any any (priority:0; sid:1;)", "1:40: priority value out of range (1-255): '0'" },
	{ "alert tcp any any -> any any (classtype:nope; sid:1;)", "1:41: unknown classtype 'nope'" },
	{ "alert tcp any any -> any any (reference:cve; sid:1;)", "1:41: invalid reference (want type,value): 'cve'" },
	{ "block tcp any any -> any any (sid:1;)", "1:1: unknown action 'block'" },
	{ "alert htp any any -> any any (sid:1;)", "1:7: unknown protocol 'htp'" },
	{ "alert quic any any -> any any (sid:1;)", "1:7: application protocol 'quic' is not supported" },
	{ "alert http2 any any -> any any (sid:1;)", "1:7: application protocol 'http2' is not supported" },
	{ "alert sctp any any -> any any (sid:1;)", "1:7: protocol 'sctp' is not supported" },
	{ "alert http any any -> any any (http.uri; content:\"abcdef\"; bsize:<6; sid:1;)",
	  "1:51: content needs 6 bytes, more than bsize allows (5)" },
	{ "alert http any any -> any any (http.uri; content:\"abc\"; offset:3; bsize:3; sid:1;)",
	  "1:51: content needs 6 bytes, more than bsize allows (3)" },
	{ "alert ftp-data any any -> any any (sid:1;)",
	  "1:7: application protocol 'ftp-data' is not supported (its connections are not detected)" },
	{ "alert tcp any any <- any any (sid:1;)", "1:19: invalid direction '<-'" },
	{ "alert tcp 1.2.3.4/33 any -> any any (sid:1;)", "1:11: invalid address '1.2.3.4/33'" },
	{ "alert tcp 1.2.3 any -> any any (sid:1;)", "1:11: invalid address '1.2.3'" },
	{ "alert tcp [1.2.3.4,300.1.1.1] any -> any any (sid:1;)", "1:20: invalid address '300.1.1.1'" },
	{ "alert tcp !any any -> any any (sid:1;)", "1:11: address set '!any' matches nothing" },
	{ "alert tcp [1.0.0.0/8,!1.0.0.0/8] any -> any any (sid:1;)", "1:11: address set '[1.0.0.0/8,!1.0.0.0/8]' matches nothing" },
	{ "alert tcp $NOPE any -> any any (sid:1;)", "1:11: unknown address variable '$NOPE'" },
	{ "alert tcp $LOOP1 any -> any any (sid:1;)", "1:11: variable loop in '$LOOP1'" },
	{ "alert tcp [1.2.3.4 any -> any any (sid:1;)", "1:11: unterminated '[' in '[1.2.3.4 any -> any any (sid:1;)'" },
	{ "alert tcp any 70000 -> any any (sid:1;)", "1:15: port out of range (0-65535): '70000'" },
	{ "alert tcp any 90:80 -> any any (sid:1;)", "1:15: invalid port range '90:80'" },
	{ "alert tcp any [80,x] -> any any (sid:1;)", "1:19: invalid port 'x'" },
	{ "alert tcp any !any -> any any (sid:1;)", "1:15: port set '!any' matches nothing" },
	{ "alert tcp any $NOPE -> any any (sid:1;)", "1:15: unknown port variable '$NOPE'" },
	{ "alert tcp any any -> any any (flowint:c; sid:1;)", "1:39: invalid flowint value (want name,op[,value]): 'c'" },
	{ "alert tcp any any -> any any (flowint:1c,=,1; sid:1;)", "1:39: invalid flowint name: '1c'" },
	{ "alert tcp any any -> any any (flowint:c,*,1; sid:1;)", "1:41: invalid flowint operator: '*'" },
	{ "alert tcp any any -> any any (flowint:c,+; sid:1;)", "1:41: flowint '+' needs a value" },
	{ "alert tcp any any -> any any (flowint:c,isset,1; sid:1;)", "1:47: flowint 'isset' takes no value: '1'" },
	{ "alert tcp any any -> any any (flowint:c,=,4294967296; sid:1;)", "1:43: flowint value out of range (0-4294967295): '4294967296'" },
	{ "alert tcp any any -> any any (flow.pkts:sideways,>3; sid:1;)", "1:41: invalid flow.pkts direction (want toserver, toclient, either or both): 'sideways'" },
	{ "alert tcp any any -> any any (flow.pkts:toserver,>=,3; sid:1;)", "1:50: invalid flow.pkts value: '>=,3'" },
	{ "alert tcp any any -> any any (flow.pkts_toserver:<0; sid:1;)", "1:50: invalid flow.pkts_toserver value: '<0'" },
	{ "alert tcp any any -> any any (flow.age:abc; sid:1;)", "1:40: invalid flow.age value: 'abc'" },
	{ "alert tcp any any -> any any (flow.bytes:both; sid:1;)", "1:42: invalid flow.bytes direction (want toserver, toclient, either or both): 'both'" },
	{ "alert tcp any any -> any any (hostbits:flip,a; sid:1;)", "1:40: invalid hostbits command: 'flip'" },
	{ "alert tcp any any -> any any (hostbits:set; sid:1;)", "1:40: hostbits 'set' needs a name" },
	{ "alert tcp any any -> any any (hostbits:set,a,both; sid:1;)", "1:46: hostbits direction 'both' is not implemented (as in Suricata)" },
	{ "alert tcp any any -> any any (hostbits:set,a,up; sid:1;)", "1:46: invalid hostbits direction (want src or dst): 'up'" },
	{ "alert tcp any any -> any any (hostbits:noalert,a; sid:1;)", "1:48: hostbits:noalert takes no name: 'a'" },
	{ "alert tcp any any -> any any (xbits:set,a; sid:1;)", "1:37: xbits needs 'track ip_src', 'track ip_dst' or 'track ip_pair': 'set,a'" },
	{ "alert tcp any any -> any any (xbits:set,a,track ip_any; sid:1;)", "1:49: invalid xbits track: 'ip_any'" },
	{ "alert tcp any any -> any any (xbits:set,a,track tx; sid:1;)", "1:49: xbits track 'tx' is not supported" },
	{ "alert tcp any any -> any any (xbits:set,a,track ip_src,expire 0; sid:1;)", "1:63: invalid xbits expire value: '0'" },
	{ "alert tcp any any -> any any (xbits:set,a,track ip_src,ttl 5; sid:1;)", "1:56: invalid xbits option: 'ttl 5'" },
	{ "alert tcp any any -> any any (tag:flow; sid:1;)", "1:35: invalid tag type (want session or host): 'flow'" },
	{ "alert tcp any any -> any any (tag:session,5; sid:1;)", "1:35: invalid tag value (want session|host[,count,metric[,src|dst]]): 'session,5'" },
	{ "alert tcp any any -> any any (tag:session,5,frames; sid:1;)", "1:45: invalid tag metric (want packets, seconds or bytes): 'frames'" },
	{ "alert tcp any any -> any any (tag:session,5,packets,src; sid:1;)", "1:53: tag direction only applies to host tags: 'src'" },
	{ "alert tcp any any -> any any (prefilter:yes; sid:1;)", "1:41: prefilter takes no value: 'yes'" },
	{ "alert tcp any any -> any any (threshold:type limit, track by_host, count 1, seconds 1; sid:1;)", "1:59: invalid threshold track: 'by_host'" },
	{ "alert tcp any any -> any any (threshold:type backoff, track by_src, count 2, multiplier 2; sid:1;)", "1:41: threshold type backoff is only supported with track by_flow: 'type backoff, track by_src, count 2, multiplier 2'" },
	{ "alert tcp any any -> any any (threshold:type backoff, track by_flow, count 2, multiplier 1; sid:1;)", "1:90: multiplier value out of range (2-65535): '1'" },
	{ "alert tcp any any -> any any (threshold:type limit, track by_flow, count 2, seconds 1, multiplier 3; sid:1;)", "1:41: multiplier is only for threshold type backoff: 'type limit, track by_flow, count 2, seconds 1, multiplier 3'" },
	{ "alert tcp any any -> any any (content:abc; sid:1;)", "1:39: invalid formatting to content keyword: value must be double quoted 'abc'" },
	{ "alert tcp any any -> any any (content:!abc; sid:1;)", "1:40: invalid formatting to content keyword: value must be double quoted 'abc'" },
	{ "alert tcp any any -> any any (content:\"abc\"; offset:3; fast_pattern:only; sid:1;)", "1:40: fast_pattern: only; cannot be used with negated content or with any of the relative modifiers like distance, within, offset, depth" },
	{ "alert tcp any any -> any any (content:\"abc\"; fast_pattern:only; offset:3; sid:1;)", "1:65: can't have a relative keyword set along with 'fast_pattern:only;'." },
	{ "alert tcp any any -> any any (content:\"a\"; content:\"abc\"; fast_pattern:only; within:3; sid:1;)", "1:78: can't have a relative keyword set along with a fast_pattern:only;" },
	{ "alert tcp any any -> any any (content:\"a\"; content:!\"abc\"; fast_pattern; depth:3; sid:1;)", "1:74: can't have a relative negated keyword set along with 'fast_pattern'." },
	{ "alert tcp any any -> any any (content:\"a\"; content:!\"abc\"; fast_pattern; distance:3; sid:1;)", "1:74: can't have a relative negated keyword set along with a fast_pattern" },
	{ "alert tcp any any -> any any (content:\"a\"; fast_pattern:only; content:\"b\"; distance:0; sid:1;)", "1:72: previous keyword has a fast_pattern:only; set. Can't have relative keywords around a fast_pattern only content" },
	{ "alert tcp any any -> any any (content:!\"ab\"; depth:4; fast_pattern; sid:1;)", "1:41: fast_pattern; cannot be used with negated content, along with relative modifiers" },
	{ "alert tcp any any -> any any (dsize:<3; content:\"abcd\"; sid:1;)", "1:50: signature can't match as required content length 4 exceeds dsize value 3" },
	{ "alert tcp any any -> any any (dsize:5; content:\"ab\"; offset:4; sid:1;)", "1:49: signature can't match as required content length 6 exceeds dsize value 5" },
	{ "alert tcp any any -> any any (dsize:10; content:\"abc\"; content:\"def\"; distance:5; sid:1;)", "1:65: signature can't match as required content length 11 exceeds dsize value 10" },
	{ "alert tcp any any -> any any (dsize:5; content:\"ab\"; content:!\"cd\"; distance:2; within:3; sid:1;)", "1:64: signature can't match as required content length 7 exceeds dsize value 5" },
	{ "alert tcp any any -> any any (content:\"ab\"\"; sid:1;)", "1:39: Invalid unescaped double quote within content section." },
	{ "alert tcp any any -> any any sid:1;", "1:30: expected '(' after the header, got 'sid:1;'" },
	{ "alert tcp any any -> any any (sid:1;", "1:36: rule does not end with ')'" },
	{ "alert tcp any any -> any any (isdataat:5,rel; sid:1;)", "1:42: invalid isdataat option: 'rel'" },
	{ "alert tcp any any -> any any (isdataat:nv; sid:1;)", "1:40: unknown byte_extract variable 'nv' in isdataat" },
	{ "alert tcp any any -> any any (dsize:>x; sid:1;)", "1:38: invalid dsize value: 'x'" },
	{ "alert tcp any any -> any any (dsize:70000; sid:1;)", "1:37: dsize value out of range (0-65535): '70000'" },
	{ "alert tcp any any -> any any (dsize:10<>5; sid:1;)", "1:37: invalid dsize range '10<>5'" },
	{ "alert tcp any any -> any any (pcre:\"/a/K\"; sid:1;)", "1:40: unknown pcre flag 'K'" },
	{ "alert tcp any any -> any any (pcre:\"/a/UH\"; sid:1;)", "1:41: pcre flags 'U' and 'H' select two buffers" },
	{ "alert tcp any any -> any any (pcre:\"/a/BU\"; sid:1;)", "1:41: pcre flag 'U' cannot be combined with 'B'" },
	{ "alert tcp any any -> any any (pcre:\"/a/UB\"; sid:1;)", "1:41: pcre flag 'B' cannot be combined with 'U'" },
	{ "alert tcp any any -> any any (http.header; pcre:\"/a/U\"; sid:1;)", "1:53: pcre flag 'U' (http.uri) inside sticky buffer 'http.header'" },
	{ "alert udp any any -> any any (pcre:\"/a/U\"; sid:1;)", "1:40: 'pcre /U' needs protocol tcp or http, not 'udp'" },
	/* ---- application-layer buffers ---- */
	{ "alert udp any any -> any any (http.uri; content:\"a\"; sid:1;)", "1:31: 'http.uri' needs protocol tcp or http, not 'udp'" },
	{ "alert tcp-pkt any any -> any any (content:\"a\"; http_uri; sid:1;)", "1:48: 'http_uri' needs protocol tcp or http, not 'tcp-pkt'" },
	{ "alert tls any any -> any any (http.host; content:\"a\"; sid:1;)", "1:31: 'http.host' needs application protocol http, not 'tls'" },
	{ "alert smtp any any -> any any (file.data; content:\"a\"; sid:1;)", "1:32: 'file.data' is not supported for application protocol 'smtp'" },
	{ "alert dns any any -> any any (urilen:5; sid:1;)", "1:31: 'urilen' needs application protocol http, not 'dns'" },
	{ "alert http any any -> any any (http.uri:x; sid:1;)", "1:41: 'http.uri' takes no value: 'x'" },
	{ "alert http any any -> any any (content:\"a\"; http_uri:x; sid:1;)", "1:54: 'http_uri' takes no value: 'x'" },
	{ "alert http any any -> any any (http_uri; sid:1;)", "1:32: 'http_uri' needs a preceding content" },
	{ "alert http any any -> any any (content:\"a\"; http_uri; http_header; sid:1;)", "1:55: 'http_header' needs a preceding content" },
	{ "alert http any any -> any any (http.uri; content:\"a\"; http_uri; sid:1;)", "1:55: 'http_uri' after sticky buffer 'http.uri' (use pkt_data first)" },
	{ "alert http any any -> any any (file_data; uricontent:\"a\"; sid:1;)", "1:43: 'uricontent' after sticky buffer 'file.data' (use pkt_data first)" },
	{ "alert http any any -> any any (flow:established,to_server; http.stat_code; content:\"200\"; sid:1;)", "1:60: 'http.stat_code' inspects the response, but the rule has flow:to_server" },
	{ "alert http any any -> any any (content:\"200\"; http_stat_msg; flow:to_server; sid:1;)", "1:47: 'http_stat_msg' inspects the response, but the rule has flow:to_server" },
	{ "alert http any any -> any any (pcre:\"/x/S\"; flow:to_server; sid:1;)", "1:41: 'pcre /S' inspects the response, but the rule has flow:to_server" },
	{ "alert http any any -> any any (bsize:5; sid:1;)", "1:32: 'bsize' needs a sticky buffer" },
	{ "alert http any any -> any any (http.uri; bsize:x; sid:1;)", "1:48: invalid bsize value: 'x'" },
	{ "alert http any any -> any any (http.uri; bsize:9<>3; sid:1;)", "1:48: invalid bsize range '9<>3'" },
	{ "alert http any any -> any any (urilen:70000; sid:1;)", "1:39: urilen value out of range (0-65535): '70000'" },
	{ "alert http any any -> any any (urilen:5,norn; sid:1;)", "1:41: invalid urilen option: 'norn'" },
	{ "alert http any any -> any any (urilen:; sid:1;)", "1:32: 'urilen' needs a value" },
	{ "alert http any any -> any any (http.uri; byte_extract:1,0,v; http.host; content:\"a\"; offset:v; sid:1;)", "1:82: byte_extract variable 'v' is from 'http.uri', not 'http.host'" },
	{ "alert tcp any any -> any any (target:dst_ip; sid:1;)", "1:38: invalid target (want src_ip or dest_ip): 'dst_ip'" },
	{ "alert tcp any any -> any any (target:src_ip; target:dest_ip; sid:1;)", "1:53: conflicting values of target: 'dest_ip' after the other one" },
	{ "alert tls any any -> any any (flow:to_server; tls_cert_expired; sid:1;)", "1:47: 'tls_cert_expired' inspects the response, but the rule has flow:to_server" },
	{ "alert tls any any -> any any (tls.version:1.4; sid:1;)", "1:43: invalid tls.version (want 1.0, 1.1, 1.2, 1.3 or 0xNNNN): '1.4'" },
	{ "alert tls any any -> any any (tls_cert_notbefore:2024-01-01<>; sid:1;)", "1:50: invalid tls_cert_notbefore value (want [<|>]DATE or DATE<>DATE, DATE as 2024-01-31 or seconds since 1970): '2024-01-01<>'" },
	{ "alert tls any any -> any any (tls_cert_notafter:<2020<>2021; sid:1;)", "1:49: invalid tls_cert_notafter value (want [<|>]DATE or DATE<>DATE, DATE as 2024-01-31 or seconds since 1970): '<2020<>2021'" },
	{ "alert tls any any -> any any (tls_cert_valid:1; sid:1;)", "1:46: 'tls_cert_valid' takes no value: '1'" },
	{ "alert tls any any -> any any (tls.cert_chain_len:x; sid:1;)", "1:50: invalid tls.cert_chain_len value: 'x'" },
	{ "alert http any any -> any any (tls.version:1.2; sid:1;)", "1:32: 'tls.version' needs application protocol tls, not 'http'" },
	{ "alert tls any any -> any any (tls.version; sid:1;)", "1:31: 'tls.version' needs a value" },
	{ "alert tcp any any -> any any (stream_size:server,<; sid:1;)", "1:43: invalid stream_size value (want side,op,bytes): 'server,<'" },
	{ "alert tcp any any -> any any (stream_size:sever,<,5; sid:1;)", "1:43: invalid stream_size side: 'sever'" },
	{ "alert tcp any any -> any any (stream_size:both,<>,5; sid:1;)", "1:48: invalid stream_size operator: '<>'" },
	{ "alert tcp any any -> any any (stream_size:either,=,x; sid:1;)", "1:52: invalid stream_size value: 'x'" },
	{ "alert tcp any any -> any any (noalert:1; sid:1;)", "1:39: noalert takes no value: '1'" },
	{ "alert tcp any any -> any any (reference:url; sid:1;)", "1:41: invalid reference (want type,value): 'url'" },
	{ "alert tcp any any -> any any (pcre:\"/a/q\"; sid:1;)", "1:40: unknown pcre flag 'q'" },
	{ "alert tcp any any -> any any (pcre:\"/a(/\"; sid:1;)", "1:37: pcre compile error at offset 2 in '/a(/': missing closing parenthesis" },
	{ "alert tcp any any -> any any (pcre:\"abc\"; sid:1;)", "1:37: pcre must look like \"/re/flags\": 'abc'" },
	{ "alert tcp any any -> any any (byte_test:4,~,1,0; sid:1;)", "1:43: invalid byte_test operator: '~'" },
	{ "alert tcp any any -> any any (byte_test:9,=,1,0; sid:1;)", "1:41: byte_test: 9 bytes, at most 8 without 'string'" },
	{ "alert tcp any any -> any any (byte_test:0,=,1,0; sid:1;)", "1:41: byte_test nbytes 0 needs 'string' (a number of any length): '0,=,1,0'" },
	{ "alert tcp any any -> any any (byte_test:4,=,1; sid:1;)", "1:41: byte_test needs nbytes, operator, value, offset: '4,=,1'" },
	{ "alert tcp any any -> any any (byte_test:4,=,1,0,dce; sid:1;)", "1:49: unsupported byte_test option 'dce'" },
	{ "alert tcp any any -> any any (byte_test:4,=,1,0,big,little; sid:1;)", "1:41: byte_test: both 'big' and 'little'" },
	{ "alert tcp any any -> any any (byte_test:4,=,1,0,string; sid:1;)", "1:49: byte_test 'string' needs hex, dec or oct" },
	{ "alert tcp any any -> any any (byte_jump:4,0,from_beginning,from_end; sid:1;)", "1:41: byte_jump: both 'from_beginning' and 'from_end'" },
	{ "alert tcp any any -> any any (byte_jump:4,x; sid:1;)", "1:43: unknown byte_extract variable 'x' in byte_jump offset" },
	{ "alert tcp any any -> any any (byte_jump:4,0,multiplier 0; sid:1;)", "1:56: multiplier value out of range (1-65535): '0'" },
	{ "alert tcp any any -> any any (byte_extract:4,0,v; byte_extract:2,0,v; sid:1;)", "1:68: duplicate byte_extract variable 'v'" },
	{ "alert tcp any any -> any any (byte_extract:4,0,1v; sid:1;)", "1:48: invalid byte_extract variable name: '1v'" },
	{ "alert tcp any any -> any any (byte_extract:4,0,v,align 3; sid:1;)", "1:56: byte_extract align must be 2 or 4: '3'" },
	{ "alert tcp any any -> any any (flow:to_server,to_client; sid:1;)", "1:46: conflicting flow option: 'to_client'" },
	{ "alert tcp any any -> any any (flow:established,not_established; sid:1;)", "1:48: conflicting flow option: 'not_established'" },
	{ "alert tcp any any -> any any (flow:only_stream,no_stream; sid:1;)", "1:48: conflicting flow option: 'no_stream'" },
	{ "alert tcp any any -> any any (flow:sideways; sid:1;)", "1:36: invalid flow option: 'sideways'" },
	{ "alert tcp any any -> any any (flow:established; flow:to_server; sid:1;)", "1:49: duplicate keyword 'flow'" },
	{ "alert tcp any any -> any any (flags:SX; sid:1;)", "1:38: invalid flag 'X' in 'SX'" },
	{ "alert tcp any any -> any any (tcp.flags:S,Z; sid:1;)", "1:43: invalid flag 'Z' in flags mask 'Z'" },
	{ "alert tcp any any -> any any (flags:+*S; sid:1;)", "1:38: more than one flags modifier: '+*S'" },
	{ "alert tcp any any -> any any (ttl:300; sid:1;)", "1:35: ttl value out of range (0-255): '300'" },
	{ "alert icmp any any -> any any (itype:256; sid:1;)", "1:38: itype value out of range (0-255): '256'" },
	{ "alert icmp any any -> any any (icode:x; sid:1;)", "1:38: invalid icode value: 'x'" },
	{ "alert icmp any any -> any any (icmp_id:65536; sid:1;)", "1:40: icmp_id value out of range (0-65535): '65536'" },
	{ "alert icmp any any -> any any (icmp_seq:-1; sid:1;)", "1:41: icmp_seq value out of range (0-65535): '-1'" },
	{ "alert ip any any -> any any (ip_proto:foo; sid:1;)", "1:39: unknown ip_proto 'foo'" },
	{ "alert ip any any -> any any (ip_proto:256; sid:1;)", "1:39: ip_proto value out of range (0-255): '256'" },
	{ "alert tcp any any -> any any (tcp.mss:<x; sid:1;)", "1:40: invalid tcp.mss value: 'x'" },
	{ "alert tcp any any -> any any (flowbits:frob,a; sid:1;)", "1:40: invalid flowbits command: 'frob'" },
	{ "alert tcp any any -> any any (flowbits:set; sid:1;)", "1:40: flowbits 'set' needs a name" },
	{ "alert tcp any any -> any any (flowbits:isset,a|b&c; sid:1;)", "1:46: flowbits names mix '|' and '&': 'a|b&c'" },
	{ "alert tcp any any -> any any (threshold:type limit, track by_src, count 1; sid:1;)", "1:41: threshold needs seconds: 'type limit, track by_src, count 1'" },
	{ "alert tcp any any -> any any (threshold:type sometimes, track by_src, count 1, seconds 5; sid:1;)", "1:46: invalid threshold type: 'sometimes'" },
	{ "alert tcp any any -> any any (threshold:type limit, track by_moon, count 1, seconds 5; sid:1;)", "1:59: invalid threshold track: 'by_moon'" },
	{ "alert tcp any any -> any any (detection_filter:track by_src, count 0, seconds 5; sid:1;)", "1:68: count value out of range (1-4294967295): '0'" },
	{ "alert tcp any any -> any any (detection_filter:type limit, track by_src, count 1, seconds 5; sid:1;)", "1:48: invalid detection_filter option: 'type limit'" },
	{ "alert tcp any any -> any any (content:!; sid:1;)", "1:40: content needs a value" },
	{ "alert tcp any any -> any any (content:\"a\"; within:0; sid:1;)", "1:51: within value out of range (1-65535): '0'" },
	{ "alert tcp any any -> any any (content:\"a\"; distance:x; sid:1;)", "1:53: unknown byte_extract variable 'x' in distance" },
	{ "alert tcp any any -> any any (sid:1; metadata:; )", "1:38: 'metadata' needs a value" },
	{ "alert tcp any any -> any any (content:\"a\"; endswith; endswith; sid:1;)", "1:54: duplicate 'endswith' on one content" },
	{ "alert tcp any any -> any any (content:\"a\"; startswith:1; sid:1;)", "1:55: startswith takes no value: '1'" },
	{ "alert tcp any any -> any any (endswith; sid:1;)", "1:31: 'endswith' needs a preceding content" },
	{ "alert tcp any any -> any any (content:\"a\"; fast_pattern:sometimes; sid:1;)", "1:57: invalid fast_pattern value: 'sometimes'" },
	{ "alert tcp any any -> any any (content:\"a\"; isdataat:70000; sid:1;)", "1:53: isdataat value out of range (0-65535): '70000'" },
	/* ---- DNS buffers, integer keywords and transforms ---- */
	{ "alert tcp any any -> any any (msg:\"x\"; dns.opcode:256; sid:1;)",
	  "1:51: dns.opcode value out of range (0-255): '256'" },
	{ "alert dns any any -> any any (dns.opcode:query; sid:1;)",
	  "1:42: invalid dns.opcode value: 'query'" },
	{ "alert dns any any -> any any (dns.rcode:nxdomainx; sid:1;)",
	  "1:41: invalid dns.rcode value: 'nxdomainx' (a number or a name such as 'nxdomain')" },
	{ "alert dns any any -> any any (dns.rcode:! nxdomain; sid:1;)",
	  "1:41: invalid dns.rcode value: '! nxdomain' (a number or a name such as 'nxdomain')" },
	{ "alert dns any any -> any any (dns.rrtype:1-2; sid:1;)",
	  "1:42: invalid dns.rrtype range '1-2' (A-B matches A < x < B: B must exceed A + 1)" },
	{ "alert dns any any -> any any (dns.rrtype:<0; sid:1;)",
	  "1:42: invalid dns.rrtype value: '<0' (a number or a type name such as 'aaaa')" },
	{ "alert dns any any -> any any (dns.rcode:>65535; sid:1;)",
	  "1:41: invalid dns.rcode value: '>65535' (a number or a name such as 'nxdomain')" },
	{ "alert dns any any -> any any (dns.opcode:<=255; sid:1;)",
	  "1:42: invalid dns.opcode value: '<=255'" },
	{ "alert dns any any -> any any (dns.opcode:&0x0f=0x10; sid:1;)",
	  "1:42: invalid dns.opcode value: '&0x0f=0x10'" },
	{ "alert dns any any -> any any (dns.opcode:1kb; sid:1;)",
	  "1:42: dns.opcode value out of range (0-255): '1kb'" },
	{ "alert dns any any -> any any (dns.rrtype:1 2; sid:1;)",
	  "1:42: invalid dns.rrtype value: '1 2' (a number or a type name such as 'aaaa')" },
	{ "alert dns any any -> any any (dns.opcode; sid:1;)", "1:31: 'dns.opcode' needs a value" },
	{ "alert dns any any -> any any (dns.rrtype:; sid:1;)", "1:31: 'dns.rrtype' needs a value" },
	{ "alert http any any -> any any (dns.opcode:0; sid:1;)",
	  "1:32: 'dns.opcode' needs application protocol dns, not 'http'" },
	{ "alert icmp any any -> any any (dns.rcode:0; sid:1;)",
	  "1:32: 'dns.rcode' needs protocol udp, tcp or dns, not 'icmp'" },
	{ "alert tcp any any -> any any (http.uri; content:\"a\"; dns.rrtype:1; sid:1;)",
	  "1:54: 'dns.rrtype' is for dns, but 'http.uri' made the rule http" },
	{ "alert dns any any -> any any (dns.queries.rrname:1; content:\"a\"; sid:1;)",
	  "1:50: 'dns.queries.rrname' takes no value: '1'" },
	{ "alert dns any any -> any any (flow:to_server; dns.response.rrname; content:\"a\"; sid:1;)",
	  "1:47: 'dns.response.rrname' inspects the response, but the rule has flow:to_server" },
	{ "alert dns any any -> any any (dns.query; content:\"a\"; dns.response.rrname; content:\"b\"; sid:1;)",
	  "1:55: 'dns.response.rrname' inspects the response, but 'dns.query' the request" },
	{ "alert tcp any any -> any any (http.uri; content:\"a\"; dns.answers.rrname; content:\"b\"; sid:1;)",
	  "1:54: 'dns.answers.rrname' is for dns, but 'http.uri' made the rule http" },
	{ "alert dns any any -> any any (dns.authorities.rrname; to_lowercase; content:\"a\"; sid:1;)",
	  "1:55: unsupported transform 'to_lowercase'" },
	{ "alert dns any any -> any any (dns.query; content:\"a\"; pkt_data; dotprefix; content:\"b\"; sid:1;)",
	  "1:65: 'dotprefix' needs a sticky buffer" },
	{ "alert dns any any -> any any (dns.query; content:\"a\"; dotprefix; sid:1;)",
	  "1:55: 'dotprefix' must directly follow its sticky buffer 'dns.query'" },
	{ "alert dns any any -> any any (dns.query; bsize:>3; dotprefix; content:\"a\"; sid:1;)",
	  "1:52: 'dotprefix' must directly follow its sticky buffer 'dns.query'" },
	{ "alert http any any -> any any (http.host; content:\"a\"; nocase; dotprefix; content:\".b\"; sid:1;)",
	  "1:64: 'dotprefix' must directly follow its sticky buffer 'http.host'" },
	{ "alert dns any any -> any any (dns.query; dotprefix; dotprefix; content:\"a\"; sid:1;)",
	  "1:53: duplicate 'dotprefix' on one buffer" },
	{ "alert dns any any -> any any (dns.query; dotprefix:1; content:\"a\"; sid:1;)",
	  "1:52: 'dotprefix' takes no value: '1'" },
	{ "alert dns any any -> any any (dns.query; dotprefix; pkt_data; content:\"a\"; sid:1;)",
	  "1:42: 'dotprefix' is not followed by any keyword of 'dns.query'" },
	{ "alert dns any any -> any any (dns.query; content:\"a\"; dns.query; dotprefix; sid:1;)",
	  "1:66: 'dotprefix' is not followed by any keyword of 'dns.query'" },
	{ "alert dns any any -> any any (dns.query; dotprefix; xor:\"0d0ac8ff\"; content:\"a\"; sid:1;)",
	  "1:53: unsupported transform 'xor'" },
	{ "alert dns any any -> any any (dns.query; to_lowercase; content:\"a\"; sid:1;)",
	  "1:42: unsupported transform 'to_lowercase'" },
	{ "alert http any any -> any any (file.data; strip_whitespace; content:\"a\"; sid:1;)",
	  "1:43: unsupported transform 'strip_whitespace'" },
	{ "alert http any any -> any any (http.request_line; compress_whitespace; to_sha256; content:\"a\"; sid:1;)",
	  "1:51: unsupported transform 'compress_whitespace'" },
	{ "alert http any any -> any any (http.uri; url_decode; content:\"a\"; sid:1;)",
	  "1:42: unsupported transform 'url_decode'" },
	{ "alert http any any -> any any (http.uri; pcrexform:\"a(b)\"; content:\"b\"; sid:1;)",
	  "1:42: unsupported transform 'pcrexform'" },
	{ "alert http any any -> any any (http.header; header_lowercase; content:\"a\"; sid:1;)",
	  "1:45: unsupported transform 'header_lowercase'" },
	{ "alert http any any -> any any (http.header; strip_pseudo_headers; content:\"a\"; sid:1;)",
	  "1:45: unsupported transform 'strip_pseudo_headers'" },
	{ "alert http any any -> any any (http.uri; from_base64; content:\"a\"; sid:1;)",
	  "1:42: unsupported transform 'from_base64'" },
	{ "alert http any any -> any any (http.uri; to_md5; content:\"a\"; sid:1;)",
	  "1:42: unsupported transform 'to_md5'" },
	{ "alert http any any -> any any (http.uri; to_sha1; content:\"a\"; sid:1;)",
	  "1:42: unsupported transform 'to_sha1'" },
	{ "alert tcp any any -> any any (to_uppercase; sid:1;)",
	  "1:31: unsupported transform 'to_uppercase'" },
	{ "alert tcp any any -> any any (http.uri; content:\"a\"; dns.query; content:\"b\"; sid:1;)",
	  "1:54: 'dns.query' is for dns, but 'http.uri' made the rule http" },
	{ "alert tcp any any -> any any (dns_query; content:\"a\"; pkt_data; content:\"b\"; http_uri; sid:1;)",
	  "1:78: 'http_uri' is for http, but 'dns_query' made the rule dns" },
	{ "alert udp any any -> any any (dns.query; content:\"a\"; http.host; content:\"b\"; sid:1;)",
	  "1:55: 'http.host' is for http, but 'dns.query' made the rule dns" },
	{ "alert tcp any any -> any any (dns.query; content:\"a\"; pkt_data; pcre:\"/x/U\"; sid:1;)",
	  "1:74: 'pcre /U' is for http, but 'dns.query' made the rule dns" },
	{ "alert tcp any any -> any any (dns.query; content:\"a\"; file.data; content:\"b\"; sid:1;)",
	  "1:55: 'file.data' is for http, but 'dns.query' made the rule dns" },
	{ "alert http any any -> any any (dns.query; content:\"a\"; sid:1;)",
	  "1:32: 'dns.query' needs application protocol dns, not 'http'" },
	{ "alert tls any any -> any any (dns_query; content:\"a\"; sid:1;)",
	  "1:31: 'dns_query' needs application protocol dns, not 'tls'" },
	{ "alert dns any any -> any any (http.host; content:\"a\"; sid:1;)",
	  "1:31: 'http.host' needs application protocol http, not 'dns'" },
	{ "alert icmp any any -> any any (dns.query; content:\"a\"; sid:1;)",
	  "1:32: 'dns.query' needs protocol udp, tcp or dns, not 'icmp'" },
	{ "alert tcp-pkt any any -> any any (dns.query; content:\"a\"; sid:1;)",
	  "1:35: 'dns.query' needs protocol udp, tcp or dns, not 'tcp-pkt'" },
	{ "alert dns any any -> any any (flow:to_client; dns.query; content:\"a\"; sid:1;)",
	  "1:47: 'dns.query' inspects the request, but the rule has flow:to_client" },
	{ "alert tcp any 53 -> any any (dns_query; content:\"a\"; flow:established,from_server; sid:1;)",
	  "1:30: 'dns_query' inspects the request, but the rule has flow:to_client" },
	{ "alert dns any any -> any any (dns.query; byte_extract:1,0,v; dns.query; dotprefix; content:\"a\"; offset:v; sid:1;)",
	  "1:93: byte_extract variable 'v' is from 'dns.query', not 'dns.query; dotprefix'" },
	{ "alert dns any any -> any any (dns.query; dotprefix; content:\".abcdef\"; bsize:6; sid:1;)",
	  "1:62: content needs 7 bytes, more than bsize allows (6)" },
};

static void test_rejects(void **state)
{
	struct env *e = *state;
	int bad = 0;

	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		struct sw_rules *r = load(e, rejects[i].rule);
		char got[512];
		const struct sw_rule_error *er;

		if (sw_rules_error_count(r) != 1 || sw_rules_count(r) != 0)
			fail_msg("accepted: %s", rejects[i].rule);
		er = sw_rules_error(r, 0);
		snprintf(got, sizeof(got), "%u:%u: %s", er->line, er->column, er->message);
		if (strcmp(got, rejects[i].want) != 0) {
			print_error("rule %s\n  want %s\n  got  %s\n", rejects[i].rule, rejects[i].want, got);
			bad++;
		}
		assert_string_equal(er->file, "t.rules");
		sw_rules_free(r);
	}
	assert_int_equal(bad, 0);
}

/* ---- accepted rules ---- */

static void test_header(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, "drop udp [10.0.0.0/8,!10.1.0.0/16,192.168.1.1] [1:1023,!80] <> $EXTERNAL_NET $HTTP_PORTS (sid:5;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->action, SW_ACTION_DROP);
	assert_int_equal(x->proto, SW_RP_UDP);
	assert_true(x->bidir);
	assert_false(x->src.any);
	assert_int_equal(x->src.n4, 3);
	assert_int_equal(x->src.n6, 0);
	assert_int_equal(x->src.v4[0].lo, 0x0a000000);
	assert_int_equal(x->src.v4[0].hi, 0x0a00ffff);
	assert_int_equal(x->src.v4[1].lo, 0x0a020000);
	assert_int_equal(x->src.v4[1].hi, 0x0affffff);
	assert_int_equal(x->src.v4[2].lo, 0xc0a80101);
	assert_int_equal(x->src.v4[2].hi, 0xc0a80101);
	assert_int_equal(x->sp.n, 2);
	assert_int_equal(x->sp.r[0].lo, 1);
	assert_int_equal(x->sp.r[0].hi, 79);
	assert_int_equal(x->sp.r[1].lo, 81);
	assert_int_equal(x->sp.r[1].hi, 1023);
	/* !$HOME_NET: complement over v4 and v6 */
	assert_int_equal(x->dst.n4, 3);
	assert_int_equal(x->dst.v4[0].lo, 0);
	assert_int_equal(x->dst.v4[0].hi, 0x09ffffff);
	assert_int_equal(x->dst.v4[2].lo, 0xc0a90000);
	assert_int_equal(x->dst.v4[2].hi, 0xffffffff);
	assert_int_equal(x->dst.n6, 1);
	assert_int_equal(x->dst.v6[0].lo[0], 0);
	assert_int_equal(x->dst.v6[0].hi[15], 0xff);
	assert_int_equal(x->dp.n, 2);
	assert_int_equal(x->dp.r[0].lo, 80);
	assert_int_equal(x->dp.r[1].lo, 8080);
	assert_int_equal(x->priority, 3);
	assert_int_equal(x->gid, 1);
	sw_rules_free(r);

	r = ok1(e, "pass ip any :1024 -> [2001:db8::/32,::1] 1024: (sid:6;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->action, SW_ACTION_PASS);
	assert_true(x->src.any);
	assert_int_equal(x->sp.r[0].lo, 0);
	assert_int_equal(x->sp.r[0].hi, 1024);
	assert_int_equal(x->dp.r[0].lo, 1024);
	assert_int_equal(x->dp.r[0].hi, 65535);
	assert_int_equal(x->dst.n4, 0);
	assert_int_equal(x->dst.n6, 2);
	assert_int_equal(x->dst.v6[0].hi[15], 1); /* ::1 sorts first */
	assert_int_equal(x->dst.v6[1].lo[0], 0x20);
	assert_int_equal(x->dst.v6[1].hi[4], 0xff);
	sw_rules_free(r);

	/* nested lists, negated list, adjacent merge, spaces inside brackets */
	r = ok1(e, "reject tcp-pkt [[1.2.3.0/25, 1.2.3.128/25], ![5.0.0.0/8]] any -> any ![1:10,20] (sid:7;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->action, SW_ACTION_REJECT);
	assert_int_equal(x->proto, SW_RP_TCP_PKT);
	assert_int_equal(x->src.n4, 1);
	assert_int_equal(x->src.v4[0].lo, 0x01020300);
	assert_int_equal(x->src.v4[0].hi, 0x010203ff);
	assert_int_equal(x->dp.n, 3); /* port 0 is outside [1:10,20] too */
	assert_int_equal(x->dp.r[0].hi, 0);
	assert_int_equal(x->dp.r[1].lo, 11);
	assert_int_equal(x->dp.r[1].hi, 19);
	assert_int_equal(x->dp.r[2].lo, 21);
	sw_rules_free(r);

	r = ok1(e, "alert tcp-stream [!1.2.3.4] any -> !$HOME_NET $SHELLCODE_PORTS (sid:8;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->proto, SW_RP_TCP_STREAM);
	assert_int_equal(x->src.n4, 2);
	assert_int_equal(x->src.n6, 1);
	assert_int_equal(x->dp.n, 2);
	sw_rules_free(r);

	r = ok1(e, "alert icmpv6 any any -> any any (sid:9;)");
	assert_int_equal(sw_rules_get(r, 0)->proto, SW_RP_ICMPV6);
	sw_rules_free(r);
}

static void test_meta(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, H "(msg:\"hi \\\"there\\\" a\\;b\"; sid:100; rev:3; gid:2; classtype:trojan-activity; "
		   "reference:url,example.com/x; reference:cve,2020-1234; metadata:former_category MALWARE, created_at 2020_01_01;)");
	x = sw_rules_get(r, 0);
	assert_string_equal(x->msg, "hi \"there\" a;b");
	assert_int_equal(x->sid, 100);
	assert_int_equal(x->rev, 3);
	assert_int_equal(x->gid, 2);
	assert_string_equal(x->classtype, "trojan-activity");
	assert_string_equal(x->class_desc, "A Network Trojan was detected");
	assert_int_equal(x->priority, 1);
	assert_int_equal(x->n_references, 2);
	assert_string_equal(x->references[1], "cve,2020-1234");
	assert_int_equal(x->n_metadata, 2);
	assert_string_equal(x->metadata[0], "former_category MALWARE");
	assert_string_equal(x->metadata[1], "created_at 2020_01_01");
	assert_int_equal(x->line, 1);
	assert_string_equal(x->file, "t.rules");
	sw_rules_free(r);

	/* explicit priority overrides the classtype's, in either order */
	r = ok1(e, H "(priority:4; classtype:trojan-activity; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->priority, 4);
	sw_rules_free(r);
	r = ok1(e, H "(classtype:bad-unknown; priority:1; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->priority, 1);
	assert_string_equal(sw_rules_get(r, 0)->class_desc, "Potentially Bad Traffic");
	sw_rules_free(r);
}

static void test_content(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;
	const struct sw_content *c;

	r = ok1(e, H "(content:\"GET|20 00|/\\;\\\"\\\\\"; nocase; offset:2; depth:20; content:!\"evil\"; distance:-3; within:10; "
		   "content:\"abcdefgh\"; fast_pattern:2,3; startswith; content:\"z\"; endswith; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 4);
	c = &x->pm[0].u.content;
	assert_int_equal(x->pm[0].kind, SW_PM_CONTENT);
	assert_int_equal(c->len, 9);
	assert_memory_equal(c->pat, "GET \0/;\"\\", 9);
	assert_int_equal(c->flags, SW_CONTENT_NOCASE | SW_CONTENT_OFFSET | SW_CONTENT_DEPTH);
	assert_int_equal(c->offset.value, 2);
	assert_int_equal(c->offset.var, -1);
	assert_int_equal(c->depth.value, 20);
	c = &x->pm[1].u.content;
	assert_int_equal(c->flags, SW_CONTENT_NEGATED | SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN);
	assert_int_equal(c->distance.value, -3);
	assert_int_equal(c->within.value, 10);
	c = &x->pm[2].u.content;
	assert_int_equal(c->flags, SW_CONTENT_FAST_PATTERN | SW_CONTENT_STARTSWITH);
	assert_true(c->fp_chop);
	assert_int_equal(c->fp_off, 2);
	assert_int_equal(c->fp_len, 3);
	assert_int_equal(x->pm[3].u.content.flags, SW_CONTENT_ENDSWITH);
	assert_int_equal(x->fast_pattern, 2);
	sw_rules_free(r);

	/* longest non-negated wins, ties go to the first */
	r = ok1(e, H "(content:\"abc\"; content:!\"longest-one\"; content:\"defg\"; content:\"hijk\"; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->fast_pattern, 2);
	sw_rules_free(r);
	r = ok1(e, H "(content:!\"abc\"; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->fast_pattern, -1);
	sw_rules_free(r);
	r = ok1(e, H "(sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->fast_pattern, -1);
	sw_rules_free(r);
	r = ok1(e, H "(content:\"aaaa\"; content:\"b\"; fast_pattern:only; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->fast_pattern, 1);
	assert_int_equal(x->pm[1].u.content.flags, SW_CONTENT_FAST_PATTERN | SW_CONTENT_FP_ONLY);
	sw_rules_free(r);
}

static void test_payload(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, H "(byte_extract:2,0,len,relative,little,multiplier 4,bitmask 0x3ff; "
		   "byte_extract:3,1,off,string,hex,align 4; "
		   "content:\"x\"; offset:off; depth:len; isdataat:!len,relative; "
		   "byte_test:4,!&,0xdeadbeef01,off,relative,big,bitmask 0xff; "
		   "byte_test:10,<=,len,2,string,dec; "
		   "byte_jump:2,off,relative,little,multiplier 2,align,from_end,post_offset -3,bitmask 0x0f; "
		   "byte_jump:3,4,string,oct,from_beginning; "
		   "pcre:!\"/a.b$/ismxAEGRO\"; isdataat:10; dsize:>=5; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_vars, 2);
	assert_int_equal(x->n_pm, 10);
	assert_int_equal(x->pm[0].kind, SW_PM_BYTE_EXTRACT);
	assert_int_equal(x->pm[0].u.bextract.nbytes, 2);
	assert_int_equal(x->pm[0].u.bextract.var, 0);
	assert_true(x->pm[0].u.bextract.relative);
	assert_true(x->pm[0].u.bextract.little_endian);
	assert_int_equal(x->pm[0].u.bextract.multiplier, 4);
	assert_int_equal(x->pm[0].u.bextract.bitmask, 0x3ff);
	assert_int_equal(x->pm[1].u.bextract.base, SW_BASE_HEX);
	assert_true(x->pm[1].u.bextract.align);
	assert_int_equal(x->pm[1].u.bextract.var, 1);
	assert_int_equal(x->pm[2].u.content.offset.var, 1);
	assert_int_equal(x->pm[2].u.content.depth.var, 0);
	assert_int_equal(x->pm[3].kind, SW_PM_ISDATAAT);
	assert_int_equal(x->pm[3].u.isdataat.n.var, 0);
	assert_true(x->pm[3].u.isdataat.negated);
	assert_true(x->pm[3].u.isdataat.relative);
	assert_int_equal(x->pm[4].kind, SW_PM_BYTE_TEST);
	assert_int_equal(x->pm[4].u.btest.op, SW_BOP_AND);
	assert_true(x->pm[4].u.btest.negated);
	assert_true(x->pm[4].u.btest.value_lit == 0xdeadbeef01ULL);
	assert_int_equal(x->pm[4].u.btest.value.var, -1);
	assert_int_equal(x->pm[4].u.btest.offset.var, 1);
	assert_false(x->pm[4].u.btest.little_endian);
	assert_int_equal(x->pm[4].u.btest.bitmask, 0xff);
	assert_int_equal(x->pm[5].u.btest.op, SW_BOP_LE);
	assert_int_equal(x->pm[5].u.btest.value.var, 0);
	assert_int_equal(x->pm[5].u.btest.base, SW_BASE_DEC);
	assert_int_equal(x->pm[5].u.btest.nbytes, 10);
	assert_int_equal(x->pm[6].kind, SW_PM_BYTE_JUMP);
	assert_int_equal(x->pm[6].u.bjump.offset.var, 1);
	assert_true(x->pm[6].u.bjump.align);
	assert_true(x->pm[6].u.bjump.from_end);
	assert_int_equal(x->pm[6].u.bjump.post_offset, -3);
	assert_int_equal(x->pm[6].u.bjump.multiplier, 2);
	assert_int_equal(x->pm[7].u.bjump.base, SW_BASE_OCT);
	assert_true(x->pm[7].u.bjump.from_beginning);
	assert_int_equal(x->pm[7].u.bjump.multiplier, 1);
	assert_int_equal(x->pm[8].kind, SW_PM_PCRE);
	assert_string_equal(x->pm[8].u.pcre.re, "a.b$");
	assert_true(x->pm[8].u.pcre.negated);
	assert_true(x->pm[8].u.pcre.relative);
	assert_int_equal(x->pm[8].u.pcre.pcre2_opts, PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_EXTENDED |
							     PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY | PCRE2_UNGREEDY);
	assert_int_equal(x->pm[9].u.isdataat.n.value, 10);
	assert_true(x->dsize.set);
	assert_int_equal(x->dsize.op, SW_CMP_GE);
	assert_int_equal(x->dsize.a, 5);
	sw_rules_free(r);
}

static void test_header_opts(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, H "(flow:established,from_client,no_stream; flags:+SA,CE; ttl:<10; tcp.mss:1<>1400; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->flow, SW_FLOW_ESTABLISHED | SW_FLOW_TO_SERVER | SW_FLOW_NO_STREAM);
	assert_true(x->flags.set);
	assert_int_equal(x->flags.flags, SW_TCP_SYN | SW_TCP_ACK);
	assert_int_equal(x->flags.ignore, SW_TCP_CWR | SW_TCP_ECE);
	assert_int_equal(x->flags.mod, '+');
	assert_int_equal(x->ttl.op, SW_CMP_LT);
	assert_int_equal(x->ttl.a, 10);
	assert_int_equal(x->tcp_mss.op, SW_CMP_RANGE);
	assert_int_equal(x->tcp_mss.a, 1);
	assert_int_equal(x->tcp_mss.b, 1400);
	sw_rules_free(r);

	r = ok1(e, H "(tcp.flags:0; flow:to_client,stateless,only_stream; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->flags.flags, 0);
	assert_int_equal(x->flags.mod, 0);
	assert_int_equal(x->flow, SW_FLOW_TO_CLIENT | SW_FLOW_STATELESS | SW_FLOW_ONLY_STREAM);
	sw_rules_free(r);
	r = ok1(e, H "(flags:!12FU; flow:not_established; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->flags.flags, SW_TCP_CWR | SW_TCP_ECE | SW_TCP_FIN | SW_TCP_URG);
	assert_int_equal(x->flags.mod, '!');
	assert_int_equal(x->flow, SW_FLOW_NOT_ESTABLISHED);
	sw_rules_free(r);

	r = ok1(e, "alert icmp any any -> any any (itype:8; icode:!0; icmp_id:>=100; icmp_seq:<=5; ip_proto:icmp; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->itype.op, SW_CMP_EQ);
	assert_int_equal(x->itype.a, 8);
	assert_int_equal(x->icode.op, SW_CMP_NE);
	assert_int_equal(x->icmp_id.op, SW_CMP_GE);
	assert_int_equal(x->icmp_seq.op, SW_CMP_LE);
	assert_int_equal(x->ip_proto.a, 1);
	sw_rules_free(r);
	r = ok1(e, "alert ip any any -> any any (ip_proto:!47; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->ip_proto.op, SW_CMP_NE);
	assert_int_equal(sw_rules_get(r, 0)->ip_proto.a, 47);
	sw_rules_free(r);
}

/* ---- application layer ---- */

/*
 * Every buffer keyword: which buffer its content lands in, the application
 * protocol it gives a tcp rule, and the name sw_buf_name() gives it.
 */
static void test_http_buffers(void **state)
{
	static const struct {
		const char *kw;
		bool modifier; /* legacy content modifier (after the content) rather than sticky */
		enum sw_bufid buf;
	} t[] = {
		{ "http.uri", false, SW_BUF_HTTP_URI },
		{ "http_uri", true, SW_BUF_HTTP_URI },
		{ "http.uri.raw", false, SW_BUF_HTTP_URI_RAW },
		{ "http_raw_uri", true, SW_BUF_HTTP_URI_RAW },
		{ "http.method", false, SW_BUF_HTTP_METHOD },
		{ "http_method", true, SW_BUF_HTTP_METHOD },
		{ "http.request_line", false, SW_BUF_HTTP_REQUEST_LINE },
		{ "http_request_line", false, SW_BUF_HTTP_REQUEST_LINE },
		{ "http.host", false, SW_BUF_HTTP_HOST },
		{ "http_host", true, SW_BUF_HTTP_HOST },
		{ "http.host.raw", false, SW_BUF_HTTP_HOST_RAW },
		{ "http_raw_host", true, SW_BUF_HTTP_HOST_RAW },
		{ "http.user_agent", false, SW_BUF_HTTP_USER_AGENT },
		{ "http_user_agent", true, SW_BUF_HTTP_USER_AGENT },
		{ "http.referer", false, SW_BUF_HTTP_REFERER },
		{ "http_referer", false, SW_BUF_HTTP_REFERER },
		{ "http.accept", false, SW_BUF_HTTP_ACCEPT },
		{ "http_accept", false, SW_BUF_HTTP_ACCEPT },
		{ "http.accept_enc", false, SW_BUF_HTTP_ACCEPT_ENC },
		{ "http_accept_enc", false, SW_BUF_HTTP_ACCEPT_ENC },
		{ "http.accept_lang", false, SW_BUF_HTTP_ACCEPT_LANG },
		{ "http_accept_lang", false, SW_BUF_HTTP_ACCEPT_LANG },
		{ "http.request_body", false, SW_BUF_HTTP_REQUEST_BODY },
		{ "http_client_body", true, SW_BUF_HTTP_REQUEST_BODY },
		{ "http.request_header", false, SW_BUF_HTTP_REQUEST_HEADER },
		{ "http.stat_code", false, SW_BUF_HTTP_STAT_CODE },
		{ "http_stat_code", true, SW_BUF_HTTP_STAT_CODE },
		{ "http.stat_msg", false, SW_BUF_HTTP_STAT_MSG },
		{ "http_stat_msg", true, SW_BUF_HTTP_STAT_MSG },
		{ "http.response_line", false, SW_BUF_HTTP_RESPONSE_LINE },
		{ "http_response_line", false, SW_BUF_HTTP_RESPONSE_LINE },
		{ "http.response_body", false, SW_BUF_HTTP_RESPONSE_BODY },
		{ "http_server_body", true, SW_BUF_HTTP_RESPONSE_BODY },
		{ "http.location", false, SW_BUF_HTTP_LOCATION },
		{ "http.server", false, SW_BUF_HTTP_SERVER },
		{ "http.response_header", false, SW_BUF_HTTP_RESPONSE_HEADER },
		{ "http.header", false, SW_BUF_HTTP_HEADER },
		{ "http_header", true, SW_BUF_HTTP_HEADER },
		{ "http.header.raw", false, SW_BUF_HTTP_HEADER_RAW },
		{ "http_raw_header", true, SW_BUF_HTTP_HEADER_RAW },
		{ "http.header_names", false, SW_BUF_HTTP_HEADER_NAMES },
		{ "http_header_names", false, SW_BUF_HTTP_HEADER_NAMES },
		{ "http.cookie", false, SW_BUF_HTTP_COOKIE },
		{ "http_cookie", true, SW_BUF_HTTP_COOKIE },
		{ "http.content_type", false, SW_BUF_HTTP_CONTENT_TYPE },
		{ "http_content_type", false, SW_BUF_HTTP_CONTENT_TYPE },
		{ "http.content_len", false, SW_BUF_HTTP_CONTENT_LEN },
		{ "http_content_len", false, SW_BUF_HTTP_CONTENT_LEN },
		{ "http.start", false, SW_BUF_HTTP_START },
		{ "http_start", false, SW_BUF_HTTP_START },
		{ "http.protocol", false, SW_BUF_HTTP_PROTOCOL },
		{ "http_protocol", false, SW_BUF_HTTP_PROTOCOL },
		{ "http.connection", false, SW_BUF_HTTP_CONNECTION },
		{ "http_connection", false, SW_BUF_HTTP_CONNECTION },
		{ "file.data", false, SW_BUF_FILE_DATA },
		{ "file_data", false, SW_BUF_FILE_DATA },
		{ "dns.query", false, SW_BUF_DNS_QUERY },
		{ "dns_query", false, SW_BUF_DNS_QUERY },
		{ "dns.queries.rrname", false, SW_BUF_DNS_QUERIES_RRNAME },
		{ "dns.answers.rrname", false, SW_BUF_DNS_ANSWERS_RRNAME },
		{ "dns.authorities.rrname", false, SW_BUF_DNS_AUTHORITIES_RRNAME },
		{ "dns.additionals.rrname", false, SW_BUF_DNS_ADDITIONALS_RRNAME },
		{ "dns.response.rrname", false, SW_BUF_DNS_RESPONSE_RRNAME },
		{ "dns.query.name", false, SW_BUF_DNS_QUERY_NAME },
		{ "dns.answer.name", false, SW_BUF_DNS_ANSWER_NAME },
		{ "tls.sni", false, SW_BUF_TLS_SNI },
		{ "tls_sni", false, SW_BUF_TLS_SNI },
		{ "tls.cert_subject", false, SW_BUF_TLS_CERT_SUBJECT },
		{ "tls_cert_subject", false, SW_BUF_TLS_CERT_SUBJECT },
		{ "tls.cert_issuer", false, SW_BUF_TLS_CERT_ISSUER },
		{ "tls_cert_issuer", false, SW_BUF_TLS_CERT_ISSUER },
		{ "tls.cert_serial", false, SW_BUF_TLS_CERT_SERIAL },
		{ "tls_cert_serial", false, SW_BUF_TLS_CERT_SERIAL },
		{ "tls.cert_fingerprint", false, SW_BUF_TLS_CERT_FINGERPRINT },
		{ "tls_cert_fingerprint", false, SW_BUF_TLS_CERT_FINGERPRINT },
		{ "tls.certs", false, SW_BUF_TLS_CERTS },
		{ "tls.subjectaltname", false, SW_BUF_TLS_SUBJECTALTNAME },
		{ "tls.alpn", false, SW_BUF_TLS_ALPN },
		{ "tls.random", false, SW_BUF_TLS_RANDOM },
		{ "tls.random_time", false, SW_BUF_TLS_RANDOM_TIME },
		{ "tls.random_bytes", false, SW_BUF_TLS_RANDOM_BYTES },
		{ "ja3.hash", false, SW_BUF_JA3_HASH },
		{ "ja3_hash", false, SW_BUF_JA3_HASH },
		{ "ja3.string", false, SW_BUF_JA3_STRING },
		{ "ja3_string", false, SW_BUF_JA3_STRING },
		{ "ja3s.hash", false, SW_BUF_JA3S_HASH },
		{ "ja3s.string", false, SW_BUF_JA3S_STRING },
		{ "ja4.hash", false, SW_BUF_JA4_HASH },
		{ "ja4_hash", false, SW_BUF_JA4_HASH },
		{ "ssh.proto", false, SW_BUF_SSH_PROTO },
		{ "ssh_proto", false, SW_BUF_SSH_PROTO },
		{ "ssh.software", false, SW_BUF_SSH_SOFTWARE },
		{ "ssh_software", false, SW_BUF_SSH_SOFTWARE },
	};
	struct env *e = *state;
	uint64_t seen = 1; /* payload */
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_rules *r;
		const struct sw_rule *x;

		if (t[i].modifier)
			snprintf(rule, sizeof(rule), H "(content:\"a\"; %s; content:\"bb\"; sid:1;)", t[i].kw);
		else
			snprintf(rule, sizeof(rule), H "(%s; content:\"a\"; pkt_data; content:\"bb\"; sid:1;)", t[i].kw);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != (t[i].buf >= SW_BUF_DNS_QUERY && t[i].buf <= SW_BUF_DNS_ANSWER_NAME ? SW_APP_DNS
				     : t[i].buf >= SW_BUF_TLS_SNI && t[i].buf <= SW_BUF_JA4_HASH	      ? SW_APP_TLS
				     : t[i].buf >= SW_BUF_SSH_PROTO && t[i].buf <= SW_BUF_SSH_SOFTWARE    ? SW_APP_SSH
													  : SW_APP_HTTP1))
			fail_msg("%s: app_proto %d", t[i].kw, x->app_proto);
		assert_int_equal(x->proto, SW_RP_TCP);
		assert_int_equal(x->n_pm, 2);
		if (x->pm[0].buf != t[i].buf || x->pm[1].buf != SW_BUF_PAYLOAD)
			fail_msg("%s: buffers %u, %u", t[i].kw, x->pm[0].buf, x->pm[1].buf);
		assert_int_equal(x->buf_mask, (1ULL << t[i].buf) | 1);
		assert_int_equal(x->fast_pattern, 1); /* "bb": longest, now second */
		seen |= 1ULL << t[i].buf;
		sw_rules_free(r);
	}
	assert_int_equal(seen, (1ULL << SW_BUF_N) - 1); /* every buffer has a keyword */
	for (int b = 0; b < SW_BUF_N; b++)
		assert_non_null(sw_buf_name((enum sw_bufid)b));
	assert_string_equal(sw_buf_name(SW_BUF_PAYLOAD), "payload");
	assert_string_equal(sw_buf_name(SW_BUF_HTTP_URI_RAW), "http.uri.raw");
	assert_string_equal(sw_buf_name(SW_BUF_FILE_DATA), "file.data");
	assert_string_equal(sw_buf_name(SW_BUF_DNS_QUERY), "dns.query");
	assert_null(sw_buf_name(SW_BUF_N));
}

static void test_http_modifiers(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	/* a modifier takes the last payload content, and later modifiers (nocase, distance) still reach it */
	r = ok1(e, "alert http any any -> any any (content:\"GET\"; http_method; content:\"/a\"; http_uri; nocase; "
		   "content:\"b\"; distance:0; http_uri; content:\"plain\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->app_proto, SW_APP_HTTP1);
	assert_int_equal(x->n_pm, 4);
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_METHOD);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[1].u.content.flags, SW_CONTENT_NOCASE);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_URI);
	assert_memory_equal(x->pm[2].u.content.pat, "b", 1);
	assert_int_equal(x->pm[2].u.content.flags, SW_CONTENT_DISTANCE);
	assert_int_equal(x->pm[3].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->fast_pattern, 3);
	sw_rules_free(r);

	/* uricontent is content + http_uri; pkt_data leaves a sticky buffer so modifiers work again */
	r = ok1(e, H "(http.header; content:\"h\"; pkt_data; uricontent:\"/x\"; nocase; content:\"c\"; http_cookie; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 3);
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_HEADER);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[1].u.content.flags, SW_CONTENT_NOCASE);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_COOKIE);
	assert_int_equal(x->buf_mask, (1ULL << SW_BUF_HTTP_HEADER) | (1ULL << SW_BUF_HTTP_URI) | (1ULL << SW_BUF_HTTP_COOKIE));
	sw_rules_free(r);

	/* flow:to_client may use request buffers; to_server may use "both" buffers */
	r = ok1(e, "alert http any any -> any any (flow:established,to_client; http.uri; content:\"a\"; "
		   "http.stat_code; content:\"200\"; sid:1;)");
	sw_rules_free(r);
	r = ok1(e, "alert http any any -> any any (flow:to_server; file_data; content:\"a\"; http.cookie; content:\"b\"; sid:1;)");
	sw_rules_free(r);

	/*
	 * Relative keywords after a modified content follow it into its list
	 * (suricata-verify UriTestSig26); absolute ones and those after a
	 * payload content stay in the payload.
	 */
	r = ok1(e, H "(uricontent:\"/c/\"; isdataat:4,relative; byte_test:1,>,0,0,relative; isdataat:2; "
		   "content:\"p\"; isdataat:1,relative; pcre:\"/q/R\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 7);
	/* grouped: the URI list [content, isdataat, byte_test], then the payload in rule order */
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[1].kind, SW_PM_ISDATAAT);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[2].kind, SW_PM_BYTE_TEST);
	assert_int_equal(x->pm[3].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[3].kind, SW_PM_ISDATAAT);
	assert_false(x->pm[3].u.isdataat.relative);
	assert_int_equal(x->pm[4].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[5].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[6].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[6].kind, SW_PM_PCRE);
	sw_rules_free(r);
}

static void test_http_pcre(void **state)
{
	static const struct {
		char flag;
		enum sw_bufid buf;
	} t[] = {
		{ 'U', SW_BUF_HTTP_URI },         { 'I', SW_BUF_HTTP_URI_RAW },    { 'P', SW_BUF_HTTP_REQUEST_BODY },
		{ 'Q', SW_BUF_FILE_DATA },        { 'H', SW_BUF_HTTP_HEADER },     { 'D', SW_BUF_HTTP_HEADER_RAW },
		{ 'M', SW_BUF_HTTP_METHOD },      { 'C', SW_BUF_HTTP_COOKIE },     { 'S', SW_BUF_HTTP_STAT_CODE },
		{ 'Y', SW_BUF_HTTP_STAT_MSG },    { 'V', SW_BUF_HTTP_USER_AGENT }, { 'W', SW_BUF_HTTP_HOST },
		{ 'Z', SW_BUF_HTTP_HOST_RAW },
	};
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(rule, sizeof(rule), H "(pcre:\"/a/i%cR\"; sid:1;)", t[i].flag);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		assert_int_equal(x->n_pm, 1);
		if (x->pm[0].buf != t[i].buf)
			fail_msg("pcre flag %c: buffer %u", t[i].flag, x->pm[0].buf);
		assert_true(x->pm[0].u.pcre.relative);
		assert_int_equal(x->pm[0].u.pcre.pcre2_opts, PCRE2_CASELESS);
		assert_int_equal(x->app_proto, SW_APP_HTTP1);
		sw_rules_free(r);
	}
	/* inside the same sticky buffer the flag is redundant; Q fits http.response_body (Suricata's file_data) */
	r = ok1(e, H "(http.uri; content:\"a\"; pcre:\"/b/UR\"; http.response_body; pcre:\"/c/Q\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_RESPONSE_BODY);
	sw_rules_free(r);
	/* B (rawbytes) and O change nothing on the payload */
	r = ok1(e, H "(pcre:\"/a/BO\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->pm[0].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->app_proto, SW_APP_UNKNOWN);
	sw_rules_free(r);
}

static void test_http_bsize(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, "alert http any any -> any any (urilen:5; urilen:>10,raw; urilen:2<>9,norm; http.host; bsize:<=20; "
		   "content:\"a\"; bsize:3<>7; http.user_agent; bsize:!4; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 7);
	/* lists: uri [urilen 5, urilen 2<>9], uri.raw [>10], host [<=20, a, 3<>7], user_agent [!4] */
	assert_int_equal(x->pm[0].kind, SW_PM_BSIZE);
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_URI);
	assert_true(x->pm[0].u.bsize.set);
	assert_int_equal(x->pm[0].u.bsize.op, SW_CMP_EQ);
	assert_int_equal(x->pm[0].u.bsize.a, 5);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[1].u.bsize.op, SW_CMP_RANGE);
	assert_int_equal(x->pm[1].u.bsize.a, 2);
	assert_int_equal(x->pm[1].u.bsize.b, 9);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_URI_RAW);
	assert_int_equal(x->pm[2].u.bsize.op, SW_CMP_GT);
	assert_int_equal(x->pm[2].u.bsize.a, 10);
	assert_int_equal(x->pm[3].buf, SW_BUF_HTTP_HOST);
	assert_int_equal(x->pm[3].u.bsize.op, SW_CMP_LE);
	assert_int_equal(x->pm[4].kind, SW_PM_CONTENT);
	assert_int_equal(x->pm[5].u.bsize.op, SW_CMP_RANGE);
	assert_int_equal(x->pm[6].buf, SW_BUF_HTTP_USER_AGENT);
	assert_int_equal(x->pm[6].u.bsize.op, SW_CMP_NE);
	assert_int_equal(x->fast_pattern, 4);
	sw_rules_free(r);
}

/* Lists in order of first use, rule order within; relative keywords keep their list's predecessor. */
static void test_http_grouping(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, "alert http any any -> any any (http.uri; content:\"a\"; http.host; content:\"b\"; http.uri; "
		   "content:\"c\"; distance:0; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 3);
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_URI);
	assert_memory_equal(x->pm[0].u.content.pat, "a", 1);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_URI);
	assert_memory_equal(x->pm[1].u.content.pat, "c", 1);
	assert_int_equal(x->pm[1].u.content.flags, SW_CONTENT_DISTANCE); /* relative to "a", the previous in its list */
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_HOST);
	assert_memory_equal(x->pm[2].u.content.pat, "b", 1);
	assert_int_equal(x->fast_pattern, 0); /* all length 1: the first in rule order */
	sw_rules_free(r);

	/* explicit fast_pattern and byte_extract variables follow their keywords through the regrouping */
	r = ok1(e, H "(content:\"pay\"; byte_extract:1,0,n2; http.header; content:\"h1\"; byte_extract:2,0,n,relative; "
		   "http.uri; content:\"u1\"; fast_pattern; http.header; content:\"h2\"; distance:n; pkt_data; "
		   "byte_test:1,>,n2,0; content:\"payload-longest\"; sid:1;)");
	x = sw_rules_get(r, 0);
	/* payload [pay, be n2, bt, payload-longest], header [h1, be n, h2], uri [u1] */
	assert_int_equal(x->n_pm, 8);
	assert_int_equal(x->pm[1].kind, SW_PM_BYTE_EXTRACT);
	assert_int_equal(x->pm[1].u.bextract.var, 0);
	assert_int_equal(x->pm[2].kind, SW_PM_BYTE_TEST);
	assert_int_equal(x->pm[2].u.btest.value.var, 0);
	assert_int_equal(x->pm[3].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[4].buf, SW_BUF_HTTP_HEADER);
	assert_int_equal(x->pm[5].u.bextract.var, 1);
	assert_int_equal(x->pm[6].u.content.distance.var, 1);
	assert_int_equal(x->pm[7].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->fast_pattern, 7);
	assert_int_equal(x->n_vars, 2);
	sw_rules_free(r);
}

static void test_app_proto(void **state)
{
	static const struct {
		const char *name;
		enum sw_app_proto ap;
		enum sw_rule_proto proto;
	} t[] = {
		{ "http", SW_APP_HTTP1, SW_RP_TCP },   { "http1", SW_APP_HTTP1, SW_RP_TCP },
		{ "tls", SW_APP_TLS, SW_RP_TCP },      { "dns", SW_APP_DNS, SW_RP_IP },
		{ "ssh", SW_APP_SSH, SW_RP_TCP },      { "smtp", SW_APP_SMTP, SW_RP_TCP },
		{ "ftp", SW_APP_FTP, SW_RP_TCP },
		{ "smb", SW_APP_SMB, SW_RP_TCP },      { "dcerpc", SW_APP_DCERPC, SW_RP_TCP },
		{ "imap", SW_APP_IMAP, SW_RP_TCP },    { "pop3", SW_APP_POP3, SW_RP_TCP },
	};
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(rule, sizeof(rule), "alert %s any any -> any any (content:\"x\"; sid:1;)", t[i].name);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != t[i].ap || x->proto != t[i].proto)
			fail_msg("%s: app_proto %d proto %d", t[i].name, x->app_proto, x->proto);
		assert_int_equal(x->pm[0].buf, SW_BUF_PAYLOAD);
		assert_int_equal(x->buf_mask, 1);
		sw_rules_free(r);
	}
	/* plain tcp stays without app_proto; ip with an HTTP buffer becomes HTTP */
	r = ok1(e, H "(content:\"x\"; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->app_proto, SW_APP_UNKNOWN);
	assert_int_equal(sw_rules_get(r, 0)->buf_mask, 1);
	sw_rules_free(r);
	r = ok1(e, "alert ip any any -> any any (http.uri; content:\"x\"; sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->app_proto, SW_APP_HTTP1);
	assert_int_equal(sw_rules_get(r, 0)->proto, SW_RP_IP);
	sw_rules_free(r);
	r = ok1(e, H "(sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->buf_mask, 0);
	sw_rules_free(r);
}

/* ---- DNS and transforms ---- */

/* dns.query makes a tcp, udp or ip rule a DNS rule and keeps its IP protocol; "alert dns" is IP. */
static void test_dns_query(void **state)
{
	static const struct {
		const char *proto, *kw;
		enum sw_rule_proto want;
	} t[] = {
		{ "dns", "dns.query", SW_RP_IP },  { "udp", "dns.query", SW_RP_UDP }, { "tcp", "dns.query", SW_RP_TCP },
		{ "ip", "dns.query", SW_RP_IP },   { "dns", "dns_query", SW_RP_IP },  { "udp", "dns_query", SW_RP_UDP },
	};
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(rule, sizeof(rule), "alert %s $HOME_NET any -> any 53 (%s; content:\"example.com\"; nocase; "
			 "content:\"|01 00|\"; sid:1;)", t[i].proto, t[i].kw);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != SW_APP_DNS || x->proto != t[i].want)
			fail_msg("%s %s: app_proto %d proto %d", t[i].proto, t[i].kw, x->app_proto, x->proto);
		assert_int_equal(x->n_pm, 2);
		assert_int_equal(x->pm[0].buf, SW_BUF_DNS_QUERY);
		assert_int_equal(x->pm[0].xform, 0);
		assert_int_equal(x->pm[0].u.content.flags, SW_CONTENT_NOCASE);
		assert_int_equal(x->pm[1].buf, SW_BUF_DNS_QUERY); /* sticky: a second content stays in the buffer */
		assert_int_equal(x->buf_mask, 1ULL << SW_BUF_DNS_QUERY);
		assert_int_equal(x->fast_pattern, 0);
		sw_rules_free(r);
	}
	/* to_server and established are fine; payload keywords after pkt_data stay in the payload */
	r = ok1(e, "alert dns any any -> any any (flow:to_server; dns.query; bsize:11; content:\"example.com\"; "
		   "pkt_data; content:\"|01 00 00 01|\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 3);
	assert_int_equal(x->pm[0].kind, SW_PM_BSIZE);
	assert_int_equal(x->pm[0].buf, SW_BUF_DNS_QUERY);
	assert_int_equal(x->pm[2].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->buf_mask, (1ULL << SW_BUF_DNS_QUERY) | 1);
	assert_int_equal(x->fast_pattern, 1);
	sw_rules_free(r);
	r = ok1(e, "alert udp any any -> any 53 (flow:established; dns_query; content:\"a\"; sid:1;)");
	sw_rules_free(r);
}

/*
 * The Suricata 8 DNS keywords: the rrname buffers (app_proto dns, one list
 * each, dotprefix too) and dns.opcode / rcode / rrtype in Suricata's
 * integer syntax (rust/src/detect/uint.rs), names for rcode and rrtype.
 */
static void test_dns_keywords(void **state)
{
	static const struct {
		const char *opt;
		uint8_t kind;
		enum sw_cmp op;
		uint32_t a, b;
	} t[] = {
		{ "dns.opcode:4", SW_TXNUM_DNS_OPCODE, SW_CMP_EQ, 4, 0 },
		{ "dns.opcode:=4", SW_TXNUM_DNS_OPCODE, SW_CMP_EQ, 4, 0 },
		{ "dns.opcode: 4 ", SW_TXNUM_DNS_OPCODE, SW_CMP_EQ, 4, 0 },
		{ "dns.opcode:!0", SW_TXNUM_DNS_OPCODE, SW_CMP_NE, 0, 0 },
		{ "dns.opcode:!= 0", SW_TXNUM_DNS_OPCODE, SW_CMP_NE, 0, 0 },
		{ "dns.opcode:>1", SW_TXNUM_DNS_OPCODE, SW_CMP_GT, 1, 0 },
		{ "dns.opcode:>=1", SW_TXNUM_DNS_OPCODE, SW_CMP_GE, 1, 0 },
		{ "dns.opcode:<255", SW_TXNUM_DNS_OPCODE, SW_CMP_LT, 255, 0 },
		{ "dns.opcode:<=254", SW_TXNUM_DNS_OPCODE, SW_CMP_LE, 254, 0 },
		{ "dns.opcode:7-15", SW_TXNUM_DNS_OPCODE, SW_CMP_RANGE, 7, 15 },
		{ "dns.opcode:7 <> 15", SW_TXNUM_DNS_OPCODE, SW_CMP_RANGE, 7, 15 },
		{ "dns.opcode:!7-15", SW_TXNUM_DNS_OPCODE, SW_CMP_NEG_RANGE, 7, 15 },
		{ "dns.opcode:0x0f", SW_TXNUM_DNS_OPCODE, SW_CMP_EQ, 15, 0 },
		{ "dns.opcode:&0x0c=4", SW_TXNUM_DNS_OPCODE, SW_CMP_BITMASK, 12, 4 },
		{ "dns.opcode:& 12 != 0", SW_TXNUM_DNS_OPCODE, SW_CMP_NEG_BITMASK, 12, 0 },
		{ "dns.opcode:0kb", SW_TXNUM_DNS_OPCODE, SW_CMP_EQ, 0, 0 },
		{ "dns.rcode:3", SW_TXNUM_DNS_RCODE, SW_CMP_EQ, 3, 0 },
		{ "dns.rcode:NXDOMAIN", SW_TXNUM_DNS_RCODE, SW_CMP_EQ, 3, 0 },
		{ "dns.rcode:!noerror", SW_TXNUM_DNS_RCODE, SW_CMP_NE, 0, 0 },
		{ "dns.rcode:badtrunc", SW_TXNUM_DNS_RCODE, SW_CMP_EQ, 22, 0 },
		{ "dns.rcode:65535", SW_TXNUM_DNS_RCODE, SW_CMP_EQ, 65535, 0 },
		{ "dns.rrtype:a", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 1, 0 },
		{ "dns.rrtype:AaAa", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 28, 0 },
		{ "dns.rrtype:!TXT", SW_TXNUM_DNS_RRTYPE, SW_CMP_NE, 16, 0 },
		{ "dns.rrtype:a6", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 38, 0 },
		{ "dns.rrtype:nsec3param", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 51, 0 },
		{ "dns.rrtype:uri", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 256, 0 },
		{ "dns.rrtype:1kb", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 1024, 0 },
		{ "dns.rrtype:60kib", SW_TXNUM_DNS_RRTYPE, SW_CMP_EQ, 61440, 0 },
		{ "dns.rrtype:>=255", SW_TXNUM_DNS_RRTYPE, SW_CMP_GE, 255, 0 },
	};
	static const struct {
		const char *kw;
		enum sw_bufid buf;
	} bufs[] = {
		{ "dns.queries.rrname", SW_BUF_DNS_QUERIES_RRNAME }, { "dns.answers.rrname", SW_BUF_DNS_ANSWERS_RRNAME },
		{ "dns.authorities.rrname", SW_BUF_DNS_AUTHORITIES_RRNAME },
		{ "dns.additionals.rrname", SW_BUF_DNS_ADDITIONALS_RRNAME },
		{ "dns.response.rrname", SW_BUF_DNS_RESPONSE_RRNAME }, { "dns.query.name", SW_BUF_DNS_QUERY_NAME },
		{ "dns.answer.name", SW_BUF_DNS_ANSWER_NAME },
	};
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(rule, sizeof(rule), "alert udp any any -> any 53 (%s; sid:1;)", t[i].opt);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != SW_APP_DNS || x->n_txnum != 1 || x->n_pm != 0)
			fail_msg("%s: app_proto %d n_txnum %u n_pm %u", t[i].opt, x->app_proto, x->n_txnum, x->n_pm);
		if (x->txnum[0].kind != t[i].kind || !x->txnum[0].m.set || x->txnum[0].m.op != t[i].op ||
		    x->txnum[0].m.a != t[i].a || x->txnum[0].m.b != t[i].b)
			fail_msg("%s: kind %u op %d a %u b %u", t[i].opt, x->txnum[0].kind, x->txnum[0].m.op,
				 x->txnum[0].m.a, x->txnum[0].m.b);
		sw_rules_free(r);
	}
	/* repeated keywords all hold; with buffers and flow */
	r = ok1(e, "alert dns any any -> any any (flow:to_client; dns.rrtype:!1; dns.rrtype:!28; dns.rcode:0; "
		   "dns.answers.rrname; content:\"example\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_txnum, 3);
	assert_int_equal(x->txnum[1].m.a, 28);
	assert_int_equal(x->txnum[2].kind, SW_TXNUM_DNS_RCODE);
	assert_int_equal(x->pm[0].buf, SW_BUF_DNS_ANSWERS_RRNAME);
	sw_rules_free(r);
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		snprintf(rule, sizeof(rule), "alert tcp any any -> any 53 (%s; dotprefix; content:\".example\"; endswith; "
			 "sid:1;)", bufs[i].kw);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != SW_APP_DNS || x->pm[0].buf != bufs[i].buf || x->pm[0].xform != SW_XFORM_DOTPREFIX)
			fail_msg("%s: app_proto %d buf %u xform %u", bufs[i].kw, x->app_proto, x->pm[0].buf, x->pm[0].xform);
		assert_string_equal(sw_buf_name(bufs[i].buf), bufs[i].kw);
		sw_rules_free(r);
	}
	/* both-direction buffers take either flow direction; dns.response.rrname to_client */
	sw_rules_free(ok1(e, "alert dns any any -> any any (flow:to_client; dns.queries.rrname; content:\"a\"; sid:1;)"));
	sw_rules_free(ok1(e, "alert dns any any -> any any (flow:to_server; dns.additionals.rrname; content:\"a\"; sid:1;)"));
	sw_rules_free(ok1(e, "alert dns any any -> any any (flow:to_client; dns.response.rrname; content:\"a\"; "
			     "dns.opcode:0; sid:1;)"));
	sw_rules_free(ok1(e, "alert dns any any -> any any (dns.query; content:\"a\"; dns.queries.rrname; content:\"a\"; "
			     "dns.rrtype:a; sid:1;)"));
}

/*
 * dotprefix: the buffer's later keywords form a list of their own,
 * (buf, SW_XFORM_DOTPREFIX), next to the untransformed list of the same
 * buffer; grouping, bsize, byte_extract and the fast pattern go by that key.
 */
/* The TLS keywords that are not buffers: their values, kinds and the rule's app_proto. */
static void test_tls_num(void **state)
{
	static const struct {
		const char *opt;
		uint8_t kind, tmode;
		uint32_t a;
		int64_t t1, t2;
	} t[] = {
		{ "tls.version:1.2", SW_TXNUM_TLS_VERSION, 0, 0x0303, 0, 0 },
		{ "tls.version:\"1.3\"", SW_TXNUM_TLS_VERSION, 0, 0x0304, 0, 0 },
		{ "tls.version:0x7f1c", SW_TXNUM_TLS_VERSION_RAW, 0, 0x7f1c, 0, 0 },
		{ "tls.cert_chain_len:>3", SW_TXNUM_TLS_CHAIN_LEN, 0, 3, 0, 0 },
		/* 2024-01-01T00:00:00Z = 1704067200; a bare year is a year, other digits are seconds */
		{ "tls_cert_notbefore:2024-01-01", SW_TXNUM_TLS_NOTBEFORE, SW_TMODE_EQ, 0, 1704067200, 0 },
		{ "tls_cert_notbefore:<2024", SW_TXNUM_TLS_NOTBEFORE, SW_TMODE_LE, 0, 1704067200, 0 },
		{ "tls_cert_notafter:> 1704067200", SW_TXNUM_TLS_NOTAFTER, SW_TMODE_GE, 0, 1704067200, 0 },
		{ "tls_cert_notafter:2024-01-01T00:00:01<>2024-01-01 00:01", SW_TXNUM_TLS_NOTAFTER, SW_TMODE_RANGE, 0,
		  1704067201, 1704067260 },
		{ "tls_cert_expired", SW_TXNUM_TLS_EXPIRED, 0, 0, 0, 0 },
		{ "tls_cert_valid", SW_TXNUM_TLS_VALID, 0, 0, 0, 0 },
	};
	struct env *e = *state;
	char rule[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_rules *r;
		const struct sw_rule *x;

		snprintf(rule, sizeof(rule), "alert tcp any any -> any any (%s; sid:1;)", t[i].opt);
		r = ok1(e, rule);
		x = sw_rules_get(r, 0);
		if (x->app_proto != SW_APP_TLS || x->n_txnum != 1 || x->txnum[0].kind != t[i].kind)
			fail_msg("%s: app_proto %d, %u keywords, kind %d", t[i].opt, x->app_proto, x->n_txnum,
				 x->n_txnum ? x->txnum[0].kind : -1);
		if (t[i].kind < SW_TXNUM_TLS_NOTBEFORE && t[i].kind != SW_TXNUM_TLS_CHAIN_LEN &&
		    (x->txnum[0].m.op != SW_CMP_EQ || x->txnum[0].m.a != t[i].a))
			fail_msg("%s: op %d value 0x%x", t[i].opt, x->txnum[0].m.op, x->txnum[0].m.a);
		if (t[i].kind == SW_TXNUM_TLS_CHAIN_LEN && (x->txnum[0].m.op != SW_CMP_GT || x->txnum[0].m.a != t[i].a))
			fail_msg("%s: op %d value %u", t[i].opt, x->txnum[0].m.op, x->txnum[0].m.a);
		if ((t[i].kind == SW_TXNUM_TLS_NOTBEFORE || t[i].kind == SW_TXNUM_TLS_NOTAFTER) &&
		    (x->txnum[0].tmode != t[i].tmode || x->txnum[0].t1 != t[i].t1 || x->txnum[0].t2 != t[i].t2))
			fail_msg("%s: mode %d, %lld, %lld", t[i].opt, x->txnum[0].tmode, (long long)x->txnum[0].t1,
				 (long long)x->txnum[0].t2);
		sw_rules_free(r);
	}
}

static void test_transforms(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	/* the ET form */
	r = ok1(e, "alert dns $HOME_NET any -> any any (msg:\"x\"; dns.query; dotprefix; content:\".drp.su\"; nocase; "
		   "endswith; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->app_proto, SW_APP_DNS);
	assert_int_equal(x->n_pm, 1);
	assert_int_equal(x->pm[0].buf, SW_BUF_DNS_QUERY);
	assert_int_equal(x->pm[0].xform, SW_XFORM_DOTPREFIX);
	assert_int_equal(x->pm[0].u.content.flags, SW_CONTENT_NOCASE | SW_CONTENT_ENDSWITH);
	assert_memory_equal(x->pm[0].u.content.pat, ".drp.su", 7);
	assert_int_equal(x->buf_mask, 1ULL << SW_BUF_DNS_QUERY);
	assert_int_equal(x->fast_pattern, 0);
	sw_rules_free(r);

	/*
	 * Lists in order of first use: dns.query [a, dd], dns.query+dotprefix
	 * [.bbb, bsize, pcre], payload [|01 00|].  The second plain dns.query
	 * drops the transform; "dd" chains to "a", not to ".bbb".
	 */
	r = ok1(e, "alert dns any any -> any any (dns.query; content:\"a\"; dns.query; dotprefix; content:\".bbb\"; "
		   "bsize:>3; pcre:\"/c/R\"; dns.query; content:\"dd\"; distance:0; pkt_data; content:\"|01 00|\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 6);
	assert_int_equal(x->pm[0].buf, SW_BUF_DNS_QUERY);
	assert_int_equal(x->pm[0].xform, 0);
	assert_memory_equal(x->pm[0].u.content.pat, "a", 1);
	assert_int_equal(x->pm[1].buf, SW_BUF_DNS_QUERY);
	assert_int_equal(x->pm[1].xform, 0);
	assert_memory_equal(x->pm[1].u.content.pat, "dd", 2);
	assert_int_equal(x->pm[1].u.content.flags, SW_CONTENT_DISTANCE);
	for (int i = 2; i <= 4; i++) {
		assert_int_equal(x->pm[i].buf, SW_BUF_DNS_QUERY);
		assert_int_equal(x->pm[i].xform, SW_XFORM_DOTPREFIX);
	}
	assert_memory_equal(x->pm[2].u.content.pat, ".bbb", 4);
	assert_int_equal(x->pm[3].kind, SW_PM_BSIZE);
	assert_int_equal(x->pm[4].kind, SW_PM_PCRE);
	assert_true(x->pm[4].u.pcre.relative);
	assert_int_equal(x->pm[5].buf, SW_BUF_PAYLOAD);
	assert_int_equal(x->pm[5].xform, 0);
	assert_int_equal(x->buf_mask, (1ULL << SW_BUF_DNS_QUERY) | 1);
	assert_int_equal(x->fast_pattern, 2); /* ".bbb", the longest, was fourth in rule order */
	sw_rules_free(r);

	/*
	 * http.host with and without dotprefix: host [x, bsize:5], uri [/u],
	 * host+dotprefix [.evil.example, marked fast_pattern].  bsize:5 limits
	 * only the untransformed list, so the 13-byte content is accepted; the
	 * last http.host (no transform) goes back to the first list.
	 */
	r = ok1(e, "alert http any any -> any any (http.host; content:\"x\"; http.uri; content:\"/u\"; http.host; dotprefix; "
		   "content:\".evil.example\"; endswith; fast_pattern; http.host; bsize:5; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->app_proto, SW_APP_HTTP1);
	assert_int_equal(x->n_pm, 4);
	assert_int_equal(x->pm[0].buf, SW_BUF_HTTP_HOST);
	assert_int_equal(x->pm[0].xform, 0);
	assert_int_equal(x->pm[1].buf, SW_BUF_HTTP_HOST);
	assert_int_equal(x->pm[1].xform, 0);
	assert_int_equal(x->pm[1].kind, SW_PM_BSIZE);
	assert_int_equal(x->pm[1].u.bsize.a, 5);
	assert_int_equal(x->pm[2].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[2].xform, 0);
	assert_memory_equal(x->pm[2].u.content.pat, "/u", 2);
	assert_int_equal(x->pm[3].buf, SW_BUF_HTTP_HOST);
	assert_int_equal(x->pm[3].xform, SW_XFORM_DOTPREFIX);
	assert_int_equal(x->pm[3].u.content.flags, SW_CONTENT_ENDSWITH | SW_CONTENT_FAST_PATTERN);
	assert_int_equal(x->fast_pattern, 3); /* third in rule order, moved behind the host and URI lists */
	assert_int_equal(x->buf_mask, (1ULL << SW_BUF_HTTP_HOST) | (1ULL << SW_BUF_HTTP_URI));
	sw_rules_free(r);

	/*
	 * A byte_extract variable is used in its transformed list; a relative
	 * keyword after pkt_data follows the last content into its list, as
	 * Suricata's isdataat does (detect-isdataat.c), transform included;
	 * urilen is the untransformed URI list whatever the sticky buffer.
	 */
	r = ok1(e, "alert http any any -> any any (http.host; dotprefix; content:\".\"; byte_extract:1,0,n,relative; "
		   "content:\"x\"; distance:n; pkt_data; isdataat:1,relative; http.uri.raw; dotprefix; urilen:>3; "
		   "content:\"./\"; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_pm, 6);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(x->pm[i].buf, SW_BUF_HTTP_HOST);
		assert_int_equal(x->pm[i].xform, SW_XFORM_DOTPREFIX);
	}
	assert_int_equal(x->pm[2].u.content.distance.var, 0);
	assert_int_equal(x->pm[3].kind, SW_PM_ISDATAAT);
	assert_int_equal(x->pm[4].kind, SW_PM_BSIZE);
	assert_int_equal(x->pm[4].buf, SW_BUF_HTTP_URI);
	assert_int_equal(x->pm[4].xform, 0);
	assert_int_equal(x->pm[5].buf, SW_BUF_HTTP_URI_RAW);
	assert_int_equal(x->pm[5].xform, SW_XFORM_DOTPREFIX);
	assert_int_equal(x->n_vars, 1);
	sw_rules_free(r);
}

static void test_target_stream_size(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = ok1(e, H "(target:dest_ip; stream_size: client,>=,1000; noalert; reference:url,a.example/x?a=1,b; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->target, SW_TARGET_DEST_IP);
	assert_true(x->stream_size.set);
	assert_int_equal(x->stream_size.side, SW_SS_CLIENT);
	assert_true(x->stream_size.n.set);
	assert_int_equal(x->stream_size.n.op, SW_CMP_GE);
	assert_int_equal(x->stream_size.n.a, 1000);
	assert_true(x->noalert);
	assert_string_equal(x->references[0], "url,a.example/x?a=1,b");
	sw_rules_free(r);
	r = ok1(e, H "(target:src_ip; stream_size:either,!=,0; sid:1;)");
	x = sw_rules_get(r, 0);
	assert_int_equal(x->target, SW_TARGET_SRC_IP);
	assert_int_equal(x->stream_size.side, SW_SS_EITHER);
	assert_int_equal(x->stream_size.n.op, SW_CMP_NE);
	sw_rules_free(r);
	r = ok1(e, H "(sid:1;)");
	assert_int_equal(sw_rules_get(r, 0)->target, SW_TARGET_NONE);
	assert_false(sw_rules_get(r, 0)->stream_size.set);
	sw_rules_free(r);
}

static void test_state(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = load(e, H "(flowbits:set,ET.a; flowbits:noalert; threshold:type both, track by_dst, count 3, seconds 60; sid:1;)\n"
		      H "(flowbits:isset,ET.a|ET.b; flowbits:isnotset,c&ET.a; detection_filter:track by_src, count 5, seconds 10; sid:2;)\n");
	assert_int_equal(sw_rules_error_count(r), 0);
	assert_int_equal(sw_rules_count(r), 2);
	x = sw_rules_get(r, 0);
	assert_true(x->noalert);
	assert_int_equal(x->n_fb, 1);
	assert_int_equal(x->fb[0].op, SW_FB_SET);
	assert_int_equal(x->fb[0].ids[0], 0);
	assert_true(x->threshold.set);
	assert_int_equal(x->threshold.type, SW_THR_BOTH);
	assert_int_equal(x->threshold.track, SW_TRACK_BY_DST);
	assert_int_equal(x->threshold.count, 3);
	assert_int_equal(x->threshold.seconds, 60);
	x = sw_rules_get(r, 1);
	assert_int_equal(x->n_fb, 2);
	assert_int_equal(x->fb[0].op, SW_FB_ISSET);
	assert_false(x->fb[0].all);
	assert_int_equal(x->fb[0].n, 2);
	assert_int_equal(x->fb[0].ids[1], 1);
	assert_true(x->fb[1].all);
	assert_int_equal(x->fb[1].ids[0], 2);
	assert_int_equal(x->fb[1].ids[1], 0);
	assert_int_equal(x->detection_filter.type, SW_THR_DETECTION_FILTER);
	assert_int_equal(x->detection_filter.count, 5);
	assert_int_equal(sw_rules_flowbit_count(r), 3);
	assert_string_equal(sw_rules_flowbit_name(r, 1), "ET.b");
	sw_rules_free(r);
}

static void test_stateful(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = load(e, H "(flowint:cnt,notset; flowint:cnt,=,1; flowint:cnt,+,other; flowint: cnt , >= , 10; sid:1;)\n"
		      H "(flow.pkts:toserver,>5; flow.pkts_toclient:2-9; flow.bytes:either,>=1kb; flow.bytes_toserver:&0xf=2; "
		      "flow.age:<30; sid:2;)\n"
		      H "(hostbits:set,seen; hostbits:isnotset,seen,dst; xbits:toggle,p,track ip_pair,expire 60; "
		      "xbits:isset,seen,track ip_dst; xbits:noalert; sid:3;)\n"
		      H "(tag:host,10,seconds,dst; prefilter; stream_size:client,=,1; stream_size:server,=,10; sid:4;)\n");
	for (size_t i = 0; i < sw_rules_error_count(r); i++)
		fail_msg("rejected: %s", sw_rules_error(r, i)->message);
	assert_int_equal(sw_rules_count(r), 4);
	x = sw_rules_get(r, 0);
	assert_int_equal(x->n_fi, 4);
	assert_int_equal(x->fi[0].op, SW_FI_NOTSET);
	assert_int_equal(x->fi[1].op, SW_FI_SET);
	assert_int_equal(x->fi[1].value, 1);
	assert_int_equal(x->fi[2].op, SW_FI_ADD);
	assert_true(x->fi[2].target_var);
	assert_string_equal(sw_rules_flowint_name(r, x->fi[2].target), "other");
	assert_int_equal(x->fi[3].op, SW_FI_GE);
	assert_int_equal(x->fi[3].value, 10);
	assert_string_equal(sw_rules_flowint_name(r, x->fi[3].id), "cnt");
	x = sw_rules_get(r, 1);
	assert_int_equal(x->n_fc, 5);
	assert_int_equal(x->fc[0].kind, SW_FC_PKTS);
	assert_int_equal(x->fc[0].dir, SW_FCD_TOSERVER);
	assert_int_equal(x->fc[0].op, SW_CMP_GT);
	assert_int_equal(x->fc[0].a, 5);
	assert_int_equal(x->fc[1].dir, SW_FCD_TOCLIENT);
	assert_int_equal(x->fc[1].op, SW_CMP_RANGE);
	assert_int_equal(x->fc[1].b, 9);
	assert_int_equal(x->fc[2].kind, SW_FC_BYTES);
	assert_int_equal(x->fc[2].dir, SW_FCD_EITHER);
	assert_int_equal(x->fc[2].a, 1024);
	assert_int_equal(x->fc[3].op, SW_CMP_BITMASK);
	assert_int_equal(x->fc[4].kind, SW_FC_AGE);
	assert_int_equal(x->fc[4].op, SW_CMP_LT);
	x = sw_rules_get(r, 2);
	assert_true(x->noalert);
	assert_int_equal(x->n_xb, 4);
	assert_int_equal(x->xb[0].track, SW_XB_IP_SRC);
	assert_int_equal(x->xb[0].expire, 300);
	assert_int_equal(x->xb[1].op, SW_FB_ISNOTSET);
	assert_int_equal(x->xb[1].track, SW_XB_IP_DST);
	assert_int_equal(x->xb[2].op, SW_FB_TOGGLE);
	assert_int_equal(x->xb[2].track, SW_XB_IP_PAIR);
	assert_int_equal(x->xb[2].expire, 60);
	assert_string_equal(sw_rules_pairbit_name(r, x->xb[2].id), "p");
	/* hostbits and xbits ip_src/ip_dst share one name space, as Suricata's host bits */
	assert_int_equal(x->xb[3].id, x->xb[0].id);
	assert_int_equal(x->xb[3].expire, 30);
	assert_string_equal(sw_rules_hostbit_name(r, x->xb[3].id), "seen");
	x = sw_rules_get(r, 3);
	assert_true(x->tag);
	assert_true(x->prefilter);
	assert_true(x->stream_size.set);
	assert_int_equal(x->n_fc, 1);
	assert_int_equal(x->fc[0].kind, SW_FC_STREAM);
	assert_int_equal(x->fc[0].dir, SW_SS_SERVER);
	assert_int_equal(x->fc[0].a, 10);
	sw_rules_free(r);
}

static void test_threshold_conf(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;
	const struct sw_rule *x;

	r = load(e, H "(sid:1;)\n" H "(threshold:type limit, track by_src, count 1, seconds 1; sid:2;)\n"
		      H "(detection_filter:track by_src, count 1, seconds 1; sid:3;)\n" H "(sid:4; gid:5;)\n");
	assert_int_equal(sw_rules_load_threshold_string(r,
		"suppress gen_id 1, sig_id 1\n"
		"suppress gen_id 1, sig_id 2, track by_either, ip [1.2.3.4,10.0.0.0/8]\n"
		"threshold gen_id 1, sig_id 2, type both, track by_dst, count 3, seconds 9\n"
		"event_filter gen_id 0, sig_id 0, type limit, track by_rule, count 1, seconds 60\n"
		"rate_filter gen_id 1, sig_id 3, track by_rule, count 1, seconds 1, new_action drop, timeout 5\n"
		"rate_filter gen_id 1, sig_id 1, track by_flow, count 1, seconds 1, new_action reject, timeout 5\n"
		"suppress gen_id 1, sig_id 77\n"
		"limit gen_id 1, sig_id 1\n"
		"threshold gen_id 0, sig_id 1, type limit, track by_src, count 1, seconds 1\n"
		"threshold gen_id 1, sig_id 1, type limit, track by_host, count 1, seconds 1\n"
		"rate_filter gen_id 1, sig_id 1, track by_src, count 1, seconds 1, new_action log, timeout 5\n"
		"suppress gen_id 1, sig_id 1, track by_src, ip 300.1.1.1\n"
		"threshold gen_id 1, sig_id 1, track by_src, type limit, count 1, seconds 1\n", "threshold.config"), 0);
	{
		static const char *const want[] = {
			"8: unknown threshold.config type (want suppress, threshold, event_filter or rate_filter): 'limit'",
			"9: sig_id > 0 needs gen_id > 0: 'sig_id 1'",
			"10: invalid track (want by_src, by_dst, by_both, by_rule or by_flow): 'by_host'",
			"11: invalid new_action (want alert, drop, pass or reject): 'log'",
			"12: invalid address '300.1.1.1': '300.1.1.1'",
			"13: expected 'type': 'track by_src'",
		};
		char got[320];

		assert_int_equal(sw_rules_error_count(r), 6);
		for (size_t i = 0; i < 6; i++) {
			const struct sw_rule_error *er = sw_rules_error(r, i);

			snprintf(got, sizeof(got), "%u: %s", er->line, er->message);
			assert_string_equal(er->file, "threshold.config");
			assert_string_equal(got, want[i]);
		}
	}
	x = sw_rules_get(r, 0);
	assert_true(x->noalert);
	/* the global event_filter reached the rule without a threshold of its own */
	assert_true(x->threshold.set);
	assert_int_equal(x->threshold.track, SW_TRACK_BY_RULE);
	/* lines apply in order: the rate_filter came after that threshold, which wins over it */
	assert_false(x->rate.set);
	x = sw_rules_get(r, 1);
	assert_int_equal(x->n_sup, 1);
	assert_int_equal(x->sup[0].track, SW_SUP_BY_EITHER);
	assert_int_equal(x->sup[0].ips.n4, 2);
	/* the config's threshold for this rule replaced the rule's own */
	assert_int_equal(x->threshold.type, SW_THR_BOTH);
	assert_int_equal(x->threshold.track, SW_TRACK_BY_DST);
	assert_int_equal(x->threshold.count, 3);
	x = sw_rules_get(r, 2);
	/* a rule's detection_filter wins over the global event_filter and the rate_filter */
	assert_false(x->threshold.set);
	assert_true(x->detection_filter.set);
	assert_false(x->rate.set);
	x = sw_rules_get(r, 3);
	assert_true(x->threshold.set); /* gen_id 0: every gid */
	sw_rules_free(r);
}

static void test_flowbit_limit(void **state)
{
	struct env *e = *state;
	size_t cap = 1100 * 80;
	char *text = malloc(cap), *p = text;
	struct sw_rules *r;

	assert_non_null(text);
	for (int i = 0; i < 1025; i++)
		p += sprintf(p, H "(flowbits:set,b%d; sid:%d;)\n", i, i + 1);
	r = load(e, text);
	assert_int_equal(sw_rules_count(r), 1024);
	assert_int_equal(sw_rules_error_count(r), 1);
	assert_string_equal(sw_rules_error(r, 0)->message, "too many flowbits (max 1024) at 'b1024'");
	sw_rules_free(r);
	free(text);
}

static void test_file_format(void **state)
{
	struct env *e = *state;
	struct sw_rules *r;

	r = load(e, "# comment\r\n\r\n   \n"
		    "#alert tcp any any -> any any (sid:1;)\n"
		    "alert tcp any any -> any any \\\r\n"
		    "  (msg:\"cont\"; \\\n"
		    "   sid:1;)\r\n"
		    "alert tcp any any -> any any (rawbytes; sid:2;)\n"
		    "alert tcp any any -> any any (msg:\"again\"; sid:1;)\n"
		    "alert tcp any any -> any any (sid:1; gid:3;)\n");
	assert_int_equal(sw_rules_count(r), 2);
	assert_string_equal(sw_rules_get(r, 0)->msg, "cont");
	assert_int_equal(sw_rules_get(r, 0)->line, 5);
	assert_int_equal(sw_rules_get(r, 1)->gid, 3);
	assert_int_equal(sw_rules_error_count(r), 2);
	assert_int_equal(sw_rules_error(r, 0)->line, 8);
	assert_string_equal(sw_rules_error(r, 0)->message, "unsupported keyword 'rawbytes'");
	assert_int_equal(sw_rules_error(r, 1)->line, 9);
	assert_string_equal(sw_rules_error(r, 1)->message, "duplicate signature 1:1 (first defined at t.rules:5)");
	sw_rules_free(r);
}

static void test_fixtures(void **state)
{
	struct env *e = *state;
	const char *src = getenv("SW_SRC");
	char path[512];
	struct sw_rules *r = sw_rules_new(e->v, e->c);

	snprintf(path, sizeof(path), "%s/tests/fixtures/rules/et-style.rules", src ? src : ".");
	assert_int_equal(sw_rules_load_file(r, path), 0);
	for (size_t i = 0; i < sw_rules_error_count(r); i++)
		fail_msg("%s:%u:%u: %s", sw_rules_error(r, i)->file, sw_rules_error(r, i)->line,
			 sw_rules_error(r, i)->column, sw_rules_error(r, i)->message);
	assert_int_equal(sw_rules_count(r), 12);
	sw_rules_free(r);
	assert_int_equal(sw_rules_load_file(NULL, path), -EINVAL);
	r = sw_rules_new(NULL, NULL);
	assert_int_equal(sw_rules_load_file(r, "/nonexistent/x.rules"), -ENOENT);
	sw_rules_free(r);
}

/* Golden file: every error of invalid.rules as "file:line:col: message", in order. */
static void test_golden_errors(void **state)
{
	struct env *e = *state;
	const char *src = getenv("SW_SRC");
	char path[512], want[512], got[512];
	struct sw_rules *r = sw_rules_new(e->v, e->c);
	FILE *f;
	size_t i = 0;

	assert_non_null(r);
	/* Load by relative name so the golden file does not depend on the checkout path. */
	assert_return_code(chdir(src ? src : "."), errno);
	assert_return_code(chdir("tests/fixtures/rules"), errno);
	assert_int_equal(sw_rules_load_file(r, "invalid.rules"), 0);
	snprintf(path, sizeof(path), "invalid.expected");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(want, sizeof(want), f)) {
		const struct sw_rule_error *er = sw_rules_error(r, i++);
		want[strcspn(want, "\n")] = '\0';
		assert_non_null(er);
		snprintf(got, sizeof(got), "%s:%u:%u: %s", er->file, er->line, er->column, er->message);
		assert_string_equal(got, want);
	}
	fclose(f);
	assert_int_equal(sw_rules_error_count(r), i);
	assert_int_equal(sw_rules_count(r), 2);
	assert_int_equal(sw_rules_get(r, 0)->sid, 2);
	assert_int_equal(sw_rules_get(r, 1)->sid, 12);
	assert_int_equal(sw_rules_get(r, 1)->line, 16);
	sw_rules_free(r);
}

/* 30,000 rules incl. 1,200 with a 50-address list: checks the result, not the time. */
static void test_bulk(void **state)
{
	struct env *e = *state;
	size_t cap = 30000 * 900;
	char *text = malloc(cap), *p = text;
	struct sw_rules *r;

	assert_non_null(text);
	for (int i = 0; i < 1200; i++) {
		p += sprintf(p, "alert ip [");
		for (int j = 0; j < 50; j++)
			p += sprintf(p, "%s%d.%d.%d.%d", j ? "," : "", 1 + (i * 50 + j) % 200, (j * 7) & 255, i & 255, j);
		p += sprintf(p, "] any -> $HOME_NET any (msg:\"rep %d\"; threshold:type limit, track by_src, count 1, seconds 60; sid:%d;)\n", i, 1000000 + i);
	}
	for (int i = 0; i < 28800; i++)
		p += sprintf(p, "alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:\"c %d\"; flow:established,to_server; "
				"content:\"pat%d\"; nocase; content:\"x\"; distance:0; classtype:bad-unknown; sid:%d; rev:1;)\n",
			    i, i, 2000000 + i);
	r = load(e, text);
	assert_int_equal(sw_rules_error_count(r), 0);
	assert_int_equal(sw_rules_count(r), 30000);
	assert_int_equal(sw_rules_get(r, 0)->src.n4, 50);
	sw_rules_free(r);
	free(text);
}

static void test_classification(void **state)
{
	struct sw_classification *c = sw_classification_new();
	struct sw_rule_error err;
	(void)state;

	assert_int_equal(sw_classification_load_string(c, "# x\nconfig classification: a,A b,2\n", "c.config", &err), 0);
	assert_int_equal(sw_classification_load_string(c, "config classification: a,A\n", "c.config", &err), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.file, "c.config");
	assert_string_equal(err.message, "malformed classification line: ' a,A'");
	assert_int_equal(sw_classification_load_string(c, "\nconfig classification: a,A,x\n", "c.config", &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.message, "invalid classification priority: 'x'");
	sw_classification_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejects),      cmocka_unit_test(test_header),   cmocka_unit_test(test_meta),
		cmocka_unit_test(test_content),      cmocka_unit_test(test_payload),  cmocka_unit_test(test_header_opts),
		cmocka_unit_test(test_state),        cmocka_unit_test(test_flowbit_limit), cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_fixtures),     cmocka_unit_test(test_bulk),     cmocka_unit_test(test_classification), cmocka_unit_test(test_golden_errors),
		cmocka_unit_test(test_http_buffers), cmocka_unit_test(test_http_modifiers), cmocka_unit_test(test_http_pcre),
		cmocka_unit_test(test_http_bsize),   cmocka_unit_test(test_http_grouping), cmocka_unit_test(test_app_proto),
		cmocka_unit_test(test_target_stream_size), cmocka_unit_test(test_dns_query), cmocka_unit_test(test_dns_keywords),
		cmocka_unit_test(test_transforms),
		cmocka_unit_test(test_tls_num),
		cmocka_unit_test(test_stateful), cmocka_unit_test(test_threshold_conf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
