/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parsed form of one Suricata-compatible rule.  rules/ produces it
 * (parse.c), engine/detect.c compiles and evaluates it.  A parsed rule is
 * immutable once loading finishes; every pointer in it is owned by the rule
 * and released by sw_rules_free().
 *
 * Everything variable-sized has been resolved at parse time: address and port
 * variables are expanded, negations are applied, and the result is a sorted,
 * merged list of disjoint closed intervals, so matching is a binary search
 * and the detect engine can build one lookup structure over all rules.
 */
#ifndef SW_RULES_RULE_H
#define SW_RULES_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/app_proto.h"

/* Numeric order is the precedence order: higher wins (Suricata: pass > drop > reject > alert). */
enum sw_action {
	SW_ACTION_ALERT = 0,
	SW_ACTION_REJECT = 1,
	SW_ACTION_DROP = 2,
	SW_ACTION_PASS = 3,
};

enum sw_rule_proto {
	SW_RP_IP,         /* any IP packet */
	SW_RP_TCP,        /* TCP: payload keywords inspect the reassembled stream when in sync, else the packet */
	SW_RP_UDP,
	SW_RP_ICMP,       /* ICMPv4 */
	SW_RP_ICMPV6,
	SW_RP_TCP_PKT,    /* TCP, payload keywords inspect packets only */
	SW_RP_TCP_STREAM, /* TCP, payload keywords inspect the stream only */
};

/* ---- addresses and ports: sorted, merged, disjoint closed intervals ---- */

struct sw_ip4_range {
	uint32_t lo, hi; /* host order, inclusive */
};

struct sw_ip6_range {
	uint8_t lo[16], hi[16]; /* network order, inclusive */
};

struct sw_addrset {
	bool any;                 /* covers every IPv4 and IPv6 address (v4/v6 arrays are then empty) */
	uint32_t n4, n6;
	struct sw_ip4_range *v4;  /* sorted by lo, disjoint, non-adjacent */
	struct sw_ip6_range *v6;
};

struct sw_port_range {
	uint16_t lo, hi; /* inclusive */
};

struct sw_portset {
	bool any;
	uint32_t n;
	struct sw_port_range *r; /* sorted, disjoint, non-adjacent */
};

/* ---- numeric comparisons (dsize, ttl, itype, icode, icmp_id, icmp_seq, ip_proto, tcp.mss) ---- */

enum sw_cmp {
	SW_CMP_EQ,    /* N   or =N */
	SW_CMP_NE,    /* !N */
	SW_CMP_LT,    /* <N */
	SW_CMP_LE,    /* <=N */
	SW_CMP_GT,    /* >N */
	SW_CMP_GE,    /* >=N */
	SW_CMP_RANGE, /* A<>B: A < x < B, exclusive as in Suricata */
	/* only the Suricata integer syntax of the transaction keywords (struct sw_txnum) makes these: */
	SW_CMP_NEG_RANGE,   /* !A-B: x <= A or x >= B */
	SW_CMP_BITMASK,     /* &M=V: (x & M) == V (a = M, b = V) */
	SW_CMP_NEG_BITMASK, /* &M!=V: (x & M) != V */
};

struct sw_num_match {
	bool set;
	enum sw_cmp op;
	uint32_t a, b;
};

/* ---- inspection buffers (sticky buffers and content modifiers) ---- */

/*
 * Where a payload keyword looks.  SW_BUF_PAYLOAD is the packet payload or
 * the reassembled stream (no sticky buffer); every other value is an
 * application-layer buffer of one transaction, named as in Suricata (the
 * sticky-buffer form "http.uri" and the legacy content modifier "http_uri"
 * select the same buffer).  Buffers marked "req" exist in the request,
 * "resp" in the response, "both" in each (the rule's direction picks one).
 * Appended to (DNS, TLS ...), never renumbered within a build.
 */
enum sw_bufid {
	SW_BUF_PAYLOAD = 0,
	SW_BUF_HTTP_URI,             /* req: http.uri, http_uri, uricontent (normalized) */
	SW_BUF_HTTP_URI_RAW,         /* req: http.uri.raw, http_raw_uri */
	SW_BUF_HTTP_METHOD,          /* req: http.method, http_method */
	SW_BUF_HTTP_REQUEST_LINE,    /* req: http.request_line, http_request_line */
	SW_BUF_HTTP_HOST,            /* req: http.host, http_host (lowercased, no port) */
	SW_BUF_HTTP_HOST_RAW,        /* req: http.host.raw, http_raw_host */
	SW_BUF_HTTP_USER_AGENT,      /* req: http.user_agent, http_user_agent */
	SW_BUF_HTTP_REFERER,         /* req: http.referer */
	SW_BUF_HTTP_ACCEPT,          /* req: http.accept */
	SW_BUF_HTTP_ACCEPT_ENC,      /* req: http.accept_enc */
	SW_BUF_HTTP_ACCEPT_LANG,     /* req: http.accept_lang */
	SW_BUF_HTTP_REQUEST_BODY,    /* req: http.request_body, http_client_body */
	SW_BUF_HTTP_REQUEST_HEADER,  /* req: http.request_header, one instance per header "name: value" */
	SW_BUF_HTTP_STAT_CODE,       /* resp: http.stat_code, http_stat_code */
	SW_BUF_HTTP_STAT_MSG,        /* resp: http.stat_msg, http_stat_msg */
	SW_BUF_HTTP_RESPONSE_LINE,   /* resp: http.response_line, http_response_line */
	SW_BUF_HTTP_RESPONSE_BODY,   /* resp: http.response_body, http_server_body (dechunked, decompressed) */
	SW_BUF_HTTP_LOCATION,        /* resp: http.location */
	SW_BUF_HTTP_SERVER,          /* resp: http.server */
	SW_BUF_HTTP_RESPONSE_HEADER, /* resp: http.response_header, one instance per header */
	SW_BUF_HTTP_HEADER,          /* both: http.header, http_header (normalized) */
	SW_BUF_HTTP_HEADER_RAW,      /* both: http.header.raw, http_raw_header */
	SW_BUF_HTTP_HEADER_NAMES,    /* both: http.header_names */
	SW_BUF_HTTP_COOKIE,          /* both: http.cookie, http_cookie (Cookie / Set-Cookie) */
	SW_BUF_HTTP_CONTENT_TYPE,    /* both: http.content_type */
	SW_BUF_HTTP_CONTENT_LEN,     /* both: http.content_len */
	SW_BUF_HTTP_START,           /* both: http.start (start line + headers) */
	SW_BUF_HTTP_PROTOCOL,        /* both: http.protocol */
	SW_BUF_HTTP_CONNECTION,      /* both: http.connection */
	SW_BUF_FILE_DATA,            /* both: file.data, file_data (response body; request body to server) */
	/* DNS */
	SW_BUF_DNS_QUERY,            /* req: dns.query, dns_query: each question's name, one instance per question */
	/*
	 * DNS, Suricata 8: one instance per record of the section, in both
	 * directions (each message is its own transaction, so the direction
	 * picks the message); authorities and additionals only in responses.
	 */
	SW_BUF_DNS_QUERIES_RRNAME,     /* both: dns.queries.rrname: question names */
	SW_BUF_DNS_ANSWERS_RRNAME,     /* both: dns.answers.rrname: answer owner names */
	SW_BUF_DNS_AUTHORITIES_RRNAME, /* both: dns.authorities.rrname (a response's) */
	SW_BUF_DNS_ADDITIONALS_RRNAME, /* both: dns.additionals.rrname (a response's) */
	SW_BUF_DNS_RESPONSE_RRNAME,    /* resp: dns.response.rrname: every section's names, and rdata names */
	SW_BUF_DNS_QUERY_NAME,         /* both: dns.query.name (as dns.queries.rrname, a list of its own) */
	SW_BUF_DNS_ANSWER_NAME,        /* both: dns.answer.name (as dns.answers.rrname, a list of its own) */
	/* TLS (engine/app/tls.h): "cert" buffers are the client's certificates to server, the server's to client */
	SW_BUF_TLS_SNI,              /* req: tls.sni, tls_sni */
	SW_BUF_TLS_CERT_SUBJECT,     /* both, certs: tls.cert_subject (first certificate, "C=US, O=..., CN=...") */
	SW_BUF_TLS_CERT_ISSUER,      /* both, certs: tls.cert_issuer */
	SW_BUF_TLS_CERT_SERIAL,      /* both, certs: tls.cert_serial ("00:AB:...") */
	SW_BUF_TLS_CERT_FINGERPRINT, /* both, certs: tls.cert_fingerprint (SHA-1, "ab:cd:...") */
	SW_BUF_TLS_CERTS,            /* both, certs: tls.certs, one instance per certificate (DER) */
	SW_BUF_TLS_SUBJECTALTNAME,   /* resp, certs: tls.subjectaltname, one instance per name */
	SW_BUF_TLS_ALPN,             /* both: tls.alpn, one instance per protocol of the hello */
	SW_BUF_TLS_RANDOM,           /* both: tls.random (32 bytes of the hello) */
	SW_BUF_TLS_RANDOM_TIME,      /* both: tls.random_time (its first 4) */
	SW_BUF_TLS_RANDOM_BYTES,     /* both: tls.random_bytes (its last 28) */
	SW_BUF_JA3_HASH,             /* req: ja3.hash, ja3_hash */
	SW_BUF_JA3_STRING,           /* req: ja3.string, ja3_string */
	SW_BUF_JA3S_HASH,            /* resp: ja3s.hash */
	SW_BUF_JA3S_STRING,          /* resp: ja3s.string */
	SW_BUF_JA4_HASH,             /* req: ja4.hash, ja4_hash */
	/* SSH (engine/app/ssh.h): each side's banner */
	SW_BUF_SSH_PROTO,            /* both: ssh.proto, ssh_proto ("2.0") */
	SW_BUF_SSH_SOFTWARE,         /* both: ssh.software, ssh_software ("OpenSSH_9.2p1") */
	SW_BUF_N
};
/* buffer sets are 64-bit masks (sw_rule.buf_mask, the detect engine's per-stage sets) */
_Static_assert(SW_BUF_N <= 64, "more buffers than a uint64_t mask holds");

/*
 * Transforms (Suricata's), applied to a sticky buffer before its keywords
 * inspect it: a list is keyed by its buffer and its transforms, so
 * "http.host; dotprefix;" and plain "http.host" are two lists.
 */
#define SW_XFORM_DOTPREFIX 0x01  /* dotprefix: "." + the buffer */

/* The sticky-buffer name of @b ("http.uri"; "payload" for SW_BUF_PAYLOAD), NULL if out of range. */
const char *sw_buf_name(enum sw_bufid b);

/* ---- payload match list: evaluated in rule order, relative keywords chain ---- */

enum sw_pm_kind {
	SW_PM_CONTENT,
	SW_PM_PCRE,
	SW_PM_BYTE_TEST,
	SW_PM_BYTE_JUMP,
	SW_PM_BYTE_EXTRACT,
	SW_PM_ISDATAAT,
	SW_PM_BSIZE,       /* bsize: (urilen: is bsize on http.uri or http.uri.raw) */
};
/*
 * SW_PM_BSIZE tests the whole buffer's length and moves no match position:
 * a relative keyword after it chains to the keyword before it (or to the
 * start of the buffer).  byte_extract variables are used only in the
 * buffer that extracted them (the parser refuses anything else), and keep
 * their index (definition order) through the grouping by buffer.
 */

/* Where a numeric operand comes from: a literal, or a byte_extract variable. */
struct sw_operand {
	int32_t value;  /* literal value when var < 0 */
	int8_t var;     /* index of a byte_extract variable in this rule, or -1 */
};

#define SW_CONTENT_NOCASE       0x0001
#define SW_CONTENT_NEGATED      0x0002
#define SW_CONTENT_FAST_PATTERN 0x0004 /* explicitly marked fast_pattern */
#define SW_CONTENT_FP_ONLY      0x0008 /* fast_pattern:only (deprecated in Suricata, accepted) */
#define SW_CONTENT_STARTSWITH   0x0010 /* = offset 0, depth len */
#define SW_CONTENT_ENDSWITH     0x0020 /* match must end at end of buffer */
#define SW_CONTENT_OFFSET       0x0040
#define SW_CONTENT_DEPTH        0x0080
#define SW_CONTENT_DISTANCE     0x0100
#define SW_CONTENT_WITHIN       0x0200

struct sw_content {
	uint8_t *pat;            /* decoded bytes (|hex| and escapes resolved) */
	uint32_t len;
	uint16_t flags;          /* SW_CONTENT_* */
	struct sw_operand offset, depth, distance, within;
	/* fast_pattern:<offset>,<len> chops the part used for prefiltering. */
	bool fp_chop;
	uint16_t fp_off, fp_len;
};

/* pcre:"/re/flags" with flags split into PCRE2 options and Suricata modifiers. */
struct sw_pcre {
	char *re;             /* the expression between the slashes */
	uint32_t pcre2_opts;  /* PCRE2_CASELESS, PCRE2_DOTALL, PCRE2_MULTILINE, PCRE2_EXTENDED, PCRE2_ANCHORED, PCRE2_DOLLAR_ENDONLY, PCRE2_UNGREEDY */
	bool relative;        /* R */
	bool negated;         /* pcre:!"..." */
};

enum sw_byte_op {
	SW_BOP_LT, SW_BOP_GT, SW_BOP_EQ, SW_BOP_LE, SW_BOP_GE, SW_BOP_AND, SW_BOP_OR, /* & and ^ */
};

enum sw_byte_base { SW_BASE_RAW = 0, SW_BASE_HEX = 16, SW_BASE_DEC = 10, SW_BASE_OCT = 8 };

struct sw_byte_test {
	uint8_t nbytes;           /* 1..8 raw, 1..23 string */
	enum sw_byte_op op;
	bool negated;             /* !op */
	struct sw_operand value;  /* value may come from a byte_extract variable */
	uint64_t value_lit;       /* full-width literal (operand.value holds only 32 bits) */
	struct sw_operand offset;
	bool relative;
	bool little_endian;
	enum sw_byte_base base;   /* RAW unless "string,<base>" */
	uint64_t bitmask;         /* 0 = none */
};

struct sw_byte_jump {
	uint8_t nbytes;
	struct sw_operand offset;
	bool relative, little_endian, align, from_beginning, from_end;
	enum sw_byte_base base;
	uint32_t multiplier;      /* 1 unless given */
	int32_t post_offset;
	uint64_t bitmask;
};

struct sw_byte_extract {
	uint8_t nbytes;
	int32_t offset;
	int8_t var;               /* index assigned to the variable name */
	bool relative, little_endian, align;
	enum sw_byte_base base;
	uint32_t multiplier;
	uint64_t bitmask;
};

struct sw_isdataat {
	struct sw_operand n;
	bool relative, negated;
};

struct sw_pm {
	enum sw_pm_kind kind;
	uint8_t buf;           /* enum sw_bufid: the list this keyword belongs to */
	uint8_t xform;         /* SW_XFORM_* applied to that buffer (part of the list's key) */
	union {
		struct sw_content content;
		struct sw_pcre pcre;
		struct sw_byte_test btest;
		struct sw_byte_jump bjump;
		struct sw_byte_extract bextract;
		struct sw_isdataat isdataat;
		struct sw_num_match bsize; /* length of the whole buffer */
	} u;
};

/* ---- header options ---- */

#define SW_FLOW_TO_SERVER       0x01 /* to_server, from_client */
#define SW_FLOW_TO_CLIENT       0x02 /* to_client, from_server */
#define SW_FLOW_ESTABLISHED     0x04
#define SW_FLOW_NOT_ESTABLISHED 0x08
#define SW_FLOW_STATELESS       0x10
#define SW_FLOW_ONLY_STREAM     0x20
#define SW_FLOW_NO_STREAM       0x40

struct sw_flags_match {
	bool set;
	uint8_t flags;  /* SW_TCP_* bits required (0 with mod 0 = "no flags set") */
	uint8_t ignore; /* bits masked off before comparing (",12" part) */
	char mod;       /* 0 exact, '+' all of these and maybe others, '*' any of, '!' none of */
};

/* ---- stream_size ---- */

/* Which side's byte count stream_size: compares (Suricata: server, client, both, either). */
enum sw_stream_side {
	SW_SS_SERVER = 0, /* bytes the server sent */
	SW_SS_CLIENT,     /* bytes the client sent */
	SW_SS_BOTH,       /* both sides must satisfy the comparison */
	SW_SS_EITHER,     /* at least one side must */
};

struct sw_stream_size {
	bool set;
	enum sw_stream_side side;
	struct sw_num_match n; /* op is EQ, NE, LT, LE, GT or GE; the byte count in a */
};

/* target: which end of the alert is the target (EVE "source"/"target" objects). */
enum sw_target {
	SW_TARGET_NONE = 0,
	SW_TARGET_SRC_IP = 1,  /* target:src_ip */
	SW_TARGET_DEST_IP = 2, /* target:dest_ip */
};

/* ---- transaction integer keywords ---- */

/*
 * Integer fields of a transaction that are not buffers (Suricata's
 * AppLayerTxMatch keywords).  A rule matches if, for each of its
 * sw_txnum, some value of the field in the transaction's direction
 * satisfies the comparison; a field absent from that direction never
 * matches, negated or not.
 */
enum sw_txnum_kind {
	SW_TXNUM_DNS_OPCODE, /* dns.opcode: the header's OPCODE (u8 syntax) */
	SW_TXNUM_DNS_RCODE,  /* dns.rcode: the header's RCODE, 4 bits (u16 syntax, names) */
	SW_TXNUM_DNS_RRTYPE, /* dns.rrtype: each question's type (request), each answer's type (response) */
	/* TLS (engine/app/tls.h), Suricata's detect-tls-version.c, -certs.c, -cert-validity.c */
	SW_TXNUM_TLS_VERSION,     /* tls.version:1.2: that side's version, a TLS 1.3 draft as 1.3 (value 0x0303) */
	SW_TXNUM_TLS_VERSION_RAW, /* tls.version:0x7f1c: that side's version as sent */
	SW_TXNUM_TLS_CHAIN_LEN,   /* tls.cert_chain_len (u32 syntax): certificates of the server's chain */
	SW_TXNUM_TLS_NOTBEFORE,   /* tls_cert_notbefore (t1/t2/tmode): the server certificate's notBefore */
	SW_TXNUM_TLS_NOTAFTER,    /* tls_cert_notafter */
	SW_TXNUM_TLS_EXPIRED,     /* tls_cert_expired: notAfter before the packet's time */
	SW_TXNUM_TLS_VALID,       /* tls_cert_valid: notAfter at or after the packet's time */
};

/* tls_cert_notbefore / notafter comparisons (Suricata's DETECT_TLS_VALIDITY_*), on seconds since 1970 */
enum sw_tmode { SW_TMODE_EQ, SW_TMODE_LE, SW_TMODE_GE, SW_TMODE_RANGE };

struct sw_txnum {
	uint8_t kind; /* enum sw_txnum_kind */
	struct sw_num_match m;
	uint8_t tmode;  /* enum sw_tmode, for the date kinds */
	int64_t t1, t2; /* their dates (t2: the end of a range) */
};

/* ---- state ---- */

enum sw_fb_op { SW_FB_SET, SW_FB_ISSET, SW_FB_ISNOTSET, SW_FB_UNSET, SW_FB_TOGGLE, SW_FB_NOALERT };

#define SW_FB_MAX_NAMES 8
struct sw_flowbit {
	enum sw_fb_op op;
	bool all;                      /* names joined by '&' (else '|': any) */
	uint8_t n;
	uint16_t ids[SW_FB_MAX_NAMES]; /* ids into sw_rules_flowbit_name() */
};

enum sw_thr_type { SW_THR_LIMIT, SW_THR_THRESHOLD, SW_THR_BOTH, SW_THR_DETECTION_FILTER, SW_THR_BACKOFF };
enum sw_thr_track { SW_TRACK_BY_SRC, SW_TRACK_BY_DST, SW_TRACK_BY_RULE, SW_TRACK_BY_BOTH, SW_TRACK_BY_FLOW };

struct sw_threshold {
	bool set;
	enum sw_thr_type type;
	enum sw_thr_track track;
	uint32_t count, seconds;
	uint32_t multiplier;  /* type backoff: alerts at count, count*m, count*m*m ... (by_flow only, no seconds) */
};

/*
 * flowint:<name>,<op>[,<value or name>] (Suricata detect-flowint.c): a
 * per-flow unsigned 32-bit integer.  "=", "+", "-" change the variable when
 * the rule matches (Suricata's post-match list, like flowbits:set);
 * comparisons and isset/notset are conditions.  A comparison of an unset
 * variable never matches; an unset target variable reads as 0; "+" on an
 * unset variable sets it, "-" on one does nothing.
 */
enum sw_fi_op {
	SW_FI_SET, SW_FI_ADD, SW_FI_SUB,                                /* actions */
	SW_FI_EQ, SW_FI_NE, SW_FI_LT, SW_FI_LE, SW_FI_GT, SW_FI_GE,     /* conditions */
	SW_FI_ISSET, SW_FI_NOTSET,
};

#define SW_FLOWINT_MAX 16 /* flowint variables per ruleset (fixed storage in every flow) */
struct sw_flowint {
	uint8_t op;         /* enum sw_fi_op */
	uint8_t id;         /* variable, id into sw_rules_flowint_name() */
	bool target_var;    /* the operand is another variable (id in target), else the literal value */
	uint8_t target;
	uint32_t value;
};

/*
 * flow.pkts, flow.bytes (and _toserver/_toclient) and flow.age (Suricata 8,
 * detect-flow-pkts.c, detect-flow-age.c): the flow's counters so far, this
 * packet included, in Suricata's integer syntax.
 */
enum sw_fc_kind {
	SW_FC_PKTS, SW_FC_BYTES, SW_FC_AGE,
	SW_FC_STREAM, /* a second (third ...) stream_size: dir holds its enum sw_stream_side */
};
enum sw_fc_dir { SW_FCD_TOSERVER, SW_FCD_TOCLIENT, SW_FCD_EITHER, SW_FCD_BOTH };
struct sw_flowcnt {
	uint8_t kind; /* enum sw_fc_kind */
	uint8_t dir;  /* enum sw_fc_dir (flow.age: unused) */
	uint8_t op;   /* enum sw_cmp */
	uint64_t a, b;
};

/*
 * hostbits and xbits (Suricata detect-hostbits.c, detect-xbits.c): bits
 * kept per host (track ip_src / ip_dst) or per address pair (ip_pair) in a
 * table shared by every worker, each with an expiry in packet time.  Host
 * bits of both keywords share one name space (as Suricata's
 * VAR_TYPE_HOST_BIT), pair bits another.
 */
enum sw_xb_track { SW_XB_IP_SRC, SW_XB_IP_DST, SW_XB_IP_PAIR };
struct sw_xbit {
	uint8_t op;       /* enum sw_fb_op (SET, ISSET, ISNOTSET, UNSET, TOGGLE) */
	uint8_t track;    /* enum sw_xb_track */
	uint16_t id;      /* name id: sw_rules_hostbit_name() */
	uint32_t expire;  /* seconds (hostbits: 300, xbits: 30 unless given) */
};

/* threshold.config "suppress ..., track by_src|by_dst|by_either, ip <addresses>" */
enum sw_sup_track { SW_SUP_BY_SRC, SW_SUP_BY_DST, SW_SUP_BY_EITHER };
struct sw_suppress {
	uint8_t track;          /* enum sw_sup_track */
	struct sw_addrset ips;
};

/*
 * threshold.config "rate_filter": once more than count matches fall in
 * seconds, the rule's action becomes new_action for timeout seconds
 * (Suricata's TYPE_RATE); alerts continue.
 */
struct sw_rate_filter {
	bool set;
	enum sw_thr_track track;
	uint32_t count, seconds, timeout;
	enum sw_action new_action;
};

/* ---- the rule ---- */

#define SW_RULE_MAX_VARS 8 /* byte_extract variables per rule */

struct sw_rule {
	/* identity and output */
	enum sw_action action;
	uint32_t gid, sid, rev;
	char *msg;               /* unescaped */
	char *classtype;         /* NULL if none */
	char *class_desc;        /* classtype's description ("category" in EVE), NULL if none */
	uint32_t priority;       /* explicit priority, else the classtype's, else 3 ("severity" in EVE) */
	char **metadata;         /* "key value" strings, n_metadata of them */
	uint32_t n_metadata;
	char **references;       /* "type,value" strings */
	uint32_t n_references;
	char *file;              /* where it came from */
	uint32_t line;
	uint8_t target;          /* enum sw_target (target:), SW_TARGET_NONE if not given */

	/* header */
	enum sw_rule_proto proto;
	struct sw_addrset src, dst;
	struct sw_portset sp, dp;
	bool bidir;              /* "<>" */

	/* header options */
	uint8_t flow;            /* SW_FLOW_* */
	struct sw_flags_match flags;
	struct sw_num_match ttl, itype, icode, icmp_id, icmp_seq, ip_proto, tcp_mss, dsize;
	struct sw_stream_size stream_size; /* stream_size: (TCP) */

	/* application layer: "alert http ..." and the like (SW_APP_UNKNOWN: none) */
	/* A tcp or ip rule that uses an HTTP buffer (file.data included) gets SW_APP_HTTP1, as Suricata does. */
	enum sw_app_proto app_proto;
	struct sw_txnum *txnum;  /* dns.opcode and the like, n_txnum of them, in rule order */
	uint32_t n_txnum;

	/*
	 * Payload keywords, grouped by buffer (and transforms: a list is keyed
	 * by buf and xform): all keywords of one list are
	 * contiguous and in rule order (as Suricata keeps one list per buffer,
	 * so a relative keyword chains to the previous keyword of the same
	 * buffer, even across a switch to another buffer and back).  Lists
	 * appear in the order their buffer was first used.
	 */
	struct sw_pm *pm;
	uint32_t n_pm;
	uint64_t buf_mask;       /* bit b set if some pm has buf == b (SW_BUF_N <= 64) */
	int32_t fast_pattern;    /* index into pm of the content used for prefiltering, -1 if none */
	uint8_t n_vars;          /* byte_extract variables */

	/* state */
	struct sw_flowbit *fb;
	uint32_t n_fb;
	bool noalert;            /* flowbits:noalert, noalert, xbits/hostbits:noalert */
	struct sw_flowint *fi;   /* flowint:, in rule order */
	uint32_t n_fi;
	struct sw_flowcnt *fc;   /* flow.pkts, flow.bytes, flow.age */
	uint32_t n_fc;
	struct sw_xbit *xb;      /* hostbits:, xbits: */
	uint32_t n_xb;
	bool prefilter;          /* prefilter: (a hint for Suricata's engine choice; no effect on matching) */
	bool tag;                /* tag: given (parsed; tagged packets are not logged yet) */
	struct sw_threshold threshold;        /* threshold: */
	struct sw_threshold detection_filter; /* detection_filter: (type SW_THR_DETECTION_FILTER) */
	/* from threshold.config (sw_rules_load_threshold_file()) */
	struct sw_suppress *sup; /* suppress with addresses: a match from/to one of them does not alert */
	uint32_t n_sup;
	struct sw_rate_filter rate;
};

#endif
