/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP flag bits as on the wire (byte 13 of the TCP header, RFC 9293 3.1 and
 * RFC 3168 for ECE/CWR).  Below both rules/ (the flags: keyword) and engine/
 * (the decoder and the stream), so neither includes the other for them.
 */
#ifndef SW_COMMON_TCP_H
#define SW_COMMON_TCP_H

#define SW_TCP_FIN 0x01
#define SW_TCP_SYN 0x02
#define SW_TCP_RST 0x04
#define SW_TCP_PSH 0x08
#define SW_TCP_ACK 0x10
#define SW_TCP_URG 0x20
#define SW_TCP_ECE 0x40
#define SW_TCP_CWR 0x80

#endif
