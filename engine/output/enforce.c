/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Enforcement requests from the sensor: trigger check on the worker, then
 * dedup, spool and in-order delivery on one background thread.  See
 * enforce.h for the guarantees and the spool layout.
 */
#include "enforce.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "nft/client.h"
#include "nft/proto.h"

#define QUEUE_LEN 1024         /* alerts waiting for the thread; alerts are rare */
#define DEDUP_SLOTS 4096       /* addresses remembered for `dedup` seconds */
#define REC_MAGIC 0x53574551u  /* 'SWEQ' */
#define RETRY_USEC 1000000     /* a failed enforcer is retried every second */
#define CLIENT_TIMEOUT_MS 1000 /* bounds how long one attempt (and shutdown) can take */
#define FINAL_PASS_USEC 2000000
#define SEQ_MAX (1ull << 62)   /* sequence numbers never come near this (one per request) */

/* One request as queued and as stored in the spool (native endian: the spool is local). */
struct rec {
	uint32_t magic;
	uint32_t sum;          /* FNV-1a of everything after this field */
	uint64_t seq;
	uint32_t ttl;
	uint32_t sid;
	struct sw_ip ip;
	char reason[SW_PROTO_REASON_MAX + 1];
	uint8_t pad[3];
};

_Static_assert(sizeof(struct rec) == SW_ENFORCE_REC_SIZE, "spool record size is part of the format");
_Static_assert(SW_ENFORCE_BATCH_MAX <= SW_ENF_PIPELINE_MAX, "a batch is one pipelined exchange");

struct target {
	struct sw_enf_client *c;
	char name[SW_IP_STRLEN + 8]; /* host:port, also the key in the state file */
	uint64_t delivered;          /* every seq below this is done for this enforcer */
	int64_t next_try;            /* monotonic usec; after a transport error */
	bool down;                   /* last attempt failed (said once on stderr) */
};

struct dedup_slot {
	struct sw_ip ip;
	int64_t until;               /* monotonic usec; 0 = free */
};

struct sw_enforce {
	/* configuration (read-only after new) */
	uint32_t actions, max_prio, block, ttl;
	int64_t dedup_usec;
	uint32_t *sids, n_sids;
	char **classtypes;
	uint32_t n_classtypes;

	/* worker -> thread queue */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rec q[QUEUE_LEN];
	uint32_t qhead, qlen;
	bool stop;

	/* thread-owned */
	pthread_t thr;
	bool thr_started;
	struct sw_eve *eve;
	struct sw_eve_writer *w;
	struct target *t;
	uint32_t n_t;
	int dirfd, spoolfd;
	uint64_t next_seq;
	uint64_t file_recs;          /* records in the spool file */
	struct rec *ring;            /* pending records [min delivered, next_seq) at seq % cap */
	uint64_t cap;
	struct dedup_slot dd[DEDUP_SLOTS];
	struct sw_proto_resp *resp;  /* ~60 KiB, reused */
	struct sw_proto_req *reqs;   /* SW_ENFORCE_BATCH_MAX, one pipelined batch */

	_Atomic uint64_t st_triggered, st_overflow, st_deduped, st_spooled, st_dropped, st_errors,
		st_replayed, st_applied, st_refused, st_transport, st_pending;
};

static int64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t real_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t rec_sum(const struct rec *r)
{
	const uint8_t *b = (const uint8_t *)&r->seq;
	size_t n = sizeof(*r) - offsetof(struct rec, seq);
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* ---- worker side ---- */

bool sw_enforce_triggers(const struct sw_enforce *e, const struct sw_rule *r)
{
	if ((unsigned)r->action < 32 && (e->actions & (1u << r->action)))
		return true;
	if (e->max_prio && r->priority && r->priority <= e->max_prio)
		return true;
	for (uint32_t i = 0; i < e->n_sids; i++)
		if (e->sids[i] == r->sid)
			return true;
	if (r->classtype)
		for (uint32_t i = 0; i < e->n_classtypes; i++)
			if (!strcmp(e->classtypes[i], r->classtype))
				return true;
	return false;
}

/* "sid:N msg", printable ASCII only (the protocol refuses anything else). */
static void make_reason(char *out, const struct sw_rule *r)
{
	int n = snprintf(out, SW_PROTO_REASON_MAX + 1, "sid:%" PRIu32 " %s", r->sid, r->msg ? r->msg : "");

	if (n < 0)
		n = 0;
	for (char *c = out; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

static void queue_one(struct sw_enforce *e, const struct sw_ip *ip, const struct sw_rule *r)
{
	struct rec *slot;

	if (!ip->family)
		return;
	atomic_fetch_add(&e->st_triggered, 1);
	pthread_mutex_lock(&e->mu);
	/* A flood from one address must not push out others: skip a repeat of the newest entry. */
	if (e->qlen && sw_ip_eq(&e->q[(e->qhead + e->qlen - 1) % QUEUE_LEN].ip, ip)) {
		pthread_mutex_unlock(&e->mu);
		atomic_fetch_add(&e->st_deduped, 1);
		return;
	}
	if (e->qlen == QUEUE_LEN) {
		pthread_mutex_unlock(&e->mu);
		atomic_fetch_add(&e->st_overflow, 1);
		return;
	}
	slot = &e->q[(e->qhead + e->qlen) % QUEUE_LEN];
	memset(slot, 0, sizeof(*slot));
	slot->ip = *ip;
	slot->sid = r->sid;
	slot->ttl = e->ttl;
	make_reason(slot->reason, r);
	e->qlen++;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

void sw_enforce_alert(struct sw_enforce *e, const struct sw_packet *p, const struct sw_rule *r)
{
	if (!e || !p || !r || !sw_enforce_triggers(e, r))
		return;
	if (e->block & SW_ENFORCE_BLOCK_SRC)
		queue_one(e, &p->src, r);
	if (e->block & SW_ENFORCE_BLOCK_DST)
		queue_one(e, &p->dst, r);
}

/* ---- spool (background thread) ---- */

static uint64_t min_delivered(const struct sw_enforce *e)
{
	uint64_t m = e->next_seq;

	for (uint32_t i = 0; i < e->n_t; i++)
		if (e->t[i].delivered < m)
			m = e->t[i].delivered;
	return m;
}

static int fsync_dir(struct sw_enforce *e)
{
	return fsync(e->dirfd) ? -errno : 0;
}

/* Replace `delivered` atomically: temp file, fsync, rename, fsync the directory. */
static int save_state(struct sw_enforce *e)
{
	char buf[64 * 1024];
	size_t len = 0;
	int fd, rc = 0;

	for (uint32_t i = 0; i < e->n_t && len < sizeof(buf) - 128; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %" PRIu64 "\n", e->t[i].name,
					e->t[i].delivered);
	fd = openat(e->dirfd, "delivered.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd))
		rc = errno ? -errno : -EIO;
	close(fd);
	if (!rc && renameat(e->dirfd, "delivered.tmp", e->dirfd, "delivered"))
		rc = -errno;
	if (!rc)
		rc = fsync_dir(e);
	if (rc)
		atomic_fetch_add(&e->st_errors, 1);
	return rc;
}

static void update_pending(struct sw_enforce *e)
{
	atomic_store(&e->st_pending, e->next_seq - min_delivered(e));
}

/*
 * Keep the file small: when nothing is pending, truncate it; when it holds
 * more than twice the bound, rewrite it with only the pending records.
 */
static void compact(struct sw_enforce *e)
{
	uint64_t lo = min_delivered(e);
	int fd;

	if (lo == e->next_seq) {
		if (e->file_recs && !ftruncate(e->spoolfd, 0) && !fsync(e->spoolfd))
			e->file_recs = 0;
		return;
	}
	if (e->file_recs <= 2 * e->cap)
		return;
	fd = openat(e->dirfd, "requests.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	for (uint64_t s = lo; s < e->next_seq; s++)
		if (write(fd, &e->ring[s % e->cap], sizeof(struct rec)) != (ssize_t)sizeof(struct rec))
			goto fail_fd;
	if (fsync(fd) || renameat(e->dirfd, "requests.tmp", e->dirfd, "requests"))
		goto fail_fd;
	fsync_dir(e);
	/* The lock lives on the directory, so swapping the file descriptor is safe. */
	close(e->spoolfd);
	e->spoolfd = fd;
	lseek(fd, 0, SEEK_END);
	e->file_recs = e->next_seq - lo;
	return;
fail_fd:
	close(fd);
fail:
	atomic_fetch_add(&e->st_errors, 1);
}

/* Append @r with the next sequence number; drop the oldest pending one when full. */
static void spool_append(struct sw_enforce *e, struct rec *r)
{
	uint64_t lo = min_delivered(e);

	if (e->next_seq - lo >= e->cap) {
		/* Full: the oldest undelivered request goes, for every enforcer still waiting on it. */
		for (uint32_t i = 0; i < e->n_t; i++)
			if (e->t[i].delivered == lo)
				e->t[i].delivered = lo + 1;
		atomic_fetch_add(&e->st_dropped, 1);
		save_state(e);
	}
	r->magic = REC_MAGIC;
	r->seq = e->next_seq;
	r->sum = rec_sum(r);
	e->ring[r->seq % e->cap] = *r;
	e->next_seq++;
	if (write(e->spoolfd, r, sizeof(*r)) != (ssize_t)sizeof(*r) || fdatasync(e->spoolfd))
		atomic_fetch_add(&e->st_errors, 1); /* still delivered from memory */
	else
		e->file_recs++;
	atomic_fetch_add(&e->st_spooled, 1);
	update_pending(e);
}

/* Load `delivered` and `requests`; pending records go to the ring. */
static int spool_load(struct sw_enforce *e)
{
	char line[256];
	FILE *f;
	struct rec r;
	uint64_t good = 0, maxd = 0, lo, first = UINT64_MAX;
	int fd;

	for (uint32_t i = 0; i < e->n_t; i++)
		e->t[i].delivered = UINT64_MAX; /* not in the state file (yet) */
	fd = openat(e->dirfd, "delivered", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			return -errno;
		}
		while (fgets(line, sizeof(line), f)) {
			char name[sizeof(line)];
			uint64_t seq;

			/* A corrupt line is ignored; absurd values would wrap the sequence space. */
			if (sscanf(line, "%255s %" SCNu64, name, &seq) != 2 || seq > SEQ_MAX)
				continue;
			for (uint32_t i = 0; i < e->n_t; i++)
				if (!strcmp(e->t[i].name, name))
					e->t[i].delivered = seq;
			if (seq > maxd)
				maxd = seq;
		}
		fclose(f);
	} else if (errno != ENOENT) {
		return -errno;
	}
	e->next_seq = maxd;
	/* First pass: the sequence range; a torn or corrupt tail ends the file. */
	lseek(e->spoolfd, 0, SEEK_SET);
	while (read(e->spoolfd, &r, sizeof(r)) == (ssize_t)sizeof(r) && r.magic == REC_MAGIC &&
	       r.sum == rec_sum(&r) && r.seq < SEQ_MAX) {
		good++;
		if (r.seq < first)
			first = r.seq;
		if (r.seq + 1 > e->next_seq)
			e->next_seq = r.seq + 1;
	}
	/*
	 * Records are contiguous from `first`; anything an enforcer still
	 * waits for below it is gone (a lost or cut file): count it, do not
	 * wait for it.
	 */
	if (first > e->next_seq)
		first = e->next_seq;
	lo = UINT64_MAX;
	for (uint32_t i = 0; i < e->n_t; i++)
		if (e->t[i].delivered != UINT64_MAX && e->t[i].delivered < lo)
			lo = e->t[i].delivered;
	if (lo < first)
		atomic_fetch_add(&e->st_dropped, first - lo);
	/* An enforcer new to the state file starts at the oldest record kept. */
	for (uint32_t i = 0; i < e->n_t; i++)
		if (e->t[i].delivered == UINT64_MAX || e->t[i].delivered < first)
			e->t[i].delivered = first;
	if (ftruncate(e->spoolfd, (off_t)(good * sizeof(r))))
		return -errno;
	lseek(e->spoolfd, 0, SEEK_END);
	e->file_recs = good;
	lo = min_delivered(e);
	if (e->next_seq - lo > e->cap) {
		uint64_t keep = e->next_seq - e->cap;

		atomic_fetch_add(&e->st_dropped, keep - lo);
		for (uint32_t i = 0; i < e->n_t; i++)
			if (e->t[i].delivered < keep)
				e->t[i].delivered = keep;
		lo = keep;
	}
	lseek(e->spoolfd, 0, SEEK_SET);
	for (uint64_t i = 0; i < good; i++) {
		if (read(e->spoolfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			return -EIO;
		if (r.seq >= lo && r.seq < e->next_seq) {
			e->ring[r.seq % e->cap] = r;
			atomic_fetch_add(&e->st_replayed, 1);
		}
	}
	lseek(e->spoolfd, 0, SEEK_END);
	update_pending(e);
	return 0;
}

/* ---- dedup ---- */

static bool dedup_hit(struct sw_enforce *e, const struct sw_ip *ip, int64_t now)
{
	struct dedup_slot *victim = &e->dd[0];

	if (!e->dedup_usec)
		return false;
	for (size_t i = 0; i < DEDUP_SLOTS; i++) {
		struct dedup_slot *s = &e->dd[i];

		if (s->until > now && sw_ip_eq(&s->ip, ip))
			return true;
		if (s->until < victim->until)
			victim = s;
	}
	/* Not seen: remember it, evicting the entry that expires first. */
	victim->ip = *ip;
	victim->until = now + e->dedup_usec;
	return false;
}

/* ---- delivery ---- */

/*
 * One "enforcement" record (our own event type: Suricata's EVE schema has
 * none, so schema checks must skip it).  Written when the EVE output takes
 * alerts, since every request is the consequence of one.  @error is NULL
 * when applied.
 */
static void event(struct sw_enforce *e, const struct target *t, const struct rec *r, const char *error,
		  uint32_t ttl)
{
	char addr[SW_IP_STRLEN];
	struct sw_json *j;

	if (!e->w || !sw_eve_wants(e->eve, SW_EVE_ALERT))
		return;
	sw_ip_format(&r->ip, addr, sizeof(addr));
	j = sw_eve_begin(e->w, "enforcement", real_usec());
	sw_json_obj(j, "enforcement");
	sw_json_str(j, "request", "block");
	sw_json_str(j, "address", addr);
	sw_json_u64(j, "ttl", ttl);
	sw_json_str(j, "enforcer", t->name);
	sw_json_str(j, "result", error ? "refused" : "applied");
	if (error)
		sw_json_str(j, "error", error);
	sw_json_u64(j, "sid", r->sid);
	sw_json_close_obj(j);
	sw_eve_end(e->w);
	sw_eve_writer_flush(e->w);
}

/* Say once when an enforcer stops answering and once when it is back. */
static void note_state(struct sw_enforce *e, struct target *t, int rc)
{
	if (rc && !t->down)
		fprintf(stderr, "sidewall: enforcement: %s: %s; %" PRIu64 " request(s) waiting, retrying every second\n",
			t->name, rc == -EAGAIN ? "rate limited" : strerror(-rc), e->next_seq - t->delivered);
	else if (!rc && t->down)
		fprintf(stderr, "sidewall: enforcement: %s answers again\n", t->name);
	t->down = rc != 0;
}

/* One pipelined batch to one enforcer, as its answers come back. */
struct batch {
	struct sw_enforce *e;
	struct target *t;
	uint64_t first;              /* seq of reqs[0]: the batch is a run of whole records from it */
	size_t decided;              /* answers taken, in order */
	bool limited;                /* the enforcer's rate limit answered: stop here */
};

static void on_answer(void *arg, size_t i, const struct sw_proto_resp *resp)
{
	struct batch *b = arg;
	struct sw_enforce *e = b->e;
	const struct rec *r = &e->ring[(b->first + i) % e->cap];

	/*
	 * After a rate-limit answer the rest of the batch is sent again later,
	 * in order; answers to it now are not reported, so each request gets
	 * one event (a block the enforcer did apply is simply refreshed).
	 */
	if (b->limited)
		return;
	if (resp->status == EAGAIN) {
		b->limited = true;
		return;
	}
	note_state(e, b->t, 0);
	if (resp->status) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s%s%.200s", strerror((int)resp->status),
			 resp->text_len ? ": " : "", resp->text);
		atomic_fetch_add(&e->st_refused, 1);
		event(e, b->t, r, msg, r->ttl);
	} else {
		atomic_fetch_add(&e->st_applied, 1);
		event(e, b->t, r, NULL, resp->ttl);
	}
	b->decided = i + 1;
}

/*
 * Send pending records to @t in order, up to SW_ENFORCE_BATCH_MAX at a time
 * without waiting between them (the enforcer applies what arrives together
 * in one transaction), until one fails in transport (then wait a second)
 * or none are left.  In the final pass (@until, monotonic usec, non-zero)
 * the loop ends at that time; otherwise a stop request ends it after the
 * current batch.  Returns true if anything is left.
 */
static bool deliver_one(struct sw_enforce *e, struct target *t, int64_t now, bool *failed, int64_t until)
{
	bool changed = false;

	*failed = false;
	if (t->next_try > now)
		return t->delivered < e->next_seq;
	while (t->delivered < e->next_seq) {
		struct batch b = { .e = e, .t = t, .first = t->delivered };
		size_t n = 0;
		int k, err = 0;

		/* the run of whole records from the first undelivered one */
		while (n < SW_ENFORCE_BATCH_MAX && t->delivered + n < e->next_seq) {
			const struct rec *r = &e->ring[(t->delivered + n) % e->cap];
			struct sw_proto_req *q = &e->reqs[n];

			if (r->magic != REC_MAGIC || r->seq != t->delivered + n)
				break;
			memset(q, 0, sizeof(*q));
			q->op = SW_OP_BLOCK;
			q->ip = r->ip;
			q->prefix = r->ip.family == AF_INET ? 32 : 128;
			q->ttl = r->ttl;
			memcpy(q->reason, r->reason, sizeof(q->reason));
			n++;
		}
		if (!n) {
			/* A hole left by a failed spool write before a restart: nothing to send. */
			atomic_fetch_add(&e->st_dropped, 1);
			t->delivered++;
			changed = true;
			continue;
		}
		k = sw_enf_client_pipeline(t->c, e->reqs, n, e->resp, on_answer, &b, &err);
		if (k < 0)
			err = k;
		t->delivered += b.decided;
		changed |= b.decided > 0;
		if (b.decided < n) {
			if (!b.limited && err == -EINVAL && (k < 0 ? 0 : (size_t)k) == b.decided) {
				/* This request cannot be encoded: retrying cannot help, and it must not block the line. */
				const struct rec *r = &e->ring[(b.first + b.decided) % e->cap];

				atomic_fetch_add(&e->st_refused, 1);
				event(e, t, r, "request cannot be encoded", r->ttl);
				t->delivered++;
				changed = true;
			} else {
				int rc = b.limited ? -EAGAIN : err ? err : -EIO;

				atomic_fetch_add(&e->st_transport, 1);
				note_state(e, t, rc);
				t->next_try = mono_usec() + RETRY_USEC;
				*failed = true;
			}
		}
		/* Durable per batch: a restart sends again at most the batch in flight (blocks are idempotent). */
		if (changed) {
			save_state(e);
			update_pending(e);
		}
		if (*failed)
			break;
		if (until) {
			if (mono_usec() >= until)
				break;
		} else {
			bool stop;

			pthread_mutex_lock(&e->mu);
			stop = e->stop;
			pthread_mutex_unlock(&e->mu);
			if (stop)
				break;
		}
	}
	if (changed)
		compact(e);
	return t->delivered < e->next_seq;
}

static void drain_queue(struct sw_enforce *e)
{
	static const size_t batch = 64;
	struct rec local[64];
	size_t n;

	for (;;) {
		pthread_mutex_lock(&e->mu);
		for (n = 0; n < batch && e->qlen; n++) {
			local[n] = e->q[e->qhead];
			e->qhead = (e->qhead + 1) % QUEUE_LEN;
			e->qlen--;
		}
		pthread_mutex_unlock(&e->mu);
		if (!n)
			return;
		for (size_t i = 0; i < n; i++) {
			if (dedup_hit(e, &local[i].ip, mono_usec())) {
				atomic_fetch_add(&e->st_deduped, 1);
				continue;
			}
			spool_append(e, &local[i]);
		}
	}
}

static void *thread_main(void *arg)
{
	struct sw_enforce *e = arg;
	bool stop = false, failed;

	e->w = e->eve ? sw_eve_writer_new(e->eve) : NULL;
	while (!stop) {
		bool left = false;
		int64_t now;

		drain_queue(e);
		now = mono_usec();
		for (uint32_t i = 0; i < e->n_t; i++)
			left |= deliver_one(e, &e->t[i], now, &failed, 0);
		pthread_mutex_lock(&e->mu);
		if (!e->stop && !e->qlen) {
			struct timespec ts;

			/* Wake for new alerts, or in a second to retry a failed enforcer. */
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (left) {
				ts.tv_nsec += 200 * 1000 * 1000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
			} else {
				ts.tv_sec += 1;
			}
			pthread_cond_timedwait(&e->cv, &e->mu, &ts);
		}
		stop = e->stop;
		pthread_mutex_unlock(&e->mu);
	}
	/* Final pass: spool what is queued, one try per enforcer, bounded in time. */
	drain_queue(e);
	{
		int64_t end = mono_usec() + FINAL_PASS_USEC;

		for (uint32_t i = 0; i < e->n_t && mono_usec() < end; i++) {
			struct target *t = &e->t[i];

			t->next_try = 0;
			deliver_one(e, t, 0, &failed, end);
		}
	}
	sw_eve_writer_free(e->w);
	e->w = NULL;
	return NULL;
}

/* ---- lifecycle ---- */

/* "host:port", "[v6]:port": an enforcer's name in messages and in the state file. */
static void enforcer_name(const struct sw_config_enforcer *ce, char *out, size_t len)
{
	snprintf(out, len, strchr(ce->host, ':') ? "[%s]:%u" : "%s:%u", ce->host, ce->port);
}

/* The sensor's private key from its file.  Returns 0, or -errno with a reason in @err. */
static int load_key(const struct sw_config_enforcement *c, uint8_t priv[SW_PROTO_KEY_LEN], char *err,
		    size_t errlen)
{
	int rc;

	if (sw_proto_init()) {
		snprintf(err, errlen, "enforcement: libsodium does not initialise");
		return -EIO;
	}
	rc = sw_proto_key_load(c->key_file, priv);
	if (rc)
		snprintf(err, errlen, "enforcement: private-key-file %s: %s", c->key_file,
			 rc == -EINVAL ? "not a base64 key" : strerror(-rc));
	return rc;
}

/* A client for enforcer @ce (named @name), or NULL with -errno in *@rc and a reason in @err. */
static struct sw_enf_client *make_client(const struct sw_config_enforcer *ce, const char *name,
					 const uint8_t priv[SW_PROTO_KEY_LEN], int *rc, char *err,
					 size_t errlen)
{
	uint8_t pub[SW_PROTO_KEY_LEN];
	struct sw_enf_client *cl;

	if (sw_proto_key_from_b64(ce->public_key, pub)) {
		*rc = -EINVAL;
		snprintf(err, errlen, "enforcement: enforcer %s: public-key is not a base64 key", name);
		return NULL;
	}
	cl = sw_enf_client_new(ce->host, ce->port, priv, pub);
	if (!cl) {
		*rc = -errno;
		snprintf(err, errlen, "enforcement: enforcer %s: %s", name,
			 errno == EINVAL ? "unusable public key or address" : strerror(errno));
	}
	return cl;
}

int sw_enforce_check(const struct sw_config *cfg, char *err, size_t errlen)
{
	const struct sw_config_enforcement *c = &cfg->enforce;
	uint8_t priv[SW_PROTO_KEY_LEN];
	char name[SW_IP_STRLEN + 8];
	int rc;

	if (!c->set)
		return 0;
	rc = load_key(c, priv, err, errlen);
	for (uint32_t i = 0; i < c->n_enforcers && !rc; i++) {
		enforcer_name(&c->enforcers[i], name, sizeof(name));
		sw_enf_client_free(make_client(&c->enforcers[i], name, priv, &rc, err, errlen));
	}
	explicit_bzero(priv, sizeof(priv));
	return rc;
}

static void free_all(struct sw_enforce *e)
{
	for (uint32_t i = 0; i < e->n_t; i++)
		sw_enf_client_free(e->t[i].c);
	free(e->t);
	free(e->sids);
	for (uint32_t i = 0; i < e->n_classtypes; i++)
		free(e->classtypes[i]);
	free(e->classtypes);
	free(e->ring);
	free(e->resp);
	free(e->reqs);
	if (e->spoolfd >= 0)
		close(e->spoolfd);
	if (e->dirfd >= 0)
		close(e->dirfd); /* releases the flock */
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

struct sw_enforce *sw_enforce_new(const struct sw_config *cfg, struct sw_eve *eve, char *err, size_t errlen)
{
	const struct sw_config_enforcement *c = &cfg->enforce;
	uint8_t priv[SW_PROTO_KEY_LEN];
	struct sw_enforce *e;
	pthread_condattr_t ca;
	int rc;

	if (!c->set || !c->n_enforcers || !c->key_file || !c->spool_dir) {
		snprintf(err, errlen, "enforcement: section missing or incomplete");
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "enforcement: out of memory");
		return NULL;
	}
	e->dirfd = e->spoolfd = -1;
	pthread_mutex_init(&e->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	e->eve = eve;
	e->actions = c->actions;
	e->max_prio = c->max_priority;
	e->block = c->block ? c->block : SW_ENFORCE_BLOCK_SRC;
	e->ttl = c->ttl;
	e->dedup_usec = (int64_t)c->dedup * 1000000;
	e->cap = c->spool_max / sizeof(struct rec);
	if (!e->cap)
		e->cap = 1;
	e->ring = calloc(e->cap, sizeof(struct rec));
	e->resp = malloc(sizeof(*e->resp));
	e->reqs = calloc(SW_ENFORCE_BATCH_MAX, sizeof(*e->reqs));
	e->t = calloc(c->n_enforcers, sizeof(*e->t));
	e->sids = calloc(c->n_sids ? c->n_sids : 1, sizeof(*e->sids));
	e->classtypes = calloc(c->n_classtypes ? c->n_classtypes : 1, sizeof(char *));
	if (!e->ring || !e->resp || !e->reqs || !e->t || !e->sids || !e->classtypes) {
		rc = -ENOMEM;
		snprintf(err, errlen, "enforcement: out of memory");
		goto fail;
	}
	if (c->n_sids)
		memcpy(e->sids, c->sids, c->n_sids * sizeof(*e->sids));
	e->n_sids = c->n_sids;
	for (uint32_t i = 0; i < c->n_classtypes; i++) {
		e->classtypes[i] = strdup(c->classtypes[i]);
		if (!e->classtypes[i]) {
			rc = -ENOMEM;
			snprintf(err, errlen, "enforcement: out of memory");
			goto fail;
		}
		e->n_classtypes++;
	}
	rc = load_key(c, priv, err, errlen);
	if (rc)
		goto fail;
	for (uint32_t i = 0; i < c->n_enforcers; i++) {
		struct target *t = &e->t[i];

		enforcer_name(&c->enforcers[i], t->name, sizeof(t->name));
		t->c = make_client(&c->enforcers[i], t->name, priv, &rc, err, errlen);
		if (!t->c)
			goto fail;
		sw_enf_client_set_timeout(t->c, CLIENT_TIMEOUT_MS);
		e->n_t++;
	}
	if (mkdir(c->spool_dir, 0700) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "enforcement: spool-dir %s: %s", c->spool_dir, strerror(errno));
		goto fail;
	}
	e->dirfd = open(c->spool_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->dirfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "enforcement: spool-dir %s: %s", c->spool_dir, strerror(errno));
		goto fail;
	}
	if (flock(e->dirfd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(err, errlen, "enforcement: spool-dir %s is in use by another process", c->spool_dir);
		goto fail;
	}
	e->spoolfd = openat(e->dirfd, "requests", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->spoolfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "enforcement: spool-dir %s: requests: %s", c->spool_dir, strerror(errno));
		goto fail;
	}
	rc = spool_load(e);
	if (rc) {
		snprintf(err, errlen, "enforcement: spool-dir %s: cannot load: %s", c->spool_dir, strerror(-rc));
		goto fail;
	}
	rc = -pthread_create(&e->thr, NULL, thread_main, e);
	if (rc) {
		snprintf(err, errlen, "enforcement: thread: %s", strerror(-rc));
		goto fail;
	}
	e->thr_started = true;
	explicit_bzero(priv, sizeof(priv));
	return e;
fail:
	explicit_bzero(priv, sizeof(priv));
	free_all(e);
	errno = -rc;
	return NULL;
}

void sw_enforce_stats(struct sw_enforce *e, struct sw_enforce_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!e)
		return;
	out->triggered = atomic_load(&e->st_triggered);
	out->queue_overflow = atomic_load(&e->st_overflow);
	out->deduped = atomic_load(&e->st_deduped);
	out->spooled = atomic_load(&e->st_spooled);
	out->spool_dropped = atomic_load(&e->st_dropped);
	out->spool_errors = atomic_load(&e->st_errors);
	out->replayed = atomic_load(&e->st_replayed);
	out->applied = atomic_load(&e->st_applied);
	out->refused = atomic_load(&e->st_refused);
	out->transport_errors = atomic_load(&e->st_transport);
	out->pending = atomic_load(&e->st_pending);
}

void sw_enforce_free(struct sw_enforce *e)
{
	if (!e)
		return;
	if (e->thr_started) {
		pthread_mutex_lock(&e->mu);
		e->stop = true;
		pthread_cond_signal(&e->cv);
		pthread_mutex_unlock(&e->mu);
		pthread_join(e->thr, NULL);
	}
	free_all(e);
}
