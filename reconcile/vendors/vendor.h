/*
 * vendor: what userprune knows about one SaaS vendor's user API.
 *
 * Each connector file in reconcile/vendors/ exports one const struct vendor
 * and the registry (registry.c) lists them. This header holds the
 * declarative part the configuration loader needs: allowed auth types,
 * the options a tenant may set and their defaults, and default limits.
 */
#ifndef USERPRUNE_VENDOR_H
#define USERPRUNE_VENDOR_H

#include <stdbool.h>
#include <stddef.h>

enum auth_type {
	AUTH_BASIC,
	AUTH_BEARER,
	AUTH_TOKEN,
	AUTH_OAUTH2,
	AUTH_CONTROL_ROOM,
	AUTH_NTYPES,
};

#define AUTH_BIT(t) (1u << (t))

enum option_kind { OPTION_STRING, OPTION_BOOL, OPTION_INT, OPTION_ENUM };

struct vendor_option {
	const char *key;
	enum option_kind kind;
	const char *choices; /* OPTION_ENUM: "auto|never" */
	const char *def;     /* default as written in YAML, or NULL */
	bool required;
};

/* Limits; a negative value (or 0 for rates) means "not set". */
struct limits {
	int concurrency;
	double requests_per_second; /* 0: no fixed rate, adapt to 429s */
	long daily_request_budget;  /* 0: none */
	int batch_size;
	int timeout_seconds;
	int max_attempts;
};

struct vendor {
	const char *name;
	unsigned auth_types;		     /* AUTH_BIT()s accepted */
	const struct vendor_option *options; /* ends with a NULL key */
	struct limits defaults;
	int max_batch; /* largest bulk delete; 1 when deletes are single */
	/* deactivation is as far as deletion goes: inactive users are done */
	bool inactive_is_final;
};

extern const struct vendor *const vendor_list[];

const struct vendor *vendor_find(const char *name);
/* "atlassian, uipath, ..." for messages. */
const char *vendor_names(void);
const char *auth_type_name(enum auth_type t);
int auth_type_parse(const char *name, enum auth_type *t);
const struct vendor_option *vendor_option_find(const struct vendor *v,
					       const char *key);

#endif
