// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Protocol detection by content: one table of byte vectors (each protocol
 * in each direction Suricata registers it for, split prefixes, near
 * misses, port-bound cases), then the same table cut at every length to
 * check that a FOUND is never preceded by a FAIL or a different protocol.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/app/probe.h"

#define TCP 6
#define UDP 17
#define TS true
#define TC false
#define MORE SW_PROBE_NEED_MORE
#define FOUND SW_PROBE_FOUND
#define FAIL SW_PROBE_FAIL

struct vec {
	const char *name;
	const uint8_t *d;
	uint32_t len;
	uint8_t ipproto;
	bool ts;
	uint16_t sport, dport;
	enum sw_probe_result want;
	enum sw_app_proto proto; /* when FOUND */
	bool dns_partial;        /* FOUND on a DNS/TCP message cut short: longer input may FAIL */
};

#define B(s) (const uint8_t *)(s), (uint32_t)(sizeof(s) - 1)
/* client port 40000 -> server port @p, in direction @dir */
#define TO_S(p) TS, 40000, (p)
#define TO_C(p) TC, (p), 40000

/* ---- bytes ---- */

/* DNS query "example.com A IN" (RFC 1035 §4.1) */
#define DNS_Q_HDR "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
#define DNS_QNAME "\x07" "example" "\x03" "com" "\x00" "\x00\x01\x00\x01"
#define DNS_QUERY DNS_Q_HDR DNS_QNAME
/* its answer: compressed name (pointer to offset 12), A 93.184.216.34, TTL 3600 */
#define DNS_RESP                                                                                        \
	"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" DNS_QNAME "\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10" \
	"\x00\x04\x5d\xb8\xd8\x22"
#define DNS_QUERY_TCP "\x00\x1d" DNS_QUERY /* 29 bytes */
#define DNS_RESP_TCP "\x00\x2d" DNS_RESP   /* 45 bytes */

/* SMB1 NEGOTIATE over an NBSS session message (36+ bytes) */
#define SMB1_NEG                                                                                        \
	"\x00\x00\x00\x2f\xffSMB\x72\x00\x00\x00\x00\x18\x53\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\xff\xfe\x00\x00\x00\x00\x00\x0c\x00\x02NT LM 0.12\x00"
/* SMB2 NEGOTIATE response header (64-byte SMB2 header, flags: server to redirector) */
#define SMB2_HDR                                                                                        \
	"\x00\x00\x00\x48\xfeSMB\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
/* SMB3 transform header */
#define SMB3_TF                                                                                         \
	"\x00\x00\x00\x60\xfdSMB\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12" \
	"\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
/* NBSS session request (RFC 1002 §4.3.2, 68 bytes of called/calling names), then SMB1 */
#define NBSS_REQ_NAMES                                                                                  \
	"\x20" "CKFDENECFDEFFCFGEFFCCACACACACACA" "\x00"                                                 \
	"\x20" "EMEJEOFFFICACACACACACACACACACAAA" "\x00"
#define NBSS_REQ_THEN_SMB "\x81\x00\x00\x44" NBSS_REQ_NAMES SMB1_NEG

/* DCERPC bind (C706 §12.6.4.3): v5.0, type 11, PFC first|last, little-endian drep */
#define DCERPC_BIND                                                                                     \
	"\x05\x00\x0b\x03\x10\x00\x00\x00\x48\x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10\x00\x00\x00\x00"
#define DCERPC_BINDACK                                                                                  \
	"\x05\x00\x0c\x03\x10\x00\x00\x00\x44\x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10\x4d\x2b\x00\x00"

/* TLS ClientHello record headers: TLS 1.0..1.2 clients put their version, TLS 1.3 puts 1.0 (RFC 8446 §5.1) */
#define TLS_CH(v) "\x16\x03" v "\x00\xc8\x01\x00\x00\xc4\x03\x03"
/* SSLv2 CLIENT-HELLO: 2-byte header, type 1, version 0x0002 */
#define SSLV2_CH "\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10"
/* SSLv2-format hello offering TLS 1.0 (version 0x0301) */
#define SSLV2_COMPAT "\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10"

static const uint8_t junk[] = { 0x8f, 0x12, 0xab, 0xcd, 0xef, 0x00, 0x11, 0x22, 0x9c, 0x47, 0x01,
				0xfe, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc };

static const struct vec vecs[] = {
	/* HTTP/1.x: requests by method + SP/HT, any port; responses HTTP/0.9|1.0|1.1 */
	{ "http get 80", B("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), TCP, TO_S(80), FOUND, SW_APP_HTTP1, 0 },
	{ "http get 8080", B("GET /index.html HTTP/1.0\r\n\r\n"), TCP, TO_S(8080), FOUND, SW_APP_HTTP1, 0 },
	{ "http get tab lower", B("get\t/ HTTP/1.0\r\n"), TCP, TO_S(8080), FOUND, SW_APP_HTTP1, 0 },
	{ "http propfind", B("PROPFIND /dav/ HTTP/1.1\r\n"), TCP, TO_S(80), FOUND, SW_APP_HTTP1, 0 },
	{ "http baseline-control", B("BASELINE-CONTROL /x HTTP/1.1\r\n"), TCP, TO_S(80), FOUND, SW_APP_HTTP1, 0 },
	{ "http post 443", B("POST /api HTTP/1.1\r\n"), TCP, TO_S(443), FOUND, SW_APP_HTTP1, 0 },
	{ "http split G", B("G"), TCP, TO_S(80), MORE, 0, 0 },
	{ "http split GET", B("GET"), TCP, TO_S(80), MORE, 0, 0 },
	{ "http split CHECK", B("CHECK"), TCP, TO_S(80), MORE, 0, 0 },
	{ "http method without space", B("GETX / HTTP/1.1\r\n"), TCP, TO_S(80), FAIL, 0, 0 },
	{ "http unknown method", B("FOO / HTTP/1.1\r\n"), TCP, TO_S(80), FAIL, 0, 0 },
	{ "binary junk on 80", junk, sizeof(junk), TCP, TO_S(80), FAIL, 0, 0 },
	{ "binary junk on 80 tc", junk, sizeof(junk), TCP, TO_C(80), FAIL, 0, 0 },
	{ "http response", B("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), TCP, TO_C(80), FOUND, SW_APP_HTTP1, 0 },
	{ "http response 1.0 8080", B("HTTP/1.0 404 Not Found\r\n"), TCP, TO_C(8080), FOUND, SW_APP_HTTP1, 0 },
	{ "http response 0.9 lower", B("http/0.9 200 OK\r\n"), TCP, TO_C(80), FOUND, SW_APP_HTTP1, 0 },
	{ "http response split", B("HTTP/1."), TCP, TO_C(80), MORE, 0, 0 },
	{ "http response 1.2", B("HTTP/1.2 200 OK\r\n"), TCP, TO_C(80), FAIL, 0, 0 },
	{ "http response 2", B("HTTP/2 200\r\n"), TCP, TO_C(80), FAIL, 0, 0 },
	{ "http request to client", B("GET / HTTP/1.1\r\n"), TCP, TO_C(80), FAIL, 0, 0 },
	{ "http response to server", B("HTTP/1.1 200 OK\r\n"), TCP, TO_S(80), FAIL, 0, 0 },

	/* TLS */
	{ "tls1.0 client hello", B(TLS_CH("\x01")), TCP, TO_S(443), FOUND, SW_APP_TLS, 0 },
	{ "tls1.1 client hello", B(TLS_CH("\x02")), TCP, TO_S(8443), FOUND, SW_APP_TLS, 0 },
	{ "tls1.2 client hello", B(TLS_CH("\x03")), TCP, TO_S(8443), FOUND, SW_APP_TLS, 0 },
	{ "tls1.3 client hello", B("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), TCP, TO_S(993), FOUND,
	  SW_APP_TLS, 0 },
	{ "sslv3 client hello", B(TLS_CH("\x00")), TCP, TO_S(443), FOUND, SW_APP_TLS, 0 },
	{ "tls1.3 server hello", B("\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03"), TCP, TO_C(443), FOUND,
	  SW_APP_TLS, 0 },
	{ "tls alert tc", B("\x15\x03\x01\x00\x02\x02\x28"), TCP, TO_C(443), FOUND, SW_APP_TLS, 0 },
	{ "tls appdata tc", B("\x17\x03\x03\x00\x20"), TCP, TO_C(443), FOUND, SW_APP_TLS, 0 },
	{ "tls split 2", B("\x16\x03"), TCP, TO_S(443), MORE, 0, 0 },
	{ "tls minor 4", B("\x16\x03\x04\x00\x10"), TCP, TO_S(443), FAIL, 0, 0 },
	{ "tls major 2", B("\x16\x02\x01\x00\x10"), TCP, TO_S(8443), FAIL, 0, 0 },
	{ "tls appdata ts", B("\x17\x03\x03\x00\x20"), TCP, TO_S(8443), FAIL, 0, 0 },
	{ "sslv2 client hello", B(SSLV2_CH), TCP, TO_S(8443), FOUND, SW_APP_TLS, 0 },
	{ "sslv2 split", B("\x80\x2e\x01\x00"), TCP, TO_S(8443), MORE, 0, 0 },
	{ "sslv2 compat hello 443", B(SSLV2_COMPAT), TCP, TO_S(443), FOUND, SW_APP_TLS, 0 },
	{ "sslv2 compat hello 8443", B(SSLV2_COMPAT), TCP, TO_S(8443), FAIL, 0, 0 },
	{ "sslv2 no high bit", B("\x00\x2e\x01\x00\x02\x00"), TCP, TO_S(8443), FAIL, 0, 0 },

	/* SSH, both directions */
	{ "ssh client", B("SSH-2.0-OpenSSH_9.6\r\n"), TCP, TO_S(22), FOUND, SW_APP_SSH, 0 },
	{ "ssh server 2222", B("SSH-2.0-dropbear\r\n"), TCP, TO_C(2222), FOUND, SW_APP_SSH, 0 },
	{ "ssh split", B("SSH"), TCP, TO_S(22), MORE, 0, 0 },
	{ "ssh near miss", B("SSH2.0\r\n"), TCP, TO_C(22), FAIL, 0, 0 },

	/* SMTP: decided by the client; the "220 " banner alone decides nothing */
	{ "smtp ehlo", B("EHLO client.example.org\r\n"), TCP, TO_S(25), FOUND, SW_APP_SMTP, 0 },
	{ "smtp helo lower 2525", B("helo x\r\n"), TCP, TO_S(2525), FOUND, SW_APP_SMTP, 0 },
	{ "smtp quit 587", B("QUIT\r\n"), TCP, TO_S(587), FOUND, SW_APP_SMTP, 0 },
	{ "smtp split EHL", B("EHL"), TCP, TO_S(25), MORE, 0, 0 },
	{ "smtp banner", B("220 mx.example.org ESMTP Postfix\r\n"), TCP, TO_C(25), FAIL, 0, 0 },
	{ "banner split 220", B("220"), TCP, TO_C(25), MORE, 0, 0 },
	{ "smtp mail first", B("MAIL FROM:<a@b>\r\n"), TCP, TO_S(25), FAIL, 0, 0 },

	/* FTP */
	{ "ftp user", B("USER anonymous\r\n"), TCP, TO_S(21), FOUND, SW_APP_FTP, 0 },
	{ "ftp user 2121", B("USER anonymous\r\n"), TCP, TO_S(2121), FOUND, SW_APP_FTP, 0 },
	{ "ftp feat", B("FEAT\r\n"), TCP, TO_S(21), FOUND, SW_APP_FTP, 0 },
	{ "ftp port", B("PORT 10,0,0,1,4,1\r\n"), TCP, TO_S(21), FOUND, SW_APP_FTP, 0 },
	{ "ftp quit 21", B("QUIT\r\n"), TCP, TO_S(21), FOUND, SW_APP_FTP, 0 },
	{ "ftp quit 21 split", B("QUIT"), TCP, TO_S(21), MORE, 0, 0 },
	{ "ftp quit lower 21", B("quit\r\n"), TCP, TO_S(21), FAIL, 0, 0 },
	{ "ftp user lower", B("user anonymous\r\n"), TCP, TO_S(21), FAIL, 0, 0 },
	{ "ftp vsftpd banner", B("220 (vsFTPd 3.0.5)\r\n"), TCP, TO_C(21), FOUND, SW_APP_FTP, 0 },
	{ "ftp plain banner", B("220 ProFTPD Server ready.\r\n"), TCP, TO_C(21), FAIL, 0, 0 },
	{ "ftp banner split", B("220 "), TCP, TO_C(21), MORE, 0, 0 },
	{ "ftp 230 tc", B("230 Login successful.\r\n"), TCP, TO_C(21), FAIL, 0, 0 },

	/* SMB 1/2/3 after the NBSS header, any port; near misses */
	{ "smb1 negotiate", B(SMB1_NEG), TCP, TO_S(445), FOUND, SW_APP_SMB, 0 },
	{ "smb1 negotiate 4455", B(SMB1_NEG), TCP, TO_S(4455), FOUND, SW_APP_SMB, 0 },
	{ "smb2 tc", B(SMB2_HDR), TCP, TO_C(445), FOUND, SW_APP_SMB, 0 },
	{ "smb2 ts", B(SMB2_HDR), TCP, TO_S(9445), FOUND, SW_APP_SMB, 0 },
	{ "smb3 transform", B(SMB3_TF), TCP, TO_C(445), FOUND, SW_APP_SMB, 0 },
	{ "smb split magic", B("\x00\x00\x00\x2f\xffSM"), TCP, TO_S(445), MORE, 0, 0 },
	{ "smb split under 36", B("\x00\x00\x00\x2f\xffSMB\x72\x00\x00\x00"), TCP, TO_S(4455), MORE, 0, 0 },
	{ "smb bad magic", B("\x00\x00\x00\x2f\xffSMC\x72\x00\x00\x00"), TCP, TO_S(4455), FAIL, 0, 0 },
	{ "smb bad nbss type", B("\x42\x00\x00\x2f\xffSMB\x72"), TCP, TO_S(445), FAIL, 0, 0 },
	{ "nbss request then smb 139", B(NBSS_REQ_THEN_SMB), TCP, TO_S(139), FOUND, SW_APP_SMB, 0 },
	{ "nbss request then smb 1139", B(NBSS_REQ_THEN_SMB), TCP, TO_S(1139), FAIL, 0, 0 },
	{ "nbss request alone 139", B("\x81\x00\x00\x44" NBSS_REQ_NAMES), TCP, TO_S(139), MORE, 0, 0 },

	/* DCERPC over TCP, both directions */
	{ "dcerpc bind", B(DCERPC_BIND), TCP, TO_S(135), FOUND, SW_APP_DCERPC, 0 },
	{ "dcerpc bind_ack", B(DCERPC_BINDACK), TCP, TO_C(49152), FOUND, SW_APP_DCERPC, 0 },
	{ "dcerpc split", B("\x05\x00\x0b\x03\x10"), TCP, TO_S(135), MORE, 0, 0 },
	{ "dcerpc bad drep", B("\x05\x00\x0b\x03\x20\x00\x00\x00\x48\x00"), TCP, TO_S(135), FAIL, 0, 0 },
	{ "dcerpc minor 1", B("\x05\x01\x0b\x03\x10\x00\x00\x00"), TCP, TO_S(135), FAIL, 0, 0 },

	/* IMAP */
	{ "imap greeting", B("* OK IMAP4rev1 Service Ready\r\n"), TCP, TO_C(143), FOUND, SW_APP_IMAP, 0 },
	{ "imap bad tc", B("* BAD invalid\r\n"), TCP, TO_C(1143), FOUND, SW_APP_IMAP, 0 },
	{ "imap greeting split", B("* OK"), TCP, TO_C(143), MORE, 0, 0 },
	{ "imap star junk", B("* HELLO\r\n"), TCP, TO_C(143), FAIL, 0, 0 },
	{ "imap capability", B("a001 CAPABILITY\r\n"), TCP, TO_S(143), FOUND, SW_APP_IMAP, 0 },
	{ "imap capability lower", B("1 capability\r\n"), TCP, TO_S(143), FOUND, SW_APP_IMAP, 0 },
	{ "imap tag of 6", B("abcdef CAPABILITY\r\n"), TCP, TO_S(143), FOUND, SW_APP_IMAP, 0 },
	{ "imap tag of 7", B("abcdefg CAPABILITY\r\n"), TCP, TO_S(143), FAIL, 0, 0 },
	{ "imap split tag", B("a001"), TCP, TO_S(143), MORE, 0, 0 },
	{ "imap login first", B("a001 LOGIN joe secret\r\n"), TCP, TO_S(143), FAIL, 0, 0 },

	/* POP3, on its port */
	{ "pop3 greeting", B("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"), TCP, TO_C(110), FOUND,
	  SW_APP_POP3, 0 },
	{ "pop3 err", B("-ERR go away\r\n"), TCP, TO_C(110), FOUND, SW_APP_POP3, 0 },
	{ "pop3 greeting no crlf yet", B("+OK POP3 ready"), TCP, TO_C(110), MORE, 0, 0 },
	{ "pop3 okay", B("+OKAY\r\n"), TCP, TO_C(110), FAIL, 0, 0 },
	{ "pop3 greeting 1110", B("+OK POP3 server ready\r\n"), TCP, TO_C(1110), FAIL, 0, 0 },
	{ "pop3 user", B("USER mrose\r\n"), TCP, TO_S(110), FOUND, SW_APP_POP3, 0 },
	{ "pop3 capa", B("CAPA\r\n"), TCP, TO_S(110), FOUND, SW_APP_POP3, 0 },
	{ "pop3 quit", B("QUIT\r\n"), TCP, TO_S(110), FOUND, SW_APP_POP3, 0 },
	{ "pop3 user split", B("USER mrose"), TCP, TO_S(110), MORE, 0, 0 },
	{ "pop3 bad keyword", B("%%%\r\n"), TCP, TO_S(110), FAIL, 0, 0 },

	/* DNS over UDP: port 53 and a parseable message */
	{ "dns udp query", B(DNS_QUERY), UDP, TO_S(53), FOUND, SW_APP_DNS, 0 },
	{ "dns udp response", B(DNS_RESP), UDP, TO_C(53), FOUND, SW_APP_DNS, 0 },
	{ "dns udp query 5353", B(DNS_QUERY), UDP, TO_S(5353), FAIL, 0, 0 },
	{ "dns udp truncated", B(DNS_Q_HDR "\x07" "exam"), UDP, TO_S(53), FAIL, 0, 0 },
	{ "dns udp short header", B("\x12\x34\x01\x00\x00\x01"), UDP, TO_S(53), FAIL, 0, 0 },
	{ "dns udp query without question", B("\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), UDP, TO_S(53),
	  FAIL, 0, 0 },
	{ "dns udp formerr bare header", B("\x12\x34\x81\x81\x00\x00\x00\x00\x00\x00\x00\x00"), UDP, TO_C(53), FOUND,
	  SW_APP_DNS, 0 },
	{ "dns udp pointer to itself", B(DNS_Q_HDR "\xc0\x0c\x00\x01\x00\x01"), UDP, TO_S(53), FAIL, 0, 0 },
	{ "dns udp label type 0x40", B(DNS_Q_HDR "\x41" "a" "\x00\x00\x01\x00\x01"), UDP, TO_S(53), FAIL, 0, 0 },
	{ "dns udp not dns on 53", B("GET / HTTP/1.1\r\n\r\n"), UDP, TO_S(53), FAIL, 0, 0 },
	{ "udp http on 80", B("GET / HTTP/1.1\r\n\r\n"), UDP, TO_S(80), FAIL, 0, 0 },
	{ "udp empty", (const uint8_t *)"", 0, UDP, TO_S(53), FAIL, 0, 0 },

	/* DNS over TCP: RFC 1035 §4.2.2 length prefix */
	{ "dns tcp query", B(DNS_QUERY_TCP), TCP, TO_S(53), FOUND, SW_APP_DNS, 0 },
	{ "dns tcp response", B(DNS_RESP_TCP), TCP, TO_C(53), FOUND, SW_APP_DNS, 0 },
	{ "dns tcp split length", B("\x00"), TCP, TO_S(53), MORE, 0, 0 },
	{ "dns tcp split header", B("\x00\x1d\x12\x34\x01\x00\x00\x01"), TCP, TO_S(53), MORE, 0, 0 },
	{ "dns tcp truncated query", B("\x00\x1d" DNS_Q_HDR "\x07" "exa"), TCP, TO_S(53), FOUND, SW_APP_DNS, 1 },
	{ "dns tcp length too small", B("\x00\x05\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"), TCP, TO_S(53),
	  FAIL, 0, 0 },
	{ "dns tcp counts beyond length", B("\x00\x1d\x12\x34\x01\x00\x00\x20\x00\x00\x00\x00\x00\x00"), TCP,
	  TO_S(53), FAIL, 0, 0 },
	{ "dns tcp whole but broken", B("\x00\x12" DNS_Q_HDR "\x07" "exa" "\x00\x01"), TCP, TO_S(53), FAIL, 0, 0 },
	{ "dns tcp query 5353", B(DNS_QUERY_TCP), TCP, TO_S(5353), FAIL, 0, 0 },

	/* edges */
	{ "tcp empty", (const uint8_t *)"", 0, TCP, TO_S(80), MORE, 0, 0 },
	{ "icmp", B("GET / HTTP/1.1\r\n"), 1, TO_S(80), FAIL, 0, 0 },
};

static const char *rname(enum sw_probe_result r)
{
	return r == FOUND ? "FOUND" : r == MORE ? "NEED_MORE" : "FAIL";
}

static void test_vectors(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		enum sw_app_proto p = SW_APP_N; /* sentinel: must be left alone unless FOUND */
		enum sw_probe_result r = sw_app_probe(v->d, v->len, v->ipproto, v->ts, v->sport, v->dport, &p);

		if (r != v->want || (r == FOUND && p != v->proto) || (r != FOUND && p != SW_APP_N)) {
			print_error("%s: got %s/%d, want %s/%d\n", v->name, rname(r), (int)p, rname(v->want),
				    (int)v->proto);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/*
 * Every cut of a TCP vector: before a FOUND there is only NEED_MORE or the
 * same FOUND, and after a FAIL only FAIL.  A DNS/TCP message FOUND on its
 * header alone is exempt (Suricata's probe decides on the header, the full
 * message may then not parse).
 */
static void test_prefixes(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		enum sw_probe_result prev = MORE;
		enum sw_app_proto prev_p = SW_APP_UNKNOWN;
		uint32_t n;

		if (v->ipproto != TCP)
			continue;
		for (n = 0; n <= v->len; n++) {
			enum sw_app_proto p = SW_APP_UNKNOWN;
			enum sw_probe_result r = sw_app_probe(v->d, n, TCP, v->ts, v->sport, v->dport, &p);

			if ((prev == FAIL && r != FAIL) || (prev == FOUND && (r != FOUND || p != prev_p))) {
				if (!(prev == FOUND && prev_p == SW_APP_DNS)) {
					print_error("%s: %s/%d at %u then %s/%d at %u\n", v->name, rname(prev),
						    (int)prev_p, n - 1, rname(r), (int)p, n);
					bad++;
				}
			}
			prev = r;
			prev_p = p;
		}
		if (prev != v->want && !v->dns_partial) {
			print_error("%s: full input gives %s\n", v->name, rname(prev));
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Every method of Suricata's list, with SP and with HT, in both cases. */
static void test_http_methods(void **state)
{
	static const char *const m[] = { "GET",	   "PUT",	 "POST",	 "HEAD",	  "TRACE",
					 "OPTIONS",	   "CONNECT",	 "DELETE",	 "PATCH",	  "PROPFIND",
					 "PROPPATCH",	   "MKCOL",	 "COPY",	 "MOVE",	  "LOCK",
					 "UNLOCK",	   "CHECKOUT",	 "UNCHECKOUT",	 "CHECKIN",	  "UPDATE",
					 "LABEL",	   "REPORT",	 "MKWORKSPACE",	 "MKACTIVITY",	  "MERGE",
					 "INVALID",	   "VERSION-CONTROL", "BASELINE-CONTROL" };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		for (j = 0; j < 4; j++) {
			char buf[64];
			enum sw_app_proto p = SW_APP_UNKNOWN;
			size_t k, n = strlen(m[i]);

			memcpy(buf, m[i], n);
			for (k = 0; (j & 1) && k < n; k++)
				buf[k] = (char)(buf[k] >= 'A' && buf[k] <= 'Z' ? buf[k] | 0x20 : buf[k]);
			buf[n] = (j & 2) ? '\t' : ' ';
			memcpy(buf + n + 1, "/ HTTP/1.1\r\n", 12);
			assert_int_equal(sw_app_probe((const uint8_t *)buf, (uint32_t)(n + 13), TCP, true, 40000, 8080,
						      &p),
					 FOUND);
			assert_int_equal(p, SW_APP_HTTP1);
			/* the bare method is still a prefix */
			assert_int_equal(sw_app_probe((const uint8_t *)buf, (uint32_t)n, TCP, true, 40000, 8080, &p),
					 MORE);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_http_methods),
	};

	printf("%zu vectors\n", sizeof(vecs) / sizeof(vecs[0]));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
