/*
 * The parts of a tenant's policy that are about the policy itself: an
 * approval of one set of deletions (DESIGN §1.4), and the warnings
 * `validate` gives when a policy leaves a tenant without the guards that
 * stop a wrong keep list from deleting people.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/config_tree.h"
#include "util/date.h"

#define DIGEST_PREFIX "sha256:"

/*
 * The keep lists of a plausible tenant are a tenth of its users or more,
 * and a tenant of a thousand users is not exceptional: a max_deletions
 * at or above this can never trip in practice.
 */
#define PLAUSIBLE_MIN	     1000
#define PLAUSIBLE_PER_KEEP   10
#define VERY_LARGE_DELETIONS 100000
#define VERY_LARGE_PERCENT   90

static bool hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

static void load_digest(struct loader *L, const struct ynode *v,
			struct approval *a, bool *ok)
{
	char *s = cfg_get_string(L, v, "deletions");
	size_t plen = strlen(DIGEST_PREFIX);

	if (!s) {
		*ok = false;
		return;
	}
	if (strncmp(s, DIGEST_PREFIX, plen) || !hex64(s + plen)) {
		cfg_error_at(L, v,
			     "'deletions' must be \"sha256:\" and 64 "
			     "lower-case hex digits, as the plan prints it");
		*ok = false;
	} else {
		memcpy(a->digest, s + plen, 65);
	}
	free(s);
}

static void load_expires(struct loader *L, const struct ynode *v,
			 struct approval *a, bool *ok)
{
	char *s = cfg_get_string(L, v, "expires");
	long day, today = date_today();

	if (!s) {
		*ok = false;
		return;
	}
	if (!date_parse(s, &day)) {
		cfg_error_at(L, v,
			     "'expires' must be a date, YYYY-MM-DD, not '%s'",
			     s);
		*ok = false;
	} else if (day > today + APPROVAL_MAX_DAYS) {
		/* an approval is for one change, not a guard switched off */
		cfg_error_at(L, v,
			     "'expires' %s is more than %d days ahead: an "
			     "approval holds for one change, not for good",
			     s, APPROVAL_MAX_DAYS);
		*ok = false;
	} else {
		date_format(day, a->expires);
		if (day < today)
			cfg_warn_at(L, v,
				    "policy.approve expired on %s: the count "
				    "and percent guards hold again (remove it)",
				    a->expires);
	}
	free(s);
}

void cfg_load_approval(struct loader *L, const struct ynode *n,
		       struct approval *a)
{
	static const char *const keys[] = { "deletions", "expires", NULL };
	const struct ynode *v;
	bool ok = true;

	memset(a, 0, sizeof(*a));
	if (!cfg_check_map(L, n, "approve", keys))
		return;
	if (!(v = cfg_get(n, "deletions"))) {
		cfg_error_at(L, n,
			     "'approve' needs 'deletions': the digest the "
			     "plan printed");
		ok = false;
	} else {
		load_digest(L, v, a, &ok);
	}
	if (!(v = cfg_get(n, "expires"))) {
		cfg_error_at(L, n,
			     "'approve' needs 'expires': a date at most %d "
			     "days ahead",
			     APPROVAL_MAX_DAYS);
		ok = false;
	} else {
		load_expires(L, v, a, &ok);
	}
	if (!ok) {
		memset(a, 0, sizeof(*a));
		return;
	}
	a->set = true;
	a->line = n->line;
	a->col = n->col;
}

static size_t keep_values(const struct tenant *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->keep.n; i++)
		n += t->keep.v[i].kind == MATCHER_FILE ? t->keep.v[i].nvalues
						       : 1;
	return n;
}

/* Whether neither max_deletions nor max_delete_percent could ever trip. */
static bool guards_off(const struct tenant *t)
{
	const struct policy *p = &t->policy;
	size_t plausible = keep_values(t) * PLAUSIBLE_PER_KEEP;

	if (plausible < PLAUSIBLE_MIN)
		plausible = PLAUSIBLE_MIN;
	if (p->max_delete_percent >= 100 &&
	    (size_t)p->max_deletions >= plausible)
		return true;
	return p->max_delete_percent >= VERY_LARGE_PERCENT &&
	       p->max_deletions >= VERY_LARGE_DELETIONS;
}

void cfg_policy_warnings(struct loader *L, const struct ynode *tn,
			 const struct tenant *t, const struct ynode *empty_at)
{
	const struct policy *p = &t->policy;
	const struct ynode *pol = cfg_get(tn, "policy");
	const char *name = t->name ? t->name : "?";

	if (guards_off(t))
		cfg_warn_at(L, pol ? pol : tn,
			    "tenant '%s': max_delete_percent %d and "
			    "max_deletions %ld switch the count and percent "
			    "guards off: keep them, and approve a large "
			    "deletion once with policy.approve",
			    name, p->max_delete_percent, p->max_deletions);
	if (p->allow_empty_keep && t->mode != MODE_REPORT)
		cfg_warn_at(L, empty_at ? empty_at : tn,
			    "tenant '%s': policy.allow_empty_keep is true "
			    "outside mode: report: an empty keep list "
			    "deletes every user the tenant manages",
			    name);
}
