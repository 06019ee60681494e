/*
 * Import: a keep list from what a tenant holds today, so that a team can
 * adopt userprune without deleting anyone, or from a CSV export.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/diff.h"
#include "reconcile/list.h"
#include "reconcile/reconcile.h"
#include "reconcile/session.h"
#include "util/fileio.h"
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Users or values left out that are named one by one. */
#define LEFT_OUT_SHOWN 10

void import_result_release(struct import_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].value);
		free(r->v[i].comment);
	}
	free(r->v);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

static void warn(struct import_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct import_result *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->warnings = xrealloc(r->warnings,
			       (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = strbuf_detach(&sb, NULL);
}

/*
 * Whether a keep list can hold v so that it reads back as exactly v:
 * UTF-8 without control characters (a YAML file holds neither raw, and
 * the loader refuses bytes that are not UTF-8).
 */
static bool writable(const char *v, unsigned flags)
{
	const char *p;
	size_t len;

	if (!v || !user_id_plannable(v))
		return false;
	if (!(flags & IMPORT_TEXT))
		return true;
	/* a text keep file trims lines and reads # as a comment */
	len = strlen(v);
	if (!len || v[0] == '#' || v[0] == ' ' || v[0] == '\t' ||
	    v[len - 1] == ' ' || v[len - 1] == '\t')
		return false;
	for (p = v; (p = strchr(p + 1, '#'));)
		if (p[-1] == ' ' || p[-1] == '\t')
			return false;
	return true;
}

static void add(struct import_result *r, size_t *cap, const char *field,
		const char *value, const char *comment)
{
	struct keep_entry *k;

	r->v = xgrow(r->v, cap, r->n + 1, sizeof(*r->v));
	k = &r->v[r->n++];
	k->field = field;
	k->value = xstrdup(value);
	k->comment = xstrdup_or_null(comment);
}

static int by_value(const void *a, const void *b)
{
	const struct keep_entry *x = a, *y = b;
	int c = strcasecmp(x->value, y->value);

	return c ? c : strcmp(x->value, y->value);
}

/* Sorts by value and drops repeated entries. */
static void sort_unique(struct import_result *r)
{
	size_t i, n = 0;

	qsort(r->v, r->n, sizeof(*r->v), by_value);
	for (i = 0; i < r->n; i++) {
		if (n && r->v[n - 1].field == r->v[i].field &&
		    !strcmp(r->v[n - 1].value, r->v[i].value)) {
			free(r->v[i].value);
			free(r->v[i].comment);
			continue;
		}
		r->v[n++] = r->v[i];
	}
	r->n = n;
}

/* Counts how often each folded email occurs, to name users uniquely. */
static void count_emails(const struct userstore *s, struct hmap *m,
			 struct arena *a)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		char buf[256], *heap = NULL, *key;
		const char *f;
		size_t len;
		uint32_t *n;
		int inserted;

		if (!s->v[i].email)
			continue;
		f = fold(s->v[i].email, buf, sizeof(buf), &heap, &len);
		key = arena_strndup(a, f, len);
		n = hmap_put(m, key, len, 0, &inserted);
		(*n)++;
		free(heap);
	}
}

static bool unique_email(const struct hmap *m, const char *email)
{
	char buf[256], *heap = NULL;
	const char *f;
	size_t len;
	const uint32_t *n;

	f = fold(email, buf, sizeof(buf), &heap, &len);
	n = hmap_get(m, f, len);
	free(heap);
	return n && *n == 1;
}

/*
 * Names u in the keep list: by email where it is unique, else by
 * username, else by id; a value that cannot be written exactly is passed
 * over, and so is a glob while an exact value is left (a pattern would
 * keep other users too). Returns false when nothing names u exactly.
 */
static bool name_user(const struct user *u, const struct hmap *emails,
		      unsigned flags, const char **field, const char **value)
{
	static const char *const fields[] = { NULL, "username", "id" };
	const char *v[3];
	int pass, i;

	v[0] = u->email && unique_email(emails, u->email) ? u->email : NULL;
	v[1] = u->username;
	v[2] = u->id;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 3; i++)
			if (writable(v[i], flags) && (pass || !is_glob(v[i]))) {
				*field = fields[i];
				*value = v[i];
				return true;
			}
	return false;
}

int reconcile_import(const struct config *c, const char *name,
		     const struct run_hooks *hooks, unsigned flags,
		     struct import_result *r, struct err *e)
{
	const struct tenant *t = config_find_tenant(c, name);
	struct engine *engine = NULL;
	struct session s;
	struct userstore live;
	struct listing l;
	struct matchset inc, exc;
	struct hmap emails = HMAP_INIT;
	struct arena keys = ARENA_INIT;
	bool opened = false;
	const char *field, *value;
	size_t i, cap = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&l, 0, sizeof(l));
	userstore_init(&live);
	if (!t)
		return config_no_tenant_in(c, name, e);
	if (!t->vendor->list_request)
		return err_set(e, "vendor '%s' cannot list users yet",
			       t->vendor->name);
	engine = run_engine(hooks);
	if (session_open(&s, t, engine, e) < 0)
		goto out;
	opened = true;
	listing_start(&l, &s, &live, NULL, NULL);
	engine_run(engine);
	if (hooks->stop && *hooks->stop) {
		err_set(e, "interrupted");
		goto out;
	}
	if (l.failed) {
		err_set(e, "%s: listing failed: %s", name, l.error);
		goto out;
	}
	matchset_init(&inc, t->include.v, t->include.n);
	matchset_init(&exc, t->exclude.v, t->exclude.n);
	count_emails(&live, &emails, &keys);
	r->live = live.n;
	for (i = 0; i < live.n; i++) {
		const struct user *u = &live.v[i];

		if (!diff_in_scope(t, &inc, &exc, u)) {
			r->out_of_scope++;
			continue;
		}
		if (u->status == STATUS_PENDING_DELETION ||
		    (u->status == STATUS_INACTIVE &&
		     diff_inactive_is_final(t))) {
			r->pending++;
			continue;
		}
		if (name_user(u, &emails, flags, &field, &value)) {
			add(r, &cap, field, value, u->name);
			continue;
		}
		if (flags && name_user(u, &emails, 0, &field, &value)) {
			/* left out, this user would be planned for deletion */
			err_set(e,
				"%s: user '%s' cannot be named in a text keep "
				"file (a line is trimmed, and # starts a "
				"comment): use --format yaml",
				name, u->id);
			matchset_release(&inc);
			matchset_release(&exc);
			goto out;
		}
		if (++r->left_out > LEFT_OUT_SHOWN)
			continue;
		warn(r,
		     "user '%s' (username %s, email %s, name %s) is "
		     "left out: its id, username and email hold control "
		     "characters or are not UTF-8, so no keep entry "
		     "can name it (userprune never plans to delete "
		     "such a user)",
		     u->id, u->username ? u->username : "none",
		     u->email ? u->email : "none", u->name ? u->name : "none");
	}
	if (r->left_out > LEFT_OUT_SHOWN)
		warn(r, "%zu more users are left out for the same reason",
		     r->left_out - LEFT_OUT_SHOWN);
	matchset_release(&inc);
	matchset_release(&exc);
	sort_unique(r);
	rc = 0;
out:
	hmap_release(&emails);
	arena_release(&keys);
	listing_release(&l);
	userstore_release(&live);
	if (opened)
		session_close(&s);
	engine_free(engine);
	return rc;
}

int reconcile_import_csv(const char *path, const char *column,
			 enum file_field field, unsigned flags,
			 struct import_result *r, struct err *e)
{
	static const char *const fields[] = { NULL, "id", "email", "username" };
	struct file_value *v = NULL;
	struct arena a = ARENA_INIT;
	char *data = NULL;
	size_t len, n = 0, i, cap = 0;
	size_t plen = strlen(path);
	bool csv = column || (plen > 4 && !strcasecmp(path + plen - 4, ".csv"));
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (file_read(path, 256u << 20, &data, &len, e) < 0)
		return -1;
	if (valuefile_parse(path, data, len, csv, column, &a, &v, &n, e) < 0) {
		static const char yaml_key[] = "with 'column:'";
		size_t ml = strlen(e->msg), kl = strlen(yaml_key);

		/* on the command line the column is chosen by an option */
		if (ml >= kl && !strcmp(e->msg + ml - kl, yaml_key))
			snprintf(e->msg + ml - kl, sizeof(e->msg) - (ml - kl),
				 "with --column NAME");
		goto out;
	}
	if (!n) {
		err_set(e, "%s: no values", path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (writable(v[i].s, flags)) {
			add(r, &cap, fields[field], v[i].s, NULL);
			continue;
		}
		if (flags && writable(v[i].s, 0)) {
			err_set(e,
				"%s:%d: value '%s' cannot be written in a text "
				"keep file (a line is trimmed, and # starts a "
				"comment): use --format yaml",
				path, v[i].line, v[i].s);
			goto out;
		}
		if (++r->left_out > LEFT_OUT_SHOWN)
			continue;
		warn(r,
		     "%s:%d: value '%s' is left out: it holds control "
		     "characters or is not UTF-8",
		     path, v[i].line, v[i].s);
	}
	if (r->left_out > LEFT_OUT_SHOWN)
		warn(r, "%zu more values are left out for the same reason",
		     r->left_out - LEFT_OUT_SHOWN);
	sort_unique(r);
	r->live = n;
	rc = 0;
out:
	free(v);
	free(data);
	arena_release(&a);
	return rc;
}
