/*
 * vendor: what userprune knows about one SaaS vendor's user API.
 *
 * Each connector file in reconcile/vendors/ exports one const struct vendor
 * and the registry (registry.c) lists them. A vendor has a declarative part
 * the configuration loader needs (auth types, options and their defaults,
 * default limits) and the connector hooks.
 *
 * Connectors are sans-I/O: a hook builds a request description or reads
 * an answer; the engine does the sending, retries, rate limits and
 * timeouts. Hooks report problems in words ("not JSON: <!DOCTYPE html>");
 * the drivers prefix the method, URL and status.
 */
#ifndef USERPRUNE_VENDOR_H
#define USERPRUNE_VENDOR_H

#include <stdbool.h>
#include <stddef.h>

struct session;
struct http_request;
struct http_response;
struct userstore;
struct user;
struct plan_user;
struct tenant;
struct tenant_plan;
struct err;

enum auth_type {
	AUTH_BASIC,
	AUTH_BEARER,
	AUTH_TOKEN,
	AUTH_OAUTH2,
	AUTH_CONTROL_ROOM,
	AUTH_NTYPES,
};

#define AUTH_BIT(t)    (1u << (t))
#define OUTCOME_BIT(o) (1u << (o))

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

/* How a listing pages. */
enum page_kind {
	PAGE_OFFSET_TOTAL,	 /* offset/limit; each answer gives the total */
	PAGE_OFFSET_UNTIL_EMPTY, /* offset/limit; the end is an empty page */
	PAGE_CURSOR,		 /* each answer links the next page */
};

struct page {
	long offset;	    /* 0-based index of the first user asked for */
	int limit;	    /* users asked for */
	const char *cursor; /* PAGE_CURSOR: next page's URL; NULL: first */
};

struct page_result {
	size_t count;	/* users in the answer, skipped ones included */
	size_t skipped; /* of them, users not added (gone, not accounts) */
	long total;	/* users in all, as the answer counts them; -1:
			   unknown. PAGE_OFFSET_TOTAL ends there; for the
			   others it is a cross-check */
	char *next;	/* PAGE_CURSOR: the next page's URL or cursor, NULL at
		       the end */
};

enum outcome {
	OUTCOME_DELETED,
	OUTCOME_DEACTIVATED, /* the vendor's deletion is a deactivation */
	OUTCOME_SCHEDULED,   /* soft delete: removed later, can be undone */
	OUTCOME_ABSENT,	     /* already gone (404) */
	OUTCOME_BLOCKED,     /* the vendor refuses this user */
	OUTCOME_SKIPPED,     /* changed since the plan: left alone */
	OUTCOME_FAILED,
	/* restore's: apply never records these */
	OUTCOME_RESTORED,     /* reactivated, or its deletion cancelled */
	OUTCOME_NOT_UNDOABLE, /* final, or the window has ended: not sent */
	OUTCOME_COUNT,
};

struct delete_result {
	enum outcome outcome;
	long status;
	char detail[256];
	bool stop_tenant; /* send nothing more to this tenant */
	/*
	 * Nothing was done for this user: the request was refused as too
	 * large (a 413 on a bulk request). Apply sends the users so marked
	 * again, in two requests of half the size, down to one user each;
	 * a request of one user is never sent again (outcome stands).
	 */
	bool resend;
};

/*
 * What a planned deletion does to a user (DESIGN §4), in the words the
 * plan shows a reviewer: "<what> (<undo>)", and for a scheduled deletion
 * "<what> (<undo> <the day it becomes final>)".
 */
struct effect {
	enum outcome outcome; /* what apply records: deleted, deactivated or
				 scheduled */
	const char *what;     /* "deleted", "removed from the organization" */
	const char *undo;     /* "irreversible", "re-invite to undo";
				 scheduled: "cancellable until" */
	int grace_days;	      /* scheduled: days it can be cancelled */
};

struct vendor {
	const char *name;
	/* the url of a tenant that gives none; NULL: url is required */
	const char *default_url;
	/*
	 * API paths the connector adds to url itself ("/rest/api/3", SCIM's
	 * "/Users"), ending with NULL: a url that ends in one, or holds one
	 * followed by '/', is refused with the base url to give instead.
	 * NULL: none known.
	 */
	const char *const *api_paths;
	unsigned auth_types;		     /* AUTH_BIT()s accepted */
	const struct vendor_option *options; /* ends with a NULL key */
	struct limits defaults;
	int max_batch; /* the largest limits.batch_size */
	bool bulk;     /* delete_request takes up to batch_size users */
	/* single deletes in groups of batch_size, with a pause between
	   groups (option batch_pause_seconds) */
	bool grouped;
	/* deactivation is as far as deletion goes: inactive users are done */
	bool inactive_is_final;
	/*
	 * The same decided per tenant, by its options (SCIM delete_method
	 * and delete_outcome); NULL: inactive_is_final alone decides.
	 */
	bool (*deactivates)(const struct tenant *t);
	/*
	 * A call that deactivates a user (reversibly) is confirmed in the
	 * vendor's material: mode deactivate is allowed, and the connector
	 * sends that call instead of its deletion in that mode.
	 */
	bool deactivation;
	/* the credentials belong to an application, never to a user */
	bool app_credentials;
	/*
	 * What to check when the vendor answers 401 (credentials refused),
	 * in words naming the auth fields: "check auth.token ...".
	 */
	const char *auth_hint;

	/*
	 * Token exchange (oauth2, Control Room). NULL: the auth type's
	 * static header (Basic, Bearer or Token) from the credentials.
	 */
	struct http_request *(*auth_request)(struct session *s);
	int (*auth_response)(struct session *s, const struct http_response *r,
			     struct err *e);
	/* The credential header; NULL: "Authorization: Bearer <token>". */
	char *(*auth_header)(struct session *s);
	/* The calling identity; NULL when unknowable or set at auth. */
	struct http_request *(*caller_request)(struct session *s);
	int (*caller_response)(struct session *s, const struct http_response *r,
			       struct err *e);
	/*
	 * Optional discovery before listing (SCIM ServiceProviderConfig,
	 * Control Room's API version); NULL from the hook: nothing to find.
	 * It may set the session's batch and paging (a server that offers
	 * cursors is listed with them).
	 */
	struct http_request *(*discover_request)(struct session *s);
	void (*discover_response)(struct session *s,
				  const struct http_response *r);

	enum page_kind paging; /* the session's, until discovery says */
	int page_size;	       /* users asked for per page */
	struct http_request *(*list_request)(struct session *s,
					     const struct page *pg);
	/* Adds the page's users to out (skipping those already gone). */
	int (*list_response)(struct session *s, const struct page *pg,
			     const struct http_response *r,
			     struct userstore *out, struct page_result *res,
			     struct err *e);
	/*
	 * What a failed listing answer (not 2xx) likely means, added to the
	 * error ("SCIM needs ..."); NULL: nothing to add.
	 */
	const char *(*list_hint)(struct session *s,
				 const struct http_response *r);

	/*
	 * How many of the n users (at least 1) at u one delete request
	 * takes: a bulk request within the server's payload limit, users
	 * that must go alone. NULL: all n.
	 */
	size_t (*delete_take)(struct session *s,
			      const struct plan_user *const *u, size_t n);
	/* One request deleting n users (n is 1 unless max_batch > 1). */
	struct http_request *(*delete_request)(struct session *s,
					       const struct plan_user *const *u,
					       size_t n);
	/* The outcome for each of the n users. */
	void (*delete_response)(struct session *s,
				const struct plan_user *const *u, size_t n,
				const struct http_response *r,
				struct delete_result *out);

	/*
	 * Why the vendor cannot delete this listed user the way the tenant
	 * asks, or NULL; the answer comes from the last listing (which may
	 * have seen more than a struct user holds). A blocked user is never
	 * planned: the plan names it and the reason; apply records a planned
	 * one blocked without sending a request.
	 */
	const char *(*user_blocked)(struct session *s, const struct user *u);

	/*
	 * What a planned deletion does in tenant t (its mode and options);
	 * NULL: the user is deleted, irreversibly.
	 */
	void (*effect)(const struct tenant *t, struct effect *out);
	/*
	 * userprune restore: the outcomes it can undo (OUTCOME_BIT()s of
	 * deactivated and scheduled), and the request that undoes `was`
	 * for a user (reactivate; cancel the deletion). Its answer is read
	 * like a deletion's: 2xx restored, 404 absent, anything else failed.
	 */
	unsigned restorable;
	struct http_request *(*restore_request)(struct session *s,
						const struct plan_user *u,
						enum outcome was);
	/*
	 * Why a reversible outcome cannot be undone through this vendor's
	 * API, for the report ("Bevy's cancel call is not known: cancel the
	 * deletion in Bevy"); NULL: a generic reason.
	 */
	const char *no_restore;

	/* Vendor-specific planning: warnings, guards, extra steps. */
	void (*plan_tenant)(const struct tenant *t, struct tenant_plan *tp);
	/* A step after the deletions (Bizagi MassUserDeletion). */
	struct http_request *(*post_request)(struct session *s);
	int (*post_response)(struct session *s, const struct http_response *r,
			     char *detail, size_t n);
	/* Frees what the connector keeps in s->priv besides s->priv itself. */
	void (*session_release)(struct session *s);
};

extern const struct vendor *const vendor_list[];

const struct vendor *vendor_find(const char *name);
const char *auth_type_name(enum auth_type t);
int auth_type_parse(const char *name, enum auth_type *t);
const struct vendor_option *vendor_option_find(const struct vendor *v,
					       const char *key);
const char *outcome_name(enum outcome o);
int outcome_parse(const char *name, enum outcome *o);

#endif
