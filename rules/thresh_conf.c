/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Suricata's threshold.config (util-threshold-config.c), applied to the
 * rules already loaded:
 *
 *   suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip ADDRS]
 *   threshold|event_filter gen_id G, sig_id S, type limit|threshold|both,
 *       track by_src|by_dst|by_both|by_rule|by_flow, count N, seconds T
 *   rate_filter gen_id G, sig_id S, track by_src|by_dst|by_both|by_rule|by_flow,
 *       count N, seconds T, new_action alert|drop|pass|reject, timeout T
 *
 * sig_id 0 means every rule (of gen_id, or of every gid when gen_id is 0
 * too); sig_id > 0 with gen_id 0 is refused.  As Suricata:
 *  - a suppress without track silences the rule (its action still
 *    applies); with addresses, a match whose source (by_src), destination
 *    (by_dst) or either address is in them does not alert;
 *  - threshold / event_filter for one rule replaces the rule's own
 *    threshold: (or its detection_filter: when it has no threshold:); for
 *    every rule it only reaches rules without either;
 *  - a rate_filter never applies to a rule with threshold: or
 *    detection_filter: (the rule's own keyword wins);
 *  - a line naming a rule that is not loaded changes nothing (Suricata
 *    warns and goes on).
 * Keyword order is fixed, as in Suricata's expressions.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

#define QMAX 60

struct tc {
	enum { TC_SUPPRESS, TC_THRESHOLD, TC_RATE } kind;
	uint32_t gid, sid;
	bool has_track;
	uint8_t sup_track;
	struct sw_threshold th;
	struct sw_rate_filter rate;
	struct sw_addrset ips;
};

struct field {
	const char *s;
	size_t len, col;
};

static void ftrim(struct field *f)
{
	while (f->len && isspace((unsigned char)*f->s))
		f->s++, f->len--, f->col++;
	while (f->len && isspace((unsigned char)f->s[f->len - 1]))
		f->len--;
}

static bool feq(const struct field *f, const char *w)
{
	return f->len == strlen(w) && strncmp(f->s, w, f->len) == 0;
}

/* "key value": split @f at its first space into @k and @v. */
static void kv(const struct field *f, struct field *k, struct field *v)
{
	size_t i = 0;

	while (i < f->len && !isspace((unsigned char)f->s[i]))
		i++;
	*k = (struct field){ f->s, i, f->col };
	*v = (struct field){ f->s + i, f->len - i, f->col + i };
	ftrim(v);
}

static int num(const struct field *f, uint32_t *out)
{
	uint64_t v = 0;

	if (!f->len || f->len > 10)
		return -EINVAL;
	for (size_t i = 0; i < f->len; i++) {
		if (!isdigit((unsigned char)f->s[i]))
			return -EINVAL;
		v = v * 10 + (uint64_t)(f->s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int fail(struct sw_rules *r, const char *file, uint32_t line, const struct field *at, const char *what)
{
	char msg[256];

	if (at)
		snprintf(msg, sizeof(msg), "%s: '%.*s'", what, (int)(at->len > QMAX ? QMAX : at->len), at->s);
	else
		snprintf(msg, sizeof(msg), "%s", what);
	return rules_add_error(r, file, line, at ? (uint32_t)at->col + 1 : 0, msg) < 0 ? -ENOMEM : -EINVAL;
}

static int track_of(const struct field *v, enum sw_thr_track *t)
{
	static const struct { const char *n; enum sw_thr_track t; } tr[] = {
		{ "by_src", SW_TRACK_BY_SRC }, { "by_dst", SW_TRACK_BY_DST }, { "by_both", SW_TRACK_BY_BOTH },
		{ "by_rule", SW_TRACK_BY_RULE }, { "by_flow", SW_TRACK_BY_FLOW },
	};

	for (size_t i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
		if (feq(v, tr[i].n)) {
			*t = tr[i].t;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parse one line into @t; 0, or an error recorded (-EINVAL) / -ENOMEM. */
static int parse_line(struct sw_rules *r, const char *line, size_t len, const char *file, uint32_t lineno,
		      struct tc *t)
{
	static const char *const thr_keys[] = { "type", "track", "count", "seconds" };
	static const char *const rate_keys[] = { "track", "count", "seconds", "new_action", "timeout" };
	struct field f[8], k, v, word;
	size_t start = 0, n = 0;
	int depth = 0;

	/* top-level commas only: an ip list may hold [a,b] */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] == '[')
			depth++;
		else if (i < len && line[i] == ']' && depth > 0)
			depth--;
		if (i == len || (line[i] == ',' && depth == 0)) {
			if (n == 8)
				return fail(r, file, lineno, NULL, "too many fields");
			f[n] = (struct field){ line + start, i - start, start };
			ftrim(&f[n]);
			n++;
			start = i + 1;
		}
	}
	/* first field: "<type> gen_id G", second "sig_id S" */
	kv(&f[0], &word, &v);
	if (feq(&word, "suppress"))
		t->kind = TC_SUPPRESS;
	else if (feq(&word, "threshold") || feq(&word, "event_filter"))
		t->kind = TC_THRESHOLD;
	else if (feq(&word, "rate_filter"))
		t->kind = TC_RATE;
	else
		return fail(r, file, lineno, &word, "unknown threshold.config type (want suppress, threshold, "
						    "event_filter or rate_filter)");
	kv(&v, &k, &v);
	if (!feq(&k, "gen_id") || num(&v, &t->gid) < 0)
		return fail(r, file, lineno, &f[0], "expected 'gen_id <number>'");
	if (n < 2)
		return fail(r, file, lineno, NULL, "missing sig_id");
	kv(&f[1], &k, &v);
	if (!feq(&k, "sig_id") || num(&v, &t->sid) < 0)
		return fail(r, file, lineno, &f[1], "expected 'sig_id <number>'");
	if (t->sid > 0 && t->gid == 0)
		return fail(r, file, lineno, &f[1], "sig_id > 0 needs gen_id > 0");

	if (t->kind == TC_SUPPRESS) {
		if (n == 2)
			return 0;
		if (n != 4)
			return fail(r, file, lineno, &f[2], "suppress takes 'track by_src|by_dst|by_either, ip <addresses>'");
		kv(&f[2], &k, &v);
		if (!feq(&k, "track"))
			return fail(r, file, lineno, &f[2], "expected 'track'");
		if (feq(&v, "by_src"))
			t->sup_track = SW_SUP_BY_SRC;
		else if (feq(&v, "by_dst"))
			t->sup_track = SW_SUP_BY_DST;
		else if (feq(&v, "by_either"))
			t->sup_track = SW_SUP_BY_EITHER;
		else
			return fail(r, file, lineno, &v, "invalid suppress track (want by_src, by_dst or by_either)");
		kv(&f[3], &k, &v);
		if (!feq(&k, "ip") || !v.len)
			return fail(r, file, lineno, &f[3], "expected 'ip <addresses>'");
		{
			struct perr e = { 0 };

			if (parse_addrset(v.s, v.len, v.col, rules_vars(r), &t->ips, &e) < 0)
				return fail(r, file, lineno, &v, e.set ? e.msg : "invalid address");
		}
		t->has_track = true;
		return 0;
	}
	if (n != 2 + (t->kind == TC_RATE ? 5u : 4u))
		return fail(r, file, lineno, NULL,
			    t->kind == TC_RATE ?
				    "rate_filter needs track, count, seconds, new_action, timeout" :
				    "threshold needs type, track, count, seconds");
	for (size_t i = 2; i < n; i++) {
		const char *want = t->kind == TC_RATE ? rate_keys[i - 2] : thr_keys[i - 2];
		uint32_t x = 0;

		kv(&f[i], &k, &v);
		if (!feq(&k, want)) {
			char msg[64];

			snprintf(msg, sizeof(msg), "expected '%s'", want);
			return fail(r, file, lineno, &f[i], msg);
		}
		if (feq(&k, "type")) {
			if (feq(&v, "limit"))
				t->th.type = SW_THR_LIMIT;
			else if (feq(&v, "threshold"))
				t->th.type = SW_THR_THRESHOLD;
			else if (feq(&v, "both"))
				t->th.type = SW_THR_BOTH;
			else
				return fail(r, file, lineno, &v, "invalid type (want limit, threshold or both)");
		} else if (feq(&k, "track")) {
			enum sw_thr_track tr;

			if (track_of(&v, &tr) < 0)
				return fail(r, file, lineno, &v,
					    "invalid track (want by_src, by_dst, by_both, by_rule or by_flow)");
			t->th.track = t->rate.track = tr;
		} else if (feq(&k, "new_action")) {
			if (feq(&v, "alert"))
				t->rate.new_action = SW_ACTION_ALERT;
			else if (feq(&v, "drop"))
				t->rate.new_action = SW_ACTION_DROP;
			else if (feq(&v, "pass"))
				t->rate.new_action = SW_ACTION_PASS;
			else if (feq(&v, "reject"))
				t->rate.new_action = SW_ACTION_REJECT;
			else
				return fail(r, file, lineno, &v, "invalid new_action (want alert, drop, pass or reject)");
		} else {
			if (num(&v, &x) < 0)
				return fail(r, file, lineno, &v, "invalid number");
			if (feq(&k, "count"))
				t->th.count = t->rate.count = x;
			else if (feq(&k, "seconds"))
				t->th.seconds = t->rate.seconds = x;
			else
				t->rate.timeout = x;
		}
	}
	t->th.set = t->rate.set = true;
	return 0;
}

static int apply(struct sw_rules *r, const struct tc *t, struct sw_rule *rule, bool one)
{
	switch (t->kind) {
	case TC_SUPPRESS:
		if (!t->has_track) {
			rule->noalert = true;
			return 0;
		}
		{
			struct sw_suppress s = { .track = t->sup_track };
			struct sw_suppress *ns;
			size_t n4 = t->ips.n4 * sizeof(*s.ips.v4), n6 = t->ips.n6 * sizeof(*s.ips.v6);

			s.ips = t->ips;
			s.ips.v4 = n4 ? malloc(n4) : NULL;
			s.ips.v6 = n6 ? malloc(n6) : NULL;
			ns = realloc(rule->sup, (rule->n_sup + 1) * sizeof(*ns));
			if ((n4 && !s.ips.v4) || (n6 && !s.ips.v6) || !ns) {
				free(s.ips.v4);
				free(s.ips.v6);
				if (ns)
					rule->sup = ns;
				return -ENOMEM;
			}
			if (n4)
				memcpy(s.ips.v4, t->ips.v4, n4);
			if (n6)
				memcpy(s.ips.v6, t->ips.v6, n6);
			rule->sup = ns;
			rule->sup[rule->n_sup++] = s;
		}
		return 0;
	case TC_THRESHOLD:
		/* a rate_filter is one of these for Suricata (a detection_filter-type entry) */
		if (!one && (rule->threshold.set || rule->detection_filter.set || rule->rate.set))
			return 0; /* the rule's own keyword wins over a global one */
		/* Suricata removes the last threshold-like entry: a rate_filter given before, else detection_filter */
		if (rule->rate.set)
			rule->rate.set = false;
		else if (!rule->threshold.set)
			rule->detection_filter.set = false;
		rule->threshold = t->th;
		return 0;
	case TC_RATE:
		if (rule->threshold.set || rule->detection_filter.set)
			return 0;
		rule->rate = t->rate;
		return 0;
	}
	(void)r;
	return 0;
}

static int conf_line(struct sw_rules *r, const char *line, size_t len, const char *file, uint32_t lineno)
{
	struct tc t = { 0 };
	int ret = parse_line(r, line, len, file, lineno, &t);

	if (ret == -EINVAL) {
		ret = 0; /* recorded; go on with the next line */
		goto out;
	}
	if (ret < 0)
		goto out;
	if (t.sid) {
		long i = rules_find(r, t.gid, t.sid);

		if (i >= 0)
			ret = apply(r, &t, rules_at(r, (size_t)i), true);
		goto out;
	}
	for (size_t i = 0; i < sw_rules_count(r) && ret == 0; i++) {
		struct sw_rule *rule = rules_at(r, i);

		if (t.gid == 0 || rule->gid == t.gid)
			ret = apply(r, &t, rule, false);
	}
out:
	free(t.ips.v4);
	free(t.ips.v6);
	return ret;
}

int sw_rules_load_threshold_string(struct sw_rules *r, const char *text, const char *name)
{
	if (!r || !text)
		return -EINVAL;
	return rules_load_lines(r, text, name ? name : "<string>", conf_line);
}
