/*
 * The plan file: round trip, checksum, format version; the renderers.
 */
#include "tests/unit/testutil.h"

#include "reconcile/approval.h"
#include "reconcile/diff.h"
#include "reconcile/plan.h"
#include "util/sha256.h"
#include "util/strbuf.h"

static const char yaml[] =
	"version: 1\n"
	"tenants:\n"
	"  - name: jira-qa\n"
	"    vendor: atlassian\n"
	"    url: https://acme.atlassian.net\n"
	"    auth:\n"
	"      type: basic\n"
	"      username: ${env:JIRA_EMAIL}\n"
	"      password: literal-secret-value\n"
	"    options: { scim_managed: true }\n"
	"    keep: [alice@acme.com]\n"
	"    policy: { max_deletions: 10000, max_delete_percent: 100 }\n"
	"    limits: { requests_per_second: 2.5 }\n";

/* A plan with n users to delete (plus the caller and a kept user). */
static void make_plan(struct plan *p, struct config *c, size_t n)
{
	struct userstore live;
	struct tenant_plan *tp;
	struct diff_input in;
	size_t i;

	load_config(c, yaml, NULL);
	userstore_init(&live);
	for (i = 0; i < n + 2; i++) {
		char id[32], email[64], name[64];
		struct user u = { .id = id,
				  .email = email,
				  .name = name,
				  .type = USER_HUMAN,
				  .status = STATUS_ACTIVE };

		snprintf(id, sizeof(id), "id-%05zu", i);
		snprintf(email, sizeof(email),
			 i == 1 ? "alice@acme.com" : "user%05zu@acme.com", i);
		/* names with characters markdown and JSON must escape */
		snprintf(name, sizeof(name), "User | <b>%zu</b> \"q\" \\ _x_",
			 i);
		userstore_add(&live, &u);
	}
	userstore_set_caller(&live, "id-00000");
	plan_init(p);
	p->tool_version = xstrdup("0.0-test");
	p->created = xstrdup("2026-01-01T00:00:00Z");
	p->source.path = xstrdup("test.yaml");
	p->source.sha256 = xstrdup(c->sha256);
	tp = plan_add_tenant(p);
	tenant_copy_settings(&tp->t, &c->tenants[0]);
	in =
		(struct diff_input){ c,	  &c->tenants[0], &live, NULL, NULL, 0,
				     NULL };
	diff_tenant(p, tp, &in);
	userstore_release(&live);
}

static void test_round_trip(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct plan p, q;
	struct config c;
	struct err e;
	const struct tenant_plan *tp;

	(void)state;
	make_plan(&p, &c, 3);
	plan_to_json(&p, &a);
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), 0);
	assert_int_equal(q.ntenants, 1);
	tp = &q.tenants[0];
	assert_string_equal(tp->t.name, "jira-qa");
	assert_string_equal(tp->t.url, "https://acme.atlassian.net");
	assert_string_equal(tp->t.auth.username.raw, "${env:JIRA_EMAIL}");
	/* the literal secret was not stored */
	assert_string_equal(tp->t.auth.password.raw, "");
	assert_null(strstr(a.buf, "literal-secret-value"));
	assert_true(tp->t.limits.requests_per_second == 2.5);
	assert_string_equal(tp->caller, "id-00000");
	assert_int_equal(tp->ndel, 3);
	assert_string_equal(tp->del[0].id, "id-00002");
	assert_string_equal(tp->del[2].email, "user00004@acme.com");
	assert_string_equal(tp->del[0].name, "User | <b>2</b> \"q\" \\ _x_");
	assert_int_equal(tp->counts.kept, 1);
	assert_int_equal(tp->counts.protected, 1);
	assert_true(tp->nwarnings >= 1);
	/* written again, the parsed plan gives the same bytes */
	plan_to_json(&q, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_string_equal(p.checksum, q.checksum);
	plan_release(&q);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_every_byte_is_covered(void **state)
{
	struct strbuf a = STRBUF_INIT;
	struct plan p, q;
	struct config c;
	struct err e;
	size_t i;

	(void)state;
	make_plan(&p, &c, 2);
	plan_to_json(&p, &a);
	for (i = 0; i < a.len; i++) {
		char saved = a.buf[i];

		/* change the byte to another that keeps JSON plausible */
		a.buf[i] = saved == ' ' ? '\t' : saved == '0' ? '1' : saved ^ 1;
		if (plan_parse(&q, a.buf, a.len, "p.json", NULL, &e) == 0)
			fail_msg("a change at byte %zu went unnoticed", i);
		a.buf[i] = saved;
	}
	/* and appending or dropping a byte */
	strbuf_addch(&a, '\n');
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), -1);
	assert_int_equal(plan_parse(&q, a.buf, a.len - 2, "p.json", NULL, &e),
			 -1);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
}

static void test_checksum_message(void **state)
{
	struct strbuf a = STRBUF_INIT;
	struct plan p, q;
	struct config c;
	struct err e;
	char *at;

	(void)state;
	make_plan(&p, &c, 2);
	plan_to_json(&p, &a);
	at = strstr(a.buf, "user00003");
	at[4] = '9';
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), -1);
	assert_string_equal(e.msg,
			    "p.json: checksum mismatch: the plan was modified "
			    "after it was written; make a new plan");
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
}

/*
 * Parses a plan written for make_plan(n) after edit changed its text and
 * the checksum was made to fit again, as someone forging a plan would;
 * returns plan_parse's result and leaves its message in e.
 */
static int parse_forged(size_t n, void (*edit)(char *json), struct err *e)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *tail = ",\n  \"checksum\": \"";
	struct plan p, q;
	struct config c;
	char sum[65];
	size_t body;
	int rc;

	make_plan(&p, &c, n);
	plan_to_json(&p, &a);
	edit(a.buf);
	body = (size_t)(strstr(a.buf, tail) - a.buf);
	sha256_hex(a.buf, body, sum);
	strbuf_add(&b, a.buf, body);
	strbuf_addf(&b, "%s%s\"\n}\n", tail, sum);
	rc = plan_parse(&q, b.buf, b.len, "p.json", NULL, e);
	if (rc == 0)
		plan_release(&q);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
	strbuf_release(&b);
	return rc;
}

static void future_format(char *json)
{
	char *at = strstr(json, "\"format_version\": 1");

	at[strlen("\"format_version\": ")] = '2';
}

/* A future format is refused even when its checksum is right. */
static void test_unknown_format(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(parse_forged(1, future_format, &e), -1);
	assert_string_equal(e.msg, "p.json: unknown plan format_version "
				   "(this userprune reads 1)");
}

static void plain_http(char *json)
{
	memcpy(strstr(json, "https://acme.atlassian.net"),
	       "http://10.0.0.9.example:80", 26);
}

/* A plan re-checksummed after an edit still faces the url rules. */
static void test_url_checked_on_read(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(parse_forged(1, plain_http, &e), -1);
	assert_non_null(strstr(e.msg, "tenants[0].url: expected an https url"));
}

static void other_email(char *json)
{
	strstr(json, "\"user00002@acme.com\"")[5] = '9';
}

/* A visible field edited (checksum redone) no longer fits its fingerprint. */
static void test_fingerprint_checked_on_read(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(parse_forged(1, other_email, &e), -1);
	assert_non_null(strstr(e.msg, "delete[].fingerprint: expected the "
				      "fingerprint"));
}

/* A vendor's email that is not UTF-8 is written as U+FFFD and reads back. */
static void test_invalid_utf8_reads_back(void **state)
{
	struct strbuf a = STRBUF_INIT;
	struct plan p, q;
	struct config c;
	struct err e;

	(void)state;
	make_plan(&p, &c, 1);
	p.tenants[0].del[0].email = "b\xff\xfe@acme.com";
	plan_to_json(&p, &a);
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), 0);
	assert_string_equal(q.tenants[0].del[0].email,
			    "b\xef\xbf\xbd\xef\xbf\xbd@acme.com");
	plan_release(&q);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
}

static void test_markdown_parts(void **state)
{
	struct plan p;
	struct config c;
	char **parts;
	size_t n, i, rows = 0;
	char *s;

	(void)state;
	make_plan(&p, &c, 5000);
	memcpy(p.checksum, "0123456789ab", 13);
	plan_render_markdown(&p, &parts, &n);
	assert_true(n > 1);
	for (i = 0; i < n; i++) {
		size_t open = 0, close = 0;
		char want[64];

		assert_true(strlen(parts[i]) < MARKDOWN_PART_MAX);
		/* each part is a complete document */
		assert_int_equal(strncmp(parts[i], "## userprune plan\n", 18),
				 0);
		snprintf(want, sizeof(want), "_Part %zu of %zu._", i + 1, n);
		assert_non_null(strstr(parts[i], want));
		for (s = parts[i]; (s = strstr(s, "<details>")); s++)
			open++;
		for (s = parts[i]; (s = strstr(s, "</details>")); s++)
			close++;
		assert_int_equal(open, close);
		for (s = parts[i]; (s = strstr(s, "\n| id-")); s++)
			rows++;
		/* raw HTML from vendor data never reaches the comment */
		assert_null(strstr(parts[i], "<b>"));
		free(parts[i]);
	}
	free(parts);
	assert_int_equal(rows, 5000);
	plan_release(&p);
	config_release(&c);
}

static void test_text(void **state)
{
	struct render_opts o = { false, false, "plan.json", 0 };
	struct strbuf out = STRBUF_INIT;
	struct plan p;
	struct config c;

	(void)state;
	make_plan(&p, &c, 2);
	plan_render_text(&p, &o, &out);
	assert_non_null(strstr(out.buf, "4 live, 4 in scope: 1 kept, 1 "
					"protected, 0 pending, 2 to delete"));
	assert_non_null(strstr(out.buf, "- id-00002  user00002@acme.com"));
	assert_non_null(strstr(out.buf, "Plan: 2 users to delete in 1 "
					"tenant."));
	assert_non_null(strstr(out.buf, "userprune apply plan.json"));
	assert_null(strstr(out.buf, "\033["));
	plan_release(&p);
	config_release(&c);
	strbuf_release(&out);
}

/* DESIGN §1.4's digest, whatever order the users are in. */
static void test_deletions_digest(void **state)
{
	const char *want = "592ada709e9bb1ab0bb4763977d705ca74a59d09448415cc"
			   "ddb38b81069a2cc3";
	struct plan_user swapped[2];
	struct strbuf a = STRBUF_INIT;
	struct plan p;
	struct config c;
	char got[65];

	(void)state;
	make_plan(&p, &c, 2);
	approval_digest(p.tenants[0].del, 2, got);
	assert_string_equal(got, want);
	swapped[0] = p.tenants[0].del[1];
	swapped[1] = p.tenants[0].del[0];
	approval_digest(swapped, 2, got);
	assert_string_equal(got, want);
	approval_digest(NULL, 0, got);
	assert_string_equal(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
				 "934ca495991b7852b855");
	plan_to_json(&p, &a);
	assert_non_null(strstr(a.buf, want));
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
}

/* An approval, keep facts and keep changes read back as written. */
static void test_keep_facts_round_trip(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct tenant_plan *tp;
	struct keep_changes *kc;
	struct plan p, q;
	struct config c;
	struct err e;

	(void)state;
	make_plan(&p, &c, 2);
	p.compare_ref = xstrdup("main");
	p.compare_commit = xstrdup("0123456789abcdef0123456789abcdef01234567");
	tp = &p.tenants[0];
	tp->t.policy.approve.set = true;
	memset(tp->t.policy.approve.digest, 'a', 64);
	memcpy(tp->t.policy.approve.expires, "2026-02-28", 11);
	tp->t.policy.min_keep_match_percent = 7;
	kc = tp->keep_changes = xcalloc(1, sizeof(*kc));
	kc->before = 12;
	kc->removed = xcalloc(2, sizeof(char *));
	kc->removed[0] = xstrdup("bob@acme.com");
	kc->removed[1] = xstrdup("{email: \"x*\"}");
	kc->nremoved = 2;
	plan_to_json(&p, &a);
	assert_int_equal(plan_parse(&q, a.buf, a.len, "p.json", NULL, &e), 0);
	assert_string_equal(q.compare_ref, "main");
	tp = &q.tenants[0];
	assert_true(tp->t.policy.approve.set);
	assert_string_equal(tp->t.policy.approve.expires, "2026-02-28");
	assert_int_equal(tp->t.policy.min_keep_match_percent, 7);
	assert_int_equal(tp->t.policy.max_keep_shrink_percent, 20);
	assert_int_equal(tp->keep_values, 1);
	assert_int_equal(tp->keep_matched, 1);
	assert_non_null(tp->keep_changes);
	assert_int_equal(tp->keep_changes->before, 12);
	assert_int_equal(tp->keep_changes->nadded, 0);
	assert_string_equal(tp->keep_changes->removed[1], "{email: \"x*\"}");
	plan_to_json(&q, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	plan_release(&q);
	plan_release(&p);
	config_release(&c);
	strbuf_release(&a);
	strbuf_release(&b);
}

static void other_digest(char *json)
{
	char *at = strstr(json, "\"deletions_digest\": \"");

	at += strlen("\"deletions_digest\": \"");
	*at = *at == '0' ? '1' : '0';
}

static void bad_expiry(char *json)
{
	char *at = strstr(json, "\"approve\": null");

	/* same length: the approval of nothing, on a day that is not one */
	memcpy(at, "\"approve\": 1   ", 15);
}

/* A digest that does not fit the users, or an approval garbled. */
static void test_keep_facts_checked_on_read(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(parse_forged(2, other_digest, &e), -1);
	assert_non_null(strstr(e.msg, "deletions_digest: expected the digest "
				      "of the users in 'delete'"));
	assert_int_equal(parse_forged(2, bad_expiry, &e), -1);
	assert_non_null(strstr(e.msg, "policy.approve: expected an object"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_byte_is_covered),
		cmocka_unit_test(test_checksum_message),
		cmocka_unit_test(test_unknown_format),
		cmocka_unit_test(test_url_checked_on_read),
		cmocka_unit_test(test_fingerprint_checked_on_read),
		cmocka_unit_test(test_invalid_utf8_reads_back),
		cmocka_unit_test(test_markdown_parts),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_deletions_digest),
		cmocka_unit_test(test_keep_facts_round_trip),
		cmocka_unit_test(test_keep_facts_checked_on_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
