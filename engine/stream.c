/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-direction TCP stream tails for detection (see stream.h).
 *
 * Sequence numbers compare with serial number arithmetic (RFC 1982, as
 * RFC 793 does for TCP): a is before b when the 32-bit difference a - b,
 * read as signed, is negative, so streams that wrap past 2^32 keep working.
 */
#include <string.h>

#include "stream.h"

static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static bool seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static void bare(const struct sw_packet *p, struct sw_stream_view *v)
{
	v->data = p->payload;
	v->len = p->payload_len;
	v->new_off = 0;
	v->base = 0;
	v->in_stream = false;
}

/*
 * Append @len new in-order bytes to direction @s and lay out tail + new
 * bytes in @scratch for @v.  The tail then keeps the last @window bytes.
 */
static void append(struct sw_stream_dir *s, const uint8_t *data, uint32_t len, uint32_t window, uint8_t *scratch,
		   size_t scratch_len, const struct sw_packet *p, struct sw_stream_view *v)
{
	uint32_t total, keep;

	if (window == 0 || !s->tail || (size_t)s->tail_len + len > scratch_len) {
		/* No stream matching (or a caller's scratch too small): the packet alone. */
		bare(p, v);
		s->tail_len = 0;
		s->stream_off += len;
		return;
	}
	if (s->tail_len > window) /* window shrank since (not done today; be safe) */
		s->tail_len = 0;
	memcpy(scratch, s->tail, s->tail_len);
	if (len)
		memcpy(scratch + s->tail_len, data, len);
	total = s->tail_len + len;
	v->data = scratch;
	v->len = total;
	v->new_off = s->tail_len;
	v->base = s->stream_off - s->tail_len;
	v->in_stream = true;
	keep = total < window ? total : window;
	memcpy(s->tail, scratch + total - keep, keep);
	s->tail_len = keep;
	s->stream_off += len;
}

int sw_stream_packet(const struct sw_packet *p, uint32_t window, uint8_t *scratch, size_t scratch_len,
		     struct sw_stream_view *v, struct sw_stream_stats *st)
{
	struct sw_flow *f = p->flow;
	struct sw_stream_dir *s, *o;
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->tcp_seq, len = p->payload_len, end, skip;

	bare(p, v);
	if (!f || !p->l4_ok || p->proto != 6)
		return 0;
	s = &f->stream[p->to_server ? 0 : 1];
	o = &f->stream[p->to_server ? 1 : 0];
	if (fl & SW_TCP_RST)
		return 0; /* a reset's payload is not stream data */

	if (fl & SW_TCP_SYN) {
		/* A SYN (or a SYN with a new ISN before any data) sets the ISN. */
		if (!s->has_isn || (s->stream_off == 0 && s->isn != seq)) {
			s->has_isn = true;
			s->isn = seq;
			s->next_seq = seq + 1;
			s->in_sync = true;
			s->tail_len = 0;
		}
		/*
		 * The SYN-ACK acknowledges the peer's ISN: if we missed the
		 * SYN, the peer's direction is in sync from here anyway.
		 */
		if ((fl & SW_TCP_ACK) && !o->has_isn && !o->in_sync && o->stream_off == 0) {
			o->has_isn = true;
			o->isn = p->tcp_ack - 1;
			o->next_seq = p->tcp_ack;
			o->in_sync = true;
		}
		seq++; /* the SYN takes one sequence number; data (TFO) follows */
	}

	if (len && !s->in_sync) {
		/*
		 * Never synced: a mid-stream pickup.  Synced before and lost
		 * (a gap): resynchronise here; the tail is not contiguous with
		 * this segment, so it is dropped.
		 */
		if (!s->has_isn && s->stream_off == 0)
			st->midstream++;
		else
			st->resync++;
		s->next_seq = seq;
		s->in_sync = true;
		s->tail_len = 0;
	}
	if (len && s->in_sync) {
		end = seq + len;
		if (seq_leq(end, s->next_seq)) {
			st->retransmitted++;
			return 0; /* already inspected: the bare packet */
		}
		if (seq_lt(s->next_seq, seq)) {
			/* Gap: data is missing, do not join what is not contiguous. */
			st->out_of_order++;
			s->in_sync = false;
			return 0;
		}
		skip = s->next_seq - seq; /* < len, since end is past next_seq */
		if (skip)
			st->overlap++;
		append(s, p->payload + skip, len - skip, window, scratch, scratch_len, p, v);
		st->segments++;
		s->next_seq = end;
	}
	/* The FIN takes one sequence number, after the data. */
	if ((fl & SW_TCP_FIN) && s->in_sync && s->next_seq == seq + len)
		s->next_seq++;
	return 0;
}
