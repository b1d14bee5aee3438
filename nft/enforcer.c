// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sidewall-enforcer: applies authenticated block requests from sensors as
 * nftables set elements (nft/nft.h), under a policy the sensors cannot
 * change: never-block CIDRs, a maximum TTL, a maximum number of elements,
 * a per-sensor rate limit.
 *
 * One thread, one poll loop: TCP sensors, the operator's unix socket, and a
 * once-a-second tick (expiry bookkeeping; every 2 s a check that the table
 * still exists, recreating it and re-adding the live elements if someone
 * flushed the ruleset).  Requests are gathered from every connection that
 * has data (a sensor may pipeline many) and applied together: one nftables
 * transaction (sw_nft_commit), then one journal append + fsync, then the
 * answers, in the order the requests arrived.  A transaction the kernel
 * refuses names the requests at fault; those are refused and the rest are
 * committed again, so one bad request never fails its neighbours.  The
 * journal is replayed at start and compacted when it grows.  Nothing that
 * arrives on a socket reaches a shell: requests become netlink messages
 * through nft/.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sodium.h>

#include "common/addr.h"
#include "common/buf.h"
#include "common/harden.h"
#include "crowdsec.h"
#include "ctl.h"
#include "enforcer_config.h"
#include "enforcer_metrics.h"
#include "journal.h"
#include "nft.h"
#include "proto.h"

#define MAX_CONNS 64
#define CONN_IDLE_S 10
#define CTL_LINE_MAX 512
#define OPERATOR "operator"
/* CrowdSec's decisions go by this name (an item's who: compared as a pointer) */
static const char CROWDSEC[] = "crowdsec";

enum kind { K_BLOCK = 'b', K_QUAR = 'q' };

struct entry {
	uint8_t kind;
	uint8_t prefix;
	bool used;
	struct sw_ip ip;
	uint64_t expires; /* unix seconds; 0 = never (quarantine) */
	uint32_t next;    /* hash chain, UINT32_MAX = end */
	uint64_t gen;     /* the batch round that last touched it */
	char who[64];
	char reason[SW_PROTO_REASON_MAX + 1];
};

struct sensor {
	const struct sw_enf_sensor_cfg *cfg;
	struct sw_proto_peer peer;
	uint64_t last_counter;
	double tokens;
	double refill_at;
};

struct conn {
	int fd;
	bool ctl;
	uint64_t gen;     /* tells a reused slot from the connection a request came on */
	size_t have;
	time_t since;
	uint8_t buf[4 + SW_PROTO_MAX_REQ];
};

/*
 * The most requests decided in one round (one transaction if the socket
 * takes it, see sw_nft_commit_max(), and one fsync).  A round holds what
 * arrived together: the pipelined requests of every sensor, or a slice of
 * an import.  Items are ~700 bytes and allocated once; pages an import
 * never reached are never touched.
 */
#define ROUND_MAX 65536
#define ITEM_TEXT 200
/* Refusals an import answer quotes with their line numbers. */
#define IMPORT_SHOW 10

/* One request between its arrival and its answer. */
struct item {
	int conn;              /* index in conns[], -1: the operator's (answered by the caller) */
	uint64_t conn_gen;
	const struct sensor *s; /* the sensor that asked, NULL: the operator */
	const char *who;       /* its name, or OPERATOR */
	uint32_t line;         /* an import's line number, 0: not an import */
	struct sw_proto_req req;
	bool done;             /* answer decided: status/text final */
	bool skip_kernel;      /* an unblock whose element the kernel no longer has */
	bool merge;            /* a block the kernel refused as overlapping: merge_block() */
	uint32_t status, ttl;
	char text[ITEM_TEXT];
	/* planning, valid for the current round only */
	int64_t ent;           /* entry touched, -1: none */
	bool existed, del_after;
	uint64_t old_expires;
	uint64_t old_gen;
	char old_who[64];
	char old_reason[SW_PROTO_REASON_MAX + 1];
};

struct stats {
	uint64_t accepted, refused, unknown_key, forged, truncated, oversized, replayed, stale,
		malformed, rate_limited, restores, journal_errors, batches, batch_retries, merged;
	/* the CrowdSec bouncer: pulls, decisions received, what became of them */
	uint64_t cs_pulls, cs_errors, cs_new, cs_deleted, cs_ignored, cs_bad, cs_applied, cs_refused,
		cs_lifted;
};

struct enf {
	struct sw_enf_config cfg;
	struct sw_nft *nft;
	uint8_t priv[SW_PROTO_KEY_LEN], pub[SW_PROTO_KEY_LEN];
	struct sensor sensors[SW_ENF_MAX_SENSORS];
	struct entry *ent;
	uint32_t nent, cap, live;
	uint32_t *bucket;
	uint32_t nbucket;
	uint32_t plen[2][129]; /* live blocks per family (v4, v6) and prefix length */
	uint32_t free_head;
	FILE *jr;
	uint64_t jr_lines;
	struct stats st;
	struct sw_enf_metrics *metrics; /* NULL: metrics_listen not set */
	struct conn conns[MAX_CONNS];
	int lfd, cfd;
	uint8_t out[4 + SW_PROTO_MAX_RESP];
	struct sw_proto_resp resp;
	uint64_t conn_gen;
	uint64_t gen;
	/* answers of one flush, gathered per connection into one send */
	uint8_t obuf[64 * 1024];
	size_t olen;
	int oconn;
	struct item *pend;     /* ROUND_MAX each */
	size_t npend;
	size_t max_ops;        /* ops one transaction takes: min(ROUND_MAX, sw_nft_commit_max()) */
	struct sw_nft_op *ops;
	int *op_item;
	int *op_err;
	struct import *imp;    /* the import being read, NULL: none */
	/* the CrowdSec bouncer (crowdsec.h), NULL: not configured */
	struct sw_cs *cs;
	struct sw_cs_state *cs_state;
	struct sw_cs_result cs_res;
	bool cs_down;          /* the last pull failed (logged once, not every poll) */
	bool cs_ensure_due;    /* a CrowdSec range went: cs_ensure() after this round */
	uint32_t cs_ensure_tries; /* cs_ensure() rounds in a row that left a ban unblocked */
	uint64_t cs_fail_run;  /* failed pulls in a row */
};

/* An import's tally, kept across its rounds. */
struct import {
	uint32_t lines, cidrs, applied, refused, bad, nnotes, more;
	/* the IMPORT_SHOW refusals and bad lines with the lowest line numbers */
	struct {
		uint32_t line;
		char text[ITEM_TEXT + 16];
	} notes[IMPORT_SHOW];
};

static volatile sig_atomic_t stop;

static void logmsg(const char *fmt, ...)
{
	va_list ap;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s sidewall-enforcer: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *cidr_str(const struct sw_ip *ip, uint8_t prefix, char *buf, size_t len)
{
	char a[SW_IP_STRLEN];
	unsigned int full = ip->family == AF_INET ? 32 : 128;

	sw_ip_format(ip, a, sizeof(a));
	if (prefix == full)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, prefix);
	return buf;
}

/* ---------- state: a hash of live entries keyed by kind + CIDR ---------- */

static uint32_t hash_key(uint8_t kind, const struct sw_ip *ip, uint8_t prefix)
{
	uint8_t k[19];

	k[0] = kind;
	k[1] = ip->family;
	k[2] = prefix;
	memcpy(k + 3, ip->a, 16);
	/* short keys, a fixed process-wide key: siphash is cheap and not guessable */
	static uint8_t hk[crypto_shorthash_KEYBYTES];
	static bool init;
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	if (!init) {
		randombytes_buf(hk, sizeof(hk));
		init = true;
	}
	crypto_shorthash(h, k, sizeof(k), hk);
	memcpy(&v, h, sizeof(v));
	return v;
}

static struct entry *find(struct enf *e, uint8_t kind, const struct sw_ip *ip, uint8_t prefix)
{
	uint32_t i = e->bucket[hash_key(kind, ip, prefix) & (e->nbucket - 1)];

	for (; i != UINT32_MAX; i = e->ent[i].next)
		if (e->ent[i].kind == kind && e->ent[i].prefix == prefix && sw_ip_eq(&e->ent[i].ip, ip))
			return &e->ent[i];
	return NULL;
}

static struct entry *insert(struct enf *e, uint8_t kind, const struct sw_ip *ip, uint8_t prefix)
{
	struct entry *x = find(e, kind, ip, prefix);
	uint32_t i, b;

	if (x)
		return x;
	if (e->free_head != UINT32_MAX) {
		i = e->free_head;
		e->free_head = e->ent[i].next;
	} else {
		if (e->nent == e->cap)
			return NULL;
		i = e->nent++;
	}
	x = &e->ent[i];
	memset(x, 0, sizeof(*x));
	x->used = true;
	x->kind = kind;
	x->ip = *ip;
	x->prefix = prefix;
	b = hash_key(kind, ip, prefix) & (e->nbucket - 1);
	x->next = e->bucket[b];
	e->bucket[b] = i;
	e->live++;
	if (kind == K_BLOCK)
		e->plen[ip->family == AF_INET6][prefix]++;
	return x;
}

static void remove_entry(struct enf *e, struct entry *x)
{
	uint32_t b = hash_key(x->kind, &x->ip, x->prefix) & (e->nbucket - 1);
	uint32_t idx = (uint32_t)(x - e->ent), *pp = &e->bucket[b];

	while (*pp != UINT32_MAX && *pp != idx)
		pp = &e->ent[*pp].next;
	if (*pp == idx)
		*pp = x->next;
	x->used = false;
	x->next = e->free_head;
	e->free_head = idx;
	e->live--;
	if (x->kind == K_BLOCK)
		e->plen[x->ip.family == AF_INET6][x->prefix]--;
}

static int state_init(struct enf *e)
{
	uint32_t i;

	/* room for max_elements live plus slack for the journal replay */
	e->cap = e->cfg.max_elements + 1024;
	for (e->nbucket = 1024; e->nbucket < e->cap; e->nbucket <<= 1)
		;
	e->ent = calloc(e->cap, sizeof(*e->ent));
	e->bucket = malloc(e->nbucket * sizeof(*e->bucket));
	if (!e->ent || !e->bucket)
		return -ENOMEM;
	for (i = 0; i < e->nbucket; i++)
		e->bucket[i] = UINT32_MAX;
	e->free_head = UINT32_MAX;
	return 0;
}

/* ---------- policy ---------- */

static bool cidr_overlap(const struct sw_ip *a, uint8_t pa, const struct sw_ip *b, uint8_t pb)
{
	unsigned int bits = pa < pb ? pa : pb, i;

	if (a->family != b->family)
		return false;
	for (i = 0; i < bits / 8; i++)
		if (a->a[i] != b->a[i])
			return false;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - bits % 8));

		if ((a->a[i] & m) != (b->a[i] & m))
			return false;
	}
	return true;
}

static const struct sw_enf_cidr *never_hit(struct enf *e, const struct sw_ip *ip, uint8_t prefix)
{
	size_t i;

	for (i = 0; i < e->cfg.nnever; i++)
		if (cidr_overlap(ip, prefix, &e->cfg.never[i].ip, e->cfg.never[i].prefix))
			return &e->cfg.never[i];
	return NULL;
}

/* @ip with every bit after the first @bits cleared. */
static struct sw_ip ip_mask(const struct sw_ip *ip, unsigned int bits)
{
	struct sw_ip m = *ip;
	unsigned int i;

	for (i = bits / 8; i < 16; i++)
		m.a[i] = i == bits / 8 && bits % 8 ? (uint8_t)(m.a[i] & (0xff << (8 - bits % 8))) : 0;
	return m;
}

/* More than one address (a range a narrower block may hide inside). */
static bool is_range(const struct sw_ip *ip, uint8_t prefix)
{
	return prefix < (ip->family == AF_INET ? 32 : 128);
}

/*
 * The live block strictly containing @ip/@prefix, or NULL: one lookup per
 * shorter prefix length that has blocks at all, so cheap for the /32s
 * sensors ask for.
 */
static struct entry *covering(struct enf *e, const struct sw_ip *ip, uint8_t prefix)
{
	uint64_t now = now_s();
	int p;

	for (p = (int)prefix - 1; p >= 1; p--) {
		struct sw_ip m;
		struct entry *x;

		if (!e->plen[ip->family == AF_INET6][p])
			continue;
		m = ip_mask(ip, (unsigned int)p);
		x = find(e, K_BLOCK, &m, (uint8_t)p);
		if (x && x->expires > now)
			return x;
	}
	return NULL;
}

/* ---------- journal ---------- */

static void jr_sync(struct enf *e)
{
	if (!e->jr)
		return;
	if (fflush(e->jr) || fsync(fileno(e->jr))) {
		e->st.journal_errors++;
		logmsg("journal %s: %s", e->cfg.journal, strerror(errno));
	}
}

static void jr_entry(FILE *f, const struct entry *x)
{
	char c[64];

	fprintf(f, "+ %c %s %llu %s %s\n", x->kind, cidr_str(&x->ip, x->prefix, c, sizeof(c)),
		(unsigned long long)x->expires, x->who, x->reason);
}

static void jr_put(struct enf *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->jr)
		return;
	va_start(ap, fmt);
	vfprintf(e->jr, fmt, ap);
	va_end(ap);
	e->jr_lines++;
}

/*
 * Rewrite the journal as the live state: write a temporary file, fsync it,
 * rename it over the journal, fsync the directory, so that a crash at any
 * point leaves either the old or the new journal whole.
 */
static int jr_compact(struct enf *e)
{
	char tmp[300], dir[256], *slash;
	uint64_t now = now_s();
	FILE *f;
	uint32_t i;
	int dfd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", e->cfg.journal);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	e->jr_lines = 0;
	for (i = 0; i < e->nent; i++) {
		const struct entry *x = &e->ent[i];

		if (x->used && (!x->expires || x->expires > now)) {
			jr_entry(f, x);
			e->jr_lines++;
		}
	}
	for (i = 0; i < e->cfg.nsensors; i++)
		if (e->sensors[i].last_counter) {
			fprintf(f, "c %s %llu\n", e->sensors[i].cfg->name,
				(unsigned long long)e->sensors[i].last_counter);
			e->jr_lines++;
		}
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		return -errno;
	}
	fclose(f);
	if (rename(tmp, e->cfg.journal))
		return -errno;
	snprintf(dir, sizeof(dir), "%s", e->cfg.journal);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		dfd = open(slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	if (e->jr)
		fclose(e->jr);
	e->jr = fopen(e->cfg.journal, "a");
	return e->jr ? 0 : -errno;
}

static struct sensor *sensor_by_name(struct enf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->cfg.nsensors; i++)
		if (!strcmp(e->sensors[i].cfg->name, name))
			return &e->sensors[i];
	return NULL;
}

/* Replay: later lines win; a malformed line is reported and skipped. */
static int jr_replay(struct enf *e)
{
	FILE *f = fopen(e->cfg.journal, "r");
	char line[512], why[160];
	unsigned long lineno = 0, bad = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct sw_enf_jline j;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (sw_enf_journal_parse(line, &j, why, sizeof(why))) {
			bad++;
			logmsg("journal %s:%lu: unreadable line skipped: %s", e->cfg.journal, lineno, why);
		} else if (j.op == '+') {
			struct entry *x = insert(e, j.kind, &j.ip, j.prefix);

			if (!x) {
				bad++;
				continue;
			}
			x->expires = j.expires;
			snprintf(x->who, sizeof(x->who), "%s", j.who);
			snprintf(x->reason, sizeof(x->reason), "%s", j.reason);
		} else if (j.op == '-') {
			struct entry *x = find(e, j.kind, &j.ip, j.prefix);

			if (x)
				remove_entry(e, x);
		} else {
			struct sensor *s = sensor_by_name(e, j.who);

			/*
			 * A counter is the sensor's clock in microseconds: one far in
			 * the future is corruption, and taking it would lock the
			 * sensor out for good (every later request a "replay").
			 */
			uint64_t lim = (now_s() + e->cfg.time_window + 86400) * 1000000ull;

			if (s && j.counter > lim) {
				bad++;
				logmsg("journal %s:%lu: counter %llu for %s is in the future: skipped",
				       e->cfg.journal, lineno, (unsigned long long)j.counter, j.who);
			} else if (s && j.counter > s->last_counter) {
				s->last_counter = j.counter;
			}
		}
	}
	fclose(f);
	/* drop what expired while we were down */
	{
		uint64_t now = now_s();
		uint32_t i;

		for (i = 0; i < e->nent; i++)
			if (e->ent[i].used && e->ent[i].expires && e->ent[i].expires <= now)
				remove_entry(e, &e->ent[i]);
	}
	logmsg("journal replayed: %lu lines, %u live entries, %lu skipped", lineno, e->live, bad);
	return 0;
}

/* ---------- kernel ---------- */

/* (Re)create the table and load every live entry, in bulk. */
static int restore_kernel(struct enf *e)
{
	struct sw_nft_elem *b = NULL, *q = NULL;
	size_t nb = 0, nq = 0;
	uint64_t now = now_s();
	uint32_t i;
	int ret;

	ret = sw_nft_setup(e->nft);
	if (ret)
		return ret;
	b = calloc(e->live + 1, sizeof(*b));
	q = calloc(e->live + 1, sizeof(*q));
	if (!b || !q) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < e->nent; i++) {
		const struct entry *x = &e->ent[i];

		if (!x->used || (x->expires && x->expires <= now))
			continue;
		if (x->kind == K_QUAR) {
			q[nq].ip = x->ip;
			q[nq++].prefix = x->prefix;
		} else {
			b[nb].ip = x->ip;
			b[nb].prefix = x->prefix;
			b[nb++].timeout_ms = (x->expires - now) * 1000;
		}
	}
	ret = sw_nft_add(e->nft, SW_NFT_BLOCK, b, nb);
	if (!ret)
		ret = sw_nft_add(e->nft, SW_NFT_QUAR, q, nq);
	logmsg("table inet %s loaded: %zu blocks, %zu quarantined (%s)", e->cfg.table, nb, nq,
	       ret ? strerror(-ret) : "ok");
out:
	free(b);
	free(q);
	return ret;
}

/* ---------- requests: plan, commit, finish ---------- */

static void refuse(struct enf *e, struct item *it, uint32_t status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void refuse(struct enf *e, struct item *it, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
	it->status = status;
	it->ttl = 0;
	it->done = true;
	e->st.refused++;
	logmsg("%s: %s", it->who, it->text);
}

enum { PLAN_OK, PLAN_CONFLICT };

/* Remember entry @x as it was, for rollback(), and mark it touched in this round. */
static void touch(struct enf *e, struct item *it, struct entry *x, bool existed)
{
	it->ent = x - e->ent;
	it->existed = existed;
	it->old_expires = x->expires;
	it->old_gen = x->gen;
	memcpy(it->old_who, x->who, sizeof(it->old_who));
	memcpy(it->old_reason, x->reason, sizeof(it->old_reason));
	x->gen = e->gen;
}

static uint8_t item_kind(const struct item *it)
{
	return it->req.op == SW_OP_QUARANTINE || it->req.op == SW_OP_RELEASE ? K_QUAR : K_BLOCK;
}

/*
 * Decide one request against the policy and the state, change the state
 * (undoably: see rollback()) and append its kernel op.  PLAN_CONFLICT: the
 * entry was already touched in this round; the caller commits the round
 * first, so each key appears at most once per transaction and undoing a
 * round is exact.
 */
static int plan(struct enf *e, struct item *it, size_t *nops)
{
	uint8_t op = it->req.op, kind = item_kind(it), prefix = it->req.prefix;
	const struct sw_ip *ip = &it->req.ip;
	const struct sw_enf_cidr *nb;
	struct sw_nft_op *o = &e->ops[*nops];
	char c[64], n[64];
	struct entry *x;
	uint32_t ttl;
	bool existed;

	it->ent = -1;
	it->existed = it->del_after = false;
	cidr_str(ip, prefix, c, sizeof(c));
	if (op == SW_OP_BLOCK || op == SW_OP_QUARANTINE) {
		nb = never_hit(e, ip, prefix);
		if (nb) {
			refuse(e, it, EPERM, "refused: %s overlaps never-block %s", c,
			       cidr_str(&nb->ip, nb->prefix, n, sizeof(n)));
			return PLAN_OK;
		}
		if (prefix == 0) {
			refuse(e, it, EPERM, "refused: %s would block everything", c);
			return PLAN_OK;
		}
		if (kind == K_BLOCK && (x = covering(e, ip, prefix))) {
			/* inside a wider block: the address is blocked, which is what was asked */
			it->done = true;
			it->ttl = (uint32_t)(x->expires - now_s());
			snprintf(it->text, sizeof(it->text), "%s already blocked by %s for %us more", c,
				 cidr_str(&x->ip, x->prefix, n, sizeof(n)), it->ttl);
			e->st.accepted++;
			logmsg("%s: %s", it->who, it->text);
			return PLAN_OK;
		}
		x = find(e, kind, ip, prefix);
		if (x && x->gen == e->gen && it->line) {
			/* a list that names a CIDR twice: the first line decides */
			it->done = true;
			it->ttl = x->expires > now_s() ? (uint32_t)(x->expires - now_s()) : 0;
			snprintf(it->text, sizeof(it->text), "%s listed twice", c);
			e->st.accepted++;
			return PLAN_OK;
		}
		if (x && x->gen == e->gen)
			return PLAN_CONFLICT;
		existed = x != NULL;
		if (!x && e->live >= e->cfg.max_elements) {
			refuse(e, it, ENOSPC, "refused: %s: %u elements, the maximum", c, e->live);
			return PLAN_OK;
		}
		if (!x) {
			x = insert(e, kind, ip, prefix);
			if (!x) {
				refuse(e, it, ENOSPC, "refused: no room");
				return PLAN_OK;
			}
		}
		touch(e, it, x, existed);
		memset(o, 0, sizeof(*o));
		if (kind == K_BLOCK) {
			ttl = it->req.ttl ? it->req.ttl : e->cfg.default_ttl;
			if (ttl > e->cfg.max_ttl)
				ttl = e->cfg.max_ttl; /* clamp, not refuse: the block still holds */
			x->expires = now_s() + ttl;
			it->ttl = ttl;
			o->e.timeout_ms = (uint64_t)ttl * 1000;
		} else {
			x->expires = 0;
		}
		snprintf(x->who, sizeof(x->who), "%s", it->who);
		snprintf(x->reason, sizeof(x->reason), "%s", it->req.reason[0] ? it->req.reason : "-");
	} else if (op == SW_OP_UNBLOCK || op == SW_OP_RELEASE) {
		x = find(e, kind, ip, prefix);
		if (x && x->gen == e->gen)
			return PLAN_CONFLICT;
		if (x) {
			touch(e, it, x, true);
			it->del_after = true; /* removed from the state once the kernel agreed */
		}
		/* an unknown one is still deleted: the operator may have added it by hand */
		if (it->skip_kernel)
			return PLAN_OK;
		memset(o, 0, sizeof(*o));
		o->del = true;
	} else {
		refuse(e, it, EINVAL, "unknown request");
		return PLAN_OK;
	}
	o->kind = kind == K_QUAR ? SW_NFT_QUAR : SW_NFT_BLOCK;
	o->e.ip = *ip;
	o->e.prefix = prefix;
	e->op_item[*nops] = (int)(it - e->pend);
	(*nops)++;
	return PLAN_OK;
}

/* Undo plan() for pend[from, to), newest first. */
static void rollback(struct enf *e, size_t from, size_t to)
{
	while (to-- > from) {
		struct item *it = &e->pend[to];
		struct entry *x;

		if (it->ent < 0)
			continue;
		x = &e->ent[it->ent];
		if (!it->existed) {
			remove_entry(e, x);
			continue;
		}
		x->expires = it->old_expires;
		x->gen = it->old_gen;
		memcpy(x->who, it->old_who, sizeof(x->who));
		memcpy(x->reason, it->old_reason, sizeof(x->reason));
	}
}

/* The round's transaction is in the kernel: journal it and word the answers. */
static void finish(struct enf *e, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct item *it = &e->pend[i];
		uint8_t kind = item_kind(it);
		char c[64];

		if (it->done)
			continue;
		cidr_str(&it->req.ip, it->req.prefix, c, sizeof(c));
		switch (it->req.op) {
		case SW_OP_BLOCK:
			jr_entry(e->jr ? e->jr : stderr, &e->ent[it->ent]);
			e->jr_lines++;
			snprintf(it->text, sizeof(it->text), "blocked %s for %us", c, it->ttl);
			break;
		case SW_OP_QUARANTINE:
			jr_entry(e->jr ? e->jr : stderr, &e->ent[it->ent]);
			e->jr_lines++;
			snprintf(it->text, sizeof(it->text), "quarantined %s", c);
			it->ttl = 0;
			break;
		default:
			if (it->del_after) {
				remove_entry(e, &e->ent[it->ent]);
				jr_put(e, "- %c %s\n", kind, c);
				snprintf(it->text, sizeof(it->text), "%s %s",
					 kind == K_QUAR ? "released" : "unblocked", c);
			} else {
				const struct entry *w = kind == K_BLOCK
							? covering(e, &it->req.ip, it->req.prefix) : NULL;
				char wc[64];

				if (w)
					snprintf(it->text, sizeof(it->text),
						 "%s was not blocked itself; it is inside %s, still blocked", c,
						 cidr_str(&w->ip, w->prefix, wc, sizeof(wc)));
				else
					snprintf(it->text, sizeof(it->text), "%s was not %s", c,
						 kind == K_QUAR ? "quarantined" : "blocked");
			}
			it->ttl = 0;
			break;
		}
		it->status = 0;
		it->done = true;
		e->st.accepted++;
		if (!it->line) /* an import logs its tally, not 100,000 lines */
			logmsg("%s: %s", it->who, it->text);
	}
}

/*
 * A block the kernel refused because blocks inside it exist: replace them
 * in one transaction (delete each, add the wider one).  The wider block
 * lasts at least as long as any it replaces, so no address is let go
 * earlier than promised.  Runs alone in its round; the state changes only
 * after the kernel agreed.
 */
static void merge_block(struct enf *e, struct item *it)
{
	const struct sw_ip *ip = &it->req.ip;
	uint8_t prefix = it->req.prefix;
	uint32_t *idx = (uint32_t *)e->op_err; /* max_ops slots, free while merging */
	size_t n = 0, k, nops;
	uint64_t now = now_s(), keep = 0;
	uint32_t ttl, i;
	char c[64], oc[64];
	struct entry *x;
	int ret = 0, tries;

	cidr_str(ip, prefix, c, sizeof(c));
	for (i = 0; i < e->nent; i++) {
		x = &e->ent[i];
		if (!x->used || x->kind != K_BLOCK || x->prefix <= prefix ||
		    !cidr_overlap(&x->ip, x->prefix, ip, prefix))
			continue;
		if (x->expires <= now)
			continue; /* the kernel let it go already; the tick forgets it */
		if (n == e->max_ops - 1) {
			refuse(e, it, E2BIG, "refused: %s covers more than %zu blocks; unblock some first", c,
			       e->max_ops - 1);
			return;
		}
		idx[n++] = i;
		if (x->expires - now > keep)
			keep = x->expires - now;
	}
	if (!n) {
		refuse(e, it, EEXIST, "failed: %s: overlaps an element of the set this enforcer did not add", c);
		return;
	}
	ttl = it->req.ttl ? it->req.ttl : e->cfg.default_ttl;
	if (ttl > e->cfg.max_ttl)
		ttl = e->cfg.max_ttl;
	if (keep > ttl)
		ttl = (uint32_t)keep;
	for (tries = 0; tries < 2; tries++) {
		struct sw_nft_op *o;

		for (k = 0, nops = 0; k < n; k++) {
			o = &e->ops[nops++];
			memset(o, 0, sizeof(*o));
			o->del = true;
			o->kind = SW_NFT_BLOCK;
			o->e.ip = e->ent[idx[k]].ip;
			o->e.prefix = e->ent[idx[k]].prefix;
		}
		o = &e->ops[nops++];
		memset(o, 0, sizeof(*o));
		o->kind = SW_NFT_BLOCK;
		o->e.ip = *ip;
		o->e.prefix = prefix;
		o->e.timeout_ms = (uint64_t)ttl * 1000;
		ret = sw_nft_commit(e->nft, e->ops, nops, e->op_item);
		if (!ret || tries)
			break;
		/* one that expired in the kernel this very second: drop it from the list, once */
		for (k = 0; k < n;) {
			if (e->op_item[k] == -ENOENT) {
				idx[k] = idx[--n];
				e->op_item[k] = e->op_item[n];
			} else {
				k++;
			}
		}
	}
	if (ret) {
		refuse(e, it, (uint32_t)-ret, "failed: %s: %s", c, strerror(-ret));
		return;
	}
	for (k = 0; k < n; k++) {
		x = &e->ent[idx[k]];
		jr_put(e, "- %c %s\n", K_BLOCK, cidr_str(&x->ip, x->prefix, oc, sizeof(oc)));
		remove_entry(e, x);
	}
	x = insert(e, K_BLOCK, ip, prefix); /* n entries just left: there is room */
	if (!x) {
		refuse(e, it, ENOSPC, "refused: no room");
		return;
	}
	x->expires = now + ttl;
	x->gen = e->gen;
	snprintf(x->who, sizeof(x->who), "%s", it->who);
	snprintf(x->reason, sizeof(x->reason), "%s", it->req.reason[0] ? it->req.reason : "-");
	jr_entry(e->jr ? e->jr : stderr, x);
	e->jr_lines++;
	it->done = true;
	it->status = 0;
	it->ttl = ttl;
	snprintf(it->text, sizeof(it->text), "blocked %s for %us (replaces %zu block%s inside it)", c, ttl,
		 n, n == 1 ? "" : "s");
	e->st.accepted++;
	e->st.merged += n;
	logmsg("%s: %s", it->who, it->text);
}

/*
 * Apply pend[from, to) as one transaction, retrying without the requests
 * the kernel refused.  Returns the index after the last item decided
 * (< to when a PLAN_CONFLICT ended the round early).
 */
static size_t round_commit(struct enf *e, size_t from, size_t to)
{
	for (;;) {
		size_t nops = 0, end = from, k, planned = 0;
		bool named = false;
		int ret;

		e->gen++;
		for (; end < to; end++) {
			struct item *it = &e->pend[end];

			if (it->done)
				continue;
			if (it->merge) {
				/* alone in its round: it deletes entries others may touch */
				if (!planned)
					merge_block(e, it), end++;
				break;
			}
			if (plan(e, it, &nops) == PLAN_CONFLICT)
				break;
			planned++;
			if (nops == e->max_ops) {
				end++; /* the transaction is full: the rest go in the next */
				break;
			}
		}
		if (end == from) {
			/* cannot happen (a round's first request never conflicts); never spin */
			refuse(e, &e->pend[from], EIO, "failed: internal error (empty round)");
			return from + 1;
		}
		ret = sw_nft_commit(e->nft, e->ops, nops, e->op_err);
		if (!ret) {
			e->st.batches += nops > 0;
			finish(e, from, end);
			return end;
		}
		e->st.batch_retries++;
		rollback(e, from, end);
		for (k = 0; k < nops; k++) {
			struct item *it = &e->pend[e->op_item[k]];
			char c[64];
			int err = e->op_err[k];

			if (!err)
				continue;
			named = true;
			if (e->ops[k].del && err == -ENOENT) {
				it->skip_kernel = true; /* gone already (expired): what was asked */
				continue;
			}
			if (!e->ops[k].del && e->ops[k].kind == SW_NFT_BLOCK && !it->merge &&
			    (err == -EEXIST || err == -ENOTEMPTY)) {
				it->merge = true; /* narrower blocks inside it: merge_block() */
				continue;
			}
			cidr_str(&it->req.ip, it->req.prefix, c, sizeof(c));
			refuse(e, it, (uint32_t)-err, "failed: %s: %s%s", c, strerror(-err),
			       err == -EEXIST || err == -ENOTEMPTY ? " (overlaps an existing block)" : "");
		}
		if (!named) {
			/* the kernel refused the whole transaction: every request in it fails */
			for (k = 0; k < nops; k++) {
				struct item *it = &e->pend[e->op_item[k]];
				char c[64];

				if (it->done)
					continue;
				cidr_str(&it->req.ip, it->req.prefix, c, sizeof(c));
				refuse(e, it, (uint32_t)-ret, "failed: %s: %s", c, strerror(-ret));
			}
		}
	}
}

static void answer(struct enf *e, const struct item *it);
static void answers_out(struct enf *e);

/*
 * Keep a refusal or bad line for the import's answer if it is among the
 * IMPORT_SHOW first by line number.  Bad lines are noted as they are read
 * and refusals once their round is decided, so a later note may come
 * before an earlier one in the file.
 */
static void import_note(struct import *im, uint32_t line, const char *what, const char *text)
{
	uint32_t k, worst = 0;

	if (im->nnotes == IMPORT_SHOW) {
		for (k = 1; k < IMPORT_SHOW; k++)
			if (im->notes[k].line > im->notes[worst].line)
				worst = k;
		im->more++;
		if (im->notes[worst].line < line)
			return;
		k = worst;
	} else {
		k = im->nnotes++;
	}
	im->notes[k].line = line;
	snprintf(im->notes[k].text, sizeof(im->notes[k].text), "%s%s", what, text);
}

static int note_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void import_tally(struct import *im, const struct item *it)
{
	if (it->status) {
		im->refused++;
		import_note(im, it->line, "", it->text);
	} else {
		im->applied++;
	}
}

/*
 * Decide every pending request, fsync the journal once, then answer them
 * in arrival order.  The operator's item (conn -1) stays in pend[] for the
 * caller to read.
 */
static void flush(struct enf *e)
{
	size_t i = 0;

	if (!e->npend)
		return;
	while (i < e->npend)
		i = round_commit(e, i, e->npend);
	jr_sync(e);
	for (i = 0; i < e->npend; i++) {
		if (e->pend[i].line && e->imp)
			import_tally(e->imp, &e->pend[i]);
		answer(e, &e->pend[i]);
	}
	answers_out(e);
	e->npend = 0;
}

/* A slot for a new request; flushes first if the batch is full. */
static struct item *pend_add(struct enf *e, int conn, const struct sensor *s, const struct sw_proto_req *req)
{
	struct item *it;

	if (e->npend == ROUND_MAX)
		flush(e);
	it = &e->pend[e->npend++];
	memset(it, 0, offsetof(struct item, req));
	it->conn = conn;
	it->conn_gen = conn >= 0 ? e->conns[conn].gen : 0;
	it->s = s;
	it->who = s ? s->cfg->name : OPERATOR;
	it->req = *req;
	it->done = it->skip_kernel = it->merge = false;
	it->status = it->ttl = 0;
	it->text[0] = 0;
	return it;
}

/*
 * Lines for the live entries from index *@from on, as many as fit whole in
 * @len bytes; *@from ends after the last entry written.  Returns the bytes
 * written and adds the number of lines to *@shown.
 */
static size_t list_lines(struct enf *e, uint32_t *from, char *out, size_t len, uint32_t *shown)
{
	uint64_t now = now_s();
	size_t off = 0;
	uint32_t i;
	int n;

	for (i = *from; i < e->nent; i++) {
		const struct entry *x = &e->ent[i];
		char c[64];

		if (!x->used || (x->expires && x->expires <= now))
			continue;
		cidr_str(&x->ip, x->prefix, c, sizeof(c));
		if (x->kind == K_QUAR)
			n = snprintf(out + off, len - off, "quarantine %s by=%s reason=%s\n", c, x->who,
				     x->reason);
		else
			n = snprintf(out + off, len - off, "block %s expires_in=%llus by=%s reason=%s\n",
				     c, (unsigned long long)(x->expires - now), x->who, x->reason);
		if (n < 0 || (size_t)n >= len - off) {
			out[off] = 0; /* an entry that does not fit is not shown in part */
			break;
		}
		off += (size_t)n;
		(*shown)++;
	}
	*from = i;
	return off;
}

static uint32_t live_now(const struct enf *e)
{
	uint64_t now = now_s();
	uint32_t i, live = 0;

	for (i = 0; i < e->nent; i++)
		live += e->ent[i].used && (!e->ent[i].expires || e->ent[i].expires > now);
	return live;
}

/* A sensor's `list`: one answer, so it says how many entries did not fit. */
static size_t list_text(struct enf *e, char *out, size_t full)
{
	size_t len = full > 128 ? full - 96 : full, off; /* room for the last line */
	uint32_t from = 0, shown = 0, live = live_now(e);
	int n;

	n = snprintf(out, len, "%u entries (max %u)\n", live, e->cfg.max_elements);
	off = n > 0 ? (size_t)n : 0;
	off += list_lines(e, &from, out + off, len - off, &shown);
	if (shown < live && full > 128) {
		n = snprintf(out + off, full - off, "... %u more not shown (answer size limit)\n", live - shown);
		if (n > 0 && (size_t)n < full - off)
			off += (size_t)n;
	}
	return off;
}

static void send_frame(int fd, const uint8_t *p, size_t n);

/* The operator's `list` on the local socket: every entry, in chunks. */
static void list_stream(struct enf *e, int fd)
{
	char *out = e->resp.text;
	uint32_t from = 0, shown = 0;
	size_t off;
	int n;

	n = snprintf(out, SW_PROTO_TEXT_MAX, "%u entries (max %u)\n", live_now(e), e->cfg.max_elements);
	send_frame(fd, (const uint8_t *)out, n > 0 ? (size_t)n : 0);
	while (from < e->nent) {
		off = list_lines(e, &from, out, SW_PROTO_TEXT_MAX, &shown);
		if (!off)
			break;
		send_frame(fd, (const uint8_t *)out, off);
	}
}

static size_t stats_text(struct enf *e, char *out, size_t len)
{
	const struct stats *s = &e->st;
	int n = snprintf(out, len,
			 "accepted %llu\nrefused %llu\nrejected_unknown_key %llu\nrejected_forged %llu\n"
			 "rejected_truncated %llu\nrejected_oversized %llu\nrejected_replayed %llu\n"
			 "rejected_stale %llu\nrejected_malformed %llu\nrate_limited %llu\n"
			 "table_restores %llu\njournal_errors %llu\ntransactions %llu\n"
			 "transactions_retried %llu\nmerged %llu\nlive %u\n",
			 (unsigned long long)s->accepted, (unsigned long long)s->refused,
			 (unsigned long long)s->unknown_key, (unsigned long long)s->forged,
			 (unsigned long long)s->truncated, (unsigned long long)s->oversized,
			 (unsigned long long)s->replayed, (unsigned long long)s->stale,
			 (unsigned long long)s->malformed, (unsigned long long)s->rate_limited,
			 (unsigned long long)s->restores, (unsigned long long)s->journal_errors,
			 (unsigned long long)s->batches, (unsigned long long)s->batch_retries,
			 (unsigned long long)s->merged, e->live);
	if (n > 0 && (size_t)n < len && e->cs)
		n += snprintf(out + n, len - (size_t)n,
			      "crowdsec_pulls %llu\ncrowdsec_pull_errors %llu\ncrowdsec_new %llu\n"
			      "crowdsec_deleted %llu\ncrowdsec_ignored %llu\ncrowdsec_unreadable %llu\n"
			      "crowdsec_applied %llu\ncrowdsec_refused %llu\ncrowdsec_lifted %llu\n"
			      "crowdsec_decisions %zu\n",
			      (unsigned long long)s->cs_pulls, (unsigned long long)s->cs_errors,
			      (unsigned long long)s->cs_new, (unsigned long long)s->cs_deleted,
			      (unsigned long long)s->cs_ignored, (unsigned long long)s->cs_bad,
			      (unsigned long long)s->cs_applied, (unsigned long long)s->cs_refused,
			      (unsigned long long)s->cs_lifted, sw_cs_state_count(e->cs_state));
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

static bool rate_ok(struct enf *e, struct sensor *s)
{
	double t = mono();

	s->tokens += (t - s->refill_at) * e->cfg.rate;
	if (s->tokens > e->cfg.burst)
		s->tokens = e->cfg.burst;
	s->refill_at = t;
	if (s->tokens < 1.0)
		return false;
	s->tokens -= 1.0;
	return true;
}

static void send_frame(int fd, const uint8_t *p, size_t n)
{
	/* answers are small and the socket is fresh: a short blocking send */
	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (errno == EAGAIN) {
				struct pollfd pf = { fd, POLLOUT, 0 };

				if (poll(&pf, 1, 1000) > 0)
					continue;
			}
			return;
		}
		p += r;
		n -= (size_t)r;
	}
}

/* Send @n sealed bytes at @buf + 4 with their length prefix in front. */
static void frame_send(int fd, uint8_t *buf, int n)
{
	sw_store_be32(buf, (uint32_t)n);
	send_frame(fd, buf, (size_t)n + 4);
}

/* Returns false if the connection must be closed. */
static bool sensor_frame(struct enf *e, struct conn *c, const uint8_t *frame, size_t len)
{
	uint8_t pub[SW_PROTO_KEY_LEN];
	struct sensor *s = NULL;
	struct sw_proto_req req;
	struct sw_proto_resp *r = &e->resp;
	char key[SW_PROTO_KEY_B64_LEN];
	size_t i;
	int ret, n;

	ret = sw_proto_peek(frame, len, SW_PROTO_MAX_REQ, SW_PROTO_REQUEST, pub);
	if (ret == -EBADMSG) {
		e->st.truncated++;
		logmsg("rejected: truncated frame (%zu bytes) from fd %d", len, c->fd);
		return false;
	}
	if (ret) {
		e->st.malformed++;
		logmsg("rejected: bad header (%s)", strerror(-ret));
		return false;
	}
	for (i = 0; i < e->cfg.nsensors; i++)
		if (!sodium_memcmp(e->sensors[i].peer.pub, pub, SW_PROTO_KEY_LEN))
			s = &e->sensors[i];
	if (!s) {
		e->st.unknown_key++;
		sw_proto_key_to_b64(pub, key);
		logmsg("rejected: unknown key %s", key);
		return false;
	}
	ret = sw_proto_open_req(&s->peer, frame, len, &req);
	if (ret == -EBADMSG && len < SW_PROTO_HDR_LEN + SW_PROTO_TAG_LEN + 17) {
		e->st.truncated++;
		logmsg("rejected: truncated frame from %s", s->cfg->name);
		return false;
	}
	if (ret == -EBADMSG) {
		e->st.forged++;
		logmsg("rejected: frame claiming to be %s does not authenticate", s->cfg->name);
		return false;
	}
	if (ret) {
		e->st.malformed++;
		logmsg("rejected: malformed request from %s (%s)", s->cfg->name, strerror(-ret));
		return false;
	}
	memset(r, 0, offsetof(struct sw_proto_resp, text));
	r->counter = req.counter;
	ret = sw_proto_fresh(&req, s->last_counter, now_s(), e->cfg.time_window);
	if (ret) {
		if (ret == -EALREADY)
			e->st.replayed++;
		else
			e->st.stale++;
		logmsg("rejected: %s request from %s (counter %llu, last %llu)",
		       ret == -EALREADY ? "replayed" : "stale", s->cfg->name,
		       (unsigned long long)req.counter, (unsigned long long)s->last_counter);
		/* no answer: an answer would be a replayable oracle, and nothing changed */
		return false;
	}
	/* the counter is spent whatever happens next */
	s->last_counter = req.counter;
	jr_put(e, "c %s %llu\n", s->cfg->name, (unsigned long long)req.counter);
	if (!rate_ok(e, s)) {
		struct item *it = pend_add(e, (int)(c - e->conns), s, &req);

		e->st.rate_limited++;
		it->status = EAGAIN;
		it->done = true;
		snprintf(it->text, sizeof(it->text), "rate limited");
		return true;
	}
	if (req.op != SW_OP_LIST) {
		pend_add(e, (int)(c - e->conns), s, &req);
		return true;
	}
	/* a list sees every request before it, and is answered after them */
	flush(e);
	jr_sync(e);
	memset(r, 0, offsetof(struct sw_proto_resp, text));
	r->counter = req.counter;
	r->text_len = (uint16_t)list_text(e, r->text, SW_PROTO_TEXT_MAX);
	n = sw_proto_seal_resp(&s->peer, e->pub, r, e->out + 4, sizeof(e->out) - 4);
	if (n < 0)
		return false;
	frame_send(c->fd, e->out, n);
	return true;
}

static void metrics_count(struct enf *e, const struct item *it);

/* Send the gathered answers: a pipelining sensor gets its batch in one write. */
static void answers_out(struct enf *e)
{
	if (e->olen && e->oconn >= 0 && e->conns[e->oconn].fd >= 0)
		send_frame(e->conns[e->oconn].fd, e->obuf, e->olen);
	e->olen = 0;
	e->oconn = -1;
}

static void answer(struct enf *e, const struct item *it)
{
	struct sw_proto_resp *r = &e->resp;
	const struct conn *c;
	int n;

	metrics_count(e, it); /* every decided request passes here, the operator's too */
	if (it->who == CROWDSEC) {
		if (it->req.op == SW_OP_UNBLOCK)
			e->st.cs_lifted += !it->status;
		else if (it->status)
			e->st.cs_refused++;
		else
			e->st.cs_applied++;
	}
	if (it->conn < 0 || !it->s)
		return;
	c = &e->conns[it->conn];
	if (c->fd < 0 || c->gen != it->conn_gen)
		return; /* the sensor hung up: it will ask again (requests are idempotent) */
	memset(r, 0, offsetof(struct sw_proto_resp, text));
	r->counter = it->req.counter;
	r->status = it->status;
	r->ttl = it->ttl;
	r->text_len = (uint16_t)snprintf(r->text, sizeof(r->text), "%s", it->text);
	n = sw_proto_seal_resp(&it->s->peer, e->pub, r, e->out + 4, sizeof(e->out) - 4);
	if (n < 0)
		return;
	if (e->oconn != it->conn || e->olen + 4 + (size_t)n > sizeof(e->obuf))
		answers_out(e);
	if (4 + (size_t)n > sizeof(e->obuf)) {
		frame_send(c->fd, e->out, n);
		return;
	}
	e->oconn = it->conn;
	sw_store_be32(e->out, (uint32_t)n);
	memcpy(e->obuf + e->olen, e->out, 4 + (size_t)n);
	e->olen += 4 + (size_t)n;
}

/* One line of an import: a CIDR becomes a block request of the operator's. */
static void import_line(struct enf *e, const struct sw_proto_req *hdr, const char *p, size_t len)
{
	struct import *im = e->imp;
	struct sw_proto_req req = *hdr;
	char err[160];
	struct item *it;
	int r;

	im->lines++;
	r = sw_enf_import_parse(p, len, &req.ip, &req.prefix, err, sizeof(err));
	if (r == 1)
		return;
	if (r < 0) {
		im->bad++;
		import_note(im, im->lines, "bad line: ", err);
		return;
	}
	im->cidrs++;
	it = pend_add(e, -1, NULL, &req);
	it->line = im->lines;
}

/*
 * `import [TTL] [NAME]` and the lines that follow, to the end of the
 * stream (the client shuts down its side): each CIDR is a block request of
 * the operator's, decided in rounds of up to ROUND_MAX under the same
 * policy as a sensor's (never_block, max_ttl, max_elements).  The import
 * is read to its end before the loop goes on: an operator's bulk load is
 * worth a second of the sensors' latency, and it keeps the rounds full.  A
 * client that stops sending for CONN_IDLE_S ends it (what was read is
 * applied and reported).  @rest: bytes read after the command line.
 */
static size_t import_run(struct enf *e, struct conn *c, const struct sw_proto_req *hdr,
			 const uint8_t *rest, size_t nrest, char *out, size_t len)
{
	static char ib[64 * 1024];
	struct import im;
	size_t have = 0, off;
	bool eof = false, skipping = false, stalled = false;
	double t0 = mono();

	flush(e); /* requests that arrived before the import are decided first */
	memset(&im, 0, sizeof(im));
	e->imp = &im;
	if (nrest > sizeof(ib))
		nrest = sizeof(ib);
	memcpy(ib, rest, nrest);
	have = nrest;
	for (;;) {
		size_t start = 0;
		char *nl;

		while ((nl = memchr(ib + start, '\n', have - start))) {
			size_t l = (size_t)(nl - (ib + start));

			if (skipping)
				skipping = false; /* the end of a line too long: already counted */
			else
				import_line(e, hdr, ib + start, l);
			start += l + 1;
		}
		memmove(ib, ib + start, have - start);
		have -= start;
		if (have > SW_ENF_IMPORT_LINE_MAX) {
			if (!skipping) {
				im.lines++;
				im.bad++;
				import_note(&im, im.lines, "bad line: ", "longer than 1024 bytes");
			}
			skipping = true;
			have = 0;
		}
		if (eof) {
			if (have && !skipping)
				import_line(e, hdr, ib, have); /* a last line without its newline */
			break;
		}
		{
			struct pollfd pf = { c->fd, POLLIN, 0 };
			ssize_t r;
			int pr = poll(&pf, 1, CONN_IDLE_S * 1000);

			if (pr < 0 && errno == EINTR)
				continue;
			if (pr <= 0) {
				stalled = true;
				break;
			}
			r = recv(c->fd, ib + have, sizeof(ib) - have, 0);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r < 0) {
				stalled = true;
				break;
			}
			if (r == 0)
				eof = true;
			have += (size_t)r;
		}
	}
	flush(e);
	e->imp = NULL;
	off = (size_t)snprintf(out, len,
			       "%simport: %u applied, %u refused, %u bad lines (%u lines, %u CIDRs) in %.2f s%s\n",
			       im.refused || im.bad || stalled ? "err " : "ok  ", im.applied, im.refused, im.bad,
			       im.lines, im.cidrs, mono() - t0,
			       stalled ? "; the client stopped sending: the rest was not read" : "");
	qsort(im.notes, im.nnotes, sizeof(im.notes[0]), note_cmp);
	for (uint32_t k = 0; k < im.nnotes && off < len; k++)
		off += (size_t)snprintf(out + off, len - off, "  line %u: %s\n", im.notes[k].line,
					im.notes[k].text);
	if (im.more && off < len)
		off += (size_t)snprintf(out + off, len - off, "  ... %u more\n", im.more);
	logmsg("operator: import: %u applied, %u refused, %u bad lines of %u", im.applied, im.refused,
	       im.bad, im.lines);
	return off < len ? off : len - 1;
}

/* Operator line: "list", "stats", "block CIDR [TTL] [REASON...]", ... */
static void ctl_line(struct enf *e, struct conn *c, char *line, const uint8_t *rest, size_t nrest)
{
	char *out = e->resp.text;
	size_t len = SW_PROTO_TEXT_MAX, off;
	struct sw_enf_ctl_cmd cmd;
	const struct item *it;

	if (sw_enf_ctl_parse(line, &cmd, out, len)) {
		off = strlen(out);
	} else if (cmd.verb == SW_ENF_CTL_LIST) {
		list_stream(e, c->fd);
		return;
	} else if (cmd.verb == SW_ENF_CTL_STATS) {
		off = stats_text(e, out, len);
	} else if (cmd.verb == SW_ENF_CTL_IMPORT) {
		off = import_run(e, c, &cmd.req, rest, nrest, out, len);
	} else {
		/* the sensors' requests that arrived first are decided first */
		flush(e);
		pend_add(e, -1, NULL, &cmd.req);
		flush(e);
		it = &e->pend[0];
		off = (size_t)snprintf(out, len, "%s%s\n", it->status ? "err " : "ok  ", it->text);
	}
	send_frame(c->fd, (const uint8_t *)out, off);
}

/* ---------- sockets ---------- */

static int listen_tcp(const struct sw_enf_config *cfg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->listen, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(cfg->port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, cfg->listen, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(cfg->port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	char dir[sizeof(su.sun_path)], *slash;
	int fd;
	mode_t old;

	if (strlen(path) >= sizeof(su.sun_path))
		return -ENAMETOOLONG;
	/* the default lives in /run/sidewall-enforcer/ (systemd's RuntimeDirectory=) */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0750) && errno != EEXIST)
			return -errno;
	}
	strcpy(su.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* operator only: the socket is created 0600 */
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&su, sizeof(su)) < 0 || listen(fd, 8) < 0) {
		int err = -errno;

		umask(old);
		close(fd);
		return err;
	}
	umask(old);
	return fd;
}

static void conn_close(struct enf *e, struct conn *c, const char *why)
{
	if (why && c->have) {
		e->st.truncated++;
		logmsg("rejected: connection %s with %zu bytes of an unfinished frame", why, c->have);
	}
	close(c->fd);
	c->fd = -1;
	c->have = 0;
}

static void conn_accept(struct enf *e, int lfd, bool ctl)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

		if (fd < 0)
			return;
		for (i = 0; i < MAX_CONNS && e->conns[i].fd >= 0; i++)
			;
		if (i == MAX_CONNS) {
			close(fd); /* full: the sensor retries */
			continue;
		}
		if (!ctl) {
			int one = 1;

			/* answers are small and awaited: no Nagle delay behind a delayed ACK */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		}
		e->conns[i].fd = fd;
		e->conns[i].gen = ++e->conn_gen;
		e->conns[i].ctl = ctl;
		e->conns[i].have = 0;
		e->conns[i].since = time(NULL);
	}
}

static void conn_read(struct enf *e, struct conn *c)
{
	for (;;) {
		size_t want;
		ssize_t r;

		if (c->ctl) {
			want = CTL_LINE_MAX - 1 - c->have;
		} else if (c->have < 4) {
			want = 4 - c->have;
		} else {
			uint32_t flen = sw_load_be32(c->buf);

			if (flen > SW_PROTO_MAX_REQ) {
				e->st.oversized++;
				logmsg("rejected: oversized frame (%u bytes)", flen);
				c->have = 0;
				conn_close(e, c, NULL);
				return;
			}
			want = 4 + flen - c->have;
			if (!want) {
				bool keep = sensor_frame(e, c, c->buf + 4, flen);

				c->have = 0;
				c->since = time(NULL);
				if (!keep) {
					flush(e); /* the requests before the bad one get their answers */
					conn_close(e, c, NULL);
					return;
				}
				continue;
			}
		}
		r = recv(c->fd, c->buf + c->have, want, 0);
		if (r == 0) {
			conn_close(e, c, c->ctl ? NULL : "closed");
			return;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(e, c, "failed");
			return;
		}
		c->have += (size_t)r;
		if (c->ctl) {
			char *nl = memchr(c->buf, '\n', c->have);

			if (nl || c->have == CTL_LINE_MAX - 1) {
				/* an import's lines may follow the command in the same read */
				size_t at = nl ? (size_t)(nl - (char *)c->buf) + 1 : c->have;

				if (nl)
					*nl = 0;
				c->buf[c->have < CTL_LINE_MAX - 1 ? c->have : CTL_LINE_MAX - 1] = 0;
				ctl_line(e, c, (char *)c->buf, c->buf + at, c->have - at);
				c->have = 0;
				conn_close(e, c, NULL);
				return;
			}
		}
	}
}

static void tick(struct enf *e, bool check_table)
{
	uint64_t now = now_s();
	uint32_t i;

	/* the kernel expires elements itself; this only keeps our count honest */
	for (i = 0; i < e->nent; i++)
		if (e->ent[i].used && e->ent[i].expires && e->ent[i].expires <= now) {
			/* a CrowdSec range that ends before bans inside it: cs_ensure() */
			if (e->cs_state && e->ent[i].kind == K_BLOCK &&
			    is_range(&e->ent[i].ip, e->ent[i].prefix))
				e->cs_ensure_due = true;
			remove_entry(e, &e->ent[i]);
		}
	for (i = 0; i < MAX_CONNS; i++)
		if (e->conns[i].fd >= 0 && time(NULL) - e->conns[i].since > CONN_IDLE_S)
			conn_close(e, &e->conns[i], "idle");
	if (check_table) {
		int r = sw_nft_table_exists(e->nft);

		if (r == 0) {
			e->st.restores++;
			logmsg("table inet %s is gone (ruleset flushed?): restoring", e->cfg.table);
			restore_kernel(e);
		} else if (r < 0) {
			logmsg("table check failed: %s", strerror(-r));
		}
	}
	if (e->jr_lines > 2ull * e->live + 10000) {
		int r = jr_compact(e);

		if (r)
			logmsg("journal compaction failed: %s", strerror(-r));
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ---------- metrics (nft/enforcer_metrics.h) ---------- */

/* An answered request, by sensor, operation and result, for /metrics. */
static void metrics_count(struct enf *e, const struct item *it)
{
	struct sw_enf_metrics_snap *s = sw_enf_metrics_snap(e->metrics);
	unsigned who, op, res;

	if (!s)
		return;
	switch (it->req.op) {
	case SW_OP_BLOCK:
		op = SW_ENF_M_BLOCK;
		break;
	case SW_OP_UNBLOCK:
		op = SW_ENF_M_UNBLOCK;
		break;
	case SW_OP_QUARANTINE:
		op = SW_ENF_M_QUARANTINE;
		break;
	case SW_OP_RELEASE:
		op = SW_ENF_M_RELEASE;
		break;
	default:
		return;
	}
	who = it->s ? (unsigned)(it->s - e->sensors) : it->who == CROWDSEC ? SW_ENF_M_CROWDSEC : SW_ENF_M_OPERATOR;
	/* sensor_frame() answers a rate-limited request with EAGAIN; refuse() never does */
	res = !it->status ? SW_ENF_M_ACCEPTED : it->status == EAGAIN ? SW_ENF_M_RATE_LIMITED : SW_ENF_M_REFUSED;
	s->requests[who][op][res]++;
}

/*
 * The metrics source: when a scrape waits, copy what it shows from the
 * loop's own state (the set sizes counted from the entries, as `list` does)
 * and publish.  Runs in the loop, so nothing here races the requests.
 */
static void metrics_poll(struct enf *e)
{
	struct sw_enf_metrics_snap *s;
	uint64_t now = now_s();
	uint32_t i;

	if (!sw_enf_metrics_wanted(e->metrics))
		return;
	s = sw_enf_metrics_snap(e->metrics);
	s->unknown_key = e->st.unknown_key;
	s->forged = e->st.forged;
	s->truncated = e->st.truncated;
	s->oversized = e->st.oversized;
	s->replayed = e->st.replayed;
	s->stale = e->st.stale;
	s->malformed = e->st.malformed;
	s->restores = e->st.restores;
	s->journal_errors = e->st.journal_errors;
	s->transactions = e->st.batches;
	s->transaction_retries = e->st.batch_retries;
	s->merged = e->st.merged;
	s->cs_pulls = e->st.cs_pulls;
	s->cs_pull_errors = e->st.cs_errors;
	s->cs_new = e->st.cs_new;
	s->cs_deleted = e->st.cs_deleted;
	s->cs_ignored = e->st.cs_ignored;
	s->cs_bad = e->st.cs_bad;
	s->cs_decisions = e->cs_state ? (uint32_t)sw_cs_state_count(e->cs_state) : 0;
	memset(s->set_elements, 0, sizeof(s->set_elements));
	for (i = 0; i < e->nent; i++) {
		const struct entry *x = &e->ent[i];

		if (x->used && (!x->expires || x->expires > now))
			s->set_elements[(x->kind == K_QUAR ? SW_ENF_M_QUAR4 : SW_ENF_M_BLOCK4) +
					(x->ip.family == AF_INET6)]++;
	}
	s->max_elements = e->cfg.max_elements;
	s->connections = 0;
	for (i = 0; i < MAX_CONNS; i++)
		s->connections += e->conns[i].fd >= 0;
	sw_enf_metrics_publish(e->metrics);
}


/* ---------- CrowdSec (crowdsec.h) ---------- */

/* A block or unblock of CrowdSec's, decided in the next round like a sensor's. */
static void cs_queue(struct enf *e, uint8_t op, const struct sw_ip *ip, uint8_t prefix, uint32_t ttl,
		     const char *reason, uint32_t seq)
{
	struct sw_proto_req req;
	struct item *it;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.ip = *ip;
	req.prefix = prefix;
	req.ttl = ttl;
	snprintf(req.reason, sizeof(req.reason), "%s", reason);
	it = pend_add(e, -1, NULL, &req);
	it->who = CROWDSEC;
	/* non-zero: logged as one tally per pull, as an import is, not a line per decision */
	it->line = seq;
}

/* New decisions sorted by value, the longest first within a value. */
static int cs_cmp(const void *a, const void *b)
{
	const struct sw_cs_decision *x = a, *y = b;
	int c = memcmp(&x->ip, &y->ip, sizeof(x->ip));

	if (c)
		return c;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->ttl > y->ttl ? -1 : x->ttl < y->ttl;
}

/* A CrowdSec block of this enforcer's own making (not a sensor's or the operator's). */
static struct entry *cs_entry(struct enf *e, const struct sw_ip *ip, uint8_t prefix)
{
	struct entry *x = find(e, K_BLOCK, ip, prefix);

	return x && !strcmp(x->who, CROWDSEC) ? x : NULL;
}

/*
 * Every value CrowdSec still bans is blocked, on its own or inside a wider
 * block.  A ban that arrived inside a wider block ("already blocked by"),
 * or whose block a wider one replaced (merge_block()), has no element of
 * its own: when the wider block goes (deleted, or expired in the kernel
 * before the ban ends), the ban would be lost, and the LAPI never sends it
 * again.  So after a CrowdSec range goes, the values it may have covered
 * are blocked again for what is left of their bans.  Values never_block
 * refuses are skipped (refused once, when they came).
 */
/* A value still banned (beyond the next second) that no block holds and the policy allows. */
static bool cs_unblocked(struct enf *e, const struct sw_ip *ip, uint8_t prefix, uint64_t expires, uint64_t now)
{
	return expires > now + 1 && !find(e, K_BLOCK, ip, prefix) && !covering(e, ip, prefix) &&
	       !never_hit(e, ip, prefix);
}

static void cs_ensure(struct enf *e)
{
	uint64_t now = now_s(), expires;
	uint32_t seq = 0, n = 0;
	size_t cur = 0;
	struct sw_ip ip;
	uint8_t prefix;

	e->cs_ensure_due = false;
	if (!e->cs_state)
		return;
	while (sw_cs_state_next(e->cs_state, &cur, &ip, &prefix, &expires)) {
		uint64_t left = expires - now;

		if (!cs_unblocked(e, &ip, prefix, expires, now))
			continue;
		cs_queue(e, SW_OP_BLOCK, &ip, prefix, left < e->cfg.max_ttl ? (uint32_t)left : e->cfg.max_ttl,
			 "crowdsec: still banned (was inside a block that went)", ++seq);
		n++;
	}
	flush(e);
	if (n)
		logmsg("crowdsec: %u bans were inside blocks that went: blocking them again for the rest of their time", n);
	/*
	 * The kernel may still hold the expired range for a moment (its set
	 * collects expired elements lazily) and refuse the narrower element
	 * as overlapping: try again at the next ticks, a few times.
	 */
	cur = 0;
	n = 0;
	while (sw_cs_state_next(e->cs_state, &cur, &ip, &prefix, &expires))
		n += cs_unblocked(e, &ip, prefix, expires, now);
	if (n && ++e->cs_ensure_tries < 10) {
		e->cs_ensure_due = true;
		logmsg("crowdsec: %u bans still not blocked, trying again in a second", n);
	} else {
		e->cs_ensure_tries = 0;
	}
}

/*
 * Apply one pull's answer: deleted decisions, then new ones, then (for a
 * start-up answer, which lists every live decision) the CrowdSec blocks
 * the answer no longer holds.  Each phase is one round: one transaction
 * per 65,536 ops, one fsync.  A value banned by several decisions is
 * blocked for the longest; a deleted one lifts its value (the LAPI lists
 * a value as deleted once no decision holds it: crowdsec.h).  A block
 * a sensor or the operator made is never shortened or lifted by CrowdSec:
 * an existing block that lasts at least as long is left as it is.
 */
static void cs_apply(struct enf *e, struct sw_cs_result *r)
{
	struct sw_cs_batch *b = &r->batch;
	uint64_t applied0, refused0, lifted0, now = now_s();
	uint32_t seq = 0, kept = 0, held = 0, nomem = 0;
	size_t i, ndel = 0;

	if (!r->ok) {
		e->st.cs_errors++;
		e->cs_fail_run++;
		/* once when it starts, then every 100th: a LAPI down for a day is not 8,640 lines */
		if (!e->cs_down || e->cs_fail_run % 100 == 0)
			logmsg("crowdsec: pull failed (%llu in a row): %s; the blocks in place stay, "
			       "next pull in %us (a start-up pull)", (unsigned long long)e->cs_fail_run, r->err,
			       e->cfg.crowdsec.poll_interval);
		e->cs_down = true;
		return;
	}
	if (e->cs_down)
		logmsg("crowdsec: the Local API answers again after %llu failed pulls",
		       (unsigned long long)e->cs_fail_run);
	e->cs_down = false;
	e->cs_fail_run = 0;
	e->st.cs_pulls++;
	e->st.cs_new += b->nnew;
	e->st.cs_deleted += b->ndeleted;
	e->st.cs_ignored += b->ignored;
	e->st.cs_bad += b->bad;
	if (b->bad)
		logmsg("crowdsec: %u unreadable decisions skipped, the first: %s", b->bad, b->bad_text);
	flush(e); /* what the sensors asked before this answer is decided first */
	applied0 = e->st.cs_applied;
	refused0 = e->st.cs_refused;
	lifted0 = e->st.cs_lifted;
	if (r->startup)
		sw_cs_state_reset(e->cs_state); /* the answer lists every live decision again */
	/* 1. deletions (the parser put them first), sorted so that a value's repeats are neighbours */
	while (ndel < b->n && b->d[ndel].deleted)
		ndel++;
	if (ndel > 1) /* b->d is NULL in an empty answer: qsort(NULL, 0) is UB (UBSan stops) */
		qsort(b->d, ndel, sizeof(*b->d), cs_cmp);
	for (i = 0; i < ndel; i++) {
		const struct sw_cs_decision *d = &b->d[i];

		if (i > 0 && b->d[i - 1].prefix == d->prefix && sw_ip_eq(&b->d[i - 1].ip, &d->ip))
			continue;
		sw_cs_state_del(e->cs_state, &d->ip, d->prefix);
		/* known or not (a restart forgot it), a CrowdSec block of the value goes */
		if (cs_entry(e, &d->ip, d->prefix)) {
			cs_queue(e, SW_OP_UNBLOCK, &d->ip, d->prefix, 0, "", ++seq);
			/* a range going may uncover bans inside it that were never blocked on their own */
			e->cs_ensure_due |= is_range(&d->ip, d->prefix);
		}
	}
	flush(e);
	/* 2. new decisions: one block per value, for its longest decision */
	for (i = ndel; i < b->n; i++)
		if (sw_cs_state_add(e->cs_state, &b->d[i].ip, b->d[i].prefix, now + b->d[i].ttl) < 0)
			nomem++;
	if (b->n - ndel > 1)
		qsort(b->d + ndel, b->n - ndel, sizeof(*b->d), cs_cmp);
	for (i = ndel; i < b->n; i++) {
		const struct sw_cs_decision *d = &b->d[i];
		uint32_t ttl = d->ttl < e->cfg.max_ttl ? d->ttl : e->cfg.max_ttl;
		struct entry *x;

		if (i > ndel && b->d[i - 1].prefix == d->prefix && sw_ip_eq(&b->d[i - 1].ip, &d->ip))
			continue; /* a shorter decision for a value already queued */
		x = find(e, K_BLOCK, &d->ip, d->prefix);
		/*
		 * Blocked at least as long already, give or take a little: a start-up
		 * answer after a restart repeats every decision with its duration
		 * rounded differently, and re-adding 100,000 elements for a second
		 * each is churn.  The slack is 1% of the TTL, 2 to 60 s.
		 */
		if (x && x->expires + (ttl / 100 < 2 ? 2 : ttl / 100 > 60 ? 60 : ttl / 100) >= now + ttl) {
			kept++;
			continue;
		}
		cs_queue(e, SW_OP_BLOCK, &d->ip, d->prefix, ttl, d->reason, ++seq);
	}
	flush(e);
	/* 3. a start-up answer: CrowdSec's blocks it no longer lists go */
	if (r->startup) {
		for (uint32_t k = 0; k < e->nent; k++) {
			const struct entry *x = &e->ent[k];

			if (x->used && x->kind == K_BLOCK && !strcmp(x->who, CROWDSEC) &&
			    !sw_cs_state_holds(e->cs_state, &x->ip, x->prefix)) {
				cs_queue(e, SW_OP_UNBLOCK, &x->ip, x->prefix, 0, "", ++seq);
				e->cs_ensure_due |= is_range(&x->ip, x->prefix);
				held++;
			}
		}
		flush(e);
	}
	if (e->cs_ensure_due)
		cs_ensure(e);
	if (nomem)
		logmsg("crowdsec: out of memory for %u decisions (their values are blocked; a deletion "
		       "of them may be missed until the next start-up pull)", nomem);
	if (!r->startup && !b->nnew && !b->ndeleted && !b->ignored && !b->bad)
		return; /* nothing changed: no line every poll_interval */
	logmsg("crowdsec: %s pull: %u new, %u deleted, %u ignored; %llu blocked, %u already, %llu refused, "
	       "%llu lifted%s; %zu values banned; in the kernel %.3f s after the answer "
	       "(%zu bytes, fetched in %.3f s, parsed in %.3f s)",
	       r->startup ? "start-up" : "delta", b->nnew, b->ndeleted, b->ignored,
	       (unsigned long long)(e->st.cs_applied - applied0), kept,
	       (unsigned long long)(e->st.cs_refused - refused0), (unsigned long long)(e->st.cs_lifted - lifted0),
	       held ? " (some no longer listed)" : "", sw_cs_state_count(e->cs_state), mono() - r->arrived,
	       r->bytes, r->fetch_s, r->parse_s);
}

static int run(struct enf *e)
{
	struct sw_nft_config nc = { e->cfg.table, e->cfg.hooks, e->cfg.priority };
	double last_tick = mono(), last_check = mono();
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;
	int ret;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < MAX_CONNS; i++)
		e->conns[i].fd = -1;
	e->oconn = -1;
	ret = sw_proto_key_load(e->cfg.private_key_file, e->priv);
	if (ret) {
		logmsg("private key %s: %s", e->cfg.private_key_file, strerror(-ret));
		return 1;
	}
	sw_proto_pubkey(e->priv, e->pub);
	for (i = 0; i < e->cfg.nsensors; i++) {
		struct sensor *s = &e->sensors[i];

		s->cfg = &e->cfg.sensors[i];
		if (sw_proto_peer_init(&s->peer, e->priv, s->cfg->pub)) {
			logmsg("sensor %s: unusable public key", s->cfg->name);
			return 1;
		}
		s->tokens = e->cfg.burst;
		s->refill_at = mono();
	}
	if (state_init(e) || jr_replay(e))
		return 1;
	ret = jr_compact(e);
	if (ret) {
		logmsg("journal %s: %s", e->cfg.journal, strerror(-ret));
		return 1;
	}
	e->nft = sw_nft_new(&nc);
	if (!e->nft) {
		logmsg("netlink: %s", strerror(errno));
		return 1;
	}
	e->max_ops = sw_nft_commit_max(e->nft);
	if (e->max_ops > ROUND_MAX)
		e->max_ops = ROUND_MAX;
	e->pend = calloc(ROUND_MAX, sizeof(*e->pend));
	e->ops = calloc(ROUND_MAX, sizeof(*e->ops));
	e->op_item = calloc(ROUND_MAX, sizeof(*e->op_item));
	e->op_err = calloc(ROUND_MAX, sizeof(*e->op_err));
	if (!e->pend || !e->ops || !e->op_item || !e->op_err || e->max_ops < 2) {
		logmsg("cannot allocate a round of %d requests", ROUND_MAX);
		return 1;
	}
	logmsg("up to %zu ops per transaction (netlink send buffer)", e->max_ops);
	ret = restore_kernel(e);
	if (ret) {
		logmsg("cannot set up table inet %s: %s", e->cfg.table, strerror(-ret));
		return 1;
	}
	e->lfd = listen_tcp(&e->cfg);
	e->cfd = listen_unix(e->cfg.control_socket);
	if (e->lfd < 0 || e->cfd < 0) {
		logmsg("listen %s:%u / %s: %s", e->cfg.listen, e->cfg.port, e->cfg.control_socket,
		       strerror(e->lfd < 0 ? -e->lfd : -e->cfd));
		return 1;
	}
	if (e->cfg.metrics_listen[0]) {
		char merr[256];

		/* before the privilege drop and the seccomp filter; a bind failure stops the start */
		e->metrics = sw_enf_metrics_new(&e->cfg, merr, sizeof(merr));
		if (!e->metrics) {
			logmsg("metrics: %s", merr);
			return 1;
		}
		logmsg("metrics on http://%s/metrics", e->cfg.metrics_listen);
	}
	if (e->cfg.crowdsec.url[0]) {
		char cerr[300];

		/* the key is read here, before the privileges go; a bad key file stops the start */
		e->cs_state = sw_cs_state_new();
		e->cs = e->cs_state ? sw_cs_new(&e->cfg.crowdsec, cerr, sizeof(cerr)) : NULL;
		if (!e->cs) {
			logmsg("crowdsec: %s", e->cs_state ? cerr : "out of memory");
			return 1;
		}
		logmsg("crowdsec: pulling %sv1/decisions/stream every %us (scopes:%s%s, origins: %s%s%s%s)",
		       e->cfg.crowdsec.url, e->cfg.crowdsec.poll_interval,
		       e->cfg.crowdsec.scopes & SW_ENF_CS_SCOPE_IP ? " ip" : "",
		       e->cfg.crowdsec.scopes & SW_ENF_CS_SCOPE_RANGE ? " range" : "",
		       e->cfg.crowdsec.norigins ? e->cfg.crowdsec.origins[0] : "all",
		       e->cfg.crowdsec.norigins > 1 ? ", " : "",
		       e->cfg.crowdsec.norigins > 1 ? e->cfg.crowdsec.origins[1] : "",
		       e->cfg.crowdsec.norigins > 2 ? ", ..." : "");
	}
	/*
	 * Everything is open: from here the daemon needs CAP_NET_ADMIN for
	 * nftables and nothing else (the journal and the socket directory are
	 * its own), so it keeps only that, sets no_new_privs and installs the
	 * seccomp deny-list (common/harden.h).  Under systemd User= the
	 * capability sets are already this small; run as root, they shrink here.
	 */
	{
		char herr[256];
		int hr = sw_harden_drop(NULL, NULL, SW_HARDEN_CAP(CAP_NET_ADMIN), herr, sizeof(herr));

		if (hr < 0) {
			logmsg("cannot drop privileges: %s", herr);
			return 1;
		}
#ifdef __SANITIZE_ADDRESS__
		/* LeakSanitizer's exit check runs a ptrace'ing helper the filter denies */
		logmsg("capabilities: net_admin only, no_new_privs; seccomp filter skipped in this ASan build");
#else
		hr = sw_harden_seccomp(herr, sizeof(herr));
		if (hr < 0 && hr != -ENOSYS) {
			logmsg("cannot install the seccomp filter: %s", herr);
			return 1;
		}
		logmsg("capabilities: net_admin only, no_new_privs, %s",
		       hr ? "no seccomp filter (not supported here)" : "seccomp filter");
#endif
	}
	logmsg("listening on %s:%u, control %s, %zu sensors, max_ttl %us, max %u elements",
	       e->cfg.listen, e->cfg.port, e->cfg.control_socket, e->cfg.nsensors, e->cfg.max_ttl,
	       e->cfg.max_elements);
	while (!stop) {
		struct pollfd pf[3 + MAX_CONNS];
		int map[3 + MAX_CONNS], n = 0, r;
		double t;

		pf[n] = (struct pollfd){ e->lfd, POLLIN, 0 };
		map[n++] = -1;
		pf[n] = (struct pollfd){ e->cfd, POLLIN, 0 };
		map[n++] = -2;
		if (e->cs) {
			pf[n] = (struct pollfd){ sw_cs_fd(e->cs), POLLIN, 0 };
			map[n++] = -3;
		}
		for (i = 0; i < MAX_CONNS; i++)
			if (e->conns[i].fd >= 0) {
				pf[n] = (struct pollfd){ e->conns[i].fd, POLLIN, 0 };
				map[n++] = (int)i;
			}
		r = poll(pf, (nfds_t)n, 250);
		if (r < 0 && errno != EINTR)
			break;
		for (i = 0; r > 0 && i < (size_t)n; i++) {
			if (!pf[i].revents)
				continue;
			if (map[i] == -1)
				conn_accept(e, e->lfd, false);
			else if (map[i] == -2)
				conn_accept(e, e->cfd, true);
			else if (map[i] == -3 && sw_cs_take(e->cs, &e->cs_res))
				cs_apply(e, &e->cs_res);
			else if (e->conns[map[i]].fd >= 0)
				conn_read(e, &e->conns[map[i]]);
		}
		/* everything that arrived in this round: one transaction, one fsync */
		flush(e);
		t = mono();
		if (t - last_tick >= 1.0) {
			bool check = t - last_check >= 2.0;

			tick(e, check);
			if (e->cs_ensure_due)
				cs_ensure(e);
			last_tick = t;
			if (check)
				last_check = t;
		}
		metrics_poll(e);
	}
	logmsg("stopping; the table and its elements stay in place");
	sw_cs_free(e->cs);
	sw_cs_state_free(e->cs_state);
	sw_cs_batch_free(&e->cs_res.batch);
	jr_sync(e);
	for (i = 0; i < MAX_CONNS; i++)
		if (e->conns[i].fd >= 0)
			close(e->conns[i].fd);
	close(e->lfd);
	close(e->cfd);
	unlink(e->cfg.control_socket);
	if (e->jr)
		fclose(e->jr);
	sw_enf_metrics_free(e->metrics);
	sw_nft_free(e->nft);
	free(e->pend);
	free(e->ops);
	free(e->op_item);
	free(e->op_err);
	free(e->ent);
	free(e->bucket);
	sodium_memzero(e->priv, sizeof(e->priv));
	return 0;
}

/* ---------- command line ---------- */

static int ctl_connect(const char *sock)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(su.sun_path))
		return -1;
	strcpy(su.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&su, sizeof(su)) < 0) {
		fprintf(stderr, "sidewall-enforcer: cannot reach %s: %s (is the daemon running?)\n",
			sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Print the daemon's answer; exit status 0 for "ok", 1 for "err", 2 for "error". */
static int cli_answer(int fd)
{
	char buf[4096];
	ssize_t r;
	int status = 0, first = 1;

	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (first && r >= 4 && !memcmp(buf, "err", 3))
			status = 1;
		if (first && r >= 5 && !memcmp(buf, "error", 5))
			status = 2;
		first = 0;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	return status;
}

/*
 * `import FILE [TTL]`: the file goes to the daemon as it is, behind one
 * command line; the daemon parses it (sw_enf_import_parse()), applies it
 * and answers with counts and the first refusals by line number.  The
 * daemon, not this client, reads the lines, so that its policy sees what
 * the file says and nothing a client made of it.
 */
static int cli_import(const char *sock, int argc, char **argv)
{
	char hdr[CTL_LINE_MAX], name[256], buf[65536];
	const char *path, *base;
	uint32_t ttl = 0;
	int fd = -1, in = -1, status = 1;
	size_t i, n;
	ssize_t r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sidewall-enforcer [-c CONFIG | -s SOCKET] import FILE [TTL]\n");
		return 2;
	}
	path = argv[1];
	if (argc == 3) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(argv[2], &end, 10);
		if (errno || *end || argv[2][0] < '0' || argv[2][0] > '9' || v > UINT32_MAX) {
			fprintf(stderr, "sidewall-enforcer: TTL '%s' is not a number\n", argv[2]);
			return 2;
		}
		ttl = (uint32_t)v;
	}
	in = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (in < 0) {
		fprintf(stderr, "sidewall-enforcer: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* the file's name goes into each entry's reason: one printable word */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (i = 0, n = 0; base[i] && n + 1 < sizeof(name) && n < 100; i++)
		name[n++] = base[i] > ' ' && base[i] < 0x7f ? base[i] : '_';
	name[n] = 0;
	n = (size_t)snprintf(hdr, sizeof(hdr), "import %u %s\n", ttl, n ? name : "stdin");
	fd = ctl_connect(sock);
	if (fd < 0)
		goto out;
	if (write(fd, hdr, n) != (ssize_t)n)
		goto out;
	while ((r = read(in, buf, sizeof(buf))) > 0) {
		const char *p = buf;

		while (r > 0) {
			ssize_t w = write(fd, p, (size_t)r);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				fprintf(stderr, "sidewall-enforcer: sending %s: %s\n", path, strerror(errno));
				goto out;
			}
			p += w;
			r -= w;
		}
	}
	if (r < 0) {
		fprintf(stderr, "sidewall-enforcer: %s: %s\n", path, strerror(errno));
		goto out;
	}
	/* end of the list: the daemon applies the rest and answers */
	shutdown(fd, SHUT_WR);
	status = cli_answer(fd);
out:
	if (fd >= 0)
		close(fd);
	if (in > 0)
		close(in);
	return status;
}

static int cli(const char *sock, int argc, char **argv)
{
	char line[CTL_LINE_MAX];
	size_t off = 0;
	int fd, i, status;

	if (!strcmp(argv[0], "import"))
		return cli_import(sock, argc, argv);
	for (i = 0; i < argc; i++) {
		int n = snprintf(line + off, sizeof(line) - off, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(line) - off) {
			fprintf(stderr, "command too long\n");
			return 2;
		}
		off += (size_t)n;
	}
	line[off++] = '\n';
	fd = ctl_connect(sock);
	if (fd < 0)
		return 1;
	if (write(fd, line, off) != (ssize_t)off) {
		close(fd);
		return 1;
	}
	status = cli_answer(fd);
	close(fd);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sidewall-enforcer genkey                 print a new private key\n"
		"       sidewall-enforcer pubkey < KEY           print the public key of KEY\n"
		"       sidewall-enforcer -c CONFIG run          run the daemon\n"
		"       sidewall-enforcer -c CONFIG -t           check the config\n"
		"       sidewall-enforcer [-c CONFIG | -s SOCKET] list | stats\n"
		"       sidewall-enforcer [-c CONFIG | -s SOCKET] block CIDR [TTL] [REASON]\n"
		"       sidewall-enforcer [-c CONFIG | -s SOCKET] unblock CIDR\n"
		"       sidewall-enforcer [-c CONFIG | -s SOCKET] quarantine ADDR | release ADDR\n"
		"       sidewall-enforcer [-c CONFIG | -s SOCKET] import FILE [TTL]   a blocklist, one CIDR a line\n");
}

int main(int argc, char **argv)
{
	static struct enf e;
	const char *config = NULL, *sock = NULL;
	char err[512];
	int i = 1, check = 0;

	if (sw_proto_init()) {
		fprintf(stderr, "sidewall-enforcer: libsodium failed to initialise\n");
		return 1;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "-t")) {
			check = 1;
		} else if (!strcmp(argv[i], "--version")) {
			printf("sidewall-enforcer %s\n", SW_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i < argc && !strcmp(argv[i], "genkey")) {
		uint8_t k[SW_PROTO_KEY_LEN];
		char b[SW_PROTO_KEY_B64_LEN];

		sw_proto_genkey(k);
		sw_proto_key_to_b64(k, b);
		printf("%s\n", b);
		sodium_memzero(k, sizeof(k));
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "pubkey")) {
		uint8_t k[SW_PROTO_KEY_LEN], p[SW_PROTO_KEY_LEN];
		char line[128], b[SW_PROTO_KEY_B64_LEN];

		if (!fgets(line, sizeof(line), stdin) || sw_proto_key_from_b64(line, k)) {
			fprintf(stderr, "sidewall-enforcer: stdin is not a base64 key\n");
			return 1;
		}
		sw_proto_pubkey(k, p);
		sw_proto_key_to_b64(p, b);
		printf("%s\n", b);
		sodium_memzero(k, sizeof(k));
		return 0;
	}
	sw_enf_config_defaults(&e.cfg);
	if (config && sw_enf_config_load(config, &e.cfg, err, sizeof(err))) {
		fprintf(stderr, "sidewall-enforcer: %s\n", err);
		return 1;
	}
	if (check) {
		uint8_t pub[SW_PROTO_KEY_LEN];
		char b[SW_PROTO_KEY_B64_LEN];
		struct sw_proto_peer peer;
		size_t k;
		int r = sw_proto_key_load(e.cfg.private_key_file, e.priv);

		/* the keys too: a daemon that cannot read its key fails at start, not here */
		if (r) {
			fprintf(stderr, "sidewall-enforcer: %s: private_key_file %s: %s\n",
				config ? config : "defaults", e.cfg.private_key_file, strerror(-r));
			return 1;
		}
		for (k = 0; k < e.cfg.nsensors; k++)
			if (sw_proto_peer_init(&peer, e.priv, e.cfg.sensors[k].pub)) {
				fprintf(stderr, "sidewall-enforcer: %s: sensor %s: unusable public key\n",
					config ? config : "defaults", e.cfg.sensors[k].name);
				sodium_memzero(e.priv, sizeof(e.priv));
				return 1;
			}
		sw_proto_pubkey(e.priv, pub);
		sw_proto_key_to_b64(pub, b);
		sodium_memzero(e.priv, sizeof(e.priv));
		sodium_memzero(&peer, sizeof(peer));
		printf("%s: ok (%zu sensors, %zu never-block; public key %s)\n",
		       config ? config : "defaults", e.cfg.nsensors, e.cfg.nnever, b);
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "run"))
		return run(&e);
	if (i < argc)
		return cli(sock ? sock : e.cfg.control_socket, argc - i, argv + i);
	usage(stderr);
	return 2;
}
