/*
 * Automation Anywhere Control Room: JWT from /{v}/authentication sent as
 * X-Authorization, POST listing, single deletes.
 *
 * options.api_version is v2 (Automation 360; v.33 and later discontinue
 * v1 authentication and user management), v1 (Enterprise 11, A2019) or
 * auto (the default): the first authentication is tried on v2, and a 404
 * there means v1. That probe is the listing's discovery step, so every
 * path is built once the version is known.
 *
 * The authenticating user is the caller (user.id of the authentication
 * answer). Tokens last 20 minutes: before that the session renews them
 * with /authentication/token; a refresh that is refused (the token was
 * already expired or revoked: the usual case after a 401) falls back to
 * authenticating again from the credentials. Pages end at an EMPTY page:
 * servers have been seen to report a total of 0 with users on the page,
 * so the total is only a cross-check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan.h"
#include "reconcile/secret.h"
#include "reconcile/session.h"
#include "reconcile/vendors/vendor.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Control Room tokens last 20 minutes; the session renews them earlier. */
#define TOKEN_SECONDS (20 * 60)

struct cr_state {
	bool refreshing;     /* the token request under way is a refresh */
	bool reauthenticate; /* the last refresh was refused */
	int version;	     /* 1 or 2; 0 until the probe says (auto) */
};

static struct cr_state *state(struct session *s)
{
	if (!s->priv)
		s->priv = xcalloc(1, sizeof(struct cr_state));
	return s->priv;
}

/* "v1" or "v2": as configured, else as the probe found (v2 first). */
static const char *api(struct session *s)
{
	const char *v = tenant_option(s->t, "api_version");

	if (v && !strcmp(v, "v1"))
		return "v1";
	if (v && !strcmp(v, "v2"))
		return "v2";
	return state(s)->version == 1 ? "v1" : "v2";
}

/* A JSON body holding secrets: grown once, so no copy is left behind. */
static char *secret_body(const char *k1, const char *v1, const char *k2,
			 const char *v2)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;

	strbuf_grow(&sb, 64 + 6 * (strlen(v1) + (v2 ? strlen(v2) : 0)));
	jsonw_init(&w, &sb, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, k1, v1);
	if (k2)
		jsonw_object_string(&w, k2, v2);
	jsonw_object_end(&w);
	return strbuf_detach(&sb, NULL);
}

static struct http_request *auth_request(struct session *s)
{
	struct cr_state *st = state(s);
	struct http_request *r;

	if (s->access_token && !st->reauthenticate) {
		st->refreshing = true;
		r = http_request_new(
			"POST",
			session_url(s, "/%s/authentication/token", api(s)));
		http_set_json(
			r, secret_body("token", s->access_token, NULL, NULL));
	} else {
		st->refreshing = false;
		st->reauthenticate = false;
		r = http_request_new(
			"POST", session_url(s, "/%s/authentication", api(s)));
		http_set_json(r, s->api_key
					 ? secret_body("username", s->username,
						       "apiKey", s->api_key)
					 : secret_body("username", s->username,
						       "password",
						       s->password ? s->password
								   : ""));
	}
	r->is_auth = true;
	return r;
}

/* Forgets the token, so that the next request authenticates again. */
static void drop_token(struct session *s)
{
	secret_free(s->access_token);
	s->access_token = NULL;
	s->expires_at = 0;
}

static int auth_response(struct session *s, const struct http_response *r,
			 struct err *e)
{
	struct cr_state *st = state(s);
	const cJSON *user;
	const char *tok, *id;
	char buf[32];
	cJSON *root;

	if (st->refreshing) {
		st->refreshing = false;
		root = session_json(r, e);
		tok = json_str(root, "token");
		if (!tok || !*tok) {
			/*
			 * Not the end: with no token left, the lane asks
			 * for one again before its next request, and
			 * auth_request then logs in with the credentials.
			 */
			cJSON_Delete(root);
			drop_token(s);
			st->reauthenticate = true;
			return 0;
		}
		session_set_token(s, tok, TOKEN_SECONDS);
		cJSON_Delete(root);
		return 0;
	}
	if (!(root = session_json(r, e)))
		return -1;
	tok = json_str(root, "token");
	user = cJSON_GetObjectItemCaseSensitive(root, "user");
	/* an integer, as in the listing, or the two would never match */
	id = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(user, "id"))
		     ? json_id(user, "id", buf, sizeof(buf))
		     : NULL;
	if (!tok || !*tok) {
		cJSON_Delete(root);
		return err_set(e, "the answer has no token");
	}
	if (!id) {
		/* the caller must be known: it is never to be deleted */
		cJSON_Delete(root);
		return err_set(e, "the answer has no integer user.id (the "
				  "authenticating user, never deleted)");
	}
	session_set_token(s, tok, TOKEN_SECONDS);
	session_set_caller(s, id);
	cJSON_Delete(root);
	return 0;
}

/* api_version auto: the first authentication, on v2. */
static struct http_request *discover_request(struct session *s)
{
	const char *v = tenant_option(s->t, "api_version");
	struct http_request *r;

	if ((v && strcmp(v, "auto")) || state(s)->version)
		return NULL;
	r = auth_request(s);
	return r;
}

static void discover_response(struct session *s, const struct http_response *r)
{
	struct cr_state *st = state(s);
	struct err e;

	/* 404: no v2 here (a Control Room before Automation 360) */
	if (r->status == 404) {
		st->version = 1;
		return;
	}
	st->version = 2;
	/*
	 * The probe was a whole authentication: keep what it gave, or say
	 * why it was refused (asking again would be refused the same way).
	 */
	if (r->status && auth_response(s, r, &e) < 0)
		snprintf(s->error, sizeof(s->error),
			 "authentication failed: POST /v2/authentication: "
			 "%s%s",
			 e.msg, session_hint(s, r->status));
}

static char *auth_header(struct session *s)
{
	return xasprintf("X-Authorization: %s", s->access_token);
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	struct http_request *r = http_request_new(
		"POST",
		session_url(s, "/%s/usermanagement/users/list", api(s)));

	/* sorted by id, so that pages do not overlap or leave gaps */
	http_set_json(r, xasprintf("{\"sort\":[{\"field\":\"id\","
				   "\"direction\":\"asc\"}],\"filter\":{},"
				   "\"page\":{\"offset\":%ld,\"length\":%d}}",
				   pg->offset, pg->limit));
	return r;
}

static bool string_or_null(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return !v || cJSON_IsString(v) || cJSON_IsNull(v);
}

static bool bool_or_absent(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return !v || cJSON_IsBool(v);
}

/* "First Last", either part may be missing; NULL when both are. */
static const char *full_name(const cJSON *it, char *buf, size_t n)
{
	const char *first = json_str(it, "firstName"),
		   *last = json_str(it, "lastName");

	if (first && !*first)
		first = NULL;
	if (last && !*last)
		last = NULL;
	if (!first || !last)
		return first ? first : last;
	snprintf(buf, n, "%s %s", first, last);
	return buf;
}

static int read_user(const cJSON *it, struct user *u, char *idbuf, size_t idn,
		     char *namebuf, size_t namen)
{
	memset(u, 0, sizeof(*u));
	if (!cJSON_IsObject(it) ||
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, "id")) ||
	    !(u->id = json_id(it, "id", idbuf, idn)) ||
	    !string_or_null(it, "username") || !string_or_null(it, "email") ||
	    !string_or_null(it, "firstName") ||
	    !string_or_null(it, "lastName") ||
	    !bool_or_absent(it, "disabled") || !bool_or_absent(it, "deleted"))
		return -1;
	u->username = json_str(it, "username");
	u->email = json_str(it, "email");
	u->name = full_name(it, namebuf, namen);
	/* Control Room documents no account types: users are people */
	u->type = USER_HUMAN;
	if (json_bool(it, "deleted", false))
		u->status = STATUS_PENDING_DELETION;
	else if (json_bool(it, "disabled", false))
		u->status = STATUS_INACTIVE;
	else
		u->status = STATUS_ACTIVE;
	return 0;
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	cJSON *root = session_json(r, e);
	const cJSON *page, *list, *total, *offset, *it;
	size_t i = 0;

	(void)s;
	if (!root)
		return -1;
	page = cJSON_GetObjectItemCaseSensitive(root, "page");
	list = cJSON_GetObjectItemCaseSensitive(root, "list");
	total = cJSON_GetObjectItemCaseSensitive(page, "totalFilter");
	if (!total)
		total = cJSON_GetObjectItemCaseSensitive(page, "total");
	offset = cJSON_GetObjectItemCaseSensitive(page, "offset");
	if (!cJSON_IsObject(root) || !cJSON_IsObject(page) ||
	    !cJSON_IsArray(list) || !cJSON_IsNumber(total) ||
	    total->valuedouble < 0 || (offset && !cJSON_IsNumber(offset))) {
		cJSON_Delete(root);
		return err_set(e, "not a Control Room user list (needs "
				  "page.totalFilter and a list)");
	}
	/* a server that ignores the offset would repeat the first page */
	if (offset && offset->valuedouble != (double)pg->offset) {
		double got = offset->valuedouble;

		cJSON_Delete(root);
		return err_set(e,
			       "asked for the page at offset %ld, the answer "
			       "is for offset %.0f",
			       pg->offset, got);
	}
	cJSON_ArrayForEach(it, list)
	{
		char idbuf[32], namebuf[512];
		struct user u;

		if (read_user(it, &u, idbuf, sizeof(idbuf), namebuf,
			      sizeof(namebuf)) < 0) {
			cJSON_Delete(root);
			return err_set(e,
				       "user %zu of the page is malformed "
				       "(needs an integer id; username, "
				       "email and names must be strings, "
				       "disabled and deleted booleans)",
				       i);
		}
		userstore_add(out, &u);
		i++;
	}
	res->count = i;
	res->total = total->valuedouble > 1e15 ? (long)1e15
					       : (long)total->valuedouble;
	cJSON_Delete(root);
	return 0;
}

static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	char *id = url_segment(u[0]->id);
	struct http_request *r;

	(void)n;
	r = http_request_new(
		"DELETE",
		session_url(s, "/%s/usermanagement/users/%s", api(s), id));
	free(id);
	return r;
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	struct err e;
	cJSON *root;

	(void)s;
	(void)u;
	(void)n;
	delete_outcome(r, OUTCOME_DELETED, out);
	if (out->outcome != OUTCOME_DELETED || !r->len)
		return;
	/* 200 carries the deleted user: a cut-off answer is no answer */
	root = session_json(r, &e);
	if (!root) {
		out->outcome = OUTCOME_FAILED;
		snprintf(out->detail, sizeof(out->detail),
			 UNEXPECTED_ANSWER "%.190s", e.msg);
		return;
	}
	cJSON_Delete(root);
}

static const struct vendor_option options[] = {
	{ .key = "api_version",
	  .kind = OPTION_ENUM,
	  .choices = "auto|v2|v1",
	  .def = "auto" },
	{ 0 },
};

const struct vendor vendor_automation_anywhere = {
	.name = "automation-anywhere",
	.auth_types = AUTH_BIT(AUTH_CONTROL_ROOM),
	.auth_hint = "check auth.username and auth.password (or "
		     "auth.api_key); a user in a role with two-factor "
		     "authentication cannot log in through the API",
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
	.auth_request = auth_request,
	.auth_response = auth_response,
	.auth_header = auth_header,
	.discover_request = discover_request,
	.discover_response = discover_response,
	.paging = PAGE_OFFSET_UNTIL_EMPTY,
	.page_size = 1000,
	.list_request = list_request,
	.list_response = list_response,
	.delete_request = delete_request,
	.delete_response = delete_response,
};
