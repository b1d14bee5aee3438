/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conntrack mark updates over ctnetlink (see ctmark.h). */
#include "ctmark.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct sw_ctmark {
	struct mnl_socket *nl;
	uint32_t seq;
	struct sw_ctmark_stats st;
};

struct sw_ctmark *sw_ctmark_open(void)
{
	struct sw_ctmark *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!c->nl || mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		sw_ctmark_close(c);
		errno = err;
		return NULL;
	}
	return c;
}

void sw_ctmark_close(struct sw_ctmark *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	free(c);
}

const struct sw_ctmark_stats *sw_ctmark_stats(const struct sw_ctmark *c)
{
	return &c->st;
}

/* Read back what the kernel answered so far (only refusals come: no ACK is asked for). */
static void drain(struct sw_ctmark *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	while ((n = mnl_socket_recvfrom(c->nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
				continue;
			if (((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error)
				c->st.failed++;
		}
	}
}

int sw_ctmark_set(struct sw_ctmark *c, const struct sw_ip *src, uint16_t sport, const struct sw_ip *dst,
		  uint16_t dport, uint8_t proto, uint32_t mark, uint32_t mask)
{
	/* header + nfgenmsg + tuple (two IPv6 addresses, ports, protocol) + mark + mask: < 200 bytes */
	char buf[256];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *tuple, *ip, *pr;
	bool v6 = src->family == AF_INET6;

	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || src->family != dst->family ||
	    (src->family != AF_INET && !v6))
		return -EINVAL;
	drain(c);
	nlh = mnl_nlmsg_put_header(buf);
	/* IPCTNL_MSG_CT_NEW on an existing entry without NLM_F_CREATE updates it (ctnetlink_change_conntrack). */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++c->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = v6 ? AF_INET6 : AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	/* sw_ip holds addresses in network byte order */
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, v6 ? 16 : 4, src->a);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, v6 ? 16 : 4, dst->a);
	mnl_attr_nest_end(nlh, ip);
	pr = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, tuple);
	/* new mark = (old & ~mask) ^ mark (ctnetlink_change_mark) */
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark & mask));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(mask));
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0) {
		c->st.failed++;
		return -errno;
	}
	c->st.sent++;
	return 0;
}
