/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-direction TCP stream tracking for detection.
 *
 * Each direction keeps the last cfg.stream_window bytes of in-order payload
 * (the "tail", in the flow's pool-owned buffer).  For every in-order segment
 * the inspection view is tail + new bytes, laid out in a per-worker scratch
 * buffer, so a content split across consecutive segments is seen whole.  The
 * detect stage only reports matches that end in the new bytes, so nothing
 * alerts twice.  Out-of-order data, overlaps and IP fragments are a later
 * issue: today they are counted and such segments are inspected as packets.
 */
#ifndef SW_ENGINE_STREAM_H
#define SW_ENGINE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

struct sw_stream_view {
	const uint8_t *data;  /* tail + new payload, or the packet payload when !in_stream */
	uint32_t len;
	uint32_t new_off;     /* data[new_off..len) is this packet's new payload */
	uint64_t base;        /* stream offset (bytes since the first payload byte) of data[0] */
	bool in_stream;       /* false: data is the bare packet payload, base is meaningless */
};

struct sw_stream_stats {
	uint64_t segments;       /* in-order data segments appended */
	uint64_t retransmitted;  /* data entirely before next_seq */
	uint64_t overlap;        /* partially old data, new part appended */
	uint64_t out_of_order;   /* gap before this segment: stream desynced */
	uint64_t midstream;      /* data before any SYN: synced on first data */
	uint64_t resync;         /* after a gap: synced again on a later segment */
};

/*
 * Update @p->flow's stream for direction p->to_server with TCP packet @p and
 * fill @v for detection.  @scratch must hold window + 65535 bytes; it is
 * borrowed for the life of @v.  Never allocates.  Returns 0.
 */
int sw_stream_packet(const struct sw_packet *p, uint32_t window, uint8_t *scratch, size_t scratch_len,
		     struct sw_stream_view *v, struct sw_stream_stats *st);

#endif
