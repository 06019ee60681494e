/*
 * plan: the reviewed list of deletions, its file format and renderings.
 *
 * One model, several views: the plan file (JSON, format_version 1, with a
 * SHA-256 checksum over its body, and an HMAC-SHA256 tag when a key is
 * set), text for terminals, markdown for pull
 * requests. A plan records, per tenant, the connection settings that apply
 * needs (secret references only), the counts, every user to delete with a
 * fingerprint for the staleness check, warnings and guard verdicts.
 *
 * A struct plan owns everything; strings of planned users live in its
 * arena.
 */
#ifndef USERPRUNE_PLAN_H
#define USERPRUNE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reconcile/config.h"
#include "reconcile/users.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#define PLAN_FORMAT_VERSION 1
#define PLAN_MAX_SIZE	    (2048u << 20)

struct plan_user {
	const char *id, *email, *username, *name;
	enum user_type type;
	enum user_status status;
	const char *reason;
	/*
	 * What apply will do to the user, in words (reconcile/effect.h);
	 * NULL in a plan file written before effects were recorded
	 */
	const char *effect;
	/* from a plan file; NULL in a fresh plan (computed when written) */
	const char *fingerprint;
};

/* The user's staleness fingerprint (see user_fingerprint). */
void plan_user_fingerprint(const struct plan_user *u, char out[65]);

struct plan_counts {
	size_t live, in_scope, untouched, pending, protected, kept, delete;
};

struct guard {
	char *name; /* max_deletions, max_delete_percent, empty_keep, ... */
	bool tripped;
	char *detail;
	bool waived; /* it would trip, but policy.approve holds */
};

/*
 * How a tenant's keep values changed since the desired state at
 * plan --compare-ref REF: their number then, and the distinct values
 * added and removed (sorted, byte order).
 */
struct keep_changes {
	size_t before;
	char **added, **removed;
	size_t nadded, nremoved;
};

void keep_changes_free(struct keep_changes *kc);

struct tenant_plan {
	struct tenant t; /* connection settings, policy, limits; no lists */
	char *caller;	 /* calling identity's id, or NULL when unknown */
	struct plan_counts counts;
	struct plan_user *del;
	size_t ndel, cap;
	char **warnings;
	size_t nwarnings;
	struct guard *guards;
	size_t nguards;
	bool refused;	     /* a guard tripped */
	char *error;	     /* listing failed: no plan for this tenant */
	long requests;	     /* requests an apply needs (estimate) */
	size_t keep_values;  /* inline entries count one, files each value */
	bool mass_deletion;  /* bizagi MassUserDeletion step after deletes */
	size_t keep_matched; /* of keep_values, those that matched a user */
	/* since plan --compare-ref; NULL: no comparison (or a new tenant) */
	struct keep_changes *keep_changes;
};

enum source_kind { SOURCE_FILE, SOURCE_GIT };

struct plan_source {
	enum source_kind kind;
	char *path;   /* file path, or path inside the repository */
	char *sha256; /* of the configuration file */
	char *url, *ref, *commit, *author, *subject; /* git */
	char *live; /* snapshot the live users came from, or NULL */
};

struct plan {
	char *tool_version;
	char *created; /* UTC, ISO 8601 */
	struct plan_source source;
	/* plan --compare-ref: the ref as given and its commit, else NULL */
	char *compare_ref, *compare_commit;
	struct tenant_plan *tenants;
	size_t ntenants;
	char checksum[65]; /* set by plan_write / plan_read */
	/*
	 * The HMAC-SHA256 tag over the body (DESIGN §1.14), as hex: written
	 * when key is set, read back when the file has one; "" when none.
	 */
	char tag[65];
	const char *key; /* borrowed: USERPRUNE_PLAN_KEY, or NULL */
	struct arena arena;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);
void plan_source_release(struct plan_source *s);
struct tenant_plan *plan_add_tenant(struct plan *p);
/* Copies u into the tenant's deletions (strings into the plan's arena). */
void plan_add_delete(struct plan *p, struct tenant_plan *tp,
		     const struct user *u, const char *reason);
/*
 * As plan_add_delete, but u's strings are not copied: the caller gives
 * the plan their memory (plan_take_strings) before it releases them.
 */
void plan_add_delete_ref(struct tenant_plan *tp, const struct user *u,
			 const char *reason);
/* The plan keeps a's strings (a store's, after its diff), a is emptied. */
void plan_take_strings(struct plan *p, struct arena *a);
void tenant_plan_warn(struct tenant_plan *tp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tenant_plan_guard(struct tenant_plan *tp, const char *name, bool tripped,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

size_t plan_total_deletes(const struct plan *p);
bool plan_refused(const struct plan *p);
bool plan_has_errors(const struct plan *p);
/* cJSON's version (plan files and journals), for `userprune version`. */
const char *plan_json_version(void);
/* "no tenant 'NAME' in the plan (did you mean ...?)" into e; -1. */
int plan_no_tenant(const struct plan *p, const char *name, struct err *e);

/* Serialises the plan file (with checksum) into out. */
void plan_to_json(struct plan *p, struct strbuf *out);
int plan_write(struct plan *p, const char *path, struct err *e);
/*
 * Reads a plan file. Refuses a file whose checksum does not match its
 * body, an unknown format_version, and anything malformed. With a key,
 * also a file whose HMAC tag is missing or does not match.
 */
int plan_read(struct plan *p, const char *path, const char *key, struct err *e);
int plan_parse(struct plan *p, const char *data, size_t len, const char *name,
	       const char *key, struct err *e);

enum plan_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_MARKDOWN };

int plan_format_parse(const char *s, enum plan_format *f);

struct render_opts {
	bool color;
	bool verbose;	       /* text: the guards that passed too */
	const char *plan_file; /* mentioned in the "next step" line */
	/*
	 * Users to delete listed per tenant, then how many more and where
	 * the full list is (the plan file, which is always complete); 0:
	 * every one.
	 */
	size_t max_users;
};

void plan_render_text(const struct plan *p, const struct render_opts *o,
		      struct strbuf *out);

#define MARKDOWN_PART_MAX 65000

/*
 * Renders markdown split into parts of at most MARKDOWN_PART_MAX
 * characters, each a complete document. *parts is a new array of n
 * strings; free each and the array.
 */
void plan_render_markdown(const struct plan *p, char ***parts, size_t *n);
/* The same with options (max_users, plan_file; o may be NULL). */
void plan_render_markdown_opts(const struct plan *p,
			       const struct render_opts *o, char ***parts,
			       size_t *n);

#endif
