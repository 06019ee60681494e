/*
 * The Atlassian organization connector (Admin API v2) against recorded
 * answers.
 */
#include <strings.h>
#include <time.h>

#include "tests/unit/vendortest.h"

#define API   "https://api.atlassian.com"
#define ORG   "9a1b2c3d-0000-4000-8000-00000000abcd"
#define USERS API "/admin/v2/orgs/" ORG "/directories/-/users"

#define YAML(url, opts)                                                        \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: org\n"                                                      \
	"    vendor: atlassian-org\n" url                                      \
	"    auth: { type: bearer, token: \"${env:VT_SECRET}\" }\n"            \
	"    options: { org_id: \"" ORG "\"" opts " }\n"                       \
	"    keep: [x]\n"

static int setup_with(void **state, const char *yaml)
{
	setenv("VT_SECRET", "org-api-key", 1);
	return vt_setup(state, yaml);
}

/* No url: api.atlassian.com. */
static int setup(void **state)
{
	return setup_with(state, YAML("", ""));
}

static int setup_suspend(void **state)
{
	return setup_with(state, YAML("", ", delete_action: suspend"));
}

static int setup_delete(void **state)
{
	return setup_with(state, YAML("", ", delete_action: delete"));
}

/* A gateway in front of the API, and a directory of its own. */
static int setup_gateway(void **state)
{
	return setup_with(state,
			  YAML("    url: https://gw.acme.example/atlassian/\n",
			       ", directory_id: \"dir 1/.\", delete_action: "
			       "delete"));
}

static struct http_request *delete_of(struct vt *t, const char *id)
{
	struct plan_user u = vt_planned(id);
	const struct plan_user *list[] = { &u };

	return t->s.v->delete_request(&t->s, list, 1);
}

static void test_vendor(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page first = { 0, v->page_size, NULL };
	struct page next = { 0, v->page_size, USERS "?limit=100&cursor=x" };
	struct http_request *r;

	assert_string_equal(v->name, "atlassian-org");
	assert_string_equal(v->default_url, API);
	assert_string_equal(t->s.t->url, API);
	assert_int_equal(v->paging, PAGE_CURSOR);
	assert_int_equal(v->page_size, 100);
	assert_int_equal(v->max_batch, 1);
	assert_false(v->bulk);
	/* an API key is no user: nobody to ask who it is */
	assert_null(v->caller_request);
	assert_true(v->app_credentials);
	assert_null(v->auth_request);
	assert_int_equal(t->c.tenants[0].limits.requests_per_second, 10);
	assert_string_equal(tenant_option(t->s.t, "directory_id"), "-");
	assert_string_equal(tenant_option(t->s.t, "delete_action"), "remove");
	r = v->list_request(&t->s, &first);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url, USERS "?limit=100");
	assert_null(r->body);
	http_request_free(r);
	/* later pages: the URL the previous answer led to */
	r = v->list_request(&t->s, &next);
	assert_string_equal(r->url, USERS "?limit=100&cursor=x");
	http_request_free(r);
}

static void test_remove_request(void **state)
{
	struct vt *t = *state;
	struct http_request *r = delete_of(t, "557058:f00d-1");

	assert_string_equal(r->method, "DELETE");
	assert_string_equal(r->url, USERS "/557058%3Af00d-1");
	assert_null(r->body);
	http_request_free(r);
	/* a dot segment names the user, never the collection */
	r = delete_of(t, "..");
	assert_string_equal(r->url, USERS "/%2E%2E");
	http_request_free(r);
	assert_null(t->s.v->user_blocked(&t->s, &(struct user){ .id = "a" }));
}

static void test_suspend_request(void **state)
{
	struct vt *t = *state;
	struct http_request *r = delete_of(t, "5b10ac8d82e05b22cc7d4ef5");

	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url, USERS "/5b10ac8d82e05b22cc7d4ef5/suspend");
	assert_null(r->body);
	http_request_free(r);
	r = delete_of(t, "a/b");
	assert_string_equal(r->url, USERS "/a%2Fb/suspend");
	http_request_free(r);
}

static void test_delete_request(void **state)
{
	struct vt *t = *state;
	struct http_request *r = delete_of(t, "5b10ac8d82e05b22cc7d4ef5");

	/* the user management API, not the admin one */
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url, API "/users/5b10ac8d82e05b22cc7d4ef5"
					"/manage/lifecycle/delete");
	assert_null(r->body);
	http_request_free(r);
}

static void test_gateway_requests(void **state)
{
	struct vt *t = *state;
	struct page first = { 0, 100, NULL };
	struct http_request *r;

	r = t->s.v->list_request(&t->s, &first);
	assert_string_equal(r->url, "https://gw.acme.example/atlassian/admin/"
				    "v2/orgs/" ORG
				    "/directories/dir%201%2F./users?limit=100");
	http_request_free(r);
	/* the lifecycle call is on the url's origin */
	r = delete_of(t, ".");
	assert_string_equal(
		r->url,
		"https://gw.acme.example/users/%2E/manage/lifecycle/delete");
	http_request_free(r);
}

#define PAGE(users, links) "{\"data\":[" users "],\"links\":" links "}"

static const char *const page1 = PAGE(
	"{\"accountId\":\"a-active\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"active\",\"membershipStatus\":\"active\","
	"\"claimStatus\":\"managed\",\"email\":\"Ann@Acme.example\","
	"\"name\":\"Ann\",\"emailVerified\":true,\"counts\":{\"resources\":3}},"
	"{\"accountId\":\"a-suspended\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"active\",\"membershipStatus\":\"suspended\","
	"\"claimStatus\":\"unmanaged\",\"email\":\"sus@gmail.example\","
	"\"name\":\"Sue\"},"
	"{\"accountId\":\"a-deactivated\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"inactive\",\"email\":null,\"name\":null},"
	"{\"accountId\":\"a-closed\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"closed\",\"email\":\"gone@acme.example\"},"
	"{\"accountId\":\"a-scheduled\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"inactive\",\"forDeletion\":true,"
	"\"claimStatus\":\"managed\",\"email\":\"bye@acme.example\"},"
	"{\"accountId\":\"a-bot\",\"accountType\":\"atlassian\","
	"\"appType\":\"service\",\"accountStatus\":\"active\"},"
	"{\"accountId\":\"a-app\",\"accountType\":\"app\","
	"\"accountStatus\":\"active\"},"
	"{\"accountId\":\"qm:1\",\"accountType\":\"customer\","
	"\"accountStatus\":\"active\",\"claimStatus\":\"managed\"},"
	"{\"accountId\":\"a-odd\",\"accountStatus\":\"paused\"},"
	"{\"accountId\":\"a-nomember\",\"accountType\":\"atlassian\","
	"\"accountStatus\":\"active\",\"membershipStatus\":\"no_membership\","
	"\"claimStatus\":\"managed\"},"
	"{\"accountId\":\"unknown\",\"accountStatus\":\"active\"}",
	"{\"self\":\"" USERS "?limit=100\",\"prev\":null,"
	"\"next\":\"" USERS "?limit=100&cursor=c2\"}");

static void read_page(struct vt *t, const char *cursor, const char *body,
		      struct page_result *pr)
{
	struct page pg = { 0, 100, cursor };
	struct http_response r = vt_answer(200, "application/json", body);
	struct err e;

	*pr = (struct page_result){ .total = -1 };
	if (t->s.v->list_response(&t->s, &pg, &r, &t->users, pr, &e) < 0)
		fail_msg("%s", e.msg);
}

static const struct user *find(struct vt *t, const char *id)
{
	const struct user *u = userstore_find(&t->users, id);

	if (!u)
		fail_msg("'%s' was not listed", id);
	return u;
}

static void test_page(void **state)
{
	struct vt *t = *state;
	struct page_result pr;
	const struct user *u;

	read_page(t, NULL, page1, &pr);
	assert_int_equal(pr.count, 11);
	/* closed, not a member (nothing to remove), a corrupted record */
	assert_int_equal(pr.skipped, 3);
	assert_int_equal(t->users.n, 8);
	assert_int_equal(pr.total, -1);
	assert_string_equal(pr.next, USERS "?limit=100&cursor=c2");
	free(pr.next);
	u = find(t, "a-active");
	assert_string_equal(u->email, "Ann@Acme.example");
	assert_string_equal(u->name, "Ann");
	assert_null(u->username);
	assert_int_equal(u->type, USER_HUMAN);
	assert_int_equal(u->status, STATUS_ACTIVE);
	/* a suspended membership is inactive, like a deactivated account */
	assert_int_equal(find(t, "a-suspended")->status, STATUS_INACTIVE);
	u = find(t, "a-deactivated");
	assert_int_equal(u->status, STATUS_INACTIVE);
	assert_null(u->email);
	assert_null(u->name);
	assert_int_equal(find(t, "a-scheduled")->status,
			 STATUS_PENDING_DELETION);
	/* appType makes an app whatever accountType says */
	assert_int_equal(find(t, "a-bot")->type, USER_APP);
	assert_int_equal(find(t, "a-app")->type, USER_APP);
	assert_int_equal(find(t, "qm:1")->type, USER_CUSTOMER);
	/* no accountType, and a status not known yet: unknown, not active */
	u = find(t, "a-odd");
	assert_int_equal(u->type, USER_UNKNOWN);
	assert_int_equal(u->status, STATUS_INACTIVE);
	assert_null(userstore_find(&t->users, "a-closed"));
	assert_null(userstore_find(&t->users, "a-nomember"));
	assert_null(userstore_find(&t->users, "unknown"));
	/* removal has no claim to check */
	assert_null(t->s.v->user_blocked(&t->s, find(t, "a-suspended")));
}

static void test_ends_and_tokens(void **state)
{
	static const char *const ends[] = {
		PAGE("", "{\"self\":\"x\",\"prev\":null,\"next\":null}"),
		PAGE("", "{\"self\":\"x\"}"),
		PAGE("", "{\"next\":\"\"}"),
		PAGE("", "null"),
		"{\"data\":[]}",
	};
	struct vt *t = *state;
	struct page_result pr;
	size_t i;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		read_page(t, USERS "?limit=100&cursor=c2", ends[i], &pr);
		assert_int_equal(pr.count, 0);
		assert_null(pr.next);
	}
	/* a bare cursor is asked for with cursor=, encoded */
	read_page(t, NULL, PAGE("", "{\"next\":\"eyJvIjoxMDB9+/=&x\"}"), &pr);
	assert_string_equal(pr.next, USERS "?limit=100&cursor="
					   "eyJvIjoxMDB9%2B%2F%3D%26x");
	free(pr.next);
	/* a word that only looks like a scheme is a token too */
	read_page(t, NULL, PAGE("", "{\"next\":\"httpsfoo\"}"), &pr);
	assert_string_equal(pr.next, USERS "?limit=100&cursor=httpsfoo");
	free(pr.next);
}

/* The page answer with this next link. */
static char *with_next(const char *next)
{
	return xasprintf(PAGE("{\"accountId\":\"a1\",\"accountStatus\":"
			      "\"active\"}",
			      "{\"next\":%s}"),
			 next);
}

static void test_next_links(void **state)
{
	static const char *const same[] = {
		"\"" USERS "?cursor=2\"",
		"\"HTTPS://API.Atlassian.COM/admin/v2/orgs/x?cursor=2\"",
		"\"https://api.atlassian.com:443/other?cursor=2\"",
	};
	static const char *const other[] = {
		"\"https://evil.example/admin/v2/orgs/x/users?cursor=2\"",
		"\"http://api.atlassian.com/admin/v2/orgs/x/users\"",
		"\"https://api.atlassian.com:8443/admin/v2/orgs/x/users\"",
		"\"https://api.atlassian.com.evil.example/admin/\"",
		"\"https://api.atlassian.com@evil.example/admin/\"",
		"\"https://acme.atlassian.net/admin/v2/orgs/x/users\"",
		"\"https://api.atlassian.com/admin/?cursor=2 x\"",
	};
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };
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
		assert_int_equal(strncasecmp(pr.next, "https://", 8), 0);
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
					      "(" API "): not followed"));
		free(body);
	}
}

#define SHAPE                                                                  \
	"expected {\"data\": [users], \"links\": {\"next\": URL, cursor or "   \
	"null}}"

static void test_malformed_pages(void **state)
{
	static const struct vt_bad_page cases[] = {
		{ 200, "text/html; charset=utf-8",
		  "<!DOCTYPE html><html>Log in</html>",
		  "HTTP 200: not JSON (text/html; charset=utf-8): <!DOCTYPE "
		  "html><html>Log in</html>" },
		{ 200, "application/json", "{\"data\":[{\"accountId\":",
		  "HTTP 200: truncated or malformed JSON (22 bytes): "
		  "{\"data\":[{\"accountId\":" },
		{ 200, "application/json", "[]", SHAPE },
		{ 200, "application/json", "{\"links\":{\"next\":null}}",
		  SHAPE },
		{ 200, "application/json", "{\"data\":{}}", SHAPE },
		{ 200, "application/json", "{\"data\":[],\"links\":[]}",
		  SHAPE },
		{ 200, "application/json",
		  "{\"data\":[],\"links\":{\"next\":3}}", SHAPE },
		{ 200, "application/json",
		  "{\"data\":[{\"accountId\":\"a\",\"accountStatus\":"
		  "\"active\"},{\"accountStatus\":\"active\"}]}",
		  "user 1 of the page is malformed: accountId must be a "
		  "non-empty string" },
		{ 200, "application/json",
		  "{\"data\":[{\"accountId\":7,\"accountStatus\":\"active\"}]}",
		  "user 0 of the page is malformed: accountId must be a "
		  "non-empty string" },
		{ 200, "application/json", "{\"data\":[{\"accountId\":\"a\"}]}",
		  "user 0 of the page is malformed: accountStatus must be a "
		  "string" },
		{ 200, "application/json",
		  "{\"data\":[{\"accountId\":\"a\",\"accountStatus\":"
		  "\"active\",\"email\":[]}]}",
		  "user 0 of the page is malformed: email, name, accountType, "
		  "membershipStatus and claimStatus must be strings" },
		{ 200, "application/json",
		  "{\"data\":[{\"accountId\":\"a\",\"accountStatus\":"
		  "\"active\",\"forDeletion\":\"yes\"}]}",
		  "user 0 of the page is malformed: forDeletion must be a "
		  "boolean" },
		{ 200, "application/json", "{\"data\":[null]}",
		  "user 0 of the page is malformed: not an object" },
		{ 401, "application/json",
		  "{\"code\":401,\"message\":\"Unauthorized\"}",
		  "HTTP 401: {\"code\":401,\"message\":\"Unauthorized\"}" },
	};
	struct vt *t = *state;
	struct page pg = { 0, 100, NULL };

	vt_expect_bad_pages(t, &pg, cases, sizeof(cases) / sizeof(cases[0]));
}

/* delete_action: delete: unmanaged accounts are never deleted that way */
static void test_unmanaged(void **state)
{
	struct vt *t = *state;
	const struct vendor *v = t->s.v;
	struct page_result pr;
	const char *why;

	read_page(t, NULL, page1, &pr);
	free(pr.next);
	/* with delete, an account in no directory can still be deleted */
	assert_int_equal(pr.skipped, 2);
	assert_int_equal(find(t, "a-nomember")->status, STATUS_INACTIVE);
	assert_null(v->user_blocked(&t->s, find(t, "a-active")));
	assert_null(v->user_blocked(&t->s, find(t, "qm:1")));
	assert_null(v->user_blocked(&t->s, find(t, "a-nomember")));
	why = v->user_blocked(&t->s, find(t, "a-suspended"));
	assert_non_null(why);
	assert_non_null(strstr(why, "claimStatus unmanaged"));
	assert_non_null(strstr(why, "remove would take it out of the "
				    "organization"));
	/* nothing said is not "managed" */
	why = v->user_blocked(&t->s, find(t, "a-deactivated"));
	assert_non_null(why);
	assert_non_null(strstr(why, "claimStatus missing or unknown"));
	/* a later page adds to what is known */
	read_page(t, USERS "?limit=100&cursor=c2",
		  PAGE("{\"accountId\":\"b-un\",\"accountStatus\":\"active\","
		       "\"claimStatus\":\"unmanaged\"}",
		       "{\"next\":null}"),
		  &pr);
	assert_non_null(v->user_blocked(&t->s, find(t, "b-un")));
	assert_non_null(v->user_blocked(&t->s, find(t, "a-suspended")));
	/* a listing from the start forgets the last one */
	userstore_release(&t->users);
	userstore_init(&t->users);
	read_page(t, NULL,
		  PAGE("{\"accountId\":\"a-suspended\",\"accountStatus\":"
		       "\"active\",\"claimStatus\":\"managed\"}",
		       "{}"),
		  &pr);
	assert_null(v->user_blocked(&t->s, find(t, "a-suspended")));
	assert_null(v->user_blocked(&t->s, &(struct user){ .id = "b-un" }));
}

static void test_remove_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 204, NULL, "", OUTCOME_DELETED,
		  "removed from the organization: no access to any product; "
		  "invite the user again to undo" },
		{ 200, "application/json", "{}", OUTCOME_DELETED,
		  "removed from the organization: no access to any product; "
		  "invite the user again to undo" },
		{ 404, "application/json",
		  "{\"errors\":[{\"title\":\"Not Found\"}]}", OUTCOME_ABSENT,
		  "HTTP 404: {\"errors\":[{\"title\":\"Not Found\"}]}" },
		{ 400, "application/json", "{\"message\":\"last admin\"}",
		  OUTCOME_BLOCKED, "HTTP 400: {\"message\":\"last admin\"}" },
		{ 403, "application/json", "{\"message\":\"Forbidden\"}",
		  OUTCOME_FAILED, "HTTP 403: {\"message\":\"Forbidden\"}" },
		{ 200, "text/html", "<html>Log in</html>", OUTCOME_FAILED,
		  UNEXPECTED_ANSWER "HTTP 200: <html>Log in</html>" },
	};

	vt_expect_outcomes(*state, "a1", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

static void test_suspend_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 200, "application/json", "{\"message\":\"ok\"}",
		  OUTCOME_DEACTIVATED,
		  "suspended: no access to any product until restored" },
		{ 204, NULL, "", OUTCOME_DEACTIVATED,
		  "suspended: no access to any product until restored" },
		{ 404, "application/json", "{}", OUTCOME_ABSENT,
		  "HTTP 404: {}" },
		{ 500, "application/json", "{}", OUTCOME_FAILED,
		  "HTTP 500: {}" },
	};

	vt_expect_outcomes(*state, "a1", cases,
			   sizeof(cases) / sizeof(cases[0]));
}

static void day_after(long days, char *buf, size_t n)
{
	time_t when = time(NULL) + days * 86400;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

static void test_delete_outcomes(void **state)
{
	static const struct vt_outcome cases[] = {
		{ 404, "application/json", "{}", OUTCOME_ABSENT,
		  "HTTP 404: {}" },
		{ 403, "application/json", "{\"message\":\"not managed\"}",
		  OUTCOME_FAILED,
		  "HTTP 403: {\"message\":\"not managed\"} (deleting an "
		  "account needs an API key with the lifecycle.delete "
		  "privilege, and a managed account)" },
		{ 409, "application/json", "{}", OUTCOME_BLOCKED,
		  "HTTP 409: {}" },
	};
	struct vt *t = *state;
	struct plan_user u = vt_planned("a1");
	const struct plan_user *list[] = { &u };
	struct http_response r = vt_answer(204, NULL, "");
	struct delete_result out;
	char before[16], after[16], *want1, *want2;

	day_after(14, before, sizeof(before));
	memset(&out, 0, sizeof(out));
	t->s.v->delete_response(&t->s, list, 1, &r, &out);
	day_after(14, after, sizeof(after));
	assert_int_equal(out.outcome, OUTCOME_SCHEDULED);
	/* the journal says until when the deletion can be cancelled */
	want1 = xasprintf("scheduled: the account is deactivated now and "
			  "deleted after 14 days, on %s (UTC); cancel-delete "
			  "restores it until then",
			  before);
	want2 = xasprintf("scheduled: the account is deactivated now and "
			  "deleted after 14 days, on %s (UTC); cancel-delete "
			  "restores it until then",
			  after);
	if (strcmp(out.detail, want1) && strcmp(out.detail, want2))
		fail_msg("detail: %s", out.detail);
	free(want1);
	free(want2);
	vt_expect_outcomes(t, "a1", cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vendor, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_request, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_suspend_request,
						setup_suspend, vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_request,
						setup_delete, vt_teardown),
		cmocka_unit_test_setup_teardown(test_gateway_requests,
						setup_gateway, vt_teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, vt_teardown),
		cmocka_unit_test_setup_teardown(test_ends_and_tokens, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_next_links, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pages, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_unmanaged, setup_delete,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_remove_outcomes, setup,
						vt_teardown),
		cmocka_unit_test_setup_teardown(test_suspend_outcomes,
						setup_suspend, vt_teardown),
		cmocka_unit_test_setup_teardown(test_delete_outcomes,
						setup_delete, vt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
