/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet decoder: link layer -> (encapsulations) -> IP -> L4 (engine/decode.h).
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
 *
 * Encapsulations follow Suricata's decoders (src/decode-gre.c, -erspan.c,
 * -mpls.c, -ppp.c, -pppoe.c, -vxlan.c, -geneve.c, -teredo.c, -nsh.c, -ipv4.c,
 * -ipv6.c) in what they accept, what they guess and the event names they
 * count, so a capture gives the same packets and counters in both:
 *  - MPLS, PPPoE, PPP (as a link type) and NSH are layers of the same packet;
 *    a malformed one leaves no IP header: anomaly, -EBADMSG.
 *  - A tunnel's payload (GRE, ERSPAN, VXLAN, Geneve, Teredo, IP in IP) is a
 *    packet of its own, Suricata's "tunnel packet": it replaces the outer
 *    one in @p (tunnel_depth + 1, its own VLAN ids, its own length in
 *    tunnel_len), because the inner packet is what the hosts exchange and
 *    what rules and flows are about.  If it does not decode to IP, @p is put
 *    back as the outer packet (its anomaly counted), which still decodes:
 *    return 0.  A malformed tunnel header is counted and leaves the outer
 *    packet as it is, like a malformed L4 header.
 *  - Only an unfragmented carrier is entered: a fragment's payload is
 *    partial.  The reassembled datagram is decoded with sw_decode_datagram().
 *  - Encapsulation layers are counted per packet; past cfg->max_layers the
 *    packet stays at the last layer decoded ("decoder.too_many_layers"),
 *    which also bounds the recursion.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
#define GRE_HLEN 4
#define ERSPAN2_HLEN 8
#define ERSPAN3_HLEN 12
#define ERSPAN3_SUBHDR_LEN 8 /* platform specific subheader, present when O is set */
#define MPLS_PW_CW_LEN 4     /* pseudowire control word before an Ethernet payload */
#define PPPOE_HLEN 6
#define VXLAN_HLEN 8
#define GENEVE_HLEN 8
#define NSH_HLEN 8
#define TEREDO_ORIGIN_LEN 8  /* RFC 4380 5.1.1 origin indication */

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
#define ETHERTYPE_TEB 0x6558      /* transparent Ethernet bridging (GRE, Geneve) */
#define ETHERTYPE_ERSPAN3 0x22eb
#define ETHERTYPE_ERSPAN 0x88be   /* type I (no GRE sequence number) or II */
#define ETHERTYPE_PPP 0x880b      /* PPP in GRE (PPTP, RFC 2637) */
#define ETHERTYPE_MPLS_UC 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE_DISC 0x8863
#define ETHERTYPE_PPPOE_SESS 0x8864
#define ETHERTYPE_NSH 0x894f

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_IPIP_ 4
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47
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

/* What one decode carries through the layers. */
struct dctx {
	const struct sw_decode_config *cfg;
	struct sw_decode_stats *st;
	bool verify;       /* verify checksums */
	bool vj;           /* the next IPv4 header is PPP VJ-uncompressed (RFC 1144 3.2) */
	uint8_t layers;    /* encapsulation layers so far (Suricata's nb_decoded_layers) */
	uint8_t max_layers;
};

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
#if defined(__SSE2__)
	/*
	 * SSE2 (every x86-64): the 16-bit words of 32 bytes widened into eight
	 * 32-bit lanes, no carry chain between steps (the scalar loop's
	 * add-with-carry is one serial dependency; checksums were 2.5% of
	 * public-mix's time).  A lane of a or b gains at most 2 * 65535 per
	 * 32 bytes: after 16,384 steps (512 KiB) a + b still fits 32 bits, and
	 * their four lanes fit @s's 64.  Below 128 bytes the scalar loop is
	 * quicker (the fold costs more than it saves; 2x faster at 1,480).
	 */
	while (len >= 128) {
		__m128i z = _mm_setzero_si128(), a = z, b = z;
		size_t steps = len / 32 < 16384 ? len / 32 : 16384;
		uint32_t lane[4];

		for (size_t i = 0; i < steps; i++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)d);
			__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(d + 16));

			a = _mm_add_epi32(a, _mm_unpacklo_epi16(x, z));
			b = _mm_add_epi32(b, _mm_unpackhi_epi16(x, z));
			a = _mm_add_epi32(a, _mm_unpacklo_epi16(y, z));
			b = _mm_add_epi32(b, _mm_unpackhi_epi16(y, z));
			d += 32;
		}
		len -= steps * 32;
		_mm_storeu_si128((__m128i *)(void *)lane, _mm_add_epi32(a, b));
		s = csum_add(s, (uint64_t)lane[0] + lane[1] + lane[2] + lane[3]);
	}
#endif
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

static int decode_ipv4(struct sw_packet *p, struct sw_buf *b, struct dctx *d);
static int decode_ipv6(struct sw_packet *p, struct sw_buf *b, struct dctx *d);
static int decode_raw(struct sw_packet *p, struct sw_buf *b, struct dctx *d);
static int decode_ether(struct sw_packet *p, struct sw_buf *b, struct dctx *d);
static int decode_ethertype(struct sw_packet *p, struct sw_buf *b, uint16_t et, struct dctx *d);
static int decode_ppp(struct sw_packet *p, struct sw_buf *b, struct dctx *d);

/* Every decoded field (and the flow stage's) back to zero; the input fields stay. */
static void reset_decoded(struct sw_packet *p)
{
	memset((uint8_t *)p + offsetof(struct sw_packet, ip_ver), 0, sizeof(*p) - offsetof(struct sw_packet, ip_ver));
}

/*
 * One more encapsulation layer.  As Suricata's PacketIncreaseCheckLayers():
 * reaching the limit is counted and the layer is not decoded, so nesting
 * (and this decoder's recursion) is bounded by cfg->max_layers.
 */
static bool layer_ok(struct dctx *d)
{
	if (++d->layers >= d->max_layers) {
		d->st->anom[SW_ANOM_TOO_MANY_LAYERS]++;
		d->layers = d->max_layers; /* no wrap however often it is asked again */
		return false;
	}
	return true;
}

/* How a tunnel's payload starts. */
enum inner {
	IN_ETHER,     /* an Ethernet frame (VXLAN, Geneve and GRE bridging, ERSPAN I) */
	IN_ETHERTYPE, /* the payload of ethertype @et (GRE's protocol type) */
	IN_IPV4,
	IN_IPV6,
	IN_PPP,       /* PPTP's PPP in GRE */
	IN_ERSPAN2,   /* ERSPAN type II header, then Ethernet */
	IN_ERSPAN3,   /* ERSPAN type III header, then Ethernet or IP */
};

static int decode_erspan2(struct sw_packet *p, struct sw_buf *b, struct dctx *d);
static int decode_erspan3(struct sw_packet *p, struct sw_buf *b, struct dctx *d);

/*
 * @in, the payload of a tunnel header, is a packet of its own (Suricata's
 * tunnel packet, PacketTunnelPktSetup()): decode it into @p, one tunnel
 * deeper, with no VLAN ids but its own.  Returns true when it decoded (it
 * is now @p); false when it did not, and @p is the outer packet again, as
 * it was (what the inner decoders counted stays counted).
 *
 * Copying the outer packet costs one struct copy per tunnelled packet;
 * undoing a half-decoded inner packet field by field would cost a bug per
 * new field.
 */
static bool tunnel(struct sw_packet *p, struct sw_buf in, enum inner kind, uint16_t et, uint8_t src,
		   struct dctx *d)
{
	struct sw_packet outer;
	int rc;

	if (!layer_ok(d))
		return false;
	outer = *p;
	reset_decoded(p);
	p->tunnel_depth = (uint8_t)(outer.tunnel_depth + 1); /* <= layers <= 255 */
	p->tunnel_len = (uint32_t)sw_buf_left(&in);
	p->pkt_src = src;
	/* the carrier Suricata's "tunnel" object names is the outermost packet (its p->root) */
	if (outer.tunnel_depth) {
		p->root_src = outer.root_src, p->root_dst = outer.root_dst;
		p->root_sport = outer.root_sport, p->root_dport = outer.root_dport;
		p->root_proto = outer.root_proto;
	} else {
		p->root_src = outer.src, p->root_dst = outer.dst;
		p->root_sport = outer.sport, p->root_dport = outer.dport;
		p->root_proto = outer.proto;
	}
	/* A receiver drops a carrier with a bad checksum, and what it carries with it. */
	p->csum_bad = outer.csum_bad;
	switch (kind) {
	case IN_ETHER:
		rc = decode_ether(p, &in, d);
		break;
	case IN_ETHERTYPE:
		rc = decode_ethertype(p, &in, et, d);
		break;
	case IN_IPV4:
		rc = decode_ipv4(p, &in, d);
		break;
	case IN_IPV6:
		rc = decode_ipv6(p, &in, d);
		break;
	case IN_PPP:
		rc = decode_ppp(p, &in, d);
		break;
	case IN_ERSPAN2:
		rc = decode_erspan2(p, &in, d);
		break;
	default:
		rc = decode_erspan3(p, &in, d);
		break;
	}
	if (rc < 0) {
		*p = outer;
		return false;
	}
	return true;
}

/* ---- GRE (RFC 2784, RFC 2890 key and sequence, RFC 2637 PPTP) ---- */

#define GRE_F_CSUM 0x80
#define GRE_F_ROUTE 0x40
#define GRE_F_KEY 0x20
#define GRE_F_SEQ 0x10
#define GRE_F_SSR 0x08
#define GRE_F_RECUR 0x07
#define GRE_V_ACK 0x80   /* PPTP: acknowledgment number present */
#define GRE_V_FLAGS 0x78 /* reserved in every version */

/* RFC 1701 2.2 source route entries, ended by address family 0 and length 0. */
static int gre_sre(struct sw_buf *b, struct sw_decode_stats *st)
{
	for (;;) {
		uint16_t af;
		uint8_t off, len;

		if (sw_buf_get_be16(b, &af) < 0 || sw_buf_get_u8(b, &off) < 0 || sw_buf_get_u8(b, &len) < 0)
			return anom(st, SW_ANOM_GRE_V0_MALFORMED_SRE, -EBADMSG);
		if (af == 0 && len == 0)
			return 0;
		if (sw_buf_skip(b, len) < 0)
			return anom(st, SW_ANOM_GRE_V0_MALFORMED_SRE, -EBADMSG);
	}
}

/*
 * GRE header in @b (the IP payload).  A malformed header is counted and the
 * packet stays the GRE packet; Suricata refuses what RFC 2784 and 2637 call
 * reserved or obsolete (recursion, strict source routing...) rather than
 * guessing how a receiver would treat it, and so does this.
 */
static void decode_gre(struct sw_packet *p, struct sw_buf b, struct dctx *d)
{
	struct sw_decode_stats *st = d->st;
	uint8_t flags = 0, ver = 0;
	uint16_t proto = 0, plen = 0;
	size_t opt;

	st->gre++;
	if (sw_buf_left(&b) < GRE_HLEN) {
		st->anom[SW_ANOM_GRE_TRUNCATED]++;
		return;
	}
	if (!layer_ok(d))
		return;
	(void)sw_buf_get_u8(&b, &flags);
	(void)sw_buf_get_u8(&b, &ver);
	(void)sw_buf_get_be16(&b, &proto);
	switch (ver & 0x07) {
	case 0:
		if (flags & GRE_F_RECUR) {
			st->anom[SW_ANOM_GRE_V0_RECUR]++;
			return;
		}
		if (ver & GRE_V_FLAGS) {
			st->anom[SW_ANOM_GRE_V0_FLAGS]++;
			return;
		}
		/* checksum + offset (present with C or R), key, sequence number */
		opt = (flags & (GRE_F_CSUM | GRE_F_ROUTE) ? 4 : 0) + (flags & GRE_F_KEY ? 4 : 0) +
		      (flags & GRE_F_SEQ ? 4 : 0);
		if (sw_buf_skip(&b, opt) < 0) {
			st->anom[SW_ANOM_GRE_V0_HDR_TOO_BIG]++;
			return;
		}
		if ((flags & GRE_F_ROUTE) && gre_sre(&b, st) < 0)
			return;
		break;
	case 1:
		/* RFC 2637 4.1: enhanced GRE carries PPP, with a key, never C, R, s or recursion. */
		if (flags & GRE_F_CSUM) {
			st->anom[SW_ANOM_GRE_V1_CHKSUM]++;
			return;
		}
		if (flags & GRE_F_ROUTE) {
			st->anom[SW_ANOM_GRE_V1_ROUTE]++;
			return;
		}
		if (flags & GRE_F_SSR) {
			st->anom[SW_ANOM_GRE_V1_SSR]++;
			return;
		}
		if (flags & GRE_F_RECUR) {
			st->anom[SW_ANOM_GRE_V1_RECUR]++;
			return;
		}
		if (ver & GRE_V_FLAGS) {
			st->anom[SW_ANOM_GRE_V1_FLAGS]++;
			return;
		}
		if (proto != ETHERTYPE_PPP) {
			st->anom[SW_ANOM_GRE_V1_WRONG_PROTOCOL]++;
			return;
		}
		if (!(flags & GRE_F_KEY)) {
			st->anom[SW_ANOM_GRE_V1_NO_KEY]++;
			return;
		}
		/* key = payload length (16) + call id (16), then sequence and ack numbers */
		opt = 4 + (flags & GRE_F_SEQ ? 4 : 0) + (ver & GRE_V_ACK ? 4 : 0);
		if (sw_buf_left(&b) < opt) {
			st->anom[SW_ANOM_GRE_V1_HDR_TOO_BIG]++;
			return;
		}
		(void)sw_buf_get_be16(&b, &plen);
		(void)sw_buf_skip(&b, opt - 2);
		if (!plen)
			return; /* an acknowledgment alone: no PPP frame */
		break;
	default:
		st->anom[SW_ANOM_GRE_WRONG_VERSION]++;
		return;
	}
	switch (proto) {
	case ETHERTYPE_PPP:
		(void)tunnel(p, b, IN_PPP, 0, SW_PKT_SRC_GRE, d);
		break;
	case ETHERTYPE_ERSPAN:
		/* Type I has no header and no GRE sequence number; type II has both. */
		if (flags & GRE_F_SEQ) {
			(void)tunnel(p, b, IN_ERSPAN2, 0, SW_PKT_SRC_GRE, d);
		} else {
			st->erspan++;
			(void)tunnel(p, b, IN_ETHER, 0, SW_PKT_SRC_GRE, d);
		}
		break;
	case ETHERTYPE_ERSPAN3:
		(void)tunnel(p, b, IN_ERSPAN3, 0, SW_PKT_SRC_GRE, d);
		break;
	case ETHERTYPE_TEB:
		(void)tunnel(p, b, IN_ETHER, 0, SW_PKT_SRC_GRE, d);
		break;
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
	case ETHERTYPE_MPLS_UC:
	case ETHERTYPE_MPLS_MC:
	case ETHERTYPE_NSH:
	case ETHERTYPE_ARP:
		/* what that ethertype carries (ARP: counted as ordinary, the GRE packet stays) */
		(void)tunnel(p, b, IN_ETHERTYPE, proto, SW_PKT_SRC_GRE, d);
		break;
	default:
		/*
		 * WCCP, Aruba's 802.11 tunnels, keepalives...: not decoded and
		 * not malformed either (Suricata counts no event); the GRE
		 * packet stays.
		 */
		break;
	}
}

/* ---- ERSPAN (draft-foschiano-erspan-03) ---- */

/*
 * The session's VLAN id (0: none) is the packet's, as Suricata's.  The
 * ERSPAN header opens its tunnel packet, so it is the first id; Suricata's
 * erspan.too_many_vlan_layers cannot happen there nor here.
 */
static void erspan_vlan(struct sw_packet *p, uint16_t vlan)
{
	if (vlan)
		p->vlan[p->vlan_count++] = vlan;
}

/* Type II: Ver (1) | VLAN | COS En T | Session ID | Reserved | Index, then Ethernet. */
static int decode_erspan2(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint16_t vv = 0;

	d->st->erspan++;
	if (sw_buf_left(b) < ERSPAN2_HLEN)
		return anom(d->st, SW_ANOM_ERSPAN_TRUNCATED, -EBADMSG);
	if (!layer_ok(d))
		return -EBADMSG;
	(void)sw_buf_get_be16(b, &vv);
	(void)sw_buf_skip(b, ERSPAN2_HLEN - 2);
	if (vv >> 12 != 1)
		return anom(d->st, SW_ANOM_ERSPAN_UNSUPPORTED_VERSION, -EBADMSG);
	erspan_vlan(p, vv & 0x0fff);
	return decode_ether(p, b, d);
}

/*
 * Type III: Ver (2) | VLAN | COS BSO T | Session ID, Timestamp, SGT | P FT
 * HW-ID D Gra O, an 8-byte platform subheader when O is set, then the frame
 * type FT says: 0 Ethernet, 2 IP.  (Suricata has no type III decoder; the
 * event names are its type II ones.)
 */
static int decode_erspan3(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint16_t vv = 0;
	uint8_t ft = 0, o = 0;

	d->st->erspan++;
	if (sw_buf_left(b) < ERSPAN3_HLEN)
		return anom(d->st, SW_ANOM_ERSPAN_TRUNCATED, -EBADMSG);
	if (!layer_ok(d))
		return -EBADMSG;
	(void)sw_buf_get_be16(b, &vv);
	(void)sw_buf_skip(b, 8);
	(void)sw_buf_get_u8(b, &ft);
	(void)sw_buf_get_u8(b, &o);
	if (vv >> 12 != 2)
		return anom(d->st, SW_ANOM_ERSPAN_UNSUPPORTED_VERSION, -EBADMSG);
	if ((o & 0x01) && sw_buf_skip(b, ERSPAN3_SUBHDR_LEN) < 0)
		return anom(d->st, SW_ANOM_ERSPAN_TRUNCATED, -EBADMSG);
	erspan_vlan(p, vv & 0x0fff);
	switch ((ft >> 2) & 0x1f) {
	case 0:
		return decode_ether(p, b, d);
	case 2:
		return decode_raw(p, b, d);
	default:
		return anom(d->st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

/* ---- PPP (RFC 1661), PPPoE (RFC 2516) ---- */

#define PPP_IP 0x0021
#define PPP_IPV6 0x0057
#define PPP_VJ_UCOMP 0x002f

/* @proto (RFC 1661 2 protocol field) carried in @b, as Suricata sorts them. */
static int decode_ppp_proto(struct sw_packet *p, struct sw_buf *b, uint16_t proto, struct dctx *d)
{
	switch (proto) {
	case PPP_IP:
		if (sw_buf_left(b) < IPV4_HLEN_MIN)
			return anom(d->st, SW_ANOM_PPP_IPV4_TRUNCATED, -EBADMSG);
		return decode_ipv4(p, b, d);
	case PPP_IPV6:
		if (sw_buf_left(b) < IPV6_HLEN)
			return anom(d->st, SW_ANOM_PPP_IPV6_TRUNCATED, -EBADMSG);
		return decode_ipv6(p, b, d);
	case PPP_VJ_UCOMP:
		/* RFC 1144 3.2: a TCP/IP header whose protocol byte is the VJ connection slot. */
		if (sw_buf_left(b) < IPV4_HLEN_MIN)
			return anom(d->st, SW_ANOM_PPP_VJU_TRUNCATED, -EBADMSG);
		d->vj = true;
		return decode_ipv4(p, b, d);
	case 0x8021: /* IPCP */
	case 0x8057: /* IPV6CP */
	case 0xc021: /* LCP */
	case 0xc023: /* PAP */
	case 0xc223: /* CHAP */
	case 0x80fd: /* CCP */
	case 0xc025: /* LQM */
	case 0xc029: /* CBCP */
	case 0x00fd: /* compressed datagram */
	case 0x8207: /* CDPCP */
		d->st->other++; /* link control: ordinary, carries no IP */
		return -EPROTONOSUPPORT;
	case 0x002d: /* VJ compressed */
	case 0x002b: /* IPX */
	case 0x0023: /* OSI */
	case 0x0025: /* Xerox NS */
	case 0x0027: /* DECnet */
	case 0x0029: /* AppleTalk */
	case 0x0031: /* bridging PDU */
	case 0x0033: /* ST-II */
	case 0x0035: /* Vines */
	case 0x0201: /* 802.1d hello */
	case 0x0231: /* Luxcom */
	case 0x0233: /* Sigma */
	case 0x0281: /* MPLS unicast */
	case 0x0283: /* MPLS multicast */
	case 0x8023: case 0x8025: case 0x8027: case 0x8029: case 0x802b:
	case 0x8033: case 0x8035: case 0x8281: /* their control protocols */
		return anom(d->st, SW_ANOM_PPP_UNSUP_PROTO, -EPROTONOSUPPORT);
	default:
		return anom(d->st, SW_ANOM_PPP_WRONG_TYPE, -EBADMSG);
	}
}

/* RFC 1661 6.5: a protocol field whose first byte is odd was compressed to that byte. */
static int ppp_field(struct sw_packet *p, struct sw_buf *b, struct dctx *d, enum sw_decode_anom trunc)
{
	uint8_t hi = 0, lo = 0;

	if (sw_buf_get_u8(b, &hi) < 0)
		return anom(d->st, trunc, -EBADMSG);
	if (hi & 1)
		return decode_ppp_proto(p, b, hi, d);
	if (sw_buf_get_u8(b, &lo) < 0)
		return anom(d->st, trunc, -EBADMSG);
	return decode_ppp_proto(p, b, (uint16_t)(hi << 8 | lo), d);
}

/* A PPP frame, maybe behind RFC 1662's HDLC-like address 0xff and control bytes. */
static int decode_ppp(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	d->st->ppp++;
	if (!sw_buf_left(b))
		return anom(d->st, SW_ANOM_PPP_TRUNCATED, -EBADMSG);
	if (sw_buf_cur(b)[0] == 0xff && sw_buf_skip(b, 2) < 0)
		return anom(d->st, SW_ANOM_PPP_TRUNCATED, -EBADMSG);
	if (!layer_ok(d))
		return -EBADMSG;
	return ppp_field(p, b, d, SW_ANOM_PPP_TRUNCATED);
}

/* RFC 2516 4: VER/TYPE, CODE, SESSION_ID, LENGTH, then the tags (discovery). */
static int decode_pppoe_disc(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint8_t code = 0;
	uint16_t len = 0;

	(void)p;
	d->st->pppoe++;
	if (sw_buf_left(b) < PPPOE_HLEN)
		return anom(d->st, SW_ANOM_PPPOE_TRUNCATED, -EBADMSG);
	(void)sw_buf_skip(b, 1);
	(void)sw_buf_get_u8(b, &code);
	(void)sw_buf_skip(b, 2);
	(void)sw_buf_get_be16(b, &len);
	switch (code) {
	case 0x09: /* PADI */
	case 0x07: /* PADO */
	case 0x19: /* PADR */
	case 0x65: /* PADS */
	case 0xa7: /* PADT */
		break;
	default:
		return anom(d->st, SW_ANOM_PPPOE_WRONG_CODE, -EBADMSG);
	}
	if (len > sw_buf_left(b))
		return anom(d->st, SW_ANOM_PPPOE_MALFORMED_TAGS, -EBADMSG);
	d->st->other++; /* session set-up: ordinary, carries no IP */
	return -EPROTONOSUPPORT;
}

/* Session stage: the same header with CODE 0, LENGTH covering the PPP frame (no HDLC bytes). */
static int decode_pppoe_sess(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	struct sw_buf ppp;
	uint16_t len = 0;

	d->st->pppoe++;
	if (sw_buf_left(b) < PPPOE_HLEN + 2)
		return anom(d->st, SW_ANOM_PPPOE_TRUNCATED, -EBADMSG);
	if (!layer_ok(d))
		return -EBADMSG;
	(void)sw_buf_skip(b, 4);
	(void)sw_buf_get_be16(b, &len);
	if (!len) {
		d->st->other++; /* nothing carried */
		return -EPROTONOSUPPORT;
	}
	/* The length bounds the frame (Ethernet padding falls off); a short capture is what it is. */
	(void)sw_buf_sub(b, len < sw_buf_left(b) ? len : sw_buf_left(b), &ppp);
	return ppp_field(p, &ppp, d, SW_ANOM_PPPOE_TRUNCATED);
}

/* ---- MPLS (RFC 3032) ---- */

/*
 * A label stack, then a payload no header names: the explicit null labels
 * say IPv4 (0) or IPv6 (2), otherwise the first nibble is guessed as
 * Suricata does: 4 IPv4, 6 IPv6, 0 a pseudowire control word (RFC 4385)
 * before an Ethernet frame.
 */
static int decode_mpls(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint32_t shim = 0, label;

	d->st->mpls++;
	if (!layer_ok(d))
		return -EBADMSG;
	/* Label (20) | TC (3) | S (bottom of stack) | TTL (8); bounded by the bytes there. */
	do {
		if (sw_buf_get_be32(b, &shim) < 0)
			return anom(d->st, SW_ANOM_MPLS_HEADER_TRUNCATED, -EBADMSG);
	} while (!(shim & 0x100));
	label = shim >> 12;
	switch (label) {
	case 0:
		return decode_ipv4(p, b, d);
	case 2:
		return decode_ipv6(p, b, d);
	case 1: /* router alert: RFC 3032 2.1, never at the bottom of the stack */
		return anom(d->st, SW_ANOM_MPLS_BAD_LABEL_ROUTER_ALERT, -EBADMSG);
	case 3: /* implicit null: RFC 3032 2.1, never on the wire */
		return anom(d->st, SW_ANOM_MPLS_BAD_LABEL_IMPLICIT_NULL, -EBADMSG);
	default:
		if (label < 15) /* the other reserved labels (Suricata's bound) */
			return anom(d->st, SW_ANOM_MPLS_BAD_LABEL_RESERVED, -EBADMSG);
		break;
	}
	/* Enough for the control word the Ethernet guess needs. */
	if (sw_buf_left(b) < MPLS_PW_CW_LEN)
		return anom(d->st, SW_ANOM_MPLS_TRUNCATED, -EBADMSG);
	switch (sw_buf_cur(b)[0] >> 4) {
	case 4:
		return decode_ipv4(p, b, d);
	case 6:
		return decode_ipv6(p, b, d);
	case 0:
		(void)sw_buf_skip(b, MPLS_PW_CW_LEN);
		return decode_ether(p, b, d);
	default:
		return anom(d->st, SW_ANOM_MPLS_UNKNOWN_PAYLOAD, -EBADMSG);
	}
}

/* ---- NSH (RFC 8300) ---- */

/*
 * Ver (2) O U TTL (6) Length (6, in 4-byte words) | MD Type | Next Protocol |
 * SPI (24) SI (8), metadata up to Length, then Next Protocol's packet.
 */
static int decode_nsh(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	struct sw_buf h = *b;
	uint16_t vfl = 0;
	uint8_t md = 0, next = 0;
	size_t hlen;

	d->st->nsh++;
	if (sw_buf_left(b) < NSH_HLEN)
		return anom(d->st, SW_ANOM_NSH_TRUNCATED, -EBADMSG);
	if (!layer_ok(d))
		return -EBADMSG;
	(void)sw_buf_get_be16(&h, &vfl);
	(void)sw_buf_get_u8(&h, &md);
	(void)sw_buf_get_u8(&h, &next);
	if (vfl >> 14)
		return anom(d->st, SW_ANOM_NSH_UNSUPPORTED_VERSION, -EBADMSG);
	hlen = (size_t)(vfl & 0x3f) * 4;
	/* Something must follow the header (Suricata's rule), and the header is at least the base. */
	if (hlen < NSH_HLEN || hlen >= sw_buf_left(b))
		return anom(d->st, SW_ANOM_NSH_BAD_HEADER_LENGTH, -EBADMSG);
	md &= 0x0f;
	if (md == 0 || md == 0x0f)
		return anom(d->st, SW_ANOM_NSH_RESERVED_TYPE, -EBADMSG);
	if (md == 1 && hlen != 24) /* RFC 8300 2.4: fixed 16 bytes of context */
		return anom(d->st, SW_ANOM_NSH_BAD_HEADER_LENGTH, -EBADMSG);
	if (md != 1 && md != 2)
		return anom(d->st, SW_ANOM_NSH_UNSUPPORTED_TYPE, -EBADMSG);
	(void)sw_buf_skip(b, hlen);
	switch (next) {
	case 1:
		return decode_ipv4(p, b, d);
	case 2:
		return decode_ipv6(p, b, d);
	case 3:
		return decode_ether(p, b, d);
	case 5:
		return decode_mpls(p, b, d);
	default: /* 4 (NSH in NSH) included, as Suricata */
		return anom(d->st, SW_ANOM_NSH_UNKNOWN_PAYLOAD, -EBADMSG);
	}
}

/* ---- UDP tunnels: VXLAN (RFC 7348), Geneve (RFC 8926), Teredo (RFC 4380) ---- */

static bool port_in(const uint16_t *ports, uint8_t n, uint16_t port)
{
	for (uint8_t i = 0; i < n && i < SW_DECODE_MAX_PORTS; i++)
		if (ports[i] == port)
			return true;
	return false;
}

/*
 * Flags (I = 0x08) | 24 reserved bits | VNI (24) | 8 reserved bits, then an
 * Ethernet frame.  Nothing but the port says VXLAN, so a header that breaks
 * the rules (Suricata's strict mode: every reserved bit zero) is ordinary
 * UDP, not an anomaly.  Returns true when it was VXLAN.
 */
static bool decode_vxlan(struct sw_packet *p, struct sw_buf b, struct dctx *d)
{
	uint8_t h[VXLAN_HLEN];
	const uint8_t *eth;

	if (sw_buf_left(&b) < VXLAN_HLEN + ETH_HLEN)
		return false;
	if (!layer_ok(d))
		return false;
	(void)sw_buf_get_bytes(&b, h, VXLAN_HLEN);
	if (!(h[0] & 0x08))
		return false;
	if (!d->cfg->vxlan_permissive && ((h[0] & 0xf7) || h[1] || h[2] || h[3] || h[7]))
		return false;
	d->st->vxlan++;
	eth = sw_buf_cur(&b);
	switch ((uint16_t)(eth[12] << 8 | eth[13])) {
	case ETHERTYPE_ARP:
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
		(void)tunnel(p, b, IN_ETHER, 0, SW_PKT_SRC_VXLAN, d);
		break;
	default:
		d->st->anom[SW_ANOM_VXLAN_UNKNOWN_PAYLOAD]++;
		break;
	}
	return true;
}

/*
 * Ver (2) Opt Len (6) | O C Rsvd (6) | Protocol Type | VNI (24) Reserved (8),
 * options (class 16, type 8, R (3) length (5) in words) filling Opt Len
 * exactly.  As for VXLAN, a header that breaks this is not Geneve.
 */
static bool decode_geneve(struct sw_packet *p, struct sw_buf b, struct dctx *d)
{
	struct sw_buf opts;
	uint8_t vl = 0, fl = 0, res = 0;
	uint16_t proto = 0;

	if (sw_buf_left(&b) < GENEVE_HLEN)
		return false;
	if (!layer_ok(d))
		return false;
	(void)sw_buf_get_u8(&b, &vl);
	(void)sw_buf_get_u8(&b, &fl);
	(void)sw_buf_get_be16(&b, &proto);
	(void)sw_buf_skip(&b, 3);
	(void)sw_buf_get_u8(&b, &res);
	if (sw_buf_sub(&b, (size_t)(vl & 0x3f) * 4, &opts) < 0)
		return false;
	if (vl >> 6 || (fl & 0x3f) || res)
		return false;
	while (sw_buf_left(&opts)) {
		uint8_t olen = 0;

		/* The option space is whole words, so the 4-byte option header fits. */
		(void)sw_buf_skip(&opts, 3);
		(void)sw_buf_get_u8(&opts, &olen);
		if (sw_buf_skip(&opts, (size_t)(olen & 0x1f) * 4) < 0)
			return false;
	}
	d->st->geneve++;
	switch (proto) {
	case ETHERTYPE_IPV4:
		(void)tunnel(p, b, IN_IPV4, 0, SW_PKT_SRC_GENEVE, d);
		break;
	case ETHERTYPE_IPV6:
		(void)tunnel(p, b, IN_IPV6, 0, SW_PKT_SRC_GENEVE, d);
		break;
	case ETHERTYPE_TEB:
		(void)tunnel(p, b, IN_ETHER, 0, SW_PKT_SRC_GENEVE, d);
		break;
	case ETHERTYPE_ARP:
		break; /* valid, nothing to inspect */
	default:
		d->st->anom[SW_ANOM_GENEVE_UNKNOWN_PAYLOAD]++;
		break;
	}
	return true;
}

/*
 * Teredo has no header of its own: an IPv6 packet that fills the UDP
 * payload exactly, maybe behind an origin indication (RFC 4380 5.1.1).
 * Suricata's heuristic, exactly: a hop limit of 0, or a hop-by-hop header
 * with too little data, is not Teredo; neither is an inner packet that does
 * not decode.  Returns true when the inner packet was taken.
 */
static bool decode_teredo(struct sw_packet *p, struct sw_buf b, struct dctx *d)
{
	const uint8_t *s;
	uint16_t plen;

	if (sw_buf_left(&b) < IPV6_HLEN)
		return false;
	s = sw_buf_cur(&b);
	if (s[0] == 0) {
		/* 0x0000 origin indication; 0x0001 authentication is not a tunnelled packet */
		if (s[1] != 0 || sw_buf_left(&b) < TEREDO_ORIGIN_LEN + IPV6_HLEN)
			return false;
		(void)sw_buf_skip(&b, TEREDO_ORIGIN_LEN);
		s = sw_buf_cur(&b);
	}
	plen = (uint16_t)(s[4] << 8 | s[5]);
	if (s[0] >> 4 != 6 || s[7] == 0 || (s[6] == IPPROTO_HOPOPTS_ && plen < 8) ||
	    sw_buf_left(&b) != IPV6_HLEN + (size_t)plen)
		return false;
	if (!tunnel(p, b, IN_IPV6, 0, SW_PKT_SRC_TEREDO, d))
		return false;
	d->st->teredo++;
	return true;
}

/* A decoded UDP packet on a tunnel port: Teredo, then Geneve, then VXLAN (Suricata's order). */
static void udp_tunnels(struct sw_packet *p, struct dctx *d)
{
	const struct sw_decode_config *c = d->cfg;
	struct sw_buf pl = sw_buf_make(p->payload, p->payload_len);
	uint16_t sp = p->sport, dp = p->dport;
	uint8_t depth = p->tunnel_depth, bad = p->csum_bad;

	/* RFC 6935/6936: tunnels over IPv6 may send a zero UDP checksum; not the inner packet's fault. */
	if (p->ip_ver == 6 && p->l4[6] == 0 && p->l4[7] == 0)
		p->csum_bad &= (uint8_t)~SW_PKT_CSUM_BAD_L4;
	if (c->teredo && (!c->n_teredo_ports || port_in(c->teredo_ports, c->n_teredo_ports, sp) ||
			  port_in(c->teredo_ports, c->n_teredo_ports, dp)) &&
	    decode_teredo(p, pl, d))
		return;
	if (c->geneve && (port_in(c->geneve_ports, c->n_geneve_ports, sp) ||
			  port_in(c->geneve_ports, c->n_geneve_ports, dp)) &&
	    decode_geneve(p, pl, d))
		goto out;
	/* RFC 7348 5: the destination port identifies VXLAN. */
	if (c->vxlan && port_in(c->vxlan_ports, c->n_vxlan_ports, dp))
		(void)decode_vxlan(p, pl, d);
out:
	if (p->tunnel_depth == depth)
		p->csum_bad = bad; /* still the UDP packet */
}

/* ---- IP in IP: RFC 2003 (4in4), RFC 4213 (6in4), RFC 2473 (4in6, 6in6) ---- */

static void ip_in_ip(struct sw_packet *p, struct sw_buf in, struct dctx *d)
{
	struct sw_decode_stats *st = d->st;
	bool v4 = p->proto == IPPROTO_IPIP_;
	uint8_t outer = p->ip_ver;

	if (outer == 6) {
		/* Suricata's IPv6 carrier checks (decode-ipv6.c), before the inner decoder's own. */
		if (sw_buf_left(&in) < (v4 ? IPV4_HLEN_MIN : IPV6_HLEN)) {
			st->anom[v4 ? SW_ANOM_IPV4_IN_IPV6_TOO_SMALL : SW_ANOM_IPV6_IN_IPV6_TOO_SMALL]++;
			return;
		}
		if (sw_buf_cur(&in)[0] >> 4 != (v4 ? 4 : 6)) {
			st->anom[v4 ? SW_ANOM_IPV4_IN_IPV6_WRONG_VERSION : SW_ANOM_IPV6_IN_IPV6_WRONG_VERSION]++;
			return;
		}
	}
	if (!tunnel(p, in, v4 ? IN_IPV4 : IN_IPV6, 0, outer == 4 ? SW_PKT_SRC_IPV4 : SW_PKT_SRC_IPV6, d))
		return;
	if (outer == 4)
		(*(v4 ? &st->ipv4_in_ipv4 : &st->ipv6_in_ipv4))++;
	else
		(*(v4 ? &st->ipv4_in_ipv6 : &st->ipv6_in_ipv6))++;
}

/*
 * @c->b holds the L4 bytes; p->proto, addresses and p->frag are set.  A
 * fragment's payload is partial: no tunnel is entered from it (the
 * reassembled datagram's is).
 */
static void decode_l4(struct sw_packet *p, struct l4ctx *c, struct dctx *d)
{
	/* only a first fragment gets here (decode_ipv4(), decode_ipv6()) */
	bool tunnels = !p->frag || d->cfg->frag_tunnels;

	p->l4 = sw_buf_cur(&c->b);
	p->l4_len = (uint32_t)sw_buf_left(&c->b);
	c->verify = d->verify && !p->frag && p->l4_len == c->declared;
	switch (p->proto) {
	case IPPROTO_TCP_:
		decode_tcp(p, c, d->st);
		break;
	case IPPROTO_UDP_:
		decode_udp(p, c, d->st);
		if (p->l4_ok && tunnels)
			udp_tunnels(p, d);
		break;
	case IPPROTO_ICMP_:
		if (p->ip_ver == 4)
			decode_icmp(p, c, false, d->st);
		break;
	case IPPROTO_ICMPV6_:
		if (p->ip_ver == 6)
			decode_icmp(p, c, true, d->st);
		break;
	case IPPROTO_GRE_:
		if (tunnels)
			decode_gre(p, c->b, d);
		break;
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
		if (tunnels)
			ip_in_ip(p, c->b, d);
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

static int decode_ipv4(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	struct sw_decode_stats *st = d->st;
	bool vj = d->vj;
	struct sw_buf h = *b, ip = { 0 }, opts = { 0 };
	uint8_t vhl = 0, ttl = 0, proto = 0;
	uint16_t tot = 0, frag = 0;
	uint32_t hlen;
	struct l4ctx c;

	d->vj = false;
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
	if (vj)
		proto = IPPROTO_TCP_; /* RFC 1144 3.2: only TCP is VJ-compressed; the byte was the slot */
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
	/* A VJ header's checksum covers the protocol byte it no longer holds. */
	if (d->verify && !vj && !csum_ok(csum_sum(p->l3, hlen))) {
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
	decode_l4(p, &c, d);
	return 0;
}

static int decode_ipv6(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	struct sw_decode_stats *st = d->st;
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
	decode_l4(p, &c, d);
	return 0;

no_l4:
	p->proto = nh;
	p->ip_hlen = (uint32_t)ip.off;
	st->ipv6++;
	return 0;
}

/* Dispatch on an ethertype; 802.1Q/802.1ad tags may precede it. */
static int decode_ethertype(struct sw_packet *p, struct sw_buf *b, uint16_t et, struct dctx *d)
{
	struct sw_decode_stats *st = d->st;

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
		return decode_ipv4(p, b, d);
	case ETHERTYPE_IPV6:
		return decode_ipv6(p, b, d);
	case ETHERTYPE_MPLS_UC:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(p, b, d);
	case ETHERTYPE_PPPOE_DISC:
		return decode_pppoe_disc(p, b, d);
	case ETHERTYPE_PPPOE_SESS:
		return decode_pppoe_sess(p, b, d);
	case ETHERTYPE_NSH:
		return decode_nsh(p, b, d);
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

/* An Ethernet frame (DIX header; the FCS is not captured). */
static int decode_ether(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint16_t et;

	if (sw_buf_skip(b, ETH_HLEN - 2) < 0 || sw_buf_get_be16(b, &et) < 0)
		return anom(d->st, SW_ANOM_ETH_TRUNCATED, -EBADMSG);
	return decode_ethertype(p, b, et, d);
}

/* Raw IP: the version nibble picks IPv4 or IPv6. */
static int decode_raw(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	if (!sw_buf_left(b))
		return anom(d->st, SW_ANOM_RAW_TRUNCATED, -EBADMSG);
	switch (sw_buf_cur(b)[0] >> 4) {
	case 4:
		return decode_ipv4(p, b, d);
	case 6:
		return decode_ipv6(p, b, d);
	default:
		return anom(d->st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

/*
 * BSD loopback: a 4-byte address family in the byte order of the host that
 * wrote the capture.  AF values are below 256, so whichever end byte is
 * non-zero tells the order.  IPv6 is 10 (Linux), 24 (NetBSD/OpenBSD),
 * 28 (FreeBSD), 30 (macOS).
 */
static int decode_null(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint8_t af[4];
	uint8_t v;

	if (sw_buf_get_bytes(b, af, 4) < 0)
		return anom(d->st, SW_ANOM_NULL_TRUNCATED, -EBADMSG);
	v = af[0] ? af[0] : af[3];
	if ((af[0] && (af[1] | af[2] | af[3])) || (!af[0] && (af[1] | af[2])))
		v = 0; /* neither order gives a small value */
	switch (v) {
	case 2:
		return decode_ipv4(p, b, d);
	case 10:
	case 24:
	case 28:
	case 30:
		return decode_ipv6(p, b, d);
	default:
		return anom(d->st, SW_ANOM_L3_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

static int decode_link(struct sw_packet *p, struct sw_buf *b, struct dctx *d)
{
	uint16_t et;

	switch (p->linktype) {
	case SW_LINK_ETHERNET:
		return decode_ether(p, b, d);
	case SW_LINK_SLL:
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		if (sw_buf_skip(b, SLL_HLEN - 2) < 0 || sw_buf_get_be16(b, &et) < 0)
			return anom(d->st, SW_ANOM_SLL_TRUNCATED, -EBADMSG);
		return decode_ethertype(p, b, et, d);
	case SW_LINK_SLL2:
		/* protocol first, then reserved, ifindex, ARPHRD, type, addr len, addr */
		if (sw_buf_get_be16(b, &et) < 0 || sw_buf_skip(b, SLL2_HLEN - 2) < 0)
			return anom(d->st, SW_ANOM_SLL_TRUNCATED, -EBADMSG);
		return decode_ethertype(p, b, et, d);
	case SW_LINK_RAW:
	case SW_LINK_RAW_OBSD:
	case SW_LINK_RAW_BSD:
		return decode_raw(p, b, d);
	case SW_LINK_IPV4:
		return decode_ipv4(p, b, d);
	case SW_LINK_IPV6:
		return decode_ipv6(p, b, d);
	case SW_LINK_NULL:
		return decode_null(p, b, d);
	case SW_LINK_PPP:
		return decode_ppp(p, b, d);
	default:
		return anom(d->st, SW_ANOM_LINK_UNSUPPORTED, -EPROTONOSUPPORT);
	}
}

static const struct sw_decode_config defaults = {
	.max_layers = SW_DECODE_MAX_LAYERS,
	.vxlan = true,
	.geneve = true,
	.teredo = true,
	.n_vxlan_ports = 1,
	.n_geneve_ports = 1,
	.n_teredo_ports = 1,
	.vxlan_ports = { 4789 },
	.geneve_ports = { 6081 },
	.teredo_ports = { 3544 },
};

void sw_decode_config_default(struct sw_decode_config *c)
{
	*c = defaults;
}

static struct dctx make_ctx(bool verify_csum, const struct sw_decode_config *cfg, struct sw_decode_stats *st)
{
	struct dctx d = { .cfg = cfg, .st = st, .verify = verify_csum };

	d.max_layers = cfg->max_layers ? cfg->max_layers : SW_DECODE_MAX_LAYERS;
	return d;
}

int sw_decode_cfg(struct sw_packet *p, bool verify_csum, const struct sw_decode_config *cfg,
		  struct sw_decode_stats *st)
{
	struct sw_buf b = sw_buf_make(p->data, p->data ? p->caplen : 0);
	struct dctx d = make_ctx(verify_csum, cfg, st);
	int rc;

	reset_decoded(p);
	st->pkts++;
	st->bytes += p->wirelen;
	rc = decode_link(p, &b, &d);
	if (rc == 0 && p->tunnel_depth)
		st->tunnel++;
	return rc;
}

int sw_decode(struct sw_packet *p, bool verify_csum, struct sw_decode_stats *st)
{
	return sw_decode_cfg(p, verify_csum, &defaults, st);
}

int sw_decode_datagram(struct sw_packet *p, bool verify_csum, const struct sw_decode_config *cfg,
		       struct sw_decode_stats *st)
{
	struct sw_buf b = sw_buf_make(p->data, p->data ? p->caplen : 0);
	struct dctx d = make_ctx(verify_csum, cfg, st);
	uint8_t vlan_count = p->vlan_count, depth = p->tunnel_depth, src = p->pkt_src, rproto = p->root_proto;
	uint16_t vlan[2] = { p->vlan[0], p->vlan[1] }, rsp = p->root_sport, rdp = p->root_dport;
	struct sw_ip rsrc = p->root_src, rdst = p->root_dst;
	int rc;

	reset_decoded(p);
	/* and the tunnel it came out of, for EVE */
	p->pkt_src = src;
	p->root_proto = rproto;
	p->root_sport = rsp, p->root_dport = rdp;
	p->root_src = rsrc, p->root_dst = rdst;
	/* The fragments' link context: the flow key needs it as their unfragmented peers have it. */
	p->vlan_count = vlan_count;
	p->vlan[0] = vlan[0];
	p->vlan[1] = vlan[1];
	p->tunnel_depth = depth;
	if (depth)
		p->tunnel_len = p->caplen;
	/* Each tunnel entered took at least one layer. */
	d.layers = depth < d.max_layers ? depth : d.max_layers;
	rc = decode_raw(p, &b, &d);
	if (rc == 0 && p->tunnel_depth)
		st->tunnel++;
	return rc;
}
