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
#include "common/prefault.h"

/*
 * Held bytes live in fixed-size pool units (SW_STREAM_UNIT_SIZE), of two
 * kinds.  A block holds the bytes of BLK consecutive sequence numbers
 * (aligned on BLK in sequence space) with a bitmap of which of them are
 * held, so segments of any size share a block and first-arrived-wins is a
 * per-byte bit test.  A direction holding anything has one directory: a
 * ring of NSLOT block indices starting at the block of org, which covers
 * every sequence number that may be held (next_seq up to SW_STREAM_HELD_MAX
 * past it, from anywhere inside a block).  A sequence number's block is
 * found with one subtraction and one load: nothing walks a list, and
 * holding, flushing and giving up cost the bytes they copy plus at most
 * NSLOT slot visits.
 */
#define BLK_SHIFT 9u
#define BLK (1u << BLK_SHIFT)
#define NSLOT (SW_STREAM_HELD_MAX / BLK + 1)

struct blk {
	uint64_t map[BLK / 64];   /* bit i of map[w]: data[w * 64 + i] is held */
	/*
	 * Where the held segments began and ended (their first and last
	 * byte): an overlap policy decides by the earlier segment's edges.
	 */
	uint64_t first[BLK / 64];
	uint64_t last[BLK / 64];
	uint8_t data[BLK];
};

struct sw_stream_held {
	uint32_t org;           /* first sequence number of the head slot's block (a multiple of BLK) */
	uint32_t head;          /* ring index of the block of org */
	uint32_t slot[NSLOT];   /* pool unit index of each block (0: none), ring order from head */
};

union unit {
	struct blk b;
	struct sw_stream_held h;
	uint32_t next_free;
};

_Static_assert(sizeof(union unit) == SW_STREAM_UNIT_SIZE, "SW_STREAM_UNIT_SIZE is the size of a pool unit");
_Static_assert(BLK * NSLOT >= SW_STREAM_HELD_MAX + BLK - 1, "the ring covers the held window from any start");

struct sw_stream_pool {
	union unit *mem;      /* unit i (1..n) is mem[i - 1]; index 0 means none */
	uint32_t free;        /* free list head (0: empty) */
	uint64_t n, nfree;
	uint64_t fresh;       /* units (fresh, n] never handed out yet */
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
	pool->n = memcap / SW_STREAM_UNIT_SIZE;
	if (pool->n >= UINT32_MAX || pool->n > SIZE_MAX / SW_STREAM_UNIT_SIZE) {
		free(pool);
		errno = ENOMEM;
		return NULL;
	}
	if (pool->n) {
		/* One allocation for every unit: nothing is allocated per packet. */
		pool->mem = malloc((size_t)pool->n * SW_STREAM_UNIT_SIZE);
		if (!pool->mem) {
			free(pool);
			errno = ENOMEM;
			return NULL;
		}
	}
	/*
	 * No free list built here: units are handed out in order first, so
	 * the pages of a memcap never used stay untouched (not resident).
	 */
	pool->nfree = pool->n;
	return pool;
}

void sw_stream_pool_prefault(struct sw_stream_pool *pool, uint32_t units)
{
	/* units are handed out in order (unit_get()), so the first ones are these */
	if (pool && pool->mem)
		sw_prefault(pool->mem, (size_t)(units < pool->n ? units : pool->n) * SW_STREAM_UNIT_SIZE);
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
	return pool ? (pool->n - pool->nfree) * SW_STREAM_UNIT_SIZE : 0;
}

/* A unit's index, or 0 when the pool is empty (callers check nfree first). */
static uint32_t unit_get(struct sw_stream_pool *pool)
{
	uint32_t i = pool->free;

	if (i)
		pool->free = pool->mem[i - 1].next_free;
	else if (pool->fresh < pool->n)
		i = (uint32_t)++pool->fresh;
	else
		return 0;
	pool->nfree--;
	return i;
}

static void unit_put(struct sw_stream_pool *pool, uint32_t i)
{
	pool->mem[i - 1].next_free = pool->free;
	pool->free = i;
	pool->nfree++;
}

/* The block of ring position @r (0 = the block of h->org), or NULL. */
static struct blk *blk_at(const struct sw_stream_pool *pool, const struct sw_stream_held *h, uint32_t r)
{
	uint32_t i = h->slot[(h->head + r) % NSLOT];

	return i ? &pool->mem[i - 1].b : NULL;
}

/* Bits [lo, hi) of a 64-bit word, 0 <= lo < hi <= 64. */
static uint64_t bits(uint32_t lo, uint32_t hi)
{
	return (hi - lo == 64 ? ~0ull : ((1ull << (hi - lo)) - 1)) << lo;
}

static uint32_t blk_count(const struct blk *b)
{
	uint32_t n = 0;

	for (uint32_t w = 0; w < BLK / 64; w++)
		n += (uint32_t)__builtin_popcountll(b->map[w]);
	return n;
}

/* Frees ring position @r's block (if any), forgetting the bytes it held. */
static void slot_drop(struct sw_stream_dir *s, struct sw_stream_pool *pool, uint32_t r)
{
	struct sw_stream_held *h = s->held;
	uint32_t *slot = &h->slot[(h->head + r) % NSLOT];

	if (!*slot)
		return;
	s->held_bytes -= blk_count(&pool->mem[*slot - 1].b);
	unit_put(pool, *slot);
	*slot = 0;
}

/* Gives every block and the directory of @s back to @pool. */
static void held_release(struct sw_stream_dir *s, struct sw_stream_pool *pool)
{
	struct sw_stream_held *h = s->held;

	if (!h)
		return;
	for (uint32_t r = 0; r < NSLOT; r++)
		slot_drop(s, pool, r);
	unit_put(pool, (uint32_t)((union unit *)(void *)h - pool->mem) + 1);
	s->held = NULL;
	s->held_bytes = 0;
}

/*
 * next_seq moved on: move org to its block, freeing the blocks passed (their
 * bytes were flushed), and forget held bytes before next_seq (none are: the
 * flush takes every held byte it passes; kept so the invariant is local).
 * Releases everything once nothing is held.
 */
static void held_advance(struct sw_stream_dir *s, struct sw_stream_pool *pool)
{
	struct sw_stream_held *h = s->held;
	uint32_t d, o;
	struct blk *b;

	if (!h)
		return;
	d = (s->next_seq - h->org) >> BLK_SHIFT;
	if (d >= NSLOT) {
		for (uint32_t r = 0; r < NSLOT; r++)
			slot_drop(s, pool, r);
		h->org = s->next_seq & ~(BLK - 1);
		h->head = 0;
	} else {
		for (; d; d--) {
			slot_drop(s, pool, 0);
			h->head = (h->head + 1) % NSLOT;
			h->org += BLK;
		}
	}
	o = s->next_seq & (BLK - 1);
	b = blk_at(pool, h, 0);
	if (b && o) {
		for (uint32_t w = 0; w <= (o - 1) / 64; w++) {
			uint64_t m = b->map[w] & bits(0, o - w * 64 < 64 ? o - w * 64 : 64);

			s->held_bytes -= (uint32_t)__builtin_popcountll(m);
			b->map[w] &= ~m;
			b->first[w] &= ~m;
			b->last[w] &= ~m;
		}
	}
	if (s->held_bytes == 0)
		held_release(s, pool);
}

/*
 * The first offset in [a, e) (offsets from h->org, e <= NSLOT * BLK) whose
 * byte is held (@want) or not held (!@want); e if none.
 */
static uint32_t scan(const struct sw_stream_pool *pool, const struct sw_stream_held *h, uint32_t a, uint32_t e,
		     bool want)
{
	while (a < e) {
		const struct blk *b = blk_at(pool, h, a >> BLK_SHIFT);
		uint32_t base = a & ~(BLK - 1);

		if (!b) {
			if (!want)
				return a;
			a = base + BLK;
			continue;
		}
		for (uint32_t w = (a - base) / 64; w < BLK / 64; w++) {
			uint64_t m = want ? b->map[w] : ~b->map[w];
			uint32_t at;

			if (w == (a - base) / 64)
				m &= bits((a - base) % 64, 64);
			if (!m)
				continue;
			at = base + w * 64 + (uint32_t)__builtin_ctzll(m);
			return at < e ? at : e;
		}
		a = base + BLK;
	}
	return e;
}

/* Offset of sequence number @seq from h->org, clamped to the ring's end. */
static uint32_t rel(const struct sw_stream_held *h, uint32_t seq)
{
	uint32_t a = seq - h->org;

	return a < NSLOT * BLK ? a : NSLOT * BLK;
}

/* Copies the @n held bytes from offset @a to @dst and clears them (all held). */
static void take_held(struct sw_stream_dir *s, struct sw_stream_pool *pool, uint32_t a, uint32_t n, uint8_t *dst)
{
	while (n) {
		struct blk *b = blk_at(pool, s->held, a >> BLK_SHIFT);
		uint32_t o = a & (BLK - 1), k = BLK - o < n ? BLK - o : n;

		memcpy(dst, b->data + o, k);
		for (uint32_t w = o / 64; w <= (o + k - 1) / 64; w++) {
			uint32_t lo = o > w * 64 ? o - w * 64 : 0, hi = o + k < w * 64 + 64 ? o + k - w * 64 : 64;

			b->map[w] &= ~bits(lo, hi);
			b->first[w] &= ~bits(lo, hi);
			b->last[w] &= ~bits(lo, hi);
		}
		s->held_bytes -= k;
		dst += k;
		a += k;
		n -= k;
	}
}

/*
 * Stores @k bytes of @src at offset @o of block @b where not held yet (the
 * overlap policy has already written the held bytes it gives to the new
 * segment: resolve()).  Returns the bytes stored; sets *@ovl if any was
 * held already.
 */
static uint32_t blk_put(struct blk *b, uint32_t o, uint32_t k, const uint8_t *src, bool *ovl)
{
	uint32_t added = 0;

	for (uint32_t w = o / 64; w <= (o + k - 1) / 64; w++) {
		uint32_t lo = o > w * 64 ? o - w * 64 : 0, hi = o + k < w * 64 + 64 ? o + k - w * 64 : 64;
		uint64_t m = bits(lo, hi), have = b->map[w] & m;
		uint8_t *dst = b->data + w * 64;
		const uint8_t *from = src + (w * 64 + lo - o); /* the byte for dst[lo] */

		if (!have) {
			memcpy(dst + lo, from, hi - lo);
		} else {
			*ovl = true;
			for (uint32_t i = lo; i < hi; i++)
				if (!(have >> i & 1))
					dst[i] = from[i - lo];
		}
		added += (uint32_t)__builtin_popcountll(m & ~have);
		b->map[w] |= m;
	}
	return added;
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

/* Which bitmap of a block: held bytes, segment first bytes, segment last bytes. */
enum { M_HELD, M_FIRST, M_LAST };

static uint64_t *bitmap(struct blk *b, int which)
{
	return which == M_HELD ? b->map : which == M_FIRST ? b->first : b->last;
}

/* Bit @which of ring offset @a (< NSLOT * BLK); false where no block is. */
static bool bit_at(const struct sw_stream_pool *pool, const struct sw_stream_held *h, uint32_t a, int which)
{
	struct blk *b = blk_at(pool, h, a >> BLK_SHIFT);
	uint32_t o = a & (BLK - 1);

	return b && (bitmap(b, which)[o / 64] >> (o % 64) & 1);
}

static void bit_set(const struct sw_stream_pool *pool, const struct sw_stream_held *h, uint32_t a, int which)
{
	struct blk *b = blk_at(pool, h, a >> BLK_SHIFT);
	uint32_t o = a & (BLK - 1);

	if (b)
		bitmap(b, which)[o / 64] |= 1ull << (o % 64);
}

/*
 * The held segment around held ring offset @a, as [*ls, *le) in ring
 * offsets: back to the nearest recorded first byte (or the start of the
 * held run), forward to the nearest recorded last byte (or the run's end).
 * Overlapping held segments share bytes, so this is the innermost one the
 * marks still show: close enough to pick a policy's case.
 */
static void held_seg(const struct sw_stream_pool *pool, const struct sw_stream_held *h, uint32_t a, uint32_t *ls,
		     uint32_t *le)
{
	uint32_t x = a;

	while (!bit_at(pool, h, x, M_FIRST) && x > 0 && bit_at(pool, h, x - 1, M_HELD))
		x--;
	*ls = x;
	x = a;
	while (!bit_at(pool, h, x, M_LAST) && x + 1 < NSLOT * BLK && bit_at(pool, h, x + 1, M_HELD))
		x++;
	*le = x + 1;
}

/*
 * Apply overlap policy @pol to the held bytes that new segment [seq, seq +
 * len) of @d overlaps from next_seq on: where a held byte differs, set
 * *@diff, and where the policy gives the byte to the new segment, write it.
 * Bytes not held are left to the caller.
 */
static void resolve_held(struct sw_stream_dir *s, const struct sw_stream_pool *pool, enum sw_stream_policy pol,
			 uint32_t seq, const uint8_t *d, uint32_t len, bool *diff)
{
	const struct sw_stream_held *h = s->held;
	uint32_t from = seq_lt(seq, s->next_seq) ? s->next_seq : seq, a, e, ls = 0, le = 0;
	bool wins = false;

	if (!h)
		return;
	for (a = rel(h, from), e = rel(h, seq + len); a < e; a++) {
		struct blk *b = blk_at(pool, h, a >> BLK_SHIFT);
		uint32_t o = a & (BLK - 1);
		uint64_t w = b ? b->map[o / 64] >> (o % 64) : 0;
		uint8_t nb;

		/* a segment mostly overlaps nothing held: skip unheld bytes a bitmap word at a time */
		if (!(w & 1)) {
			a += w ? (uint32_t)__builtin_ctzll(w) - 1 : 63 - o % 64;
			continue;
		}
		nb = d[(h->org + a) - seq];
		if (a >= le || bit_at(pool, h, a, M_FIRST)) {
			held_seg(pool, h, a, &ls, &le);
			wins = sw_stream_new_wins(pol, seq, seq + len, h->org + ls, h->org + le);
		}
		if (b->data[o] == nb)
			continue;
		*diff = true;
		if (wins)
			b->data[o] = nb;
	}
}

/*
 * The part of new segment [seq, seq + len) of @d before next_seq was
 * inspected already; where it overlaps the tail, compare it.  A byte that
 * differs sets *@diff; it replaces the tail's byte where the receiver has
 * not acknowledged it yet and policy @pol gives it to the new segment (the
 * earlier segment being the last in-order one, [last_seq, end of data)).
 * Returns the tail index of the first byte replaced (UINT32_MAX: none) and
 * sets *@rep_end past the last one.
 */
static uint32_t resolve_tail(struct sw_stream_dir *s, enum sw_stream_policy pol, uint32_t seq, const uint8_t *d,
			     uint32_t len, bool *diff, uint32_t *rep_end)
{
	uint32_t dend = s->next_seq - (s->fin ? 1 : 0), tstart = dend - s->tail_len;
	uint32_t a = seq_lt(seq, tstart) ? tstart : seq, e = seq_lt(seq + len, dend) ? seq + len : dend;
	uint32_t lo = UINT32_MAX, hi = 0;
	bool wins = sw_stream_new_wins(pol, seq, seq + len, s->last_seq, dend);

	for (uint32_t x = a; seq_lt(x, e); x++) {
		uint32_t ti = s->tail_len - (dend - x);
		uint8_t nb = d[x - seq];

		if (s->tail[ti] == nb)
			continue;
		*diff = true;
		/* Acknowledged: the receiver has the old byte for good (RFC 793 3.3). */
		if (!wins || (s->ack_known && seq_lt(x, s->acked)))
			continue;
		s->tail[ti] = nb;
		if (lo == UINT32_MAX)
			lo = ti;
		hi = ti + 1;
	}
	*rep_end = hi;
	return lo;
}

/*
 * Hold [seq, seq + len) of @d after a gap (seq is past next_seq); where
 * bytes are held already, policy @pol decides (resolve_held()).  All or nothing: the units
 * needed are counted first, so a segment is never half held.  Returns 0, or
 * -ENOSPC when the pool lacks units or the segment ends past
 * SW_STREAM_HELD_MAX from next_seq.
 */
static int hold(struct sw_stream_dir *s, struct sw_stream_pool *pool, enum sw_stream_policy pol, uint32_t seq,
		const uint8_t *d, uint32_t len, bool *diff, struct sw_stream_stats *st)
{
	uint32_t end = seq + len, a, e, i;
	struct sw_stream_held *h;
	uint64_t need = 0;
	bool ovl = false;

	if (end - s->next_seq > SW_STREAM_HELD_MAX)
		return -ENOSPC;
	held_advance(s, pool);
	h = s->held;
	if (!h) {
		need = 1 + (((seq & (BLK - 1)) + len + BLK - 1) >> BLK_SHIFT);
	} else {
		/* within the ring: end - org <= next_seq - org + HELD_MAX < BLK + HELD_MAX */
		for (a = (seq - h->org) & ~(BLK - 1); a < end - h->org; a += BLK)
			need += !blk_at(pool, h, a >> BLK_SHIFT);
	}
	if (need > pool->nfree)
		return -ENOSPC;
	if (!h) {
		i = unit_get(pool); /* counted above: never 0 */
		h = &pool->mem[i - 1].h;
		memset(h, 0, sizeof(*h));
		h->org = s->next_seq & ~(BLK - 1);
		s->held = h;
	}
	resolve_held(s, pool, pol, seq, d, len, diff);
	for (a = seq - h->org, e = end - h->org; a < e;) {
		uint32_t *slot = &h->slot[(h->head + (a >> BLK_SHIFT)) % NSLOT];
		uint32_t o = a & (BLK - 1), k = BLK - o < e - a ? BLK - o : e - a;

		if (!*slot) {
			struct blk *nb;

			*slot = unit_get(pool);
			nb = &pool->mem[*slot - 1].b;
			memset(nb->map, 0, sizeof(nb->map));
			memset(nb->first, 0, sizeof(nb->first));
			memset(nb->last, 0, sizeof(nb->last));
		}
		s->held_bytes += blk_put(&pool->mem[*slot - 1].b, o, k, d + (a - (seq - h->org)), &ovl);
		a += k;
	}
	bit_set(pool, h, seq - h->org, M_FIRST);
	bit_set(pool, h, end - 1 - h->org, M_LAST);
	if (ovl)
		st->overlap++;
	return 0;
}

/*
 * Give up every held byte of direction @dir: each run of contiguous held
 * bytes goes to the pool's gap callback (in pieces of at most @scratch_len),
 * then every unit goes back to the pool.
 */
static void give_up(struct sw_flow *f, int dir, struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len,
		    struct sw_stream_stats *st)
{
	struct sw_stream_dir *s = &f->stream[dir];
	struct sw_stream_held *h = s->held;
	uint32_t a = 0, e = NSLOT * BLK;

	if (!h)
		return;
	while ((a = scan(pool, h, a, e, true)) < e) {
		uint32_t run = scan(pool, h, a, e, false) - a;

		while (run) {
			uint32_t n = run < scratch_len ? run : (uint32_t)scratch_len;
			uint64_t base = s->stream_off + (uint32_t)(h->org + a - s->next_seq);

			if (n == 0) /* no scratch at all: released without inspection */
				break;
			take_held(s, pool, a, n, scratch);
			st->gap++;
			if (pool->gap)
				pool->gap(pool->ctx, f, dir, scratch, n, base);
			a += n;
			run -= n;
		}
		if (run)
			break;
	}
	held_release(s, pool);
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
 * every held byte that is contiguous with them (where they overlap the
 * segment, held bytes carry what policy @pol decided).
 */
static void take(struct sw_stream_dir *s, struct sw_stream_pool *pool, enum sw_stream_policy pol, const uint8_t *d,
		 uint32_t seq, uint32_t end, uint32_t window, uint8_t *scratch, size_t scratch_len,
		 struct sw_stream_view *v, bool *diff, struct sw_stream_stats *st)
{
	uint32_t cur = s->next_seq;
	size_t n = 0, room;
	bool ovl = false;

	held_advance(s, pool);
	/* Held bytes the segment overlaps: the policy says whose they are. */
	resolve_held(s, pool, pol, seq, d, end - seq, diff);
	if (s->tail_len > window)
		s->tail_len = 0;
	memcpy(scratch, s->tail, s->tail_len);
	room = scratch_len - s->tail_len;
	for (;;) {
		const struct sw_stream_held *h = s->held;
		uint32_t a = h ? rel(h, cur) : 0, k;

		if (h && a < NSLOT * BLK && scan(pool, h, a, a + 1, true) == a) {
			/* Held bytes at cur: the whole run, they arrived first. */
			k = scan(pool, h, a, NSLOT * BLK, false) - a;
			if (k > room - n)
				k = (uint32_t)(room - n);
			if (k == 0)
				break;
			take_held(s, pool, a, k, scratch + s->tail_len + n);
			if (seq_lt(cur, end))
				ovl = true;
			st->held_flushed += k;
		} else if (seq_lt(cur, end)) {
			/* The segment's bytes up to the next held byte. */
			k = end - cur;
			if (h) {
				uint32_t e = rel(h, end), next = scan(pool, h, a, e, true);

				if (next < e)
					k = next - a;
			}
			if (k > room - n)
				k = (uint32_t)(room - n);
			if (k == 0)
				break;
			memcpy(scratch + s->tail_len + n, d + (cur - seq), k);
		} else {
			break;
		}
		n += k;
		cur += k;
	}
	if (ovl)
		st->overlap++;
	view_keep(s, scratch, (uint32_t)n, window, v);
	s->next_seq = cur;
	held_advance(s, pool);
}

/* A view with no new bytes: stream rules see nothing new, packet rules the packet. */
static void empty(const struct sw_stream_dir *s, uint8_t *scratch, struct sw_stream_view *v)
{
	v->data = scratch;
	v->len = 0;
	v->new_off = 0;
	v->base = s->stream_off;
	v->in_stream = true;
}

/*
 * Whether the session is reassembled, as Suricata decides it: a handshake
 * seen both ways always; only the client's SYN with stream.async-oneside;
 * only the server's SYN-ACK with stream.midstream or async-oneside; no SYN
 * at all with stream.midstream.
 */
static bool reasm_ok(const struct sw_flow *f, const struct sw_stream_config *cfg)
{
	bool cli = f->stream[0].syn_seen, srv = f->stream[1].syn_seen;

	if (!cfg || (cli && srv))
		return true;
	if (cli)
		return cfg->async_oneside;
	if (srv)
		return cfg->midstream || cfg->async_oneside;
	return cfg->midstream;
}

/* Direction @s has now inspected stream.reassembly.depth bytes: stop there. */
static void depth_check(struct sw_stream_dir *s, const struct sw_stream_config *cfg, struct sw_stream_pool *pool,
			struct sw_stream_stats *st)
{
	if (!cfg || !cfg->depth || s->depth_reached || s->stream_off < cfg->depth)
		return;
	s->depth_reached = true;
	st->depth_reached++;
	/* Held bytes lie past the depth (hold() never keeps any before it). */
	if (pool)
		held_release(s, pool);
}

int sw_stream_packet(const struct sw_packet *p, uint32_t window, const struct sw_stream_config *cfg,
		     struct sw_stream_pool *pool, uint8_t *scratch, size_t scratch_len, struct sw_stream_view *v,
		     struct sw_stream_stats *st)
{
	struct sw_flow *f = p->flow;
	struct sw_stream_dir *s, *o;
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->tcp_seq, len = p->payload_len, end, skip, real_end, lo = UINT32_MAX, hi = 0;
	enum sw_stream_policy pol;
	bool diff = false;
	int dir;

	bare(p, v);
	if (!f || !p->l4_ok || p->proto != 6)
		return 0;
	dir = p->to_server ? 0 : 1;
	s = &f->stream[dir];
	o = &f->stream[!dir];
	if (fl & SW_TCP_RST)
		return 0; /* a reset's payload is not stream data */
	/*
	 * What this packet tells the other direction's sender: how far its
	 * bytes are acknowledged, and the window for more (scaled only when
	 * both SYNs carried the option, RFC 7323 2.2; never in a SYN).
	 */
	if (fl & SW_TCP_ACK) {
		if (!o->ack_known || seq_lt(o->acked, p->tcp_ack))
			o->acked = p->tcp_ack;
		o->ack_known = true;
		o->win = (uint32_t)p->tcp_win
			 << (!(fl & SW_TCP_SYN) && s->wscale_seen && o->wscale_seen ? s->wscale : 0);
		o->win_known = true;
	}
	if (!s->policy)
		s->policy = (uint8_t)sw_stream_policy_for(cfg, &p->dst);
	pol = s->policy;
	if (fl & SW_TCP_SYN)
		s->syn_seen = true;
	/* Data on the SYN itself (TCP Fast Open) belongs to the handshake being seen. */
	if (len && !(fl & SW_TCP_SYN) && !reasm_ok(f, cfg)) {
		/* Not a session Suricata would reassemble: packets alone, sequence still tracked. */
		st->not_reassembled++;
		window = 0;
	}
	if (window == 0 || !s->tail)
		pool = NULL; /* no stream matching: nothing to hold for */

	if (fl & SW_TCP_SYN) {
		if (p->tcp_has_wscale) {
			s->wscale_seen = true;
			s->wscale = p->tcp_wscale > 14 ? 14 : p->tcp_wscale; /* RFC 7323 2.3 */
		}
		/* A SYN (or a SYN with a new ISN before any data) sets the ISN. */
		if (!s->has_isn || (s->stream_off == 0 && s->isn != seq)) {
			if (pool)
				give_up(f, dir, pool, scratch, scratch_len, st);
			s->has_isn = true;
			s->isn = seq;
			s->next_seq = seq + 1;
			s->in_sync = true;
			s->tail_len = 0;
			s->fin = false; /* a FIN of what came before is not in this sequence space */
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
	if (len && s->in_sync && s->fin && seq_lt(s->next_seq, seq + len)) {
		/*
		 * Bytes past the FIN: a receiver that took the FIN drops them
		 * (Linux), so they are not stream data here either.  Appended,
		 * they sat one sequence number off in the tail (the FIN's number
		 * has no byte) and every later overlap resolved against the wrong
		 * bytes (fuzz_stream).  What comes before next_seq stays a
		 * retransmission, as before.
		 */
		len = seq_lt(seq, s->next_seq) ? s->next_seq - seq : 0;
	}
	if (len && s->in_sync && s->depth_reached) {
		/* Past stream.reassembly.depth: follow the sequence numbers, inspect nothing. */
		if (seq_lt(s->next_seq, seq + len))
			s->next_seq = seq + len;
		if (window)
			empty(s, scratch, v);
		goto fin;
	}
	if (len && s->in_sync) {
		end = seq + len;
		if (seq_leq(end, s->next_seq)) {
			st->retransmitted++;
			if (window == 0 || !s->tail)
				return 0; /* no stream matching: the bare packet, as for every packet */
			/*
			 * A keep-alive probe repeats the last byte sent, with any
			 * value in it (RFC 1122 4.2.3.6): not data, not an overlap
			 * (Suricata's StreamTcpPacketIsKeepAlive).
			 */
			if (len == 1 && !s->fin && end == s->next_seq && !(fl & (SW_TCP_SYN | SW_TCP_FIN))) {
				empty(s, scratch, v);
				return 0;
			}
			/*
			 * Inspected already: the same bytes again get a view
			 * with nothing new (no second alert); bytes that differ
			 * and that the policy gives to this segment are
			 * inspected, from the first one replaced.
			 */
			lo = resolve_tail(s, pol, seq, p->payload, len, &diff, &hi);
			if (diff)
				st->overlap_diff++;
			if (lo == UINT32_MAX) {
				empty(s, scratch, v);
				return 0;
			}
			memcpy(scratch, s->tail, hi);
			v->data = scratch;
			v->len = hi;
			v->new_off = lo;
			v->base = s->stream_off - s->tail_len;
			v->in_stream = true;
			return 0;
		}
		if (seq_lt(s->next_seq, seq)) {
			/* Gap: data is missing, do not join what is not contiguous. */
			st->out_of_order++;
			if (pool && cfg && cfg->depth) {
				/* Never hold a byte past the depth: it would not be inspected. */
				uint64_t room = cfg->depth - s->stream_off;

				if (seq - s->next_seq >= room) {
					empty(s, scratch, v);
					return 0;
				}
				if ((uint64_t)(end - s->next_seq) > room)
					len = (uint32_t)(room - (seq - s->next_seq));
			}
			if (pool) {
				if (hold(s, pool, pol, seq, p->payload, len, &diff, st) == 0) {
					/* Held: packet rules only, the stream sees it once the gap fills. */
					st->held++;
					if (diff)
						st->overlap_diff++;
					empty(s, scratch, v);
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
		if (skip) {
			st->overlap++;
			if (window && s->tail)
				lo = resolve_tail(s, pol, seq, p->payload, len, &diff, &hi);
		}
		real_end = end;
		if (cfg && cfg->depth && (uint64_t)(end - s->next_seq) > cfg->depth - s->stream_off)
			end = s->next_seq + (uint32_t)(cfg->depth - s->stream_off);
		if (pool && s->held) {
			take(s, pool, pol, p->payload, seq, end, window, scratch, scratch_len, v, &diff, st);
		} else {
			append(s, p->payload + skip, end - s->next_seq, window, scratch, scratch_len, p, v);
			s->next_seq = end;
		}
		/* Bytes after a FIN (bogus, but seen): the tail ends at next_seq again. */
		s->fin = false;
		/* Inspected bytes this segment replaced are new to the rules again. */
		if (lo != UINT32_MAX && v->in_stream && lo < v->new_off)
			v->new_off = lo;
		s->last_seq = seq;
		if (diff)
			st->overlap_diff++;
		st->segments++;
		depth_check(s, cfg, pool, st);
		if (s->depth_reached && seq_lt(s->next_seq, real_end))
			s->next_seq = real_end;
	}
fin:
	/* The FIN takes one sequence number, after the data. */
	if ((fl & SW_TCP_FIN) && s->in_sync && !s->fin && s->next_seq == seq + len) {
		s->next_seq++;
		s->fin = true;
	}
	return 0;
}
