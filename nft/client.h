/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Enforcement client: what a sensor links to ask a sidewall-enforcer for
 * blocks.  One client talks to one enforcer over TCP, one request at a
 * time, reconnecting as needed.  Requests carry a counter that increases
 * across sensor restarts without any state on disk (microseconds of the
 * real-time clock, or last + 1 if the clock has not moved on).
 *
 * Spooling requests while the enforcer is down is the caller's job: a
 * request that returned -ECONNREFUSED / -ETIMEDOUT / -ECONNRESET /
 * -EHOSTUNREACH was not applied (or its answer was lost) and may be sent
 * again; re-sending is safe because every request is idempotent (a second
 * block refreshes the timeout, a second unblock is a no-op).
 */
#ifndef SW_NFT_CLIENT_H
#define SW_NFT_CLIENT_H

#include <stdint.h>

#include "nft/proto.h"

struct sw_enf_client;

/*
 * @host: numeric IPv4/IPv6 address; @my_priv: the sensor's private key;
 * @enforcer_pub: the enforcer's public key.  Keys are copied.  Does not
 * connect yet.  Returns NULL with errno EINVAL (bad address or key) or ENOMEM.
 */
struct sw_enf_client *sw_enf_client_new(const char *host, uint16_t port,
					const uint8_t my_priv[SW_PROTO_KEY_LEN],
					const uint8_t enforcer_pub[SW_PROTO_KEY_LEN]);
void sw_enf_client_free(struct sw_enf_client *c);

/* Per-request timeout (connect + send + answer), default 3000 ms. */
void sw_enf_client_set_timeout(struct sw_enf_client *c, int timeout_ms);

/*
 * Send @req (its counter and timestamp are filled in here) and wait for
 * the answer in @resp (caller-owned; large: keep it off small stacks).
 * Returns 0 when the enforcer answered (then resp->status is 0 or the
 * positive errno of a refusal, e.g. EPERM for a never-block address), or
 * -errno for transport failures (see above) and -EBADMSG/-ENOKEY for an
 * answer that does not authenticate.
 */
int sw_enf_client_request(struct sw_enf_client *c, struct sw_proto_req *req,
			  struct sw_proto_resp *resp);

/* Convenience wrappers: parse @cidr/@addr, then sw_enf_client_request(). */
int sw_enf_block(struct sw_enf_client *c, const char *cidr, uint32_t ttl_s,
		 const char *reason, struct sw_proto_resp *resp);
int sw_enf_unblock(struct sw_enf_client *c, const char *cidr, struct sw_proto_resp *resp);
int sw_enf_quarantine(struct sw_enf_client *c, const char *addr, struct sw_proto_resp *resp);
int sw_enf_release(struct sw_enf_client *c, const char *addr, struct sw_proto_resp *resp);
int sw_enf_list(struct sw_enf_client *c, struct sw_proto_resp *resp);

/*
 * Send raw bytes as one length-prefixed frame and read one answer frame
 * (for tests that forge, truncate or replay).  @frame is borrowed.
 * Returns the answer's length in @ans (0 if the peer closed), or -errno.
 */
int sw_enf_client_raw(struct sw_enf_client *c, const uint8_t *frame, uint32_t len,
		      uint8_t *ans, size_t anslen);

#endif
