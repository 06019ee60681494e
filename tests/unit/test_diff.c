/*
 * The diff, table-driven: desired state + live users -> plan. Each case
 * states the users deleted (in order), the counts and the guards tripped.
 */
#include "tests/unit/testutil.h"

#include "reconcile/approval.h"
#include "reconcile/diff.h"
#include "reconcile/plan.h"
#include "util/date.h"

#define HEAD                                                                   \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: t\n"                                                        \
	"    vendor: atlassian\n"                                              \
	"    url: https://acme.atlassian.net\n"                                \
	"    auth: { type: basic, username: u, password: \"${env:P}\" }\n"

#define H USER_HUMAN
#define A STATUS_ACTIVE

static const struct test_user base_users[] = {
	{ "caller", "admin@acme.com", NULL, "Me", H, A },
	{ "u1", "alice@acme.com", NULL, "Alice", H, A },
	{ "u2", "Bob@Acme.com", NULL, "Bob", H, A },
	{ "u3", "qa-bot-1@acme.com", NULL, "Bot", H, A },
	{ "u4", "carol@acme.com", NULL, "Carol", H, STATUS_INACTIVE },
	{ "u5", "dave@acme.com", NULL, "Dave", H, STATUS_PENDING_DELETION },
	{ "app1", "deploy@acme.com", NULL, "Deploy", USER_APP, A },
	{ "cust1", "buyer@example.com", NULL, "Buyer", USER_CUSTOMER, A },
	{ "u6", NULL, NULL, "Hidden email", H, A },
	{ "u7", "eve@acme.com", "eve", "Eve", H, A },
};
#define NBASE (sizeof(base_users) / sizeof(base_users[0]))

struct diff_case {
	const char *name;
	const char *yaml;
	const struct memfile *files;
	const char *caller;
	const char *deleted; /* ids, comma separated, in listing order */
	struct plan_counts counts;
	const char *tripped; /* guard names, comma separated */
	const char *warning; /* a substring one warning must contain */
	long requests;
};

static const struct memfile csv_files[] = {
	{ "keep/jira.csv", "User id,User name\n\"u1\",\"Alice\"\nu7,Eve\n"
			   "u-gone,Nobody\n" },
	{ NULL, NULL },
};

static const struct memfile wrong_files[] = {
	/* emails where ids belong, and a column of names */
	{ "keep/ids.txt", "alice@acme.com\nbob@acme.com\nqa-bot-1@acme.com\n"
			  "carol@acme.com\ndave@acme.com\neve@acme.com\n"
			  "f@acme.com\ng@acme.com\nh@acme.com\ni@acme.com\n" },
	{ "keep/ten.txt", "u1\nx2\nx3\nx4\nx5\nx6\nx7\nx8\nx9\nx10\n" },
	{ "keep/twenty.txt", "u1\nx2\nx3\nx4\nx5\nx6\nx7\nx8\nx9\nx10\n"
			     "x11\nx12\nx13\nx14\nx15\nx16\nx17\nx18\n"
			     "x19\nx20\nx21\n" },
	{ NULL, NULL },
};

static const struct diff_case cases[] = {
	{ .name = "every classification rule",
	  .yaml = HEAD "    keep: [alice@acme.com, \"u6\"]\n"
		       "    protect: [{ email: eve@acme.com }]\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4",
	  .counts = { .live = 10,
		      .in_scope = 8,
		      .untouched = 2,
		      .pending = 1,
		      .protected = 2,
		      .kept = 2,
		      .delete = 3 } },
	{ .name = "emails differing only in case are the same",
	  .yaml = HEAD "    keep: [ALICE@acme.COM, bob@acme.com, \" EVE \"]\n",
	  .caller = "caller",
	  .deleted = "u3,u4,u6",
	  .counts = { 10, 8, 2, 1, 1, 3, 3 } },
	{ .name = "globs",
	  .yaml = HEAD "    keep:\n"
		       "      - { email: \"qa-bot-*@acme.com\" }\n"
		       "      - \"*@ACME.com\"\n",
	  .caller = "caller",
	  .deleted = "u6",
	  .counts = { 10, 8, 2, 1, 1, 5, 1 } },
	{ .name = "CSV keep file by id",
	  .yaml = HEAD "    keep:\n"
		       "      - { file: keep/jira.csv, column: User id, "
		       "field: id }\n",
	  .files = csv_files,
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6",
	  .counts = { 10, 8, 2, 1, 1, 2, 4 },
	  .warning = "1 of 3 values matched no live user: 'u-gone' (line 4)" },
	{ .name = "the caller is never planned, even when not kept",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    policy: { max_deletions: 1000 }\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 } },
	{ .name = "no caller known: everyone unkept is planned, with a warning",
	  .yaml = HEAD "    keep: [alice@acme.com]\n",
	  .deleted = "caller,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 0, 1, 6 },
	  .warning = "calling identity is not known" },
	{ .name = "non-human accounts are out of scope by default",
	  .yaml = HEAD "    scope: { include: [{ email: \"*\" }] }\n"
		       "    keep: [\"*@acme.com\"]\n",
	  .caller = "caller",
	  .deleted = "",
	  /* u6 has no email: not included; apps are not named */
	  .counts = { 10, 7, 3, 1, 1, 5, 0 } },
	{ .name = "a scope naming the type brings apps in",
	  .yaml = HEAD "    scope:\n"
		       "      include: [{ type: human }, { type: app }]\n"
		       "    keep: [\"*@acme.com\"]\n"
		       "    protect: [deploy@acme.com]\n",
	  .caller = "caller",
	  .deleted = "u6",
	  .counts = { 10, 9, 1, 1, 2, 5, 1 } },
	{ .name = "apps in scope are deleted when not kept",
	  .yaml = HEAD "    scope: { include: [{ type: \"*\" }] }\n"
		       "    keep: [\"*@acme.com\"]\n",
	  .caller = "caller",
	  .deleted = "cust1,u6",
	  .counts = { 10, 10, 0, 1, 1, 6, 2 } },
	{ .name = "exclude takes users out of scope",
	  .yaml = HEAD "    scope: { exclude: [{ status: inactive }, "
		       "{ email: \"qa-*\" }] }\n"
		       "    keep: [alice@acme.com]\n",
	  .caller = "caller",
	  .deleted = "u2,u6,u7",
	  .counts = { 10, 6, 4, 1, 1, 1, 3 } },
	{ .name = "max_deletions guard",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    policy: { max_deletions: 4 }\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .tripped = "max_deletions" },
	{ .name = "max_deletions at the limit is fine",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    policy: { max_deletions: 5 }\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 } },
	{ .name = "max_delete_percent needs 20 managed users",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    policy: { max_delete_percent: 10 }\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 } },
	{ .name = "empty keep list refused",
	  .yaml = HEAD "    keep: []\n",
	  .caller = "caller",
	  .deleted = "u1,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 0, 6 },
	  .tripped = "empty_keep" },
	{ .name = "empty keep list allowed",
	  .yaml = HEAD "    keep: []\n"
		       "    policy: { allow_empty_keep: true }\n",
	  .caller = "caller",
	  .deleted = "u1,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 0, 6 } },
	{ .name = "missing keep file refuses the plan",
	  .yaml = HEAD "    keep: [{ file: keep/nope.txt }, alice@acme.com]\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .tripped = "value_file" },
	{ .name = "missing protect file refuses the plan",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    protect: [{ file: admins.txt }]\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .tripped = "value_file" },
	{ .name = "keep entry matching nobody warns",
	  .yaml = HEAD "    keep: [alice@acme.com, alise@acme.com]\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .warning = "test.yaml:7:28: keep entry 'alise@acme.com' matched no "
		     "live user" },
	{ .name = "keep entry matching a protected user does not warn",
	  .yaml = HEAD "    keep: [alice@acme.com, eve]\n"
		       "    protect: [eve@acme.com]\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6",
	  .counts = { 10, 8, 2, 1, 2, 1, 4 } },
	{ .name = "daily request budget",
	  .yaml = HEAD "    keep: [alice@acme.com]\n"
		       "    limits: { daily_request_budget: 100 }\n",
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .requests = 101,
	  .tripped = "daily_request_budget" },
	{ .name = "a file of emails read as ids matches nobody",
	  .yaml = HEAD "    keep: [{ file: keep/ids.txt, field: id }]\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "u1,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 0, 6 },
	  .tripped = "keep_unmatched,keep_match_rate" },
	{ .name = "the same file read as emails is fine",
	  .yaml = HEAD "    keep: [{ file: keep/ids.txt, field: email }]\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "u6",
	  .counts = { 10, 8, 2, 1, 1, 5, 1 } },
	{ .name = "nine inline entries matching nobody only warn",
	  .yaml = HEAD "    keep: [a1, a2, a3, a4, a5, a6, a7, a8, a9]\n"
		       "    policy: { max_deletions: 1000 }\n",
	  .caller = "caller",
	  .deleted = "u1,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 0, 6 },
	  .warning = "keep entry 'a9' matched no live user" },
	{ .name = "ten inline entries matching nobody",
	  .yaml = HEAD "    keep: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10]\n",
	  .caller = "caller",
	  .deleted = "u1,u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 0, 6 },
	  .tripped = "keep_unmatched,keep_match_rate" },
	{ .name = "one of ten keep values matched: 10% is the limit",
	  .yaml = HEAD "    keep: [{ file: keep/ten.txt, field: id }]\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 } },
	{ .name = "one of 21 keep values matched",
	  .yaml = HEAD "    keep: [{ file: keep/twenty.txt, field: id }]\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 },
	  .tripped = "keep_match_rate" },
	{ .name = "the match rate is a policy",
	  .yaml = HEAD "    keep: [{ file: keep/twenty.txt, field: id }]\n"
		       "    policy: { min_keep_match_percent: 4 }\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "u2,u3,u4,u6,u7",
	  .counts = { 10, 8, 2, 1, 1, 1, 5 } },
	{ .name = "inline entries and a file are two sources",
	  .yaml = HEAD "    keep: [{ file: keep/ids.txt, field: id }, u1, u2, "
		       "u3, u4, u6, u7]\n",
	  .files = wrong_files,
	  .caller = "caller",
	  .deleted = "",
	  .counts = { 10, 8, 2, 1, 1, 6, 0 },
	  .tripped = "keep_unmatched",
	  .warning = "keep file 'keep/ids.txt': 10 of 10 values matched no "
		     "live user" },
};

static bool in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

static void run_case(const struct diff_case *dc)
{
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct diff_input in;
	char got[1024] = "";
	size_t i, ntripped = 0, want_tripped = 0;
	bool warned = false;

	load_config(&c, dc->yaml, dc->files);
	userstore_init(&live);
	add_users(&live, base_users, NBASE);
	userstore_set_caller(&live, dc->caller);
	plan_init(&p);
	tp = plan_add_tenant(&p);
	tenant_copy_settings(&tp->t, &c.tenants[0]);
	in =
		(struct diff_input){ &c, &c.tenants[0], &live, NULL, NULL,
				     0,	 NULL };
	diff_tenant(&p, tp, &in);
	if (dc->requests) {
		tp->requests = dc->requests;
		diff_budget_guard(tp, &c.tenants[0]);
	}

	for (i = 0; i < tp->ndel; i++) {
		strcat(got, i ? "," : "");
		strcat(got, tp->del[i].id);
	}
	assert_string_equal(got, dc->deleted);
	assert_int_equal(tp->counts.live, dc->counts.live);
	assert_int_equal(tp->counts.in_scope, dc->counts.in_scope);
	assert_int_equal(tp->counts.untouched, dc->counts.untouched);
	assert_int_equal(tp->counts.pending, dc->counts.pending);
	assert_int_equal(tp->counts.protected, dc->counts.protected);
	assert_int_equal(tp->counts.kept, dc->counts.kept);
	assert_int_equal(tp->counts.delete, dc->counts.delete);
	for (i = 0; i < tp->nguards; i++) {
		if (!tp->guards[i].tripped)
			continue;
		ntripped++;
		if (!in_list(dc->tripped, tp->guards[i].name))
			fail_msg("unexpected guard %s: %s", tp->guards[i].name,
				 tp->guards[i].detail);
	}
	for (i = 0; dc->tripped && dc->tripped[i]; i++)
		want_tripped += dc->tripped[i] == ',';
	want_tripped += dc->tripped ? 1 : 0;
	assert_int_equal(ntripped, want_tripped);
	assert_int_equal(tp->refused, want_tripped > 0);
	for (i = 0; i < tp->nwarnings; i++)
		if (dc->warning && strstr(tp->warnings[i], dc->warning))
			warned = true;
	if (dc->warning && !warned)
		fail_msg("no warning containing \"%s\"", dc->warning);

	plan_release(&p);
	userstore_release(&live);
	config_release(&c);
}

static void test_case(void **state)
{
	run_case(*state);
}

/* 25 managed users: the percentage guard applies. */
static void test_percent_guard(void **state)
{
	const char *yaml = HEAD "    keep: [{ email: \"keep*\" }]\n"
				"    policy: { max_delete_percent: 40, "
				"max_deletions: 1000 }\n";
	struct test_user users[25];
	char ids[25][16], emails[25][32];
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct diff_input in;
	int i, ndel;

	(void)state;
	for (ndel = 10; ndel <= 11; ndel++) {
		load_config(&c, yaml, NULL);
		userstore_init(&live);
		for (i = 0; i < 25; i++) {
			snprintf(ids[i], sizeof(ids[i]), "%d", i);
			snprintf(emails[i], sizeof(emails[i]), "%s%d@x",
				 i < ndel ? "gone" : "keep", i);
			users[i] = (struct test_user){ ids[i], emails[i], NULL,
						       NULL,   H,	  A };
		}
		add_users(&live, users, 25);
		plan_init(&p);
		tp = plan_add_tenant(&p);
		tenant_copy_settings(&tp->t, &c.tenants[0]);
		in = (struct diff_input){ &c, &c.tenants[0], &live, NULL, NULL,
					  0,  NULL };
		diff_tenant(&p, tp, &in);
		assert_int_equal(tp->ndel, (size_t)ndel);
		/* 10 of 25 is 40%: allowed; 11 is 44%: refused */
		assert_int_equal(tp->refused, ndel == 11);
		plan_release(&p);
		userstore_release(&live);
		config_release(&c);
	}
}

/* An id a JSON plan cannot carry exactly is never planned. */
/*
 * Ids no request could carry exactly (not UTF-8, a control character, a
 * NUL as the JSON reader leaves it: U+001A, a C1 control) are never
 * planned, and each such user is named.
 */
static void test_unnameable_ids_left_alone(void **state)
{
	const char *yaml = HEAD "    keep: [alice@acme.com]\n";
	static const struct test_user users[] = {
		{ "ok", "bob@acme.com", NULL, NULL, H, A },
		{ "bad\xff", "eve@acme.com", NULL, NULL, H, A },
		{ "abc\x1azz", "mallory@acme.com", NULL, NULL, H, A },
		{ "tab\there", "trent@acme.com", NULL, NULL, H, A },
		{ "c1\xc2\x9b", "oscar@acme.com", NULL, NULL, H, A },
	};
	size_t i;
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct diff_input in;

	(void)state;
	load_config(&c, yaml, NULL);
	userstore_init(&live);
	add_users(&live, users, 5);
	userstore_set_caller(&live, "me");
	plan_init(&p);
	tp = plan_add_tenant(&p);
	tenant_copy_settings(&tp->t, &c.tenants[0]);
	in =
		(struct diff_input){ &c, &c.tenants[0], &live, NULL, NULL,
				     0,	 NULL };
	diff_tenant(&p, tp, &in);
	assert_int_equal(tp->ndel, 1);
	assert_string_equal(tp->del[0].id, "ok");
	assert_int_equal(tp->counts.protected, 4);
	for (i = 1; i < 5; i++)
		assert_non_null(strstr(tp->warnings[i - 1], users[i].email));
	assert_non_null(strstr(tp->warnings[0], "control character or is "
						"not UTF-8"));
	plan_release(&p);
	userstore_release(&live);
	config_release(&c);
}

/* Pending and planned users of the first tenant of yaml. */
static void plan_inactive(const char *yaml, size_t pending, size_t ndel)
{
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct diff_input in;

	load_config(&c, yaml, NULL);
	userstore_init(&live);
	add_users(&live, base_users, NBASE);
	plan_init(&p);
	tp = plan_add_tenant(&p);
	tenant_copy_settings(&tp->t, &c.tenants[0]);
	in =
		(struct diff_input){ &c, &c.tenants[0], &live, NULL, NULL,
				     0,	 NULL };
	diff_tenant(&p, tp, &in);
	assert_int_equal(tp->counts.pending, pending);
	assert_int_equal(tp->ndel, ndel);
	plan_release(&p);
	userstore_release(&live);
	config_release(&c);
}

#define SCIM_TENANT(opts)                                                      \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: s\n"                                                        \
	"    vendor: scim\n"                                                   \
	"    url: https://scim.acme.com/scim/v2\n"                             \
	"    auth: { type: bearer, token: \"${env:S}\" }\n"                    \
	"    options: { " opts " }\n"                                          \
	"    keep: [alice@acme.com]\n"

/* Where deletion is a deactivation, inactive users are done already. */
static void test_inactive_is_final(void **state)
{
	(void)state;
	/* u4 inactive, u5 pending deletion; the caller is unknown here */
	plan_inactive("version: 1\n"
		      "tenants:\n"
		      "  - name: b\n"
		      "    vendor: bizagi\n"
		      "    url: https://test-p-acme.bizagi.com\n"
		      "    auth: { type: oauth2, client_id: c, client_secret: "
		      "\"${env:S}\" }\n"
		      "    keep: [alice@acme.com]\n",
		      2, 5);
	/* SCIM: as the options say what a deletion does */
	plan_inactive(SCIM_TENANT("delete_method: delete"), 1, 6);
	plan_inactive(SCIM_TENANT("delete_method: deactivate"), 2, 5);
	plan_inactive(SCIM_TENANT("delete_outcome: deactivated"), 2, 5);
}

/* The vendor's word on who it cannot delete: u2 and u4 here. */
static const char *blocked_by_vendor(void *arg, const struct user *u)
{
	(*(int *)arg)++;
	return !strcmp(u->id, "u2") || !strcmp(u->id, "u4")
		       ? "the vendor says no"
		       : NULL;
}

/*
 * Users the vendor cannot delete are left out of the deletions (and the
 * guards' counts), counted as protected, and named with the reason; only
 * users that would be deleted are asked about.
 */
static void test_blocked_users_left_alone(void **state)
{
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct diff_input in;
	int asked = 0;

	(void)state;
	load_config(&c, HEAD "    keep: [alice@acme.com]\n", NULL);
	userstore_init(&live);
	add_users(&live, base_users, NBASE);
	userstore_set_caller(&live, "caller");
	plan_init(&p);
	tp = plan_add_tenant(&p);
	tenant_copy_settings(&tp->t, &c.tenants[0]);
	in = (struct diff_input){
		&c, &c.tenants[0], &live, blocked_by_vendor, &asked, 0, NULL
	};
	diff_tenant(&p, tp, &in);
	/* u2, u3, u4, u6, u7 would go; not u1 (kept) nor the caller */
	assert_int_equal(asked, 5);
	assert_int_equal(tp->ndel, 3);
	assert_string_equal(tp->del[0].id, "u3");
	assert_string_equal(tp->del[1].id, "u6");
	assert_string_equal(tp->del[2].id, "u7");
	assert_int_equal(tp->counts.delete, 3);
	assert_int_equal(tp->counts.protected, 3);
	assert_string_equal(tp->warnings[0],
			    "user 'u2' (email Bob@Acme.com, name Bob) is "
			    "blocked and left alone: the vendor says no");
	assert_non_null(strstr(tp->warnings[1], "user 'u4'"));
	assert_string_equal(tp->warnings[2],
			    "2 users the keep list does not keep are blocked "
			    "(named above): counted as protected, never "
			    "deleted by this plan");
	plan_release(&p);
	userstore_release(&live);
	config_release(&c);
}

/* The count and percent guards of tp for day today, as a bit set. */
static unsigned count_guards_on(struct tenant_plan *tp, const struct tenant *t,
				long today, bool *waived)
{
	unsigned tripped = 0;
	size_t i;

	for (i = 0; i < tp->nguards; i++) {
		free(tp->guards[i].name);
		free(tp->guards[i].detail);
	}
	tp->nguards = 0;
	tp->refused = false;
	diff_policy_guards(tp, t, today);
	*waived = false;
	for (i = 0; i < tp->nguards; i++) {
		if (!strcmp(tp->guards[i].name, "max_deletions"))
			tripped |= tp->guards[i].tripped ? 1 : 0;
		else if (!strcmp(tp->guards[i].name, "empty_keep"))
			tripped |= tp->guards[i].tripped ? 2 : 0;
		*waived |= tp->guards[i].waived;
	}
	return tripped;
}

/*
 * policy.approve waives max_deletions for exactly the digest it names,
 * from no day before to its expiry, at most 31 days ahead; never
 * empty_keep. Pure: the day is given.
 */
static void test_approval(void **state)
{
	char yaml[1024], digest[65], until[DATE_LEN];
	struct config c;
	struct userstore live;
	struct plan p;
	struct tenant_plan *tp;
	struct tenant t;
	struct diff_input in;
	long today = date_today();
	bool waived;

	(void)state;
	load_config(&c, HEAD "    keep: []\n    policy: { max_deletions: 2 }\n",
		    NULL);
	userstore_init(&live);
	add_users(&live, base_users, NBASE);
	userstore_set_caller(&live, "caller");
	plan_init(&p);
	tp = plan_add_tenant(&p);
	tenant_copy_settings(&tp->t, &c.tenants[0]);
	in = (struct diff_input){ &c,	&c.tenants[0], &live, NULL,
				  NULL, today,	       NULL };
	diff_tenant(&p, tp, &in);
	assert_int_equal(tp->ndel, 6);
	approval_digest(tp->del, tp->ndel, digest);
	/* the approval line names this digest */
	snprintf(yaml, sizeof(yaml), "deletions: \"sha256:%s\"", digest);
	assert_non_null(strstr(tp->guards[0].detail, yaml));
	date_format(today + 10, until);
	snprintf(yaml, sizeof(yaml),
		 HEAD "    keep: []\n"
		      "    policy:\n"
		      "      max_deletions: 2\n"
		      "      approve: { deletions: \"sha256:%s\", expires: "
		      "\"%s\" }\n",
		 digest, until);
	config_release(&c);
	load_config(&c, yaml, NULL);
	t = c.tenants[0];
	assert_true(t.policy.approve.set);
	assert_int_equal(count_guards_on(tp, &t, today, &waived), 2);
	assert_true(waived);
	assert_int_equal(count_guards_on(tp, &t, today + 10, &waived), 2);
	/* the day after its last, and more than 31 days before it */
	assert_int_equal(count_guards_on(tp, &t, today + 11, &waived), 3);
	assert_false(waived);
	assert_int_equal(count_guards_on(tp, &t, today - 22, &waived), 3);
	assert_int_equal(count_guards_on(tp, &t, today - 21, &waived), 2);
	/* one user fewer is another set */
	tp->ndel--;
	tp->counts.delete --;
	assert_int_equal(count_guards_on(tp, &t, today, &waived), 3);
	assert_non_null(
		strstr(tp->guards[0].detail, "approves another set of users"));
	tp->ndel++;
	plan_release(&p);
	userstore_release(&live);
	config_release(&c);
}

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/*
 * A store whose index was freed (userstore_unindex, before a diff) still
 * knows its ids: a user added again under one of them is the same user,
 * not a second one that the diff would count and plan twice.
 */
static void test_store_unindexed_keeps_ids(void **state)
{
	struct userstore s;
	struct user u = { .id = "id-1", .email = "a@x.example" };
	char id[16];
	int i;

	(void)state;
	userstore_init(&s);
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		u.id = id;
		assert_int_equal(userstore_add(&s, &u), 0);
	}
	userstore_unindex(&s);
	u.id = "id-1";
	assert_int_equal(userstore_add(&s, &u), 1);
	u.id = "id-39";
	assert_int_equal(userstore_add(&s, &u), 1);
	assert_int_equal(s.n, 40);
	u.id = "id-40";
	assert_int_equal(userstore_add(&s, &u), 0);
	assert_non_null(userstore_find(&s, "id-0"));
	assert_string_equal(userstore_find(&s, "id-40")->id, "id-40");
	userstore_release(&s);
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 6];
	size_t i;

	/* one test per table row, named after it */
	for (i = 0; i < NCASES; i++) {
		struct CMUnitTest t = { cases[i].name, test_case, NULL, NULL,
					(void *)&cases[i] };

		tests[i] = t;
	}
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_percent_guard);
	tests[NCASES + 1] =
		(struct CMUnitTest)cmocka_unit_test(test_inactive_is_final);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(
		test_unnameable_ids_left_alone);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(
		test_blocked_users_left_alone);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_approval);
	tests[NCASES + 5] = (struct CMUnitTest)cmocka_unit_test(
		test_store_unindexed_keeps_ids);
	return _cmocka_run_group_tests("diff", tests, NCASES + 6, NULL, NULL);
}
