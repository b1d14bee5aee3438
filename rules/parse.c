/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One Suricata rule line -> struct sw_rule.  Hand-written scanner: the header
 * is seven whitespace-separated fields (brackets may contain spaces), the body
 * is `keyword[:value];` pairs where a value ends at the first ';' outside
 * double quotes.  Every error carries the column of the offending token.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/dns_names.h"
#include "common/tcp.h"
#include "rules_int.h"

#define QMAX 80 /* longest token quoted in a message */
#define Q(l) ((int)((l) > QMAX ? QMAX : (l)))

int perr(struct perr *e, size_t col0, const char *fmt, ...)
{
	va_list ap;

	if (e && !e->set) {
		e->set = true;
		e->column = (uint32_t)(col0 + 1);
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A slice of the rule line with its 0-based column. */
struct tok {
	const char *s;
	size_t len, col;
};

enum once {
	K_MSG, K_SID, K_REV, K_GID, K_CLASSTYPE, K_PRIORITY, K_FLOW, K_FLAGS, K_TTL, K_ITYPE,
	K_ICODE, K_ICMP_ID, K_ICMP_SEQ, K_IP_PROTO, K_TCP_MSS, K_DSIZE, K_THRESHOLD, K_DFILTER,
	K_TARGET, K_STREAM_SIZE, K_MAX
};

struct pctx {
	struct sw_rules *rs;
	const char *line;
	struct sw_rule *r;
	struct perr *e;
	size_t pm_cap, fb_cap, md_cap, ref_cap;
	size_t *pm_col;    /* 0-based column of the keyword that made each pm (errors after regrouping) */
	int last_content;  /* index in pm of the most recent content, -1 none */
	int fp_explicit;   /* index of the content marked fast_pattern, -1 none */
	uint8_t cur_buf;   /* enum sw_bufid selected by the last sticky buffer keyword */
	uint8_t cur_xform; /* SW_XFORM_* given right after that keyword (0 after pkt_data) */
	/*
	 * Transforms of the current sticky buffer: allowed while it has no
	 * keyword yet (xform_open); one given but not yet followed by a keyword
	 * (xform_unused) is an error at the next buffer switch or the rule's end.
	 */
	bool xform_open, xform_unused;
	size_t xform_col;
	struct tok proto;  /* the header's protocol token */
	/* The keyword that made a tcp/udp/ip rule an application-layer rule ("" if the header did, or none). */
	char app_kw[48];
	/* The first keyword that needs the response (checked against flow:to_server at the end). */
	bool resp_set;
	size_t resp_col;
	char resp_kw[48];
	/* The first keyword that only the request has (checked against flow:to_client at the end). */
	bool req_set;
	size_t req_col;
	char req_kw[48];
	bool seen[K_MAX];
	char varname[SW_RULE_MAX_VARS][33];
	int var_pm[SW_RULE_MAX_VARS]; /* index in pm of the byte_extract defining each variable */
};

static int push_elem(void *arr, uint32_t *n, size_t size, const void *elem);

static bool tok_eq(const struct tok *t, const char *s)
{
	return strlen(s) == t->len && strncasecmp(t->s, s, t->len) == 0;
}

static void trim(struct tok *t)
{
	while (t->len && isspace((unsigned char)*t->s)) {
		t->s++;
		t->len--;
		t->col++;
	}
	while (t->len && isspace((unsigned char)t->s[t->len - 1]))
		t->len--;
}

/* Split @v on @sep (outside quotes) into at most @max trimmed parts; -1 if more. */
static int split(const struct tok *v, char sep, struct tok *parts, int max)
{
	int n = 0;
	size_t start = 0;
	bool q = false;

	for (size_t i = 0; i <= v->len; i++) {
		if (i < v->len && v->s[i] == '\\' && q) {
			i++;
			continue;
		}
		if (i < v->len && v->s[i] == '"')
			q = !q;
		if (i == v->len || (!q && v->s[i] == sep)) {
			if (n == max)
				return -1;
			parts[n].s = v->s + start;
			parts[n].len = i - start;
			parts[n].col = v->col + start;
			trim(&parts[n]);
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* Decimal (or 0x hex when @hex) integer in [lo, hi]. */
static int parse_num(const struct tok *t, int64_t lo, int64_t hi, bool hex, int64_t *out)
{
	char buf[32], *end;
	long long v;
	unsigned long long u;

	if (t->len == 0 || t->len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	if (!isdigit((unsigned char)buf[0]) && !(buf[0] == '-' && isdigit((unsigned char)buf[1])) &&
	    !(buf[0] == '+' && isdigit((unsigned char)buf[1])))
		return -EINVAL;
	errno = 0;
	if (hex && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		if (!isxdigit((unsigned char)buf[2]))
			return -EINVAL;
		u = strtoull(buf, &end, 16);
		if (u > INT64_MAX)
			return -ERANGE;
		v = (long long)u;
	} else {
		v = strtoll(buf, &end, 10);
	}
	if (*end)
		return -EINVAL;
	if (errno || v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

static int num_or_err(struct pctx *c, const struct tok *t, const char *kw, int64_t lo, int64_t hi,
		      bool hex, int64_t *out)
{
	int ret = parse_num(t, lo, hi, hex, out);

	if (ret == -ERANGE)
		return perr(c->e, t->col, "%s value out of range (%lld-%lld): '%.*s'", kw, (long long)lo,
			    (long long)hi, Q(t->len), t->s);
	if (ret < 0)
		return perr(c->e, t->col, "invalid %s value: '%.*s'", kw, Q(t->len), t->s);
	return 0;
}

static int find_var(struct pctx *c, const struct tok *t)
{
	for (int i = 0; i < c->r->n_vars; i++)
		if (strlen(c->varname[i]) == t->len && strncmp(c->varname[i], t->s, t->len) == 0)
			return i;
	return -1;
}

/* A literal in [lo, hi] or the name of a byte_extract variable. */
static int parse_operand(struct pctx *c, const struct tok *t, const char *kw, int64_t lo, int64_t hi,
			 struct sw_operand *op)
{
	int64_t v;

	if (t->len && (isalpha((unsigned char)t->s[0]) || t->s[0] == '_')) {
		int i = find_var(c, t);
		if (i < 0)
			return perr(c->e, t->col, "unknown byte_extract variable '%.*s' in %s", Q(t->len), t->s, kw);
		op->var = (int8_t)i;
		op->value = 0;
		return 0;
	}
	if (num_or_err(c, t, kw, lo, hi, false, &v) < 0)
		return -EINVAL;
	op->var = -1;
	op->value = (int32_t)v;
	return 0;
}

/* Strip surrounding quotes; an opening quote without a closing one is an error. */
static int unquote(struct pctx *c, struct tok *t, const char *kw, bool required)
{
	if (t->len && t->s[0] == '"') {
		if (t->len < 2 || t->s[t->len - 1] != '"')
			return perr(c->e, t->col, "unterminated quote in %s: '%.*s'", kw, Q(t->len), t->s);
		t->s++;
		t->len -= 2;
		t->col++;
		return 0;
	}
	if (required)
		return perr(c->e, t->col, "%s needs a quoted string: '%.*s'", kw, Q(t->len), t->s);
	return 0;
}

static char *unescape_dup(const struct tok *t)
{
	char *o = malloc(t->len + 1);
	size_t n = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] == '\\' && i + 1 < t->len)
			i++;
		o[n++] = t->s[i];
	}
	o[n] = '\0';
	return o;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* content bytes: |hex| segments and \; \" \\ \: escapes. */
static int decode_content(struct pctx *c, const struct tok *t, uint8_t **out, uint32_t *outlen)
{
	uint8_t *b = malloc(t->len + 1);
	size_t n = 0, hexstart = 0;
	bool inhex = false;
	int hi = -1;

	if (!b)
		return perr(c->e, t->col, "out of memory");
	for (size_t i = 0; i < t->len; i++) {
		char ch = t->s[i];
		if (inhex) {
			if (ch == '|') {
				if (hi >= 0)
					goto badhex;
				inhex = false;
			} else if (isspace((unsigned char)ch)) {
				continue;
			} else if (hexval(ch) < 0) {
				goto badhex;
			} else if (hi < 0) {
				hi = hexval(ch);
			} else {
				b[n++] = (uint8_t)(hi << 4 | hexval(ch));
				hi = -1;
			}
			continue;
		}
		if (ch == '|') {
			inhex = true;
			hexstart = i;
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= t->len || !strchr(";\"\\:", t->s[i + 1])) {
				free(b);
				return perr(c->e, t->col + i, "invalid escape in content: '%.*s'",
					    i + 1 < t->len ? 2 : 1, t->s + i);
			}
			ch = t->s[++i];
		} else if (ch == '"' || ch == ';') {
			free(b);
			return perr(c->e, t->col + i, "unescaped '%c' in content", ch);
		}
		b[n++] = (uint8_t)ch;
	}
	if (inhex) {
		free(b);
		return perr(c->e, t->col + hexstart, "unterminated hex in content: '%.*s'",
			    Q(t->len - hexstart), t->s + hexstart);
	}
	if (n == 0) {
		free(b);
		return perr(c->e, t->col, "empty content");
	}
	*out = b;
	*outlen = (uint32_t)n;
	return 0;
badhex : {
	size_t end = hexstart + 1;
	while (end < t->len && t->s[end] != '|')
		end++;
	if (end < t->len)
		end++;
	free(b);
	return perr(c->e, t->col + hexstart, "invalid hex in content: '%.*s'", Q(end - hexstart),
		    t->s + hexstart);
}
}

/* A new payload keyword in the current buffer; @col is where its keyword or value starts. */
static struct sw_pm *pm_new(struct pctx *c, enum sw_pm_kind kind, size_t col)
{
	struct sw_pm *pm;

	if (c->r->n_pm == c->pm_cap) {
		size_t nc = c->pm_cap ? c->pm_cap * 2 : 4;
		struct sw_pm *n = realloc(c->r->pm, nc * sizeof(*n));
		size_t *ncol;
		if (!n)
			return NULL;
		c->r->pm = n;
		ncol = realloc(c->pm_col, nc * sizeof(*ncol));
		if (!ncol)
			return NULL;
		c->pm_col = ncol;
		c->pm_cap = nc;
	}
	c->pm_col[c->r->n_pm] = col;
	pm = &c->r->pm[c->r->n_pm++];
	memset(pm, 0, sizeof(*pm));
	pm->kind = kind;
	pm->buf = c->cur_buf;
	pm->xform = c->cur_xform;
	if (c->cur_buf != SW_BUF_PAYLOAD)
		c->xform_open = c->xform_unused = false; /* the buffer now has a keyword */
	return pm;
}

static int push_str(char ***arr, uint32_t *n, size_t *cap, const char *s, size_t len)
{
	char *d;

	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		char **na = realloc(*arr, nc * sizeof(*na));
		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = nc;
	}
	d = strndup(s, len);
	if (!d)
		return -ENOMEM;
	(*arr)[(*n)++] = d;
	return 0;
}

/* ---- numeric comparisons ---- */

static int parse_cmp(struct pctx *c, const struct tok *kw, struct tok v, uint32_t max,
		     struct sw_num_match *m)
{
	const char *rng;
	int64_t a, b;
	struct tok t = v;
	char kwb[32];

	snprintf(kwb, sizeof(kwb), "%.*s", (int)(kw->len > 31 ? 31 : kw->len), kw->s);
	if (!v.len)
		return perr(c->e, kw->col, "%s needs a value", kwb);
	rng = v.len > 2 ? strstr(v.s, "<>") : NULL;
	if (rng && rng < v.s + v.len - 1) {
		struct tok l = { v.s, (size_t)(rng - v.s), v.col }, r = { rng + 2, v.len - (size_t)(rng - v.s) - 2,
			v.col + (size_t)(rng - v.s) + 2 };
		trim(&l);
		trim(&r);
		if (num_or_err(c, &l, kwb, 0, max, false, &a) < 0 || num_or_err(c, &r, kwb, 0, max, false, &b) < 0)
			return -EINVAL;
		if (a >= b)
			return perr(c->e, v.col, "invalid %s range '%.*s'", kwb, Q(v.len), v.s);
		m->op = SW_CMP_RANGE;
		m->a = (uint32_t)a;
		m->b = (uint32_t)b;
		m->set = true;
		return 0;
	}
	m->op = SW_CMP_EQ;
	if (t.len >= 2 && t.s[0] == '<' && t.s[1] == '=') {
		m->op = SW_CMP_LE;
		t.s += 2, t.len -= 2, t.col += 2;
	} else if (t.len >= 2 && t.s[0] == '>' && t.s[1] == '=') {
		m->op = SW_CMP_GE;
		t.s += 2, t.len -= 2, t.col += 2;
	} else if (t.len && (t.s[0] == '<' || t.s[0] == '>' || t.s[0] == '!' || t.s[0] == '=')) {
		m->op = t.s[0] == '<' ? SW_CMP_LT : t.s[0] == '>' ? SW_CMP_GT : t.s[0] == '!' ? SW_CMP_NE : SW_CMP_EQ;
		t.s++, t.len--, t.col++;
	}
	trim(&t);
	if (num_or_err(c, &t, kwb, 0, max, false, &a) < 0)
		return -EINVAL;
	m->a = (uint32_t)a;
	m->set = true;
	return 0;
}

/* ---- application-layer buffers ---- */

static const char *const buf_names[SW_BUF_N] = {
	[SW_BUF_PAYLOAD] = "payload",
	[SW_BUF_HTTP_URI] = "http.uri",
	[SW_BUF_HTTP_URI_RAW] = "http.uri.raw",
	[SW_BUF_HTTP_METHOD] = "http.method",
	[SW_BUF_HTTP_REQUEST_LINE] = "http.request_line",
	[SW_BUF_HTTP_HOST] = "http.host",
	[SW_BUF_HTTP_HOST_RAW] = "http.host.raw",
	[SW_BUF_HTTP_USER_AGENT] = "http.user_agent",
	[SW_BUF_HTTP_REFERER] = "http.referer",
	[SW_BUF_HTTP_ACCEPT] = "http.accept",
	[SW_BUF_HTTP_ACCEPT_ENC] = "http.accept_enc",
	[SW_BUF_HTTP_ACCEPT_LANG] = "http.accept_lang",
	[SW_BUF_HTTP_REQUEST_BODY] = "http.request_body",
	[SW_BUF_HTTP_REQUEST_HEADER] = "http.request_header",
	[SW_BUF_HTTP_STAT_CODE] = "http.stat_code",
	[SW_BUF_HTTP_STAT_MSG] = "http.stat_msg",
	[SW_BUF_HTTP_RESPONSE_LINE] = "http.response_line",
	[SW_BUF_HTTP_RESPONSE_BODY] = "http.response_body",
	[SW_BUF_HTTP_LOCATION] = "http.location",
	[SW_BUF_HTTP_SERVER] = "http.server",
	[SW_BUF_HTTP_RESPONSE_HEADER] = "http.response_header",
	[SW_BUF_HTTP_HEADER] = "http.header",
	[SW_BUF_HTTP_HEADER_RAW] = "http.header.raw",
	[SW_BUF_HTTP_HEADER_NAMES] = "http.header_names",
	[SW_BUF_HTTP_COOKIE] = "http.cookie",
	[SW_BUF_HTTP_CONTENT_TYPE] = "http.content_type",
	[SW_BUF_HTTP_CONTENT_LEN] = "http.content_len",
	[SW_BUF_HTTP_START] = "http.start",
	[SW_BUF_HTTP_PROTOCOL] = "http.protocol",
	[SW_BUF_HTTP_CONNECTION] = "http.connection",
	[SW_BUF_FILE_DATA] = "file.data",
	[SW_BUF_DNS_QUERY] = "dns.query",
	[SW_BUF_DNS_QUERIES_RRNAME] = "dns.queries.rrname",
	[SW_BUF_DNS_ANSWERS_RRNAME] = "dns.answers.rrname",
	[SW_BUF_DNS_AUTHORITIES_RRNAME] = "dns.authorities.rrname",
	[SW_BUF_DNS_ADDITIONALS_RRNAME] = "dns.additionals.rrname",
	[SW_BUF_DNS_RESPONSE_RRNAME] = "dns.response.rrname",
	[SW_BUF_DNS_QUERY_NAME] = "dns.query.name",
	[SW_BUF_DNS_ANSWER_NAME] = "dns.answer.name",
	[SW_BUF_TLS_SNI] = "tls.sni",
	[SW_BUF_TLS_CERT_SUBJECT] = "tls.cert_subject",
	[SW_BUF_TLS_CERT_ISSUER] = "tls.cert_issuer",
	[SW_BUF_TLS_CERT_SERIAL] = "tls.cert_serial",
	[SW_BUF_TLS_CERT_FINGERPRINT] = "tls.cert_fingerprint",
	[SW_BUF_TLS_CERTS] = "tls.certs",
	[SW_BUF_TLS_SUBJECTALTNAME] = "tls.subjectaltname",
	[SW_BUF_TLS_ALPN] = "tls.alpn",
	[SW_BUF_TLS_RANDOM] = "tls.random",
	[SW_BUF_TLS_RANDOM_TIME] = "tls.random_time",
	[SW_BUF_TLS_RANDOM_BYTES] = "tls.random_bytes",
	[SW_BUF_JA3_HASH] = "ja3.hash",
	[SW_BUF_JA3_STRING] = "ja3.string",
	[SW_BUF_JA3S_HASH] = "ja3s.hash",
	[SW_BUF_JA3S_STRING] = "ja3s.string",
	[SW_BUF_JA4_HASH] = "ja4.hash",
	[SW_BUF_SSH_PROTO] = "ssh.proto",
	[SW_BUF_SSH_SOFTWARE] = "ssh.software",
};

const char *sw_buf_name(enum sw_bufid b)
{
	return (unsigned)b < SW_BUF_N ? buf_names[b] : NULL;
}

/*
 * Keywords that select a buffer.  Suricata has two kinds: sticky buffers
 * (every later payload keyword goes to the buffer, until the next sticky
 * buffer or pkt_data) and the older content modifiers, which move only the
 * content just before them.  The legacy underscore name of a buffer is a
 * sticky buffer or a modifier depending on when Suricata added it: the
 * buffers that predate sticky buffers (http_uri ... http_server_body) kept
 * modifier semantics, the later ones (http_accept, http_start ...) are
 * aliases of the dotted sticky name (Suricata src/detect-http-*.c,
 * KEYWORD_NAME_LEGACY).  dns_query is an alias of the sticky dns.query
 * (Suricata rust/src/dns/detect.rs, SCDetectHelperKeywordAliasRegister).
 */
enum bufkw_kind { BK_STICKY, BK_MODIFIER };

static const struct bufkw {
	const char *name;
	uint8_t buf;
	uint8_t kind;
} buf_kw[] = {
	{ "pkt_data", SW_BUF_PAYLOAD, BK_STICKY },
	{ "http.uri", SW_BUF_HTTP_URI, BK_STICKY },
	{ "http_uri", SW_BUF_HTTP_URI, BK_MODIFIER },
	{ "http.uri.raw", SW_BUF_HTTP_URI_RAW, BK_STICKY },
	{ "http_raw_uri", SW_BUF_HTTP_URI_RAW, BK_MODIFIER },
	{ "http.method", SW_BUF_HTTP_METHOD, BK_STICKY },
	{ "http_method", SW_BUF_HTTP_METHOD, BK_MODIFIER },
	{ "http.request_line", SW_BUF_HTTP_REQUEST_LINE, BK_STICKY },
	{ "http_request_line", SW_BUF_HTTP_REQUEST_LINE, BK_STICKY },
	{ "http.host", SW_BUF_HTTP_HOST, BK_STICKY },
	{ "http_host", SW_BUF_HTTP_HOST, BK_MODIFIER },
	{ "http.host.raw", SW_BUF_HTTP_HOST_RAW, BK_STICKY },
	{ "http_raw_host", SW_BUF_HTTP_HOST_RAW, BK_MODIFIER },
	{ "http.user_agent", SW_BUF_HTTP_USER_AGENT, BK_STICKY },
	{ "http_user_agent", SW_BUF_HTTP_USER_AGENT, BK_MODIFIER },
	{ "http.referer", SW_BUF_HTTP_REFERER, BK_STICKY },
	{ "http_referer", SW_BUF_HTTP_REFERER, BK_STICKY },
	{ "http.accept", SW_BUF_HTTP_ACCEPT, BK_STICKY },
	{ "http_accept", SW_BUF_HTTP_ACCEPT, BK_STICKY },
	{ "http.accept_enc", SW_BUF_HTTP_ACCEPT_ENC, BK_STICKY },
	{ "http_accept_enc", SW_BUF_HTTP_ACCEPT_ENC, BK_STICKY },
	{ "http.accept_lang", SW_BUF_HTTP_ACCEPT_LANG, BK_STICKY },
	{ "http_accept_lang", SW_BUF_HTTP_ACCEPT_LANG, BK_STICKY },
	{ "http.request_body", SW_BUF_HTTP_REQUEST_BODY, BK_STICKY },
	{ "http_client_body", SW_BUF_HTTP_REQUEST_BODY, BK_MODIFIER },
	{ "http.request_header", SW_BUF_HTTP_REQUEST_HEADER, BK_STICKY },
	{ "http.stat_code", SW_BUF_HTTP_STAT_CODE, BK_STICKY },
	{ "http_stat_code", SW_BUF_HTTP_STAT_CODE, BK_MODIFIER },
	{ "http.stat_msg", SW_BUF_HTTP_STAT_MSG, BK_STICKY },
	{ "http_stat_msg", SW_BUF_HTTP_STAT_MSG, BK_MODIFIER },
	{ "http.response_line", SW_BUF_HTTP_RESPONSE_LINE, BK_STICKY },
	{ "http_response_line", SW_BUF_HTTP_RESPONSE_LINE, BK_STICKY },
	{ "http.response_body", SW_BUF_HTTP_RESPONSE_BODY, BK_STICKY },
	{ "http_server_body", SW_BUF_HTTP_RESPONSE_BODY, BK_MODIFIER },
	{ "http.location", SW_BUF_HTTP_LOCATION, BK_STICKY },
	{ "http.server", SW_BUF_HTTP_SERVER, BK_STICKY },
	{ "http.response_header", SW_BUF_HTTP_RESPONSE_HEADER, BK_STICKY },
	{ "http.header", SW_BUF_HTTP_HEADER, BK_STICKY },
	{ "http_header", SW_BUF_HTTP_HEADER, BK_MODIFIER },
	{ "http.header.raw", SW_BUF_HTTP_HEADER_RAW, BK_STICKY },
	{ "http_raw_header", SW_BUF_HTTP_HEADER_RAW, BK_MODIFIER },
	{ "http.header_names", SW_BUF_HTTP_HEADER_NAMES, BK_STICKY },
	{ "http_header_names", SW_BUF_HTTP_HEADER_NAMES, BK_STICKY },
	{ "http.cookie", SW_BUF_HTTP_COOKIE, BK_STICKY },
	{ "http_cookie", SW_BUF_HTTP_COOKIE, BK_MODIFIER },
	{ "http.content_type", SW_BUF_HTTP_CONTENT_TYPE, BK_STICKY },
	{ "http_content_type", SW_BUF_HTTP_CONTENT_TYPE, BK_STICKY },
	{ "http.content_len", SW_BUF_HTTP_CONTENT_LEN, BK_STICKY },
	{ "http_content_len", SW_BUF_HTTP_CONTENT_LEN, BK_STICKY },
	{ "http.start", SW_BUF_HTTP_START, BK_STICKY },
	{ "http_start", SW_BUF_HTTP_START, BK_STICKY },
	{ "http.protocol", SW_BUF_HTTP_PROTOCOL, BK_STICKY },
	{ "http_protocol", SW_BUF_HTTP_PROTOCOL, BK_STICKY },
	{ "http.connection", SW_BUF_HTTP_CONNECTION, BK_STICKY },
	{ "http_connection", SW_BUF_HTTP_CONNECTION, BK_STICKY },
	{ "file.data", SW_BUF_FILE_DATA, BK_STICKY },
	{ "file_data", SW_BUF_FILE_DATA, BK_STICKY },
	{ "dns.query", SW_BUF_DNS_QUERY, BK_STICKY },
	{ "dns_query", SW_BUF_DNS_QUERY, BK_STICKY },
	{ "dns.queries.rrname", SW_BUF_DNS_QUERIES_RRNAME, BK_STICKY },
	{ "dns.answers.rrname", SW_BUF_DNS_ANSWERS_RRNAME, BK_STICKY },
	{ "dns.authorities.rrname", SW_BUF_DNS_AUTHORITIES_RRNAME, BK_STICKY },
	{ "dns.additionals.rrname", SW_BUF_DNS_ADDITIONALS_RRNAME, BK_STICKY },
	{ "dns.response.rrname", SW_BUF_DNS_RESPONSE_RRNAME, BK_STICKY },
	{ "dns.query.name", SW_BUF_DNS_QUERY_NAME, BK_STICKY },
	{ "dns.answer.name", SW_BUF_DNS_ANSWER_NAME, BK_STICKY },
	/* TLS: every legacy name is an alias of the sticky buffer (Suricata detect-tls-*.c, detect-ja*.c) */
	{ "tls.sni", SW_BUF_TLS_SNI, BK_STICKY },
	{ "tls_sni", SW_BUF_TLS_SNI, BK_STICKY },
	{ "tls.cert_subject", SW_BUF_TLS_CERT_SUBJECT, BK_STICKY },
	{ "tls_cert_subject", SW_BUF_TLS_CERT_SUBJECT, BK_STICKY },
	{ "tls.cert_issuer", SW_BUF_TLS_CERT_ISSUER, BK_STICKY },
	{ "tls_cert_issuer", SW_BUF_TLS_CERT_ISSUER, BK_STICKY },
	{ "tls.cert_serial", SW_BUF_TLS_CERT_SERIAL, BK_STICKY },
	{ "tls_cert_serial", SW_BUF_TLS_CERT_SERIAL, BK_STICKY },
	{ "tls.cert_fingerprint", SW_BUF_TLS_CERT_FINGERPRINT, BK_STICKY },
	{ "tls_cert_fingerprint", SW_BUF_TLS_CERT_FINGERPRINT, BK_STICKY },
	{ "tls.certs", SW_BUF_TLS_CERTS, BK_STICKY },
	{ "tls.subjectaltname", SW_BUF_TLS_SUBJECTALTNAME, BK_STICKY },
	{ "tls.alpn", SW_BUF_TLS_ALPN, BK_STICKY },
	{ "tls.random", SW_BUF_TLS_RANDOM, BK_STICKY },
	{ "tls.random_time", SW_BUF_TLS_RANDOM_TIME, BK_STICKY },
	{ "tls.random_bytes", SW_BUF_TLS_RANDOM_BYTES, BK_STICKY },
	{ "ja3.hash", SW_BUF_JA3_HASH, BK_STICKY },
	{ "ja3_hash", SW_BUF_JA3_HASH, BK_STICKY },
	{ "ja3.string", SW_BUF_JA3_STRING, BK_STICKY },
	{ "ja3_string", SW_BUF_JA3_STRING, BK_STICKY },
	{ "ja3s.hash", SW_BUF_JA3S_HASH, BK_STICKY },
	{ "ja3s.string", SW_BUF_JA3S_STRING, BK_STICKY },
	{ "ja4.hash", SW_BUF_JA4_HASH, BK_STICKY },
	{ "ja4_hash", SW_BUF_JA4_HASH, BK_STICKY },
	{ "ssh.proto", SW_BUF_SSH_PROTO, BK_STICKY },
	{ "ssh_proto", SW_BUF_SSH_PROTO, BK_STICKY },
	{ "ssh.software", SW_BUF_SSH_SOFTWARE, BK_STICKY },
	{ "ssh_software", SW_BUF_SSH_SOFTWARE, BK_STICKY },
};

static const struct bufkw *find_buf_kw(const struct tok *kw)
{
	for (size_t i = 0; i < sizeof(buf_kw) / sizeof(buf_kw[0]); i++)
		if (tok_eq(kw, buf_kw[i].name))
			return &buf_kw[i];
	return NULL;
}

/* Buffers that only exist in the response ("resp" in rule.h). */
static bool buf_resp_only(uint8_t b)
{
	switch (b) {
	case SW_BUF_HTTP_STAT_CODE:
	case SW_BUF_HTTP_STAT_MSG:
	case SW_BUF_HTTP_RESPONSE_LINE:
	case SW_BUF_HTTP_RESPONSE_BODY:
	case SW_BUF_HTTP_LOCATION:
	case SW_BUF_HTTP_SERVER:
	case SW_BUF_HTTP_RESPONSE_HEADER:
	case SW_BUF_DNS_RESPONSE_RRNAME: /* Suricata registers it to_client only */
	case SW_BUF_TLS_SUBJECTALTNAME:
	case SW_BUF_JA3S_HASH:
	case SW_BUF_JA3S_STRING:
		return true;
	default:
		return false;
	}
}

/*
 * Buffers that only exist in the request, for which a to_client rule is
 * refused.  Suricata registers dns.query for to_server only and refuses a
 * rule whose keywords imply one direction while flow: says the other
 * ("rule mixes keywords with conflicting directions": detect-parse.c
 * SigConsolidateDirection, DetectFlowSetupImplicit).  It does the same for
 * http.uri and the other request buffers, but here a to_client HTTP rule may
 * use them (see parse_rule); dns.query is not given that leniency because
 * the name a to_client DNS rule means is the response's copy of the
 * question, which Suricata 8 inspects with a separate buffer
 * (dns.query.name, both directions), and a response is often seen without
 * its request (UDP).
 */
static bool buf_req_only(uint8_t b)
{
	switch (b) {
	case SW_BUF_DNS_QUERY:
	case SW_BUF_TLS_SNI:  /* TLS: registered to server only, like dns.query */
	case SW_BUF_JA3_HASH:
	case SW_BUF_JA3_STRING:
	case SW_BUF_JA4_HASH:
		return true;
	default:
		return false;
	}
}

/* The application protocol whose transactions have buffer @b (not SW_BUF_PAYLOAD). */
static enum sw_app_proto buf_app(uint8_t b)
{
	if (b >= SW_BUF_DNS_QUERY && b <= SW_BUF_DNS_ANSWER_NAME)
		return SW_APP_DNS;
	if (b >= SW_BUF_TLS_SNI && b <= SW_BUF_JA4_HASH)
		return SW_APP_TLS;
	if (b == SW_BUF_SSH_PROTO || b == SW_BUF_SSH_SOFTWARE)
		return SW_APP_SSH;
	return SW_APP_HTTP1;
}

/*
 * Keyword @kw (at @col) puts something in buffer @b: check that the rule's
 * protocol has that buffer, make a tcp/udp/ip rule an application-layer rule
 * of the buffer's protocol (Suricata sets the signature's alproto the same
 * way, and refuses a second, different one: SCDetectSignatureSetAppProto),
 * and remember the first keyword bound to one direction for the flow check
 * at the end.
 */
static int use_buf(struct pctx *c, uint8_t b, const char *kw, size_t col)
{
	struct sw_rule *r = c->r;
	enum sw_app_proto ap;

	if (b == SW_BUF_PAYLOAD)
		return 0;
	ap = buf_app(b);
	if (c->app_kw[0] && r->app_proto != ap)
		return perr(c->e, col, "'%s' is for %s, but '%s' made the rule %s", kw, sw_app_proto_name(ap),
			    c->app_kw, sw_app_proto_name(r->app_proto));
	if (r->app_proto != SW_APP_UNKNOWN && r->app_proto != ap) {
		/*
		 * Suricata's file.data also covers SMTP, SMB, FTP-DATA and NFS
		 * files, but only the HTTP parser here produces file data: such
		 * a rule would never match, so it is refused.
		 */
		if (b == SW_BUF_FILE_DATA)
			return perr(c->e, col, "'%s' is not supported for application protocol '%.*s'", kw,
				    Q(c->proto.len), c->proto.s);
		return perr(c->e, col, "'%s' needs application protocol %s, not '%.*s'", kw, sw_app_proto_name(ap),
			    Q(c->proto.len), c->proto.s);
	}
	/*
	 * tcp-pkt and tcp-stream restrict payload inspection, which means
	 * nothing for a transaction's buffer.  HTTP runs on TCP only, DNS on UDP
	 * and TCP (an "alert dns" rule is SW_RP_IP).
	 */
	if (ap == SW_APP_DNS) {
		if (r->proto != SW_RP_TCP && r->proto != SW_RP_UDP && r->proto != SW_RP_IP)
			return perr(c->e, col, "'%s' needs protocol udp, tcp or dns, not '%.*s'", kw, Q(c->proto.len),
				    c->proto.s);
	} else if (r->proto != SW_RP_TCP && r->proto != SW_RP_IP) {
		return perr(c->e, col, "'%s' needs protocol tcp or %s, not '%.*s'", kw, sw_app_proto_name(ap),
			    Q(c->proto.len), c->proto.s);
	}
	if (r->app_proto == SW_APP_UNKNOWN) {
		r->app_proto = ap;
		snprintf(c->app_kw, sizeof(c->app_kw), "%s", kw);
	}
	if (buf_resp_only(b) && !c->resp_set) {
		c->resp_set = true;
		c->resp_col = col;
		snprintf(c->resp_kw, sizeof(c->resp_kw), "%s", kw);
	}
	if (buf_req_only(b) && !c->req_set) {
		c->req_set = true;
		c->req_col = col;
		snprintf(c->req_kw, sizeof(c->req_kw), "%s", kw);
	}
	return 0;
}

/* "dns.query" or "dns.query; dotprefix": a list (buffer and transforms) as a rule writes it, for messages. */
static const char *list_name(uint8_t buf, uint8_t xform, char *out, size_t n)
{
	snprintf(out, n, "%s%s", sw_buf_name((enum sw_bufid)buf), (xform & SW_XFORM_DOTPREFIX) ? "; dotprefix" : "");
	return out;
}

/* A transform given but never followed by a keyword of its buffer (Suricata: "no matches following transform(s)"). */
static int check_xform_used(struct pctx *c)
{
	if (c->xform_unused)
		return perr(c->e, c->xform_col, "'dotprefix' is not followed by any keyword of '%s'",
			    sw_buf_name((enum sw_bufid)c->cur_buf));
	return 0;
}

static int kw_sticky(struct pctx *c, const struct tok *kw, const struct bufkw *bk, const struct tok *v, bool has_val)
{
	char name[32];

	snprintf(name, sizeof(name), "%s", bk->name);
	if (has_val)
		return perr(c->e, v->col, "'%s' takes no value: '%.*s'", name, Q(v->len), v->s);
	if (check_xform_used(c) < 0 || use_buf(c, bk->buf, name, kw->col) < 0)
		return -EINVAL;
	c->cur_buf = bk->buf;
	c->cur_xform = 0;
	c->xform_open = bk->buf != SW_BUF_PAYLOAD;
	return 0;
}

/*
 * Transforms (Suricata detect-engine-buffer.c SCDetectSignatureAddTransform):
 * only after a sticky buffer, and only before its first keyword ("transforms
 * must directly follow stickybuffers"); they apply to every later keyword
 * until the next sticky buffer keyword, which starts untransformed.  Only
 * dotprefix is implemented; the others Suricata has are refused by name
 * rather than loaded as unknown keywords, so a rule never matches an
 * untransformed buffer it did not ask for.
 */
static const char *const unsupported_xform[] = {
	"to_lowercase", "to_uppercase", "strip_whitespace", "compress_whitespace", "url_decode", "xor",
	"to_md5", "to_sha1", "to_sha256", "pcrexform", "header_lowercase", "strip_pseudo_headers",
	"from_base64", "domain", "tld", "subslice", "gunzip", "zlib_deflate", "luaxform",
};

static bool is_xform_kw(const struct tok *kw)
{
	if (tok_eq(kw, "dotprefix"))
		return true;
	for (size_t i = 0; i < sizeof(unsupported_xform) / sizeof(unsupported_xform[0]); i++)
		if (tok_eq(kw, unsupported_xform[i]))
			return true;
	return false;
}

static int kw_transform(struct pctx *c, const struct tok *kw, const struct tok *v, bool has_val)
{
	if (!tok_eq(kw, "dotprefix"))
		return perr(c->e, kw->col, "unsupported transform '%.*s'", Q(kw->len), kw->s);
	if (has_val)
		return perr(c->e, v->col, "'dotprefix' takes no value: '%.*s'", Q(v->len), v->s);
	if (c->cur_buf == SW_BUF_PAYLOAD)
		return perr(c->e, kw->col, "'dotprefix' needs a sticky buffer");
	if (!c->xform_open)
		return perr(c->e, kw->col, "'dotprefix' must directly follow its sticky buffer '%s'",
			    sw_buf_name((enum sw_bufid)c->cur_buf));
	/* Suricata would chain a second one (".."); one bit cannot say that, and no rule needs it. */
	if (c->cur_xform & SW_XFORM_DOTPREFIX)
		return perr(c->e, kw->col, "duplicate 'dotprefix' on one buffer");
	c->cur_xform |= SW_XFORM_DOTPREFIX;
	if (!c->xform_unused)
		c->xform_col = kw->col;
	c->xform_unused = true;
	return 0;
}

/*
 * A legacy content modifier moves the last content of the payload list
 * into its buffer (Suricata DetectEngineContentModifierBufferSetup): it is
 * refused while a sticky buffer is active, and needs such a content.  The
 * content keeps its place in rule order; the end of parsing groups pm by
 * buffer, so its distance/within chain to the buffer's previous keyword.
 */
static int kw_buf_modifier(struct pctx *c, const struct tok *kw, uint8_t buf, const struct tok *v, bool has_val)
{
	char name[32];
	int i;

	snprintf(name, sizeof(name), "%.*s", (int)(kw->len > 31 ? 31 : kw->len), kw->s);
	if (has_val)
		return perr(c->e, v->col, "'%s' takes no value: '%.*s'", name, Q(v->len), v->s);
	if (c->cur_buf != SW_BUF_PAYLOAD)
		return perr(c->e, kw->col, "'%s' after sticky buffer '%s' (use pkt_data first)", name,
			    sw_buf_name(c->cur_buf));
	for (i = (int)c->r->n_pm - 1; i >= 0; i--)
		if (c->r->pm[i].kind == SW_PM_CONTENT && c->r->pm[i].buf == SW_BUF_PAYLOAD)
			break;
	if (i < 0)
		return perr(c->e, kw->col, "'%s' needs a preceding content", name);
	if (use_buf(c, buf, name, kw->col) < 0)
		return -EINVAL;
	c->r->pm[i].buf = buf;
	return 0;
}

/* urilen:N|<N|>N|A<>B[,norm|raw]: the length of the (normalized or raw) URI, as bsize on that buffer. */
static int kw_urilen(struct pctx *c, const struct tok *kw, struct tok v)
{
	struct tok p[3];
	struct sw_num_match m = { 0 };
	uint8_t buf = SW_BUF_HTTP_URI;
	struct sw_pm *pm;
	bool open, unused;
	int n = split(&v, ',', p, 3);

	if (n < 1 || n > 2 || !p[0].len)
		return perr(c->e, v.col, "invalid urilen value: '%.*s'", Q(v.len), v.s);
	if (n == 2) {
		if (tok_eq(&p[1], "raw"))
			buf = SW_BUF_HTTP_URI_RAW;
		else if (!tok_eq(&p[1], "norm"))
			return perr(c->e, p[1].col, "invalid urilen option: '%.*s'", Q(p[1].len), p[1].s);
	}
	if (parse_cmp(c, kw, p[0], 65535, &m) < 0 || use_buf(c, buf, "urilen", kw->col) < 0)
		return -EINVAL;
	open = c->xform_open;
	unused = c->xform_unused;
	if (!(pm = pm_new(c, SW_PM_BSIZE, kw->col)))
		return perr(c->e, v.col, "out of memory");
	/* Always the untransformed URI list, whatever the sticky buffer, whose transforms it leaves alone. */
	pm->buf = buf;
	pm->xform = 0;
	c->xform_open = open;
	c->xform_unused = unused;
	pm->u.bsize = m;
	return 0;
}

/* bsize: the length of the current sticky buffer (Suricata refuses it without one). */
static int kw_bsize(struct pctx *c, const struct tok *kw, struct tok v)
{
	struct sw_num_match m = { 0 };
	struct sw_pm *pm;

	if (c->cur_buf == SW_BUF_PAYLOAD)
		return perr(c->e, kw->col, "'bsize' needs a sticky buffer");
	if (parse_cmp(c, kw, v, UINT32_MAX, &m) < 0)
		return -EINVAL;
	if (!(pm = pm_new(c, SW_PM_BSIZE, kw->col)))
		return perr(c->e, v.col, "out of memory");
	pm->u.bsize = m;
	return 0;
}

/* target:src_ip|dest_ip; repeating the same value is accepted, another one refused (Suricata detect-target.c). */
static int kw_target(struct pctx *c, struct tok v)
{
	int t;

	if (tok_eq(&v, "src_ip"))
		t = SW_TARGET_SRC_IP;
	else if (tok_eq(&v, "dest_ip"))
		t = SW_TARGET_DEST_IP;
	else
		return perr(c->e, v.col, "invalid target (want src_ip or dest_ip): '%.*s'", Q(v.len), v.s);
	if (c->r->target && (int)c->r->target != t)
		return perr(c->e, v.col, "conflicting values of target: '%.*s' after the other one", Q(v.len), v.s);
	c->r->target = t;
	return 0;
}

/* stream_size:<server|client|both|either>,<op>,<bytes> (Suricata detect-stream_size.c). */
static int kw_stream_size(struct pctx *c, struct tok v)
{
	static const struct { const char *n; enum sw_cmp op; } ops[] = {
		{ "<", SW_CMP_LT }, { "<=", SW_CMP_LE }, { ">", SW_CMP_GT },
		{ ">=", SW_CMP_GE }, { "=", SW_CMP_EQ }, { "!=", SW_CMP_NE },
	};
	struct sw_stream_size ss = { .set = true };
	struct tok p[4];
	int64_t x;
	size_t k;

	if (split(&v, ',', p, 4) != 3)
		return perr(c->e, v.col, "invalid stream_size value (want side,op,bytes): '%.*s'", Q(v.len), v.s);
	if (tok_eq(&p[0], "server"))
		ss.side = SW_SS_SERVER;
	else if (tok_eq(&p[0], "client"))
		ss.side = SW_SS_CLIENT;
	else if (tok_eq(&p[0], "both"))
		ss.side = SW_SS_BOTH;
	else if (tok_eq(&p[0], "either"))
		ss.side = SW_SS_EITHER;
	else
		return perr(c->e, p[0].col, "invalid stream_size side: '%.*s'", Q(p[0].len), p[0].s);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]) && !tok_eq(&p[1], ops[k].n); k++)
		;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return perr(c->e, p[1].col, "invalid stream_size operator: '%.*s'", Q(p[1].len), p[1].s);
	if (num_or_err(c, &p[2], "stream_size", 0, UINT32_MAX, false, &x) < 0)
		return -EINVAL;
	ss.n.set = true;
	ss.n.op = ops[k].op;
	ss.n.a = (uint32_t)x;
	if (c->r->stream_size.set) {
		/* Suricata takes several (all must hold): the others go with the flow counters */
		struct sw_flowcnt fc = { .kind = SW_FC_STREAM, .dir = (uint8_t)ss.side, .op = (uint8_t)ss.n.op, .a = ss.n.a };

		if (push_elem(&c->r->fc, &c->r->n_fc, sizeof(fc), &fc) < 0)
			return perr(c->e, v.col, "out of memory");
		return 0;
	}
	c->r->stream_size = ss;
	return 0;
}

/* ---- content and its modifiers ---- */

static int kw_content(struct pctx *c, struct tok v)
{
	struct sw_pm *pm;
	bool neg = false;
	uint8_t *pat = NULL;
	uint32_t len = 0;

	if (v.len && v.s[0] == '!') {
		neg = true;
		v.s++, v.len--, v.col++;
		trim(&v);
	}
	if (!v.len)
		return perr(c->e, v.col, "content needs a value");
	/* Suricata: content is SIGMATCH_QUOTES_MANDATORY (detect-parse.c) */
	if (v.s[0] != '"')
		return perr(c->e, v.col, "invalid formatting to content keyword: value must be double quoted '%.*s'",
			    Q(v.len), v.s);
	if (unquote(c, &v, "content", false) < 0 || decode_content(c, &v, &pat, &len) < 0)
		return -EINVAL;
	pm = pm_new(c, SW_PM_CONTENT, v.col);
	if (!pm) {
		free(pat);
		return perr(c->e, v.col, "out of memory");
	}
	pm->u.content.pat = pat;
	pm->u.content.len = len;
	pm->u.content.flags = neg ? SW_CONTENT_NEGATED : 0;
	pm->u.content.offset.var = pm->u.content.depth.var = -1;
	pm->u.content.distance.var = pm->u.content.within.var = -1;
	c->last_content = (int)(c->r->n_pm - 1);
	return 0;
}

static int kw_modifier(struct pctx *c, const struct tok *kw, struct tok v, bool has_val)
{
	struct sw_content *ct;
	char name[16];
	uint16_t bit = 0;
	struct sw_operand *op = NULL;
	int64_t lo = 0, hi = 65535;

	snprintf(name, sizeof(name), "%.*s", (int)kw->len, kw->s);
	if (c->last_content < 0)
		return perr(c->e, kw->col, "'%s' needs a preceding content", name);
	ct = &c->r->pm[c->last_content].u.content;
	if (tok_eq(kw, "nocase")) {
		if (ct->flags & SW_CONTENT_NOCASE)
			return perr(c->e, kw->col, "duplicate 'nocase' on one content");
		if (has_val)
			return perr(c->e, v.col, "nocase takes no value: '%.*s'", Q(v.len), v.s);
		ct->flags |= SW_CONTENT_NOCASE;
		return 0;
	}
	if (tok_eq(kw, "startswith") || tok_eq(kw, "endswith")) {
		bit = tok_eq(kw, "startswith") ? SW_CONTENT_STARTSWITH : SW_CONTENT_ENDSWITH;
		if (has_val)
			return perr(c->e, v.col, "%s takes no value: '%.*s'", name, Q(v.len), v.s);
		if (ct->flags & bit)
			return perr(c->e, kw->col, "duplicate '%s' on one content", name);
		if (bit == SW_CONTENT_STARTSWITH &&
		    (ct->flags & (SW_CONTENT_OFFSET | SW_CONTENT_DEPTH | SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN)))
			return perr(c->e, kw->col, "'startswith' cannot be mixed with offset/depth/distance/within");
		ct->flags |= bit;
		return 0;
	}
	if (tok_eq(kw, "fast_pattern")) {
		if (c->fp_explicit >= 0)
			return perr(c->e, kw->col, "fast_pattern set on more than one content");
		ct->flags |= SW_CONTENT_FAST_PATTERN;
		c->fp_explicit = c->last_content;
		if (!has_val)
			return 0;
		if (tok_eq(&v, "only")) {
			if (ct->flags & SW_CONTENT_NEGATED)
				return perr(c->e, v.col, "fast_pattern:only on a negated content");
			ct->flags |= SW_CONTENT_FP_ONLY;
			return 0;
		}
		{
			struct tok p[2];
			int64_t o, l;
			if (split(&v, ',', p, 2) != 2)
				return perr(c->e, v.col, "invalid fast_pattern value: '%.*s'", Q(v.len), v.s);
			if (num_or_err(c, &p[0], "fast_pattern offset", 0, 65535, false, &o) < 0 ||
			    num_or_err(c, &p[1], "fast_pattern length", 1, 65535, false, &l) < 0)
				return -EINVAL;
			if (o + l > ct->len)
				return perr(c->e, v.col, "fast_pattern '%.*s' goes past the content's length %u",
					    Q(v.len), v.s, ct->len);
			ct->fp_chop = true;
			ct->fp_off = (uint16_t)o;
			ct->fp_len = (uint16_t)l;
		}
		return 0;
	}
	/*
	 * A position after fast_pattern: Suricata's detect-offset.c / -depth.c /
	 * -distance.c / -within.c refuse it with their own words (the other
	 * order is refused by check_fast_pattern() with fast_pattern's).
	 */
	if (ct->flags & (SW_CONTENT_FP_ONLY | SW_CONTENT_FAST_PATTERN)) {
		bool abs = tok_eq(kw, "offset") || tok_eq(kw, "depth");

		if (ct->flags & SW_CONTENT_FP_ONLY)
			return perr(c->e, kw->col, abs ? "can't have a relative keyword set along with 'fast_pattern:only;'." :
						      "can't have a relative keyword set along with a fast_pattern:only;");
		if (ct->flags & SW_CONTENT_NEGATED)
			return perr(c->e, kw->col, abs ? "can't have a relative negated keyword set along with 'fast_pattern'." :
						      "can't have a relative negated keyword set along with a fast_pattern");
	}
	if (tok_eq(kw, "offset")) {
		bit = SW_CONTENT_OFFSET;
		op = &ct->offset;
	} else if (tok_eq(kw, "depth")) {
		bit = SW_CONTENT_DEPTH;
		op = &ct->depth;
		lo = 1;
	} else if (tok_eq(kw, "distance")) {
		bit = SW_CONTENT_DISTANCE;
		op = &ct->distance;
		lo = -65535;
	} else {
		bit = SW_CONTENT_WITHIN;
		op = &ct->within;
		lo = 1;
	}
	if (!has_val || !v.len)
		return perr(c->e, kw->col, "%s needs a value", name);
	if (ct->flags & bit)
		return perr(c->e, kw->col, "duplicate '%s' on one content", name);
	if (ct->flags & SW_CONTENT_STARTSWITH)
		return perr(c->e, kw->col, "'%s' cannot be mixed with 'startswith'", name);
	if (bit & (SW_CONTENT_OFFSET | SW_CONTENT_DEPTH)) {
		if (ct->flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN))
			return perr(c->e, kw->col, "'%s' and '%s' on one content", name,
				    (ct->flags & SW_CONTENT_DISTANCE) ? "distance" : "within");
	} else if (ct->flags & (SW_CONTENT_OFFSET | SW_CONTENT_DEPTH)) {
		return perr(c->e, kw->col, "'%s' and '%s' on one content",
			    (ct->flags & SW_CONTENT_DEPTH) ? "depth" : "offset", name);
	}
	if (parse_operand(c, &v, name, lo, hi, op) < 0)
		return -EINVAL;
	if (op->var < 0 && (bit & (SW_CONTENT_DEPTH | SW_CONTENT_WITHIN)) && (uint32_t)op->value < ct->len)
		return perr(c->e, v.col, "%s %d is smaller than the content's length %u", name, op->value, ct->len);
	ct->flags |= bit;
	return 0;
}

/* ---- isdataat, pcre, byte_* ---- */

static int kw_isdataat(struct pctx *c, struct tok v)
{
	struct tok p[3];
	struct sw_pm *pm;
	struct sw_isdataat d = { .n = { .var = -1 } };
	int n;

	if (v.len && v.s[0] == '!') {
		d.negated = true;
		v.s++, v.len--, v.col++;
	}
	n = split(&v, ',', p, 3);
	if (n < 1 || n > 2 || !p[0].len)
		return perr(c->e, v.col, "invalid isdataat value: '%.*s'", Q(v.len), v.s);
	if (n == 2) {
		if (!tok_eq(&p[1], "relative"))
			return perr(c->e, p[1].col, "invalid isdataat option: '%.*s'", Q(p[1].len), p[1].s);
		d.relative = true;
	}
	if (parse_operand(c, &p[0], "isdataat", 0, 65535, &d.n) < 0)
		return -EINVAL;
	if (!(pm = pm_new(c, SW_PM_ISDATAAT, v.col)))
		return perr(c->e, v.col, "out of memory");
	pm->u.isdataat = d;
	return 0;
}

/*
 * pcre's Suricata buffer flags (detect-pcre.c DetectPcreParse); there is no
 * 'K' in Suricata.  'Q' selects Suricata's "file_data" list (the response
 * body, or the request body in a to_server rule), not http.response_body.
 */
static int pcre_flag_buf(char f)
{
	switch (f) {
	case 'U': return SW_BUF_HTTP_URI;
	case 'I': return SW_BUF_HTTP_URI_RAW;
	case 'P': return SW_BUF_HTTP_REQUEST_BODY;
	case 'Q': return SW_BUF_FILE_DATA;
	case 'H': return SW_BUF_HTTP_HEADER;
	case 'D': return SW_BUF_HTTP_HEADER_RAW;
	case 'M': return SW_BUF_HTTP_METHOD;
	case 'C': return SW_BUF_HTTP_COOKIE;
	case 'S': return SW_BUF_HTTP_STAT_CODE;
	case 'Y': return SW_BUF_HTTP_STAT_MSG;
	case 'V': return SW_BUF_HTTP_USER_AGENT;
	case 'W': return SW_BUF_HTTP_HOST;
	case 'Z': return SW_BUF_HTTP_HOST_RAW;
	default: return -1;
	}
}

static int kw_pcre(struct pctx *c, struct tok v)
{
	struct sw_pcre p = { 0 };
	const char *last;
	struct sw_pm *pm;
	pcre2_code *code;
	int errcode;
	PCRE2_SIZE erroff;
	int fbuf = -1;             /* buffer chosen by a flag */
	char fch = 0, bch = 0;     /* that flag, and 'B' if given */
	size_t fcol = 0;

	if (v.len && v.s[0] == '!') {
		p.negated = true;
		v.s++, v.len--, v.col++;
		trim(&v);
	}
	if (unquote(c, &v, "pcre", true) < 0)
		return -EINVAL;
	if (v.len < 2 || v.s[0] != '/')
		return perr(c->e, v.col, "pcre must look like \"/re/flags\": '%.*s'", Q(v.len), v.s);
	last = v.s + v.len - 1;
	while (last > v.s && *last != '/')
		last--;
	if (last == v.s)
		return perr(c->e, v.col, "pcre without closing '/': '%.*s'", Q(v.len), v.s);
	for (const char *f = last + 1; f < v.s + v.len; f++) {
		size_t col = v.col + (size_t)(f - v.s);
		switch (*f) {
		case 'i': p.pcre2_opts |= PCRE2_CASELESS; break;
		case 's': p.pcre2_opts |= PCRE2_DOTALL; break;
		case 'm': p.pcre2_opts |= PCRE2_MULTILINE; break;
		case 'x': p.pcre2_opts |= PCRE2_EXTENDED; break;
		case 'A': p.pcre2_opts |= PCRE2_ANCHORED; break;
		case 'E': p.pcre2_opts |= PCRE2_DOLLAR_ENDONLY; break;
		case 'G': p.pcre2_opts |= PCRE2_UNGREEDY; break;
		case 'R': p.relative = true; break;
		case 'O': break; /* match-limit override: we use PCRE2's defaults */
		case 'B':
			/* Snort's rawbytes: Suricata never normalizes the payload, so it changes nothing. */
			if (fch)
				return perr(c->e, col, "pcre flag 'B' cannot be combined with '%c'", fch);
			bch = 'B';
			break;
		default:
			if (pcre_flag_buf(*f) < 0)
				return perr(c->e, col, "unknown pcre flag '%c'", *f);
			if (bch)
				return perr(c->e, col, "pcre flag '%c' cannot be combined with 'B'", *f);
			if (fbuf >= 0 && fbuf != pcre_flag_buf(*f))
				return perr(c->e, col, "pcre flags '%c' and '%c' select two buffers", fch, *f);
			fbuf = pcre_flag_buf(*f);
			fch = *f;
			fcol = col;
			break;
		}
	}
	if (fbuf >= 0) {
		char kw[48];
		snprintf(kw, sizeof(kw), "pcre /%c", fch);
		/*
		 * Suricata: "Expression seen with a sticky buffer still set".
		 * Suricata's http.response_body is its file_data list, so 'Q'
		 * fits in either (ET uses both).
		 */
		if (c->cur_buf != SW_BUF_PAYLOAD && c->cur_buf != fbuf &&
		    !(fbuf == SW_BUF_FILE_DATA && c->cur_buf == SW_BUF_HTTP_RESPONSE_BODY))
			return perr(c->e, fcol, "pcre flag '%c' (%s) inside sticky buffer '%s'", fch,
				    sw_buf_name((enum sw_bufid)fbuf), sw_buf_name(c->cur_buf));
		if (use_buf(c, (uint8_t)fbuf, kw, fcol) < 0)
			return -EINVAL;
	}
	p.re = strndup(v.s + 1, (size_t)(last - v.s - 1));
	if (!p.re)
		return perr(c->e, v.col, "out of memory");
	/* Suricata escapes ';' and '"' inside the quoted value; PCRE2 reads them fine escaped. */
	code = pcre2_compile((PCRE2_SPTR)p.re, strlen(p.re), p.pcre2_opts, &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		free(p.re);
		return perr(c->e, v.col, "pcre compile error at offset %zu in '%.*s': %s", (size_t)erroff,
			    Q(v.len), v.s, (const char *)msg);
	}
	pcre2_code_free(code);
	if (!(pm = pm_new(c, SW_PM_PCRE, v.col))) {
		free(p.re);
		return perr(c->e, v.col, "out of memory");
	}
	if (fbuf >= 0 && c->cur_buf == SW_BUF_PAYLOAD)
		pm->buf = (uint8_t)fbuf;
	pm->u.pcre = p;
	return 0;
}

static bool parse_base(const struct tok *t, enum sw_byte_base *b)
{
	if (tok_eq(t, "hex"))
		*b = SW_BASE_HEX;
	else if (tok_eq(t, "dec"))
		*b = SW_BASE_DEC;
	else if (tok_eq(t, "oct"))
		*b = SW_BASE_OCT;
	else
		return false;
	return true;
}

/* Options shared by byte_test/jump/extract; returns 1 if @p[*i] was not one of them. */
struct bopts {
	bool relative, little, big, string, align, from_beginning, from_end, has_mult, has_post, has_mask;
	enum sw_byte_base base;
	int64_t mult, post, align_n;
	uint64_t mask;
};

static int byte_opt(struct pctx *c, const char *kw, struct tok *p, int n, int *i, struct bopts *o,
		    bool jump, bool extract)
{
	struct tok *t = &p[*i], a;
	int64_t v;

	if (tok_eq(t, "relative")) {
		o->relative = true;
	} else if (tok_eq(t, "big")) {
		o->big = true;
	} else if (tok_eq(t, "little")) {
		o->little = true;
	} else if (tok_eq(t, "dce")) {
		return perr(c->e, t->col, "unsupported %s option 'dce'", kw);
	} else if (tok_eq(t, "string")) {
		o->string = true;
		o->base = SW_BASE_DEC;
		if (*i + 1 < n && parse_base(&p[*i + 1], &o->base))
			(*i)++;
		else if (!extract)
			return perr(c->e, t->col, "%s 'string' needs hex, dec or oct", kw);
	} else if (jump && tok_eq(t, "align")) {
		o->align = true;
	} else if (jump && tok_eq(t, "from_beginning")) {
		o->from_beginning = true;
	} else if (jump && tok_eq(t, "from_end")) {
		o->from_end = true;
	} else if (t->len > 6 && strncasecmp(t->s, "bitmask", 7) == 0 && isspace((unsigned char)t->s[7])) {
		a = (struct tok){ t->s + 7, t->len - 7, t->col + 7 };
		trim(&a);
		if (num_or_err(c, &a, "bitmask", 1, INT64_MAX, true, &v) < 0)
			return -EINVAL;
		o->has_mask = true;
		o->mask = (uint64_t)v;
	} else if ((jump || extract) && t->len > 10 && strncasecmp(t->s, "multiplier", 10) == 0 &&
		   isspace((unsigned char)t->s[10])) {
		a = (struct tok){ t->s + 10, t->len - 10, t->col + 10 };
		trim(&a);
		if (num_or_err(c, &a, "multiplier", 1, 65535, false, &o->mult) < 0)
			return -EINVAL;
		o->has_mult = true;
	} else if (jump && t->len > 11 && strncasecmp(t->s, "post_offset", 11) == 0 &&
		   isspace((unsigned char)t->s[11])) {
		a = (struct tok){ t->s + 11, t->len - 11, t->col + 11 };
		trim(&a);
		if (num_or_err(c, &a, "post_offset", -65535, 65535, false, &o->post) < 0)
			return -EINVAL;
		o->has_post = true;
	} else if (extract && t->len > 5 && strncasecmp(t->s, "align", 5) == 0 && isspace((unsigned char)t->s[5])) {
		a = (struct tok){ t->s + 5, t->len - 5, t->col + 5 };
		trim(&a);
		if (num_or_err(c, &a, "align", 2, 4, false, &o->align_n) < 0 || o->align_n == 3)
			return perr(c->e, a.col, "byte_extract align must be 2 or 4: '%.*s'", Q(a.len), a.s);
		o->align = true;
	} else {
		return perr(c->e, t->col, "invalid %s option: '%.*s'", kw, Q(t->len), t->s);
	}
	return 0;
}

static int check_bopts(struct pctx *c, const char *kw, const struct tok *v, struct bopts *o, int64_t nbytes)
{
	if (o->big && o->little)
		return perr(c->e, v->col, "%s: both 'big' and 'little'", kw);
	if (o->from_beginning && o->from_end)
		return perr(c->e, v->col, "%s: both 'from_beginning' and 'from_end'", kw);
	if (o->string && o->little)
		return perr(c->e, v->col, "%s: 'string' with 'little'", kw);
	if (!o->string && nbytes > 8)
		return perr(c->e, v->col, "%s: %lld bytes, at most 8 without 'string'", kw, (long long)nbytes);
	return 0;
}

static int kw_byte_test(struct pctx *c, struct tok v)
{
	struct tok p[16], opt;
	struct bopts o = { 0 };
	struct sw_byte_test bt = { .value = { .var = -1 }, .offset = { .var = -1 } };
	int64_t nb, val;
	struct sw_pm *pm;
	int n = split(&v, ',', p, 16);

	if (n < 4)
		return perr(c->e, v.col, "byte_test needs nbytes, operator, value, offset: '%.*s'", Q(v.len), v.s);
	/* 0 with 'string': the number there, however long (ET's http.content_len tests; Suricata takes it) */
	if (num_or_err(c, &p[0], "byte_test nbytes", 0, 23, false, &nb) < 0)
		return -EINVAL;
	opt = p[1];
	if (opt.len && opt.s[0] == '!') {
		bt.negated = true;
		opt.s++, opt.len--, opt.col++;
	}
	if (tok_eq(&opt, "<")) bt.op = SW_BOP_LT;
	else if (tok_eq(&opt, ">")) bt.op = SW_BOP_GT;
	else if (tok_eq(&opt, "=")) bt.op = SW_BOP_EQ;
	else if (tok_eq(&opt, "<=")) bt.op = SW_BOP_LE;
	else if (tok_eq(&opt, ">=")) bt.op = SW_BOP_GE;
	else if (tok_eq(&opt, "&")) bt.op = SW_BOP_AND;
	else if (tok_eq(&opt, "^")) bt.op = SW_BOP_OR;
	else if (tok_eq(&opt, "!=") && !bt.negated) {
		bt.op = SW_BOP_EQ;
		bt.negated = true;
	} else
		return perr(c->e, p[1].col, "invalid byte_test operator: '%.*s'", Q(p[1].len), p[1].s);
	if (p[2].len && (isalpha((unsigned char)p[2].s[0]) || p[2].s[0] == '_')) {
		if (parse_operand(c, &p[2], "byte_test value", 0, 0, &bt.value) < 0)
			return -EINVAL;
	} else {
		if (num_or_err(c, &p[2], "byte_test value", 0, INT64_MAX, true, &val) < 0)
			return -EINVAL;
		bt.value_lit = (uint64_t)val;
		bt.value.value = (int32_t)(val > INT32_MAX ? INT32_MAX : val);
	}
	if (parse_operand(c, &p[3], "byte_test offset", -65535, 65535, &bt.offset) < 0)
		return -EINVAL;
	for (int i = 4; i < n; i++)
		if (byte_opt(c, "byte_test", p, n, &i, &o, false, false) < 0)
			return -EINVAL;
	if (check_bopts(c, "byte_test", &v, &o, nb) < 0)
		return -EINVAL;
	if (nb == 0 && !o.string)
		return perr(c->e, p[0].col, "byte_test nbytes 0 needs 'string' (a number of any length): '%.*s'",
			    Q(v.len), v.s);
	bt.nbytes = (uint8_t)nb;
	bt.relative = o.relative;
	bt.little_endian = o.little;
	bt.base = o.string ? o.base : SW_BASE_RAW;
	bt.bitmask = o.mask;
	if (!(pm = pm_new(c, SW_PM_BYTE_TEST, v.col)))
		return perr(c->e, v.col, "out of memory");
	pm->u.btest = bt;
	return 0;
}

static int kw_byte_jump(struct pctx *c, struct tok v)
{
	struct tok p[16];
	struct bopts o = { 0 };
	struct sw_byte_jump bj = { .offset = { .var = -1 }, .multiplier = 1 };
	int64_t nb;
	struct sw_pm *pm;
	int n = split(&v, ',', p, 16);

	if (n < 2)
		return perr(c->e, v.col, "byte_jump needs nbytes, offset: '%.*s'", Q(v.len), v.s);
	if (num_or_err(c, &p[0], "byte_jump nbytes", 1, 23, false, &nb) < 0)
		return -EINVAL;
	if (parse_operand(c, &p[1], "byte_jump offset", -65535, 65535, &bj.offset) < 0)
		return -EINVAL;
	for (int i = 2; i < n; i++)
		if (byte_opt(c, "byte_jump", p, n, &i, &o, true, false) < 0)
			return -EINVAL;
	if (check_bopts(c, "byte_jump", &v, &o, nb) < 0)
		return -EINVAL;
	bj.nbytes = (uint8_t)nb;
	bj.relative = o.relative;
	bj.little_endian = o.little;
	bj.align = o.align;
	bj.from_beginning = o.from_beginning;
	bj.from_end = o.from_end;
	bj.base = o.string ? o.base : SW_BASE_RAW;
	if (o.has_mult)
		bj.multiplier = (uint32_t)o.mult;
	bj.post_offset = (int32_t)o.post;
	bj.bitmask = o.mask;
	if (!(pm = pm_new(c, SW_PM_BYTE_JUMP, v.col)))
		return perr(c->e, v.col, "out of memory");
	pm->u.bjump = bj;
	return 0;
}

static int kw_byte_extract(struct pctx *c, struct tok v)
{
	struct tok p[16];
	struct bopts o = { 0 };
	struct sw_byte_extract be = { .multiplier = 1 };
	int64_t nb, off;
	struct sw_pm *pm;
	int n = split(&v, ',', p, 16);

	if (n < 3)
		return perr(c->e, v.col, "byte_extract needs nbytes, offset, name: '%.*s'", Q(v.len), v.s);
	if (num_or_err(c, &p[0], "byte_extract nbytes", 1, 23, false, &nb) < 0 ||
	    num_or_err(c, &p[1], "byte_extract offset", -65535, 65535, false, &off) < 0)
		return -EINVAL;
	if (!p[2].len || p[2].len > 32 || !(isalpha((unsigned char)p[2].s[0]) || p[2].s[0] == '_'))
		return perr(c->e, p[2].col, "invalid byte_extract variable name: '%.*s'", Q(p[2].len), p[2].s);
	for (size_t i = 0; i < p[2].len; i++)
		if (!isalnum((unsigned char)p[2].s[i]) && p[2].s[i] != '_' && p[2].s[i] != '-')
			return perr(c->e, p[2].col, "invalid byte_extract variable name: '%.*s'", Q(p[2].len), p[2].s);
	if (find_var(c, &p[2]) >= 0)
		return perr(c->e, p[2].col, "duplicate byte_extract variable '%.*s'", Q(p[2].len), p[2].s);
	if (c->r->n_vars >= SW_RULE_MAX_VARS)
		return perr(c->e, p[2].col, "too many byte_extract variables (max %d) at '%.*s'", SW_RULE_MAX_VARS,
			    Q(p[2].len), p[2].s);
	for (int i = 3; i < n; i++)
		if (byte_opt(c, "byte_extract", p, n, &i, &o, false, true) < 0)
			return -EINVAL;
	if (check_bopts(c, "byte_extract", &v, &o, nb) < 0)
		return -EINVAL;
	be.nbytes = (uint8_t)nb;
	be.offset = (int32_t)off;
	be.var = (int8_t)c->r->n_vars;
	be.relative = o.relative;
	be.little_endian = o.little;
	be.align = o.align;
	be.base = o.string ? o.base : SW_BASE_RAW;
	if (o.has_mult)
		be.multiplier = (uint32_t)o.mult;
	be.bitmask = o.mask;
	if (!(pm = pm_new(c, SW_PM_BYTE_EXTRACT, v.col)))
		return perr(c->e, v.col, "out of memory");
	pm->u.bextract = be;
	memcpy(c->varname[c->r->n_vars], p[2].s, p[2].len);
	c->varname[c->r->n_vars][p[2].len] = '\0';
	c->var_pm[c->r->n_vars] = (int)(c->r->n_pm - 1);
	c->r->n_vars++;
	return 0;
}

/* ---- header options ---- */

static int kw_flow(struct pctx *c, struct tok v)
{
	static const struct { const char *n; uint8_t bit; } opts[] = {
		{ "to_server", SW_FLOW_TO_SERVER }, { "from_client", SW_FLOW_TO_SERVER },
		{ "to_client", SW_FLOW_TO_CLIENT }, { "from_server", SW_FLOW_TO_CLIENT },
		{ "established", SW_FLOW_ESTABLISHED }, { "not_established", SW_FLOW_NOT_ESTABLISHED },
		{ "stateless", SW_FLOW_STATELESS }, { "only_stream", SW_FLOW_ONLY_STREAM },
		{ "no_stream", SW_FLOW_NO_STREAM },
	};
	struct tok p[8];
	int n = split(&v, ',', p, 8);
	uint8_t f = 0;

	if (n < 1 || !v.len)
		return perr(c->e, v.col, "invalid flow value: '%.*s'", Q(v.len), v.s);
	for (int i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (tok_eq(&p[i], opts[k].n))
				break;
		if (k == sizeof(opts) / sizeof(opts[0]))
			return perr(c->e, p[i].col, "invalid flow option: '%.*s'", Q(p[i].len), p[i].s);
		f |= opts[k].bit;
		if ((f & SW_FLOW_TO_SERVER && f & SW_FLOW_TO_CLIENT) ||
		    (f & SW_FLOW_ESTABLISHED && f & (SW_FLOW_NOT_ESTABLISHED | SW_FLOW_STATELESS)) ||
		    (f & SW_FLOW_NOT_ESTABLISHED && f & SW_FLOW_STATELESS) ||
		    (f & SW_FLOW_ONLY_STREAM && f & SW_FLOW_NO_STREAM))
			return perr(c->e, p[i].col, "conflicting flow option: '%.*s'", Q(p[i].len), p[i].s);
	}
	c->r->flow = f;
	return 0;
}

static int kw_flags(struct pctx *c, struct tok v)
{
	struct tok p[3];
	struct sw_flags_match m = { .set = true };
	bool zero = false;
	int n = split(&v, ',', p, 3);

	if (n < 1 || n > 2 || !p[0].len)
		return perr(c->e, v.col, "invalid flags value: '%.*s'", Q(v.len), v.s);
	for (size_t i = 0; i < p[0].len; i++) {
		char ch = p[0].s[i];
		switch (ch) {
		case 'F': case 'f': m.flags |= SW_TCP_FIN; break;
		case 'S': case 's': m.flags |= SW_TCP_SYN; break;
		case 'R': case 'r': m.flags |= SW_TCP_RST; break;
		case 'P': case 'p': m.flags |= SW_TCP_PSH; break;
		case 'A': case 'a': m.flags |= SW_TCP_ACK; break;
		case 'U': case 'u': m.flags |= SW_TCP_URG; break;
		case 'C': case 'c': case '1': m.flags |= SW_TCP_CWR; break;
		case 'E': case 'e': case '2': m.flags |= SW_TCP_ECE; break;
		case '0': zero = true; break;
		case '+': case '*': case '!':
			if (m.mod)
				return perr(c->e, p[0].col + i, "more than one flags modifier: '%.*s'", Q(p[0].len), p[0].s);
			m.mod = ch;
			break;
		default:
			return perr(c->e, p[0].col + i, "invalid flag '%c' in '%.*s'", ch, Q(p[0].len), p[0].s);
		}
	}
	if (zero && (m.flags || m.mod))
		return perr(c->e, p[0].col, "flag '0' cannot be combined: '%.*s'", Q(p[0].len), p[0].s);
	if (!zero && !m.flags)
		return perr(c->e, p[0].col, "invalid flags value: '%.*s'", Q(p[0].len), p[0].s);
	if (n == 2) {
		for (size_t i = 0; i < p[1].len; i++) {
			switch (p[1].s[i]) {
			case 'F': case 'f': m.ignore |= SW_TCP_FIN; break;
			case 'S': case 's': m.ignore |= SW_TCP_SYN; break;
			case 'R': case 'r': m.ignore |= SW_TCP_RST; break;
			case 'P': case 'p': m.ignore |= SW_TCP_PSH; break;
			case 'A': case 'a': m.ignore |= SW_TCP_ACK; break;
			case 'U': case 'u': m.ignore |= SW_TCP_URG; break;
			case 'C': case 'c': case '1': m.ignore |= SW_TCP_CWR; break;
			case 'E': case 'e': case '2': m.ignore |= SW_TCP_ECE; break;
			default:
				return perr(c->e, p[1].col + i, "invalid flag '%c' in flags mask '%.*s'", p[1].s[i],
					    Q(p[1].len), p[1].s);
			}
		}
		if (!p[1].len)
			return perr(c->e, p[1].col, "empty flags mask");
	}
	c->r->flags = m;
	return 0;
}

static int kw_ip_proto(struct pctx *c, const struct tok *kw, struct tok v)
{
	static const struct { const char *n; uint32_t p; } names[] = {
		{ "ip", 0 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 },
		{ "ipv6", 41 }, { "ipv6-route", 43 }, { "ipv6-frag", 44 }, { "gre", 47 }, { "esp", 50 },
		{ "ah", 51 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 }, { "ipv6-nonxt", 59 }, { "ipv6-opts", 60 },
		{ "ospf", 89 }, { "pim", 103 }, { "vrrp", 112 }, { "l2tp", 115 }, { "sctp", 132 },
	};
	struct tok t = v;
	char pre = 0;

	if (t.len && (t.s[0] == '!' || t.s[0] == '<' || t.s[0] == '>')) {
		pre = t.s[0];
		t.s++, t.len--, t.col++;
	}
	if (t.len && isalpha((unsigned char)t.s[0])) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			if (tok_eq(&t, names[k].n)) {
				c->r->ip_proto.set = true;
				c->r->ip_proto.op = pre == '!' ? SW_CMP_NE : pre == '<' ? SW_CMP_LT : pre == '>' ? SW_CMP_GT : SW_CMP_EQ;
				c->r->ip_proto.a = names[k].p;
				return 0;
			}
		}
		return perr(c->e, t.col, "unknown ip_proto '%.*s'", Q(t.len), t.s);
	}
	return parse_cmp(c, kw, v, 255, &c->r->ip_proto);
}

static int kw_flowbits(struct pctx *c, struct tok v)
{
	static const struct { const char *n; enum sw_fb_op op; } ops[] = {
		{ "set", SW_FB_SET }, { "isset", SW_FB_ISSET }, { "isnotset", SW_FB_ISNOTSET },
		{ "unset", SW_FB_UNSET }, { "toggle", SW_FB_TOGGLE }, { "noalert", SW_FB_NOALERT },
	};
	struct tok p[3];
	struct sw_flowbit fb = { 0 };
	int n = split(&v, ',', p, 3);
	size_t k;

	if (n < 1 || n > 2)
		return perr(c->e, v.col, "invalid flowbits value: '%.*s'", Q(v.len), v.s);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (tok_eq(&p[0], ops[k].n))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return perr(c->e, p[0].col, "invalid flowbits command: '%.*s'", Q(p[0].len), p[0].s);
	fb.op = ops[k].op;
	if (fb.op == SW_FB_NOALERT) {
		if (n != 1)
			return perr(c->e, p[1].col, "flowbits:noalert takes no name: '%.*s'", Q(p[1].len), p[1].s);
		c->r->noalert = true;
		return 0;
	}
	if (n != 2 || !p[1].len)
		return perr(c->e, v.col, "flowbits '%.*s' needs a name", Q(p[0].len), p[0].s);
	{
		bool has_or = memchr(p[1].s, '|', p[1].len) != NULL, has_and = memchr(p[1].s, '&', p[1].len) != NULL;
		struct tok names[SW_FB_MAX_NAMES];
		int nn;

		if (has_or && has_and)
			return perr(c->e, p[1].col, "flowbits names mix '|' and '&': '%.*s'", Q(p[1].len), p[1].s);
		nn = split(&p[1], has_and ? '&' : '|', names, SW_FB_MAX_NAMES);
		if (nn < 0)
			return perr(c->e, p[1].col, "too many flowbits names (max %d): '%.*s'", SW_FB_MAX_NAMES,
				    Q(p[1].len), p[1].s);
		fb.all = has_and;
		for (int i = 0; i < nn; i++) {
			int id;
			if (!names[i].len)
				return perr(c->e, p[1].col, "empty flowbits name in '%.*s'", Q(p[1].len), p[1].s);
			for (size_t j = 0; j < names[i].len; j++)
				if (isspace((unsigned char)names[i].s[j]) || names[i].s[j] == '"')
					return perr(c->e, names[i].col, "invalid flowbits name: '%.*s'", Q(names[i].len),
						    names[i].s);
			id = rules_flowbit_id(c->rs, names[i].s, names[i].len);
			if (id == -ENOSPC)
				return perr(c->e, names[i].col, "too many flowbits (max %d) at '%.*s'",
					    SW_RULES_MAX_FLOWBITS, Q(names[i].len), names[i].s);
			if (id < 0)
				return perr(c->e, names[i].col, "out of memory");
			fb.ids[fb.n++] = (uint16_t)id;
		}
	}
	if (c->r->n_fb == c->fb_cap) {
		size_t nc = c->fb_cap ? c->fb_cap * 2 : 2;
		struct sw_flowbit *nf = realloc(c->r->fb, nc * sizeof(*nf));
		if (!nf)
			return perr(c->e, v.col, "out of memory");
		c->r->fb = nf;
		c->fb_cap = nc;
	}
	c->r->fb[c->r->n_fb++] = fb;
	return 0;
}

static int kw_threshold(struct pctx *c, struct tok v, bool dfilter)
{
	const char *kw = dfilter ? "detection_filter" : "threshold";
	struct sw_threshold t = { .set = true, .type = SW_THR_DETECTION_FILTER };
	bool have_type = dfilter, have_track = false, have_count = false, have_secs = false, have_mult = false;
	struct tok p[8];
	int n = split(&v, ',', p, 8);

	if (n < 0)
		return perr(c->e, v.col, "invalid %s value: '%.*s'", kw, Q(v.len), v.s);
	for (int i = 0; i < n; i++) {
		struct tok k = p[i], a;
		size_t sp = 0;
		int64_t x;

		while (sp < k.len && !isspace((unsigned char)k.s[sp]))
			sp++;
		a = (struct tok){ k.s + sp, k.len - sp, k.col + sp };
		k.len = sp;
		trim(&a);
		if (!dfilter && tok_eq(&k, "type")) {
			if (have_type)
				return perr(c->e, k.col, "duplicate 'type' in %s", kw);
			if (tok_eq(&a, "limit")) t.type = SW_THR_LIMIT;
			else if (tok_eq(&a, "threshold")) t.type = SW_THR_THRESHOLD;
			else if (tok_eq(&a, "both")) t.type = SW_THR_BOTH;
			else if (tok_eq(&a, "backoff")) t.type = SW_THR_BACKOFF;
			else
				return perr(c->e, a.col, "invalid %s type: '%.*s'", kw, Q(a.len), a.s);
			have_type = true;
		} else if (tok_eq(&k, "track")) {
			if (have_track)
				return perr(c->e, k.col, "duplicate 'track' in %s", kw);
			if (tok_eq(&a, "by_src")) t.track = SW_TRACK_BY_SRC;
			else if (tok_eq(&a, "by_dst")) t.track = SW_TRACK_BY_DST;
			else if (tok_eq(&a, "by_rule")) t.track = SW_TRACK_BY_RULE;
			else if (tok_eq(&a, "by_both")) t.track = SW_TRACK_BY_BOTH;
			else if (tok_eq(&a, "by_flow")) t.track = SW_TRACK_BY_FLOW;
			else
				return perr(c->e, a.col, "invalid %s track: '%.*s'", kw, Q(a.len), a.s);
			have_track = true;
		} else if (tok_eq(&k, "count")) {
			if (have_count)
				return perr(c->e, k.col, "duplicate 'count' in %s", kw);
			if (num_or_err(c, &a, "count", 1, UINT32_MAX, false, &x) < 0)
				return -EINVAL;
			t.count = (uint32_t)x;
			have_count = true;
		} else if (tok_eq(&k, "seconds")) {
			if (have_secs)
				return perr(c->e, k.col, "duplicate 'seconds' in %s", kw);
			if (num_or_err(c, &a, "seconds", 1, UINT32_MAX, false, &x) < 0)
				return -EINVAL;
			t.seconds = (uint32_t)x;
			have_secs = true;
		} else if (!dfilter && tok_eq(&k, "multiplier")) {
			if (have_mult)
				return perr(c->e, k.col, "duplicate 'multiplier' in %s", kw);
			if (num_or_err(c, &a, "multiplier", 2, 65535, false, &x) < 0)
				return -EINVAL;
			t.multiplier = (uint32_t)x;
			have_mult = true;
		} else {
			return perr(c->e, p[i].col, "invalid %s option: '%.*s'", kw, Q(p[i].len), p[i].s);
		}
	}
	/* Suricata detect-threshold.c: backoff takes count and multiplier, not seconds, and only by_flow */
	if (have_type && t.type == SW_THR_BACKOFF) {
		if (!have_track || !have_count || !have_mult)
			return perr(c->e, v.col, "%s needs %s: '%.*s'", kw,
				    !have_track ? "track" : !have_count ? "count" : "multiplier", Q(v.len), v.s);
		if (have_secs)
			return perr(c->e, v.col, "threshold type backoff takes no seconds: '%.*s'", Q(v.len), v.s);
		if (t.track != SW_TRACK_BY_FLOW)
			return perr(c->e, v.col, "threshold type backoff is only supported with track by_flow: '%.*s'",
				    Q(v.len), v.s);
		if (t.count > 65535)
			return perr(c->e, v.col, "threshold backoff count must be 1-65535: '%.*s'", Q(v.len), v.s);
	} else if (!have_type || !have_track || !have_count || !have_secs) {
		return perr(c->e, v.col, "%s needs %s: '%.*s'", kw,
			    !have_type ? "type" : !have_track ? "track" : !have_count ? "count" : "seconds",
			    Q(v.len), v.s);
	} else if (have_mult) {
		return perr(c->e, v.col, "multiplier is only for threshold type backoff: '%.*s'", Q(v.len), v.s);
	}
	if (dfilter)
		c->r->detection_filter = t;
	else
		c->r->threshold = t;
	return 0;
}

/* ---- transaction integer keywords: dns.opcode, dns.rcode, dns.rrtype ---- */

/*
 * Suricata's integer syntax (rust/src/detect/uint.rs detect_parse_uint),
 * which the transaction keywords use and parse_cmp() predates: after
 * optional spaces one of
 *   &M=V  &M!=V      bitmask (refused if V has bits outside M: never matches)
 *   A-B  A<>B  !A-B  exclusive range, B - A > 1; negated: outside [A+1, B-1]
 *   [=]N             equal
 *   >N >=N <N <=N !N !=N   (refused where nothing or everything matches)
 * then only spaces.  A value is 0x<hex> or decimal with an optional unit
 * kb/kib (1024), mb/mib, gb/gib, any case; it must fit the keyword's type.
 */
struct ucur {
	const char *s;
	size_t n, i;
	bool ovf;      /* a value did not fit */
	bool badrange; /* A-B with B <= A + 1 */
};

static void u_spaces(struct ucur *u)
{
	while (u->i < u->n && u->s[u->i] == ' ')
		u->i++;
}

static bool u_lit(struct ucur *u, const char *lit)
{
	size_t l = strlen(lit);

	if (u->n - u->i < l || memcmp(u->s + u->i, lit, l) != 0)
		return false;
	u->i += l;
	return true;
}

static bool u_value(struct ucur *u, uint64_t max, uint64_t *out)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "kib", 1024 }, { "kb", 1024 }, { "mib", 1024 * 1024 }, { "mb", 1024 * 1024 },
		{ "gib", 1024ull * 1024 * 1024 }, { "gb", 1024ull * 1024 * 1024 },
	};
	size_t i = u->i;
	uint64_t v = 0;

	if (u->n - i > 2 && u->s[i] == '0' && u->s[i + 1] == 'x' && isxdigit((unsigned char)u->s[i + 2])) {
		for (i += 2; i < u->n && isxdigit((unsigned char)u->s[i]); i++) {
			char ch = u->s[i];

			v = v * 16 + (uint64_t)(isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10);
			if (v > max) {
				u->ovf = true;
				return false;
			}
		}
		u->i = i;
		*out = v;
		return true;
	}
	if (i >= u->n || !isdigit((unsigned char)u->s[i]))
		return false;
	for (; i < u->n && isdigit((unsigned char)u->s[i]); i++) {
		v = v * 10 + (uint64_t)(u->s[i] - '0');
		if (v > max) {
			u->ovf = true;
			return false;
		}
	}
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		size_t l = strlen(units[k].unit);

		if (u->n - i >= l && strncasecmp(u->s + i, units[k].unit, l) == 0) {
			i += l;
			if (v >= 1) {
				if (max / units[k].mul < v) {
					u->ovf = true;
					return false;
				}
				v *= units[k].mul;
			}
			break;
		}
	}
	u->i = i;
	*out = v;
	return true;
}

/* A comparison with 64-bit operands (flow.bytes); u_parse() narrows it for the 32-bit users. */
struct num64 {
	enum sw_cmp op;
	uint64_t a, b;
};

static bool u_parse64(struct ucur *u, uint64_t max, struct num64 *m);

/* One of the four alternatives at the cursor, in Suricata's order; false if none applies. */
static bool u_parse(struct ucur *u, uint64_t max, struct sw_num_match *m)
{
	struct num64 n;

	if (!u_parse64(u, max, &n))
		return false;
	*m = (struct sw_num_match){ true, n.op, (uint32_t)n.a, (uint32_t)n.b };
	return true;
}

static bool u_parse64(struct ucur *u, uint64_t max, struct num64 *m)
{
	size_t start;
	uint64_t a, b;
	bool neg;

	u_spaces(u);
	start = u->i;
	/* &M[!]=V */
	if (u_lit(u, "&")) {
		u_spaces(u);
		if (u_value(u, max, &a)) {
			u_spaces(u);
			neg = u_lit(u, "!");
			if (u_lit(u, "=")) {
				u_spaces(u);
				if (u_value(u, max, &b) && (b & a) == b) {
					*m = (struct num64){ neg ? SW_CMP_NEG_BITMASK : SW_CMP_BITMASK, a, b };
					return true;
				}
			}
		}
		u->i = start;
	}
	/* [!]A-B, [!]A<>B */
	neg = u_lit(u, "!");
	if (u_value(u, max, &a)) {
		u_spaces(u);
		if (u_lit(u, "-") || u_lit(u, "<>")) {
			u_spaces(u);
			if (u_value(u, max, &b)) {
				if (b > a && b - a > 1) {
					*m = (struct num64){ neg ? SW_CMP_NEG_RANGE : SW_CMP_RANGE, a, b };
					return true;
				}
				u->badrange = true;
			}
		}
	}
	u->i = start;
	/* [=][ ]N */
	(void)u_lit(u, "=");
	u_spaces(u);
	if (u_value(u, max, &a)) {
		*m = (struct num64){ SW_CMP_EQ, a, 0 };
		return true;
	}
	u->i = start;
	/* >= <= > < != ! = then N */
	{
		static const struct { const char *op; enum sw_cmp cmp; } ops[] = {
			{ ">=", SW_CMP_GE }, { "<=", SW_CMP_LE }, { ">", SW_CMP_GT }, { "<", SW_CMP_LT },
			{ "!=", SW_CMP_NE }, { "!", SW_CMP_NE },
		};

		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			if (!u_lit(u, ops[k].op))
				continue;
			u_spaces(u);
			if (!u_value(u, max, &a))
				return false;
			/* Suricata refuses <0, >=0, >MAX, <=MAX */
			if ((ops[k].cmp == SW_CMP_LT || ops[k].cmp == SW_CMP_GE) ? a == 0 :
			    (ops[k].cmp == SW_CMP_GT || ops[k].cmp == SW_CMP_LE) ? a == max : false)
				return false;
			*m = (struct num64){ ops[k].cmp, a, 0 };
			return true;
		}
	}
	return false;
}

/*
 * dns.opcode (u8), dns.rcode (u16, or a DNSRcode name), dns.rrtype (u16,
 * or a DNSRecordType name), as rust/src/dns/detect.rs: a number in the
 * syntax above first, else [!]NAME in any case (detect_parse_uint_enum).
 * Each makes the rule a DNS rule, like a DNS buffer in both directions; a
 * keyword may be given more than once (all must hold).
 */
static int kw_txnum(struct pctx *c, const struct tok *kw, struct tok v, bool has_val)
{
	struct sw_rule *r = c->r;
	struct sw_txnum t = { 0 };
	struct sw_txnum *nt;
	struct ucur u = { v.s, v.len, 0, false, false };
	uint64_t max = 65535;
	const char *name;

	if (tok_eq(kw, "dns.opcode")) {
		name = "dns.opcode";
		t.kind = SW_TXNUM_DNS_OPCODE;
		max = 255;
	} else if (tok_eq(kw, "dns.rcode")) {
		name = "dns.rcode";
		t.kind = SW_TXNUM_DNS_RCODE;
	} else {
		name = "dns.rrtype";
		t.kind = SW_TXNUM_DNS_RRTYPE;
	}
	if (!has_val || !v.len)
		return perr(c->e, kw->col, "'%s' needs a value", name);
	if (u_parse(&u, max, &t.m)) {
		u_spaces(&u);
		if (u.i != u.n)
			t.m.set = false;
	}
	if (!t.m.set && t.kind != SW_TXNUM_DNS_OPCODE) {
		struct tok nm = v;
		bool neg = nm.len && nm.s[0] == '!';
		int32_t x;

		if (neg)
			nm.s++, nm.len--;
		x = t.kind == SW_TXNUM_DNS_RCODE ? sw_dns_rcode_from_name(nm.s, nm.len) :
						   sw_dns_rrtype_from_name(nm.s, nm.len);
		if (x >= 0)
			t.m = (struct sw_num_match){ true, neg ? SW_CMP_NE : SW_CMP_EQ, (uint32_t)x, 0 };
	}
	if (!t.m.set) {
		if (u.ovf)
			return perr(c->e, v.col, "%s value out of range (0-%llu): '%.*s'", name, (unsigned long long)max,
				    Q(v.len), v.s);
		if (u.badrange)
			return perr(c->e, v.col, "invalid %s range '%.*s' (A-B matches A < x < B: B must exceed A + 1)",
				    name, Q(v.len), v.s);
		return perr(c->e, v.col, "invalid %s value: '%.*s'%s", name, Q(v.len), v.s,
			    t.kind == SW_TXNUM_DNS_OPCODE ? "" :
			    t.kind == SW_TXNUM_DNS_RCODE ? " (a number or a name such as 'nxdomain')" :
							   " (a number or a type name such as 'aaaa')");
	}
	/* the checks and the app_proto of a DNS buffer seen in both directions */
	if (use_buf(c, SW_BUF_DNS_QUERIES_RRNAME, name, kw->col) < 0)
		return -EINVAL;
	nt = realloc(r->txnum, (r->n_txnum + 1) * sizeof(*nt));
	if (!nt)
		return perr(c->e, kw->col, "out of memory");
	r->txnum = nt;
	r->txnum[r->n_txnum++] = t;
	return 0;
}

/*
 * A date as Suricata's tls_cert_notbefore/notafter take it
 * (detect-tls-cert-validity.c DateStringToEpoch): seconds since 1970 when
 * all digits (but four digits are a year), else one of the ISO 8601
 * forms below, UTC.  Returns false if it is neither.
 */
static bool tls_date(const char *s, size_t n, int64_t *out)
{
	static const char *const fmt[] = {
		"%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d %H", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%dT%H", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%H:%M", "%H:%M:%S",
	};
	char b[32];
	size_t i;

	while (n && s[n - 1] == ' ')
		n--;
	while (n && *s == ' ')
		s++, n--;
	if (n == 0 || n >= sizeof(b))
		return false;
	memcpy(b, s, n);
	b[n] = '\0';
	for (i = 0; i < n && isdigit((unsigned char)b[i]); i++)
		;
	if (i == n && n != 4) {
		char *end;
		long long v = strtoll(b, &end, 10);

		if (*end)
			return false;
		*out = v;
		return true;
	}
	for (size_t k = 0; k < sizeof(fmt) / sizeof(fmt[0]); k++) {
		struct tm tm = { .tm_mday = 1, .tm_year = 70 };
		const char *e = strptime(b, fmt[k], &tm);

		if (e && !*e) {
			*out = (int64_t)timegm(&tm);
			return true;
		}
	}
	return false;
}

/*
 * The TLS keywords that are not buffers (Suricata registers them as
 * AppLayerTxMatch on TLS's generic lists):
 *   tls.version:1.0|1.1|1.2|1.3 (optionally quoted; a TLS 1.3 draft counts
 *     as 1.3) or :0xNNNN (that version exactly), both directions;
 *   tls.cert_chain_len:<u32 syntax>, the server's chain, to client;
 *   tls_cert_notbefore / tls_cert_notafter:[<|>]DATE or DATE<>DATE
 *     (<: at or before, >: at or after, <>: between, inclusive), to client;
 *   tls_cert_expired / tls_cert_valid (no value): the server certificate's
 *     notAfter against the packet's time, to client.
 */
static int kw_tls_num(struct pctx *c, const struct tok *kw, struct tok v, bool has_val)
{
	struct sw_rule *r = c->r;
	struct sw_txnum t = { 0 };
	struct sw_txnum *nt;
	char name[32];
	uint8_t side_buf = SW_BUF_TLS_SUBJECTALTNAME; /* the server's certificate: to client only */

	snprintf(name, sizeof(name), "%.*s", Q(kw->len), kw->s);
	if (tok_eq(kw, "tls_cert_expired") || tok_eq(kw, "tls_cert_valid")) {
		if (has_val)
			return perr(c->e, v.col, "'%s' takes no value: '%.*s'", name, Q(v.len), v.s);
		t.kind = tok_eq(kw, "tls_cert_expired") ? SW_TXNUM_TLS_EXPIRED : SW_TXNUM_TLS_VALID;
	} else if (!has_val || !v.len) {
		return perr(c->e, kw->col, "'%s' needs a value", name);
	} else if (tok_eq(kw, "tls.version")) {
		struct tok x = v;

		if (x.len >= 2 && x.s[0] == '"' && x.s[x.len - 1] == '"')
			x.s++, x.len -= 2;
		t.kind = SW_TXNUM_TLS_VERSION;
		t.m = (struct sw_num_match){ true, SW_CMP_EQ, 0, 0 };
		if (tok_eq(&x, "1.0"))
			t.m.a = 0x0301;
		else if (tok_eq(&x, "1.1"))
			t.m.a = 0x0302;
		else if (tok_eq(&x, "1.2"))
			t.m.a = 0x0303;
		else if (tok_eq(&x, "1.3"))
			t.m.a = 0x0304;
		else if (x.len == 6 && x.s[0] == '0' && x.s[1] == 'x' && isxdigit((unsigned char)x.s[2]) &&
			 isxdigit((unsigned char)x.s[3]) && isxdigit((unsigned char)x.s[4]) &&
			 isxdigit((unsigned char)x.s[5])) {
			t.kind = SW_TXNUM_TLS_VERSION_RAW;
			t.m.a = (uint32_t)strtoul(x.s, NULL, 16);
		} else {
			return perr(c->e, v.col, "invalid tls.version (want 1.0, 1.1, 1.2, 1.3 or 0xNNNN): '%.*s'",
				    Q(v.len), v.s);
		}
		side_buf = SW_BUF_TLS_ALPN; /* both directions */
	} else if (tok_eq(kw, "tls.cert_chain_len")) {
		struct ucur u = { v.s, v.len, 0, false, false };

		t.kind = SW_TXNUM_TLS_CHAIN_LEN;
		if (u_parse(&u, UINT32_MAX, &t.m)) {
			u_spaces(&u);
			if (u.i != u.n)
				t.m.set = false;
		}
		if (!t.m.set)
			return perr(c->e, v.col, "invalid tls.cert_chain_len value: '%.*s'", Q(v.len), v.s);
	} else {
		/* [<|>] DATE [<> DATE] */
		const char *s = v.s, *e = v.s + v.len, *rng;
		size_t i = 0;

		t.kind = tok_eq(kw, "tls_cert_notbefore") ? SW_TXNUM_TLS_NOTBEFORE : SW_TXNUM_TLS_NOTAFTER;
		t.tmode = SW_TMODE_EQ;
		while (s + i < e && s[i] == ' ')
			i++;
		if (s + i < e && (s[i] == '<' || s[i] == '>') && !(s + i + 1 < e && s[i] == '<' && s[i + 1] == '>')) {
			t.tmode = s[i] == '<' ? SW_TMODE_LE : SW_TMODE_GE;
			i++;
		}
		s += i;
		rng = NULL;
		for (const char *q = s; q + 1 < e; q++)
			if (q[0] == '<' && q[1] == '>') {
				rng = q;
				break;
			}
		if ((rng && t.tmode != SW_TMODE_EQ) || !tls_date(s, (size_t)((rng ? rng : e) - s), &t.t1) ||
		    (rng && !tls_date(rng + 2, (size_t)(e - rng - 2), &t.t2)))
			return perr(c->e, v.col, "invalid %s value (want [<|>]DATE or DATE<>DATE, DATE as 2024-01-31 or "
				    "seconds since 1970): '%.*s'", name, Q(v.len), v.s);
		if (rng)
			t.tmode = SW_TMODE_RANGE;
	}
	/* the checks and the app_proto of a TLS buffer with the keyword's directions */
	if (use_buf(c, side_buf, name, kw->col) < 0)
		return -EINVAL;
	nt = realloc(r->txnum, (r->n_txnum + 1) * sizeof(*nt));
	if (!nt)
		return perr(c->e, kw->col, "out of memory");
	r->txnum = nt;
	r->txnum[r->n_txnum++] = t;
	return 0;
}

/* ---- state keywords: flowint, flow counters, hostbits/xbits, tag ---- */

/* Append one element of @size to *@arr holding *@n (load time: one realloc per element is fine). */
static int push_elem(void *arr, uint32_t *n, size_t size, const void *elem)
{
	void **pa = arr;
	uint8_t *na = realloc(*pa, (*n + 1) * size);

	if (!na)
		return -ENOMEM;
	memcpy(na + *n * size, elem, size);
	*pa = na;
	(*n)++;
	return 0;
}

/* A variable name as Suricata's flowint takes it: a letter, then letters, digits, '_', '.', '/'. */
static bool var_name_ok(const struct tok *t)
{
	if (!t->len || !isalpha((unsigned char)t->s[0]))
		return false;
	for (size_t i = 1; i < t->len; i++)
		if (!isalnum((unsigned char)t->s[i]) && !strchr("_./", t->s[i]))
			return false;
	return true;
}

static int var_id(struct pctx *c, enum rules_nt nt, const struct tok *t, size_t max, const char *what)
{
	int id = rules_name_id(c->rs, nt, t->s, t->len, max);

	if (id == -ENOSPC)
		return perr(c->e, t->col, "too many %s (max %zu) at '%.*s'", what, max, Q(t->len), t->s);
	if (id < 0)
		return perr(c->e, t->col, "out of memory");
	return id;
}

/*
 * flowint:<name>,<op>[,<value>] (Suricata detect-flowint.c): op is one of
 * = + - == != < <= > >= isset notset isnotset; value a decimal up to
 * 2^32-1 or another variable's name.
 */
static int kw_flowint(struct pctx *c, struct tok v)
{
	static const struct { const char *n; enum sw_fi_op op; } ops[] = {
		{ "=", SW_FI_SET }, { "+", SW_FI_ADD }, { "-", SW_FI_SUB }, { "==", SW_FI_EQ }, { "!=", SW_FI_NE },
		{ "<", SW_FI_LT }, { "<=", SW_FI_LE }, { ">", SW_FI_GT }, { ">=", SW_FI_GE },
		{ "isset", SW_FI_ISSET }, { "notset", SW_FI_NOTSET }, { "isnotset", SW_FI_NOTSET },
	};
	struct sw_flowint fi = { 0 };
	struct tok p[4];
	int n = split(&v, ',', p, 4), id;
	size_t k;

	if (n < 2 || n > 3)
		return perr(c->e, v.col, "invalid flowint value (want name,op[,value]): '%.*s'", Q(v.len), v.s);
	if (!var_name_ok(&p[0]))
		return perr(c->e, p[0].col, "invalid flowint name: '%.*s'", Q(p[0].len), p[0].s);
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]) && !tok_eq(&p[1], ops[k].n); k++)
		;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return perr(c->e, p[1].col, "invalid flowint operator: '%.*s'", Q(p[1].len), p[1].s);
	fi.op = (uint8_t)ops[k].op;
	if (fi.op == SW_FI_ISSET || fi.op == SW_FI_NOTSET) {
		if (n == 3 && p[2].len)
			return perr(c->e, p[2].col, "flowint '%.*s' takes no value: '%.*s'", Q(p[1].len), p[1].s,
				    Q(p[2].len), p[2].s);
	} else if (n != 3 || !p[2].len) {
		return perr(c->e, p[1].col, "flowint '%.*s' needs a value", Q(p[1].len), p[1].s);
	} else if (isdigit((unsigned char)p[2].s[0])) {
		int64_t x;

		if (p[2].len > 10 || num_or_err(c, &p[2], "flowint", 0, UINT32_MAX, false, &x) < 0)
			return perr(c->e, p[2].col, "flowint value out of range (0-4294967295): '%.*s'", Q(p[2].len),
				    p[2].s);
		fi.value = (uint32_t)x;
	} else {
		if (!var_name_ok(&p[2]))
			return perr(c->e, p[2].col, "invalid flowint value: '%.*s'", Q(p[2].len), p[2].s);
		if ((id = var_id(c, RULES_NT_FLOWINT, &p[2], SW_FLOWINT_MAX, "flowint variables")) < 0)
			return -EINVAL;
		fi.target_var = true;
		fi.target = (uint8_t)id;
	}
	if ((id = var_id(c, RULES_NT_FLOWINT, &p[0], SW_FLOWINT_MAX, "flowint variables")) < 0)
		return -EINVAL;
	fi.id = (uint8_t)id;
	if (push_elem(&c->r->fi, &c->r->n_fi, sizeof(fi), &fi) < 0)
		return perr(c->e, v.col, "out of memory");
	return 0;
}

/*
 * flow.pkts / flow.bytes:<toserver|toclient|either|both>,<uint>, the
 * _toserver / _toclient forms with the uint alone, flow.age:<uint>
 * (Suricata 8, rust/src/detect/flow.rs; the uint syntax is
 * detect_parse_uint: pkts and age are u32, bytes u64).
 */
static int kw_flowcnt(struct pctx *c, const struct tok *kw, struct tok v)
{
	static const struct { const char *kw; uint8_t kind; int dir; } kws[] = {
		{ "flow.pkts", SW_FC_PKTS, -1 }, { "flow.pkts_toserver", SW_FC_PKTS, SW_FCD_TOSERVER },
		{ "flow.pkts_toclient", SW_FC_PKTS, SW_FCD_TOCLIENT }, { "flow.bytes", SW_FC_BYTES, -1 },
		{ "flow.bytes_toserver", SW_FC_BYTES, SW_FCD_TOSERVER },
		{ "flow.bytes_toclient", SW_FC_BYTES, SW_FCD_TOCLIENT }, { "flow.age", SW_FC_AGE, SW_FCD_BOTH },
	};
	static const char *const dirs[] = { "toserver", "toclient", "either", "both" };
	struct sw_flowcnt fc = { 0 };
	struct tok num = v;
	struct ucur u;
	struct num64 m;
	size_t k;

	for (k = 0; k < sizeof(kws) / sizeof(kws[0]) && !tok_eq(kw, kws[k].kw); k++)
		;
	fc.kind = kws[k].kind;
	if (kws[k].dir < 0) {
		const char *comma = memchr(v.s, ',', v.len);
		struct tok d = { v.s, comma ? (size_t)(comma - v.s) : v.len, v.col };
		size_t j;

		trim(&d);
		for (j = 0; j < 4 && !tok_eq(&d, dirs[j]); j++)
			;
		if (!comma || j == 4)
			return perr(c->e, d.col, "invalid %.*s direction (want toserver, toclient, either or both): '%.*s'",
				    Q(kw->len), kw->s, Q(d.len), d.s);
		fc.dir = (uint8_t)j;
		num = (struct tok){ comma + 1, v.len - d.len - 1, v.col + (size_t)(comma + 1 - v.s) };
		num.len = v.len - (size_t)(comma + 1 - v.s);
		trim(&num);
	} else {
		fc.dir = (uint8_t)kws[k].dir;
	}
	u = (struct ucur){ num.s, num.len, 0, false, false };
	if (!u_parse64(&u, fc.kind == SW_FC_BYTES ? UINT64_MAX : UINT32_MAX, &m) || (u_spaces(&u), u.i != u.n))
		return perr(c->e, num.col, "invalid %.*s value: '%.*s'", Q(kw->len), kw->s, Q(num.len), num.s);
	fc.op = (uint8_t)m.op;
	fc.a = m.a;
	fc.b = m.b;
	if (push_elem(&c->r->fc, &c->r->n_fc, sizeof(fc), &fc) < 0)
		return perr(c->e, v.col, "out of memory");
	return 0;
}

static int xbit_op(const struct tok *t, uint8_t *op)
{
	static const struct { const char *n; enum sw_fb_op op; } ops[] = {
		{ "set", SW_FB_SET }, { "isset", SW_FB_ISSET }, { "isnotset", SW_FB_ISNOTSET },
		{ "unset", SW_FB_UNSET }, { "toggle", SW_FB_TOGGLE }, { "noalert", SW_FB_NOALERT },
	};

	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		/* Suricata compares these case-sensitively (strcmp) */
		if (t->len == strlen(ops[k].n) && memcmp(t->s, ops[k].n, t->len) == 0) {
			*op = (uint8_t)ops[k].op;
			return 0;
		}
	}
	return -EINVAL;
}

#define SW_RULES_MAX_XBITS 1024 /* host bit names and pair bit names, each */

/*
 * hostbits:<cmd>[,<name>[,<src|dst>]] (Suricata detect-hostbits.c: expire
 * fixed at 300 s, default direction src) and
 * xbits:<cmd>,<name>,track <ip_src|ip_dst|ip_pair>[,expire <s>]
 * (detect-xbits.c: track required, expire 30 s unless given, > 0).  Both
 * take noalert alone.  xbits track tx is refused: it needs transaction
 * bits, which nothing keeps.
 */
static int kw_xbits(struct pctx *c, const struct tok *kw, struct tok v)
{
	bool host = tok_eq(kw, "hostbits");
	const char *name = host ? "hostbits" : "xbits";
	struct sw_xbit xb = { .track = SW_XB_IP_SRC, .expire = host ? 300 : 30 };
	bool have_track = false, have_expire = false;
	struct tok p[6];
	int n = split(&v, ',', p, 6), id;

	if (n < 1)
		return perr(c->e, v.col, "invalid %s value: '%.*s'", name, Q(v.len), v.s);
	if (xbit_op(&p[0], &xb.op) < 0)
		return perr(c->e, p[0].col, "invalid %s command: '%.*s'", name, Q(p[0].len), p[0].s);
	if (xb.op == SW_FB_NOALERT) {
		if (n > 1)
			return perr(c->e, p[1].col, "%s:noalert takes no name: '%.*s'", name, Q(p[1].len), p[1].s);
		c->r->noalert = true;
		return 0;
	}
	if (n < 2 || !p[1].len)
		return perr(c->e, v.col, "%s '%.*s' needs a name", name, Q(p[0].len), p[0].s);
	for (size_t j = 0; j < p[1].len; j++)
		if (isspace((unsigned char)p[1].s[j]) || p[1].s[j] == '"')
			return perr(c->e, p[1].col, "invalid %s name: '%.*s'", name, Q(p[1].len), p[1].s);
	if (host) {
		if (n > 3)
			return perr(c->e, p[3].col, "invalid hostbits option: '%.*s'", Q(p[3].len), p[3].s);
		if (n == 3) {
			if (tok_eq(&p[2], "dst"))
				xb.track = SW_XB_IP_DST;
			else if (tok_eq(&p[2], "both"))
				return perr(c->e, p[2].col, "hostbits direction 'both' is not implemented (as in Suricata)");
			else if (!tok_eq(&p[2], "src"))
				return perr(c->e, p[2].col, "invalid hostbits direction (want src or dst): '%.*s'",
					    Q(p[2].len), p[2].s);
		}
	} else {
		for (int i = 2; i < n; i++) {
			struct tok k = p[i], a;
			size_t sp = 0;

			while (sp < k.len && !isspace((unsigned char)k.s[sp]))
				sp++;
			a = (struct tok){ k.s + sp, k.len - sp, k.col + sp };
			k.len = sp;
			trim(&a);
			if (tok_eq(&k, "track") && !have_track) {
				if (tok_eq(&a, "ip_src"))
					xb.track = SW_XB_IP_SRC;
				else if (tok_eq(&a, "ip_dst"))
					xb.track = SW_XB_IP_DST;
				else if (tok_eq(&a, "ip_pair"))
					xb.track = SW_XB_IP_PAIR;
				else if (tok_eq(&a, "tx"))
					return perr(c->e, a.col, "xbits track 'tx' is not supported");
				else
					return perr(c->e, a.col, "invalid xbits track: '%.*s'", Q(a.len), a.s);
				have_track = true;
			} else if (tok_eq(&k, "expire") && !have_expire) {
				int64_t x;

				if (parse_num(&a, 1, UINT32_MAX, false, &x) < 0)
					return perr(c->e, a.col, "invalid xbits expire value: '%.*s'", Q(a.len), a.s);
				xb.expire = (uint32_t)x;
				have_expire = true;
			} else {
				return perr(c->e, p[i].col, "invalid xbits option: '%.*s'", Q(p[i].len), p[i].s);
			}
		}
		if (!have_track)
			return perr(c->e, v.col, "xbits needs 'track ip_src', 'track ip_dst' or 'track ip_pair': '%.*s'",
				    Q(v.len), v.s);
	}
	id = var_id(c, xb.track == SW_XB_IP_PAIR ? RULES_NT_PAIRBIT : RULES_NT_HOSTBIT, &p[1], SW_RULES_MAX_XBITS,
		    xb.track == SW_XB_IP_PAIR ? "pair bits" : "host bits");
	if (id < 0)
		return -EINVAL;
	xb.id = (uint16_t)id;
	if (push_elem(&c->r->xb, &c->r->n_xb, sizeof(xb), &xb) < 0)
		return perr(c->e, v.col, "out of memory");
	return 0;
}

/*
 * tag:<session|host>[,<count>,<packets|seconds|bytes>[,<src|dst>]]
 * (Suricata detect-tag.c).  Parsed and checked; the tagged packets
 * themselves are not logged yet, so the rule alerts as without it.
 */
static int kw_tag(struct pctx *c, struct tok v)
{
	struct tok p[5];
	int n = split(&v, ',', p, 5);
	bool host;

	if (n < 1 || n == 2 || n > 4)
		return perr(c->e, v.col, "invalid tag value (want session|host[,count,metric[,src|dst]]): '%.*s'",
			    Q(v.len), v.s);
	if (tok_eq(&p[0], "session"))
		host = false;
	else if (tok_eq(&p[0], "host"))
		host = true;
	else
		return perr(c->e, p[0].col, "invalid tag type (want session or host): '%.*s'", Q(p[0].len), p[0].s);
	if (n >= 3) {
		int64_t x;

		if (parse_num(&p[1], 0, UINT32_MAX, false, &x) < 0)
			return perr(c->e, p[1].col, "invalid tag count: '%.*s'", Q(p[1].len), p[1].s);
		if (!tok_eq(&p[2], "packets") && !tok_eq(&p[2], "seconds") && !tok_eq(&p[2], "bytes"))
			return perr(c->e, p[2].col, "invalid tag metric (want packets, seconds or bytes): '%.*s'",
				    Q(p[2].len), p[2].s);
	}
	if (n == 4) {
		if (!host)
			return perr(c->e, p[3].col, "tag direction only applies to host tags: '%.*s'", Q(p[3].len),
				    p[3].s);
		if (!tok_eq(&p[3], "src") && !tok_eq(&p[3], "dst"))
			return perr(c->e, p[3].col, "invalid tag direction (want src or dst): '%.*s'", Q(p[3].len),
				    p[3].s);
	}
	c->r->tag = true;
	return 0;
}

/* ---- the option dispatcher ---- */

static const struct { const char *name; int once; } once_kw[] = {
	{ "msg", K_MSG }, { "sid", K_SID }, { "rev", K_REV }, { "gid", K_GID }, { "classtype", K_CLASSTYPE },
	{ "priority", K_PRIORITY }, { "flow", K_FLOW }, { "flags", K_FLAGS }, { "tcp.flags", K_FLAGS },
	{ "ttl", K_TTL }, { "itype", K_ITYPE }, { "icode", K_ICODE }, { "icmp_id", K_ICMP_ID },
	{ "icmp_seq", K_ICMP_SEQ }, { "ip_proto", K_IP_PROTO }, { "tcp.mss", K_TCP_MSS }, { "dsize", K_DSIZE },
	{ "threshold", K_THRESHOLD }, { "detection_filter", K_DFILTER },
};

static const char *const valued_kw[] = {
	"msg", "sid", "rev", "gid", "classtype", "priority", "reference", "metadata", "content", "offset",
	"depth", "distance", "within", "isdataat", "dsize", "pcre", "byte_test", "byte_jump", "byte_extract",
	"flow", "flags", "tcp.flags", "ttl", "itype", "icode", "icmp_id", "icmp_seq", "ip_proto", "tcp.mss",
	"flowbits", "threshold", "detection_filter", "uricontent", "urilen", "bsize", "target", "stream_size",
	"flowint", "flow.pkts", "flow.pkts_toserver", "flow.pkts_toclient", "flow.bytes", "flow.bytes_toserver",
	"flow.bytes_toclient", "flow.age", "hostbits", "xbits", "tag",
};

static int option(struct pctx *c, const struct tok *kw, struct tok v, bool has_val)
{
	struct sw_rule *r = c->r;
	int64_t x;

	for (size_t i = 0; i < sizeof(once_kw) / sizeof(once_kw[0]); i++) {
		if (tok_eq(kw, once_kw[i].name)) {
			if (c->seen[once_kw[i].once])
				return perr(c->e, kw->col, "duplicate keyword '%.*s'", Q(kw->len), kw->s);
			c->seen[once_kw[i].once] = true;
		}
	}
	for (size_t i = 0; i < sizeof(valued_kw) / sizeof(valued_kw[0]); i++)
		if (tok_eq(kw, valued_kw[i]) && (!has_val || !v.len))
			return perr(c->e, kw->col, "'%.*s' needs a value", Q(kw->len), kw->s);

	if (tok_eq(kw, "msg")) {
		if (unquote(c, &v, "msg", false) < 0)
			return -EINVAL;
		if (!(r->msg = unescape_dup(&v)))
			return perr(c->e, v.col, "out of memory");
		return 0;
	}
	if (tok_eq(kw, "sid")) {
		if (num_or_err(c, &v, "sid", 1, UINT32_MAX, false, &x) < 0)
			return -EINVAL;
		r->sid = (uint32_t)x;
		return 0;
	}
	if (tok_eq(kw, "rev") || tok_eq(kw, "gid")) {
		bool rev = tok_eq(kw, "rev");
		if (num_or_err(c, &v, rev ? "rev" : "gid", rev ? 0 : 1, UINT32_MAX, false, &x) < 0)
			return -EINVAL;
		*(rev ? &r->rev : &r->gid) = (uint32_t)x;
		return 0;
	}
	if (tok_eq(kw, "priority")) {
		if (num_or_err(c, &v, "priority", 1, 255, false, &x) < 0)
			return -EINVAL;
		r->priority = (uint32_t)x;
		return 0;
	}
	if (tok_eq(kw, "classtype")) {
		char name[128];
		const struct class_ent *ce;
		if (v.len >= sizeof(name))
			return perr(c->e, v.col, "unknown classtype '%.*s'", Q(v.len), v.s);
		memcpy(name, v.s, v.len);
		name[v.len] = '\0';
		ce = class_lookup(rules_cls(c->rs), name);
		if (!ce)
			return perr(c->e, v.col, "unknown classtype '%.*s'", Q(v.len), v.s);
		if (!(r->classtype = strdup(ce->name)) || !(r->class_desc = strdup(ce->desc)))
			return perr(c->e, v.col, "out of memory");
		if (!c->seen[K_PRIORITY])
			r->priority = ce->prio;
		return 0;
	}
	if (tok_eq(kw, "reference")) {
		/* type,value: the value may itself hold commas (URLs); Suricata splits at the first one. */
		const char *comma = memchr(v.s, ',', v.len);
		struct tok t = { v.s, comma ? (size_t)(comma - v.s) : v.len, v.col }, val = { 0 };
		if (comma)
			val = (struct tok){ comma + 1, v.len - t.len - 1, v.col + t.len + 1 };
		trim(&t);
		trim(&val);
		if (!comma || !t.len || !val.len)
			return perr(c->e, v.col, "invalid reference (want type,value): '%.*s'", Q(v.len), v.s);
		if (push_str(&r->references, &r->n_references, &c->ref_cap, v.s, v.len) < 0)
			return perr(c->e, v.col, "out of memory");
		return 0;
	}
	if (tok_eq(kw, "metadata")) {
		struct tok p[64];
		int n = split(&v, ',', p, 64);
		if (n < 0)
			return perr(c->e, v.col, "too many metadata entries: '%.*s'", Q(v.len), v.s);
		for (int i = 0; i < n; i++) {
			if (!p[i].len)
				continue;
			if (push_str(&r->metadata, &r->n_metadata, &c->md_cap, p[i].s, p[i].len) < 0)
				return perr(c->e, v.col, "out of memory");
		}
		return 0;
	}
	if (tok_eq(kw, "content"))
		return kw_content(c, v);
	{
		const struct bufkw *bk = find_buf_kw(kw);
		if (bk && bk->kind == BK_STICKY)
			return kw_sticky(c, kw, bk, &v, has_val);
		if (bk)
			return kw_buf_modifier(c, kw, bk->buf, &v, has_val);
	}
	if (tok_eq(kw, "uricontent")) {
		/* content + http_uri (Suricata detect-uricontent.c), with the modifier's checks. */
		if (c->cur_buf != SW_BUF_PAYLOAD)
			return perr(c->e, kw->col, "'uricontent' after sticky buffer '%s' (use pkt_data first)",
				    sw_buf_name(c->cur_buf));
		if (kw_content(c, v) < 0 || use_buf(c, SW_BUF_HTTP_URI, "uricontent", kw->col) < 0)
			return -EINVAL;
		r->pm[r->n_pm - 1].buf = SW_BUF_HTTP_URI;
		return 0;
	}
	if (is_xform_kw(kw))
		return kw_transform(c, kw, &v, has_val);
	if (tok_eq(kw, "urilen"))
		return kw_urilen(c, kw, v);
	if (tok_eq(kw, "bsize"))
		return kw_bsize(c, kw, v);
	if (tok_eq(kw, "target"))
		return kw_target(c, v);
	if (tok_eq(kw, "stream_size"))
		return kw_stream_size(c, v);
	if (tok_eq(kw, "noalert")) {
		/* Same as flowbits:noalert (Suricata detect-noalert.c). */
		if (has_val)
			return perr(c->e, v.col, "noalert takes no value: '%.*s'", Q(v.len), v.s);
		r->noalert = true;
		return 0;
	}
	if (tok_eq(kw, "nocase") || tok_eq(kw, "offset") || tok_eq(kw, "depth") || tok_eq(kw, "distance") ||
	    tok_eq(kw, "within") || tok_eq(kw, "fast_pattern") || tok_eq(kw, "startswith") ||
	    tok_eq(kw, "endswith"))
		return kw_modifier(c, kw, v, has_val);
	if (tok_eq(kw, "isdataat"))
		return kw_isdataat(c, v);
	if (tok_eq(kw, "pcre"))
		return kw_pcre(c, v);
	if (tok_eq(kw, "byte_test"))
		return kw_byte_test(c, v);
	if (tok_eq(kw, "byte_jump"))
		return kw_byte_jump(c, v);
	if (tok_eq(kw, "byte_extract"))
		return kw_byte_extract(c, v);
	if (tok_eq(kw, "flow"))
		return kw_flow(c, v);
	if (tok_eq(kw, "flags") || tok_eq(kw, "tcp.flags"))
		return kw_flags(c, v);
	if (tok_eq(kw, "dsize"))
		return parse_cmp(c, kw, v, 65535, &r->dsize);
	if (tok_eq(kw, "ttl"))
		return parse_cmp(c, kw, v, 255, &r->ttl);
	if (tok_eq(kw, "itype"))
		return parse_cmp(c, kw, v, 255, &r->itype);
	if (tok_eq(kw, "icode"))
		return parse_cmp(c, kw, v, 255, &r->icode);
	if (tok_eq(kw, "icmp_id"))
		return parse_cmp(c, kw, v, 65535, &r->icmp_id);
	if (tok_eq(kw, "icmp_seq"))
		return parse_cmp(c, kw, v, 65535, &r->icmp_seq);
	if (tok_eq(kw, "tcp.mss"))
		return parse_cmp(c, kw, v, 65535, &r->tcp_mss);
	if (tok_eq(kw, "ip_proto"))
		return kw_ip_proto(c, kw, v);
	if (tok_eq(kw, "flowbits"))
		return kw_flowbits(c, v);
	if (tok_eq(kw, "tls.version") || tok_eq(kw, "tls.cert_chain_len") || tok_eq(kw, "tls_cert_notbefore") ||
	    tok_eq(kw, "tls_cert_notafter") || tok_eq(kw, "tls_cert_expired") || tok_eq(kw, "tls_cert_valid"))
		return kw_tls_num(c, kw, v, has_val);
	if (tok_eq(kw, "dns.opcode") || tok_eq(kw, "dns.rcode") || tok_eq(kw, "dns.rrtype"))
		return kw_txnum(c, kw, v, has_val);
	if (tok_eq(kw, "flowint"))
		return kw_flowint(c, v);
	if (tok_eq(kw, "flow.pkts") || tok_eq(kw, "flow.pkts_toserver") || tok_eq(kw, "flow.pkts_toclient") ||
	    tok_eq(kw, "flow.bytes") || tok_eq(kw, "flow.bytes_toserver") || tok_eq(kw, "flow.bytes_toclient") ||
	    tok_eq(kw, "flow.age"))
		return kw_flowcnt(c, kw, v);
	if (tok_eq(kw, "hostbits") || tok_eq(kw, "xbits"))
		return kw_xbits(c, kw, v);
	if (tok_eq(kw, "tag"))
		return kw_tag(c, v);
	if (tok_eq(kw, "prefilter")) {
		/* Suricata detect-prefilter.c: picks the prefilter engine, never changes what matches */
		if (has_val)
			return perr(c->e, v.col, "prefilter takes no value: '%.*s'", Q(v.len), v.s);
		if (r->prefilter)
			return perr(c->e, kw->col, "duplicate keyword 'prefilter'");
		r->prefilter = true;
		return 0;
	}
	if (tok_eq(kw, "threshold"))
		return kw_threshold(c, v, false);
	if (tok_eq(kw, "detection_filter"))
		return kw_threshold(c, v, true);
	return perr(c->e, kw->col, "unsupported keyword '%.*s'", Q(kw->len), kw->s);
}

/* ---- header ---- */

static int header_token(const char *s, size_t len, size_t *pos, struct tok *t)
{
	int depth = 0;

	while (*pos < len && isspace((unsigned char)s[*pos]))
		(*pos)++;
	t->s = s + *pos;
	t->col = *pos;
	while (*pos < len && (depth > 0 || !isspace((unsigned char)s[*pos])) && !(depth == 0 && s[*pos] == '(')) {
		if (s[*pos] == '[')
			depth++;
		else if (s[*pos] == ']' && depth > 0)
			depth--;
		(*pos)++;
	}
	t->len = (size_t)(s + *pos - t->s);
	if (depth > 0)
		return -2;
	return t->len ? 0 : -1;
}

void rule_clear(struct sw_rule *r)
{
	if (!r)
		return;
	free(r->msg);
	free(r->classtype);
	free(r->class_desc);
	for (uint32_t i = 0; i < r->n_metadata; i++)
		free(r->metadata[i]);
	free(r->metadata);
	for (uint32_t i = 0; i < r->n_references; i++)
		free(r->references[i]);
	free(r->references);
	free(r->file);
	free(r->src.v4);
	free(r->src.v6);
	free(r->dst.v4);
	free(r->dst.v6);
	free(r->sp.r);
	free(r->dp.r);
	for (uint32_t i = 0; i < r->n_pm; i++) {
		if (r->pm[i].kind == SW_PM_CONTENT)
			free(r->pm[i].u.content.pat);
		else if (r->pm[i].kind == SW_PM_PCRE)
			free(r->pm[i].u.pcre.re);
	}
	free(r->pm);
	free(r->fb);
	free(r->fi);
	free(r->fc);
	free(r->xb);
	for (uint32_t i = 0; i < r->n_sup; i++) {
		free(r->sup[i].ips.v4);
		free(r->sup[i].ips.v6);
	}
	free(r->sup);
	free(r->txnum);
	memset(r, 0, sizeof(*r));
}

/*
 * Header protocol @t beyond the IP ones: an application protocol from
 * common/app_proto.h (the engine checks the flow's app_proto; TCP-only
 * ones also make the rule TCP, DNS runs on UDP and TCP), or an error that
 * names what Suricata has and we do not.
 */
static int header_app_proto(struct pctx *c, const struct tok *t)
{
	static const char *const unsupported[] = {
		"http2", "quic", "krb5", "nfs", "dhcp", "snmp", "sip", "rdp", "mqtt", "modbus", "dnp3", "enip",
		"ike", "ikev2", "ntp", "tftp", "rfb", "telnet", "pgsql", "bittorrent-dht", "websocket", "ldap",
		"doh2", "mdns", "irc", "template", "sctp", "pkthdr",
	};
	enum sw_app_proto ap = sw_app_proto_from_name(t->s, t->len);

	/*
	 * ftp-data connections are found through the FTP control channel's
	 * PORT/PASV answers, which nothing follows yet: such a rule could never
	 * match, so it is refused rather than loaded dead.
	 */
	if (ap == SW_APP_FTP_DATA)
		return perr(c->e, t->col, "application protocol 'ftp-data' is not supported (its connections are not "
					  "detected)");
	if (ap != SW_APP_UNKNOWN && ap != SW_APP_FAILED) {
		c->r->app_proto = ap;
		c->r->proto = sw_app_proto_tcp_only(ap) ? SW_RP_TCP : SW_RP_IP;
		return 0;
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (!tok_eq(t, unsupported[i]))
			continue;
		if (i >= sizeof(unsupported) / sizeof(unsupported[0]) - 2)
			return perr(c->e, t->col, "protocol '%.*s' is not supported", Q(t->len), t->s);
		return perr(c->e, t->col, "application protocol '%.*s' is not supported", Q(t->len), t->s);
	}
	return perr(c->e, t->col, "unknown protocol '%.*s'", Q(t->len), t->s);
}

/*
 * Put pm in Suricata's list order: one list per buffer and transforms
 * (buf, xform), lists in the order of their first keyword, keywords in rule
 * order within each (a stable partition).  Remaps the fast pattern and the
 * byte_extract definitions, and sets buf_mask.
 */
/*
 * Suricata: with no sticky buffer, a relative isdataat, byte_test,
 * byte_jump, byte_extract or pcre (R) belongs to the list of the content or
 * pcre before it, which a content modifier (http_uri, uricontent ...) may
 * have moved: "uricontent:\"x\"; isdataat:4,relative;" tests the URI.
 */
static void follow_modified(struct sw_rule *r)
{
	uint8_t last = SW_BUF_PAYLOAD, last_xform = 0;

	for (uint32_t i = 0; i < r->n_pm; i++) {
		struct sw_pm *pm = &r->pm[i];
		bool rel = false;

		switch (pm->kind) {
		case SW_PM_CONTENT:
			last = pm->buf;
			last_xform = pm->xform;
			continue;
		case SW_PM_PCRE:
			rel = pm->u.pcre.relative;
			break;
		case SW_PM_ISDATAAT:
			rel = pm->u.isdataat.relative;
			break;
		case SW_PM_BYTE_TEST:
			rel = pm->u.btest.relative;
			break;
		case SW_PM_BYTE_JUMP:
			rel = pm->u.bjump.relative;
			break;
		case SW_PM_BYTE_EXTRACT:
			rel = pm->u.bextract.relative;
			break;
		case SW_PM_BSIZE:
			continue;
		}
		if (pm->buf == SW_BUF_PAYLOAD && rel) {
			pm->buf = last;
			pm->xform = last_xform;
		}
		if (pm->kind == SW_PM_PCRE) {
			last = pm->buf;
			last_xform = pm->xform;
		}
	}
}

static int group_by_buffer(struct pctx *c)
{
	struct sw_rule *r = c->r;
	uint32_t n = r->n_pm, k = 0;
	struct sw_pm *npm = NULL;
	size_t *ncol = NULL;
	uint32_t *newidx = NULL;
	uint64_t mask = 0;
	int ret = 0;

	r->buf_mask = 0;
	if (n == 0)
		return 0;
	npm = malloc(n * sizeof(*npm));
	ncol = malloc(n * sizeof(*ncol));
	newidx = malloc(n * sizeof(*newidx));
	if (!npm || !ncol || !newidx) {
		ret = perr(c->e, 0, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b = r->pm[i].buf, x = r->pm[i].xform;
		uint32_t prev;

		mask |= 1ULL << b;
		for (prev = 0; prev < i && !(r->pm[prev].buf == b && r->pm[prev].xform == x); prev++)
			;
		if (prev < i)
			continue; /* this list was moved with its first keyword */
		for (uint32_t j = i; j < n; j++) {
			if (r->pm[j].buf != b || r->pm[j].xform != x)
				continue;
			newidx[j] = k;
			ncol[k] = c->pm_col[j];
			npm[k++] = r->pm[j];
		}
	}
	r->buf_mask = mask;
	if (c->fp_explicit >= 0)
		c->fp_explicit = (int)newidx[c->fp_explicit];
	for (int v = 0; v < r->n_vars; v++)
		c->var_pm[v] = (int)newidx[c->var_pm[v]];
	memcpy(r->pm, npm, n * sizeof(*npm));
	memcpy(c->pm_col, ncol, n * sizeof(*ncol));
out:
	free(npm);
	free(ncol);
	free(newidx);
	return ret;
}

/*
 * A byte_extract variable is only defined in its own list, buffer and
 * transforms (Suricata looks it up in the keyword's list, and a transformed
 * buffer is a list of its own).
 */
static int check_var(struct pctx *c, uint32_t i, const struct sw_operand *op)
{
	const struct sw_pm *pm = &c->r->pm[i], *def;
	char a[48], b[48];

	if (op->var < 0)
		return 0;
	def = &c->r->pm[c->var_pm[op->var]];
	if (def->buf != pm->buf || def->xform != pm->xform)
		return perr(c->e, c->pm_col[i], "byte_extract variable '%s' is from '%s', not '%s'", c->varname[op->var],
			    list_name(def->buf, def->xform, a, sizeof(a)), list_name(pm->buf, pm->xform, b, sizeof(b)));
	return 0;
}

/*
 * A content that needs more bytes than its list's bsize allows can never
 * match: refused, as Suricata does ("content length N exceeds bsize").
 * What a content needs is its length, plus its offset when absolute.  The
 * list is the buffer with its transforms: bsize after dotprefix counts the
 * dot, and checks only the contents that see it.
 */
static int check_bsize(struct pctx *c)
{
	const struct sw_rule *r = c->r;

	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_num_match *m = &r->pm[i].u.bsize;
		uint64_t max;

		if (r->pm[i].kind != SW_PM_BSIZE)
			continue;
		switch (m->op) {
		case SW_CMP_EQ:
		case SW_CMP_LE:
			max = m->a;
			break;
		case SW_CMP_LT:
			max = m->a ? m->a - 1 : 0;
			break;
		case SW_CMP_RANGE:
			max = m->b ? m->b - 1 : 0;
			break;
		default:
			continue; /* > >= !=: no upper bound */
		}
		for (uint32_t k = 0; k < r->n_pm; k++) {
			const struct sw_content *ct = &r->pm[k].u.content;
			uint64_t need;

			if (r->pm[k].kind != SW_PM_CONTENT || r->pm[k].buf != r->pm[i].buf ||
			    r->pm[k].xform != r->pm[i].xform || (ct->flags & SW_CONTENT_NEGATED))
				continue;
			need = ct->len;
			if ((ct->flags & SW_CONTENT_OFFSET) && ct->offset.var < 0 && ct->offset.value > 0)
				need += (uint64_t)ct->offset.value;
			if (need > max)
				return perr(c->e, c->pm_col[k], "content needs %llu bytes, more than bsize allows (%llu)",
					    (unsigned long long)need, (unsigned long long)max);
		}
	}
	return 0;
}

/*
 * Suricata's load-time refusals around fast_pattern (detect-fast-pattern.c,
 * detect-distance.c, -within.c, -offset.c, -depth.c), whatever the order of
 * the modifiers in the rule:
 *  - a negated content with fast_pattern and distance/within/offset/depth;
 *  - fast_pattern:only on a negated content or with one of those;
 *  - a relative content right after a fast_pattern:only content.
 */
static int check_fast_pattern(struct pctx *c)
{
	const struct sw_rule *r = c->r;
	const uint16_t pos = SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN | SW_CONTENT_OFFSET | SW_CONTENT_DEPTH;

	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_content *ct = &r->pm[i].u.content;

		if (r->pm[i].kind != SW_PM_CONTENT)
			continue;
		if ((ct->flags & SW_CONTENT_FP_ONLY) && (ct->flags & (SW_CONTENT_NEGATED | pos)))
			return perr(c->e, c->pm_col[i],
				    "fast_pattern: only; cannot be used with negated content or with any of the relative "
				    "modifiers like distance, within, offset, depth");
		if ((ct->flags & SW_CONTENT_FAST_PATTERN) && (ct->flags & SW_CONTENT_NEGATED) && (ct->flags & pos))
			return perr(c->e, c->pm_col[i],
				    "fast_pattern; cannot be used with negated content, along with relative modifiers");
		if (i && (ct->flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN)) && r->pm[i - 1].buf == r->pm[i].buf &&
		    r->pm[i - 1].xform == r->pm[i].xform && r->pm[i - 1].kind == SW_PM_CONTENT &&
		    (r->pm[i - 1].u.content.flags & SW_CONTENT_FP_ONLY))
			return perr(c->e, c->pm_col[i],
				    "previous keyword has a fast_pattern:only; set. Can't have relative keywords around a "
				    "fast_pattern only content");
	}
	return 0;
}

/*
 * Suricata's DetectContentPMATCHValidateCallback: with dsize, the payload
 * contents must fit.  The largest dsize is its value for =, <, != and the
 * upper end of a range (SigParseGetMaxDsize; > and the others: no check).
 * Required: the first content's length, plus each later content chained by
 * distance/within (its length and distance); a negated relative one must
 * not reach past dsize with its distance and within; then the largest
 * offset (SigParseRequiredContentSize, SigParseMaxRequiredDsize).
 */
static int check_dsize(struct pctx *c)
{
	const struct sw_rule *r = c->r;
	int64_t max, total = 0, max_off = 0;
	uint32_t where = 0;
	bool first = true;

	if (!r->dsize.set)
		return 0;
	switch (r->dsize.op) {
	case SW_CMP_LT:
	case SW_CMP_EQ:
	case SW_CMP_NE:
		max = r->dsize.a;
		break;
	case SW_CMP_RANGE:
		max = r->dsize.b;
		break;
	default:
		return 0;
	}
	for (uint32_t i = 0; i < r->n_pm; i++) {
		const struct sw_content *ct = &r->pm[i].u.content;
		int64_t dist = ct->distance.var < 0 ? ct->distance.value : 0;
		int64_t within = ct->within.var < 0 ? ct->within.value : 0;

		if (r->pm[i].kind != SW_PM_CONTENT || r->pm[i].buf != SW_BUF_PAYLOAD || r->pm[i].xform)
			continue;
		if (!first) {
			if (!(ct->flags & (SW_CONTENT_DISTANCE | SW_CONTENT_WITHIN)))
				continue;
			if (ct->flags & SW_CONTENT_NEGATED) {
				if (total + dist + within > max)
					return perr(c->e, c->pm_col[i],
						    "signature can't match as required content length %lld exceeds dsize value "
						    "%lld", (long long)(total + dist + within), (long long)max);
				continue;
			}
		}
		total += ct->len + dist;
		if ((ct->flags & SW_CONTENT_OFFSET) && ct->offset.var < 0 && ct->offset.value > max_off)
			max_off = ct->offset.value;
		where = i;
		first = false;
	}
	if (!first && (total > max || total + max_off > max))
		return perr(c->e, c->pm_col[where], "signature can't match as required content length %lld exceeds dsize value %lld",
			    (long long)(total > max ? total : total + max_off), (long long)max);
	return 0;
}

static int check_vars(struct pctx *c)
{
	for (uint32_t i = 0; i < c->r->n_pm; i++) {
		const struct sw_pm *pm = &c->r->pm[i];
		const struct sw_operand *ops[4] = { NULL };

		switch (pm->kind) {
		case SW_PM_CONTENT:
			ops[0] = &pm->u.content.offset;
			ops[1] = &pm->u.content.depth;
			ops[2] = &pm->u.content.distance;
			ops[3] = &pm->u.content.within;
			break;
		case SW_PM_BYTE_TEST:
			ops[0] = &pm->u.btest.value;
			ops[1] = &pm->u.btest.offset;
			break;
		case SW_PM_BYTE_JUMP:
			ops[0] = &pm->u.bjump.offset;
			break;
		case SW_PM_ISDATAAT:
			ops[0] = &pm->u.isdataat.n;
			break;
		default:
			break;
		}
		for (int k = 0; k < 4 && ops[k]; k++)
			if (check_var(c, i, ops[k]) < 0)
				return -EINVAL;
	}
	return 0;
}

static int parse_rule(struct pctx *c, const char *line, size_t len)
{
	static const char *const actions[] = { "alert", "reject", "drop", "pass" };
	static const char *const protos[] = { "ip", "tcp", "udp", "icmp", "icmpv6", "tcp-pkt", "tcp-stream" };
	struct sw_rules *rs = c->rs;
	struct sw_rule *r = c->r;
	struct perr *e = c->e;
	struct tok h[7];
	size_t pos = 0, k, end;

	r->gid = 1;
	r->priority = 3;
	r->fast_pattern = -1;
	for (int i = 0; i < 7; i++) {
		int ht = header_token(line, len, &pos, &h[i]);
		if (ht == -2)
			return perr(e, h[i].col, "unterminated '[' in '%.*s'", Q(h[i].len), h[i].s);
		if (ht < 0)
			return perr(e, pos, "incomplete rule header: expected %s",
				    (const char *const[]){ "action", "protocol", "source address", "source port",
							   "direction", "destination address", "destination port" }[i]);
	}
	for (k = 0; k < 4 && !tok_eq(&h[0], actions[k]); k++)
		;
	if (k == 4)
		return perr(e, h[0].col, "unknown action '%.*s'", Q(h[0].len), h[0].s);
	r->action = (enum sw_action)k;
	c->proto = h[1];
	for (k = 0; k < 7 && !tok_eq(&h[1], protos[k]); k++)
		;
	if (k < 7)
		r->proto = (enum sw_rule_proto)k;
	else if (header_app_proto(c, &h[1]) < 0)
		return -EINVAL;
	if (tok_eq(&h[4], "->"))
		r->bidir = false;
	else if (tok_eq(&h[4], "<>"))
		r->bidir = true;
	else
		return perr(e, h[4].col, "invalid direction '%.*s'", Q(h[4].len), h[4].s);
	if (parse_addrset(h[2].s, h[2].len, h[2].col, rules_vars(rs), &r->src, e) < 0 ||
	    parse_portset(h[3].s, h[3].len, h[3].col, rules_vars(rs), &r->sp, e) < 0 ||
	    parse_addrset(h[5].s, h[5].len, h[5].col, rules_vars(rs), &r->dst, e) < 0 ||
	    parse_portset(h[6].s, h[6].len, h[6].col, rules_vars(rs), &r->dp, e) < 0)
		return -EINVAL;

	while (pos < len && isspace((unsigned char)line[pos]))
		pos++;
	if (pos >= len || line[pos] != '(')
		return perr(e, pos, "expected '(' after the header, got '%.*s'", Q(len - pos), line + pos);
	end = len;
	while (end > pos && isspace((unsigned char)line[end - 1]))
		end--;
	if (end <= pos + 1 || line[end - 1] != ')')
		return perr(e, end ? end - 1 : 0, "rule does not end with ')'");
	end--; /* the ')' */
	pos++;

	for (;;) {
		struct tok kw, v = { 0 };
		bool has_val = false, q = false;

		while (pos < end && isspace((unsigned char)line[pos]))
			pos++;
		if (pos >= end)
			break;
		kw.s = line + pos;
		kw.col = pos;
		while (pos < end && line[pos] != ':' && line[pos] != ';')
			pos++;
		kw.len = (size_t)(line + pos - kw.s);
		trim(&kw);
		if (!kw.len)
			return perr(e, kw.col, "empty option");
		for (size_t i = 0; i < kw.len; i++)
			if (!isalnum((unsigned char)kw.s[i]) && kw.s[i] != '_' && kw.s[i] != '.' && kw.s[i] != '-')
				return perr(e, kw.col, "invalid option '%.*s'", Q(kw.len), kw.s);
		if (pos < end && line[pos] == ':') {
			has_val = true;
			pos++;
			v.s = line + pos;
			v.col = pos;
			/* A value ends at the first ';' outside quotes; \x escapes anywhere. */
			while (pos < end && (q || line[pos] != ';')) {
				if (line[pos] == '\\' && pos + 1 < end)
					pos++;
				else if (line[pos] == '"')
					q = !q;
				pos++;
			}
			v.len = (size_t)(line + pos - v.s);
			if (q) {
				/*
				 * content:"ab"c"; reads as an unterminated quote; Suricata names
				 * the stray quote inside the content (detect-content.c).
				 */
				const char *semi = memchr(v.s, ';', v.len);

				if ((tok_eq(&kw, "content") || tok_eq(&kw, "uricontent")) && semi && semi - v.s >= 3 &&
				    v.s[0] == '"' && semi[-1] == '"')
					return perr(e, v.col, "Invalid unescaped double quote within content section.");
				return perr(e, v.col, "unterminated quote in '%.*s'", Q(kw.len), kw.s);
			}
			trim(&v);
		}
		if (pos >= end)
			return perr(e, kw.col, "missing ';' after '%.*s'", Q(kw.len), kw.s);
		pos++; /* ';' */
		if (option(c, &kw, v, has_val) < 0)
			return -EINVAL;
	}
	if (check_xform_used(c) < 0)
		return -EINVAL;
	if (!c->seen[K_SID])
		return perr(e, (size_t)-1, "missing sid"); /* column 0: no token to point at */
	if (!r->msg && !(r->msg = strdup("")))
		return perr(e, 0, "out of memory");
	/*
	 * Suricata refuses a rule whose keywords need one direction while
	 * flow: gives the other (detect-parse.c SigConsolidateDirection).  A
	 * to_server rule with a response keyword is refused here too; a
	 * to_client HTTP rule may use request buffers (the engine inspects the
	 * whole transaction at the response), a to_client DNS rule may not use
	 * dns.query (buf_req_only).
	 */
	if (c->resp_set && (r->flow & SW_FLOW_TO_SERVER))
		return perr(e, c->resp_col, "'%s' inspects the response, but the rule has flow:to_server", c->resp_kw);
	if (c->req_set && (r->flow & SW_FLOW_TO_CLIENT))
		return perr(e, c->req_col, "'%s' inspects the request, but the rule has flow:to_client", c->req_kw);
	/* dns.query (to server only) with dns.response.rrname (to client only): Suricata's "mixes keywords with conflicting directions" */
	if (c->req_set && c->resp_set)
		return perr(e, c->resp_col, "'%s' inspects the response, but '%s' the request", c->resp_kw, c->req_kw);
	/*
	 * Fast pattern: the marked content, else the longest non-negated one
	 * over all buffers (first in rule order on ties); chosen before
	 * grouping and remapped by it.
	 */
	if (c->fp_explicit < 0) {
		uint32_t best = 0;
		for (uint32_t i = 0; i < r->n_pm; i++) {
			const struct sw_pm *pm = &r->pm[i];
			if (pm->kind == SW_PM_CONTENT && !(pm->u.content.flags & SW_CONTENT_NEGATED) &&
			    pm->u.content.len > best) {
				best = pm->u.content.len;
				c->fp_explicit = (int)i;
			}
		}
	}
	follow_modified(c->r);
	if (group_by_buffer(c) < 0 || check_vars(c) < 0 || check_bsize(c) < 0 || check_fast_pattern(c) < 0 ||
	    check_dsize(c) < 0)
		return -EINVAL;
	r->fast_pattern = c->fp_explicit;
	return 0;
}

int rule_parse(struct sw_rules *rs, const char *line, size_t len, struct sw_rule *r, struct perr *e)
{
	struct pctx c = { .rs = rs, .line = line, .r = r, .e = e, .last_content = -1, .fp_explicit = -1 };
	int ret = parse_rule(&c, line, len);

	free(c.pm_col);
	return ret;
}
