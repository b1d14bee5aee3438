// SPDX-License-Identifier: GPL-2.0-or-later
/* The operator control line's parser (see nft/ctl.h). */
#include "ctl.h"

#include <errno.h>
#include <stdbool.h>
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
	if (!strcmp(cmd, "import")) {
		ttls = strtok_r(NULL, BLANKS, &save);
		if (ttls && ttl_parse(ttls, &req->ttl)) {
			snprintf(err, errlen, "error: TTL '%s' is not a number\n", ttls);
			return -EINVAL;
		}
		/* the list's name goes into every entry's reason */
		reason = strtok_r(NULL, "\r\n", &save);
		snprintf(req->reason, sizeof(req->reason), "import %s", reason ? reason : "-");
		req->op = SW_OP_BLOCK;
		out->verb = SW_ENF_CTL_IMPORT;
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

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * @line[start, end) made printable and cut to 40 bytes for an error
 * message: it came from a file and goes to a terminal.
 */
static const char *quote(const char *line, size_t start, size_t end, char *q, size_t qlen)
{
	size_t k, n = end - start > 40 ? 40 : end - start, m = 0;

	for (k = 0; k < n && m + 4 < qlen; k++) {
		unsigned char ch = (unsigned char)line[start + k];

		q[m++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if (n < end - start)
		q[m++] = '.', q[m++] = '.', q[m++] = '.';
	q[m] = 0;
	return q;
}

int sw_enf_import_parse(const char *line, size_t len, struct sw_ip *ip, uint8_t *prefix,
			char *err, size_t errlen)
{
	size_t i = 0, start, end;
	char tok[64], q[48];

	while (i < len && is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#' || line[i] == ';')
		return 1;
	start = i;
	while (i < len && !is_blank(line[i]) && line[i] != '#' && line[i] != ';')
		i++;
	end = i;
	if (end - start >= sizeof(tok) || memchr(line + start, 0, end - start)) {
		snprintf(err, errlen, "'%s' is not an address or CIDR", quote(line, start, end, q, sizeof(q)));
		return -EINVAL;
	}
	memcpy(tok, line + start, end - start);
	tok[end - start] = 0;
	if (sw_cidr_parse(tok, ip, prefix)) {
		snprintf(err, errlen, "'%s' is not an address or CIDR", quote(line, start, end, q, sizeof(q)));
		return -EINVAL;
	}
	while (i < len && is_blank(line[i]))
		i++;
	if (i < len && line[i] != '#' && line[i] != ';') {
		end = len;
		while (end > i && is_blank(line[end - 1]))
			end--;
		snprintf(err, errlen, "'%s' after the CIDR: only a '#' or ';' comment may follow",
			 quote(line, i, end, q, sizeof(q)));
		return -EINVAL;
	}
	return 0;
}
