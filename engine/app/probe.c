// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Protocol detection by content, after Suricata's app-layer-detect-proto.c.
 *
 * Suricata runs, per direction, a multi-pattern matcher over patterns each
 * parser registered (offset, depth, case (in)sensitivity), some of them
 * confirmed by a probing parser, then the probing parsers bound to the
 * flow's server port ("detection-ports" in suricata.yaml, e.g. DNS on 53).
 * Here each registration is one small check returning FOUND / NEED_MORE /
 * FAIL, tried in a fixed order: the first check that does not FAIL decides.
 * Waiting on a NEED_MORE of an earlier check (rather than taking a later
 * FOUND) keeps the answer stable as the stream grows: a check that FAILs
 * never matches later, so a FOUND on a prefix is the FOUND on any longer
 * input (except DNS over TCP, below).
 *
 * What Suricata registers (OISF/suricata master, file and function):
 *
 *   proto   dir  pattern / probe                     offset,depth  source
 *   HTTP1   ts   <method>SP or <method>HT, CI        0, len+1      app-layer-htp.c HTPRegisterPatternsForProtocolDetection
 *   HTTP1   tc   "HTTP/0.9" "HTTP/1.0" "HTTP/1.1" CI 0, 8          same
 *   TLS     ts   01 03 0v, 16 03 0v (v = 0..3)       0, 3          app-layer-ssl.c SSLRegisterPatternsForProtocolDetection
 *   TLS     tc   15|16|17 03 0v (v = 0..3)           0, 3          same
 *   TLS     ts   01 00 02 + SSLProbingParser (SSLv2) 2, 5          same
 *   TLS     ts   SSLProbingParser on dp 443          -             same (tls.detection-ports)
 *   SSH     both "SSH-" CI                           0, 4          app-layer-ssh.c
 *   SMTP    ts   "EHLO" "HELO" CI; "QUIT" CI unless  0, 4          app-layer-smtp.c SMTPRegisterPatternsForProtocolDetection,
 *                the port has FTP's probing parser                 SMTPClientProbingParserCheckPort
 *   FTP     ts   "FEAT" CI, "USER " CS, "PORT " CI   0, 4/5        app-layer-ftp.c FTPRegisterPatternsForProtocolDetection
 *   FTP     tc   "220 (" CI                          0, 5          same
 *   FTP     ts   FTPQuitProbingParser on dp 21       -             same
 *   SMB     both ff|fe|fd "SMB" + smb_probe_tcp      4, 8          rust/src/smb/smb.rs register_pattern_probe
 *   SMB     both c_smb_probe_tcp on dp 139, 445      -             same, smb.detection-ports
 *   DCERPC  both 05 00 + probe_tcp (16-byte header)  0, 2          rust/src/dcerpc/dcerpc.rs register_pattern_probe
 *   IMAP    tc   "* OK " "* NO " "* BAD " "* LIST "  0, 5..10      app-layer-imap.c IMAPRegisterPatternsForProtocolDetection
 *                "* ESEARCH " "* STATUS " "* FLAGS " CI
 *   IMAP    ts   " CAPABILITY" CI anywhere in        0, 17         same
 *                the first 17 bytes (a tag of <= 6)
 *   POP3    both sawp-pop3 probe on dp 110           -             rust/src/pop3/pop3.rs (pop3.detection-ports)
 *   DNS     both probe_udp / c_probe_tcp on dp 53    -             rust/src/dns/dns.rs probe, probe_tcp
 *
 * The server banner "220 " is shared by FTP and SMTP.  Suricata's banner
 * probing parsers (FTPServerProbingParser, SMTPServerProbingParser) return
 * "unknown" until they know what the client side was, then follow it; the
 * client side therefore decides ("EHLO"/"HELO" -> SMTP, "USER "/"FEAT" ->
 * FTP).  This function sees one direction only, so a "220 " banner that is
 * not vsftpd's "220 (" FAILs here and the to-server direction decides.
 *
 * Where this differs from Suricata, on purpose:
 *  - Suricata's DCERPC and POP3 probes fail a header or first line that is
 *    cut short; here they say NEED_MORE until it is complete (bounded).
 *  - "USER " to a server on port 110 is not FTP and "QUIT" there is not
 *    SMTP: Suricata gets there through flow state (FTPUserProbingParser
 *    fails once the server side was detected as POP3 from its "+OK"
 *    greeting); this function has none, so the port stands in for it.
 *  - DNS answers are parsed up to their RDATA length but the RDATA itself
 *    is not decoded per type as Suricata's dns_parse_rdata does.
 */
#include "engine/app/probe.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/buf.h"

#define R_MORE SW_PROBE_NEED_MORE
#define R_FOUND SW_PROBE_FOUND
#define R_FAIL SW_PROBE_FAIL

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/*
 * Is @pat (@plen bytes, case-insensitive if @ci) at d[@off]?  FOUND if all
 * of it is there, NEED_MORE if the bytes we have (possibly none) agree with
 * its start, FAIL on the first difference.
 */
static enum sw_probe_result pat_at(const uint8_t *d, uint32_t len, uint32_t off, const char *pat, uint32_t plen,
				   bool ci)
{
	const uint8_t *p = (const uint8_t *)pat;
	uint32_t i;

	for (i = 0; i < plen; i++) {
		if (off + i >= len)
			return R_MORE;
		if (ci ? lower(d[off + i]) != lower(p[i]) : d[off + i] != p[i])
			return R_FAIL;
	}
	return R_FOUND;
}

#define PAT(d, len, off, lit, ci) pat_at(d, len, off, lit, (uint32_t)(sizeof(lit) - 1), ci)

/* Several alternatives for one protocol: any FOUND wins, else any NEED_MORE. */
static enum sw_probe_result either(enum sw_probe_result a, enum sw_probe_result b)
{
	if (a == R_FOUND || b == R_FOUND)
		return R_FOUND;
	if (a == R_MORE || b == R_MORE)
		return R_MORE;
	return R_FAIL;
}

/* The port a probing parser is bound to: Suricata looks up the flow's destination (server) port. */
struct ctx {
	const uint8_t *d;
	uint32_t len;
	bool ts;
	uint16_t server_port;
};

/* ---- HTTP/1.x ------------------------------------------------------------ */

/* app-layer-htp.c: the methods libhtp knows, each followed by SP or HT, case-insensitive, at offset 0. */
static const char *const http_methods[] = {
	"GET",	    "PUT",	   "POST",	    "HEAD",	   "TRACE",	  "OPTIONS",	     "CONNECT",
	"DELETE",   "PATCH",	   "PROPFIND",	    "PROPPATCH",   "MKCOL",	  "COPY",	     "MOVE",
	"LOCK",	    "UNLOCK",	   "CHECKOUT",	    "UNCHECKOUT",  "CHECKIN",	  "UPDATE",	     "LABEL",
	"REPORT",   "MKWORKSPACE", "MKACTIVITY",    "MERGE",	   "INVALID",	  "VERSION-CONTROL", "BASELINE-CONTROL",
};

static enum sw_probe_result http_ts(const struct ctx *c)
{
	enum sw_probe_result r = R_FAIL;
	size_t i;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]) && r != R_FOUND; i++) {
		uint32_t n = (uint32_t)strlen(http_methods[i]);
		enum sw_probe_result m = pat_at(c->d, c->len, 0, http_methods[i], n, true);

		if (m == R_FOUND) {
			/* the pattern includes the separator: "GET " or "GET\t", never "GETX" */
			if (c->len == n)
				m = R_MORE;
			else if (c->d[n] != ' ' && c->d[n] != '\t')
				m = R_FAIL;
		}
		r = either(r, m);
	}
	return r;
}

/* Suricata registers exactly 0.9, 1.0 and 1.1 to client (not "HTTP/1.2", not "HTTP/2"). */
static enum sw_probe_result http_tc(const struct ctx *c)
{
	enum sw_probe_result r = PAT(c->d, c->len, 0, "HTTP/0.9", true);

	r = either(r, PAT(c->d, c->len, 0, "HTTP/1.0", true));
	return either(r, PAT(c->d, c->len, 0, "HTTP/1.1", true));
}

/* ---- TLS ----------------------------------------------------------------- */

/*
 * SSLv3..TLS 1.2 record header: content type, then major 3, minor 0..3.
 * TLS 1.3 keeps the 1.0/1.2 record version (RFC 8446 §5.1), so it is
 * covered.  To server Suricata takes handshake (0x16) and, oddly, 0x01;
 * to client alert (0x15), handshake and application data (0x17).
 */
static enum sw_probe_result tls_record(const struct ctx *c)
{
	const uint8_t *d = c->d;

	if (c->len >= 1) {
		bool ok = c->ts ? (d[0] == 0x01 || d[0] == 0x16) : (d[0] >= 0x15 && d[0] <= 0x17);

		if (!ok)
			return R_FAIL;
	}
	if (c->len >= 2 && d[1] != 0x03)
		return R_FAIL;
	if (c->len >= 3 && d[2] > 0x03)
		return R_FAIL;
	return c->len >= 3 ? R_FOUND : R_MORE;
}

/*
 * SSLv2 CLIENT-HELLO (2-byte header with the high bit set, msg type 1,
 * version 0x0002): pattern 01 00 02 at offset 2, confirmed by
 * SSLProbingParser (input[0] & 0x80).  An SSLv2-format hello that offers
 * SSLv3/TLS (80 xx 01 03 0v) is only taken on port 443, below.
 */
static enum sw_probe_result tls_sslv2(const struct ctx *c)
{
	if (c->len >= 1 && !(c->d[0] & 0x80))
		return R_FAIL;
	return PAT(c->d, c->len, 2, "\x01\x00\x02", false);
}

/* SSLProbingParser bound to tls.detection-ports (dp 443), to server only. */
static enum sw_probe_result tls_port(const struct ctx *c)
{
	if (c->server_port != 443)
		return R_FAIL;
	if (c->len >= 1 && !(c->d[0] & 0x80))
		return R_FAIL;
	if (c->len < 3)
		return R_MORE;
	return c->d[2] == 0x01 ? R_FOUND : R_FAIL;
}

/* ---- SSH, SMTP, FTP, IMAP -------------------------------------------------- */

static enum sw_probe_result ssh(const struct ctx *c)
{
	return PAT(c->d, c->len, 0, "SSH-", true);
}

static enum sw_probe_result smtp_ts(const struct ctx *c)
{
	enum sw_probe_result r = PAT(c->d, c->len, 0, "EHLO", true);

	r = either(r, PAT(c->d, c->len, 0, "HELO", true));
	/*
	 * SMTPClientProbingParserCheckPort: "QUIT" is SMTP unless FTP has a
	 * probing parser on the port (21).  Port 110 is POP3's (see top).
	 */
	if (c->server_port != 21 && c->server_port != 110)
		r = either(r, PAT(c->d, c->len, 0, "QUIT", true));
	return r;
}

static enum sw_probe_result ftp_ts(const struct ctx *c)
{
	enum sw_probe_result r = PAT(c->d, c->len, 0, "FEAT", true);

	r = either(r, PAT(c->d, c->len, 0, "PORT ", true));
	/* FTPUserProbingParser: POP3 begins with the same "USER" (registered case-sensitive). */
	if (c->server_port != 110)
		r = either(r, PAT(c->d, c->len, 0, "USER ", false));
	return r;
}

/* FTPQuitProbingParser on dp 21: at least 5 bytes, beginning "QUIT" (case-sensitive memcmp). */
static enum sw_probe_result ftp_quit_port(const struct ctx *c)
{
	enum sw_probe_result r;

	if (c->server_port != 21)
		return R_FAIL;
	r = PAT(c->d, c->len, 0, "QUIT", false);
	if (r == R_FOUND && c->len < 5)
		return R_MORE;
	return r;
}

/* vsftpd's banner; a bare "220 " is decided by the client side (see top). */
static enum sw_probe_result ftp_tc(const struct ctx *c)
{
	return PAT(c->d, c->len, 0, "220 (", true);
}

static enum sw_probe_result imap_tc(const struct ctx *c)
{
	static const char *const pats[] = { "* OK ",	 "* NO ",     "* BAD ",	 "* LIST ",
					    "* ESEARCH ", "* STATUS ", "* FLAGS " };
	enum sw_probe_result r = R_FAIL;
	size_t i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		r = either(r, pat_at(c->d, c->len, 0, pats[i], (uint32_t)strlen(pats[i]), true));
	return r;
}

/* RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">, i.e. no CTL, SP, ( ) { % * " \\ or +. */
static bool imap_tag_char(uint8_t c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return !strchr("(){%*\"\\+", c);
}

/*
 * " CAPABILITY" anywhere in the first 17 bytes: Suricata's depth 17 = a tag
 * of up to 6 bytes, a space and CAPABILITY (app-layer-imap.c explains why
 * not longer).  Suricata does not look at the tag; we require its bytes to
 * be tag characters, otherwise every to-server input under 7 bytes would
 * be NEED_MORE (the pattern could still start after it).
 */
static enum sw_probe_result imap_ts(const struct ctx *c)
{
	static const char cap[] = " CAPABILITY";
	const uint32_t n = (uint32_t)(sizeof(cap) - 1), depth = 17;
	enum sw_probe_result r = R_FAIL;
	uint32_t off;

	for (off = 0; off + n <= depth && r != R_FOUND; off++) {
		r = either(r, pat_at(c->d, c->len, off, cap, n, true));
		/* the next start puts byte @off inside the tag */
		if (off < c->len && !imap_tag_char(c->d[off]))
			break;
	}
	return r;
}

/* ---- SMB over NetBIOS session service (RFC 1002 §4.3) ------------------------ */

#define NBSS_SESSION_MESSAGE 0x00
#define SMB_MIN_REC 36 /* NBSS header + SMB header: smb.rs MIN_REC_SIZE, the probes' minimum depth */

/* nbss_records.rs NbssRecord::is_valid: session message, request, responses, keep-alive. */
static bool nbss_type_valid(uint8_t t)
{
	return t == NBSS_SESSION_MESSAGE || (t >= 0x81 && t <= 0x85);
}

/* 0xff "SMB" (SMB1), 0xfe (SMB2/3), 0xfd (SMB3 transform header) at @off. */
static enum sw_probe_result smb_magic(const struct ctx *c, uint32_t off)
{
	if (c->len > off && c->d[off] != 0xff && c->d[off] != 0xfe && c->d[off] != 0xfd)
		return R_FAIL;
	return PAT(c->d, c->len, off + 1, "SMB", false);
}

/*
 * Pattern at offset 4 confirmed by smb_probe_tcp: the NBSS message type in
 * front of it must be valid, and nothing is decided before 36 bytes.
 */
static enum sw_probe_result smb_pattern(const struct ctx *c)
{
	enum sw_probe_result r;

	if (c->len >= 1 && !nbss_type_valid(c->d[0]))
		return R_FAIL;
	r = smb_magic(c, 4);
	if (r == R_FOUND && c->len < SMB_MIN_REC)
		return R_MORE;
	return r;
}

/*
 * c_smb_probe_tcp on smb.detection-ports (139, 445): SMB right after the
 * NBSS header, or one small non-session NBSS message first (a session
 * request on 139) and SMB in the record after it; waits for a first record
 * shorter than 256 bytes, as smb_probe_tcp does.
 */
static enum sw_probe_result smb_port(const struct ctx *c)
{
	struct sw_buf b = sw_buf_make(c->d, c->len);
	uint32_t hdr, hl;

	if (c->server_port != 139 && c->server_port != 445)
		return R_FAIL;
	if (c->len >= 1 && !nbss_type_valid(c->d[0]))
		return R_FAIL;
	if (c->len < SMB_MIN_REC)
		return R_MORE;
	if (smb_magic(c, 4) == R_FOUND)
		return R_FOUND;
	(void)sw_buf_get_be32(&b, &hdr); /* 36 bytes are there */
	hl = hdr & 0xffffff;
	/*
	 * Suricata waits for a first record under 256 bytes and also looks past
	 * a longer one that happens to be complete; we give up on the longer
	 * one at once so that a FAIL never turns into a FOUND as bytes arrive
	 * (a session request, RFC 1002 §4.3.2, is 72 bytes).
	 */
	if (hdr >> 24 == NBSS_SESSION_MESSAGE || hl >= 256)
		return R_FAIL;
	if (sw_buf_left(&b) < (size_t)hl + 8)
		return R_MORE;
	(void)sw_buf_skip(&b, hl);
	return nbss_type_valid(sw_buf_cur(&b)[0]) && smb_magic(c, (uint32_t)b.off + 4) == R_FOUND ? R_FOUND : R_FAIL;
}

/* ---- DCERPC connection-oriented PDU header (C706 §12.6.3.1) ------------------ */

/*
 * Pattern 05 00 (rpc_vers 5, minor 0) confirmed by dcerpc.rs probe: the
 * data representation's integer/char nibbles hold only defined values
 * (drep[0] & 0xee == 0) and the float format is one of four (drep[1] <= 3).
 * Suricata's probe fails short of the 16-byte header; we wait for it.
 */
static enum sw_probe_result dcerpc(const struct ctx *c)
{
	enum sw_probe_result r = PAT(c->d, c->len, 0, "\x05\x00", false);

	if (r != R_FOUND)
		return r;
	if (c->len >= 5 && (c->d[4] & 0xee) != 0)
		return R_FAIL;
	if (c->len >= 6 && c->d[5] > 3)
		return R_FAIL;
	return c->len >= 16 ? R_FOUND : R_MORE;
}

/* ---- POP3 (RFC 1939), bound to pop3.detection-ports (110) -------------------- */

#define POP3_CMD_MAX 255  /* keyword, args and CRLF: RFC 2449 §4 */
#define POP3_RESP_MAX 512 /* first response line with CRLF: RFC 2449 §4 */

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * sawp-pop3 (what Suricata's pop3.rs probes with) accepts, to server, any
 * alphanumeric keyword (known or not) ended by SP or CR, then a line ending
 * in CRLF; to client "+OK" or "-ERR" (exactly) ended by SP or CR, then a
 * line ending in CRLF.  Here the line may still be on its way (NEED_MORE)
 * up to RFC 2449's line limits.
 */
static enum sw_probe_result pop3(const struct ctx *c)
{
	const uint8_t *d = c->d;
	uint32_t i = 0, max = c->ts ? POP3_CMD_MAX : POP3_RESP_MAX;

	if (c->server_port != 110)
		return R_FAIL;
	if (c->ts) {
		while (i < c->len && is_alnum(d[i]))
			i++;
		if (i < c->len && (i == 0 || (d[i] != ' ' && d[i] != '\r')))
			return R_FAIL;
	} else {
		enum sw_probe_result r = either(PAT(d, c->len, 0, "+OK", false), PAT(d, c->len, 0, "-ERR", false));

		if (r != R_FOUND)
			return r;
		i = d[0] == '+' ? 3 : 4;
		if (i < c->len && d[i] != ' ' && d[i] != '\r')
			return R_FAIL;
	}
	for (; i + 1 < c->len && i + 1 < max; i++)
		if (d[i] == '\r' && d[i + 1] == '\n')
			return R_FOUND;
	return c->len >= max ? R_FAIL : R_MORE;
}

/* ---- DNS (RFC 1035 §4.1), bound to dns.detection-ports (53) ------------------ */

#define DNS_HDR_LEN 12

/*
 * Step over a name at @*off of the message @m (@mlen bytes) as Suricata's
 * dns_parse_name does: labels, compression pointers (RFC 1035 §4.1.4)
 * followed for validation, at most 255 steps.  A name running off the end
 * of the message simply ends (the fixed fields after it fail instead).
 */
static int dns_skip_name(const uint8_t *m, size_t mlen, size_t *off)
{
	size_t pos = *off, resume = 0;
	bool jumped = false;
	unsigned steps = 0;

	while (pos < mlen) {
		uint8_t l = m[pos];

		if (l == 0) {
			pos++;
			break;
		}
		if ((l & 0xc0) == 0) {
			if (mlen - pos - 1 < l)
				return -EBADMSG;
			pos += 1u + l;
		} else if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (mlen - pos < 2)
				return -EBADMSG;
			to = (size_t)(l & 0x3f) << 8 | m[pos + 1];
			if (to > mlen)
				return -EBADMSG;
			if (to == pos) { /* points at itself */
				if (jumped)
					break;
				return -EBADMSG;
			}
			if (!jumped) {
				resume = pos + 2;
				jumped = true;
			}
			pos = to;
		} else {
			return -EBADMSG; /* 0x40 / 0x80: extended label types, not accepted */
		}
		if (++steps > 255) {
			if (jumped)
				break;
			return -EBADMSG;
		}
	}
	*off = jumped ? resume : pos;
	return 0;
}

struct dns_hdr {
	uint16_t id, flags, qd, an, ns, ar;
};

static int dns_get_hdr(struct sw_buf *b, struct dns_hdr *h)
{
	if (sw_buf_get_be16(b, &h->id) || sw_buf_get_be16(b, &h->flags) || sw_buf_get_be16(b, &h->qd) ||
	    sw_buf_get_be16(b, &h->an) || sw_buf_get_be16(b, &h->ns) || sw_buf_get_be16(b, &h->ar))
		return -EBADMSG;
	return 0;
}

/* dns.rs probe_header_validity for a message of @rlen bytes. */
static bool dns_hdr_plausible(const struct dns_hdr *h, size_t rlen)
{
	size_t nb = (size_t)h->qd + h->an + h->ns + h->ar;

	if (2 * nb > rlen) /* each record takes at least 2 bytes */
		return false;
	if (nb == 0 && rlen > DNS_HDR_LEN) /* a FORMERR reply is a bare header */
		return false;
	if (!(h->flags & 0x8000) && h->qd == 0) /* a query asks something */
		return false;
	return true;
}

/*
 * A whole message @m of @mlen bytes: header, questions and answers must
 * parse (Suricata tolerates broken authority/additional sections).
 */
static bool dns_message(const uint8_t *m, size_t mlen)
{
	struct sw_buf b = sw_buf_make(m, mlen);
	struct dns_hdr h;
	uint32_t i;

	if (dns_get_hdr(&b, &h) || !dns_hdr_plausible(&h, mlen))
		return false;
	for (i = 0; i < (uint32_t)h.qd + h.an; i++) {
		uint16_t rdlen;

		if (dns_skip_name(m, mlen, &b.off) || sw_buf_skip(&b, 4)) /* type, class */
			return false;
		if (i < h.qd)
			continue;
		if (sw_buf_skip(&b, 4) || sw_buf_get_be16(&b, &rdlen) || sw_buf_skip(&b, rdlen)) /* ttl, rdata */
			return false;
	}
	return true;
}

static enum sw_probe_result dns(const struct ctx *c, bool tcp)
{
	struct sw_buf b = sw_buf_make(c->d, c->len);
	struct dns_hdr h;
	uint16_t dlen;

	if (c->server_port != 53)
		return R_FAIL;
	if (!tcp) /* probe_udp: the datagram is the message */
		return dns_message(c->d, c->len) ? R_FOUND : R_FAIL;

	/* c_probe_tcp: RFC 1035 §4.2.2 two-byte length, then one message */
	if (sw_buf_get_be16(&b, &dlen))
		return R_MORE;
	if (dlen < DNS_HDR_LEN)
		return R_FAIL;
	if (sw_buf_left(&b) >= dlen)
		return dns_message(sw_buf_cur(&b), dlen) ? R_FOUND : R_FAIL;
	/*
	 * Part of the message only: Suricata judges the header alone against
	 * the announced length.  This is the one FOUND that more bytes can
	 * turn into a FAIL (the records then fail to parse); Suricata has
	 * decided by then, and so has our caller.
	 */
	if (dns_get_hdr(&b, &h))
		return R_MORE;
	return dns_hdr_plausible(&h, dlen) ? R_FOUND : R_FAIL;
}

/* ---- the order the checks are tried in ------------------------------------ */

static enum sw_probe_result dns_tcp(const struct ctx *c)
{
	return dns(c, true);
}

struct check {
	enum sw_app_proto proto;
	enum sw_probe_result (*fn)(const struct ctx *c);
};

/*
 * Patterns first (Suricata's pattern matcher runs before the port-bound
 * probing parsers), IMAP's unanchored one last as it says NEED_MORE to
 * anything of 6 bytes or less.
 */
static const struct check checks_ts[] = {
	{ SW_APP_TLS, tls_record },   { SW_APP_TLS, tls_sslv2 },  { SW_APP_SSH, ssh },
	{ SW_APP_HTTP1, http_ts },    { SW_APP_SMTP, smtp_ts },   { SW_APP_FTP, ftp_ts },
	{ SW_APP_SMB, smb_pattern },  { SW_APP_DCERPC, dcerpc },  { SW_APP_FTP, ftp_quit_port },
	{ SW_APP_POP3, pop3 },	      { SW_APP_DNS, dns_tcp },	  { SW_APP_SMB, smb_port },
	{ SW_APP_TLS, tls_port },     { SW_APP_IMAP, imap_ts },
};

static const struct check checks_tc[] = {
	{ SW_APP_TLS, tls_record },  { SW_APP_SSH, ssh },	  { SW_APP_HTTP1, http_tc }, { SW_APP_FTP, ftp_tc },
	{ SW_APP_IMAP, imap_tc },    { SW_APP_SMB, smb_pattern }, { SW_APP_DCERPC, dcerpc }, { SW_APP_POP3, pop3 },
	{ SW_APP_DNS, dns_tcp },     { SW_APP_SMB, smb_port },
};

/* The first check that does not FAIL decides (see the top of the file for why). */
static enum sw_probe_result probe_tcp(const struct ctx *c, enum sw_app_proto *proto)
{
	const struct check *ck = c->ts ? checks_ts : checks_tc;
	size_t n = c->ts ? sizeof(checks_ts) / sizeof(checks_ts[0]) : sizeof(checks_tc) / sizeof(checks_tc[0]);
	size_t i;

	for (i = 0; i < n; i++) {
		enum sw_probe_result r = ck[i].fn(c);

		if (r == R_FAIL)
			continue;
		if (r == R_FOUND)
			*proto = ck[i].proto;
		return r;
	}
	return R_FAIL;
}

enum sw_probe_result sw_app_probe(const uint8_t *data, uint32_t len, uint8_t ipproto, bool to_server,
				  uint16_t sport, uint16_t dport, enum sw_app_proto *proto)
{
	struct ctx c = { data, len, to_server, to_server ? dport : sport };

	if (!data)
		c.len = 0;
	if (ipproto == 6)
		return probe_tcp(&c, proto);
	if (ipproto == 17) {
		/* only DNS among ours runs over UDP; a datagram is whole, so no NEED_MORE */
		if (c.len >= DNS_HDR_LEN && dns(&c, false) == R_FOUND) {
			*proto = SW_APP_DNS;
			return R_FOUND;
		}
		return R_FAIL;
	}
	return R_FAIL;
}
