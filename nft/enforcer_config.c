// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sidewall-enforcer YAML config.  A flat mapping of scalars plus three
 * sequences (sensors, never_block, hooks) and one mapping (crowdsec);
 * unknown keys and wrong types are
 * errors with file:line, as the sensor's config is.
 */
#include "enforcer_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "common/file.h"
#include "common/hostport.h"
#include "nft.h"

void sw_enf_config_defaults(struct sw_enf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1");
	cfg->port = 7447;
	snprintf(cfg->private_key_file, sizeof(cfg->private_key_file),
		 "/etc/sidewall/enforcer.key");
	cfg->max_ttl = 86400;
	cfg->default_ttl = 3600;
	cfg->max_elements = 100000;
	cfg->rate = 100;
	cfg->burst = 200;
	cfg->time_window = 120;
	cfg->hooks = SW_NFT_HOOK_INPUT | SW_NFT_HOOK_FORWARD;
	cfg->priority = -10;
	snprintf(cfg->table, sizeof(cfg->table), "sidewall");
	snprintf(cfg->journal, sizeof(cfg->journal), "/var/lib/sidewall-enforcer/journal");
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "/run/sidewall-enforcer/control.sock");
	cfg->crowdsec.poll_interval = 10;
	cfg->crowdsec.timeout = 30;
	cfg->crowdsec.scopes = SW_ENF_CS_SCOPE_IP | SW_ENF_CS_SCOPE_RANGE;
}

struct parser {
	yaml_parser_t y;
	yaml_event_t ev;
	const char *file;
	const char *src; /* the whole input, to quote the text at a syntax error */
	size_t srclen;
	char *err;
	size_t errlen;
};

/* Longest piece of the input quoted back in an error message. */
#define QUOTE_MAX 40

/*
 * What the current event is, for "expected X, found Y" messages: a scalar
 * is quoted (cut at QUOTE_MAX), anything else is named.
 */
static const char *found(const struct parser *p, char *buf, size_t len)
{
	switch (p->ev.type) {
	case YAML_SCALAR_EVENT:
		snprintf(buf, len, "'%.*s'%s", QUOTE_MAX, (const char *)p->ev.data.scalar.value,
			 p->ev.data.scalar.length > QUOTE_MAX ? "..." : "");
		return buf;
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_ALIAS_EVENT:
		snprintf(buf, len, "the alias '*%.*s'", QUOTE_MAX, (const char *)p->ev.data.alias.anchor);
		return buf;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return "the end of the list or mapping";
	default:
		return "the end of the document";
	}
}

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%zu: ", p->file, p->ev.start_mark.line + 1);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * The next event.  A syntax error names the line and column, libyaml's
 * problem and context, and quotes the input from where it stopped to the
 * end of that line.  An encoding error (a control character, bad UTF-8)
 * comes from libyaml's reader, which gives a byte offset and the byte
 * instead of a mark: the line and column are counted from the offset.
 */
static int next(struct parser *p)
{
	const yaml_mark_t *m = &p->y.problem_mark;
	size_t at, n = 0, line, col, i;

	yaml_event_delete(&p->ev);
	if (yaml_parser_parse(&p->y, &p->ev))
		return 0;
	p->ev.type = YAML_NO_EVENT;
	if (p->y.error == YAML_READER_ERROR) {
		at = p->y.problem_offset < p->srclen ? p->y.problem_offset : p->srclen;
		for (i = 0, line = 1, col = 1; i < at; i++, col++)
			if (p->src[i] == '\n')
				line++, col = 0;
		snprintf(p->err, p->errlen, "%s:%zu:%zu: %s (byte 0x%02x)", p->file, line, col,
			 p->y.problem ? p->y.problem : "YAML error", (unsigned int)p->y.problem_value);
		return -EINVAL;
	}
	at = m->index < p->srclen ? m->index : p->srclen;
	while (at + n < p->srclen && n < QUOTE_MAX && p->src[at + n] != '\n' &&
	       p->src[at + n] != '\r' && p->src[at + n] != '\0')
		n++;
	snprintf(p->err, p->errlen, "%s:%zu:%zu: %s%s%s at '%.*s'", p->file, m->line + 1,
		 m->column + 1, p->y.problem ? p->y.problem : "YAML error",
		 p->y.context ? " " : "", p->y.context ? p->y.context : "", (int)n, p->src + at);
	return -EINVAL;
}

static const char *scalar(struct parser *p)
{
	return p->ev.type == YAML_SCALAR_EVENT ? (const char *)p->ev.data.scalar.value : NULL;
}

static int get_str(struct parser *p, const char *key, char *dst, size_t len)
{
	char q[QUOTE_MAX + 8];
	const char *s;

	if (next(p))
		return -EINVAL;
	s = scalar(p);
	if (!s)
		return fail(p, "'%s' must be a string, not %s", key, found(p, q, sizeof(q)));
	if (strlen(s) >= len)
		return fail(p, "'%s': %s is longer than %zu characters", key, found(p, q, sizeof(q)),
			    len - 1);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* metrics_listen: HOST:PORT or [IPV6]:PORT, checked here so -t catches a typo */
static int get_listen(struct parser *p, const char *key, char *dst, size_t len)
{
	char host[256];
	unsigned port;
	int ret = get_str(p, key, dst, len);

	if (ret)
		return ret;
	if (sw_hostport_parse(dst, host, sizeof(host), &port) < 0)
		return fail(p, "'%s': '%s' is not HOST:PORT or [IPV6]:PORT", key, dst);
	return 0;
}

static int get_u32(struct parser *p, const char *key, uint32_t *v, long long lo, long long hi)
{
	const char *s;
	char *end, q[QUOTE_MAX + 8];
	long long x;

	if (next(p))
		return -EINVAL;
	s = scalar(p);
	if (!s)
		return fail(p, "'%s' must be a number, not %s", key, found(p, q, sizeof(q)));
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end || end == s || x < lo || x > hi)
		return fail(p, "'%s': %s is not a number in %lld..%lld", key, found(p, q, sizeof(q)),
			    lo, hi);
	*v = (uint32_t)x;
	return 0;
}

/*
 * A sensor name is written into the journal as one blank-separated field:
 * no blanks and no control characters (a '\v' or '\f' would split it on
 * replay).  Bytes above 0x7f pass, so a UTF-8 name is kept.
 */
static bool word_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

static int parse_sensors(struct parser *p, struct sw_enf_config *cfg)
{
	char q[QUOTE_MAX + 8];

	if (next(p))
		return -EINVAL;
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "'sensors' must be a list, not %s", found(p, q, sizeof(q)));
	for (;;) {
		struct sw_enf_sensor_cfg *s;
		int have_key = 0;

		if (next(p))
			return -EINVAL;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (p->ev.type != YAML_MAPPING_START_EVENT)
			return fail(p, "each sensor is a mapping with 'name' and 'public_key', not %s",
				    found(p, q, sizeof(q)));
		if (cfg->nsensors == SW_ENF_MAX_SENSORS)
			return fail(p, "more than %d sensors", SW_ENF_MAX_SENSORS);
		s = &cfg->sensors[cfg->nsensors];
		snprintf(s->name, sizeof(s->name), "sensor%zu", cfg->nsensors + 1);
		for (;;) {
			char key[32], val[128];
			const char *k;

			if (next(p))
				return -EINVAL;
			if (p->ev.type == YAML_MAPPING_END_EVENT)
				break;
			k = scalar(p);
			if (!k || strlen(k) >= sizeof(key))
				return fail(p, "sensor: expected 'name' or 'public_key', found %s",
					    found(p, q, sizeof(q)));
			strcpy(key, k);
			if (get_str(p, key, val, sizeof(val)))
				return -EINVAL;
			if (!strcmp(key, "name")) {
				/* the name is a journal field: one printable word */
				if (!word_ok(val) || strlen(val) >= sizeof(s->name))
					return fail(p, "sensor name '%s' must be one word under 64 characters", val);
				/* the journal and /metrics name these requesters so */
				if (!strcmp(val, "operator") || !strcmp(val, "crowdsec"))
					return fail(p, "sensor name '%s' is reserved (the control socket's and "
						       "CrowdSec's requests go by it)", val);
				memcpy(s->name, val, strlen(val) + 1);
			} else if (!strcmp(key, "public_key")) {
				if (sw_proto_key_from_b64(val, s->pub))
					return fail(p, "public_key '%s' is not a base64 key", val);
				have_key = 1;
			} else {
				return fail(p, "unknown sensor key '%s'", key);
			}
		}
		if (!have_key)
			return fail(p, "sensor '%s' has no public_key", s->name);
		cfg->nsensors++;
	}
}

static int parse_seq(struct parser *p, const char *key, struct sw_enf_config *cfg)
{
	char q[QUOTE_MAX + 8];

	if (next(p))
		return -EINVAL;
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "'%s' must be a list, not %s", key, found(p, q, sizeof(q)));
	if (!strcmp(key, "hooks"))
		cfg->hooks = 0;
	for (;;) {
		const char *s;

		if (next(p))
			return -EINVAL;
		/* said here, not after the whole file, so that the line is the list's */
		if (p->ev.type == YAML_SEQUENCE_END_EVENT && !strcmp(key, "hooks") && !cfg->hooks)
			return fail(p, "'hooks' is empty");
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		s = scalar(p);
		if (!s)
			return fail(p, "'%s' holds strings, not %s", key, found(p, q, sizeof(q)));
		if (!strcmp(key, "hooks")) {
			if (!strcmp(s, "input"))
				cfg->hooks |= SW_NFT_HOOK_INPUT;
			else if (!strcmp(s, "forward"))
				cfg->hooks |= SW_NFT_HOOK_FORWARD;
			else if (!strcmp(s, "output"))
				cfg->hooks |= SW_NFT_HOOK_OUTPUT;
			else
				return fail(p, "unknown hook '%s' (input, forward, output)", s);
		} else {
			struct sw_enf_cidr *c;

			if (cfg->nnever == SW_ENF_MAX_NEVER)
				return fail(p, "more than %d never_block entries", SW_ENF_MAX_NEVER);
			c = &cfg->never[cfg->nnever];
			if (sw_cidr_parse(s, &c->ip, &c->prefix))
				return fail(p, "never_block: '%s' is not a CIDR", s);
			cfg->nnever++;
		}
	}
}

/* A list of strings under a crowdsec key: scopes or origins. */
static int parse_cs_list(struct parser *p, const char *key, struct sw_enf_crowdsec_cfg *cs)
{
	char q[QUOTE_MAX + 8];
	bool scopes = !strcmp(key, "scopes");

	if (next(p))
		return -EINVAL;
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "crowdsec: '%s' must be a list, not %s", key, found(p, q, sizeof(q)));
	if (scopes)
		cs->scopes = 0;
	else
		cs->norigins = 0;
	for (;;) {
		const char *s;

		if (next(p))
			return -EINVAL;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT) {
			if (scopes && !cs->scopes)
				return fail(p, "crowdsec: 'scopes' is empty (ip, range)");
			return 0;
		}
		s = scalar(p);
		if (!s)
			return fail(p, "crowdsec: '%s' holds strings, not %s", key, found(p, q, sizeof(q)));
		if (scopes) {
			/* CrowdSec writes "Ip" and "Range"; the LAPI's filter ignores case */
			if (!strcasecmp(s, "ip"))
				cs->scopes |= SW_ENF_CS_SCOPE_IP;
			else if (!strcasecmp(s, "range"))
				cs->scopes |= SW_ENF_CS_SCOPE_RANGE;
			else
				return fail(p, "crowdsec: unknown scope '%s' (ip, range: the scopes an "
					       "nftables set can hold)", s);
		} else {
			size_t n = strlen(s);

			if (cs->norigins == SW_ENF_CS_MAX_ORIGINS)
				return fail(p, "crowdsec: more than %d origins", SW_ENF_CS_MAX_ORIGINS);
			/* goes into the query string: a word of letters, digits, '-', '_', '.', ':' */
			if (!n || n >= sizeof(cs->origins[0]) || strspn(s, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") != n)
				return fail(p, "crowdsec: origin '%.*s' must be one word under 32 "
					       "characters (crowdsec, cscli, CAPI, lists, ...)", QUOTE_MAX, s);
			memcpy(cs->origins[cs->norigins++], s, n + 1);
		}
	}
}

/* crowdsec: { url, api_key_file, ca_file, poll_interval, timeout, scopes, origins } */
static int parse_crowdsec(struct parser *p, struct sw_enf_crowdsec_cfg *cs)
{
	char q[QUOTE_MAX + 8];
	size_t n;

	if (next(p))
		return -EINVAL;
	if (p->ev.type != YAML_MAPPING_START_EVENT)
		return fail(p, "'crowdsec' must be a mapping (url, api_key_file, poll_interval, "
			       "scopes, origins), not %s", found(p, q, sizeof(q)));
	for (;;) {
		char key[32];
		const char *k;
		int ret;

		if (next(p))
			return -EINVAL;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		k = scalar(p);
		if (!k || strlen(k) >= sizeof(key))
			return fail(p, "crowdsec: expected a key, found %s", found(p, q, sizeof(q)));
		strcpy(key, k);
		if (!strcmp(key, "url"))
			ret = get_str(p, key, cs->url, sizeof(cs->url) - 1); /* room for the '/' */
		else if (!strcmp(key, "api_key_file"))
			ret = get_str(p, key, cs->api_key_file, sizeof(cs->api_key_file));
		else if (!strcmp(key, "ca_file"))
			ret = get_str(p, key, cs->ca_file, sizeof(cs->ca_file));
		else if (!strcmp(key, "poll_interval"))
			ret = get_u32(p, key, &cs->poll_interval, 1, 3600);
		else if (!strcmp(key, "timeout"))
			ret = get_u32(p, key, &cs->timeout, 1, 600);
		else if (!strcmp(key, "scopes") || !strcmp(key, "origins"))
			ret = parse_cs_list(p, key, cs);
		else
			ret = fail(p, "crowdsec: unknown key '%s' (url, api_key_file, ca_file, "
				      "poll_interval, timeout, scopes, origins)", key);
		if (ret)
			return ret;
	}
	/* checked here so that -t names the section's line */
	if (!cs->url[0])
		return fail(p, "crowdsec: 'url' is missing (the Local API, e.g. http://127.0.0.1:8080/)");
	if (strncmp(cs->url, "http://", 7) && strncmp(cs->url, "https://", 8))
		return fail(p, "crowdsec: url '%s' must start with http:// or https://", cs->url);
	if (strpbrk(cs->url, " \t\r\n?#"))
		return fail(p, "crowdsec: url '%s' must be the API's base, without blanks, '?' or '#'",
			    cs->url);
	if (!cs->api_key_file[0])
		return fail(p, "crowdsec: 'api_key_file' is missing (the key of `cscli bouncers add`)");
	n = strlen(cs->url);
	if (cs->url[n - 1] != '/')
		cs->url[n] = '/', cs->url[n + 1] = 0;
	return 0;
}

int sw_enf_config_load_string(const char *text, size_t len, const char *name,
			      struct sw_enf_config *cfg, char *err, size_t errlen)
{
	struct parser p = { .file = name, .src = text, .srclen = len, .err = err, .errlen = errlen };
	char q[QUOTE_MAX + 8];
	int ret = -EINVAL;
	uint32_t v = 0;

	sw_enf_config_defaults(cfg);
	memset(&p.ev, 0, sizeof(p.ev));
	if (!yaml_parser_initialize(&p.y)) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p.y, (const unsigned char *)text, len);
	/* stream start, document start, mapping start */
	if (next(&p) || next(&p))
		goto out;
	if (p.ev.type == YAML_STREAM_END_EVENT) {
		ret = 0; /* empty file: defaults */
		goto out;
	}
	if (next(&p))
		goto out;
	if (p.ev.type != YAML_MAPPING_START_EVENT) {
		ret = fail(&p, "the config is a mapping, not %s", found(&p, q, sizeof(q)));
		goto out;
	}
	for (;;) {
		char key[64];
		const char *k;

		/* ret is 0 after the previous key: a syntax error must not keep it */
		ret = next(&p);
		if (ret)
			goto out;
		if (p.ev.type == YAML_MAPPING_END_EVENT)
			break;
		k = scalar(&p);
		if (!k || strlen(k) >= sizeof(key)) {
			ret = fail(&p, "expected a key, found %s", found(&p, q, sizeof(q)));
			goto out;
		}
		strcpy(key, k);
		if (!strcmp(key, "listen"))
			ret = get_str(&p, key, cfg->listen, sizeof(cfg->listen));
		else if (!strcmp(key, "port"))
			ret = get_u32(&p, key, &v, 1, 65535), cfg->port = (uint16_t)v;
		else if (!strcmp(key, "metrics_listen"))
			ret = get_listen(&p, key, cfg->metrics_listen, sizeof(cfg->metrics_listen));
		else if (!strcmp(key, "private_key_file"))
			ret = get_str(&p, key, cfg->private_key_file, sizeof(cfg->private_key_file));
		else if (!strcmp(key, "sensors"))
			ret = parse_sensors(&p, cfg);
		else if (!strcmp(key, "never_block") || !strcmp(key, "hooks"))
			ret = parse_seq(&p, key, cfg);
		else if (!strcmp(key, "max_ttl"))
			ret = get_u32(&p, key, &cfg->max_ttl, 1, 365LL * 86400);
		else if (!strcmp(key, "default_ttl"))
			ret = get_u32(&p, key, &cfg->default_ttl, 1, 365LL * 86400);
		else if (!strcmp(key, "max_elements"))
			ret = get_u32(&p, key, &cfg->max_elements, 1, 10000000);
		else if (!strcmp(key, "rate_limit"))
			ret = get_u32(&p, key, &cfg->rate, 1, 1000000);
		else if (!strcmp(key, "rate_burst"))
			ret = get_u32(&p, key, &cfg->burst, 1, 10000000);
		else if (!strcmp(key, "time_window"))
			ret = get_u32(&p, key, &cfg->time_window, 1, 86400);
		else if (!strcmp(key, "priority"))
			ret = get_u32(&p, key, &v, -1000, 1000), cfg->priority = (int)(int32_t)v;
		else if (!strcmp(key, "table"))
			ret = get_str(&p, key, cfg->table, sizeof(cfg->table));
		else if (!strcmp(key, "journal"))
			ret = get_str(&p, key, cfg->journal, sizeof(cfg->journal));
		else if (!strcmp(key, "control_socket"))
			ret = get_str(&p, key, cfg->control_socket, sizeof(cfg->control_socket));
		else if (!strcmp(key, "crowdsec"))
			ret = parse_crowdsec(&p, &cfg->crowdsec);
		else
			ret = fail(&p, "unknown key '%s'", key);
		if (ret)
			goto out;
	}
	if (cfg->default_ttl > cfg->max_ttl)
		cfg->default_ttl = cfg->max_ttl;
	ret = 0;
out:
	yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.y);
	return ret;
}

/* Far larger than any real config (64 sensors, 256 never_block entries). */
#define CONFIG_MAX (1024 * 1024)

int sw_enf_config_load(const char *path, struct sw_enf_config *cfg, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = sw_read_file(path, CONFIG_MAX, &text, &len);
	if (ret) {
		sw_enf_config_defaults(cfg);
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = sw_enf_config_load_string(text, len, path, cfg, err, errlen);
	free(text);
	return ret;
}
