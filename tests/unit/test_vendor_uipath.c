/*
 * The UiPath connector against recorded answers.
 */
#include "tests/unit/vendortest.h"

#define PART "3fa85f64-5717-4562-b3fc-2c963f66afa6"
#define BASE "https://cloud.uipath.com/acme"

#define YAML(auth_extra, opts)                                                 \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: orch\n"                                                     \
	"    vendor: uipath\n"                                                 \
	"    url: " BASE "\n"                                                  \
	"    auth:\n"                                                          \
	"      type: oauth2\n"                                                 \
	"      client_id: ${env:VT_USER}\n"                                    \
	"      client_secret: ${env:VT_SECRET}\n" auth_extra                   \
	"    options: { partition_global_id: " PART opts " }\n"                \
	"    keep: [x]\n"

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_USER", "app id", 1);
	setenv("VT_SECRET", "s&cret=1", 1);
	setenv("VT_SCOPE", "OR.Users PM.User", 1);
	setenv("VT_TOKEN_URL", "https://login.acme.example/token", 1);
	return vt_setup(state, yaml);
}

static int setup(void **state)
{
	return setup_with(state, YAML("", ""));
}

/* A standalone install: identity_path given with stray slashes. */
static int setup_standalone(void **state)
{
	return setup_with(state, YAML("      scope: ${env:VT_SCOPE}\n",
				      ", identity_path: /identity/"));
}

static int setup_token_url(void **state)
{
	return setup_with(state,
			  YAML("      token_url: ${env:VT_TOKEN_URL}\n", ""));
}

static void test_token_request(void **state)
{
	struct vt *t = *state;
	struct http_request *r = t->s.v->auth_request(&t->s);

	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url, BASE "/identity_/connect/token");
	assert_true(r->is_auth);
	assert_true(vt_has_header(
		r, "Content-Type: application/x-www-form-urlencoded"));
	/* every value form-encoded; the default scopes */
	assert_string_equal(r->body,
			    "grant_type=client_credentials&client_id=app%20id&"
			    "client_secret=s%26cret%3D1&scope=PM.User%20PM."
			    "User.Read%20PM.User.Write");
	assert_int_equal(r->body_len, strlen(r->body));
	http_request_free(r);
}

static void test_standalone_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 0, 1000, NULL };
	struct plan_user u = vt_planned("a1");
	const struct plan_user *one[] = { &u };
	struct http_request *r;

	r = v->auth_request(&t->s);
	assert_string_equal(r->url, BASE "/identity/connect/token");
	/* the tenant's scope replaces the default */
	assert_non_null(strstr(r->body, "&scope=OR.Users%20PM.User"));
	assert_null(strstr(r->body, "PM.User.Read"));
	http_request_free(r);
	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->url,
			    BASE "/identity/api/User/users/" PART
				 "?top=1000&skip=0&sortBy=Id&sortOrder=asc");
	http_request_free(r);
	r = v->delete_request(&t->s, one, 1);
	assert_string_equal(r->url, BASE "/identity/api/User/a1");
	http_request_free(r);
}

static void test_token_url(void **state)
{
	struct vt *t = *state;
	struct http_request *r = t->s.v->auth_request(&t->s);

	assert_string_equal(r->url, "https://login.acme.example/token");
	http_request_free(r);
}

static void test_list_and_delete_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 2000, 1000, NULL };
	struct plan_user a = vt_planned("g-1"), b = vt_planned("g/2"),
			 c = vt_planned("g\"3");
	const struct plan_user *list[] = { &a, &b, &c };
	struct http_request *r;
	cJSON *body;
	const cJSON *ids;

	assert_int_equal(v->paging, PAGE_OFFSET_TOTAL);
	assert_int_equal(v->page_size, 1000);
	assert_true(v->bulk);
	assert_null(v->caller_request);
	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url,
			    BASE "/identity_/api/User/users/" PART
				 "?top=1000&skip=2000&sortBy=Id&sortOrder=asc");
	assert_null(r->body);
	http_request_free(r);
	/* one user: the single endpoint, the id encoded */
	r = v->delete_request(&t->s, list + 1, 1);
	assert_string_equal(r->method, "DELETE");
	assert_string_equal(r->url, BASE "/identity_/api/User/g%2F2");
	assert_null(r->body);
	http_request_free(r);
	/* several: one bulk request with the partition and the ids */
	r = v->delete_request(&t->s, list, 3);
	assert_string_equal(r->method, "DELETE");
	assert_string_equal(r->url, BASE "/identity_/api/User");
	assert_true(vt_has_header(r, "Content-Type: application/json"));
	body = cJSON_Parse(r->body);
	assert_non_null(body);
	assert_int_equal(cJSON_GetArraySize(body), 2);
	assert_string_equal(json_str(body, "partitionGlobalId"), PART);
	ids = cJSON_GetObjectItem(body, "userIds");
	assert_int_equal(cJSON_GetArraySize(ids), 3);
	assert_string_equal(cJSON_GetArrayItem(ids, 0)->valuestring, "g-1");
	assert_string_equal(cJSON_GetArrayItem(ids, 1)->valuestring, "g/2");
	assert_string_equal(cJSON_GetArrayItem(ids, 2)->valuestring, "g\"3");
	cJSON_Delete(body);
	http_request_free(r);
}

static void test_token_answers(void **state)
{
	static const struct {
		long status;
		const char *ct, *body, *msg;
	} bad[] = {
		/* a wrong identity_path: the portal's sign-in page */
		{ 200, "text/html; charset=utf-8",
		  "<!DOCTYPE html><html><title>Sign in</title></html>",
		  "the token URL answered a web page, not a token (HTTP 200, "
		  "text/html): check options.identity_path and the "
		  "organization in url" },
		/* no content type, but a page all the same */
		{ 200, NULL, "\n  <html><body>Sign in</body></html>",
		  "the token URL answered a web page, not a token (HTTP 200): "
		  "check options.identity_path and the organization in url" },
		{ 400, "application/json", "{\"error\":\"invalid_client\"}",
		  "HTTP 400: invalid_client: the client credentials were "
		  "refused (check auth.client_id and auth.client_secret)" },
		{ 400, "application/json", "{\"error\":\"invalid_scope\"}",
		  "HTTP 400: invalid_scope: the application may not have the "
		  "scopes asked for (auth.scope; default PM.User PM.User.Read "
		  "PM.User.Write)" },
		{ 500, "text/plain", "upstream down",
		  "HTTP 500: upstream down" },
		{ 200, "application/json", "{\"token_type\":\"Bearer\"}",
		  "the token answer has no access_token" },
		{ 200, "application/json", "{\"access_token\":42}",
		  "the token answer has no access_token" },
		{ 200, "application/json", "[\"access_token\"]",
		  "the token answer has no access_token" },
		{ 200, "application/json", "{\"access_token\":\"ey",
		  "HTTP 200: truncated or malformed JSON (19 bytes): "
		  "{\"access_token\":\"ey" },
	};
	struct vt *t = *state;
	struct http_response r;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = vt_answer(bad[i].status, bad[i].ct, bad[i].body);
		assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), -1);
		assert_string_equal(e.msg, bad[i].msg);
		assert_null(t->s.access_token);
	}
	r = vt_answer(200, "application/json; charset=utf-8",
		      "{\"access_token\":\"tok-1\",\"expires_in\":3600,"
		      "\"token_type\":\"Bearer\",\"scope\":\"PM.User\"}");
	assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "tok-1");
	assert_true(t->s.expires_at > clock_mono() + 3500);
	assert_true(t->s.expires_at < clock_mono() + 3700);
	/* no lifetime: kept until a 401 */
	r = vt_answer(200, "application/json", "{\"access_token\":\"tok-2\"}");
	assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "tok-2");
	assert_true(t->s.expires_at == 0);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/json; charset=utf-8",
		"{\"totalCount\":2345,\"results\":["
		"{\"id\":\"u0\",\"userName\":\"alice\",\"email\":"
		"\"Alice@Acme.example\",\"name\":\"Alice\",\"surname\":\"A\","
		"\"displayName\":\"Alice Admin\",\"isActive\":true,\"type\":0},"
		"{\"id\":\"u1\",\"userName\":\"bot\",\"email\":null,"
		"\"isActive\":true,\"type\":1},"
		"{\"id\":\"u2\",\"userName\":\"dir\",\"name\":\"Dee\","
		"\"surname\":\"Irving\",\"displayName\":null,"
		"\"isActive\":false,\"type\":2},"
		"{\"id\":\"u3\",\"userName\":\"other\",\"isActive\":true,"
		"\"type\":3},"
		"{\"id\":\"u4\",\"userName\":\"ra\",\"surname\":\"Only\","
		"\"isActive\":true,\"type\":4},"
		"{\"id\":\"u5\",\"userName\":\"app\",\"displayName\":\"\","
		"\"isActive\":true,\"type\":5},"
		"{\"id\":\"u6\",\"userName\":\"new\",\"isActive\":true,"
		"\"type\":-7,\"futureField\":{\"x\":1}},"
		"{\"id\":\"u7\",\"userName\":\"guest\",\"isActive\":true,"
		"\"type\":0,\"invitationAccepted\":false}]}");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 8);
	assert_int_equal(pr.skipped, 1); /* the directory group */
	assert_int_equal(pr.total, 2345);
	assert_null(pr.next);
	assert_int_equal(t->users.n, 7);
	u = userstore_find(&t->users, "u0");
	assert_string_equal(u->username, "alice");
	assert_string_equal(u->email, "Alice@Acme.example");
	assert_string_equal(u->name, "Alice Admin");
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_ACTIVE);
	u = userstore_find(&t->users, "u1");
	assert_int_equal(u->type, USER_ROBOT);
	assert_null(u->email);
	assert_null(u->name);
	/* a directory user is a person; name and surname when no display */
	u = userstore_find(&t->users, "u2");
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_INACTIVE);
	assert_string_equal(u->name, "Dee Irving");
	/* a directory group (type 3) is no user: not listed at all */
	assert_null(userstore_find(&t->users, "u3"));
	assert_int_equal(userstore_find(&t->users, "u0")->flags, 0);
	/* a pending invitation is a person, and says so */
	u = userstore_find(&t->users, "u7");
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->flags, USER_INVITED);
	u = userstore_find(&t->users, "u4");
	assert_int_equal(u->type, USER_ROBOT);
	assert_string_equal(u->name, "Only");
	assert_int_equal(userstore_find(&t->users, "u5")->type, USER_APP);
	assert_null(userstore_find(&t->users, "u5")->name);
	assert_int_equal(userstore_find(&t->users, "u6")->type, USER_UNKNOWN);
	/* past the end: an empty page with the total */
	r = vt_answer(200, "application/json",
		      "{\"totalCount\":7,\"results\":[]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.total, 7);
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html", "<!DOCTYPE html><html>Sign in</html>",
		  "HTTP 200: not JSON (text/html): <!DOCTYPE html><html>Sign "
		  "in</html>" },
		{ 200, "application/json",
		  "{\"totalCount\":3,\"results\":[{\"id\":\"a\",",
		  "HTTP 200: truncated or malformed JSON (37 bytes): "
		  "{\"totalCount\":3,\"results\":[{\"id\":\"a\"," },
		{ 200, "application/json", "[]",
		  "expected {\"totalCount\": N, \"results\": [users]}" },
		{ 200, "application/json", "{\"results\":[]}",
		  "expected {\"totalCount\": N, \"results\": [users]}" },
		{ 200, "application/json",
		  "{\"totalCount\":\"3\",\"results\":[]}",
		  "expected {\"totalCount\": N, \"results\": [users]}" },
		{ 200, "application/json", "{\"totalCount\":3,\"results\":{}}",
		  "expected {\"totalCount\": N, \"results\": [users]}" },
		{ 200, "application/json", "{\"totalCount\":3}",
		  "expected {\"totalCount\": N, \"results\": [users]}" },
		{ 200, "application/json",
		  "{\"totalCount\":2,\"results\":[{\"id\":\"a\",\"isActive\":"
		  "true,\"type\":0},{\"id\":\"b\",\"isActive\":true,"
		  "\"type\":\"0\"}]}",
		  "user 1 of the page is malformed: type must be an integer" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"id\":\"b\",\"isActive\":"
		  "true,\"type\":0.5}]}",
		  "user 0 of the page is malformed: type must be an integer" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"id\":\"b\",\"isActive\":"
		  "true}]}",
		  "user 0 of the page is malformed: type must be an integer" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"userName\":\"b\","
		  "\"isActive\":true,\"type\":0}]}",
		  "user 0 of the page is malformed: no id (a string)" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"id\":17,\"isActive\":true,"
		  "\"type\":0}]}",
		  "user 0 of the page is malformed: no id (a string)" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"id\":\"b\",\"isActive\":"
		  "\"true\",\"type\":0}]}",
		  "user 0 of the page is malformed: isActive must be a "
		  "boolean" },
		{ 200, "application/json",
		  "{\"totalCount\":1,\"results\":[{\"id\":\"b\",\"isActive\":"
		  "true,\"type\":0,\"email\":[\"b@x\"]}]}",
		  "user 0 of the page is malformed: userName, email, name, "
		  "surname and displayName must be strings" },
		{ 200, "application/json", "{\"totalCount\":1,\"results\":[7]}",
		  "user 0 of the page is malformed: not an object" },
		{ 401, "application/json", "{\"message\":\"Unauthorized\"}",
		  "HTTP 401: {\"message\":\"Unauthorized\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 1000, NULL };
	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_single_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 204, "application/json", "", OUTCOME_DELETED, "" },
		{ 200, "application/json", "", OUTCOME_DELETED, "" },
		{ 404, "application/json", "{\"message\":\"User not found\"}",
		  OUTCOME_ABSENT,
		  "HTTP 404: {\"message\":\"User not found\"}" },
		{ 400, "application/json",
		  "{\"message\":\"This user cannot be deleted\"}",
		  OUTCOME_BLOCKED,
		  "HTTP 400: {\"message\":\"This user cannot be deleted\"}" },
		{ 403, "application/json", "{\"message\":\"Forbidden\"}",
		  OUTCOME_FAILED, "HTTP 403: {\"message\":\"Forbidden\"}" },
		{ 500, "application/json", "{\"message\":\"oops\"}",
		  OUTCOME_FAILED, "HTTP 500: {\"message\":\"oops\"}" },
	};

	vt_expect_outcomes(*state, "a1", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

static void test_bulk_outcomes(void **state)
{
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2"),
			 c = vt_planned("u3");
	const struct plan_user *list[] = { &a, &b, &c };
	struct delete_result out[3];
	struct http_response r = vt_answer(204, NULL, "");
	size_t i;

	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 3, &r, out);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].outcome, OUTCOME_DELETED);
		assert_int_equal(out[i].status, 204);
	}
	/* a refusal fails the whole batch, described */
	r = vt_answer(400, "application/json",
		      "{\"message\":\"One or more users cannot be deleted\","
		      "\"errorCode\":400}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 3, &r, out);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].outcome, OUTCOME_FAILED);
		assert_int_equal(out[i].status, 400);
		assert_string_equal(out[i].detail,
				    "bulk delete of 3 users failed: HTTP 400: "
				    "{\"message\":\"One or more users cannot "
				    "be deleted\",\"errorCode\":400}");
	}
	/* a 404 for the batch is a wrong partition, not absent users */
	r = vt_answer(404, "application/json",
		      "{\"message\":\"Partition not found\"}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 3, &r, out);
	for (i = 0; i < 3; i++)
		assert_int_equal(out[i].outcome, OUTCOME_FAILED);
	assert_non_null(strstr(out[2].detail, "Partition not found"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_request, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_standalone_requests,
						setup_standalone, vt_teardown),
		cmocka_unit_test_setup_teardown(test_token_url, setup_token_url,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_list_and_delete_requests,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_token_answers, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_single_outcomes, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_outcomes, setup,
						vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
