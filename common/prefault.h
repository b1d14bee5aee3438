/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Give a buffer its pages now, at start-up, instead of on the packet path.
 *
 * The first write to a fresh page faults.  On bare metal that costs well
 * under a microsecond; in a VM whose host backs guest memory lazily it is
 * ~15 us (a one-byte-per-page loop over fresh anonymous memory on the
 * project's 2-core VM), and the packet that takes it waits that long.
 * madvise(MADV_POPULATE_WRITE) maps the pages more cheaply, but the first
 * user access still traps there (~5 us a page), so the pages are written.
 */
#ifndef SW_COMMON_PREFAULT_H
#define SW_COMMON_PREFAULT_H

#include <stddef.h>

#define SW_PREFAULT_STEP 4096u /* the smallest page size: larger pages are touched more than once, harmlessly */

/*
 * Write a zero byte to every page of @len bytes at @p: only for memory
 * whose contents do not matter yet, or that calloc() zeroed.  Volatile
 * stores: the compiler may drop plain zero stores to calloc()'d memory,
 * and a read alone maps the shared zero page (the write faults again).
 */
static inline void sw_prefault(void *p, size_t len)
{
	volatile unsigned char *c = p;

	for (size_t i = 0; i < len; i += SW_PREFAULT_STEP)
		c[i] = 0;
	if (len)
		c[len - 1] = 0;
}

#endif
