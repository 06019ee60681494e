/*
 * The parts of a tenant's policy that are about the policy itself: an
 * approval of one set of deletions (DESIGN §1.4).
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/config_tree.h"
#include "util/date.h"

#define DIGEST_PREFIX "sha256:"

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
