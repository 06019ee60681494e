/*
 * userprune show: print a saved plan file, or a journal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/output.h"
#include "reconcile/journal_report.h"
#include "util/fileio.h"
#include "util/strbuf.h"

static int exec_show(int argc, char **argv);

const struct cmd_entry cmd_show = {
	.name = "show",
	.usage = "PLANFILE|JOURNAL [--format text|json|markdown] "
		 "[--split-dir DIR]\n"
		 "                      [--max-users N]",
	.summary = "print a saved plan, or what an apply did",
	.help = "Prints a plan file written by 'userprune plan -o'. The "
		"file's checksum is\nverified first: a plan changed after it "
		"was written is refused.\n\n"
		"Prints a journal of 'userprune apply' or 'userprune restore' "
		"(and of the runs\nit resumed): its runs, the count of each "
		"outcome (each user's last),\nverifications, then the users "
		"that failed or were blocked (or not undoable),\nwith their "
		"reasons, then the others; --format json prints {journal, "
		"kind,\nplan_checksum, source, runs, counts, users, steps, "
		"verifications,\ntorn_lines} for scripts, "
		"--format markdown a summary for a\npull request or an "
		"issue.\n\n"
		"Options:\n"
		"  --format FORMAT      text (default), json or markdown\n"
		"  --split-dir DIR      write the markdown parts to DIR as "
		"plan-001.md,\n"
		"                       plan-002.md, ..., removing those an "
		"earlier plan left\n"
		"                       there (implies --format markdown)\n"
		"  --max-users N        list at most N users per tenant (of a "
		"journal, per\n"
		"                       list; text lists every failed or "
		"blocked "
		"one), then\n"
		"                       how many more (0: all; default: all in "
		"text, 500 in\n"
		"                       markdown)\n",
	.exec = exec_show,
};

/*
 * A journal's first line starts as every journal line does; one whose
 * first line was cut short by a crash is known by its name.
 */
static bool is_journal(const char *path)
{
	char head[16];
	size_t n = 0, len = strlen(path);
	FILE *f = fopen(path, "rb");

	if (f) {
		n = fread(head, 1, sizeof(head), f);
		fclose(f);
	}
	return journal_report_sniff(head, n) ||
	       (len > 6 && !strcmp(path + len - 6, ".jsonl"));
}

static int show_journal(const char *path, enum plan_format format,
			const char *split_dir, size_t max_users)
{
	struct journal_report r;
	struct strbuf out = STRBUF_INIT;
	struct err e;
	int rc;

	if (split_dir)
		return cmd_usage_error(&cmd_show,
				       "%s is a journal: --split-dir is for "
				       "plans",
				       path);
	if (journal_report_load(&r, path, &e) < 0) {
		cmd_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (r.torn)
		cmd_warn("%s:%d: %zu line%s cut short (a crash while "
			 "writing?) skipped",
			 r.torn_path, r.torn_line, r.torn,
			 r.torn == 1 ? "" : "s");
	cmd_render_report(&r, format, max_users, &out);
	rc = cmd_write_stdout(out.buf, out.len) ? EXIT_ERROR : EXIT_OK;
	strbuf_release(&out);
	journal_report_release(&r);
	return rc;
}

static int exec_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "split-dir", required_argument, NULL, OPT_SPLIT_DIR },
		{ "max-users", required_argument, NULL, OPT_MAX_USERS },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	enum plan_format format = FORMAT_TEXT;
	const char *split_dir = NULL, *path;
	size_t max_users = MAX_USERS_DEFAULT;
	bool format_given = false;
	char *data = NULL;
	size_t len = 0;
	struct plan p;
	struct err e;
	int opt, r, rc = EXIT_ERROR;

	plan_init(&p);
	while ((opt = getopt_long(argc, argv, GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (plan_format_parse(optarg, &format) < 0)
				return cmd_usage_error(&cmd_show,
						       "--format must be text, "
						       "json or markdown");
			format_given = true;
			break;
		case OPT_MAX_USERS:
			if (cmd_parse_max_users(&cmd_show, optarg, &max_users))
				return EXIT_ERROR;
			break;
		case OPT_SPLIT_DIR:
			split_dir = optarg;
			break;
		default:
			r = cmd_common_option(&cmd_show, opt, optarg, NULL);
			if (r)
				return r > 0 ? EXIT_OK : EXIT_ERROR;
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_show,
				       optind < argc ? "one plan file, please"
						     : "which plan file?");
	path = argv[optind];
	if (is_journal(path))
		return show_journal(path, format, split_dir,
				    max_users != MAX_USERS_DEFAULT ? max_users
				    : format == FORMAT_MARKDOWN
					    ? MARKDOWN_MAX_USERS
					    : 0);
	if (split_dir && !format_given)
		format = FORMAT_MARKDOWN;
	if (split_dir && format != FORMAT_MARKDOWN)
		return cmd_usage_error(&cmd_show,
				       "--split-dir writes markdown parts: it "
				       "goes with --format markdown");
	if (file_read(path, PLAN_MAX_SIZE, &data, &len, &e) < 0 ||
	    plan_parse(&p, data, len, path, NULL, &e) < 0) {
		cmd_error("%s", e.msg);
		goto out;
	}
	/* the verified file itself is the JSON rendering */
	if (format == FORMAT_JSON)
		rc = cmd_write_stdout(data, len) ? EXIT_ERROR : EXIT_OK;
	else
		rc = cmd_print_plan(&p, format, split_dir, path, max_users)
			     ? EXIT_ERROR
			     : EXIT_OK;
out:
	free(data);
	plan_release(&p);
	return rc;
}
