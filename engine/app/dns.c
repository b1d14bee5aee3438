/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS over UDP and TCP: a bounded parser of our own (RFC 1035 section 4.1,
 * TCP framing RFC 7766 section 8), one transaction per message (as
 * Suricata 8: a request and its response are not paired, dns.h), the
 * dns.query buffer and the Suricata 8 "dns" v3 EVE object.
 *
 * Parsing: one message is parsed into the worker's scratch (struct sw_dns:
 * record table and name arena, allocated once), then copied into one
 * allocation owned by the transaction.  Nothing is allocated per byte or
 * per record, and a name is decoded once.
 *
 * Names (RFC 1035 3.1, 4.1.4): a compression pointer may point anywhere in
 * the message, forward too, as Suricata's parser (rust/src/dns/parser.rs
 * dns_parse_name) follows any pointer; at most DNS_MAX_JUMPS are followed
 * (Suricata stops after 255 segments), otherwise the message is refused
 * (name_loop).
 * A label length byte over 63 (including the retired 01/10 label types,
 * RFC 6891 section 5) or a name over 255 octets on the wire refuses the
 * message (name_long); Suricata instead truncates names at 1025 bytes.
 * Names are rendered as Suricata does: labels joined by '.', no trailing
 * dot, the root is empty; bytes inside labels (a '.', control bytes) are
 * kept as they are, so "a.b" as one label reads like two labels.
 *
 * Counts: the header check is Suricata's probe_header_validity() (two bytes
 * per announced record at least, a message without records is exactly the
 * header, a query has a question) tightened with the minimal sizes of the
 * mandatory sections: a question is at least 5 octets (root name, type,
 * class), a resource record at least 11.  A failure in the questions or
 * answers refuses the message; a failure in the authority or additional
 * section keeps what came before (Suricata's invalid_authorities /
 * invalid_additionals), so that junk appended to a query cannot hide its
 * questions from the rules; it is counted as malformed all the same.
 *
 * Storage bounds: a message keeps at most DNS_MAX_RR records and
 * DNS_ARENA_MAX bytes of decoded names/rdata.  RFC 9619 makes QDCOUNT one in
 * practice, and the EVE object is cut long before that, so only
 * pathological messages reach the bounds: the records past them are still
 * parsed (the section ends must be found) but not kept, counted as
 * malformed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/dns_names.h"
#include "engine/app/dns.h"
#include "engine/output/eve.h"

#define DNS_HDR_LEN 12
#define DNS_MAX_JUMPS 64      /* a 255-octet name has at most 127 labels; real names use one or two pointers */
#define DNS_NAME_WIRE_MAX 255 /* RFC 1035 3.1 and 2.3.4: octets on the wire, length bytes and root included */
#define DNS_LABEL_MAX 63      /* RFC 1035 2.3.4 */
#define DNS_MAX_RR 512        /* records kept per message, all sections */
#define DNS_ARENA_MAX 32768u  /* decoded names and rdata kept per message */
#define DNS_TCP_MSG_MAX 65535u
#define DNS_ALL_STAGES ((1u << SW_STAGE_N) - 1)
/*
 * JSON budget of one dns object's record lists.  An EVE record over 64 KiB
 * is dropped whole (engine/output/eve.c), and the object rides on every
 * alert of its transaction: a response stuffed with records must not hide
 * the alert.  One record is at most about 2.8 KB of JSON (two 253-byte
 * names whose bytes each take five characters), so the object stays under
 * about 20 KiB.
 */
#define DNS_EVE_BUDGET 16384u

enum { SEC_QD, SEC_AN, SEC_NS, SEC_AR, SEC_N };

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_NULL = 10, T_PTR = 12, T_MX = 15, T_TXT = 16,
       T_AAAA = 28, T_SRV = 33, T_OPT = 41, T_SSHFP = 44 };

/*
 * One question or resource record.  Offsets point into the message arena.
 * rdata forms by type: A/AAAA/NULL/TXT/SSHFP/OPT raw rdata in d1 (TXT and
 * OPT checked well-formed); CNAME/NS/PTR/MX the decoded name in d1; SOA
 * mname in d1, rname in d2 followed by the five 32-bit fields as sent; SRV
 * target in d1, priority/weight/port as sent in d2 (6 octets).  has_rd is
 * false for types we do not decode (Suricata logs no rdata for them).
 */
struct dns_rr {
	uint32_t name_off, d1_off, d2_off;
	uint16_t name_len, d1_len, d2_len;
	uint16_t type, cls;
	uint32_t ttl;
	uint8_t sec;
	bool has_rd;
};

struct dns_msg {
	uint16_t id, flags;
	uint32_t n_rr;          /* kept records, in section order */
	uint32_t n_sec[SEC_N];  /* kept records per section */
	struct dns_rr *rr;      /* into the same allocation */
	/*
	 * A response's dns.response.rrname instances in order: record index
	 * * 2, + 1 for its rdata name (resp_inst()).  Empty for a request.
	 */
	uint16_t *ri;
	uint32_t n_ri;
	uint8_t *arena;
	uint32_t arena_len;
	size_t size;            /* bytes of the allocation (memuse) */
};

/* One message: a request (to server) or a response (to client), never both. */
struct dns_tx {
	struct sw_app_tx base; /* first: detection and EVE see this */
	struct sw_dns_flow *df;
	struct dns_tx *next;   /* transactions not freed yet, oldest first */
	struct dns_msg *m;
	bool request;          /* m came to the server */
	uint8_t reported;      /* bit (1 << enum sw_app_stage) once reported */
};

struct tcp_dir {
	uint8_t *buf;    /* DNS_TCP_MSG_MAX + 2, allocated at the first split message */
	uint32_t have;   /* bytes of the current message (prefix included) held */
	bool stop;       /* framing lost (gap) or a malformed message: nothing more is read */
};

struct sw_dns_flow {
	struct sw_dns *d;
	struct dns_tx *head, *tail;
	uint64_t next_id;      /* every message that made a transaction, in arrival order */
	struct tcp_dir tcp[2]; /* [0] to server, [1] to client */
	bool closed;
	sw_app_emit_fn emit;   /* set for the duration of a feed / close call */
	void *ctx;
};

struct sw_dns {
	struct sw_dns_stats st;
	/* parse scratch, reused for every message of this worker */
	struct dns_rr rr[DNS_MAX_RR];
	uint32_t n_rr, n_sec[SEC_N];
	uint8_t arena[DNS_ARENA_MAX];
	uint32_t arena_len;
	bool trimmed;
};

/* Parse outcome of one message: which counter it bumps. */
enum perr { P_OK = 0, P_MALFORMED, P_LOOP, P_LONG };

/* ---- names ---- */

/*
 * Decode the name at the cursor @b (the rest of a section or an rdata) of
 * message @msg; on success @b is past the name (past the first pointer if
 * any) and the presentation form is in @out (at most 253 bytes) with its
 * length in *@olen.
 */
static enum perr name_get(struct sw_buf *b, const struct sw_buf *msg, uint8_t out[256], uint16_t *olen)
{
	struct sw_buf cur = *b; /* where labels are read now */
	size_t limit = msg->len; /* a pointer must land inside the message */
	bool jumped = false;
	unsigned jumps = 0, wire = 0;
	uint16_t n = 0;

	for (;;) {
		uint8_t len, lo;
		size_t target;

		if (sw_buf_get_u8(&cur, &len))
			return P_MALFORMED;
		if ((len & 0xc0) == 0xc0) {
			if (sw_buf_get_u8(&cur, &lo))
				return P_MALFORMED;
			target = (size_t)(len & 0x3f) << 8 | lo;
			/*
			 * RFC 1035 4.1.4 means "a prior occurrence", but real
			 * encoders point forward too (suricata-verify
			 * dns-forward-pointer) and Suricata follows any pointer: so
			 * do we, anywhere in the message.  A loop ends at the jump
			 * cap or at the 255-octet name limit, whichever comes first.
			 */
			if (target >= limit || ++jumps > DNS_MAX_JUMPS)
				return P_LOOP;
			if (!jumped) {
				b->off = cur.off;
				jumped = true;
			}
			cur = *msg;
			cur.off = target;
			continue;
		}
		/*
		 * RFC 1035 2.3.4: labels are at most 63 octets, so a length byte
		 * 0x40..0xbf is a label too long (RFC 6891 5 retired the extended
		 * label types those bits once announced).
		 */
		if (len > DNS_LABEL_MAX)
			return P_LONG;
		wire += 1u + len;
		/* RFC 1035 2.3.4: 255 octets at most, the root's length byte included */
		if (wire + (len ? 1u : 0u) > DNS_NAME_WIRE_MAX)
			return P_LONG;
		if (!len)
			break;
		if (n)
			out[n++] = '.';
		if (sw_buf_get_bytes(&cur, out + n, len))
			return P_MALFORMED;
		n = (uint16_t)(n + len);
	}
	if (!jumped)
		b->off = cur.off;
	*olen = n;
	return P_OK;
}

/* ---- message parsing into the worker scratch ---- */

/* Copy @n bytes into the scratch arena; false (trimmed) when full. */
static bool arena_put(struct sw_dns *d, const void *p, size_t n, uint32_t *off)
{
	if (n > DNS_ARENA_MAX - d->arena_len) {
		d->trimmed = true;
		return false;
	}
	*off = d->arena_len;
	if (n)
		memcpy(d->arena + d->arena_len, p, n);
	d->arena_len += (uint32_t)n;
	return true;
}

static enum perr name_put(struct sw_dns *d, struct sw_buf *b, const struct sw_buf *msg, uint32_t *off,
			  uint16_t *len, bool *keep)
{
	uint8_t tmp[256];
	enum perr e = name_get(b, msg, tmp, len);

	if (e)
		return e;
	if (*keep && !arena_put(d, tmp, *len, off))
		*keep = false;
	return P_OK;
}

/* TXT rdata (RFC 1035 3.3.14): one or more <character-string>s filling it exactly. */
static bool txt_ok(struct sw_buf rd)
{
	while (sw_buf_left(&rd)) {
		uint8_t l;

		if (sw_buf_get_u8(&rd, &l) || sw_buf_skip(&rd, l))
			return false;
	}
	return true;
}

/* OPT rdata (RFC 6891 6.1.2): {code u16, length u16, data} filling it exactly. */
static bool opt_ok(struct sw_buf rd)
{
	while (sw_buf_left(&rd)) {
		uint16_t code, l;

		if (sw_buf_get_be16(&rd, &code) || sw_buf_get_be16(&rd, &l) || sw_buf_skip(&rd, l))
			return false;
	}
	return true;
}

/* Decode @rd (the rdata of @r) into the arena as struct dns_rr describes. */
static enum perr rdata_put(struct sw_dns *d, struct dns_rr *r, struct sw_buf rd, const struct sw_buf *msg,
			   bool *keep)
{
	enum perr e;

	switch (r->type) {
	case T_A:
	case T_AAAA:
	case T_NULL:
	case T_TXT:
	case T_SSHFP:
	case T_OPT:
		/* Suricata: TXT strings and OPT options must fill the rdata; SSHFP needs algo and type */
		if ((r->type == T_TXT && !txt_ok(rd)) || (r->type == T_OPT && !opt_ok(rd)) ||
		    (r->type == T_SSHFP && rd.len < 2))
			return P_MALFORMED;
		r->d1_len = (uint16_t)rd.len;
		if (*keep && !arena_put(d, rd.p, rd.len, &r->d1_off))
			*keep = false;
		break;
	case T_MX:
		if (sw_buf_skip(&rd, 2)) /* preference: Suricata logs only the exchange */
			return P_MALFORMED;
		/* fall through */
	case T_CNAME:
	case T_NS:
	case T_PTR:
		e = name_put(d, &rd, msg, &r->d1_off, &r->d1_len, keep);
		if (e)
			return e;
		break;
	case T_SRV:
		r->d2_len = 6;
		if (*keep && sw_buf_left(&rd) >= 6 && !arena_put(d, sw_buf_cur(&rd), 6, &r->d2_off))
			*keep = false;
		if (sw_buf_skip(&rd, 6))
			return P_MALFORMED;
		e = name_put(d, &rd, msg, &r->d1_off, &r->d1_len, keep);
		if (e)
			return e;
		break;
	case T_SOA: {
		uint16_t rn;

		e = name_put(d, &rd, msg, &r->d1_off, &r->d1_len, keep);
		if (e)
			return e;
		e = name_put(d, &rd, msg, &r->d2_off, &rn, keep);
		if (e)
			return e;
		r->d2_len = rn;
		/* serial, refresh, retry, expire, minimum: kept right after rname */
		if (sw_buf_left(&rd) < 20)
			return P_MALFORMED;
		if (*keep) {
			uint32_t off;

			if (!arena_put(d, sw_buf_cur(&rd), 20, &off))
				*keep = false;
		}
		break;
	}
	default:
		return P_OK; /* not decoded: Suricata logs no rdata for these */
	}
	r->has_rd = true;
	return P_OK;
}

/* One question (@sec SEC_QD) or resource record from @b into the scratch. */
static enum perr rec_get(struct sw_dns *d, struct sw_buf *b, const struct sw_buf *msg, int sec)
{
	struct dns_rr r = {.sec = (uint8_t)sec};
	bool keep = d->n_rr < DNS_MAX_RR && !d->trimmed;
	uint32_t arena_mark = d->arena_len;
	enum perr e;

	if (d->n_rr >= DNS_MAX_RR)
		d->trimmed = true;
	e = name_put(d, b, msg, &r.name_off, &r.name_len, &keep);
	if (e)
		return e;
	if (sw_buf_get_be16(b, &r.type) || sw_buf_get_be16(b, &r.cls))
		return P_MALFORMED;
	if (sec != SEC_QD) {
		uint16_t rdlen;
		struct sw_buf rd;

		if (sw_buf_get_be32(b, &r.ttl) || sw_buf_get_be16(b, &rdlen))
			return P_MALFORMED;
		/* RFC 1035 4.1.3: RDLENGTH bounds the rdata; names in it may point anywhere before */
		if (sw_buf_sub(b, rdlen, &rd))
			return P_MALFORMED;
		e = rdata_put(d, &r, rd, msg, &keep);
		if (e)
			return e;
	}
	if (!keep) {
		d->arena_len = arena_mark; /* a record is kept whole or not at all */
		return P_OK;
	}
	d->rr[d->n_rr++] = r;
	d->n_sec[sec]++;
	return P_OK;
}

/*
 * Parse message @p/@len into the scratch; *@partial is set when the
 * authority or additional section was dropped (or records not kept).
 */
static enum perr msg_parse(struct sw_dns *d, const uint8_t *p, size_t len, uint16_t *id, uint16_t *flags,
			   bool *partial)
{
	struct sw_buf msg = sw_buf_make(p, len), b = msg;
	uint16_t cnt[SEC_N];
	uint64_t total = 0;

	d->n_rr = 0;
	d->arena_len = 0;
	d->trimmed = false;
	memset(d->n_sec, 0, sizeof(d->n_sec));
	*partial = false;
	if (sw_buf_get_be16(&b, id) || sw_buf_get_be16(&b, flags))
		return P_MALFORMED;
	for (int s = 0; s < SEC_N; s++) {
		if (sw_buf_get_be16(&b, &cnt[s]))
			return P_MALFORMED;
		total += cnt[s];
	}
	/* Suricata probe_header_validity(): counts that cannot fit, a header with trailing
	 * bytes but no records, a query without a question */
	if (2 * total > len || (total == 0 && len > DNS_HDR_LEN) || (!(*flags & 0x8000) && cnt[SEC_QD] == 0))
		return P_MALFORMED;
	/* the sections every message must hold in full */
	if ((uint64_t)cnt[SEC_QD] * 5 + (uint64_t)cnt[SEC_AN] * 11 > sw_buf_left(&b))
		return P_MALFORMED;
	for (int s = 0; s < SEC_N; s++) {
		uint32_t mark_rr = d->n_rr, mark_arena = d->arena_len, mark_sec = d->n_sec[s];

		for (uint32_t i = 0; i < cnt[s]; i++) {
			enum perr e = rec_get(d, &b, &msg, s);

			if (!e)
				continue;
			if (s <= SEC_AN)
				return e;
			/* Suricata keeps questions and answers when a later section is bad */
			d->n_rr = mark_rr;
			d->arena_len = mark_arena;
			d->n_sec[s] = mark_sec;
			*partial = true;
			if (e == P_LOOP)
				d->st.name_loop++;
			else if (e == P_LONG)
				d->st.name_long++;
			goto out;
		}
	}
out:
	if (d->trimmed)
		*partial = true;
	return P_OK;
}

/*
 * Whether record @r has an rdata that dns.response.rrname inspects:
 * Suricata 8's get_rdata_name() (rust/src/dns/dns.rs) takes the name of
 * CNAME, PTR, MX (the exchange), NS and SOA (mname only), and its getters
 * skip an empty one (the root: a null MX, RFC 7505); SRV targets and the
 * rest are not inspected.
 */
static bool rdata_is_name(const struct dns_rr *r)
{
	switch (r->type) {
	case T_CNAME:
	case T_PTR:
	case T_MX:
	case T_NS:
	case T_SOA:
		return r->has_rd && r->d1_len > 0;
	default:
		return false;
	}
}

/*
 * dns.response.rrname's instances of the scratch's records, in the order
 * Suricata 8 inspects them (src/detect-dns-response.c
 * DetectEngineInspectCb): sections in order; per record its name, then
 * (not for questions) its rdata name if it has one.  A section ends at its
 * first empty (root) owner name: Suricata's name getter returns no buffer
 * there, which ends that section's loop before the record's rdata.  Writes
 * at most 2 * n_rr entries to @out (NULL: only counts); returns the count.
 */
static uint32_t resp_inst(const struct sw_dns *d, uint16_t *out)
{
	uint32_t n = 0, i = 0;

	for (int s = 0; s < SEC_N; s++) {
		uint32_t end = i + d->n_sec[s];
		bool stop = false;

		for (; i < end; i++) {
			const struct dns_rr *r = &d->rr[i];

			if (stop || !r->name_len) {
				stop = true;
				continue;
			}
			if (out)
				out[n] = (uint16_t)(i * 2);
			n++;
			if (s != SEC_QD && rdata_is_name(r)) {
				if (out)
					out[n] = (uint16_t)(i * 2 + 1);
				n++;
			}
		}
	}
	return n;
}

/* Copy the scratch into one allocation (@request: it came to the server); NULL on ENOMEM. */
static struct dns_msg *msg_save(struct sw_dns *d, uint16_t id, uint16_t flags, bool request)
{
	size_t rr_sz = (size_t)d->n_rr * sizeof(struct dns_rr);
	uint32_t n_ri = request ? 0 : resp_inst(d, NULL);
	size_t ri_sz = (size_t)n_ri * sizeof(uint16_t);
	size_t size = sizeof(struct dns_msg) + rr_sz + ri_sz + d->arena_len;
	struct dns_msg *m = malloc(size);

	if (!m)
		return NULL;
	m->id = id;
	m->flags = flags;
	m->n_rr = d->n_rr;
	memcpy(m->n_sec, d->n_sec, sizeof(m->n_sec));
	m->rr = (struct dns_rr *)(m + 1);
	m->ri = (uint16_t *)((uint8_t *)m->rr + rr_sz); /* struct dns_rr keeps this 4-byte aligned */
	m->n_ri = n_ri;
	m->arena = (uint8_t *)m->ri + ri_sz;
	m->arena_len = d->arena_len;
	m->size = size;
	if (rr_sz)
		memcpy(m->rr, d->rr, rr_sz);
	if (n_ri)
		(void)resp_inst(d, m->ri);
	if (d->arena_len)
		memcpy(m->arena, d->arena, d->arena_len);
	d->st.memuse += size;
	return m;
}

/* ---- stages and transactions ---- */

/*
 * Report @st and, first, every stage it needs not reported yet (app.h
 * sw_app_stage_needs()), each exactly once.  A transaction is one message,
 * so it is reported up to SW_STAGE_TX_DONE as soon as it is parsed: a
 * request's response stages then see no response buffers, a response's
 * request stages no request buffers (nothing matches there).
 */
static void reach(struct dns_tx *t, enum sw_app_stage st)
{
	struct sw_dns_flow *df = t->df;
	unsigned want = sw_app_stage_needs(st) | 1u << st;

	for (int s = 0; s < SW_STAGE_N; s++) {
		if (!(want & (1u << s)) || (t->reported & (1u << s)))
			continue;
		t->reported |= (uint8_t)(1u << s);
		if (df->emit)
			df->emit(df->ctx, &t->base, (enum sw_app_stage)s);
	}
}

static void tx_free(struct sw_dns *d, struct dns_tx *t)
{
	d->st.memuse -= t->m->size + sizeof(*t);
	free(t->m);
	free(t);
}

/*
 * Message @m (owned from now on) of direction @to_server becomes the
 * flow's next transaction, reported whole at once.  Suricata 8
 * (rust/src/dns/dns.rs) makes every message its own transaction and does
 * not look for the query a response answers: no id matching, nothing stays
 * open waiting for a response that may never come.
 */
static void on_tx(struct sw_dns_flow *df, bool to_server, struct dns_msg *m)
{
	struct dns_tx *t = calloc(1, sizeof(*t));

	if (!t) {
		df->d->st.memuse -= m->size;
		free(m);
		df->d->st.malformed++; /* not parsed for want of memory: counted with the refused */
		return;
	}
	t->base.proto = SW_APP_DNS;
	t->base.id = df->next_id++;
	t->df = df;
	t->m = m;
	t->request = to_server;
	if (df->tail)
		df->tail->next = t;
	else
		df->head = t;
	df->tail = t;
	df->d->st.tx++;
	df->d->st.memuse += sizeof(*t);
	reach(t, SW_STAGE_TX_DONE);
}

/*
 * One whole message of direction @to_server.  Returns 0 or -EBADMSG
 * (refused, counted).
 */
static int on_message(struct sw_dns *d, struct sw_dns_flow *df, bool to_server, const uint8_t *p, size_t len)
{
	uint16_t id, flags;
	bool partial;
	enum perr e = msg_parse(d, p, len, &id, &flags, &partial);
	struct dns_msg *m;

	if (!e && to_server && (flags & 0x8000))
		e = P_MALFORMED; /* Suricata: a to-server message with QR set is not a request (not_request) */
	if (e) {
		d->st.malformed++;
		if (e == P_LOOP)
			d->st.name_loop++;
		else if (e == P_LONG)
			d->st.name_long++;
		return -EBADMSG;
	}
	if (partial)
		d->st.malformed++;
	/* A to-client message with QR clear is taken as a response all the same, as
	 * Suricata does (it only raises not_response). */
	m = msg_save(d, id, flags, to_server);
	if (!m) {
		d->st.malformed++;
		return 0;
	}
	on_tx(df, to_server, m);
	return 0;
}

/* ---- TCP framing (RFC 7766 8: two-octet length, then the message) ---- */

static int tcp_feed(struct sw_dns *d, struct sw_dns_flow *df, bool to_server, const uint8_t *data, uint32_t len)
{
	struct tcp_dir *td = &df->tcp[to_server ? 0 : 1];

	while (len && !td->stop) {
		uint32_t need, take;

		if (!td->have && len >= 2) {
			uint32_t mlen = (uint32_t)data[0] << 8 | data[1];

			if (len - 2 >= mlen) {
				/* whole message in this call: parsed where it lies */
				data += 2;
				len -= 2;
				if (!mlen) {
					d->st.malformed++; /* Suricata skips an empty frame and goes on */
				} else if (on_message(d, df, to_server, data, mlen)) {
					td->stop = true; /* the next frame's start is no longer trusted */
				}
				data += mlen;
				len -= mlen;
				continue;
			}
		}
		/* a split message: hold it (one buffer per direction, allocated once) */
		if (!td->buf) {
			td->buf = malloc(DNS_TCP_MSG_MAX + 2);
			if (!td->buf) {
				d->st.malformed++;
				td->stop = true;
				break;
			}
			d->st.memuse += DNS_TCP_MSG_MAX + 2;
		}
		need = td->have < 2 ? 2 : 2 + ((uint32_t)td->buf[0] << 8 | td->buf[1]);
		take = need - td->have < len ? need - td->have : len;
		memcpy(td->buf + td->have, data, take);
		td->have += take;
		data += take;
		len -= take;
		if (td->have < 2)
			continue;
		need = 2 + ((uint32_t)td->buf[0] << 8 | td->buf[1]);
		if (td->have < need)
			continue;
		td->have = 0;
		if (need == 2)
			d->st.malformed++;
		else if (on_message(d, df, to_server, td->buf + 2, need - 2))
			td->stop = true;
	}
	return td->stop ? -EPROTO : 0;
}

/* ---- public ---- */

struct sw_dns *sw_dns_new(void)
{
	return calloc(1, sizeof(struct sw_dns));
}

void sw_dns_free(struct sw_dns *d)
{
	free(d);
}

struct sw_dns_flow *sw_dns_flow_new(struct sw_dns *d)
{
	struct sw_dns_flow *df = calloc(1, sizeof(*df));

	if (!df)
		return NULL;
	df->d = d;
	d->st.memuse += sizeof(*df);
	return df;
}

void sw_dns_flow_free(struct sw_dns *d, struct sw_dns_flow *df)
{
	struct dns_tx *t, *n;

	if (!df)
		return;
	for (t = df->head; t; t = n) {
		n = t->next;
		tx_free(d, t);
	}
	for (int i = 0; i < 2; i++) {
		if (df->tcp[i].buf)
			d->st.memuse -= DNS_TCP_MSG_MAX + 2;
		free(df->tcp[i].buf);
	}
	d->st.memuse -= sizeof(*df);
	free(df);
}

int sw_dns_data(struct sw_dns *d, struct sw_dns_flow *df, bool to_server, bool tcp, const uint8_t *data, uint32_t len,
		sw_app_emit_fn emit, void *ctx)
{
	int rc = 0;

	if (tcp && df->tcp[to_server ? 0 : 1].stop)
		return -EPROTO;
	if (!data)
		len = 0;
	if (df->closed || (tcp && !len))
		return 0;
	df->emit = emit;
	df->ctx = ctx;
	if (tcp)
		rc = tcp_feed(d, df, to_server, data, len);
	else
		(void)on_message(d, df, to_server, data, len); /* refused datagrams are counted, the next may be fine */
	df->emit = NULL;
	df->ctx = NULL;
	return rc;
}

void sw_dns_gap(struct sw_dns *d, struct sw_dns_flow *df, bool to_server)
{
	(void)d;
	/* Suricata resynchronises on a probe after a gap; we stop the direction: a length
	 * prefix guessed inside a message would frame garbage. */
	df->tcp[to_server ? 0 : 1].stop = true;
	df->tcp[to_server ? 0 : 1].have = 0;
}

void sw_dns_flow_close(struct sw_dns *d, struct sw_dns_flow *df, sw_app_emit_fn emit, void *ctx)
{
	(void)d;
	df->emit = emit;
	df->ctx = ctx;
	df->closed = true;
	/* Every transaction was reported whole when its message came: this finds
	 * nothing unless that ever changes; it keeps the exactly-once promise. */
	for (struct dns_tx *t = df->head; t; t = t->next)
		reach(t, SW_STAGE_TX_DONE);
	df->emit = NULL;
	df->ctx = NULL;
}

void sw_dns_flow_gc(struct sw_dns *d, struct sw_dns_flow *df)
{
	struct dns_tx **pp = &df->head, *prev = NULL;

	while (*pp) {
		struct dns_tx *t = *pp;

		if (t->reported != DNS_ALL_STAGES) {
			prev = t;
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		if (df->tail == t)
			df->tail = prev;
		tx_free(d, t);
	}
}

const struct sw_dns_stats *sw_dns_stats(const struct sw_dns *d)
{
	return &d->st;
}

/* The @idx-th kept record of section @sec of @m, or NULL. */
static const struct dns_rr *rr_at(const struct dns_msg *m, int sec, uint32_t idx)
{
	uint32_t base = 0;

	if (!m || idx >= m->n_sec[sec])
		return NULL;
	for (int s = 0; s < sec; s++)
		base += m->n_sec[s];
	return &m->rr[base + idx];
}

/*
 * The message that direction @to_server of transaction @t inspects: its
 * own, in the direction it travelled; none in the other.  Suricata 8 makes
 * a DNS transaction for one direction (AppLayerTxData::for_direction: a
 * request is never inspected to the client, a response never to the
 * server), so a rule evaluated in the other direction finds nothing.
 */
static const struct dns_msg *dir_msg(const struct dns_tx *t, bool to_server)
{
	return t->request == to_server ? t->m : NULL;
}

/*
 * Name instance @idx of section @sec: Suricata 8's SCDnsTxGet*Name
 * (rust/src/dns/dns.rs) return no buffer for an empty (root) name, and the
 * multi-buffer loop ends at the first index without one, so instances stop
 * there: callers ask for 0, 1, ... and stop at the first false.
 */
static bool sec_name(const struct dns_msg *m, int sec, uint32_t idx, const uint8_t **p, uint32_t *len)
{
	const struct dns_rr *r = rr_at(m, sec, idx);

	if (!r || !r->name_len)
		return false;
	*p = m->arena + r->name_off;
	*len = r->name_len;
	return true;
}

/*
 * dns.query: the idx-th question name of a request transaction, as
 * Suricata's dns_tx_get_query (rust/src/dns/detect.rs), which reads
 * tx.request only whatever the direction: a response transaction has no
 * dns.query (dns.queries.rrname covers responses in Suricata 8).  Where Suricata
 * returns no buffer for the root name (empty) and so stops looking at later
 * questions, we return it present and empty (app.h), so a second question
 * stays visible.
 *
 * The Suricata 8 buffers (src/detect-dns-name.c, src/detect-dns-response.c,
 * rust/src/dns/detect.rs) follow Suricata exactly, the end at an empty name
 * included: dns.queries.rrname and dns.query.name the questions,
 * dns.answers.rrname and dns.answer.name the answers' owner names, of the
 * message in the direction inspected (a request's answers are rare, but
 * inspected); dns.authorities.rrname and dns.additionals.rrname a
 * response's only (their getters read tx.response, which a request
 * transaction lacks); dns.response.rrname a response's instances listed by
 * resp_inst().
 */
bool sw_dns_tx_buf(const struct sw_app_tx *tx, enum sw_bufid buf, bool to_server, uint32_t idx, const uint8_t **p,
		   uint32_t *len)
{
	const struct dns_tx *t = (const struct dns_tx *)tx;
	const struct dns_msg *m = dir_msg(t, to_server);
	const struct dns_rr *r;

	if (tx->proto != SW_APP_DNS)
		return false;
	switch (buf) {
	case SW_BUF_DNS_QUERY:
		if (!t->request)
			return false;
		r = rr_at(t->m, SEC_QD, idx);
		if (!r)
			return false;
		*p = t->m->arena + r->name_off;
		*len = r->name_len;
		return true;
	case SW_BUF_DNS_QUERIES_RRNAME:
	case SW_BUF_DNS_QUERY_NAME:
		return m && sec_name(m, SEC_QD, idx, p, len);
	case SW_BUF_DNS_ANSWERS_RRNAME:
	case SW_BUF_DNS_ANSWER_NAME:
		return m && sec_name(m, SEC_AN, idx, p, len);
	case SW_BUF_DNS_AUTHORITIES_RRNAME:
		return m && !t->request && sec_name(m, SEC_NS, idx, p, len);
	case SW_BUF_DNS_ADDITIONALS_RRNAME:
		return m && !t->request && sec_name(m, SEC_AR, idx, p, len);
	case SW_BUF_DNS_RESPONSE_RRNAME:
		if (!m || t->request || idx >= m->n_ri)
			return false;
		r = &m->rr[m->ri[idx] / 2];
		if (m->ri[idx] & 1) {
			*p = m->arena + r->d1_off;
			*len = r->d1_len;
		} else {
			*p = m->arena + r->name_off;
			*len = r->name_len;
		}
		return true;
	default:
		return false;
	}
}

/*
 * dns.opcode, dns.rcode and dns.rrtype as rust/src/dns/detect.rs reads
 * them: the header of the message in the direction inspected; rrtype the
 * questions' types to the server, the answers' types to the client (a
 * response's questions are not looked at).
 */
bool sw_dns_tx_num(const struct sw_app_tx *tx, enum sw_txnum_kind kind, bool to_server, uint32_t idx, uint32_t *val)
{
	const struct dns_tx *t = (const struct dns_tx *)tx;
	const struct dns_msg *m = dir_msg(t, to_server);
	const struct dns_rr *r;

	if (tx->proto != SW_APP_DNS || !m)
		return false;
	switch (kind) {
	case SW_TXNUM_DNS_OPCODE:
		*val = (uint32_t)(m->flags >> 11) & 0xf;
		return idx == 0;
	case SW_TXNUM_DNS_RCODE:
		*val = m->flags & 0xfu;
		return idx == 0;
	case SW_TXNUM_DNS_RRTYPE:
		r = rr_at(m, to_server ? SEC_QD : SEC_AN, idx);
		if (!r)
			return false;
		*val = r->type;
		return true;
	default:
		return false; /* another protocol's field */
	}
}

/* ---- EVE ---- */

/*
 * A name or rdata string as Suricata's JsonBuilder set_string_from_bytes()
 * shows bytes that are not UTF-8: a byte >= 0x80 becomes the four
 * characters "\xHH".  We do it for every such byte (Suricata keeps valid
 * UTF-8 as text; our JSON writer escapes byte by byte, so this keeps the
 * record ASCII and unambiguous).
 */
static void json_bytes(struct sw_json *j, const char *key, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[256 * 4];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 4 <= sizeof(tmp); i++) {
		if (p[i] < 0x80) {
			tmp[o++] = (char)p[i];
		} else {
			tmp[o++] = '\\';
			tmp[o++] = 'x';
			tmp[o++] = hex[p[i] >> 4];
			tmp[o++] = hex[p[i] & 15];
		}
	}
	sw_json_strn(j, key, tmp, o);
}

/* rust/src/dns/dns.rs DNSRecordType, named as dns_rrtype_string() does (upper case), else the number. */
static const char *rrtype_name(uint16_t t, char buf[8])
{
	const char *n = sw_dns_rrtype_name(t);

	if (n)
		return n;
	snprintf(buf, 8, "%u", t);
	return buf;
}

/* dns_rcode_string(): the header's four RCODE bits (RFC 1035 4.1.1, RFC 6895 2.3). */
static const char *rcode_name(uint16_t flags, char buf[8])
{
	static const char *const names[] = {"NOERROR", "FORMERR",  "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
					    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
	unsigned rc = flags & 0xf;

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	snprintf(buf, 8, "%u", rc);
	return buf;
}

static void json_addr_key(struct sw_json *j, const char *key, const uint8_t *a, uint16_t n)
{
	char s[48] = "";

	/* dns_print_addr(): dotted quad, eight groups of four hex digits, else "" */
	if (n == 4)
		snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else if (n == 16)
		for (int i = 0; i < 16; i += 2)
			snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%02x%02x", i ? ":" : "", a[i], a[i + 1]);
	sw_json_str(j, key, s);
}

static void json_addr(struct sw_json *j, const uint8_t *a, uint16_t n)
{
	json_addr_key(j, "rdata", a, n);
}

static void json_soa(struct sw_json *j, const struct dns_msg *m, const struct dns_rr *r)
{
	const uint8_t *v = m->arena + r->d2_off + r->d2_len;
	static const char *const keys[] = {"serial", "refresh", "retry", "expire", "minimum"};

	sw_json_obj(j, "soa");
	json_bytes(j, "mname", m->arena + r->d1_off, r->d1_len);
	json_bytes(j, "rname", m->arena + r->d2_off, r->d2_len);
	for (int i = 0; i < 5; i++)
		sw_json_u64(j, keys[i], sw_load_be32(v + 4 * i));
	sw_json_close_obj(j);
}

static void json_hex(struct sw_json *j, const char *key, const uint8_t *p, size_t n, bool colons)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[3 * 1024];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 <= sizeof(tmp); i++) {
		if (colons && i)
			tmp[o++] = ':';
		tmp[o++] = hex[p[i] >> 4];
		tmp[o++] = hex[p[i] & 15];
	}
	sw_json_strn(j, key, tmp, o);
}

/*
 * One record object of answers/authorities/additionals, as
 * dns_log_json_answer_detail() writes it; @txt is the TXT string to show
 * (a TXT record is one object per string).  Objects only where the schema
 * has them: soa in answers and authorities, srv and sshfp in answers, opt
 * in additionals (Suricata writes them in any section).
 */
static void json_rr(struct sw_json *j, const struct dns_msg *m, const struct dns_rr *r, const uint8_t *txt,
		    uint8_t txt_len)
{
	const uint8_t *d1 = m->arena + r->d1_off;
	char tb[8];

	sw_json_obj(j, NULL);
	json_bytes(j, "rrname", m->arena + r->name_off, r->name_len);
	sw_json_str(j, "rrtype", rrtype_name(r->type, tb));
	sw_json_u64(j, "ttl", r->ttl);
	if (r->has_rd) {
		switch (r->type) {
		case T_A:
		case T_AAAA:
			json_addr(j, d1, r->d1_len);
			break;
		case T_CNAME:
		case T_NS:
		case T_PTR:
		case T_MX:
		case T_NULL:
			json_bytes(j, "rdata", d1, r->d1_len);
			break;
		case T_TXT:
			json_bytes(j, "rdata", txt, txt_len);
			break;
		case T_SOA:
			if (r->sec != SEC_AR)
				json_soa(j, m, r);
			break;
		case T_SRV:
			if (r->sec == SEC_AN) {
				const uint8_t *v = m->arena + r->d2_off;

				sw_json_obj(j, "srv");
				sw_json_u64(j, "priority", (unsigned)v[0] << 8 | v[1]);
				sw_json_u64(j, "weight", (unsigned)v[2] << 8 | v[3]);
				sw_json_u64(j, "port", (unsigned)v[4] << 8 | v[5]);
				json_bytes(j, "name", d1, r->d1_len);
				sw_json_close_obj(j);
			}
			break;
		case T_SSHFP:
			if (r->sec == SEC_AN) {
				sw_json_obj(j, "sshfp");
				json_hex(j, "fingerprint", d1 + 2, r->d1_len - 2u, true);
				sw_json_u64(j, "algo", d1[0]);
				sw_json_u64(j, "type", d1[1]);
				sw_json_close_obj(j);
			}
			break;
		case T_OPT:
			if (r->sec == SEC_AR && r->d1_len) {
				struct sw_buf o = sw_buf_make(d1, r->d1_len);
				uint16_t code, l;

				sw_json_arr(j, "opt");
				/* checked whole at parse time (opt_ok) */
				while (!sw_buf_get_be16(&o, &code) && !sw_buf_get_be16(&o, &l) &&
				       sw_buf_left(&o) >= l) {
					sw_json_obj(j, NULL);
					sw_json_u64(j, "code", code);
					json_hex(j, "data", sw_buf_cur(&o), l, false);
					sw_json_close_obj(j);
					o.off += l;
				}
				sw_json_close_arr(j);
			}
			break;
		default:
			break;
		}
	}
	sw_json_close_obj(j);
}

/* Whether the record lists already took the object's budget. */
static bool over(const struct sw_json *j, size_t start)
{
	return j->len - start > DNS_EVE_BUDGET;
}

static void json_section(struct sw_json *j, const struct dns_msg *m, int sec, const char *key, size_t start)
{
	bool open = false;

	for (uint32_t i = 0; i < m->n_sec[sec] && !over(j, start); i++) {
		const struct dns_rr *r = rr_at(m, sec, i);
		struct sw_buf txt;
		uint8_t l;

		/* Suricata: an OPT record without options is not logged */
		if (r->type == T_OPT && sec == SEC_AR && !r->d1_len && r->has_rd)
			continue;
		if (r->type == T_TXT && r->has_rd) {
			/* one object per string; a TXT without strings shows nothing */
			txt = sw_buf_make(m->arena + r->d1_off, r->d1_len);
			while (!sw_buf_get_u8(&txt, &l) && sw_buf_left(&txt) >= l && !over(j, start)) {
				if (!open)
					sw_json_arr(j, key);
				open = true;
				json_rr(j, m, r, sw_buf_cur(&txt), l);
				txt.off += l;
			}
			continue;
		}
		if (!open)
			sw_json_arr(j, key);
		open = true;
		json_rr(j, m, r, NULL, 0);
	}
	if (open)
		sw_json_close_arr(j);
}

/*
 * The "dns" object of Suricata 8's v3 logger (rust/src/dns/log.rs
 * log_json()) for one transaction: its message, "type" "request" or
 * "response".  tx_id is our per-flow transaction id, 0-based and counting
 * every message in arrival order as Suricata's does (suricata-verify
 * dns-udp-eve-dig: the request is tx 0, its response tx 1).  Fields checked
 * against the EVE schema's "dns" properties; the *_truncated flags never
 * appear as long names are refused, not cut.
 */
/*
 * Suricata's "grouped" (dns records only, not alerts): the answers' data by
 * type, {"A": [...], "CNAME": [...]}, types in order of first appearance,
 * for the types whose data is an address, a name or text.
 */
static void json_grouped(struct sw_json *j, const struct dns_msg *m, size_t start)
{
	bool open = false;

	for (uint32_t i = 0; i < m->n_sec[SEC_AN] && !over(j, start); i++) {
		const struct dns_rr *r = rr_at(m, SEC_AN, i);
		bool first = true;
		char tb[8];

		if (!r->has_rd || (r->type != T_A && r->type != T_AAAA && r->type != T_CNAME && r->type != T_NS &&
				   r->type != T_PTR && r->type != T_MX && r->type != T_TXT))
			continue;
		for (uint32_t k = 0; k < i && first; k++)
			first = rr_at(m, SEC_AN, k)->type != r->type || !rr_at(m, SEC_AN, k)->has_rd;
		if (!first)
			continue; /* this type's group was written with its first record */
		if (!open)
			sw_json_obj(j, "grouped");
		open = true;
		sw_json_arr(j, rrtype_name(r->type, tb));
		for (uint32_t k = i; k < m->n_sec[SEC_AN]; k++) {
			const struct dns_rr *x = rr_at(m, SEC_AN, k);
			const uint8_t *d1 = m->arena + x->d1_off;

			if (x->type != r->type || !x->has_rd)
				continue;
			if (x->type == T_A || x->type == T_AAAA) {
				json_addr_key(j, NULL, d1, x->d1_len);
			} else if (x->type == T_TXT) {
				struct sw_buf txt = sw_buf_make(d1, x->d1_len);
				uint8_t l;

				while (!sw_buf_get_u8(&txt, &l) && sw_buf_left(&txt) >= l) {
					json_bytes(j, NULL, sw_buf_cur(&txt), l);
					txt.off += l;
				}
			} else {
				json_bytes(j, NULL, d1, x->d1_len);
			}
		}
		sw_json_close_arr(j);
	}
	if (open)
		sw_json_close_obj(j);
}

bool sw_dns_tx_is_request(const struct sw_app_tx *tx)
{
	return tx->proto == SW_APP_DNS && ((const struct dns_tx *)tx)->request;
}

void sw_dns_tx_eve(const struct sw_app_tx *tx, struct sw_json *j, bool record)
{
	const struct dns_tx *t = (const struct dns_tx *)tx;
	const struct dns_msg *m;
	char b1[8], b2[8];
	size_t start;

	if (tx->proto != SW_APP_DNS)
		return;
	m = t->m;
	sw_json_obj(j, "dns");
	sw_json_u64(j, "version", 3);
	sw_json_str(j, "type", t->request ? "request" : "response");
	sw_json_u64(j, "tx_id", tx->id);
	sw_json_u64(j, "id", m->id);
	snprintf(b1, sizeof(b1), "%x", m->flags);
	sw_json_str(j, "flags", b1);
	/* RFC 1035 4.1.1 header bits; Suricata writes only the set ones */
	if (m->flags & 0x8000)
		sw_json_bool(j, "qr", true);
	if (m->flags & 0x0400)
		sw_json_bool(j, "aa", true);
	if (m->flags & 0x0200)
		sw_json_bool(j, "tc", true);
	if (m->flags & 0x0100)
		sw_json_bool(j, "rd", true);
	if (m->flags & 0x0080)
		sw_json_bool(j, "ra", true);
	if (m->flags & 0x0040)
		sw_json_bool(j, "z", true);
	sw_json_u64(j, "opcode", (m->flags >> 11) & 0xf);
	sw_json_str(j, "rcode", rcode_name(m->flags, b2));
	start = j->len;
	if (m->n_sec[SEC_QD]) {
		sw_json_arr(j, "queries");
		for (uint32_t i = 0; i < m->n_sec[SEC_QD]; i++) {
			const struct dns_rr *r = rr_at(m, SEC_QD, i);

			if (i && over(j, start))
				break;
			sw_json_obj(j, NULL);
			json_bytes(j, "rrname", m->arena + r->name_off, r->name_len);
			sw_json_str(j, "rrtype", rrtype_name(r->type, b1));
			sw_json_close_obj(j);
		}
		sw_json_close_arr(j);
	}
	json_section(j, m, SEC_AN, "answers", start);
	json_section(j, m, SEC_NS, "authorities", start);
	json_section(j, m, SEC_AR, "additionals", start);
	if (record)
		json_grouped(j, m, start);
	sw_json_close_obj(j);
}
