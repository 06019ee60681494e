/*
 * cmd: the command line. One file per subcommand, each exporting one
 * const struct cmd_entry; main.c holds the table and the dispatcher.
 * Commands parse options, call the reconcile library and print; they are
 * the only code that writes to stdout or decides the exit code.
 */
#ifndef USERPRUNE_CMD_H
#define USERPRUNE_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "reconcile/reconcile.h"
#include "util/diag.h"

/* Exit codes: stable, documented in --help and userprune(1). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_CHANGES = 2, /* plan --detailed-exitcode: deletions planned */
	EXIT_GUARD = 3,	  /* a guard refused the plan: no DELETE sent */
	EXIT_PARTIAL = 4, /* apply finished, some planned users remain */
	EXIT_INTERRUPTED = 130,
};

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct globals {
	int verbose;
	bool quiet;
	enum color_mode color;
};

extern struct globals globals;

struct cmd_entry {
	const char *name;
	const char *usage;   /* synopsis after "userprune NAME" */
	const char *summary; /* one line for the command list */
	const char *help;    /* options and details for NAME --help */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_validate;
extern const struct cmd_entry cmd_plan;
extern const struct cmd_entry cmd_apply;
extern const struct cmd_entry cmd_restore;
extern const struct cmd_entry cmd_import;
extern const struct cmd_entry cmd_show;
extern const struct cmd_entry cmd_tenants;
extern const struct cmd_entry cmd_version;
extern const struct cmd_entry cmd_who;
extern const struct cmd_entry cmd_completion;

/*
 * Long options every subcommand takes; their getopt values are above the
 * range of characters.
 */
enum {
	OPT_COLOR = 1000,
	OPT_GIT_URL,
	OPT_GIT_REF,
	OPT_GIT_PATH,
	OPT_FORMAT,
	OPT_DETAILED_EXITCODE,
	OPT_LIVE,
	OPT_SPLIT_DIR,
	OPT_TENANT,
	OPT_YES,
	OPT_JOURNAL,
	OPT_RESUME,
	OPT_CSV,
	OPT_COLUMN,
	OPT_FIELD,
	OPT_SHARD,
	OPT_COMPARE_REF,
	OPT_USER,
	OPT_MAX_USERS,
};

#define GLOBAL_LONGOPTS                                                        \
	{ "verbose", no_argument, NULL, 'v' },                                 \
		{ "quiet", no_argument, NULL, 'q' },                           \
		{ "color", required_argument, NULL, OPT_COLOR },               \
		{ "colour", required_argument, NULL, OPT_COLOR },              \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

#define GLOBAL_SHORTOPTS "vqh"

#define SOURCE_LONGOPTS                                                        \
	{ "file", required_argument, NULL, 'f' },                              \
		{ "git-url", required_argument, NULL, OPT_GIT_URL },           \
		{ "git-ref", required_argument, NULL, OPT_GIT_REF },           \
	{                                                                      \
		"git-path", required_argument, NULL, OPT_GIT_PATH              \
	}

#define SOURCE_HELP                                                            \
	"  -f, --file FILE      the desired-state file (default "              \
	"./userprune.yaml)\n"                                                  \
	"  --git-url URL        read it from a git repository instead: a "     \
	"path,\n"                                                              \
	"                       file://, https:// or ssh:// URL\n"             \
	"  --git-ref REF        branch, tag or commit (default: HEAD)\n"       \
	"  --git-path PATH      the file inside the repository (default "      \
	"userprune.yaml)\n"

#define SHARD_HELP                                                             \
	"  --shard K/N          only the tenants of shard K of N: those "      \
	"whose "                                                               \
	"name\n"                                                               \
	"                       hashes to K-1 (see userprune(1))\n"

#define GLOBAL_HELP                                                            \
	"  -v, --verbose        say more: a line per request (secrets "        \
	"redacted),\n"                                                         \
	"                       the guards that passed, each tenant; -vv "     \
	"is the same\n"                                                        \
	"  -q, --quiet          only errors\n"                                 \
	"  --color WHEN         auto, always or never (NO_COLOR is "           \
	"honoured)\n"                                                          \
	"  -h, --help           this help\n"

/*
 * Handles an option every command shares. Returns 0 when handled, 1 when
 * the command should exit 0 (help printed), -1 on a usage error.
 */
int cmd_common_option(const struct cmd_entry *cmd, int opt, const char *arg,
		      struct source_spec *src);
/*
 * Prints "userprune: ", prefix and text on one line of stderr, control
 * characters replaced: vendor text must not reach a terminal raw.
 */
void cmd_message_line(const char *prefix, const char *text);
/* Prints "userprune: " and the message to stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *cmd, FILE *f);
bool cmd_color(FILE *f);
/* Loads the source; prints diagnostics. Returns 0 or EXIT_ERROR. */
int cmd_load_source(const struct source_spec *src, unsigned flags,
		    struct config *c, struct plan_source *prov);
/* The same, handing the diagnostics (sorted) to keep, which must be
   released with diags_release. */
int cmd_load_source_diags(const struct source_spec *src, unsigned flags,
			  struct config *c, struct plan_source *prov,
			  struct diags *keep);
/* USERPRUNE_PLAN_KEY (DESIGN §1.14), or NULL when it is not set. */
const char *cmd_plan_key(void);
/*
 * Parses the argument of --shard into s. Returns 0, or EXIT_ERROR after a
 * usage message.
 */
int cmd_parse_shard(const struct cmd_entry *cmd, const char *arg,
		    struct shard *s);
/* Writes s to stdout, failing loudly (a full disk is not success). */
int cmd_write_stdout(const char *s, size_t len);

#endif
