/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hostport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sw_hostport_parse(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon, *h = s, *p;
	size_t n;
	unsigned v = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		n = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(s, ':');
		/* "::1:9748" is ambiguous: an IPv6 address needs its brackets (as in a URL) */
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL;
		n = (size_t)(colon - s);
		p = colon + 1;
	}
	if (!n || n >= hostlen || !*p || strlen(p) > 5)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = 0;
	*port = v;
	return 0;
}
