/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SSH (RFC 4253): each side's identification line ("SSH-2.0-OpenSSH_9.2p1
 * Debian-2"), then the binary packets in the clear up to NEWKEYS, after
 * which the session is encrypted.  The buffers rules inspect (ssh.proto,
 * ssh.software) and the "ssh" EVE object, as Suricata's (rust/src/ssh).
 * Internal to engine/app/: the worker reaches it through app.h.
 *
 * One transaction per flow.  Stages: SW_STAGE_REQ_HEADERS and REQ_BODY when
 * the client's banner is parsed, RESP_HEADERS and RESP_BODY when the
 * server's is (Suricata's SshStateBannerDone, where ssh.proto and
 * ssh.software are registered, both directions), SW_STAGE_TX_DONE when both
 * sides sent NEWKEYS (SshStateFinished: the "ssh" record is written) or the
 * flow ends.
 */
#ifndef SW_ENGINE_APP_SSH_H
#define SW_ENGINE_APP_SSH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/app/app.h"
#include "engine/app/http.h" /* sw_app_emit_fn */

struct sw_ssh;
struct sw_ssh_flow;

struct sw_ssh_stats {
	uint64_t tx;          /* sessions logged */
	uint64_t invalid;     /* a direction stopped: no banner, a bad packet length (Suricata's ssh events) */
	uint64_t long_banner; /* banners over 255 bytes (kept cut, Suricata's ssh.long_banner) */
};

struct sw_ssh *sw_ssh_new(void);
void sw_ssh_free(struct sw_ssh *s);
struct sw_ssh_flow *sw_ssh_flow_new(struct sw_ssh *s);
void sw_ssh_flow_free(struct sw_ssh *s, struct sw_ssh_flow *sf);

/* Next in-order bytes of direction @to_server.  Returns 0 or -EPROTO (that direction stopped, counted). */
int sw_ssh_data(struct sw_ssh *s, struct sw_ssh_flow *sf, bool to_server, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx);
void sw_ssh_gap(struct sw_ssh *s, struct sw_ssh_flow *sf, bool to_server);
void sw_ssh_flow_close(struct sw_ssh *s, struct sw_ssh_flow *sf, sw_app_emit_fn emit, void *ctx);
/* Both sides sent NEWKEYS: the rest is encrypted (payload no longer inspected). */
bool sw_ssh_encrypted(const struct sw_ssh_flow *sf);

bool sw_ssh_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len);
void sw_ssh_tx_eve(const struct sw_app_tx *tx, struct sw_json *j);

const struct sw_ssh_stats *sw_ssh_stats(const struct sw_ssh *s);

#endif
