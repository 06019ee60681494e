/*
 * The vendor registry: every connector userprune has. Adding a vendor
 * means its file, a line here, and nothing else.
 */
#include <string.h>

#include "reconcile/vendors/vendor.h"

extern const struct vendor vendor_atlassian;
extern const struct vendor vendor_atlassian_org;
extern const struct vendor vendor_uipath;
extern const struct vendor vendor_bevy;
extern const struct vendor vendor_automation_anywhere;
extern const struct vendor vendor_bizagi;
extern const struct vendor vendor_scim;

const struct vendor *const vendor_list[] = {
	&vendor_atlassian,
	&vendor_atlassian_org,
	&vendor_uipath,
	&vendor_bevy,
	&vendor_automation_anywhere,
	&vendor_bizagi,
	&vendor_scim,
	NULL,
};

static const char *const auth_names[AUTH_NTYPES] = {
	[AUTH_BASIC] = "basic",
	[AUTH_BEARER] = "bearer",
	[AUTH_TOKEN] = "token",
	[AUTH_OAUTH2] = "oauth2",
	[AUTH_CONTROL_ROOM] = "control-room",
};

const struct vendor *vendor_find(const char *name)
{
	size_t i;

	for (i = 0; vendor_list[i]; i++)
		if (!strcmp(vendor_list[i]->name, name))
			return vendor_list[i];
	return NULL;
}

const char *auth_type_name(enum auth_type t)
{
	return (unsigned)t < AUTH_NTYPES ? auth_names[t] : "?";
}

int auth_type_parse(const char *name, enum auth_type *t)
{
	int i;

	for (i = 0; i < AUTH_NTYPES; i++) {
		if (!strcmp(auth_names[i], name)) {
			*t = (enum auth_type)i;
			return 0;
		}
	}
	return -1;
}

const struct vendor_option *vendor_option_find(const struct vendor *v,
					       const char *key)
{
	const struct vendor_option *o;

	for (o = v->options; o && o->key; o++)
		if (!strcmp(o->key, key))
			return o;
	return NULL;
}

static const char *const outcome_names[] = {
	[OUTCOME_DELETED] = "deleted",
	[OUTCOME_DEACTIVATED] = "deactivated",
	[OUTCOME_SCHEDULED] = "scheduled",
	[OUTCOME_ABSENT] = "absent",
	[OUTCOME_BLOCKED] = "blocked",
	[OUTCOME_SKIPPED] = "skipped",
	[OUTCOME_FAILED] = "failed",
	[OUTCOME_RESTORED] = "restored",
	[OUTCOME_NOT_UNDOABLE] = "not_undoable",
};

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "failed";
}

int outcome_parse(const char *name, enum outcome *o)
{
	int i;

	for (i = 0; i < OUTCOME_COUNT; i++) {
		if (!strcmp(outcome_names[i], name)) {
			*o = (enum outcome)i;
			return 0;
		}
	}
	return -1;
}
