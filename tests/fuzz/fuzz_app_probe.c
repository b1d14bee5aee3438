// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz protocol detection.  The first byte picks the direction, the
 * transport and the server port (the ports some probes are bound to, or
 * two more input bytes); the rest is the payload.
 *
 * Checked, beyond ASan/UBSan:
 *  - *proto is written only on FOUND, and UDP never says NEED_MORE;
 *  - over TCP, cutting the payload at every length up to 512: once FAIL,
 *    always FAIL; once FOUND, always FOUND with the same protocol.  The
 *    one exception is DNS over TCP found on the header of a message that
 *    has not fully arrived (Suricata's c_probe_tcp judges the header alone
 *    then; the whole message may not parse).
 * Each cut is copied to the end of a heap buffer so that reading one byte
 * past it is an ASan report.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CUT 512

static const uint16_t ports[] = { 53, 80, 21, 25, 110, 139, 443, 445, 143, 135, 8080, 22, 2121 };

static enum sw_probe_result run(uint8_t *buf, size_t cap, const uint8_t *d, uint32_t n, uint8_t ipproto, bool ts,
				uint16_t sport, uint16_t dport, enum sw_app_proto *p)
{
	enum sw_probe_result r;

	memcpy(buf + cap - n, d, n);
	*p = SW_APP_N;
	r = sw_app_probe(buf + cap - n, n, ipproto, ts, sport, dport, p);
	if ((r == SW_PROBE_FOUND) != (*p != SW_APP_N))
		__builtin_trap();
	if (r == SW_PROBE_FOUND && (*p <= SW_APP_UNKNOWN || *p >= SW_APP_FAILED || *p == SW_APP_FTP_DATA))
		__builtin_trap();
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel, ipproto;
	uint16_t server, sport, dport;
	bool ts;
	const uint8_t *d;
	uint32_t len, n, last;
	uint8_t *buf;
	enum sw_probe_result r, prev = SW_PROBE_NEED_MORE;
	enum sw_app_proto p, prev_p = SW_APP_N;

	if (size < 1)
		return 0;
	sel = data[0];
	d = data + 1;
	size -= 1;
	ts = sel & 1;
	ipproto = (sel & 2) ? 17 : 6;
	if (((sel >> 2) & 15) < sizeof(ports) / sizeof(ports[0])) {
		server = ports[(sel >> 2) & 15];
	} else {
		if (size < 2)
			return 0;
		server = (uint16_t)(d[0] << 8 | d[1]);
		d += 2;
		size -= 2;
	}
	if (size > UINT32_MAX)
		return 0;
	len = (uint32_t)size;
	sport = ts ? 40000 : server;
	dport = ts ? server : 40000;

	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;

	r = run(buf, len, d, len, ipproto, ts, sport, dport, &p);
	if (ipproto == 17) {
		if (r == SW_PROBE_NEED_MORE)
			__builtin_trap();
		goto out;
	}

	last = len < MAX_CUT ? len : MAX_CUT;
	for (n = 0; n <= last; n++) {
		r = run(buf, len, d, n, ipproto, ts, sport, dport, &p);
		if (prev == SW_PROBE_FAIL && r != SW_PROBE_FAIL)
			__builtin_trap();
		if (prev == SW_PROBE_FOUND && (r != SW_PROBE_FOUND || p != prev_p)) {
			/* DNS/TCP judged on its header while the message was incomplete */
			bool dns_partial = prev_p == SW_APP_DNS && n >= 3 &&
					   (uint32_t)(n - 1) < 2u + (uint32_t)(d[0] << 8 | d[1]);

			if (!dns_partial)
				__builtin_trap();
		}
		prev = r;
		prev_p = p;
	}
out:
	free(buf);
	return 0;
}
