/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary spool directories (segment files with fuzzed names,
 * overlapping sequence ranges, torn lines, a garbage "seq" file) loaded by
 * sw_syslog_new() and written back by sw_syslog_free().  Must never crash
 * or leak; the replayed count must equal the whole lines on disk.  The
 * sender aims at 127.0.0.1:9, where nothing listens.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/output/syslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void clean(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

static uint64_t lines_of(const uint8_t *p, size_t n)
{
	uint64_t c = 0;

	while (n > 0 && p[n - 1] != '\n')
		n--;
	for (size_t i = 0; i < n; i++)
		c += p[i] == '\n';
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t want = 0;
	char p[600], err[256];
	size_t nseg, part, off = 0;

	if (!dir[0]) {
		strcpy(dir, "/tmp/sw_fuzz_spool_XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	clean();
	if (size < 2)
		return 0;
	nseg = data[0] % 4;
	/* A "seq" file from one byte's worth of digits, or garbage. */
	snprintf(p, sizeof(p), "%s/seq", dir);
	FILE *f = fopen(p, "w");
	if (f) {
		fprintf(f, data[1] & 1 ? "%u\n" : "x%u", data[1]);
		fclose(f);
	}
	data += 2;
	size -= 2;
	part = nseg ? size / nseg : 0;
	for (size_t i = 0; i < nseg; i++) {
		size_t len = i + 1 == nseg ? size - off : part;
		uint64_t seq = len ? data[off] % 64 : i; /* small: overlapping ranges happen */
		snprintf(p, sizeof(p), "%s/%020" PRIu64 ".seg", dir, seq);
		if (access(p, F_OK) == 0) { /* same name twice: the last write wins */
			off += len;
			continue;
		}
		f = fopen(p, "w");
		if (!f)
			abort();
		fwrite(data + off, 1, len, f);
		fclose(f);
		want += lines_of(data + off, len);
		off += len;
	}
	struct sw_syslog_config cfg = { .host = "127.0.0.1", .port = 9, .facility = 16, .severity = 6,
					.spool_dir = dir, .mem_bytes = 256, .reconnect_ms = 60000,
					.connect_timeout_ms = 10, .flush_timeout_ms = 1 };
	struct sw_syslog *s = sw_syslog_new(&cfg, err, sizeof(err));
	if (!s)
		abort();
	struct sw_syslog_stats st;
	sw_syslog_stats(s, &st);
	if (st.replayed != want || st.pending != want)
		abort();
	if (sw_syslog_submit(s, "{\"n\":1}\n", 8) != 0)
		abort();
	sw_syslog_free(s);
	return 0;
}
