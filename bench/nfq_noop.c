/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfq_noop: an NFQUEUE consumer that accepts every packet and does nothing
 * else.  It goes through capture/nfq.c exactly as sidewall does (bind, copy
 * whole packets, batched verdicts), so its packet rate is the ceiling for the
 * inline path: whatever sidewall loses against it is the engine's cost.
 *
 *   nfq_noop -q A[:B] [-d SECONDS] [-m MAXLEN] [-b RCVBUF] [-s USEC] [-F] [-v]
 *
 * One thread per queue.  Runs until SIGINT/SIGTERM or -d seconds, then prints
 * one line per queue with the capture counters and exits 0.  -s sleeps after
 * every dispatch (a deliberately slow consumer, to provoke socket overflows and
 * check that they show up as id gaps); -F binds without FAIL_OPEN; -v prints
 * one line per packet.  first_id is the id of the first packet the callback
 * saw: a fresh queue numbers packets from 1, so anything larger means packets
 * were taken off the socket without reaching the callback (and a verdict).
 */
#include "capture/nfq.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUEUES 64

static volatile sig_atomic_t stop;

struct worker {
	pthread_t tid;
	struct sw_nfq *q;
	uint16_t queue;
	unsigned sleep_us;
	bool verbose;
	int64_t deadline_ms;
	uint64_t max_batch;
	uint64_t bytes;
	uint32_t first_id; /* the kernel numbers a fresh queue's packets from 1 */
	int err;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void accept_all(void *ctx, const struct sw_nfq_pkt *pkt, struct sw_nfq_verdict *v)
{
	struct worker *w = ctx;

	(void)v; /* zeroed by the caller: accept, no mark */
	w->bytes += pkt->wirelen;
	if (!w->first_id)
		w->first_id = pkt->id;
	if (w->verbose) {
		/* Byte 9 of an IPv4 header is the protocol; say what arrived. */
		unsigned proto = pkt->caplen >= 20 && (pkt->data[0] >> 4) == 4 ? pkt->data[9] : 0;
		printf("q%u id=%" PRIu32 " len=%" PRIu32 " caplen=%" PRIu32 " proto=%u in=%" PRIu32
		       " out=%" PRIu32 " csum_unverified=%d mark=0x%" PRIx32 "\n",
		       w->queue, pkt->id, pkt->wirelen, pkt->caplen, proto, pkt->indev, pkt->outdev,
		       pkt->csum_unverified, pkt->mark);
		fflush(stdout);
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;

	while (!stop && (!w->deadline_ms || mono_ms() < w->deadline_ms)) {
		int n = sw_nfq_dispatch(w->q, 100, accept_all, w);
		if (n < 0) {
			w->err = n;
			break;
		}
		if ((uint64_t)n > w->max_batch)
			w->max_batch = (uint64_t)n;
		if (w->sleep_us && n > 0)
			usleep(w->sleep_us);
	}
	return NULL;
}

static int parse_range(const char *s, unsigned *a, unsigned *b)
{
	char *end;
	unsigned long x, y;

	errno = 0;
	x = strtoul(s, &end, 10);
	y = x;
	if (*end == ':')
		y = strtoul(end + 1, &end, 10);
	if (errno || *end || end == s || x > 65535 || y > 65535 || y < x || y - x + 1 > MAX_QUEUES)
		return -EINVAL;
	*a = (unsigned)x;
	*b = (unsigned)y;
	return 0;
}

int main(int argc, char **argv)
{
	static struct worker ws[MAX_QUEUES];
	struct sw_nfq_config cfg = { .fail_open = true };
	struct sigaction sa;
	unsigned first = 0, last = 0, nq, i, sleep_us = 0;
	double seconds = 0;
	bool verbose = false, have_q = false;
	int c, ret = 0;
	char err[256];

	while ((c = getopt(argc, argv, "q:d:m:b:s:Fv")) != -1) {
		switch (c) {
		case 'q':
			if (parse_range(optarg, &first, &last) < 0) {
				fprintf(stderr, "nfq_noop: -q takes N or A:B (at most %d queues)\n", MAX_QUEUES);
				return 2;
			}
			have_q = true;
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 'm':
			cfg.queue_maxlen = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			cfg.rcvbuf = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			sleep_us = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'F':
			cfg.fail_open = false;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: nfq_noop -q A[:B] [-d SECONDS] [-m MAXLEN] [-b RCVBUF] [-s USEC] [-F] [-v]\n");
			return 2;
		}
	}
	if (!have_q) {
		fprintf(stderr, "nfq_noop: -q is required\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	nq = last - first + 1;
	for (i = 0; i < nq; i++) {
		cfg.queue = (uint16_t)(first + i);
		ws[i].queue = cfg.queue;
		ws[i].sleep_us = sleep_us;
		ws[i].verbose = verbose;
		ws[i].deadline_ms = seconds > 0 ? mono_ms() + (int64_t)(seconds * 1000) : 0;
		ws[i].q = sw_nfq_open(&cfg, err, sizeof(err));
		if (!ws[i].q) {
			fprintf(stderr, "nfq_noop: %s\n", err);
			ret = 1;
			nq = i;
			goto out;
		}
	}
	/* Every queue is bound before the first thread runs: say so for scripts that wait. */
	fprintf(stderr, "nfq_noop: ready on queues %u..%u\n", first, last);
	for (i = 0; i < nq; i++) {
		if (pthread_create(&ws[i].tid, NULL, run, &ws[i]) != 0) {
			fprintf(stderr, "nfq_noop: cannot start thread %u\n", i);
			stop = 1;
			nq = i;
			ret = 1;
			break;
		}
	}
	for (i = 0; i < nq; i++)
		pthread_join(ws[i].tid, NULL);
out:
	for (i = 0; i < nq; i++) {
		const struct sw_nfq_stats *st = sw_nfq_stats(ws[i].q);
		printf("queue %u: packets %" PRIu64 " bytes %" PRIu64 " accepted %" PRIu64 " dropped %" PRIu64
		       " batches %" PRIu64 " max_batch %" PRIu64 " id_gaps %" PRIu64 " enobufs %" PRIu64
		        " recv_errors %" PRIu64 " verdict_errors %" PRIu64 " first_id %" PRIu32 "%s%s\n",
		       ws[i].queue, st->packets, ws[i].bytes, st->accepted, st->dropped, st->batches,
		       ws[i].max_batch, st->id_gaps, st->enobufs, st->recv_errors, st->verdict_errors,
		       ws[i].first_id, ws[i].err ? " error: " : "", ws[i].err ? strerror(-ws[i].err) : "");
		if (ws[i].err)
			ret = 1;
		sw_nfq_close(ws[i].q);
	}
	return ret;
}
