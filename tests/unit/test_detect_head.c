/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The head matcher (engine/detect/detect_head.c): every occurrence of every
 * literal, caseless ones in both cases, one-byte literals beside two-byte
 * ones with the same key value, the callback stopping the scan, bad
 * literals refused, the latest start offsets from one origin or two; and a
 * randomized comparison against a brute-force search over small alphabets,
 * where occurrences are dense.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/detect/detect_int.h"

#define MAXHITS 4096

struct hits {
	uint32_t n, stop_after;
	struct {
		unsigned id;
		unsigned long long from, to;
	} h[MAXHITS];
};

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	struct hits *x = ctx;

	assert_int_equal(flags, 0);
	assert_true(x->n < MAXHITS);
	x->h[x->n].id = id;
	x->h[x->n].from = from;
	x->h[x->n].to = to;
	x->n++;
	return x->stop_after && x->n == x->stop_after;
}

static bool has(const struct hits *x, unsigned id, unsigned long long from, unsigned long long to)
{
	for (uint32_t i = 0; i < x->n; i++)
		if (x->h[i].id == id && x->h[i].from == from && x->h[i].to == to)
			return true;
	return false;
}

/* @lens: 0 for strlen() */
static void build(struct sw_head *h, const char **lits, const size_t *len0, const unsigned *nocase, uint32_t n)
{
	size_t lens[64];
	uint32_t ids[64];
	uint8_t maxstart[64];

	assert_true(n <= 64);
	for (uint32_t i = 0; i < n; i++) {
		lens[i] = len0[i] ? len0[i] : strlen(lits[i]);
		ids[i] = 100 + i; /* reported ids are the caller's, not indexes */
		maxstart[i] = 255;
	}
	assert_int_equal(sw_head_build(h, lits, lens, nocase, maxstart, ids, n), 0);
}

static void test_basic(void **state)
{
	const char *lits[] = {"ab", "A", "abc", "\x41\x00", "Xy", "b"};
	const unsigned nocase[] = {0, 0, 0, 0, 1, 0};
	const size_t lens[] = {0, 0, 0, 2, 0, 0};
	const uint8_t buf[] = "abcA\x00xYXYab";
	struct sw_head h;
	struct hits *x = calloc(1, sizeof(*x));

	(void)state;
	assert_non_null(x);
	build(&h, lits, lens, nocase, 6);
	assert_int_equal(sw_head_scan(&h, buf, sizeof(buf) - 1, 0, 0, on_hit, x), 0);
	assert_true(has(x, 100, 0, 2));  /* ab */
	assert_true(has(x, 100, 9, 11)); /* ab at the very end */
	assert_true(has(x, 102, 0, 3));  /* abc */
	assert_true(has(x, 101, 3, 4));  /* A, one byte, key 0x41 */
	assert_true(has(x, 103, 3, 5));  /* "A\0": a two-byte key with the same low byte */
	assert_true(has(x, 104, 5, 7));  /* xY, caseless */
	assert_true(has(x, 104, 7, 9));  /* XY */
	assert_true(has(x, 105, 1, 2));  /* b */
	assert_true(has(x, 105, 10, 11));
	assert_int_equal(x->n, 9);
	/* in order of start offset */
	for (uint32_t i = 1; i < x->n; i++)
		assert_true(x->h[i - 1].from <= x->h[i].from);
	/* a literal longer than what is left is not read past the end */
	x->n = 0;
	assert_int_equal(sw_head_scan(&h, buf, 2, 0, 0, on_hit, x), 0);
	assert_int_equal(x->n, 2); /* ab, b */
	/* the callback stops the scan */
	x->n = 0;
	x->stop_after = 2;
	assert_int_equal(sw_head_scan(&h, buf, sizeof(buf) - 1, 0, 0, on_hit, x), 1);
	assert_int_equal(x->n, 2);
	sw_head_free(&h);
	free(x);
}

/* latest starts: from one origin (a packet), from two (a stream scan's old bytes, then the packet) */
static void test_maxstart(void **state)
{
	const char *lits[] = {"ab", "ab"};
	const size_t lens[] = {2, 2};
	const unsigned nocase[] = {0, 0};
	const uint8_t maxstart[] = {0, 2}; /* startswith; within the first 4 bytes */
	const uint32_t ids[] = {1, 2};
	const uint8_t buf[] = "abxabab";
	struct sw_head h;
	struct hits *x = calloc(1, sizeof(*x));

	(void)state;
	assert_non_null(x);
	assert_int_equal(sw_head_build(&h, lits, lens, nocase, maxstart, ids, 2), 0);
	assert_int_equal(sw_head_scan(&h, buf, 7, 0, 0, on_hit, x), 0);
	assert_int_equal(x->n, 2);
	assert_true(has(x, 1, 0, 2));
	assert_true(has(x, 2, 0, 2));
	/* the buffer starts 3 bytes before the inspected one (old stream bytes): "ab" at 3 is its start */
	x->n = 0;
	assert_int_equal(sw_head_scan(&h, buf, 7, 3, 3, on_hit, x), 0);
	assert_int_equal(x->n, 3);
	assert_true(has(x, 1, 3, 5));
	assert_true(has(x, 2, 3, 5));
	assert_true(has(x, 2, 5, 7));
	/* two origins: the stream's at 0, the packet's at 5 */
	x->n = 0;
	assert_int_equal(sw_head_scan(&h, buf, 7, 0, 5, on_hit, x), 0);
	assert_int_equal(x->n, 4);
	assert_true(has(x, 1, 0, 2) && has(x, 2, 0, 2) && has(x, 1, 5, 7) && has(x, 2, 5, 7));
	sw_head_free(&h);
	free(x);
}

static void test_empty_and_bad(void **state)
{
	const char *lits[] = {"", "x"};
	size_t lens[] = {0, 1}, big[] = {300};
	unsigned nocase[] = {0, 0};
	uint8_t maxstart[] = {0, 0};
	uint32_t ids[] = {1, 2};
	struct sw_head h;
	struct hits x = {0};
	char *longlit = calloc(1, 301);

	(void)state;
	assert_int_equal(sw_head_build(&h, lits, lens, nocase, maxstart, ids, 2), -EINVAL);
	assert_non_null(longlit);
	memset(longlit, 'a', 300);
	assert_int_equal(sw_head_build(&h, (const char *const *)&longlit, big, nocase, maxstart, ids, 1), -EINVAL);
	free(longlit);
	/* no literals: a scan reports nothing */
	assert_int_equal(sw_head_build(&h, lits, lens, nocase, maxstart, ids, 0), 0);
	assert_int_equal(sw_head_scan(&h, (const uint8_t *)"xx", 2, 0, 0, on_hit, &x), 0);
	assert_int_equal(x.n, 0);
	sw_head_free(&h);
}

static bool brute_at(const uint8_t *b, uint32_t len, uint32_t s, const char *lit, size_t n, bool nocase)
{
	if (s + n > len)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t x = b[s + i], y = (uint8_t)lit[i];

		if (nocase ? tolower(x) != tolower(y) : x != y)
			return false;
	}
	return true;
}

static bool in_reach(uint32_t s, int64_t org, uint8_t maxstart)
{
	return (int64_t)s >= org && (int64_t)s - org <= maxstart;
}

static void test_random(void **state)
{
	/* letters of both cases and two binary bytes: caseless and colliding keys everywhere */
	static const uint8_t alpha[] = {'a', 'A', 'b', 'B', 0x00, 0x41};
	struct hits *x = calloc(1, sizeof(*x));
	unsigned seed = 12345;

	(void)state;
	assert_non_null(x);
	for (int round = 0; round < 300; round++) {
		char store[40][8];
		const char *lits[40];
		size_t lens[40];
		unsigned nocase[40];
		uint32_t ids[40], n = 1 + (uint32_t)(rand_r(&seed) % 40), len = (uint32_t)(rand_r(&seed) % 48);
		uint8_t maxstart[40];
		/* origins before, inside and after the buffer; org_a <= org_b */
		int64_t org_a = (int64_t)(rand_r(&seed) % 64) - 24, org_b = org_a + (int64_t)(rand_r(&seed) % 40);
		uint8_t buf[48];
		uint32_t expect = 0;
		struct sw_head h;

		for (uint32_t i = 0; i < n; i++) {
			lens[i] = 1 + (size_t)(rand_r(&seed) % 4);
			for (size_t k = 0; k < lens[i]; k++)
				store[i][k] = (char)alpha[rand_r(&seed) % sizeof(alpha)];
			lits[i] = store[i];
			nocase[i] = rand_r(&seed) % 2;
			maxstart[i] = (uint8_t)(rand_r(&seed) % 3 ? rand_r(&seed) % 16 : 255);
			ids[i] = i;
		}
		for (uint32_t k = 0; k < len; k++)
			buf[k] = alpha[rand_r(&seed) % sizeof(alpha)];
		assert_int_equal(sw_head_build(&h, lits, lens, nocase, maxstart, ids, n), 0);
		x->n = 0;
		assert_int_equal(sw_head_scan(&h, buf, len, org_a, org_b, on_hit, x), 0);
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t s = 0; s < len; s++)
				if (brute_at(buf, len, s, lits[i], lens[i], nocase[i]) &&
				    (in_reach(s, org_a, maxstart[i]) || in_reach(s, org_b, maxstart[i]))) {
					assert_true(has(x, i, s, s + lens[i]));
					expect++;
				}
		/* nothing reported that is not an occurrence, nothing twice */
		assert_int_equal(x->n, expect);
		sw_head_free(&h);
	}
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_maxstart),
		cmocka_unit_test(test_empty_and_bad),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
