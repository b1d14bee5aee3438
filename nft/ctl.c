// SPDX-License-Identifier: GPL-2.0-or-later
/* The operator control line's parser (see nft/ctl.h). */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/addr.h"

#define BLANKS " \t\r\n"

/*
 * Decimal digits only, at most UINT32_MAX.  strtoul() would also take a
 * sign and leading blanks, and "-4294967295" would wrap round to 1 second.
 */
static int ttl_parse(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int sw_enf_ctl_parse(char *line, struct sw_enf_ctl_cmd *out, char *err, size_t errlen)
{
	char *save = NULL, *cmd, *arg, *ttls, *reason;
	struct sw_proto_req *req = &out->req;
	uint8_t op = 0;

	memset(out, 0, sizeof(*out));
	cmd = strtok_r(line, BLANKS, &save);
	if (!cmd) {
		snprintf(err, errlen, "error: empty command\n");
		return -EINVAL;
	}
	if (!strcmp(cmd, "list")) {
		out->verb = SW_ENF_CTL_LIST;
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		out->verb = SW_ENF_CTL_STATS;
		return 0;
	}
	if (!strcmp(cmd, "block"))
		op = SW_OP_BLOCK;
	else if (!strcmp(cmd, "unblock"))
		op = SW_OP_UNBLOCK;
	else if (!strcmp(cmd, "quarantine"))
		op = SW_OP_QUARANTINE;
	else if (!strcmp(cmd, "release"))
		op = SW_OP_RELEASE;
	arg = strtok_r(NULL, BLANKS, &save);
	if (!op || !arg || sw_cidr_parse(arg, &req->ip, &req->prefix) ||
	    ((op == SW_OP_QUARANTINE || op == SW_OP_RELEASE) &&
	     req->prefix != (req->ip.family == AF_INET ? 32 : 128))) {
		snprintf(err, errlen, "%s", SW_ENF_CTL_USAGE);
		return -EINVAL;
	}
	if (op == SW_OP_BLOCK) {
		ttls = strtok_r(NULL, BLANKS, &save);
		if (ttls && ttl_parse(ttls, &req->ttl)) {
			snprintf(err, errlen, "error: TTL '%s' is not a number\n", ttls);
			return -EINVAL;
		}
	}
	/* the reason is the rest of the line, blanks inside it kept */
	reason = strtok_r(NULL, "\r\n", &save);
	snprintf(req->reason, sizeof(req->reason), "%s", reason ? reason : "");
	req->op = op;
	out->verb = SW_ENF_CTL_REQUEST;
	return 0;
}
