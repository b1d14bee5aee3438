/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftables set management for the enforcement host, over libmnl + libnftnl
 * batch transactions (never an `nft` command line).
 *
 * One table (default `inet sidewall`) holds:
 *   block4/block6  ipv4_addr/ipv6_addr, flags interval,timeout: CIDR blocks
 *                  whose expiry is the kernel's per-element timeout;
 *   quar4/quar6    ipv4_addr/ipv6_addr, no timeout: quarantined hosts;
 *   counters       blocked_src, blocked_dst, quarantined;
 *   base chains    one per configured hook, dropping saddr/daddr matches.
 */
#ifndef SW_NFT_NFT_H
#define SW_NFT_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define SW_NFT_HOOK_INPUT   (1u << 0)
#define SW_NFT_HOOK_FORWARD (1u << 1)
#define SW_NFT_HOOK_OUTPUT  (1u << 2)

struct sw_nft_config {
	const char *table;   /* NULL: "sidewall" (family inet) */
	unsigned int hooks;  /* SW_NFT_HOOK_*; 0: input|forward */
	int priority;        /* base chain priority (filter = 0) */
};

enum sw_nft_kind {
	SW_NFT_BLOCK = 0, /* block4/block6: interval + timeout */
	SW_NFT_QUAR = 1,  /* quar4/quar6: single addresses, no timeout */
};

/* One set element: a CIDR and, for blocks, its kernel timeout (0: none). */
struct sw_nft_elem {
	struct sw_ip ip;     /* network address, host bits clear */
	uint8_t prefix;      /* 0..32 or 0..128 */
	uint64_t timeout_ms;
};

struct sw_nft_stats {
	uint64_t batches;       /* batches committed */
	uint64_t elems;         /* CIDRs added or deleted */
	uint64_t enobufs;       /* replies lost to ENOBUFS, batch re-sent */
	uint64_t bad_replies;   /* replies with a foreign seq or port id */
};

struct sw_nft;

/*
 * Open a netlink socket for @cfg (copied).  Returns a new handle (free with
 * sw_nft_free()) or NULL with errno set (ENOMEM, EPERM without CAP_NET_ADMIN
 * is reported later by the first transaction).
 */
struct sw_nft *sw_nft_new(const struct sw_nft_config *cfg);
void sw_nft_free(struct sw_nft *nft);

/*
 * Idempotently create the table, sets, counters and chains, and replace the
 * rules of our own chains, in one atomic transaction.  Existing set
 * elements and counter values survive.  Returns 0 or -errno from the
 * kernel (-EPERM without CAP_NET_ADMIN).
 */
int sw_nft_setup(struct sw_nft *nft);

/* Returns 1 if the table and its sets exist, 0 if not, or -errno. */
int sw_nft_table_exists(struct sw_nft *nft);

/* Delete the whole table (tests and `--purge`).  ENOENT is success. */
int sw_nft_destroy(struct sw_nft *nft);

/*
 * Add @n elements to the @kind sets (v4 and v6 elements may be mixed), in
 * batches of a bounded size, waiting for every ACK.  Adding an element that
 * exists refreshes its timeout.  A CIDR that partially overlaps an existing
 * one is refused by the kernel and fails its whole batch (-EEXIST or
 * -ENOTEMPTY): callers keep elements disjoint.  For SW_NFT_QUAR the prefix
 * must be the full length.  Borrows @e until return.  Returns 0, -EINVAL for
 * a malformed element, or -errno from the kernel.
 */
int sw_nft_add(struct sw_nft *nft, enum sw_nft_kind kind,
	       const struct sw_nft_elem *e, size_t n);

/* Delete @n elements; elements that are absent (expired) are not an error. */
int sw_nft_del(struct sw_nft *nft, enum sw_nft_kind kind,
	       const struct sw_nft_elem *e, size_t n);

/* One change in a transaction: add (refreshing the timeout) or delete. */
struct sw_nft_op {
	bool del;
	enum sw_nft_kind kind;
	struct sw_nft_elem e;
};

/*
 * Apply @ops[0..n) in order as ONE nftables transaction: every op takes
 * effect or none does.  Each op is its own netlink message, so a refusal
 * names the op: when the kernel refuses the transaction, @errs (n
 * entries, may be NULL) gets the kernel's -errno for every op it objected
 * to (0 for the others), and nothing changed.  Deleting an absent element
 * is such a refusal (-ENOENT), as is a CIDR that partially overlaps an
 * existing one (-EEXIST / -ENOTEMPTY).  The kernel checks every message of
 * a refused batch, so one answer names every op at fault that does not
 * depend on another.
 *
 * The size of a transaction is bounded only by the socket's send buffer
 * (see sw_nft_commit_max()); it is raised at sw_nft_new() as far as the
 * process may.
 *
 * If the kernel's answers are lost (ENOBUFS) the outcome is unknown; the
 * ops are then re-applied in order with sw_nft_add()/sw_nft_del()
 * semantics (adds are idempotent, absent deletes ignored), so on return 0
 * the sets hold what the ops say either way.
 *
 * Returns 0; -E2BIG if n > sw_nft_commit_max() (nothing sent); -EINVAL for
 * a malformed op (nothing sent; @errs marks it); -ENOMEM; or the first
 * -errno the kernel gave.  Borrows @ops until return.
 */
int sw_nft_commit(struct sw_nft *nft, const struct sw_nft_op *ops, size_t n, int *errs);

/*
 * The most ops one sw_nft_commit() takes on this handle: its send buffer
 * divided by the worst-case size of one op (an IPv6 interval with a
 * timeout).  With CAP_NET_ADMIN about 150,000; without it, what
 * net.core.wmem_max allows (~1,000 at the default 212992).
 */
size_t sw_nft_commit_max(const struct sw_nft *nft);

void sw_nft_get_stats(const struct sw_nft *nft, struct sw_nft_stats *st);

/*
 * Message builders, exposed for build-parse-compare tests.
 *
 * sw_nft_build_elems() appends one NEWSETELEM/DELSETELEM message to @buf at
 * *@off for as many of @e[0..n) (all of family @family) as fit in @len, and
 * returns how many were consumed (>= 1), or -ENOSPC if not even one fits,
 * -EINVAL for a bad element.  Each element becomes a start key plus, for
 * interval sets, an end key flagged NFT_SET_ELEM_INTERVAL_END (the first
 * address after the CIDR; omitted when the CIDR reaches the top of the
 * address space).  The timeout goes on the start key only: the kernel
 * refuses one on an interval end.
 */
int sw_nft_build_elems(void *buf, size_t len, size_t *off, uint16_t msg_type,
		       uint16_t nlflags, uint32_t seq, const char *table,
		       enum sw_nft_kind kind, int family,
		       const struct sw_nft_elem *e, size_t n);

/*
 * Append the setup transaction body (table, sets, counters, chains, rule
 * flush and rules; no batch begin/end) at *@off.  @seq is advanced once per
 * message.  Returns the number of messages, or -ENOSPC.
 */
int sw_nft_build_setup(void *buf, size_t len, size_t *off, uint32_t *seq,
		       const struct sw_nft_config *cfg);

/* Name of the set holding @kind elements of @family ("block4", ...). */
const char *sw_nft_set_name(enum sw_nft_kind kind, int family);

#endif
