/*
 * who: which live accounts a value names, and why each is kept,
 * protected, pending, out of scope or planned for deletion.
 *
 * The rules are tried in the order the diff applies them (diff.h), each
 * through the same predicates and compiled matchsets, so that `who` says
 * what a plan does; what differs is that the first rule that matched is
 * named, where the diff only counts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/diff.h"
#include "reconcile/reconcile.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

const char *who_class_name(enum who_class c)
{
	static const char *const names[] = { "out_of_scope", "pending",
					     "protected",    "kept",
					     "left_alone",   "delete" };

	return names[c];
}

void who_result_release(struct who_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct who_account *a = &r->v[i];

		free(a->tenant);
		free(a->id);
		free(a->email);
		free(a->username);
		free(a->name);
		free(a->rule);
		free(a->explanation);
		free(a->keep_file);
		free(a->keep_value);
	}
	free(r->v);
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

struct who {
	const char *value;
	struct matcher wanted; /* value as a bare keep entry would be */
	struct who_result *r;
};

static void decided(struct who_account *a, enum who_class cls, const char *rule,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void decided(struct who_account *a, enum who_class cls, const char *rule,
		    const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	a->cls = cls;
	a->rule = xstrdup(rule);
	a->explanation = strbuf_detach(&sb, NULL);
}

/*
 * "keep[2] {email: \"*@acme.com\"}" for the first entry of list that
 * matches u, with its position; a keep file's value and line too.
 */
static bool first_rule(struct who_account *a, struct matchset *ms,
		       const char *list, const struct user *u, char **rule)
{
	const struct matcher *m;
	size_t mi, vi;
	char *what;

	if (!matchset_first(ms, u, &mi, &vi))
		return false;
	m = &ms->m[mi];
	what = matcher_describe(m);
	*rule = xasprintf("%s[%zu] %s", list, mi, what);
	free(what);
	a->line = m->line;
	a->col = m->col;
	if (m->kind == MATCHER_FILE && vi != SIZE_MAX) {
		a->keep_file = xstrdup(m->path);
		a->keep_value = xstrdup(m->values[vi].s);
		a->keep_line = m->values[vi].line;
	}
	return true;
}

/* "kept by keep[3] file 'keep/staff.txt' line 12 ('ada@acme.com')" */
static void by_rule(struct who_account *a, enum who_class cls, const char *rule,
		    const char *verb)
{
	if (a->keep_file)
		decided(a, cls, rule, "%s %s line %d ('%s')", verb, rule,
			a->keep_line, a->keep_value);
	else
		decided(a, cls, rule, "%s %s", verb, rule);
}

/* Out of scope: which of the scope's rules left u out. */
static void out_of_scope(struct who_account *a, const struct tenant *t,
			 struct matchset *inc, struct matchset *exc,
			 struct matchset *none, const struct user *u)
{
	char *rule = NULL;

	if (diff_in_scope(t, inc, none, u) &&
	    first_rule(a, exc, "scope.exclude", u, &rule)) {
		by_rule(a, WHO_OUT_OF_SCOPE, rule, "out of scope: excluded by");
	} else if (u->type != USER_HUMAN) {
		rule = xasprintf("type %s", user_type_name(u->type));
		decided(a, WHO_OUT_OF_SCOPE, rule,
			"out of scope: %s (no scope.include names the type)",
			rule);
	} else {
		decided(a, WHO_OUT_OF_SCOPE, "scope.include",
			"out of scope: matched by no scope.include entry");
	}
	free(rule);
}

/* The rules of diff_tenant, in its order; the first that applies wins. */
static void classify(struct who_account *a, const struct diff_input *in,
		     struct matchset *ms, const struct user *u)
{
	struct matchset *inc = &ms[0], *exc = &ms[1], *prot = &ms[2],
			*keep = &ms[3], *none = &ms[4];
	const struct tenant *t = in->tenant;
	const char *why;
	char *rule = NULL;

	if (!diff_in_scope(t, inc, exc, u))
		out_of_scope(a, t, inc, exc, none, u);
	else if (u->status == STATUS_PENDING_DELETION)
		decided(a, WHO_PENDING, "pending deletion",
			"pending: the vendor is deleting it already");
	else if (u->status == STATUS_INACTIVE && diff_inactive_is_final(t))
		decided(a, WHO_PENDING, "inactive",
			"pending: inactive, which is what a deletion here "
			"does");
	else if (in->live->caller && !strcmp(u->id, in->live->caller))
		decided(a, WHO_PROTECTED, "the caller",
			"protected: the caller");
	else if (first_rule(a, prot, "protect", u, &rule))
		by_rule(a, WHO_PROTECTED, rule, "protected by");
	else if (first_rule(a, keep, "keep", u, &rule))
		by_rule(a, WHO_KEPT, rule, "kept by");
	else if (!user_id_plannable(u->id))
		decided(a, WHO_LEFT_ALONE, "unnameable id",
			"left alone: its id holds a control character or is "
			"not UTF-8, so no request could name it exactly");
	else if (in->blocked && (why = in->blocked(in->blocked_arg, u)))
		decided(a, WHO_LEFT_ALONE, "blocked", "left alone: %s", why);
	else
		decided(a, WHO_DELETE, "not kept", "planned for deletion: %s%s",
			u->flags & USER_INVITED ? "not kept (a pending "
						  "invitation, never accepted)"
						: "not kept",
			t->mode == MODE_REPORT ? " (report only: apply never "
						 "deletes in this tenant)"
					       : "");
	free(rule);
}

static void listed(void *arg, const struct diff_input *in)
{
	struct who *w = arg;
	struct who_result *r = w->r;
	const struct tenant *t = in->tenant;
	struct matchset ms[5];
	size_t i;

	r->searched++;
	matchset_init(&ms[0], t->include.v, t->include.n);
	matchset_init(&ms[1], t->exclude.v, t->exclude.n);
	matchset_init(&ms[2], t->protect.v, t->protect.n);
	matchset_init(&ms[3], t->keep.v, t->keep.n);
	matchset_init(&ms[4], NULL, 0);
	for (i = 0; i < in->live->n; i++) {
		const struct user *u = &in->live->v[i];
		struct who_account *a;

		if (!matcher_matches(&w->wanted, u))
			continue;
		r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
		a = &r->v[r->n++];
		memset(a, 0, sizeof(*a));
		a->tenant = xstrdup(t->name);
		a->vendor = t->vendor->name;
		a->id = xstrdup(u->id);
		a->email = xstrdup_or_null(u->email);
		a->username = xstrdup_or_null(u->username);
		a->name = xstrdup_or_null(u->name);
		a->type = (enum user_type)u->type;
		a->status = (enum user_status)u->status;
		classify(a, in, ms, u);
	}
	for (i = 0; i < 5; i++)
		matchset_release(&ms[i]);
}

static void add_error(struct who_result *r, char *msg)
{
	r->errors = xrealloc(r->errors, (r->nerrors + 1) * sizeof(*r->errors));
	r->errors[r->nerrors++] = msg;
}

int reconcile_who(const struct config *c, const char *value,
		  const struct plan_opts *o, struct who_result *r,
		  struct err *e)
{
	struct who w = { value, { .kind = MATCHER_VALUE }, r };
	struct plan_opts po = *o;
	struct plan p;
	size_t i, j;
	int rc;

	memset(r, 0, sizeof(*r));
	w.wanted.value = xstrdup(value);
	po.listed = listed;
	po.listed_arg = &w;
	plan_init(&p);
	rc = reconcile_plan(c, &po, &p, e);
	for (i = 0; rc == 0 && i < p.ntenants; i++) {
		const struct tenant_plan *tp = &p.tenants[i];

		if (tp->error)
			add_error(r,
				  xasprintf("%s: %s", tp->t.name, tp->error));
		for (j = 0; j < tp->nguards; j++)
			if (!strcmp(tp->guards[j].name, "listing"))
				add_error(r, xasprintf("%s: %s", tp->t.name,
						       tp->guards[j].detail));
	}
	plan_release(&p);
	matcher_release(&w.wanted);
	return rc;
}
