/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet decoder: link layer -> (encapsulations) -> IP -> L4.  Pure function
 * of the bytes and a caller-owned configuration; no allocation, no global
 * state.  Every malformation bumps a named anomaly counter in the caller's
 * struct sw_decode_stats.
 *
 * Encapsulations: 802.1Q/QinQ, PPP, PPPoE discovery and session, MPLS, NSH
 * (the same packet), and the tunnels GRE (RFC 2784/2890, PPTP's enhanced GRE),
 * ERSPAN I/II/III, VXLAN, Geneve, Teredo, IPv4/IPv6 in IPv4/IPv6, whose inner
 * packet becomes the decoded packet (see struct sw_packet.tunnel_depth).
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
	X(IPV4_IN_IPV6_TOO_SMALL, "ipv6.ipv4_in_ipv6_too_small")    \
	X(IPV4_IN_IPV6_WRONG_VERSION, "ipv6.ipv4_in_ipv6_wrong_version") \
	X(IPV6_IN_IPV6_TOO_SMALL, "ipv6.ipv6_in_ipv6_too_small")    \
	X(IPV6_IN_IPV6_WRONG_VERSION, "ipv6.ipv6_in_ipv6_wrong_version") \
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
	X(ICMPV6_CSUM_BAD, "icmpv6.csum_bad")                       \
	X(PPP_TRUNCATED, "ppp.pkt_too_small")                       \
	X(PPP_VJU_TRUNCATED, "ppp.vju_pkt_too_small")               \
	X(PPP_IPV4_TRUNCATED, "ppp.ip4_pkt_too_small")              \
	X(PPP_IPV6_TRUNCATED, "ppp.ip6_pkt_too_small")              \
	X(PPP_WRONG_TYPE, "ppp.wrong_type")                         \
	X(PPP_UNSUP_PROTO, "ppp.unsup_proto")                       \
	X(PPPOE_TRUNCATED, "pppoe.pkt_too_small")                   \
	X(PPPOE_WRONG_CODE, "pppoe.wrong_code")                     \
	X(PPPOE_MALFORMED_TAGS, "pppoe.malformed_tags")             \
	X(GRE_TRUNCATED, "gre.pkt_too_small")                       \
	X(GRE_WRONG_VERSION, "gre.wrong_version")                   \
	X(GRE_V0_RECUR, "gre.version0_recur")                       \
	X(GRE_V0_FLAGS, "gre.version0_flags")                       \
	X(GRE_V0_HDR_TOO_BIG, "gre.version0_hdr_too_big")           \
	X(GRE_V0_MALFORMED_SRE, "gre.version0_malformed_sre_hdr")   \
	X(GRE_V1_CHKSUM, "gre.version1_chksum")                     \
	X(GRE_V1_ROUTE, "gre.version1_route")                       \
	X(GRE_V1_SSR, "gre.version1_ssr")                           \
	X(GRE_V1_RECUR, "gre.version1_recur")                       \
	X(GRE_V1_FLAGS, "gre.version1_flags")                       \
	X(GRE_V1_NO_KEY, "gre.version1_no_key")                     \
	X(GRE_V1_WRONG_PROTOCOL, "gre.version1_wrong_protocol")     \
	X(GRE_V1_HDR_TOO_BIG, "gre.version1_hdr_too_big")           \
	X(ERSPAN_TRUNCATED, "erspan.header_too_small")              \
	X(ERSPAN_UNSUPPORTED_VERSION, "erspan.unsupported_version") \
	X(MPLS_HEADER_TRUNCATED, "mpls.header_too_small")           \
	X(MPLS_TRUNCATED, "mpls.pkt_too_small")                     \
	X(MPLS_BAD_LABEL_ROUTER_ALERT, "mpls.bad_label_router_alert") \
	X(MPLS_BAD_LABEL_IMPLICIT_NULL, "mpls.bad_label_implicit_null") \
	X(MPLS_BAD_LABEL_RESERVED, "mpls.bad_label_reserved")       \
	X(MPLS_UNKNOWN_PAYLOAD, "mpls.unknown_payload_type")        \
	X(VXLAN_UNKNOWN_PAYLOAD, "vxlan.unknown_payload_type")      \
	X(GENEVE_UNKNOWN_PAYLOAD, "geneve.unknown_payload_type")    \
	X(NSH_TRUNCATED, "nsh.header_too_small")                    \
	X(NSH_UNSUPPORTED_VERSION, "nsh.unsupported_version")       \
	X(NSH_BAD_HEADER_LENGTH, "nsh.bad_header_length")           \
	X(NSH_RESERVED_TYPE, "nsh.reserved_type")                   \
	X(NSH_UNSUPPORTED_TYPE, "nsh.unsupported_type")             \
	X(NSH_UNKNOWN_PAYLOAD, "nsh.unknown_payload")               \
	X(TOO_MANY_LAYERS, "decoder.too_many_layers")

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
	/* encapsulation headers decoded (Suricata's decoder.<name> counters) */
	uint64_t gre, erspan, ppp, pppoe, mpls, vxlan, geneve, teredo, nsh;
	uint64_t ipv4_in_ipv4, ipv6_in_ipv4, ipv4_in_ipv6, ipv6_in_ipv6;
	uint64_t tunnel;      /* packets decoded to a packet inside a tunnel (tunnel_depth > 0) */
	uint64_t anom[SW_ANOM__COUNT];
};

#define SW_DECODE_MAX_PORTS 4    /* per UDP tunnel, as Suricata */
#define SW_DECODE_MAX_LAYERS 16  /* Suricata's decoder.max-layers default */

/*
 * What decoding may be configured (suricata.yaml's decoder.* keys).  A
 * zeroed struct decodes no UDP tunnel and uses SW_DECODE_MAX_LAYERS.
 */
struct sw_decode_config {
	uint8_t max_layers;   /* decoder.max-layers: encapsulation layers per packet; 0 = default */
	bool vxlan;           /* decoder.vxlan.enabled */
	bool vxlan_permissive; /* decoder.vxlan.reserved-bits-check: permissive (default strict) */
	bool geneve;          /* decoder.geneve.enabled */
	bool teredo;          /* decoder.teredo.enabled */
	uint8_t n_vxlan_ports, n_geneve_ports, n_teredo_ports; /* teredo: 0 = any port */
	uint16_t vxlan_ports[SW_DECODE_MAX_PORTS];  /* destination port (RFC 7348 5) */
	uint16_t geneve_ports[SW_DECODE_MAX_PORTS]; /* either port, as Suricata */
	uint16_t teredo_ports[SW_DECODE_MAX_PORTS]; /* either port */
	/*
	 * Enter a tunnel from a datagram's first fragment, whose headers are
	 * whole (its payload is not): only to learn where the datagram's
	 * inner flow goes (engine/worker.c pick_worker()), never to inspect.
	 */
	bool frag_tunnels;
};

/* Suricata's defaults: VXLAN 4789, Geneve 6081, Teredo 3544, 16 layers. */
void sw_decode_config_default(struct sw_decode_config *c);

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

/* sw_decode() with the UDP tunnel ports and layer limit of @cfg (borrowed until return). */
int sw_decode_cfg(struct sw_packet *p, bool verify_csum, const struct sw_decode_config *cfg,
		  struct sw_decode_stats *st);

/*
 * Decode a reassembled IP datagram, p->data[0..p->caplen), in place of the
 * fragment @p was decoded to: the fragment's link context (VLAN ids, tunnel
 * depth) is kept, tunnels inside the datagram are entered as in
 * sw_decode_cfg().  Not counted again in st->pkts/bytes (the fragments
 * were).  Returns as sw_decode().
 */
int sw_decode_datagram(struct sw_packet *p, bool verify_csum, const struct sw_decode_config *cfg,
		       struct sw_decode_stats *st);

#endif
