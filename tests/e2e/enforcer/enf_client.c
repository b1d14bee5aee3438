// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sw_enf_testclient: the sensor's side of the enforcement protocol, for the
 * end-to-end test and the benchmark.  Uses nft/client.h as the sensor will.
 *
 *   sw_enf_testclient -H HOST -p PORT -k SENSOR_KEY_FILE -e ENFORCER_PUB CMD...
 *   CMD: block CIDR TTL REASON | unblock CIDR | quarantine ADDR | release ADDR | list
 *        replay CIDR TTL   send a block, then the same bytes again
 *        forge CIDR        a block whose ciphertext has one bit flipped
 *        truncate CIDR     a block cut short (length prefix says more)
 *        oversize          a length prefix above the maximum
 *        bench N [BASE [W]] N blocks of distinct /32s, latency p50/p99;
 *                          W > 1: pipelined in batches of W (at most
 *                          SW_ENF_PIPELINE_MAX), each sent as its answers
 *                          come back; the next when all are in; W = 0:
 *                          one at a time as one-request pipelines (the
 *                          sensor's path for a lone alert)
 *        pipe CIDR...      one pipelined exchange of blocks (60 s), an
 *                          answer line per request
 * Exit: 0 ok, 3 refused by policy, 4 rejected as expected (raw tests:
 * the enforcer closed without answering), 1 transport or usage error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nft/client.h"
#include "nft/proto.h"

static struct sw_proto_resp resp;
static uint8_t ans[4 + SW_PROTO_MAX_RESP];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Pipelined answers: status and arrival time per request. */
struct pipe_ctx {
	double *lat, t0;
	size_t base;
	int bad;
	bool print;
};

static void on_answer(void *arg, size_t i, const struct sw_proto_resp *r)
{
	struct pipe_ctx *p = arg;

	if (p->lat)
		p->lat[p->base + i] = now() - p->t0;
	if (r->status && p->bad++ < 5)
		fprintf(stderr, "request %zu refused: %s\n", p->base + i, r->text);
	if (p->print)
		printf("%zu status=%u ttl=%u %s\n", p->base + i, r->status, r->ttl, r->text);
}

static int show(int ret)
{
	if (ret) {
		fprintf(stderr, "transport: %s\n", strerror(-ret));
		return 1;
	}
	printf("status=%u ttl=%u %s\n", resp.status, resp.ttl, resp.text);
	return resp.status ? 3 : 0;
}

/* Seal one BLOCK the way the client library does, for raw tests. */
static int seal_block(const struct sw_proto_peer *p, const uint8_t pub[32], const char *cidr,
		      uint32_t ttl, uint8_t *out, size_t outlen)
{
	struct sw_proto_req r;
	struct timespec ts;

	memset(&r, 0, sizeof(r));
	r.op = SW_OP_BLOCK;
	if (sw_cidr_parse(cidr, &r.ip, &r.prefix))
		return -EINVAL;
	r.ttl = ttl;
	strcpy(r.reason, "raw test");
	clock_gettime(CLOCK_REALTIME, &ts);
	r.counter = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	r.timestamp = (uint64_t)ts.tv_sec;
	return sw_proto_seal_req(p, pub, &r, out, outlen);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *keyf = NULL, *epub_s = NULL;
	uint8_t priv[32], pub[32], epub[32], frame[SW_PROTO_MAX_REQ + 64];
	struct sw_enf_client *c;
	struct sw_proto_peer peer;
	int port = 7447, i = 1, n, ret = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-H"))
			host = argv[i + 1];
		else if (!strcmp(argv[i], "-p"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-k"))
			keyf = argv[i + 1];
		else if (!strcmp(argv[i], "-e"))
			epub_s = argv[i + 1];
	}
	if (i >= argc || !keyf || !epub_s || sw_proto_init()) {
		fprintf(stderr, "usage: see the comment at the top of enf_client.c\n");
		return 1;
	}
	if (sw_proto_key_load(keyf, priv) ||
	    (sw_proto_key_from_b64(epub_s, epub) && sw_proto_key_load(epub_s, epub))) {
		fprintf(stderr, "bad key\n");
		return 1;
	}
	sw_proto_pubkey(priv, pub);
	if (sw_proto_peer_init(&peer, priv, epub))
		return 1;
	c = sw_enf_client_new(host, (uint16_t)port, priv, epub);
	if (!c) {
		perror("client");
		return 1;
	}
	if (!strcmp(argv[i], "block") && i + 3 < argc) {
		ret = show(sw_enf_block(c, argv[i + 1], (uint32_t)strtoul(argv[i + 2], NULL, 10),
					argv[i + 3], &resp));
	} else if (!strcmp(argv[i], "unblock") && i + 1 < argc) {
		ret = show(sw_enf_unblock(c, argv[i + 1], &resp));
	} else if (!strcmp(argv[i], "quarantine") && i + 1 < argc) {
		ret = show(sw_enf_quarantine(c, argv[i + 1], &resp));
	} else if (!strcmp(argv[i], "release") && i + 1 < argc) {
		ret = show(sw_enf_release(c, argv[i + 1], &resp));
	} else if (!strcmp(argv[i], "list")) {
		ret = show(sw_enf_list(c, &resp));
	} else if (!strcmp(argv[i], "replay") && i + 2 < argc) {
		n = seal_block(&peer, pub, argv[i + 1], (uint32_t)atoi(argv[i + 2]), frame, sizeof(frame));
		ret = sw_enf_client_raw(c, frame, (uint32_t)n, ans, sizeof(ans));
		if (ret <= 0 || sw_proto_open_resp(&peer, ans, (size_t)ret, &resp) || resp.status) {
			fprintf(stderr, "first copy not accepted (%d)\n", ret);
			ret = 1;
		} else {
			printf("first: status=%u %s\n", resp.status, resp.text);
			/* the same bytes again, on a new connection */
			sw_enf_client_free(c);
			c = sw_enf_client_new(host, (uint16_t)port, priv, epub);
			ret = sw_enf_client_raw(c, frame, (uint32_t)n, ans, sizeof(ans));
			printf("replay: %s\n", ret == 0 ? "rejected (closed, no answer)" : "ANSWERED");
			ret = ret == 0 ? 4 : 1;
		}
	} else if (!strcmp(argv[i], "forge") && i + 1 < argc) {
		n = seal_block(&peer, pub, argv[i + 1], 60, frame, sizeof(frame));
		frame[n - 20] ^= 0x04;
		ret = sw_enf_client_raw(c, frame, (uint32_t)n, ans, sizeof(ans));
		printf("forge: %s\n", ret == 0 ? "rejected (closed, no answer)" : "ANSWERED");
		ret = ret == 0 ? 4 : 1;
	} else if (!strcmp(argv[i], "truncate") && i + 1 < argc) {
		/* an honest length prefix over a frame cut short by 20 bytes */
		n = seal_block(&peer, pub, argv[i + 1], 60, frame, sizeof(frame));
		ret = sw_enf_client_raw(c, frame, (uint32_t)n - 20, ans, sizeof(ans));
		printf("truncate: %s\n", ret == 0 ? "rejected (closed, no answer)" : "ANSWERED");
		ret = ret == 0 ? 4 : 1;
	} else if (!strcmp(argv[i], "oversize")) {
		static uint8_t big[SW_PROTO_MAX_REQ * 4];

		memset(big, 0x41, sizeof(big));
		ret = sw_enf_client_raw(c, big, sizeof(big), ans, sizeof(ans));
		printf("oversize: %s\n", ret <= 0 ? "rejected (closed, no answer)" : "ANSWERED");
		ret = ret <= 0 ? 4 : 1;
	} else if (!strcmp(argv[i], "pipe") && i + 1 < argc) {
		struct pipe_ctx p = { .print = true };
		int k, m = argc - i - 1, err = 0;
		struct sw_proto_req *reqs = calloc((size_t)m, sizeof(*reqs));

		if (!reqs)
			return 1;
		for (k = 0; k < m && k < SW_ENF_PIPELINE_MAX; k++) {
			reqs[k].op = SW_OP_BLOCK;
			reqs[k].ttl = 60;
			strcpy(reqs[k].reason, "pipe test");
			if (sw_cidr_parse(argv[i + 1 + k], &reqs[k].ip, &reqs[k].prefix)) {
				fprintf(stderr, "bad cidr %s\n", argv[i + 1 + k]);
				return 1;
			}
		}
		n = sw_enf_client_pipeline(c, reqs, (size_t)k, &resp, on_answer, &p, &err);
		printf("answered %d of %d%s%s\n", n < 0 ? 0 : n, k, err ? ": " : "", err ? strerror(-err) : "");
		ret = n == k ? (p.bad ? 3 : 0) : 1;
		free(reqs);
	} else if (!strcmp(argv[i], "bench") && i + 1 < argc) {
		int N = atoi(argv[i + 1]), k, bad = 0;
		int base = i + 2 < argc ? atoi(argv[i + 2]) : 0;
		int W = i + 3 < argc ? atoi(argv[i + 3]) : 1;
		double *lat = calloc((size_t)(N > 0 ? N : 1), sizeof(double)), t0, dt;
		struct sw_proto_req *reqs;
		char cidr[32];

		if (W > SW_ENF_PIPELINE_MAX)
			W = SW_ENF_PIPELINE_MAX;
		reqs = calloc((size_t)(W > 1 ? W : 1), sizeof(*reqs));
		if (!lat || !reqs)
			return 1;
		t0 = now();
		for (k = 0; W != 1 && k < N;) {
			struct pipe_ctx p = { lat, now(), (size_t)k, 0, false };
			int m = W < 1 ? 1 : N - k < W ? N - k : W, j, err = 0;

			for (j = 0; j < m; j++) {
				int v = base + k + j;

				memset(&reqs[j], 0, sizeof(reqs[j]));
				reqs[j].op = SW_OP_BLOCK;
				reqs[j].ttl = 3600;
				strcpy(reqs[j].reason, "bench");
				reqs[j].ip.family = AF_INET;
				reqs[j].ip.a[0] = 10;
				reqs[j].ip.a[1] = (uint8_t)(100 + ((v >> 16) & 0x7f));
				reqs[j].ip.a[2] = (uint8_t)(v >> 8);
				reqs[j].ip.a[3] = (uint8_t)v;
				reqs[j].prefix = 32;
			}
			n = sw_enf_client_pipeline(c, reqs, (size_t)m, &resp, on_answer, &p, &err);
			bad += p.bad;
			if (n != m) {
				fprintf(stderr, "bench: pipeline answered %d of %d: %s\n", n, m,
					strerror(n < 0 ? -n : -err));
				bad += m - (n > 0 ? n : 0);
				for (j = n > 0 ? n : 0; j < m; j++)
					lat[k + j] = now() - p.t0;
			}
			k += m;
		}
		for (k = 0; W == 1 && k < N; k++) {
			double t = now();
			int v = base + k;

			snprintf(cidr, sizeof(cidr), "10.%d.%d.%d", 100 + ((v >> 16) & 0x7f), (v >> 8) & 0xff, v & 0xff);
			int r = sw_enf_block(c, cidr, 3600, "bench", &resp);

			if (r || resp.status) {
				if (bad++ < 5)
					fprintf(stderr, "bench: %s: %s\n", cidr,
						r ? strerror(-r) : resp.text);
			}
			lat[k] = now() - t;
		}
		dt = now() - t0;
		qsort(lat, (size_t)N, sizeof(double), cmp_d);
		printf("bench: %d blocks in %.3f s = %.0f blocks/s (%d in flight%s); request->kernel-element latency "
		       "p50 %.3f ms p99 %.3f ms max %.3f ms; %d failed\n",
		       N, dt, N / dt, W > 1 ? W : 1, W < 1 ? ", one-request pipelines" : "", lat[N / 2] * 1e3, lat[(size_t)(N * 0.99)] * 1e3,
		       lat[N - 1] * 1e3, bad);
		free(lat);
		free(reqs);
		ret = bad ? 1 : 0;
	} else {
		fprintf(stderr, "unknown command %s\n", argv[i]);
	}
	sw_enf_client_free(c);
	return ret;
}
