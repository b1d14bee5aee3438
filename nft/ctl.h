/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall-enforcer's operator control line, as read from the control
 * socket (one line per connection):
 *
 *	block CIDR [TTL] [REASON...]	unblock CIDR
 *	quarantine ADDR			release ADDR
 *	list				stats
 *	import [TTL] [NAME]		followed by the lines of a blocklist
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
	"ADDR | list | stats | import [TTL] [NAME]\n"

enum sw_enf_ctl_verb {
	SW_ENF_CTL_LIST = 1,
	SW_ENF_CTL_STATS,
	SW_ENF_CTL_REQUEST, /* block, unblock, quarantine, release: see req */
	SW_ENF_CTL_IMPORT,  /* blocklist lines follow: req.ttl, req.reason = NAME */
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

/* Longest blocklist line the daemon reads whole; longer ones are bad lines. */
#define SW_ENF_IMPORT_LINE_MAX 1024

/*
 * Parse one line of a blocklist for `import` (without or with its "\n"):
 * one address or CIDR per line, as in FireHOL netsets (`#` comments) and
 * Spamhaus DROP (`CIDR ; SBLnnn`).  Blanks around the CIDR are ignored; a
 * `#` or `;` starts a comment, at the start of the line or after the
 * CIDR; anything else after the CIDR is an error (a list in a format we
 * do not know is better refused than half read).  Host bits beyond the
 * prefix are cleared, as sw_cidr_parse() does.
 *
 * Returns 0 and fills @ip/@prefix, 1 for a blank or comment line, or
 * -EINVAL with a message quoting the offending token in @err (at most
 * @errlen bytes, NUL-terminated; no "line N" prefix: the caller counts).
 * Borrows @line (@len bytes, need not be NUL-terminated) until return.
 */
int sw_enf_import_parse(const char *line, size_t len, struct sw_ip *ip, uint8_t *prefix,
			char *err, size_t errlen);

#endif
