/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "app_proto.h"

#include <string.h>

static const char *const names[SW_APP_N] = {
	[SW_APP_HTTP1] = "http", [SW_APP_TLS] = "tls",       [SW_APP_DNS] = "dns",
	[SW_APP_SSH] = "ssh",    [SW_APP_SMTP] = "smtp",     [SW_APP_FTP] = "ftp",
	[SW_APP_FTP_DATA] = "ftp-data", [SW_APP_SMB] = "smb", [SW_APP_DCERPC] = "dcerpc",
	[SW_APP_IMAP] = "imap",  [SW_APP_POP3] = "pop3",     [SW_APP_FAILED] = "failed",
};

const char *sw_app_proto_name(enum sw_app_proto p)
{
	return (unsigned)p < SW_APP_N ? names[p] : NULL;
}

enum sw_app_proto sw_app_proto_from_name(const char *s, size_t len)
{
	if (len == 5 && !memcmp(s, "http1", 5))
		return SW_APP_HTTP1;
	for (int p = SW_APP_HTTP1; p < SW_APP_FAILED; p++)
		if (strlen(names[p]) == len && !memcmp(names[p], s, len))
			return (enum sw_app_proto)p;
	return SW_APP_UNKNOWN;
}
