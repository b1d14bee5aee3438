/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The splitmix64 finalizer (Steele, Lea, Flood: "Fast splittable
 * pseudorandom number generators", 2014): every input bit reaches every
 * output bit, so folding key words through it gives well-spread hashes for
 * the flow table and the defragmenter's trackers.  Not keyed: tables that
 * face attacker-chosen keys add their own seed and bound their chains.
 */
#ifndef SW_COMMON_HASH_H
#define SW_COMMON_HASH_H

#include <stdint.h>

static inline uint64_t sw_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
