/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpcap capture: offline files (pcap and pcapng, libpcap reads both) and
 * live interfaces (a passive tap or SPAN port: sidewall never touches the
 * traffic it sees this way).
 */
#ifndef SW_CAPTURE_PCAP_H
#define SW_CAPTURE_PCAP_H

#include <stdbool.h>
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
struct sw_pcap_live_config {
	const char *iface;
	uint32_t snaplen;      /* 0 = 262144, libpcap's default */
	bool promisc;
	uint32_t buffer_size;  /* kernel ring bytes; 0 = libpcap's default (2 MiB) */
	const char *bpf;       /* capture filter, NULL = everything */
};

/*
 * Open a live interface, non-blocking, with the filter compiled and set.
 * Returns NULL with a reason naming the interface in @err (EPERM without
 * CAP_NET_RAW, no such device, a filter that does not compile).
 */
struct sw_pcap *sw_pcap_open_live(const struct sw_pcap_live_config *cfg, char *err, size_t errlen);
/* File descriptor to poll() for a live handle, -1 for files. */
int sw_pcap_fd(const struct sw_pcap *c);
/*
 * Kernel counters of a live handle: packets received, dropped because the
 * buffer was full, dropped by the interface.  Returns 0 or -EIO.
 */
int sw_pcap_stats(struct sw_pcap *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
void sw_pcap_close(struct sw_pcap *c);
/* The file's link type (pcap LINKTYPE_* value, as engine/packet.h lists). */
int sw_pcap_linktype(const struct sw_pcap *c);
/*
 * Next packet.  Returns 1 with @out filled, 0 at end of file (or, live, when
 * no packet is waiting), -EIO on a read error (a truncated file, an
 * interface that went down or away: the reason is in @err).
 */
int sw_pcap_next(struct sw_pcap *c, struct sw_pcap_pkt *out, char *err, size_t errlen);

#endif
