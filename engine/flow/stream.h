/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-direction TCP stream tracking for detection.
 *
 * Each direction keeps the last cfg.stream_window bytes of in-order payload
 * (the "tail", in the flow's pool-owned buffer).  For every in-order segment
 * the inspection view is tail + new bytes, laid out in a per-worker scratch
 * buffer, so a content split across consecutive segments is seen whole.  The
 * detect stage only reports matches that end in the new bytes, so nothing
 * alerts twice.
 *
 * Out of order: a segment that starts after next_seq (a gap) is copied into
 * the direction's held store (units of a per-worker struct sw_stream_pool)
 * and not stream-inspected alone: its view is in_stream with no bytes, so
 * only packet rules (tcp-pkt, dsize, ...) see it, as the receiver cannot use
 * it before the gap fills.  The segment that fills the gap brings its bytes
 * and every held byte now contiguous into ONE view (tail + all of them), so
 * a content split over segments sent in reverse order matches exactly once.
 *
 * Overlaps are resolved as the receiving host would (Suricata's
 * host-os-policy, chosen by the destination address of each direction,
 * default bsd): for each earlier segment a new one overlaps, the policy
 * says from the two segments' start and end whether the new bytes replace
 * the old ones (stream_policy.c's table, Suricata's stream-tcp-list.c
 * semantics).  That applies to held bytes and to in-order bytes the
 * receiver has not acknowledged yet; bytes it acknowledged are what it
 * has, whatever comes later.  Bytes that differ are counted
 * (overlap_diff_data, Suricata's stream.reassembly_overlap_different_data);
 * a retransmission of the same bytes is inspected once: its view has no
 * new bytes.  Replaced bytes that were inspected already are inspected
 * again (the view's new bytes start at the first replaced byte).
 *
 * Bounds: held bytes per direction may reach at most SW_STREAM_HELD_MAX
 * sequence numbers past next_seq; the pool holds memcap / SW_STREAM_UNIT_SIZE
 * units.  Held bytes are kept in blocks of 512 sequence numbers with a
 * bitmap of the bytes held (one unit each, shared by every segment that
 * falls in the block), found through one directory unit per direction
 * indexed by sequence number: holding, flushing and looking up cost what is
 * copied, never a walk over what is held.
 * A segment that cannot be held (past that window, or pool empty) is
 * inspected alone as a packet, as before, and counted (segment_memcap_drop).
 * Held bytes that never become contiguous are inspected when the flow ends
 * (sw_stream_flow_end(), counted as reassembly_gap).
 */
#ifndef SW_ENGINE_STREAM_H
#define SW_ENGINE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "engine/packet.h"

struct sw_stream_view {
	const uint8_t *data;  /* tail + new payload, or the packet payload when !in_stream */
	uint32_t len;
	uint32_t new_off;     /* data[new_off..len) is this packet's new payload */
	uint64_t base;        /* stream offset (bytes since the first payload byte) of data[0] */
	bool in_stream;       /* false: data is the bare packet payload, base is meaningless */
};

/* Held-byte window per direction, in sequence space past next_seq. */
#define SW_STREAM_HELD_MAX (64u << 10)
/*
 * Pool unit size: a block (512 bytes of sequence space and three 64-byte
 * bitmaps: bytes held, segment starts, segment ends) or a direction's
 * directory of blocks.
 */
#define SW_STREAM_UNIT_SIZE 704u

struct sw_stream_pool;

/*
 * Overlap policies of Suricata's host-os-policy (bsd-right resolves as
 * bsd, as in Suricata).  0 is "not chosen yet" on a stream direction.
 */
enum sw_stream_policy {
	SW_STREAM_POL_NONE,
	SW_STREAM_POL_FIRST,
	SW_STREAM_POL_LAST,
	SW_STREAM_POL_LINUX,
	SW_STREAM_POL_OLD_LINUX,
	SW_STREAM_POL_BSD,
	SW_STREAM_POL_BSD_RIGHT,
	SW_STREAM_POL_WINDOWS,
	SW_STREAM_POL_WINDOWS2K3,
	SW_STREAM_POL_VISTA,
	SW_STREAM_POL_SOLARIS,
	SW_STREAM_POL_HPUX10,
	SW_STREAM_POL_HPUX11,
	SW_STREAM_POL_IRIX,
	SW_STREAM_POL_MACOS,
	SW_STREAM_POL__COUNT,
};

/* One host-os-policy entry: destinations in @net/@prefix use @policy. */
struct sw_stream_host_policy {
	struct sw_ip net;
	uint8_t prefix;
	uint8_t policy; /* enum sw_stream_policy */
};

/* stream.* settings the stream stage reads (engine/config.c fills them). */
struct sw_stream_config {
	uint64_t depth;      /* stream.reassembly.depth: stream bytes inspected per direction; 0 = no limit */
	bool midstream;      /* stream.midstream: reassemble sessions picked up without a SYN */
	bool async_oneside;  /* stream.async-oneside: reassemble sessions whose SYN-ACK was not seen */
	uint8_t policy;      /* default overlap policy (Suricata's: bsd) */
	uint32_t segment_prealloc; /* stream.reassembly.segment-prealloc: pool units written at start-up, per worker */
	const struct sw_stream_host_policy *hosts; /* host-os-policy, longest prefix wins; borrowed */
	uint32_t n_hosts;
};

/* The policy named @name ("bsd", "old-linux", ...), or -EINVAL. */
int sw_stream_policy_parse(const char *name);
/* The name of @pol, "none" for SW_STREAM_POL_NONE or out of range. */
const char *sw_stream_policy_name(int pol);
/*
 * The policy for destination @dst: the longest matching prefix of
 * cfg->hosts, else cfg->policy (bsd when that is NONE).  bsd-right
 * resolves as bsd.  Pure.
 */
enum sw_stream_policy sw_stream_policy_for(const struct sw_stream_config *cfg, const struct sw_ip *dst);
/*
 * Whether the bytes of a new segment [@ns, @ne) replace those of an earlier
 * segment [@ls, @le) where they overlap, under @pol (sequence numbers,
 * compared modulo 2^32).  Pure; exposed for the table-driven tests.
 */
bool sw_stream_new_wins(enum sw_stream_policy pol, uint32_t ns, uint32_t ne, uint32_t ls, uint32_t le);

struct sw_stream_stats {
	uint64_t segments;       /* in-order data segments appended */
	uint64_t retransmitted;  /* data entirely before next_seq */
	uint64_t overlap;        /* partially old data, new part appended */
	uint64_t out_of_order;   /* gap before this segment: stream desynced */
	uint64_t midstream;      /* data before any SYN: synced on first data */
	uint64_t resync;         /* after a gap: synced again on a later segment (no pool) */
	uint64_t held;           /* segments held after a gap */
	uint64_t held_flushed;   /* held bytes that filled in order (became stream data) */
	uint64_t memcap_drop;    /* segments not held (pool empty or past the window): inspected alone */
	uint64_t gap;            /* runs of held bytes that never became contiguous (inspected at flow end) */
	uint64_t overlap_diff;   /* overlaps whose bytes differ (stream.reassembly_overlap_different_data) */
	uint64_t depth_reached;  /* directions that reached stream.reassembly.depth */
	uint64_t not_reassembled;/* data segments of sessions not reassembled (midstream / async-oneside off) */
};

/*
 * Held bytes that will never become contiguous (flow end, or a segment that
 * could not be held while others were): one call per run of contiguous
 * held bytes of direction @dir (0 = to server) of flow @f.  @data/@len are
 * borrowed until return; @base is the run's stream offset.  The callee
 * inspects them (the worker: as one packet of that direction).
 */
typedef void (*sw_stream_gap_fn)(void *ctx, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len,
				 uint64_t base);

/*
 * New pool of @memcap bytes of units (SW_STREAM_UNIT_SIZE each), allocated
 * once; @memcap 0 (or less than two units: a directory and a block) gives a
 * pool that holds nothing.  @gap (may be NULL) with @ctx is called for held bytes given up.
 * Returns NULL with errno ENOMEM.
 */
struct sw_stream_pool *sw_stream_pool_new(uint64_t memcap, sw_stream_gap_fn gap, void *ctx);
/*
 * Write the memory of the first @units units the pool hands out (at most
 * all of them), so holding bytes in them takes no page faults later
 * (common/prefault.h).  For a new pool, before any unit is in use.
 */
void sw_stream_pool_prefault(struct sw_stream_pool *pool, uint32_t units);
/* Frees the pool (accepts NULL).  Every flow must have released its units. */
void sw_stream_pool_free(struct sw_stream_pool *pool);
/* Bytes of units in use (Suricata's tcp.reassembly_memuse). */
uint64_t sw_stream_pool_memuse(const struct sw_stream_pool *pool);

/*
 * Flow @f ends: hand every run of held bytes of both directions to the
 * pool's gap callback (laid out in @scratch, which must hold
 * SW_STREAM_HELD_MAX bytes), counting each run in st->gap, and give every
 * held unit back to @pool.  Call it from the flow-end callback (not for
 * interim records).  Never allocates.
 */
void sw_stream_flow_end(struct sw_flow *f, struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len,
			struct sw_stream_stats *st);

/*
 * Update @p->flow's stream for direction p->to_server with TCP packet @p and
 * fill @v for detection.  @cfg (borrowed; NULL: no depth, every session
 * reassembled, bsd overlaps) gives the stream.* settings.  @scratch must
 * hold window + SW_STREAM_HELD_MAX + the largest segment; it is borrowed
 * for the life of @v.  @pool (NULL: hold nothing, a gap desyncs the stream
 * as before) lends units to hold out-of-order segments.  Never allocates.
 * Returns 0.
 */
int sw_stream_packet(const struct sw_packet *p, uint32_t window, const struct sw_stream_config *cfg,
		     struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len, struct sw_stream_view *v,
		     struct sw_stream_stats *st);

/*
 * Whether direction @dir's receiver accepts a RST with sequence number
 * @seq: RFC 5961 section 3.2, as Linux does: only the exact next expected
 * sequence number resets; one elsewhere in the window gets a challenge ACK
 * and one outside it is dropped, and neither closes anything (after the
 * sender's FIN, the FIN's own number too, as Linux).  A direction
 * whose sequence numbers are not known (never synced, or lost at a gap)
 * accepts any RST, as before.  Pure.
 */
bool sw_stream_rst_ok(const struct sw_flow *f, int dir, uint32_t seq);
/*
 * Whether direction @dir's receiver accepts a FIN at @seq: at or after the
 * next expected sequence number and within the window it last advertised
 * (RFC 793 acceptability; unknown window: any).  Pure.
 */
bool sw_stream_fin_ok(const struct sw_flow *f, int dir, uint32_t seq, uint32_t len);

#endif
