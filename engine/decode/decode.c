/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet decoder: link layer -> IP -> L4 (engine/decode.h).
 *
 * Every read goes through a struct sw_buf cursor, and each layer's cursor is
 * narrowed to what the layer below says it holds, bounded by what was
 * captured: nothing here can read past caplen.  Malformations are counted in
 * the caller's stats under a named anomaly.
 *
 * Return policy (documented in decode.h):
 *  - link layer or IP header (incl. IPv6 extension headers) malformed:
 *    anomaly, -EBADMSG;
 *  - link type / ethertype / IP version sidewall does not decode: anomaly,
 *    -EPROTONOSUPPORT; known non-IP ethertypes (ARP...) count in st->other
 *    and are not an anomaly, but still -EPROTONOSUPPORT (no IP header);
 *  - L4 malformed: anomaly, return 0 with p->l4_ok false (the IP header is
 *    good and the flow and IP-only rules can still use the packet).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "common/buf.h"

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define NULL_HLEN 4
#define IPV4_HLEN_MIN 20
#define IPV6_HLEN 40
#define TCP_HLEN_MIN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define IPV6_EXTHDR_MAX 8 /* more than this in one chain is an evasion attempt */
#define VLAN_MAX 2

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_RARP 0x8035
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_SLOW 0x8809 /* LACP, marker */
#define ETHERTYPE_EAPOL 0x888e
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_LLDP 0x88cc
#define ETHERTYPE_PTP 0x88f7
#define ETHERTYPE_QINQ_OLD 0x9100

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135

static const char *const anom_names[SW_ANOM__COUNT] = {
#define SW_X(id, name) [SW_ANOM_##id] = name,
	SW_DECODE_ANOMALIES(SW_X)
#undef SW_X
};

const char *sw_decode_anom_name(enum sw_decode_anom a)
{
	if ((unsigned)a >= SW_ANOM__COUNT)
		return "unknown";
	return anom_names[a];
}

/* Counts @a and returns @err, so a failing path is one line. */
static int anom(struct sw_decode_stats *st, enum sw_decode_anom a, int err)
{
	st->anom[a]++;
	return err;
}

/*
 * Internet checksum partial sum (RFC 1071) over @len bytes at @d, in native
 * byte order.  Eight bytes per step into a 64-bit ones'-complement
 * accumulator (end-around carry): 2^16 - 1 divides 2^64 - 1, so folding the
 * 64-bit sum gives the 16-bit sum, and RFC 1071 section 2(B) lets us sum in
 * native order and swap once at the end.  memcpy loads: no alignment needed.
 */
static uint64_t csum_add(uint64_t s, uint64_t w)
{
	s += w;
	return s + (s < w); /* end-around carry */
}

static uint16_t csum_fold_native(const uint8_t *d, size_t len, uint64_t s)
{
	while (len >= 32) {
		uint64_t w[4];
		memcpy(w, d, 32);
		s = csum_add(s, w[0]);
		s = csum_add(s, w[1]);
		s = csum_add(s, w[2]);
		s = csum_add(s, w[3]);
		d += 32;
		len -= 32;
	}
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, d, 8);
		s = csum_add(s, w);
		d += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, d, 4);
		s = csum_add(s, w);
		d += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, d, 2);
		s = csum_add(s, w);
		d += 2;
		len -= 2;
	}
	if (len) {
		/* A trailing odd byte is the high byte of a zero-padded word. */
		uint8_t last[2] = { d[0], 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		s = csum_add(s, w);
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Ones'-complement sum of @len bytes as a big-endian (wire) 16-bit value. */
static uint32_t csum_sum(const uint8_t *d, size_t len)
{
	uint16_t n = csum_fold_native(d, len, 0);
	uint8_t b[2];

	memcpy(b, &n, 2);
	/* Reading the native sum's bytes in wire order converts it: RFC 1071 2(B). */
	return (uint32_t)b[0] << 8 | b[1];
}

/* Final check: the sum of data and checksum field folds to 0xffff. */
static bool csum_ok(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* RFC 793 / RFC 8200 section 8.1 pseudo-header sum (addresses, proto, length). */
static uint32_t pseudo_sum(const struct sw_packet *p, uint32_t l4len)
{
	uint32_t s = 0;
	size_t n = p->ip_ver == 4 ? 4 : 16;

	for (size_t i = 0; i < n; i += 2) {
		s += (uint32_t)p->src.a[i] << 8 | p->src.a[i + 1];
		s += (uint32_t)p->dst.a[i] << 8 | p->dst.a[i + 1];
	}
	s += p->proto;
	s += l4len >> 16;
	s += l4len & 0xffff;
	return s;
}

static bool l4_csum_ok(const struct sw_packet *p, bool pseudo)
{
	uint32_t s = csum_sum(p->l4, p->l4_len);

	if (pseudo)
		s += pseudo_sum(p, p->l4_len);
	return csum_ok(s);
}

/* What the IP layer hands to L4. */
struct l4ctx {
	struct sw_buf b;      /* the L4 bytes captured, bounded by the IP length */
	uint32_t declared;    /* L4 length announced by the IP header */
	/*
	 * verify_csum, and the L4 checksum can be checked: the whole segment
	 * the IP header announces was captured, and this is not a fragment
	 * (the checksum covers the reassembled datagram).
	 */
	bool verify;
};

/* L4 header unusable: counted; nothing half-decoded is left for later stages. */
static void bad_l4(struct sw_packet *p, struct sw_decode_stats *st, enum sw_decode_anom a)
{
	p->sport = p->dport = 0;
	p->tcp_seq = p->tcp_ack = 0;
	p->tcp_flags = 0;
	p->tcp_win = 0;
	st->anom[a]++;
}

static int decode_tcp_opts(struct sw_packet *p, struct sw_buf *o, struct sw_decode_stats *st)
{
	while (sw_buf_left(o)) {
		uint8_t kind, len;
		struct sw_buf v;

		(void)sw_buf_get_u8(o, &kind);
		if (kind == 0) /* EOL */
			break;
		if (kind == 1) /* NOP */
			continue;
		/* RFC 9293 3.1: every other option has a length covering kind+len. */
		if (sw_buf_get_u8(o, &len) < 0 || len < 2 || sw_buf_sub(o, len - 2u, &v) < 0)
			return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
		switch (kind) {
		case 2: /* MSS */
			if (len != 4)
				return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
			(void)sw_buf_get_be16(&v, &p->tcp_mss);
			p->tcp_has_mss = true;
			break;
		case 3: /* window scale */
			if (len != 3)
				return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
			(void)sw_buf_get_u8(&v, &p->tcp_wscale);
			/* RFC 7323 2.3: a shift above 14 is used as 14. */
			if (p->tcp_wscale > 14)
				p->tcp_wscale = 14;
			p->tcp_has_wscale = true;
			break;
		case 4: /* SACK permitted */
			if (len != 2)
				return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
			p->tcp_has_sack_perm = true;
			break;
		case 5: /* SACK blocks: 1..4 pairs of 32-bit edges */
			if (len < 10 || (len - 2) % 8)
				return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
			break;
		case 8: /* timestamps */
			if (len != 10)
				return anom(st, SW_ANOM_TCP_OPT_INVALID, -EBADMSG);
			(void)sw_buf_get_be32(&v, &p->tcp_tsval);
			(void)sw_buf_get_be32(&v, &p->tcp_tsecr);
			p->tcp_has_ts = true;
			break;
		default:
			break;
		}
	}
	return 0;
}

static void decode_tcp(struct sw_packet *p, struct l4ctx *c, struct sw_decode_stats *st)
{
	struct sw_buf b = c->b, opts = { 0 };
	uint8_t off_res = 0, hlen;

	if (sw_buf_left(&b) < TCP_HLEN_MIN) {
		anom(st, SW_ANOM_TCP_TRUNCATED, 0);
		return;
	}
	(void)sw_buf_get_be16(&b, &p->sport);
	(void)sw_buf_get_be16(&b, &p->dport);
	(void)sw_buf_get_be32(&b, &p->tcp_seq);
	(void)sw_buf_get_be32(&b, &p->tcp_ack);
	(void)sw_buf_get_u8(&b, &off_res);
	(void)sw_buf_get_u8(&b, &p->tcp_flags);
	(void)sw_buf_get_be16(&b, &p->tcp_win);
	(void)sw_buf_skip(&b, 4); /* checksum, urgent pointer */
	hlen = (uint8_t)((off_res >> 4) * 4);
	if (hlen < TCP_HLEN_MIN) {
		bad_l4(p, st, SW_ANOM_TCP_HLEN_SHORT);
		return;
	}
	if (sw_buf_sub(&b, hlen - TCP_HLEN_MIN, &opts) < 0) {
		bad_l4(p, st, SW_ANOM_TCP_TRUNCATED);
		return;
	}
	p->tcp_hlen = hlen;
	/* A bad option is counted; the header itself is still usable. */
	(void)decode_tcp_opts(p, &opts, st);
	p->l4_ok = true;
	p->payload = sw_buf_cur(&b);
	p->payload_len = (uint32_t)sw_buf_left(&b);
	st->tcp++;
	if (c->verify && !l4_csum_ok(p, true)) {
		p->csum_bad |= SW_PKT_CSUM_BAD_L4;
		st->anom[SW_ANOM_TCP_CSUM_BAD]++;
	}
}

static void decode_udp(struct sw_packet *p, struct l4ctx *c, struct sw_decode_stats *st)
{
	struct sw_buf b = c->b;
	uint16_t ulen = 0, csum = 0;

	if (sw_buf_left(&b) < UDP_HLEN) {
		anom(st, SW_ANOM_UDP_TRUNCATED, 0);
		return;
	}
	(void)sw_buf_get_be16(&b, &p->sport);
	(void)sw_buf_get_be16(&b, &p->dport);
	(void)sw_buf_get_be16(&b, &ulen);
	(void)sw_buf_get_be16(&b, &csum);
	/*
	 * RFC 768: the length covers header and data, within what IP carries;
	 * in a first fragment it covers the whole datagram, which this IP
	 * packet only begins (checked again on the reassembled datagram).
	 */
	if (ulen < UDP_HLEN || (ulen > c->declared && !p->frag)) {
		bad_l4(p, st, SW_ANOM_UDP_LEN_INVALID);
		return;
	}
	/* Bytes past the UDP length (IP padding) are not payload. */
	if (ulen < p->l4_len)
		p->l4_len = ulen;
	p->l4_ok = true;
	p->payload = sw_buf_cur(&b);
	p->payload_len = p->l4_len - UDP_HLEN;
	st->udp++;
	if (!c->verify)
		return;
	if (csum == 0) {
		/* RFC 768: no checksum on IPv4.  RFC 8200 8.1: mandatory on IPv6. */
		if (p->ip_ver == 4)
			return;
	} else if (l4_csum_ok(p, true)) {
		return;
	}
	p->csum_bad |= SW_PKT_CSUM_BAD_L4;
	st->anom[SW_ANOM_UDP_CSUM_BAD]++;
}

static void decode_icmp(struct sw_packet *p, struct l4ctx *c, bool v6, struct sw_decode_stats *st)
{
	struct sw_buf b = c->b;

	if (sw_buf_left(&b) < ICMP_HLEN) {
		anom(st, v6 ? SW_ANOM_ICMPV6_TRUNCATED : SW_ANOM_ICMPV4_TRUNCATED, 0);
		return;
	}
	(void)sw_buf_get_u8(&b, &p->icmp_type);
	(void)sw_buf_get_u8(&b, &p->icmp_code);
	(void)sw_buf_skip(&b, 2); /* checksum */
	/* Echo reply/request: RFC 792 types 0/8, RFC 4443 types 129/128. */
	if (v6 ? (p->icmp_type == 128 || p->icmp_type == 129) : (p->icmp_type == 0 || p->icmp_type == 8)) {
		(void)sw_buf_get_be16(&b, &p->icmp_id);
		(void)sw_buf_get_be16(&b, &p->icmp_seq);
		p->icmp_has_id = true;
	} else {
		(void)sw_buf_skip(&b, 4);
	}
	p->l4_ok = true;
	p->payload = sw_buf_cur(&b);
	p->payload_len = (uint32_t)sw_buf_left(&b);
	if (v6)
		st->icmpv6++;
	else
		st->icmpv4++;
	/* ICMPv6 has a pseudo-header (RFC 4443 2.3), ICMPv4 does not. */
	if (c->verify && !l4_csum_ok(p, v6)) {
		p->csum_bad |= SW_PKT_CSUM_BAD_L4;
		st->anom[v6 ? SW_ANOM_ICMPV6_CSUM_BAD : SW_ANOM_ICMPV4_CSUM_BAD]++;
	}
}

/* @c->b holds the L4 bytes; p->proto, addresses and p->frag are set. */
static void decode_l4(struct sw_packet *p, struct l4ctx *c, bool verify_csum, struct sw_decode_stats *st)
{
	p->l4 = sw_buf_cur(&c->b);
	p->l4_len = (uint32_t)sw_buf_left(&c->b);
	c->verify = verify_csum && !p->frag && p->l4_len == c->declared;
	switch (p->proto) {
	case IPPROTO_TCP_:
		decode_tcp(p, c, st);
		break;
	case IPPROTO_UDP_:
		decode_udp(p, c, st);
		break;
	case IPPROTO_ICMP_:
		if (p->ip_ver == 4)
			decode_icmp(p, c, false, st);
		break;
	case IPPROTO_ICMPV6_:
		if (p->ip_ver == 6)
			decode_icmp(p, c, true, st);
		break;
	default:
		/* Other protocols: l4/l4_len point at the IP payload, l4_ok stays false. */
		break;
	}
}

/* RFC 791 3.1: option-type, option-length (>= 2, within the header) ... */
static int check_ipv4_opts(struct sw_buf o, struct sw_decode_stats *st)
{
	while (sw_buf_left(&o)) {
		uint8_t type, len;

		(void)sw_buf_get_u8(&o, &type);
		if (type == 0) /* end of option list */
			break;
		if (type == 1) /* no-operation */
			continue;
		if (sw_buf_get_u8(&o, &len) < 0 || len < 2 || sw_buf_skip(&o, len - 2u) < 0)
			return anom(st, SW_ANOM_IPV4_OPT_INVALID, -EBADMSG);
	}
	return 0;
}

/*
 * The IP total length says @ip_len bytes but only @avail are here.  With a
 * snaplen (caplen < wirelen) that is normal.  Otherwise the packet is shorter
 * than its header says: counted, and decoding goes on over what is here, so
 * the flow and dispatch hash see the packet the same whether or not the
 * caller knew the wire length.
 */
static void check_trunc(const struct sw_packet *p, enum sw_decode_anom a, struct sw_decode_stats *st)
{
	if (p->caplen >= p->wirelen)
		st->anom[a]++;
}

static int decode_ipv4(struct sw_packet *p, struct sw_buf *b, bool verify_csum, struct sw_decode_stats *st)
{
	struct sw_buf h = *b, ip = { 0 }, opts = { 0 };
	uint8_t vhl = 0, ttl = 0, proto = 0;
	uint16_t tot = 0, frag = 0;
	uint32_t hlen;
	struct l4ctx c;

	if (sw_buf_left(b) < IPV4_HLEN_MIN)
		return anom(st, SW_ANOM_IPV4_TRUNCATED, -EBADMSG);
	(void)sw_buf_get_u8(&h, &vhl);
	if (vhl >> 4 != 4)
		return anom(st, SW_ANOM_IPV4_WRONG_VERSION, -EBADMSG);
	hlen = (uint32_t)(vhl & 0x0f) * 4;
	if (hlen < IPV4_HLEN_MIN)
		return anom(st, SW_ANOM_IPV4_HLEN_SHORT, -EBADMSG);
	if (sw_buf_left(b) < hlen)
		return anom(st, SW_ANOM_IPV4_TRUNCATED, -EBADMSG);
	(void)sw_buf_skip(&h, 1); /* DSCP/ECN */
	(void)sw_buf_get_be16(&h, &tot);
	if (tot < hlen)
		return anom(st, SW_ANOM_IPV4_IPLEN_SMALLER_THAN_HLEN, -EBADMSG);
	(void)sw_buf_get_be16(&h, &p->ip_id);
	(void)sw_buf_get_be16(&h, &frag);
	(void)sw_buf_get_u8(&h, &ttl);
	(void)sw_buf_get_u8(&h, &proto);
	(void)sw_buf_skip(&h, 2); /* header checksum */
	p->src.family = p->dst.family = AF_INET;
	(void)sw_buf_get_bytes(&h, p->src.a, 4);
	(void)sw_buf_get_bytes(&h, p->dst.a, 4);

	/* Bound L3 by min(total length, captured); Ethernet padding falls off. */
	if (tot > sw_buf_left(b))
		check_trunc(p, SW_ANOM_IPV4_TRUNC_PKT, st);
	(void)sw_buf_sub(b, tot < sw_buf_left(b) ? tot : sw_buf_left(b), &ip);

	p->ip_ver = 4;
	p->ttl = ttl;
	p->proto = proto;
	p->l3 = sw_buf_cur(&ip);
	p->l3_len = (uint32_t)sw_buf_left(&ip);
	p->ip_hlen = hlen;
	st->ipv4++;

	(void)sw_buf_skip(&ip, IPV4_HLEN_MIN);
	(void)sw_buf_sub(&ip, hlen - IPV4_HLEN_MIN, &opts);
	/* A bad option is counted; the header length still locates L4. */
	(void)check_ipv4_opts(opts, st);
	if (verify_csum && !csum_ok(csum_sum(p->l3, hlen))) {
		p->csum_bad |= SW_PKT_CSUM_BAD_IP;
		st->anom[SW_ANOM_IPV4_CSUM_BAD]++;
	}

	/* RFC 791: MF flag 0x2000, offset in 8-byte units in the low 13 bits. */
	if (frag & 0x3fff) {
		p->frag = true;
		st->frags++;
		if (frag & 0x1fff)
			return 0; /* later fragment: no L4 header here */
	}
	c.b = ip;
	c.declared = tot - hlen;
	decode_l4(p, &c, verify_csum, st);
	return 0;
}

static int decode_ipv6(struct sw_packet *p, struct sw_buf *b, bool verify_csum, struct sw_decode_stats *st)
{
	struct sw_buf h = *b, ip = { 0 };
	uint8_t vtc = 0, nh = 0, hop = 0;
	uint16_t plen = 0;
	uint32_t tot;
	int n_ext = 0;
	struct l4ctx c;

	if (sw_buf_left(b) < IPV6_HLEN)
		return anom(st, SW_ANOM_IPV6_TRUNCATED, -EBADMSG);
	(void)sw_buf_get_u8(&h, &vtc);
	if (vtc >> 4 != 6)
		return anom(st, SW_ANOM_IPV6_WRONG_VERSION, -EBADMSG);
	(void)sw_buf_skip(&h, 3); /* traffic class, flow label */
	(void)sw_buf_get_be16(&h, &plen);
	(void)sw_buf_get_u8(&h, &nh);
	(void)sw_buf_get_u8(&h, &hop);
	p->src.family = p->dst.family = AF_INET6;
	(void)sw_buf_get_bytes(&h, p->src.a, 16);
	(void)sw_buf_get_bytes(&h, p->dst.a, 16);

	/* Jumbograms (RFC 2675, payload length 0) are not decoded past 40 bytes. */
	tot = IPV6_HLEN + (uint32_t)plen;
	if (tot > sw_buf_left(b))
		check_trunc(p, SW_ANOM_IPV6_TRUNC_PKT, st);
	(void)sw_buf_sub(b, tot < sw_buf_left(b) ? tot : sw_buf_left(b), &ip);

	p->ip_ver = 6;
	p->ttl = hop;
	p->l3 = sw_buf_cur(&ip);
	p->l3_len = (uint32_t)sw_buf_left(&ip);
	(void)sw_buf_skip(&ip, IPV6_HLEN);

	/* RFC 8200 4: walk the extension header chain up to the upper layer. */
	for (;;) {
		uint8_t next, len;
		uint32_t elen;
		struct sw_buf e = ip;

		if (nh != IPPROTO_HOPOPTS_ && nh != IPPROTO_ROUTING_ && nh != IPPROTO_FRAGMENT_ &&
		    nh != IPPROTO_DSTOPTS_ && nh != IPPROTO_AH_ && nh != IPPROTO_MH_)
			break; /* upper layer, ESP (50) or no next header (59) */
		if (++n_ext > IPV6_EXTHDR_MAX)
			return anom(st, SW_ANOM_IPV6_EXTHDR_TOO_MANY, -EBADMSG);
		if (sw_buf_get_u8(&e, &next) < 0 || sw_buf_get_u8(&e, &len) < 0)
			return anom(st, SW_ANOM_IPV6_EXTHDR_TRUNCATED, -EBADMSG);
		if (nh == IPPROTO_FRAGMENT_) {
			uint16_t offm;
			uint32_t id;

			if (sw_buf_get_be16(&e, &offm) < 0 || sw_buf_get_be32(&e, &id) < 0)
				return anom(st, SW_ANOM_IPV6_EXTHDR_TRUNCATED, -EBADMSG);
			elen = 8;
			p->ip_id = (uint16_t)id;
			/*
			 * RFC 6946: an atomic fragment (offset 0, no M) is
			 * processed in isolation, it is not a fragment.
			 */
			if (offm & 0xfff9) {
				p->frag = true;
				st->frags++;
			}
			if (offm & 0xfff8) {
				/* Later fragment: the rest is not an L4 header. */
				(void)sw_buf_skip(&ip, elen);
				nh = next;
				goto no_l4;
			}
		} else {
			/* RFC 4302 2.2: AH counts 4-byte words minus 2; others 8-byte words minus 1. */
			elen = nh == IPPROTO_AH_ ? ((uint32_t)len + 2) * 4 : ((uint32_t)len + 1) * 8;
		}
		if (sw_buf_skip(&ip, elen) < 0)
			return anom(st, SW_ANOM_IPV6_EXTHDR_TRUNCATED, -EBADMSG);
		nh = next;
	}
	p->proto = nh;
	p->ip_hlen = (uint32_t)ip.off;
	st->ipv6++;
	c.b = ip;
	c.declared = tot - (uint32_t)ip.off;
	if (nh == IPPROTO_NONE_ || nh == IPPROTO_ESP_)
		return 0; /* nothing decodable follows */
	decode_l4(p, &c, verify_csum, st);
	return 0;

no_l4:
	p->proto = nh;
	p->ip_hlen = (uint32_t)ip.off;
	st->ipv6++;
	return 0;
}

/* Dispatch on an ethertype; 802.1Q/802.1ad tags may precede it. */
static int decode_ethertype(struct sw_packet *p, struct sw_buf *b, uint16_t et, bool verify_csum,
			    struct sw_decode_stats *st)
{
	while (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ || et == ETHERTYPE_QINQ_OLD) {
		uint16_t tci;

		if (p->vlan_count == VLAN_MAX)
			return anom(st, SW_ANOM_VLAN_TOO_MANY, -EBADMSG);
		if (sw_buf_get_be16(b, &tci) < 0 || sw_buf_get_be16(b, &et) < 0)
			return anom(st, SW_ANOM_VLAN_TRUNCATED, -EBADMSG);
		if (p->vlan_count == 0)
			st->vlan++;
		p->vlan[p->vlan_count++] = tci & 0x0fff;
	}
	switch (et) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(p, b, verify_csum, st);
	case ETHERTYPE_IPV6:
		return decode_ipv6(p, b, verify_csum, st);
	case ETHERTYPE_ARP:
	case ETHERTYPE_RARP:
	case ETHERTYPE_SLOW:
	case ETHERTYPE_EAPOL:
	case ETHERTYPE_LLDP:
	case ETHERTYPE_PTP:
		st->other++; /* ordinary non-IP traffic, not an anomaly */
		return -EPROTONOSUPPORT;
	default:
		/* IEEE 802.3 length field (LLC: STP, CDP...): non-IP, normal. */
		if (et < 0x0600) {
			st->other++;
			return -EPROTONOSUPPORT;
		}
		return anom(st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

/* Raw IP: the version nibble picks IPv4 or IPv6. */
static int decode_raw(struct sw_packet *p, struct sw_buf *b, bool verify_csum, struct sw_decode_stats *st)
{
	if (!sw_buf_left(b))
		return anom(st, SW_ANOM_RAW_TRUNCATED, -EBADMSG);
	switch (sw_buf_cur(b)[0] >> 4) {
	case 4:
		return decode_ipv4(p, b, verify_csum, st);
	case 6:
		return decode_ipv6(p, b, verify_csum, st);
	default:
		return anom(st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

/*
 * BSD loopback: a 4-byte address family in the byte order of the host that
 * wrote the capture.  AF values are below 256, so whichever end byte is
 * non-zero tells the order.  IPv6 is 10 (Linux), 24 (NetBSD/OpenBSD),
 * 28 (FreeBSD), 30 (macOS).
 */
static int decode_null(struct sw_packet *p, struct sw_buf *b, bool verify_csum, struct sw_decode_stats *st)
{
	uint8_t af[4];
	uint8_t v;

	if (sw_buf_get_bytes(b, af, 4) < 0)
		return anom(st, SW_ANOM_NULL_TRUNCATED, -EBADMSG);
	v = af[0] ? af[0] : af[3];
	if ((af[0] && (af[1] | af[2] | af[3])) || (!af[0] && (af[1] | af[2])))
		v = 0; /* neither order gives a small value */
	switch (v) {
	case 2:
		return decode_ipv4(p, b, verify_csum, st);
	case 10:
	case 24:
	case 28:
	case 30:
		return decode_ipv6(p, b, verify_csum, st);
	default:
		return anom(st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

int sw_decode(struct sw_packet *p, bool verify_csum, struct sw_decode_stats *st)
{
	struct sw_buf b = sw_buf_make(p->data, p->data ? p->caplen : 0);
	uint16_t et;

	/* Reset every output field (and the flow stage's) in one store. */
	memset((uint8_t *)p + offsetof(struct sw_packet, ip_ver), 0, sizeof(*p) - offsetof(struct sw_packet, ip_ver));
	st->pkts++;
	st->bytes += p->wirelen;

	switch (p->linktype) {
	case SW_LINK_ETHERNET:
		if (sw_buf_skip(&b, ETH_HLEN - 2) < 0 || sw_buf_get_be16(&b, &et) < 0)
			return anom(st, SW_ANOM_ETH_TRUNCATED, -EBADMSG);
		return decode_ethertype(p, &b, et, verify_csum, st);
	case SW_LINK_SLL:
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		if (sw_buf_skip(&b, SLL_HLEN - 2) < 0 || sw_buf_get_be16(&b, &et) < 0)
			return anom(st, SW_ANOM_SLL_TRUNCATED, -EBADMSG);
		return decode_ethertype(p, &b, et, verify_csum, st);
	case SW_LINK_SLL2:
		/* protocol first, then reserved, ifindex, ARPHRD, type, addr len, addr */
		if (sw_buf_get_be16(&b, &et) < 0 || sw_buf_skip(&b, SLL2_HLEN - 2) < 0)
			return anom(st, SW_ANOM_SLL_TRUNCATED, -EBADMSG);
		return decode_ethertype(p, &b, et, verify_csum, st);
	case SW_LINK_RAW:
	case SW_LINK_RAW_OBSD:
	case SW_LINK_RAW_BSD:
		return decode_raw(p, &b, verify_csum, st);
	case SW_LINK_IPV4:
		return decode_ipv4(p, &b, verify_csum, st);
	case SW_LINK_IPV6:
		return decode_ipv6(p, &b, verify_csum, st);
	case SW_LINK_NULL:
		return decode_null(p, &b, verify_csum, st);
	default:
		return anom(st, SW_ANOM_LINK_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}
