/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Community ID v1 (github.com/corelight/community-id-spec): the flow hash
 * Zeek, Suricata and others print, so sidewall's flow records join theirs.
 */
#ifndef SW_ENGINE_COMMUNITY_ID_H
#define SW_ENGINE_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define SW_COMMUNITY_ID_LEN 31 /* "1:" + 28 base64 chars + NUL */

/*
 * Community ID of the flow @src:@sport -> @dst:@dport over @proto with
 * @seed (0 by default).  For ICMP/ICMPv6 pass the type as @sport and the
 * code as @dport: they are mapped to "port equivalents" as Zeek does.
 * Protocols without ports (neither TCP, UDP, SCTP nor ICMP) hash addresses
 * only.  Writes the NUL-terminated string into @out (>= SW_COMMUNITY_ID_LEN).
 * Returns 0, or -EINVAL for mismatched address families, -EIO if the hash
 * could not be computed.
 */
int sw_community_id(const struct sw_ip *src, const struct sw_ip *dst, uint16_t sport, uint16_t dport, uint8_t proto,
		    uint16_t seed, char *out, size_t outlen);

#endif
