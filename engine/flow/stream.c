/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-direction TCP stream tails for detection (see stream.h).
 *
 * Sequence numbers compare with serial number arithmetic (RFC 1982, as
 * RFC 793 does for TCP): a is before b when the 32-bit difference a - b,
 * read as signed, is negative, so streams that wrap past 2^32 keep working.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/* A run of held bytes [seq, seq + len), in one pool chunk. */
struct sw_stream_chunk {
	struct sw_stream_chunk *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

#define CHUNK_DATA ((uint32_t)(SW_STREAM_CHUNK_SIZE - offsetof(struct sw_stream_chunk, data)))

struct sw_stream_pool {
	uint8_t *mem;
	struct sw_stream_chunk *free;
	uint64_t n, nfree;
	uint64_t fresh;       /* chunks [fresh, n) never handed out yet */
	sw_stream_gap_fn gap;
	void *ctx;
};

struct sw_stream_pool *sw_stream_pool_new(uint64_t memcap, sw_stream_gap_fn gap, void *ctx)
{
	struct sw_stream_pool *pool = calloc(1, sizeof(*pool));

	if (!pool) {
		errno = ENOMEM;
		return NULL;
	}
	pool->gap = gap;
	pool->ctx = ctx;
	pool->n = memcap / SW_STREAM_CHUNK_SIZE;
	if (pool->n > SIZE_MAX / SW_STREAM_CHUNK_SIZE) {
		free(pool);
		errno = ENOMEM;
		return NULL;
	}
	if (pool->n) {
		/* One allocation for every chunk: nothing is allocated per packet. */
		pool->mem = malloc((size_t)pool->n * SW_STREAM_CHUNK_SIZE);
		if (!pool->mem) {
			free(pool);
			errno = ENOMEM;
			return NULL;
		}
	}
	/*
	 * No free list built here: chunks are handed out in order first, so
	 * the pages of a memcap never used stay untouched (not resident).
	 */
	pool->nfree = pool->n;
	return pool;
}

void sw_stream_pool_free(struct sw_stream_pool *pool)
{
	if (!pool)
		return;
	free(pool->mem);
	free(pool);
}

uint64_t sw_stream_pool_memuse(const struct sw_stream_pool *pool)
{
	return pool ? (pool->n - pool->nfree) * SW_STREAM_CHUNK_SIZE : 0;
}

/* A chunk, or NULL when the pool is empty (callers check nfree first). */
static struct sw_stream_chunk *chunk_get(struct sw_stream_pool *pool)
{
	struct sw_stream_chunk *c = pool->free;

	if (c)
		pool->free = c->next;
	else if (pool->fresh < pool->n)
		c = (struct sw_stream_chunk *)(void *)(pool->mem + pool->fresh++ * SW_STREAM_CHUNK_SIZE);
	else
		return NULL;
	pool->nfree--;
	return c;
}

static void chunk_put(struct sw_stream_pool *pool, struct sw_stream_dir *s, struct sw_stream_chunk *c)
{
	s->held = c->next;
	s->held_bytes -= c->len;
	c->next = pool->free;
	pool->free = c;
	pool->nfree++;
}

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
 * @scratch holds the tail and then @n new bytes: point @v at them and keep
 * the last @window bytes as the new tail.
 */
static void view_keep(struct sw_stream_dir *s, uint8_t *scratch, uint32_t n, uint32_t window,
		      struct sw_stream_view *v)
{
	uint32_t total = s->tail_len + n, keep;

	v->data = scratch;
	v->len = total;
	v->new_off = s->tail_len;
	v->base = s->stream_off - s->tail_len;
	v->in_stream = true;
	keep = total < window ? total : window;
	memmove(s->tail, scratch + total - keep, keep);
	s->tail_len = keep;
	s->stream_off += n;
}

/*
 * Append @len new in-order bytes to direction @s and lay out tail + new
 * bytes in @scratch for @v.  The tail then keeps the last @window bytes.
 */
static void append(struct sw_stream_dir *s, const uint8_t *data, uint32_t len, uint32_t window, uint8_t *scratch,
		   size_t scratch_len, const struct sw_packet *p, struct sw_stream_view *v)
{
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
	view_keep(s, scratch, len, window, v);
}

static uint32_t chunks_for(uint32_t n)
{
	return (n + CHUNK_DATA - 1) / CHUNK_DATA;
}

/*
 * Hold [seq, seq + len) of @d after a gap, keeping held bytes already there
 * (first-arrived wins).  All or nothing: the chunks needed are counted
 * first, so a segment is never half held.  Returns 0, or -ENOSPC when the
 * pool lacks chunks or the segment ends past SW_STREAM_HELD_MAX from next_seq.
 */
static int hold(struct sw_stream_dir *s, struct sw_stream_pool *pool, uint32_t seq, const uint8_t *d, uint32_t len,
		struct sw_stream_stats *st)
{
	uint32_t end = seq + len, cur = seq;
	struct sw_stream_chunk **pp, *c;
	uint64_t need = 0;
	bool ovl = false;

	if (end - s->next_seq > SW_STREAM_HELD_MAX)
		return -ENOSPC;
	for (c = s->held; c && cur != end; c = c->next) {
		uint32_t cend = c->seq + c->len;

		if (seq_leq(cend, cur))
			continue;
		if (seq_leq(end, c->seq))
			break;
		if (seq_lt(cur, c->seq))
			need += chunks_for(c->seq - cur);
		ovl = true;
		cur = seq_lt(cend, end) ? cend : end;
	}
	if (cur != end)
		need += chunks_for(end - cur);
	if (need > pool->nfree)
		return -ENOSPC;
	if (ovl)
		st->overlap++;
	pp = &s->held;
	cur = seq;
	while (cur != end) {
		uint32_t lim = end;

		c = *pp;
		if (c && seq_leq(c->seq + c->len, cur)) {
			pp = &c->next;
			continue;
		}
		if (c && seq_leq(c->seq, cur)) {
			/* Held already: those bytes arrived first and stay. */
			cur = seq_lt(c->seq + c->len, end) ? c->seq + c->len : end;
			pp = &c->next;
			continue;
		}
		if (c && seq_lt(c->seq, lim))
			lim = c->seq;
		while (cur != lim) {
			uint32_t n = lim - cur < CHUNK_DATA ? lim - cur : CHUNK_DATA;
			struct sw_stream_chunk *nc = chunk_get(pool); /* counted above: never NULL */

			nc->seq = cur;
			nc->len = n;
			memcpy(nc->data, d + (cur - seq), n);
			nc->next = *pp;
			*pp = nc;
			pp = &nc->next;
			s->held_bytes += n;
			cur += n;
		}
	}
	return 0;
}

/*
 * Give up every held byte of direction @dir: each run of contiguous chunks
 * goes to the pool's gap callback, then the chunks go back to the pool.
 */
static void give_up(struct sw_flow *f, int dir, struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len,
		    struct sw_stream_stats *st)
{
	struct sw_stream_dir *s = &f->stream[dir];

	while (s->held) {
		uint32_t seq = s->held->seq, n = 0;
		uint64_t base = s->stream_off + (uint32_t)(seq - s->next_seq);

		while (s->held && s->held->seq == seq + n && n + s->held->len <= scratch_len) {
			memcpy(scratch + n, s->held->data, s->held->len);
			n += s->held->len;
			chunk_put(pool, s, s->held);
		}
		if (n == 0) { /* a scratch smaller than a chunk: release without inspection */
			chunk_put(pool, s, s->held);
			continue;
		}
		st->gap++;
		if (pool->gap)
			pool->gap(pool->ctx, f, dir, scratch, n, base);
	}
}

void sw_stream_flow_end(struct sw_flow *f, struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len,
			struct sw_stream_stats *st)
{
	if (!f || !pool)
		return;
	for (int dir = 0; dir < 2; dir++)
		give_up(f, dir, pool, scratch, scratch_len, st);
}

/*
 * In-order data [seq, end) reaches next_seq: lay out tail + the new bytes in
 * @scratch, where the new bytes are this segment's from next_seq on, and
 * every held chunk that is contiguous with them (held bytes win where they
 * overlap the segment: they arrived first).
 */
static void take(struct sw_stream_dir *s, struct sw_stream_pool *pool, const uint8_t *d, uint32_t seq, uint32_t end,
		 uint32_t window, uint8_t *scratch, size_t scratch_len, struct sw_stream_view *v,
		 struct sw_stream_stats *st)
{
	uint32_t cur = s->next_seq;
	size_t n = 0, room;
	bool ovl = false;

	if (s->tail_len > window)
		s->tail_len = 0;
	memcpy(scratch, s->tail, s->tail_len);
	room = scratch_len - s->tail_len;
	for (;;) {
		struct sw_stream_chunk *c = s->held;

		if (c && seq_leq(c->seq + c->len, cur)) {
			chunk_put(pool, s, c); /* cannot happen: held data is past next_seq */
			continue;
		}
		if (c && seq_leq(c->seq, cur)) {
			uint32_t off = cur - c->seq, k = c->len - off;

			if (n + k > room)
				break;
			memcpy(scratch + s->tail_len + n, c->data + off, k);
			if (seq_lt(cur, end))
				ovl = true;
			n += k;
			cur += k;
			st->held_flushed += k;
			chunk_put(pool, s, c);
			continue;
		}
		if (seq_lt(cur, end)) {
			uint32_t lim = end, k;

			if (c && seq_lt(c->seq, lim))
				lim = c->seq;
			k = lim - cur;
			if (n + k > room)
				k = (uint32_t)(room - n);
			if (k == 0)
				break;
			memcpy(scratch + s->tail_len + n, d + (cur - seq), k);
			n += k;
			cur += k;
			continue;
		}
		break;
	}
	if (ovl)
		st->overlap++;
	view_keep(s, scratch, (uint32_t)n, window, v);
	s->next_seq = cur;
}

int sw_stream_packet(const struct sw_packet *p, uint32_t window, struct sw_stream_pool *pool, uint8_t *scratch,
		     size_t scratch_len, struct sw_stream_view *v, struct sw_stream_stats *st)
{
	struct sw_flow *f = p->flow;
	struct sw_stream_dir *s, *o;
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->tcp_seq, len = p->payload_len, end, skip;
	int dir;

	bare(p, v);
	if (!f || !p->l4_ok || p->proto != 6)
		return 0;
	dir = p->to_server ? 0 : 1;
	s = &f->stream[dir];
	o = &f->stream[!dir];
	if (window == 0 || !s->tail)
		pool = NULL; /* no stream matching: nothing to hold for */
	if (fl & SW_TCP_RST)
		return 0; /* a reset's payload is not stream data */

	if (fl & SW_TCP_SYN) {
		/* A SYN (or a SYN with a new ISN before any data) sets the ISN. */
		if (!s->has_isn || (s->stream_off == 0 && s->isn != seq)) {
			if (pool)
				give_up(f, dir, pool, scratch, scratch_len, st);
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
		if (!s->has_isn && s->stream_off == 0) {
			st->midstream++;
		} else {
			st->resync++;
			s->gaps++;
			/* next_seq still marks where the in-order bytes ended (the gap desynced it) */
			if (seq_lt(s->next_seq, seq))
				s->gap_bytes += seq - s->next_seq;
		}
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
			if (pool) {
				if (hold(s, pool, seq, p->payload, len, st) == 0) {
					/* Held: packet rules only, the stream sees it once the gap fills. */
					st->held++;
					v->data = scratch;
					v->len = 0;
					v->new_off = 0;
					v->base = s->stream_off;
					v->in_stream = true;
					return 0;
				}
				/*
				 * Cannot hold it: the gap is not filling within
				 * what we may keep.  Inspect what was held (gap
				 * callback) and this segment alone, and resync
				 * on the next segment, as without a pool.
				 */
				st->memcap_drop++;
				give_up(f, dir, pool, scratch, scratch_len, st);
			}
			s->in_sync = false;
			return 0;
		}
		skip = s->next_seq - seq; /* < len, since end is past next_seq */
		if (skip)
			st->overlap++;
		if (pool && s->held) {
			take(s, pool, p->payload, seq, end, window, scratch, scratch_len, v, st);
		} else {
			append(s, p->payload + skip, len - skip, window, scratch, scratch_len, p, v);
			s->next_seq = end;
		}
		st->segments++;
	}
	/* The FIN takes one sequence number, after the data. */
	if ((fl & SW_TCP_FIN) && s->in_sync && s->next_seq == seq + len)
		s->next_seq++;
	return 0;
}
