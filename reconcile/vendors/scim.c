/*
 * SCIM 2.0 (RFC 7643/7644): any service provider, with Bulk when its
 * ServiceProviderConfig offers it.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reconcile/plan.h"
#include "reconcile/vendors/scim.h"
#include "util/jsonw.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define BULK_SCHEMA  "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
#define PATCH_SCHEMA "urn:ietf:params:scim:api:messages:2.0:PatchOp"

struct scim_state {
	bool bulk;
	int bulk_max;
	size_t max_payload; /* bytes of a Bulk request; 0: no limit given */
	int cursor_page;    /* RFC 9865 maxPageSize; 0: not given */
};

/* ---- shared with Bizagi ---- */

struct http_request *scim_list_request(struct session *s, const char *prefix,
				       const struct page *pg)
{
	char *cursor;
	struct http_request *r;

	if (s->paging != PAGE_CURSOR)
		return http_request_new(
			"GET",
			session_url(s, "%s/Users?startIndex=%ld&count=%d",
				    prefix, pg->offset + 1, pg->limit));
	/* RFC 9865: an empty cursor asks for the first page */
	cursor = url_encode(pg->cursor ? pg->cursor : "");
	r = http_request_new("GET",
			     session_url(s, "%s/Users?cursor=%s&count=%d",
					 prefix, cursor, pg->limit));
	free(cursor);
	return r;
}

/*
 * Every address of emails[] is the user's: the primary one, else the
 * first, is the one shown; the others go into more (NUL-separated, an
 * empty string last).
 */
static const char *read_emails(const cJSON *emails, struct strbuf *more)
{
	const cJSON *it;
	const char *shown = NULL, *first = NULL;
	bool any = false;

	strbuf_reset(more);
	cJSON_ArrayForEach(it, emails)
	{
		const char *v = json_str_nocase(it, "value");

		if (!v || !*v)
			continue;
		if (!first)
			first = v;
		if (!shown && json_bool_nocase(it, "primary", false))
			shown = v;
	}
	if (!shown)
		shown = first;
	cJSON_ArrayForEach(it, emails)
	{
		const char *v = json_str_nocase(it, "value");

		/* linear in the list: a hostile one of a million stays cheap */
		if (!v || !*v || !strcasecmp(v, shown))
			continue;
		strbuf_add(more, v, strlen(v) + 1);
		any = true;
	}
	if (any)
		strbuf_add(more, "", 1);
	return shown;
}

/* Whether word occurs in s (folded) as a word of its own. */
static bool has_word(const char *s, const char *folded, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(folded, word); p; p = strstr(p + 1, word)) {
		size_t i = (size_t)(p - folded);
		/* "AppAccount" and "app_user" hold the word, "happy" not */
		bool starts = !i || !isalpha((unsigned char)s[i - 1]);
		bool ends = !s[i + n] || !islower((unsigned char)s[i + n]);

		if (starts && ends)
			return true;
	}
	return false;
}

/*
 * userType is free text (RFC 7643 4.1.1). The usual words for people
 * are human; a value naming a service, bot, robot or application is an
 * app; anything else is unknown, which is never planned unless the scope
 * names that type.
 */
static enum user_type scim_user_type(const cJSON *res)
{
	static const char *const human[] = { "", "human", "user", "employee" };
	const cJSON *v = json_get_nocase(res, "userType");
	char s[128], folded[128];
	size_t i, n;
	const char *p;

	if (!v || cJSON_IsNull(v))
		return USER_HUMAN;
	if (!cJSON_IsString(v))
		return USER_UNKNOWN;
	for (p = v->valuestring; *p == ' ' || *p == '\t'; p++)
		;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= sizeof(s))
		n = sizeof(s) - 1;
	for (i = 0; i < n; i++) {
		s[i] = p[i];
		folded[i] = (char)tolower((unsigned char)p[i]);
	}
	s[n] = folded[n] = '\0';
	for (i = 0; i < sizeof(human) / sizeof(human[0]); i++)
		if (!strcmp(folded, human[i]))
			return USER_HUMAN;
	if (strstr(folded, "service") || strstr(folded, "bot") ||
	    strstr(folded, "application") || has_word(s, folded, "app") ||
	    has_word(s, folded, "apps"))
		return USER_APP;
	return USER_UNKNOWN;
}

static int scim_user(const cJSON *res, struct user *u, struct strbuf *more)
{
	const cJSON *name, *active, *emails;

	memset(u, 0, sizeof(*u));
	if (!cJSON_IsObject(res))
		return -1;
	u->id = json_str_nocase(res, "id");
	active = json_get_nocase(res, "active");
	emails = json_get_nocase(res, "emails");
	if (!u->id || !*u->id || (active && !cJSON_IsBool(active)) ||
	    (emails && !cJSON_IsArray(emails)))
		return -1;
	u->username = json_str_nocase(res, "userName");
	u->email = read_emails(emails, more);
	u->more_emails = more->len ? more->buf : NULL;
	u->name = json_str_nocase(res, "displayName");
	name = json_get_nocase(res, "name");
	if (!u->name && cJSON_IsObject(name))
		u->name = json_str_nocase(name, "formatted");
	u->type = (uint8_t)scim_user_type(res);
	u->status = !active || cJSON_IsTrue(active) ? STATUS_ACTIVE
						    : STATUS_INACTIVE;
	return 0;
}

int scim_list_response(const struct session *s, const struct http_response *r,
		       struct userstore *out, struct page_result *res,
		       struct err *e)
{
	bool cursor = s->paging == PAGE_CURSOR;
	cJSON *root = session_json(r, e);
	const cJSON *total, *resources, *it, *next;
	struct strbuf more = STRBUF_INIT;
	size_t i = 0;

	if (!root)
		return -1;
	total = json_get_nocase(root, "totalResults");
	resources = json_get_nocase(root, "Resources");
	next = json_get_nocase(root, "nextCursor");
	/* with cursors, the total is optional: a cross-check when given */
	if (!cJSON_IsObject(root) ||
	    ((total || !cursor) &&
	     (!cJSON_IsNumber(total) || total->valuedouble < 0)) ||
	    (resources && !cJSON_IsArray(resources)) ||
	    (cursor && next && !cJSON_IsNull(next) && !cJSON_IsString(next))) {
		cJSON_Delete(root);
		return err_set(e,
			       cursor ? "not a SCIM ListResponse (needs a "
					"Resources list, and nextCursor a "
					"string when present)"
				      : "not a SCIM ListResponse (needs "
					"totalResults and a Resources list)");
	}
	/*
	 * startIndex and itemsPerPage are not read: servers echo wrong
	 * ones (0 and 0 in Okta's sample). The listing keeps its own
	 * offset, and a server that ignores startIndex is caught there:
	 * a page holding only users already listed, fewer distinct users
	 * than totalResults.
	 */
	cJSON_ArrayForEach(it, resources)
	{
		struct user u;

		if (scim_user(it, &u, &more) < 0) {
			strbuf_release(&more);
			cJSON_Delete(root);
			return err_set(e,
				       "user %zu of the page is malformed "
				       "(needs an id; active must be a "
				       "boolean, emails a list)",
				       i);
		}
		userstore_add(out, &u);
		i++;
	}
	strbuf_release(&more);
	res->count = i;
	res->total = !total			 ? -1
		     : total->valuedouble > 1e15 ? (long)1e15
						 : (long)total->valuedouble;
	/* RFC 9865: no nextCursor on the last page */
	if (cursor && cJSON_IsString(next) && *next->valuestring)
		res->next = xstrdup(next->valuestring);
	cJSON_Delete(root);
	return 0;
}

struct http_request *scim_delete_request(struct session *s, const char *prefix,
					 const char *id)
{
	char *enc = url_segment(id);
	struct http_request *r = http_request_new(
		"DELETE", session_url(s, "%s/Users/%s", prefix, enc));

	free(enc);
	return r;
}

struct http_request *scim_patch_active(struct session *s, const char *prefix,
				       const char *id, bool active)
{
	char *enc = url_segment(id);
	struct http_request *r = http_request_new(
		"PATCH", session_url(s, "%s/Users/%s", prefix, enc));

	free(enc);
	http_set_json(r, xasprintf("{\"schemas\":[\"" PATCH_SCHEMA "\"],"
				   "\"Operations\":[{\"op\":\"replace\","
				   "\"path\":\"active\",\"value\":%s}]}",
				   active ? "true" : "false"));
	return r;
}

/* ---- the scim vendor ---- */

/*
 * delete_method: deactivate, or mode: deactivate: PATCH active false
 * instead of DELETE.
 */
static bool patches(const struct tenant *t)
{
	const char *m = tenant_option(t, "delete_method");

	return t->mode == MODE_DEACTIVATE || (m && !strcmp(m, "deactivate"));
}

/* What a deletion does on this server: the options say. */
static bool deactivates(const struct tenant *t)
{
	const char *o = tenant_option(t, "delete_outcome");

	return patches(t) || (o && !strcmp(o, "deactivated"));
}

/*
 * What a deletion does: a PATCH deactivates; a DELETE does what
 * delete_outcome says, and where that is a deactivation, whether the
 * server takes the PATCH that restores it is the server's to say.
 */
static void effect(const struct tenant *t, struct effect *out)
{
	if (patches(t))
		*out = (struct effect){ OUTCOME_DEACTIVATED, "deactivated",
					"restore with userprune restore", 0 };
	else if (deactivates(t))
		*out = (struct effect){
			OUTCOME_DEACTIVATED,
			"deactivated by the server's DELETE",
			"userprune restore asks for it back; some servers "
			"refuse",
			0
		};
	else
		*out = (struct effect){ OUTCOME_DELETED, "deleted",
					"irreversible", 0 };
}

/* The PATCH that deactivated the user, with active true. */
static struct http_request *
restore_request(struct session *s, const struct plan_user *u, enum outcome was)
{
	(void)was;
	return scim_patch_active(s, "", u->id, true);
}

/*
 * 405 or 501: the server has no such method for users, and never will
 * for the next one: blocked, with what to set instead, and nothing more
 * is sent to the tenant.
 */
static bool no_method(long status, bool patch, char *detail, size_t n,
		      const char *desc)
{
	if (status != 405 && status != 501)
		return false;
	snprintf(detail, n,
		 patch ? "the server does not deactivate users with PATCH "
			 "(%.100s): set options.delete_method: delete"
		       : "the server does not delete users with DELETE "
			 "(%.100s): "
			 "set options.delete_method: deactivate to deactivate "
			 "them with PATCH instead",
		 desc);
	return true;
}

static struct scim_state *state(struct session *s)
{
	if (!s->priv)
		s->priv = xcalloc(1, sizeof(struct scim_state));
	return s->priv;
}

static struct http_request *discover_request(struct session *s)
{
	return http_request_new("GET",
				session_url(s, "/ServiceProviderConfig"));
}

/*
 * RFC 9865: a server that offers cursors is listed with them (a cursor
 * names a position that deletions do not move); index paging otherwise.
 */
static void paging(struct session *s, const cJSON *pagination)
{
	struct scim_state *st = state(s);
	const cJSON *max = json_get_nocase(pagination, "maxPageSize");

	s->paging = json_bool_nocase(pagination, "cursor", false)
			    ? PAGE_CURSOR
			    : s->v->paging;
	st->cursor_page = cJSON_IsNumber(max) && max->valuedouble >= 1 &&
					  max->valuedouble < s->v->page_size
				  ? (int)max->valuedouble
				  : 0;
}

static void discover_response(struct session *s, const struct http_response *r)
{
	struct scim_state *st = state(s);
	const char *use = tenant_option(s->t, "use_bulk");
	const cJSON *bulk, *max, *payload;
	struct err e;
	cJSON *root;

	/* the endpoint is optional: without it, no bulk */
	root = r->status == 200 ? session_json(r, &e) : NULL;
	bulk = json_get_nocase(root, "bulk");
	max = json_get_nocase(bulk, "maxOperations");
	payload = json_get_nocase(bulk, "maxPayloadSize");
	st->bulk = false;
	paging(s, json_get_nocase(root, "pagination"));
	/* RFC 7643 5 requires it; 0, absent or nonsense: no known limit */
	st->max_payload = cJSON_IsNumber(payload) && payload->valuedouble >= 1
				  ? payload->valuedouble > 1e12
					    ? (size_t)1e12
					    : (size_t)payload->valuedouble
				  : 0;
	/* deactivations go one PATCH at a time */
	if (json_bool_nocase(bulk, "supported", false) && cJSON_IsNumber(max) &&
	    max->valuedouble >= 1 && !(use && !strcmp(use, "never")) &&
	    !patches(s->t)) {
		st->bulk = true;
		st->bulk_max =
			max->valuedouble > 1000 ? 1000 : (int)max->valuedouble;
		s->batch = s->t->limits.batch_size < st->bulk_max
				   ? s->t->limits.batch_size
				   : st->bulk_max;
	} else {
		s->batch = 1;
	}
	cJSON_Delete(root);
}

static struct http_request *caller_request(struct session *s)
{
	return http_request_new("GET", session_url(s, "/Me"));
}

static int caller_response(struct session *s, const struct http_response *r,
			   struct err *e)
{
	cJSON *root;
	const char *id;

	/* /Me is optional in SCIM: then the caller is unknown */
	if (r->status == 404 || r->status == 501 || r->status == 403 ||
	    r->status == 400)
		return 0;
	root = session_json(r, e);
	if (!root)
		return -1;
	id = json_str_nocase(root, "id");
	if (id && *id)
		session_set_caller(s, id);
	cJSON_Delete(root);
	return 0;
}

static struct http_request *list_request(struct session *s,
					 const struct page *pg)
{
	struct scim_state *st = state(s);
	struct page p = *pg;

	/* a cursor page larger than the server allows is an error */
	if (s->paging == PAGE_CURSOR && st->cursor_page &&
	    p.limit > st->cursor_page)
		p.limit = st->cursor_page;
	return scim_list_request(s, "", &p);
}

static int list_response(struct session *s, const struct page *pg,
			 const struct http_response *r, struct userstore *out,
			 struct page_result *res, struct err *e)
{
	(void)pg;
	return scim_list_response(s, r, out, res, e);
}

/* Operation i of a Bulk request: DELETE user id. */
static void bulk_op(struct jsonw *w, size_t i, const char *id)
{
	char bulk_id[32], *enc = url_segment(id);
	char *path = xasprintf("/Users/%s", enc);

	snprintf(bulk_id, sizeof(bulk_id), "d%zu", i);
	jsonw_object_begin(w);
	jsonw_object_string(w, "method", "DELETE");
	jsonw_object_string(w, "bulkId", bulk_id);
	jsonw_object_string(w, "path", path);
	jsonw_object_end(w);
	free(path);
	free(enc);
}

/* The Bulk request deleting the n users at u, into sb. */
static void bulk_body(struct strbuf *sb, const struct plan_user *const *u,
		      size_t n)
{
	struct jsonw w;
	size_t i;

	jsonw_init(&w, sb, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schemas");
	jsonw_array_begin(&w);
	jsonw_string(&w, BULK_SCHEMA);
	jsonw_array_end(&w);
	jsonw_key(&w, "Operations");
	jsonw_array_begin(&w);
	for (i = 0; i < n; i++)
		bulk_op(&w, i, u[i]->id);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
}

/*
 * The users one request takes: a Bulk request never larger than the
 * server's maxPayloadSize (measured as it will be written), and never an
 * id whose path needs percent-encoding: servers differ in decoding Bulk
 * paths, and one that does not would delete nobody, or someone else.
 * Such an id goes alone, as a DELETE whose path is decoded.
 */
static size_t delete_take(struct session *s, const struct plan_user *const *u,
			  size_t n)
{
	struct scim_state *st = state(s);
	struct strbuf sb = STRBUF_INIT;
	size_t i, size;

	if (n < 2 || url_segment_needs_encoding(u[0]->id))
		return 1;
	bulk_body(&sb, u, 0);
	size = sb.len;
	for (i = 0; i < n && !url_segment_needs_encoding(u[i]->id); i++) {
		struct jsonw w;

		strbuf_reset(&sb);
		jsonw_init(&w, &sb, false);
		bulk_op(&w, i, u[i]->id);
		size += sb.len + (i > 0); /* and a comma */
		if (st->max_payload && size > st->max_payload)
			break;
	}
	strbuf_release(&sb);
	return i ? i : 1;
}

static struct http_request *
delete_request(struct session *s, const struct plan_user *const *u, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	struct http_request *r;

	if (n == 1 && patches(s->t))
		return scim_patch_active(s, "", u[0]->id, false);
	if (n == 1)
		return scim_delete_request(s, "", u[0]->id);
	bulk_body(&sb, u, n);
	r = http_request_new("POST", session_url(s, "/Bulk"));
	http_set_json(r, strbuf_detach(&sb, NULL));
	return r;
}

/* The answer's operation for user i: by bulkId, else by its location. */
static const cJSON *answer_op(const cJSON *ops, size_t i, const char *id)
{
	char bulk_id[32];
	const cJSON *op;

	snprintf(bulk_id, sizeof(bulk_id), "d%zu", i);
	cJSON_ArrayForEach(op, ops)
	{
		const char *b = json_str_nocase(op, "bulkId"), *loc;
		size_t ll, il = strlen(id);

		if (b && !strcmp(b, bulk_id))
			return op;
		loc = json_str_nocase(op, "location");
		if (!b && loc && (ll = strlen(loc)) > il &&
		    !strcmp(loc + ll - il, id) && loc[ll - il - 1] == '/')
			return op;
	}
	return NULL;
}

static void delete_response(struct session *s, const struct plan_user *const *u,
			    size_t n, const struct http_response *r,
			    struct delete_result *out)
{
	enum outcome done =
		deactivates(s->t) ? OUTCOME_DEACTIVATED : OUTCOME_DELETED;
	const cJSON *ops, *op, *st;
	char desc[160];
	struct err e;
	cJSON *root;
	size_t i;

	if (n == 1) {
		delete_outcome(r, done, out);
		http_describe(r, desc, sizeof(desc));
		if (no_method(r->status, patches(s->t), out->detail,
			      sizeof(out->detail), desc)) {
			out->outcome = OUTCOME_BLOCKED;
			out->stop_tenant = true;
		}
		return;
	}
	if (r->status == 413) {
		/* RFC 7644 3.7.4: too large, nothing in it was processed */
		http_describe(r, desc, sizeof(desc));
		for (i = 0; i < n; i++) {
			out[i].outcome = OUTCOME_FAILED;
			out[i].status = r->status;
			out[i].resend = true;
			snprintf(out[i].detail, sizeof(out[i].detail),
				 "the bulk request was refused as too large, "
				 "nothing in it was done: %s",
				 desc);
		}
		return;
	}
	root = session_json(r, &e);
	ops = json_get_nocase(root, "Operations");
	for (i = 0; i < n; i++) {
		long status = 0;

		op = cJSON_IsArray(ops) ? answer_op(ops, i, u[i]->id) : NULL;
		st = json_get_nocase(op, "status");
		if (cJSON_IsString(st))
			status = strtol(st->valuestring, NULL, 10);
		else if (cJSON_IsNumber(st) && fabs(st->valuedouble) < 1000)
			status = (long)st->valuedouble;
		if (!status) {
			/* no word on this user: it may or may not be gone */
			out[i].outcome = OUTCOME_FAILED;
			out[i].status = r->status;
			snprintf(out[i].detail, sizeof(out[i].detail),
				 "bulk answer has no status for this "
				 "user%s%.200s",
				 root ? "" : ": ", root ? "" : e.msg);
			continue;
		}
		out[i].status = status;
		out[i].outcome = outcome_for_status(status, done);
		snprintf(desc, sizeof(desc), "bulk operation status %ld",
			 status);
		if (no_method(status, false, out[i].detail,
			      sizeof(out[i].detail), desc)) {
			out[i].outcome = OUTCOME_BLOCKED;
			out[i].stop_tenant = true;
		} else if (out[i].outcome != done) {
			snprintf(out[i].detail, sizeof(out[i].detail), "%s",
				 desc);
		}
	}
	cJSON_Delete(root);
}

static const struct vendor_option options[] = {
	{ .key = "use_bulk",
	  .kind = OPTION_ENUM,
	  .choices = "auto|never",
	  .def = "auto" },
	/* what DELETE does differs per provider: the file says */
	{ .key = "delete_method",
	  .kind = OPTION_ENUM,
	  .choices = "delete|deactivate",
	  .def = "delete" },
	{ .key = "delete_outcome",
	  .kind = OPTION_ENUM,
	  .choices = "deleted|deactivated",
	  .def = "deleted" },
	{ 0 },
};

/* SCIM publishes no rate limits: no fixed rate, adapt to 429 answers. */
/* the url is the service's base: its endpoints are added to it */
static const char *const api_paths[] = { "/Users",  "/Me",
					 "/Bulk",   "/ServiceProviderConfig",
					 "/Groups", NULL };

const struct vendor vendor_scim = {
	.name = "scim",
	.api_paths = api_paths,
	.auth_types = AUTH_BIT(AUTH_BEARER) | AUTH_BIT(AUTH_BASIC) |
		      AUTH_BIT(AUTH_OAUTH2),
	.auth_hint = "check auth.token (the bearer token from the service's "
		     "SCIM settings: such tokens expire or are revoked, and "
		     "some are for one environment only), or auth.username "
		     "and auth.password, or auth.client_id and "
		     "auth.client_secret, as auth.type says",
	.options = options,
	.defaults = { .concurrency = 4,
		      .requests_per_second = 0,
		      .batch_size = 100,
		      .timeout_seconds = 30,
		      .max_attempts = 6 },
	.max_batch = 1000,
	.bulk = true,
	.deactivation = true,
	.deactivates = deactivates,
	.delete_take = delete_take,
	.discover_request = discover_request,
	.discover_response = discover_response,
	.caller_request = caller_request,
	.caller_response = caller_response,
	.paging = PAGE_OFFSET_TOTAL,
	.page_size = 1000,
	.list_request = list_request,
	.list_response = list_response,
	.delete_request = delete_request,
	.delete_response = delete_response,
	.effect = effect,
	.restorable = OUTCOME_BIT(OUTCOME_DEACTIVATED),
	.restore_request = restore_request,
};
