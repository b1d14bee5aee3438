/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: one SSH flow (engine/app/ssh.c) fed fuzzed bytes in
 * both directions, cut where the input says, with gaps, then closed and
 * freed.  Checked on every run (ssh.h): each stage is reported at most once
 * and only after the stages it needs; after the close every stage was
 * reported exactly once and the session was logged once; ssh.proto and
 * ssh.software can be read and the EVE object written at every stage; a
 * banner's fields are never longer than the banner limit.
 *
 * Input: records [ctl u8][len u8][bytes...]: ctl bit 7 direction (set = to
 * client), bit 6 a gap in this direction before the record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/app/ssh.h"
#include "engine/output/eve.h"

static char jbuf[1 << 12];

struct check {
	uint8_t seen;
};

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct check *c = ctx;
	struct sw_json j = {.b = jbuf, .len = 0, .cap = sizeof(jbuf) - 1};
	const uint8_t *p;
	uint32_t n;
	volatile uint32_t sum = 0;

	if (tx->proto != SW_APP_SSH || tx->id != 0 || (c->seen & (1u << st)) ||
	    (sw_app_stage_needs(st) & ~c->seen))
		abort();
	c->seen |= (uint8_t)(1u << st);
	for (int d = 0; d < 2; d++) {
		if (sw_ssh_tx_buf(tx, SW_BUF_SSH_PROTO, d == 0, 0, &p, &n)) {
			if (n > 256)
				abort();
			for (uint32_t i = 0; i < n; i++)
				sum += p[i];
		}
		if (sw_ssh_tx_buf(tx, SW_BUF_SSH_SOFTWARE, d == 0, 0, &p, &n)) {
			if (n == 0 || n > 256)
				abort();
			for (uint32_t i = 0; i < n; i++)
				sum += p[i];
		}
		if (sw_ssh_tx_buf(tx, SW_BUF_SSH_PROTO, d == 0, 1, &p, &n))
			abort(); /* one instance */
	}
	sw_ssh_tx_eve(tx, &j);
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_ssh *s = sw_ssh_new();
	struct sw_ssh_flow *sf = s ? sw_ssh_flow_new(s) : NULL;
	struct check c = { 0 };
	size_t off = 0;

	if (!sf) {
		sw_ssh_free(s);
		return 0;
	}
	while (off + 2 <= size) {
		uint8_t ctl = data[off], len = data[off + 1];
		size_t n = len < size - off - 2 ? len : size - off - 2;
		bool ts = !(ctl & 0x80);

		off += 2;
		if (ctl & 0x40)
			sw_ssh_gap(s, sf, ts);
		if (n)
			sw_ssh_data(s, sf, ts, data + off, (uint32_t)n, on_emit, &c);
		off += n;
	}
	sw_ssh_flow_close(s, sf, on_emit, &c);
	if (c.seen != (1u << SW_STAGE_N) - 1 || sw_ssh_stats(s)->tx != 1)
		abort();
	sw_ssh_flow_free(s, sf);
	sw_ssh_free(s);
	return 0;
}
