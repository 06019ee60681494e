/*
 * The Atlassian connector against recorded answers.
 */
#include "tests/unit/vendortest.h"

static const char yaml[] = "version: 1\n"
			   "tenants:\n"
			   "  - name: jira\n"
			   "    vendor: atlassian\n"
			   "    url: https://acme.atlassian.net\n"
			   "    auth:\n"
			   "      type: basic\n"
			   "      username: ${env:VT_USER}\n"
			   "      password: ${env:VT_SECRET}\n"
			   "    keep: [x]\n";

static int setup(void **state)
{
	setenv("VT_USER", "me@acme.com", 1);
	setenv("VT_SECRET", "tok", 1);
	return vt_setup(state, yaml);
}

static void test_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 2000, 1000, NULL };
	struct plan_user u = vt_planned("5b10:ac8d/x");
	const struct plan_user *list[] = { &u };
	struct http_request *r;

	r = v->caller_request(&t->s);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url,
			    "https://acme.atlassian.net/rest/api/3/myself");
	http_request_free(r);
	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->url,
			    "https://acme.atlassian.net/rest/api/3/"
			    "users/search?startAt=2000&maxResults=1000");
	http_request_free(r);
	r = v->delete_request(&t->s, list, 1);
	assert_string_equal(r->method, "DELETE");
	/* the id is encoded in the query */
	assert_string_equal(r->url, "https://acme.atlassian.net/rest/api/3/"
				    "user?accountId=5b10%3Aac8d%2Fx");
	assert_null(r->body);
	http_request_free(r);
	assert_int_equal(v->paging, PAGE_OFFSET_UNTIL_EMPTY);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/json;charset=UTF-8",
		"[{\"accountId\":\"a1\",\"accountType\":\"atlassian\","
		"\"emailAddress\":\"Alice@Acme.com\",\"displayName\":\"Alice\","
		"\"active\":true},"
		"{\"accountId\":\"a2\",\"accountType\":\"app\","
		"\"displayName\":\"Slack\",\"active\":true},"
		"{\"accountId\":\"a3\",\"accountType\":\"customer\","
		"\"emailAddress\":null,\"active\":false},"
		"{\"accountId\":\"a4\",\"accountType\":\"something-new\","
		"\"active\":true},"
		"{\"accountId\":\"a5\",\"accountType\":\"atlassian\","
		"\"appType\":\"service\",\"active\":true},"
		"{\"accountId\":\"unknown\",\"accountType\":\"atlassian\","
		"\"active\":false}]");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 6);
	/* the corrupted record of a deleted user is no user */
	assert_int_equal(pr.skipped, 1);
	assert_int_equal(t->users.n, 5);
	assert_null(userstore_find(&t->users, "unknown"));
	/* a service account is an app, whatever its accountType says */
	assert_int_equal(userstore_find(&t->users, "a5")->type, USER_APP);
	u = userstore_find(&t->users, "a1");
	assert_string_equal(u->email, "Alice@Acme.com");
	assert_null(u->username);
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_ACTIVE);
	assert_int_equal(userstore_find(&t->users, "a2")->type, USER_APP);
	u = userstore_find(&t->users, "a3");
	assert_int_equal(u->type, USER_CUSTOMER);
	assert_int_equal(u->status, STATUS_INACTIVE);
	assert_null(u->email);
	assert_int_equal(userstore_find(&t->users, "a4")->type, USER_UNKNOWN);
	/* an empty page ends the listing */
	r = vt_answer(200, "application/json", "[]");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 0);
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html", "<!DOCTYPE html><html>Log in</html>",
		  "HTTP 200: not JSON (text/html): <!DOCTYPE html><html>Log "
		  "in</html>" },
		{ 200, "application/json", "[{\"accountId\":\"a1\",\"act",
		  "HTTP 200: truncated or malformed JSON (23 bytes): "
		  "[{\"accountId\":\"a1\",\"act" },
		{ 200, "application/json", "{\"values\":[]}",
		  "expected a JSON array of users" },
		{ 200, "application/json",
		  "[{\"accountId\":7,\"active\":true}]",
		  "user 0 of the page is malformed (needs accountId, active "
		  "and "
		  "emailAddress)" },
		{ 200, "application/json",
		  "[{\"accountId\":\"a\",\"active\":\"yes\"}]",
		  "user 0 of the page is malformed (needs accountId, active "
		  "and "
		  "emailAddress)" },
		{ 200, "application/json",
		  "[{\"accountId\":\"a\",\"active\":true,\"emailAddress\":3}]",
		  "user 0 of the page is malformed (needs accountId, active "
		  "and "
		  "emailAddress)" },
		{ 401, "application/json", "{\"message\":\"Unauthorized\"}",
		  "HTTP 401: {\"message\":\"Unauthorized\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(t->users.n, 0);
}

static void test_caller(void **state)
{
	struct vt *t = *state;
	struct http_response r = vt_answer(
		200, "application/json",
		"{\"accountId\":\"me-1\",\"emailAddress\":\"me@acme.com\"}");
	struct err e;

	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.caller, "me-1");
	r = vt_answer(200, "application/json", "{\"emailAddress\":\"x\"}");
	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), -1);
	assert_string_equal(e.msg, "the answer has no accountId");
}

static void test_delete_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 204, "application/json", "", OUTCOME_DELETED, "" },
		{ 404, "application/json", "", OUTCOME_ABSENT, "HTTP 404" },
		{ 400, "application/json",
		  "{\"errorMessages\":[\"cannot be removed\"]}",
		  OUTCOME_BLOCKED,
		  "HTTP 400: {\"errorMessages\":[\"cannot be removed\"]}" },
		{ 403, "application/json", "", OUTCOME_FAILED, "HTTP 403" },
		{ 500, "application/json", "", OUTCOME_FAILED, "HTTP 500" },
		/* a proxy's login page says nothing about the user */
		{ 200, "text/html", "<html>Sign in</html>", OUTCOME_FAILED,
		  "unexpected answer, the user may or may not be deleted: HTTP "
		  "200: <html>Sign in</html>" },
	};

	vt_expect_outcomes(*state, "a1", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_caller, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcomes, setup,
						vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
