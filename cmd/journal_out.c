/*
 * Printing a journal report: show JOURNAL, and the users that apply could
 * not remove at the end of its run. Journal strings come from vendors (an
 * email, a detail quoting an answer) or from a file anyone could have
 * edited: they are cleaned before they reach a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/output.h"
#include "util/jsonw.h"
#include "util/text.h"

static void add_clean(struct strbuf *out, const char *s)
{
	if (s)
		text_clean(out, s, strlen(s));
}

/* The outcomes to look at: an apply's failed and blocked users, a
   restore's failed and not undoable ones. */
static bool not_removed(enum outcome o)
{
	return o == OUTCOME_FAILED || o == OUTCOME_BLOCKED ||
	       o == OUTCOME_NOT_UNDOABLE;
}

static bool is_restore(const struct journal_report *r)
{
	return r->kind && !strcmp(r->kind, "restore");
}

/* Whether a journal of r's kind records outcome k. */
static bool recorded_by(const struct journal_report *r, int k)
{
	if (k == OUTCOME_ABSENT || k == OUTCOME_FAILED)
		return true;
	return is_restore(r) ==
	       (k == OUTCOME_RESTORED || k == OUTCOME_NOT_UNDOABLE);
}

/* The counts of the outcomes a journal of r's kind records. */
static void kind_counts(struct strbuf *out, const struct journal_report *r,
			const size_t counts[])
{
	if (is_restore(r))
		strbuf_addf(out,
			    "%zu restored, %zu absent, %zu failed, %zu not "
			    "undoable",
			    counts[OUTCOME_RESTORED], counts[OUTCOME_ABSENT],
			    counts[OUTCOME_FAILED],
			    counts[OUTCOME_NOT_UNDOABLE]);
	else
		cmd_report_counts(out, counts);
}

static void user_line(struct strbuf *out, const struct report_user *u)
{
	bool status;

	strbuf_addstr(out, "  ");
	add_clean(out, u->tenant);
	strbuf_addstr(out, "  ");
	add_clean(out, u->id);
	strbuf_addstr(out, "  ");
	add_clean(out, u->email ? u->email : "(no email)");
	strbuf_addf(out, "  %s", outcome_name(u->outcome));
	if (u->detail && *u->detail) {
		strbuf_addstr(out, ": ");
		add_clean(out, u->detail);
	}
	/* the status, unless the detail starts with it already */
	status = u->http_status &&
		 !(u->detail && !strncmp(u->detail, "HTTP ", 5));
	if (status || u->attempts > 1) {
		strbuf_addstr(out, " (");
		if (status)
			strbuf_addf(out, "HTTP %ld", u->http_status);
		if (status && u->attempts > 1)
			strbuf_addstr(out, ", ");
		if (u->attempts > 1)
			strbuf_addf(out, "%d attempts", u->attempts);
		strbuf_addch(out, ')');
	}
	strbuf_addch(out, '\n');
}

size_t cmd_report_not_removed(const struct journal_report *r, size_t limit,
			      struct strbuf *out)
{
	size_t i, n = 0, shown = 0;

	for (i = 0; i < r->nusers; i++)
		n += not_removed(r->users[i].outcome);
	if (!n)
		return 0;
	strbuf_addf(out, "%s (%zu):\n",
		    is_restore(r) ? "Failed or not undoable"
				  : "Failed or blocked",
		    n);
	for (i = 0; i < r->nusers && (!limit || shown < limit); i++)
		if (not_removed(r->users[i].outcome)) {
			user_line(out, &r->users[i]);
			shown++;
		}
	if (shown < n)
		strbuf_addf(out,
			    "  ... and %zu more: userprune show %s lists "
			    "them all\n",
			    n - shown, r->path);
	return n;
}

void cmd_report_counts(struct strbuf *out, const size_t counts[])
{
	strbuf_addf(out,
		    "%zu deleted, %zu deactivated, %zu scheduled, %zu "
		    "absent, %zu skipped, %zu blocked, %zu failed",
		    counts[OUTCOME_DELETED], counts[OUTCOME_DEACTIVATED],
		    counts[OUTCOME_SCHEDULED], counts[OUTCOME_ABSENT],
		    counts[OUTCOME_SKIPPED], counts[OUTCOME_BLOCKED],
		    counts[OUTCOME_FAILED]);
}

static void text_runs(const struct journal_report *r, struct strbuf *out)
{
	size_t i, j;

	strbuf_addf(out, "Run%s:\n", r->nruns == 1 ? "" : "s");
	for (i = 0; i < r->nruns; i++) {
		const struct report_run *run = &r->runs[i];

		strbuf_addstr(out, "  ");
		add_clean(out, run->time ? run->time : "?");
		strbuf_addstr(out, "  run ");
		add_clean(out, run->run_id ? run->run_id : "?");
		if (run->plan_path) {
			strbuf_addstr(out, "  plan ");
			add_clean(out, run->plan_path);
		}
		if (!run->tenants)
			strbuf_addstr(out, "  all tenants");
		for (j = 0; j < run->ntenants && j < 5; j++) {
			strbuf_addstr(out, j ? ", " : "  tenants ");
			add_clean(out, run->tenants[j]);
		}
		if (run->ntenants > 5)
			strbuf_addf(out, " and %zu more", run->ntenants - 5);
		if (run->resumes) {
			strbuf_addstr(out, "  resumes ");
			add_clean(out, run->resumes);
		}
		if (run->interrupted)
			strbuf_addstr(out, "  (interrupted)");
		else if (!run->ended)
			strbuf_addstr(out, "  (no summary: it ended early)");
		strbuf_addch(out, '\n');
	}
}

static void text_report(const struct journal_report *r, size_t limit,
			struct strbuf *out)
{
	size_t i, shown = 0, rest = 0;

	strbuf_addstr(out, "Journal ");
	add_clean(out, r->path);
	strbuf_addf(out, ": plan %.12s", r->checksum ? r->checksum : "?");
	if (r->plan_created) {
		strbuf_addstr(out, " of ");
		add_clean(out, r->plan_created);
	}
	if (r->source_path) {
		strbuf_addstr(out, ", from ");
		if (r->source_url) {
			add_clean(out, r->source_url);
			strbuf_addstr(out, " ");
		}
		add_clean(out, r->source_path);
		if (r->source_commit)
			strbuf_addf(out, " (commit %.12s)", r->source_commit);
		else if (r->source_sha256)
			strbuf_addf(out, " (sha256 %.12s)", r->source_sha256);
	}
	strbuf_addch(out, '\n');
	text_runs(r, out);
	strbuf_addstr(out, "Outcomes (each user's last): ");
	kind_counts(out, r, r->counts);
	strbuf_addf(out, "; %zu user%s.\n", r->nusers,
		    r->nusers == 1 ? "" : "s");
	for (i = 0; i < r->nverifies; i++) {
		const struct report_verify *v = &r->verifies[i];

		strbuf_addstr(out, "Verified: ");
		add_clean(out, v->tenant);
		if (v->error) {
			strbuf_addstr(out, ": listing again failed: ");
			add_clean(out, v->error);
			strbuf_addch(out, '\n');
		} else {
			strbuf_addf(out,
				    ": %ld checked by listing again, %ld still "
				    "there\n",
				    v->checked, v->still_present);
		}
	}
	for (i = 0; i < r->nsteps; i++) {
		const struct report_step *s = &r->steps[i];

		strbuf_addstr(out, "Step: ");
		add_clean(out, s->tenant);
		strbuf_addstr(out, " ");
		add_clean(out, s->step);
		strbuf_addstr(out, ": ");
		add_clean(out, s->outcome);
		if (s->detail) {
			strbuf_addstr(out, ": ");
			add_clean(out, s->detail);
		}
		strbuf_addch(out, '\n');
	}
	if (r->torn)
		strbuf_addf(out,
			    "%zu line%s cut short (a crash while writing?) "
			    "skipped, the first at line %d\n",
			    r->torn, r->torn == 1 ? "" : "s", r->torn_line);
	strbuf_addch(out, '\n');
	if (cmd_report_not_removed(r, 0, out))
		strbuf_addch(out, '\n');
	for (i = 0; i < r->nusers; i++)
		rest += !not_removed(r->users[i].outcome);
	if (!rest)
		return;
	strbuf_addf(out, "Other outcomes (%zu):\n", rest);
	for (i = 0; i < r->nusers && (!limit || shown < limit); i++)
		if (!not_removed(r->users[i].outcome)) {
			user_line(out, &r->users[i]);
			shown++;
		}
	if (shown < rest)
		strbuf_addf(out,
			    "  ... and %zu more (--max-users 0 lists them "
			    "all)\n",
			    rest - shown);
}

static void json_counts(struct jsonw *w, const char *key, const size_t counts[])
{
	int k;

	jsonw_key(w, key);
	jsonw_object_begin(w);
	for (k = 0; k < OUTCOME_COUNT; k++)
		jsonw_object_int(w, outcome_name((enum outcome)k),
				 (long long)counts[k]);
	jsonw_object_end(w);
}

static void json_user(struct jsonw *w, const struct report_user *u)
{
	jsonw_object_begin(w);
	jsonw_object_string(w, "tenant", u->tenant);
	jsonw_object_string(w, "vendor", u->vendor);
	jsonw_object_string(w, "id", u->id);
	jsonw_object_string(w, "email", u->email);
	jsonw_object_string(w, "outcome", outcome_name(u->outcome));
	jsonw_key(w, "http_status");
	if (u->http_status)
		jsonw_int(w, u->http_status);
	else
		jsonw_null(w);
	jsonw_object_int(w, "attempts", u->attempts);
	jsonw_object_string(w, "detail", u->detail);
	jsonw_object_string(w, "time", u->time);
	jsonw_object_end(w);
}

void cmd_report_json_users(struct jsonw *w, const struct journal_report *r,
			   bool removed_too)
{
	size_t i;

	jsonw_array_begin(w);
	for (i = 0; i < r->nusers; i++) {
		enum outcome o = r->users[i].outcome;

		if (removed_too ||
		    (o != OUTCOME_DELETED && o != OUTCOME_DEACTIVATED &&
		     o != OUTCOME_SCHEDULED))
			json_user(w, &r->users[i]);
	}
	jsonw_array_end(w);
}

static void json_report(const struct journal_report *r, struct strbuf *out)
{
	struct jsonw w;
	size_t i, j;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "journal", r->path);
	jsonw_object_string(&w, "kind", r->kind);
	jsonw_object_string(&w, "plan_checksum", r->checksum);
	jsonw_object_string(&w, "plan_created", r->plan_created);
	jsonw_key(&w, "source");
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "kind", r->source_kind);
	jsonw_object_string(&w, "path", r->source_path);
	jsonw_object_string(&w, "sha256", r->source_sha256);
	jsonw_object_string(&w, "url", r->source_url);
	jsonw_object_string(&w, "commit", r->source_commit);
	jsonw_object_end(&w);
	jsonw_key(&w, "runs");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nruns; i++) {
		const struct report_run *run = &r->runs[i];

		jsonw_object_begin(&w);
		jsonw_object_string(&w, "run_id", run->run_id);
		jsonw_object_string(&w, "time", run->time);
		jsonw_object_string(&w, "tool_version", run->tool_version);
		jsonw_object_string(&w, "plan_path", run->plan_path);
		jsonw_object_string(&w, "resumes", run->resumes);
		jsonw_key(&w, "tenants");
		if (run->tenants) {
			jsonw_array_begin(&w);
			for (j = 0; j < run->ntenants; j++)
				jsonw_string(&w, run->tenants[j]);
			jsonw_array_end(&w);
		} else {
			jsonw_null(&w);
		}
		jsonw_object_bool(&w, "ended", run->ended);
		jsonw_object_bool(&w, "interrupted", run->interrupted);
		if (run->ended)
			json_counts(&w, "counts", run->counts);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	json_counts(&w, "counts", r->counts);
	jsonw_key(&w, "users");
	jsonw_array_begin(&w);
	/* failed and blocked first, as the text has them */
	for (i = 0; i < r->nusers; i++)
		if (not_removed(r->users[i].outcome))
			json_user(&w, &r->users[i]);
	for (i = 0; i < r->nusers; i++)
		if (!not_removed(r->users[i].outcome))
			json_user(&w, &r->users[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "steps");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nsteps; i++) {
		const struct report_step *s = &r->steps[i];

		jsonw_object_begin(&w);
		jsonw_object_string(&w, "tenant", s->tenant);
		jsonw_object_string(&w, "vendor", s->vendor);
		jsonw_object_string(&w, "step", s->step);
		jsonw_object_string(&w, "outcome", s->outcome);
		jsonw_key(&w, "http_status");
		if (s->http_status)
			jsonw_int(&w, s->http_status);
		else
			jsonw_null(&w);
		jsonw_object_string(&w, "detail", s->detail);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "verifications");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nverifies; i++) {
		const struct report_verify *v = &r->verifies[i];

		jsonw_object_begin(&w);
		jsonw_object_string(&w, "tenant", v->tenant);
		jsonw_object_int(&w, "checked", v->checked);
		jsonw_object_int(&w, "still_present", v->still_present);
		jsonw_object_string(&w, "error", v->error);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_int(&w, "torn_lines", (long long)r->torn);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}

/* Longest value a markdown cell shows (a detail can quote a whole page). */
#define MD_CELL_MAX 300

/* s cleaned, cut, and escaped for a markdown table cell and HTML. */
static void md_cell(struct strbuf *out, const char *s)
{
	struct strbuf clean = STRBUF_INIT;
	size_t i, len;

	if (!s || !*s) {
		strbuf_addstr(out, "—");
		return;
	}
	text_clean(&clean, s, strlen(s));
	len = clean.len;
	if (len > MD_CELL_MAX) {
		len = MD_CELL_MAX;
		while (len && ((unsigned char)clean.buf[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		char ch = clean.buf[i];

		if (ch == '<')
			strbuf_addstr(out, "&lt;");
		else if (ch == '>')
			strbuf_addstr(out, "&gt;");
		else if (ch == '&')
			strbuf_addstr(out, "&amp;");
		else if (strchr("|\\`*_[]#~", ch))
			strbuf_addf(out, "\\%c", ch);
		else
			strbuf_addch(out, ch);
	}
	if (len < clean.len)
		strbuf_addstr(out, "…");
	strbuf_release(&clean);
}

static void md_users(const struct journal_report *r, bool failed, size_t limit,
		     struct strbuf *out)
{
	size_t i, n = 0, shown = 0;

	for (i = 0; i < r->nusers; i++)
		n += not_removed(r->users[i].outcome) == failed;
	if (!n)
		return;
	strbuf_addf(out,
		    "\n<details%s><summary>%s: %zu</summary>\n\n"
		    "| tenant | id | email | outcome | HTTP | detail |\n"
		    "|---|---|---|---|---:|---|\n",
		    failed ? " open" : "",
		    !failed	    ? "Other outcomes"
		    : is_restore(r) ? "Failed or not undoable"
				    : "Failed or blocked",
		    n);
	for (i = 0; i < r->nusers && (!limit || shown < limit); i++) {
		const struct report_user *u = &r->users[i];

		if (not_removed(u->outcome) != failed)
			continue;
		strbuf_addstr(out, "| ");
		md_cell(out, u->tenant);
		strbuf_addstr(out, " | ");
		md_cell(out, u->id);
		strbuf_addstr(out, " | ");
		md_cell(out, u->email);
		strbuf_addf(out, " | %s | ", outcome_name(u->outcome));
		if (u->http_status)
			strbuf_addf(out, "%ld", u->http_status);
		strbuf_addstr(out, " | ");
		md_cell(out, u->detail);
		strbuf_addstr(out, " |\n");
		shown++;
	}
	if (shown < n)
		strbuf_addf(out,
			    "\n_… and %zu more: `userprune show JOURNAL "
			    "--max-users 0` lists them all._\n",
			    n - shown);
	strbuf_addstr(out, "\n</details>\n");
}

/* For a pull request or an issue: what an apply did. */
static void md_report(const struct journal_report *r, size_t limit,
		      struct strbuf *out)
{
	int k;

	strbuf_addf(out, "## userprune %s\n\n**Journal:** `",
		    is_restore(r) ? "restore" : "apply");
	md_cell(out, r->path);
	strbuf_addf(out, "` · plan `%.12s` · %zu run%s",
		    r->checksum ? r->checksum : "?", r->nruns,
		    r->nruns == 1 ? "" : "s");
	if (r->nruns && r->runs[r->nruns - 1].interrupted)
		strbuf_addstr(out, " (the last one interrupted)");
	strbuf_addstr(out, "\n\n| outcome | users |\n|---|---:|\n");
	for (k = 0; k < OUTCOME_COUNT; k++) {
		bool bold = r->counts[k] && not_removed((enum outcome)k);

		if (!recorded_by(r, k))
			continue;

		strbuf_addf(out, "| %s | %s%zu%s |\n",
			    outcome_name((enum outcome)k), bold ? "**" : "",
			    r->counts[k], bold ? "**" : "");
	}
	md_users(r, true, limit, out);
	md_users(r, false, limit, out);
}

void cmd_render_report(const struct journal_report *r, enum plan_format format,
		       size_t limit, struct strbuf *out)
{
	if (format == FORMAT_JSON)
		json_report(r, out);
	else if (format == FORMAT_MARKDOWN)
		md_report(r, limit, out);
	else
		text_report(r, limit, out);
}
