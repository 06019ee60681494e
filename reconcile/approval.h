/*
 * approval: one large deletion approved for exactly one set of users.
 *
 * When the count or percent guard trips, the plan prints the digest of
 * the tenant's planned deletions and a policy line that approves them
 * (DESIGN §1.4). The digest is the SHA-256, in lower-case hex, of one
 * line per planned user, "id TAB email TAB username TAB status TAB type
 * LF", sorted by id in byte order, an absent field empty; so another set
 * of users, or the same users in another state, have another digest.
 * A plan file holds each byte of a field that is not UTF-8 as U+FFFD,
 * and so does the digest, so that a plan read back has the digest it
 * was written with. Pure: the day is given, never read here.
 */
#ifndef USERPRUNE_APPROVAL_H
#define USERPRUNE_APPROVAL_H

#include <stddef.h>

#include "reconcile/config.h"
#include "reconcile/plan.h"

enum approval_verdict {
	APPROVAL_NONE,	      /* the policy approves nothing */
	APPROVAL_HOLDS,	      /* these users, and the date has not passed */
	APPROVAL_OTHER_USERS, /* the digest is another set's */
	APPROVAL_EXPIRED,     /* the date has passed */
	APPROVAL_TOO_FAR,     /* expires more than APPROVAL_MAX_DAYS ahead */
};

/* The digest of the n users at del (in any order) as 64 hex digits. */
void approval_digest(const struct plan_user *del, size_t n, char out[65]);

/* What a's approval means for deletions of this digest on day today. */
enum approval_verdict approval_check(const struct approval *a,
				     const char *digest, long today);

#endif
