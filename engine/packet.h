/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A packet as the engine sees it after decoding.  The struct lives in a
 * per-worker slot and is reused for every packet: nothing here is allocated
 * per packet, and every pointer borrows the capture buffer, which stays valid
 * until the worker has finished with the packet.
 */
#ifndef SW_ENGINE_PACKET_H
#define SW_ENGINE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/tcp.h"

struct sw_flow;

/* Link types: the values of pcap's LINKTYPE_* registry (what pcap files carry). */
enum sw_linktype {
	SW_LINK_NULL = 0,      /* BSD loopback: 4-byte host-order AF */
	SW_LINK_ETHERNET = 1,  /* DLT_EN10MB */
	SW_LINK_PPP = 9,       /* DLT_PPP: optional HDLC address/control, then the PPP protocol */
	SW_LINK_RAW_OBSD = 12, /* DLT_RAW on most platforms: raw IPv4/IPv6 */
	SW_LINK_RAW_BSD = 14,  /* DLT_RAW on some BSDs */
	SW_LINK_RAW = 101,     /* LINKTYPE_RAW: raw IPv4/IPv6 (NFQUEUE hands this) */
	SW_LINK_SLL = 113,     /* Linux cooked v1 */
	SW_LINK_IPV4 = 228,    /* LINKTYPE_IPV4 */
	SW_LINK_IPV6 = 229,    /* LINKTYPE_IPV6 */
	SW_LINK_SLL2 = 276,    /* Linux cooked v2 */
};


/* Checksum verdicts, filled by sw_decode() only when validation is on. */
#define SW_PKT_CSUM_BAD_IP 0x01
#define SW_PKT_CSUM_BAD_L4 0x02

/* Where a packet came from, as Suricata's pkt_src names it (EVE "pkt_src"). */
enum sw_pkt_src {
	SW_PKT_SRC_WIRE = 0,
	SW_PKT_SRC_GRE,    /* GRE, ERSPAN, PPTP */
	SW_PKT_SRC_IPV4,   /* IP in IPv4 */
	SW_PKT_SRC_IPV6,   /* IP in IPv6 */
	SW_PKT_SRC_TEREDO,
	SW_PKT_SRC_VXLAN,
	SW_PKT_SRC_GENEVE,
};

struct sw_packet {
	/* ---- input, set by the capture layer before sw_decode() ---- */
	const uint8_t *data;   /* first captured byte (link layer) */
	uint32_t caplen;       /* bytes captured */
	uint32_t wirelen;      /* bytes on the wire */
	int64_t ts_usec;       /* capture time, microseconds since the epoch */
	int linktype;          /* enum sw_linktype */
	uint32_t iface;        /* capture source index (pcap file / interface / queue) */
	uint64_t pcap_cnt;     /* 1-based number of the packet as read (pcap file or interface), 0: none (NFQUEUE) */

	/* ---- output of sw_decode(); all offsets are bounded by caplen ---- */
	uint8_t ip_ver;        /* 4 or 6; 0 if the packet is not IP */
	uint8_t proto;         /* final L4 protocol number (after IPv6 ext headers) */
	uint8_t ttl;           /* IPv4 TTL or IPv6 hop limit */
	uint8_t csum_bad;      /* SW_PKT_CSUM_* bits */
	bool frag;             /* IP fragment (first or later); L4 not decoded unless first */
	bool l4_ok;            /* L4 header fully decoded: ports/flags valid */
	uint8_t vlan_count;    /* 0..2 */
	uint16_t vlan[2];      /* outer first; inside a tunnel, the inner link layer's only */
	/*
	 * Tunnels (GRE, ERSPAN, VXLAN, Geneve, Teredo, IP in IP) the decoded
	 * packet was found in: everything below describes the innermost packet,
	 * as Suricata's tunnel packet, and the flow is the inner one.  0: none.
	 * MPLS, PPPoE and NSH are not tunnels here (as in Suricata): same packet.
	 */
	uint8_t tunnel_depth;
	uint32_t tunnel_len;   /* tunnel_depth > 0: bytes of the encapsulated packet (what its flow counts) */
	uint8_t pkt_src;       /* enum sw_pkt_src: the encapsulation the innermost tunnel was (EVE pkt_src) */
	/* tunnel_depth > 0: the outermost packet's (the carrier's) header, for EVE's "tunnel" object */
	uint8_t root_proto;
	uint16_t root_sport, root_dport;
	struct sw_ip root_src, root_dst;

	struct sw_ip src, dst;
	uint16_t sport, dport; /* host order; ICMP: 0 */

	const uint8_t *l3;     /* IP header */
	uint32_t l3_len;       /* IP header + payload as bounded by IP total length and caplen */
	uint32_t ip_hlen;      /* IPv4 header incl. options / IPv6 header incl. ext headers */
	uint16_t ip_id;        /* IPv4 identification (IPv6 fragment id low bits) */
	const uint8_t *l4;     /* L4 header */
	uint32_t l4_len;       /* L4 header + payload */

	/* TCP */
	uint8_t tcp_flags;
	uint8_t tcp_hlen;      /* header length incl. options */
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	bool tcp_has_mss;
	uint16_t tcp_mss;
	bool tcp_has_wscale;
	uint8_t tcp_wscale;

	/* ICMP / ICMPv6 */
	uint8_t icmp_type, icmp_code;
	bool icmp_has_id;      /* echo request/reply carry id and seq */
	uint16_t icmp_id, icmp_seq;

	/* Application payload (TCP/UDP/ICMP data after the L4 header). */
	const uint8_t *payload;
	uint32_t payload_len;

	/* TCP options beyond MSS/wscale (added for the stream stage: PAWS, SACK). */
	bool tcp_has_sack_perm;
	bool tcp_has_ts;
	uint32_t tcp_tsval, tcp_tsecr;

	/* ---- set by the flow stage ---- */
	struct sw_flow *flow;
	bool to_server;        /* direction within the flow */
	bool stream_flush;     /* not a wire packet: held stream bytes inspected at a gap or at
				* flow end, or a transaction completed by the flow's end
				* (engine/worker.c); flow:established holds for it; of the packet
				* rules only those with a positive content or pcre are evaluated,
				* the others saw each real segment */
	uint8_t tcp_state_prev; /* enum sw_tcp_state of the flow before this packet (flow.c): flow:established */
};

#endif
