/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: arbitrary bytes into sw_config_load_string(); must never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_config *c = NULL;
	struct sw_config_error err;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sw_config_load_string(s, "fuzz", &c, &err) == 0)
		sw_config_free(c);
	free(s);
	return 0;
}
