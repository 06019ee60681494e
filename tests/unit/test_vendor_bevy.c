/*
 * The Bevy connector against recorded answers.
 */
#include "tests/unit/vendortest.h"

#define BASE "https://events.acme.example/api"

#define YAML(opts)                                                             \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: events\n"                                                   \
	"    vendor: bevy\n"                                                   \
	"    url: " BASE "\n"                                                  \
	"    auth: { type: token, token: \"${env:VT_SECRET}\" }\n"             \
	"    options: { " opts " }\n"                                          \
	"    keep: [x]\n"

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_SECRET", "tok", 1);
	return vt_setup(state, yaml);
}

static int setup(void **state)
{
	return setup_with(state, YAML(""));
}

static int setup_path(void **state)
{
	return setup_with(state, YAML("users_path: v2/people"));
}

static void test_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page first = { 0, 1000, NULL };
	struct page next = { 0, 1000, BASE "/users/?page=3&page_size=100" };
	struct plan_user u = vt_planned("1234");
	const struct plan_user *list[] = { &u };
	struct http_request *r;

	assert_int_equal(v->paging, PAGE_CURSOR);
	assert_true(v->grouped);
	assert_false(v->bulk);
	assert_int_equal(v->max_batch, 250);
	/* the session's static "Token" header, no token exchange */
	assert_null(v->auth_request);
	assert_null(v->auth_header);
	assert_null(v->caller_request);
	assert_int_equal(t->s.batch, 1);
	r = v->list_request(&t->s, &first);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url, BASE "/user/?page=1&page_size=1000");
	http_request_free(r);
	/* later pages: the link the previous answer gave */
	r = v->list_request(&t->s, &next);
	assert_string_equal(r->url, BASE "/users/?page=3&page_size=100");
	http_request_free(r);
	r = v->delete_request(&t->s, list, 1);
	assert_string_equal(r->method, "DELETE");
	assert_string_equal(r->url, BASE "/user/1234/");
	assert_null(r->body);
	http_request_free(r);
}

static void test_users_path(void **state)
{
	struct vt *t = *state;
	struct page first = { 0, 1000, NULL };
	struct plan_user u = vt_planned("7");
	const struct plan_user *list[] = { &u };
	struct http_request *r;

	r = t->s.v->list_request(&t->s, &first);
	assert_string_equal(r->url, BASE "/v2/people/?page=1&page_size=1000");
	http_request_free(r);
	r = t->s.v->delete_request(&t->s, list, 1);
	assert_string_equal(r->url, BASE "/v2/people/7/");
	http_request_free(r);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/json",
		"{\"count\":2345,"
		"\"next\":\"" BASE "/users/?page=2&page_size=1000\","
		"\"previous\":null,\"results\":["
		"{\"id\":1001,\"email\":\"Org@Acme.example\",\"username\":"
		"\"org\",\"first_name\":\"Olga\",\"last_name\":\"Org\","
		"\"is_active\":true},"
		"{\"id\":1002,\"email\":null,\"username\":\"nomail\","
		"\"first_name\":\"\",\"last_name\":\"Solo\","
		"\"is_active\":false},"
		"{\"id\":4503599627370496,\"email\":\"big@acme.example\","
		"\"is_active\":true,\"avatar\":{\"url\":\"x\"}}]}");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 3);
	assert_int_equal(pr.total, 2345);
	assert_string_equal(pr.next, BASE "/users/?page=2&page_size=1000");
	free(pr.next);
	u = userstore_find(&t->users, "1001");
	assert_non_null(u);
	assert_string_equal(u->email, "Org@Acme.example");
	assert_string_equal(u->username, "org");
	assert_string_equal(u->name, "Olga Org");
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_ACTIVE);
	u = userstore_find(&t->users, "1002");
	assert_null(u->email);
	assert_string_equal(u->name, "Solo");
	assert_int_equal(u->status, STATUS_INACTIVE);
	u = userstore_find(&t->users, "4503599627370496");
	assert_non_null(u);
	assert_null(u->name);
	assert_null(u->username);
	/* the last page links nothing */
	pr = (struct page_result){ .total = -1 };
	r = vt_answer(200, "application/json",
		      "{\"count\":3,\"next\":null,\"previous\":\"" BASE
		      "/users/?page_size=1000\",\"results\":[]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.total, 3);
	assert_null(pr.next);
	/* links.next, as Bevy's API has it; count left out */
	pr = (struct page_result){ .total = -1 };
	r = vt_answer(200, "application/json",
		      "{\"links\":{\"next\":\"" BASE
		      "/user/?page=4\",\"previous\":null},\"results\":["
		      "{\"id\":77,\"is_active\":true}]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 1);
	assert_int_equal(pr.total, -1);
	assert_string_equal(pr.next, BASE "/user/?page=4");
	free(pr.next);
}

/* The page answer with this next link. */
static char *with_next(const char *next)
{
	return xasprintf("{\"count\":1,\"next\":%s,\"previous\":null,"
			 "\"results\":[{\"id\":1,\"email\":\"a@x\","
			 "\"is_active\":true}]}",
			 next);
}

static void test_next_links(void **state)
{
	/* the same origin however it is written */
	static const char *const same[] = {
		"\"" BASE "/users/?page=2\"",
		"\"HTTPS://Events.ACME.example/api/users/?page=2\"",
		"\"https://events.acme.example:443/api/users/?page=2\"",
		"\"https://events.acme.example/other/path?page=2\"",
		/* an empty port is the default one */
		"\"https://events.acme.example:/api/users/?page=2\"",
	};
	static const char *const other[] = {
		"\"https://evil.example/api/users/?page=2\"",
		"\"http://events.acme.example/api/users/?page=2\"",
		"\"https://events.acme.example:8443/api/users/?page=2\"",
		"\"https://events.acme.example.evil.example/api/users/\"",
		"\"https://events.acme.example@evil.example/api/users/\"",
		"\"https://evil.example\\\\@events.acme.example/api/\"",
		"\"https://events.acme.example%2eevil.example/api/\"",
		"\"https://events.acme.example:443x/api/users/\"",
		"\"/api/users/?page=2\"",
		"\"//evil.example/api/users/?page=2\"",
		"\"ftp://events.acme.example/api/users/\"",
		"\"https://events.acme.example/api/users/?page=2 x\"",
		"\"\"",
	};
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct page_result pr = { .total = -1 };
		char *body = with_next(same[i]);
		struct http_response r =
			vt_answer(200, "application/json", body);
		struct err e;

		assert_int_equal(t->s.v->list_response(&t->s, &pg, &r,
						       &t->users, &pr, &e),
				 0);
		assert_non_null(pr.next);
		free(pr.next);
		free(body);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		struct page_result pr = { .total = -1 };
		char *body = with_next(other[i]);
		struct http_response r =
			vt_answer(200, "application/json", body);
		struct err e;

		assert_int_equal(t->s.v->list_response(&t->s, &pg, &r,
						       &t->users, &pr, &e),
				 -1);
		assert_null(pr.next);
		assert_non_null(strstr(e.msg, "is not on the tenant's origin "
					      "(" BASE "): not followed"));
		free(body);
	}
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html; charset=utf-8",
		  "<!DOCTYPE html><html>Log in</html>",
		  "HTTP 200: not JSON (text/html; charset=utf-8): <!DOCTYPE "
		  "html><html>Log in</html>" },
		{ 200, "application/json",
		  "{\"count\":3,\"next\":null,\"results\":[{\"id\":1,",
		  "HTTP 200: truncated or malformed JSON (42 bytes): "
		  "{\"count\":3,\"next\":null,\"results\":[{\"id\":1," },
		{ 200, "application/json", "[]",
		  "expected {\"results\": [users], \"links\": {\"next\": URL "
		  "or null}} (or a top-level \"next\"; \"count\" a number when "
		  "given)" },
		{ 200, "application/json",
		  "{\"count\":0,\"next\":2,\"results\":[]}",
		  "expected {\"results\": [users], \"links\": {\"next\": URL "
		  "or null}} (or a top-level \"next\"; \"count\" a number when "
		  "given)" },
		{ 200, "application/json",
		  "{\"count\":0,\"links\":{\"next\":[]},\"results\":[]}",
		  "expected {\"results\": [users], \"links\": {\"next\": URL "
		  "or null}} (or a top-level \"next\"; \"count\" a number when "
		  "given)" },
		{ 200, "application/json", "{\"count\":0,\"next\":null}",
		  "expected {\"results\": [users], \"links\": {\"next\": URL "
		  "or null}} (or a top-level \"next\"; \"count\" a number when "
		  "given)" },
		{ 200, "application/json",
		  "{\"count\":\"1\",\"next\":null,\"results\":[]}",
		  "expected {\"results\": [users], \"links\": {\"next\": URL "
		  "or null}} (or a top-level \"next\"; \"count\" a number when "
		  "given)" },
		{ 200, "application/json",
		  "{\"count\":2,\"next\":null,\"results\":[{\"id\":1,"
		  "\"is_active\":true},{\"id\":\"2\",\"is_active\":true}]}",
		  "user 1 of the page is malformed: id must be an integer" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[{\"id\":1.5,"
		  "\"is_active\":true}]}",
		  "user 0 of the page is malformed: id must be an integer" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[{\"email\":\"a@x\","
		  "\"is_active\":true}]}",
		  "user 0 of the page is malformed: id must be an integer" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[{\"id\":1}]}",
		  "user 0 of the page is malformed: is_active must be a "
		  "boolean" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[{\"id\":1,"
		  "\"is_active\":1}]}",
		  "user 0 of the page is malformed: is_active must be a "
		  "boolean" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[{\"id\":1,"
		  "\"is_active\":true,\"email\":7}]}",
		  "user 0 of the page is malformed: email, username, "
		  "first_name and last_name must be strings" },
		{ 200, "application/json",
		  "{\"count\":1,\"next\":null,\"results\":[null]}",
		  "user 0 of the page is malformed: not an object" },
		{ 401, "application/json", "{\"detail\": \"Invalid token.\"}",
		  "HTTP 401: {\"detail\": \"Invalid token.\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_delete_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 204, "application/json", "", OUTCOME_SCHEDULED,
		  "scheduled: Bevy removes the user after 7 days; the "
		  "deletion can be cancelled until then" },
		{ 404, "application/json", "{\"detail\": \"Not found.\"}",
		  OUTCOME_ABSENT, "HTTP 404: {\"detail\": \"Not found.\"}" },
		{ 400, "application/json",
		  "{\"user\": [\"This user cannot be deleted.\"]}",
		  OUTCOME_BLOCKED,
		  "HTTP 400: {\"user\": [\"This user cannot be deleted.\"]}" },
		{ 403, "application/json",
		  "{\"detail\": \"Permission Denied\"}", OUTCOME_FAILED,
		  "HTTP 403: {\"detail\": \"Permission Denied\"}" },
		{ 500, "application/json", "<h1>Server Error (500)</h1>",
		  OUTCOME_FAILED, "HTTP 500: <h1>Server Error (500)</h1>" },
	};

	vt_expect_outcomes(*state, "1001", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_users_path, setup_path,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_next_links, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcomes, setup,
						vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
