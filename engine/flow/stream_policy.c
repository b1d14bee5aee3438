/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP overlap policies (Suricata's host-os-policy) and the receiver's
 * acceptance of RST and FIN (see stream.h).
 *
 * The overlap table follows what Suricata documents and implements for
 * each target OS (stream-tcp-list.c): for a new segment N overlapping an
 * earlier one L, by where N starts and ends relative to L,
 *   N starts with L:   ends before L's end: L wins for every policy;
 *                      ends with L: N wins for old-linux, solaris, hpux11;
 *                      ends past L: N wins for those and linux;
 *   N starts before L: N wins for bsd, hpux10, irix, windows, windows2k3,
 *                      old-linux, linux, macos; solaris and hpux11 only
 *                      when N also reaches L's end;
 *   N starts after L:  N wins only for solaris and hpux11, and only when
 *                      it ends past L;
 * first keeps L always, last takes N always; vista keeps L (as Suricata).
 */
#include <errno.h>
#include <string.h>

#include "stream.h"

static const char *const names[SW_STREAM_POL__COUNT] = {
	[SW_STREAM_POL_NONE] = "none",
	[SW_STREAM_POL_FIRST] = "first",
	[SW_STREAM_POL_LAST] = "last",
	[SW_STREAM_POL_LINUX] = "linux",
	[SW_STREAM_POL_OLD_LINUX] = "old-linux",
	[SW_STREAM_POL_BSD] = "bsd",
	[SW_STREAM_POL_BSD_RIGHT] = "bsd-right",
	[SW_STREAM_POL_WINDOWS] = "windows",
	[SW_STREAM_POL_WINDOWS2K3] = "windows2k3",
	[SW_STREAM_POL_VISTA] = "vista",
	[SW_STREAM_POL_SOLARIS] = "solaris",
	[SW_STREAM_POL_HPUX10] = "hpux10",
	[SW_STREAM_POL_HPUX11] = "hpux11",
	[SW_STREAM_POL_IRIX] = "irix",
	[SW_STREAM_POL_MACOS] = "macos",
};

int sw_stream_policy_parse(const char *name)
{
	for (int i = SW_STREAM_POL_FIRST; i < SW_STREAM_POL__COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	/* Suricata's other spelling of solaris (it treats them alike). */
	if (!strcmp(name, "old-solaris"))
		return SW_STREAM_POL_SOLARIS;
	return -EINVAL;
}

const char *sw_stream_policy_name(int pol)
{
	return pol > 0 && pol < SW_STREAM_POL__COUNT ? names[pol] : names[0];
}

/* Whether the first @prefix bits of @a and @b are equal (same family). */
static bool prefix_eq(const struct sw_ip *a, const struct sw_ip *b, uint8_t prefix)
{
	uint32_t full = prefix / 8, rest = prefix % 8;

	if (a->family != b->family)
		return false;
	if (memcmp(a->a, b->a, full))
		return false;
	return !rest || ((a->a[full] ^ b->a[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

enum sw_stream_policy sw_stream_policy_for(const struct sw_stream_config *cfg, const struct sw_ip *dst)
{
	enum sw_stream_policy pol = cfg && cfg->policy ? cfg->policy : SW_STREAM_POL_BSD;
	int best = -1;

	/* A linear walk: done once per stream direction, and lists are short. */
	for (uint32_t i = 0; cfg && i < cfg->n_hosts; i++) {
		const struct sw_stream_host_policy *h = &cfg->hosts[i];

		if (h->prefix > best && prefix_eq(&h->net, dst, h->prefix)) {
			best = h->prefix;
			pol = h->policy;
		}
	}
	/* Suricata resolves bsd-right as bsd (StreamTcpSetOSPolicy). */
	return pol == SW_STREAM_POL_BSD_RIGHT ? SW_STREAM_POL_BSD : pol;
}

bool sw_stream_new_wins(enum sw_stream_policy pol, uint32_t ns, uint32_t ne, uint32_t ls, uint32_t le)
{
	int32_t ds = (int32_t)(ns - ls), de = (int32_t)(ne - le);
	bool sol = pol == SW_STREAM_POL_SOLARIS || pol == SW_STREAM_POL_HPUX11;

	if (pol == SW_STREAM_POL_LAST)
		return true;
	if (ds == 0) {
		if (de < 0)
			return false;
		return sol || pol == SW_STREAM_POL_OLD_LINUX || (de > 0 && pol == SW_STREAM_POL_LINUX);
	}
	if (ds < 0) {
		switch (pol) {
		case SW_STREAM_POL_BSD:
		case SW_STREAM_POL_BSD_RIGHT:
		case SW_STREAM_POL_HPUX10:
		case SW_STREAM_POL_IRIX:
		case SW_STREAM_POL_WINDOWS:
		case SW_STREAM_POL_WINDOWS2K3:
		case SW_STREAM_POL_OLD_LINUX:
		case SW_STREAM_POL_LINUX:
		case SW_STREAM_POL_MACOS:
			return true;
		default:
			return sol && de >= 0;
		}
	}
	return sol && de > 0;
}

static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

bool sw_stream_rst_ok(const struct sw_flow *f, int dir, uint32_t seq)
{
	const struct sw_stream_dir *s = &f->stream[dir];

	if (!s->in_sync)
		return true; /* nothing to check against: honour it, as before */
	/*
	 * After the sender's FIN, Linux also takes rcv_nxt - 1, the FIN's own
	 * number (tcp_reset_check(): stacks that abort a closing connection
	 * send it).
	 */
	return seq == s->next_seq || (s->fin && seq == s->next_seq - 1);
}

bool sw_stream_fin_ok(const struct sw_flow *f, int dir, uint32_t seq, uint32_t len)
{
	const struct sw_stream_dir *s = &f->stream[dir];
	uint32_t fin = seq + len; /* the FIN's own sequence number, after the data */

	if (!s->in_sync)
		return true;
	/* A FIN before next_seq is a retransmission of one already counted (or of older data). */
	if (seq_lt(fin, s->next_seq))
		return false;
	return !s->win_known || !seq_lt(s->next_seq + s->win, fin);
}
