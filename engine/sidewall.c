/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall: start-up and the run modes.  Offline mode reads capture files (-r), runs
 * them through the engine and writes EVE JSON; -T only checks config and
 * rules.  The command line itself is parsed in cli.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "capture/pcap.h"
#include "common/harden.h"
#include "rules/rules.h"
#include "config.h"
#include "engine/detect/detect.h"
#include "engine/output/eve.h"
#include "engine/output/syslog.h"
#include "engine/output/enforce.h"
#include "worker.h"
#include "metrics.h"
#include "cli.h"

#ifndef SW_DATADIR
#define SW_DATADIR "."
#endif


static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

/* @path if absolute, else @base/@path, into @out. */
static const char *resolve(const char *base, const char *path, char *out, size_t len)
{
	if (path[0] == '/' || !base)
		snprintf(out, len, "%s", path);
	else
		snprintf(out, len, "%s/%s", base, path);
	return out;
}

/*
 * Relative paths in a config file are taken from the file's directory's
 * parent when the file sits in an etc/ directory next to rules/ (the
 * repository and install layout), else from the file's own directory; the
 * built-in config uses the data directory.
 */
static void config_base(const struct sw_cli *o, char *out, size_t len)
{
	char tmp[PATH_MAX];
	char *dir;

	if (!o->config) {
		snprintf(out, len, "%s", SW_DATADIR);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s", o->config);
	dir = dirname(tmp);
	snprintf(out, len, "%s", dir);
	if (!strcmp(basename(dir), "etc")) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s/..", dir);
		snprintf(out, len, "%s", parent);
	}
}

struct loaded {
	struct sw_config *cfg;
	struct sw_rule_vars *vars;
	struct sw_classification *cls;
	struct sw_rules *rules;
	size_t n_loaded, n_rejected;
};

static void loaded_free(struct loaded *l)
{
	sw_rules_free(l->rules);
	sw_classification_free(l->cls);
	sw_rule_vars_free(l->vars);
	sw_config_free(l->cfg);
}

/* Returns 0, or -1 after printing a one-line reason. */
static int load_all(const struct sw_cli *o, struct loaded *l, FILE *errout)
{
	struct sw_config_error cerr;
	struct sw_rule_error rerr;
	char base[PATH_MAX], path[PATH_MAX + 512], rdir[PATH_MAX + 256];
	int rc;

	memset(l, 0, sizeof(*l));
	if (o->config) {
		memset(&cerr, 0, sizeof(cerr));
		rc = sw_config_load(o->config, &l->cfg, &cerr);
		if (rc < 0) {
			if (rc == -EINVAL)
				fprintf(stderr, "sidewall: %s:%u:%u: %s\n", cerr.file[0] ? cerr.file : o->config,
					cerr.line, cerr.column, cerr.message);
			else
				fprintf(stderr, "sidewall: %s: %s\n", o->config, strerror(-rc));
			return -1;
		}
	} else {
		l->cfg = sw_config_default();
		if (!l->cfg) {
			fprintf(stderr, "sidewall: out of memory\n");
			return -1;
		}
	}
	config_base(o, base, sizeof(base));

	l->vars = sw_rule_vars_new();
	l->cls = sw_classification_new();
	if (!l->vars || !l->cls)
		goto nomem;
	for (uint32_t i = 0; i < l->cfg->n_addr_groups; i++)
		if (sw_rule_vars_set_address(l->vars, l->cfg->addr_groups[i].name, l->cfg->addr_groups[i].value) < 0)
			goto nomem;
	for (uint32_t i = 0; i < l->cfg->n_port_groups; i++)
		if (sw_rule_vars_set_port(l->vars, l->cfg->port_groups[i].name, l->cfg->port_groups[i].value) < 0)
			goto nomem;

	if (l->cfg->classification_file)
		resolve(base, l->cfg->classification_file, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/rules/classification.config", SW_DATADIR);
	memset(&rerr, 0, sizeof(rerr));
	rc = sw_classification_load(l->cls, path, &rerr);
	if (rc < 0) {
		if (rc == -EINVAL)
			fprintf(stderr, "sidewall: %s:%u: %s\n", rerr.file ? rerr.file : path, rerr.line,
				rerr.message ? rerr.message : "invalid line");
		else
			fprintf(stderr, "sidewall: %s: %s\n", path, strerror(-rc));
		return -1;
	}

	l->rules = sw_rules_new(l->vars, l->cls);
	if (!l->rules)
		goto nomem;
	if (o->n_sfiles) {
		for (unsigned i = 0; i < o->n_sfiles; i++) {
			rc = sw_rules_load_file(l->rules, o->sfiles[i]);
			if (rc < 0) {
				fprintf(stderr, "sidewall: %s: %s\n", o->sfiles[i], strerror(-rc));
				return -1;
			}
		}
	} else {
		resolve(base, l->cfg->default_rule_path ? l->cfg->default_rule_path : ".", rdir, sizeof(rdir));
		for (uint32_t i = 0; i < l->cfg->n_rule_files; i++) {
			resolve(rdir, l->cfg->rule_files[i], path, sizeof(path));
			rc = sw_rules_load_file(l->rules, path);
			if (rc < 0) {
				fprintf(stderr, "sidewall: %s: %s\n", path, strerror(-rc));
				return -1;
			}
		}
	}
	/* threshold-file: after every rule file, as Suricata applies it to the loaded signatures */
	if (l->cfg->threshold_file) {
		resolve(base, l->cfg->threshold_file, path, sizeof(path));
		rc = sw_rules_load_threshold_file(l->rules, path);
		if (rc < 0) {
			fprintf(stderr, "sidewall: %s: %s\n", path, strerror(-rc));
			return -1;
		}
	}
	l->n_loaded = sw_rules_count(l->rules);
	l->n_rejected = sw_rules_error_count(l->rules);
	for (size_t i = 0; i < l->n_rejected; i++) {
		const struct sw_rule_error *e = sw_rules_error(l->rules, i);
		fprintf(errout, "%s:%u: %s\n", e->file, e->line, e->message);
	}
	return 0;
nomem:
	fprintf(stderr, "sidewall: out of memory\n");
	return -1;
}

static unsigned thread_count(const struct sw_cli *o, const struct sw_config *cfg)
{
	long n = o->threads >= 0 ? o->threads : (long)cfg->threads;

	if (n == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n < 1)
			n = 1;
	}
	return (unsigned)n;
}

/*
 * flow.memcap is for the whole sensor: each worker's table gets its share
 * (the tables are per worker and never shared).
 */
static struct sw_flow_config per_worker_flows(const struct sw_config *cfg, uint32_t threads)
{
	struct sw_flow_config fc = cfg->flow;
	/* A flow costs its slot and its two stream tails: the cap covers both. */
	uint64_t per = sizeof(struct sw_flow) + 2ull * fc.stream_window;
	uint64_t total = cfg->memcap / per;

	if (total > UINT32_MAX)
		total = UINT32_MAX;
	fc.max_flows = (uint32_t)(threads ? total / threads : total);
	if (fc.max_flows < 1024)
		fc.max_flows = 1024;
	if (fc.hash_size > fc.max_flows)
		fc.hash_size = fc.max_flows;
	/* flow.prealloc is the sensor's too (sw_flow_table_new() caps it at max_flows) */
	fc.prealloc = threads ? (uint32_t)(((uint64_t)fc.prealloc + threads - 1) / threads) : fc.prealloc;
	return fc;
}

static int64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double t_main; /* mono_s() when main() began */

/* What a successful reload loaded (reload_rules() fills it). */
struct reload_counts {
	size_t loaded, rejected;
};

static struct sw_detect *reload_rules(struct reload_counts *rc);
static const struct sw_cli *reload_opts;

/* What the main thread does while a live or inline engine runs. */
struct housekeeping {
	struct sw_engine *eng;
	struct sw_eve *eve;        /* reopened on SIGHUP, for logrotate */
	struct sw_eve_writer *w;   /* the main thread's own writer, for stats */
	uint64_t loaded, rejected;
	int64_t t0;                /* monotonic start, seconds */
	uint32_t interval;         /* stats.interval; 0 = stats only at exit */
	int64_t next_stats;
	/* metrics (NULL = off) and what they say of reloads */
	struct sw_engine_metrics *metrics;
	struct sw_enforce *enforce;
	uint64_t reloads_ok, reloads_failed;
	bool last_reload_ok;
	int64_t last_reload_usec, loaded_usec; /* wall clock */
};

static int64_t wall_usec(void);

/* A scrape waiting gets a snapshot; otherwise one atomic load. */
static void metrics_poll(struct housekeeping *h)
{
	struct sw_engine_metrics_info info = {
		.rules_loaded = h->loaded, .rules_rejected = h->rejected,
		.reloads_ok = h->reloads_ok, .reloads_failed = h->reloads_failed,
		.last_reload_ok = h->last_reload_ok, .last_reload_usec = h->last_reload_usec,
		.last_reload_success_usec = h->loaded_usec, .enforce = h->enforce, .eve = h->eve,
	};

	sw_engine_metrics_poll(h->metrics, &info);
}

static int64_t now_s(void);

/*
 * SIGHUP reloads the rules; every stats.interval seconds a stats record.
 * Worker counters are read while workers write them: each is an aligned
 * 64-bit word, so a reading is at worst a few packets stale, never torn.
 */
static void housekeeping(void *arg)
{
	struct housekeeping *h = arg;
	int64_t now = now_s();

	if (reload_requested) {
		struct sw_detect *d;
		int rc;
		reload_requested = 0;
		rc = sw_eve_reopen(h->eve);
		if (rc < 0)
			fprintf(stderr, "sidewall: SIGHUP: cannot reopen the EVE log (%s), still writing the old one\n",
				strerror(-rc));
		{
			struct reload_counts counts;

			d = reload_rules(&counts);
			h->last_reload_usec = wall_usec();
			h->last_reload_ok = d != NULL;
			if (d) {
				sw_engine_swap_ruleset(h->eng, d);
				sw_detect_put(d);
				h->loaded = counts.loaded;
				h->rejected = counts.rejected;
				h->loaded_usec = h->last_reload_usec;
				h->reloads_ok++;
			} else {
				h->reloads_failed++;
			}
		}
	}
	/* after a stop request the workers may be closing their queues: no more reads */
	if (!stop_requested)
		metrics_poll(h);
	if (h->interval && now >= h->next_stats) {
		sw_engine_write_stats(h->eng, h->w, h->loaded, h->rejected, now - h->t0);
		h->next_stats = now + h->interval;
	}
}

static int64_t wall_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct sw_pcap_live_config live_config(const struct sw_cli *o, unsigned i)
{
	struct sw_pcap_live_config lc = {
		.iface = o->ifaces[i],
		.snaplen = o->snaplen,
		.promisc = o->promisc,
		.buffer_size = o->pcap_buffer,
		.bpf = o->bpf,
	};
	return lc;
}

/*
 * Kernel counters survive an interface being reopened: a closed handle's
 * last reading is banked before the handle goes.
 */
struct cap_totals {
	uint64_t last[SW_CLI_MAX_INPUTS][3];
	uint64_t banked[3];
};

static void capture_stats(struct sw_engine *eng, struct sw_pcap **pc, unsigned n, struct cap_totals *ct)
{
	uint64_t sum[3] = { ct->banked[0], ct->banked[1], ct->banked[2] };

	for (unsigned i = 0; i < n; i++) {
		if (pc[i])
			sw_pcap_stats(pc[i], &ct->last[i][0], &ct->last[i][1], &ct->last[i][2]);
		for (int k = 0; k < 3; k++)
			sum[k] += ct->last[i][k];
	}
	sw_engine_set_capture_stats(eng, sum[0], sum[1], sum[2]);
}

/* The EVE file run_start() opens, for harden() to hand over to the run-as user. */
static char harden_eve_path[PATH_MAX + 256];

/*
 * Running hardened (docs/hardening.md).  With a run-as user, once every
 * handle that needs privilege is open (capture, NFQUEUE, raw sockets, EVE,
 * spools): switch to the user keeping only @keep (CAP_NET_RAW to reopen a
 * live interface, CAP_NET_ADMIN for NFQUEUE verdicts, none offline), then
 * no_new_privs and the seccomp filter.  Without one, nothing changes.
 * Returns 0, or -1 after printing why: a half-done drop is no state to run
 * in, so the caller stops.
 */
static int harden(const struct sw_cli *o, uint64_t keep)
{
	char err[256];
	uid_t uid;
	gid_t gid;

	if (!o->run_user)
		return 0;
	if (sw_harden_lookup(o->run_user, o->run_group, &uid, &gid, err, sizeof(err)) < 0) {
		fprintf(stderr, "sidewall: run-as: %s\n", err);
		return -1;
	}
	/*
	 * The EVE file was created by root: give it to the user so a SIGHUP
	 * reopen without rotation can still open it.  Its directory must be
	 * the user's for a reopen after rotation (documented).
	 */
	if (geteuid() == 0 && uid != 0 && harden_eve_path[0] && chown(harden_eve_path, uid, gid) < 0 &&
	    errno != ENOENT)
		fprintf(stderr, "sidewall: run-as: cannot give %s to the user: %s\n", harden_eve_path, strerror(errno));
	if (sw_harden_drop(o->run_user, o->run_group, keep, err, sizeof(err)) < 0) {
		fprintf(stderr, "sidewall: run-as: %s\n", err);
		return -1;
	}
	if (!o->no_seccomp && sw_harden_seccomp(err, sizeof(err)) < 0) {
		fprintf(stderr, "sidewall: run-as: %s\n", err);
		return -1;
	}
	fprintf(stderr, "sidewall: running as %s (uid %u, gid %u), capabilities: %s, no_new_privs, %s\n",
		o->run_user, (unsigned)uid, (unsigned)gid,
		keep == SW_HARDEN_CAP(CAP_NET_RAW) ? "net_raw" : keep == SW_HARDEN_CAP(CAP_NET_ADMIN) ? "net_admin" : "none",
		o->no_seccomp ? "no seccomp filter (--no-seccomp)" : "seccomp filter");
	return 0;
}

/*
 * Passive capture: one reader polls every interface and feeds the workers.
 * A capture error (interface down or removed) closes that handle; it is
 * reopened every few seconds, so a flapping tap never stops the sensor.
 */
static int live_loop(const struct sw_cli *o, struct sw_engine *eng, struct housekeeping *hk)
{
	struct sw_pcap *pc[SW_CLI_MAX_INPUTS] = { 0 };
	struct pollfd pfd[SW_CLI_MAX_INPUTS];
	int64_t retry_at[SW_CLI_MAX_INPUTS] = { 0 };
	struct cap_totals cap;
	char err[512];
	unsigned opened = 0;

	memset(&cap, 0, sizeof(cap));
	for (unsigned i = 0; i < o->n_ifaces; i++) {
		struct sw_pcap_live_config lc = live_config(o, i);
		pc[i] = sw_pcap_open_live(&lc, err, sizeof(err));
		if (!pc[i]) {
			/* At start a bad interface or filter is a configuration error: fail loudly. */
			fprintf(stderr, "sidewall: %s\n", err);
			goto fail;
		}
		opened++;
	}
	fprintf(stderr, "sidewall: capturing on %u interface(s)\n", opened);
	/* Reopening an interface that went away needs CAP_NET_RAW (AF_PACKET). */
	if (harden(o, SW_HARDEN_CAP(CAP_NET_RAW)) < 0)
		goto fail;
	reload_opts = o;
	while (!stop_requested) {
		int64_t now = wall_usec();
		int rc;

		for (unsigned i = 0; i < o->n_ifaces; i++) {
			if (!pc[i] && now >= retry_at[i]) {
				struct sw_pcap_live_config lc = live_config(o, i);
				pc[i] = sw_pcap_open_live(&lc, err, sizeof(err));
				if (pc[i])
					fprintf(stderr, "sidewall: %s: capture resumed\n", o->ifaces[i]);
				else
					retry_at[i] = now + 5 * 1000000;
			}
			pfd[i].fd = pc[i] ? sw_pcap_fd(pc[i]) : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		rc = poll(pfd, o->n_ifaces, 200);
		if (rc < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < o->n_ifaces; i++) {
			struct sw_pcap_pkt pkt;
			int n = 0;

			if (!pc[i] || !(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			/* Bounded batch per interface so one busy tap cannot starve the others. */
			while (n < 512 && (rc = sw_pcap_next(pc[i], &pkt, err, sizeof(err))) == 1) {
				sw_engine_feed(eng, pkt.data, pkt.caplen, pkt.wirelen, pkt.ts_usec,
					       sw_pcap_linktype(pc[i]), i);
				n++;
			}
			if (rc < 0) {
				fprintf(stderr, "sidewall: %s: capture error, retrying in 5 s: %s\n", o->ifaces[i], err);
				for (int k = 0; k < 3; k++) {
					cap.banked[k] += cap.last[i][k];
					cap.last[i][k] = 0;
				}
				sw_pcap_close(pc[i]);
				pc[i] = NULL;
				retry_at[i] = wall_usec() + 5 * 1000000;
			}
		}
		sw_engine_tick(eng, wall_usec());
		capture_stats(eng, pc, o->n_ifaces, &cap);
		housekeeping(hk);
	}
	capture_stats(eng, pc, o->n_ifaces, &cap);
	for (unsigned i = 0; i < o->n_ifaces; i++)
		sw_pcap_close(pc[i]);
	return 0;
fail:
	for (unsigned i = 0; i < o->n_ifaces; i++)
		sw_pcap_close(pc[i]);
	return -1;
}

/*
 * outputs.eve-log.syslog: every line that reaches eve.json is also streamed
 * to the collector.  Returns NULL (no streaming) or the started streamer;
 * *@fail is set when the section is enabled but cannot start.
 */
static struct sw_syslog *start_syslog(const struct sw_config *c, struct sw_eve *eve, bool *fail)
{
	struct sw_syslog_config sc;
	struct sw_syslog *s;
	char err[256];

	*fail = false;
	if (!c->syslog_enabled)
		return NULL;
	if (!c->syslog_host) {
		fprintf(stderr, "sidewall: outputs.eve-log.syslog: 'host' is required\n");
		*fail = true;
		return NULL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.host = c->syslog_host;
	sc.port = (uint16_t)c->syslog_port;
	sc.hostname = c->syslog_hostname;
	sc.facility = (uint8_t)c->syslog_facility;
	sc.severity = 6; /* informational: records, not faults */
	sc.mem_bytes = (size_t)c->syslog_mem;
	sc.spool_dir = c->syslog_spool_dir;
	sc.spool_bytes = c->syslog_spool_max;
	s = sw_syslog_new(&sc, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "sidewall: outputs.eve-log.syslog: %s\n", err);
		*fail = true;
		return NULL;
	}
	if (sw_eve_add_forwarder(eve, sw_syslog_forward, s) < 0) {
		fprintf(stderr, "sidewall: outputs.eve-log.syslog: cannot attach to the EVE output\n");
		sw_syslog_free(s);
		*fail = true;
		return NULL;
	}
	return s;
}

/* Enforcement counters at exit (Suricata's stats schema has no place for them). */
static void log_enforce(struct sw_enforce *enf)
{
	struct sw_enforce_stats st;

	if (!enf)
		return;
	sw_enforce_stats(enf, &st);
	fprintf(stderr,
		"sidewall: enforcement: %" PRIu64 " triggered, %" PRIu64 " deduplicated, %" PRIu64 " applied, %" PRIu64
		" refused, %" PRIu64 " pending before the last delivery pass (kept in the spool if it fails), %" PRIu64 " lost (queue %" PRIu64
		", spool %" PRIu64 ")\n",
		st.triggered, st.deduped, st.applied, st.refused, st.pending, st.queue_overflow + st.spool_dropped,
		st.queue_overflow, st.spool_dropped);
}

/* Everything one run holds, whatever the mode. */
struct run {
	struct sw_detect *d;
	struct sw_eve *eve;
	struct sw_eve_writer *w; /* the main thread's writer (stats) */
	struct sw_syslog *slog;
	struct sw_enforce *enf;
	struct sw_engine *eng;
	struct sw_engine_metrics *metrics; /* NULL = metrics.listen not set */
	int64_t t0;
	int64_t t0_wall;         /* wall clock of the start, microseconds */
	bool stats;              /* stats records wanted */
};

/*
 * Ruleset, EVE sink (with its syslog forwarder and in_iface names),
 * enforcement, then the engine with the mode's settings in @ec.  Returns 0,
 * or -1 after printing why (run_stop() still cleans up).
 */
static int run_start(const struct sw_cli *o, struct loaded *l, struct sw_engine_config *ec,
		     const char *const *ifnames, unsigned n_ifnames, struct run *r)
{
	char err[512], path[PATH_MAX + 256];
	const char *logdir = o->logdir ? o->logdir : l->cfg->log_dir ? l->cfg->log_dir : ".";
	bool slog_fail;

	memset(r, 0, sizeof(*r));
	r->t0 = now_s();
	r->t0_wall = wall_usec();
	r->stats = l->cfg->eve_enabled && (l->cfg->eve_types & SW_EVE_STATS);
	r->d = sw_detect_new(l->rules, err, sizeof(err));
	l->rules = NULL; /* owned by the detect engine now, even on failure */
	if (!r->d) {
		fprintf(stderr, "sidewall: cannot compile rules: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", logdir, l->cfg->eve_filename ? l->cfg->eve_filename : "eve.json");
	r->eve = sw_eve_open(path, l->cfg->eve_enabled ? l->cfg->eve_types : 0);
	if (!r->eve) {
		fprintf(stderr, "sidewall: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (n_ifnames)
		sw_eve_set_ifaces(r->eve, ifnames, n_ifnames);
	sw_eve_set_inline(r->eve, ec->ips);
	sw_eve_set_ipv6_compress(r->eve, l->cfg->eve_ipv6_compress);
	r->slog = start_syslog(l->cfg, r->eve, &slog_fail);
	if (slog_fail)
		return -1;
	if (l->cfg->enforce.set) {
		r->enf = sw_enforce_new(l->cfg, r->eve, err, sizeof(err));
		if (!r->enf) {
			fprintf(stderr, "sidewall: enforcement: %s\n", err);
			return -1;
		}
	}
	ec->verify_csum = o->checksum >= 0 ? o->checksum == 1 : l->cfg->checksum_validation;
	ec->flow = per_worker_flows(l->cfg, ec->threads);
	ec->stats_threads = l->cfg->stats_threads;
	ec->defrag = l->cfg->defrag; /* totals: the engine gives each worker its share */
	ec->decode = l->cfg->decode;
	ec->enforce = r->enf;
	ec->stream = l->cfg->stream; /* host-os-policy borrowed: l->cfg outlives the engine */
	ec->app = l->cfg->app; /* totals: the engine gives each worker its share of the memcaps */
	for (int p = SW_APP_HTTP1; p < SW_APP_FAILED; p++)
		ec->app.detect_off[p] = !l->cfg->app_enabled[p];
	r->eng = sw_engine_new(ec, r->d, r->eve, err, sizeof(err));
	r->w = sw_eve_writer_new(r->eve);
	if (!r->eng || !r->w) {
		fprintf(stderr, "sidewall: cannot start: %s\n", r->eng ? strerror(errno) : err);
		return -1;
	}
	/*
	 * Before the privilege drop (a port below 1024 needs it) and before
	 * any packet: a bad metrics.listen fails the start, naming the address.
	 */
	if (l->cfg->metrics_listen) {
		struct sw_engine_metrics_mode mm = {
			.mode = ec->inline_mode ? "inline" : n_ifnames ? "passive" : "offline",
			.inline_mode = ec->inline_mode, .ips = ec->ips, .defrag = ec->defrag.enabled,
		};

		r->metrics = sw_engine_metrics_new(l->cfg->metrics_listen, r->eng, &mm, err, sizeof(err));
		if (!r->metrics) {
			fprintf(stderr, "sidewall: metrics: %s\n", err);
			return -1;
		}
		fprintf(stderr, "sidewall: metrics on http://%s/metrics\n", l->cfg->metrics_listen);
	}
	return 0;
}

static struct housekeeping run_housekeeping(const struct run *r, const struct loaded *l)
{
	struct housekeeping hk = {
		.eng = r->eng, .eve = r->eve, .w = r->w, .loaded = l->n_loaded, .rejected = l->n_rejected,
		.t0 = r->t0, .interval = r->stats ? l->cfg->stats_interval : 0,
		.next_stats = r->t0 + l->cfg->stats_interval,
		.metrics = r->metrics, .enforce = r->enf, .last_reload_ok = true, .loaded_usec = r->t0_wall,
	};
	return hk;
}

/* Final stats record and summary (the engine must be finished). */
static void run_report(struct run *r, const struct loaded *l)
{
	if (r->stats)
		sw_engine_write_stats(r->eng, r->w, l->n_loaded, l->n_rejected, now_s() - r->t0);
	sw_engine_log_summary(r->eng);
}

static void run_stop(struct run *r)
{
	sw_engine_metrics_free(r->metrics); /* first: its thread may wait on a snapshot */
	sw_eve_writer_free(r->w);
	sw_engine_free(r->eng);
	/* After the workers (no more alerts), before the EVE sink its events go to. */
	log_enforce(r->enf);
	sw_enforce_free(r->enf);
	sw_eve_close(r->eve);
	sw_syslog_free(r->slog); /* after the last EVE line: undelivered ones go to the spool */
	sw_detect_put(r->d);
}

/* Offline (-r) and passive (-i): one reader feeds the workers. */
static int run_offline(const struct sw_cli *o, struct loaded *l)
{
	struct sw_engine_config ec;
	struct run r;
	char err[512];
	int ret = 1;
	uint64_t wire = 0, n_read = 0;
	double t_read = 0;
	struct housekeeping hk_files;

	memset(&ec, 0, sizeof(ec));
	ec.threads = thread_count(o, l->cfg);
	/* --simulate-ips on a capture or a tap: the verdicts an inline sensor would give, logged, nothing dropped */
	ec.ips = ec.simulate_ips = o->simulate_ips;
	ec.batch_output = !o->n_ifaces;
	if (run_start(o, l, &ec, (const char *const *)o->ifaces, o->n_ifaces, &r) < 0)
		goto out;
	/* Offline needs no capability; the capture files must be readable by the run-as user. */
	if (!o->n_ifaces && harden(o, 0) < 0) {
		sw_engine_finish(r.eng);
		goto out;
	}
	if (o->n_ifaces) {
		struct housekeeping hk = run_housekeeping(&r, l);
		if (live_loop(o, r.eng, &hk) < 0) {
			sw_engine_finish(r.eng);
			goto out;
		}
	}
	t_read = mono_s();
	hk_files = run_housekeeping(&r, l);
	for (unsigned i = 0; i < o->n_rfiles && !stop_requested; i++) {
		struct sw_pcap *pc = sw_pcap_open_file(o->rfiles[i], err, sizeof(err));
		struct sw_pcap_pkt pkt;
		int rc = 0;

		if (!pc) {
			fprintf(stderr, "sidewall: %s\n", err);
			sw_engine_finish(r.eng);
			goto out;
		}
		while (!stop_requested && (rc = sw_pcap_next(pc, &pkt, err, sizeof(err))) == 1) {
			wire += pkt.wirelen;
			sw_engine_feed(r.eng, pkt.data, pkt.caplen, pkt.wirelen, pkt.ts_usec, sw_pcap_linktype(pc), i);
			/* capture files have no housekeeping loop: a waiting scrape is served between packets */
			if (!(++n_read & 1023))
				metrics_poll(&hk_files);
		}
		sw_pcap_close(pc);
		if (rc < 0) {
			/* A truncated capture is common (a tap cut short); keep what was read, say so. */
			fprintf(stderr, "sidewall: %s: read error, stopped early: %s\n", o->rfiles[i], err);
		}
	}
	sw_engine_finish(r.eng);
	if (o->n_rfiles) {
		/* what benchmarks net of start-up need, without a second run to subtract */
		double t_end = mono_s();

		fprintf(stderr,
			"sidewall: start-up %.3f s; capture read, inspected and logged in %.3f s: %.2f Gbit/s of %"
			PRIu64 " wire bytes\n",
			t_read - t_main, t_end - t_read, t_end > t_read ? (double)wire * 8 / (t_end - t_read) / 1e9 : 0.0,
			wire);
	}
	run_report(&r, l);
	if (sw_eve_dropped(r.eve))
		fprintf(stderr, "sidewall: %" PRIu64 " EVE records could not be written\n", sw_eve_dropped(r.eve));
	ret = sw_eve_dropped(r.eve) ? 1 : 0;
out:
	run_stop(&r);
	return ret;
}

/*
 * SIGHUP: read config and rules again and compile them beside the running
 * ruleset.  Any failure keeps the old ruleset and says why.
 */
static struct sw_detect *reload_rules(struct reload_counts *rc)
{
	struct loaded l;
	struct sw_detect *d = NULL;
	char err[512];

	fprintf(stderr, "sidewall: SIGHUP: reloading rules\n");
	if (load_all(reload_opts, &l, stderr) < 0) {
		fprintf(stderr, "sidewall: reload failed, keeping the running rules\n");
		goto out;
	}
	fprintf(stderr, "sidewall: reload: rules: %zu loaded, %zu rejected\n", l.n_loaded, l.n_rejected);
	if (!l.n_loaded) {
		fprintf(stderr, "sidewall: reload loaded no rules, keeping the running rules\n");
		goto out;
	}
	d = sw_detect_new(l.rules, err, sizeof(err));
	l.rules = NULL;
	if (!d) {
		fprintf(stderr, "sidewall: reload failed (%s), keeping the running rules\n", err);
	} else {
		fprintf(stderr, "sidewall: reload: new ruleset active\n");
		rc->loaded = l.n_loaded;
		rc->rejected = l.n_rejected;
	}
out:
	loaded_free(&l);
	return d;
}

static char qname_buf[1024][12];
static const char *qnames[1024];

/* Inline (-q): each worker owns its queue; this thread does housekeeping. */
static int run_inline(const struct sw_cli *o, struct loaded *l)
{
	struct sw_engine_config ec;
	struct run r;
	unsigned nq = (unsigned)(o->q_last - o->q_first) + 1;
	int ret = 1;

	/* in_iface names the queue a packet came through, as "nfq:N". */
	for (unsigned q = 0; q < nq; q++) {
		snprintf(qname_buf[q], sizeof(qname_buf[q]), "nfq:%u", o->q_first + q);
		qnames[q] = qname_buf[q];
	}
	memset(&ec, 0, sizeof(ec));
	ec.threads = nq;
	ec.inline_mode = true;
	ec.ips = true;
	ec.simulate_ips = o->simulate_ips;
	ec.fail_closed = o->fail_closed;
	ec.queue_first = o->q_first;
	ec.queue_fail_open = !o->fail_closed;
	ec.queue_maxlen = o->q_maxlen;
	ec.queue_rcvbuf = o->q_rcvbuf;
	ec.bypass_mark = o->bypass_mark;
	ec.drop_connmark = o->drop_connmark;
	if (run_start(o, l, &ec, qnames, nq, &r) < 0)
		goto out;
	/*
	 * Queues and reject sockets are bound; verdicts still need
	 * CAP_NET_ADMIN (nfnetlink checks the sender), and the workers that
	 * send them start after this, inheriting it.
	 */
	if (harden(o, SW_HARDEN_CAP(CAP_NET_ADMIN)) < 0)
		goto out;
	fprintf(stderr, "sidewall: inline on nfqueue %u..%u (%u workers)%s\n", o->q_first, o->q_last, ec.threads,
		o->simulate_ips ? ", simulating: nothing is dropped" : "");
	reload_opts = o;
	{
		struct housekeeping hk = run_housekeeping(&r, l);
		if (sw_engine_run_inline(r.eng, &stop_requested, housekeeping, &hk) < 0)
			fprintf(stderr, "sidewall: worker start failed\n");
	}
	run_report(&r, l);
	ret = 0;
out:
	run_stop(&r);
	return ret;
}

/*
 * Capture settings come from the config's capture section; the command line
 * picks the source (-r, -i, -q) and, when it names none, the config does.
 */
static int apply_capture_config(struct sw_cli *o, const struct sw_config *c)
{
	if (!o->n_rfiles && !o->n_ifaces && !o->inline_mode) {
		if (c->nfq_set) {
			o->inline_mode = true;
			o->q_first = c->nfq_first;
			o->q_last = c->nfq_last;
		} else if (c->n_pcap_ifaces) {
			for (uint32_t i = 0; i < c->n_pcap_ifaces && i < SW_CLI_MAX_INPUTS; i++)
				o->ifaces[o->n_ifaces++] = c->pcap_ifaces[i];
		} else {
			fprintf(stderr, "sidewall: nothing to read: give -r FILE.pcap, -i IFACE or -q QUEUE, "
					"or a capture section in the config\n");
			return -1;
		}
	}
	o->snaplen = c->pcap_snaplen;
	o->promisc = c->pcap_promisc;
	o->pcap_buffer = c->pcap_buffer;
	if (!o->bpf)
		o->bpf = c->pcap_bpf;
	o->q_maxlen = c->nfq_maxlen;
	o->q_rcvbuf = c->nfq_rcvbuf;
	o->bypass_mark = c->nfq_bypass_mark;
	o->drop_connmark = c->nfq_drop_connmark;
	/* --fail-closed on the command line wins over fail-open: yes. */
	if (!c->nfq_fail_open)
		o->fail_closed = true;
	return 0;
}

/*
 * run-as: the command line wins over the config.  Checks the user and
 * group exist now, so a typo fails at start rather than after the capture
 * is up; -T (@report) prints what it found.  Returns 0 or -1.
 */
static int run_as_setup(struct sw_cli *o, const struct sw_config *c, bool report)
{
	const char *logdir = o->logdir ? o->logdir : c->log_dir ? c->log_dir : ".";
	char err[256];
	uid_t uid;
	gid_t gid;

	if (!o->run_user)
		o->run_user = c->run_as_user;
	if (!o->run_group)
		o->run_group = c->run_as_group;
	if (!o->run_user) {
		if (o->run_group) {
			fprintf(report ? stdout : stderr, "run-as: a group without a user: give --user or run-as.user\n");
			return -1;
		}
		if (report)
			printf("run-as: not set (runs as the invoking user, nothing dropped)\n");
		return 0;
	}
	if (sw_harden_lookup(o->run_user, o->run_group, &uid, &gid, err, sizeof(err)) < 0) {
		fprintf(report ? stdout : stderr, "run-as: %s\n", err);
		return -1;
	}
	if (report)
		printf("run-as: user %s (uid %u), group %s (gid %u): exists%s\n", o->run_user, (unsigned)uid,
		       o->run_group ? o->run_group : "(the user's)", (unsigned)gid,
		       geteuid() == 0 || geteuid() == uid ? "" : "; cannot switch to it: not running as root");
	snprintf(harden_eve_path, sizeof(harden_eve_path), "%s/%s", logdir,
		 c->eve_filename ? c->eve_filename : "eve.json");
	return 0;
}

int main(int argc, char **argv)
{
	struct sw_cli o;
	struct loaded l;
	struct sigaction sa;
	int ret, run_as_rc;

	t_main = mono_s();
	ret = sw_cli_parse(argc, argv, &o);
	if (ret != 0)
		return ret < 0 ? 2 : 0;
	if (o.allow_rejected && !o.test_only) {
		fprintf(stderr, "sidewall: --allow-rejected goes with -T\n");
		return 2;
	}
	if (!o.test_only && (!!o.n_rfiles + !!o.n_ifaces + o.inline_mode) > 1) {
		fprintf(stderr, "sidewall: give one source: -r FILE.pcap, -i IFACE or -q QUEUE\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/*
	 * Check every capture file before the (slower) rule loading, so a
	 * typo in a path fails at once with one line naming the file.
	 */
	for (unsigned i = 0; i < o.n_rfiles; i++) {
		char err[512];
		struct sw_pcap *pc;

		if (!strcmp(o.rfiles[i], "-"))
			continue; /* standard input can be read only once */
		pc = sw_pcap_open_file(o.rfiles[i], err, sizeof(err));
		if (!pc) {
			fprintf(stderr, "sidewall: %s\n", err);
			return 1;
		}
		sw_pcap_close(pc);
	}
	if (load_all(&o, &l, o.test_only ? stdout : stderr) < 0) {
		loaded_free(&l);
		return 1;
	}
	run_as_rc = run_as_setup(&o, l.cfg, o.test_only);
	if (run_as_rc < 0 && !o.test_only) {
		loaded_free(&l);
		return 1;
	}
	if (o.test_only) {
		char eerr[512];
		int enf_rc = sw_enforce_check(l.cfg, eerr, sizeof(eerr));

		printf("rules: %zu loaded, %zu rejected\n", l.n_loaded, l.n_rejected);
		if (enf_rc)
			printf("%s: %s\n", l.cfg->path, eerr);
		else if (l.cfg->enforce.set)
			printf("enforcement: %u enforcer(s), keys ok\n", l.cfg->enforce.n_enforcers);
		ret = (l.n_rejected && !o.allow_rejected) || !l.n_loaded || run_as_rc < 0 || enf_rc ? 1 : 0;
		loaded_free(&l);
		return ret;
	}
	if (!l.n_loaded) {
		fprintf(stderr, "sidewall: no rules loaded (%zu rejected)\n", l.n_rejected);
		loaded_free(&l);
		return 1;
	}
	if (apply_capture_config(&o, l.cfg) < 0) {
		loaded_free(&l);
		return 2;
	}
	fprintf(stderr, "rules: %zu loaded, %zu rejected\n", l.n_loaded, l.n_rejected);
	ret = o.inline_mode ? run_inline(&o, &l) : run_offline(&o, &l);
	loaded_free(&l);
	return ret;
}
