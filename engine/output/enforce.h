/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sensor side of enforcement (issue 4): alerts that match the configured
 * triggers become block requests to every sidewall-enforcer in the
 * `enforcement:` section.
 *
 * Workers call sw_enforce_alert() next to sw_eve_alert(); it only checks the
 * triggers and copies {address, reason} into a bounded in-memory queue under
 * a mutex (no allocation, no I/O).  One background thread owns everything
 * else: deduplication (same address within `dedup` seconds), an append-only
 * fsync'd spool on disk (bounded by `spool-max`; when full the oldest
 * undelivered request is dropped and counted), in-order delivery to each
 * enforcer (a transport error keeps the request at the head of that
 * enforcer's line and retries it every second), the per-enforcer "delivered
 * up to" state file, and one EVE record of event_type "enforcement" per
 * applied or refused request.  Undelivered requests survive a restart: the
 * spool is replayed at start.
 *
 * Spool directory layout: `requests` (fixed-size binary records, each with
 * its own sequence number and checksum; a torn tail is cut at load),
 * `delivered` (text: "host:port seq" per enforcer, replaced atomically).
 * The directory is locked (flock) so two sensors cannot share it.
 */
#ifndef SW_ENGINE_ENFORCE_H
#define SW_ENGINE_ENFORCE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/config.h"
#include "eve.h"
#include "engine/packet.h"
#include "rules/rule.h"

struct sw_enforce;

/* Bytes per spool record: spool-max / this = requests kept undelivered. */
#define SW_ENFORCE_REC_SIZE 176

/*
 * The most spooled requests sent to an enforcer in one pipelined exchange
 * (nft/client.h): a backlog goes in few enforcer rounds, so in few
 * transactions (each costs time growing with the set).  Bounded so that
 * one exchange fits the client's 1 s timeout on a busy enforcer: on the
 * shared 2-core VM, a batch of 8,192 at 100,000 elements took up to 0.45 s
 * at load average 3-4 and 0.76 s at 5, one of 16,384 up to 1.1 and 1.5 s.
 * Answers already taken count when an exchange fails, so a slow one still
 * makes progress.
 */
#define SW_ENFORCE_BATCH_MAX 8192

struct sw_enforce_stats {
	uint64_t triggered;      /* addresses from alerts that matched a trigger */
	uint64_t queue_overflow; /* of those, lost because the in-memory queue was full */
	uint64_t deduped;        /* not requested again within `dedup` */
	uint64_t spooled;        /* requests appended to the spool */
	uint64_t spool_dropped;  /* undelivered requests dropped because the spool was full */
	uint64_t spool_errors;   /* spool or state writes that failed (request kept in memory) */
	uint64_t replayed;       /* undelivered requests found in the spool at start */
	uint64_t applied;        /* answers with status 0 (one per enforcer) */
	uint64_t refused;        /* answers with a refusal (positive errno) */
	uint64_t transport_errors; /* attempts that failed in transport and will be retried */
	uint64_t pending;        /* requests not yet delivered to every enforcer */
};

/*
 * Start enforcement for @cfg->enforce (must be set): loads the sensor's
 * private key, decodes the enforcers' public keys, creates (0700) and locks
 * the spool directory, loads undelivered requests, starts the background
 * thread.  @eve (borrowed, may be NULL for no events) must outlive the
 * returned object.  Returns NULL with errno set and a reason in @err:
 * EINVAL (bad key or key file, bad enforcer address), EBUSY (spool locked by
 * another process), or the errno of a failing file operation.
 */
struct sw_enforce *sw_enforce_new(const struct sw_config *cfg, struct sw_eve *eve, char *err, size_t errlen);

/*
 * Called by a worker for every alert of rule @r on packet @p.  If the rule
 * matches a trigger, queues a block of the packet's source and/or
 * destination (per `block`).  Never allocates or blocks on I/O; when the
 * queue is full the request is counted in queue_overflow.  Accepts a NULL @e.
 */
/*
 * For -T: if @cfg has an enforcement section, read the private key file and
 * check every enforcer's public key as sw_enforce_new() would, without
 * starting anything or touching the spool.  Returns 0 (also when
 * enforcement is off), or -errno with a one-line reason in @err.
 */
int sw_enforce_check(const struct sw_config *cfg, char *err, size_t errlen);

void sw_enforce_alert(struct sw_enforce *e, const struct sw_packet *p, const struct sw_rule *r);

/* True if rule @r matches one of the triggers (exposed for tests). */
bool sw_enforce_triggers(const struct sw_enforce *e, const struct sw_rule *r);

/* A snapshot of the counters (any thread). */
void sw_enforce_stats(struct sw_enforce *e, struct sw_enforce_stats *out);

/*
 * Stop: queued requests are spooled, one last delivery pass runs for at most
 * about 2 seconds (an enforcer that fails is not retried), then the thread
 * is joined.  Undelivered requests stay in the spool for the next start.
 * Accepts NULL.
 */
void sw_enforce_free(struct sw_enforce *e);

#endif
