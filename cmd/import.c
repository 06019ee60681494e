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
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"

static int exec_import(int argc, char **argv);

const struct cmd_entry cmd_import = {
	.name = "import",
	.usage = "[-f FILE | --git-url URL ...] --tenant NAME "
		 "[--format yaml|text] [-o FILE]\n"
		 "       userprune import --csv FILE [--column NAME] "
		 "[--field any|id|email|username]\n"
		 "                      [--format yaml|text] [-o FILE]",
	.summary = "write a keep list of today's users",
	.help = "With --tenant, lists the live users of that tenant of the "
		"desired-state\nfile and prints a keep list (YAML) of every "
		"user the tenant manages\ntoday, sorted, each with a comment "
		"naming the display name: planning with\nit deletes nobody, so "
		"a team can adopt userprune and then remove the\nentries of "
		"those who should go. Users are named by email where it is\n"
		"unique, else by username, else by id; a value with control "
		"characters,\ninvalid UTF-8 or a glob character gives way to "
		"the next, and a user\nnothing names exactly is left out with "
		"a warning.\n\n"
		"With --csv, prints a keep list from one column of a CSV "
		"export (such as\nAtlassian's \"Export users\", column \"User "
		"id\") or from a text file of\nvalues, one a line.\n\n"
		"Two ways to use it: the YAML (the default) is a keep: list "
		"to paste into\nthe tenant in the desired-state file; --format "
		"text writes a keep file,\none value a line with # comments, "
		"that the tenant names with\nkeep: [ { file: PATH } ].\n\n"
		"Options:\n" SOURCE_HELP
		"  --tenant NAME        the tenant to list\n"
		"  --csv FILE           read the values from FILE instead\n"
		"  --column NAME        the CSV column (default: the only "
		"one)\n"
		"  --field FIELD        what the values are: any (default), "
		"id, email,\n"
		"                       username\n"
		"  --format FORMAT      yaml (default: entries to paste under "
		"keep:) or text\n"
		"                       (a keep file, for { file: PATH })\n"
		"  -o, --output FILE    write the keep list to FILE instead of "
		"stdout\n",
	.exec = exec_import,
};

/*
 * Characters a YAML double-quoted scalar must not hold raw: those YAML
 * does not allow in a stream, those it reads as a line break (U+0085,
 * U+2028, U+2029: folded, the value would read back changed), and the
 * bidirectional controls and BOM that would reorder or hide what a
 * reviewer reads.
 */
static bool yaml_escaped(unsigned int cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff || cp == 0xfffe ||
	       cp == 0xffff;
}

static unsigned int utf8_decode(const unsigned char *p, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned int cp = p[0] & lead_mask[len];
	size_t i;

	for (i = 1; i < len; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	return cp;
}

/*
 * A YAML double-quoted scalar that reads back as exactly s (UTF-8; the
 * import only writes such values).
 */
static void yaml_quote(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, len;
	unsigned int cp;

	strbuf_addch(sb, '"');
	for (i = 0; i < n; i += len) {
		len = p[i] < 0x80 ? 1 : utf8_valid_prefix(p + i, n - i);
		if (!len) {
			strbuf_addstr(sb, "\\uFFFD");
			len = 1;
			continue;
		}
		cp = utf8_decode(p + i, len);
		if (cp == '"' || cp == '\\')
			strbuf_addf(sb, "\\%c", (char)cp);
		else if (yaml_escaped(cp))
			strbuf_addf(sb, "\\u%04X", cp);
		else
			strbuf_add(sb, s + i, len);
	}
	strbuf_addch(sb, '"');
}

/* A display name: vendor text, cleaned so that it cannot end the comment. */
static void comment(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, "  # ");
	text_clean(sb, s, strlen(s));
}

/*
 * A text keep file: a value a line (the import chose values a line holds
 * exactly), the display name as a comment.
 */
static void render_text(const struct import_result *r, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct keep_entry *k = &r->v[i];

		strbuf_addstr(sb, k->value);
		if (k->comment && *k->comment)
			comment(sb, k->comment);
		strbuf_addch(sb, '\n');
	}
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
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct import_result res = { 0 };
	struct run_hooks hooks;
	struct plan_source prov = { 0 };
	const char *tenant = NULL, *csv = NULL, *column = NULL, *out = NULL;
	enum file_field field = FILE_ANY;
	unsigned flags = 0;
	struct config c = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct err e = { "" };
	char *now = utc_now(), *url = NULL, *path = NULL, *col = NULL;
	size_t i;
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
		case OPT_FORMAT:
			if (!strcmp(optarg, "text")) {
				flags = IMPORT_TEXT;
			} else if (strcmp(optarg, "yaml")) {
				rc = cmd_usage_error(&cmd_import,
						     "--format must be yaml or "
						     "text, not '%s'",
						     optarg);
				goto out;
			}
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
		if (reconcile_import_csv(csv, column, field, flags, &res, &e) <
		    0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		/* names from the command line go into a comment too */
		path = text_cleaned(csv);
		col = text_cleaned(column);
		strbuf_addf(&sb,
			    "# Keep list imported from %s%s%s%s by userprune "
			    "%s on %s:\n# %zu value%s.\n",
			    path, col ? ", column \"" : "", col ? col : "",
			    col ? "\"" : "", USERPRUNE_VERSION, now, res.n,
			    res.n == 1 ? "" : "s");
	} else {
		const struct tenant *t;
		struct config_select sel = { &tenant, 1, NULL, false };

		src.select = &sel;
		if (cmd_load_source(&src, CONFIG_CHECK_SECRETS, &c, &prov))
			goto out;
		cmd_catch_signals();
		cmd_run_hooks(&hooks);
		r = reconcile_import(&c, tenant, &hooks, flags, &res, &e);
		cmd_progress_done();
		if (r < 0) {
			cmd_error("%s", e.msg);
			rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
			goto out;
		}
		t = config_find_tenant(&c, tenant);
		url = text_cleaned(t->url);
		strbuf_addf(&sb,
			    "# Keep list of tenant '%s' (%s, %s), imported by "
			    "userprune %s\n# on %s: %zu user%s in scope (%zu "
			    "listed, %zu out of scope, %zu pending\n# "
			    "deletion). Planning with this list deletes "
			    "nobody: remove the entries\n# of the users who "
			    "should go.\n",
			    tenant, t->vendor->name, url, USERPRUNE_VERSION,
			    now, res.n, res.n == 1 ? "" : "s", res.live,
			    res.out_of_scope, res.pending);
	}
	if (flags & IMPORT_TEXT)
		strbuf_addf(&sb,
			    "# A keep file: name it in the tenant's keep list "
			    "as { file: PATH%s%s }.\n",
			    field != FILE_ANY ? ", field: " : "",
			    field == FILE_ID	     ? "id"
			    : field == FILE_EMAIL    ? "email"
			    : field == FILE_USERNAME ? "username"
						     : "");
	else
		strbuf_addstr(&sb, "# Paste the entries under the tenant's "
				   "keep: in the desired-state file\n# (for a "
				   "keep file, import with --format text).\n");
	for (i = 0; i < res.nwarnings; i++)
		cmd_warn("%s", res.warnings[i]);
	if (res.left_out)
		strbuf_addf(&sb,
			    "# %zu left out: no entry can name %s exactly (see "
			    "the warnings).\n",
			    res.left_out, res.left_out == 1 ? "it" : "them");
	if (flags & IMPORT_TEXT)
		render_text(&res, &sb);
	else
		render(&res, &sb);
	if (out) {
		if (file_write_atomic(out, sb.buf, sb.len, &e) < 0) {
			cmd_error("%s", e.msg);
			goto out;
		}
		cmd_info("wrote %zu keep entr%s to %s", res.n,
			 res.n == 1 ? "y" : "ies", out);
		rc = EXIT_OK;
	} else {
		rc = cmd_write_stdout(sb.buf, sb.len) ? EXIT_ERROR : EXIT_OK;
	}
out:
	free(now);
	free(url);
	free(path);
	free(col);
	strbuf_release(&sb);
	import_result_release(&res);
	plan_source_release(&prov);
	config_release(&c);
	return rc;
}
