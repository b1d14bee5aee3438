// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Driver for the kernel test of nft/ (tests/e2e/enforcer/nft_kernel.sh runs
 * it inside a network namespace it made, and reads the result back with
 * `nft -j`).  Usage:
 *   setup | exists | destroy
 *   add block|quar TIMEOUT_MS CIDR...      del block|quar CIDR...
 *   bulk N          add N /32 blocks (10.200.0.0 up), print elements/s
 *   commit OP...    one sw_nft_commit(): OP is +b:CIDR:TIMEOUT_MS, -b:CIDR,
 *                   +q:ADDR or -q:ADDR; prints "op I: error" for each op
 *                   the kernel refused, exits 3 if the commit was refused
 *   bulkc N [K [BAD]] N /32 blocks through sw_nft_commit() K ops at a time (0 or
 *                   none: as many as one transaction takes), print elements/s;
 *                   op BAD (0-based) is a delete of an absent element instead:
 *                   prints "op I: error" for each op refused, exits 3 if refused
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
	} else if (!strcmp(argv[1], "commit") && argc >= 3) {
		struct sw_nft_op *ops;
		int errs[512];

		n = argc - 2;
		ops = calloc((size_t)n, sizeof(*ops));
		if (!ops || n > 512) {
			free(ops);
			ret = -E2BIG;
			goto out;
		}
		for (i = 0; i < n; i++) {
			char buf[128], *cidr, *tmo;
			const char *a = argv[2 + i];

			snprintf(buf, sizeof(buf), "%s", a);
			if ((buf[0] != '+' && buf[0] != '-') || (buf[1] != 'b' && buf[1] != 'q') ||
			    buf[2] != ':') {
				fprintf(stderr, "bad op %s\n", a);
				free(ops);
				ret = -EINVAL;
				goto out;
			}
			ops[i].del = buf[0] == '-';
			ops[i].kind = buf[1] == 'q' ? SW_NFT_QUAR : SW_NFT_BLOCK;
			cidr = buf + 3;
			tmo = strrchr(cidr, ':');
			/* a v6 CIDR has colons too: a timeout is only digits after the last one */
			if (tmo && buf[0] == '+' && buf[1] == 'b' && tmo[1] && strspn(tmo + 1, "0123456789") == strlen(tmo + 1)) {
				*tmo = 0;
				ops[i].e.timeout_ms = strtoull(tmo + 1, NULL, 10);
			}
			if (sw_cidr_parse(cidr, &ops[i].e.ip, &ops[i].e.prefix)) {
				fprintf(stderr, "bad cidr in %s\n", a);
				free(ops);
				ret = -EINVAL;
				goto out;
			}
		}
		ret = sw_nft_commit(nft, ops, (size_t)n, errs);
		for (i = 0; i < n; i++)
			if (errs[i])
				printf("op %d: %s\n", i, strerror(-errs[i]));
		free(ops);
		if (ret) {
			fprintf(stderr, "commit: %s\n", strerror(-ret));
			sw_nft_free(nft);
			return 3;
		}
	} else if (!strcmp(argv[1], "bulkc") && argc >= 3) {
		struct sw_nft_op *ops;
		/* K = 0: as many as one transaction takes (sw_nft_commit_max()) */
		size_t k = argc > 3 ? (size_t)atoi(argv[3]) : 0, done;
		long bad = argc > 4 ? atol(argv[4]) : -1;
		int *errs = NULL;
		double t0, dt;

		n = atoi(argv[2]);
		ops = calloc((size_t)n + 1, sizeof(*ops));
		for (i = 0; ops && i < n; i++) {
			ops[i].e.ip.family = AF_INET;
			ops[i].e.ip.a[0] = 10;
			ops[i].e.ip.a[1] = (uint8_t)(200 + (i >> 16));
			ops[i].e.ip.a[2] = (uint8_t)(i >> 8);
			ops[i].e.ip.a[3] = (uint8_t)i;
			ops[i].e.prefix = 32;
			ops[i].e.timeout_ms = 600000;
		}
		if (!k)
			k = sw_nft_commit_max(nft);
		errs = calloc(k, sizeof(*errs));
		if (!ops || !errs || k > sw_nft_commit_max(nft) || bad >= n) {
			free(ops);
			free(errs);
			ret = -EINVAL;
			goto out;
		}
		if (bad >= 0) {
			ops[bad].del = true;
			ops[bad].e.ip.a[1] = 250; /* 10.250.x.y: never added */
		}
		t0 = now();
		for (done = 0; done < (size_t)n && !ret; done += k)
			ret = sw_nft_commit(nft, ops + done, (size_t)n - done < k ? (size_t)n - done : k, errs);
		dt = now() - t0;
		if (ret) {
			done -= k;
			for (i = 0; (size_t)i < k && done + (size_t)i < (size_t)n; i++)
				if (errs[i])
					printf("op %zu: %s\n", done + (size_t)i, strerror(-errs[i]));
			fprintf(stderr, "bulkc: %s\n", strerror(-ret));
			free(ops);
			free(errs);
			sw_nft_free(nft);
			return 3;
		}
		free(errs);
		printf("bulkc %d elements, %zu per transaction (%zu transactions), in %.3f s = %.0f elements/s\n",
		       n, k, ((size_t)n + k - 1) / k, dt, n / dt);
		free(ops);
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
