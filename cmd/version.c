/*
 * userprune version
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "reconcile/engine.h"
#include "reconcile/gitsrc.h"

static int exec_version(int argc, char **argv);

const struct cmd_entry cmd_version = {
	.name = "version",
	.usage = "[-v]",
	.summary = "print the version",
	.help = "Prints the version of userprune; with -v also those of the "
		"libraries\nit uses (libcurl, libyaml, libgit2, cJSON). "
		"'userprune --version' and\n'userprune -V' are the same as "
		"'userprune version'.\n\n"
		"Options:\n"
		"  -v, --verbose        the libraries' versions too\n",
	.exec = exec_version,
};

static int exec_version(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cmd_print_help(&cmd_version, stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			globals.verbose++;
		else
			return cmd_usage_error(&cmd_version,
					       "unexpected argument '%s'",
					       argv[i]);
	}
	printf("userprune %s\n", USERPRUNE_VERSION);
	if (globals.verbose)
		printf("libcurl %s, libyaml %s, libgit2 %s, cJSON %s\n",
		       engine_version(), config_yaml_version(),
		       gitsrc_version(), plan_json_version());
	return EXIT_OK;
}
