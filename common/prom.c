/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "prom.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sw_prom {
	char *buf;
	size_t len, cap;
	int err;
	char family[128]; /* current family: samples take its name */
	bool have_family;
};

struct sw_prom *sw_prom_new(void)
{
	struct sw_prom *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cap = 4096;
	p->buf = malloc(p->cap);
	if (!p->buf) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->buf[0] = 0;
	return p;
}

void sw_prom_free(struct sw_prom *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}

void sw_prom_reset(struct sw_prom *p)
{
	p->len = 0;
	p->buf[0] = 0;
	p->err = 0;
	p->have_family = false;
}

static int fail(struct sw_prom *p, int err)
{
	if (!p->err)
		p->err = err;
	return p->err;
}

/* Room for @n more bytes and the NUL. */
static int reserve(struct sw_prom *p, size_t n)
{
	size_t cap = p->cap;
	char *b;

	if (p->len + n + 1 <= p->cap)
		return 0;
	while (cap < p->len + n + 1)
		cap *= 2;
	b = realloc(p->buf, cap);
	if (!b)
		return fail(p, -ENOMEM);
	p->buf = b;
	p->cap = cap;
	return 0;
}

static void put(struct sw_prom *p, const char *s, size_t n)
{
	if (p->err || reserve(p, n))
		return;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = 0;
}

static void puts_(struct sw_prom *p, const char *s)
{
	put(p, s, strlen(s));
}

/*
 * Escaped text: a HELP line escapes backslash and newline, a label value
 * also the double quote (exposition format 0.0.4, "Comments, help text,
 * and type information" and "Text format details").  Runs between the
 * bytes to escape are copied whole.
 */
static void put_escaped(struct sw_prom *p, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;

		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '\n')
			rep = "\\n";
		else if (quote && *s == '"')
			rep = "\\\"";
		if (!rep)
			continue;
		put(p, run, (size_t)(s - run));
		puts_(p, rep);
		run = s + 1;
	}
	put(p, run, (size_t)(s - run));
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics; labels the same without ':' and not "__..." (reserved). */
static bool valid_name(const char *s, bool label)
{
	if (!s || !*s)
		return false;
	if (label && s[0] == '_' && s[1] == '_')
		return false;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int sw_prom_family(struct sw_prom *p, const char *name, enum sw_prom_type type, const char *help)
{
	bool total;

	if (p->err)
		return p->err;
	if (!valid_name(name, false) || strlen(name) >= sizeof(p->family))
		return fail(p, -EINVAL);
	total = ends_with(name, "_total");
	if ((type == SW_PROM_COUNTER) != total)
		return fail(p, -EINVAL);
	snprintf(p->family, sizeof(p->family), "%s", name);
	p->have_family = true;
	puts_(p, "# HELP ");
	puts_(p, name);
	puts_(p, " ");
	put_escaped(p, help ? help : "", false);
	puts_(p, "\n# TYPE ");
	puts_(p, name);
	puts_(p, type == SW_PROM_COUNTER ? " counter\n" : " gauge\n");
	return p->err;
}

/* Name, then {label="value",...} from the NULL-terminated pairs in @ap. */
static int sample_head(struct sw_prom *p, va_list ap)
{
	const char *k;
	bool first = true;

	if (p->err)
		return p->err;
	if (!p->have_family)
		return fail(p, -EINVAL);
	puts_(p, p->family);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		if (!valid_name(k, true) || !v)
			return fail(p, -EINVAL);
		puts_(p, first ? "{" : ",");
		puts_(p, k);
		puts_(p, "=\"");
		put_escaped(p, v, true);
		puts_(p, "\"");
		first = false;
	}
	if (!first)
		puts_(p, "}");
	puts_(p, " ");
	return p->err;
}

int sw_prom_u64(struct sw_prom *p, uint64_t v, ...)
{
	char num[24];
	va_list ap;

	va_start(ap, v);
	sample_head(p, ap);
	va_end(ap);
	snprintf(num, sizeof(num), "%" PRIu64 "\n", v);
	puts_(p, num);
	return p->err;
}

int sw_prom_f64(struct sw_prom *p, double v, ...)
{
	char num[40];
	va_list ap;

	va_start(ap, v);
	sample_head(p, ap);
	va_end(ap);
	if (isnan(v))
		snprintf(num, sizeof(num), "NaN\n");
	else if (isinf(v))
		snprintf(num, sizeof(num), "%s\n", v > 0 ? "+Inf" : "-Inf");
	else {
		/* the shortest of 15 or 17 digits that reads back as @v */
		snprintf(num, sizeof(num), "%.15g", v);
		if (strtod(num, NULL) != v)
			snprintf(num, sizeof(num), "%.17g", v);
		strcat(num, "\n");
	}
	puts_(p, num);
	return p->err;
}

const char *sw_prom_text(const struct sw_prom *p, size_t *len)
{
	if (len)
		*len = p->len;
	return p->buf;
}

int sw_prom_error(const struct sw_prom *p)
{
	return p->err;
}
