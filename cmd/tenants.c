/*
 * userprune tenants: list the tenants of a desired state, offline.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/jsonw.h"
#include "util/strbuf.h"

static int exec_tenants(int argc, char **argv);

const struct cmd_entry cmd_tenants = {
	.name = "tenants",
	.usage = "[-f FILE | --git-url URL ...] [--shard K/N] "
		 "[--format text|json]",
	.summary = "list the tenants of a desired-state file",
	.help = "Prints each tenant of the desired state, in file order: its "
		"name, vendor,\nurl and mode. Nothing is sent and no secret or "
		"keep file is read, so it\nshows what a shard holds before a "
		"plan is made; with --format json,\nfor scripts: "
		"{\"tenants\": [{\"name\", \"vendor\", \"url\", \"mode\"}, "
		"...]}.\n\n"
		"Options:\n" SOURCE_HELP SHARD_HELP
		"  --format FORMAT      text (default: one tenant a line, "
		"columns aligned)\n"
		"                       or json\n",
	.exec = exec_tenants,
};

static void print_text(const struct config *c, const struct shard *s,
		       struct strbuf *out)
{
	int wname = 0, wvendor = 0, wurl = 0;
	size_t i;

	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];

		if (!shard_has(s, t->name))
			continue;
		if ((int)strlen(t->name) > wname)
			wname = (int)strlen(t->name);
		if ((int)strlen(t->vendor->name) > wvendor)
			wvendor = (int)strlen(t->vendor->name);
		if ((int)strlen(t->url) > wurl)
			wurl = (int)strlen(t->url);
	}
	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];

		if (shard_has(s, t->name))
			strbuf_addf(out, "%-*s  %-*s  %-*s  %s\n", wname,
				    t->name, wvendor, t->vendor->name, wurl,
				    t->url, tenant_mode_name(t->mode));
	}
}

static void print_json(const struct config *c, const struct shard *s,
		       struct strbuf *out)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, out, true);
	jsonw_object_begin(&w);
	jsonw_key(&w, "tenants");
	jsonw_array_begin(&w);
	for (i = 0; i < c->ntenants; i++) {
		const struct tenant *t = &c->tenants[i];

		if (!shard_has(s, t->name))
			continue;
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "name", t->name);
		jsonw_object_string(&w, "vendor", t->vendor->name);
		jsonw_object_string(&w, "url", t->url);
		jsonw_object_string(&w, "mode", tenant_mode_name(t->mode));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	strbuf_addch(out, '\n');
}

static int exec_tenants(int argc, char **argv)
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "format", required_argument, NULL, OPT_FORMAT },
		GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct source_spec src = { 0 };
	struct config_select none = { .none = true };
	struct shard shard = { 0, 0 };
	struct strbuf out = STRBUF_INIT;
	struct plan_source prov;
	struct config c;
	bool json = false;
	int opt, r, rc;

	while ((opt = getopt_long(argc, argv, "f:" GLOBAL_SHORTOPTS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_SHARD:
			if (cmd_parse_shard(&cmd_tenants, optarg, &shard))
				return EXIT_ERROR;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return cmd_usage_error(&cmd_tenants,
						       "--format must be text "
						       "or json, not '%s'",
						       optarg);
			json = !strcmp(optarg, "json");
			break;
		default:
			r = cmd_common_option(&cmd_tenants, opt, optarg, &src);
			if (r)
				return r > 0 ? EXIT_OK : EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_tenants, "unexpected argument '%s'",
				       argv[optind]);
	/* names, vendors and urls only: no secret or keep file is needed */
	src.select = &none;
	if (cmd_load_source(&src, 0, &c, &prov))
		return EXIT_ERROR;
	if (json)
		print_json(&c, &shard, &out);
	else
		print_text(&c, &shard, &out);
	rc = cmd_write_stdout(strbuf_str(&out), out.len) ? EXIT_ERROR : EXIT_OK;
	strbuf_release(&out);
	config_release(&c);
	plan_source_release(&prov);
	return rc;
}
