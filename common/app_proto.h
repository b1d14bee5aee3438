/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Application-layer protocols: what protocol detection (engine/app/) finds
 * on a flow, what a rule header such as "alert http ..." asks for (rules/),
 * and the app_proto string of EVE records.  Below both rules/ and engine/.
 */
#ifndef SW_COMMON_APP_PROTO_H
#define SW_COMMON_APP_PROTO_H

#include <stddef.h>

enum sw_app_proto {
	SW_APP_UNKNOWN = 0, /* not (yet) detected: no app_proto in EVE */
	SW_APP_HTTP1,       /* "http" in EVE; rule headers "http" and "http1" */
	SW_APP_TLS,
	SW_APP_DNS,         /* UDP and TCP */
	SW_APP_SSH,
	SW_APP_SMTP,
	SW_APP_FTP,
	SW_APP_FTP_DATA,
	SW_APP_SMB,
	SW_APP_DCERPC,
	SW_APP_IMAP,
	SW_APP_POP3,
	SW_APP_FAILED,      /* detection gave up on both directions: "failed" in EVE */
	SW_APP_N
};

/* Suricata's EVE name ("http", "tls", ..., "failed"); NULL for SW_APP_UNKNOWN or out of range. */
const char *sw_app_proto_name(enum sw_app_proto p);

/*
 * A rule header protocol name ("http", "http1", "tls", "dns", "ssh", "smtp",
 * "ftp", "ftp-data", "smb", "dcerpc", "imap", "pop3"), @len bytes, not
 * NUL-terminated.  Returns the protocol, or SW_APP_UNKNOWN if the name is not
 * an application protocol.
 */
enum sw_app_proto sw_app_proto_from_name(const char *s, size_t len);

/* True if the protocol runs over TCP only (all but DNS here). */
static inline int sw_app_proto_tcp_only(enum sw_app_proto p)
{
	return p != SW_APP_DNS;
}

#endif
