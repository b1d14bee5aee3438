/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS record type and response code names, as Suricata 8 spells them
 * (rust/src/dns/dns.rs enums DNSRecordType and DNSRcode): the rrtype
 * strings of the "dns" EVE object (engine/app/dns.c) and the names the
 * dns.rrtype and dns.rcode rule keywords accept (rules/parse.c).  Below
 * both rules/ and engine/.
 */
#ifndef SW_COMMON_DNS_NAMES_H
#define SW_COMMON_DNS_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The upper-case name of record type @t ("A", "AAAA", "OPT" ...), NULL if Suricata has none. */
const char *sw_dns_rrtype_name(uint16_t t);

/*
 * The record type named @s (@len bytes, any case), or -1.  The names are
 * those of sw_dns_rrtype_name().
 */
int32_t sw_dns_rrtype_from_name(const char *s, size_t len);

/*
 * The response code named @s (@len bytes, any case: "noerror" ...
 * "notzone" 0-10, "badvers" ... "badtrunc" 16-22, as DNSRcode), or -1.
 */
int32_t sw_dns_rcode_from_name(const char *s, size_t len);

#endif
