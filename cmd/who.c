/*
 * userprune who: which live accounts a value names, and why each is
 * kept, protected, pending, out of scope or planned for deletion.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"

static int exec_who(int argc, char **argv);

const struct cmd_entry cmd_who = {
	.name = "who",
	.usage = "VALUE [-f FILE | --git-url URL ...] [--tenant NAME]...\n"
		 "                      [--format text|json] [--live SNAPSHOT]",
	.summary = "show how each live account a value names is classified",
	.help = "Lists the live users of every tenant (or those named with "
		"--tenant) and\nprints each account that VALUE names (an id, "
		"email or username; emails\nand usernames ignore case, and "
		"globs work as in keep entries) with its\nclassification and "
		"the rule that decided it: kept by keep[2] {...},\nprotected: "
		"the caller, out of scope: type app, planned for deletion:\n"
		"not kept. Read-only: it sends no write request.\n"
		"With --format json: {\"value\", \"searched\", \"accounts\": "
		"[{\"tenant\", \"id\",\n\"email\", \"username\", \"name\", "
		"\"type\", \"status\", \"classification\",\n\"rule\", "
		"\"explanation\", \"config\", \"keep_file\"}], \"errors\"}.\n"
		"Exit status 0 when every selected tenant was searched (found "
		"or not), 1\nwhen a listing failed.\n\n"
		"Options:\n" SOURCE_HELP "  --tenant NAME        only this "
		"tenant (repeatable)\n"
		"  --format FORMAT      text (default) or json\n"
		"  --live SNAPSHOT      read live users from a JSON snapshot "
		"instead of\n"
		"                       the vendors (offline)\n",
	.exec = exec_who,
};

/* Vendor text, cleaned of what must not reach a terminal. */
static void add_clean(struct strbuf *out, const char *s)
{
	text_clean(out, s, strlen(s));
}

static void print_text(const struct who_result *r, const char *value,
		       const char *config, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct who_account *a = &r->v[i];

		strbuf_addf(out, "%s: ", a->tenant);
		add_clean(out, a->id);
		strbuf_addstr(out, "  ");
		add_clean(out, a->email ? a->email : "(no email)");
		if (a->username &&
		    (!a->email || strcmp(a->username, a->email))) {
			strbuf_addstr(out, "  ");
			add_clean(out, a->username);
		}
		if (a->name) {
			strbuf_addstr(out, "  \"");
			add_clean(out, a->name);
			strbuf_addch(out, '"');
		}
		strbuf_addf(out, "  (%s, %s)\n    ", user_type_name(a->type),
			    user_status_name(a->status));
		add_clean(out, a->explanation);
		if (a->line)
			strbuf_addf(out, " (%s:%d:%d)", config, a->line,
				    a->col);
		strbuf_addch(out, '\n');
	}
	if (!r->n) {
		strbuf_addstr(out, "No live account is named '");
		add_clean(out, value);
		strbuf_addf(out, "' in the %zu tenant%s searched.\n",
			    r->searched, r->searched == 1 ? "" : "s");
	}
}

static void json_text(struct jsonw *w, const char *key, const char *s)
{
	char *clean = text_cleaned(s);

	jsonw_object_string(w, key, clean);
	free(clean);
}

static void print_json(const struct who_result *r, const char *value,
		       const char *config, struct strbuf *out)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	json_text(&w, "value", value);
	jsonw_object_int(&w, "searched", (long long)r->searched);
	jsonw_key(&w, "accounts");
	jsonw_array_begin(&w);
	for (i = 0; i < r->n; i++) {
		const struct who_account *a = &r->v[i];

		jsonw_object_begin(&w);
		jsonw_object_string(&w, "tenant", a->tenant);
		jsonw_object_string(&w, "vendor", a->vendor);
		jsonw_object_string(&w, "id", a->id);
		jsonw_object_string(&w, "email", a->email);
		jsonw_object_string(&w, "username", a->username);
		json_text(&w, "name", a->name);
		jsonw_object_string(&w, "type", user_type_name(a->type));
		jsonw_object_string(&w, "status", user_status_name(a->status));
		jsonw_object_string(&w, "classification",
				    who_class_name(a->cls));
		json_text(&w, "rule", a->rule);
		json_text(&w, "explanation", a->explanation);
		jsonw_key(&w, "config");
		if (a->line) {
			jsonw_object_begin(&w);
			jsonw_object_string(&w, "file", config);
			jsonw_object_int(&w, "line", a->line);
			jsonw_object_int(&w, "col", a->col);
			jsonw_object_end(&w);
		} else {
			jsonw_null(&w);
		}
		jsonw_key(&w, "keep_file");
		if (a->keep_file) {
			jsonw_object_begin(&w);
			json_text(&w, "path", a->keep_file);
			jsonw_object_int(&w, "line", a->keep_line);
			json_text(&w, "value", a->keep_value);
			jsonw_object_end(&w);
		} else {
			jsonw_null(&w);
		}
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "errors");
	jsonw_array_begin(&w);
	for (i = 0; i < r->nerrors; i++) {
		char *clean = text_cleaned(r->errors[i]);

		jsonw_string(&w, clean);
		free(clean);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}

static int exec_who(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "live", required_argument, NULL, OPT_LIVE },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct config_select sel = { 0 };
	struct plan_opts po = { 0 };
	const char **tenants = xcalloc((size_t)argc + 1, sizeof(*tenants));
	struct strbuf out = STRBUF_INIT;
	struct plan_source prov = { 0 };
	struct who_result res = { 0 };
	struct config c = { 0 };
	struct err e = { "" };
	const char *value;
	bool json = false;
	int opt, r, rc = EXIT_ERROR;
	size_t i;

	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_TENANT:
			tenants[po.ntenants++] = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				rc = cmd_usage_error(&cmd_who,
						     "--format must be text or "
						     "json, not '%s'",
						     optarg);
				goto out;
			}
			json = !strcmp(optarg, "json");
			break;
		case OPT_LIVE:
			po.live = optarg;
			break;
		default:
			r = cmd_common_option(&cmd_who, opt, optarg, &src);
			if (r) {
				rc = r > 0 ? EXIT_OK : EXIT_ERROR;
				goto out;
			}
		}
	}
	if (optind + 1 != argc || !*argv[optind]) {
		rc = cmd_usage_error(&cmd_who, optind >= argc
						       ? "which value? (an id, "
							 "email or username)"
						       : "one value at a time");
		goto out;
	}
	value = argv[optind];
	po.tenants = tenants;
	/* only the tenants searched need their secrets and keep files */
	sel.names = tenants;
	sel.nnames = po.ntenants;
	src.select = &sel;
	if (cmd_load_source(&src, po.live ? 0 : CONFIG_CHECK_SECRETS, &c,
			    &prov))
		goto out;
	cmd_catch_signals();
	cmd_run_hooks(&po.hooks);
	r = reconcile_who(&c, value, &po, &res, &e);
	cmd_progress_done();
	if (r < 0) {
		cmd_error("%s", e.msg);
		rc = cmd_stop ? EXIT_INTERRUPTED : EXIT_ERROR;
		goto out;
	}
	for (i = 0; i < res.nerrors; i++)
		cmd_message_line("", res.errors[i]);
	if (json)
		print_json(&res, value, c.name, &out);
	else
		print_text(&res, value, c.name, &out);
	if (cmd_write_stdout(strbuf_str(&out), out.len))
		goto out;
	rc = res.nerrors ? EXIT_ERROR : EXIT_OK;
out:
	free(tenants);
	strbuf_release(&out);
	who_result_release(&res);
	config_release(&c);
	plan_source_release(&prov);
	return rc;
}
