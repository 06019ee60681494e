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
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reconcile/config.h"
#include "reconcile/config_tree.h"
#include "reconcile/secret.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* ---- secrets, url ---- */

/* Reports a failed ${file:} check with the path as the file wrote it. */
static void secret_file_error(struct loader *L, const struct ynode *n,
			      const char *key, char *msg, const char *abs,
			      const char *written)
{
	char *tail = strstr(msg, abs);

	if (!tail) {
		cfg_error_at(L, n, "'%s': %s", key, msg);
		return;
	}
	tail += strlen(abs);
	if (*tail == '\'')
		tail++;
	if (*tail == ':')
		cfg_error_at(L, n, "'%s': secret file '%s': %s", key, written,
			     cfg_reason_of(tail));
	else
		cfg_error_at(L, n, "'%s': secret file '%s'%s", key, written,
			     tail);
}

static void load_secret(struct loader *L, const struct ynode *map,
			const char *key, struct secret *s, bool is_secret)
{
	const struct ynode *n = cfg_get(map, key);
	char *written = NULL, *abs = NULL;
	struct err e;

	if (!n)
		return;
	s->raw = cfg_get_string(L, n, key);
	if (!s->raw)
		return;
	s->line = n->line;
	s->col = n->col;
	switch (secret_kind(s->raw)) {
	case SECRET_BAD:
		/* a literal secret may hold "${": never echo a secret */
		if (is_secret)
			cfg_error_at(
				L, n,
				"'%s': malformed reference (use ${env:NAME} "
				"or ${file:PATH})",
				key);
		else
			cfg_error_at(L, n,
				     "'%s': malformed reference '%s' (use "
				     "${env:NAME} or ${file:PATH})",
				     key, s->raw);
		return;
	case SECRET_LITERAL:
		if (is_secret && *s->raw)
			cfg_warn_at(L, n,
				    "'%s' is a literal secret: 'plan -o' "
				    "refuses this tenant, since a plan file "
				    "never holds a secret and apply could not "
				    "use it; use ${env:NAME} or ${file:PATH}",
				    key);
		if (!*s->raw)
			cfg_error_at(L, n, "'%s' must not be empty", key);
		else if (secret_check(s->raw, &e) < 0)
			cfg_error_at(L, n, "'%s': %s", key, e.msg);
		return;
	case SECRET_FILE:
		written = xstrdup(secret_target(s->raw));
		abs = cfg_join_dir(L->dir, written);
		/* the plan records the reference, so make it absolute */
		free(s->raw);
		s->raw = xasprintf("${file:%s}", abs);
		break;
	case SECRET_ENV:
		break;
	}
	if ((L->flags & CONFIG_CHECK_SECRETS) && !L->unselected &&
	    secret_check(s->raw, &e) < 0) {
		if (abs)
			secret_file_error(L, n, key, e.msg, abs, written);
		else
			cfg_error_at(L, n, "'%s': %s", key, e.msg);
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
		cfg_error_at(L, tn, "tenant needs a 'url'");
		return NULL;
	}
	if (url_allowed(v->default_url, getenv("USERPRUNE_ALLOWED_ORIGINS"),
			&e) < 0) {
		cfg_error_at(L, tn, "the default url of vendor '%s': %s",
			     v->name, e.msg);
		return NULL;
	}
	return xstrdup(v->default_url);
}

/* Checks the url; returns a normalised copy (no trailing slash). */
static char *check_url(struct loader *L, const struct ynode *n)
{
	char *url = cfg_get_string(L, n, "url");
	struct err e;

	if (url &&
	    (config_check_url("url", url, &e) < 0 ||
	     url_allowed(url, getenv("USERPRUNE_ALLOWED_ORIGINS"), &e) < 0)) {
		cfg_error_at(L, n, "%s", e.msg);
		free(url);
		return NULL;
	}
	return url;
}

/*
 * A url that names an API path the connector adds itself would double it
 * (".../rest/api/3/rest/api/3/myself"): refused with the base to give.
 * Compared ignoring case (SCIM's "/users").
 */
static void check_api_path(struct loader *L, const struct ynode *n,
			   const struct tenant *t)
{
	const char *const *p;
	const char *path = t->url + strcspn(t->url, ":") + 3;
	size_t len;

	path += strcspn(path, "/");
	for (p = t->vendor->api_paths; p && *p; p++) {
		const char *at = path;

		len = strlen(*p);
		for (; *at; at++)
			if (!strncasecmp(at, *p, len) &&
			    (at[len] == '\0' || at[len] == '/'))
				break;
		if (!*at)
			continue;
		cfg_error_at(L, n,
			     "url '%s' %s '%.*s', a path userprune adds for "
			     "vendor '%s': give the base url, '%.*s'",
			     t->url, at[len] ? "holds" : "ends in", (int)len,
			     at, t->vendor->name, (int)(at - t->url), t->url);
		return;
	}
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

/*
 * Whether a text value file is a YAML list instead ("keep:" and "- ..."
 * lines, as 'userprune import' prints by default): read as values, its
 * lines would match nobody and every user would be planned for deletion.
 */
static bool is_yaml_list(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *eol;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == eol || *p == '#')
			continue;
		while (eol > p && (eol[-1] == ' ' || eol[-1] == '\r'))
			eol--;
		return (eol - p == 5 && !memcmp(p, "keep:", 5)) ||
		       (eol - p == 8 && !memcmp(p, "protect:", 8));
	}
	return false;
}

static void load_value_file(struct loader *L, const struct ynode *n,
			    struct matcher *m, const char *list)
{
	char *data = NULL;
	size_t len = 0;
	struct err e;
	bool csv = m->column || ends_with_ci(m->path, ".csv");
	int rc;

	if (L->unselected) {
		/* another job's tenant: its files need not be here */
		m->problem = xasprintf("%s file '%s' not read: the tenant is "
				       "not selected",
				       list, m->path);
		return;
	}
	rc = L->rd->read(L->rd->ctx, m->path, CONFIG_MAX_SIZE, &data, &len, &e);
	if (rc < 0) {
		m->problem = xasprintf("%s file '%s'%s%s", list, m->path,
				       e.msg[0] == '(' ? " " : ": ", e.msg);
		goto out;
	}
	if (utf8_check((const unsigned char *)data, len) != len) {
		cfg_error_at(L, n, "%s file '%s' is not valid UTF-8", list,
			     m->path);
		goto out;
	}
	if (!csv && is_yaml_list(data, len)) {
		cfg_error_at(L, n,
			     "%s file '%s' is a YAML list (as 'userprune "
			     "import' prints by default), not a %s file: paste "
			     "its entries under the tenant's '%s:', or write "
			     "a %s file with 'userprune import --format text'",
			     list, m->path, list, list, list);
		goto out;
	}
	if (valuefile_parse(m->path, data, len, csv, m->column, &L->c->arena,
			    &m->values, &m->nvalues, &e) < 0) {
		cfg_error_at(L, n, "%s file: %s", list, e.msg);
		goto out;
	}
	if (m->nvalues == 0)
		m->problem = xasprintf("%s file '%s' is empty", list, m->path);
out:
	if (m->problem && (L->flags & CONFIG_STRICT_FILES))
		cfg_error_at(L, n, "%s", m->problem);
	free(data);
}

static bool load_file_matcher(struct loader *L, const struct ynode *n,
			      struct matcher *m, const char *list)
{
	const struct ynode *v;
	char *field = NULL;
	bool ok = true;

	cfg_check_map(L, n, "a file entry", file_matcher_keys);
	m->kind = MATCHER_FILE;
	m->path = cfg_get_string(L, cfg_get(n, "file"), "file");
	if (!m->path)
		return false;
	if (!*m->path) {
		cfg_error_at(L, cfg_get(n, "file"), "'file' must not be empty");
		return false;
	}
	if ((v = cfg_get(n, "column")))
		ok &= (m->column = cfg_get_string(L, v, "column")) != NULL;
	m->file_field = FILE_ANY;
	if ((v = cfg_get(n, "field")) &&
	    (field = cfg_get_string(L, v, "field"))) {
		if (!strcmp(field, "id"))
			m->file_field = FILE_ID;
		else if (!strcmp(field, "email"))
			m->file_field = FILE_EMAIL;
		else if (!strcmp(field, "username"))
			m->file_field = FILE_USERNAME;
		else if (strcmp(field, "any")) {
			cfg_error_at(L, v,
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
		cfg_error_at(
			L, n,
			"entries of '%s' must be strings or mappings, not a "
			"list",
			list);
		return false;
	}
	if (n->kind == Y_SCALAR) {
		m->kind = MATCHER_VALUE;
		if (cfg_is_null(n) || !*n->value) {
			cfg_error_at(L, n, "empty entry in '%s'", list);
			return false;
		}
		m->value = xstrdup(n->value);
		return true;
	}
	if (cfg_get(n, "file"))
		return load_file_matcher(L, n, m, list);
	m->kind = MATCHER_FIELDS;
	if (!cfg_check_map(L, n, "a matcher", matcher_keys))
		return false;
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->items[i], *v = n->items[i + 1];

		for (f = 0; f < MATCH_NFIELDS; f++)
			if (k->kind == Y_SCALAR &&
			    !strcmp(k->value, match_field_name(f)))
				break;
		if (f == MATCH_NFIELDS || m->field[f])
			continue;
		m->field[f] = cfg_get_string(L, v, k->value);
		if (!m->field[f])
			return false;
		if (!*m->field[f]) {
			cfg_error_at(L, v, "'%s' must not be empty", k->value);
			return false;
		}
		nfields++;
		if (f == MATCH_TYPE && !is_glob(m->field[f]) &&
		    user_type_parse(m->field[f], &t) < 0) {
			cfg_error_at(L, v,
				     "'type' must be one of human, app, robot, "
				     "customer, unknown, not '%s'",
				     m->field[f]);
			return false;
		}
		if (f == MATCH_STATUS && !is_glob(m->field[f]) &&
		    user_status_parse(m->field[f], &st) < 0) {
			cfg_error_at(
				L, v,
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
		cfg_error_at(
			L, n,
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

	if (!n || cfg_is_null(n))
		return;
	if (n->kind != Y_SEQ) {
		cfg_error_at(L, n, "'%s' must be a list, not %s", list,
			     cfg_kind_name(n));
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

static const char *const policy_keys[] = { "max_deletions",
					   "max_delete_percent",
					   "canary",
					   "allow_empty_keep",
					   "verify",
					   "min_keep_match_percent",
					   "max_keep_shrink_percent",
					   "approve",
					   NULL };
static const char *const limits_keys[] = {
	"concurrency", "requests_per_second", "daily_request_budget",
	"batch_size",  "timeout_seconds",     "max_attempts",
	NULL
};

/* Which policy fields a mapping set, so tenant values override defaults. */
struct policy_set {
	struct policy p;
	bool max_deletions, max_delete_percent, canary, allow_empty_keep,
		verify, min_keep_match_percent, max_keep_shrink_percent;
	/* where allow_empty_keep was set, for the warning outside report */
	const struct ynode *allow_empty_keep_at;
};

struct limits_set {
	struct limits l;
	bool concurrency, requests_per_second, daily_request_budget, batch_size,
		timeout_seconds, max_attempts;
};

static void load_policy(struct loader *L, const struct ynode *n,
			struct policy_set *ps, bool tenant)
{
	const struct ynode *v;
	long x;

	if (!n || !cfg_check_map(L, n, "policy", policy_keys))
		return;
	if ((v = cfg_get(n, "max_deletions")) &&
	    cfg_get_long(L, v, "max_deletions", 0, 100000000, &x)) {
		ps->p.max_deletions = x;
		ps->max_deletions = true;
	}
	if ((v = cfg_get(n, "max_delete_percent")) &&
	    cfg_get_long(L, v, "max_delete_percent", 0, 100, &x)) {
		ps->p.max_delete_percent = (int)x;
		ps->max_delete_percent = true;
	}
	if ((v = cfg_get(n, "canary")) &&
	    cfg_get_long(L, v, "canary", 0, 1000, &x)) {
		ps->p.canary = (int)x;
		ps->canary = true;
	}
	if ((v = cfg_get(n, "allow_empty_keep")) &&
	    cfg_get_bool(L, v, "allow_empty_keep", &ps->p.allow_empty_keep)) {
		ps->allow_empty_keep = true;
		ps->allow_empty_keep_at = v;
	}
	if ((v = cfg_get(n, "verify")) &&
	    cfg_get_bool(L, v, "verify", &ps->p.verify))
		ps->verify = true;
	if ((v = cfg_get(n, "min_keep_match_percent")) &&
	    cfg_get_long(L, v, "min_keep_match_percent", 0, 100, &x)) {
		ps->p.min_keep_match_percent = (int)x;
		ps->min_keep_match_percent = true;
	}
	if ((v = cfg_get(n, "max_keep_shrink_percent")) &&
	    cfg_get_long(L, v, "max_keep_shrink_percent", 0, 100, &x)) {
		ps->p.max_keep_shrink_percent = (int)x;
		ps->max_keep_shrink_percent = true;
	}
	if ((v = cfg_get(n, "approve")) && !tenant)
		cfg_error_at(L, v,
			     "'approve' belongs in a tenant's policy: it "
			     "approves the deletions of one tenant");
	else if (v)
		cfg_load_approval(L, v, &ps->p.approve);
}

static void load_limits(struct loader *L, const struct ynode *n,
			struct limits_set *ls)
{
	const struct ynode *v;
	long x;

	if (!n || !cfg_check_map(L, n, "limits", limits_keys))
		return;
	if ((v = cfg_get(n, "concurrency")) &&
	    cfg_get_long(L, v, "concurrency", 1, 256, &x)) {
		ls->l.concurrency = (int)x;
		ls->concurrency = true;
	}
	if ((v = cfg_get(n, "requests_per_second")) &&
	    cfg_get_number(L, v, "requests_per_second", 0, 100000,
			   &ls->l.requests_per_second))
		ls->requests_per_second = true;
	if ((v = cfg_get(n, "daily_request_budget")) &&
	    cfg_get_long(L, v, "daily_request_budget", 1, 1000000000, &x)) {
		ls->l.daily_request_budget = x;
		ls->daily_request_budget = true;
	}
	if ((v = cfg_get(n, "batch_size")) &&
	    cfg_get_long(L, v, "batch_size", 1, 1000, &x)) {
		ls->l.batch_size = (int)x;
		ls->batch_size = true;
	}
	if ((v = cfg_get(n, "timeout_seconds")) &&
	    cfg_get_long(L, v, "timeout_seconds", 1, 3600, &x)) {
		ls->l.timeout_seconds = (int)x;
		ls->timeout_seconds = true;
	}
	if ((v = cfg_get(n, "max_attempts")) &&
	    cfg_get_long(L, v, "max_attempts", 1, 100, &x)) {
		ls->l.max_attempts = (int)x;
		ls->max_attempts = true;
	}
}

static char *load_tls(struct loader *L, const struct ynode *n)
{
	static const char *const keys[] = { "ca_file", NULL };
	const struct ynode *v;
	char *path, *abs;

	if (!n || !cfg_check_map(L, n, "tls", keys) ||
	    !(v = cfg_get(n, "ca_file")))
		return NULL;
	path = cfg_get_string(L, v, "ca_file");
	if (!path)
		return NULL;
	abs = cfg_join_dir(L->dir, path);
	if (!L->unselected && access(abs, R_OK) < 0) {
		char reason[256];

		snprintf(reason, sizeof(reason), ": %s", strerror(errno));
		cfg_error_at(L, v, "ca_file '%s': %s", path,
			     cfg_reason_of(reason));
	}
	free(path);
	return abs;
}

static bool load_mode(struct loader *L, const struct ynode *n,
		      enum tenant_mode *mode)
{
	char *s = cfg_get_string(L, n, "mode");
	bool ok = true;

	if (!s)
		return false;
	if (!strcmp(s, "delete"))
		*mode = MODE_DELETE;
	else if (!strcmp(s, "report"))
		*mode = MODE_REPORT;
	else if (!strcmp(s, "deactivate"))
		*mode = MODE_DEACTIVATE;
	else {
		cfg_error_at(L, n,
			     "'mode' must be delete, deactivate or report, not "
			     "'%s'",
			     s);
		ok = false;
	}
	free(s);
	return ok;
}

/*
 * mode: deactivate needs a deactivation call the vendor's material
 * confirms; a vendor without one is refused rather than deleting instead.
 * The mode may come from defaults:, so the message names the tenant's
 * vendor where the tenant does not say the mode itself.
 */
static void check_deactivation(struct loader *L, const struct ynode *tn,
			       const struct tenant *t)
{
	const struct ynode *at = cfg_get(tn, "mode");
	const char *names[16];
	struct strbuf some = STRBUF_INIT;
	size_t i, n = 0;

	if (t->mode != MODE_DEACTIVATE || !t->vendor || t->vendor->deactivation)
		return;
	for (i = 0; vendor_list[i] && n < 16; i++)
		if (vendor_list[i]->deactivation)
			names[n++] = vendor_list[i]->name;
	/* "atlassian-org, bizagi and scim" */
	for (i = 0; i < n; i++)
		strbuf_addf(&some, "%s%s",
			    !i		 ? ""
			    : i + 1 == n ? " and "
					 : ", ",
			    names[i]);
	cfg_error_at(L, at ? at : cfg_get(tn, "vendor"),
		     "mode 'deactivate'%s: vendor '%s' has no confirmed call "
		     "that deactivates a user; only %s have one (use mode "
		     "delete or report for this tenant)",
		     at ? "" : " (from defaults)", t->vendor->name, some.buf);
	strbuf_release(&some);
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

	if (!cfg_check_map(L, n, "auth", keys))
		return;
	tn = cfg_get(n, "type");
	if (!tn) {
		cfg_error_at(L, n,
			     "auth needs a 'type' (basic, bearer, token, "
			     "oauth2, control-room)");
		return;
	}
	if (!(type = cfg_get_string(L, tn, "type")))
		return;
	if (auth_type_parse(type, &a->type) < 0) {
		cfg_error_at(
			L, tn,
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
		cfg_error_at(L, tn,
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
			cfg_error_at(L, n->items[i],
				     "'%s' is not used by auth type '%s'", key,
				     type);
	}
	for (k = 0; k < types[a->type].required; k++)
		if (!cfg_get(n, types[a->type].fields[k]))
			cfg_error_at(L, tn, "auth type '%s' needs '%s'", type,
				     types[a->type].fields[k]);
	if (a->type == AUTH_CONTROL_ROOM && !cfg_get(n, "password") &&
	    !cfg_get(n, "api_key"))
		cfg_error_at(L, tn,
			     "auth type 'control-room' needs 'password' or "
			     "'api_key'");
	if (a->type == AUTH_CONTROL_ROOM && cfg_get(n, "password") &&
	    cfg_get(n, "api_key"))
		cfg_error_at(L, cfg_key_node(n, "api_key"),
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
			cfg_error_at(L, cfg_get(n, "token_url"), "%s", e.msg);
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
	const struct ynode *n = cfg_get(tn, "options");
	const struct vendor *v = t->vendor;
	const struct vendor_option *o;
	const char *known[32];
	size_t i, nk = 0;

	if (!v)
		return;
	for (o = v->options; o && o->key && nk < 31; o++)
		known[nk++] = o->key;
	known[nk] = NULL;
	if (n && !cfg_is_null(n)) {
		char what[64];

		snprintf(what, sizeof(what), "%s options", v->name);
		if (!cfg_check_map(L, n, what, known))
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
				if (!cfg_get_bool(L, val, o->key, &b))
					continue;
				break;
			case OPTION_INT:
				if (!cfg_get_long(L, val, o->key, 0, 1000000,
						  &x))
					continue;
				break;
			case OPTION_STRING:
			case OPTION_ENUM:
				if (val->kind != Y_SCALAR || cfg_is_null(val)) {
					cfg_error_at(
						L, val,
						"'%s' must be a string, not %s",
						o->key, cfg_kind_name(val));
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
				cfg_error_at(L, val,
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
			cfg_error_at(L, n ? n : cfg_get(tn, "vendor"),
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
	static const struct policy builtin = {
		.max_deletions = 100,
		.max_delete_percent = 50,
		.canary = 1,
		.verify = true,
		.min_keep_match_percent = 10,
		.max_keep_shrink_percent = 20,
	};

#define PICK(f) out->f = t->f ? t->p.f : d->f ? d->p.f : builtin.f
	PICK(max_deletions);
	PICK(max_delete_percent);
	PICK(canary);
	PICK(allow_empty_keep);
	PICK(verify);
	PICK(min_keep_match_percent);
	PICK(max_keep_shrink_percent);
#undef PICK
	out->approve = t->p.approve;
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
	if (!cfg_check_map(L, n, "tenant", tenant_keys))
		return;
	if (!(v = cfg_get(n, "name")))
		cfg_error_at(L, n, "tenant needs a 'name'");
	else if ((t->name = cfg_get_string(L, v, "name")) &&
		 !valid_tenant_name(t->name))
		cfg_error_at(L, v,
			     "tenant name '%s' must match [a-z0-9][a-z0-9._-]* "
			     "(at most 64 characters)",
			     t->name);
	/* a tenant without a name is loaded whole: it is an error anyway */
	L->unselected = t->name && !config_selected(L->sel, t->name);
	vendor_choices(&vendors);
	if (!(v = cfg_get(n, "vendor"))) {
		cfg_error_at(L, n, "tenant needs a 'vendor' (one of %s)",
			     vendors.buf);
	} else if ((vendor = cfg_get_string(L, v, "vendor"))) {
		t->vendor = vendor_find(vendor);
		if (!t->vendor) {
			const char *names[16];
			const char *hint;
			size_t i;

			for (i = 0; vendor_list[i] && i < 15; i++)
				names[i] = vendor_list[i]->name;
			names[i] = NULL;
			hint = cfg_suggest(vendor, names);
			if (hint)
				cfg_error_at(
					L, v,
					"unknown vendor '%s' (did you mean "
					"'%s'?)",
					vendor, hint);
			else
				cfg_error_at(L, v,
					     "unknown vendor '%s' (one of %s)",
					     vendor, vendors.buf);
		}
		free(vendor);
	}
	strbuf_release(&vendors);
	if (!(v = cfg_get(n, "url")))
		t->url = default_url(L, n, t->vendor);
	else if ((t->url = check_url(L, v)) && t->vendor)
		check_api_path(L, v, t);
	if (!(v = cfg_get(n, "auth")))
		cfg_error_at(L, n, "tenant needs 'auth'");
	else
		load_auth(L, v, t);
	load_options(L, n, t);
	t->mode = def->has_mode ? def->mode : MODE_DELETE;
	if ((v = cfg_get(n, "mode")))
		load_mode(L, v, &t->mode);
	check_deactivation(L, n, t);
	if ((v = cfg_get(n, "scope")) && !cfg_is_null(v) &&
	    cfg_check_map(L, v, "scope", scope_keys)) {
		load_matchers(L, cfg_get(v, "include"), "include", &t->include);
		load_matchers(L, cfg_get(v, "exclude"), "exclude", &t->exclude);
	}
	load_matchers(L, cfg_get(n, "keep"), "keep", &t->keep);
	load_matchers(L, cfg_get(n, "protect"), "protect", &t->protect);
	append_matchers(&t->protect, &def->protect);
	load_policy(L, cfg_get(n, "policy"), &ps, true);
	merge_policy(&t->policy, &ps, &def->policy);
	load_limits(L, cfg_get(n, "limits"), &ls);
	if (t->vendor) {
		merge_limits(&t->limits, &ls, &def->limits,
			     &t->vendor->defaults);
		if (t->limits.batch_size > t->vendor->max_batch) {
			const struct ynode *bs =
				cfg_get(cfg_get(n, "limits"), "batch_size");

			if (ls.batch_size && t->vendor->max_batch > 1)
				cfg_error_at(L, bs,
					     "'batch_size' %d is larger than "
					     "vendor '%s' allows (%d)",
					     t->limits.batch_size,
					     t->vendor->name,
					     t->vendor->max_batch);
			else if (ls.batch_size)
				cfg_warn_at(L, bs,
					    "vendor '%s' deletes one user per "
					    "request: 'batch_size' is ignored",
					    t->vendor->name);
			t->limits.batch_size = t->vendor->max_batch;
		}
	}
	t->ca_file = load_tls(L, cfg_get(n, "tls"));
	if (!t->ca_file && def->ca_file)
		t->ca_file = xstrdup(def->ca_file);
	/* they count keep values, and another job's files were not read */
	if (!L->unselected)
		cfg_policy_warnings(L, n, t,
				    ps.allow_empty_keep
					    ? ps.allow_empty_keep_at
					    : def->policy.allow_empty_keep_at);
	L->unselected = false;
}

static void load_defaults(struct loader *L, const struct ynode *n,
			  struct defaults *def)
{
	static const char *const keys[] = { "policy",  "limits", "mode",
					    "protect", "tls",	 NULL };
	const struct ynode *v;

	if (!n || cfg_is_null(n) || !cfg_check_map(L, n, "defaults", keys))
		return;
	load_policy(L, cfg_get(n, "policy"), &def->policy, false);
	load_limits(L, cfg_get(n, "limits"), &def->limits);
	if ((v = cfg_get(n, "mode")))
		def->has_mode = load_mode(L, v, &def->mode);
	load_matchers(L, cfg_get(n, "protect"), "protect", &def->protect);
	def->ca_file = load_tls(L, cfg_get(n, "tls"));
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

	if (!root || cfg_is_null(root)) {
		cfg_error_at(L, NULL, "the file is empty");
		return;
	}
	if (!cfg_check_map(L, root, "the top level", keys))
		return;
	if (!(v = cfg_get(root, "version")))
		cfg_error_at(L, root, "missing 'version: 1'");
	else if (cfg_get_long(L, v, "version", 0, 1000000, &version) &&
		 version != 1)
		cfg_error_at(L, v,
			     "unsupported version %ld (this userprune reads "
			     "version 1)",
			     version);
	load_defaults(L, cfg_get(root, "defaults"), &def);
	tenants = cfg_get(root, "tenants");
	if (!tenants) {
		cfg_error_at(L, root, "missing 'tenants'");
	} else if (tenants->kind != Y_SEQ) {
		cfg_error_at(L, tenants, "'tenants' must be a list, not %s",
			     cfg_kind_name(tenants));
	} else if (tenants->n == 0) {
		cfg_error_at(L, cfg_key_node(root, "tenants"),
			     "'tenants' is empty: nothing to manage");
	} else {
		c->tenants = xcalloc(tenants->n, sizeof(*c->tenants));
		for (i = 0; i < tenants->n; i++) {
			struct tenant *t = &c->tenants[c->ntenants++];

			load_tenant(L, tenants->items[i], &def, t);
			for (j = 0; t->name && j + 1 < c->ntenants; j++) {
				if (c->tenants[j].name &&
				    !strcmp(c->tenants[j].name, t->name)) {
					cfg_error_at(
						L,
						cfg_get(tenants->items[i],
							"name"),
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

bool config_selected(const struct config_select *sel, const char *name)
{
	size_t i;

	if (!sel)
		return true;
	if (sel->none || !shard_has(sel->shard, name))
		return false;
	for (i = 0; i < sel->nnames; i++)
		if (!strcmp(sel->names[i], name))
			return true;
	return sel->nnames == 0;
}

int config_no_tenant(struct err *e, const char *name, const char *where,
		     const char *const *known)
{
	const char *hint = cfg_suggest(name, known);
	struct strbuf all = STRBUF_INIT;
	const char *first = NULL;
	size_t n = 0, i, len = strlen(name), starts = 0;

	/* "jira" for "jira-qa": the one name it begins, if only one */
	for (i = 0; !hint && len && known[i]; i++)
		if (!strncmp(known[i], name, len) && !starts++)
			first = known[i];
	if (!hint && starts == 1)
		hint = first;

	if (hint)
		return err_set(e, "no tenant '%s' in %s (did you mean '%s'?)",
			       name, where, hint);
	for (n = 0; known[n] && n < 8; n++)
		strbuf_addf(&all, "%s%s", n ? ", " : "", known[n]);
	if (n && !known[n])
		err_set(e, "no tenant '%s' in %s (its tenants: %s)", name,
			where, all.buf);
	else if (n)
		err_set(e,
			"no tenant '%s' in %s ('userprune tenants' lists "
			"them)",
			name, where);
	else
		err_set(e, "no tenant '%s' in %s", name, where);
	strbuf_release(&all);
	return -1;
}

int config_no_tenant_in(const struct config *c, const char *name, struct err *e)
{
	const char **known = xcalloc(c->ntenants + 1, sizeof(*known));
	size_t i, n = 0;

	for (i = 0; i < c->ntenants; i++)
		if (c->tenants[i].name)
			known[n++] = c->tenants[i].name;
	config_no_tenant(e, name, c->name, known);
	free(known);
	return -1;
}

int config_parse(struct config *c, const char *name, const char *dir,
		 const char *data, size_t len, const struct config_reader *rd,
		 unsigned flags, struct diags *d)
{
	return config_parse_selected(c, name, dir, data, len, rd, flags, NULL,
				     d);
}

int config_parse_selected(struct config *c, const char *name, const char *dir,
			  const char *data, size_t len,
			  const struct config_reader *rd, unsigned flags,
			  const struct config_select *sel, struct diags *d)
{
	struct loader L = { name, dir, flags, d, rd, c, sel, false };
	struct ynode *root = NULL;
	size_t errors = d->errors;

	memset(c, 0, sizeof(*c));
	arena_init(&c->arena);
	c->name = xstrdup(name);
	c->dir = xstrdup_or_null(dir);
	sha256_hex(data, len, c->sha256);
	if (len > CONFIG_MAX_SIZE) {
		cfg_error_at(&L, NULL, "file is larger than 64 MiB");
		goto out;
	}
	if (!cfg_check_bytes(&L, data, len))
		goto out;
	root = cfg_parse_yaml(&L, data, len);
	if (d->errors == errors)
		load_root(&L, root);
out:
	cfg_ynode_free(root);
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
		/* the path as written is named by the caller; say where a
		   relative one was looked for when that is elsewhere */
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		if (strcmp(full, path))
			err_set(e, "(looked for at %s): %s", full,
				cfg_reason_of(msg));
		else
			err_set(e, "%s", cfg_reason_of(msg));
	}
	free(full);
	return rc;
}

int config_load_file(struct config *c, const char *path, unsigned flags,
		     struct diags *d)
{
	return config_load_file_selected(c, path, flags, NULL, d);
}

int config_load_file_selected(struct config *c, const char *path,
			      unsigned flags, const struct config_select *sel,
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
		diag_add(d, DIAG_ERROR, path, 0, 0, "%s", cfg_reason_of(e.msg));
		rc = -1;
		goto out;
	}
	rc = config_parse_selected(c, path, dir, data, len, &rd, flags, sel, d);
out:
	free(data);
	free(dir);
	return rc;
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
	return m == MODE_REPORT	      ? "report"
	       : m == MODE_DEACTIVATE ? "deactivate"
				      : "delete";
}
