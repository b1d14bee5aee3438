/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* "N" or "A:B" queue numbers. */
static int parse_queues(const char *s, uint16_t *first, uint16_t *last)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || end == s || a > 65535)
		return -EINVAL;
	b = a;
	if (*end == ':') {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		if (errno || end == t || b > 65535 || b < a || b - a >= 1024)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*first = (uint16_t)a;
	*last = (uint16_t)b;
	return 0;
}

void sw_cli_usage(FILE *out)
{
	fprintf(out,
		"usage: sidewall -r FILE.pcap [-r MORE.pcap ...] [-S RULES.rules ...] [-l LOGDIR]\n"
		"                [-c sidewall.yaml] [--threads N] [-k none|all]\n"
		"       sidewall -q QUEUE[:LAST] [-S RULES.rules ...] [-l LOGDIR] [-c sidewall.yaml]\n"
		"                [--simulate-ips] [--fail-closed]\n"
		"       sidewall -i IFACE [-i IFACE2 ...] [--bpf FILTER] [-S RULES.rules ...] [-l LOGDIR] [-c ...]\n"
		"       sidewall -T [--allow-rejected] [-c sidewall.yaml] [-S RULES.rules ...]\n"
		"       sidewall --version | --help\n"
		"\n"
		"  -r FILE        read a capture file (pcap or pcapng); may repeat\n"
		"  -S FILE        load rules from FILE instead of the config's rule-files; may repeat\n"
		"  -l DIR         write eve.json into DIR (default: the config's default-log-dir)\n"
		"  -c FILE        YAML configuration (default: the built-in one, same as etc/sidewall.yaml)\n"
		"  --threads N    worker threads (default: the config's, 0 = one per core)\n"
		"  -k none|all    checksum validation off or on (default: on, as checksum-validation)\n"
		"  -i IFACE       passive live capture on IFACE (tap or SPAN port); may repeat\n"
		"  --bpf FILTER   capture filter for -i\n"
		"  -q N[:M]       inline on NFQUEUE queues N..M, one worker per queue (match the\n"
		"                 firewall's --queue-balance N:M / 'queue num N-M fanout')\n"
		"  --simulate-ips verdicts as inline, but accept everything: log what would be dropped\n"
		"                 (also with -r and -i: drop events, flows marked dropped)\n"
		"  --fail-closed  drop packets sidewall cannot process (default: accept them)\n"
		"  --user NAME    after start-up run as NAME keeping only the mode's capability, with\n"
		"                 no_new_privs and a seccomp filter (default: the config's run-as.user)\n"
		"  --group NAME   group for --user (default: run-as.group, else NAME's own group)\n"
		"  --no-seccomp   with --user, leave the seccomp filter out (for diagnosis)\n"
		"  -T             check configuration and rules, print every error, exit non-zero on any\n"
		"  --allow-rejected  with -T, rules sidewall refuses are printed but fail the check only\n"
		"                 when none load (what a SIGHUP reload accepts; for suricata-update)\n"
		"  -V, --version  print the version\n");
}

/* Append optarg to a repeatable option's list. */
static int push_arg(const char **list, unsigned *n, const char *what)
{
	if (*n == SW_CLI_MAX_INPUTS) {
		fprintf(stderr, "sidewall: too many %s (max %d)\n", what, SW_CLI_MAX_INPUTS);
		return -1;
	}
	list[(*n)++] = optarg;
	return 0;
}

int sw_cli_parse(int argc, char **argv, struct sw_cli *o)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "simulate-ips", no_argument, NULL, 's' },
		{ "fail-closed", no_argument, NULL, 'F' },
		{ "bpf", required_argument, NULL, 'b' },
		{ "user", required_argument, NULL, 'U' },
		{ "group", required_argument, NULL, 'G' },
		{ "no-seccomp", no_argument, NULL, 'N' },
		{ "allow-rejected", no_argument, NULL, 'A' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->threads = -1;
	o->checksum = -1;
	while ((c = getopt_long(argc, argv, "r:S:l:c:k:q:i:TVh", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'r':
			if (push_arg(o->rfiles, &o->n_rfiles, "-r files") < 0)
				return -1;
			break;
		case 'S':
			if (push_arg(o->sfiles, &o->n_sfiles, "-S files") < 0)
				return -1;
			break;
		case 'l':
			o->logdir = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			if (!strcmp(optarg, "none"))
				o->checksum = 0;
			else if (!strcmp(optarg, "all"))
				o->checksum = 1;
			else {
				fprintf(stderr, "sidewall: -k takes 'none' or 'all', got '%s'\n", optarg);
				return -1;
			}
			break;
		case 't':
			errno = 0;
			o->threads = strtol(optarg, &end, 10);
			if (errno || *end || o->threads < 0 || o->threads > 1024) {
				fprintf(stderr, "sidewall: --threads takes 0..1024, got '%s'\n", optarg);
				return -1;
			}
			break;
		case 'T':
			o->test_only = true;
			break;
		case 'A':
			o->allow_rejected = true;
			break;
		case 'q':
			if (parse_queues(optarg, &o->q_first, &o->q_last) < 0) {
				fprintf(stderr, "sidewall: -q takes a queue number or a range A:B, got '%s'\n", optarg);
				return -1;
			}
			o->inline_mode = true;
			break;
		case 's':
			o->simulate_ips = true;
			break;
		case 'i':
			if (push_arg(o->ifaces, &o->n_ifaces, "-i interfaces") < 0)
				return -1;
			break;
		case 'b':
			o->bpf = optarg;
			break;
		case 'F':
			o->fail_closed = true;
			break;
		case 'U':
			o->run_user = optarg;
			break;
		case 'G':
			o->run_group = optarg;
			break;
		case 'N':
			o->no_seccomp = true;
			break;
		case 'V':
			printf("sidewall %s\n", SW_VERSION);
			return 1;
		case 'h':
			sw_cli_usage(stdout);
			return 1;
		default:
			sw_cli_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sidewall: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

