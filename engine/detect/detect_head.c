/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Head matcher: the literals that must end within a buffer's first few bytes
 * (SW_HEAD_MAX, detect.c), found by a table lookup at each position instead
 * of a Hyperscan scan.
 *
 * Why not Hyperscan: the buffers are at most a few dozen bytes, and a
 * Hyperscan call costs a fixed ~300 cycles before the first byte (rdtsc on
 * public-mix with ET Open: 48,109 head scans of each of two databases took 28
 * M cycles for 1.4 MB, against 60 M for the 19 MB of the stream scans).  Its
 * compiler also took 1.4 s of the ruleset's start-up and 85 MB for ET's 620
 * TCP head literals.  Here a position costs one load from an 8 KB bitmap of
 * the literals' first two bytes, and a hash probe on a hit.
 *
 * Every occurrence is reported, in order of start offset, through the
 * Hyperscan callback type, so that detect.c's match handler (which filters
 * by end offset and kind, and de-duplicates) serves both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

static uint8_t fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static uint32_t hkey(uint16_t k, uint32_t mask)
{
	return (uint32_t)(k * 40503u) >> 4 & mask;
}

/* The keys a literal's first two bytes (or its one byte) take: both cases of each letter if caseless. */
static uint32_t variants(const uint8_t *p, uint32_t n, bool nocase, uint16_t out[4])
{
	uint8_t a[2][2];
	uint32_t na[2], k = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t lo = fold(p[i]), up = lo >= 'a' && lo <= 'z' ? (uint8_t)(lo - 32) : lo;

		a[i][0] = nocase ? lo : p[i];
		a[i][1] = up;
		na[i] = nocase && lo != up ? 2 : 1;
	}
	if (n == 1) {
		for (uint32_t x = 0; x < na[0]; x++)
			out[k++] = a[0][x];
		return k;
	}
	for (uint32_t x = 0; x < na[0]; x++)
		for (uint32_t y = 0; y < na[1]; y++)
			out[k++] = (uint16_t)(a[0][x] | a[1][y] << 8);
	return k;
}

struct hkey_ent {
	uint16_t key;
	bool one;     /* a one-byte literal's key (the byte), apart from a two-byte key of the same value */
	uint32_t ent; /* index into h->ent */
};

static int cmp_hkey_ent(const void *a, const void *b)
{
	const struct hkey_ent *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->one != y->one)
		return x->one ? -1 : 1;
	return x->ent < y->ent ? -1 : x->ent > y->ent;
}

void sw_head_free(struct sw_head *h)
{
	free(h->ent);
	free(h->bytes);
	free(h->slot);
	free(h->list);
	memset(h, 0, sizeof(*h));
}

int sw_head_build(struct sw_head *h, const char *const *expr, const size_t *lens, const unsigned *caseless,
		  const uint8_t *maxstart, const uint32_t *ids, uint32_t n)
{
	struct hkey_ent *ke = NULL;
	size_t nbytes = 0, nk = 0, nslot = 16;
	int ret = -ENOMEM;

	memset(h, 0, sizeof(*h));
	for (uint32_t i = 0; i < n; i++) {
		if (lens[i] == 0 || lens[i] > UINT8_MAX)
			return -EINVAL;
		nbytes += lens[i];
	}
	h->ent = calloc(n ? n : 1, sizeof(*h->ent));
	h->bytes = malloc(nbytes ? nbytes : 1);
	ke = malloc((n ? n : 1) * 4 * sizeof(*ke));
	if (!h->ent || !h->bytes || !ke)
		goto out;
	nbytes = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct sw_head_ent *e = &h->ent[i];
		uint16_t v[4];
		uint32_t nv;

		e->id = ids[i];
		e->len = (uint8_t)lens[i];
		e->nocase = caseless[i] != 0;
		e->maxstart = maxstart[i];
		if (e->maxstart > h->maxstart)
			h->maxstart = e->maxstart;
		e->off = (uint32_t)nbytes;
		for (size_t b = 0; b < lens[i]; b++) /* caseless literals are compared folded */
			h->bytes[nbytes + b] = e->nocase ? fold((uint8_t)expr[i][b]) : (uint8_t)expr[i][b];
		nbytes += lens[i];
		nv = variants((const uint8_t *)expr[i], e->len >= 2 ? 2 : 1, e->nocase, v);
		for (uint32_t x = 0; x < nv; x++) {
			uint64_t *bm = e->len == 1 ? h->bm1 : h->bm2, *bmf = e->len == 1 ? h->bm1f : h->bm2f;
			uint8_t fb = (uint8_t)v[x];

			bm[v[x] >> 6] |= 1ull << (v[x] & 63);
			h->first[fb >> 6] |= 1ull << (fb & 63);
			if (e->maxstart > 0) {
				bmf[v[x] >> 6] |= 1ull << (v[x] & 63);
				h->firstf[fb >> 6] |= 1ull << (fb & 63);
			}
			ke[nk++] = (struct hkey_ent){v[x], e->len == 1, i};
		}
	}
	/* one slot per (key, kind), its literals a run of h->list */
	qsort(ke, nk, sizeof(*ke), cmp_hkey_ent);
	h->list = malloc((nk ? nk : 1) * sizeof(*h->list));
	if (!h->list)
		goto out;
	while (nslot < 2 * nk)
		nslot *= 2;
	h->slot = calloc(nslot, sizeof(*h->slot));
	if (!h->slot)
		goto out;
	h->mask = (uint32_t)nslot - 1;
	for (size_t i = 0; i < nk;) {
		size_t j = i;
		uint32_t s;

		while (j < nk && ke[j].key == ke[i].key && ke[j].one == ke[i].one)
			j++;
		for (s = hkey(ke[i].key, h->mask); h->slot[s].n; s = (s + 1) & h->mask)
			;
		h->slot[s] = (struct sw_head_slot){ke[i].key, ke[i].one, (uint32_t)h->nlist, (uint32_t)(j - i)};
		for (size_t q = i; q < j; q++)
			h->list[h->nlist++] = ke[q].ent;
		i = j;
	}
	h->n = n;
	ret = 0;
out:
	free(ke);
	if (ret < 0)
		sw_head_free(h);
	return ret;
}

static const struct sw_head_slot *lookup(const struct sw_head *h, uint16_t key, bool one)
{
	for (uint32_t s = hkey(key, h->mask);; s = (s + 1) & h->mask) {
		const struct sw_head_slot *sl = &h->slot[s];

		if (sl->n == 0)
			return NULL;
		if (sl->key == key && sl->one == one)
			return sl;
	}
}

static bool same(const uint8_t *b, const uint8_t *p, uint32_t n, bool nocase)
{
	if (!nocase)
		return memcmp(b, p, n) == 0;
	for (uint32_t i = 0; i < n; i++)
		if (fold(b[i]) != p[i])
			return false;
	return true;
}

/*
 * Report the entries of slot @sl occurring at @b[@s] (@len bytes in all)
 * that may start @at bytes into an inspected buffer; nonzero: the callback
 * stopped.
 */
static int report(const struct sw_head *h, const struct sw_head_slot *sl, const uint8_t *b, uint32_t s,
		  uint32_t len, uint32_t at, match_event_handler cb, void *ctx)
{
	for (uint32_t i = 0; sl && i < sl->n; i++) {
		const struct sw_head_ent *e = &h->ent[h->list[sl->first + i]];

		if (e->maxstart < at || e->len > len - s || !same(b + s, h->bytes + e->off, e->len, e->nocase))
			continue;
		if (cb(e->id, s, (unsigned long long)s + e->len, 0, ctx))
			return 1;
	}
	return 0;
}

static bool bit(const uint64_t *bm, uint32_t k)
{
	return bm[k >> 6] >> (k & 63) & 1;
}

/*
 * The literals of bitmaps @first/@bm1/@bm2 occurring at @b[@s], @at bytes
 * into an inspected buffer; nonzero: the callback stopped.
 */
static inline int at_pos(const struct sw_head *h, const uint64_t *first, const uint64_t *bm1, const uint64_t *bm2,
			 const uint8_t *b, uint32_t s, uint32_t len, uint32_t at, match_event_handler cb, void *ctx)
{
	uint8_t c = b[s];

	if (!bit(first, c))
		return 0;
	if (bit(bm1, c) && report(h, lookup(h, c, true), b, s, len, at, cb, ctx))
		return 1;
	if (s + 1 < len) {
		uint16_t k = (uint16_t)(c | b[s + 1] << 8);

		if (bit(bm2, k) && report(h, lookup(h, k, false), b, s, len, at, cb, ctx))
			return 1;
	}
	return 0;
}

/* Positions [@from, @to) of @b, each position - @org bytes into its inspected buffer. */
static int scan_range(const struct sw_head *h, const uint8_t *b, uint32_t len, int64_t from, int64_t to,
		      int64_t org, match_event_handler cb, void *ctx)
{
	uint32_t s;

	if (from < 0)
		from = 0;
	if (to > len)
		to = len;
	if (from >= to)
		return 0;
	s = (uint32_t)from;
	if ((int64_t)s == org && at_pos(h, h->first, h->bm1, h->bm2, b, s++, len, 0, cb, ctx))
		return 1;
	/* past an inspected buffer's first byte only the few literals that may start there */
	for (; (int64_t)s < to; s++)
		if (at_pos(h, h->firstf, h->bm1f, h->bm2f, b, s, len, (uint32_t)((int64_t)s - org), cb, ctx))
			return 1;
	return 0;
}

int sw_head_scan(const struct sw_head *h, const uint8_t *b, uint32_t len, int64_t org_a, int64_t org_b,
		 match_event_handler cb, void *ctx)
{
	int64_t a_end = org_a + h->maxstart + 1;

	if (h->n == 0)
		return 0;
	/* from org_a until org_b takes over (nearer), then from org_b */
	if (org_a < org_b && scan_range(h, b, len, org_a, a_end < org_b ? a_end : org_b, org_a, cb, ctx))
		return 1;
	return scan_range(h, b, len, org_b, org_b + h->maxstart + 1, org_b, cb, ctx);
}
