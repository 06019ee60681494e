/*
 * The Automation Anywhere Control Room connector against recorded answers.
 */
#include "tests/unit/vendortest.h"

#define YAML(auth, opts)                                                       \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: cr\n"                                                       \
	"    vendor: automation-anywhere\n"                                    \
	"    url: https://cr.acme.example\n"                                   \
	"    auth: { type: control-room, username: \"${env:VT_USER}\", " auth  \
	" }\n"                                                                 \
	"    options: { " opts " }\n"                                          \
	"    keep: [x]\n"

#define PASSWORD "password: \"${env:VT_SECRET}\""
#define API_KEY	 "api_key: \"${env:VT_SECRET}\""

static const char login_answer[] =
	"{\"token\":\"eyJhbGciOiJSUzI1NiJ9.e30.sig\",\"user\":{\"id\":42,"
	"\"username\":\"robot-admin\",\"email\":\"ra@acme.example\","
	"\"firstName\":\"Robot\",\"lastName\":\"Admin\",\"disabled\":false,"
	"\"deleted\":false,\"roles\":[{\"name\":\"AAE_Admin\"}]}}";

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_USER", "robot-admin", 1);
	/* a quote and a backslash: the JSON body must escape them */
	setenv("VT_SECRET", "pa\"ss\\word", 1);
	return vt_setup(state, yaml);
}

/* v1 (Enterprise 11, A2019), named: every path without a probe */
static int setup(void **state)
{
	return setup_with(state, YAML(PASSWORD, "api_version: v1"));
}

/* the default: auto */
static int setup_auto(void **state)
{
	return setup_with(state, YAML(PASSWORD, ""));
}

static int setup_key_v2(void **state)
{
	return setup_with(state, YAML(API_KEY, "api_version: v2"));
}

/* The request's JSON body, parsed (the caller deletes it). */
static cJSON *body_of(const struct http_request *r)
{
	cJSON *j;

	assert_non_null(r->body);
	assert_int_equal(r->body_len, strlen(r->body));
	assert_true(vt_has_header(r, "Content-Type: application/json"));
	j = cJSON_Parse(r->body);
	assert_non_null(j);
	return j;
}

static void login(struct vt *t)
{
	struct http_response r =
		vt_answer(200, "application/json", login_answer);
	struct http_request *req = t->s.v->auth_request(&t->s);
	struct err e;

	http_request_free(req);
	assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), 0);
}

static void test_authentication(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct http_request *r;
	char *h;
	cJSON *body;
	double now;

	r = v->auth_request(&t->s);
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url,
			    "https://cr.acme.example/v1/authentication");
	assert_true(r->is_auth);
	body = body_of(r);
	assert_string_equal(json_str(body, "username"), "robot-admin");
	assert_string_equal(json_str(body, "password"), "pa\"ss\\word");
	assert_null(cJSON_GetObjectItem(body, "apiKey"));
	assert_int_equal(cJSON_GetArraySize(body), 2);
	cJSON_Delete(body);
	http_request_free(r);

	now = clock_mono();
	login(t);
	assert_string_equal(t->s.access_token, "eyJhbGciOiJSUzI1NiJ9.e30.sig");
	/* the authenticating user is the caller */
	assert_string_equal(t->s.caller, "42");
	/* 20 minutes */
	assert_true(t->s.expires_at >= now + 1199 - 30);
	assert_true(t->s.expires_at <= clock_mono() + 1200);
	h = v->auth_header(&t->s);
	assert_string_equal(h, "X-Authorization: eyJhbGciOiJSUzI1NiJ9.e30.sig");
	free(h);
}

static void test_refresh_then_credentials(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct http_response r;
	struct http_request *req;
	struct err e;
	cJSON *body;

	login(t);
	/* with a token: refresh it */
	req = v->auth_request(&t->s);
	assert_string_equal(req->method, "POST");
	assert_string_equal(req->url,
			    "https://cr.acme.example/v1/authentication/token");
	assert_true(req->is_auth);
	body = body_of(req);
	assert_string_equal(json_str(body, "token"),
			    "eyJhbGciOiJSUzI1NiJ9.e30.sig");
	assert_int_equal(cJSON_GetArraySize(body), 1);
	cJSON_Delete(body);
	http_request_free(req);
	r = vt_answer(200, "application/json", "{\"token\":\"second\"}");
	assert_int_equal(v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "second");
	assert_string_equal(t->s.caller, "42");
	assert_true(t->s.expires_at > clock_mono() + 1190 - 30);

	/* a refused refresh: no error, but the token is gone... */
	http_request_free(v->auth_request(&t->s));
	r = vt_answer(401, "application/json",
		      "{\"code\":\"UNAUTHORIZED\",\"message\":\"the token is "
		      "not valid\"}");
	assert_int_equal(v->auth_response(&t->s, &r, &e), 0);
	assert_null(t->s.access_token);
	/* ...and the next token request uses the credentials */
	req = v->auth_request(&t->s);
	assert_string_equal(req->url,
			    "https://cr.acme.example/v1/authentication");
	body = body_of(req);
	assert_string_equal(json_str(body, "password"), "pa\"ss\\word");
	cJSON_Delete(body);
	http_request_free(req);
	r = vt_answer(200, "application/json", login_answer);
	assert_int_equal(v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "eyJhbGciOiJSUzI1NiJ9.e30.sig");
	/* and the renewal after that tries a refresh again */
	req = v->auth_request(&t->s);
	assert_string_equal(req->url,
			    "https://cr.acme.example/v1/authentication/token");
	http_request_free(req);
	/* a refresh answered with a login page also falls back */
	r = vt_answer(200, "text/html", "<html>Sign in</html>");
	assert_int_equal(v->auth_response(&t->s, &r, &e), 0);
	assert_null(t->s.access_token);
}

static void test_bad_authentication_answers(void **state)
{
	static const struct {
		long status;
		const char *ct, *body, *msg;
	} cases[] = {
		{ 401, "application/json",
		  "{\"code\":\"UNAUTHORIZED\",\"message\":\"Authentication "
		  "failed\"}",
		  "HTTP 401: {\"code\":\"UNAUTHORIZED\",\"message\":"
		  "\"Authentication failed\"}" },
		{ 200, "text/html",
		  "<!DOCTYPE html><title>Control Room</title>",
		  "HTTP 200: not JSON (text/html): <!DOCTYPE "
		  "html><title>Control Room</title>" },
		{ 200, "application/json", "{\"token\":\"abc\",\"us",
		  "HTTP 200: truncated or malformed JSON (18 bytes): "
		  "{\"token\":\"abc\",\"us" },
		{ 200, "application/json", "{\"user\":{\"id\":42}}",
		  "the answer has no token" },
		{ 200, "application/json", "{\"token\":7,\"user\":{\"id\":42}}",
		  "the answer has no token" },
		{ 200, "application/json", "{\"token\":\"abc\"}",
		  "the answer has no integer user.id (the authenticating "
		  "user, never deleted)" },
		{ 200, "application/json", "{\"token\":\"abc\",\"user\":null}",
		  "the answer has no integer user.id (the authenticating "
		  "user, never deleted)" },
		{ 200, "application/json",
		  "{\"token\":\"abc\",\"user\":{\"id\":\"42\"}}",
		  "the answer has no integer user.id (the authenticating "
		  "user, never deleted)" },
		{ 200, "application/json",
		  "{\"token\":\"abc\",\"user\":{\"id\":4.5}}",
		  "the answer has no integer user.id (the authenticating "
		  "user, never deleted)" },
	};
	struct vt *t = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_response r =
			vt_answer(cases[i].status, cases[i].ct, cases[i].body);
		struct err e;

		/* a first authentication: no token yet */
		http_request_free(t->s.v->auth_request(&t->s));
		assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), -1);
		assert_string_equal(e.msg, cases[i].msg);
		assert_null(t->s.access_token);
		assert_null(t->s.caller);
	}
}

/*
 * api_version auto: the listing's discovery is the first authentication,
 * on v2; a 404 there means v1, and every path follows.
 */
static void test_auto_probes_v2_then_v1(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 0, 1000, NULL };
	struct http_request *r;
	struct http_response a;
	cJSON *body;

	assert_string_equal(tenant_option(t->s.t, "api_version"), "auto");
	r = v->discover_request(&t->s);
	assert_non_null(r);
	assert_true(r->is_auth);
	assert_string_equal(r->url,
			    "https://cr.acme.example/v2/authentication");
	body = body_of(r);
	assert_string_equal(json_str(body, "username"), "robot-admin");
	cJSON_Delete(body);
	http_request_free(r);
	/* a Control Room before Automation 360 */
	a = vt_answer(404, "application/json", "{\"message\":\"Not Found\"}");
	v->discover_response(&t->s, &a);
	assert_null(v->discover_request(&t->s)); /* known now */
	r = v->auth_request(&t->s);
	assert_string_equal(r->url,
			    "https://cr.acme.example/v1/authentication");
	http_request_free(r);
	r = v->list_request(&t->s, &pg);
	assert_string_equal(
		r->url, "https://cr.acme.example/v1/usermanagement/users/list");
	http_request_free(r);
}

static void test_auto_keeps_the_v2_login(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 0, 1000, NULL };
	struct http_request *r;
	struct http_response a =
		vt_answer(200, "application/json", login_answer);

	r = v->discover_request(&t->s);
	http_request_free(r);
	v->discover_response(&t->s, &a);
	/* the probe was a login: its token and caller are kept */
	assert_string_equal(t->s.access_token, "eyJhbGciOiJSUzI1NiJ9.e30.sig");
	assert_string_equal(t->s.caller, "42");
	assert_null(v->discover_request(&t->s));
	r = v->list_request(&t->s, &pg);
	assert_string_equal(
		r->url, "https://cr.acme.example/v2/usermanagement/users/list");
	http_request_free(r);
}

static void test_api_key_and_v2(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct plan_user u = vt_planned("15");
	const struct plan_user *list[] = { &u };
	struct page pg = { 0, 1000, NULL };
	struct http_request *r;
	cJSON *body;

	r = v->auth_request(&t->s);
	assert_string_equal(r->url,
			    "https://cr.acme.example/v2/authentication");
	body = body_of(r);
	assert_string_equal(json_str(body, "username"), "robot-admin");
	assert_string_equal(json_str(body, "apiKey"), "pa\"ss\\word");
	assert_null(cJSON_GetObjectItem(body, "password"));
	cJSON_Delete(body);
	http_request_free(r);
	login(t);
	r = v->auth_request(&t->s);
	assert_string_equal(r->url,
			    "https://cr.acme.example/v2/authentication/token");
	http_request_free(r);
	r = v->list_request(&t->s, &pg);
	assert_string_equal(
		r->url, "https://cr.acme.example/v2/usermanagement/users/list");
	http_request_free(r);
	r = v->delete_request(&t->s, list, 1);
	assert_string_equal(
		r->url, "https://cr.acme.example/v2/usermanagement/users/15");
	http_request_free(r);
}

static void test_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 2000, 1000, NULL };
	struct plan_user u = vt_planned("15"), odd = vt_planned("1/2");
	const struct plan_user *list[] = { &u }, *oddlist[] = { &odd };
	struct http_request *r;

	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->method, "POST");
	assert_string_equal(
		r->url, "https://cr.acme.example/v1/usermanagement/users/list");
	assert_false(r->no_retry); /* a read, retried as usual */
	assert_false(r->is_auth);
	assert_true(vt_has_header(r, "Content-Type: application/json"));
	assert_string_equal(r->body,
			    "{\"sort\":[{\"field\":\"id\",\"direction\":"
			    "\"asc\"}],\"filter\":{},\"page\":{\"offset\":"
			    "2000,\"length\":1000}}");
	http_request_free(r);
	r = v->delete_request(&t->s, list, 1);
	assert_string_equal(r->method, "DELETE");
	assert_string_equal(
		r->url, "https://cr.acme.example/v1/usermanagement/users/15");
	assert_null(r->body);
	http_request_free(r);
	r = v->delete_request(&t->s, oddlist, 1);
	assert_string_equal(
		r->url,
		"https://cr.acme.example/v1/usermanagement/users/1%2F2");
	http_request_free(r);
	assert_int_equal(v->paging, PAGE_OFFSET_UNTIL_EMPTY);
	assert_int_equal(v->max_batch, 1);
	assert_false(v->bulk);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 200, 100, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/json",
		"{\"page\":{\"offset\":200,\"total\":900,\"totalFilter\":203},"
		"\"list\":["
		"{\"id\":15,\"username\":\"jdoe\",\"email\":\"JDoe@Acme."
		"example\","
		"\"firstName\":\"John\",\"lastName\":\"Doe\",\"disabled\":"
		"false,"
		"\"deleted\":false,\"roles\":[],\"licenseFeatures\":["
		"\"RUNTIME\"]},"
		"{\"id\":16,\"username\":\"off\",\"email\":null,\"firstName\":"
		"\"Only\",\"lastName\":\"\",\"disabled\":true,\"deleted\":"
		"false},"
		"{\"id\":17,\"username\":\"leaving\",\"email\":\"l@acme."
		"example\","
		"\"disabled\":true,\"deleted\":true}]}");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 3);
	/* the total is the filtered one */
	assert_int_equal(pr.total, 203);
	u = userstore_find(&t->users, "15");
	assert_string_equal(u->username, "jdoe");
	assert_string_equal(u->email, "JDoe@Acme.example");
	assert_string_equal(u->name, "John Doe");
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_ACTIVE);
	u = userstore_find(&t->users, "16");
	assert_null(u->email);
	assert_string_equal(u->name, "Only");
	assert_int_equal(u->status, STATUS_INACTIVE);
	/* being deleted: never planned */
	u = userstore_find(&t->users, "17");
	assert_int_equal(u->status, STATUS_PENDING_DELETION);
	assert_null(u->name);
	/* past the end: an empty list; without totalFilter, total counts */
	pg.offset = 203;
	r = vt_answer(200, "application/json",
		      "{\"page\":{\"offset\":203,\"total\":203},\"list\":[]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.total, 203);
	assert_int_equal(t->users.n, 3);
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html", "<!DOCTYPE html><html>Log in</html>",
		  "HTTP 200: not JSON (text/html): <!DOCTYPE html><html>Log "
		  "in</html>" },
		{ 200, "application/json", "{\"page\":{\"offset\":0,\"tot",
		  "HTTP 200: truncated or malformed JSON (24 bytes): "
		  "{\"page\":{\"offset\":0,\"tot" },
		{ 200, "application/json", "[]",
		  "not a Control Room user list (needs page.totalFilter and a "
		  "list)" },
		{ 200, "application/json", "{\"list\":[]}",
		  "not a Control Room user list (needs page.totalFilter and a "
		  "list)" },
		{ 200, "application/json",
		  "{\"page\":{\"offset\":0,\"totalFilter\":\"3\"},\"list\":[]}",
		  "not a Control Room user list (needs page.totalFilter and a "
		  "list)" },
		{ 200, "application/json",
		  "{\"page\":{\"offset\":0,\"totalFilter\":3},\"list\":{}}",
		  "not a Control Room user list (needs page.totalFilter and a "
		  "list)" },
		{ 200, "application/json",
		  "{\"page\":{\"offset\":0,\"totalFilter\":3}}",
		  "not a Control Room user list (needs page.totalFilter and a "
		  "list)" },
		/* a server ignoring the offset would repeat the first page */
		{ 200, "application/json",
		  "{\"page\":{\"offset\":100,\"totalFilter\":3},\"list\":[]}",
		  "asked for the page at offset 0, the answer is for offset "
		  "100" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":\"15\"}]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":1},"
		  "{\"username\":\"x\"}]}",
		  "user 1 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":1.5}]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":1,"
		  "\"disabled\":\"false\"}]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":1,"
		  "\"deleted\":1}]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[{\"id\":1,"
		  "\"email\":[\"a@b\"]}]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 200, "application/json",
		  "{\"page\":{\"totalFilter\":3},\"list\":[7]}",
		  "user 0 of the page is malformed (needs an integer id; "
		  "username, email and names must be strings, disabled and "
		  "deleted booleans)" },
		{ 401, "application/json",
		  "{\"code\":\"UNAUTHORIZED\",\"message\":\"Unauthorized\"}",
		  "HTTP 401: {\"code\":\"UNAUTHORIZED\",\"message\":"
		  "\"Unauthorized\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_delete_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 200, "application/json",
		  "{\"id\":15,\"email\":\"aa@aa.com\",\"username\":"
		  "\"docbotusermd4\",\"deleted\":false,\"disabled\":false}",
		  OUTCOME_DELETED, "" },
		{ 204, NULL, "", OUTCOME_DELETED, "" },
		{ 200, "text/html", "<html>Sign in</html>", OUTCOME_FAILED,
		  "unexpected answer, the user may or may not be deleted: HTTP "
		  "200: <html>Sign in</html>" },
		{ 200, "application/json", "{\"id\":15,\"em", OUTCOME_FAILED,
		  "unexpected answer, the user may or may not be deleted: HTTP "
		  "200: truncated or malformed JSON (12 bytes): {\"id\":15,"
		  "\"em" },
		{ 404, "application/json",
		  "{\"code\":\"NOT_FOUND\",\"message\":\"User not found\"}",
		  OUTCOME_ABSENT,
		  "HTTP 404: {\"code\":\"NOT_FOUND\",\"message\":\"User not "
		  "found\"}" },
		{ 400, "application/json",
		  "{\"message\":\"This user cannot be deleted\"}",
		  OUTCOME_BLOCKED,
		  "HTTP 400: {\"message\":\"This user cannot be deleted\"}" },
		{ 409, "application/json", "{\"message\":\"in use\"}",
		  OUTCOME_BLOCKED, "HTTP 409: {\"message\":\"in use\"}" },
		{ 403, "application/json", "{\"message\":\"Forbidden\"}",
		  OUTCOME_FAILED, "HTTP 403: {\"message\":\"Forbidden\"}" },
		{ 500, "text/plain", "boom", OUTCOME_FAILED, "HTTP 500: boom" },
	};

	vt_expect_outcomes(*state, "15", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_authentication, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_refresh_then_credentials,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_bad_authentication_answers,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_auto_probes_v2_then_v1,
						setup_auto, vt_teardown),
		cmocka_unit_test_setup_teardown(test_auto_keeps_the_v2_login,
						setup_auto, vt_teardown),
		cmocka_unit_test_setup_teardown(test_api_key_and_v2,
						setup_key_v2, vt_teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcomes, setup,
						vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
