// SPDX-License-Identifier: GPL-2.0-or-later
/* Enforcement client over TCP: see client.h. */
#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"

struct sw_enf_client {
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	int timeout_ms;
	uint64_t counter;
	uint8_t pub[SW_PROTO_KEY_LEN];
	struct sw_proto_peer peer;
	uint8_t frame[4 + SW_PROTO_MAX_RESP];
	uint8_t *tx;     /* PIPE_TX: sealed requests on their way to the socket */
	uint8_t *rx;     /* PIPE_RX: answers read, not yet taken */
};

struct sw_enf_client *sw_enf_client_new(const char *host, uint16_t port,
					const uint8_t my_priv[SW_PROTO_KEY_LEN],
					const uint8_t enforcer_pub[SW_PROTO_KEY_LEN])
{
	struct sw_enf_client *c;
	struct sockaddr_in *s4;
	struct sockaddr_in6 *s6;

	if (sw_proto_init()) {
		errno = EIO;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = -1;
	c->timeout_ms = 3000;
	s4 = (struct sockaddr_in *)&c->sa;
	s6 = (struct sockaddr_in6 *)&c->sa;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		c->salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		c->salen = sizeof(*s6);
	} else {
		goto inval;
	}
	if (sw_proto_pubkey(my_priv, c->pub) || sw_proto_peer_init(&c->peer, my_priv, enforcer_pub))
		goto inval;
	return c;
inval:
	free(c);
	errno = EINVAL;
	return NULL;
}

void sw_enf_client_free(struct sw_enf_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	sodium_memzero(&c->peer, sizeof(c->peer));
	free(c->tx);
	free(c->rx);
	free(c);
}

void sw_enf_client_set_timeout(struct sw_enf_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
}

int sw_enf_client_attach(struct sw_enf_client *c, int fd)
{
	int fl;

	if (fd < 0)
		return -EBADF;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = fd;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { fd, ev, 0 };
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int connect_to(struct sw_enf_client *c, int64_t deadline)
{
	int fd, err = 0, one = 1;
	socklen_t el = sizeof(err);

	fd = socket(c->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&c->sa, c->salen) < 0) {
		if (errno != EINPROGRESS) {
			err = -errno;
			goto fail;
		}
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			err = err ? -err : -errno;
			goto fail;
		}
	}
	c->fd = fd;
	return 0;
fail:
	close(fd);
	return err;
}

static int io_all(int fd, uint8_t *p, size_t n, bool wr, int64_t deadline)
{
	while (n) {
		ssize_t r = wr ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_fd(fd, wr ? POLLOUT : POLLIN, deadline);
		if (r)
			return (int)r;
	}
	return 0;
}

/* Read one length-prefixed frame into @ans.  Returns its length or -errno. */
static int read_frame(struct sw_enf_client *c, uint8_t *ans, size_t anslen, int64_t deadline)
{
	uint8_t hdr[4];
	uint32_t alen;
	int ret;

	ret = io_all(c->fd, hdr, 4, false, deadline);
	if (ret)
		return ret;
	alen = sw_load_be32(hdr);
	if (alen > anslen)
		return -EMSGSIZE;
	ret = io_all(c->fd, ans, alen, false, deadline);
	return ret ? ret : (int)alen;
}

/* One exchange: frame out, frame back.  Returns the answer length or -errno. */
static int exchange(struct sw_enf_client *c, const uint8_t *frame, uint32_t len, uint8_t *ans,
		    size_t anslen, int64_t deadline)
{
	uint8_t hdr[4];
	int ret;

	if (c->fd < 0) {
		ret = connect_to(c, deadline);
		if (ret)
			return ret;
	}
	sw_store_be32(hdr, len);
	ret = io_all(c->fd, hdr, 4, true, deadline);
	ret = ret ? ret : io_all(c->fd, (uint8_t *)(uintptr_t)frame, len, true, deadline);
	ret = ret ? ret : read_frame(c, ans, anslen, deadline);
	if (ret >= 0)
		return ret;
	/* the stream is out of step: start over on the next request */
	close(c->fd);
	c->fd = -1;
	return ret;
}

int sw_enf_client_raw(struct sw_enf_client *c, const uint8_t *frame, uint32_t len, uint8_t *ans,
		      size_t anslen)
{
	int ret = exchange(c, frame, len, ans, anslen, now_ms() + c->timeout_ms);

	return ret == -ECONNRESET ? 0 : ret;
}

/* A fresh counter (strictly above every one sent before) and timestamp. */
static void stamp(struct sw_enf_client *c, struct sw_proto_req *req)
{
	struct timespec ts;
	uint64_t us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	c->counter = us > c->counter ? us : c->counter + 1;
	req->counter = c->counter;
	req->timestamp = (uint64_t)ts.tv_sec;
}

int sw_enf_client_request(struct sw_enf_client *c, struct sw_proto_req *req,
			  struct sw_proto_resp *resp)
{
	uint8_t out[SW_PROTO_MAX_REQ];
	int64_t deadline = now_ms() + c->timeout_ms;
	int n, tries, ret = -EIO;

	stamp(c, req);
	n = sw_proto_seal_req(&c->peer, c->pub, req, out, sizeof(out));
	if (n < 0)
		return n;
	/* a kept-alive connection the enforcer closed: one reconnect */
	for (tries = 0; tries < 2; tries++) {
		bool fresh = c->fd < 0;

		ret = exchange(c, out, (uint32_t)n, c->frame, sizeof(c->frame), deadline);
		if (ret >= 0 || fresh || ret == -ETIMEDOUT)
			break;
	}
	if (ret < 0)
		return ret;
	ret = sw_proto_open_resp(&c->peer, c->frame, (size_t)ret, resp);
	if (ret)
		return ret;
	if (resp->counter != req->counter)
		return -EBADMSG; /* an answer to some other request */
	return 0;
}

/*
 * The pipeline's buffers are fixed, whatever the depth: requests are sealed
 * into @tx just ahead of the socket, and answers are taken from @rx as they
 * arrive.  PIPE_RX holds the largest answer frame (a LIST) whole.
 */
#define PIPE_TX (256 * 1024)
#define PIPE_RX (128 * 1024)
_Static_assert(PIPE_RX >= 4 + SW_PROTO_MAX_RESP, "rx must hold a whole answer frame");
_Static_assert(PIPE_TX >= 4 * (4 + SW_PROTO_MAX_REQ), "tx must hold a few request frames");

/* One pipelined attempt in progress. */
struct pipe {
	struct sw_proto_req *reqs;
	size_t n;        /* requests to send: cut before one that cannot be encoded */
	size_t sealed;   /* reqs[0..sealed) are stamped and in tx (or sent) */
	size_t answered; /* reqs[0..answered) have their answer */
	size_t tx_off, tx_len, rx_len;
	int bad;         /* the encoding error of reqs[n] when it was cut, or 0 */
};

/*
 * Stamp and seal the next requests into the free end of tx, while a
 * largest frame fits.  A request that cannot be encoded ends the batch
 * there (the ones before it are still sent).
 */
static void seal_more(struct sw_enf_client *c, struct pipe *p)
{
	if (p->tx_off == p->tx_len) {
		p->tx_off = p->tx_len = 0;
	} else if (p->tx_off >= PIPE_TX / 2) {
		memmove(c->tx, c->tx + p->tx_off, p->tx_len - p->tx_off);
		p->tx_len -= p->tx_off;
		p->tx_off = 0;
	}
	while (p->sealed < p->n && PIPE_TX - p->tx_len >= 4 + SW_PROTO_MAX_REQ) {
		struct sw_proto_req *req = &p->reqs[p->sealed];
		int m;

		stamp(c, req);
		m = sw_proto_seal_req(&c->peer, c->pub, req, c->tx + p->tx_len + 4, SW_PROTO_MAX_REQ);
		if (m < 0) {
			p->bad = m;
			p->n = p->sealed;
			break;
		}
		sw_store_be32(c->tx + p->tx_len, (uint32_t)m);
		p->tx_len += 4 + (size_t)m;
		p->sealed++;
	}
}

/* Write what the socket takes now, sealing more as tx drains.  Returns 0 or -errno. */
static int pipe_send(struct sw_enf_client *c, struct pipe *p)
{
	for (;;) {
		ssize_t r;

		if (p->tx_len - p->tx_off < 4 + SW_PROTO_MAX_REQ)
			seal_more(c, p);
		if (p->tx_off == p->tx_len)
			return 0;
		r = send(c->fd, c->tx + p->tx_off, p->tx_len - p->tx_off, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		p->tx_off += (size_t)r;
	}
}

/*
 * Take the whole answer frames in rx, in request order: answer i must carry
 * reqs[i]'s counter, or the stream is out of step (-EBADMSG).  Returns 0 or
 * -errno.
 */
static int take_answers(struct sw_enf_client *c, struct pipe *p, struct sw_proto_resp *resp,
			sw_enf_answer_fn fn, void *arg)
{
	size_t off = 0;
	int ret = 0;

	while (p->answered < p->n && p->rx_len - off >= 4) {
		uint32_t alen = sw_load_be32(c->rx + off);

		if (alen > SW_PROTO_MAX_RESP) {
			ret = -EMSGSIZE;
			break;
		}
		if (p->rx_len - off - 4 < alen)
			break;
		if (p->answered >= p->sealed) {
			ret = -EBADMSG; /* an answer to a request not sent yet */
			break;
		}
		ret = sw_proto_open_resp(&c->peer, c->rx + off + 4, alen, resp);
		if (!ret && resp->counter != p->reqs[p->answered].counter)
			ret = -EBADMSG; /* an answer to some other request */
		if (ret)
			break;
		off += 4 + alen;
		fn(arg, p->answered++, resp);
	}
	memmove(c->rx, c->rx + off, p->rx_len - off);
	p->rx_len -= off;
	return ret;
}

/* Read what has arrived and take its answers.  Returns 0 or -errno. */
static int pipe_recv(struct sw_enf_client *c, struct pipe *p, struct sw_proto_resp *resp,
		     sw_enf_answer_fn fn, void *arg)
{
	while (p->answered < p->n) {
		ssize_t r = recv(c->fd, c->rx + p->rx_len, PIPE_RX - p->rx_len, 0);
		int ret;

		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		p->rx_len += (size_t)r;
		ret = take_answers(c, p, resp, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * One pipelined attempt; returns answers read, or -errno if none.
 * Writing and reading interleave (poll for both, non-blocking), so any
 * number of requests can be in flight without either side blocking on a
 * full socket buffer: the enforcer answers a round while later requests
 * are still arriving.
 */
static int pipeline_once(struct sw_enf_client *c, struct sw_proto_req *reqs, size_t n,
			 struct sw_proto_resp *resp, sw_enf_answer_fn fn, void *arg, int *err,
			 int64_t deadline)
{
	struct pipe p = { .reqs = reqs, .n = n };
	int ret;

	/* seal before connecting: a first request that cannot be encoded sends nothing */
	seal_more(c, &p);
	if (!p.n) {
		if (err)
			*err = p.bad;
		return p.bad;
	}
	if (c->fd < 0) {
		ret = connect_to(c, deadline);
		if (ret)
			return ret;
	}
	for (;;) {
		int sent = pipe_send(c, &p);

		/*
		 * Take the answers that arrived even when the send failed: an
		 * enforcer that hangs up (EPIPE here) answered what came
		 * before, and those are decided.
		 */
		ret = pipe_recv(c, &p, resp, fn, arg);
		ret = ret ? ret : sent;
		if (ret || p.answered == p.n)
			break;
		/* answers are always awaited; the socket's room only while requests wait for it */
		ret = wait_fd(c->fd, p.tx_off < p.tx_len ? POLLIN | POLLOUT : POLLIN, deadline);
		if (ret)
			break;
	}
	if (ret || p.rx_len) {
		/*
		 * The stream is out of step (or bytes follow the last answer):
		 * start over on the next call.
		 */
		close(c->fd);
		c->fd = -1;
	}
	if (err)
		*err = ret ? ret : p.bad;
	return p.answered ? (int)p.answered : ret ? ret : p.bad;
}

int sw_enf_client_pipeline(struct sw_enf_client *c, struct sw_proto_req *reqs, size_t n,
			   struct sw_proto_resp *resp, sw_enf_answer_fn fn, void *arg, int *err)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	bool fresh;
	int ret;

	if (err)
		*err = 0;
	if (n > SW_ENF_PIPELINE_MAX)
		return -E2BIG;
	if (!n)
		return 0;
	if (!c->tx)
		c->tx = malloc(PIPE_TX);
	if (!c->rx)
		c->rx = malloc(PIPE_RX);
	if (!c->tx || !c->rx)
		return -ENOMEM;
	fresh = c->fd < 0;
	ret = pipeline_once(c, reqs, n, resp, fn, arg, err, deadline);
	/*
	 * A kept-alive connection the enforcer had closed: nothing was
	 * answered, so try once more on a new one, with new counters (the
	 * enforcer may have seen the old ones).
	 */
	if (ret < 0 && !fresh && ret != -ETIMEDOUT && ret != -EBADMSG && ret != -ENOKEY)
		ret = pipeline_once(c, reqs, n, resp, fn, arg, err, deadline);
	return ret;
}

static int addr_req(struct sw_enf_client *c, uint8_t op, const char *s, bool cidr,
		    struct sw_proto_resp *resp, uint32_t ttl, const char *reason)
{
	struct sw_proto_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.op = op;
	ret = cidr ? sw_cidr_parse(s, &req.ip, &req.prefix) : sw_ip_parse(s, &req.ip);
	if (ret)
		return ret;
	if (!cidr)
		req.prefix = req.ip.family == AF_INET ? 32 : 128;
	req.ttl = ttl;
	if (reason) {
		if (strlen(reason) > SW_PROTO_REASON_MAX)
			return -EINVAL;
		strcpy(req.reason, reason);
	}
	return sw_enf_client_request(c, &req, resp);
}

int sw_enf_block(struct sw_enf_client *c, const char *cidr, uint32_t ttl_s, const char *reason,
		 struct sw_proto_resp *resp)
{
	return addr_req(c, SW_OP_BLOCK, cidr, true, resp, ttl_s, reason ? reason : "");
}

int sw_enf_unblock(struct sw_enf_client *c, const char *cidr, struct sw_proto_resp *resp)
{
	return addr_req(c, SW_OP_UNBLOCK, cidr, true, resp, 0, NULL);
}

int sw_enf_quarantine(struct sw_enf_client *c, const char *addr, struct sw_proto_resp *resp)
{
	return addr_req(c, SW_OP_QUARANTINE, addr, false, resp, 0, NULL);
}

int sw_enf_release(struct sw_enf_client *c, const char *addr, struct sw_proto_resp *resp)
{
	return addr_req(c, SW_OP_RELEASE, addr, false, resp, 0, NULL);
}

int sw_enf_list(struct sw_enf_client *c, struct sw_proto_resp *resp)
{
	struct sw_proto_req req;

	memset(&req, 0, sizeof(req));
	req.op = SW_OP_LIST;
	return sw_enf_client_request(c, &req, resp);
}
