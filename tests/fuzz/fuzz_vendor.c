/*
 * Every connector's response parsing: the hooks of reconcile/vendors/
 * that read an answer (list_response, caller_response, auth_response,
 * discover_response, delete_response, post_response), called as the
 * engine would call them, on a session without network (as in
 * tests/unit/vendortest.h).
 *
 * Input: five header bytes, then the answer's body.
 *   0  the tenant: an index into tenants[] (vendor and options)
 *   1  the hook: an index into the hooks the vendor has
 *   2  the HTTP status: an index into statuses[]
 *   3  the Content-Type: an index into types[]
 *   4  details: users in a delete (bulk vendors), the page's offset and
 *      cursor, cursor paging (8: SCIM), a token to refresh (Control Room)
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/config.h"
#include "reconcile/engine.h"
#include "reconcile/plan.h"
#include "reconcile/session.h"
#include "tests/fuzz/fuzz.h"

#define TENANT(vendor, url, auth, opts)                                        \
	"version: 1\n"                                                         \
	"tenants:\n"                                                           \
	"  - name: t\n"                                                        \
	"    vendor: " vendor "\n"                                             \
	"    url: " url "\n"                                                   \
	"    auth: { " auth " }\n"                                             \
	"    options: { " opts " }\n"                                          \
	"    keep: [x]\n"

#define OAUTH                                                                  \
	"type: oauth2, client_id: \"${env:FZ_USER}\", "                        \
	"client_secret: \"${env:FZ_SECRET}\""

static const char *const tenants[] = {
	TENANT("atlassian", "https://acme.atlassian.net",
	       "type: basic, username: \"${env:FZ_USER}\", "
	       "password: \"${env:FZ_SECRET}\"",
	       ""),
	TENANT("uipath", "https://cloud.uipath.com/acme", OAUTH,
	       "partition_global_id: 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
	TENANT("uipath", "https://orch.acme.example", OAUTH,
	       "partition_global_id: p, identity_path: /identity/"),
	TENANT("bevy", "https://events.acme.example/api",
	       "type: token, token: \"${env:FZ_SECRET}\"", ""),
	TENANT("bevy", "http://127.0.0.1:8080",
	       "type: token, token: \"${env:FZ_SECRET}\"",
	       "users_path: v2/people"),
	TENANT("automation-anywhere", "https://cr.acme.example",
	       "type: control-room, username: \"${env:FZ_USER}\", "
	       "password: \"${env:FZ_SECRET}\"",
	       ""),
	TENANT("automation-anywhere", "https://cr.acme.example",
	       "type: control-room, username: \"${env:FZ_USER}\", "
	       "api_key: \"${env:FZ_SECRET}\"",
	       "api_version: v2"),
	TENANT("bizagi", "https://test-myproject-acme.bizagi.com", OAUTH,
	       "environment: test, mass_user_deletion: true"),
	TENANT("bizagi", "https://myproject-acme.bizagi.com", OAUTH, ""),
	TENANT("scim", "https://api.example.com/scim/v2",
	       "type: bearer, token: \"${env:FZ_SECRET}\"", ""),
	TENANT("scim", "https://api.example.com/scim/v2",
	       "type: bearer, token: \"${env:FZ_SECRET}\"", "use_bulk: never"),
	TENANT("scim", "https://api.example.com/scim/v2",
	       "type: bearer, token: \"${env:FZ_SECRET}\"",
	       "delete_method: deactivate"),
	TENANT("scim", "https://api.example.com/scim/v2",
	       "type: bearer, token: \"${env:FZ_SECRET}\"",
	       "delete_outcome: deactivated"),
	TENANT("bizagi", "https://myproject-acme.bizagi.com",
	       "type: bearer, token: \"${env:FZ_SECRET}\"", ""),
	TENANT("atlassian-org", "https://api.atlassian.com",
	       "type: bearer, token: \"${env:FZ_SECRET}\"", "org_id: o-1"),
	TENANT("atlassian-org", "http://127.0.0.1:8766",
	       "type: bearer, token: \"${env:FZ_SECRET}\"",
	       "org_id: acme, directory_id: d/1, delete_action: delete"),
};

#define NTENANTS (sizeof(tenants) / sizeof(tenants[0]))

static const long statuses[] = { 200, 201, 204, 400, 401, 403, 404, 409,
				 412, 429, 500, 501, 0,	  302, 202, 299,
				 100, 599, 207, 503, 413, 405 };

static const char *const types[] = {
	NULL,
	"application/json",
	"application/json; charset=utf-8",
	"application/scim+json",
	"text/html; charset=utf-8",
	"text/plain",
	"",
	"application/problem+json",
};

/* Ids of planned users: what a plan file may hold. */
static const char *const ids[] = { "a1", "42", "x/y", "d0",	   "g\"3",
				   "7",	 "",   "u8",  "557058:f00" };

enum hook { LIST, CALLER, AUTH, DISCOVER, DELETE, POST, NHOOKS };

static bool has_hook(const struct vendor *v, enum hook h)
{
	switch (h) {
	case LIST:
		return v->list_response;
	case CALLER:
		return v->caller_response;
	case AUTH:
		return v->auth_response;
	case DISCOVER:
		return v->discover_response;
	case DELETE:
		return v->delete_response;
	case POST:
		return v->post_response;
	default:
		return false;
	}
}

static int no_file(void *ctx, const char *path, size_t max, char **data,
		   size_t *len, struct err *e)
{
	(void)ctx;
	(void)path;
	(void)max;
	(void)data;
	(void)len;
	return err_set(e, "No such file or directory");
}

static struct config *config_for(size_t i)
{
	static struct config configs[NTENANTS];
	static bool loaded[NTENANTS];
	struct config_reader rd = { no_file, NULL };
	struct diags d = DIAGS_INIT;

	if (!loaded[i]) {
		setenv("FZ_USER", "fuzz-user", 1);
		setenv("FZ_SECRET", "fuzz-secret", 1);
		if (config_parse(&configs[i], "fuzz.yaml", NULL, tenants[i],
				 strlen(tenants[i]), &rd, 0, &d) < 0) {
			diags_print(&d, stderr);
			abort();
		}
		diags_release(&d);
		loaded[i] = true;
	}
	return &configs[i];
}

/* The detail and outcome a hook filled in are usable. */
static void check_result(const struct delete_result *r)
{
	if ((unsigned)r->outcome > OUTCOME_FAILED ||
	    !memchr(r->detail, '\0', sizeof(r->detail)))
		abort();
}

/*
 * The delete request for a listed user names that user: its id, encoded,
 * is in the URL (a plan's ids come from listings).
 */
static void check_delete_request(struct session *s, const struct user *lu)
{
	struct plan_user u;
	const struct plan_user *one[] = { &u };
	struct http_request *req;
	char *enc = url_encode(lu->id);

	memset(&u, 0, sizeof(u));
	u.id = lu->id;
	req = s->v->delete_request(s, one, 1);
	if (!strstr(req->url, enc)) {
		fprintf(stderr, "the DELETE for '%s' is %s\n", lu->id,
			req->url);
		abort();
	}
	http_request_free(req);
	free(enc);
}

static void do_list(struct session *s, const struct http_response *r,
		    unsigned x)
{
	static const long offsets[] = { 0, 1000, 500, 1 };
	struct page pg = { offsets[x & 3], s->v->page_size, NULL };
	struct page_result res = { .total = -1 };
	struct userstore users;
	struct err e;
	char *cursor = NULL;

	if (x & 4)
		pg.cursor = cursor = session_url(s, "/user/?page=2");
	/* as discovery would set it for a server that offers cursors */
	if ((x & 8) && s->v->discover_response)
		s->paging = PAGE_CURSOR;
	userstore_init(&users);
	if (s->v->list_response(s, &pg, r, &users, &res, &e) == 0) {
		size_t i;

		if (users.n > res.count)
			abort();
		for (i = 0; i < users.n && i < 4; i++) {
			check_delete_request(s, &users.v[i]);
			if (s->v->user_blocked)
				(void)s->v->user_blocked(s, &users.v[i]);
		}
		if (res.next) {
			/* the next page is asked for at the link */
			struct page next = { pg.offset + (long)res.count,
					     pg.limit, res.next };

			http_request_free(s->v->list_request(s, &next));
		}
	}
	free(res.next);
	free(cursor);
	userstore_release(&users);
}

static void do_auth(struct session *s, const struct http_response *r,
		    unsigned x)
{
	struct err e;

	/* with a token at hand, Control Room asks for a refresh */
	if (x & 1)
		session_set_token(s, "eyJhbGciOiJSUzI1NiJ9.e30.sig", 1200);
	if (s->v->auth_request)
		http_request_free(s->v->auth_request(s));
	if (s->v->auth_response(s, r, &e) == 0 && s->access_token &&
	    s->v->auth_header)
		free(s->v->auth_header(s));
}

static void do_delete(struct session *s, const struct http_response *r,
		      unsigned x)
{
	enum { MAXN = 9 };
	struct plan_user u[MAXN];
	const struct plan_user *list[MAXN];
	struct delete_result out[MAXN];
	size_t n = s->v->bulk ? 1 + x % MAXN : 1, i;

	memset(u, 0, sizeof(u));
	memset(out, 0, sizeof(out));
	for (i = 0; i < n; i++) {
		u[i].id = ids[(i + x / MAXN) % MAXN];
		list[i] = &u[i];
	}
	if (s->v->delete_take) {
		size_t k = s->v->delete_take(s, list, n);

		if (k < 1 || k > n)
			abort();
	}
	s->v->delete_response(s, list, n, r, out);
	for (i = 0; i < n; i++) {
		check_result(&out[i]);
		/* a single user is never sent again */
		if (out[i].resend && n == 1)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct engine *keep;
	const struct config *c;
	const struct vendor *v;
	struct http_response r;
	struct engine *engine;
	struct session s;
	struct err e;
	unsigned hook, k, x;
	char detail[512];

	if (size < 5)
		return 0;
	/* curl stays initialised from one input to the next */
	if (!keep)
		keep = engine_new();
	c = config_for(data[0] % NTENANTS);
	v = c->tenants[0].vendor;
	hook = data[1] % NHOOKS;
	for (k = 0; !has_hook(v, (enum hook)hook) && k < NHOOKS; k++)
		hook = (hook + 1) % NHOOKS;
	memset(&r, 0, sizeof(r));
	r.status = statuses[data[2] % (sizeof(statuses) / sizeof(long))];
	r.content_type =
		(char *)types[data[3] % (sizeof(types) / sizeof(types[0]))];
	if (!r.status)
		snprintf(r.error, sizeof(r.error), "Connection refused");
	x = data[4];
	r.body = fuzz_strndup(data + 5, size - 5);
	r.len = size - 5;
	r.attempts = 1;

	engine = engine_new();
	if (session_open(&s, &c->tenants[0], engine, &e) < 0) {
		fprintf(stderr, "session: %s\n", e.msg);
		abort();
	}
	switch ((enum hook)hook) {
	case LIST:
		do_list(&s, &r, x);
		break;
	case CALLER:
		v->caller_response(&s, &r, &e);
		break;
	case AUTH:
		do_auth(&s, &r, x);
		break;
	case DISCOVER:
		v->discover_response(&s, &r);
		if (s.batch < 1 || s.batch > v->max_batch ||
		    (unsigned)s.paging > PAGE_CURSOR)
			abort();
		break;
	case DELETE:
		do_delete(&s, &r, x);
		break;
	case POST:
		detail[0] = '\0';
		v->post_response(&s, &r, detail, sizeof(detail));
		if (!memchr(detail, '\0', sizeof(detail)))
			abort();
		break;
	default:
		break;
	}
	session_close(&s);
	engine_free(engine);
	free(r.body);
	return 0;
}
