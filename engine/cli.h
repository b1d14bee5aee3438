/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall's command line: options as parsed, before the config file fills
 * in what they leave open.  Options follow Suricata's where Suricata has one.
 */
#ifndef SW_ENGINE_CLI_H
#define SW_ENGINE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SW_CLI_MAX_INPUTS 256

struct sw_cli {
	const char *config;
	const char *logdir;
	const char *rfiles[SW_CLI_MAX_INPUTS];
	unsigned n_rfiles;
	const char *sfiles[SW_CLI_MAX_INPUTS];
	unsigned n_sfiles;
	long threads;       /* -1 = from config */
	int checksum;       /* -1 = from config, 0 = none, 1 = all */
	bool test_only;
	bool allow_rejected; /* -T --allow-rejected: refused rules alone do not fail the check */
	bool inline_mode;   /* -q given */
	uint16_t q_first, q_last;
	bool simulate_ips;
	bool fail_closed;
	const char *ifaces[SW_CLI_MAX_INPUTS];
	unsigned n_ifaces;
	const char *bpf;
	uint32_t snaplen, pcap_buffer;
	bool promisc;
	uint32_t q_maxlen, q_rcvbuf, bypass_mark, drop_connmark;
	bool q_fail_open;
	const char *run_user;   /* --user, else run-as.user: drop to it after start-up */
	const char *run_group;  /* --group, else run-as.group */
	bool no_seccomp;        /* --no-seccomp */
};

/* The usage text, to @out. */
void sw_cli_usage(FILE *out);

/*
 * Parse @argv into @o (zeroed first; pointers borrow @argv).  Returns 0 to
 * run, 1 when --help or --version was answered on stdout (exit 0), -1 on an
 * error already described on stderr (exit non-zero).
 */
int sw_cli_parse(int argc, char **argv, struct sw_cli *o);

#endif
