/*
 * restore: undoing the reversible outcomes of an apply run (userprune
 * restore, DESIGN §2).
 *
 * The run's journal (and the runs it resumed: each user's last outcome
 * counts) says what was done; the plan it applied says to whom, and holds
 * the tenants' connection settings as secret references. A deactivated
 * user is reactivated and a scheduled deletion cancelled within the
 * vendor's window; a deletion is final, and so is anything past its
 * window or without a call to undo it: those are reported, never sent.
 * A user the plan did not plan is never touched, whatever a journal says.
 *
 * Restoring runs like apply: each tenant is listed first (a user no
 * longer listed is absent, one already active needs nothing), the first
 * policy.canary requests of a tenant go one at a time and a failed one
 * stops it, the engine paces and retries, every outcome goes at once to
 * the restore's own journal, and the tenant is listed again to verify
 * (policy.verify). A user with a final outcome (anything but failed) in
 * an earlier restore journal of the same plan is not sent again: running
 * an interrupted restore again with its --journal goes on where it
 * stopped.
 */
#ifndef USERPRUNE_RESTORE_H
#define USERPRUNE_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/journal.h"
#include "reconcile/plan.h"
#include "reconcile/reconcile.h"
#include "util/arena.h"
#include "util/err.h"

struct restore_opts {
	const char *const *tenants; /* selected by name; none: all */
	size_t ntenants;
	const char *const *users; /* selected by id; none: all */
	size_t nusers;
	const char *journal;	     /* the restore's own journal */
	const char *run_id;	     /* NULL: a new one */
	const char *plan_path;	     /* the plan file, for the header */
	const char *applied_journal; /* the journal undone, for the header */
	struct run_hooks hooks;
};

/* One user of the run, and what restore does about it. */
struct restore_item {
	const char *tenant, *vendor;
	const struct tenant_plan *tp; /* NULL: a tenant the plan lacks */
	const struct plan_user *u;    /* the plan's (borrowed) */
	enum outcome was;	      /* deactivated, scheduled or deleted */
	const char *why_not;	      /* not undoable: why; NULL: to send */
	bool repeated;		      /* an earlier restore failed it: again */
};

struct restore_set {
	struct restore_item *v;
	size_t n, cap;
	size_t to_send;	   /* items without why_not */
	size_t done;	   /* finished by an earlier restore: left out */
	size_t unchanged;  /* the run changed nothing (absent, skipped,
			     blocked, failed): nothing to undo */
	char *applied_run; /* the run id undone */
	struct arena arena;
};

/*
 * What restoring the run recorded in applied (journal_load_entries of an
 * apply's journal) would do, as o selects it; restored (or NULL) is an
 * earlier restore journal of the same plan. An unknown tenant or user
 * is an error: nothing is restored by a typo.
 */
int restore_prepare(const struct plan *p, const struct journal_done *applied,
		    const struct journal_done *restored,
		    const struct restore_opts *o, struct restore_set *s,
		    struct err *e);
void restore_set_release(struct restore_set *s);

/* .userprune/restore-<UTC time>-<run id>.jsonl, in a new string. */
char *restore_default_path(const char *run_id);

/*
 * Restores the set's users to send and journals every item. Returns -1
 * (with e) when nothing could be started: an unusable journal,
 * unresolvable secrets; r holds the outcomes otherwise.
 */
int reconcile_restore(const struct plan *p, const struct restore_set *s,
		      const struct restore_opts *o, struct apply_result *r,
		      struct err *e);

#endif
