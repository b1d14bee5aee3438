/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostbits / xbits state: bits kept per host (track ip_src, ip_dst) or per
 * address pair (track ip_pair), shared by every worker of one ruleset, each
 * with an expiry in packet time (Suricata's host-bit.c, ippair-bit.c).
 *
 * One bit is one entry of a fixed-size open-addressing table behind a
 * mutex, taken only when a rule with such a keyword is being verified or
 * matched.  Lookups examine the whole probe window (unset leaves holes, so
 * an empty slot does not end a search); when the window is full the entry
 * that expires first is evicted and counted, so memory stays bounded
 * whatever the traffic.  An expired entry reads as absent and is reused.
 *
 * Semantics, as Suricata:
 *   set     adds the bit with expiry packet time + expire; a bit already
 *           set keeps its expiry (HostBitSet adds only when absent)
 *   unset   removes it; toggle removes it or adds it
 *   isset   the bit exists and its expiry is not before the packet's time
 *   isnotset the contrary
 * A pair is unordered only as Suricata's IPPair is: the key holds the two
 * addresses in a fixed order (lower first), so a bit set A->B is seen B->A.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

#define PROBE 16 /* slots examined before evicting */

int sw_hostbits_init(struct hb_table *t, uint32_t size)
{
	void *e = NULL;
	int err = sw_locked_table_init(&e, sizeof(*t->e), size, &t->lock);

	t->e = e;
	t->mask = size - 1;
	t->evicted = 0;
	return err;
}

void sw_hostbits_fini(struct hb_table *t)
{
	void *e = t->e;

	sw_locked_table_fini(&e, &t->lock);
	t->e = e;
}


static int ip_cmp(const struct sw_ip *a, const struct sw_ip *b)
{
	return memcmp(a, b, sizeof(*a));
}

/* The key of bit @xb for packet @p. */
static void make_key(struct hb_entry *k, const struct sw_xbit *xb, const struct sw_packet *p)
{
	memset(k, 0, sizeof(*k));
	k->kind = xb->track == SW_XB_IP_PAIR ? HB_PAIR : HB_HOST;
	k->id = xb->id;
	switch (xb->track) {
	case SW_XB_IP_SRC:
		k->a = p->src;
		break;
	case SW_XB_IP_DST:
		k->a = p->dst;
		break;
	case SW_XB_IP_PAIR:
		if (ip_cmp(&p->src, &p->dst) <= 0) {
			k->a = p->src;
			k->b = p->dst;
		} else {
			k->a = p->dst;
			k->b = p->src;
		}
		break;
	}
}

static bool same(const struct hb_entry *x, const struct hb_entry *y)
{
	return x->kind == y->kind && x->id == y->id && sw_ip_eq(&x->a, &y->a) && sw_ip_eq(&x->b, &y->b);
}

/*
 * The live entry for @k, or NULL.  With @make, an absent one is created
 * (in a free or expired slot, else by evicting the one expiring first) and
 * *@fresh says so.  Called with the lock held.
 */
static struct hb_entry *find(struct hb_table *t, const struct hb_entry *k, int64_t now, bool make, bool *fresh)
{
	uint32_t h = sw_fnv1a(2166136261u, &k->kind, sizeof(k->kind));
	struct hb_entry *freeslot = NULL, *victim = NULL;

	h = sw_fnv1a(h, &k->id, sizeof(k->id));
	h = sw_fnv1a(h, &k->a, sizeof(k->a));
	h = sw_fnv1a(h, &k->b, sizeof(k->b));
	for (uint32_t i = 0; i < PROBE; i++) {
		struct hb_entry *s = &t->e[(h + i) & t->mask];
		bool live = s->kind != HB_FREE && s->expire_usec >= now;

		if (live && same(s, k))
			return s;
		if (!live) {
			if (!freeslot)
				freeslot = s;
		} else if (!victim || s->expire_usec < victim->expire_usec) {
			victim = s;
		}
	}
	if (!make)
		return NULL;
	if (!freeslot) {
		freeslot = victim;
		t->evicted++;
	}
	*freeslot = *k;
	*fresh = true;
	return freeslot;
}

bool sw_hostbits_test(struct hb_table *t, const struct sw_xbit *xb, const struct sw_packet *p)
{
	struct hb_entry k;
	bool set;

	make_key(&k, xb, p);
	pthread_mutex_lock(&t->lock);
	set = find(t, &k, p->ts_usec, false, NULL) != NULL;
	pthread_mutex_unlock(&t->lock);
	return xb->op == SW_FB_ISSET ? set : !set;
}

void sw_hostbits_apply(struct hb_table *t, const struct sw_xbit *xb, const struct sw_packet *p)
{
	int64_t expire = p->ts_usec + (int64_t)xb->expire * 1000000;
	struct hb_entry k, *e;
	bool fresh = false;

	make_key(&k, xb, p);
	pthread_mutex_lock(&t->lock);
	switch (xb->op) {
	case SW_FB_SET:
		e = find(t, &k, p->ts_usec, true, &fresh);
		if (fresh)
			e->expire_usec = expire;
		break;
	case SW_FB_UNSET:
		e = find(t, &k, p->ts_usec, false, NULL);
		if (e)
			e->kind = HB_FREE;
		break;
	case SW_FB_TOGGLE:
		e = find(t, &k, p->ts_usec, true, &fresh);
		if (fresh)
			e->expire_usec = expire;
		else
			e->kind = HB_FREE;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&t->lock);
}
