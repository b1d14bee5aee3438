/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: one TLS flow (engine/app/tls.c) fed fuzzed bytes in
 * both directions, with gaps as the input says, then closed and freed --
 * twice: once each chunk whole, once each chunk cut into pieces of the
 * size the input says.  Checked on every run: the two feeds give the same
 * results (the stages reported after each chunk, every buffer instance and
 * the EVE object at the end: record and handshake reassembly must not
 * depend on where segments end); each stage arrives exactly once, after
 * the stages it needs, and the close reports every stage left; a feed
 * returns 0 or -EPROTO; every buffer can be read whole at every stage
 * (tls.random 32 bytes, tls.random_time 4, tls.random_bytes 28, ja4.hash
 * 36, ja3.hash and ja3s.hash 32); the EVE object fits its buffer; the
 * memory accounting returns to zero.
 *
 * Input: [cfg u8] then chunks [ctl u8][len be16][bytes...]:
 *   cfg: bit 0 log ja3/ja4 in EVE; bits 4-7 piece size - 1 for the cut feed;
 *   ctl: bit 7 direction (set = to client), bit 6 a gap in this direction
 *        before the chunk;
 *   len: bytes taken from what follows (clamped to what is left).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/tls.h"
#include "engine/output/eve.h"

#define MAX_CHUNKS 4096

static const enum sw_bufid BUFS[] = {
	SW_BUF_TLS_SNI,	       SW_BUF_TLS_CERT_SUBJECT, SW_BUF_TLS_CERT_ISSUER,	   SW_BUF_TLS_CERT_SERIAL,
	SW_BUF_TLS_CERT_FINGERPRINT, SW_BUF_TLS_CERTS,	SW_BUF_TLS_SUBJECTALTNAME, SW_BUF_TLS_ALPN,
	SW_BUF_TLS_RANDOM,	SW_BUF_TLS_RANDOM_TIME,	SW_BUF_TLS_RANDOM_BYTES,   SW_BUF_JA3_HASH,
	SW_BUF_JA3_STRING,	SW_BUF_JA3S_HASH,	SW_BUF_JA3S_STRING,	   SW_BUF_JA4_HASH,
};

struct run {
	unsigned seen;                 /* stages reported */
	struct sw_app_tx *tx;
	uint8_t after[MAX_CHUNKS];     /* stages reported when chunk i was fed */
	uint64_t sum;                  /* of every buffer byte and length: the end result */
};

static char jbuf[1 << 18];

/* Read every instance of every buffer; fold them into a sum. */
static uint64_t read_all(const struct sw_app_tx *tx)
{
	uint64_t sum = 0;

	for (size_t b = 0; b < sizeof(BUFS) / sizeof(BUFS[0]); b++)
		for (int ts = 0; ts < 2; ts++)
			for (uint32_t idx = 0;; idx++) {
				const uint8_t *p;
				uint32_t len;

				if (!sw_tls_tx_buf(tx, BUFS[b], ts, idx, &p, &len))
					break;
				switch (BUFS[b]) {
				case SW_BUF_TLS_RANDOM:
					if (len != 32)
						abort();
					break;
				case SW_BUF_TLS_RANDOM_TIME:
					if (len != 4)
						abort();
					break;
				case SW_BUF_TLS_RANDOM_BYTES:
					if (len != 28)
						abort();
					break;
				case SW_BUF_JA4_HASH:
					if (len != 36)
						abort();
					break;
				case SW_BUF_JA3_HASH:
				case SW_BUF_JA3S_HASH:
					if (len != 32)
						abort();
					break;
				default:
					break;
				}
				/* every byte, so ASan sees a stale or short buffer; position-weighted */
				sum = sum * 31 + len + BUFS[b] * 7 + (uint64_t)ts * 3 + idx;
				for (uint32_t i = 0; i < len; i++)
					sum = sum * 131 + p[i];
				if (idx > 4096)
					abort();
			}
	return sum;
}

static uint64_t eve_sum(const struct sw_app_tx *tx)
{
	struct sw_json j = {.b = jbuf, .len = 0, .cap = sizeof(jbuf) - 1};
	uint64_t sum = 0;

	jbuf[j.len++] = '{';
	sw_tls_tx_eve(tx, &j);
	if (j.overflow)
		abort();
	for (size_t i = 0; i < j.len; i++)
		sum = sum * 131 + (uint8_t)jbuf[i];
	return sum;
}

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct run *r = ctx;
	unsigned need = sw_app_stage_needs(st);

	if (tx->proto != SW_APP_TLS || tx->id != 0)
		abort();
	if (r->tx && r->tx != tx)
		abort(); /* one transaction per flow */
	r->tx = tx;
	if (r->seen & (1u << st))
		abort(); /* reported twice */
	if ((r->seen & need) != need)
		abort(); /* before a stage it needs */
	r->seen |= 1u << st;
	(void)read_all(tx);
	(void)eve_sum(tx);
}

static void run_flow(const uint8_t *data, size_t size, size_t piece, bool ja, struct run *r)
{
	struct sw_tls *t = sw_tls_new(ja, ja);
	struct sw_tls_flow *tf;
	size_t off = 1;
	unsigned chunk = 0;

	if (!t)
		abort();
	tf = sw_tls_flow_new(t);
	if (!tf)
		abort();
	while (off < size && chunk < MAX_CHUNKS) {
		uint8_t ctl = data[off++];
		size_t n = 0;
		bool ts = !(ctl & 0x80);

		if (size - off >= 2) {
			n = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
		} else {
			off = size;
		}
		if (n > size - off)
			n = size - off;
		if (ctl & 0x40)
			sw_tls_gap(t, tf, ts);
		for (size_t k = 0; k < n || (n == 0 && k == 0); k += piece) {
			size_t m = n - k < piece ? n - k : piece;
			int rc = sw_tls_data(t, tf, ts, data + off + k, (uint32_t)m, on_emit, r);

			if (rc != 0 && rc != -EPROTO)
				abort();
			if (n == 0)
				break;
		}
		off += n;
		r->after[chunk++] = (uint8_t)r->seen;
	}
	sw_tls_flow_close(t, tf, on_emit, r);
	if (r->seen != (1u << SW_STAGE_N) - 1)
		abort(); /* the close reports every stage left */
	r->sum = read_all(r->tx) * 1000003u + eve_sum(r->tx);
	sw_tls_flow_free(t, tf);
	if (sw_tls_stats(t)->memuse != 0)
		abort();
	sw_tls_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run *a, *b;
	bool ja;
	size_t piece;

	if (size < 1)
		return 0;
	ja = data[0] & 1;
	piece = (size_t)(data[0] >> 4) + 1;
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (!a || !b)
		abort();
	run_flow(data, size, SIZE_MAX, ja, a);
	run_flow(data, size, piece, ja, b);
	/* cut or whole, the same stages after each chunk and the same buffers at the end */
	if (memcmp(a->after, b->after, sizeof(a->after)) || a->sum != b->sum)
		abort();
	free(a);
	free(b);
	return 0;
}
