/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/prefault.h"

#define PCAP_FILE_BUF (1u << 20)

struct sw_pcap {
	pcap_t *p;
	int linktype;
	int tsprec; /* PCAP_TSTAMP_PRECISION_* the handle was opened with */
	bool live;
	char *iobuf; /* the capture file's stdio buffer (offline); outlives the FILE */
	/* pcap_stats() counters are 32-bit and wrap; we keep 64-bit totals. */
	uint32_t last_recv, last_drop, last_ifdrop;
	uint64_t recv, drop, ifdrop;
};

struct sw_pcap *sw_pcap_open_file(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sw_pcap *c = calloc(1, sizeof(*c));
	FILE *f;

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/*
	 * Our own FILE with a 1 MiB buffer: libpcap reads a file record by
	 * record with fread, and stdio's default 4 KiB buffer turned that into
	 * one read(2) per 4 KiB (15,668 calls for the 66 MB public-mix.pcap,
	 * 13% of a one-rule run's samples).  "-" is standard input, as for
	 * pcap_open_offline; libpcap closes the FILE (not stdin) in pcap_close,
	 * so stdin keeps its own buffer.
	 */
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	c->iobuf = f != stdin ? malloc(PCAP_FILE_BUF) : NULL;
	if (c->iobuf) {
		struct stat st;

		setvbuf(f, c->iobuf, _IOFBF, PCAP_FILE_BUF);
		/* the part the file will fill, now rather than at the first read (common/prefault.h) */
		if (fstat(fileno(f), &st) == 0 && st.st_size > 0)
			sw_prefault(c->iobuf, (uint64_t)st.st_size < PCAP_FILE_BUF ? (size_t)st.st_size : PCAP_FILE_BUF);
	}
	/*
	 * Ask for nanosecond stamps so pcapng and nanosecond pcap files keep
	 * their precision; libpcap scales microsecond files up for us.
	 */
	c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->p) {
		if (f != stdin)
			fclose(f);
		free(c->iobuf);
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

struct sw_pcap *sw_pcap_open_live(const struct sw_pcap_live_config *cfg, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct sw_pcap *c = calloc(1, sizeof(*c));
	struct bpf_program prog;
	int rc;

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", cfg->iface);
		return NULL;
	}
	c->live = true;
	c->p = pcap_create(cfg->iface, ebuf);
	if (!c->p) {
		snprintf(err, errlen, "%s: %s", cfg->iface, ebuf);
		free(c);
		return NULL;
	}
	pcap_set_snaplen(c->p, cfg->snaplen ? (int)cfg->snaplen : 262144);
	pcap_set_promisc(c->p, cfg->promisc);
	/* Deliver packets as they come: a tap must not sit on a half-full block. */
	pcap_set_immediate_mode(c->p, 1);
	if (cfg->buffer_size)
		pcap_set_buffer_size(c->p, (int)cfg->buffer_size);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(c->p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s%s", cfg->iface, pcap_statustostr(rc),
			 rc == PCAP_ERROR_PERM_DENIED ? " (needs CAP_NET_RAW)" : "");
		if (rc == PCAP_ERROR && pcap_geterr(c->p)[0])
			snprintf(err, errlen, "%s: %s", cfg->iface, pcap_geterr(c->p));
		goto fail;
	}
	if (cfg->bpf && cfg->bpf[0]) {
		if (pcap_compile(c->p, &prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "%s: bad capture filter '%s': %s", cfg->iface, cfg->bpf, pcap_geterr(c->p));
			goto fail;
		}
		rc = pcap_setfilter(c->p, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			snprintf(err, errlen, "%s: cannot set filter: %s", cfg->iface, pcap_geterr(c->p));
			goto fail;
		}
	}
	if (pcap_setnonblock(c->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->iface, ebuf);
		goto fail;
	}
	c->tsprec = pcap_get_tstamp_precision(c->p);
	c->linktype = pcap_datalink(c->p);
	return c;
fail:
	sw_pcap_close(c);
	return NULL;
}

int sw_pcap_fd(const struct sw_pcap *c)
{
	return c->live ? pcap_get_selectable_fd(c->p) : -1;
}

int sw_pcap_stats(struct sw_pcap *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
	struct pcap_stat ps;

	if (!c->live || pcap_stats(c->p, &ps) < 0)
		return -EIO;
	/* Unsigned differences carry across a 32-bit wrap. */
	c->recv += (uint32_t)(ps.ps_recv - c->last_recv);
	c->drop += (uint32_t)(ps.ps_drop - c->last_drop);
	c->ifdrop += (uint32_t)(ps.ps_ifdrop - c->last_ifdrop);
	c->last_recv = ps.ps_recv;
	c->last_drop = ps.ps_drop;
	c->last_ifdrop = ps.ps_ifdrop;
	*recv = c->recv;
	*drop = c->drop;
	*ifdrop = c->ifdrop;
	return 0;
}

void sw_pcap_close(struct sw_pcap *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c->iobuf);
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

	if (rc == PCAP_ERROR_BREAK || rc == 0)
		return 0; /* end of file, or (live, non-blocking) nothing waiting */
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
