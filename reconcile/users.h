/*
 * users: the live users of one tenant, stored compactly.
 *
 * A tenant of a million users must plan in well under a gigabyte, so the
 * strings of every user live in one arena and a user is five pointers and
 * two bytes. Users are kept in the order added (the vendor's listing
 * order); an index by id rejects duplicates, which offset paging produces
 * when users are added or removed while pages are fetched.
 *
 * The store owns everything it holds; struct user pointers stay valid
 * until the next userstore_add (the array may move) or userstore_release.
 */
#ifndef USERPRUNE_USERS_H
#define USERPRUNE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

enum user_type {
	USER_HUMAN,
	USER_APP,
	USER_ROBOT,
	USER_CUSTOMER,
	USER_UNKNOWN,
};

enum user_status {
	STATUS_ACTIVE,
	STATUS_INACTIVE,
	STATUS_PENDING_DELETION,
};

/* What else a vendor says about a user (struct user flags). */
enum user_flag {
	USER_INVITED = 1 << 0, /* a pending invitation, never accepted */
};

struct user {
	const char *id;
	const char *email;    /* NULL when the vendor hides or lacks it */
	const char *username; /* NULL when the vendor has none */
	const char *name;     /* display name, NULL when unknown */
	uint8_t type;	      /* enum user_type */
	uint8_t status;	      /* enum user_status */
	uint8_t flags;	      /* enum user_flag */
	/*
	 * The user's other email addresses (SCIM emails[]), each ended by a
	 * NUL and the list by an empty string: "a@x\0b@y\0\0"; NULL when
	 * the user has at most one (zero the struct before filling it in).
	 * email is the one shown, written to plans and fingerprinted;
	 * matchers try them all (user_email_next).
	 */
	const char *more_emails;
};

struct userstore {
	struct arena arena;
	struct user *v;
	size_t n, cap;
	/* the index by id (users.c): 8 bytes a slot, a power of two */
	uint64_t *index;
	size_t index_cap;
	char *caller; /* id of the calling identity, or NULL */
	/*
	 * Users added again under an id already there with another email,
	 * username, status or type: a listing that says two things about
	 * one user is inconsistent. The first such id, in the arena.
	 */
	size_t conflicts;
	const char *conflict;
};

void userstore_init(struct userstore *s);
void userstore_release(struct userstore *s);
/* Makes room for n users in all (an index that grows moves every id). */
void userstore_reserve(struct userstore *s, size_t n);
/*
 * Copies u (and its strings) into the store. Returns 0 when added, 1 when a
 * user with that id is already there (the store keeps the first, and
 * counts a conflict when u differs from it in a fingerprinted field).
 */
int userstore_add(struct userstore *s, const struct user *u);
const struct user *userstore_find(const struct userstore *s, const char *id);
/*
 * Keeps only the users at the indexes in order[0..n), in that order, and
 * rebuilds the index (the first of two users with one id wins).
 */
void userstore_select(struct userstore *s, const uint32_t *order, size_t n);
void userstore_set_caller(struct userstore *s, const char *id);
/*
 * Frees the index by id: no user is looked up any more (a lookup in a
 * store with users aborts rather than answer "not found"); a user added
 * later builds it again first.
 */
void userstore_unindex(struct userstore *s);

/*
 * Every email address of u, the shown one first: e NULL gives the first,
 * and the one after the last is NULL.
 *
 *	for (e = user_email_next(u, NULL); e; e = user_email_next(u, e))
 */
const char *user_email_next(const struct user *u, const char *e);

const char *user_type_name(enum user_type t);
const char *user_status_name(enum user_status s);
/* Returns 0 and sets *t, or -1 for an unknown name. */
int user_type_parse(const char *name, enum user_type *t);
int user_status_parse(const char *name, enum user_status *s);

/*
 * Whether a request can name the user by this id exactly: not empty,
 * UTF-8, and free of control characters (C0, DEL, C1). A NUL inside an id
 * reaches the store as U+001A (see session_json): such ids, and ids no
 * plan file or URL could carry unaltered, are never planned.
 */
bool user_id_plannable(const char *id);

/*
 * The staleness fingerprint of a user: hex SHA-256 over id, email,
 * username, status and type, each byte that is not UTF-8 taken as U+FFFD (as a
 * plan file writes it). A planned user whose fingerprint changed by apply
 * time is skipped.
 */
void user_fingerprint(const struct user *u, char out[65]);

#endif
