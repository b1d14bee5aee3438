/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: one HTTP flow through libhtp, fed fuzzed bytes in
 * fuzzed chunks alternating directions as the input says, then closed,
 * garbage-collected and freed.  Checked on every run: each transaction's
 * stages arrive exactly once each and in order (including the ones the
 * close reports), every buffer and the EVE object can be read at every
 * stage, and the memory accounting returns to zero.
 *
 * Input: [cfg u8] then records [ctl u8][bytes...]:
 *   cfg: bit 0 small body limits (16 bytes), bit 1 double decode,
 *        bit 2 memcap 20000 bytes;
 *   ctl: bit 7 direction (set = to client), bits 0..5 + 1 = chunk length
 *        (taken from what follows), bit 6 = run gc after this chunk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <htp/htp.h>

#include "engine/app/http.h"
#include "engine/output/eve.h"

#define MAX_TX 1024

struct check {
	uint8_t next[MAX_TX]; /* stages reported per transaction id (bit per stage) */
	uint64_t events;
};

static char jbuf[1 << 16];

static void read_all(const struct sw_app_tx *tx, bool to_server)
{
	volatile uint32_t sum = 0;

	for (int b = 0; b < SW_BUF_N; b++) {
		for (uint32_t idx = 0; idx < 4; idx++) {
			const uint8_t *p;
			uint32_t len;

			if (!sw_http_tx_buf(tx, (enum sw_bufid)b, to_server, idx, &p, &len))
				break;
			/* Touch every byte so ASan sees a stale or short buffer. */
			for (uint32_t i = 0; i < len; i++)
				sum += p[i];
		}
	}
	(void)sum;
}

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct check *c = ctx;
	struct sw_json j = {.b = jbuf, .len = 0, .cap = sizeof(jbuf)};

	if (tx->proto != SW_APP_HTTP1)
		abort();
	if (tx->id < MAX_TX) {
		if (c->next[tx->id] & (1u << st))
			abort(); /* reported twice */
		if ((c->next[tx->id] & sw_app_stage_needs(st)) != sw_app_stage_needs(st))
			abort(); /* before a stage it needs */
		c->next[tx->id] |= (uint8_t)(1u << st);
	}
	c->events++;
	read_all(tx, sw_app_stage_to_server(st));
	jbuf[j.len++] = '{';
	sw_http_tx_eve(tx, &j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_app_http_config cfg = {
		.enabled = true,
		.personality = HTP_SERVER_IDS,
		.request_body_limit = 100 * 1024,
		.response_body_limit = 100 * 1024,
		.decompression_layer_limit = 2,
		.field_limit = 18000,
	};
	struct check *c;
	struct sw_http *h;
	struct sw_http_flow *hf;
	struct sw_flow f;
	size_t off = 1;
	uint64_t n_tx;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		cfg.request_body_limit = cfg.response_body_limit = 16;
	if (data[0] & 2)
		cfg.double_decode_path = cfg.double_decode_query = true;
	if (data[0] & 4)
		cfg.memcap = 20000;
	c = calloc(1, sizeof(*c));
	h = sw_http_new(&cfg, 1);
	if (!c || !h)
		abort();
	memset(&f, 0, sizeof(f));
	f.cli.family = f.srv.family = 2; /* AF_INET */
	f.cli_port = 1234;
	f.srv_port = 80;
	hf = sw_http_flow_new(h, &f, 0);
	if (!hf)
		abort();
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = (size_t)(ctl & 0x3f) + 1;

		if (n > size - off)
			n = size - off;
		sw_http_data(h, hf, !(ctl & 0x80), data + off, (uint32_t)n, (int64_t)off, on_emit, c);
		off += n;
		if (ctl & 0x40)
			sw_http_flow_gc(h, hf);
	}
	sw_http_flow_close(h, hf, (int64_t)size, on_emit, c);
	/* After the close every transaction has reported every stage. */
	n_tx = sw_http_stats(h)->tx;
	for (uint64_t i = 0; i < n_tx && i < MAX_TX; i++)
		if (c->next[i] != (1u << SW_STAGE_N) - 1)
			abort();
	sw_http_flow_gc(h, hf);
	sw_http_flow_free(h, hf);
	if (sw_http_stats(h)->memuse != 0)
		abort();
	sw_http_free(h);
	free(c);
	return 0;
}
