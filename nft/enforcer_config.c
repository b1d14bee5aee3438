// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sidewall-enforcer YAML config.  A flat mapping of scalars plus three
 * sequences (sensors, never_block, hooks); unknown keys and wrong types are
 * errors with file:line, as the sensor's config is.
 */
#include "nft/enforcer_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "nft/nft.h"

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
}

struct parser {
	yaml_parser_t y;
	yaml_event_t ev;
	const char *file;
	char *err;
	size_t errlen;
};

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

static int next(struct parser *p)
{
	yaml_event_delete(&p->ev);
	if (!yaml_parser_parse(&p->y, &p->ev)) {
		snprintf(p->err, p->errlen, "%s:%zu: %s", p->file, p->y.problem_mark.line + 1,
			 p->y.problem ? p->y.problem : "YAML error");
		p->ev.type = YAML_NO_EVENT;
		return -EINVAL;
	}
	return 0;
}

static const char *scalar(struct parser *p)
{
	return p->ev.type == YAML_SCALAR_EVENT ? (const char *)p->ev.data.scalar.value : NULL;
}

static int get_str(struct parser *p, const char *key, char *dst, size_t len)
{
	const char *s;

	if (next(p))
		return -EINVAL;
	s = scalar(p);
	if (!s)
		return fail(p, "'%s' must be a string", key);
	if (strlen(s) >= len)
		return fail(p, "'%s' is too long", key);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int get_u32(struct parser *p, const char *key, uint32_t *v, long long lo, long long hi)
{
	const char *s;
	char *end;
	long long x;

	if (next(p))
		return -EINVAL;
	s = scalar(p);
	if (!s)
		return fail(p, "'%s' must be a number", key);
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || *end || end == s || x < lo || x > hi)
		return fail(p, "'%s': '%s' is not a number in %lld..%lld", key, s, lo, hi);
	*v = (uint32_t)x;
	return 0;
}

static int parse_sensors(struct parser *p, struct sw_enf_config *cfg)
{
	if (next(p) || p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "'sensors' must be a list");
	for (;;) {
		struct sw_enf_sensor_cfg *s;
		int have_key = 0;

		if (next(p))
			return -EINVAL;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (p->ev.type != YAML_MAPPING_START_EVENT)
			return fail(p, "each sensor is a mapping with 'name' and 'public_key'");
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
				return fail(p, "bad key in sensor");
			strcpy(key, k);
			if (get_str(p, key, val, sizeof(val)))
				return -EINVAL;
			if (!strcmp(key, "name")) {
				/* the name is a journal field: one printable word */
				if (!*val || strlen(val) >= sizeof(s->name) || strpbrk(val, " \t\r\n"))
					return fail(p, "sensor name '%s' must be one word under 64 characters", val);
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
	if (next(p) || p->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(p, "'%s' must be a list", key);
	if (!strcmp(key, "hooks"))
		cfg->hooks = 0;
	for (;;) {
		const char *s;

		if (next(p))
			return -EINVAL;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		s = scalar(p);
		if (!s)
			return fail(p, "'%s' holds strings", key);
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

int sw_enf_config_load(const char *path, struct sw_enf_config *cfg, char *err, size_t errlen)
{
	struct parser p = { .file = path, .err = err, .errlen = errlen };
	FILE *f;
	int ret = -EINVAL;
	uint32_t v;

	sw_enf_config_defaults(cfg);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	yaml_parser_initialize(&p.y);
	yaml_parser_set_input_file(&p.y, f);
	memset(&p.ev, 0, sizeof(p.ev));
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
		fail(&p, "the config is a mapping");
		goto out;
	}
	for (;;) {
		char key[64];
		const char *k;

		if (next(&p))
			goto out;
		if (p.ev.type == YAML_MAPPING_END_EVENT)
			break;
		k = scalar(&p);
		if (!k || strlen(k) >= sizeof(key)) {
			fail(&p, "expected a key");
			goto out;
		}
		strcpy(key, k);
		if (!strcmp(key, "listen"))
			ret = get_str(&p, key, cfg->listen, sizeof(cfg->listen));
		else if (!strcmp(key, "port"))
			ret = get_u32(&p, key, &v, 1, 65535), cfg->port = (uint16_t)v;
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
		else
			ret = fail(&p, "unknown key '%s'", key);
		if (ret)
			goto out;
	}
	ret = -EINVAL;
	if (!cfg->hooks) {
		fail(&p, "'hooks' is empty");
		goto out;
	}
	if (cfg->default_ttl > cfg->max_ttl)
		cfg->default_ttl = cfg->max_ttl;
	ret = 0;
out:
	yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.y);
	fclose(f);
	return ret;
}
