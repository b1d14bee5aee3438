/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the detect_*.c files.  Not a public header: nothing
 * outside engine/detect*.c includes it.
 */
#ifndef SW_ENGINE_DETECT_INT_H
#define SW_ENGINE_DETECT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "detect.h"
#include "engine/app/app.h"

/* ---- interval map: one lookup structure over many rules' intervals ---- */

/* A 128-bit key: IPv4 addresses and ports use lo only, IPv6 both halves. */
struct k128 {
	uint64_t hi, lo;
};

/*
 * Elementary segments [start[i], start[i+1]) (the last one is open-ended),
 * each mapping to the rule ids ids[off[i]..off[i+1]) covering it (CSR).
 * Lookup is one binary search.
 */
struct imap {
	uint32_t nseg;
	struct k128 *start;
	uint32_t *off; /* nseg + 1 */
	uint32_t *ids;
	/*
	 * IPv4 maps only: top[h] = first segment whose start >= h << 16, for
	 * h in 0..65536, so a lookup binary-searches only the few segments
	 * starting in the key's /16 (the full array of a 1,200-rule reputation
	 * list is ~1 MB: a plain binary search costs a dozen cache misses).
	 */
	uint32_t *top;
	/*
	 * IPv4 maps only: one bit per /20, set if any rule covers part of it.
	 * 128 KB that stays in cache: most packets' addresses are answered
	 * "no rule" by one load.
	 */
	uint64_t *occ;
	/*
	 * Port and protocol maps (every segment starts below 65537): one bit
	 * per key below 65536, set if a rule covers it.  Most packets' ports
	 * are in no rule's set, and the sport and protocol maps hold a handful
	 * of rules: one load instead of a binary search.
	 */
	uint64_t *occ16;
};

/* Head matcher (detect_head.c): literals ending within a buffer's first bytes. */
struct sw_head_ent {
	uint32_t id;  /* reported as the Hyperscan pattern id */
	uint32_t off; /* its bytes in sw_head.bytes (folded to lower case if caseless) */
	uint8_t len;
	uint8_t maxstart; /* the last offset it may start at in the inspected buffer */
	bool nocase;
};

struct sw_head_slot {
	uint16_t key;  /* the first two bytes (b[0] | b[1] << 8), or the one byte */
	bool one;      /* one-byte literals */
	uint32_t first, n; /* the literals: list[first .. first + n) */
};

struct sw_head {
	uint64_t bm2[1024];  /* two-byte keys some literal starts with */
	uint64_t bm1[4];     /* one-byte literals */
	/* the same for the literals that may start past offset 0 (ET: 31 of 626) */
	uint64_t bm2f[1024], bm1f[4];
	uint64_t first[4], firstf[4]; /* first bytes of all literals, of those past offset 0 */
	struct sw_head_ent *ent;
	uint8_t *bytes;
	struct sw_head_slot *slot; /* open addressing, mask + 1 slots */
	uint32_t *list;
	uint32_t mask, n, nlist;
	uint32_t maxstart; /* the largest maxstart */
};

/*
 * Build @h over @n literals (@expr/@lens, @caseless nonzero for ASCII
 * case-insensitive, starting at offset @maxstart at the latest, reported as
 * @ids); the bytes are copied.  0, -EINVAL (a literal empty or longer than
 * 255 bytes) or -ENOMEM.
 */
int sw_head_build(struct sw_head *h, const char *const *expr, const size_t *lens, const unsigned *caseless,
		  const uint8_t *maxstart, const uint32_t *ids, uint32_t n);
void sw_head_free(struct sw_head *h);
/*
 * Every occurrence of a literal in @b/@len, by start offset, to @cb as
 * Hyperscan would report it (id, from, to, 0, @ctx), that starts within its
 * maxstart of an origin: @org_a or @org_b (@org_a <= @org_b), the positions
 * in @b of the inspected buffers' offset 0 (a combined stream scan has two,
 * the stream's and the packet's; detect.c).  Returns 1 if @cb returned
 * nonzero (the scan stopped there), else 0.
 */
int sw_head_scan(const struct sw_head *h, const uint8_t *b, uint32_t len, int64_t org_a, int64_t org_b,
		 match_event_handler cb, void *ctx);

/* One interval to index: [lo, hi] inclusive belongs to rule @id. */
struct ival {
	struct k128 lo, hi;
	uint32_t id;
};

/*
 * Build @m over @n intervals (borrowed).  A rule spanning more than
 * @span_limit segments is not indexed: its id is written to @demoted (which
 * has room for every id) and counted in *@n_demoted, so the caller can put it
 * in an "always" list instead; this keeps the CSR arrays from growing as
 * rules x segments.  Returns 0 or -ENOMEM.
 */
int sw_imap_build(struct imap *m, struct ival *iv, size_t n, uint32_t span_limit, uint32_t *demoted,
		  size_t *n_demoted, bool v4);
void sw_imap_free(struct imap *m);
/* Rule ids covering @k; *@n gets the count.  Never fails. */
const uint32_t *sw_imap_lookup(const struct imap *m, struct k128 k, uint32_t *n);

static inline struct k128 k128_v4(uint32_t a)
{
	return (struct k128){0, a};
}

static inline struct k128 k128_v6(const uint8_t a[16])
{
	struct k128 k = {0, 0};

	for (int i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | a[i];
		k.lo = k.lo << 8 | a[8 + i];
	}
	return k;
}

static inline int k128_cmp(struct k128 a, struct k128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* ---- threshold / detection_filter state ---- */

struct thr_entry {
	uint32_t rule;      /* internal rule index + 1; 0 = free slot */
	uint8_t kind;       /* 0 threshold:, 1 detection_filter:, 2 rate_filter */
	uint64_t flow_id;   /* track by_flow */
	struct sw_ip a, b;  /* tracked addresses (zero where the track ignores them) */
	uint32_t count;
	int64_t first_usec; /* start of the current window */
	int64_t last_usec;  /* last update, for eviction */
	int64_t timeout_usec; /* rate_filter: start of the new action, -1 none */
};

/*
 * The shared tables (thresholds, host and pair bits): entries calloc'ed,
 * @size a power of two, one lock; 0 or -errno.  _fini accepts a table
 * whose _init failed.
 */
int sw_locked_table_init(void **e, size_t elem, uint32_t size, pthread_mutex_t *lock);
void sw_locked_table_fini(void **e, pthread_mutex_t *lock);

/* FNV-1a over @n bytes from @h: keys are attacker-influenced, but a collision only costs a probe or an eviction. */
static inline uint32_t sw_fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

struct thr_table {
	pthread_mutex_t lock;
	struct thr_entry *e;
	uint32_t mask;      /* size - 1, size a power of two */
	uint64_t evicted;
};

int sw_thr_init(struct thr_table *t, uint32_t size);
void sw_thr_fini(struct thr_table *t);
/* What a threshold says of one match (Suricata's PacketAlertThreshold return values). */
enum thr_res {
	THR_NO = 0,     /* no alert, no action */
	THR_ALERT = 1,  /* alert */
	THR_SILENT = 2, /* no alert, but the rule's action applies (limit/both past their count) */
};

/*
 * Account one match of rule @ri (internal index) against @th and say what
 * it may do.  Takes the table lock.
 */
enum thr_res sw_thr_check(struct thr_table *t, uint32_t ri, int kind, const struct sw_threshold *th,
			  const struct sw_packet *p);

/* rate_filter of rule @ri on a match: true while its new action applies.  Takes the table lock. */
bool sw_rate_check(struct thr_table *t, uint32_t ri, const struct sw_rate_filter *rf, const struct sw_packet *p);

/* ---- hostbits / xbits state (detect_host.c) ---- */

enum { HB_FREE = 0, HB_HOST, HB_PAIR };

struct hb_entry {
	uint8_t kind;        /* HB_*: 0 = free slot */
	uint16_t id;         /* bit name id (host or pair name space, by kind) */
	struct sw_ip a, b;   /* host in a; a pair lower address first */
	int64_t expire_usec; /* packet time after which the bit reads as unset */
};

struct hb_table {
	pthread_mutex_t lock;
	struct hb_entry *e;
	uint32_t mask;
	uint64_t evicted;
};

int sw_hostbits_init(struct hb_table *t, uint32_t size);
void sw_hostbits_fini(struct hb_table *t);
/* isset / isnotset condition @xb on @p.  Takes the table lock. */
bool sw_hostbits_test(struct hb_table *t, const struct sw_xbit *xb, const struct sw_packet *p);
/* set / unset / toggle action @xb of a matched rule on @p.  Takes the table lock. */
void sw_hostbits_apply(struct hb_table *t, const struct sw_xbit *xb, const struct sw_packet *p);

/*
 * Before a worker reads or writes state shared with the others (the two
 * tables above), the ordering hook makes it wait until every record the
 * reader handed out before the current one is done, so the shared state
 * sees matches in capture order whatever the number of workers
 * (worker.c).  Once per detection call.
 */
static inline void sw_detect_order(struct sw_detect_ctx *c);

/* ---- compiled ruleset ---- */

/* Which buffer a rule's payload keywords inspect on a TCP packet with a stream view. */
enum insp_buf {
	BUF_STREAM,     /* the stream view when in sync, else the packet payload */
	BUF_PKT,        /* the packet payload only */
	BUF_STREAM_ONLY /* the stream view only: no match without one */
};

/* The keywords of one buffer: r->pm[first .. first + n). */
struct pm_list {
	uint8_t buf;   /* enum sw_bufid */
	uint8_t xform; /* SW_XFORM_* applied to it */
	uint32_t first, n;
};

/* Transform sets a buffer database exists for: none, dotprefix. */
#define XF_N 2
static inline unsigned xf_index(uint8_t xform)
{
	return xform & SW_XFORM_DOTPREFIX ? 1 : 0;
}

struct crule {
	const struct sw_rule *r;
	uint32_t file_idx;        /* index in sw_rules, for tie-breaking */
	uint8_t buf;              /* enum insp_buf */
	bool has_positive;        /* some non-negated content or pcre */
	bool has_thr;             /* threshold or detection_filter */
	bool sets_fb;             /* set / unset / toggle */
	bool iponly;              /* addresses and protocol only: once per flow direction */
	bool payload;             /* a packet rule with payload keywords (skipped on encrypted flows) */
	pcre2_code **re;          /* per pm index (NULL for non-pcre items) */
	/*
	 * Application-layer rules (some keyword in a transaction buffer) are
	 * evaluated on transactions at the stages in stage_mask, never on
	 * packets; lists are the rule's keyword lists, one per buffer.
	 */
	bool tx;
	uint8_t stage_mask;       /* bit per enum sw_app_stage */
	uint8_t n_lists;
	struct pm_list *lists;
};

/* Hyperscan database over the prefilter contents of the rules inspecting one buffer. */
struct buf_db {
	hs_database_t *db;
	uint32_t n_pat;
	uint32_t *pat_off;        /* CSR: pattern id -> rule ids */
	uint32_t *pat_rules;
};

/* Prefilter index of one protocol class, for rules without a fast pattern. */
struct pf_index {
	struct imap src4, src6, dst4, dst6, dport, sport, proto; /* proto: ip_proto:N */
	uint32_t *always;
	uint32_t n_always;
};

enum pf_class { PF_ANY, PF_TCP, PF_UDP, PF_ICMP, PF_ICMP6, PF_OTHER, PF_NCLASS };

struct sw_detect {
	atomic_uint refs;
	struct sw_rules *rules;
	uint32_t n;               /* rules */
	struct crule *cr;         /* evaluation order */

	/* Hyperscan: the same literal set twice, see build_hs() */
	hs_database_t *db_pkt;    /* HS_FLAG_SINGLEMATCH: packet payload scans */
	/*
	 * Every TCP-capable rule's patterns, every match reported: the scans of
	 * packets in a stream, which filter by end offset and by rule kind
	 * (stream or packet rule), and which are one scan when the packet's
	 * payload is the stream's new bytes (collect()).
	 */
	hs_database_t *db_tcp;
	uint8_t *pat_len;         /* per pattern: its length (at most SW_HS_LIT_MAX) */
	/*
	 * Patterns of the packet-inspecting TCP rules (BUF_PKT), with
	 * HS_FLAG_SINGLEMATCH: a stream packet whose payload is not the
	 * stream's new bytes is scanned for these alone.
	 */
	hs_database_t *db_tcp_pkt;
	/*
	 * Patterns of rules a packet other than TCP can match (ip, udp, icmp):
	 * most ET content rules are TCP's, and scanning UDP payloads for them
	 * only made candidates header_ok() refused.
	 */
	hs_database_t *db_nontcp;
	/*
	 * The same without the patterns of rules with narrow ports (detect.c,
	 * narrow_ports()), for the packets none of whose ports is in
	 * narrow_sp / narrow_dp: QUIC on 443 and the other UDP traffic on high
	 * ports, scanned for 80 patterns instead of 300 with ET.  has_wide:
	 * built (some rule is narrow).
	 */
	hs_database_t *db_nontcp_wide;
	struct sw_head head_nontcp_wide;
	uint32_t head_nontcp_wide_len;
	bool has_wide;
	uint64_t narrow_sp[1024], narrow_dp[1024];
	/*
	 * The patterns whose every rule places its fast pattern near the start
	 * of the buffer (startswith, or offset + depth at most SW_HEAD_MAX):
	 * not in the databases above but in these head matchers
	 * (detect_head.c), run over the first head_tcp_len / head_nontcp_len
	 * bytes only (collect()).  They report every match, as db_tcp.
	 */
	struct sw_head head_tcp, head_nontcp;
	struct sw_head head_tcp_pkt; /* head_tcp's literals of packet rules (BUF_PKT), as db_tcp_pkt */
	uint32_t head_tcp_len, head_nontcp_len; /* longest bound among their patterns */
	uint64_t *pat_bound;      /* per pattern: offset in the inspected buffer a match must end by (UINT64_MAX: none) */
	hs_scratch_t *proto_scratch;
	uint32_t n_pat;
	uint32_t *pat_off;        /* CSR: pattern id -> rule ids */
	uint32_t *pat_rules;
	uint32_t max_fp_len;      /* longest fast pattern among stream-inspecting rules */

	struct pf_index pf[PF_NCLASS];

	/* transactions: one database per buffer, per-stage lists of rules without a buffer prefilter */
	struct buf_db bdb[XF_N][SW_BUF_N];    /* by transform set, then buffer */
	uint64_t stage_bufs[SW_STAGE_N][XF_N]; /* buffers some rule of that stage prefilters on */
	uint32_t *stage_always[SW_STAGE_N];
	uint32_t n_stage_always[SW_STAGE_N];
	uint32_t n_tx;                    /* transaction rules */

	uint32_t max_captures;    /* for the per-ctx pcre2 match data */
	struct thr_table thr;
	struct hb_table hb;       /* hostbits / xbits */
};

struct sw_detect_ctx {
	struct sw_detect *d;
	hs_scratch_t *scratch;
	uint32_t gen;
	uint32_t *seen;           /* per rule: == gen when already a candidate */
	uint32_t *cand;
	uint32_t n_cand;
	uint32_t *pat_seen;       /* per pattern: == pgen when handled in this scan */
	uint32_t *pat_seen_pkt;   /* the same for packet rules in a combined stream scan */
	uint32_t pgen;            /* bumped per scan */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	uint8_t *xbuf;            /* a transformed buffer (dotprefix ...), grown to the largest seen */
	uint32_t xbuf_cap;
	struct sw_detect_stats st;
	/* ordering hook for shared state (sw_detect_ctx_set_order()); ordered: waited already in this call */
	void (*order_fn)(void *arg);
	void *order_arg;
	bool ordered;

	/* set per scan for the HS callback */
	const struct buf_db *scan_db; /* transaction buffer scans */
	uint8_t scan_stage;           /* ... and the stage whose rules they look for */
	uint8_t scan_buf;         /* BUF_* filter, 0xff = take all, SCAN_COMBINED see collect() */
	uint64_t scan_min_end;    /* a stream match must end after this (scan-relative) */
	uint64_t scan_base;       /* offset in the inspected buffer (stream or packet) of the scan's first byte */
};

/* One inspection buffer handed to verification. */
struct ibuf {
	const uint8_t *p;
	uint32_t len;
	uint32_t new_off;  /* stream: matches must reach past this; packet: 0 */
	bool stream;
};

/* Header and payload verification of rule @cr on @p (detect_verify.c). */
bool sw_verify_rule(struct sw_detect_ctx *c, const struct crule *cr, const struct sw_packet *p,
		    const struct sw_stream_view *v);

/*
 * Transaction rule @cr on @tx at a stage of direction @to_server: header
 * and flowbits on @p (a packet of that direction of the flow, real or
 * rebuilt), then every keyword list on its buffer (any instance of a
 * per-header buffer); a payload list inspects @p / @v.
 */
bool sw_verify_tx(struct sw_detect_ctx *c, const struct crule *cr, const struct sw_packet *p,
		  const struct sw_stream_view *v, const struct sw_app_tx *tx, bool to_server);

/*
 * Instance @idx of buffer @buf of @tx as a stage of direction @to_server
 * reads it, with transforms @xform applied (into c->xbuf, valid until the
 * next call).  False if absent (or a transform could not get memory:
 * counted in c->st.xform_nomem).
 */
bool sw_tx_buf(struct sw_detect_ctx *c, const struct sw_app_tx *tx, uint8_t buf, uint8_t xform, bool to_server,
	       uint32_t idx, const uint8_t **p, uint32_t *len);

/*
 * Which half of a transaction buffer @b is read from at a stage of direction
 * @stage_to_server: request buffers from the request, response buffers from
 * the response (a response rule may read both), the others the stage's.
 */
bool sw_buf_to_server(enum sw_bufid b, bool stage_to_server);

static inline void sw_detect_order(struct sw_detect_ctx *c)
{
	if (!c->ordered && c->order_fn) {
		c->order_fn(c->order_arg);
		c->ordered = true;
	}
}

/* Address-set membership by binary search on a rule's intervals. */
bool sw_addrset_has(const struct sw_addrset *s, const struct sw_ip *ip);
bool sw_portset_has(const struct sw_portset *s, uint16_t port);

#endif
