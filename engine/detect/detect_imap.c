/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interval maps: one lookup structure over the address (or port) intervals
 * of many rules at once.  An IP-reputation ruleset of 1,200 rules with 50
 * addresses each becomes ~120,000 sorted segment starts; a packet's address
 * costs one binary search instead of 1,200 per-rule checks.
 */
#include <errno.h>
#include <stdlib.h>

#include "detect_int.h"

static int cmp_key(const void *a, const void *b)
{
	return k128_cmp(*(const struct k128 *)a, *(const struct k128 *)b);
}

static struct k128 k128_inc(struct k128 k)
{
	if (++k.lo == 0)
		k.hi++;
	return k;
}

static bool k128_is_max(struct k128 k)
{
	return k.hi == UINT64_MAX && k.lo == UINT64_MAX;
}

/* Index of the last segment whose start is <= @k, or -1. */
static int64_t seg_of(const struct imap *m, struct k128 k)
{
	int64_t lo = 0, hi = (int64_t)m->nseg - 1, r = -1;

	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (k128_cmp(m->start[mid], k) <= 0) {
			r = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return r;
}

/* Segments [*a, *b] covered by @v (the interval's ends are segment starts or ends by construction). */
static void span_of(const struct imap *m, const struct ival *v, int64_t *a, int64_t *b)
{
	*a = seg_of(m, v->lo);
	if (k128_is_max(v->hi))
		*b = (int64_t)m->nseg - 1;
	else
		*b = seg_of(m, k128_inc(v->hi)) - 1;
}

static int cmp_ival_id(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return k128_cmp(x->lo, y->lo);
}

int sw_imap_build(struct imap *m, struct ival *iv, size_t n, uint32_t span_limit, uint32_t *demoted,
		  size_t *n_demoted, bool v4)
{
	struct k128 *keys = NULL;
	size_t nk = 0, total = 0;
	uint8_t *drop = NULL;
	uint32_t max_id = 0;
	int ret = -ENOMEM;

	*m = (struct imap){0};
	*n_demoted = 0;
	if (n == 0)
		return 0;
	keys = malloc(2 * n * sizeof(*keys));
	if (!keys)
		goto out;
	for (size_t i = 0; i < n; i++) {
		keys[nk++] = iv[i].lo;
		if (!k128_is_max(iv[i].hi))
			keys[nk++] = k128_inc(iv[i].hi);
		if (iv[i].id > max_id)
			max_id = iv[i].id;
	}
	qsort(keys, nk, sizeof(*keys), cmp_key);
	m->nseg = 0;
	for (size_t i = 0; i < nk; i++)
		if (m->nseg == 0 || k128_cmp(keys[m->nseg - 1], keys[i]) != 0)
			keys[m->nseg++] = keys[i];
	m->start = keys;
	keys = NULL;

	/* Pass 1: span per rule; rules over the limit are demoted. */
	qsort(iv, n, sizeof(*iv), cmp_ival_id);
	drop = calloc((size_t)max_id + 1, 1);
	m->off = calloc((size_t)m->nseg + 1, sizeof(*m->off));
	if (!drop || !m->off)
		goto out;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t span = 0;

		for (; j < n && iv[j].id == iv[i].id; j++) {
			int64_t a, b;

			span_of(m, &iv[j], &a, &b);
			span += (uint64_t)(b - a + 1);
		}
		if (span > span_limit) {
			drop[iv[i].id] = 1;
			demoted[(*n_demoted)++] = iv[i].id;
		} else {
			total += span;
		}
		i = j;
	}
	/* Pass 2: count per segment, prefix sums, fill. */
	for (size_t i = 0; i < n; i++) {
		int64_t a, b;

		if (drop[iv[i].id])
			continue;
		span_of(m, &iv[i], &a, &b);
		for (int64_t s = a; s <= b; s++)
			m->off[s + 1]++;
	}
	for (uint32_t s = 0; s < m->nseg; s++)
		m->off[s + 1] += m->off[s];
	m->ids = malloc((total ? total : 1) * sizeof(*m->ids));
	if (!m->ids)
		goto out;
	{
		uint32_t *fill = calloc(m->nseg, sizeof(*fill));

		if (!fill)
			goto out;
		for (size_t i = 0; i < n; i++) {
			int64_t a, b;

			if (drop[iv[i].id])
				continue;
			span_of(m, &iv[i], &a, &b);
			for (int64_t s = a; s <= b; s++)
				m->ids[m->off[s] + fill[s]++] = iv[i].id;
		}
		free(fill);
	}
	if (v4 && m->nseg > 8) {
		uint32_t s = 0;

		m->top = malloc(65537 * sizeof(*m->top));
		if (!m->top)
			goto out;
		for (uint32_t h = 0; h <= 65536; h++) {
			struct k128 k = {0, (uint64_t)h << 16};

			while (s < m->nseg && k128_cmp(m->start[s], k) < 0)
				s++;
			m->top[h] = s;
		}
		m->occ = calloc(1u << 14, sizeof(*m->occ));
		if (!m->occ)
			goto out;
		for (uint32_t i = 0; i < m->nseg; i++) {
			uint64_t a = m->start[i].lo, b;

			if (m->off[i + 1] == m->off[i] || m->start[i].hi || a > UINT32_MAX)
				continue;
			b = i + 1 < m->nseg ? m->start[i + 1].lo - 1 : UINT32_MAX;
			if (b > UINT32_MAX)
				b = UINT32_MAX;
			for (uint64_t blk = a >> 12; blk <= b >> 12; blk++)
				m->occ[blk / 64] |= 1ull << (blk % 64);
		}
	}
	if (!v4 && m->nseg > 0 && m->start[m->nseg - 1].hi == 0 && m->start[m->nseg - 1].lo <= 65536) {
		/* a port or protocol map: one bit per key below 65536 */
		m->occ16 = calloc(1024, sizeof(*m->occ16));
		if (!m->occ16)
			goto out;
		for (uint32_t i = 0; i < m->nseg; i++) {
			uint64_t b = i + 1 < m->nseg ? m->start[i + 1].lo - 1 : 65535;

			for (uint64_t x = m->start[i].lo; m->off[i + 1] > m->off[i] && x <= b && x < 65536; x++)
				m->occ16[x / 64] |= 1ull << (x % 64);
		}
	}
	ret = 0;
out:
	free(keys);
	free(drop);
	if (ret < 0)
		sw_imap_free(m);
	return ret;
}

void sw_imap_free(struct imap *m)
{
	free(m->start);
	free(m->off);
	free(m->ids);
	free(m->top);
	free(m->occ);
	free(m->occ16);
	*m = (struct imap){0};
}

const uint32_t *sw_imap_lookup(const struct imap *m, struct k128 k, uint32_t *n)
{
	int64_t s;

	*n = 0;
	if (m->nseg == 0)
		return NULL;
	if (m->occ16 && k.hi == 0 && k.lo < 65536 && !(m->occ16[k.lo / 64] >> (k.lo % 64) & 1))
		return NULL;
	if (m->top && k.hi == 0 && k.lo <= UINT32_MAX) {
		/* segments starting inside k's /16 are top[h]..top[h+1]-1; before them, top[h]-1 */
		uint32_t h = (uint32_t)(k.lo >> 16), lo, hi, blk = (uint32_t)(k.lo >> 12);

		if (!(m->occ[blk / 64] >> (blk % 64) & 1))
			return NULL;
		lo = m->top[h];
		hi = m->top[h + 1];
		s = (int64_t)lo - 1;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (k128_cmp(m->start[mid], k) <= 0) {
				s = mid;
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
	} else {
		s = seg_of(m, k);
	}
	if (s < 0)
		return NULL;
	*n = m->off[s + 1] - m->off[s];
	return m->ids + m->off[s];
}
