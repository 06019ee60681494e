/*
 * userprune validate: check a desired-state file offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int exec_validate(int argc, char **argv);

const struct cmd_entry cmd_validate = {
	.name = "validate",
	.usage = "[-f FILE | --git-url URL [--git-ref REF] [--git-path PATH]]\n"
		 "                      [--tenant NAME]... [--shard K/N] "
		 "[--format text|json]",
	.summary = "check a desired-state file offline",
	.help = "Checks everything that can be checked without the network: "
		"YAML syntax,\nkeys and types, vendors and their options, "
		"that keep and protect files\nexist and are not empty, and "
		"that ${env:NAME} variables are set and\n${file:PATH} secrets "
		"readable. Every problem is reported at once as\n"
		"FILE:LINE:COL: message. It also warns about what plan would "
		"refuse: a\ntenant without a keep list, a literal secret (plan "
		"-o refuses it).\n"
		"With --tenant or --shard the whole file is still checked (it "
		"is reviewed\nas one), but only the selected tenants' secrets "
		"and keep files are\nneeded, as for plan; -v names the "
		"tenants.\n\n"
		"Options:\n" SOURCE_HELP "  --tenant NAME        check the "
		"secrets and keep files of this "
		"tenant only\n"
		"                       (repeatable)\n" SHARD_HELP
		"  --format FORMAT      text (default) or json: {\"ok\", "
		"\"file\", \"errors\",\n"
		"                       \"warnings\", \"diagnostics\", "
		"\"tenants\"}\n",
	.exec = exec_validate,
};

static void json_diags(struct jsonw *w, const struct diags *d)
{
	size_t i;

	jsonw_key(w, "diagnostics");
	jsonw_array_begin(w);
	for (i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];

		jsonw_object_begin(w);
		jsonw_object_string(w, "file", x->file);
		jsonw_object_int(w, "line", x->line);
		jsonw_object_int(w, "col", x->col);
		jsonw_object_string(w, "level",
				    x->level == DIAG_WARNING ? "warning"
							     : "error");
		jsonw_object_string(w, "message", x->msg);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* Keep values: inline entries count one, a file each of its values. */
static size_t keep_values(const struct tenant *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->keep.n; i++)
		n += t->keep.v[i].kind == MATCHER_FILE ? t->keep.v[i].nvalues
						       : 1;
	return n;
}

static void json_tenants(struct jsonw *w, const struct config *c,
			 const struct config_select *sel)
{
	size_t i;

	jsonw_key(w, "tenants");
	jsonw_array_begin(w);
	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];
		bool selected = config_selected(sel, t->name);

		jsonw_object_begin(w);
		jsonw_object_string(w, "name", t->name);
		jsonw_object_string(w, "vendor", t->vendor->name);
		jsonw_object_string(w, "url", t->url);
		jsonw_object_string(w, "mode", tenant_mode_name(t->mode));
		jsonw_object_bool(w, "selected", selected);
		jsonw_object_int(w, "keep_entries", (long long)t->keep.n);
		jsonw_key(w, "keep_values");
		if (selected)
			jsonw_int(w, (long long)keep_values(t));
		else
			jsonw_null(w); /* its files were not read */
		jsonw_object_int(w, "protect_entries", (long long)t->protect.n);
		jsonw_object_int(w, "include_entries", (long long)t->include.n);
		jsonw_object_int(w, "exclude_entries", (long long)t->exclude.n);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static int print_json(const char *name, const struct config *c,
		      const struct config_select *sel, const struct diags *d,
		      bool ok)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	size_t warnings = d->n - d->errors;
	int rc;

	jsonw_init(&w, &sb, true);
	jsonw_object_begin(&w);
	jsonw_object_bool(&w, "ok", ok);
	jsonw_object_string(&w, "file", name);
	jsonw_object_int(&w, "errors", (long long)d->errors);
	jsonw_object_int(&w, "warnings", (long long)warnings);
	json_diags(&w, d);
	if (ok)
		json_tenants(&w, c, sel);
	jsonw_object_end(&w);
	strbuf_addch(&sb, '\n');
	rc = cmd_write_stdout(sb.buf, sb.len);
	strbuf_release(&sb);
	return rc;
}

static void print_text(const struct config *c, const struct config_select *sel,
		       const struct shard *shard)
{
	size_t i, n = 0;

	for (i = 0; i < c->ntenants; i++)
		n += config_selected(sel, c->tenants[i].name);
	if (globals.quiet)
		return;
	printf("userprune: %s: configuration OK (%zu tenant%s", c->name,
	       c->ntenants, c->ntenants == 1 ? "" : "s");
	if (shard->n)
		printf(", %zu in shard %llu/%llu", n,
		       (unsigned long long)shard->k,
		       (unsigned long long)shard->n);
	else if (sel->nnames)
		printf(", %zu selected", n);
	printf(")\n");
	if (!globals.verbose)
		return;
	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];

		printf("  %s  %s  %s  %s%s\n", t->name, t->vendor->name, t->url,
		       tenant_mode_name(t->mode),
		       config_selected(sel, t->name)
			       ? ""
			       : "  (not selected: secrets and keep files "
				 "not checked)");
	}
}

static int exec_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "format", required_argument, NULL, OPT_FORMAT },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct shard shard = { 0, 0 };
	const char **tenants = xcalloc((size_t)argc + 1, sizeof(*tenants));
	struct config_select sel = { tenants, 0, &shard, false };
	struct plan_source prov = { 0 };
	struct diags d = DIAGS_INIT;
	struct config c = { 0 };
	struct err e = { "" };
	bool json = false, loaded = false;
	int opt, r, rc = EXIT_ERROR;
	size_t i;

	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenants[sel.nnames++] = optarg;
			break;
		case OPT_SHARD:
			if (cmd_parse_shard(&cmd_validate, optarg, &shard))
				goto out;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				rc = cmd_usage_error(&cmd_validate,
						     "--format must be text or "
						     "json, not '%s'",
						     optarg);
				goto out;
			}
			json = !strcmp(optarg, "json");
			break;
		default:
			r = cmd_common_option(&cmd_validate, opt, optarg, &src);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind < argc) {
		rc = cmd_usage_error(&cmd_validate, "unexpected argument '%s'",
				     argv[optind]);
		goto out;
	}
	src.select = &sel;
	loaded = !cmd_load_source_diags(
		&src, CONFIG_STRICT_FILES | CONFIG_CHECK_SECRETS, &c, &prov,
		&d);
	for (i = 0; loaded && i < sel.nnames; i++)
		if (!config_find_tenant(&c, tenants[i])) {
			config_no_tenant_in(&c, tenants[i], &e);
			cmd_error("%s", e.msg);
			diag_add(&d, DIAG_ERROR, c.name, 0, 0, "%s", e.msg);
			loaded = false;
		}
	if (loaded) {
		/* what plan would refuse, said before anything is listed */
		struct diags lint = DIAGS_INIT;

		config_lint(&c, &lint);
		if (!globals.quiet)
			diags_print(&lint, stderr);
		for (i = 0; i < lint.n; i++)
			diag_add(&d, lint.v[i].level, lint.v[i].file,
				 lint.v[i].line, lint.v[i].col, "%s",
				 lint.v[i].msg);
		diags_release(&lint);
	}
	rc = loaded ? EXIT_OK : EXIT_ERROR;
	if (json && print_json(loaded	     ? c.name
			       : src.file    ? src.file
			       : src.git_url ? src.git_url
					     : "userprune.yaml",
			       &c, &sel, &d, loaded))
		rc = EXIT_ERROR;
	else if (!json && loaded)
		print_text(&c, &sel, &shard);
out:
	diags_release(&d);
	free(tenants);
	config_release(&c);
	plan_source_release(&prov);
	return rc;
}
