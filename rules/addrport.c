/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address and port expressions of a rule header, resolved to sorted, merged,
 * disjoint interval lists (rule.h).  Grammar, as Suricata reads it:
 *   item := '!' item | '[' item (',' item)* ']' | any | $VAR | atom
 * A list is the union of its positive items (everything if it has none) minus
 * the union of its negated items.  Every set operation works on normalized
 * lists by merging, so a 50-address list costs one sort, never n^2.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "rules_int.h"

__extension__ typedef unsigned __int128 u128;

struct iv {
	u128 lo, hi;
};

struct ivl {
	struct iv *r;
	size_t n, cap;
};

/* An address set is two lists (v4, v6); a port set uses only v4. */
struct ivs {
	struct ivl l[2];
};

#define MAX_DEPTH 32

struct ps {
	const struct sw_rule_vars *vars;
	bool port;
	struct perr *e;
	int depth;
	const char *stk[MAX_DEPTH];
	size_t stklen[MAX_DEPTH];
	int nstk;
};

static u128 space_max(const struct ps *ps, int fam)
{
	if (ps->port)
		return 65535;
	return fam == 0 ? (u128)UINT32_MAX : ~(u128)0;
}

static int ivl_push(struct ivl *l, u128 lo, u128 hi)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct iv *nr = realloc(l->r, nc * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		l->r = nr;
		l->cap = nc;
	}
	l->r[l->n].lo = lo;
	l->r[l->n].hi = hi;
	l->n++;
	return 0;
}

static void ivs_free(struct ivs *s)
{
	free(s->l[0].r);
	free(s->l[1].r);
	memset(s, 0, sizeof(*s));
}

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge overlapping or adjacent intervals in place. */
static void ivl_norm(struct ivl *l)
{
	size_t o = 0;

	if (l->n < 2)
		return;
	qsort(l->r, l->n, sizeof(*l->r), iv_cmp);
	for (size_t i = 1; i < l->n; i++) {
		struct iv *last = &l->r[o];
		if (l->r[i].lo <= last->hi || (last->hi != ~(u128)0 && l->r[i].lo == last->hi + 1)) {
			if (l->r[i].hi > last->hi)
				last->hi = l->r[i].hi;
		} else {
			l->r[++o] = l->r[i];
		}
	}
	l->n = o + 1;
}

/* Replace normalized @l by its complement over [0, max]. */
static int ivl_complement(struct ivl *l, u128 max)
{
	struct ivl out = { 0 };
	u128 next = 0;
	bool done = false;

	for (size_t i = 0; i < l->n; i++) {
		if (l->r[i].lo > next && ivl_push(&out, next, l->r[i].lo - 1) < 0)
			goto nomem;
		if (l->r[i].hi >= max) {
			done = true;
			break;
		}
		next = l->r[i].hi + 1;
	}
	if (!done && ivl_push(&out, next, max) < 0)
		goto nomem;
	free(l->r);
	*l = out;
	return 0;
nomem:
	free(out.r);
	return -ENOMEM;
}

/* @a := @a minus @b, both normalized: a two-pointer walk. */
static int ivl_subtract(struct ivl *a, const struct ivl *b)
{
	struct ivl out = { 0 };
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		u128 lo = a->r[i].lo, hi = a->r[i].hi;
		bool alive = true;

		while (j < b->n && b->r[j].hi < lo)
			j++;
		for (size_t k = j; k < b->n && b->r[k].lo <= hi; k++) {
			if (b->r[k].lo > lo && ivl_push(&out, lo, b->r[k].lo - 1) < 0)
				goto nomem;
			if (b->r[k].hi >= hi) {
				alive = false;
				break;
			}
			lo = b->r[k].hi + 1;
		}
		if (alive && ivl_push(&out, lo, hi) < 0)
			goto nomem;
	}
	free(a->r);
	*a = out;
	return 0;
nomem:
	free(out.r);
	return -ENOMEM;
}

static int ivl_append(struct ivl *a, const struct ivl *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (ivl_push(a, b->r[i].lo, b->r[i].hi) < 0)
			return -ENOMEM;
	return 0;
}

static int ivs_all(struct ps *ps, struct ivs *s)
{
	if (ivl_push(&s->l[0], 0, space_max(ps, 0)) < 0)
		return -ENOMEM;
	if (!ps->port && ivl_push(&s->l[1], 0, space_max(ps, 1)) < 0)
		return -ENOMEM;
	return 0;
}

static int ivs_complement(struct ps *ps, struct ivs *s)
{
	if (ivl_complement(&s->l[0], space_max(ps, 0)) < 0)
		return -ENOMEM;
	if (!ps->port && ivl_complement(&s->l[1], space_max(ps, 1)) < 0)
		return -ENOMEM;
	return 0;
}

static u128 ip_to_u128(const struct sw_ip *ip)
{
	u128 v = 0;
	if (ip->family == AF_INET)
		return sw_ip_v4(ip);
	for (int i = 0; i < 16; i++)
		v = v << 8 | ip->a[i];
	return v;
}

static bool is_delim(char c)
{
	return c == ',' || c == ']' || c == '[' || isspace((unsigned char)c);
}

static void skip_ws(const char *s, size_t len, size_t *pos)
{
	while (*pos < len && isspace((unsigned char)s[*pos]))
		(*pos)++;
}

static int parse_item(struct ps *ps, const char *s, size_t len, size_t *pos, size_t col,
		      bool fixed, struct ivs *out);

static size_t colof(size_t col, bool fixed, size_t pos)
{
	return fixed ? col : col + pos;
}

/* One address: any, a.b.c.d[/n], v6[/n], or a-b range. */
static int parse_addr_atom(struct ps *ps, const char *t, size_t tl, size_t c, struct ivs *out)
{
	char buf[128];
	const char *dash;
	struct sw_ip ip, ip2;
	uint8_t pfx;

	if (tl >= sizeof(buf))
		return perr(ps->e, c, "invalid address '%.*s'", (int)(tl > 80 ? 80 : tl), t);
	memcpy(buf, t, tl);
	buf[tl] = '\0';
	dash = strchr(buf, '-');
	if (dash && !strchr(buf, '/')) {
		buf[dash - buf] = '\0';
		if (sw_ip_parse(buf, &ip) < 0 || sw_ip_parse(dash + 1, &ip2) < 0 ||
		    ip.family != ip2.family || ip_to_u128(&ip) > ip_to_u128(&ip2))
			return perr(ps->e, c, "invalid address range '%.*s'", (int)tl, t);
		return ivl_push(&out->l[ip.family == AF_INET ? 0 : 1], ip_to_u128(&ip), ip_to_u128(&ip2));
	}
	if (sw_cidr_parse(buf, &ip, &pfx) < 0)
		return perr(ps->e, c, "invalid address '%.*s'", (int)tl, t);
	{
		int fam = ip.family == AF_INET ? 0 : 1;
		unsigned bits = fam ? 128 : 32;
		u128 lo = ip_to_u128(&ip);
		u128 host = pfx >= bits ? 0 : (bits - pfx == 128 ? ~(u128)0 : (((u128)1 << (bits - pfx)) - 1));
		return ivl_push(&out->l[fam], lo, lo | host);
	}
}

static int parse_port_num(const char *t, size_t tl, uint32_t *v)
{
	uint32_t x = 0;

	if (tl == 0 || tl > 5)
		return -EINVAL;
	for (size_t i = 0; i < tl; i++) {
		if (!isdigit((unsigned char)t[i]))
			return -EINVAL;
		x = x * 10 + (uint32_t)(t[i] - '0');
	}
	if (x > 65535)
		return -ERANGE;
	*v = x;
	return 0;
}

/* One port: N, a:b, :b, a: */
static int parse_port_atom(struct ps *ps, const char *t, size_t tl, size_t c, struct ivs *out)
{
	const char *colon = memchr(t, ':', tl);
	uint32_t lo = 0, hi = 65535;
	int ret;

	if (!colon) {
		ret = parse_port_num(t, tl, &lo);
		hi = lo;
	} else {
		size_t l1 = (size_t)(colon - t), l2 = tl - l1 - 1;
		if (l1 == 0 && l2 == 0)
			return perr(ps->e, c, "invalid port '%.*s'", (int)tl, t);
		ret = 0;
		if (l1)
			ret = parse_port_num(t, l1, &lo);
		if (!ret && l2)
			ret = parse_port_num(colon + 1, l2, &hi);
		if (!ret && lo > hi)
			return perr(ps->e, c, "invalid port range '%.*s'", (int)tl, t);
	}
	if (ret == -ERANGE)
		return perr(ps->e, c, "port out of range (0-65535): '%.*s'", (int)tl, t);
	if (ret < 0)
		return perr(ps->e, c, "invalid port '%.*s'", (int)(tl > 80 ? 80 : tl), t);
	return ivl_push(&out->l[0], lo, hi);
}

static int parse_var(struct ps *ps, const char *t, size_t tl, size_t c, struct ivs *out)
{
	const char *name = t + 1, *val;
	size_t nl = tl - 1, p = 0;
	int ret;

	if (nl == 0)
		return perr(ps->e, c, "invalid variable '%.*s'", (int)tl, t);
	for (int i = 0; i < ps->nstk; i++)
		if (ps->stklen[i] == nl && memcmp(ps->stk[i], name, nl) == 0)
			return perr(ps->e, c, "variable loop in '%.*s'", (int)(tl > 80 ? 80 : tl), t);
	val = vars_lookup(ps->vars, name, nl, ps->port);
	if (!val)
		return perr(ps->e, c, "unknown %s variable '%.*s'", ps->port ? "port" : "address",
			    (int)(tl > 80 ? 80 : tl), t);
	if (ps->nstk >= MAX_DEPTH)
		return perr(ps->e, c, "variables nested too deep at '%.*s'", (int)tl, t);
	ps->stk[ps->nstk] = name;
	ps->stklen[ps->nstk] = nl;
	ps->nstk++;
	/* Errors inside a variable's value point at the variable in the rule. */
	skip_ws(val, strlen(val), &p);
	ret = parse_item(ps, val, strlen(val), &p, c, true, out);
	if (!ret) {
		skip_ws(val, strlen(val), &p);
		if (p != strlen(val))
			ret = perr(ps->e, c, "invalid value of variable '%.*s'", (int)tl, t);
	}
	ps->nstk--;
	return ret;
}

static int parse_list(struct ps *ps, const char *s, size_t len, size_t *pos, size_t col, bool fixed,
		      struct ivs *out)
{
	struct ivs pos_set = { 0 }, neg_set = { 0 }, item = { 0 };
	bool any_pos = false;
	size_t open = *pos;
	int ret;

	(*pos)++; /* '[' */
	for (;;) {
		bool neg = false;

		skip_ws(s, len, pos);
		if (*pos < len && s[*pos] == '!') {
			/* Peek: a negated item goes into the subtracted set. */
			neg = true;
			(*pos)++;
			skip_ws(s, len, pos);
		}
		ret = parse_item(ps, s, len, pos, col, fixed, &item);
		if (ret < 0)
			goto out;
		for (int f = 0; f < 2; f++) {
			ret = ivl_append(&(neg ? &neg_set : &pos_set)->l[f], &item.l[f]);
			if (ret < 0)
				goto out;
		}
		if (!neg)
			any_pos = true;
		ivs_free(&item);
		skip_ws(s, len, pos);
		if (*pos < len && s[*pos] == ',') {
			(*pos)++;
			continue;
		}
		if (*pos < len && s[*pos] == ']') {
			(*pos)++;
			break;
		}
		ret = perr(ps->e, colof(col, fixed, *pos < len ? *pos : open),
			   *pos < len ? "unexpected '%.*s' in list" : "unterminated list '%.*s'",
			   *pos < len ? 1 : (int)((len - open) > 80 ? 80 : len - open),
			   *pos < len ? s + *pos : s + open);
		goto out;
	}
	if (!any_pos && (ret = ivs_all(ps, &pos_set)) < 0)
		goto out;
	for (int f = 0; f < 2; f++) {
		ivl_norm(&pos_set.l[f]);
		ivl_norm(&neg_set.l[f]);
		if ((ret = ivl_subtract(&pos_set.l[f], &neg_set.l[f])) < 0)
			goto out;
		if ((ret = ivl_append(&out->l[f], &pos_set.l[f])) < 0)
			goto out;
	}
	ret = 0;
out:
	ivs_free(&pos_set);
	ivs_free(&neg_set);
	ivs_free(&item);
	return ret;
}

/* Parse one item at *pos and add its intervals to @out (unnormalized). */
static int parse_item(struct ps *ps, const char *s, size_t len, size_t *pos, size_t col,
		      bool fixed, struct ivs *out)
{
	size_t start = *pos, c = colof(col, fixed, *pos);
	int ret;

	if (++ps->depth > MAX_DEPTH) {
		ret = perr(ps->e, c, "%s nested too deep", ps->port ? "port list" : "address list");
		goto out;
	}
	if (*pos >= len) {
		ret = perr(ps->e, c, "missing %s", ps->port ? "port" : "address");
		goto out;
	}
	if (s[*pos] == '!') {
		struct ivs sub = { 0 };
		(*pos)++;
		skip_ws(s, len, pos);
		ret = parse_item(ps, s, len, pos, col, fixed, &sub);
		if (!ret) {
			for (int f = 0; f < 2; f++)
				ivl_norm(&sub.l[f]);
			ret = ivs_complement(ps, &sub);
		}
		for (int f = 0; !ret && f < 2; f++)
			ret = ivl_append(&out->l[f], &sub.l[f]);
		ivs_free(&sub);
		goto out;
	}
	if (s[*pos] == '[') {
		ret = parse_list(ps, s, len, pos, col, fixed, out);
		goto out;
	}
	while (*pos < len && !is_delim(s[*pos]))
		(*pos)++;
	if (*pos == start) {
		ret = perr(ps->e, c, "unexpected '%c' in %s", s[start], ps->port ? "port" : "address");
		goto out;
	}
	if (*pos - start == 3 && strncasecmp(s + start, "any", 3) == 0)
		ret = ivs_all(ps, out);
	else if (s[start] == '$')
		ret = parse_var(ps, s + start, *pos - start, c, out);
	else if (ps->port)
		ret = parse_port_atom(ps, s + start, *pos - start, c, out);
	else
		ret = parse_addr_atom(ps, s + start, *pos - start, c, out);
out:
	ps->depth--;
	if (ret == -ENOMEM)
		perr(ps->e, c, "out of memory");
	return ret;
}

static int resolve(struct ps *ps, const char *s, size_t len, size_t col0, struct ivs *set)
{
	size_t pos = 0;
	int ret;

	ret = parse_item(ps, s, len, &pos, col0, false, set);
	if (ret < 0)
		return ret;
	if (pos != len)
		return perr(ps->e, col0 + pos, "unexpected '%.*s' after %s", (int)((len - pos) > 80 ? 80 : len - pos),
			    s + pos, ps->port ? "port" : "address");
	for (int f = 0; f < 2; f++)
		ivl_norm(&set->l[f]);
	if (set->l[0].n == 0 && set->l[1].n == 0)
		return perr(ps->e, col0, "%s '%.*s' matches nothing", ps->port ? "port set" : "address set",
			    (int)(len > 80 ? 80 : len), s);
	return 0;
}

int parse_addrset(const char *s, size_t len, size_t col0, const struct sw_rule_vars *v,
		  struct sw_addrset *out, struct perr *e)
{
	struct ps ps = { .vars = v, .port = false, .e = e };
	struct ivs set = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = resolve(&ps, s, len, col0, &set);
	if (ret < 0)
		goto out;
	if (set.l[0].n == 1 && set.l[0].r[0].lo == 0 && set.l[0].r[0].hi == UINT32_MAX &&
	    set.l[1].n == 1 && set.l[1].r[0].lo == 0 && set.l[1].r[0].hi == ~(u128)0) {
		out->any = true;
		goto out;
	}
	ret = -ENOMEM;
	if (set.l[0].n && !(out->v4 = calloc(set.l[0].n, sizeof(*out->v4))))
		goto out;
	if (set.l[1].n && !(out->v6 = calloc(set.l[1].n, sizeof(*out->v6))))
		goto out;
	out->n4 = (uint32_t)set.l[0].n;
	out->n6 = (uint32_t)set.l[1].n;
	for (size_t i = 0; i < set.l[0].n; i++) {
		out->v4[i].lo = (uint32_t)set.l[0].r[i].lo;
		out->v4[i].hi = (uint32_t)set.l[0].r[i].hi;
	}
	for (size_t i = 0; i < set.l[1].n; i++) {
		for (int b = 0; b < 16; b++) {
			out->v6[i].lo[b] = (uint8_t)(set.l[1].r[i].lo >> (8 * (15 - b)));
			out->v6[i].hi[b] = (uint8_t)(set.l[1].r[i].hi >> (8 * (15 - b)));
		}
	}
	ret = 0;
out:
	if (ret == -ENOMEM)
		perr(e, col0, "out of memory");
	if (ret < 0) {
		free(out->v4);
		free(out->v6);
		memset(out, 0, sizeof(*out));
	}
	ivs_free(&set);
	return ret;
}

int parse_portset(const char *s, size_t len, size_t col0, const struct sw_rule_vars *v,
		  struct sw_portset *out, struct perr *e)
{
	struct ps ps = { .vars = v, .port = true, .e = e };
	struct ivs set = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = resolve(&ps, s, len, col0, &set);
	if (ret < 0)
		goto out;
	if (set.l[0].n == 1 && set.l[0].r[0].lo == 0 && set.l[0].r[0].hi == 65535) {
		out->any = true;
		goto out;
	}
	ret = -ENOMEM;
	if (!(out->r = calloc(set.l[0].n, sizeof(*out->r))))
		goto out;
	out->n = (uint32_t)set.l[0].n;
	for (size_t i = 0; i < set.l[0].n; i++) {
		out->r[i].lo = (uint16_t)set.l[0].r[i].lo;
		out->r[i].hi = (uint16_t)set.l[0].r[i].hi;
	}
	ret = 0;
out:
	if (ret == -ENOMEM)
		perr(e, col0, "out of memory");
	if (ret < 0) {
		free(out->r);
		memset(out, 0, sizeof(*out));
	}
	ivs_free(&set);
	return ret;
}
