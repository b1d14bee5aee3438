// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client's interleaved pipeline (nft/client.c) against a fake enforcer
 * on the other end of a socketpair, run by a thread of this test: it speaks
 * the real protocol (server side) and answers each request as it reads it,
 * or what one read brought at once (the real enforcer's rounds), slowly,
 * out of order, not at all, or hangs up midway.  A unix socketpair's
 * buffers are fixed and small (~200 KiB), so a batch of thousands of
 * requests only completes if the client reads answers while it writes:
 * a client that wrote everything first would block on a full socket while
 * the fake blocks writing answers nobody reads.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "nft/client.h"
#include "nft/proto.h"

enum mode {
	M_EACH,   /* answer each request as soon as it is read */
	M_ROUNDS, /* answer what one read brought, together */
	M_SWAP,   /* answers `at` and `at + 1` change places */
	M_CLOSE,  /* hang up after `at` answers */
	M_STALL,  /* read everything, answer only the first `at` */
	M_EXTRA,  /* one answer too many after the last one, in the same write */
	M_HANGUP, /* hang up right after `at` answers, before more requests come */
};

struct fake {
	int fd;
	enum mode mode;
	size_t at;
	unsigned slow_us;        /* pause after every 64 requests */
	size_t got;              /* requests read (valid ones) */
	size_t answered;         /* answers written */
	size_t rounds;           /* writes of answers */
	size_t bad;              /* frames that did not open: must stay 0 */
	pthread_t th;
	uint8_t in[64 * 1024];
	size_t have;
	uint8_t out[256 * 1024]; /* answers of one round */
	size_t olen;
	uint8_t held[4 + SW_PROTO_MAX_RESP]; /* M_SWAP: answer `at`, sent after `at + 1` */
	size_t held_len;
};

static uint8_t spriv[SW_PROTO_KEY_LEN], spub[SW_PROTO_KEY_LEN];
static uint8_t epriv[SW_PROTO_KEY_LEN], epub[SW_PROTO_KEY_LEN];
static struct sw_proto_peer e2s;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(sw_proto_init(), 0);
	sw_proto_genkey(spriv);
	sw_proto_genkey(epriv);
	assert_int_equal(sw_proto_pubkey(spriv, spub), 0);
	assert_int_equal(sw_proto_pubkey(epriv, epub), 0);
	assert_int_equal(sw_proto_peer_init(&e2s, epriv, spub), 0);
	return 0;
}

static bool send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static bool flush_out(struct fake *f)
{
	bool ok = send_all(f->fd, f->out, f->olen);

	if (f->olen)
		f->rounds++;
	f->olen = 0;
	return ok;
}

/* Seal the answer to @req into out (or into held).  False: stop serving. */
static bool answer(struct fake *f, const struct sw_proto_req *req)
{
	struct sw_proto_resp resp;
	uint8_t *dst;
	int n;

	if (f->mode == M_STALL && f->answered >= f->at)
		return true;
	if (f->mode == M_CLOSE && f->answered == f->at) {
		flush_out(f); /* the answers so far, then hang up */
		return false;
	}
	memset(&resp, 0, sizeof(resp));
	resp.counter = req->counter;
	resp.ttl = req->ttl;
	resp.text_len = (uint16_t)snprintf(resp.text, sizeof(resp.text), "ok %zu", f->answered);
	if (f->olen + 4 + SW_PROTO_MAX_RESP > sizeof(f->out) && !flush_out(f))
		return false;
	dst = f->mode == M_SWAP && f->answered == f->at ? f->held : f->out + f->olen;
	n = sw_proto_seal_resp(&e2s, epub, &resp, dst + 4, SW_PROTO_MAX_RESP);
	if (n < 0)
		return false;
	sw_store_be32(dst, (uint32_t)n);
	if (dst == f->held)
		f->held_len = 4 + (size_t)n;
	else
		f->olen += 4 + (size_t)n;
	if (f->mode == M_SWAP && f->answered == f->at + 1) {
		memcpy(f->out + f->olen, f->held, f->held_len);
		f->olen += f->held_len;
	}
	f->answered++;
	if (f->mode == M_HANGUP && f->answered == f->at) {
		flush_out(f);
		return false;
	}
	if (f->mode == M_EXTRA && f->answered == f->at) {
		/* the last answer once more, in the same write */
		memcpy(f->out + f->olen, dst, 4 + (size_t)n);
		f->olen += 4 + (size_t)n;
	}
	return f->mode != M_EACH || flush_out(f);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	for (;;) {
		ssize_t r = recv(f->fd, f->in + f->have, sizeof(f->in) - f->have, 0);
		size_t off = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		f->have += (size_t)r;
		while (f->have - off >= 4) {
			uint32_t len = sw_load_be32(f->in + off);
			struct sw_proto_req req;

			if (len > SW_PROTO_MAX_REQ) {
				f->bad++;
				goto out;
			}
			if (f->have - off - 4 < len)
				break;
			if (sw_proto_open_req(&e2s, f->in + off + 4, len, &req)) {
				f->bad++;
				goto out;
			}
			off += 4 + len;
			f->got++;
			if (!answer(f, &req))
				goto out;
			if (f->slow_us && !(f->got % 64))
				usleep(f->slow_us);
		}
		memmove(f->in, f->in + off, f->have - off);
		f->have -= off;
		if (!flush_out(f))
			break;
	}
out:
	close(f->fd);
	return NULL;
}

/* A fake on one end of a new socketpair, a client on the other. */
static struct sw_enf_client *start(struct fake *f, enum mode mode, size_t at, int timeout_ms)
{
	struct sw_enf_client *c;
	int sv[2];

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->at = at;
	/* nothing listens on the discard port here: a reconnect is refused at once */
	c = sw_enf_client_new("127.0.0.1", 9, spriv, epub);
	assert_non_null(c);
	sw_enf_client_set_timeout(c, timeout_ms);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(sw_enf_client_attach(c, sv[0]), 0);
	f->fd = sv[1];
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
	return c;
}

/* The client goes first: closing its end ends the fake's loop. */
static void stop(struct fake *f, struct sw_enf_client *c)
{
	sw_enf_client_free(c);
	pthread_join(f->th, NULL);
	assert_int_equal(f->bad, 0);
}

static struct sw_proto_req *make_reqs(size_t n)
{
	struct sw_proto_req *r = calloc(n, sizeof(*r));

	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].op = SW_OP_BLOCK;
		r[i].ttl = 600;
		r[i].ip.family = AF_INET;
		r[i].ip.a[0] = 10;
		r[i].ip.a[1] = (uint8_t)(i >> 16);
		r[i].ip.a[2] = (uint8_t)(i >> 8);
		r[i].ip.a[3] = (uint8_t)i;
		r[i].prefix = 32;
		snprintf(r[i].reason, sizeof(r[i].reason), "sid:%zu pipeline test", i);
	}
	return r;
}

/* Answers as the callback sees them: in order, each matching its request. */
struct seen {
	const struct sw_proto_req *reqs;
	size_t base, calls, wrong;
};

static void on_answer(void *arg, size_t i, const struct sw_proto_resp *resp)
{
	struct seen *s = arg;

	if (i != s->calls || resp->counter != s->reqs[i].counter || resp->status ||
	    resp->ttl != s->reqs[i].ttl)
		s->wrong++;
	s->calls++;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * 20,000 requests (2.4 MB each way, ten times the socket buffers) to a
 * fake that answers each one as it reads it, pausing now and then: all
 * answered, in order, each carrying its request's counter.
 */
static void test_deep_slow_each(void **state)
{
	enum { N = 20000 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int err = -1, ret;

	(void)state;
	c = start(f, M_EACH, 0, 20000);
	f->slow_us = 300;
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	assert_int_equal(ret, N);
	assert_int_equal(err, 0);
	assert_int_equal(s.calls, N);
	assert_int_equal(s.wrong, 0);
	for (size_t i = 1; i < N; i++)
		assert_true(reqs[i].counter > reqs[i - 1].counter);
	stop(f, c);
	assert_int_equal(f->got, N);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * The deepest batch to a fake that answers in rounds (what one read
 * brought, as the enforcer does): answers to early rounds come back while
 * later requests are still being written.  Twice on one connection.
 */
static void test_deepest_rounds(void **state)
{
	struct sw_proto_req *reqs = make_reqs(SW_ENF_PIPELINE_MAX);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int err = -1, ret;

	(void)state;
	c = start(f, M_ROUNDS, 0, 20000);
	ret = sw_enf_client_pipeline(c, reqs, SW_ENF_PIPELINE_MAX, resp, on_answer, &s, &err);
	assert_int_equal(ret, SW_ENF_PIPELINE_MAX);
	assert_int_equal(err, 0);
	assert_int_equal(s.calls, SW_ENF_PIPELINE_MAX);
	assert_int_equal(s.wrong, 0);
	s.calls = 0;
	ret = sw_enf_client_pipeline(c, reqs, 1000, resp, on_answer, &s, &err);
	assert_int_equal(ret, 1000);
	assert_int_equal(s.wrong, 0);
	stop(f, c);
	assert_int_equal(f->got, SW_ENF_PIPELINE_MAX + 1000);
	/* many rounds: the fake never saw the whole batch before answering */
	assert_true(f->rounds > 10);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * Answers 100 and 101 swapped: the first 100 are taken, then the stream is
 * out of step (-EBADMSG) and dropped; nothing is attributed to the wrong
 * request.  The next call connects anew (refused here: no enforcer).
 */
static void test_out_of_order(void **state)
{
	enum { N = 1000, AT = 100 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int err = 0, ret;

	(void)state;
	c = start(f, M_SWAP, AT, 5000);
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	assert_int_equal(ret, AT);
	assert_int_equal(err, -EBADMSG);
	assert_int_equal(s.calls, AT);
	assert_int_equal(s.wrong, 0);
	ret = sw_enf_client_pipeline(c, reqs + AT, N - AT, resp, on_answer, &s, &err);
	assert_int_equal(ret, -ECONNREFUSED);
	assert_int_equal(s.calls, AT);
	stop(f, c);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * The enforcer hangs up after 3,000 of 5,000 answers: 3,000 are decided,
 * the error says the transport failed; the rest go again on a new
 * connection with new (higher) counters.
 */
static void test_close_midway(void **state)
{
	enum { N = 5000, AT = 3000 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	uint64_t last;
	int err = 0, ret, sv[2];

	(void)state;
	c = start(f, M_CLOSE, AT, 5000);
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	assert_int_equal(ret, AT);
	assert_true(err == -ECONNRESET || err == -EPIPE);
	assert_int_equal(s.calls, AT);
	assert_int_equal(s.wrong, 0);
	pthread_join(f->th, NULL);
	assert_int_equal(f->bad, 0);
	last = reqs[AT - 1].counter;
	/* a new enforcer connection for the rest */
	memset(f, 0, sizeof(*f));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(sw_enf_client_attach(c, sv[0]), 0);
	f->fd = sv[1];
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
	s = (struct seen){ .reqs = reqs + AT };
	ret = sw_enf_client_pipeline(c, reqs + AT, N - AT, resp, on_answer, &s, &err);
	assert_int_equal(ret, N - AT);
	assert_int_equal(err, 0);
	assert_int_equal(s.wrong, 0);
	assert_true(reqs[AT].counter > last);
	stop(f, c);
	assert_int_equal(f->got, N - AT);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * The enforcer reads everything but answers only 1,000: the call ends at
 * the client timeout (one deadline for the exchange) with those 1,000
 * decided and -ETIMEDOUT.
 */
static void test_stall_times_out(void **state)
{
	enum { N = 5000, AT = 1000, TIMEOUT = 300 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int64_t t0, dt;
	int err = 0, ret;

	(void)state;
	c = start(f, M_STALL, AT, TIMEOUT);
	t0 = now_ms();
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	dt = now_ms() - t0;
	assert_int_equal(ret, AT);
	assert_int_equal(err, -ETIMEDOUT);
	assert_int_equal(s.calls, AT);
	assert_int_equal(s.wrong, 0);
	assert_true(dt >= TIMEOUT - 5 && dt < 5 * TIMEOUT);
	stop(f, c);
	assert_int_equal(f->got, N);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * A request that cannot be encoded deep in a batch: the ones before it
 * are sent and answered, nothing from it on is sent, -EINVAL names it by
 * the count.  As the first request: nothing is sent at all.
 */
static void test_bad_request_cuts(void **state)
{
	enum { N = 3000, BAD = 2500 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int err = 0, ret;

	(void)state;
	c = start(f, M_ROUNDS, 0, 5000);
	reqs[BAD].prefix = 33;
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	assert_int_equal(ret, BAD);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(s.calls, BAD);
	assert_int_equal(s.wrong, 0);
	s = (struct seen){ .reqs = reqs + BAD };
	ret = sw_enf_client_pipeline(c, reqs + BAD, N - BAD, resp, on_answer, &s, &err);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(s.calls, 0);
	/* the connection is still in step */
	s = (struct seen){ .reqs = reqs + BAD + 1 };
	ret = sw_enf_client_pipeline(c, reqs + BAD + 1, N - BAD - 1, resp, on_answer, &s, &err);
	assert_int_equal(ret, N - BAD - 1);
	assert_int_equal(err, 0);
	assert_int_equal(s.wrong, 0);
	assert_int_equal(sw_enf_client_pipeline(c, reqs, SW_ENF_PIPELINE_MAX + 1, resp, on_answer, &s,
						&err),
			 -E2BIG);
	stop(f, c);
	assert_int_equal(f->got, N - 1);
	free(f);
	free(resp);
	free(reqs);
}

/*
 * Bytes after the last answer (an answer to nothing): the batch is
 * complete, but the stream is out of step, so the connection is dropped
 * and the next call connects anew.
 */
static void test_extra_answer_drops_connection(void **state)
{
	enum { N = 50 };
	struct sw_proto_req *reqs = make_reqs(N);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sw_enf_client *c;
	struct fake *f = malloc(sizeof(*f));
	int err = -1, ret;

	(void)state;
	c = start(f, M_EXTRA, N, 5000);
	ret = sw_enf_client_pipeline(c, reqs, N, resp, on_answer, &s, &err);
	assert_int_equal(ret, N);
	assert_int_equal(err, 0);
	assert_int_equal(s.wrong, 0);
	ret = sw_enf_client_pipeline(c, reqs, 1, resp, on_answer, &s, &err);
	assert_int_equal(ret, -ECONNREFUSED);
	stop(f, c);
	free(f);
	free(resp);
	free(reqs);
}

/* Two connections in turn on a loopback listener, each served as fake_main() does. */
struct tcp_fake {
	int lfd;
	uint16_t port;
	size_t accepted;
	pthread_t th;
	struct fake f[2];
};

static void *tcp_main(void *arg)
{
	struct tcp_fake *t = arg;

	for (int i = 0; i < 2; i++) {
		struct pollfd pf = { t->lfd, POLLIN, 0 };
		int fd;

		if (poll(&pf, 1, 10000) <= 0)
			break;
		fd = accept(t->lfd, NULL, NULL);
		if (fd < 0)
			break;
		t->accepted++;
		t->f[i].fd = fd;
		fake_main(&t->f[i]);
	}
	return NULL;
}

/*
 * A kept-alive connection the enforcer closed after answering a batch
 * (as it closes idle ones): the next batch finds it dead with nothing
 * answered and is sent once more on a new connection, with new counters.
 */
static void test_dead_keepalive_retried(void **state)
{
	enum { N1 = 100, N2 = 3000 };
	struct sw_proto_req *reqs = make_reqs(N1 + N2);
	struct seen s = { .reqs = reqs };
	struct sw_proto_resp *resp = malloc(sizeof(*resp));
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct tcp_fake *t = calloc(1, sizeof(*t));
	struct sw_enf_client *c;
	int err = -1, ret;

	(void)state;
	assert_non_null(t);
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(t->lfd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(t->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(t->lfd, 4), 0);
	getsockname(t->lfd, (struct sockaddr *)&a, &al);
	t->port = ntohs(a.sin_port);
	t->f[0].mode = M_HANGUP;
	t->f[0].at = N1;
	t->f[1].mode = M_ROUNDS;
	assert_int_equal(pthread_create(&t->th, NULL, tcp_main, t), 0);
	c = sw_enf_client_new("127.0.0.1", t->port, spriv, epub);
	assert_non_null(c);
	sw_enf_client_set_timeout(c, 5000);
	ret = sw_enf_client_pipeline(c, reqs, N1, resp, on_answer, &s, &err);
	assert_int_equal(ret, N1);
	assert_int_equal(err, 0);
	/*
	 * The fake hung up right after flushing those answers: whether the next
	 * batch meets the closed socket or is written before the close lands
	 * (then the fake's close, with it unread, resets the connection),
	 * nothing of it is answered there.
	 */
	s = (struct seen){ .reqs = reqs + N1 };
	ret = sw_enf_client_pipeline(c, reqs + N1, N2, resp, on_answer, &s, &err);
	assert_int_equal(ret, N2);
	assert_int_equal(err, 0);
	assert_int_equal(s.calls, N2);
	assert_int_equal(s.wrong, 0);
	sw_enf_client_free(c);
	pthread_join(t->th, NULL);
	close(t->lfd);
	assert_int_equal(t->accepted, 2);
	assert_int_equal(t->f[0].bad + t->f[1].bad, 0);
	assert_int_equal(t->f[1].got, N2);
	free(t);
	free(resp);
	free(reqs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_slow_each),
		cmocka_unit_test(test_deepest_rounds),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_close_midway),
		cmocka_unit_test(test_stall_times_out),
		cmocka_unit_test(test_bad_request_cuts),
		cmocka_unit_test(test_extra_answer_drops_connection),
		cmocka_unit_test(test_dead_keepalive_retried),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
