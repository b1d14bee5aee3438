/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Off-device streaming of EVE lines: RFC 5424 syslog over TCP with RFC 6587
 * octet-counting framing, behind a bounded memory queue and a bounded
 * on-disk spool, so that a collector outage costs nothing until both are
 * full, and then costs the oldest records, counted.
 *
 * Each submitted line becomes one message:
 *
 *   <len> <PRI>1 TIMESTAMP HOST APP PROCID eve [sidewall@32473 seq="N"] LINE
 *
 * (LINE without its '\n'; TIMESTAMP is the UTC time the message was framed
 * for sending, the EVE record carries its own event time.)  N is a 64-bit
 * sequence number, strictly increasing by one per record and persisted in
 * the spool across restarts, so a collector can detect gaps and duplicates.
 *
 * DELIVERY GUARANTEE (plain TCP has no application-level acknowledgement):
 *
 *  - A record counts as delivered ("sent") when every byte of its frame has
 *    been acknowledged by the collector's TCP: tcpi_bytes_acked from
 *    TCP_INFO (Linux >= 4.1), which is exact and survives a reset; on older
 *    kernels ioctl SIOCOUTQ, read only while the connection is ESTABLISHED
 *    or CLOSE_WAIT.  Delivered records are released; every other record is
 *    kept and, after a reconnect, re-sent starting at the first record not
 *    known to be delivered.
 *  - Order: records are sent and re-sent strictly in submission order.
 *  - Loss happens only (a) when memory and spool are full: the oldest
 *    records are dropped and counted in dropped_oldest; (b) when the
 *    collector's kernel acknowledged bytes that the collector process then
 *    never read or never stored (it crashed, or closed with unread data,
 *    which Linux answers with a reset): TCP cannot tell us, they are counted
 *    as sent.  (c) without a spool, whatever is undelivered at
 *    sw_syslog_free() is lost (counted as dropped_oldest).
 *  - Duplicates happen only (a) after a crash of this process: records of
 *    a spool segment delivered since the last clean shutdown are replayed
 *    (a segment is removed only once all of it is delivered); (b) on
 *    kernels without tcpi_bytes_acked, for ACKs that arrived between the
 *    last SIOCOUTQ read and a reset.  Duplicates carry the same seq, so
 *    they are detectable downstream.  A collector that stops cleanly (reads
 *    what it was sent, then closes) sees every record exactly once.
 *  - sw_syslog_free() sends for at most flush_timeout_ms, then writes every
 *    undelivered record to the spool (possibly exceeding spool_bytes by the
 *    in-flight window rather than dropping the oldest at a clean stop); the
 *    next sw_syslog_new() with the same spool directory replays them first
 *    and continues the sequence numbers.
 *
 * Threading: sw_syslog_submit() and sw_syslog_stats() may be called from any
 * thread; one background thread owns the socket.
 */
#ifndef SW_ENGINE_SYSLOG_H
#define SW_ENGINE_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

struct sw_syslog;

struct sw_syslog_config {
	const char *host;        /* collector IPv4 or IPv6 literal (no DNS) */
	uint16_t port;
	const char *hostname;    /* HOSTNAME field; NULL: gethostname() */
	const char *app_name;    /* APP-NAME; NULL: "sidewall" */
	uint8_t facility;        /* 0..23; e.g. 16 = local0 */
	uint8_t severity;        /* 0..7;  e.g. 6 = info */
	size_t mem_bytes;        /* in-memory queue bound; 0: 4 MiB.  The sender holds
				  * up to min(mem_bytes / 2, 1 MiB) more in flight. */
	const char *spool_dir;   /* existing directory, or NULL for no spool */
	uint64_t spool_bytes;    /* on-disk bound; 0: 64 MiB */
	unsigned reconnect_ms;   /* between connection attempts; 0: 1000 */
	unsigned connect_timeout_ms; /* 0: 2000 */
	unsigned flush_timeout_ms;   /* sw_syslog_free() send budget; 0: 2000 */
};

struct sw_syslog_stats {
	uint64_t queued;          /* records accepted by sw_syslog_submit() */
	uint64_t sent;            /* records acknowledged by the collector's TCP */
	uint64_t dropped_oldest;  /* records dropped because memory and spool were full */
	uint64_t reconnects;      /* connections established after the first */
	uint64_t spooled_bytes;   /* bytes currently in the spool */
	uint64_t spool_writes;    /* segment files written */
	uint64_t replayed;        /* records found in the spool at sw_syslog_new() */
	uint64_t pending;         /* records not yet delivered (memory + spool + in flight) */
	uint64_t next_seq;        /* seq the next submitted record will get */
};

/*
 * Validate @cfg (borrowed until return; strings are copied), load any spool
 * left in cfg->spool_dir by a previous run and start the sender thread.
 * Returns NULL with errno set (EINVAL with a message in @err for a bad
 * config, ENOMEM, or the errno of a spool I/O failure).
 */
struct sw_syslog *sw_syslog_new(const struct sw_syslog_config *cfg, char *err, size_t errlen);

/*
 * Queue @len bytes of one or more complete '\n'-terminated lines (borrowed
 * until return, copied).  Never waits for the network; may write a spool
 * segment to disk when the memory queue is full.  Returns 0, -EINVAL if
 * @lines does not end with '\n' (nothing is queued), -ENOMEM.  When memory
 * and spool are full the oldest records are dropped (counted), never these.
 */
int sw_syslog_submit(struct sw_syslog *s, const char *lines, size_t len);

/*
 * sw_syslog_submit() with the signature of an EVE forwarder:
 * sw_eve_add_forwarder(eve, sw_syslog_forward, syslog).  @ctx is the
 * struct sw_syslog, borrowed.
 */
int sw_syslog_forward(void *ctx, const char *lines, size_t len);

/* Snapshot of the counters.  @s borrowed. */
void sw_syslog_stats(struct sw_syslog *s, struct sw_syslog_stats *out);

/*
 * Send what can be sent within cfg->flush_timeout_ms, stop the thread,
 * spool every undelivered record (if a spool is configured; otherwise they
 * are counted as dropped) and free @s.  Accepts NULL.
 */
void sw_syslog_free(struct sw_syslog *s);

#endif
