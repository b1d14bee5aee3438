/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hs_ceiling: the throughput ceiling for content matching (benchmark, not a
 * test).  Reads a capture, keeps every TCP and UDP payload in memory, compiles
 * the benchmark's literals (bench/gen_rules.py literals.txt: one fast pattern
 * per rule, "c HEX" or "i HEX" for nocase) into one Hyperscan block-mode
 * literal database, and times plain hs_scan over every payload, nothing else:
 * no decoding, flows, streams, verification or output.  sidewall cannot beat
 * this, so its throughput divided by this one is how much of the ceiling it
 * reaches.
 *
 *   hs_ceiling CAPTURE.pcap LITERALS.txt [rounds=5]
 *
 * Prints one line "ceiling: ..." with Mbit/s over the capture's wire bytes
 * (the unit bench/run.sh uses for sidewall), Mbit/s over payload bytes,
 * packets/s, and the number of matches; the best of `rounds` rounds counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs/hs.h>
#include <pcap/pcap.h>

struct payloads {
	unsigned char *data; /* every payload back to back */
	size_t len, cap;
	size_t *off;         /* start of payload i; off[n] == len */
	size_t n, ncap;
	uint64_t packets, wire_bytes;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 4096;
	void *np;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	np = realloc(*p, c * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

/* Payload of an Ethernet (optionally VLAN-tagged) IPv4/IPv6 TCP/UDP frame, or NULL. */
static const unsigned char *l4_payload(const unsigned char *p, size_t caplen, size_t *plen)
{
	size_t off, l4;
	unsigned type, proto;

	if (caplen < 14)
		return NULL;
	type = (unsigned)p[12] << 8 | p[13];
	off = 14;
	while ((type == 0x8100 || type == 0x88a8) && caplen >= off + 4) {
		type = (unsigned)p[off + 2] << 8 | p[off + 3];
		off += 4;
	}
	if (type == 0x0800) {
		if (caplen < off + 20 || (p[off] >> 4) != 4)
			return NULL;
		size_t ihl = (size_t)(p[off] & 15) * 4;
		size_t tot = (size_t)p[off + 2] << 8 | p[off + 3];
		if (ihl < 20 || tot < ihl || caplen < off + tot)
			return NULL;
		if ((((unsigned)p[off + 6] << 8 | p[off + 7]) & 0x3fff) != 0)
			return NULL; /* fragments: not in the benchmark traffic */
		proto = p[off + 9];
		l4 = off + ihl;
		caplen = off + tot;
	} else if (type == 0x86dd) {
		if (caplen < off + 40)
			return NULL;
		size_t plen6 = (size_t)p[off + 4] << 8 | p[off + 5];
		proto = p[off + 6];
		l4 = off + 40;
		if (caplen < l4 + plen6)
			return NULL;
		caplen = l4 + plen6;
	} else {
		return NULL;
	}
	if (proto == 6) {
		if (caplen < l4 + 20)
			return NULL;
		size_t doff = (size_t)(p[l4 + 12] >> 4) * 4;
		if (doff < 20 || caplen < l4 + doff)
			return NULL;
		*plen = caplen - l4 - doff;
		return p + l4 + doff;
	}
	if (proto == 17) {
		if (caplen < l4 + 8)
			return NULL;
		*plen = caplen - l4 - 8;
		return p + l4 + 8;
	}
	return NULL;
}

static int load_capture(const char *path, struct payloads *pl)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *d;
	pcap_t *pc = pcap_open_offline(path, err);
	int rc, ret = 0;

	if (!pc) {
		fprintf(stderr, "hs_ceiling: %s\n", err);
		return -EIO;
	}
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		size_t n = 0;
		const unsigned char *p;

		pl->packets++;
		pl->wire_bytes += h->len;
		if (pcap_datalink(pc) != DLT_EN10MB)
			continue;
		p = l4_payload(d, h->caplen, &n);
		if (!p || n == 0)
			continue;
		if (grow((void **)&pl->data, &pl->cap, pl->len + n, 1) ||
		    grow((void **)&pl->off, &pl->ncap, pl->n + 2, sizeof(size_t))) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(pl->data + pl->len, p, n);
		pl->off[pl->n++] = pl->len;
		pl->len += n;
	}
	if (rc == -1) {
		fprintf(stderr, "hs_ceiling: %s: %s\n", path, pcap_geterr(pc));
		ret = -EIO;
		goto out;
	}
	if (grow((void **)&pl->off, &pl->ncap, pl->n + 1, sizeof(size_t))) {
		ret = -ENOMEM;
		goto out;
	}
	pl->off[pl->n] = pl->len;
out:
	pcap_close(pc);
	return ret;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Literals file to a compiled database.  Returns 0 or -errno. */
static int compile_literals(const char *path, hs_database_t **db, unsigned *count)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	char **lits = NULL;
	size_t *lens = NULL;
	unsigned *flags = NULL, *ids = NULL, n = 0, cap = 0;
	hs_compile_error_t *cerr = NULL;
	int ret = 0;

	if (!f) {
		ret = -errno;
		fprintf(stderr, "hs_ceiling: %s: %s\n", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hex = line + 2;
		size_t hl = strcspn(hex, "\r\n");

		if ((line[0] != 'c' && line[0] != 'i') || line[1] != ' ' || hl == 0 || hl % 2)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			lits = realloc(lits, cap * sizeof(*lits));
			lens = realloc(lens, cap * sizeof(*lens));
			flags = realloc(flags, cap * sizeof(*flags));
			ids = realloc(ids, cap * sizeof(*ids));
			if (!lits || !lens || !flags || !ids) {
				ret = -ENOMEM;
				goto out;
			}
		}
		lits[n] = malloc(hl / 2);
		if (!lits[n]) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < hl / 2; i++)
			lits[n][i] = (char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
		lens[n] = hl / 2;
		flags[n] = HS_FLAG_SINGLEMATCH | (line[0] == 'i' ? HS_FLAG_CASELESS : 0);
		ids[n] = n;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "hs_ceiling: %s: no literals\n", path);
		ret = -EINVAL;
		goto out;
	}
	if (hs_compile_lit_multi((const char *const *)lits, flags, ids, lens, n, HS_MODE_BLOCK, NULL, db, &cerr) !=
	    HS_SUCCESS) {
		fprintf(stderr, "hs_ceiling: compile: %s\n", cerr ? cerr->message : "?");
		hs_free_compile_error(cerr);
		ret = -EINVAL;
		goto out;
	}
	*count = n;
out:
	for (unsigned i = 0; lits && i < n; i++)
		free(lits[i]);
	free(lits);
	free(lens);
	free(flags);
	free(ids);
	fclose(f);
	return ret;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int fl, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)fl;
	(*(uint64_t *)ctx)++;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct payloads pl = {0};
	hs_database_t *db = NULL;
	hs_scratch_t *scratch = NULL;
	unsigned nlit = 0;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double best = 0;
	uint64_t matches = 0;
	int ret = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: hs_ceiling CAPTURE.pcap LITERALS.txt [rounds]\n");
		return 2;
	}
	if (rounds < 1)
		rounds = 1;
	if (load_capture(argv[1], &pl) || compile_literals(argv[2], &db, &nlit))
		goto out;
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "hs_ceiling: hs_alloc_scratch failed\n");
		goto out;
	}
	for (int r = 0; r < rounds; r++) {
		uint64_t m = 0;
		double t0 = now(), dt;

		for (size_t i = 0; i < pl.n; i++) {
			if (hs_scan(db, (const char *)pl.data + pl.off[i], (unsigned)(pl.off[i + 1] - pl.off[i]), 0, scratch,
				    on_match, &m) != HS_SUCCESS) {
				fprintf(stderr, "hs_ceiling: hs_scan failed\n");
				goto out;
			}
		}
		dt = now() - t0;
		if (best == 0 || dt < best)
			best = dt;
		matches = m;
	}
	printf("ceiling: %u literals, %" PRIu64 " packets, %zu payloads, %.1f MB wire, %.1f MB payload, best of %d: "
	       "%.3f s, %.0f Mbit/s wire, %.0f Mbit/s payload, %.0f packets/s, %" PRIu64 " matches\n",
	       nlit, pl.packets, pl.n, (double)pl.wire_bytes / 1e6, (double)pl.len / 1e6, rounds, best,
	       (double)pl.wire_bytes * 8 / best / 1e6, (double)pl.len * 8 / best / 1e6, (double)pl.packets / best, matches);
	ret = 0;
out:
	hs_free_scratch(scratch);
	hs_free_database(db);
	free(pl.data);
	free(pl.off);
	return ret;
}
