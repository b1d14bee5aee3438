// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft/ message builders, tested without a kernel: build a message, parse it
 * back with libnftnl's own parser and compare (build-parse-compare).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "nft/nft.h"

struct want_key {
	uint8_t key[16];
	uint32_t flags;
	uint64_t timeout;
};

static struct sw_nft_elem mk(const char *cidr, uint64_t timeout)
{
	struct sw_nft_elem e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(sw_cidr_parse(cidr, &e.ip, &e.prefix), 0);
	e.timeout_ms = timeout;
	return e;
}

/*
 * libnftnl numbers the element nests 1..n when it builds (the kernel ignores
 * the nest type) but its own parser wants NFTA_LIST_ELEM (1) on each: number
 * them back before parsing.  Only the nest types change.
 */
static void renumber(void *buf)
{
	struct nlmsghdr *nlh = buf;
	struct nlattr *a, *el;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
			el->nla_type = (uint16_t)((el->nla_type & ~NLA_TYPE_MASK) | NFTA_LIST_ELEM);
	}
}

/* Parse the message at @buf and compare its keys with @want in order. */
static void parse_compare(void *buf, const char *set, unsigned int keylen,
			  const struct want_key *want, size_t nwant)
{
	const struct nlmsghdr *nlh = buf;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *se;
	size_t i = 0;

	assert_non_null(s);
	renumber(buf);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_TABLE), "sidewall");
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME), set);
	it = nftnl_set_elems_iter_create(s);
	assert_non_null(it);
	for (se = nftnl_set_elems_iter_next(it); se; se = nftnl_set_elems_iter_next(it), i++) {
		uint32_t len = 0;
		const void *k = nftnl_set_elem_get(se, NFTNL_SET_ELEM_KEY, &len);
		uint32_t flags = nftnl_set_elem_is_set(se, NFTNL_SET_ELEM_FLAGS) ?
				 nftnl_set_elem_get_u32(se, NFTNL_SET_ELEM_FLAGS) : 0;
		uint64_t to = nftnl_set_elem_is_set(se, NFTNL_SET_ELEM_TIMEOUT) ?
			      nftnl_set_elem_get_u64(se, NFTNL_SET_ELEM_TIMEOUT) : 0;

		assert_true(i < nwant);
		assert_int_equal(len, keylen);
		assert_memory_equal(k, want[i].key, keylen);
		assert_int_equal(flags, want[i].flags);
		assert_int_equal(to, want[i].timeout);
	}
	assert_int_equal(i, nwant);
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
}

static const struct {
	const char *cidr;
	uint64_t timeout;
	/* expected start and end keys (end all-zero + has_end=0: open) */
	uint8_t start[4], end[4];
	int has_end;
} v4_cases[] = {
	{ "10.0.0.0/24", 60000, { 10, 0, 0, 0 }, { 10, 0, 1, 0 }, 1 },
	{ "10.1.2.3", 1000, { 10, 1, 2, 3 }, { 10, 1, 2, 4 }, 1 },
	{ "10.1.2.255/32", 5, { 10, 1, 2, 255 }, { 10, 1, 3, 0 }, 1 },
	{ "10.255.255.255", 0, { 10, 255, 255, 255 }, { 11, 0, 0, 0 }, 1 },
	{ "172.16.0.0/12", 7, { 172, 16, 0, 0 }, { 172, 32, 0, 0 }, 1 },
	{ "10.128.0.0/9", 9, { 10, 128, 0, 0 }, { 11, 0, 0, 0 }, 1 },
	{ "255.255.255.0/24", 3, { 255, 255, 255, 0 }, { 0 }, 0 },
	{ "255.255.255.255", 3, { 255, 255, 255, 255 }, { 0 }, 0 },
	{ "0.0.0.0/0", 3, { 0, 0, 0, 0 }, { 0 }, 0 },
};

static void test_elems_v4_table(void **state)
{
	uint8_t buf[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v4_cases) / sizeof(v4_cases[0]); i++) {
		struct sw_nft_elem e = mk(v4_cases[i].cidr, v4_cases[i].timeout);
		struct want_key w[2];
		size_t off = 0;

		memset(w, 0, sizeof(w));
		memcpy(w[0].key, v4_cases[i].start, 4);
		w[0].timeout = v4_cases[i].timeout;
		memcpy(w[1].key, v4_cases[i].end, 4);
		w[1].flags = NFT_SET_ELEM_INTERVAL_END;
		assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM,
						    NLM_F_CREATE | NLM_F_ACK, 42, "sidewall",
						    SW_NFT_BLOCK, AF_INET, &e, 1), 1);
		assert_true(off > 0 && off <= sizeof(buf));
		assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_seq, 42);
		parse_compare(buf, "block4", 4, w, v4_cases[i].has_end ? 2 : 1);
	}
}

static void test_elems_v6_and_delete(void **state)
{
	uint8_t buf[4096];
	struct sw_nft_elem e[2] = { mk("2001:db8::/32", 5000), mk("2001:db8:1::ffff", 6000) };
	struct want_key w[4];
	size_t off = 0;

	(void)state;
	memset(w, 0, sizeof(w));
	memcpy(w[0].key, e[0].ip.a, 16);
	w[0].timeout = 5000;
	memcpy(w[1].key, e[0].ip.a, 16);
	w[1].key[3] = 0xb9; /* 2001:db9:: */
	w[1].flags = NFT_SET_ELEM_INTERVAL_END;
	memcpy(w[2].key, e[1].ip.a, 16);
	w[2].timeout = 6000;
	memcpy(w[3].key, e[1].ip.a, 16);
	w[3].key[13] = 1;
	w[3].key[14] = 0;
	w[3].key[15] = 0; /* ...:1:0:0 after :ffff */
	w[3].flags = NFT_SET_ELEM_INTERVAL_END;
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM, NLM_F_ACK,
					    1, "sidewall", SW_NFT_BLOCK, AF_INET6, e, 2), 2);
	parse_compare(buf, "block6", 16, w, 4);

	/* a delete carries no timeout */
	off = 0;
	w[0].timeout = 0;
	w[2].timeout = 0;
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_DELSETELEM, NLM_F_ACK,
					    1, "sidewall", SW_NFT_BLOCK, AF_INET6, e, 2), 2);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type & 0xff, NFT_MSG_DELSETELEM);
	parse_compare(buf, "block6", 16, w, 4);
}

static void test_quarantine_single_keys(void **state)
{
	uint8_t buf[1024];
	struct sw_nft_elem e = mk("10.77.0.9", 123);
	struct sw_nft_elem bad = mk("10.77.0.0/24", 0);
	struct want_key w = { { 10, 77, 0, 9 }, 0, 0 };
	size_t off = 0;

	(void)state;
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM, NLM_F_ACK,
					    7, "sidewall", SW_NFT_QUAR, AF_INET, &e, 1), 1);
	parse_compare(buf, "quar4", 4, &w, 1); /* no end key, no timeout */
	off = 0;
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM, NLM_F_ACK,
					    7, "sidewall", SW_NFT_QUAR, AF_INET, &bad, 1), -EINVAL);
}

static void test_bad_input(void **state)
{
	uint8_t buf[1024];
	struct sw_nft_elem v6 = mk("::1", 0), v4 = mk("1.2.3.4", 0);
	size_t off = 0;

	(void)state;
	/* family mismatch */
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM, 0, 1,
					    "sidewall", SW_NFT_BLOCK, AF_INET, &v6, 1), -EINVAL);
	v4.prefix = 33;
	assert_int_equal(sw_nft_build_elems(buf, sizeof(buf), &off, NFT_MSG_NEWSETELEM, 0, 1,
					    "sidewall", SW_NFT_BLOCK, AF_INET, &v4, 1), -EINVAL);
	/* no room for even one element */
	v4.prefix = 32;
	assert_int_equal(sw_nft_build_elems(buf, 64, &off, NFT_MSG_NEWSETELEM, 0, 1,
					    "sidewall", SW_NFT_BLOCK, AF_INET, &v4, 1), -ENOSPC);
	assert_int_equal(off, 0);
}

/* Many elements: the builder stops at what fits and never writes past @len. */
static void test_elems_bounded(void **state)
{
	enum { N = 5000, LEN = 20000 };
	struct sw_nft_elem *e = calloc(N, sizeof(*e));
	uint8_t *buf = malloc(LEN + 64);
	size_t off = 0, i;
	int n;

	(void)state;
	assert_non_null(e);
	assert_non_null(buf);
	memset(buf, 0xa5, LEN + 64);
	for (i = 0; i < N; i++) {
		e[i].ip.family = AF_INET;
		e[i].ip.a[0] = 10;
		e[i].ip.a[1] = (uint8_t)(i >> 8);
		e[i].ip.a[2] = (uint8_t)i;
		e[i].prefix = 24;
		e[i].timeout_ms = 1000 + i;
	}
	n = sw_nft_build_elems(buf, LEN, &off, NFT_MSG_NEWSETELEM, 0, 1, "sidewall",
			       SW_NFT_BLOCK, AF_INET, e, N);
	assert_true(n > 10 && n < N);
	assert_true(off <= LEN);
	for (i = LEN; i < LEN + 64; i++)
		assert_int_equal(buf[i], 0xa5);
	{
		struct nftnl_set *s = nftnl_set_alloc();
		struct nftnl_set_elems_iter *it;
		size_t cnt = 0;

		renumber(buf);
		assert_int_equal(nftnl_set_elems_nlmsg_parse((struct nlmsghdr *)buf, s), 0);
		it = nftnl_set_elems_iter_create(s);
		while (nftnl_set_elems_iter_next(it))
			cnt++;
		assert_int_equal(cnt, 2 * (size_t)n);
		nftnl_set_elems_iter_destroy(it);
		nftnl_set_free(s);
	}
	free(buf);
	free(e);
}

static int count_rule_cb(struct nftnl_expr *e, void *data)
{
	(void)e;
	(*(int *)data)++;
	return 0;
}

static void test_setup_messages(void **state)
{
	struct sw_nft_config cfg = { NULL, SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD, -10 };
	size_t len = 64 * 1024, off = 0;
	uint8_t *buf = malloc(len);
	uint32_t seq = 100;
	int n, types[32] = { 0 }, chains = 0, rules = 0;
	const struct nlmsghdr *nlh;
	int left;

	(void)state;
	assert_non_null(buf);
	n = sw_nft_build_setup(buf, len, &off, &seq, &cfg);
	/* table + 4 sets + 3 counters + per hook: chain + flush + 8 rules */
	assert_int_equal(n, 1 + 4 + 3 + 2 * 10);
	assert_int_equal(seq, 100 + (uint32_t)n);
	left = (int)off;
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		int t = nlh->nlmsg_type & 0xff;

		assert_true(nlh->nlmsg_flags & NLM_F_ACK);
		assert_true(t < 32);
		types[t]++;
		if (t == NFT_MSG_NEWCHAIN) {
			struct nftnl_chain *c = nftnl_chain_alloc();

			assert_int_equal(nftnl_chain_nlmsg_parse(nlh, c), 0);
			assert_int_equal(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), -10);
			assert_string_equal(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "filter");
			chains++;
			nftnl_chain_free(c);
		} else if (t == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();
			int nexpr = 0;

			assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
			nftnl_expr_foreach(r, count_rule_cb, &nexpr);
			/* meta, cmp, payload, lookup, objref, immediate */
			assert_int_equal(nexpr, 6);
			rules++;
			nftnl_rule_free(r);
		} else if (t == NFT_MSG_NEWSET) {
			struct nftnl_set *s = nftnl_set_alloc();
			const char *name;
			uint32_t flags;

			assert_int_equal(nftnl_set_nlmsg_parse(nlh, s), 0);
			name = nftnl_set_get_str(s, NFTNL_SET_NAME);
			flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
			if (!strncmp(name, "block", 5))
				assert_int_equal(flags, NFT_SET_INTERVAL | NFT_SET_TIMEOUT);
			else
				assert_int_equal(flags, 0);
			assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
					 name[strlen(name) - 1] == '4' ? 4 : 16);
			nftnl_set_free(s);
		}
	}
	assert_int_equal(left, 0);
	assert_int_equal(types[NFT_MSG_NEWTABLE], 1);
	assert_int_equal(types[NFT_MSG_NEWSET], 4);
	assert_int_equal(types[NFT_MSG_NEWOBJ], 3);
	assert_int_equal(types[NFT_MSG_DELRULE], 2);
	assert_int_equal(chains, 2);
	assert_int_equal(rules, 16);

	/* too small a buffer: -ENOSPC, never an overrun */
	off = 0;
	seq = 1;
	assert_int_equal(sw_nft_build_setup(buf, 4096, &off, &seq, &cfg), -ENOSPC);
	assert_true(off <= 4096);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elems_v4_table),
		cmocka_unit_test(test_elems_v6_and_delete),
		cmocka_unit_test(test_quarantine_single_keys),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_elems_bounded),
		cmocka_unit_test(test_setup_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
