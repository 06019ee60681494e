/*
 * journal_report: a journal read for people (show JOURNAL, the end of
 * apply), where journal_load reads it for a resume.
 *
 * Follows the journals a header resumed from, as journal_load does, so
 * that a report covers every run of the plan: per user the last outcome
 * recorded (a verification may turn "deleted" into "failed"), per step
 * its last line, every verification, every run's header and summary.
 * Lines cut short by a crash are skipped and counted. Strings are as the
 * journal holds them (already cleaned when written); they live in the
 * report's arena.
 */
#ifndef USERPRUNE_JOURNAL_REPORT_H
#define USERPRUNE_JOURNAL_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/vendors/vendor.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/hmap.h"

struct report_run {
	const char *run_id, *time, *tool_version, *plan_path, *resumes;
	const char *const *tenants; /* the selection; NULL: all */
	size_t ntenants;
	bool ended;		      /* a summary line closed it */
	bool interrupted;	      /* ... saying it was interrupted */
	size_t counts[OUTCOME_COUNT]; /* of its summary line */
};

struct report_user {
	const char *tenant, *vendor, *id, *email, *time, *detail;
	enum outcome outcome; /* the last recorded */
	long http_status;     /* 0: none */
	int attempts;
	size_t run; /* index of the run that recorded the last outcome */
};

struct report_step {
	const char *tenant, *vendor, *step, *outcome, *detail, *time;
	long http_status;
};

struct report_verify {
	const char *tenant, *error, *time;
	long checked, still_present;
	size_t run;
};

struct journal_report {
	const char *path;
	const char *kind;	  /* "apply" or "restore" (its header's kind) */
	const char *checksum;	  /* the plan's */
	const char *plan_created; /* from the first header */
	const char *source_kind, *source_path, *source_sha256, *source_url,
		*source_commit;
	struct report_run *runs;
	size_t nruns;
	struct report_user *users; /* in the order first recorded */
	size_t nusers;
	struct report_step *steps;
	size_t nsteps;
	struct report_verify *verifies;
	size_t nverifies;
	size_t counts[OUTCOME_COUNT]; /* users by last outcome */
	size_t torn;		      /* lines skipped */
	int torn_line;		      /* the first of them */
	const char *torn_path;
	/* private */
	struct arena a;
	struct hmap index; /* users and steps by tenant and name */
	size_t capusers, capruns, capsteps, capverifies;
};

int journal_report_load(struct journal_report *r, const char *path,
			struct err *e);
void journal_report_release(struct journal_report *r);

/* Whether data (a file's start) is a journal rather than a plan file. */
bool journal_report_sniff(const char *data, size_t len);

#endif
