/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rule sets: file loading (comments, continuations), errors, duplicates,
 * flowbit names.  A continued rule is joined (backslash and line break
 * removed) before it is parsed, as Suricata does, so its errors carry the
 * first line's number and a column counted in the joined text.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "rules_int.h"

struct sw_rules {
	const struct sw_rule_vars *vars;
	const struct sw_classification *cls;
	struct sw_rule **rules;
	size_t n, cap;
	struct sw_rule_error *err;
	size_t nerr, errcap;
	char **fb;
	size_t nfb;
	/* flowint, host bit and pair bit names: few per ruleset, so a linear search at load time */
	struct name_tab names[RULES_NT_N];
	/* open-addressing hashes: gid:sid -> rule index + 1, flowbit name -> id + 1 */
	uint32_t *sidh;
	size_t sidcap;
	uint32_t fbh[2 * SW_RULES_MAX_FLOWBITS];
};

struct sw_rules *sw_rules_new(const struct sw_rule_vars *vars, const struct sw_classification *cls)
{
	struct sw_rules *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vars = vars;
	r->cls = cls;
	return r;
}

void sw_rules_free(struct sw_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		rule_clear(r->rules[i]);
		free(r->rules[i]);
	}
	free(r->rules);
	for (size_t i = 0; i < r->nerr; i++) {
		free_const(r->err[i].file);
		free_const(r->err[i].message);
	}
	free(r->err);
	for (size_t i = 0; i < r->nfb; i++)
		free(r->fb[i]);
	free(r->fb);
	for (int t = 0; t < RULES_NT_N; t++) {
		for (size_t i = 0; i < r->names[t].n; i++)
			free(r->names[t].v[i]);
		free(r->names[t].v);
	}
	free(r->sidh);
	free(r);
}

const struct sw_rule_vars *rules_vars(const struct sw_rules *r)
{
	return r->vars;
}

const struct sw_classification *rules_cls(const struct sw_rules *r)
{
	return r->cls;
}

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

int rules_flowbit_id(struct sw_rules *r, const char *name, size_t len)
{
	size_t mask = 2 * SW_RULES_MAX_FLOWBITS - 1, i = hash_str(name, len) & mask;
	char **nfb;

	for (; r->fbh[i]; i = (i + 1) & mask) {
		const char *n = r->fb[r->fbh[i] - 1];
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return (int)(r->fbh[i] - 1);
	}
	if (r->nfb >= SW_RULES_MAX_FLOWBITS)
		return -ENOSPC;
	nfb = realloc(r->fb, (r->nfb + 1) * sizeof(*nfb));
	if (!nfb)
		return -ENOMEM;
	r->fb = nfb;
	if (!(r->fb[r->nfb] = strndup(name, len)))
		return -ENOMEM;
	r->fbh[i] = (uint32_t)++r->nfb;
	return (int)(r->nfb - 1);
}

/* Index of an earlier rule with this gid:sid, or -1. */
static long sid_find(const struct sw_rules *r, uint32_t gid, uint32_t sid, size_t *slot)
{
	size_t mask = r->sidcap - 1, i;

	if (!r->sidcap)
		return -1;
	for (i = hash64((uint64_t)gid << 32 | sid) & mask; r->sidh[i]; i = (i + 1) & mask) {
		const struct sw_rule *o = r->rules[r->sidh[i] - 1];
		if (o->gid == gid && o->sid == sid)
			return (long)(r->sidh[i] - 1);
	}
	if (slot)
		*slot = i;
	return -1;
}

static int sid_grow(struct sw_rules *r)
{
	size_t nc = r->sidcap ? r->sidcap * 2 : 1024;
	uint32_t *nh = calloc(nc, sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	free(r->sidh);
	r->sidh = nh;
	r->sidcap = nc;
	for (size_t k = 0; k < r->n; k++) {
		size_t i = hash64((uint64_t)r->rules[k]->gid << 32 | r->rules[k]->sid) & (nc - 1);
		while (nh[i])
			i = (i + 1) & (nc - 1);
		nh[i] = (uint32_t)(k + 1);
	}
	return 0;
}

int rules_add_error(struct sw_rules *r, const char *file, uint32_t line, uint32_t col, const char *msg)
{
	struct sw_rule_error *e;

	if (r->nerr == r->errcap) {
		size_t nc = r->errcap ? r->errcap * 2 : 16;
		struct sw_rule_error *ne = realloc(r->err, nc * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		r->err = ne;
		r->errcap = nc;
	}
	e = &r->err[r->nerr];
	e->file = strdup(file);
	e->message = strdup(msg);
	if (!e->file || !e->message) {
		free_const(e->file);
		free_const(e->message);
		return -ENOMEM;
	}
	e->line = line;
	e->column = col;
	r->nerr++;
	return 0;
}

/* Parse one logical rule and append it or record why not. */
static int load_rule(struct sw_rules *r, const char *text, size_t len, const char *file, uint32_t line)
{
	struct perr e = { 0 };
	struct sw_rule *rule = calloc(1, sizeof(*rule));
	size_t slot = 0;
	long dup;
	int ret;

	if (!rule)
		return -ENOMEM;
	if (rule_parse(r, text, len, rule, &e) < 0)
		goto reject;
	if (r->n * 2 >= r->sidcap && sid_grow(r) < 0) {
		ret = -ENOMEM;
		goto fail;
	}
	dup = sid_find(r, rule->gid, rule->sid, &slot);
	if (dup >= 0) {
		char where[PERR_MAX];
		snprintf(where, sizeof(where), "%.*s:%u", 160, r->rules[dup]->file, r->rules[dup]->line);
		perr(&e, (size_t)-1, "duplicate signature %u:%u (first defined at %s)", rule->gid, rule->sid, where);
		goto reject;
	}
	if (!(rule->file = strdup(file))) {
		ret = -ENOMEM;
		goto fail;
	}
	rule->line = line;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct sw_rule **nr = realloc(r->rules, nc * sizeof(*nr));
		if (!nr) {
			ret = -ENOMEM;
			goto fail;
		}
		r->rules = nr;
		r->cap = nc;
	}
	r->rules[r->n++] = rule;
	r->sidh[slot] = (uint32_t)r->n;
	return 0;
reject:
	ret = rules_add_error(r, file, line, e.column, e.msg);
fail:
	rule_clear(rule);
	free(rule);
	return ret;
}

long rules_find(const struct sw_rules *r, uint32_t gid, uint32_t sid)
{
	return sid_find(r, gid, sid, NULL);
}

struct sw_rule *rules_at(struct sw_rules *r, size_t i)
{
	return i < r->n ? r->rules[i] : NULL;
}

int sw_rules_load_string(struct sw_rules *r, const char *text, const char *name)
{
	if (!r || !text)
		return -EINVAL;
	return rules_load_lines(r, text, name ? name : "<string>", load_rule);
}

int rules_load_lines(struct sw_rules *r, const char *text, const char *name, rules_line_fn fn)
{
	const char *p = text;
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	uint32_t lineno = 0, first = 0;
	int ret = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool cont;

		lineno++;
		if (!blen)
			first = lineno;
		if (len && p[len - 1] == '\r')
			len--;
		cont = len && p[len - 1] == '\\';
		if (cont)
			len--;
		if (blen + len + 1 > bcap) {
			size_t nc = (blen + len + 1) * 2;
			char *nb = realloc(buf, nc);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			bcap = nc;
		}
		memcpy(buf + blen, p, len);
		blen += len;
		buf[blen] = '\0';
		p += nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (cont && *p)
			continue;
		/* A complete logical line: skip blanks and comments (a commented rule too). */
		{
			size_t s = 0;
			while (s < blen && isspace((unsigned char)buf[s]))
				s++;
			if (s < blen && buf[s] != '#') {
				ret = fn(r, buf, blen, name, first);
				if (ret < 0)
					goto out;
			}
		}
		blen = 0;
	}
out:
	free(buf);
	return ret;
}

/* @path read whole (at most 1 GiB: far above any rule set, ET Open is ~50 MB, still a bound), then @load'ed. */
static int load_path(struct sw_rules *r, const char *path, int (*load)(struct sw_rules *, const char *, const char *))
{
	char *buf;
	size_t len;
	int ret;

	if (!r || !path)
		return -EINVAL;
	ret = sw_read_file(path, (size_t)1 << 30, &buf, &len);
	if (ret < 0)
		return ret;
	ret = load(r, buf, path);
	free(buf);
	return ret;
}

int sw_rules_load_threshold_file(struct sw_rules *r, const char *path)
{
	return load_path(r, path, sw_rules_load_threshold_string);
}

int sw_rules_load_file(struct sw_rules *r, const char *path)
{
	return load_path(r, path, sw_rules_load_string);
}

int rules_name_id(struct sw_rules *r, enum rules_nt t, const char *name, size_t len, size_t max)
{
	struct name_tab *nt = &r->names[t];
	char **nv;

	for (size_t i = 0; i < nt->n; i++)
		if (strlen(nt->v[i]) == len && memcmp(nt->v[i], name, len) == 0)
			return (int)i;
	if (nt->n >= max)
		return -ENOSPC;
	nv = realloc(nt->v, (nt->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nt->v = nv;
	if (!(nt->v[nt->n] = strndup(name, len)))
		return -ENOMEM;
	return (int)nt->n++;
}

static const char *name_of(const struct sw_rules *r, enum rules_nt t, size_t id)
{
	return r && id < r->names[t].n ? r->names[t].v[id] : NULL;
}

const char *sw_rules_flowint_name(const struct sw_rules *r, size_t id)
{
	return name_of(r, RULES_NT_FLOWINT, id);
}

const char *sw_rules_hostbit_name(const struct sw_rules *r, size_t id)
{
	return name_of(r, RULES_NT_HOSTBIT, id);
}

const char *sw_rules_pairbit_name(const struct sw_rules *r, size_t id)
{
	return name_of(r, RULES_NT_PAIRBIT, id);
}

size_t sw_rules_count(const struct sw_rules *r)
{
	return r ? r->n : 0;
}

const struct sw_rule *sw_rules_get(const struct sw_rules *r, size_t i)
{
	return r && i < r->n ? r->rules[i] : NULL;
}

size_t sw_rules_error_count(const struct sw_rules *r)
{
	return r ? r->nerr : 0;
}

const struct sw_rule_error *sw_rules_error(const struct sw_rules *r, size_t i)
{
	return r && i < r->nerr ? &r->err[i] : NULL;
}

size_t sw_rules_flowbit_count(const struct sw_rules *r)
{
	return r ? r->nfb : 0;
}

const char *sw_rules_flowbit_name(const struct sw_rules *r, size_t id)
{
	return r && id < r->nfb ? r->fb[id] : NULL;
}
