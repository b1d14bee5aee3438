/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_load: load rule files through sw_rules only and report how many
 * load, per rule-header protocol, and why the others were rejected.  Used to
 * measure ET Open coverage; not part of the test suite.
 *
 *   rules_load [-v] [-c classification.config] [-L literals.txt] file.rules...
 *
 * The variables are sidewall's built-in defaults (sw_config_default, equal
 * to etc/sidewall.yaml and Suricata's suricata.yaml).
 * "Active" rules are the non-comment rules of each file.  The header protocol
 * of a rule is its second word, read from the file itself so rejected rules
 * are counted too.  Rejection reasons are grouped by message; with -v every
 * error is printed as file:line:column: message.  -L writes the fast-pattern
 * literal of every loaded rule whose fast pattern is a positive content of
 * the packet payload, as sidewall's packet and stream Hyperscan databases
 * hold it (sw_detect_payload_literal; before folding duplicates), in the
 * form bench/hs_ceiling reads: "c HEX" or "i HEX" (nocase), one per line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getline, strdup */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/config.h"
#include "engine/detect/detect.h"
#include "rules/rules.h"

/* One active rule as seen in the file: where, and its header protocol. */
struct seen {
	char *file;
	unsigned line;
	char proto[16];
	int loaded; /* 1 loaded, 0 rejected, -1 unknown */
};

struct count {
	char *key;
	unsigned n;
};

static struct seen *seen;
static size_t nseen, seencap;
static struct count *reasons;
static size_t nreasons, reasoncap;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		perror("realloc");
		exit(1);
	}
	return q;
}

/* Record the active rules of @path (same line logic as rules.c: '#' comments, '\' continuation). */
static void scan_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	unsigned ln = 0;
	int cont = 0;

	if (!f)
		return;
	while (getline(&buf, &cap, f) > 0) {
		char *s = buf, *e;
		size_t l;

		ln++;
		l = strcspn(s, "\r\n");
		s[l] = '\0';
		if (cont) {
			cont = l && s[l - 1] == '\\';
			continue;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		cont = l && buf[l - 1] == '\\';
		if (nseen == seencap) {
			seencap = seencap ? 2 * seencap : 4096;
			seen = xrealloc(seen, seencap * sizeof(*seen));
		}
		seen[nseen].file = strdup(path);
		seen[nseen].line = ln;
		seen[nseen].loaded = -1;
		s += strcspn(s, " \t"); /* action */
		s += strspn(s, " \t");
		e = s + strcspn(s, " \t");
		snprintf(seen[nseen].proto, sizeof(seen[nseen].proto), "%.*s", (int)(e - s), s);
		nseen++;
	}
	free(buf);
	fclose(f);
}

static struct seen *find_seen(const char *file, unsigned line)
{
	/* Rules are recorded in file order; binary search on (file order, line) is overkill here. */
	static size_t hint;

	for (size_t k = 0; k < nseen; k++) {
		size_t i = (hint + k) % nseen;
		if (seen[i].line == line && !strcmp(seen[i].file, file)) {
			hint = i;
			return &seen[i];
		}
	}
	return NULL;
}

static void add_reason(const char *msg)
{
	for (size_t i = 0; i < nreasons; i++) {
		if (!strcmp(reasons[i].key, msg)) {
			reasons[i].n++;
			return;
		}
	}
	if (nreasons == reasoncap) {
		reasoncap = reasoncap ? 2 * reasoncap : 64;
		reasons = xrealloc(reasons, reasoncap * sizeof(*reasons));
	}
	reasons[nreasons].key = strdup(msg);
	reasons[nreasons++].n = 1;
}

static int by_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->key, y->key);
}

static void clear_reasons(void)
{
	for (size_t i = 0; i < nreasons; i++)
		free(reasons[i].key);
	nreasons = 0;
}

/* Per protocol group: loaded / total. */
static void report(const char *title, int (*in)(const char *proto))
{
	unsigned tot = 0, ok = 0;

	for (size_t i = 0; i < nseen; i++) {
		if (!in(seen[i].proto))
			continue;
		tot++;
		ok += seen[i].loaded == 1;
	}
	printf("\n== %s: %u/%u loaded (%.2f%%)\n", title, ok, tot, tot ? 100.0 * ok / tot : 0.0);
}

static int g_httptcp(const char *p) { return !strcmp(p, "http") || !strcmp(p, "tcp"); }
static int g_http(const char *p) { return !strcmp(p, "http") || !strcmp(p, "http1"); }
static int g_tcp(const char *p) { return !strcmp(p, "tcp"); }
static int g_dns(const char *p) { return !strcmp(p, "dns"); }
static int g_tls(const char *p) { return !strcmp(p, "tls"); }
static int g_other(const char *p) { return !g_httptcp(p) && !g_dns(p) && !g_tls(p) && strcmp(p, "http1"); }

/* -L: the payload fast patterns as the packet and stream databases hold them. */
static int write_literals(const struct sw_rules *r, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t n = 0;

	if (!f)
		return -1;
	for (size_t i = 0; i < sw_rules_count(r); i++) {
		const struct sw_rule *x = sw_rules_get(r, i);
		const uint8_t *p;
		uint32_t len;
		bool nocase;

		if (!sw_detect_payload_literal(x, &p, &len, &nocase))
			continue;
		fputs(nocase ? "i " : "c ", f);
		for (uint32_t k = 0; k < len; k++)
			fprintf(f, "%02x", p[k]);
		fputc('\n', f);
		n++;
	}
	fprintf(stderr, "rules_load: %zu literals written to %s\n", n, path);
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sw_rule_vars *v = sw_rule_vars_new();
	struct sw_classification *cls = sw_classification_new();
	struct sw_config *cfg = sw_config_default();
	struct sw_rules *r = NULL;
	struct sw_rule_error err;
	struct timespec t0, t1;
	int verbose = 0, a = 1;
	const char *lits = NULL;
	const char *protos[64];
	size_t nprotos = 0;

	if (!v || !cls || !cfg)
		return 1;
	for (uint32_t i = 0; i < cfg->n_addr_groups; i++)
		if (sw_rule_vars_set_address(v, cfg->addr_groups[i].name, cfg->addr_groups[i].value) < 0)
			return 1;
	for (uint32_t i = 0; i < cfg->n_port_groups; i++)
		if (sw_rule_vars_set_port(v, cfg->port_groups[i].name, cfg->port_groups[i].value) < 0)
			return 1;
	sw_config_free(cfg);
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[a], "-c") && a + 1 < argc) {
			if (sw_classification_load(cls, argv[++a], &err) < 0) {
				fprintf(stderr, "%s:%u: %s\n", err.file, err.line, err.message);
				return 1;
			}
		} else if (!strcmp(argv[a], "-L") && a + 1 < argc) {
			lits = argv[++a];
		} else {
			fprintf(stderr, "usage: %s [-v] [-c classification.config] [-L literals.txt] file.rules...\n",
				argv[0]);
			return 2;
		}
	}
	r = sw_rules_new(v, cls);
	if (!r)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = a; i < argc; i++) {
		int ret = sw_rules_load_file(r, argv[i]);
		if (ret < 0)
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-ret));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = a; i < argc; i++)
		scan_file(argv[i]);
	for (size_t i = 0; i < sw_rules_count(r); i++) {
		const struct sw_rule *x = sw_rules_get(r, i);
		struct seen *s = find_seen(x->file, x->line);
		if (s)
			s->loaded = 1;
	}
	for (size_t i = 0; i < sw_rules_error_count(r); i++) {
		const struct sw_rule_error *e = sw_rules_error(r, i);
		struct seen *s = find_seen(e->file, e->line);
		if (s && s->loaded != 1)
			s->loaded = 0;
		if (verbose)
			printf("%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
	}
	if (lits && write_literals(r, lits) < 0) {
		fprintf(stderr, "%s: %s\n", lits, strerror(errno));
		return 1;
	}
	printf("active rules %zu, loaded %zu, rejected %zu (errors %zu), %.0f ms\n", nseen, sw_rules_count(r),
	       nseen - sw_rules_count(r), sw_rules_error_count(r),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);

	/* per header protocol */
	for (size_t i = 0; i < nseen; i++) {
		size_t k;
		for (k = 0; k < nprotos && strcmp(protos[k], seen[i].proto); k++)
			;
		if (k == nprotos && nprotos < 64)
			protos[nprotos++] = seen[i].proto;
	}
	printf("\n%-12s %8s %8s %8s\n", "proto", "total", "loaded", "pct");
	for (size_t k = 0; k < nprotos; k++) {
		unsigned tot = 0, ok = 0;
		for (size_t i = 0; i < nseen; i++) {
			if (strcmp(protos[k], seen[i].proto))
				continue;
			tot++;
			ok += seen[i].loaded == 1;
		}
		printf("%-12s %8u %8u %7.2f%%\n", protos[k], tot, ok, 100.0 * ok / tot);
	}

	/* reasons per group */
	{
		static const struct { const char *title; int (*in)(const char *); } groups[] = {
			{ "http+tcp", g_httptcp }, { "http", g_http }, { "tcp", g_tcp },
			{ "dns", g_dns },          { "tls", g_tls },   { "others", g_other },
		};
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			report(groups[g].title, groups[g].in);
			clear_reasons();
			for (size_t i = 0; i < sw_rules_error_count(r); i++) {
				const struct sw_rule_error *e = sw_rules_error(r, i);
				struct seen *s = find_seen(e->file, e->line);
				if (s && groups[g].in(s->proto))
					add_reason(e->message);
			}
			qsort(reasons, nreasons, sizeof(*reasons), by_count);
			for (size_t i = 0; i < nreasons && i < 40; i++)
				printf("  %6u  %s\n", reasons[i].n, reasons[i].key);
			if (nreasons > 40)
				printf("  ... %zu more distinct messages\n", nreasons - 40);
		}
	}
	clear_reasons();
	free(reasons);
	for (size_t i = 0; i < nseen; i++)
		free(seen[i].file);
	free(seen);
	sw_rules_free(r);
	sw_rule_vars_free(v);
	sw_classification_free(cls);
	return 0;
}
