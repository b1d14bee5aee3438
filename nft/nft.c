// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftables set management over libmnl + libnftnl batches.
 *
 * Every change is one nfnetlink batch (BATCH_BEGIN ... BATCH_END) whose
 * messages all carry NLM_F_ACK: the kernel applies a batch atomically and
 * answers each message with exactly one NLMSG_ERROR (error 0 = ACK), so we
 * know the transaction is complete when we have counted them all.  Every
 * reply must carry our port id (checked by mnl_cb_run) and a sequence
 * number of the batch we sent (checked here).
 */
#include "nft.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

/*
 * A batch stays below the default netlink send buffer (wmem_default is
 * 212992 and netlink_sendmsg() refuses len > sk_sndbuf - 32) so that no
 * sysctl tuning is needed.
 */
#define BATCH_BYTES (160u * 1024u)
/* Element messages are capped so an error is cheap to echo and to locate. */
#define MSG_BYTES (48u * 1024u)
/* nftables datatype ids (src/datatype.h): how `nft list` prints the key. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
/* Kernel answer deadline for one batch. */
#define REPLY_TIMEOUT_MS 5000
/* Replies are ACKs (NETLINK_CAP_ACK) and small GETSET answers. */
#define RBUF_BYTES 65536u
/*
 * The largest sw_nft_commit() transaction we ask the socket to carry.
 * netlink_sendmsg() refuses a message longer than sk_sndbuf - 32, and the
 * kernel copies the whole batch into one (kvmalloc'ed) skb, so the send
 * buffer is the only limit on a transaction's size; nft raises it the same
 * way (SO_SNDBUFFORCE to the batch size, src/mnl.c mnl_set_sndbuffer).
 * 32 MiB hold ~150,000 IPv6 ops at their worst-case size; without
 * CAP_NET_ADMIN the kernel caps the buffer at net.core.wmem_max and
 * sw_nft_commit_max() says how much less fits.
 */
#define TXN_BYTES_WANT (32u << 20)
/*
 * Receive-buffer room per op of a commit: only the last op asks for an
 * ACK, but every refused op is answered with an NLMSG_ERROR skb (~600-800
 * bytes of truesize with NETLINK_CAP_ACK); nft sizes its receive buffer
 * the same way (1 KiB per command) so that a batch full of refusals is
 * not lost to ENOBUFS.
 */
#define RCV_BYTES_PER_OP 1024u
#define RCV_BYTES_MIN (4u << 20)

struct sw_nft {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char table[64];
	struct sw_nft_config cfg;
	uint8_t *buf;    /* BATCH_BYTES */
	uint8_t *rbuf;   /* RBUF_BYTES */
	uint8_t *cbuf;   /* sw_nft_commit()'s batch, grown on demand up to txn_bytes */
	size_t ccap;
	size_t txn_bytes; /* the longest batch the socket's send buffer takes */
	size_t rcvbuf;    /* SO_RCVBUF asked for so far */
	struct sw_nft_stats st;
};

static const char *const counter_names[] = { "block_src", "block_dst", "quarantine" };

const char *sw_nft_set_name(enum sw_nft_kind kind, int family)
{
	if (kind == SW_NFT_QUAR)
		return family == AF_INET6 ? "quar6" : "quar4";
	return family == AF_INET6 ? "block6" : "block4";
}

/* ---------- element encoding ---------- */

static int elem_check(enum sw_nft_kind kind, int family, const struct sw_nft_elem *e)
{
	unsigned int bits = family == AF_INET ? 32 : 128;

	if (e->ip.family != family || e->prefix > bits)
		return -EINVAL;
	if (kind == SW_NFT_QUAR && e->prefix != bits)
		return -EINVAL;
	return 0;
}

/*
 * The first address after @e's CIDR, big-endian in @end.  Returns false if
 * the CIDR runs to the top of the address space: then the interval is left
 * open, as nft does.
 */
static bool cidr_end(const struct sw_nft_elem *e, unsigned int bits, uint8_t *end)
{
	unsigned int nbytes = bits / 8, host = bits - e->prefix;
	int i, carry;

	memcpy(end, e->ip.a, nbytes);
	if (host == bits)
		return false;
	/* add 2^host: one bit at byte (nbytes-1 - host/8), then carry up */
	i = (int)nbytes - 1 - (int)(host / 8);
	carry = 1 << (host % 8);
	for (; i >= 0 && carry; i--) {
		int v = end[i] + carry;
		end[i] = (uint8_t)v;
		carry = v >> 8;
	}
	return carry == 0;
}

/* Worst-case attribute bytes for one element with its interval end. */
static size_t elem_cost(unsigned int nbytes)
{
	/* LIST_ELEM nest + KEY nest + VALUE + FLAGS + TIMEOUT, twice */
	return 2 * (4 + 4 + 4 + nbytes + 8 + 12);
}

int sw_nft_build_elems(void *buf, size_t len, size_t *off, uint16_t msg_type,
		       uint16_t nlflags, uint32_t seq, const char *table,
		       enum sw_nft_kind kind, int family,
		       const struct sw_nft_elem *e, size_t n)
{
	unsigned int bits = family == AF_INET ? 32 : 128, nbytes = bits / 8;
	size_t room, fixed, fit, i;
	struct nftnl_set *s = NULL;
	struct nlmsghdr *nlh;
	int ret;

	if ((family != AF_INET && family != AF_INET6) || !table || !n)
		return -EINVAL;
	/* header + nfgenmsg + table/set names + list nest, generously */
	fixed = 64 + strlen(table) + 16 + 16;
	room = len > *off ? len - *off : 0;
	if (room > MSG_BYTES)
		room = MSG_BYTES;
	if (room < fixed + elem_cost(nbytes))
		return -ENOSPC;
	fit = (room - fixed) / elem_cost(nbytes);
	if (fit > n)
		fit = n;

	s = nftnl_set_alloc();
	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sw_nft_set_name(kind, family));
	for (i = 0; i < fit; i++) {
		struct nftnl_set_elem *se;
		uint8_t end[16];

		ret = elem_check(kind, family, &e[i]);
		if (ret)
			goto out;
		se = nftnl_set_elem_alloc();
		if (!se) {
			ret = -ENOMEM;
			goto out;
		}
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, e[i].ip.a, nbytes);
		if (kind == SW_NFT_BLOCK && e[i].timeout_ms && msg_type == NFT_MSG_NEWSETELEM)
			nftnl_set_elem_set_u64(se, NFTNL_SET_ELEM_TIMEOUT, e[i].timeout_ms);
		nftnl_set_elem_add(s, se);
		if (kind != SW_NFT_BLOCK || !cidr_end(&e[i], bits, end))
			continue;
		se = nftnl_set_elem_alloc();
		if (!se) {
			ret = -ENOMEM;
			goto out;
		}
		nftnl_set_elem_set(se, NFTNL_SET_ELEM_KEY, end, nbytes);
		nftnl_set_elem_set_u32(se, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(s, se);
	}
	nlh = nftnl_nlmsg_build_hdr((char *)buf + *off, msg_type, NFPROTO_INET,
				    nlflags, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
	ret = (int)fit;
out:
	nftnl_set_free(s);
	return ret;
}

/* ---------- setup transaction ---------- */

struct setup_ctx {
	uint8_t *buf;
	size_t len, *off;
	uint32_t *seq;
	int nmsgs;
	bool full;
};

/* Room for one object message; libnftnl's builders do not check bounds. */
static struct nlmsghdr *setup_hdr(struct setup_ctx *c, uint16_t type, uint16_t flags)
{
	if (c->full || c->len - *c->off < 2048) {
		c->full = true;
		return NULL;
	}
	c->nmsgs++;
	return nftnl_nlmsg_build_hdr((char *)c->buf + *c->off, type, NFPROTO_INET,
				     flags | NLM_F_ACK, (*c->seq)++);
}

static void setup_done(struct setup_ctx *c, struct nlmsghdr *nlh)
{
	*c->off += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* nfproto == @proto; @field of the network header in @set; count; drop */
static struct nftnl_rule *make_rule(const char *table, const char *chain, uint8_t proto,
				    uint32_t off, uint32_t len, const char *set,
				    uint32_t set_id, const char *counter)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	int ret = 0;

	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);

	e = nftnl_expr_alloc("meta");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	ret |= add_expr(r, e);
	e = nftnl_expr_alloc("cmp");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &proto, 1);
	}
	ret |= add_expr(r, e);
	e = nftnl_expr_alloc("payload");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	ret |= add_expr(r, e);
	e = nftnl_expr_alloc("lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	}
	ret |= add_expr(r, e);
	e = nftnl_expr_alloc("objref");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, counter);
	}
	ret |= add_expr(r, e);
	e = nftnl_expr_alloc("immediate");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	}
	ret |= add_expr(r, e);
	if (ret) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

static const struct {
	unsigned int bit;
	const char *name;
	uint32_t hooknum;
} hooks[] = {
	{ SW_NFT_HOOK_INPUT, "input", NF_INET_LOCAL_IN },
	{ SW_NFT_HOOK_FORWARD, "forward", NF_INET_FORWARD },
	{ SW_NFT_HOOK_OUTPUT, "output", NF_INET_LOCAL_OUT },
};

int sw_nft_build_setup(void *buf, size_t len, size_t *off, uint32_t *seq,
		       const struct sw_nft_config *cfg)
{
	const char *table = cfg->table ? cfg->table : "sidewall";
	unsigned int hookmask = cfg->hooks ? cfg->hooks : SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD;
	struct setup_ctx c = { buf, len, off, seq, 0, false };
	struct nlmsghdr *nlh;
	size_t i, k;
	int ret = -ENOMEM;

	struct nftnl_table *t = nftnl_table_alloc();
	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	/* NLM_F_CREATE without NLM_F_EXCL: an existing table is kept as is */
	nlh = setup_hdr(&c, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		setup_done(&c, nlh);
	}
	nftnl_table_free(t);

	for (k = 0; k < 4; k++) {
		enum sw_nft_kind kind = k < 2 ? SW_NFT_BLOCK : SW_NFT_QUAR;
		int fam = k % 2 ? AF_INET6 : AF_INET;
		struct nftnl_set *s = nftnl_set_alloc();

		if (!s)
			return -ENOMEM;
		nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(s, NFTNL_SET_NAME, sw_nft_set_name(kind, fam));
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, fam == AF_INET ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, fam == AF_INET ? 4 : 16);
		nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)k + 1);
		/* blocks: CIDRs as intervals, expiry by the kernel's timeout */
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
				  kind == SW_NFT_BLOCK ? NFT_SET_INTERVAL | NFT_SET_TIMEOUT : 0);
		nlh = setup_hdr(&c, NFT_MSG_NEWSET, NLM_F_CREATE);
		if (nlh) {
			nftnl_set_nlmsg_build_payload(nlh, s);
			setup_done(&c, nlh);
		}
		nftnl_set_free(s);
	}

	for (k = 0; k < 3; k++) {
		struct nftnl_obj *o = nftnl_obj_alloc();

		if (!o)
			return -ENOMEM;
		nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
		nftnl_obj_set_str(o, NFTNL_OBJ_NAME, counter_names[k]);
		nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
		nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
		/* without NLM_F_EXCL an existing counter keeps its values */
		nlh = setup_hdr(&c, NFT_MSG_NEWOBJ, NLM_F_CREATE);
		if (nlh) {
			nftnl_obj_nlmsg_build_payload(nlh, o);
			setup_done(&c, nlh);
		}
		nftnl_obj_free(o);
	}

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		static const struct {
			uint8_t proto;
			uint32_t off, len;
			int kind, fam, counter;
		} rules[] = {
			/* IPv4 saddr at 12, daddr at 16; IPv6 saddr at 8, daddr at 24 */
			{ NFPROTO_IPV4, 12, 4, SW_NFT_BLOCK, AF_INET, 0 },
			{ NFPROTO_IPV4, 16, 4, SW_NFT_BLOCK, AF_INET, 1 },
			{ NFPROTO_IPV6, 8, 16, SW_NFT_BLOCK, AF_INET6, 0 },
			{ NFPROTO_IPV6, 24, 16, SW_NFT_BLOCK, AF_INET6, 1 },
			{ NFPROTO_IPV4, 12, 4, SW_NFT_QUAR, AF_INET, 2 },
			{ NFPROTO_IPV4, 16, 4, SW_NFT_QUAR, AF_INET, 2 },
			{ NFPROTO_IPV6, 8, 16, SW_NFT_QUAR, AF_INET6, 2 },
			{ NFPROTO_IPV6, 24, 16, SW_NFT_QUAR, AF_INET6, 2 },
		};
		struct nftnl_chain *ch;

		if (!(hookmask & hooks[i].bit))
			continue;
		ch = nftnl_chain_alloc();
		if (!ch)
			return -ENOMEM;
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, table);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, hooks[i].name);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, hooks[i].hooknum);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, cfg->priority);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nlh = setup_hdr(&c, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
		if (nlh) {
			nftnl_chain_nlmsg_build_payload(nlh, ch);
			setup_done(&c, nlh);
		}
		nftnl_chain_free(ch);

		/* flush our chain, then add our rules: re-running setup is a no-op */
		{
			struct nftnl_rule *r = nftnl_rule_alloc();

			if (!r)
				return -ENOMEM;
			nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
			nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, hooks[i].name);
			nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
			nlh = setup_hdr(&c, NFT_MSG_DELRULE, 0);
			if (nlh) {
				nftnl_rule_nlmsg_build_payload(nlh, r);
				setup_done(&c, nlh);
			}
			nftnl_rule_free(r);
		}
		for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
			struct nftnl_rule *r;
			uint32_t set_id = (rules[k].kind == SW_NFT_QUAR ? 3 : 1) +
					  (rules[k].fam == AF_INET6 ? 1 : 0);

			r = make_rule(table, hooks[i].name, rules[k].proto, rules[k].off,
				      rules[k].len, sw_nft_set_name(rules[k].kind, rules[k].fam),
				      set_id, counter_names[rules[k].counter]);
			if (!r)
				return -ENOMEM;
			nlh = setup_hdr(&c, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
			if (nlh) {
				nftnl_rule_nlmsg_build_payload(nlh, r);
				setup_done(&c, nlh);
			}
			nftnl_rule_free(r);
		}
	}
	ret = c.full ? -ENOSPC : c.nmsgs;
	return ret;
}

/* ---------- transport ---------- */

/*
 * SO_*BUFFORCE (CAP_NET_ADMIN, which the daemon keeps) passes the
 * net.core.[rw]mem_max caps; without it the plain option still gets as much
 * as the sysctl allows.  Both store twice the value asked for.
 */
static void set_rcvbuf(struct sw_nft *nft, size_t want)
{
	int fd = mnl_socket_get_fd(nft->nl), v = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;

	if (want <= nft->rcvbuf)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	nft->rcvbuf = want;
}

static void set_sndbuf(struct sw_nft *nft)
{
	int fd = mnl_socket_get_fd(nft->nl), v = (int)(TXN_BYTES_WANT / 2);
	socklen_t sl = sizeof(v);

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &sl) || v < 32)
		v = BATCH_BYTES + 32;
	/* netlink_sendmsg(): len > sk_sndbuf - 32 is EMSGSIZE */
	nft->txn_bytes = (size_t)v - 32;
	if (nft->txn_bytes > TXN_BYTES_WANT)
		nft->txn_bytes = TXN_BYTES_WANT;
}

struct sw_nft *sw_nft_new(const struct sw_nft_config *cfg)
{
	struct sw_nft *nft = calloc(1, sizeof(*nft));
	int one = 1, rcv = 4 << 20, err;

	if (!nft)
		return NULL;
	nft->cfg = *cfg;
	snprintf(nft->table, sizeof(nft->table), "%s", cfg->table ? cfg->table : "sidewall");
	nft->cfg.table = nft->table;
	nft->buf = malloc(BATCH_BYTES);
	nft->rbuf = malloc(RBUF_BYTES);
	nft->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nft->buf || !nft->rbuf || !nft->nl)
		goto fail;
	if (mnl_socket_bind(nft->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* errors must not echo our 48 KiB messages back at us */
	mnl_socket_setsockopt(nft->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nft->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	/* a bigger receive queue makes ENOBUFS rarer; it stays handled */
	set_rcvbuf(nft, (size_t)rcv);
	set_sndbuf(nft);
	nft->portid = mnl_socket_get_portid(nft->nl);
	nft->seq = (uint32_t)time(NULL);
	return nft;
fail:
	err = errno ? errno : ENOMEM;
	sw_nft_free(nft);
	errno = err;
	return NULL;
}

void sw_nft_free(struct sw_nft *nft)
{
	if (!nft)
		return;
	if (nft->nl)
		mnl_socket_close(nft->nl);
	free(nft->buf);
	free(nft->rbuf);
	free(nft->cbuf);
	free(nft);
}

void sw_nft_get_stats(const struct sw_nft *nft, struct sw_nft_stats *st)
{
	*st = nft->st;
}

struct ack_ctx {
	struct sw_nft *nft;
	uint32_t first, last; /* seq range of the messages that asked for ACK */
	unsigned int acked;
	bool whole;           /* the kernel refused the batch as a whole */
	bool last_seen;       /* the answer to the last message arrived */
	int err;
	int *errs;            /* per message (seq - first), or NULL */
};

static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ack_ctx *a = data;
	const struct nlmsgerr *e;

	/*
	 * An error on BATCH_BEGIN's sequence number: the kernel could not even
	 * queue per-message errors (ENOMEM) and refused the batch as a whole;
	 * no other answer follows.
	 */
	if (nlh->nlmsg_seq == a->first - 1 && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e))) {
		e = mnl_nlmsg_get_payload(nlh);
		if (e->error) {
			a->whole = true;
			a->err = a->err ? a->err : e->error;
			return MNL_CB_OK;
		}
	}
	/* a reply to some other request of ours (an earlier, timed-out batch) */
	if (nlh->nlmsg_seq - a->first > a->last - a->first) {
		a->nft->st.bad_replies++;
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		a->nft->st.bad_replies++;
		return MNL_CB_OK;
	}
	e = mnl_nlmsg_get_payload(nlh);
	a->acked++;
	if (nlh->nlmsg_seq == a->last)
		a->last_seen = true;
	if (e->error && !a->err)
		a->err = e->error; /* already negative */
	if (e->error && a->errs)
		a->errs[nlh->nlmsg_seq - a->first] = e->error;
	return MNL_CB_OK;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* Throw away whatever a failed exchange left in the socket. */
static void drain(struct sw_nft *nft)
{
	while (recv(mnl_socket_get_fd(nft->nl), nft->rbuf, RBUF_BYTES,
		    MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

/*
 * Send the batch in @buf[0..len) and wait for the replies to its messages,
 * whose sequence numbers are [first, first + nmsgs).  Without @last_only
 * every message asked for an ACK and we wait for all @nmsgs answers; with
 * it only the last one did, and we wait for that one's answer.  That is
 * enough: nfnetlink_rcv_batch() answers a message if it asked for an ACK
 * *or* failed, and queues all answers in message order only once the whole
 * batch has been committed or aborted, so the last message's answer comes
 * after every error of the batch.  Returns 0, the first kernel error
 * (-errno), -ENOBUFS if replies were lost (the caller re-sends: our
 * batches are idempotent), or -ETIMEDOUT.
 */
static int txn_errs(struct sw_nft *nft, const uint8_t *buf, size_t len, uint32_t first,
		    unsigned int nmsgs, int *errs, bool last_only)
{
	struct ack_ctx a = { nft, first, first + nmsgs - 1, 0, false, false, 0, errs };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { 0 };
	int fd = mnl_socket_get_fd(nft->nl);

	ctl[NLMSG_ERROR] = ack_cb;
	ctl[NLMSG_NOOP] = noop_cb;
	if (mnl_socket_sendto(nft->nl, buf, len) < 0)
		return -errno;
	while (!a.whole && (last_only ? !a.last_seen : a.acked < nmsgs)) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int r;

		r = poll(&pfd, 1, REPLY_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		n = mnl_socket_recvfrom(nft->nl, nft->rbuf, RBUF_BYTES);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				nft->st.enobufs++;
				drain(nft);
				return -ENOBUFS;
			}
			return -errno;
		}
		/* seq 0: checked per message in ack_cb; portid checked by libmnl */
		r = mnl_cb_run2(nft->rbuf, (size_t)n, 0, nft->portid, NULL, &a, ctl,
				NLMSG_MIN_TYPE);
		if (r < 0) {
			nft->st.bad_replies++;
			return errno == ESRCH ? -EPROTO : -errno;
		}
	}
	return a.err;
}

static int txn(struct sw_nft *nft, size_t len, uint32_t first, unsigned int nacks)
{
	return txn_errs(nft, nft->buf, len, first, nacks, NULL, false);
}

/* Begin a batch in nft->buf; returns the offset after BATCH_BEGIN. */
static size_t batch_begin(struct sw_nft *nft)
{
	struct nlmsghdr *nlh = nftnl_batch_begin((char *)nft->buf, nft->seq++);

	return NLMSG_ALIGN(nlh->nlmsg_len);
}

static size_t batch_end(struct sw_nft *nft, size_t off)
{
	struct nlmsghdr *nlh = nftnl_batch_end((char *)nft->buf + off, nft->seq++);

	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

#define END_RESERVE 64

int sw_nft_setup(struct sw_nft *nft)
{
	size_t off;
	uint32_t first;
	int n, ret;

	off = batch_begin(nft);
	first = nft->seq;
	n = sw_nft_build_setup(nft->buf, BATCH_BYTES - END_RESERVE, &off, &nft->seq, &nft->cfg);
	if (n < 0)
		return n;
	off = batch_end(nft, off);
	ret = txn(nft, off, first, (unsigned int)n);
	if (ret == -ENOBUFS) /* setup is idempotent: just do it again */
		ret = sw_nft_setup(nft);
	if (!ret)
		nft->st.batches++;
	return ret;
}

int sw_nft_destroy(struct sw_nft *nft)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	uint32_t first;
	size_t off;
	int ret;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, nft->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	off = batch_begin(nft);
	first = nft->seq;
	nlh = nftnl_nlmsg_build_hdr((char *)nft->buf + off, NFT_MSG_DELTABLE, NFPROTO_INET,
				    NLM_F_ACK, nft->seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	off = batch_end(nft, off);
	ret = txn(nft, off, first, 1);
	return ret == -ENOENT ? 0 : ret;
}

static int getset_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* GETSET for one set (not a batch: gets are plain requests). */
static int set_exists(struct sw_nft *nft, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	uint32_t seq = nft->seq++;
	int found = 0, ret;
	ssize_t n;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, nft->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nftnl_nlmsg_build_hdr((char *)nft->buf, NFT_MSG_GETSET, NFPROTO_INET,
				    NLM_F_ACK, seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (mnl_socket_sendto(nft->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = { mnl_socket_get_fd(nft->nl), POLLIN, 0 };

		ret = poll(&pfd, 1, REPLY_TIMEOUT_MS);
		if (ret <= 0)
			return ret < 0 ? -errno : -ETIMEDOUT;
		n = mnl_socket_recvfrom(nft->nl, nft->rbuf, RBUF_BYTES);
		if (n < 0)
			return -errno;
		/* here libmnl checks seq and port id itself: one request, one seq */
		ret = mnl_cb_run(nft->rbuf, (size_t)n, seq, nft->portid, getset_cb, &found);
		if (ret < 0)
			return errno == ENOENT ? 0 : -errno;
		if (ret == MNL_CB_STOP)
			return found > 0;
	}
}

int sw_nft_table_exists(struct sw_nft *nft)
{
	static const char *const names[] = { "block4", "block6", "quar4", "quar6" };
	size_t i;

	for (i = 0; i < 4; i++) {
		int r = set_exists(nft, names[i]);

		if (r <= 0) {
			drain(nft);
			return r;
		}
	}
	return 1;
}

/*
 * Apply @n elements of one family in as many batches as needed.  @chunk
 * caps the elements per batch; after ENOBUFS the batch is re-sent with half
 * the chunk (adds are idempotent; deletes are re-tried one by one below).
 */
static int apply_family(struct sw_nft *nft, uint16_t type, enum sw_nft_kind kind, int fam,
			const struct sw_nft_elem *e, size_t n)
{
	size_t done = 0, chunk = n;
	int retries = 0;

	while (done < n) {
		size_t off = batch_begin(nft), in_batch = 0;
		uint32_t first = nft->seq;
		unsigned int nmsgs = 0;
		int ret;

		while (done + in_batch < n && in_batch < chunk) {
			size_t want = n - done - in_batch;

			if (want > chunk - in_batch)
				want = chunk - in_batch;
			ret = sw_nft_build_elems(nft->buf, BATCH_BYTES - END_RESERVE, &off, type,
						 (type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0) | NLM_F_ACK,
						 nft->seq, nft->table, kind, fam,
						 e + done + in_batch, want);
			if (ret == -ENOSPC)
				break;
			if (ret < 0)
				return ret;
			nft->seq++;
			nmsgs++;
			in_batch += (size_t)ret;
		}
		off = batch_end(nft, off);
		ret = txn(nft, off, first, nmsgs);
		if (ret == -ENOBUFS && retries++ < 8) {
			chunk = in_batch > 1 ? in_batch / 2 : 1;
			continue; /* resend from the same element */
		}
		if (ret)
			return ret;
		nft->st.batches++;
		nft->st.elems += in_batch;
		done += in_batch;
	}
	return 0;
}

static int apply(struct sw_nft *nft, uint16_t type, enum sw_nft_kind kind,
		 const struct sw_nft_elem *e, size_t n)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct sw_nft_elem *tmp;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < n; i++)
		if ((e[i].ip.family != AF_INET && e[i].ip.family != AF_INET6) ||
		    elem_check(kind, e[i].ip.family, &e[i]))
			return -EINVAL;
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (k = 0; k < 2 && !ret; k++) {
		size_t m = 0;

		for (i = 0; i < n; i++)
			if (e[i].ip.family == fams[k])
				tmp[m++] = e[i];
		if (m)
			ret = apply_family(nft, type, kind, fams[k], tmp, m);
	}
	free(tmp);
	return ret;
}

int sw_nft_add(struct sw_nft *nft, enum sw_nft_kind kind, const struct sw_nft_elem *e, size_t n)
{
	return apply(nft, NFT_MSG_NEWSETELEM, kind, e, n);
}

int sw_nft_del(struct sw_nft *nft, enum sw_nft_kind kind, const struct sw_nft_elem *e, size_t n)
{
	size_t i;
	int ret;

	ret = apply(nft, NFT_MSG_DELSETELEM, kind, e, n);
	if (ret != -ENOENT)
		return ret;
	/*
	 * One absent element (expired, or deleted by a batch whose ACKs were
	 * lost) aborts the whole batch; redo the deletes one at a time and
	 * ignore the ones that are already gone.
	 */
	for (i = 0; i < n; i++) {
		ret = apply(nft, NFT_MSG_DELSETELEM, kind, &e[i], 1);
		if (ret && ret != -ENOENT)
			return ret;
	}
	return 0;
}

/* The most bytes one op of sw_nft_commit() may take in its batch. */
static size_t op_bytes(const struct sw_nft *nft, int family)
{
	/* what sw_nft_build_elems() insists on having room for */
	return 64 + strlen(nft->table) + 16 + 16 + elem_cost(family == AF_INET ? 4 : 16);
}

size_t sw_nft_commit_max(const struct sw_nft *nft)
{
	return (nft->txn_bytes - 2 * END_RESERVE) / op_bytes(nft, AF_INET6);
}

/*
 * After lost answers: apply @ops[0..n) again with outcome-independent
 * semantics (adds refresh, absent deletes are fine), in order, a run of
 * ops of the same verb and kind at a time (a merge deletes narrow blocks
 * before it adds the wide one).  A run that fails is re-done op by op so
 * that @errs names the op.
 */
static int reapply(struct sw_nft *nft, const struct sw_nft_op *ops, size_t n, int *errs)
{
	struct sw_nft_elem *e = malloc((n ? n : 1) * sizeof(*e));
	size_t i = 0, j, k;
	int ret = 0;

	if (!e)
		return -ENOMEM;
	while (i < n && !ret) {
		for (j = i; j < n && ops[j].del == ops[i].del && ops[j].kind == ops[i].kind; j++)
			e[j - i] = ops[j].e;
		ret = ops[i].del ? sw_nft_del(nft, ops[i].kind, e, j - i)
				 : sw_nft_add(nft, ops[i].kind, e, j - i);
		for (k = i; ret && k < j; k++) {
			ret = ops[k].del ? sw_nft_del(nft, ops[k].kind, &ops[k].e, 1)
					 : sw_nft_add(nft, ops[k].kind, &ops[k].e, 1);
			if (ret && errs)
				errs[k] = ret;
		}
		i = j;
	}
	free(e);
	return ret;
}

int sw_nft_commit(struct sw_nft *nft, const struct sw_nft_op *ops, size_t n, int *errs)
{
	size_t off, i, need = 2 * END_RESERVE;
	struct nlmsghdr *nlh;
	uint32_t first;
	int ret;

	if (errs)
		memset(errs, 0, n * sizeof(*errs));
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		int fam = ops[i].e.ip.family;

		if ((fam != AF_INET && fam != AF_INET6) || elem_check(ops[i].kind, fam, &ops[i].e)) {
			if (errs)
				errs[i] = -EINVAL;
			return -EINVAL;
		}
		need += op_bytes(nft, fam);
	}
	if (need > nft->txn_bytes)
		return -E2BIG;
	if (need > nft->ccap) {
		uint8_t *b = realloc(nft->cbuf, need);

		if (!b)
			return -ENOMEM;
		nft->cbuf = b;
		nft->ccap = need;
	}
	/* room for every refusal to be answered (see RCV_BYTES_PER_OP) */
	set_rcvbuf(nft, n * RCV_BYTES_PER_OP > RCV_BYTES_MIN ? n * RCV_BYTES_PER_OP : RCV_BYTES_MIN);
	nlh = nftnl_batch_begin((char *)nft->cbuf, nft->seq++);
	off = NLMSG_ALIGN(nlh->nlmsg_len);
	first = nft->seq;
	for (i = 0; i < n; i++) {
		const struct sw_nft_op *o = &ops[i];

		/*
		 * One op, one message: the kernel's error then names the op.
		 * Only the last asks for an ACK: the kernel answers a failed
		 * message anyway, and an ACK per op would queue one skb per
		 * element in our receive buffer (see txn_errs()).
		 */
		ret = sw_nft_build_elems(nft->cbuf, need - END_RESERVE, &off,
					 o->del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
					 (o->del ? 0 : NLM_F_CREATE) | (i + 1 == n ? NLM_F_ACK : 0),
					 nft->seq, nft->table, o->kind, o->e.ip.family, &o->e, 1);
		if (ret < 0)
			return ret == -ENOSPC ? -E2BIG : ret; /* sized above: not reached */
		nft->seq++;
	}
	nlh = nftnl_batch_end((char *)nft->cbuf + off, nft->seq++);
	off += NLMSG_ALIGN(nlh->nlmsg_len);
	ret = txn_errs(nft, nft->cbuf, off, first, (unsigned int)n, errs, true);
	if (ret == -ENOBUFS) {
		/*
		 * The answers were lost, so the transaction may or may not have
		 * been committed: re-apply with outcome-independent semantics.
		 */
		if (errs)
			memset(errs, 0, n * sizeof(*errs));
		return reapply(nft, ops, n, errs);
	}
	if (!ret) {
		nft->st.batches++;
		nft->st.elems += n;
	}
	return ret;
}
