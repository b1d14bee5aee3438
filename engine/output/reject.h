/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets that answer a 'reject' rule: a TCP RST to either end of the
 * connection, or an ICMP/ICMPv6 destination-unreachable to the sender of a
 * non-TCP packet.  Built into a caller buffer (no allocation), raw IP with
 * every checksum filled in, ready for a raw socket.
 */
#ifndef SW_ENGINE_REJECT_H
#define SW_ENGINE_REJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/packet.h"

#define SW_REJECT_MAX 1280 /* IPv6 minimum MTU: an ICMPv6 error must fit it (RFC 4443 2.4 c) */

/*
 * RST for decoded TCP packet @p: towards its sender when @to_sender, else
 * towards its receiver (as if the sender reset).  Returns the length, or
 * -EINVAL if @p is not a decoded TCP packet, -ENOSPC if @len is too small.
 */
int sw_reject_tcp_rst(const struct sw_packet *p, bool to_sender, uint8_t *buf, size_t len);

/*
 * ICMP port unreachable (v4: type 3 code 3; v6: type 1 code 4) for @p,
 * quoting as much of the offending packet as RFC 792 / RFC 4443 allow.
 * Returns the length or -EINVAL / -ENOSPC.
 */
int sw_reject_icmp_unreach(const struct sw_packet *p, uint8_t *buf, size_t len);

#endif
