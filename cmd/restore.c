/*
 * userprune restore: undo the reversible outcomes of an apply run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "reconcile/restore.h"
#include "util/fileio.h"
#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

static int exec_restore(int argc, char **argv);

const struct cmd_entry cmd_restore = {
	.name = "restore",
	.usage = "JOURNAL [PLANFILE] [--tenant NAME]... [--user ID]...\n"
		 "                      [--yes] [--journal FILE]",
	.summary = "undo what an apply run deactivated or scheduled",
	.help = "Reads the journal of an apply run (and the runs it resumed) "
		"and undoes\nits reversible outcomes: a deactivated user is "
		"reactivated, a scheduled\ndeletion is cancelled while the "
		"vendor still allows it. A deletion is\nfinal, and so is "
		"anything past its window: those are reported as\n"
		"not_undoable, with the reason, and nothing is sent for them. "
		"Only\nusers of the plan the run applied are ever touched.\n\n"
		"The tenants' connection settings come from that plan: the "
		"file the\njournal's header recorded, or PLANFILE when it has "
		"moved. What would be\nrestored is printed first, then "
		"userprune asks for the word yes on a\nterminal (--yes skips "
		"the question; without a terminal and without --yes\nit "
		"refuses). Requests go as apply's do (rate limits, retries, "
		"canary),\nevery outcome goes to the restore's own journal "
		"(restored, absent,\nfailed, not_undoable), and each tenant is "
		"listed again to verify.\nRunning it again with the same "
		"--journal goes on where an interrupted\nrestore stopped.\n\n"
		"Options:\n"
		"  --tenant NAME        restore only in this tenant "
		"(repeatable)\n"
		"  --user ID            restore only this user (repeatable)\n"
		"  --yes                do not ask for confirmation\n"
		"  --journal FILE       the restore's journal (default\n"
		"                       .userprune/restore-<UTC time>.jsonl); "
		"an earlier\n"
		"                       restore's journal goes on where it "
		"stopped\n",
	.exec = exec_restore,
};

/*
 * The plan file a journal recorded, where it is now: as recorded, else
 * beside the journal (journals and plans copied together). NULL when it
 * is in neither place.
 */
static char *find_plan(const char *journal, const char *recorded)
{
	const char *slash = strrchr(journal, '/'), *base;
	char *there;

	if (!recorded)
		return NULL;
	if (access(recorded, R_OK) == 0)
		return xstrdup(recorded);
	base = strrchr(recorded, '/');
	base = base ? base + 1 : recorded;
	there = slash ? xasprintf("%.*s/%s", (int)(slash - journal), journal,
				  base)
		      : xstrdup(base);
	if (access(there, R_OK) == 0)
		return there;
	free(there);
	return NULL;
}

/*
 * The journal undone is locked for the run: not while an apply writes
 * it, and not by two restores at once. Returns the descriptor, or -1.
 */
static int lock_journal(const char *path)
{
	struct err e;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		cmd_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (file_lock(fd, path, &e) < 0) {
		cmd_error("%s", e.msg);
		close(fd);
		return -1;
	}
	return fd;
}

static void add_cleaned(struct strbuf *sb, const char *s)
{
	if (s)
		text_clean(sb, s, strlen(s));
}

/* "  + ID  EMAIL  reactivate" or "  ! ID  EMAIL  why" */
static void item_line(struct strbuf *sb, const struct restore_item *it)
{
	strbuf_addstr(sb, it->why_not ? "  ! " : "  + ");
	add_cleaned(sb, it->u->id);
	strbuf_addstr(sb, "  ");
	add_cleaned(sb, it->u->email ? it->u->email : "(no email)");
	strbuf_addstr(sb, "  ");
	if (it->why_not)
		add_cleaned(sb, it->why_not);
	else
		strbuf_addstr(sb, it->was == OUTCOME_SCHEDULED
					  ? "cancel the scheduled deletion"
					  : "reactivate");
	if (it->repeated)
		strbuf_addstr(sb, " (again: an earlier restore failed)");
	strbuf_addch(sb, '\n');
}

/*
 * What the restore would do, by tenant (in the order the journal names
 * them): the users to restore, then those that cannot be. Items are
 * bucketed once: a run may hold thousands of tenants and a million users.
 */
static void print_set(const struct restore_set *s, const char *journal,
		      const char *plan_file)
{
	struct strbuf sb = STRBUF_INIT;
	struct hmap seen = HMAP_INIT;
	const char **names = xcalloc(s->n + 1, sizeof(*names));
	size_t *group = xcalloc(s->n + 1, sizeof(*group));
	size_t *first = xcalloc(s->n + 2, sizeof(*first));
	size_t *order = xcalloc(s->n + 1, sizeof(*order));
	size_t *send = xcalloc(s->n + 1, sizeof(*send));
	size_t i, j, k, nnames = 0;
	int inserted;

	strbuf_addstr(&sb, "Restore of run ");
	add_cleaned(&sb, s->applied_run ? s->applied_run : "?");
	strbuf_addstr(&sb, " (journal ");
	add_cleaned(&sb, journal);
	strbuf_addstr(&sb, ", plan ");
	add_cleaned(&sb, plan_file);
	strbuf_addstr(&sb, ")\n");
	for (i = 0; i < s->n; i++) {
		uint32_t *at =
			hmap_put(&seen, s->v[i].tenant, strlen(s->v[i].tenant),
				 (uint32_t)nnames, &inserted);

		if (inserted)
			names[nnames++] = s->v[i].tenant;
		group[i] = *at;
		first[*at + 1]++;
		if (!s->v[i].why_not)
			send[*at]++;
	}
	for (j = 0; j < nnames; j++)
		first[j + 1] += first[j];
	/* within a group: those to restore, then the others, each in order */
	for (k = 0; k < 2; k++)
		for (i = 0; i < s->n; i++)
			if (!s->v[i].why_not == !k)
				order[first[group[i]]++] = i;
	for (j = nnames; j > 0; j--)
		first[j] = first[j - 1];
	first[0] = 0;
	for (j = 0; j < nnames; j++) {
		strbuf_addch(&sb, '\n');
		add_cleaned(&sb, names[j]);
		strbuf_addf(&sb, "  %zu to restore, %zu not undoable\n",
			    send[j], first[j + 1] - first[j] - send[j]);
		for (k = first[j]; k < first[j + 1]; k++)
			item_line(&sb, &s->v[order[k]]);
	}
	strbuf_addf(&sb, "\nRestore: %zu user%s to restore, %zu not undoable",
		    s->to_send, s->to_send == 1 ? "" : "s", s->n - s->to_send);
	if (s->unchanged)
		strbuf_addf(&sb, ", %zu the run did not change", s->unchanged);
	if (s->done)
		strbuf_addf(&sb, ", %zu finished by an earlier restore",
			    s->done);
	strbuf_addstr(&sb, ".\n");
	cmd_write_stdout(sb.buf, sb.len);
	strbuf_release(&sb);
	hmap_release(&seen);
	free(names);
	free(group);
	free(first);
	free(order);
	free(send);
}

static void print_summary(const struct apply_result *r)
{
	const size_t *c = r->counts;

	printf("Restored: %zu restored, %zu absent, %zu not undoable, %zu "
	       "failed",
	       c[OUTCOME_RESTORED], c[OUTCOME_ABSENT], c[OUTCOME_NOT_UNDOABLE],
	       c[OUTCOME_FAILED]);
	if (r->not_attempted)
		printf(", %zu not attempted", r->not_attempted);
	printf(".\n");
	if (r->verified || r->unverified)
		printf("Verified: %zu outcome%s checked by listing again%s.\n",
		       r->verified, r->verified == 1 ? "" : "s",
		       r->unverified ? ", some not verified (see above)" : "");
	printf("Journal: %s\n", r->journal);
	fflush(stdout);
}

static int exit_code(const struct apply_result *r)
{
	size_t i, attempted = 0;

	for (i = 0; i < OUTCOME_COUNT; i++)
		attempted += r->counts[i];
	if (r->interrupted)
		return EXIT_INTERRUPTED;
	if (r->listing_failed && !r->listing_partial &&
	    attempted == r->counts[OUTCOME_NOT_UNDOABLE])
		return EXIT_ERROR;
	if (r->counts[OUTCOME_FAILED] || r->not_attempted || r->unverified)
		return EXIT_PARTIAL;
	return EXIT_OK;
}

static int exec_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "user", required_argument, NULL, OPT_USER },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "journal", required_argument, NULL, OPT_JOURNAL },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char **tenants = xcalloc((size_t)argc + 1, sizeof(*tenants));
	const char **users = xcalloc((size_t)argc + 1, sizeof(*users));
	struct restore_opts ro = { 0 };
	struct apply_result res = { .journal = NULL };
	struct journal_done applied, restored;
	struct restore_set set;
	const char *journal = NULL, *given_plan = NULL;
	char *plan_file = NULL, *own = NULL;
	char run_id[RUN_ID_LEN + 1];
	bool yes = false, have_applied = false, have_restored = false,
	     have_set = false;
	int journal_fd = -1, checksum_fd = -1;
	struct plan p;
	struct err e = { "" };
	int opt, r, rc = EXIT_ERROR;

	plan_init(&p);
	while ((opt = getopt_long(argc, argv, GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenants[ro.ntenants++] = optarg;
			break;
		case OPT_USER:
			users[ro.nusers++] = optarg;
			break;
		case OPT_YES:
			yes = true;
			break;
		case OPT_JOURNAL:
			ro.journal = optarg;
			break;
		default:
			r = cmd_common_option(&cmd_restore, opt, optarg, NULL);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind < argc)
		journal = argv[optind++];
	if (optind < argc)
		given_plan = argv[optind++];
	if (!journal || optind < argc) {
		rc = cmd_usage_error(&cmd_restore,
				     journal ? "unexpected argument '%s'"
					     : "which journal?%s",
				     journal ? argv[optind] : "");
		goto out;
	}
	ro.tenants = tenants;
	ro.users = users;
	ro.applied_journal = journal;
	cmd_catch_signals();
	cmd_run_hooks(&ro.hooks);
	if ((journal_fd = lock_journal(journal)) < 0)
		goto out;
	if (journal_load_entries(&applied, journal, JOURNAL_APPLY, NULL, &e) <
	    0) {
		cmd_error("%s", e.msg);
		goto out;
	}
	have_applied = true;
	if (applied.torn)
		cmd_warn("%s:%d: %zu line%s cut short (a crash while "
			 "writing?) skipped",
			 applied.torn_path, applied.torn_line, applied.torn,
			 applied.torn == 1 ? "" : "s");
	plan_file = given_plan ? xstrdup(given_plan)
			       : find_plan(journal, applied.plan_path);
	if (!plan_file) {
		cmd_error("%s: the plan file it recorded (%s) is not there, "
			  "nor beside the journal: name it, 'userprune "
			  "restore %s PLANFILE'",
			  journal,
			  applied.plan_path ? applied.plan_path : "none",
			  journal);
		goto out;
	}
	/* the connection settings are the plan's: checked like apply's */
	if (plan_read(&p, plan_file, cmd_plan_key(), &e) < 0) {
		cmd_error("%s", e.msg);
		goto out;
	}
	if (strcmp(p.checksum, applied.checksum)) {
		cmd_error("%s is not the plan %s applied (checksum %.12s, the "
			  "journal's %.12s)",
			  plan_file, journal, p.checksum, applied.checksum);
		goto out;
	}
	ro.plan_path = plan_file;
	if ((checksum_fd = cmd_lock_plan_checksum(&p)) < 0)
		goto out;
	journal_new_run_id(run_id);
	ro.run_id = run_id;
	if (!ro.journal)
		ro.journal = own = restore_default_path(run_id);
	if (access(ro.journal, F_OK) == 0) {
		/* an earlier restore: what it finished is not sent again */
		if (journal_load_entries(&restored, ro.journal, JOURNAL_RESTORE,
					 p.checksum, &e) < 0) {
			cmd_error("%s: choose another --journal", e.msg);
			goto out;
		}
		have_restored = true;
	}
	if (restore_prepare(&p, &applied, have_restored ? &restored : NULL, &ro,
			    &set, &e) < 0) {
		cmd_error("%s: nothing restored", e.msg);
		goto out;
	}
	have_set = true;
	if (!set.n) {
		cmd_info("nothing to restore: %s",
			 set.done ? "an earlier restore finished it"
				  : "the run deactivated, scheduled or "
				    "deleted nobody selected");
		rc = EXIT_OK;
		goto out;
	}
	print_set(&set, journal, plan_file);
	if (set.to_send && !yes) {
		char q[64];

		if (!isatty(0)) {
			cmd_error("restore needs --yes when not run on a "
				  "terminal: nothing restored");
			goto out;
		}
		snprintf(q, sizeof(q), "Restore %zu user%s?", set.to_send,
			 set.to_send == 1 ? "" : "s");
		if (!cmd_confirm(q)) {
			cmd_error("%s: nothing restored",
				  cmd_stop ? "interrupted" : "not confirmed");
			rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
			goto out;
		}
	}
	r = reconcile_restore(&p, &set, &ro, &res, &e);
	cmd_progress_done();
	if (r < 0) {
		cmd_error("%s", e.msg);
		if (res.journal)
			print_summary(&res);
		goto out;
	}
	print_summary(&res);
	rc = exit_code(&res);
	if (res.interrupted || res.not_attempted)
		cmd_info("to finish later: userprune restore %s --journal %s",
			 journal, res.journal);
out:
	if (journal_fd >= 0)
		close(journal_fd);
	if (checksum_fd >= 0)
		close(checksum_fd);
	if (have_applied)
		journal_done_release(&applied);
	if (have_restored)
		journal_done_release(&restored);
	if (have_set)
		restore_set_release(&set);
	apply_result_release(&res);
	plan_release(&p);
	free(plan_file);
	free(own);
	free(tenants);
	free(users);
	return rc;
}
