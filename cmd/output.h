/*
 * output: a plan printed in text, JSON or markdown (parts, or files in a
 * directory with --split-dir).
 */
#ifndef USERPRUNE_CMD_OUTPUT_H
#define USERPRUNE_CMD_OUTPUT_H

#include "cmd/cmd.h"
#include "reconcile/journal_report.h"
#include "reconcile/plan.h"

/* --max-users not given: text lists every user, markdown this many. */
#define MAX_USERS_DEFAULT  ((size_t)-1)
#define MARKDOWN_MAX_USERS 500

/*
 * Prints p; max_users (per tenant; 0: all) applies to text and
 * markdown, never to JSON. Returns 0 or EXIT_ERROR (already reported).
 */
int cmd_print_plan(struct plan *p, enum plan_format f, const char *split_dir,
		   const char *plan_file, size_t max_users);
/*
 * Parses the argument of --max-users into *n. Returns 0, or EXIT_ERROR
 * after a usage message.
 */
int cmd_parse_max_users(const struct cmd_entry *cmd, const char *arg,
			size_t *n);

struct jsonw;

/*
 * The users whose last outcome is failed or blocked, with their reasons,
 * at most limit of them (0: all), then how many more and where to see
 * them. Returns how many there are (nothing is written for none).
 */
size_t cmd_report_not_removed(const struct journal_report *r, size_t limit,
			      struct strbuf *out);
/* "548 deleted, 0 deactivated, ..., 1 failed" */
void cmd_report_counts(struct strbuf *out, const size_t counts[]);
/* The report's users as a JSON array; removed_too: also those gone. */
void cmd_report_json_users(struct jsonw *w, const struct journal_report *r,
			   bool removed_too);
/*
 * show JOURNAL: text, JSON or markdown; at most limit users (text: of
 * those not failed or blocked; markdown: of each list); 0: all.
 */
void cmd_render_report(const struct journal_report *r, enum plan_format format,
		       size_t limit, struct strbuf *out);

#endif
