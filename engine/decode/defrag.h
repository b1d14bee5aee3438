/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IP defragmentation (IPv4, RFC 791; IPv6 fragment header, RFC 8200 4.5),
 * one defragmenter per worker: no locks, and packet time only, so results
 * do not depend on the number of workers.
 *
 * Fragments are kept per datagram in a tracker keyed by (family, source,
 * destination, identification, protocol (IPv4 only), VLAN ids, capture
 * interface).  Trackers and fragment data come from pools preallocated by
 * sw_defrag_new() with the configured caps: nothing is allocated per packet.
 * When a pool is empty the oldest tracker is evicted and counted.
 *
 * Overlap policies (Suricata's names and semantics), applied per byte:
 *  - bsd (the default, as Suricata's): a held byte is kept, unless the new
 *    fragment starts before the fragment that byte came from; then the new
 *    fragment's byte replaces it.
 *  - first: a held byte is always kept; later fragments only fill holes.
 * An overlap whose bytes differ from what is held is counted
 * (ipv4.frag_overlap / ipv6.frag_overlap); an identical re-send is not.
 *
 * Atomic fragments (RFC 6946: IPv6 offset 0, M clear) are not fragments and
 * never reach here (sw_decode() does not set p->frag for them).
 */
#ifndef SW_ENGINE_DEFRAG_H
#define SW_ENGINE_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/packet.h"

enum sw_defrag_policy {
	SW_DEFRAG_POLICY_BSD = 0,
	SW_DEFRAG_POLICY_FIRST = 1,
};

/* defrag: in sidewall.yaml (Suricata's keys).  Values are per defragmenter. */
struct sw_defrag_config {
	bool enabled;        /* defrag.enabled; no = fragments pass as before (counted only) */
	uint64_t memcap;     /* bytes of fragment data held at most */
	uint32_t trackers;   /* datagrams being reassembled at once */
	uint32_t max_frags;  /* fragments held at once */
	uint32_t timeout;    /* seconds from a datagram's first fragment until it is given up */
	bool prealloc;       /* accepted for Suricata compatibility: pools are always preallocated */
	uint32_t policy;     /* enum sw_defrag_policy (defrag.policy; Suricata sets it per host in host-os-policy) */
};

/*
 * Counters; names are Suricata's EVE stats.defrag.* keys, and the anomalies
 * are Suricata's decoder events (stats.decoder.event.ipv4.frag_overlap ...).
 * They live here, not in struct sw_decode_stats: the decoder never sees
 * more than one fragment.
 */
struct sw_defrag_stats {
	uint64_t ipv4_fragments, ipv4_reassembled, ipv4_timeouts;
	uint64_t ipv6_fragments, ipv6_reassembled, ipv6_timeouts;
	uint64_t max_frags_reached;    /* a fragment needed an eviction (max-frags or memcap) */
	uint64_t max_trackers_reached; /* a new datagram needed an eviction (trackers) */
	uint64_t tracker_hard_reuse;   /* unfinished trackers evicted for either reason */
	uint64_t dropped;              /* fragments not held: ignored, too large, or no room */
	uint64_t memuse;               /* bytes of trackers and fragment slots in use now */
	/* anomalies: [0] IPv4, [1] IPv6 */
	uint64_t frag_overlap[2];       /* a fragment overlaps held bytes with different bytes */
	uint64_t frag_pkt_too_large[2]; /* the datagram would exceed 65535 bytes: dropped */
	uint64_t frag_ignored[2];       /* unusable fragment: truncated capture, beyond the end, bad IP checksum */
	uint64_t frag_invalid_length;   /* IPv6: a fragment other than the last is not a multiple of 8 bytes */
};

/* A reassembled datagram, borrowed from the defragmenter until its next call. */
struct sw_defrag_out {
	const uint8_t *data;  /* raw IPv4/IPv6 datagram (SW_LINK_RAW), rebuilt header, no fragment bits */
	uint32_t len;
	uint32_t nfrags;      /* fragment packets that made it (duplicates included) */
	uint64_t wire_bytes;  /* the sum of their p->wirelen: what the wire carried */
	int64_t first_usec;   /* time of the datagram's first fragment (the tracker's start) */
};

struct sw_defrag;

/*
 * New defragmenter with the caps of @cfg (copied); every pool is allocated
 * here.  Returns NULL with errno set (EINVAL for a zero cap, ENOMEM).
 */
struct sw_defrag *sw_defrag_new(const struct sw_defrag_config *cfg);
/* Frees @d and everything it holds; NULL is fine. */
void sw_defrag_free(struct sw_defrag *d);

/*
 * Add fragment @p (decoded by sw_decode(), p->frag set; its bytes are
 * copied, @p is borrowed until return).  Anomalies are counted in the
 * defragmenter's stats.  Returns 1 when @p completed a datagram: *@out
 * describes it, valid until the next call on @d.  Returns 0 when the
 * fragment is held (or was not usable: counted).  Never fails otherwise.
 */
int sw_defrag_packet(struct sw_defrag *d, const struct sw_packet *p, struct sw_defrag_out *out);

/* Free every datagram whose first fragment is older than the timeout at @now_usec (counted). */
void sw_defrag_expire(struct sw_defrag *d, int64_t now_usec);

const struct sw_defrag_stats *sw_defrag_stats(const struct sw_defrag *d);

#endif
