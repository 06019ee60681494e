/*
 * UiPath Automation Cloud, Identity API: client-credential tokens, users
 * of a partition with numeric types, bulk and single deletion.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"
#include "util/xalloc.h"

#define IDENTITY      "/identity_/"
#define DEFAULT_TOP   10
#define DEFAULT_SCOPE "PM.User PM.User.Read PM.User.Write"
#define FORM	      "application/x-www-form-urlencoded"

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
	jsonw_object_string(&w, "message", msg);
	jsonw_object_int(&w, "errorCode", status);
	jsonw_object_end(&w);
	emu_reply(r, status, "application/json; charset=utf-8");
}

static void oauth_error(struct emu_req *r, int status, const char *code)
{
	strbuf_reset(&r->out);
	strbuf_addf(&r->out, "{\"error\":\"%s\"}", code);
	emu_reply(r, status, "application/json; charset=utf-8");
}

static void user_json(struct jsonw *w, struct emu *emu,
		      const struct emu_user *u)
{
	/*
	 * human 0, robot 1, app 5, unknown a type UiPath may add (7);
	 * directory users (2) and groups (3) come as vendor_type
	 */
	static const int types[] = { 0, 5, 1, 0, 7 };
	const char *first, *last;
	size_t first_len;

	(void)emu;
	user_split_name(u, &first, &first_len, &last);
	jsonw_object_begin(w);
	jsonw_object_string(w, "id", u->id);
	jsonw_object_string(w, "userName", u->username);
	jsonw_object_string(w, "email", u->email);
	jsonw_key(w, "name");
	jsonw_stringn(w, first, first_len);
	jsonw_object_string(w, "surname", last);
	jsonw_object_string(w, "displayName", u->name);
	jsonw_object_bool(w, "isActive", u->status == EMU_ACTIVE);
	jsonw_key(w, "type");
	if (u->vendor_type)
		jsonw_raw(w, u->vendor_type);
	else
		jsonw_int(w, types[u->type]);
	jsonw_object_end(w);
}

static void token(struct emu *emu, struct emu_req *r)
{
	const char *ctype = emu_header(r, "Content-Type");
	char *grant = NULL, *id = NULL, *secret = NULL, *scope = NULL;
	struct jsonw w;

	/* the real service answers another content type with a sign-in page */
	if (!ctype || strncasecmp(ctype, FORM, strlen(FORM))) {
		emu_reply_html(r);
		return;
	}
	grant = emu_form_value(r->body.buf, r->body.len, "grant_type");
	id = emu_form_value(r->body.buf, r->body.len, "client_id");
	secret = emu_form_value(r->body.buf, r->body.len, "client_secret");
	scope = emu_form_value(r->body.buf, r->body.len, "scope");
	if (!id || !secret) {
		r->auth = EMU_AUTH_MISSING;
		oauth_error(r, 400, "invalid_client");
	} else if (strcmp(id, emu->opt.client_id) ||
		   strcmp(secret, emu->opt.client_secret)) {
		r->auth = EMU_AUTH_INVALID;
		oauth_error(r, 400, "invalid_client");
	} else if (!grant || strcmp(grant, "client_credentials")) {
		r->auth = EMU_AUTH_OK;
		oauth_error(r, 400, "unsupported_grant_type");
	} else {
		r->auth = EMU_AUTH_OK;
		jsonw_init(&w, &r->out, false);
		jsonw_object_begin(&w);
		jsonw_object_string(&w, "access_token",
				    auth_issue(emu, false, NULL));
		jsonw_object_int(&w, "expires_in", auth_ttl(emu));
		jsonw_object_string(&w, "token_type", "Bearer");
		jsonw_object_string(&w, "scope",
				    scope && *scope ? scope : DEFAULT_SCOPE);
		jsonw_object_end(&w);
		emu_reply(r, 200, "application/json; charset=utf-8");
	}
	free(grant);
	free(id);
	free(secret);
	free(scope);
}

static void list(struct emu *emu, struct emu_req *r)
{
	const struct emu_store *s = &emu->users;
	long top, skip, n, slot;
	struct jsonw w;

	if (emu_query_long(r, "top", DEFAULT_TOP, &top) < 0 ||
	    emu_query_long(r, "skip", 0, &skip) < 0 || top < 0 || skip < 0) {
		error(r, 400, "top and skip must be non-negative integers");
		return;
	}
	if (!emu_page(emu, r, skip, &top))
		return;
	strbuf_grow(&r->out, (size_t)top * 256);
	jsonw_init(&w, &r->out, false);
	jsonw_object_begin(&w);
	jsonw_object_int(&w, "totalCount", (long long)s->listed);
	jsonw_key(&w, "results");
	jsonw_array_begin(&w);
	n = top;
	slot = n > 0 ? store_nth_listed(s, (size_t)skip) : -1;
	for (; n > 0 && slot >= 0; n--, slot = store_next_listed(s, slot))
		emu_write_user(&w, emu, &s->v[slot], user_json);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	emu_reply(r, 200, "application/json; charset=utf-8");
}

static long find_listed(struct emu *emu, const char *id)
{
	long slot = store_find(&emu->users, id);

	return slot >= 0 && listed(&emu->users.v[slot]) ? slot : -1;
}

static void delete_one(struct emu *emu, struct emu_req *r, const char *id)
{
	long slot = find_listed(emu, id);

	if (slot < 0) {
		error(r, 404, "User not found");
	} else if (emu->users.v[slot].undeletable) {
		error(r, 400, "This user cannot be deleted");
	} else {
		emu_delete(emu, slot, -1);
		emu_reply(r, 204, NULL);
	}
}

/*
 * Unknown ids are ignored; one undeletable id refuses the whole request
 * (nothing deleted), so that clients see the refusal.
 */
static void delete_bulk(struct emu *emu, struct emu_req *r)
{
	cJSON *j = emu_body_json(emu, r);
	const cJSON *part, *ids, *id;
	long slot;

	if (!j)
		return;
	part = cJSON_GetObjectItemCaseSensitive(j, "partitionGlobalId");
	ids = cJSON_GetObjectItemCaseSensitive(j, "userIds");
	if (!cJSON_IsString(part) || !cJSON_IsArray(ids)) {
		error(r, 400, "partitionGlobalId and userIds are required");
		goto out;
	}
	if (strcasecmp(part->valuestring, emu->opt.partition)) {
		error(r, 404, "Partition not found");
		goto out;
	}
	cJSON_ArrayForEach(id, ids)
	{
		if (!cJSON_IsString(id)) {
			error(r, 400, "userIds must be strings");
			goto out;
		}
		slot = find_listed(emu, id->valuestring);
		if (slot >= 0 && emu->users.v[slot].undeletable) {
			error(r, 400, "One or more users cannot be deleted");
			goto out;
		}
	}
	cJSON_ArrayForEach(id, ids)
	{
		slot = find_listed(emu, id->valuestring);
		if (slot >= 0) {
			emu_delete(emu, slot, -1);
		}
	}
	emu_reply(r, 204, NULL);
out:
	cJSON_Delete(j);
}

static void handle(struct emu *emu, struct emu_req *r)
{
	const char *org = emu->opt.org, *p = r->path, *rest;
	size_t n = strlen(org);
	bool get = !strcmp(r->method, "GET");
	bool del = !strcmp(r->method, "DELETE");
	long slot;
	struct jsonw w;

	if (p[0] != '/' || strncmp(p + 1, org, n) ||
	    strncmp(p + 1 + n, IDENTITY, strlen(IDENTITY))) {
		error(r, 404, "Not Found");
		return;
	}
	rest = p + 1 + n + strlen(IDENTITY);
	if (!strcmp(rest, "connect/token")) {
		if (strcmp(r->method, "POST"))
			error(r, 405, "Method Not Allowed");
		else
			token(emu, r);
		return;
	}
	r->auth =
		auth_token(emu, auth_credential(r, "Authorization", "Bearer"));
	if (r->auth != EMU_AUTH_OK) {
		emu_add_header(r, "WWW-Authenticate", "Bearer");
		error(r, 401, "Unauthorized");
		return;
	}
	if (get && !strncmp(rest, "api/User/users/", 15)) {
		if (strcasecmp(rest + 15, emu->opt.partition))
			error(r, 404, "Partition not found");
		else
			list(emu, r);
	} else if (del && !strcmp(rest, "api/User")) {
		delete_bulk(emu, r);
	} else if (del && !strncmp(rest, "api/User/", 9) && rest[9]) {
		delete_one(emu, r, rest + 9);
	} else if (get && !strncmp(rest, "api/User/", 9) && rest[9]) {
		slot = find_listed(emu, rest + 9);
		if (slot < 0) {
			error(r, 404, "User not found");
			return;
		}
		jsonw_init(&w, &r->out, false);
		emu_write_user(&w, emu, &emu->users.v[slot], user_json);
		emu_reply(r, 200, "application/json; charset=utf-8");
	} else {
		error(r, 404, "Not Found");
	}
}

const struct emu_vendor emu_vendor_uipath = {
	.name = "uipath",
	.idstyle = EMU_ID_GUID,
	.usernames = true,
	.default_user = "admin",
	.max_page = 1000,
	.token_ttl = 3600,
	.listed = listed,
	.handle = handle,
	.error = error,
};
