/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/futex.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture/ctmark.h"
#include "capture/nfq.h"
#include "config.h"
#include "engine/decode/decode.h"
#include "engine/output/enforce.h"
#include "engine/output/reject.h"
#include "engine/app/app.h"
#include "engine/flow/stream.h"
#include "common/hash.h"
#include "common/prefault.h"

/*
 * 4 MiB a worker: 2,600 full-size packets, 34 ms at 1 Gbit/s.  8 MiB did
 * not replay a capture faster with 2 workers, and cost 8 MB more resident
 * (every page of a ring is used: it wraps).
 */
#define RING_DEFAULT (4u << 20)
#define REC_ALIGN 32u
/* The stream view is tail + one segment; a GSO segment can reach 64 KiB and a capture file 256 KiB. */
#define MAX_SEGMENT (256u << 10)

enum rec_kind { REC_PKT = 1, REC_TICK, REC_WRAP, REC_END };

/* Ring record header; REC_ALIGN-sized so the tail of the ring always fits one. */
struct rec {
	uint32_t kind;
	uint32_t caplen;
	uint32_t wirelen;
	int32_t linktype;
	int64_t ts_usec;
	uint32_t iface;
	uint32_t pcap_cnt; /* the packet's number in the capture (EVE pcap_cnt), low 32 bits */
};
_Static_assert(sizeof(struct rec) == REC_ALIGN, "ring record header size");

/*
 * Bounded single-producer/single-consumer byte ring of variable-size records.
 * A consumer that finds it empty for a while sleeps on a futex the producer
 * wakes (ring_wait_data()); @sleeping shares the consumer's cache line, which
 * the producer reads on every put anyway.
 */
struct ring {
	uint8_t *buf;
	size_t size; /* power of two */
	_Alignas(64) atomic_size_t head; /* written by the producer */
	_Alignas(64) atomic_size_t tail; /* written by the consumer */
	atomic_uint sleeping; /* futex word: 1 while the consumer is (about to be) asleep */
};

struct worker {
	struct sw_engine *e;
	unsigned id;
	pthread_t th;
	bool started;
	struct ring ring;
	struct sw_flow_table *ft;
	struct sw_defrag *df;   /* NULL when defrag is disabled */
	struct sw_detect_ctx *dc;
	struct sw_eve_writer *w;
	uint8_t *scratch;
	size_t scratch_len;
	struct sw_stream_pool *sp; /* held out-of-order TCP segments */
	struct sw_app *app;     /* protocol detection and parsers */
	bool flow_ending;       /* on_flow_end() is handing held stream bytes out */
	/* the packet being inspected, for transaction stages it completes */
	const struct sw_stream_view *cur_view;
	enum sw_action tx_verdict; /* strongest action of transaction rules on the current packet */
	const struct sw_rule *tx_verdict_rule;
	struct sw_packet pkt;
	struct sw_decode_stats ds;
	struct sw_stream_stats ss;
	uint64_t invalid_csum;  /* packets not inspected because a checksum was bad */
	uint64_t scan_fail;     /* detection failed on a packet (counted, packet still logged in its flow) */
	uint64_t fail_verdicts; /* packets given the failure verdict (undecodable or detection failed) */
	uint64_t flow_drops;    /* packets dropped because their flow was already dropped */
	uint64_t rule_drops;    /* packets dropped by a drop/reject rule */
	uint64_t rejects_sent, reject_errors;
	/* inline */
	struct sw_nfq *nfq;
	struct sw_nfq_stats nfq_final; /* counters of the queue once closed */
	struct sw_ctmark *ct;   /* conntrack mark updates for dropped flows (drop-connmark), NULL if none */
	int raw4, raw6;         /* raw sockets for reject; -1 if unavailable */
	/* ruleset generation this worker's detect context was built for */
	uint64_t gen;
	struct sw_detect *pending_swap;
	/*
	 * Capture order for state shared across workers (order_wait()): keys
	 * of the records the reader put in this ring (written by the reader),
	 * the one this worker took last, and the one it finished last.  A
	 * packet's key is 2 * its number, a tick's 2 * the last packet's + 1;
	 * 32 bits compared with wrap-around.
	 */
	_Alignas(64) atomic_uint ord_put;
	_Alignas(64) atomic_uint ord_cur;
	atomic_uint ord_done;
};

/*
 * Where the fragments of one datagram went (pick_worker()): all of them must
 * meet in one worker, and for a tunnel carrier that is the worker of the
 * inner flow, which only the first fragment names.  Keyed by the datagram
 * (addresses, IP id, VLAN ids, interface; protocol left out: IPv6 names it
 * in the first fragment only), kept for the defragmenter's timeout.
 */
#define FRAGROUTE_SETS 16384u
#define FRAGROUTE_WAYS 4u
struct fragroute {
	uint64_t key;     /* 0: free */
	int64_t expires;  /* packet time */
	uint32_t worker;
};

struct sw_engine {
	struct sw_engine_config cfg;
	pthread_mutex_t swap_lock; /* guards d during a swap; workers take it only when gen changed */
	atomic_uint_fast64_t gen;
	struct sw_detect *d;
	volatile sig_atomic_t *stop;
	struct sw_eve *eve;
	struct worker *w;
	unsigned n;
	int64_t last_tick_sec;
	int64_t last_ts;
	uint64_t packets;
	bool have_capture_stats;
	uint64_t cap_packets, cap_drops, cap_ifdrops;
	struct fragroute *fragroute; /* FRAGROUTE_SETS * FRAGROUTE_WAYS; NULL: one worker, or no defrag */
	int64_t fragroute_full_until; /* packet time until which no datagram goes by its inner flow */
};

/* ---- ring ---- */

static size_t rec_size(uint32_t caplen)
{
	return (sizeof(struct rec) + caplen + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1);
}

/*
 * The producer waiting for room: spin briefly (the consumer is usually just
 * behind), then yield, then sleep.  Only a ring full under load gets here,
 * so the consumer never has to signal room.
 */
static void backoff(unsigned *spins)
{
	if (++*spins < 64)
		return;
	if (*spins < 256) {
		sched_yield();
		return;
	}
	struct timespec ts = { 0, 50 * 1000 };
	nanosleep(&ts, NULL);
}

/*
 * Longest a consumer sleeps without a wake-up.  Not a timer anyone needs:
 * housekeeping (flow timeouts, EVE flushes) arrives as REC_TICK records,
 * which wake the consumer like packets; this only bounds the cost of a
 * wake-up that never comes.
 */
#define RING_SLEEP_NS 1000000000L

/*
 * The futex word is an atomic_uint, which has a plain unsigned's size and
 * representation (lock-free); the kernel only needs its address.  The
 * cast goes through uintptr_t because C has no other way to drop _Atomic
 * from a pointer without -Wcast-qual saying so.
 */
static unsigned *futex_addr(atomic_uint *word)
{
	_Static_assert(sizeof(atomic_uint) == sizeof(unsigned), "futex word size");
	return (unsigned *)(uintptr_t)word;
}

static void futex_wait(atomic_uint *word, unsigned val, long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	/* EAGAIN (the word changed), EINTR and ETIMEDOUT all mean: look again. */
	syscall(SYS_futex, futex_addr(word), FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void futex_wake(atomic_uint *word)
{
	syscall(SYS_futex, futex_addr(word), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/*
 * The consumer waiting for data past @tail: spin and yield as long as a
 * packet usually takes to come under load (a few hundred microseconds),
 * then sleep until the producer's next put.  An idle sensor thus costs a
 * wake-up per tick, not a core (issue 11: 7,300 nanosleep() calls a second
 * per worker before).
 *
 * No lost wake-up: the consumer stores @sleeping = 1 and then loads head;
 * the producer stores head and then loads @sleeping, all sequentially
 * consistent, so at least one of them sees the other's store (Dekker).
 * Either the consumer sees the new head and does not sleep, or the producer
 * sees 1 and wakes it; and since the producer resets the word before the
 * wake, a FUTEX_WAIT that starts after it returns at once (EAGAIN).
 */
static void ring_wait_data(struct ring *r, size_t tail)
{
	unsigned spins = 0;

	while (atomic_load_explicit(&r->head, memory_order_acquire) == tail) {
		if (++spins < 64)
			continue;
		if (spins < 256) {
			sched_yield();
			continue;
		}
		atomic_store_explicit(&r->sleeping, 1, memory_order_seq_cst);
		if (atomic_load_explicit(&r->head, memory_order_seq_cst) == tail)
			futex_wait(&r->sleeping, 1, RING_SLEEP_NS);
		atomic_store_explicit(&r->sleeping, 0, memory_order_relaxed);
		spins = 0;
	}
}

/*
 * After a put (head stored seq_cst): wake the consumer if it went to sleep
 * (see ring_wait_data()).  A load first: the common case, a consumer awake,
 * must not write the consumer's cache line on every packet.
 */
static void ring_signal(struct ring *r)
{
	if (atomic_load_explicit(&r->sleeping, memory_order_seq_cst) &&
	    atomic_exchange_explicit(&r->sleeping, 0, memory_order_seq_cst))
		futex_wake(&r->sleeping);
}

static void ring_put(struct ring *r, const struct rec *h, const uint8_t *data)
{
	size_t need = rec_size(h->caplen);
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t idx = head & (r->size - 1);
	size_t room_to_end = r->size - idx;
	size_t total = need <= room_to_end ? need : room_to_end + need;
	unsigned spins = 0;

	while (r->size - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < total)
		backoff(&spins);
	if (need > room_to_end) {
		struct rec wrap = { .kind = REC_WRAP };
		memcpy(r->buf + idx, &wrap, sizeof(wrap));
		head += room_to_end;
		idx = 0;
	}
	memcpy(r->buf + idx, h, sizeof(*h));
	if (h->caplen)
		memcpy(r->buf + idx + sizeof(*h), data, h->caplen);
	atomic_store_explicit(&r->head, head + need, memory_order_seq_cst);
	ring_signal(r);
}

/* Next record; the caller releases it with ring_release() when done with the bytes. */
static const uint8_t *ring_get(struct ring *r, struct rec *h)
{
	for (;;) {
		size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		size_t idx = tail & (r->size - 1);

		ring_wait_data(r, tail);
		memcpy(h, r->buf + idx, sizeof(*h));
		if (h->kind == REC_WRAP) {
			atomic_store_explicit(&r->tail, tail + (r->size - idx), memory_order_release);
			continue;
		}
		return r->buf + idx + sizeof(*h);
	}
}

static void ring_release(struct ring *r, const struct rec *h)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + rec_size(h->caplen), memory_order_release);
}

/* ---- the per-packet pipeline ---- */

/*
 * A packet of direction @dir (0 = to server) of flow @f, rebuilt from the
 * flow key, for what is inspected without a wire packet of its own (held
 * stream bytes given up, transaction stages reached at flow end): TCP ACK,
 * no payload, the flow's last time.
 */
static void flow_packet(struct sw_flow *f, int dir, struct sw_packet *p)
{
	memset(p, 0, sizeof(*p));
	p->ts_usec = f->last_usec;
	p->iface = f->iface;
	p->ip_ver = f->cli.family == AF_INET6 ? 6 : 4;
	p->proto = f->proto;
	p->l4_ok = true;
	p->vlan_count = f->vlan_count;
	p->vlan[0] = f->vlan[0];
	p->vlan[1] = f->vlan[1];
	p->src = dir == 0 ? f->cli : f->srv;
	p->dst = dir == 0 ? f->srv : f->cli;
	p->sport = dir == 0 ? f->cli_port : f->srv_port;
	p->dport = dir == 0 ? f->srv_port : f->cli_port;
	p->tcp_flags = f->proto == 6 ? SW_TCP_ACK : 0;
	p->flow = f;
	p->to_server = dir == 0;
}

/*
 * Held TCP bytes that never joined the stream (the flow ended, or the gap
 * outgrew what may be held): inspect them as one packet of direction @dir
 * so nothing is silently skipped.  Its view is the run (stream rules see
 * it, no packet payload, so packet rules, which saw each real segment, do
 * not match it again).  Uses a packet of its own: w->pkt may be the packet
 * being processed.  The application parser of that direction stops: the
 * bytes it missed are gone.
 */
static void on_stream_gap(void *ctx, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base)
{
	struct worker *w = ctx;
	const struct sw_engine_config *c = &w->e->cfg;
	struct sw_stream_view v = { .data = data, .len = len, .new_off = 0, .base = base, .in_stream = true };
	struct sw_detect_result res;
	struct sw_packet p;
	int rc;

	/*
	 * At flow end the parser reads past the gap; a gap given up mid-flow
	 * is told to it at the resync that follows (its length is counted in
	 * the stream's gap_bytes, these bytes included).  A dropped flow is
	 * not inspected any more.
	 */
	if (w->app && w->flow_ending)
		sw_app_held(w->app, f, dir, data, len, base);
	if (c->ips && f->dropped)
		return;
	flow_packet(f, dir, &p);
	p.stream_flush = true;
	rc = sw_detect_packet(w->dc, &p, &v, &res); /* flow:established holds for it: detect_verify.c */
	if (rc < 0) {
		w->scan_fail++;
		return;
	}
	/* The segments were accepted when they arrived: nothing left to drop. */
	for (uint32_t i = 0; i < res.n; i++) {
		sw_eve_alert(w->w, &p, res.m[i].rule, "allowed");
		sw_enforce_alert(c->enforce, &p, res.m[i].rule);
	}
}

/*
 * A transaction reached a stage (engine/app/): evaluate that stage's
 * rules.  When the packet that completed it goes the stage's way, alerts
 * carry it and a drop drops it (inline); otherwise (a response completing a
 * request, the flow ending) the packet is rebuilt from the flow and alerts
 * are "allowed": the bytes already passed.  The "http" record of a
 * transaction is written when its last stage is reached.
 */
static void drop_event(struct worker *w, const struct sw_packet *p, const struct sw_rule *r, const char *reason);

static void on_stage(void *ctx, struct sw_flow *f, const struct sw_packet *cur, struct sw_app_tx *tx,
		     enum sw_app_stage stage)
{
	struct worker *w = ctx;
	const struct sw_engine_config *c = &w->e->cfg;
	int dir = sw_app_stage_to_server(stage) ? 0 : 1;
	bool live = cur == &w->pkt && w->pkt.to_server == (dir == 0);
	struct sw_packet rebuilt, *p = &w->pkt;
	struct sw_detect_result res;
	const char *action;
	bool drop;

	if (c->ips && f->dropped && stage != SW_STAGE_TX_DONE)
		return; /* the flow was dropped: nothing of it is inspected any more */
	if (!live) {
		flow_packet(f, dir, &rebuilt);
		if (cur) {
			rebuilt.ts_usec = cur->ts_usec;
			rebuilt.pcap_cnt = cur->pcap_cnt;
		}
		else
			rebuilt.stream_flush = true; /* flow end: the bytes came while it was established */
		p = &rebuilt;
	}
	if (stage == SW_STAGE_TX_DONE) {
		/* one record per transaction, of its protocol's event type */
		bool dns = tx->proto == SW_APP_DNS, tls = tx->proto == SW_APP_TLS, ssh = tx->proto == SW_APP_SSH;
		struct sw_json *j = sw_eve_flow_event(w->w, dns ? "dns" : tls ? "tls" : ssh ? "ssh" : "http",
						      dns ? SW_EVE_DNS : tls ? SW_EVE_TLS : ssh ? SW_EVE_SSH : SW_EVE_HTTP,
						      f, dns && !sw_app_tx_to_server(tx), p->ts_usec, p->pcap_cnt);

		if (j) {
			sw_json_u64(j, "tx_id", tx->id);
			sw_app_tx_eve(tx, j, true);
			sw_eve_end(w->w);
		}
		return;
	}
	if (sw_detect_tx(w->dc, p, live ? w->cur_view : NULL, tx, stage, &res) < 0) {
		w->scan_fail++;
		return;
	}
	drop = c->ips && (res.verdict == SW_ACTION_DROP || res.verdict == SW_ACTION_REJECT);
	action = drop && live && !c->simulate_ips ? "blocked" : "allowed";
	for (uint32_t i = 0; i < res.n; i++) {
		struct sw_json *j = sw_eve_alert_begin(w->w, p, res.m[i].rule, action);

		if (j) {
			sw_json_u64(j, "tx_id", tx->id); /* Suricata's: which transaction of the flow */
			sw_app_tx_eve(tx, j, false);
			sw_eve_alert_end(w->w, p);
		}
		sw_enforce_alert(c->enforce, p, res.m[i].rule);
	}
	if (!drop)
		return;
	if (live) {
		/* inspect() drops the packet that completed the stage */
		if (!w->tx_verdict_rule || res.verdict > w->tx_verdict) {
			w->tx_verdict = res.verdict;
			w->tx_verdict_rule = res.verdict_rule;
		}
	} else {
		/* The bytes passed; the flow is dropped from here on (detect marked it): say so once. */
		w->rule_drops++;
		drop_event(w, p, res.verdict_rule, c->simulate_ips ? "rules (simulated)" : "rules");
	}
}

static void on_flow_end(void *ctx, struct sw_flow *f, enum sw_flow_end why)
{
	struct worker *w = ctx;

	/*
	 * Before the record, so flow.alerted counts what the held bytes and the
	 * transactions' last stages matched, and app_proto is settled.
	 */
	if (why != SW_FLOW_END_INTERIM) {
		w->flow_ending = true;
		sw_stream_flow_end(f, w->sp, w->scratch, w->scratch_len, &w->ss);
		w->flow_ending = false;
		if (w->app)
			sw_app_flow_end(w->app, f);
	}
	sw_eve_flow(w->w, f, why);
}

/*
 * Rebuild this worker's detect context when a reload swapped the ruleset.
 * Costs one relaxed load per packet otherwise.
 */
static void order_wait(void *arg);

static void maybe_swap(struct worker *w)
{
	struct sw_engine *e = w->e;
	uint64_t gen = atomic_load_explicit(&e->gen, memory_order_acquire);
	struct sw_detect *d;
	struct sw_detect_ctx *dc, *old;

	if (gen == w->gen)
		return;
	pthread_mutex_lock(&e->swap_lock);
	d = sw_detect_get(e->d);
	pthread_mutex_unlock(&e->swap_lock);
	dc = sw_detect_ctx_new(d);
	sw_detect_put(d);
	if (!dc)
		return; /* keep the old ruleset; retried at the next packet */
	sw_detect_ctx_inherit_stats(dc, w->dc);
	if (e->n > 1 && !e->cfg.inline_mode)
		sw_detect_ctx_set_order(dc, order_wait, w);
	/*
	 * The swap is under swap_lock because the stats reader (the main
	 * loop: stats records, metrics) reads w->dc from another thread and
	 * must not read a context being freed.  Taken once per reload per
	 * worker, never per packet.
	 */
	old = w->dc;
	pthread_mutex_lock(&e->swap_lock);
	w->dc = dc;
	pthread_mutex_unlock(&e->swap_lock);
	sw_eve_writer_set_rules(w->w, sw_detect_ctx_rules(dc)); /* before the old names go */
	sw_detect_ctx_free(old);
	w->gen = gen;
}

static void send_raw(struct worker *w, const uint8_t *pkt, int len, const struct sw_ip *dst)
{
	ssize_t n = -1;

	if (len <= 0) {
		w->reject_errors++;
		return;
	}
	if (dst->family == AF_INET && w->raw4 >= 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		memcpy(&sin.sin_addr, dst->a, 4);
		n = sendto(w->raw4, pkt, (size_t)len, 0, (struct sockaddr *)&sin, sizeof(sin));
	} else if (dst->family == AF_INET6 && w->raw6 >= 0) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
		memcpy(&sin6.sin6_addr, dst->a, 16);
		n = sendto(w->raw6, pkt, (size_t)len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	if (n == len)
		w->rejects_sent++;
	else
		w->reject_errors++;
}

/* 'reject': RST to both ends for TCP, ICMP port unreachable to the sender otherwise. */
static void send_reject(struct worker *w, const struct sw_packet *p)
{
	uint8_t buf[SW_REJECT_MAX];

	if (p->proto == 6 && p->l4_ok) {
		send_raw(w, buf, sw_reject_tcp_rst(p, true, buf, sizeof(buf)), &p->src);
		send_raw(w, buf, sw_reject_tcp_rst(p, false, buf, sizeof(buf)), &p->dst);
	} else if (p->proto != 1 && p->proto != 58) {
		/* Never answer an ICMP message with an ICMP error (RFC 1122 3.2.2). */
		send_raw(w, buf, sw_reject_icmp_unreach(p, buf, sizeof(buf)), &p->src);
	}
}

/* One drop event per dropped flow (or per packet without a flow), naming why. */
static void drop_event(struct worker *w, const struct sw_packet *p, const struct sw_rule *r, const char *reason)
{
	struct sw_json *j;
	char pb[8];

	if (!sw_eve_wants(w->e->eve, SW_EVE_DROP))
		return;
	j = sw_eve_begin(w->w, "drop", p->ts_usec);
	if (p->flow)
		sw_json_u64(j, "flow_id", p->flow->flow_id);
	if (p->pcap_cnt)
		sw_json_u64(j, "pcap_cnt", p->pcap_cnt);
	if (p->ip_ver) {
		sw_json_ip(j, "src_ip", &p->src);
		if (p->proto == 6 || p->proto == 17)
			sw_json_u64(j, "src_port", p->sport);
		sw_json_ip(j, "dest_ip", &p->dst);
		if (p->proto == 6 || p->proto == 17)
			sw_json_u64(j, "dest_port", p->dport);
		sw_json_str(j, "proto", sw_eve_proto_name(p->proto, pb, sizeof(pb)));
		sw_json_u64(j, "ip_v", p->ip_ver);
	}
	sw_json_obj(j, "drop");
	sw_json_u64(j, "len", p->wirelen);
	if (p->ip_ver) {
		sw_json_u64(j, "ttl", p->ttl);
		if (p->ip_ver == 4)
			sw_json_u64(j, "ipid", p->ip_id);
	}
	if (p->proto == 6 && p->l4_ok) {
		sw_json_u64(j, "tcpseq", p->tcp_seq);
		sw_json_u64(j, "tcpack", p->tcp_ack);
		sw_json_u64(j, "tcpwin", p->tcp_win);
		sw_json_bool(j, "syn", p->tcp_flags & SW_TCP_SYN);
		sw_json_bool(j, "ack", p->tcp_flags & SW_TCP_ACK);
		sw_json_bool(j, "psh", p->tcp_flags & SW_TCP_PSH);
		sw_json_bool(j, "rst", p->tcp_flags & SW_TCP_RST);
		sw_json_bool(j, "fin", p->tcp_flags & SW_TCP_FIN);
	}
	sw_json_str(j, "reason", reason);
	sw_json_close_obj(j);
	if (r) {
		sw_json_obj(j, "alert");
		sw_json_str(j, "action", w->e->cfg.simulate_ips ? "allowed" : "blocked");
		sw_json_u64(j, "gid", r->gid);
		sw_json_u64(j, "signature_id", r->sid);
		sw_json_u64(j, "rev", r->rev);
		sw_json_str(j, "signature", r->msg ? r->msg : "");
		sw_json_close_obj(j);
	}
	sw_eve_end(w->w);
}

/*
 * The configured failure verdict for a packet we could not process.  Inline
 * only; offline and passive modes never drop.
 */
static bool fail_verdict(struct worker *w, const struct sw_packet *p)
{
	const struct sw_engine_config *c = &w->e->cfg;

	w->fail_verdicts++;
	if (!c->ips || !c->fail_closed)
		return false;
	drop_event(w, p, NULL, c->simulate_ips ? "engine failure (simulated)" : "engine failure");
	return !c->simulate_ips;
}

/*
 * Flow -> stream -> detect -> events for the decoded packet w->pkt.  Returns
 * true when an inline verdict must drop it.
 */
static bool inspect(struct worker *w)
{
	const struct sw_engine_config *c = &w->e->cfg;
	struct sw_packet *p = &w->pkt;
	struct sw_stream_view v, *vp = NULL;
	struct sw_detect_result res;
	bool was_dropped, drop;
	const char *action;

	if (!sw_flow_packet(w->ft, p))
		return fail_verdict(w, p);
	was_dropped = p->flow->dropped;
	/* A flow-scope 'drop' or 'reject' drops every later packet of the flow, uninspected (detect.c). */
	if (c->ips && was_dropped) {
		w->flow_drops++;
		return !c->simulate_ips;
	}
	/*
	 * A packet with a bad checksum is still counted in its flow (the
	 * record must say what was on the wire) but never reaches the stream
	 * or the rules: the receiving host drops it too, so matching it would
	 * let an attacker plant content the target never sees.
	 */
	if (p->csum_bad) {
		w->invalid_csum++;
		return false;
	}
	w->tx_verdict = SW_ACTION_ALERT;
	w->tx_verdict_rule = NULL;
	if (p->proto == 6 && p->l4_ok) {
		sw_stream_packet(p, c->flow.stream_window, &c->stream, w->sp, w->scratch, w->scratch_len, &v, &w->ss);
		vp = &v;
		/* Before the packet's rules: "alert http" rules need the protocol this packet may reveal. */
		if (w->app)
			sw_app_tcp(w->app, p, vp);
	} else if (p->proto == 17 && p->l4_ok && w->app) {
		sw_app_udp(w->app, p);
	}
	if (sw_detect_packet(w->dc, p, vp, &res) < 0) {
		if (w->app)
			sw_app_flush(w->app);
		w->scan_fail++;
		return fail_verdict(w, p);
	}
	/* Transaction rules after the packet's own, as in Suricata (on_stage). */
	if (w->app) {
		w->cur_view = vp;
		sw_app_flush(w->app);
		w->cur_view = NULL;
	}
	/* A transaction rule's drop (on_stage) counts like a packet rule's. */
	if (w->tx_verdict_rule && (!res.verdict_rule || w->tx_verdict > res.verdict) && res.verdict != SW_ACTION_PASS) {
		res.verdict = w->tx_verdict;
		res.verdict_rule = w->tx_verdict_rule;
	}
	drop = c->ips && (res.verdict == SW_ACTION_DROP || res.verdict == SW_ACTION_REJECT);
	action = drop && !c->simulate_ips ? "blocked" : "allowed";
	for (uint32_t i = 0; i < res.n; i++) {
		sw_eve_alert(w->w, p, res.m[i].rule, action);
		/* Queues a block request when the rule is a trigger: no I/O here. */
		sw_enforce_alert(c->enforce, p, res.m[i].rule);
	}
	if (!drop)
		return false;
	w->rule_drops++;
	if (!was_dropped)
		drop_event(w, p, res.verdict_rule, c->simulate_ips ? "rules (simulated)" : "rules");
	if (c->simulate_ips)
		return false;
	if (res.verdict == SW_ACTION_REJECT)
		send_reject(w, p);
	return true;
}

/*
 * Fragment p (decoded, p->frag) goes to the defragmenter.  Until its
 * datagram is complete a fragment belongs to no flow (as in Suricata) and
 * gets no verdict of its own: accept, since the receiver can do nothing with
 * an incomplete datagram.  The fragment that completes it carries the
 * datagram through the rest of the pipeline, decoded again from the rebuilt
 * bytes, with the last fragment's time; its verdict is the datagram's, so a
 * drop drops the last fragment and the receiver never completes the
 * datagram (inline, where conntrack has not already reassembled).
 *
 * Flow accounting: the datagram's flow counts every fragment packet and the
 * bytes they had on the wire (p->wirelen is their sum), so a flow record
 * says what the wire carried whether or not it was fragmented.  Fragments
 * of a datagram that never completes are counted in stats.defrag only.
 * The decoder counts the rebuilt datagram's protocol counters, but not once
 * more in decoder.pkts/bytes: each captured packet is counted once there.
 */
static bool process_frag(struct worker *w, bool verify_csum)
{
	struct sw_packet *p = &w->pkt;
	struct sw_defrag_out o;
	bool drop;

	if (sw_defrag_packet(w->df, p, &o) <= 0)
		return false;
	p->data = o.data;
	p->caplen = p->wirelen = o.len;
	p->linktype = SW_LINK_RAW;
	/* Keeps the fragment's VLAN ids and tunnel depth (the flow key's), not counted in decoder.pkts again. */
	if (sw_decode_datagram(p, verify_csum, &w->e->cfg.decode, &w->ds) < 0)
		return fail_verdict(w, p);
	p->wirelen = o.wire_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)o.wire_bytes;
	drop = inspect(w);
	/*
	 * sw_flow_packet() counted one packet at the last fragment's time; the
	 * wire carried o.nfrags from the first fragment's time on.  (The only
	 * writes to flow fields outside flow.c: flow.h has no call for "this
	 * packet stands for n that began earlier".)
	 */
	if (p->flow) {
		struct sw_flow *f = p->flow;

		if (p->to_server)
			f->pkts_ts += o.nfrags - 1;
		else
			f->pkts_tc += o.nfrags - 1;
		if (o.first_usec < f->start_usec) {
			if (f->reported_usec == f->start_usec)
				f->reported_usec = o.first_usec;
			f->start_usec = o.first_usec;
		}
	}
	return drop;
}

/*
 * Decode -> defrag -> flow -> stream -> detect -> events for one packet.
 * Returns true when an inline verdict must drop it.  A non-fragment pays
 * one branch for defrag.
 */
static bool process(struct worker *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts,
		    int linktype, uint32_t iface, uint64_t pcap_cnt, bool verify_csum)
{
	struct sw_packet *p = &w->pkt;

	p->pcap_cnt = pcap_cnt;
	maybe_swap(w);
	p->data = data;
	p->caplen = caplen;
	p->wirelen = wirelen;
	p->ts_usec = ts;
	p->linktype = linktype;
	p->iface = iface;
	if (sw_decode_cfg(p, verify_csum, &w->e->cfg.decode, &w->ds) < 0)
		return fail_verdict(w, p); /* the decoder counted the anomaly */
	if (__builtin_expect(p->frag, 0) && w->df)
		return process_frag(w, verify_csum);
	return inspect(w);
}

/*
 * Once per second of capture time: end idle flows and hand buffered EVE
 * lines to the sink, so a live sensor's records leave within a second
 * (capture files: when the buffer is full, batch_output).
 */
static void tick(struct worker *w, int64_t ts)
{
	sw_flow_table_expire(w->ft, ts);
	sw_flow_table_interim(w->ft, ts);
	if (w->df)
		sw_defrag_expire(w->df, ts);
	if (!w->e->cfg.batch_output)
		sw_eve_writer_flush(w->w);
}

static bool key_before(unsigned a, unsigned b)
{
	return (int)(a - b) < 0;
}

/*
 * The detect hook (sw_detect_ctx_set_order()): before this worker reads or
 * writes thresholds or host bits for the record it holds, wait until no
 * other worker still has a record the reader handed out earlier.  Another
 * worker is clear when it took a record at or after ours (rings are FIFO,
 * so it finished every earlier one) or finished all it was given.  The
 * worker holding the earliest record never waits, so the wait ends; it
 * costs only packets where a rule with such state matched.  Without it
 * the same capture gave different threshold alerts with --threads 1 and 4.
 */
static void order_wait(void *arg)
{
	struct worker *self = arg;
	struct sw_engine *e = self->e;
	unsigned me = atomic_load(&self->ord_cur);

	for (unsigned i = 0; i < e->n; i++) {
		struct worker *o = &e->w[i];
		unsigned spins = 0;

		if (o == self)
			continue;
		for (;;) {
			unsigned done = atomic_load(&o->ord_done), cur = atomic_load(&o->ord_cur);
			unsigned put = atomic_load(&o->ord_put);

			if (done == put || (cur != done && !key_before(cur, me)))
				break;
			backoff(&spins);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];

	snprintf(name, sizeof(name), "sw-worker%u", w->id);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		struct rec h;
		const uint8_t *data = ring_get(&w->ring, &h);
		unsigned key = h.pcap_cnt * 2u + (h.kind != REC_PKT);

		atomic_store(&w->ord_cur, key);
		switch (h.kind) {
		case REC_PKT:
			process(w, data, h.caplen, h.wirelen, h.ts_usec, h.linktype, h.iface, h.pcap_cnt,
				w->e->cfg.verify_csum);
			break;
		case REC_TICK:
			tick(w, h.ts_usec);
			break;
		case REC_END:
			atomic_store(&w->ord_done, key);
			ring_release(&w->ring, &h);
			return NULL;
		}
		atomic_store(&w->ord_done, key);
		ring_release(&w->ring, &h);
	}
}

/* ---- engine ---- */

static void worker_destroy(struct worker *w)
{
	sw_nfq_close(w->nfq);
	sw_ctmark_close(w->ct);
	if (w->raw4 >= 0)
		close(w->raw4);
	if (w->raw6 >= 0)
		close(w->raw6);
	sw_flow_table_free(w->ft);
	sw_stream_pool_free(w->sp);
	sw_app_free(w->app);
	sw_defrag_free(w->df);
	sw_detect_ctx_free(w->dc);
	sw_eve_writer_free(w->w);
	free(w->scratch);
	free(w->ring.buf);
}

static int worker_init(struct sw_engine *e, struct worker *w, unsigned id, char *err, size_t errlen)
{
	size_t rsz = e->cfg.ring_bytes ? e->cfg.ring_bytes : RING_DEFAULT;
	size_t pow = 1;
	bool ring = e->n > 1 && !e->cfg.inline_mode;

	while (pow < rsz)
		pow <<= 1;
	w->e = e;
	w->id = id;
	w->raw4 = w->raw6 = -1;
	w->gen = atomic_load(&e->gen);
	if (e->cfg.inline_mode) {
		struct sw_nfq_config qc = {
			.queue = (uint16_t)(e->cfg.queue_first + id),
			.queue_maxlen = e->cfg.queue_maxlen,
			.rcvbuf = e->cfg.queue_rcvbuf,
			.fail_open = e->cfg.queue_fail_open,
		};
		w->nfq = sw_nfq_open(&qc, err, errlen);
		if (!w->nfq)
			return -EIO;
		/*
		 * Raw sockets for 'reject' replies (CAP_NET_RAW).  Without them
		 * reject still drops, and each reply that could not be sent is
		 * counted.
		 */
		w->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		w->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		/* Opened now, while CAP_NET_ADMIN is held and before seccomp. */
		if (e->cfg.drop_connmark) {
			w->ct = sw_ctmark_open();
			if (!w->ct) {
				snprintf(err, errlen, "worker %u: conntrack netlink (drop-connmark): %s", id, strerror(errno));
				return -EIO;
			}
		}
	}
	/* tail + every held byte + the segment that fills the gap */
	w->scratch_len = e->cfg.flow.stream_window + SW_STREAM_HELD_MAX + MAX_SEGMENT;
	w->scratch = malloc(w->scratch_len);
	/* stream.reassembly.memcap is the sensor's: each worker gets its share. */
	w->sp = sw_stream_pool_new(e->cfg.flow.stream_memcap / e->n, on_stream_gap, w);
	sw_stream_pool_prefault(w->sp, e->cfg.stream.segment_prealloc);
	w->ft = sw_flow_table_new(&e->cfg.flow, on_flow_end, w);
	{
		struct sw_app_config ac = e->cfg.app;

		ac.workers = e->n; /* the memcaps are the sensor's: each worker gets its share */
		w->app = sw_app_new(&ac, on_stage, w);
		if (!w->app) {
			snprintf(err, errlen, "worker %u: app layer: %s", id, strerror(errno));
			return -ENOMEM;
		}
	}
	if (e->cfg.defrag.enabled) {
		/* The configured caps are the sensor's: each worker gets its share. */
		struct sw_defrag_config dc = e->cfg.defrag;

		dc.memcap /= e->n;
		dc.trackers /= e->n;
		dc.max_frags /= e->n;
		if (dc.memcap < (64u << 10))
			dc.memcap = 64u << 10;
		if (dc.trackers < 16)
			dc.trackers = 16;
		if (dc.max_frags < 64)
			dc.max_frags = 64;
		if (!dc.timeout)
			dc.timeout = 60;
		w->df = sw_defrag_new(&dc);
		if (!w->df) {
			snprintf(err, errlen, "worker %u: defrag: %s", id, strerror(errno));
			return -ENOMEM;
		}
	}
	w->dc = sw_detect_ctx_new(e->d);
	if (w->dc && ring)
		sw_detect_ctx_set_order(w->dc, order_wait, w);
	w->w = sw_eve_writer_new(e->eve);
	if (w->w)
		sw_eve_writer_set_rules(w->w, sw_detect_ctx_rules(w->dc));
	if (ring) {
		w->ring.size = pow;
		w->ring.buf = malloc(pow);
		/*
		 * Every page of a ring is written sooner or later (it wraps):
		 * now, not by the reader on the packet path (common/prefault.h).
		 * Public-mix with every ET rule, 2 workers: 0.158 -> 0.132 s.
		 */
		if (w->ring.buf)
			sw_prefault(w->ring.buf, pow);
	}
	if (!w->scratch || !w->sp || !w->ft || !w->dc || !w->w || (ring && !w->ring.buf)) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -ENOMEM;
	}
	return 0;
}

struct sw_engine *sw_engine_new(const struct sw_engine_config *cfg, struct sw_detect *d, struct sw_eve *eve,
				char *errbuf, size_t errlen)
{
	struct sw_engine *e = calloc(1, sizeof(*e));
	int err = ENOMEM;

	snprintf(errbuf, errlen, "out of memory");
	if (!e)
		return NULL;
	pthread_mutex_init(&e->swap_lock, NULL);
	atomic_init(&e->gen, 1);
	e->cfg = *cfg;
	e->n = cfg->threads ? cfg->threads : 1;
	/* A ring record must fit in a quarter of the ring, whatever the capture's snaplen. */
	if (e->cfg.ring_bytes && e->cfg.ring_bytes < 4 * (MAX_SEGMENT + REC_ALIGN))
		e->cfg.ring_bytes = 4 * (MAX_SEGMENT + REC_ALIGN);
	e->d = sw_detect_get(d);
	/* Suricata's ja3/ja4-fingerprints "auto" (its default): on when a rule asks for them */
	e->cfg.app.tls_ja3 = e->cfg.app.tls_ja3_cfg > 0 ||
			     (e->cfg.app.tls_ja3_cfg < 0 &&
			      (sw_detect_uses_buf(d, SW_BUF_JA3_HASH) || sw_detect_uses_buf(d, SW_BUF_JA3_STRING) ||
			       sw_detect_uses_buf(d, SW_BUF_JA3S_HASH) || sw_detect_uses_buf(d, SW_BUF_JA3S_STRING)));
	e->cfg.app.tls_ja4 = e->cfg.app.tls_ja4_cfg > 0 ||
			     (e->cfg.app.tls_ja4_cfg < 0 && sw_detect_uses_buf(d, SW_BUF_JA4_HASH));
	e->eve = eve;
	e->last_tick_sec = INT64_MIN;
	e->w = calloc(e->n, sizeof(*e->w));
	if (!e->w)
		goto fail;
	/* calloc: its pages become resident as fragments use them (1.5 MB at most) */
	if (e->n > 1 && !cfg->inline_mode && cfg->defrag.enabled) {
		e->fragroute = calloc((size_t)FRAGROUTE_SETS * FRAGROUTE_WAYS, sizeof(*e->fragroute));
		if (!e->fragroute)
			goto fail;
	}
	for (unsigned i = 0; i < e->n; i++) {
		int rc = worker_init(e, &e->w[i], i, errbuf, errlen);
		if (rc < 0) {
			err = -rc;
			goto fail;
		}
	}
	if (e->n > 1 && !cfg->inline_mode) {
		for (unsigned i = 0; i < e->n; i++) {
			int rc = pthread_create(&e->w[i].th, NULL, worker_main, &e->w[i]);
			if (rc) {
				err = rc;
				snprintf(errbuf, errlen, "cannot start worker %u: %s", i, strerror(rc));
				goto fail;
			}
			e->w[i].started = true;
		}
	}
	return e;
fail:
	sw_engine_free(e);
	errno = err;
	return NULL;
}

static void broadcast(struct sw_engine *e, uint32_t kind, int64_t ts)
{
	/* pcap_cnt: the last packet's number, for the ordering key (order_wait()) */
	struct rec h = { .kind = kind, .ts_usec = ts, .pcap_cnt = (uint32_t)e->packets };

	for (unsigned i = 0; i < e->n; i++) {
		atomic_store(&e->w[i].ord_put, (uint32_t)e->packets * 2u + 1u);
		ring_put(&e->w[i].ring, &h, NULL);
	}
}

/* The datagram a fragment belongs to, as a fragroute key (never 0). */
static uint64_t frag_key(const struct sw_packet *p)
{
	uint64_t h = 0x243f6a8885a308d3ULL ^ p->ip_ver;
	uint64_t w[4];

	memcpy(w, p->src.a, 16);
	memcpy(w + 2, p->dst.a, 16);
	for (int i = 0; i < 4; i++)
		h = sw_mix64(h ^ w[i]);
	h = sw_mix64(h ^ ((uint64_t)p->ip_id << 32 | (uint64_t)p->vlan_count << 24 | p->iface));
	h = sw_mix64(h ^ ((uint64_t)p->vlan[0] << 16 | p->vlan[1]));
	return h ? h : 1;
}

/* Dispatch hash of a decoded packet: its address pair (pick_worker()). */
static unsigned addr_worker(const struct sw_engine *e, struct sw_packet *p)
{
	p->l4_ok = false;
	p->proto = 0;
	return sw_flow_hash_packet(p) % e->n;
}

/*
 * The worker of fragment @p (decoded; @w: by its address pair).  The first
 * fragment seen of a datagram decides for all of them: a first fragment by
 * the flow inside it (decoded through a tunnel its headers name, as the
 * rebuilt datagram will be), a later one by the address pair.  Without
 * room to remember a decision, fragments go by their address pair, the
 * datagram's inner flow split from its unfragmented packets, and so does
 * every first fragment until such fragments stop for a defrag timeout: a
 * datagram is never split between workers.
 */
static unsigned frag_worker(struct sw_engine *e, struct sw_packet *p, unsigned w, int64_t ts)
{
	uint64_t key = frag_key(p);
	struct fragroute *set = e->fragroute + (key & (FRAGROUTE_SETS - 1)) * FRAGROUTE_WAYS, *slot = NULL;
	int64_t timeout = (int64_t)(e->cfg.defrag.timeout ? e->cfg.defrag.timeout : 60) * 1000000;
	bool first = p->l4 != NULL; /* the decoder reads L4 from a first fragment only */

	for (unsigned i = 0; i < FRAGROUTE_WAYS; i++) {
		if (set[i].key == key && set[i].expires > ts)
			return set[i].worker;
		if (!slot && (set[i].key == 0 || set[i].expires <= ts))
			slot = &set[i];
	}
	if (!slot || ts < e->fragroute_full_until) {
		/* no room, or none lately: by the address pair, like the datagram's other fragments then */
		e->fragroute_full_until = ts + timeout;
		return w;
	}
	if (first) {
		struct sw_decode_config dc = e->cfg.decode;
		struct sw_decode_stats scratch_stats;
		struct sw_packet q = *p; /* the input fields; decoding resets the rest */

		dc.frag_tunnels = true;
		memset(&scratch_stats, 0, sizeof(scratch_stats));
		if (sw_decode_cfg(&q, false, &dc, &scratch_stats) == 0)
			w = addr_worker(e, &q);
	}
	slot->key = key;
	slot->expires = ts + timeout;
	slot->worker = w;
	return w;
}

/*
 * Dispatch key: the decoder's view of the 5-tuple hashed symmetrically.  The
 * reader decodes once to hash, the worker decodes again; decoding is a few
 * tens of nanoseconds next to detection, and the alternative (shipping
 * decoded pointers through the ring) would tie the ring format to struct
 * sw_packet.
 */
static unsigned pick_worker(struct sw_engine *e, struct sw_packet *p, const uint8_t *data, uint32_t caplen,
			    int linktype, uint32_t iface, int64_t ts)
{
	struct sw_decode_stats scratch_stats;
	unsigned w;

	p->data = data;
	p->caplen = caplen;
	p->wirelen = caplen;
	p->ts_usec = ts;
	p->linktype = linktype;
	p->iface = iface; /* part of the flow key (it was left unset here) */
	p->pcap_cnt = 0;
	memset(&scratch_stats, 0, sizeof(scratch_stats));
	if (sw_decode_cfg(p, false, &e->cfg.decode, &scratch_stats) < 0)
		return 0; /* undecodable: any worker will count it, pick a fixed one */
	/*
	 * Hash the address pair only (and the VLAN ids).  Later fragments
	 * carry no ports and an IPv6 one may not even name the protocol, yet
	 * every fragment of a datagram must meet in one worker, and so must
	 * the reassembled datagram and the rest of its flow: only what all of
	 * them share can pick the worker.  The kernel's NFQUEUE
	 * --queue-balance hashes the same way (addresses and protocol), so
	 * inline mode already splits traffic like this.  A fragmented tunnel
	 * carrier goes where its inner flow goes (frag_worker()).
	 */
	w = addr_worker(e, p);
	if (p->frag && e->fragroute)
		w = frag_worker(e, p, w, ts);
	return w;
}

void sw_engine_tick(struct sw_engine *e, int64_t ts_usec)
{
	int64_t sec = ts_usec / 1000000;

	if (sec <= e->last_tick_sec)
		return;
	e->last_tick_sec = sec;
	if (e->n == 1)
		tick(&e->w[0], ts_usec);
	else
		broadcast(e, REC_TICK, ts_usec);
	if (ts_usec > e->last_ts)
		e->last_ts = ts_usec;
}

int sw_engine_feed(struct sw_engine *e, const uint8_t *data, uint32_t caplen, uint32_t wirelen, int64_t ts_usec,
		   int linktype, uint32_t iface)
{
	e->packets++;
	if (caplen > MAX_SEGMENT)
		caplen = MAX_SEGMENT;
	sw_engine_tick(e, ts_usec);
	if (ts_usec > e->last_ts)
		e->last_ts = ts_usec;
	if (e->n == 1) {
		process(&e->w[0], data, caplen, wirelen, ts_usec, linktype, iface, e->packets, e->cfg.verify_csum);
		return 0;
	}
	{
		struct sw_packet tmp;
		unsigned wi = pick_worker(e, &tmp, data, caplen, linktype, iface, ts_usec);
		struct rec h = { .kind = REC_PKT, .caplen = caplen, .wirelen = wirelen, .linktype = linktype,
				 .ts_usec = ts_usec, .iface = iface, .pcap_cnt = (uint32_t)e->packets };
		atomic_store(&e->w[wi].ord_put, (uint32_t)e->packets * 2u);
		ring_put(&e->w[wi].ring, &h, data);
	}
	return 0;
}

int sw_engine_finish(struct sw_engine *e)
{
	if (e->n > 1) {
		broadcast(e, REC_TICK, e->last_ts);
		broadcast(e, REC_END, 0);
		for (unsigned i = 0; i < e->n; i++) {
			if (e->w[i].started)
				pthread_join(e->w[i].th, NULL);
			e->w[i].started = false;
		}
	} else {
		tick(&e->w[0], e->last_ts);
	}
	/* Workers are stopped: flushing from this thread, in worker order, needs no ordering hook. */
	for (unsigned i = 0; i < e->n; i++)
		sw_detect_ctx_set_order(e->w[i].dc, NULL, NULL);
	for (unsigned i = 0; i < e->n; i++) {
		sw_flow_table_flush(e->w[i].ft, SW_FLOW_END_SHUTDOWN);
		sw_eve_writer_flush(e->w[i].w);
	}
	return 0;
}

/* ---- inline ---- */

static int64_t wall_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void nfq_packet(void *ctx, const struct sw_nfq_pkt *pkt, struct sw_nfq_verdict *v)
{
	struct worker *w = ctx;
	/* GSO/offloaded packets carry checksums the NIC fills in later: do not judge them. */
	bool verify = w->e->cfg.verify_csum && !pkt->csum_unverified;

	v->drop = process(w, pkt->data, pkt->caplen, pkt->wirelen, pkt->ts_usec, SW_LINK_RAW, w->id, 0, verify);
	/*
	 * Mark packets of flows a pass rule accepted, keeping the other mark
	 * bits (Tailscale's 0x00ff0000 among them), so the firewall can save it
	 * to conntrack and stop queueing the flow.
	 */
	if (!v->drop && w->e->cfg.bypass_mark && w->pkt.flow && w->pkt.flow->passed) {
		v->set_mark = true;
		v->mark = pkt->mark | w->e->cfg.bypass_mark;
	}
	/*
	 * A dropped flow's connection carries the drop in its conntrack mark
	 * (only the drop-connmark bits change), so the firewall line of
	 * docs/inline.md keeps dropping it before the queue after sidewall is
	 * killed (bypass lets packets through then) or restarted.
	 */
	if (v->drop && w->e->cfg.drop_connmark && w->pkt.flow && w->pkt.flow->dropped) {
		struct sw_flow *f = w->pkt.flow;

		/* In the verdict: kernels with CONFIG_NETFILTER_NETLINK_GLUE_CT apply it with the drop. */
		v->set_ctmark = true;
		v->ctmark = w->e->cfg.drop_connmark;
		v->ctmask = w->e->cfg.drop_connmark;
		/*
		 * Through ctnetlink as well, which the others need: a few times
		 * per flow, since the first drop may hit a connection the kernel
		 * has not confirmed yet (a dropped SYN never is).
		 */
		if (w->ct && f->ctmark_tries < 3) {
			f->ctmark_tries++;
			sw_ctmark_set(w->ct, &f->cli, f->cli_port, &f->srv, f->srv_port, f->proto,
				      w->e->cfg.drop_connmark, w->e->cfg.drop_connmark);
		}
	}
}

static void *inline_main(void *arg)
{
	struct worker *w = arg;
	int64_t last_tick = 0;
	char name[16];

	snprintf(name, sizeof(name), "sw-nfq%u", w->e->cfg.queue_first + w->id);
	pthread_setname_np(pthread_self(), name);
	while (!*w->e->stop) {
		int64_t now;
		sw_nfq_dispatch(w->nfq, 200, nfq_packet, w);
		/* Live time drives flow timeouts here; expire at most once a second. */
		now = wall_usec();
		if (now - last_tick >= 1000000) {
			tick(w, now);
			last_tick = now;
			sw_eve_writer_flush(w->w);
		}
	}
	/*
	 * Drain: everything already queued to us gets a verdict, then unbind at
	 * once.  Closing the socket makes the kernel flush (drop) whatever is
	 * still queued, so the gap between the last read and the close must be
	 * as short as possible; after it, 'bypass' lets packets through.
	 */
	while (sw_nfq_dispatch(w->nfq, 0, nfq_packet, w) > 0)
		;
	w->nfq_final = *sw_nfq_stats(w->nfq);
	sw_nfq_close(w->nfq);
	w->nfq = NULL;
	return NULL;
}

void sw_engine_swap_ruleset(struct sw_engine *e, struct sw_detect *d)
{
	struct sw_detect *old;

	pthread_mutex_lock(&e->swap_lock);
	old = e->d;
	e->d = sw_detect_get(d);
	atomic_fetch_add_explicit(&e->gen, 1, memory_order_release);
	pthread_mutex_unlock(&e->swap_lock);
	/* Workers still hold their own references through their contexts. */
	sw_detect_put(old);
}

int sw_engine_run_inline(struct sw_engine *e, volatile sig_atomic_t *stop, void (*housekeeping)(void *ctx),
			 void *ctx)
{
	int ret = 0;

	e->stop = stop;
	for (unsigned i = 0; i < e->n; i++) {
		int rc = pthread_create(&e->w[i].th, NULL, inline_main, &e->w[i]);
		if (rc) {
			ret = -rc;
			*stop = 1;
			break;
		}
		e->w[i].started = true;
	}
	while (!*stop) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (housekeeping)
			housekeeping(ctx);
	}
	for (unsigned i = 0; i < e->n; i++) {
		if (e->w[i].started)
			pthread_join(e->w[i].th, NULL);
		e->w[i].started = false;
	}
	for (unsigned i = 0; i < e->n; i++) {
		sw_flow_table_flush(e->w[i].ft, SW_FLOW_END_SHUTDOWN);
		sw_eve_writer_flush(e->w[i].w);
	}
	return ret;
}

int64_t sw_engine_last_ts(const struct sw_engine *e)
{
	return e->last_ts;
}

uint64_t sw_engine_packets(const struct sw_engine *e)
{
	return e->packets;
}

/* ---- stats ---- */


static void dt_add(struct sw_detect_stats *to, const struct sw_detect_stats *from)
{
	to->alerts += from->alerts;
	to->suppressed += from->suppressed;
	to->alert_overflow += from->alert_overflow;
	to->candidates += from->candidates;
	to->hs_matches += from->hs_matches;
	to->scan_errors += from->scan_errors;
	to->budget_exhausted += from->budget_exhausted;
	to->pcre_errors += from->pcre_errors;
	to->xform_nomem += from->xform_nomem;
}

/* Totals over workers [first, first + count). */
static void sum_range(struct sw_engine *e, unsigned first, unsigned count, struct sw_engine_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = first; i < first + count && i < e->n; i++) {
		const struct worker *w = &e->w[i];
		const struct sw_flow_stats *fs = sw_flow_table_stats(w->ft);

		t->ds.pkts += w->ds.pkts;
		t->ds.bytes += w->ds.bytes;
		t->ds.ipv4 += w->ds.ipv4;
		t->ds.ipv6 += w->ds.ipv6;
		t->ds.tcp += w->ds.tcp;
		t->ds.udp += w->ds.udp;
		t->ds.icmpv4 += w->ds.icmpv4;
		t->ds.icmpv6 += w->ds.icmpv6;
		t->ds.other += w->ds.other;
		t->ds.vlan += w->ds.vlan;
		t->ds.frags += w->ds.frags;
		t->ds.gre += w->ds.gre;
		t->ds.erspan += w->ds.erspan;
		t->ds.ppp += w->ds.ppp;
		t->ds.pppoe += w->ds.pppoe;
		t->ds.mpls += w->ds.mpls;
		t->ds.vxlan += w->ds.vxlan;
		t->ds.geneve += w->ds.geneve;
		t->ds.teredo += w->ds.teredo;
		t->ds.nsh += w->ds.nsh;
		t->ds.ipv4_in_ipv4 += w->ds.ipv4_in_ipv4;
		t->ds.ipv6_in_ipv4 += w->ds.ipv6_in_ipv4;
		t->ds.ipv4_in_ipv6 += w->ds.ipv4_in_ipv6;
		t->ds.ipv6_in_ipv6 += w->ds.ipv6_in_ipv6;
		t->ds.tunnel += w->ds.tunnel;
		for (int a = 0; a < SW_ANOM__COUNT; a++)
			t->ds.anom[a] += w->ds.anom[a];
		t->ss.segments += w->ss.segments;
		t->ss.retransmitted += w->ss.retransmitted;
		t->ss.overlap += w->ss.overlap;
		t->ss.out_of_order += w->ss.out_of_order;
		t->ss.midstream += w->ss.midstream;
		t->ss.resync += w->ss.resync;
		t->ss.held += w->ss.held;
		t->ss.held_flushed += w->ss.held_flushed;
		t->ss.memcap_drop += w->ss.memcap_drop;
		t->ss.gap += w->ss.gap;
		t->ss.overlap_diff += w->ss.overlap_diff;
		t->ss.depth_reached += w->ss.depth_reached;
		t->ss.not_reassembled += w->ss.not_reassembled;
		t->reasm_memuse += sw_stream_pool_memuse(w->sp);
		if (w->app) {
			const struct sw_app_stats *as = sw_app_stats(w->app);

			for (int k = 0; k < SW_APP_N; k++) {
				t->app.flows[k] += as->flows[k];
				t->app_flows_tcp[k] += as->flows_tcp[k];
				t->app_flows_udp[k] += as->flows[k] - as->flows_tcp[k];
			}
			t->app.tx_http += as->tx_http;
			t->app.tx_dns_udp += as->tx_dns_udp;
			t->app.tx_dns_tcp += as->tx_dns_tcp;
			t->app.dns_malformed += as->dns_malformed;
			t->app.dns_err_udp += as->dns_err_udp;
			t->app.dns_err_tcp += as->dns_err_tcp;
			t->app.dns_alloc_udp += as->dns_alloc_udp;
			t->app.dns_alloc_tcp += as->dns_alloc_tcp;
			t->app.tx_tls += as->tx_tls;
			t->app.tls_invalid += as->tls_invalid;
			t->app.tls_alloc += as->tls_alloc;
			t->app.tls_cert_invalid += as->tls_cert_invalid;
			t->app.tls_truncated += as->tls_truncated;
			t->app.tls_memuse += as->tls_memuse;
			t->app.tls_memcap += as->tls_memcap;
			t->app.tx_ssh += as->tx_ssh;
			t->app.ssh_invalid += as->ssh_invalid;
			t->app.ssh_alloc += as->ssh_alloc;
			t->app.http_memcap += as->http_memcap;
			t->app.http_parse_errors += as->http_parse_errors;
			t->app.http_gap += as->http_gap;
			t->app.memuse += as->memuse;
		}
		t->fs.created += fs->created;
		t->fs.ended_timeout += fs->ended_timeout;
		t->fs.ended_forced += fs->ended_forced;
		t->fs.ended_shutdown += fs->ended_shutdown;
		t->fs.active += fs->active;
		t->fs.tcp_ssn_no_syn += fs->tcp_ssn_no_syn;
		t->fs.tcp_invalid += fs->tcp_invalid;
		t->fs.tcp_rst_ignored += fs->tcp_rst_ignored;
		/* under swap_lock: a reload may be replacing (and freeing) the context */
		pthread_mutex_lock(&e->swap_lock);
		dt_add(&t->dt, sw_detect_ctx_stats(w->dc));
		pthread_mutex_unlock(&e->swap_lock);
		if (w->df) {
			const struct sw_defrag_stats *df = sw_defrag_stats(w->df);

			t->df.ipv4_fragments += df->ipv4_fragments;
			t->df.ipv4_reassembled += df->ipv4_reassembled;
			t->df.ipv4_timeouts += df->ipv4_timeouts;
			t->df.ipv6_fragments += df->ipv6_fragments;
			t->df.ipv6_reassembled += df->ipv6_reassembled;
			t->df.ipv6_timeouts += df->ipv6_timeouts;
			t->df.max_frags_reached += df->max_frags_reached;
			t->df.max_trackers_reached += df->max_trackers_reached;
			t->df.tracker_hard_reuse += df->tracker_hard_reuse;
			t->df.dropped += df->dropped;
			t->df.memuse += df->memuse;
			for (int v = 0; v < 2; v++) {
				t->df.frag_overlap[v] += df->frag_overlap[v];
				t->df.frag_pkt_too_large[v] += df->frag_pkt_too_large[v];
				t->df.frag_ignored[v] += df->frag_ignored[v];
			}
			t->df.frag_invalid_length += df->frag_invalid_length;
		}
		t->invalid_csum += w->invalid_csum;
		t->scan_fail += w->scan_fail;
		t->fail_verdicts += w->fail_verdicts;
		t->flow_drops += w->flow_drops;
		t->rule_drops += w->rule_drops;
		t->rejects_sent += w->rejects_sent;
		t->reject_errors += w->reject_errors;
		if (e->cfg.inline_mode) {
			const struct sw_nfq_stats *q = w->nfq ? sw_nfq_stats(w->nfq) : &w->nfq_final;
			t->nfq.packets += q->packets;
			t->nfq.accepted += q->accepted;
			t->nfq.dropped += q->dropped;
			t->nfq.id_gaps += q->id_gaps;
			t->nfq.recv_errors += q->recv_errors;
			t->nfq.verdict_errors += q->verdict_errors;
			t->nfq.enobufs += q->enobufs;
			t->nfq.batches += q->batches;
			if (w->ct) {
				t->ctmark_sent += sw_ctmark_stats(w->ct)->sent;
				t->ctmark_failed += sw_ctmark_stats(w->ct)->failed;
			}
		}
	}
}

static void sum(struct sw_engine *e, struct sw_engine_totals *t)
{
	sum_range(e, 0, e->n, t);
}

/*
 * Suricata's decoder event keys that EVE's stats schema knows.  Our anomaly
 * names are "<proto>.<event>"; those in this list go to
 * stats.decoder.event.<proto>.<event>, the others (no Suricata equivalent)
 * are summed into stats.decoder.invalid and listed by name in the exit
 * summary, so the EVE record stays valid for Suricata's consumers.
 */
static const char *const suricata_events[] = {
	"ethernet.pkt_too_small", "ethernet.unknown_ethertype", "vlan.header_too_small", "vlan.too_many_layers",
	"vlan.unknown_type", "sll.pkt_too_small", "sll2.pkt_too_small", "ipv4.pkt_too_small",
	"ipv4.hlen_too_small", "ipv4.iplen_smaller_than_hlen", "ipv4.trunc_pkt", "ipv4.wrong_ip_version",
	"ipv4.opt_invalid", "ipv4.opt_invalid_len", "ipv4.opt_malformed", "ipv4.opt_unknown", "ipv4.unknown_protocol",
	"ipv6.pkt_too_small", "ipv6.trunc_pkt", "ipv6.wrong_ip_version", "ipv6.trunc_exthdr",
	"ipv6.unknown_next_header", "ipv6.exthdr_invalid_optlen", "tcp.pkt_too_small", "tcp.hlen_too_small",
	"tcp.invalid_optlen", "tcp.opt_invalid_len", "tcp.opt_duplicate", "udp.pkt_too_small", "udp.hlen_too_small",
	"udp.hlen_invalid", "udp.len_invalid", "icmpv4.pkt_too_small", "icmpv4.unknown_type",
	"icmpv4.unknown_code", "icmpv4.ipv4_trunc_pkt", "icmpv6.pkt_too_small", "icmpv6.unknown_type",
	"icmpv6.unknown_code", "icmpv6.ipv6_trunc_pkt", "ltnull.pkt_too_small", "ltnull.unsupported_type",
	"ipraw.invalid_ip_version", "ipv6.ipv4_in_ipv6_too_small", "ipv6.ipv4_in_ipv6_wrong_version",
	"ipv6.ipv6_in_ipv6_too_small", "ipv6.ipv6_in_ipv6_wrong_version", "ppp.pkt_too_small",
	"ppp.vju_pkt_too_small", "ppp.ip4_pkt_too_small", "ppp.ip6_pkt_too_small", "ppp.wrong_type",
	"ppp.unsup_proto", "pppoe.pkt_too_small", "pppoe.wrong_code", "pppoe.malformed_tags", "gre.pkt_too_small",
	"gre.wrong_version", "gre.version0_recur", "gre.version0_flags", "gre.version0_hdr_too_big",
	"gre.version0_malformed_sre_hdr", "gre.version1_chksum", "gre.version1_route", "gre.version1_ssr",
	"gre.version1_recur", "gre.version1_flags", "gre.version1_no_key", "gre.version1_wrong_protocol",
	"gre.version1_hdr_too_big", "erspan.header_too_small", "erspan.unsupported_version",
	"mpls.header_too_small", "mpls.pkt_too_small",
	"mpls.bad_label_router_alert", "mpls.bad_label_implicit_null", "mpls.bad_label_reserved",
	"mpls.unknown_payload_type", "vxlan.unknown_payload_type", "geneve.unknown_payload_type",
	"nsh.header_too_small", "nsh.unsupported_version", "nsh.bad_header_length", "nsh.reserved_type",
	"nsh.unsupported_type", "nsh.unknown_payload",
};

static bool is_suricata_event(const char *name)
{
	for (size_t i = 0; i < sizeof(suricata_events) / sizeof(suricata_events[0]); i++)
		if (!strcmp(name, suricata_events[i]))
			return true;
	return false;
}

/* The defragmenter's anomalies, in the decoder's ipv4 / ipv6 event groups (Suricata's names). */
static void frag_events(struct sw_json *j, const char *proto, size_t len, const struct sw_engine_totals *t)
{
	int v6;

	if (len == 4 && !strncmp(proto, "ipv4", 4))
		v6 = 0;
	else if (len == 4 && !strncmp(proto, "ipv6", 4))
		v6 = 1;
	else
		return;
	sw_json_u64(j, "frag_pkt_too_large", t->df.frag_pkt_too_large[v6]);
	sw_json_u64(j, "frag_overlap", t->df.frag_overlap[v6]);
	sw_json_u64(j, "frag_ignored", t->df.frag_ignored[v6]);
	if (v6)
		sw_json_u64(j, "frag_invalid_length", t->df.frag_invalid_length);
}

static void decoder_events(struct sw_json *j, const struct sw_engine_totals *t)
{
	const char *open_proto = NULL;
	size_t open_len = 0;

	sw_json_obj(j, "event");
	for (int a = 0; a < SW_ANOM__COUNT; a++) {
		const char *name = sw_decode_anom_name((enum sw_decode_anom)a);
		const char *dot = strchr(name, '.');
		size_t plen;

		if (!dot || !is_suricata_event(name))
			continue;
		plen = (size_t)(dot - name);
		/* The anomaly list is grouped by protocol; open one object per group. */
		if (!open_proto || open_len != plen || strncmp(open_proto, name, plen)) {
			char proto[32];
			if (open_proto) {
				frag_events(j, open_proto, open_len, t);
				sw_json_close_obj(j);
			}
			snprintf(proto, sizeof(proto), "%.*s", (int)plen, name);
			sw_json_obj(j, proto);
			open_proto = name;
			open_len = plen;
		}
		sw_json_u64(j, dot + 1, t->ds.anom[a]);
	}
	if (open_proto) {
		frag_events(j, open_proto, open_len, t);
		sw_json_close_obj(j);
	}
	sw_json_close_obj(j);
}

/* stats.app_layer.error.<proto>: Suricata's parser and alloc counters */
static void app_error(struct sw_json *j, const char *proto, uint64_t parser, uint64_t alloc)
{
	sw_json_obj(j, proto);
	sw_json_u64(j, "parser", parser);
	sw_json_u64(j, "alloc", alloc);
	sw_json_close_obj(j);
}

/* Suricata's stats.app_layer (flows per protocol, transactions) and stats.http (parser memory). */

static void app_layer_stats(struct sw_json *j, const struct sw_engine_totals *t)
{
	sw_json_obj(j, "app_layer");
	sw_json_obj(j, "flow");
	for (int k = SW_APP_HTTP1; k < SW_APP_N; k++) {
		char key[32];

		if (k == SW_APP_DNS || k == SW_APP_DCERPC || k == SW_APP_FAILED) {
			const char *base = k == SW_APP_FAILED ? "failed" : sw_app_proto_name((enum sw_app_proto)k);

			snprintf(key, sizeof(key), "%s_tcp", base);
			sw_json_u64(j, key, t->app_flows_tcp[k]);
			snprintf(key, sizeof(key), "%s_udp", base);
			sw_json_u64(j, key, t->app_flows_udp[k]);
		} else {
			snprintf(key, sizeof(key), "%s", sw_app_proto_name((enum sw_app_proto)k));
			if (k == SW_APP_FTP_DATA)
				snprintf(key, sizeof(key), "ftp_data");
			sw_json_u64(j, key, t->app.flows[k]);
		}
	}
	sw_json_close_obj(j);
	sw_json_obj(j, "tx");
	sw_json_u64(j, "http", t->app.tx_http);
	sw_json_u64(j, "dns_udp", t->app.tx_dns_udp);
	sw_json_u64(j, "dns_tcp", t->app.tx_dns_tcp);
	sw_json_u64(j, "tls", t->app.tx_tls);
	sw_json_u64(j, "ssh", t->app.tx_ssh);
	sw_json_close_obj(j);
	/* parser errors (Suricata's error.<proto>.parser) */
	sw_json_obj(j, "error");
	sw_json_obj(j, "http");
	sw_json_u64(j, "parser", t->app.http_parse_errors);
	sw_json_close_obj(j);
	app_error(j, "dns_udp", t->app.dns_err_udp, t->app.dns_alloc_udp);
	app_error(j, "dns_tcp", t->app.dns_err_tcp, t->app.dns_alloc_tcp);
	app_error(j, "tls", t->app.tls_invalid, t->app.tls_alloc);
	app_error(j, "ssh", t->app.ssh_invalid, t->app.ssh_alloc);
	sw_json_close_obj(j);
	sw_json_close_obj(j);
	sw_json_obj(j, "http");
	sw_json_u64(j, "memuse", t->app.memuse);
	sw_json_u64(j, "memcap", t->app.http_memcap);
	sw_json_close_obj(j);
}

void sw_engine_write_stats(struct sw_engine *e, struct sw_eve_writer *w, uint64_t rules_loaded,
			   uint64_t rules_failed, int64_t uptime_s)
{
	struct sw_engine_totals t;
	struct sw_json *j;
	uint64_t invalid = 0;

	sum(e, &t);
	for (int a = 0; a < SW_ANOM__COUNT; a++)
		if (!is_suricata_event(sw_decode_anom_name((enum sw_decode_anom)a)))
			invalid += t.ds.anom[a];
	/* Offline, time is the capture's; live, it is now. */
	if (e->cfg.inline_mode) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		j = sw_eve_begin(w, "stats", (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
	} else {
		j = sw_eve_begin(w, "stats", e->last_ts);
	}
	sw_json_obj(j, "stats");
	sw_json_i64(j, "uptime", uptime_s);
	if (e->have_capture_stats) {
		sw_json_obj(j, "capture");
		sw_json_u64(j, "kernel_packets", e->cap_packets);
		sw_json_u64(j, "kernel_drops", e->cap_drops);
		sw_json_u64(j, "kernel_ifdrops", e->cap_ifdrops);
		sw_json_close_obj(j);
	}
	sw_json_obj(j, "decoder");
	sw_json_u64(j, "pkts", t.ds.pkts);
	sw_json_u64(j, "bytes", t.ds.bytes);
	/* Checksum failures are already in the anomaly counters summed above. */
	sw_json_u64(j, "invalid", invalid);
	sw_json_u64(j, "ipv4", t.ds.ipv4);
	sw_json_u64(j, "ipv6", t.ds.ipv6);
	sw_json_u64(j, "tcp", t.ds.tcp);
	sw_json_u64(j, "udp", t.ds.udp);
	sw_json_u64(j, "icmpv4", t.ds.icmpv4);
	sw_json_u64(j, "icmpv6", t.ds.icmpv6);
	sw_json_u64(j, "vlan", t.ds.vlan);
	/* Suricata's encapsulation counters (packets inspected inside a tunnel: the exit summary). */
	sw_json_u64(j, "gre", t.ds.gre);
	sw_json_u64(j, "erspan", t.ds.erspan);
	sw_json_u64(j, "ppp", t.ds.ppp);
	sw_json_u64(j, "pppoe", t.ds.pppoe);
	sw_json_u64(j, "mpls", t.ds.mpls);
	sw_json_u64(j, "vxlan", t.ds.vxlan);
	sw_json_u64(j, "geneve", t.ds.geneve);
	sw_json_u64(j, "teredo", t.ds.teredo);
	sw_json_u64(j, "nsh", t.ds.nsh);
	sw_json_u64(j, "ipv4_in_ipv4", t.ds.ipv4_in_ipv4);
	sw_json_u64(j, "ipv6_in_ipv4", t.ds.ipv6_in_ipv4);
	sw_json_u64(j, "ipv4_in_ipv6", t.ds.ipv4_in_ipv6);
	sw_json_u64(j, "ipv6_in_ipv6", t.ds.ipv6_in_ipv6);
	decoder_events(j, &t);
	sw_json_close_obj(j);
	sw_json_obj(j, "flow");
	sw_json_u64(j, "total", t.fs.created);
	sw_json_u64(j, "active", t.fs.active);
	{
		/* What the pools really hold: a flow slot plus its two stream tails. */
		uint64_t per = sizeof(struct sw_flow) + 2ull * e->cfg.flow.stream_window;
		sw_json_u64(j, "memuse", t.fs.active * per);
		sw_json_u64(j, "memcap", (uint64_t)e->n * e->cfg.flow.max_flows * per);
	}
	sw_json_close_obj(j);
	if (e->cfg.defrag.enabled) {
		/* Suricata's stats.defrag keys (EVE schema). */
		sw_json_obj(j, "defrag");
		sw_json_obj(j, "ipv4");
		sw_json_u64(j, "fragments", t.df.ipv4_fragments);
		sw_json_u64(j, "reassembled", t.df.ipv4_reassembled);
		sw_json_u64(j, "timeouts", t.df.ipv4_timeouts);
		sw_json_close_obj(j);
		sw_json_obj(j, "ipv6");
		sw_json_u64(j, "fragments", t.df.ipv6_fragments);
		sw_json_u64(j, "reassembled", t.df.ipv6_reassembled);
		sw_json_u64(j, "timeouts", t.df.ipv6_timeouts);
		sw_json_close_obj(j);
		sw_json_u64(j, "max_frags_reached", t.df.max_frags_reached);
		sw_json_u64(j, "max_trackers_reached", t.df.max_trackers_reached);
		sw_json_u64(j, "tracker_hard_reuse", t.df.tracker_hard_reuse);
		sw_json_u64(j, "memuse", t.df.memuse);
		sw_json_close_obj(j);
	}
	sw_json_obj(j, "tcp");
	sw_json_u64(j, "midstream_pickups", t.ss.midstream);
	sw_json_u64(j, "overlap", t.ss.overlap);
	/* Suricata's names: gaps given up, segments refused for memory, pool in use. */
	sw_json_u64(j, "reassembly_gap", t.ss.gap);
	sw_json_u64(j, "segment_memcap_drop", t.ss.memcap_drop);
	sw_json_u64(j, "reassembly_memuse", t.reasm_memuse);
	/* Suricata's tcp.overlap_diff_data; its event is stream.reassembly_overlap_different_data. */
	sw_json_u64(j, "overlap_diff_data", t.ss.overlap_diff);
	sw_json_u64(j, "stream_depth_reached", t.ss.depth_reached);
	sw_json_close_obj(j);
	if (e->cfg.inline_mode) {
		sw_json_obj(j, "ips");
		sw_json_u64(j, "accepted", t.nfq.accepted);
		sw_json_u64(j, "blocked", t.nfq.dropped);
		sw_json_obj(j, "drop_reason");
		sw_json_u64(j, "rules", t.rule_drops);
		sw_json_u64(j, "flow_drop", t.flow_drops);
		sw_json_close_obj(j);
		sw_json_close_obj(j);
	}
	app_layer_stats(j, &t);
	sw_json_obj(j, "detect");
	sw_json_arr(j, "engines");
	sw_json_obj(j, NULL);
	sw_json_u64(j, "id", 0);
	sw_json_u64(j, "rules_loaded", rules_loaded);
	sw_json_u64(j, "rules_failed", rules_failed);
	sw_json_close_obj(j);
	sw_json_close_arr(j);
	sw_json_u64(j, "alert", t.dt.alerts);
	sw_json_u64(j, "alert_queue_overflow", t.dt.alert_overflow);
	sw_json_u64(j, "alerts_suppressed", t.dt.suppressed);
	sw_json_close_obj(j);
	if (e->cfg.stats_threads) {
		/*
		 * Per worker, as Suricata's "threads" stats (eve-log stats
		 * threads: yes).  Off by default: Suricata's EVE schema has no
		 * "threads" key, so strict validators reject these records.
		 */
		sw_json_obj(j, "threads");
		for (unsigned i = 0; i < e->n; i++) {
			struct sw_engine_totals tt;
			char name[16];

			sum_range(e, i, 1, &tt);
			snprintf(name, sizeof(name), "W#%02u", i + 1);
			sw_json_obj(j, name);
			sw_json_u64(j, "decoder.pkts", tt.ds.pkts);
			sw_json_u64(j, "decoder.bytes", tt.ds.bytes);
			sw_json_u64(j, "decoder.invalid_checksum", tt.invalid_csum);
			sw_json_u64(j, "flow.total", tt.fs.created);
			sw_json_u64(j, "flow.active", tt.fs.active);
			sw_json_u64(j, "flow.forced", tt.fs.ended_forced);
			sw_json_u64(j, "detect.alert", tt.dt.alerts);
			if (e->cfg.inline_mode) {
				sw_json_u64(j, "ips.accepted", tt.nfq.accepted);
				sw_json_u64(j, "ips.blocked", tt.nfq.dropped);
				sw_json_u64(j, "nfq.lost", tt.nfq.id_gaps);
			}
			sw_json_close_obj(j);
		}
		sw_json_close_obj(j);
	}
	sw_json_close_obj(j);
	sw_eve_end(w);
	sw_eve_writer_flush(w);
}

void sw_engine_totals(struct sw_engine *e, int worker, struct sw_engine_totals *t)
{
	if (worker < 0)
		sum(e, t);
	else
		sum_range(e, (unsigned)worker, 1, t);
}

unsigned sw_engine_threads(const struct sw_engine *e)
{
	return e->n;
}

bool sw_engine_capture_stats(const struct sw_engine *e, uint64_t *packets, uint64_t *drops, uint64_t *ifdrops)
{
	*packets = e->cap_packets;
	*drops = e->cap_drops;
	*ifdrops = e->cap_ifdrops;
	return e->have_capture_stats;
}

void sw_engine_set_capture_stats(struct sw_engine *e, uint64_t packets, uint64_t drops, uint64_t ifdrops)
{
	e->have_capture_stats = true;
	e->cap_packets = packets;
	e->cap_drops = drops;
	e->cap_ifdrops = ifdrops;
}

void sw_engine_log_summary(struct sw_engine *e)
{
	struct sw_engine_totals t;

	sum(e, &t);
	fprintf(stderr,
		"sidewall: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " flows (%" PRIu64 " timeout, %" PRIu64
		" forced, %" PRIu64 " shutdown), %" PRIu64 " alerts (%" PRIu64 " suppressed)\n",
		t.ds.pkts, t.ds.bytes, t.fs.created, t.fs.ended_timeout, t.fs.ended_forced, t.fs.ended_shutdown,
		t.dt.alerts, t.dt.suppressed);
	fprintf(stderr,
		"sidewall: checksum failures not inspected: %" PRIu64 ", detect failures: %" PRIu64
		", stream: %" PRIu64 " retransmitted, %" PRIu64 " overlap, %" PRIu64 " out of order (%" PRIu64
		" held, %" PRIu64 " not held for memory, %" PRIu64 " gaps never filled), %" PRIu64 " midstream, %" PRIu64
		" overlaps with different data, %" PRIu64 " RSTs ignored (not at the next sequence number), %" PRIu64
		" segments of sessions not reassembled (stream.midstream / async-oneside)\n",
		t.invalid_csum, t.scan_fail + t.dt.scan_errors, t.ss.retransmitted, t.ss.overlap, t.ss.out_of_order,
		t.ss.held, t.ss.memcap_drop, t.ss.gap, t.ss.midstream, t.ss.overlap_diff, t.fs.tcp_rst_ignored,
		t.ss.not_reassembled);
	if (t.ds.tunnel)
		fprintf(stderr, "sidewall: tunnels: %" PRIu64 " packets inspected inside a tunnel\n", t.ds.tunnel);
	if (e->cfg.defrag.enabled && t.ds.frags)
		fprintf(stderr,
			"sidewall: defrag: %" PRIu64 " IPv4 / %" PRIu64 " IPv6 fragments, %" PRIu64 " / %" PRIu64
			" datagrams reassembled, %" PRIu64 " / %" PRIu64 " timed out, %" PRIu64 " fragments dropped, %" PRIu64
			" / %" PRIu64 " overlaps, %" PRIu64 " evicted\n",
			t.df.ipv4_fragments, t.df.ipv6_fragments, t.df.ipv4_reassembled, t.df.ipv6_reassembled,
			t.df.ipv4_timeouts, t.df.ipv6_timeouts, t.df.dropped, t.df.frag_overlap[0], t.df.frag_overlap[1],
			t.df.tracker_hard_reuse);
	{
		char line[512];
		int n = 0;

		for (int k = SW_APP_HTTP1; k < SW_APP_N && n >= 0 && (size_t)n < sizeof(line); k++)
			if (t.app.flows[k])
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %" PRIu64,
					      sw_app_proto_name((enum sw_app_proto)k), t.app.flows[k]);
		if (n > 0)
			fprintf(stderr,
				"sidewall: app layer: flows:%s; http: %" PRIu64 " transactions, %" PRIu64
				" parse errors, %" PRIu64 " directions stopped by a gap, %" PRIu64 " memcap refusals; dns: %"
				PRIu64 " messages, %" PRIu64 " refused as malformed; tls: %" PRIu64 " handshakes, %" PRIu64
				" directions stopped (not TLS, malformed), %" PRIu64 " certificates undecodable, %" PRIu64
				" fields not kept (per-flow store full), %" PRIu64 " memcap refusals\n",
				line, t.app.tx_http, t.app.http_parse_errors, t.app.http_gap, t.app.http_memcap,
				t.app.tx_dns_udp + t.app.tx_dns_tcp, t.app.dns_malformed, t.app.tx_tls, t.app.tls_invalid,
				t.app.tls_cert_invalid, t.app.tls_truncated, t.app.tls_memcap);
	}
	if (e->cfg.inline_mode)
		fprintf(stderr,
			"sidewall: nfqueue: %" PRIu64 " packets, %" PRIu64 " accepted, %" PRIu64 " dropped (%" PRIu64
			" by rules, %" PRIu64 " dropped flows, %" PRIu64 " failure verdicts), %" PRIu64
			" lost before delivery, %" PRIu64 " verdict errors, %" PRIu64 " batches, rejects %" PRIu64
			" sent / %" PRIu64 " failed, conntrack marks of dropped flows %" PRIu64 " sent / %" PRIu64
			" refused\n",
			t.nfq.packets, t.nfq.accepted, t.nfq.dropped, t.rule_drops, t.flow_drops, t.fail_verdicts,
			t.nfq.id_gaps, t.nfq.verdict_errors, t.nfq.batches, t.rejects_sent, t.reject_errors,
			t.ctmark_sent, t.ctmark_failed);
	/*
	 * Captured on the sending host (veth, NIC offload), TCP/UDP checksums
	 * are not filled in yet: every packet looks bad and nothing is matched.
	 */
	if (e->cfg.verify_csum && t.ds.pkts >= 20 && t.invalid_csum * 2 > t.ds.pkts)
		fprintf(stderr,
			"sidewall: WARNING: %" PRIu64 " of %" PRIu64 " packets had bad checksums and were not inspected; "
			"if this capture comes from checksum offload, run with -k none (checksum-validation: no)\n",
			t.invalid_csum, t.ds.pkts);
	for (int a = 0; a < SW_ANOM__COUNT; a++)
		if (t.ds.anom[a])
			fprintf(stderr, "sidewall: anomaly %s: %" PRIu64 "\n",
				sw_decode_anom_name((enum sw_decode_anom)a), t.ds.anom[a]);
}

void sw_engine_free(struct sw_engine *e)
{
	if (!e)
		return;
	if (e->w) {
		for (unsigned i = 0; i < e->n; i++) {
			if (e->w[i].started && !e->cfg.inline_mode) {
				struct rec h = { .kind = REC_END };
				ring_put(&e->w[i].ring, &h, NULL);
				pthread_join(e->w[i].th, NULL);
			}
			worker_destroy(&e->w[i]);
		}
		free(e->w);
	}
	free(e->fragroute);
	sw_detect_put(e->d);
	pthread_mutex_destroy(&e->swap_lock);
	free(e);
}
