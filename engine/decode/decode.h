/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet decoder: link layer -> IP -> L4.  Pure function of the bytes; no
 * allocation, no global state.  Every malformation bumps a named anomaly
 * counter in the caller's struct sw_decode_stats.
 */
#ifndef SW_ENGINE_DECODE_H
#define SW_ENGINE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/packet.h"

/*
 * X-macro list of decoder anomalies.  Names are the stats keys written to EVE
 * (lower case, Suricata-like: "ipv4.hlen_too_small" style).
 */
#define SW_DECODE_ANOMALIES(X)                                      \
	X(LINK_UNSUPPORTED, "link.unsupported")                     \
	X(ETH_TRUNCATED, "ethernet.pkt_too_small")                  \
	X(VLAN_TRUNCATED, "vlan.header_too_small")                  \
	X(VLAN_TOO_MANY, "vlan.too_many_layers")                    \
	X(SLL_TRUNCATED, "sll.pkt_too_small")                       \
	X(NULL_TRUNCATED, "null.pkt_too_small")                     \
	X(RAW_TRUNCATED, "raw.pkt_too_small")                       \
	X(L3_UNSUPPORTED, "l3.unsupported")                         \
	X(IPV4_TRUNCATED, "ipv4.pkt_too_small")                     \
	X(IPV4_HLEN_SHORT, "ipv4.hlen_too_small")                   \
	X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4.iplen_smaller_than_hlen") \
	X(IPV4_TRUNC_PKT, "ipv4.trunc_pkt")                         \
	X(IPV4_WRONG_VERSION, "ipv4.wrong_ip_version")              \
	X(IPV4_OPT_INVALID, "ipv4.opt_invalid")                     \
	X(IPV4_CSUM_BAD, "ipv4.csum_bad")                           \
	X(IPV6_TRUNCATED, "ipv6.pkt_too_small")                     \
	X(IPV6_TRUNC_PKT, "ipv6.trunc_pkt")                         \
	X(IPV6_WRONG_VERSION, "ipv6.wrong_ip_version")              \
	X(IPV6_EXTHDR_TRUNCATED, "ipv6.exthdr_truncated")           \
	X(IPV6_EXTHDR_TOO_MANY, "ipv6.exthdr_too_many")             \
	X(TCP_TRUNCATED, "tcp.pkt_too_small")                       \
	X(TCP_HLEN_SHORT, "tcp.hlen_too_small")                     \
	X(TCP_OPT_INVALID, "tcp.opt_invalid_len")                   \
	X(TCP_CSUM_BAD, "tcp.csum_bad")                             \
	X(UDP_TRUNCATED, "udp.pkt_too_small")                       \
	X(UDP_LEN_INVALID, "udp.len_invalid")                       \
	X(UDP_CSUM_BAD, "udp.csum_bad")                             \
	X(ICMPV4_TRUNCATED, "icmpv4.pkt_too_small")                 \
	X(ICMPV4_CSUM_BAD, "icmpv4.csum_bad")                       \
	X(ICMPV6_TRUNCATED, "icmpv6.pkt_too_small")                 \
	X(ICMPV6_CSUM_BAD, "icmpv6.csum_bad")

enum sw_decode_anom {
#define SW_X(id, name) SW_ANOM_##id,
	SW_DECODE_ANOMALIES(SW_X)
#undef SW_X
	SW_ANOM__COUNT
};

struct sw_decode_stats {
	uint64_t pkts;        /* packets handed to sw_decode() */
	uint64_t bytes;       /* their wire lengths */
	uint64_t ipv4, ipv6, tcp, udp, icmpv4, icmpv6, other, vlan, frags;
	uint64_t anom[SW_ANOM__COUNT];
};

/* Stats key of an anomaly, e.g. "ipv4.hlen_too_small".  Never NULL. */
const char *sw_decode_anom_name(enum sw_decode_anom a);

/*
 * Decode p->data[0..p->caplen) of link type p->linktype into the output
 * fields of @p (the input fields are left alone, the rest is reset first).
 * When @verify_csum is set, bad IPv4/TCP/UDP/ICMP checksums set p->csum_bad
 * and count an anomaly.  Never reads past caplen.
 *
 * Returns 0 when an IP header was decoded (L4 may still be absent or broken:
 * see p->l4_ok), -EBADMSG for a malformed packet (an anomaly was counted),
 * -EPROTONOSUPPORT for a link or L3 type sidewall does not decode (counted).
 */
int sw_decode(struct sw_packet *p, bool verify_csum, struct sw_decode_stats *st);

#endif
