/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address/port variable tables and classification.config. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "rules_int.h"

struct var {
	char *name, *value;
	bool port;
};

struct sw_rule_vars {
	struct var *v;
	size_t n, cap;
};

struct sw_classification {
	struct class_ent *e;
	size_t n, cap;
	char *err_file, *err_msg; /* strings behind the last reported error */
};

struct sw_rule_vars *sw_rule_vars_new(void)
{
	return calloc(1, sizeof(struct sw_rule_vars));
}

void sw_rule_vars_free(struct sw_rule_vars *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	free(v);
}

static int vars_set(struct sw_rule_vars *v, const char *name, const char *value, bool port)
{
	char *val;

	if (!v || !name || !value)
		return -EINVAL;
	if (*name == '$')
		name++;
	val = strdup(value);
	if (!val)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		if (v->v[i].port == port && strcmp(v->v[i].name, name) == 0) {
			free(v->v[i].value);
			v->v[i].value = val;
			return 0;
		}
	}
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
		struct var *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv) {
			free(val);
			return -ENOMEM;
		}
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n].name = strdup(name);
	if (!v->v[v->n].name) {
		free(val);
		return -ENOMEM;
	}
	v->v[v->n].value = val;
	v->v[v->n].port = port;
	v->n++;
	return 0;
}

int sw_rule_vars_set_address(struct sw_rule_vars *v, const char *name, const char *value)
{
	return vars_set(v, name, value, false);
}

int sw_rule_vars_set_port(struct sw_rule_vars *v, const char *name, const char *value)
{
	return vars_set(v, name, value, true);
}

const char *vars_lookup(const struct sw_rule_vars *v, const char *name, size_t nlen, bool port)
{
	if (!v)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].port == port && strlen(v->v[i].name) == nlen &&
		    memcmp(v->v[i].name, name, nlen) == 0)
			return v->v[i].value;
	return NULL;
}

/* ---- classification ---- */

struct sw_classification *sw_classification_new(void)
{
	return calloc(1, sizeof(struct sw_classification));
}

static void class_clear(struct sw_classification *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free_const(c->e[i].name);
		free_const(c->e[i].desc);
	}
	c->n = 0;
}

void sw_classification_free(struct sw_classification *c)
{
	if (!c)
		return;
	class_clear(c);
	free(c->e);
	free(c->err_file);
	free(c->err_msg);
	free(c);
}

const struct class_ent *class_lookup(const struct sw_classification *c, const char *name)
{
	if (!c)
		return NULL;
	/* Later definitions win, as in Suricata: search from the end. */
	for (size_t i = c->n; i-- > 0;)
		if (strcmp(c->e[i].name, name) == 0)
			return &c->e[i];
	return NULL;
}

static char *dup_trim(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

static int class_err(struct sw_classification *c, struct sw_rule_error *err, const char *name,
		     uint32_t line, const char *fmt, const char *tok, size_t toklen)
{
	char buf[PERR_MAX];

	if (toklen > 80)
		toklen = 80;
	snprintf(buf, sizeof(buf), fmt, (int)toklen, tok);
	free(c->err_file);
	free(c->err_msg);
	c->err_file = strdup(name ? name : "");
	c->err_msg = strdup(buf);
	if (err) {
		err->file = c->err_file ? c->err_file : "";
		err->line = line;
		err->column = 1;
		err->message = c->err_msg ? c->err_msg : "out of memory";
	}
	return -EINVAL;
}

static int class_line(struct sw_classification *c, const char *s, size_t len, const char *name,
		      uint32_t lineno, struct sw_rule_error *err)
{
	static const char kw[] = "config classification:";
	const char *c1, *c2, *end = s + len;
	char *nm = NULL, *desc = NULL, *pr = NULL, *ep;
	unsigned long prio;
	int ret = -EINVAL;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s == end || *s == '#')
		return 0;
	if ((size_t)(end - s) < sizeof(kw) - 1 || strncmp(s, kw, sizeof(kw) - 1) != 0)
		return class_err(c, err, name, lineno, "malformed classification line: '%.*s'", s,
				 (size_t)(end - s));
	s += sizeof(kw) - 1;
	c1 = memchr(s, ',', (size_t)(end - s));
	c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;
	if (!c2)
		return class_err(c, err, name, lineno, "malformed classification line: '%.*s'", s,
				 (size_t)(end - s));
	nm = dup_trim(s, (size_t)(c1 - s));
	desc = dup_trim(c1 + 1, (size_t)(c2 - c1 - 1));
	pr = dup_trim(c2 + 1, (size_t)(end - c2 - 1));
	if (!nm || !desc || !pr) {
		ret = -ENOMEM;
		goto out;
	}
	errno = 0;
	prio = strtoul(pr, &ep, 10);
	if (!*nm || !isdigit((unsigned char)*pr) || *ep || errno || prio < 1 || prio > 255) {
		ret = class_err(c, err, name, lineno, "invalid classification priority: '%.*s'", pr,
				strlen(pr));
		goto out;
	}
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		struct class_ent *ne = realloc(c->e, nc * sizeof(*ne));
		if (!ne) {
			ret = -ENOMEM;
			goto out;
		}
		c->e = ne;
		c->cap = nc;
	}
	c->e[c->n].name = nm;
	c->e[c->n].desc = desc;
	c->e[c->n].prio = (uint32_t)prio;
	c->n++;
	nm = desc = NULL;
	ret = 0;
out:
	free(nm);
	free(desc);
	free(pr);
	return ret;
}

int sw_classification_load_string(struct sw_classification *c, const char *text, const char *name,
				  struct sw_rule_error *err)
{
	uint32_t lineno = 0;
	const char *p = text;
	int ret;

	if (!c || !text)
		return -EINVAL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		ret = class_line(c, p, len, name, lineno, err);
		if (ret < 0)
			return ret;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

int sw_classification_load(struct sw_classification *c, const char *path, struct sw_rule_error *err)
{
	char *buf;
	size_t len;
	int ret;

	if (!c || !path)
		return -EINVAL;
	ret = sw_read_file(path, 16u << 20, &buf, &len);
	if (ret < 0)
		return ret;
	ret = sw_classification_load_string(c, buf, path, err);
	free(buf);
	return ret;
}
