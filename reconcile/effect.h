/*
 * effect: what a plan's changes do and cost, in words a reviewer acts on
 * (DESIGN §4).
 *
 * Each planned user's effect is what the vendor will do to it, from the
 * tenant's vendor, mode and options: "deleted (irreversible)", "removed
 * from the organization (re-invite to undo)", "deactivated (restore with
 * userprune restore)", "scheduled for deletion (cancellable until DATE)".
 * Beside it, the keep list's blast radius and the requests and time an
 * apply takes at the tenant's rate. The renderings (render.c) show these;
 * the plan file stores each user's effect, and restore reads the vendor's
 * effect to know what can be undone and until when.
 */
#ifndef USERPRUNE_EFFECT_H
#define USERPRUNE_EFFECT_H

#include <stddef.h>

#include "reconcile/plan.h"
#include "util/strbuf.h"

/* The vendor's effect in t: deleted, irreversibly, when it says none. */
void effect_of(const struct tenant *t, struct effect *out);

/*
 * The words of t's effect, in a new string. A scheduled deletion's last
 * day is counted from `from` (an ISO 8601 UTC time: the plan's creation,
 * or when the deletion was sent; NULL: now).
 */
char *effect_words(const struct tenant *t, const char *from);

/* "YYYY-MM-DD" of `from` (as above) plus days, into buf. */
void effect_day(const char *from, int days, char *buf, size_t n);

/* Sets the effect of every planned user of tp (strings in p's arena). */
void plan_set_effects(struct plan *p, struct tenant_plan *tp);

/* "the keep list keeps 76 of 291 users in scope" */
void effect_blast_radius(const struct tenant_plan *tp, struct strbuf *out);

/*
 * "apply needs about 215 requests: about 22 s at 10 requests a second";
 * nothing when the tenant has nothing to apply.
 */
void effect_apply_cost(const struct tenant_plan *tp, struct strbuf *out);

/* Planned users of one effect, in plan order. */
struct effect_group {
	const char *words;
	const struct plan_user **u;
	size_t n;
};

/*
 * A tenant's planned users grouped by effect, groups in order of first
 * appearance. A user without one (a plan written before effects were
 * recorded) gets the tenant's, counted from the plan's creation.
 */
struct effect_groups {
	struct effect_group *v;
	size_t n;
	char *fallback; /* the words of users without an effect */
};

void effect_groups_init(struct effect_groups *g, const struct plan *p,
			const struct tenant_plan *tp);
void effect_groups_release(struct effect_groups *g);

#endif
