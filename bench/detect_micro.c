/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detect micro-benchmark (not a test): per-packet sw_detect_packet() cost
 * for 1,000 content rules, with and without 1,200 IP-reputation rules of 50
 * addresses each ("alert ip [list] any -> $HOME_NET any"), over the same
 * synthetic packets.  Both rulesets are timed in alternating rounds and the
 * best round of each is kept, so load from other processes skews less.
 *
 *   detect_micro [packets=4096] [rounds=20]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/detect/detect.h"

static uint64_t seed = 1;

static uint32_t rnd(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(seed >> 33);
}

static const char *words[] = {"select", "union", "passwd", "cmd.exe", "wget", "curl", "admin", "login",
			      "shell", "eval", "base64", "script", "alert", "onload", "iframe", "object"};

static struct sw_detect *build(int n_ip)
{
	size_t cap = 4u << 20, len = 0;
	char *text = malloc(cap), err[256];
	struct sw_rule_vars *v = sw_rule_vars_new();
	struct sw_rules *r = sw_rules_new(v, NULL);
	struct sw_detect *d;

	if (!text || !v || !r || sw_rule_vars_set_address(v, "HOME_NET", "[10.0.0.0/8,192.168.0.0/16]") < 0) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	seed = 1;
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"alert tcp any any -> any any (msg:\"c%d\"; content:\"%s%c%c%c\"; sid:%d;)\n", i,
					words[rnd() % 16], 'a' + rnd() % 26, 'a' + rnd() % 26, 'a' + rnd() % 26, i + 1);
	for (int i = 0; i < n_ip; i++) {
		len += (size_t)snprintf(text + len, cap - len, "alert ip [");
		for (int k = 0; k < 50; k++) {
			uint32_t a = rnd() | 0x01000000;

			len += (size_t)snprintf(text + len, cap - len, "%s%u.%u.%u.%u", k ? "," : "", a >> 24,
						a >> 16 & 255, a >> 8 & 255, a & 255);
		}
		len += (size_t)snprintf(text + len, cap - len, "] any -> $HOME_NET any (msg:\"rep %d\"; sid:%d;)\n", i,
					100000 + i);
	}
	if (sw_rules_load_string(r, text, "bench.rules") < 0 || sw_rules_error_count(r)) {
		fprintf(stderr, "rules rejected: %zu\n", sw_rules_error_count(r));
		exit(1);
	}
	sw_rule_vars_free(v);
	free(text);
	d = sw_detect_new(r, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "sw_detect_new: %s\n", err);
		exit(1);
	}
	return d;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int np = argc > 1 ? atoi(argv[1]) : 4096, rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct sw_detect *d[2];
	struct sw_detect_ctx *c[2];
	struct sw_packet *p = calloc((size_t)np, sizeof(*p));
	uint8_t *buf = malloc((size_t)np * 1460);
	double best[2] = {1e9, 1e9}, t;
	size_t bytes = 0;

	if (np <= 0 || rounds <= 0 || !p || !buf)
		return 1;
	t = now();
	d[0] = build(0);
	printf("compile 1000 content rules: %.0f ms\n", (now() - t) * 1e3);
	t = now();
	d[1] = build(1200);
	printf("compile 1000 content + 1200 IP-list rules: %.0f ms\n", (now() - t) * 1e3);
	c[0] = sw_detect_ctx_new(d[0]);
	c[1] = sw_detect_ctx_new(d[1]);
	if (!c[0] || !c[1])
		return 1;
	seed = 777;
	for (int i = 0; i < np; i++) {
		uint8_t *b = buf + (size_t)i * 1460;
		uint32_t len = 64 + rnd() % 1396, sa = rnd(), da = 0xc0a80000 | (rnd() & 0xffff);

		for (uint32_t k = 0; k < len; k++)
			b[k] = (uint8_t)(rnd() % 4 ? 'a' + rnd() % 26 : ' ');
		if (rnd() % 8 == 0) {
			const char *w = words[rnd() % 16];

			memcpy(b + rnd() % (len - 10), w, strlen(w));
		}
		p[i].ip_ver = 4;
		p[i].proto = 6;
		p[i].l4_ok = true;
		p[i].ttl = 64;
		p[i].src.family = p[i].dst.family = AF_INET;
		for (int k = 0; k < 4; k++) {
			p[i].src.a[k] = (uint8_t)(sa >> (24 - 8 * k));
			p[i].dst.a[k] = (uint8_t)(da >> (24 - 8 * k));
		}
		p[i].sport = (uint16_t)(1024 + rnd() % 60000);
		p[i].dport = 80;
		p[i].tcp_flags = SW_TCP_ACK | SW_TCP_PSH;
		p[i].payload = b;
		p[i].payload_len = len;
		bytes += len;
	}
	for (int r = 0; r < rounds; r++) {
		for (int w = 0; w < 2; w++) {
			struct sw_detect_result res;

			t = now();
			for (int i = 0; i < np; i++)
				if (sw_detect_packet(c[w], &p[i], NULL, &res) < 0)
					return 1;
			t = now() - t;
			if (t < best[w])
				best[w] = t;
		}
	}
	for (int w = 0; w < 2; w++)
		printf("%-34s %6.0f ns/packet  %7.0f Mbit/s of payload (avg %zu B)  candidates/packet %.4f\n",
		       w ? "1000 content + 1200 IP-list rules:" : "1000 content rules:", best[w] * 1e9 / np,
		       (double)bytes * 8 / best[w] / 1e6, bytes / (size_t)np,
		       (double)sw_detect_ctx_stats(c[w])->candidates / ((double)rounds * np));
	printf("IP-list rules cost: %+.1f%% of detect time\n", (best[1] / best[0] - 1) * 100);
	sw_detect_ctx_free(c[0]);
	sw_detect_ctx_free(c[1]);
	sw_detect_put(d[0]);
	sw_detect_put(d[1]);
	free(p);
	free(buf);
	return 0;
}
