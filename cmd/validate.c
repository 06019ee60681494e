/*
 * userprune validate: check a desired-state file offline.
 */
#include <stdio.h>

#include "cmd/cmd.h"

static int exec_validate(int argc, char **argv);

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "[-f FILE | --git-url URL [--git-ref REF] [--git-path PATH]]",
	.summary = "check a desired-state file offline",
	.help = "Checks everything that can be checked without the network: "
		"YAML syntax,\nkeys and types, vendors and their options, "
		"that keep and protect files\nexist and are not empty, and "
		"that ${env:NAME} variables are set and\n${file:PATH} secrets "
		"readable. Every problem is reported at once as\n"
		"FILE:LINE:COL: message.\n\n"
		"Options:\n" SOURCE_HELP,
	.exec = exec_validate,
};

static int exec_validate(int argc, char **argv)
{
	static const struct option longopts[] = { SOURCE_LONGOPTS,
						  GLOBAL_LONGOPTS,
						  { NULL, 0, NULL, 0 } };
	struct source_spec src = { 0 };
	struct plan_source prov;
	struct config c;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		if ((r = cmd_common_option(&cmd_validate, opt, optarg, &src)))
			return r > 0 ? EXIT_OK : EXIT_ERROR;
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_validate,
				       "unexpected argument '%s'",
				       argv[optind]);
	if (cmd_load_source(&src, CONFIG_STRICT_FILES | CONFIG_CHECK_SECRETS,
			    &c, &prov))
		return EXIT_ERROR;
	if (!globals.quiet)
		printf("userprune: %s: configuration OK (%zu tenant%s)\n",
		       c.name, c.ntenants, c.ntenants == 1 ? "" : "s");
	config_release(&c);
	plan_source_release(&prov);
	return EXIT_OK;
}
