/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-worker bidirectional flow table.
 *
 * Key: (address, port) of both ends, protocol, VLAN ids, capture interface,
 * and for ICMP/ICMPv6 echo the echo id (ports stay 0, so an echo request and
 * its reply are one flow and EVE prints no ports).  Ports are 0 for packets
 * whose L4 header was not decoded (non-first fragments) and for protocols
 * without ports.
 *
 * Hash: the key is canonicalised by putting the lower (address, port) end
 * first, then packed into 64-bit words that are folded with a splitmix64
 * finaliser from a fixed seed.  Both directions canonicalise the same way, so
 * the hash is symmetric; the seed is fixed so flow ids and worker choice are
 * the same in every run.  The interface is compared but not hashed, so the
 * dispatcher (which does not need it) computes the same value.
 *
 * Expiry: each flow sits on one of nine LRU lists, one per timeout class
 * (tcp new/established/closed, udp, icmp and other new/established).  Within
 * one list every flow has the same timeout, and a flow moves to the tail on
 * every packet, so each list is ordered by last packet time and
 * sw_flow_table_expire() stops at the first head that has not expired: the
 * cost is O(expired + 9).  (If capture time steps backwards, e.g. between two
 * files, last_usec never decreases and order is approximate: a flow may be
 * ended a little late, never early.)  Eviction takes the oldest of the nine
 * heads.  All times are packet times, never the wall clock, so offline runs
 * are deterministic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "stream.h"
#include "common/hash.h"
#include "common/prefault.h"

#define HASH_SEED 0x5eed5ade5a11f10fULL
#define ID_MASK ((UINT64_C(1) << 53) - 1)

enum lru_class {
	LRU_TCP_NEW,
	LRU_TCP_EST,
	LRU_TCP_CLOSED,
	LRU_UDP_NEW,
	LRU_UDP_EST,
	LRU_ICMP_NEW,
	LRU_ICMP_EST,
	LRU_OTHER_NEW,
	LRU_OTHER_EST,
	LRU_N,
};

struct lru {
	struct sw_flow *head, *tail; /* head = least recently used */
};

struct sw_flow_table {
	struct sw_flow_config cfg;
	sw_flow_end_fn end;
	void *ctx;
	struct sw_flow *pool;     /* in pool_mem, at a cache line boundary (a flow is 9 lines) */
	void *pool_mem;
	uint8_t *arena;           /* 2 * stream_window bytes per flow */
	struct sw_flow **buckets;
	struct sw_flow **sortbuf; /* flush order, preallocated */
	uint32_t mask;
	struct sw_flow *free;     /* linked through lru_next */
	uint32_t fresh;           /* pool[fresh, max_flows) never handed out yet */
	struct lru lru[LRU_N];
	int64_t timeout_usec[LRU_N];
	struct sw_flow_stats st;
};

/* The lookup key of one packet, oriented as the packet travels. */
struct pkey {
	const struct sw_ip *src, *dst;
	uint16_t sport, dport, id;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan[2];
	uint8_t tunnel_depth;
	uint32_t iface;
};

static uint64_t load64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static void make_key(const struct sw_packet *p, struct pkey *k)
{
	bool icmp = p->proto == 1 || p->proto == 58;

	k->src = &p->src;
	k->dst = &p->dst;
	k->proto = p->proto;
	k->sport = k->dport = k->id = 0;
	if (p->l4_ok && !icmp && (p->proto == 6 || p->proto == 17 || p->proto == 132)) {
		k->sport = p->sport;
		k->dport = p->dport;
	}
	/* Echo request and reply share the id and nothing else: key on it. */
	if (icmp && p->l4_ok && p->icmp_has_id)
		k->id = p->icmp_id;
	k->vlan_count = p->vlan_count > 2 ? 2 : p->vlan_count;
	k->vlan[0] = k->vlan_count > 0 ? p->vlan[0] : 0;
	k->vlan[1] = k->vlan_count > 1 ? p->vlan[1] : 0;
	k->tunnel_depth = p->tunnel_depth;
	k->iface = p->iface;
}

/* <0 if end (a, ap) sorts before (b, bp). */
static int end_cmp(const struct sw_ip *a, uint16_t ap, const struct sw_ip *b, uint16_t bp)
{
	int c = sw_ip_cmp(a, b);

	if (c)
		return c;
	return ap < bp ? -1 : ap > bp;
}

static uint64_t hash_ends(const struct sw_ip *a, uint16_t ap, const struct sw_ip *b, uint16_t bp, uint8_t proto,
			  uint16_t id, uint8_t vlan_count, const uint16_t *vlan)
{
	const struct sw_ip *lo = a, *hi = b;
	uint16_t lop = ap, hip = bp;
	uint64_t h = HASH_SEED;

	if (end_cmp(a, ap, b, bp) > 0) {
		lo = b;
		hi = a;
		lop = bp;
		hip = ap;
	}
	h = sw_mix64(h ^ load64(lo->a));
	h = sw_mix64(h ^ load64(lo->a + 8));
	h = sw_mix64(h ^ load64(hi->a));
	h = sw_mix64(h ^ load64(hi->a + 8));
	h = sw_mix64(h ^ ((uint64_t)lop << 48 | (uint64_t)hip << 32 | (uint64_t)proto << 24 |
		       (uint64_t)lo->family << 16 | (uint64_t)hi->family << 8 | vlan_count));
	h = sw_mix64(h ^ ((uint64_t)id << 32 | (uint64_t)vlan[0] << 16 | vlan[1]));
	return h;
}

static uint64_t key_hash(const struct pkey *k)
{
	uint64_t h = hash_ends(k->src, k->sport, k->dst, k->dport, k->proto, k->id, k->vlan_count, k->vlan);

	/*
	 * A tunnelled flow is not the plain flow of the same tuple (Suricata's
	 * recursion_level in its flow hash, decoder.recursion-level.
	 * use-for-tracking); mixed in only when set, so plain flows keep
	 * their hash and flow_id.
	 */
	return k->tunnel_depth ? sw_mix64(h ^ k->tunnel_depth) : h;
}

static uint32_t fold(uint64_t h)
{
	return (uint32_t)(h ^ h >> 32);
}

uint32_t sw_flow_hash_packet(const struct sw_packet *p)
{
	struct pkey k;

	if (p->ip_ver != 4 && p->ip_ver != 6)
		return 0;
	make_key(p, &k);
	return fold(key_hash(&k));
}

/* Stable id: the canonical key hash and the start time, 53 bits, never 0. */
static uint64_t make_flow_id(uint64_t keyhash, int64_t start_usec)
{
	uint64_t id = sw_mix64(keyhash ^ sw_mix64((uint64_t)start_usec + HASH_SEED)) & ID_MASK;

	return id ? id : 1;
}

/*
 * Does flow @f carry key @k?  Sets *@to_server for the packet's direction.
 * A flow between one (address, port) and itself is all to_server.
 */
static bool flow_match(const struct sw_flow *f, const struct pkey *k, bool *to_server)
{
	if (f->proto != k->proto || f->key_id != k->id || f->iface != k->iface || f->vlan_count != k->vlan_count ||
	    f->vlan[0] != k->vlan[0] || f->vlan[1] != k->vlan[1] || f->tunnel_depth != k->tunnel_depth)
		return false;
	if (f->cli_port == k->sport && f->srv_port == k->dport && sw_ip_eq(&f->cli, k->src) &&
	    sw_ip_eq(&f->srv, k->dst)) {
		*to_server = true;
		return true;
	}
	if (f->srv_port == k->sport && f->cli_port == k->dport && sw_ip_eq(&f->srv, k->src) &&
	    sw_ip_eq(&f->cli, k->dst)) {
		*to_server = false;
		return true;
	}
	return false;
}

/* ---- LRU lists ---- */

static void lru_unlink(struct sw_flow_table *t, struct sw_flow *f)
{
	struct lru *l = &t->lru[f->lru_class];

	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct sw_flow_table *t, struct sw_flow *f, uint8_t cls)
{
	struct lru *l = &t->lru[cls];

	f->lru_class = cls;
	f->lru_next = NULL;
	f->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

static uint8_t flow_class(const struct sw_flow *f)
{
	bool est = f->state != SW_FLOW_STATE_NEW;

	switch (f->proto) {
	case 6:
		if (f->state == SW_FLOW_STATE_CLOSED)
			return LRU_TCP_CLOSED;
		return est ? LRU_TCP_EST : LRU_TCP_NEW;
	case 17:
		return est ? LRU_UDP_EST : LRU_UDP_NEW;
	case 1:
	case 58:
		return est ? LRU_ICMP_EST : LRU_ICMP_NEW;
	default:
		return est ? LRU_OTHER_EST : LRU_OTHER_NEW;
	}
}

static bool expired(const struct sw_flow_table *t, const struct sw_flow *f, int64_t now_usec)
{
	/* As Suricata: timed out once last + timeout is strictly before now. */
	return now_usec - f->last_usec > t->timeout_usec[f->lru_class];
}

/* ---- flow life cycle ---- */

static void hash_unlink(struct sw_flow_table *t, struct sw_flow *f)
{
	struct sw_flow **pp = &t->buckets[f->hash & t->mask];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->hnext = NULL;
}

/* End @f: callback first (the flow is intact), then back on the free list. */
static void flow_end(struct sw_flow_table *t, struct sw_flow *f, enum sw_flow_end why)
{
	uint8_t *tail0 = f->stream[0].tail, *tail1 = f->stream[1].tail;

	hash_unlink(t, f);
	lru_unlink(t, f);
	if (t->end)
		t->end(t->ctx, f, why);
	switch (why) {
	case SW_FLOW_END_TIMEOUT:
		t->st.ended_timeout++;
		break;
	case SW_FLOW_END_FORCED:
		t->st.ended_forced++;
		break;
	case SW_FLOW_END_SHUTDOWN:
		t->st.ended_shutdown++;
		break;
	case SW_FLOW_END_INTERIM: /* never passed here: interim records do not end flows */
		break;
	}
	t->st.active--;
	memset(f, 0, sizeof(*f));
	f->stream[0].tail = tail0;
	f->stream[1].tail = tail1;
	f->lru_next = t->free;
	t->free = f;
}

/* The least recently used flow over all classes (ties: lowest class). */
static struct sw_flow *oldest(struct sw_flow_table *t)
{
	struct sw_flow *best = NULL;

	for (int i = 0; i < LRU_N; i++) {
		struct sw_flow *h = t->lru[i].head;

		if (h && (!best || h->last_usec < best->last_usec))
			best = h;
	}
	return best;
}

static struct sw_flow *flow_alloc(struct sw_flow_table *t)
{
	struct sw_flow *f;

	if (!t->free && t->fresh < t->cfg.max_flows) {
		/* Flows given back come first, as from a free list built in pool order. */
		f = &t->pool[t->fresh++];
		if (t->arena) {
			f->stream[0].tail = t->arena + (size_t)(f - t->pool) * 2 * t->cfg.stream_window;
			f->stream[1].tail = f->stream[0].tail + t->cfg.stream_window;
		}
		return f;
	}
	if (!t->free)
		flow_end(t, oldest(t), SW_FLOW_END_FORCED); /* max_flows >= 1: some flow is active */
	f = t->free;
	t->free = f->lru_next;
	f->lru_next = NULL;
	return f;
}

/*
 * Start a flow for packet key @k.  The client is the sender of a SYN
 * without ACK, the receiver of a SYN-ACK (we missed the SYN: Suricata
 * reverses the same way), otherwise the sender of the first packet.
 */
static struct sw_flow *flow_create(struct sw_flow_table *t, const struct sw_packet *p, const struct pkey *k,
				   uint64_t keyhash, bool *to_server)
{
	struct sw_flow *f = flow_alloc(t);
	bool tcp = p->proto == 6 && p->l4_ok;
	uint8_t fl = tcp ? p->tcp_flags : 0;
	bool reverse = tcp && (fl & (SW_TCP_SYN | SW_TCP_ACK)) == (SW_TCP_SYN | SW_TCP_ACK);

	f->cli = reverse ? *k->dst : *k->src;
	f->srv = reverse ? *k->src : *k->dst;
	f->cli_port = reverse ? k->dport : k->sport;
	f->srv_port = reverse ? k->sport : k->dport;
	f->proto = k->proto;
	f->key_id = k->id;
	f->vlan_count = k->vlan_count;
	f->vlan[0] = k->vlan[0];
	f->vlan[1] = k->vlan[1];
	f->tunnel_depth = k->tunnel_depth;
	f->iface = k->iface;
	f->start_usec = f->last_usec = f->reported_usec = p->ts_usec;
	f->flow_id = make_flow_id(keyhash, p->ts_usec);
	f->hash = fold(keyhash);
	f->state = SW_FLOW_STATE_NEW;
	f->tcp_state = SW_TCP_NONE;
	f->icmp_seen = 0;
	if (tcp) {
		if ((fl & (SW_TCP_SYN | SW_TCP_ACK | SW_TCP_RST)) == SW_TCP_SYN) {
			f->saw_syn = true;
			f->tcp_state = SW_TCP_SYN_SENT;
		} else if (reverse && !(fl & SW_TCP_RST)) {
			f->saw_syn = true;
			f->tcp_state = SW_TCP_SYN_RECV;
		} else {
			t->st.tcp_ssn_no_syn++;
		}
	}
	f->hnext = t->buckets[f->hash & t->mask];
	t->buckets[f->hash & t->mask] = f;
	lru_append(t, f, flow_class(f));
	t->st.created++;
	t->st.active++;
	*to_server = !reverse;
	return f;
}

static bool tcp_closing(enum sw_tcp_state s)
{
	return s == SW_TCP_CLOSING || s == SW_TCP_LAST_ACK || s == SW_TCP_TIME_WAIT || s == SW_TCP_CLOSED;
}

/*
 * TCP state after one packet, following Suricata's stream-tcp state names:
 * a FIN from the client moves established to close_wait, from the server
 * to fin_wait1; the second FIN leads to last_ack / time_wait / closing, and
 * the last ACK to closed (Suricata's TCP_CLOSED after last_ack and
 * time_wait).  RST and FIN count only where the receiver would take them,
 * judged by the sequence numbers stream.c tracks for the sender's
 * direction (before this packet: the stream stage runs after this one):
 * a RST only at the exact next sequence number (RFC 5961 3.2, as Linux:
 * one elsewhere in the window only draws a challenge ACK, one outside it
 * is dropped), a FIN only inside the window.  Either one the receiver
 * ignores is counted as invalid and changes nothing, so an attacker
 * cannot end our inspection of a session the receiver keeps open.  An
 * unexpected SYN is counted as invalid and ignored.
 */
static void tcp_update(struct sw_flow_table *t, struct sw_flow *f, const struct sw_packet *p, bool ts, bool created)
{
	uint8_t fl = p->tcp_flags;
	bool syn = fl & SW_TCP_SYN, ack = fl & SW_TCP_ACK, fin = fl & SW_TCP_FIN;

	if (created)
		return; /* flow_create() set the initial state */
	if (fl & SW_TCP_RST) {
		if (!sw_stream_rst_ok(f, ts ? 0 : 1, p->tcp_seq)) {
			t->st.tcp_invalid++;
			t->st.tcp_rst_ignored++;
			return;
		}
		f->tcp_state = SW_TCP_CLOSED;
		return;
	}
	if (fin && !sw_stream_fin_ok(f, ts ? 0 : 1, p->tcp_seq + (syn ? 1 : 0), p->payload_len)) {
		t->st.tcp_invalid++;
		fin = false; /* the receiver drops it: no state change from its FIN */
	}
	switch (f->tcp_state) {
	case SW_TCP_NONE:
		/*
		 * Mid-stream pickup: established once data went both ways (a
		 * lone FIN is not enough; both FINs still close the flow, see
		 * state_update()).
		 */
		/*
		 * A stray packet (an old connection's ACK or FIN) made the flow;
		 * the client's SYN that follows, before any data, starts the
		 * session after all (Suricata creates none for the stray one).
		 */
		if (syn && !ack && ts && !f->data_seen) {
			f->saw_syn = true;
			f->tcp_state = SW_TCP_SYN_SENT;
			break;
		}
		if (syn) {
			t->st.tcp_invalid++;
			break;
		}
		if (f->data_seen != 3)
			break;
		f->tcp_state = SW_TCP_ESTABLISHED;
		if (fin)
			f->tcp_state = ts ? SW_TCP_CLOSE_WAIT : SW_TCP_FIN_WAIT1;
		break;
	case SW_TCP_SYN_SENT:
		if (!ts && syn) /* SYN-ACK, or a simultaneous open's SYN */
			f->tcp_state = SW_TCP_SYN_RECV;
		else if (!(ts && syn && !ack))
			t->st.tcp_invalid++; /* anything but a SYN retransmission before the SYN-ACK */
		break;
	case SW_TCP_SYN_RECV:
		if (ts && ack && !syn)
			f->tcp_state = fin ? SW_TCP_CLOSE_WAIT : SW_TCP_ESTABLISHED;
		else if (syn && !(!ts && ack)) /* a SYN-ACK retransmission is fine */
			t->st.tcp_invalid++;
		break;
	case SW_TCP_ESTABLISHED:
		if (syn)
			t->st.tcp_invalid++;
		else if (fin)
			f->tcp_state = ts ? SW_TCP_CLOSE_WAIT : SW_TCP_FIN_WAIT1;
		break;
	case SW_TCP_FIN_WAIT1: /* the server closed first */
		if (ts && fin)
			f->tcp_state = ack ? SW_TCP_TIME_WAIT : SW_TCP_CLOSING;
		else if (ts && ack)
			f->tcp_state = SW_TCP_FIN_WAIT2;
		break;
	case SW_TCP_FIN_WAIT2:
		if (ts && fin)
			f->tcp_state = SW_TCP_TIME_WAIT;
		break;
	case SW_TCP_CLOSE_WAIT: /* the client closed first */
		if (!ts && fin)
			f->tcp_state = SW_TCP_LAST_ACK;
		break;
	case SW_TCP_LAST_ACK: /* the FIN's sender acknowledges the other FIN: Suricata says closed */
		if (ts && ack)
			f->tcp_state = SW_TCP_CLOSED;
		break;
	case SW_TCP_CLOSING:
		if (ack)
			f->tcp_state = SW_TCP_TIME_WAIT;
		break;
	case SW_TCP_TIME_WAIT:
		if (!ts && ack && !fin)
			f->tcp_state = SW_TCP_CLOSED;
		break;
	case SW_TCP_CLOSED:
		break;
	}
}

static void state_update(struct sw_flow *f)
{
	if (f->proto != 6) {
		if (f->state == SW_FLOW_STATE_NEW && f->pkts_ts && f->pkts_tc)
			f->state = SW_FLOW_STATE_ESTABLISHED;
		return;
	}
	/*
	 * Closed: an accepted RST (tcp_update() closed it), or both FINs
	 * (whatever order the state machine saw).  The flags seen say what
	 * was on the wire, including a RST the receiver ignored.
	 */
	if (tcp_closing(f->tcp_state) || (f->tcp_flags_ts & f->tcp_flags_tc & SW_TCP_FIN)) {
		f->state = SW_FLOW_STATE_CLOSED;
		return;
	}
	if (f->state == SW_FLOW_STATE_NEW && f->tcp_state >= SW_TCP_ESTABLISHED)
		f->state = SW_FLOW_STATE_ESTABLISHED;
	if (f->state == SW_FLOW_STATE_ESTABLISHED)
		f->was_established = true;
}

struct sw_flow *sw_flow_packet(struct sw_flow_table *t, struct sw_packet *p)
{
	struct sw_flow *f;
	struct pkey k;
	uint64_t kh;
	uint32_t h, len;
	bool ts = true, created = false, tcp;

	p->flow = NULL;
	p->to_server = true;
	if (p->ip_ver != 4 && p->ip_ver != 6)
		return NULL;
	make_key(p, &k);
	kh = key_hash(&k);
	h = fold(kh);
	tcp = p->proto == 6 && p->l4_ok;
	for (f = t->buckets[h & t->mask]; f; f = f->hnext)
		if (f->hash == h && flow_match(f, &k, &ts))
			break;
	if (f && expired(t, f, p->ts_usec)) {
		flow_end(t, f, SW_FLOW_END_TIMEOUT);
		f = NULL;
	} else if (f && tcp && (p->tcp_flags & (SW_TCP_SYN | SW_TCP_ACK | SW_TCP_RST)) == SW_TCP_SYN &&
		   f->state == SW_FLOW_STATE_CLOSED) {
		/* Port reuse: a fresh SYN on a closed session starts a new flow. */
		flow_end(t, f, SW_FLOW_END_TIMEOUT);
		f = NULL;
	}
	if (!f) {
		f = flow_create(t, p, &k, kh, &ts);
		created = true;
	}

	if (p->ts_usec > f->last_usec)
		f->last_usec = p->ts_usec;
	/*
	 * Bytes are p->wirelen, the frame as it was on the wire including the
	 * link layer: Suricata counts GET_PKT_LEN, the whole packet, so our
	 * flow records compare byte for byte.  Fall back to the captured length
	 * when a source does not know the wire length.  A tunnelled packet is
	 * Suricata's tunnel packet: the encapsulated bytes only.
	 */
	len = p->tunnel_depth ? p->tunnel_len : p->wirelen ? p->wirelen : p->caplen;
	if (ts) {
		f->pkts_ts++;
		f->bytes_ts += len;
	} else {
		f->pkts_tc++;
		f->bytes_tc += len;
	}
	/* Community ID and the flow record name a flow's ICMP type and code (Suricata keeps the first of each side) */
	if ((p->proto == 1 || p->proto == 58) && p->l4_ok && !(f->icmp_seen & (ts ? 1 : 2))) {
		f->icmp_type[!ts] = p->icmp_type;
		f->icmp_code[!ts] = p->icmp_code;
		f->icmp_seen |= ts ? 1 : 2;
	}
	if (tcp) {
		if (ts)
			f->tcp_flags_ts |= p->tcp_flags;
		else
			f->tcp_flags_tc |= p->tcp_flags;
		if (p->payload_len)
			f->data_seen |= ts ? 1 : 2;
		/* a connection closed before it was ever established never was (Suricata: no session) */
		p->tcp_state_prev = f->was_established ? (uint8_t)f->tcp_state : (uint8_t)SW_TCP_NONE;
		tcp_update(t, f, p, ts, created);
	}
	state_update(f);
	/* Already the most recent of its class (a burst): nothing to move. */
	if (t->lru[f->lru_class].tail != f || flow_class(f) != f->lru_class) {
		lru_unlink(t, f);
		lru_append(t, f, flow_class(f));
	}
	p->flow = f;
	p->to_server = ts;
	return f;
}

void sw_flow_table_expire(struct sw_flow_table *t, int64_t now_usec)
{
	for (int i = 0; i < LRU_N; i++) {
		struct sw_flow *f;

		while ((f = t->lru[i].head) && expired(t, f, now_usec))
			flow_end(t, f, SW_FLOW_END_TIMEOUT);
	}
}

void sw_flow_table_interim(struct sw_flow_table *t, int64_t now_usec)
{
	int64_t every = (int64_t)t->cfg.interim_interval * 1000000;

	if (!every)
		return;
	for (int i = 0; i < LRU_N; i++)
		for (struct sw_flow *f = t->lru[i].head; f; f = f->lru_next)
			if (now_usec - f->reported_usec >= every) {
				if (t->end)
					t->end(t->ctx, f, SW_FLOW_END_INTERIM);
				f->reported_usec = now_usec;
			}
}

static int flush_cmp(const void *a, const void *b)
{
	const struct sw_flow *x = *(struct sw_flow *const *)a, *y = *(struct sw_flow *const *)b;

	if (x->start_usec != y->start_usec)
		return x->start_usec < y->start_usec ? -1 : 1;
	if (x->flow_id != y->flow_id)
		return x->flow_id < y->flow_id ? -1 : 1;
	return end_cmp(&x->cli, x->cli_port, &y->cli, y->cli_port);
}

/* Ends flows in (start time, flow_id) order so output is reproducible. */
void sw_flow_table_flush(struct sw_flow_table *t, enum sw_flow_end why)
{
	size_t n = 0;

	for (int i = 0; i < LRU_N; i++)
		for (struct sw_flow *f = t->lru[i].head; f; f = f->lru_next)
			t->sortbuf[n++] = f;
	qsort(t->sortbuf, n, sizeof(*t->sortbuf), flush_cmp);
	for (size_t i = 0; i < n; i++)
		flow_end(t, t->sortbuf[i], why);
}

const struct sw_flow_stats *sw_flow_table_stats(const struct sw_flow_table *t)
{
	return &t->st;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t v = 1;

	while (v < n && v < (UINT32_C(1) << 31))
		v <<= 1;
	return v;
}

struct sw_flow_table *sw_flow_table_new(const struct sw_flow_config *cfg, sw_flow_end_fn end, void *ctx)
{
	struct sw_flow_table *t = NULL;
	size_t arena_len;
	uint32_t nb;
	int err = 0;

	if (!cfg || cfg->max_flows == 0) {
		err = EINVAL;
		goto out;
	}
	if (cfg->stream_window && (size_t)cfg->max_flows > SIZE_MAX / 2 / cfg->stream_window) {
		err = ENOMEM;
		goto out;
	}
	arena_len = (size_t)cfg->max_flows * 2 * cfg->stream_window;
	t = calloc(1, sizeof(*t));
	if (!t) {
		err = ENOMEM;
		goto out;
	}
	t->cfg = *cfg;
	t->end = end;
	t->ctx = ctx;
	nb = pow2_at_least(cfg->hash_size ? cfg->hash_size : cfg->max_flows);
	t->mask = nb - 1;
	/* calloc, not aligned_alloc: the pool's untouched pages stay shared zero pages */
	t->pool_mem = calloc(1, (size_t)cfg->max_flows * sizeof(*t->pool) + 63);
	t->pool = t->pool_mem ? (struct sw_flow *)(((uintptr_t)t->pool_mem + 63) & ~(uintptr_t)63) : NULL;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->sortbuf = calloc(cfg->max_flows, sizeof(*t->sortbuf));
	t->arena = arena_len ? malloc(arena_len) : NULL;
	if (!t->pool || !t->buckets || !t->sortbuf || (arena_len && !t->arena)) {
		err = ENOMEM;
		goto out;
	}
	/*
	 * No free list built here: flows are handed out in pool order first
	 * (flow_alloc()), so the pages of flows never used stay untouched (not
	 * resident) and start-up does not write the whole pool.  The first
	 * cfg->prealloc flows, their tails and the buckets (hashing touches
	 * all of them soon) get their pages now: on public-mix.pcap those
	 * first-touch faults were 1,100 of the 1,450 taken while processing.
	 */
	{
		size_t n = cfg->prealloc < cfg->max_flows ? cfg->prealloc : cfg->max_flows;

		if (n) {
			sw_prefault(t->pool, n * sizeof(*t->pool));
			sw_prefault(t->buckets, nb * sizeof(*t->buckets));
			if (t->arena)
				sw_prefault(t->arena, n * 2 * cfg->stream_window);
		}
	}
	t->timeout_usec[LRU_TCP_NEW] = (int64_t)cfg->tcp_new * 1000000;
	t->timeout_usec[LRU_TCP_EST] = (int64_t)cfg->tcp_est * 1000000;
	t->timeout_usec[LRU_TCP_CLOSED] = (int64_t)cfg->tcp_closed * 1000000;
	t->timeout_usec[LRU_UDP_NEW] = (int64_t)cfg->udp_new * 1000000;
	t->timeout_usec[LRU_UDP_EST] = (int64_t)cfg->udp_est * 1000000;
	t->timeout_usec[LRU_ICMP_NEW] = (int64_t)cfg->icmp_new * 1000000;
	t->timeout_usec[LRU_ICMP_EST] = (int64_t)cfg->icmp_est * 1000000;
	t->timeout_usec[LRU_OTHER_NEW] = (int64_t)cfg->other_new * 1000000;
	t->timeout_usec[LRU_OTHER_EST] = (int64_t)cfg->other_est * 1000000;
out:
	if (err) {
		sw_flow_table_free(t);
		errno = err;
		return NULL;
	}
	return t;
}

void sw_flow_table_free(struct sw_flow_table *t)
{
	if (!t)
		return;
	free(t->pool_mem);
	free(t->buckets);
	free(t->sortbuf);
	free(t->arena);
	free(t);
}

const char *sw_flow_state_name(enum sw_flow_state s)
{
	switch (s) {
	case SW_FLOW_STATE_NEW:
		return "new";
	case SW_FLOW_STATE_ESTABLISHED:
		return "established";
	case SW_FLOW_STATE_CLOSED:
		return "closed";
	}
	return "unknown";
}

const char *sw_tcp_state_name(enum sw_tcp_state s)
{
	static const char *const names[] = {
		[SW_TCP_NONE] = "none",
		[SW_TCP_SYN_SENT] = "syn_sent",
		[SW_TCP_SYN_RECV] = "syn_recv",
		[SW_TCP_ESTABLISHED] = "established",
		[SW_TCP_FIN_WAIT1] = "fin_wait1",
		[SW_TCP_FIN_WAIT2] = "fin_wait2",
		[SW_TCP_TIME_WAIT] = "time_wait",
		[SW_TCP_CLOSE_WAIT] = "close_wait",
		[SW_TCP_LAST_ACK] = "last_ack",
		[SW_TCP_CLOSING] = "closing",
		[SW_TCP_CLOSED] = "closed",
	};

	if ((unsigned)s < sizeof(names) / sizeof(names[0]))
		return names[s];
	return "unknown";
}

const char *sw_flow_end_name(enum sw_flow_end e)
{
	switch (e) {
	case SW_FLOW_END_TIMEOUT:
		return "timeout";
	case SW_FLOW_END_FORCED:
		return "forced";
	case SW_FLOW_END_SHUTDOWN:
		return "shutdown";
	case SW_FLOW_END_INTERIM:
		return "interim";
	}
	return "unknown";
}

#define SWAP(a, b)                      \
	do {                            \
		__typeof__(a) tmp_ = (a); \
		(a) = (b);              \
		(b) = tmp_;             \
	} while (0)

void sw_flow_reverse(struct sw_flow *f)
{
	uint8_t seen = f->data_seen, icmp = f->icmp_seen, probed = f->app_probe_done;

	SWAP(f->cli, f->srv);
	SWAP(f->cli_port, f->srv_port);
	SWAP(f->pkts_ts, f->pkts_tc);
	SWAP(f->bytes_ts, f->bytes_tc);
	SWAP(f->tcp_flags_ts, f->tcp_flags_tc);
	SWAP(f->stream[0], f->stream[1]);
	SWAP(f->iponly_done[0], f->iponly_done[1]);
	SWAP(f->icmp_type[0], f->icmp_type[1]);
	SWAP(f->icmp_code[0], f->icmp_code[1]);
	SWAP(f->app_proto_dir[0], f->app_proto_dir[1]);
	/* per-direction bit pairs: bit 0 to server, bit 1 to client */
	f->data_seen = (uint8_t)((seen & ~3u) | (seen & 1u) << 1 | (seen >> 1 & 1u));
	f->icmp_seen = (uint8_t)((icmp & ~3u) | (icmp & 1u) << 1 | (icmp >> 1 & 1u));
	f->app_probe_done = (uint8_t)((probed & ~3u) | (probed & 1u) << 1 | (probed >> 1 & 1u));
}
