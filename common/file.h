/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a whole text file (rules, classification, config) into memory. */
#ifndef SW_COMMON_FILE_H
#define SW_COMMON_FILE_H

#include <stddef.h>

/*
 * Read @path into a new buffer with a NUL after the last byte; on success
 * *@out (free() it) and *@len (bytes read, NUL not counted) are set.
 * Returns 0, -EFBIG past @max bytes, -ENOMEM, -EIO on a read error, or the
 * -errno of fopen().
 */
int sw_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
