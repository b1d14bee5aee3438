/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "community_id.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/*
 * SHA-1 fetched once and one digest context per thread: EVP_Digest() with
 * EVP_sha1() allocated a context and looked the algorithm up in the
 * provider store (locks) for every record; a flow record's community ID
 * cost ~6,400 instructions, 3.5% of processing public-mix with every ET
 * rule (callgrind).  The context is freed when its thread exits.
 */
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha1_md;
static pthread_key_t ctx_key;
static bool ctx_key_ok;

static void ctx_free(void *c)
{
	EVP_MD_CTX_free(c);
}

static void sha1_init(void)
{
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
	ctx_key_ok = pthread_key_create(&ctx_key, ctx_free) == 0;
}

static bool sha1(const uint8_t *p, size_t n, uint8_t out[EVP_MAX_MD_SIZE], unsigned *len)
{
	EVP_MD_CTX *c;

	pthread_once(&sha1_once, sha1_init);
	if (!sha1_md || !ctx_key_ok)
		return EVP_Digest(p, n, out, len, EVP_sha1(), NULL) == 1;
	c = pthread_getspecific(ctx_key);
	if (!c) {
		c = EVP_MD_CTX_new();
		if (!c || pthread_setspecific(ctx_key, c) != 0) {
			EVP_MD_CTX_free(c);
			return EVP_Digest(p, n, out, len, EVP_sha1(), NULL) == 1;
		}
	}
	return EVP_DigestInit_ex(c, sha1_md, NULL) == 1 && EVP_DigestUpdate(c, p, n) == 1 &&
	       EVP_DigestFinal_ex(c, out, len) == 1;
}

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
	if (!sha1(buf, n, digest, &dlen) || dlen != 20)
		return -EIO;
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, digest, 20);
	return 0;
}
