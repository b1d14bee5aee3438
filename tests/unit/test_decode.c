/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoder byte vectors: valid packets of every link type and protocol with
 * their decoded fields checked, and one broken vector per anomaly that must
 * trigger exactly that anomaly and the documented return value.
 *
 * Vectors are assembled from small hand-written header builders; checksums
 * are computed here with a plain 16-bit loop (not the decoder's 64-bit one),
 * so a bug in either shows up as a mismatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/decode/decode.h"

#define MAXPKT 4096

/* ---- builders ---- */

static const uint8_t SRC4[4] = { 10, 0, 0, 1 }, DST4[4] = { 10, 0, 0, 2 };
static const uint8_t SRC6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t DST6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static void put16(uint8_t *o, uint16_t v)
{
	o[0] = (uint8_t)(v >> 8);
	o[1] = (uint8_t)v;
}

static void put32(uint8_t *o, uint32_t v)
{
	put16(o, (uint16_t)(v >> 16));
	put16(o + 2, (uint16_t)v);
}

/* Reference checksum: 16-bit big-endian words, 32-bit sum. */
static uint32_t ref_sum(const uint8_t *d, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}

static uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Offset of the checksum field inside an L4 header, or -1. */
static int csum_off(uint8_t proto)
{
	switch (proto) {
	case 6: return 16;
	case 17: return 6;
	case 1:
	case 58: return 2;
	default: return -1;
	}
}

static uint16_t l4_csum(int v6, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint32_t s = 0;

	if (proto != 1) {
		s = v6 ? ref_sum(SRC6, 16, ref_sum(DST6, 16, 0)) : ref_sum(SRC4, 4, ref_sum(DST4, 4, 0));
		s += proto + (uint32_t)n;
	}
	return ref_fold(ref_sum(l4, n, s));
}

/* IPv4 header (+opts) then @l4; fills IP and L4 checksums.  Returns length. */
static size_t mk_ipv4(uint8_t *o, uint8_t proto, const uint8_t *opts, size_t optlen, const uint8_t *l4,
		      size_t l4len, uint16_t frag)
{
	size_t hl = 20 + optlen;
	int co = csum_off(proto);

	memset(o, 0, hl);
	o[0] = (uint8_t)(0x40 | hl / 4);
	put16(o + 2, (uint16_t)(hl + l4len));
	put16(o + 4, 0x1234);
	put16(o + 6, frag);
	o[8] = 64;
	o[9] = proto;
	memcpy(o + 12, SRC4, 4);
	memcpy(o + 16, DST4, 4);
	if (optlen)
		memcpy(o + 20, opts, optlen);
	if (l4len)
		memcpy(o + hl, l4, l4len);
	if (co >= 0 && (size_t)co + 2 <= l4len && !(proto == 17 && o[hl + co] == 0xee)) {
		put16(o + hl + co, 0);
		put16(o + hl + co, l4_csum(0, proto, o + hl, l4len));
	}
	put16(o + 10, ref_fold(ref_sum(o, hl, 0)));
	return hl + l4len;
}

/* IPv6 header, @ext (ext headers, first type @nh), L4 of type @proto. */
static size_t mk_ipv6(uint8_t *o, uint8_t nh, const uint8_t *ext, size_t extlen, uint8_t proto,
		      const uint8_t *l4, size_t l4len)
{
	int co = csum_off(proto);
	uint8_t *l = o + 40 + extlen;

	memset(o, 0, 40);
	o[0] = 0x60;
	put16(o + 4, (uint16_t)(extlen + l4len));
	o[6] = nh;
	o[7] = 33;
	memcpy(o + 8, SRC6, 16);
	memcpy(o + 24, DST6, 16);
	if (extlen)
		memcpy(o + 40, ext, extlen);
	if (l4len)
		memcpy(l, l4, l4len);
	if (co >= 0 && (size_t)co + 2 <= l4len) {
		put16(l + co, 0);
		put16(l + co, l4_csum(1, proto, l, l4len));
	}
	return 40 + extlen + l4len;
}

static size_t mk_tcp(uint8_t *o, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
		     const uint8_t *opts, size_t optlen, const uint8_t *pl, size_t plen)
{
	size_t hl = 20 + optlen;

	memset(o, 0, hl);
	put16(o, sp);
	put16(o + 2, dp);
	put32(o + 4, seq);
	put32(o + 8, ack);
	o[12] = (uint8_t)(hl / 4 << 4);
	o[13] = flags;
	put16(o + 14, 65535);
	if (optlen)
		memcpy(o + 20, opts, optlen);
	if (plen)
		memcpy(o + hl, pl, plen);
	return hl + plen;
}

static size_t mk_udp(uint8_t *o, uint16_t sp, uint16_t dp, const uint8_t *pl, size_t plen)
{
	put16(o, sp);
	put16(o + 2, dp);
	put16(o + 4, (uint16_t)(8 + plen));
	put16(o + 6, 0);
	if (plen)
		memcpy(o + 8, pl, plen);
	return 8 + plen;
}

static size_t mk_icmp(uint8_t *o, uint8_t type, uint8_t code, uint16_t id, uint16_t seq, const uint8_t *pl,
		      size_t plen)
{
	o[0] = type;
	o[1] = code;
	put16(o + 2, 0);
	put16(o + 4, id);
	put16(o + 6, seq);
	if (plen)
		memcpy(o + 8, pl, plen);
	return 8 + plen;
}

static size_t mk_eth(uint8_t *o, uint16_t et)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(o, macs, 12);
	put16(o + 12, et);
	return 14;
}

static const uint8_t PL[] = "hello";

/* Ethernet / IPv4 / TCP 40000 -> 80 "hello", used as the base of many vectors. */
static size_t v4_tcp(uint8_t *o, size_t link)
{
	uint8_t l4[64];
	size_t n = mk_tcp(l4, 40000, 80, 1000, 5000, SW_TCP_PSH | SW_TCP_ACK, NULL, 0, PL, 5);

	return link + mk_ipv4(o + link, 6, NULL, 0, l4, n, 0);
}

/* ---- decode helper ---- */

struct ctx {
	uint8_t buf[MAXPKT];
	struct sw_packet p;
	struct sw_decode_stats st;
	int ret;
};

static int run(struct ctx *c, int linktype, size_t caplen, size_t wirelen, bool verify)
{
	memset(&c->p, 0xa5, sizeof(c->p)); /* junk: the decoder must reset */
	c->p.data = c->buf;
	c->p.caplen = (uint32_t)caplen;
	c->p.wirelen = (uint32_t)wirelen;
	c->p.ts_usec = 42;
	c->p.linktype = linktype;
	c->p.iface = 7;
	memset(&c->st, 0, sizeof(c->st));
	c->ret = sw_decode(&c->p, verify, &c->st);
	/* Input fields survive, flow-stage fields are reset. */
	assert_ptr_equal(c->p.data, c->buf);
	assert_int_equal(c->p.ts_usec, 42);
	assert_int_equal(c->p.iface, 7);
	assert_null(c->p.flow);
	assert_false(c->p.to_server);
	assert_int_equal(c->st.pkts, 1);
	assert_int_equal(c->st.bytes, wirelen);
	return c->ret;
}

static uint64_t anom_total(const struct sw_decode_stats *st)
{
	uint64_t n = 0;

	for (int i = 0; i < SW_ANOM__COUNT; i++)
		n += st->anom[i];
	return n;
}

static void check_v4_tcp(const struct ctx *c, size_t link)
{
	const struct sw_packet *p = &c->p;

	assert_int_equal(c->ret, 0);
	assert_int_equal(p->ip_ver, 4);
	assert_int_equal(p->proto, 6);
	assert_int_equal(p->ttl, 64);
	assert_int_equal(p->src.family, AF_INET);
	assert_memory_equal(p->src.a, SRC4, 4);
	assert_memory_equal(p->dst.a, DST4, 4);
	assert_int_equal(p->ip_id, 0x1234);
	assert_ptr_equal(p->l3, c->buf + link);
	assert_int_equal(p->l3_len, 45);
	assert_int_equal(p->ip_hlen, 20);
	assert_true(p->l4_ok);
	assert_ptr_equal(p->l4, c->buf + link + 20);
	assert_int_equal(p->l4_len, 25);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 80);
	assert_int_equal(p->tcp_seq, 1000);
	assert_int_equal(p->tcp_ack, 5000);
	assert_int_equal(p->tcp_flags, SW_TCP_PSH | SW_TCP_ACK);
	assert_int_equal(p->tcp_win, 65535);
	assert_int_equal(p->tcp_hlen, 20);
	assert_ptr_equal(p->payload, c->buf + link + 40);
	assert_int_equal(p->payload_len, 5);
	assert_memory_equal(p->payload, "hello", 5);
	assert_int_equal(p->csum_bad, 0);
	assert_false(p->frag);
	assert_int_equal(c->st.ipv4, 1);
	assert_int_equal(c->st.tcp, 1);
	assert_int_equal(anom_total(&c->st), 0);
}

/* ---- valid packets, every link type ---- */

static struct ctx C; /* big: keep it off the stack */

static void test_link_types(void **state)
{
	(void)state;
	struct {
		int linktype;
		size_t hdr;
		uint8_t h[24];
	} t[] = {
		{ SW_LINK_ETHERNET, 14, { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 } },
		{ SW_LINK_SLL, 16, { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00 } },
		{ SW_LINK_SLL2, 20, { 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0 } },
		{ SW_LINK_NULL, 4, { 2, 0, 0, 0 } },  /* little-endian writer */
		{ SW_LINK_NULL, 4, { 0, 0, 0, 2 } },  /* big-endian writer */
		{ SW_LINK_RAW, 0, { 0 } },
		{ SW_LINK_RAW_OBSD, 0, { 0 } },
		{ SW_LINK_RAW_BSD, 0, { 0 } },
		{ SW_LINK_IPV4, 0, { 0 } },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = v4_tcp(C.buf, t[i].hdr);

		memcpy(C.buf, t[i].h, t[i].hdr);
		run(&C, t[i].linktype, n, n, true);
		check_v4_tcp(&C, t[i].hdr);
	}
}

static void test_ipv6_link_types(void **state)
{
	(void)state;
	struct {
		int linktype;
		size_t hdr;
		uint8_t h[20];
	} t[] = {
		{ SW_LINK_ETHERNET, 14, { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd } },
		{ SW_LINK_SLL, 16, { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd } },
		{ SW_LINK_SLL2, 20, { 0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0 } },
		{ SW_LINK_NULL, 4, { 30, 0, 0, 0 } },
		{ SW_LINK_NULL, 4, { 0, 0, 0, 24 } },
		{ SW_LINK_NULL, 4, { 28, 0, 0, 0 } },
		{ SW_LINK_NULL, 4, { 10, 0, 0, 0 } },
		{ SW_LINK_RAW, 0, { 0 } },
		{ SW_LINK_IPV6, 0, { 0 } },
	};
	uint8_t l4[64];
	size_t ln = mk_udp(l4, 5353, 53, PL, 5);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = t[i].hdr + mk_ipv6(C.buf + t[i].hdr, 17, NULL, 0, 17, l4, ln);

		memcpy(C.buf, t[i].h, t[i].hdr);
		assert_int_equal(run(&C, t[i].linktype, n, n, true), 0);
		assert_int_equal(C.p.ip_ver, 6);
		assert_int_equal(C.p.src.family, AF_INET6);
		assert_memory_equal(C.p.src.a, SRC6, 16);
		assert_memory_equal(C.p.dst.a, DST6, 16);
		assert_int_equal(C.p.ttl, 33);
		assert_int_equal(C.p.proto, 17);
		assert_int_equal(C.p.ip_hlen, 40);
		assert_int_equal(C.p.l3_len, 53);
		assert_true(C.p.l4_ok);
		assert_int_equal(C.p.sport, 5353);
		assert_int_equal(C.p.dport, 53);
		assert_ptr_equal(C.p.payload, C.buf + t[i].hdr + 48);
		assert_int_equal(C.p.payload_len, 5);
		assert_int_equal(C.p.csum_bad, 0);
		assert_int_equal(C.st.ipv6, 1);
		assert_int_equal(C.st.udp, 1);
		assert_int_equal(anom_total(&C.st), 0);
	}
}

static void test_vlan(void **state)
{
	(void)state;
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };

	for (size_t i = 0; i < 3; i++) {
		/* outer tag with TPID tpids[i] (PCP 5, VID 100), inner 802.1Q VID 4094 */
		size_t n = mk_eth(C.buf, tpids[i]);

		put16(C.buf + n, 0xa064);
		put16(C.buf + n + 2, 0x8100);
		put16(C.buf + n + 4, 0x0ffe);
		put16(C.buf + n + 6, 0x0800);
		n = v4_tcp(C.buf, n + 8);
		run(&C, SW_LINK_ETHERNET, n, n, true);
		check_v4_tcp(&C, 22);
		assert_int_equal(C.p.vlan_count, 2);
		assert_int_equal(C.p.vlan[0], 100);
		assert_int_equal(C.p.vlan[1], 4094);
		assert_int_equal(C.st.vlan, 1);
	}
	/* one tag */
	size_t n = mk_eth(C.buf, 0x8100);
	put16(C.buf + n, 7);
	put16(C.buf + n + 2, 0x0800);
	n = v4_tcp(C.buf, n + 4);
	run(&C, SW_LINK_ETHERNET, n, n, true);
	check_v4_tcp(&C, 18);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 7);
}

/* ---- protocols ---- */

static void test_tcp_options(void **state)
{
	(void)state;
	/* MSS 1460, NOP, WS 7, SACK-permitted, TS 0x01020304/0x05060708, NOP NOP, EOL pad */
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8,
					1, 1, 0, 0 };
	uint8_t l4[128];
	size_t ln = mk_tcp(l4, 1234, 443, 0xfffffff0u, 0, SW_TCP_SYN, opts, sizeof(opts), NULL, 0);
	size_t n = mk_ipv4(C.buf, 6, NULL, 0, l4, ln, 0x4000 /* DF */);

	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.tcp_flags, SW_TCP_SYN);
	assert_int_equal(C.p.tcp_seq, 0xfffffff0u);
	assert_int_equal(C.p.tcp_hlen, 44);
	assert_true(C.p.tcp_has_mss);
	assert_int_equal(C.p.tcp_mss, 1460);
	assert_true(C.p.tcp_has_wscale);
	assert_int_equal(C.p.tcp_wscale, 7);
	assert_true(C.p.tcp_has_sack_perm);
	assert_true(C.p.tcp_has_ts);
	assert_int_equal(C.p.tcp_tsval, 0x01020304);
	assert_int_equal(C.p.tcp_tsecr, 0x05060708);
	assert_int_equal(C.p.payload_len, 0);
	assert_false(C.p.frag);
	assert_int_equal(anom_total(&C.st), 0);

	/* wscale 15 is used as 14 (RFC 7323 2.3); no options => no flags */
	static const uint8_t ws[] = { 3, 3, 15, 0 };
	ln = mk_tcp(l4, 1, 2, 0, 0, SW_TCP_SYN, ws, sizeof(ws), NULL, 0);
	n = mk_ipv4(C.buf, 6, NULL, 0, l4, ln, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.tcp_wscale, 14);
	assert_false(C.p.tcp_has_mss);
	assert_false(C.p.tcp_has_ts);
}

static void test_udp_icmp(void **state)
{
	(void)state;
	uint8_t l4[128];
	size_t ln, n;

	/* UDP over IPv4 with Ethernet padding: padding is not payload */
	ln = mk_udp(l4, 53, 33000, (const uint8_t *)"ab", 2);
	n = mk_eth(C.buf, 0x0800);
	n += mk_ipv4(C.buf + n, 17, NULL, 0, l4, ln, 0);
	memset(C.buf + n, 0, 60 - n); /* pad to the Ethernet minimum */
	assert_int_equal(run(&C, SW_LINK_ETHERNET, 60, 60, true), 0);
	assert_int_equal(C.p.l3_len, 30);
	assert_int_equal(C.p.l4_len, 10);
	assert_int_equal(C.p.sport, 53);
	assert_int_equal(C.p.dport, 33000);
	assert_int_equal(C.p.payload_len, 2);
	assert_memory_equal(C.p.payload, "ab", 2);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(anom_total(&C.st), 0);

	/* UDP length smaller than the IP payload bounds the payload */
	ln = mk_udp(l4, 1, 2, (const uint8_t *)"abcdef", 6);
	put16(l4 + 4, 10);
	n = mk_ipv4(C.buf, 17, NULL, 0, l4, ln, 0);
	put16(C.buf + 26, 0); /* no checksum: allowed over IPv4 */
	put16(C.buf + 10, 0);
	put16(C.buf + 10, ref_fold(ref_sum(C.buf, 20, 0)));
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.payload_len, 2);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(anom_total(&C.st), 0);

	/* ICMPv4 echo request: id/seq, ports 0 */
	ln = mk_icmp(l4, 8, 0, 0x4242, 7, PL, 5);
	n = mk_ipv4(C.buf, 1, NULL, 0, l4, ln, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.proto, 1);
	assert_int_equal(C.p.icmp_type, 8);
	assert_true(C.p.icmp_has_id);
	assert_int_equal(C.p.icmp_id, 0x4242);
	assert_int_equal(C.p.icmp_seq, 7);
	assert_int_equal(C.p.sport, 0);
	assert_int_equal(C.p.dport, 0);
	assert_int_equal(C.p.payload_len, 5);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(C.st.icmpv4, 1);

	/* ICMPv4 port unreachable: no id/seq */
	ln = mk_icmp(l4, 3, 3, 0, 0, PL, 5);
	n = mk_ipv4(C.buf, 1, NULL, 0, l4, ln, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.icmp_type, 3);
	assert_int_equal(C.p.icmp_code, 3);
	assert_false(C.p.icmp_has_id);

	/* ICMPv6 echo reply with a pseudo-header checksum */
	ln = mk_icmp(l4, 129, 0, 9, 10, PL, 5);
	n = mk_ipv6(C.buf, 58, NULL, 0, 58, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 58);
	assert_int_equal(C.p.icmp_type, 129);
	assert_true(C.p.icmp_has_id);
	assert_int_equal(C.p.icmp_id, 9);
	assert_int_equal(C.p.icmp_seq, 10);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(C.st.icmpv6, 1);
	assert_int_equal(anom_total(&C.st), 0);

	/* IPv6 TCP (odd payload length exercises the odd-byte checksum path) */
	ln = mk_tcp(l4, 5, 6, 1, 2, SW_TCP_ACK, NULL, 0, PL, 5);
	n = mk_ipv6(C.buf, 6, NULL, 0, 6, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.payload_len, 5);
	assert_int_equal(C.p.csum_bad, 0);
}

static void test_ipv4_options_and_frags(void **state)
{
	(void)state;
	uint8_t l4[128];
	/* NOP, record route (len 7, pointer 4, one slot), EOL */
	static const uint8_t opts[] = { 1, 7, 7, 4, 0, 0, 0, 0 };
	size_t ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_ACK, NULL, 0, PL, 5);
	size_t n = mk_ipv4(C.buf, 6, opts, sizeof(opts), l4, ln, 0);

	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.ip_hlen, 28);
	assert_true(C.p.l4_ok);
	assert_ptr_equal(C.p.l4, C.buf + 28);
	assert_int_equal(C.p.payload_len, 5);
	assert_int_equal(anom_total(&C.st), 0);

	/* first fragment (MF, offset 0): L4 decoded, checksum not checked */
	n = mk_ipv4(C.buf, 6, NULL, 0, l4, ln, 0x2000);
	C.buf[20 + 16] ^= 0xff; /* L4 checksum would be wrong if it were checked */
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.frag);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.sport, 1);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(C.st.frags, 1);

	/* later fragment: no L4 */
	n = mk_ipv4(C.buf, 6, NULL, 0, l4, ln, 0x0003);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.frag);
	assert_false(C.p.l4_ok);
	assert_null(C.p.l4);
	assert_int_equal(C.p.sport, 0);
	assert_int_equal(C.p.proto, 6);
	assert_int_equal(C.st.frags, 1);
	assert_int_equal(C.st.tcp, 0);
	assert_int_equal(anom_total(&C.st), 0);

	/* snapped capture (caplen < wirelen) is normal: bounded, no anomaly, no L4 csum */
	n = v4_tcp(C.buf, 0);
	C.buf[20 + 16] ^= 0xff;
	assert_int_equal(run(&C, SW_LINK_RAW, 42, n, true), 0);
	assert_int_equal(C.p.l3_len, 42);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.payload_len, 2);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(anom_total(&C.st), 0);
}

static void test_ipv6_exthdrs(void **state)
{
	(void)state;
	uint8_t l4[64], ext[64];
	size_t ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_SYN, NULL, 0, NULL, 0);
	size_t n;

	/* HBH(8) -> DST(16) -> ROUTING(8) -> AH(12... 16) -> MH? no: -> TCP */
	memset(ext, 0, sizeof(ext));
	ext[0] = 60; ext[1] = 0;         /* HBH, 8 bytes, next DST */
	ext[8] = 43; ext[9] = 1;         /* DST, 16 bytes, next ROUTING */
	ext[24] = 51; ext[25] = 0;       /* ROUTING, 8 bytes, next AH */
	ext[32] = 6; ext[33] = 2;        /* AH, (2+2)*4 = 16 bytes, next TCP */
	n = mk_ipv6(C.buf, 0, ext, 48, 6, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 6);
	assert_int_equal(C.p.ip_hlen, 88);
	assert_true(C.p.l4_ok);
	assert_ptr_equal(C.p.l4, C.buf + 88);
	assert_int_equal(C.p.tcp_flags, SW_TCP_SYN);
	assert_int_equal(C.p.csum_bad, 0);
	assert_int_equal(anom_total(&C.st), 0);

	/* first fragment: L4 decoded, frag set, id low bits */
	memset(ext, 0, 8);
	ext[0] = 6; put16(ext + 2, 0x0001); put32(ext + 4, 0xabcd1234);
	n = mk_ipv6(C.buf, 44, ext, 8, 6, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.frag);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.p.ip_id, 0x1234);
	assert_int_equal(C.st.frags, 1);

	/* later fragment: no L4 */
	put16(ext + 2, 0x0008);
	n = mk_ipv6(C.buf, 44, ext, 8, 6, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.frag);
	assert_false(C.p.l4_ok);
	assert_int_equal(C.p.proto, 6);
	assert_int_equal(C.p.ip_hlen, 48);

	/* atomic fragment (RFC 6946): not a fragment */
	put16(ext + 2, 0);
	n = mk_ipv6(C.buf, 44, ext, 8, 6, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_false(C.p.frag);
	assert_true(C.p.l4_ok);

	/* ESP and no-next-header end the chain */
	n = mk_ipv6(C.buf, 50, NULL, 0, 50, l4, ln);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 50);
	assert_false(C.p.l4_ok);
	memset(ext, 0, 8);
	ext[0] = 59;
	n = mk_ipv6(C.buf, 135, ext, 8, 59, NULL, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 59);
	assert_int_equal(C.p.ip_hlen, 48);
	assert_int_equal(anom_total(&C.st), 0);
}

static void test_not_ip(void **state)
{
	(void)state;
	size_t n = mk_eth(C.buf, 0x0806);

	memset(C.buf + n, 0, 28);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n + 28, n + 28, true), -EPROTONOSUPPORT);
	assert_int_equal(C.st.other, 1);
	assert_int_equal(C.p.ip_ver, 0);
	assert_int_equal(anom_total(&C.st), 0);
	/* 802.3 length frame (STP) */
	n = mk_eth(C.buf, 38);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n + 28, n + 28, true), -EPROTONOSUPPORT);
	assert_int_equal(C.st.other, 1);
	assert_int_equal(anom_total(&C.st), 0);
}

/* ---- checksums ---- */

static void test_checksums(void **state)
{
	(void)state;
	uint8_t l4[700];
	uint8_t pl[600];
	size_t ln, n;

	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 7 + 3);
	/* every payload length 0..599 over v4 and v6 TCP: good, then one bit flipped */
	for (size_t len = 0; len < sizeof(pl); len += 37) {
		for (int v6 = 0; v6 < 2; v6++) {
			ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_ACK, NULL, 0, pl, len);
			n = v6 ? mk_ipv6(C.buf, 6, NULL, 0, 6, l4, ln) : mk_ipv4(C.buf, 6, NULL, 0, l4, ln, 0);
			assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
			assert_int_equal(C.p.csum_bad, 0);
			C.buf[n - 1] ^= 0x10;
			assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
			assert_int_equal(C.p.csum_bad, SW_PKT_CSUM_BAD_L4);
			assert_int_equal(C.st.anom[SW_ANOM_TCP_CSUM_BAD], 1);
			/* verification off: nothing flagged */
			assert_int_equal(run(&C, SW_LINK_RAW, n, n, false), 0);
			assert_int_equal(C.p.csum_bad, 0);
			assert_int_equal(anom_total(&C.st), 0);
		}
	}
	/* bad IPv4 header checksum */
	n = v4_tcp(C.buf, 0);
	C.buf[10] ^= 1;
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.csum_bad, SW_PKT_CSUM_BAD_IP);
	assert_int_equal(C.st.anom[SW_ANOM_IPV4_CSUM_BAD], 1);
}

/* ---- encapsulations and tunnels ---- */

static const uint8_t OSRC4[4] = { 192, 0, 2, 1 }, ODST4[4] = { 192, 0, 2, 2 };
static const uint8_t OSRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ODST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

/* An outer IPv4 header (other addresses than the inner packet's) before @pl. */
static size_t mk_o4(uint8_t *o, uint8_t proto, const uint8_t *pl, size_t n, uint16_t frag)
{
	memmove(o + 20, pl, n);
	memset(o, 0, 20);
	o[0] = 0x45;
	put16(o + 2, (uint16_t)(20 + n));
	put16(o + 4, 0x0777);
	put16(o + 6, frag);
	o[8] = 32;
	o[9] = proto;
	memcpy(o + 12, OSRC4, 4);
	memcpy(o + 16, ODST4, 4);
	put16(o + 10, ref_fold(ref_sum(o, 20, 0)));
	return 20 + n;
}

static size_t mk_o6(uint8_t *o, uint8_t nh, const uint8_t *pl, size_t n)
{
	memmove(o + 40, pl, n);
	memset(o, 0, 40);
	o[0] = 0x60;
	put16(o + 4, (uint16_t)n);
	o[6] = nh;
	o[7] = 17;
	memcpy(o + 8, OSRC6, 16);
	memcpy(o + 24, ODST6, 16);
	return 40 + n;
}

/* GRE: flags, version byte, protocol, @optlen option bytes, payload. */
static size_t mk_gre(uint8_t *o, uint8_t flags, uint8_t ver, uint16_t proto, const uint8_t *opt, size_t optlen,
		     const uint8_t *pl, size_t n)
{
	o[0] = flags;
	o[1] = ver;
	put16(o + 2, proto);
	if (optlen)
		memcpy(o + 4, opt, optlen);
	if (n)
		memcpy(o + 4 + optlen, pl, n);
	return 4 + optlen + n;
}

/* The inner packet: IPv4 TCP 10.0.0.1:40000 -> 10.0.0.2:80 "hello" (45 bytes) at C.buf + @off. */
static void check_inner(const struct ctx *c, size_t off, uint8_t depth)
{
	const struct sw_packet *p = &c->p;

	assert_int_equal(c->ret, 0);
	assert_int_equal(p->tunnel_depth, depth);
	assert_int_equal(p->ip_ver, 4);
	assert_int_equal(p->proto, 6);
	assert_memory_equal(p->src.a, SRC4, 4);
	assert_memory_equal(p->dst.a, DST4, 4);
	assert_ptr_equal(p->l3, c->buf + off);
	assert_int_equal(p->l3_len, 45);
	assert_int_equal(p->ip_hlen, 20);
	assert_true(p->l4_ok);
	assert_ptr_equal(p->l4, c->buf + off + 20);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 80);
	assert_ptr_equal(p->payload, c->buf + off + 40);
	assert_int_equal(p->payload_len, 5);
	assert_int_equal(p->csum_bad, 0);
	assert_false(p->frag);
	assert_int_equal(anom_total(&c->st), 0);
	assert_int_equal(c->st.tunnel, depth ? 1 : 0);
}

/*
 * Checksums of every length from 0 to 1,600 bytes of random payload, TCP
 * and UDP over IPv4 and IPv6, against the reference sum: accepted as
 * built, refused with any one byte changed.  Covers the vector loop
 * (32-byte steps) and every tail length after it.
 */
static void test_checksum_lengths(void **state)
{
	static uint8_t pl[1600], l4[1700];
	unsigned seed = 7;

	(void)state;
	for (size_t len = 0; len <= sizeof(pl); len += len < 80 ? 1 : 37) {
		for (int kind = 0; kind < 3; kind++) {
			uint8_t proto = kind == 1 ? 17 : 6;
			size_t ln, n = mk_eth(C.buf, kind == 2 ? 0x86dd : 0x0800), at;

			for (size_t i = 0; i < len; i++)
				pl[i] = (uint8_t)rand_r(&seed);
			ln = proto == 6 ? mk_tcp(l4, 1, 2, 3, 4, SW_TCP_ACK, NULL, 0, pl, len) : mk_udp(l4, 1, 2, pl, len);
			n += kind == 2 ? mk_ipv6(C.buf + n, proto, NULL, 0, proto, l4, ln)
				       : mk_ipv4(C.buf + n, proto, NULL, 0, l4, ln, 0);
			assert_true(n <= MAXPKT);
			assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
			if (C.p.csum_bad)
				fail_msg("%s length %zu: a good checksum refused", kind == 2 ? "v6" : "v4", len);
			if (len == 0)
				continue;
			/* one payload byte changed: the sum changes (no single-byte change keeps it mod 65535) */
			at = n - len + (size_t)rand_r(&seed) % len;
			C.buf[at] ^= (uint8_t)(1 + rand_r(&seed) % 255);
			assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
			if (!C.p.csum_bad)
				fail_msg("%s length %zu: a bad checksum accepted", kind == 2 ? "v6" : "v4", len);
		}
	}
}

/*
 * A GRE carrier's first fragment: no tunnel is entered from it (its payload
 * is partial), except with frag_tunnels, which the dispatcher uses to learn
 * where the inner flow goes; a later fragment has nothing to enter either way.
 */
static void test_gre_first_fragment(void **state)
{
	uint8_t in[64], g[256];
	size_t ni = v4_tcp(in, 0), ng = mk_gre(g, 0, 0, 0x0800, NULL, 0, in, ni), n;
	struct sw_decode_config dc;
	struct sw_decode_stats st;

	(void)state;
	sw_decode_config_default(&dc);
	dc.frag_tunnels = true;
	for (int later = 0; later < 2; later++) {
		n = mk_eth(C.buf, 0x0800);
		n += mk_o4(C.buf + n, 47, g, ng, later ? 0x2003 : 0x2000); /* MF; offset 0 or 24 bytes */
		run(&C, SW_LINK_ETHERNET, n, n, false);
		assert_int_equal(C.ret, 0);
		assert_true(C.p.frag);
		assert_int_equal(C.p.tunnel_depth, 0);
		assert_memory_equal(C.p.src.a, OSRC4, 4);
		assert_memory_equal(C.p.dst.a, ODST4, 4);
		memset(&st, 0, sizeof(st));
		assert_int_equal(sw_decode_cfg(&C.p, false, &dc, &st), 0);
		assert_int_equal(C.p.tunnel_depth, later ? 0 : 1);
		assert_memory_equal(C.p.src.a, later ? OSRC4 : SRC4, 4);
		assert_memory_equal(C.p.dst.a, later ? ODST4 : DST4, 4);
		assert_int_equal(st.gre, later ? 0 : 1);
	}
}

static void test_gre(void **state)
{
	(void)state;
	uint8_t in[64], g[256], e[256];
	size_t ni = v4_tcp(in, 0), ng, n, ne;

	/* RFC 2784 over Ethernet with an outer VLAN tag: the inner packet has no VLAN id */
	n = mk_eth(C.buf, 0x8100);
	put16(C.buf + n, 5);
	put16(C.buf + n + 2, 0x0800);
	n += 4;
	ng = mk_gre(g, 0, 0, 0x0800, NULL, 0, in, ni);
	n += mk_o4(C.buf + n, 47, g, ng, 0);
	run(&C, SW_LINK_ETHERNET, n, n, true);
	check_inner(&C, 18 + 20 + 4, 1);
	assert_int_equal(C.p.vlan_count, 0);
	assert_int_equal(C.p.tunnel_len, 45);
	assert_int_equal(C.st.gre, 1);
	assert_int_equal(C.st.vlan, 1);
	assert_int_equal(C.st.ipv4, 2);
	assert_int_equal(C.st.tcp, 1);

	/* RFC 2890 checksum, key and sequence number: 12 option bytes */
	static const uint8_t cks[12] = { 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7 };
	ng = mk_gre(g, 0xb0, 0, 0x0800, cks, 12, in, ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 16, 1);

	/* RFC 1701 routing: checksum/offset, one SRE, the terminating SRE */
	static const uint8_t sre[16] = { 0, 0, 0, 0, 0x08, 0x00, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0 };
	ng = mk_gre(g, 0x40, 0, 0x0800, sre, 16, in, ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 20, 1);

	/* RFC 2637 enhanced GRE (PPTP): K, S, A; payload length, call id, seq, ack; HDLC PPP, IPv4 */
	uint8_t ppp[128] = { 0xff, 0x03, 0x00, 0x21 };
	memcpy(ppp + 4, in, ni);
	static const uint8_t pptp[12] = { 0, 49, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0 };
	ng = mk_gre(g, 0x30, 0x81, 0x880b, pptp, 12, ppp, 4 + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 16 + 4, 1);
	assert_int_equal(C.p.tunnel_len, 49);
	assert_int_equal(C.st.ppp, 1);

	/* PPTP acknowledgment alone (payload length 0): the GRE packet itself */
	static const uint8_t ack[8] = { 0, 0, 0, 9, 0, 0, 0, 1 };
	ng = mk_gre(g, 0x20, 0x81, 0x880b, ack, 8, NULL, 0);
	n = mk_o4(C.buf, 47, g, ng, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 47);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_false(C.p.l4_ok);
	assert_int_equal(anom_total(&C.st), 0);

	/* transparent Ethernet bridging (0x6558) */
	ne = mk_eth(e, 0x0800);
	memcpy(e + ne, in, ni);
	ng = mk_gre(g, 0, 0, 0x6558, NULL, 0, e, ne + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 4 + 14, 1);
	assert_int_equal(C.p.tunnel_len, 59);

	/* a VLAN tag (0x8100) then IPv4: the tag is the inner packet's */
	put16(e, 77);
	put16(e + 2, 0x0800);
	memcpy(e + 4, in, ni);
	ng = mk_gre(g, 0, 0, 0x8100, NULL, 0, e, 4 + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 4 + 4, 1);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 77);

	/* a protocol type GRE carries that is not decoded (Aruba's 0x8200): the GRE packet, no event */
	ng = mk_gre(g, 0, 0, 0x8200, NULL, 0, in, ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 47);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.gre, 1);
	assert_int_equal(anom_total(&C.st), 0);

	/* ARP in GRE: ordinary, the GRE packet stays */
	ne = mk_eth(e, 0x0806);
	ng = mk_gre(g, 0, 0, 0x0806, e, 28, NULL, 0);
	n = mk_o4(C.buf, 47, g, ng, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 47);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.other, 1);
	assert_int_equal(anom_total(&C.st), 0);

	/* GRE over IPv6 */
	ng = mk_gre(g, 0, 0, 0x0800, NULL, 0, in, ni);
	n = mk_o6(C.buf, 47, g, ng);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 40 + 4, 1);
	assert_int_equal(C.st.ipv6, 1);

	/* a fragment of the carrier: not entered (the reassembled datagram is) */
	ng = mk_gre(g, 0, 0, 0x0800, NULL, 0, in, ni);
	n = mk_o4(C.buf, 47, g, ng, 0x2000);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_true(C.p.frag);
	assert_int_equal(C.p.proto, 47);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.gre, 0);

	/* an inner packet that does not decode: counted, the GRE packet stays */
	ng = mk_gre(g, 0, 0, 0x0800, in, 10, NULL, 0);
	n = mk_o4(C.buf, 47, g, ng, 0);
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.proto, 47);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_memory_equal(C.p.src.a, OSRC4, 4);
	assert_ptr_equal(C.p.l3, C.buf);
	assert_ptr_equal(C.p.l4, C.buf + 20);
	assert_int_equal(C.p.l4_len, 14);
	assert_int_equal(C.st.anom[SW_ANOM_IPV4_TRUNCATED], 1);
	assert_int_equal(anom_total(&C.st), 1);
	assert_int_equal(C.st.tunnel, 0);

	/* a bad carrier checksum is the inner packet's too (its receiver never sees it) */
	ng = mk_gre(g, 0, 0, 0x0800, NULL, 0, in, ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	C.buf[8] = 31;
	assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 1);
	assert_int_equal(C.p.csum_bad, SW_PKT_CSUM_BAD_IP);
	assert_int_equal(C.st.anom[SW_ANOM_IPV4_CSUM_BAD], 1);
}

static void test_erspan(void **state)
{
	(void)state;
	uint8_t in[64], g[256], e[256];
	size_t ni = v4_tcp(in, 0), ng, n, ne;
	static const uint8_t seq[4] = { 0, 0, 0, 1 };

	/* type I: no GRE sequence number, no header; the mirrored frame's own 802.1Q tag */
	ne = mk_eth(e, 0x8100);
	put16(e + ne, 1011);
	put16(e + ne + 2, 0x0800);
	memcpy(e + ne + 4, in, ni);
	ng = mk_gre(g, 0, 0, 0x88be, NULL, 0, e, ne + 4 + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 4 + 18, 1);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 1011);
	assert_int_equal(C.p.tunnel_len, 18 + 45);
	assert_int_equal(C.st.erspan, 1);
	assert_int_equal(C.st.gre, 1);

	/* type II: sequence number, header version 1 with the session's VLAN 23 */
	uint8_t h[256] = { 0x10, 23, 0, 100, 0, 0, 0, 0 };
	ne = mk_eth(h + 8, 0x0800);
	memcpy(h + 8 + ne, in, ni);
	ng = mk_gre(g, 0x10, 0, 0x88be, seq, 4, h, 8 + ne + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 8 + 8 + 14, 1);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 23);
	assert_int_equal(C.p.tunnel_len, 8 + 14 + 45);

	/* type III (0x22eb): version 2, VLAN 0, O set (8-byte subheader), frame type 0 Ethernet */
	uint8_t h3[256] = { 0x20, 0, 0, 100, 1, 2, 3, 4, 0, 0, 0x00, 0x01 };
	ne = mk_eth(h3 + 20, 0x0800);
	memcpy(h3 + 20 + ne, in, ni);
	ng = mk_gre(g, 0x10, 0, 0x22eb, seq, 4, h3, 20 + ne + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 8 + 20 + 14, 1);
	assert_int_equal(C.p.vlan_count, 0);
	assert_int_equal(C.st.erspan, 1);

	/* type III, frame type 2: the IP packet itself, no subheader, VLAN 9 */
	uint8_t h4[256] = { 0x20, 9, 0, 100, 1, 2, 3, 4, 0, 0, 2 << 2, 0x00 };
	memcpy(h4 + 12, in, ni);
	ng = mk_gre(g, 0x10, 0, 0x22eb, seq, 4, h4, 12 + ni);
	n = mk_o4(C.buf, 47, g, ng, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20 + 8 + 12, 1);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 9);
}

static void test_ppp_pppoe(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t ni = v4_tcp(in, 0), n;

	/* DLT_PPP: with HDLC address/control, without, protocol field compressed */
	static const struct {
		uint8_t h[4];
		size_t n;
	} t[] = { { { 0xff, 0x03, 0x00, 0x21 }, 4 }, { { 0x00, 0x21 }, 2 }, { { 0x21 }, 1 } };
	for (size_t i = 0; i < 3; i++) {
		memcpy(C.buf, t[i].h, t[i].n);
		memcpy(C.buf + t[i].n, in, ni);
		run(&C, SW_LINK_PPP, t[i].n + ni, t[i].n + ni, true);
		check_inner(&C, t[i].n, 0);
		assert_int_equal(C.st.ppp, 1);
	}
	/* VJ-uncompressed TCP/IP (RFC 1144): the protocol byte holds the slot, TCP it is */
	put16(C.buf, 0x002f);
	memcpy(C.buf + 2, in, ni);
	C.buf[2 + 9] = 3;
	run(&C, SW_LINK_PPP, 2 + ni, 2 + ni, true);
	check_inner(&C, 2, 0);
	/* link control: ordinary, no IP */
	put16(C.buf, 0xc021);
	memset(C.buf + 2, 0, 8);
	assert_int_equal(run(&C, SW_LINK_PPP, 10, 10, true), -EPROTONOSUPPORT);
	assert_int_equal(C.st.other, 1);
	assert_int_equal(anom_total(&C.st), 0);

	/* PPPoE session (RFC 2516): PPP protocol 0x0021, LENGTH bounds it (padding after) */
	n = mk_eth(C.buf, 0x8864);
	C.buf[n] = 0x11;
	C.buf[n + 1] = 0;
	put16(C.buf + n + 2, 0x1234);
	put16(C.buf + n + 4, (uint16_t)(2 + ni));
	put16(C.buf + n + 6, 0x0021);
	memcpy(C.buf + n + 8, in, ni);
	memset(C.buf + n + 8 + ni, 0, 4);
	run(&C, SW_LINK_ETHERNET, n + 8 + ni + 4, n + 8 + ni + 4, true);
	check_inner(&C, 14 + 8, 0);
	assert_int_equal(C.st.pppoe, 1);
	/* the one-byte protocol variant */
	put16(C.buf + n + 4, (uint16_t)(1 + ni));
	C.buf[n + 6] = 0x21;
	memcpy(C.buf + n + 7, in, ni);
	run(&C, SW_LINK_ETHERNET, n + 7 + ni, n + 7 + ni, true);
	check_inner(&C, 14 + 7, 0);

	/* PPPoE discovery PADI with one tag: ordinary, no IP */
	n = mk_eth(C.buf, 0x8863);
	C.buf[n] = 0x11;
	C.buf[n + 1] = 0x09;
	put16(C.buf + n + 2, 0);
	put16(C.buf + n + 4, 4);
	put32(C.buf + n + 6, 0x01010000);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n + 10, n + 10, true), -EPROTONOSUPPORT);
	assert_int_equal(C.st.pppoe, 1);
	assert_int_equal(C.st.other, 1);
	assert_int_equal(anom_total(&C.st), 0);
}

static void test_mpls(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t ni = v4_tcp(in, 0), n;

	/* two labels (100, 200 bottom), payload guessed IPv4 by its nibble; the VLAN id stays */
	n = mk_eth(C.buf, 0x8100);
	put16(C.buf + n, 12);
	put16(C.buf + n + 2, 0x8847);
	n += 4;
	put32(C.buf + n, 100u << 12 | 64);
	put32(C.buf + n + 4, 200u << 12 | 0x100 | 64);
	memcpy(C.buf + n + 8, in, ni);
	run(&C, SW_LINK_ETHERNET, n + 8 + ni, n + 8 + ni, true);
	check_inner(&C, 18 + 8, 0);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 12);
	assert_int_equal(C.st.mpls, 1);

	/* IPv4 explicit null (label 0), multicast ethertype */
	n = mk_eth(C.buf, 0x8848);
	put32(C.buf + n, 0x100 | 64);
	memcpy(C.buf + n + 4, in, ni);
	run(&C, SW_LINK_ETHERNET, n + 4 + ni, n + 4 + ni, true);
	check_inner(&C, 18, 0);

	/* IPv6 explicit null (label 2) */
	uint8_t l4[64];
	size_t ln = mk_udp(l4, 5353, 53, PL, 5);
	n = mk_eth(C.buf, 0x8847);
	put32(C.buf + n, 2u << 12 | 0x100 | 64);
	n += 4;
	n += mk_ipv6(C.buf + n, 17, NULL, 0, 17, l4, ln);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.ip_ver, 6);
	assert_int_equal(C.p.dport, 53);
	assert_int_equal(anom_total(&C.st), 0);

	/* Ethernet pseudowire: control word 0, then a frame */
	n = mk_eth(C.buf, 0x8847);
	put32(C.buf + n, 300u << 12 | 0x100 | 64);
	put32(C.buf + n + 4, 0);
	n += 8;
	n += mk_eth(C.buf + n, 0x0800);
	memcpy(C.buf + n, in, ni);
	run(&C, SW_LINK_ETHERNET, n + ni, n + ni, true);
	check_inner(&C, 14 + 8 + 14, 0);
}

static void test_nsh(void **state)
{
	(void)state;
	uint8_t in[64];
	size_t ni = v4_tcp(in, 0), n;

	/* MD type 1: 6 words (24 bytes), next protocol IPv4 */
	n = mk_eth(C.buf, 0x894f);
	memset(C.buf + n, 0, 24);
	put16(C.buf + n, 0x0fc6); /* ver 0, TTL 63, length 6 */
	C.buf[n + 2] = 1;
	C.buf[n + 3] = 1;
	put32(C.buf + n + 4, 0x000101ff);
	memcpy(C.buf + n + 24, in, ni);
	run(&C, SW_LINK_ETHERNET, n + 24 + ni, n + 24 + ni, true);
	check_inner(&C, 14 + 24, 0);
	assert_int_equal(C.st.nsh, 1);

	/* MD type 2, no metadata (2 words), next protocol Ethernet */
	n = mk_eth(C.buf, 0x894f);
	put16(C.buf + n, 0x0fc2);
	C.buf[n + 2] = 2;
	C.buf[n + 3] = 3;
	put32(C.buf + n + 4, 0x000101ff);
	n += 8;
	n += mk_eth(C.buf + n, 0x0800);
	memcpy(C.buf + n, in, ni);
	run(&C, SW_LINK_ETHERNET, n + ni, n + ni, true);
	check_inner(&C, 14 + 8 + 14, 0);
}

/* Outer Ethernet / IPv4 / UDP sp -> dp / @pl; returns the length, *@pl_off where @pl starts. */
static size_t udp_carrier(uint16_t sp, uint16_t dp, const uint8_t *pl, size_t n, size_t *pl_off)
{
	uint8_t u[512];
	size_t nu = mk_udp(u, sp, dp, pl, n);
	size_t off = mk_eth(C.buf, 0x0800);

	*pl_off = off + 20 + 8;
	return off + mk_o4(C.buf + off, 17, u, nu, 0);
}

static void test_vxlan_geneve(void **state)
{
	(void)state;
	uint8_t in[64], v[256];
	size_t ni = v4_tcp(in, 0), n, off;
	struct sw_decode_config cfg;

	/* VXLAN to 4789: I flag, VNI 0x123456, an Ethernet frame */
	memset(v, 0, 8);
	v[0] = 0x08;
	v[4] = 0x12;
	v[5] = 0x34;
	v[6] = 0x56;
	n = mk_eth(v + 8, 0x0800);
	memcpy(v + 8 + n, in, ni);
	n = udp_carrier(40123, 4789, v, 8 + 14 + ni, &off);
	run(&C, SW_LINK_ETHERNET, n, n, true);
	check_inner(&C, off + 8 + 14, 1);
	assert_int_equal(C.p.tunnel_len, 14 + 45);
	assert_int_equal(C.st.vxlan, 1);
	assert_int_equal(C.st.udp, 1);

	/* only the destination port says VXLAN (RFC 7348 5) */
	n = udp_carrier(4789, 40123, v, 8 + 14 + ni, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.p.dport, 40123);
	assert_int_equal(anom_total(&C.st), 0);

	/* another port, configured (decoder.vxlan.ports), with sw_decode_cfg() */
	n = udp_carrier(40123, 8472, v, 8 + 14 + ni, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	sw_decode_config_default(&cfg);
	cfg.vxlan_ports[1] = 8472;
	cfg.n_vxlan_ports = 2;
	memset(&C.st, 0, sizeof(C.st));
	C.ret = sw_decode_cfg(&C.p, true, &cfg, &C.st);
	check_inner(&C, off + 8 + 14, 1);
	cfg.vxlan = false;
	memset(&C.st, 0, sizeof(C.st));
	assert_int_equal(sw_decode_cfg(&C.p, true, &cfg, &C.st), 0);
	assert_int_equal(C.p.tunnel_depth, 0);

	/* a reserved bit set: not VXLAN (strict), VXLAN when permissive */
	v[7] = 1;
	n = udp_carrier(40123, 4789, v, 8 + 14 + ni, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.vxlan, 0);
	sw_decode_config_default(&cfg);
	cfg.vxlan_permissive = true;
	memset(&C.st, 0, sizeof(C.st));
	C.ret = sw_decode_cfg(&C.p, true, &cfg, &C.st);
	check_inner(&C, off + 8 + 14, 1);
	v[7] = 0;

	/* Geneve on 6081 (either port), one 8-byte option, protocol IPv4 */
	uint8_t g[256] = { 0x02, 0, 0x08, 0x00, 0, 0, 7, 0, 0x01, 0x02, 0x03, 0x01, 0xaa, 0xbb, 0xcc, 0xdd };
	memcpy(g + 16, in, ni);
	n = udp_carrier(6081, 50000, g, 16 + ni, &off);
	run(&C, SW_LINK_ETHERNET, n, n, true);
	check_inner(&C, off + 16, 1);
	assert_int_equal(C.p.tunnel_len, 45);
	assert_int_equal(C.st.geneve, 1);
	/* an Ethernet frame (0x6558), no option */
	uint8_t g2[256] = { 0x00, 0, 0x65, 0x58, 0, 0, 7, 0 };
	n = mk_eth(g2 + 8, 0x0800);
	memcpy(g2 + 8 + n, in, ni);
	n = udp_carrier(50000, 6081, g2, 8 + 14 + ni, &off);
	run(&C, SW_LINK_ETHERNET, n, n, true);
	check_inner(&C, off + 8 + 14, 1);
	/* option lengths that do not fill the option space: not Geneve */
	g[11] = 0x02;
	n = udp_carrier(6081, 50000, g, 16 + ni, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.geneve, 0);
	assert_int_equal(anom_total(&C.st), 0);
}

static void test_teredo(void **state)
{
	(void)state;
	uint8_t l4[64], t[256];
	size_t ln = mk_udp(l4, 5353, 53, PL, 5), n, off, n6;

	/* IPv6 UDP filling the UDP payload exactly */
	n6 = mk_ipv6(t, 17, NULL, 0, 17, l4, ln);
	n = udp_carrier(3544, 61000, t, n6, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 1);
	assert_int_equal(C.p.ip_ver, 6);
	assert_ptr_equal(C.p.l3, C.buf + off);
	assert_int_equal(C.p.dport, 53);
	assert_int_equal(C.p.tunnel_len, 53);
	assert_int_equal(C.st.teredo, 1);
	assert_int_equal(anom_total(&C.st), 0);

	/* behind an origin indication (RFC 4380 5.1.1) */
	memmove(t + 8, t, n6);
	memset(t, 0, 8);
	n = udp_carrier(61000, 3544, t, 8 + n6, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 1);
	assert_ptr_equal(C.p.l3, C.buf + off + 8);

	/* Suricata's heuristic: a length that does not match, or hop limit 0, is plain UDP */
	n = udp_carrier(61000, 3544, t + 8, n6 - 1, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.p.dport, 3544);
	t[8 + 7] = 0;
	n = udp_carrier(61000, 3544, t + 8, n6, &off);
	assert_int_equal(run(&C, SW_LINK_ETHERNET, n, n, true), 0);
	assert_int_equal(C.p.tunnel_depth, 0);
	assert_int_equal(C.st.teredo, 0);
	assert_int_equal(anom_total(&C.st), 0);
}

static void test_ip_in_ip(void **state)
{
	(void)state;
	uint8_t in[64], in6[128], l4[64];
	size_t ni = v4_tcp(in, 0), n, n6;
	size_t ln = mk_tcp(l4, 40000, 80, 1, 2, SW_TCP_ACK, NULL, 0, PL, 5);

	n6 = mk_ipv6(in6, 6, NULL, 0, 6, l4, ln);
	/* 4in4 (RFC 2003) */
	n = mk_o4(C.buf, 4, in, ni, 0);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 20, 1);
	assert_int_equal(C.st.ipv4_in_ipv4, 1);
	/* 4in6 (RFC 2473) */
	n = mk_o6(C.buf, 4, in, ni);
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, 40, 1);
	assert_int_equal(C.st.ipv4_in_ipv6, 1);
	/* 6in4 (RFC 4213) and 6in6 */
	for (int v6 = 0; v6 < 2; v6++) {
		n = v6 ? mk_o6(C.buf, 41, in6, n6) : mk_o4(C.buf, 41, in6, n6, 0);
		assert_int_equal(run(&C, SW_LINK_RAW, n, n, true), 0);
		assert_int_equal(C.p.tunnel_depth, 1);
		assert_int_equal(C.p.ip_ver, 6);
		assert_memory_equal(C.p.src.a, SRC6, 16);
		assert_ptr_equal(C.p.l3, C.buf + (v6 ? 40 : 20));
		assert_true(C.p.l4_ok);
		assert_int_equal(C.p.payload_len, 5);
		assert_int_equal(C.p.csum_bad, 0);
		assert_int_equal(v6 ? C.st.ipv6_in_ipv6 : C.st.ipv6_in_ipv4, 1);
		assert_int_equal(anom_total(&C.st), 0);
	}
}

static void test_nesting(void **state)
{
	(void)state;
	uint8_t in[64], g[512], v[512], o[512];
	size_t ni = v4_tcp(in, 0), n, no, off;
	struct sw_decode_config cfg;

	/* VXLAN inside GRE inside IPv4: depth 2, the innermost packet's length */
	memset(v, 0, 8);
	v[0] = 0x08;
	n = mk_eth(v + 8, 0x0800);
	memcpy(v + 8 + n, in, ni);
	uint8_t u[512];
	size_t nu = mk_udp(u, 1, 4789, v, 8 + 14 + ni);
	no = mk_o4(o, 17, u, nu, 0);
	n = mk_gre(g, 0, 0, 0x0800, o, no, NULL, 0);
	n = mk_o4(C.buf, 47, g, n, 0);
	off = 20 + 4 + 20 + 8 + 8 + 14;
	run(&C, SW_LINK_RAW, n, n, true);
	check_inner(&C, off, 2);
	assert_int_equal(C.p.tunnel_len, 59);
	assert_int_equal(C.st.tunnel, 1);

	/* decoder.max-layers: GRE (1) + its tunnel (2) + VXLAN (3) is one too many for 3 */
	sw_decode_config_default(&cfg);
	cfg.max_layers = 3;
	memset(&C.st, 0, sizeof(C.st));
	assert_int_equal(sw_decode_cfg(&C.p, true, &cfg, &C.st), 0);
	assert_int_equal(C.p.tunnel_depth, 1);
	assert_int_equal(C.p.proto, 17);
	assert_int_equal(C.p.dport, 4789);
	assert_int_equal(C.st.anom[SW_ANOM_TOO_MANY_LAYERS], 1);
	assert_int_equal(anom_total(&C.st), 1);

	/* sw_decode_datagram(): a reassembled datagram keeps the fragment's VLAN ids and depth */
	memset(&C.p, 0, sizeof(C.p));
	C.p.vlan_count = 1;
	C.p.vlan[0] = 33;
	C.p.tunnel_depth = 1;
	C.p.data = in;
	C.p.caplen = C.p.wirelen = (uint32_t)ni;
	C.p.linktype = SW_LINK_RAW;
	memset(&C.st, 0, sizeof(C.st));
	assert_int_equal(sw_decode_datagram(&C.p, true, &cfg, &C.st), 0);
	assert_int_equal(C.p.vlan_count, 1);
	assert_int_equal(C.p.vlan[0], 33);
	assert_int_equal(C.p.tunnel_depth, 1);
	assert_int_equal(C.p.tunnel_len, 45);
	assert_true(C.p.l4_ok);
	assert_int_equal(C.st.pkts, 0);
	assert_int_equal(C.st.tunnel, 1);
}

/* ---- one vector per anomaly ---- */

struct bad {
	const char *name;
	enum sw_decode_anom anom;
	int ret;
	bool l4_ok;
	/* Builds into C.buf; sets linktype and lengths. */
	void (*build)(int *lt, size_t *cap, size_t *wire);
};

#define B(fn) static void fn(int *lt, size_t *cap, size_t *wire)

static void raw(int *lt, size_t *cap, size_t *wire, size_t n)
{
	*lt = SW_LINK_RAW;
	*cap = *wire = n;
}

B(b_link) { *lt = 147; *cap = *wire = v4_tcp(C.buf, 0); }
B(b_eth) { *lt = SW_LINK_ETHERNET; *cap = *wire = 13; mk_eth(C.buf, 0x0800); }
B(b_vlan_trunc) { *lt = SW_LINK_ETHERNET; mk_eth(C.buf, 0x8100); put16(C.buf + 14, 5); *cap = *wire = 17; }
B(b_vlan_many)
{
	size_t n = mk_eth(C.buf, 0x88a8);
	put16(C.buf + n, 1); put16(C.buf + n + 2, 0x8100);
	put16(C.buf + n + 4, 2); put16(C.buf + n + 6, 0x8100);
	put16(C.buf + n + 8, 3); put16(C.buf + n + 10, 0x0800);
	*lt = SW_LINK_ETHERNET;
	*cap = *wire = v4_tcp(C.buf, n + 12);
}
B(b_sll) { *lt = SW_LINK_SLL; memset(C.buf, 0, 16); *cap = *wire = 15; }
B(b_sll2) { *lt = SW_LINK_SLL2; memset(C.buf, 0, 20); *cap = *wire = 19; }
B(b_null) { *lt = SW_LINK_NULL; C.buf[0] = 2; *cap = *wire = 3; }
B(b_raw) { (void)C; raw(lt, cap, wire, 0); }
B(b_l3_eth) { *lt = SW_LINK_ETHERNET; *cap = *wire = v4_tcp(C.buf, mk_eth(C.buf, 0x88b5)); }
B(b_l3_raw) { raw(lt, cap, wire, v4_tcp(C.buf, 0)); C.buf[0] = 0x55; }
B(b_l3_null) { *lt = SW_LINK_NULL; memcpy(C.buf, "\x07\0\0\0", 4); *cap = *wire = v4_tcp(C.buf, 4); }
B(b_v4_trunc) { raw(lt, cap, wire, 19); v4_tcp(C.buf, 0); }
B(b_v4_trunc_opts) { v4_tcp(C.buf, 0); C.buf[0] = 0x4f; raw(lt, cap, wire, 45); }
B(b_v4_hlen) { raw(lt, cap, wire, v4_tcp(C.buf, 0)); C.buf[0] = 0x44; }
B(b_v4_iplen) { raw(lt, cap, wire, v4_tcp(C.buf, 0)); put16(C.buf + 2, 19); }
B(b_v4_trunc_pkt) { raw(lt, cap, wire, v4_tcp(C.buf, 0) - 1); }
B(b_v4_version) { *lt = SW_LINK_IPV4; *cap = *wire = v4_tcp(C.buf, 0); C.buf[0] = 0x65; }
B(b_v4_opt)
{
	static const uint8_t opts[] = { 1, 7, 9, 4, 0, 0, 0, 0 }; /* length runs past the header */
	uint8_t l4[64];
	size_t ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_ACK, NULL, 0, NULL, 0);
	raw(lt, cap, wire, mk_ipv4(C.buf, 6, opts, sizeof(opts), l4, ln, 0));
}
B(b_v4_opt_short)
{
	static const uint8_t opts[] = { 0x44, 1, 0, 0 }; /* length 1 < 2 */
	uint8_t l4[64];
	size_t ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_ACK, NULL, 0, NULL, 0);
	raw(lt, cap, wire, mk_ipv4(C.buf, 6, opts, sizeof(opts), l4, ln, 0));
}
B(b_v4_csum) { raw(lt, cap, wire, v4_tcp(C.buf, 0)); C.buf[8] = 63; }
static size_t v6_udp(void)
{
	uint8_t l4[64];
	size_t ln = mk_udp(l4, 1, 2, PL, 5);
	return mk_ipv6(C.buf, 17, NULL, 0, 17, l4, ln);
}
B(b_v6_trunc) { v6_udp(); raw(lt, cap, wire, 39); }
B(b_v6_trunc_pkt) { raw(lt, cap, wire, v6_udp() - 1); }
B(b_v6_version) { *lt = SW_LINK_IPV6; *cap = *wire = v6_udp(); C.buf[0] = 0x45; }
B(b_v6_ext_trunc)
{
	uint8_t ext[8] = { 17, 1 }; /* claims 16 bytes, 8 + UDP follow... */
	uint8_t l4[8] = { 0 };
	raw(lt, cap, wire, mk_ipv6(C.buf, 60, ext, 8, 17, l4, 0)); /* ...but only 8 are there */
}
B(b_v6_ext_frag_trunc)
{
	uint8_t ext[4] = { 17, 0, 0, 0 }; /* fragment header needs 8 */
	raw(lt, cap, wire, mk_ipv6(C.buf, 44, ext, 4, 17, NULL, 0));
}
B(b_v6_ext_many)
{
	uint8_t ext[80];
	memset(ext, 0, sizeof(ext));
	for (int i = 0; i < 9; i++)
		ext[i * 8] = i < 8 ? 60 : 59;
	raw(lt, cap, wire, mk_ipv6(C.buf, 60, ext, 72, 59, NULL, 0));
}
static size_t v4_l4(uint8_t proto, const uint8_t *l4, size_t ln)
{
	return mk_ipv4(C.buf, proto, NULL, 0, l4, ln, 0);
}
B(b_tcp_trunc) { uint8_t l4[64]; mk_tcp(l4, 1, 2, 3, 4, 0, NULL, 0, NULL, 0); raw(lt, cap, wire, v4_l4(6, l4, 19)); }
B(b_tcp_trunc_opts)
{
	uint8_t l4[64];
	mk_tcp(l4, 1, 2, 3, 4, 0, NULL, 0, NULL, 0);
	l4[12] = 0x60; /* 24-byte header in a 20-byte segment */
	raw(lt, cap, wire, v4_l4(6, l4, 20));
}
B(b_tcp_hlen) { uint8_t l4[64]; size_t n = mk_tcp(l4, 1, 2, 3, 4, 0, NULL, 0, NULL, 0); l4[12] = 0x40; raw(lt, cap, wire, v4_l4(6, l4, n)); }
static void tcp_opt(int *lt, size_t *cap, size_t *wire, const uint8_t *o, size_t on)
{
	uint8_t l4[128];
	size_t n = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_SYN, o, on, PL, 5);
	raw(lt, cap, wire, v4_l4(6, l4, n));
}
B(b_tcp_opt_overrun) { static const uint8_t o[] = { 1, 1, 8, 10 }; tcp_opt(lt, cap, wire, o, 4); }
B(b_tcp_opt_zero) { static const uint8_t o[] = { 30, 0, 1, 1 }; tcp_opt(lt, cap, wire, o, 4); }
B(b_tcp_opt_mss) { static const uint8_t o[] = { 2, 3, 5, 0 }; tcp_opt(lt, cap, wire, o, 4); }
B(b_tcp_opt_nolen) { static const uint8_t o[] = { 1, 1, 1, 2 }; tcp_opt(lt, cap, wire, o, 4); }
B(b_tcp_csum) { raw(lt, cap, wire, v4_tcp(C.buf, 0)); C.buf[40] ^= 0x20; }
B(b_udp_trunc) { uint8_t l4[8]; mk_udp(l4, 1, 2, NULL, 0); raw(lt, cap, wire, v4_l4(17, l4, 7)); }
B(b_udp_len_small) { uint8_t l4[16]; size_t n = mk_udp(l4, 1, 2, PL, 5); put16(l4 + 4, 7); raw(lt, cap, wire, v4_l4(17, l4, n)); }
B(b_udp_len_big) { uint8_t l4[16]; size_t n = mk_udp(l4, 1, 2, PL, 5); put16(l4 + 4, 14); raw(lt, cap, wire, v4_l4(17, l4, n)); }
B(b_udp_csum) { uint8_t l4[16]; size_t n = mk_udp(l4, 1, 2, PL, 5); raw(lt, cap, wire, v4_l4(17, l4, n)); C.buf[28] ^= 1; }
B(b_udp6_zero)
{
	size_t n = v6_udp();
	put16(C.buf + 46, 0); /* zero UDP checksum is invalid over IPv6 */
	raw(lt, cap, wire, n);
}
B(b_icmp_trunc) { uint8_t l4[8]; mk_icmp(l4, 8, 0, 1, 2, NULL, 0); raw(lt, cap, wire, v4_l4(1, l4, 7)); }
B(b_icmp_csum) { uint8_t l4[16]; size_t n = mk_icmp(l4, 8, 0, 1, 2, PL, 5); raw(lt, cap, wire, v4_l4(1, l4, n)); C.buf[n + 19] ^= 4; }
B(b_icmp6_trunc) { uint8_t l4[8]; mk_icmp(l4, 128, 0, 1, 2, NULL, 0); raw(lt, cap, wire, mk_ipv6(C.buf, 58, NULL, 0, 58, l4, 4)); }
B(b_icmp6_csum) { uint8_t l4[16]; size_t n = mk_icmp(l4, 128, 0, 1, 2, PL, 5); n = mk_ipv6(C.buf, 58, NULL, 0, 58, l4, n); C.buf[8] ^= 1; /* src address: only the pseudo-header covers it */ raw(lt, cap, wire, n); }

/* Encapsulation vectors: @pl after an outer IPv4 header of protocol @proto (raw link). */
static void o4(int *lt, size_t *cap, size_t *wire, uint8_t proto, const uint8_t *pl, size_t n)
{
	raw(lt, cap, wire, mk_o4(C.buf, proto, pl, n, 0));
}
static void gre(int *lt, size_t *cap, size_t *wire, uint8_t flags, uint8_t ver, uint16_t proto, size_t optlen)
{
	uint8_t g[128], in[64];
	size_t ni = v4_tcp(in, 0);
	uint8_t opt[32] = { 0, 49 }; /* PPTP: a payload length */
	o4(lt, cap, wire, 47, g, mk_gre(g, flags, ver, proto, opt, optlen, in, ni));
}
static void eth_pl(int *lt, size_t *cap, size_t *wire, uint16_t et, const uint8_t *pl, size_t n)
{
	size_t e = mk_eth(C.buf, et);
	memcpy(C.buf + e, pl, n);
	*lt = SW_LINK_ETHERNET;
	*cap = *wire = e + n;
}
static void ppp_pl(int *lt, size_t *cap, size_t *wire, const uint8_t *pl, size_t n)
{
	memcpy(C.buf, pl, n);
	*lt = SW_LINK_PPP;
	*cap = *wire = n;
}
B(b_4in6_small) { uint8_t x[10] = { 0x45 }; raw(lt, cap, wire, mk_o6(C.buf, 4, x, 10)); }
B(b_4in6_ver) { uint8_t x[20] = { 0x65 }; raw(lt, cap, wire, mk_o6(C.buf, 4, x, 20)); }
B(b_6in6_small) { uint8_t x[30] = { 0x60 }; raw(lt, cap, wire, mk_o6(C.buf, 41, x, 30)); }
B(b_6in6_ver) { uint8_t x[40] = { 0x45 }; raw(lt, cap, wire, mk_o6(C.buf, 41, x, 40)); }
B(b_ppp_trunc) { static const uint8_t x[] = { 0xff }; ppp_pl(lt, cap, wire, x, 1); }
B(b_ppp_vju) { static const uint8_t x[12] = { 0x00, 0x2f, 0x45 }; ppp_pl(lt, cap, wire, x, 12); }
B(b_ppp_ip4) { static const uint8_t x[12] = { 0x00, 0x21, 0x45 }; ppp_pl(lt, cap, wire, x, 12); }
B(b_ppp_ip6) { static const uint8_t x[22] = { 0x00, 0x57, 0x60 }; ppp_pl(lt, cap, wire, x, 22); }
B(b_ppp_wrong) { static const uint8_t x[12] = { 0x00, 0x01 }; ppp_pl(lt, cap, wire, x, 12); }
B(b_ppp_unsup) { static const uint8_t x[12] = { 0x00, 0x2b }; ppp_pl(lt, cap, wire, x, 12); }
B(b_pppoe_trunc) { static const uint8_t x[5] = { 0x11 }; eth_pl(lt, cap, wire, 0x8864, x, 5); }
B(b_pppoe_code) { static const uint8_t x[6] = { 0x11, 0x42 }; eth_pl(lt, cap, wire, 0x8863, x, 6); }
B(b_pppoe_tags) { static const uint8_t x[6] = { 0x11, 0x09, 0, 0, 0, 100 }; eth_pl(lt, cap, wire, 0x8863, x, 6); }
B(b_gre_trunc) { static const uint8_t x[3] = { 0 }; o4(lt, cap, wire, 47, x, 3); }
B(b_gre_version) { gre(lt, cap, wire, 0, 2, 0x0800, 0); }
B(b_gre0_recur) { gre(lt, cap, wire, 0x01, 0, 0x0800, 0); }
B(b_gre0_flags) { gre(lt, cap, wire, 0, 0x08, 0x0800, 0); }
B(b_gre0_big) { static const uint8_t x[4] = { 0x20, 0, 0x08, 0 }; o4(lt, cap, wire, 47, x, 4); }
B(b_gre0_sre)
{
	static const uint8_t x[14] = { 0x40, 0, 0x08, 0, 0, 0, 0, 0, 0x08, 0x00, 0, 10, 1, 2 };
	o4(lt, cap, wire, 47, x, 14);
}
B(b_gre1_csum) { gre(lt, cap, wire, 0xa0, 1, 0x880b, 4); }
B(b_gre1_route) { gre(lt, cap, wire, 0x60, 1, 0x880b, 4); }
B(b_gre1_ssr) { gre(lt, cap, wire, 0x28, 1, 0x880b, 4); }
B(b_gre1_recur) { gre(lt, cap, wire, 0x22, 1, 0x880b, 4); }
B(b_gre1_flags) { gre(lt, cap, wire, 0x20, 0x09, 0x880b, 4); }
B(b_gre1_nokey) { gre(lt, cap, wire, 0, 1, 0x880b, 0); }
B(b_gre1_proto) { gre(lt, cap, wire, 0x20, 1, 0x0800, 4); }
B(b_gre1_big) { static const uint8_t x[6] = { 0x20, 1, 0x88, 0x0b, 0, 5 }; o4(lt, cap, wire, 47, x, 6); }
B(b_erspan_trunc) { static const uint8_t x[13] = { 0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10 }; o4(lt, cap, wire, 47, x, 13); }
B(b_erspan_ver)
{
	uint8_t x[64] = { 0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x20 };
	mk_eth(x + 16, 0x0800);
	o4(lt, cap, wire, 47, x, 30);
}
B(b_mpls_hdr) { static const uint8_t x[2] = { 0 }; eth_pl(lt, cap, wire, 0x8847, x, 2); }
B(b_mpls_trunc) { static const uint8_t x[6] = { 0x00, 0x06, 0x41, 0x40, 0x45 }; eth_pl(lt, cap, wire, 0x8847, x, 6); }
B(b_mpls_ra) { static const uint8_t x[8] = { 0x00, 0x00, 0x11, 0x40, 0x45 }; eth_pl(lt, cap, wire, 0x8847, x, 8); }
B(b_mpls_null) { static const uint8_t x[8] = { 0x00, 0x00, 0x31, 0x40, 0x45 }; eth_pl(lt, cap, wire, 0x8847, x, 8); }
B(b_mpls_rsvd) { static const uint8_t x[8] = { 0x00, 0x00, 0x71, 0x40, 0x45 }; eth_pl(lt, cap, wire, 0x8847, x, 8); }
B(b_mpls_payload) { static const uint8_t x[12] = { 0x00, 0x06, 0x41, 0x40, 0x90 }; eth_pl(lt, cap, wire, 0x8847, x, 12); }
static void vx(int *lt, size_t *cap, size_t *wire, uint16_t dp, const uint8_t *h, size_t hn, uint16_t et)
{
	uint8_t v[128], u[160];
	size_t off = 0;
	memcpy(v, h, hn);
	mk_eth(v + hn, et);
	memset(v + hn + 14, 0, 20);
	size_t nu = mk_udp(u, 1000, dp, v, hn + 34);
	(void)off;
	o4(lt, cap, wire, 17, u, nu);
}
B(b_vxlan_payload) { static const uint8_t h[8] = { 0x08 }; vx(lt, cap, wire, 4789, h, 8, 0x88b5); }
B(b_geneve_payload) { static const uint8_t h[8] = { 0x00, 0, 0x88, 0xb5 }; vx(lt, cap, wire, 6081, h, 8, 0x0800); }
B(b_nsh_trunc) { static const uint8_t x[6] = { 0x0f, 0xc2 }; eth_pl(lt, cap, wire, 0x894f, x, 6); }
B(b_nsh_ver) { static const uint8_t x[28] = { 0x4f, 0xc2, 2, 1, 0, 0, 1, 0xff, 0x45 }; eth_pl(lt, cap, wire, 0x894f, x, 28); }
B(b_nsh_len) { static const uint8_t x[28] = { 0x0f, 0xff, 2, 1, 0, 0, 1, 0xff, 0x45 }; eth_pl(lt, cap, wire, 0x894f, x, 28); }
B(b_nsh_rsvd) { static const uint8_t x[28] = { 0x0f, 0xc2, 0, 1, 0, 0, 1, 0xff, 0x45 }; eth_pl(lt, cap, wire, 0x894f, x, 28); }
B(b_nsh_md) { static const uint8_t x[28] = { 0x0f, 0xc2, 3, 1, 0, 0, 1, 0xff, 0x45 }; eth_pl(lt, cap, wire, 0x894f, x, 28); }
B(b_nsh_next) { static const uint8_t x[28] = { 0x0f, 0xc2, 2, 4, 0, 0, 1, 0xff, 0x45 }; eth_pl(lt, cap, wire, 0x894f, x, 28); }
B(b_layers)
{
	/* 16 IPv4-in-IPv4 tunnels around the packet: the 16th layer is one too many */
	uint8_t t[512];
	size_t n = v4_tcp(t, 0);
	for (int i = 0; i < 16; i++)
		n = mk_o4(t, 4, t, n, 0);
	raw(lt, cap, wire, n);
	memcpy(C.buf, t, n);
}

static const struct bad bads[] = {
	{ "link", SW_ANOM_LINK_UNSUPPORTED, -EPROTONOSUPPORT, false, b_link },
	{ "eth", SW_ANOM_ETH_TRUNCATED, -EBADMSG, false, b_eth },
	{ "vlan_trunc", SW_ANOM_VLAN_TRUNCATED, -EBADMSG, false, b_vlan_trunc },
	{ "vlan_many", SW_ANOM_VLAN_TOO_MANY, -EBADMSG, false, b_vlan_many },
	{ "sll", SW_ANOM_SLL_TRUNCATED, -EBADMSG, false, b_sll },
	{ "sll2", SW_ANOM_SLL_TRUNCATED, -EBADMSG, false, b_sll2 },
	{ "null", SW_ANOM_NULL_TRUNCATED, -EBADMSG, false, b_null },
	{ "raw", SW_ANOM_RAW_TRUNCATED, -EBADMSG, false, b_raw },
	{ "l3_eth", SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT, false, b_l3_eth },
	{ "l3_raw", SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT, false, b_l3_raw },
	{ "l3_null", SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT, false, b_l3_null },
	{ "v4_trunc", SW_ANOM_IPV4_TRUNCATED, -EBADMSG, false, b_v4_trunc },
	{ "v4_trunc_opts", SW_ANOM_IPV4_TRUNCATED, -EBADMSG, false, b_v4_trunc_opts },
	{ "v4_hlen", SW_ANOM_IPV4_HLEN_SHORT, -EBADMSG, false, b_v4_hlen },
	{ "v4_iplen", SW_ANOM_IPV4_IPLEN_SMALLER_THAN_HLEN, -EBADMSG, false, b_v4_iplen },
	/* counted, decoded over what is there (no L4 checksum: segment incomplete) */
	{ "v4_trunc_pkt", SW_ANOM_IPV4_TRUNC_PKT, 0, true, b_v4_trunc_pkt },
	{ "v4_version", SW_ANOM_IPV4_WRONG_VERSION, -EBADMSG, false, b_v4_version },
	{ "v4_opt", SW_ANOM_IPV4_OPT_INVALID, 0, true, b_v4_opt },
	{ "v4_opt_short", SW_ANOM_IPV4_OPT_INVALID, 0, true, b_v4_opt_short },
	{ "v4_csum", SW_ANOM_IPV4_CSUM_BAD, 0, true, b_v4_csum },
	{ "v6_trunc", SW_ANOM_IPV6_TRUNCATED, -EBADMSG, false, b_v6_trunc },
	{ "v6_trunc_pkt", SW_ANOM_IPV6_TRUNC_PKT, 0, true, b_v6_trunc_pkt },
	{ "v6_version", SW_ANOM_IPV6_WRONG_VERSION, -EBADMSG, false, b_v6_version },
	{ "v6_ext_trunc", SW_ANOM_IPV6_EXTHDR_TRUNCATED, -EBADMSG, false, b_v6_ext_trunc },
	{ "v6_ext_frag_trunc", SW_ANOM_IPV6_EXTHDR_TRUNCATED, -EBADMSG, false, b_v6_ext_frag_trunc },
	{ "v6_ext_many", SW_ANOM_IPV6_EXTHDR_TOO_MANY, -EBADMSG, false, b_v6_ext_many },
	{ "tcp_trunc", SW_ANOM_TCP_TRUNCATED, 0, false, b_tcp_trunc },
	{ "tcp_trunc_opts", SW_ANOM_TCP_TRUNCATED, 0, false, b_tcp_trunc_opts },
	{ "tcp_hlen", SW_ANOM_TCP_HLEN_SHORT, 0, false, b_tcp_hlen },
	{ "tcp_opt_overrun", SW_ANOM_TCP_OPT_INVALID, 0, true, b_tcp_opt_overrun },
	{ "tcp_opt_zero", SW_ANOM_TCP_OPT_INVALID, 0, true, b_tcp_opt_zero },
	{ "tcp_opt_mss", SW_ANOM_TCP_OPT_INVALID, 0, true, b_tcp_opt_mss },
	{ "tcp_opt_nolen", SW_ANOM_TCP_OPT_INVALID, 0, true, b_tcp_opt_nolen },
	{ "tcp_csum", SW_ANOM_TCP_CSUM_BAD, 0, true, b_tcp_csum },
	{ "udp_trunc", SW_ANOM_UDP_TRUNCATED, 0, false, b_udp_trunc },
	{ "udp_len_small", SW_ANOM_UDP_LEN_INVALID, 0, false, b_udp_len_small },
	{ "udp_len_big", SW_ANOM_UDP_LEN_INVALID, 0, false, b_udp_len_big },
	{ "udp_csum", SW_ANOM_UDP_CSUM_BAD, 0, true, b_udp_csum },
	{ "udp6_zero_csum", SW_ANOM_UDP_CSUM_BAD, 0, true, b_udp6_zero },
	{ "icmp_trunc", SW_ANOM_ICMPV4_TRUNCATED, 0, false, b_icmp_trunc },
	{ "icmp_csum", SW_ANOM_ICMPV4_CSUM_BAD, 0, true, b_icmp_csum },
	{ "icmp6_trunc", SW_ANOM_ICMPV6_TRUNCATED, 0, false, b_icmp6_trunc },
	{ "icmp6_csum", SW_ANOM_ICMPV6_CSUM_BAD, 0, true, b_icmp6_csum },
	{ "4in6_small", SW_ANOM_IPV4_IN_IPV6_TOO_SMALL, 0, false, b_4in6_small },
	{ "4in6_version", SW_ANOM_IPV4_IN_IPV6_WRONG_VERSION, 0, false, b_4in6_ver },
	{ "6in6_small", SW_ANOM_IPV6_IN_IPV6_TOO_SMALL, 0, false, b_6in6_small },
	{ "6in6_version", SW_ANOM_IPV6_IN_IPV6_WRONG_VERSION, 0, false, b_6in6_ver },
	{ "ppp_trunc", SW_ANOM_PPP_TRUNCATED, -EBADMSG, false, b_ppp_trunc },
	{ "ppp_vju", SW_ANOM_PPP_VJU_TRUNCATED, -EBADMSG, false, b_ppp_vju },
	{ "ppp_ip4", SW_ANOM_PPP_IPV4_TRUNCATED, -EBADMSG, false, b_ppp_ip4 },
	{ "ppp_ip6", SW_ANOM_PPP_IPV6_TRUNCATED, -EBADMSG, false, b_ppp_ip6 },
	{ "ppp_wrong_type", SW_ANOM_PPP_WRONG_TYPE, -EBADMSG, false, b_ppp_wrong },
	{ "ppp_unsup", SW_ANOM_PPP_UNSUP_PROTO, -EPROTONOSUPPORT, false, b_ppp_unsup },
	{ "pppoe_trunc", SW_ANOM_PPPOE_TRUNCATED, -EBADMSG, false, b_pppoe_trunc },
	{ "pppoe_code", SW_ANOM_PPPOE_WRONG_CODE, -EBADMSG, false, b_pppoe_code },
	{ "pppoe_tags", SW_ANOM_PPPOE_MALFORMED_TAGS, -EBADMSG, false, b_pppoe_tags },
	/* a malformed tunnel header leaves the carrier packet, as a malformed L4 header does */
	{ "gre_trunc", SW_ANOM_GRE_TRUNCATED, 0, false, b_gre_trunc },
	{ "gre_version", SW_ANOM_GRE_WRONG_VERSION, 0, false, b_gre_version },
	{ "gre0_recur", SW_ANOM_GRE_V0_RECUR, 0, false, b_gre0_recur },
	{ "gre0_flags", SW_ANOM_GRE_V0_FLAGS, 0, false, b_gre0_flags },
	{ "gre0_hdr_big", SW_ANOM_GRE_V0_HDR_TOO_BIG, 0, false, b_gre0_big },
	{ "gre0_sre", SW_ANOM_GRE_V0_MALFORMED_SRE, 0, false, b_gre0_sre },
	{ "gre1_csum", SW_ANOM_GRE_V1_CHKSUM, 0, false, b_gre1_csum },
	{ "gre1_route", SW_ANOM_GRE_V1_ROUTE, 0, false, b_gre1_route },
	{ "gre1_ssr", SW_ANOM_GRE_V1_SSR, 0, false, b_gre1_ssr },
	{ "gre1_recur", SW_ANOM_GRE_V1_RECUR, 0, false, b_gre1_recur },
	{ "gre1_flags", SW_ANOM_GRE_V1_FLAGS, 0, false, b_gre1_flags },
	{ "gre1_no_key", SW_ANOM_GRE_V1_NO_KEY, 0, false, b_gre1_nokey },
	{ "gre1_proto", SW_ANOM_GRE_V1_WRONG_PROTOCOL, 0, false, b_gre1_proto },
	{ "gre1_hdr_big", SW_ANOM_GRE_V1_HDR_TOO_BIG, 0, false, b_gre1_big },
	{ "erspan_trunc", SW_ANOM_ERSPAN_TRUNCATED, 0, false, b_erspan_trunc },
	{ "erspan_version", SW_ANOM_ERSPAN_UNSUPPORTED_VERSION, 0, false, b_erspan_ver },
	{ "mpls_hdr", SW_ANOM_MPLS_HEADER_TRUNCATED, -EBADMSG, false, b_mpls_hdr },
	{ "mpls_trunc", SW_ANOM_MPLS_TRUNCATED, -EBADMSG, false, b_mpls_trunc },
	{ "mpls_router_alert", SW_ANOM_MPLS_BAD_LABEL_ROUTER_ALERT, -EBADMSG, false, b_mpls_ra },
	{ "mpls_implicit_null", SW_ANOM_MPLS_BAD_LABEL_IMPLICIT_NULL, -EBADMSG, false, b_mpls_null },
	{ "mpls_reserved", SW_ANOM_MPLS_BAD_LABEL_RESERVED, -EBADMSG, false, b_mpls_rsvd },
	{ "mpls_payload", SW_ANOM_MPLS_UNKNOWN_PAYLOAD, -EBADMSG, false, b_mpls_payload },
	/* an unknown payload leaves the UDP packet */
	{ "vxlan_payload", SW_ANOM_VXLAN_UNKNOWN_PAYLOAD, 0, true, b_vxlan_payload },
	{ "geneve_payload", SW_ANOM_GENEVE_UNKNOWN_PAYLOAD, 0, true, b_geneve_payload },
	{ "nsh_trunc", SW_ANOM_NSH_TRUNCATED, -EBADMSG, false, b_nsh_trunc },
	{ "nsh_version", SW_ANOM_NSH_UNSUPPORTED_VERSION, -EBADMSG, false, b_nsh_ver },
	{ "nsh_length", SW_ANOM_NSH_BAD_HEADER_LENGTH, -EBADMSG, false, b_nsh_len },
	{ "nsh_reserved", SW_ANOM_NSH_RESERVED_TYPE, -EBADMSG, false, b_nsh_rsvd },
	{ "nsh_md_type", SW_ANOM_NSH_UNSUPPORTED_TYPE, -EBADMSG, false, b_nsh_md },
	{ "nsh_next", SW_ANOM_NSH_UNKNOWN_PAYLOAD, -EBADMSG, false, b_nsh_next },
	{ "too_many_layers", SW_ANOM_TOO_MANY_LAYERS, 0, false, b_layers },
};

static void test_anomalies(void **state)
{
	(void)state;
	bool covered[SW_ANOM__COUNT] = { false };

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int lt = 0;
		size_t cap = 0, wire = 0;

		memset(C.buf, 0, sizeof(C.buf));
		bads[i].build(&lt, &cap, &wire);
		print_message("vector %s\n", bads[i].name);
		assert_int_equal(run(&C, lt, cap, wire, true), bads[i].ret);
		assert_int_equal(C.st.anom[bads[i].anom], 1);
		assert_int_equal(anom_total(&C.st), 1);
		assert_int_equal(C.p.l4_ok, bads[i].l4_ok);
		if (!bads[i].l4_ok) {
			assert_int_equal(C.p.sport, 0);
			assert_int_equal(C.p.dport, 0);
		}
		covered[bads[i].anom] = true;
	}
	for (int a = 0; a < SW_ANOM__COUNT; a++) {
		if (!covered[a])
			print_error("no vector for %s\n", sw_decode_anom_name((enum sw_decode_anom)a));
		assert_true(covered[a]);
	}
}

static void test_anom_names(void **state)
{
	(void)state;
	assert_string_equal(sw_decode_anom_name(SW_ANOM_IPV4_HLEN_SHORT), "ipv4.hlen_too_small");
	assert_string_equal(sw_decode_anom_name(SW_ANOM_TCP_OPT_INVALID), "tcp.opt_invalid_len");
	assert_string_equal(sw_decode_anom_name(SW_ANOM__COUNT), "unknown");
	for (int a = 0; a < SW_ANOM__COUNT; a++)
		assert_non_null(strchr(sw_decode_anom_name((enum sw_decode_anom)a), '.'));
}

/* Every prefix of a valid packet: never reads past caplen (ASan checks), never crashes. */
static void test_truncations(void **state)
{
	(void)state;
	static uint8_t heap_like[MAXPKT];
	size_t n = mk_eth(C.buf, 0x8100);

	put16(C.buf + n, 1);
	put16(C.buf + n + 2, 0x86dd);
	uint8_t l4[64];
	size_t ln = mk_tcp(l4, 1, 2, 3, 4, SW_TCP_SYN, (const uint8_t *)"\x02\x04\x05\xb4", 4, PL, 5);
	n += 4 + mk_ipv6(C.buf + n + 4, 6, NULL, 0, 6, l4, ln);
	memcpy(heap_like, C.buf, n);
	/* wire == cut: a short packet; wire == n: a snapped capture (less to complain about) */
	for (size_t k = 0; k < 2 * (n + 1); k++) {
		size_t cut = k % (n + 1), wire = k > n ? n : cut;
		struct sw_packet p;
		struct sw_decode_stats st;
		memset(&p, 0, sizeof(p));
		memset(&st, 0, sizeof(st));
		p.data = heap_like;
		p.caplen = (uint32_t)cut;
		p.wirelen = (uint32_t)wire;
		p.linktype = SW_LINK_ETHERNET;
		int r = sw_decode(&p, true, &st);
		assert_true(r == 0 || r == -EBADMSG);
		assert_true(p.l3_len <= cut);
		if (p.payload)
			assert_true(p.payload + p.payload_len <= heap_like + cut);
		if (cut == n)
			assert_int_equal(anom_total(&st), 0);
		else if (cut < 14 + 4 + 40 + 24) /* inside a header */
			assert_true(anom_total(&st) >= 1);
		if (wire == n && cut >= 14 + 4 + 40 + 24) /* snapped inside the payload: normal */
			assert_int_equal(anom_total(&st), 0);
		if (cut >= 14 + 4 + 40 + 24)
			assert_true(p.l4_ok);
	}
}

/* Every prefix of encapsulated packets, in a heap block of exactly that size (ASan sees overreads). */
static void test_tunnel_truncations(void **state)
{
	(void)state;
	uint8_t in[64], v[256], u[256], o[256], g[256], pk[512];
	size_t ni = v4_tcp(in, 0), n, no, nu;
	struct {
		int lt;
		size_t n;
		uint8_t b[512];
	} t[4];

	/* VXLAN in GRE (with key and sequence) in IPv4 */
	memset(v, 0, 8);
	v[0] = 0x08;
	n = mk_eth(v + 8, 0x0800);
	memcpy(v + 8 + n, in, ni);
	nu = mk_udp(u, 1, 4789, v, 8 + 14 + ni);
	no = mk_o4(o, 17, u, nu, 0);
	static const uint8_t ks[8] = { 0, 0, 0, 1, 0, 0, 0, 2 };
	n = mk_gre(g, 0x30, 0, 0x0800, ks, 8, o, no);
	t[0].lt = SW_LINK_RAW;
	t[0].n = mk_o4(t[0].b, 47, g, n, 0);
	/* PPPoE session, PPP, IPv4 */
	n = mk_eth(t[1].b, 0x8864);
	memcpy(t[1].b + n, "\x11\x00\x00\x01", 4);
	put16(t[1].b + n + 4, (uint16_t)(2 + ni));
	put16(t[1].b + n + 6, 0x0021);
	memcpy(t[1].b + n + 8, in, ni);
	t[1].lt = SW_LINK_ETHERNET;
	t[1].n = n + 8 + ni;
	/* MPLS pseudowire, Ethernet, NSH, IPv4 */
	n = mk_eth(t[2].b, 0x8847);
	put32(t[2].b + n, 300u << 12 | 0x100 | 64);
	put32(t[2].b + n + 4, 0);
	n += 8;
	n += mk_eth(t[2].b + n, 0x894f);
	put16(t[2].b + n, 0x0fc2);
	t[2].b[n + 2] = 2;
	t[2].b[n + 3] = 1;
	put32(t[2].b + n + 4, 0x000101ff);
	memcpy(t[2].b + n + 8, in, ni);
	t[2].lt = SW_LINK_ETHERNET;
	t[2].n = n + 8 + ni;
	/* ERSPAN III with subheader in GRE in IPv6 */
	uint8_t h3[256] = { 0x20, 5, 0, 100, 1, 2, 3, 4, 0, 0, 0x00, 0x01 };
	n = mk_eth(h3 + 20, 0x0800);
	memcpy(h3 + 20 + n, in, ni);
	static const uint8_t seq[4] = { 0, 0, 0, 1 };
	n = mk_gre(g, 0x10, 0, 0x22eb, seq, 4, h3, 20 + 14 + ni);
	t[3].lt = SW_LINK_RAW;
	t[3].n = mk_o6(t[3].b, 47, g, n);
	(void)pk;

	for (size_t i = 0; i < 4; i++) {
		for (size_t cut = 0; cut <= t[i].n; cut++) {
			uint8_t *h = malloc(cut ? cut : 1);
			struct sw_packet p;
			struct sw_decode_stats st;
			int r;

			assert_non_null(h);
			memcpy(h, t[i].b, cut);
			memset(&p, 0, sizeof(p));
			memset(&st, 0, sizeof(st));
			p.data = h;
			p.caplen = p.wirelen = (uint32_t)cut;
			p.linktype = t[i].lt;
			r = sw_decode(&p, true, &st);
			assert_true(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT);
			if (p.l3)
				assert_true(p.l3 >= h && p.l3 + p.l3_len <= h + cut);
			if (p.payload)
				assert_true(p.payload >= h && p.payload + p.payload_len <= h + cut);
			if (cut == t[i].n) {
				assert_int_equal(r, 0);
				assert_true(p.l4_ok);
				assert_int_equal(p.dport, 80);
				assert_int_equal(anom_total(&st), 0);
			} else {
				assert_false(p.l4_ok && p.dport == 80 && p.payload_len == 5);
			}
			free(h);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_checksum_lengths),
		cmocka_unit_test(test_ipv6_link_types),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_udp_icmp),
		cmocka_unit_test(test_ipv4_options_and_frags),
		cmocka_unit_test(test_ipv6_exthdrs),
		cmocka_unit_test(test_not_ip),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_gre_first_fragment),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_ppp_pppoe),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_nsh),
		cmocka_unit_test(test_vxlan_geneve),
		cmocka_unit_test(test_teredo),
		cmocka_unit_test(test_ip_in_ip),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_anomalies),
		cmocka_unit_test(test_anom_names),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_tunnel_truncations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
