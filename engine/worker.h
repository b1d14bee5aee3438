/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine runtime: worker threads, each owning a flow table, a detect
 * context and an EVE writer, fed by one reader through bounded
 * single-producer/single-consumer rings by a symmetric flow hash, so both
 * directions of a flow meet in one worker and the hot path takes no locks.
 * A worker whose ring stays empty sleeps on a futex until the reader's next
 * record (a packet or a tick), so an idle sensor costs no CPU.
 *
 * With one thread there are no rings: the reader runs the pipeline itself.
 *
 * Time is packet time.  The reader broadcasts a tick to every worker each
 * time capture time enters a new second, and flow timeouts are evaluated on
 * those ticks, so a capture yields the same flow records whatever the
 * number of workers.
 */
#ifndef SW_ENGINE_WORKER_H
#define SW_ENGINE_WORKER_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "capture/nfq.h"
#include "engine/decode/decode.h"
#include "engine/decode/defrag.h"
#include "engine/detect/detect.h"
#include "engine/output/eve.h"
#include "engine/app/app.h"
#include "engine/flow/flow.h"
#include "engine/flow/stream.h"

struct sw_enforce;

struct sw_engine_config {
	uint32_t threads;          /* >= 1 */
	bool verify_csum;
	struct sw_decode_config decode; /* decoder.*: UDP tunnel ports, layer limit (zeroed: no UDP tunnels) */
	struct sw_flow_config flow;
	struct sw_defrag_config defrag; /* totals for the engine; each worker gets 1/threads (disabled: fragments only counted) */
	uint32_t ring_bytes;       /* per worker ring; 0 = default (4 MiB) */
	bool stats_threads;        /* per-worker counters in stats records (stats.threads) */
	/*
	 * Capture files: a worker's EVE lines go to the sink when its buffer is
	 * full and at the end, not at every second of capture time (one write
	 * per ~192 KiB instead of one per capture second, 3,789 writes of ~470
	 * bytes on public-mix.pcap).  Live sources flush every second.
	 */
	bool batch_output;
	struct sw_enforce *enforce; /* block requests for triggering alerts (borrowed), NULL = none */
	struct sw_app_config app;  /* application layer (protocol detection, HTTP); workers filled in by the engine */
	struct sw_stream_config stream; /* stream.* for the stream stage (hosts borrowed from the loaded config) */

	/*
	 * Verdicts are decided: drop/reject rules drop (or, with simulate_ips,
	 * are logged as they would), a dropped flow's later packets are not
	 * inspected.  Inline, and offline or passive with --simulate-ips.
	 */
	bool ips;
	/* Inline (NFQUEUE): worker i owns queue queue_first + i. */
	bool inline_mode;
	bool simulate_ips;         /* evaluate as inline, accept everything, log what would drop */
	bool fail_closed;          /* packets that cannot be processed are dropped (default: accepted) */
	uint16_t queue_first;
	uint32_t queue_maxlen;     /* 0 = kernel default */
	uint32_t queue_rcvbuf;     /* 0 = socket default */
	bool queue_fail_open;      /* kernel accepts when the queue is full (NFQA_CFG_F_FAIL_OPEN) */
	uint32_t bypass_mark;      /* OR'ed into the nfmark of packets of passed flows; 0 = none */
	uint32_t drop_connmark;    /* set in the conntrack mark of dropped flows (bits of this mask only); 0 = none */
};

struct sw_engine;

/*
 * New engine running ruleset @d (takes its own reference) and writing to
 * @eve (borrowed; must outlive the engine).  Starts the worker threads.
 * Inline mode binds the queues here, so a missing capability or a busy
 * queue fails at start.  Returns NULL with errno set and a reason in @err.
 */
struct sw_engine *sw_engine_new(const struct sw_engine_config *cfg, struct sw_detect *d, struct sw_eve *eve,
				char *err, size_t errlen);

/*
 * Hand one captured packet to the engine (called from one reader thread
 * only).  @data is copied before return.  Blocks while the target worker's
 * ring is full (offline: nothing is dropped).  Returns 0.
 */
int sw_engine_feed(struct sw_engine *e, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts_usec,
		   int linktype, uint32_t iface);

/*
 * Advance time to @ts_usec without a packet (live capture when idle), so
 * idle flows still time out and buffered records still leave.  Same thread
 * as sw_engine_feed().
 */
void sw_engine_tick(struct sw_engine *e, int64_t ts_usec);

/*
 * End of input: expire flows at the last packet time, end the rest as
 * "shutdown", stop and join the workers.  Returns 0.
 */
int sw_engine_finish(struct sw_engine *e);

/* Write one EVE stats record summing every worker (after sw_engine_finish()). */
void sw_engine_write_stats(struct sw_engine *e, struct sw_eve_writer *w, uint64_t rules_loaded,
			   uint64_t rules_failed, int64_t uptime_s);

/*
 * Every counter the workers keep, as EVE stats records, the exit summary
 * and the metrics endpoint read them (one counting path for all three).
 */
struct sw_engine_totals {
	struct sw_decode_stats ds;
	struct sw_stream_stats ss;
	struct sw_flow_stats fs;
	struct sw_detect_stats dt; /* carried across reloads (sw_detect_ctx_inherit_stats) */
	struct sw_defrag_stats df;
	/*
	 * invalid_csum: packets not inspected for a bad checksum; scan_fail:
	 * detection failed; fail_verdicts: packets given the failure verdict;
	 * flow_drops: packets of dropped flows; rule_drops: packets dropped
	 * (or, simulating, that would be) by drop/reject rules.
	 */
	uint64_t invalid_csum, scan_fail, fail_verdicts, flow_drops, rule_drops, rejects_sent, reject_errors;
	uint64_t reasm_memuse;
	struct sw_nfq_stats nfq;   /* inline only */
	uint64_t ctmark_sent, ctmark_failed; /* drop-connmark conntrack updates (inline) */
	struct sw_app_stats app;
	uint64_t app_flows_tcp[SW_APP_N], app_flows_udp[SW_APP_N]; /* Suricata splits dns/failed by transport */
};

/*
 * Counters of worker @worker (0 .. threads - 1), or of every worker summed
 * when @worker < 0, into @t.  For a thread that runs no packets (the main
 * loop): counters are read while workers write them, each an aligned
 * 64-bit word, so a reading is at worst a few packets stale, never torn;
 * the detect counters are read under the lock a reload swaps them under.
 */
void sw_engine_totals(struct sw_engine *e, int worker, struct sw_engine_totals *t);

/* Number of workers. */
unsigned sw_engine_threads(const struct sw_engine *e);

/* The kernel capture counters last set (live pcap); false if none were. */
bool sw_engine_capture_stats(const struct sw_engine *e, uint64_t *packets, uint64_t *drops, uint64_t *ifdrops);

/* Kernel capture counters (live pcap) for the next stats record: totals over every interface. */
void sw_engine_set_capture_stats(struct sw_engine *e, uint64_t packets, uint64_t drops, uint64_t ifdrops);

/* Human summary on stderr at exit: every counter by name, including those EVE has no field for. */
void sw_engine_log_summary(struct sw_engine *e);

/*
 * Inline mode: run every worker on its NFQUEUE until *@stop becomes
 * non-zero, then drain (pending packets get verdicts), end every flow as
 * "shutdown" and return.  Meanwhile the calling thread calls @housekeeping
 * (reloads, periodic stats) about ten times a second.  Returns 0 or -errno.
 */
int sw_engine_run_inline(struct sw_engine *e, volatile sig_atomic_t *stop, void (*housekeeping)(void *ctx),
			 void *ctx);

/*
 * Swap in ruleset @d (takes its own reference) under running workers: each
 * worker builds a new detect context at its next packet; packets in flight
 * finish on the old ruleset and flows keep their state.
 */
void sw_engine_swap_ruleset(struct sw_engine *e, struct sw_detect *d);

int64_t sw_engine_last_ts(const struct sw_engine *e);
uint64_t sw_engine_packets(const struct sw_engine *e);

void sw_engine_free(struct sw_engine *e);

#endif
