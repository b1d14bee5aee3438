/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the rule parser: arbitrary bytes (NUL-terminated
 * copy) go to sw_rules_load_string() with a small variable table (including a
 * loop) and classification table; every accessor is then walked and the
 * payload-keyword grouping (rules/rule.h), the transaction integer
 * keywords and the state keywords (flowint, flow counters, hostbits/xbits,
 * thresholds) are checked on every accepted rule.  Input after a line
 * "%%" is also applied as a threshold.config to the rules before it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_rule_vars *vars;
static struct sw_classification *cls;

static void setup(void)
{
	struct sw_rule_error err;

	vars = sw_rule_vars_new();
	cls = sw_classification_new();
	sw_rule_vars_set_address(vars, "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,fd00::/8]");
	sw_rule_vars_set_address(vars, "EXTERNAL_NET", "!$HOME_NET");
	sw_rule_vars_set_address(vars, "LOOP_A", "[$LOOP_B,1.2.3.4]");
	sw_rule_vars_set_address(vars, "LOOP_B", "$LOOP_A");
	sw_rule_vars_set_port(vars, "HTTP_PORTS", "[80,8080,8000:8100]");
	sw_rule_vars_set_port(vars, "SSH_PORTS", "22");
	sw_classification_load_string(cls,
				      "config classification: trojan-activity,A Network Trojan was detected,1\n"
				      "config classification: misc-activity,Misc activity,3\n",
				      "fuzz.config", &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_rules *r;
	char *text;

	if (!vars)
		setup();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = sw_rules_new(vars, cls);
	if (r) {
		char *conf = strstr(text, "\n%%\n");

		if (conf) {
			*conf = '\0';
			conf += 4;
		}
		sw_rules_load_string(r, text, "fuzz.rules");
		if (conf)
			sw_rules_load_threshold_string(r, conf, "fuzz.threshold");
		for (size_t i = 0; i < sw_rules_count(r); i++) {
			const struct sw_rule *rule = sw_rules_get(r, i);
			volatile uint32_t sink = rule->sid + rule->n_pm + rule->app_proto + rule->target;
			uint64_t mask = 0;

			/*
			 * grouping invariants: every pm's buffer is named and in buf_mask, and
			 * each list (a buffer and its transforms: "http.host; dotprefix" and
			 * "http.host" are two) is contiguous
			 */
			uint64_t seen_x[2] = { 0, 0 };

			for (uint32_t j = 0; j < rule->n_pm; j++) {
				uint8_t b = rule->pm[j].buf, x = rule->pm[j].xform ? 1 : 0;
				bool new_list = j && (b != rule->pm[j - 1].buf || rule->pm[j].xform != rule->pm[j - 1].xform);

				if (!sw_buf_name((enum sw_bufid)b) || !(rule->buf_mask & (1ULL << b)))
					abort();
				if (new_list && (seen_x[x] & (1ULL << b)))
					abort();
				seen_x[x] |= 1ULL << b;
				mask |= 1ULL << b;
			}
			/*
			 * transaction integer keywords: a known kind of the rule's protocol
			 * (DNS: u16, opcode u8; TLS: a version is u16, a date has its mode)
			 */
			for (uint32_t j = 0; j < rule->n_txnum; j++) {
				const struct sw_txnum *t = &rule->txnum[j];
				bool dns = t->kind <= SW_TXNUM_DNS_RRTYPE, date = t->kind >= SW_TXNUM_TLS_NOTBEFORE;

				if (t->kind > SW_TXNUM_TLS_VALID || rule->app_proto != (dns ? SW_APP_DNS : SW_APP_TLS))
					abort();
				if (date) {
					if (t->tmode > SW_TMODE_RANGE)
						abort();
					continue;
				}
				if (!t->m.set || t->m.op > SW_CMP_NEG_BITMASK ||
				    (dns && (t->m.a > 65535 || t->m.b > 65535)) ||
				    (t->kind == SW_TXNUM_DNS_OPCODE && t->m.a > 255) ||
				    ((t->kind == SW_TXNUM_TLS_VERSION || t->kind == SW_TXNUM_TLS_VERSION_RAW) &&
				     (t->m.op != SW_CMP_EQ || t->m.a > 65535)))
					abort();
			}
			/* state keywords: ids name a variable of the right name space, enums in range */
			for (uint32_t j = 0; j < rule->n_fi; j++) {
				const struct sw_flowint *fi = &rule->fi[j];

				if (fi->op > SW_FI_NOTSET || fi->id >= SW_FLOWINT_MAX || !sw_rules_flowint_name(r, fi->id) ||
				    (fi->target_var && !sw_rules_flowint_name(r, fi->target)))
					abort();
			}
			for (uint32_t j = 0; j < rule->n_fc; j++) {
				const struct sw_flowcnt *fc = &rule->fc[j];

				if (fc->kind > SW_FC_STREAM || fc->dir > SW_FCD_BOTH || fc->op > SW_CMP_NEG_BITMASK ||
				    (fc->kind != SW_FC_BYTES && fc->a > UINT32_MAX))
					abort();
			}
			for (uint32_t j = 0; j < rule->n_xb; j++) {
				const struct sw_xbit *xb = &rule->xb[j];

				if (xb->op > SW_FB_TOGGLE || xb->track > SW_XB_IP_PAIR || xb->expire == 0 ||
				    !(xb->track == SW_XB_IP_PAIR ? sw_rules_pairbit_name(r, xb->id) :
								   sw_rules_hostbit_name(r, xb->id)))
					abort();
			}
			if ((rule->threshold.set && rule->threshold.type == SW_THR_BACKOFF &&
			     (rule->threshold.track != SW_TRACK_BY_FLOW || rule->threshold.multiplier < 2)) ||
			    (rule->rate.set && (rule->threshold.set || rule->detection_filter.set)))
				abort();
			for (uint32_t j = 0; j < rule->n_sup; j++)
				if (rule->sup[j].track > SW_SUP_BY_EITHER)
					abort();
			if (mask != rule->buf_mask ||
			    (rule->fast_pattern >= 0 && (uint32_t)rule->fast_pattern >= rule->n_pm))
				abort();
			(void)sink;
		}
		for (size_t i = 0; i < sw_rules_error_count(r); i++) {
			volatile size_t l = strlen(sw_rules_error(r, i)->message);
			(void)l;
		}
		sw_rules_free(r);
	}
	free(text);
	return 0;
}
