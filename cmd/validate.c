/*
 * userprune validate: check a desired-state file offline.
 */
#include <stdio.h>

#include "cmd/cmd.h"

static int exec_validate(int argc, char **argv);

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "[-f FILE | --git-url URL [--git-ref REF] [--git-path PATH]]\n"
		 "                      [--shard K/N]",
	.summary = "check a desired-state file offline",
	.help = "Checks everything that can be checked without the network: "
		"YAML syntax,\nkeys and types, vendors and their options, "
		"that keep and protect files\nexist and are not empty, and "
		"that ${env:NAME} variables are set and\n${file:PATH} secrets "
		"readable. Every problem is reported at once as\n"
		"FILE:LINE:COL: message.\n"
		"With --shard the file is still checked whole (it is reviewed "
		"as one),\nand the count of the shard's tenants is "
		"added.\n\n"
		"Options:\n" SOURCE_HELP SHARD_HELP,
	.exec = exec_validate,
};

static int exec_validate(int argc, char **argv)
{
	static const struct option longopts[] = { SOURCE_LONGOPTS,
						  { "shard", required_argument,
						    NULL, OPT_SHARD },
						  GLOBAL_LONGOPTS,
						  { NULL, 0, NULL, 0 } };
	struct source_spec src = { 0 };
	struct shard shard = { 0, 0 };
	struct plan_source prov;
	struct config c;
	size_t i, in_shard = 0;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		if (opt == OPT_SHARD) {
			if (cmd_parse_shard(&cmd_validate, optarg, &shard))
				return EXIT_ERROR;
			continue;
		}
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
	for (i = 0; i < c.ntenants; i++)
		in_shard += shard_has(&shard, c.tenants[i].name);
	if (!globals.quiet && shard.n)
		printf("userprune: %s: configuration OK (%zu tenant%s, %zu in "
		       "shard %llu/%llu)\n",
		       c.name, c.ntenants, c.ntenants == 1 ? "" : "s", in_shard,
		       (unsigned long long)shard.k,
		       (unsigned long long)shard.n);
	else if (!globals.quiet)
		printf("userprune: %s: configuration OK (%zu tenant%s)\n",
		       c.name, c.ntenants, c.ntenants == 1 ? "" : "s");
	config_release(&c);
	plan_source_release(&prov);
	return EXIT_OK;
}
