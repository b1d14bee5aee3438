/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall-enforcer's operator control line, as read from the control
 * socket (one line per connection):
 *
 *	block CIDR [TTL] [REASON...]	unblock CIDR
 *	quarantine ADDR			release ADDR
 *	list				stats
 *
 * Parsing only; the daemon executes the command.  Pure, so that it can be
 * unit-tested and fuzzed without a daemon.
 */
#ifndef SW_NFT_CTL_H
#define SW_NFT_CTL_H

#include <stddef.h>

#include "proto.h"

/* The answer to a line that is not a command (the daemon's wording). */
#define SW_ENF_CTL_USAGE                                                                   \
	"error: usage: block CIDR [TTL] [REASON] | unblock CIDR | quarantine ADDR | release " \
	"ADDR | list | stats\n"

enum sw_enf_ctl_verb {
	SW_ENF_CTL_LIST = 1,
	SW_ENF_CTL_STATS,
	SW_ENF_CTL_REQUEST, /* block, unblock, quarantine, release: see req */
};

struct sw_enf_ctl_cmd {
	enum sw_enf_ctl_verb verb;
	/*
	 * SW_ENF_CTL_REQUEST: op, ip, prefix, ttl (block only; 0 = the
	 * enforcer's default), reason (the rest of the line, truncated to
	 * SW_PROTO_REASON_MAX); counter and timestamp are 0.
	 */
	struct sw_proto_req req;
};

/*
 * Parse one control line (NUL-terminated; a trailing "\r\n" is ignored).
 * Words are separated by blanks; "list" and "stats" ignore what follows;
 * quarantine and release take one address (a full-length prefix); a TTL is
 * plain decimal up to 2^32-1 seconds.
 *
 * Returns 0 and fills @out, or -EINVAL and writes the answer the daemon
 * sends back ("error: ...\n", one of the empty-command, TTL or usage
 * messages) into @err (at most @errlen bytes, NUL-terminated).  @line is
 * tokenised in place (strtok_r) and must not be used afterwards.
 */
int sw_enf_ctl_parse(char *line, struct sw_enf_ctl_cmd *out, char *err, size_t errlen);

#endif
