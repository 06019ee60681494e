#include <stdlib.h>
#include <string.h>

#include "reconcile/approval.h"
#include "reconcile/diff.h"
#include "reconcile/keepcheck.h"
#include "reconcile/match.h"
#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* The expiry the approval line suggests, in days from today. */
#define APPROVAL_SUGGESTED_DAYS 7

#define UNMATCHED_SHOWN	 5
#define UNNAMEABLE_SHOWN 5
#define BLOCKED_SHOWN	 10

/*
 * An id that holds a NUL (seen as U+001A), a control character or bytes
 * that are not UTF-8 could be cut, altered or mistaken for another on its
 * way into a plan file or a URL: such a user is left alone, and named.
 */
static void warn_unnameable(struct tenant_plan *tp, const struct user *u,
			    size_t nth)
{
	if (nth >= UNNAMEABLE_SHOWN)
		return;
	tenant_plan_warn(tp,
			 "user '%s' (username %s, email %s, name %s) is left "
			 "alone: its id holds a control character or is not "
			 "UTF-8, so no request could name it exactly",
			 u->id, u->username ? u->username : "none",
			 u->email ? u->email : "none",
			 u->name ? u->name : "none");
}

/*
 * A user the vendor cannot delete the way the tenant asks (an unmanaged
 * account and atlassian-org's delete_action: delete) is left out of the
 * deletions, so that the plan holds exactly the requests apply will send,
 * and named with the reason, so that a reviewer sees who stays and why.
 */
static void warn_blocked(struct tenant_plan *tp, const struct user *u,
			 const char *why, size_t nth)
{
	if (nth >= BLOCKED_SHOWN)
		return;
	tenant_plan_warn(tp,
			 "user '%s' (email %s, name %s) is blocked and left "
			 "alone: %s",
			 u->id, u->email ? u->email : "none",
			 u->name ? u->name : "none", why);
}

static const char *delete_reason(const struct user *u)
{
	return u->flags & USER_INVITED ? "not kept (a pending invitation, "
					 "never accepted)"
				       : "not kept";
}

/* A non-human account is in scope only where an include names its type. */
static bool included(const struct matcher_list *inc, struct matchset *ms,
		     const struct user *u)
{
	size_t i;

	if (!inc->n)
		return u->type == USER_HUMAN;
	if (u->type == USER_HUMAN)
		return matchset_match(ms, u);
	for (i = 0; i < inc->n; i++)
		if (inc->v[i].kind == MATCHER_FIELDS &&
		    inc->v[i].field[MATCH_TYPE] &&
		    matcher_matches(&inc->v[i], u))
			return true;
	return false;
}

static void warn_unmatched(struct tenant_plan *tp, const struct config *c,
			   const struct matcher_list *keep,
			   const struct matchset *ms)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, missed, shown;
	char *what;

	for (i = 0; i < keep->n; i++) {
		const struct matcher *m = &keep->v[i];

		if (m->kind != MATCHER_FILE) {
			if (ms->hits[i])
				continue;
			what = matcher_describe(m);
			tenant_plan_warn(tp,
					 "%s:%d:%d: keep entry %s matched no "
					 "live user",
					 c->name, m->line, m->col, what);
			free(what);
			continue;
		}
		missed = shown = 0;
		strbuf_reset(&sb);
		for (j = 0; j < m->nvalues; j++) {
			if (matchset_value_hit(ms, i, j))
				continue;
			if (shown++ < UNMATCHED_SHOWN)
				strbuf_addf(&sb, "%s'%s' (line %d)",
					    missed ? ", " : "", m->values[j].s,
					    m->values[j].line);
			missed++;
		}
		if (!missed)
			continue;
		tenant_plan_warn(tp,
				 "%s:%d:%d: keep file '%s': %zu of %zu values "
				 "matched no live user: %s%s",
				 c->name, m->line, m->col, m->path, missed,
				 m->nvalues, sb.buf,
				 missed > UNMATCHED_SHOWN ? ", ..." : "");
	}
	strbuf_release(&sb);
}

static void file_guards(struct tenant_plan *tp, const struct config *c,
			const struct matcher_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].problem)
			tenant_plan_guard(tp, "value_file", true,
					  "%s:%d:%d: %s", c->name, l->v[i].line,
					  l->v[i].col, l->v[i].problem);
}

/*
 * What policy.approve says about a count or percent guard that would
 * trip, for its detail: that it is waived, or why not; and, when it
 * trips, the line that approves exactly these deletions.
 */
static void approval_note(struct strbuf *sb, const struct tenant_plan *tp,
			  const struct tenant *t, enum approval_verdict v,
			  const char *digest, long today, bool hint)
{
	const struct approval *a = &t->policy.approve;
	char until[DATE_LEN];

	switch (v) {
	case APPROVAL_HOLDS:
		strbuf_addf(sb,
			    "; waived: policy.approve approves exactly these "
			    "%zu deletions (sha256:%.12s) until %s",
			    tp->ndel, digest, a->expires);
		return;
	case APPROVAL_OTHER_USERS:
		strbuf_addf(sb,
			    "; policy.approve (sha256:%.12s) approves another "
			    "set of users: these %zu planned users are "
			    "sha256:%.12s",
			    a->digest, tp->ndel, digest);
		break;
	case APPROVAL_EXPIRED:
		strbuf_addf(sb, "; policy.approve expired on %s", a->expires);
		break;
	case APPROVAL_TOO_FAR:
		strbuf_addf(sb,
			    "; policy.approve expires %s, more than %d days "
			    "ahead",
			    a->expires, APPROVAL_MAX_DAYS);
		break;
	case APPROVAL_NONE:
		break;
	}
	if (!hint)
		return;
	date_format(today + APPROVAL_SUGGESTED_DAYS, until);
	strbuf_addf(sb,
		    "; to approve exactly these %zu deletions, add to tenant "
		    "'%s': policy: { approve: { deletions: \"sha256:%s\", "
		    "expires: \"%s\" } }",
		    tp->ndel, t->name, digest, until);
}

static void count_guards(struct tenant_plan *tp, const struct tenant *t,
			 long today)
{
	const struct plan_counts *n = &tp->counts;
	const struct policy *pol = &t->policy;
	size_t managed = n->in_scope - n->pending;
	bool count, percent;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	enum approval_verdict v;
	char digest[65];

	count = n->delete > (size_t)pol->max_deletions;
	percent = managed >= 20 &&
		  n->delete *100 > (size_t)pol->max_delete_percent * managed;
	v = APPROVAL_NONE;
	/* sorting half a million users is not free: only when it matters */
	if (count || percent || pol->approve.set) {
		approval_digest(tp->del, tp->ndel, digest);
		v = approval_check(&pol->approve, digest, today);
	}
	if (count)
		approval_note(&a, tp, t, v, digest, today, !percent);
	if (percent)
		approval_note(&b, tp, t, v, digest, today, true);
	tenant_plan_guard(tp, "max_deletions", count && v != APPROVAL_HOLDS,
			  "%zu deletion%s planned, policy.max_deletions is "
			  "%ld%s",
			  n->delete, n->delete == 1 ? "" : "s",
			  pol->max_deletions, strbuf_str(&a));
	tp->guards[tp->nguards - 1].waived = count && v == APPROVAL_HOLDS;
	if (managed >= 20) {
		tenant_plan_guard(tp, "max_delete_percent",
				  percent && v != APPROVAL_HOLDS,
				  "%zu of %zu managed users (%.1f%%), "
				  "policy.max_delete_percent is %d%s",
				  n->delete, managed,
				  100.0 * (double)n->delete / (double)managed,
				  pol->max_delete_percent, strbuf_str(&b));
		tp->guards[tp->nguards - 1].waived =
			percent && v == APPROVAL_HOLDS;
	}
	strbuf_release(&a);
	strbuf_release(&b);
}

/* A keep list that matches almost nobody, or shrank since the ref. */
static void keep_guards(struct tenant_plan *tp, const struct tenant *t)
{
	const struct plan_counts *n = &tp->counts;
	const struct policy *pol = &t->policy;
	const struct keep_changes *kc = tp->keep_changes;

	if (n->in_scope > n->pending && tp->keep_values >= KEEP_SOURCE_MIN)
		tenant_plan_guard(
			tp, "keep_match_rate",
			tp->keep_matched * 100 <
				(size_t)pol->min_keep_match_percent *
					tp->keep_values,
			"%zu of %zu keep values (%.1f%%) matched a live user, "
			"policy.min_keep_match_percent is %d",
			tp->keep_matched, tp->keep_values,
			100.0 * (double)tp->keep_matched /
				(double)tp->keep_values,
			pol->min_keep_match_percent);
	if (kc && kc->before)
		tenant_plan_guard(
			tp, "max_keep_shrink_percent",
			tp->keep_values < kc->before &&
				(kc->before - tp->keep_values) * 100 >
					(size_t)pol->max_keep_shrink_percent *
						kc->before,
			"%zu keep values at the compared ref, %zu now "
			"(%+.1f%%; %zu removed, %zu added), "
			"policy.max_keep_shrink_percent is %d",
			kc->before, tp->keep_values,
			100.0 * ((double)tp->keep_values - (double)kc->before) /
				(double)kc->before,
			kc->nremoved, kc->nadded, pol->max_keep_shrink_percent);
}

void diff_policy_guards(struct tenant_plan *tp, const struct tenant *t,
			long today)
{
	const struct policy *pol = &t->policy;

	count_guards(tp, t, today);
	if (!tp->keep_values)
		tenant_plan_guard(tp, "empty_keep", !pol->allow_empty_keep,
				  "the keep list is empty%s",
				  pol->allow_empty_keep
					  ? " (policy.allow_empty_keep is true)"
					  : ": every managed user would be "
					    "deleted (set "
					    "policy.allow_empty_keep: true to "
					    "allow)");
	keep_guards(tp, t);
}

void diff_budget_guard(struct tenant_plan *tp, const struct tenant *t)
{
	if (t->limits.daily_request_budget > 0)
		tenant_plan_guard(tp, "daily_request_budget",
				  tp->requests > t->limits.daily_request_budget,
				  "apply needs about %ld requests, "
				  "limits.daily_request_budget is %ld",
				  tp->requests, t->limits.daily_request_budget);
}

bool diff_in_scope(const struct tenant *t, struct matchset *inc,
		   struct matchset *exc, const struct user *u)
{
	return included(&t->include, inc, u) && !matchset_match(exc, u);
}

bool diff_inactive_is_final(const struct tenant *t)
{
	const struct vendor *v = t->vendor;

	/* mode deactivate: an inactive user is as far as it goes */
	return v && (t->mode == MODE_DEACTIVATE || v->inactive_is_final ||
		     (v->deactivates && v->deactivates(t)));
}

static void diff(struct plan *p, struct tenant_plan *tp,
		 const struct diff_input *in, bool taking)
{
	const struct tenant *t = in->tenant;
	const struct userstore *live = in->live;
	struct matchset inc, exc, prot, keep;
	struct plan_counts *n = &tp->counts;
	size_t i, unnameable = 0, blocked = 0, by_protect = 0;
	const char *why;

	matchset_init(&inc, t->include.v, t->include.n);
	matchset_init(&exc, t->exclude.v, t->exclude.n);
	matchset_init(&prot, t->protect.v, t->protect.n);
	matchset_init(&keep, t->keep.v, t->keep.n);
	free(tp->caller);
	tp->caller = xstrdup_or_null(live->caller);
	n->live = live->n;
	for (i = 0; i < live->n; i++) {
		const struct user *u = &live->v[i];
		/* every user counts towards keep hits, for the typo warning */
		bool kept = matchset_match(&keep, u);

		if (!diff_in_scope(t, &inc, &exc, u)) {
			n->untouched++;
			continue;
		}
		n->in_scope++;
		if (u->status == STATUS_PENDING_DELETION ||
		    (u->status == STATUS_INACTIVE && diff_inactive_is_final(t)))
			n->pending++;
		else if (live->caller && !strcmp(u->id, live->caller))
			n->protected ++;
		else if (matchset_match(&prot, u))
			n->protected ++, by_protect++;
		else if (kept)
			n->kept++;
		else if (!user_id_plannable(u->id))
			warn_unnameable(tp, u, unnameable++);
		else if (in->blocked && (why = in->blocked(in->blocked_arg, u)))
			warn_blocked(tp, u, why, blocked++);
		else if (taking)
			plan_add_delete_ref(tp, u, delete_reason(u));
		else
			plan_add_delete(p, tp, u, delete_reason(u));
	}
	n->delete = tp->ndel;
	if (blocked > BLOCKED_SHOWN)
		tenant_plan_warn(tp,
				 "%zu users the keep list does not keep are "
				 "blocked (the first %d named above): counted "
				 "as protected, never deleted by this plan",
				 blocked, BLOCKED_SHOWN);
	else if (blocked)
		tenant_plan_warn(tp,
				 "%zu user%s the keep list does not keep %s "
				 "blocked (named above): counted as protected, "
				 "never deleted by this plan",
				 blocked, blocked == 1 ? "" : "s",
				 blocked == 1 ? "is" : "are");
	n->protected += blocked;
	if (unnameable > UNNAMEABLE_SHOWN)
		tenant_plan_warn(tp,
				 "%zu more users whose ids hold control "
				 "characters or are not UTF-8 are left alone",
				 unnameable - UNNAMEABLE_SHOWN);
	n->protected += unnameable;

	file_guards(tp, in->config, &t->keep);
	file_guards(tp, in->config, &t->protect);
	file_guards(tp, in->config, &t->include);
	file_guards(tp, in->config, &t->exclude);
	keep_check(tp, in->config, t, &keep, live);
	if (in->base)
		keep_compare(tp, t, in->base);
	diff_policy_guards(tp, t, in->today);

	warn_unmatched(tp, in->config, &t->keep, &keep);
	/* the note asks for protect entries: not when some match */
	if (!live->caller && !by_protect && t->vendor &&
	    t->vendor->app_credentials)
		tenant_plan_warn(tp,
				 "the credentials belong to an application, "
				 "not a user: make sure administrators are "
				 "listed under 'protect'");
	else if (!live->caller && !by_protect)
		tenant_plan_warn(tp,
				 "the calling identity is not known for this "
				 "tenant: make sure administrators are listed "
				 "under 'protect'");
	if (tenant_option_bool(t, "scim_managed"))
		tenant_plan_warn(tp,
				 "options.scim_managed is true: users "
				 "provisioned by the identity provider come "
				 "back after its next sync; remove them there");
	matchset_release(&inc);
	matchset_release(&exc);
	matchset_release(&prot);
	matchset_release(&keep);
}

void diff_tenant(struct plan *p, struct tenant_plan *tp,
		 const struct diff_input *in)
{
	diff(p, tp, in, false);
}

void diff_tenant_taking(struct plan *p, struct tenant_plan *tp,
			const struct diff_input *in)
{
	diff(p, tp, in, true);
}
