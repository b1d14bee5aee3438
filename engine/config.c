/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sidewall.yaml loader.  The whole document is loaded with libyaml's
 * document API (files are small) and walked with a table of known keys per
 * section; anything else is an error naming file:line:column and key path.
 *
 * Ranges (documented in etc/sidewall.yaml too):
 *   threading.worker-threads 0..1024, stats.interval 0..86400,
 *   flow-timeouts.* 0..86400 s, flow.hash-size 1..2^24,
 *   flow.memcap 1mb..64gb, stream.reassembly.window 0..1 MiB,
 *   stream.reassembly.memcap 1mb..64gb,
 *   defrag.memcap 1mb..64gb, defrag.trackers / max-frags 1..2^24,
 *   defrag.timeout 1..86400 s, decoder.max-layers 2..255,
 *   decoder.{vxlan,geneve,teredo}.ports: at most 4 ports (teredo also "any").
 * flow.memcap becomes max_flows = memcap / SW_CONFIG_FLOW_COST.
 */
#include "common/file.h"
#include "common/hostport.h"
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <arpa/inet.h>

/* Approximate bytes per flow (struct sw_flow + hash link + bookkeeping),
 * excluding the stream tails which scale with stream.reassembly.window. */
#define SW_CONFIG_FLOW_COST 512u
#define SW_CONFIG_MAX_DEPTH 8

/* decoder.<tunnel>.ports, resolved once the whole document (and its vars) is read */
enum { PORTS_VXLAN, PORTS_GENEVE, PORTS_TEREDO, PORTS_N };

struct ctx {
	yaml_document_t *doc;
	struct sw_config *c;
	struct sw_config_error *err;
	const char *name;
	yaml_node_t *ports[PORTS_N];
	char ports_path[PORTS_N][64];
};

static void set_err(struct ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	if (!x->err)
		return;
	snprintf(x->err->file, sizeof(x->err->file), "%s", x->name);
	x->err->line = n ? (uint32_t)n->start_mark.line + 1 : 0;
	x->err->column = n ? (uint32_t)n->start_mark.column + 1 : 0;
	va_start(ap, fmt);
	vsnprintf(x->err->message, sizeof(x->err->message), fmt, ap);
	va_end(ap);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int want_scalar(struct ctx *x, const yaml_node_t *n, const char *path, const char *what)
{
	if (n->type == YAML_SCALAR_NODE)
		return 0;
	set_err(x, n, "'%s' expects %s, got a %s", path, what,
		n->type == YAML_MAPPING_NODE ? "map" : "list");
	return -EINVAL;
}

static int get_uint(struct ctx *x, const yaml_node_t *n, const char *path, uint64_t max, uint32_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;

	if (want_scalar(x, n, path, "a non-negative integer"))
		return -EINVAL;
	s = scalar(n);
	if (s[0] < '0' || s[0] > '9') {
		set_err(x, n, "'%s' expects a non-negative integer, got '%.100s'", path, s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno) {
		set_err(x, n, "'%s' expects a non-negative integer, got '%.100s'", path, s);
		return -EINVAL;
	}
	if (v > max) {
		set_err(x, n, "'%s' is %.40s, more than the maximum %" PRIu64, path, s, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int get_bool(struct ctx *x, const yaml_node_t *n, const char *path, bool *out)
{
	static const char *const t[] = { "yes", "true", "on", "1" };
	static const char *const f[] = { "no", "false", "off", "0" };

	if (want_scalar(x, n, path, "a boolean"))
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(scalar(n), t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(scalar(n), f[i])) {
			*out = false;
			return 0;
		}
	}
	set_err(x, n, "'%s' expects yes or no, got '%.100s'", path, scalar(n));
	return -EINVAL;
}

/* "1mb", "100kb", "1gb" or bytes, for range messages. */
static const char *size_text(uint64_t v, char *buf, size_t len)
{
	if (v && !(v % (1ull << 30)))
		snprintf(buf, len, "%" PRIu64 "gb", v >> 30);
	else if (v && !(v % (1ull << 20)))
		snprintf(buf, len, "%" PRIu64 "mb", v >> 20);
	else if (v && !(v % (1ull << 10)))
		snprintf(buf, len, "%" PRIu64 "kb", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* Size with an optional kb/mb/gb suffix (case-insensitive, powers of 1024), in @min..@max. */
static int get_size_range(struct ctx *x, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
			  uint64_t *out)
{
	const char *s;
	char *end, lo[24], hi[24];
	unsigned long long v;
	uint64_t mul = 1;

	if (want_scalar(x, n, path, "a size"))
		return -EINVAL;
	s = scalar(n);
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	while (*end == ' ')
		end++;
	if (!strcasecmp(end, "kb"))
		mul = 1ull << 10;
	else if (!strcasecmp(end, "mb"))
		mul = 1ull << 20;
	else if (!strcasecmp(end, "gb"))
		mul = 1ull << 30;
	else if (*end)
		goto bad;
	if (v > max / mul || v * mul < min) {
		set_err(x, n, "'%s' is '%.40s', outside %s..%s", path, s, size_text(min, lo, sizeof(lo)),
			size_text(max, hi, sizeof(hi)));
		return -EINVAL;
	}
	*out = v * mul;
	return 0;
bad:
	set_err(x, n, "'%s' expects a size like 128mb (suffix kb, mb or gb), got '%.100s'", path, s);
	return -EINVAL;
}

static int get_size(struct ctx *x, const yaml_node_t *n, const char *path, uint64_t *out)
{
	return get_size_range(x, n, path, 1ull << 20, 64ull << 30, out);
}

static int get_str(struct ctx *x, const yaml_node_t *n, const char *path, char **out)
{
	char *s;

	if (want_scalar(x, n, path, "a string"))
		return -EINVAL;
	s = strdup(scalar(n));
	if (!s)
		return -ENOMEM;
	free(*out);
	*out = s;
	return 0;
}

/* A list of strings, replacing *@out (and its count *@n). */
static int get_str_list(struct ctx *x, const yaml_node_t *v, const char *path, char ***out, uint32_t *n)
{
	size_t len;

	if (v->type != YAML_SEQUENCE_NODE) {
		set_err(x, v, "'%s' expects a list", path);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < *n; i++)
		free((*out)[i]);
	free(*out);
	*n = 0;
	len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	*out = calloc(len ? len : 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = yaml_document_get_node(x->doc, v->data.sequence.items.start[i]);
		int rc;

		if (!it)
			return -EINVAL;
		rc = get_str(x, it, path, &(*out)[*n]);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

/* Iterate a mapping: rejects non-maps and duplicate keys. */
typedef int (*key_fn)(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg);

static int walk_map(struct ctx *x, yaml_node_t *n, const char *path, key_fn fn, void *arg)
{
	yaml_node_pair_t *p, *q;
	char sub[256];
	int rc;

	if (n->type != YAML_MAPPING_NODE) {
		set_err(x, n, "'%s' expects a map", path);
		return -EINVAL;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(x->doc, p->value);

		if (!k || !v)
			return -EINVAL;
		if (k->type != YAML_SCALAR_NODE) {
			set_err(x, k, "'%s' has a key that is not a string", path);
			return -EINVAL;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(x->doc, q->key);

			if (k2 && k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k2), scalar(k))) {
				set_err(x, k, "duplicate key '%s%s%.100s'", path, *path ? "." : "", scalar(k));
				return -EINVAL;
			}
		}
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", scalar(k)) >= sizeof(sub)) {
			set_err(x, k, "key path too long: '%.100s'", scalar(k));
			return -EINVAL;
		}
		rc = fn(x, sub, scalar(k), k, v, arg);
		if (rc)
			return rc;
	}
	return 0;
}

static int unknown(struct ctx *x, yaml_node_t *k, const char *path)
{
	set_err(x, k, "unknown key '%s'", path);
	return -EINVAL;
}

/* vars.address-groups / vars.port-groups: name -> scalar text. */
static int group_key(struct ctx *x, const char *path, const char *key,
		     yaml_node_t *k, yaml_node_t *v, void *arg)
{
	bool port = arg != NULL;
	struct sw_config_var **arr = port ? &x->c->port_groups : &x->c->addr_groups;
	uint32_t *cnt = port ? &x->c->n_port_groups : &x->c->n_addr_groups;
	struct sw_config_var *na;
	char *val = NULL;
	int rc;

	(void)k;
	rc = get_str(x, v, path, &val);
	if (rc)
		return rc;
	/* Replace a built-in default of the same name, else append. */
	for (uint32_t i = 0; i < *cnt; i++) {
		if (!strcmp((*arr)[i].name, key)) {
			free((*arr)[i].value);
			(*arr)[i].value = val;
			return 0;
		}
	}
	na = realloc(*arr, (*cnt + 1) * sizeof(**arr));
	if (!na)
		goto nomem;
	*arr = na;
	na[*cnt].name = strdup(key);
	if (!na[*cnt].name)
		goto nomem;
	na[*cnt].value = val;
	(*cnt)++;
	return 0;
nomem:
	free(val);
	return -ENOMEM;
}

static int vars_key(struct ctx *x, const char *path, const char *key,
		    yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "address-groups"))
		return walk_map(x, v, path, group_key, NULL);
	if (!strcmp(key, "port-groups"))
		return walk_map(x, v, path, group_key, (void *)1);
	return unknown(x, k, path);
}

static int syslog_key(struct ctx *x, const char *path, const char *key, yaml_node_t *k, yaml_node_t *v,
		      void *arg)
{
	struct sw_config *c = x->c;

	(void)arg;
	if (!strcmp(key, "enabled"))
		return get_bool(x, v, path, &c->syslog_enabled);
	if (!strcmp(key, "host"))
		return get_str(x, v, path, &c->syslog_host);
	if (!strcmp(key, "port")) {
		int rc = get_uint(x, v, path, 65535, &c->syslog_port);
		if (!rc && !c->syslog_port) {
			set_err(x, v, "'%s' must be 1..65535", path);
			return -EINVAL;
		}
		return rc;
	}
	if (!strcmp(key, "hostname"))
		return get_str(x, v, path, &c->syslog_hostname);
	if (!strcmp(key, "facility"))
		return get_uint(x, v, path, 23, &c->syslog_facility);
	if (!strcmp(key, "memory-buffer"))
		return get_size(x, v, path, &c->syslog_mem);
	if (!strcmp(key, "spool-dir"))
		return get_str(x, v, path, &c->syslog_spool_dir);
	if (!strcmp(key, "spool-max"))
		return get_size(x, v, path, &c->syslog_spool_max);
	return unknown(x, k, path);
}

static int eve_key(struct ctx *x, const char *path, const char *key,
		   yaml_node_t *k, yaml_node_t *v, void *arg)
{
	char *ft = NULL;
	int rc;

	(void)arg;
	if (!strcmp(key, "enabled"))
		return get_bool(x, v, path, &x->c->eve_enabled);
	if (!strcmp(key, "syslog"))
		return walk_map(x, v, path, syslog_key, NULL);
	if (!strcmp(key, "filename"))
		return get_str(x, v, path, &x->c->eve_filename);
	if (!strcmp(key, "ipv6-compress"))
		return get_bool(x, v, path, &x->c->eve_ipv6_compress);
	if (!strcmp(key, "filetype")) {
		rc = get_str(x, v, path, &ft);
		if (!rc && strcmp(ft, "regular")) {
			set_err(x, v, "'%s' supports only 'regular', got '%.100s'", path, ft);
			rc = -EINVAL;
		}
		free(ft);
		return rc;
	}
	if (!strcmp(key, "types")) {
		uint32_t types = 0;

		if (v->type != YAML_SEQUENCE_NODE) {
			set_err(x, v, "'%s' expects a list", path);
			return -EINVAL;
		}
		for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
			yaml_node_t *it = yaml_document_get_node(x->doc, *i), *tn = it;
			const char *t;

			if (!it)
				return -EINVAL;
			/* "- alert: {...}" is a one-key map; its options are not used yet. */
			if (it->type == YAML_MAPPING_NODE) {
				if (it->data.mapping.pairs.top - it->data.mapping.pairs.start != 1) {
					set_err(x, it, "'%s' items are a type name or a one-key map", path);
					return -EINVAL;
				}
				tn = yaml_document_get_node(x->doc, it->data.mapping.pairs.start->key);
				if (!tn)
					return -EINVAL;
			}
			if (want_scalar(x, tn, path, "a type name"))
				return -EINVAL;
			t = scalar(tn);
			if (!strcmp(t, "alert"))
				types |= SW_EVE_ALERT;
			else if (!strcmp(t, "flow"))
				types |= SW_EVE_FLOW;
			else if (!strcmp(t, "stats"))
				types |= SW_EVE_STATS;
			else if (!strcmp(t, "drop"))
				types |= SW_EVE_DROP;
			else if (!strcmp(t, "http"))
				types |= SW_EVE_HTTP; /* Suricata's "extended: yes" fields are always written */
			else if (!strcmp(t, "dns"))
				types |= SW_EVE_DNS;
			else if (!strcmp(t, "tls"))
				types |= SW_EVE_TLS;
			else if (!strcmp(t, "ssh"))
				types |= SW_EVE_SSH;
			else {
				set_err(x, tn, "'%s': unknown eve type '%.100s' (alert, flow, http, dns, tls, ssh, stats, drop)", path,
					t);
				return -EINVAL;
			}
		}
		x->c->eve_types = types;
		return 0;
	}
	return unknown(x, k, path);
}

static int outputs(struct ctx *x, yaml_node_t *v, const char *path)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		set_err(x, v, "'%s' expects a list", path);
		return -EINVAL;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *it = yaml_document_get_node(x->doc, *i), *k, *val;
		char sub[256];

		if (!it)
			return -EINVAL;
		if (it->type != YAML_MAPPING_NODE ||
		    it->data.mapping.pairs.top - it->data.mapping.pairs.start != 1) {
			set_err(x, it, "'%s' items are one-key maps like '- eve-log:'", path);
			return -EINVAL;
		}
		k = yaml_document_get_node(x->doc, it->data.mapping.pairs.start->key);
		val = yaml_document_get_node(x->doc, it->data.mapping.pairs.start->value);
		if (!k || !val)
			return -EINVAL;
		if (k->type != YAML_SCALAR_NODE || strcmp(scalar(k), "eve-log")) {
			snprintf(sub, sizeof(sub), "%s.%s", path,
				 k->type == YAML_SCALAR_NODE ? scalar(k) : "?");
			return unknown(x, k, sub);
		}
		snprintf(sub, sizeof(sub), "%s.eve-log", path);
		if (walk_map(x, val, sub, eve_key, NULL))
			return -EINVAL;
	}
	return 0;
}

#define DAY 86400u

static int timeout_key(struct ctx *x, const char *path, const char *key,
		       yaml_node_t *k, yaml_node_t *v, void *arg)
{
	uint32_t **f = arg; /* new, est, closed (NULL when the class has none) */

	if (!strcmp(key, "new"))
		return get_uint(x, v, path, DAY, f[0]);
	if (!strcmp(key, "established"))
		return get_uint(x, v, path, DAY, f[1]);
	if (!strcmp(key, "closed") && f[2])
		return get_uint(x, v, path, DAY, f[2]);
	return unknown(x, k, path);
}

static int timeouts_key(struct ctx *x, const char *path, const char *key,
			yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_flow_config *fc = &x->c->flow;
	uint32_t *f[3] = { NULL, NULL, NULL };

	(void)arg;
	if (!strcmp(key, "default")) {
		f[0] = &fc->other_new;
		f[1] = &fc->other_est;
	} else if (!strcmp(key, "tcp")) {
		f[0] = &fc->tcp_new;
		f[1] = &fc->tcp_est;
		f[2] = &fc->tcp_closed;
	} else if (!strcmp(key, "udp")) {
		f[0] = &fc->udp_new;
		f[1] = &fc->udp_est;
	} else if (!strcmp(key, "icmp")) {
		f[0] = &fc->icmp_new;
		f[1] = &fc->icmp_est;
	} else {
		return unknown(x, k, path);
	}
	return walk_map(x, v, path, timeout_key, f);
}

static int flow_key(struct ctx *x, const char *path, const char *key,
		    yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "memcap")) {
		int rc = get_size(x, v, path, &x->c->memcap);

		if (!rc)
			x->c->flow.max_flows = (uint32_t)(x->c->memcap / SW_CONFIG_FLOW_COST);
		return rc;
	}
	if (!strcmp(key, "hash-size"))
		return get_uint(x, v, path, 1u << 24, &x->c->flow.hash_size) ? -EINVAL
			: x->c->flow.hash_size ? 0 : (set_err(x, v, "'%s' must be at least 1", path), -EINVAL);
	if (!strcmp(key, "prealloc")) /* flows written at start-up, whole sensor (per_worker_flows()) */
		return get_uint(x, v, path, 1u << 24, &x->c->flow.prealloc);
	if (!strcmp(key, "interim-interval"))
		return get_uint(x, v, path, DAY, &x->c->flow.interim_interval);
	return unknown(x, k, path);
}

/* defrag: (Suricata's keys).  Caps are for the whole sensor, shared by the workers. */
static int defrag_key(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_defrag_config *dc = &x->c->defrag;
	uint32_t *u = NULL;

	(void)arg;
	if (!strcmp(key, "enabled"))
		return get_bool(x, v, path, &dc->enabled);
	if (!strcmp(key, "memcap"))
		return get_size(x, v, path, &dc->memcap);
	if (!strcmp(key, "prealloc")) /* accepted: pools are always preallocated (and touched lazily) */
		return get_bool(x, v, path, &dc->prealloc);
	if (!strcmp(key, "policy")) {
		/* Suricata picks one per host (host-os-policy); sidewall has one for all. */
		if (want_scalar(x, v, path, "bsd or first"))
			return -EINVAL;
		if (!strcmp(scalar(v), "bsd"))
			dc->policy = SW_DEFRAG_POLICY_BSD;
		else if (!strcmp(scalar(v), "first"))
			dc->policy = SW_DEFRAG_POLICY_FIRST;
		else {
			set_err(x, v, "'%s' expects bsd or first, got '%.100s'", path, scalar(v));
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "trackers"))
		u = &dc->trackers;
	else if (!strcmp(key, "max-frags"))
		u = &dc->max_frags;
	else if (!strcmp(key, "timeout"))
		u = &dc->timeout;
	else
		return unknown(x, k, path);
	if (get_uint(x, v, path, u == &dc->timeout ? DAY : 1u << 24, u))
		return -EINVAL;
	if (!*u) {
		set_err(x, v, "'%s' must be at least 1", path);
		return -EINVAL;
	}
	return 0;
}

/* A kernel buffer size (socket or capture ring): a size of at most 1gb. */
static int get_buffer_size(struct ctx *x, const yaml_node_t *v, const char *path, uint32_t *out)
{
	uint64_t sz;
	int rc = get_size(x, v, path, &sz);

	if (!rc && sz > (1ull << 30)) {
		set_err(x, v, "'%s' is at most 1gb", path);
		return -EINVAL;
	}
	if (!rc)
		*out = (uint32_t)sz;
	return rc;
}

/* "N" or "A:B", at most 1024 queues. */
static int get_queues(struct ctx *x, const yaml_node_t *n, const char *path, uint16_t *first, uint16_t *last)
{
	const char *s;
	char *end;
	unsigned long a, b;

	if (want_scalar(x, n, path, "a queue number or range"))
		return -EINVAL;
	s = scalar(n);
	errno = 0;
	a = strtoul(s, &end, 10);
	b = a;
	if (!errno && end != s && *end == ':') {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		if (end == t)
			errno = EINVAL;
	}
	if (errno || end == s || *end || a > 65535 || b > 65535 || b < a || b - a >= 1024) {
		set_err(x, n, "'%s' expects a queue number or a range A:B (at most 1024 queues), got '%.100s'", path, s);
		return -EINVAL;
	}
	*first = (uint16_t)a;
	*last = (uint16_t)b;
	return 0;
}

static int nfq_key(struct ctx *x, const char *path, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config *c = x->c;

	(void)arg;
	if (!strcmp(key, "queues"))
		return get_queues(x, v, path, &c->nfq_first, &c->nfq_last);
	if (!strcmp(key, "queue-maxlen"))
		return get_uint(x, v, path, 1u << 20, &c->nfq_maxlen);
	if (!strcmp(key, "buffer-size"))
		return get_buffer_size(x, v, path, &c->nfq_rcvbuf);
	if (!strcmp(key, "fail-open"))
		return get_bool(x, v, path, &c->nfq_fail_open);
	if (!strcmp(key, "bypass-mark") || !strcmp(key, "drop-connmark")) {
		bool drop = !strcmp(key, "drop-connmark");
		unsigned long m;
		char *end;

		if (want_scalar(x, v, path, "a mark"))
			return -EINVAL;
		errno = 0;
		m = strtoul(scalar(v), &end, 0);
		if (errno || end == scalar(v) || *end || m > UINT32_MAX || m == 0) {
			set_err(x, v, "'%s' expects a non-zero 32-bit mark, got '%.100s'", path, scalar(v));
			return -EINVAL;
		}
		/* Tailscale owns 0x00ff0000 of the packet mark; clobbering it breaks its routing. */
		if (m & 0x00ff0000ul) {
			set_err(x, v, "'%s' %#lx overlaps 0x00ff0000, which Tailscale uses", path, m);
			return -EINVAL;
		}
		if (drop)
			c->nfq_drop_connmark = (uint32_t)m;
		else
			c->nfq_bypass_mark = (uint32_t)m;
		/* One bit saved from the packet into conntrack would read as the other. */
		if (c->nfq_drop_connmark & c->nfq_bypass_mark) {
			set_err(x, v, "'%s' %#lx shares bits with the other of bypass-mark / drop-connmark", path, m);
			return -EINVAL;
		}
		return 0;
	}
	return unknown(x, k, path);
}

static int pcap_key(struct ctx *x, const char *path, const char *key, yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config *c = x->c;

	(void)arg;
	if (!strcmp(key, "interfaces"))
		return get_str_list(x, v, path, &c->pcap_ifaces, &c->n_pcap_ifaces);
	if (!strcmp(key, "snaplen"))
		return get_uint(x, v, path, 262144, &c->pcap_snaplen);
	if (!strcmp(key, "promisc"))
		return get_bool(x, v, path, &c->pcap_promisc);
	if (!strcmp(key, "buffer-size"))
		return get_buffer_size(x, v, path, &c->pcap_buffer);
	if (!strcmp(key, "bpf-filter"))
		return get_str(x, v, path, &c->pcap_bpf);
	return unknown(x, k, path);
}

static int capture_key(struct ctx *x, const char *path, const char *key, yaml_node_t *k, yaml_node_t *v,
		       void *arg)
{
	(void)arg;
	if (!strcmp(key, "nfqueue")) {
		x->c->nfq_set = true;
		return walk_map(x, v, path, nfq_key, NULL);
	}
	if (!strcmp(key, "pcap"))
		return walk_map(x, v, path, pcap_key, NULL);
	return unknown(x, k, path);
}

/* run-as: (Suricata's) the user and group sidewall switches to after start-up. */
static int run_as_key(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "user"))
		return get_str(x, v, path, &x->c->run_as_user);
	if (!strcmp(key, "group"))
		return get_str(x, v, path, &x->c->run_as_group);
	return unknown(x, k, path);
}

static int reasm_key(struct ctx *x, const char *path, const char *key,
		     yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "window"))
		return get_uint(x, v, path, 1u << 20, &x->c->flow.stream_window);
	if (!strcmp(key, "memcap"))
		return get_size(x, v, path, &x->c->flow.stream_memcap);
	if (!strcmp(key, "depth")) /* 0 = no limit, as Suricata's */
		return get_size_range(x, v, path, 0, UINT64_MAX, &x->c->stream.depth);
	if (!strcmp(key, "segment-prealloc")) /* per worker, as Suricata's */
		return get_uint(x, v, path, 1u << 24, &x->c->stream.segment_prealloc);
	return unknown(x, k, path);
}

static int stream_key(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "reassembly"))
		return walk_map(x, v, path, reasm_key, NULL);
	if (!strcmp(key, "midstream")) {
		/* One setting for both stages: a session not reassembled has no app layer either. */
		int rc = get_bool(x, v, path, &x->c->app.midstream);

		x->c->stream.midstream = x->c->app.midstream;
		return rc;
	}
	if (!strcmp(key, "async-oneside"))
		return get_bool(x, v, path, &x->c->stream.async_oneside);
	return unknown(x, k, path);
}

/*
 * host-os-policy: { POLICY: [ADDR or CIDR, ...], ... } as in suricata.yaml;
 * "default" is not a policy here (Suricata's default, bsd, applies to every
 * address no entry covers).  Entries append to x->c->stream_hosts.
 */
static int host_policy_key(struct ctx *x, const char *path, const char *key, yaml_node_t *k, yaml_node_t *v,
			   void *arg)
{
	struct sw_config *c = x->c;
	int pol = sw_stream_policy_parse(key);
	size_t len;
	struct sw_stream_host_policy *nh;

	(void)arg;
	if (pol < 0) {
		set_err(x, k, "'%s': unknown policy '%s'", path, key);
		return -EINVAL;
	}
	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
		return 0; /* "linux:" with nothing */
	if (v->type != YAML_SEQUENCE_NODE) {
		set_err(x, v, "'%s' expects a list of addresses", path);
		return -EINVAL;
	}
	len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!len)
		return 0;
	nh = realloc(c->stream_hosts, (c->stream.n_hosts + len) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	c->stream_hosts = nh;
	c->stream.hosts = nh;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = yaml_document_get_node(x->doc, v->data.sequence.items.start[i]);
		struct sw_stream_host_policy *h = &nh[c->stream.n_hosts];
		char buf[64];

		if (!it || want_scalar(x, it, path, "an address") < 0)
			return -EINVAL;
		if (it->data.scalar.length >= sizeof(buf)) {
			set_err(x, it, "'%s': bad address '%.*s'", path, (int)it->data.scalar.length,
				(const char *)it->data.scalar.value);
			return -EINVAL;
		}
		memcpy(buf, it->data.scalar.value, it->data.scalar.length);
		buf[it->data.scalar.length] = 0;
		if (sw_cidr_parse(buf, &h->net, &h->prefix) < 0) {
			set_err(x, it, "'%s': bad address '%s'", path, buf);
			return -EINVAL;
		}
		h->policy = (uint8_t)pol;
		c->stream.n_hosts++;
	}
	return 0;
}

static int threading_key(struct ctx *x, const char *path, const char *key,
			 yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "worker-threads"))
		return get_uint(x, v, path, 1024, &x->c->threads);
	return unknown(x, k, path);
}

/* metrics: the Prometheus endpoint (docs/metrics.md); off unless listen is set */
static int metrics_key(struct ctx *x, const char *path, const char *key,
		       yaml_node_t *k, yaml_node_t *v, void *arg)
{
	char host[256];
	unsigned port;

	(void)arg;
	if (!strcmp(key, "listen")) {
		if (get_str(x, v, path, &x->c->metrics_listen))
			return -EINVAL;
		if (sw_hostport_parse(x->c->metrics_listen, host, sizeof(host), &port) < 0) {
			set_err(x, v, "'%s' expects HOST:PORT or [IPV6]:PORT, got '%.100s'", path,
				x->c->metrics_listen);
			return -EINVAL;
		}
		return 0;
	}
	return unknown(x, k, path);
}

static int stats_key(struct ctx *x, const char *path, const char *key,
		     yaml_node_t *k, yaml_node_t *v, void *arg)
{
	bool dummy;

	(void)arg;
	if (!strcmp(key, "enabled")) /* stats are always collected; accepted for compatibility */
		return get_bool(x, v, path, &dummy);
	if (!strcmp(key, "interval"))
		return get_uint(x, v, path, DAY, &x->c->stats_interval);
	if (!strcmp(key, "threads"))
		return get_bool(x, v, path, &x->c->stats_threads);
	return unknown(x, k, path);
}

/* ---- decoder: (Suricata's keys) ---- */

static int tunnel_key(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg)
{
	int which = (int)(intptr_t)arg;
	struct sw_decode_config *dc = &x->c->decode;
	bool *en = which == PORTS_VXLAN ? &dc->vxlan : which == PORTS_GENEVE ? &dc->geneve : &dc->teredo;

	if (!strcmp(key, "enabled"))
		return get_bool(x, v, path, en);
	if (!strcmp(key, "ports")) {
		if (want_scalar(x, v, path, "a port, a list of ports or a $port-group"))
			return -EINVAL;
		x->ports[which] = v;
		snprintf(x->ports_path[which], sizeof(x->ports_path[which]), "%s", path);
		return 0;
	}
	if (which == PORTS_VXLAN && !strcmp(key, "reserved-bits-check")) {
		if (want_scalar(x, v, path, "strict or permissive"))
			return -EINVAL;
		if (!strcmp(scalar(v), "strict") || !strcmp(scalar(v), "permissive")) {
			dc->vxlan_permissive = scalar(v)[0] == 'p';
			return 0;
		}
		set_err(x, v, "'%s' expects strict or permissive, got '%.100s'", path, scalar(v));
		return -EINVAL;
	}
	return unknown(x, k, path);
}

static int decoder_key(struct ctx *x, const char *path, const char *key,
		       yaml_node_t *k, yaml_node_t *v, void *arg)
{
	uint32_t n;

	(void)arg;
	if (!strcmp(key, "max-layers")) {
		if (get_uint(x, v, path, 255, &n))
			return -EINVAL;
		if (n < 2) { /* one layer is the packet itself: nothing could be decoded */
			set_err(x, v, "'%s' must be at least 2", path);
			return -EINVAL;
		}
		x->c->decode.max_layers = (uint8_t)n;
		return 0;
	}
	if (!strcmp(key, "vxlan"))
		return walk_map(x, v, path, tunnel_key, (void *)(intptr_t)PORTS_VXLAN);
	if (!strcmp(key, "geneve"))
		return walk_map(x, v, path, tunnel_key, (void *)(intptr_t)PORTS_GENEVE);
	if (!strcmp(key, "teredo"))
		return walk_map(x, v, path, tunnel_key, (void *)(intptr_t)PORTS_TEREDO);
	return unknown(x, k, path);
}

static const char *port_group(const struct sw_config *c, const char *name, size_t len)
{
	for (uint32_t i = 0; i < c->n_port_groups; i++)
		if (strlen(c->port_groups[i].name) == len && !strncmp(c->port_groups[i].name, name, len))
			return c->port_groups[i].value;
	return NULL;
}

/*
 * Ports as Suricata's port syntax writes them, without ranges or negation:
 * "4789", "[4789, 8472]", "$VXLAN_PORTS" (a vars.port-groups entry, which
 * may itself be a list), nested up to a few levels; "any" where @any_ok
 * (Teredo: every UDP port).  At most SW_DECODE_MAX_PORTS, as Suricata.
 */
static int parse_ports(struct ctx *x, const yaml_node_t *v, const char *path, const char *s, int depth, bool any_ok,
		       uint16_t *ports, uint8_t *n, bool *any)
{
	while (*s) {
		const char *e;
		size_t len;

		while (*s == ' ' || *s == '[' || *s == ']' || *s == ',')
			s++;
		if (!*s)
			break;
		for (e = s; *e && *e != ',' && *e != ']' && *e != ' '; e++)
			;
		len = (size_t)(e - s);
		if (*s == '$') {
			const char *val = port_group(x->c, s + 1, len - 1);

			if (!val || depth >= 4) {
				set_err(x, v, "'%s': %s '%.*s'", path, val ? "port groups nested too deep at" : "unknown port group",
					(int)len, s);
				return -EINVAL;
			}
			if (parse_ports(x, v, path, val, depth + 1, any_ok, ports, n, any))
				return -EINVAL;
		} else if (len == 3 && !strncmp(s, "any", 3) && any_ok) {
			*any = true;
		} else {
			unsigned long port = 0;
			size_t i;

			for (i = 0; i < len && s[i] >= '0' && s[i] <= '9' && port <= 65535; i++)
				port = port * 10 + (unsigned long)(s[i] - '0');
			if (i != len || !len || port > 65535) {
				set_err(x, v, "'%s' expects ports 0..65535%s, got '%.*s'", path, any_ok ? " or any" : "",
					(int)len, s);
				return -EINVAL;
			}
			if (*n >= SW_DECODE_MAX_PORTS) {
				set_err(x, v, "'%s': at most %d ports", path, SW_DECODE_MAX_PORTS);
				return -EINVAL;
			}
			ports[(*n)++] = (uint16_t)port;
		}
		s = e;
	}
	return 0;
}

static int resolve_ports(struct ctx *x)
{
	struct sw_decode_config *dc = &x->c->decode;
	uint16_t *ports[PORTS_N] = { dc->vxlan_ports, dc->geneve_ports, dc->teredo_ports };
	uint8_t *n[PORTS_N] = { &dc->n_vxlan_ports, &dc->n_geneve_ports, &dc->n_teredo_ports };

	for (int i = 0; i < PORTS_N; i++) {
		bool any = false;
		uint8_t cnt = 0;
		uint16_t tmp[SW_DECODE_MAX_PORTS] = { 0 };

		if (!x->ports[i])
			continue;
		if (parse_ports(x, x->ports[i], x->ports_path[i], scalar(x->ports[i]), 0, i == PORTS_TEREDO, tmp, &cnt,
				&any))
			return -EINVAL;
		if (!cnt && !any) {
			set_err(x, x->ports[i], "'%s' names no port", x->ports_path[i]);
			return -EINVAL;
		}
		/* Teredo on any port: n = 0 (sw_decode_config) */
		*n[i] = any ? 0 : cnt;
		memcpy(ports[i], tmp, sizeof(tmp));
	}
	return 0;
}

/* ---- enforcement: ---- */

static int enforcer_key(struct ctx *x, const char *path, const char *key,
			yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config_enforcer *e = arg;
	unsigned char a[16];
	uint32_t port;
	size_t n;

	if (!strcmp(key, "host")) {
		if (get_str(x, v, path, &e->host))
			return -EINVAL;
		/* An IP literal: the sensor must not depend on DNS to reach its enforcer. */
		if (inet_pton(AF_INET, e->host, a) != 1 && inet_pton(AF_INET6, e->host, a) != 1) {
			set_err(x, v, "'%s' expects an IP address, got '%.100s'", path, e->host);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "port")) {
		if (get_uint(x, v, path, 65535, &port))
			return -EINVAL;
		if (!port) {
			set_err(x, v, "'%s' must be 1..65535", path);
			return -EINVAL;
		}
		e->port = (uint16_t)port;
		return 0;
	}
	if (!strcmp(key, "public-key")) {
		if (get_str(x, v, path, &e->public_key))
			return -EINVAL;
		/* Shape only (44 base64 characters ending in '='); sw_enforce_new decodes it. */
		n = strlen(e->public_key);
		if (n != 44 || e->public_key[43] != '=' ||
		    strspn(e->public_key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != 43) {
			set_err(x, v, "'%s' expects a base64 key of 44 characters (sidewall-enforcer pubkey), got '%.100s'",
				path, e->public_key);
			return -EINVAL;
		}
		return 0;
	}
	return unknown(x, k, path);
}

static int enforcers(struct ctx *x, yaml_node_t *v, const char *path)
{
	struct sw_config_enforcement *en = &x->c->enforce;
	size_t len;

	if (v->type != YAML_SEQUENCE_NODE) {
		set_err(x, v, "'%s' expects a list", path);
		return -EINVAL;
	}
	len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!len) {
		set_err(x, v, "'%s' needs at least one enforcer", path);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < en->n_enforcers; i++) {
		free(en->enforcers[i].host);
		free(en->enforcers[i].public_key);
	}
	free(en->enforcers);
	en->n_enforcers = 0;
	en->enforcers = calloc(len, sizeof(*en->enforcers));
	if (!en->enforcers)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = yaml_document_get_node(x->doc, v->data.sequence.items.start[i]);
		struct sw_config_enforcer *e = &en->enforcers[en->n_enforcers];

		if (!it)
			return -EINVAL;
		en->n_enforcers++; /* counted first so sw_config_free releases a half-read item */
		if (walk_map(x, it, path, enforcer_key, e))
			return -EINVAL;
		if (!e->host || !e->port || !e->public_key) {
			set_err(x, it, "'%s' items need host, port and public-key", path);
			return -EINVAL;
		}
	}
	return 0;
}

static int trigger_key(struct ctx *x, const char *path, const char *key,
		       yaml_node_t *k, yaml_node_t *v, void *arg)
{
	static const char *const names[] = { "alert", "reject", "drop", "pass" };
	struct sw_config_enforcement *en = &x->c->enforce;
	size_t len;

	(void)arg;
	if (!strcmp(key, "max-priority")) {
		if (get_uint(x, v, path, 255, &en->max_priority))
			return -EINVAL;
		if (!en->max_priority) {
			set_err(x, v, "'%s' must be 1..255", path);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "classtypes"))
		return get_str_list(x, v, path, &en->classtypes, &en->n_classtypes);
	if (strcmp(key, "actions") && strcmp(key, "sids"))
		return unknown(x, k, path);
	if (v->type != YAML_SEQUENCE_NODE) {
		set_err(x, v, "'%s' expects a list", path);
		return -EINVAL;
	}
	len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!strcmp(key, "sids")) {
		free(en->sids);
		en->n_sids = 0;
		en->sids = calloc(len ? len : 1, sizeof(*en->sids));
		if (!en->sids)
			return -ENOMEM;
	} else {
		en->actions = 0;
	}
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = yaml_document_get_node(x->doc, v->data.sequence.items.start[i]);
		size_t a;

		if (!it)
			return -EINVAL;
		if (!strcmp(key, "sids")) {
			if (get_uint(x, it, path, UINT32_MAX, &en->sids[en->n_sids]))
				return -EINVAL;
			en->n_sids++;
			continue;
		}
		if (want_scalar(x, it, path, "an action name"))
			return -EINVAL;
		for (a = 0; a < 4 && strcmp(scalar(it), names[a]); a++)
			;
		if (a == 4) {
			set_err(x, it, "'%s': unknown action '%.100s' (alert, reject, drop, pass)", path, scalar(it));
			return -EINVAL;
		}
		en->actions |= 1u << a;
	}
	return 0;
}

static int enforcement_key(struct ctx *x, const char *path, const char *key,
			   yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config_enforcement *en = &x->c->enforce;
	char *s = NULL;
	int rc;

	(void)arg;
	if (!strcmp(key, "private-key-file"))
		return get_str(x, v, path, &en->key_file);
	if (!strcmp(key, "enforcers"))
		return enforcers(x, v, path);
	if (!strcmp(key, "spool-dir"))
		return get_str(x, v, path, &en->spool_dir);
	if (!strcmp(key, "spool-max"))
		return get_size(x, v, path, &en->spool_max);
	if (!strcmp(key, "triggers"))
		return walk_map(x, v, path, trigger_key, NULL);
	if (!strcmp(key, "ttl"))
		return get_uint(x, v, path, 365 * DAY, &en->ttl);
	if (!strcmp(key, "dedup"))
		return get_uint(x, v, path, DAY, &en->dedup);
	if (!strcmp(key, "block")) {
		rc = get_str(x, v, path, &s);
		if (rc)
			return rc;
		if (!strcmp(s, "src"))
			en->block = SW_ENFORCE_BLOCK_SRC;
		else if (!strcmp(s, "dst"))
			en->block = SW_ENFORCE_BLOCK_DST;
		else if (!strcmp(s, "both"))
			en->block = SW_ENFORCE_BLOCK_BOTH;
		else {
			set_err(x, v, "'%s' expects src, dst or both, got '%.100s'", path, s);
			rc = -EINVAL;
		}
		free(s);
		return rc;
	}
	return unknown(x, k, path);
}

static int enforcement(struct ctx *x, yaml_node_t *k, yaml_node_t *v, const char *path)
{
	struct sw_config_enforcement *en = &x->c->enforce;

	en->set = true;
	en->spool_max = 16ull << 20;
	en->actions = 1u << 2; /* drop: what the rule author already chose to stop */
	en->block = SW_ENFORCE_BLOCK_SRC;
	en->ttl = 3600;
	en->dedup = 60;
	if (walk_map(x, v, path, enforcement_key, NULL))
		return -EINVAL;
	if (!en->key_file || !en->spool_dir || !en->n_enforcers) {
		set_err(x, k, "'%s' needs private-key-file, spool-dir and enforcers", path);
		return -EINVAL;
	}
	return 0;
}

/*
 * app-layer.protocols.<name>.enabled: yes, no, or Suricata's
 * "detection-only" (the protocol is detected, its parser does not run;
 * only HTTP has a parser here, so for the others it is the same as yes).
 */
static int get_enabled(struct ctx *x, const yaml_node_t *n, const char *path, bool *detect, bool *parse)
{
	if (n->type == YAML_SCALAR_NODE && !strcmp(scalar(n), "detection-only")) {
		*detect = true;
		*parse = false;
		return 0;
	}
	if (get_bool(x, n, path, detect))
		return -EINVAL;
	*parse = *detect;
	return 0;
}

/*
 * libhtp personalities by Suricata's names (case-insensitive, as
 * HTPLookupPersonality), valued as libhtp's enum htp_server_personality_t.
 */
static const struct {
	const char *name;
	int value;
} personalities[] = {
	{ "Minimal", 0 }, { "Generic", 1 }, { "IDS", 2 }, { "IIS_4_0", 3 }, { "IIS_5_0", 4 },
	{ "IIS_5_1", 5 }, { "IIS_6_0", 6 }, { "IIS_7_0", 7 }, { "IIS_7_5", 8 }, { "Apache_2", 9 },
	/* Suricata maps the old names to Apache_2 with a warning */
	{ "Apache", 9 }, { "Apache_2_2", 9 },
};

static int htp_default_key(struct ctx *x, const char *path, const char *key,
			   yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_app_http_config *h = &x->c->app.http;
	uint64_t sz;
	int rc;

	(void)arg;
	if (!strcmp(key, "personality")) {
		if (want_scalar(x, v, path, "a personality name"))
			return -EINVAL;
		for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
			if (!strcasecmp(scalar(v), personalities[i].name)) {
				h->personality = personalities[i].value;
				return 0;
			}
		}
		set_err(x, v, "'%s' expects one of Minimal, Generic, IDS, IIS_4_0, IIS_5_0, IIS_5_1, "
			      "IIS_6_0, IIS_7_0, IIS_7_5, Apache_2, got '%.60s'", path, scalar(v));
		return -EINVAL;
	}
	if (!strcmp(key, "request-body-limit") || !strcmp(key, "response-body-limit")) {
		/* 0 = unlimited, as in Suricata; at most 1gb (bodies are held in memory) */
		rc = get_size_range(x, v, path, 0, 1ull << 30, &sz);
		if (!rc)
			*(key[2] == 'q' ? &h->request_body_limit : &h->response_body_limit) = (uint32_t)sz;
		return rc;
	}
	if (!strcmp(key, "double-decode-path"))
		return get_bool(x, v, path, &h->double_decode_path);
	if (!strcmp(key, "double-decode-query"))
		return get_bool(x, v, path, &h->double_decode_query);
	if (!strcmp(key, "response-body-decompress-layer-limit"))
		return get_uint(x, v, path, 16, &h->decompression_layer_limit);
	if (!strcmp(key, "meta-field-limit")) {
		rc = get_size_range(x, v, path, 1024, 1ull << 20, &sz);
		if (!rc)
			h->field_limit = (uint32_t)sz;
		return rc;
	}
	return unknown(x, k, path);
}

static int libhtp_key(struct ctx *x, const char *path, const char *key,
		      yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "default-config"))
		return walk_map(x, v, path, htp_default_key, NULL);
	return unknown(x, k, path);
}

static int http_key(struct ctx *x, const char *path, const char *key,
		    yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config *c = x->c;

	(void)arg;
	if (!strcmp(key, "enabled"))
		return get_enabled(x, v, path, &c->app_enabled[SW_APP_HTTP1], &c->app.http.enabled);
	if (!strcmp(key, "memcap")) {
		/* 0 = unlimited */
		if (v->type == YAML_SCALAR_NODE && !strcmp(scalar(v), "0")) {
			c->app.http.memcap = 0;
			return 0;
		}
		return get_size(x, v, path, &c->app.http.memcap);
	}
	if (!strcmp(key, "libhtp"))
		return walk_map(x, v, path, libhtp_key, NULL);
	return unknown(x, k, path);
}

/* ja3-fingerprints / ja4-fingerprints: yes, no, or auto (Suricata's default: on if a rule uses them). */
static int get_fp_mode(struct ctx *x, yaml_node_t *v, const char *path, int8_t *out)
{
	const char *t = v->type == YAML_SCALAR_NODE ? scalar(v) : "";
	bool b;

	if (!strcmp(t, "auto")) {
		*out = -1;
		return 0;
	}
	if (get_bool(x, v, path, &b) < 0)
		return -EINVAL;
	*out = b ? 1 : 0;
	return 0;
}

static int tls_key(struct ctx *x, const char *path, const char *key,
		   yaml_node_t *k, yaml_node_t *v, void *arg)
{
	bool parse;

	(void)arg;
	if (!strcmp(key, "enabled"))
		return get_enabled(x, v, path, &x->c->app_enabled[SW_APP_TLS], &parse);
	if (!strcmp(key, "ja3-fingerprints"))
		return get_fp_mode(x, v, path, &x->c->app.tls_ja3_cfg);
	if (!strcmp(key, "ja4-fingerprints"))
		return get_fp_mode(x, v, path, &x->c->app.tls_ja4_cfg);
	return unknown(x, k, path);
}

/* Protocols with only detection here: "enabled" is their one key. */
static int proto_key(struct ctx *x, const char *path, const char *key,
		     yaml_node_t *k, yaml_node_t *v, void *arg)
{
	enum sw_app_proto p = (enum sw_app_proto)(intptr_t)arg;
	bool parse;

	if (!strcmp(key, "enabled"))
		return get_enabled(x, v, path, &x->c->app_enabled[p], &parse);
	return unknown(x, k, path);
}

static const struct {
	const char *name;
	enum sw_app_proto proto;
} app_protos[] = {
	{ "tls", SW_APP_TLS },   { "dns", SW_APP_DNS },       { "ssh", SW_APP_SSH },
	{ "smtp", SW_APP_SMTP }, { "ftp", SW_APP_FTP },       { "smb", SW_APP_SMB },
	{ "dcerpc", SW_APP_DCERPC }, { "imap", SW_APP_IMAP }, { "pop3", SW_APP_POP3 },
};

static int protocols_key(struct ctx *x, const char *path, const char *key,
			 yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "http"))
		return walk_map(x, v, path, http_key, NULL);
	if (!strcmp(key, "tls"))
		return walk_map(x, v, path, tls_key, NULL);
	for (size_t i = 0; i < sizeof(app_protos) / sizeof(app_protos[0]); i++)
		if (!strcmp(key, app_protos[i].name))
			return walk_map(x, v, path, proto_key, (void *)(intptr_t)app_protos[i].proto);
	return unknown(x, k, path);
}

static int app_layer_key(struct ctx *x, const char *path, const char *key,
			 yaml_node_t *k, yaml_node_t *v, void *arg)
{
	(void)arg;
	if (!strcmp(key, "protocols"))
		return walk_map(x, v, path, protocols_key, NULL);
	return unknown(x, k, path);
}

static int top_key(struct ctx *x, const char *path, const char *key,
		   yaml_node_t *k, yaml_node_t *v, void *arg)
{
	struct sw_config *c = x->c;

	(void)arg;
	if (!strcmp(key, "vars"))
		return walk_map(x, v, path, vars_key, NULL);
	if (!strcmp(key, "default-rule-path"))
		return get_str(x, v, path, &c->default_rule_path);
	if (!strcmp(key, "classification-file"))
		return get_str(x, v, path, &c->classification_file);
	if (!strcmp(key, "threshold-file"))
		return get_str(x, v, path, &c->threshold_file);
	if (!strcmp(key, "default-log-dir"))
		return get_str(x, v, path, &c->log_dir);
	if (!strcmp(key, "rule-files"))
		return get_str_list(x, v, path, &c->rule_files, &c->n_rule_files);
	if (!strcmp(key, "outputs"))
		return outputs(x, v, path);
	if (!strcmp(key, "threading"))
		return walk_map(x, v, path, threading_key, NULL);
	if (!strcmp(key, "checksum-validation"))
		return get_bool(x, v, path, &c->checksum_validation);
	if (!strcmp(key, "stats"))
		return walk_map(x, v, path, stats_key, NULL);
	if (!strcmp(key, "metrics"))
		return walk_map(x, v, path, metrics_key, NULL);
	if (!strcmp(key, "flow"))
		return walk_map(x, v, path, flow_key, NULL);
	if (!strcmp(key, "defrag"))
		return walk_map(x, v, path, defrag_key, NULL);
	if (!strcmp(key, "decoder"))
		return walk_map(x, v, path, decoder_key, NULL);
	if (!strcmp(key, "flow-timeouts"))
		return walk_map(x, v, path, timeouts_key, NULL);
	if (!strcmp(key, "stream"))
		return walk_map(x, v, path, stream_key, NULL);
	if (!strcmp(key, "host-os-policy"))
		return walk_map(x, v, path, host_policy_key, NULL);
	if (!strcmp(key, "capture"))
		return walk_map(x, v, path, capture_key, NULL);
	if (!strcmp(key, "enforcement"))
		return enforcement(x, k, v, path);
	if (!strcmp(key, "run-as"))
		return walk_map(x, v, path, run_as_key, NULL);
	if (!strcmp(key, "app-layer"))
		return walk_map(x, v, path, app_layer_key, NULL);
	return unknown(x, k, path);
}

void sw_config_free(struct sw_config *c)
{
	if (!c)
		return;
	free(c->stream_hosts);
	free(c->path);
	for (uint32_t i = 0; i < c->n_addr_groups; i++) {
		free(c->addr_groups[i].name);
		free(c->addr_groups[i].value);
	}
	free(c->addr_groups);
	for (uint32_t i = 0; i < c->n_port_groups; i++) {
		free(c->port_groups[i].name);
		free(c->port_groups[i].value);
	}
	free(c->port_groups);
	free(c->default_rule_path);
	for (uint32_t i = 0; i < c->n_rule_files; i++)
		free(c->rule_files[i]);
	free(c->rule_files);
	free(c->classification_file);
	free(c->threshold_file);
	free(c->log_dir);
	free(c->eve_filename);
	for (uint32_t i = 0; i < c->n_pcap_ifaces; i++)
		free(c->pcap_ifaces[i]);
	free(c->pcap_ifaces);
	free(c->pcap_bpf);
	free(c->syslog_host);
	free(c->metrics_listen);
	free(c->syslog_hostname);
	free(c->syslog_spool_dir);
	free(c->enforce.key_file);
	for (uint32_t i = 0; i < c->enforce.n_enforcers; i++) {
		free(c->enforce.enforcers[i].host);
		free(c->enforce.enforcers[i].public_key);
	}
	free(c->enforce.enforcers);
	free(c->enforce.spool_dir);
	free(c->enforce.sids);
	for (uint32_t i = 0; i < c->enforce.n_classtypes; i++)
		free(c->enforce.classtypes[i]);
	free(c->enforce.classtypes);
	free(c->run_as_user);
	free(c->run_as_group);
	free(c);
}

static int add_var(struct sw_config_var **arr, uint32_t *n, const char *name, const char *val)
{
	struct sw_config_var *na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!na)
		return -ENOMEM;
	*arr = na;
	na[*n].name = strdup(name);
	na[*n].value = strdup(val);
	(*n)++; /* counted even on failure so free() releases the half */
	return na[*n - 1].name && na[*n - 1].value ? 0 : -ENOMEM;
}

/* Must stay equal to etc/sidewall.yaml (test_config checks). */
static const char *const def_addr[][2] = {
	{ "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]" },
	{ "EXTERNAL_NET", "!$HOME_NET" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
};
static const char *const def_port[][2] = {
	{ "HTTP_PORTS", "80" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

struct sw_config *sw_config_default(void)
{
	struct sw_config *c = calloc(1, sizeof(*c));
	int rc = 0;

	if (!c)
		return NULL;
	for (size_t i = 0; !rc && i < sizeof(def_addr) / sizeof(def_addr[0]); i++)
		rc = add_var(&c->addr_groups, &c->n_addr_groups, def_addr[i][0], def_addr[i][1]);
	for (size_t i = 0; !rc && i < sizeof(def_port) / sizeof(def_port[0]); i++)
		rc = add_var(&c->port_groups, &c->n_port_groups, def_port[i][0], def_port[i][1]);
	if (rc)
		goto fail;
	c->path = strdup("<builtin>");
	c->default_rule_path = strdup("rules");
	c->rule_files = calloc(1, sizeof(char *));
	if (!c->path || !c->default_rule_path || !c->rule_files)
		goto fail;
	c->rule_files[0] = strdup("default.rules");
	if (!c->rule_files[0])
		goto fail;
	c->n_rule_files = 1;
	c->log_dir = strdup(".");
	c->eve_filename = strdup("eve.json");
	if (!c->log_dir || !c->eve_filename)
		goto fail;
	c->eve_enabled = true;
	c->eve_types = SW_EVE_ALERT | SW_EVE_FLOW | SW_EVE_HTTP | SW_EVE_DNS | SW_EVE_TLS | SW_EVE_SSH | SW_EVE_STATS |
			SW_EVE_DROP;
	c->threads = 0;
	c->checksum_validation = true;
	c->stats_interval = 0;
	c->memcap = 512ull << 20;
	c->flow.max_flows = (uint32_t)(c->memcap / SW_CONFIG_FLOW_COST);
	c->flow.hash_size = 65536;
	/*
	 * Flows whose memory start-up writes (their slot and tails, ~4.7 KiB
	 * each with the default window): 9.6 MB, about as many as
	 * public-mix.pcap has open at once at most (1,994).  Suricata's
	 * 10,000 would be 47 MB.
	 */
	c->flow.prealloc = 2048;
	c->flow.stream_window = 2048;
	c->flow.stream_memcap = 32ull << 20;
	/* Suricata's defaults: 1 MiB per direction, no pickups, bsd overlaps. */
	c->stream.depth = 1ull << 20;
	/*
	 * Suricata's default number; our units hold 512 bytes each (704 with
	 * their bitmaps): 1.4 MB a worker, about what public-mix.pcap's held
	 * bytes take at most.
	 */
	c->stream.segment_prealloc = 2048;
	c->stream.midstream = false;
	c->stream.async_oneside = false;
	c->stream.policy = SW_STREAM_POL_BSD;
	c->flow.tcp_new = 60;
	c->flow.tcp_est = 600;
	c->flow.tcp_closed = 60;
	c->flow.udp_new = 30;
	c->flow.udp_est = 300;
	c->flow.icmp_new = 30;
	c->flow.icmp_est = 300;
	c->flow.other_new = 30;
	c->flow.other_est = 300;
	c->flow.interim_interval = 0;
	c->defrag.enabled = true;
	c->defrag.memcap = 32ull << 20;
	c->defrag.trackers = 65535;
	c->defrag.max_frags = 65535;
	c->defrag.timeout = 60;
	c->defrag.prealloc = true;
	c->defrag.policy = SW_DEFRAG_POLICY_BSD;
	sw_decode_config_default(&c->decode);
	c->nfq_fail_open = true;
	c->pcap_promisc = true;
	c->syslog_port = 514;
	c->syslog_facility = 16;
	/* app-layer: Suricata's default-config values (suricata.yaml) */
	for (int p = 0; p < SW_APP_N; p++)
		c->app_enabled[p] = p != SW_APP_UNKNOWN && p != SW_APP_FAILED;
	c->app.http.enabled = true;
	c->app.http.personality = 2; /* IDS */
	c->app.http.request_body_limit = 100u << 10;
	c->app.http.response_body_limit = 100u << 10;
	c->app.http.double_decode_path = false;
	c->app.http.double_decode_query = false;
	c->app.http.decompression_layer_limit = 2;
	c->app.http.field_limit = 18000; /* libhtp's hard field limit, Suricata's meta-field-limit default */
	c->app.http.memcap = 64ull << 20;
	c->app.probe_depth = 2048;
	c->app.tls_ja3_cfg = -1; /* auto */
	c->app.tls_ja4_cfg = -1;
	c->app.workers = 0; /* the engine sets the worker count */
	return c;
fail:
	sw_config_free(c);
	errno = ENOMEM;
	return NULL;
}

int sw_config_load_string(const char *text, const char *name, struct sw_config **out,
			  struct sw_config_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx x = { .doc = &doc, .err = err, .name = name ? name : "<string>" };
	yaml_node_t *root;
	bool have_doc = false;
	int rc = -EINVAL;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	x.c = sw_config_default();
	if (!x.c)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		rc = -ENOMEM;
		goto out_cfg;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc)) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", x.name);
			err->line = (uint32_t)parser.problem_mark.line + 1;
			err->column = (uint32_t)parser.problem_mark.column + 1;
			snprintf(err->message, sizeof(err->message), "YAML: %s%s%s",
				 parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
		}
		rc = parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
		goto out;
	}
	have_doc = true;
	root = yaml_document_get_root_node(&doc);
	if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root))) {
		rc = walk_map(&x, root, "", top_key, NULL);
		if (!rc)
			rc = resolve_ports(&x);
		if (rc)
			goto out;
	}
	free(x.c->path);
	x.c->path = strdup(x.name);
	if (!x.c->path) {
		rc = -ENOMEM;
		goto out;
	}
	*out = x.c;
	x.c = NULL;
	rc = 0;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
out_cfg:
	sw_config_free(x.c);
	return rc;
}

int sw_config_load(const char *path, struct sw_config **out, struct sw_config_error *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	rc = sw_read_file(path, 16u << 20, &buf, &len); /* no config is this large */
	if (rc < 0) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			snprintf(err->message, sizeof(err->message), "cannot read: %s", strerror(-rc));
		}
		return rc;
	}
	if (strlen(buf) != len) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			snprintf(err->message, sizeof(err->message), "file contains a NUL byte");
		}
		free(buf);
		return -EINVAL;
	}
	rc = sw_config_load_string(buf, path, out, err);
	free(buf);
	return rc;
}
