/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verification of one candidate rule against one packet, in C.
 *
 * Header conditions are checked first (cheap), then flowbits conditions,
 * then the payload match list in rule order with Suricata's semantics:
 *
 * - Absolute positions (content offset/depth, startswith, isdataat without
 *   relative, byte_* without relative, byte_jump from_beginning) count from
 *   the start of the inspected buffer.  On a stream view that is the start of
 *   the stream: view index i is stream offset v->base + i, so "offset:0;
 *   depth:4" still means the first four bytes of the connection (bytes that
 *   have left the view can no longer match).
 * - Relative positions (distance/within, R, relative) count from the end of
 *   the previous match ("prev_end"); within counts from prev_end + distance.
 *   Negated contents, byte_test and isdataat never move prev_end; byte_jump
 *   and byte_extract move it past what they read / to where they jump.
 * - Backtracking: when an item fails and the item before it was a positive
 *   content or pcre that the failed item is relative to, that earlier item is
 *   retried at its next occurrence, as Suricata does.  Recursion depth is
 *   bounded by the number of items; a per-rule step budget bounds the total
 *   work on hostile payloads (exhaustion counts as no match and is counted).
 * - On a stream view, a rule with a positive content or pcre only matches if
 *   some positive match ends in this packet's new bytes (past new_off), so
 *   the same stream bytes never alert twice; the constraint takes part in
 *   backtracking.
 */
#include <ctype.h>
#include <string.h>

#include "detect_int.h"

#define STEP_BUDGET 20000u /* searches + item evaluations per rule per packet */

bool sw_addrset_has(const struct sw_addrset *s, const struct sw_ip *ip)
{
	if (s->any)
		return true;
	if (ip->family == AF_INET) {
		uint32_t a = sw_ip_v4(ip), lo = 0, hi = s->n4;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (s->v4[mid].hi < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < s->n4 && s->v4[lo].lo <= a;
	}
	if (ip->family == AF_INET6) {
		uint32_t lo = 0, hi = s->n6;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (memcmp(s->v6[mid].hi, ip->a, 16) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < s->n6 && memcmp(s->v6[lo].lo, ip->a, 16) <= 0;
	}
	return false;
}

bool sw_portset_has(const struct sw_portset *s, uint16_t port)
{
	uint32_t lo = 0, hi;

	if (s->any)
		return true;
	hi = s->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].hi < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->r[lo].lo <= port;
}

static bool num_ok(const struct sw_num_match *m, uint32_t x)
{
	switch (m->op) {
	case SW_CMP_EQ:
		return x == m->a;
	case SW_CMP_NE:
		return x != m->a;
	case SW_CMP_LT:
		return x < m->a;
	case SW_CMP_LE:
		return x <= m->a;
	case SW_CMP_GT:
		return x > m->a;
	case SW_CMP_GE:
		return x >= m->a;
	case SW_CMP_RANGE:
		return m->a < x && x < m->b;
	case SW_CMP_NEG_RANGE:
		return x <= m->a || x >= m->b;
	case SW_CMP_BITMASK:
		return (x & m->a) == m->b;
	case SW_CMP_NEG_BITMASK:
		return (x & m->a) != m->b;
	}
	return false;
}

static bool has_ports(const struct sw_packet *p)
{
	return p->l4_ok && (p->proto == 6 || p->proto == 17);
}

/* One orientation of the header: rule src/sp against @s/@sp. */
static bool hdr_dir(const struct sw_rule *r, const struct sw_packet *p, bool rev)
{
	const struct sw_ip *s = rev ? &p->dst : &p->src, *d = rev ? &p->src : &p->dst;

	/* ports first: a compare or two where an address set is a binary search over $HOME_NET's ranges */
	if (!r->sp.any || !r->dp.any) {
		/* A rule with ports never matches a packet without them (ICMP, non-first fragments). */
		if (!has_ports(p))
			return false;
		if (!sw_portset_has(&r->sp, rev ? p->dport : p->sport) ||
		    !sw_portset_has(&r->dp, rev ? p->sport : p->dport))
			return false;
	}
	return sw_addrset_has(&r->src, s) && sw_addrset_has(&r->dst, d);
}

static bool proto_ok(enum sw_rule_proto rp, const struct sw_packet *p)
{
	switch (rp) {
	case SW_RP_IP:
		return p->ip_ver != 0;
	case SW_RP_TCP:
	case SW_RP_TCP_PKT:
	case SW_RP_TCP_STREAM:
		return p->proto == 6 && p->l4_ok;
	case SW_RP_UDP:
		return p->proto == 17 && p->l4_ok;
	case SW_RP_ICMP:
		return p->proto == 1 && p->ip_ver == 4 && p->l4_ok;
	case SW_RP_ICMPV6:
		return p->proto == 58 && p->ip_ver == 6 && p->l4_ok;
	}
	return false;
}

static bool flow_ok(uint8_t fl, const struct sw_packet *p)
{
	const struct sw_flow *f = p->flow;
	/*
	 * TCP: the connection's state before this packet has reached
	 * ESTABLISHED, as Suricata's "ssn->state >= TCP_ESTABLISHED" when the
	 * packet arrives (flow.c FlowUpdateState): the ACK that completes the
	 * handshake is not established yet, a FIN and the last ACK still are
	 * (a firewall-style pass on flow:established passes them too).  Closed
	 * is not: after an accepted RST (or the last ACK) the receiver has no
	 * connection and data sent then never reaches it (e2e_stream's
	 * rst_exact evasion case).  Held
	 * stream bytes flushed after the close were sent while it was
	 * established.  Other protocols: both sides spoke.
	 */
	bool est = f && (p->stream_flush ? f->state != SW_FLOW_STATE_NEW
			 : f->proto == 6 ? p->tcp_state_prev >= SW_TCP_ESTABLISHED && p->tcp_state_prev != SW_TCP_CLOSED
					 : f->state == SW_FLOW_STATE_ESTABLISHED);

	if ((fl & SW_FLOW_TO_SERVER) && !(f && p->to_server))
		return false;
	if ((fl & SW_FLOW_TO_CLIENT) && !(f && !p->to_server))
		return false;
	if ((fl & SW_FLOW_ESTABLISHED) && !est)
		return false;
	if ((fl & SW_FLOW_NOT_ESTABLISHED) && est)
		return false;
	return true;
}

static bool flags_ok(const struct sw_flags_match *m, const struct sw_packet *p)
{
	uint8_t v;

	if (p->proto != 6 || !p->l4_ok)
		return false;
	v = p->tcp_flags & (uint8_t)~m->ignore;
	switch (m->mod) {
	case '+':
		return (v & m->flags) == m->flags;
	case '*':
		return (v & m->flags) != 0;
	case '!':
		return (v & m->flags) == 0;
	default:
		return v == m->flags;
	}
}

static bool fb_isset(const struct sw_flow *f, uint16_t id)
{
	return id < SW_FLOWBITS_WORDS * 64 && (f->flowbits[id / 64] >> (id % 64) & 1);
}

/* flowbits isset/isnotset conditions; a packet without a flow has no bit set. */
static bool flowbits_ok(const struct sw_rule *r, const struct sw_flow *f)
{
	for (uint32_t i = 0; i < r->n_fb; i++) {
		const struct sw_flowbit *fb = &r->fb[i];
		uint32_t hits = 0;
		bool want;

		if (fb->op != SW_FB_ISSET && fb->op != SW_FB_ISNOTSET)
			continue;
		want = fb->op == SW_FB_ISSET;
		for (uint8_t k = 0; k < fb->n; k++)
			if ((f && fb_isset(f, fb->ids[k])) == want)
				hits++;
		if (fb->all ? hits != fb->n : hits == 0)
			return false;
	}
	return true;
}

/*
 * stream_size: as Suricata, a direction's size is next_seq - isn (the SYN
 * and FIN count one each); a flow without a TCP session, or a direction
 * whose ISN was never seen, does not match.
 */
static bool stream_size_ok(const struct sw_stream_size *ss, const struct sw_packet *p)
{
	const struct sw_flow *f = p->flow;
	bool ok[2], known[2];

	if (!f || f->proto != 6)
		return false;
	for (int d = 0; d < 2; d++) {
		const struct sw_stream_dir *s = &f->stream[d];

		known[d] = s->has_isn;
		ok[d] = known[d] && num_ok(&ss->n, s->next_seq - s->isn);
	}
	switch (ss->side) {
	case SW_SS_CLIENT:
		return ok[0];
	case SW_SS_SERVER:
		return ok[1];
	case SW_SS_BOTH:
		return ok[0] && ok[1];
	case SW_SS_EITHER:
		return ok[0] || ok[1];
	}
	return false;
}

static bool num64_ok(uint8_t op, uint64_t a, uint64_t b, uint64_t x)
{
	switch ((enum sw_cmp)op) {
	case SW_CMP_EQ:
		return x == a;
	case SW_CMP_NE:
		return x != a;
	case SW_CMP_LT:
		return x < a;
	case SW_CMP_LE:
		return x <= a;
	case SW_CMP_GT:
		return x > a;
	case SW_CMP_GE:
		return x >= a;
	case SW_CMP_RANGE:
		return a < x && x < b;
	case SW_CMP_NEG_RANGE:
		return x <= a || x >= b;
	case SW_CMP_BITMASK:
		return (x & a) == b;
	case SW_CMP_NEG_BITMASK:
		return (x & a) != b;
	}
	return false;
}

/*
 * flow.pkts / flow.bytes / flow.age and extra stream_size: the flow's
 * counters (this packet included).  Suricata: no flow, no match; either /
 * both combine the two directions; the age is whole seconds of last minus
 * whole seconds of start.
 */
static bool flowcnt_ok(const struct sw_rule *r, const struct sw_packet *p)
{
	const struct sw_flow *f = p->flow;

	if (!f)
		return false;
	for (uint32_t i = 0; i < r->n_fc; i++) {
		const struct sw_flowcnt *fc = &r->fc[i];
		uint64_t v[2];
		bool ok[2];

		switch (fc->kind) {
		case SW_FC_PKTS:
			v[0] = f->pkts_ts;
			v[1] = f->pkts_tc;
			/* Suricata's packet counters are u32 compared as such */
			v[0] = v[0] > UINT32_MAX ? UINT32_MAX : v[0];
			v[1] = v[1] > UINT32_MAX ? UINT32_MAX : v[1];
			break;
		case SW_FC_BYTES:
			v[0] = f->bytes_ts;
			v[1] = f->bytes_tc;
			break;
		case SW_FC_AGE: {
			int64_t age = f->last_usec / 1000000 - f->start_usec / 1000000;

			v[0] = v[1] = age < 0 ? 0 : age > UINT32_MAX ? UINT32_MAX : (uint64_t)age;
			break;
		}
		case SW_FC_STREAM: {
			struct sw_stream_size ss = { true, (enum sw_stream_side)fc->dir,
						     { true, (enum sw_cmp)fc->op, (uint32_t)fc->a, (uint32_t)fc->b } };

			if (!stream_size_ok(&ss, p))
				return false;
			continue;
		}
		default:
			return false;
		}
		ok[0] = num64_ok(fc->op, fc->a, fc->b, v[0]);
		ok[1] = num64_ok(fc->op, fc->a, fc->b, v[1]);
		switch (fc->dir) {
		case SW_FCD_TOSERVER:
			if (!ok[0])
				return false;
			break;
		case SW_FCD_TOCLIENT:
			if (!ok[1])
				return false;
			break;
		case SW_FCD_EITHER:
			if (!ok[0] && !ok[1])
				return false;
			break;
		case SW_FCD_BOTH:
			if (!ok[0] || !ok[1])
				return false;
			break;
		}
	}
	return true;
}

/*
 * flowint conditions (Suricata DetectFlowintMatch): no flow, no match;
 * isset / notset on the variable; a comparison needs the variable set (an
 * unset target variable reads as 0).
 */
static bool flowint_ok(const struct sw_rule *r, const struct sw_flow *f)
{
	for (uint32_t i = 0; i < r->n_fi; i++) {
		const struct sw_flowint *fi = &r->fi[i];
		bool isset;
		uint32_t x, val;

		if (fi->op <= SW_FI_SUB)
			continue; /* actions, applied when the rule matched */
		if (!f)
			return false;
		isset = f->flowint_set & (1u << fi->id);
		if (fi->op == SW_FI_ISSET || fi->op == SW_FI_NOTSET) {
			if (isset != (fi->op == SW_FI_ISSET))
				return false;
			continue;
		}
		if (!isset)
			return false;
		x = f->flowint[fi->id];
		val = !fi->target_var ? fi->value : f->flowint_set & (1u << fi->target) ? f->flowint[fi->target] : 0;
		switch (fi->op) {
		case SW_FI_EQ: if (!(x == val)) return false; break;
		case SW_FI_NE: if (!(x != val)) return false; break;
		case SW_FI_LT: if (!(x < val)) return false; break;
		case SW_FI_LE: if (!(x <= val)) return false; break;
		case SW_FI_GT: if (!(x > val)) return false; break;
		case SW_FI_GE: if (!(x >= val)) return false; break;
		default: return false;
		}
	}
	return true;
}

/* hostbits / xbits isset / isnotset: shared state, read in capture order (sw_detect_order()). */
static bool xbits_ok(struct sw_detect_ctx *c, const struct sw_rule *r, const struct sw_packet *p)
{
	for (uint32_t i = 0; i < r->n_xb; i++) {
		if (r->xb[i].op != SW_FB_ISSET && r->xb[i].op != SW_FB_ISNOTSET)
			continue;
		sw_detect_order(c);
		if (!sw_hostbits_test(&c->d->hb, &r->xb[i], p))
			return false;
	}
	return true;
}

/* The per-flow state conditions, cheap: checked before the payload. */
static bool state_ok(const struct sw_rule *r, const struct sw_packet *p)
{
	if (r->n_fb && !flowbits_ok(r, p->flow))
		return false;
	if (r->n_fc && !flowcnt_ok(r, p))
		return false;
	if (r->n_fi && !flowint_ok(r, p->flow))
		return false;
	return true;
}

static bool header_ok(const struct sw_rule *r, const struct sw_packet *p)
{
	if (!proto_ok(r->proto, p))
		return false;
	/* "alert http ...": only on a flow detected as that protocol (not before, not by port). */
	if (r->app_proto && !(p->flow && p->flow->app_proto == r->app_proto))
		return false;
	/* the flow's direction and state before the addresses: a load or two, and it refuses half the packets */
	if (r->flow && !flow_ok(r->flow, p))
		return false;
	if (!hdr_dir(r, p, false) && !(r->bidir && hdr_dir(r, p, true)))
		return false;
	if (r->flags.set && !flags_ok(&r->flags, p))
		return false;
	if (r->ttl.set && !num_ok(&r->ttl, p->ttl))
		return false;
	if (r->ip_proto.set && !num_ok(&r->ip_proto, p->proto))
		return false;
	if (r->itype.set || r->icode.set || r->icmp_id.set || r->icmp_seq.set) {
		bool icmp = p->l4_ok && (p->proto == 1 || p->proto == 58);

		if (!icmp)
			return false;
		if (r->itype.set && !num_ok(&r->itype, p->icmp_type))
			return false;
		if (r->icode.set && !num_ok(&r->icode, p->icmp_code))
			return false;
		if ((r->icmp_id.set || r->icmp_seq.set) && !p->icmp_has_id)
			return false;
		if (r->icmp_id.set && !num_ok(&r->icmp_id, p->icmp_id))
			return false;
		if (r->icmp_seq.set && !num_ok(&r->icmp_seq, p->icmp_seq))
			return false;
	}
	if (r->tcp_mss.set && !(p->proto == 6 && p->l4_ok && p->tcp_has_mss && num_ok(&r->tcp_mss, p->tcp_mss)))
		return false;
	if (r->dsize.set && !num_ok(&r->dsize, p->payload_len))
		return false;
	if (r->stream_size.set && !stream_size_ok(&r->stream_size, p))
		return false;
	return true;
}

/* ---- payload ---- */

struct mstate {
	struct sw_detect_ctx *c;
	const struct crule *cr;
	const uint8_t *b;
	int64_t len;
	int64_t base;      /* stream offset of b[0]: absolute positions are base-relative */
	int64_t new_off;   /* stream: some positive match must end past this */
	bool need_new;
	uint32_t budget;
	bool exhausted;
	uint32_t end;      /* one past the last pm of the list being matched */
	uint64_t vars[SW_RULE_MAX_VARS];
};

static bool step(struct mstate *s)
{
	if (s->budget == 0) {
		s->exhausted = true;
		return false;
	}
	s->budget--;
	return true;
}

/* A position operand; an extracted value is clamped so position arithmetic cannot overflow. */
static int64_t opnd(const struct mstate *s, const struct sw_operand *o)
{
	if (o->var >= 0 && o->var < SW_RULE_MAX_VARS)
		return s->vars[(int)o->var] > INT32_MAX ? INT32_MAX : (int64_t)s->vars[(int)o->var];
	return o->value;
}

/* First occurrence of @pat with start >= @lo and end <= @hi, or -1. */
static int64_t search(const uint8_t *b, int64_t lo, int64_t hi, const uint8_t *pat, uint32_t plen, bool nocase)
{
	if (lo < 0)
		lo = 0;
	if (hi - lo < (int64_t)plen)
		return -1;
	if (plen == 0)
		return lo;
	if (!nocase) {
		const uint8_t *f = memmem(b + lo, (size_t)(hi - lo), pat, plen);

		return f ? f - b : -1;
	}
	for (int64_t i = lo; i + plen <= hi; i++) {
		uint32_t k = 0;

		while (k < plen && tolower(b[i + k]) == tolower(pat[k]))
			k++;
		if (k == plen)
			return i;
	}
	return -1;
}

static bool is_relative(const struct sw_pm *pm)
{
	switch (pm->kind) {
	case SW_PM_CONTENT:
		return pm->u.content.flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN);
	case SW_PM_PCRE:
		return pm->u.pcre.relative;
	case SW_PM_BYTE_TEST:
		return pm->u.btest.relative;
	case SW_PM_BYTE_JUMP:
		return pm->u.bjump.relative;
	case SW_PM_BYTE_EXTRACT:
		return pm->u.bextract.relative;
	case SW_PM_ISDATAAT:
		return pm->u.isdataat.relative;
	case SW_PM_BSIZE:
		return false;
	}
	return false;
}

/*
 * Read @n bytes at @at as Suricata does: raw big/little endian (1..8) or an
 * ASCII number in @base (leading digits, at least one; @n 0: as many as
 * there are, up to 23, byte_test's "0,...,string").  False if out of the
 * buffer or not a number.
 */
static bool extract(const struct mstate *s, int64_t at, uint8_t n, enum sw_byte_base base, bool le,
		    uint64_t mask, uint64_t *out)
{
	uint64_t v = 0;

	if (at < 0 || (n == 0 && base == SW_BASE_RAW) || at + n > s->len)
		return false;
	if (n == 0)
		n = (uint8_t)(s->len - at < 23 ? s->len - at : 23);
	if (base == SW_BASE_RAW) {
		if (n > 8)
			return false;
		for (uint8_t i = 0; i < n; i++)
			v = le ? v | (uint64_t)s->b[at + i] << (8 * i) : v << 8 | s->b[at + i];
	} else {
		uint8_t i = 0;

		for (; i < n; i++) {
			int c = s->b[at + i], d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			if (d >= (int)base)
				break;
			v = v * (uint64_t)base + (uint64_t)d;
		}
		if (i == 0)
			return false;
	}
	if (mask) {
		/* Suricata masks, then shifts right by the mask's trailing zeros. */
		v &= mask;
		if (v)
			v >>= __builtin_ctzll(mask);
	}
	*out = v;
	return true;
}

static bool match_from(struct mstate *s, uint32_t i, int64_t prev, int64_t hi);

static bool match_content(struct mstate *s, uint32_t i, int64_t prev, int64_t hi)
{
	const struct sw_content *ct = &s->cr->r->pm[i].u.content;
	bool nocase = ct->flags & SW_CONTENT_NOCASE, retry;
	int64_t lo, end;

	if (ct->flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN)) {
		int64_t dist = (ct->flags & SW_CONTENT_DISTANCE) ? opnd(s, &ct->distance) : 0;

		lo = prev + dist;
		end = s->len;
		if (ct->flags & SW_CONTENT_WITHIN) {
			int64_t w = prev + dist + opnd(s, &ct->within);

			if (w < end)
				end = w;
		}
		if (lo < 0)
			lo = 0;
	} else if (ct->flags & SW_CONTENT_STARTSWITH) {
		lo = -s->base;
		end = lo + ct->len;
	} else {
		lo = ((ct->flags & SW_CONTENT_OFFSET) ? opnd(s, &ct->offset) : 0) - s->base;
		end = (ct->flags & SW_CONTENT_DEPTH) ? lo + opnd(s, &ct->depth) : s->len;
		if (lo < 0)
			lo = 0;
	}
	if (end > s->len)
		end = s->len;
	if (ct->flags & SW_CONTENT_ENDSWITH) {
		/* the only candidate position ends at the end of the buffer */
		if (end < s->len || s->len - ct->len < lo)
			lo = end + 1; /* nothing fits */
		else
			lo = s->len - ct->len;
	}
	if (ct->flags & SW_CONTENT_NEGATED) {
		if (!step(s))
			return false;
		if (search(s->b, lo, end, ct->pat, ct->len, nocase) >= 0)
			return false;
		return match_from(s, i + 1, prev, hi);
	}
	retry = s->need_new || (i + 1 < s->end && is_relative(&s->cr->r->pm[i + 1]));
	for (;;) {
		int64_t pos, e;

		if (!step(s))
			return false;
		pos = search(s->b, lo, end, ct->pat, ct->len, nocase);
		if (pos < 0)
			return false;
		e = pos + ct->len;
		if (match_from(s, i + 1, e, e > hi ? e : hi))
			return true;
		if (!retry || s->exhausted)
			return false;
		lo = pos + 1;
	}
}

static bool match_pcre(struct mstate *s, uint32_t i, int64_t prev, int64_t hi)
{
	const struct sw_pcre *pc = &s->cr->r->pm[i].u.pcre;
	pcre2_code *re = s->cr->re[i];
	int64_t base = pc->relative ? prev : 0;
	PCRE2_SIZE start = 0;
	bool retry;

	if (!re || base > s->len)
		return false;
	retry = !pc->negated &&
		(s->need_new || (i + 1 < s->end && is_relative(&s->cr->r->pm[i + 1])));
	for (;;) {
		PCRE2_SIZE *ov;
		int64_t ms, me;
		int rc;

		if (!step(s))
			return false;
		/* R: the subject starts at prev_end, so ^ anchors there as in Suricata. */
		rc = pcre2_match(re, s->b + base, (PCRE2_SIZE)(s->len - base), start, 0, s->c->md, s->c->mctx);
		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
			s->c->st.pcre_errors++; /* match limit hit or similar: treat as no match */
			return false;
		}
		if (pc->negated)
			return rc < 0 && match_from(s, i + 1, prev, hi);
		if (rc < 0)
			return false;
		ov = pcre2_get_ovector_pointer(s->c->md);
		ms = base + (int64_t)ov[0];
		me = base + (int64_t)ov[1];
		if (match_from(s, i + 1, me, me > hi ? me : hi))
			return true;
		if (!retry || s->exhausted)
			return false;
		start = (PCRE2_SIZE)(ms - base + 1);
		if ((int64_t)start > s->len - base)
			return false;
	}
}

static bool byte_op(enum sw_byte_op op, uint64_t v, uint64_t x)
{
	switch (op) {
	case SW_BOP_LT:
		return v < x;
	case SW_BOP_GT:
		return v > x;
	case SW_BOP_EQ:
		return v == x;
	case SW_BOP_LE:
		return v <= x;
	case SW_BOP_GE:
		return v >= x;
	case SW_BOP_AND:
		return (v & x) != 0;
	case SW_BOP_OR:
		return (v ^ x) != 0; /* Suricata's '^' */
	}
	return false;
}

static bool match_from(struct mstate *s, uint32_t i, int64_t prev, int64_t hi)
{
	const struct sw_rule *r = s->cr->r;
	const struct sw_pm *pm;

	if (i == s->end)
		return !s->need_new || hi > s->new_off;
	if (!step(s))
		return false;
	pm = &r->pm[i];
	switch (pm->kind) {
	case SW_PM_CONTENT:
		return match_content(s, i, prev, hi);
	case SW_PM_PCRE:
		return match_pcre(s, i, prev, hi);
	case SW_PM_BYTE_TEST: {
		const struct sw_byte_test *bt = &pm->u.btest;
		int64_t at = (bt->relative ? prev : -s->base) + opnd(s, &bt->offset);
		uint64_t v, x = bt->value_lit;

		if (bt->value.var >= 0 && bt->value.var < SW_RULE_MAX_VARS)
			x = s->vars[(int)bt->value.var]; /* full width, not a position */

		if (!extract(s, at, bt->nbytes, bt->base, bt->little_endian, bt->bitmask, &v))
			return false;
		if (byte_op(bt->op, v, x) == bt->negated)
			return false;
		return match_from(s, i + 1, prev, hi);
	}
	case SW_PM_BYTE_JUMP: {
		const struct sw_byte_jump *bj = &pm->u.bjump;
		int64_t at = (bj->relative ? prev : -s->base) + opnd(s, &bj->offset), to;
		uint64_t v;

		if (!extract(s, at, bj->nbytes, bj->base, bj->little_endian, bj->bitmask, &v))
			return false;
		if (v > (1ull << 40) / (bj->multiplier ? bj->multiplier : 1))
			return false; /* no buffer is that long; keeps the arithmetic below exact */
		v *= bj->multiplier ? bj->multiplier : 1;
		if (bj->align && v % 4)
			v += 4 - v % 4;
		if (bj->from_beginning)
			to = -s->base + (int64_t)v + bj->post_offset;
		else if (bj->from_end)
			to = s->len + (int64_t)v + bj->post_offset;
		else
			to = at + bj->nbytes + (int64_t)v + bj->post_offset;
		/* Jumping exactly to the end is allowed so "isdataat:!1,relative" can follow. */
		if (to < 0 || to > s->len)
			return false;
		return match_from(s, i + 1, to, hi);
	}
	case SW_PM_BYTE_EXTRACT: {
		const struct sw_byte_extract *be = &pm->u.bextract;
		int64_t at = (be->relative ? prev : -s->base) + be->offset;
		uint64_t v;

		if (!extract(s, at, be->nbytes, be->base, be->little_endian, be->bitmask, &v))
			return false;
		if (be->multiplier > 1)
			v *= be->multiplier;
		if (be->align && v % 4)
			v += 4 - v % 4;
		if (be->var >= 0 && be->var < SW_RULE_MAX_VARS)
			s->vars[(int)be->var] = v;
		return match_from(s, i + 1, at + be->nbytes, hi);
	}
	case SW_PM_ISDATAAT: {
		const struct sw_isdataat *id = &pm->u.isdataat;
		int64_t n = opnd(s, &id->n);
		/* Suricata: relative needs n more bytes after prev_end; absolute needs byte n to exist. */
		bool ok = id->relative ? prev + n <= s->len : n - s->base < s->len;

		if (ok == id->negated)
			return false;
		return match_from(s, i + 1, prev, hi);
	}
	case SW_PM_BSIZE:
		if (!num_ok(&pm->u.bsize, (uint32_t)(s->len > UINT32_MAX ? UINT32_MAX : s->len)))
			return false;
		return match_from(s, i + 1, prev, hi);
	}
	return false;
}

/* Match pm list @l of rule @cr on buffer @b/@len (an application-layer buffer: no stream offsets). */
static bool match_list(struct mstate *s, const struct pm_list *l, const uint8_t *b, uint32_t len)
{
	static const uint8_t empty[1];

	s->b = b ? b : empty;
	s->len = len;
	s->base = 0;
	s->new_off = 0;
	s->need_new = false;
	s->end = l->first + l->n;
	return match_from(s, l->first, 0, 0);
}

static void mstate_init(struct mstate *s, struct sw_detect_ctx *c, const struct crule *cr)
{
	s->c = c;
	s->cr = cr;
	s->budget = STEP_BUDGET;
	s->exhausted = false;
	memset(s->vars, 0, sizeof(s->vars));
}

/* The payload list (packet or stream) of @cr: pm @first up to @end. */
static bool match_payload(struct mstate *s, const struct crule *cr, const struct sw_packet *p,
			  const struct sw_stream_view *v, uint32_t first, uint32_t end)
{
	static const uint8_t empty[1];
	bool stream_ok = p->proto == 6 && v && v->in_stream;

	s->end = end;
	if (stream_ok && cr->buf != BUF_PKT) {
		s->b = v->data ? v->data : empty;
		s->len = v->len;
		s->base = (int64_t)v->base;
		s->new_off = v->new_off;
		s->need_new = cr->has_positive && !cr->tx;
	} else {
		s->b = p->payload ? p->payload : empty;
		s->len = p->payload ? p->payload_len : 0;
		s->base = 0;
		s->new_off = 0;
		s->need_new = false;
	}
	return match_from(s, first, 0, 0);
}

bool sw_verify_rule(struct sw_detect_ctx *c, const struct crule *cr, const struct sw_packet *p,
		    const struct sw_stream_view *v)
{
	const struct sw_rule *r = cr->r;
	bool stream_ok = p->proto == 6 && v && v->in_stream;
	struct mstate s;
	bool ok;

	if (!header_ok(r, p))
		return false;
	if (cr->buf == BUF_STREAM_ONLY && !stream_ok)
		return false;
	if (!state_ok(r, p))
		return false;
	if (r->n_pm == 0)
		return !r->n_xb || xbits_ok(c, r, p);
	mstate_init(&s, c, cr);
	ok = match_payload(&s, cr, p, v, 0, r->n_pm);
	if (s.exhausted)
		c->st.budget_exhausted++;
	/* host state last, as Suricata's match list comes after the payload: only a match waits on the others */
	return ok && !s.exhausted && (!r->n_xb || xbits_ok(c, r, p));
}

/*
 * The rule's transaction integer keywords (dns.opcode ...): each must hold
 * for some value of its field in direction @to_server (Suricata's
 * dns_rrtype_match returns on the first record that matches); a field
 * without a value there fails, negated or not.
 */
/* A certificate date keyword (Suricata's DetectTlsValidityMatch) at packet time @now (seconds). */
static bool date_ok(const struct sw_txnum *t, const struct sw_app_tx *tx, bool to_server, int64_t now)
{
	int64_t d;

	if (!sw_app_tx_date(tx, (enum sw_txnum_kind)t->kind, to_server, &d) || d == 0)
		return false; /* Suricata: a date of 0 is no date */
	switch (t->kind) {
	case SW_TXNUM_TLS_EXPIRED:
		return now > d;
	case SW_TXNUM_TLS_VALID:
		return now <= d;
	default:
		break;
	}
	switch (t->tmode) {
	case SW_TMODE_LE:
		return d <= t->t1;
	case SW_TMODE_GE:
		return d >= t->t1;
	case SW_TMODE_RANGE:
		return d >= t->t1 && d <= t->t2;
	default:
		return d == t->t1;
	}
}

static bool txnum_ok(const struct sw_rule *r, const struct sw_app_tx *tx, bool to_server, int64_t now)
{
	for (uint32_t i = 0; i < r->n_txnum; i++) {
		const struct sw_txnum *t = &r->txnum[i];
		bool ok = false;
		uint32_t v;

		if (t->kind >= SW_TXNUM_TLS_NOTBEFORE) {
			if (!date_ok(t, tx, to_server, now))
				return false;
			continue;
		}
		for (uint32_t k = 0; !ok && sw_app_tx_num(tx, (enum sw_txnum_kind)t->kind, to_server, k, &v); k++)
			ok = num_ok(&t->m, v);
		if (!ok)
			return false;
	}
	return true;
}

bool sw_verify_tx(struct sw_detect_ctx *c, const struct crule *cr, const struct sw_packet *p,
		  const struct sw_stream_view *v, const struct sw_app_tx *tx, bool to_server)
{
	const struct sw_rule *r = cr->r;
	struct mstate s;
	bool ok = true;

	if (!header_ok(r, p))
		return false;
	if (!state_ok(r, p))
		return false;
	if (r->n_txnum && !txnum_ok(r, tx, to_server, p->ts_usec / 1000000))
		return false;
	mstate_init(&s, c, cr);
	for (uint32_t i = 0; i < cr->n_lists && ok; i++) {
		const struct pm_list *l = &cr->lists[i];
		const uint8_t *b;
		uint32_t len;

		if (l->buf == SW_BUF_PAYLOAD) {
			ok = match_payload(&s, cr, p, v, l->first, l->first + l->n);
			continue;
		}
		/* A multi-instance buffer (one per header) matches if any instance does. */
		ok = false;
		for (uint32_t k = 0; !ok && !s.exhausted && sw_tx_buf(c, tx, l->buf, l->xform, to_server, k, &b, &len); k++)
			ok = match_list(&s, l, b, len);
	}
	if (s.exhausted)
		c->st.budget_exhausted++;
	return ok && !s.exhausted && (!r->n_xb || xbits_ok(c, r, p));
}
