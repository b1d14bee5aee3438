/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: a stream of fragments through sw_decode() and
 * sw_defrag_packet(), as the worker runs them, with small caps so that
 * eviction, timeouts and memcap exhaustion are reached.  Every datagram
 * that completes is decoded again and checked for the invariants the
 * worker relies on (bounded length, no fragment bits, an IP header the
 * decoder accepts).  The overlap policy (bsd or first) is picked by the
 * input's length.
 *
 * Input: records of [kind u8][...]:
 *   kind & 1 == 0: a raw packet: [len u8][len bytes] (any bytes, raw IP);
 *   kind & 1 == 1: a fragment built here from fuzzed fields, so that most
 *     inputs are fragments of a few datagrams that collide, overlap and
 *     complete: [id u8][off u16][len u8][flags u8][fill u8], flags: 1 more,
 *     2 IPv6, 4 TCP (else UDP), 8 a hop-by-hop header first (16: a wrong length).
 *   kind >> 5: seconds to advance packet time by (0..7), so trackers time out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/decode.h"
#include "engine/decode/defrag.h"

static uint8_t pkt[2048];

static void put16(uint8_t *o, uint32_t v)
{
	o[0] = (uint8_t)(v >> 8);
	o[1] = (uint8_t)v;
}

static uint32_t build(const uint8_t *r)
{
	uint32_t id = r[0] & 7, off = ((uint32_t)r[1] << 8 | r[2]) & 0x1ff8, len = r[3];
	bool more = r[4] & 1, v6 = r[4] & 2, hbh = v6 && (r[4] & 8);
	uint32_t h = v6 ? 48 + (hbh ? 8 : 0) : 20;

	memset(pkt, 0, h);
	if (!v6) {
		pkt[0] = 0x45;
		put16(pkt + 2, h + len);
		put16(pkt + 4, id);
		put16(pkt + 6, (more ? 0x2000 : 0) | off / 8);
		pkt[8] = 64;
		pkt[9] = r[4] & 4 ? 6 : 17;
		pkt[12] = 10;
		pkt[15] = 1;
		pkt[16] = 10;
		pkt[19] = 2;
	} else {
		uint32_t f = hbh ? 48 : 40;

		pkt[0] = 0x60;
		put16(pkt + 4, h - 40 + len);
		pkt[6] = hbh ? 0 : 44;
		pkt[7] = 64;
		pkt[8] = 0xfd;
		pkt[23] = 1;
		pkt[24] = 0xfd;
		pkt[39] = 2;
		if (hbh) {
			/* hop-by-hop options (PadN) before the fragment header; its length byte is fuzzed */
			pkt[40] = 44;
			pkt[41] = r[4] & 16 ? 1 : 0;
			pkt[42] = 1;
			pkt[43] = 4;
		}
		pkt[f] = r[4] & 4 ? 6 : 17;
		put16(pkt + f + 2, off | (more ? 1 : 0));
		pkt[f + 7] = (uint8_t)id;
	}
	memset(pkt + h, r[5], len);
	return h + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_defrag *d;
	struct sw_defrag_config cfg = { .enabled = true, .memcap = 8 * 528, .trackers = 4, .max_frags = 12, .timeout = 3 };
	struct sw_decode_stats ds;
	int64_t ts = 1000000;
	size_t i = 0;

	/* Both policies: the input's length picks one. */
	cfg.policy = size & 1 ? SW_DEFRAG_POLICY_FIRST : SW_DEFRAG_POLICY_BSD;
	/* A fresh defragmenter per input: results depend on this input only. */
	sw_defrag_free(d);
	d = sw_defrag_new(&cfg);
	if (!d)
		abort();
	memset(&ds, 0, sizeof(ds));
	while (i < size) {
		uint8_t kind = data[i++];
		struct sw_packet p;
		struct sw_defrag_out o;

		memset(&p, 0, sizeof(p));
		ts += (int64_t)(kind >> 5) * 1000000;
		if (kind & 1) {
			if (size - i < 6)
				break;
			p.caplen = build(data + i);
			i += 6;
		} else {
			uint32_t n;

			if (i >= size)
				break;
			n = data[i++];
			if (n > size - i)
				n = (uint32_t)(size - i);
			memcpy(pkt, data + i, n);
			i += n;
			p.caplen = n;
		}
		p.data = pkt;
		p.wirelen = p.caplen;
		p.linktype = SW_LINK_RAW;
		p.ts_usec = ts;
		if (sw_decode(&p, kind & 2, &ds) < 0 || !p.frag)
			continue;
		if (sw_defrag_packet(d, &p, &o) == 1) {
			struct sw_packet r;

			if (o.len > 65535 + 40 || o.nfrags < 2 || o.wire_bytes < o.len)
				abort();
			memset(&r, 0, sizeof(r));
			r.data = o.data;
			r.caplen = r.wirelen = o.len;
			r.linktype = SW_LINK_RAW;
			/* The rebuilt header must decode, cover exactly o.len and not be a fragment. */
			if (sw_decode(&r, true, &ds) < 0 || r.frag || r.l3_len != o.len)
				abort();
			if (r.ip_ver == 4 && (r.csum_bad & SW_PKT_CSUM_BAD_IP))
				abort();
		}
	}
	sw_defrag_expire(d, ts + 3 * 1000000);
	if (sw_defrag_stats(d)->memuse != 0)
		abort(); /* everything held is released once it times out */
	return 0;
}
