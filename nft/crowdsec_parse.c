// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure half of the CrowdSec bouncer (crowdsec.h): a decision stream
 * answer read with jansson, Go durations, and the set of values banned.
 *
 * A stream answer is {"new": [decision...] | null, "deleted": [...] | null}
 * where a decision is {"id": N, "origin": "...", "type": "ban",
 * "scope": "Ip" | "Range" | ..., "value": "...", "duration": "3h59m1.2s",
 * "scenario": "...", "simulated": bool} (CrowdSec's models.Decision).
 */
#include "crowdsec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* ---- Go durations ---- */

int sw_cs_duration(const char *s, int64_t *ms)
{
	/* nanoseconds, as Go keeps them: the sum must fit an int64 */
	const uint64_t lim = (uint64_t)INT64_MAX;
	uint64_t total = 0;
	bool neg = false;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ms = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		uint64_t whole = 0, frac = 0, scale = 1, unit;
		bool digits = false;

		while (*s >= '0' && *s <= '9') {
			if (whole > (lim - 9) / 10)
				return -ERANGE;
			whole = whole * 10 + (uint64_t)(*s++ - '0');
			digits = true;
		}
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9') {
				/* digits past nanosecond precision of an hour add nothing: drop them */
				if (scale < 1000000000000000000ull) {
					frac = frac * 10 + (uint64_t)(*s - '0');
					scale *= 10;
				}
				s++;
				digits = true;
			}
		}
		if (!digits)
			return -EINVAL;
		if (!strncmp(s, "ns", 2))
			unit = 1, s += 2;
		else if (!strncmp(s, "us", 2))
			unit = 1000, s += 2;
		else if (!strncmp(s, "\xc2\xb5s", 3) || !strncmp(s, "\xce\xbcs", 3))
			unit = 1000, s += 3; /* U+00B5 and U+03BC, as Go accepts */
		else if (!strncmp(s, "ms", 2))
			unit = 1000000, s += 2;
		else if (*s == 's')
			unit = 1000000000ull, s++;
		else if (*s == 'm')
			unit = 60ull * 1000000000ull, s++;
		else if (*s == 'h')
			unit = 3600ull * 1000000000ull, s++;
		else
			return -EINVAL; /* a unit is required after every number */
		if (whole > lim / unit)
			return -ERANGE;
		whole *= unit;
		/* the fraction in this unit; unit * frac may overflow, so divide first */
		whole += (uint64_t)((long double)frac * (long double)unit / (long double)scale);
		if (whole > lim - total)
			return -ERANGE;
		total += whole;
	}
	*ms = (int64_t)(total / 1000000) * (neg ? -1 : 1);
	return 0;
}

/* ---- stream answers ---- */

static void put_bad(struct sw_cs_batch *b, const char *what, const char *val)
{
	if (!b->bad++)
		snprintf(b->bad_text, sizeof(b->bad_text), "%s '%.60s'", what, val ? val : "(none)");
}

/* A string member; one with a NUL inside reads as "\x01" (no valid value, scope or type). */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	return strlen(json_string_value(v)) == json_string_length(v) ? json_string_value(v) : "\x01";
}

static bool origin_ok(const struct sw_enf_crowdsec_cfg *cfg, const char *origin)
{
	if (!cfg->norigins)
		return true;
	for (size_t i = 0; origin && i < cfg->norigins; i++)
		if (!strcasecmp(cfg->origins[i], origin))
			return true;
	return false;
}

static int grow(struct sw_cs_batch *b, size_t want)
{
	struct sw_cs_decision *d;
	size_t cap = b->cap ? b->cap : 256;

	if (want <= b->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	d = realloc(b->d, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	b->d = d;
	b->cap = cap;
	return 0;
}

/* One decision of the answer's @deleted or new list; 0 or -ENOMEM. */
static int one(json_t *o, bool deleted, const struct sw_enf_crowdsec_cfg *cfg, struct sw_cs_batch *b)
{
	const char *type, *scope, *value, *origin, *scenario, *dur;
	struct sw_cs_decision *d;
	unsigned scope_bit;
	json_t *id, *sim;
	int64_t ms = 0;
	size_t k, n;

	if (!json_is_object(o)) {
		put_bad(b, "a decision that is not an object:", NULL);
		return 0;
	}
	type = str(o, "type");
	scope = str(o, "scope");
	value = str(o, "value");
	origin = str(o, "origin");
	scenario = str(o, "scenario");
	dur = str(o, "duration");
	id = json_object_get(o, "id");
	sim = json_object_get(o, "simulated");
	if (!scope || !value) {
		put_bad(b, "a decision without scope or value: id", NULL);
		return 0;
	}
	scope_bit = !strcasecmp(scope, "ip") ? SW_ENF_CS_SCOPE_IP
		  : !strcasecmp(scope, "range") ? SW_ENF_CS_SCOPE_RANGE : 0;
	/*
	 * Only bans block.  Captcha and custom types are for bouncers that can
	 * answer a web request; Country and AS scopes have no CIDR here.
	 */
	if (!type || strcasecmp(type, "ban") || !(scope_bit & cfg->scopes) || !origin_ok(cfg, origin) ||
	    json_is_true(sim)) {
		b->ignored++;
		return 0;
	}
	if (!json_is_integer(id) || json_integer_value(id) < 0) {
		put_bad(b, "a decision without a numeric id: value", value);
		return 0;
	}
	if (!deleted) {
		int r = dur ? sw_cs_duration(dur, &ms) : -EINVAL;

		if (r) {
			put_bad(b, "a decision with a bad duration:", dur);
			return 0;
		}
		if (ms <= 0) {
			b->ignored++; /* expired already: nothing to block */
			return 0;
		}
	}
	if (grow(b, b->n + 1))
		return -ENOMEM;
	d = &b->d[b->n];
	memset(d, 0, sizeof(*d));
	if (sw_cidr_parse(value, &d->ip, &d->prefix) ||
	    (scope_bit == SW_ENF_CS_SCOPE_IP && d->prefix != (d->ip.family == AF_INET ? 32 : 128))) {
		put_bad(b, scope_bit == SW_ENF_CS_SCOPE_IP ? "an Ip decision whose value is not an address:"
							   : "a Range decision whose value is not a CIDR:",
			value);
		return 0;
	}
	d->id = (uint64_t)json_integer_value(id);
	d->deleted = deleted;
	if (!deleted) {
		int64_t s = (ms + 999) / 1000;

		d->ttl = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	/* the reason is a journal field and a control-socket line: printable ASCII */
	n = (size_t)snprintf(d->reason, sizeof(d->reason), "%s: %s", origin ? origin : "-",
			     scenario ? scenario : "-");
	for (k = 0; k < n && k < sizeof(d->reason) - 1; k++)
		if ((unsigned char)d->reason[k] < 0x20 || (unsigned char)d->reason[k] > 0x7e)
			d->reason[k] = '?';
	if (deleted)
		b->ndeleted++;
	else
		b->nnew++;
	b->n++;
	return 0;
}

/*
 * The answer is read one decision at a time: jansson decodes each element
 * of the two lists on its own (JSON_DISABLE_EOF_CHECK gives back where it
 * stopped), and only the punctuation between them is walked here.  A whole
 * start-up answer as one tree is ~8 allocations per decision: 100,000
 * decisions grew the heap by ~100 MB and took 0.8 s, mostly first-touch
 * page faults; one decision at a time reuses the same few blocks.
 */
static size_t skip_ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/* The JSON value at @p[*@i] (any type), *@i moved past it; NULL with @err set. */
static json_t *value_at(const char *p, size_t n, size_t *i, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v = json_loadb(p + *i, n - *i, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);

	if (!v) {
		snprintf(err, errlen, "not JSON: %s at byte %zu", je.text, *i + (size_t)je.position);
		return NULL;
	}
	*i += (size_t)je.position;
	return v;
}

static int expect(const char *p, size_t n, size_t *i, const char *what, char *err, size_t errlen)
{
	*i = skip_ws(p, *i, n);
	if (*i < n && strchr(what, p[*i]))
		return p[(*i)++];
	snprintf(err, errlen, "not a decision stream: expected %s at byte %zu", what, *i);
	return -EINVAL;
}

/* The elements of a "new" or "deleted" list, from after its '['. */
static int list(const char *p, size_t n, size_t *i, bool deleted, const struct sw_enf_crowdsec_cfg *cfg,
		struct sw_cs_batch *b, char *err, size_t errlen)
{
	*i = skip_ws(p, *i, n);
	if (*i < n && p[*i] == ']') {
		(*i)++;
		return 0;
	}
	for (;;) {
		json_t *o = value_at(p, n, i, err, errlen);
		int r, c;

		if (!o)
			return -EINVAL;
		r = one(o, deleted, cfg, b);
		json_decref(o);
		if (r)
			return r;
		c = expect(p, n, i, ",]", err, errlen);
		if (c < 0)
			return c;
		if (c == ']')
			return 0;
	}
}

/* Deletions first, each group in the answer's order (the answer may list "new" first). */
static int deleted_first(struct sw_cs_batch *b)
{
	struct sw_cs_decision *t;
	size_t i, k = 0;

	for (i = 1; i < b->n && !(b->d[i].deleted && !b->d[i - 1].deleted); i++)
		;
	if (i >= b->n)
		return 0; /* already in order */
	t = malloc(b->n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < b->n; i++)
		if (b->d[i].deleted)
			t[k++] = b->d[i];
	for (i = 0; i < b->n; i++)
		if (!b->d[i].deleted)
			t[k++] = b->d[i];
	memcpy(b->d, t, b->n * sizeof(*t));
	free(t);
	return 0;
}

int sw_cs_parse_stream(const char *p, size_t n, const struct sw_enf_crowdsec_cfg *cfg,
		       struct sw_cs_batch *b, char *err, size_t errlen)
{
	bool seen = false;
	size_t i = 0;
	int c;

	b->n = 0;
	b->nnew = b->ndeleted = b->ignored = b->bad = 0;
	b->bad_text[0] = 0;
	i = skip_ws(p, 0, n);
	if (i == n) {
		snprintf(err, errlen, "not JSON: an empty answer");
		return -EINVAL;
	}
	if (p[i] != '{') {
		snprintf(err, errlen, "not a decision stream: the answer is not an object");
		return -EINVAL;
	}
	i++;
	i = skip_ws(p, i, n);
	if (i < n && p[i] == '}') {
		snprintf(err, errlen, "not a decision stream: neither \"new\" nor \"deleted\"");
		return -EINVAL;
	}
	for (;;) {
		json_t *k;
		const char *key;
		bool is_new, is_del;
		int r;

		i = skip_ws(p, i, n);
		k = value_at(p, n, &i, err, errlen);
		if (!k)
			return -EINVAL;
		if (!json_is_string(k)) {
			json_decref(k);
			snprintf(err, errlen, "not a decision stream: expected a key at byte %zu", i);
			return -EINVAL;
		}
		key = json_string_value(k);
		is_new = !strcmp(key, "new");
		is_del = !strcmp(key, "deleted");
		json_decref(k);
		if ((c = expect(p, n, &i, ":", err, errlen)) < 0)
			return c;
		i = skip_ws(p, i, n);
		seen |= is_new || is_del;
		if ((is_new || is_del) && i < n && p[i] == '[') {
			i++;
			r = list(p, n, &i, is_del, cfg, b, err, errlen);
			if (r == -ENOMEM)
				snprintf(err, errlen, "out of memory for %zu decisions", b->n);
			if (r)
				return r;
		} else {
			json_t *v = value_at(p, n, &i, err, errlen);

			if (!v)
				return -EINVAL;
			/* the LAPI writes null for an empty list; other members are skipped */
			r = (is_new || is_del) && !json_is_null(v);
			json_decref(v);
			if (r) {
				snprintf(err, errlen, "\"%s\" is not a list", is_new ? "new" : "deleted");
				return -EINVAL;
			}
		}
		if ((c = expect(p, n, &i, ",}", err, errlen)) < 0)
			return c;
		if (c == '}')
			break;
	}
	if (skip_ws(p, i, n) != n) {
		snprintf(err, errlen, "not a decision stream: data after the answer at byte %zu", skip_ws(p, i, n));
		return -EINVAL;
	}
	if (!seen) {
		snprintf(err, errlen, "not a decision stream: neither \"new\" nor \"deleted\"");
		return -EINVAL;
	}
	if (deleted_first(b)) {
		snprintf(err, errlen, "out of memory for %zu decisions", b->n);
		return -ENOMEM;
	}
	return 0;
}

void sw_cs_batch_free(struct sw_cs_batch *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* ---- the values CrowdSec holds banned ---- */

#define NIL UINT32_MAX

struct cs_val {
	struct sw_ip ip;
	uint8_t prefix;
	bool used;
	uint32_t next; /* chain, or the free list */
	uint64_t expires;
};

struct sw_cs_state {
	struct cs_val *vals;
	uint32_t nval, cap, freel;
	uint32_t *bucket; /* heads; nbucket a power of two */
	uint32_t nbucket;
	size_t live;
};

static uint32_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t val_hash(const struct sw_ip *ip, uint8_t prefix)
{
	uint64_t a, b;

	memcpy(&a, ip->a, 8);
	memcpy(&b, ip->a + 8, 8);
	return mix64(a ^ mix64(b ^ ((uint64_t)prefix << 8 | (uint64_t)ip->family)));
}

struct sw_cs_state *sw_cs_state_new(void)
{
	struct sw_cs_state *st = calloc(1, sizeof(*st));

	if (st)
		sw_cs_state_reset(st);
	return st;
}

void sw_cs_state_free(struct sw_cs_state *st)
{
	if (!st)
		return;
	free(st->vals);
	free(st->bucket);
	free(st);
}

void sw_cs_state_reset(struct sw_cs_state *st)
{
	st->nval = 0;
	st->freel = NIL;
	st->live = 0;
	if (st->bucket)
		memset(st->bucket, 0xff, st->nbucket * sizeof(*st->bucket));
}

size_t sw_cs_state_count(const struct sw_cs_state *st)
{
	return st->live;
}

/* Twice the buckets, every chain and the free list rebuilt (slots do not move). */
static int rehash(struct sw_cs_state *st)
{
	uint32_t nb = st->nbucket ? st->nbucket * 2 : 1024, i;
	uint32_t *bk;

	if (nb > (1u << 30) || !(bk = malloc(nb * sizeof(*bk))))
		return -ENOMEM;
	memset(bk, 0xff, nb * sizeof(*bk));
	st->freel = NIL;
	for (i = st->nval; i-- > 0;) {
		struct cs_val *v = &st->vals[i];

		if (v->used) {
			uint32_t h = val_hash(&v->ip, v->prefix) & (nb - 1);

			v->next = bk[h];
			bk[h] = i;
		} else {
			v->next = st->freel;
			st->freel = i;
		}
	}
	free(st->bucket);
	st->bucket = bk;
	st->nbucket = nb;
	return 0;
}

/* The slot of @ip/@prefix, NIL if none; *@link: the pointer to it (or to the chain's end). */
static uint32_t find_val(const struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix, uint32_t **link)
{
	uint32_t *pp;

	if (!st->nbucket)
		return NIL;
	pp = &st->bucket[val_hash(ip, prefix) & (st->nbucket - 1)];
	while (*pp != NIL && !(st->vals[*pp].prefix == prefix && sw_ip_eq(&st->vals[*pp].ip, ip)))
		pp = &st->vals[*pp].next;
	if (link)
		*link = pp;
	return *pp;
}

bool sw_cs_state_holds(const struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix)
{
	return find_val(st, ip, prefix, NULL) != NIL;
}

bool sw_cs_state_next(const struct sw_cs_state *st, size_t *cursor, struct sw_ip *ip, uint8_t *prefix,
		      uint64_t *expires)
{
	while (*cursor < st->nval) {
		const struct cs_val *v = &st->vals[(*cursor)++];

		if (v->used) {
			*ip = v->ip;
			*prefix = v->prefix;
			*expires = v->expires;
			return true;
		}
	}
	return false;
}

int sw_cs_state_add(struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix, uint64_t expires)
{
	uint32_t i, h;

	i = find_val(st, ip, prefix, NULL);
	if (i != NIL) {
		if (expires > st->vals[i].expires)
			st->vals[i].expires = expires;
		return 0;
	}
	if (st->live >= st->nbucket && rehash(st))
		return -ENOMEM;
	if (st->freel != NIL) {
		i = st->freel;
		st->freel = st->vals[i].next;
	} else {
		if (st->nval == st->cap) {
			uint32_t c = st->cap ? st->cap * 2 : 1024;
			struct cs_val *a;

			if (c > (1u << 30) || !(a = realloc(st->vals, (size_t)c * sizeof(*a))))
				return -ENOMEM;
			st->vals = a;
			st->cap = c;
		}
		i = st->nval++;
	}
	memset(&st->vals[i], 0, sizeof(st->vals[i]));
	st->vals[i].ip = *ip;
	st->vals[i].prefix = prefix;
	st->vals[i].used = true;
	st->vals[i].expires = expires;
	h = val_hash(ip, prefix) & (st->nbucket - 1);
	st->vals[i].next = st->bucket[h];
	st->bucket[h] = i;
	st->live++;
	return 1;
}

int sw_cs_state_del(struct sw_cs_state *st, const struct sw_ip *ip, uint8_t prefix)
{
	uint32_t *pp, i = find_val(st, ip, prefix, &pp);

	if (i == NIL)
		return -ENOENT;
	*pp = st->vals[i].next;
	st->vals[i].used = false;
	st->vals[i].next = st->freel;
	st->freel = i;
	st->live--;
	return 1;
}
