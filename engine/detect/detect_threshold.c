/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * threshold: and detection_filter: state, shared by every worker of one
 * ruleset.  A fixed-size open-addressing table behind a mutex that is only
 * taken when a rule carrying such a keyword matched.  When the probe window
 * is full the entry updated longest ago is evicted and counted: memory stays
 * bounded whatever the traffic.
 *
 * Semantics follow Suricata's ThresholdCheckUpdate (detect-engine-threshold.c):
 * packet time; a window starts at the first match and a match at most
 * <seconds> after that start (inclusive) is in it:
 *   limit      alert on the first <count> matches of each window, the rest
 *              are silent (the rule's action still applies)
 *   threshold  alert on every <count>th match within a window
 *   both       alert once per window, when the <count>th match is reached;
 *              later ones silent
 *   detection_filter  alert on every match after the first <count> of a window
 * by_both keys on the address pair with the lower address first, by_flow on
 * the flow.
 *
 * With several workers the table sees matches in capture order because
 * the caller waits on the engine's ordering hook first (sw_detect_order()):
 * the same capture gives the same alerts whatever --threads says.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

#define PROBE 16 /* slots examined before evicting */

int sw_locked_table_init(void **e, size_t elem, uint32_t size, pthread_mutex_t *lock)
{
	int err;

	*e = calloc(size, elem);
	if (!*e)
		return -ENOMEM;
	err = pthread_mutex_init(lock, NULL);
	if (err) {
		free(*e);
		*e = NULL;
		return -err;
	}
	return 0;
}

void sw_locked_table_fini(void **e, pthread_mutex_t *lock)
{
	if (!*e)
		return;
	pthread_mutex_destroy(lock);
	free(*e);
	*e = NULL;
}

int sw_thr_init(struct thr_table *t, uint32_t size)
{
	void *e = NULL;
	int err = sw_locked_table_init(&e, sizeof(*t->e), size, &t->lock);

	t->e = e;
	t->mask = size - 1;
	t->evicted = 0;
	return err;
}

void sw_thr_fini(struct thr_table *t)
{
	void *e = t->e;

	sw_locked_table_fini(&e, &t->lock);
	t->e = e;
}


/*
 * The entry of rule @ri, @kind and @track for @p, created if absent
 * (*@fresh set; count 0, window starting now).  NULL for by_flow without a
 * flow.  Called with the lock held.
 */
static struct thr_entry *lookup(struct thr_table *t, uint32_t ri, int kind, enum sw_thr_track track,
				const struct sw_packet *p, bool *fresh)
{
	struct thr_entry key = {.rule = ri + 1, .kind = (uint8_t)kind};
	struct thr_entry *e = NULL, *oldest = NULL;
	uint32_t h;

	*fresh = false;
	switch (track) {
	case SW_TRACK_BY_SRC:
		key.a = p->src;
		break;
	case SW_TRACK_BY_DST:
		key.a = p->dst;
		break;
	case SW_TRACK_BY_BOTH:
		if (memcmp(&p->src, &p->dst, sizeof(p->src)) <= 0) {
			key.a = p->src;
			key.b = p->dst;
		} else {
			key.a = p->dst;
			key.b = p->src;
		}
		break;
	case SW_TRACK_BY_RULE:
		break;
	case SW_TRACK_BY_FLOW:
		if (!p->flow)
			return NULL; /* Suricata: no flow, no match */
		key.flow_id = p->flow->flow_id;
		break;
	}
	h = sw_fnv1a(2166136261u, &key.rule, sizeof(key.rule));
	h = sw_fnv1a(h, &key.kind, 1);
	h = sw_fnv1a(h, &key.a, sizeof(key.a));
	h = sw_fnv1a(h, &key.b, sizeof(key.b));
	h = sw_fnv1a(h, &key.flow_id, sizeof(key.flow_id));

	for (uint32_t i = 0; i < PROBE; i++) {
		struct thr_entry *s = &t->e[(h + i) & t->mask];

		if (s->rule == 0) {
			e = s;
			*fresh = true;
			break;
		}
		if (s->rule == key.rule && s->kind == key.kind && sw_ip_eq(&s->a, &key.a) && sw_ip_eq(&s->b, &key.b) &&
		    s->flow_id == key.flow_id) {
			e = s;
			break;
		}
		if (!oldest || s->last_usec < oldest->last_usec)
			oldest = s;
	}
	if (!e) {
		e = oldest;
		*fresh = true;
		t->evicted++;
	}
	if (*fresh) {
		*e = key;
		e->count = 0;
		e->first_usec = p->ts_usec;
		e->timeout_usec = -1;
	}
	e->last_usec = p->ts_usec;
	return e;
}

enum thr_res sw_thr_check(struct thr_table *t, uint32_t ri, int kind, const struct sw_threshold *th,
			  const struct sw_packet *p)
{
	int64_t win = (int64_t)th->seconds * 1000000;
	enum thr_res res = THR_NO;
	struct thr_entry *e;
	bool fresh;

	pthread_mutex_lock(&t->lock);
	e = lookup(t, ri, kind, th->track, p, &fresh);
	if (!e) {
		pthread_mutex_unlock(&t->lock);
		return THR_NO;
	}
	if (th->type == SW_THR_BACKOFF) {
		/*
		 * Suricata TYPE_BACKOFF: no window; alert on the count-th match,
		 * then at count*m, count*m*m ...; the others are silent.  next
		 * lives in first_usec, which backoff does not otherwise use.
		 */
		if (fresh)
			e->first_usec = th->count;
		if (e->count < UINT32_MAX) {
			e->count++;
			if ((int64_t)e->count == e->first_usec) {
				uint64_t next = (uint64_t)e->first_usec * th->multiplier;

				e->first_usec = next > UINT32_MAX ? UINT32_MAX : (int64_t)next;
				res = THR_ALERT;
			} else {
				res = THR_SILENT;
			}
		} else {
			res = THR_SILENT;
		}
		pthread_mutex_unlock(&t->lock);
		return res;
	}
	if (!fresh && p->ts_usec - e->first_usec > win) {
		/* the window is over: this match opens a new one */
		e->first_usec = p->ts_usec;
		e->count = 0;
	}
	if (e->count < UINT32_MAX)
		e->count++;
	switch (th->type) {
	case SW_THR_LIMIT:
		res = e->count <= th->count ? THR_ALERT : THR_SILENT;
		break;
	case SW_THR_THRESHOLD:
		if (e->count >= th->count) {
			res = THR_ALERT;
			e->count = 0;
		}
		break;
	case SW_THR_BOTH:
		res = e->count == th->count ? THR_ALERT : e->count > th->count ? THR_SILENT : THR_NO;
		break;
	case SW_THR_DETECTION_FILTER:
		res = e->count > th->count ? THR_ALERT : THR_NO;
		break;
	case SW_THR_BACKOFF:
		break; /* handled above */
	}
	pthread_mutex_unlock(&t->lock);
	return res;
}

/*
 * rate_filter (Suricata's TYPE_RATE): counts matches in windows as the
 * others; the match that makes the count pass rf->count starts a timeout
 * during which the new action applies; the first match more than
 * rf->timeout whole seconds after that start ends it (and keeps the rule's
 * action).  Alerts are never held back.
 */
bool sw_rate_check(struct thr_table *t, uint32_t ri, const struct sw_rate_filter *rf, const struct sw_packet *p)
{
	bool fresh, change = false;
	struct thr_entry *e;

	pthread_mutex_lock(&t->lock);
	e = lookup(t, ri, 2, rf->track, p, &fresh);
	if (!e) {
		pthread_mutex_unlock(&t->lock);
		return false;
	}
	if (fresh) {
		e->count = 1;
	} else if (e->timeout_usec >= 0) {
		if (p->ts_usec / 1000000 - e->timeout_usec / 1000000 > (int64_t)rf->timeout)
			e->timeout_usec = -1;
		else
			change = true;
	} else if (p->ts_usec - e->first_usec <= (int64_t)rf->seconds * 1000000) {
		if (e->count < UINT32_MAX)
			e->count++;
		if (e->count > rf->count) {
			e->timeout_usec = p->ts_usec;
			change = true;
		}
	} else {
		e->first_usec = p->ts_usec;
		e->count = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return change;
}
