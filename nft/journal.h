/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall-enforcer's journal, one line at a time.  The daemon appends
 *
 *	+ KIND CIDR EXPIRES WHO [REASON...]	an entry was added or replaced
 *	- KIND CIDR				an entry was removed
 *	c SENSOR COUNTER			a sensor's highest request counter
 *
 * KIND is 'b' (block) or 'q' (quarantine), EXPIRES unix seconds (0 = never),
 * WHO a sensor name or "operator".  Replay reads the file back through
 * sw_enf_journal_parse(), which is pure so that it can be unit-tested and
 * fuzzed without a daemon.
 */
#ifndef SW_NFT_JOURNAL_H
#define SW_NFT_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define SW_ENF_JOURNAL_WHO_MAX 63 /* a sensor name: one word under 64 characters */

/*
 * Latest expiry a line may carry (2106-02-07).  The daemon writes now + TTL
 * with TTL at most a year; a later one can only be corruption, and restoring
 * it would ask the kernel for a timeout it refuses (ERANGE past ~584 years
 * in milliseconds), which stopped the whole restore and the daemon with it.
 */
#define SW_ENF_JOURNAL_EXPIRES_MAX UINT32_MAX

struct sw_enf_jline {
	char op;        /* '+', '-' or 'c' */
	uint8_t kind;   /* '+' and '-': 'b' or 'q' */
	uint8_t prefix; /* '+' and '-' */
	struct sw_ip ip;
	uint64_t expires;   /* '+' */
	uint64_t counter;   /* 'c' */
	char who[SW_ENF_JOURNAL_WHO_MAX + 1]; /* '+' and 'c' */
	const char *reason; /* '+': the rest of the line after WHO, "" if none; points into it */
};

/*
 * Parse one journal line (without or with its '\n').  Fields are separated
 * by blanks; REASON is everything after WHO and the blanks that follow it,
 * kept verbatim (the caller truncates it to its own buffer).  Numbers are
 * plain decimal that fit in 64 bits; no sign, no trailing characters; an
 * expiry is at most SW_ENF_JOURNAL_EXPIRES_MAX.
 *
 * Returns 0 and fills @out, or -EINVAL and, if @err is not NULL, writes a
 * message quoting the offending token into @err (at most @errlen bytes,
 * NUL-terminated).  Borrows @line: @out->reason points into it and is valid
 * as long as @line is.
 */
int sw_enf_journal_parse(const char *line, struct sw_enf_jline *out, char *err, size_t errlen);

#endif
