/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpcap capture: offline files (pcap and pcapng, libpcap reads both).
 * Live interfaces are a later issue and will open through the same struct.
 */
#ifndef SW_CAPTURE_PCAP_H
#define SW_CAPTURE_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct sw_pcap;

struct sw_pcap_pkt {
	const uint8_t *data; /* borrowed: valid until the next sw_pcap_next() */
	uint32_t caplen, wirelen;
	int64_t ts_usec;
};

/*
 * Open capture file @path.  Returns NULL on failure with a one-line reason
 * (libpcap's, naming the file) in @err.
 */
struct sw_pcap *sw_pcap_open_file(const char *path, char *err, size_t errlen);
void sw_pcap_close(struct sw_pcap *c);
/* The file's link type (pcap LINKTYPE_* value, as engine/packet.h lists). */
int sw_pcap_linktype(const struct sw_pcap *c);
/*
 * Next packet.  Returns 1 with @out filled, 0 at end of file, -EIO on a read
 * error (a truncated file: the reason is in @err).
 */
int sw_pcap_next(struct sw_pcap *c, struct sw_pcap_pkt *out, char *err, size_t errlen);

#endif
