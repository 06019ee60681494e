/*
 * snapshot: live users read from a file instead of a vendor (plan --live).
 *
 * The file is a JSON object mapping each tenant name to either a list of
 * users or {"caller": ID, "users": [...]}; a user is {id, email, username,
 * name, type, status} (schema/live-users.schema.json). Users are parsed
 * one at a time, so a million of them need no document tree.
 */
#ifndef USERPRUNE_SNAPSHOT_H
#define USERPRUNE_SNAPSHOT_H

#include <stddef.h>

#include "reconcile/users.h"
#include "util/err.h"

struct snapshot_tenant {
	char *name;
	const char *value; /* the tenant's JSON value inside data */
	const char *end;
};

struct snapshot {
	char *path;
	const char *data; /* mapped */
	size_t len;
	struct snapshot_tenant *tenants;
	size_t n;
};

int snapshot_open(struct snapshot *s, const char *path, struct err *e);
/* Loads one tenant's users and caller into out (initialised by caller). */
int snapshot_users(const struct snapshot *s, const char *tenant,
		   struct userstore *out, struct err *e);
void snapshot_release(struct snapshot *s);

#endif
