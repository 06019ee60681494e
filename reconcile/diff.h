/*
 * diff: live users x desired state -> the plan of one tenant.
 *
 * Pure: no I/O, no clock, no randomness. Classification of every live user,
 * first rule that applies wins: out of scope -> untouched; pending deletion
 * (or, where the vendor's deletion is a deactivation, inactive) -> pending;
 * the caller -> protected; a protect match -> protected; a keep match ->
 * kept; one the vendor cannot delete -> protected, named in a warning with
 * the reason; else -> delete. Then the guards of the safety model, and
 * warnings (keep entries that matched no live user).
 */
#ifndef USERPRUNE_DIFF_H
#define USERPRUNE_DIFF_H

#include "reconcile/config.h"
#include "reconcile/match.h"
#include "reconcile/plan.h"
#include "reconcile/users.h"

struct diff_input {
	const struct config *config; /* for positions in warnings */
	const struct tenant *tenant;
	const struct userstore *live; /* with the caller's id, if known */
	/*
	 * Why the vendor cannot delete u in this tenant, or NULL (see
	 * vendor.h user_blocked); the callback may be NULL.
	 */
	const char *(*blocked)(void *arg, const struct user *u);
	void *blocked_arg;
	long today; /* day number (util/date.h), for approvals */
	/* the tenant in the desired state at --compare-ref, or NULL */
	const struct tenant *base;
};

/* Fills tp (already added to p) with counts, deletions, guards, warnings. */
void diff_tenant(struct plan *p, struct tenant_plan *tp,
		 const struct diff_input *in);
/*
 * The same, for a store whose strings go to the plan after the diff
 * (plan_take_strings): deletions refer to them instead of copying them.
 */
void diff_tenant_taking(struct plan *p, struct tenant_plan *tp,
			const struct diff_input *in);

/*
 * Whether the tenant's deletion only deactivates, so that its inactive
 * users are done (pending), never planned again.
 */
bool diff_inactive_is_final(const struct tenant *t);

/*
 * Whether the tenant manages u: its scope (default: human users; other
 * types only where an include names them) minus its excludes. inc and
 * exc are the compiled include and exclude lists.
 */
bool diff_in_scope(const struct tenant *t, struct matchset *inc,
		   struct matchset *exc, const struct user *u);

/*
 * The guards that follow from a tenant plan's counts, keep values, keep
 * changes, planned users and the policy alone (max_deletions,
 * max_delete_percent, empty_keep, keep_match_rate,
 * max_keep_shrink_percent): computed by the diff, and again by apply
 * from a plan file's own numbers. The count and percent guards are
 * waived while policy.approve names the digest of tp's planned users and
 * today (a day number) is not past its date.
 */
void diff_policy_guards(struct tenant_plan *tp, const struct tenant *t,
			long today);

/*
 * The daily request budget guard, once tp->requests holds what an apply
 * of the plan would cost (known only after the diff).
 */
void diff_budget_guard(struct tenant_plan *tp, const struct tenant *t);

#endif
