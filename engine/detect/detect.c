/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Detection: ruleset compilation and per-packet evaluation.
 *
 * Candidates for a packet come from two places:
 *  (a) Hyperscan: one literal database over every rule's fast pattern
 *      (identical (bytes, nocase) literals share one pattern id mapping to a
 *      list of rules);
 *  (b) a prefilter index for rules without a usable fast pattern (header-only,
 *      pcre-only, negated-content-only): per protocol class, by the most
 *      selective of source address set, destination address set or
 *      destination port, else an "always" list.  Address and port indexes are
 *      interval maps over all rules at once (detect_imap.c), so 1,200
 *      IP-reputation rules cost one binary search per packet side.
 * Candidates are deduplicated with a generation-stamped array, evaluated in
 * rule order (flowbit setters first, then file order) and verified in C
 * (detect_verify.c).
 *
 * Inspection buffers:
 *  - UDP, ICMP, other IP, and TCP without an in-sync stream view: the packet
 *    payload.
 *  - TCP with an in-sync stream view: rules of BUF_STREAM / BUF_STREAM_ONLY
 *    inspect the view (tail of earlier segments + this one).  Hyperscan scans
 *    only from new_off - (longest fast pattern - 1), and matches ending at or
 *    before new_off are ignored, so only matches that end in the new bytes
 *    make a rule a candidate; verification then runs on the whole view.
 *  - BUF_PKT rules (tcp-pkt, flow:no_stream, dsize, and "ip" rules) inspect
 *    the packet payload only; BUF_STREAM_ONLY rules (tcp-stream,
 *    flow:only_stream) never match without an in-sync stream view.
 *
 * Results: a matching rule applies its flowbits set/unset/toggle at once
 * (later candidates of the same packet see them).  threshold: and
 * detection_filter: then decide whether the match counts: a suppressed match
 * neither alerts nor sets the verdict (a rate-limited drop rule must not drop
 * below its rate), and is counted.  The verdict is the strongest action among
 * counted matches, noalert ones included (pass > drop > reject > alert); a
 * pass match silences the packet's alerts and the rest of the flow, as in
 * Suricata.  flow:established means the flow table's ESTABLISHED state (TCP
 * after the handshake, others once both sides spoke).
 *
 * The literal set is compiled into up to six databases sharing pattern
 * ids: the patterns of rules a TCP packet can match with
 * HS_FLAG_SINGLEMATCH for TCP packets without a stream view (each pattern
 * reports once); the same without it for stream scans, where a pattern's
 * first match may end in the old part of the view and must not hide a later
 * one in the new bytes (a per-pattern stamp keeps the rule-list walk to once
 * per pattern); the packet-inspecting TCP rules' patterns (tcp-pkt, dsize,
 * no_stream, ip) with it, for a stream packet's own payload when it is not
 * the stream's new bytes (retransmissions, held segments, past the stream
 * depth: only packet rules can match it); the patterns of rules other
 * packets can match (ip, udp, icmp) with it.  A pattern all of whose rules want it near the start of
 * the buffer (fast_bound()) is in none of these but in a head matcher
 * (detect_head.c; TCP and other), run over the buffer's first bytes only.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

#define THR_TABLE_SIZE (1u << 16) /* threshold entries per ruleset */
#define HB_TABLE_SIZE (1u << 16)  /* host and pair bits per ruleset */
#define IMAP_SPAN_LIMIT 4096      /* segments one rule may cover in an interval map */
#define PCRE_MATCH_LIMIT 100000
#define PCRE_DEPTH_LIMIT 10000

/* ---- ordering ---- */

static int fb_rank(const struct sw_rule *r)
{
	bool sets = false, tests = false;

	/* flowint and xbits/hostbits setters and tests rank as flowbits ones do (Suricata orders by each) */
	for (uint32_t i = 0; i < r->n_fi; i++) {
		if (r->fi[i].op <= SW_FI_SUB)
			sets = true;
		else
			tests = true;
	}
	for (uint32_t i = 0; i < r->n_xb; i++) {
		if (r->xb[i].op == SW_FB_ISSET || r->xb[i].op == SW_FB_ISNOTSET)
			tests = true;
		else
			sets = true;
	}
	for (uint32_t i = 0; i < r->n_fb; i++) {
		switch (r->fb[i].op) {
		case SW_FB_SET:
		case SW_FB_UNSET:
		case SW_FB_TOGGLE:
			sets = true;
			break;
		case SW_FB_ISSET:
		case SW_FB_ISNOTSET:
			tests = true;
			break;
		case SW_FB_NOALERT:
			break;
		}
	}
	/* pure setters first, then setters that also test, then everything else */
	return sets ? (tests ? 1 : 0) : 2;
}

static int cmp_crule(const void *a, const void *b)
{
	const struct crule *x = a, *y = b;
	int rx = fb_rank(x->r), ry = fb_rank(y->r);

	if (rx != ry)
		return rx - ry;
	return x->file_idx < y->file_idx ? -1 : x->file_idx > y->file_idx;
}

static uint8_t buf_of(const struct sw_rule *r)
{
	if (r->proto == SW_RP_TCP_PKT || (r->flow & SW_FLOW_NO_STREAM))
		return BUF_PKT;
	if (r->proto == SW_RP_TCP_STREAM || (r->flow & SW_FLOW_ONLY_STREAM))
		return BUF_STREAM_ONLY;
	if (r->dsize.set || r->proto != SW_RP_TCP)
		return BUF_PKT;
	return BUF_STREAM;
}

/* ---- Hyperscan ---- */

struct lit {
	const uint8_t *p;
	uint32_t len;
	bool nocase;
	uint32_t rule;
};

static int lit_cmp_bytes(const struct lit *x, const struct lit *y)
{
	if (x->nocase != y->nocase)
		return x->nocase - y->nocase;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->nocase) {
		for (uint32_t i = 0; i < x->len; i++) {
			int a = x->p[i] | (x->p[i] >= 'A' && x->p[i] <= 'Z' ? 0x20 : 0);
			int b = y->p[i] | (y->p[i] >= 'A' && y->p[i] <= 'Z' ? 0x20 : 0);

			if (a != b)
				return a - b;
		}
		return 0;
	}
	return memcmp(x->p, y->p, x->len);
}

static int cmp_lit(const void *a, const void *b)
{
	const struct lit *x = a, *y = b;
	int c = lit_cmp_bytes(x, y);

	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * The literal Hyperscan looks for of content @k of rule @r: the content, or
 * the part fast_pattern:<offset>,<len> chops out of it when @k is the
 * rule's fast pattern; of a longer one only its last SW_HS_LIT_MAX bytes.
 * Prefiltering needs no more (the rule's contents are all verified, this
 * one included), and the suffix ends where the whole content ends, so a
 * stream scan that starts SW_HS_LIT_MAX - 1 bytes before the new data
 * still sees every match ending in it (collect()): with ET's longest fast
 * pattern (156 bytes) it re-scanned 155 old bytes per segment.
 */
#define SW_HS_LIT_MAX 32

static void content_lit(const struct sw_rule *r, int32_t k, struct lit *l)
{
	const struct sw_content *ct = &r->pm[k].u.content;

	l->p = ct->pat;
	l->len = ct->len;
	if (k == r->fast_pattern && ct->fp_chop && ct->fp_len > 0 && (uint32_t)ct->fp_off + ct->fp_len <= ct->len) {
		l->p = ct->pat + ct->fp_off;
		l->len = ct->fp_len;
	}
	if (l->len > SW_HS_LIT_MAX) {
		l->p += l->len - SW_HS_LIT_MAX;
		l->len = SW_HS_LIT_MAX;
	}
	l->nocase = ct->flags & SW_CONTENT_NOCASE;
}

/* The fast-pattern literal of packet rule @r into @l, or false if it has none usable. */
static bool fast_lit(const struct sw_rule *r, struct lit *l)
{
	const struct sw_content *ct;

	if (r->fast_pattern < 0 || (uint32_t)r->fast_pattern >= r->n_pm || r->pm[r->fast_pattern].kind != SW_PM_CONTENT)
		return false;
	if (r->pm[r->fast_pattern].buf != SW_BUF_PAYLOAD)
		return false;
	ct = &r->pm[r->fast_pattern].u.content;
	if ((ct->flags & SW_CONTENT_NEGATED) || ct->len == 0)
		return false;
	content_lit(r, r->fast_pattern, l);
	return true;
}

/*
 * Fast patterns placed near the start of the buffer go to databases of their
 * own, scanned over the first SW_HEAD_MAX bytes only: in ET's rules 30% of
 * the packet fast patterns must end within the first 16 bytes (mostly 1-4
 * byte binary protocol headers, "|00 00 00|" startswith, "|05|" depth 1),
 * and scanned over whole payloads they made most of the literal matches
 * Hyperscan reported and confirmed (runs of zeros in file transfers), every
 * one of them past the offset the rule allows.  16 rather than 64: the few
 * longer patterns bound between 17 and 64 bytes cost less in the
 * whole-buffer databases than a head scan four times as long (callgrind on
 * public-mix with ET: 1.944 G instructions against 2.004 G with 64, 1.950
 * G with 8).
 */
#define SW_HEAD_MAX 16

/*
 * The offset in the inspected buffer by which a match of packet rule @r's
 * fast pattern (fast_lit() true) must end for the rule to match, or
 * UINT64_MAX.  The verifier's positions (detect_verify.c, match_content()):
 * an absolute content (no distance/within) lies in [offset, offset +
 * depth), startswith in [0, len), counted from the start of the packet
 * payload or of the stream; the prefilter literal (the content, its
 * fast_pattern chop or its last SW_HS_LIT_MAX bytes) ends where the content
 * ends or before.  A byte_extract variable in offset or depth: no bound.
 */
static uint64_t fast_bound(const struct sw_rule *r)
{
	const struct sw_content *ct = &r->pm[r->fast_pattern].u.content;
	int64_t b;

	if (ct->flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN))
		return UINT64_MAX;
	if (ct->flags & SW_CONTENT_STARTSWITH)
		return ct->len;
	if (!(ct->flags & SW_CONTENT_DEPTH) || ct->depth.var >= 0)
		return UINT64_MAX;
	if ((ct->flags & SW_CONTENT_OFFSET) && ct->offset.var >= 0)
		return UINT64_MAX;
	b = (int64_t)((ct->flags & SW_CONTENT_OFFSET) ? ct->offset.value : 0) + ct->depth.value;
	return b < 0 ? 0 : (uint64_t)b;
}

bool sw_detect_payload_literal(const struct sw_rule *r, const uint8_t **p, uint32_t *len, bool *nocase)
{
	struct lit l;

	if (!fast_lit(r, &l))
		return false;
	*p = l.p;
	*len = l.len;
	*nocase = l.nocase;
	return true;
}

/*
 * Sort @nl literals and fold identical (bytes, nocase) ones into one
 * pattern each: Hyperscan's arrays (@expr, @lens, @flags with only
 * HS_FLAG_CASELESS, @first: a rule of each pattern, for errors; each with
 * room for @nl) and the CSR table pattern -> rules (*@pat_off, *@pat_rules,
 * allocated here).  Returns the pattern count, or -ENOMEM.
 */
static int64_t fold_lits(struct lit *l, size_t nl, const char **expr, size_t *lens, unsigned *flags, uint32_t *first,
			 uint32_t **pat_off, uint32_t **pat_rules)
{
	uint32_t n = 0;

	qsort(l, nl, sizeof(*l), cmp_lit);
	*pat_off = malloc((nl + 1) * sizeof(**pat_off));
	*pat_rules = malloc((nl ? nl : 1) * sizeof(**pat_rules));
	if (!*pat_off || !*pat_rules)
		return -ENOMEM;
	for (size_t i = 0; i < nl; i++) {
		if (i == 0 || lit_cmp_bytes(&l[i - 1], &l[i]) != 0) {
			expr[n] = (const char *)l[i].p;
			lens[n] = l[i].len;
			flags[n] = l[i].nocase ? HS_FLAG_CASELESS : 0;
			first[n] = l[i].rule;
			(*pat_off)[n++] = (uint32_t)i;
		}
		(*pat_rules)[i] = l[i].rule;
	}
	(*pat_off)[n] = (uint32_t)nl;
	return n;
}

/* on_match's filter for a stream scan that also serves the packet rules (collect()) */
#define SCAN_COMBINED 0xfe

/* Which scans a rule's fast pattern takes part in. */
enum { DB_PKT, DB_TCP, DB_NONTCP, DB_TCP_PKT, DB_NONTCP_WIDE };
/* A pattern's part of a database: whole buffers (Hyperscan) or the head (detect_head.c). */
enum { PART_MAIN, PART_HEAD };

static bool tcp_capable(const struct sw_rule *r)
{
	return r->proto == SW_RP_IP || r->proto == SW_RP_TCP || r->proto == SW_RP_TCP_PKT ||
	       r->proto == SW_RP_TCP_STREAM;
}

/*
 * A port set of at most this many ports is "narrow": UDP traffic to and
 * from other ports is scanned without the patterns of rules that need one
 * (db_nontcp_wide).  Broader sets (1024:65535, !80, 60000:) match most
 * ports anyway, so their rules stay in the wide database.
 */
#define SW_NARROW_PORTS 1024

static uint32_t portset_size(const struct sw_portset *ps)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ps->n; i++)
		n += (uint32_t)ps->r[i].hi - ps->r[i].lo + 1;
	return n;
}

static bool narrow_set(const struct sw_portset *ps)
{
	return !ps->any && portset_size(ps) <= SW_NARROW_PORTS;
}

/* Whether rule @r can only match a packet one of whose ports is in a narrow set of its own. */
static bool narrow_ports(const struct sw_rule *r)
{
	return narrow_set(&r->sp) || narrow_set(&r->dp);
}

static void port_bits(uint64_t *bm, const struct sw_portset *ps)
{
	for (uint32_t i = 0; i < ps->n; i++)
		for (uint32_t x = ps->r[i].lo; x <= ps->r[i].hi; x++)
			bm[x >> 6] |= 1ull << (x & 63);
}

/*
 * The ports of the narrow rules (narrow_ports()) among those other than
 * TCP: a source port (or, of a "<>" rule, either port) a rule needs in
 * narrow_sp, a destination port in narrow_dp.  A packet with neither
 * port in them cannot match a narrow rule: hdr_dir() checks the rule's
 * ports against the packet's in the rule's orientations.  Returns whether
 * any rule is narrow.
 */
static bool narrow_build(struct sw_detect *d)
{
	bool any = false;

	for (uint32_t i = 0; i < d->n; i++) {
		const struct sw_rule *r = d->cr[i].r;

		if (tcp_capable(r) && r->proto != SW_RP_IP)
			continue;
		if (!narrow_ports(r))
			continue;
		any = true;
		/* one narrow set suffices to rule the packet out; both are recorded */
		if (narrow_set(&r->sp)) {
			port_bits(d->narrow_sp, &r->sp);
			if (r->bidir)
				port_bits(d->narrow_dp, &r->sp);
		}
		if (narrow_set(&r->dp)) {
			port_bits(d->narrow_dp, &r->dp);
			if (r->bidir)
				port_bits(d->narrow_sp, &r->dp);
		}
	}
	return any;
}

/* Which part of a database pattern @pat belongs to: PART_MAIN (whole buffer) or PART_HEAD. */
static int pat_part(const struct sw_detect *d, uint32_t pat)
{
	return d->pat_bound[pat] > SW_HEAD_MAX ? PART_MAIN : PART_HEAD;
}

/*
 * Whether pattern @pat belongs in database @which, part @part.  DB_PKT
 * serves TCP packets only (collect()): the patterns of rules no TCP packet
 * can match are not in it.
 */
static bool pat_in_db(const struct sw_detect *d, uint32_t pat, int which, int part)
{
	if (pat_part(d, pat) != part)
		return false;
	for (uint32_t k = d->pat_off[pat]; k < d->pat_off[pat + 1]; k++) {
		const struct crule *cr = &d->cr[d->pat_rules[k]];

		if (which == DB_TCP_PKT) {
			if (cr->buf == BUF_PKT && tcp_capable(cr->r))
				return true;
			continue;
		}
		if (which == DB_NONTCP_WIDE && narrow_ports(cr->r))
			continue;
		if (which == DB_PKT || which == DB_TCP ? tcp_capable(cr->r)
						       : cr->r->proto != SW_RP_TCP && cr->r->proto != SW_RP_TCP_PKT &&
								 cr->r->proto != SW_RP_TCP_STREAM)
			return true;
	}
	return false;
}

/*
 * Hyperscan databases are compiled as jobs once every ruleset structure is
 * known (three packet databases and one per transaction buffer), one after
 * the other.  Not in parallel: Hyperscan's compiler holds tens of MB while
 * it builds a large literal set (35-45 MB for 2,000 ET fast patterns, seen
 * with massif) and each compiling thread's malloc arena keeps its own high
 * mark, so two at once put the peak RSS of every-ET-rule start-up at 141
 * MB where one at a time needs 95 MB; the parallel build saved about 0.15 s
 * of a 0.9 s start-up.  A job owns its arrays; entry k of a job is pattern
 * ids[k], whose rule first[ids[k]] names it in errors.
 */
struct hs_job {
	const char **expr;
	unsigned *flags, *ids;
	size_t *lens;
	const uint32_t *first;   /* pattern id -> a rule index (borrowed) */
	unsigned n;
	hs_database_t **db;
	hs_compile_error_t *ce;
	hs_error_t rc;
};

struct hs_jobs {
	struct hs_job j[SW_BUF_N + 7];
	unsigned n;
};

static struct hs_job *job_new(struct hs_jobs *js, unsigned cap, const uint32_t *first, hs_database_t **db)
{
	struct hs_job *j;

	if (js->n == sizeof(js->j) / sizeof(js->j[0]))
		return NULL;
	j = &js->j[js->n];
	memset(j, 0, sizeof(*j));
	j->expr = malloc((cap ? cap : 1) * sizeof(*j->expr));
	j->flags = malloc((cap ? cap : 1) * sizeof(*j->flags));
	j->ids = malloc((cap ? cap : 1) * sizeof(*j->ids));
	j->lens = malloc((cap ? cap : 1) * sizeof(*j->lens));
	j->first = first;
	j->db = db;
	js->n++;
	if (!j->expr || !j->flags || !j->ids || !j->lens)
		return NULL; /* freed with the others by jobs_free() */
	return j;
}

static void jobs_free(struct hs_jobs *js)
{
	for (unsigned i = 0; i < js->n; i++) {
		free(js->j[i].expr);
		free(js->j[i].flags);
		free(js->j[i].ids);
		free(js->j[i].lens);
		hs_free_compile_error(js->j[i].ce);
	}
	js->n = 0;
}

/*
 * Compile each job and size the prototype scratch for its database.
 * The first error names the rule of the pattern Hyperscan refused.
 *
 * The compilers' freed memory goes back to the system once, when the jobs
 * and their arrays are freed (malloc_trim() in sw_detect_new(); glibc keeps
 * it otherwise), so what comes next (pcre2's code, the workers' tables)
 * starts from a low mark.  Not after each job: the largest compiles first
 * and the later ones fit in the memory it freed, while memory given back
 * is faulted in again by the next job (50,000 faults for every ET Open
 * rule, ~15 us each on a VM: 0.7 s of a 1.55 s start-up), for the same
 * peak RSS.
 */
static int run_jobs(struct sw_detect *d, struct hs_jobs *js, char *err, size_t errlen)
{
	/* largest first, while the heap is smallest: the largest compile sets the peak */
	for (unsigned a = 1; a < js->n; a++)
		for (unsigned b = a; b > 0 && js->j[b].n > js->j[b - 1].n; b--) {
			struct hs_job x = js->j[b];

			js->j[b] = js->j[b - 1];
			js->j[b - 1] = x;
		}
	for (unsigned i = 0; i < js->n; i++) {
		struct hs_job *j = &js->j[i];

		if (!j->n)
			continue;
		j->rc = hs_compile_lit_multi(j->expr, j->flags, j->ids, j->lens, j->n, HS_MODE_BLOCK, NULL, j->db,
					     &j->ce);
		if (j->rc != HS_SUCCESS) {
			const struct hs_compile_error *ce = j->ce;

			if (ce && ce->expression >= 0 && (unsigned)ce->expression < j->n) {
				const struct sw_rule *r = d->cr[j->first[j->ids[ce->expression]]].r;

				snprintf(err, errlen, "%s:%u: hyperscan: %s", r->file ? r->file : "?", r->line, ce->message);
			} else {
				snprintf(err, errlen, "hyperscan: %s", ce ? ce->message : "compile failed");
			}
			return -EINVAL;
		}
		if (hs_alloc_scratch(*j->db, &d->proto_scratch) != HS_SUCCESS) {
			snprintf(err, errlen, "hyperscan: cannot allocate scratch");
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * A job for the whole-buffer packet patterns that database @which needs
 * (pattern ids are global: one CSR table for all).
 */
static int packet_job(struct sw_detect *d, struct hs_jobs *js, const char **expr, const unsigned *flags,
		      const size_t *lens, const uint32_t *first, int which, hs_database_t **db)
{
	struct hs_job *j = job_new(js, d->n_pat, first, db);

	if (!j)
		return -ENOMEM;
	for (uint32_t i = 0; i < d->n_pat; i++) {
		if (!pat_in_db(d, i, which, PART_MAIN))
			continue;
		j->expr[j->n] = expr[i];
		/* streams need every match: the first one may end before the new bytes */
		j->flags[j->n] = flags[i] | (which == DB_TCP ? 0 : HS_FLAG_SINGLEMATCH);
		j->ids[j->n] = i;
		j->lens[j->n] = lens[i];
		j->n++;
	}
	return 0;
}

/*
 * The head matcher of database @which over its PART_HEAD patterns, and in
 * *@head_len the longest bound among them (the bytes to look at).  Not a
 * job: it builds in microseconds.
 */
static int head_build(const struct sw_detect *d, const char **expr, const unsigned *flags, const size_t *lens,
		      int which, struct sw_head *h, uint32_t *head_len)
{
	uint32_t n = 0, *ids = malloc((d->n_pat ? d->n_pat : 1) * sizeof(*ids));
	unsigned *nocase = malloc((d->n_pat ? d->n_pat : 1) * sizeof(*nocase));
	const char **e = malloc((d->n_pat ? d->n_pat : 1) * sizeof(*e));
	size_t *l = malloc((d->n_pat ? d->n_pat : 1) * sizeof(*l));
	uint8_t *maxstart = malloc(d->n_pat ? d->n_pat : 1);
	int ret = -ENOMEM;

	*head_len = 0;
	if (!ids || !nocase || !e || !l || !maxstart)
		goto out;
	for (uint32_t i = 0; i < d->n_pat; i++) {
		/* a bound shorter than the literal (depth below its length): it cannot match */
		if (!pat_in_db(d, i, which, PART_HEAD) || d->pat_bound[i] < lens[i])
			continue;
		if (d->pat_bound[i] > *head_len)
			*head_len = (uint32_t)d->pat_bound[i]; /* <= SW_HEAD_MAX */
		maxstart[n] = (uint8_t)(d->pat_bound[i] - lens[i]);
		ids[n] = i;
		nocase[n] = flags[i] & HS_FLAG_CASELESS;
		e[n] = expr[i];
		l[n++] = lens[i];
	}
	ret = sw_head_build(h, e, l, nocase, maxstart, ids, n);
out:
	free(maxstart);
	free(ids);
	free(nocase);
	free(e);
	free(l);
	return ret;
}

/*
 * The packet databases' literals (fast patterns of packet rules) and their
 * jobs.  The pattern arrays live in @keep until the jobs ran (the jobs
 * point into them); free with keep_free().
 */
struct keep {
	const char **expr;
	unsigned *flags;
	size_t *lens;
	uint32_t *first;
};

static void keep_free(struct keep *k)
{
	free(k->expr);
	free(k->flags);
	free(k->lens);
	free(k->first);
}

static int build_hs(struct sw_detect *d, struct hs_jobs *js, struct keep *k)
{
	size_t cap = d->n ? d->n : 1, nl = 0;
	struct lit *l = malloc(cap * sizeof(*l));
	int64_t np;
	int ret = -ENOMEM;

	k->expr = malloc(cap * sizeof(*k->expr));
	k->flags = malloc(cap * sizeof(*k->flags));
	k->lens = malloc(cap * sizeof(*k->lens));
	k->first = malloc(cap * sizeof(*k->first));
	if (!l || !k->expr || !k->flags || !k->lens || !k->first)
		goto out;
	for (uint32_t i = 0; i < d->n; i++) {
		if (d->cr[i].tx || !fast_lit(d->cr[i].r, &l[nl]))
			continue;
		l[nl].rule = i;
		if (d->cr[i].buf != BUF_PKT && l[nl].len > d->max_fp_len)
			d->max_fp_len = l[nl].len;
		nl++;
	}
	ret = 0;
	if (nl == 0)
		goto out;
	np = fold_lits(l, nl, k->expr, k->lens, k->flags, k->first, &d->pat_off, &d->pat_rules);
	if (np < 0) {
		ret = -ENOMEM;
		goto out;
	}
	d->n_pat = (uint32_t)np;
	d->pat_len = malloc(d->n_pat ? d->n_pat : 1);
	d->pat_bound = malloc((d->n_pat ? d->n_pat : 1) * sizeof(*d->pat_bound));
	if (!d->pat_len || !d->pat_bound) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < d->n_pat; i++) {
		d->pat_len[i] = (uint8_t)k->lens[i]; /* <= SW_HS_LIT_MAX (content_lit) */
		/* a pattern shared by several rules: the most lenient one's bound */
		d->pat_bound[i] = 0;
		for (uint32_t q = d->pat_off[i]; q < d->pat_off[i + 1]; q++) {
			uint64_t b = fast_bound(d->cr[d->pat_rules[q]].r);

			if (b > d->pat_bound[i])
				d->pat_bound[i] = b;
		}
	}
	ret = packet_job(d, js, k->expr, k->flags, k->lens, k->first, DB_PKT, &d->db_pkt);
	if (ret == 0)
		ret = packet_job(d, js, k->expr, k->flags, k->lens, k->first, DB_TCP, &d->db_tcp);
	if (ret == 0)
		ret = packet_job(d, js, k->expr, k->flags, k->lens, k->first, DB_NONTCP, &d->db_nontcp);
	if (ret == 0)
		ret = packet_job(d, js, k->expr, k->flags, k->lens, k->first, DB_TCP_PKT, &d->db_tcp_pkt);
	if (ret == 0)
		ret = head_build(d, k->expr, k->flags, k->lens, DB_TCP, &d->head_tcp, &d->head_tcp_len);
	if (ret == 0) {
		uint32_t unused;

		ret = head_build(d, k->expr, k->flags, k->lens, DB_TCP_PKT, &d->head_tcp_pkt, &unused);
	}
	if (ret == 0)
		ret = head_build(d, k->expr, k->flags, k->lens, DB_NONTCP, &d->head_nontcp, &d->head_nontcp_len);
	if (ret == 0 && narrow_build(d)) {
		ret = packet_job(d, js, k->expr, k->flags, k->lens, k->first, DB_NONTCP_WIDE, &d->db_nontcp_wide);
		if (ret == 0)
			ret = head_build(d, k->expr, k->flags, k->lens, DB_NONTCP_WIDE, &d->head_nontcp_wide,
					 &d->head_nontcp_wide_len);
		d->has_wide = ret == 0;
	}
out:
	free(l);
	return ret;
}

/* ---- prefilter ---- */

struct ivec {
	struct ival *v;
	size_t n, cap;
};

static int ivec_push(struct ivec *v, struct k128 lo, struct k128 hi, uint32_t id)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 64;
		struct ival *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = (struct ival){lo, hi, id};
	return 0;
}

static int push_addrset(struct ivec *v4, struct ivec *v6, const struct sw_addrset *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->n4; i++)
		if (ivec_push(v4, k128_v4(s->v4[i].lo), k128_v4(s->v4[i].hi), id) < 0)
			return -ENOMEM;
	for (uint32_t i = 0; i < s->n6; i++)
		if (ivec_push(v6, k128_v6(s->v6[i].lo), k128_v6(s->v6[i].hi), id) < 0)
			return -ENOMEM;
	return 0;
}

/* Share of the address space a set covers (IPv4 and IPv6 weighed alike). */
static double addr_frac(const struct sw_addrset *s)
{
	double f4 = 0, f6 = 0;

	if (s->any)
		return 1.0;
	for (uint32_t i = 0; i < s->n4; i++)
		f4 += ((double)s->v4[i].hi - (double)s->v4[i].lo + 1) / 4294967296.0;
	for (uint32_t i = 0; i < s->n6; i++) {
		struct k128 lo = k128_v6(s->v6[i].lo), hi = k128_v6(s->v6[i].hi);

		f6 += ((double)hi.hi - (double)lo.hi) / 18446744073709551616.0 +
		      ((double)hi.lo - (double)lo.lo + 1) / 3.402823669209385e38;
	}
	return f4 > f6 ? f4 : f6;
}

static double port_frac(const struct sw_portset *s)
{
	double n = 0;

	if (s->any)
		return 1.0;
	for (uint32_t i = 0; i < s->n; i++)
		n += (double)s->r[i].hi - s->r[i].lo + 1;
	return n / 65536.0;
}

static int pf_class_of(enum sw_rule_proto p)
{
	switch (p) {
	case SW_RP_IP:
		return PF_ANY;
	case SW_RP_TCP:
	case SW_RP_TCP_PKT:
	case SW_RP_TCP_STREAM:
		return PF_TCP;
	case SW_RP_UDP:
		return PF_UDP;
	case SW_RP_ICMP:
		return PF_ICMP;
	case SW_RP_ICMPV6:
		return PF_ICMP6;
	}
	return PF_ANY;
}

enum { M_SRC4, M_SRC6, M_DST4, M_DST6, M_DPORT, M_SPORT, M_PROTO, M_N };

/*
 * The share of packets an ip_proto:N rule sees, for the index choice: one
 * protocol number of 256, except TCP's and UDP's, which most packets carry.
 */
static double proto_frac(const struct sw_rule *r)
{
	if (!r->ip_proto.set || r->ip_proto.op != SW_CMP_EQ || r->ip_proto.a > 255)
		return 1.0;
	return r->ip_proto.a == 6 || r->ip_proto.a == 17 ? 1.0 : 1.0 / 256;
}

static int build_prefilter(struct sw_detect *d)
{
	struct ivec iv[PF_NCLASS][M_N];
	uint32_t *dem = NULL;
	int ret = -ENOMEM;

	memset(iv, 0, sizeof(iv));
	for (int k = 0; k < PF_NCLASS; k++) {
		d->pf[k].always = malloc((d->n ? d->n : 1) * sizeof(uint32_t));
		if (!d->pf[k].always)
			goto out;
	}
	dem = malloc((d->n ? d->n : 1) * sizeof(*dem));
	if (!dem)
		goto out;
	for (uint32_t i = 0; i < d->n; i++) {
		const struct sw_rule *r = d->cr[i].r;
		struct lit fl;
		int k = pf_class_of(r->proto);
		struct ivec *m = iv[k];
		double fs, fd, fp, fsp, fpr, best = 2.0;
		int choice = -1; /* 0 src, 1 dst, 2 port, 3 source port, 4 ip_proto, -1 always */

		if (d->cr[i].tx || fast_lit(r, &fl))
			continue; /* Hyperscan makes it a candidate, or a transaction does */
		fs = addr_frac(&r->src);
		fd = addr_frac(&r->dst);
		fp = (r->bidir || r->proto == SW_RP_ICMP || r->proto == SW_RP_ICMPV6) ? 1.0 : port_frac(&r->dp);
		fsp = (r->bidir || r->proto == SW_RP_ICMP || r->proto == SW_RP_ICMPV6) ? 1.0 : port_frac(&r->sp);
		fpr = proto_frac(r);
		/* an index only pays if it keeps the rule off most packets */
		if (fs <= 1.0 / 256 && fs < best) {
			best = fs;
			choice = 0;
		}
		if (fd <= 1.0 / 256 && fd < best) {
			best = fd;
			choice = 1;
		}
		if (fp <= 1.0 / 16 && fp < best) {
			best = fp;
			choice = 2;
		}
		/*
		 * A server's answers ($HOME_NET 3389 -> any any: ET's RDP and the
		 * like) and ip_proto:41 rules were tried on every packet: 252,000
		 * verifications on public-mix, two thirds of them all.
		 */
		if (fsp <= 1.0 / 16 && fsp < best) {
			best = fsp;
			choice = 3;
		}
		if (fpr <= 1.0 / 16 && fpr < best)
			choice = 4;
		if (choice == 0 || choice == 1) {
			const struct sw_addrset *s = choice == 0 ? &r->src : &r->dst;

			/* <>: the set may face either packet side, so it goes in both maps */
			if ((choice == 0 || r->bidir) && push_addrset(&m[M_SRC4], &m[M_SRC6], s, i) < 0)
				goto out;
			if ((choice == 1 || r->bidir) && push_addrset(&m[M_DST4], &m[M_DST6], s, i) < 0)
				goto out;
		} else if (choice == 2 || choice == 3) {
			const struct sw_portset *ps = choice == 2 ? &r->dp : &r->sp;

			for (uint32_t j = 0; j < ps->n; j++)
				if (ivec_push(&m[choice == 2 ? M_DPORT : M_SPORT], k128_v4(ps->r[j].lo),
					      k128_v4(ps->r[j].hi), i) < 0)
					goto out;
		} else if (choice == 4) {
			if (ivec_push(&m[M_PROTO], k128_v4(r->ip_proto.a), k128_v4(r->ip_proto.a), i) < 0)
				goto out;
		} else {
			d->pf[k].always[d->pf[k].n_always++] = i;
		}
	}
	for (int k = 0; k < PF_NCLASS; k++) {
		struct imap *maps[M_N] = {&d->pf[k].src4,  &d->pf[k].src6,  &d->pf[k].dst4, &d->pf[k].dst6,
					  &d->pf[k].dport, &d->pf[k].sport, &d->pf[k].proto};

		for (int j = 0; j < M_N; j++) {
			size_t nd = 0;

			if (sw_imap_build(maps[j], iv[k][j].v, iv[k][j].n, IMAP_SPAN_LIMIT, dem, &nd, j == M_SRC4 || j == M_DST4) < 0)
				goto out;
			/* too wide to index: tried on every packet of the class instead */
			for (size_t x = 0; x < nd; x++) {
				bool dup = false;

				for (uint32_t y = 0; y < d->pf[k].n_always && !dup; y++)
					dup = d->pf[k].always[y] == dem[x];
				if (!dup)
					d->pf[k].always[d->pf[k].n_always++] = dem[x];
			}
		}
	}
	ret = 0;
out:
	for (int k = 0; k < PF_NCLASS; k++)
		for (int j = 0; j < M_N; j++)
			free(iv[k][j].v);
	free(dem);
	return ret;
}

/* ---- transaction rules ---- */

/* Which half of a transaction a buffer lives in, and whether it is a body. */
enum { B_REQ = 1, B_RESP = 2, B_BOTH = 3 };

static const struct {
	uint8_t side;
	bool body;
} buf_info[SW_BUF_N] = {
	[SW_BUF_HTTP_URI] = { B_REQ, false },          [SW_BUF_HTTP_URI_RAW] = { B_REQ, false },
	[SW_BUF_HTTP_METHOD] = { B_REQ, false },       [SW_BUF_HTTP_REQUEST_LINE] = { B_REQ, false },
	[SW_BUF_HTTP_HOST] = { B_REQ, false },         [SW_BUF_HTTP_HOST_RAW] = { B_REQ, false },
	[SW_BUF_HTTP_USER_AGENT] = { B_REQ, false },   [SW_BUF_HTTP_REFERER] = { B_REQ, false },
	[SW_BUF_HTTP_ACCEPT] = { B_REQ, false },       [SW_BUF_HTTP_ACCEPT_ENC] = { B_REQ, false },
	[SW_BUF_HTTP_ACCEPT_LANG] = { B_REQ, false },  [SW_BUF_HTTP_REQUEST_BODY] = { B_REQ, true },
	[SW_BUF_HTTP_REQUEST_HEADER] = { B_REQ, false },
	[SW_BUF_HTTP_STAT_CODE] = { B_RESP, false },   [SW_BUF_HTTP_STAT_MSG] = { B_RESP, false },
	[SW_BUF_HTTP_RESPONSE_LINE] = { B_RESP, false }, [SW_BUF_HTTP_RESPONSE_BODY] = { B_RESP, true },
	[SW_BUF_HTTP_LOCATION] = { B_RESP, false },    [SW_BUF_HTTP_SERVER] = { B_RESP, false },
	[SW_BUF_HTTP_RESPONSE_HEADER] = { B_RESP, false },
	[SW_BUF_HTTP_HEADER] = { B_BOTH, false },      [SW_BUF_HTTP_HEADER_RAW] = { B_BOTH, false },
	[SW_BUF_HTTP_HEADER_NAMES] = { B_BOTH, false }, [SW_BUF_HTTP_COOKIE] = { B_BOTH, false },
	[SW_BUF_HTTP_CONTENT_TYPE] = { B_BOTH, false }, [SW_BUF_HTTP_CONTENT_LEN] = { B_BOTH, false },
	[SW_BUF_HTTP_START] = { B_BOTH, false },       [SW_BUF_HTTP_PROTOCOL] = { B_BOTH, false },
	[SW_BUF_HTTP_CONNECTION] = { B_BOTH, false },  [SW_BUF_FILE_DATA] = { B_BOTH, true },
	[SW_BUF_DNS_QUERY] = { B_REQ, false },
	[SW_BUF_DNS_QUERIES_RRNAME] = { B_BOTH, false }, [SW_BUF_DNS_ANSWERS_RRNAME] = { B_BOTH, false },
	[SW_BUF_DNS_AUTHORITIES_RRNAME] = { B_BOTH, false }, [SW_BUF_DNS_ADDITIONALS_RRNAME] = { B_BOTH, false },
	[SW_BUF_DNS_RESPONSE_RRNAME] = { B_RESP, false }, [SW_BUF_DNS_QUERY_NAME] = { B_BOTH, false },
	[SW_BUF_DNS_ANSWER_NAME] = { B_BOTH, false },
	/* TLS (tls.h): certificates are the "body" stages (certificates done), the hellos the "headers" */
	[SW_BUF_TLS_SNI] = { B_REQ, false },           [SW_BUF_TLS_CERT_SUBJECT] = { B_BOTH, true },
	[SW_BUF_TLS_CERT_ISSUER] = { B_BOTH, true },   [SW_BUF_TLS_CERT_SERIAL] = { B_BOTH, true },
	[SW_BUF_TLS_CERT_FINGERPRINT] = { B_BOTH, true }, [SW_BUF_TLS_CERTS] = { B_BOTH, true },
	[SW_BUF_TLS_SUBJECTALTNAME] = { B_RESP, true }, [SW_BUF_TLS_ALPN] = { B_BOTH, false },
	[SW_BUF_TLS_RANDOM] = { B_BOTH, false },       [SW_BUF_TLS_RANDOM_TIME] = { B_BOTH, false },
	[SW_BUF_TLS_RANDOM_BYTES] = { B_BOTH, false }, [SW_BUF_JA3_HASH] = { B_REQ, false },
	[SW_BUF_JA3_STRING] = { B_REQ, false },        [SW_BUF_JA3S_HASH] = { B_RESP, false },
	[SW_BUF_JA3S_STRING] = { B_RESP, false },      [SW_BUF_JA4_HASH] = { B_REQ, false },
	[SW_BUF_SSH_PROTO] = { B_BOTH, false },        [SW_BUF_SSH_SOFTWARE] = { B_BOTH, false },
};

bool sw_buf_to_server(enum sw_bufid b, bool stage_to_server)
{
	if (b >= SW_BUF_N || buf_info[b].side == B_BOTH)
		return stage_to_server;
	return buf_info[b].side == B_REQ;
}

/*
 * The stages at which transaction rule @r is evaluated: its direction
 * (flow:to_server / to_client, else what its buffers imply: a response
 * buffer makes it a response rule, which also sees the request; only
 * buffers that exist in both halves leave it evaluated in both), and in that
 * direction the headers stage, or the body stage if it inspects a body.
 */
static uint8_t tx_stages(const struct sw_rule *r)
{
	uint8_t sides = 0, mask = 0;
	bool req = false, resp = false, body_req = false, body_resp = false;

	for (uint32_t i = 0; i < r->n_pm; i++) {
		uint8_t b = r->pm[i].buf;

		if (b == SW_BUF_PAYLOAD || b >= SW_BUF_N)
			continue;
		sides |= buf_info[b].side;
		if (buf_info[b].side == B_REQ)
			req = true;
		if (buf_info[b].side == B_RESP)
			resp = true;
		if (buf_info[b].body) {
			if (buf_info[b].side & B_REQ)
				body_req = true;
			if (buf_info[b].side & B_RESP)
				body_resp = true;
		}
	}
	for (uint32_t i = 0; i < r->n_txnum; i++) {
		switch (r->txnum[i].kind) {
		case SW_TXNUM_TLS_CHAIN_LEN:
		case SW_TXNUM_TLS_NOTBEFORE:
		case SW_TXNUM_TLS_NOTAFTER:
		case SW_TXNUM_TLS_EXPIRED:
		case SW_TXNUM_TLS_VALID:
			/* the server's certificate: to client, once its certificates are done */
			sides |= B_RESP;
			resp = body_resp = true;
			break;
		default:
			sides |= B_BOTH; /* dns.opcode, tls.version ...: Suricata registers them in both directions */
		}
	}
	if (r->flow & SW_FLOW_TO_SERVER)
		sides = B_REQ;
	else if (r->flow & SW_FLOW_TO_CLIENT)
		sides = B_RESP;
	else if (resp)
		sides = B_RESP;
	else if (req)
		sides = B_REQ;
	/* a response rule that reads the request body sees it complete: the response headers stage */
	if (sides & B_REQ)
		mask |= 1u << (body_req ? SW_STAGE_REQ_BODY : SW_STAGE_REQ_HEADERS);
	if (sides & B_RESP)
		mask |= 1u << (body_resp ? SW_STAGE_RESP_BODY : SW_STAGE_RESP_HEADERS);
	return mask;
}

/* Split the (buffer-grouped) keyword list of @cr into per-buffer lists. */
static int make_lists(struct crule *cr, char *err, size_t errlen)
{
	const struct sw_rule *r = cr->r;
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->n_pm; i++)
		if (i == 0 || r->pm[i].buf != r->pm[i - 1].buf || r->pm[i].xform != r->pm[i - 1].xform)
			n++;
	if (n > 255) {
		snprintf(err, errlen, "%s:%u: too many buffer lists", r->file ? r->file : "?", r->line);
		return -EINVAL;
	}
	cr->lists = calloc(n ? n : 1, sizeof(*cr->lists));
	if (!cr->lists) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < r->n_pm; i++) {
		if (i == 0 || r->pm[i].buf != r->pm[i - 1].buf || r->pm[i].xform != r->pm[i - 1].xform) {
			struct pm_list *l = &cr->lists[cr->n_lists++];

			l->buf = r->pm[i].buf;
			l->xform = r->pm[i].xform;
			l->first = i;
		}
		cr->lists[cr->n_lists - 1].n++;
		if (r->pm[i].buf != SW_BUF_PAYLOAD)
			cr->tx = true;
	}
	/* a transaction integer keyword makes a transaction rule, with or without buffers */
	if (r->n_txnum)
		cr->tx = true;
	if (cr->tx)
		cr->stage_mask = tx_stages(r);
	return 0;
}

/*
 * The content transaction rule @r is prefiltered on: its fast_pattern if
 * that is in a transaction buffer, else its longest positive content in
 * one (a payload content cannot be scanned at a transaction stage).
 * Returns the pm index or -1.
 */
static int32_t tx_prefilter_pm(const struct sw_rule *r)
{
	int32_t best = -1;
	uint32_t best_len = 0;

	if (r->fast_pattern >= 0 && (uint32_t)r->fast_pattern < r->n_pm) {
		const struct sw_pm *pm = &r->pm[r->fast_pattern];

		if (pm->kind == SW_PM_CONTENT && pm->buf != SW_BUF_PAYLOAD && !(pm->u.content.flags & SW_CONTENT_NEGATED) &&
		    pm->u.content.len > 0)
			return r->fast_pattern;
	}
	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_pm *pm = &r->pm[i];

		if (pm->kind != SW_PM_CONTENT || pm->buf == SW_BUF_PAYLOAD || (pm->u.content.flags & SW_CONTENT_NEGATED))
			continue;
		if (pm->u.content.len > best_len) {
			best = (int32_t)i;
			best_len = pm->u.content.len;
		}
	}
	return best;
}

/* One database per transaction buffer; rules without a buffer content go on their stages' lists. */
static int build_tx(struct sw_detect *d, struct hs_jobs *js, uint32_t **first_out)
{
	size_t cap = d->n ? d->n : 1;
	struct lit *l = malloc(cap * sizeof(*l));
	uint32_t *first = malloc(cap * SW_BUF_N * XF_N * sizeof(*first)); /* per buffer: pattern id -> rule */
	int32_t *pf = malloc(cap * sizeof(*pf)); /* per rule: its prefilter content, -1 none */
	int ret = -ENOMEM;

	*first_out = first;
	if (!l || !first || !pf)
		goto out;
	for (int s = 0; s < SW_STAGE_N; s++) {
		d->stage_always[s] = malloc(cap * sizeof(uint32_t));
		if (!d->stage_always[s])
			goto out;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		pf[i] = d->cr[i].tx ? tx_prefilter_pm(d->cr[i].r) : -1;
		if (!d->cr[i].tx || pf[i] >= 0)
			continue;
		for (int s = 0; s < SW_STAGE_N; s++)
			if (d->cr[i].stage_mask & (1u << s))
				d->stage_always[s][d->n_stage_always[s]++] = i;
	}
	for (uint32_t vb = XF_N * SW_BUF_N; vb-- > 0;) {
		uint32_t b = vb % SW_BUF_N, x = vb / SW_BUF_N;
		struct buf_db *bd = &d->bdb[x][b];
		uint32_t *fb = first + (size_t)vb * cap;
		struct hs_job *j;
		size_t nl = 0;
		int64_t np;

		for (uint32_t i = 0; i < d->n; i++) {
			if (b == SW_BUF_PAYLOAD || pf[i] < 0 || d->cr[i].r->pm[pf[i]].buf != b ||
			    xf_index(d->cr[i].r->pm[pf[i]].xform) != x)
				continue;
			content_lit(d->cr[i].r, pf[i], &l[nl]);
			l[nl++].rule = i;
			for (int s = 0; s < SW_STAGE_N; s++)
				if (d->cr[i].stage_mask & (1u << s))
					d->stage_bufs[s][x] |= 1ull << b;
		}
		if (nl == 0)
			continue;
		j = job_new(js, (unsigned)nl, fb, &bd->db);
		if (!j)
			goto out;
		np = fold_lits(l, nl, j->expr, j->lens, j->flags, fb, &bd->pat_off, &bd->pat_rules);
		if (np < 0)
			goto out;
		bd->n_pat = (uint32_t)np;
		j->n = bd->n_pat;
		for (uint32_t k = 0; k < bd->n_pat; k++) {
			j->flags[k] |= HS_FLAG_SINGLEMATCH; /* a buffer is scanned whole: one report per pattern */
			j->ids[k] = k;
		}
	}
	ret = 0;
out:
	free(l);
	free(pf);
	return ret;
}

/* ---- rules ---- */

static int prepare_rule(struct crule *cr, char *err, size_t errlen)
{
	const struct sw_rule *r = cr->r;
	int ret;

	cr->buf = buf_of(r);
	cr->has_thr = r->threshold.set || r->detection_filter.set || r->rate.set || r->n_sup;
	ret = make_lists(cr, err, errlen);
	if (ret < 0)
		return ret;
	/*
	 * Suricata's "IP-only" rules (reputation lists and the like: addresses
	 * and protocol, nothing about the packet itself) are evaluated on the
	 * first packet of each flow direction, not on every packet: the answer
	 * cannot change within a direction, and an alert per packet would
	 * bury the one that matters.
	 */
	cr->payload = r->n_pm > 0 && !cr->tx;
	cr->iponly = r->n_pm == 0 && r->flow == 0 && !r->flags.set && !r->ttl.set && !r->itype.set &&
		     !r->icode.set && !r->icmp_id.set && !r->icmp_seq.set && !r->ip_proto.set && !r->tcp_mss.set &&
		     !r->dsize.set && r->n_fb == 0 && r->sp.any && r->dp.any && !r->app_proto && !r->stream_size.set &&
		     r->n_fi == 0 && r->n_fc == 0 && r->n_xb == 0;
	for (uint32_t i = 0; i < r->n_fi; i++)
		if (r->fi[i].op <= SW_FI_SUB)
			cr->sets_fb = true;
	for (uint32_t i = 0; i < r->n_xb; i++)
		if (r->xb[i].op != SW_FB_ISSET && r->xb[i].op != SW_FB_ISNOTSET)
			cr->sets_fb = true;
	for (uint32_t i = 0; i < r->n_fb; i++) {
		for (uint8_t k = 0; k < r->fb[i].n; k++) {
			if (r->fb[i].ids[k] >= SW_FLOWBITS_WORDS * 64) {
				snprintf(err, errlen, "%s:%u: more than %d flowbit names", r->file ? r->file : "?",
					 r->line, SW_FLOWBITS_WORDS * 64);
				return -EINVAL;
			}
		}
		if (r->fb[i].op == SW_FB_SET || r->fb[i].op == SW_FB_UNSET || r->fb[i].op == SW_FB_TOGGLE)
			cr->sets_fb = true;
	}
	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_pm *pm = &r->pm[i];

		if (pm->kind == SW_PM_CONTENT && !(pm->u.content.flags & SW_CONTENT_NEGATED))
			cr->has_positive = true;
		if (pm->kind == SW_PM_PCRE && !pm->u.pcre.negated)
			cr->has_positive = true;
	}
	return 0;
}

/*
 * A rule's regular expressions, compiled and JIT-compiled.  After the
 * Hyperscan databases (sw_detect_new): the compiler's tens of MB are free
 * again by then and pcre2's code reuses them, so the two do not add up in
 * the peak RSS of start-up.
 */
static int prepare_pcre(struct sw_detect *d, struct crule *cr, char *err, size_t errlen)
{
	const struct sw_rule *r = cr->r;

	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_pm *pm = &r->pm[i];

		if (pm->kind == SW_PM_PCRE) {
			int ec;
			PCRE2_SIZE eo;
			uint32_t caps = 0;

			if (!cr->re) {
				cr->re = calloc(r->n_pm, sizeof(*cr->re));
				if (!cr->re) {
					snprintf(err, errlen, "out of memory");
					return -ENOMEM;
				}
			}
			cr->re[i] = pcre2_compile((PCRE2_SPTR)pm->u.pcre.re, PCRE2_ZERO_TERMINATED, pm->u.pcre.pcre2_opts,
						  &ec, &eo, NULL);
			if (!cr->re[i]) {
				PCRE2_UCHAR msg[128];

				pcre2_get_error_message(ec, msg, sizeof(msg));
				snprintf(err, errlen, "%s:%u: pcre at %zu: %s", r->file ? r->file : "?", r->line,
					 (size_t)eo, (const char *)msg);
				return -EINVAL;
			}
			/* JIT is an optimisation: without it pcre2_match() interprets. */
			(void)pcre2_jit_compile(cr->re[i], PCRE2_JIT_COMPLETE);
			if (pcre2_pattern_info(cr->re[i], PCRE2_INFO_CAPTURECOUNT, &caps) == 0 && caps > d->max_captures)
				d->max_captures = caps;
		}
	}
	return 0;
}

static void free_detect(struct sw_detect *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; d->cr && i < d->n; i++) {
		if (d->cr[i].re)
			for (uint32_t k = 0; k < d->cr[i].r->n_pm; k++)
				pcre2_code_free(d->cr[i].re[k]);
		free(d->cr[i].re);
		free(d->cr[i].lists);
	}
	free(d->cr);
	for (int x = 0; x < XF_N; x++)
		for (int b = 0; b < SW_BUF_N; b++) {
			hs_free_database(d->bdb[x][b].db);
			free(d->bdb[x][b].pat_off);
			free(d->bdb[x][b].pat_rules);
		}
	for (int s = 0; s < SW_STAGE_N; s++)
		free(d->stage_always[s]);
	hs_free_database(d->db_pkt);
	hs_free_database(d->db_tcp);
	free(d->pat_len);
	hs_free_database(d->db_nontcp);
	hs_free_database(d->db_nontcp_wide);
	sw_head_free(&d->head_nontcp_wide);
	sw_head_free(&d->head_tcp);
	sw_head_free(&d->head_tcp_pkt);
	hs_free_database(d->db_tcp_pkt);
	sw_head_free(&d->head_nontcp);
	free(d->pat_bound);
	hs_free_scratch(d->proto_scratch);
	free(d->pat_off);
	free(d->pat_rules);
	for (int k = 0; k < PF_NCLASS; k++) {
		sw_imap_free(&d->pf[k].src4);
		sw_imap_free(&d->pf[k].src6);
		sw_imap_free(&d->pf[k].dst4);
		sw_imap_free(&d->pf[k].dst6);
		sw_imap_free(&d->pf[k].dport);
		sw_imap_free(&d->pf[k].sport);
		sw_imap_free(&d->pf[k].proto);
		free(d->pf[k].always);
	}
	sw_thr_fini(&d->thr);
	sw_hostbits_fini(&d->hb);
	sw_rules_free(d->rules);
	free(d);
}

struct sw_detect *sw_detect_new(struct sw_rules *rules, char *err, size_t errlen)
{
	struct sw_detect *d = NULL;
	int ret = -ENOMEM;

	if (errlen)
		err[0] = '\0';
	if (hs_valid_platform() != HS_SUCCESS) {
		snprintf(err, errlen, "hyperscan: this CPU lacks SSSE3");
		sw_rules_free(rules);
		errno = ENOTSUP;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		sw_rules_free(rules);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	atomic_init(&d->refs, 1);
	d->rules = rules;
	d->n = (uint32_t)sw_rules_count(rules);
	d->cr = calloc(d->n ? d->n : 1, sizeof(*d->cr));
	if (!d->cr) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		d->cr[i].r = sw_rules_get(rules, i);
		d->cr[i].file_idx = i;
	}
	qsort(d->cr, d->n, sizeof(*d->cr), cmp_crule);
	for (uint32_t i = 0; i < d->n; i++) {
		ret = prepare_rule(&d->cr[i], err, errlen);
		if (ret < 0)
			goto out;
	}
	for (uint32_t i = 0; i < d->n; i++)
		d->n_tx += d->cr[i].tx;
	{
		struct hs_jobs js;
		struct keep k = { 0 };
		uint32_t *tx_first = NULL;

		js.n = 0;
		ret = build_hs(d, &js, &k);
		if (ret == 0)
			ret = build_tx(d, &js, &tx_first);
		if (ret < 0)
			snprintf(err, errlen, "out of memory");
		else
			ret = run_jobs(d, &js, err, errlen);
		jobs_free(&js);
		keep_free(&k);
		free(tx_first);
		malloc_trim(0); /* once: run_jobs() */
		if (ret < 0)
			goto out;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		ret = prepare_pcre(d, &d->cr[i], err, errlen);
		if (ret < 0)
			goto out;
	}
	ret = build_prefilter(d);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	{
		bool any_thr = false, any_hb = false;

		for (uint32_t i = 0; i < d->n; i++) {
			any_thr |= d->cr[i].has_thr;
			any_hb |= d->cr[i].r->n_xb > 0;
		}
		/* ~5 MB only for rulesets that use threshold: or detection_filter: */
		ret = sw_thr_init(&d->thr, any_thr ? THR_TABLE_SIZE : 16);
		/* host and pair bits: ~3 MB only for rulesets that use hostbits or xbits */
		if (ret == 0)
			ret = sw_hostbits_init(&d->hb, any_hb ? HB_TABLE_SIZE : 16);
	}
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
out:
	if (ret < 0) {
		free_detect(d);
		errno = -ret;
		return NULL;
	}
	return d;
}

struct sw_detect *sw_detect_get(struct sw_detect *d)
{
	if (d)
		atomic_fetch_add(&d->refs, 1);
	return d;
}

void sw_detect_put(struct sw_detect *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1)
		free_detect(d);
}

size_t sw_detect_rule_count(const struct sw_detect *d)
{
	return d->n;
}

const struct sw_rules *sw_detect_rules(const struct sw_detect *d)
{
	return d->rules;
}

bool sw_detect_uses_buf(const struct sw_detect *d, enum sw_bufid b)
{
	for (uint32_t i = 0; i < d->n; i++)
		for (uint32_t k = 0; k < d->cr[i].r->n_pm; k++)
			if (d->cr[i].r->pm[k].buf == b)
				return true;
	return false;
}

/* ---- per-worker context ---- */

struct sw_detect_ctx *sw_detect_ctx_new(struct sw_detect *d)
{
	struct sw_detect_ctx *c = calloc(1, sizeof(*c));
	size_t n = d->n ? d->n : 1;

	if (!c)
		goto nomem;
	c->d = sw_detect_get(d);
	c->seen = calloc(n, sizeof(*c->seen));
	c->cand = calloc(n, sizeof(*c->cand));
	c->pat_seen = calloc(d->n_pat ? d->n_pat : 1, sizeof(*c->pat_seen));
	c->pat_seen_pkt = calloc(d->n_pat ? d->n_pat : 1, sizeof(*c->pat_seen_pkt));
	c->md = pcre2_match_data_create(d->max_captures + 1, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	if (!c->seen || !c->cand || !c->pat_seen || !c->pat_seen_pkt || !c->md || !c->mctx)
		goto nomem;
	pcre2_set_match_limit(c->mctx, PCRE_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, PCRE_DEPTH_LIMIT);
	if (d->proto_scratch && hs_clone_scratch(d->proto_scratch, &c->scratch) != HS_SUCCESS)
		goto nomem;
	return c;
nomem:
	sw_detect_ctx_free(c);
	errno = ENOMEM;
	return NULL;
}

void sw_detect_ctx_free(struct sw_detect_ctx *c)
{
	if (!c)
		return;
	hs_free_scratch(c->scratch);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	free(c->xbuf);
	free(c->seen);
	free(c->cand);
	free(c->pat_seen);
	free(c->pat_seen_pkt);
	sw_detect_put(c->d);
	free(c);
}

void sw_detect_ctx_set_order(struct sw_detect_ctx *c, void (*fn)(void *arg), void *arg)
{
	if (!c)
		return;
	c->order_fn = fn;
	c->order_arg = arg;
}

const struct sw_detect_stats *sw_detect_ctx_stats(const struct sw_detect_ctx *c)
{
	return &c->st;
}

const struct sw_rules *sw_detect_ctx_rules(const struct sw_detect_ctx *c)
{
	return c ? c->d->rules : NULL;
}

void sw_detect_ctx_inherit_stats(struct sw_detect_ctx *to, const struct sw_detect_ctx *from)
{
	if (to && from)
		to->st = from->st;
}

/* ---- per packet ---- */

static inline void add_cand(struct sw_detect_ctx *c, uint32_t ri)
{
	if (c->seen[ri] != c->gen) {
		c->seen[ri] = c->gen;
		c->cand[c->n_cand++] = ri;
	}
}

static void add_list(struct sw_detect_ctx *c, const uint32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		add_cand(c, ids[i]);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		    void *ctx)
{
	struct sw_detect_ctx *c = ctx;
	const struct sw_detect *d = c->d;

	(void)from;
	(void)flags;
	c->st.hs_matches++;
	if (to <= c->scan_min_end)
		return 0;
	if (c->scan_buf == SCAN_COMBINED) {
		/*
		 * stream rules: any match ending in the new bytes; packet rules:
		 * one lying wholly in them; each by the pattern's bound, in
		 * stream offsets and in packet offsets
		 */
		bool str = c->pat_seen[id] != c->pgen && c->scan_base + to <= d->pat_bound[id];
		bool pkt = c->pat_seen_pkt[id] != c->pgen && to >= c->scan_min_end + d->pat_len[id] &&
			   to - c->scan_min_end <= d->pat_bound[id];

		if (str)
			c->pat_seen[id] = c->pgen;
		if (pkt)
			c->pat_seen_pkt[id] = c->pgen;
		for (uint32_t k = d->pat_off[id]; (str || pkt) && k < d->pat_off[id + 1]; k++) {
			uint32_t ri = d->pat_rules[k];

			if (d->cr[ri].buf == BUF_PKT ? pkt : str)
				add_cand(c, ri);
		}
		return 0;
	}
	if (c->pat_seen[id] == c->pgen || c->scan_base + to > d->pat_bound[id])
		return 0;
	c->pat_seen[id] = c->pgen;
	for (uint32_t k = d->pat_off[id]; k < d->pat_off[id + 1]; k++) {
		uint32_t ri = d->pat_rules[k];

		if (c->scan_buf == 0xff || (c->scan_buf == BUF_PKT) == (d->cr[ri].buf == BUF_PKT))
			add_cand(c, ri);
	}
	return 0;
}

/*
 * Scan @b/@len with @db for candidates of rules of kind @buf; @min_end
 * (scan-relative) as in collect(), @base the offset in the inspected buffer
 * of b[0] (packet scans: 0; stream scans: the stream offset).
 */
static void scan_begin(struct sw_detect_ctx *c, uint8_t buf, uint64_t min_end, uint64_t base)
{
	c->scan_buf = buf;
	c->scan_min_end = min_end;
	c->scan_base = base;
	if (++c->pgen == 0) {
		memset(c->pat_seen, 0, (c->d->n_pat ? c->d->n_pat : 1) * sizeof(*c->pat_seen));
		memset(c->pat_seen_pkt, 0, (c->d->n_pat ? c->d->n_pat : 1) * sizeof(*c->pat_seen_pkt));
		c->pgen = 1;
	}
}

static int scan(struct sw_detect_ctx *c, const hs_database_t *db, const uint8_t *b, uint32_t len, uint8_t buf,
		uint64_t min_end, uint64_t base)
{
	if (!db || len == 0)
		return 0;
	scan_begin(c, buf, min_end, base);
	if (hs_scan(db, (const char *)b, len, 0, c->scratch, on_match, c) != HS_SUCCESS) {
		c->st.scan_errors++;
		return -EIO;
	}
	return 0;
}

/* scan() with a head matcher (detect_head.c): the same handler, never fails */
static void scan_head(struct sw_detect_ctx *c, const struct sw_head *h, const uint8_t *b, uint32_t len, uint8_t buf,
		      uint64_t min_end, uint64_t base)
{
	if (h->n == 0 || len == 0)
		return;
	scan_begin(c, buf, min_end, base);
	/*
	 * Where a match may start, in the buffer the rules inspect: the
	 * stream's offset 0 is at -@base, the packet's (combined scans) at
	 * @min_end.  Positions out of every literal's reach of both are not
	 * looked at (detect_head.c): a stream past its head costs the packet's
	 * head alone.
	 */
	if (buf == SCAN_COMBINED)
		sw_head_scan(h, b, len, -(int64_t)base, (int64_t)min_end, on_match, c);
	else
		sw_head_scan(h, b, len, -(int64_t)base, -(int64_t)base, on_match, c);
}

/* The rules of map @m covering @k become candidates; most of the fourteen maps a packet meets are empty. */
static inline void look(struct sw_detect_ctx *c, const struct imap *m, struct k128 k)
{
	const uint32_t *ids;
	uint32_t n;

	if (m->nseg == 0)
		return;
	ids = sw_imap_lookup(m, k, &n);
	add_list(c, ids, n);
}

static void prefilter(struct sw_detect_ctx *c, const struct pf_index *x, const struct sw_packet *p)
{
	if (p->src.family == AF_INET) {
		look(c, &x->src4, k128_v4(sw_ip_v4(&p->src)));
		look(c, &x->dst4, k128_v4(sw_ip_v4(&p->dst)));
	} else if (p->src.family == AF_INET6) {
		look(c, &x->src6, k128_v6(p->src.a));
		look(c, &x->dst6, k128_v6(p->dst.a));
	}
	if (p->l4_ok && (p->proto == 6 || p->proto == 17)) {
		look(c, &x->dport, k128_v4(p->dport));
		look(c, &x->sport, k128_v4(p->sport));
	}
	look(c, &x->proto, k128_v4(p->proto));
	add_list(c, x->always, x->n_always);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_cand(uint32_t *a, uint32_t n)
{
	if (n > 16) {
		qsort(a, n, sizeof(*a), cmp_u32);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t v = a[i], j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void apply_flowbits(const struct sw_rule *r, struct sw_flow *f)
{
	for (uint32_t i = 0; i < r->n_fb; i++) {
		const struct sw_flowbit *fb = &r->fb[i];

		for (uint8_t k = 0; k < fb->n; k++) {
			uint16_t id = fb->ids[k];
			uint64_t bit = 1ull << (id % 64);

			if (id >= SW_FLOWBITS_WORDS * 64)
				continue;
			if (fb->op == SW_FB_SET)
				f->flowbits[id / 64] |= bit;
			else if (fb->op == SW_FB_UNSET)
				f->flowbits[id / 64] &= ~bit;
			else if (fb->op == SW_FB_TOGGLE)
				f->flowbits[id / 64] ^= bit;
		}
	}
}

/* threshold.config suppress with addresses: does it cover @p? */
static bool suppressed(const struct sw_suppress *s, const struct sw_packet *p)
{
	switch (s->track) {
	case SW_SUP_BY_SRC:
		return sw_addrset_has(&s->ips, &p->src);
	case SW_SUP_BY_DST:
		return sw_addrset_has(&s->ips, &p->dst);
	default:
		return sw_addrset_has(&s->ips, &p->src) || sw_addrset_has(&s->ips, &p->dst);
	}
}

/* flowint = + - of a matched rule, in rule order (Suricata's post-match list). */
static void apply_flowint(const struct sw_rule *r, struct sw_flow *f)
{
	_Static_assert(SW_FLOWINT_MAX <= SW_FLOWINTS, "flow has room for every flowint variable");

	for (uint32_t i = 0; i < r->n_fi; i++) {
		const struct sw_flowint *fi = &r->fi[i];
		uint32_t val = fi->value, bit = 1u << fi->id;
		bool isset = f->flowint_set & bit;

		if (fi->op > SW_FI_SUB)
			continue;
		if (fi->target_var) /* an unset target reads as 0 */
			val = f->flowint_set & (1u << fi->target) ? f->flowint[fi->target] : 0;
		switch (fi->op) {
		case SW_FI_SET:
			f->flowint[fi->id] = val;
			break;
		case SW_FI_ADD: /* on an unset variable: set to the value (Suricata) */
			f->flowint[fi->id] = isset ? f->flowint[fi->id] + val : val;
			break;
		case SW_FI_SUB: /* on an unset variable: nothing */
			if (!isset)
				continue;
			f->flowint[fi->id] -= val; /* wraps as Suricata's uint32_t */
			break;
		}
		f->flowint_set |= (uint16_t)bit;
	}
}

static void apply_xbits(struct sw_detect_ctx *c, const struct sw_rule *r, const struct sw_packet *p)
{
	for (uint32_t i = 0; i < r->n_xb; i++) {
		if (r->xb[i].op == SW_FB_ISSET || r->xb[i].op == SW_FB_ISNOTSET)
			continue;
		sw_detect_order(c);
		sw_hostbits_apply(&c->d->hb, &r->xb[i], p);
	}
}

static uint32_t clip(uint32_t len, uint64_t lim)
{
	return lim < len ? (uint32_t)lim : len;
}

/* Whether a rule with narrow ports (narrow_build()) may match @p: it has ports, one of them theirs. */
static bool narrow_packet(const struct sw_detect *d, const struct sw_packet *p)
{
	if (!p->l4_ok || (p->proto != 6 && p->proto != 17))
		return false;
	return (d->narrow_sp[p->sport >> 6] >> (p->sport & 63) & 1) ||
	       (d->narrow_dp[p->dport >> 6] >> (p->dport & 63) & 1);
}

static int collect(struct sw_detect_ctx *c, const struct sw_packet *p, const struct sw_stream_view *v)
{
	const struct sw_detect *d = c->d;
	int cls;

	if (p->flow && p->flow->no_payload_inspect) {
		/* encrypted (tls.h): no payload rule is evaluated, so none is scanned for */
	} else if (p->proto == 6 && v && v->in_stream) {
		/* only matches ending in the new bytes: start far enough back for the longest pattern */
		uint32_t back = d->max_fp_len ? d->max_fp_len - 1 : 0;
		uint32_t start = v->new_off > back ? v->new_off - back : 0;
		uint32_t fresh = v->len - v->new_off;
		/*
		 * The usual case, an in-order segment: the packet's payload is
		 * the stream's new bytes, so the same scans serve the stream
		 * rules and the packet rules (their matches must lie wholly in
		 * the new bytes) instead of two over the same bytes.
		 */
		bool comb = fresh && fresh == p->payload_len && !memcmp(v->data + v->new_off, p->payload, fresh);

		if (comb) {
			if (scan(c, d->db_tcp, v->data + start, v->len - start, SCAN_COMBINED, v->new_off - start,
				 v->base + start) < 0)
				return -EIO;
		} else {
			if (fresh &&
			    scan(c, d->db_tcp, v->data + start, v->len - start, BUF_STREAM, v->new_off - start,
				 v->base + start) < 0)
				return -EIO;
			if (scan(c, d->db_tcp_pkt, p->payload, p->payload_len, BUF_PKT, 0, 0) < 0)
				return -EIO;
		}
		uint32_t hl = d->head_tcp_len;
		/* view bytes at stream offsets below hl: what the head patterns' stream rules may match */
		uint32_t shead = hl > v->base ? clip(v->len, hl - v->base) : 0;

		if (comb) {
			/* the packet's head and the stream's */
			uint32_t hend = clip(v->len, (uint64_t)v->new_off + hl);

			if (shead > hend)
				hend = shead;
			/*
			 * Most segments come past the stream's head: only the
			 * packet rules' head literals can match then (scan_head()).
			 */
			scan_head(c, v->base + v->new_off >= hl ? &d->head_tcp_pkt : &d->head_tcp, v->data + start,
				  hend - start, SCAN_COMBINED, v->new_off - start, v->base + start);
		} else {
			if (fresh && shead > v->new_off)
				scan_head(c, &d->head_tcp, v->data + start, shead - start, BUF_STREAM,
					  v->new_off - start, v->base + start);
			scan_head(c, &d->head_tcp_pkt, p->payload, clip(p->payload_len, hl), BUF_PKT, 0, 0);
		}
	} else if (p->proto == 6) {
		if (scan(c, d->db_pkt, p->payload, p->payload_len, 0xff, 0, 0) < 0)
			return -EIO;
		scan_head(c, &d->head_tcp, p->payload, clip(p->payload_len, d->head_tcp_len), 0xff, 0, 0);
	} else if (d->has_wide && !narrow_packet(d, p)) {
		if (scan(c, d->db_nontcp_wide, p->payload, p->payload_len, 0xff, 0, 0) < 0)
			return -EIO;
		scan_head(c, &d->head_nontcp_wide, p->payload, clip(p->payload_len, d->head_nontcp_wide_len), 0xff, 0,
			  0);
	} else {
		if (scan(c, d->db_nontcp, p->payload, p->payload_len, 0xff, 0, 0) < 0)
			return -EIO;
		scan_head(c, &d->head_nontcp, p->payload, clip(p->payload_len, d->head_nontcp_len), 0xff, 0, 0);
	}
	prefilter(c, &d->pf[PF_ANY], p);
	switch (p->proto) {
	case 6:
		cls = PF_TCP;
		break;
	case 17:
		cls = PF_UDP;
		break;
	case 1:
		cls = p->ip_ver == 4 ? PF_ICMP : -1;
		break;
	case 58:
		cls = p->ip_ver == 6 ? PF_ICMP6 : -1;
		break;
	default:
		cls = -1;
	}
	if (cls >= 0)
		prefilter(c, &d->pf[cls], p);
	return 0;
}

/*
 * Verify the sorted candidates and gather the result: flowbits, thresholds,
 * verdict, alerts; then the flow's alerted/passed/dropped.  @tx NULL: a
 * packet; else transaction @tx at a stage of direction @to_server.
 */
/*
 * Whether a drop, reject or pass by @cr applies to the rest of the flow, as Suricata
 * decides it from the rule's type (its "rule types" documentation,
 * signature_properties[]): IP-only rules, protocol-detection and
 * application-layer rules act on the flow; payload rules of a TCP stream
 * act on the flow when they matched the reassembled stream; packet rules
 * (dsize, tcp-pkt, UDP or ICMP payload, header keywords) act on the packet
 * alone, so the flow goes on and is inspected.
 */
static bool drop_scope_flow(const struct crule *cr, const struct sw_packet *p, const struct sw_stream_view *v,
			    const struct sw_app_tx *tx)
{
	if (tx || cr->tx || cr->r->app_proto != SW_APP_UNKNOWN || cr->iponly)
		return true;
	return cr->payload && cr->buf != BUF_PKT && p->proto == 6 && v && v->in_stream;
}

static void evaluate(struct sw_detect_ctx *c, struct sw_packet *p, const struct sw_stream_view *v,
		     const struct sw_app_tx *tx, bool to_server, struct sw_detect_result *res)
{
	const struct sw_detect *d = c->d;
	struct sw_flow *f = p->flow;
	bool pass = false, silent, flow_scope = false;
	enum sw_action action;

	sort_cand(c->cand, c->n_cand);
	c->st.candidates += c->n_cand;

	for (uint32_t i = 0; i < c->n_cand; i++) {
		const struct crule *cr = &d->cr[c->cand[i]];
		const struct sw_rule *r = cr->r;

		if (tx) {
			if (!sw_verify_tx(c, cr, p, v, tx, to_server))
				continue;
		} else {
			if (cr->iponly && f && f->iponly_done[!p->to_server])
				continue;
			if (p->stream_flush && !cr->has_positive)
				continue; /* header-only rules matched the real segments already */
			if (cr->payload && f && f->no_payload_inspect)
				continue; /* a rule without a fast pattern, on an encrypted flow */
			if (!sw_verify_rule(c, cr, p, v))
				continue;
		}
		res->matched_any = true;
		if (cr->sets_fb) {
			if (f) {
				apply_flowbits(r, f);
				apply_flowint(r, f);
			}
			apply_xbits(c, r, p);
		}
		silent = false;
		action = r->action;
		if (cr->has_thr) {
			struct sw_detect *dm = c->d; /* the tables are the mutable part */
			enum thr_res tr = THR_ALERT;

			/* threshold.config suppress by address first: the action applies, the alert does not */
			for (uint32_t k = 0; k < r->n_sup; k++)
				if (suppressed(&r->sup[k], p))
					tr = THR_SILENT;
			sw_detect_order(c);
			/* detection_filter first: a match it holds back is not counted by threshold: */
			if (tr == THR_ALERT && r->detection_filter.set)
				tr = sw_thr_check(&dm->thr, c->cand[i], 1, &r->detection_filter, p);
			if (tr == THR_ALERT && r->threshold.set)
				tr = sw_thr_check(&dm->thr, c->cand[i], 0, &r->threshold, p);
			if (tr == THR_ALERT && r->rate.set && sw_rate_check(&dm->thr, c->cand[i], &r->rate, p))
				action = r->rate.new_action;
			if (tr == THR_NO) {
				c->st.suppressed++;
				continue;
			}
			if (tr == THR_SILENT) {
				c->st.suppressed++;
				silent = true; /* the action applies, the alert does not (Suricata's "silent match") */
			}
		}
		if (!res->verdict_rule || action > res->verdict) {
			res->verdict = action;
			res->verdict_rule = r;
			flow_scope = drop_scope_flow(cr, p, v, tx);
		}
		if (action == SW_ACTION_PASS) {
			pass = true;
			continue;
		}
		if (r->noalert || silent)
			continue;
		if (res->n < SW_DETECT_MAX_ALERTS)
			res->m[res->n++].rule = r;
		else
			c->st.alert_overflow++;
	}
	if (pass)
		res->n = 0; /* a pass rule silences the packet, as in Suricata */
	c->st.alerts += res->n;
	if (f) {
		if (res->n)
			f->alerted = true;
		if (pass) {
			f->passed |= flow_scope;
		} else if ((res->verdict == SW_ACTION_DROP || res->verdict == SW_ACTION_REJECT) && flow_scope) {
			f->dropped = true;
			f->drop_sid = res->verdict_rule->sid;
		}
	}
}

/* Starts a result and the candidate set; false if nothing can match. */
static bool begin(struct sw_detect_ctx *c, const struct sw_packet *p, struct sw_detect_result *res)
{
	const struct sw_detect *d = c->d;

	c->ordered = false;
	res->n = 0;
	res->matched_any = false;
	res->verdict = SW_ACTION_ALERT;
	res->verdict_rule = NULL;
	if (p->flow && p->flow->passed) {
		res->verdict = SW_ACTION_PASS;
		return false;
	}
	if (p->ip_ver == 0 || d->n == 0)
		return false;
	/* Stamps instead of clearing per packet: only a wrap-around clears the array. */
	if (++c->gen == 0) {
		memset(c->seen, 0, d->n * sizeof(*c->seen));
		c->gen = 1;
	}
	c->n_cand = 0;
	return true;
}

int sw_detect_packet(struct sw_detect_ctx *c, struct sw_packet *p, const struct sw_stream_view *v,
		     struct sw_detect_result *res)
{
	int ret;

	if (!begin(c, p, res))
		return 0;
	ret = collect(c, p, v);
	if (ret < 0)
		return ret;
	evaluate(c, p, v, NULL, false, res);
	if (p->flow)
		p->flow->iponly_done[!p->to_server] = true;
	return 0;
}

static int on_buf_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
			void *ctx)
{
	struct sw_detect_ctx *c = ctx;
	const struct buf_db *bd = c->scan_db;

	(void)from;
	(void)to;
	(void)flags;
	c->st.hs_matches++;
	for (uint32_t k = bd->pat_off[id]; k < bd->pat_off[id + 1]; k++) {
		uint32_t ri = bd->pat_rules[k];

		if (c->d->cr[ri].stage_mask & (1u << c->scan_stage))
			add_cand(c, ri);
	}
	return 0;
}

bool sw_tx_buf(struct sw_detect_ctx *c, const struct sw_app_tx *tx, uint8_t buf, uint8_t xform, bool to_server,
	       uint32_t idx, const uint8_t **p, uint32_t *len)
{
	const uint8_t *b;
	uint32_t n;

	if (!sw_app_tx_buf(tx, (enum sw_bufid)buf, sw_buf_to_server((enum sw_bufid)buf, to_server), idx, &b, &n))
		return false;
	/* Suricata leaves an empty buffer empty */
	if (!(xform & SW_XFORM_DOTPREFIX) || n == 0) {
		*p = b;
		*len = n;
		return true;
	}
	/* dotprefix: "." + the buffer.  The scratch grows to the largest buffer transformed, then stays. */
	if (n >= c->xbuf_cap) {
		uint32_t cap = c->xbuf_cap ? c->xbuf_cap : 256;
		uint8_t *nb;

		while (cap <= n && cap < (1u << 30))
			cap *= 2;
		nb = cap > n ? realloc(c->xbuf, cap) : NULL;
		if (!nb) {
			c->st.xform_nomem++;
			return false;
		}
		c->xbuf = nb;
		c->xbuf_cap = cap;
	}
	c->xbuf[0] = '.';
	memcpy(c->xbuf + 1, b, n);
	*p = c->xbuf;
	*len = n + 1;
	return true;
}

int sw_detect_tx(struct sw_detect_ctx *c, struct sw_packet *p, const struct sw_stream_view *v,
		 const struct sw_app_tx *tx, enum sw_app_stage stage, struct sw_detect_result *res)
{
	const struct sw_detect *d = c->d;
	bool to_server = sw_app_stage_to_server(stage);
	uint64_t bufs;

	if (!begin(c, p, res) || d->n_tx == 0)
		return 0;
	c->scan_stage = (uint8_t)stage;
	for (unsigned x = 0; x < XF_N; x++) {
		for (bufs = d->stage_bufs[stage][x]; bufs; bufs &= bufs - 1) {
			enum sw_bufid b = (enum sw_bufid)__builtin_ctzll(bufs);
			uint8_t xform = x ? SW_XFORM_DOTPREFIX : 0;
			const uint8_t *data;
			uint32_t len;

			c->scan_db = &d->bdb[x][b];
			for (uint32_t k = 0; sw_tx_buf(c, tx, b, xform, to_server, k, &data, &len); k++) {
				if (len == 0)
					continue;
				if (hs_scan(c->scan_db->db, (const char *)data, len, 0, c->scratch, on_buf_match, c) !=
				    HS_SUCCESS) {
					c->st.scan_errors++;
					return -EIO;
				}
			}
		}
	}
	add_list(c, d->stage_always[stage], d->n_stage_always[stage]);
	evaluate(c, p, v, tx, to_server, res);
	return 0;
}
