/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP/1.x through libhtp 0.5 (the parser Suricata 7 uses), configured the
 * way Suricata's default-config is (src/app-layer-htp.c), with the
 * detection buffers built the way Suricata's src/detect-http-*.c build
 * them and the EVE object written the way src/output-json-http.c does.
 *
 * Ownership: libhtp owns its transactions (htp_tx_t, with the request and
 * response fields most buffers point into); each carries one struct
 * http_tx of ours as user data (the stage bookkeeping, bodies and the
 * buffers libhtp does not keep).  tx auto-destroy stays off so a
 * transaction lives until sw_http_flow_gc() has seen all four of its
 * stages reported, which is what keeps buffers borrowed by detection
 * valid.
 *
 * Memory accounting (approximate, per worker, against memcap/workers):
 *   - a parser costs HTTP_PARSER_COST: libhtp's connp + conn + line
 *     buffers for a typical header line, plus our per-flow struct;
 *   - a transaction costs HTTP_TX_COST (htp_tx_t, its header tables and
 *     parsed URI, our struct) plus its raw header bytes counted twice
 *     (libhtp keeps a parsed copy of each header, we keep the raw bytes);
 *   - plus the capacity of every buffer we allocate for it (normalized
 *     URI, derived header buffers, request and response bodies).
 * libhtp allocations we cannot see (decompressor state, long-line
 * buffering) are not counted; that is the "approximate".  When the cap is
 * reached new parsers are refused (counted in stats.memcap) and bodies stop
 * growing (the body stage is then reported as if the body limit was hit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <htp/htp.h>

#include "engine/app/http.h"
#include "engine/output/eve.h"

#define HTTP_PARSER_COST 8192u
#define HTTP_TX_COST 2048u
#define HTTP_ALL_STAGES ((1u << SW_STAGE_N) - 1)

/* Suricata's HTP_CONFIG_DEFAULT_* values for the knobs not in our config. */
#define HTTP_LZMA_MEMLIMIT (1024u * 1024u)
#define HTTP_BOMB_LIMIT (1024u * 1024u)
#define HTTP_TIME_LIMIT_USEC 100000u

struct sw_http {
	htp_cfg_t *cfg;
	struct sw_app_http_config c;
	uint64_t memcap; /* this worker's share; 0 = unlimited */
	struct sw_http_stats st;
};

struct sw_http_flow {
	struct sw_http *h;
	htp_connp_t *connp;
	sw_app_emit_fn emit; /* set for the duration of a feed / close call */
	void *ctx;
	uint64_t next_id;
	uint64_t mem; /* bytes accounted to this flow (parser + its transactions) */
	bool failed;  /* libhtp returned an error: nothing more is fed */
	bool closed;
	bool stop[2]; /* [0] to server, [1] to client: gap, tunnel or upgrade */
	size_t gc_from; /* transactions before this index are all freed (libhtp keeps NULL slots) */
};

/* A growable byte buffer, allocated per transaction (never per byte). */
struct bytes {
	uint8_t *p;
	uint32_t len, cap;
};

/* Buffers derived from one header block, built once when it is complete. */
struct hdrs {
	bool built;
	uint8_t *mem;                      /* header, names, start, instances back to back */
	uint32_t header_off, header_len;   /* http.header: "Name: value\r\n"..., cookie excluded */
	uint32_t names_off, names_len;     /* http.header_names: "\r\nName\r\n...\r\n" */
	uint32_t start_off, start_len;     /* http.start: line "\r\n" headers "\r\n" */
	uint32_t n_inst;                   /* http.request_header / response_header instances */
	uint32_t *inst;                    /* n_inst + 1 offsets into mem ("Name: value") */
};

struct http_tx {
	struct sw_app_tx base; /* first: detection and EVE see this */
	htp_tx_t *htx;
	struct sw_http_flow *hf;
	uint8_t reported;      /* bit (1 << enum sw_app_stage) once reported */
	bool uri_built;
	struct bytes uri;      /* normalized path?query#fragment */
	struct bytes host;     /* request_hostname lowercased */
	struct bytes host_raw; /* an absolute URI's authority "host[:port]" as sent */
	struct bytes raw[2];   /* raw header bytes as received: [0] request, [1] response */
	struct bytes body[2];  /* dechunked (response: decompressed) body, up to its limit */
	struct hdrs hd[2];
	uint64_t mem;          /* accounted to this transaction */
};

/* ---- memory accounting ---- */

/* Whether @add more bytes fit under the memcap; a refusal is counted (st.memcap), never silent. */
static bool mem_ok(struct sw_http *h, uint64_t add)
{
	if (!h->memcap || h->st.memuse + add <= h->memcap)
		return true;
	h->st.memcap++;
	return false;
}

static void mem_add(struct sw_http *h, struct sw_http_flow *hf, struct http_tx *t, uint64_t n)
{
	h->st.memuse += n;
	if (h->st.memuse > h->st.memuse_max)
		h->st.memuse_max = h->st.memuse;
	hf->mem += n;
	if (t)
		t->mem += n;
}

static void mem_sub(struct sw_http *h, struct sw_http_flow *hf, uint64_t n)
{
	h->st.memuse -= n;
	hf->mem -= n;
}

/*
 * Append @n bytes to @b, never growing past @limit (0 = no limit).
 * Capacity doubles so a body costs O(log n) allocations per transaction.
 * Returns the bytes taken (less than @n at the limit, on memcap or ENOMEM).
 */
static uint32_t bytes_add(struct http_tx *t, struct bytes *b, const uint8_t *p, size_t n, uint32_t limit)
{
	struct sw_http_flow *hf = t->hf;
	uint64_t want;
	uint32_t take;

	if (limit && b->len >= limit)
		return 0;
	take = n > UINT32_MAX - b->len ? UINT32_MAX - b->len : (uint32_t)n;
	if (limit && take > limit - b->len)
		take = limit - b->len;
	if (!take)
		return 0;
	want = (uint64_t)b->len + take;
	if (want > b->cap) {
		uint64_t cap = b->cap ? b->cap : 256;
		uint8_t *np;

		while (cap < want)
			cap *= 2;
		if (limit && cap > limit)
			cap = limit;
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		if (!mem_ok(hf->h, cap - b->cap))
			return 0;
		np = realloc(b->p, cap);
		if (!np)
			return 0;
		mem_add(hf->h, hf, t, cap - b->cap);
		b->p = np;
		b->cap = (uint32_t)cap;
	}
	memcpy(b->p + b->len, p, take);
	b->len += take;
	return take;
}

/* ---- stages ---- */

/*
 * Report @st and, first, every stage it needs (app.h sw_app_stage_needs())
 * not reported yet: a response seen before its request's headers ended (or
 * without any request) still reports the request headers first, so each
 * stage is reported exactly once whatever libhtp's hook order was.  The
 * request body stage is not forced by the response: it waits for the
 * request to complete, its body limit, or the flow's end.
 */
static void reach(struct http_tx *t, enum sw_app_stage st)
{
	struct sw_http_flow *hf = t->hf;
	unsigned want = sw_app_stage_needs(st) | 1u << st;

	for (int s = 0; s < SW_STAGE_N; s++) {
		if (!(want & (1u << s)) || (t->reported & (1u << s)))
			continue;
		t->reported |= (uint8_t)(1u << s);
		if (hf->emit)
			hf->emit(hf->ctx, &t->base, (enum sw_app_stage)s);
	}
}

/* ---- transactions ---- */

static struct http_tx *tx_new(struct sw_http_flow *hf, htp_tx_t *htx)
{
	struct http_tx *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->base.proto = SW_APP_HTTP1;
	t->base.id = hf->next_id++;
	t->htx = htx;
	t->hf = hf;
	htp_tx_set_user_data(htx, t);
	/* A transaction must exist for stages to be reported, so it is not
	 * refused at the memcap: bodies are what stops growing. */
	mem_add(hf->h, hf, t, HTTP_TX_COST);
	hf->h->st.tx++;
	return t;
}

static void tx_free(struct sw_http_flow *hf, struct http_tx *t)
{
	if (!t)
		return;
	for (int d = 0; d < 2; d++) {
		free(t->raw[d].p);
		free(t->body[d].p);
		free(t->hd[d].mem);
		free(t->hd[d].inst);
	}
	free(t->uri.p);
	free(t->host.p);
	free(t->host_raw.p);
	mem_sub(hf->h, hf, t->mem);
	htp_tx_set_user_data(t->htx, NULL);
	free(t);
}

static struct http_tx *tx_of(htp_tx_t *htx)
{
	return htx ? htp_tx_get_user_data(htx) : NULL;
}

/* Our transaction for @htx, created on first sight (a response without request has no REQUEST_START). */
static struct http_tx *tx_get(htp_tx_t *htx)
{
	struct http_tx *t = tx_of(htx);

	if (!t) {
		struct sw_http_flow *hf = htp_connp_get_user_data(htx->connp);

		if (hf)
			t = tx_new(hf, htx);
	}
	return t;
}

static bool name_is(const htp_header_t *h, const char *lc)
{
	size_t n = strlen(lc);

	if (!h->name || bstr_len(h->name) != n)
		return false;
	return bstr_cmp_c_nocase(h->name, lc) == 0;
}

/*
 * http.host: libhtp's request_hostname (the absolute URI's host, else the
 * Host header's, without port) lowercased.  libhtp 0.5 lowercases it only
 * when no port follows, Suricata documents the buffer as always
 * lowercase (and rejects rules with uppercase http.host patterns), so we
 * lowercase it ourselves.
 * http.host.raw: the Host header value as sent, or for an absolute URI its
 * authority as sent (host[:port], userinfo left out).
 */
static void build_host(struct http_tx *t)
{
	const htp_tx_t *x = t->htx;
	const htp_uri_t *raw = x->parsed_uri_raw;

	if (x->request_hostname) {
		uint32_t n = bytes_add(t, &t->host, bstr_ptr(x->request_hostname), bstr_len(x->request_hostname), 0);

		for (uint32_t i = 0; i < n; i++)
			if (t->host.p[i] >= 'A' && t->host.p[i] <= 'Z')
				t->host.p[i] = (uint8_t)(t->host.p[i] + ('a' - 'A'));
	}
	if (raw && raw->hostname) {
		bytes_add(t, &t->host_raw, bstr_ptr(raw->hostname), bstr_len(raw->hostname), 0);
		if (raw->port) {
			bytes_add(t, &t->host_raw, (const uint8_t *)":", 1, 0);
			bytes_add(t, &t->host_raw, bstr_ptr(raw->port), bstr_len(raw->port), 0);
		}
	}
}

/*
 * Build http.header, http.header_names, http.start and the per-header
 * instances of one direction in a single allocation, as Suricata's
 * detect-http-header.c, detect-http-header-names.c, detect-http-start.c
 * and detect-http-header.c (GetHttp1HeaderData) build them.
 */
static int build_hdrs(struct http_tx *t, int dir)
{
	struct hdrs *hd = &t->hd[dir];
	htp_table_t *tab = dir ? t->htx->response_headers : t->htx->request_headers;
	bstr *line = dir ? t->htx->response_line : t->htx->request_line;
	size_t n = tab ? htp_table_size(tab) : 0, pairs = 0, names = 4, total;
	const char *cookie = dir ? "set-cookie" : "cookie";
	uint8_t *w;

	if (hd->built)
		return 0;
	hd->built = true;
	if (!dir)
		build_host(t);
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(tab, i, NULL);

		pairs += bstr_len(h->name) + bstr_len(h->value) + 2;
		names += bstr_len(h->name) + 2;
	}
	/* header <= pairs + 2n, start <= line + 2 + pairs + 2n + 2, instances = pairs */
	total = (pairs + 2 * n) + names + (line ? bstr_len(line) : 0) + 4 + pairs + 2 * n + pairs;
	if (total > UINT32_MAX / 2)
		return -E2BIG;
	if (!mem_ok(t->hf->h, total + (n + 1) * sizeof(uint32_t)))
		return -ENOMEM;
	hd->mem = malloc(total + 1);
	hd->inst = malloc((n + 1) * sizeof(uint32_t));
	if (!hd->mem || !hd->inst) {
		free(hd->mem);
		free(hd->inst);
		hd->mem = NULL;
		hd->inst = NULL;
		return -ENOMEM;
	}
	mem_add(t->hf->h, t->hf, t, total + (n + 1) * sizeof(uint32_t));
	w = hd->mem;

	/* http.header: every header but Cookie (request) / Set-Cookie (response), no final CRLF */
	hd->header_off = 0;
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(tab, i, NULL);

		if (name_is(h, cookie))
			continue;
		memcpy(w, bstr_ptr(h->name), bstr_len(h->name));
		w += bstr_len(h->name);
		memcpy(w, ": ", 2);
		w += 2;
		memcpy(w, bstr_ptr(h->value), bstr_len(h->value));
		w += bstr_len(h->value);
		memcpy(w, "\r\n", 2);
		w += 2;
	}
	hd->header_len = (uint32_t)(w - hd->mem);

	/* http.header_names: "\r\n" Name "\r\n" ... "\r\n" */
	hd->names_off = (uint32_t)(w - hd->mem);
	memcpy(w, "\r\n", 2);
	w += 2;
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(tab, i, NULL);

		memcpy(w, bstr_ptr(h->name), bstr_len(h->name));
		w += bstr_len(h->name);
		memcpy(w, "\r\n", 2);
		w += 2;
	}
	memcpy(w, "\r\n", 2);
	w += 2;
	hd->names_len = (uint32_t)(w - hd->mem) - hd->names_off;

	/* http.start: start line CRLF, "Name: value" CRLF each, CRLF after the last (none without headers) */
	hd->start_off = (uint32_t)(w - hd->mem);
	if (line) {
		memcpy(w, bstr_ptr(line), bstr_len(line));
		w += bstr_len(line);
		memcpy(w, "\r\n", 2);
		w += 2;
		for (size_t i = 0; i < n; i++) {
			htp_header_t *h = htp_table_get_index(tab, i, NULL);

			memcpy(w, bstr_ptr(h->name), bstr_len(h->name));
			w += bstr_len(h->name);
			memcpy(w, ": ", 2);
			w += 2;
			memcpy(w, bstr_ptr(h->value), bstr_len(h->value));
			w += bstr_len(h->value);
			memcpy(w, "\r\n", 2);
			w += 2;
			if (i + 1 == n) {
				memcpy(w, "\r\n", 2);
				w += 2;
			}
		}
	}
	hd->start_len = (uint32_t)(w - hd->mem) - hd->start_off;

	/* instances: "Name: value" each */
	hd->n_inst = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(tab, i, NULL);

		hd->inst[i] = (uint32_t)(w - hd->mem);
		memcpy(w, bstr_ptr(h->name), bstr_len(h->name));
		w += bstr_len(h->name);
		memcpy(w, ": ", 2);
		w += 2;
		memcpy(w, bstr_ptr(h->value), bstr_len(h->value));
		w += bstr_len(h->value);
	}
	hd->inst[n] = (uint32_t)(w - hd->mem);
	return 0;
}

/*
 * http.uri as Suricata builds it with uri-include-all: false
 * (app-layer-htp-libhtp.c SCHTPGenerateNormalizedUri): libhtp's normalized
 * path, "?" and the query url-decoded once more, "#" and the fragment.
 */
static void build_uri(struct http_tx *t)
{
	htp_uri_t *u = t->htx->parsed_uri;
	bstr *q = NULL;

	if (t->uri_built || !u)
		return;
	t->uri_built = true;
	if (u->path)
		bytes_add(t, &t->uri, bstr_ptr(u->path), bstr_len(u->path), 0);
	if (u->query) {
		uint64_t flags = 0;

		q = bstr_dup(u->query);
		if (q && htp_urldecode_inplace(t->htx->cfg, HTP_DECODER_URLENCODED, q, &flags) == HTP_OK) {
			bytes_add(t, &t->uri, (const uint8_t *)"?", 1, 0);
			bytes_add(t, &t->uri, bstr_ptr(q), bstr_len(q), 0);
		}
		bstr_free(q);
	}
	if (u->fragment) {
		bytes_add(t, &t->uri, (const uint8_t *)"#", 1, 0);
		bytes_add(t, &t->uri, bstr_ptr(u->fragment), bstr_len(u->fragment), 0);
	}
}

/* ---- libhtp hooks (return HTP_OK, or HTP_ERROR only when we cannot keep a transaction) ---- */

static int on_request_start(htp_tx_t *htx)
{
	return tx_get(htx) ? HTP_OK : HTP_ERROR;
}

/* Suricata's double-decode-path/-query: one more url-decode of the normalized part. */
static void double_decode(htp_tx_t *htx, bstr *part)
{
	uint64_t flags = 0;

	if (part)
		htp_urldecode_inplace(htx->cfg, HTP_DECODER_URLENCODED, part, &flags);
}

static int on_request_line(htp_tx_t *htx)
{
	struct http_tx *t = tx_get(htx);
	struct sw_http *h;

	if (!t)
		return HTP_ERROR;
	h = t->hf->h;
	if (htx->parsed_uri && h->c.double_decode_path)
		double_decode(htx, htx->parsed_uri->path);
	if (htx->parsed_uri && h->c.double_decode_query)
		double_decode(htx, htx->parsed_uri->query);
	build_uri(t);
	/*
	 * No stage here even for what looks like HTTP/0.9: libhtp looks ahead
	 * and turns it back into HTTP/1.x if header lines follow (suricata-verify
	 * http-missing-protocol).  A real HTTP/0.9 request completes at once, and
	 * the request body stage reports its headers stage first.
	 */
	return HTP_OK;
}

/*
 * A hook that completes stage @st of the transaction: build the buffers
 * that stage reads (the request's always: a response without request reads
 * what libhtp made up for it; the response's from the response stages on),
 * report it, and the transaction's end once both halves are complete (a
 * response may end before its request does).
 */
static int hook_stage(htp_tx_t *htx, enum sw_app_stage st)
{
	struct http_tx *t = tx_get(htx);

	if (!t)
		return HTP_ERROR;
	build_uri(t);
	build_hdrs(t, 0);
	if (!sw_app_stage_to_server(st))
		build_hdrs(t, 1);
	reach(t, st);
	if (htx->request_progress == HTP_REQUEST_COMPLETE && htx->response_progress == HTP_RESPONSE_COMPLETE)
		reach(t, SW_STAGE_TX_DONE);
	return HTP_OK;
}

static int on_request_headers(htp_tx_t *htx)
{
	return hook_stage(htx, SW_STAGE_REQ_HEADERS);
}

static void header_data(htp_tx_data_t *d, int dir)
{
	struct http_tx *t = tx_get(d->tx);

	if (!t || !d->data || !d->len)
		return;
	/* Counted twice: libhtp keeps its own parsed copy of the same bytes. */
	if (bytes_add(t, &t->raw[dir], d->data, d->len, 0))
		mem_add(t->hf->h, t->hf, t, d->len);
}

static int on_request_header_data(htp_tx_data_t *d)
{
	header_data(d, 0);
	return HTP_OK;
}

static int on_response_header_data(htp_tx_data_t *d)
{
	header_data(d, 1);
	return HTP_OK;
}

static void body_data(htp_tx_data_t *d, int dir)
{
	struct http_tx *t = tx_get(d->tx);
	struct sw_http *h;
	uint32_t limit;
	enum sw_app_stage st = dir ? SW_STAGE_RESP_BODY : SW_STAGE_REQ_BODY;

	if (!t || !d->data || !d->len || (t->reported & (1u << st)))
		return;
	h = t->hf->h;
	limit = dir ? h->c.response_body_limit : h->c.request_body_limit;
	if (bytes_add(t, &t->body[dir], d->data, d->len, limit) < d->len)
		/* At the limit (or the memcap): inspect what we have now. */
		reach(t, st);
	else if (limit && t->body[dir].len >= limit)
		reach(t, st);
}

static int on_request_body_data(htp_tx_data_t *d)
{
	body_data(d, 0);
	return HTP_OK;
}

static int on_response_body_data(htp_tx_data_t *d)
{
	body_data(d, 1);
	return HTP_OK;
}

static int on_request_complete(htp_tx_t *htx)
{
	return hook_stage(htx, SW_STAGE_REQ_BODY);
}

static int on_response_start(htp_tx_t *htx)
{
	return tx_get(htx) ? HTP_OK : HTP_ERROR;
}

static int on_response_headers(htp_tx_t *htx)
{
	return hook_stage(htx, SW_STAGE_RESP_HEADERS);
}

static int on_response_complete(htp_tx_t *htx)
{
	return hook_stage(htx, SW_STAGE_RESP_BODY);
}

/* ---- per worker ---- */

struct sw_http *sw_http_new(const struct sw_app_http_config *cfg, unsigned workers)
{
	struct sw_http *h = calloc(1, sizeof(*h));
	htp_cfg_t *c = NULL;
	int err = ENOMEM;

	if (!h)
		goto out;
	h->c = *cfg;
	h->memcap = cfg->memcap / (workers ? workers : 1);
	if (cfg->memcap && !h->memcap)
		h->memcap = 1;
	c = htp_config_create();
	if (!c)
		goto out;
	if (htp_config_set_server_personality(c, (enum htp_server_personality_t)cfg->personality) != HTP_OK) {
		err = EINVAL;
		goto out;
	}
	/*
	 * Suricata's HTPConfigSetDefaultsPhase1 and personality handling: the
	 * IDS personality lowercases the path, which signatures do not expect;
	 * cookies are not parsed; '+' is not a space; a space inside the URI
	 * is allowed; request bodies are decompressed too.
	 */
	htp_config_set_convert_lowercase(c, HTP_DECODER_URL_PATH, 0);
	htp_config_set_parse_request_cookies(c, 0);
	htp_config_set_allow_space_uri(c, 1);
	htp_config_set_plusspace_decode(c, HTP_DECODER_URLENCODED, 0);
	htp_config_set_request_decompression(c, 1);
	htp_config_set_response_decompression(c, 1);
	htp_config_set_response_decompression_layer_limit(c, (int)cfg->decompression_layer_limit);
	htp_config_set_lzma_layers(c, 0); /* Suricata: lzma-enabled defaults to off */
	htp_config_set_lzma_memlimit(c, HTTP_LZMA_MEMLIMIT);
	htp_config_set_compression_bomb_limit(c, HTTP_BOMB_LIMIT);
	htp_config_set_compression_time_limit(c, HTTP_TIME_LIMIT_USEC);
	if (cfg->field_limit)
		htp_config_set_field_limits(c, cfg->field_limit, cfg->field_limit);
	/* We free transactions ourselves once all their stages were inspected. */
	htp_config_set_tx_auto_destroy(c, 0);
	/* libhtp keeps every log message on the connection: unbounded memory per flow. */
	htp_config_set_log_level(c, HTP_LOG_NONE);

	htp_config_register_request_start(c, on_request_start);
	htp_config_register_request_line(c, on_request_line);
	htp_config_register_request_headers(c, on_request_headers);
	htp_config_register_request_header_data(c, on_request_header_data);
	htp_config_register_request_trailer_data(c, on_request_header_data);
	htp_config_register_request_body_data(c, on_request_body_data);
	htp_config_register_request_complete(c, on_request_complete);
	htp_config_register_response_start(c, on_response_start);
	htp_config_register_response_headers(c, on_response_headers);
	htp_config_register_response_header_data(c, on_response_header_data);
	htp_config_register_response_trailer_data(c, on_response_header_data);
	htp_config_register_response_body_data(c, on_response_body_data);
	htp_config_register_response_complete(c, on_response_complete);
	h->cfg = c;
	return h;
out:
	htp_config_destroy(c);
	free(h);
	errno = err;
	return NULL;
}

void sw_http_free(struct sw_http *h)
{
	if (!h)
		return;
	htp_config_destroy(h->cfg);
	free(h);
}

const struct sw_http_stats *sw_http_stats(const struct sw_http *h)
{
	return &h->st;
}

/* ---- per flow ---- */

static htp_time_t tv_of(int64_t usec)
{
	htp_time_t tv;

	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	if (tv.tv_usec < 0) {
		tv.tv_usec += 1000000;
		tv.tv_sec--;
	}
	return tv;
}

struct sw_http_flow *sw_http_flow_new(struct sw_http *h, const struct sw_flow *f, int64_t ts_usec)
{
	struct sw_http_flow *hf = NULL;
	char cli[SW_IP_STRLEN], srv[SW_IP_STRLEN];
	htp_time_t tv = tv_of(ts_usec);

	if (!mem_ok(h, HTTP_PARSER_COST)) {
		errno = ENOMEM;
		return NULL;
	}
	hf = calloc(1, sizeof(*hf));
	if (!hf)
		return NULL;
	hf->h = h;
	hf->connp = htp_connp_create(h->cfg);
	if (!hf->connp) {
		free(hf);
		errno = ENOMEM;
		return NULL;
	}
	htp_connp_set_user_data(hf->connp, hf);
	if (f) {
		sw_ip_format(&f->cli, cli, sizeof(cli));
		sw_ip_format(&f->srv, srv, sizeof(srv));
		htp_connp_open(hf->connp, cli, f->cli_port, srv, f->srv_port, &tv);
	} else {
		htp_connp_open(hf->connp, NULL, 0, NULL, 0, &tv);
	}
	mem_add(h, hf, NULL, HTTP_PARSER_COST);
	return hf;
}

static size_t n_tx(const struct sw_http_flow *hf)
{
	htp_conn_t *conn = htp_connp_get_connection(hf->connp);

	return conn && conn->transactions ? htp_list_size(conn->transactions) : 0;
}

static htp_tx_t *tx_at(const struct sw_http_flow *hf, size_t i)
{
	return htp_list_get(htp_connp_get_connection(hf->connp)->transactions, i);
}

void sw_http_flow_free(struct sw_http *h, struct sw_http_flow *hf)
{
	if (!hf)
		return;
	for (size_t i = 0, n = n_tx(hf); i < n; i++)
		tx_free(hf, tx_of(tx_at(hf, i)));
	htp_connp_destroy_all(hf->connp);
	mem_sub(h, hf, hf->mem);
	free(hf);
}

int sw_http_data(struct sw_http *h, struct sw_http_flow *hf, bool to_server, const uint8_t *data, uint32_t len,
		 int64_t ts_usec, sw_app_emit_fn emit, void *ctx)
{
	htp_time_t tv = tv_of(ts_usec);
	int dir = to_server ? 0 : 1;
	int rc;

	if (hf->failed)
		return -EPROTO;
	if (hf->closed || hf->stop[dir] || !len)
		return 0;
	hf->emit = emit;
	hf->ctx = ctx;
	if (to_server)
		rc = htp_connp_req_data(hf->connp, &tv, data, len);
	else
		rc = htp_connp_res_data(hf->connp, &tv, data, len);
	hf->emit = NULL;
	hf->ctx = NULL;
	switch (rc) {
	case HTP_STREAM_ERROR:
		if (!data) {
			/* libhtp takes gaps only inside bodies: elsewhere this direction ends */
			h->st.gaps++;
			hf->stop[dir] = true;
			break;
		}
		hf->failed = true;
		h->st.parse_errors++;
		return -EPROTO;
	case HTP_STREAM_DATA_OTHER:
	case HTP_STREAM_TUNNEL:
	case HTP_STREAM_STOP:
		/*
		 * CONNECT tunnel, 101 upgrade, or libhtp waiting for the other
		 * direction with bytes left over: what follows is not HTTP we
		 * can parse in order, so this direction stops (not an error).
		 */
		hf->stop[dir] = true;
		break;
	default:
		break;
	}
	return 0;
}

void sw_http_gap(struct sw_http *h, struct sw_http_flow *hf, bool to_server)
{
	int dir = to_server ? 0 : 1;

	if (!hf->stop[dir])
		h->st.gaps++;
	hf->stop[dir] = true;
}

void sw_http_flow_close(struct sw_http *h, struct sw_http_flow *hf, int64_t ts_usec, sw_app_emit_fn emit, void *ctx)
{
	htp_time_t tv = tv_of(ts_usec);

	(void)h;
	hf->emit = emit;
	hf->ctx = ctx;
	/* Let libhtp finish what a close completes (a body delimited by the connection end). */
	if (!hf->failed && !hf->closed)
		htp_connp_close(hf->connp, &tv);
	hf->closed = true;
	for (size_t i = 0, n = n_tx(hf); i < n; i++) {
		struct http_tx *t = tx_of(tx_at(hf, i));

		if (!t)
			continue;
		build_hdrs(t, 0);
		if (t->htx->response_progress >= HTP_RESPONSE_HEADERS)
			build_hdrs(t, 1);
		reach(t, SW_STAGE_TX_DONE);
	}
	hf->emit = NULL;
	hf->ctx = NULL;
}

void sw_http_flow_gc(struct sw_http *h, struct sw_http_flow *hf)
{
	htp_tx_t *in = htp_connp_get_in_tx(hf->connp), *out = htp_connp_get_out_tx(hf->connp);
	size_t n = n_tx(hf);

	(void)h;
	/*
	 * libhtp's transaction list never shrinks (a destroyed one leaves a NULL
	 * slot): start past the freed prefix, so a long keep-alive connection
	 * costs per packet what its open transactions cost, not its history.
	 */
	for (size_t i = hf->gc_from; i < n; i++) {
		htp_tx_t *htx = tx_at(hf, i);
		struct http_tx *t = tx_of(htx);

		if (!t || t->reported != HTTP_ALL_STAGES)
			continue;
		/*
		 * htp_tx_destroy() refuses a transaction libhtp has not finished
		 * with; such ones (reported early by a close) stay until the flow
		 * is freed.
		 */
		if (htx == in || htx == out || htx->request_progress != HTP_REQUEST_COMPLETE ||
		    htx->response_progress != HTP_RESPONSE_COMPLETE)
			continue;
		tx_free(hf, t);
		htp_tx_destroy(htx);
	}
	while (hf->gc_from < n && !tx_at(hf, hf->gc_from))
		hf->gc_from++;
}

/* ---- buffers ---- */

static bool out_bstr(bstr *b, const uint8_t **p, uint32_t *len)
{
	if (!b)
		return false;
	*p = bstr_ptr(b);
	*len = (uint32_t)bstr_len(b);
	return true;
}

static bool out_header(const htp_table_t *tab, const char *name, const uint8_t **p, uint32_t *len)
{
	const htp_header_t *hd;

	if (!tab)
		return false;
	hd = htp_table_get_c(tab, name);
	return hd && out_bstr(hd->value, p, len);
}

static bool out_mem(const uint8_t *m, uint32_t off, uint32_t n, const uint8_t **p, uint32_t *len)
{
	if (!m || !n)
		return false;
	*p = m + off;
	*len = n;
	return true;
}

bool sw_http_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		    uint32_t *len)
{
	const struct http_tx *t = (const struct http_tx *)tx;
	const htp_tx_t *x = t->htx;
	int dir = to_server ? 0 : 1;
	const struct hdrs *hd = &t->hd[dir];
	const htp_table_t *hdrs = hd->built ? (dir ? x->response_headers : x->request_headers) : NULL;

	if (tx->proto != SW_APP_HTTP1)
		return false;
	/* only the per-header buffers have more than one instance */
	if (idx > 0 && buf != SW_BUF_HTTP_REQUEST_HEADER && buf != SW_BUF_HTTP_RESPONSE_HEADER)
		return false;
	switch (buf) {
	/* request only */
	case SW_BUF_HTTP_URI:
		if (!to_server || !t->uri_built || !t->uri.p)
			return false;
		*p = t->uri.p;
		*len = t->uri.len;
		return true;
	case SW_BUF_HTTP_URI_RAW:
		return to_server && out_bstr(x->request_uri, p, len);
	case SW_BUF_HTTP_METHOD:
		return to_server && out_bstr(x->request_method, p, len);
	case SW_BUF_HTTP_REQUEST_LINE:
		return to_server && out_bstr(x->request_line, p, len);
	case SW_BUF_HTTP_HOST:
		if (!to_server || !hd->built || !x->request_hostname || (bstr_len(x->request_hostname) && !t->host.p))
			return false;
		*p = t->host.p;
		*len = t->host.len;
		return true;
	case SW_BUF_HTTP_HOST_RAW:
		if (!to_server || !hd->built)
			return false;
		if (t->host_raw.p)
			return out_mem(t->host_raw.p, 0, t->host_raw.len, p, len);
		return out_header(hdrs, "host", p, len);
	case SW_BUF_HTTP_USER_AGENT:
		return to_server && out_header(hdrs, "user-agent", p, len);
	case SW_BUF_HTTP_REFERER:
		return to_server && out_header(hdrs, "referer", p, len);
	case SW_BUF_HTTP_ACCEPT:
		return to_server && out_header(hdrs, "accept", p, len);
	case SW_BUF_HTTP_ACCEPT_ENC:
		return to_server && out_header(hdrs, "accept-encoding", p, len);
	case SW_BUF_HTTP_ACCEPT_LANG:
		return to_server && out_header(hdrs, "accept-language", p, len);
	case SW_BUF_HTTP_REQUEST_BODY:
		return to_server && out_mem(t->body[0].p, 0, t->body[0].len, p, len);
	case SW_BUF_HTTP_REQUEST_HEADER:
		if (!to_server)
			return false;
		goto instance;
	/* response only */
	case SW_BUF_HTTP_STAT_CODE:
		return !to_server && out_bstr(x->response_status, p, len);
	case SW_BUF_HTTP_STAT_MSG:
		return !to_server && out_bstr(x->response_message, p, len);
	case SW_BUF_HTTP_RESPONSE_LINE:
		return !to_server && out_bstr(x->response_line, p, len);
	case SW_BUF_HTTP_RESPONSE_BODY:
		return !to_server && out_mem(t->body[1].p, 0, t->body[1].len, p, len);
	case SW_BUF_HTTP_LOCATION:
		return !to_server && out_header(hdrs, "location", p, len);
	case SW_BUF_HTTP_SERVER:
		return !to_server && out_header(hdrs, "server", p, len);
	case SW_BUF_HTTP_RESPONSE_HEADER:
		if (to_server)
			return false;
		goto instance;
	/* both */
	case SW_BUF_HTTP_HEADER:
		return hd->built && out_mem(hd->mem, hd->header_off, hd->header_len, p, len);
	case SW_BUF_HTTP_HEADER_RAW:
		return out_mem(t->raw[dir].p, 0, t->raw[dir].len, p, len);
	case SW_BUF_HTTP_HEADER_NAMES:
		/* Without headers Suricata has no buffer (only the "\r\n\r\n" frame). */
		return hd->built && hd->n_inst && out_mem(hd->mem, hd->names_off, hd->names_len, p, len);
	case SW_BUF_HTTP_COOKIE:
		return out_header(hdrs, to_server ? "cookie" : "set-cookie", p, len);
	case SW_BUF_HTTP_CONTENT_TYPE:
		return out_header(hdrs, "content-type", p, len);
	case SW_BUF_HTTP_CONTENT_LEN:
		return out_header(hdrs, "content-length", p, len);
	case SW_BUF_HTTP_START:
		return hd->built && out_mem(hd->mem, hd->start_off, hd->start_len, p, len);
	case SW_BUF_HTTP_PROTOCOL:
		return out_bstr(to_server ? x->request_protocol : x->response_protocol, p, len);
	case SW_BUF_HTTP_CONNECTION:
		return out_header(hdrs, "connection", p, len);
	case SW_BUF_FILE_DATA:
		return out_mem(t->body[dir].p, 0, t->body[dir].len, p, len);
	default:
		return false;
	}
instance:
	if (!hd->built || idx >= hd->n_inst)
		return false;
	*p = hd->mem + hd->inst[idx];
	*len = hd->inst[idx + 1] - hd->inst[idx];
	return true;
}

/* ---- EVE ---- */

/*
 * Budget of one string field of the http object, in bytes of JSON.  An EVE
 * record over 64 KiB is dropped whole (engine/output/eve.c), and a
 * transaction's object rides on every alert about it: a sender could
 * otherwise hide alerts behind a long User-Agent or URI (each byte outside
 * printable ASCII is six bytes of JSON).  Seven such fields stay well under
 * the cap.  The rules still see the whole field; only the log line is cut.
 */
#define EVE_FIELD_BUDGET 6144

static void json_mem(struct sw_json *j, const char *key, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t take = 0, out = 0;

	while (take < n) {
		uint8_t c = s[take];
		size_t w = (c < 0x20 || c >= 0x7f) ? 6 : (c == '"' || c == '\\') ? 2 : 1;

		if (out + w > EVE_FIELD_BUDGET)
			break;
		out += w;
		take++;
	}
	sw_json_strn(j, key, p, take);
}

static void json_bstr(struct sw_json *j, const char *key, bstr *b)
{
	if (b)
		json_mem(j, key, bstr_ptr(b), bstr_len(b));
}

static void json_header(struct sw_json *j, const char *key, const htp_table_t *tab, const char *name)
{
	const htp_header_t *h = tab ? htp_table_get_c(tab, name) : NULL;

	if (h)
		json_bstr(j, key, h->value);
}

/* Leading digits at *@i of @p[0..@n) into *@v; false if none. */
static bool digits(const uint8_t *p, size_t n, size_t *i, int64_t *v)
{
	size_t s = *i;

	*v = 0;
	while (*i < n && p[*i] >= '0' && p[*i] <= '9' && *v < INT64_MAX / 10 - 10)
		*v = *v * 10 + (p[(*i)++] - '0');
	return *i > s;
}

/*
 * Content-Range "bytes START-END/SIZE" or "bytes *\/SIZE", SIZE may be "*"
 * (RFC 9110 14.4), parsed as Suricata does for EVE; -1 for a "*".
 * Returns false when the value has another form (only "raw" is logged).
 */
static bool content_range(bstr *b, int64_t *start, int64_t *end, int64_t *size)
{
	const uint8_t *p = bstr_ptr(b);
	size_t n = bstr_len(b), i = 6;

	if (n < 6 || memcmp(p, "bytes ", 6))
		return false;
	if (i < n && p[i] == '*') {
		*start = *end = -1;
		i++;
	} else if (!digits(p, n, &i, start) || i >= n || p[i++] != '-' || !digits(p, n, &i, end)) {
		return false;
	}
	if (i >= n || p[i++] != '/')
		return false;
	if (i < n && p[i] == '*') {
		*size = -1;
		i++;
	} else if (!digits(p, n, &i, size)) {
		return false;
	}
	return i == n;
}

/*
 * The "http" object of output-json-http.c with extended logging on (the
 * suricata.yaml default): hostname, http_port (only when the request names
 * a port), url (the raw request URI), http_user_agent, xff,
 * http_content_type (response, cut at ';'), content_range, http_refer,
 * http_method, protocol, status, redirect, length (response body bytes as
 * transferred).
 */
void sw_http_tx_eve(const struct sw_app_tx *tx, struct sw_json *j)
{
	const struct http_tx *t = (const struct http_tx *)tx;
	const htp_tx_t *x;
	const htp_header_t *h;

	if (tx->proto != SW_APP_HTTP1)
		return;
	x = t->htx;
	sw_json_obj(j, "http");
	/*
	 * The host as http.host sees it (lowercased): libhtp 0.5.42 lowercases
	 * a Host header's name only when no port follows it, so its own field
	 * would log "WWW.Example.COM" for "WWW.Example.COM:8081".
	 */
	if (t->host.p)
		json_mem(j, "hostname", t->host.p, t->host.len);
	else
		json_bstr(j, "hostname", x->request_hostname);
	if (x->request_port_number > 0) /* libhtp leaves 0 where no port was given (HTTP/0.9) */
		sw_json_u64(j, "http_port", (uint64_t)x->request_port_number);
	json_bstr(j, "url", x->request_uri);
	json_header(j, "http_user_agent", x->request_headers, "user-agent");
	json_header(j, "xff", x->request_headers, "x-forwarded-for");
	h = x->response_headers ? htp_table_get_c(x->response_headers, "content-type") : NULL;
	if (h && h->value) {
		const uint8_t *v = bstr_ptr(h->value);
		const uint8_t *semi = memchr(v, ';', bstr_len(h->value));

		json_mem(j, "http_content_type", v, semi ? (size_t)(semi - v) : bstr_len(h->value));
	}
	h = x->response_headers ? htp_table_get_c(x->response_headers, "content-range") : NULL;
	if (h && h->value) {
		int64_t start, end, size;

		sw_json_obj(j, "content_range");
		json_bstr(j, "raw", h->value);
		if (content_range(h->value, &start, &end, &size)) {
			if (start >= 0)
				sw_json_u64(j, "start", (uint64_t)start);
			if (end >= 0)
				sw_json_u64(j, "end", (uint64_t)end);
			if (size >= 0)
				sw_json_u64(j, "size", (uint64_t)size);
		}
		sw_json_close_obj(j);
	}
	json_header(j, "http_refer", x->request_headers, "referer");
	json_bstr(j, "http_method", x->request_method);
	json_bstr(j, "protocol", x->request_protocol);
	/* Suricata: a status line whose code is not a number is logged as it was sent */
	if (x->response_status_number > 0)
		sw_json_u64(j, "status", (uint64_t)x->response_status_number);
	else if (x->response_status)
		json_bstr(j, "status_string", x->response_status);
	json_header(j, "redirect", x->response_headers, "location");
	sw_json_u64(j, "length", x->response_message_len > 0 ? (uint64_t)x->response_message_len : 0);
	sw_json_close_obj(j);
}
