// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enforcement protocol codec: see proto.h for the format and why.
 * Every read goes through the sw_buf cursor; every write through the
 * bounded writer below.  Nothing is trusted before the tag is checked,
 * except the header fields needed to find the key.
 */
#include "proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"

#define MAGIC 0x53574531u /* 'SWE1' */
#define VERSION 1
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

_Static_assert(NONCE_LEN == 24, "header layout assumes a 24-byte nonce");
_Static_assert(SW_PROTO_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag");
_Static_assert(SW_PROTO_HDR_LEN == 4 + 4 + SW_PROTO_KEY_LEN + NONCE_LEN, "header");

struct wbuf {
	uint8_t *p;
	size_t len, off;
	bool err;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->err || w->len - w->off < n) {
		w->err = true;
		return;
	}
	memcpy(w->p + w->off, src, n);
	w->off += n;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_be16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void put_be32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

static void put_be64(struct wbuf *w, uint64_t v)
{
	put_be32(w, (uint32_t)(v >> 32));
	put_be32(w, (uint32_t)v);
}

static int get_be64(struct sw_buf *b, uint64_t *v)
{
	uint32_t hi, lo;

	if (sw_buf_left(b) < 8)
		return -EBADMSG;
	sw_buf_get_be32(b, &hi);
	sw_buf_get_be32(b, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int sw_proto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int sw_proto_genkey(uint8_t priv[SW_PROTO_KEY_LEN])
{
	randombytes_buf(priv, SW_PROTO_KEY_LEN);
	return 0;
}

int sw_proto_pubkey(const uint8_t priv[SW_PROTO_KEY_LEN], uint8_t pub[SW_PROTO_KEY_LEN])
{
	return crypto_scalarmult_base(pub, priv) ? -EINVAL : 0;
}

void sw_proto_key_to_b64(const uint8_t key[SW_PROTO_KEY_LEN], char out[SW_PROTO_KEY_B64_LEN])
{
	sodium_bin2base64(out, SW_PROTO_KEY_B64_LEN, key, SW_PROTO_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

int sw_proto_key_from_b64(const char *s, uint8_t key[SW_PROTO_KEY_LEN])
{
	size_t n = 0, len;
	const char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
		       s[len - 1] == '\t'))
		len--;
	if (len != SW_PROTO_KEY_B64_LEN - 1)
		return -EINVAL;
	if (sodium_base642bin(key, SW_PROTO_KEY_LEN, s, len, NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) || n != SW_PROTO_KEY_LEN ||
	    end != s + len)
		return -EINVAL;
	return 0;
}

int sw_proto_key_load(const char *path, uint8_t key[SW_PROTO_KEY_LEN])
{
	char line[128];
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -errno;
	ret = fgets(line, sizeof(line), f) ? sw_proto_key_from_b64(line, key) : -EINVAL;
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return ret;
}

int sw_proto_peer_init(struct sw_proto_peer *p, const uint8_t my_priv[SW_PROTO_KEY_LEN],
		       const uint8_t peer_pub[SW_PROTO_KEY_LEN])
{
	memcpy(p->pub, peer_pub, SW_PROTO_KEY_LEN);
	/* X25519 + HSalsa20: fails on low-order points (all-zero result) */
	if (crypto_box_beforenm(p->key, peer_pub, my_priv))
		return -EINVAL;
	return 0;
}

/* Header into @out; returns the nonce's position for the AEAD. */
static int seal(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		enum sw_proto_dir dir, const uint8_t *pt, size_t ptlen, uint8_t *out,
		size_t outlen)
{
	struct wbuf w = { out, outlen, 0, false };
	unsigned long long clen = 0;
	uint8_t nonce[NONCE_LEN];

	if (outlen < SW_PROTO_HDR_LEN + ptlen + SW_PROTO_TAG_LEN)
		return -ENOSPC;
	randombytes_buf(nonce, sizeof(nonce));
	put_be32(&w, MAGIC);
	put_u8(&w, VERSION);
	put_u8(&w, (uint8_t)dir);
	put_be16(&w, 0);
	put(&w, my_pub, SW_PROTO_KEY_LEN);
	put(&w, nonce, sizeof(nonce));
	if (w.err)
		return -ENOSPC;
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + SW_PROTO_HDR_LEN, &clen, pt, ptlen,
						   out, SW_PROTO_HDR_LEN, NULL, nonce, p->key);
	return (int)(SW_PROTO_HDR_LEN + clen);
}

int sw_proto_seal_raw(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		      enum sw_proto_dir dir, const uint8_t *pt, size_t ptlen, uint8_t *out,
		      size_t outlen)
{
	return seal(p, my_pub, dir, pt, ptlen, out, outlen);
}

static bool reason_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static unsigned int addr_len(const struct sw_ip *ip)
{
	return ip->family == AF_INET ? 4 : ip->family == AF_INET6 ? 16 : 0;
}

int sw_proto_seal_req(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		      const struct sw_proto_req *req, uint8_t *out, size_t outlen)
{
	uint8_t pt[SW_PROTO_MAX_REQ];
	struct wbuf w = { pt, sizeof(pt), 0, false };
	unsigned int alen = addr_len(&req->ip);
	size_t rlen;
	int ret;

	put_be64(&w, req->counter);
	put_be64(&w, req->timestamp);
	put_u8(&w, req->op);
	switch (req->op) {
	case SW_OP_BLOCK:
	case SW_OP_UNBLOCK:
	case SW_OP_QUARANTINE:
	case SW_OP_RELEASE:
		if (!alen)
			return -EINVAL;
		put_u8(&w, alen == 4 ? 4 : 6);
		if (req->op == SW_OP_BLOCK || req->op == SW_OP_UNBLOCK) {
			if (req->prefix > alen * 8)
				return -EINVAL;
			put_u8(&w, req->prefix);
		}
		put(&w, req->ip.a, alen);
		if (req->op != SW_OP_BLOCK)
			break;
		rlen = strnlen(req->reason, sizeof(req->reason));
		if (rlen > SW_PROTO_REASON_MAX || !reason_ok(req->reason, rlen))
			return -EINVAL;
		put_be32(&w, req->ttl);
		put_u8(&w, (uint8_t)rlen);
		put(&w, req->reason, rlen);
		break;
	case SW_OP_LIST:
		break;
	default:
		return -EINVAL;
	}
	if (w.err)
		return -EINVAL;
	ret = seal(p, my_pub, SW_PROTO_REQUEST, pt, w.off, out, outlen);
	sodium_memzero(pt, sizeof(pt));
	return ret;
}

int sw_proto_seal_resp(const struct sw_proto_peer *p, const uint8_t my_pub[SW_PROTO_KEY_LEN],
		       const struct sw_proto_resp *resp, uint8_t *out, size_t outlen)
{
	static uint8_t pt[SW_PROTO_MAX_RESP]; /* too big for a stack: single-threaded */
	struct wbuf w = { pt, sizeof(pt), 0, false };

	if (resp->text_len > SW_PROTO_TEXT_MAX)
		return -EINVAL;
	put_be64(&w, resp->counter);
	put_be32(&w, resp->status);
	put_be32(&w, resp->ttl);
	put_be16(&w, resp->text_len);
	put(&w, resp->text, resp->text_len);
	if (w.err)
		return -EINVAL;
	return seal(p, my_pub, SW_PROTO_RESPONSE, pt, w.off, out, outlen);
}

int sw_proto_peek(const uint8_t *frame, size_t len, size_t max, enum sw_proto_dir want,
		  uint8_t sender_pub[SW_PROTO_KEY_LEN])
{
	struct sw_buf b = sw_buf_make(frame, len);
	uint32_t magic;
	uint8_t ver, dir;
	uint16_t rsv;

	if (len > max)
		return -EMSGSIZE;
	if (len < SW_PROTO_HDR_LEN + SW_PROTO_TAG_LEN)
		return -EBADMSG;
	sw_buf_get_be32(&b, &magic);
	sw_buf_get_u8(&b, &ver);
	sw_buf_get_u8(&b, &dir);
	sw_buf_get_be16(&b, &rsv);
	if (magic != MAGIC || ver != VERSION || rsv)
		return -EPROTO;
	if (dir != want)
		return -EINVAL;
	return sw_buf_get_bytes(&b, sender_pub, SW_PROTO_KEY_LEN);
}

/* Authenticate and decrypt into @pt; returns plaintext length or -EBADMSG. */
static int open_frame(const struct sw_proto_peer *p, const uint8_t *frame, size_t len,
		      uint8_t *pt, size_t ptmax)
{
	unsigned long long plen = 0;
	size_t clen = len - SW_PROTO_HDR_LEN;

	if (clen - SW_PROTO_TAG_LEN > ptmax)
		return -EMSGSIZE;
	/* AD = the whole header: direction and sender key are authenticated */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, frame + SW_PROTO_HDR_LEN,
						       clen, frame, SW_PROTO_HDR_LEN,
						       frame + SW_PROTO_HDR_LEN - NONCE_LEN, p->key))
		return -EBADMSG;
	return (int)plen;
}

int sw_proto_open_req(const struct sw_proto_peer *p, const uint8_t *frame, size_t len,
		      struct sw_proto_req *req)
{
	uint8_t pt[SW_PROTO_MAX_REQ], pub[SW_PROTO_KEY_LEN], fam = 0, rlen;
	struct sw_buf b;
	unsigned int alen;
	int n, ret;

	ret = sw_proto_peek(frame, len, SW_PROTO_MAX_REQ, SW_PROTO_REQUEST, pub);
	if (ret)
		return ret;
	if (sodium_memcmp(pub, p->pub, SW_PROTO_KEY_LEN))
		return -ENOKEY;
	n = open_frame(p, frame, len, pt, sizeof(pt));
	if (n < 0)
		return n;
	memset(req, 0, sizeof(*req));
	b = sw_buf_make(pt, (size_t)n);
	ret = get_be64(&b, &req->counter);
	ret = ret ? ret : get_be64(&b, &req->timestamp);
	ret = ret ? ret : sw_buf_get_u8(&b, &req->op);
	if (ret)
		goto out;
	if (req->op == SW_OP_LIST)
		goto done;
	if (req->op < SW_OP_BLOCK || req->op > SW_OP_LIST) {
		ret = -EINVAL;
		goto out;
	}
	ret = sw_buf_get_u8(&b, &fam);
	if (ret)
		goto out;
	if (fam != 4 && fam != 6) {
		ret = -EINVAL;
		goto out;
	}
	req->ip.family = fam == 4 ? AF_INET : AF_INET6;
	alen = fam == 4 ? 4 : 16;
	req->prefix = (uint8_t)(alen * 8);
	if (req->op == SW_OP_BLOCK || req->op == SW_OP_UNBLOCK) {
		ret = sw_buf_get_u8(&b, &req->prefix);
		if (ret)
			goto out;
		if (req->prefix > alen * 8) {
			ret = -EINVAL;
			goto out;
		}
	}
	ret = sw_buf_get_bytes(&b, req->ip.a, alen);
	if (ret)
		goto out;
	if (req->op == SW_OP_BLOCK) {
		struct sw_buf r;

		ret = sw_buf_get_be32(&b, &req->ttl);
		ret = ret ? ret : sw_buf_get_u8(&b, &rlen);
		ret = ret ? ret : sw_buf_sub(&b, rlen, &r);
		if (ret)
			goto out;
		if (rlen > SW_PROTO_REASON_MAX || !reason_ok((const char *)r.p, rlen)) {
			ret = -EINVAL;
			goto out;
		}
		memcpy(req->reason, r.p, rlen);
		req->reason[rlen] = 0;
	}
done:
	/* trailing bytes inside an authentic frame: a peer we do not understand */
	ret = sw_buf_left(&b) ? -EBADMSG : 0;
out:
	sodium_memzero(pt, sizeof(pt));
	return ret;
}

int sw_proto_open_resp(const struct sw_proto_peer *p, const uint8_t *frame, size_t len,
		       struct sw_proto_resp *resp)
{
	static uint8_t pt[SW_PROTO_MAX_RESP];
	uint8_t pub[SW_PROTO_KEY_LEN];
	struct sw_buf b, t;
	int n, ret;

	ret = sw_proto_peek(frame, len, SW_PROTO_MAX_RESP, SW_PROTO_RESPONSE, pub);
	if (ret)
		return ret;
	if (sodium_memcmp(pub, p->pub, SW_PROTO_KEY_LEN))
		return -ENOKEY;
	n = open_frame(p, frame, len, pt, sizeof(pt));
	if (n < 0)
		return n;
	b = sw_buf_make(pt, (size_t)n);
	ret = get_be64(&b, &resp->counter);
	ret = ret ? ret : sw_buf_get_be32(&b, &resp->status);
	ret = ret ? ret : sw_buf_get_be32(&b, &resp->ttl);
	ret = ret ? ret : sw_buf_get_be16(&b, &resp->text_len);
	if (ret)
		return ret;
	if (resp->text_len > SW_PROTO_TEXT_MAX)
		return -EINVAL;
	ret = sw_buf_sub(&b, resp->text_len, &t);
	if (ret)
		return ret;
	memcpy(resp->text, t.p, resp->text_len);
	resp->text[resp->text_len] = 0;
	return sw_buf_left(&b) ? -EBADMSG : 0;
}

int sw_proto_fresh(const struct sw_proto_req *req, uint64_t last, uint64_t now, uint64_t window)
{
	if (req->counter <= last)
		return -EALREADY;
	/* written as differences so that no timestamp can overflow the check */
	if (req->timestamp < now ? now - req->timestamp > window : req->timestamp - now > window)
		return -ETIME;
	return 0;
}
