// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enforcement protocol: round trips, and one test per rejection (truncated,
 * oversized, forged, wrong key, wrong direction, bad values, replayed, stale).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nft/proto.h"

struct keys {
	uint8_t spriv[32], spub[32]; /* sensor */
	uint8_t epriv[32], epub[32]; /* enforcer */
	struct sw_proto_peer s2e, e2s;
};

static struct keys K;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(sw_proto_init(), 0);
	sw_proto_genkey(K.spriv);
	sw_proto_genkey(K.epriv);
	assert_int_equal(sw_proto_pubkey(K.spriv, K.spub), 0);
	assert_int_equal(sw_proto_pubkey(K.epriv, K.epub), 0);
	assert_int_equal(sw_proto_peer_init(&K.s2e, K.spriv, K.epub), 0);
	assert_int_equal(sw_proto_peer_init(&K.e2s, K.epriv, K.spub), 0);
	return 0;
}

static struct sw_proto_req mkreq(uint8_t op, const char *cidr, uint32_t ttl, const char *reason)
{
	struct sw_proto_req r;

	memset(&r, 0, sizeof(r));
	r.op = op;
	r.counter = 1000;
	r.timestamp = 1700000000;
	if (cidr)
		assert_int_equal(sw_cidr_parse(cidr, &r.ip, &r.prefix), 0);
	r.ttl = ttl;
	if (reason)
		strcpy(r.reason, reason);
	return r;
}

static void test_keys_b64(void **state)
{
	char b64[SW_PROTO_KEY_B64_LEN];
	uint8_t back[32];

	(void)state;
	sw_proto_key_to_b64(K.spub, b64);
	assert_int_equal(strlen(b64), 44);
	assert_int_equal(sw_proto_key_from_b64(b64, back), 0);
	assert_memory_equal(back, K.spub, 32);
	assert_int_equal(sw_proto_key_from_b64("  short==\n", back), -EINVAL);
	b64[10] = '!';
	assert_int_equal(sw_proto_key_from_b64(b64, back), -EINVAL);
}

static void test_roundtrip_table(void **state)
{
	const struct sw_proto_req reqs[] = {
		mkreq(SW_OP_BLOCK, "10.77.1.0/24", 600, "sid:2001 ET SCAN"),
		mkreq(SW_OP_BLOCK, "2001:db8::/48", 1, ""),
		mkreq(SW_OP_UNBLOCK, "10.77.1.5", 0, NULL),
		mkreq(SW_OP_QUARANTINE, "10.77.3.3", 0, NULL),
		mkreq(SW_OP_RELEASE, "fd77::3", 0, NULL),
		mkreq(SW_OP_LIST, NULL, 0, NULL),
	};
	uint8_t frame[SW_PROTO_MAX_REQ], pub[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct sw_proto_req got;
		int n = sw_proto_seal_req(&K.s2e, K.spub, &reqs[i], frame, sizeof(frame));

		assert_true(n > SW_PROTO_HDR_LEN);
		assert_int_equal(sw_proto_peek(frame, (size_t)n, SW_PROTO_MAX_REQ, SW_PROTO_REQUEST, pub), 0);
		assert_memory_equal(pub, K.spub, 32);
		assert_int_equal(sw_proto_open_req(&K.e2s, frame, (size_t)n, &got), 0);
		assert_int_equal(got.op, reqs[i].op);
		assert_int_equal(got.counter, reqs[i].counter);
		assert_int_equal(got.timestamp, reqs[i].timestamp);
		if (reqs[i].op != SW_OP_LIST) {
			assert_true(sw_ip_eq(&got.ip, &reqs[i].ip));
			assert_int_equal(got.prefix, reqs[i].prefix);
		}
		assert_int_equal(got.ttl, reqs[i].ttl);
		assert_string_equal(got.reason, reqs[i].reason);
	}
}

static void test_response_roundtrip(void **state)
{
	static struct sw_proto_resp r, got;
	static uint8_t frame[SW_PROTO_MAX_RESP];
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.counter = 77;
	r.status = 1;
	r.ttl = 3600;
	strcpy(r.text, "refused: 10.77.0.1 is on the never-block list");
	r.text_len = (uint16_t)strlen(r.text);
	n = sw_proto_seal_resp(&K.e2s, K.epub, &r, frame, sizeof(frame));
	assert_true(n > 0);
	assert_int_equal(sw_proto_open_resp(&K.s2e, frame, (size_t)n, &got), 0);
	assert_int_equal(got.counter, 77);
	assert_int_equal(got.status, 1);
	assert_int_equal(got.ttl, 3600);
	assert_string_equal(got.text, r.text);
	/* a response is never accepted as a request (direction is authenticated) */
	{
		struct sw_proto_req q;

		assert_int_equal(sw_proto_open_req(&K.s2e, frame, (size_t)n, &q), n > SW_PROTO_MAX_REQ ? -EMSGSIZE : -EINVAL);
	}
}

static void test_encode_refuses_bad_requests(void **state)
{
	struct sw_proto_req r = mkreq(SW_OP_BLOCK, "10.0.0.0/8", 5, "x");
	uint8_t frame[SW_PROTO_MAX_REQ];

	(void)state;
	r.prefix = 33;
	assert_int_equal(sw_proto_seal_req(&K.s2e, K.spub, &r, frame, sizeof(frame)), -EINVAL);
	r = mkreq(SW_OP_BLOCK, "10.0.0.0/8", 5, "bell\a");
	assert_int_equal(sw_proto_seal_req(&K.s2e, K.spub, &r, frame, sizeof(frame)), -EINVAL);
	r = mkreq(9, "10.0.0.0/8", 5, "x");
	assert_int_equal(sw_proto_seal_req(&K.s2e, K.spub, &r, frame, sizeof(frame)), -EINVAL);
	r = mkreq(SW_OP_BLOCK, "10.0.0.0/8", 5, "x");
	assert_int_equal(sw_proto_seal_req(&K.s2e, K.spub, &r, frame, 40), -ENOSPC);
}

static void test_truncated_every_length(void **state)
{
	struct sw_proto_req r = mkreq(SW_OP_BLOCK, "10.77.1.0/24", 600, "trunc"), got;
	uint8_t frame[SW_PROTO_MAX_REQ];
	int n = sw_proto_seal_req(&K.s2e, K.spub, &r, frame, sizeof(frame));
	size_t len;

	(void)state;
	assert_true(n > 0);
	for (len = 0; len < (size_t)n; len++)
		assert_int_equal(sw_proto_open_req(&K.e2s, frame, len, &got), -EBADMSG);
}

static void test_oversized(void **state)
{
	static uint8_t big[SW_PROTO_MAX_REQ + 100];
	struct sw_proto_req got;

	(void)state;
	memset(big, 0, sizeof(big));
	assert_int_equal(sw_proto_open_req(&K.e2s, big, sizeof(big), &got), -EMSGSIZE);
}

/* Any single flipped bit anywhere in the frame is rejected. */
static void test_forged_every_byte(void **state)
{
	struct sw_proto_req r = mkreq(SW_OP_QUARANTINE, "10.77.3.3", 0, NULL), got;
	uint8_t frame[SW_PROTO_MAX_REQ];
	int n = sw_proto_seal_req(&K.s2e, K.spub, &r, frame, sizeof(frame)), i;

	(void)state;
	for (i = 0; i < n; i++) {
		int ret;

		frame[i] ^= 0x01;
		ret = sw_proto_open_req(&K.e2s, frame, (size_t)n, &got);
		assert_true(ret == -EBADMSG || ret == -EPROTO || ret == -EINVAL || ret == -ENOKEY);
		frame[i] ^= 0x01;
	}
	assert_int_equal(sw_proto_open_req(&K.e2s, frame, (size_t)n, &got), 0);
}

static void test_unknown_and_impersonating_keys(void **state)
{
	uint8_t mpriv[32], mpub[32], frame[SW_PROTO_MAX_REQ];
	struct sw_proto_peer m2e;
	struct sw_proto_req r = mkreq(SW_OP_BLOCK, "10.77.2.0/24", 60, "mallory"), got;
	int n;

	(void)state;
	sw_proto_genkey(mpriv);
	sw_proto_pubkey(mpriv, mpub);
	assert_int_equal(sw_proto_peer_init(&m2e, mpriv, K.epub), 0);
	/* an honest unknown key: the enforcer's peer for the sensor refuses it */
	n = sw_proto_seal_req(&m2e, mpub, &r, frame, sizeof(frame));
	assert_int_equal(sw_proto_open_req(&K.e2s, frame, (size_t)n, &got), -ENOKEY);
	/* claiming the sensor's public key without its private key: tag fails */
	n = sw_proto_seal_req(&m2e, K.spub, &r, frame, sizeof(frame));
	assert_int_equal(sw_proto_open_req(&K.e2s, frame, (size_t)n, &got), -EBADMSG);
	/* low-order peer key is refused outright */
	{
		uint8_t zero[32] = { 0 };

		assert_int_equal(sw_proto_peer_init(&m2e, mpriv, zero), -EINVAL);
	}
}

/* Authentic frames whose bodies are malformed: sealed raw. */
static void test_bad_bodies(void **state)
{
	static const struct {
		uint8_t pt[64];
		size_t len;
		int want;
	} cases[] = {
		/* counter + ts + op 9 */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, 17, -EINVAL },
		/* op 0 */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, 17, -EINVAL },
		/* short counter */
		{ { 0, 0, 0 }, 3, -EBADMSG },
		/* QUARANTINE family 5 */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 3, 5, 1, 2, 3, 4 }, 22, -EINVAL },
		/* BLOCK prefix 33 */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 4, 33, 1, 2, 3, 4, 0, 0, 0, 1, 0 }, 28, -EINVAL },
		/* BLOCK reason length past the end */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 4, 32, 1, 2, 3, 4, 0, 0, 0, 1, 9, 'a' }, 29, -EBADMSG },
		/* BLOCK reason with a control character */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 4, 32, 1, 2, 3, 4, 0, 0, 0, 1, 1, '\n' }, 29, -EINVAL },
		/* LIST with trailing bytes */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0 }, 18, -EBADMSG },
		/* UNBLOCK truncated address */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 6, 128, 1, 2 }, 21, -EBADMSG },
		/* valid BLOCK for contrast */
		{ { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 4, 32, 1, 2, 3, 4, 0, 0, 0, 1, 1, 'a' }, 29, 0 },
	};
	uint8_t frame[SW_PROTO_MAX_REQ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_proto_req got;
		int n = sw_proto_seal_raw(&K.s2e, K.spub, SW_PROTO_REQUEST, cases[i].pt, cases[i].len,
					  frame, sizeof(frame));

		assert_true(n > 0);
		assert_int_equal(sw_proto_open_req(&K.e2s, frame, (size_t)n, &got), cases[i].want);
	}
}

static void test_replay_and_window(void **state)
{
	static const struct {
		uint64_t counter, ts, last, now, window;
		int want;
	} cases[] = {
		{ 11, 1000, 10, 1000, 60, 0 },
		{ 10, 1000, 10, 1000, 60, -EALREADY },   /* replayed */
		{ 9, 1000, 10, 1000, 60, -EALREADY },    /* older */
		{ 11, 900, 10, 1000, 60, -ETIME },       /* stale */
		{ 11, 1100, 10, 1000, 60, -ETIME },      /* from the future */
		{ 11, 940, 10, 1000, 60, 0 },            /* edge of the window */
		{ 11, UINT64_MAX, 10, 1000, 60, -ETIME },/* no overflow */
		{ UINT64_MAX, 1000, UINT64_MAX - 1, 1000, 60, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_proto_req r = mkreq(SW_OP_LIST, NULL, 0, NULL);

		r.counter = cases[i].counter;
		r.timestamp = cases[i].ts;
		assert_int_equal(sw_proto_fresh(&r, cases[i].last, cases[i].now, cases[i].window),
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_b64),
		cmocka_unit_test(test_roundtrip_table),
		cmocka_unit_test(test_response_roundtrip),
		cmocka_unit_test(test_encode_refuses_bad_requests),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_forged_every_byte),
		cmocka_unit_test(test_unknown_and_impersonating_keys),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_replay_and_window),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
