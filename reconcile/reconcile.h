/*
 * reconcile: the library's entry points, one per thing a command does.
 *
 * Commands parse options and print; everything else happens here: loading
 * the desired state from a file or git, listing live users, planning and
 * applying. Nothing here prints to stdout or exits.
 */
#ifndef USERPRUNE_RECONCILE_H
#define USERPRUNE_RECONCILE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "reconcile/config.h"
#include "reconcile/engine.h"
#include "reconcile/plan.h"
#include "reconcile/shard.h"
#include "reconcile/vendors/vendor.h"
#include "util/diag.h"
#include "util/err.h"

/* Where the desired state comes from: a file, or git. */
struct source_spec {
	const char *file;     /* default ./userprune.yaml */
	const char *git_url;  /* set: read from git */
	const char *git_ref;  /* NULL: HEAD */
	const char *git_path; /* NULL: userprune.yaml */
	/* the tenants whose secrets and value files are read; NULL: all */
	const struct config_select *select;
	/* git: a file not at the ref is a state with no tenants, no error */
	bool missing_ok;
};

/*
 * Loads the desired state and records its provenance in prov (released by
 * plan_release when it is the plan's source, else plan_source_release).
 * Problems in the file go to d; other failures (no such repository) to e.
 */
int source_load(const struct source_spec *spec, unsigned flags,
		struct config *c, struct plan_source *prov, struct diags *d,
		struct err *e);

/* What a running tenant is doing, for progress lines. */
struct progress {
	const char *tenant;
	const char *phase; /* "listing", "deleting", "done", "failed" */
	unsigned long done;
	long total;  /* -1: unknown */
	double rate; /* per second over the last seconds; 0: unknown */
};

enum message_level { MSG_INFO, MSG_WARNING, MSG_ERROR };

/* How a run talks to the command that started it. */
struct run_hooks {
	/* -v: one line per request, secrets never included */
	void (*trace)(void *arg, const char *line);
	/* about five times a second while work is under way */
	void (*progress)(void *arg, const struct progress *p, size_t n);
	/* things the user should read: skipped users, stopped tenants */
	void (*message)(void *arg, enum message_level level, const char *text);
	void *arg;
	/* set (by a signal handler) to stop: requests in flight finish */
	volatile sig_atomic_t *stop;
};

struct diff_input;

struct plan_opts {
	const char *const *tenants; /* selected by name; none: all */
	size_t ntenants;
	const struct shard *shard; /* and of those, this shard's; NULL: all */
	const char *live;	   /* snapshot file instead of the vendors */
	struct run_hooks hooks;
	/* plan --compare-ref: the desired state at the ref, or NULL */
	const struct config *base;
	/*
	 * Called with each tenant whose listing is complete, just before
	 * its diff (the caller known): how `who` sees the live users.
	 */
	void (*listed)(void *arg, const struct diff_input *in);
	void *listed_arg;
};

/*
 * Builds a plan for the selected tenants of c. Returns -1 (with e) when
 * nothing could be planned (an unknown tenant, an unreadable snapshot); a
 * tenant whose listing failed is recorded in the plan (tp->error) instead.
 */
int reconcile_plan(const struct config *c, const struct plan_opts *o,
		   struct plan *p, struct err *e);

/* An engine that traces and stops as a run's hooks say. */
struct engine *run_engine(const struct run_hooks *h);
/* A message to h (printf-style), if it takes messages. */
void run_say(const struct run_hooks *h, enum message_level level,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "2026-11-22T17:38:00Z" for now, into a new string. */
char *utc_now(void);

struct apply_opts {
	const char *const *tenants; /* a subset of the plan's; none: all */
	size_t ntenants;
	const char *journal;   /* NULL: journal_default_path() */
	const char *resume;    /* an earlier journal of the same plan */
	const char *run_id;    /* NULL: a new one */
	const char *plan_path; /* the plan file, recorded in the journal */
	struct run_hooks hooks;
};

struct apply_result {
	size_t counts[OUTCOME_COUNT]; /* by outcome */
	size_t not_attempted;	/* planned users left alone (stopped tenants) */
	size_t listing_failed;	/* tenants whose listing failed */
	size_t listing_partial; /* of them, part-way (DESIGN §1.8) */
	size_t verified;	/* outcomes checked by listing again */
	size_t unverified;	/* outcomes whose verifying listing failed */
	bool interrupted;
	char *journal; /* the journal's path */
};

/*
 * Applies a plan: lists every tenant again, deletes the planned users that
 * are unchanged (a gone user is absent, a changed one skipped), canary
 * first, and records every outcome in the journal. Returns -1 (with e)
 * when nothing could be started: a refused plan, a plan with errors, an
 * unknown tenant, an unusable journal, unresolvable secrets.
 */
int reconcile_apply(const struct plan *p, const struct apply_opts *o,
		    struct apply_result *r, struct err *e);
void apply_result_release(struct apply_result *r);

/*
 * One entry of an imported keep list. The value is UTF-8 without control
 * characters, so that a YAML file can hold it exactly; the comment is the
 * vendor's display name as it came (untrusted: clean it to write it).
 */
struct keep_entry {
	const char *field; /* NULL: a bare value (id, email or username) */
	char *value;
	char *comment; /* the display name, or NULL */
};

struct import_result {
	struct keep_entry *v;
	size_t n;
	size_t live, out_of_scope, pending;
	size_t left_out; /* users or values no entry can name exactly */
	char **warnings; /* each one left out, and why */
	size_t nwarnings;
};

/*
 * Entries for a text keep file (one value a line, # comments): a value
 * must also read back whole from a line, so none starts with '#', holds
 * a '#' after white space, or starts or ends with white space.
 */
#define IMPORT_TEXT 1u

/*
 * A keep list of every user a tenant manages today (in scope and not
 * pending deletion), sorted: planning with it deletes nobody. Users are
 * named by email where it is unique, else by username, else by id; flags
 * is 0 or IMPORT_TEXT.
 */
int reconcile_import(const struct config *c, const char *tenant,
		     const struct run_hooks *hooks, unsigned flags,
		     struct import_result *r, struct err *e);
/* A keep list from a column of a CSV export (or a text file). */
int reconcile_import_csv(const char *path, const char *column,
			 enum file_field field, unsigned flags,
			 struct import_result *r, struct err *e);
void import_result_release(struct import_result *r);

/* How a live account is classified (DESIGN §3), as `who` tells it. */
enum who_class {
	WHO_OUT_OF_SCOPE,
	WHO_PENDING,
	WHO_PROTECTED,
	WHO_KEPT,
	WHO_LEFT_ALONE, /* an id no request can name, or blocked */
	WHO_DELETE,
};

/* "out_of_scope", "pending", "protected", "kept", "left_alone", "delete" */
const char *who_class_name(enum who_class c);

/* One live account a value names, and the rule that decided it. */
struct who_account {
	char *tenant;
	const char *vendor;
	char *id, *email, *username, *name; /* as listed: clean to print */
	enum user_type type;
	enum user_status status;
	enum who_class cls;
	char *rule;	   /* "keep[2] {email: \"*@acme.com\"}", "the caller" */
	char *explanation; /* "kept by keep[2] ...", "out of scope: type app" */
	int line, col;	   /* the rule in the configuration; 0: none */
	char *keep_file;   /* a keep file's value decided: its path, */
	char *keep_value;  /* the value */
	int keep_line;	   /* and its line */
};

struct who_result {
	struct who_account *v;
	size_t n, cap;
	size_t searched; /* tenants whose listing was complete */
	char **errors;	 /* tenants not searched, and why */
	size_t nerrors;
};

/*
 * Every live account in the tenants o selects that value (an id, email
 * or username, with the case rules of matching) names, classified the
 * way a plan would, with the rule that decided it. Read-only: it lists
 * and never writes. A tenant whose listing failed is named in
 * r->errors. Returns -1 (with e) when nothing could be searched.
 */
int reconcile_who(const struct config *c, const char *value,
		  const struct plan_opts *o, struct who_result *r,
		  struct err *e);
void who_result_release(struct who_result *r);

#endif
