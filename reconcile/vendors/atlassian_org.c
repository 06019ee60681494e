/*
 * Atlassian Cloud organization: the Admin API v2 over an organization's
 * directories (every site and product), with an organization API key.
 *
 * Pages are linked by links.next, a URL (followed only on the tenant's
 * origin, where the key goes) or a bare cursor token (asked for with
 * cursor=); a missing or null link is the end. Closed accounts are gone:
 * skipped. What a deletion does is options.delete_action: remove from the
 * directory (deleted), suspend (deactivated, restorable), or delete the
 * managed account (scheduled: deactivated now, deleted after 14 days,
 * cancellable until then). Only managed accounts can be deleted that way:
 * the listing remembers the others, which are then never planned. The
 * key belongs to no user, so the caller is unknown.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "reconcile/plan.h"
#include "reconcile/session.h"
#include "reconcile/vendors/vendor.h"
#include "util/arena.h"
#include "util/hmap.h"
#include "util/url.h"
#include "util/xalloc.h"

#define PAGE_LIMIT 100 /* the API's largest */
#define GRACE_DAYS 14  /* between a lifecycle delete and the end */

enum action { ACTION_REMOVE, ACTION_SUSPEND, ACTION_DELETE };

/* Why an account cannot be deleted (values in struct org_state). */
enum claim { CLAIM_UNMANAGED = 1, CLAIM_UNKNOWN };

struct org_state {
	/* accounts of the last listing that are not managed (delete only) */
	struct hmap unclaimed;
	struct arena ids;
};

/*
 * The tenant's deletion: mode deactivate suspends, whatever
 * delete_action says; else delete_action.
 */
static enum action action_of(const struct tenant *t)
{
	const char *a = tenant_option(t, "delete_action");

	if (t->mode == MODE_DEACTIVATE || (a && !strcmp(a, "suspend")))
		return ACTION_SUSPEND;
	if (a && !strcmp(a, "delete"))
		return ACTION_DELETE;
	return ACTION_REMOVE;
}

static struct org_state *state(struct session *s)
{
	struct org_state *st = s->priv;

	if (!st) {
		st = s->priv = xcalloc(1, sizeof(*st));
		hmap_init(&st->unclaimed);
		arena_init(&st->ids);
	}
	return st;
}

static void forget_unclaimed(struct org_state *st)
{
	hmap_release(&st->unclaimed);
	arena_release(&st->ids);
	hmap_init(&st->unclaimed);
	arena_init(&st->ids);
}

static void session_release(struct session *s)
{
	struct org_state *st = s->priv;

	hmap_release(&st->unclaimed);
	arena_release(&st->ids);
}

/* {url}/admin/v2/orgs/{orgId}/directories/{directoryId}/users */
static char *users_url(const struct session *s)
{
	const char *dir = tenant_option(s->t, "directory_id");
	char *org = url_segment(tenant_option(s->t, "org_id")),
	     *d = url_segment(dir ? dir : "-"), *url;

	url = session_url(s, "/admin/v2/orgs/%s/directories/%s/users", org, d);
	free(org);
	free(d);
	return url;
}

/*
 * The origin of the tenant's url (scheme and authority): the user
 * management API is not under the admin one but beside it, on
 * api.atlassian.com.
 */
static char *origin_of(const struct session *s)
{
	const char *u = s->t->url, *p = strstr(u, "://");
	const char *end = p ? strchr(p + 3, '/') : NULL;

	return end ? xstrndup(u, (size_t)(end - u)) : xstrdup(u);
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	char *base, *url;

	if (pg->cursor)
		return http_request_new("GET", xstrdup(pg->cursor));
	base = users_url(s);
	url = xasprintf("%s?limit=%d", base,
			pg->limit > 0 && pg->limit < PAGE_LIMIT ? pg->limit
								: PAGE_LIMIT);
	free(base);
	return http_request_new("GET", url);
}

/* ---- users ---- */

/* A member that must be a string when present (null counts as absent). */
static bool opt_string(const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
	return !v || cJSON_IsNull(v) || cJSON_IsString(v);
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

/* What read_user decided about one entry of the page. */
enum entry { ENTRY_USER, ENTRY_GONE };

/*
 * Reads one user into u (its strings borrowed from it) and *claim (0:
 * managed). Returns NULL, or what was wrong with the user.
 */
static const char *read_user(const cJSON *it, enum action action,
			     struct user *u, enum entry *entry, int *claim)
{
	const char *account, *membership, *claimed, *type;
	const cJSON *fordel, *apptype;

	memset(u, 0, sizeof(*u));
	*entry = ENTRY_USER;
	*claim = 0;
	if (!cJSON_IsObject(it))
		return "not an object";
	if (!opt_string(it, "accountId", &u->id) || !u->id)
		return "accountId must be a non-empty string";
	if (!opt_string(it, "accountStatus", &account) || !account)
		return "accountStatus must be a string";
	if (!opt_string(it, "email", &u->email) ||
	    !opt_string(it, "name", &u->name) ||
	    !opt_string(it, "accountType", &type) ||
	    !opt_string(it, "membershipStatus", &membership) ||
	    !opt_string(it, "claimStatus", &claimed))
		return "email, name, accountType, membershipStatus and "
		       "claimStatus must be strings";
	fordel = cJSON_GetObjectItemCaseSensitive(it, "forDeletion");
	if (fordel && !cJSON_IsBool(fordel) && !cJSON_IsNull(fordel))
		return "forDeletion must be a boolean";
	/* a closed account is gone; "unknown" is a corrupted record */
	if (!strcmp(account, "closed") || !strcmp(u->id, "unknown")) {
		*entry = ENTRY_GONE;
		return NULL;
	}
	/*
	 * In none of the organization's directories: removing or suspending
	 * has nothing left to do (it is how a removed user may still be
	 * listed), but a managed account can still be deleted.
	 */
	if (membership && !strcmp(membership, "no_membership") &&
	    action != ACTION_DELETE) {
		*entry = ENTRY_GONE;
		return NULL;
	}
	/* a service account or an agent: an app, whatever accountType says */
	apptype = cJSON_GetObjectItemCaseSensitive(it, "appType");
	u->type = apptype && !cJSON_IsNull(apptype) ? USER_APP
						    : account_type(type);
	if (cJSON_IsTrue(fordel))
		u->status = STATUS_PENDING_DELETION;
	else if (!strcmp(account, "active") &&
		 (!membership || !strcmp(membership, "active")))
		u->status = STATUS_ACTIVE;
	else
		/* inactive, suspended, no membership, or a value not known
		   yet: not active */
		u->status = STATUS_INACTIVE;
	if (action == ACTION_DELETE &&
	    !(claimed && !strcmp(claimed, "managed")))
		*claim = claimed && !strcmp(claimed, "unmanaged")
				 ? CLAIM_UNMANAGED
				 : CLAIM_UNKNOWN;
	return NULL;
}

static bool is_url(const char *s)
{
	return !strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7);
}

/*
 * The next page's URL from links.next into *out (NULL at the end), or -1
 * with the reason: a link is followed only on the tenant's origin.
 */
static int next_page(struct session *s, const cJSON *next, char **out,
		     struct err *e)
{
	char *base, *token;

	*out = NULL;
	if (!cJSON_IsString(next) || !*next->valuestring)
		return 0;
	if (is_url(next->valuestring)) {
		if (!url_same_origin(next->valuestring, s->t->url))
			return err_set(e,
				       "the next page's link '%.300s' is not "
				       "on the tenant's origin (%.200s): not "
				       "followed",
				       next->valuestring, s->t->url);
		*out = xstrdup(next->valuestring);
		return 0;
	}
	base = users_url(s);
	token = url_encode(next->valuestring);
	*out = xasprintf("%s?limit=%d&cursor=%s", base, PAGE_LIMIT, token);
	free(token);
	free(base);
	return 0;
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	struct org_state *st = state(s);
	enum action action = action_of(s->t);
	cJSON *root = session_json(r, e);
	const cJSON *data, *links, *next = NULL, *it;
	size_t i = 0, gone = 0;
	char *link = NULL;
	int rc = -1;

	/* a new listing: the old one's accounts say nothing any more */
	if (!pg->cursor)
		forget_unclaimed(st);
	if (!root)
		return -1;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	links = cJSON_GetObjectItemCaseSensitive(root, "links");
	if (cJSON_IsObject(links))
		next = cJSON_GetObjectItemCaseSensitive(links, "next");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(data) ||
	    (links && !cJSON_IsObject(links) && !cJSON_IsNull(links)) ||
	    (next && !cJSON_IsString(next) && !cJSON_IsNull(next))) {
		err_set(e, "expected {\"data\": [users], \"links\": {\"next\": "
			   "URL, cursor or null}}");
		goto out;
	}
	if (next_page(s, next, &link, e) < 0)
		goto out;
	cJSON_ArrayForEach(it, data)
	{
		struct user u;
		enum entry entry;
		int claim, inserted;
		const char *why = read_user(it, action, &u, &entry, &claim);

		if (why) {
			err_set(e, "user %zu of the page is malformed: %s", i,
				why);
			goto out;
		}
		i++;
		if (entry == ENTRY_GONE) {
			gone++;
			continue;
		}
		/* the first of two entries with one id is the user */
		if (userstore_add(out, &u) == 0 && claim)
			hmap_put(&st->unclaimed, arena_strdup(&st->ids, u.id),
				 strlen(u.id), (uint32_t)claim, &inserted);
	}
	res->count = i;
	res->skipped = gone;
	res->next = link;
	link = NULL;
	rc = 0;
out:
	free(link);
	cJSON_Delete(root);
	return rc;
}

/* ---- deletion ---- */

static const char *user_blocked(struct session *s, const struct user *u)
{
	struct org_state *st = s->priv;
	uint32_t *claim;

	if (!st || action_of(s->t) != ACTION_DELETE)
		return NULL;
	claim = hmap_get(&st->unclaimed, u->id, strlen(u->id));
	if (!claim)
		return NULL;
	if (*claim == CLAIM_UNMANAGED)
		return "an unmanaged account (claimStatus unmanaged): "
		       "delete_action: delete deletes managed accounts only, "
		       "remove would take it out of the organization";
	return "the listing does not say that the organization manages this "
	       "account (claimStatus missing or unknown): delete_action: "
	       "delete deletes managed accounts only";
}

static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	char *id = url_segment(u[0]->id), *base = NULL, *url;
	struct http_request *r;

	(void)n;
	switch (action_of(s->t)) {
	case ACTION_SUSPEND:
		base = users_url(s);
		url = xasprintf("%s/%s/suspend", base, id);
		r = http_request_new("POST", url);
		break;
	case ACTION_DELETE:
		base = origin_of(s);
		url = xasprintf("%s/users/%s/manage/lifecycle/delete", base,
				id);
		r = http_request_new("POST", url);
		break;
	case ACTION_REMOVE:
	default:
		base = users_url(s);
		url = xasprintf("%s/%s", base, id);
		r = http_request_new("DELETE", url);
		break;
	}
	free(base);
	free(id);
	return r;
}

/*
 * Undoing: a suspension is restored in the directory, a lifecycle
 * delete is cancelled (within its grace period).
 */
static struct http_request *
restore_request(struct session *s, const struct plan_user *u, enum outcome was)
{
	char *id = url_segment(u->id), *base, *url;

	if (was == OUTCOME_SCHEDULED) {
		base = origin_of(s);
		url = xasprintf("%s/users/%s/manage/lifecycle/cancel-delete",
				base, id);
	} else {
		base = users_url(s);
		url = xasprintf("%s/%s/restore", base, id);
	}
	free(base);
	free(id);
	return http_request_new("POST", url);
}

/* The day a lifecycle delete sent now becomes final, as YYYY-MM-DD. */
static void final_day(char *buf, size_t n)
{
	time_t when = time(NULL) + (time_t)GRACE_DAYS * 86400;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	char day[16], why[sizeof(out->detail)];

	(void)u;
	(void)n;
	switch (action_of(s->t)) {
	case ACTION_SUSPEND:
		delete_outcome(r, OUTCOME_DEACTIVATED, out);
		if (out->outcome == OUTCOME_DEACTIVATED)
			snprintf(out->detail, sizeof(out->detail),
				 "suspended: no access to any product until "
				 "restored");
		break;
	case ACTION_DELETE:
		delete_outcome(r, OUTCOME_SCHEDULED, out);
		if (out->outcome == OUTCOME_SCHEDULED) {
			final_day(day, sizeof(day));
			snprintf(out->detail, sizeof(out->detail),
				 "scheduled: the account is deactivated now "
				 "and deleted after %d days, on %s (UTC); "
				 "cancel-delete restores it until then",
				 GRACE_DAYS, day);
		} else if (r->status == 403) {
			snprintf(why, sizeof(why), "%s", out->detail);
			snprintf(out->detail, sizeof(out->detail),
				 "%.120s (deleting an account needs an API key "
				 "with the lifecycle.delete privilege, and a "
				 "managed account)",
				 why);
		}
		break;
	case ACTION_REMOVE:
	default:
		delete_outcome(r, OUTCOME_DELETED, out);
		if (out->outcome == OUTCOME_DELETED)
			snprintf(out->detail, sizeof(out->detail),
				 "removed from the organization: no access to "
				 "any product; invite the user again to undo");
		break;
	}
}

static void effect(const struct tenant *t, struct effect *out)
{
	switch (action_of(t)) {
	case ACTION_SUSPEND:
		*out = (struct effect){ OUTCOME_DEACTIVATED, "deactivated",
					"restore with userprune restore", 0 };
		break;
	case ACTION_DELETE:
		*out = (struct effect){ OUTCOME_SCHEDULED,
					"scheduled for deletion",
					"cancellable until", GRACE_DAYS };
		break;
	case ACTION_REMOVE:
	default:
		*out = (struct effect){ OUTCOME_DELETED,
					"removed from the organization",
					"re-invite to undo", 0 };
		break;
	}
}

/* What the planned deletions do, where a reviewer reads it. */
static void plan_tenant(const struct tenant *t, struct tenant_plan *tp)
{
	if (!tp->ndel)
		return;
	switch (action_of(t)) {
	case ACTION_SUSPEND:
		if (t->mode == MODE_DEACTIVATE)
			tenant_plan_warn(tp,
					 "mode: deactivate: the %zu users are "
					 "suspended and lose access to every "
					 "product until restored ('userprune "
					 "restore JOURNAL')",
					 tp->ndel);
		else
			tenant_plan_warn(
				tp,
				"delete_action: suspend: the %zu users "
				"lose access to every product until "
				"restored; suspended users are "
				"inactive and are planned again unless "
				"the scope excludes status inactive",
				tp->ndel);
		break;
	case ACTION_DELETE:
		tenant_plan_warn(tp,
				 "delete_action: delete: the %zu accounts are "
				 "deactivated at once and deleted for good "
				 "after %d days (cancel-delete restores them "
				 "until then); where the organization uses "
				 "SAML single sign-on or provisioning from an "
				 "identity provider, remove them there too, "
				 "or it can re-activate them",
				 tp->ndel, GRACE_DAYS);
		break;
	case ACTION_REMOVE:
	default:
		tenant_plan_warn(tp,
				 "delete_action: remove: the %zu users are "
				 "removed from the organization (no access to "
				 "any product, billing stops); to come back "
				 "they must be invited again",
				 tp->ndel);
		break;
	}
}

static const struct vendor_option options[] = {
	{ .key = "org_id", .kind = OPTION_STRING, .required = true },
	/* "-": every directory the key may manage */
	{ .key = "directory_id", .kind = OPTION_STRING, .def = "-" },
	{ .key = "delete_action",
	  .kind = OPTION_ENUM,
	  .choices = "remove|suspend|delete",
	  .def = "remove" },
	{ 0 },
};

/* Rate limits are not published: 429 answers carry X-RateLimit-*. */
/* the url is the API's origin: the admin paths are added to it */
static const char *const api_paths[] = { "/admin/v2", "/admin/v1", "/admin",
					 NULL };

const struct vendor vendor_atlassian_org = {
	.name = "atlassian-org",
	.api_paths = api_paths,
	.default_url = "https://api.atlassian.com",
	.auth_hint = "check auth.token (an organization API key from "
		     "admin.atlassian.com, Settings, API keys: keys expire, "
		     "and a key serves one organization, the one of "
		     "options.org_id)",
	.auth_types = AUTH_BIT(AUTH_BEARER),
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 10,
		      .batch_size = 1,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1,
	.app_credentials = true,
	.deactivation = true,
	.paging = PAGE_CURSOR,
	.page_size = PAGE_LIMIT,
	.list_request = list_request,
	.list_response = list_response,
	.user_blocked = user_blocked,
	.delete_request = delete_request,
	.delete_response = delete_response,
	.effect = effect,
	.restorable = OUTCOME_BIT(OUTCOME_DEACTIVATED) |
		      OUTCOME_BIT(OUTCOME_SCHEDULED),
	.restore_request = restore_request,
	.plan_tenant = plan_tenant,
	.session_release = session_release,
};
