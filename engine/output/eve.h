/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EVE JSON lines output, field-compatible with Suricata's EVE so that jq,
 * Filebeat's Suricata module and EveBox read it unchanged.
 *
 * One struct sw_eve per output file; each worker formats records into its own
 * struct sw_eve_writer buffer (no locks while formatting) and hands whole
 * lines to the sink under a mutex, so lines from different workers never
 * interleave.  JSON escaping is done here (a tight writer, as DEVELOPERS.md
 * allows), everything else is plain appends into a preallocated buffer.
 */
#ifndef SW_ENGINE_EVE_H
#define SW_ENGINE_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rule.h"
#include "engine/flow/flow.h"
#include "engine/packet.h"

struct sw_eve;
struct sw_eve_writer;

/* A JSON object being built inside a writer's buffer. */
struct sw_json {
	char *b;
	size_t len, cap;
	bool overflow; /* the record did not fit: it is dropped and counted, never cut */
	bool ipv6_compress; /* the log's setting (sw_eve_set_ipv6_compress()), for sw_json_ip() */
};

/*
 * Open (append, create 0640) @path for @types (SW_EVE_* from config.h).
 * Returns NULL with errno set.
 */
struct sw_eve *sw_eve_open(const char *path, uint32_t types);

/*
 * IPv6 addresses in records: Suricata's full form ("2001:0db8:0000:...",
 * its default) or compressed ("2001:db8::1", its ipv6-compress: yes).
 */
void sw_eve_set_ipv6_compress(struct sw_eve *e, bool on);

struct sw_rules;
/*
 * The ruleset whose flowbit names @w's alert and flow records give
 * ("metadata": {"flowbits"}, "traffic"); NULL: none.  Borrowed: reset it
 * before the ruleset goes.
 */
void sw_eve_writer_set_rules(struct sw_eve_writer *w, const struct sw_rules *r);

/* "key": @ip, as the record's log writes addresses (IPv4 dotted, IPv6 per sw_eve_set_ipv6_compress()). */
void sw_json_ip(struct sw_json *j, const char *key, const struct sw_ip *ip);
/*
 * Names for EVE's in_iface, indexed by the capture index of a packet
 * (p->iface / f->iface): live interfaces or NFQUEUE queues.  @names is
 * borrowed and must outlive @e; call before any writer exists.
 */
/* Inline (NFQUEUE) operation: flow records of dropped flows carry "action": "drop". */
void sw_eve_set_inline(struct sw_eve *e, bool on);
void sw_eve_set_ifaces(struct sw_eve *e, const char *const *names, unsigned n);

/*
 * Reopen the file by its path (after logrotate moved it away: SIGHUP).
 * Writers keep writing; the next batch goes to the new file.  Returns 0, or
 * -errno when the path cannot be opened (the old file stays in use).
 */
int sw_eve_reopen(struct sw_eve *e);
/* Close the sink; all writers must have been freed.  Accepts NULL. */
void sw_eve_close(struct sw_eve *e);
/*
 * Also hand every batch of lines written to the file to @fn(@ctx, lines,
 * len): called by sw_eve_writer_flush() under the sink lock, in file order,
 * with one or more whole '\n'-terminated lines (borrowed until return), the
 * exact bytes that reached the file.  @fn must not block (e.g.
 * sw_syslog_forward); its return value is its own to count.  Add forwarders
 * before creating writers.  Returns 0, -EINVAL (NULL @e or @fn), -ENOSPC
 * (more than 4).
 */
int sw_eve_add_forwarder(struct sw_eve *e, int (*fn)(void *ctx, const char *lines, size_t len), void *ctx);
bool sw_eve_wants(const struct sw_eve *e, uint32_t type);
/* Records dropped because they did not fit or the write failed. */
uint64_t sw_eve_dropped(const struct sw_eve *e);
uint64_t sw_eve_written(const struct sw_eve *e);

/* Per-thread writer.  NULL with errno on ENOMEM.  Free flushes. */
struct sw_eve_writer *sw_eve_writer_new(struct sw_eve *e);
void sw_eve_writer_free(struct sw_eve_writer *w);
/* Hand buffered lines to the sink.  Returns 0 or -errno from write(2). */
int sw_eve_writer_flush(struct sw_eve_writer *w);

/*
 * One alert for rule @r on packet @p.  @action is EVE's alert.action:
 * "allowed" or "blocked".
 */
void sw_eve_alert(struct sw_eve_writer *w, const struct sw_packet *p, const struct sw_rule *r,
		  const char *action);
/*
 * The same in two halves, so the caller can add a protocol object (the
 * transaction's "http": {...}) between them: begin writes everything up to
 * alert{} and app_proto and returns the record (NULL if alerts are not
 * wanted: then skip end); end adds flow{} and commits the line.
 */
struct sw_json *sw_eve_alert_begin(struct sw_eve_writer *w, const struct sw_packet *p, const struct sw_rule *r,
				   const char *action);
void sw_eve_alert_end(struct sw_eve_writer *w, const struct sw_packet *p);
/*
 * A protocol record ("http", "dns" ...) of flow @f: begins a line of
 * @event_type with the flow's id and addresses (client to server, or server
 * to client with @to_client: a DNS response's record runs as its packet
 * did) if the output wants @type (SW_EVE_*), else returns NULL; @pcap_cnt
 * (0: none, as at flow end) is the packet that completed the record, as
 * Suricata writes it.  Add the protocol object, then sw_eve_end().
 */
struct sw_json *sw_eve_flow_event(struct sw_eve_writer *w, const char *event_type, uint32_t type,
				  const struct sw_flow *f, bool to_client, int64_t ts_usec, uint64_t pcap_cnt);
/* The final (or, with @interim, a periodic) record of flow @f ending for @why. */
void sw_eve_flow(struct sw_eve_writer *w, const struct sw_flow *f, enum sw_flow_end why);

/*
 * Free-form record: begin returns an object with timestamp and event_type
 * written; add fields with sw_json_*, then sw_eve_end() commits the line.
 */
struct sw_json *sw_eve_begin(struct sw_eve_writer *w, const char *event_type, int64_t ts_usec);
void sw_eve_end(struct sw_eve_writer *w);

/* JSON building: keys are trusted literals; string values are escaped. */
void sw_json_obj(struct sw_json *j, const char *key);   /* "key":{   (key NULL inside an array) */
void sw_json_arr(struct sw_json *j, const char *key);   /* "key":[ */
void sw_json_close_obj(struct sw_json *j);
void sw_json_close_arr(struct sw_json *j);
void sw_json_str(struct sw_json *j, const char *key, const char *v);
void sw_json_strn(struct sw_json *j, const char *key, const char *v, size_t n);
void sw_json_u64(struct sw_json *j, const char *key, uint64_t v);
void sw_json_i64(struct sw_json *j, const char *key, int64_t v);
void sw_json_bool(struct sw_json *j, const char *key, bool v);
void sw_json_ts(struct sw_json *j, const char *key, int64_t usec); /* Suricata's "2024-01-02T03:04:05.123456+0000" */

/* Write Suricata's timestamp format for @usec into @buf (>= 32 bytes). */
void sw_eve_format_ts(int64_t usec, char *buf, size_t len);
/* "TCP", "UDP", "ICMP", "IPv6-ICMP", or the number as text. */
const char *sw_eve_proto_name(uint8_t proto, char *buf, size_t len);

#endif
