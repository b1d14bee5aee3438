/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reject replies: built packets are decoded back with checksum validation
 * on (build-parse-compare), so a wrong checksum or a wrong field fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "engine/decode/decode.h"
#include "engine/output/reject.h"

static void decode_raw(struct sw_packet *p, const uint8_t *buf, int len)
{
	struct sw_decode_stats st;

	memset(&st, 0, sizeof(st));
	memset(p, 0, sizeof(*p));
	p->data = buf;
	p->caplen = p->wirelen = (uint32_t)len;
	p->linktype = SW_LINK_RAW;
	assert_int_equal(sw_decode(p, true, &st), 0);
	assert_int_equal(p->csum_bad, 0);
}

/* A TCP data segment 10.0.0.1:40000 -> 10.0.0.2:80, seq 1000, ack 5000, 5 payload bytes. */
static int tcp_segment(uint8_t *b, int v6)
{
	int n;

	/* Written by hand: building it with the code under test would be circular. */
	memset(b, 0, 100);
	if (!v6) {
		static const uint8_t ip[] = { 0x45, 0, 0, 45, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
		memcpy(b, ip, 20);
		n = 20;
	} else {
		b[0] = 0x60;
		b[5] = 25;
		b[6] = 6;
		b[7] = 64;
		b[8] = 0xfd;
		b[23] = 1;
		b[24] = 0xfd;
		b[39] = 2;
		n = 40;
	}
	b[n + 0] = 40000 >> 8;
	b[n + 1] = 40000 & 0xff;
	b[n + 3] = 80;
	b[n + 6] = 1000 >> 8;
	b[n + 7] = 1000 & 0xff;
	b[n + 10] = 5000 >> 8;
	b[n + 11] = 5000 & 0xff;
	b[n + 12] = 5 << 4;
	b[n + 13] = 0x18; /* PSH|ACK */
	b[n + 15] = 0xff;
	memcpy(b + n + 20, "hello", 5);
	return n + 25;
}

static void fix_checksums(uint8_t *b, int len, int v6)
{
	/* RFC 1071 sums, computed here independently of engine/reject.c. */
	uint32_t acc = 0;
	int hl = v6 ? 40 : 20;
	int l4 = len - hl;

	if (!v6) {
		b[10] = b[11] = 0;
		for (int i = 0; i < 20; i += 2)
			acc += (uint32_t)b[i] << 8 | b[i + 1];
		while (acc >> 16)
			acc = (acc & 0xffff) + (acc >> 16);
		b[10] = (uint8_t)(~acc >> 8);
		b[11] = (uint8_t)~acc;
		acc = 0;
		for (int i = 12; i < 20; i += 2)
			acc += (uint32_t)b[i] << 8 | b[i + 1];
	} else {
		for (int i = 8; i < 40; i += 2)
			acc += (uint32_t)b[i] << 8 | b[i + 1];
	}
	acc += 6 + (uint32_t)l4;
	b[hl + 16] = b[hl + 17] = 0;
	for (int i = 0; i < l4; i += 2)
		acc += (uint32_t)b[hl + i] << 8 | (i + 1 < l4 ? b[hl + i + 1] : 0);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	b[hl + 16] = (uint8_t)(~acc >> 8);
	b[hl + 17] = (uint8_t)~acc;
}

static void check_rst(int v6)
{
	uint8_t seg[100], out[SW_REJECT_MAX];
	struct sw_packet p, r;
	int len = tcp_segment(seg, v6);
	int n;

	fix_checksums(seg, len, v6);
	decode_raw(&p, seg, len);
	assert_int_equal(p.payload_len, 5);

	/* Towards the sender: from the server's address, seq = its ack, acks the data. */
	n = sw_reject_tcp_rst(&p, true, out, sizeof(out));
	assert_true(n > 0);
	decode_raw(&r, out, n);
	assert_true(sw_ip_eq(&r.src, &p.dst));
	assert_true(sw_ip_eq(&r.dst, &p.src));
	assert_int_equal(r.sport, 80);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.tcp_flags, SW_TCP_RST | SW_TCP_ACK);
	assert_int_equal(r.tcp_seq, 5000);
	assert_int_equal(r.tcp_ack, 1005);
	assert_int_equal(r.payload_len, 0);

	/* Towards the receiver: the sender's tuple, the dropped segment's own sequence number (RFC 5961). */
	n = sw_reject_tcp_rst(&p, false, out, sizeof(out));
	assert_true(n > 0);
	decode_raw(&r, out, n);
	assert_true(sw_ip_eq(&r.src, &p.src));
	assert_int_equal(r.sport, 40000);
	assert_int_equal(r.dport, 80);
	assert_int_equal(r.tcp_seq, 1000);
	assert_true(r.tcp_flags & SW_TCP_RST);
}

static void test_rst_v4(void **state)
{
	(void)state;
	check_rst(0);
}

static void test_rst_v6(void **state)
{
	(void)state;
	check_rst(1);
}

static void test_icmp_unreach_quotes_offender(void **state)
{
	uint8_t seg[100], out[SW_REJECT_MAX];
	struct sw_packet p, r;
	int len = tcp_segment(seg, 0);
	int n;
	(void)state;

	fix_checksums(seg, len, 0);
	decode_raw(&p, seg, len);
	n = sw_reject_icmp_unreach(&p, out, sizeof(out));
	/* RFC 792: IP header + 8 bytes of the datagram. */
	assert_int_equal(n, 20 + 8 + 20 + 8);
	decode_raw(&r, out, n);
	assert_int_equal(r.proto, 1);
	assert_int_equal(r.icmp_type, 3);
	assert_int_equal(r.icmp_code, 3);
	assert_true(sw_ip_eq(&r.dst, &p.src));
	assert_memory_equal(out + 28, seg, 28);
}

static void test_rejects_non_tcp_and_small_buffers(void **state)
{
	struct sw_packet p;
	uint8_t out[40];
	(void)state;

	memset(&p, 0, sizeof(p));
	assert_int_equal(sw_reject_tcp_rst(&p, true, out, sizeof(out)), -EINVAL);
	assert_int_equal(sw_reject_icmp_unreach(&p, out, sizeof(out)), -EINVAL);
	p.proto = 6;
	p.l4_ok = true;
	p.ip_ver = 4;
	assert_int_equal(sw_reject_tcp_rst(&p, true, out, sizeof(out)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_v4),
		cmocka_unit_test(test_rst_v6),
		cmocka_unit_test(test_icmp_unreach_quotes_offender),
		cmocka_unit_test(test_rejects_non_tcp_and_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
