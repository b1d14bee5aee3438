/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NFQUEUE capture on libnetfilter_queue's libmnl-based API (not the
 * deprecated nfq_open() one).  One struct sw_nfq per queue, owned and used
 * by exactly one worker thread: the kernel's --queue-balance hashes both
 * directions of a flow to the same queue, so the worker sees whole flows.
 */
#ifndef SW_CAPTURE_NFQ_H
#define SW_CAPTURE_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw_nfq;

struct sw_nfq_config {
	uint16_t queue;
	uint32_t queue_maxlen;  /* NFQA_CFG_QUEUE_MAXLEN; 0 = kernel default (1024) */
	uint32_t rcvbuf;        /* socket receive buffer bytes; 0 = leave the default */
	bool fail_open;         /* NFQA_CFG_F_FAIL_OPEN: accept when the queue is full */
};

struct sw_nfq_pkt {
	uint32_t id;            /* kernel packet id, echoed in the verdict */
	const uint8_t *data;    /* the IP packet (raw IP: LINKTYPE_RAW); borrowed for the callback */
	uint32_t caplen;
	uint32_t wirelen;       /* original length (NFQA_CAP_LEN when the copy was cut) */
	int64_t ts_usec;
	uint32_t mark;          /* current nfmark */
	bool csum_unverified;   /* GSO/offload: L4 checksum not computed yet, do not validate it */
	uint32_t indev, outdev; /* ifindex, 0 if absent */
};

/* Verdict from the per-packet callback. */
struct sw_nfq_verdict {
	bool drop;
	bool set_mark;
	uint32_t mark;
	/*
	 * Set the bits @ctmask of the packet's conntrack entry's mark to
	 * @ctmark (NFQA_CT with CTA_MARK and CTA_MARK_MASK: the kernel keeps
	 * the other bits).  Needs conntrack netlink in the kernel; without it
	 * the kernel ignores the attribute.
	 */
	bool set_ctmark;
	uint32_t ctmark, ctmask;
};

typedef void (*sw_nfq_fn)(void *ctx, const struct sw_nfq_pkt *pkt, struct sw_nfq_verdict *v);

struct sw_nfq_stats {
	uint64_t packets, accepted, dropped;
	uint64_t id_gaps;         /* packets the kernel never delivered (ids skipped: lost or failed open) */
	uint64_t recv_errors, verdict_errors, enobufs;
	uint64_t batches;         /* verdict sends; packets / batches = batching factor */
};

/*
 * Bind queue cfg->queue (copy whole packets, FAIL_OPEN per config and GSO in
 * one flags attribute, NETLINK_NO_ENOBUFS).  Returns NULL with a reason in
 * @err (EPERM without CAP_NET_ADMIN, EBUSY if another process holds the queue).
 */
struct sw_nfq *sw_nfq_open(const struct sw_nfq_config *cfg, char *err, size_t errlen);
void sw_nfq_close(struct sw_nfq *q);
int sw_nfq_fd(const struct sw_nfq *q);

/*
 * Wait up to @timeout_ms for packets, then take every packet already queued
 * (up to a batch), call @fn for each, and send all verdicts in one
 * sendto().  Returns the number of packets handled (0 on timeout) or -errno.
 */
int sw_nfq_dispatch(struct sw_nfq *q, int timeout_ms, sw_nfq_fn fn, void *ctx);

const struct sw_nfq_stats *sw_nfq_stats(const struct sw_nfq *q);

#endif
