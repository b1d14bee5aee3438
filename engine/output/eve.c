/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "eve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "community_id.h"
#include "rules/rules.h"
#include "engine/config.h"

/*
 * A record never exceeds this; a stats record with every counter is about
 * 8 KiB, an alert with long metadata a few KiB.  Larger ones are dropped and
 * counted rather than cut into invalid JSON.
 */
#define EVE_MAX_RECORD (64 * 1024)
/* Writers hand their buffer to the sink once it holds this much. */
#define EVE_FLUSH_AT (192 * 1024)
#define EVE_BUF_SIZE (EVE_FLUSH_AT + EVE_MAX_RECORD)

#define EVE_MAX_FORWARDERS 4

struct sw_eve {
	bool inline_mode; /* flows can be dropped: flow records say so */
	bool ipv6_compress;
	int fd;
	char *path;
	const char *const *ifaces; /* in_iface names by capture index (borrowed), NULL = none */
	unsigned n_ifaces;
	uint32_t types;
	pthread_mutex_t lock;
	atomic_uint_fast64_t dropped, written;
	/* Under lock: called with every batch of whole lines written to fd. */
	struct {
		int (*fn)(void *ctx, const char *lines, size_t len);
		void *ctx;
	} fwd[EVE_MAX_FORWARDERS];
	unsigned nfwd;
};

struct sw_eve_writer {
	struct sw_eve *e;
	char *buf;
	size_t len;       /* committed bytes */
	struct sw_json j; /* record under construction, at buf + len */
	const struct sw_rules *rules; /* flowbit names (sw_eve_writer_set_rules()), NULL: none logged */
};

struct sw_eve *sw_eve_open(const char *path, uint32_t types)
{
	struct sw_eve *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (e->fd < 0) {
		int err = errno;
		free(e);
		errno = err;
		return NULL;
	}
	e->path = strdup(path);
	if (!e->path) {
		close(e->fd);
		free(e);
		errno = ENOMEM;
		return NULL;
	}
	e->types = types;
	pthread_mutex_init(&e->lock, NULL);
	return e;
}

void sw_eve_set_ipv6_compress(struct sw_eve *e, bool on)
{
	if (e)
		e->ipv6_compress = on;
}

void sw_json_ip(struct sw_json *j, const char *key, const struct sw_ip *ip)
{
	static const char hex[] = "0123456789abcdef";
	char buf[SW_IP_STRLEN];

	if (ip->family != AF_INET6 || j->ipv6_compress) {
		sw_json_str(j, key, sw_ip_format(ip, buf, sizeof(buf)));
		return;
	}
	/* eight groups of four digits, as Suricata's PrintInetIPv6() writes them */
	for (int i = 0; i < 8; i++) {
		char *o = buf + i * 5;

		o[0] = hex[ip->a[2 * i] >> 4];
		o[1] = hex[ip->a[2 * i] & 15];
		o[2] = hex[ip->a[2 * i + 1] >> 4];
		o[3] = hex[ip->a[2 * i + 1] & 15];
		o[4] = i < 7 ? ':' : '\0';
	}
	sw_json_str(j, key, buf);
}

void sw_eve_set_inline(struct sw_eve *e, bool on)
{
	e->inline_mode = on;
}

void sw_eve_set_ifaces(struct sw_eve *e, const char *const *names, unsigned n)
{
	e->ifaces = names;
	e->n_ifaces = n;
}

static void iface_field(struct sw_json *j, const struct sw_eve *e, uint32_t iface)
{
	if (e->ifaces && iface < e->n_ifaces && e->ifaces[iface])
		sw_json_str(j, "in_iface", e->ifaces[iface]);
}

int sw_eve_reopen(struct sw_eve *e)
{
	int fd = open(e->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno; /* keep writing to the old file rather than lose records */
	pthread_mutex_lock(&e->lock);
	/* dup2 swaps atomically under the lock: no writer sees a closed fd. */
	dup2(fd, e->fd);
	pthread_mutex_unlock(&e->lock);
	close(fd);
	return 0;
}

void sw_eve_close(struct sw_eve *e)
{
	if (!e)
		return;
	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int sw_eve_add_forwarder(struct sw_eve *e, int (*fn)(void *ctx, const char *lines, size_t len), void *ctx)
{
	int ret = 0;

	if (!e || !fn)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (e->nfwd == EVE_MAX_FORWARDERS) {
		ret = -ENOSPC;
	} else {
		e->fwd[e->nfwd].fn = fn;
		e->fwd[e->nfwd].ctx = ctx;
		e->nfwd++;
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

bool sw_eve_wants(const struct sw_eve *e, uint32_t type)
{
	return e && (e->types & type);
}

uint64_t sw_eve_dropped(const struct sw_eve *e)
{
	return e ? atomic_load(&e->dropped) : 0;
}

uint64_t sw_eve_written(const struct sw_eve *e)
{
	return e ? atomic_load(&e->written) : 0;
}

struct sw_eve_writer *sw_eve_writer_new(struct sw_eve *e)
{
	struct sw_eve_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->buf = malloc(EVE_BUF_SIZE);
	if (!w->buf) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->e = e;
	return w;
}

int sw_eve_writer_flush(struct sw_eve_writer *w)
{
	size_t off = 0;
	int ret = 0;

	if (!w || !w->len)
		return 0;
	pthread_mutex_lock(&w->e->lock);
	while (off < w->len) {
		ssize_t n = write(w->e->fd, w->buf + off, w->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		off += (size_t)n;
	}
	/*
	 * Forward exactly what reached the file, cut back to whole lines (a
	 * failed write can leave a torn one in the file; a stream must not get
	 * it).  Still under the sink lock, so forwarders see the file's order.
	 */
	if (w->e->nfwd) {
		size_t whole = off;
		while (whole > 0 && w->buf[whole - 1] != '\n')
			whole--;
		for (unsigned i = 0; whole && i < w->e->nfwd; i++)
			w->e->fwd[i].fn(w->e->fwd[i].ctx, w->buf, whole);
	}
	pthread_mutex_unlock(&w->e->lock);
	if (ret < 0) {
		/* Count the lines we could not write: never lose events silently. */
		uint64_t lines = 0;
		for (size_t i = off; i < w->len; i++)
			lines += w->buf[i] == '\n';
		atomic_fetch_add(&w->e->dropped, lines);
		atomic_fetch_sub(&w->e->written, lines);
	}
	w->len = 0;
	return ret;
}

void sw_eve_writer_free(struct sw_eve_writer *w)
{
	if (!w)
		return;
	sw_eve_writer_flush(w);
	free(w->buf);
	free(w);
}

/* ---- JSON building ---- */

static void put(struct sw_json *j, const char *s, size_t n)
{
	if (j->overflow || j->cap - j->len < n) {
		j->overflow = true;
		return;
	}
	memcpy(j->b + j->len, s, n);
	j->len += n;
}

static void putc_(struct sw_json *j, char c)
{
	put(j, &c, 1);
}

/* A comma is due unless the previous byte opened a container or was a key's colon. */
static void sep(struct sw_json *j)
{
	if (j->len && j->b[j->len - 1] != '{' && j->b[j->len - 1] != '[' && j->b[j->len - 1] != ':')
		putc_(j, ',');
}

/*
 * Bytes that cannot stand for themselves in a JSON string: '"', '\\',
 * control bytes and bytes >= 0x7f.  The latter are escaped as \u00XX:
 * rule messages and names are operator text, but nothing guarantees UTF-8,
 * and an invalid byte would break strict JSON readers.
 */
static bool esc_needed(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

static void escaped(struct sw_json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	/*
	 * Room for the worst case (every byte \u00XX): written in place, by
	 * 16-byte blocks and then a byte at a time.  Most values are short
	 * (addresses, names, community ids) and the run copies below paid a
	 * bounds check and a memcpy call per run.
	 */
	if (!j->overflow && n <= (SIZE_MAX - 2) / 6 && j->cap - j->len >= 6 * n + 2) {
		char *o = j->b + j->len;

		*o++ = '"';
		for (;;) {
			unsigned char c;

#if defined(__SSE2__)
			/*
			 * 16 bytes at once while none needs escaping (URIs, user
			 * agents, names: most bytes of long values).  All 16 are
			 * stored; in a block with a byte to escape, those before it
			 * stay and that byte goes through the switch below.  In
			 * bounds: o is at most 6 * i past the opening quote, and
			 * i + 16 <= n keeps o + 16 inside the 6 * n reserved.
			 */
			while (n - i >= 16) {
				__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
				/* signed compare: 0x80-0xff are negative, so below 0x20 too */
				__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
								      _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
							 _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
								      _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
				unsigned mask = (unsigned)_mm_movemask_epi8(m);

				_mm_storeu_si128((__m128i *)(void *)o, x);
				if (mask) {
					unsigned k = (unsigned)__builtin_ctz(mask);

					o += k;
					i += k;
					break;
				}
				o += 16;
				i += 16;
			}
#endif
			/* the plain bytes up to the next to escape (with SSE2, the last 15 at most) */
			while (i < n && !esc_needed((unsigned char)s[i]))
				*o++ = s[i++];
			if (i == n)
				break;
			c = (unsigned char)s[i++];
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
			}
		}
		*o++ = '"';
		j->len = (size_t)(o - j->b);
		return;
	}
	putc_(j, '"');
	while (i < n) {
		size_t run = i;
		unsigned char c;
		char esc[6];
		size_t elen = 2;

		/* the common case: a run of plain bytes, copied at once */
		while (run < n && !esc_needed((unsigned char)s[run]))
			run++;
		put(j, s + i, run - i);
		if (run == n)
			break;
		c = (unsigned char)s[run];
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		put(j, esc, elen);
		i = run + 1;
	}
	putc_(j, '"');
}

/*
 * Keys are trusted literals of this code base (eve.h): written as they
 * are, without the escaping scan every value gets.
 */
static void key(struct sw_json *j, const char *k)
{
	size_t n;

	sep(j);
	if (!k)
		return;
	n = strlen(k);
	if (j->overflow || j->cap - j->len < n + 3) {
		j->overflow = true;
		return;
	}
	j->b[j->len++] = '"';
	memcpy(j->b + j->len, k, n);
	j->len += n;
	j->b[j->len++] = '"';
	j->b[j->len++] = ':';
}

/* Decimal digits of @v into the end of @tmp[24]; returns where they start (no stdio on the hot path). */
static char *u64_digits(uint64_t v, char tmp[24])
{
	char *p = tmp + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void sw_json_obj(struct sw_json *j, const char *k)
{
	key(j, k);
	putc_(j, '{');
}

void sw_json_arr(struct sw_json *j, const char *k)
{
	key(j, k);
	putc_(j, '[');
}

void sw_json_close_obj(struct sw_json *j)
{
	putc_(j, '}');
}

void sw_json_close_arr(struct sw_json *j)
{
	putc_(j, ']');
}

void sw_json_strn(struct sw_json *j, const char *k, const char *v, size_t n)
{
	key(j, k);
	escaped(j, v, n);
}

void sw_json_str(struct sw_json *j, const char *k, const char *v)
{
	sw_json_strn(j, k, v, strlen(v));
}

void sw_json_u64(struct sw_json *j, const char *k, uint64_t v)
{
	char tmp[24], *p = u64_digits(v, tmp);

	key(j, k);
	put(j, p, (size_t)(tmp + 24 - p));
}

void sw_json_i64(struct sw_json *j, const char *k, int64_t v)
{
	char tmp[24], *p = u64_digits(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, tmp);

	if (v < 0)
		*--p = '-';
	key(j, k);
	put(j, p, (size_t)(tmp + 24 - p));
}

void sw_json_bool(struct sw_json *j, const char *k, bool v)
{
	key(j, k);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void sw_eve_format_ts(int64_t usec, char *buf, size_t len)
{
	time_t secs = (time_t)(usec / 1000000);
	int64_t frac = usec % 1000000;
	struct tm tm;

	/*
	 * records come in time order: the calendar of the last second serves
	 * again, and so do its formatted date and time up to the '.'
	 */
	static _Thread_local time_t last_secs = -1;
	static _Thread_local struct tm last_tm;
	static _Thread_local char last_pre[20];
	static _Thread_local bool pre_ok;

	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	if (secs != last_secs) {
		gmtime_r(&secs, &last_tm);
		last_secs = secs;
		pre_ok = false;
	}
	tm = last_tm;
	/* Suricata writes local time with its offset; we always write UTC. */
	if (len < 32 || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+0000", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
		return;
	}
	/* every record has one: digits by hand, the same bytes as the format above */
	if (!pre_ok) {
		const int f[6] = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec };
		static const uint8_t width[6] = { 4, 2, 2, 2, 2, 2 };
		static const char after[6] = { '-', '-', 'T', ':', ':', '.' };
		char *o = last_pre;

		for (int i = 0; i < 6; i++) {
			int v = f[i];

			for (int d = width[i] - 1; d >= 0; d--) {
				o[d] = (char)('0' + v % 10);
				v /= 10;
			}
			o += width[i];
			*o++ = after[i];
		}
		pre_ok = true;
	}
	memcpy(buf, last_pre, sizeof(last_pre));
	for (int d = 5; d >= 0; d--) {
		buf[sizeof(last_pre) + d] = (char)('0' + frac % 10);
		frac /= 10;
	}
	buf[sizeof(last_pre) + 6] = '+';
	memcpy(buf + sizeof(last_pre) + 7, "0000", 5);
}

void sw_json_ts(struct sw_json *j, const char *k, int64_t usec)
{
	char tmp[40];
	size_t n;

	sw_eve_format_ts(usec, tmp, sizeof(tmp));
	/* our own digits and separators: nothing to escape */
	n = strlen(tmp);
	key(j, k);
	putc_(j, '"');
	put(j, tmp, n);
	putc_(j, '"');
}

const char *sw_eve_proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "IPv6-ICMP";
	case 132: return "SCTP";
	case 47: return "GRE";
	/* the rest as Suricata names them (IANA keywords, its util-proto-name.c) */
	case 2: return "IGMP";
	case 4: return "IP-in-IP";
	case 41: return "IPv6";
	case 50: return "ESP";
	case 51: return "AH";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 115: return "L2TP";
	case 136: return "UDPLite";
	case 137: return "MPLS-in-IP";
	default: snprintf(buf, len, "%u", proto); return buf;
	}
}

/* ---- records ---- */

struct sw_json *sw_eve_begin(struct sw_eve_writer *w, const char *event_type, int64_t ts_usec)
{
	if (w->len >= EVE_FLUSH_AT)
		sw_eve_writer_flush(w);
	w->j.b = w->buf + w->len;
	w->j.len = 0;
	w->j.cap = EVE_MAX_RECORD - 1; /* room for the newline */
	w->j.overflow = false;
	w->j.ipv6_compress = w->e->ipv6_compress;
	putc_(&w->j, '{');
	sw_json_ts(&w->j, "timestamp", ts_usec);
	sw_json_str(&w->j, "event_type", event_type);
	return &w->j;
}

void sw_eve_end(struct sw_eve_writer *w)
{
	putc_(&w->j, '}');
	if (w->j.overflow) {
		atomic_fetch_add(&w->e->dropped, 1);
		return;
	}
	w->j.b[w->j.len++] = '\n';
	w->len += w->j.len;
	atomic_fetch_add(&w->e->written, 1);
}

static void addr_fields(struct sw_json *j, const struct sw_ip *src, uint16_t sport, const struct sw_ip *dst,
			uint16_t dport, uint8_t proto)
{
	char pb[8];
	bool ports = proto == 6 || proto == 17 || proto == 132;

	sw_json_ip(j, "src_ip", src);
	if (ports)
		sw_json_u64(j, "src_port", sport);
	sw_json_ip(j, "dest_ip", dst);
	if (ports)
		sw_json_u64(j, "dest_port", dport);
	sw_json_str(j, "proto", sw_eve_proto_name(proto, pb, sizeof(pb)));
	sw_json_u64(j, "ip_v", src->family == AF_INET6 ? 6 : 4); /* Suricata 8's */
}

static const char *pkt_src_name(uint8_t src)
{
	switch (src) {
	case SW_PKT_SRC_GRE: return "gre tunnel";
	case SW_PKT_SRC_IPV4: return "ipv4 tunnel";
	case SW_PKT_SRC_IPV6: return "ipv6 tunnel";
	case SW_PKT_SRC_TEREDO: return "teredo tunnel";
	case SW_PKT_SRC_VXLAN: return "vxlan encapsulation";
	case SW_PKT_SRC_GENEVE: return "geneve encapsulation";
	default: return "wire/pcap";
	}
}

/* A tunnelled packet's carrier, as Suricata's alert "tunnel" object (the outermost packet). */
static void tunnel_field(struct sw_json *j, const struct sw_packet *p)
{
	char pb[8];

	sw_json_obj(j, "tunnel");
	sw_json_ip(j, "src_ip", &p->root_src);
	sw_json_u64(j, "src_port", p->root_sport);
	sw_json_ip(j, "dest_ip", &p->root_dst);
	sw_json_u64(j, "dest_port", p->root_dport);
	sw_json_str(j, "proto", sw_eve_proto_name(p->root_proto, pb, sizeof(pb)));
	sw_json_u64(j, "depth", p->tunnel_depth);
	if (p->pcap_cnt)
		sw_json_u64(j, "pcap_cnt", p->pcap_cnt);
	sw_json_str(j, "pkt_src", "wire/pcap");
	sw_json_close_obj(j);
}

/*
 * Community ID of a flow, oriented client -> server.  ICMP flows hash the
 * client's first type and code (mapped to port equivalents by
 * sw_community_id), as Suricata and Zeek do.
 */
static void community_id_field(struct sw_json *j, const struct sw_flow *f)
{
	char cid[SW_COMMUNITY_ID_LEN];
	uint16_t sp = f->cli_port, dp = f->srv_port;

	if ((f->proto == 1 || f->proto == 58) && (f->icmp_seen & 1)) {
		sp = f->icmp_type[0];
		dp = f->icmp_code[0];
	}
	if (sw_community_id(&f->cli, &f->srv, sp, dp, f->proto, 0, cid, sizeof(cid)) == 0)
		sw_json_str(j, "community_id", cid);
}

static void vlan_field(struct sw_json *j, uint8_t n, const uint16_t *vlan)
{
	if (!n)
		return;
	sw_json_arr(j, "vlan");
	for (uint8_t i = 0; i < n && i < 2; i++)
		sw_json_u64(j, NULL, vlan[i]);
	sw_json_close_arr(j);
}

/*
 * Suricata groups rule metadata by key: metadata:"created_at 2020, tag a,
 * tag b" becomes {"created_at":["2020"],"tag":["a","b"]}.  Alerts are rare
 * next to packets, so the quadratic grouping over a handful of entries is fine.
 */
static void metadata_field(struct sw_json *j, const struct sw_rule *r)
{
	if (!r->n_metadata)
		return;
	sw_json_obj(j, "metadata");
	for (uint32_t i = 0; i < r->n_metadata; i++) {
		const char *mi = r->metadata[i];
		size_t klen = strcspn(mi, " ");
		bool seen = false;

		for (uint32_t k = 0; k < i && !seen; k++)
			seen = strncmp(r->metadata[k], mi, klen) == 0 && strcspn(r->metadata[k], " ") == klen;
		if (seen)
			continue;
		key(j, NULL);
		escaped(j, mi, klen);
		putc_(j, ':');
		putc_(j, '[');
		for (uint32_t k = i; k < r->n_metadata; k++) {
			const char *mk = r->metadata[k];
			const char *v;
			if (strcspn(mk, " ") != klen || strncmp(mk, mi, klen) != 0)
				continue;
			v = mk + klen;
			while (*v == ' ')
				v++;
			sw_json_str(j, NULL, v);
		}
		putc_(j, ']');
	}
	sw_json_close_obj(j);
}

/* alert.source / alert.target of a rule with target: ({"ip", "port"}, port for TCP/UDP only). */
static void endpoint_field(struct sw_json *j, const char *key, const struct sw_ip *ip, uint16_t port, uint8_t proto)
{
	sw_json_obj(j, key);
	sw_json_ip(j, "ip", ip);
	if (proto == 6 || proto == 17)
		sw_json_u64(j, "port", port);
	sw_json_close_obj(j);
}

/* Suricata's app_proto: the flow's detected protocol, absent while none. */
static void app_proto_field(struct sw_json *j, const struct sw_flow *f)
{
	const char *name = f ? sw_app_proto_name((enum sw_app_proto)f->app_proto) : NULL;

	if (name)
		sw_json_str(j, "app_proto", name);
}

struct sw_json *sw_eve_alert_begin(struct sw_eve_writer *w, const struct sw_packet *p, const struct sw_rule *r,
				   const char *action)
{
	const struct sw_flow *f = p->flow;
	struct sw_json *j;

	if (!(w->e->types & SW_EVE_ALERT))
		return NULL;
	j = sw_eve_begin(w, "alert", p->ts_usec);
	if (f)
		sw_json_u64(j, "flow_id", f->flow_id);
	if (p->pcap_cnt)
		sw_json_u64(j, "pcap_cnt", p->pcap_cnt); /* Suricata's: which packet of the capture */
	iface_field(j, w->e, p->iface);
	vlan_field(j, p->vlan_count, p->vlan);
	addr_fields(j, &p->src, p->sport, &p->dst, p->dport, p->proto);
	if (p->proto == 1 || p->proto == 58) {
		sw_json_u64(j, "icmp_type", p->icmp_type);
		sw_json_u64(j, "icmp_code", p->icmp_code);
	}
	if (f) {
		sw_json_str(j, "direction", p->to_server ? "to_server" : "to_client");
		community_id_field(j, f);
	}
	sw_json_str(j, "pkt_src", pkt_src_name(p->tunnel_depth ? p->pkt_src : SW_PKT_SRC_WIRE));
	if (p->tunnel_depth)
		tunnel_field(j, p);
	sw_json_obj(j, "alert");
	sw_json_str(j, "action", action);
	sw_json_u64(j, "gid", r->gid);
	sw_json_u64(j, "signature_id", r->sid);
	sw_json_u64(j, "rev", r->rev);
	sw_json_str(j, "signature", r->msg ? r->msg : "");
	sw_json_str(j, "category", r->class_desc ? r->class_desc : "");
	sw_json_u64(j, "severity", r->priority);
	if (r->target != SW_TARGET_NONE) {
		/* target:dest_ip names the packet's destination as the one attacked, src_ip its source */
		bool dst = r->target == SW_TARGET_DEST_IP;

		endpoint_field(j, "source", dst ? &p->src : &p->dst, dst ? p->sport : p->dport, p->proto);
		endpoint_field(j, "target", dst ? &p->dst : &p->src, dst ? p->dport : p->sport, p->proto);
	}
	metadata_field(j, r);
	sw_json_close_obj(j);
	app_proto_field(j, f);
	return j;
}

void sw_eve_writer_set_rules(struct sw_eve_writer *w, const struct sw_rules *r)
{
	w->rules = r;
}

/*
 * The flow's flowbits as Suricata's EveAddMetadata() writes them (eve-log
 * metadata, on by default): "metadata": {"flowbits": [names]}, and those
 * named traffic/id/X or traffic/label/X as "traffic": {"id": [X],
 * "label": [X]} (its flow tagging).
 */
/*
 * Which list a flowbit name goes to: 0 "metadata.flowbits", 1
 * "traffic.id", 2 "traffic.label"; *@shown is the name as written there.
 */
static unsigned flowbit_list(const char *name, const char **shown)
{
	static const char id_pfx[] = "traffic/id/", label_pfx[] = "traffic/label/";

	if (!strncmp(name, id_pfx, sizeof(id_pfx) - 1)) {
		*shown = name + sizeof(id_pfx) - 1;
		return 1;
	}
	if (!strncmp(name, label_pfx, sizeof(label_pfx) - 1)) {
		*shown = name + sizeof(label_pfx) - 1;
		return 2;
	}
	*shown = name;
	return 0;
}

/* The name of set flowbit @i of @f in order (*@i advances past it), NULL at the end. */
static const char *next_flowbit(const struct sw_eve_writer *w, const struct sw_flow *f, size_t n, size_t *i)
{
	size_t lim = n < SW_FLOWBITS_WORDS * 64 ? n : SW_FLOWBITS_WORDS * 64;

	while (*i < lim) {
		uint64_t m = f->flowbits[*i / 64] >> (*i % 64);
		const char *name;

		if (!m) { /* a word at a time: most flows set none */
			*i = (*i / 64 + 1) * 64;
			continue;
		}
		*i += (size_t)__builtin_ctzll(m);
		if (*i >= lim)
			break;
		name = sw_rules_flowbit_name(w->rules, (*i)++);
		if (name)
			return name;
	}
	return NULL;
}

static void flowbits_fields(struct sw_json *j, const struct sw_eve_writer *w, const struct sw_flow *f)
{
	size_t n = w->rules ? sw_rules_flowbit_count(w->rules) : 0, i = 0;
	const char *name, *shown;
	unsigned kinds = 0;

	while ((name = next_flowbit(w, f, n, &i)))
		kinds |= 1u << flowbit_list(name, &shown);
	if (!kinds)
		return;
	for (unsigned list = 0; list < 3; list++) {
		if (!(kinds & (1u << list)))
			continue;
		if (list == 0) {
			sw_json_obj(j, "metadata");
			sw_json_arr(j, "flowbits");
		} else {
			if (list == 1 || !(kinds & 2u))
				sw_json_obj(j, "traffic");
			sw_json_arr(j, list == 1 ? "id" : "label");
		}
		for (i = 0; (name = next_flowbit(w, f, n, &i));)
			if (flowbit_list(name, &shown) == list)
				sw_json_str(j, NULL, shown);
		sw_json_close_arr(j);
		if (list == 0 || list == 2 || !(kinds & 4u))
			sw_json_close_obj(j); /* metadata, or traffic after its last list */
	}
}

void sw_eve_alert_end(struct sw_eve_writer *w, const struct sw_packet *p)
{
	const struct sw_flow *f = p->flow;
	struct sw_json *j = &w->j;

	if (f)
		flowbits_fields(j, w, f);
	if (f) {
		sw_json_obj(j, "flow");
		sw_json_u64(j, "pkts_toserver", f->pkts_ts);
		sw_json_u64(j, "pkts_toclient", f->pkts_tc);
		sw_json_u64(j, "bytes_toserver", f->bytes_ts);
		sw_json_u64(j, "bytes_toclient", f->bytes_tc);
		sw_json_ts(j, "start", f->start_usec);
		sw_json_ip(j, "src_ip", &f->cli);
		sw_json_ip(j, "dest_ip", &f->srv);
		if (f->proto == 6 || f->proto == 17) {
			sw_json_u64(j, "src_port", f->cli_port);
			sw_json_u64(j, "dest_port", f->srv_port);
		}
		sw_json_close_obj(j);
	}
	sw_eve_end(w);
}

void sw_eve_alert(struct sw_eve_writer *w, const struct sw_packet *p, const struct sw_rule *r, const char *action)
{
	if (sw_eve_alert_begin(w, p, r, action))
		sw_eve_alert_end(w, p);
}

struct sw_json *sw_eve_flow_event(struct sw_eve_writer *w, const char *event_type, uint32_t type,
				  const struct sw_flow *f, bool to_client, int64_t ts_usec, uint64_t pcap_cnt)
{
	struct sw_json *j;

	if (!(w->e->types & type))
		return NULL;
	j = sw_eve_begin(w, event_type, ts_usec);
	sw_json_u64(j, "flow_id", f->flow_id);
	if (pcap_cnt)
		sw_json_u64(j, "pcap_cnt", pcap_cnt);
	iface_field(j, w->e, f->iface);
	vlan_field(j, f->vlan_count, f->vlan);
	if (to_client)
		addr_fields(j, &f->srv, f->srv_port, &f->cli, f->cli_port, f->proto);
	else
		addr_fields(j, &f->cli, f->cli_port, &f->srv, f->srv_port, f->proto);
	community_id_field(j, f);
	return j;
}

static void tcp_flags_str(struct sw_json *j, const char *k, uint8_t fl)
{
	static const char hex[] = "0123456789abcdef";
	/* "%02x" without stdio: two or three of these in every TCP flow record */
	char tmp[3] = { hex[fl >> 4], hex[fl & 15], '\0' };

	sw_json_str(j, k, tmp);
}

void sw_eve_flow(struct sw_eve_writer *w, const struct sw_flow *f, enum sw_flow_end why)
{
	struct sw_json *j;
	int64_t age;

	if (!(w->e->types & SW_EVE_FLOW))
		return;
	j = sw_eve_begin(w, "flow", f->last_usec);
	sw_json_u64(j, "flow_id", f->flow_id);
	iface_field(j, w->e, f->iface);
	vlan_field(j, f->vlan_count, f->vlan);
	addr_fields(j, &f->cli, f->cli_port, &f->srv, f->srv_port, f->proto);
	if (f->icmp_seen & 1) {
		sw_json_u64(j, "icmp_type", f->icmp_type[0]);
		sw_json_u64(j, "icmp_code", f->icmp_code[0]);
	}
	if (f->icmp_seen & 2) {
		sw_json_u64(j, "response_icmp_type", f->icmp_type[1]);
		sw_json_u64(j, "response_icmp_code", f->icmp_code[1]);
	}
	community_id_field(j, f);
	app_proto_field(j, f);
	/* Suricata's: a direction recognised as another protocol than the flow's */
	for (int d = 0; d < 2; d++)
		if (f->app_proto_dir[d] && f->app_proto_dir[d] != f->app_proto && f->app_proto != SW_APP_FAILED)
			sw_json_str(j, d ? "app_proto_tc" : "app_proto_ts",
				    sw_app_proto_name((enum sw_app_proto)f->app_proto_dir[d]));
	sw_json_obj(j, "flow");
	sw_json_u64(j, "pkts_toserver", f->pkts_ts);
	sw_json_u64(j, "pkts_toclient", f->pkts_tc);
	sw_json_u64(j, "bytes_toserver", f->bytes_ts);
	sw_json_u64(j, "bytes_toclient", f->bytes_tc);
	sw_json_ts(j, "start", f->start_usec);
	sw_json_ts(j, "end", f->last_usec);
	/* Suricata's age: whole seconds between first and last packet. */
	age = f->last_usec / 1000000 - f->start_usec / 1000000;
	sw_json_i64(j, "age", age < 0 ? 0 : age);
	sw_json_str(j, "state", sw_flow_state_name(f->state));
	sw_json_str(j, "reason", sw_flow_end_name(why));
	sw_json_bool(j, "alerted", f->alerted);
	/* offline and passive, a drop rule only alerts: nothing was dropped (as Suricata in IDS mode) */
	if (f->dropped && w->e->inline_mode)
		sw_json_str(j, "action", "drop");
	sw_json_close_obj(j);
	flowbits_fields(j, w, f);
	if (f->proto == 6) {
		uint8_t all = f->tcp_flags_ts | f->tcp_flags_tc;
		sw_json_obj(j, "tcp");
		tcp_flags_str(j, "tcp_flags", all);
		tcp_flags_str(j, "tcp_flags_ts", f->tcp_flags_ts);
		tcp_flags_str(j, "tcp_flags_tc", f->tcp_flags_tc);
		if (all & SW_TCP_SYN)
			sw_json_bool(j, "syn", true);
		if (all & SW_TCP_FIN)
			sw_json_bool(j, "fin", true);
		if (all & SW_TCP_RST)
			sw_json_bool(j, "rst", true);
		if (all & SW_TCP_PSH)
			sw_json_bool(j, "psh", true);
		if (all & SW_TCP_ACK)
			sw_json_bool(j, "ack", true);
		sw_json_str(j, "state", sw_tcp_state_name(f->tcp_state));
		sw_json_close_obj(j);
	}
	sw_eve_end(w);
}
