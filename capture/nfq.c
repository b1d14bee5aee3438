/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "nfq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A GSO packet is up to 64 KiB; netlink and nfqueue headers add a few hundred bytes. */
#define RECV_BUF (65536 + 8192)
/* Packets taken per dispatch before verdicts go out. */
#define BATCH 64
/*
 * One verdict message: nlmsghdr + nfgenmsg + verdict hdr + mark attr (40
 * bytes) + an NFQA_CT nest with mark and mask (20), aligned.
 */
#define VERDICT_SPACE 96

struct sw_nfq {
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t queue;
	char *rbuf;
	char vbuf[BATCH * VERDICT_SPACE];
	size_t vlen;
	unsigned pending;
	bool have_last_id;
	uint32_t last_id;
	sw_nfq_fn fn;
	void *ctx;
	struct sw_nfq_stats st;
};

static int send_config(struct sw_nfq *q, struct nlmsghdr *nlh)
{
	/* Config messages ask for an ACK so a refused bind is seen at start, not as silence later. */
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = (int)mnl_socket_recvfrom(q->nl, buf, sizeof(buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)ret, nlh->nlmsg_seq, q->portid, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

struct sw_nfq *sw_nfq_open(const struct sw_nfq_config *cfg, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sw_nfq *q = calloc(1, sizeof(*q));
	struct nlmsghdr *nlh;
	uint32_t flags;
	int one = 1, rc;
	const char *step = "socket";

	if (!q || !(q->rbuf = malloc(RECV_BUF))) {
		snprintf(err, errlen, "queue %u: out of memory", cfg->queue);
		free(q);
		return NULL;
	}
	q->queue = cfg->queue;
	q->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!q->nl)
		goto fail_errno;
	step = "bind";
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail_errno;
	q->portid = mnl_socket_get_portid(q->nl);

	step = "bind queue";
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if ((rc = send_config(q, nlh)) < 0)
		goto fail_rc;

	step = "configure queue";
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	/*
	 * FAIL_OPEN and GSO go in one flags attribute with one mask: two
	 * separate messages would each reset the other's bit.  GSO keeps the
	 * kernel from segmenting large packets for us (it hands them whole,
	 * with checksums possibly not yet filled in: see csum_unverified).
	 */
	flags = NFQA_CFG_F_GSO | (cfg->fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
	if (cfg->queue_maxlen)
		nfq_nlmsg_cfg_put_qmaxlen(nlh, cfg->queue_maxlen);
	if ((rc = send_config(q, nlh)) < 0)
		goto fail_rc;

	/*
	 * Without this a full socket buffer makes recv() fail with ENOBUFS and
	 * the queue looks broken; with it, lost packets show as gaps in the
	 * kernel's packet ids, which we count.
	 */
	setsockopt(mnl_socket_get_fd(q->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (cfg->rcvbuf) {
		int sz = (int)cfg->rcvbuf;
		/* FORCE needs CAP_NET_ADMIN, which we have to bind a queue at all. */
		if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	return q;
fail_errno:
	rc = -errno;
fail_rc:
	snprintf(err, errlen, "nfqueue %u: %s: %s%s", cfg->queue, step, strerror(-rc),
		 rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	sw_nfq_close(q);
	return NULL;
}

void sw_nfq_close(struct sw_nfq *q)
{
	if (!q)
		return;
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->rbuf);
	free(q);
}

int sw_nfq_fd(const struct sw_nfq *q)
{
	return mnl_socket_get_fd(q->nl);
}

const struct sw_nfq_stats *sw_nfq_stats(const struct sw_nfq *q)
{
	return &q->st;
}

static int64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int flush_verdicts(struct sw_nfq *q);

static void add_verdict(struct sw_nfq *q, uint32_t id, const struct sw_nfq_verdict *v)
{
	struct nlmsghdr *nlh;

	if (q->vlen + VERDICT_SPACE > sizeof(q->vbuf))
		flush_verdicts(q);
	nlh = nfq_nlmsg_put(q->vbuf + q->vlen, NFQNL_MSG_VERDICT, q->queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, v->drop ? NF_DROP : NF_ACCEPT);
	if (v->set_mark)
		nfq_nlmsg_verdict_put_mark(nlh, v->mark);
	if (v->set_ctmark) {
		/*
		 * The kernel applies it to the entry's conntrack whatever the
		 * verdict (nfqnl_recv_verdict -> ctnetlink_glue_parse): new
		 * mark = (old & ~mask) ^ mark.
		 */
		struct nlattr *ct = mnl_attr_nest_start(nlh, NFQA_CT);

		mnl_attr_put_u32(nlh, CTA_MARK, htonl(v->ctmark & v->ctmask));
		mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(v->ctmask));
		mnl_attr_nest_end(nlh, ct);
	}
	q->vlen += NLMSG_ALIGN(nlh->nlmsg_len);
	q->pending++;
	if (v->drop)
		q->st.dropped++;
	else
		q->st.accepted++;
}

static int flush_verdicts(struct sw_nfq *q)
{
	int ret = 0;

	if (!q->pending)
		return 0;
	/* Several verdict messages in one datagram: the kernel walks them in order. */
	if (mnl_socket_sendto(q->nl, q->vbuf, q->vlen) < 0) {
		ret = -errno;
		q->st.verdict_errors += q->pending;
	}
	q->st.batches++;
	q->vlen = 0;
	q->pending = 0;
	return ret;
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sw_nfq *q = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr ph;
	struct sw_nfq_pkt pkt;
	struct sw_nfq_verdict v = { 0 };

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR] ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(ph)) {
		q->st.recv_errors++;
		return MNL_CB_OK;
	}
	memcpy(&ph, mnl_attr_get_payload(attr[NFQA_PACKET_HDR]), sizeof(ph));
	memset(&pkt, 0, sizeof(pkt));
	pkt.id = ntohl(ph.packet_id);
	/* Ids are consecutive per queue; a jump means packets we never saw. */
	if (q->have_last_id && pkt.id > q->last_id + 1)
		q->st.id_gaps += pkt.id - q->last_id - 1;
	q->have_last_id = true;
	q->last_id = pkt.id;
	q->st.packets++;
	if (attr[NFQA_PAYLOAD]) {
		pkt.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		pkt.caplen = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	pkt.wirelen = attr[NFQA_CAP_LEN] ? ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) : pkt.caplen;
	if (attr[NFQA_TIMESTAMP] && mnl_attr_get_payload_len(attr[NFQA_TIMESTAMP]) >= sizeof(struct nfqnl_msg_packet_timestamp)) {
		struct nfqnl_msg_packet_timestamp t;
		memcpy(&t, mnl_attr_get_payload(attr[NFQA_TIMESTAMP]), sizeof(t));
		pkt.ts_usec = (int64_t)be64toh(t.sec) * 1000000 + (int64_t)be64toh(t.usec);
	} else {
		pkt.ts_usec = now_usec();
	}
	if (attr[NFQA_MARK])
		pkt.mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_SKB_INFO])
		pkt.csum_unverified = (ntohl(mnl_attr_get_u32(attr[NFQA_SKB_INFO])) &
				       (NFQA_SKB_CSUMNOTREADY | NFQA_SKB_GSO)) != 0;
	if (attr[NFQA_IFINDEX_INDEV])
		pkt.indev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
	if (attr[NFQA_IFINDEX_OUTDEV])
		pkt.outdev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_OUTDEV]));
	q->fn(q->ctx, &pkt, &v);
	add_verdict(q, pkt.id, &v);
	return MNL_CB_OK;
}

int sw_nfq_dispatch(struct sw_nfq *q, int timeout_ms, sw_nfq_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(q->nl), .events = POLLIN };
	unsigned handled = 0;
	int rc;

	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0)
		return rc < 0 && errno != EINTR ? -errno : 0;
	q->fn = fn;
	q->ctx = ctx;
	while (handled < BATCH) {
		ssize_t n = recv(pfd.fd, q->rbuf, RECV_BUF, MSG_DONTWAIT);
		unsigned before = q->pending;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				q->st.enobufs++;
				continue;
			}
			q->st.recv_errors++;
			break;
		}
		/* Errors for earlier verdicts (bad id) arrive here as NLMSG_ERROR. */
		if (mnl_cb_run(q->rbuf, (size_t)n, 0, q->portid, packet_cb, q) < 0)
			q->st.verdict_errors++;
		handled += q->pending - before;
	}
	rc = flush_verdicts(q);
	return rc < 0 ? rc : (int)handled;
}
