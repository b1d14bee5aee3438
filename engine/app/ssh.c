/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSH: identification lines and the cleartext binary packets up to NEWKEYS
 * (ssh.h has the model).  As Suricata's parser (rust/src/ssh/ssh.rs,
 * parser.rs): the first line of each direction must be the banner
 * "SSH-protoversion-softwareversion[ comments]" ended by LF, CRLF or a lone
 * CR; protoversion runs to the first '-', softwareversion to the first
 * space or line end.  A line of SSH_BANNER_MAX bytes or more is a long
 * banner (counted): what fits is parsed and the rest of the line skipped.
 * Then each binary packet is read by its header (uint32 packet_length > 1,
 * padding length, message code) and skipped by length; NEWKEYS (21) ends
 * the cleartext part of that direction.  Nothing is allocated past the
 * flow state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app/ssh.h"
#include "engine/output/eve.h"

#define SSH_BANNER_MAX 256 /* Suricata's SSH_MAX_BANNER_LEN */
#define SSH_MSG_NEWKEYS 21

enum ssh_state { S_BANNER, S_WAIT_EOL, S_RECORDS, S_DONE, S_STOP };

struct ssh_side {
	uint8_t proto[SSH_BANNER_MAX], soft[SSH_BANNER_MAX];
	uint16_t proto_len, soft_len;
	bool banner;   /* the banner was parsed */
	bool newkeys;  /* NEWKEYS sent: encrypted from here on */
};

struct ssh_tx {
	struct sw_app_tx base;
	struct ssh_side side[2]; /* [0] client */
	uint8_t reported;
};

struct ssh_dir {
	enum ssh_state st;
	uint8_t line[SSH_BANNER_MAX];
	uint16_t line_len;
	bool cr;            /* the last byte was a CR: a LF right after it belongs to the same line end */
	uint8_t hdr[6];
	uint8_t hdr_have;
	uint32_t rec_left;
};

struct sw_ssh_flow {
	struct sw_ssh *s;
	struct ssh_tx tx;
	struct ssh_dir dir[2];
};

struct sw_ssh {
	struct sw_ssh_stats st;
};

struct sw_ssh *sw_ssh_new(void)
{
	return calloc(1, sizeof(struct sw_ssh));
}

void sw_ssh_free(struct sw_ssh *s)
{
	free(s);
}

const struct sw_ssh_stats *sw_ssh_stats(const struct sw_ssh *s)
{
	return &s->st;
}

struct sw_ssh_flow *sw_ssh_flow_new(struct sw_ssh *s)
{
	struct sw_ssh_flow *sf = calloc(1, sizeof(*sf));

	if (!sf)
		return NULL;
	sf->s = s;
	sf->tx.base.proto = SW_APP_SSH;
	return sf;
}

void sw_ssh_flow_free(struct sw_ssh *s, struct sw_ssh_flow *sf)
{
	(void)s;
	free(sf);
}

bool sw_ssh_encrypted(const struct sw_ssh_flow *sf)
{
	return sf && sf->tx.side[0].newkeys && sf->tx.side[1].newkeys;
}

/* "SSH-" protover '-' swver: false if @line is not a banner. */
static bool banner(struct ssh_side *sd, const uint8_t *line, uint32_t len)
{
	const uint8_t *p, *end = line + len;
	uint32_t n;

	if (len < 4 || memcmp(line, "SSH-", 4) != 0)
		return false;
	p = line + 4;
	for (n = 0; p + n < end && p[n] != '-'; n++)
		;
	if (n == 0 || p + n >= end)
		return false; /* no protoversion, or no '-' after it */
	memcpy(sd->proto, p, n);
	sd->proto_len = (uint16_t)n;
	p += n + 1;
	for (n = 0; p + n < end && p[n] != ' ' && p[n] != '\r' && p[n] != '\n'; n++)
		;
	if (n == 0)
		n = (uint32_t)(end - p); /* Suricata: is_not(" \r\n") matches nothing, rest takes the line's remainder */
	memcpy(sd->soft, p, n);
	sd->soft_len = (uint16_t)n;
	sd->banner = true;
	return true;
}

static void report(struct sw_ssh_flow *sf, enum sw_app_stage s, sw_app_emit_fn emit, void *ctx)
{
	if (s == SW_STAGE_TX_DONE && !(sf->tx.reported & (1u << s)))
		sf->s->st.tx++;
	sw_app_report(&sf->tx.reported, &sf->tx.base, s, emit, ctx);
}

static void advance(struct sw_ssh_flow *sf, sw_app_emit_fn emit, void *ctx)
{
	const struct ssh_dir *c = &sf->dir[0], *s = &sf->dir[1];

	if (sf->tx.side[0].banner || c->st == S_STOP) {
		report(sf, SW_STAGE_REQ_HEADERS, emit, ctx);
		report(sf, SW_STAGE_REQ_BODY, emit, ctx);
	}
	if (sf->tx.side[1].banner || s->st == S_STOP) {
		report(sf, SW_STAGE_RESP_HEADERS, emit, ctx);
		report(sf, SW_STAGE_RESP_BODY, emit, ctx);
	}
	if ((c->st == S_DONE || c->st == S_STOP) && (s->st == S_DONE || s->st == S_STOP))
		report(sf, SW_STAGE_TX_DONE, emit, ctx);
}

/* Binary packets: header by header, bodies skipped.  Returns bytes used, or -EPROTO. */
static int64_t records(struct sw_ssh_flow *sf, int dir, const uint8_t *d, uint32_t len)
{
	struct ssh_dir *sd = &sf->dir[dir];
	uint32_t used = 0;

	while (used < len && sd->st == S_RECORDS) {
		uint32_t n;

		if (sd->rec_left) {
			n = sd->rec_left < len - used ? sd->rec_left : len - used;
			sd->rec_left -= n;
			used += n;
			continue;
		}
		n = 6u - sd->hdr_have < len - used ? 6u - sd->hdr_have : len - used;
		memcpy(sd->hdr + sd->hdr_have, d + used, n);
		sd->hdr_have += (uint8_t)n;
		used += n;
		if (sd->hdr_have < 6)
			break;
		sd->hdr_have = 0;
		{
			uint32_t pkt_len = (uint32_t)sd->hdr[0] << 24 | (uint32_t)sd->hdr[1] << 16 |
					   (uint32_t)sd->hdr[2] << 8 | sd->hdr[3];

			if (pkt_len < 2)
				return -EPROTO; /* Suricata: verify(val > 1), an evasion otherwise */
			sd->rec_left = pkt_len - 2;
			if (sd->hdr[5] == SSH_MSG_NEWKEYS) {
				sf->tx.side[dir].newkeys = true;
				sd->st = S_DONE;
			}
		}
	}
	return used;
}

int sw_ssh_data(struct sw_ssh *s, struct sw_ssh_flow *sf, bool to_server, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx)
{
	int dir = to_server ? 0 : 1;
	struct ssh_dir *d = &sf->dir[dir];
	int rc = 0;

	while (len && (d->st == S_BANNER || d->st == S_WAIT_EOL || d->st == S_RECORDS)) {
		uint32_t i = 0;

		if (d->cr) {
			/* a line ended with CR: a LF right after it is part of the same line end */
			d->cr = false;
			if (data[0] == '\n') {
				data++;
				len--;
				continue;
			}
		}
		if (d->st == S_RECORDS) {
			int64_t used = records(sf, dir, data, len);

			if (used < 0) {
				rc = -EPROTO;
				break;
			}
			data += used;
			len -= (uint32_t)used;
			continue;
		}
		while (i < len && data[i] != '\n' && data[i] != '\r')
			i++;
		if (d->st == S_BANNER) {
			uint32_t room = SSH_BANNER_MAX - d->line_len, take = i < room ? i : room;

			memcpy(d->line + d->line_len, data, take);
			d->line_len = (uint16_t)(d->line_len + take);
		}
		if (i == len) {
			/* no line end yet: a banner that filled its buffer is parsed now, the rest of its line skipped */
			if (d->st == S_BANNER && d->line_len >= SSH_BANNER_MAX) {
				if (!banner(&sf->tx.side[dir], d->line, d->line_len)) {
					rc = -EPROTO;
					break;
				}
				s->st.long_banner++;
				d->st = S_WAIT_EOL;
			}
			len = 0;
			break;
		}
		d->cr = data[i] == '\r';
		if (d->st == S_BANNER) {
			if (!banner(&sf->tx.side[dir], d->line, d->line_len)) {
				rc = -EPROTO;
				break;
			}
			if (d->line_len >= SSH_BANNER_MAX)
				s->st.long_banner++;
		}
		d->st = S_RECORDS;
		data += i + 1;
		len -= i + 1;
	}
	if (rc < 0) {
		s->st.invalid++;
		d->st = S_STOP;
	}
	advance(sf, emit, ctx);
	return rc;
}

void sw_ssh_gap(struct sw_ssh *s, struct sw_ssh_flow *sf, bool to_server)
{
	(void)s;
	sf->dir[to_server ? 0 : 1].st = S_STOP;
}

void sw_ssh_flow_close(struct sw_ssh *s, struct sw_ssh_flow *sf, sw_app_emit_fn emit, void *ctx)
{
	(void)s;
	for (int st = 0; st < SW_STAGE_N; st++)
		report(sf, (enum sw_app_stage)st, emit, ctx);
}

bool sw_ssh_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len)
{
	const struct ssh_tx *x = (const struct ssh_tx *)tx;
	const struct ssh_side *sd = &x->side[to_server ? 0 : 1];

	if (idx != 0 || !sd->banner)
		return false;
	if (buf == SW_BUF_SSH_PROTO) {
		*p = sd->proto;
		*len = sd->proto_len;
		return true;
	}
	if (buf == SW_BUF_SSH_SOFTWARE && sd->soft_len) {
		*p = sd->soft;
		*len = sd->soft_len;
		return true;
	}
	return false;
}

/* Suricata's "ssh" object (rust/src/ssh/logger.rs); hassh is not computed (Suricata's default). */
void sw_ssh_tx_eve(const struct sw_app_tx *tx, struct sw_json *j)
{
	const struct ssh_tx *x = (const struct ssh_tx *)tx;
	static const char *const key[2] = { "client", "server" };

	sw_json_obj(j, "ssh");
	for (int i = 0; i < 2; i++) {
		const struct ssh_side *sd = &x->side[i];

		if (!sd->banner)
			continue;
		sw_json_obj(j, key[i]);
		sw_json_strn(j, "proto_version", (const char *)sd->proto, sd->proto_len);
		if (sd->soft_len)
			sw_json_strn(j, "software_version", (const char *)sd->soft, sd->soft_len);
		sw_json_close_obj(j);
	}
	sw_json_close_obj(j);
}
