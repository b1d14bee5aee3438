/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the rule parser's .c files; not part of the API. */
#ifndef SW_RULES_RULES_INT_H
#define SW_RULES_RULES_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define PERR_MAX 256

/* Where a parse error happened and what it was; filled once (first error wins). */
struct perr {
	bool set;
	uint32_t column;   /* 1-based, 0 unknown */
	char msg[PERR_MAX];
};

/* Records the first error only; always returns -EINVAL so callers can `return perr(...)`. */
int perr(struct perr *e, size_t col0, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* free() for strings exposed through const pointers in the public structs. */
static inline void free_const(const void *p)
{
	void *q;
	memcpy(&q, &p, sizeof(q));
	free(q);
}

/* vars.c */
/* Value text of $name (without '$'), NULL if not defined; @port picks the table. */
const char *vars_lookup(const struct sw_rule_vars *v, const char *name, size_t nlen, bool port);
struct class_ent {
	const char *name, *desc;
	uint32_t prio;
};
const struct class_ent *class_lookup(const struct sw_classification *c, const char *name);

/* addrport.c: @s/@len is the token text, @col0 its 0-based column in the rule. */
int parse_addrset(const char *s, size_t len, size_t col0, const struct sw_rule_vars *v,
		  struct sw_addrset *out, struct perr *e);
int parse_portset(const char *s, size_t len, size_t col0, const struct sw_rule_vars *v,
		  struct sw_portset *out, struct perr *e);

/* rules.c: flowbit name -> id (creating it); -ENOSPC beyond the limit. */
#define SW_RULES_MAX_FLOWBITS 1024
int rules_flowbit_id(struct sw_rules *r, const char *name, size_t len);
/* rules.c: flowint / host bit / pair bit name -> id (creating it); -ENOSPC beyond @max, -ENOMEM. */
enum rules_nt { RULES_NT_FLOWINT, RULES_NT_HOSTBIT, RULES_NT_PAIRBIT, RULES_NT_N };
struct name_tab {
	char **v;
	size_t n;
};
int rules_name_id(struct sw_rules *r, enum rules_nt t, const char *name, size_t len, size_t max);
const struct sw_rule_vars *rules_vars(const struct sw_rules *r);
const struct sw_classification *rules_cls(const struct sw_rules *r);

/* rules.c: the error list, lookup by gid:sid (index or -1), mutable access while loading. */
int rules_add_error(struct sw_rules *r, const char *file, uint32_t line, uint32_t col, const char *msg);
long rules_find(const struct sw_rules *r, uint32_t gid, uint32_t sid);
struct sw_rule *rules_at(struct sw_rules *r, size_t i);
/*
 * Call @fn for every logical line of @text (continuations joined, blank
 * and '#' lines skipped) with its first line number; stops at the first
 * negative return, which it returns.
 */
typedef int (*rules_line_fn)(struct sw_rules *r, const char *line, size_t len, const char *file, uint32_t lineno);
int rules_load_lines(struct sw_rules *r, const char *text, const char *name, rules_line_fn fn);

/* parse.c: parse one logical rule line into @out (zeroed by the caller). */
int rule_parse(struct sw_rules *r, const char *line, size_t len, struct sw_rule *out, struct perr *e);
void rule_clear(struct sw_rule *rule);

#endif
