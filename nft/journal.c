// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The enforcer journal's line parser.  Strict on purpose: the daemon writes
 * exactly one form per operation, so anything else (a torn write, a hand
 * edit, a line split by a crash) is rejected with the token that broke it
 * and replay skips and counts the line instead of guessing.
 */
#include "journal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The blanks sscanf's %s stops at (isspace() in the C locale). */
#define BLANKS " \t\n\v\f\r"

/* Longest token quoted back in an error message. */
#define QUOTE_MAX 48

struct cur {
	const char *p;
	char *err;
	size_t errlen;
};

static int bad(struct cur *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * The next blank-separated token: its start and length, the cursor moved
 * past it.  Length 0 means the line ended.
 */
static size_t token(struct cur *c, const char **start)
{
	size_t n;

	c->p += strspn(c->p, BLANKS);
	*start = c->p;
	n = strcspn(c->p, BLANKS);
	c->p += n;
	return n;
}

/* Copy a token of at most @max characters into @dst (@max + 1 bytes). */
static int word(struct cur *c, const char *what, char *dst, size_t max)
{
	const char *t;
	size_t n = token(c, &t);

	if (!n)
		return bad(c, "missing %s", what);
	if (n > max)
		return bad(c, "%s '%.*s...' is longer than %zu characters", what, QUOTE_MAX, t, max);
	memcpy(dst, t, n);
	dst[n] = '\0';
	return 0;
}

static int number(struct cur *c, const char *what, uint64_t *v)
{
	char buf[32];
	uint64_t x = 0;
	size_t i;
	int ret;

	ret = word(c, what, buf, sizeof(buf) - 1);
	if (ret)
		return ret;
	for (i = 0; buf[i]; i++) {
		unsigned d = (unsigned)(buf[i] - '0');

		if (d > 9)
			return bad(c, "%s '%s' is not a decimal number", what, buf);
		if (x > (UINT64_MAX - d) / 10)
			return bad(c, "%s '%s' does not fit in 64 bits", what, buf);
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int cidr(struct cur *c, struct sw_enf_jline *out)
{
	char buf[64];
	int ret;

	ret = word(c, "CIDR", buf, sizeof(buf) - 1);
	if (ret)
		return ret;
	if (sw_cidr_parse(buf, &out->ip, &out->prefix))
		return bad(c, "'%s' is not a CIDR", buf);
	return 0;
}

static int kind(struct cur *c, struct sw_enf_jline *out)
{
	const char *t;
	size_t n = token(c, &t);

	if (!n)
		return bad(c, "missing kind");
	if (n != 1 || (*t != 'b' && *t != 'q'))
		return bad(c, "kind '%.*s' is not 'b' or 'q'", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), t);
	out->kind = (uint8_t)*t;
	return 0;
}

static int end(struct cur *c)
{
	const char *t;
	size_t n = token(c, &t);

	if (n)
		return bad(c, "unexpected '%.*s' at the end", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), t);
	return 0;
}

int sw_enf_journal_parse(const char *line, struct sw_enf_jline *out, char *err, size_t errlen)
{
	struct cur c = { .p = line, .err = err, .errlen = errlen };
	const char *t;
	size_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	out->reason = "";
	n = token(&c, &t);
	if (!n)
		return bad(&c, "empty line");
	/* the daemon never indents; such a line was torn or edited */
	if (t != line)
		return bad(&c, "'%.*s' is indented", (int)(n < QUOTE_MAX ? n : QUOTE_MAX), t);
	if (n != 1 || (*t != '+' && *t != '-' && *t != 'c'))
		return bad(&c, "unknown operation '%.*s' (+, - or c)",
			   (int)(n < QUOTE_MAX ? n : QUOTE_MAX), t);
	out->op = *t;
	switch (out->op) {
	case '+':
		if ((ret = kind(&c, out)) || (ret = cidr(&c, out)) ||
		    (ret = number(&c, "expiry", &out->expires)))
			return ret;
		if (out->expires > SW_ENF_JOURNAL_EXPIRES_MAX)
			return bad(&c, "expiry %llu is past %llu", (unsigned long long)out->expires,
				   (unsigned long long)SW_ENF_JOURNAL_EXPIRES_MAX);
		ret = word(&c, "sensor name", out->who, SW_ENF_JOURNAL_WHO_MAX);
		if (ret)
			return ret;
		/* the reason is free text: the rest of the line, as written */
		out->reason = c.p + strspn(c.p, BLANKS);
		return 0;
	case '-':
		if ((ret = kind(&c, out)) || (ret = cidr(&c, out)))
			return ret;
		return end(&c);
	default: /* 'c' */
		if ((ret = word(&c, "sensor name", out->who, SW_ENF_JOURNAL_WHO_MAX)) ||
		    (ret = number(&c, "counter", &out->counter)))
			return ret;
		return end(&c);
	}
}
