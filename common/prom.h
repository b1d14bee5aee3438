/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus text exposition format 0.0.4 writer (the format every
 * Prometheus server and OpenMetrics scraper accepts as text/plain;
 * version=0.0.4): one "# HELP" and one "# TYPE" line per family, then its
 * samples, label values escaped.  It checks what a scraper would reject or
 * a Prometheus user would not expect: metric and label names outside
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a counter whose name does not end in "_total",
 * a gauge that does, a sample with no family.  The first error sticks and
 * is returned by sw_prom_error(), so a formatter checks once at the end.
 *
 * Used on the metrics HTTP thread only, never on the packet path.
 */
#ifndef SW_COMMON_PROM_H
#define SW_COMMON_PROM_H

#include <stddef.h>
#include <stdint.h>

enum sw_prom_type { SW_PROM_COUNTER, SW_PROM_GAUGE };

struct sw_prom;

/* New empty writer.  Returns NULL with errno ENOMEM. */
struct sw_prom *sw_prom_new(void);
/* Accepts NULL. */
void sw_prom_free(struct sw_prom *p);
/* Empty the text and clear the error, keeping the memory (one writer per scrape thread). */
void sw_prom_reset(struct sw_prom *p);

/*
 * Start family @name (borrowed until the next family) of @type: writes
 * its HELP line (@help escaped: backslash and newline) and TYPE line.
 * Counters must be named ..._total (format 0.0.4 puts the suffix in the
 * family name), gauges must not.  Returns 0 or the sticky -errno
 * (-EINVAL for a bad name, -ENOMEM).
 */
int sw_prom_family(struct sw_prom *p, const char *name, enum sw_prom_type type, const char *help);

/*
 * One sample of the current family: value @v, then label name/value
 * pairs ending with NULL: sw_prom_u64(p, 5, "worker", "0", NULL).  Label
 * values are escaped (backslash, double quote, newline); names are
 * checked.  Returns 0 or the sticky -errno (-EINVAL, -ENOMEM).
 */
int sw_prom_u64(struct sw_prom *p, uint64_t v, ...) __attribute__((sentinel));
/* As sw_prom_u64() for a real value (timestamps, ratios); NaN and infinities as the format spells them. */
int sw_prom_f64(struct sw_prom *p, double v, ...) __attribute__((sentinel));

/* The text so far (NUL-terminated, owned by @p) and its length. */
const char *sw_prom_text(const struct sw_prom *p, size_t *len);
/* 0, or the first error any call met. */
int sw_prom_error(const struct sw_prom *p);

/* The Content-Type of this format. */
#define SW_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
