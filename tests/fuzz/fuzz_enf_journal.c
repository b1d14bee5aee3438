/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary bytes as one enforcer journal line into
 * sw_enf_journal_parse().  Must never crash; an accepted line must hold
 * what the format promises (a known op and kind, a valid prefix, a reason
 * inside the line), and a rejected one must say why.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_enf_jline j;
	char err[160];
	char *s = malloc(size + 1);
	int ret;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	ret = sw_enf_journal_parse(s, &j, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL || !err[0])
			abort();
	} else {
		if (j.op != '+' && j.op != '-' && j.op != 'c')
			abort();
		if (j.op != 'c' && ((j.kind != 'b' && j.kind != 'q') ||
				    j.prefix > (j.ip.family == AF_INET ? 32 : 128)))
			abort();
		if (j.op != '-' && (!j.who[0] || strlen(j.who) > SW_ENF_JOURNAL_WHO_MAX))
			abort();
		if (j.op == '+' && (j.reason < s || j.reason > s + strlen(s) ||
				    j.expires > SW_ENF_JOURNAL_EXPIRES_MAX))
			abort();
	}
	free(s);
	return 0;
}
