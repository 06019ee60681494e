/*
 * Atlassian Cloud (Jira REST API v3): Basic auth, bare-array pages that
 * the server may cut short, removal by accountId.
 */
#include <string.h>

#include "emu.h"

#define DEFAULT_MAX_RESULTS 50

static bool listed(const struct emu_user *u)
{
	return u->status != EMU_PENDING;
}

static void error(struct emu_req *r, int status, const char *msg)
{
	struct jsonw w;

	strbuf_reset(&r->out);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "errorMessages");
	jsonw_array_begin(&w);
	jsonw_string(&w, msg);
	jsonw_array_end(&w);
	jsonw_key(&w, "errors");
	jsonw_raw(&w, "{}");
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json;charset=UTF-8");
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	static const char *const types[] = { "atlassian", "app", "app",
					     "customer", "unknown" };
	struct strbuf self = STRBUF_INIT;

	strbuf_addf(&self, "%s/rest/api/3/user?accountId=%s", emu->origin,
		    u->id);
	jsonw_object_begin(w);
	jsonw_key(w, "self");
	jsonw_stringn(w, self.buf, self.len);
	jsonw_object_string(w, "accountId", u->id);
	jsonw_key(w, "accountType");
	if (u->vendor_type)
		jsonw_raw(w, u->vendor_type);
	else
		jsonw_string(w, types[u->type]);
	jsonw_object_string(w, "emailAddress", u->email);
	jsonw_object_string(w, "displayName", u->name);
	jsonw_object_bool(w, "active", u->status == EMU_ACTIVE);
	jsonw_object_end(w);
	strbuf_release(&self);
}

static void one_user(struct emu *emu, struct emu_req *r, long slot)
{
	struct jsonw w;

	jsonw_init(&w, &r->out, false);
	emu_write_user(&w, emu, &emu->users.v[slot], user_json);
	emu_reply(r, 200, "application/json;charset=UTF-8");
}

static void search(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	long start, max, slot;
	struct jsonw w;

	if (emu_query_long(r, "startAt", 0, &start) < 0 ||
	    emu_query_long(r, "maxResults", DEFAULT_MAX_RESULTS, &max) < 0) {
		error(r, 400, "startAt and maxResults must be integers");
		return;
	}
	if (start < 0)
		start = 0;
	if (!emu_page(emu, r, start, &max))
		return;
	strbuf_grow(&r->out, (size_t)max * 256);
	jsonw_init(&w, &r->out, false);
	jsonw_array_begin(&w);
	slot = max > 0 ? store_nth_listed(s, (size_t)start) : -1;
	for (; max > 0 && slot >= 0; max--, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	emu_reply(r, 200, "application/json;charset=UTF-8");
}

static long find_listed(struct emu *emu, struct emu_req *r)
{
	const char *id = emu_query(r, "accountId");
	long slot = id ? store_find(&emu->users, id) : -1;

	return slot >= 0 && listed(&emu->users.v[slot]) ? slot : -1;
}

static void remove_user(struct emu *emu, struct emu_req *r)
{
	long slot = find_listed(emu, r);

	if (!emu_query(r, "accountId")) {
		error(r, 400, "accountId is required");
	} else if (slot < 0) {
		error(r, 404, "The user with the accountId does not exist");
	} else if (emu->users.v[slot].fail_delete) {
		error(r, emu->users.v[slot].fail_delete, "deletion failed");
	} else if (emu->users.v[slot].vanishing) {
		/* deleted by someone else between listing and deletion */
		store_remove(&emu->users, slot);
		error(r, 404, "The user with the accountId does not exist");
	} else if (emu->users.v[slot].undeletable) {
		error(r, 400,
		      "The user cannot be removed: the account is "
		      "managed by an organization");
	} else {
		emu_delete(emu, slot, -1);
		emu_reply(r, 204, NULL);
	}
}

/*
 * Scoped and service-account tokens call the site through
 * https://api.atlassian.com/ex/jira/{cloudId}: the same paths after it.
 */
static const char *site_path(const char *p)
{
	size_t n = strlen("/ex/jira/");

	if (strncmp(p, "/ex/jira/", n) || !p[n] || p[n] == '/')
		return p;
	p += n;
	p += strcspn(p, "/");
	return p;
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *p = site_path(r->path);
	bool get = !strcmp(r->method, "GET");
	long slot;

	r->auth = auth_basic(r, emu->opt.username, emu->opt.password);
	if (r->auth != EMU_AUTH_OK) {
		emu_add_header(r, "WWW-Authenticate",
			       "Basic realm=\"protected-area\"");
		error(r, 401,
		      "Client must be authenticated to access this "
		      "resource.");
		return;
	}
	if (get && !strcmp(p, "/rest/api/3/myself")) {
		if (emu->users.caller < 0)
			error(r, 404, "the caller is not a user");
		else
			one_user(emu, r, emu->users.caller);
	} else if (get && (!strcmp(p, "/rest/api/3/users/search") ||
			   !strcmp(p, "/rest/api/3/users"))) {
		search(emu, r);
	} else if (!strcmp(p, "/rest/api/3/user")) {
		if (!strcmp(r->method, "DELETE")) {
			remove_user(emu, r);
		} else if (get) {
			slot = find_listed(emu, r);
			if (slot < 0)
				error(r, 404,
				      "The user with the accountId "
				      "does not exist");
			else
				one_user(emu, r, slot);
		} else {
			error(r, 405, "Method Not Allowed");
		}
	} else {
		error(r, 404, "Not Found");
	}
}

const struct emu_vendor emu_vendor_atlassian = {
	.name = "atlassian",
	.idstyle = EMU_ID_HEX24,
	.usernames = false,
	.default_user = "admin@example.test",
	.max_page = 1000,
	.token_ttl = 3600,
	.rate_headers = true,
	.listed = listed,
	.handle = handle,
	.error = error,
};
