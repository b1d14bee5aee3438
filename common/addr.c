/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int sw_ip_parse(const char *s, struct sw_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int sw_cidr_parse(const char *s, struct sw_ip *out, uint8_t *prefix)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long p;
	unsigned max;
	char *end;

	if (alen == 0 || alen >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (sw_ip_parse(tmp, out) < 0)
		return -EINVAL;
	max = out->family == AF_INET ? 32 : 128;
	if (!slash) {
		*prefix = (uint8_t)max;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	p = strtoul(slash + 1, &end, 10);
	if (errno || *end != '\0' || p > max)
		return -EINVAL;
	*prefix = (uint8_t)p;
	/* Clear host bits so that 10.1.2.3/8 means 10.0.0.0/8, as nft does. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned bit = i * 8;
		if (bit >= p)
			out->a[i] = 0;
		else if (bit + 8 > p)
			out->a[i] &= (uint8_t)(0xff00u >> (p - bit));
	}
	return 0;
}

const char *sw_ip_format(const struct sw_ip *ip, char *buf, size_t len)
{
	if (ip->family == AF_INET && len >= 16) {
		/* every EVE record has two: glibc's inet_ntop formats IPv4 with sprintf */
		char *o = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = ip->a[i];

			if (i)
				*o++ = '.';
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
		}
		*o = '\0';
		return buf;
	}
	if (!ip->family || !inet_ntop(ip->family, ip->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
