/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <strings.h>

#include "common/dns_names.h"

struct name_val {
	uint16_t v;
	const char *n;
};

/* rust/src/dns/dns.rs DNSRecordType */
static const struct name_val rrtypes[] = {
	{1, "A"}, {2, "NS"}, {3, "MD"}, {4, "MF"}, {5, "CNAME"}, {6, "SOA"}, {7, "MB"}, {8, "MG"},
	{9, "MR"}, {10, "NULL"}, {11, "WKS"}, {12, "PTR"}, {13, "HINFO"}, {14, "MINFO"}, {15, "MX"},
	{16, "TXT"}, {17, "RP"}, {18, "AFSDB"}, {19, "X25"}, {20, "ISDN"}, {21, "RT"}, {22, "NSAP"},
	{23, "NSAPPTR"}, {24, "SIG"}, {25, "KEY"}, {26, "PX"}, {27, "GPOS"}, {28, "AAAA"}, {29, "LOC"},
	{30, "NXT"}, {33, "SRV"}, {34, "ATMA"}, {35, "NAPTR"}, {36, "KX"}, {37, "CERT"}, {38, "A6"},
	{39, "DNAME"}, {41, "OPT"}, {42, "APL"}, {43, "DS"}, {44, "SSHFP"}, {45, "IPSECKEY"},
	{46, "RRSIG"}, {47, "NSEC"}, {48, "DNSKEY"}, {49, "DHCID"}, {50, "NSEC3"}, {51, "NSEC3PARAM"},
	{52, "TLSA"}, {55, "HIP"}, {59, "CDS"}, {60, "CDNSKEY"}, {65, "HTTPS"}, {99, "SPF"},
	{249, "TKEY"}, {250, "TSIG"}, {254, "MAILA"}, {255, "ANY"}, {256, "URI"},
};

/* rust/src/dns/dns.rs DNSRcode (the EVE "rcode" string is another table: dns.c rcode_name) */
static const struct name_val rcodes[] = {
	{0, "NOERROR"}, {1, "FORMERR"}, {2, "SERVFAIL"}, {3, "NXDOMAIN"}, {4, "NOTIMP"}, {5, "REFUSED"},
	{6, "YXDOMAIN"}, {7, "YXRRSET"}, {8, "NXRRSET"}, {9, "NOTAUTH"}, {10, "NOTZONE"}, {16, "BADVERS"},
	{17, "BADKEY"}, {18, "BADTIME"}, {19, "BADMODE"}, {20, "BADNAME"}, {21, "BADALG"}, {22, "BADTRUNC"},
};

static int32_t lookup(const struct name_val *t, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const char *nm = t[i].n;
		size_t k = 0;

		while (nm[k] && k < len)
			k++;
		/* Suricata's EnumString from_str(): the whole string, compared upper-cased */
		if (k == len && !nm[k] && strncasecmp(nm, s, len) == 0)
			return t[i].v;
	}
	return -1;
}

const char *sw_dns_rrtype_name(uint16_t t)
{
	for (size_t i = 0; i < sizeof(rrtypes) / sizeof(rrtypes[0]); i++)
		if (rrtypes[i].v == t)
			return rrtypes[i].n;
	return NULL;
}

int32_t sw_dns_rrtype_from_name(const char *s, size_t len)
{
	return lookup(rrtypes, sizeof(rrtypes) / sizeof(rrtypes[0]), s, len);
}

int32_t sw_dns_rcode_from_name(const char *s, size_t len)
{
	return lookup(rcodes, sizeof(rcodes) / sizeof(rcodes[0]), s, len);
}
