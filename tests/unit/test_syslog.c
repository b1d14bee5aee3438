/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Syslog streaming against a real TCP collector on 127.0.0.1 run by a
 * thread of this test: it parses RFC 6587 octet-counted frames strictly and
 * records the seq and the record number of every message, so each test can
 * check order, completeness, duplicates and exact framing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/output/syslog.h"

#define MAXREC 20000

struct coll {
	int lfd, cfd;
	uint16_t port;
	pthread_t th;
	pthread_mutex_t mu;
	bool up, quit;
	bool is_up; /* thread's view */
	/* Received, under mu. */
	uint64_t seq[MAXREC];
	long num[MAXREC];
	size_t n;
	unsigned bad_frames, conns;
	char rb[1 << 18];
	size_t rl;
};

static int bound_socket(uint16_t port, uint16_t *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	if (out)
		*out = ntohs(a.sin_port);
	return fd;
}

/* One frame: "<134>1 TS testhost sidewall PID eve [sidewall@32473 seq="N"] {"n":K}". */
static void frame(struct coll *c, const char *f, size_t len)
{
	char buf[512], ts[64], host[64], app[64], msgid[16];
	unsigned long long seq;
	long k;
	int pid, used = 0;

	if (len >= sizeof(buf)) {
		c->bad_frames++;
		return;
	}
	memcpy(buf, f, len);
	buf[len] = '\0';
	if (sscanf(buf, "<134>1 %63s %63s %63s %d %15s [sidewall@32473 seq=\"%llu\"] {\"n\":%ld}%n", ts, host, app,
		   &pid, msgid, &seq, &k, &used) != 7 ||
	    (size_t)used != len || strcmp(host, "testhost") || strcmp(app, "sidewall") || strcmp(msgid, "eve") ||
	    strlen(ts) != 27 || ts[26] != 'Z' || pid != (int)getpid()) {
		c->bad_frames++;
		return;
	}
	pthread_mutex_lock(&c->mu);
	if (c->n < MAXREC) {
		c->seq[c->n] = seq;
		c->num[c->n] = k;
		c->n++;
	}
	pthread_mutex_unlock(&c->mu);
}

static void parse(struct coll *c)
{
	size_t off = 0;

	for (;;) {
		size_t i = off, len = 0;
		while (i < c->rl && c->rb[i] >= '0' && c->rb[i] <= '9' && i - off < 8)
			len = len * 10 + (size_t)(c->rb[i++] - '0');
		if (i >= c->rl)
			break;
		if (c->rb[i] != ' ' || i == off) {
			c->bad_frames++;
			c->rl = 0;
			return;
		}
		if (c->rl - i - 1 < len)
			break;
		frame(c, c->rb + i + 1, len);
		off = i + 1 + len;
	}
	memmove(c->rb, c->rb + off, c->rl - off);
	c->rl -= off;
}

static void *coll_main(void *arg)
{
	struct coll *c = arg;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		bool up = c->up, quit = c->quit;
		pthread_mutex_unlock(&c->mu);
		if (quit)
			break;
		if (up != c->is_up) {
			if (up) {
				assert_int_equal(listen(c->lfd, 8), 0);
			} else {
				/* Down: refuse connections; close the session after reading what is queued. */
				if (c->cfd >= 0) {
					close(c->cfd);
					c->cfd = -1;
					c->rl = 0;
				}
				close(c->lfd);
				c->lfd = bound_socket(c->port, NULL);
			}
			c->is_up = up;
		}
		struct pollfd p[2] = { { .fd = c->is_up ? c->lfd : -1, .events = POLLIN }, { .fd = c->cfd, .events = POLLIN } };
		if (poll(p, 2, 20) <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			int fd = accept(c->lfd, NULL, NULL);
			if (fd >= 0) {
				if (c->cfd >= 0)
					close(c->cfd);
				c->cfd = fd;
				c->rl = 0;
				c->conns++;
			}
		}
		if (c->cfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(c->cfd, c->rb + c->rl, sizeof(c->rb) - c->rl);
			if (n <= 0) {
				close(c->cfd);
				c->cfd = -1;
				c->rl = 0;
			} else {
				c->rl += (size_t)n;
				parse(c);
			}
		}
	}
	if (c->cfd >= 0)
		close(c->cfd);
	close(c->lfd);
	return NULL;
}

static struct coll *coll_start(bool up)
{
	struct coll *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->cfd = -1;
	c->lfd = bound_socket(0, &c->port);
	c->up = up;
	pthread_mutex_init(&c->mu, NULL);
	assert_int_equal(pthread_create(&c->th, NULL, coll_main, c), 0);
	return c;
}

static void coll_set(struct coll *c, bool up)
{
	pthread_mutex_lock(&c->mu);
	c->up = up;
	pthread_mutex_unlock(&c->mu);
}

static void coll_stop(struct coll *c)
{
	pthread_mutex_lock(&c->mu);
	c->quit = true;
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static size_t coll_count(struct coll *c)
{
	pthread_mutex_lock(&c->mu);
	size_t n = c->n;
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* Wait (bounded, 20 s, so a bug fails instead of hanging) until @n records arrived. */
static void wait_count(struct coll *c, size_t n)
{
	for (int i = 0; i < 2000 && coll_count(c) < n; i++)
		usleep(10000);
}

static void wait_sent(struct sw_syslog *s, uint64_t n)
{
	struct sw_syslog_stats st;

	for (int i = 0; i < 2000; i++) {
		sw_syslog_stats(s, &st);
		if (st.sent >= n)
			return;
		usleep(10000);
	}
}

static char spool[] = "/tmp/sw_syslog_test_XXXXXX";

static void spool_clean(void)
{
	DIR *d = opendir(spool);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", spool, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static struct sw_syslog *sender(struct coll *c, size_t mem, const char *dir, uint64_t spool_bytes)
{
	struct sw_syslog_config cfg = {
		.host = "127.0.0.1",
		.port = c->port,
		.hostname = "testhost",
		.facility = 16,
		.severity = 6,
		.mem_bytes = mem,
		.spool_dir = dir,
		.spool_bytes = spool_bytes,
		.reconnect_ms = 50,
		.connect_timeout_ms = 500,
		.flush_timeout_ms = 300,
	};
	char err[256] = "";
	struct sw_syslog *s = sw_syslog_new(&cfg, err, sizeof(err));

	if (!s)
		fail_msg("sw_syslog_new: %s", err);
	return s;
}

/* Submit records first..last as batches of 1, 2, 3, ... lines. */
static void submit_range(struct sw_syslog *s, long first, long last)
{
	char buf[8192];
	size_t len = 0;
	long batch = 1, in = 0;

	for (long k = first; k <= last; k++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "{\"n\":%ld}\n", k);
		if (++in == batch || k == last) {
			assert_int_equal(sw_syslog_submit(s, buf, len), 0);
			len = 0;
			in = 0;
			batch = batch % 17 + 1;
		}
	}
}

/* Records strictly in order, no duplicates, numbers equal to seq + @off. */
static void check_order(struct coll *c, uint64_t first_seq, size_t n, long off)
{
	pthread_mutex_lock(&c->mu);
	assert_int_equal(c->bad_frames, 0);
	assert_int_equal(c->n, n);
	for (size_t i = 0; i < c->n; i++) {
		assert_int_equal(c->seq[i], first_seq + i);
		assert_int_equal(c->num[i], (long)(first_seq + i) + off);
	}
	pthread_mutex_unlock(&c->mu);
}

static void test_config_rejects(void **state)
{
	static const struct {
		const char *host;
		uint16_t port;
		uint8_t fac, sev;
	} bad[] = {
		{ NULL, 514, 16, 6 }, { "example.com", 514, 16, 6 }, { "127.0.0.1", 0, 16, 6 },
		{ "127.0.0.1", 514, 24, 6 }, { "127.0.0.1", 514, 16, 8 }, { "::1::", 514, 16, 6 },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sw_syslog_config cfg = { .host = bad[i].host, .port = bad[i].port,
						.facility = bad[i].fac, .severity = bad[i].sev };
		err[0] = '\0';
		errno = 0;
		assert_null(sw_syslog_new(&cfg, err, sizeof(err)));
		assert_int_equal(errno, EINVAL);
		assert_true(err[0] != '\0');
	}
	struct sw_syslog_config ok = { .host = "::1", .port = 9, .facility = 23, .severity = 7 };
	struct sw_syslog *s = sw_syslog_new(&ok, err, sizeof(err));
	assert_non_null(s);
	sw_syslog_free(s);
}

static void test_submit_rejects_partial_line(void **state)
{
	struct coll *c = coll_start(true);
	struct sw_syslog *s = sender(c, 0, NULL, 0);
	struct sw_syslog_stats st;

	(void)state;
	assert_int_equal(sw_syslog_submit(s, "{\"n\":1}\n{\"n\":2}", 15), -EINVAL);
	assert_int_equal(sw_syslog_submit(s, "", 0), 0);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.queued, 0);
	sw_syslog_free(s);
	coll_stop(c);
}

/* Everything arrives, in order, framed exactly (the collector rejects any deviation). */
static void test_in_order(void **state)
{
	struct coll *c = coll_start(true);
	struct sw_syslog *s = sender(c, 0, NULL, 0);
	struct sw_syslog_stats st;

	(void)state;
	submit_range(s, 1, 5000);
	wait_count(c, 5000);
	wait_sent(s, 5000);
	check_order(c, 1, 5000, 0);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.queued, 5000);
	assert_int_equal(st.sent, 5000);
	assert_int_equal(st.dropped_oldest, 0);
	assert_int_equal(st.pending, 0);
	sw_syslog_free(s);
	coll_stop(c);
}

/* Collector down at start, then up: the memory queue is delivered in order. */
static void test_down_then_up(void **state)
{
	struct coll *c = coll_start(false);
	struct sw_syslog *s = sender(c, 0, NULL, 0);
	struct sw_syslog_stats st;

	(void)state;
	submit_range(s, 1, 1000);
	usleep(200000); /* a few refused connection attempts */
	assert_int_equal(coll_count(c), 0);
	coll_set(c, true);
	wait_count(c, 1000);
	check_order(c, 1, 1000, 0);
	wait_sent(s, 1000);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.sent, 1000);
	assert_int_equal(st.dropped_oldest, 0);
	sw_syslog_free(s);
	coll_stop(c);
}

/* Memory full: records spill to spool segments and are still delivered in order. */
static void test_spill(void **state)
{
	struct coll *c = coll_start(false);
	struct sw_syslog *s;
	struct sw_syslog_stats st;

	(void)state;
	spool_clean();
	s = sender(c, 2048, spool, 0);
	submit_range(s, 1, 3000); /* ~35 KB against a 2 KiB queue */
	sw_syslog_stats(s, &st);
	assert_true(st.spool_writes > 0);
	assert_true(st.spooled_bytes > 0);
	assert_int_equal(st.dropped_oldest, 0);
	coll_set(c, true);
	wait_count(c, 3000);
	check_order(c, 1, 3000, 0);
	wait_sent(s, 3000);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.sent, 3000);
	assert_int_equal(st.spooled_bytes, 0); /* delivered segments are removed */
	sw_syslog_free(s);
	coll_stop(c);
}

/*
 * Spool full: the oldest records go, are counted, and what is left arrives
 * in order and ends with the newest record.
 */
static void test_spool_full_drops_oldest(void **state)
{
	struct coll *c = coll_start(false);
	struct sw_syslog *s;
	struct sw_syslog_stats st;

	(void)state;
	spool_clean();
	s = sender(c, 1024, spool, 8192);
	submit_range(s, 1, 3000);
	sw_syslog_stats(s, &st);
	assert_true(st.dropped_oldest > 0);
	assert_true(st.spooled_bytes <= 8192);
	assert_int_equal(st.queued, 3000);
	assert_int_equal(st.pending + st.dropped_oldest, 3000);
	uint64_t dropped = st.dropped_oldest;
	coll_set(c, true);
	wait_count(c, 3000 - dropped);
	wait_sent(s, 3000 - dropped);
	pthread_mutex_lock(&c->mu);
	assert_int_equal(c->bad_frames, 0);
	assert_int_equal(c->n, 3000 - dropped);
	for (size_t i = 1; i < c->n; i++)
		assert_true(c->seq[i] > c->seq[i - 1]);
	assert_int_equal(c->seq[c->n - 1], 3000);
	/* Only the oldest went: the newest records form one unbroken run. */
	assert_true(c->seq[c->n - 1] - c->seq[0] + 1 >= c->n);
	size_t run = 1;
	while (run < c->n && c->seq[c->n - 1 - run] == 3000 - run)
		run++;
	assert_true(run * 2 >= c->n); /* everything but an in-flight prefix is the tail */
	pthread_mutex_unlock(&c->mu);
	sw_syslog_free(s);
	coll_stop(c);
}

/* A sender stopped while the collector is down leaves a spool; the next one replays it. */
static void test_restart_replays_spool(void **state)
{
	struct coll *c = coll_start(false);
	struct sw_syslog *s;
	struct sw_syslog_stats st;

	(void)state;
	spool_clean();
	s = sender(c, 0, spool, 0);
	submit_range(s, 1, 700);
	sw_syslog_free(s); /* nobody listening: everything goes to the spool */

	s = sender(c, 0, spool, 0);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.replayed, 700);
	assert_int_equal(st.next_seq, 701);
	submit_range(s, 701, 900);
	coll_set(c, true);
	wait_count(c, 900);
	check_order(c, 1, 900, 0);
	wait_sent(s, 900);
	sw_syslog_free(s);

	/* A clean stop after delivering everything leaves no segments, only the next seq. */
	s = sender(c, 0, spool, 0);
	sw_syslog_stats(s, &st);
	assert_int_equal(st.replayed, 0);
	assert_int_equal(st.next_seq, 901);
	sw_syslog_free(s);
	coll_stop(c);
}

/* The collector goes away between batches and comes back: no loss, no duplicate. */
static void test_collector_restart(void **state)
{
	struct coll *c = coll_start(true);
	struct sw_syslog *s = sender(c, 0, NULL, 0);
	struct sw_syslog_stats st;

	(void)state;
	submit_range(s, 1, 1000);
	wait_count(c, 1000);
	wait_sent(s, 1000);
	coll_set(c, false);
	usleep(100000);
	submit_range(s, 1001, 2000); /* written into a dead session or held back */
	usleep(200000);
	coll_set(c, true);
	submit_range(s, 2001, 3000);
	wait_count(c, 3000);
	wait_sent(s, 3000);
	check_order(c, 1, 3000, 0);
	sw_syslog_stats(s, &st);
	assert_true(st.reconnects >= 1);
	assert_int_equal(st.sent, 3000);
	sw_syslog_free(s);
	coll_stop(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_rejects),
		cmocka_unit_test(test_submit_rejects_partial_line),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_down_then_up),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_spool_full_drops_oldest),
		cmocka_unit_test(test_restart_replays_spool),
		cmocka_unit_test(test_collector_restart),
	};
	int ret;

	if (!mkdtemp(spool))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	spool_clean();
	rmdir(spool);
	return ret;
}
