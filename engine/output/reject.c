/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reject.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/csum.h"

/* IP header from @src to @dst carrying @l4len bytes of @proto; returns its length. */
static size_t ip_header(uint8_t *b, const struct sw_ip *src, const struct sw_ip *dst, uint8_t proto, size_t l4len)
{
	if (src->family == AF_INET) {
		memset(b, 0, 20);
		b[0] = 0x45;
		sw_store_be16(b + 2, (uint16_t)(20 + l4len));
		sw_store_be16(b + 6, 0x4000); /* DF */
		b[8] = 64;
		b[9] = proto;
		memcpy(b + 12, src->a, 4);
		memcpy(b + 16, dst->a, 4);
		sw_store_be16(b + 10, sw_csum_fold(sw_csum_add(b, 20, 0)));
		return 20;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	sw_store_be16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = 64;
	memcpy(b + 8, src->a, 16);
	memcpy(b + 24, dst->a, 16);
	return 40;
}

/* L4 checksum over the pseudo-header (RFC 793 / RFC 8200 8.1). */
static uint16_t l4_csum(const struct sw_ip *src, const struct sw_ip *dst, uint8_t proto, const uint8_t *l4,
			size_t len)
{
	size_t alen = src->family == AF_INET ? 4 : 16;
	uint32_t acc = sw_csum_add(src->a, alen, 0);

	acc = sw_csum_add(dst->a, alen, acc);
	acc += proto;
	acc += (uint32_t)len;
	return sw_csum_fold(sw_csum_add(l4, len, acc));
}

int sw_reject_tcp_rst(const struct sw_packet *p, bool to_sender, uint8_t *buf, size_t len)
{
	const struct sw_ip *src = to_sender ? &p->dst : &p->src;
	const struct sw_ip *dst = to_sender ? &p->src : &p->dst;
	uint32_t seg_len = p->payload_len + !!(p->tcp_flags & 0x02) + !!(p->tcp_flags & 0x01);
	size_t hl;
	uint8_t *t;

	if (p->proto != 6 || !p->l4_ok || (p->ip_ver != 4 && p->ip_ver != 6))
		return -EINVAL;
	if (len < 60)
		return -ENOSPC;
	hl = p->ip_ver == 4 ? 20 : 40;
	t = buf + hl;
	memset(t, 0, 20);
	if (to_sender) {
		/*
		 * RFC 793 reset generation: answer with seq = the peer's ack (so the
		 * sender accepts it) and ACK its data.
		 */
		sw_store_be16(t, p->dport);
		sw_store_be16(t + 2, p->sport);
		sw_store_be32(t + 4, (p->tcp_flags & 0x10) ? p->tcp_ack : 0);
		sw_store_be32(t + 8, p->tcp_seq + seg_len);
		t[13] = 0x14; /* RST|ACK */
	} else {
		/*
		 * Towards the receiver, in place of the segment we drop: the
		 * receiver still expects exactly p->tcp_seq, and RFC 5961 3.2
		 * (Linux) accepts a RST only at that value; any other in-window
		 * value draws a challenge ACK and the connection stays open.
		 */
		sw_store_be16(t, p->sport);
		sw_store_be16(t + 2, p->dport);
		sw_store_be32(t + 4, p->tcp_seq);
		sw_store_be32(t + 8, p->tcp_ack);
		t[13] = (p->tcp_flags & 0x10) ? 0x14 : 0x04;
	}
	t[12] = 5 << 4;
	ip_header(buf, src, dst, 6, 20);
	sw_store_be16(t + 16, l4_csum(src, dst, 6, t, 20));
	return (int)(hl + 20);
}

int sw_reject_icmp_unreach(const struct sw_packet *p, uint8_t *buf, size_t len)
{
	size_t hl, quote, max;
	uint8_t *t;

	if ((p->ip_ver != 4 && p->ip_ver != 6) || !p->l3)
		return -EINVAL;
	hl = p->ip_ver == 4 ? 20 : 40;
	if (p->ip_ver == 4) {
		/* RFC 792: the IP header plus the first 64 bits of the datagram. */
		quote = p->ip_hlen + 8;
		max = 576 - hl - 8;
	} else {
		/* RFC 4443: as much as fits without exceeding the minimum MTU. */
		quote = p->l3_len;
		max = SW_REJECT_MAX - hl - 8;
	}
	if (quote > p->l3_len)
		quote = p->l3_len;
	if (quote > max)
		quote = max;
	if (len < hl + 8 + quote)
		return -ENOSPC;
	t = buf + hl;
	memset(t, 0, 8);
	memcpy(t + 8, p->l3, quote);
	if (p->ip_ver == 4) {
		t[0] = 3;
		t[1] = 3;
		ip_header(buf, &p->dst, &p->src, 1, 8 + quote);
		sw_store_be16(t + 2, sw_csum_fold(sw_csum_add(t, 8 + quote, 0)));
	} else {
		t[0] = 1;
		t[1] = 4;
		ip_header(buf, &p->dst, &p->src, 58, 8 + quote);
		sw_store_be16(t + 2, l4_csum(&p->dst, &p->src, 58, t, 8 + quote));
	}
	return (int)(hl + 8 + quote);
}
