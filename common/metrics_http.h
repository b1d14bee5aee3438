/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /metrics HTTP endpoint of sidewall and sidewall-enforcer, served by
 * libmicrohttpd on a thread of its own.
 *
 * The HTTP thread never reads the daemon's counters: a scrape asks for a
 * snapshot (sw_metrics_http_wanted() turns true), the daemon's own
 * housekeeping loop copies its counters into a plain struct and hands it
 * over with sw_metrics_http_publish() (one memcpy under a mutex nobody on
 * the packet path takes), and the HTTP thread formats that copy.  So a
 * scrape costs the daemon one snapshot, workers are never blocked, and a
 * slow or stuck client holds nothing but its own connection.  A scrape that
 * gets no fresh snapshot within the wait (the loop busy, say) is answered
 * from the previous one.
 *
 * Paths: /metrics (text format 0.0.4), / (a pointer to /metrics), 404
 * elsewhere, 405 for methods other than GET and HEAD.
 */
#ifndef SW_COMMON_METRICS_HTTP_H
#define SW_COMMON_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/prom.h"

struct sw_metrics_http_config {
	const char *listen;   /* "HOST:PORT" or "[V6]:PORT" (borrowed until sw_metrics_http_new() returns) */
	size_t snap_size;     /* bytes of one snapshot */
	/*
	 * Formats @snap (a copy owned by the HTTP thread, valid until return)
	 * into @out.  Runs on the HTTP thread.  Returns 0 or -errno (answered
	 * with 500).
	 */
	int (*format)(void *ctx, const void *snap, struct sw_prom *out);
	void *ctx;
	const char *name;     /* program name for the / page, e.g. "sidewall" */
	unsigned wait_ms;     /* how long a scrape waits for a fresh snapshot; 0 = 1000 */
};

struct sw_metrics_http;

/*
 * Bind @cfg->listen and start serving.  Returns NULL with errno set and a
 * reason naming the address in @err ("cannot listen on 127.0.0.1:9748:
 * Address already in use"); -EINVAL for an address that does not parse.
 */
struct sw_metrics_http *sw_metrics_http_new(const struct sw_metrics_http_config *cfg, char *err, size_t errlen);

/*
 * True when a scrape is waiting for a snapshot.  One atomic load: cheap
 * enough for any loop.  Accepts NULL (false).
 */
bool sw_metrics_http_wanted(const struct sw_metrics_http *m);

/* Hand over a snapshot (@snap_size bytes, copied before return) and wake the waiting scrapes. */
void sw_metrics_http_publish(struct sw_metrics_http *m, const void *snap);

/* Stop the thread, close the socket.  Accepts NULL. */
void sw_metrics_http_free(struct sw_metrics_http *m);

#endif
