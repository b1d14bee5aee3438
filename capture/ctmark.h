/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack mark updates over ctnetlink (libmnl): set bits of the mark of
 * the connection a tuple belongs to, as `conntrack -U --mark M/MASK` does.
 * Inline, a dropped flow's connection gets capture.nfqueue.drop-connmark, so
 * a firewall rule before the queue keeps dropping it after sidewall is gone
 * (docs/inline.md).  This is the path that works on kernels built without
 * CONFIG_NETFILTER_NETLINK_GLUE_CT, which ignore the NFQA_CT attribute of a
 * queue verdict; it needs CONFIG_NF_CT_NETLINK and CAP_NET_ADMIN.
 *
 * One handle per worker thread (no locks); messages are built in a stack
 * buffer, nothing is allocated after sw_ctmark_open().
 */
#ifndef SW_CAPTURE_CTMARK_H
#define SW_CAPTURE_CTMARK_H

#include <stdint.h>

#include "common/addr.h"

struct sw_ctmark;

struct sw_ctmark_stats {
	uint64_t sent;    /* updates handed to the kernel */
	uint64_t failed;  /* refused by the kernel (no such connection, ...) or not sent */
};

/*
 * Opens a non-blocking netfilter netlink socket (do it before privileges
 * are dropped).  Returns NULL with errno set.
 */
struct sw_ctmark *sw_ctmark_open(void);
/* Closes the socket and frees @c (accepts NULL). */
void sw_ctmark_close(struct sw_ctmark *c);

/*
 * Set the bits @mask of the mark of the connection with tuple @src:@sport
 * -> @dst:@dport, protocol @proto (TCP or UDP; either direction of the
 * connection matches) to @mark & @mask; the kernel keeps the other bits.
 * Asynchronous: the kernel's refusals (ENOENT for a connection it does not
 * track) are read back on later calls and counted in failed.  Returns 0,
 * -EINVAL for another protocol or mixed families, or -errno from sending.
 */
int sw_ctmark_set(struct sw_ctmark *c, const struct sw_ip *src, uint16_t sport, const struct sw_ip *dst,
		  uint16_t dport, uint8_t proto, uint32_t mark, uint32_t mask);

const struct sw_ctmark_stats *sw_ctmark_stats(const struct sw_ctmark *c);

#endif
