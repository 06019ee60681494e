/*
 * reconcile: the library's entry points, one per thing a command does.
 *
 * Commands parse options and print; everything else happens here: loading
 * the desired state from a file or git, listing live users, planning and
 * applying. Nothing here prints to stdout or exits.
 */
#ifndef USERPRUNE_RECONCILE_H
#define USERPRUNE_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/config.h"
#include "reconcile/plan.h"
#include "util/diag.h"
#include "util/err.h"

/* Where the desired state comes from: a file, or git. */
struct source_spec {
	const char *file;     /* default ./userprune.yaml */
	const char *git_url;  /* set: read from git */
	const char *git_ref;  /* NULL: HEAD */
	const char *git_path; /* NULL: userprune.yaml */
};

/*
 * Loads the desired state and records its provenance in prov (released by
 * plan_release when it is the plan's source, else plan_source_release).
 * Problems in the file go to d; other failures (no such repository) to e.
 */
int source_load(const struct source_spec *spec, unsigned flags,
		struct config *c, struct plan_source *prov, struct diags *d,
		struct err *e);
void plan_source_release(struct plan_source *s);

struct plan_opts {
	const char *const *tenants; /* selected by name; none: all */
	size_t ntenants;
	const char *live; /* snapshot file instead of the vendors */
};

/*
 * Builds a plan for the selected tenants of c. Returns -1 (with e) when
 * nothing could be planned (an unknown tenant, an unreadable snapshot); a
 * tenant whose listing failed is recorded in the plan (tp->error) instead.
 */
int reconcile_plan(const struct config *c, const struct plan_opts *o,
		   struct plan *p, struct err *e);

/* "2026-11-22T17:38:00Z" for now, into a new string. */
char *utc_now(void);

#endif
