/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for sw_decode(): the first byte picks the link type (low
 * nibble) and checksum verification (bit 4), the rest is the packet.  The
 * packet is copied to a buffer of exactly its size so ASan catches any read
 * past caplen.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
	SW_LINK_ETHERNET, SW_LINK_SLL, SW_LINK_SLL2, SW_LINK_RAW, SW_LINK_RAW_OBSD, SW_LINK_RAW_BSD,
	SW_LINK_IPV4, SW_LINK_IPV6, SW_LINK_NULL, 147 /* unsupported */,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_decode_stats st;
	struct sw_packet p;
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&st, 0, sizeof(st));
	memset(&p, 0, sizeof(p));
	p.data = copy;
	p.caplen = (uint32_t)(size - 1);
	/* bit 5: pretend the capture was snapped */
	p.wirelen = p.caplen + ((data[0] & 0x20) ? 100 : 0);
	p.linktype = links[(data[0] & 0x0f) % (sizeof(links) / sizeof(links[0]))];
	int r = sw_decode(&p, data[0] & 0x10, &st);
	/* Contract checks: every borrowed range lies inside the capture. */
	if (p.l3 && (p.l3 < copy || p.l3 + p.l3_len > copy + p.caplen))
		abort();
	if (p.l4 && (p.l4 < copy || p.l4 + p.l4_len > copy + p.caplen))
		abort();
	if (p.payload && (p.payload < copy || p.payload + p.payload_len > copy + p.caplen))
		abort();
	if (r == 0 && p.ip_ver != 4 && p.ip_ver != 6)
		abort();
	if (p.l4_ok && !p.l4)
		abort();
	free(copy);
	return 0;
}
