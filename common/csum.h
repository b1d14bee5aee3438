/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Internet checksum (RFC 1071) for the headers sidewall builds itself
 * (reject packets, reassembled datagrams).  Deliberately the plain 16-bit
 * loop and not the decoder's 64-bit accumulator: the decoder verifies what
 * these build, in the tests and on the reassembled packets, so the two must
 * not be the same code.
 */
#ifndef SW_COMMON_CSUM_H
#define SW_COMMON_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add @n bytes at @d (an odd last byte padded with zero) to the sum @acc. */
static inline uint32_t sw_csum_add(const uint8_t *d, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		acc += (uint32_t)d[n - 1] << 8;
	return acc;
}

/* Fold the carries and complement: the value to store, big-endian. */
static inline uint16_t sw_csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

#endif
