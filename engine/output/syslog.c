/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EVE lines to a remote collector: RFC 5424 over TCP, RFC 6587 octet
 * counting.  See syslog.h for the delivery guarantee.
 *
 * Records live in one of three places, always in sequence order:
 *
 *   in flight (sender thread)  <  spool segments (disk)  <  memory chunks
 *
 * The sender always takes the oldest: spool first, then memory.  Memory
 * spills from its head (its oldest records) into a new spool segment, so
 * every segment is older than every memory chunk and newer than anything
 * already taken.  A segment file holds whole lines and is named after the
 * sequence number of its first record, so sorting names restores order.
 */
#include "syslog.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked; glibc's lacks it */
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The private enterprise number in the SD-ID; 32473 is RFC 5612's example PEN. */
#define SD_ID "sidewall@32473"
/* Bytes of frames built ahead of send(). */
#define SENDBUF_FILL (64 * 1024)
#define CURSOR_FILE "seq"
/* Spool directory (< 4096) plus "/" plus a 255-byte name. */
#define PATH_BUF (4096 + 1 + 256)

/* A run of whole lines with consecutive sequence numbers. */
struct chunk {
	struct chunk *next;
	uint64_t first_seq;
	uint64_t nrec;
	size_t len;
	/* Sender-only state. */
	size_t send_off;  /* next byte to frame */
	uint64_t send_rec; /* records framed */
	size_t acked_off; /* bytes of records known delivered */
	uint64_t acked_rec;
	struct seg *seg;  /* the spool file this came from, or NULL */
	char data[];
};

struct seg {
	struct seg *next;
	uint64_t first_seq;
	uint64_t nrec;
	uint64_t bytes;
	bool inflight;
};

/* One frame on the wire, waiting for its last byte to be acknowledged. */
struct ent {
	struct chunk *c;
	size_t rec_end;    /* offset in c->data just past the line */
	uint64_t wire_end; /* stream offset just past the frame */
};

struct sw_syslog {
	/* Configuration, immutable after new(). */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char host[256], app[49], dir[4096];
	unsigned pri;
	int pid;
	size_t mem_cap, inflight_cap;
	uint64_t spool_cap;
	bool spool;
	unsigned reconnect_ms, connect_ms, flush_ms;

	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */

	/* Under lock. */
	bool stopping;
	struct chunk *mem_head, *mem_tail;
	size_t mem_len;
	struct seg *segs; /* sorted by first_seq */
	uint64_t spool_len;
	size_t inflight_len;
	uint64_t next_seq;
	struct sw_syslog_stats st;

	/* Sender thread only (and free() after join). */
	struct chunk *fl_head, *fl_tail;
	struct ent *fifo;
	size_t f_head, f_cnt, f_cap;
	char *sbuf;
	size_t s_len, s_off, s_cap;
	uint64_t written; /* bytes accepted by send() on this connection */
	uint64_t framed;  /* bytes framed on this connection */
	int64_t ack_base; /* tcpi_bytes_acked right after connect, or -1 */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wait_ms(struct sw_syslog *s, unsigned ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

static uint64_t count_lines(const char *p, size_t len)
{
	uint64_t n = 0;
	const char *end = p + len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* ---- spool ---- */

static void seg_path(const struct sw_syslog *s, uint64_t seq, const char *ext, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%020" PRIu64 ".%s", s->dir, seq, ext);
}

static void seg_insert(struct sw_syslog *s, struct seg *g)
{
	struct seg **pp = &s->segs;

	while (*pp && (*pp)->first_seq < g->first_seq)
		pp = &(*pp)->next;
	g->next = *pp;
	*pp = g;
	s->spool_len += g->bytes;
	s->st.spooled_bytes = s->spool_len;
}

static void seg_remove(struct sw_syslog *s, struct seg *g, bool unlink_file)
{
	struct seg **pp = &s->segs;
	char path[PATH_BUF];

	while (*pp && *pp != g)
		pp = &(*pp)->next;
	if (*pp)
		*pp = g->next;
	s->spool_len -= g->bytes;
	s->st.spooled_bytes = s->spool_len;
	if (unlink_file) {
		seg_path(s, g->first_seq, "seg", path, sizeof(path));
		unlink(path);
	}
	free(g);
}

/*
 * Write @iov as segment @first_seq (via a temporary name and rename(2), so a
 * crash never leaves a half segment under a real name).  Returns 0 or -errno.
 */
static int seg_write(struct sw_syslog *s, uint64_t first_seq, uint64_t nrec, struct iovec *iov, int niov,
		     uint64_t bytes)
{
	char tmp[PATH_BUF], path[PATH_BUF];
	struct seg *g = NULL;
	int fd = -1, ret = 0;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	seg_path(s, first_seq, "tmp", tmp, sizeof(tmp));
	seg_path(s, first_seq, "seg", path, sizeof(path));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (niov > 0) {
		ssize_t n = writev(fd, iov, niov > IOV_MAX ? IOV_MAX : niov);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		while (niov > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			niov--;
		}
		if (niov > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto out;
	}
	g->first_seq = first_seq;
	g->nrec = nrec;
	g->bytes = bytes;
	seg_insert(s, g);
	g = NULL;
	s->st.spool_writes++;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	free(g);
	return ret;
}

/*
 * Make room for @bytes in the spool by dropping the oldest segments not in
 * flight.  Returns true if it fits.  Lock held.
 */
static bool spool_room(struct sw_syslog *s, uint64_t bytes)
{
	while (s->spool_len + bytes > s->spool_cap) {
		struct seg *g = s->segs;

		while (g && g->inflight)
			g = g->next;
		if (!g)
			return false;
		s->st.dropped_oldest += g->nrec;
		s->st.pending -= g->nrec;
		seg_remove(s, g, true);
	}
	return true;
}

static void drop_chunk(struct sw_syslog *s, struct chunk *c)
{
	s->st.dropped_oldest += c->nrec;
	s->st.pending -= c->nrec;
	free(c);
}

/*
 * Move memory chunks from the head (the oldest) to one new spool segment
 * until the queue is within its bound.  At least a quarter of the queue
 * goes at once, so the spool holds few large files, not many small ones.
 * Without a spool, or when the spool cannot take them, those chunks are the
 * oldest records left: they are dropped and counted.  Lock held.
 */
static void spill(struct sw_syslog *s)
{
	while (s->mem_head && s->mem_len > s->mem_cap) {
		size_t want = s->mem_len - s->mem_cap, got = 0;
		struct chunk *c, *last = NULL;
		uint64_t nrec = 0;
		int niov = 0;

		if (want < s->mem_cap / 4)
			want = s->mem_cap / 4;
		for (c = s->mem_head; c && got < want; c = c->next) {
			got += c->len;
			nrec += c->nrec;
			niov++;
			last = c;
		}
		struct chunk *first = s->mem_head;
		s->mem_head = last->next;
		if (!s->mem_head)
			s->mem_tail = NULL;
		s->mem_len -= got;
		last->next = NULL;

		bool ok = false;
		if (s->spool && spool_room(s, got)) {
			struct iovec *iov = calloc((size_t)niov, sizeof(*iov));
			if (iov) {
				int i = 0;
				for (c = first; c; c = c->next, i++) {
					iov[i].iov_base = c->data;
					iov[i].iov_len = c->len;
				}
				ok = seg_write(s, first->first_seq, nrec, iov, niov, got) == 0;
				free(iov);
			}
		}
		while (first) {
			c = first->next;
			if (ok)
				free(first);
			else
				drop_chunk(s, first);
			first = c;
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Read a whole segment file.  Returns a new chunk (caller frees) or NULL. */
static struct chunk *seg_read(const struct sw_syslog *s, uint64_t seq)
{
	char path[PATH_BUF];
	struct chunk *c = NULL;
	struct stat sb;
	size_t off = 0;
	int fd;

	seg_path(s, seq, "seg", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || sb.st_size < 0)
		goto out;
	c = calloc(1, sizeof(*c) + (size_t)sb.st_size);
	if (!c)
		goto out;
	while (off < (size_t)sb.st_size) {
		ssize_t n = read(fd, c->data + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	/* Only whole lines count: a torn tail (disk full, crash) is not a record. */
	while (off > 0 && c->data[off - 1] != '\n')
		off--;
	c->len = off;
	c->first_seq = seq;
	c->nrec = count_lines(c->data, off);
out:
	close(fd);
	return c;
}

/* Load the segments a previous run left in the spool directory. */
static int spool_load(struct sw_syslog *s)
{
	uint64_t *seqs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	char path[PATH_BUF];
	int ret = 0;
	DIR *dir;
	FILE *f;

	dir = opendir(s->dir);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		char *end;
		unsigned long long v;

		if (strlen(d->d_name) != 24 || d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		v = strtoull(d->d_name, &end, 10);
		if (end != d->d_name + 20)
			continue;
		if (!strcmp(end, ".tmp")) { /* an interrupted segment write */
			snprintf(path, sizeof(path), "%s/%s", s->dir, d->d_name);
			unlink(path);
			continue;
		}
		if (strcmp(end, ".seg"))
			continue;
		if (n == cap) {
			uint64_t *p = realloc(seqs, (cap = cap ? cap * 2 : 16) * sizeof(*seqs));
			if (!p) {
				ret = -ENOMEM;
				goto out;
			}
			seqs = p;
		}
		seqs[n++] = v;
	}
	if (n)
		qsort(seqs, n, sizeof(*seqs), cmp_u64);
	for (size_t i = 0; i < n; i++) {
		struct chunk *c = seg_read(s, seqs[i]);
		struct seg *g;

		if (!c) {
			ret = errno ? -errno : -EIO;
			goto out;
		}
		g = calloc(1, sizeof(*g));
		if (!g) {
			free(c);
			ret = -ENOMEM;
			goto out;
		}
		g->first_seq = c->first_seq;
		g->nrec = c->nrec;
		g->bytes = c->len;
		free(c);
		seg_insert(s, g);
		s->st.replayed += g->nrec;
		s->st.pending += g->nrec;
		if (g->first_seq + g->nrec > s->next_seq)
			s->next_seq = g->first_seq + g->nrec;
	}
	/* Sequence numbers continue across runs even when the spool drained. */
	snprintf(path, sizeof(path), "%s/" CURSOR_FILE, s->dir);
	f = fopen(path, "re");
	if (f) {
		uint64_t v;
		if (fscanf(f, "%" SCNu64, &v) == 1 && v > s->next_seq)
			s->next_seq = v;
		fclose(f);
	}
out:
	closedir(dir);
	free(seqs);
	return ret;
}

static void cursor_write(struct sw_syslog *s)
{
	char path[PATH_BUF], tmp[PATH_BUF];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" CURSOR_FILE, s->dir);
	snprintf(tmp, sizeof(tmp), "%s/" CURSOR_FILE ".new", s->dir);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%" PRIu64 "\n", s->next_seq);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* ---- queue ---- */

/* The oldest records not yet taken, or NULL.  Lock held. */
static struct chunk *take(struct sw_syslog *s)
{
	struct seg *g = s->segs;
	struct chunk *c;

	while (g && g->inflight)
		g = g->next;
	if (g) {
		c = seg_read(s, g->first_seq);
		if (c && !c->nrec) { /* nothing whole in it: nothing to send or count */
			seg_remove(s, g, true);
			free(c);
			return take(s);
		}
		if (!c || c->nrec != g->nrec) {
			/* The file vanished or changed under us: count what it held as lost. */
			s->st.dropped_oldest += g->nrec;
			s->st.pending -= g->nrec;
			seg_remove(s, g, true);
			free(c);
			return take(s);
		}
		g->inflight = true;
		c->seg = g;
	} else if (s->mem_head) {
		c = s->mem_head;
		s->mem_head = c->next;
		if (!s->mem_head)
			s->mem_tail = NULL;
		s->mem_len -= c->len;
	} else {
		return NULL;
	}
	c->next = NULL;
	s->inflight_len += c->len;
	return c;
}

int sw_syslog_submit(struct sw_syslog *s, const char *lines, size_t len)
{
	struct chunk *c;

	if (!len)
		return 0;
	if (lines[len - 1] != '\n')
		return -EINVAL;
	c = malloc(sizeof(*c) + len);
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	memcpy(c->data, lines, len);
	c->len = len;
	c->nrec = count_lines(lines, len);

	pthread_mutex_lock(&s->lock);
	c->first_seq = s->next_seq;
	s->next_seq += c->nrec;
	s->st.queued += c->nrec;
	s->st.pending += c->nrec;
	if (s->mem_tail)
		s->mem_tail->next = c;
	else
		s->mem_head = c;
	s->mem_tail = c;
	s->mem_len += len;
	spill(s);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int sw_syslog_forward(void *ctx, const char *lines, size_t len)
{
	return sw_syslog_submit(ctx, lines, len);
}

void sw_syslog_stats(struct sw_syslog *s, struct sw_syslog_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	out->spooled_bytes = s->spool_len;
	out->next_seq = s->next_seq;
	pthread_mutex_unlock(&s->lock);
}

/* ---- sender ---- */

static int tcp_connect(const struct sw_syslog *s)
{
	struct pollfd pfd;
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)s->connect_ms) <= 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err)
			goto fail;
	}
	int one = 1;
	/* A collector that stops ACKing without a reset is declared dead after 30 s. */
	unsigned utmo = 30000;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &utmo, sizeof(utmo));
	return fd;
fail:
	close(fd);
	return -1;
}

/* Linux's TCP states (include/net/tcp_states.h); not exported to user space. */
enum { ST_ESTABLISHED = 1, ST_CLOSE_WAIT = 8 };

/* Bytes the peer's TCP acknowledged on @fd so far (SYN included), or -1. */
static int64_t bytes_acked(int fd)
{
	struct tcp_info ti;
	socklen_t tlen = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0 ||
	    tlen < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(ti.tcpi_bytes_acked))
		return -1;
	return (int64_t)ti.tcpi_bytes_acked;
}

/*
 * Release every record whose frame the peer's TCP has acknowledged.
 *
 * tcpi_bytes_acked (Linux >= 4.1, RFC 4898 ThruOctetsAcked) is snd_una
 * progress: it counts the SYN, which the baseline taken at connect removes,
 * and it survives a reset, so it stays exact after the session died.
 * Older kernels: SIOCOUTQ (write_seq - snd_una), trusted only while the
 * connection is ESTABLISHED or CLOSE_WAIT, because a reset purges the write
 * queue and the count would read zero, i.e. "everything delivered".
 */
static void update_acks(struct sw_syslog *s, int fd)
{
	uint64_t acked;
	bool locked = false;
	int64_t ba;

	if (!s->f_cnt)
		return;
	ba = s->ack_base >= 0 ? bytes_acked(fd) : -1;
	if (ba >= 0 && ba >= s->ack_base) {
		acked = (uint64_t)(ba - s->ack_base);
	} else {
		struct tcp_info ti;
		socklen_t tlen = sizeof(ti);
		int outq = 0;

		if (ioctl(fd, SIOCOUTQ, &outq) < 0 || outq < 0)
			return;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0)
			return;
		if (ti.tcpi_state != ST_ESTABLISHED && ti.tcpi_state != ST_CLOSE_WAIT)
			return;
		acked = s->written - (uint64_t)outq;
	}
	if (acked > s->written)
		acked = s->written;
	while (s->f_cnt && s->fifo[s->f_head].wire_end <= acked) {
		struct ent *e = &s->fifo[s->f_head];
		struct chunk *c = e->c;

		if (!locked) {
			pthread_mutex_lock(&s->lock);
			locked = true;
		}
		c->acked_off = e->rec_end;
		c->acked_rec++;
		s->st.sent++;
		s->st.pending--;
		s->f_head = (s->f_head + 1) % s->f_cap;
		s->f_cnt--;
		if (c->acked_off == c->len) {
			/* Entries are in wire order, so a finished chunk is the head. */
			s->fl_head = c->next;
			if (!s->fl_head)
				s->fl_tail = NULL;
			s->inflight_len -= c->len;
			if (c->seg)
				seg_remove(s, c->seg, true);
			free(c);
		}
	}
	if (locked)
		pthread_mutex_unlock(&s->lock);
}

static int fifo_push(struct sw_syslog *s, struct chunk *c, size_t rec_end, uint64_t wire_end)
{
	if (s->f_cnt == s->f_cap) {
		size_t ncap = s->f_cap ? s->f_cap * 2 : 1024;
		struct ent *n = malloc(ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < s->f_cnt; i++)
			n[i] = s->fifo[(s->f_head + i) % s->f_cap];
		free(s->fifo);
		s->fifo = n;
		s->f_cap = ncap;
		s->f_head = 0;
	}
	s->fifo[(s->f_head + s->f_cnt) % s->f_cap] = (struct ent){ c, rec_end, wire_end };
	s->f_cnt++;
	return 0;
}

static void rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/*
 * Frame records from the in-flight chunks into the send buffer:
 * "LEN SP <PRI>1 TS HOST APP PROCID eve [SD seq="N"] MSG" (RFC 5424 6,
 * RFC 6587 3.4.1).  Returns 0 or -ENOMEM.
 */
static int fill(struct sw_syslog *s)
{
	char ts[40], hdr[512], pfx[24];

	rfc3339_now(ts, sizeof(ts));
	for (struct chunk *c = s->fl_head; c && s->s_len < SENDBUF_FILL; c = c->next) {
		while (c->send_off < c->len && s->s_len < SENDBUF_FILL) {
			const char *line = c->data + c->send_off;
			const char *nl = memchr(line, '\n', c->len - c->send_off);
			size_t mlen = (size_t)(nl - line);
			uint64_t seq = c->first_seq + c->send_rec;
			int hl = snprintf(hdr, sizeof(hdr), "<%u>1 %s %s %s %d eve [" SD_ID " seq=\"%" PRIu64 "\"] ",
					  s->pri, ts, s->host, s->app, s->pid, seq);
			size_t flen = (size_t)hl + mlen;
			int pl = snprintf(pfx, sizeof(pfx), "%zu ", flen);
			size_t need = s->s_len + (size_t)pl + flen;

			if (need > s->s_cap) {
				size_t ncap = need + SENDBUF_FILL;
				char *n = realloc(s->sbuf, ncap);
				if (!n)
					return -ENOMEM;
				s->sbuf = n;
				s->s_cap = ncap;
			}
			memcpy(s->sbuf + s->s_len, pfx, (size_t)pl);
			memcpy(s->sbuf + s->s_len + pl, hdr, (size_t)hl);
			memcpy(s->sbuf + s->s_len + pl + hl, line, mlen);
			if (fifo_push(s, c, c->send_off + mlen + 1, s->framed + (size_t)pl + flen) < 0)
				return -ENOMEM;
			s->s_len += (size_t)pl + flen;
			s->framed += (size_t)pl + flen;
			c->send_off += mlen + 1;
			c->send_rec++;
		}
	}
	return 0;
}

/* Forget the connection: everything not acknowledged is framed again. */
static void reset_conn(struct sw_syslog *s)
{
	for (struct chunk *c = s->fl_head; c; c = c->next) {
		c->send_off = c->acked_off;
		c->send_rec = c->acked_rec;
	}
	s->f_cnt = 0;
	s->f_head = 0;
	s->s_len = s->s_off = 0;
	s->written = s->framed = 0;
}

static bool all_done(const struct sw_syslog *s)
{
	const struct seg *g = s->segs;

	while (g && g->inflight)
		g = g->next;
	return !s->fl_head && !s->mem_head && !g;
}

static void *sender(void *arg)
{
	struct sw_syslog *s = arg;
	int64_t next_try = 0, deadline = 0;
	bool ever = false;
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->stopping) {
			if (!deadline)
				deadline = now_ms() + s->flush_ms;
			if (all_done(s) || now_ms() >= deadline)
				break;
		}
		while (!s->fl_head || s->inflight_len < s->inflight_cap) {
			struct chunk *c = take(s);
			if (!c)
				break;
			if (s->fl_tail)
				s->fl_tail->next = c;
			else
				s->fl_head = c;
			s->fl_tail = c;
		}
		if (!s->fl_head) {
			if (!s->stopping)
				wait_ms(s, 200);
			continue;
		}
		if (fd < 0) {
			int64_t t = now_ms();
			if (t < next_try) {
				int64_t until = deadline && deadline < next_try ? deadline : next_try;
				wait_ms(s, (unsigned)(until > t ? until - t : 1));
				continue;
			}
			pthread_mutex_unlock(&s->lock);
			fd = tcp_connect(s);
			pthread_mutex_lock(&s->lock);
			next_try = now_ms() + s->reconnect_ms;
			if (fd < 0)
				continue;
			if (ever)
				s->st.reconnects++;
			ever = true;
			reset_conn(s);
			s->ack_base = bytes_acked(fd);
		}
		pthread_mutex_unlock(&s->lock);

		bool drop = false;
		if (s->s_off == s->s_len) {
			s->s_off = s->s_len = 0;
			if (fill(s) < 0)
				drop = true; /* ENOMEM: retry on a fresh connection */
		}
		update_acks(s, fd);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (s->s_off < s->s_len)
			pfd.events |= POLLOUT;
		/*
		 * With everything written, only ACKs are awaited, and nothing wakes
		 * poll() for them: look again soon, or the in-flight window (and so
		 * the throughput) is bound by the timeout instead of the RTT.
		 */
		int tmo = (s->s_off == s->s_len && s->f_cnt) ? 5 : 50;
		if (!drop && poll(&pfd, 1, tmo) > 0) {
			if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
				char trash[512];
				ssize_t n = recv(fd, trash, sizeof(trash), MSG_DONTWAIT);
				/* A collector never talks back: EOF or an error ends the session. */
				if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
					update_acks(s, fd);
					drop = true;
				}
			}
			if (!drop && (pfd.revents & POLLOUT)) {
				ssize_t n = send(fd, s->sbuf + s->s_off, s->s_len - s->s_off,
						 MSG_NOSIGNAL | MSG_DONTWAIT);
				if (n > 0) {
					s->s_off += (size_t)n;
					s->written += (uint64_t)n;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					drop = true;
				}
			}
		}
		/* Also after an error: the ACK count survives a reset (see update_acks). */
		update_acks(s, fd);
		pthread_mutex_lock(&s->lock);
		if (drop) {
			close(fd);
			fd = -1;
			reset_conn(s);
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* ---- life cycle ---- */

static void sanitize(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	/* RFC 5424 6.2.4/6.2.5: PRINTUSASCII, no spaces; NILVALUE if empty. */
	for (; src && src[i] && i + 1 < cap; i++)
		dst[i] = (src[i] > 32 && src[i] < 127) ? src[i] : '_';
	if (!i)
		dst[i++] = '-';
	dst[i] = '\0';
}

struct sw_syslog *sw_syslog_new(const struct sw_syslog_config *cfg, char *err, size_t errlen)
{
	struct sw_syslog *s = NULL;
	pthread_condattr_t ca;
	char hn[256];
	int ret = -EINVAL;

	if (!cfg || !cfg->host || !cfg->port || cfg->facility > 23 || cfg->severity > 7) {
		snprintf(err, errlen, "syslog: host, port, facility (0-23) and severity (0-7) required");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&s->addr;
	if (inet_pton(AF_INET, cfg->host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(cfg->port);
		s->addrlen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, cfg->host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(cfg->port);
		s->addrlen = sizeof(*a6);
	} else {
		snprintf(err, errlen, "syslog: host '%s' is not an IP address", cfg->host);
		free(s);
		errno = EINVAL;
		return NULL;
	}
	if (!cfg->hostname && gethostname(hn, sizeof(hn)) < 0)
		hn[0] = '\0';
	hn[sizeof(hn) - 1] = '\0';
	sanitize(s->host, sizeof(s->host), cfg->hostname ? cfg->hostname : hn);
	sanitize(s->app, sizeof(s->app), cfg->app_name ? cfg->app_name : "sidewall");
	s->pri = cfg->facility * 8u + cfg->severity;
	s->pid = (int)getpid();
	s->mem_cap = cfg->mem_bytes ? cfg->mem_bytes : 4u << 20;
	s->inflight_cap = s->mem_cap / 2 < (1u << 20) ? s->mem_cap / 2 : (1u << 20);
	s->spool_cap = cfg->spool_bytes ? cfg->spool_bytes : 64ull << 20;
	s->reconnect_ms = cfg->reconnect_ms ? cfg->reconnect_ms : 1000;
	s->connect_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 2000;
	s->flush_ms = cfg->flush_timeout_ms ? cfg->flush_timeout_ms : 2000;
	s->next_seq = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);

	if (cfg->spool_dir) {
		if (strlen(cfg->spool_dir) >= sizeof(s->dir)) {
			snprintf(err, errlen, "syslog: spool directory path too long");
			goto out;
		}
		strcpy(s->dir, cfg->spool_dir);
		s->spool = true;
		ret = spool_load(s);
		if (ret < 0) {
			snprintf(err, errlen, "syslog: spool '%s': %s", s->dir, strerror(-ret));
			goto out;
		}
	}
	ret = -pthread_create(&s->thread, NULL, sender, s);
	if (ret < 0) {
		snprintf(err, errlen, "syslog: thread: %s", strerror(-ret));
		goto out;
	}
	s->started = true;
	pthread_setname_np(s->thread, "sw-syslog");
	return s;
out:
	sw_syslog_free(s);
	errno = -ret;
	return NULL;
}

void sw_syslog_free(struct sw_syslog *s)
{
	struct chunk *c, *n;

	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	/*
	 * In-flight records are the oldest: write their undelivered tail first
	 * (named by its own first seq, so it sorts before the other segments).
	 * This may exceed the spool bound by at most the in-flight window; the
	 * alternative would be dropping the oldest records at a clean stop.
	 */
	for (c = s->fl_head; c; c = n) {
		n = c->next;
		if (s->spool && c->acked_off < c->len) {
			if (c->seg && !c->acked_rec) {
				c->seg->inflight = false; /* the file on disk is exactly this */
				free(c);
				continue;
			}
			struct iovec iov = { c->data + c->acked_off, c->len - c->acked_off };
			if (seg_write(s, c->first_seq + c->acked_rec, c->nrec - c->acked_rec, &iov, 1,
				      c->len - c->acked_off) < 0)
				s->st.dropped_oldest += c->nrec - c->acked_rec;
		} else {
			s->st.dropped_oldest += c->nrec - c->acked_rec;
		}
		if (c->seg)
			seg_remove(s, c->seg, true);
		free(c);
	}
	s->fl_head = s->fl_tail = NULL;
	if (s->spool) {
		size_t cap = s->mem_cap;
		s->mem_cap = 0; /* spill everything */
		spill(s);
		s->mem_cap = cap;
		cursor_write(s);
	}
	for (c = s->mem_head; c; c = n) {
		n = c->next;
		free(c); /* only without a spool: lost with the process */
	}
	while (s->segs) {
		struct seg *g = s->segs;
		s->segs = g->next;
		free(g);
	}
	free(s->fifo);
	free(s->sbuf);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
