/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading Suricata-compatible rule files into a set of parsed rules.
 *
 * Parsers report, they don't print (STYLE.md rule 9): every rejected rule
 * becomes an error record {file, line, column, message} and loading goes on
 * with the next rule.  The message quotes the offending token, e.g.
 *   unsupported keyword 'dns.query'
 *   invalid hex in content: '|4G|'
 *   'depth' and 'distance' on one content
 */
#ifndef SW_RULES_RULES_H
#define SW_RULES_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "rule.h"

struct sw_rule_vars;       /* address-groups and port-groups */
struct sw_classification;  /* classtype -> description, priority */
struct sw_rules;           /* parsed rules + flowbit names + errors */

struct sw_rule_error {
	const char *file;    /* owned by the error list */
	uint32_t line;       /* 1-based; a continued rule reports its first line */
	uint32_t column;     /* 1-based column of the offending token, 0 if unknown */
	const char *message; /* quotes the token */
};

/* ---- variables ---- */

/* Returns a new empty variable table, NULL with errno on allocation failure. */
struct sw_rule_vars *sw_rule_vars_new(void);
void sw_rule_vars_free(struct sw_rule_vars *v);
/*
 * Define HOME_NET-style (address) or HTTP_PORTS-style (port) variables; the
 * name is given without '$'.  Values are kept as text and resolved when a
 * rule uses them (they may reference other variables).  Redefinition
 * replaces.  Returns 0 or -ENOMEM.
 */
int sw_rule_vars_set_address(struct sw_rule_vars *v, const char *name, const char *value);
int sw_rule_vars_set_port(struct sw_rule_vars *v, const char *name, const char *value);

/* ---- classification.config ---- */

struct sw_classification *sw_classification_new(void);
void sw_classification_free(struct sw_classification *c);
/*
 * Load "config classification: name,description,priority" lines.  Returns 0,
 * -errno on I/O failure, -EINVAL on a malformed line (the first one is
 * described in @err, whose strings live until the next call or free).
 */
int sw_classification_load(struct sw_classification *c, const char *path, struct sw_rule_error *err);
/* Same from a string; @name is what errors call the file. */
int sw_classification_load_string(struct sw_classification *c, const char *text, const char *name,
				  struct sw_rule_error *err);

/* ---- rule sets ---- */

/*
 * New empty rule set.  Borrows @vars and @cls (either may be NULL) for as
 * long as rules are being loaded into it.  Returns NULL with errno set.
 */
struct sw_rules *sw_rules_new(const struct sw_rule_vars *vars, const struct sw_classification *cls);
void sw_rules_free(struct sw_rules *r);

/*
 * Parse every rule in @path and append the accepted ones.  Rejected rules
 * become error records and loading continues.  Lines: '#' comments, blank
 * lines, and '\' at end of line continues a rule.  A duplicate gid:sid is
 * rejected as Suricata does.  Returns 0 (even if rules were rejected) or
 * -errno if the file cannot be read.
 */
int sw_rules_load_file(struct sw_rules *r, const char *path);
/* Same for a string; @name stands for the file name in errors. */
int sw_rules_load_string(struct sw_rules *r, const char *text, const char *name);

/*
 * Apply a Suricata threshold.config (suppress, threshold, event_filter,
 * rate_filter) to the rules loaded so far (call it after the rule files).
 * Each bad line becomes an error record (file, line, message quoting the
 * token) and loading goes on; a line naming an unknown rule is one too.
 * Returns 0, or -errno if the file cannot be read.
 */
int sw_rules_load_threshold_file(struct sw_rules *r, const char *path);
int sw_rules_load_threshold_string(struct sw_rules *r, const char *text, const char *name);

size_t sw_rules_count(const struct sw_rules *r);
const struct sw_rule *sw_rules_get(const struct sw_rules *r, size_t i);
size_t sw_rules_error_count(const struct sw_rules *r);
const struct sw_rule_error *sw_rules_error(const struct sw_rules *r, size_t i);
/* Flowbit names, indexed by the ids in struct sw_flowbit. */
size_t sw_rules_flowbit_count(const struct sw_rules *r);
const char *sw_rules_flowbit_name(const struct sw_rules *r, size_t id);
/* Names of flowint variables, host bits (hostbits, xbits ip_src/ip_dst) and pair bits (xbits ip_pair), NULL past the end. */
const char *sw_rules_flowint_name(const struct sw_rules *r, size_t id);
const char *sw_rules_hostbit_name(const struct sw_rules *r, size_t id);
const char *sw_rules_pairbit_name(const struct sw_rules *r, size_t id);

#endif
