// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CrowdSec puller thread (crowdsec.h): GET {url}v1/decisions/stream
 * with libcurl, parse, hand over through a pipe, wait until the loop took
 * the result, sleep poll_interval, again.  One result waits at a time, so
 * a slow loop slows the pulls instead of queueing answers in memory.
 *
 * The LAPI answers a bouncer's stream with what changed since that
 * bouncer's previous pull, and counts a pull as done when it has sent the
 * answer.  An answer lost on the way (a timeout mid-body, a parse error)
 * may therefore have been a delta that will not come again: after any
 * failure the next pull is a start-up pull, whose answer lists every live
 * decision and lets the loop put its state right.
 */
#include "crowdsec.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/file.h"

/* An answer larger than this is refused (1M decisions are ~250 MB). */
#define BODY_MAX (512u * 1024 * 1024)

struct sw_cs {
	struct sw_enf_crowdsec_cfg cfg;
	char key_header[600]; /* "X-Api-Key: ..." */
	char url_startup[512], url_delta[512];
	int pfd[2];
	pthread_t thr;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stop;     /* set under lock; read by curl's progress callback too */
	bool ready;           /* under lock */
	struct sw_cs_result res; /* the waiting result, when ready */
	/* the thread's own */
	char *body;
	size_t blen, bcap;
	bool too_big;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sw_cs *cs = arg;
	size_t len = size * n;

	if (cs->blen + len > BODY_MAX) {
		cs->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	if (cs->blen + len > cs->bcap) {
		size_t cap = cs->bcap ? cs->bcap : 64 * 1024;
		char *b;

		while (cap < cs->blen + len)
			cap *= 2;
		b = realloc(cs->body, cap);
		if (!b)
			return 0;
		cs->body = b;
		cs->bcap = cap;
	}
	memcpy(cs->body + cs->blen, p, len);
	cs->blen += len;
	return len;
}

/* Abandons a transfer when the daemon stops (curl calls this about once a second). */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct sw_cs *cs = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(&cs->stop) ? 1 : 0;
}

/* One pull into @r; the batch array of @r is reused. */
static void pull(struct sw_cs *cs, CURL *h, bool startup, struct sw_cs_result *r)
{
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	double t0 = mono(), t1;
	int pr;

	r->ok = false;
	r->startup = startup;
	r->http_status = 0;
	r->err[0] = 0;
	r->bytes = 0;
	r->fetch_s = r->parse_s = 0;
	cs->blen = 0;
	cs->too_big = false;
	hdr = curl_slist_append(hdr, cs->key_header);
	hdr = hdr ? curl_slist_append(hdr, "Accept: application/json") : NULL;
	if (!hdr) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	curl_easy_setopt(h, CURLOPT_URL, startup ? cs->url_startup : cs->url_delta);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(h);
	t1 = mono();
	r->arrived = t1;
	r->fetch_s = t1 - t0;
	r->bytes = cs->blen;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->http_status);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "%s", cs->too_big ? "answer larger than 512 MiB"
							: cerr[0] ? cerr : curl_easy_strerror(cc));
		return;
	}
	if (r->http_status != 200) {
		/* the LAPI says why in {"message": ...}: quote its start */
		size_t n = cs->blen < 120 ? cs->blen : 120;

		snprintf(r->err, sizeof(r->err), "HTTP %ld%s%s: %.*s", r->http_status,
			 r->http_status == 403 ? " (is api_key_file the key of `cscli bouncers add`?)" : "",
			 n ? "" : " with an empty body", (int)n, cs->body ? cs->body : "");
		for (char *c = r->err; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		return;
	}
	pr = sw_cs_parse_stream(cs->body ? cs->body : "", cs->blen, &cs->cfg, &r->batch, r->err,
				sizeof(r->err));
	r->parse_s = mono() - t1;
	r->ok = pr == 0;
}

static void *run(void *arg)
{
	struct sw_cs *cs = arg;
	bool startup = true;
	CURL *h = curl_easy_init();

	if (h) {
		char ua[64];

		snprintf(ua, sizeof(ua), "sidewall-enforcer/%s", SW_VERSION);
		curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, cs);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cs->cfg.timeout);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(cs->cfg.timeout < 10 ? cs->cfg.timeout : 10));
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* a thread: no SIGALRM for the resolver */
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip if the LAPI offers it */
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, cs);
		if (cs->cfg.ca_file[0])
			curl_easy_setopt(h, CURLOPT_CAINFO, cs->cfg.ca_file);
	}
	for (;;) {
		struct sw_cs_result r;
		struct timespec until;

		pthread_mutex_lock(&cs->lock);
		while (cs->ready && !atomic_load(&cs->stop))
			pthread_cond_wait(&cs->cond, &cs->lock); /* the loop has not taken the last one */
		r = cs->res; /* its batch array, to reuse */
		pthread_mutex_unlock(&cs->lock);
		if (atomic_load(&cs->stop))
			break;
		if (h) {
			pull(cs, h, startup, &r);
		} else {
			r.ok = false;
			snprintf(r.err, sizeof(r.err), "libcurl failed to start");
		}
		startup = !r.ok;
		pthread_mutex_lock(&cs->lock);
		cs->res = r;
		cs->ready = true;
		pthread_mutex_unlock(&cs->lock);
		if (write(cs->pfd[1], "r", 1) < 0) {
			/* the pipe holds a byte already: the loop will look */
		}
		/* the next pull poll_interval from now, or at once when stopping */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += cs->cfg.poll_interval;
		pthread_mutex_lock(&cs->lock);
		while (!atomic_load(&cs->stop) && pthread_cond_timedwait(&cs->cond, &cs->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&cs->lock);
	}
	if (h)
		curl_easy_cleanup(h);
	return NULL;
}

struct sw_cs *sw_cs_new(const struct sw_enf_crowdsec_cfg *cfg, char *err, size_t errlen)
{
	struct sw_cs *cs = calloc(1, sizeof(*cs));
	char *key = NULL, scopes[32] = "";
	size_t klen = 0, i;
	int r;

	if (!cs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->pfd[0] = cs->pfd[1] = -1;
	cs->cfg = *cfg;
	r = sw_read_file(cfg->api_key_file, 4096, &key, &klen);
	if (r) {
		snprintf(err, errlen, "api_key_file %s: %s", cfg->api_key_file, strerror(-r));
		goto fail;
	}
	while (klen && (key[klen - 1] == '\n' || key[klen - 1] == '\r' || key[klen - 1] == ' '))
		klen--;
	for (i = 0; i < klen; i++)
		if ((unsigned char)key[i] <= 0x20 || (unsigned char)key[i] >= 0x7f)
			break;
	if (!klen || i < klen || klen > 512) {
		snprintf(err, errlen, "api_key_file %s: %s", cfg->api_key_file,
			 !klen ? "empty" : "not one line of printable characters (the key of `cscli bouncers add`)");
		goto fail;
	}
	snprintf(cs->key_header, sizeof(cs->key_header), "X-Api-Key: %.*s", (int)klen, key);
	sodium_memzero(key, klen);
	free(key);
	key = NULL;
	/* the LAPI filters by scope itself; origins are filtered here (older LAPIs lack the parameter) */
	snprintf(scopes, sizeof(scopes), "%s%s%s", cfg->scopes & SW_ENF_CS_SCOPE_IP ? "ip" : "",
		 (cfg->scopes & SW_ENF_CS_SCOPE_IP) && (cfg->scopes & SW_ENF_CS_SCOPE_RANGE) ? "," : "",
		 cfg->scopes & SW_ENF_CS_SCOPE_RANGE ? "range" : "");
	snprintf(cs->url_startup, sizeof(cs->url_startup), "%sv1/decisions/stream?startup=true&scopes=%s",
		 cfg->url, scopes);
	snprintf(cs->url_delta, sizeof(cs->url_delta), "%sv1/decisions/stream?startup=false&scopes=%s",
		 cfg->url, scopes);
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, errlen, "libcurl failed to initialise");
		goto fail;
	}
	if (pipe2(cs->pfd, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&cs->lock, NULL);
	pthread_cond_init(&cs->cond, NULL);
	r = pthread_create(&cs->thr, NULL, run, cs);
	if (r) {
		snprintf(err, errlen, "cannot start the puller thread: %s", strerror(r));
		goto fail;
	}
	cs->started = true;
	return cs;
fail:
	free(key);
	sw_cs_free(cs);
	return NULL;
}

int sw_cs_fd(const struct sw_cs *cs)
{
	return cs->pfd[0];
}

bool sw_cs_take(struct sw_cs *cs, struct sw_cs_result *r)
{
	char b[16];
	bool got;

	while (read(cs->pfd[0], b, sizeof(b)) > 0)
		;
	pthread_mutex_lock(&cs->lock);
	got = cs->ready;
	if (got) {
		struct sw_cs_batch spare = r->batch;

		*r = cs->res;
		/* the thread keeps the caller's old array for its next answer */
		cs->res.batch = spare;
		cs->ready = false;
		pthread_cond_broadcast(&cs->cond);
	}
	pthread_mutex_unlock(&cs->lock);
	return got;
}

void sw_cs_free(struct sw_cs *cs)
{
	if (!cs)
		return;
	if (cs->started) {
		pthread_mutex_lock(&cs->lock);
		atomic_store(&cs->stop, true);
		pthread_cond_broadcast(&cs->cond);
		pthread_mutex_unlock(&cs->lock);
		/* a pull in flight ends at its next progress call (on_progress) */
		pthread_join(cs->thr, NULL);
		pthread_mutex_destroy(&cs->lock);
		pthread_cond_destroy(&cs->cond);
	}
	if (cs->pfd[0] >= 0)
		close(cs->pfd[0]);
	if (cs->pfd[1] >= 0)
		close(cs->pfd[1]);
	sw_cs_batch_free(&cs->res.batch);
	free(cs->body);
	sodium_memzero(cs->key_header, sizeof(cs->key_header));
	free(cs);
}
