/*
 * userprune completion: print a shell completion script.
 */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/completion_data.h"

static int exec_completion(int argc, char **argv);

const struct cmd_entry cmd_completion = {
	.name = "completion",
	.usage = "bash|zsh|fish",
	.summary = "print a shell completion script",
	.help = "Prints the completion script for the shell named: commands, "
		"options,\noption values, file names, and the tenant names of "
		"the desired-state\nfile given with -f (else "
		"./userprune.yaml). "
		"These are the scripts 'make\ninstall' installs. To use one "
		"without installing it:\n\n"
		"  bash   source <(userprune completion bash)\n"
		"         (or save it as "
		"~/.local/share/bash-completion/completions/userprune)\n"
		"  zsh    userprune completion zsh > "
		"~/.zfunc/_userprune, with\n"
		"         fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc\n"
		"  fish   userprune completion fish > "
		"~/.config/fish/completions/userprune.fish\n",
	.exec = exec_completion,
};

static int exec_completion(int argc, char **argv)
{
	static const struct option longopts[] = { GLOBAL_LONGOPTS,
						  { NULL, 0, NULL, 0 } };
	static const struct {
		const char *shell;
		const char *script;
	} scripts[] = { { "bash", completion_bash },
			{ "zsh", completion_zsh },
			{ "fish", completion_fish } };
	size_t i;
	int opt, r;

	while ((opt = getopt_long(argc, argv, GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1)
		if ((r = cmd_common_option(&cmd_completion, opt, optarg, NULL)))
			return r > 0 ? EXIT_OK : EXIT_ERROR;
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_completion,
				       optind < argc ? "one shell, please"
						     : "which shell?");
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		if (!strcmp(argv[optind], scripts[i].shell))
			return cmd_write_stdout(scripts[i].script,
						strlen(scripts[i].script))
				       ? EXIT_ERROR
				       : EXIT_OK;
	return cmd_usage_error(&cmd_completion,
			       "no completion for '%s': bash, zsh or fish",
			       argv[optind]);
}
