/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EVE forwarders: the bytes forwarded are exactly the bytes in the file,
 * and through sw_syslog_forward() the collector receives each file line as
 * the MSG of one frame, in file order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/output/eve.h"
#include "engine/output/syslog.h"

struct sink {
	char buf[1 << 16];
	size_t len;
	unsigned calls;
};

static int to_buf(void *ctx, const char *lines, size_t len)
{
	struct sink *k = ctx;

	assert_true(len > 0 && lines[len - 1] == '\n');
	assert_true(k->len + len <= sizeof(k->buf));
	memcpy(k->buf + k->len, lines, len);
	k->len += len;
	k->calls++;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *b = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(b);
	*len = fread(b, 1, (1 << 16) - 1, f);
	fclose(f);
	return b;
}

static void write_records(struct sw_eve *e, int n)
{
	struct sw_eve_writer *w1 = sw_eve_writer_new(e), *w2 = sw_eve_writer_new(e);

	assert_non_null(w1);
	assert_non_null(w2);
	for (int i = 0; i < n; i++) {
		struct sw_eve_writer *w = i % 3 ? w1 : w2;
		struct sw_json *j = sw_eve_begin(w, "test", 1700000000000000LL + i);
		sw_json_u64(j, "n", (uint64_t)i);
		sw_json_str(j, "s", "quote \" and newline \n inside");
		sw_eve_end(w);
		if (i % 7 == 0)
			assert_int_equal(sw_eve_writer_flush(w), 0);
	}
	sw_eve_writer_free(w1);
	sw_eve_writer_free(w2);
}

static void test_forwarded_bytes_equal_file(void **state)
{
	char path[] = "/tmp/sw_test_fwd_XXXXXX";
	static struct sink k;
	size_t flen;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	struct sw_eve *e = sw_eve_open(path, ~0u);
	assert_non_null(e);
	assert_int_equal(sw_eve_add_forwarder(NULL, to_buf, &k), -EINVAL);
	assert_int_equal(sw_eve_add_forwarder(e, NULL, &k), -EINVAL);
	assert_int_equal(sw_eve_add_forwarder(e, to_buf, &k), 0);
	write_records(e, 100);
	sw_eve_close(e);
	char *file = read_file(path, &flen);
	assert_true(flen > 0);
	assert_int_equal(k.len, flen);
	assert_memory_equal(k.buf, file, flen);
	assert_true(k.calls > 1);
	free(file);
	unlink(path);
}

struct coll {
	int lfd;
	char buf[1 << 17];
	size_t len;
};

static void *coll_main(void *arg)
{
	struct coll *c = arg;
	int fd = accept(c->lfd, NULL, NULL);
	ssize_t n;

	while (fd >= 0 && (n = read(fd, c->buf + c->len, sizeof(c->buf) - c->len)) > 0)
		c->len += (size_t)n;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* EVE -> sw_syslog_forward -> TCP: each frame's MSG is one file line, in order. */
static void test_eve_to_collector(void **state)
{
	char path[] = "/tmp/sw_test_fwd_XXXXXX", err[256];
	static struct coll c;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	pthread_t th;
	size_t flen;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(c.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(c.lfd, (struct sockaddr *)&a, &al), 0);
	assert_int_equal(listen(c.lfd, 1), 0);
	assert_int_equal(pthread_create(&th, NULL, coll_main, &c), 0);

	struct sw_syslog_config cfg = { .host = "127.0.0.1", .port = ntohs(a.sin_port), .hostname = "h",
					.facility = 16, .severity = 6, .flush_timeout_ms = 5000 };
	struct sw_syslog *s = sw_syslog_new(&cfg, err, sizeof(err));
	assert_non_null(s);
	struct sw_eve *e = sw_eve_open(path, ~0u);
	assert_non_null(e);
	assert_int_equal(sw_eve_add_forwarder(e, sw_syslog_forward, s), 0);
	write_records(e, 200);
	sw_eve_close(e);
	sw_syslog_free(s); /* delivers within flush_timeout_ms and closes: the collector sees EOF */
	pthread_join(th, NULL);
	close(c.lfd);

	char *file = read_file(path, &flen);
	size_t off = 0, foff = 0, frames = 0;
	while (off < c.len) {
		char *sp;
		size_t len = strtoul(c.buf + off, &sp, 10);
		assert_true(*sp == ' ');
		const char *f = sp + 1, *end = f + len;
		assert_true((size_t)(end - c.buf) <= c.len);
		const char *msg = strstr(f, "\"] ") + 3; /* after [sidewall@32473 seq="N"] */
		const char *nl = memchr(file + foff, '\n', flen - foff);
		assert_non_null(nl);
		assert_int_equal((size_t)(end - msg), (size_t)(nl - (file + foff)));
		assert_memory_equal(msg, file + foff, (size_t)(end - msg));
		foff = (size_t)(nl - file) + 1;
		off = (size_t)(end - c.buf);
		frames++;
	}
	assert_int_equal(frames, 200);
	assert_int_equal(foff, flen);
	free(file);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarded_bytes_equal_file),
		cmocka_unit_test(test_eve_to_collector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
