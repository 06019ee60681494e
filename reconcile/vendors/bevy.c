/*
 * Bevy: Django REST Framework style API with a Token header; deletes are
 * soft (scheduled for seven days).
 *
 * Resources are singular (/api/user/{id}/). Pages are numbered and each
 * answer links the next one with an absolute URL, under "links" (or at
 * the top level: both are seen). The token goes with every request, so a
 * link is followed only when it stays on the tenant's origin (scheme,
 * host and port): anything else fails the listing, and so does a link
 * seen before (reconcile/list.c). Single deletes go out in groups of batch_size with a
 * pause in between (apply.c), as Bevy recommends.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/plan.h"
#include "reconcile/session.h"
#include "reconcile/vendors/vendor.h"
#include "util/strbuf.h"
#include "util/url.h"
#include "util/xalloc.h"

/*
 * Users asked for per page. Every request counts against the daily budget
 * of 10,000, so pages are large; DRF lowers page_size to the API's
 * max_page_size by itself, and the next links carry what it chose.
 */
#define PAGE_SIZE 1000

/* options.users_path with exactly one slash at each end, in a new string. */
static char *users_path(const struct session *s)
{
	const char *p = tenant_option(s->t, "users_path");
	size_t len;

	if (!p)
		p = "/user/";
	while (*p == '/')
		p++;
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	return len ? xasprintf("/%.*s/", (int)len, p) : xstrdup("/");
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	char *path;
	struct http_request *r;

	if (pg->cursor)
		return http_request_new("GET", xstrdup(pg->cursor));
	path = users_path(s);
	r = http_request_new("GET", session_url(s, "%s?page=1&page_size=%d",
						path, pg->limit));
	free(path);
	return r;
}

/* ---- users ---- */

/* A member that must be a string when present (null counts as absent). */
static bool opt_string(const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
	return !v || cJSON_IsNull(v) || cJSON_IsString(v);
}

/*
 * Reads one user into u: its id is written into idbuf, a name built from
 * first and last name into *name (the caller frees it). Returns NULL, or
 * what was wrong with the user.
 */
static const char *read_user(const cJSON *it, struct user *u, char *idbuf,
			     size_t idlen, char **name)
{
	const cJSON *id, *active;
	const char *first, *last;

	memset(u, 0, sizeof(*u));
	*name = NULL;
	if (!cJSON_IsObject(it))
		return "not an object";
	id = cJSON_GetObjectItemCaseSensitive(it, "id");
	if (!cJSON_IsNumber(id) || !isfinite(id->valuedouble) ||
	    id->valuedouble != floor(id->valuedouble) ||
	    fabs(id->valuedouble) >= 9007199254740992.0)
		return "id must be an integer";
	snprintf(idbuf, idlen, "%.0f", id->valuedouble);
	u->id = idbuf;
	active = cJSON_GetObjectItemCaseSensitive(it, "is_active");
	if (!cJSON_IsBool(active))
		return "is_active must be a boolean";
	if (!opt_string(it, "email", &u->email) ||
	    !opt_string(it, "username", &u->username) ||
	    !opt_string(it, "first_name", &first) ||
	    !opt_string(it, "last_name", &last))
		return "email, username, first_name and last_name must be "
		       "strings";
	if (first || last) {
		*name = xasprintf("%s%s%s", first ? first : "",
				  first && last ? " " : "", last ? last : "");
		u->name = *name;
	}
	/* Bevy has no account types: every user is a person */
	u->type = USER_HUMAN;
	u->status = cJSON_IsTrue(active) ? STATUS_ACTIVE : STATUS_INACTIVE;
	return NULL;
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	cJSON *root = session_json(r, e);
	const cJSON *count, *links, *next, *results, *it;
	size_t i = 0;
	int rc = -1;

	(void)pg;

	if (!root)
		return -1;
	count = cJSON_GetObjectItemCaseSensitive(root, "count");
	links = cJSON_GetObjectItemCaseSensitive(root, "links");
	/* links.next, or a top-level next (both are seen) */
	next = cJSON_GetObjectItemCaseSensitive(
		cJSON_IsObject(links) ? links : root, "next");
	results = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (!cJSON_IsObject(root) ||
	    (count && (!cJSON_IsNumber(count) || count->valuedouble < 0)) ||
	    !cJSON_IsArray(results) ||
	    !(!next || cJSON_IsNull(next) || cJSON_IsString(next))) {
		err_set(e, "expected {\"results\": [users], \"links\": "
			   "{\"next\": URL or null}} (or a top-level \"next\"; "
			   "\"count\" a number when given)");
		goto out;
	}
	if (cJSON_IsString(next)) {
		if (!url_same_origin(next->valuestring, s->t->url)) {
			err_set(e,
				"the next page's link '%.300s' is not on the "
				"tenant's origin (%.200s): not followed",
				next->valuestring, s->t->url);
			goto out;
		}
	}
	cJSON_ArrayForEach(it, results)
	{
		struct user u;
		char idbuf[32], *name;
		const char *why =
			read_user(it, &u, idbuf, sizeof(idbuf), &name);

		if (why) {
			err_set(e, "user %zu of the page is malformed: %s", i,
				why);
			goto out;
		}
		userstore_add(out, &u);
		free(name);
		i++;
	}
	res->count = i;
	res->total = !count			 ? -1
		     : count->valuedouble > 1e15 ? (long)1e15
						 : (long)count->valuedouble;
	res->next = cJSON_IsString(next) ? xstrdup(next->valuestring) : NULL;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	char *id = url_segment(u[0]->id), *path = users_path(s);
	struct http_request *r;

	(void)n;
	r = http_request_new("DELETE", session_url(s, "%s%s/", path, id));
	free(path);
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
	delete_outcome(r, OUTCOME_SCHEDULED, out);
	if (out->outcome == OUTCOME_SCHEDULED)
		snprintf(out->detail, sizeof(out->detail),
			 "scheduled: Bevy removes the user after 7 days; "
			 "the deletion can be cancelled until then");
}

static const struct vendor_option options[] = {
	{ .key = "users_path", .kind = OPTION_STRING, .def = "/user/" },
	{ .key = "batch_pause_seconds", .kind = OPTION_INT, .def = "1" },
	{ 0 },
};

/*
 * A soft delete, removed after seven days and cancellable in Bevy until
 * then; the cancel call's path is not known, so userprune cannot undo it.
 */
#define GRACE_DAYS 7

static void effect(const struct tenant *t, struct effect *out)
{
	(void)t;
	*out = (struct effect){ OUTCOME_SCHEDULED, "scheduled for deletion",
				"cancellable in Bevy until", GRACE_DAYS };
}

/*
 * 10,000 authenticated requests a day; batches of at most 250 users. The
 * token's owner cannot be found through the API: it must be protected by
 * the file.
 */
const struct vendor vendor_bevy = {
	.name = "bevy",
	.auth_types = AUTH_BIT(AUTH_TOKEN),
	.auth_hint = "check auth.token (the site's API key, sent as "
		     "\"Authorization: Token KEY\")",
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 5,
		      .daily_request_budget = 10000,
		      .batch_size = 250,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 250,
	.grouped = true,
	.paging = PAGE_CURSOR,
	.page_size = PAGE_SIZE,
	.list_request = list_request,
	.list_response = list_response,
	.delete_request = delete_request,
	.delete_response = delete_response,
	.effect = effect,
	.no_restore = "Bevy's cancel call is not known to userprune: cancel "
		      "the deletion in Bevy",
};
