/*
 * Atlassian Cloud (Jira, Confluence): REST API v3 with an API token.
 *
 * The user search answers a bare JSON array without a total, and may
 * answer fewer users than asked for before the end: only an empty page
 * ends the listing. Deletion is single; 400 means the user cannot be
 * removed. url is the site (https://acme.atlassian.net) or, for scoped
 * and service-account tokens, https://api.atlassian.com/ex/jira/CLOUDID:
 * the paths below go after either. Site limits are per tenant and
 * method (DELETE 50 a second at most, shared with every other app and
 * token of the site): userprune's default stays at 10.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan.h"
#include "reconcile/session.h"
#include "reconcile/vendors/vendor.h"
#include "util/xalloc.h"

static struct http_request *caller_request(struct session *s)
{
	return http_request_new("GET", session_url(s, "/rest/api/3/myself"));
}

static int caller_response(struct session *s, const struct http_response *r,
			   struct err *e)
{
	cJSON *root = session_json(r, e);
	const char *id;

	if (!root)
		return -1;
	id = json_str(root, "accountId");
	if (!id || !*id) {
		cJSON_Delete(root);
		return err_set(e, "the answer has no accountId");
	}
	session_set_caller(s, id);
	cJSON_Delete(root);
	return 0;
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	return http_request_new("GET", session_url(s,
						   "/rest/api/3/users/search?"
						   "startAt=%ld&maxResults=%d",
						   pg->offset, pg->limit));
}

static enum user_type account_type(const char *t)
{
	if (!t)
		return USER_UNKNOWN;
	if (!strcmp(t, "atlassian"))
		return USER_HUMAN;
	if (!strcmp(t, "app"))
		return USER_APP;
	if (!strcmp(t, "customer"))
		return USER_CUSTOMER;
	return USER_UNKNOWN;
}

/* The members a user is read from; each the first of its name. */
struct account {
	const cJSON *id, *email, *active, *name, *type, *app;
};

static const cJSON **account_member(struct account *a, const char *key)
{
	switch (key[0]) {
	case 'a':
		return !strcmp(key, "accountId")     ? &a->id
		       : !strcmp(key, "active")	     ? &a->active
		       : !strcmp(key, "accountType") ? &a->type
		       : !strcmp(key, "appType")     ? &a->app
						     : NULL;
	case 'd':
		return strcmp(key, "displayName") ? NULL : &a->name;
	case 'e':
		return strcmp(key, "emailAddress") ? NULL : &a->email;
	default:
		return NULL;
	}
}

/* One walk over a user's members (a page holds a thousand users). */
static void account_read(const cJSON *it, struct account *a)
{
	const cJSON *m, **slot;

	memset(a, 0, sizeof(*a));
	cJSON_ArrayForEach(m, it)
	{
		if (m->string && (slot = account_member(a, m->string)) &&
		    !*slot)
			*slot = m;
	}
}

static const char *string_of(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	cJSON *root = session_json(r, e);
	const cJSON *it;
	struct account a;
	size_t i = 0;

	(void)s;
	(void)pg;
	if (!root)
		return -1;
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return err_set(e, "expected a JSON array of users");
	}
	cJSON_ArrayForEach(it, root)
	{
		struct user u = { 0 };

		account_read(it, &a);
		u.id = string_of(a.id);
		if (!cJSON_IsObject(it) || !u.id || !*u.id ||
		    (a.email && !cJSON_IsString(a.email) &&
		     !cJSON_IsNull(a.email)) ||
		    !cJSON_IsBool(a.active)) {
			cJSON_Delete(root);
			return err_set(e,
				       "user %zu of the page is malformed "
				       "(needs accountId, active and "
				       "emailAddress)",
				       i);
		}
		i++;
		/* a corrupted record of a deleted user: never a user to plan */
		if (!strcmp(u.id, "unknown")) {
			res->skipped++;
			continue;
		}
		u.email = string_of(a.email);
		u.name = string_of(a.name);
		u.type = account_type(string_of(a.type));
		/* service accounts and agents, whatever accountType says */
		if (a.app)
			u.type = USER_APP;
		u.status = cJSON_IsTrue(a.active) ? STATUS_ACTIVE
						  : STATUS_INACTIVE;
		userstore_add(out, &u);
	}
	res->count = i;
	cJSON_Delete(root);
	return 0;
}

static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	char *id = url_encode(u[0]->id);
	struct http_request *r;

	(void)n;
	r = http_request_new(
		"DELETE", session_url(s, "/rest/api/3/user?accountId=%s", id));
	free(id);
	return r;
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	(void)s;
	(void)u;
	(void)n;
	delete_outcome(r, OUTCOME_DELETED, out);
}

static const struct vendor_option options[] = {
	/* users provisioned by an identity provider come back on next sync */
	{ .key = "scim_managed", .kind = OPTION_BOOL, .def = "false" },
	{ 0 },
};

/* The user leaves the site's user base; the Atlassian account survives. */
static void effect(const struct tenant *t, struct effect *out)
{
	(void)t;
	*out = (struct effect){ OUTCOME_DELETED, "removed from the site",
				"re-invite to undo", 0 };
}

/* a url ending in one of these names the API, not the site */
static const char *const api_paths[] = { "/rest/api/3", "/rest/api/2",
					 "/rest/api/latest", "/rest/api",
					 NULL };

const struct vendor vendor_atlassian = {
	.name = "atlassian",
	.api_paths = api_paths,
	.auth_types = AUTH_BIT(AUTH_BASIC),
	.auth_hint = "check auth.username (the account's email address) and "
		     "auth.password (an API token: tokens expire within a "
		     "year, and may have been revoked)",
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 10,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
	.caller_request = caller_request,
	.caller_response = caller_response,
	.paging = PAGE_OFFSET_UNTIL_EMPTY,
	.page_size = 1000,
	.list_request = list_request,
	.list_response = list_response,
	.delete_request = delete_request,
	.delete_response = delete_response,
	.effect = effect,
};
