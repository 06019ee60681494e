/*
 * Restore: what an apply run's journal lets be undone (restore_prepare),
 * the journals' kinds, and each vendor's request that undoes.
 */
#include <stdio.h>
#include <time.h>

#include "tests/unit/vendortest.h"

#include "reconcile/restore.h"
#include "util/fileio.h"

#define ORG "acme"

static const char yaml[] =
	"version: 1\n"
	"tenants:\n"
	"  - name: scim\n"
	"    vendor: scim\n"
	"    url: https://scim.example/scim/v2\n"
	"    auth: { type: bearer, token: \"${env:VT_SECRET}\" }\n"
	"    mode: deactivate\n"
	"  - name: org\n"
	"    vendor: atlassian-org\n"
	"    auth: { type: bearer, token: \"${env:VT_SECRET}\" }\n"
	"    options: { org_id: " ORG ", delete_action: delete }\n"
	"  - name: bevy\n"
	"    vendor: bevy\n"
	"    url: https://bevy.example/api\n"
	"    auth: { type: token, token: \"${env:VT_SECRET}\" }\n"
	"  - name: jira\n"
	"    vendor: atlassian\n"
	"    url: https://acme.atlassian.net\n"
	"    auth: { type: basic, username: u, password: \"${env:VT_SECRET}\" "
	"}\n";

struct fixture {
	struct config c;
	struct plan p;
	char path[64];
};

/* Planned users a, b, c (b inactive when planned) in every tenant. */
static void make_plan(struct fixture *f)
{
	size_t i, j;

	setenv("VT_SECRET", "secret-value", 1);
	load_config(&f->c, yaml, NULL);
	plan_init(&f->p);
	f->p.tool_version = xstrdup("0.0-test");
	f->p.created = xstrdup("2026-01-01T00:00:00Z");
	memcpy(f->p.checksum,
	       "4ba286fde63c9de226571e64187d98ec8132479c5f2712"
	       "360e886be6bbe0a0ba",
	       65);
	for (i = 0; i < f->c.ntenants; i++) {
		struct tenant_plan *tp = plan_add_tenant(&f->p);

		tenant_copy_settings(&tp->t, &f->c.tenants[i]);
		for (j = 0; j < 3; j++) {
			char id[2] = { (char)('a' + j), 0 };
			struct user u = { .id = id,
					  .type = USER_HUMAN,
					  .status = j == 1 ? STATUS_INACTIVE
							   : STATUS_ACTIVE };

			plan_add_delete(&f->p, tp, &u, "not in keep list");
		}
	}
}

/* A journal of the plan whose outcome lines are lines, at time. */
static void write_journal(struct fixture *f, const char *kind,
			  const char *const *lines, size_t n, const char *time)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e;
	size_t i;

	strbuf_addf(&sb,
		    "{\"type\":\"header\",\"run_id\":\"r1\",\"plan_checksum\":"
		    "\"%s\",\"plan_path\":\"plan.json\",\"tenants\":null%s}\n",
		    f->p.checksum, kind);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "{\"type\":\"outcome\",\"time\":\"%s\",%s}\n",
			    time, lines[i]);
	snprintf(f->path, sizeof(f->path), "/tmp/up-restore-%d.jsonl",
		 (int)getpid());
	if (file_write_atomic(f->path, sb.buf, sb.len, &e) < 0)
		fail_msg("%s", e.msg);
	strbuf_release(&sb);
}

static void load(struct fixture *f, enum journal_kind kind,
		 struct journal_done *d)
{
	struct err e;

	if (journal_load_entries(d, f->path, kind, NULL, &e) < 0)
		fail_msg("%s", e.msg);
}

static void release(struct fixture *f)
{
	unlink(f->path);
	plan_release(&f->p);
	config_release(&f->c);
}

#define LINE(tenant, id, outcome)                                              \
	"\"tenant\":\"" tenant "\",\"vendor\":\"x\",\"id\":\"" id              \
	"\",\"email\":null,\"outcome\":\"" outcome "\""

static const char *const run[] = {
	LINE("scim", "a", "deactivated"), LINE("scim", "b", "deactivated"),
	LINE("scim", "c", "absent"),	  LINE("org", "a", "scheduled"),
	LINE("org", "c", "failed"),	  LINE("bevy", "a", "scheduled"),
	LINE("jira", "a", "deleted"),	  LINE("scim", "zz", "deactivated"),
	LINE("gone", "a", "deactivated"), LINE("scim", "c", "deactivated"),
	LINE("org", "c", "scheduled"),
};

static const struct restore_item *item(const struct restore_set *s,
				       const char *tenant, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].tenant, tenant) &&
		    !strcmp(s->v[i].u->id, id))
			return &s->v[i];
	fail_msg("no item %s/%s", tenant, id);
	return NULL;
}

static void test_prepare(void **state)
{
	struct restore_opts o = { 0 };
	struct journal_done d;
	struct restore_set s;
	struct fixture f;
	struct err e;
	char now[32];
	time_t t = time(NULL);

	(void)state;
	make_plan(&f);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&t));
	write_journal(&f, "", run, sizeof(run) / sizeof(run[0]), now);
	load(&f, JOURNAL_APPLY, &d);
	assert_int_equal(d.nentries, 9);
	assert_int_equal(restore_prepare(&f.p, &d, NULL, &o, &s, &e), 0);
	/* the last line of a user counts: scim/c and org/c are undone */
	assert_int_equal(s.n, 9);
	assert_int_equal(s.unchanged, 0);
	assert_null(item(&s, "scim", "a")->why_not);
	assert_null(item(&s, "scim", "c")->why_not);
	assert_null(item(&s, "org", "a")->why_not);
	assert_int_equal(item(&s, "org", "a")->was, OUTCOME_SCHEDULED);
	assert_null(item(&s, "org", "c")->why_not);
	assert_string_equal(item(&s, "scim", "b")->why_not,
			    "it was already inactive when planned: "
			    "reactivating it would not put it back as it was");
	assert_non_null(strstr(item(&s, "bevy", "a")->why_not,
			       "Bevy's cancel call is not known to userprune: "
			       "cancel the deletion in Bevy until 20"));
	assert_string_equal(
		item(&s, "jira", "a")->why_not,
		"deleted is final (removed from the site: re-invite "
		"to undo)");
	assert_string_equal(item(&s, "scim", "zz")->why_not,
			    "not planned in tenant 'scim' by the plan this "
			    "journal applied: never touched");
	assert_null(item(&s, "gone", "a")->tp);
	assert_non_null(item(&s, "gone", "a")->why_not);
	assert_int_equal(s.to_send, 4);
	restore_set_release(&s);
	journal_done_release(&d);
	release(&f);
}

static void test_window(void **state)
{
	static const char *const lines[] = { LINE("org", "a", "scheduled") };
	struct restore_opts o = { 0 };
	struct journal_done d;
	struct restore_set s;
	struct fixture f;
	struct err e;

	(void)state;
	make_plan(&f);
	/* scheduled on 1 March 2025: cancellable until 15 March */
	write_journal(&f, "", lines, 1, "2025-03-01T10:00:00.000Z");
	load(&f, JOURNAL_APPLY, &d);
	assert_int_equal(restore_prepare(&f.p, &d, NULL, &o, &s, &e), 0);
	assert_string_equal(s.v[0].why_not, "window ended on 2025-03-15");
	assert_int_equal(s.to_send, 0);
	restore_set_release(&s);
	journal_done_release(&d);
	release(&f);
}

static void test_selection(void **state)
{
	const char *tenants[] = { "scim" }, *users[] = { "a" },
		   *unknown[] = { "nobody" };
	struct restore_opts o = { 0 };
	struct journal_done d, r;
	struct restore_set s;
	struct fixture f;
	struct err e;
	char now[32];
	time_t t = time(NULL);

	(void)state;
	make_plan(&f);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&t));
	write_journal(&f, "", run, sizeof(run) / sizeof(run[0]), now);
	load(&f, JOURNAL_APPLY, &d);
	o.tenants = tenants;
	o.ntenants = 1;
	o.users = users;
	o.nusers = 1;
	assert_int_equal(restore_prepare(&f.p, &d, NULL, &o, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].tenant, "scim");
	restore_set_release(&s);
	o.users = unknown;
	assert_int_equal(restore_prepare(&f.p, &d, NULL, &o, &s, &e), -1);
	assert_string_equal(e.msg, "no user 'nobody' in the journal (in the "
				   "selected tenants)");
	o.nusers = 0;
	o.tenants = unknown;
	assert_int_equal(restore_prepare(&f.p, &d, NULL, &o, &s, &e), -1);
	assert_string_equal(e.msg, "no tenant 'nobody' in the plan");
	journal_done_release(&d);
	/* an earlier restore finished scim/a and failed org/a */
	{
		static const char *const before[] = {
			LINE("scim", "a", "restored"),
			LINE("org", "a", "failed"),
		};

		write_journal(&f, ",\"kind\":\"restore\"", before, 2, now);
		load(&f, JOURNAL_RESTORE, &r);
		/* an apply's journal is not a restore's, and back */
		assert_int_equal(journal_load_entries(&d, f.path, JOURNAL_APPLY,
						      NULL, &e),
				 -1);
		assert_non_null(strstr(e.msg, "is the journal of a restore, "
					      "not of an apply"));
		assert_int_equal(journal_load(&d, f.path, NULL, &e), -1);
		write_journal(&f, "", run, sizeof(run) / sizeof(run[0]), now);
		load(&f, JOURNAL_APPLY, &d);
		o.ntenants = 0;
		assert_int_equal(restore_prepare(&f.p, &d, &r, &o, &s, &e), 0);
		assert_int_equal(s.done, 1);
		assert_true(item(&s, "org", "a")->repeated);
		restore_set_release(&s);
		journal_done_release(&r);
		journal_done_release(&d);
	}
	release(&f);
}

/* ---- the requests that undo ---- */

#define VENDOR_YAML(vendor, url, opts)                                         \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: t\n"                                                        \
	"    vendor: " vendor "\n" url                                         \
	"    auth: { type: bearer, token: \"${env:VT_SECRET}\" }\n" opts       \
	"    keep: [x]\n"

static void expect_request(const char *yaml_text, enum outcome was,
			   const char *method, const char *url,
			   const char *body)
{
	struct plan_user u = vt_planned("a/b c");
	struct http_request *r;
	void *state;
	struct vt *t;

	setenv("VT_SECRET", "secret-value", 1);
	vt_setup(&state, yaml_text);
	t = state;
	assert_true(t->s.v->restorable & OUTCOME_BIT(was));
	r = t->s.v->restore_request(&t->s, &u, was);
	assert_string_equal(r->method, method);
	assert_string_equal(r->url, url);
	if (body)
		assert_string_equal(r->body, body);
	else
		assert_null(r->body);
	http_request_free(r);
	vt_teardown(&state);
}

#define ACTIVE_TRUE                                                            \
	"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"    \
	"\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":"   \
	"true}]}"

static void test_requests(void **state)
{
	(void)state;
	expect_request(
		VENDOR_YAML("scim", "    url: https://s.example/v2\n", ""),
		OUTCOME_DEACTIVATED, "PATCH",
		"https://s.example/v2/Users/a%2Fb%20c", ACTIVE_TRUE);
	expect_request(
		VENDOR_YAML("bizagi", "    url: https://b.example\n", ""),
		OUTCOME_DEACTIVATED, "PATCH",
		"https://b.example/scim/v2/Users/a%2Fb%20c", ACTIVE_TRUE);
	expect_request(VENDOR_YAML("atlassian-org", "",
				   "    options: { org_id: " ORG " }\n"),
		       OUTCOME_DEACTIVATED, "POST",
		       "https://api.atlassian.com/admin/v2/orgs/" ORG
		       "/directories/-/users/a%2Fb%20c/restore",
		       NULL);
	expect_request(VENDOR_YAML("atlassian-org", "",
				   "    options: { org_id: " ORG " }\n"),
		       OUTCOME_SCHEDULED, "POST",
		       "https://api.atlassian.com/users/a%2Fb%20c/manage/"
		       "lifecycle/cancel-delete",
		       NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
