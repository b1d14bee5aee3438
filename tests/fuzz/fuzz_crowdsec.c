/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary bytes as a CrowdSec decision stream answer
 * (sw_cs_parse_stream()), then every decision it keeps through the id map
 * as the enforcer's loop would.  Must never crash; a kept decision must
 * have a prefix valid for its family with no host bits set, a printable
 * NUL-terminated reason, a TTL for a new one; the counts must add up; the
 * set of values must give back each value exactly once.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft/crowdsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_cs_batch b;
	static struct sw_cs_state *st;
	struct sw_enf_crowdsec_cfg cfg;
	char err[256];
	size_t i, held;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.scopes = SW_ENF_CS_SCOPE_IP | SW_ENF_CS_SCOPE_RANGE;
	if (size && data[0] & 1) { /* an origin filter too, on half the inputs */
		strcpy(cfg.origins[0], "cscli");
		cfg.norigins = 1;
	}
	if (!st)
		st = sw_cs_state_new();
	if (!st)
		abort();
	sw_cs_state_reset(st);
	memset(err, 'X', sizeof(err));
	r = sw_cs_parse_stream((const char *)data, size, &cfg, &b, err, sizeof(err));
	if (r == -EINVAL || r == -ENOMEM) {
		if (!memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	if (r != 0 || b.n != (size_t)b.nnew + b.ndeleted)
		abort();
	for (i = 0; i < b.n; i++) {
		const struct sw_cs_decision *d = &b.d[i];
		unsigned max = d->ip.family == AF_INET ? 32 : 128, k;

		if ((d->ip.family != AF_INET && d->ip.family != AF_INET6) || d->prefix > max)
			abort();
		for (k = d->prefix; k < max; k++)
			if (d->ip.a[k / 8] & (0x80 >> (k % 8)))
				abort();
		if (!memchr(d->reason, 0, sizeof(d->reason)))
			abort();
		for (k = 0; d->reason[k]; k++)
			if ((unsigned char)d->reason[k] < 0x20 || (unsigned char)d->reason[k] > 0x7e)
				abort();
		if (i > 0 && d->deleted && !b.d[i - 1].deleted)
			abort(); /* deletions come first */
		if (!d->deleted && !d->ttl)
			abort();
		if (!d->deleted && sw_cs_state_add(st, &d->ip, d->prefix, d->ttl) < 0)
			abort();
	}
	held = sw_cs_state_count(st);
	if (held > b.nnew)
		abort();
	/* every value goes exactly once, whatever the order and repeats */
	for (i = b.n; i-- > 0;) {
		if (b.d[i].deleted || !sw_cs_state_holds(st, &b.d[i].ip, b.d[i].prefix))
			continue;
		if (sw_cs_state_del(st, &b.d[i].ip, b.d[i].prefix) != 1 ||
		    sw_cs_state_holds(st, &b.d[i].ip, b.d[i].prefix))
			abort();
		held--;
	}
	if (held || sw_cs_state_count(st))
		abort();
	return 0;
}
