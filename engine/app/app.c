/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The application-layer dispatcher: protocol detection on each direction's
 * first bytes (probe.c), then the protocol's parser (http.c for HTTP/1.x;
 * the others are detected only).
 *
 * Detection, as Suricata's: a direction is probed from its first payload
 * byte until a protocol is recognised, no protocol can match any more, or
 * probe_depth bytes were seen without an answer.  The first direction that
 * recognises a protocol decides the flow's app_proto.  A flow where a
 * direction gave up and nothing was recognised is "failed".  TCP probing
 * reads the stream from its start: the stream view holds every byte since
 * the first while the direction is shorter than the stream window, which
 * is larger than any probe needs.  A session picked up mid-stream (no SYN)
 * is probed from the first byte seen only with stream.midstream, as in
 * Suricata; a direction that lost its start to a gap gives up.
 *
 * Parsing: once a flow is HTTP, its parser is fed the bytes seen so far in
 * both directions (the request first: they are what made the decision, and
 * libhtp pairs responses with requests), then every new in-order byte.
 */
#include "app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/dns.h"
#include "engine/app/http.h"
#include "engine/app/probe.h"
#include "engine/app/ssh.h"
#include "engine/app/tls.h"

/* A flow's parser: exactly one of http / dns / tls / ssh is set. */
struct sw_app_flow {
	struct sw_http_flow *http;
	struct sw_dns_flow *dns;
	struct sw_tls_flow *tls;
	struct sw_ssh_flow *ssh;
	bool stopped[2];      /* that direction's parser gave up (gap, error) */
	uint64_t end[2];      /* stream offset up to which the parser was fed */
	uint32_t gaps[2];     /* f->stream[dir].gaps the parser was told about */
	uint64_t gap_bytes[2]; /* ... and f->stream[dir].gap_bytes */
};

/* Stage events of one packet, run after its packet rules (sw_app_flush()). */
#define EV_MAX 64

struct sw_app {
	struct sw_app_config cfg;
	struct sw_http *http;
	struct sw_dns *dns;
	struct sw_tls *tls;
	struct sw_ssh *ssh;
	sw_app_stage_fn fn;
	void *ctx;
	/* set for the duration of one feed: the stage callback's flow and packet */
	struct sw_flow *cur_flow;
	const struct sw_packet *cur_pkt;
	/* events of the packet being processed, until sw_app_flush() */
	bool defer;
	struct sw_flow *ev_flow;
	const struct sw_packet *ev_pkt;
	uint32_t n_ev;
	struct {
		struct sw_app_tx *tx;
		enum sw_app_stage st;
	} ev[EV_MAX];
	struct sw_app_stats st;
};

struct sw_app *sw_app_new(const struct sw_app_config *cfg, sw_app_stage_fn fn, void *ctx)
{
	struct sw_app *a = calloc(1, sizeof(*a));
	int e;

	if (!a)
		return NULL;
	a->cfg = *cfg;
	if (a->cfg.probe_depth == 0)
		a->cfg.probe_depth = SW_APP_PROBE_DEPTH_DEFAULT;
	a->fn = fn;
	a->ctx = ctx;
	if (cfg->http.enabled && !(a->http = sw_http_new(&cfg->http, cfg->workers ? cfg->workers : 1)))
		goto fail;
	if (!cfg->detect_off[SW_APP_DNS] && !(a->dns = sw_dns_new()))
		goto fail;
	if (!cfg->detect_off[SW_APP_TLS] && !(a->tls = sw_tls_new(cfg->tls_ja3, cfg->tls_ja4)))
		goto fail;
	if (!cfg->detect_off[SW_APP_SSH] && !(a->ssh = sw_ssh_new()))
		goto fail;
	return a;
fail:
	e = errno;
	sw_app_free(a);
	errno = e;
	return NULL;
}

void sw_app_free(struct sw_app *a)
{
	if (!a)
		return;
	sw_http_free(a->http);
	sw_dns_free(a->dns);
	sw_tls_free(a->tls);
	sw_ssh_free(a->ssh);
	free(a);
}

const struct sw_app_stats *sw_app_stats(struct sw_app *a)
{
	if (a->http) {
		const struct sw_http_stats *h = sw_http_stats(a->http);

		a->st.tx_http = h->tx;
		a->st.http_memcap = h->memcap + a->st.http_memcap_own;
		a->st.http_parse_errors = h->parse_errors;
		a->st.http_gap = h->gaps;
		a->st.memuse = h->memuse;
	}
	if (a->dns) {
		const struct sw_dns_stats *ds = sw_dns_stats(a->dns);

		a->st.dns_malformed = ds->malformed + ds->name_loop + ds->name_long;
	}
	if (a->tls) {
		const struct sw_tls_stats *ts = sw_tls_stats(a->tls);

		a->st.tx_tls = ts->tx;
		a->st.tls_invalid = ts->invalid + ts->hs_too_long;
		a->st.tls_cert_invalid = ts->cert_invalid;
		a->st.tls_truncated = ts->truncated;
		a->st.tls_memcap = ts->memcap;
		a->st.tls_memuse = ts->memuse;
	}
	if (a->ssh) {
		const struct sw_ssh_stats *ss = sw_ssh_stats(a->ssh);

		a->st.tx_ssh = ss->tx;
		a->st.ssh_invalid = ss->invalid;
	}
	return &a->st;
}

/*
 * libhtp's hooks call this (through http.c) while bytes are fed.  A
 * packet's events wait for sw_app_flush(), so its packet rules run first, as
 * in Suricata (flowbits a packet rule sets are seen by the transaction
 * rules of the same packet, a pass stops them).  The transactions stay
 * valid until then: nothing is freed before the flush.  Should one packet
 * complete more stages than the queue holds, the rest run at once (still
 * exactly once each; counted).
 */
static void emit(void *ctx, struct sw_app_tx *tx, enum sw_app_stage st)
{
	struct sw_app *a = ctx;

	if (st == SW_STAGE_TX_DONE && tx->proto == SW_APP_DNS && a->cur_flow) {
		if (a->cur_flow->proto == 6)
			a->st.tx_dns_tcp++;
		else
			a->st.tx_dns_udp++;
	}

	if (a->defer) {
		if (a->n_ev < EV_MAX) {
			a->ev[a->n_ev].tx = tx;
			a->ev[a->n_ev].st = st;
			a->n_ev++;
			return;
		}
		a->st.events_early++;
	}
	a->fn(a->ctx, a->cur_flow, a->cur_pkt, tx, st);
}

static void set_proto(struct sw_app *a, struct sw_flow *f, enum sw_app_proto p)
{
	if (f->app_proto == SW_APP_FAILED) {
		/* a UDP flow's second side was recognised after its first failed: counted once, as what it is */
		a->st.flows[SW_APP_FAILED]--;
		if (f->proto == 6)
			a->st.flows_tcp[SW_APP_FAILED]--;
	}
	f->app_proto = (uint8_t)p;
	a->st.flows[p]++;
	if (f->proto == 6)
		a->st.flows_tcp[p]++;
}

/* A direction gave up: the flow failed if the other one did too. */
static void probe_gave_up(struct sw_app *a, struct sw_flow *f, int dir)
{
	f->app_probe_done |= (uint8_t)(1u << dir);
	if (f->app_probe_done == 3)
		set_proto(a, f, SW_APP_FAILED);
}

/* The parser of direction @dir lost bytes it cannot skip: it stops there. */
static void parser_gap(struct sw_app *a, struct sw_app_flow *af, int dir)
{
	if (af->http)
		sw_http_gap(a->http, af->http, dir == 0);
	else if (af->tls)
		sw_tls_gap(a->tls, af->tls, dir == 0);
	else if (af->ssh)
		sw_ssh_gap(a->ssh, af->ssh, dir == 0);
	else
		sw_dns_gap(a->dns, af->dns, dir == 0);
	af->stopped[dir] = true;
}

/* The flow's parser: bytes (NULL: a gap of @len) of direction @dir.  Returns its sw_*_data() result. */
static int parser_data(struct sw_app *a, struct sw_app_flow *af, int dir, bool tcp, const uint8_t *d, uint32_t len,
		       int64_t ts)
{
	if (af->http)
		return sw_http_data(a->http, af->http, dir == 0, d, len, ts, emit, a); /* libhtp skips body gaps */
	if (!d) {
		parser_gap(a, af, dir); /* TLS, SSH, DNS over TCP: the framing is lost */
		return 0;
	}
	if (af->tls)
		return sw_tls_data(a->tls, af->tls, dir == 0, d, len, emit, a);
	if (af->ssh)
		return sw_ssh_data(a->ssh, af->ssh, dir == 0, d, len, emit, a);
	{
		uint64_t bad = sw_dns_stats(a->dns)->malformed;
		int rc = sw_dns_data(a->dns, af->dns, dir == 0, tcp, d, len, emit, a);

		/* messages refused, by transport (Suricata's app_layer.error.dns_udp/dns_tcp.parser) */
		bad = sw_dns_stats(a->dns)->malformed - bad;
		if (tcp)
			a->st.dns_err_tcp += bad;
		else
			a->st.dns_err_udp += bad;
		return rc;
	}
}

/*
 * Give the parser of direction @dir the @len bytes at stream offset @off
 * (stream_off coordinates: in-order bytes) after @gap bytes lost before
 * them (TCP), or one UDP datagram (@tcp false).  @p is the packet that
 * brought them (NULL at flow end); a packet's stage events wait for
 * sw_app_flush(), the flow end's run at once.
 */
static void feed_at(struct sw_app *a, struct sw_flow *f, const struct sw_packet *p, int dir, bool tcp, uint64_t gap,
		    const uint8_t *d, uint32_t len, uint64_t off, int64_t ts)
{
	struct sw_app_flow *af = f->app;

	if (!af || af->stopped[dir] || len == 0)
		return;
	if (gap > UINT32_MAX) {
		parser_gap(a, af, dir);
		return;
	}
	a->cur_flow = f;
	a->cur_pkt = p;
	if (p) {
		a->defer = true;
		a->ev_flow = f;
		a->ev_pkt = p;
	}
	if (gap && parser_data(a, af, dir, tcp, NULL, (uint32_t)gap, ts) < 0)
		af->stopped[0] = af->stopped[1] = true;
	if (!af->stopped[dir] && parser_data(a, af, dir, tcp, d, len, ts) < 0) {
		af->stopped[dir] = true;
		if (af->http)
			af->stopped[!dir] = true; /* libhtp failed: the whole connection parser stops */
	}
	if ((af->tls && sw_tls_encrypted(af->tls)) || (af->ssh && sw_ssh_encrypted(af->ssh)))
		f->no_payload_inspect = true; /* encryption-handling: track-only, Suricata's default for both */
	af->end[dir] = off + len;
	a->defer = false;
	a->cur_flow = NULL;
	a->cur_pkt = NULL;
}

/*
 * New in-order bytes of a packet.  If the stream lost bytes in this
 * direction and resynchronised after them (a gap it could not hold), the
 * parser is told how many, as Suricata does: a gap inside a body is skipped
 * and the next transaction still parses; elsewhere libhtp refuses it and
 * that direction stops.  Never spliced.
 */
static void feed(struct sw_app *a, struct sw_flow *f, const struct sw_packet *p, int dir, const uint8_t *d,
		 uint32_t len, uint64_t off)
{
	struct sw_app_flow *af = f->app;
	uint64_t gap = 0;

	if (!af)
		return;
	if (f->stream[dir].gaps != af->gaps[dir]) {
		gap = f->stream[dir].gap_bytes - af->gap_bytes[dir];
		af->gaps[dir] = f->stream[dir].gaps;
		af->gap_bytes[dir] = f->stream[dir].gap_bytes;
		if (gap == 0)
			gap = UINT64_MAX; /* a gap of unknown length: stop */
	}
	feed_at(a, f, p, dir, true, gap, d, len, off, p->ts_usec);
}

/*
 * A new parser for flow @f of protocol @proto; NULL if that protocol is not
 * parsed here, or the memory is not there (counted).
 */
static struct sw_app_flow *parser_new(struct sw_app *a, struct sw_flow *f, enum sw_app_proto proto, bool tcp,
				       int64_t ts)
{
	struct sw_app_flow *af;

	if (!(proto == SW_APP_HTTP1 && a->http) && !(proto == SW_APP_DNS && a->dns) &&
	    !(proto == SW_APP_TLS && a->tls && tcp) && !(proto == SW_APP_SSH && a->ssh && tcp))
		return NULL;
	af = calloc(1, sizeof(*af));
	if (af && proto == SW_APP_HTTP1)
		af->http = sw_http_flow_new(a->http, f, ts); /* a refusal is counted in its memcap */
	else if (af && proto == SW_APP_TLS)
		af->tls = sw_tls_flow_new(a->tls);
	else if (af && proto == SW_APP_SSH)
		af->ssh = sw_ssh_flow_new(a->ssh);
	else if (af)
		af->dns = sw_dns_flow_new(a->dns);
	if (!af || (!af->http && !af->dns && !af->tls && !af->ssh)) {
		/* Suricata's app_layer.error.<proto>.alloc */
		if (proto == SW_APP_DNS)
			(*(tcp ? &a->st.dns_alloc_tcp : &a->st.dns_alloc_udp))++;
		else if (proto == SW_APP_TLS)
			a->st.tls_alloc++;
		else if (proto == SW_APP_SSH)
			a->st.ssh_alloc++;
		else if (!af)
			a->st.http_memcap_own++;
		free(af);
		return NULL;
	}
	/* gaps counted from zero: a gap before the parser started (the direction lost its start) is told to it too */
	f->app = af;
	return af;
}

/*
 * The TCP flow was just recognised as @proto on packet @p: start its
 * parser and give it what each direction carried so far, the request
 * direction first (libhtp pairs responses with requests).  @v is the view
 * of @p's direction (every byte from the start: base 0); the other
 * direction's bytes are its stream tail, complete while it is shorter than
 * the window (else the parser starts that direction with a gap).
 */
static void start_parser(struct sw_app *a, struct sw_flow *f, const struct sw_packet *p,
			 const struct sw_stream_view *v, enum sw_app_proto proto)
{
	struct sw_app_flow *af = parser_new(a, f, proto, true, p->ts_usec);
	int dir = !p->to_server;

	if (!af)
		return;
	for (int d = 0; d < 2; d++) {
		const struct sw_stream_dir *sd = &f->stream[d];

		if (d == dir)
			feed(a, f, p, d, v->data, v->len, 0);
		else if (sd->stream_off > 0 && sd->stream_off == sd->tail_len)
			feed(a, f, p, d, sd->tail, sd->tail_len, 0);
		else if (sd->stream_off > 0)
			parser_gap(a, af, d);
	}
}

/*
 * Probe direction @dir of @f on the view @v (its bytes from the start).
 * Returns FOUND with *@proto, FAIL (the direction is marked done), or
 * NEED_MORE.
 */
static enum sw_probe_result probe_dir(struct sw_app *a, struct sw_flow *f, const struct sw_packet *p,
				      const struct sw_stream_view *v, int dir, enum sw_app_proto *proto)
{
	enum sw_probe_result r;

	if (v->base != 0 || f->stream[dir].gaps)
		r = SW_PROBE_FAIL; /* the start left the window or was lost to a gap */
	else
		r = sw_app_probe(v->data, v->len, 6, p->to_server, p->sport, p->dport, proto);
	if (r == SW_PROBE_NEED_MORE && v->len >= a->cfg.probe_depth)
		r = SW_PROBE_FAIL;
	if (r == SW_PROBE_FOUND && a->cfg.detect_off[*proto])
		r = SW_PROBE_FAIL; /* the operator turned this protocol off */
	if (r == SW_PROBE_FAIL)
		f->app_probe_done |= (uint8_t)(1u << dir);
	return r;
}

void sw_app_tcp(struct sw_app *a, struct sw_packet *p, const struct sw_stream_view *v)
{
	struct sw_flow *f = p->flow;
	int dir = !p->to_server;
	enum sw_app_proto proto;
	enum sw_probe_result r;

	if (!f || !v || !v->in_stream || v->new_off >= v->len)
		return;
	if (f->app_proto != SW_APP_UNKNOWN) {
		/*
		 * The other direction is still probed until it answers, as
		 * Suricata does: when it finds another protocol (a DCERPC request
		 * answered by HTTP), flow records say so (app_proto_tc/_ts).
		 */
		if (f->app_proto != SW_APP_FAILED && !f->app_proto_dir[dir] && !(f->app_probe_done & (1u << dir)) &&
		    probe_dir(a, f, p, v, dir, &proto) == SW_PROBE_FOUND) {
			f->app_proto_dir[dir] = (uint8_t)proto;
			f->app_probe_done |= (uint8_t)(1u << dir);
		}
		if (f->app)
			feed(a, f, p, dir, v->data + v->new_off, v->len - v->new_off, v->base + v->new_off);
		return;
	}
	if (f->app_probe_done & (1u << dir))
		return;
	/*
	 * Suricata's stream.midstream (default off): a TCP session picked up
	 * without its SYN gets no application layer (no app_proto, no
	 * transactions); its packets and stream still meet the rules.
	 */
	if (!f->saw_syn && !a->cfg.midstream)
		return;
	r = probe_dir(a, f, p, v, dir, &proto);
	if (r == SW_PROBE_FAIL) {
		probe_gave_up(a, f, dir);
		return;
	}
	if (r == SW_PROBE_NEED_MORE)
		return;
	f->app_proto_dir[dir] = (uint8_t)proto;
	f->app_probe_done |= (uint8_t)(1u << dir);
	set_proto(a, f, proto);
	start_parser(a, f, p, v, proto);
}

void sw_app_flush(struct sw_app *a)
{
	struct sw_flow *f = a->ev_flow;

	if (!f)
		return;
	for (uint32_t i = 0; i < a->n_ev; i++)
		a->fn(a->ctx, f, a->ev_pkt, a->ev[i].tx, a->ev[i].st);
	a->n_ev = 0;
	a->ev_flow = NULL;
	a->ev_pkt = NULL;
	if (f->app && f->app->http)
		sw_http_flow_gc(a->http, f->app->http);
	else if (f->app && f->app->dns)
		sw_dns_flow_gc(a->dns, f->app->dns);
	/* TLS: the flow's one transaction lives as long as the flow */
}

void sw_app_udp(struct sw_app *a, struct sw_packet *p)
{
	struct sw_flow *f = p->flow;
	int dir = !p->to_server;
	enum sw_app_proto proto;

	if (!f || p->payload_len == 0)
		return;
	if (f->app_proto == SW_APP_UNKNOWN || (f->app_proto == SW_APP_FAILED && !f->app)) {
		if (f->app_probe_done & (1u << dir))
			return;
		/* A datagram is whole: what it does not show, later ones will not complete. */
		if (sw_app_probe(p->payload, p->payload_len, 17, p->to_server, p->sport, p->dport, &proto) !=
		    SW_PROBE_FOUND) {
			/*
			 * The flow's first datagram may be the server's (its
			 * query was not captured): recognised the other way
			 * round, the flow is reversed, as Suricata does.
			 */
			if (!(dir == 0 && f->pkts_tc == 0 &&
			      sw_app_probe(p->payload, p->payload_len, 17, false, p->sport, p->dport, &proto) ==
				      SW_PROBE_FOUND)) {
				/*
				 * One datagram decides for its direction.  The flow is
				 * "failed" from here, but the other direction may still
				 * be recognised (a junk query answered by a DNS error)
				 * and then names the flow's protocol, as Suricata's
				 * AppLayerHandleUdp waits for the second side.
				 */
				f->app_probe_done |= (uint8_t)(1u << dir);
				if (f->app_proto == SW_APP_UNKNOWN)
					set_proto(a, f, SW_APP_FAILED);
				return;
			}
			sw_flow_reverse(f);
			p->to_server = false;
			dir = 1;
		}
		if (a->cfg.detect_off[proto]) {
			f->app_probe_done = 3;
			set_proto(a, f, SW_APP_FAILED);
			return;
		}
		f->app_proto_dir[dir] = (uint8_t)proto;
		set_proto(a, f, proto);
		parser_new(a, f, proto, false, p->ts_usec);
	}
	/* each datagram of a parsed flow is one message */
	if (f->app)
		feed_at(a, f, p, dir, false, 0, p->payload, p->payload_len, 0, p->ts_usec);
}

void sw_app_held(struct sw_app *a, struct sw_flow *f, int dir, const uint8_t *data, uint32_t len, uint64_t base)
{
	struct sw_app_flow *af = f->app;
	uint64_t skip;

	if (!af || af->stopped[dir] || base + len <= af->end[dir])
		return;
	/* a run never starts before what was fed; should it overlap, the part fed already wins */
	skip = base < af->end[dir] ? af->end[dir] - base : 0;
	feed_at(a, f, NULL, dir, true, base + skip - af->end[dir], data + skip, len - (uint32_t)skip, base + skip,
		f->last_usec);
}

void sw_app_flow_end(struct sw_app *a, struct sw_flow *f)
{
	struct sw_app_flow *af = f->app;

	if (f->app_proto == SW_APP_UNKNOWN && f->app_probe_done)
		set_proto(a, f, SW_APP_FAILED);
	if (!af)
		return;
	/* never leave queued events pointing into a flow that goes (the worker flushes first, normally) */
	if (a->ev_flow == f)
		sw_app_flush(a);
	a->cur_flow = f;
	a->cur_pkt = NULL;
	if (af->http) {
		sw_http_flow_close(a->http, af->http, f->last_usec, emit, a);
		sw_http_flow_free(a->http, af->http);
	} else if (af->tls) {
		sw_tls_flow_close(a->tls, af->tls, emit, a);
		sw_tls_flow_free(a->tls, af->tls);
	} else if (af->ssh) {
		sw_ssh_flow_close(a->ssh, af->ssh, emit, a);
		sw_ssh_flow_free(a->ssh, af->ssh);
	} else {
		sw_dns_flow_close(a->dns, af->dns, emit, a);
		sw_dns_flow_free(a->dns, af->dns);
	}
	a->cur_flow = NULL;
	free(af);
	f->app = NULL;
}

bool sw_app_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len)
{
	switch (tx->proto) {
	case SW_APP_HTTP1:
		return sw_http_tx_buf(tx, buf, to_server, idx, p, len);
	case SW_APP_DNS:
		return sw_dns_tx_buf(tx, buf, to_server, idx, p, len);
	case SW_APP_TLS:
		return sw_tls_tx_buf(tx, buf, to_server, idx, p, len);
	case SW_APP_SSH:
		return sw_ssh_tx_buf(tx, buf, to_server, idx, p, len);
	default:
		return false;
	}
}

bool sw_app_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val)
{
	if (tx->proto == SW_APP_TLS)
		return sw_tls_tx_num(tx, kind, to_server, idx, val);
	return tx->proto == SW_APP_DNS && sw_dns_tx_num(tx, kind, to_server, idx, val);
}

bool sw_app_tx_date(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, int64_t *t)
{
	return tx->proto == SW_APP_TLS && sw_tls_tx_date(tx, kind, to_server, t);
}

bool sw_app_tx_to_server(const struct sw_app_tx *tx)
{
	return tx->proto != SW_APP_DNS || sw_dns_tx_is_request(tx);
}

void sw_app_tx_eve(const struct sw_app_tx *tx, struct sw_json *j, bool record)
{
	if (tx->proto == SW_APP_HTTP1)
		sw_http_tx_eve(tx, j);
	else if (tx->proto == SW_APP_DNS)
		sw_dns_tx_eve(tx, j, record);
	else if (tx->proto == SW_APP_TLS)
		sw_tls_tx_eve(tx, j);
	else if (tx->proto == SW_APP_SSH)
		sw_ssh_tx_eve(tx, j);
}
