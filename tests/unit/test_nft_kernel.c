// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Driver for the kernel test of nft/ (tests/e2e/enforcer/nft_kernel.sh runs
 * it inside a network namespace it made, and reads the result back with
 * `nft -j`).  Usage:
 *   setup | exists | destroy
 *   add block|quar TIMEOUT_MS CIDR...      del block|quar CIDR...
 *   bulk N          add N /32 blocks (10.200.0.0 up), print elements/s
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nft/nft.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sw_nft_config cfg = { NULL, SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD, -10 };
	struct sw_nft *nft;
	struct sw_nft_elem *e = NULL;
	int ret = 0, i, n;

	if (argc < 2)
		return 2;
	nft = sw_nft_new(&cfg);
	if (!nft) {
		perror("sw_nft_new");
		return 1;
	}
	if (!strcmp(argv[1], "setup")) {
		ret = sw_nft_setup(nft);
	} else if (!strcmp(argv[1], "exists")) {
		ret = sw_nft_table_exists(nft);
		printf("%d\n", ret);
		ret = ret < 0 ? ret : 0;
	} else if (!strcmp(argv[1], "destroy")) {
		ret = sw_nft_destroy(nft);
	} else if ((!strcmp(argv[1], "add") && argc >= 5) || (!strcmp(argv[1], "del") && argc >= 4)) {
		enum sw_nft_kind kind = !strcmp(argv[2], "quar") ? SW_NFT_QUAR : SW_NFT_BLOCK;
		int first = argv[1][0] == 'a' ? 4 : 3;

		n = argc - first;
		e = calloc((size_t)n, sizeof(*e));
		for (i = 0; e && i < n; i++) {
			if (sw_cidr_parse(argv[first + i], &e[i].ip, &e[i].prefix)) {
				fprintf(stderr, "bad cidr %s\n", argv[first + i]);
				ret = -EINVAL;
				goto out;
			}
			e[i].timeout_ms = first == 4 ? strtoull(argv[3], NULL, 10) : 0;
		}
		ret = first == 4 ? sw_nft_add(nft, kind, e, (size_t)n) : sw_nft_del(nft, kind, e, (size_t)n);
	} else if (!strcmp(argv[1], "bulk") && argc == 3) {
		struct sw_nft_stats st;
		double t0, dt;

		n = atoi(argv[2]);
		e = calloc((size_t)n, sizeof(*e));
		for (i = 0; e && i < n; i++) {
			e[i].ip.family = AF_INET;
			e[i].ip.a[0] = 10;
			e[i].ip.a[1] = (uint8_t)(200 + (i >> 16));
			e[i].ip.a[2] = (uint8_t)(i >> 8);
			e[i].ip.a[3] = (uint8_t)i;
			e[i].prefix = 32;
			e[i].timeout_ms = 600000;
		}
		t0 = now();
		ret = sw_nft_add(nft, SW_NFT_BLOCK, e, (size_t)n);
		dt = now() - t0;
		sw_nft_get_stats(nft, &st);
		printf("bulk %d elements in %.3f s = %.0f elements/s (%llu batches, %llu enobufs)\n",
		       n, dt, n / dt, (unsigned long long)st.batches, (unsigned long long)st.enobufs);
	} else {
		ret = -EINVAL;
	}
out:
	if (ret < 0)
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-ret));
	free(e);
	sw_nft_free(nft);
	return ret < 0 ? 1 : 0;
}
