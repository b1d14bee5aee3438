/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One IP address type shared by the decoder, the rules, the flow table and the
 * enforcement protocol.  IPv4 is held in a[0..3] with a[4..15] zero, so the
 * struct can be hashed and compared with memcmp as a whole.
 */
#ifndef SW_COMMON_ADDR_H
#define SW_COMMON_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define SW_IP_STRLEN 46 /* INET6_ADDRSTRLEN */

struct sw_ip {
	uint8_t family; /* AF_INET or AF_INET6; 0 = unset */
	uint8_t pad[3];
	uint8_t a[16];
};

static inline uint32_t sw_ip_v4(const struct sw_ip *ip)
{
	return (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 |
	       (uint32_t)ip->a[2] << 8 | ip->a[3];
}

static inline bool sw_ip_eq(const struct sw_ip *x, const struct sw_ip *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

/* memcmp-like total order: IPv4 before IPv6, then bytes. */
static inline int sw_ip_cmp(const struct sw_ip *x, const struct sw_ip *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, 16);
}

/*
 * Parse a textual IPv4 or IPv6 address (no prefix).
 * Returns 0, or -EINVAL if @s is not an address.
 */
int sw_ip_parse(const char *s, struct sw_ip *out);

/*
 * Parse "ADDR" or "ADDR/PREFIX".  A bare address gets the full prefix length.
 * Host bits beyond the prefix are cleared.  Returns 0 or -EINVAL.
 */
int sw_cidr_parse(const char *s, struct sw_ip *out, uint8_t *prefix);

/* Format into @buf (at least SW_IP_STRLEN bytes).  Returns @buf. */
const char *sw_ip_format(const struct sw_ip *ip, char *buf, size_t len);

#endif
