/*
 * userprune: keeps SaaS tenants to a declared set of users.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cmd/cmd.h"
#include "util/strbuf.h"
#include "util/text.h"

struct globals globals;

static const struct cmd_entry *const commands[] = {
	&cmd_validate, &cmd_plan,	&cmd_apply, &cmd_restore,
	&cmd_show,     &cmd_tenants,	&cmd_who,   &cmd_import,
	&cmd_version,  &cmd_completion, NULL,
};

static const char exit_codes_help[] =
	"Exit codes:\n"
	"  0    success; plan --detailed-exitcode: no deletions planned\n"
	"  1    error (bad input, network, vendor); nothing more was "
	"attempted\n"
	"  2    plan --detailed-exitcode: deletions planned\n"
	"  3    a guard refused the plan; no DELETE was sent\n"
	"  4    apply finished but some planned users were not removed\n"
	"       (a failed or blocked outcome: see the journal), or outcomes\n"
	"       could not be verified; restore: some users were not restored\n"
	"       (a failed outcome)\n"
	"  130  interrupted: requests in flight finished, journal closed\n";

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: userprune [-v] [-q] [--color WHEN] COMMAND "
		   "[ARGS]\n       userprune -V | --version\n\n"
		   "Keeps SaaS tenants to a declared set of users: lists the "
		   "live users\nthrough each vendor's API, plans the deletion "
		   "of everyone not kept,\nand applies exactly the reviewed "
		   "plan.\n\nCommands:\n");
	for (i = 0; commands[i]; i++)
		fprintf(f, "  %-11s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f,
		"\nRun 'userprune COMMAND --help' for a command's options, "
		"and see\nuserprune(1) and userprune.yaml(5).\n\n%s",
		exit_codes_help);
}

void cmd_print_help(const struct cmd_entry *cmd, FILE *f)
{
	fprintf(f,
		"usage: userprune %s%s%s\n\n%s.\n\n%s\nCommon options:\n%s\n%s",
		cmd->name, *cmd->usage ? " " : "", cmd->usage, cmd->summary,
		cmd->help, GLOBAL_HELP, exit_codes_help);
}

void cmd_message_line(const char *prefix, const char *text)
{
	char *clean = text_cleaned(text);

	/* vendor text may hold escape sequences and echoed secrets */
	fprintf(stderr, "userprune: %s%s\n", prefix, clean);
	free(clean);
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	cmd_message_line(prefix, strbuf_str(&sb));
	strbuf_release(&sb);
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	if (globals.quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void cmd_info(const char *fmt, ...)
{
	va_list ap;

	if (globals.quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "usage: userprune %s%s%s\n", cmd->name,
		*cmd->usage ? " " : "", cmd->usage);
	return EXIT_ERROR;
}

bool cmd_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (globals.color == COLOR_ALWAYS)
		return true;
	if (globals.color == COLOR_NEVER || (nc && *nc))
		return false;
	return isatty(fileno(f)) && getenv("TERM") &&
	       strcmp(getenv("TERM"), "dumb");
}

int cmd_common_option(const struct cmd_entry *cmd, int opt, const char *arg,
		      struct source_spec *src)
{
	switch (opt) {
	case 'v':
		globals.verbose++;
		return 0;
	case 'q':
		globals.quiet = true;
		return 0;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			globals.color = COLOR_AUTO;
		else if (!strcmp(arg, "always"))
			globals.color = COLOR_ALWAYS;
		else if (!strcmp(arg, "never"))
			globals.color = COLOR_NEVER;
		else
			return cmd_usage_error(
				       cmd,
				       "--color must be auto, always or "
				       "never, not '%s'",
				       arg),
			       -1;
		return 0;
	case 'h':
		cmd_print_help(cmd, stdout);
		return 1;
	case 'f':
		if (src) {
			src->file = arg;
			return 0;
		}
		break;
	case OPT_GIT_URL:
		if (src) {
			src->git_url = arg;
			return 0;
		}
		break;
	case OPT_GIT_REF:
		if (src) {
			src->git_ref = arg;
			return 0;
		}
		break;
	case OPT_GIT_PATH:
		if (src) {
			src->git_path = arg;
			return 0;
		}
		break;
	default:
		break;
	}
	cmd_usage_error(cmd, "run 'userprune %s --help' for the options",
			cmd->name);
	return -1;
}

int cmd_load_source(const struct source_spec *src, unsigned flags,
		    struct config *c, struct plan_source *prov)
{
	return cmd_load_source_diags(src, flags, c, prov, NULL);
}

int cmd_load_source_diags(const struct source_spec *src, unsigned flags,
			  struct config *c, struct plan_source *prov,
			  struct diags *keep)
{
	struct diags d = DIAGS_INIT;
	struct err e = { "" };
	int rc;

	if (keep)
		diags_init(keep);
	if (src->file && src->git_url) {
		cmd_error("-f and --git-url name two sources: use one");
		return EXIT_ERROR;
	}
	if (!src->git_url && (src->git_ref || src->git_path)) {
		cmd_error("--git-ref and --git-path need --git-url");
		return EXIT_ERROR;
	}
	rc = source_load(src, flags, c, prov, &d, &e);
	diags_sort(&d);
	if (!globals.quiet || d.errors)
		diags_print(&d, stderr);
	if (rc < 0 && d.errors)
		cmd_error("%s: %zu error%s, nothing done", d.v[0].file,
			  d.errors, d.errors == 1 ? "" : "s");
	else if (rc < 0)
		cmd_error("%s", e.msg);
	if (rc < 0 && !d.errors)
		diag_add(&d, DIAG_ERROR,
			 src->git_url ? src->git_url
			 : src->file  ? src->file
				      : "userprune.yaml",
			 0, 0, "%s", e.msg);
	if (keep)
		*keep = d;
	else
		diags_release(&d);
	return rc < 0 ? EXIT_ERROR : 0;
}

const char *cmd_plan_key(void)
{
	const char *k = getenv("USERPRUNE_PLAN_KEY");

	return k && *k ? k : NULL;
}

int cmd_parse_shard(const struct cmd_entry *cmd, const char *arg,
		    struct shard *s)
{
	struct err e = { "" };

	if (shard_parse(s, arg, &e) < 0)
		return cmd_usage_error(cmd, "%s", e.msg);
	return 0;
}

int cmd_write_stdout(const char *s, size_t len)
{
	if (len && fwrite(s, 1, len, stdout) != len) {
		cmd_error("writing to stdout failed");
		return EXIT_ERROR;
	}
	if (fflush(stdout) != 0) {
		cmd_error("writing to stdout failed");
		return EXIT_ERROR;
	}
	return 0;
}

/*
 * A protection set but empty is an error, never off: CI fills them from
 * variables and secrets, which expand to "" when nobody created them.
 */
static int check_protections(void)
{
	static const char *const names[] = { "USERPRUNE_ALLOWED_ORIGINS",
					     "USERPRUNE_PLAN_KEY" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);

		if (v && !v[strspn(v, " \t,")]) {
			cmd_error("%s is set but empty: give it a value, or "
				  "unset it to run without it",
				  names[i]);
			return -1;
		}
	}
	return 0;
}

/* Global options may come before the command: userprune -v plan. */
static int parse_globals(int argc, char **argv, int *first)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			globals.verbose++;
		else if (!strcmp(a, "-vv"))
			globals.verbose += 2;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			globals.quiet = true;
		else if (!strncmp(a, "--color=", 8) || !strcmp(a, "--color")) {
			const char *v = a[7] == '='    ? a + 8
					: i + 1 < argc ? argv[++i]
						       : "";

			if (!strcmp(v, "always"))
				globals.color = COLOR_ALWAYS;
			else if (!strcmp(v, "never"))
				globals.color = COLOR_NEVER;
			else if (!strcmp(v, "auto"))
				globals.color = COLOR_AUTO;
			else {
				cmd_error("--color must be auto, always or "
					  "never");
				return -1;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			*first = -1;
			return 0;
		} else {
			cmd_error("unknown option '%s'", a);
			usage(stderr);
			return -1;
		}
	}
	*first = i;
	return 0;
}

/*
 * A core dump of a run would hold its tokens and credential headers, so
 * dumps are off (soft and hard limit) and the process is not dumpable,
 * which also keeps other processes of the same user from reading its
 * memory, before any secret is read.
 */
static void no_core_dumps(void)
{
	const struct rlimit none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

/*
 * A million users are stores, indexes and arenas of megabytes, freed as
 * a plan moves on: mapped, they go back to the system when freed. glibc
 * would raise its threshold after the first such free and keep the rest
 * in a heap that cannot shrink past what is still in use above it.
 */
static void big_blocks_mapped(void)
{
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

int main(int argc, char **argv)
{
	const char *name;
	int first, i;

	no_core_dumps();
	big_blocks_mapped();
	if (parse_globals(argc, argv, &first) < 0)
		return EXIT_ERROR;
	if (first < 0)
		return cmd_version.exec(1, (char *[]){ "version", NULL });
	if (first >= argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	name = argv[first];
	if (!strcmp(name, "help")) {
		for (i = 0; first + 1 < argc && commands[i]; i++)
			if (!strcmp(commands[i]->name, argv[first + 1])) {
				cmd_print_help(commands[i], stdout);
				return EXIT_OK;
			}
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "version") && check_protections() < 0)
		return EXIT_ERROR;
	for (i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name)) {
			/* getopt's own messages start with argv[0]: one
			   prefix for every message */
			argv[first] = (char *)"userprune";
			return commands[i]->exec(argc - first, argv + first);
		}
	cmd_error("unknown command '%s'", name);
	usage(stderr);
	return EXIT_ERROR;
}
