/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inline_load: a bounded UDP load generator for bench/inline_bench.sh.
 *
 *   inline_load echo  -p PORT -d SECONDS
 *       echo every datagram back to its sender until SECONDS pass.
 *   inline_load ping  -t IP:PORT -n COUNT -d SECONDS [-s SIZE]
 *       one datagram at a time, wait for its echo: round-trip p50/p99.
 *   inline_load flood -t IP:PORT -d SECONDS [-s SIZE] [-w WINDOW] [-b SRC,SRC,...]
 *       closed loop: WINDOW datagrams outstanding per source address, a new
 *       one sent for every echo.  Never more than WINDOW in flight, so a
 *       queue in the path is never overrun (an NFQUEUE with FAIL_OPEN would
 *       otherwise wave overflow traffic through uninspected and flatter the
 *       figure).  Reports echoes per second; each echo is two forwarded
 *       packets.
 *
 * Every mode stops by itself within SECONDS (plus one receive timeout).
 * Output is one line of key=value pairs for scripts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 16
#define MAX_PKT 1472
#define LOSS_TIMEOUT_NS 200000000LL

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int parse_target(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

static int udp_socket(const char *src, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (src && inet_pton(AF_INET, src, &sa.sin_addr) != 1) {
		close(fd);
		return -1;
	}
	if ((src || port) && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int do_echo(uint16_t port, double seconds)
{
	char buf[MAX_PKT];
	int64_t end = now_ns() + (int64_t)(seconds * 1e9);
	uint64_t n = 0;
	int fd = udp_socket(NULL, port);

	if (fd < 0) {
		perror("echo: socket");
		return 1;
	}
	while (now_ns() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		while ((r = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) >= 0) {
			sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
			n++;
			fl = sizeof(from);
		}
	}
	printf("mode=echo echoed=%" PRIu64 "\n", n);
	close(fd);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int do_ping(const struct sockaddr_in *to, long count, double seconds, size_t size)
{
	char buf[MAX_PKT] = { 0 };
	int64_t *rtt = calloc((size_t)count, sizeof(*rtt));
	int64_t end = now_ns() + (int64_t)(seconds * 1e9), sum = 0;
	long sent = 0, got = 0, lost = 0;
	int fd = udp_socket(NULL, 0);

	if (fd < 0 || !rtt || connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		perror("ping");
		return 1;
	}
	while (sent < count && now_ns() < end) {
		uint64_t seq = (uint64_t)sent;
		int64_t t0 = now_ns();
		struct pollfd p = { .fd = fd, .events = POLLIN };

		memcpy(buf, &seq, sizeof(seq));
		if (send(fd, buf, size, 0) < 0) {
			lost++;
			sent++;
			continue;
		}
		sent++;
		for (;;) {
			int64_t left = t0 + LOSS_TIMEOUT_NS - now_ns();
			uint64_t rseq;
			ssize_t r;

			if (left <= 0 || poll(&p, 1, (int)(left / 1000000) + 1) <= 0) {
				lost++;
				break;
			}
			r = recv(fd, buf, sizeof(buf), 0);
			if (r < (ssize_t)sizeof(rseq))
				continue;
			memcpy(&rseq, buf, sizeof(rseq));
			if (rseq != seq)
				continue; /* a late echo of a packet already counted lost */
			rtt[got] = now_ns() - t0;
			sum += rtt[got++];
			break;
		}
	}
	qsort(rtt, (size_t)got, sizeof(*rtt), cmp_i64);
	printf("mode=ping sent=%ld received=%ld lost=%ld avg_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f\n", sent, got,
	       lost, got ? (double)sum / (double)got / 1000.0 : 0.0, got ? (double)rtt[got / 2] / 1000.0 : 0.0,
	       got ? (double)rtt[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] / 1000.0 : 0.0,
	       got ? (double)rtt[got - 1] / 1000.0 : 0.0);
	free(rtt);
	close(fd);
	return got ? 0 : 1;
}

static int do_flood(const struct sockaddr_in *to, double seconds, size_t size, int window, char *srcs)
{
	char buf[MAX_PKT] = { 0 };
	struct pollfd p[MAX_SRC];
	int64_t last_rx[MAX_SRC];
	int n = 0, i;
	uint64_t sent = 0, got = 0, refills = 0;
	int64_t start, end;

	for (char *s = srcs ? strtok(srcs, ",") : NULL; s && n < MAX_SRC; s = strtok(NULL, ","))
		p[n++].fd = udp_socket(s, 0);
	if (!n)
		p[n++].fd = udp_socket(NULL, 0);
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0 || connect(p[i].fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
			perror("flood: socket");
			return 1;
		}
		p[i].events = POLLIN;
	}
	start = now_ns();
	end = start + (int64_t)(seconds * 1e9);
	for (i = 0; i < n; i++) {
		for (int k = 0; k < window; k++)
			sent += send(p[i].fd, buf, size, 0) > 0;
		last_rx[i] = start;
	}
	while (now_ns() < end) {
		if (poll(p, (nfds_t)n, 50) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			ssize_t r;

			while ((r = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				got++;
				last_rx[i] = now_ns();
				sent += send(p[i].fd, buf, size, 0) > 0;
			}
			/* A window lost entirely (drops, fail-open overruns): start it again. */
			if (now_ns() - last_rx[i] > LOSS_TIMEOUT_NS) {
				for (int k = 0; k < window; k++)
					sent += send(p[i].fd, buf, size, 0) > 0;
				last_rx[i] = now_ns();
				refills++;
			}
		}
	}
	{
		double secs = (double)(now_ns() - start) / 1e9;
		printf("mode=flood sources=%d window=%d size=%zu seconds=%.2f sent=%" PRIu64 " echoes=%" PRIu64
		       " echoes_per_s=%.0f forwarded_pps=%.0f refills=%" PRIu64 "\n",
		       n, window, size, secs, sent, got, (double)got / secs, 2.0 * (double)got / secs, refills);
	}
	for (i = 0; i < n; i++)
		close(p[i].fd);
	return got ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to;
	const char *mode = argc > 1 ? argv[1] : "";
	char *target = NULL, *srcs = NULL;
	double seconds = 5;
	long count = 1000;
	size_t size = 64;
	int window = 16, port = 0, c;

	optind = 2;
	while ((c = getopt(argc, argv, "t:p:d:n:s:w:b:")) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'n': count = atol(optarg); break;
		case 's': size = (size_t)atol(optarg); break;
		case 'w': window = atoi(optarg); break;
		case 'b': srcs = optarg; break;
		default: goto usage;
		}
	}
	/* Bounded by construction: the bench must stop by itself. */
	if (seconds <= 0 || seconds > 60 || size < 8 || size > MAX_PKT || window < 1 || window > 1024 || count < 1 ||
	    count > 10000000)
		goto usage;
	if (!strcmp(mode, "echo") && port > 0)
		return do_echo((uint16_t)port, seconds);
	if (target && parse_target(target, &to) == 0) {
		if (!strcmp(mode, "ping"))
			return do_ping(&to, count, seconds, size);
		if (!strcmp(mode, "flood"))
			return do_flood(&to, seconds, size, window, srcs);
	}
usage:
	fprintf(stderr, "usage: inline_load echo -p PORT -d SECONDS\n"
			"       inline_load ping -t IP:PORT -n COUNT -d SECONDS [-s SIZE]\n"
			"       inline_load flood -t IP:PORT -d SECONDS [-s SIZE] [-w WINDOW] [-b SRC,...]\n"
			"       (SECONDS <= 60, 8 <= SIZE <= %d, WINDOW <= 1024)\n",
		MAX_PKT);
	return 2;
}
