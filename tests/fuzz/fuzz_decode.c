/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for sw_decode_cfg(): the first byte picks the link type
 * (low nibble), checksum verification (bit 4), a snapped capture (bit 5)
 * and the decoder configuration (bit 6: Suricata's defaults, or every UDP
 * tunnel on more ports, Teredo on any port, permissive VXLAN and 255 layers
 * so deep nesting is reached); bit 7 decodes the packet as a reassembled
 * datagram inside a tunnel (sw_decode_datagram).  An odd input length
 * enters tunnels from first fragments (frag_tunnels, the dispatcher's
 * decode).  The rest is the packet,
 * copied to a buffer of exactly its size so ASan catches any read past
 * caplen.
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
	SW_LINK_IPV4, SW_LINK_IPV6, SW_LINK_NULL, SW_LINK_PPP, 147 /* unsupported */,
};

static const struct sw_decode_config wide = {
	.max_layers = 255,
	.vxlan = true,
	.vxlan_permissive = true,
	.geneve = true,
	.teredo = true,
	.n_vxlan_ports = 2,
	.n_geneve_ports = 2,
	.n_teredo_ports = 0, /* any */
	.vxlan_ports = { 4789, 8472 },
	.geneve_ports = { 6081, 4790 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_decode_stats st;
	struct sw_decode_config def, wd = wide;
	struct sw_packet p;
	uint8_t *copy;
	int r;

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
	sw_decode_config_default(&def);
	def.frag_tunnels = wd.frag_tunnels = size & 1;
	if (data[0] & 0x80) {
		p.vlan_count = 1;
		p.vlan[0] = 7;
		p.tunnel_depth = 1;
		r = sw_decode_datagram(&p, data[0] & 0x10, (data[0] & 0x40) ? &wd : &def, &st);
		/* the fragment's context is kept; only a tunnel inside the datagram changes it */
		if (p.tunnel_depth < 1 || (p.tunnel_depth == 1 && (p.vlan_count != 1 || p.vlan[0] != 7)))
			abort();
	} else {
		r = sw_decode_cfg(&p, data[0] & 0x10, (data[0] & 0x40) ? &wd : &def, &st);
	}
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
	/* A tunnel packet lies inside the capture, and every tunnel took a layer. */
	if (p.tunnel_depth && p.tunnel_len > p.caplen)
		abort();
	if (p.tunnel_depth > 255 || (!(data[0] & 0x40) && p.tunnel_depth >= SW_DECODE_MAX_LAYERS))
		abort();
	if (r != 0 && p.tunnel_depth && !(data[0] & 0x80))
		abort(); /* a failing inner packet puts the outer one back */
	free(copy);
	return 0;
}
