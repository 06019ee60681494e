/*
 * journal: the append-only record of an apply (JSON Lines).
 *
 * One header line (run id, tool version, plan checksum, source), one line
 * per attempted user (time, tenant, vendor, id, email, outcome,
 * http_status, attempts, detail) and a summary line. Each line is written
 * with one write() as soon as its outcome is known, so a killed process
 * loses nothing already decided; fsync follows at least every 50 ms and at
 * the end. The journal is the audit log and the resume point: a user with
 * a final outcome (anything but "failed") is not touched again by
 * apply --resume. A journal names the one it resumed (resumed_from), and
 * loading it loads that one too, so resuming a resumed run forgets nothing.
 */
#ifndef USERPRUNE_JOURNAL_H
#define USERPRUNE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"
#include "reconcile/vendors/vendor.h"
#include "util/err.h"
#include "util/hmap.h"
#include "util/arena.h"

struct journal {
	int fd;
	char *path;
	char run_id[33];
	double last_sync;
	bool failed; /* a write failed: apply must stop */
	char error[512];
};

/* Creates (or appends to) path and writes the header line. */
int journal_open(struct journal *j, const char *path, const struct plan *p,
		 const char *resumed_from, struct err *e);
void journal_outcome(struct journal *j, const char *tenant, const char *vendor,
		     const struct plan_user *u, const struct delete_result *r,
		     int attempts);
/* A line about a step that is not one user's (Bizagi MassUserDeletion). */
void journal_step(struct journal *j, const char *tenant, const char *vendor,
		  const char *step, const char *outcome, long status,
		  const char *detail);
void journal_summary(struct journal *j, const size_t counts[],
		     bool interrupted);
/* fsync when the last one is older than 50 ms (or always, if force). */
void journal_sync(struct journal *j, bool force);
int journal_close(struct journal *j, struct err *e);
/* .userprune/journal-<UTC time>.jsonl, in a new string. */
char *journal_default_path(void);

/* The users (and steps) an earlier journal of the same plan finished. */
struct journal_done {
	struct hmap set; /* users and steps done, by tenant */
	struct arena keys;
	size_t n;
};

int journal_load_done(struct journal_done *d, const char *path,
		      const char *checksum, struct err *e);
bool journal_is_done(const struct journal_done *d, const char *tenant,
		     const char *id);
bool journal_step_done(const struct journal_done *d, const char *tenant,
		       const char *step);
void journal_done_release(struct journal_done *d);

#endif
