/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sw_pcap {
	pcap_t *p;
	int linktype;
	int tsprec; /* PCAP_TSTAMP_PRECISION_* the file was opened with */
};

struct sw_pcap *sw_pcap_open_file(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sw_pcap *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/*
	 * Ask for nanosecond stamps so pcapng and nanosecond pcap files keep
	 * their precision; libpcap scales microsecond files up for us.
	 */
	c->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->p) {
		/* libpcap's message already names the file for open errors. */
		if (strstr(ebuf, path))
			snprintf(err, errlen, "%s", ebuf);
		else
			snprintf(err, errlen, "%s: %s", path, ebuf);
		free(c);
		return NULL;
	}
	c->tsprec = pcap_get_tstamp_precision(c->p);
	c->linktype = pcap_datalink(c->p);
	return c;
}

void sw_pcap_close(struct sw_pcap *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c);
}

int sw_pcap_linktype(const struct sw_pcap *c)
{
	return c->linktype;
}

int sw_pcap_next(struct sw_pcap *c, struct sw_pcap_pkt *out, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "%s", pcap_geterr(c->p));
		return -EIO;
	}
	out->data = data;
	out->caplen = h->caplen;
	out->wirelen = h->len;
	if (c->tsprec == PCAP_TSTAMP_PRECISION_NANO)
		out->ts_usec = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec / 1000;
	else
		out->ts_usec = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	return 1;
}
