/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Application-layer protocol detection by content, one flow direction at a
 * time, after Suricata's src/app-layer-detect-proto.c: the patterns and
 * probing parsers each protocol registers (which direction, offset, depth,
 * and the few that are bound to a server port) are listed in probe.c.
 */
#ifndef SW_ENGINE_APP_PROBE_H
#define SW_ENGINE_APP_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/app_proto.h"

enum sw_probe_result { SW_PROBE_NEED_MORE, SW_PROBE_FOUND, SW_PROBE_FAIL };

/*
 * Probe one direction of a flow.  @data/@len: that direction's payload from its very first byte (TCP: the
 * reassembled stream start; UDP: one datagram).  @ipproto 6 or 17.  @to_server: the direction.  @sport/@dport:
 * the packet's ports in this direction (hints only where Suricata uses a port-bound probing parser, e.g. DNS).
 * Pure and allocation-free.  FOUND sets *proto.  NEED_MORE: a pattern could still match with more bytes.
 * FAIL: nothing can match this direction.
 *
 * Borrows @data until return; @proto must not be NULL and is written only on FOUND.  UDP never gives
 * NEED_MORE (a datagram does not grow: the next one is probed on its own).  SW_APP_FTP_DATA is never
 * returned: Suricata finds it from the control channel's PORT/PASV (an expectation), not by content.
 */
enum sw_probe_result sw_app_probe(const uint8_t *data, uint32_t len, uint8_t ipproto, bool to_server,
                                  uint16_t sport, uint16_t dport, enum sw_app_proto *proto);

#endif
