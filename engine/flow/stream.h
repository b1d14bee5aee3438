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
 * Overlaps: the first-arrived bytes win, against the in-order data already
 * passed (as before) and against held bytes (counted in overlap).  This is
 * Suricata's "first" policy, not its default for Linux targets (which
 * prefers later data in some cases): an attacker who can race both copies
 * past us gains nothing from a policy we cannot know the target applies.
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
 * Pool unit size: a block (512 bytes of sequence space and its 64-byte
 * bitmap) or a direction's directory of blocks.
 */
#define SW_STREAM_UNIT_SIZE 576u

struct sw_stream_pool;

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
 * fill @v for detection.  @scratch must hold window + SW_STREAM_HELD_MAX +
 * the largest segment; it is borrowed for the life of @v.  @pool (NULL: hold
 * nothing, a gap desyncs the stream as before) lends units to hold
 * out-of-order segments.  Never allocates.  Returns 0.
 */
int sw_stream_packet(const struct sw_packet *p, uint32_t window, struct sw_stream_pool *pool, uint8_t *scratch,
		     size_t scratch_len, struct sw_stream_view *v, struct sw_stream_stats *st);

#endif
