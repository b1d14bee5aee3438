/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: arbitrary bytes as sidewall-enforcer's YAML config into
 * sw_enf_config_load_string() (the file variant only adds sw_read_file()).
 * Must never crash or leak; an error must name the file and a line; an
 * accepted config must stay inside its limits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft/enforcer_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_enf_config cfg; /* 20 KiB: off the stack */
	char err[512];
	int ret;

	err[0] = '\0';
	ret = sw_enf_config_load_string((const char *)data, size, "fuzz.yaml", &cfg, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL || strncmp(err, "fuzz.yaml:", 10) != 0 || err[10] < '1' ||
		    err[10] > '9')
			abort();
	} else {
		/* success with a message written is an error that was dropped */
		if (err[0])
			abort();
		if (cfg.nsensors > SW_ENF_MAX_SENSORS || cfg.nnever > SW_ENF_MAX_NEVER || !cfg.hooks ||
		    cfg.default_ttl > cfg.max_ttl || !cfg.port)
			abort();
		/* a sensor name is one journal field: no blanks, no control characters */
		for (size_t i = 0; i < cfg.nsensors; i++) {
			const unsigned char *n = (const unsigned char *)cfg.sensors[i].name;

			if (!*n)
				abort();
			for (; *n; n++)
				if (*n <= 0x20 || *n == 0x7f)
					abort();
		}
	}
	return 0;
}
