/*
 * userprune plan: what apply would delete, for review.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/output.h"
#include "cmd/run.h"
#include "util/fileio.h"
#include "util/xalloc.h"

static int exec_plan(int argc, char **argv);

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.usage = "[-f FILE | --git-url URL ...] [--tenant NAME]... "
		 "[--shard K/N]\n"
		 "                      [-o PLANFILE] [--format "
		 "text|json|markdown]\n"
		 "                      [--split-dir DIR] [--max-users N] "
		 "[--detailed-exitcode]\n"
		 "                      [--live SNAPSHOT] [--compare-ref REF]",
	.summary = "list live users and show who apply would delete",
	.help = "Lists the live users of every tenant (or those named with "
		"--tenant),\nclassifies them against the desired state and "
		"prints the plan. Never\nsends a write request. With -o the "
		"plan is also saved as JSON, to be\napplied exactly with "
		"'userprune apply PLANFILE'.\n\n"
		"Options:\n" SOURCE_HELP "  --tenant NAME        plan only "
		"this tenant (repeatable)\n" SHARD_HELP
		"  -o, --output FILE    save the plan file (JSON) to FILE\n"
		"  --format FORMAT      text (default), json or markdown\n"
		"  --split-dir DIR      write the markdown parts to DIR as "
		"plan-001.md,\n"
		"                       plan-002.md, ..., removing those an "
		"earlier plan left\n"
		"                       there (implies --format markdown)\n"
		"  --max-users N        list at most N users to delete per "
		"tenant, then\n"
		"                       how many more (text and markdown; 0: "
		"all; default:\n"
		"                       all in text, 500 in markdown; the plan "
		"file has all)\n"
		"  --detailed-exitcode  exit 2 when deletions are planned, 0 "
		"when none\n"
		"  --live SNAPSHOT      read live users from a JSON snapshot "
		"instead of\n"
		"                       the vendors (offline; see "
		"userprune(1))\n"
		"  --compare-ref REF    with --git-url: show the keep values "
		"added and\n"
		"                       removed since the desired state at REF "
		"(the base\n"
		"                       branch), and refuse a keep list that "
		"shrank by more\n"
		"                       than policy.max_keep_shrink_percent\n",
	.exec = exec_plan,
};

/*
 * A plan file that cannot be written is found out before the listing,
 * which may take hours at a vendor's rate: the directories are made (as
 * a journal's are) and a file is written beside it and removed.
 */
static int check_output(const char *path)
{
	struct atomic_file f;
	struct stat st;
	struct err e;

	if (!strcmp(path, "-"))
		return 0;
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		cmd_error("-o %s: is a directory: name the plan file; nothing "
			  "listed",
			  path);
		return EXIT_ERROR;
	}
	if (mkdir_parents(path, &e) < 0) {
		cmd_error("cannot make the directory of %s: %s; nothing listed",
			  path, e.msg);
		return EXIT_ERROR;
	}
	if (atomic_open(&f, path, &e) < 0) {
		cmd_error("%s; nothing listed", e.msg);
		return EXIT_ERROR;
	}
	atomic_abort(&f);
	return 0;
}

/*
 * A plan file never holds a secret, so a plan saved for a tenant with a
 * literal one could not be applied: refused before anything is listed,
 * not after review and merge.
 */
static int check_literal_secrets(const struct config *c,
				 const struct config_select *sel)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];
		const char *field = tenant_literal_secret(t);

		if (!field || !config_selected(sel, t->name))
			continue;
		cmd_error("tenant '%s': auth.%s is a literal secret, which a "
			  "plan file cannot hold (apply could not use the "
			  "plan): use ${env:NAME} or ${file:PATH}",
			  t->name, field);
		rc = EXIT_ERROR;
	}
	if (rc)
		cmd_error("nothing listed: plan -o needs secret references");
	return rc;
}

/*
 * The desired state at --compare-ref: the same repository and path at
 * another ref. A file not there yet is a state with no tenants (each is
 * new). Returns 0, or EXIT_ERROR after saying why.
 */
static int load_base(const struct source_spec *src, const char *ref,
		     struct config *base, struct plan *p)
{
	struct source_spec at = *src;
	struct plan_source prov;
	struct diags d = DIAGS_INIT;
	struct err e = { "" };
	int rc = 0;

	at.git_ref = ref;
	at.missing_ok = true;
	if (source_load(&at, 0, base, &prov, &d, &e) < 0) {
		diags_sort(&d);
		diags_print(&d, stderr);
		if (d.errors)
			cmd_error("--compare-ref %s: the desired state there "
				  "does not load (%zu error%s): nothing to "
				  "compare with",
				  ref, d.errors, d.errors == 1 ? "" : "s");
		else
			cmd_error("--compare-ref %s: %s", ref, e.msg);
		rc = EXIT_ERROR;
	} else {
		p->compare_ref = xstrdup(ref);
		p->compare_commit = xstrdup(prov.commit);
	}
	diags_release(&d);
	plan_source_release(&prov);
	return rc;
}

static int exec_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "split-dir", required_argument, NULL, OPT_SPLIT_DIR },
		{ "max-users", required_argument, NULL, OPT_MAX_USERS },
		{ "detailed-exitcode", no_argument, NULL,
		  OPT_DETAILED_EXITCODE },
		{ "live", required_argument, NULL, OPT_LIVE },
		{ "compare-ref", required_argument, NULL, OPT_COMPARE_REF },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct config_select sel = { 0 };
	struct plan_opts po = { 0 };
	struct shard shard = { 0, 0 };
	const char **tenants = xcalloc((size_t)argc + 1, sizeof(*tenants));
	enum plan_format format = FORMAT_TEXT;
	const char *out = NULL, *split_dir = NULL, *compare_ref = NULL;
	size_t max_users = MAX_USERS_DEFAULT;
	bool detailed = false, format_given = false;
	struct config c = { 0 }, base = { 0 };
	struct plan p;
	struct err e = { "" };
	int opt, r, rc = EXIT_ERROR;
	size_t i;

	plan_init(&p);
	while ((opt = getopt_long(argc, argv, "f:o:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenants[po.ntenants++] = optarg;
			break;
		case OPT_SHARD:
			if (cmd_parse_shard(&cmd_plan, optarg, &shard))
				goto out;
			po.shard = &shard;
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_FORMAT:
			if (plan_format_parse(optarg, &format) < 0) {
				rc = cmd_usage_error(&cmd_plan,
						     "--format must be text, "
						     "json or markdown");
				goto out;
			}
			format_given = true;
			break;
		case OPT_MAX_USERS:
			if (cmd_parse_max_users(&cmd_plan, optarg, &max_users))
				goto out;
			break;
		case OPT_SPLIT_DIR:
			split_dir = optarg;
			break;
		case OPT_DETAILED_EXITCODE:
			detailed = true;
			break;
		case OPT_LIVE:
			po.live = optarg;
			break;
		case OPT_COMPARE_REF:
			compare_ref = optarg;
			break;
		default:
			r = cmd_common_option(&cmd_plan, opt, optarg, &src);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind < argc) {
		rc = cmd_usage_error(&cmd_plan, "unexpected argument '%s'",
				     argv[optind]);
		goto out;
	}
	/* parts in a directory are markdown: --split-dir says so alone */
	if (split_dir && !format_given)
		format = FORMAT_MARKDOWN;
	if (split_dir && format != FORMAT_MARKDOWN) {
		rc = cmd_usage_error(&cmd_plan,
				     "--split-dir writes markdown parts: it "
				     "goes with --format markdown");
		goto out;
	}
	if (compare_ref && !src.git_url) {
		rc = cmd_usage_error(&cmd_plan,
				     "--compare-ref needs a git source "
				     "(--git-url)");
		goto out;
	}
	if (out && check_output(out))
		goto out;
	po.tenants = tenants;
	sel.names = tenants;
	sel.nnames = po.ntenants;
	sel.shard = po.shard;
	src.select = &sel;
	p.key = cmd_plan_key();
	if (cmd_load_source(&src, po.live ? 0 : CONFIG_CHECK_SECRETS, &c,
			    &p.source))
		goto out;
	if (out && check_literal_secrets(&c, &sel))
		goto out;
	if (compare_ref) {
		if (load_base(&src, compare_ref, &base, &p))
			goto out;
		po.base = &base;
	}
	cmd_catch_signals();
	cmd_run_hooks(&po.hooks);
	r = reconcile_plan(&c, &po, &p, &e);
	cmd_progress_done();
	if (r < 0) {
		cmd_error("%s", e.msg);
		rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
		goto out;
	}
	if (shard.n)
		cmd_info("shard %llu/%llu: %zu of %zu tenant%s",
			 (unsigned long long)shard.k,
			 (unsigned long long)shard.n, p.ntenants, c.ntenants,
			 c.ntenants == 1 ? "" : "s");
	for (i = 0; i < p.ntenants; i++)
		if (p.tenants[i].error)
			cmd_error("%s: %s", p.tenants[i].t.name,
				  p.tenants[i].error);
	if (out && plan_write(&p, out, &e) < 0) {
		cmd_error("%s", e.msg);
		goto out;
	}
	if (!(out && !strcmp(out, "-")) &&
	    cmd_print_plan(&p, format, split_dir, out, max_users))
		goto out;
	if (plan_has_errors(&p))
		rc = EXIT_ERROR;
	else if (plan_refused(&p))
		rc = EXIT_GUARD;
	else if (detailed && plan_total_deletes(&p))
		rc = EXIT_CHANGES;
	else
		rc = EXIT_OK;
out:
	free(tenants);
	plan_release(&p);
	config_release(&c);
	config_release(&base);
	return rc;
}
