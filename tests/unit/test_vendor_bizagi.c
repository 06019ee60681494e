/*
 * The Bizagi connector against recorded answers: the token request, SCIM
 * listing and deactivation, and the MassUserDeletion step.
 */
#include "tests/unit/vendortest.h"

#define YAML(auth, opts)                                                       \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: bz\n"                                                       \
	"    vendor: bizagi\n"                                                 \
	"    url: https://test-myproject-acme.bizagi.com\n"                    \
	"    auth: { type: oauth2, client_id: \"${env:VT_USER}\", "            \
	"client_secret: \"${env:VT_SECRET}\"" auth " }\n"                      \
	"    options: { " opts " }\n"                                          \
	"    keep: [x]\n"

#define BASE "https://test-myproject-acme.bizagi.com"

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_USER", "client-1", 1);
	setenv("VT_SECRET", "s3cr&t", 1);
	setenv("VT_TOKEN_URL", "https://login.acme.example/token", 1);
	return vt_setup(state, yaml);
}

static int setup(void **state)
{
	return setup_with(state, YAML("", "environment: test"));
}

static int setup_bearer(void **state)
{
	setenv("VT_TOKEN", "static-token", 1);
	return vt_setup(
		state,
		"version: 1\n"
		"tenants:\n"
		"  - name: bz\n"
		"    vendor: bizagi\n"
		"    url: https://test-myproject-acme.bizagi.com\n"
		"    auth: { type: bearer, token: \"${env:VT_TOKEN}\" }\n"
		"    keep: [x]\n");
}

static int setup_scope(void **state)
{
	return setup_with(state, YAML(", scope: \"api offline\", token_url: "
				      "\"${env:VT_TOKEN_URL}\"",
				      "environment: development"));
}

static void test_token_request(void **state)
{
	struct vt *t = *state;
	struct http_request *r = t->s.v->auth_request(&t->s);
	char *basic = base64_encode("client-1:s3cr&t", 15);
	char want[128];

	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url, BASE "/oauth2/server/token");
	assert_true(r->is_auth);
	snprintf(want, sizeof(want), "Authorization: Basic %s", basic);
	assert_true(vt_has_header(r, want));
	assert_true(vt_has_header(
		r, "Content-Type: application/x-www-form-urlencoded"));
	/* the credentials travel in the header only */
	assert_string_equal(r->body, "grant_type=client_credentials&scope=api");
	assert_int_equal(r->body_len, strlen(r->body));
	free(basic);
	http_request_free(r);
}

static void test_token_request_scope_and_url(void **state)
{
	struct vt *t = *state;
	struct http_request *r = t->s.v->auth_request(&t->s);

	assert_string_equal(r->url, "https://login.acme.example/token");
	assert_string_equal(
		r->body, "grant_type=client_credentials&scope=api%20offline");
	http_request_free(r);
}

static void test_token_answers(void **state)
{
	static const struct {
		long status;
		const char *ct, *body, *msg;
	} bad[] = {
		/* refusals say what the OAuth application needs */
		{ 401, "application/json", "{\"error\":\"invalid_client\"}",
		  "HTTP 401: {\"error\":\"invalid_client\"}: check "
		  "auth.client_id and auth.client_secret; the OAuth "
		  "application needs the allowed scope \"API and USER SYNC\"" },
		{ 403, "application/json", "{\"error\":\"invalid_scope\"}",
		  "HTTP 403: {\"error\":\"invalid_scope\"}: check "
		  "auth.client_id and auth.client_secret; the OAuth "
		  "application needs the allowed scope \"API and USER SYNC\"" },
		{ 400, "application/json",
		  "{\"error\":\"unsupported_grant_type\"}",
		  "HTTP 400: {\"error\":\"unsupported_grant_type\"}" },
		{ 200, "text/html", "<html><body>Bizagi login</body></html>",
		  "HTTP 200: not JSON (text/html): <html><body>Bizagi "
		  "login</body></html>" },
		{ 200, "application/json", "{\"access_token\":\"ab",
		  "HTTP 200: truncated or malformed JSON (19 bytes): "
		  "{\"access_token\":\"ab" },
		{ 200, "application/json", "{\"token_type\":\"Bearer\"}",
		  "the token answer has no access_token" },
		{ 200, "application/json", "{\"access_token\":12}",
		  "the token answer has no access_token" },
		{ 200, "application/json", "{\"access_token\":\"\"}",
		  "the token answer has no access_token" },
	};
	struct vt *t = *state;
	struct http_response r = vt_answer(
		200, "application/json",
		"{\"access_token\":\"at-1\",\"token_type\":\"Bearer\","
		"\"expires_in\":3600}");
	double now = clock_mono();
	struct err e;
	size_t i;

	assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "at-1");
	assert_true(t->s.expires_at >= now + 3599 - 30);
	assert_true(t->s.expires_at <= clock_mono() + 3600);
	/* no client-credentials user: no caller */
	assert_null(t->s.caller);
	/* Bearer, the session's default */
	assert_null(t->s.v->auth_header);
	/* expires_in of the wrong type: no known end (a 401 renews) */
	r = vt_answer(200, "application/json",
		      "{\"access_token\":\"at-2\",\"expires_in\":\"3600\"}");
	assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.access_token, "at-2");
	assert_true(t->s.expires_at == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = vt_answer(bad[i].status, bad[i].ct, bad[i].body);
		assert_int_equal(t->s.v->auth_response(&t->s, &r, &e), -1);
		assert_string_equal(e.msg, bad[i].msg);
	}
}

static void test_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 500, 500, NULL };
	struct plan_user u = vt_planned("5c2d1e0f-aaaa-4bbb-8ccc-0123456789ab");
	const struct plan_user *list[] = { &u };
	struct http_request *r;

	/* SCIM is 1-based */
	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url,
			    BASE "/scim/v2/Users?startIndex=501&count=500");
	http_request_free(r);
	r = v->delete_request(&t->s, list, 1);
	assert_string_equal(r->method, "DELETE");
	assert_string_equal(r->url,
			    BASE "/scim/v2/Users/"
				 "5c2d1e0f-aaaa-4bbb-8ccc-0123456789ab");
	assert_null(r->body);
	assert_false(r->no_retry);
	http_request_free(r);
	assert_int_equal(v->paging, PAGE_OFFSET_TOTAL);
	assert_true(v->page_size <= 500);
	assert_true(v->inactive_is_final);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 500, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"ListResponse\"],\"totalResults\":1203,\"startIndex\":1,"
		"\"itemsPerPage\":2,\"Resources\":["
		"{\"id\":\"g-1\",\"userName\":\"domain\\\\jdoe\",\"name\":{"
		"\"formatted\":\"John Doe\"},\"emails\":[{\"value\":"
		"\"jdoe@acme.example\",\"primary\":true}],\"active\":true},"
		"{\"id\":\"g-2\",\"userName\":\"old\",\"active\":false}]}");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 2);
	assert_int_equal(pr.total, 1203);
	u = userstore_find(&t->users, "g-1");
	assert_string_equal(u->username, "domain\\jdoe");
	assert_string_equal(u->email, "jdoe@acme.example");
	assert_string_equal(u->name, "John Doe");
	assert_int_equal(u->status, STATUS_ACTIVE);
	/* deactivated: done for Bizagi (inactive_is_final) */
	assert_int_equal(userstore_find(&t->users, "g-2")->status,
			 STATUS_INACTIVE);
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html", "<!DOCTYPE html><p>Work Portal</p>",
		  "HTTP 200: not JSON (text/html): <!DOCTYPE html><p>Work "
		  "Portal</p>" },
		{ 200, "application/scim+json", "{\"totalResults\":3,\"Res",
		  "HTTP 200: truncated or malformed JSON (22 bytes): "
		  "{\"totalResults\":3,\"Res" },
		{ 200, "application/scim+json", "{\"Resources\":[]}",
		  "not a SCIM ListResponse (needs totalResults and a Resources "
		  "list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":\"3\",\"Resources\":[]}",
		  "not a SCIM ListResponse (needs totalResults and a Resources "
		  "list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":1,\"Resources\":[{\"id\":5}]}",
		  "user 0 of the page is malformed (needs an id; active must "
		  "be a boolean, emails a list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":1,\"Resources\":[{\"id\":\"a\",\"active\":"
		  "\"true\"}]}",
		  "user 0 of the page is malformed (needs an id; active must "
		  "be a boolean, emails a list)" },
		{ 500, "application/scim+json",
		  "{\"status\":\"500\",\"detail\":\"oops\"}",
		  "HTTP 500: {\"status\":\"500\",\"detail\":\"oops\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 500, NULL };
	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_delete_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 204, "application/scim+json", "", OUTCOME_DEACTIVATED, "" },
		{ 200, "application/scim+json", "{}", OUTCOME_DEACTIVATED, "" },
		{ 404, "application/scim+json",
		  "{\"status\":\"404\",\"detail\":\"Resource not found\"}",
		  OUTCOME_ABSENT,
		  "HTTP 404: {\"status\":\"404\",\"detail\":\"Resource not "
		  "found\"}" },
		{ 400, "application/scim+json",
		  "{\"status\":\"400\",\"detail\":\"cannot\"}", OUTCOME_BLOCKED,
		  "HTTP 400: {\"status\":\"400\",\"detail\":\"cannot\"}" },
		{ 500, "application/scim+json", "{\"status\":\"500\"}",
		  OUTCOME_FAILED, "HTTP 500: {\"status\":\"500\"}" },
		/* the 403 says what it likely means */
		{ 403, "application/scim+json",
		  "{\"status\":\"403\",\"detail\":\"Forbidden\"}",
		  OUTCOME_FAILED,
		  "Bizagi refused the deactivation: the environment is "
		  "Production, where users cannot be deleted, or the client "
		  "may "
		  "not manage users (HTTP 403: "
		  "{\"status\":\"403\",\"detail\":\"Forbidden\"})" },
	};

	vt_expect_outcomes(*state, "g-1", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

static void test_mass_user_deletion_step(void **state)
{
	static const struct {
		long status;
		const char *ct, *body;
		int rc;
		const char *detail;
	} cases[] = {
		{ 200, "text/plain",
		  "Operation successful. Total users deleted: 12", 0,
		  "Operation successful. Total users deleted: 12" },
		/* as a JSON string, with a newline */
		{ 200, "application/json",
		  "\"Operation successful. Total users deleted: 0\"\n", 0,
		  "Operation successful. Total users deleted: 0" },
		{ 200, "text/html", "<html>Sign in</html>", -1,
		  "unexpected answer, users may or may not have been deleted: "
		  "HTTP 200: <html>Sign in</html>" },
		{ 403, "text/plain",
		  "Mass user deletion is not available: the environment is "
		  "Production.",
		  -1,
		  "refused: the environment is Production, where users cannot "
		  "be deleted (set options.environment: production); nothing "
		  "more is sent for this tenant (HTTP 403: Mass user deletion "
		  "is not available: the environment is Production.)" },
		{ 500, "text/plain", "Object reference not set", -1,
		  "failed, users may or may not have been deleted: HTTP 500: "
		  "Object reference not set" },
	};
	struct vt *t = *state;
	struct http_request *req = t->s.v->post_request(&t->s);
	struct http_response r;
	char detail[512];
	size_t i;

	assert_string_equal(req->method, "DELETE");
	assert_string_equal(req->url, BASE "/Rest/Users/MassUserDeletion");
	/* not idempotent in effect: never sent twice */
	assert_true(req->no_retry);
	assert_null(req->body);
	http_request_free(req);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = vt_answer(cases[i].status, cases[i].ct, cases[i].body);
		detail[0] = '\0';
		assert_int_equal(t->s.v->post_response(&t->s, &r, detail,
						       sizeof(detail)),
				 cases[i].rc);
		assert_string_equal(detail, cases[i].detail);
	}
	/* no answer at all */
	memset(&r, 0, sizeof(r));
	r.body = (char *)"";
	snprintf(r.error, sizeof(r.error), "Operation timed out");
	assert_int_equal(
		t->s.v->post_response(&t->s, &r, detail, sizeof(detail)), -1);
	assert_string_equal(detail, "failed, users may or may not have been "
				    "deleted: Operation timed out");
}

/* What a failed listing answer likely means, in Bizagi's words. */
static void test_list_hints(void **state)
{
	struct vt *t = *state;
	struct http_response r = vt_answer(
		404, "text/html", "<html><body>Not Found</body></html>");
	const char *hint = t->s.v->list_hint(&t->s, &r);

	assert_string_equal(hint, "SCIM is available only on Bizagi Automation "
				  "Service (cloud) or Automation Server with "
				  "an SQL database");
	r = vt_answer(403, "application/json", "{}");
	assert_string_equal(t->s.v->list_hint(&t->s, &r),
			    "the OAuth application needs the allowed scope "
			    "\"API and USER SYNC\"");
	r = vt_answer(500, "application/json", "{}");
	assert_null(t->s.v->list_hint(&t->s, &r));
}

/* a static bearer token ("Bearer token" grant with lifetime 0) */
static void test_bearer(void **state)
{
	struct vt *t = *state;
	struct http_response r = vt_answer(401, "application/json", "{}");

	assert_int_equal(t->c.tenants[0].auth.type, AUTH_BEARER);
	assert_string_equal(t->s.token, "static-token");
	assert_string_equal(t->s.v->list_hint(&t->s, &r),
			    "check auth.token: its OAuth application needs "
			    "the allowed scope \"API and USER SYNC\"");
}

/* plan_tenant for a tenant with these options. */
/* keep says whether the tenant keeps anyone (YAML keeps x). */
static void plan_with(const char *opts, bool keep, struct plan *p)
{
	char yaml[1024], *at;
	struct config c;

	snprintf(yaml, sizeof(yaml), YAML("", "%s"), opts);
	at = strstr(yaml, "keep: [x]");
	if (!keep)
		memcpy(at, "keep: [ ]", 9);
	load_config(&c, yaml, NULL);
	plan_init(p);
	c.tenants[0].vendor->plan_tenant(&c.tenants[0], plan_add_tenant(p));
	config_release(&c);
}

static void test_plan_tenant(void **state)
{
	struct plan p;
	const struct tenant_plan *tp;

	(void)state;
	plan_with("environment: test", true, &p);
	tp = &p.tenants[0];
	assert_false(tp->mass_deletion);
	assert_int_equal(tp->nguards, 0);
	plan_release(&p);

	plan_with("environment: test, mass_user_deletion: true", false, &p);
	tp = &p.tenants[0];
	assert_true(tp->mass_deletion);
	assert_false(tp->refused);
	assert_int_equal(tp->nguards, 1);
	assert_string_equal(tp->guards[0].name, "mass_user_deletion");
	assert_false(tp->guards[0].tripped);
	assert_string_equal(tp->guards[0].detail,
			    "after the deactivations, MassUserDeletion "
			    "deletes every user without references in this "
			    "test environment, listed or not");
	plan_release(&p);

	plan_with("environment: production, mass_user_deletion: true", false,
		  &p);
	tp = &p.tenants[0];
	assert_true(tp->mass_deletion);
	assert_true(tp->refused);
	assert_true(tp->guards[0].tripped);
	assert_string_equal(tp->guards[0].detail,
			    "options.mass_user_deletion is true but "
			    "options.environment is production: Bizagi "
			    "refuses MassUserDeletion in production, and "
			    "userprune never sends it there");
	plan_release(&p);

	/* production is the default */
	plan_with("mass_user_deletion: true", false, &p);
	assert_true(p.tenants[0].refused);
	plan_release(&p);

	/* kept users would go too: refused while anyone is kept */
	plan_with("environment: test, mass_user_deletion: true", true, &p);
	tp = &p.tenants[0];
	assert_true(tp->refused);
	assert_non_null(
		strstr(tp->guards[0].detail, "kept and protected ones too"));
	plan_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_request, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(
			test_token_request_scope_and_url, setup_scope,
			vt_teardown),
		cmocka_unit_test_setup_teardown(test_token_answers, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcomes, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_mass_user_deletion_step,
						setup, vt_teardown),
		cmocka_unit_test(test_plan_tenant),
		cmocka_unit_test_setup_teardown(test_list_hints, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_bearer, setup_bearer,
						vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
