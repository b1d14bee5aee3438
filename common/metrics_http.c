/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmicrohttpd rather than an HTTP server of our own: request parsing,
 * keep-alive, slow clients and timeouts are its well-tested business, and
 * all we add is three paths.
 */
#include "metrics_http.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/hostport.h"

#define WAIT_MS_DEFAULT 1000
#define CONN_LIMIT 16
#define CONN_TIMEOUT_S 10

struct sw_metrics_http {
	struct sw_metrics_http_config cfg;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	pthread_cond_t fresh;
	atomic_bool wanted;     /* a scrape waits: the owner's loop publishes */
	uint64_t published;     /* snapshots published so far (under lock) */
	uint8_t *snap;          /* the latest snapshot (under lock) */
	uint8_t *copy;          /* the HTTP thread's copy, formatted without the lock */
	struct sw_prom *out;    /* the HTTP thread's writer, reused across scrapes */
	char index[512];        /* the / page */
};

bool sw_metrics_http_wanted(const struct sw_metrics_http *m)
{
	return m && atomic_load_explicit(&m->wanted, memory_order_relaxed);
}

void sw_metrics_http_publish(struct sw_metrics_http *m, const void *snap)
{
	pthread_mutex_lock(&m->lock);
	memcpy(m->snap, snap, m->cfg.snap_size);
	m->published++;
	atomic_store_explicit(&m->wanted, false, memory_order_relaxed);
	pthread_cond_broadcast(&m->fresh);
	pthread_mutex_unlock(&m->lock);
}

/*
 * Ask for a snapshot and wait for it (at most wait_ms), then copy the
 * latest into m->copy.  Returns false if there has never been one.
 */
static bool take_snapshot(struct sw_metrics_http *m)
{
	struct timespec until;
	uint64_t seen;
	bool have;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += m->cfg.wait_ms / 1000;
	until.tv_nsec += (long)(m->cfg.wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->lock);
	seen = m->published;
	atomic_store_explicit(&m->wanted, true, memory_order_relaxed);
	while (m->published == seen)
		if (pthread_cond_timedwait(&m->fresh, &m->lock, &until) == ETIMEDOUT)
			break;
	have = m->published > 0;
	if (have)
		memcpy(m->copy, m->snap, m->cfg.snap_size);
	pthread_mutex_unlock(&m->lock);
	return have;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
			     size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **req)
{
	struct sw_metrics_http *m = cls;
	static const char text[] = "text/plain; charset=utf-8";
	const char *body;
	size_t len;
	int rc;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, "method not allowed\n", 19);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", m->index, strlen(m->index));
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, text, "not found: metrics are at /metrics\n", 35);
	if (!take_snapshot(m))
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, text, "no counters yet: try again\n", 27);
	sw_prom_reset(m->out);
	rc = m->cfg.format(m->cfg.ctx, m->copy, m->out);
	if (rc || sw_prom_error(m->out)) {
		char msg[128];
		int n = snprintf(msg, sizeof(msg), "cannot format the metrics: %s\n",
				 strerror(-(rc ? rc : sw_prom_error(m->out))));
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, text, msg, n > 0 ? (size_t)n : 0);
	}
	body = sw_prom_text(m->out, &len);
	return reply(c, MHD_HTTP_OK, SW_PROM_CONTENT_TYPE, body, len);
}

/*
 * Our own socket, bound before libmicrohttpd starts, so that a bind
 * failure says which address and why (MHD_start_daemon() only returns
 * NULL).  Returns the listening socket or -errno.
 */
static int listen_on(const char *listen_addr, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[256], port[8];
	unsigned p;
	int fd = -1, one = 1, rc;

	if (sw_hostport_parse(listen_addr, host, sizeof(host), &p) < 0) {
		snprintf(err, errlen, "'%s' is not HOST:PORT or [IPV6]:PORT", listen_addr);
		return -EINVAL;
	}
	snprintf(port, sizeof(port), "%u", p);
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, gai_strerror(rc));
		return -EADDRNOTAVAIL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, CONN_LIMIT) < 0)
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	rc = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

struct sw_metrics_http *sw_metrics_http_new(const struct sw_metrics_http_config *cfg, char *err, size_t errlen)
{
	struct sw_metrics_http *m = calloc(1, sizeof(*m));
	int fd = -1, rc = -ENOMEM;

	snprintf(err, errlen, "out of memory");
	if (!m)
		goto fail;
	m->cfg = *cfg;
	m->cfg.listen = NULL; /* borrowed until return only */
	if (!m->cfg.wait_ms)
		m->cfg.wait_ms = WAIT_MS_DEFAULT;
	pthread_mutex_init(&m->lock, NULL);
	{
		pthread_condattr_t ca;

		/* timed waits on the monotonic clock: a clock step never stretches a scrape */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&m->fresh, &ca);
		pthread_condattr_destroy(&ca);
	}
	atomic_init(&m->wanted, false);
	m->snap = calloc(1, cfg->snap_size ? cfg->snap_size : 1);
	m->copy = calloc(1, cfg->snap_size ? cfg->snap_size : 1);
	m->out = sw_prom_new();
	if (!m->snap || !m->copy || !m->out)
		goto fail;
	snprintf(m->index, sizeof(m->index),
		 "<html><head><title>%s metrics</title></head><body><h1>%s</h1>"
		 "<p>Prometheus metrics: <a href=\"/metrics\">/metrics</a></p></body></html>\n",
		 cfg->name ? cfg->name : "sidewall", cfg->name ? cfg->name : "sidewall");
	fd = listen_on(cfg->listen, err, errlen);
	if (fd < 0) {
		rc = fd;
		fd = -1;
		goto fail;
	}
	/*
	 * One internal thread polls every connection (MHD_USE_AUTO: epoll on
	 * Linux); a handful of connections at most, each with a timeout, so a
	 * client that never finishes its request cannot pin a slot forever.
	 */
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, m,
				MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_END);
	if (!m->d) {
		rc = -EIO;
		snprintf(err, errlen, "cannot serve on %s: libmicrohttpd failed to start", cfg->listen);
		goto fail;
	}
	return m;
fail:
	if (fd >= 0)
		close(fd);
	sw_metrics_http_free(m);
	errno = -rc;
	return NULL;
}

void sw_metrics_http_free(struct sw_metrics_http *m)
{
	if (!m)
		return;
	/* Stops the thread and closes the listening socket it was given. */
	if (m->d)
		MHD_stop_daemon(m->d);
	sw_prom_free(m->out);
	free(m->snap);
	free(m->copy);
	pthread_cond_destroy(&m->fresh);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
