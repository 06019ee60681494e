/*
 * The desired-state loader. libyaml events are turned into a small tree of
 * nodes that remember their position; the tree is then walked once, every
 * problem going into the diagnostics list so that a user sees all of them
 * in one run.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "reconcile/config.h"
#include "reconcile/secret.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/xalloc.h"

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
};

static void error_at(struct loader *L, const struct ynode *n, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static void warn_at(struct loader *L, const struct ynode *n, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void vreport(struct loader *L, enum diag_level level, int line, int col,
		    const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void vreport(struct loader *L, enum diag_level level, int line, int col,
		    const char *fmt, va_list ap)
{
	diag_vadd(L->d, level, L->file, line, col, fmt, ap);
}

static void error_at(struct loader *L, const struct ynode *n, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(L, DIAG_ERROR, n ? n->line : 1, n ? n->col : 1, fmt, ap);
	va_end(ap);
}

static void warn_at(struct loader *L, const struct ynode *n, const char *fmt,
		    ...)
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
static const char *reason_of(char *msg)
{
	char *r = strrchr(msg, ':');

	r = r && r[1] == ' ' ? r + 2 : msg;
	*r = (char)tolower((unsigned char)*r);
	return r;
}

/* ---- YAML events to a tree ---- */

static void ynode_free(struct ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static struct ynode *ynode_new(enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void ynode_push(struct ynode *parent, struct ynode *child)
{
	parent->items = xgrow(parent->items, &parent->cap, parent->n + 1,
			      sizeof(*parent->items));
	parent->items[parent->n++] = child;
}

static const char *event_problem(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return "YAML aliases are not allowed";
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.scalar.tag)
			return "YAML tags are not allowed";
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (ev->data.sequence_start.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.sequence_start.tag)
			return "YAML tags are not allowed";
		break;
	case YAML_MAPPING_START_EVENT:
		if (ev->data.mapping_start.anchor)
			return "YAML anchors are not allowed";
		if (ev->data.mapping_start.tag)
			return "YAML tags are not allowed";
		break;
	default:
		break;
	}
	return NULL;
}

/*
 * Builds the tree of the single document in data. Returns NULL (with
 * errors reported) when the YAML cannot be parsed; anchors, aliases and
 * tags are reported but parsing goes on so that later problems show too.
 */
static struct ynode *parse_yaml(struct loader *L, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[64], *root = NULL, *n;
	int depth = 0, docs = 0;
	bool done = false, failed = false;
	const char *problem;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			struct ynode at = {
				.line = (int)parser.problem_mark.line + 1,
				.col = (int)parser.problem_mark.column + 1
			};

			if (parser.context && parser.context_mark.line !=
						      parser.problem_mark.line)
				error_at(L, &at,
					 "YAML syntax error: %s %s (which "
					 "started at line %d)",
					 parser.problem ? parser.problem : "?",
					 parser.context,
					 (int)parser.context_mark.line + 1);
			else if (parser.context)
				error_at(L, &at, "YAML syntax error: %s %s",
					 parser.problem ? parser.problem : "?",
					 parser.context);
			else
				error_at(L, &at, "YAML syntax error: %s",
					 parser.problem ? parser.problem : "?");
			failed = true;
			break;
		}
		n = NULL;
		problem = event_problem(&ev);
		if (problem) {
			struct ynode at = { .line = (int)ev.start_mark.line + 1,
					    .col = (int)ev.start_mark.column +
						   1 };
			error_at(L, &at, "%s", problem);
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				struct ynode at = {
					.line = (int)ev.start_mark.line + 1,
					.col = (int)ev.start_mark.column + 1
				};
				error_at(L, &at,
					 "more than one YAML document in the "
					 "file");
				failed = true;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			/* stands in for the alias so the walk goes on */
			n = ynode_new(Y_SCALAR, &ev.start_mark);
			n->value = xstrdup("");
			n->plain = true;
			break;
		case YAML_SCALAR_EVENT:
			n = ynode_new(Y_SCALAR, &ev.start_mark);
			n->value = xstrndup((const char *)ev.data.scalar.value,
					    ev.data.scalar.length);
			n->plain =
				ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (strlen(n->value) != ev.data.scalar.length)
				error_at(L, n, "NUL character in a value");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			n = ynode_new(ev.type == YAML_MAPPING_START_EVENT
					      ? Y_MAP
					      : Y_SEQ,
				      &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (n) {
			if (depth > 0)
				ynode_push(stack[depth - 1], n);
			else if (!root)
				root = n;
			else
				ynode_free(n);
			if (n->kind != Y_SCALAR) {
				if (depth >=
				    (int)(sizeof(stack) / sizeof(stack[0]))) {
					error_at(L, n, "nesting too deep");
					failed = true;
					done = true;
				} else {
					stack[depth++] = n;
				}
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (failed) {
		ynode_free(root);
		return NULL;
	}
	return root;
}

/* ---- typed access ---- */

static bool is_null(const struct ynode *n)
{
	return n->kind == Y_SCALAR && n->plain &&
	       (!*n->value || !strcmp(n->value, "~") ||
		!strcmp(n->value, "null") || !strcmp(n->value, "Null") ||
		!strcmp(n->value, "NULL"));
}

static const char *kind_name(const struct ynode *n)
{
	const char *v = n->value;
	char *end;

	if (n->kind == Y_MAP)
		return "a mapping";
	if (n->kind == Y_SEQ)
		return "a list";
	if (!n->plain)
		return "a string";
	if (is_null(n))
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
	int d[32][32];

	if (la >= 32 || lb >= 32)
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
static const char *suggest(const char *word, const char *const *known)
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
static bool check_map(struct loader *L, const struct ynode *map,
		      const char *what, const char *const *known)
{
	size_t i, j;

	if (map->kind != Y_MAP) {
		error_at(L, map, "%s must be a mapping, not %s", what,
			 kind_name(map));
		return false;
	}
	for (i = 0; i < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		const char *hint;
		const char *const *kn;
		bool found = false;

		if (k->kind != Y_SCALAR) {
			error_at(L, k, "keys in %s must be strings", what);
			continue;
		}
		for (j = 0; j < i; j += 2) {
			const struct ynode *prev = map->items[j];

			if (prev->kind == Y_SCALAR &&
			    !strcmp(prev->value, k->value)) {
				error_at(L, k,
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
		hint = suggest(k->value, known);
		if (hint)
			error_at(L, k,
				 "unknown key '%s' in %s (did you mean '%s'?)",
				 k->value, what, hint);
		else
			error_at(L, k, "unknown key '%s' in %s", k->value,
				 what);
	}
	return true;
}

/* The value of the first key named key, or NULL. */
static const struct ynode *get(const struct ynode *map, const char *key)
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
static const struct ynode *key_node(const struct ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->kind == Y_SCALAR &&
		    !strcmp(map->items[i]->value, key))
			return map->items[i];
	return map;
}

static char *get_string(struct loader *L, const struct ynode *n,
			const char *what)
{
	if (n->kind != Y_SCALAR || is_null(n)) {
		error_at(L, n, "'%s' must be a string, not %s", what,
			 kind_name(n));
		return NULL;
	}
	return xstrdup(n->value);
}

static bool parse_long(const char *s, long *out)
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

static bool get_long(struct loader *L, const struct ynode *n, const char *what,
		     long min, long max, long *out)
{
	long v;

	if (n->kind != Y_SCALAR || !n->plain || !parse_long(n->value, &v)) {
		if (n->kind == Y_SCALAR && n->plain && !is_null(n))
			error_at(L, n, "'%s' must be an integer, not '%s'",
				 what, n->value);
		else
			error_at(L, n, "'%s' must be an integer, not %s", what,
				 kind_name(n));
		return false;
	}
	if (v < min) {
		error_at(L, n, "'%s' must be at least %ld, not %ld", what, min,
			 v);
		return false;
	}
	if (v > max) {
		error_at(L, n, "'%s' must be at most %ld, not %ld", what, max,
			 v);
		return false;
	}
	*out = v;
	return true;
}

static bool get_number(struct loader *L, const struct ynode *n,
		       const char *what, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	if (n->kind != Y_SCALAR || !n->plain || is_null(n) ||
	    !(v = strtod(n->value, &end), !errno && !*end && v == v)) {
		if (n->kind == Y_SCALAR && n->plain && !is_null(n))
			error_at(L, n, "'%s' must be a number, not '%s'", what,
				 n->value);
		else
			error_at(L, n, "'%s' must be a number, not %s", what,
				 kind_name(n));
		return false;
	}
	if (v < min || v > max) {
		error_at(L, n, "'%s' must be between %g and %g, not %s", what,
			 min, max, n->value);
		return false;
	}
	*out = v;
	return true;
}

static bool get_bool(struct loader *L, const struct ynode *n, const char *what,
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
	if (n->kind == Y_SCALAR && n->plain && !is_null(n))
		error_at(L, n, "'%s' must be true or false, not '%s'", what,
			 n->value);
	else
		error_at(L, n, "'%s' must be true or false, not %s", what,
			 kind_name(n));
	return false;
}

/* ---- paths ---- */

static char *join_dir(const char *dir, const char *path)
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

/* ---- secrets, url ---- */

/* Reports a failed ${file:} check with the path as the file wrote it. */
static void secret_file_error(struct loader *L, const struct ynode *n,
			      const char *key, char *msg, const char *abs,
			      const char *written)
{
	char *tail = strstr(msg, abs);

	if (!tail) {
		error_at(L, n, "'%s': %s", key, msg);
		return;
	}
	tail += strlen(abs);
	if (*tail == '\'')
		tail++;
	if (*tail == ':')
		error_at(L, n, "'%s': secret file '%s': %s", key, written,
			 reason_of(tail));
	else
		error_at(L, n, "'%s': secret file '%s'%s", key, written, tail);
}

static void load_secret(struct loader *L, const struct ynode *map,
			const char *key, struct secret *s, bool is_secret)
{
	const struct ynode *n = get(map, key);
	char *written = NULL, *abs = NULL;
	struct err e;

	if (!n)
		return;
	s->raw = get_string(L, n, key);
	if (!s->raw)
		return;
	s->line = n->line;
	s->col = n->col;
	switch (secret_kind(s->raw)) {
	case SECRET_BAD:
		/* a literal secret may hold "${": never echo a secret */
		if (is_secret)
			error_at(L, n,
				 "'%s': malformed reference (use ${env:NAME} "
				 "or ${file:PATH})",
				 key);
		else
			error_at(L, n,
				 "'%s': malformed reference '%s' (use "
				 "${env:NAME} or ${file:PATH})",
				 key, s->raw);
		return;
	case SECRET_LITERAL:
		if (is_secret && *s->raw)
			warn_at(L, n,
				"'%s' is a literal secret: use ${env:NAME} or "
				"${file:PATH} (plans cannot store it)",
				key);
		if (!*s->raw)
			error_at(L, n, "'%s' must not be empty", key);
		else if (secret_check(s->raw, &e) < 0)
			error_at(L, n, "'%s': %s", key, e.msg);
		return;
	case SECRET_FILE:
		written = xstrdup(secret_target(s->raw));
		abs = join_dir(L->dir, written);
		/* the plan records the reference, so make it absolute */
		free(s->raw);
		s->raw = xasprintf("${file:%s}", abs);
		break;
	case SECRET_ENV:
		break;
	}
	if ((L->flags & CONFIG_CHECK_SECRETS) && secret_check(s->raw, &e) < 0) {
		if (abs)
			secret_file_error(L, n, key, e.msg, abs, written);
		else
			error_at(L, n, "'%s': %s", key, e.msg);
	}
	free(written);
	free(abs);
}

int config_check_url(const char *what, char *url, struct err *e)
{
	const char *host, *end;
	size_t len;
	bool https = !strncasecmp(url, "https://", 8);

	if (!https && strncasecmp(url, "http://", 7))
		return err_set(e, "%s '%s' must start with https://", what,
			       url);
	host = url + (https ? 8 : 7);
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return err_set(e,
			       "%s must not contain credentials: put them "
			       "under 'auth'",
			       what);
	if (strpbrk(url, " \t\"<>\\^`{|}") || strchr(url, '#') ||
	    strchr(url, '?'))
		return err_set(e,
			       "%s '%s' must be a plain base url (no spaces, "
			       "query or fragment)",
			       what, url);
	len = (size_t)(end - host);
	if (host[0] == '[') {
		const char *rb = memchr(host, ']', len);

		len = rb ? (size_t)(rb - host) + 1 : len;
	} else {
		const char *colon = memchr(host, ':', len);

		if (colon)
			len = (size_t)(colon - host);
	}
	if (len == 0)
		return err_set(e, "%s '%s' has no host", what, url);
	if (!https && !url_host_is_loopback(host, len))
		return err_set(e,
			       "%s '%s' must use https (plain http is allowed "
			       "only to loopback addresses)",
			       what, url);
	len = strlen(url);
	while (len > 8 && url[len - 1] == '/')
		url[--len] = '\0';
	return 0;
}

/*
 * The vendor's url for a tenant that gives none (atlassian-org's
 * api.atlassian.com), held to the allowed origins like a written one.
 */
static char *default_url(struct loader *L, const struct ynode *tn,
			 const struct vendor *v)
{
	struct err e;

	if (!v || !v->default_url) {
		error_at(L, tn, "tenant needs a 'url'");
		return NULL;
	}
	if (url_allowed(v->default_url, getenv("USERPRUNE_ALLOWED_ORIGINS"),
			&e) < 0) {
		error_at(L, tn, "the default url of vendor '%s': %s", v->name,
			 e.msg);
		return NULL;
	}
	return xstrdup(v->default_url);
}

/* Checks the url; returns a normalised copy (no trailing slash). */
static char *check_url(struct loader *L, const struct ynode *n)
{
	char *url = get_string(L, n, "url");
	struct err e;

	if (url &&
	    (config_check_url("url", url, &e) < 0 ||
	     url_allowed(url, getenv("USERPRUNE_ALLOWED_ORIGINS"), &e) < 0)) {
		error_at(L, n, "%s", e.msg);
		free(url);
		return NULL;
	}
	return url;
}

/* ---- matchers ---- */

static const char *const matcher_keys[] = { "id",   "email", "username",
					    "name", "type",  "status",
					    NULL };
static const char *const file_matcher_keys[] = { "file", "field", "column",
						 NULL };

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

static void load_value_file(struct loader *L, const struct ynode *n,
			    struct matcher *m, const char *list)
{
	char *data = NULL;
	size_t len = 0;
	struct err e;
	bool csv = m->column || ends_with_ci(m->path, ".csv");
	int rc;

	rc = L->rd->read(L->rd->ctx, m->path, CONFIG_MAX_SIZE, &data, &len, &e);
	if (rc < 0) {
		m->problem =
			xasprintf("%s file '%s': %s", list, m->path, e.msg);
		goto out;
	}
	if (utf8_check((const unsigned char *)data, len) != len) {
		error_at(L, n, "%s file '%s' is not valid UTF-8", list,
			 m->path);
		goto out;
	}
	if (valuefile_parse(m->path, data, len, csv, m->column, &L->c->arena,
			    &m->values, &m->nvalues, &e) < 0) {
		error_at(L, n, "%s file: %s", list, e.msg);
		goto out;
	}
	if (m->nvalues == 0)
		m->problem = xasprintf("%s file '%s' is empty", list, m->path);
out:
	if (m->problem && (L->flags & CONFIG_STRICT_FILES))
		error_at(L, n, "%s", m->problem);
	free(data);
}

static bool load_file_matcher(struct loader *L, const struct ynode *n,
			      struct matcher *m, const char *list)
{
	const struct ynode *v;
	char *field = NULL;
	bool ok = true;

	check_map(L, n, "a file entry", file_matcher_keys);
	m->kind = MATCHER_FILE;
	m->path = get_string(L, get(n, "file"), "file");
	if (!m->path)
		return false;
	if (!*m->path) {
		error_at(L, get(n, "file"), "'file' must not be empty");
		return false;
	}
	if ((v = get(n, "column")))
		ok &= (m->column = get_string(L, v, "column")) != NULL;
	m->file_field = FILE_ANY;
	if ((v = get(n, "field")) && (field = get_string(L, v, "field"))) {
		if (!strcmp(field, "id"))
			m->file_field = FILE_ID;
		else if (!strcmp(field, "email"))
			m->file_field = FILE_EMAIL;
		else if (!strcmp(field, "username"))
			m->file_field = FILE_USERNAME;
		else if (strcmp(field, "any")) {
			error_at(L, v,
				 "'field' must be one of any, id, email, "
				 "username, not '%s'",
				 field);
			ok = false;
		}
	} else if (v) {
		ok = false;
	}
	free(field);
	if (ok)
		load_value_file(L, n, m, list);
	return ok;
}

static bool load_matcher(struct loader *L, const struct ynode *n,
			 struct matcher *m, const char *list)
{
	enum user_type t;
	enum user_status st;
	size_t i;
	int f, nfields = 0;

	m->line = n->line;
	m->col = n->col;
	if (n->kind == Y_SEQ) {
		error_at(L, n,
			 "entries of '%s' must be strings or mappings, not a "
			 "list",
			 list);
		return false;
	}
	if (n->kind == Y_SCALAR) {
		m->kind = MATCHER_VALUE;
		if (is_null(n) || !*n->value) {
			error_at(L, n, "empty entry in '%s'", list);
			return false;
		}
		m->value = xstrdup(n->value);
		return true;
	}
	if (get(n, "file"))
		return load_file_matcher(L, n, m, list);
	m->kind = MATCHER_FIELDS;
	if (!check_map(L, n, "a matcher", matcher_keys))
		return false;
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];

		for (f = 0; f < MATCH_NFIELDS; f++)
			if (k->kind == Y_SCALAR &&
			    !strcmp(k->value, match_field_name(f)))
				break;
		if (f == MATCH_NFIELDS || m->field[f])
			continue;
		m->field[f] = get_string(L, v, k->value);
		if (!m->field[f])
			return false;
		if (!*m->field[f]) {
			error_at(L, v, "'%s' must not be empty", k->value);
			return false;
		}
		nfields++;
		if (f == MATCH_TYPE && !is_glob(m->field[f]) &&
		    user_type_parse(m->field[f], &t) < 0) {
			error_at(L, v,
				 "'type' must be one of human, app, robot, "
				 "customer, unknown, not '%s'",
				 m->field[f]);
			return false;
		}
		if (f == MATCH_STATUS && !is_glob(m->field[f]) &&
		    user_status_parse(m->field[f], &st) < 0) {
			error_at(L, v,
				 "'status' must be one of active, inactive, "
				 "pending_deletion, not '%s'",
				 m->field[f]);
			return false;
		}
	}
	if (!nfields) {
		/* keys that are all unknown were reported by check_map */
		if (n->n)
			return false;
		error_at(L, n,
			 "a matcher in '%s' needs at least one of id, email, "
			 "username, name, type, status or file",
			 list);
		return false;
	}
	return true;
}

static void load_matchers(struct loader *L, const struct ynode *n,
			  const char *list, struct matcher_list *out)
{
	size_t i;

	if (!n || is_null(n))
		return;
	if (n->kind != Y_SEQ) {
		error_at(L, n, "'%s' must be a list, not %s", list,
			 kind_name(n));
		return;
	}
	out->v = xcalloc(n->n ? n->n : 1, sizeof(*out->v));
	for (i = 0; i < n->n; i++) {
		struct matcher *m = &out->v[out->n];

		if (load_matcher(L, n->items[i], m, list))
			out->n++;
		else
			matcher_release(m);
	}
}

static void append_matchers(struct matcher_list *dst,
			    const struct matcher_list *src)
{
	size_t i;

	if (!src->n)
		return;
	dst->v = xrealloc(dst->v, (dst->n + src->n) * sizeof(*dst->v));
	/* defaults come first; copies own their strings */
	memmove(dst->v + src->n, dst->v, dst->n * sizeof(*dst->v));
	for (i = 0; i < src->n; i++) {
		const struct matcher *s = &src->v[i];
		struct matcher *d = &dst->v[i];
		int f;

		*d = *s;
		d->value = xstrdup_or_null(s->value);
		for (f = 0; f < MATCH_NFIELDS; f++)
			d->field[f] = xstrdup_or_null(s->field[f]);
		d->path = xstrdup_or_null(s->path);
		d->column = xstrdup_or_null(s->column);
		d->problem = xstrdup_or_null(s->problem);
		if (s->nvalues) {
			d->values = xmalloc(s->nvalues * sizeof(*d->values));
			memcpy(d->values, s->values,
			       s->nvalues * sizeof(*d->values));
		}
	}
	dst->n += src->n;
}

static void release_matchers(struct matcher_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		matcher_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- policy, limits, tls ---- */

static const char *const policy_keys[] = {
	"max_deletions", "max_delete_percent",
	"canary",	 "allow_empty_keep",
	"verify",	 NULL
};
static const char *const limits_keys[] = {
	"concurrency", "requests_per_second", "daily_request_budget",
	"batch_size",  "timeout_seconds",     "max_attempts",
	NULL
};

/* Which policy fields a mapping set, so tenant values override defaults. */
struct policy_set {
	struct policy p;
	bool max_deletions, max_delete_percent, canary, allow_empty_keep,
		verify;
};

struct limits_set {
	struct limits l;
	bool concurrency, requests_per_second, daily_request_budget, batch_size,
		timeout_seconds, max_attempts;
};

static void load_policy(struct loader *L, const struct ynode *n,
			struct policy_set *ps)
{
	const struct ynode *v;
	long x;

	if (!n || !check_map(L, n, "policy", policy_keys))
		return;
	if ((v = get(n, "max_deletions")) &&
	    get_long(L, v, "max_deletions", 0, 100000000, &x)) {
		ps->p.max_deletions = x;
		ps->max_deletions = true;
	}
	if ((v = get(n, "max_delete_percent")) &&
	    get_long(L, v, "max_delete_percent", 0, 100, &x)) {
		ps->p.max_delete_percent = (int)x;
		ps->max_delete_percent = true;
	}
	if ((v = get(n, "canary")) && get_long(L, v, "canary", 0, 1000, &x)) {
		ps->p.canary = (int)x;
		ps->canary = true;
	}
	if ((v = get(n, "allow_empty_keep")) &&
	    get_bool(L, v, "allow_empty_keep", &ps->p.allow_empty_keep))
		ps->allow_empty_keep = true;
	if ((v = get(n, "verify")) && get_bool(L, v, "verify", &ps->p.verify))
		ps->verify = true;
}

static void load_limits(struct loader *L, const struct ynode *n,
			struct limits_set *ls)
{
	const struct ynode *v;
	long x;

	if (!n || !check_map(L, n, "limits", limits_keys))
		return;
	if ((v = get(n, "concurrency")) &&
	    get_long(L, v, "concurrency", 1, 256, &x)) {
		ls->l.concurrency = (int)x;
		ls->concurrency = true;
	}
	if ((v = get(n, "requests_per_second")) &&
	    get_number(L, v, "requests_per_second", 0, 100000,
		       &ls->l.requests_per_second))
		ls->requests_per_second = true;
	if ((v = get(n, "daily_request_budget")) &&
	    get_long(L, v, "daily_request_budget", 1, 1000000000, &x)) {
		ls->l.daily_request_budget = x;
		ls->daily_request_budget = true;
	}
	if ((v = get(n, "batch_size")) &&
	    get_long(L, v, "batch_size", 1, 1000, &x)) {
		ls->l.batch_size = (int)x;
		ls->batch_size = true;
	}
	if ((v = get(n, "timeout_seconds")) &&
	    get_long(L, v, "timeout_seconds", 1, 3600, &x)) {
		ls->l.timeout_seconds = (int)x;
		ls->timeout_seconds = true;
	}
	if ((v = get(n, "max_attempts")) &&
	    get_long(L, v, "max_attempts", 1, 100, &x)) {
		ls->l.max_attempts = (int)x;
		ls->max_attempts = true;
	}
}

static char *load_tls(struct loader *L, const struct ynode *n)
{
	static const char *const keys[] = { "ca_file", NULL };
	const struct ynode *v;
	char *path, *abs;

	if (!n || !check_map(L, n, "tls", keys) || !(v = get(n, "ca_file")))
		return NULL;
	path = get_string(L, v, "ca_file");
	if (!path)
		return NULL;
	abs = join_dir(L->dir, path);
	if (access(abs, R_OK) < 0) {
		char reason[256];

		snprintf(reason, sizeof(reason), ": %s", strerror(errno));
		error_at(L, v, "ca_file '%s': %s", path, reason_of(reason));
	}
	free(path);
	return abs;
}

static bool load_mode(struct loader *L, const struct ynode *n,
		      enum tenant_mode *mode)
{
	char *s = get_string(L, n, "mode");
	bool ok = true;

	if (!s)
		return false;
	if (!strcmp(s, "delete"))
		*mode = MODE_DELETE;
	else if (!strcmp(s, "report"))
		*mode = MODE_REPORT;
	else {
		error_at(L, n, "'mode' must be delete or report, not '%s'", s);
		ok = false;
	}
	free(s);
	return ok;
}

/* ---- auth ---- */

static void load_auth(struct loader *L, const struct ynode *n, struct tenant *t)
{
	static const char *const keys[] = { "type",	 "username",
					    "password",	 "token",
					    "client_id", "client_secret",
					    "token_url", "scope",
					    "api_key",	 NULL };
	/* fields each type takes; the first ones listed are required */
	static const struct {
		const char *type;
		const char *fields[5];
		int required;
	} types[AUTH_NTYPES] = {
		[AUTH_BASIC] = { "basic", { "username", "password" }, 2 },
		[AUTH_BEARER] = { "bearer", { "token" }, 1 },
		[AUTH_TOKEN] = { "token", { "token" }, 1 },
		[AUTH_OAUTH2] = { "oauth2",
				  { "client_id", "client_secret", "token_url",
				    "scope" },
				  2 },
		[AUTH_CONTROL_ROOM] = { "control-room",
					{ "username", "password", "api_key" },
					1 },
	};
	struct auth *a = &t->auth;
	const struct ynode *tn;
	char *type = NULL;
	size_t i;
	int j, k;

	if (!check_map(L, n, "auth", keys))
		return;
	tn = get(n, "type");
	if (!tn) {
		error_at(L, n,
			 "auth needs a 'type' (basic, bearer, token, "
			 "oauth2, control-room)");
		return;
	}
	if (!(type = get_string(L, tn, "type")))
		return;
	if (auth_type_parse(type, &a->type) < 0) {
		error_at(L, tn,
			 "unknown auth type '%s' (one of basic, bearer, token, "
			 "oauth2, control-room)",
			 type);
		goto out;
	}
	if (t->vendor && !(t->vendor->auth_types & AUTH_BIT(a->type))) {
		struct strbuf ok = STRBUF_INIT;

		for (j = 0; j < AUTH_NTYPES; j++)
			if (t->vendor->auth_types & AUTH_BIT(j))
				strbuf_addf(&ok, "%s%s", ok.len ? ", " : "",
					    auth_type_name(j));
		error_at(L, tn,
			 "auth type '%s' is not supported by vendor '%s' "
			 "(use %s)",
			 type, t->vendor->name, ok.buf);
		strbuf_release(&ok);
		goto out;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const char *key = n->items[i]->value;
		bool used, known = false;

		/* check_map reported keys that are not strings or unknown */
		if (n->items[i]->kind != Y_SCALAR)
			continue;
		for (k = 0; keys[k]; k++)
			if (!strcmp(key, keys[k]))
				known = true;
		used = !strcmp(key, "type");
		for (k = 0; k < 5 && types[a->type].fields[k]; k++)
			if (!strcmp(key, types[a->type].fields[k]))
				used = true;
		if (known && !used)
			error_at(L, n->items[i],
				 "'%s' is not used by auth type '%s'", key,
				 type);
	}
	for (k = 0; k < types[a->type].required; k++)
		if (!get(n, types[a->type].fields[k]))
			error_at(L, tn, "auth type '%s' needs '%s'", type,
				 types[a->type].fields[k]);
	if (a->type == AUTH_CONTROL_ROOM && !get(n, "password") &&
	    !get(n, "api_key"))
		error_at(L, tn,
			 "auth type 'control-room' needs 'password' or "
			 "'api_key'");
	if (a->type == AUTH_CONTROL_ROOM && get(n, "password") &&
	    get(n, "api_key"))
		error_at(L, key_node(n, "api_key"),
			 "auth type 'control-room' takes 'password' or "
			 "'api_key', not both");
	load_secret(L, n, "username", &a->username, false);
	load_secret(L, n, "password", &a->password, true);
	load_secret(L, n, "token", &a->token, true);
	load_secret(L, n, "client_id", &a->client_id, false);
	load_secret(L, n, "client_secret", &a->client_secret, true);
	load_secret(L, n, "token_url", &a->token_url, false);
	if (a->token_url.raw &&
	    secret_kind(a->token_url.raw) == SECRET_LITERAL) {
		struct err e;

		/* the client secret goes there: the url rules apply */
		if (config_check_url("token_url", a->token_url.raw, &e) < 0 ||
		    url_allowed(a->token_url.raw,
				getenv("USERPRUNE_ALLOWED_ORIGINS"), &e) < 0)
			error_at(L, get(n, "token_url"), "%s", e.msg);
	}
	load_secret(L, n, "scope", &a->scope, false);
	load_secret(L, n, "api_key", &a->api_key, true);
out:
	free(type);
}

/* ---- options ---- */

/* Whether value is one of the choices "a|b|c". */
static bool is_choice(const char *choices, const char *value)
{
	size_t len = strlen(value);
	const char *p = choices, *bar;

	for (;; p = bar + 1) {
		bar = strchr(p, '|');
		if (!bar)
			bar = p + strlen(p);
		if (len && (size_t)(bar - p) == len && !memcmp(p, value, len))
			return true;
		if (!*bar)
			return false;
	}
}

static void load_options(struct loader *L, const struct ynode *tn,
			 struct tenant *t)
{
	const struct ynode *n = get(tn, "options");
	const struct vendor *v = t->vendor;
	const struct vendor_option *o;
	const char *known[32];
	size_t i, nk = 0;

	if (!v)
		return;
	for (o = v->options; o && o->key && nk < 31; o++)
		known[nk++] = o->key;
	known[nk] = NULL;
	if (n && !is_null(n)) {
		char what[64];

		snprintf(what, sizeof(what), "%s options", v->name);
		if (!check_map(L, n, what, known))
			return;
		t->options = xcalloc(n->n / 2 + 1, sizeof(*t->options));
		for (i = 0; i + 1 < n->n; i += 2) {
			const struct ynode *k = n->items[i],
					   *val = n->items[i + 1];
			struct tenant_option *to;
			long x;
			bool b;

			if (k->kind != Y_SCALAR)
				continue;
			o = vendor_option_find(v, k->value);
			if (!o)
				continue;
			switch (o->kind) {
			case OPTION_BOOL:
				if (!get_bool(L, val, o->key, &b))
					continue;
				break;
			case OPTION_INT:
				if (!get_long(L, val, o->key, 0, 1000000, &x))
					continue;
				break;
			case OPTION_STRING:
			case OPTION_ENUM:
				if (val->kind != Y_SCALAR || is_null(val)) {
					error_at(
						L, val,
						"'%s' must be a string, not %s",
						o->key, kind_name(val));
					continue;
				}
				break;
			}
			if (o->kind == OPTION_ENUM &&
			    !is_choice(o->choices, val->value)) {
				struct strbuf sb = STRBUF_INIT;
				const char *c;

				for (c = o->choices; *c; c++)
					if (*c == '|')
						strbuf_addstr(&sb, ", ");
					else
						strbuf_addch(&sb, *c);
				error_at(L, val,
					 "'%s' must be one of %s, not '%s'",
					 o->key, sb.buf, val->value);
				strbuf_release(&sb);
				continue;
			}
			to = &t->options[t->noptions++];
			to->key = xstrdup(k->value);
			to->value = xstrdup(val->value);
			to->line = val->line;
			to->col = val->col;
		}
	}
	/* without options, point at the vendor that needs them */
	for (o = v->options; o && o->key; o++)
		if (o->required && !tenant_option(t, o->key))
			error_at(L, n ? n : get(tn, "vendor"),
				 "vendor '%s' needs option '%s'", v->name,
				 o->key);
}

/* ---- tenants ---- */

struct defaults {
	struct policy_set policy;
	struct limits_set limits;
	bool has_mode;
	enum tenant_mode mode;
	struct matcher_list protect;
	char *ca_file;
};

static const char *const tenant_keys[] = {
	"name", "vendor",  "url",    "auth",   "options", "mode", "scope",
	"keep", "protect", "policy", "limits", "tls",	  NULL
};

/* "atlassian, uipath, ..." */
static void vendor_choices(struct strbuf *sb)
{
	size_t i;

	for (i = 0; vendor_list[i]; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", vendor_list[i]->name);
}

static bool valid_tenant_name(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			return false;
	return p - s <= 64;
}

static void merge_limits(struct limits *out, const struct limits_set *t,
			 const struct limits_set *d, const struct limits *v)
{
#define PICK(f) out->f = t->f ? t->l.f : d->f ? d->l.f : v->f
	PICK(concurrency);
	PICK(requests_per_second);
	PICK(daily_request_budget);
	PICK(batch_size);
	PICK(timeout_seconds);
	PICK(max_attempts);
#undef PICK
}

static void merge_policy(struct policy *out, const struct policy_set *t,
			 const struct policy_set *d)
{
	static const struct policy builtin = { .max_deletions = 100,
					       .max_delete_percent = 50,
					       .canary = 1,
					       .verify = true };

#define PICK(f) out->f = t->f ? t->p.f : d->f ? d->p.f : builtin.f
	PICK(max_deletions);
	PICK(max_delete_percent);
	PICK(canary);
	PICK(allow_empty_keep);
	PICK(verify);
#undef PICK
}

static void load_tenant(struct loader *L, const struct ynode *n,
			const struct defaults *def, struct tenant *t)
{
	static const char *const scope_keys[] = { "include", "exclude", NULL };
	const struct ynode *v;
	struct policy_set ps = { 0 };
	struct limits_set ls = { 0 };
	struct strbuf vendors = STRBUF_INIT;
	char *vendor;

	t->line = n->line;
	t->col = n->col;
	if (!check_map(L, n, "tenant", tenant_keys))
		return;
	if (!(v = get(n, "name")))
		error_at(L, n, "tenant needs a 'name'");
	else if ((t->name = get_string(L, v, "name")) &&
		 !valid_tenant_name(t->name))
		error_at(L, v,
			 "tenant name '%s' must match [a-z0-9][a-z0-9._-]* "
			 "(at most 64 characters)",
			 t->name);
	vendor_choices(&vendors);
	if (!(v = get(n, "vendor"))) {
		error_at(L, n, "tenant needs a 'vendor' (one of %s)",
			 vendors.buf);
	} else if ((vendor = get_string(L, v, "vendor"))) {
		t->vendor = vendor_find(vendor);
		if (!t->vendor) {
			const char *names[16];
			const char *hint;
			size_t i;

			for (i = 0; vendor_list[i] && i < 15; i++)
				names[i] = vendor_list[i]->name;
			names[i] = NULL;
			hint = suggest(vendor, names);
			if (hint)
				error_at(L, v,
					 "unknown vendor '%s' (did you mean "
					 "'%s'?)",
					 vendor, hint);
			else
				error_at(L, v,
					 "unknown vendor '%s' (one of %s)",
					 vendor, vendors.buf);
		}
		free(vendor);
	}
	strbuf_release(&vendors);
	if (!(v = get(n, "url")))
		t->url = default_url(L, n, t->vendor);
	else
		t->url = check_url(L, v);
	if (!(v = get(n, "auth")))
		error_at(L, n, "tenant needs 'auth'");
	else
		load_auth(L, v, t);
	load_options(L, n, t);
	t->mode = def->has_mode ? def->mode : MODE_DELETE;
	if ((v = get(n, "mode")))
		load_mode(L, v, &t->mode);
	if ((v = get(n, "scope")) && !is_null(v) &&
	    check_map(L, v, "scope", scope_keys)) {
		load_matchers(L, get(v, "include"), "include", &t->include);
		load_matchers(L, get(v, "exclude"), "exclude", &t->exclude);
	}
	load_matchers(L, get(n, "keep"), "keep", &t->keep);
	load_matchers(L, get(n, "protect"), "protect", &t->protect);
	append_matchers(&t->protect, &def->protect);
	load_policy(L, get(n, "policy"), &ps);
	merge_policy(&t->policy, &ps, &def->policy);
	load_limits(L, get(n, "limits"), &ls);
	if (t->vendor) {
		merge_limits(&t->limits, &ls, &def->limits,
			     &t->vendor->defaults);
		if (t->limits.batch_size > t->vendor->max_batch) {
			const struct ynode *bs =
				get(get(n, "limits"), "batch_size");

			if (ls.batch_size && t->vendor->max_batch > 1)
				error_at(L, bs,
					 "'batch_size' %d is larger than "
					 "vendor '%s' allows (%d)",
					 t->limits.batch_size, t->vendor->name,
					 t->vendor->max_batch);
			else if (ls.batch_size)
				warn_at(L, bs,
					"vendor '%s' deletes one user per "
					"request: 'batch_size' is ignored",
					t->vendor->name);
			t->limits.batch_size = t->vendor->max_batch;
		}
	}
	t->ca_file = load_tls(L, get(n, "tls"));
	if (!t->ca_file && def->ca_file)
		t->ca_file = xstrdup(def->ca_file);
}

static void load_defaults(struct loader *L, const struct ynode *n,
			  struct defaults *def)
{
	static const char *const keys[] = { "policy",  "limits", "mode",
					    "protect", "tls",	 NULL };
	const struct ynode *v;

	if (!n || is_null(n) || !check_map(L, n, "defaults", keys))
		return;
	load_policy(L, get(n, "policy"), &def->policy);
	load_limits(L, get(n, "limits"), &def->limits);
	if ((v = get(n, "mode")))
		def->has_mode = load_mode(L, v, &def->mode);
	load_matchers(L, get(n, "protect"), "protect", &def->protect);
	def->ca_file = load_tls(L, get(n, "tls"));
}

void tenant_release(struct tenant *t)
{
	struct secret *s[] = { &t->auth.username,      &t->auth.password,
			       &t->auth.token,	       &t->auth.client_id,
			       &t->auth.client_secret, &t->auth.token_url,
			       &t->auth.scope,	       &t->auth.api_key };
	size_t i;

	free(t->name);
	free(t->url);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		free(s[i]->raw);
	for (i = 0; i < t->noptions; i++) {
		free(t->options[i].key);
		free(t->options[i].value);
	}
	free(t->options);
	release_matchers(&t->include);
	release_matchers(&t->exclude);
	release_matchers(&t->keep);
	release_matchers(&t->protect);
	free(t->ca_file);
	memset(t, 0, sizeof(*t));
}

static void copy_secret(struct secret *dst, const struct secret *src)
{
	*dst = *src;
	dst->raw = xstrdup_or_null(src->raw);
}

void tenant_copy_settings(struct tenant *dst, const struct tenant *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->name = xstrdup_or_null(src->name);
	dst->vendor = src->vendor;
	dst->url = xstrdup_or_null(src->url);
	dst->auth.type = src->auth.type;
	copy_secret(&dst->auth.username, &src->auth.username);
	copy_secret(&dst->auth.password, &src->auth.password);
	copy_secret(&dst->auth.token, &src->auth.token);
	copy_secret(&dst->auth.client_id, &src->auth.client_id);
	copy_secret(&dst->auth.client_secret, &src->auth.client_secret);
	copy_secret(&dst->auth.token_url, &src->auth.token_url);
	copy_secret(&dst->auth.scope, &src->auth.scope);
	copy_secret(&dst->auth.api_key, &src->auth.api_key);
	dst->options = xcalloc(src->noptions + 1, sizeof(*dst->options));
	for (i = 0; i < src->noptions; i++) {
		dst->options[i] = src->options[i];
		dst->options[i].key = xstrdup(src->options[i].key);
		dst->options[i].value = xstrdup(src->options[i].value);
	}
	dst->noptions = src->noptions;
	dst->mode = src->mode;
	dst->policy = src->policy;
	dst->limits = src->limits;
	dst->ca_file = xstrdup_or_null(src->ca_file);
	dst->line = src->line;
	dst->col = src->col;
}

static void load_root(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = { "version", "defaults", "tenants",
					    NULL };
	struct config *c = L->c;
	struct defaults def = { 0 };
	const struct ynode *v, *tenants;
	size_t i, j;
	long version;

	if (!root || is_null(root)) {
		error_at(L, NULL, "the file is empty");
		return;
	}
	if (!check_map(L, root, "the top level", keys))
		return;
	if (!(v = get(root, "version")))
		error_at(L, root, "missing 'version: 1'");
	else if (get_long(L, v, "version", 0, 1000000, &version) &&
		 version != 1)
		error_at(L, v,
			 "unsupported version %ld (this userprune reads "
			 "version 1)",
			 version);
	load_defaults(L, get(root, "defaults"), &def);
	tenants = get(root, "tenants");
	if (!tenants) {
		error_at(L, root, "missing 'tenants'");
	} else if (tenants->kind != Y_SEQ) {
		error_at(L, tenants, "'tenants' must be a list, not %s",
			 kind_name(tenants));
	} else if (tenants->n == 0) {
		error_at(L, key_node(root, "tenants"),
			 "'tenants' is empty: nothing to manage");
	} else {
		c->tenants = xcalloc(tenants->n, sizeof(*c->tenants));
		for (i = 0; i < tenants->n; i++) {
			struct tenant *t = &c->tenants[c->ntenants++];

			load_tenant(L, tenants->items[i], &def, t);
			for (j = 0; t->name && j + 1 < c->ntenants; j++) {
				if (c->tenants[j].name &&
				    !strcmp(c->tenants[j].name, t->name)) {
					error_at(L,
						 get(tenants->items[i], "name"),
						 "duplicate tenant name '%s' "
						 "(first at line %d)",
						 t->name, c->tenants[j].line);
					break;
				}
			}
		}
	}
	release_matchers(&def.protect);
	free(def.ca_file);
}

/* ---- raw checks before YAML ---- */

/* Tabs and NULs are refused everywhere; invalid UTF-8 stops the load. */
static bool check_bytes(struct loader *L, const char *data, size_t len)
{
	size_t bad = utf8_check((const unsigned char *)data, len), i;
	int line = 1, col = 1;
	bool ok = true, tab_on_line = false;

	for (i = 0; i < len; i++) {
		struct ynode at = { .line = line, .col = col };

		if (i == bad) {
			error_at(L, &at, "invalid UTF-8");
			return false;
		}
		if (data[i] == '\t' && !tab_on_line) {
			error_at(L, &at,
				 "tab character (YAML is indented with "
				 "spaces)");
			tab_on_line = true;
			ok = false;
		} else if (data[i] == '\0') {
			error_at(L, &at, "NUL byte in the file");
			return false;
		}
		if (data[i] == '\n') {
			line++;
			col = 1;
			tab_on_line = false;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	return ok;
}

int config_parse(struct config *c, const char *name, const char *dir,
		 const char *data, size_t len, const struct config_reader *rd,
		 unsigned flags, struct diags *d)
{
	struct loader L = { name, dir, flags, d, rd, c };
	struct ynode *root = NULL;
	size_t errors = d->errors;

	memset(c, 0, sizeof(*c));
	arena_init(&c->arena);
	c->name = xstrdup(name);
	c->dir = xstrdup_or_null(dir);
	sha256_hex(data, len, c->sha256);
	if (len > CONFIG_MAX_SIZE) {
		error_at(&L, NULL, "file is larger than 64 MiB");
		goto out;
	}
	if (!check_bytes(&L, data, len))
		goto out;
	root = parse_yaml(&L, data, len);
	if (d->errors == errors)
		load_root(&L, root);
out:
	ynode_free(root);
	if (d->errors > errors) {
		config_release(c);
		return -1;
	}
	return 0;
}

struct local_dir {
	const char *dir;
};

/*
 * With USERPRUNE_ALLOWED_ORIGINS set, the file is from a pull request: its
 * value files must be inside its directory (symbolic links resolved), or
 * a keep file naming ~/.ssh/id_rsa would have its lines quoted in the
 * plan's warnings. Without it, anything goes, as on the admin's machine.
 */
static bool inside_config_dir(const char *dir, const char *full)
{
	const char *allowed = getenv("USERPRUNE_ALLOWED_ORIGINS");
	char *base, *real;
	size_t n;
	bool ok;

	if (!allowed || !*allowed)
		return true;
	base = realpath(dir && *dir ? dir : ".", NULL);
	real = realpath(full, NULL);
	if (!base || !real) {
		/* a file that is not there is reported as such */
		ok = !real;
		free(base);
		free(real);
		return ok && full[0] != '/' && !strstr(full, "..");
	}
	n = strlen(base);
	ok = !strncmp(real, base, n) &&
	     (real[n] == '/' || (n == 1 && base[0] == '/'));
	free(base);
	free(real);
	return ok;
}

static int read_local(void *ctx, const char *path, size_t max, char **data,
		      size_t *len, struct err *e)
{
	const struct local_dir *ld = ctx;
	char *full;
	int rc;

	if (path[0] == '/' || !ld->dir || !strcmp(ld->dir, "."))
		full = xstrdup(path);
	else
		full = xasprintf("%s/%s", ld->dir, path);
	if (!inside_config_dir(ld->dir, full)) {
		free(full);
		return err_set(e, "outside the configuration's directory, "
				  "which USERPRUNE_ALLOWED_ORIGINS does not "
				  "allow (the file could be anything the "
				  "machine can read)");
	}
	rc = file_read(full, max, data, len, e);
	if (rc < 0) {
		/* report the path as written, not the joined one */
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		err_set(e, "%s", reason_of(msg));
	}
	free(full);
	return rc;
}

int config_load_file(struct config *c, const char *path, unsigned flags,
		     struct diags *d)
{
	struct local_dir ld;
	struct config_reader rd = { read_local, &ld };
	struct stat st;
	char *data = NULL, *dir;
	const char *slash = strrchr(path, '/');
	size_t len;
	struct err e;
	int rc;

	memset(c, 0, sizeof(*c));
	dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path))
		    : xstrdup(".");
	ld.dir = dir;
	if (!stat(path, &st) && S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > CONFIG_MAX_SIZE) {
		diag_add(d, DIAG_ERROR, path, 1, 1,
			 "file is larger than 64 MiB");
		rc = -1;
		goto out;
	}
	if (file_read(path, CONFIG_MAX_SIZE, &data, &len, &e) < 0) {
		diag_add(d, DIAG_ERROR, path, 0, 0, "%s", reason_of(e.msg));
		rc = -1;
		goto out;
	}
	rc = config_parse(c, path, dir, data, len, &rd, flags, d);
out:
	free(data);
	free(dir);
	return rc;
}

const char *config_yaml_version(void)
{
	return yaml_get_version_string();
}

void config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++)
		tenant_release(&c->tenants[i]);
	free(c->tenants);
	free(c->name);
	free(c->dir);
	arena_release(&c->arena);
	memset(c, 0, sizeof(*c));
}

const struct tenant *config_find_tenant(const struct config *c,
					const char *name)
{
	size_t i;

	for (i = 0; i < c->ntenants; i++)
		if (c->tenants[i].name && !strcmp(c->tenants[i].name, name))
			return &c->tenants[i];
	return NULL;
}

const char *tenant_option(const struct tenant *t, const char *key)
{
	const struct vendor_option *o;
	size_t i;

	for (i = 0; i < t->noptions; i++)
		if (!strcmp(t->options[i].key, key))
			return t->options[i].value;
	o = t->vendor ? vendor_option_find(t->vendor, key) : NULL;
	return o ? o->def : NULL;
}

bool tenant_option_bool(const struct tenant *t, const char *key)
{
	const char *v = tenant_option(t, key);

	return v &&
	       (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"));
}

const char *tenant_mode_name(enum tenant_mode m)
{
	return m == MODE_REPORT ? "report" : "delete";
}
