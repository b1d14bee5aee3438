/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary bytes as one operator control line into
 * sw_enf_ctl_parse().  Must never crash; an accepted request must be one
 * the daemon can execute (a known op, a valid prefix, a host address for
 * quarantine/release, a NUL-terminated reason), a rejected line must carry
 * an "error: " answer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_enf_ctl_cmd cmd;
	char err[600];
	char *s;
	int ret;

	/* the daemon hands over at most 511 bytes, but the parser takes any */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ret = sw_enf_ctl_parse(s, &cmd, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL || strncmp(err, "error: ", 7) != 0)
			abort();
	} else if (cmd.verb == SW_ENF_CTL_REQUEST) {
		unsigned int max = cmd.req.ip.family == AF_INET ? 32 : 128;

		if (cmd.req.op < SW_OP_BLOCK || cmd.req.op > SW_OP_RELEASE || cmd.req.prefix > max)
			abort();
		if ((cmd.req.op == SW_OP_QUARANTINE || cmd.req.op == SW_OP_RELEASE) &&
		    cmd.req.prefix != max)
			abort();
		if (cmd.req.op != SW_OP_BLOCK && cmd.req.ttl)
			abort();
		if (strnlen(cmd.req.reason, sizeof(cmd.req.reason)) > SW_PROTO_REASON_MAX)
			abort();
	} else if (cmd.verb == SW_ENF_CTL_IMPORT) {
		if (cmd.req.op != SW_OP_BLOCK ||
		    strnlen(cmd.req.reason, sizeof(cmd.req.reason)) > SW_PROTO_REASON_MAX)
			abort();
	} else if (cmd.verb != SW_ENF_CTL_LIST && cmd.verb != SW_ENF_CTL_STATS) {
		abort();
	}
	free(s);
	return 0;
}
