/*
 * Effects (DESIGN §4): each vendor's words, the day a scheduled deletion
 * becomes final, the blast radius and cost lines, and the renderings that
 * group users by effect.
 */
#include "tests/unit/testutil.h"

#include "reconcile/effect.h"
#include "reconcile/plan.h"
#include "util/strbuf.h"

#define AUTH_BASIC_YAML	 "    auth: { type: basic, username: u, password: p }\n"
#define AUTH_BEARER_YAML "    auth: { type: bearer, token: t }\n"

/* Every vendor, with the options that change what a deletion does. */
static const char yaml[] =
	"version: 1\n"
	"tenants:\n"
	"  - name: jira\n"
	"    vendor: atlassian\n"
	"    url: https://acme.atlassian.net\n" AUTH_BASIC_YAML
	"  - name: org-remove\n"
	"    vendor: atlassian-org\n" AUTH_BEARER_YAML
	"    options: { org_id: acme }\n"
	"  - name: org-suspend\n"
	"    vendor: atlassian-org\n" AUTH_BEARER_YAML
	"    options: { org_id: acme, delete_action: suspend }\n"
	"  - name: org-delete\n"
	"    vendor: atlassian-org\n" AUTH_BEARER_YAML
	"    options: { org_id: acme, delete_action: delete }\n"
	"  - name: org-deactivate\n"
	"    vendor: atlassian-org\n" AUTH_BEARER_YAML
	"    options: { org_id: acme, delete_action: delete }\n"
	"    mode: deactivate\n"
	"  - name: uipath\n"
	"    vendor: uipath\n"
	"    url: https://cloud.uipath.com/acme\n"
	"    auth: { type: oauth2, client_id: c, client_secret: s }\n"
	"    options: { partition_global_id: p }\n"
	"  - name: bevy\n"
	"    vendor: bevy\n"
	"    url: https://bevy.example/api\n"
	"    auth: { type: token, token: t }\n"
	"  - name: aa\n"
	"    vendor: automation-anywhere\n"
	"    url: https://cr.example\n"
	"    auth: { type: control-room, username: u, password: p }\n"
	"  - name: bizagi\n"
	"    vendor: bizagi\n"
	"    url: https://bizagi.example\n" AUTH_BEARER_YAML "  - name: scim\n"
	"    vendor: scim\n"
	"    url: https://scim.example\n" AUTH_BEARER_YAML
	"  - name: scim-patch\n"
	"    vendor: scim\n"
	"    url: https://scim.example\n" AUTH_BEARER_YAML
	"    options: { delete_method: deactivate }\n"
	"  - name: scim-outcome\n"
	"    vendor: scim\n"
	"    url: https://scim.example\n" AUTH_BEARER_YAML
	"    options: { delete_outcome: deactivated }\n"
	"  - name: scim-mode\n"
	"    vendor: scim\n"
	"    url: https://scim.example\n" AUTH_BEARER_YAML
	"    mode: deactivate\n";

static void test_words(void **state)
{
	static const char *const want[][2] = {
		{ "jira", "removed from the site (re-invite to undo)" },
		{ "org-remove",
		  "removed from the organization (re-invite to undo)" },
		{ "org-suspend",
		  "deactivated (restore with userprune restore)" },
		{ "org-delete",
		  "scheduled for deletion (cancellable until 2026-01-15)" },
		{ "org-deactivate",
		  "deactivated (restore with userprune restore)" },
		{ "uipath", "deleted (irreversible)" },
		{ "bevy", "scheduled for deletion (cancellable in Bevy until "
			  "2026-01-08)" },
		{ "aa", "deleted (irreversible)" },
		{ "bizagi", "deactivated (restore with userprune restore)" },
		{ "scim", "deleted (irreversible)" },
		{ "scim-patch",
		  "deactivated (restore with userprune restore)" },
		{ "scim-outcome",
		  "deactivated by the server's DELETE (userprune restore "
		  "asks for it back; some servers refuse)" },
		{ "scim-mode", "deactivated (restore with userprune restore)" },
	};
	struct config c;
	size_t i;

	(void)state;
	load_config(&c, yaml, NULL);
	assert_int_equal(c.ntenants, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < c.ntenants; i++) {
		char *w = effect_words(&c.tenants[i], "2026-01-01T23:59:59Z");

		assert_string_equal(c.tenants[i].name, want[i][0]);
		assert_string_equal(w, want[i][1]);
		free(w);
	}
	config_release(&c);
}

static void test_day(void **state)
{
	char day[16];

	(void)state;
	effect_day("2026-02-20T10:00:00.123Z", 14, day, sizeof(day));
	assert_string_equal(day, "2026-03-06");
	effect_day("2024-12-31T23:59Z", 1, day, sizeof(day));
	assert_string_equal(day, "2025-01-01");
}

/* A tenant plan of the first tenant of yaml with users of two effects. */
static void make_plan(struct plan *p, struct config *c, const char *tenant)
{
	struct tenant_plan *tp;
	size_t i;

	load_config(c, yaml, NULL);
	plan_init(p);
	p->tool_version = xstrdup("0.0-test");
	p->created = xstrdup("2026-01-01T00:00:00Z");
	p->source.path = xstrdup("test.yaml");
	tp = plan_add_tenant(p);
	tenant_copy_settings(&tp->t, config_find_tenant(c, tenant));
	for (i = 0; i < 5; i++) {
		char id[16];
		struct user u = { .id = id, .type = USER_HUMAN };

		snprintf(id, sizeof(id), "u%zu", i);
		plan_add_delete(p, tp, &u, "not in keep list");
	}
	tp->counts = (struct plan_counts){
		.live = 40, .in_scope = 30, .kept = 25, .delete = 5
	};
	tp->requests = 9;
	plan_set_effects(p, tp);
	/* one user planned another way (a plan file may say anything) */
	tp->del[1].effect = "deleted <b>(irreversible)</b>";
	tp->del[3].effect = tp->del[1].effect;
}

static void test_groups(void **state)
{
	struct effect_groups g;
	struct plan p;
	struct config c;

	(void)state;
	make_plan(&p, &c, "bizagi");
	effect_groups_init(&g, &p, &p.tenants[0]);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].words,
			    "deactivated (restore with userprune restore)");
	assert_int_equal(g.v[0].n, 3);
	assert_string_equal(g.v[0].u[2]->id, "u4");
	assert_int_equal(g.v[1].n, 2);
	assert_string_equal(g.v[1].u[0]->id, "u1");
	effect_groups_release(&g);
	/* a plan without effects: the tenant's, from the plan's day */
	p.tenants[0].del[1].effect = NULL;
	p.tenants[0].del[3].effect = NULL;
	effect_groups_init(&g, &p, &p.tenants[0]);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].n, 5);
	effect_groups_release(&g);
	plan_release(&p);
	config_release(&c);
}

static void test_cost(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct plan p;
	struct config c;
	struct tenant_plan *tp;

	(void)state;
	make_plan(&p, &c, "bizagi");
	tp = &p.tenants[0];
	effect_blast_radius(tp, &sb);
	assert_string_equal(sb.buf,
			    "the keep list keeps 25 of 30 users in scope");
	strbuf_reset(&sb);
	/* Bizagi's default rate: 5 a second */
	effect_apply_cost(tp, &sb);
	assert_string_equal(sb.buf, "apply needs about 9 requests: about 2 s "
				    "at 5 requests a second");
	strbuf_reset(&sb);
	tp->requests = 90000;
	effect_apply_cost(tp, &sb);
	assert_string_equal(sb.buf, "apply needs about 90000 requests: about "
				    "5 h 0 min at 5 requests a second");
	strbuf_reset(&sb);
	tp->t.limits.requests_per_second = 0;
	effect_apply_cost(tp, &sb);
	assert_string_equal(sb.buf,
			    "apply needs about 90000 requests: no fixed rate, "
			    "at most 4 at a time, as fast as the server "
			    "answers");
	strbuf_reset(&sb);
	tp->t.mode = MODE_REPORT;
	effect_apply_cost(tp, &sb);
	assert_string_equal(sb.buf, "");
	plan_release(&p);
	config_release(&c);
	strbuf_release(&sb);
}

static void test_text_groups(void **state)
{
	struct render_opts o = { false, false, "plan.json", 0 };
	struct strbuf out = STRBUF_INIT;
	struct plan p;
	struct config c;
	const char *a, *b;

	(void)state;
	make_plan(&p, &c, "bizagi");
	plan_render_text(&p, &o, &out);
	assert_non_null(strstr(out.buf, "  the keep list keeps 25 of 30 users "
					"in scope\n"));
	assert_non_null(strstr(out.buf, "  apply needs about 9 requests"));
	a = strstr(out.buf, "  3 users deactivated (restore with userprune "
			    "restore):\n  - u0  (no email)\n  - u2  (no "
			    "email)\n  - u4  (no email)\n");
	b = strstr(out.buf, "  2 users deleted <b>(irreversible)</b>:\n"
			    "  - u1  (no email)\n  - u3  (no email)\n");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	/* and the plan's totals, by effect, after its "Plan:" line */
	assert_non_null(strstr(out.buf, "\nBy effect: 3 deactivated (restore "
					"with userprune restore); 2 deleted "
					"<b>(irreversible)</b>.\n"));
	plan_release(&p);
	config_release(&c);
	strbuf_release(&out);
}

static void test_markdown_groups(void **state)
{
	struct plan p;
	struct config c;
	char **parts;
	size_t n;

	(void)state;
	make_plan(&p, &c, "org-delete");
	plan_render_markdown(&p, &parts, &n);
	assert_int_equal(n, 1);
	assert_non_null(strstr(parts[0], "- the keep list keeps 25 of 30 users "
					 "in scope\n- apply needs about 9 "
					 "requests: under a second at 10 "
					 "requests a second\n"));
	assert_non_null(strstr(parts[0],
			       "<details><summary>org-delete: 3 users "
			       "scheduled for deletion (cancellable until "
			       "2026-01-15), 1–3</summary>"));
	/* the effect is text from the plan file: escaped like vendor text */
	assert_non_null(strstr(parts[0], "<details><summary>org-delete: 2 "
					 "users deleted &lt;b&gt;(irreversible)"
					 "&lt;/b&gt;, 1–2</summary>"));
	assert_null(strstr(parts[0], "<b>"));
	free(parts[0]);
	free(parts);
	plan_release(&p);
	config_release(&c);
}

static void test_round_trip(void **state)
{
	struct strbuf a = STRBUF_INIT;
	struct plan p, q;
	struct config c;
	struct err e;

	(void)state;
	make_plan(&p, &c, "bevy");
	plan_to_json(&p, &a);
	assert_non_null(strstr(a.buf, "\"effect\":\"scheduled for deletion "
				      "(cancellable in Bevy until "
				      "2026-01-08)\""));
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), 0);
	assert_string_equal(q.tenants[0].del[0].effect,
			    "scheduled for deletion (cancellable in Bevy "
			    "until 2026-01-08)");
	assert_string_equal(q.tenants[0].del[1].effect,
			    "deleted <b>(irreversible)</b>");
	plan_release(&q);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_text_groups),
		cmocka_unit_test(test_markdown_groups),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
