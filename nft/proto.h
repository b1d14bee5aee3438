/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sensor <-> enforcer protocol: static X25519 key pairs (as WireGuard
 * uses them), every message sealed with XChaCha20-Poly1305 under the key
 * both ends derive from their own private key and the peer's public key
 * (crypto_box_beforenm), so a valid tag proves the sender holds one of the
 * two private keys: mutual authentication without a handshake.  The header
 * (magic, version, direction, sender public key, nonce) is authenticated as
 * associated data, so a response cannot be replayed as a request.  Replay
 * protection: a strictly increasing 64-bit counter per sensor (the enforcer
 * persists the last one it accepted) plus a timestamp window.
 *
 * On TCP every frame is preceded by its length (u32, big-endian).
 *
 * Frame (big-endian):
 *   u32 magic 'SWE1' | u8 version 1 | u8 dir (1 request, 2 response) | u16 0
 *   u8 sender_pub[32] | u8 nonce[24] | ciphertext (plaintext + 16-byte tag)
 * Request plaintext:
 *   u64 counter | u64 unix time (s) | u8 op | body
 *   BLOCK:      u8 family (4|6) | u8 prefix | addr (4|16) | u32 ttl s | u8 n | reason[n]
 *   UNBLOCK:    u8 family | u8 prefix | addr
 *   QUARANTINE, RELEASE: u8 family | addr
 *   LIST:       (empty)
 * Response plaintext:
 *   u64 counter (the request's) | u32 status (0 or errno) | u32 ttl applied |
 *   u16 n | text[n]
 */
#ifndef SW_NFT_PROTO_H
#define SW_NFT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define SW_PROTO_KEY_LEN 32
#define SW_PROTO_KEY_B64_LEN 45 /* 44 characters + NUL */
#define SW_PROTO_HDR_LEN 64
#define SW_PROTO_TAG_LEN 16
#define SW_PROTO_REASON_MAX 128
/* Largest request frame: header + longest BLOCK + tag, rounded up. */
#define SW_PROTO_MAX_REQ 512
#define SW_PROTO_TEXT_MAX 60000
#define SW_PROTO_MAX_RESP (SW_PROTO_HDR_LEN + 8 + 4 + 4 + 2 + SW_PROTO_TEXT_MAX + SW_PROTO_TAG_LEN)

enum sw_proto_dir { SW_PROTO_REQUEST = 1, SW_PROTO_RESPONSE = 2 };

enum sw_proto_op {
	SW_OP_BLOCK = 1,
	SW_OP_UNBLOCK = 2,
	SW_OP_QUARANTINE = 3,
	SW_OP_RELEASE = 4,
	SW_OP_LIST = 5,
};

struct sw_proto_req {
	uint64_t counter;
	uint64_t timestamp; /* unix seconds */
	uint8_t op;         /* enum sw_proto_op */
	uint8_t prefix;
	struct sw_ip ip;
	uint32_t ttl;       /* seconds, BLOCK only */
	char reason[SW_PROTO_REASON_MAX + 1]; /* NUL-terminated, printable ASCII */
};

struct sw_proto_resp {
	uint64_t counter;
	uint32_t status;    /* 0 or a positive errno */
	uint32_t ttl;       /* the TTL actually applied (after clamping) */
	uint16_t text_len;
	char text[SW_PROTO_TEXT_MAX + 1]; /* NUL-terminated */
};

/* A peer: its public key and the shared key derived with ours. */
struct sw_proto_peer {
	uint8_t pub[SW_PROTO_KEY_LEN];
	uint8_t key[SW_PROTO_KEY_LEN];
};

/* Returns 0 or -EIO if libsodium cannot initialise. */
int sw_proto_init(void);

/* New random private key (clamped by X25519 itself).  Returns 0. */
int sw_proto_genkey(uint8_t priv[SW_PROTO_KEY_LEN]);
/* Public key of @priv.  Returns 0 or -EINVAL. */
int sw_proto_pubkey(const uint8_t priv[SW_PROTO_KEY_LEN], uint8_t pub[SW_PROTO_KEY_LEN]);
/* Standard base64 with padding, like wg: 44 characters. */
void sw_proto_key_to_b64(const uint8_t key[SW_PROTO_KEY_LEN], char out[SW_PROTO_KEY_B64_LEN]);
/* Parse 44 base64 characters (surrounding whitespace ignored).  0 or -EINVAL. */
int sw_proto_key_from_b64(const char *s, uint8_t key[SW_PROTO_KEY_LEN]);
/* Read a base64 key from the first line of @path.  0 or -errno / -EINVAL. */
int sw_proto_key_load(const char *path, uint8_t key[SW_PROTO_KEY_LEN]);

/*
 * Derive the shared key with @peer_pub.  Returns 0, or -EINVAL if the peer
 * key is a low-order point (the X25519 result would be all zero).
 */
int sw_proto_peer_init(struct sw_proto_peer *p, const uint8_t my_priv[SW_PROTO_KEY_LEN],
		       const uint8_t peer_pub[SW_PROTO_KEY_LEN]);

/*
 * Seal @req (or @resp) into a frame in @out.  @my_pub goes into the header.
 * Returns the frame length, -EINVAL for a request that cannot be encoded
 * (bad op, family, prefix, reason), or -ENOSPC.
 */
int sw_proto_seal_req(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		      const struct sw_proto_req *req, uint8_t *out, size_t outlen);
int sw_proto_seal_resp(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		       const struct sw_proto_resp *resp, uint8_t *out, size_t outlen);

/*
 * Seal arbitrary plaintext bytes (tests and fuzzing: lets them build
 * authentic frames whose bodies are malformed).  Returns the frame length
 * or -ENOSPC.
 */
int sw_proto_seal_raw(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		      enum sw_proto_dir dir, const uint8_t *pt, size_t ptlen, uint8_t *out,
		      size_t outlen);

/*
 * Read the header of a frame: its direction and the sender's public key,
 * so the receiver can find the peer.  Nothing here is authenticated yet.
 * Returns 0, -EBADMSG (truncated), -EMSGSIZE (over @max), -EPROTO (bad
 * magic or version), -EINVAL (wrong direction).
 */
int sw_proto_peek(const uint8_t *frame, size_t len, size_t max, enum sw_proto_dir want,
		  uint8_t sender_pub[SW_PROTO_KEY_LEN]);

/*
 * Authenticate, decrypt and parse a frame from @p.  Returns 0, the
 * sw_proto_peek() errors, -EBADMSG for a forged or corrupted frame (tag
 * mismatch) or a truncated/over-long body, -EINVAL for a well-formed body
 * with bad values (unknown op, family, prefix, unprintable reason).  Replay
 * and freshness are the caller's: see sw_proto_fresh().
 */
int sw_proto_open_req(const struct sw_proto_peer *p, const uint8_t *frame, size_t len,
		      struct sw_proto_req *req);
int sw_proto_open_resp(const struct sw_proto_peer *p, const uint8_t *frame, size_t len,
		       struct sw_proto_resp *resp);

/*
 * Replay check: @req is fresh if its counter is above @last and its
 * timestamp within @window seconds of @now.  Returns 0, -EALREADY (replay)
 * or -ETIME (outside the window).
 */
int sw_proto_fresh(const struct sw_proto_req *req, uint64_t last, uint64_t now, uint64_t window);

#endif
