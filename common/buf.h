/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounds-checked read cursor for every wire format sidewall parses:
 * packets, netlink replies and the enforcement protocol (STYLE.md rule 5).
 *
 * Every getter either consumes exactly the bytes it returns or consumes
 * nothing and returns -EBADMSG.  Loads go through memcpy, never through a
 * cast of packet bytes to a struct pointer, so unaligned and truncated input
 * is safe by construction.  After reading a length field, narrow the cursor
 * to it with sw_buf_sub() so that nothing past the field can be read.
 */
#ifndef SW_COMMON_BUF_H
#define SW_COMMON_BUF_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sw_buf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/*
 * Big-endian loads and stores at a place the caller has already sized
 * (frame length prefixes, headers being built): no cursor needed there.
 */
static inline uint32_t sw_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void sw_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void sw_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline struct sw_buf sw_buf_make(const void *p, size_t len)
{
	struct sw_buf b = { (const uint8_t *)p, len, 0 };
	return b;
}

static inline size_t sw_buf_left(const struct sw_buf *b)
{
	return b->len - b->off;
}

/* Pointer to the unread bytes; valid for sw_buf_left() bytes. */
static inline const uint8_t *sw_buf_cur(const struct sw_buf *b)
{
	return b->p + b->off;
}

static inline int sw_buf_skip(struct sw_buf *b, size_t n)
{
	if (sw_buf_left(b) < n)
		return -EBADMSG;
	b->off += n;
	return 0;
}

static inline int sw_buf_get_u8(struct sw_buf *b, uint8_t *v)
{
	if (sw_buf_left(b) < 1)
		return -EBADMSG;
	*v = b->p[b->off++];
	return 0;
}

static inline int sw_buf_get_be16(struct sw_buf *b, uint16_t *v)
{
	if (sw_buf_left(b) < 2)
		return -EBADMSG;
	*v = (uint16_t)((uint16_t)b->p[b->off] << 8 | b->p[b->off + 1]);
	b->off += 2;
	return 0;
}

static inline int sw_buf_get_be32(struct sw_buf *b, uint32_t *v)
{
	if (sw_buf_left(b) < 4)
		return -EBADMSG;
	*v = (uint32_t)b->p[b->off] << 24 | (uint32_t)b->p[b->off + 1] << 16 |
	     (uint32_t)b->p[b->off + 2] << 8 | (uint32_t)b->p[b->off + 3];
	b->off += 4;
	return 0;
}

static inline int sw_buf_get_bytes(struct sw_buf *b, void *dst, size_t n)
{
	if (sw_buf_left(b) < n)
		return -EBADMSG;
	memcpy(dst, b->p + b->off, n);
	b->off += n;
	return 0;
}

/*
 * Carve the next n bytes into their own cursor @sub and consume them from @b.
 * Use after reading a length field: @sub cannot read past the field.
 */
static inline int sw_buf_sub(struct sw_buf *b, size_t n, struct sw_buf *sub)
{
	if (sw_buf_left(b) < n)
		return -EBADMSG;
	*sub = sw_buf_make(b->p + b->off, n);
	b->off += n;
	return 0;
}

#endif
