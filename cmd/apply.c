/*
 * userprune apply: delete exactly the planned users.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/output.h"
#include "cmd/run.h"
#include "reconcile/journal.h"
#include "reconcile/journal_report.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "util/xalloc.h"

static int exec_apply(int argc, char **argv);

const struct cmd_entry cmd_apply = {
	.name = "apply",
	.usage = "[PLANFILE | -f FILE | --git-url URL ...] [--tenant NAME]... "
		 "[--shard K/N]\n"
		 "                      [--yes] [--journal FILE] [--resume "
		 "JOURNAL] [--format text|json]",
	.summary = "delete exactly the users of a reviewed plan",
	.help = "With a plan file (from 'userprune plan -o'), applies exactly "
		"that plan,\nwithout asking: its checksum is verified, every "
		"tenant is listed again,\nplanned users that are gone count as "
		"absent, planned users whose id,\nemail, username, status or "
		"account type changed are skipped, users that\nappeared since "
		"are left alone. Without a plan file, plans first,\nprints the "
		"plan and asks for the word yes on a terminal (--yes skips "
		"the\n"
		"question; without a terminal and without --yes it "
		"refuses).\n\n"
		"The first policy.canary deletions of each tenant run one at a "
		"time; a\nfailed one stops that tenant. Every outcome goes to "
		"an append-only\njournal (JSON Lines); the run ends by naming "
		"the users that failed or\nwere blocked, with their "
		"reasons.\n\n"
		"Options:\n" SOURCE_HELP "  --tenant NAME        apply only "
		"this tenant (repeatable)\n" SHARD_HELP
		"  --yes                do not ask for confirmation\n"
		"  --journal FILE       the journal (default .userprune/"
		"journal-<UTC time>-<run id>.jsonl)\n"
		"  --resume JOURNAL     leave alone the users that already "
		"have an outcome\n"
		"                       in JOURNAL, an earlier journal of the "
		"same plan;\n"
		"                       the run goes on in JOURNAL unless "
		"--journal says\n"
		"                       otherwise; the plan file is the one "
		"JOURNAL names\n"
		"                       when none is given\n"
		"  --format FORMAT      text (default) or json: the result as "
		"{journal,\n"
		"                       counts, tenants, not_deleted, ...} on "
		"stdout\n",
	.exec = exec_apply,
};

/* .userprune/journal-X.jsonl -> .userprune/plan-X.json */
static char *plan_path_for(const char *journal)
{
	const char *slash = strrchr(journal, '/');
	const char *base = slash ? slash + 1 : journal;
	size_t dir = (size_t)(base - journal), len = strlen(base);

	if (!strncmp(base, "journal-", 8) && len > 14 &&
	    !strcmp(base + len - 6, ".jsonl"))
		return xasprintf("%.*splan-%.*s.json", (int)dir, journal,
				 (int)(len - 14), base + 8);
	return xasprintf("%s.plan.json", journal);
}

static bool confirm(const struct plan *p)
{
	char q[64];
	size_t n = plan_total_deletes(p);

	snprintf(q, sizeof(q), "Delete %zu user%s?", n, n == 1 ? "" : "s");
	return cmd_confirm(q);
}

/* Deletions apply would attempt; says which report-mode ones it won't. */
static size_t selected_deletes(const struct plan *p, const char *const *tenants,
			       size_t n)
{
	size_t i, j, total = 0;

	for (i = 0; i < p->ntenants; i++) {
		const struct tenant_plan *tp = &p->tenants[i];
		bool sel = n == 0;

		for (j = 0; j < n; j++)
			if (!strcmp(tenants[j], tp->t.name))
				sel = true;
		if (sel && tp->t.mode == MODE_REPORT && tp->ndel)
			cmd_info("%s: report mode: %zu planned deletion%s not "
				 "applied",
				 tp->t.name, tp->ndel,
				 tp->ndel == 1 ? " is" : "s are");
		else if (sel)
			total += tp->ndel + tp->mass_deletion;
	}
	return total;
}

/*
 * The plan's tenants that are selected (by name, all when none is named)
 * and in the shard, in plan order, into a new array; *n is set to their
 * number, which may be zero: none is not "all" here.
 */
static const char **shard_select(const struct plan *p, const struct shard *s,
				 const char *const *tenants, size_t *n)
{
	const char **sel = xcalloc(p->ntenants + 1, sizeof(*sel));
	size_t i, j, kept = 0;

	for (i = 0; i < p->ntenants; i++) {
		const char *name = p->tenants[i].t.name;
		bool named = *n == 0;

		for (j = 0; j < *n && !named; j++)
			named = !strcmp(tenants[j], name);
		if (named && shard_has(s, name))
			sel[kept++] = name;
	}
	*n = kept;
	return sel;
}

/* Failed and blocked users named at the end of a run, at most. */
#define NOT_REMOVED_SHOWN 20

static bool in_selection(const char *const *tenants, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tenants[i], name))
			return true;
	return n == 0;
}

/* Planned deletions of the selected tenants that apply attempts. */
static size_t planned_users(const struct plan *p, const char *const *tenants,
			    size_t n)
{
	size_t i, total = 0;

	for (i = 0; i < p->ntenants; i++)
		if (p->tenants[i].t.mode != MODE_REPORT &&
		    in_selection(tenants, n, p->tenants[i].t.name))
			total += p->tenants[i].ndel;
	return total;
}

/* The report's users of the selected tenants, by last outcome. */
static size_t recorded(const struct journal_report *rep,
		       const char *const *tenants, size_t n, const char *only,
		       size_t counts[])
{
	size_t i, total = 0;

	memset(counts, 0, (OUTCOME_COUNT) * sizeof(*counts));
	for (i = 0; i < rep->nusers; i++) {
		const struct report_user *u = &rep->users[i];

		if (!in_selection(tenants, n, u->tenant) ||
		    (only && strcmp(only, u->tenant)))
			continue;
		counts[u->outcome]++;
		total++;
	}
	return total;
}

static void text_result(const struct apply_result *r,
			const struct journal_report *rep, size_t planned,
			const char *const *tenants, size_t ntenants,
			struct strbuf *out)
{
	size_t counts[OUTCOME_COUNT];

	strbuf_addstr(out, "Applied: ");
	cmd_report_counts(out, r->counts);
	if (r->not_attempted)
		strbuf_addf(out, ", %zu not attempted", r->not_attempted);
	strbuf_addstr(out, ".\n");
	/* a resumed run: what every run of the plan did, not only this one */
	if (rep && rep->nruns > 1) {
		size_t n = recorded(rep, tenants, ntenants, NULL, counts);

		strbuf_addf(out,
			    "In all %zu runs of this plan: %zu of %zu planned "
			    "user%s %s an outcome: ",
			    rep->nruns, n, planned, planned == 1 ? "" : "s",
			    n == 1 ? "has" : "have");
		cmd_report_counts(out, counts);
		strbuf_addstr(out, ".\n");
	}
	if (r->verified || r->unverified)
		strbuf_addf(out,
			    "Verified: %zu outcome%s checked by listing "
			    "again%s.\n",
			    r->verified, r->verified == 1 ? "" : "s",
			    r->unverified ? ", some not verified (see above)"
					  : "");
	if (rep)
		cmd_report_not_removed(rep, NOT_REMOVED_SHOWN, out);
	strbuf_addf(out, "Journal: %s\n", r->journal);
}

static void json_result(const struct apply_result *r,
			const struct journal_report *rep, const struct plan *p,
			const char *const *tenants, size_t ntenants,
			struct strbuf *out)
{
	size_t counts[OUTCOME_COUNT], i, n;
	struct jsonw w;
	int k;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "journal", r->journal);
	jsonw_object_bool(&w, "interrupted", r->interrupted);
	jsonw_key(&w, "counts");
	jsonw_object_begin(&w);
	for (k = 0; k <= OUTCOME_FAILED; k++)
		jsonw_object_int(&w, outcome_name((enum outcome)k),
				 (long long)r->counts[k]);
	jsonw_object_end(&w);
	jsonw_object_int(&w, "not_attempted", (long long)r->not_attempted);
	jsonw_object_int(&w, "verified", (long long)r->verified);
	jsonw_object_int(&w, "unverified", (long long)r->unverified);
	jsonw_object_int(&w, "listing_failed", (long long)r->listing_failed);
	jsonw_object_int(&w, "runs", rep ? (long long)rep->nruns : 1);
	/* per tenant: every run of the plan, each user's last outcome */
	jsonw_key(&w, "tenants");
	jsonw_array_begin(&w);
	for (i = 0; i < p->ntenants; i++) {
		const struct tenant_plan *tp = &p->tenants[i];

		if (!in_selection(tenants, ntenants, tp->t.name))
			continue;
		n = rep ? recorded(rep, tenants, ntenants, tp->t.name, counts)
			: 0;
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "name", tp->t.name);
		jsonw_object_string(&w, "vendor", tp->t.vendor->name);
		jsonw_object_string(&w, "mode", tenant_mode_name(tp->t.mode));
		jsonw_object_int(&w, "planned", (long long)tp->ndel);
		jsonw_object_int(&w, "recorded", (long long)n);
		jsonw_key(&w, "outcomes");
		jsonw_object_begin(&w);
		for (k = 0; k <= OUTCOME_FAILED; k++)
			jsonw_object_int(&w, outcome_name((enum outcome)k),
					 rep ? (long long)counts[k] : 0);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	/* the outcomes that did not remove a user: what to look at */
	jsonw_key(&w, "not_deleted");
	if (rep)
		cmd_report_json_users(&w, rep, false);
	else
		jsonw_null(&w);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}

/*
 * The end of a run, read back from its journal (and the journals it
 * resumed), so that a resumed run reports every run and names the users
 * still to look at.
 */
static void print_result(const struct apply_result *r, const struct plan *p,
			 const char *const *tenants, size_t ntenants, bool json)
{
	struct journal_report rep;
	struct strbuf out = STRBUF_INIT;
	struct err e;
	bool have =
		r->journal && journal_report_load(&rep, r->journal, &e) == 0;

	if (!have && r->journal)
		cmd_warn("%s", e.msg);
	if (json)
		json_result(r, have ? &rep : NULL, p, tenants, ntenants, &out);
	else
		text_result(r, have ? &rep : NULL,
			    planned_users(p, tenants, ntenants), tenants,
			    ntenants, &out);
	(void)cmd_write_stdout(out.buf, out.len);
	strbuf_release(&out);
	if (have)
		journal_report_release(&rep);
}

static void show_plan_on_stderr(const struct plan *p)
{
	struct render_opts o = { cmd_color(stderr), globals.verbose > 0, NULL,
				 0 };
	struct strbuf sb = STRBUF_INIT;

	plan_render_text(p, &o, &sb);
	fwrite(sb.buf, 1, sb.len, stderr);
	strbuf_release(&sb);
}

/*
 * Locks the plan file for the whole run: one apply per plan at a time.
 * Returns the descriptor (closing it releases the lock), or -1.
 */
static int lock_plan(const char *path)
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

/*
 * apply --resume J: the plan file J's header recorded (when none is
 * given), and J's selection of tenants (unless --tenant says otherwise).
 */
static int resume_defaults(const char *journal, const char **plan_file,
			   struct journal_done *d, const char ***tenants,
			   size_t *ntenants)
{
	struct err e;
	size_t i;

	if (journal_load(d, journal, NULL, &e) < 0) {
		cmd_error("%s", e.msg);
		return -1;
	}
	if (!*plan_file) {
		if (!d->plan_path || access(d->plan_path, R_OK) < 0) {
			cmd_error("%s: the plan file it recorded (%s) is not "
				  "there: name it, 'userprune apply --resume "
				  "%s PLANFILE'",
				  journal, d->plan_path ? d->plan_path : "none",
				  journal);
			return -1;
		}
		*plan_file = d->plan_path;
	}
	if (!*ntenants) {
		/* a shard's journal may name thousands of tenants */
		*tenants = xrealloc(*tenants,
				    (d->ntenants + 1) * sizeof(**tenants));
		for (i = 0; i < d->ntenants; i++)
			(*tenants)[(*ntenants)++] = d->tenants[i];
	}
	return 0;
}

static int exec_apply(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "journal", required_argument, NULL, OPT_JOURNAL },
		{ "resume", required_argument, NULL, OPT_RESUME },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct apply_opts ao = { 0 };
	struct plan_opts po = { 0 };
	struct shard shard = { 0, 0 };
	struct apply_result res = { .journal = NULL };
	const char **tenants = xcalloc((size_t)argc + 1, sizeof(*tenants));
	const char **in_shard = NULL;
	const char *plan_file = NULL;
	char *journal = NULL, *saved = NULL;
	bool yes = false, json = false;
	char run_id[RUN_ID_LEN + 1];
	struct journal_done resumed;
	int plan_fd = -1, checksum_fd = -1, fd;
	struct config c = { 0 };
	struct plan p;
	struct err e = { "" };
	int opt, r, rc = EXIT_ERROR;
	size_t attempted = 0, i;

	plan_init(&p);
	memset(&resumed, 0, sizeof(resumed));
	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenants[ao.ntenants++] = optarg;
			break;
		case OPT_SHARD:
			if (cmd_parse_shard(&cmd_apply, optarg, &shard))
				goto out;
			break;
		case OPT_YES:
			yes = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				rc = cmd_usage_error(&cmd_apply,
						     "--format must be text or "
						     "json, not '%s'",
						     optarg);
				goto out;
			}
			json = !strcmp(optarg, "json");
			break;
		case OPT_JOURNAL:
			ao.journal = optarg;
			break;
		case OPT_RESUME:
			ao.resume = optarg;
			break;
		default:
			r = cmd_common_option(&cmd_apply, opt, optarg, &src);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind < argc)
		plan_file = argv[optind++];
	if (optind < argc) {
		rc = cmd_usage_error(&cmd_apply, "unexpected argument '%s'",
				     argv[optind]);
		goto out;
	}
	if (plan_file && (src.file || src.git_url)) {
		rc = cmd_usage_error(&cmd_apply,
				     "a plan file and -f/--git-url are two "
				     "sources: use one");
		goto out;
	}
	if (ao.resume && (src.file || src.git_url)) {
		rc = cmd_usage_error(&cmd_apply,
				     "--resume goes on with a plan file, not "
				     "-f/--git-url");
		goto out;
	}
	if (ao.resume && resume_defaults(ao.resume, &plan_file, &resumed,
					 &tenants, &ao.ntenants) < 0)
		goto out;
	ao.tenants = tenants;
	/* a resumed run goes on in the same journal, unless told otherwise */
	if (ao.resume && !ao.journal)
		ao.journal = ao.resume;
	cmd_catch_signals();
	cmd_run_hooks(&ao.hooks);
	journal_new_run_id(run_id);
	ao.run_id = run_id;
	if (plan_file) {
		if ((plan_fd = lock_plan(plan_file)) < 0)
			goto out;
		if (plan_read(&p, plan_file, cmd_plan_key(), &e) < 0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		if (p.tag[0] && !cmd_plan_key())
			cmd_warn("%s carries an HMAC tag, but "
				 "USERPRUNE_PLAN_KEY is not set: the tag is "
				 "not checked",
				 plan_file);
	} else {
		struct config_select sel = { tenants, ao.ntenants, &shard,
					     false };

		src.select = &sel;
		if (cmd_load_source(&src, CONFIG_CHECK_SECRETS, &c, &p.source))
			goto out;
		po.tenants = tenants;
		po.ntenants = ao.ntenants;
		po.shard = &shard;
		po.hooks = ao.hooks;
		r = reconcile_plan(&c, &po, &p, &e);
		cmd_progress_done();
		if (r < 0) {
			cmd_error("%s", e.msg);
			rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
			goto out;
		}
		/* the plan is what the user confirms: show it first (on
		   stderr when stdout is for the JSON result) */
		if (json)
			show_plan_on_stderr(&p);
		else if (cmd_print_plan(&p, FORMAT_TEXT, NULL, NULL,
					MAX_USERS_DEFAULT))
			goto out;
	}
	for (i = 0; i < ao.ntenants; i++) {
		size_t j;

		for (j = 0; j < p.ntenants; j++)
			if (!strcmp(p.tenants[j].t.name, tenants[i]))
				break;
		if (j == p.ntenants) {
			plan_no_tenant(&p, tenants[i], &e);
			cmd_error("%s", e.msg);
			goto out;
		}
	}
	if (plan_has_errors(&p)) {
		cmd_error("listing failed: nothing deleted");
		goto out;
	}
	if (plan_refused(&p)) {
		cmd_error("the plan was refused by a guard: nothing deleted");
		rc = EXIT_GUARD;
		goto out;
	}
	if (shard.n) {
		in_shard = shard_select(&p, &shard, tenants, &ao.ntenants);
		ao.tenants = in_shard;
	}
	if (shard.n && !ao.ntenants) {
		cmd_info("no tenant of the plan is in shard %llu/%llu: nothing "
			 "to do",
			 (unsigned long long)shard.k,
			 (unsigned long long)shard.n);
		if (json)
			print_result(&res, &p, ao.tenants, ao.ntenants, true);
		rc = EXIT_OK;
		goto out;
	}
	if (!selected_deletes(&p, ao.tenants, ao.ntenants)) {
		cmd_info("nothing to delete");
		if (json) /* a script reads a result either way */
			print_result(&res, &p, ao.tenants, ao.ntenants, true);
		rc = EXIT_OK;
		goto out;
	}
	if (!plan_file && !yes) {
		if (!isatty(0)) {
			cmd_error(
				"apply needs --yes, or a saved plan file, when "
				"not run on a terminal: nothing deleted");
			goto out;
		}
		if (!confirm(&p)) {
			cmd_error("%s: nothing deleted",
				  cmd_stop ? "interrupted" : "not confirmed");
			if (cmd_stop)
				rc = EXIT_INTERRUPTED;
			goto out;
		}
	}
	if (!plan_file) {
		/* saved next to the journal: the record, and for --resume */
		journal = ao.journal ? xstrdup(ao.journal)
				     : journal_default_path(run_id);
		saved = plan_path_for(journal);
		p.key = cmd_plan_key();
		if (mkdir_parents(saved, &e) < 0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		/*
		 * Never over another run's saved plan: it is that run's
		 * record and what its --resume reads. The name is taken
		 * with O_EXCL, so two runs at once cannot both have it.
		 */
		if ((fd = open(saved, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			       0600)) < 0) {
			if (errno == EEXIST)
				cmd_error(
					"%s exists: the plan an earlier apply "
					"saved with journal %s; choose "
					"another --journal: nothing deleted",
					saved, journal);
			else
				cmd_error("%s: %s", saved, strerror(errno));
			goto out;
		}
		close(fd);
		if (plan_write(&p, saved, &e) < 0) {
			cmd_error("%s", e.msg);
			unlink(saved);
			goto out;
		}
		ao.journal = journal;
		plan_file = saved;
		if ((plan_fd = lock_plan(plan_file)) < 0)
			goto out;
	}
	ao.plan_path = plan_file;
	if ((checksum_fd = cmd_lock_plan_checksum(&p)) < 0)
		goto out;
	r = reconcile_apply(&p, &ao, &res, &e);
	cmd_progress_done();
	if (r < 0) {
		cmd_error("%s", e.msg);
		if (res.journal)
			print_result(&res, &p, ao.tenants, ao.ntenants, json);
		goto out;
	}
	print_result(&res, &p, ao.tenants, ao.ntenants, json);
	if (res.interrupted || res.not_attempted)
		cmd_info("to finish later: userprune apply --resume %s",
			 res.journal);
	else if (res.unverified)
		cmd_info("%zu outcome%s could not be verified: 'userprune "
			 "apply --resume %s' lists again and tries once more "
			 "any user still there",
			 res.unverified, res.unverified == 1 ? "" : "s",
			 res.journal);
	for (i = 0; i <= OUTCOME_FAILED; i++)
		attempted += res.counts[i];
	if (res.interrupted)
		rc = EXIT_INTERRUPTED;
	else if (res.listing_failed && !res.listing_partial && !attempted)
		rc = EXIT_ERROR;
	else if (res.counts[OUTCOME_FAILED] || res.counts[OUTCOME_BLOCKED] ||
		 res.not_attempted || res.unverified)
		rc = EXIT_PARTIAL;
	else
		rc = EXIT_OK;
out:
	if (plan_fd >= 0)
		close(plan_fd);
	if (checksum_fd >= 0)
		close(checksum_fd);
	if (ao.resume)
		journal_done_release(&resumed);
	apply_result_release(&res);
	free(journal);
	free(saved);
	free(in_shard);
	free(tenants);
	plan_release(&p);
	config_release(&c);
	return rc;
}
