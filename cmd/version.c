/*
 * userprune version
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static int exec_version(int argc, char **argv);

const struct cmd_entry cmd_version = {
	.name = "version",
	.usage = "",
	.summary = "print the version",
	.help = "Prints the version of userprune.\n",
	.exec = exec_version,
};

static int exec_version(int argc, char **argv)
{
	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_print_help(&cmd_version, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cmd_usage_error(&cmd_version, "unexpected argument '%s'",
				       argv[1]);
	printf("userprune %s\n", USERPRUNE_VERSION);
	return EXIT_OK;
}
