/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "community_id.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>

/*
 * ICMP "counter types": a request and its reply hash as one flow.  Types
 * not listed are one-way and keep their direction (Zeek's ICMP analyzer,
 * which the spec adopts).
 */
static bool icmp4_counter(uint16_t type, uint16_t *counter)
{
	static const uint8_t pairs[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 }, { 16, 15 },
					    { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][0] == type) {
			*counter = pairs[i][1];
			return true;
		}
	return false;
}

static bool icmp6_counter(uint16_t type, uint16_t *counter)
{
	static const uint8_t pairs[][2] = { { 128, 129 }, { 129, 128 }, { 130, 131 }, { 131, 130 },
					    { 133, 134 }, { 134, 133 }, { 135, 136 }, { 136, 135 },
					    { 139, 140 }, { 140, 139 }, { 144, 145 }, { 145, 144 } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i][0] == type) {
			*counter = pairs[i][1];
			return true;
		}
	return false;
}

int sw_community_id(const struct sw_ip *src, const struct sw_ip *dst, uint16_t sport, uint16_t dport, uint8_t proto,
		    uint16_t seed, char *out, size_t outlen)
{
	uint8_t buf[2 + 16 + 16 + 2 + 4], digest[EVP_MAX_MD_SIZE];
	size_t alen, n = 0;
	unsigned dlen = 0;
	bool ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
	bool one_way = false;
	const struct sw_ip *a = src, *b = dst;
	uint16_t pa = sport, pb = dport;
	int c;

	if (src->family != dst->family || (src->family != AF_INET && src->family != AF_INET6) ||
	    outlen < SW_COMMUNITY_ID_LEN)
		return -EINVAL;
	alen = src->family == AF_INET ? 4 : 16;
	if (proto == 1 || proto == 58) {
		uint16_t counter;
		if (proto == 1 ? icmp4_counter(sport, &counter) : icmp6_counter(sport, &counter))
			pb = counter;
		else
			one_way = true;
	}
	/* Smaller IP:port first, so both directions hash alike (one-way ICMP excepted). */
	c = memcmp(a->a, b->a, alen);
	if (!one_way && (c > 0 || (c == 0 && pa > pb))) {
		const struct sw_ip *t = a;
		uint16_t tp = pa;
		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->a, alen);
	n += alen;
	memcpy(buf + n, b->a, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (ports) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	if (!EVP_Digest(buf, n, digest, &dlen, EVP_sha1(), NULL) || dlen != 20)
		return -EIO;
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, digest, 20);
	return 0;
}
