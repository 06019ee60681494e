/*
 * journal: the append-only record of an apply (JSON Lines).
 *
 * Each run appends a header line (run id, tool version, plan checksum and
 * path, the tenants it selected, source, the run it resumes), one line per
 * attempted user (time, tenant, vendor, id, email, outcome, http_status,
 * attempts, detail), verification lines and a summary line. Each line is
 * written with one write() as soon as its outcome is known, so a killed
 * process loses nothing already decided; fsync follows at least every
 * 50 ms and at the end.
 *
 * One apply per journal at a time: journal_open takes an exclusive lock
 * (flock) for as long as the journal is open, and a journal holds the
 * runs of one plan only. A line is only ever appended after a newline: a
 * torn last line (a crash mid-write) is closed first, and readers skip it
 * with a warning.
 *
 * The journal is the audit log and the resume point: the last outcome
 * recorded for a user counts (verification may turn "deleted" into
 * "failed"), and a user whose last outcome is anything but "failed" is not
 * touched again by apply --resume. A step that must happen at most once
 * (Bizagi MassUserDeletion) is recorded before it is sent, and never sent
 * again. A header names the journal it resumed when that is another file
 * (resumed_from, relative to the journal's directory when it can be, so
 * that journals copied together still resume), and loading follows it.
 *
 * A restore (userprune restore) writes a journal of its own kind: its
 * header says "kind": "restore" and names the run it undoes (restores,
 * restores_journal); its outcome lines are restored, absent, failed and
 * not_undoable. The kinds never mix: apply refuses to append to or
 * resume from a restore's journal, and restore an apply's.
 */
#ifndef USERPRUNE_JOURNAL_H
#define USERPRUNE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/plan.h"
#include "reconcile/vendors/vendor.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/hmap.h"

#define RUN_ID_LEN 32

enum journal_kind { JOURNAL_APPLY, JOURNAL_RESTORE };

struct journal {
	int fd;
	char *path;
	char run_id[RUN_ID_LEN + 1];
	double last_sync;
	bool failed; /* a write failed: apply must stop */
	char error[512];
	enum journal_kind kind;
};

/* A new random run id (RUN_ID_LEN hex digits). */
void journal_new_run_id(char out[RUN_ID_LEN + 1]);
/* .userprune/journal-<UTC time>-<run id>.jsonl, in a new string. */
char *journal_default_path(const char *run_id);

/*
 * Opens (or creates) path for appending, locked for as long as it is open.
 * Refuses a journal another apply holds, a file that is not a userprune
 * journal, and the journal of a plan other than checksum. A torn last line
 * is closed with a newline.
 */
int journal_open(struct journal *j, const char *path, const char *run_id,
		 const char *checksum, struct err *e);
/* The same for a journal of the given kind (an apply's or a restore's). */
int journal_open_kind(struct journal *j, const char *path, const char *run_id,
		      const char *checksum, enum journal_kind kind,
		      struct err *e);

/* What a run's header line records. */
struct journal_header {
	const struct plan *plan;
	const char *plan_path;	    /* the plan file applied, or NULL */
	const char *const *tenants; /* selected; none: every tenant */
	size_t ntenants;
	const char *resumes;	  /* run id of the run resumed, or NULL */
	const char *resumed_from; /* its journal when another file, or NULL */
	/* a restore: the run it undoes, and that run's journal */
	const char *restores;
	const char *restores_journal;
};

int journal_begin(struct journal *j, const struct journal_header *h,
		  struct err *e);
void journal_outcome(struct journal *j, const char *tenant, const char *vendor,
		     const struct plan_user *u, const struct delete_result *r,
		     int attempts);
/* A line about a step that is not one user's (Bizagi MassUserDeletion). */
void journal_step(struct journal *j, const char *tenant, const char *vendor,
		  const char *step, const char *outcome, long status,
		  const char *detail);
/* What listing a tenant again after its deletions showed. */
void journal_verify(struct journal *j, const char *tenant, size_t checked,
		    size_t still_present, const char *error);
void journal_summary(struct journal *j, const size_t counts[],
		     bool interrupted);
/* fsync when the last one is older than 50 ms (or always, if force). */
void journal_sync(struct journal *j, bool force);
int journal_close(struct journal *j, struct err *e);

/* A user's last outcome line, as journal_load_entries keeps it. */
struct journal_entry {
	const char *tenant, *vendor, *id, *email;
	const char *time;   /* ISO 8601 UTC, when the line was written */
	const char *detail; /* or NULL */
	enum outcome outcome;
};

/* What a journal (and the journals it resumed) records. */
struct journal_done {
	struct hmap set; /* users (last outcome) and steps, by tenant */
	struct arena keys;
	size_t n;
	char *checksum;	 /* the plan's */
	char *plan_path; /* the last run's plan file, or NULL */
	char *last_run;	 /* the last run's id */
	char **tenants;	 /* the last run's selection; none: all */
	size_t ntenants;
	size_t torn;	 /* lines skipped: cut short or not JSON */
	int torn_line;	 /* the first of them */
	char *torn_path; /* in this journal */
	enum journal_kind kind;
	/* journal_load_entries: each user's last line, in first-seen order */
	struct journal_entry *entries;
	size_t nentries, entcap;
	struct hmap index; /* user key -> entry */
	bool want_entries;
};

/*
 * Reads path (and the journals it resumed). With a checksum, a journal of
 * another plan is refused; without, the first header's is taken.
 */
int journal_load(struct journal_done *d, const char *path, const char *checksum,
		 struct err *e);
/*
 * The same for a journal of the given kind (journal_load reads an
 * apply's), keeping each user's last outcome line in d->entries.
 */
int journal_load_entries(struct journal_done *d, const char *path,
			 enum journal_kind kind, const char *checksum,
			 struct err *e);
bool journal_is_done(const struct journal_done *d, const char *tenant,
		     const char *id);
/* The user's last recorded outcome (enum outcome), or -1: none. */
int journal_outcome_of(const struct journal_done *d, const char *tenant,
		       const char *id);
/*
 * Whether a step that must go at most once (MassUserDeletion) has a line:
 * it is never sent again, unless the last line says "not_sent" (it was
 * never handed to libcurl).
 */
bool journal_step_done(const struct journal_done *d, const char *tenant,
		       const char *step);
/*
 * Whether the step's last line says "started": it was sent (or about to
 * be) by a run that ended before its answer, and nothing says what
 * became of it.
 */
bool journal_step_unanswered(const struct journal_done *d, const char *tenant,
			     const char *step);
void journal_done_release(struct journal_done *d);

/*
 * Reading a journal, for every reader (resume, show, restore): the lines
 * of the journal at path in order. A line that is a JSON object with a
 * string "type" goes to line (its number and type); a line that is not a
 * JSON object, the end of a write cut short, goes to torn; anything else
 * is an error. line returns -1 (with e set) to stop. depth is how many
 * journals deep path was reached through resumed_from (0: the one asked
 * for); deeper than JOURNAL_DEPTH is an error, as is a journal without a
 * header line.
 */
#define JOURNAL_DEPTH 64
struct cJSON;
struct journal_reader {
	int (*line)(void *arg, const char *path, int lineno, const char *type,
		    const struct cJSON *o, int depth, struct err *e);
	void (*torn)(void *arg, const char *path, int lineno);
	void *arg;
};
int journal_read(const struct journal_reader *r, const char *path, int depth,
		 struct err *e);

#endif
