/*
 * userprune show: print a saved plan file.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/output.h"
#include "util/fileio.h"

static int exec_show(int argc, char **argv);

const struct cmd_entry cmd_show = {
	.name = "show",
	.usage = "PLANFILE [--format text|json|markdown] [--split-dir DIR]",
	.summary = "print a saved plan",
	.help = "Prints a plan file written by 'userprune plan -o'. The "
		"file's checksum is\nverified first: a plan changed after it "
		"was written is refused.\n\n"
		"Options:\n"
		"  --format FORMAT      text (default), json or markdown\n"
		"  --split-dir DIR      markdown: write parts plan-1.md, "
		"plan-2.md, ... to DIR,\n"
		"                       removing the plan-N.md an earlier "
		"plan left there\n",
	.exec = exec_show,
};

static int exec_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "split-dir", required_argument, NULL, OPT_SPLIT_DIR },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	enum plan_format format = FORMAT_TEXT;
	const char *split_dir = NULL, *path;
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
	if (split_dir && format != FORMAT_MARKDOWN)
		return cmd_usage_error(&cmd_show,
				       "--split-dir needs --format markdown");
	path = argv[optind];
	if (file_read(path, PLAN_MAX_SIZE, &data, &len, &e) < 0 ||
	    plan_parse(&p, data, len, path, NULL, &e) < 0) {
		cmd_error("%s", e.msg);
		goto out;
	}
	/* the verified file itself is the JSON rendering */
	if (format == FORMAT_JSON)
		rc = cmd_write_stdout(data, len) ? EXIT_ERROR : EXIT_OK;
	else
		rc = cmd_print_plan(&p, format, split_dir, path) ? EXIT_ERROR
								 : EXIT_OK;
out:
	free(data);
	plan_release(&p);
	return rc;
}
