/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Defragmenter cases, table-driven: each case is a sequence of fragments
 * (built here as raw IPv4/IPv6 packets, decoded by sw_decode() as the worker
 * does) with the step at which a datagram must complete, the bytes it must
 * complete with (checked byte by byte, including the "first" overlap
 * policy's choices), and the counters expected at the end.  The
 * reassembled datagram is decoded again and must be a whole UDP datagram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/config.h"
#include "engine/decode/decode.h"
#include "engine/decode/defrag.h"

#define PLEN 96 /* fragmentable part of every test datagram: UDP header + 88 bytes */
#define MAXSTEPS 24
/* One fragment step: the first five fields, then designated extras (.fill, .ts_s, ...). */
#define F(v_, id_, off_, len_, more_, ...) \
	{ .v = (v_), .id = (id_), .off = (off_), .len = (len_), .more = (more_), __VA_ARGS__ }
#define SEC 1000000LL

static const uint8_t SRC4[4] = { 10, 0, 0, 1 }, DST4[4] = { 10, 0, 0, 2 };
static const uint8_t SRC6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t DST6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static void put16(uint8_t *o, uint32_t v)
{
	o[0] = (uint8_t)(v >> 8);
	o[1] = (uint8_t)v;
}

static uint16_t ref_csum(const uint8_t *d, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * The fragmentable part of datagram @id: a UDP header with the right
 * checksum (RFC 768 / RFC 8200 8.1 pseudo-header) and a pattern, so a
 * reassembled datagram that decodes with a good UDP checksum has every
 * byte in place.
 */
static void datagram(uint32_t id, uint8_t *o, uint32_t len, int v6)
{
	uint32_t s = 17 + len;

	for (uint32_t i = 0; i < len; i++)
		o[i] = (uint8_t)(i * 7 + id * 13 + 1);
	put16(o, 1000 + (id & 0xff));
	put16(o + 2, 53);
	put16(o + 4, len > 0xffff ? 0 : len);
	put16(o + 6, 0);
	for (int i = 0; i < (v6 ? 16 : 4); i += 2)
		s += (uint32_t)(v6 ? SRC6 : SRC4)[i] << 8 | (v6 ? SRC6 : SRC4)[i + 1];
	for (int i = 0; i < (v6 ? 16 : 4); i += 2)
		s += (uint32_t)(v6 ? DST6 : DST4)[i] << 8 | (v6 ? DST6 : DST4)[i + 1];
	for (uint32_t i = 0; i < len; i += 2)
		s += (uint32_t)o[i] << 8 | (i + 1 < len ? o[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(o + 6, (uint16_t)~s ? (uint16_t)~s : 0xffff);
}

/* ext: IPv6 extension headers before the fragment header (0 none, 1 hop-by-hop + destination options). */
struct step {
	uint8_t v;          /* 4 or 6 */
	uint32_t id;
	uint32_t off, len;  /* slice of the datagram's fragmentable part */
	bool more;
	uint8_t fill;       /* 0: the datagram's bytes; else this byte throughout */
	int64_t ts_s;       /* seconds after the start */
	bool complete;      /* this fragment must complete a datagram */
	uint8_t ext;
	uint32_t plen;      /* datagram length this step belongs to (0 = PLEN) */
	uint8_t hlen;       /* IPv4 header length (0 = 20) */
	uint8_t nfrags;     /* fragments the completed datagram counts (0 = every one sent with its id) */
};

/* A byte range of the expected reassembled part: fill 0 = the datagram's bytes. */
struct span {
	uint32_t off, len;
	uint8_t fill;
};

struct tcase {
	const char *name;
	uint32_t policy;          /* enum sw_defrag_policy (0: bsd, the default) */
	uint32_t trackers, max_frags;
	uint64_t memcap;
	struct step s[MAXSTEPS];
	struct span want[4];      /* for the completing step(s); empty = the datagram unchanged */
	int64_t expire_at_s;      /* > 0: sw_defrag_expire() at this time after the steps */
	struct sw_defrag_stats st; /* counters that must match (memuse checked == 0 when all done) */
	bool held_after;          /* something is still held at the end */
};

static uint8_t pkt[70000];
static uint8_t whole[70000];

/* Build one fragment as a raw IP packet; returns its length. */
static uint32_t build(const struct step *s)
{
	uint32_t plen = s->plen ? s->plen : PLEN;
	uint8_t *o = pkt, *data;
	uint32_t n;

	datagram(s->id, whole, plen, s->v == 6);
	if (s->v == 4) {
		uint32_t hl = s->hlen ? s->hlen : 20;

		memset(o, 0, hl);
		o[0] = (uint8_t)(0x40 | hl / 4);
		put16(o + 2, hl + s->len);
		put16(o + 4, s->id);
		put16(o + 6, (s->more ? 0x2000 : 0) | s->off / 8);
		o[8] = 64;
		o[9] = 17;
		memcpy(o + 12, SRC4, 4);
		memcpy(o + 16, DST4, 4);
		if (hl > 20)
			memset(o + 20, 1, hl - 20); /* NOP options */
		put16(o + 10, ref_csum(o, hl));
		data = o + hl;
		n = hl + s->len;
	} else {
		uint32_t pos = 40;
		uint8_t first_nh = 44;

		memset(o, 0, 40);
		o[0] = 0x60;
		o[7] = 64;
		memcpy(o + 8, SRC6, 16);
		memcpy(o + 24, DST6, 16);
		if (s->ext) {
			first_nh = 0;
			/* hop-by-hop (8 bytes: PadN) then destination options (16 bytes) */
			memset(o + pos, 0, 24);
			o[pos] = 60;
			o[pos + 1] = 0;
			o[pos + 2] = 1;
			o[pos + 3] = 4;
			pos += 8;
			o[pos] = 44;
			o[pos + 1] = 1;
			o[pos + 2] = 1;
			o[pos + 3] = 12;
			pos += 16;
		}
		o[6] = first_nh;
		o[pos] = 17;
		o[pos + 1] = 0;
		put16(o + pos + 2, (s->off & 0xfff8) | (s->more ? 1 : 0));
		o[pos + 4] = (uint8_t)(s->id >> 24);
		o[pos + 5] = (uint8_t)(s->id >> 16);
		o[pos + 6] = (uint8_t)(s->id >> 8);
		o[pos + 7] = (uint8_t)s->id;
		pos += 8;
		put16(o + 4, pos - 40 + s->len);
		data = o + pos;
		n = pos + s->len;
	}
	if (s->fill)
		memset(data, s->fill, s->len);
	else
		memcpy(data, whole + s->off, s->len);
	return n;
}

static const struct tcase cases[] = {
	{ .name = "v4 in order",
	  .s = { F(4, 7, 0, 32, true), F(4, 7, 32, 32, true), F(4, 7, 64, 32, false, .complete = true) },
	  .st = { .ipv4_fragments = 3, .ipv4_reassembled = 1 } },
	{ .name = "v4 reverse order",
	  .s = { F(4, 7, 64, 32, false), F(4, 7, 32, 32, true), F(4, 7, 0, 32, true, .complete = true) },
	  .st = { .ipv4_fragments = 3, .ipv4_reassembled = 1 } },
	{ .name = "v4 random order, header options",
	  .s = { F(4, 9, 48, 16, true, .hlen = 28), F(4, 9, 80, 16, false, .hlen = 28),
		 F(4, 9, 0, 16, true, .hlen = 28), F(4, 9, 64, 16, true, .hlen = 28),
		 F(4, 9, 16, 16, true, .hlen = 28), F(4, 9, 32, 16, true, .hlen = 28, .complete = true) },
	  .st = { .ipv4_fragments = 6, .ipv4_reassembled = 1 } },
	{ .name = "v4 identical duplicates are not overlaps",
	  .s = { F(4, 7, 0, 48, true), F(4, 7, 0, 48, true), F(4, 7, 48, 48, false, .complete = true) },
	  .st = { .ipv4_fragments = 3, .ipv4_reassembled = 1 } },
	{ .name = "bsd: a fragment that starts earlier wins, one that starts at or after loses",
	  /* [8,40) of 0xaa, [32,64) of 0xbb (loses [32,40)), the real [0,32) (wins [8,32)), the real [64,96). */
	  .s = { F(4, 7, 8, 32, true, .fill = 0xaa), F(4, 7, 32, 32, true, .fill = 0xbb), F(4, 7, 0, 32, true),
		 F(4, 7, 64, 32, false, .complete = true) },
	  .want = { { 32, 8, 0xaa }, { 40, 24, 0xbb } },
	  .st = { .ipv4_fragments = 4, .ipv4_reassembled = 1, .frag_overlap = { 2, 0 } } },
	{ .name = "bsd: replaced bytes take the winner's start (split pieces)",
	  /*
	   * O [24,64) 0x11; N [8,48) 0x22 starts earlier: wins [24,48); P [16,32)
	   * 0x33 starts after N (though before O): loses everywhere; K, the real
	   * [0,16), starts before N: wins [8,16); then the real [64,96).
	   */
	  .s = { F(4, 7, 24, 40, true, .fill = 0x11), F(4, 7, 8, 40, true, .fill = 0x22), F(4, 7, 16, 16, true, .fill = 0x33),
		 F(4, 7, 0, 16, true), F(4, 7, 64, 32, false, .complete = true) },
	  .want = { { 16, 32, 0x22 }, { 48, 16, 0x11 } },
	  .st = { .ipv4_fragments = 5, .ipv4_reassembled = 1, .frag_overlap = { 3, 0 } } },
	{ .name = "bsd: a later fragment starting earlier replaces what it covers",
	  .s = { F(4, 7, 16, 16, true, .fill = 0xcc), F(4, 7, 48, 8, true, .fill = 0xdd), F(4, 7, 88, 8, false),
		 F(4, 7, 0, 88, true, .complete = true) },
	  .st = { .ipv4_fragments = 4, .ipv4_reassembled = 1, .frag_overlap = { 1, 0 } } },
	{ .name = "first: later bytes never replace earlier ones",
	  .policy = SW_DEFRAG_POLICY_FIRST,
	  /* [8,40) of 0xaa, [32,64) of 0xbb, the real [0,32), the real [64,96): two overlaps. */
	  .s = { F(4, 7, 8, 32, true, .fill = 0xaa), F(4, 7, 32, 32, true, .fill = 0xbb), F(4, 7, 0, 32, true),
		 F(4, 7, 64, 32, false, .complete = true) },
	  .want = { { 8, 32, 0xaa }, { 40, 24, 0xbb } },
	  .st = { .ipv4_fragments = 4, .ipv4_reassembled = 1, .frag_overlap = { 2, 0 } } },
	{ .name = "first: a later fragment starting earlier only fills the holes",
	  .policy = SW_DEFRAG_POLICY_FIRST,
	  .s = { F(4, 7, 16, 16, true, .fill = 0xcc), F(4, 7, 48, 8, true, .fill = 0xdd), F(4, 7, 88, 8, false),
		 F(4, 7, 0, 88, true, .complete = true) },
	  .want = { { 0, 16, 0 }, { 16, 16, 0xcc }, { 32, 16, 0 }, { 48, 8, 0xdd } },
	  .st = { .ipv4_fragments = 4, .ipv4_reassembled = 1, .frag_overlap = { 1, 0 } } },
	{ .name = "v4 missing middle fragment: never completes, times out",
	  .s = { F(4, 7, 0, 32, true), F(4, 7, 64, 32, false, .ts_s = 1), F(4, 7, 0, 32, true, .ts_s = 59) },
	  .expire_at_s = 60,
	  .st = { .ipv4_fragments = 3, .ipv4_timeouts = 1 } },
	{ .name = "v4 a fragment after the timeout starts a new datagram",
	  .s = { F(4, 7, 0, 32, true), F(4, 7, 32, 64, false, .ts_s = 61),
		 F(4, 7, 0, 32, true, .ts_s = 62, .complete = true, .nfrags = 2) },
	  .st = { .ipv4_fragments = 3, .ipv4_timeouts = 1, .ipv4_reassembled = 1 } },
	{ .name = "v4 datagram over 65535 bytes",
	  .s = { F(4, 7, 0, 32, true), F(4, 7, 65520, 16, false, .plen = 65536) },
	  .st = { .ipv4_fragments = 2, .frag_pkt_too_large = { 1, 0 }, .dropped = 1 } },
	{ .name = "v4 conflicting last fragments: the first end stays",
	  .s = { F(4, 7, 64, 32, false), F(4, 7, 64, 16, false), F(4, 7, 0, 64, true, .complete = true) },
	  .st = { .ipv4_fragments = 3, .ipv4_reassembled = 1, .frag_ignored = { 1, 0 }, .dropped = 1 } },
	{ .name = "v4 non-last fragment not a multiple of 8",
	  .s = { F(4, 7, 0, 30, true) },
	  .st = { .ipv4_fragments = 1, .frag_ignored = { 1, 0 }, .dropped = 1 } },
	{ .name = "tracker exhaustion evicts the oldest datagram",
	  .trackers = 2,
	  /* The third evicts the first; the first's last fragment then starts over and never completes. */
	  .s = { F(4, 1, 0, 48, true), F(4, 2, 0, 48, true), F(4, 3, 0, 48, true),
		 F(4, 2, 48, 48, false, .complete = true), F(4, 3, 48, 48, false, .complete = true),
		 F(4, 1, 48, 48, false) },
	  .st = { .ipv4_fragments = 6, .ipv4_reassembled = 2, .max_trackers_reached = 1, .tracker_hard_reuse = 1 },
	  .held_after = true },
	{ .name = "max-frags exhaustion evicts the oldest datagram",
	  .max_frags = 3,
	  .s = { F(4, 1, 0, 32, true), F(4, 1, 32, 32, true), F(4, 2, 0, 48, true),
		 F(4, 2, 48, 48, false, .complete = true) },
	  .st = { .ipv4_fragments = 4, .ipv4_reassembled = 1, .max_frags_reached = 1, .tracker_hard_reuse = 1 } },
	{ .name = "memcap exhaustion: one slot left, the datagram that needs more is given up",
	  .memcap = 600, /* room for one 512-byte slot only */
	  .s = { F(4, 1, 0, 48, true), F(4, 2, 0, 48, true), F(4, 2, 48, 48, false) },
	  .st = { .ipv4_fragments = 3, .max_frags_reached = 2, .tracker_hard_reuse = 1, .dropped = 1 } },
	{ .name = "v6 in order",
	  .s = { F(6, 0x12345678, 0, 40, true), F(6, 0x12345678, 40, 56, false, .complete = true) },
	  .st = { .ipv6_fragments = 2, .ipv6_reassembled = 1 } },
	{ .name = "v6 extension headers before the fragment header, reverse order",
	  .s = { F(6, 5, 48, 48, false, .ext = 1), F(6, 5, 0, 48, true, .ext = 1, .complete = true) },
	  .st = { .ipv6_fragments = 2, .ipv6_reassembled = 1 } },
	{ .name = "bsd: v6 overlap counted, the earlier-starting fragment wins",
	  .s = { F(6, 5, 8, 40, true, .fill = 0xee), F(6, 5, 0, 48, true), F(6, 5, 48, 48, false, .complete = true) },
	  .st = { .ipv6_fragments = 3, .ipv6_reassembled = 1, .frag_overlap = { 0, 1 } } },
	{ .name = "first: v6 overlap counted, first bytes kept",
	  .policy = SW_DEFRAG_POLICY_FIRST,
	  .s = { F(6, 5, 8, 40, true, .fill = 0xee), F(6, 5, 0, 48, true), F(6, 5, 48, 48, false, .complete = true) },
	  .want = { { 8, 40, 0xee } },
	  .st = { .ipv6_fragments = 3, .ipv6_reassembled = 1, .frag_overlap = { 0, 1 } } },
	{ .name = "v6 atomic fragment (RFC 6946) is not held",
	  .s = { F(6, 5, 0, 96, false) },
	  .st = { 0 } },
	{ .name = "v6 non-last fragment not a multiple of 8",
	  .s = { F(6, 5, 0, 44, true) },
	  .st = { .ipv6_fragments = 1, .frag_invalid_length = 1, .dropped = 1 } },
	{ .name = "v6 datagram over 65535 bytes",
	  .s = { F(6, 5, 65528, 16, false, .plen = 65544) },
	  .st = { .ipv6_fragments = 1, .frag_pkt_too_large = { 0, 1 }, .dropped = 1 } },
	{ .name = "interleaved datagrams, v4 and v6, same ids",
	  .s = { F(4, 1, 0, 48, true), F(6, 1, 48, 48, false), F(4, 2, 48, 48, false),
		 F(4, 1, 48, 48, false, .complete = true), F(6, 1, 0, 48, true, .complete = true),
		 F(4, 2, 0, 48, true, .complete = true) },
	  .st = { .ipv4_fragments = 4, .ipv6_fragments = 2, .ipv4_reassembled = 2, .ipv6_reassembled = 1 } },
	{ .name = "large datagram spanning many slots",
	  .s = { F(4, 3, 1480, 1520, false, .plen = 3000), F(4, 3, 0, 1480, true, .plen = 3000, .complete = true) },
	  .st = { .ipv4_fragments = 2, .ipv4_reassembled = 1 } },
};

static void check_out(const struct tcase *c, const struct step *s, const struct sw_defrag_out *o, uint32_t nfrags)
{
	uint32_t plen = s->plen ? s->plen : PLEN;
	static uint8_t want[70000];
	struct sw_packet p;
	struct sw_decode_stats ds;
	uint32_t hl;

	datagram(s->id, whole, plen, s->v == 6);
	memcpy(want, whole, plen);
	for (int i = 0; i < 4 && c->want[i].len; i++)
		if (c->want[i].fill)
			memset(want + c->want[i].off, c->want[i].fill, c->want[i].len);
	/* Decoded again as the worker does: one whole, valid UDP datagram. */
	memset(&p, 0, sizeof(p));
	memset(&ds, 0, sizeof(ds));
	p.data = o->data;
	p.caplen = p.wirelen = o->len;
	p.linktype = SW_LINK_RAW;
	assert_int_equal(sw_decode(&p, true, &ds), 0);
	assert_false(p.frag);
	assert_int_equal(p.ip_ver, s->v);
	assert_int_equal(p.proto, 17);
	/* IPv4 header checksum recomputed; the UDP checksum holds unless the case changed bytes. */
	assert_int_equal(p.csum_bad, c->want[0].len ? p.csum_bad & SW_PKT_CSUM_BAD_L4 : 0);
	hl = o->len - plen;
	if (s->v == 4) {
		assert_int_equal(o->data[6] & 0x3f, 0);
		assert_int_equal(o->data[7], 0);
		assert_int_equal(hl, s->hlen ? s->hlen : 20);
	} else {
		assert_int_equal(hl, s->ext ? 64 : 40);
	}
	assert_int_equal(o->nfrags, nfrags);
	for (uint32_t i = 0; i < plen; i++) {
		if (o->data[hl + i] != want[i])
			print_error("%s: byte %u: got %#x, want %#x\n", c->name, i, o->data[hl + i], want[i]);
		assert_int_equal(o->data[hl + i], want[i]);
	}
	assert_int_equal(p.l4_ok, true);
	assert_int_equal(p.payload_len, plen - 8);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		const struct tcase *c = &cases[ci];
		struct sw_defrag_config cfg = {
			.enabled = true,
			.memcap = c->memcap ? c->memcap : 1u << 20,
			.trackers = c->trackers ? c->trackers : 64,
			.max_frags = c->max_frags ? c->max_frags : 256,
			.timeout = 60,
			.policy = c->policy,
		};
		struct sw_defrag *d = sw_defrag_new(&cfg);
		struct sw_decode_stats ds;
		const struct sw_defrag_stats *st;
		uint32_t per_id[2][16] = { { 0 } };

		print_message("case %s\n", c->name);
		assert_non_null(d);
		memset(&ds, 0, sizeof(ds));
		for (int i = 0; i < MAXSTEPS && c->s[i].v; i++) {
			const struct step *s = &c->s[i];
			struct sw_packet p;
			struct sw_defrag_out o;
			int rc;

			memset(&p, 0, sizeof(p));
			p.caplen = p.wirelen = build(s);
			p.data = pkt;
			p.linktype = SW_LINK_RAW;
			p.ts_usec = 1700000000 * SEC + s->ts_s * SEC;
			assert_int_equal(sw_decode(&p, true, &ds), 0);
			per_id[s->v == 6][s->id & 15]++;
			if (!p.frag) {
				/* Only an atomic fragment is not a fragment. */
				assert_true(!s->off && !s->more);
				assert_int_equal(sw_defrag_packet(d, &p, &o), 0);
				continue;
			}
			rc = sw_defrag_packet(d, &p, &o);
			if (rc != (s->complete ? 1 : 0))
				print_error("%s: step %d: returned %d\n", c->name, i, rc);
			assert_int_equal(rc, s->complete ? 1 : 0);
			if (rc == 1) {
				check_out(c, s, &o, s->nfrags ? s->nfrags : per_id[s->v == 6][s->id & 15]);
				per_id[s->v == 6][s->id & 15] = 0;
			}
		}
		if (c->expire_at_s) {
			sw_defrag_expire(d, 1700000000 * SEC + (c->expire_at_s - 1) * SEC + SEC / 2);
			assert_int_equal(sw_defrag_stats(d)->ipv4_timeouts + sw_defrag_stats(d)->ipv6_timeouts, 0);
			sw_defrag_expire(d, 1700000000 * SEC + c->expire_at_s * SEC);
		}
		st = sw_defrag_stats(d);
		assert_int_equal(st->ipv4_fragments, c->st.ipv4_fragments);
		assert_int_equal(st->ipv4_reassembled, c->st.ipv4_reassembled);
		assert_int_equal(st->ipv4_timeouts, c->st.ipv4_timeouts);
		assert_int_equal(st->ipv6_fragments, c->st.ipv6_fragments);
		assert_int_equal(st->ipv6_reassembled, c->st.ipv6_reassembled);
		assert_int_equal(st->ipv6_timeouts, c->st.ipv6_timeouts);
		assert_int_equal(st->max_frags_reached, c->st.max_frags_reached);
		assert_int_equal(st->max_trackers_reached, c->st.max_trackers_reached);
		assert_int_equal(st->tracker_hard_reuse, c->st.tracker_hard_reuse);
		assert_int_equal(st->dropped, c->st.dropped);
		assert_memory_equal(st->frag_overlap, c->st.frag_overlap, sizeof(st->frag_overlap));
		assert_memory_equal(st->frag_pkt_too_large, c->st.frag_pkt_too_large, sizeof(st->frag_pkt_too_large));
		assert_memory_equal(st->frag_ignored, c->st.frag_ignored, sizeof(st->frag_ignored));
		assert_int_equal(st->frag_invalid_length, c->st.frag_invalid_length);
		/* Nothing is left behind by completion, timeout, eviction or refusal. */
		if (!c->held_after)
			assert_int_equal(st->memuse, 0);
		else
			assert_true(st->memuse > 0);
		sw_defrag_free(d);
	}
}

/* Everything held is released: after completion and after timeouts memuse is 0. */
static void test_memuse_released(void **state)
{
	struct sw_defrag_config cfg = { .enabled = true, .memcap = 1u << 20, .trackers = 8, .max_frags = 64, .timeout = 5 };
	struct sw_defrag *d = sw_defrag_new(&cfg);
	struct sw_decode_stats ds;
	struct sw_defrag_out o;
	struct step s1 = { .v = 4, .id = 1, .off = 0, .len = 48, .more = true };
	struct step s2 = { .v = 4, .id = 1, .off = 48, .len = 48, .more = false };
	struct step s3 = { .v = 6, .id = 2, .off = 0, .len = 48, .more = true };
	struct sw_packet p;

	(void)state;
	assert_non_null(d);
	memset(&ds, 0, sizeof(ds));
	memset(&p, 0, sizeof(p));
	p.linktype = SW_LINK_RAW;
	p.data = pkt;
	p.caplen = p.wirelen = build(&s1);
	assert_int_equal(sw_decode(&p, true, &ds), 0);
	assert_int_equal(sw_defrag_packet(d, &p, &o), 0);
	assert_true(sw_defrag_stats(d)->memuse > 0);
	p.caplen = p.wirelen = build(&s2);
	assert_int_equal(sw_decode(&p, true, &ds), 0);
	assert_int_equal(sw_defrag_packet(d, &p, &o), 1);
	assert_int_equal(o.wire_bytes, 20 + 48 + 20 + 48);
	assert_int_equal(sw_defrag_stats(d)->memuse, 0);
	p.caplen = p.wirelen = build(&s3);
	assert_int_equal(sw_decode(&p, true, &ds), 0);
	assert_int_equal(sw_defrag_packet(d, &p, &o), 0);
	assert_true(sw_defrag_stats(d)->memuse > 0);
	sw_defrag_expire(d, 5 * SEC);
	assert_int_equal(sw_defrag_stats(d)->ipv6_timeouts, 1);
	assert_int_equal(sw_defrag_stats(d)->memuse, 0);
	sw_defrag_free(d);
}

static void test_bad_config(void **state)
{
	struct sw_defrag_config ok = { .enabled = true, .memcap = 1u << 20, .trackers = 8, .max_frags = 64, .timeout = 5 };
	struct sw_defrag_config c;

	(void)state;
	c = ok;
	c.trackers = 0;
	assert_null(sw_defrag_new(&c));
	assert_int_equal(errno, EINVAL);
	c = ok;
	c.timeout = 0;
	assert_null(sw_defrag_new(&c));
	c = ok;
	c.memcap = 1;
	assert_null(sw_defrag_new(&c));
	sw_defrag_free(NULL);
}

/* The shipped etc/sidewall.yaml says what the built-in default does (test_config does not know defrag:). */
static void test_config_defaults(void **state)
{
	const char *src = getenv("SW_SRC");
	char path[4096];
	struct sw_config *def = sw_config_default(), *c = NULL;
	struct sw_config_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc/sidewall.yaml", src ? src : ".");
	assert_non_null(def);
	assert_int_equal(sw_config_load(path, &c, &err), 0);
	assert_int_equal(c->defrag.enabled, def->defrag.enabled);
	assert_int_equal(c->defrag.memcap, def->defrag.memcap);
	assert_int_equal(c->defrag.trackers, def->defrag.trackers);
	assert_int_equal(c->defrag.max_frags, def->defrag.max_frags);
	assert_int_equal(c->defrag.timeout, def->defrag.timeout);
	assert_int_equal(c->defrag.prealloc, def->defrag.prealloc);
	assert_int_equal(c->defrag.policy, def->defrag.policy);
	/* Suricata's defaults. */
	assert_true(def->defrag.enabled);
	assert_int_equal(def->defrag.memcap, 32u << 20);
	assert_int_equal(def->defrag.trackers, 65535);
	assert_int_equal(def->defrag.max_frags, 65535);
	assert_int_equal(def->defrag.timeout, 60);
	assert_int_equal(def->defrag.policy, SW_DEFRAG_POLICY_BSD);
	sw_config_free(c);
	sw_config_free(def);
}

static void test_config_keys(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg; /* part of the error message */
	} t[] = {
		{ "defrag:\n  enabled: no\n  memcap: 2mb\n  trackers: 10\n  max-frags: 20\n  timeout: 5\n  prealloc: no\n"
		  "  policy: first\n", 0, NULL },
		{ "defrag:\n  policy: linux\n", -EINVAL, "'defrag.policy' expects bsd or first, got 'linux'" },
		{ "defrag:\n  timeout: 0\n", -EINVAL, "'defrag.timeout' must be at least 1" },
		{ "defrag:\n  trackers: 0\n", -EINVAL, "at least 1" },
		{ "defrag:\n  max-frags: 16777217\n", -EINVAL, "maximum" },
		{ "defrag:\n  memcap: 10kb\n", -EINVAL, "outside 1mb..64gb" },
		{ "defrag:\n  reassembly: yes\n", -EINVAL, "reassembly" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sw_config *c = NULL;
		struct sw_config_error err;

		assert_int_equal(sw_config_load_string(t[i].text, "sidewall.yaml", &c, &err), t[i].rc);
		if (t[i].rc) {
			if (!strstr(err.message, t[i].msg))
				print_error("%s: %s\n", t[i].text, err.message);
			assert_non_null(strstr(err.message, t[i].msg));
			continue;
		}
		assert_false(c->defrag.enabled);
		assert_int_equal(c->defrag.memcap, 2u << 20);
		assert_int_equal(c->defrag.trackers, 10);
		assert_int_equal(c->defrag.max_frags, 20);
		assert_int_equal(c->defrag.timeout, 5);
		assert_false(c->defrag.prealloc);
		assert_int_equal(c->defrag.policy, SW_DEFRAG_POLICY_FIRST);
		sw_config_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_memuse_released),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
