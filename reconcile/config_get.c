/*
 * Typed values out of the configuration tree, and the reports about them:
 * every problem at its FILE:LINE:COL, misspelt keys with the closest known
 * one ("did you mean").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reconcile/config_tree.h"
#include "util/xalloc.h"

static void vreport(struct loader *L, enum diag_level level, int line, int col,
		    const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void vreport(struct loader *L, enum diag_level level, int line, int col,
		    const char *fmt, va_list ap)
{
	diag_vadd(L->d, level, L->file, line, col, fmt, ap);
}

void cfg_error_at(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(L, DIAG_ERROR, n ? n->line : 1, n ? n->col : 1, fmt, ap);
	va_end(ap);
}

void cfg_warn_at(struct loader *L, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(L, DIAG_WARNING, n ? n->line : 1, n ? n->col : 1, fmt, ap);
	va_end(ap);
}

/*
 * The reason in a "PATH: reason" message, lower case: strerror() texts
 * start with a capital, messages here do not.
 */
const char *cfg_reason_of(char *msg)
{
	char *r = strrchr(msg, ':');

	r = r && r[1] == ' ' ? r + 2 : msg;
	*r = (char)tolower((unsigned char)*r);
	return r;
}

/* ---- typed access ---- */

bool cfg_is_null(const struct ynode *n)
{
	return n->kind == Y_SCALAR && n->plain &&
	       (!*n->value || !strcmp(n->value, "~") ||
		!strcmp(n->value, "null") || !strcmp(n->value, "Null") ||
		!strcmp(n->value, "NULL"));
}

const char *cfg_kind_name(const struct ynode *n)
{
	const char *v = n->value;
	char *end;

	if (n->kind == Y_MAP)
		return "a mapping";
	if (n->kind == Y_SEQ)
		return "a list";
	if (!n->plain)
		return "a string";
	if (cfg_is_null(n))
		return "empty";
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE") ||
	    !strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
		return "a boolean";
	(void)strtod(v, &end);
	if (strchr("+-.0123456789", v[0]) && !*end)
		return "a number";
	return "a string";
}

static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int d[66][66]; /* tenant names have up to 64 characters */

	if (la >= 66 || lb >= 66)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The known word closest to word, when it is close enough to suggest. */
const char *cfg_suggest(const char *word, const char *const *known)
{
	const char *best = NULL;
	int bestd = 3;

	for (; *known; known++) {
		int d = distance(word, *known);
		int limit = strlen(*known) <= 4 ? 1 : 2;

		if (d <= limit && d < bestd) {
			best = *known;
			bestd = d;
		}
	}
	return best;
}

/*
 * Checks that map is a mapping whose keys are all known and unique.
 * Returns false (after reporting) when it is not a mapping.
 */
bool cfg_check_map(struct loader *L, const struct ynode *map, const char *what,
		   const char *const *known)
{
	size_t i, j;

	if (map->kind != Y_MAP) {
		cfg_error_at(L, map, "%s must be a mapping, not %s", what,
			     cfg_kind_name(map));
		return false;
	}
	for (i = 0; i < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		const char *hint;
		const char *const *kn;
		bool found = false;

		if (k->kind != Y_SCALAR) {
			cfg_error_at(L, k, "keys in %s must be strings", what);
			continue;
		}
		for (j = 0; j < i; j += 2) {
			const struct ynode *prev = map->items[j];

			if (prev->kind == Y_SCALAR &&
			    !strcmp(prev->value, k->value)) {
				cfg_error_at(
					L, k,
					"duplicate key '%s' (first at line "
					"%d)",
					k->value, prev->line);
				break;
			}
		}
		if (!known)
			continue;
		for (kn = known; *kn; kn++)
			if (!strcmp(*kn, k->value))
				found = true;
		if (found)
			continue;
		hint = cfg_suggest(k->value, known);
		if (hint)
			cfg_error_at(
				L, k,
				"unknown key '%s' in %s (did you mean '%s'?)",
				k->value, what, hint);
		else
			cfg_error_at(L, k, "unknown key '%s' in %s", k->value,
				     what);
	}
	return true;
}

/* The value of the first key named key, or NULL. */
const struct ynode *cfg_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->kind == Y_SCALAR &&
		    !strcmp(map->items[i]->value, key))
			return map->items[i + 1];
	return NULL;
}

/* The key node for key (for positions of "missing" errors), or map. */
const struct ynode *cfg_key_node(const struct ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->kind == Y_SCALAR &&
		    !strcmp(map->items[i]->value, key))
			return map->items[i];
	return map;
}

char *cfg_get_string(struct loader *L, const struct ynode *n, const char *what)
{
	if (n->kind != Y_SCALAR || cfg_is_null(n)) {
		cfg_error_at(L, n, "'%s' must be a string, not %s", what,
			     cfg_kind_name(n));
		return NULL;
	}
	return xstrdup(n->value);
}

bool cfg_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool cfg_get_long(struct loader *L, const struct ynode *n, const char *what,
		  long min, long max, long *out)
{
	long v;

	if (n->kind != Y_SCALAR || !n->plain || !cfg_parse_long(n->value, &v)) {
		if (n->kind == Y_SCALAR && n->plain && !cfg_is_null(n))
			cfg_error_at(L, n, "'%s' must be an integer, not '%s'",
				     what, n->value);
		else
			cfg_error_at(L, n, "'%s' must be an integer, not %s",
				     what, cfg_kind_name(n));
		return false;
	}
	if (v < min) {
		cfg_error_at(L, n, "'%s' must be at least %ld, not %ld", what,
			     min, v);
		return false;
	}
	if (v > max) {
		cfg_error_at(L, n, "'%s' must be at most %ld, not %ld", what,
			     max, v);
		return false;
	}
	*out = v;
	return true;
}

bool cfg_get_number(struct loader *L, const struct ynode *n, const char *what,
		    double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	if (n->kind != Y_SCALAR || !n->plain || cfg_is_null(n) ||
	    !(v = strtod(n->value, &end), !errno && !*end && v == v)) {
		if (n->kind == Y_SCALAR && n->plain && !cfg_is_null(n))
			cfg_error_at(L, n, "'%s' must be a number, not '%s'",
				     what, n->value);
		else
			cfg_error_at(L, n, "'%s' must be a number, not %s",
				     what, cfg_kind_name(n));
		return false;
	}
	if (v < min || v > max) {
		cfg_error_at(L, n, "'%s' must be between %g and %g, not %s",
			     what, min, max, n->value);
		return false;
	}
	*out = v;
	return true;
}

bool cfg_get_bool(struct loader *L, const struct ynode *n, const char *what,
		  bool *out)
{
	if (n->kind == Y_SCALAR && n->plain) {
		if (!strcmp(n->value, "true") || !strcmp(n->value, "True") ||
		    !strcmp(n->value, "TRUE")) {
			*out = true;
			return true;
		}
		if (!strcmp(n->value, "false") || !strcmp(n->value, "False") ||
		    !strcmp(n->value, "FALSE")) {
			*out = false;
			return true;
		}
	}
	if (n->kind == Y_SCALAR && n->plain && !cfg_is_null(n))
		cfg_error_at(L, n, "'%s' must be true or false, not '%s'", what,
			     n->value);
	else
		cfg_error_at(L, n, "'%s' must be true or false, not %s", what,
			     cfg_kind_name(n));
	return false;
}

/* ---- paths ---- */

char *cfg_join_dir(const char *dir, const char *path)
{
	char cwd[4096];

	if (path[0] == '/')
		return xstrdup(path);
	if (dir && dir[0] == '/')
		return xasprintf("%s/%s", dir, path);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	if (dir && *dir && strcmp(dir, "."))
		return xasprintf("%s/%s/%s", cwd, dir, path);
	return xasprintf("%s/%s", cwd, path);
}
