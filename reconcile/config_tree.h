/*
 * config internals: what the desired-state loader's three rooms share.
 *
 * config_yaml.c turns the bytes into a tree of positioned nodes (the only
 * file that includes yaml.h); config_get.c reads typed values out of the
 * tree and reports problems, with "did you mean" for misspelt keys;
 * config.c is the schema: tenants, auth, matchers, policy, limits. Every
 * problem goes into the loader's diagnostics as FILE:LINE:COL: message.
 * Not for use outside reconcile/config*.c.
 */
#ifndef USERPRUNE_CONFIG_TREE_H
#define USERPRUNE_CONFIG_TREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "reconcile/config.h"
#include "util/diag.h"

enum ynode_kind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_kind kind;
	int line, col;
	char *value; /* Y_SCALAR */
	bool plain;  /* unquoted scalar: may be a number, bool or null */
	struct ynode **items; /* Y_SEQ: items; Y_MAP: key, value, key, ... */
	size_t n, cap;
};

struct loader {
	const char *file;
	const char *dir;
	unsigned flags;
	struct diags *d;
	const struct config_reader *rd;
	struct config *c;
	const struct config_select *sel; /* NULL: every tenant */
	bool unselected; /* the tenant being loaded is not selected */
};

/* ---- reports (config_get.c) ---- */

void cfg_error_at(struct loader *L, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfg_warn_at(struct loader *L, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The reason of a "PATH: reason" message, lower case, in msg. */
const char *cfg_reason_of(char *msg);

/* ---- the tree (config_yaml.c) ---- */

/* Tabs and NULs are refused everywhere; invalid UTF-8 stops the load. */
bool cfg_check_bytes(struct loader *L, const char *data, size_t len);
/* The document's root, or NULL after reporting why. */
struct ynode *cfg_parse_yaml(struct loader *L, const char *data, size_t len);
void cfg_ynode_free(struct ynode *n);

/* ---- typed access (config_get.c) ---- */

bool cfg_is_null(const struct ynode *n);
/* "a mapping", "a list", "the number 3": what a node is, for messages. */
const char *cfg_kind_name(const struct ynode *n);
/* The known word closest to word, or NULL when none is close. */
const char *cfg_suggest(const char *word, const char *const *known);
/* Checks that map is a mapping of known keys only (did you mean ...). */
bool cfg_check_map(struct loader *L, const struct ynode *map, const char *what,
		   const char *const *keys);
/* The value of key in map, or NULL. */
const struct ynode *cfg_get(const struct ynode *map, const char *key);
/* The key node itself, for positions. */
const struct ynode *cfg_key_node(const struct ynode *map, const char *key);
char *cfg_get_string(struct loader *L, const struct ynode *n, const char *what);
bool cfg_parse_long(const char *s, long *out);
bool cfg_get_long(struct loader *L, const struct ynode *n, const char *what,
		  long min, long max, long *out);
bool cfg_get_number(struct loader *L, const struct ynode *n, const char *what,
		    double min, double max, double *out);
bool cfg_get_bool(struct loader *L, const struct ynode *n, const char *what,
		  bool *out);
/* path relative to dir (unless absolute), in a new string. */
char *cfg_join_dir(const char *dir, const char *path);

/* ---- policy (config_policy.c) ---- */

/* Reads policy.approve: { deletions: "sha256:HEX", expires: DATE }. */
void cfg_load_approval(struct loader *L, const struct ynode *n,
		       struct approval *a);
/*
 * Warns about a loaded tenant (node tn) whose policy leaves it unguarded:
 * an approval that expired, count and percent guards switched off, and
 * allow_empty_keep (set at empty_at, NULL when not) outside mode: report.
 */
void cfg_policy_warnings(struct loader *L, const struct ynode *tn,
			 const struct tenant *t, const struct ynode *empty_at);

#endif
