/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sensor-side enforcement against a fake enforcer on 127.0.0.1 run by a
 * thread of this test: it speaks the real protocol (nft/proto.h, server
 * side), records every block request in order and answers 0, or EPERM for
 * one address.  It can be taken down (connection refused) and brought back
 * on the same port, so spooling, replay and in-order delivery are checked
 * with real sockets.  Waits are bounded polls on counters, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/output/enforce.h"
#include "engine/output/eve.h"
#include "nft/client.h"
#include "nft/proto.h"

#define MAXREQ 1024
#define REFUSED_ADDR "10.0.0.66"
#define LIMITED_ADDR "10.1.4.44" /* answered "rate limited" the first time it is seen */

struct fake {
	uint16_t port;
	pthread_t th;
	bool running;
	_Atomic bool quit;
	uint8_t priv[SW_PROTO_KEY_LEN], pub[SW_PROTO_KEY_LEN];
	struct sw_proto_peer peer;
	pthread_mutex_t mu;
	char got[MAXREQ][SW_IP_STRLEN];
	uint32_t ttl[MAXREQ];
	char reason[MAXREQ][SW_PROTO_REASON_MAX + 1];
	size_t n;
	size_t queued_max;   /* most request bytes waiting behind one just read: > 0 = pipelined */
	bool limited_once;
};

static struct fake F;
static uint8_t sensor_priv[SW_PROTO_KEY_LEN], sensor_pub[SW_PROTO_KEY_LEN];
static char dir[64];

static bool read_full(int fd, void *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, (char *)b + got, n - got, 0);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* One connection: frames until the peer closes or we quit. */
static void serve(int cfd)
{
	static uint8_t frame[SW_PROTO_MAX_REQ], out[SW_PROTO_MAX_RESP];
	static struct sw_proto_resp resp;

	while (!F.quit) {
		struct pollfd pf = { .fd = cfd, .events = POLLIN };
		struct sw_proto_req req;
		uint32_t len;
		int n;

		if (poll(&pf, 1, 50) <= 0)
			continue;
		if (!read_full(cfd, &len, 4))
			return;
		len = ntohl(len);
		if (len > sizeof(frame) || !read_full(cfd, frame, len))
			return;
		if (sw_proto_open_req(&F.peer, frame, len, &req) || req.op != SW_OP_BLOCK)
			return;
		memset(&resp, 0, sizeof(resp));
		resp.counter = req.counter;
		resp.ttl = req.ttl;
		pthread_mutex_lock(&F.mu);
		{
			int q = 0;

			if (ioctl(cfd, FIONREAD, &q) == 0 && (size_t)q > F.queued_max)
				F.queued_max = (size_t)q;
		}
		sw_ip_format(&req.ip, F.got[F.n < MAXREQ ? F.n : 0], sizeof(F.got[0]));
		if (!F.limited_once && !strcmp(F.got[F.n < MAXREQ ? F.n : 0], LIMITED_ADDR)) {
			/* not recorded: a rate-limited request was not applied */
			F.limited_once = true;
			resp.status = EAGAIN;
			resp.text_len = (uint16_t)snprintf(resp.text, sizeof(resp.text), "rate limited");
		} else if (F.n < MAXREQ) {
			sw_ip_format(&req.ip, F.got[F.n], sizeof(F.got[0]));
			F.ttl[F.n] = req.ttl;
			snprintf(F.reason[F.n], sizeof(F.reason[0]), "%s", req.reason);
			if (!strcmp(F.got[F.n], REFUSED_ADDR)) {
				resp.status = EPERM;
				resp.text_len = (uint16_t)snprintf(resp.text, sizeof(resp.text), "never-block");
			}
			F.n++;
		}
		pthread_mutex_unlock(&F.mu);
		n = sw_proto_seal_resp(&F.peer, F.pub, &resp, out, sizeof(out));
		assert_true(n > 0);
		len = htonl((uint32_t)n);
		if (send(cfd, &len, 4, MSG_NOSIGNAL) != 4 || send(cfd, out, (size_t)n, MSG_NOSIGNAL) != n)
			return;
	}
}

static void *fake_main(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	while (!F.quit) {
		struct pollfd pf = { .fd = lfd, .events = POLLIN };
		int cfd;

		if (poll(&pf, 1, 50) <= 0)
			continue;
		cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		serve(cfd);
		close(cfd);
	}
	close(lfd);
	return NULL;
}

static void fake_up(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(F.port) };
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	F.port = ntohs(a.sin_port);
	F.quit = false;
	assert_int_equal(pthread_create(&F.th, NULL, fake_main, (void *)(intptr_t)fd), 0);
	F.running = true;
}

static void fake_down(void)
{
	if (!F.running)
		return;
	F.quit = true;
	pthread_join(F.th, NULL);
	F.running = false;
}

static size_t fake_n(void)
{
	size_t n;

	pthread_mutex_lock(&F.mu);
	n = F.n;
	pthread_mutex_unlock(&F.mu);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Bounded wait for a counter condition (10 s), so a broken build fails instead of hanging. */
#define WAIT_FOR(e, cond)                                                      \
	do {                                                                   \
		struct sw_enforce_stats s_;                                    \
		int i_;                                                        \
		for (i_ = 0; i_ < 1000; i_++) {                                \
			sw_enforce_stats((e), &s_);                            \
			if (cond)                                              \
				break;                                         \
			sleep_ms(10);                                          \
		}                                                              \
		sw_enforce_stats((e), &s_);                                    \
		if (!(cond))                                                   \
			fail_msg("timed out waiting for %s", #cond);           \
	} while (0)

static int setup(void **state)
{
	char path[128], b64[SW_PROTO_KEY_B64_LEN];
	FILE *f;

	(void)state;
	assert_int_equal(sw_proto_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/sw_test_enforce.XXXXXX");
	assert_non_null(mkdtemp(dir));
	sw_proto_genkey(sensor_priv);
	sw_proto_pubkey(sensor_priv, sensor_pub);
	sw_proto_genkey(F.priv);
	sw_proto_pubkey(F.priv, F.pub);
	assert_int_equal(sw_proto_peer_init(&F.peer, F.priv, sensor_pub), 0);
	pthread_mutex_init(&F.mu, NULL);
	snprintf(path, sizeof(path), "%s/sensor.key", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	sw_proto_key_to_b64(sensor_priv, b64);
	fprintf(f, "%s\n", b64);
	fclose(f);
	/* Reserve a port: bring the fake up once and down again. */
	fake_up();
	fake_down();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	fake_down();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* A fresh spool and fake history for each test. */
static int per_test(void **state)
{
	char cmd[160];

	(void)state;
	fake_down();
	F.n = 0;
	F.queued_max = 0;
	F.limited_once = false;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/spool' '%s/eve.json'", dir, dir);
	return system(cmd) ? -1 : 0;
}

/* @dead_port: a second enforcer on a port nobody listens on (0 = none). */
static struct sw_config *config2(const char *extra, uint16_t dead_port)
{
	char text[2048], second[256] = "", b64[SW_PROTO_KEY_B64_LEN];
	struct sw_config *c = NULL;
	struct sw_config_error err;
	int rc;

	sw_proto_key_to_b64(F.pub, b64);
	if (dead_port)
		snprintf(second, sizeof(second), "    - {host: 127.0.0.1, port: %u, public-key: \"%s\"}\n",
			 dead_port, b64);
	snprintf(text, sizeof(text),
		 "enforcement:\n"
		 "  private-key-file: %s/sensor.key\n"
		 "  enforcers:\n"
		 "    - {host: 127.0.0.1, port: %u, public-key: \"%s\"}\n"
		 "%s"
		 "  spool-dir: %s/spool\n"
		 "  ttl: 120\n"
		 "%s",
		 dir, F.port, b64, second, dir, extra ? extra : "");
	rc = sw_config_load_string(text, "enforce.yaml", &c, &err);
	if (rc)
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.column, err.message);
	return c;
}

static struct sw_config *config(const char *extra)
{
	return config2(extra, 0);
}

static struct sw_enforce *start(const struct sw_config *c, struct sw_eve *eve)
{
	char err[256] = "";
	struct sw_enforce *e = sw_enforce_new(c, eve, err, sizeof(err));

	if (!e)
		fail_msg("sw_enforce_new: %s", err);
	return e;
}

static void alert(struct sw_enforce *e, const char *src, uint32_t sid)
{
	struct sw_packet p;
	struct sw_rule r;

	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	assert_int_equal(sw_ip_parse(src, &p.src), 0);
	assert_int_equal(sw_ip_parse("192.0.2.1", &p.dst), 0);
	r.action = SW_ACTION_DROP;
	r.sid = sid;
	r.msg = "TEST attack\n";
	r.priority = 3;
	sw_enforce_alert(e, &p, &r);
}

static void assert_got(const char *const *want, size_t n)
{
	pthread_mutex_lock(&F.mu);
	if (F.n != n) {
		pthread_mutex_unlock(&F.mu);
		fail_msg("fake got %zu requests, want %zu", F.n, n);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(F.got[i], want[i])) {
			pthread_mutex_unlock(&F.mu);
			fail_msg("request %zu is %s, want %s", i, F.got[i], want[i]);
		}
	pthread_mutex_unlock(&F.mu);
}

static void test_triggers(void **state)
{
	static const struct {
		enum sw_action action;
		uint32_t sid, prio;
		const char *classtype;
		bool want;
	} t[] = {
		{ SW_ACTION_ALERT, 5, 3, NULL, false },
		{ SW_ACTION_DROP, 5, 3, NULL, true },          /* action */
		{ SW_ACTION_REJECT, 5, 3, NULL, false },
		{ SW_ACTION_ALERT, 2001219, 3, NULL, true },   /* sid */
		{ SW_ACTION_ALERT, 2001220, 3, NULL, false },
		{ SW_ACTION_ALERT, 5, 3, "trojan-activity", true }, /* classtype */
		{ SW_ACTION_ALERT, 5, 3, "misc-activity", false },
		{ SW_ACTION_ALERT, 5, 1, "misc-activity", true },   /* priority <= 1 */
		{ SW_ACTION_ALERT, 5, 2, NULL, false },
	};
	struct sw_config *c = config("  triggers:\n    actions: [drop]\n    sids: [7, 2001219]\n"
				     "    classtypes: [trojan-activity]\n    max-priority: 1\n");
	struct sw_enforce *e = start(c, NULL);
	struct sw_enforce_stats s;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_rule r;
		char ct[32];

		memset(&r, 0, sizeof(r));
		snprintf(ct, sizeof(ct), "%s", t[i].classtype ? t[i].classtype : "");
		r.action = t[i].action;
		r.sid = t[i].sid;
		r.priority = t[i].prio;
		r.classtype = t[i].classtype ? ct : NULL;
		if (sw_enforce_triggers(e, &r) != t[i].want)
			fail_msg("case %zu: trigger %d, want %d", i, !t[i].want, t[i].want);
	}
	/* Nothing triggered (only queried), so nothing was counted. */
	sw_enforce_stats(e, &s);
	assert_int_equal(s.triggered, 0);
	sw_enforce_free(e);
	sw_config_free(c);
}

static void test_block_both(void **state)
{
	static const char *const want[] = { "10.0.0.1", "192.0.2.1" };
	struct sw_config *c = config("  block: both\n");
	struct sw_enforce *e;

	(void)state;
	fake_up();
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	WAIT_FOR(e, s_.applied == 2);
	assert_got(want, 2);
	assert_int_equal(F.ttl[0], 120);
	assert_string_equal(F.reason[0], "sid:1 TEST attack?"); /* control characters replaced */
	sw_enforce_free(e);
	sw_config_free(c);
}

static void test_order_refusal_and_eve(void **state)
{
	static const char *const want[] = { "10.0.0.1", REFUSED_ADDR, "2001:db8::7" };
	struct sw_config *c = config(NULL);
	char path[128], line[1024];
	struct sw_eve *eve;
	struct sw_enforce *e;
	int applied = 0, refused = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/eve.json", dir);
	eve = sw_eve_open(path, SW_EVE_ALERT);
	assert_non_null(eve);
	fake_up();
	e = start(c, eve);
	alert(e, "10.0.0.1", 11);
	alert(e, REFUSED_ADDR, 12);
	alert(e, "2001:db8::7", 13);
	WAIT_FOR(e, s_.applied == 2 && s_.refused == 1 && s_.pending == 0);
	assert_got(want, 3);
	sw_enforce_free(e);
	sw_eve_close(eve);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_non_null(strstr(line, "\"event_type\":\"enforcement\""));
		assert_non_null(strstr(line, "\"request\":\"block\""));
		if (strstr(line, "\"result\":\"applied\"")) {
			applied++;
			assert_null(strstr(line, "\"error\""));
			assert_non_null(strstr(line, "\"ttl\":120"));
		} else if (strstr(line, "\"result\":\"refused\"")) {
			refused++;
			assert_non_null(strstr(line, "\"address\":\"" REFUSED_ADDR "\""));
			assert_non_null(strstr(line, "\"error\":\"Operation not permitted: never-block\""));
			assert_non_null(strstr(line, "\"sid\":12"));
		}
		assert_non_null(strstr(line, "\"enforcer\":\"127.0.0.1:"));
	}
	fclose(f);
	assert_int_equal(applied, 2);
	assert_int_equal(refused, 1);
	sw_config_free(c);
}

/*
 * A backlog delivered pipelined: in order, each request decided once, the
 * requests sent without waiting for answers; a refusal in the middle fails
 * alone; a rate-limit answer stops the batch, and the rest are sent again
 * later without being reported twice.
 */
static void test_backlog_pipelined(void **state)
{
	enum { N = 600, REFUSED_AT = 300, LIMITED_AT = 444 };
	/* the end of the batch holding LIMITED_AT, and what the fake sees: its tail twice */
	const size_t b_end = (LIMITED_AT / SW_ENFORCE_BATCH_MAX + 1) * SW_ENFORCE_BATCH_MAX < N
				     ? (LIMITED_AT / SW_ENFORCE_BATCH_MAX + 1) * SW_ENFORCE_BATCH_MAX
				     : N;
	static char want_s[N][SW_IP_STRLEN];
	static const char *want[N], *seen[2 * N];
	size_t nseen = 0;
	struct sw_config *c = config(NULL);
	char path[128], line[1024];
	struct sw_eve *eve;
	struct sw_enforce *e;
	size_t events = 0, limited_events = 0, i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/eve.json", dir);
	eve = sw_eve_open(path, SW_EVE_ALERT);
	assert_non_null(eve);
	for (i = 0; i < N; i++) {
		if (i == REFUSED_AT)
			snprintf(want_s[i], sizeof(want_s[i]), "%s", REFUSED_ADDR);
		else
			snprintf(want_s[i], sizeof(want_s[i]), "10.1.%zu.%zu", i / 100, i % 100);
		want[i] = want_s[i];
	}
	assert_string_equal(want[LIMITED_AT], LIMITED_ADDR);
	for (i = 0; i < LIMITED_AT; i++)
		seen[nseen++] = want[i];
	for (i = LIMITED_AT + 1; i < b_end; i++) /* answered after the limit: sent again later */
		seen[nseen++] = want[i];
	for (i = LIMITED_AT; i < N; i++)
		seen[nseen++] = want[i];
	e = start(c, eve); /* the enforcer is down: everything is spooled */
	for (i = 0; i < N; i++)
		alert(e, want[i], (uint32_t)(1000 + i));
	WAIT_FOR(e, s_.spooled == N);
	fake_up();
	WAIT_FOR(e, s_.applied == N - 1 && s_.refused == 1 && s_.pending == 0);
	assert_got(seen, nseen);
	assert_true(F.limited_once);
	/* more than one request's bytes were waiting: the sensor did not wait for each answer */
	assert_true(F.queued_max > 2 * SW_PROTO_MAX_REQ / 4);
	sw_enforce_free(e);
	sw_eve_close(eve);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "\"event_type\":\"enforcement\""))
			continue;
		events++;
		if (strstr(line, "\"address\":\"" LIMITED_ADDR "\""))
			limited_events++;
	}
	fclose(f);
	assert_int_equal(events, N);       /* one event per request, none for the rate-limited try */
	assert_int_equal(limited_events, 1);
	sw_config_free(c);
}

static void test_dedup(void **state)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2" };
	struct sw_config *c = config("  dedup: 3600\n");
	struct sw_enforce *e;

	(void)state;
	fake_up();
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	alert(e, "10.0.0.1", 2); /* within the window: not requested again */
	alert(e, "10.0.0.1", 3);
	WAIT_FOR(e, s_.triggered == 4 && s_.deduped == 2 && s_.pending == 0);
	WAIT_FOR(e, s_.spooled == 2 && s_.applied == 2);
	assert_got(want, 2);
	sw_enforce_free(e);
	sw_config_free(c);
}

/* Down: spooled, survives restarts, applied exactly once and in order when the enforcer returns. */
static void test_spool_replay(void **state)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" };
	struct sw_config *c = config(NULL);
	struct sw_enforce *e;
	struct sw_enforce_stats s;

	(void)state;
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	alert(e, "10.0.0.3", 1);
	WAIT_FOR(e, s_.spooled == 3 && s_.transport_errors >= 1);
	sw_enforce_free(e);
	assert_int_equal(fake_n(), 0);

	/* Restart while the enforcer is still down: nothing lost, nothing added. */
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 3);
	assert_int_equal(s.pending, 3);
	alert(e, "10.0.0.4", 1);
	WAIT_FOR(e, s_.spooled == 1 && s_.pending == 4);
	sw_enforce_free(e);

	/* Enforcer back; a restarted sensor delivers everything once, in order. */
	fake_up();
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 4);
	WAIT_FOR(e, s_.applied == 4 && s_.pending == 0);
	sw_enforce_free(e);
	assert_got(want, 4);

	/* And a further restart sends nothing again. */
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 0);
	assert_int_equal(s.pending, 0);
	sw_enforce_free(e);
	assert_got(want, 4);
	sw_config_free(c);
}

/* The enforcer comes back while the sensor runs: the retry delivers in order. */
static void test_retry_while_running(void **state)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2" };
	struct sw_config *c = config(NULL);
	struct sw_enforce *e;

	(void)state;
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	WAIT_FOR(e, s_.spooled == 2 && s_.transport_errors >= 1);
	fake_up();
	WAIT_FOR(e, s_.applied == 2 && s_.pending == 0);
	assert_got(want, 2);
	sw_enforce_free(e);
	sw_config_free(c);
}

/* Spool of 3 records: 5 undelivered requests drop the 2 oldest, counted; the rest replay in order. */
static void test_bounded_drop(void **state)
{
	static const char *const want[] = { "10.0.0.3", "10.0.0.4", "10.0.0.5" };
	struct sw_config *c = config(NULL);
	struct sw_enforce *e;
	struct sw_enforce_stats s;
	char a[32];

	(void)state;
	c->enforce.spool_max = 3 * SW_ENFORCE_REC_SIZE; /* below the config minimum, for the test */
	e = start(c, NULL);
	for (int i = 1; i <= 5; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i);
		alert(e, a, 1);
	}
	WAIT_FOR(e, s_.spooled == 5);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.spool_dropped, 2);
	assert_int_equal(s.pending, 3);
	sw_enforce_free(e);

	fake_up();
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 3);
	WAIT_FOR(e, s_.applied == 3 && s_.pending == 0);
	sw_enforce_free(e);
	assert_got(want, 3);
	sw_config_free(c);
}

/* A torn last record (crash mid-write) is cut; the whole ones before it still replay. */
static void test_torn_spool(void **state)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2" };
	struct sw_config *c = config(NULL);
	struct sw_enforce *e;
	struct sw_enforce_stats s;
	char path[128];
	FILE *f;

	(void)state;
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	WAIT_FOR(e, s_.spooled == 2);
	sw_enforce_free(e);
	snprintf(path, sizeof(path), "%s/spool/requests", dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fwrite("SWEQtorn", 1, 8, f);
	fclose(f);
	fake_up();
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 2);
	WAIT_FOR(e, s_.applied == 2 && s_.pending == 0);
	sw_enforce_free(e);
	assert_got(want, 2);
	sw_config_free(c);
}

/* Two enforcers, one never answering: each has its own line and its own "delivered up to". */
static void test_two_enforcers(void **state)
{
	static const char *const want[] = { "10.0.0.1", "10.0.0.2" };
	struct sw_config *c;
	struct sw_enforce *e;
	struct sw_enforce_stats s;
	uint16_t dead;
	int fd;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	(void)state;
	/* A port that refuses: bound, then closed. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	dead = ntohs(a.sin_port);
	close(fd);
	c = config2(NULL, dead);
	fake_up();
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	WAIT_FOR(e, s_.applied == 2 && s_.transport_errors >= 1);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.pending, 2); /* still owed to the dead one */
	sw_enforce_free(e);
	assert_got(want, 2);

	/* Restart: replayed for the dead enforcer only; the live one gets nothing twice. */
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 2);
	WAIT_FOR(e, s_.transport_errors >= 1);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.applied, 0);
	assert_int_equal(s.pending, 2);
	sw_enforce_free(e);
	assert_got(want, 2);
	sw_config_free(c);
}

/* The requests file is lost while requests were pending: counted as dropped, never waited for. */
static void test_lost_requests_file(void **state)
{
	static const char *const want[] = { "10.0.0.3" };
	struct sw_config *c = config(NULL);
	struct sw_enforce *e;
	struct sw_enforce_stats s;
	char path[128];

	(void)state;
	e = start(c, NULL);
	alert(e, "10.0.0.1", 1);
	alert(e, "10.0.0.2", 1);
	WAIT_FOR(e, s_.spooled == 2);
	sw_enforce_free(e);
	snprintf(path, sizeof(path), "%s/spool/requests", dir);
	assert_int_equal(unlink(path), 0);
	fake_up();
	e = start(c, NULL);
	sw_enforce_stats(e, &s);
	assert_int_equal(s.replayed, 0);
	assert_int_equal(s.pending, 0);
	alert(e, "10.0.0.3", 1);
	WAIT_FOR(e, s_.applied == 1 && s_.pending == 0);
	sw_enforce_free(e);
	assert_got(want, 1);
	sw_config_free(c);
}

/* Whatever is in the spool directory, start succeeds, nothing bogus is sent, and new requests flow. */
static void test_garbage_spool(void **state)
{
	static const char *const delivered[] = {
		"", "garbage\n", "127.0.0.1:1 5\n", "127.0.0.1:%u 18446744073709551615\n",
		"127.0.0.1:%u 18446744073709551614\n", "127.0.0.1:%u -1\n", "127.0.0.1:%u 3 extra\n127.0.0.1:%u\n",
	};
	struct sw_config *c = config(NULL);
	char path[128], line[256];
	uint8_t junk[1000];

	(void)state;
	fake_up();
	for (size_t i = 0; i < sizeof(delivered) / sizeof(delivered[0]); i++) {
		struct sw_enforce *e;
		struct sw_enforce_stats s;
		size_t before;
		FILE *f;

		per_test(NULL);
		fake_up();
		snprintf(path, sizeof(path), "%s/spool", dir);
		assert_int_equal(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/spool/delivered", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		snprintf(line, sizeof(line), delivered[i], F.port, F.port);
		fputs(line, f);
		fclose(f);
		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] = (uint8_t)(k * 131 + i * 7);
		memcpy(junk, "QEWS", 4); /* the magic, but no valid checksum */
		snprintf(path, sizeof(path), "%s/spool/requests", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(junk, 1, sizeof(junk), f);
		fclose(f);
		e = start(c, NULL);
		sw_enforce_stats(e, &s);
		assert_int_equal(s.replayed, 0);
		assert_int_equal(s.pending, 0);
		before = fake_n();
		alert(e, "10.0.0.9", 1);
		WAIT_FOR(e, s_.applied == 1 && s_.pending == 0);
		sw_enforce_free(e);
		assert_int_equal(fake_n(), before + 1);
	}
	sw_config_free(c);
}

static void test_bad_setup(void **state)
{
	struct sw_config *c = config(NULL);
	struct sw_enforce *e, *e2;
	static char nokey[] = "/nonexistent/sensor.key", nodir[] = "/nonexistent/a/b";
	char err[256], *old;

	(void)state;
	/* A second sensor on the same spool directory is refused. */
	e = start(c, NULL);
	e2 = sw_enforce_new(c, NULL, err, sizeof(err));
	assert_null(e2);
	assert_int_equal(errno, EBUSY);
	assert_non_null(strstr(err, "in use"));
	sw_enforce_free(e);

	old = c->enforce.key_file;
	c->enforce.key_file = nokey;
	assert_null(sw_enforce_new(c, NULL, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "private-key-file"));
	c->enforce.key_file = old;

	old = c->enforce.spool_dir;
	c->enforce.spool_dir = nodir;
	assert_null(sw_enforce_new(c, NULL, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "spool-dir"));
	c->enforce.spool_dir = old;
	sw_config_free(c);

	sw_enforce_alert(NULL, NULL, NULL); /* accepted: enforcement off */
	sw_enforce_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_triggers, per_test),
		cmocka_unit_test_setup(test_block_both, per_test),
		cmocka_unit_test_setup(test_order_refusal_and_eve, per_test),
		cmocka_unit_test_setup(test_backlog_pipelined, per_test),
		cmocka_unit_test_setup(test_dedup, per_test),
		cmocka_unit_test_setup(test_spool_replay, per_test),
		cmocka_unit_test_setup(test_retry_while_running, per_test),
		cmocka_unit_test_setup(test_bounded_drop, per_test),
		cmocka_unit_test_setup(test_torn_spool, per_test),
		cmocka_unit_test_setup(test_two_enforcers, per_test),
		cmocka_unit_test_setup(test_lost_requests_file, per_test),
		cmocka_unit_test_setup(test_garbage_spool, per_test),
		cmocka_unit_test_setup(test_bad_setup, per_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
