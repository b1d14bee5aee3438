/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: fuzzed TCP segments of one flow, both directions,
 * through sw_stream_packet() with a small held-segment pool (40 units:
 * about 20 KiB of blocks) so that holding, gap filling, overlaps, pool
 * exhaustion, the held window and giving up are all reached.  Every copy of a sequence number carries the
 * same byte (a function of the sequence number), so whatever the overlap
 * policy (one per input) every new byte of a stream view must be that byte: a view that
 * joins held data in the wrong place or order fails.  Flow end must return
 * every unit.
 *
 * Input: records of [flags u8][delta u16][len u8][big u8]:
 *   flags: bit 0 direction, bits 1..5 TCP flags FIN SYN RST PSH ACK;
 *   delta: the segment starts at next_seq + delta - 4096 (or at delta <<
 *   16 when the direction has no sequence yet); len, times 64 when big & 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flow/flow.h"
#include "engine/flow/stream.h"

#define WIN 64

static uint8_t tails[2 * WIN];
static uint8_t seg[255 * 64];
static uint8_t *scratch;
static size_t scratch_len;

static uint8_t pattern(uint32_t seq)
{
	return (uint8_t)(seq * 2654435761u >> 11);
}

static void gap(void *ctx, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base)
{
	(void)ctx;
	(void)base;
	if (!f || dir < 0 || dir > 1 || !data || len == 0 || len > SW_STREAM_HELD_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sw_stream_pool *pool = sw_stream_pool_new(40 * SW_STREAM_UNIT_SIZE, gap, NULL);
	/* Every policy (from the input's length), and a depth the input can reach. */
	struct sw_stream_config cfg = { .depth = 48u << 10, .midstream = true, .async_oneside = true,
					.policy = (uint8_t)(SW_STREAM_POL_FIRST + n % (SW_STREAM_POL__COUNT - 1)) };
	struct sw_stream_stats st;
	struct sw_stream_view v;
	struct sw_packet p;
	struct sw_flow f;

	if (!pool)
		return 0;
	if (!scratch) {
		scratch_len = WIN + SW_STREAM_HELD_MAX + sizeof(seg);
		scratch = malloc(scratch_len);
		if (!scratch)
			abort();
	}
	memset(&f, 0, sizeof(f));
	memset(&st, 0, sizeof(st));
	f.stream[0].tail = tails;
	f.stream[1].tail = tails + WIN;
	memset(&p, 0, sizeof(p));
	p.flow = &f;
	p.proto = 6;
	p.l4_ok = true;
	for (size_t i = 0; i + 5 <= n; i += 5) {
		const uint8_t *r = d + i;
		struct sw_stream_dir *s;
		uint32_t delta = (uint32_t)r[1] << 8 | r[2], len = r[3], before;
		bool was_sync;

		p.to_server = r[0] & 1;
		s = &f.stream[p.to_server ? 0 : 1];
		p.tcp_flags = (uint8_t)((r[0] >> 1) & 0x1f);
		if (r[4] & 1)
			len *= 64;
		p.tcp_seq = s->in_sync ? s->next_seq + delta - 4096 : delta << 16;
		for (uint32_t k = 0; k < len; k++)
			seg[k] = pattern(p.tcp_seq + ((p.tcp_flags & SW_TCP_SYN) ? 1 : 0) + k);
		p.payload = seg;
		p.payload_len = len;
		was_sync = s->in_sync && !(p.tcp_flags & SW_TCP_SYN);
		before = s->next_seq;
		if (sw_stream_packet(&p, WIN, &cfg, pool, scratch, scratch_len, &v, &st) != 0)
			abort();
		if (v.new_off > v.len || s->tail_len > WIN || s->held_bytes > SW_STREAM_HELD_MAX)
			abort();
		if (!v.in_stream && (v.data != p.payload || v.len != p.payload_len))
			abort();
		if (v.in_stream && v.len > v.new_off && was_sync)
			for (uint32_t k = 0; k < v.len - v.new_off; k++)
				if (v.data[v.new_off + k] != pattern(before + k))
					abort();
	}
	sw_stream_flow_end(&f, pool, scratch, scratch_len, &st);
	if (f.stream[0].held || f.stream[1].held || sw_stream_pool_memuse(pool) != 0)
		abort();
	sw_stream_pool_free(pool);
	return 0;
}
