// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the enforcement protocol decoder.  Two inputs per run: the raw bytes
 * as a frame (exercises the unauthenticated header path), and the same
 * bytes sealed as an authentic plaintext (exercises the body parser, which
 * a random frame would never reach past the tag).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nft/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static uint8_t spriv[32], spub[32], epriv[32], epub[32];
	static struct sw_proto_peer s2e, e2s;
	static uint8_t frame[SW_PROTO_MAX_RESP];
	static struct sw_proto_resp resp;
	struct sw_proto_req req;
	uint8_t pub[32];
	int n;

	if (!ready) {
		if (sw_proto_init())
			return 0;
		memset(spriv, 0x11, 32);
		memset(epriv, 0x22, 32);
		sw_proto_pubkey(spriv, spub);
		sw_proto_pubkey(epriv, epub);
		sw_proto_peer_init(&s2e, spriv, epub);
		sw_proto_peer_init(&e2s, epriv, spub);
		ready = 1;
	}
	(void)sw_proto_peek(data, size, SW_PROTO_MAX_REQ, SW_PROTO_REQUEST, pub);
	(void)sw_proto_open_req(&e2s, data, size, &req);
	(void)sw_proto_open_resp(&s2e, data, size, &resp);

	n = sw_proto_seal_raw(&s2e, spub, SW_PROTO_REQUEST, data, size, frame, sizeof(frame));
	if (n > 0 && sw_proto_open_req(&e2s, frame, (size_t)n, &req) == 0) {
		/* whatever decodes must re-encode to the same request */
		struct sw_proto_req again;
		uint8_t f2[SW_PROTO_MAX_REQ];
		int m = sw_proto_seal_req(&s2e, spub, &req, f2, sizeof(f2));

		if (m < 0 || sw_proto_open_req(&e2s, f2, (size_t)m, &again) ||
		    memcmp(&again, &req, sizeof(req)))
			__builtin_trap();
	}
	n = sw_proto_seal_raw(&e2s, epub, SW_PROTO_RESPONSE, data, size, frame, sizeof(frame));
	if (n > 0)
		(void)sw_proto_open_resp(&s2e, frame, (size_t)n, &resp);
	return 0;
}
