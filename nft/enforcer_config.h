/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sidewall-enforcer configuration (YAML, libyaml). */
#ifndef SW_NFT_ENFORCER_CONFIG_H
#define SW_NFT_ENFORCER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "proto.h"

#define SW_ENF_MAX_SENSORS 64
#define SW_ENF_MAX_NEVER 256

struct sw_enf_sensor_cfg {
	char name[64];
	uint8_t pub[SW_PROTO_KEY_LEN];
};

struct sw_enf_cidr {
	struct sw_ip ip;
	uint8_t prefix;
};

/* CrowdSec scopes and origins taken (docs: nft/README.md "CrowdSec"). */
#define SW_ENF_CS_SCOPE_IP 1u
#define SW_ENF_CS_SCOPE_RANGE 2u
#define SW_ENF_CS_MAX_ORIGINS 8

/* The CrowdSec Local API whose ban decisions this enforcer applies; url "" = off. */
struct sw_enf_crowdsec_cfg {
	char url[256];             /* LAPI base, http:// or https://, ends in '/' after loading */
	char api_key_file[256];    /* the bouncer key (`cscli bouncers add NAME`) */
	char ca_file[256];         /* CA bundle for an https LAPI; "" = the system's */
	uint32_t poll_interval;    /* seconds between stream pulls */
	uint32_t timeout;          /* seconds one pull may take */
	unsigned int scopes;       /* SW_ENF_CS_SCOPE_* */
	char origins[SW_ENF_CS_MAX_ORIGINS][32]; /* "" = every origin */
	size_t norigins;
};

struct sw_enf_config {
	char listen[64];
	uint16_t port;
	char metrics_listen[128]; /* Prometheus endpoint HOST:PORT; "" = off (docs/metrics.md) */
	char private_key_file[256];
	struct sw_enf_sensor_cfg sensors[SW_ENF_MAX_SENSORS];
	size_t nsensors;
	struct sw_enf_cidr never[SW_ENF_MAX_NEVER];
	size_t nnever;
	uint32_t max_ttl, default_ttl;
	uint32_t max_elements;
	uint32_t rate, burst;    /* per sensor: requests/s and bucket size */
	uint32_t time_window;    /* seconds a request's timestamp may be off */
	unsigned int hooks;      /* SW_NFT_HOOK_* */
	int priority;
	char table[32];
	char journal[256];
	char control_socket[108];
	struct sw_enf_crowdsec_cfg crowdsec;
};

/*
 * Defaults, then @path (read whole, at most 1 MiB).  Returns 0, -EINVAL for
 * a bad config, or the -errno of reading the file (-EFBIG if too large).
 * On error writes "file:line: message" into @err (at most @errlen bytes,
 * NUL-terminated); the message quotes the offending key, value or token
 * ("file:line:column: ..." for a YAML syntax error).  @cfg holds the
 * defaults plus whatever was read before the error.
 */
int sw_enf_config_load(const char *path, struct sw_enf_config *cfg, char *err, size_t errlen);

/*
 * As sw_enf_config_load(), from the @len bytes at @text (need not be
 * NUL-terminated; borrowed until return); @name stands for the file name
 * in messages.  Returns 0, -EINVAL, or -ENOMEM if libyaml cannot start.
 */
int sw_enf_config_load_string(const char *text, size_t len, const char *name,
			      struct sw_enf_config *cfg, char *err, size_t errlen);

/* Fill @cfg with the built-in defaults. */
void sw_enf_config_defaults(struct sw_enf_config *cfg);

#endif
