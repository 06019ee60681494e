/*
 * userprune import: a keep list from a live tenant or a CSV export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int exec_import(int argc, char **argv);

const struct cmd_entry cmd_import = {
	.name = "import",
	.usage = "[-f FILE | --git-url URL ...] --tenant NAME [-o FILE]\n"
		 "       userprune import --csv FILE [--column NAME] "
		 "[--field any|id|email|username] [-o FILE]",
	.summary = "write a keep list of today's users",
	.help = "With --tenant, lists the live users of that tenant of the "
		"desired-state\nfile and prints a keep list (YAML) of every "
		"user the tenant manages\ntoday, sorted, each with a comment "
		"naming the display name: planning with\nit deletes nobody, so "
		"a team can adopt userprune and then remove the\nentries of "
		"those who should go. Users are named by email where it is\n"
		"unique, else by username, else by id.\n\n"
		"With --csv, prints a keep list from one column of a CSV "
		"export (such as\nAtlassian's \"Export users\", column \"User "
		"id\") or from a text file of\nvalues, one a line.\n\n"
		"Options:\n" SOURCE_HELP
		"  --tenant NAME        the tenant to list\n"
		"  --csv FILE           read the values from FILE instead\n"
		"  --column NAME        the CSV column (default: the only "
		"one)\n"
		"  --field FIELD        what the values are: any (default), "
		"id, email,\n"
		"                       username\n"
		"  -o, --output FILE    write the keep list to FILE instead of "
		"stdout\n",
	.exec = exec_import,
};

/* A YAML double-quoted scalar. */
static void yaml_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

static void comment(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, "  # ");
	for (; *s; s++)
		strbuf_addch(sb,
			     (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void render(const struct import_result *r, struct strbuf *sb)
{
	size_t i;

	strbuf_addstr(sb, "keep:\n");
	for (i = 0; i < r->n; i++) {
		const struct keep_entry *k = &r->v[i];

		strbuf_addstr(sb, "  - ");
		if (k->field) {
			strbuf_addf(sb, "{ %s: ", k->field);
			yaml_quote(sb, k->value);
			strbuf_addstr(sb, " }");
		} else {
			yaml_quote(sb, k->value);
		}
		if (k->comment && *k->comment)
			comment(sb, k->comment);
		strbuf_addch(sb, '\n');
	}
}

static int exec_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "column", required_argument, NULL, OPT_COLUMN },
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "output", required_argument, NULL, 'o' },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct import_result res = { NULL, 0, 0, 0, 0 };
	struct run_hooks hooks;
	struct plan_source prov = { 0 };
	const char *tenant = NULL, *csv = NULL, *column = NULL, *out = NULL;
	enum file_field field = FILE_ANY;
	struct config c = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct err e = { "" };
	char *now = utc_now();
	int opt, r, rc = EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "f:o:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenant = optarg;
			break;
		case OPT_CSV:
			csv = optarg;
			break;
		case OPT_COLUMN:
			column = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_FIELD:
			if (!strcmp(optarg, "id"))
				field = FILE_ID;
			else if (!strcmp(optarg, "email"))
				field = FILE_EMAIL;
			else if (!strcmp(optarg, "username"))
				field = FILE_USERNAME;
			else if (strcmp(optarg, "any")) {
				rc = cmd_usage_error(&cmd_import,
						     "--field must be any, id, "
						     "email or username");
				goto out;
			}
			break;
		default:
			r = cmd_common_option(&cmd_import, opt, optarg, &src);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind < argc) {
		rc = cmd_usage_error(&cmd_import, "unexpected argument '%s'",
				     argv[optind]);
		goto out;
	}
	if (!csv == !tenant) {
		rc = cmd_usage_error(&cmd_import,
				     "say where the users come from: --tenant "
				     "NAME or --csv FILE");
		goto out;
	}
	if (csv && (src.file || src.git_url)) {
		rc = cmd_usage_error(&cmd_import,
				     "--csv reads no desired-state file");
		goto out;
	}
	if ((column || field != FILE_ANY) && !csv) {
		rc = cmd_usage_error(&cmd_import,
				     "--column and --field go with --csv");
		goto out;
	}
	if (csv) {
		if (reconcile_import_csv(csv, column, field, &res, &e) < 0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		strbuf_addf(&sb,
			    "# Keep list imported from %s%s%s%s by userprune "
			    "%s on %s:\n# %zu values.\n",
			    csv, column ? ", column \"" : "",
			    column ? column : "", column ? "\"" : "",
			    USERPRUNE_VERSION, now, res.n);
	} else {
		const struct tenant *t;

		if (cmd_load_source(&src, CONFIG_CHECK_SECRETS, &c, &prov))
			goto out;
		cmd_catch_signals();
		cmd_run_hooks(&hooks);
		r = reconcile_import(&c, tenant, &hooks, &res, &e);
		cmd_progress_done();
		if (r < 0) {
			cmd_error("%s", e.msg);
			rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
			goto out;
		}
		t = config_find_tenant(&c, tenant);
		strbuf_addf(&sb,
			    "# Keep list of tenant '%s' (%s, %s), imported by "
			    "userprune %s\n# on %s: %zu users in scope (%zu "
			    "listed, %zu out of scope, %zu pending\n# "
			    "deletion). Planning with this list deletes "
			    "nobody: remove the entries\n# of the users who "
			    "should go.\n",
			    tenant, t->vendor->name, t->url, USERPRUNE_VERSION,
			    now, res.n, res.live, res.out_of_scope,
			    res.pending);
	}
	render(&res, &sb);
	if (out) {
		if (file_write_atomic(out, sb.buf, sb.len, &e) < 0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		cmd_info("wrote %zu keep entries to %s", res.n, out);
		rc = EXIT_OK;
	} else {
		rc = cmd_write_stdout(sb.buf, sb.len) ? EXIT_ERROR : EXIT_OK;
	}
out:
	free(now);
	strbuf_release(&sb);
	import_result_release(&res);
	plan_source_release(&prov);
	config_release(&c);
	return rc;
}
