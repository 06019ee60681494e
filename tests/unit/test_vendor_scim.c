/*
 * The SCIM 2.0 connector against recorded answers.
 */
#include "tests/unit/vendortest.h"

#define YAML(opts)                                                             \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: app\n"                                                      \
	"    vendor: scim\n"                                                   \
	"    url: https://api.example.com/scim/v2\n"                           \
	"    auth: { type: bearer, token: \"${env:VT_SECRET}\" }\n"            \
	"    options: { " opts " }\n"                                          \
	"    limits: { batch_size: 50 }\n"                                     \
	"    keep: [x]\n"

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_SECRET", "tok", 1);
	return vt_setup(state, yaml);
}

static int setup(void **state)
{
	return setup_with(state, YAML("use_bulk: auto"));
}

static int setup_never(void **state)
{
	return setup_with(state, YAML("use_bulk: never"));
}

static int setup_deactivate(void **state)
{
	return setup_with(state, YAML("delete_method: deactivate"));
}

static int setup_outcome(void **state)
{
	return setup_with(state, YAML("delete_outcome: deactivated"));
}

static const char spc_bulk[] =
	"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:"
	"ServiceProviderConfig\"],\"bulk\":{\"supported\":true,"
	"\"maxOperations\":20,\"maxPayloadSize\":1048576},"
	"\"filter\":{\"supported\":true,\"maxResults\":200}}";

static void test_requests(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page pg = { 200, 100, NULL };
	struct http_request *r;

	r = v->discover_request(&t->s);
	assert_string_equal(r->url, "https://api.example.com/scim/v2/"
				    "ServiceProviderConfig");
	http_request_free(r);
	r = v->caller_request(&t->s);
	assert_string_equal(r->url, "https://api.example.com/scim/v2/Me");
	http_request_free(r);
	/* SCIM is 1-based */
	r = v->list_request(&t->s, &pg);
	assert_string_equal(r->url, "https://api.example.com/scim/v2/Users?"
				    "startIndex=201&count=100");
	http_request_free(r);
	assert_int_equal(v->paging, PAGE_OFFSET_TOTAL);
}

static void test_bulk_from_discovery(void **state)
{
	struct vt *t = *state;
	struct http_response r =
		vt_answer(200, "application/scim+json", spc_bulk);
	struct plan_user a = vt_planned("id-1"), b = vt_planned("id/2");
	const struct plan_user *list[] = { &a, &b };
	struct http_request *req;
	cJSON *body;
	const cJSON *ops;

	t->s.v->discover_response(&t->s, &r);
	/* the smaller of batch_size (50) and maxOperations (20) */
	assert_int_equal(t->s.batch, 20);
	req = t->s.v->delete_request(&t->s, list, 2);
	assert_string_equal(req->method, "POST");
	assert_string_equal(req->url, "https://api.example.com/scim/v2/Bulk");
	assert_true(vt_has_header(req, "Content-Type: application/json"));
	body = cJSON_Parse(req->body);
	ops = cJSON_GetObjectItem(body, "Operations");
	assert_int_equal(cJSON_GetArraySize(ops), 2);
	assert_string_equal(json_str(cJSON_GetArrayItem(ops, 1), "path"),
			    "/Users/id%2F2");
	assert_string_equal(json_str(cJSON_GetArrayItem(ops, 0), "method"),
			    "DELETE");
	cJSON_Delete(body);
	http_request_free(req);
	/* without the endpoint: single deletes */
	r = vt_answer(404, "application/json", "{}");
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.batch, 1);
	req = t->s.v->delete_request(&t->s, list, 1);
	assert_string_equal(req->method, "DELETE");
	assert_string_equal(req->url,
			    "https://api.example.com/scim/v2/Users/id-1");
	http_request_free(req);
}

static void test_use_bulk_never(void **state)
{
	struct vt *t = *state;
	struct http_response r =
		vt_answer(200, "application/scim+json", spc_bulk);

	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.batch, 1);
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"ListResponse\"],\"totalResults\":250,\"startIndex\":1,"
		"\"itemsPerPage\":3,\"Resources\":["
		"{\"id\":\"u1\",\"userName\":\"alice\",\"displayName\":"
		"\"Alice\","
		"\"emails\":[{\"value\":\"a@home.example\"},{\"value\":"
		"\"alice@acme.example\",\"primary\":true}],\"active\":true},"
		"{\"id\":\"u2\",\"userName\":\"bob\",\"name\":{\"formatted\":"
		"\"Bob B\"},\"emails\":[{\"value\":\"bob@acme.example\"}],"
		"\"active\":false},"
		"{\"id\":\"u3\",\"userName\":\"carol\"}]}");
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 3);
	assert_int_equal(pr.total, 250);
	u = userstore_find(&t->users, "u1");
	assert_string_equal(u->email, "alice@acme.example");
	assert_string_equal(u->username, "alice");
	assert_string_equal(u->name, "Alice");
	u = userstore_find(&t->users, "u2");
	assert_string_equal(u->email, "bob@acme.example");
	assert_string_equal(u->name, "Bob B");
	assert_int_equal(u->status, STATUS_INACTIVE);
	u = userstore_find(&t->users, "u3");
	assert_null(u->email);
	assert_int_equal(u->status, STATUS_ACTIVE);
	/* no users: Resources may be left out */
	r = vt_answer(200, "application/scim+json",
		      "{\"totalResults\":0,\"itemsPerPage\":0}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 0);
	assert_int_equal(pr.total, 0);
}

/* RFC 7643 2.1: attribute names are case-insensitive; Okta's are lower */
static void test_names_case_insensitive(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"ListResponse\"],\"totalresults\":2,\"startindex\":1,"
		"\"itemsperpage\":2,\"resources\":["
		"{\"ID\":\"u1\",\"USERNAME\":\"alice\",\"DisplayName\":"
		"\"Alice\",\"Emails\":[{\"VALUE\":\"a@home.example\"},"
		"{\"Value\":\"alice@acme.example\",\"Primary\":true}],"
		"\"ACTIVE\":false},"
		"{\"id\":\"u2\",\"NAME\":{\"Formatted\":\"Bob B\"}}]}");
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2");
	const struct plan_user *list[] = { &a, &b };
	struct delete_result out[2];
	struct err e;
	const struct user *u;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	assert_int_equal(pr.count, 2);
	assert_int_equal(pr.total, 2);
	u = userstore_find(&t->users, "u1");
	assert_string_equal(u->username, "alice");
	assert_string_equal(u->name, "Alice");
	assert_string_equal(u->email, "alice@acme.example");
	assert_int_equal(u->status, STATUS_INACTIVE);
	assert_string_equal(userstore_find(&t->users, "u2")->name, "Bob B");
	/* discovery */
	r = vt_answer(200, "application/scim+json",
		      "{\"BULK\":{\"Supported\":true,\"maxoperations\":20}}");
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.batch, 20);
	/* the caller */
	r = vt_answer(200, "application/scim+json", "{\"Id\":\"me\"}");
	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.caller, "me");
	/* a bulk answer */
	r = vt_answer(200, "application/scim+json",
		      "{\"operations\":[{\"BulkId\":\"d0\",\"Status\":\"204\"},"
		      "{\"bulkid\":\"d1\",\"STATUS\":\"404\"}]}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 2, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_DELETED);
	assert_int_equal(out[1].outcome, OUTCOME_ABSENT);
}

/* every address of emails[] is the user's; the primary one is shown */
static void test_several_emails(void **state)
{
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"totalResults\":4,\"Resources\":["
		/* a non-primary address listed first */
		"{\"id\":\"u1\",\"emails\":[{\"value\":\"a@home.example\","
		"\"type\":\"home\"},{\"value\":\"alice@acme.example\","
		"\"primary\":true},{\"value\":\"ALICE@acme.example\"},"
		"{\"value\":\"\"},{\"type\":\"other\"},\"x@y\","
		"{\"value\":\"a.s@old.example\",\"primary\":true}]},"
		/* no primary: the first is shown */
		"{\"id\":\"u2\",\"emails\":[{\"value\":\"b1@x.example\"},"
		"{\"value\":\"b2@x.example\",\"primary\":false}]},"
		/* one address: no more */
		"{\"id\":\"u3\",\"emails\":[{\"value\":\"c@x.example\"}]},"
		"{\"id\":\"u4\",\"emails\":[]}]}");
	struct err e;
	const struct user *u;
	char want[65], got[65];
	struct user plain;

	assert_int_equal(
		t->s.v->list_response(&t->s, &pg, &r, &t->users, &pr, &e), 0);
	u = userstore_find(&t->users, "u1");
	assert_string_equal(u->email, "alice@acme.example");
	/* the others in order; the shown one (in any case) not again */
	assert_memory_equal(u->more_emails, "a@home.example\0a.s@old.example\0",
			    sizeof("a@home.example\0a.s@old.example\0"));
	/* the fingerprint is the shown address's, as before */
	memset(&plain, 0, sizeof(plain));
	plain.id = u->id;
	plain.email = u->email;
	user_fingerprint(&plain, want);
	user_fingerprint(u, got);
	assert_string_equal(want, got);
	u = userstore_find(&t->users, "u2");
	assert_string_equal(u->email, "b1@x.example");
	assert_string_equal(u->more_emails, "b2@x.example");
	u = userstore_find(&t->users, "u3");
	assert_string_equal(u->email, "c@x.example");
	assert_null(u->more_emails);
	u = userstore_find(&t->users, "u4");
	assert_null(u->email);
	assert_null(u->more_emails);
}

/* userType is free text: people are human, services apps, else unknown */
static void test_user_types(void **state)
{
	static const struct {
		const char *json; /* the member, or "" for none */
		enum user_type type;
	} cases[] = {
		{ "", USER_HUMAN },
		{ ",\"userType\":null", USER_HUMAN },
		{ ",\"userType\":\"\"", USER_HUMAN },
		{ ",\"userType\":\" Employee \"", USER_HUMAN },
		{ ",\"userType\":\"HUMAN\"", USER_HUMAN },
		{ ",\"UserType\":\"user\"", USER_HUMAN },
		{ ",\"userType\":\"ServiceAccount\"", USER_APP },
		{ ",\"userType\":\"service_principal\"", USER_APP },
		{ ",\"userType\":\"Bot\"", USER_APP },
		{ ",\"userType\":\"robot\"", USER_APP },
		{ ",\"userType\":\"Application\"", USER_APP },
		{ ",\"userType\":\"app\"", USER_APP },
		{ ",\"userType\":\"AppAccount\"", USER_APP },
		{ ",\"userType\":\"Contractor\"", USER_UNKNOWN },
		{ ",\"userType\":\"Guest\"", USER_UNKNOWN },
		{ ",\"userType\":\"happy\"", USER_UNKNOWN },
		{ ",\"userType\":\"Apple\"", USER_UNKNOWN },
		{ ",\"userType\":7", USER_UNKNOWN },
	};
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct page_result pr = { .total = -1 };
		char body[512], id[16];
		struct http_response r;
		struct err e;

		snprintf(id, sizeof(id), "t%zu", i);
		snprintf(body, sizeof(body),
			 "{\"totalResults\":1,\"Resources\":[{\"id\":\"%s\""
			 "%s}]}",
			 id, cases[i].json);
		r = vt_answer(200, "application/scim+json", body);
		assert_int_equal(t->s.v->list_response(&t->s, &pg, &r,
						       &t->users, &pr, &e),
				 0);
		if (userstore_find(&t->users, id)->type != cases[i].type)
			fail_msg("%s: type %s, not %s", cases[i].json,
				 user_type_name(
					 userstore_find(&t->users, id)->type),
				 user_type_name(cases[i].type));
	}
}

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html", "<html><body>Sign in</body></html>",
		  "HTTP 200: not JSON (text/html): <html><body>Sign "
		  "in</body></html>" },
		{ 200, "application/scim+json", "{\"Resources\":[]}",
		  "not a SCIM ListResponse (needs totalResults and a Resources "
		  "list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":1,\"Resources\":{}}",
		  "not a SCIM ListResponse (needs totalResults and a Resources "
		  "list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":1,\"Resources\":[{\"userName\":\"x\"}]}",
		  "user 0 of the page is malformed (needs an id; active must "
		  "be "
		  "a boolean, emails a list)" },
		{ 200, "application/scim+json",
		  "{\"totalResults\":1,\"Resources\":[{\"id\":\"x\","
		  "\"active\":\"false\"}]}",
		  "user 0 of the page is malformed (needs an id; active must "
		  "be "
		  "a boolean, emails a list)" },
		{ 200, "application/scim+json", "{\"totalResults\":1,\"Reso",
		  "HTTP 200: truncated or malformed JSON (23 bytes): "
		  "{\"totalResults\":1,\"Reso" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };

	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Servers echo wrong startIndex and itemsPerPage (0 and 0 in Okta's
 * sample): the listing keeps its own offset, so they are not read.
 */
static void test_echoed_index_ignored(void **state)
{
	struct vt *t = *state;
	struct page later = { 200, 100, NULL };
	struct page_result pr = { .total = -1 };
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"totalResults\":300,\"startIndex\":0,\"itemsPerPage\":0,"
		"\"Resources\":[{\"id\":\"u201\"},{\"id\":\"u202\"}]}");
	struct err e;

	assert_int_equal(
		t->s.v->list_response(&t->s, &later, &r, &t->users, &pr, &e),
		0);
	assert_int_equal(pr.count, 2);
	assert_int_equal(pr.total, 300);
	assert_non_null(userstore_find(&t->users, "u202"));
	/* echoing another index is no error either: list.c judges pages */
	r = vt_answer(200, "application/scim+json",
		      "{\"totalResults\":300,\"startIndex\":1,\"Resources\":"
		      "[{\"id\":\"u1\"}]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &later, &r, &t->users, &pr, &e),
		0);
	assert_int_equal(pr.count, 1);
}

static void test_caller(void **state)
{
	struct vt *t = *state;
	struct http_response r = vt_answer(501, "application/scim+json", "{}");
	struct err e;

	/* /Me is optional: not offered means unknown, not an error */
	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), 0);
	assert_null(t->s.caller);
	r = vt_answer(200, "application/scim+json",
		      "{\"id\":\"me\",\"userName\":\"svc\"}");
	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), 0);
	assert_string_equal(t->s.caller, "me");
	r = vt_answer(401, "application/scim+json", "{\"detail\":\"no\"}");
	assert_int_equal(t->s.v->caller_response(&t->s, &r, &e), -1);
}

static void test_bulk_outcomes(void **state)
{
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2"),
			 c = vt_planned("u3"), d = vt_planned("u4");
	const struct plan_user *list[] = { &a, &b, &c, &d };
	struct delete_result out[4];
	/* by bulkId, by location, a number status; u4 not answered */
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"BulkResponse\"],\"Operations\":["
		"{\"method\":\"DELETE\",\"bulkId\":\"d0\",\"status\":\"204\"},"
		"{\"method\":\"DELETE\",\"location\":\"https://x/Users/u2\","
		"\"status\":\"404\"},"
		"{\"method\":\"DELETE\",\"bulkId\":\"d2\",\"status\":409}]}");

	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 4, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_DELETED);
	assert_int_equal(out[1].outcome, OUTCOME_ABSENT);
	assert_int_equal(out[2].outcome, OUTCOME_BLOCKED);
	assert_int_equal(out[3].outcome, OUTCOME_FAILED);
	assert_string_equal(out[3].detail,
			    "bulk answer has no status for this user");
	/* a refused bulk request: nobody is known to be gone */
	r = vt_answer(413, "application/scim+json", "{\"status\":\"413\"}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 4, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_FAILED);
	assert_int_equal(out[3].outcome, OUTCOME_FAILED);
}

static void test_single_outcomes(void **state)
{
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1");
	const struct plan_user *list[] = { &a };
	struct delete_result out;
	struct http_response r = vt_answer(204, NULL, "");

	t->s.v->delete_response(&t->s, list, 1, &r, &out);
	assert_int_equal(out.outcome, OUTCOME_DELETED);
	r = vt_answer(404, "application/scim+json",
		      "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		      "Error\"],\"status\":\"404\",\"detail\":\"Resource u1 "
		      "not found\"}");
	t->s.v->delete_response(&t->s, list, 1, &r, &out);
	assert_int_equal(out.outcome, OUTCOME_ABSENT);
	assert_non_null(strstr(out.detail, "HTTP 404"));
}

/* 405 and 501: the server has no DELETE; the blocked user says why */
static void test_no_delete_is_blocked_with_the_hint(void **state)
{
	static const char hint[] =
		"set options.delete_method: deactivate to deactivate them "
		"with PATCH instead";
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2");
	const struct plan_user *list[] = { &a, &b };
	struct delete_result out[2];
	struct http_response r = vt_answer(
		405, "application/scim+json",
		"{\"status\":\"405\",\"detail\":\"Method Not Allowed\"}");

	assert_false(t->s.v->deactivates(&t->c.tenants[0]));
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 1, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_BLOCKED);
	assert_int_equal(out[0].status, 405);
	assert_true(out[0].stop_tenant);
	assert_non_null(strstr(out[0].detail, hint));
	assert_non_null(strstr(out[0].detail, "HTTP 405"));
	r = vt_answer(501, "application/scim+json", "{\"status\":\"501\"}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 1, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_BLOCKED);
	assert_non_null(strstr(out[0].detail, hint));
	/* the same for a Bulk operation */
	r = vt_answer(200, "application/scim+json",
		      "{\"Operations\":[{\"bulkId\":\"d0\",\"status\":\"405\"},"
		      "{\"bulkId\":\"d1\",\"status\":\"204\"}]}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 2, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_BLOCKED);
	assert_non_null(strstr(out[0].detail, hint));
	assert_int_equal(out[1].outcome, OUTCOME_DELETED);
}

/* delete_method: deactivate: PATCH active false, one user at a time */
static void test_delete_method_deactivate(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 200, "application/scim+json",
		  "{\"id\":\"u1\",\"active\":false}", OUTCOME_DEACTIVATED, "" },
		{ 204, NULL, "", OUTCOME_DEACTIVATED, "" },
		{ 404, "application/scim+json", "{\"status\":\"404\"}",
		  OUTCOME_ABSENT, "HTTP 404: {\"status\":\"404\"}" },
		{ 405, "application/scim+json", "{\"status\":\"405\"}",
		  OUTCOME_BLOCKED,
		  "the server does not deactivate users with PATCH (HTTP 405: "
		  "{\"status\":\"405\"}): set options.delete_method: delete" },
	};
	struct vt *t = *state;
	struct http_response r =
		vt_answer(200, "application/scim+json", spc_bulk);
	struct plan_user a = vt_planned("u/1");
	const struct plan_user *list[] = { &a };
	struct http_request *req;

	assert_true(t->s.v->deactivates(&t->c.tenants[0]));
	/* Bulk is offered, but deactivations go singly */
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.batch, 1);
	req = t->s.v->delete_request(&t->s, list, 1);
	assert_string_equal(req->method, "PATCH");
	assert_string_equal(req->url,
			    "https://api.example.com/scim/v2/Users/u%2F1");
	assert_string_equal(
		req->body,
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"PatchOp\"],\"Operations\":[{\"op\":\"replace\",\"path\":"
		"\"active\",\"value\":false}]}");
	http_request_free(req);
	vt_expect_outcomes(t, "u1", cases, sizeof(cases) / sizeof(cases[0]));
}

/* delete_outcome: deactivated: a DELETE that deactivates (Slack) */
static void test_delete_outcome_deactivated(void **state)
{
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2");
	const struct plan_user *list[] = { &a, &b };
	struct delete_result out[2];
	struct http_response r = vt_answer(204, NULL, "");
	struct http_request *req;

	assert_true(t->s.v->deactivates(&t->c.tenants[0]));
	req = t->s.v->delete_request(&t->s, list, 1);
	assert_string_equal(req->method, "DELETE");
	http_request_free(req);
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 1, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_DEACTIVATED);
	r = vt_answer(200, "application/scim+json",
		      "{\"Operations\":[{\"bulkId\":\"d0\",\"status\":\"204\"},"
		      "{\"bulkId\":\"d1\",\"status\":\"404\"}]}");
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 2, &r, out);
	assert_int_equal(out[0].outcome, OUTCOME_DEACTIVATED);
	assert_int_equal(out[1].outcome, OUTCOME_ABSENT);
}

/* Bulk requests within maxPayloadSize, as they are written */
static void test_bulk_payload_limit(void **state)
{
	struct vt *t = *state;
	struct http_response r =
		vt_answer(200, "application/scim+json",
			  "{\"bulk\":{\"supported\":true,\"maxOperations\":50,"
			  "\"maxPayloadSize\":400}}");
	struct plan_user pu[12];
	const struct plan_user *list[12];
	char ids[12][40];
	struct http_request *req;
	size_t i, k;

	for (i = 0; i < 12; i++) {
		snprintf(ids[i], sizeof(ids[i]),
			 "5c2d1e0f-aaaa-4bbb-8ccc-%012zu", i);
		pu[i] = vt_planned(ids[i]);
		list[i] = &pu[i];
	}
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.batch, 50);
	k = t->s.v->delete_take(&t->s, list, 12);
	assert_true(k > 1 && k < 12);
	req = t->s.v->delete_request(&t->s, list, k);
	assert_true(req->body_len <= 400);
	http_request_free(req);
	/* one more would not fit */
	req = t->s.v->delete_request(&t->s, list, k + 1);
	assert_true(req->body_len > 400);
	http_request_free(req);
	/* a single user is always a single DELETE */
	assert_int_equal(t->s.v->delete_take(&t->s, list, 1), 1);
	/* no limit given: maxOperations and batch_size alone */
	r = vt_answer(200, "application/scim+json",
		      "{\"bulk\":{\"supported\":true,\"maxOperations\":50,"
		      "\"maxPayloadSize\":0}}");
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.v->delete_take(&t->s, list, 12), 12);
}

/* ids whose path needs percent-encoding go alone, never in Bulk */
static void test_encoded_ids_go_singly(void **state)
{
	struct vt *t = *state;
	struct http_response r =
		vt_answer(200, "application/scim+json", spc_bulk);
	struct plan_user a = vt_planned("id-1"), b = vt_planned("id-2"),
			 c = vt_planned("id/3"), d = vt_planned("..");
	const struct plan_user *list[] = { &a, &b, &c, &d };
	struct http_request *req;

	t->s.v->discover_response(&t->s, &r);
	/* the Bulk stops before the id that needs encoding */
	assert_int_equal(t->s.v->delete_take(&t->s, list, 4), 2);
	assert_int_equal(t->s.v->delete_take(&t->s, list + 2, 2), 1);
	assert_int_equal(t->s.v->delete_take(&t->s, list + 3, 1), 1);
	req = t->s.v->delete_request(&t->s, list + 2, 1);
	assert_string_equal(req->method, "DELETE");
	assert_string_equal(req->url,
			    "https://api.example.com/scim/v2/Users/id%2F3");
	http_request_free(req);
	req = t->s.v->delete_request(&t->s, list + 3, 1);
	assert_string_equal(req->url,
			    "https://api.example.com/scim/v2/Users/%2E%2E");
	http_request_free(req);
}

/* a 413 on a Bulk request: nothing was done, every user goes again */
static void test_bulk_413_resends(void **state)
{
	struct vt *t = *state;
	struct plan_user a = vt_planned("u1"), b = vt_planned("u2"),
			 c = vt_planned("u3");
	const struct plan_user *list[] = { &a, &b, &c };
	struct delete_result out[3];
	struct http_response r = vt_answer(
		413, "application/scim+json",
		"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
		"Error\"],\"status\":\"413\",\"detail\":\"The size of the "
		"bulk operation exceeds the maxPayloadSize (1048576).\"}");
	size_t i;

	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 3, &r, out);
	for (i = 0; i < 3; i++) {
		assert_true(out[i].resend);
		assert_int_equal(out[i].outcome, OUTCOME_FAILED);
		assert_int_equal(out[i].status, 413);
		assert_non_null(
			strstr(out[i].detail, "nothing in it was done"));
	}
	/* a single DELETE answered 413 is an answer like any other */
	memset(out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 1, &r, out);
	assert_false(out[0].resend);
	assert_int_equal(out[0].outcome, OUTCOME_FAILED);
}

/* RFC 9865: cursors when the server offers them */
static void test_cursor_paging(void **state)
{
	struct vt *t = *state;
	struct http_response r = vt_answer(
		200, "application/scim+json",
		"{\"pagination\":{\"cursor\":true,\"index\":true,"
		"\"defaultPaginationMethod\":\"cursor\",\"defaultPageSize\":50,"
		"\"maxPageSize\":200,\"cursorTimeout\":3600}}");
	struct page first = { 0, 1000, NULL }, later = { 0, 1000, "VZ+/=" };
	struct page_result pr = { .total = -1 };
	struct http_request *req;
	struct err e;

	assert_int_equal(t->s.paging, PAGE_OFFSET_TOTAL);
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.paging, PAGE_CURSOR);
	req = t->s.v->list_request(&t->s, &first);
	assert_string_equal(req->url, "https://api.example.com/scim/v2/Users?"
				      "cursor=&count=200");
	http_request_free(req);
	req = t->s.v->list_request(&t->s, &later);
	assert_string_equal(req->url, "https://api.example.com/scim/v2/Users?"
				      "cursor=VZ%2B%2F%3D&count=200");
	http_request_free(req);
	/* a page and the next cursor; the total is optional */
	r = vt_answer(200, "application/scim+json",
		      "{\"itemsPerPage\":2,\"nextCursor\":\"VZUTiy\","
		      "\"Resources\":[{\"id\":\"u1\"},{\"id\":\"u2\"}]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &first, &r, &t->users, &pr, &e),
		0);
	assert_int_equal(pr.count, 2);
	assert_int_equal(pr.total, -1);
	assert_string_equal(pr.next, "VZUTiy");
	free(pr.next);
	/* the last page has none (any case of the names) */
	pr = (struct page_result){ .total = -1 };
	r = vt_answer(200, "application/scim+json",
		      "{\"totalresults\":3,\"resources\":[{\"id\":\"u3\"}]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &later, &r, &t->users, &pr, &e),
		0);
	assert_null(pr.next);
	assert_int_equal(pr.total, 3);
	r = vt_answer(200, "application/scim+json",
		      "{\"nextcursor\":\"n2\",\"Resources\":[]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &later, &r, &t->users, &pr, &e),
		0);
	assert_string_equal(pr.next, "n2");
	free(pr.next);
	pr.next = NULL;
	r = vt_answer(200, "application/scim+json",
		      "{\"nextCursor\":7,\"Resources\":[]}");
	assert_int_equal(
		t->s.v->list_response(&t->s, &later, &r, &t->users, &pr, &e),
		-1);
	assert_string_equal(e.msg, "not a SCIM ListResponse (needs a Resources "
				   "list, and nextCursor a string when "
				   "present)");
	/* a server without cursors: index paging, the default */
	r = vt_answer(200, "application/scim+json",
		      "{\"pagination\":{\"cursor\":false,\"index\":true}}");
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.paging, PAGE_OFFSET_TOTAL);
	r = vt_answer(404, "application/scim+json", "{}");
	t->s.v->discover_response(&t->s, &r);
	assert_int_equal(t->s.paging, PAGE_OFFSET_TOTAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_from_discovery, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_use_bulk_never,
						setup_never, vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_names_case_insensitive,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_several_emails, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_user_types, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_echoed_index_ignored,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_cursor_paging, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_caller, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_outcomes, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_single_outcomes, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_payload_limit, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_encoded_ids_go_singly,
						setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_bulk_413_resends, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(
			test_no_delete_is_blocked_with_the_hint, setup,
			vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_method_deactivate,
						setup_deactivate, vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcome_deactivated,
						setup_outcome, vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
