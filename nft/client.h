/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Enforcement client: what a sensor links to ask a sidewall-enforcer for
 * blocks.  One client talks to one enforcer over TCP, one request at a
 * time or a pipelined batch, reconnecting as needed.  Requests carry a counter that increases
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

#include "proto.h"

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

/*
 * Use @fd, a connected stream socket to an enforcer, as the connection
 * instead of connecting to the address given to sw_enf_client_new(): a
 * transport the caller set up (a socketpair to a fake enforcer in tests).
 * @fd is taken over (made non-blocking, closed by the client, which also
 * drops it when the stream is out of step); reconnects use the address.
 * Returns 0, -EBADF (@fd < 0) or -errno from fcntl() (then @fd is still
 * the caller's).
 */
int sw_enf_client_attach(struct sw_enf_client *c, int fd);

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

/*
 * The most requests one sw_enf_client_pipeline() call sends: the most the
 * enforcer decides in one round (its ROUND_MAX), so a batch this deep can
 * be one transaction.  The client's memory does not grow with it (fixed
 * send and receive buffers); the caller's @reqs array does.
 */
#define SW_ENF_PIPELINE_MAX 65536

/* Called once per answer, in request order; @resp is reused between calls. */
typedef void (*sw_enf_answer_fn)(void *arg, size_t i, const struct sw_proto_resp *resp);

/*
 * Send @reqs[0..n) (n <= SW_ENF_PIPELINE_MAX; counters and timestamps are
 * filled in here, as each is sealed) back to back without waiting for
 * answers, reading the answers while later requests are still being
 * written, and calling @fn for each, in order: answer i must carry
 * reqs[i]'s counter, or the stream is out of step (-EBADMSG).  The
 * enforcer applies requests that arrive together in one transaction and
 * one journal fsync, so this is how a backlog is delivered quickly.  One
 * deadline (the client timeout) covers the whole exchange: size batches so
 * that the enforcer decides one within it.
 *
 * Returns the number of requests answered (reqs[0..ret) are decided; when
 * ret < n, *@err (if @err is not NULL) says why: -EINVAL if reqs[ret]
 * cannot be encoded (nothing from it on was sent), otherwise the transport
 * failed and the rest may or may not have been applied: send them again),
 * or -errno if none was, as sw_enf_client_request() (-E2BIG for n too
 * large, -EINVAL if reqs[0] cannot be encoded, -ENOMEM).  A connection the
 * enforcer had closed while kept alive is retried once, on a new one with
 * new counters, if nothing was answered.
 * @resp is caller-owned scratch.
 */
int sw_enf_client_pipeline(struct sw_enf_client *c, struct sw_proto_req *reqs, size_t n,
			   struct sw_proto_resp *resp, sw_enf_answer_fn fn, void *arg, int *err);

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
