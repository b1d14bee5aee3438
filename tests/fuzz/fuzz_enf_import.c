/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary bytes as a blocklist for `import`, split into lines
 * the way the daemon splits them, each into sw_enf_import_parse().  Must
 * never crash or read past a line; an accepted line must give a prefix
 * valid for its family with no host bits set (what the kernel set takes),
 * a refused one a NUL-terminated message that starts with a quote.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *line, size_t len)
{
	char err[160];
	struct sw_ip ip;
	uint8_t prefix;
	unsigned int max, i;
	int r;

	memset(err, 'X', sizeof(err));
	r = sw_enf_import_parse(line, len, &ip, &prefix, err, sizeof(err));
	if (r == 1)
		return;
	if (r == -EINVAL) {
		if (err[0] != '\'' || !memchr(err, 0, sizeof(err)))
			abort();
		return;
	}
	if (r != 0 || (ip.family != AF_INET && ip.family != AF_INET6))
		abort();
	max = ip.family == AF_INET ? 32 : 128;
	if (prefix > max)
		abort();
	for (i = prefix; i < max; i++)
		if (ip.a[i / 8] & (0x80 >> (i % 8)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;
	char *copy;

	/* a heap copy of exactly @size bytes: ASan catches any read past a line */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while (start < size) {
		const char *nl = memchr(copy + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (copy + start)) : size - start;

		if (len <= SW_ENF_IMPORT_LINE_MAX)
			check(copy + start, len);
		start += len + 1;
	}
	free(copy);
	return 0;
}
