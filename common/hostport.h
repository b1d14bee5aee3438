/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "HOST:PORT" listen addresses, as an operator writes them in a config. */
#ifndef SW_COMMON_HOSTPORT_H
#define SW_COMMON_HOSTPORT_H

#include <stddef.h>

/*
 * Split "HOST:PORT" or "[V6ADDR]:PORT" into @host (at most @hostlen bytes
 * with the NUL; the brackets dropped) and *@port (1..65535).  HOST is not
 * resolved here.  Pure, so config loaders reject a bad address at load
 * time.  Returns 0 or -EINVAL (no port, port out of range, empty host,
 * host too long, an IPv6 address without brackets).
 */
int sw_hostport_parse(const char *s, char *host, size_t hostlen, unsigned *port);

#endif
