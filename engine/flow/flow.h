/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bidirectional 5-tuple flow table, one per worker thread (no locks).
 *
 * struct sw_flow is public, unlike most sidewall structs, because the worker,
 * detect and EVE stages read its fields on the per-packet path; only
 * flow.c writes them (and stream.c its stream[] members, detect.c flowbits,
 * engine/app/ the app_* members).
 *
 * Flows come from a pool preallocated at sw_flow_table_new(): the table never
 * allocates per packet.  When the pool is empty the least recently used flow
 * is evicted (reason FORCED) and counted.
 */
#ifndef SW_ENGINE_FLOW_H
#define SW_ENGINE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "engine/packet.h"

#define SW_FLOWBITS_WORDS 16 /* 1024 flowbits per ruleset */
#define SW_FLOWINTS 16       /* flowint variables per ruleset (rules/rule.h SW_FLOWINT_MAX) */

enum sw_flow_state { SW_FLOW_STATE_NEW, SW_FLOW_STATE_ESTABLISHED, SW_FLOW_STATE_CLOSED };

/* TCP state as Suricata names it in EVE's tcp.state. */
enum sw_tcp_state {
	SW_TCP_NONE,
	SW_TCP_SYN_SENT,
	SW_TCP_SYN_RECV,
	SW_TCP_ESTABLISHED,
	SW_TCP_FIN_WAIT1,
	SW_TCP_FIN_WAIT2,
	SW_TCP_TIME_WAIT,
	SW_TCP_CLOSE_WAIT,
	SW_TCP_LAST_ACK,
	SW_TCP_CLOSING,
	SW_TCP_CLOSED,
};

enum sw_flow_end {
	SW_FLOW_END_TIMEOUT,  /* "timeout" */
	SW_FLOW_END_FORCED,   /* "forced": evicted by the memory cap */
	SW_FLOW_END_SHUTDOWN, /* "shutdown": still open when capture ended */
	SW_FLOW_END_INTERIM,  /* "interim": not an end, a periodic record of a flow still open */
};

struct sw_stream_held; /* stream.c */
struct sw_app_flow;     /* engine/app/app.c */

/* One direction of a TCP byte stream (0 = to server, 1 = to client). */
struct sw_stream_dir {
	bool has_isn;
	bool in_sync;         /* next_seq is known and data so far was in order */
	uint32_t isn;
	uint32_t next_seq;    /* next expected sequence number */
	uint64_t stream_off;  /* in-order payload bytes seen so far */
	uint8_t *tail;        /* last bytes of in-order payload (pool-owned, cfg.stream_window bytes) */
	uint32_t tail_len;
	/*
	 * Bytes of out-of-order segments waiting for a gap to fill, NULL when
	 * none (units of the worker's struct sw_stream_pool: a directory of
	 * blocks indexed by sequence number; see stream.h).  The flow-end
	 * callback must give them back with sw_stream_flow_end() before the
	 * slot is recycled.
	 */
	struct sw_stream_held *held;
	uint32_t held_bytes;
	/*
	 * Times this direction lost bytes for good and resynchronised after
	 * them (a gap that was not held): whoever consumes the stream in order
	 * (engine/app/) compares it with the count it last saw.
	 */
	uint32_t gaps;
	uint64_t gap_bytes;   /* sequence numbers those gaps skipped */
	/*
	 * What the receiver of this direction told the sender (from the
	 * other direction's packets): the highest ACK and the last window,
	 * scaled when both SYNs carried a window scale.  Acknowledged bytes
	 * are the receiver's for good, whatever an overlap says later.
	 */
	uint32_t acked;
	uint32_t win;
	bool ack_known, win_known;
	bool syn_seen;        /* this direction's own SYN was seen (not derived from the SYN-ACK) */
	bool wscale_seen;     /* its SYN carried a window scale option */
	uint8_t wscale;
	bool fin;             /* its FIN was counted in next_seq */
	bool depth_reached;   /* stream.reassembly.depth: no more bytes inspected */
	uint8_t policy;       /* enum sw_stream_policy of the receiver, 0 until chosen */
	uint32_t last_seq;    /* start of the last in-order segment (the "list segment" of an overlap) */
};

struct sw_flow {
	/* key, oriented client -> server */
	struct sw_ip cli, srv;
	uint16_t cli_port, srv_port;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan[2];
	uint8_t tunnel_depth; /* of its packets (struct sw_packet.tunnel_depth): part of the key */
	uint32_t iface;

	/*
	 * Table internals: do not touch outside flow.c.  Next to the key and
	 * the per-packet counters: a lookup reads the hash and the key, every
	 * packet moves the flow on its LRU list, and at the end of the
	 * 584-byte struct they cost a cache line of their own per packet
	 * (perf: a quarter of sw_flow_packet's samples were those loads).
	 */
	uint32_t hash;
	uint16_t key_id;      /* ICMP/ICMPv6 echo id (part of the key; ports stay 0) */
	uint8_t lru_class;    /* which timeout class list the flow is on */
	uint8_t data_seen;    /* bit 0: payload to server, bit 1: payload to client */
	struct sw_flow *hnext, *lru_prev, *lru_next;

	uint64_t flow_id;     /* stable: hash of key and start time, < 2^53 so JSON readers keep it exact */
	int64_t start_usec, last_usec;
	int64_t reported_usec; /* start, or the time of the last interim record */

	uint64_t pkts_ts, pkts_tc, bytes_ts, bytes_tc; /* bytes = p->wirelen (whole frame), as Suricata's GET_PKT_LEN */

	enum sw_flow_state state;
	enum sw_tcp_state tcp_state;
	uint8_t tcp_flags_ts, tcp_flags_tc; /* OR of flags seen per direction */
	bool saw_syn;         /* the client was decided by a SYN */
	bool was_established; /* reached SW_FLOW_STATE_ESTABLISHED once (a RST before the handshake closes it from new) */

	bool alerted;         /* at least one alert on this flow */
	bool passed;          /* a pass rule matched: no further inspection */
	bool dropped;         /* a drop/reject rule matched: drop the rest (inline) */
	uint8_t ctmark_tries; /* conntrack mark updates sent for the drop (engine/worker.c, drop-connmark) */
	bool iponly_done[2];  /* IP-only rules already evaluated for this direction (0 = to server) */
	uint32_t drop_sid;

	uint64_t flowbits[SW_FLOWBITS_WORDS];
	/* flowint variables (detect.c): value per id, and which ids are set */
	uint32_t flowint[SW_FLOWINTS];
	uint16_t flowint_set;
	struct sw_stream_dir stream[2];

	/* application layer (engine/app/): zero on a new flow */
	uint8_t app_proto;         /* enum sw_app_proto: SW_APP_UNKNOWN until detected */
	uint8_t app_probe_done;    /* bit 0: to-server direction probed to the end, bit 1: to client */
	uint8_t app_proto_dir[2];  /* what each direction was recognised as (0 = to server), 0 if nothing */
	struct sw_app_flow *app;   /* the protocol parser's state, NULL if none */
	/*
	 * The payload is encrypted from here on (TLS application data seen):
	 * rules with payload keywords are no longer evaluated on its packets,
	 * Suricata's FLOW_NOPAYLOAD_INSPECTION under encryption-handling
	 * "track-only", its default.  Header rules and transactions still run.
	 */
	bool no_payload_inspect;


	/* ICMP/ICMPv6: the first type and code seen per direction (0 = to server) */
	uint8_t icmp_type[2], icmp_code[2];
	uint8_t icmp_seen;    /* bit 0: to server, bit 1: to client */
};

struct sw_flow_config {
	uint32_t max_flows;        /* pool size per table */
	uint32_t hash_size;        /* buckets, rounded up to a power of two */
	uint32_t prealloc;         /* flows whose memory is written at start-up (flow.prealloc, per table) */
	uint32_t stream_window;    /* tail bytes kept per TCP direction (0 = no stream matching) */
	uint64_t stream_memcap;    /* stream.reassembly.memcap: out-of-order bytes held, whole sensor (0 = none) */
	/* timeouts in seconds by protocol class: new / established / closed */
	uint32_t tcp_new, tcp_est, tcp_closed;
	uint32_t udp_new, udp_est;
	uint32_t icmp_new, icmp_est;
	uint32_t other_new, other_est;
	uint32_t interim_interval; /* seconds between interim records of open flows; 0 = none */
};

struct sw_flow_stats {
	uint64_t created, ended_timeout, ended_forced, ended_shutdown;
	uint64_t active;
	uint64_t tcp_ssn_no_syn;   /* TCP flow picked up mid-stream */
	uint64_t tcp_invalid;      /* state machine saw something it ignores (e.g. SYN on established) */
	uint64_t tcp_rst_ignored;  /* RSTs the receiver would not honour (not at the next sequence number) */
};

/* Called for every flow that ends; @f is recycled right after the call returns. */
typedef void (*sw_flow_end_fn)(void *ctx, struct sw_flow *f, enum sw_flow_end why);

struct sw_flow_table;

/*
 * New table; allocates every flow and stream tail, and writes the memory of
 * the first cfg->prealloc flows and of the hash buckets (common/prefault.h),
 * so the first flows take no page faults.  @end is called (with @ctx) for
 * every flow that ends.  Returns NULL with errno set.
 */
struct sw_flow_table *sw_flow_table_new(const struct sw_flow_config *cfg, sw_flow_end_fn end, void *ctx);
/* Frees the table without ending flows (call sw_flow_table_flush() first). */
void sw_flow_table_free(struct sw_flow_table *t);

/*
 * Find or create the flow of the decoded packet @p (p->l4_ok or an
 * IP packet of another protocol), update its counters, TCP state and
 * direction, and set p->flow and p->to_server.  A flow whose timeout has
 * passed at p->ts_usec is ended (TIMEOUT) and a new one started.  Returns the
 * flow, or NULL for a packet that cannot belong to a flow (not IP).
 */
struct sw_flow *sw_flow_packet(struct sw_flow_table *t, struct sw_packet *p);

/* End every flow idle past its timeout at @now_usec.  Cheap to call often. */
void sw_flow_table_expire(struct sw_flow_table *t, int64_t now_usec);
/*
 * Interim records, like NetFlow's active timeout: call the end callback with
 * SW_FLOW_END_INTERIM for every open flow whose last record is at least
 * cfg.interim_interval old at @now_usec, without ending it.  Counters in an
 * interim record are cumulative since the flow started.  O(open flows);
 * call it about once a second.
 */
void sw_flow_table_interim(struct sw_flow_table *t, int64_t now_usec);
/* End every flow with @why (SHUTDOWN at the end of a capture). */
void sw_flow_table_flush(struct sw_flow_table *t, enum sw_flow_end why);

const struct sw_flow_stats *sw_flow_table_stats(const struct sw_flow_table *t);

/*
 * Symmetric hash of the flow key of decoded packet @p (addresses, ports or
 * ICMP echo id, protocol, VLAN ids; not the capture interface): both
 * directions of a flow give the same value, so the reader thread can pick a
 * worker with it.  Fixed seed, so it is the same in every run.  Pure; reads
 * @p only.  Returns 0 for a packet that is not IP.
 */
uint32_t sw_flow_hash_packet(const struct sw_packet *p);

/*
 * The packet that made @f was the server's (the application layer saw a
 * response first, as Suricata's FlowSwap): swap client and server and every
 * per-direction member.  The table finds the flow either way round; the
 * flow's id and Community ID do not change.
 */
void sw_flow_reverse(struct sw_flow *f);

/* EVE strings. */
const char *sw_flow_state_name(enum sw_flow_state s);  /* "new", "established", "closed" */
const char *sw_tcp_state_name(enum sw_tcp_state s);    /* "syn_sent", ... */
const char *sw_flow_end_name(enum sw_flow_end e);      /* "timeout", "forced", "shutdown" */

#endif
