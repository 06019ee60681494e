/*
 * keepcheck: is the keep list the one that was meant?
 *
 * A run fed a wrong keep list (the wrong CSV column, `field: id` on a
 * file of emails, a section lost in a merge) deletes people without a
 * single failed request. These checks look at the list itself: how many
 * of its values matched a live user, and how it changed since the
 * desired state at another ref (plan --compare-ref). Keep values are
 * counted the same way everywhere: an inline entry is one value, a file
 * each of its values.
 *
 * Pure, like the diff: the caller gives the live users and the matchset
 * they were classified with.
 */
#ifndef USERPRUNE_KEEPCHECK_H
#define USERPRUNE_KEEPCHECK_H

#include "reconcile/config.h"
#include "reconcile/match.h"
#include "reconcile/plan.h"
#include "reconcile/users.h"

/* A keep source of at least this many values must match someone. */
#define KEEP_SOURCE_MIN 10

/* The keep values of a list: inline entries one each, files each value. */
size_t keep_count_values(const struct matcher_list *keep);

/*
 * Sets tp->keep_values and tp->keep_matched from keep (the tenant's keep
 * list compiled into a matchset every live user went through), and trips
 * keep_unmatched for each source of at least KEEP_SOURCE_MIN values of
 * which none matched: a file entry, or the inline entries together. The
 * guard names the file, field and column, with sample values next to
 * sample live values of that field. Only where the tenant manages users:
 * against an empty tenant a keep list proves nothing.
 */
void keep_check(struct tenant_plan *tp, const struct config *c,
		const struct tenant *t, const struct matchset *keep,
		const struct userstore *live);

/*
 * Sets tp->keep_changes: the keep values of before (the tenant in the
 * desired state at the compared ref) against those of now.
 */
void keep_compare(struct tenant_plan *tp, const struct tenant *now,
		  const struct tenant *before);

#endif
