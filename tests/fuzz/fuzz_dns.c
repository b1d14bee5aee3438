/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: one DNS flow (engine/app/dns.c) fed fuzzed messages in
 * both directions, over UDP (each record one datagram) or TCP (each record
 * the next bytes of its direction, length prefixes and all), with gc and
 * gaps as the input says, then closed, garbage-collected and freed.
 * Checked on every run, for Suricata 8's model (dns.h: one transaction per
 * message, reported whole at once): each transaction's stages arrive
 * exactly once each and after the stages they need; transaction ids are
 * handed out 0, 1, ... in arrival order; when a feed returns every
 * transaction made so far has reported every stage, so the close reports
 * nothing and a gc frees everything; dns.query and the EVE object can be
 * read at every stage, and dns.query exists exactly on "request"
 * transactions; the memory accounting returns to zero.
 *
 * Input: [cfg u8] then records [ctl u8][len be16][bytes...]:
 *   cfg: bit 0 TCP (else UDP);
 *   ctl: bit 7 direction (set = to client), bit 6 run gc after this
 *        record, bit 5 (TCP) a gap in this direction before the record;
 *   len: bytes taken from what follows (clamped to what is left).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/dns.h"
#include "engine/output/eve.h"

#define MAX_TX 4096

struct check {
	uint8_t seen[MAX_TX]; /* stages reported per transaction id (bit per stage) */
	uint64_t events;
	uint64_t next_id; /* id the next new transaction must carry */
};

static char jbuf[1 << 16];

static void on_emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct check *c = ctx;
	struct sw_json j = {.b = jbuf, .len = 0, .cap = sizeof(jbuf) - 1};
	volatile uint32_t sum = 0;
	bool has_query = false;
	const char *type;

	if (tx->proto != SW_APP_DNS)
		abort();
	if (st == SW_STAGE_REQ_HEADERS) {
		/* a new transaction: the next id in arrival order */
		if (tx->id != c->next_id)
			abort();
		c->next_id++;
	} else if (tx->id >= c->next_id) {
		abort(); /* a stage of a transaction never started */
	}
	if (tx->id < MAX_TX) {
		if (c->seen[tx->id] & (1u << st))
			abort(); /* reported twice */
		if ((c->seen[tx->id] & sw_app_stage_needs(st)) != sw_app_stage_needs(st))
			abort(); /* before a stage it needs */
		c->seen[tx->id] |= (uint8_t)(1u << st);
	}
	c->events++;
	for (uint32_t idx = 0;; idx++) {
		const uint8_t *p;
		uint32_t len;

		if (!sw_dns_tx_buf(tx, SW_BUF_DNS_QUERY, true, idx, &p, &len))
			break;
		has_query = true;
		if (len > 253)
			abort(); /* names are at most 255 octets on the wire */
		/* Touch every byte so ASan sees a stale or short buffer. */
		for (uint32_t i = 0; i < len; i++)
			sum += p[i];
	}
	/*
	 * The Suricata 8 buffers, both directions: instances are never empty
	 * (an empty name ends them, an empty rdata name is skipped), at most
	 * two per kept record; the integer fields stay in their widths.
	 */
	for (int b = SW_BUF_DNS_QUERIES_RRNAME; b <= SW_BUF_DNS_ANSWER_NAME; b++) {
		for (int ts = 0; ts < 2; ts++) {
			for (uint32_t idx = 0;; idx++) {
				const uint8_t *p;
				uint32_t len;

				if (!sw_dns_tx_buf(tx, (enum sw_bufid)b, ts, idx, &p, &len))
					break;
				if (idx >= 1024 || len == 0 || len > 253)
					abort();
				for (uint32_t i = 0; i < len; i++)
					sum += p[i];
			}
		}
	}
	for (int k = SW_TXNUM_DNS_OPCODE; k <= SW_TXNUM_DNS_RRTYPE; k++) {
		for (int ts = 0; ts < 2; ts++) {
			uint32_t v, idx = 0;

			for (; sw_dns_tx_num(tx, (enum sw_txnum_kind)k, ts, idx, &v); idx++)
				if ((k != SW_TXNUM_DNS_RRTYPE && (idx > 0 || v > 15)) || v > 65535 || idx >= 512)
					abort();
		}
	}
	(void)sum;
	jbuf[j.len++] = '{';
	sw_dns_tx_eve(tx, &j, true);
	if (j.overflow)
		abort(); /* the object's budget keeps it far below 64 KiB */
	jbuf[j.len] = '\0';
	type = strstr(jbuf, "\"type\":"); /* the first one is the object's own: names come later */
	if (!type)
		abort();
	type += 7;
	/* a request always keeps its first question (dns.c keeps record 0 whole) */
	if (has_query != !strncmp(type, "\"request\"", 9))
		abort();
	if (!has_query && strncmp(type, "\"response\"", 10))
		abort();
}

/* Every transaction made so far reported every stage (each is reported whole at once). */
static void check_all_done(const struct check *c, const struct sw_dns *d)
{
	uint64_t n_tx = sw_dns_stats(d)->tx;

	if (n_tx != c->next_id)
		abort();
	for (uint64_t i = 0; i < n_tx && i < MAX_TX; i++)
		if (c->seen[i] != (1u << SW_STAGE_N) - 1)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check *c;
	struct sw_dns *d;
	struct sw_dns_flow *df;
	size_t off = 1;
	bool tcp;
	uint64_t events;

	if (size < 1)
		return 0;
	tcp = data[0] & 1;
	c = calloc(1, sizeof(*c));
	d = sw_dns_new();
	if (!c || !d)
		abort();
	df = sw_dns_flow_new(d);
	if (!df)
		abort();
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = 0;
		bool ts = !(ctl & 0x80);
		int rc;

		if (size - off >= 2) {
			n = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
		} else {
			off = size;
		}
		if (n > size - off)
			n = size - off;
		if (tcp && (ctl & 0x20))
			sw_dns_gap(d, df, ts);
		rc = sw_dns_data(d, df, ts, tcp, data + off, (uint32_t)n, on_emit, c);
		if (rc && rc != -EPROTO)
			abort();
		if (!tcp && rc)
			abort(); /* UDP never stops: each datagram stands alone */
		off += n;
		check_all_done(c, d);
		if (ctl & 0x40)
			sw_dns_flow_gc(d, df);
	}
	events = c->events;
	sw_dns_flow_close(d, df, on_emit, c);
	if (c->events != events)
		abort(); /* the close has nothing left to report */
	check_all_done(c, d);
	sw_dns_flow_gc(d, df);
	sw_dns_flow_free(d, df);
	if (sw_dns_stats(d)->memuse != 0)
		abort();
	sw_dns_free(d);
	free(c);
	return 0;
}
