/*
 * UiPath Automation Cloud: Identity Server user API, OAuth2 client
 * credentials, bulk delete.
 *
 * Every path lives under {url}/{identity_path}/ (identity_ in the cloud,
 * identity for standalone installs). A wrong path or content type makes
 * the token endpoint answer 200 with the portal's HTML page, so a web page
 * where a token was expected is reported as such. User types come as
 * numbers and are read strictly: a user whose fields have unexpected types
 * fails the listing rather than being guessed at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/plan.h"
#include "reconcile/secret.h"
#include "reconcile/session.h"
#include "reconcile/vendors/vendor.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define DEFAULT_SCOPE "PM.User PM.User.Read PM.User.Write"

/* Identity's user types (the "type" member, a number). */
enum {
	UIPATH_USER = 0,
	UIPATH_ROBOT = 1,
	UIPATH_DIRECTORY_USER = 2,
	UIPATH_DIRECTORY_GROUP = 3, /* a group, never a user */
	UIPATH_ROBOT_ACCOUNT = 4,
	UIPATH_APPLICATION = 5,
};

/* "{url}/{identity_path}" followed by the formatted rest, in a new string. */
static char *identity_url(const struct session *s, const char *rest)
{
	const char *p = tenant_option(s->t, "identity_path");
	size_t len;

	if (!p)
		p = "identity_";
	/* "/identity/", "identity" and "identity/" mean the same */
	while (*p == '/')
		p++;
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	if (!len)
		return session_url(s, "/%s", rest);
	return session_url(s, "/%.*s/%s", (int)len, p, rest);
}

static struct http_request *auth_request(struct session *s)
{
	struct http_request *r;
	char *id = url_encode(s->client_id ? s->client_id : ""),
	     *secret = url_encode(s->client_secret ? s->client_secret : ""),
	     *scope = url_encode(s->scope && *s->scope ? s->scope
						       : DEFAULT_SCOPE);

	/* auth.token_url, when given, replaces the Identity token path */
	r = http_request_new("POST",
			     s->token_url && *s->token_url
				     ? xstrdup(s->token_url)
				     : identity_url(s, "connect/token"));
	r->is_auth = true;
	http_set_form(r, xasprintf("grant_type=client_credentials&"
				   "client_id=%s&client_secret=%s&scope=%s",
				   id, secret, scope));
	free(scope);
	secret_free(id);
	secret_free(secret);
	return r;
}

static bool is_web_page(const struct http_response *r)
{
	size_t i = 0;

	if (r->content_type && strstr(r->content_type, "html"))
		return true;
	while (i < r->len && strchr(" \t\r\n", r->body[i]))
		i++;
	return i < r->len && r->body[i] == '<';
}

static int auth_response(struct session *s, const struct http_response *r,
			 struct err *e)
{
	const cJSON *exp;
	const char *tok, *why;
	cJSON *root;

	/*
	 * Short: the engine carries the message through a 256-byte field,
	 * after the method and path of the token request.
	 */
	if (r->status >= 200 && r->status <= 299 && is_web_page(r)) {
		const char *ct = r->content_type ? r->content_type : "";

		return err_set(e,
			       "the token URL answered a web page, not a "
			       "token (HTTP %ld%s%.*s): check "
			       "options.identity_path and the organization "
			       "in url",
			       r->status, *ct ? ", " : "",
			       (int)strcspn(ct, "; "), ct);
	}
	root = session_json(r, e);
	if (!root) {
		/* an OAuth error answer names what was wrong */
		if (r->status == 400 || r->status == 401) {
			cJSON *o = session_json_any(r);

			why = json_str(o, "error");
			if (why && !strcmp(why, "invalid_client"))
				err_set(e,
					"HTTP %ld: invalid_client: the client "
					"credentials were refused (check "
					"auth.client_id and "
					"auth.client_secret)",
					r->status);
			else if (why && !strcmp(why, "invalid_scope"))
				err_set(e,
					"HTTP %ld: invalid_scope: the "
					"application may not have the scopes "
					"asked for (auth.scope; default %s)",
					r->status, DEFAULT_SCOPE);
			cJSON_Delete(o);
		}
		return -1;
	}
	tok = json_str(root, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!cJSON_IsObject(root) || !tok || !*tok) {
		cJSON_Delete(root);
		return err_set(e, "the token answer has no access_token");
	}
	/* without a usable lifetime the token is renewed on a 401 */
	session_set_token(s, tok,
			  cJSON_IsNumber(exp) && isfinite(exp->valuedouble)
				  ? exp->valuedouble
				  : 0);
	cJSON_Delete(root);
	return 0;
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	char *part = url_segment(tenant_option(s->t, "partition_global_id"));
	/* sorted by id, so that offsets stay put; at most 1,000 a page (the
	   API refuses more) */
	char *rest = xasprintf("api/User/users/%s?top=%d&skip=%ld&sortBy=Id&"
			       "sortOrder=asc",
			       part, pg->limit > 1000 ? 1000 : pg->limit,
			       pg->offset);
	struct http_request *r = http_request_new("GET", identity_url(s, rest));

	free(rest);
	free(part);
	return r;
}

static enum user_type user_type(double t)
{
	switch ((int)t) {
	case UIPATH_USER:
	case UIPATH_DIRECTORY_USER:
		return USER_HUMAN;
	case UIPATH_ROBOT:
	case UIPATH_ROBOT_ACCOUNT:
		return USER_ROBOT;
	case UIPATH_APPLICATION:
		return USER_APP;
	default:
		return USER_UNKNOWN;
	}
}

/* A member that must be a string when present (null counts as absent). */
static bool opt_string(const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
	return !v || cJSON_IsNull(v) || cJSON_IsString(v);
}

/*
 * Reads one user into u; *name is set when the name had to be built (the
 * caller frees it). Returns NULL, or what was wrong with the user.
 */
static const char *read_user(const cJSON *it, struct user *u, char **name)
{
	const cJSON *type, *active, *invited;
	const char *first, *last;

	memset(u, 0, sizeof(*u));
	*name = NULL;
	if (!cJSON_IsObject(it))
		return "not an object";
	u->id = json_str(it, "id");
	if (!u->id || !*u->id)
		return "no id (a string)";
	type = cJSON_GetObjectItemCaseSensitive(it, "type");
	if (!cJSON_IsNumber(type) || !isfinite(type->valuedouble) ||
	    type->valuedouble != floor(type->valuedouble))
		return "type must be an integer";
	active = cJSON_GetObjectItemCaseSensitive(it, "isActive");
	if (!cJSON_IsBool(active))
		return "isActive must be a boolean";
	if (!opt_string(it, "userName", &u->username) ||
	    !opt_string(it, "email", &u->email) ||
	    !opt_string(it, "displayName", &u->name) ||
	    !opt_string(it, "name", &first) ||
	    !opt_string(it, "surname", &last))
		return "userName, email, name, surname and displayName must "
		       "be strings";
	if (!u->name && (first || last)) {
		*name = xasprintf("%s%s%s", first ? first : "",
				  first && last ? " " : "", last ? last : "");
		u->name = *name;
	}
	u->type = fabs(type->valuedouble) < 1000 ? user_type(type->valuedouble)
						 : USER_UNKNOWN;
	u->status = cJSON_IsTrue(active) ? STATUS_ACTIVE : STATUS_INACTIVE;
	invited = cJSON_GetObjectItemCaseSensitive(it, "invitationAccepted");
	if (cJSON_IsFalse(invited))
		u->flags |= USER_INVITED;
	return NULL;
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	cJSON *root = session_json(r, e);
	const cJSON *total, *results, *it;
	size_t i = 0;

	(void)s;
	(void)pg;
	if (!root)
		return -1;
	total = cJSON_GetObjectItemCaseSensitive(root, "totalCount");
	results = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(total) ||
	    total->valuedouble < 0 || !cJSON_IsArray(results)) {
		cJSON_Delete(root);
		return err_set(e, "expected {\"totalCount\": N, \"results\": "
				  "[users]}");
	}
	cJSON_ArrayForEach(it, results)
	{
		struct user u;
		char *name;
		const char *why = read_user(it, &u, &name);

		if (why) {
			cJSON_Delete(root);
			return err_set(e,
				       "user %zu of the page is malformed: %s",
				       i, why);
		}
		i++;
		/* a directory group in the user list is no user: never
		   planned, whatever the scope says */
		if (cJSON_GetObjectItemCaseSensitive(it, "type")->valuedouble ==
		    UIPATH_DIRECTORY_GROUP) {
			res->skipped++;
			free(name);
			continue;
		}
		userstore_add(out, &u);
		free(name);
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
	struct strbuf sb = STRBUF_INIT;
	struct http_request *r;
	struct jsonw w;
	char *rest;
	size_t i;

	if (n == 1) {
		/* the canary, or a batch of one: the single-user endpoint */
		char *id = url_segment(u[0]->id);

		rest = xasprintf("api/User/%s", id);
		r = http_request_new("DELETE", identity_url(s, rest));
		free(rest);
		free(id);
		return r;
	}
	jsonw_init(&w, &sb, false);
	jsonw_object_begin(&w);
	jsonw_object_string(&w, "partitionGlobalId",
			    tenant_option(s->t, "partition_global_id"));
	jsonw_key(&w, "userIds");
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++)
		jsonw_string(&w, u[i]->id);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	r = http_request_new("DELETE", identity_url(s, "api/User"));
	http_set_json(r, strbuf_detach(&sb, NULL));
	return r;
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	char desc[200];
	size_t i;

	(void)s;
	(void)u;
	if (n == 1) {
		delete_outcome(r, OUTCOME_DELETED, out);
		return;
	}
	/*
	 * One answer for the whole batch: 2xx deleted every user; anything
	 * else says nothing about any one of them, not even a 404 (the
	 * partition may be wrong) or a 2xx web page, so every user of the
	 * batch failed.
	 */
	http_describe(r, desc, sizeof(desc));
	for (i = 0; i < n; i++) {
		out[i].status = r->status;
		if (r->status >= 200 && r->status <= 299 && !http_is_html(r)) {
			out[i].outcome = OUTCOME_DELETED;
			continue;
		}
		out[i].outcome = OUTCOME_FAILED;
		snprintf(out[i].detail, sizeof(out[i].detail),
			 "bulk delete of %zu users failed: %s", n, desc);
	}
}

static const struct vendor_option options[] = {
	{ .key = "partition_global_id",
	  .kind = OPTION_STRING,
	  .required = true },
	{ .key = "identity_path", .kind = OPTION_STRING, .def = "identity_" },
	{ 0 },
};

/*
 * Identity allows 300 GETs and 160 DELETEs per organization in five
 * minutes; half a request a second stays under both. There is no caller
 * to find: a client-credentials token belongs to an application, which
 * is not a user.
 */
const struct vendor vendor_uipath = {
	.name = "uipath",
	.app_credentials = true,
	.auth_hint = "check auth.client_id and auth.client_secret (an "
		     "external application of the organization with the "
		     "PM.User scopes)",
	.auth_types = AUTH_BIT(AUTH_OAUTH2),
	.options = options,
	.defaults = { .concurrency = 2,
		      .requests_per_second = 0.5,
		      .batch_size = 100,
		      .timeout_seconds = 60,
		      .max_attempts = 6 },
	.max_batch = 1000,
	.bulk = true,
	.auth_request = auth_request,
	.auth_response = auth_response,
	.paging = PAGE_OFFSET_TOTAL,
	.page_size = 1000,
	.list_request = list_request,
	.list_response = list_response,
	.delete_request = delete_request,
	.delete_response = delete_response,
};
