/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IP defragmentation (engine/defrag.h).
 *
 * Storage: a tracker per datagram, and the datagram's bytes in fixed-size
 * slots ("pieces", SLOT bytes each) on a list sorted by offset.  The overlap
 * policy is applied as each fragment arrives (held bytes are kept or
 * replaced in place), so pieces never overlap: the bytes held are the sum
 * of the piece lengths, and the
 * datagram is complete when that sum equals the length the last fragment
 * announced and the first fragment (which brings the header) is here.
 * Reassembly is then one copy per piece into a per-defragmenter buffer.
 *
 * Pools: trackers and pieces are arrays allocated once; unused entries are
 * handed out by a bump index, then recycled through free lists, so memory
 * that was never needed is never touched.  Every tracker also sits on an
 * age list ordered by creation (first fragment) time: timeouts pop its head,
 * and when a pool is empty the head (the oldest datagram) is evicted.
 *
 * Time is packet time only (p->ts_usec and the engine's ticks).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "defrag.h"
#include "common/hash.h"
#include "common/buf.h"
#include "common/csum.h"

#define SLOT 512u          /* data bytes per piece: a 1480-byte fragment takes 3 */
#define HDR_MAX 128u       /* IPv4 header with options (60), or IPv6 header + unfragmentable ext headers */
#define IP_MAX 65535u      /* IPv4 total length / IPv6 payload length */
#define OUT_MAX (IP_MAX + 40u)
#define IPV6_EXT_MAX 8     /* as the decoder: longer chains are an evasion attempt */

#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_DSTOPTS 60

struct piece {
	struct piece *next; /* sorted by offset within the tracker; free list link */
	uint32_t off;       /* offset in the fragmentable part */
	uint32_t len;
	uint32_t foff;      /* start of the fragment these bytes came from (bsd policy) */
	uint8_t data[SLOT];
};

/* Compared with memcmp as a whole: always zeroed before it is filled. */
struct tkey {
	uint8_t src[16], dst[16];
	uint32_t id;     /* IPv4: 16 bits; IPv6: 32 bits */
	uint32_t iface;
	uint16_t vlan[2];
	uint8_t family;
	uint8_t proto;   /* IPv4 protocol (RFC 791 keys on it); 0 for IPv6 (RFC 8200 does not) */
	uint8_t pad[2];
};

struct tracker {
	struct tkey k;
	struct tracker *hnext;        /* bucket chain; free list link */
	struct tracker *older, *newer; /* age list */
	struct piece *pieces;
	int64_t created_usec;
	uint64_t wire_bytes;
	uint32_t hash;
	uint32_t have;                /* bytes held (pieces never overlap) */
	uint32_t total;               /* fragmentable length, once the last fragment came */
	uint32_t max_end;             /* highest byte offset held + 1 */
	uint32_t nfrags;              /* fragment packets seen */
	uint32_t held;                /* of which counted against max-frags */
	bool have_first, have_last;
	uint8_t hdr_len;
	uint8_t nh_off;               /* IPv6: where the next-header byte to patch is in hdr */
	uint8_t frag_nh;              /* IPv6: the fragment header's next header */
	uint8_t hdr[HDR_MAX];
};

struct sw_defrag {
	struct sw_defrag_config cfg;
	int64_t timeout_usec;
	struct tracker *trackers;
	uint32_t n_trackers, used_trackers, bump_trackers;
	struct tracker *free_trackers;
	struct piece *pieces;
	uint32_t n_pieces, used_pieces, bump_pieces;
	struct piece *free_pieces;
	uint32_t frags_held;
	struct tracker **buckets;
	uint32_t mask;
	struct tracker *oldest, *newest;
	struct sw_defrag_stats st;
	uint8_t out[OUT_MAX];
};

/* One fragment as parsed from the packet. */
struct frag {
	struct tkey k;
	const uint8_t *hdr;  /* IPv4 header / IPv6 unfragmentable part */
	uint32_t hdr_len;
	uint32_t nh_off;     /* IPv6 */
	uint8_t nh;          /* IPv6 fragment header's next header */
	uint32_t off, len;   /* fragmentable part: offset and bytes of this fragment */
	const uint8_t *data;
	bool more;
};

static uint32_t key_hash(const struct tkey *k)
{
	uint64_t h = 0xdef7a65eed5ULL, w[sizeof(*k) / 8];

	_Static_assert(sizeof(struct tkey) % 8 == 0, "tkey is hashed in 64-bit words");
	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		h = sw_mix64(h ^ w[i]);
	return (uint32_t)(h ^ h >> 32);
}

struct sw_defrag *sw_defrag_new(const struct sw_defrag_config *cfg)
{
	struct sw_defrag *d = NULL;
	uint32_t nb = 1;

	if (!cfg || !cfg->trackers || !cfg->max_frags || !cfg->timeout || cfg->memcap < sizeof(struct piece)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->cfg = *cfg;
	d->timeout_usec = (int64_t)cfg->timeout * 1000000;
	d->n_trackers = cfg->trackers;
	d->n_pieces = cfg->memcap / sizeof(struct piece) > UINT32_MAX ? UINT32_MAX
		: (uint32_t)(cfg->memcap / sizeof(struct piece));
	while (nb < d->n_trackers && nb < (1u << 24))
		nb <<= 1;
	d->mask = nb - 1;
	/* calloc: pages of entries never handed out are never touched. */
	d->trackers = calloc(d->n_trackers, sizeof(*d->trackers));
	d->pieces = calloc(d->n_pieces, sizeof(*d->pieces));
	d->buckets = calloc(nb, sizeof(*d->buckets));
	if (!d->trackers || !d->pieces || !d->buckets)
		goto nomem;
	return d;
nomem:
	sw_defrag_free(d);
	errno = ENOMEM;
	return NULL;
}

void sw_defrag_free(struct sw_defrag *d)
{
	if (!d)
		return;
	free(d->trackers);
	free(d->pieces);
	free(d->buckets);
	free(d);
}

const struct sw_defrag_stats *sw_defrag_stats(const struct sw_defrag *d)
{
	return &d->st;
}

static void update_memuse(struct sw_defrag *d)
{
	d->st.memuse = (uint64_t)d->used_trackers * sizeof(struct tracker) +
		       (uint64_t)d->used_pieces * sizeof(struct piece);
}

static struct piece *piece_get(struct sw_defrag *d)
{
	struct piece *pc = d->free_pieces;

	if (pc)
		d->free_pieces = pc->next;
	else if (d->bump_pieces < d->n_pieces)
		pc = &d->pieces[d->bump_pieces++];
	else
		return NULL;
	d->used_pieces++;
	return pc;
}

/* Unlink @t from its bucket, the age list and the pools' counts; recycle it. */
static void tracker_free(struct sw_defrag *d, struct tracker *t)
{
	struct tracker **pp = &d->buckets[t->hash & d->mask];
	struct piece *pc = t->pieces;

	while (*pp && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = t->hnext;
	if (t->older)
		t->older->newer = t->newer;
	else
		d->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		d->newest = t->older;
	while (pc) {
		struct piece *next = pc->next;
		pc->next = d->free_pieces;
		d->free_pieces = pc;
		d->used_pieces--;
		pc = next;
	}
	d->frags_held -= t->held;
	t->hnext = d->free_trackers;
	d->free_trackers = t;
	d->used_trackers--;
	update_memuse(d);
}

/* Evict the oldest datagram other than @keep.  Returns false when there is none. */
static bool evict_oldest(struct sw_defrag *d, const struct tracker *keep)
{
	struct tracker *t = d->oldest;

	if (t == keep)
		t = t->newer;
	if (!t)
		return false;
	tracker_free(d, t);
	d->st.tracker_hard_reuse++;
	return true;
}

void sw_defrag_expire(struct sw_defrag *d, int64_t now_usec)
{
	/* The age list is in creation order and every datagram has the same timeout. */
	while (d->oldest && now_usec - d->oldest->created_usec >= d->timeout_usec) {
		if (d->oldest->k.family == AF_INET6)
			d->st.ipv6_timeouts++;
		else
			d->st.ipv4_timeouts++;
		tracker_free(d, d->oldest);
	}
}

static struct tracker *tracker_find(struct sw_defrag *d, const struct tkey *k, uint32_t h)
{
	for (struct tracker *t = d->buckets[h & d->mask]; t; t = t->hnext)
		if (t->hash == h && !memcmp(&t->k, k, sizeof(*k)))
			return t;
	return NULL;
}

static struct tracker *tracker_new(struct sw_defrag *d, const struct tkey *k, uint32_t h, int64_t now)
{
	struct tracker *t;

	if (!d->free_trackers && d->bump_trackers == d->n_trackers) {
		d->st.max_trackers_reached++;
		if (!evict_oldest(d, NULL))
			return NULL;
	}
	t = d->free_trackers;
	if (t)
		d->free_trackers = t->hnext;
	else
		t = &d->trackers[d->bump_trackers++];
	memset(t, 0, offsetof(struct tracker, hdr));
	t->k = *k;
	t->hash = h;
	t->created_usec = now;
	t->hnext = d->buckets[h & d->mask];
	d->buckets[h & d->mask] = t;
	t->older = d->newest;
	if (d->newest)
		d->newest->newer = t;
	else
		d->oldest = t;
	d->newest = t;
	d->used_trackers++;
	update_memuse(d);
	return t;
}

static void key_common(const struct sw_packet *p, struct tkey *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, p->src.a, 16);
	memcpy(k->dst, p->dst.a, 16);
	k->family = p->src.family;
	k->iface = p->iface;
	if (p->vlan_count > 0)
		k->vlan[0] = p->vlan[0];
	if (p->vlan_count > 1)
		k->vlan[1] = p->vlan[1];
}

/* RFC 791 3.1.  Returns 0, or -EBADMSG when the fragment cannot be used. */
static int parse_v4(const struct sw_packet *p, struct frag *f)
{
	struct sw_buf b = sw_buf_make(p->l3, p->l3_len);
	uint8_t vhl = 0, proto = 0;
	uint16_t tot = 0, id = 0, ff = 0;
	uint32_t hlen;

	if (sw_buf_get_u8(&b, &vhl) < 0 || sw_buf_skip(&b, 1) < 0 || sw_buf_get_be16(&b, &tot) < 0 ||
	    sw_buf_get_be16(&b, &id) < 0 || sw_buf_get_be16(&b, &ff) < 0 || sw_buf_skip(&b, 1) < 0 ||
	    sw_buf_get_u8(&b, &proto) < 0)
		return -EBADMSG;
	hlen = (uint32_t)(vhl & 0x0f) * 4;
	/* The whole fragment must be here: a snaplen-cut fragment cannot be reassembled. */
	if (hlen < 20 || tot < hlen || p->l3_len < tot || hlen > HDR_MAX)
		return -EBADMSG;
	key_common(p, &f->k);
	f->k.id = id;
	f->k.proto = proto;
	f->hdr = p->l3;
	f->hdr_len = hlen;
	f->off = (uint32_t)(ff & 0x1fff) * 8;
	f->more = ff & 0x2000;
	f->data = p->l3 + hlen;
	f->len = tot - hlen;
	return 0;
}

/* RFC 8200 4.1 / 4.5: the unfragmentable part, then the fragment header. */
static int parse_v6(const struct sw_packet *p, struct frag *f)
{
	struct sw_buf b = sw_buf_make(p->l3, p->l3_len);
	uint16_t plen = 0, offm = 0;
	uint8_t nh = 0, next = 0, elen = 0;
	uint32_t id = 0, nh_off = 6;

	if (sw_buf_skip(&b, 4) < 0 || sw_buf_get_be16(&b, &plen) < 0 || sw_buf_get_u8(&b, &nh) < 0 ||
	    sw_buf_skip(&b, 33) < 0)
		return -EBADMSG;
	if (p->l3_len < 40u + plen)
		return -EBADMSG; /* cut by the snaplen */
	b.len = 40u + plen;
	for (int n = 0; nh != NH_FRAGMENT; n++) {
		size_t start = b.off;

		/* Only these may precede the fragment header (RFC 8200 4.1). */
		if (n == IPV6_EXT_MAX || (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS))
			return -EBADMSG;
		if (sw_buf_get_u8(&b, &next) < 0 || sw_buf_get_u8(&b, &elen) < 0 ||
		    sw_buf_skip(&b, ((size_t)elen + 1) * 8 - 2) < 0)
			return -EBADMSG;
		nh_off = (uint32_t)start;
		nh = next;
	}
	if (b.off > HDR_MAX)
		return -EBADMSG;
	key_common(p, &f->k);
	f->hdr = p->l3;
	f->hdr_len = (uint32_t)b.off;
	f->nh_off = nh_off;
	if (sw_buf_get_u8(&b, &f->nh) < 0 || sw_buf_skip(&b, 1) < 0 || sw_buf_get_be16(&b, &offm) < 0 ||
	    sw_buf_get_be32(&b, &id) < 0)
		return -EBADMSG;
	f->k.id = id;
	f->off = offm & 0xfff8;
	f->more = offm & 1;
	f->data = sw_buf_cur(&b);
	f->len = (uint32_t)sw_buf_left(&b);
	return 0;
}

/* A free piece for @t, evicting other datagrams if need be (counted once per fragment). */
static struct piece *piece_for(struct sw_defrag *d, struct tracker *t, bool *evicted)
{
	struct piece *np;

	while (!(np = piece_get(d))) {
		if (!*evicted)
			d->st.max_frags_reached++;
		*evicted = true;
		if (!evict_oldest(d, t))
			return NULL;
	}
	return np;
}

/* Split @pc at byte offset @at (inside it): the tail becomes a new piece after it. */
static int split(struct sw_defrag *d, struct tracker *t, struct piece *pc, uint32_t at, bool *evicted)
{
	struct piece *np = piece_for(d, t, evicted);

	if (!np)
		return -ENOBUFS;
	np->off = at;
	np->len = pc->off + pc->len - at;
	np->foff = pc->foff;
	memcpy(np->data, pc->data + (at - pc->off), np->len);
	np->next = pc->next;
	pc->next = np;
	pc->len = at - pc->off;
	return 0;
}

/*
 * Store @f's bytes, keeping the list sorted and pieces disjoint.  Bytes no
 * piece covers are added.  Bytes a piece already holds follow the policy:
 * "first" keeps them; "bsd" keeps them unless @f starts before the fragment
 * they came from (Suricata's bsd: a fragment that begins earlier wins), in
 * which case the piece is split so that exactly the overlapped bytes take
 * @f's bytes and @f's start.  Sets *@overlap when a held byte differs from
 * @f's.  Returns 0, or -ENOBUFS when no piece could be had even after
 * evicting every other datagram (the caller gives this one up).
 */
static int store(struct sw_defrag *d, struct tracker *t, const struct frag *f, bool *overlap)
{
	struct piece **pp = &t->pieces;
	uint32_t pos = f->off, end = f->off + f->len;
	bool evicted = false;

	while (pos < end) {
		struct piece *cur = *pp;
		uint32_t gend;

		if (cur && cur->off + cur->len <= pos) {
			pp = &cur->next;
			continue;
		}
		if (cur && cur->off <= pos) {
			uint32_t e = cur->off + cur->len < end ? cur->off + cur->len : end;

			if (memcmp(cur->data + (pos - cur->off), f->data + (pos - f->off), e - pos)) {
				*overlap = true;
				/*
				 * Here pos == cur->off: a piece never starts before
				 * the fragment it came from (cur->off >= cur->foff >
				 * f->off), so only its tail may need splitting off.
				 */
				if (d->cfg.policy == SW_DEFRAG_POLICY_BSD && f->off < cur->foff) {
					if (e < cur->off + cur->len && split(d, t, cur, e, &evicted) < 0)
						return -ENOBUFS;
					memcpy(cur->data, f->data + (pos - f->off), e - pos);
					cur->foff = f->off;
				}
			}
			pos = e;
			pp = &cur->next;
			continue;
		}
		/* A hole from pos up to the next piece (or the end of the fragment). */
		gend = cur && cur->off < end ? cur->off : end;
		while (pos < gend) {
			uint32_t n = gend - pos < SLOT ? gend - pos : SLOT;
			struct piece *np = piece_for(d, t, &evicted);

			if (!np)
				return -ENOBUFS;
			np->foff = f->off;
			np->off = pos;
			np->len = n;
			memcpy(np->data, f->data + (pos - f->off), n);
			np->next = *pp;
			*pp = np;
			pp = &np->next;
			t->have += n;
			pos += n;
		}
	}
	if (end > t->max_end)
		t->max_end = end;
	update_memuse(d);
	return 0;
}

/* Write the datagram of complete tracker @t to d->out; returns its length. */
static uint32_t rebuild(struct sw_defrag *d, const struct tracker *t)
{
	uint8_t *o = d->out;
	uint32_t hl = t->hdr_len;

	memcpy(o, t->hdr, hl);
	if (t->k.family == AF_INET) {
		/* Total length; offset 0 and MF clear (DF kept); checksum recomputed. */
		sw_store_be16(o + 2, (uint16_t)(hl + t->total)); /* <= 65535: larger datagrams were dropped */
		o[6] &= 0x40;
		o[7] = 0;
		sw_store_be16(o + 10, 0);
		sw_store_be16(o + 10, sw_csum_fold(sw_csum_add(o, hl, 0)));
	} else {
		/* Payload length without the fragment header, which is left out. */
		sw_store_be16(o + 4, (uint16_t)(hl - 40 + t->total));
		o[t->nh_off] = t->frag_nh;
	}
	for (const struct piece *pc = t->pieces; pc; pc = pc->next)
		memcpy(o + hl + pc->off, pc->data, pc->len);
	return hl + t->total;
}

int sw_defrag_packet(struct sw_defrag *d, const struct sw_packet *p, struct sw_defrag_out *out)
{
	struct frag f;
	struct tracker *t;
	bool overlap = false;
	int v6;
	uint32_t h, end;

	if (p->ip_ver == 4) {
		v6 = 0;
		d->st.ipv4_fragments++;
		if (parse_v4(p, &f) < 0 || (p->csum_bad & SW_PKT_CSUM_BAD_IP))
			goto ignored; /* the receiver drops a bad header checksum too */
	} else if (p->ip_ver == 6) {
		v6 = 1;
		if (parse_v6(p, &f) < 0) {
			d->st.ipv6_fragments++;
			goto ignored;
		}
		/* RFC 6946: an atomic fragment is a whole datagram, not ours to hold. */
		if (!f.off && !f.more)
			return 0;
		d->st.ipv6_fragments++;
	} else {
		return 0;
	}
	end = f.off + f.len;
	sw_defrag_expire(d, p->ts_usec);
	h = key_hash(&f.k);
	t = tracker_find(d, &f.k, h);
	/* The datagram may not grow past what its length field can say. */
	if ((v6 ? f.hdr_len - 40 : f.hdr_len) + end > IP_MAX) {
		d->st.frag_pkt_too_large[v6]++;
		if (t)
			tracker_free(d, t);
		d->st.dropped++;
		return 0;
	}
	/* RFC 791 / RFC 8200 4.5: every fragment but the last holds a multiple of 8 bytes. */
	if (f.more && (!f.len || f.len % 8)) {
		if (v6) {
			d->st.frag_invalid_length++;
			d->st.dropped++;
			return 0;
		}
		goto ignored;
	}
	if (!t) {
		t = tracker_new(d, &f.k, h, p->ts_usec);
		if (!t) {
			d->st.dropped++;
			return 0;
		}
	}
	t->nfrags++;
	t->wire_bytes += p->wirelen;
	/*
	 * A fragment past the end that the last fragment set, or a second
	 * "last" fragment that moves the end: ignored, the end stays (the
	 * receiver would have to guess too).
	 */
	if (t->have_last ? end > t->total || (!f.more && end != t->total) : !f.more && t->max_end > end)
		goto ignored;
	if (d->frags_held >= d->cfg.max_frags) {
		d->st.max_frags_reached++;
		while (d->frags_held >= d->cfg.max_frags)
			if (!evict_oldest(d, t))
				break;
		if (d->frags_held >= d->cfg.max_frags) {
			tracker_free(d, t);
			d->st.dropped++;
			return 0;
		}
	}
	if (store(d, t, &f, &overlap) < 0) {
		tracker_free(d, t);
		d->st.dropped++;
		return 0;
	}
	t->held++;
	d->frags_held++;
	if (overlap)
		d->st.frag_overlap[v6]++;
	if (!f.more) {
		t->have_last = true;
		t->total = end;
	}
	/* The header comes from the fragment at offset 0 that arrived first (under either policy: nothing starts before 0). */
	if (!f.off && !t->have_first) {
		t->have_first = true;
		t->hdr_len = (uint8_t)f.hdr_len;
		memcpy(t->hdr, f.hdr, f.hdr_len);
		t->nh_off = (uint8_t)f.nh_off;
		t->frag_nh = f.nh;
	}
	if (!t->have_first || !t->have_last || t->have != t->total)
		return 0;
	/* Checked again with the first fragment's header, which may be longer than this one's. */
	if ((v6 ? t->hdr_len - 40u : t->hdr_len) + t->total > IP_MAX) {
		d->st.frag_pkt_too_large[v6]++;
		tracker_free(d, t);
		d->st.dropped++;
		return 0;
	}
	out->data = d->out;
	out->len = rebuild(d, t);
	out->nfrags = t->nfrags;
	out->wire_bytes = t->wire_bytes;
	out->first_usec = t->created_usec;
	if (v6)
		d->st.ipv6_reassembled++;
	else
		d->st.ipv4_reassembled++;
	tracker_free(d, t);
	return 1;

ignored:
	d->st.frag_ignored[v6]++;
	d->st.dropped++;
	return 0;
}
